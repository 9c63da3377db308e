-- Serving with failed satellites: latency and lost tokens as 0 to 10% of
-- the satellites fail (xnet.fail with a seeded rate, one draw per repeat),
-- with and without replicated experts, for each plan as it was and repaired
-- by xnet.place.repair (only what was lost moves; an expert with a
-- surviving copy needs no upload), on the paper's setup (50 snapshots) with
-- open arrivals of 15 tokens/s (the last gateway, which also computes the
-- output projection, is 82% busy; a closed loop would overweight lost tokens,
-- which end early).
--   spacexnet study run experiments/serve_failures.lua --out results/serve_failures --jobs 2
--   spacexnet experiments/figures.lua --only serve_failures   (runs it, then the table and plots)
-- Series: Space-XNet; Space-XNet with 256 extra copies (xnet.place.replicate:
-- the hot experts first, each copy where it lowers the path most; as many
-- copies as experts, so twice the expert memory); RandIntra-CG; each also
-- repaired. Columns per series: <series>_lost (fraction of tokens never
-- through: a token meeting a cut path retries, and a failed satellite stays
-- failed), _mean (s per delivered token, waits included), _throughput (tokens/s),
-- _moves (experts and gateways moved by the repair), _mb (MB uploaded).
local xnet = require "xnet"
local paper = require "xnet.paper"

local REPLICAS = 256
local SERVE = { rate_tokens_s = 15, duration_s = 300, replications = 2 }
local SERIES = { "spacexnet", "spacexnet_rep", "randintra_cg" }

-- The plans do not depend on the repeat: made once per process.
local setup
local function plans()
  if not setup then
    local s = paper.setup{ snapshots = 50 }
    local prof = paper.profile(s.model, "zipf-1", 1)
    local sx = paper.plan(s, "spacexnet", prof)
    setup = { s = s, prof = prof, plans = {
      spacexnet = sx,
      spacexnet_rep = xnet.place.replicate(s.net, s.ring, sx, prof, { replicas = REPLICAS }),
      randintra_cg = paper.plan(s, "randintra_cg", prof) } }
  end
  return setup
end

return xnet.study{
  name = "serve_failures", seed = 1, repeats = 5,
  grid = { failed_pct = { 0, 1, 2, 5, 10 } },
  run = function(point, seed)
    local st = plans()
    local failed, list = xnet.fail(st.s.net, { rate = point.failed_pct / 100, seed = seed })
    local out = { satellites_failed = #list, gateways_failed = 0 }
    local down = {}
    for _, sat in ipairs(list) do down[sat] = true end
    for l = 0, st.plans.spacexnet:layers() - 1 do -- the ring's: every plan here uses them
      if down[st.plans.spacexnet:gateway(l)] then out.gateways_failed = out.gateways_failed + 1 end
    end
    for _, name in ipairs(SERIES) do
      local plan = st.plans[name]
      local repaired, report = xnet.place.repair(failed, st.s.ring, plan, st.prof)
      for _, v in ipairs{ { name, plan }, { name .. "_repaired", repaired } } do
        local o = { seed = seed, progress = false }
        for k, x in pairs(SERVE) do o[k] = x end
        local r = xnet.serve(failed, v[2], st.prof, o)
        local fixed = v[1]:find("_repaired", 1, true)
        out[v[1] .. "_lost"] = r.lost
        out[v[1] .. "_mean"] = r.mean or 0 / 0
        out[v[1] .. "_throughput"] = r.throughput
        out[v[1] .. "_moves"] = fixed and report.experts_moved + report.gateways_moved or 0
        out[v[1] .. "_mb"] = fixed and report.bytes / 1e6 or 0
      end
    end
    return out
  end,
}
