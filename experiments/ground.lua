-- End to end: seconds per token for a user on the ground, on the paper's
-- 33 x 32 star and on Starlink's first shell (72 x 22 at 550 km, 53 deg;
-- lib/constellations/starlink-gen1.lua), with the four placement methods.
-- The user's token goes up to the satellite highest in its sky (minimum
-- elevation 25 deg), through the constellation to layer 0's gateway, around
-- the ring, and back down (docs/model.md, ground terminals). Each point
-- reports every method's mean and the split of Space-XNet's token into
-- access, ring and compute, with the undelivered fraction.
-- The cities are in experiments/ground_cities.lua, with their sources.
local xnet = require "xnet"
local paper = require "xnet.paper"

local CITIES = {}
for _, c in ipairs(dofile(xnet.root .. "/experiments/ground_cities.lua")) do CITIES[c.name] = c end

local function shell(name)
  if name == "paper" then return {} end
  local s = xnet.constellation("starlink-gen1", 1)
  return { pattern = s.pattern, planes = s.planes, sats = s.sats, phasing = s.phasing,
           altitude_km = s.altitude_km, inclination_deg = s.inclination_deg }
end

local setups = {}

return xnet.study{
  name = "ground", seed = 1, repeats = 1,
  grid = {
    constellation = { "paper", "starlink-550" },
    city = { "Singapore", "Madrid", "Saint-Petersburg", "Longyearbyen" },
  },
  run = function(point)
    local entry = setups[point.constellation]
    if not entry then
      local o = shell(point.constellation)
      o.snapshots, o.seed = 40, 1
      local s = paper.setup(o)
      local prof = paper.profile(s.model, "zipf-1", 1)
      local plans = {}
      for _, method in ipairs(paper.METHODS) do plans[method] = paper.plan(s, method, prof) end
      entry = { s = s, prof = prof, plans = plans }
      setups[point.constellation] = entry
    end
    local c = CITIES[point.city]
    local user = xnet.ground{ { name = point.city, lat_deg = c.lat_deg, lon_deg = c.lon_deg } }[1]
    local metrics = {}
    for _, method in ipairs(paper.METHODS) do
      local r = xnet.evaluate(entry.s.net, entry.plans[method], entry.prof,
                              { tokens = 2000, user = user })
      metrics[method] = r.exact or 0 / 0
      metrics[method .. "_undelivered"] = r.exact_undelivered
      if method == "spacexnet" then
        metrics.access = r.exact_access or 0 / 0
        metrics.ring = r.exact_ring or 0 / 0
        metrics.compute = r.compute
      end
    end
    local seen = 0
    for k = 0, entry.s.net:snapshots() - 1 do
      if #user:visible(entry.s.con, entry.s.net:time(k)) > 0 then seen = seen + 1 end
    end
    metrics.visible_fraction = seen / entry.s.net:snapshots()
    return metrics
  end,
}
