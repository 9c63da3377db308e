-- The paper's experimental setup, shared by experiments/: the constellation,
-- network, model, ring and the four placement methods, with every default
-- from docs/model.md and each one overridable by name.
local xnet = require "xnet"
local util = require "xnet.util"

local paper = {}

-- Method names, in the order the paper lists them (fastest first).
paper.METHODS = { "spacexnet", "randintra_cg", "randintra", "randplace" }

-- The paper's reported means over its 8 data sets, seconds per token.
paper.REPORTED = { spacexnet = 1.05, randintra_cg = 3.35, randintra = 4.15, randplace = 5.29 }

local DEFAULTS = {
  pattern = "star", planes = 33, sats = 32, phasing = 0, altitude_km = 550,
  inclination_deg = 87, snapshots = 200, survival = 0.95, omega_max = 0.12,
  max_range_km = 5000, margin_km = 80, rate_bps = 100e9, proc_s = 0, seed = 1,
  cross_plane_max_lat_deg = math.huge,
  model = "llama-moe-3.5b", layers = nil, ctx_flops = nil, utilisation = nil,
}

-- paper.setup{ ...any of DEFAULTS... } -> { con =, net =, model =, ring = , params = }
-- The link message size is the model's hidden state (hidden x bytes x 8).
function paper.setup(o)
  local p = util.copy(DEFAULTS)
  for k, v in pairs(o or {}) do
    if DEFAULTS[k] == nil and k ~= "layers" and k ~= "ctx_flops" and k ~= "utilisation" then
      local names = { "layers", "ctx_flops", "utilisation" }
      for name in pairs(DEFAULTS) do names[#names + 1] = name end
      table.sort(names)
      error(xnet.unknown_name("paper setting", tostring(k), names), 2)
    end
    p[k] = v
  end
  -- A bad setting is reported at the caller's line, not at this function's.
  local ok, res = pcall(function()
    local model = xnet.model(p.model, { layers = p.layers, ctx_flops = p.ctx_flops,
                                        utilisation = p.utilisation })
    local con = xnet.walker{ pattern = p.pattern, planes = p.planes, sats = p.sats,
                             phasing = p.phasing, altitude_km = p.altitude_km,
                             inclination_deg = p.inclination_deg }
    local net = xnet.network(con, { snapshots = p.snapshots, survival = p.survival,
                                    omega_max = p.omega_max, max_range_km = p.max_range_km,
                                    margin_km = p.margin_km, bits = model.message_bits,
                                    rate_bps = p.rate_bps, proc_s = p.proc_s, seed = p.seed,
                                    cross_plane_max_lat_deg = p.cross_plane_max_lat_deg })
    return { con = con, net = net, model = model, ring = xnet.ring(net, model.layers),
             params = p }
  end)
  if not ok then error((tostring(res):gsub("^[^:]*:%d+: ", "")), 2) end
  return res
end

-- paper.plan(setup, method, profile, { seed =, variant = }) -> Plan: any
-- method of xnet.place.methods(), your registered ones included.
function paper.plan(s, method, prof, o)
  o = o or {}
  local ok, fn = pcall(xnet.place.method, method)
  if not ok then error(fn, 2) end
  return fn(s.net, s.ring, prof or s.model, { seed = o.seed or 1, variant = o.variant or "A" })
end

-- Named stand-ins for the paper's activation statistics.
paper.PROFILES = { "uniform", "zipf-0.5", "zipf-1", "zipf-1.5", "dirichlet-0.3", "dirichlet-1",
                   "dirichlet-3" }

-- paper.profile(model, name, seed) -> Profile for "uniform", "zipf-S", "dirichlet-A"
function paper.profile(model, name, seed)
  if type(name) ~= "string" then
    error(xnet.unknown_name("profile", util.describe(name), { "uniform", "zipf-S", "dirichlet-A" }),
          2)
  end
  if name == "uniform" then return xnet.profile.uniform(model) end
  local kind, value = name:match("^(%a+)%-([%d%.]+)$")
  if kind == "zipf" then return xnet.profile.zipf(model, tonumber(value), { seed = seed }) end
  if kind == "dirichlet" then
    return xnet.profile.dirichlet(model, tonumber(value), { seed = seed })
  end
  error(xnet.unknown_name("profile", tostring(name), { "uniform", "zipf-S", "dirichlet-A" }), 2)
end

-- paper.evaluate(setup, prof, { seed =, variant =, tokens =, methods = }) ->
--   { [method] = result of xnet.evaluate } for the four methods (or the
-- names in `methods`), all on the same network and profile (a paired
-- comparison).
function paper.evaluate(s, prof, o)
  o = o or {}
  local out = {}
  for _, method in ipairs(o.methods or paper.METHODS) do
    out[method] = xnet.evaluate(s.net, paper.plan(s, method, prof, o), prof,
                                { tokens = o.tokens or s.net:snapshots(), seed = o.seed or 1,
                                  variant = o.variant or "A" })
  end
  return out
end

-- paper.metrics(setup, prof, seed) -> a study point's metrics: for each
-- method its exact seconds per token ("<method>") and undelivered fraction
-- ("<method>_undelivered").
function paper.metrics(s, prof, seed)
  local metrics = {}
  for method, r in pairs(paper.evaluate(s, prof, { seed = seed })) do
    metrics[method] = r.exact
    metrics[method .. "_undelivered"] = r.exact_undelivered
  end
  return metrics
end

-- paper.fit(means) -> metrics: each method's seconds per token ("<method>"),
-- the rms log distance of the four to the paper's reported means
-- ("distance") and the RandIntra-CG / Space-XNet ratio ("gap").
function paper.fit(means)
  local metrics, d2 = {}, 0
  for _, method in ipairs(paper.METHODS) do
    metrics[method] = means[method]
    d2 = d2 + math.log(means[method] / paper.REPORTED[method]) ^ 2
  end
  metrics.distance = math.sqrt(d2 / #paper.METHODS)
  metrics.gap = means.randintra_cg / means.spacexnet
  return metrics
end

-- paper.long(rows, params, metric) -> rows in long form for plotting by
-- method: every row's "<method><suffix>" metric becomes a row of its own
-- with `method` and `value` columns. suffix defaults to "".
function paper.long(rows, params, suffix)
  suffix = suffix or ""
  local out = {}
  for _, r in ipairs(rows) do
    for _, method in ipairs(paper.METHODS) do
      local v = r[method .. suffix]
      if v ~= nil then
        local row = { method = method, value = v, ["repeat"] = r["repeat"] }
        for _, p in ipairs(params) do row[p] = r[p] end
        out[#out + 1] = row
      end
    end
  end
  local all = { "method" }
  for _, p in ipairs(params) do all[#all + 1] = p end
  return { rows = out, params = all }
end

return paper
