-- The study library in one process: seed derivation, definitions and their
-- errors, JSON and CSV round trips, the progress display, plot aggregation
-- and plot files. tests/lua/test_study_cli.lua runs the commands end to end.
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local t = require "harness"
local xnet = require "xnet"
local study = require "xnet.study"
local study_dir = require "xnet.study_dir"
local csv = require "xnet.csv"
local json = require "xnet.json"
local progress = require "xnet.progress"
local plot = require "xnet.plot"

local function noop() return {} end

-- Process primitives (src/proc.c): a worker reads stdin and reports on fd 3.
local function collect_reports(p, want)
  local got, deadline = "", xnet.clock() + 20
  while xnet.clock() < deadline do
    xnet.poll({ p }, 1)
    local chunk = p:receive()
    if chunk == nil then return got, true end
    got = got .. chunk
    if want and got == want then return got, false end
  end
  return got, false
end
local w = assert(xnet.spawn { "/bin/sh", "-c",
                              'while read x; do echo "got $x" >&3; done; exit 3' })
t.check(w:pid() > 0 and tostring(w):find("^process %d+$"))
t.check(w:send("a\n") == true and w:send("b\n") == true)
t.check(collect_reports(w, "got a\ngot b\n") == "got a\ngot b\n")
t.check(w:receive() == "", "nothing pending: an empty string, at once")
t.check(w:wait(false) == nil, "still running")
w:close_input()
local rest, eof = collect_reports(w)
t.check(rest == "" and eof and w:receive() == nil)
t.check(w:wait() == 3 and w:wait() == 3 and w:pid() == 0)
t.check(tostring(w) == "process (exited 3)")
local sent, why = w:send("late\n")
t.check(sent == nil and why:find("input already closed", 1, true), why)
local gone = assert(xnet.spawn { "/bin/sh", "-c", "exit 0" })
t.check(gone:wait() == 0)
sent, why = gone:send(string.rep("x", 100000))
t.check(sent == nil and why:find("Broken pipe", 1, true), "SIGPIPE is ignored: " .. tostring(why))
local sleeper = assert(xnet.spawn { "/bin/sleep", "30" })
sleeper:kill("TERM")
t.check(sleeper:wait() == 128 + 15)
sleeper:close()
local group = assert(xnet.spawn { "/bin/sh", "-c", "ps -o pgid= -p $$ >&3" })
local pid = group:pid()
local pgid = collect_reports(group)
t.check(tonumber(pgid) == pid, "a worker leads its own process group: " .. pgid)
group:wait()
local none, err = xnet.spawn { "/nonexistent/worker" }
if none then -- under valgrind posix_spawn is fork + exec: the child exits 127
  t.check(none:wait() == 127)
else
  t.check(err:find("/nonexistent/worker: cannot start a worker", 1, true), err)
