-- xnet.evaluate's results to the last bit: every field of every result
-- (numbers in %a) over settings that take every branch of the evaluator
-- (top-1, top-2 and top-4 sets, sets not enumerated, outages, failed
-- satellites, retry_s, one snapshot, variant B, the breakdown, a ground
-- user, co-located experts that queue, replicas), equal to
-- tests/golden/evaluate_bits.txt, and the same bits on 1, 2 and 3 workers.
-- The golden file pins the figures so that work on the evaluator's speed
-- cannot move a bit unnoticed; it changes only with a change of the model.
--   spacexnet tests/lua/test_evaluate_bits.lua --write FILE   (records it)
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local t = require "harness"
local xnet = require "xnet"
local paper = require "xnet.paper"

-- value as lines "path = text" (tables by sorted key; numbers in %a)
local function dump(v, path, out)
  if type(v) == "table" then
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys, function(a, b)
      if type(a) == type(b) then return a < b end
      return type(a) == "number"
    end)
    for _, k in ipairs(keys) do dump(v[k], path .. "." .. tostring(k), out) end
  elseif math.type(v) == "float" then
    out[#out + 1] = string.format("%s = %a", path, v)
  else
    out[#out + 1] = path .. " = " .. tostring(v)
  end
end

local function evaluate(out, name, net, plan, prof, o)
  dump(xnet.evaluate(net, plan, prof, o), name, out)
end

-- Every setting's results, as lines.
local function results()
  local out = {}
  -- The paper's setup on 16 snapshots: four methods, three profiles.
  local s = paper.setup{ seed = 1, snapshots = 16 }
  for _, name in ipairs{ "zipf-1", "uniform", "dirichlet-0.3" } do
    local prof = paper.profile(s.model, name, 1)
    for _, method in ipairs(paper.METHODS) do
      local plan = paper.plan(s, method, prof)
      evaluate(out, name .. "." .. method, s.net, plan, prof, { tokens = 10000, seed = 1 })
    end
  end
  -- Top-1, top-4 and sets not enumerated (8 of 32 experts), on a small
  -- shell with outages: retries, one snapshot, variant B, the breakdown.
  local net = xnet.network(xnet.walker{ planes = 12, sats = 12 },
                           { snapshots = 24, survival = 0.75, seed = 7 })
  local dt = net:time(1) - net:time(0)
  for _, spec in ipairs{ { 8, 1 }, { 8, 4 }, { 32, 8 } } do
    local m = xnet.model{ layers = 4, experts = spec[1], top_k = spec[2], hidden = 1024,
                          bytes_per_value = 2, expert_ffn = 2048, flops_per_s = 1e11 }
    local prof = xnet.profile.zipf(m, 1.2, { seed = 2 })
    local ring = xnet.ring(net, m.layers, { warn = false })
    local tag = string.format("top%d of %d.", spec[2], spec[1])
    for _, method in ipairs{ "spacexnet", "randplace" } do
      local plan = xnet.place[method](net, ring, prof, { seed = 3 })
      local at = tag .. method
      evaluate(out, at, net, plan, prof, { tokens = 9000, seed = 4 })
      evaluate(out, at .. ".retry", net, plan, prof, { tokens = 9000, seed = 4,
                                                       retry_s = 0.4 * dt })
      evaluate(out, at .. ".long_retry", net, plan, prof, { tokens = 5000, seed = 5,
                                                            retry_s = 2.5 * dt })
      evaluate(out, at .. ".snapshot", net, plan, prof, { tokens = 5000, seed = 6, snapshot = 3 })
      evaluate(out, at .. ".B", net, plan, prof, { tokens = 5000, seed = 7, variant = "B" })
      evaluate(out, at .. ".breakdown", net, plan, prof, { tokens = 5000, seed = 8,
                                                           breakdown = true })
    end
  end
  -- Failed satellites, a ground user, co-located experts, replicas.
  local m = xnet.model{ layers = 4, experts = 8, top_k = 2, hidden = 1024, bytes_per_value = 2,
                        expert_ffn = 2048, flops_per_s = 1e11 }
  local prof = xnet.profile.zipf(m, 1, { seed = 5 })
  local ring = xnet.ring(net, m.layers, { warn = false })
  local plan = xnet.place.spacexnet(net, ring, prof)
  local failed = xnet.fail(net, { rate = 0.05, seed = 2 })
  evaluate(out, "failed", failed, plan, prof, { tokens = 6000, seed = 9 })
  evaluate(out, "failed.retry", failed, plan, prof, { tokens = 6000, seed = 9, retry_s = 0.3 * dt,
                                                    breakdown = true })
  local user = xnet.ground{ { name = "Madrid", lat_deg = 40.4, lon_deg = -3.7 } }[1]
  evaluate(out, "user", net, plan, prof, { tokens = 6000, seed = 10, user = user,
                                           breakdown = true })
  local shared = xnet.place.spacexnet(net, ring, prof, { memory_bytes = 2 * m.expert_bytes })
  evaluate(out, "shared", net, shared, prof, { tokens = 6000, seed = 11, breakdown = true })
  local rep = xnet.place.replicate(net, ring, plan, prof, { replicas = 6 })
  evaluate(out, "replicas", net, rep, prof, { tokens = 6000, seed = 12, retry_s = 0.5 * dt })
  return out
end

local saved = xnet.limits()
if arg[1] == "--write" then
  xnet.limits{ workers = 1 }
  assert(xnet.write_file(arg[2], table.concat(results(), "\n") .. "\n"))
  print(string.format("wrote %s", arg[2]))
  return
end

local want = {}
for line in assert(xnet.read_file(xnet.root .. "/tests/golden/evaluate_bits.txt")):gmatch("[^\n]+") do
  want[#want + 1] = line
end
t.check(#want > 3000, string.format("a sizeable golden file: %d lines", #want))
for _, w in ipairs{ 1, 2, 3 } do
  xnet.limits{ workers = w }
  local got, differ = results(), {}
  for i = 1, math.max(#got, #want) do
    if got[i] ~= want[i] and #differ < 5 then
      differ[#differ + 1] = string.format("line %d: %s, golden %s", i, tostring(got[i]),
                                          tostring(want[i]))
    end
  end
  t.check(#differ == 0, string.format("%d workers: %s", w, table.concat(differ, "\n")))
end
xnet.limits{ workers = saved.workers }
t.done()
