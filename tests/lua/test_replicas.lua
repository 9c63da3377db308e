-- Replicated experts: plans that hold copies (xnet.plan.new, files, export),
-- xnet.place.replicate, the nearest-copy rule in xnet.evaluate, and the
-- errors of bad copies.
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local t = require "harness"
local xnet = require "xnet"

local con = xnet.walker{ planes = 12, sats = 12 }
local net = xnet.network(con, { snapshots = 6, survival = 0.95, seed = 3 })
local m = xnet.model{ layers = 4, experts = 8, top_k = 2, hidden = 1024, bytes_per_value = 2,
                      expert_ffn = 2048, flops_per_s = 1e11 }
local prof = xnet.profile.zipf(m, 1.2, { seed = 2 })
local ring = xnet.ring(net, m.layers)
local plan = xnet.place.spacexnet(net, ring, prof, { in_sample = true })
local tmp = os.tmpname()

-- replicate: copies go to the hottest experts first, each on a free member
-- of its layer's subnet; the expected latency does not rise
local base = xnet.evaluate(net, plan, prof, { tokens = 20000 })
local rep = xnet.place.replicate(net, ring, plan, prof, { replicas = 12, in_sample = true })
t.check(#rep:replicas() == 12 and rep:method() == "spacexnet+rep")
t.check(tostring(rep):find("and 12 replicas", 1, true) ~= nil)
t.check(tostring(xnet.place.replicate(net, ring, plan, prof, { replicas = 1 }))
        :find("and 1 replica on", 1, true) ~= nil, "one replica, singular")
local used, hottest = {}, { p = -1 }
for l = 0, 3 do
  used[plan:gateway(l)] = true
  local incl = prof:inclusion(l)
  for e = 0, 7 do
    used[plan:satellite(l, e)] = true
    if incl[e] > hottest.p then hottest = { p = incl[e], l = l, e = e } end
  end
end
local in_subnet, fresh = true, true
for _, r in ipairs(rep:replicas()) do
  local member = false
  for _, s in ipairs(ring:subnet(r.layer)) do member = member or s == r.satellite end
  in_subnet = in_subnet and member
  fresh = fresh and not used[r.satellite]
  used[r.satellite] = true
end
t.check(in_subnet and fresh, "every copy on a free member of its subnet")
t.check(#rep:copies(hottest.l, hottest.e) >= 2, "the hottest expert is replicated")
local with = xnet.evaluate(net, rep, prof, { tokens = 20000 })
t.check(with.exact_delivered <= base.exact_delivered + 1e-15 and with.exact <= base.exact + 1e-15)
-- same seed, same draws: no token slower, so the mean and every percentile can only fall
t.check(with.delivered_mean <= base.delivered_mean + 1e-15
        and with.delivered_p99 <= base.delivered_p99 + 1e-15)
-- bytes: floor(bytes / expert_bytes) copies; replicating again adds to them
t.check(#xnet.place.replicate(net, ring, plan, prof,
                              { bytes = 5.5 * m.expert_bytes }):replicas() == 5)
t.check(#xnet.place.replicate(net, ring, rep, prof, { replicas = 3 }):replicas() == 15)
t.check(xnet.place.replicate(net, ring, plan, prof, { replicas = 12, in_sample = true }) == rep,
        "deterministic")

-- a plan's file holds its copies, one `replica` row each, and reads back equal
t.check(rep:save(tmp))
local text = assert(xnet.read_file(tmp))
local rows = 0
for _ in text:gmatch("\n%d+,replica,%d+,%d+") do rows = rows + 1 end
t.check(rows == 12, "one replica row per copy")
t.check(xnet.plan.load(tmp) == rep and xnet.plan.load(tmp) ~= plan)
t.check(assert(xnet.export(rep, tmp .. ".csv")) and xnet.plan.load(tmp .. ".csv") == rep)
t.check(assert(xnet.export(rep, tmp .. ".json")))
local tree = require("xnet.json").decode(assert(xnet.read_file(tmp .. ".json")))
t.check(#tree.replicas == 12 and tree.replicas[1].satellite == rep:replicas()[1].satellite)

-- xnet.plan.new with replicas: copies(l, e) lists the first copy first
local function plan_of(replicas, extra)
  local o = { satellites = 144, gateways = {}, experts = {}, replicas = replicas }
  for l = 0, 3 do
    o.gateways[l + 1] = plan:gateway(l)
    o.experts[l + 1] = {}
    for e = 0, 7 do o.experts[l + 1][e + 1] = plan:satellite(l, e) end
  end
  for k, v in pairs(extra or {}) do o[k] = v end
  return xnet.plan.new(o)
end
local free = {}
for s = 0, 143 do if not used[s] then free[#free + 1] = s end end
local own = plan_of({ { layer = 1, expert = 3, satellite = free[1] },
                      { layer = 1, expert = 3, satellite = free[2] } })
local c = own:copies(1, 3)
t.check(#c == 3 and c[1] == plan:satellite(1, 3) and c[2] == free[1] and c[3] == free[2])
t.check(#own:copies(0, 0) == 1 and #plan_of({}):replicas() == 0 and plan_of({}) == plan)
local first = plan_of({ { layer = 1, expert = 3, satellite = free[2] },
                        { layer = 1, expert = 3, satellite = free[1] } })
t.check(first ~= own, "the order of copies is part of the plan")
t.near(xnet.evaluate(net, first, prof, { tokens = 100 }).exact,
       xnet.evaluate(net, own, prof, { tokens = 100 }).exact, 1e-15, "the same copies, either order")

-- errors: a copy beside another of its expert, on another expert's satellite
-- (one expert per satellite), out of range, over the memory budget
t.check_error("layer 1 expert 3 has two copies on satellite " .. plan:satellite(1, 3), plan_of,
              { { layer = 1, expert = 3, satellite = plan:satellite(1, 3) } })
t.check_error("layer 2 expert 0 has two copies on satellite " .. free[1], plan_of,
              { { layer = 2, expert = 0, satellite = free[1] },
                { layer = 2, expert = 0, satellite = free[1] } })
t.check_error("satellite " .. plan:satellite(0, 1) .. " holds both layer 0 expert 1 and layer 1 expert 3",
              plan_of, { { layer = 1, expert = 3, satellite = plan:satellite(0, 1) } })
t.check_error("expert 8 out of range [0, 8)", plan_of, { { layer = 0, expert = 8, satellite = free[1] } })
t.check_error("layer 4 out of range [0, 4)", plan_of, { { layer = 4, expert = 0, satellite = free[1] } })
t.check_error("satellite 144 out of range [0, 144)", plan_of,
              { { layer = 0, expert = 0, satellite = 144 } })
t.check_error("replica 1 must be a table", plan_of, { 7 })
t.check_error("replicas must be a list", plan_of, 7)
t.check_error("unknown option 'sat' for replica 1 (did you mean 'satellite'", plan_of,
              { { layer = 0, expert = 0, satellite = free[1], sat = 3 } })
local hosted = { memory_bytes = 2 * m.expert_bytes, model = m }
t.check(#plan_of({ { layer = 0, expert = 0, satellite = plan:satellite(0, 1) } }, hosted):replicas() == 1)
t.check_error("satellite " .. plan:satellite(0, 1) .. " holds more than 2 experts (layer 1 expert copy 0 "
              .. "is one too many)", plan_of,
              { { layer = 0, expert = 0, satellite = plan:satellite(0, 1) },
                { layer = 1, expert = 0, satellite = plan:satellite(0, 1) } }, hosted)
t.check_error("layer 0 expert copy 0 is on satellite " .. plan:gateway(1) .. ", the gateway of layer 1",
              plan_of, { { layer = 0, expert = 0, satellite = plan:gateway(1) } }, hosted)

-- replicate within a memory budget: copies share satellites up to it, and
-- where co-located experts queue the nearest copy's satellite counts
local budget = { memory_bytes = 2 * m.expert_bytes, parallel_experts = 1, in_sample = true }
local hp = xnet.place.spacexnet(net, ring, prof, budget)
local hr = xnet.place.replicate(net, ring, hp, prof, { bytes = 10.5 * m.expert_bytes,
                                                       in_sample = true })
local held = {}
for l = 0, 3 do
  for e = 0, 7 do
    for _, sat in ipairs(hr:copies(l, e)) do held[sat] = (held[sat] or 0) + 1 end
  end
end
local most = 0
for _, n in pairs(held) do most = math.max(most, n) end
t.check(#hr:replicas() == 10 and most <= 2 and hr:hosting().memory_bytes == budget.memory_bytes)
local hev = xnet.evaluate(net, hr, prof, { tokens = 20000, seed = 3 })
t.check(hev.exact_delivered ~= nil and hev.exact_undelivered == 0)
t.near(hev.delivered_mean, hev.exact_delivered, 4 * hev.delivered_stderr,
       "co-located copies: Monte Carlo against the exact sum over sets")

-- files: an unknown expert, a duplicate copy, a bad role, over the budget
local function load_text(extra, o)
  local body = assert(xnet.read_file(tmp))
  assert(xnet.write_file(tmp .. ".bad", body .. extra))
  return xnet.plan.load(tmp .. ".bad", o)
end
local p, err = load_text("0,replica,9,5\n")
t.check(p == nil and err:find("expert 9 out of range [0, 8)", 1, true) ~= nil, err)
p, err = load_text(string.format("2,replica,1,%d\n", plan:satellite(2, 1)))
t.check(p == nil and err:find("layer 2 expert 1 has two copies on satellite", 1, true) ~= nil, err)
-- rows that clash name their lines: both for two copies or two roles on one
-- satellite; a replica row without its expert row names the replica's line
local body = assert(xnet.read_file(tmp))
local line_of, last = {}, 0
for row in body:gmatch("([^\n]*)\n") do
  last = last + 1
  line_of[row] = last
end
local s21, s37 = plan:satellite(2, 1), plan:satellite(3, 7)
p, err = load_text(string.format("2,replica,1,%d\n", s21))
t.check(p == nil and err:find(string.format(".bad:%d: layer 2 expert 1 has two copies on satellite %d "
        .. "(the other on line %d)", last + 1, s21, line_of["2,expert,1," .. s21]), 1, true), err)
p, err = load_text(string.format("0,replica,1,%d\n", s37))
t.check(p == nil and err:find(string.format(".bad:%d: satellite %d holds both layer 3 expert 7 (line %d) "
        .. "and layer 0 expert 1", last + 1, s37, line_of["3,expert,7," .. s37]), 1, true), err)
local kept = {}
for row in body:gmatch("([^\n]*)\n") do
  if not row:find("^1,expert,2,") and not row:find("^1,replica,2,") then kept[#kept + 1] = row end
end
local without = table.concat(kept, "\n") .. "\n"
assert(xnet.write_file(tmp .. ".bad", without .. "1,replica,2," .. s37 .. "\n"))
p, err = xnet.plan.load(tmp .. ".bad")
t.check(p == nil and err:find(string.format(".bad:%d: a replica of layer 1 expert 2, which has no "
        .. "expert row", #kept + 1), 1, true), err)
assert(xnet.write_file(tmp .. ".bad", without))
p, err = xnet.plan.load(tmp .. ".bad")
t.check(p == nil and err:find(".bad: no expert row for layer 1 expert 2 (expected '1,expert,2,satellite')",
        1, true), err)
p, err = load_text("0,copy,1,5\n")
t.check(p == nil and err:find("'layer,replica,e,satellite'", 1, true) ~= nil, err)
p, err = load_text(string.format("0,replica,1,%d\n0,replica,2,%d\n", plan:satellite(3, 7),
                                 plan:satellite(3, 7)), { memory_bytes = 2 * m.expert_bytes, model = m })
t.check(p == nil and err:find("holds more than 2 experts", 1, true) ~= nil, err)

-- replicate's errors: not the ring's gateways, no room left, both or neither budget
t.check_error("only ", xnet.place.replicate, net, ring, plan, prof, { replicas = 1000 })
t.check_error("give exactly one of replicas", xnet.place.replicate, net, ring, plan, prof, {})
t.check_error("give exactly one of replicas", xnet.place.replicate, net, ring, plan, prof,
              { replicas = 1, bytes = 1 })
t.check_error("replicas must be in [0", xnet.place.replicate, net, ring, plan, prof, { replicas = -1 })
local rp = xnet.place.randplace(net, ring, prof, { seed = 4 })
t.check_error("the plan's gateway of layer 0 is satellite", xnet.place.replicate, net, ring, rp,
              prof, { replicas = 1 })
t.check_error("unknown option", xnet.place.replicate, net, ring, plan, prof, { replica = 1 })

-- serving: at vanishing load, either routing rule is evaluate's nearest copy
local period = 2 * math.pi * math.sqrt((6371 + 550) ^ 3 / 398600.4418)
local ev = xnet.evaluate(net, rep, prof, { tokens = 1000 })
for _, policy in ipairs{ "nearest", "shortest_wait" } do
  local one = xnet.serve(net, rep, prof, { streams = 1, snapshot = 2, duration_s = 60,
                                           warmup_s = 0, replica = policy })
  local ev2 = xnet.evaluate(net, rep, prof, { snapshot = 2, tokens = 1000 })
  t.near(one.mean, ev2.exact, 4 * one.stderr + 1e-12, "a lone stream at snapshot 2, " .. policy)
  local slow = xnet.serve(net, rep, prof, { rate_tokens_s = 0.05, duration_s = 4 * period,
                                            warmup_s = 0, replica = policy, replications = 8 })
  t.near(slow.mean, ev.exact, 4 * slow.stderr, "open arrivals at vanishing load, " .. policy)
  t.check(slow.replica == policy)
end
t.check(xnet.serve(net, plan, prof, { streams = 1, duration_s = 10 }).replica == nil)
-- under load the copies share the work: shortest_wait spreads the hot
-- experts' jobs over their copies, so their busiest copy is less busy
local ms = xnet.model{ layers = 4, experts = 8, top_k = 2, hidden = 1024, bytes_per_value = 2,
                       expert_ffn = 2048 * 64, flops_per_s = 1e11 }
local hot = xnet.profile.zipf(ms, 1.5, { seed = 2 })
local hplan = xnet.place.spacexnet(net, ring, hot, { in_sample = true })
local hrep = xnet.place.replicate(net, ring, hplan, hot, { replicas = 16, in_sample = true })
local busy = {}
for _, policy in ipairs{ "nearest", "shortest_wait" } do
  local r = xnet.serve(net, hrep, hot, { streams = 32, duration_s = 60, replica = policy,
                                         replications = 2 })
  local hl, he = 0, 0
  for l = 0, 3 do
    local incl = hot:inclusion(l)
    for e = 0, 7 do if incl[e] > hot:inclusion(hl)[he] then hl, he = l, e end end
  end
  local most = 0
  for _, s in ipairs(hrep:copies(hl, he)) do most = math.max(most, r.utilisation[s] or 0) end
  busy[policy] = { most = most, throughput = r.throughput }
end
t.check(busy.shortest_wait.most < busy.nearest.most,
        string.format("hottest expert's busiest copy: %.3f (shortest_wait) vs %.3f (nearest)",
                      busy.shortest_wait.most, busy.nearest.most))
t.check(busy.shortest_wait.throughput >= busy.nearest.throughput)
t.check_error('replica must be "nearest" or "shortest_wait", got "any"', xnet.serve, net, rep,
              prof, { streams = 1, replica = "any" })
t.check_error("does not model replicated experts", xnet.serve, net, rep, prof,
              { streams = 1, method = "analytic" })

-- failures: a token uses a surviving copy; only when every copy of an
-- activated expert failed is it undelivered
local hl, he = hottest.l, hottest.e
local copies = rep:copies(hl, he)
local f1 = xnet.fail(net, { satellites = { copies[1] } })
local single = xnet.evaluate(f1, plan, prof, { tokens = 100 })
t.near(single.exact_undelivered, prof:inclusion(hl)[he], 1e-12, "without the replica: lost")
local kept = xnet.evaluate(f1, rep, prof, { tokens = 2000 })
t.check(kept.exact_undelivered == 0 and kept.undelivered == 0, "the replica serves them")
t.check(kept.exact >= with.exact - 1e-15, "a surviving copy is no nearer than both were")
local served = xnet.serve(f1, rep, prof, { rate_tokens_s = 0.5, duration_s = 2000, warmup_s = 0 })
t.check(served.undelivered == 0, "served through the surviving copy")
local fall = xnet.fail(net, { satellites = copies })
t.near(xnet.evaluate(fall, rep, prof, { tokens = 100 }).exact_undelivered,
       prof:inclusion(hl)[he], 1e-12, "every copy failed: lost")

-- repair: an expert with a surviving copy needs no upload; one with none moves
local fixed, report = xnet.place.repair(f1, ring, rep, prof)
t.check(report.experts_moved == 0 and report.bytes == 0 and report.copies_dropped == 1)
t.check(fixed:satellite(hl, he) == copies[2] and #fixed:copies(hl, he) == #copies - 1)
t.check(#fixed:replicas() == #rep:replicas() - 1, "the other copies stay")
t.check(xnet.evaluate(f1, fixed, prof, { tokens = 100 }).exact_undelivered == 0)
fixed, report = xnet.place.repair(fall, ring, rep, prof)
t.check(report.experts_moved == 1 and report.bytes == m.expert_bytes
        and report.copies_dropped == #copies - 1 and #fixed:copies(hl, he) == 1)
t.check(xnet.evaluate(fall, fixed, prof, { tokens = 100 }).exact_undelivered == 0)
-- a surviving copy is not a free satellite: nothing lands on it
local occupied = {}
for _, r in ipairs(rep:replicas()) do occupied[r.satellite] = true end
t.check(not occupied[report.lost[1].to], "the moved expert lands on a free satellite")

for _, f in ipairs{ tmp, tmp .. ".bad", tmp .. ".csv", tmp .. ".json" } do os.remove(f) end
t.done()
