-- A study directory: where xnet.study's points keep their results.
--
--   manifest.json       what the study is (see manifest_for) and when it ran
--   study.lua           a copy of the study file (study-<hash>.lua: earlier ones)
--   points/<id>.json    one result: {"id","metrics","params","repeat","seed",
--                       "study_hash"}; deterministic bytes, written atomically;
--                       strict JSON: a NaN or infinity is null, and listed in
--                       "nonfinite" to be read back exactly (xnet.json)
--   runs/<start>-<host>-<pid>.json   one per `study run`: shard, jobs, status,
--                       times, and each point's elapsed_s
--
-- A new directory is claimed in one step: the first run builds it under a
-- temporary name beside it and renames it into place, which fails once the
-- directory holds anything; a run that loses the race reads the winner's
-- manifest and joins it (the same study file) or is refused (another one).
-- A point file counts as done only when it reads back as that point's result,
-- computed by the manifest's study file or one it accepted with --force
-- (manifest.history); anything else is reported and the point runs again.
local core = require "xnet.core"
local json = require "xnet.json"
local report = require "xnet.report"
local study = require "xnet.study"
local util = require "xnet.util"

local D = {}

D.FORMAT = "spacexnet-study/1"

local function point_path(dir, id)
  return dir .. "/points/" .. id .. ".json"
end

-- Plain io, not xnet.read_file: the files are small and plain, and after a
-- Ctrl-C (when the run counts what it saved) xnet.read_file says "interrupted".
local function read_json(path)
  local f, err = io.open(path, "rb")
  if not f then return nil, err end
  local text, rerr = f:read("a")
  f:close()
  if not text then return nil, path .. ": " .. rerr end
  local v, jerr = json.decode(text, { exact = true })
  if v == nil then return nil, path .. ": " .. jerr end
  return v, text
end

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() end
  return f ~= nil
end

-- Manifests -------------------------------------------------------------------

local function manifest_for(st)
  local grid = {}
  for k, v in pairs(st.grid) do grid[k] = json.array(v) end
  return report.provenance {
    format = D.FORMAT,
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
    points = st:count(),
    started = report.timestamp(),
    finished = json.null,
    history = json.array {},
  }
end

-- How to recover from a damaged manifest: the point files carry their own
-- study hash, so the study file that made the directory can rebuild it.
local function rebuild_hint(dir)
  return string.format("\nThe point files in %s/points are not affected. To rebuild the manifest, "
                       .. "run the study file that made the directory again (%s/study.lua is a "
                       .. "copy of it):\n  spacexnet study run %s/study.lua --out %s\nIt "
                       .. "rewrites manifest.json and keeps every point file that study file "
                       .. "computed.", dir, dir, dir, dir)
end

-- -> manifest | nil, message, damaged (the file is there but not a manifest)
local function parse_manifest(dir)
  local path = dir .. "/manifest.json"
  local m, err = read_json(path)
  if not m then return nil, err, exists(path) end
  if type(m) ~= "table" or m.format ~= D.FORMAT or type(m.grid) ~= "table"
     or math.type(m.repeats) ~= "integer" or m.repeats < 1 or math.type(m.seed) ~= "integer"
     or type(m.study_hash) ~= "string" then
    return nil, string.format("%s: not a %s manifest", path, D.FORMAT), true
  end
  local ok, grid = pcall(study.check_grid, m.grid)
  if not ok then return nil, path .. ": " .. grid, true end
  local _, cerr = study.count(grid, m.repeats)
  if cerr then return nil, path .. ": " .. cerr, true end
  m.grid = grid
  return m
end

-- study_dir.read_manifest(dir) -> manifest | nil, message (with how to
-- rebuild a damaged one)
function D.read_manifest(dir)
  local m, err, damaged = parse_manifest(dir)
  if not m and damaged then return nil, err .. rebuild_hint(dir) end
  return m, err
end

-- study_dir.manifest_points(m) -> the points a manifest describes, names
function D.manifest_points(m)
  return study.expand(m.grid, m.repeats, m.seed)
end

local function write_manifest(dir, m)
  return core.write_file(dir .. "/manifest.json",
                         json.encode(m, { indent = "  ", exact = true }) .. "\n")
end

-- The study hashes whose point files count: the manifest's, and every one
-- it replaced with --force.
local function accepted_hashes(m)
  local set = { [m.study_hash] = true }
  for _, h in ipairs(type(m.history) == "table" and m.history or {}) do
    if type(h) == "table" and type(h.study_hash) == "string" then set[h.study_hash] = true end
  end
  return set
end

-- Claiming and checking a directory ---------------------------------------------

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

local LAYOUT = { "manifest.json", "study.lua", "points", "runs" }

