-- Regenerates the paper's figures into results/ (run by `make figures`):
-- every study below is run (or resumed) with `spacexnet study run`, merged,
-- and plotted; the calibration's best fits and a constellation map are
-- written too. Options: --jobs N (default 2), --only NAME.
local xnet = require "xnet"
local stats = require "xnet.stats"
local study_dir = require "xnet.study_dir"
local paper = require "xnet.paper"
local report = require "xnet.report"
xnet.strict()

local jobs, only = 2, nil
local i = 1
while i <= #arg do
  if arg[i] == "--jobs" and tonumber(arg[i + 1]) then jobs = math.tointeger(tonumber(arg[i + 1]))
  elseif arg[i] == "--only" and arg[i + 1] then only = arg[i + 1]
  else
    io.stderr:write("usage: spacexnet experiments/figures.lua [--jobs N] [--only NAME]\n")
    os.exit(2)
  end
  i = i + 2
end

local root, bin = xnet.root, xnet.executable and xnet.executable() or xnet.root .. "/spacexnet"
local function sh(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local function run_study(name)
  local dir = "results/" .. name
  local cmd = string.format("%s study run %s --out %s --jobs %d", sh(bin),
                            sh(root .. "/experiments/" .. name .. ".lua"), sh(dir), jobs)
  print("== " .. name)
  if not os.execute(cmd) then error("study " .. name .. " failed: " .. cmd, 0) end
  if not os.execute(string.format("%s study merge %s >/dev/null", sh(bin), sh(dir))) then
    error("merge of " .. name .. " failed", 0)
  end
  return assert(study_dir.collect(dir)), dir
end

local function say(res)
  print("   " .. assert(res).message)
end

-- How each method's mean moves from the first to the last grid value.
local function trend(res, param)
  local lo, hi = math.huge, -math.huge
  for _, r in ipairs(res.rows) do
    lo, hi = math.min(lo, r[param]), math.max(hi, r[param])
  end
  local parts = {}
  for _, m in ipairs(paper.METHODS) do
    local at = { [lo] = {}, [hi] = {} }
    for _, r in ipairs(res.rows) do
      local list = at[r[param]]
      if list then list[#list + 1] = r[m] end
    end
    local a, b = stats.mean(at[lo]), stats.mean(at[hi])
    parts[#parts + 1] = string.format("%s %.3f -> %.3f (%+.0f%%)", m, a, b, (b / a - 1) * 100)
  end
  print(string.format("   %s %g -> %g: %s", param, lo, hi, table.concat(parts, "; ")))
end

-- The methods as the paper names them, in the figures' legends.
local LABELS = { spacexnet = "Space-XNet", randintra_cg = "RandIntra-CG", randintra = "RandIntra",
                 randplace = "RandPlace" }

local figures = {
  fig6a_layers = function(res, dir)
    local rows = {}
    for _, r in ipairs(res.rows) do
      for _, m in ipairs(paper.METHODS) do
        for l = 0, 31 do
          rows[#rows + 1] = { method = m, layer = l, latency_ms = r[string.format("%s_l%02d", m, l)],
                              ["repeat"] = r["repeat"] }
        end
      end
    end
    say(xnet.plot.lines{ data = { rows = rows, params = { "method", "layer" } }, x = "layer",
                         y = "latency_ms", by = "method", labels = LABELS,
                         out = dir .. "/fig6a_layers", ylabel = "latency of the layer (ms)",
                         title = "Fig. 6a: latency of each layer" })
  end,
  fig6b_profiles = function(res, dir)
    say(xnet.plot.bars{ data = res, x = "profile", y = paper.METHODS, labels = LABELS,
                        out = dir .. "/fig6b_profiles", xlabel = "activation profile",
                        ylabel = "latency per token (s)", size = { 1000, 500 },
                        title = "Fig. 6b: latency per activation profile" })
  end,
}
local function fig7(param, label, logx)
  return function(res, dir)
    say(xnet.plot.lines{ data = res, x = param, y = paper.METHODS, labels = LABELS,
                         out = dir .. "/" .. res.manifest.name, xlabel = label,
                         ylabel = "latency per token (s)", logx = logx,
                         title = "Fig. 7: latency against " .. label:gsub(" %(.*", "") })
    trend(res, param)
  end
end
figures.fig7_altitude = fig7("altitude_km", "altitude (km)")
figures.fig7_size = fig7("satellites", "satellites (32 layers)", true)
figures.fig7_survival = fig7("survival", "link survival probability")
figures.fig7_tracking = fig7("omega_max", "tracking limit (rad/s)", true)
figures.paper_calibration = function(res, dir)
  table.sort(res.rows, function(a, b) return a.distance < b.distance end)
  local best, widest = {}, res.rows[1]
  for k = 1, math.min(10, #res.rows) do best[k] = res.rows[k] end
  for _, r in ipairs(res.rows) do
    if r.gap > widest.gap then widest = r end
  end
  local columns = { "distance", "gap", "variant", "proc_s", "rate_bps", "phasing", "omega_max",
                    "ctx_flops", "utilisation", "spacexnet", "randintra_cg", "randintra",
                    "randplace" }
  local text = table.concat({
    "Closest to the paper's means (spacexnet 1.05, randintra_cg 3.35, randintra 4.15, "
      .. "randplace 5.29 s/token); distance = rms of ln(ours / paper); gap = randintra_cg / "
      .. "spacexnet (paper: 3.2).",
    "", report.markdown(best, columns), "",
    "Widest gap anywhere in the grid:", "", report.markdown({ widest }, columns), "" }, "\n")
  assert(xnet.write_file(dir .. "/best_fits.md", text))
  print(text)
end

-- Serving with failed satellites, with and without replicas: lost tokens and
-- latency against the fraction failed, and the table the README shows.
local FAILURE_SERIES = {
  { "spacexnet", "Space-XNet" }, { "spacexnet_repaired", "Space-XNet, repaired" },
  { "spacexnet_rep", "Space-XNet + 256 replicas" },
  { "spacexnet_rep_repaired", "Space-XNet + 256 replicas, repaired" },
  { "randintra_cg", "RandIntra-CG" }, { "randintra_cg_repaired", "RandIntra-CG, repaired" } }
figures.serve_failures = function(res, dir)
  local labels, lost, mean = {}, {}, {}
  for _, s in ipairs(FAILURE_SERIES) do
    labels[s[1] .. "_lost"], labels[s[1] .. "_mean"] = s[2], s[2]
    lost[#lost + 1], mean[#mean + 1] = s[1] .. "_lost", s[1] .. "_mean"
  end
  say(xnet.plot.lines{ data = res, x = "failed_pct", y = lost, labels = labels, errors = "se",
                       out = dir .. "/serve_failures_lost", xlabel = "satellites failed (%)",
                       ylabel = "tokens lost (fraction)",
                       title = "15 tokens/s on the paper's setup with failed satellites" })
  say(xnet.plot.lines{ data = res, x = "failed_pct", y = mean, labels = labels, errors = "se",
                       out = dir .. "/serve_failures_latency", xlabel = "satellites failed (%)",
                       ylabel = "latency per delivered token (s)",
                       title = "15 tokens/s on the paper's setup with failed satellites" })
  local rows, pcts, seen = {}, {}, {}
  for _, r in ipairs(res.rows) do
    if not seen[r.failed_pct] then seen[r.failed_pct] = true; pcts[#pcts + 1] = r.failed_pct end
  end
  table.sort(pcts)
  for _, pct in ipairs(pcts) do
    for _, s in ipairs(FAILURE_SERIES) do
      local col = {}
      for _, r in ipairs(res.rows) do
        if r.failed_pct == pct then
          for _, f in ipairs{ "lost", "mean", "throughput", "moves", "mb" } do
            col[f] = col[f] or {}
            local v = r[s[1] .. "_" .. f]
            if v == v then col[f][#col[f] + 1] = v end
          end
          col.failed, col.gateways = col.failed or {}, col.gateways or {}
          col.failed[#col.failed + 1] = r.satellites_failed
          col.gateways[#col.gateways + 1] = r.gateways_failed > 0 and 1 or 0
        end
      end
      local function m(f, fmt)
        return #col[f] > 0 and string.format(fmt, stats.mean(col[f])) or "-"
      end
      rows[#rows + 1] = { ["failed %"] = pct, series = s[2], ["satellites failed"] = m("failed", "%.1f"),
                          ["draws with a gateway failed"] = string.format("%d of %d",
                            math.floor(stats.mean(col.gateways) * #col.gateways + 0.5), #col.gateways),
                          ["tokens lost %"] = string.format("%.1f", 100 * stats.mean(col.lost)),
                          ["s per delivered token"] = m("mean", "%.3f"),
                          ["tokens/s"] = m("throughput", "%.2f"), moves = m("moves", "%.1f"),
                          ["MB uploaded"] = m("mb", "%.0f") }
    end
  end
  local text = report.markdown(rows, { "failed %", "series", "satellites failed",
                                       "draws with a gateway failed", "tokens lost %",
                                       "s per delivered token", "tokens/s", "moves",
                                       "MB uploaded" })
  assert(xnet.write_file(dir .. "/serve_failures.md", text))
  print(text)
end


-- Serving under load (experiments/serve_load.lua): per setup, latency
-- against throughput (open arrivals: the throughput is the offered rate
-- while the system is stable) and throughput against streams (closed);
-- the tables of both methods and the approximation's error, and each
-- method's maximum sustainable rate, into DIR/tables.md.
local SERVE_LABELS = { spacexnet = "Space-XNet", spacexnet_load = "load-aware Space-XNet",
                       randintra_cg = "RandIntra-CG", randintra = "RandIntra",
                       randplace = "RandPlace" }
local SERVE_METHODS = { "spacexnet", "spacexnet_load", "randintra_cg", "randintra", "randplace" }
local SETUP_TITLES = { llama = "LLaMA-MoE-3.5B, the paper's setup",
                       llama_hosted = "LLaMA-MoE-3.5B, 2 experts per satellite, gateways host",
                       olmoe = "OLMoE-1B-7B (top-8 of 64)" }
figures.serve_load = function(res, dir)
  local groups, keys = {}, {}
  for _, r in ipairs(res.rows) do
    local key = r.setup .. "|" .. r.method .. "|" .. r.load
    if not groups[key] then
      groups[key] = { setup = r.setup, method = r.method, load = r.load, rows = {} }
      keys[#keys + 1] = key
    end
    table.insert(groups[key].rows, r)
  end
  local function mean_of(g, col)
    local v = {}
    for _, r in ipairs(g.rows) do v[#v + 1] = r[col] end
    return stats.mean(v)
  end
  local text = {}
  local function out(line) text[#text + 1] = line end
  for _, setup in ipairs{ "llama", "llama_hosted", "olmoe" } do
    local open, closed, table_rows, capacity = {}, {}, {}, {}
    for _, key in ipairs(keys) do
      local g = groups[key]
      if g.setup == setup then
        local kind, level = g.load:match("^(%a+)%-([%d%.]+)$")
        level = tonumber(level)
        local stable = mean_of(g, "stable") == 1
        for _, r in ipairs(g.rows) do
          if kind == "open" and stable then
            open[#open + 1] = { method = r.method, rate = r.offered, p50 = r.p50, p99 = r.p99,
                                ["repeat"] = r["repeat"] }
          elseif kind == "closed" then
            closed[#closed + 1] = { method = r.method, streams = level,
                                    throughput = r.throughput, ["repeat"] = r["repeat"] }
          end
        end
        local m = mean_of(g, "mean")
        table_rows[#table_rows + 1] = {
          method = SERVE_LABELS[g.method], load = kind == "open"
            and string.format("open, %.2f tokens/s (%g of capacity)", mean_of(g, "offered"), level)
            or string.format("closed, %d streams", level),
          ["tokens/s"] = stable and mean_of(g, "throughput") or nil,
          ["mean s"] = m == m and m or nil, ["p50 s"] = stable and mean_of(g, "p50") or nil,
          ["p99 s"] = stable and mean_of(g, "p99") or nil,
          ["analytic tokens/s"] = stable and mean_of(g, "analytic_throughput") or nil,
          ["analytic mean s"] = stable and mean_of(g, "analytic_mean") or nil,
          ["error"] = stable and string.format("%+.1f%%", 100 * mean_of(g, "analytic_error")) or "unstable",
          ["error, Poisson arrivals"] = stable
            and string.format("%+.1f%%", 100 * mean_of(g, "poisson_error")) or "unstable",
        }
        if g.load == "open-0.95" then
          capacity[#capacity + 1] = { method = SERVE_LABELS[g.method],
                                      ["max tokens/s"] = mean_of(g, "capacity") }
        end
      end
    end
    local base = dir .. "/serve_load_" .. setup
    say(xnet.plot.lines{ data = { rows = open, params = { "method", "rate" } }, x = "rate",
                         y = { "p50", "p99" }, by = "method", labels = SERVE_LABELS,
                         out = base .. "_open", xlabel = "throughput = offered rate (tokens/s)",
                         ylabel = "latency per token (s)",
                         title = SETUP_TITLES[setup] .. ": Poisson tokens, stable rates" })
    say(xnet.plot.lines{ data = { rows = closed, params = { "method", "streams" } },
                         x = "streams", y = "throughput", by = "method", labels = SERVE_LABELS,
                         out = base .. "_closed", xlabel = "decoding streams", logx = true,
                         ylabel = "throughput (tokens/s)",
                         title = SETUP_TITLES[setup] .. ": closed loop of streams" })
    out("### " .. SETUP_TITLES[setup])
    out("")
    out(report.markdown(table_rows, { "method", "load", "tokens/s", "mean s", "p50 s", "p99 s",
                                      "analytic tokens/s", "analytic mean s", "error",
                                      "error, Poisson arrivals" }))
    out("")
    out("Maximum sustainable tokens/s (the busiest satellite's bound; load-aware: placed for "
        .. "0.95 of Space-XNet's):")
    out("")
    out(report.markdown(capacity, { "method", "max tokens/s" }))
    out("")
  end
  -- the approximation's error over the grid: per setup and kind of load,
  -- the largest and the mean |error| of the mean over stable points
  local summary = {}
  for _, setup in ipairs{ "llama", "llama_hosted", "olmoe" } do
    for _, kind in ipairs{ "open", "closed" } do
      local worst, worst_p, sum, sum_p, n, at = 0, 0, 0, 0, 0, ""
      for _, key in ipairs(keys) do
        local g = groups[key]
        if g.setup == setup and g.load:match("^" .. kind) and mean_of(g, "stable") == 1 then
          local e, ep = math.abs(mean_of(g, "analytic_error")), math.abs(mean_of(g, "poisson_error"))
          if e > worst then worst, at = e, SERVE_LABELS[g.method] .. ", " .. g.load end
          worst_p = math.max(worst_p, ep)
          sum, sum_p, n = sum + e, sum_p + ep, n + 1
        end
      end
      summary[#summary + 1] = { setup = SETUP_TITLES[setup], load = kind, points = n,
                                ["mean |error|"] = string.format("%.1f%%", 100 * sum / n),
                                ["largest |error|"] = string.format("%.1f%% (%s)", 100 * worst, at),
                                ["Poisson: mean |error|"] = string.format("%.1f%%", 100 * sum_p / n),
                                ["Poisson: largest"] = string.format("%.1f%%", 100 * worst_p) }
    end
  end
  out("### The approximation's error of the mean over the grid")
  out("")
  out(report.markdown(summary, { "setup", "load", "points", "mean |error|", "largest |error|",
                                 "Poisson: mean |error|", "Poisson: largest" }))
  out("")
  assert(xnet.write_file(dir .. "/tables.md", table.concat(text, "\n")))
  print("   tables: " .. dir .. "/tables.md")
end

local order = { "fig6a_layers", "fig6b_profiles", "fig7_altitude", "fig7_size", "fig7_survival",
                "fig7_tracking", "paper_calibration", "serve_failures", "serve_load" }
for _, name in ipairs(order) do
  if not only or only == name then
    local res, dir = run_study(name)
    figures[name](res, dir)
  end
end

if not only or only == "map" then
  print("== constellation map")
  local s = paper.setup{ snapshots = 20 }
  local prof = paper.profile(s.model, "zipf-1", 1)
  say(xnet.plot.map{ net = s.net, ring = s.ring, plan = paper.plan(s, "spacexnet", prof),
                     profile = prof, out = "results/constellation_map" })
  -- Earth-fixed, over the coastlines, with experiments/ground.lua's users and the links
  local cities = dofile(xnet.root .. "/experiments/ground_cities.lua")
  say(xnet.plot.map{ net = s.net, ring = s.ring, ground = xnet.ground(cities), links = true,
                     out = "results/ground_map",
                     title = "the paper's 33 x 32 star over the Earth at its epoch, snapshot 0" })
end
