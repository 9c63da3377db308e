-- Profiles whose top-k sets are too many to enumerate (OLMoE's top-8 of 64):
-- they build, place and evaluate exactly, and the exact figure agrees with
-- Monte Carlo within 4 standard errors.
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local t = require "harness"
local xnet = require "xnet"

local m = xnet.model(xnet.model "olmoe-1b-7b", { layers = 4 })
local prof = xnet.profile.zipf(m, 1.0, { seed = 3 })
t.check(tostring(prof):find("sets not enumerated", 1, true), tostring(prof))
local sum = 0
for e = 0, m.experts - 1 do sum = sum + prof:inclusion(2)[e] end
t.near(sum, 8, 1e-9, "inclusion sums to top_k")
t.check_error("are not enumerated", prof.sets, prof, 0)

local con = xnet.walker{ planes = 12, sats = 24 }
local net = xnet.network(con, { snapshots = 8, survival = 0.9, seed = 2 })
local ring = xnet.ring(net, 4)
local plan = xnet.place.spacexnet(net, ring, prof)
local r = xnet.evaluate(net, plan, prof, { tokens = 40000, seed = 4 })
t.check(math.abs(r.mean - r.exact) < 4 * r.stderr,
        string.format("exact %.9g, sampled %.9g +- %.2g", r.exact, r.mean, r.stderr))
t.check(math.abs(r.undelivered - r.exact_undelivered)
          < 4 * math.sqrt(r.exact_undelivered * (1 - r.exact_undelivered) / 40000) + 1e-12,
        string.format("undelivered exact %.6g, sampled %.6g", r.exact_undelivered, r.undelivered))
t.check_error("xnet.place.optimize enumerates the top-8 sets of 64 experts", xnet.place.optimize,
              net, ring, prof)
t.done()
