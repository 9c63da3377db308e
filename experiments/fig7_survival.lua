-- The paper's Fig. 7, link survival: the probability that a feasible link is
-- up in a snapshot.
local xnet = require "xnet"
local paper = require "xnet.paper"

return xnet.study{
  name = "fig7_survival", seed = 1, repeats = 3,
  grid = { survival = { 0.8, 0.85, 0.9, 0.95, 1.0 } },
  run = function(point, seed)
    local s = paper.setup{ snapshots = 50, seed = seed, survival = point.survival }
    return paper.metrics(s, paper.profile(s.model, "zipf-1", seed), seed)
  end,
}
