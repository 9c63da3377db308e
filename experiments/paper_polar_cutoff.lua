-- Does switching off cross-plane links near the poles reproduce the paper's
-- threefold gap between Space-XNet and its baselines? The calibration study
-- (experiments/paper_calibration.lua) found that no setting of the
-- parameters the preprint leaves open widens the gap (RandIntra-CG / Space-XNet)
-- past 2.8; a polar cut-off is the mechanism it pointed to. This grid cuts
-- cross-plane links above several latitudes (as Iridium does; 90 = no cut-off),
-- for both routing variants and three per-hop processing delays, and reports
-- every method's exact seconds per token averaged over the seven named
-- profiles, the gaps, and the distance to the paper's means (as in the
-- calibration study).
local xnet = require "xnet"
local paper = require "xnet.paper"

local networks = {}

return xnet.study{
  name = "paper_polar_cutoff", seed = 1, repeats = 1,
  grid = {
    cross_plane_max_lat_deg = { 90, 80, 75, 70, 65, 60, 50 },   -- 90: no cut-off
    variant = { "A", "B" },
    proc_s = { 0, 1e-3, 5e-3 },
  },
  run = function(point)
    local key = string.format("%g/%g", point.cross_plane_max_lat_deg, point.proc_s)
    local entry = networks[key]
    if not entry then
      entry = { setup = paper.setup{ snapshots = 40, seed = 1, proc_s = point.proc_s,
                                     cross_plane_max_lat_deg = point.cross_plane_max_lat_deg },
                plans = {} }
      networks[key] = entry
    end
    local s = entry.setup
    local sums, undelivered = {}, 0
    for _, name in ipairs(paper.PROFILES) do
      local prof = paper.profile(s.model, name, 1)
      for _, method in ipairs(paper.METHODS) do
        local pkey = method .. "/" .. name .. "/" .. point.variant
        entry.plans[pkey] = entry.plans[pkey]
                            or paper.plan(s, method, prof, { seed = 1, variant = point.variant })
        local r = xnet.evaluate(s.net, entry.plans[pkey], prof,
                                { tokens = 40, variant = point.variant })
        sums[method] = (sums[method] or 0) + (r.exact or 0 / 0) / #paper.PROFILES
        undelivered = math.max(undelivered, r.exact_undelivered)
      end
    end
    local metrics = paper.fit(sums)
    metrics.gap_randplace = sums.randplace / sums.spacexnet
    metrics.undelivered = undelivered
    metrics.latitude_cut = s.net:links(0).latitude
    return metrics
  end,
}
