-- Rings: the cuts, medoid gateways at the centre of symmetric subnets and in
-- the middle of their subnets at other sizes, statistics, warnings, errors.
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local t = require "harness"
local xnet = require "xnet"

local function plane_of(id, sats) return id // sats end

-- A star's row (one slot across all planes) is symmetric under p -> P-1-p:
-- its medoid is the middle plane, whatever the outage draws (the ring uses
-- the geometry only).
local con = xnet.walker{}
for _, survival in ipairs{ 1, 0.8 } do
  local net = xnet.network(con, { snapshots = 6, survival = survival, seed = 5 })
  local row = {}
  for p = 0, 32 do row[#row + 1] = p * 32 + 7 end
  local one = xnet.ring(net, { row })
  t.check(one:gateway(0) == 16 * 32 + 7, "medoid of a row: plane 16, got " .. one:gateway(0))
  -- the paper's cut: every gateway in plane 16, one in-plane hop to the next
  local ring = xnet.ring(net, 32)
  local st, ok = ring:stats(), true
  for l = 0, 31 do
    ok = ok and plane_of(ring:gateway(l), 32) == 16 and st[l].size == 33 and st[l].planes == 33
         and st[l].slots == 1 and st[l].contiguous and st[l].diameter_hops == 32
         and st[l].gateway_hops == 1
  end
  t.check(ok and st.band_planes == 33, "33 x 32: the slot cut, gateways in plane 16")
  t.check(xnet.ring_warning(ring) == nil)
end

-- A symmetric block (3 planes x 3 slots) on its own: the medoid is its centre.
local small = xnet.network(xnet.walker{ planes = 6, sats = 12 }, { snapshots = 4, survival = 1 })
local block = {}
for p = 1, 3 do for s = 4, 6 do block[#block + 1] = p * 12 + s end end
t.check(xnet.ring(small, { block }):gateway(0) == 2 * 12 + 5, "the centre of a 3 x 3 block")
t.check(xnet.ring(small, { block }, { gateway = "index" }):gateway(0) == block[5])

-- Other sizes of the paper's star: every subnet connected by its own links
-- (the old slot-major cut left the 25 x 24 subnets in two pieces, with
-- middle-id gateways on planes 9, 2, 21, 15) and every gateway in the middle
-- third of the planes its subnet spans. At 25 x 24 a subnet is part of a row
-- and the medoid may lean from there towards the previous subnet (whose
-- experts' outputs it receives), never away from it.
local function span(ids, S)
  local lo, hi = math.huge, -1
  for _, id in ipairs(ids) do lo = math.min(lo, plane_of(id, S)); hi = math.max(hi, plane_of(id, S)) end
  return lo, hi
end
for _, size in ipairs{ { 65, 64 }, { 49, 48 }, { 25, 24 } } do
  local P, S = size[1], size[2]
  local net = xnet.network(xnet.walker{ planes = P, sats = S }, { snapshots = 4 })
  local ring = xnet.ring(net, 32)
  local st, ok, why = ring:stats(), true, ""
  for l = 0, 31 do
    local lo, hi = span(ring:subnet(l), S)
    local plo, phi = span(ring:subnet((l + 31) % 32), S)
    local g, mid, third = plane_of(ring:gateway(l), S), (lo + hi) / 2, (hi - lo) / 3
    local central = math.abs(g - mid) <= third / 2 + 1e-9
    local pmid = (plo + phi) / 2
    local leaning = P == 25 and g >= math.min(mid, pmid) and g <= math.max(mid, pmid)
    if not (st[l].contiguous and (central or leaning)) then
      ok, why = false, string.format("layer %d: gateway plane %d of %d..%d", l, g, lo, hi)
    end
  end
  t.check(ok, string.format("%d x %d: %s", P, S, why))
  if P == 65 then
    t.check(plane_of(ring:gateway(0), S) == 32 and plane_of(ring:gateway(1), S) == 32)
  end
end

-- A delta shell (72 x 22, 53 deg, F = 1): the slot cut strings each subnet
-- over 49 of the 72 planes; auto finds contiguous bands of whole planes with
-- far shorter gateway-to-gateway hops.
local delta = xnet.network(xnet.walker{ pattern = "delta", planes = 72, sats = 22, phasing = 1,
                                        inclination_deg = 53 }, { snapshots = 4 })
local function mean_hop(ring)
  local st, sum = ring:stats(), 0
  for l = 0, 31 do sum = sum + st[l].gateway_hop_s end
  return sum / 32, st
end
local slot_hop, slot_st = mean_hop(xnet.ring(delta, 32, { cut = "slot" }))
local auto = xnet.ring(delta, 32)
local auto_hop, auto_st = mean_hop(auto)
t.check(slot_st.band_planes == 72 and slot_st[0].planes == 49)
t.check(auto_st.band_planes < 72 and 72 % auto_st.band_planes == 0)
t.check(auto_hop < 0.6 * slot_hop, string.format("auto %.4f s, slot %.4f s", auto_hop, slot_hop))
local all = true
for l = 0, 31 do all = all and auto_st[l].contiguous end
t.check(all, "auto: every subnet contiguous")
local plane = xnet.ring(delta, 32, { cut = "plane" })
t.check(plane:stats().band_planes == 1 and plane:stats()[0].slots == 22)
t.check(xnet.ring(delta, 32, { cut = 8, warn = false }):stats().band_planes == 8)

-- Warnings: a scattered subnet, and a ring with one long hop.
local net = xnet.network(con, { snapshots = 4, survival = 1 })
local scattered = xnet.ring(net, { { 0, 500, 1000 }, { 1, 2, 3 } }, { warn = false })
t.check(not scattered:stats()[0].contiguous and scattered:stats()[0].diameter_hops == nil)
t.check(scattered:stats()[1].contiguous and scattered:stats()[1].diameter_hops == 2)
t.check((xnet.ring_warning(scattered) or ""):find("1 subnets are not connected", 1, true))
local function rows_ring(slots)
  local rows = {}
  for i, s in ipairs(slots) do
    rows[i] = {}
    for p = 0, 32 do rows[i][#rows[i] + 1] = p * 32 + s end
  end
  return xnet.ring(net, rows, { warn = false })
end
t.check(xnet.ring_warning(rows_ring{ 0, 8, 16, 24 }) == nil, "evenly spaced rows: equal hops")
-- hops of 1, 1, 1, 1, 16 and 12 slots: the median is 1
t.check((xnet.ring_warning(rows_ring{ 0, 1, 2, 3, 4, 20 }) or ""):find("16.0 times the median"))

-- The path kernel against igraph (the previous implementation, paths =
-- "igraph"): the same cut, the same gateways, and the statistics to 1e-12,
-- on star and delta shells, with outages, a latitude cut-off that scatters
-- subnets, user subnets and every cut.
do
  local function ring_facts(n, spec, o)
    local r = xnet.ring(n, spec, o)
    local st, f = r:stats(), {}
    for l = 0, #r - 1 do
      f[#f + 1] = { gw = r:gateway(l), out = st[l].mean_member_s, inn = st[l].mean_previous_s,
                    hop = st[l].gateway_hop_s, d = st[l].diameter_hops,
                    c = st[l].contiguous, size = st[l].size }
    end
    return f
  end
  local function close(a, b)
    if a == b then return true end
    if a == nil or b == nil then return false end
    return math.abs(a - b) <= 1e-12 * math.max(math.abs(a), math.abs(b))
  end
  local cases = {
    { w = { planes = 9, sats = 10 }, o = { snapshots = 12, survival = 0.9, seed = 3 } },
    { w = { pattern = "delta", planes = 10, sats = 9, phasing = 1 }, o = { snapshots = 9 } },
    { w = { planes = 8, sats = 12 }, o = { snapshots = 6, cross_plane_max_lat_deg = 40 } },
    { w = { planes = 24, sats = 20 }, o = { snapshots = 4 } },
  }
  local agree, compared = true, 0
  for _, case in ipairs(cases) do
    local n = xnet.network(xnet.walker(case.w), case.o)
    local specs = { { 6, { cut = "auto" } }, { 6, { cut = "slot" } }, { 5, { cut = "plane" } },
                    { 4, { cut = 2, gateway = "medoid" } },
                    { { { 0, 1, 2, 30 }, { 40, 41, 50, 51, 60 }, { 5, 6, 7 } }, {} } }
    -- Subnets of random satellites (scattered: the medoid's search over every
    -- link) and large ones (the pruned medoid and the bounded diameter search
    -- rule out most members): they must find what the full tables find.
    local N = case.w.planes * case.w.sats
    math.randomseed(N)
    local perm = {}
    for i = 1, N do perm[i] = i - 1 end
    for i = N, 2, -1 do local j = math.random(i); perm[i], perm[j] = perm[j], perm[i] end
    local scattered = {}
    for l = 1, 4 do
      scattered[l] = {}
      for i = 1, N // 8 do scattered[l][i] = perm[(l - 1) * (N // 8) + i] end
    end
    specs[#specs + 1] = { scattered, {} }
    specs[#specs + 1] = { 2, { cut = "plane" } }
    specs[#specs + 1] = { 3, { cut = "slot" } }
    -- one worker, and three: subnets side by side on the workers when there
    -- are at least twice as many subnets as workers, else each subnet's
    -- searches spread over them (both on every machine)
    local workers = xnet.limits().workers
    for _, sp in ipairs(specs) do
      sp[2].warn = false
      xnet.limits{ paths = "igraph" }
      local b = ring_facts(n, sp[1], sp[2])
      for _, w in ipairs{ 1, 3 } do
        xnet.limits{ paths = "csr", workers = w }
        local a = ring_facts(n, sp[1], sp[2])
        xnet.limits{ workers = workers }
        for l = 1, math.max(#a, #b) do
          local x, y = a[l] or {}, b[l] or {}
          local same = x.gw == y.gw and x.d == y.d and x.c == y.c and x.size == y.size
                       and close(x.out, y.out) and close(x.inn, y.inn) and close(x.hop, y.hop)
          if not same then
            agree = false
            print("differs:", case.w.planes, case.w.sats, tostring(sp[2].cut), l - 1, x.gw, y.gw,
                  x.out, y.out, x.d, y.d)
          end
          compared = compared + 1
        end
      end
    end
  end
  t.check(agree and compared > 200, "rings on the path kernel and on igraph agree ("
          .. compared .. " subnets)")
end

-- Subnets whose members cannot all reach one another (no links across planes
-- here) cost +inf from every member: the gateway is the lowest id, as the full
-- table's tie rule gives; and a memory limit met inside the workers' searches
-- is reported as such (it once crashed, and once read "a worker failed").
do
  local n = xnet.network(xnet.walker{ planes = 4, sats = 16 },
                         { snapshots = 3, cross_plane_max_lat_deg = 0 })
  local r = xnet.ring(n, { { 17, 16, 1, 0 }, { 34, 50, 33, 2 } }, { warn = false })
  t.check(r:gateway(0) == 0 and r:gateway(1) == 2, "all-inf subnets: lowest id, got "
          .. r:gateway(0) .. ", " .. r:gateway(1))
  local big = xnet.network(xnet.walker{ planes = 20, sats = 20 }, { snapshots = 4 })
  xnet.ring(big, 8, { warn = false }) -- the mean graph built under no limit
  local limit = xnet.limits().memory_mb
  for _, mb in ipairs{ 0.02, 0.04 } do
    xnet.limits{ memory_mb = mb }
    local ok, err = pcall(xnet.ring, big, 8, { warn = false, cut = "plane" })
    xnet.limits{ memory_mb = limit }
    t.check(not ok and tostring(err):find("over the memory limit", 1, true), tostring(err))
  end
end

-- Errors
t.check_error("cut must be 'slot', 'plane' or 'auto', got 'band'", xnet.ring, net, 32, { cut = "band" })
t.check_error("cut (planes per band) 34 out of range [1, 34)", xnet.ring, net, 32, { cut = 34 })
t.check_error("gateway must be 'medoid' or 'index', got 'centre'", xnet.ring, net, 32,
              { gateway = "centre" })
t.check_error("cut is for a layer count", xnet.ring, net, { { 0, 1 } }, { cut = "slot" })
t.check_error("either gateways (a list) or gateway (a rule)", xnet.ring, net, { { 0, 1 } },
              { gateways = { 0 }, gateway = "index" })
t.check_error("option 'warn' must be a boolean", xnet.ring, net, 32, { warn = 1 })

t.done()
