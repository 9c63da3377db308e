-- The local search on the exact objective: never worse than the sorted rule,
-- and on a small instance as good as brute force over every placement.
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local t = require "harness"
local xnet = require "xnet"

local con = xnet.walker{ planes = 4, sats = 12 }
local net = xnet.network(con, { snapshots = 6, survival = 1, seed = 1 })
local subnet = { 0, 1, 2, 12, 13, 14, 24 }
local ring = xnet.ring(net, { subnet }, { gateways = { 13 } })
local m = xnet.model{ layers = 1, experts = 3, top_k = 2, hidden = 8, bytes_per_value = 2,
                      gateway_flops = 1e6, expert_flops = 1e6 }
local prof = xnet.profile.table(m, { { 6, 3, 1 } })

local sorted = xnet.place.spacexnet(net, ring, prof)
local opt, stats = xnet.place.optimize(net, ring, prof)
local e_sorted = xnet.evaluate(net, sorted, prof, { tokens = 6 }).exact
local e_opt = xnet.evaluate(net, opt, prof, { tokens = 6 }).exact
t.check(opt:method() == "optimized")
t.check(e_opt <= e_sorted + 1e-15, string.format("%.12g > %.12g", e_opt, e_sorted))
t.check(stats.after_s <= stats.before_s and stats.passes >= 1)
-- the objective's change is the exact latency's change (nothing is cut here)
t.near(stats.before_s - stats.after_s, e_sorted - e_opt, 1e-12)

-- brute force: every ordered choice of 3 of the 6 candidates
local cands, best = {}, math.huge
for _, s in ipairs(subnet) do if s ~= 13 then cands[#cands + 1] = s end end
for a = 1, 6 do
  for b = 1, 6 do
    for c = 1, 6 do
      if a ~= b and b ~= c and a ~= c then
        local plan = xnet.plan.new{ satellites = #con, gateways = { 13 },
                                    experts = { { cands[a], cands[b], cands[c] } } }
        best = math.min(best, xnet.evaluate(net, plan, prof, { tokens = 6 }).exact)
      end
    end
  end
end
t.near(e_opt, best, 1e-12, "local search reaches the brute-force optimum")

t.check_error("passes must be in [1, 1000000], got 0", xnet.place.optimize, net, ring, prof,
              { passes = 0 })
t.check_error("cut_penalty_s must be > 0 and finite", xnet.place.optimize, net, ring, prof,
              { cut_penalty_s = -1 })
t.check_error("unknown option 'pass' for xnet.place.optimize", xnet.place.optimize, net, ring,
              prof, { pass = 3 })
t.done()
