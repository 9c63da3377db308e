-- xnet: the public facade over the C kernel (xnet.core) and the Lua policy
-- modules. Satellite ids, snapshots, layers and experts are 0-based everywhere.
local core = require "xnet.core"
local util = require "xnet.util"

local xnet = {}
for k, v in pairs(core) do
  xnet[k] = v
end
xnet.model_from_table = nil

-- Registered as modules too, so argument errors name the function in full
-- ("bad argument #1 to 'xnet.profile.uniform'") and require "xnet.place" works.
for _, name in ipairs{ "profile", "place", "plan" } do
  package.loaded["xnet." .. name] = xnet[name]
end

-- Names that stand for a catalogue entry.
local model_aliases = { ["llama-moe-3.5b"] = "llama-moe-3.5b-2of8" }

-- The catalogue's model names (lib/models/*.lua), sorted.
local function catalogue_names()
  local names = {}
  for _, file in ipairs(core.list_dir(xnet.root .. "/lib/models") or {}) do
    names[#names + 1] = file:match("^(.+)%.lua$")
  end
  table.sort(names)
  return names
end

-- The names xnet.model accepts: the catalogue and the aliases.
local function model_names()
  local names = catalogue_names()
  for alias in pairs(model_aliases) do names[#names + 1] = alias end
  table.sort(names)
  return names
end

-- The fields of catalogue entry name, or nil, "unknown" | "path: reason".
local function catalogue_entry(name)
  local path = xnet.root .. "/lib/models/" .. name .. ".lua"
  local chunk, err = loadfile(path, "t", {})
  if not chunk then
    if err:find("No such file", 1, true) or err:find("cannot open", 1, true) then
      return nil, "unknown"
    end
    return nil, err
  end
  local ok, t = pcall(chunk)
  if not ok or type(t) ~= "table" then
    return nil, string.format("%s: must return a table of model fields", path)
  end
  return t
end

-- xnet.model(name) loads lib/models/<name>.lua; xnet.model{...} builds one
-- from a table (unknown or missing fields raise); xnet.model(name, overrides)
-- loads one and changes some fields (for sensitivity studies).
function xnet.model(spec, overrides)
  if type(spec) == "string" then
    local name = model_aliases[spec] or spec
    if not name:match("^[%w%._%-]+$") then
      error(string.format("model name must be letters, digits, '.', '_' or '-', got '%s'", spec), 2)
    end
    local t, err = catalogue_entry(name)
    if not t then
      if err == "unknown" then
        error(core.unknown_name("model", spec, model_names()), 2)
      end
      error(err, 2)
    end
    spec = t
  elseif getmetatable(spec) and getmetatable(spec).__name == "xnet.Model" then
    spec = spec:fields()
  elseif type(spec) ~= "table" then
    error("xnet.model expects a model name or a table of fields, got " .. type(spec), 2)
  end
  if overrides ~= nil then
    if type(overrides) ~= "table" then
      error("xnet.model overrides must be a table, got " .. type(overrides), 2)
    end
    local t = util.copy(spec)
    for k, v in pairs(overrides) do t[k] = v end
    spec = t
  end
  -- Report a bad field at the caller's line, not at this wrapper's.
  local ok, model = pcall(core.model_from_table, spec)
  if not ok then error(tostring(model):gsub("^[^:]*:%d+: ", ""), 2) end
  return model
end

-- xnet.models() -> the list of catalogue names; tostring (and the REPL) shows
-- one line per model.
function xnet.models()
  local lines, names = {}, catalogue_names()
  for _, name in ipairs(names) do
    local m = xnet.model(name)
    local extra = {}
    if m.dense_layers > 0 then extra[#extra + 1] = string.format("+%d dense", m.dense_layers) end
    if m.shared_experts > 0 then
      extra[#extra + 1] = string.format("+%d shared", m.shared_experts)
    end
    lines[#lines + 1] = string.format(
      "%-22s %3d MoE layers, %3d experts, top-%-2d %-18s hidden %4d, %s, expert %6.1f MB, "
        .. "%6.2f ms/expert, %6.2f ms at the gateway",
      name, m.layers, m.experts, m.top_k, table.concat(extra, " "), m.hidden,
      m.attention:upper(), m.expert_bytes / 1e6, m.expert_s * 1e3, m.gateway_s * 1e3)
  end
  local text = table.concat(lines, "\n")
  return setmetatable(names, { __tostring = function() return text end })
end

-- The constellation catalogue (lib/constellations/): xnet.constellations()
-- lists it, xnet.constellation(name[, shell]) loads an entry or one shell.
local catalogue = require "xnet.constellations"
function xnet.constellations() return catalogue.list(xnet) end
function xnet.constellation(name, shell, opts) return catalogue.load(xnet, name, shell, opts) end

-- One calling convention for placements, xnet.place.<method>(net, ring,
-- profile, opts), and methods registered from Lua (lua/xnet/place_methods.lua).
require("xnet.place_methods").install(xnet.place)
-- Satellite failures and the repair of plans (lua/xnet/failures.lua).
require("xnet.failures").install(xnet)

-- xnet.evaluate (src/l_latency.c), with the seeds of both outage draws in the
-- result: outage_seed (the network's: what the plan is scored on) and
-- placement_seed (what it was placed on: a seed, "in-sample", or absent for
-- a plan that did not look at outages).
local placement_of = require("xnet.place_methods").placement_of
function xnet.evaluate(net, plan, prof, o)
  local ok, r = pcall(core.evaluate, net, plan, prof, o)
  if not ok then error(tostring(r):gsub("^[^:]*:%d+: ", ""), 2) end
  r.outage_seed = net:params().seed
  r.placement_seed = placement_of(plan)
  return r
end

-- xnet.ring_warning(ring) -> a message when some subnet is not connected by
-- its own links or some gateway-to-gateway hop is more than three times the
-- median hop (either makes a few layers far slower than the rest), else nil.
local HOP_WARN_RATIO = 3
function xnet.ring_warning(ring)
  local mt = type(ring) == "userdata" and getmetatable(ring)
  if not (mt and mt.__name == "xnet.Ring") then
    error("bad argument #1 to 'xnet.ring_warning' (xnet.Ring expected, got "
          .. (mt and tostring(mt.__name) or type(ring)) .. ")", 2)
  end
  local st, hops, scattered = ring:stats(), {}, {}
  for l = 0, #ring - 1 do
    if not st[l].contiguous then scattered[#scattered + 1] = l end
    hops[#hops + 1] = st[l].gateway_hop_s
  end
  table.sort(hops)
  local n = #hops
  local median = n % 2 == 1 and hops[(n + 1) // 2] or (hops[n // 2] + hops[n // 2 + 1]) / 2
  local msgs = {}
  if #scattered > 0 then
    msgs[#msgs + 1] = string.format("%d subnets are not connected by their own links (first: %d)",
                                    #scattered, scattered[1])
  end
  if hops[n] > HOP_WARN_RATIO * median then
    msgs[#msgs + 1] = string.format("the longest gateway-to-gateway hop (%.1f ms) is %.1f times "
                                    .. "the median (%.1f ms)", hops[n] * 1e3, hops[n] / median,
                                    median * 1e3)
  end
  if #msgs > 0 then
    return table.concat(msgs, "; ") .. " (ring:stats() has the details; try another cut)"
  end
end

-- xnet.ring(net, layers | subnets, options) -> Ring (src/l_placement.c); a
-- ring that xnet.ring_warning finds fault with says so on stderr, once, when
-- it is made. options.warn = false keeps it quiet.
function xnet.ring(net, spec, options)
  local warn = true
  if type(options) == "table" and options.warn ~= nil then
    if type(options.warn) ~= "boolean" then
      error("option 'warn' must be a boolean, got " .. type(options.warn), 2)
    end
    warn = options.warn
    local copy = {}
    for k, v in pairs(options) do if k ~= "warn" then copy[k] = v end end
    options = copy
  end
  local ok, ring = pcall(core.ring, net, spec, options)
  if not ok then error(tostring(ring):gsub("^[^:]*:%d+: ", ""), 2) end
  local msg = warn and xnet.ring_warning(ring)
  if msg then io.stderr:write("spacexnet: warning: xnet.ring: ", msg, "\n") end
  return ring
end

-- Experiment scripts call xnet.strict() to turn reads and writes of
-- undeclared globals into errors (a typo should not silently read nil).
-- Study files get the same rule without asking (xnet.study.load).
function xnet.strict()
  setmetatable(_G, util.strict())
end

-- Studies (parameter sweeps that resume, shard and merge) and their plots.
-- The study runner's internals stay in require "xnet.study"; the public face
-- is the constructor: xnet.study{ name =, grid =, repeats =, seed =, run = }.
local study = require "xnet.study"
xnet.study = function(spec) return study.new(spec) end
local plot = require "xnet.plot"
xnet.plot = { lines = plot.lines, bars = plot.bars, map = plot.map }

-- xnet.export(value, path): CSV or JSON (lua/xnet/export.lua).
xnet.export = require("xnet.export").write

-- help(), help(xnet.evaluate), help "evaluate": the reference in lua/xnet/doc.lua.
function xnet.help(x)
  return require("xnet.doc").help(x)
end

setmetatable(xnet, {
  __name = "xnet",
  __tostring = function()
    return string.format("xnet %s (%s, %s, igraph %s): help() lists the modules", core.version,
                         core.revision, core.lua_version, core.igraph_version)
  end,
})

return xnet
