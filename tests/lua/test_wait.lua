-- Lost tokens charged: a token whose path is cut waits for the next retry
-- that finds it (by default the next snapshot in which it exists); the
-- headline mean includes the wait, delivered_* keep the old conditional.
-- Hand-computed on a one-layer, one-expert model; and the vocabulary's
-- output projection at the last layer.
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local t = require "harness"
local xnet = require "xnet"

local m = xnet.model{ layers = 1, experts = 1, top_k = 1, hidden = 8, bytes_per_value = 2,
                      expert_ffn = 16, vocab = 100 }
local prof = xnet.profile.uniform(m)
local T = 8
local net = xnet.network(xnet.walker{ planes = 4, sats = 12 }, { snapshots = T, survival = 0.6,
                                                                 seed = 6 })
local dt = net:time(1) - net:time(0)
local g = 13
-- an expert satellite whose path is cut in some snapshots and not in others
local s, path
for cand = 0, 47 do
  if cand ~= g then
    local d, cut, up = {}, 0, 0
    for k = 0, T - 1 do
      d[k] = net:latency(g, k)[cand]
      if d[k] == math.huge then cut = cut + 1 else up = up + 1 end
    end
    if cut >= 2 and up >= 2 then s, path = cand, d break end
  end
end
t.check(s ~= nil, "a satellite cut in some snapshots")
local plan = xnet.plan.new{ satellites = 48, gateways = { g }, experts = { { s } } }
local fixed = m.gateway_s + m.expert_s + m.head_s

-- by hand: from each start snapshot, the first snapshot (cyclically) with the path
local function by_hand(retry)
  local total, n, cut = 0, 0, 0
  for tau = 0, T - 1 do
    local j, k = 0, tau
    while path[k] == math.huge do
      j = j + 1
      k = (tau + math.floor(j * retry / dt + 1e-9)) % T
    end
    if j > 0 then cut = cut + 1 end
    total = total + j * retry + fixed + 2 * path[k]
    n = n + 1
  end
  return total / n, cut / T
end
local want, cut = by_hand(dt)
local r = xnet.evaluate(net, plan, prof, { tokens = T })
t.near(r.mean, want, 1e-12, "Monte Carlo: every start snapshot once")
t.near(r.exact, want, 1e-12, "exact")
t.near(r.undelivered, cut, 1e-15)
t.check(r.lost == 0 and r.exact_lost == 0 and r.retry_s == dt)
-- the conditional over tokens whose path existed at once
local sum, n = 0, 0
for k = 0, T - 1 do
  if path[k] < math.huge then sum, n = sum + fixed + 2 * path[k], n + 1 end
end
t.near(r.delivered_mean, sum / n, 1e-12)
t.near(r.exact_delivered, sum / n, 1e-12)
t.check(r.mean > r.delivered_mean, "waiting costs")
-- a retry timeout of 2.5 snapshots
local want25 = by_hand(2.5 * dt)
local r25 = xnet.evaluate(net, plan, prof, { tokens = T, retry_s = 2.5 * dt })
t.near(r25.mean, want25, 1e-12)
t.near(r25.exact, want25, 1e-12)
t.check_error("retry_s must be > 0 and finite", xnet.evaluate, net, plan, prof, { retry_s = 0 })

-- a path that never exists is lost, not timed
local never
for cand = 0, 47 do
  local all_cut = true
  for k = 0, T - 1 do all_cut = all_cut and net:latency(g, k)[cand] == math.huge end
  if all_cut and cand ~= g then never = cand break end
end
if never then
  local lost = xnet.evaluate(net, xnet.plan.new{ satellites = 48, gateways = { g },
                                                 experts = { { never } } }, prof, { tokens = T })
  t.check(lost.lost == 1 and lost.exact_lost == 1 and lost.mean == nil)
else
  t.check(true)
end

-- Monte Carlo and exact agree on the paper's setup with outages (many layers)
local paper = require "xnet.paper"
local setup = paper.setup{ snapshots = 12, survival = 0.8 }
local zipf = paper.profile(setup.model, "zipf-1", 1)
local rr = xnet.evaluate(setup.net, xnet.place.randintra(setup.net, setup.ring, zipf), zipf,
                         { tokens = 40000 })
t.check(rr.undelivered > 0.1 and math.abs(rr.mean - rr.exact) < 4 * rr.stderr,
        string.format("exact %.6g, sampled %.6g +- %.2g", rr.exact, rr.mean, rr.stderr))
t.check(rr.mean > rr.delivered_mean)

-- the output projection: 2 * hidden * vocab FLOPs once per token
local llama = xnet.model "llama-moe-3.5b"
t.near(llama.head_s, 2 * 4096 * 32000 / (10.4e9 * 0.70), 1e-15)
t.check(xnet.model{ layers = 1, experts = 1, top_k = 1, hidden = 8, bytes_per_value = 2,
                    expert_ffn = 16 }.head_s == 0, "no vocab, no head")
t.check_error("vocab must be >= 0", xnet.model, { layers = 1, experts = 1, top_k = 1, hidden = 8,
                                                  bytes_per_value = 2, expert_ffn = 16,
                                                  vocab = -1 })

t.done()
