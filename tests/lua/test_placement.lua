-- Models, profiles, traces, rings, placements, plan files and evaluation
-- through the Lua API, with their error paths.
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local t = require "harness"
local xnet = require "xnet"
local dir = t.tmpdir()

-- models
local m = xnet.model "llama-moe-3.5b"
t.check(m.layers == 32 and m.experts == 8 and m.top_k == 2 and m.hidden == 4096)
t.near(m.gateway_s, 2 * 4 * 4096 ^ 2 / 7.28e9, 1e-15, "gateway compute")
t.near(m.expert_s, 2 * 3 * 4096 * 1376 / 7.28e9, 1e-15, "expert compute")
t.check(m.message_bits == 65536)
t.check(tostring(m):find("llama-moe-3.5b-2of8: 32 layers, 8 experts, top-2", 1, true))
local m16 = xnet.model "llama-moe-3.5b-4of16"
t.check(m16.experts == 16 and m16.top_k == 4)
local mix = xnet.model "mixtral-8x7b"
t.check(mix.expert_flops == 2 * 3 * 4096 * 14336)
local custom = xnet.model{ layers = 2, experts = 4, top_k = 2, hidden = 8, bytes_per_value = 2,
                           gateway_flops = 1e6, expert_flops = 1e6 }
t.check(custom.utilisation == 0.70 and custom.flops_per_s == 10.4e9, "the model's defaults")
t.check(xnet.model(m, { ctx_flops = 1e9 }).ctx_flops == 1e9)
t.check_error("unknown model 'gpt-9' (did you mean 'gpt-oss-120b'? allowed: deepseek-v2-lite, ", xnet.model, "gpt-9")
t.check_error("unknown model 'bert' (allowed: deepseek-v2-lite, ", xnet.model, "bert") -- nothing close: no guess
t.check_error("unknown model 'mixtrl-8x7b' (did you mean 'mixtral-8x7b'?", xnet.model, "mixtrl-8x7b")
t.check_error("unknown option 'expert' for xnet.model", xnet.model,
              { layers = 2, experts = 4, top_k = 2, hidden = 8, bytes_per_value = 2,
                gateway_flops = 1, expert_flops = 1, expert = 3 })
t.check_error("model field 'top_k' is missing", xnet.model,
              { layers = 2, experts = 4, hidden = 8, bytes_per_value = 2, gateway_flops = 1,
                expert_flops = 1 })
t.check_error("top_k must be in [1, 4] (experts), got 5", xnet.model, m:fields(),
              { experts = 4, top_k = 5 })
t.check_error("utilisation must be in (0, 1], got 2", xnet.model, m, { utilisation = 2 })
local _, where = pcall(xnet.model, m, { utilisation = 2 })
t.check(not where:find("init.lua", 1, true), "errors point at the caller, not the wrapper: " .. where)
t.check_error("model name must be", xnet.model, "../../etc/passwd")

