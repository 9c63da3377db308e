-- Hostile inputs that once crashed or gave wrong numbers: option tables and
-- lists whose metamethods close the objects a call holds, objects closed by
-- a finalizer in the middle of a call, and weights at the edges of the
-- double range.
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local t = require "harness"
local xnet = require "xnet"
warn("@off") -- degenerate setups by the hundred: their warnings are not the subject here

local m = xnet.model "llama-moe-3.5b"

-- A small world, rebuilt for every case: each case closes some of it.
local function world()
  local w = {}
  w.net = xnet.network(xnet.walker{ planes = 4, sats = 8 }, { snapshots = 2, seed = 1 })
  w.small = xnet.model{ layers = 4, experts = 4, top_k = 2, hidden = 8, bytes_per_value = 2,
                        gateway_flops = 1e6, expert_flops = 1e6 }
  w.ring = xnet.ring(w.net, 4)
  w.prof = xnet.profile.uniform(w.small)
  w.plan = xnet.place.spacexnet(w.net, w.ring, w.prof)
  return w
end

-- A table whose every read runs closer() and a full collection.
local function closing(closer, base)
  return setmetatable(base or {}, {
    __index = function() closer() collectgarbage() end,
    __len = function() closer() collectgarbage() return 2 end,
    __pairs = function() closer() collectgarbage() return next, {}, nil end,
  })
end

local function close_all(w)
  return function()
    for _, k in ipairs{ "net", "ring", "prof", "plan" } do w[k]:close() end
  end
end

-- Each call either works on the objects as they were when it was made, or
-- raises a clear error; it never reads freed memory (make asan checks that).
local function survives(name, f)
  local ok, err = pcall(f)
  t.check(ok or (type(err) == "string" and not err:find("layers", 1, true)),
          name .. ": " .. tostring(err))
end

local w = world()
survives("place.spacexnet options", function()
  xnet.place.spacexnet(w.net, w.ring, w.prof, closing(close_all(w)))
end)
t.check(tostring(w.net) == "network (closed)" or tostring(w.net):find("network:", 1, true))
w = world()
survives("place.optimize options", function()
  xnet.place.optimize(w.net, w.ring, w.prof, closing(close_all(w)))
end)
w = world()
survives("place.expected options", function()
  xnet.place.expected(w.net, w.ring, closing(close_all(w)))
end)
w = world()
survives("evaluate options", function()
  xnet.evaluate(w.net, w.plan, w.prof, closing(close_all(w), { tokens = 10 }))
end)
w = world()
survives("net:latency sources", function()
  w.net:latency(closing(close_all(w), { 0, 1 }), 0)
end)
w = world()
survives("xnet.ring subnets", function()
  xnet.ring(w.net, { closing(close_all(w), { 0, 1 }) })
end)
w = world()
survives("xnet.ring gateways", function()
  xnet.ring(w.net, { { 0 } }, closing(close_all(w)))
end)
w = world()
survives("profile.table rows", function()
  local rows = {}
  for l = 1, 4 do rows[l] = closing(close_all(w), { 1, 1, 1, 1 }) end
  xnet.profile.table(w.small, rows)
end)
w = world()
survives("xnet.network options", function()
  xnet.network(xnet.walker{ planes = 2, sats = 4 }, closing(close_all(w)))
end)

-- Options and lists are read raw: a metatable neither supplies nor hides a value.
w = world()
local r = xnet.evaluate(w.net, w.plan, w.prof,
                        setmetatable({ tokens = 10 }, { __index = function() error("read") end }))
