-- A small example study (the README's): active links against the number of
-- planes and the link survival probability, averaged over 20 snapshots.
--   spacexnet study run experiments/survival.lua --out results/survival --jobs 2
local xnet = require "xnet"

return xnet.study{
  name = "survival", seed = 1, repeats = 5,
  grid = { planes = { 22, 33 }, survival = { 0.9, 0.95, 1.0 } },
  run = function(point, seed, info)                -- info.rep, info.id
    local net = xnet.network(xnet.walker{ planes = point.planes },
                             { snapshots = 20, survival = point.survival, seed = seed })
    local active = 0
    for k = 0, net:snapshots() - 1 do active = active + net:links(k).active end
    return { active = active / net:snapshots() }   -- numbers, strings or booleans
  end,
}
