-- Serving under load, as a study: each placement method's latency (mean,
-- p50, p99) and throughput as the load rises from idle to past saturation,
-- open (Poisson tokens at a fraction of the latency-only Space-XNet plan's
-- capacity: saturation is a result, "unstable ...") and closed (1 to 96
-- decoding streams), by the simulation and by the queueing approximation
-- (with and without its arrival correction), whose error is reported, not
-- assumed small. Setups: the paper's (LLaMA-MoE-3.5B, one expert per
-- satellite), the same with two experts per satellite and experts allowed
-- on gateways ("hosted": there load-aware placement has something to
-- balance), and a modern model of the catalogue (OLMoE-1B-7B, top-8 of 64).
-- Load-aware Space-XNet places with the point's load as its target.
--   ./spacexnet study run experiments/serve_load.lua --out results/serve_load --jobs 2
-- (make serve-figures runs it, merges it and draws the figures.)
local xnet = require "xnet"
local paper = require "xnet.paper"

local OPEN = { 0.1, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 1.1 }
local CLOSED = { 1, 4, 8, 16, 24, 32, 48, 64, 96 }
local loads = {}
for _, f in ipairs(OPEN) do loads[#loads + 1] = string.format("open-%g", f) end
for _, n in ipairs(CLOSED) do loads[#loads + 1] = string.format("closed-%d", n) end

local SETUPS = {
  llama = { model = "llama-moe-3.5b" },
  llama_hosted = { model = "llama-moe-3.5b", experts_per_satellite = 2 },
  olmoe = { model = "olmoe-1b-7b" },
}
local SERVE = { duration_s = 300, warmup_s = 30, replications = 1 }

-- One network, profile and set of plans per setup and worker process.
local built = {}
local function setup(name)
  if built[name] then return built[name] end
  local spec = SETUPS[name]
  local s = paper.setup{ model = spec.model }
  local prof = paper.profile(s.model, "zipf-1", 1)
  local hosting = {}
  if spec.experts_per_satellite then
    hosting = { memory_bytes = spec.experts_per_satellite * s.model.expert_bytes,
                gateway_hosts = true }
  end
  local b = { s = s, prof = prof, hosting = hosting, plans = {} }
  local function place(method, load)
    local o = { seed = 1, variant = "A", load = load }
    for k, v in pairs(hosting) do o[k] = v end
    return xnet.place.method(method)(s.net, s.ring, prof, o)
  end
  b.place = place
  for _, m in ipairs(paper.METHODS) do b.plans[m] = place(m) end
  b.capacity = function(plan) -- the busiest satellite's bound on the open rate
    return 1e6 / xnet.serve(s.net, plan, prof, { rate_tokens_s = 1e6 }).bottleneck_utilisation
  end
  b.reference = b.capacity(b.plans.spacexnet)
  built[name] = b
  return b
end

local NAN = 0 / 0
local function num(v) return v == nil and NAN or v end

return xnet.study{
  name = "serve_load", seed = 1, repeats = 3,
  grid = { setup = { "llama", "llama_hosted", "olmoe" },
           method = { "spacexnet", "spacexnet_load", "randintra_cg", "randintra", "randplace" },
           load = loads },
  run = function(point, seed)
    local b = setup(point.setup)
    local kind, level = point.load:match("^(%a+)%-([%d%.]+)$")
    level = tonumber(level)
    local o = {}
    for k, v in pairs(SERVE) do o[k] = v end
    o.seed = seed
    if kind == "open" then
      o.rate_tokens_s = level * b.reference
    else
      o.streams = math.tointeger(level)
    end
    local plan = b.plans[point.method]
    if point.method == "spacexnet_load" then
      plan = b.place("spacexnet", kind == "open" and { rate_tokens_s = o.rate_tokens_s }
                                                  or { streams = o.streams })
    end
    local sim = xnet.serve(b.s.net, plan, b.prof, o)
    o.method = "analytic"
    local ana = xnet.serve(b.s.net, plan, b.prof, o)
    o.method = "analytic-poisson"
    local poi = xnet.serve(b.s.net, plan, b.prof, o)
    local function err(m) return (num(m) - num(sim.mean)) / num(sim.mean) end
    return {
      offered = kind == "open" and o.rate_tokens_s or o.streams,
      capacity = b.capacity(plan), stable = sim.stable and 1 or 0,
      throughput = sim.throughput or NAN, mean = num(sim.mean), p50 = num(sim.p50),
      p99 = num(sim.p99), lost = num(sim.lost), bottleneck_util = sim.bottleneck_utilisation,
      analytic_throughput = num(ana.throughput), analytic_mean = num(ana.mean),
      poisson_mean = num(poi.mean), analytic_error = err(ana.mean),
      poisson_error = err(poi.mean),
    }
  end,
}
