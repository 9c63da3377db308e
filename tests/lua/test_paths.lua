-- The shortest-path stage through the Lua API: the same bits for any number
-- of workers (placement, expected latencies, cost tables, full rows, Monte
-- Carlo tokens in blocks on their own streams), with the snapshot cache
-- off, holding a few snapshots or all of them, igraph's Dijkstra as the
-- reference engine, and the limits' errors.
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local t = require "harness"
local xnet = require "xnet"

local saved = xnet.limits()
local m = xnet.model{ layers = 8, experts = 8, top_k = 2, hidden = 4096, bytes_per_value = 2,
                      gateway_flops = 1e9, expert_flops = 1e9 }
local prof = xnet.profile.zipf(m, 1.0, { seed = 3 })

-- Everything a study reads from the path stage, on a network with outages
-- and cut-off satellites.
local function results(pattern)
  local net = xnet.network(xnet.walker{ pattern = pattern, planes = 12, sats = 12,
                                        phasing = pattern == "delta" and 1 or 0 },
                           { snapshots = 24, survival = 0.8, seed = 7 })
  local ring = xnet.ring(net, m.layers)
  local out = {}
  for _, variant in ipairs{ "A", "B" } do
    for l, layer in pairs(xnet.place.expected(net, ring, { variant = variant })) do
      for i, c in ipairs(layer) do
        out[#out + 1] = string.format("%s %d %d %s %s", variant, l, i, tostring(c.missing),
                                      tostring(c.mean_s))
      end
    end
    local plans = { xnet.place.spacexnet(net, ring, prof, { variant = variant }),
                    xnet.place.randplace(net, m, { seed = 2 }),
                    (xnet.place.optimize(net, ring, prof, { variant = variant })) }
    for _, plan in ipairs(plans) do
      -- 10,000 tokens: three blocks of tokens, the last one short
      local r = xnet.evaluate(net, plan, prof, { tokens = 10000, seed = 5, variant = variant })
      out[#out + 1] = string.format("%a %a %a %a %a %a %a", r.mean, r.exact, r.undelivered,
                                    r.p99, r.lost, r.delivered_mean, r.delivered_p50)
    end
  end
  -- rows on the network, on its failures and on another outage draw (new
  -- networks, each with its own snapshots), every snapshot in turn
  warn("@off") -- the failures split the network, as intended
  local failed = xnet.fail(net, { rate = 0.1, seed = 3 })
  local nets = { net, failed, net:reseed(9), failed:reseed(9) }
  warn("@on")
  for _, on in ipairs(nets) do
    for snap = 0, 23 do
      local row = on:latency(snap * 5, snap)
      for v = 0, #net - 1, snap % 7 == 0 and 1 or 13 do
        out[#out + 1] = string.format("%a", row[v])
      end
    end
  end
  return out
end

for _, pattern in ipairs{ "star", "delta" } do
  xnet.limits{ workers = 1 }
  local one = results(pattern)
  t.check(#one > 500, "a sizeable comparison")
  for _, w in ipairs{ 2, 3, 8 } do
    xnet.limits{ workers = w }
    local many = results(pattern)
    local same = #many == #one
    for i = 1, #one do same = same and many[i] == one[i] end
    t.check(same, pattern .. ": the same bits with " .. w .. " workers as with 1")
  end
  -- the snapshot cache off, and room for a few of the 24 snapshots (7.5 kB
  -- each): the same bits as every snapshot kept
  for _, cache_mb in ipairs{ 0, 0.05 } do
    for _, w in ipairs{ 1, 2, 3 } do
      xnet.limits{ workers = w, snapshot_cache_mb = cache_mb }
      local got = results(pattern)
      local same = #got == #one
      for i = 1, #one do same = same and got[i] == one[i] end
      t.check(same, string.format("%s: the same bits with snapshot_cache_mb = %g and %d "
                                  .. "workers as with every snapshot kept", pattern, cache_mb, w))
    end
  end
  xnet.limits{ snapshot_cache_mb = saved.snapshot_cache_mb }
  -- the reference engine: the same answers to 1e-12 (paths of equal latency
  -- may sum their links in another order)
  xnet.limits{ paths = "igraph" }
  local ref = results(pattern)
  xnet.limits{ paths = "csr" }
  local close = #ref == #one
  for i = 1, #one do
    if ref[i] ~= one[i] then
      local a, b = {}, {}
      for x in one[i]:gmatch("%S+") do a[#a + 1] = tonumber(x) or x end
      for x in ref[i]:gmatch("%S+") do b[#b + 1] = tonumber(x) or x end
      for j = 1, #a do
        local x, y = a[j], b[j]
        if type(x) == "number" and type(y) == "number" and x == x and y == y then
          close = close and (x == y or math.abs(x - y) <= 1e-12 * math.abs(y))
        else
          close = close and x == y
        end
      end
    end
  end
  t.check(close, pattern .. ": the igraph engine agrees to 1e-12")
end

-- A plan on the ring's gateways reads its costs from the ring's kept table;
-- without the table it queries its own paths: the same bits either way.
do
  local net = xnet.network(xnet.walker{ planes = 12, sats = 12 }, { snapshots = 16,
                                                                    survival = 0.85, seed = 3 })
  local ring = xnet.ring(net, m.layers)
  for _, variant in ipairs{ "A", "B" } do
    local plan = xnet.place.randintra_cg(net, ring, m, { seed = 4 })
    local fresh = xnet.evaluate(net, plan, prof, { tokens = 500, variant = variant })
    net:clear_cache()
    xnet.place.spacexnet(net, ring, prof, { variant = variant }) -- keeps the ring's table
    local plan2 = xnet.place.randintra_cg(net, ring, m, { seed = 4 })
    local kept = xnet.evaluate(net, plan2, prof, { tokens = 500, variant = variant })
    t.check(fresh.exact == kept.exact and fresh.mean == kept.mean and fresh.p99 == kept.p99,
            variant .. ": costs from the ring's table equal the plan's own query")
  end
end

t.check(xnet.limits{ workers = 3 }.workers == 3)
t.check(xnet.limits().paths == "csr")
t.check_error("workers must be in [1, 256], got 0", xnet.limits, { workers = 0 })
t.check_error("paths must be 'csr', 'heap' or 'igraph', got 'fast'", xnet.limits,
              { paths = "fast" })
t.check_error("unknown option 'worker' for xnet.limits", xnet.limits, { worker = 2 })
t.check(saved.snapshot_cache_mb == 64, "the snapshot cache's default budget")
t.check(xnet.limits{ snapshot_cache_mb = 0 }.snapshot_cache_mb == 0)
t.check_error("snapshot_cache_mb must be in [0, 1e12], got -1", xnet.limits,
              { snapshot_cache_mb = -1 })
t.check_error("snapshot_cache_mb must be in [0, 1e12], got nan", xnet.limits,
              { snapshot_cache_mb = 0 / 0 })
xnet.limits{ workers = saved.workers, paths = saved.paths,
             snapshot_cache_mb = saved.snapshot_cache_mb }
-- an unusable SPACEXNET_WORKERS is refused by name, not ignored
local probe = "print(xnet.network(xnet.walker{ planes = 3, sats = 4 }):latency(0, 0)[1])"
local p = io.popen(string.format("SPACEXNET_WORKERS=two %q -e %q 2>&1", arg[-1], probe))
local out = p:read("a")
p:close()
t.check(out:find("SPACEXNET_WORKERS must be an integer in [1, 256], got 'two'", 1, true), out)
-- ... before anything runs, even a script that never uses the workers or the
-- memory limit (exit status 2, the message naming the variable and the value)
for _, env in ipairs { "SPACEXNET_WORKERS=0", "SPACEXNET_WORKERS=abc", "SPACEXNET_MEMORY_LIMIT_MB=-5" } do
  local pe = io.popen(string.format("%s %q -e %q 2>&1", env, arg[-1], "print(xnet.limits().workers)"))
  local said = pe:read("a")
  local _, _, code = pe:close()
  local name, value = env:match("^([^=]+)=(.*)$")
  t.check(code == 2 and said:find(name .. " must be ", 1, true)
          and said:find("got '" .. value .. "'", 1, true), env .. ": " .. said)
end
t.done()