-- Remove a claim that lost the race (only what claim made).
local function remove_claim(tmp)
  for _, name in ipairs(LAYOUT) do os.remove(tmp .. "/" .. name) end
  os.remove(tmp)
end

-- Build the directory under a temporary name and rename it into place.
-- -> manifest | nil, message, taken (another run claimed it first)
local function claim(st, dir)
  local parent = dir:match("^(.*)/[^/]*$")
  if parent and parent ~= "" then
    local ok, err = core.mkdir(parent)
    if not ok then return nil, err end
  end
  -- An existing empty directory is replaced; through a symbolic link, its
  -- target is, so the claim is built beside the target (rename stays on one
  -- file system).
  local target = core.realpath(dir) or dir
  local tmp = string.format("%s.claim-%s-%d", target, core.hostname():gsub("[^%w.-]", "_"),
                            core.pid())
  remove_claim(tmp) -- left by a run of this host and pid that was killed
  local m = manifest_for(st)
  local ok, err = core.mkdir(tmp .. "/points")
  if ok then ok, err = core.mkdir(tmp .. "/runs") end
  if ok then ok, err = core.write_file(tmp .. "/study.lua", st.source or "") end
  if ok then ok, err = write_manifest(tmp, m) end
  if ok then ok, err = os.rename(tmp, target) end
  if ok then return m end
  remove_claim(tmp)
  if exists(dir .. "/manifest.json") then return nil, nil, true end
  return nil, err
end

-- study_dir.prepare(st, dir, { force = false }) -> manifest | nil, message;
-- a third value, the damage, when a damaged manifest was rebuilt
-- Claims a new (or empty) directory for st, or checks that the directory was
-- made by this study file. A different name is always refused; a different
-- file of the same name only without force.
function D.prepare(st, dir, opts)
  -- Listed before the manifest is looked for: a run that claims the directory
  -- in between leaves a manifest, not a "directory of other files".
  local names = core.list_dir(dir)
  if not exists(dir .. "/manifest.json") then
    if names and #names > 0 then
      return nil, string.format("%s is not a study directory (it has files but no "
                                .. "manifest.json); use a new or empty directory", dir)
    end
    local m, err, taken = claim(st, dir)
    if not taken then return m, err end
  end
  local m, err, damaged = parse_manifest(dir)
  if not m and damaged then
    -- Rebuilt only for the very file that made the directory: each point
    -- file is then checked against its hash as always (others are run again).
    if core.read_file(dir .. "/study.lua") ~= (st.source or "") then
      return nil, err .. "\n" .. st.file .. " is not the study file that made " .. dir
                  .. " (it differs from " .. dir .. "/study.lua)" .. rebuild_hint(dir)
    end
    m = manifest_for(st)
    local ok, werr = write_manifest(dir, m)
    if not ok then return nil, werr end
    return m, nil, err
  end
  if not m then return nil, err end
  if m.name ~= st.name then
    return nil, string.format("%s holds results of study '%s', not '%s'; use another --out "
                              .. "directory", dir, tostring(m.name), st.name)
  end
  if m.study_hash == st.hash then return m end
  if not (opts and opts.force) then return nil, refusal(dir, m, st) end
  local old = m
  m = manifest_for(st)
  m.started = old.started
  m.history = json.array(old.history or {})
  table.insert(m.history, { study_hash = old.study_hash, study_file = old.study_file,
                            grid = old.grid, repeats = old.repeats, seed = old.seed,
                            replaced = report.timestamp() })
  local copy = dir .. "/study-" .. old.study_hash .. ".lua"
  local prev = core.read_file(dir .. "/study.lua")
  local ok, werr = true, nil
  if prev and not exists(copy) then ok, werr = core.write_file(copy, prev) end
  if ok then ok, werr = core.write_file(dir .. "/study.lua", st.source or "") end
  if ok then ok, werr = write_manifest(dir, m) end
  if not ok then return nil, werr end
  return m
end

-- Resolve a path that may not exist yet: its directory resolved, the name kept.
local function resolve(path)
  local r = core.realpath(path)
  if r then return r end
  local parent, name = path:match("^(.*)/([^/]*)$")
  if not parent then parent, name = ".", path end
  local rp = core.realpath(parent == "" and "/" or parent)
  return rp and (rp .. "/" .. name) or path
end

