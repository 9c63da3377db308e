-- What moves the paper's comparison: one model parameter at a time away
-- from the defaults, the exact expected seconds per token of each method
-- (uniform profile) and the ratio of each baseline to Space-XNet.
--   spacexnet experiments/paper_sensitivity.lua [--snapshots T]
local xnet = require "xnet"
local report = require "xnet.report"
xnet.strict()

local snapshots = 200
if arg[1] == "--snapshots" and tonumber(arg[2]) then snapshots = math.tointeger(tonumber(arg[2])) end

local base_model = xnet.model "llama-moe-3.5b"
local cases = {
  { "defaults", {}, {} },
  { "proc_s = 1 ms per hop", { proc_s = 1e-3 }, {} },
  { "proc_s = 5 ms per hop", { proc_s = 5e-3 }, {} },
  { "rate_bps = 100 Mbit/s", { rate_bps = 100e6 }, {} },
  { "variant B", {}, {}, "B" },
  { "omega_max = 0.01 rad/s", { omega_max = 0.01 }, {} },
  { "survival = 0.8", { survival = 0.8 }, {} },
  { "utilisation = 0.35", {}, { utilisation = 0.35 } },
  { "ctx_flops = 1e8", {}, { ctx_flops = 1e8 } },
}

local rows = {}
for _, case in ipairs(cases) do
  local label, net_over, model_over, variant = case[1], case[2], case[3], case[4] or "A"
  local m = xnet.model(base_model, model_over)
  local opts = { snapshots = snapshots, bits = m.message_bits, seed = 1 }
  for k, v in pairs(net_over) do opts[k] = v end
  local net = xnet.network(xnet.walker{}, opts)
  local ring = xnet.ring(net, m.layers)
  local prof = xnet.profile.uniform(m)
  local plans = { xnet.place.spacexnet(net, ring, prof, { variant = variant }),
                  xnet.place.randintra_cg(net, ring, prof, { seed = 1 }),
                  xnet.place.randintra(net, ring, prof, { seed = 1 }),
                  xnet.place.randplace(net, ring, prof, { seed = 1 }) }
  local e = {}
  for i, plan in ipairs(plans) do
    e[i] = xnet.evaluate(net, plan, prof, { tokens = snapshots, variant = variant }).exact
  end
  rows[#rows + 1] = { change = label, spacexnet = e[1], randintra_cg = e[2], randintra = e[3],
                      randplace = e[4], cg_ratio = e[2] / e[1], intra_ratio = e[3] / e[1],
                      place_ratio = e[4] / e[1] }
  net:close()
end
print(report.markdown(rows, { "change", "spacexnet", "randintra_cg", "randintra", "randplace",
                              "cg_ratio", "intra_ratio", "place_ratio" }))
