-- Messages a user reads: NaN spelled "nan", options named, and inputs that
-- were once accepted quietly (a second argument to xnet.ground, duplicate
-- terminal names, duplicate links, a link rule that returns a number) refused.
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local t = require "harness"
local xnet = require "xnet"
local report = require "xnet.report"

local nan = 0 / 0
local m = xnet.model "llama-moe-3.5b"

-- NaN is "nan" in kernel messages and in binding messages alike, never "-nan".
local function nan_message(f, ...)
  local ok, err = pcall(f, ...)
  t.check(not ok and err:find("got nan", 1, true) and not err:find("-nan", 1, true), err)
end
nan_message(xnet.walker, { altitude_km = nan })
nan_message(xnet.profile.zipf, m, nan)
nan_message(xnet.walker, { planes = nan })
nan_message(xnet.network, xnet.walker {}, { horizon_s = nan })

-- Markdown leaves a missing value as "-", the way the README's tables do.
local md = report.markdown({ { city = "A", s = 1.5 }, { city = "B", s = nan } }, { "city", "s" })
t.check(md:find("| B    |   - |", 1, true) and not md:find("nan", 1, true), md)

-- xnet.ground: one table; options beside the terminals; names differ.
local site = { name = "a", lat_deg = 0, lon_deg = 0 }
t.check_error("xnet.ground takes one table, got 2 arguments", xnet.ground, { site },
              { min_elevation_deg = 95 })
t.check_error("min_elevation_deg must be in [0, 90), got 95", xnet.ground,
              { site, min_elevation_deg = 95 })
t.check_error("terminal 2: duplicate name 'a'", xnet.ground,
              { site, { name = "a", lat_deg = 1, lon_deg = 1 } })
local g = xnet.ground { site, { name = "b", lat_deg = 1, lon_deg = 1 }, min_elevation_deg = 10 }
t.check(g.a.min_elevation_deg == 10 and g.b == g[2], "two terminals, the option applied")

-- A model's hidden size is checked before head_dim is derived from it.
t.check_error("hidden must be in [1, 1000000], got -1", xnet.model, "llama-moe-3.5b",
              { hidden = -1 })

-- evaluate's user option is named when it is not a Terminal.
local w = xnet.walker { planes = 6, sats = 60 }
local net = xnet.network(w, { snapshots = 2 })
local ring = xnet.ring(net, 2)
local prof = xnet.profile.uniform(xnet.model("llama-moe-3.5b", { layers = 2 }))
local plan = xnet.place.randplace(net, ring, prof)
t.check_error("option 'user' must be a Terminal (from xnet.ground), got string", xnet.evaluate,
              net, plan, prof, { user = "Madrid" })

-- A link rule answers true or false; anything else is an error, not "true".
t.check_error("link_rule must return true or false, got number for link", xnet.network, w,
              { snapshots = 1, link_rule = function() return 5 end })
t.check_error("link_rule must return true or false, got nil", xnet.network, w,
              { snapshots = 1, link_rule = function() end })
t.check(xnet.network(w, { snapshots = 1, link_rule = function(a) return a ~= 0 end }),
        "a boolean rule is accepted")

-- A pair of satellites has one link, in either order (three links: a network in pieces).
warn("@off")
t.check_error("link 1 (1, 0) repeats link 0 (0, 1)", xnet.network, w,
              { snapshots = 1, links = { { 0, 1 }, { 1, 0 } } })
t.check_error("link 2 (2, 3) repeats link 1 (2, 3)", xnet.network, w,
              { snapshots = 1, links = { { 0, 1 }, { 2, 3 }, { 2, 3 } } })
t.check(xnet.network(w, { snapshots = 1, links = { { 0, 1 }, { 1, 2 }, { 0, 2 } } }),
        "distinct pairs are accepted")

t.done()
