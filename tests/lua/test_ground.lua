-- Ground terminals: visibility, access latency against geometry, the
-- end-to-end evaluation and its split, and every error path.
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local t = require "harness"
local xnet = require "xnet"

local c_km_s = 299792.458
local con = xnet.walker{ planes = 24, sats = 16, altitude_km = 550, inclination_deg = 53,
                         pattern = "delta", phasing = 1, epoch = "2026-06-01T00:00:00" }

-- A terminal right under satellite 5 sees it at the zenith, at its height.
local lat, lon, h = con:subpoint(5, 0)
local under = xnet.ground{ { name = "under", lat_deg = lat, lon_deg = lon } }[1]
local seen = under:visible(con, 0)
t.check(seen[1].id == 5, "the satellite overhead is the highest")
t.near(seen[1].elevation_deg, 90, 1e-6, "at the zenith")
t.near(seen[1].range_km, h, 1e-6, "range = height above the ellipsoid")
for i = 2, #seen do t.check(seen[i].elevation_deg >= 25 and seen[i].elevation_deg <= seen[i - 1].elevation_deg) end

-- Its access latency is altitude / c when the satellite is the gateway and
-- messages cost nothing to send (bits = 0, no processing).
local net = xnet.network(con, { snapshots = 4, bits = 0, survival = 1 })
local up, down, up_sat, down_sat = under:access(net, 0, 5)
t.near(up, h / c_km_s, 1e-12, "uplink = altitude / c")
t.near(down, h / c_km_s, 1e-12, "downlink = altitude / c")
t.check(up_sat == 5 and down_sat == 5)
-- Elsewhere the access adds the route from the satellite to the gateway.
local up2, _, sat2 = under:access(net, 0, 40)
t.near(up2, h / c_km_s + net:latency(5, 0)[40], 1e-12, "uplink + route to the gateway")
t.check(sat2 == 5)

-- A ground hop costs bits / rate + processing as well.
local net2 = xnet.network(con, { snapshots = 4, bits = 1e6, survival = 1 })
local slow = xnet.ground{ { name = "slow", lat_deg = lat, lon_deg = lon }, rate_bps = 1e8,
                          proc_s = 0.002 }[1]
t.near((slow:access(net2, 0, 5)), h / c_km_s + 1e6 / 1e8 + 0.002, 1e-12)

-- The least-latency policy never does worse than the highest satellite.
local city = xnet.ground{ { name = "Madrid", lat_deg = 40.4, lon_deg = -3.7, alt_m = 650 } }
local fast = xnet.ground{ { name = "Madrid", lat_deg = 40.4, lon_deg = -3.7, alt_m = 650 },
                          policy = "latency" }
local worse = 0
for snap = 0, 3 do
  local a = city.Madrid:access(net, snap, 77)
  local b = fast.Madrid:access(net, snap, 77)
  if b > a + 1e-15 then worse = worse + 1 end
end
t.check(worse == 0, "least latency <= highest elevation")

-- End to end: access + ring + compute = the token's latency.
local m = xnet.model "llama-moe-3.5b"
local prof = xnet.profile.zipf(m, 1.0, { seed = 3 })
local full = xnet.network(con, { snapshots = 8, seed = 2 })
local ring = xnet.ring(full, m.layers)
local plan = xnet.place.spacexnet(full, ring, prof)
local alone = xnet.evaluate(full, plan, prof, { tokens = 4000, seed = 5 })
local user = xnet.evaluate(full, plan, prof, { tokens = 4000, seed = 5, user = city.Madrid })
t.check(user.user == "Madrid" and user.access > 0)
t.near(user.access + user.ring + user.compute, user.delivered_mean, 1e-12, "the split adds up")
t.near(user.compute, m.layers * (m.gateway_s + m.expert_s) + m.head_s, 1e-15)
t.near(user.exact_delivered, user.exact_access + user.exact_ring + user.compute, 1e-12)
t.check(user.mean > alone.mean and user.undelivered >= alone.undelivered)
local one = xnet.evaluate(full, plan, prof, { tokens = 1000, snapshot = 2, user = city.Madrid })
local up_s, down_s = city.Madrid:access(full, 2, plan:gateway(0))
t.near(one.access, up_s + down_s, 1e-12, "variant A: up to and down from layer 0's gateway")

-- A terminal that sees nothing: every token undelivered, no number.
local low = xnet.walker{ planes = 24, sats = 16, inclination_deg = 20, altitude_km = 550 }
local lnet = xnet.network(low, { snapshots = 4 })
local lring = xnet.ring(lnet, m.layers)
local lplan = xnet.place.spacexnet(lnet, lring, prof)
local pole = xnet.ground{ { name = "Alert", lat_deg = 82.5, lon_deg = -62.3 } }.Alert
t.check(#pole:visible(low, 0) == 0)
local none = xnet.evaluate(lnet, lplan, prof, { tokens = 100, user = pole })
t.check(none.undelivered == 1 and none.mean == nil and none.exact == nil and none.exact_undelivered == 1,
        "no visible satellite: undelivered, no mean")
t.check(math.huge == select(1, pole:access(lnet, 0, 0)) and select(3, pole:access(lnet, 0, 0)) == nil)

-- The map in Earth-fixed longitude: terminals marked, links drawn, coastlines.
local dir = t.tmpdir()
local m = xnet.plot.map{ net = full, ring = ring, plan = plan, out = dir .. "/map",
                         ground = city, links = true, gnuplot = false }
t.check(m.terminals == 1 and m.links > 0 and m.links <= #full:edges(0))
local dat = assert(xnet.read_file(dir .. "/map.dat"))
t.check(dat:find("\n%-3%.7000 40%.4000 Madrid\n") ~= nil, "Madrid at its longitude")
local have_world = io.open(require("xnet.plot").WORLD_OUTLINE) ~= nil
t.check(not have_world or m.coastlines ~= nil, "gnuplot's world outline when installed")
t.check_error("coastlines: cannot read '/nonexistent.dat'", xnet.plot.map,
              { net = full, ring = ring, out = dir .. "/m2", coastlines = "/nonexistent.dat",
                gnuplot = false })

-- Bad input.
t.check_error("terminal 'x': latitude must be in [-90, 90] deg, got 91", xnet.ground,
              { { name = "x", lat_deg = 91, lon_deg = 0 } })
t.check_error("terminal 'x': longitude must be in [-180, 360] deg, got 400", xnet.ground,
              { { name = "x", lat_deg = 0, lon_deg = 400 } })
t.check_error("min_elevation_deg must be in [0, 90), got 90", xnet.ground,
              { { name = "x", lat_deg = 0, lon_deg = 0 }, min_elevation_deg = 90 })
t.check_error("policy must be 'elevation' or 'latency', got 'nearest'", xnet.ground,
              { { name = "x", lat_deg = 0, lon_deg = 0 }, policy = "nearest" })
t.check_error("terminal 1 needs a name", xnet.ground, { { lat_deg = 0, lon_deg = 0 } })
t.check_error("terminal 'x' needs lat_deg and lon_deg", xnet.ground, { { name = "x" } })
t.check_error("unknown option 'min_elevation'", xnet.ground,
              { { name = "x", lat_deg = 0, lon_deg = 0 }, min_elevation = 10 })
t.check_error("xnet.ground needs at least one terminal", xnet.ground, {})
t.check_error("ground rate_bps must be > 0", xnet.ground,
              { { name = "x", lat_deg = 0, lon_deg = 0 }, rate_bps = 0 })
t.check_error("gateway", under.access, under, net, 0, 999)

t.done()
