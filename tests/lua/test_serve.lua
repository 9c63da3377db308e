-- Serving many tokens at once (xnet.serve): a lone stream reproduces
-- xnet.evaluate, the queueing approximation agrees with both at no load,
-- runs are reproducible to the bit, an open system past its capacity
-- reports the satellite, and bad input raises clearly.
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local t = require "harness"
local xnet = require "xnet"

local con = xnet.walker{ planes = 8, sats = 12 }
local net = xnet.network(con, { snapshots = 12, survival = 0.9, seed = 3 })
local m = xnet.model{ layers = 4, experts = 6, top_k = 2, hidden = 1024, bytes_per_value = 2,
                      expert_ffn = 2048, flops_per_s = 1e11 }
local prof = xnet.profile.zipf(m, 1, { seed = 2 })
local ring = xnet.ring(net, m.layers)
local plan = xnet.place.spacexnet(net, ring, prof)
local period = 2 * math.pi * math.sqrt((6371 + 550) ^ 3 / 398600.4418)

-- A lone stream never queues: its tokens are evaluate's tokens (at one
-- snapshot; over an orbit a closed loop runs more tokens in the faster
-- snapshots, so it is compared there with open arrivals below).
local ev = xnet.evaluate(net, plan, prof, { snapshot = 5, tokens = 1000 })
local one = xnet.serve(net, plan, prof, { streams = 1, snapshot = 5, duration_s = 60,
                                          warmup_s = 0 })
t.near(one.mean, ev.exact, 4 * one.stderr, "a lone stream at snapshot 5")
t.check(one.stderr < 0.01 * one.mean and one.undelivered == ev.exact_undelivered)
t.near(one.throughput, (1 - one.undelivered) / one.mean, 0.02 * one.throughput,
       "a lone stream: one token after another")
ev = xnet.evaluate(net, plan, prof, { tokens = 1000 })
-- the approximation's lone stream is the exact evaluation (time-weighted snapshots)
local a1 = xnet.serve(net, plan, prof, { streams = 1, duration_s = 2 * period, warmup_s = 0,
                                         method = "analytic" })
t.near(a1.mean, ev.exact, 1e-9 * ev.exact, "the approximation at one stream")
t.check(a1.how == "analytic" and one.how == "simulate")

-- a trickle of open arrivals: nearly no queueing
local slow = xnet.serve(net, plan, prof, { rate_tokens_s = 0.01, duration_s = 4 * period,
                                           warmup_s = 0, replications = 4 })
t.near(slow.mean, ev.exact, 4 * slow.stderr, "open arrivals at vanishing load")
t.near(slow.undelivered, ev.exact_undelivered, 0.05, "undelivered at vanishing load")

-- The same model terms as evaluate: the output projection at the last
-- layer's gateway, and cut tokens that wait for the first retry that finds
-- their paths (a sparse network cuts many).
local mv = xnet.model(m, { vocab = 32000 })
local pv = xnet.profile.zipf(mv, 1, { seed = 2 })
local sparse = xnet.network(con, { snapshots = 12, survival = 0.7, seed = 4 })
local pl = xnet.place.spacexnet(sparse, xnet.ring(sparse, mv.layers, { warn = false }), pv)
local evc = xnet.evaluate(sparse, pl, pv, { tokens = 1000 })
t.check(evc.exact_undelivered > 0.02 and evc.exact_lost < 0.5, "the sparse network cuts paths")
local trickle = xnet.serve(sparse, pl, pv, { rate_tokens_s = 0.02, duration_s = 8 * period,
                                              warmup_s = 0, replications = 8 })
t.check(trickle.head_s > 0)
t.near(trickle.mean, evc.exact, 4 * trickle.stderr, "cut tokens wait as in evaluate")
t.near(trickle.undelivered, evc.exact_undelivered, 0.05, "tokens that met a cut path")
t.near(trickle.lost, evc.exact_lost, 0.05, "tokens lost")
local atr = xnet.serve(sparse, pl, pv, { rate_tokens_s = 0.02, duration_s = 8 * period,
                                          warmup_s = 0, method = "analytic" })
t.near(atr.mean, evc.exact, 1e-6 * evc.exact, "the approximation charges the same waits")

