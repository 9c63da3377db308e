-- Today's MoE models on a constellation: every model of the catalogue
-- (xnet.models()) on the paper's constellation (Walker star 33 x 32 at
-- 550 km, 87 deg) and on a Starlink-like shell (Walker delta 72 x 22 at
-- 550 km, 53 deg), placed by the four methods with several experts per
-- satellite under a memory budget. For each: seconds per token (exact where
-- the evaluation can be, else Monte Carlo with its standard error), experts
-- per satellite, the memory they use, and for a model that does not fit,
-- why and what budget would.
--
--   spacexnet experiments/modern_moe.lua [--memory-gb G] [--parallel P]
--       [--snapshots T] [--tokens N] [--seed S] [--out DIR] [--models a,b,...]
--
-- Defaults: 1 GB of expert memory per satellite, experts on one satellite run
-- one at a time (parallel 1), 50 snapshots over an orbit, 4000 Monte Carlo
-- tokens, zipf-1 activation weights (seeded), variant A. A layer's gateway
-- holds no experts.
local xnet = require "xnet"
local report = require "xnet.report"
local csv = require "xnet.csv"
xnet.strict()

local opts = { memory_gb = 1, parallel = 1, snapshots = 50, tokens = 4000, seed = 1,
               out = "results", models = nil }
local usage = "usage: spacexnet experiments/modern_moe.lua [--memory-gb G] [--parallel P] "
           .. "[--snapshots T] [--tokens N] [--seed S] [--out DIR] [--models a,b,...]"
local i = 1
while i <= #arg do
  local a, v = arg[i], arg[i + 1]
  if a == "--memory-gb" and tonumber(v) then opts.memory_gb = tonumber(v)
  elseif a == "--parallel" and math.tointeger(tonumber(v)) then opts.parallel = math.tointeger(tonumber(v))
  elseif a == "--snapshots" and math.tointeger(tonumber(v)) then opts.snapshots = math.tointeger(tonumber(v))
  elseif a == "--tokens" and math.tointeger(tonumber(v)) then opts.tokens = math.tointeger(tonumber(v))
  elseif a == "--seed" and math.tointeger(tonumber(v)) then opts.seed = math.tointeger(tonumber(v))
  elseif a == "--out" and v then opts.out = v
  elseif a == "--models" and v then
    opts.models = {}
    for name in v:gmatch("[^,]+") do opts.models[#opts.models + 1] = name end
  else
    io.stderr:write(string.format("unknown option or missing value: '%s'\n", a), usage, "\n")
    os.exit(2)
  end
  i = i + 2
end

local clock = os.clock()
local memory_bytes = opts.memory_gb * 1e9
local constellations = {
  { name = "paper 33x32 star", spec = { pattern = "star", planes = 33, sats = 32, phasing = 0,
                                        altitude_km = 550, inclination_deg = 87 } },
  { name = "starlink 72x22 delta", spec = { pattern = "delta", planes = 72, sats = 22,
                                            phasing = 1, altitude_km = 550,
                                            inclination_deg = 53 } },
}
local methods = { "spacexnet", "randintra_cg", "randintra", "randplace" }

-- The most experts any satellite holds, over all layers.
local function experts_per_satellite(plan)
  local held, most = {}, 0
  for l = 0, plan:layers() - 1 do
    for e = 0, plan:experts() - 1 do
      local s = plan:satellite(l, e)
      held[s] = (held[s] or 0) + 1
      if held[s] > most then most = held[s] end
    end
  end
  return most
end

local rows, misfits = {}, {}
for _, c in ipairs(constellations) do
  local con = xnet.walker(c.spec)
  for _, name in ipairs(opts.models or xnet.models()) do
    local m = xnet.model(name)
    local net = xnet.network(con, { snapshots = opts.snapshots, bits = m.message_bits,
                                    seed = opts.seed })
    local ring = xnet.ring(net, m.layers)
    local smallest = math.huge
    for l = 0, m.layers - 1 do smallest = math.min(smallest, #ring:subnet(l) - 1) end
    local prof = xnet.profile.zipf(m, 1.0, { seed = opts.seed })
    local place = { memory_bytes = memory_bytes, parallel_experts = opts.parallel,
                    seed = opts.seed }
    local ok, plan_or_err = pcall(xnet.place.spacexnet, net, ring, prof, place)
    if not ok then
      misfits[#misfits + 1] = { constellation = c.name, model = name,
                                reason = tostring(plan_or_err):gsub("^[^:]*:%d+: ", "") }
    else
      for _, method in ipairs(methods) do
        local plan = method == "spacexnet" and plan_or_err
                     or xnet.place[method](net, ring, prof, place)
        local r = xnet.evaluate(net, plan, prof, { tokens = opts.tokens, seed = opts.seed })
        local per = experts_per_satellite(plan)
        rows[#rows + 1] = {
          constellation = c.name, model = name, method = method,
          s_per_token = r.exact or r.mean, how = r.exact and "exact" or "monte carlo",
          stderr_s = r.exact and 0 or r.stderr, undelivered = r.exact_undelivered or r.undelivered,
          layers = m.layers, experts = m.experts, top_k = m.top_k,
          subnet_candidates = smallest, experts_per_satellite = per,
          memory_gb = per * m.expert_bytes / 1e9,
          min_memory_gb = math.ceil(m.experts / smallest) * m.expert_bytes / 1e9,
        }
      end
    end
  end
end

print(string.format("%.0f GB of expert memory per satellite, %d expert(s) at a time, %d snapshots, "
                    .. "zipf-1 weights; seconds per token (exact, or Monte Carlo of %d tokens "
                    .. "with its standard error)", opts.memory_gb, opts.parallel,
                    opts.snapshots, opts.tokens))
print()
print(report.markdown(rows, { "constellation", "model", "method", "s_per_token", "how",
                              "stderr_s", "experts_per_satellite", "memory_gb",
                              "min_memory_gb" }))
print()
if #misfits > 0 then
  print("Models that do not fit:")
  for _, f in ipairs(misfits) do
    print(string.format("- %s on %s: %s", f.model, f.constellation, f.reason))
  end
end

os.execute("mkdir -p '" .. opts.out:gsub("'", "'\\''") .. "'")
local path = opts.out .. "/modern_moe.csv"
local columns = { "constellation", "model", "method", "s_per_token", "how", "stderr_s",
                  "undelivered", "layers", "experts", "top_k", "subnet_candidates",
                  "experts_per_satellite", "memory_gb", "min_memory_gb" }
local ok, err = xnet.write_file(path, csv.encode(rows, columns, report.provenance{
  experiment = "modern_moe", created = report.timestamp(), seed = opts.seed,
  memory_gb = opts.memory_gb, parallel_experts = opts.parallel, snapshots = opts.snapshots,
  tokens = opts.tokens,
}))
if not ok then io.stderr:write(err, "\n"); os.exit(1) end
print(string.format("wrote %s (%d rows, %d models that do not fit) in %.1f s CPU", path, #rows,
                    #misfits, os.clock() - clock))
