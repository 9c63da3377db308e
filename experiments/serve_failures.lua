-- Serving with failed satellites: latency and lost tokens as 0 to 10% of
-- the satellites fail (xnet.fail with a seeded rate), for the plan as it was
-- and for the plan repaired by xnet.place.repair (only what was lost moves),
-- on the paper's setup (50 snapshots) with open arrivals of 20 tokens/s (a
-- closed loop would overweight lost tokens, which end early).
--   ./spacexnet experiments/serve_failures.lua [OUTDIR]  (default results/serve_failures)
-- Writes OUTDIR/serve_failures.csv, the plot OUTDIR/serve_failures_{lost,latency}
-- and prints a Markdown table.
local xnet = require "xnet"
local paper = require "xnet.paper"
local csv = require "xnet.csv"

local out = arg and arg[1] or "results/serve_failures"
os.execute("mkdir -p '" .. out .. "'")
local RATES = { 0, 0.01, 0.02, 0.05, 0.1 }
local SEEDS = { 1, 2, 3, 4, 5 }
local METHODS = { "spacexnet", "randintra_cg" }
local LABELS = { spacexnet = "Space-XNet", randintra_cg = "RandIntra-CG",
                 ["spacexnet+repair"] = "Space-XNet, repaired",
                 ["randintra_cg+repair"] = "RandIntra-CG, repaired" }
local SERVE = { rate_tokens_s = 20, duration_s = 300, replications = 2 }

local s = paper.setup{ snapshots = 50 }
local prof = paper.profile(s.model, "zipf-1", 1)
local plans = {}
for _, method in ipairs(METHODS) do plans[method] = paper.plan(s, method, prof) end
local rows = {}
for _, rate in ipairs(RATES) do
  for _, seed in ipairs(SEEDS) do
    local failed, list = xnet.fail(s.net, { rate = rate, seed = seed })
    for _, method in ipairs(METHODS) do
      local repaired, report = xnet.place.repair(failed, s.ring, plans[method], prof)
      for _, variant in ipairs{ { method, plans[method] }, { method .. "+repair", repaired } } do
        local o = { seed = seed }
        for k, v in pairs(SERVE) do o[k] = v end
        local r = xnet.serve(failed, variant[2], prof, o)
        rows[#rows + 1] = {
          rate = rate, ["repeat"] = seed, failed = #list, series = variant[1],
          lost = r.undelivered, mean = r.mean, throughput = r.throughput,
          moved = variant[1]:find("repair", 1, true) and report.experts_moved
                  + report.gateways_moved or 0,
          bytes = variant[1]:find("repair", 1, true) and report.bytes or 0 }
        io.stderr:write(string.format("rate %.2f seed %d %s: lost %.3f, mean %s\n", rate, seed,
                                      variant[1], r.undelivered, tostring(r.mean)))
      end
    end
  end
end
assert(xnet.write_file(out .. "/serve_failures.csv",
                       csv.encode(rows, { "rate", "repeat", "failed", "series", "lost", "mean",
                                          "throughput", "moved", "bytes" },
                                  { study = "serve_failures", version = xnet.version })))

print(string.format("\npaper setup, 50 snapshots, zipf-1, %g tokens/s, %d s; mean of seeds %s:\n",
                    SERVE.rate_tokens_s, SERVE.duration_s, table.concat(SEEDS, ", ")))
print("| failed | series | satellites failed | tokens lost | s per delivered token | tokens/s | moves | MB uploaded |")
print("|--:|---|--:|--:|--:|--:|--:|--:|")
for _, rate in ipairs(RATES) do
  for _, method in ipairs(METHODS) do
    for _, series in ipairs{ method, method .. "+repair" } do
      local n, f, lost, mean, nm, thr, moved, bytes = 0, 0, 0, 0, 0, 0, 0, 0
      for _, r in ipairs(rows) do
        if r.rate == rate and r.series == series then
          n, f, lost, thr = n + 1, f + r.failed, lost + r.lost, thr + (r.throughput or 0)
          moved, bytes = moved + r.moved, bytes + r.bytes
          if r.mean then mean, nm = mean + r.mean, nm + 1 end
        end
      end
      print(string.format("| %g%% | %s | %.1f | %.1f%% | %s | %.2f | %.1f | %.0f |", 100 * rate,
                          LABELS[series], f / n, 100 * lost / n,
                          nm > 0 and string.format("%.3f", mean / nm) or "-", thr / n,
                          moved / n, bytes / n / 1e6))
    end
  end
end
for _, what in ipairs{ "lost", "mean" } do
  local ok, err = xnet.plot.lines{
    data = rows, x = "rate", y = what, by = "series", labels = LABELS,
    xlabel = "fraction of satellites failed",
    ylabel = what == "lost" and "fraction of tokens undelivered" or "seconds per delivered token",
    title = "20 tokens/s on the paper's setup with failed satellites",
    out = out .. "/serve_failures_" .. (what == "lost" and "lost" or "latency") }
  if not ok then io.stderr:write("plot: ", tostring(err), "\n") end
end
