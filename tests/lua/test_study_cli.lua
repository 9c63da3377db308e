-- `spacexnet study` end to end on tests/study/toy.lua (12 points): every way
-- of running it (resumed after SIGINT or SIGKILL, sharded, --jobs 2, the
-- README's GNU Parallel recipe, grown with --force) leaves byte-identical
-- point files and merged CSVs; foreign directories are refused.
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local t = require "harness"
local xnet = require "xnet"
local study = require "xnet.study"
local study_dir = require "xnet.study_dir"
local json = require "xnet.json"

local BIN = assert(xnet.executable())
local TOY = arg[0]:gsub("lua/[^/]*$", "study/toy.lua")
local tmp = t.tmpdir()

local function q(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

-- sx("run ...", "ENV=1") -> exit status, stdout and stderr together
local function sx(args, env)
  local p = io.popen(string.format("%s %s study %s 2>&1", env or "", q(BIN), args))
  local out = p:read("a")
  local _, _, code = p:close()
  return code, out
end

local function run(dir, extra, env)
  return sx(string.format("run %s --out %s %s", q(TOY), q(dir), extra or ""), env)
end

-- name -> bytes of every point file (ID.json) in dir/points
local function point_files(dir)
  local files = {}
  for _, name in ipairs(xnet.list_dir(dir .. "/points") or {}) do
    if name:match("%.json$") then
      files[name] = assert(xnet.read_file(dir .. "/points/" .. name))
    end
  end
  return files
end

local function count(files)
  local n = 0
  for _ in pairs(files) do n = n + 1 end
  return n
end

-- Same names and bytes, or the first difference.
local function same(a, b)
  for name, bytes in pairs(a) do
    if b[name] ~= bytes then return false, name .. (b[name] and " differs" or " missing") end
  end
  for name in pairs(b) do
    if a[name] == nil then return false, name .. " extra" end
  end
  return true
end

local function check_same(dir, want, what)
  local ok, why = same(point_files(dir), want)
  t.check(ok, what .. ": " .. tostring(why))
end

local function has(text, s, what)
  return t.check(text:find(s, 1, true) ~= nil, (what or "") .. ": no '" .. s .. "' in:\n" .. text)
end

-- The reference: one uninterrupted run.
local ref = tmp .. "/ref"
local code, out = run(ref)
t.check(code == 0, out)
has(out, "12 of 12 points to run")
has(out, "ran 12 points")
local REF = point_files(ref)
t.check(count(REF) == 12)
for name, bytes in pairs(REF) do
  local rec = json.decode(bytes)
  t.check(rec and name == rec.id .. ".json" and type(rec.metrics.active) == "number"
          and rec.metrics.tag == "rep" .. rec["repeat"], name)
end
-- the seed test_study.lua pins is the one the run used
local key = study.canonical { pattern = "star", planes = 4, survival = 0.8 }
local rec = json.decode(REF[select(1, study.derive(7, key, 1)) .. ".json"])
t.check(rec and rec.seed == 195299727229372 and rec.params.survival == 0.8)

local m = assert(study_dir.read_manifest(ref))
local src = assert(xnet.read_file(TOY))
t.check(m.name == "toy" and m.seed == 7 and m.repeats == 2 and m.points == 12)
t.check(m.study_hash == ("%016x"):format(xnet.hash64(src)) and m.study_file == TOY)
t.check(m.spacexnet_version == xnet.version
        and m.revision == (xnet.revision ~= "unknown" and xnet.revision or json.null))
t.check(table.concat(m.grid.planes, ",") == "3,4,5" and table.concat(m.params, ",")
        == "pattern,planes,survival")
t.check(m.started:match("^%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%dZ$") and m.finished ~= json.null)
t.check(xnet.read_file(ref .. "/study.lua") == src, "the study file is copied")
local runs = assert(study_dir.read_runs(ref))
t.check(#runs == 1 and runs[1].status == "complete" and runs[1].points_run == 12
        and runs[1].jobs == 1 and runs[1].shard == json.null)

-- again: nothing to do
code, out = run(ref)
t.check(code == 0, out)
has(out, "nothing to do, 12/12 points done")
check_same(ref, REF, "second run")

-- merge: CSV in grid order, gzip on request, a Markdown summary
code, out = sx("merge " .. q(ref))
t.check(code == 0, out)
t.check(out:match("| pattern | planes | survival | n +| active +| mean_latency_ms +| "
                  .. "reachable +| tag +|\n"), out)
has(out, ref .. "/results.csv: 12 rows (12 of 12 points)")
local CSV = assert(xnet.read_file(ref .. "/results.csv"))
local lines = {}
for line in CSV:gmatch("[^\n]+") do lines[#lines + 1] = line end
t.check(#lines == 13 and lines[1] == "pattern,planes,survival,repeat,seed,active,"
        .. "mean_latency_ms,reachable,tag", lines[1])
t.check(lines[2]:match("^star,3,0%.8,1,%d+,") and lines[13]:match("^star,5,1%.0,2,%d+,"), CSV)
code, out = sx("merge " .. q(ref) .. " --gzip --quiet")
t.check(code == 0 and not out:find("| pattern", 1, true), out)
local gz = io.open(ref .. "/results.csv.gz", "rb")
t.check(gz and gz:read(2) == "\31\139", "gzip magic")
if gz then gz:close() end
t.check(xnet.read_file(ref .. "/results.csv.gz") == CSV, "gzip holds the same CSV")
code = sx("merge " .. q(ref) .. " --out " .. q(tmp .. "/elsewhere.csv") .. " --quiet")
t.check(code == 0 and xnet.read_file(tmp .. "/elsewhere.csv") == CSV)

-- status, and stray temporary files (a write killed midway) are ignored
assert(xnet.write_file(ref .. "/points/0123456789abcdef.json.tmpAbC123", "{"))
code, out = sx("status " .. q(ref))
t.check(code == 0, out)
has(out, "done: 12 of 12 (100.0%); missing: 0")
has(out, "grid: pattern (1) x planes (3) x survival (2) x 2 repeats = 12 points; seed 7")
has(out, "runs: 1 (1 complete)")
code, out = sx("merge " .. q(ref) .. " --quiet")
t.check(code == 0 and xnet.read_file(ref .. "/results.csv") == CSV, out)
os.remove(ref .. "/points/0123456789abcdef.json.tmpAbC123")

-- --jobs 2 gives the same bits as --jobs 1
local j2 = tmp .. "/jobs2"
code, out = run(j2, "--jobs 2")
t.check(code == 0, out)
has(out, "12 of 12 points to run in " .. j2 .. " with 2 jobs")
check_same(j2, REF, "--jobs 2")
t.check(assert(study_dir.read_runs(j2))[1].points_run == 12)
sx("merge " .. q(j2) .. " --quiet")
t.check(xnet.read_file(j2 .. "/results.csv") == CSV, "--jobs 2 CSV")

-- shards: the union of K/3 is the unsharded run; status says what is missing
local sh = tmp .. "/shards"
for _, k in ipairs { 3, 1 } do
  code, out = run(sh, "--shard " .. k .. "/3")
  t.check(code == 0, out)
  has(out, string.format("study 'toy' (shard %d/3): 4 of 4 points to run", k))
end
code, out = sx("status " .. q(sh))
t.check(code == 1, out)
has(out, "done: 8 of 12 (66.7%); missing: 4")
has(out, "missing: pattern=star planes=3 survival=0.8 repeat=2")
code, out = run(sh, "--shard 2/3 --jobs 2")
t.check(code == 0, out)
check_same(sh, REF, "shards 1..3 of 3")
t.check(select(1, sx("status " .. q(sh))) == 0)

-- the GNU Parallel recipe of the README, on one machine
if os.execute("command -v parallel >/dev/null 2>&1") then
  local par = tmp .. "/parallel"
  local p = io.popen(string.format("parallel --will-cite --jobs 2 %s study run %s --out %s "
                                   .. "--shard {}/4 ::: 1 2 3 4 2>&1 && %s study merge %s",
                                   q(BIN), q(TOY), q(par), q(BIN), q(par)))
  out = p:read("a")
  t.check(p:close(), out)
  check_same(par, REF, "GNU Parallel, 4 shards")
  t.check(xnet.read_file(par .. "/results.csv") == CSV, "GNU Parallel CSV")
else
  t.check(false, "GNU parallel is not installed (apt-get install parallel)")
end

-- Resume: kill a run partway (SIGINT, as Ctrl-C; or SIGKILL, as a lost
-- node), start it again, and get exactly the files of the reference.
local function interrupted_run(name, signal, extra)
  local dir = tmp .. "/" .. name
  local pidf, rcf = tmp .. "/" .. name .. ".pid", tmp .. "/" .. name .. ".rc"
  -- The pid and status files appear whole (written aside, then renamed), so a
  -- poll never reads one half-written.
  os.execute(string.format("(STUDY_TEST_DELAY=0.25 %s study run %s --out %s %s >%s 2>&1 & "
                           .. "echo $! >%s.w; mv %s.w %s; wait $!; echo $? >%s.w; mv %s.w %s) "
                           .. ">/dev/null 2>&1 &", q(BIN), q(TOY), q(dir), extra,
                           q(tmp .. "/" .. name .. ".log"), q(pidf), q(pidf), q(pidf), q(rcf),
                           q(rcf), q(rcf)))
  local deadline = xnet.clock() + 60
  local function wait_for(cond)
    while not cond() and xnet.clock() < deadline do xnet.sleep(0.02) end
    return cond()
  end
  t.check(wait_for(function() return count(point_files(dir)) >= 3 end), name .. " started")
  local pid = xnet.read_file(pidf)
  os.execute("kill -" .. signal .. " " .. pid)
  t.check(wait_for(function() return xnet.read_file(rcf) ~= nil end), name .. " stopped")
  local rc = tonumber(xnet.read_file(rcf) or "")
  local log = xnet.read_file(tmp .. "/" .. name .. ".log") or ""
  local files = point_files(dir)
  local left, foreign = 0, {}
  for file, bytes in pairs(files) do
    if REF[file] ~= bytes then foreign[#foreign + 1] = file end
  end
  t.check(#foreign == 0, name .. ": files unlike the reference's: " .. table.concat(foreign, " "))
  for _, file in ipairs(xnet.list_dir(dir .. "/points")) do
    if file:find(".tmp", 1, true) then left = left + 1 end
  end
  t.check(left == 0, name .. ": no temporary file left")
  t.check(count(files) < 12, name .. " was stopped partway, got " .. count(files))
  return dir, rc, log, count(files)
end

for _, case in ipairs { { "sigint", "INT", "" }, { "sigint-jobs2", "INT", "--jobs 2" },
                        { "sigkill", "KILL", "" } } do
  local dir, rc, log, n = interrupted_run(case[1], case[2], case[3])
  if case[2] == "INT" then
    t.check(rc == 130, case[1] .. " exit status " .. tostring(rc) .. "\n" .. log)
    has(log, "interrupted; run the same command again", case[1])
    local r = assert(study_dir.read_runs(dir))
    t.check(#r == 1 and r[1].status == "interrupted" and r[1].points_run == n,
            case[1] .. ": the run log counts what was saved")
  else
    t.check(rc == 128 + 9, case[1] .. " exit status " .. tostring(rc))
  end
  code, out = sx("status " .. q(dir))
  t.check(code == 1, out)
  has(out, string.format("done: %d of 12", n), case[1])
  code, out = run(dir, case[3])
  t.check(code == 0, out)
  has(out, string.format("%d of 12 points to run", 12 - n), case[1])
  check_same(dir, REF, case[1] .. " resumed")
  t.check(study_dir.read_manifest(dir).finished ~= json.null)
end

-- A failing point stops the run unless --keep-going; the rest is intact.
local bad = tmp .. "/failing"
code, out = run(bad, "", "STUDY_TEST_FAIL=4")
t.check(code == 1, out)
has(out, "planned failure at planes=4")
has(out, "point pattern=star planes=4 survival=0.8 repeat=1 (seed 195299727229372")
has(out, "stopped at the first failure; --keep-going runs the other points")
t.check(count(point_files(bad)) == 4, "the points before the failure are saved")
code, out = run(bad, "--keep-going --jobs 2", "STUDY_TEST_FAIL=4")
t.check(code == 1, out)
has(out, "ran 4 points")
has(out, "4 failed")
t.check(count(point_files(bad)) == 8)
code, out = sx("merge " .. q(bad) .. " --quiet")
t.check(code == 1, "a partial merge exits 1")
has(out, "partial merge, 4 points are missing")
code, out = run(bad)
t.check(code == 0, out)
check_same(bad, REF, "after fixing the failure")

-- The manifest check: a different study file is refused, an intentional
-- change is accepted with --force and keeps every result still in the grid.
local grown = tmp .. "/toy_grown.lua"
assert(xnet.write_file(grown, string.format([[
-- toy.lua with planes = 6 added
local toy = dofile(%q)
return require("xnet.study") { name = "toy", description = toy.description, seed = toy.seed,
  repeats = toy.repeats, run = toy.run,
  grid = { planes = { 3, 4, 5, 6 }, survival = toy.grid.survival, pattern = toy.grid.pattern } }
]], TOY)))
local ext = tmp .. "/extended"
assert(select(1, run(ext)) == 0)
local before = point_files(ext)
code, out = sx(string.format("run %s --out %s", q(grown), q(ext)))
t.check(code == 1, out)
has(out, ext .. " was made by a different study file")
has(out, "this run: study 'toy' from " .. grown)
has(out, "run again with --force")
check_same(ext, before, "a refused run changes nothing")
code, out = sx(string.format("run %s --out %s --force --jobs 2", q(grown), q(ext)))
t.check(code == 0, out)
has(out, "4 of 16 points to run")
local after = point_files(ext)
t.check(count(after) == 16)
for name, bytes in pairs(REF) do t.check(after[name] == bytes, "kept " .. name) end
m = assert(study_dir.read_manifest(ext))
t.check(m.points == 16 and #m.history == 1 and m.history[1].study_hash
        == ("%016x"):format(xnet.hash64(src)) and #m.history[1].grid.planes == 3)
t.check(xnet.read_file(ext .. "/study-" .. m.history[1].study_hash .. ".lua") == src)
t.check(xnet.read_file(ext .. "/study.lua") == xnet.read_file(grown))
code, out = sx("merge " .. q(ext) .. " --quiet")
t.check(code == 0, out)
local merged = xnet.read_file(ext .. "/results.csv")
for i = 2, #lines do
  has(merged, "\n" .. lines[i] .. "\n", "the original rows are unchanged")
end
t.check(select(2, merged:gsub("\n", "")) == 17)
code, out = run(ext)
t.check(code == 1, out)
has(out, "was made by a different study file", "the old file is now the foreign one")

local other = tmp .. "/other.lua"
assert(xnet.write_file(other, 'return require("xnet.study"){ name = "other", '
                              .. 'run = function() return { x = 1 } end }'))
code, out = sx(string.format("run %s --out %s --force", q(other), q(ref)))
t.check(code == 1, out)
has(out, ref .. " holds results of study 'toy', not 'other'")
check_same(ref, REF, "a foreign study changes nothing")
local junk = tmp .. "/junk"
assert(xnet.mkdir(junk))
assert(xnet.write_file(junk .. "/notes.txt", "mine"))
code, out = run(junk)
t.check(code == 1, out)
has(out, junk .. " is not a study directory (it has files but no manifest.json)")

-- Two different study files started at once on a new directory: the first
-- claims it, the other is refused, and nothing is mixed.
local function study_text(metric, extra)
  return string.format([[
local xnet = require "xnet"
return require("xnet.study") { name = "race", seed = 1, repeats = 2, grid = { p = { 1, 2, 3 } },
  run = function(point, seed)
    %s
    xnet.sleep(0.01)
    return { v = %s }
  end }
]], extra or "", metric)
end
local function write_study(name, text)
  local path = tmp .. "/" .. name
  assert(xnet.write_file(path, text))
  return path
end
local race_a = write_study("race_a.lua", study_text('"A"'))
local race_b = write_study("race_b.lua", study_text('"B"'))
local clean = 0
for trial = 1, 4 do
  local dir = tmp .. "/race" .. trial
  local p = io.popen(string.format("(%s study run %s --out %s >%s 2>&1; echo A $? >>%s) & "
                                   .. "(%s study run %s --out %s >%s 2>&1; echo B $? >>%s) & wait",
                                   q(BIN), q(race_a), q(dir), q(dir .. ".a"), q(dir .. ".rc"),
                                   q(BIN), q(race_b), q(dir), q(dir .. ".b"), q(dir .. ".rc")))
  p:read("a")
  p:close()
  local rc = xnet.read_file(dir .. ".rc") or ""
  local winner = rc:match("A 0") and not rc:match("B 0") and "A"
                 or rc:match("B 0") and not rc:match("A 0") and "B"
  local refused = winner and xnet.read_file(dir .. (winner == "A" and ".b" or ".a")) or ""
  local man = study_dir.read_manifest(dir)
  local values, hashes = {}, {}
  for _, bytes in pairs(point_files(dir)) do
    local r = json.decode(bytes)
    values[r.metrics.v], hashes[r.study_hash] = true, true
  end
  local hash = winner and ("%016x"):format(xnet.hash64(xnet.read_file(winner == "A" and race_a
                                                                       or race_b)))
  if winner and refused:find("was made by a different study file", 1, true) and man
     and man.study_hash == hash and values[winner] and not values[winner == "A" and "B" or "A"]
     and hashes[hash] and next(hashes, hash) == nil and next(hashes) == hash
     and count(point_files(dir)) == 6 then
    clean = clean + 1
  else
    io.stderr:write("race trial ", trial, ": ", rc, refused, "\n")
  end
end
t.check(clean == 4, "two study files at once: one claims the directory, " .. clean .. " of 4 clean")

-- Point files that do not count: damaged (truncated, empty, a directory),
-- with a metric named like a grid parameter, or from another study file.
-- status reports them, merge leaves them out, run moves them aside and redoes them.
local dmg = tmp .. "/damaged"
assert(select(1, run(dmg)) == 0)
local ids = {}
for name in pairs(REF) do ids[#ids + 1] = name end
table.sort(ids)
local function damage(i, how)
  local path = dmg .. "/points/" .. ids[i]
  if how == "directory" then
    os.remove(path)
    assert(xnet.mkdir(path .. "/inside"))
  else
    assert(xnet.write_file(path, how))
  end
end
damage(1, REF[ids[1]]:sub(1, 40))
damage(2, "")
damage(3, "directory")
damage(4, (REF[ids[4]]:gsub('"metrics":{', '"metrics":{"planes":[1,2],')))
damage(5, (REF[ids[5]]:gsub('"study_hash":"%x+"', '"study_hash":"00000000000000ff"')))
code, out = sx("status " .. q(dmg))
t.check(code == 1, out)
has(out, "done: 7 of 12 (58.3%); missing: 5")
has(out, "5 point files do not count ('study run' runs their points again):")
has(out, "/points/" .. ids[3] .. ": Is a directory")
has(out, ids[2] .. ": line 1: ")
has(out, "metric 'planes' has the name of a grid parameter")
has(out, "computed by another study file (hash 00000000000000ff)")
code, out = sx("merge " .. q(dmg) .. " --quiet")
t.check(code == 1, out)
has(out, "partial merge, 5 points are missing")
local partial = xnet.read_file(dmg .. "/results.csv") or ""
t.check(not partial:find("json", 1, true) and select(2, partial:gsub("\n", "")) == 8, partial)
code, out = run(dmg)
t.check(code == 0, out)
has(out, "5 point files do not count; their points run again (the files are moved to *.bad)")
has(out, "5 of 12 points to run")
check_same(dmg, REF, "damaged points redone")
t.check(xnet.read_file(dmg .. "/points/" .. ids[3] .. ".bad/inside") == nil
        and xnet.list_dir(dmg .. "/points/" .. ids[3] .. ".bad") ~= nil, "the directory is kept")
t.check(select(1, sx("status " .. q(dmg))) == 0)

-- stray files in points/ are listed by status (and change nothing else)
assert(xnet.write_file(dmg .. "/points/junk.json", "{}"))
assert(xnet.write_file(dmg .. "/points/notes.txt", "mine"))
code, out = sx("status " .. q(dmg))
t.check(code == 0, out)
has(out, "2 unexpected files in " .. dmg .. "/points (not point files; ignored):\n  junk.json\n  notes.txt")
os.remove(dmg .. "/points/junk.json")
os.remove(dmg .. "/points/notes.txt")

-- a damaged manifest: every command says how to rebuild it; run with the
-- study file that made the directory rebuilds it and keeps every point file
local manifest_good = assert(xnet.read_file(dmg .. "/manifest.json"))
assert(xnet.write_file(dmg .. "/manifest.json", "{\n"))
for _, cmd in ipairs { "status " .. q(dmg), "merge " .. q(dmg) .. " --quiet" } do
  code, out = sx(cmd)
  t.check(code ~= 0, cmd .. ": " .. out)
  has(out, dmg .. "/manifest.json: line 2", cmd)
  has(out, "spacexnet study run " .. dmg .. "/study.lua --out " .. dmg, cmd)
end
local other = tmp .. "/toy-edited.lua"
assert(xnet.write_file(other, assert(xnet.read_file(TOY)) .. "\n-- edited\n"))
code, out = sx(string.format("run %s --out %s", q(other), q(dmg)))
t.check(code ~= 0, out)
has(out, other .. " is not the study file that made " .. dmg)
t.check(xnet.read_file(dmg .. "/manifest.json") == "{\n", "a refused run leaves the manifest as it was")
code, out = run(dmg)
t.check(code == 0, out)
has(out, "rebuilt " .. dmg .. "/manifest.json from " .. TOY .. " (it was damaged: ")
has(out, "nothing to do, 12/12 points done")
check_same(dmg, REF, "points kept when the manifest is rebuilt")
local rebuilt = assert(study_dir.read_manifest(dmg))
t.check(rebuilt.study_hash == assert(json.decode(manifest_good)).study_hash)
t.check(select(1, sx("status " .. q(dmg))) == 0)

-- merge never writes over the study's own files, however the path is spelt
local manifest_bytes = xnet.read_file(ref .. "/manifest.json")
assert(os.execute(string.format("ln -s %s %s", q(ref .. "/manifest.json"), q(tmp .. "/link.csv"))))
for _, target in ipairs { ref .. "/manifest.json", ref .. "/./manifest.json",
                          tmp .. "/../" .. tmp:match("[^/]+$") .. "/ref//manifest.json",
                          tmp .. "/link.csv", ref .. "/study.lua", ref .. "/points/x.csv",
                          ref .. "/runs/r.csv", ref .. "/points" } do
  code, out = sx("merge " .. q(ref) .. " --quiet --out " .. q(target))
  t.check(code == 2, target .. ": " .. out)
  has(out, "writing there would destroy the study's own files", target)
end
code, out = sx("merge " .. q(ref) .. " --quiet --gzip --out " .. q(ref .. "/manifest.json.gz"))
t.check(code == 0, out)
t.check(xnet.read_file(ref .. "/manifest.json") == manifest_bytes, "the manifest is untouched")
check_same(ref, REF, "merge refusals change no point")

-- math.random in a point is seeded from the point's seed: the same bits
-- with --jobs 1 and --jobs 2, run after run
local rnd = write_study("random.lua", study_text("math.random()"))
local rnd1, rnd2 = tmp .. "/random1", tmp .. "/random2"
t.check(select(1, sx(string.format("run %s --out %s", q(rnd), q(rnd1)))) == 0)
t.check(select(1, sx(string.format("run %s --out %s --jobs 2", q(rnd), q(rnd2)))) == 0)
local r1 = point_files(rnd1)
local ok_same, why_same = same(r1, point_files(rnd2))
t.check(count(r1) == 6 and ok_same, "math.random is reproducible: " .. tostring(why_same))

-- An error that merely says "interrupted" is a failing point, not Ctrl-C
local says = write_study("says.lua", study_text("1",
  'if point.p == 2 then error("the transfer was interrupted") end'))
code, out = sx(string.format("run %s --out %s --keep-going", q(says), q(tmp .. "/says")))
t.check(code == 1, "exit 1, not 130: " .. out)
has(out, "the transfer was interrupted")
has(out, "ran 4 points in")
has(out, "2 failed")

-- os.exit inside a point fails the point; the run still ends and says so
local exits = write_study("exits.lua", "local exit = os.exit\n"
                         .. study_text("1", "if point.p == 2 then exit(0) end"))
for _, jobs in ipairs { 1, 2 } do
  local dir = tmp .. "/exits" .. jobs
  code, out = sx(string.format("run %s --out %s --keep-going --jobs %d", q(exits), q(dir), jobs))
  t.check(code == 1, "os.exit(0) in a point, --jobs " .. jobs .. ": " .. out)
  has(out, "os.exit(0) called inside a point")
  local log = study_dir.read_runs(dir)
  t.check(log and #log == 1 and log[1].status == "failed" and log[1].points_failed == 2,
          "the run log says failed")
end

-- Too many points, and absurd shards, are usage errors, not tracebacks
local huge = write_study("huge.lua", 'return require("xnet.study") { name = "huge", '
                         .. "repeats = 1 << 62, grid = { p = { 1, 2, 3, 4 } }, "
                         .. "run = function() return {} end }")
code, out = sx(string.format("run %s --out %s", q(huge), q(tmp .. "/huge")))
t.check(code == 1 and not out:find("traceback", 1, true), out)
has(out, "the study has 4 x 4611686018427387904 repeats = 18446744073709551616 points, "
         .. "more than the limit of 1000000")
t.check(xnet.list_dir(tmp .. "/huge") == nil, "nothing is created")
code, out = run(tmp .. "/x", "--shard 1/99999999999999999999")
t.check(code == 2 and not out:find("traceback", 1, true), out)
has(out, "--shard must be K/N with 1 <= K <= N <= 1000000, got '1/99999999999999999999'")

-- A new directory may be an empty one, or a symbolic link to one
local target = tmp .. "/target"
assert(xnet.mkdir(target))
assert(os.execute(string.format("ln -s %s %s", q(target), q(tmp .. "/via"))))
code, out = run(tmp .. "/via")
t.check(code == 0, out)
check_same(target, REF, "run through a link to an empty directory")


-- plot from the command line
code, out = sx("plot " .. q(ref) .. " --x planes --y active --by survival")
t.check(code == 0, out)
t.check(xnet.read_file(ref .. "/active-planes.dat") ~= nil and
        xnet.read_file(ref .. "/active-planes.gp") ~= nil)
has(out, ref .. "/active-planes")
code, out = sx("plot " .. q(ref .. "/results.csv") .. " --x planes --y active")
t.check(code == 2, out)
has(out, "parameter 'survival' takes 2 values (0.8, 1.0)")
code, out = sx("plot " .. q(ref .. "/results.csv") .. " --x planes --y active --bars "
               .. "--where survival=1.0 --out " .. q(tmp .. "/fig/bars"))
t.check(code == 0 and xnet.read_file(tmp .. "/fig/bars.gp"), out)

-- usage errors exit 2 and say what is wrong
for _, c in ipairs {
  { "run " .. q(TOY), "run needs --out DIR" },
  { "run --out x", "run takes one study file, got 0" },
  { "run " .. q(TOY) .. " --out x --shard 4/3",
    "--shard must be K/N with 1 <= K <= N <= 1000000, got '4/3'" },
  { "run " .. q(TOY) .. " --out x --jobs -1", "--jobs must be an integer in [0, 1024], got '-1'" },
  { "run " .. q(TOY) .. " --out x --jobz 2", "unknown option '--jobz' (did you mean '--jobs'?" },
  { "run " .. q(TOY) .. " --out x --force=yes", "--force takes no value" },
  { "frobnicate", "unknown command 'frobnicate'" },
  { "merge", "merge takes one study directory, got 0" },
  { "plot " .. q(ref) .. " --x planes", "plot needs --x PARAM and --y METRIC" },
} do
  code, out = sx(c[1])
  t.check(code == 2, c[1] .. " exit status " .. tostring(code))
  has(out, c[2], c[1])
end
code, out = sx("help")
t.check(code == 0, out)
has(out, "usage: spacexnet study run FILE --out DIR")
code, out = sx("status " .. q(tmp .. "/nowhere"))
t.check(code == 1, out)
has(out, tmp .. "/nowhere/manifest.json: No such file or directory")
code, out = sx("run " .. q(tmp .. "/nofile.lua") .. " --out " .. q(tmp .. "/x"))
t.check(code == 1, out)
has(out, tmp .. "/nofile.lua: No such file or directory")

t.rmtree(tmp)
t.done()
