-- The constellation and network API through Lua: known answers and every
-- error path of the kernel issue.
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local t = require "harness"
local xnet = require "xnet"

-- constellation
local con = xnet.walker{ pattern = "star", planes = 33, sats = 32, phasing = 0,
                         altitude_km = 550, inclination_deg = 87 }
t.near(con:period() / 60, 95.50, 0.005, "period at 550 km")
t.check(#con == 1056 and con:size() == 1056)
t.check(con.planes == 33 and con.sats == 32 and con.pattern == "star")
t.check(tostring(con):find("walker star 33x32", 1, true))
local x0, y0, z0 = con:position(0, 0)
local x1, y1, z1 = con:position(1, 0)
t.near(math.sqrt((x1 - x0) ^ 2 + (y1 - y0) ^ 2 + (z1 - z0) ^ 2), 1356.8, 0.05, "in-plane chord")
local x8, y8, z8 = con:position(8, 0)
t.near(math.deg(math.atan(z8, math.sqrt(x8 * x8 + y8 * y8))), 87, 1e-9,
       "slot 8 is at the top of its orbit at t = 0")
t.check(xnet.walker() == con, "defaults are the paper's")

-- network
local net = xnet.network(con, { snapshots = 20, survival = 0.95, seed = 7 })
t.check(net:snapshots() == 20 and #net == 1056)
t.check(tostring(net):find("1056 satellites, 20 snapshots", 1, true))
local links = net:links(0)
t.check(links.total == 2080)
t.check(links.blocked + links.tracking + links.range + links.outage + links.active == links.total)
local row = net:latency(0, 3)
t.check(#row == 1056 and row[0] == 0)
t.check(row:source() == 0 and row:snapshot() == 3)
local back = net:latency(500, 3)
t.near(row[500], back[0], 1e-15, "latency is symmetric")
local path = net:path(0, 500, 3)
t.check(path[1] == 0 and path[#path] == 500)
local hops = net:hops(0, 3)
t.check(hops[500] == #path - 1, "hops along the minimum-latency route")
-- the path's latency adds up its links
local edges = {}
for _, e in ipairs(net:edges(3)) do
  edges[e[1] .. "-" .. e[2]] = e[3]
  edges[e[2] .. "-" .. e[1]] = e[3]
end
local sum = 0
for i = 1, #path - 1 do sum = sum + edges[path[i] .. "-" .. path[i + 1]] end
t.near(sum, row[500], 1e-12, "path latency = sum of its links")
local rows = net:latency({ 0, 500 }, 3)
t.check(#rows == 2 and rows[2][0] == back[0])
local ncomp, sizes = net:components(3)
local total, sorted = 0, true
for i, n in ipairs(sizes) do
  total = total + n
  sorted = sorted and (i == 1 or n <= sizes[i - 1])
end
t.check(#sizes == ncomp and total == 1056 and sorted, "component sizes cover every satellite, largest first")
-- survival 0.2 breaks the mesh into many pieces: still largest first
local _, pieces = xnet.network(con, { snapshots = 1, survival = 0.2, seed = 1 }):components(0)
sorted, total = #pieces > 2, 0
for i, n in ipairs(pieces) do
  total = total + n
  sorted = sorted and (i == 1 or n <= pieces[i - 1])
end
t.check(sorted and total == 1056, #pieces .. " components, largest first")
t.check(net:constellation() == con)
t.check(net:params().survival == 0.95 and net:params().seed == 7)

-- same seed, same outages; different seed, different ones
local function outages(seed)
  local n = xnet.network(con, { snapshots = 5, seed = seed })
  local s = {}
  for k = 0, 4 do s[#s + 1] = n:links(k).outage end
  return table.concat(s, ",")
end
t.check(outages(3) == outages(3))
t.check(outages(3) ~= outages(4))

-- survival 1 and no tracking limit: every link up
local full = xnet.network(con, { snapshots = 4, survival = 1, omega_max = math.huge })
for k = 0, 3 do t.check(full:links(k).active == 2080) end

-- a cut network: survival 0 leaves nothing reachable
local cut = xnet.network(xnet.walker{ planes = 3, sats = 12 }, { snapshots = 1, survival = 0 })
t.check(cut:path(0, 1, 0) == nil)
t.check(cut:latency(0, 0)[1] == math.huge)
t.check(cut:latency(0, 0):unreachable() == 35)
t.check(cut:latency(0, 0):max() == math.huge and select(2, cut:latency(0, 0):max()) == 1,
        "max is infinite when a satellite is unreachable, and names it")
t.check(cut:latency(0, 0):mean() == math.huge)
t.check(cut:latency(0, 0):mean{ reachable = true } == 0)
t.check(cut:hops(0, 0)[1] == math.huge)
t.check(select(1, cut:components(0)) == 36)

-- a mega-constellation: 40,000 satellites, memory O(N + E) per snapshot
local mega = xnet.walker{ planes = 200, sats = 200, altitude_km = 550, inclination_deg = 53,
                          pattern = "delta", phasing = 1 }
local mnet = xnet.network(mega, { snapshots = 2, survival = 1 })
t.check(#mnet == 40000 and mnet:links(1).total == 80000)
local mrow = mnet:latency(12345, 1)
t.check(#mrow == 40000 and mrow:unreachable() == 0 and mrow[12345] == 0)
local mpath = mnet:path(0, 39999, 1)
t.check(mpath[1] == 0 and mpath[#mpath] == 39999)
mnet:close()

-- error paths: the message names the value and the bound
t.check_error("planes must be in [1,", xnet.walker, { planes = 0 })
t.check_error("sats must be in [1,", xnet.walker, { sats = -3 })
t.check_error("phasing must be in [0, 32], got 33", xnet.walker, { phasing = 33 })
t.check_error("altitude_km must be in (0, 1e6], got -5", xnet.walker, { altitude_km = -5 })
t.check_error("altitude_km must be in (0, 1e6], got 1e+300", xnet.walker, { altitude_km = 1e300 })
t.check_error("inclination_deg must be in [0, 180], got 181", xnet.walker, { inclination_deg = 181 })
t.check_error("pattern must be 'star' or 'delta', got 'ring'", xnet.walker, { pattern = "ring" })
t.check_error("unknown option 'plane' for xnet.walker", xnet.walker, { plane = 3 })
t.check_error("option 'planes' must be an integer, got 2.5", xnet.walker, { planes = 2.5 })
t.check_error("option 'planes' must be an integer, got string", xnet.walker, { planes = "33" })
t.check_error("option 'altitude_km' must be a number, got string", xnet.walker, { altitude_km = "x" })
t.check_error("above the atmosphere margin 80 km, got 60", function()
  xnet.network(xnet.walker{ altitude_km = 60 })
end)
t.check_error("survival must be in [0, 1], got 1.2", xnet.network, con, { survival = 1.2 })
t.check_error("survival must be in [0, 1], got", xnet.network, con, { survival = 0 / 0 })
t.check_error("snapshots must be in [1,", xnet.network, con, { snapshots = 0 })
t.check_error("unknown option 'survivl' for xnet.network (did you mean 'survival'? allowed: snapshots,",
              xnet.network, con, { survivl = 0.9 })
t.check_error("unknown option 'bandwidth' for xnet.network (allowed: snapshots,", xnet.network, con,
              { bandwidth = 1 }) -- nothing close: no guess
t.check_error("horizon_s must be > 0", xnet.network, con, { horizon_s = -1 })
t.check_error("seed must be >= 0, got -1", xnet.network, con, { seed = -1 })
t.check_error("rate_bps must be > 0", xnet.network, con, { rate_bps = 0 })
t.check_error("(xnet.Constellation expected, got table)", xnet.network, {}, {})
t.check_error("satellite 1056 out of range [0, 1056)", net.latency, net, 1056, 0)
t.check_error("satellite -1 out of range [0, 1056)", net.path, net, -1, 3, 0)
t.check_error("snapshot 20 out of range [0, 20)", net.latency, net, 0, 20)
t.check_error("snapshot must be an integer, got 1.5", net.links, net, 1.5)
t.check_error("satellite must be an integer, got string", net.hops, net, "a", 0)
t.check_error("satellite 2000 out of range [0, 1056)", function() return row[2000] end)
t.check_error("satellite 1056 out of range [0, 1056)", con.position, con, 1056, 0)
t.check_error("time must be finite", con.position, con, 0, math.huge)
t.check_error("sats >= 3", xnet.network, xnet.walker{ sats = 2 })
-- the two-state chain keeps a bit per link per snapshot: 5 GB here
t.check_error("memory limit", xnet.network, xnet.walker{ planes = 1000, sats = 1000 },
              { snapshots = 20000, outages = "markov" })
-- the memory limit from the environment: a bad value is an error, not ignored
local function run_with_limit(value)
  local p = io.popen(string.format("SPACEXNET_MEMORY_LIMIT_MB=%s %q -e %q 2>&1", value,
                                   xnet.executable(),
                                   "print(xnet.limits().memory_mb, pcall(xnet.network, xnet.walker{}, { snapshots = 1 }))"))
  local out = p:read("a")
  p:close()
  return out
end
t.check(run_with_limit("64"):find("^64%.0\ttrue"), run_with_limit("64"))
t.check(run_with_limit("abc"):find("SPACEXNET_MEMORY_LIMIT_MB must be a positive number of MiB, got 'abc'", 1, true))
t.check(run_with_limit("-5"):find("got '-5'", 1, true))
t.check(run_with_limit("0.001"):find("memory limit of 0.0 MiB", 1, true), run_with_limit("0.001"))

-- Memory that does not grow with the snapshots: on a fixed shell, 50 or 400
-- snapshots (each one computed, searched and placed on) leave the network
-- holding the same bytes but for 32 bytes of counts per snapshot; the
-- two-state chain adds exactly one bit per link per snapshot.
do
  local held = {}
  local budget_mb = xnet.limits().snapshot_cache_mb
  xnet.limits{ snapshot_cache_mb = 1 } -- 7.5 kB per snapshot: 50 fit, 400 do not
  for _, T in ipairs{ 50, 400 } do
    local n = xnet.network(xnet.walker{ planes = 12, sats = 12 }, { snapshots = T })
    local ring = xnet.ring(n, 4, { cut = "slot", warn = false })
    local m = xnet.model{ layers = 4, experts = 8, top_k = 2, hidden = 64, expert_ffn = 128,
                          bytes_per_value = 2 }
    local prof = xnet.profile.zipf(m, 1.0, { seed = 1 })
    xnet.evaluate(n, xnet.place.spacexnet(n, ring, prof), prof, { tokens = 100, seed = 1 })
    for k = 0, T - 1 do n:links(k) end
    local total, parts = n:bytes()
    held[T] = { total = total, parts = parts }
    local mk = xnet.network(xnet.walker{ planes = 12, sats = 12 },
                            { snapshots = T, outages = "markov" })
    local _, mparts = mk:bytes()
    t.check(mparts.outage_bits == T * ((12 * 12 + 11 * 12 + 63) // 64) * 8,
            "markov: one bit per link per snapshot, got " .. mparts.outage_bits)
    t.check(parts.outage_bits == 0 and parts.rule_bits == 0, "independent draws keep no bits")
  end
  xnet.limits{ snapshot_cache_mb = budget_mb }
  local cached = { held[50].parts.snapshot_cache, held[400].parts.snapshot_cache }
  t.check(held[400].total - cached[2] - (held[50].total - cached[1]) == 350 * 32,
          string.format("bytes held besides the snapshot cache: %d at 50 snapshots, %d at 400",
                        held[50].total - cached[1], held[400].total - cached[2]))
  -- the geometry store: a sixteenth of the cache's budget, 26 snapshots of 276 links
  t.check(held[50].parts.geometry == 26 * (276 * 9 + 1)
          and held[400].parts.geometry == held[50].parts.geometry,
          string.format("the geometry store: %d bytes at 50 snapshots, %d at 400",
                        held[50].parts.geometry, held[400].parts.geometry))
  t.check(cached[1] > 50 * 12 * 12 * 4 and cached[2] <= 1048576 and cached[2] > cached[1],
          string.format("the snapshot cache: every snapshot at 50 (%d bytes), at most its "
                        .. "budget at 400 (%d bytes)", cached[1], cached[2]))
  -- the process's peak resident set, each in a fresh process: the snapshot
  -- series of this shell took 180 kB per snapshot when it was kept (63 MB
  -- more at 400 snapshots); now only the counts grow
  local function peak_kb(T)
    local p = io.popen(string.format("%q -e %q 2>&1", xnet.executable(), string.format(
      "local n = xnet.network(xnet.walker{ planes = 100, sats = 100 }, { snapshots = %d }) "
      .. "for k = 0, %d do n:links(k) end "
      .. "local f = io.open('/proc/self/status') print(f:read('a'):match('VmHWM:%%s*(%%d+)'))",
      T, T - 1)))
    local out = p:read("a")
    p:close()
    return tonumber(out:match("(%d+)%s*$")), out
  end
  local lo, out_lo = peak_kb(50)
  local hi, out_hi = peak_kb(400)
  t.check(lo and hi and hi - lo < 4096, string.format("peak resident set: %s kB at 50 "
          .. "snapshots, %s kB at 400\n%s%s", tostring(lo), tostring(hi), out_lo, out_hi))
end

net:close()
t.check_error("attempt to use a closed network", net.latency, net, 0, 0)
t.check(tostring(net) == "network (closed)")
net:close() -- closing twice is harmless

t.done()
