-- Serving benchmark: the discrete-event simulator's events and token-layers
-- per CPU second (target: 1 million token-layer events per second per
-- core), and the queueing approximation's time per placement evaluation, on
-- the paper's setup (33 x 32 star, 200 snapshots, LLaMA-MoE-3.5B, zipf-1,
-- Space-XNet). CPU time of this process (os.clock), the best of three, so
-- other work on the machine matters less than wall time would. Prints
-- figures and ratios; nothing here passes or fails.
local xnet = require "xnet"

local m = xnet.model "llama-moe-3.5b"
local net = xnet.network(xnet.walker{}, { snapshots = 200, bits = m.message_bits })
local ring = xnet.ring(net, m.layers)
local prof = xnet.profile.zipf(m, 1.0, { seed = 1 })
local plan = xnet.place.spacexnet(net, ring, prof)
xnet.evaluate(net, plan, prof, { tokens = 200, exact = false }) -- the ring's cost table

local function best_of(n, f)
  local best, r = math.huge, nil
  for _ = 1, n do
    local t0 = os.clock()
    r = f()
    best = math.min(best, os.clock() - t0)
  end
  return best, r
end

print("serving, paper setup (33 x 32, 200 snapshots, 32 layers, top-2 of 8), CPU seconds:")
for _, load in ipairs{ { streams = 16 }, { streams = 256 }, { rate_tokens_s = 15 } } do
  local o = { duration_s = 600, replications = 1 }
  for k, v in pairs(load) do o[k] = v end
  local t, r = best_of(3, function() return xnet.serve(net, plan, prof, o) end)
  local layers = r.tokens * m.layers
  print(string.format("  simulate %-18s %7.3f s: %9.0f events (%5.2f M/s), %8.0f token-layers "
                        .. "(%5.2f M/s, %.1fx the 1 M/s target)",
                      load.streams and ("streams = " .. load.streams)
                        or ("rate = " .. load.rate_tokens_s .. "/s"),
                      t, r.events, r.events / t / 1e6, layers, layers / t / 1e6,
                      layers / t / 1e6))
end
for _, load in ipairs{ { streams = 16 }, { rate_tokens_s = 15 } } do
  local o = { duration_s = 600, method = "analytic" }
  for k, v in pairs(load) do o[k] = v end
  local t, r = best_of(3, function() return xnet.serve(net, plan, prof, o) end)
  print(string.format("  analytic %-18s %7.4f s per placement evaluation%s",
                      load.streams and ("streams = " .. load.streams)
                        or ("rate = " .. load.rate_tokens_s .. "/s"), t,
                      r.iterations and string.format(" (%d fixed-point iterations)", r.iterations)
                        or ""))
end
