-- A small study for tests/lua/test_study.lua: 3 x 2 grid points, 2 repeats.
-- STUDY_TEST_DELAY (seconds per point) slows it down so a test can interrupt
-- it; STUDY_TEST_FAIL=P makes the points with planes = P fail. Neither
-- changes the file, so runs with and without them share a directory.
local xnet = require "xnet"
local study = require "xnet.study"

local delay = tonumber(os.getenv("STUDY_TEST_DELAY") or "") or 0
local fail = os.getenv("STUDY_TEST_FAIL")

return study {
  name = "toy",
  description = "mean latency from satellite 0 in small Walker networks",
  seed = 7,
  repeats = 2,
  grid = { planes = { 3, 4, 5 }, survival = { 0.8, 1.0 }, pattern = { "star" } },
  run = function(point, seed, info)
    if fail == tostring(point.planes) then
      error("planned failure at planes=" .. point.planes)
    end
    if delay > 0 then xnet.sleep(delay) end
    local con = xnet.walker { pattern = point.pattern, planes = point.planes, sats = 6 }
    local net = xnet.network(con, { snapshots = 2, survival = point.survival, seed = seed })
    local row = net:latency(0, 1)
    local sum, n = 0, 0
    for i = 1, #row - 1 do
      if row[i] < math.huge then sum, n = sum + row[i], n + 1 end
    end
    return { active = net:links(1).active, reachable = n, tag = "rep" .. info.rep,
             mean_latency_ms = n > 0 and 1000 * sum / n or 0 / 0 }
  end,
}