-- study_dir.check_output(dir, path) -> true | nil, message: refuses a path
-- that is (after resolving ".", ".." and symbolic links) the directory, its
-- manifest, a copy of its study file, or inside its points/ or runs/
function D.check_output(dir, path)
  local target, root = resolve(path), core.realpath(dir)
  if not root then return true end
  local own = { [root] = "the study directory itself" }
  for _, name in ipairs(LAYOUT) do
    local r = core.realpath(dir .. "/" .. name)
    if r then own[r] = "the study's " .. name end
  end
  for _, name in ipairs(core.list_dir(dir) or {}) do
    if name:match("^study%-%x+%.lua$") then
      own[core.realpath(dir .. "/" .. name) or name] = "the study's " .. name
    end
  end
  local what = own[target]
  for r, desc in pairs(own) do
    if desc:match("points$") or desc:match("runs$") then
      if target:sub(1, #r + 1) == r .. "/" then what = "inside " .. desc end
    end
  end
  if what then
    return nil, string.format("%s is %s; writing there would destroy the study's own files "
                              .. "(choose another path, e.g. %s/results.csv)", path, what, dir)
  end
  return true
end

-- Point files ------------------------------------------------------------------

-- study_dir.point_json(p, metrics, study_hash) -> the bytes of a point file
-- (deterministic strict JSON, and exact: NaN and infinities are null and
-- listed in "nonfinite"); raises if the metrics are not valid for p
function D.point_json(p, metrics, study_hash)
  local err = study.check_metrics(metrics, p.params)
  if err then error(err, 0) end
  return json.encode({ id = p.id, params = p.params, ["repeat"] = p.rep, seed = p.seed,
                       metrics = metrics, study_hash = study_hash }, { exact = true }) .. "\n"
end

-- study_dir.check_record(rec, p) -> nil | why the decoded point file rec is not
-- a result of point p (the study hash is the caller's to check)
function D.check_record(rec, p)
  if type(rec) ~= "table" then return "not a JSON object" end
  if rec.id ~= p.id then return "its id is " .. util.describe(rec.id) end
  if rec["repeat"] ~= p.rep or rec.seed ~= p.seed then
    return string.format("its repeat and seed are %s and %s, not %d and %d",
                         util.describe(rec["repeat"]), util.describe(rec.seed), p.rep, p.seed)
  end
  if type(rec.params) ~= "table" or study.canonical(rec.params) ~= p.key then
    return "its parameters are not the point's"
  end
  if type(rec.study_hash) ~= "string" then return "it records no study hash" end
  return study.check_metrics(rec.metrics, p.params, true)
end

-- Interrupts (Ctrl-C) are told by the signal having arrived, not by the
-- error's text: a point may well raise a message ending in "interrupted".
function D.is_interrupt()
  return core.interrupted()
end

-- study_dir.scan(dir, m, points, { keep = false, upgrade = false }) -> {
--   done = { [id] = true, or the metrics with keep }, ndone =,
--   bad = { { point =, path =, reason = } } (damaged, or from another study file),
--   extra = n (files of points not in the list),
--   unexpected = { names in points/ that are not point files, sorted } } | nil, message
-- Every file of a listed point is read and checked. upgrade: rewrite a good
-- file that is not in today's form (older versions wrote NaN and Infinity,
-- which are not JSON) as point_json writes it; the numbers stay the same.
function D.scan(dir, m, points, opts)
  local names, err = core.list_dir(dir .. "/points")
  if not names then return nil, err end
  local present, unexpected = {}, {}
  for _, name in ipairs(names) do
    local id = name:match("^(%x+)%.json$")
    if id and #id == 16 then
      present[id] = true
    elseif not (name:match("^%x+%.json%.bad$") or name:match("^%x+%.json%.tmp......$")) then
      unexpected[#unexpected + 1] = name -- neither a point file, set aside, nor being written
    end
  end
  table.sort(unexpected)
  local hashes, keep = accepted_hashes(m), opts and opts.keep
  local res = { done = {}, ndone = 0, bad = {}, extra = 0, unexpected = unexpected }
  local listed = 0
  for _, p in ipairs(points) do
    if present[p.id] then
      listed = listed + 1
      local path = point_path(dir, p.id)
      local rec, text = read_json(path)
      local why
      if rec then
        why = D.check_record(rec, p)
        if not why and not hashes[rec.study_hash] then
          why = "computed by another study file (hash " .. rec.study_hash .. ")"
        end
        if not why and opts and opts.upgrade then
          -- a failed rewrite leaves the old file, which still reads correctly
          local ok, bytes = pcall(D.point_json, p, rec.metrics, rec.study_hash)
          if ok and bytes ~= text then core.write_file(path, bytes) end
        end
      else
        why = text:gsub("^" .. path:gsub("%p", "%%%0") .. ": ", "")
      end
      if why then
        res.bad[#res.bad + 1] = { point = p, path = path, reason = why }
      else
        res.done[p.id] = keep and rec.metrics or true
        res.ndone = res.ndone + 1
      end
    end
  end
  for _ in pairs(present) do res.extra = res.extra + 1 end
  res.extra = res.extra - listed
  return res
end

-- study_dir.set_aside(bad) -> true | nil, message: renames each bad point
-- file to ID.json.bad (kept for inspection, out of the way of the rerun)
function D.set_aside(bad)
  for _, b in ipairs(bad) do
    local ok, err = os.rename(b.path, b.path .. ".bad")
    if not ok then return nil, err end
  end
  return true
end

local function on_error(e)
  if D.is_interrupt() then return { interrupt = e } end
  return { message = debug.traceback(tostring(e), 2) }
end

local function run_and_encode(st, p)
  return D.point_json(p, st:run_point(p), st.hash)
end

-- study_dir.execute(st, p, dir) -> true, elapsed_s | false, message
-- Runs one point and writes its file atomically; re-raises an interrupt.
function D.execute(st, p, dir)
  local t0 = core.clock()
  local ok, res = xpcall(run_and_encode, on_error, st, p)
  if not ok then
    if res.interrupt ~= nil then error(res.interrupt, 0) end
    return false, res.message
  end
  local wrote, err = core.write_file(point_path(dir, p.id), res)
  if not wrote then return false, err end
  return true, core.clock() - t0
end

-- study_dir.mark_finished(dir, m, points) -> true | nil, message: record
-- the end time in the manifest once every point has its file
function D.mark_finished(dir, m, points)
  local s, err = D.scan(dir, m, points)
  if not s then return nil, err end
  if s.ndone < #points then return true end
  if m.finished == json.null or m.finished == nil then
    m.finished = report.timestamp()
    return write_manifest(dir, m)
  end
  return true
end

-- Run logs -------------------------------------------------------------------

local RunLog = {}
RunLog.__index = RunLog

-- study_dir.run_log(dir, st, fields) -> RunLog; fields (shard, jobs, ...)
-- are recorded as given. log:point(id, elapsed_s), log:failed(),
-- log:save(status, force, fields).
function D.run_log(dir, st, fields)
  local t = core.time()
  local data = report.provenance {
    pid = core.pid(), started = report.timestamp(t), finished = json.null,
    status = "running", study_hash = st.hash, points_run = 0, points_failed = 0, elapsed_s = {},
  }
  for k, v in pairs(fields or {}) do data[k] = v end
  local name = string.format("%s-%s-%d.json", os.date("!%Y%m%dT%H%M%SZ", math.floor(t)),
                             data.host:gsub("[^%w.-]", "_"), data.pid)
  return setmetatable({ path = dir .. "/runs/" .. name, data = data, saved = -math.huge }, RunLog)
end

function RunLog:point(id, elapsed_s)
  self.data.elapsed_s[id] = tonumber(string.format("%.6f", elapsed_s))
  self.data.points_run = self.data.points_run + 1
end

function RunLog:failed()
  self.data.points_failed = self.data.points_failed + 1
end

-- log:save(status, force, fields): written at most every 30 s unless forced
function RunLog:save(status, force, fields)
  for k, v in pairs(fields or {}) do self.data[k] = v end
  local now = core.clock()
  if not force and now - self.saved < 30 then return true end
  self.saved = now
  if status then self.data.status = status end
  if status and status ~= "running" then self.data.finished = report.timestamp() end
  return core.write_file(self.path, json.encode(self.data, { indent = " ", exact = true }) .. "\n")
end

-- study_dir.read_runs(dir) -> list of run logs (oldest first) | nil, message
function D.read_runs(dir)
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

-- study_dir.collect(dir) -> { manifest =, rows =, columns =, params =,
--   metrics =, points =, missing = { points }, bad = { as scan's },
--   extra = n } | nil, message
-- rows: one table per finished point in grid order, with the parameters,
-- "repeat", "seed" and the metrics; bad files are missing points, files not
-- in the grid are counted in extra and left out.
function D.collect(dir)
  local m, err = D.read_manifest(dir)
  if not m then return nil, err end
  local points, params = D.manifest_points(m)
  local s, serr = D.scan(dir, m, points, { keep = true })
  if not s then return nil, serr end
  local rows, missing, metric_set = {}, {}, {}
  for _, p in ipairs(points) do
    local metrics = s.done[p.id]
    if metrics then
      local row = util.copy(p.params)
      row["repeat"], row.seed = p.rep, p.seed
      for k, v in pairs(metrics) do
        row[k] = v
        metric_set[k] = true
      end
      rows[#rows + 1] = row
    else
      missing[#missing + 1] = p
    end
  end
  local metrics = util.sorted_keys(metric_set)
  local columns = table.move(params, 1, #params, 1, {})
  columns[#columns + 1] = "repeat"
  columns[#columns + 1] = "seed"
  table.move(metrics, 1, #metrics, #columns + 1, columns)
  return { manifest = m, rows = rows, columns = columns, params = params, metrics = metrics,
           missing = missing, bad = s.bad, extra = s.extra, points = points }
end

return D
