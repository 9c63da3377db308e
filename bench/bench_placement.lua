-- Placement and evaluation benchmark: the time to compute expected path
-- latencies (the ring's cost table: 200 snapshots x 32 gateway searches that
-- stop once their subnets are settled), Monte
-- Carlo throughput in token-layer samples per second on one worker (target:
-- 20 million per core) and on every worker (blocks of tokens on their own
-- streams), and the wall time of the whole paper_table2 run. Prints figures
-- and ratios; nothing here passes or fails.
local xnet = require "xnet"

local function wall()
  local p = io.popen("date +%s.%N")
  local s = tonumber(p:read("l"))
  p:close()
  return s
end

local m = xnet.model "llama-moe-3.5b"
local con = xnet.walker{}
local t0 = wall()
local net = xnet.network(con, { snapshots = 200, bits = m.message_bits })
local t_net = wall() - t0
local ring = xnet.ring(net, m.layers)
t0 = wall()
xnet.place.expected(net, ring)
local t_costs = wall() - t0
t0 = wall()
xnet.place.expected(net, ring)
local t_cached = wall() - t0
local prof = xnet.profile.zipf(m, 1.0, { seed = 1 })
local plan = xnet.place.spacexnet(net, ring, prof)
xnet.evaluate(net, plan, prof, { tokens = 200, exact = false }) -- builds the cost table
local tokens, workers = 2000000, xnet.limits().workers
xnet.limits{ workers = 1 }
t0 = wall()
local c0 = os.clock()
xnet.evaluate(net, plan, prof, { tokens = tokens, exact = false })
local t_mc, c_mc = wall() - t0, os.clock() - c0
local rate = tokens * m.layers / t_mc
xnet.limits{ workers = workers }
t0 = wall()
xnet.evaluate(net, plan, prof, { tokens = tokens, exact = false })
local t_mc_all = wall() - t0
t0 = wall()
local r = xnet.evaluate(net, plan, prof, { tokens = 200 })
local t_exact = wall() - t0

print(string.format("network 33x32, 200 snapshots      %8.3f s", t_net))
print(string.format("expected path latencies (table)   %8.3f s  (%.0f us per gateway search)",
                    t_costs, t_costs / (200 * 32) * 1e6))
print(string.format("expected path latencies (cached)  %8.3f s", t_cached))
print(string.format("Monte Carlo, %d tokens       %8.3f s  %.1f M token-layer samples/s "
                    .. "on 1 worker (%.2fx the 20 M/s target); by CPU time %.3f s, %.1f M/s",
                    tokens, t_mc, rate / 1e6, rate / 20e6, c_mc, tokens * m.layers / c_mc / 1e6))
print(string.format("Monte Carlo, %d tokens       %8.3f s  %.1f M token-layer samples/s "
                    .. "on %d workers", tokens, t_mc_all, tokens * m.layers / t_mc_all / 1e6,
                    workers))
print(string.format("exact expectation + 200 tokens    %8.3f s  (exact %.6f s/token)", t_exact,
                    r.exact))

local bin = xnet.root .. "/spacexnet"
local out = os.tmpname()
os.remove(out)
t0 = wall()
local ok = os.execute(string.format("%q %q --out %q >/dev/null", bin,
                                    xnet.root .. "/experiments/paper_table2.lua", out))
local t_table = wall() - t0
os.execute("rm -rf " .. string.format("%q", out))
print(string.format("paper_table2 (28 rows, 200000 tokens each) %8.2f s wall%s", t_table,
                    ok and "" or " (FAILED)"))
