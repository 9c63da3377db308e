-- The evaluator alone on the paper's table workload: 33 x 32 star, 200
-- snapshots, the four methods placed, each plan's cost table built (not
-- timed), then xnet.evaluate with the exact figures and 100,000 Monte Carlo
-- tokens for each of the four: wall and CPU time (all threads) of the four,
-- the least wall time of --repeat rounds (default 5), on every worker and on
-- one. --previous BIN runs the same with another build's spacexnet beside
-- it (commit 79b6c16 is the evaluator before the shared step table, the
-- recast alias draws and the branch-free selection). Prints figures and
-- ratios; nothing passes or fails. On a shared machine the wall time on
-- several workers depends on the other load: compare the CPU times.
--
--   spacexnet bench/bench_evaluate.lua [--repeat N] [--previous BIN]
local xnet = require "xnet"

local repeat_runs, previous_bin = 5, nil
local i = 1
while i <= #arg do
  if arg[i] == "--repeat" then repeat_runs = math.tointeger(tonumber(arg[i + 1]))
  elseif arg[i] == "--previous" then previous_bin = arg[i + 1]
  else error("usage: spacexnet bench/bench_evaluate.lua [--repeat N] [--previous BIN]") end
  i = i + 2
end

-- Run by a fresh spacexnet: WORKERS and REPEAT are replaced.
local script = [[
local xnet = require "xnet"
local paper = require "xnet.paper"
xnet.limits{ workers = WORKERS }
local function wall() local p = io.popen("date +%s.%N"); local s = tonumber(p:read("l"));
  p:close(); return s end
local s = paper.setup{ seed = 1, snapshots = 200 }
local prof = paper.profile(s.model, "zipf-1", 1)
local plans = {}
for _, method in ipairs(paper.METHODS) do
  plans[#plans + 1] = paper.plan(s, method, prof)
  xnet.evaluate(s.net, plans[#plans], prof, { tokens = 1, exact = false }) -- the cost table
end
local best
for _ = 1, REPEAT do
  local t0, c0 = wall(), os.clock()
  for _, plan in ipairs(plans) do
    xnet.evaluate(s.net, plan, prof, { tokens = 100000, seed = 1 })
  end
  local w, c = wall() - t0, os.clock() - c0
  if not best or w < best.wall then best = { wall = w, cpu = c } end
end
print(string.format("wall=%.4f cpu=%.4f", best.wall, best.cpu))
]]

local function measure(bin, workers)
  local path = os.tmpname()
  assert(xnet.write_file(path, (script:gsub("WORKERS", tostring(workers))
                                       :gsub("REPEAT", tostring(repeat_runs)))))
  local p = io.popen(string.format("%q %q 2>&1", bin, path))
  local out = p:read("a")
  p:close()
  os.remove(path)
  local w, c = out:match("wall=(%S+) cpu=(%S+)")
  if not w then error("the evaluation failed:\n" .. out) end
  return { wall = tonumber(w), cpu = tonumber(c) }
end

local f = io.open("/proc/loadavg")
local workers = xnet.limits().workers
print(string.format("evaluate on the paper's table workload, costs kept: 4 methods x (exact + "
                    .. "100,000 tokens); least wall of %d rounds; load average at start: %s",
                    repeat_runs, f and f:read("l"):match("^(%S+ %S+ %S+)") or "?"))
if f then f:close() end
local bin = xnet.root .. "/spacexnet"
for _, w in ipairs{ workers, 1 } do
  local now = measure(bin, w)
  local line = string.format("  %d worker%s: %.3f s wall, %.3f s CPU", w, w > 1 and "s" or "",
                             now.wall, now.cpu)
  if previous_bin then
    local before = measure(previous_bin, w)
    line = line .. string.format("; %s: %.3f s wall, %.3f s CPU (%.1fx wall, %.1fx CPU)",
                                 previous_bin, before.wall, before.cpu, before.wall / now.wall,
                                 before.cpu / now.cpu)
  end
  print(line)
end
