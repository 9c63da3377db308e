-- xnet.export round trips: JSON and CSV (plain and gzip) of evaluate results,
-- rows, plans, rings, per_layer tables, Rows and study results; 0-based
-- tables become arrays in order; infinities and NaN become null / empty.
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local t = require "harness"
local xnet = require "xnet"
local json = require "xnet.json"
local csv = require "xnet.csv"

local tmp = t.tmpdir()
local function read_json(path)
  return assert(json.decode(assert(xnet.read_file(path))))
end
local function read_csv(path)
  return assert(csv.decode(assert(xnet.read_file(path))))
end

local net = xnet.network(xnet.walker { planes = 12, sats = 10 }, { snapshots = 4, seed = 3 })
local m = xnet.model("llama-moe-3.5b", { layers = 4 })
local prof = xnet.profile.zipf(m, 1)
local ring = xnet.ring(net, 4)
local plan = xnet.place.spacexnet(net, ring, prof)
local r = xnet.evaluate(net, plan, prof, { tokens = 2000 })
t.check(tostring(r):find("^evaluate spacexnet, profile zipf%-1, variant A: 2000 tokens, mean "), tostring(r))

-- json.encode of an evaluate result: 0-based per_layer is an array in order
local back = json.decode(json.encode(r))
t.check(back.mean == r.mean and #back.per_layer == 4 and back.per_layer[1] == r.per_layer[0]
        and back.per_layer[4] == r.per_layer[3] and back.exact_per_layer[2] == r.exact_per_layer[1])

for _, ext in ipairs { "json", "json.gz" } do
  local path = tmp .. "/r." .. ext
  t.check(xnet.export(r, path) == true)
  local j = read_json(path)
  t.check(j.exact == r.exact and j.p99 == r.p99 and j.method == "spacexnet" and j.tokens == 2000
          and j.per_layer[3] == r.per_layer[2], ext)
end
-- a gzip file really is gzip
t.check(assert(io.open(tmp .. "/r.json.gz", "rb")):read(2) == "\31\139")

