-- The paper's setup module, the constellation map, and a golden output:
-- a small deterministic run whose numbers must not drift silently (if a
-- change is meant to alter them, regenerate tests/golden/paper_small.txt with
-- SPACEXNET_GOLDEN=write and say why in the commit).
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local t = require "harness"
local xnet = require "xnet"
local paper = require "xnet.paper"
local dir = t.tmpdir()

local s = paper.setup{ snapshots = 10, seed = 2 }
t.check(s.net:snapshots() == 10 and s.model.layers == 32 and #s.ring == 32)
t.check(s.net:params().bits == 65536, "links carry the model's hidden state")
t.check_error("unknown paper setting 'altitude'", paper.setup, { altitude = 500 })
t.check_error("unknown method 'best'", paper.plan, s, "best")
t.check_error("unknown profile 'zipf'", paper.profile, s.model, "zipf")
local prof = paper.profile(s.model, "zipf-1", 2)
t.check(prof:name() == "zipf-1")
local res = paper.evaluate(s, prof, { seed = 2, tokens = 1000 })
t.check(res.spacexnet.exact < res.randintra_cg.exact and res.randintra_cg.exact < res.randplace.exact)

-- long form: one row per method
-- The fit to the paper: zero distance at its own means, e times off in every method gives 1.
local fit = paper.fit(paper.REPORTED)
t.check(fit.distance == 0 and math.abs(fit.gap - 3.35 / 1.05) < 1e-15 and fit.randplace == 5.29)
local off = {}
for m, v in pairs(paper.REPORTED) do off[m] = v * math.exp(1) end
t.near(paper.fit(off).distance, 1, 1e-12)
local long = paper.long({ { altitude_km = 550, ["repeat"] = 1, spacexnet = 1, randintra_cg = 2,
                            randintra = 3, randplace = 4 } }, { "altitude_km" })
t.check(#long.rows == 4 and long.rows[2].method == "randintra_cg" and long.rows[2].value == 2)
t.check(long.params[1] == "method" and long.params[2] == "altitude_km")

-- the map: every satellite, every gateway, every expert; no gnuplot needed
local plan = paper.plan(s, "spacexnet", prof)
local m = xnet.plot.map{ net = s.net, ring = s.ring, plan = plan, profile = prof,
                         out = dir .. "/map", gnuplot = false }
t.check(m and m.experts == 256 and not m.rendered and m.message:find("gnuplot", 1, true))
local dat = assert(xnet.read_file(dir .. "/map.dat"))
local points = 0
for line in dat:gmatch("[^\n]+") do
  if not line:match("^#") then points = points + 1 end
end
-- + 4: the off-map placeholder points of the empty terminal, link and extra copy blocks
t.check(points == 1056 + 32 + 256 + 4, points)
t.check(assert(xnet.read_file(dir .. "/map.gp")):find("lc palette", 1, true))
t.check_error("net must be an xnet.Network, got table", xnet.plot.map,
              { net = {}, ring = s.ring, out = dir .. "/x" })
t.check_error("a profile needs a plan", xnet.plot.map,
              { net = s.net, ring = s.ring, profile = prof, out = dir .. "/x" })

-- golden numbers
local lines = {}
for _, method in ipairs(paper.METHODS) do
  local r = res[method]
  lines[#lines + 1] = string.format("%s exact %.12g mean %.12g p99 %.12g undelivered %.12g",
                                    method, r.exact, r.mean, r.p99, r.undelivered)
end
local got = table.concat(lines, "\n") .. "\n"
local golden = xnet.root .. "/tests/golden/paper_small.txt"
if os.getenv("SPACEXNET_GOLDEN") == "write" then assert(xnet.write_file(golden, got)) end
local want = assert(xnet.read_file(golden))
t.check(got == want, "golden output differs:\n" .. got .. "want:\n" .. want)

t.rmtree(dir)
t.done()
