-- Studies: a grid of independent points, each run `repeats` times with its
-- own seed, results kept one file per (point, repeat) so that runs resume,
-- shard across machines and merge into one table.
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
-- order and the merged CSV's row order.
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
-- leaves every other point's seed, id and result as they were.
--
-- A study directory:
--   manifest.json       what the study is (see M.manifest_for) and when it ran
--   study.lua           a copy of the study file (study-<hash>.lua: earlier ones)
--   points/<id>.json    one result: {"id","metrics","params","repeat","seed"};
--                       deterministic bytes, written atomically
--   runs/<start>-<host>-<pid>.json   one per `study run`: shard, jobs, status,
--                       times, and each point's elapsed_s
local core = require "xnet.core"
local json = require "xnet.json"

local M = {}
local Study = {}
Study.__index = Study

M.FORMAT = "spacexnet-study/1"
M.MAX_POINTS = 10000000
local RESERVED = { ["repeat"] = true, seed = true }
local IDENT = "^[%a_][%w_]*$"

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  return keys
end

local function describe(v)
  return type(v) == "string" and string.format("%q", v) or tostring(v)
end

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
  for _, k in ipairs(sorted_keys(params)) do
    parts[#parts + 1] = json.string(k) .. ":" .. canonical_value(params[k])
  end
  return "{" .. table.concat(parts, ",") .. "}"
end

-- study.derive(study_seed, key, rep) -> id, seed
function M.derive(study_seed, key, rep)
  local h = core.hash64(string.format("spacexnet-study\n%d\n%s\n%d", study_seed, key, rep))
  return string.format("%016x", h), h >> 11
end

-- study.expand(grid, repeats, seed) -> points in grid order; each point is
-- { params =, key =, rep =, id =, seed = }. grid maps names to value lists.
function M.expand(grid, repeats, study_seed)
  local names = sorted_keys(grid)
  local count = repeats
  for _, name in ipairs(names) do count = count * #grid[name] end
  if count > M.MAX_POINTS then
    error(string.format("grid has %d points with repeats, more than %d", count, M.MAX_POINTS), 0)
  end
  local points, current = {}, {}
  local function walk(depth)
    if depth > #names then
      local params = {}
      for k, v in pairs(current) do params[k] = v end
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

-- study.parse_shard("K/N") -> k, n | nil, message
function M.parse_shard(s)
  local k, n = tostring(s):match("^(%d+)/(%d+)$")
  k, n = tonumber(k), tonumber(n)
  if not k or n < 1 or k < 1 or k > n then
    return nil, string.format("shard must be K/N with 1 <= K <= N, got '%s'", tostring(s))
  end
  return k, n
end

-- Definition -----------------------------------------------------------------

local function check_grid(grid)
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

local function build(spec)
  if type(spec) ~= "table" then error("xnet.study needs a table, got " .. type(spec), 0) end
  local allowed = { "description", "grid", "name", "repeats", "run", "seed" }
  for k in pairs(spec) do
    local known = false
    for _, name in ipairs(allowed) do known = known or k == name end
    if not known then error(core.unknown_name("option", tostring(k), allowed, "xnet.study"), 0) end
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
  local grid = check_grid(spec.grid or {})
  local self = setmetatable({ name = spec.name, grid = grid, repeats = repeats, seed = seed,
                              run = spec.run, description = spec.description }, Study)
  self.params = sorted_keys(grid)
  return self
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
  return string.format("study '%s' (%d points)", self.name, #self:points())
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

local function check_metrics(m, p)
  if type(m) ~= "table" then
    error("run must return a table of metrics, got " .. type(m), 0)
  end
  for k, v in pairs(m) do
    if type(k) ~= "string" or not k:match(IDENT) then
      error("metric names must be identifiers, got " .. describe(k), 0)
    end
    if RESERVED[k] or p.params[k] ~= nil then
      error(string.format("metric '%s' has the name of a %s", k,
                          RESERVED[k] and "reserved column" or "grid parameter"), 0)
    end
    local tv = type(v)
    if tv ~= "number" and tv ~= "string" and tv ~= "boolean" then
      error(string.format("metric '%s' must be a number, string or boolean, got %s", k, tv), 0)
    end
  end
  return m
end

-- st:run_point(p) -> metrics; raises what run raises, or on bad metrics
function Study:run_point(p)
  local params = {}
  for k, v in pairs(p.params) do params[k] = v end
  return check_metrics(self.run(params, p.seed, { rep = p.rep, id = p.id }), p)
end

-- study.point_json(p, metrics) -> the bytes of a point file
function M.point_json(p, metrics)
  return json.encode({ id = p.id, params = p.params, ["repeat"] = p.rep, seed = p.seed,
                       metrics = metrics }) .. "\n"
end

-- Interrupts (Ctrl-C) surface as errors ending in "interrupted", raised by
-- the interpreter's hook or by a kernel that noticed the signal.
function M.is_interrupt(e)
  return type(e) == "string" and e:find("interrupted$") ~= nil
end

local function on_error(e)
  if M.is_interrupt(e) then return e end
  return { message = debug.traceback(tostring(e), 2) }
end

-- study.execute(st, p, dir) -> true, elapsed_s | false, message
-- Runs one point and writes its file atomically; re-raises an interrupt.
function M.execute(st, p, dir)
  local t0 = core.clock()
  local ok, res = xpcall(st.run_point, on_error, st, p)
  if not ok then
    if type(res) ~= "table" then error(res, 0) end
    return false, res.message
  end
  local wrote, err = core.write_file(M.point_path(dir, p.id), M.point_json(p, res))
  if not wrote then return false, err end
  return true, core.clock() - t0
end

-- Loading a study file ------------------------------------------------------

-- Study files run with strict globals (as after xnet.strict(), but only for
-- the study's own code): reading or assigning an undeclared global raises,
-- so a typo in run() fails at once instead of giving nil.
local function strict_env()
  return setmetatable({}, {
    __index = function(_, k)
      local v = _G[k]
      if v == nil then error("read of undeclared global '" .. tostring(k) .. "'", 2) end
      return v
    end,
    __newindex = function(_, k)
      error("assignment to undeclared global '" .. tostring(k) .. "' (declare it local)", 2)
    end,
  })
end

-- study.load(path) -> Study (with .file, .source, .hash) | nil, message
function M.load(path)
  local src, err = core.read_file(path)
  if not src then return nil, err end
  local chunk, cerr = load(src, "@" .. path, "t", strict_env())
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

-- The study directory -------------------------------------------------------

function M.point_path(dir, id)
  return dir .. "/points/" .. id .. ".json"
end

function M.timestamp(t)
  return os.date("!%Y-%m-%dT%H:%M:%SZ", math.floor(t or core.time()))
end

-- study.done_ids(dir) -> { [id] = true } of the finished points, count
-- | nil, message
function M.done_ids(dir)
  local names, err = core.list_dir(dir .. "/points")
  if not names then return nil, err end
  local done, n = {}, 0
  for _, name in ipairs(names) do
    local id = name:match("^(%x+)%.json$")
    if id and #id == 16 then
      done[id], n = true, n + 1
    end
  end
  return done, n
end

local function read_json(path)
  local text, err = core.read_file(path)
  if not text then return nil, err end
  local v, jerr = json.decode(text)
  if v == nil then return nil, path .. ": " .. jerr end
  return v
end

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() end
  return f ~= nil
end

-- The git revision of the build, null outside a checkout.
local function revision()
  return core.revision ~= "unknown" and core.revision or json.null
end

-- study.manifest_for(st) -> a new manifest table for st
function M.manifest_for(st)
  local grid = {}
  for k, v in pairs(st.grid) do grid[k] = json.array(v) end
  return {
    format = M.FORMAT,
    name = st.name,
    description = st.description or json.null,
    study_file = st.file or json.null,
    study_hash = st.hash or json.null,
    hash = "fnv1a64+splitmix64 of the study file's bytes",
    seed = st.seed,
    seed_derivation = "seed = hash64(\"spacexnet-study\\n\" .. seed .. \"\\n\" .. key .. "
                      .. "\"\\n\" .. repeat) >> 11; see lua/xnet/study.lua",
    repeats = st.repeats,
    grid = grid,
    params = json.array(st.params),
    points = #st:points(),
    spacexnet_version = core.version,
    revision = revision(),
    lua_version = core.lua_version,
    igraph_version = core.igraph_version,
    host = core.hostname(),
    started = M.timestamp(),
    finished = json.null,
    history = json.array {},
  }
end

-- study.read_manifest(dir) -> manifest | nil, message
function M.read_manifest(dir)
  local m, err = read_json(dir .. "/manifest.json")
  if not m then return nil, err end
  if type(m) ~= "table" or m.format ~= M.FORMAT or type(m.grid) ~= "table"
     or math.type(m.repeats) ~= "integer" or math.type(m.seed) ~= "integer" then
    return nil, string.format("%s/manifest.json: not a %s manifest", dir, M.FORMAT)
  end
  return m
end

-- study.manifest_points(m) -> the points a manifest describes
function M.manifest_points(m)
  return M.expand(m.grid, m.repeats, m.seed)
end

function M.write_manifest(dir, m)
  return core.write_file(dir .. "/manifest.json", json.encode(m, { indent = "  " }) .. "\n")
end

local function refusal(dir, m, st)
  return table.concat({
    dir .. " was made by a different study file:",
    string.format("  %s/manifest.json: study '%s' from %s, hash %s, started %s", dir, m.name,
                  tostring(m.study_file), tostring(m.study_hash), tostring(m.started)),
    string.format("  this run: study '%s' from %s, hash %s", st.name, st.file, st.hash),
    "Refusing to mix their results. Use a new --out directory, or if you changed the study",
    "on purpose (for example added grid values), run again with --force: the results in the",
    "directory are kept, and reused for every point still in the grid.",
  }, "\n")
end

local function make_subdirs(dir)
  for _, sub in ipairs { "points", "runs" } do
    local ok, err = core.mkdir(dir .. "/" .. sub)
    if not ok then return nil, err end
  end
  return true
end

-- True when a directory holds nothing but what prepare makes, so shards
-- started together on a new directory do not refuse each other's half-made one.
local function only_layout(names)
  for _, name in ipairs(names) do
    local base = name:gsub("%.tmp%w+$", "")
    if base ~= "points" and base ~= "runs" and base ~= "study.lua"
       and base ~= "manifest.json" then
      return false
    end
  end
  return true
end

-- study.prepare(st, dir, { force = false }) -> manifest | nil, message
-- Creates the directory and its manifest, or checks that the directory was
-- made by this study file. A different name is always refused; a different
-- file of the same name only without force.
function M.prepare(st, dir, opts)
  local names = core.list_dir(dir)
  local m
  if names and exists(dir .. "/manifest.json") then
    local err
    m, err = M.read_manifest(dir)
    if not m then return nil, err end
    if m.name ~= st.name then
      return nil, string.format("%s holds results of study '%s', not '%s'; use another --out "
                                .. "directory", dir, tostring(m.name), st.name)
    end
    if m.study_hash == st.hash then
      local ok, err2 = make_subdirs(dir)
      if not ok then return nil, err2 end
      return m
    end
    if not (opts and opts.force) then return nil, refusal(dir, m, st) end
    local old = m
    m = M.manifest_for(st)
    m.started = old.started
    m.history = json.array(old.history or {})
    table.insert(m.history, { study_hash = old.study_hash, study_file = old.study_file,
                              grid = old.grid, repeats = old.repeats, seed = old.seed,
                              replaced = M.timestamp() })
    local copy = dir .. "/study-" .. tostring(old.study_hash) .. ".lua"
    local prev = core.read_file(dir .. "/study.lua")
    if prev and not exists(copy) then
      local ok, werr = core.write_file(copy, prev)
      if not ok then return nil, werr end
    end
  elseif names and not only_layout(names) then
    return nil, string.format("%s is not a study directory (it has files but no manifest.json); "
                              .. "use a new or empty directory", dir)
  else
    m = M.manifest_for(st)
  end
  local ok, err = make_subdirs(dir)
  if ok then ok, err = core.write_file(dir .. "/study.lua", st.source or "") end
  if ok then ok, err = M.write_manifest(dir, m) end
  if not ok then return nil, err end
  return m
end

-- study.mark_finished(dir, m, points) -> true | nil, message: record the
-- end time in the manifest once every point has its file
function M.mark_finished(dir, m, points)
  local done, err = M.done_ids(dir)
  if not done then return nil, err end
  for _, p in ipairs(points) do
    if not done[p.id] then return true end
  end
  if m.finished == json.null or m.finished == nil then
    m.finished = M.timestamp()
    return M.write_manifest(dir, m)
  end
  return true
end

-- Run logs -------------------------------------------------------------------

local RunLog = {}
RunLog.__index = RunLog

-- study.run_log(dir, st, fields) -> RunLog; fields (shard, jobs, ...) are
-- recorded as given. log:point(id, elapsed_s), log:save(status, force, fields).
function M.run_log(dir, st, fields)
  local host = core.hostname()
  local t = core.time()
  local data = {
    host = host, pid = core.pid(), started = M.timestamp(t), finished = json.null,
    status = "running", study_hash = st.hash, spacexnet_version = core.version,
    revision = revision(), points_run = 0, points_failed = 0, elapsed_s = {},
  }
  for k, v in pairs(fields or {}) do data[k] = v end
  local name = string.format("%s-%s-%d.json", os.date("!%Y%m%dT%H%M%SZ", math.floor(t)),
                             host:gsub("[^%w.-]", "_"), core.pid())
  return setmetatable({ path = dir .. "/runs/" .. name, data = data, saved = -math.huge }, RunLog)
end

function RunLog:point(id, elapsed_s)
  self.data.elapsed_s[id] = tonumber(string.format("%.6f", elapsed_s))
  self.data.points_run = self.data.points_run + 1
end

function RunLog:failed()
  self.data.points_failed = self.data.points_failed + 1
end

-- log:save(status, force): written at most every 30 s unless forced
function RunLog:save(status, force, fields)
  for k, v in pairs(fields or {}) do self.data[k] = v end
  local now = core.clock()
  if not force and now - self.saved < 30 then return true end
  self.saved = now
  if status then self.data.status = status end
  if status and status ~= "running" then self.data.finished = M.timestamp() end
  return core.write_file(self.path, json.encode(self.data, { indent = " " }) .. "\n")
end

-- study.read_runs(dir) -> list of run logs (oldest first) | nil, message
function M.read_runs(dir)
  local names, err = core.list_dir(dir .. "/runs")
  if not names then return nil, err end
  table.sort(names)
  local runs = {}
  for _, name in ipairs(names) do
    if name:match("%.json$") then
      local r, rerr = read_json(dir .. "/runs/" .. name)
      if not r then return nil, rerr end
      runs[#runs + 1] = r
    end
  end
  return runs
end

-- Results --------------------------------------------------------------------

-- study.collect(dir) -> { manifest =, rows =, columns =, params =, metrics =,
--   missing = { points }, extra = n } | nil, message
-- rows: one table per finished point in grid order, with the parameters,
-- "repeat", "seed" and the metrics; files not in the grid are counted in
-- extra and left out.
function M.collect(dir)
  local m, err = M.read_manifest(dir)
  if not m then return nil, err end
  local points, params = M.manifest_points(m)
  local done, ndone = M.done_ids(dir)
  if not done then return nil, ndone end
  local rows, missing, metric_set, in_grid = {}, {}, {}, 0
  for _, p in ipairs(points) do
    if done[p.id] then
      in_grid = in_grid + 1
      local rec, rerr = read_json(M.point_path(dir, p.id))
      if not rec then return nil, rerr end
      if type(rec.metrics) ~= "table" then
        return nil, M.point_path(dir, p.id) .. ": no metrics"
      end
      local row = {}
      for k, v in pairs(p.params) do row[k] = v end
      row["repeat"], row.seed = p.rep, p.seed
      for k, v in pairs(rec.metrics) do
        row[k] = v
        metric_set[k] = true
      end
      rows[#rows + 1] = row
    else
      missing[#missing + 1] = p
    end
  end
  local metrics = sorted_keys(metric_set)
  local columns = {}
  for _, name in ipairs(params) do columns[#columns + 1] = name end
  columns[#columns + 1] = "repeat"
  columns[#columns + 1] = "seed"
  for _, name in ipairs(metrics) do columns[#columns + 1] = name end
  return { manifest = m, rows = rows, columns = columns, params = params, metrics = metrics,
           missing = missing, extra = ndone - in_grid, points = points }
end

-- CSV --------------------------------------------------------------------------

-- study.csv_field(v) -> v as a CSV field (RFC 4180 quoting; numbers exact)
function M.csv_field(v)
  local tv = type(v)
  if v == nil or v == json.null then return "" end
  if tv == "number" then return json.number(v) end
  if tv == "boolean" then return tostring(v) end
  v = tostring(v)
  if v:find('[,"\r\n]') or v:match("^%s") or v:match("%s$") then
    return '"' .. v:gsub('"', '""') .. '"'
  end
  return v
end

-- study.to_csv(rows, columns) -> text with a header line
function M.to_csv(rows, columns)
  local out = {}
  local line = {}
  for i, c in ipairs(columns) do line[i] = M.csv_field(c) end
  out[1] = table.concat(line, ",")
  for _, row in ipairs(rows) do
    for i, c in ipairs(columns) do line[i] = M.csv_field(row[c]) end
    out[#out + 1] = table.concat(line, ",")
  end
  return table.concat(out, "\n") .. "\n"
end

local specials = { ["nan"] = 0 / 0, ["inf"] = math.huge, ["-inf"] = -math.huge,
                   ["true"] = true, ["false"] = false }

-- study.csv_value(s, quoted) -> the value of a CSV field: unquoted numbers,
-- nan, inf, true and false converted, "" as nil
function M.csv_value(s, quoted)
  if quoted then return s end
  if s == "" then return nil end
  if specials[s] ~= nil then return specials[s] end
  return tonumber(s) or s
end

-- study.read_csv(text) -> rows, columns | nil, message
-- Unquoted fields that are numbers, nan, inf, true or false are converted;
-- empty fields are nil.
function M.read_csv(text)
  local rows, columns, record, nf, field, quoted = {}, nil, {}, 0, {}, false
  local function end_field()
    nf = nf + 1
    local raw = table.concat(field)
    if columns then
      record[nf] = M.csv_value(raw, quoted)
    else
      record[nf] = raw
    end
    field, quoted = {}, false
  end
  local function end_record()
    end_field()
    if not columns then
      columns = record
    elseif nf > 1 or record[1] ~= nil then
      local row = {}
      for k, name in ipairs(columns) do row[name] = record[k] end
      rows[#rows + 1] = row
    end
    record, nf = {}, 0
  end
  local i, n = 1, #text
  while i <= n do
    local c = text:sub(i, i)
    if c == '"' and #field == 0 and not quoted then
      local j = i + 1
      while true do
        local q = text:find('"', j, true)
        if not q then return nil, "csv: unterminated quoted field" end
        field[#field + 1] = text:sub(j, q - 1)
        if text:sub(q + 1, q + 1) ~= '"' then
          i = q + 1
          break
        end
        field[#field + 1] = '"'
        j = q + 2
      end
      quoted = true
    elseif c == "," then
      end_field()
      i = i + 1
    elseif c == "\n" or c == "\r" then
      end_record()
      i = i + ((c == "\r" and text:sub(i + 1, i + 1) == "\n") and 2 or 1)
    else
      local j = text:find("[,\r\n]", i) or n + 1
      field[#field + 1] = text:sub(i, j - 1)
      i = j
    end
  end
  if #field > 0 or nf > 0 or quoted then end_record() end
  if not columns then return nil, "csv: no header" end
  return rows, columns
end

return M
