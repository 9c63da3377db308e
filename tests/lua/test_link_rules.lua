-- Link rules beyond +Grid: the polar cut-off of cross-plane links against a
-- brute-force count, the user's links and per-snapshot rule, their counts,
-- and the error paths.
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local t = require "harness"
local xnet = require "xnet"

local con = xnet.walker()   -- the paper's 33 x 32 star
local plain = xnet.network(con, { snapshots = 3 })
local l0 = plain:links(0)
t.check(l0.latitude == 0 and l0.user == 0, "no policy rule by default")
t.check(plain:params().cross_plane_max_lat_deg == math.huge)

-- Cut-off at 60 deg: every cross-plane link with an end above 60 deg goes,
-- and is charged to the latitude rule first.
local cut = xnet.network(con, { snapshots = 3, cross_plane_max_lat_deg = 60 })
local P, S = con.planes, con.sats
for snap = 0, 2 do
  local time = cut:time(snap)
  local function lat(id)
    local x, y, z = con:position(id, time)
    return math.deg(math.asin(math.abs(z) / math.sqrt(x * x + y * y + z * z)))
  end
  local want = 0
  for p = 0, P - 2 do
    for s = 0, S - 1 do
      if lat(p * S + s) > 60 or lat((p + 1) * S + s) > 60 then want = want + 1 end
    end
  end
  local c = cut:links(snap)
  t.check(c.latitude == want and want > 0, string.format("snapshot %d: %d cut, brute force %d",
                                                         snap, c.latitude, want))
  t.check(c.blocked + c.tracking + c.range + c.outage + c.latitude + c.user + c.active == c.total)
  -- No active edge crosses planes above the cut-off.
  local bad = 0
  for _, e in ipairs(cut:edges(snap)) do
    if e[1] // S ~= e[2] // S and (lat(e[1]) > 60 or lat(e[2]) > 60) then bad = bad + 1 end
  end
  t.check(bad == 0, "no active cross-plane edge above 60 deg")
end
t.check(xnet.network(con, { snapshots = 1, cross_plane_max_lat_deg = 90 }):links(0).latitude == 0)

-- The user's links: any pairs, still checked for line of sight and range.
local x0, y0, z0 = con:position(0, 0)
local far, best = nil, math.huge
for id = 1, #con - 1 do   -- the satellite closest to antipodal to satellite 0
  local x, y, z = con:position(id, 0)
  local dot = x * x0 + y * y0 + z * z0
  if dot < best then far, best = id, dot end
end
-- {0, 99}: plane 3's slot 0, 1974 km away at t = 0; the in-plane {0, 1} is 1357 km.
local own = xnet.network(con, { snapshots = 2, survival = 1, max_range_km = 1500,
                                links = { { 0, 1 }, { 0, far }, { 0, 99 } } })
local c = own:links(0)
t.check(c.total == 3 and c.active == 1 and c.blocked == 1 and c.range == 1,
        "an antipodal link is blocked, a long one out of range")
t.check(#own:edges(0) == 1 and own:edges(0)[1][2] == 1)

-- A rule per pair and snapshot: off in even snapshots.
local calls = 0
local ruled = xnet.network(con, { snapshots = 4, link_rule = function(a, b, snap, time_s)
  calls = calls + 1
  assert(a ~= b and time_s == snap * con:period() / 4)
  return snap % 2 == 1
end })
t.check(calls == 4 * 2080, "called once per candidate and snapshot")
t.check(ruled:links(0).user == 2080 and ruled:links(0).active == 0)
t.check(ruled:links(1).user == 0 and ruled:links(1).active == plain:links(1).active)
-- Rules combine: with the cut-off too, the latitude rule is charged first.
local both = xnet.network(con, { snapshots = 2, cross_plane_max_lat_deg = 60,
                                 link_rule = function() return false end })
t.check(both:links(0).latitude == cut:links(0).latitude
        and both:links(0).user == 2080 - cut:links(0).latitude)

-- The paper's setup passes the cut-off through (experiments/paper_polar_cutoff.lua).
local paper = require "xnet.paper"
t.check(paper.setup{ snapshots = 2, cross_plane_max_lat_deg = 60 }.net:params()
          .cross_plane_max_lat_deg == 60)

-- Bad input.
t.check_error("cross_plane_max_lat_deg must be >= 0", xnet.network, con,
              { cross_plane_max_lat_deg = -1 })
t.check_error("link 0 (0, 0): ends must be two different satellites in [0, 1056)", xnet.network,
              con, { links = { { 0, 0 } } })
t.check_error("link 0 (0, 5000): ends must be", xnet.network, con, { links = { { 0, 5000 } } })
t.check_error("link 2 must be a pair {a, b}", xnet.network, con, { links = { { 0, 1 }, 7 } })
t.check_error("option 'links' must hold 1 to", xnet.network, con, { links = {} })
t.check_error("option 'link_rule' must be a function", xnet.network, con, { link_rule = true })
t.check_error("rule failed", xnet.network, con, { snapshots = 1,
              link_rule = function() error("rule failed") end })
t.done()
