-- Every JSON file spacexnet writes is strict JSON (RFC 8259: no NaN or
-- Infinity), checked by python3's json module; the NaN and infinities of a
-- study (grid values, metrics) still come back exactly when it is resumed or
-- merged, including from point files older versions wrote with Infinity.
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local t = require "harness"
local xnet = require "xnet"
local json = require "xnet.json"
local study_dir = require "xnet.study_dir"

local BIN = assert(xnet.executable())
local tmp = t.tmpdir()

local function q(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

local function sx(args)
  local p = io.popen(string.format("%s study %s 2>&1", q(BIN), args))
  local out = p:read("a")
  local _, _, code = p:close()
  return code, out
end

local function is_nan(x) return x ~= x end

-- json: the pointer list, in both directions
local v = { metrics = { p99 = 1 / 0, n = 0 / 0, a = 1 }, grid = { x = { 1, -1 / 0 } },
            ["a/b~"] = 1 / 0, per = { [0] = 1 / 0, 2 } }
local text = json.encode(v, { exact = true })
t.check(text == '{"a/b~":null,"grid":{"x":[1,null]},"metrics":{"a":1,"n":null,"p99":null},'
               .. '"nonfinite":{"/a~1b~0":"inf","/grid/x/1":"-inf","/metrics/n":"nan",'
               .. '"/metrics/p99":"inf","/per/0":"inf"},"per":[null,2]}', text)
local back = assert(json.decode(text, { exact = true }))
t.check(back.metrics.p99 == math.huge and is_nan(back.metrics.n) and back.grid.x[2] == -math.huge
        and back["a/b~"] == math.huge and back.per[1] == math.huge and back.per[2] == 2
        and back.nonfinite == nil, "exact round trip")
t.check(json.decode(text).metrics.p99 == json.null, "without exact: null, the list kept")
t.check(json.encode({ a = 1 }, { exact = true }) == '{"a":1}', "no list without a NaN or infinity")
t.check(json.encode({ 1 / 0 }, { exact = true }) == "[null]", "an array has no place for the list")
t.check_error("json: $.nonfinite is taken", json.encode, { nonfinite = 1, x = 1 / 0 },
              { exact = true })
for _, case in ipairs {
  { '{"a":null,"nonfinite":{"/b":"inf"}}', 'nonfinite "/b" names no null in the document' },
  { '{"a":1,"nonfinite":{"/a":"inf"}}', 'nonfinite "/a" names no null in the document' },
  { '{"a":null,"nonfinite":{"":"inf"}}', 'nonfinite "" names no null in the document' },
  { '{"a":[null],"nonfinite":{"/a/1":"inf"}}', 'nonfinite "/a/1" names no null' },
  { '{"a":null,"nonfinite":{"/a":"x"}}', 'nonfinite "/a" must be "inf", "-inf" or "nan", got "x"' },
  { '{"a":null,"nonfinite":[1]}', "nonfinite must be an object of JSON Pointers" },
} do
  local none, err = json.decode(case[1], { exact = true })
  t.check(none == nil and err and err:find(case[2], 1, true), case[1] .. ": " .. tostring(err))
end

-- A study with an infinite grid value and non-finite metrics
local file = tmp .. "/nf.lua"
assert(xnet.write_file(file, [[
local study = require "xnet.study"
return study {
  name = "nf", seed = 3, repeats = 2,
  grid = { cap = { 2, math.huge } },
  run = function(point, seed, info)
    return { worst = point.cap, floor = -math.huge, gap = point.cap < math.huge and 1.5 or 0 / 0,
             mixed = info.rep == 1 and 1 or math.huge, tag = "x" }
  end,
}
]]))
local dir = tmp .. "/nf"
local code, out = sx(string.format("run %s --out %s", q(file), q(dir)))
t.check(code == 0, out)
local function check_collected(what)
  local res = assert(study_dir.collect(dir))
  local ok = #res.rows == 4
  for _, row in ipairs(res.rows) do
    local inf = row.cap == math.huge
    ok = ok and (inf or row.cap == 2) and row.worst == row.cap and row.floor == -math.huge
         and (inf and is_nan(row.gap) or not inf and row.gap == 1.5)
         and row.mixed == (row["repeat"] == 1 and 1 or math.huge) and row.tag == "x"
  end
  t.check(ok, what .. ": every NaN and infinity read back exactly")
  return res
end
local res = check_collected("new files")
local points = {}
for _, name in ipairs(assert(xnet.list_dir(dir .. "/points"))) do
  points[name] = assert(xnet.read_file(dir .. "/points/" .. name))
end

-- merge: the Markdown shows "-" for what is not finite, never nan or inf
code, out = sx("merge " .. q(dir))
t.check(code == 0, out)
local md = out:match("^(.-)\n\n")
t.check(md and not md:find("nan") and md:find("| 2   | 2 | -     | 1.5 ± 0 | -     | x   | 2 ± 0 |", 1, true)
        and md:find("| inf | 2 | -     | -       | -     | x   | -     |", 1, true), tostring(md))

-- Point files written by older versions (NaN, Infinity and -Infinity as
-- literals) are read exactly, and `study run` rewrites them strict.
local old_count = 0
for name, bytes in pairs(points) do
  local rec = assert(json.decode(bytes, { exact = true }))
  local p
  for _, pt in ipairs(res.points) do
    if pt.id == rec.id then p = pt end
  end
  local old = json.encode { id = rec.id, params = { cap = 0 }, ["repeat"] = rec["repeat"],
                            seed = rec.seed, metrics = {}, study_hash = rec.study_hash }
  local lit = function(x)
    return x ~= x and "NaN" or x == math.huge and "Infinity" or x == -math.huge and "-Infinity"
           or json.number(x)
  end
  local fields = {}
  for _, k in ipairs { "floor", "gap", "mixed", "tag", "worst" } do
    local x = rec.metrics[k]
    fields[#fields + 1] = json.string(k) .. ":" .. (type(x) == "number" and lit(x) or json.string(x))
  end
  old = old:gsub('"metrics":{}', '"metrics":{' .. table.concat(fields, ",") .. "}")
           :gsub('"params":{"cap":0}', '"params":{"cap":' .. lit(p.params.cap) .. "}")
  if old:find("Infinity") then old_count = old_count + 1 end
  assert(xnet.write_file(dir .. "/points/" .. name, old))
end
t.check(old_count == 4, "every point file now holds Infinity")
check_collected("old files")
code, out = sx(string.format("run %s --out %s", q(file), q(dir)))
t.check(code == 0 and out:find("nothing to do, 4/4 points done", 1, true), out)
local same = true
for name, bytes in pairs(points) do
  same = same and xnet.read_file(dir .. "/points/" .. name) == bytes
end
t.check(same, "study run rewrote the old files as today's")
check_collected("rewritten files")

-- xnet.export writes the same rule: null, and the list when the value is an object
t.check(xnet.export(res, tmp .. "/res.json") and xnet.export(res, tmp .. "/res.json.gz"))
local ex = assert(json.decode(assert(xnet.read_file(tmp .. "/res.json")), { exact = true }))
t.check(ex.rows[1].floor == -math.huge and ex.rows[4].worst == math.huge and is_nan(ex.rows[4].gap),
        "an exported study result reads back exactly")
t.check(xnet.export({ 1, 1 / 0 }, tmp .. "/list.json"))
t.check(xnet.read_file(tmp .. "/list.json") == "[1, null]\n")

-- Every JSON file written here is strict: python3 refuses NaN and Infinity.
local checker = tmp .. "/strict.py"
assert(xnet.write_file(checker, [[
import gzip, json, os, sys
def refuse(name):
    raise ValueError("not JSON: " + name)
n = 0
for root, _, files in os.walk(sys.argv[1]):
    for f in files:
        path = os.path.join(root, f)
        if f.endswith(".json") or f.endswith(".json.gz"):
            opener = gzip.open if f.endswith(".gz") else open
            with opener(path, "rt", encoding="utf-8") as fh:
                json.load(fh, parse_constant=refuse)
            n += 1
print(n)
]]))
if os.execute("command -v python3 >/dev/null 2>&1") then
  local p = io.popen(string.format("python3 %s %s 2>&1", q(checker), q(tmp)))
  local said = p:read("a")
  local ok = p:close()
  -- 4 points, the manifest, a run log, 3 exports
  t.check(ok and tonumber(said) == 9, "python3's strict json reads every file: " .. said)
else
  print("note: python3 not found: the strict check of the written files is skipped")
end

t.rmtree(tmp)
t.done()
