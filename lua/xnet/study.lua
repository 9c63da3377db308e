-- Studies: a grid of independent points, each run `repeats` times with its
-- own seed. This module defines a study and its points; xnet.study_dir keeps
-- their results (one file per point, so runs resume, shard and merge) and
-- xnet.study_cli is the `spacexnet study` command.
--
--   local xnet = require "xnet"
--   local study = require "xnet.study"   -- also xnet.study
--   return study{ name = "survival", seed = 1, repeats = 5,
--     grid = { planes = { 22, 33 }, survival = { 0.9, 0.95, 1 } },
--     run = function(point, seed, info)   -- info.rep, info.id
--       local net = xnet.network(xnet.walker{ planes = point.planes },
--                                { survival = point.survival, seed = seed })
--       return { active = net:links(0).active }
--     end }
--
-- Points. Parameters are taken in name order; the grid is their cartesian
-- product with the first name varying slowest and each name's values in the
-- order listed, repeats innermost. That order is the run order, the shard
-- order and the merged CSV's row order. A study has at most MAX_POINTS
-- points (repeats included), counted before any is listed.
--
-- Seeds. A point's identity is its canonical key: its parameters as
--   {"name":value,...}  (names sorted; strings as JSON strings; numbers with
--   an integral value as integers, others in %.17g; true/false)
-- and, for repeat r (1-based) of a study with seed S,
--   h    = xnet.hash64("spacexnet-study\n" .. S .. "\n" .. key .. "\n" .. r)
--   id   = ("%016x"):format(h)         the result file's name
--   seed = h >> 11                     a non-negative 53-bit integer
-- so a seed depends on the study seed and the point alone: not on the grid's
-- other values, their order, or the run order. Adding a value to the grid
-- leaves every other point's seed, id and result as they were. Lua's own
-- generator is seeded with the point's seed (math.randomseed(seed)) before
-- each point, so math.random in run is reproducible too.
local core = require "xnet.core"
local json = require "xnet.json"
local util = require "xnet.util"

local M = {}
local Study = {}
Study.__index = Study

-- Listing a point takes about 350 bytes (measured: 10^6 points, 330 MiB,
-- 6 s), and each is a file of its own: a million is already a very large study.
M.MAX_POINTS = 1000000
local RESERVED = { ["repeat"] = true, seed = true }
local IDENT = "^[%a_][%w_]*$"

local describe = util.describe

-- Seeds and ids --------------------------------------------------------------

local function canonical_value(v)
  if type(v) == "number" then
    if math.type(v) == "float" and v == math.floor(v) and v >= -2 ^ 63 and v < 2 ^ 63 then
      v = math.tointeger(v)
    end
    return math.type(v) == "integer" and string.format("%d", v) or string.format("%.17g", v)
  elseif type(v) == "string" then
    return json.string(v)
  end
  return tostring(v)
end

