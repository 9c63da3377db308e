-- The paper's Fig. 6a: latency of each MoE layer for each method (exact
-- expectation, ms), on the paper's network with a Zipf(1) profile. Each
-- repeat draws a new network outage pattern, profile and random plans; within
-- a repeat every method sees the same ones.
local xnet = require "xnet"
local paper = require "xnet.paper"

return xnet.study{
  name = "fig6a_layers", seed = 1, repeats = 5,
  grid = { profile = { "zipf-1" } },
  run = function(point, seed)
    local s = paper.setup{ snapshots = 100, seed = seed }
    local prof = paper.profile(s.model, point.profile, seed)
    local res = paper.evaluate(s, prof, { seed = seed })
    local metrics = {}
    for method, r in pairs(res) do
      for l = 0, s.model.layers - 1 do
        metrics[string.format("%s_l%02d", method, l)] = r.exact_per_layer[l] * 1e3
      end
    end
    return metrics
  end,
}
