-- Shortest paths at constellation scale: wall time, CPU time and peak
-- memory of whole workloads, each in a fresh process, with the path kernel
-- (workers = one per processor, and one worker; and one worker with the
-- snapshot cache off, xnet.limits{ snapshot_cache_mb = 0 }: every query
-- computes its snapshots again) beside igraph's Dijkstra
-- (xnet.limits{ paths = "igraph" }, the previous implementation: one thread,
-- a full row per gateway and snapshot; on 20 of the 200 snapshots for the
-- 40,000-satellite workloads, beside the kernel on as many). Wall times are
-- the least of --repeat runs (default 3); CPU time is the process's, all
-- threads summed.
-- On a shared machine wall time depends on the other load: read the CPU
-- figures and the ratios. Prints figures, nothing passes or fails.
--
-- Every workload is also set beside commit ca495c5, the implementation
-- before Monte Carlo ran in blocks on every worker (one stream, a latency
-- computed per draw, two retry tables per layer on one thread), before
-- snapshots were computed on demand (the series was kept: 9 bytes per link
-- per snapshot) and before the rings were cut on the path kernel (igraph's
-- Dijkstra from every subnet member): --previous BIN runs it with that
-- build's spacexnet, else its recorded figures are printed. --callgrind
-- counts each workload's instructions (one worker; valgrind: about a minute
-- per build for the table, far longer for the others), which do not depend
-- on load.
--
--   spacexnet bench/bench_paths.lua [--repeat N] [--only table|delta|star]
--                                   [--previous BIN] [--callgrind]
local xnet = require "xnet"

local repeat_runs, only, previous_bin, callgrind = 3, nil, nil, false
local i = 1
while i <= #arg do
  if arg[i] == "--repeat" then repeat_runs = math.tointeger(tonumber(arg[i + 1]))
  elseif arg[i] == "--only" then only = arg[i + 1]
  elseif arg[i] == "--previous" then previous_bin = arg[i + 1]
  elseif arg[i] == "--callgrind" then callgrind, i = true, i - 1
  else
    error("usage: spacexnet bench/bench_paths.lua [--repeat N] [--only NAME] [--previous BIN] "
          .. "[--callgrind]")
  end
  i = i + 2
end

-- The table workload at commit ca495c5, measured on this machine with the
-- bench's own script (least of 3 runs; load average about 12 on 2 cores) and
-- callgrind with one worker.
-- The 40,000-satellite workloads at that commit: one run each on 2 workers,
-- load average 7-12 on 2 cores (so the wall times say more about the load);
-- CPU time and peak resident set of the process (/usr/bin/time).
local PREVIOUS = {
  table = { two = { wall = 1.645, cpu = 0.988 }, one = { wall = 3.127, cpu = 0.982 },
            instructions = 6.721e9 },
  delta = { two = { wall = 1041.8, cpu = 218.5, rss = 484 } },
  star = { two = { wall = 94.4, cpu = 75.4, rss = 484 } },
}
local PREVIOUS_COMMIT = "ca495c5"

-- Each workload is a script run by a fresh spacexnet; SNAPSHOTS is replaced.
local prelude = [[
local xnet = require "xnet"
local paper = require "xnet.paper"
local function wall() local p = io.popen("date +%s.%N"); local s = tonumber(p:read("l"));
  p:close(); return s end
local t0, c0 = wall(), os.clock()
local function done()
  local f = io.open("/proc/self/status"); local st = f:read("a"); f:close()
  print(string.format("wall=%.4f cpu=%.4f rss_mb=%.1f", wall() - t0, os.clock() - c0,
                      tonumber(st:match("VmHWM:%s*(%d+)")) / 1024))
end
]]

local workloads = {
  { name = "table", snapshots = 200, scale_igraph = false,
    what = "paper's table workload: 33x32 star, 200 snapshots, 4 methods, exact + 100k tokens",
    target = "<= 0.25 s wall", code = [[
local s = paper.setup{ seed = 1, snapshots = SNAPSHOTS }
local prof = paper.profile(s.model, "zipf-1", 1)
paper.evaluate(s, prof, { tokens = 100000, seed = 1 })
done()]] },
  { name = "delta", snapshots = 200, scale_igraph = 10,
    what = "200x200 delta, 200 snapshots, 4 methods placed and evaluated (exact + 100k tokens)",
    target = "<= 30 s wall, <= 1 GiB", code = [[
local m = xnet.model "llama-moe-3.5b"
local net = xnet.network(xnet.walker{ pattern = "delta", planes = 200, sats = 200, phasing = 1 },
                         { snapshots = SNAPSHOTS, bits = m.message_bits })
local ring = xnet.ring(net, m.layers)
local prof = xnet.profile.zipf(m, 1.0, { seed = 1 })
for _, plan in ipairs{ xnet.place.spacexnet(net, ring, prof),
                       xnet.place.randintra_cg(net, ring, m, { seed = 1 }),
                       xnet.place.randintra(net, ring, m, { seed = 1 }),
                       xnet.place.randplace(net, m, { seed = 1 }) } do
  xnet.evaluate(net, plan, prof, { tokens = 100000, seed = 1 })
end
done()]] },
  { name = "star", snapshots = 200, scale_igraph = 10,
    what = "400x100 star (40,000 satellites), Space-XNet placement, 200 snapshots",
    target = "<= 10 s wall", code = [[
local m = xnet.model "llama-moe-3.5b"
local net = xnet.network(xnet.walker{ planes = 400, sats = 100 },
                         { snapshots = SNAPSHOTS, bits = m.message_bits })
local ring = xnet.ring(net, m.layers)
xnet.place.spacexnet(net, ring, xnet.profile.zipf(m, 1.0, { seed = 1 }))
done()]] },
}

