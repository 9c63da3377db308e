-- Load-aware placement: with several experts per satellite the latency-only
-- sorted rule piles the hottest experts onto the gateway (its path is the
-- shortest); at a target load the rule weighs each satellite's M/G/1 wait,
-- so where the latency-only plan saturates a satellite the load-aware one is
-- stable and its simulated p99 lower; at load 0 it is the latency-only plan.
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local t = require "harness"
local xnet = require "xnet"

local net = xnet.network(xnet.walker{ planes = 8, sats = 12 }, { snapshots = 12, survival = 1 })
local m = xnet.model{ layers = 4, experts = 6, top_k = 2, hidden = 1024, bytes_per_value = 2,
                      expert_ffn = 2048, flops_per_s = 1e9 }
local prof = xnet.profile.zipf(m, 1, { seed = 2 })
local ring = xnet.ring(net, m.layers)
local function hosting(load)
  return { memory_bytes = 3 * m.expert_bytes, gateway_hosts = true, load = load }
end
local function same(a, b)
  for l = 0, m.layers - 1 do
    if a:gateway(l) ~= b:gateway(l) then return false end
    for e = 0, m.experts - 1 do
      if a:satellite(l, e) ~= b:satellite(l, e) then return false end
    end
  end
  return true
end

for _, method in ipairs{ "spacexnet", "optimize" } do
  local place = xnet.place[method]
  local base = place(net, ring, prof, hosting())
  t.check(same(place(net, ring, prof, hosting{ rate_tokens_s = 0 }), base),
          method .. ": load 0 is the latency-only plan")
  local cap = 1 / xnet.serve(net, base, prof, { rate_tokens_s = 1, method = "analytic" })
                    .bottleneck_utilisation
  local o = { rate_tokens_s = 1.1 * cap, duration_s = 200, replications = 2 }
  local aware = place(net, ring, prof, hosting{ rate_tokens_s = o.rate_tokens_s })
  local r0, r1 = xnet.serve(net, base, prof, o), xnet.serve(net, aware, prof, o)
  t.check(not r0.stable and r1.stable, method .. ": the load-aware plan is stable: " .. r1.status)
  o.rate_tokens_s = 0.9 * cap -- both stable: the load-aware plan's tail is shorter
  r0, r1 = xnet.serve(net, base, prof, o), xnet.serve(net, aware, prof, o)
  t.check(r0.stable and r1.stable and r1.p99 < r0.p99,
          string.format("%s: p99 %.3f s against %.3f s", method, r1.p99, r0.p99))
end
-- streams: the rate the approximation gives them, iterated
local by_streams = xnet.place.spacexnet(net, ring, prof, hosting{ streams = 40 })
t.check(not same(by_streams, xnet.place.spacexnet(net, ring, prof, hosting())))

t.check_error("load takes exactly one of streams and rate_tokens_s", xnet.place.spacexnet, net,
              ring, prof, hosting{})
t.check_error("load.rate_tokens_s must be >= 0 and finite, got -1", xnet.place.spacexnet, net,
              ring, prof, hosting{ rate_tokens_s = -1 })
t.check_error("load.streams must be an integer >= 1, got 0", xnet.place.optimize, net, ring,
              prof, hosting{ streams = 0 })
t.check_error("unknown option 'rate' for load of xnet.place.spacexnet", xnet.place.spacexnet,
              net, ring, prof, hosting{ rate = 1 })
t.check_error("must be a table", xnet.place.spacexnet, net, ring, prof, { load = 5 })

t.done()
