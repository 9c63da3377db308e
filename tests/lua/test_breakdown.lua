-- The latency breakdown of xnet.evaluate (docs/model.md section 9): its parts
-- add up to the means they split, a network small enough to write every part
-- down from its geometry, the exact parts against Monte Carlo, a model
-- without compute, top-1 without a wait for the slowest.
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local t = require "harness"
local xnet = require "xnet"

local PARTS = { "propagation_s", "transmission_s", "processing_s", "ring_hop_s",
                "gateway_compute_s", "expert_compute_s", "head_s", "topk_wait_s",
                "retry_wait_s", "access_s" }

local function total(parts)
  local s = 0
  for _, name in ipairs(PARTS) do s = s + (parts[name] or 0) end -- a layer has no access_s
  return s
end

-- Every sum of parts against the figure it splits, to 1e-12 relative.
local function sums_ok(r, what)
  local bad = {}
  local function same(a, b, where)
    if not (math.abs(a - b) <= 1e-12 * math.abs(b)) then
      bad[#bad + 1] = string.format("%s: parts %.17g, figure %.17g", where, a, b)
    end
  end
  same(total(r.breakdown), r.mean, "mean")
  for l = 0, r.layers - 1 do
    same(total(r.per_layer_breakdown[l]), r.per_layer[l], "layer " .. l)
  end
  if r.exact then
    same(total(r.exact_breakdown), r.exact, "exact")
    for l = 0, r.layers - 1 do
      same(total(r.exact_per_layer_breakdown[l]), r.exact_per_layer[l], "exact layer " .. l)
    end
  end
  t.check(#bad == 0, what .. ": " .. table.concat(bad, "; "))
end

-- Random configurations: shells, survival, variants, top-k, profiles; one
-- with sets not enumerated, one with a ground user, one with co-located
-- experts that queue, one with replicated experts. One check per configuration.
math.randomseed(7)
local configs = {}
for i = 1, 6 do
  configs[i] = { planes = math.random(4, 6), sats = math.random(12, 16),
                 snapshots = math.random(3, 6), survival = 0.85 + 0.15 * math.random(),
                 variant = i % 2 == 0 and "B" or "A", top_k = math.random(1, 3),
                 experts = math.random(4, 6), layers = math.random(2, 3), seed = i,
                 proc_s = i % 3 == 0 and 1e-4 or 0 }
end
configs[#configs + 1] = { planes = 10, sats = 16, snapshots = 4, survival = 1, variant = "A",
                          top_k = 8, experts = 64, layers = 2, seed = 9, proc_s = 0,
                          anyk = true }
configs[#configs + 1] = { planes = 12, sats = 24, snapshots = 6, survival = 0.95, variant = "B",
                          top_k = 2, experts = 4, layers = 2, seed = 10, proc_s = 0,
                          user = true }
configs[#configs + 1] = { planes = 6, sats = 16, snapshots = 4, survival = 0.9, variant = "A",
                          top_k = 3, experts = 6, layers = 2, seed = 11, proc_s = 0,
                          shared = true }
configs[#configs + 1] = { planes = 6, sats = 16, snapshots = 5, survival = 0.9, variant = "B",
                          top_k = 2, experts = 5, layers = 2, seed = 12, proc_s = 1e-4,
                          replicas = 4 }
for i, c in ipairs(configs) do
  local m = xnet.model{ layers = c.layers, experts = c.experts, top_k = c.top_k, hidden = 256,
                        bytes_per_value = 2, expert_ffn = 512, flops_per_s = 1e9, vocab = 1000 }
  local net = xnet.network(xnet.walker{ planes = c.planes, sats = c.sats },
                           { snapshots = c.snapshots, survival = c.survival, seed = c.seed,
                             bits = m.message_bits, proc_s = c.proc_s })
  local prof = c.anyk and xnet.profile.zipf(m, 1.0, { seed = c.seed })
            or xnet.profile.dirichlet(m, 1.0, { seed = c.seed })
  local ring = xnet.ring(net, m.layers)
  local plan
  if c.shared then
    local e = {}
    for l = 0, m.layers - 1 do
      local sub = ring:subnet(l)
      local a, b = sub[1] == ring:gateway(l) and sub[3] or sub[1], sub[2] == ring:gateway(l)
                   and sub[3] or sub[2]
      e[l + 1] = { a, a, a, b, b, b }
    end
    local gw = {}
    for l = 0, m.layers - 1 do gw[l + 1] = ring:gateway(l) end
    plan = xnet.plan.new{ satellites = #net, gateways = gw, experts = e, model = m,
                          memory_bytes = 3 * m.expert_bytes }
  else
    plan = xnet.place.randintra(net, ring, m, { seed = c.seed })
  end
  if c.replicas then -- copies go on the ring's gateways' paths
    plan = xnet.place.replicate(net, ring, xnet.place.randintra_cg(net, ring, m, { seed = c.seed }),
                                prof, { replicas = c.replicas })
  end
  local user = c.user and xnet.ground{ { name = "here", lat_deg = 10, lon_deg = 20 } }[1] or nil
  local r = xnet.evaluate(net, plan, prof, { tokens = 3000, seed = c.seed, variant = c.variant,
                                             breakdown = true, user = user })
  sums_ok(r, "configuration " .. i)
end

-- By hand: 12 satellites a plane at 550 km, in-plane neighbours a chord
-- 2 r sin(pi / 12) apart, nothing cut (survival 1). The gateway is satellite
-- 0, the experts satellites 1 (one link away) and 2 (two links, in-plane).
-- Variant B, one layer: a path is there and back, 2 and 4 links.
local C_KM_S, R_KM = 299792.458, 6371 + 550
local chord_km = 2 * R_KM * math.sin(math.pi / 12)
for _, k in ipairs{ 1, 2 } do
  local m = xnet.model{ layers = 1, experts = 2, top_k = k, hidden = 64, bytes_per_value = 2,
                        expert_ffn = 128, flops_per_s = 1e9, utilisation = 0.5, vocab = 100 }
  local net = xnet.network(xnet.walker{ planes = 3, sats = 12 },
                           { snapshots = 1, survival = 1, bits = m.message_bits, rate_bps = 1e9,
                             proc_s = 1e-4 })
  local plan = xnet.plan.new{ satellites = #net, gateways = { 0 }, experts = { { 1, 2 } } }
  local prof = xnet.profile.table(m, { { 3, 1 } }) -- weights 3:1
  local r = xnet.evaluate(net, plan, prof, { tokens = 2000, seed = 1, variant = "B",
                                             breakdown = true })
  local tx, prop = m.message_bits / 1e9, chord_km / C_KM_S
  local links = k == 1 and 0.75 * 2 + 0.25 * 4 or 3 -- mean over the activated set
  local eff = 1e9 * 0.5
  local want = {
    propagation_s = links * prop, transmission_s = links * tx, processing_s = links * 1e-4,
    ring_hop_s = 0, gateway_compute_s = 2 * 4 * 64 * 64 / eff,
    expert_compute_s = 2 * 3 * 64 * 128 / eff, head_s = 2 * 64 * 100 / eff,
    -- top-2: the slowest (4 links) above the mean (3 links), one link's latency
    topk_wait_s = k == 1 and 0 or prop + tx + 1e-4, retry_wait_s = 0, access_s = 0 }
  local bad = {}
  for _, name in ipairs(PARTS) do
    local got = r.exact_breakdown[name]
    if not (math.abs(got - want[name]) <= 1e-9 * math.max(want[name], 1e-12)) then
      bad[#bad + 1] = string.format("%s %.12g, by hand %.12g", name, got, want[name])
    end
  end
  t.check(#bad == 0, "top-" .. k .. " by hand: " .. table.concat(bad, "; "))
  t.near(r.breakdown.topk_wait_s, want.topk_wait_s, 1e-9 * want.topk_wait_s,
         "top-" .. k .. " Monte Carlo wait for the slowest")
end

-- The links counted against net:hops (igraph's routes), variant A, every
-- snapshot, nothing cut: exact transmission = sum over layers and experts of
-- pi_e / k (hops(g_l, s_e) + hops(s_e, g_{l+1})) bits / rate, averaged over
-- the snapshots.
do
  local m = xnet.model{ layers = 3, experts = 5, top_k = 2, hidden = 256, bytes_per_value = 2,
                        expert_ffn = 512, flops_per_s = 1e9 }
  local net = xnet.network(xnet.walker{ planes = 7, sats = 14 },
                           { snapshots = 5, survival = 1, bits = m.message_bits })
  local prof = xnet.profile.zipf(m, 1.0, { seed = 8 })
  local plan = xnet.place.randplace(net, m, { seed = 8 })
  local r = xnet.evaluate(net, plan, prof, { tokens = 10, seed = 1, breakdown = true })
  local links = 0
  for snap = 0, net:snapshots() - 1 do
    for l = 0, m.layers - 1 do
      local from = net:hops(plan:gateway(l), snap)
      local to = net:hops(plan:gateway((l + 1) % m.layers), snap)
      local pi = prof:inclusion(l)
      for e = 0, m.experts - 1 do
        local sat = plan:satellite(l, e)
        links = links + pi[e] / m.top_k * (from[sat] + to[sat])
      end
    end
  end
  links = links / net:snapshots()
  local want = links * m.message_bits / 100e9
  t.near(r.exact_breakdown.transmission_s, want, 1e-9 * want,
         "links on the routes as net:hops counts them")
end

-- Exact against Monte Carlo, part by part, within 4 standard errors (plus
-- rounding), on a network with cuts so that tokens wait for their retries.
do
  local m = xnet.model{ layers = 3, experts = 6, top_k = 2, hidden = 256, bytes_per_value = 2,
                        expert_ffn = 512, flops_per_s = 1e9, vocab = 1000 }
  local net = xnet.network(xnet.walker{ planes = 6, sats = 16 },
                           { snapshots = 6, survival = 0.6, seed = 4, bits = m.message_bits,
                             proc_s = 2e-4 })
  local prof = xnet.profile.zipf(m, 1.0, { seed = 4 })
  local plan = xnet.place.randplace(net, m, { seed = 4 })
  local r = xnet.evaluate(net, plan, prof, { tokens = 60000, seed = 5, breakdown = true })
  t.check(r.breakdown.retry_wait_s > 0, "some tokens wait for a retry")
  local bad = {}
  for _, name in ipairs(PARTS) do
    local d = math.abs(r.breakdown[name] - r.exact_breakdown[name])
    if d > 4 * r.breakdown_stderr[name] + 1e-12 * math.abs(r.exact_breakdown[name]) then
      bad[#bad + 1] = string.format("%s sampled %.9g +- %.2g, exact %.9g", name,
                                    r.breakdown[name], r.breakdown_stderr[name],
                                    r.exact_breakdown[name])
    end
  end
  t.check(#bad == 0, "exact within 4 stderr: " .. table.concat(bad, "; "))

  -- without compute: every compute part is 0, and the rest is unchanged
  local free = xnet.model(m, { gateway_flops = 0, expert_flops = 0, vocab = 0 })
  local r0 = xnet.evaluate(net, plan, xnet.profile.zipf(free, 1.0, { seed = 4 }),
                           { tokens = 60000, seed = 5, breakdown = true })
  t.check(r0.breakdown.gateway_compute_s == 0 and r0.breakdown.expert_compute_s == 0
          and r0.breakdown.head_s == 0 and r0.exact_breakdown.gateway_compute_s == 0
          and r0.exact_breakdown.expert_compute_s == 0 and r0.exact_breakdown.head_s == 0,
          "zero-compute model: compute parts 0")

  -- top-1: nothing to wait for
  local one = xnet.model(m, { top_k = 1 })
  local r1 = xnet.evaluate(net, plan, xnet.profile.zipf(one, 1.0, { seed = 4 }),
                           { tokens = 20000, seed = 5, breakdown = true })
  t.check(r1.breakdown.topk_wait_s == 0 and r1.exact_breakdown.topk_wait_s == 0
          and r1.breakdown_stderr.topk_wait_s == 0, "top-1: topk_wait 0")

  -- not asked: no breakdown, the same figures
  local plain = xnet.evaluate(net, plan, prof, { tokens = 60000, seed = 5 })
  t.check(plain.breakdown == nil and plain.exact_breakdown == nil
          and plain.mean == r.mean and plain.exact == r.exact,
          "without breakdown = true: no parts, the same means")
  t.check_error("breakdown", xnet.evaluate, net, plan, prof, { breakdown = 1 })

  -- the summary shows the parts in a short table: the ones present, the total
  local text = tostring(r)
  t.check(text:find("\n  breakdown %(s%) +mean +stderr +exact +share")
          and text:find("\n  retry_wait ") and text:find("\n  topk_wait ")
          and not text:find("\n  ring_hop ") and text:find("\n  total "), text)

  -- export: JSON nested (layers as arrays), CSV flattened into named columns
  local json, csv = require "xnet.json", require "xnet.csv"
  local dir = t.tmpdir()
  assert(xnet.export(r, dir .. "/r.json"))
  assert(xnet.export(r, dir .. "/r.csv"))
  local j = assert(json.decode(assert(xnet.read_file(dir .. "/r.json"))))
  local rows = assert(csv.decode(assert(xnet.read_file(dir .. "/r.csv"))))
  local same = #rows == m.layers and #j.per_layer_breakdown == m.layers
  for _, name in ipairs(PARTS) do
    same = same and j.breakdown[name] == r.breakdown[name]
           and j.exact_breakdown[name] == r.exact_breakdown[name]
           and rows[1]["breakdown_" .. name] == r.breakdown[name]
           and rows[2]["breakdown_stderr_" .. name] == r.breakdown_stderr[name]
           and rows[3]["exact_breakdown_" .. name] == r.exact_breakdown[name]
    for l = 0, m.layers - 1 do
      local layer = r.per_layer_breakdown[l][name]
      same = same and j.per_layer_breakdown[l + 1][name] == layer
             and rows[l + 1]["layer_breakdown_" .. name] == layer
             and rows[l + 1]["exact_layer_breakdown_" .. name]
                 == r.exact_per_layer_breakdown[l][name]
             and rows[l + 1]["layer_breakdown_stderr_" .. name]
                 == r.per_layer_breakdown_stderr[l][name]
    end
  end
  t.check(same, "exported breakdown reads back exactly (JSON and CSV)")
  t.rmtree(dir)

  -- the same bits whatever the number of workers
  local before = xnet.limits().workers
  local function parts_with(w)
    xnet.limits{ workers = w }
    local q = xnet.evaluate(net, plan, prof, { tokens = 20000, seed = 6, breakdown = true })
    local out = {}
    for _, name in ipairs(PARTS) do
      out[#out + 1] = string.format("%a %a %a", q.breakdown[name], q.breakdown_stderr[name],
                                    q.exact_breakdown[name])
    end
    return table.concat(out, " ")
  end
  t.check(parts_with(1) == parts_with(3), "the same parts with 1 and 3 workers")
  xnet.limits{ workers = before }
end

-- No exact figure (co-located experts, sets not enumerated): the summary says
-- why and shows "-" in the exact column, never nan
do
  local m = xnet.model{ layers = 2, experts = 64, top_k = 8, hidden = 256, bytes_per_value = 2,
                        expert_ffn = 512, flops_per_s = 1e9, vocab = 1000 }
  local net = xnet.network(xnet.walker{ planes = 8, sats = 10 }, { snapshots = 3,
                                                                  bits = m.message_bits })
  local ring = xnet.ring(net, m.layers)
  local prof = xnet.profile.zipf(m, 1.0)
  local plan = xnet.place.spacexnet(net, ring, prof, { memory_bytes = 2 * m.expert_bytes })
  local r = xnet.evaluate(net, plan, prof, { tokens = 2000, breakdown = true })
  local text = tostring(r)
  t.check(r.exact == nil and r.exact_note and text:find("no exact figure: " .. r.exact_note, 1, true)
          and text:find("\n  propagation .* %- +[%d.]+%%") and text:find("\n  total .* %-$")
          and not text:find("nan"), text)
end

t.done()