-- Retries jump to the next snapshot (the paths change only there): the same
-- bits as stepping one retry at a time (figures from that chain, which took
-- time in proportion to 1 / retry_s), and a tiny retry_s stays fast.
local pr = xnet.place.spacexnet(sparse, xnet.ring(sparse, m.layers, { warn = false }), prof)
local e3 = xnet.evaluate(sparse, pr, prof, { tokens = 500, retry_s = 1e-3 })
t.check(e3.exact == 19.724679300656529 and e3.mean == 13.647497226882866,
        string.format("retry_s 1e-3 as the one-by-one chain: %.17g %.17g", e3.exact, e3.mean))
local s3 = xnet.serve(sparse, pr, prof, { streams = 2, duration_s = 300, retry_s = 1e-3,
                                          max_tokens = 1e9, progress = false })
t.check(s3.mean == 0.33383296624662318, string.format("serve retry_s 1e-3: %.17g", s3.mean))
local e6 = xnet.evaluate(sparse, pr, prof, { tokens = 500, retry_s = 1e-6 })
t.check(e6.exact <= e3.exact and e6.exact > e3.exact - 1e-2, "retry_s 1e-6 runs, a little lower")

-- nothing delivered is said, in the status and as a warning
local dead = xnet.network(xnet.walker{ planes = 8, sats = 12 }, { snapshots = 2, survival = 0 })
local dplan = xnet.place.randplace(dead, xnet.ring(dead, m.layers, { warn = false }), prof)
warn("@off")
local r0 = xnet.serve(dead, dplan, prof, { streams = 2, duration_s = 10 })
warn("@on")
t.check(r0.status:match("^nothing delivered") and r0.throughput == 0 and r0.lost == 1
        and r0.mean == nil, r0.status)
warn("@off")
local a0 = xnet.serve(dead, dplan, prof, { streams = 2, method = "analytic" })
warn("@on")
t.check(a0.delivered == 0 and a0.undelivered == 1 and r0.delivered == 0
        and r0.undelivered == 1 and next(a0.utilisation) == nil and #a0.busiest == 0,
        "nothing delivered: the approximation says it as the simulation, no satellite busy")
-- a result prints as a summary
local shown = tostring(xnet.serve(net, plan, prof, { streams = 4, duration_s = 60 }))
t.check(shown:match("^serve %(simulate%) spacexnet, 4 streams: stable, [%d.]+ tokens/s, mean "
                    .. "[%d.]+ s/token %(p50 [%d.]+, p99 [%d.]+%), busiest satellite %d+ %([%d.e-]+ "
                    .. "busy%), undelivered [%d.]+%%$"), shown)
-- a run that would take hours is refused before it starts, naming the bound
t.check_error("tokens per replication (streams + min(the bottleneck's capacity, streams / the "
              .. "least latency) x duration_s), more than max_tokens = 10000000 tokens",
              xnet.serve, net, plan, prof, { streams = 1000000, duration_s = 1e6 })
-- but one stream on fast hardware starts at most duration_s / its latency
local fast = xnet.profile.zipf(xnet.model(m, { flops_per_s = 1e16 }), 1, { seed = 2 })
local ok1, f1 = pcall(xnet.serve, net, plan, fast, { streams = 1 })
t.check(ok1 and f1.tokens > 1000 and f1.tokens < 1e5,
        "one stream on fast hardware runs: " .. tostring(ok1 and f1.tokens or f1))

-- open arrivals start only inside [0, duration_s), the first one too
local idle = xnet.serve(net, plan, prof, { rate_tokens_s = 1e-6, duration_s = 10,
                                           replications = 20 })
t.check(idle.tokens == 0 and idle.throughput == 0, "no arrival after duration_s: "
        .. idle.tokens .. " tokens")

-- same seed, same bits; another seed, other bits
local o = { streams = 20, duration_s = 200, seed = 5, replications = 2 }
local r1, r2 = xnet.serve(net, plan, prof, o), xnet.serve(net, plan, prof, o)
t.check(r1.mean == r2.mean and r1.p99 == r2.p99 and r1.throughput == r2.throughput
        and r1.events == r2.events, "reproducible")
