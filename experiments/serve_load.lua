-- Serving under load: throughput and latency (mean, p50, p99) of each
-- placement method as the number of decoding streams rises from one to past
-- saturation, by the simulation and by the queueing approximation, on the
-- paper's setup (LLaMA-MoE-3.5B) and on a modern model of the catalogue
-- (OLMoE-1B-7B: 16 layers, top-8 of 64). Also each method's maximum
-- sustainable rate (the open system's stability bound, parallel / max D_s).
--   ./spacexnet experiments/serve_load.lua [OUTDIR]     (default results/serve_load)
-- Writes OUTDIR/serve_load.csv, the plots OUTDIR/serve_load_<model>_{latency,throughput}
-- and prints Markdown tables.
local xnet = require "xnet"
local paper = require "xnet.paper"
local csv = require "xnet.csv"

local out = arg and arg[1] or "results/serve_load"
os.execute("mkdir -p '" .. out .. "'")
local STREAMS = { 1, 16, 64, 128, 256, 512 }
local MODELS = { "llama-moe-3.5b", "olmoe-1b-7b" }
local LABELS = { spacexnet = "Space-XNet", randintra_cg = "RandIntra-CG",
                 randintra = "RandIntra", randplace = "RandPlace" }
local SERVE = { duration_s = 300, replications = 3, seed = 1 }

local rows, capacity = {}, {}
for _, model in ipairs(MODELS) do
  local s = paper.setup{ model = model }
  local prof = paper.profile(s.model, "zipf-1", 1)
  for _, method in ipairs(paper.METHODS) do
    local plan = paper.plan(s, method, prof)
    -- the busiest satellite's server-seconds per token bound the open rate
    local probe = xnet.serve(s.net, plan, prof, { rate_tokens_s = 1, method = "analytic" })
    capacity[#capacity + 1] = { model = model, method = method,
                                max_tokens_s = 1 / probe.bottleneck_utilisation,
                                bottleneck = probe.bottleneck }
    for _, n in ipairs(STREAMS) do
      local o = { streams = n }
      for k, v in pairs(SERVE) do o[k] = v end
      local sim = xnet.serve(s.net, plan, prof, o)
      o.method = "analytic"
      local ana = xnet.serve(s.net, plan, prof, o)
      rows[#rows + 1] = {
        model = model, method = method, streams = n,
        throughput = sim.throughput, throughput_se = sim.throughput_stderr,
        mean = sim.mean, mean_se = sim.stderr, p50 = sim.p50, p99 = sim.p99,
        undelivered = sim.undelivered, bottleneck_util = sim.bottleneck_utilisation,
        analytic_throughput = ana.throughput, analytic_mean = ana.mean,
        mean_error = (ana.mean - sim.mean) / sim.mean,
      }
      io.stderr:write(string.format("%s %s streams %d: %.2f tok/s, %.3f s (analytic %.3f s)\n",
                                    model, method, n, sim.throughput, sim.mean, ana.mean))
    end
  end
end

local columns = { "model", "method", "streams", "throughput", "throughput_se", "mean", "mean_se",
                  "p50", "p99", "undelivered", "bottleneck_util", "analytic_throughput",
                  "analytic_mean", "mean_error" }
assert(xnet.write_file(out .. "/serve_load.csv",
                       csv.encode(rows, columns, { study = "serve_load", version = xnet.version })))

for _, model in ipairs(MODELS) do
  print(string.format("\n%s, zipf-1, closed loop, %d s, %d replications (simulation | analytic):\n",
                      model, SERVE.duration_s, SERVE.replications))
  print("| method | streams | tokens/s | mean s | p50 s | p99 s | analytic tokens/s | analytic mean s | error of the mean |")
  print("|---|--:|--:|--:|--:|--:|--:|--:|--:|")
  for _, r in ipairs(rows) do
    if r.model == model then
      print(string.format("| %s | %d | %.2f | %.3f | %.3f | %.3f | %.2f | %.3f | %+.1f%% |",
                          LABELS[r.method], r.streams, r.throughput, r.mean, r.p50, r.p99,
                          r.analytic_throughput, r.analytic_mean, 100 * r.mean_error))
    end
  end
  for _, what in ipairs{ "latency", "throughput" } do
    local model_rows = {}
    for _, r in ipairs(rows) do
      if r.model == model then model_rows[#model_rows + 1] = r end
    end
    local base = string.format("%s/serve_load_%s_%s", out, model, what)
    local ok, err = xnet.plot.lines{
      data = model_rows, x = "streams", by = "method", logx = true, labels = LABELS,
      y = what == "latency" and { "p50", "p99" } or { "throughput" },
      ylabel = what == "latency" and "seconds per token" or "tokens per second",
      xlabel = "decoding streams",
      title = string.format("%s under load: %s", model, what), out = base }
    if not ok then io.stderr:write("plot: ", tostring(err), "\n") end
  end
end

print("\nmaximum sustainable tokens/s (the busiest satellite's bound):\n")
print("| model | method | tokens/s | busiest satellite |")
print("|---|---|--:|--:|")
for _, c in ipairs(capacity) do
  print(string.format("| %s | %s | %.1f | %d |", c.model, LABELS[c.method], c.max_tokens_s,
                      c.bottleneck))
end