-- CSV of a result: one row per layer, the scalars on every row
for _, ext in ipairs { "csv", "csv.gz" } do
  t.check(xnet.export(r, tmp .. "/r." .. ext) == true)
  local rows, cols = read_csv(tmp .. "/r." .. ext)
  t.check(#rows == 4 and cols[1] == "layer" and cols[2] == "per_layer", ext)
  for l = 0, 3 do
    t.check(rows[l + 1].layer == l and rows[l + 1].per_layer == r.per_layer[l]
            and rows[l + 1].exact_per_layer == r.exact_per_layer[l] and rows[l + 1].mean == r.mean)
  end
end

-- a plan exported as CSV is a plan file; as JSON, gateways and satellites
t.check(xnet.export(plan, tmp .. "/plan.csv"))
t.check(xnet.plan.load(tmp .. "/plan.csv") == plan, "plan CSV reads back as the same plan")
t.check(xnet.export(plan, tmp .. "/plan.csv.gz"))
t.check(xnet.plan.load(tmp .. "/plan.csv.gz") == plan, "and gzipped")
t.check(xnet.export(plan, tmp .. "/plan.json"))
local jp = read_json(tmp .. "/plan.json")
t.check(jp.gateways[1] == plan:gateway(0) and jp.satellites[4][8] == plan:satellite(3, 7)
        and jp.method == "spacexnet")
-- a ring
t.check(xnet.export(ring, tmp .. "/ring.csv") and xnet.export(ring, tmp .. "/ring.json"))
local rows = read_csv(tmp .. "/ring.csv")
t.check(#rows == 120 and rows[1].layer == 0 and rows[1].satellite == ring:subnet(0)[1])
local gateways = 0
for _, row in ipairs(rows) do
  if row.gateway == true then
    gateways = gateways + 1
    t.check(ring:gateway(row.layer) == row.satellite)
  end
end
t.check(gateways == 4)
local jr = read_json(tmp .. "/ring.json")
t.check(#jr.subnets == 4 and jr.subnets[2][1] == ring:subnet(1)[1] and jr.gateways[4] == ring:gateway(3))

-- per_layer tables and Rows: index, value with the keys as given (from 0)
t.check(xnet.export(r.per_layer, tmp .. "/pl.csv"))
rows = read_csv(tmp .. "/pl.csv")
t.check(#rows == 4 and rows[1].index == 0 and rows[4].value == r.per_layer[3])
t.check(xnet.export(r.per_layer, tmp .. "/pl.json"))
t.check(#read_json(tmp .. "/pl.json") == 4 and read_json(tmp .. "/pl.json")[1] == r.per_layer[0])

-- infinities and NaN: null in JSON, empty in CSV (an unreachable satellite)
local cut = xnet.network(xnet.walker { planes = 4, sats = 4 }, { snapshots = 1, survival = 0.3, seed = 2 })
local row = cut:latency(0, 0)
t.check(row:unreachable() > 0, "the test needs an unreachable satellite")
t.check(xnet.export(row, tmp .. "/row.csv") and xnet.export(row, tmp .. "/row.json"))
rows = read_csv(tmp .. "/row.csv")
local jrow = read_json(tmp .. "/row.json")
local same = #rows == 16 and #jrow == 16
for id = 0, 15 do
  local want = row[id] ~= math.huge and row[id] or nil
  same = same and rows[id + 1].index == id and rows[id + 1].value == want
         and (want == nil and jrow[id + 1] == json.null or jrow[id + 1] == want)
end
t.check(same, "unreachable satellites are empty cells and nulls")
t.check(json.encode { a = 1 / 0, b = -1 / 0, c = 0 / 0 } == '{"a":null,"b":null,"c":null}')

-- lists of rows and study results keep their columns
local list = { { method = "a", v = 1.5 }, { method = "b", v = 1 / 0, extra = "x,y" } }
t.check(xnet.export(list, tmp .. "/list.csv"))
local lrows, lcols = read_csv(tmp .. "/list.csv")
t.check(table.concat(lcols, ",") == "extra,method,v" and lrows[1].v == 1.5 and lrows[2].v == nil
        and lrows[2].extra == "x,y")
local res = { rows = list, columns = { "method", "v" }, params = { "method" } }
t.check(xnet.export(res, tmp .. "/study.csv"))
local _, scols = read_csv(tmp .. "/study.csv")
t.check(table.concat(scols, ",") == "method,v")
t.check(xnet.export(res, tmp .. "/study.json") and read_json(tmp .. "/study.json").rows[2].v == json.null)

-- misuse raises; an unwritable path returns nil, message
t.check_error("path must end in .csv, .json, .csv.gz or .json.gz (lower case), got 'x.txt'",
              xnet.export, r, "x.txt")
t.check_error("cannot export a xnet.Process as CSV", xnet.export,
              assert(xnet.spawn { "/bin/true" }), tmp .. "/p.csv")
t.check_error("cannot export this table as CSV: key nested holds a table", xnet.export,
              { nested = { 1 } }, tmp .. "/n.csv")
local cyc = {}
cyc.self = cyc
t.check_error("contains itself", xnet.export, cyc, tmp .. "/c.json")
t.check_error("nothing to export: the value is nil", xnet.export, nil, tmp .. "/nil.json")
t.check_error("cannot export a function", xnet.export, { f = print }, tmp .. "/f.json")
local deep, cur = {}, nil
cur = deep
for _ = 1, 5000 do cur.x = {} cur = cur.x end
t.check_error("cannot export tables nested more than 1000 deep", xnet.export, deep, tmp .. "/d.json")
-- errors name the caller's line, not a line of export.lua
for _, case in ipairs { { 3, tmp .. "/n.csv" }, { cyc, tmp .. "/c.json" }, { deep, tmp .. "/d.json" },
                        { { nested = { 1 } }, tmp .. "/n.csv" } } do
  local line = debug.getinfo(1, "l").currentline + 1
  local ok_, msg = pcall(function() xnet.export(case[1], case[2]) end)
  t.check(not ok_ and msg:find("test_export.lua:" .. line .. ": ", 1, true), msg)
end

-- a serve result: CSV has one row per satellite that served, busiest ranked,
-- the scalars repeated; JSON has everything
local sv = xnet.serve(net, plan, prof, { streams = 2, duration_s = 20, progress = false })
t.check(xnet.export(sv, tmp .. "/sv.csv"))
local svrows = read_csv(tmp .. "/sv.csv")
local served = 0
for _ in pairs(sv.utilisation) do served = served + 1 end
t.check(#svrows == served and served > 0, #svrows .. " rows for " .. served .. " satellites")
local ranked = 0
for i, row in ipairs(svrows) do
  t.check(tonumber(row.utilisation) == sv.utilisation[tonumber(row.satellite)]
          and tonumber(row.mean) == sv.mean and row.status == sv.status
          and (i == 1 or tonumber(row.satellite) > tonumber(svrows[i - 1].satellite)))
  if row.busiest_rank ~= "" and row.busiest_rank ~= nil then
    local b = sv.busiest[tonumber(row.busiest_rank)]
    t.check(b.satellite == tonumber(row.satellite))
    ranked = ranked + 1
  end
end
t.check(ranked == #sv.busiest, ranked .. " ranked of " .. #sv.busiest)
t.check(xnet.export(sv, tmp .. "/sv.json"))
t.check(read_json(tmp .. "/sv.json").mean == sv.mean)

-- a profile: CSV is the weight table xnet.profile.table reads back with
-- kind = "probability"; JSON holds the inclusion per layer
t.check(xnet.export(prof, tmp .. "/prof.csv"))
local again = xnet.profile.table(m, tmp .. "/prof.csv", { kind = "probability" })
for l = 0, 3 do
  for e = 0, m:fields().experts - 1 do
    t.near(again:inclusion(l)[e], prof:inclusion(l)[e], 1e-9, "profile round trip")
  end
end
t.check(xnet.export(prof, tmp .. "/prof.json"))
local pj = read_json(tmp .. "/prof.json")
t.check(pj.name == "zipf-1" and #pj.inclusion == 4 and pj.inclusion[2][1] == prof:inclusion(1)[0])

local ok, err = xnet.export(r, tmp .. "/no/such/dir/r.json")
t.check(ok == nil and err:find("no/such/dir", 1, true), err)

t.rmtree(tmp)
t.done()