local bin = xnet.root .. "/spacexnet"

-- Least wall time (and its CPU and memory) over the runs, with bin (default
-- this build's spacexnet).
local function measure(w, limits, snapshots, with_bin)
  local code = prelude .. limits .. "\n" .. w.code:gsub("SNAPSHOTS", tostring(snapshots))
  local script = os.tmpname()
  assert(xnet.write_file(script, code))
  local best
  for _ = 1, repeat_runs do
    local p = io.popen(string.format("%q %q 2>&1", with_bin or bin, script))
    local out = p:read("a")
    p:close()
    local wall, cpu, rss = out:match("wall=(%S+) cpu=(%S+) rss_mb=(%S+)")
    if not wall then os.remove(script); error(w.name .. " failed:\n" .. out) end
    local r = { wall = tonumber(wall), cpu = tonumber(cpu), rss = tonumber(rss) }
    if not best or r.wall < best.wall then best = r end
  end
  os.remove(script)
  return best
end

local function row(label, r)
  print(string.format("  %-24s %9.3f s wall %9.3f s CPU %7.0f MiB peak", label, r.wall, r.cpu,
                      r.rss))
end

-- Instructions of one run with one worker (and `limits`, Lua code setting
-- more of them), by callgrind.
local function instructions(w, with_bin, limits)
  local script, out = os.tmpname(), os.tmpname()
  assert(xnet.write_file(script, prelude .. "xnet.limits{ workers = 1 }\n" .. (limits or "")
                                 .. w.code:gsub("SNAPSHOTS", tostring(w.snapshots))))
  local p = io.popen(string.format("valgrind --tool=callgrind --callgrind-out-file=%q %q %q 2>&1",
                                   out, with_bin or bin, script))
  local text = p:read("a")
  p:close()
  os.remove(script)
  os.remove(out)
  local n = text:match("Collected : (%d+)")
  return n and tonumber(n) or error("callgrind failed:\n" .. text)
end

-- A workload beside the previous implementation, on 2 workers and 1.
local function compare_previous(w, two, one)
  local prev, how = PREVIOUS[w.name], "recorded"
  if previous_bin then
    prev = { two = measure(w, "", w.snapshots, previous_bin),
             one = measure(w, "xnet.limits{ workers = 1 }", w.snapshots, previous_bin) }
    how = "measured, " .. previous_bin
  end
  print(string.format("  previous implementation (commit %s, %s):", PREVIOUS_COMMIT, how))
  for _, k in ipairs{ "two", "one" } do
    local p, now = prev[k], k == "two" and two or one
    if p then
      print(string.format("  %-24s %9.3f s wall %9.3f s CPU%s   now %.3f s wall, %.3f s CPU, "
                          .. "%.0f MiB: %.1fx wall, %.1fx CPU", k == "two" and "2 workers"
                          or "1 worker", p.wall, p.cpu,
                          p.rss and string.format(" %7.0f MiB peak", p.rss) or "", now.wall,
                          now.cpu, now.rss, p.wall / now.wall, p.cpu / now.cpu))
    end
  end
  if callgrind then
    local now = instructions(w)
    local before = previous_bin and instructions(w, previous_bin) or prev.instructions
    print(string.format("  instructions (callgrind, 1 worker): %.3f G, previous %s (%s)%s",
                        now / 1e9, before and string.format("%.3f G", before / 1e9) or "-",
                        previous_bin and "measured" or "recorded",
                        before and string.format(": %.2fx", before / now) or ""))
    local uncached = instructions(w, nil, "xnet.limits{ snapshot_cache_mb = 0 }\n")
    print(string.format("  instructions with the snapshot cache off: %.3f G (%.2fx)",
                        uncached / 1e9, uncached / now))
  end
end

local f = io.open("/proc/loadavg")
print(string.format("processors online: %d; load average at start: %s; runs per figure: %d",
                    xnet.limits().workers, f and f:read("l"):match("^(%S+ %S+ %S+)") or "?",
                    repeat_runs))
if f then f:close() end
for _, w in ipairs(workloads) do
  if not only or only == w.name then
    print(w.what .. " (target " .. w.target .. ")")
    local csr = measure(w, "", w.snapshots)
    local one = measure(w, "xnet.limits{ workers = 1 }", w.snapshots)
    local uncached = measure(w, "xnet.limits{ workers = 1, snapshot_cache_mb = 0 }", w.snapshots)
    row("path kernel, " .. xnet.limits().workers .. " workers", csr)
    row("path kernel, 1 worker", one)
    row("1 worker, no snap. cache", uncached)
    -- igraph on fewer snapshots where it would take too long, set beside the
    -- kernel on as many (the ring's cost does not scale with the snapshots,
    -- so neither figure is scaled up)
    local few = w.snapshots // (w.scale_igraph or 1)
    local ig = measure(w, 'xnet.limits{ paths = "igraph" }', few)
    local base, base_one = csr, one
    if few < w.snapshots then
      base = measure(w, "", few)
      base_one = measure(w, "xnet.limits{ workers = 1 }", few)
      row(string.format("kernel, %d snapshots", few), base)
    end
    row(few < w.snapshots and string.format("igraph, %d snapshots", few) or "igraph (previous)",
        ig)
    print(string.format("  speedup over igraph: %.1fx wall, %.1fx CPU (1 worker)%s",
                        ig.wall / base.wall, ig.cpu / base_one.cpu,
                        few < w.snapshots and string.format(" on %d snapshots", few) or ""))
    compare_previous(w, csr, one)
  end
end
