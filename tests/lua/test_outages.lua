-- Outages with memory (the two-state chain per link) and placement on its
-- own outage draws (placement_seed), in-sample only when asked for.
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local t = require "harness"
local xnet = require "xnet"

local con = xnet.walker{}
local function down_sets(net)
  -- per snapshot, the set of candidate links that are down (on the 33 x 32
  -- star every candidate passes the geometry, so absent = outage)
  local out = {}
  for k = 0, net:snapshots() - 1 do
    local up = {}
    for _, e in ipairs(net:edges(k)) do up[e[1] * 2000 + e[2]] = true end
    out[k] = up
  end
  return out
end

-- A chain whose outages are far shorter than a snapshot forgets at once:
-- the same draws give the same links as independent outages.
local ind = xnet.network(con, { snapshots = 30, survival = 0.8, seed = 4 })
local fast = xnet.network(con, { snapshots = 30, survival = 0.8, seed = 4, outages = "markov",
                                 outage_down_s = 1e-9 })
local same = true
for k = 0, 29 do
  same = same and ind:links(k).outage == fast:links(k).outage and #ind:edges(k) == #fast:edges(k)
end
t.check(same, "memoryless chain = independent draws")
t.check(ind:links(0).blocked + ind:links(0).tracking + ind:links(0).range == 0)

-- With memory: the stationary down fraction stays 1 - survival, and a down
-- link stays down with probability 1 - p (1 - r), r = exp(-dt / (D p)).
local T, p, D = 200, 0.8, 120
local net = xnet.network(con, { snapshots = T, survival = p, seed = 9, outages = "markov",
                                outage_down_s = D })
local params = net:params()
t.check(params.outages == "markov" and params.outage_down_s == D)
local dt = net:time(1) - net:time(0)
local r = math.exp(-dt / (D * p))
local sets = down_sets(net)
local total, down = 0, 0
local cands = net:links(0).total
for k = 0, T - 1 do
  down = down + net:links(k).outage
  total = total + cands
end
-- transitions of every candidate link (all of them are in a survival-1 snapshot)
local ids = {}
for _, e in ipairs(xnet.network(con, { snapshots = 1, survival = 1 }):edges(0)) do
  ids[#ids + 1] = e[1] * 2000 + e[2]
end
local function stays_down(s)
  local stay, was = 0, 0
  for k = 1, T - 1 do
    for _, id in ipairs(ids) do
      if not s[k - 1][id] then
        was = was + 1
        if not s[k][id] then stay = stay + 1 end
      end
    end
  end
  return stay / was
end
t.near(down / total, 1 - p, 0.01, "stationary down fraction")
local want_stay = 1 - p * (1 - r)
t.near(stays_down(sets), want_stay, 0.02, "P(down | down)")
-- independent outages: a down link is down again with probability 1 - p
t.near(stays_down(down_sets(xnet.network(con, { snapshots = T, survival = p, seed = 9 }))), 1 - p,
       0.02, "independent: no memory")

-- a network drawn again with another seed is the network created with it
local again = net:reseed(11)
local fresh = xnet.network(con, { snapshots = T, survival = p, seed = 11, outages = "markov",
                                  outage_down_s = D })
local equal = again:params().seed == 11
for k = 0, T - 1, 7 do
  local a, b = again:edges(k), fresh:edges(k)
  equal = equal and #a == #b and again:links(k).outage == fresh:links(k).outage
  for i = 1, #a do equal = equal and a[i][1] == b[i][1] and a[i][3] == b[i][3] end
end
t.check(equal, "net:reseed(s) = xnet.network{ seed = s }")
t.check_error("seed must be an integer >= 0, got -1", net.reseed, net, -1)

t.check_error("outages must be 'independent' or 'markov', got 'gilbert'", xnet.network, con,
              { snapshots = 1, outages = "gilbert" })
t.check_error("outage_down_s must be > 0 and finite, got 0", xnet.network, con,
              { snapshots = 1, outages = "markov", outage_down_s = 0 })

-- Placement on its own draws. On a small network with many outages the
-- sorted rule's ranking (snapshots cut first) depends on the draws.
local m = xnet.model{ layers = 2, experts = 3, top_k = 2, hidden = 8, bytes_per_value = 2,
                      expert_ffn = 16 }
local prof = xnet.profile.zipf(m, 1, { seed = 2 })
local small = xnet.network(xnet.walker{ planes = 4, sats = 12 },
                           { snapshots = 20, survival = 0.7, seed = 3 })
local ring = xnet.ring(small, 2, { warn = false })
local default = xnet.place.spacexnet(small, ring, prof)
local in_sample = xnet.place.spacexnet(small, ring, prof, { in_sample = true })
t.check(default ~= in_sample, "out-of-sample placement differs from in-sample here")
t.check(default == xnet.place.spacexnet(small, ring, prof, { placement_seed = 4 }),
        "the default placement seed is the network's + 1")
t.check(in_sample == xnet.place.spacexnet(small, ring, prof, { placement_seed = 3 }),
        "placing on the network's own seed is in-sample")
local ro = xnet.evaluate(small, default, prof, { tokens = 200 })
local ri = xnet.evaluate(small, in_sample, prof, { tokens = 200 })
t.check(ro.placement_seed == 4 and ro.outage_seed == 3, "both seeds recorded")
t.check(ri.placement_seed == "in-sample" and ri.outage_seed == 3)
t.check(xnet.evaluate(small, xnet.place.randintra(small, ring, prof), prof,
                      { tokens = 10 }).placement_seed == nil, "random plans look at no outages")
t.check(xnet.place.optimize(small, ring, prof, { in_sample = true })
        ~= xnet.place.optimize(small, ring, prof))
-- without outages the draws do not matter
local clear = xnet.network(xnet.walker{ planes = 4, sats = 12 }, { snapshots = 5, survival = 1 })
local cring = xnet.ring(clear, 2, { warn = false })
t.check(xnet.place.spacexnet(clear, cring, prof)
        == xnet.place.spacexnet(clear, cring, prof, { in_sample = true }))
t.check_error("give placement_seed or in_sample, not both", xnet.place.spacexnet, small, ring,
              prof, { in_sample = true, placement_seed = 2 })
t.check_error("placement_seed must be an integer >= 0, got -1", xnet.place.spacexnet, small,
              ring, prof, { placement_seed = -1 })
t.check_error("option 'in_sample' of xnet.place.spacexnet must be a boolean",
              xnet.place.spacexnet, small, ring, prof, { in_sample = "yes" })

t.done()
