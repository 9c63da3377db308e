-- Placement methods under one calling convention:
--
--     xnet.place.<method>(net, ring, profile, opts) -> Plan[, extra]
--
-- for the built-in methods (the model comes from the profile) and for methods
-- you register from Lua, which are then accepted wherever a method name is
-- (xnet.place.method(name), the paper module, studies, the paper's table).
-- Every method accepts `seed` and `variant` (a method that does not use one
-- ignores it); other options are checked by name.
local core = require "xnet.core"
local util = require "xnet.util"

local place = {}
-- The kernel's functions, copied before install() puts the wrappers in
-- their place (core.place is the table xnet.place).
local builtin = {}
for k, v in pairs(core.place) do builtin[k] = v end
local installed = {}

local function is(v, mt)
  local m = getmetatable(v)
  return type(m) == "table" and m.__name == mt
end

-- The model behind a profile (or a model given directly, the older form).
local function model_of(prof, name)
  if is(prof, "xnet.Profile") then return prof:model() end
  if is(prof, "xnet.Model") then return prof end
  error(string.format("bad argument #3 to 'xnet.place.%s' (Profile expected, got %s)", name,
                      type(prof)), 3)
end

-- Options: the common ones, the method's own; others raise naming the method.
local COMMON = { "seed", "variant" }
local function options(name, o, own)
  if o == nil then return {} end
  if type(o) ~= "table" then
    error(string.format("bad argument #4 to 'xnet.place.%s' (options table expected, got %s)",
                        name, type(o)), 3)
  end
  local allowed = {}
  for _, k in ipairs(COMMON) do allowed[#allowed + 1] = k end
  for _, k in ipairs(own) do allowed[#allowed + 1] = k end
  local ok = {}
  for _, k in ipairs(allowed) do ok[k] = true end
  for k in pairs(o) do
    if not ok[k] then
      table.sort(allowed)
      error(core.unknown_name("option", tostring(k), allowed, "xnet.place." .. name), 3)
    end
  end
  return o
end

-- Several experts per satellite (docs/model.md section 8).
local HOSTING = { "memory_bytes", "parallel_experts", "gateway_hosts" }

-- Call a kernel function; its errors name the caller's line, not this file's.
local function call(fn, ...)
  local ok, a, b = pcall(fn, ...)
  if not ok then error((tostring(a):gsub("^[^:]*:%d+: ", "")), 3) end
  return a, b
end

local function pick(o, keys)
  local out = {}
  for _, k in ipairs(keys) do out[k] = o[k] end
  return out
end

-- name -> { about =, fn = function(net, ring, prof, opts) }, in listing order.
local methods, order = {}, {}

local function define(name, about, fn)
  methods[name] = { about = about, fn = fn }
  order[#order + 1] = name
end

-- Placements that look at outages do so on their own draws: a network with
-- the same constellation and rules and the outage seed placement_seed
-- (default: the network's seed + 1), so the draws a plan is evaluated on
-- are not the ones it was chosen on. in_sample = true places on the
-- network's own draws. The placement networks are kept, one per network and
-- seed, while the network lives. Which draws placed a plan is recorded
-- (place.placement_of) and xnet.evaluate reports it.
local placement_nets = setmetatable({}, { __mode = "k" })
local placed_on = setmetatable({}, { __mode = "k" })

local function placement_network(name, net, o)
  if not is(net, "xnet.Network") then return net, nil end -- the kernel names the error
  if o.in_sample ~= nil and type(o.in_sample) ~= "boolean" then
    error(string.format("option 'in_sample' of xnet.place.%s must be a boolean, got %s", name,
                        type(o.in_sample)), 4)
  end
  if o.in_sample then
    if o.placement_seed ~= nil then
      error(string.format("xnet.place.%s: give placement_seed or in_sample, not both", name), 4)
    end
    return net, "in-sample"
  end
  local params = net:params()
  local seed = o.placement_seed
  if seed == nil then
    seed = params.seed + 1
  elseif math.type(seed) ~= "integer" or seed < 0 then
    error(string.format("placement_seed must be an integer >= 0, got %s", util.describe(seed)), 4)
  end
  if params.survival == 1 then return net, seed end -- no link can fail: the same network
  local per = placement_nets[net]
  if not per then per = {}; placement_nets[net] = per end
  if not per[seed] then per[seed] = net:reseed(seed) end
  return per[seed], seed
end

local function place_on_own_draws(name, fn)
  return function(net, ring, prof, o)
    local pnet, seed = placement_network(name, net, o)
    local plan, extra = fn(pnet, ring, prof)
    placed_on[plan] = seed
    return plan, extra
  end
end

-- place.placement_of(plan) -> the outage seed the plan was placed on,
-- "in-sample", or nil for a plan placed without looking at outages.
function place.placement_of(plan) return placed_on[plan] end

-- A target load (docs/model.md section 12): { rate_tokens_s = x } goes to
-- the kernel as it is; { streams = N } becomes the throughput the queueing
-- approximation gives N streams on the plan, iterated three times from the
-- latency-only plan (a better plan serves the streams faster, which loads
-- it more). place(load) places with that load (nil: none).
local function with_load(name, net, prof, o, place)
  local load = o.load
  if load == nil then return place(nil) end
  if type(load) ~= "table" then
    error(string.format("option 'load' of xnet.place.%s must be a table { rate_tokens_s = x } "
                        .. "or { streams = N }, got %s", name, type(load)), 4)
  end
  for k in pairs(load) do
    if k ~= "streams" and k ~= "rate_tokens_s" then
      error(core.unknown_name("option", tostring(k), { "rate_tokens_s", "streams" },
                              "load of xnet.place." .. name), 4)
    end
  end
  if (load.streams == nil) == (load.rate_tokens_s == nil) then
    error(string.format("xnet.place.%s: load takes exactly one of streams and rate_tokens_s",
                        name), 4)
  end
  if load.rate_tokens_s ~= nil then return place({ rate_tokens_s = load.rate_tokens_s }) end
  local n = load.streams
  if math.type(n) ~= "integer" or n < 1 then
    error(string.format("load.streams must be an integer >= 1, got %s", tostring(n)), 4)
  end
  local plan, extra = place(nil)
  for _ = 1, 3 do
    local r = core.serve(net, plan, prof, { streams = n, method = "analytic",
                                            variant = o.variant, warmup_s = 0,
                                            duration_s = net:params().horizon_s })
    plan, extra = place({ rate_tokens_s = r.throughput or 0 })
  end
  return plan, extra
end

define("spacexnet", "The paper's sorted rule: frequent experts on the candidates with the lowest "
       .. "expected path latency.", function(net, ring, prof, o)
  o = options("spacexnet", o, { "placement_seed", "in_sample", "load", table.unpack(HOSTING) })
  return place_on_own_draws("spacexnet", function(pnet, r, p)
    return with_load("spacexnet", pnet, p, o, function(load)
      local opts = pick(o, { "variant", table.unpack(HOSTING) })
      opts.load = load
      return call(builtin.spacexnet, pnet, r, p, opts)
    end)
  end)(net, ring, prof, o)
end)
define("optimize", "The sorted rule improved by local search on the exact E[max over the "
       .. "activated set].", function(net, ring, prof, o)
  o = options("optimize", o, { "passes", "cut_penalty_s", "samples", "placement_seed",
                               "in_sample", "load", table.unpack(HOSTING) })
  return place_on_own_draws("optimize", function(pnet, r, p)
    return with_load("optimize", pnet, p, o, function(load)
      local opts = pick(o, { "variant", "passes", "cut_penalty_s", "samples", "seed",
                             table.unpack(HOSTING) })
      opts.load = load
      return call(builtin.optimize, pnet, r, p, opts)
    end)
  end)(net, ring, prof, o)
end)
define("randintra_cg", "Baseline: central gateways, experts random inside each subnet.",
       function(net, ring, prof, o)
  o = options("randintra_cg", o, HOSTING)
  return call(builtin.randintra_cg, net, ring, model_of(prof, "randintra_cg"), pick(o, { "seed", table.unpack(HOSTING) }))
end)
define("randintra", "Baseline: gateway and experts random inside each subnet.",
       function(net, ring, prof, o)
  o = options("randintra", o, HOSTING)
  return call(builtin.randintra, net, ring, model_of(prof, "randintra"), pick(o, { "seed", table.unpack(HOSTING) }))
end)
define("randplace", "Baseline: gateways and experts random over the whole constellation.",
       function(net, ring, prof, o)
  -- The older form randplace(net, model, opts) has no ring.
  if is(ring, "xnet.Model") or is(ring, "xnet.Profile") then
    ring, prof, o = nil, ring, prof
  end
  o = options("randplace", o, HOSTING)
  return call(builtin.randplace, net, model_of(prof, "randplace"), pick(o, { "seed", table.unpack(HOSTING) }))
end)
local BUILTIN = {}
for _, name in ipairs(order) do BUILTIN[name] = true end

-- replicate(net, ring, plan, prof, opts): extra copies of hot experts,
-- chosen on the placement's own outage draws like the methods above (the
-- plan keeps the draws it was placed on).
local function replicate(net, ring, plan, prof, o)
  if o ~= nil and type(o) ~= "table" then
    error("bad argument #5 to 'xnet.place.replicate' (options table expected, got " .. type(o)
          .. ")", 2)
  end
  o = o or {}
  local own = {}
  for k, v in pairs(o) do
    if k ~= "placement_seed" and k ~= "in_sample" then own[k] = v end
  end
  local pnet, seed = placement_network("replicate", net, o)
  local copied = call(builtin.replicate, pnet, ring, plan, prof, own)
  placed_on[copied] = seed
  return copied
end

-- place.method(name) -> the method's function; an unknown name raises,
-- listing the methods (with the nearest one).
function place.method(name)
  local m = methods[name]
  if not m then
    local shown = type(name) == "string" and name or util.describe(name)
    error(core.unknown_name("method", shown, place.methods()), 2)
  end
  return m.fn
end

-- place.methods() -> the names, built-in first, then registered ones in
-- registration order; printed, one line each.
function place.methods()
  local names, lines = {}, {}
  for _, name in ipairs(order) do
    names[#names + 1] = name
    lines[#lines + 1] = string.format("%-13s %s", name, methods[name].about)
  end
  local text = table.concat(lines, "\n")
  return setmetatable(names, { __tostring = function() return text end })
end

-- place.register(name, fn[, about]): fn(net, ring, profile, opts) must
-- return a Plan; it becomes xnet.place.<name> and a method name everywhere.
-- Registering a name again replaces your method; built-in names are refused.
function place.register(name, fn, about)
  if type(name) ~= "string" or not name:match("^[%a_][%w_]*$") then
    error("method name must be a Lua identifier, got " .. util.describe(name), 2)
  end
  if BUILTIN[name] or name == "method" or name == "methods" or name == "register"
     or name == "expected" or name == "replicate" then
    error(string.format("'%s' is a built-in name of xnet.place", name), 2)
  end
  if type(fn) ~= "function" then
    error("bad argument #2 to 'xnet.place.register' (function expected, got " .. type(fn) .. ")", 2)
  end
  if about ~= nil and type(about) ~= "string" then
    error("bad argument #3 to 'xnet.place.register' (string expected, got " .. type(about) .. ")", 2)
  end
  if not methods[name] then order[#order + 1] = name end
  methods[name] = {
    about = about or "registered from Lua",
    fn = function(net, ring, prof, o)
      local plan, extra = fn(net, ring, prof, o or {})
      if not is(plan, "xnet.Plan") then
        error(string.format("placement method '%s' returned %s, not a Plan", name, type(plan)), 2)
      end
      return plan, extra
    end,
  }
  installed[name] = methods[name].fn
end

-- Install into the xnet.place table (the same table require "xnet.place"
-- returns): every method by name, and the functions above. Methods
-- registered later appear there too.
function place.install(t)
  t.method, t.methods, t.register = place.method, place.methods, place.register
  t.replicate = replicate
  for _, name in ipairs(order) do t[name] = methods[name].fn end
  installed = t
  return t
end

return place