local same = true
for s, u in pairs(r1.utilisation) do same = same and r2.utilisation[s] == u end
t.check(same, "utilisation reproducible")
o.seed = 6
t.check(xnet.serve(net, plan, prof, o).mean ~= r1.mean, "another seed")
-- Little's law in the closed loop: streams = throughput x latency (+ the lost)
t.near(r1.in_system, 20, 1e-6, "every stream has a token in the system")
t.near(r1.throughput * r1.mean, 20 * (1 - r1.undelivered), 0.05 * 20, "Little's law")
-- the busiest satellites, highest first, and the bottleneck among them
t.check(#r1.busiest == 10 and r1.busiest[1].utilisation >= r1.busiest[2].utilisation)
t.check(r1.utilisation[r1.busiest[1].satellite] == r1.busiest[1].utilisation)

-- Past the capacity an open system reports where, without running.
-- the busiest satellite's server-seconds per token bound the rate
local probe = xnet.serve(net, plan, prof, { rate_tokens_s = 1, method = "analytic" })
local cap = 1 / probe.bottleneck_utilisation
local over = xnet.serve(net, plan, prof, { rate_tokens_s = 1.3 * cap, duration_s = 1e9 })
t.check(over.stable == false and over.throughput == nil and over.mean == nil)
t.check(over.status:match("^unstable %(utilisation 1%.3%d* at satellite %d+%)$"), over.status)
t.near(over.bottleneck_utilisation, 1.3, 1e-9)
local aover = xnet.serve(net, plan, prof, { rate_tokens_s = 1.3 * cap, method = "analytic" })
t.check(aover.status == over.status)
-- below it, the simulation's utilisation is the offered one
local under = xnet.serve(net, plan, prof, { rate_tokens_s = 0.5 * cap, duration_s = 100,
                                            replications = 2 })
t.check(under.stable and under.events > 0)
t.near(under.utilisation[under.bottleneck], 0.5 * (1 - under.undelivered), 0.05)

-- The approximation's arrivals: exponential service keeps every stream
-- Poisson (Jackson), so both forms agree; constant service smooths the
-- stream the gateways pass on, so below the knee tokens wait less than
-- Poisson arrivals would.
for _, load in ipairs{ { streams = 20 }, { rate_tokens_s = 0.7 * cap } } do
  local o = { duration_s = 300, service = "exponential", method = "analytic" }
  for k, v in pairs(load) do o[k] = v end
  local smooth = xnet.serve(net, plan, prof, o)
  o.method = "analytic-poisson"
  local pois = xnet.serve(net, plan, prof, o)
  t.near(smooth.mean, pois.mean, 1e-9 * pois.mean, "exponential service: Poisson everywhere")
  o.service, o.method = "constant", "analytic"
  smooth = xnet.serve(net, plan, prof, o)
  o.method = "analytic-poisson"
  pois = xnet.serve(net, plan, prof, o)
  t.check(smooth.mean < pois.mean and pois.how == "analytic-poisson", "constant service smooths")
end

-- bad input
t.check_error("give exactly one of streams", xnet.serve, net, plan, prof, {})
t.check_error("give exactly one of streams", xnet.serve, net, plan, prof,
              { streams = 2, rate_tokens_s = 1 })
t.check_error("rate_tokens_s must be > 0 and finite, got 0", xnet.serve, net, plan, prof,
              { rate_tokens_s = 0 })
t.check_error("rate_tokens_s must be > 0 and finite, got -1", xnet.serve, net, plan, prof,
              { rate_tokens_s = -1 })
t.check_error("streams must be in [1, 10000000], got 0", xnet.serve, net, plan, prof,
              { streams = 0 })
t.check_error("duration_s must be finite and > 0, got 0", xnet.serve, net, plan, prof,
              { streams = 1, duration_s = 0 })
t.check_error("warmup_s must be in [0, duration_s = 10)", xnet.serve, net, plan, prof,
              { streams = 1, duration_s = 10, warmup_s = 10 })
t.check_error("max_tokens = 100 tokens", xnet.serve, net, plan, prof,
              { rate_tokens_s = 10, duration_s = 1000, max_tokens = 100 })
t.check_error("snapshot 12 out of range [0, 12)", xnet.serve, net, plan, prof,
              { streams = 1, snapshot = 12 })
t.check_error("unknown option 'stream' for xnet.serve", xnet.serve, net, plan, prof,
              { stream = 1 })
t.check_error("method must be", xnet.serve, net, plan, prof, { streams = 1, method = "mva" })
local other = xnet.network(xnet.walker{ planes = 6, sats = 12 }, { snapshots = 2 })
t.check_error("the plan is for 96 satellites, the network has 72", xnet.serve, other, plan,
              prof, { streams = 1 })
local m2 = xnet.model(m, { experts = 5 })
t.check_error("the profile is for 4 layers x 5 experts, the plan for 4 x 6", xnet.serve, net,
              plan, xnet.profile.uniform(m2), { streams = 1 })

t.done()