t.check(r.tokens == 10, "raw option read")
local rows = w.net:latency(setmetatable({ 0, 1 }, { __len = function() return 1 << 40 end }), 0)
t.check(#rows == 2, "a list's __len is not consulted")

-- A finalizer that runs during a call (any allocation may run one) and
-- closes the objects the call uses.
w = world()
local function arm(wld)
  setmetatable({}, { __gc = close_all(wld) })
end
for _, case in ipairs{
  { "evaluate", function(x) return xnet.evaluate(x.net, x.plan, x.prof, { tokens = 10 }) end },
  { "spacexnet", function(x) return xnet.place.spacexnet(x.net, x.ring, x.prof) end },
  { "expected", function(x) return xnet.place.expected(x.net, x.ring) end },
  { "edges", function(x) return x.net:edges(0) end },
  { "latency", function(x) return x.net:latency({ 0, 1, 2 }, 0) end },
  { "sets", function(x) return x.prof:sets(0) end },
  { "subnet", function(x) return x.ring:subnet(0) end },
} do
  -- 20 tries (the finalizer runs at a different allocation each time): one check
  local bad
  for _ = 1, 20 do
    local x = world()
    arm(x)
    collectgarbage("step", 0)
    local ok, err = pcall(case[2], x)
    if not ok and (type(err) ~= "string" or not err:find("attempt to use a closed", 1, true)) then
      bad = tostring(err)
    end
  end
  t.check(bad == nil, "finalizer during " .. case[1] .. ": " .. tostring(bad))
end

-- Weights at the edges of the double range: the limiting answer, never NaN.
local function profile_ok(p, what)
  for l = 0, p:layers() - 1 do
    local sum, incsum = 0, 0
    for _, s in ipairs(p:sets(l)) do
      if s.p ~= s.p then return t.check(false, what .. ": NaN set probability in layer " .. l) end
      sum = sum + s.p
    end
    for _, v in pairs(p:inclusion(l)) do incsum = incsum + v end
    if math.abs(sum - 1) > 1e-12 or math.abs(incsum - p:model().top_k) > 1e-12 then
      return t.check(false, string.format("%s: layer %d sums %.17g, inclusion %.17g", what, l,
                                          sum, incsum))
    end
  end
  return t.check(true)
end

local function rows_of(layers, row)
  local out = {}
  for l = 1, layers do out[l] = row end
  return out
end

-- Every weight 1e308: the sum overflows; the answer is the uniform profile.
local huge = xnet.profile.table(m, rows_of(32, { 1e308, 1e308, 1e308, 1e308, 1e308, 1e308,
                                                  1e308, 1e308 }))
profile_ok(huge, "1e308")
t.check(#huge:sets(0) == 28, "28 sets, not an empty profile: " .. tostring(huge))
t.near(huge:inclusion(0)[3], 0.25, 1e-15, "every 1e308 weight is as likely")
w = world()
local net, ring = w.net, xnet.ring(w.net, 32 > #w.net and 16 or 32)
local big = xnet.network(xnet.walker{}, { snapshots = 2, seed = 1 })
local bring = xnet.ring(big, 32)
local res = xnet.evaluate(big, xnet.place.spacexnet(big, bring, huge), huge, { tokens = 100 })
local ref = xnet.evaluate(big, xnet.place.spacexnet(big, bring, xnet.profile.uniform(m)),
                          xnet.profile.uniform(m), { tokens = 100 })
t.check(res.exact == ref.exact, "1e308 weights evaluate as uniform ones")

-- Denormal weights are weights: 1e-310 everywhere is uniform too.
profile_ok(xnet.profile.table(m, rows_of(32, { 1e-310, 1e-310, 1e-310, 1e-310, 1e-310, 1e-310,
                                               1e-310, 1e-310 })), "1e-310")

-- One weight 1, the rest 1e-300: expert 0 is in every set; the other member
-- is any of the seven, equally.
local skew = xnet.profile.table(m, rows_of(32, { 1, 1e-300, 1e-300, 1e-300, 1e-300, 1e-300,
                                                 1e-300, 1e-300 }))
profile_ok(skew, "1, 1e-300")
t.near(skew:inclusion(0)[0], 1, 1e-15, "expert 0 always chosen")
t.near(skew:inclusion(0)[5], 1 / 7, 1e-15, "the second member uniform over the rest")

-- Two weights 300 orders of magnitude apart and the rest 0, top-2: the only set.
local two = xnet.profile.table(m, rows_of(32, { 1e300, 0, 0, 1e-300, 0, 0, 0, 0 }))
profile_ok(two, "1e300, 1e-300")
t.check(#two:sets(0) == 1 and two:sets(0)[1].p == 1)

-- A weight that cannot be represented beside the largest is refused, by name.
t.check_error("layer 0 expert 1 weight 9.99989e-321 is below 2^-2080 of the layer's largest (1e+308)",
              xnet.profile.table, m, rows_of(32, { 1e308, 1e-320, 1, 0, 0, 0, 0, 0 }))

-- Named profiles with extreme but valid parameters.
profile_ok(xnet.profile.zipf(m, 100), "zipf 100")
local z = xnet.profile.zipf(m, 100)
local top = 0
for _, v in pairs(z:inclusion(10)) do top = math.max(top, v) end
t.near(top, 1, 1e-15, "zipf 100: the rank-1 expert is always chosen")
profile_ok(xnet.profile.dirichlet(m, 0.01, { seed = 1 }), "dirichlet 0.01")
for seed = 1, 20 do
  local ok, p = pcall(xnet.profile.dirichlet, m, 0.001, { seed = seed })
  if not ok then t.check(false, "dirichlet 0.001 seed " .. seed .. ": " .. p) break end
  if not profile_ok(p, "dirichlet 0.001 seed " .. seed) then break end
end
t.check_error("zipf exponent 1000 is too large for 8 experts", xnet.profile.zipf, m, 1000)
local plan = xnet.place.spacexnet(big, bring, z)
local ev = xnet.evaluate(big, plan, z, { tokens = 1000 })
t.check(ev.exact == ev.exact and ev.mean == ev.mean, "zipf 100 evaluates to numbers")

-- Sizes whose product overflows an int, and weights checked against the
-- memory limit before they are allocated.
local wide = xnet.model{ layers = 50000, experts = 50000, top_k = 1, hidden = 8,
                         bytes_per_value = 2, gateway_flops = 1e6, expert_flops = 1e6 }
t.check_error("the profile's weights would need 19073.5 MiB, over the memory limit",
              xnet.profile.uniform, wide)
local saved = xnet.limits().memory_mb
xnet.limits{ memory_mb = 256 }
local tall = xnet.model{ layers = 100000, experts = 1000, top_k = 1, hidden = 8,
                         bytes_per_value = 2, gateway_flops = 1e6, expert_flops = 1e6 }
t.check_error("the profile's weights would need 762.9 MiB, over the memory limit of 256.0 MiB",
              xnet.profile.zipf, tall, 1)
t.check_error("the profile's weights would need 762.9 MiB", xnet.profile.dirichlet, tall, 1)
xnet.limits{ memory_mb = saved }

-- Anything spacexnet writes it reads back: a method name the plan file
-- could not hold is refused when the plan is made.
for _, bad in ipairs{ "my method", "two\nlines", string.rep("m", 32), "" } do
  t.check_error("method must be 1 to 31 letters, digits, '_', '-', '.' or '+'", xnet.plan.new,
                { method = bad, satellites = 10, gateways = { 0 }, experts = { { 1 } } })
end
local dir = t.tmpdir()
local ok_plan = xnet.plan.new{ method = "hand-made_2.0", satellites = 10, gateways = { 0 },
                               experts = { { 1 } } }
assert(ok_plan:save(dir .. "/p.csv"))
local back = assert(xnet.plan.load(dir .. "/p.csv"))
t.check(back:method() == "hand-made_2.0" and back == ok_plan, "a plan reads back as it was saved")
t.rmtree(dir)

-- snapshot = -1 is not a value: evaluate at every snapshot by leaving it out.
w = world()
t.check_error("snapshot -1 out of range [0, 2)", xnet.evaluate, w.net, w.plan, w.prof,
              { tokens = 10, snapshot = -1 })

t.done()
