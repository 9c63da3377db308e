-- The paper's Fig. 7, constellation size: 32 layers on constellations from
-- 18 x 16 (288 satellites: 9 per subnet, the least that holds a gateway and
-- 8 experts; 17 x 16 cannot) up to 65 x 64 (4160).
local xnet = require "xnet"
local paper = require "xnet.paper"

local shapes = { ["18x16"] = { 18, 16 }, ["25x24"] = { 25, 24 }, ["33x32"] = { 33, 32 },
                 ["49x48"] = { 49, 48 }, ["65x64"] = { 65, 64 } }

return xnet.study{
  name = "fig7_size", seed = 1, repeats = 3,
  grid = { satellites = { 288, 600, 1056, 2352, 4160 } },
  run = function(point, seed)
    local shape
    for _, pq in pairs(shapes) do
      if pq[1] * pq[2] == point.satellites then shape = pq end
    end
    local s = paper.setup{ snapshots = 50, seed = seed, planes = shape[1], sats = shape[2] }
    return paper.metrics(s, paper.profile(s.model, "zipf-1", seed), seed)
  end,
}
