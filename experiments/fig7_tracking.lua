-- The paper's Fig. 7, tracking limit: the largest line-of-sight angular rate
-- a laser terminal follows. With the model's definition the adjacent-plane
-- links of an 87 deg star never turn faster than 0.021 rad/s, so the limit
-- only binds below that; the grid spans both sides.
local xnet = require "xnet"
local paper = require "xnet.paper"

return xnet.study{
  name = "fig7_tracking", seed = 1, repeats = 3,
  grid = { omega_max = { 0.005, 0.01, 0.015, 0.02, 0.05, 0.12, 0.2 } },
  run = function(point, seed)
    local s = paper.setup{ snapshots = 50, seed = seed, omega_max = point.omega_max }
    return paper.metrics(s, paper.profile(s.model, "zipf-1", seed), seed)
  end,
}
