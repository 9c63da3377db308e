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

-- NaN in every option of every documented function, and in the numeric
-- arguments: an error naming the option, "nan" never "-nan", raised at the
-- caller (no location inside spacexnet's own modules, no Lua runtime error).
do
  local doc = require "xnet.doc"
  local tmp = t.tmpdir()
  local m2 = xnet.model("llama-moe-3.5b", { layers = 2 })
  local prof2 = xnet.profile.uniform(m2)
  local set = xnet.tle(w:tle())
  local rows = { { x = 1, y = 2 } }
  local function with(o, fields)
    for k, v in pairs(fields) do if o[k] == nil then o[k] = v end end
    return o
  end
  local calls = {
    ["xnet.walker"] = function(o) return xnet.walker(o) end,
    ["con:tle"] = function(o) return w:tle(o) end,
    ["set:shell"] = function(o) return set:shell(with(o, { planes = 6 })) end,
    ["xnet.ground"] = function(o) o[1] = site; return xnet.ground(o) end,
    ["xnet.network"] = function(o) return xnet.network(w, with(o, { snapshots = 2 })) end,
    ["row:mean"] = function(o) return net:latency(0, 0):mean(o) end,
    ["xnet.profile.zipf"] = function(o) return xnet.profile.zipf(m2, 1, o) end,
    ["xnet.profile.dirichlet"] = function(o) return xnet.profile.dirichlet(m2, 1, o) end,
    ["xnet.profile.table"] = function(o)
      local weights = {}
      for l = 1, 2 do weights[l] = { 1, 1, 1, 1, 1, 1, 1, 1 } end
      return xnet.profile.table(m2, weights, o)
    end,
    ["xnet.ring"] = function(o) return xnet.ring(net, 2, o) end,
    ["xnet.place.expected"] = function(o) return xnet.place.expected(net, ring, o) end,
    ["xnet.plan.load"] = function(o)
      assert(plan:save(tmp .. "/plan.csv"))
      return xnet.plan.load(tmp .. "/plan.csv", o)
    end,
    ["xnet.plan.new"] = function(o)
      return xnet.plan.new(with(o, { satellites = 360, gateways = { 0, 1 },
                                     experts = { { 2, 3 }, { 4, 5 } } }))
    end,
    ["xnet.place.repair"] = function(o) return xnet.place.repair(net, ring, plan, prof, o) end,
    ["xnet.place.replicate"] = function(o)
      if o.replicas == nil and o.bytes == nil then o.replicas = 1 end
      return xnet.place.replicate(net, ring, plan, prof, o)
    end,
    ["xnet.evaluate"] = function(o) return xnet.evaluate(net, plan, prof, with(o, { tokens = 100 })) end,
    ["xnet.serve"] = function(o)
      if o.streams == nil and o.rate_tokens_s == nil then o.streams = 2 end
      return xnet.serve(net, plan, prof, with(o, { duration_s = 1 }))
    end,
    ["xnet.fail"] = function(o)
      if o.satellites == nil and o.rate == nil then o.rate = 0.1 end
      return xnet.fail(net, o)
    end,
    ["xnet.write_file"] = function(o) return xnet.write_file(tmp .. "/f", "x", o) end,
    ["xnet.limits"] = function(o)
      local saved = xnet.limits()
      local ok, err = pcall(xnet.limits, o)
      xnet.limits { memory_mb = saved.memory_mb, workers = saved.workers, paths = saved.paths,
                    snapshot_cache_mb = saved.snapshot_cache_mb }
      if not ok then error(err, 0) end
    end,
    ["xnet.study"] = function(o)
      return xnet.study(with(o, { name = "x", grid = { a = { 1 } }, run = print }))
    end,
    ["xnet.plot.aggregate"] = function(o)
      return require("xnet.plot").aggregate(with(o, { data = rows, x = "x", y = "y" }))
    end,
    ["xnet.json.encode"] = function(o) return require("xnet.json").encode({}, o) end,
    ["xnet.json.decode"] = function(o) return require("xnet.json").decode("{}", o) end,
  }
  for _, kind in ipairs { "lines", "bars" } do
    calls["xnet.plot." .. kind] = function(o)
      return xnet.plot[kind](with(o, { data = rows, x = "x", y = "y", out = tmp .. "/p" }))
    end
  end
  calls["xnet.plot.map"] = function(o)
    return xnet.plot.map(with(o, { net = net, ring = ring, out = tmp .. "/map" }))
  end
  for _, name in ipairs(xnet.place.methods()) do
    calls["xnet.place." .. name] = function(o) return xnet.place[name](net, ring, prof, o) end
  end
  local function clear(err)
    err = tostring(err)
    return not err:find("-nan", 1, true) and not err:find("lua/xnet/", 1, true)
           and not err:find("attempt to", 1, true) and not err:find("bad argument #1 to 'for", 1, true)
  end
  local uncovered, quiet, unclear, options = {}, {}, {}, 0
  for _, e in ipairs(doc.entries) do
    if e.options and #e.options > 0 then
      local call = calls[e.name]
      if not call then uncovered[#uncovered + 1] = e.name end
      for _, opt in ipairs(call and e.options or {}) do
        local name = opt[1]:match("^[%w_]+")
        local ok, err = pcall(call, { [name] = nan })
        options = options + 1
        if ok then
          quiet[#quiet + 1] = e.name .. " " .. name
        elseif not clear(err) or not tostring(err):find(name, 1, true) then
          unclear[#unclear + 1] = e.name .. " " .. name .. ": " .. tostring(err)
        end
      end
    end
  end
  t.check(#uncovered == 0, "documented functions with options this test does not call: "
          .. table.concat(uncovered, ", "))
  t.check(options > 150 and #quiet == 0, options .. " options; NaN accepted by: "
          .. table.concat(quiet, ", "))
  t.check(#unclear == 0, "unclear messages for NaN:\n" .. table.concat(unclear, "\n"))

  -- numeric arguments
  local con = net:constellation()
  local positional = {
    { "layers", xnet.ring, net, nan }, { "exponent", xnet.profile.zipf, m2, nan },
    { "alpha", xnet.profile.dirichlet, m2, nan }, { "seconds", xnet.sleep, nan },
    { "snapshot", net.latency, net, 0, nan }, { "src", net.latency, net, nan, 0 },
    { "snapshot", net.time, net, nan }, { "snapshot", net.links, net, nan },
    { "id", con.position, con, nan, 0 }, { "t", con.position, con, 0, nan },
    { "l", plan.gateway, plan, nan }, { "e", plan.satellite, plan, 0, nan },
    { "profile name", require("xnet.paper").profile, m2, nan },
    { "method name", xnet.place.method, nan }, { "constellation name", xnet.constellation, nan },
    { "time stamp", report.timestamp, nan }, { "study seed", require("xnet.study").derive, nan, "k", 1 },
  }
  for _, c in ipairs(positional) do
    local ok, err = pcall(table.unpack(c, 2))
    t.check(not ok and clear(err) and tostring(err):find("nan", 1, true), c[1] .. ": "
            .. tostring(err))
  end
  t.rmtree(tmp)
end

t.done()