end
t.check_error("spawn needs 1 to 4096 words, got 0", xnet.spawn, {})
t.check_error("spawn word 2 must be a string, got number", xnet.spawn, { "/bin/true", 2 })
t.check_error("invalid option 'HUP'", w.kill, w, "HUP")
t.check_error("timeout_s must be >= 0", xnet.poll, {}, -1)
t.check_error("fd 5 out of range [0, 3)", xnet.isatty, 5)
t.check_error("seconds must be >= 0 and finite", xnet.sleep, -1)
local t0 = xnet.clock()
t.check(xnet.poll({}, 0.05) == 0)
xnet.sleep(0.02)
t.check(xnet.clock() - t0 >= 0.07 and xnet.clock() - t0 < 5)
t.check(math.abs(xnet.time() - os.time()) < 5)
t.check(xnet.pid() > 0 and #xnet.hostname() > 0 and xnet.cpu_count() >= 1)
t.check(xnet.executable():match("^/.*spacexnet$"), xnet.executable())
local pdir = t.tmpdir()
t.check(xnet.mkdir(pdir .. "/a//b/c/") == true and xnet.mkdir(pdir .. "/a/b/c") == true)
assert(xnet.write_file(pdir .. "/a/f", "x"))
local listed = xnet.list_dir(pdir .. "/a")
table.sort(listed)
t.check(table.concat(listed, ",") == "b,f")
local made, merr = xnet.mkdir(pdir .. "/a/f/g")
t.check(made == nil and merr:find(pdir .. "/a/f/g: ", 1, true), merr)
local l2, lerr = xnet.list_dir(pdir .. "/nope")
t.check(l2 == nil and lerr == pdir .. "/nope: No such file or directory", lerr)
t.rmtree(pdir)

-- hash64 is FNV-1a 64 finished by splitmix64: check it against a plain-Lua
-- version (Lua integers wrap like uint64) and pin one value.
local function ref_hash64(s)
  local h = -3750763034362895579 -- 0xcbf29ce484222325
  for i = 1, #s do h = (h ~ s:byte(i)) * 0x100000001b3 end
  h = h + -7046029254386353131 -- 0x9e3779b97f4a7c15
  h = (h ~ (h >> 30)) * -4658895280553007687 -- 0xbf58476d1ce4e5b9
  h = (h ~ (h >> 27)) * -7723592293110705685 -- 0x94d049bb133111eb
  return h ~ (h >> 31)
end
for _, s in ipairs { "", "a", "abc", "spacexnet-study\n7\n{}\n1", string.rep("xyz\0", 300) } do
  t.check(xnet.hash64(s) == ref_hash64(s), "hash64 of a " .. #s .. "-byte string")
end
t.check(("%016x"):format(xnet.hash64("abc")) == "29e32c04ec3f9c30", "hash64 is pinned")

-- canonical keys: sorted names, integral numbers as integers, %.17g otherwise
t.check(study.canonical { survival = 0.1, planes = 33, pattern = "star", on = true }
        == '{"on":true,"pattern":"star","planes":33,"survival":0.10000000000000001}')
t.check(study.canonical { a = 550.0 } == study.canonical { a = 550 }, "550.0 is 550")
t.check(study.canonical { a = "x\"y" } == '{"a":"x\\"y"}')
t.check(study.canonical {} == "{}")

-- derive: pinned (the toy study's first point; test_study_cli.lua finds the
-- same seed in the file the run writes), and every input matters
local key = study.canonical { pattern = "star", planes = 4, survival = 0.8 }
t.check(key == '{"pattern":"star","planes":4,"survival":0.80000000000000004}', key)
local id, seed = study.derive(7, key, 1)
t.check(id == "058cfe16ee0de335" and seed == 195299727229372, "derive is pinned")
t.check(math.type(seed) == "integer" and seed >= 0 and seed < 2 ^ 53)
local id2, seed2 = study.derive(7, key, 2)
local id3, seed3 = study.derive(8, key, 1)
t.check(id2 ~= id and id3 ~= id and seed2 ~= seed and seed3 ~= seed)

-- seeds do not depend on grid order or on the other values in the grid
local a = study { name = "a", seed = 3, repeats = 2, run = noop,
                  grid = { planes = { 3, 4, 5 }, pattern = { "star", "delta" } } }
local b = study { name = "b", seed = 3, repeats = 3, run = noop,
                  grid = { pattern = { "delta", "star", "ring" }, planes = { 6, 5.0, 4, 3 } } }
t.check(#a:points() == 12 and #b:points() == 36)
local same = 0
for _, p in ipairs(a:points()) do
  local q = b:point(p.id)
  if q and q.seed == p.seed and q.rep == p.rep and q.params.pattern == p.params.pattern
     and q.params.planes == p.params.planes then
    same = same + 1
  end
end
t.check(same == 12, "every point of a has the same id and seed in b, got " .. same)
local ids = {}
for _, p in ipairs(b:points()) do ids[p.id] = true end
local n = 0
for _ in pairs(ids) do n = n + 1 end
t.check(n == 36, "ids are distinct")

-- grid order: names sorted, first name slowest, values as listed, repeats inside
local order = {}
for _, p in ipairs(a:points()) do
  order[#order + 1] = p.params.pattern .. p.params.planes .. "/" .. p.rep
end
t.check(table.concat(order, " ") == "star3/1 star3/2 star4/1 star4/2 star5/1 star5/2 "
                                    .. "delta3/1 delta3/2 delta4/1 delta4/2 delta5/1 delta5/2")
t.check(#study{ name = "empty", run = noop }:points() == 1, "no grid is one point")

-- shards: disjoint, covering, interleaved
local seen, total = {}, 0
for k = 1, 5 do
  for _, p in ipairs(study.shard(b:points(), k, 5)) do
    t.check(not seen[p.id], "shards overlap")
    seen[p.id], total = true, total + 1
  end
end
t.check(total == 36)
t.check(#study.shard(b:points(), 1, 5) == 8 and #study.shard(b:points(), 5, 5) == 7)
t.check(study.shard(a:points(), 2, 3)[2] == a:points()[5])
t.check(select(1, study.parse_shard("2/4")) == 2 and select(2, study.parse_shard("2/4")) == 4)
for _, bad in ipairs { "0/4", "5/4", "1/0", "x", "1/2/3", "-1/2", "1/99999999999999999999",
                       "1/1000001" } do
  t.check(study.parse_shard(bad) == nil, "shard " .. bad)
end

-- definition errors name the value and the bound
t.check_error("name must be a string of letters", study, { name = "a b", run = noop })
t.check_error("run must be a function(point, seed, info), got nil", study, { name = "x" })
t.check_error("repeats must be an integer >= 1, got 0", study,
              { name = "x", run = noop, repeats = 0 })
t.check_error("seed must be an integer, got 1.5", study, { name = "x", run = noop, seed = 1.5 })
t.check_error("unknown option 'grids' for xnet.study", study,
              { name = "x", run = noop, grids = {} })
t.check_error("grid 'planes' must be a non-empty list of values, got an empty table", study,
              { name = "x", run = noop, grid = { planes = {} } })
t.check_error("grid 'planes' must be a non-empty list of values, got number", study,
              { name = "x", run = noop, grid = { planes = 3 } })
t.check_error("grid 'planes' value 2 must be a number, string or boolean, got table", study,
              { name = "x", run = noop, grid = { planes = { 1, {} } } })
t.check_error("grid 'planes' lists 3.0 twice (values 1 and 3)", study,
              { name = "x", run = noop, grid = { planes = { 3, 4, 3.0 } } })
t.check_error("grid 'planes' value 1 is NaN", study,
              { name = "x", run = noop, grid = { planes = { 0 / 0 } } })
t.check_error("grid parameter 'seed' is a reserved column name", study,
              { name = "x", run = noop, grid = { seed = { 1 } } })
t.check_error("grid parameter names must be identifiers, got \"a-b\"", study,
              { name = "x", run = noop, grid = { ["a-b"] = { 1 } } })
t.check_error("grid 'p' must be a plain list, got key \"k\"", study,
              { name = "x", run = noop, grid = { p = { 1, k = 2 } } })
t.check_error("xnet.study needs a table, got string", study, "x")

-- what run returns is checked
local function returning(v)
  return study { name = "r", grid = { p = { 1 } }, run = function() return v end }
end
local p1 = returning({}):points()[1]
t.check_error("run must return a table of metrics, got nil", returning(nil).run_point,
              returning(nil), p1)
t.check_error("metric 'p' has the name of a grid parameter", returning({ p = 1 }).run_point,
              returning({ p = 1 }), p1)
t.check_error("metric 'seed' has the name of a reserved column",
              returning({ seed = 1 }).run_point, returning({ seed = 1 }), p1)
t.check_error("metric 'm' must be a number, string or boolean, got table",
              returning({ m = {} }).run_point, returning({ m = {} }), p1)
local got_point, got_seed, got_info
local spy = study { name = "spy", grid = { p = { 2 } }, run = function(point, s, info)
  got_point, got_seed, got_info = point, s, info
  point.p = 99 -- a run cannot change the grid
  return { m = 1 }
end }
local sp = spy:points()[1]
spy:run_point(sp)
t.check(got_seed == sp.seed and got_info.rep == 1 and got_info.id == sp.id)
t.check(spy:points()[1].params.p == 2)

-- points are counted before any is listed; the count cannot wrap
local big = study { name = "big", repeats = 1000000, run = noop }
t.check(tostring(big) == "study 'big' (1000000 points)" and big:count() == 1000000
        and rawget(big, "_points") == nil, "counting lists nothing")
t.check_error("the study has 2 x 500001 repeats = 1000002 points, more than the limit of 1000000",
              study, { name = "x", run = noop, repeats = 500001, grid = { p = { 1, 2 } } })
t.check_error("the study has 4 x 4611686018427387904 repeats = 18446744073709551616 points",
              study, { name = "x", run = noop, repeats = 1 << 62, grid = { p = { 1, 2, 3, 4 } } })
t.check_error("the study has 1 x 1 x 9223372036854775807 repeats", study,
              { name = "x", run = noop, repeats = math.maxinteger,
                grid = { a = { 1 }, b = { 2 } } })
t.check(study.count({ a = { 1, 2, 3 } }, 7) == 21)

-- a point sees Lua's generator seeded from its seed, and cannot end the process
local draws = {}
local rnd = study { name = "rnd", grid = { p = { 1, 2 } }, run = function()
  return { r = math.random(1 << 40) }
end }
for i, p in ipairs(rnd:points()) do
  math.randomseed(i * 1000)
  draws[i] = rnd:run_point(p).r
end
math.randomseed(42)
t.check(rnd:run_point(rnd:points()[1]).r == draws[1] and draws[1] ~= draws[2],
        "the same point draws the same numbers")
local exiting = study { name = "ex", run = function() os.exit(3) end }
local real_exit = os.exit
t.check_error("os.exit(3) called inside a point; run must return its metrics",
              exiting.run_point, exiting, exiting:points()[1])
t.check(os.exit == real_exit, "os.exit is restored after the point")
t.check(not study_dir.is_interrupt(), "no Ctrl-C here, whatever a message says")

-- point files: refused at save when the metrics are wrong; checked when read back
t.check_error("metric 'p' has the name of a grid parameter", study_dir.point_json, sp,
              { p = 1 }, "h")
t.check_error("metric 'm' must be a number, string or boolean, got table", study_dir.point_json, sp,
              { m = json.array { 1 } }, "h")
local rec = json.decode(study_dir.point_json(sp, { m = 1 }, "00ff"))
t.check(study_dir.check_record(rec, sp) == nil)
for _, case in ipairs {
  { "id", "x", 'its id is "x"' }, { "seed", 1, "its repeat and seed are 1 and 1, not 1 and " },
  { "params", { p = 3 }, "its parameters are not the point's" },
  { "study_hash", nil, "it records no study hash" },
  { "metrics", { ["repeat"] = 1 }, "metric 'repeat' has the name of a reserved column" },
  { "metrics", "x", "run must return a table of metrics, got string" },
} do
  local bad = json.decode(study_dir.point_json(sp, { m = 1 }, "00ff"))
  bad[case[1]] = case[2]
  local why = study_dir.check_record(bad, sp)
  t.check(why and why:find(case[3], 1, true), case[1] .. ": " .. tostring(why))
end
t.check(study_dir.check_record("x", sp) == "not a JSON object")

-- study files load with strict globals; errors come back as nil, message
local dir = t.tmpdir()
local function study_file(name, text)
  local path = dir .. "/" .. name
  assert(xnet.write_file(path, text))
  return path
end
local st = study.load(study_file("ok.lua", 'return require("xnet.study"){ name = "ok", '
                                 .. 'grid = { a = { 1, 2 } }, run = function(p) '
                                 .. 'return { b = p.a * 2 } end }'))
t.check(study.is_study(st) and st.hash == ("%016x"):format(xnet.hash64(st.source)))
t.check(st:run_point(st:points()[2]).b == 4)
local none, err = study.load(study_file("nothing.lua", "local x = 1"))
t.check(none == nil and err:find("must return xnet.study{...}, got nothing", 1, true), err)
none, err = study.load(study_file("global.lua", "x = 1"))
t.check(none == nil and err:find("assignment to undeclared global 'x'", 1, true), err)
local typo = study.load(study_file("typo.lua", 'return require("xnet.study"){ name = "t", '
                                   .. 'run = function() return { v = undefined_thing } end }'))
t.check_error("read of undeclared global 'undefined_thing'", typo.run_point, typo, typo:points()[1])
local badopt = study_file("badopt.lua", 'local study = require "xnet.study"\n'
                          .. "return study { name = 'b', grids = {}, run = print }")
none, err = study.load(badopt)
t.check(none == nil and err == badopt .. ": unknown option 'grids' for xnet.study (did you mean 'grid'? allowed: "
        .. "description, grid, name, repeats, run, seed)", err)
none, err = study.load(study_file("badline.lua", 'local s = require("xnet.study") { name = "b", '
                                  .. "repeats = 0, run = print }\nreturn s"))
t.check(none == nil and err == dir .. "/badline.lua:1: repeats must be an integer >= 1, got 0",
        err)
none, err = study.load(dir .. "/missing.lua")
t.check(none == nil and err:find("missing.lua", 1, true), err)
none, err = study.load(study_file("syntax.lua", "return {"))
t.check(none == nil and err:find("syntax.lua", 1, true), err)

-- point files are deterministic, strict JSON (tests/lua/test_strict_json.lua: exact NaN
-- and infinities, and old files that hold Infinity)
local text = study_dir.point_json(sp, { m = 0.1, k = 3, s = "a,b", inf = 1 / 0 }, "00ff")
t.check(text == '{"id":"' .. sp.id .. '","metrics":{"inf":null,"k":3,"m":0.1,"s":"a,b"},'
               .. '"nonfinite":{"/metrics/inf":"inf"},'
               .. '"params":{"p":2},"repeat":1,"seed":' .. sp.seed .. ',"study_hash":"00ff"}\n',
        text)
local back_rec = json.decode(text, { exact = true })
t.check(study_dir.check_record(back_rec, sp) == nil and back_rec.metrics.inf == math.huge,
        "a point file holds its numbers exactly")
t.check(study_dir.check_record(json.decode(text), sp) == nil,
        "null for a number that was not finite is read")

-- JSON
local v = { a = 1, b = { 1, 2.5, "x\n\"y\"", true, json.null }, c = {}, d = json.null, f = 3.0,
            g = 0.1, h = -0.0, u = "\u{e9}\1", e = json.array {} }
local enc = json.encode(v)
t.check(enc == '{"a":1,"b":[1,2.5,"x\\n\\"y\\"",true,null],"c":{},"d":null,"e":[],'
               .. '"f":3.0,"g":0.1,"h":-0.0,"u":"\u{e9}\\u0001"}', enc)
local back = json.decode(enc)
t.check(json.encode(back) == enc, "round trip")
t.check(math.type(back.f) == "float" and math.type(back.a) == "integer")
t.check(json.encode(1 / 0) == "null" and json.encode { 0 / 0, -1 / 0 } == "[null,null]",
        "JSON has no infinities or NaN")
t.check(json.decode("[NaN, Infinity, -Infinity]")[2] == math.huge, "but reads what Python writes")
for _, x in ipairs { 0.1, 1 / 3, 1e300, 5e-324, 2 ^ 53 + 0.0, -1.5e-7, 123456789.123 } do
  t.check(json.decode(json.encode(x)) == x, "exact " .. json.number(x))
end
t.check(json.number(0.1) == "0.1" and json.number(2.0) == "2.0" and json.number(1e20) == "1e+20")
t.check(json.decode('"\\ud83d\\ude00 \\u00e9"') == "\u{1F600} \u{e9}")
t.check(json.encode({ x = { 1, 2 } }, { indent = "  " }) == '{\n  "x": [1, 2]\n}')
for _, bad in ipairs { "{", "[1,]", '{"a" 1}', "[1] x", "", "tru", '"\\x"', '"a\nb"',
                       string.rep("[", 300) } do
  local r, e = json.decode(bad)
  t.check(r == nil and type(e) == "string" and e:find("^line %d+: "), "decode " .. bad:sub(1, 9))
end
t.check_error("json: cannot encode a function at $.f", json.encode, { f = print })
t.check_error("json: key 1 at $ must be a string", json.encode, { [1] = 1, [3] = 3 })
local cyc = {}
cyc.self = cyc
t.check_error("json: cycle at $.self", json.encode, cyc)

-- CSV
local rows = { { p = "a,b", q = 1.5, r = true }, { p = 'say "hi"', q = 0 / 0 },
               { p = " pad", q = -1 / 0, r = false } }
local text_csv = csv.encode(rows, { "p", "q", "r" })
t.check(text_csv == 'p,q,r\n"a,b",1.5,true\n"say ""hi""",nan,\n" pad",-inf,false\n', text_csv)
local rrows, rcols = csv.decode(text_csv)
t.check(#rrows == 3 and table.concat(rcols, ",") == "p,q,r")
t.check(rrows[1].p == "a,b" and rrows[1].q == 1.5 and rrows[1].r == true)
t.check(rrows[2].p == 'say "hi"' and rrows[2].q ~= rrows[2].q and rrows[2].r == nil)
t.check(rrows[3].p == " pad" and rrows[3].q == -math.huge and rrows[3].r == false)
t.check(csv.encode(rrows, rcols) == text_csv, "CSV round trip")
t.check(select(2, csv.decode('a\n"x')) == "csv: unterminated quoted field")
local crlf = csv.decode("a,b\r\n1,2\r\n")
t.check(#crlf == 1 and crlf[1].b == 2)
local with_meta = csv.encode({ { a = 1 } }, { "a" }, { z = "last", b = "two\nlines" })
t.check(with_meta == "# b: two lines\n# z: last\na\n1\n", with_meta)
local mrows, mcols = csv.decode(with_meta)
t.check(#mrows == 1 and mcols[1] == "a" and mrows[1].a == 1, "comment lines are skipped")

-- summary statistics over repeats
local stats = require "xnet.stats"
local sm = stats.summary { 5, 6, 7 }
t.check(sm.n == 3 and sm.mean == 6 and sm.sd == 1 and sm.min == 5 and sm.max == 7)
t.near(sm.se, 1 / math.sqrt(3), 1e-15)
local shifted = stats.summary { 1e9 + 5, 1e9 + 6, 1e9 + 7 }
t.check(shifted.sd == 1, "no cancellation far from zero")
t.check(stats.summary({ 4 }).sd == 0 and stats.summary({}).mean ~= stats.summary({}).mean)
t.check(stats.mean { 1, 2, 6 } == 3)

-- progress: a bar on a terminal, plain lines elsewhere
local fake_stream = t.sink
local now = 0
local clock = function() return now end
local out = fake_stream()
local bar = progress.new { total = 10, done = 2, label = "L", stream = out, tty = true,
                           clock = clock, width = 80 }
now = 4
bar:update(2)
local shown = table.concat(out.text)
t.check(shown:find("\rL [", 1, true) and shown:find("4/10  40% 2.0s each ETA ~12s?", 1, true), shown)
bar:note("hello")
t.check(table.concat(out.text):find("\r\27[Khello\n", 1, true))
bar:finish()
t.check(table.concat(out.text):sub(-1) == "\n")
out = fake_stream()
now = 4
bar = progress.new { total = 4, stream = out, tty = false, clock = clock, interval = 10,
                     label = "L" }
now = 5
bar:update(1) -- first report prints
now = 6
bar:update(1) -- within the interval: quiet
now = 8
bar:update(2) -- the last one always prints
bar:finish() -- nothing new to say
local lines = table.concat(out.text)
t.check(lines == "L: 1/4 done (25%), 1.0/s, ETA ~3.0s? (uncertain: few points timed)\n"
                 .. "L: 4/4 done (100%), 1.0/s, ETA 0s\n",
        lines)
t.check(progress.duration(0.00052) == "0.52ms" and progress.duration(0.42) == "420ms"
        and progress.duration(4.2) == "4.2s" and progress.duration(185) == "3m05s"
        and progress.duration(7620) == "2h07m" and progress.duration(1 / 0) == "?")

-- plots: aggregation over repeats, and the files with and without gnuplot
local data = {}
for _, x in ipairs { 1, 2, 3 } do
  for _, g in ipairs { "u", "v" } do
    for rep = 1, 3 do
      data[#data + 1] = { x = x, g = g, fixed = 7, ["repeat"] = rep,
                          y = x * (g == "u" and 1 or 2) + rep }
    end
  end
end
local agg = plot.aggregate { data = data, x = "x", y = "y", by = "g", errors = "sd" }
t.check(#agg.series == 2 and #agg.xs == 3 and agg.numeric_x)
local s2 = agg.series[2].at[2] -- g = v, x = 2: values 5, 6, 7
t.check(s2.n == 3 and s2.mean == 6 and s2.sd == 1 and s2.lo == 5 and s2.hi == 7)
local se = plot.aggregate { data = data, x = "x", y = "y", by = "g", errors = "se" }
t.near(se.series[2].at[2].hi, 6 + 1 / math.sqrt(3), 1e-12)
local mm = plot.aggregate { data = data, x = "x", y = "y", errors = "minmax",
                            where = { g = "u" } }
t.check(#mm.series == 1 and mm.series[1].at[3].lo == 4 and mm.series[1].at[3].hi == 6)
t.check_error("unknown errors 'ci' (did you mean 'ci95'? allowed: sd, se, minmax, ci95)", plot.aggregate,
              { data = data, x = "x", y = "y", errors = "ci" })
t.check_error("unknown column 'z' (", plot.aggregate, { data = data, x = "z", y = "y" })
local with_params = { rows = data, params = { "x", "g", "fixed" } }
t.check_error("parameter 'g' takes 2 values (u, v); fix one with where", plot.aggregate,
              { data = with_params, x = "x", y = "y" })
t.check(plot.aggregate { data = with_params, x = "x", y = "y", by = "g" } ~= nil)

local res = plot.lines { data = data, x = "x", y = "y", by = "g", out = dir .. "/fig/lines",
                         gnuplot = false, title = "it's y" }
t.check(res and not res.rendered and res.message:find("gnuplot not found", 1, true)
        and res.message:find("cd '" .. dir .. "/fig' && gnuplot 'lines.gp'", 1, true),
        res and res.message)
local dat = xnet.read_file(dir .. "/fig/lines.dat")
local gp = xnet.read_file(dir .. "/fig/lines.gp")
t.check(dat and dat:find("\n2 6.0 5.0 7.0 3 1.0 \"2\"\n", 1, true), dat)
t.check(gp and gp:find("set title 'it''s y'", 1, true)
        and gp:find("set output 'lines.svg'", 1, true)
        and gp:find("index 1 using 1:2 with linespoints title 'v'", 1, true), gp)
res = plot.bars { data = data, x = "g", y = "y", by = "x", out = dir .. "/fig/bars",
                  gnuplot = "/nonexistent/gnuplot" }
t.check(res and not res.rendered
        and xnet.read_file(dir .. "/fig/bars.gp"):find("histogram", 1, true))
t.check(xnet.read_file(dir .. "/fig/bars.dat"):find('\n"v" 4.0 3.0 5.0 ', 1, true))
if os.execute("command -v gnuplot >/dev/null 2>&1") then
  res = assert(plot.lines { data = data, x = "x", y = "y", by = "g", out = dir .. "/fig/lines" })
  t.check(res.rendered and res.message:find("wrote " .. dir .. "/fig/lines.svg", 1, true))
  local svg, png = xnet.read_file(res.svg), xnet.read_file(res.png)
  t.check(svg and svg:find("<svg", 1, true) and svg:find(">v<", 1, true))
  t.check(png and png:sub(1, 8) == "\137PNG\r\n\26\n")
  res = assert(plot.bars { data = data, x = "g", y = "y", by = "x", out = dir .. "/fig/bars" })
  t.check(res.rendered and xnet.read_file(res.png):sub(2, 4) == "PNG")
else
  io.stderr:write("gnuplot not installed: rendering not tested\n")
end

t.rmtree(dir)
t.done()
