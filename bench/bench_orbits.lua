-- Orbits from element sets against Walker orbits: SGP4 propagations per
-- second (near-Earth and deep space) and the time to build the same network
-- (Starlink's first shell, 72 x 22, 200 snapshots) from a Walker shell and
-- from its own TLEs. CPU time (os.clock), least of three runs; on a shared
-- machine read the ratios. Prints figures, nothing passes or fails.
local xnet = require "xnet"

local function best(f)
  local t = math.huge
  for _ = 1, 3 do
    local c0 = os.clock()
    f()
    t = math.min(t, os.clock() - c0)
  end
  return t
end

local starlink = xnet.constellation("starlink-gen1", 1, { epoch = "2026-01-01" })
local set = xnet.tle(starlink:tle())
local N = 200000
local near = best(function() for i = 1, N do set:teme(i % #set, i * 0.01) end end)
local molniya = xnet.tle("1 09880U 77021A   06176.56157475  .00000421  00000-0  10000-3 0  9814\n"
                      .. "2 09880  64.5968 349.3786 7069051 270.0229  16.3320  2.00813614112380\n")
local deep = best(function() for i = 1, N / 10 do molniya:teme(0, i * 0.1) end end)
print(string.format("SGP4 through set:teme (init + propagate per call): near-Earth %.2f M/s, "
                    .. "deep space (12-hour resonance, within 2 days) %.2f M/s",
                    N / near / 1e6, N / 10 / deep / 1e6))

local shell = set:shell{ planes = 72, sats = 22, pattern = "delta" }
local walker_s = best(function() xnet.network(starlink, { snapshots = 200 }):close() end)
local tle_s = best(function() xnet.network(shell, { snapshots = 200 }):close() end)
print(string.format("network of 1584 satellites, 200 snapshots: Walker %.3f s, TLE shell %.3f s "
                    .. "(%.2fx; SGP4 for every satellite and snapshot, checked once more first)",
                    walker_s, tle_s, tle_s / walker_s))