-- profiles
local uni = xnet.profile.uniform(m)
local inc = uni:inclusion(0)
t.near(inc[0], 0.25, 1e-15)
t.near(inc[7], 0.25, 1e-15)
t.check(#uni:sets(5) == 28)
t.check(uni:model() == m or tostring(uni:model()) == tostring(m))
t.check(uni:name() == "uniform")
local z1 = xnet.profile.zipf(m, 1.2, { seed = 4 })
local z2 = xnet.profile.zipf(m, 1.2, { seed = 4 })
local z3 = xnet.profile.zipf(m, 1.2, { seed = 5 })
t.check(z1:inclusion(3)[2] == z2:inclusion(3)[2])
t.check(z1:inclusion(3)[2] ~= z3:inclusion(3)[2] or z1:inclusion(3)[5] ~= z3:inclusion(3)[5])
local sum = 0
for e = 0, 7 do sum = sum + z1:inclusion(9)[e] end
t.near(sum, 2, 1e-14, "inclusion sums to k")
t.check(tostring(xnet.profile.dirichlet(m, 0.5, { seed = 2 })):find("profile dirichlet-0.5", 1, true))
t.check_error("zipf exponent must be >= 0", xnet.profile.zipf, m, -1)
t.check_error("dirichlet alpha must be > 0", xnet.profile.dirichlet, m, 0)
t.check_error("unknown option 'sed' for xnet.profile.zipf", xnet.profile.zipf, m, 1, { sed = 1 })
t.check_error("layer 32 out of range [0, 32)", uni.inclusion, uni, 32)

local small = xnet.model{ layers = 2, experts = 3, top_k = 2, hidden = 8, bytes_per_value = 2,
                          gateway_flops = 1e6, expert_flops = 1e6 }
local tab = xnet.profile.table(small, { { 5, 3, 2 }, { 1, 1, 1 } })
t.near(tab:inclusion(1)[0], 2 / 3, 1e-15)
local tab0 = xnet.profile.table(small, { [0] = { [0] = 5, 3, 2 }, { 1, 1, 1 } })
t.check(tab0:inclusion(0)[0] == tab:inclusion(0)[0], "0-based rows work too")
-- kind = "probability": inclusion probabilities summing to k, reproduced by the weights found
local inc = { { 0.9, 0.6, 0.5 }, { 2 / 3, 2 / 3, 2 / 3 } }
local byp = xnet.profile.table(small, inc, { kind = "probability" })
for l = 0, 1 do
  for e = 0, 2 do t.near(byp:inclusion(l)[e], inc[l + 1][e + 1], 1e-10, "inclusion " .. l .. e) end
end
-- by hand, k = 2 of 3: P(e left out) = P(the other two drawn); weights 2:1:1 give
-- P(0 in) = 1 - 2 * (1/4)(1/3) = 5/6 and P(1 in) = P(2 in) = 7/12
local hand = xnet.profile.table(small, { { 5 / 6, 7 / 12, 7 / 12 }, { 1, 1, 0 } },
                                { kind = "probability" })
local same = xnet.profile.table(small, { { 2, 1, 1 }, { 1, 1, 0 } })
for e = 0, 2 do t.near(hand:inclusion(0)[e], same:inclusion(0)[e], 1e-10, "2:1:1 " .. e) end
t.check(hand:inclusion(1)[2] == 0 and hand:inclusion(1)[0] == 1, "exactly k experts: always drawn")
t.check_error("layer 1 inclusion probabilities sum to 1, expected k = 2", xnet.profile.table, small,
              { { 0.9, 0.6, 0.5 }, { 0.5, 0.3, 0.2 } }, { kind = "probability" })
t.check_error("layer 0 expert 0: inclusion probability must be in [0, 1], got 1.5",
              xnet.profile.table, small, { { 1.5, 0.5, 0 }, { 1, 1, 0 } }, { kind = "probability" })
t.check_error("layer 0 expert 0: inclusion probability 1 is reachable only with exactly k = 2",
              xnet.profile.table, small, { { 1, 0.5, 0.5 }, { 1, 1, 0 } }, { kind = "probability" })
t.check_error("profile table row 0 has 2 entries, expected 3", xnet.profile.table, small,
              { { 1, 2 }, { 1, 1, 1 } })
t.check_error("profile table has 1 rows, expected 2 (one per layer)", xnet.profile.table, small,
              { { 1, 2, 3 } })
t.check_error("profile table has 3 rows, expected 2", xnet.profile.table, small,
              { { 1, 2, 3 }, { 1, 2, 3 }, { 1, 2, 3 } })
t.check_error("profile table row 1 must be a table, got number", xnet.profile.table, small,
              { { 1, 2, 3 }, 5 })
t.check_error("profile table row 0: entry for expert 1 must be a number, got string",
              xnet.profile.table, small, { { 1, "x", 3 }, { 1, 1, 1 } })
t.check_error("weight of layer 0 expert 1 must be >= 0", xnet.profile.table, small,
              { { 1, -2, 3 }, { 1, 1, 1 } })
t.check_error("kind must be 'weights' or 'probability'", xnet.profile.table, small,
              { { 1, 2, 3 }, { 1, 1, 1 } }, { kind = "p" })
assert(xnet.write_file(dir .. "/w.csv", "0,1,2,3\n1,1,1,1\n"))
t.check(xnet.profile.table(small, dir .. "/w.csv"):inclusion(0)[2] > 0.5)
local p, err = xnet.profile.table(small, dir .. "/missing.csv")
t.check(p == nil and err:find("missing.csv: No such file", 1, true))

-- traces: plain, gzip, and every kind of bad file
local rows = { "token,layer,expert_1,expert_2" }
for tok = 0, 99 do
  rows[#rows + 1] = string.format("%d,0,%d,%d", tok, tok % 3 == 0 and 2 or 0, 1)
  rows[#rows + 1] = string.format("%d,1,0,2", tok)
end
local csv = table.concat(rows, "\n") .. "\n"
assert(xnet.write_file(dir .. "/trace.csv", csv))
assert(xnet.write_file(dir .. "/trace.csv.gz", csv, { gzip = true }))
local tr, n = xnet.profile.trace(small, dir .. "/trace.csv")
t.check(tr and n == 200)
t.near(tr:inclusion(0)[1], 1, 1e-15, "expert 1 in every layer-0 row")
t.near(tr:inclusion(0)[2], 34 / 100, 1e-15)
local trz = xnet.profile.trace(small, dir .. "/trace.csv.gz")
t.check(trz and trz:inclusion(0)[2] == tr:inclusion(0)[2], "gzip reads the same")
local gz = assert(xnet.read_file(dir .. "/trace.csv.gz")) -- plain text back
t.check(gz == csv)
local f = assert(io.open(dir .. "/trace.csv.gz", "rb"))
local raw = f:read("a")
f:close()
assert(xnet.write_file(dir .. "/trunc.csv.gz", raw:sub(1, #raw // 2)))
local bad, why = xnet.profile.trace(small, dir .. "/trunc.csv.gz")
t.check(bad == nil and why:find("trunc.csv.gz", 1, true) and why:find("gzip", 1, true), why)
assert(xnet.write_file(dir .. "/corrupt.csv.gz", raw:sub(1, 12) .. string.rep("x", 40) .. raw:sub(53)))
bad, why = xnet.profile.trace(small, dir .. "/corrupt.csv.gz")
t.check(bad == nil and why:find("corrupt.csv.gz", 1, true), why)
-- read(small, dir/bad.csv) of text fails with a message containing want
local function read_error(read, text, want)
  assert(xnet.write_file(dir .. "/bad.csv", text))
  local prof, msg = read(small, dir .. "/bad.csv")
  t.check(prof == nil and msg and msg:find(want, 1, true), msg)
end
local function trace_error(text, want) read_error(xnet.profile.trace, text, want) end
trace_error("0,0,0,5\n", "bad.csv:1: expert 5 out of range [0, 3)")
trace_error("0,0,0,1,2\n", "bad.csv:1: expected token,layer and 2 experts")
trace_error("0,0,1,1\n", "bad.csv:1: expert 1 repeated in one row")
trace_error("0,0,0,1\n0,1,0,1\n0,2,0,1\n", "bad.csv:3: layer 2 out of range [0, 2)")
trace_error("0,0,0,1\n", "bad.csv: no rows for layer 1 (1 of 2 layers have rows); every layer needs "
            .. "rows 'token,layer,expert_1,...,expert_k': trace the missing layer too, or model "
            .. "only the layers traced (xnet.model(name, { layers = N }))")
-- one dialect for every input: a header line, '#' comments, a clear word on tabs and semicolons
trace_error("0\t0\t0\t1\n", "bad.csv:1: expected commas, found tabs")
trace_error("# a comment\n0;0;0;1\n", "bad.csv:2: expected commas, found semicolons")
read_error(xnet.profile.table, "1\t2\t3\n1,2,3\n", "bad.csv:1: expected commas, found tabs")
read_error(xnet.profile.table, "1;2;3\n", "bad.csv:1: expected commas, found semicolons")
assert(xnet.write_file(dir .. "/w.csv", "# weights of the small model\ne0,e1,e2\n1,2,3\n\n3, 2, 1\n"))
t.check(xnet.profile.table(small, dir .. "/w.csv") ~= nil, "a header line and comments")

-- rings and placements on a small network (fast), then the ordering
local con = xnet.walker{}
local net = xnet.network(con, { snapshots = 24, seed = 3 })
local ring = xnet.ring(net, 32)
t.check(#ring == 32 and ring:gateway(0) == 16 * 32)
t.check(#ring:subnet(5) == 33 and ring:subnet(5)[1] == 32 * 32 + 5, "odd rows run backwards")
t.check(tostring(ring):find("ring of 32 subnets of 33 to 33", 1, true))
local user = xnet.ring(net, { { 0, 1, 2 }, { 3, 4, 5 } }, { gateways = { 2, 3 } })
t.check(user:gateway(0) == 2 and user:gateway(1) == 3)
t.check_error("satellite 4 is in subnet 0 and subnet 1", xnet.ring, net, { { 0, 4 }, { 4, 5 } })
t.check_error("satellite 2000 out of range [0, 1056)", xnet.ring, net, { { 0, 2000 } })
t.check_error("layers 0 out of range [1, 1057)", xnet.ring, net, 0)
t.check_error("unknown option 'gatway' for xnet.ring", xnet.ring, net, { { 0, 1 } }, { gatway = {} })

local zipf = xnet.profile.zipf(m, 1.0, { seed = 1 })
local sx = xnet.place.spacexnet(net, ring, zipf)
t.check(sx:method() == "spacexnet" and sx:gateway(3) == ring:gateway(3))
t.check(sx:layers() == 32 and sx:experts() == 8)
local cg = xnet.place.randintra_cg(net, ring, m, { seed = 2 })
local ri = xnet.place.randintra(net, ring, m, { seed = 2 })
local rp = xnet.place.randplace(net, m, { seed = 2 })
t.check(rp == xnet.place.randplace(net, m, { seed = 2 }), "same seed, same plan")
t.check(rp ~= xnet.place.randplace(net, m, { seed = 3 }))
do -- too small a subnet: the message says what memory_bytes fits, and it does
  local m1 = xnet.model(m, { layers = 1 })
  local small_ring, uni = xnet.ring(net, { { 0, 1, 2 } }), xnet.profile.uniform(m1)
  t.check_error("subnet 0 has 3 satellites; it needs experts + 1 = 9 (one gateway and one "
                .. "satellite per expert); to hold several experts on a satellite, give the "
                .. "placement memory_bytes per satellite: { memory_bytes = 4 * m.expert_bytes } "
                .. "holds 4 experts each", xnet.place.spacexnet, net, small_ring, uni)
  local fits = xnet.place.spacexnet(net, small_ring, uni, { memory_bytes = 4 * m1.expert_bytes })
  t.check(fits:experts() == 8 and fits:hosting().memory_bytes == 4 * m1.expert_bytes)
end
t.check_error("variant must be 'A' or 'B', got 'C'", xnet.place.spacexnet, net, ring, zipf,
              { variant = "C" })
t.check_error("the ring has 32 subnets, the model 2 layers", xnet.place.randintra, net, ring, small)
t.check_error("expert 8 out of range [0, 8)", sx.satellite, sx, 0, 8)

-- expected path latencies: one entry per subnet member; Space-XNet's popular
-- experts sit on the candidates with the lowest mean
local exp = xnet.place.expected(net, ring)
t.check(#exp[0] == 33 and exp[0][17].gateway == true)
local best = math.huge
for _, c in ipairs(exp[0]) do
  if not c.gateway and c.missing == 0 then best = math.min(best, c.mean_s) end
end
local top, topp = 0, -1
for e, pr in pairs(zipf:inclusion(0)) do if pr > topp then top, topp = e, pr end end
local on = sx:satellite(0, top)
for _, c in ipairs(exp[0]) do
  if c.satellite == on then t.near(c.mean_s, best, 0, "top expert on the best candidate") end
end

-- plan files
t.check(sx:save(dir .. "/plan.csv"))
local back = assert(xnet.plan.load(dir .. "/plan.csv"))
t.check(back == sx and back:method() == "spacexnet")
assert(xnet.write_file(dir .. "/bad_plan.csv", "hello\n"))
local np, perr = xnet.plan.load(dir .. "/bad_plan.csv")
t.check(np == nil and perr:find("bad_plan.csv:1: expected the header", 1, true), perr)
np, perr = xnet.plan.load(dir .. "/none.csv")
t.check(np == nil and perr:find("none.csv: No such file", 1, true))
local ok, werr = sx:save(dir .. "/no/such/dir/plan.csv")
t.check(ok == nil and werr:find("no/such/dir/plan.csv", 1, true))
local hand = xnet.plan.new{ method = "hand", satellites = 1056, gateways = { 0, 100 },
                            experts = { { 1, 2 }, { 101, 102 } } }
t.check(hand:satellite(1, 1) == 102)
local hand0 = xnet.plan.new{ satellites = 1056, gateways = { [0] = 0, 100 },
                             experts = { [0] = { [0] = 1, 2 }, { [0] = 101, 102 } } }
t.check(hand0 == hand, "lists keyed from 0 mean the same")
t.check_error("layer 1 lists 1 experts, layer 0 lists 2", xnet.plan.new,
              { satellites = 1056, gateways = { 0, 100 }, experts = { { 1, 2 }, { 101 } } })
t.check_error("gateways are given with explicit subnets", xnet.ring, net, 4, { gateways = { 0 } })
t.check_error("option 'exact' must be a boolean, got string", xnet.evaluate, net, hand0,
              xnet.profile.uniform(xnet.model(m, { layers = 2, experts = 2 })), { exact = "yes" })
t.check_error("satellite 1 holds both", xnet.plan.new, { satellites = 1056, gateways = { 1 },
              experts = { { 1, 2 } } })

-- evaluation: fields, Monte Carlo against exact, ordering of the methods
local r = xnet.evaluate(net, sx, zipf, { tokens = 48000, seed = 5 })
t.check(r.mean and r.p50 and r.p95 and r.p99 and r.exact and r.stderr)
t.check(r.p50 <= r.p95 and r.p95 <= r.p99)
t.check(math.abs(r.mean - r.exact) < 4 * r.stderr, string.format("%g vs %g", r.mean, r.exact))
local per = 0
for l = 0, 31 do per = per + r.exact_per_layer[l] end
t.near(per, r.exact, 1e-12, "per-layer means add up")
t.check(r.tokens == 48000 and r.method == "spacexnet" and r.variant == "A" and r.profile == "zipf-1")
local r2 = xnet.evaluate(net, sx, zipf, { tokens = 48000, seed = 5 })
t.check(r2.mean == r.mean and r2.p99 == r.p99, "same seed, same bits")
local means = {}
for i, plan in ipairs{ sx, cg, ri, rp } do
  means[i] = xnet.evaluate(net, plan, zipf, { tokens = 24000 }).exact
end
t.check(means[1] < means[2] and means[2] < means[3] and means[3] < means[4],
        table.concat(means, " "))
local rb = xnet.evaluate(net, sx, zipf, { tokens = 24000, variant = "B" })
t.check(math.abs(rb.mean - rb.exact) < 4 * rb.stderr)
local one = xnet.evaluate(net, sx, zipf, { tokens = 1000, snapshot = 3 })
t.check(one.tokens == 1000)
t.check_error("unknown option 'token' for xnet.evaluate", xnet.evaluate, net, sx, zipf, { token = 5 })
t.check_error("tokens must be in [1, 2^40], got 0", xnet.evaluate, net, sx, zipf, { tokens = 0 })
t.check_error("snapshot 24 out of range [0, 24)", xnet.evaluate, net, sx, zipf, { snapshot = 24 })
t.check_error("the plan has 32 layers x 8 experts, the profile 32 x 16", xnet.evaluate, net, sx,
              xnet.profile.uniform(m16))

-- a network that is mostly cut: undelivered tokens are counted, never timed
local broken = xnet.network(con, { snapshots = 4, survival = 0.3, seed = 1 })
local bres = xnet.evaluate(broken, xnet.place.randplace(broken, m), zipf, { tokens = 4000 })
t.check(bres.undelivered > 0.5, bres.undelivered)
t.check(bres.delivered == math.floor(4000 * (1 - bres.undelivered) + 0.5))
local dead = xnet.network(con, { snapshots = 2, survival = 0 })
local dres = xnet.evaluate(dead, xnet.place.randintra_cg(dead, xnet.ring(dead, 32), m), zipf,
                           { tokens = 100 })
t.check(dres.undelivered == 1 and dres.mean == nil and dres.exact == nil and dres.p99 == nil)

t.rmtree(dir)
t.done()
