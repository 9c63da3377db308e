-- The paper's Fig. 7, altitude: seconds per token of each method as the
-- constellation flies higher (longer links, same 33 x 32 geometry).
local xnet = require "xnet"
local paper = require "xnet.paper"

return xnet.study{
  name = "fig7_altitude", seed = 1, repeats = 3,
  grid = { altitude_km = { 400, 550, 700, 850, 1000, 1200 } },
  run = function(point, seed)
    local s = paper.setup{ snapshots = 50, seed = seed, altitude_km = point.altitude_km }
    return paper.metrics(s, paper.profile(s.model, "zipf-1", seed), seed)
  end,
}