-- study.canonical(params) -> the point's key, e.g. {"planes":33,"survival":0.95}
function M.canonical(params)
  local parts = {}
  for _, k in ipairs(util.sorted_keys(params)) do
    parts[#parts + 1] = json.string(k) .. ":" .. canonical_value(params[k])
  end
  return "{" .. table.concat(parts, ",") .. "}"
end

-- study.derive(study_seed, key, rep) -> id, seed
function M.derive(study_seed, key, rep)
  if math.type(study_seed) ~= "integer" or type(key) ~= "string" or math.type(rep) ~= "integer" then
    error(string.format("study.derive(study_seed, key, rep) takes an integer, a string and an "
                        .. "integer, got %s, %s and %s", describe(study_seed), describe(key),
                        describe(rep)), 2)
  end
  local h = core.hash64(string.format("spacexnet-study\n%d\n%s\n%d", study_seed, key, rep))
  return string.format("%016x", h), h >> 11
end

-- study.count(grid, repeats) -> the number of points | nil, message when
-- over MAX_POINTS (counted in floating point, so nothing wraps)
function M.count(grid, repeats)
  local count, sizes = repeats + 0.0, {}
  for _, name in ipairs(util.sorted_keys(grid)) do
    count = count * #grid[name]
    sizes[#sizes + 1] = tostring(#grid[name])
  end
  if count > M.MAX_POINTS then
    sizes[#sizes + 1] = string.format("%d repeat%s", repeats, repeats == 1 and "" or "s")
    return nil, string.format("the study has %s = %.0f points, more than the limit of %d",
                              table.concat(sizes, " x "), count, M.MAX_POINTS)
  end
  return math.tointeger(count)
end

-- study.expand(grid, repeats, seed) -> points in grid order, names; each
-- point is { params =, key =, rep =, id =, seed = }. grid maps names to value
-- lists. Raises when there are more than MAX_POINTS.
function M.expand(grid, repeats, study_seed)
  local names = util.sorted_keys(grid)
  local _, err = M.count(grid, repeats)
  if err then error(err, 0) end
  local points, current = {}, {}
  local function walk(depth)
    if depth > #names then
      local params = util.copy(current)
      local key = M.canonical(params)
      for rep = 1, repeats do
        local id, seed = M.derive(study_seed, key, rep)
        points[#points + 1] = { params = params, key = key, rep = rep, id = id, seed = seed }
      end
      return
    end
    local name = names[depth]
    for _, v in ipairs(grid[name]) do
      current[name] = v
      walk(depth + 1)
    end
  end
  walk(1)
  return points, names
end

-- study.shard(points, k, n) -> the k-th of n slices (1 <= k <= n): every
-- n-th point from the k-th, so each slice mixes cheap and costly points
function M.shard(points, k, n)
  local slice = {}
  for i = k, #points, n do slice[#slice + 1] = points[i] end
  return slice
end

-- study.parse_shard("K/N") -> k, n | nil, message (1 <= K <= N <= MAX_POINTS)
function M.parse_shard(s)
  local k, n = tostring(s):match("^(%d+)/(%d+)$")
  k, n = math.tointeger(tonumber(k)), math.tointeger(tonumber(n))
  if not k or not n or k < 1 or k > n or n > M.MAX_POINTS then
    return nil, string.format("shard must be K/N with 1 <= K <= N <= %d, got '%s'", M.MAX_POINTS,
                              tostring(s))
  end
  return k, n
end

-- Definition -----------------------------------------------------------------

-- study.check_grid(grid) -> a checked copy; raises naming the bad entry
function M.check_grid(grid)
  if type(grid) ~= "table" then
    error("grid must be a table of name = { values }, got " .. type(grid), 0)
  end
  local copy = {}
  for name, values in pairs(grid) do
    if type(name) ~= "string" or not name:match(IDENT) then
      error("grid parameter names must be identifiers, got " .. describe(name), 0)
    end
    if RESERVED[name] then
      error(string.format("grid parameter '%s' is a reserved column name", name), 0)
    end
    if type(values) ~= "table" or #values == 0 then
      error(string.format("grid '%s' must be a non-empty list of values, got %s", name,
                          type(values) == "table" and "an empty table" or type(values)), 0)
    end
    local seen, list = {}, {}
    for i, v in ipairs(values) do
      local tv = type(v)
      if tv ~= "number" and tv ~= "string" and tv ~= "boolean" then
        error(string.format("grid '%s' value %d must be a number, string or boolean, got %s",
                            name, i, tv), 0)
      end
      if v ~= v then error(string.format("grid '%s' value %d is NaN", name, i), 0) end
      local key = canonical_value(v)
      if seen[key] then
        error(string.format("grid '%s' lists %s twice (values %d and %d)", name, describe(v),
                            seen[key], i), 0)
      end
      seen[key] = i
      list[i] = v
    end
    for k in pairs(values) do
      if math.type(k) ~= "integer" or k < 1 or k > #values then
        error(string.format("grid '%s' must be a plain list, got key %s", name, describe(k)), 0)
      end
    end
    copy[name] = list
  end
  return copy
end

local ALLOWED = { name = true, grid = true, repeats = true, seed = true, run = true,
                  description = true }

local function build(spec)
  if type(spec) ~= "table" then error("xnet.study needs a table, got " .. type(spec), 0) end
  local allowed = util.sorted_keys(ALLOWED)
  for k in pairs(spec) do
    if not ALLOWED[k] then
      error(core.unknown_name("option", tostring(k), allowed, "xnet.study"), 0)
    end
  end
  if type(spec.name) ~= "string" or not spec.name:match("^[%w_.-]+$") then
    error("name must be a string of letters, digits, '_', '.' or '-', got "
          .. describe(spec.name), 0)
  end
  local repeats = spec.repeats or 1
  if math.type(repeats) ~= "integer" or repeats < 1 then
    error("repeats must be an integer >= 1, got " .. describe(repeats), 0)
  end
  local seed = spec.seed or 1
  if math.type(seed) ~= "integer" then
    error("seed must be an integer, got " .. describe(seed), 0)
  end
  if type(spec.run) ~= "function" then
    error("run must be a function(point, seed, info), got " .. type(spec.run), 0)
  end
  if spec.description ~= nil and type(spec.description) ~= "string" then
    error("description must be a string, got " .. type(spec.description), 0)
  end
  local grid = M.check_grid(spec.grid or {})
  local _, err = M.count(grid, repeats)
  if err then error(err, 0) end
  return setmetatable({ name = spec.name, grid = grid, repeats = repeats, seed = seed,
                        run = spec.run, description = spec.description,
                        params = util.sorted_keys(grid) }, Study)
end

local loading -- the path of the study file M.load is running

-- Raise at the line that called study{...}; `return study{...}` is a tail
-- call that leaves no such line, so name the file being loaded instead.
local function new(spec)
  local ok, res = pcall(build, spec)
  if ok then return res end
  local caller = debug.getinfo(3, "l")
  if caller and caller.currentline > 0 then error(res, 3) end
  error(loading and (loading .. ": " .. res) or res, 0)
end

-- study.new{ name =, grid = {}, repeats = 1, seed = 1, run =, description = }
-- -> Study; raises on a bad definition (also callable as study{...})
function M.new(spec)
  local st = new(spec)
  return st
end

setmetatable(M, { __call = function(_, spec)
  local st = new(spec)
  return st
end })

function M.is_study(v)
  return getmetatable(v) == Study
end

function Study:__tostring()
  return string.format("study '%s' (%d points)", self.name, self:count())
end

-- st:count() -> the number of points, without listing them
function Study:count()
  return (M.count(self.grid, self.repeats))
end

-- st:points() -> every (point, repeat) in grid order (computed once)
function Study:points()
  if not self._points then self._points = M.expand(self.grid, self.repeats, self.seed) end
  return self._points
end

-- st:point(id) -> the point with that id, or nil
function Study:point(id)
  if not self._by_id then
    self._by_id = {}
    for _, p in ipairs(self:points()) do self._by_id[p.id] = p end
  end
  return self._by_id[id]
end

-- Running a point ---------------------------------------------------------------

-- study.check_metrics(metrics, params, read) -> nil | what is wrong: metrics
-- must be a table of identifier = number, string or boolean, none named like
-- a grid parameter or a reserved column (repeat, seed). read: the metrics
-- come from a point file, which may hold null for a number that was not
-- finite (files written as plain JSON).
function M.check_metrics(m, params, read)
  if type(m) ~= "table" then return "run must return a table of metrics, got " .. type(m) end
  for k, v in pairs(m) do
    if type(k) ~= "string" or not k:match(IDENT) then
      return "metric names must be identifiers, got " .. describe(k)
    end
    if RESERVED[k] or params[k] ~= nil then
      return string.format("metric '%s' has the name of a %s", k,
                           RESERVED[k] and "reserved column" or "grid parameter")
    end
    local tv = type(v)
    if tv ~= "number" and tv ~= "string" and tv ~= "boolean" and not (read and v == json.null) then
      return string.format("metric '%s' must be a number, string or boolean, got %s", k, tv)
    end
  end
end

-- While a point runs, os.exit raises instead: a point ends by returning its
-- metrics or raising, never by ending the process under the runner (which
-- would leave the run's log saying "running"). The global os.exit is swapped
-- for the point's duration, and a study file's own `os` (see M.load) has an
-- exit that checks, so `local exit = os.exit` at its top is caught too.
local real_exit, in_point = os.exit, false

local function guarded_exit(code, close)
  if in_point then
    error(string.format("os.exit(%s) called inside a point; run must return its metrics or "
                        .. "raise an error", tostring(code == nil and "" or code)), 2)
  end
  return real_exit(code, close)
end

-- st:run_point(p) -> metrics; raises what run raises, or on bad metrics.
-- Lua's generator is seeded with the point's seed first.
function Study:run_point(p)
  local exit, outer = os.exit, in_point
  local _ <close> = setmetatable({}, { __close = function()
    os.exit, in_point = exit, outer
  end })
  os.exit, in_point = guarded_exit, true
  math.randomseed(p.seed)
  local m = self.run(util.copy(p.params), p.seed, { rep = p.rep, id = p.id })
  local err = M.check_metrics(m, p.params)
  if err then error(err, 0) end
  return m
end

-- Loading a study file ------------------------------------------------------

-- study.load(path) -> Study (with .file, .source, .hash) | nil, message.
-- The file runs with strict globals (see xnet.util.strict): reading or
-- assigning an undeclared global raises, so a typo in run() fails at once.
function M.load(path)
  local src, err = core.read_file(path)
  if not src then return nil, err end
  local env = { os = setmetatable({ exit = guarded_exit }, { __index = os }) }
  local chunk, cerr = load(src, "@" .. path, "t", setmetatable(env, util.strict(_G)))
  if not chunk then return nil, cerr end
  -- An error in the study file itself already says where; others get a traceback.
  local outer = loading
  loading = path
  local ok, st = xpcall(chunk, function(e)
    return tostring(e):sub(1, #path + 1) == path .. ":" and e or debug.traceback(e, 2)
  end)
  loading = outer
  if not ok then return nil, st end
  if not M.is_study(st) then
    return nil, string.format("%s must return xnet.study{...}, got %s", path,
                              st == nil and "nothing" or type(st))
  end
  st.file, st.source = path, src
  st.hash = string.format("%016x", core.hash64(src))
  return st
end

-- study.collect(dir) -> a study directory's results (see xnet.study_dir.collect)
function M.collect(dir)
  return require("xnet.study_dir").collect(dir)
end

return M
