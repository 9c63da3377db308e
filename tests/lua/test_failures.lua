-- Satellite failures (xnet.fail) and the repair of plans (xnet.place.repair):
-- a failed satellite's links are down, tokens that need it are undelivered,
-- the repair moves exactly what was lost, and bad input raises.
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local t = require "harness"
local xnet = require "xnet"

local con = xnet.walker{ planes = 8, sats = 12 }
local net = xnet.network(con, { snapshots = 4, survival = 1, seed = 3 })
local m = xnet.model{ layers = 4, experts = 6, top_k = 2, hidden = 1024, bytes_per_value = 2,
                      expert_ffn = 2048, flops_per_s = 1e11 }
local prof = xnet.profile.zipf(m, 1, { seed = 2 })
local ring = xnet.ring(net, m.layers)
local plan = xnet.place.spacexnet(net, ring, prof)
local base = xnet.evaluate(net, plan, prof, { tokens = 100 })
t.check(base.exact_undelivered == 0)

-- nothing failed: the same network
local same, none = xnet.fail(net, { rate = 0, seed = 1 })
t.check(#none == 0 and #xnet.failed(same) == 0)
t.near(xnet.evaluate(same, plan, prof, { tokens = 100 }).exact, base.exact, 1e-12)

-- a gateway fails: every token is lost; the repair moves it and nothing else
local g = plan:gateway(1)
local f, list = xnet.fail(net, { satellites = { g } })
t.check(#list == 1 and list[1] == g and xnet.failed(f)[1] == g)
t.check(f:links(0).user == 4, "the failed satellite's four links are down")
t.check(xnet.evaluate(f, plan, prof, { tokens = 100 }).exact_undelivered == 1)
local fixed, rep = xnet.place.repair(f, ring, plan, prof)
t.check(rep.gateways_moved == 1 and rep.experts_moved == 0 and rep.bytes == 0)
t.check(fixed:gateway(1) ~= g and fixed:method() == "spacexnet+repair")
local changed = 0
for l = 0, 3 do
  if fixed:gateway(l) ~= plan:gateway(l) then changed = changed + 1 end
  for e = 0, 5 do
    if fixed:satellite(l, e) ~= plan:satellite(l, e) then changed = changed + 1 end
  end
end
t.check(changed == 1, "one move")
t.check(xnet.evaluate(f, fixed, prof, { tokens = 100 }).exact_undelivered == 0)

-- an expert's satellite fails: exactly the tokens that activate it are lost
local s = plan:satellite(2, 0)
f = xnet.fail(net, { satellites = { s } })
local lost = xnet.evaluate(f, plan, prof, { tokens = 100 })
t.near(lost.exact_undelivered, prof:inclusion(2)[0], 1e-12, "P(expert 0 of layer 2 active)")
fixed, rep = xnet.place.repair(f, ring, plan, prof)
t.check(rep.experts_moved == 1 and rep.bytes == m.expert_bytes and #rep.lost == 1
        and rep.lost[1].from == s and rep.lost[1].layer == 2 and rep.lost[1].expert == 0)
t.check(xnet.evaluate(f, fixed, prof, { tokens = 100 }).exact_undelivered == 0)
-- serve on the failed network: the same tokens lost
local r = xnet.serve(f, plan, prof, { rate_tokens_s = 0.5, duration_s = 2000, warmup_s = 0 })
t.near(r.undelivered, prof:inclusion(2)[0], 0.1, "served tokens lost as evaluate says")

-- random failures: seeded, reproducible; failures add up
local a, la = xnet.fail(net, { rate = 0.1, seed = 7 })
local _, lb = xnet.fail(net, { rate = 0.1, seed = 7 })
t.check(#la > 0 and #la == #lb and la[1] == lb[1] and la[#la] == lb[#lb])
local _, lc = xnet.fail(a, { satellites = { 0 } })
t.check(#lc >= #la and lc[1] == 0)

-- bad input
t.check_error("xnet.fail: satellite 96 out of range [0, 96)", xnet.fail, net,
              { satellites = { 3, 96 } })
t.check_error("xnet.fail: satellite -1 out of range [0, 96)", xnet.fail, net,
              { satellites = { -1 } })
t.check_error("must be an integer id", xnet.fail, net, { satellites = { 1.5 } })
t.check_error("give exactly one of satellites", xnet.fail, net, {})
t.check_error("rate must be in [0, 1], got 2", xnet.fail, net, { rate = 2 })
t.check_error("unknown option 'sats' for xnet.fail", xnet.fail, net, { sats = { 1 } })
t.check_error("bad argument #1 to 'xnet.fail' (xnet.Network expected, got table)", xnet.fail,
              {}, { rate = 0 })
t.check_error("(xnet.Network expected, got xnet.Plan)", xnet.fail, plan, { rate = 0 })
-- a list with a hole, or from 0, would fail fewer satellites than it names
t.check_error("xnet.fail: satellites must be a list without holes: 2 entries, none at [2]",
              xnet.fail, net, { satellites = { [1] = 5, [3] = 7 } })
t.check_error("xnet.fail: satellites must be a list (keys 1, 2, ...), got key 0", xnet.fail,
              net, { satellites = { [0] = 5, 6 } })

-- a failed network's reseeds keep its failures, and the repair sees them
local fg = xnet.fail(net, { satellites = { plan:gateway(0), plan:satellite(2, 1) } })
local again = fg:reseed(9)
t.check(#xnet.failed(again) == 2 and xnet.failed(again)[1] == xnet.failed(fg)[1],
        "reseed keeps the failed list")
local _, on_reseed = xnet.place.repair(again, ring, plan, prof)
t.check(on_reseed.gateways_moved == 1 and on_reseed.experts_moved == 1,
        "the repair on a reseeded failed network moves what was lost")
-- a satellite cut off by anything (here a link rule) is lost for the repair too
local cut = plan:satellite(3, 0)
local ruled = xnet.network(con, { snapshots = 4, survival = 1, seed = 3,
                                  link_rule = function(x, y) return x ~= cut and y ~= cut end })
local rr, rrep = xnet.place.repair(ruled, ring, plan, prof)
t.check(rrep.experts_moved == 1 and rrep.lost[1].from == cut and rr:satellite(3, 0) ~= cut,
        "a satellite no link reaches is repaired")
t.check(xnet.evaluate(ruled, rr, prof, { tokens = 100 }).exact_undelivered == 0)

-- the repair checks its arguments against each other, at the caller's line
local function repair_error(pattern, ...)
  local args = table.pack(...)
  t.check_error("test_failures.lua:", function() xnet.place.repair(table.unpack(args, 1, args.n)) end)
  t.check_error(pattern, xnet.place.repair, ...)
end
local m5 = xnet.model(m, { experts = 5 })
repair_error("the profile is for 4 layers x 5 experts, the plan for 4 x 6", f, ring, plan,
             xnet.profile.uniform(m5))
local bigger = xnet.network(xnet.walker{ planes = 9, sats = 12 }, { snapshots = 2 })
repair_error("the plan is for 96 satellites, the network has 108",
             xnet.fail(bigger, { satellites = { 1 } }), ring, plan, prof)
repair_error("the ring is for 108 satellites, the network has 96", f,
             xnet.ring(bigger, m.layers), plan, prof)
repair_error("the ring has 3 subnets, the plan 4 layers", f, xnet.ring(net, 3), plan, prof)
local stray = xnet.place.randplace(net, ring, prof, { seed = 1 })
local outside = true
for _, s in ipairs(ring:subnet(0)) do outside = outside and s ~= stray:gateway(0) end
t.check(outside, "randplace seed 1 puts gateway 0 outside subnet 0")
if outside then
  repair_error("the plan's gateway of layer 0, satellite " .. stray:gateway(0)
               .. ", is not in the ring's subnet 0", f, ring, stray, prof)
end
-- a whole subnet lost: the repair says what is missing
local members = ring:subnet(0)
f = xnet.fail(net, { satellites = members })
t.check_error("no surviving free satellite in subnet 0", xnet.place.repair, f, ring, plan, prof)

t.done()
