-- The paper's Fig. 6b: seconds per token of each method under each
-- activation profile (the paper's table as bars). Exact expectation, Monte
-- Carlo p99 and the undelivered fraction; all methods paired within a repeat.
local xnet = require "xnet"
local paper = require "xnet.paper"

return xnet.study{
  name = "fig6b_profiles", seed = 1, repeats = 3,
  grid = { profile = paper.PROFILES },
  run = function(point, seed)
    local s = paper.setup{ snapshots = 100, seed = seed }
    local prof = paper.profile(s.model, point.profile, seed)
    local res = paper.evaluate(s, prof, { seed = seed, tokens = 20000 })
    local metrics = {}
    for method, r in pairs(res) do
      metrics[method] = r.exact
      metrics[method .. "_p99"] = r.p99
      metrics[method .. "_undelivered"] = r.undelivered
    end
    return metrics
  end,
}
