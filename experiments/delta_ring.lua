-- The ring on a Starlink-like delta shell (72 x 22, 53 deg, 550 km, F = 1):
-- the paper's slot-major cut with middle-id gateways (the ring before
-- docs/model.md section 7 had cuts and medoids), the slot cut with medoid
-- gateways, and the auto cut. Space-XNet's and RandIntra-CG's seconds per
-- token (exact, lost tokens charged) and the gateway-to-gateway hops.
--   ./spacexnet experiments/delta_ring.lua [snapshots]
local xnet = require "xnet"
local paper = require "xnet.paper"

local T = math.tointeger(tonumber(arg and arg[1] or "")) or 100
local s = paper.setup{ pattern = "delta", planes = 72, sats = 22, phasing = 1,
                       inclination_deg = 53, snapshots = T }
local prof = paper.profile(s.model, "zipf-1", 1)
local P, S, N, L = 72, 22, 72 * 22, s.model.layers

-- The old ring: slot-major order (slot, then plane), contiguous pieces,
-- the middle member as gateway.
local order = {}
for slot = 0, S - 1 do
  for plane = 0, P - 1 do order[#order + 1] = plane * S + slot end
end
local subnets, gateways = {}, {}
for l = 0, L - 1 do
  local lo, hi = l * N // L, (l + 1) * N // L
  local sub = table.move(order, lo + 1, hi, 1, {})
  subnets[l + 1], gateways[l + 1] = sub, sub[#sub // 2 + 1]
end

local rings = {
  { "slot-major, middle id (before)", xnet.ring(s.net, subnets, { gateways = gateways, warn = false }) },
  { "slot cut, medoid", xnet.ring(s.net, L, { cut = "slot", warn = false }) },
  { "auto cut, medoid (default)", xnet.ring(s.net, L, { warn = false }) },
}
print(string.format("walker delta 72x22 F=1, 53 deg, 550 km; %d snapshots, survival 0.95; "
                    .. "LLaMA-MoE 2/8, zipf-1", T))
print("| ring | bands | Space-XNet s/token | RandIntra-CG s/token | gateway hops (min-median-max) | contiguous |")
print("|---|--:|--:|--:|---|---|")
for _, r in ipairs(rings) do
  local name, ring = r[1], r[2]
  s.ring = ring
  local st, hops, all = ring:stats(), {}, true
  for l = 0, L - 1 do
    hops[#hops + 1] = st[l].gateway_hops or math.huge
    all = all and st[l].contiguous
  end
  table.sort(hops)
  local sx = xnet.evaluate(s.net, paper.plan(s, "spacexnet", prof), prof, { tokens = 1000 })
  local cg = xnet.evaluate(s.net, paper.plan(s, "randintra_cg", prof), prof, { tokens = 1000 })
  print(string.format("| %s | %s | %.3f | %.3f | %d-%d-%d | %s |", name,
                      tostring(st.band_planes or "-"), sx.exact, cg.exact, hops[1],
                      hops[#hops // 2 + 1], hops[#hops], all and "yes" or "no"))
end
