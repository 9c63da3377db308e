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

local order = { "fig6a_layers", "fig6b_profiles", "fig7_altitude", "fig7_size", "fig7_survival",
                "fig7_tracking", "paper_calibration", "serve_failures" }
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
