-- The paper's comparison (its Table 2): Space-XNet against RandIntra-CG,
-- RandIntra and RandPlace on the 33 x 32 Walker star at 550 km, 87 deg,
-- 200 snapshots over one orbit, link survival 0.95, tracking limit 0.12 rad/s,
-- LLaMA-MoE-3.5B (2/8).
--
-- The paper's activation statistics (8 reasoning data sets) are not public:
-- named synthetic profiles stand in, and --trace FILE adds a routing trace
-- (CSV or CSV.gz: token,layer,expert_1,expert_2). --load FILE runs a Lua
-- file first (for example one that calls xnet.place.register), and
-- --method NAME adds a placement method to the four (any name of
-- xnet.place.methods(), yours included).
--
--   spacexnet experiments/paper_table2.lua [--trace FILE]... [--tokens N]
--                                          [--seed S] [--out DIR] [--variant A|B]
--                                          [--load FILE]... [--method NAME]...
local xnet = require "xnet"
local csv = require "xnet.csv"
local report = require "xnet.report"
local paper = require "xnet.paper"
xnet.strict()

local usage = "usage: spacexnet experiments/paper_table2.lua [--trace FILE]... [--tokens N] "
           .. "[--seed S] [--out DIR] [--variant A|B] [--load FILE]... [--method NAME]..."
local opts = { traces = {}, tokens = 200000, seed = 1, out = "results", variant = "A",
               methods = {} }
local i = 1
while i <= #arg do
  local a, v = arg[i], arg[i + 1]
  if a == "--trace" and v then opts.traces[#opts.traces + 1] = v
  elseif a == "--tokens" and v then opts.tokens = math.tointeger(tonumber(v))
  elseif a == "--seed" and v then opts.seed = math.tointeger(tonumber(v))
  elseif a == "--out" and v then opts.out = v
  elseif a == "--variant" and v then opts.variant = v
  elseif a == "--load" and v then dofile(v)
  elseif a == "--method" and v then
    xnet.place.method(v) -- an unknown name raises, listing the methods
    opts.methods[#opts.methods + 1] = v
  else
    io.stderr:write(string.format("unknown option or missing value: '%s'\n", a), usage, "\n")
    os.exit(2)
  end
  i = i + 2
end
if not opts.tokens or opts.tokens < 1 or not opts.seed or opts.seed < 0 then
  io.stderr:write("--tokens takes an integer >= 1 and --seed one >= 0\n", usage, "\n")
  os.exit(2)
end
if opts.variant ~= "A" and opts.variant ~= "B" then
  io.stderr:write("--variant takes A or B, got '", opts.variant, "'\n", usage, "\n")
  os.exit(2)
end

local clock = os.clock()
local setup = paper.setup{ seed = opts.seed }
local model, con, net, ring = setup.model, setup.con, setup.net, setup.ring

local profiles = {}
for _, name in ipairs(paper.PROFILES) do
  profiles[#profiles + 1] = paper.profile(model, name, opts.seed)
end
for _, path in ipairs(opts.traces) do
  local prof, err = xnet.profile.trace(model, path)
  if not prof then io.stderr:write(err, "\n"); os.exit(1) end
  profiles[#profiles + 1] = prof
end

-- The baselines do not look at the profile; each is drawn DRAWS times
-- (placement seeds seed .. seed + DRAWS - 1) and reported as the mean over
-- the draws, with the spread (standard deviation) of the exact figure.
local DRAWS = 5
local baselines = {}
for i = 2, #paper.METHODS do
  local draws = {}
  for d = 0, DRAWS - 1 do
    draws[#draws + 1] = paper.plan(setup, paper.METHODS[i], nil, { seed = opts.seed + d })
  end
  baselines[#baselines + 1] = draws
end

-- xnet.evaluate over a list of plans: the mean of every number, and the
-- standard deviation of `exact` across them.
local function evaluate_draws(plans, prof)
  local sum, exacts = {}, {}
  for _, plan in ipairs(plans) do
    local r = xnet.evaluate(net, plan, prof, { tokens = opts.tokens, seed = opts.seed,
                                               variant = opts.variant })
    for _, k in ipairs{ "mean", "p99", "exact", "undelivered", "stderr", "lost",
                        "delivered_mean" } do
      sum[k] = (sum[k] or 0) + (r[k] or 0 / 0)
    end
    exacts[#exacts + 1] = r.exact
  end
  local out, n = {}, #plans
  for k, v in pairs(sum) do out[k] = v / n end
  local sd = 0
  for _, x in ipairs(exacts) do sd = sd + (x - out.exact) ^ 2 end
  out.exact_sd = n > 1 and math.sqrt(sd / (n - 1)) or 0
  out.draws = n
  return out
end

local rows, ordered = {}, 0
for _, prof in ipairs(profiles) do
  local plans = { { paper.plan(setup, "spacexnet", prof, { variant = opts.variant }) },
                  table.unpack(baselines) }
  for _, name in ipairs(opts.methods) do
    plans[#plans + 1] = { paper.plan(setup, name, prof, { seed = opts.seed,
                                                          variant = opts.variant }) }
  end
  local base, means = nil, {}
  for i, draws in ipairs(plans) do
    local r = evaluate_draws(draws, prof)
    base = base or r.mean
    means[#means + 1] = r.mean
    rows[#rows + 1] = { method = opts.methods[i - 4] or draws[1]:method(), profile = prof:name(),
                        mean_s = r.mean, p99_s = r.p99, exact_s = r.exact,
                        exact_sd = r.exact_sd, draws = r.draws, undelivered = r.undelivered,
                        delivered_mean_s = r.delivered_mean, x_vs_spacexnet = r.mean / base,
                        stderr_s = r.stderr }
  end
  -- randplace > randintra > randintra_cg > spacexnet
  if means[4] > means[3] and means[3] > means[2] and means[2] > means[1] then
    ordered = ordered + 1
  end
end

-- mean_s, p99_s, exact_s: seconds per token with lost tokens charged their
-- wait; delivered_mean_s: over the tokens whose paths existed at once.
local columns = { "method", "profile", "draws", "mean_s", "p99_s", "exact_s", "exact_sd",
                  "undelivered", "delivered_mean_s", "x_vs_spacexnet" }
print(report.markdown(rows, columns))
print()
print(string.format("ordering randplace > randintra > randintra_cg > spacexnet: %d of %d profiles",
                    ordered, #profiles))
print("paper (s/token, 8 data sets): spacexnet 1.02-1.07, randintra_cg 3.34-3.37, "
      .. "randintra 4.13-4.16, randplace 5.28-5.30")

os.execute("mkdir -p '" .. opts.out:gsub("'", "'\\''") .. "'")
local path = opts.out .. "/paper_table2.csv"
columns[#columns + 1] = "stderr_s"
local ok, err = xnet.write_file(path, csv.encode(rows, columns, report.provenance{
  experiment = "paper_table2", created = report.timestamp(), seed = opts.seed,
  tokens = opts.tokens, variant = opts.variant,
  constellation = tostring(con), network = tostring(net), model = tostring(model),
  traces = table.concat(opts.traces, " "),
}))
if not ok then io.stderr:write(err, "\n"); os.exit(1) end
print(string.format("wrote %s (%d rows) in %.1f s", path, #rows, os.clock() - clock))
