-- Satellite failures: xnet.fail takes satellites out of a network (every
-- link that touches them down in every snapshot, so their experts and
-- gateways are unreachable and the tokens that need them undelivered), and
-- xnet.place.repair re-places what a plan lost with the fewest moves.
local util = require "xnet.util"

local failures = {}

-- Uniform on [0, 1) from (seed, i) alone: splitmix64 of the pair, so a
-- satellite's fate does not depend on the others' (Lua 5.4 integers wrap).
local function uniform_at(seed, i)
  local z = seed * 0x9E3779B97F4A7C15 + (i + 1) * 0xD1B54A32D192ED03
  z = (z ~ (z >> 30)) * 0xBF58476D1CE4E5B9
  z = (z ~ (z >> 27)) * 0x94D049BB133111EB
  z = z ~ (z >> 31)
  return (z >> 11) * 2.0 ^ -53
end

local function integer(v)
  return math.type(v) == "integer" or (type(v) == "number" and v == math.floor(v)
                                        and math.abs(v) < 2 ^ 53)
end

-- The type name in messages: xnet.Plan for our userdata, else Lua's type.
local function type_name(v)
  local m = getmetatable(v)
  if type(m) == "table" and type(m.__name) == "string" then return m.__name end
  return type(v)
end

-- Raise "bad argument #n to 'fname' (xnet.Type expected, got ...)" unless v is of type mt.
local function check_arg(v, mt, n, fname)
  if type_name(v) ~= mt then
    error(string.format("bad argument #%d to '%s' (%s expected, got %s)", n, fname, mt,
                        type_name(v)), 3)
  end
end

-- Raise unless t is a sequence: keys 1..#t and nothing else (a list with a
-- hole, or one from 0, would otherwise be read short).
local function check_list(t, what, fname)
  local n = 0
  for k in pairs(t) do
    if math.type(k) ~= "integer" or k < 1 then
      error(string.format("%s: %s must be a list (keys 1, 2, ...), got key %s", fname, what,
                          util.describe(k)), 3)
    end
    n = n + 1
  end
  for i = 1, n do
    if t[i] == nil then
      error(string.format("%s: %s must be a list without holes: %d entries, none at [%d]",
                          fname, what, n, i), 3)
    end
  end
end

-- The satellites with no link in any snapshot: down, whatever took them out.
local function isolated(net)
  local linked, out = {}, {}
  for k = 0, net:snapshots() - 1 do
    for _, e in ipairs(net:edges(k)) do linked[e[1]] = true; linked[e[2]] = true end
  end
  for s = 0, #net:constellation() - 1 do
    if not linked[s] then out[s] = true end
  end
  return out
end

function failures.install(xnet)
  local failed_of = setmetatable({}, { __mode = "k" })

  -- xnet.fail(net, { satellites = { ids } } | { rate = r, seed = s }) -> Network, { ids }
  function xnet.fail(net, o)
    check_arg(net, "xnet.Network", 1, "xnet.fail")
    if type(o) ~= "table" then
      error("bad argument #2 to 'xnet.fail' (options table expected, got " .. type(o) .. ")", 2)
    end
    for k in pairs(o) do
      if k ~= "satellites" and k ~= "rate" and k ~= "seed" then
        error(xnet.unknown_name("option", tostring(k), { "rate", "satellites", "seed" },
                                "xnet.fail"), 2)
      end
    end
    local n = #net:constellation()
    local down, list = {}, {}
    if (o.satellites == nil) == (o.rate == nil) then
      error("xnet.fail: give exactly one of satellites (a list of ids) and rate", 2)
    end
    if o.satellites ~= nil then
      if type(o.satellites) ~= "table" then
        error("xnet.fail: satellites must be a list of satellite ids, got "
              .. type(o.satellites), 2)
      end
      check_list(o.satellites, "satellites", "xnet.fail")
      for i, s in ipairs(o.satellites) do
        if not integer(s) then
          error(string.format("xnet.fail: satellite %d must be an integer id, got %s", i,
                              util.describe(s)), 2)
        end
        if s < 0 or s >= n then
          error(string.format("xnet.fail: satellite %d out of range [0, %d)", s, n), 2)
        end
        down[math.tointeger(s)] = true
      end
    else
      local r, seed = o.rate, o.seed or 1
      if type(r) ~= "number" or not (r >= 0 and r <= 1) then
        error("xnet.fail: rate must be in [0, 1], got " .. util.describe(r), 2)
      end
      if not integer(seed) or seed < 0 then
        error("xnet.fail: seed must be an integer >= 0, got " .. util.describe(seed), 2)
      end
      seed = math.tointeger(seed)
      for s = 0, n - 1 do
        if uniform_at(seed, s) < r then down[s] = true end
      end
    end
    for s = 0, n - 1 do
      if down[s] then list[#list + 1] = s end
    end
    for s in pairs(failed_of[net] or {}) do -- failures add up
      if not down[s] then down[s] = true; list[#list + 1] = s end
    end
    table.sort(list)
    for k = 0, failed_of[net] and -1 or net:snapshots() - 1 do -- our own rule is known
      if net:links(k).user > 0 then
        error("xnet.fail: the network has its own link_rule; add the failures to it", 2)
      end
    end
    local p = net:params()
    p.link_rule = function(a, b) return not down[a] and not down[b] end
    local failed = xnet.network(net:constellation(), p)
    failed_of[failed] = down
    return failed, list
  end

  -- net:reseed(seed) keeps the link rule, so a failed network's reseeds
  -- keep its failures: they are remembered for them too.
  local methods = debug.getregistry()["xnet.Network"].__index
  local reseed = methods.reseed
  function methods.reseed(net, ...)
    local r = reseed(net, ...)
    failed_of[r] = failed_of[net]
    return r
  end

  -- xnet.failed(net) -> the sorted list of satellites xnet.fail took out
  function xnet.failed(net)
    check_arg(net, "xnet.Network", 1, "xnet.failed")
    local list = {}
    for s in pairs(failed_of[net] or {}) do list[#list + 1] = s end
    table.sort(list)
    return list
  end

  -- xnet.place.repair(net, ring, plan, prof, { variant = "A" }) -> Plan, report:
  -- a failed gateway moves to the surviving free member of its subnet
  -- nearest it in the ring's order; a replicated expert keeps its surviving
  -- copies (no upload) and drops the failed ones; each expert with no copy
  -- left moves to a surviving free member of its layer's subnet, the most
  -- frequently activated first onto the lowest expected path latency.
  -- Nothing else moves.
  function xnet.place.repair(net, ring, plan, prof, o)
    check_arg(net, "xnet.Network", 1, "xnet.place.repair")
    check_arg(ring, "xnet.Ring", 2, "xnet.place.repair")
    check_arg(plan, "xnet.Plan", 3, "xnet.place.repair")
    check_arg(prof, "xnet.Profile", 4, "xnet.place.repair")
    o = o or {}
    if type(o) ~= "table" then
      error("bad argument #5 to 'xnet.place.repair' (options table expected, got "
            .. type(o) .. ")", 2)
    end
    for k in pairs(o) do
      if k ~= "variant" then
        error(xnet.unknown_name("option", tostring(k), { "variant" }, "xnet.place.repair"), 2)
      end
    end
    if o.variant ~= nil and o.variant ~= "A" and o.variant ~= "B" then
      error("xnet.place.repair: option 'variant' must be \"A\" or \"B\", got "
            .. util.describe(o.variant), 2)
    end
    if plan:hosting() then
      error("xnet.place.repair: plans with several experts per satellite are not supported", 2)
    end
    local L, E, N = plan:layers(), plan:experts(), #net:constellation()
    local function refuse(fmt, ...)
      error("xnet.place.repair: " .. string.format(fmt, ...), 3)
    end
    if plan:satellites() ~= N then
      refuse("the plan is for %d satellites, the network has %d", plan:satellites(), N)
    end
    if ring:satellites() ~= N then
      refuse("the ring is for %d satellites, the network has %d", ring:satellites(), N)
    end
    if #ring ~= L then refuse("the ring has %d subnets, the plan %d layers", #ring, L) end
    local model = prof:model()
    if model.layers ~= L or model.experts ~= E then
      refuse("the profile is for %d layers x %d experts, the plan for %d x %d", model.layers,
             model.experts, L, E)
    end
    local subnets = {}
    for l = 0, L - 1 do
      local members, g, found = ring:subnet(l), plan:gateway(l), false
      for _, s in ipairs(members) do found = found or s == g end
      if not found then
        refuse("the plan's gateway of layer %d, satellite %d, is not in the ring's subnet %d "
               .. "(a failed gateway moves within it)", l, g, l)
      end
      subnets[l + 1] = members
    end
    -- what xnet.fail took out, and any satellite no link reaches in any
    -- snapshot (whatever cut it off: its roles are lost all the same)
    local down = isolated(net)
    for s in pairs(failed_of[net] or {}) do down[s] = true end
    -- A replicated expert keeps its surviving copies, the first of them
    -- first; the failed ones are dropped. Only an expert with none moves.
    local gateways, experts, used, replicas = {}, {}, {}, {}
    local report = { experts_moved = 0, gateways_moved = 0, lost = {}, copies_dropped = 0 }
    for l = 0, L - 1 do
      gateways[l + 1] = plan:gateway(l)
      used[plan:gateway(l)] = true
      experts[l + 1] = {}
      for e = 0, E - 1 do
        local alive, copies = {}, plan:copies(l, e)
        for _, s in ipairs(copies) do
          used[s] = true
          if not down[s] then alive[#alive + 1] = s end
        end
        -- the failed copies are dropped, but the first when none is left
        report.copies_dropped = report.copies_dropped + #copies - math.max(#alive, 1)
        if #alive == 0 then -- every copy failed: the first is re-placed below
          experts[l + 1][e + 1] = plan:satellite(l, e)
        else
          experts[l + 1][e + 1] = alive[1]
          for i = 2, #alive do
            replicas[#replicas + 1] = { layer = l, expert = e, satellite = alive[i] }
          end
        end
      end
    end
    for l = 0, L - 1 do
      local members = subnets[l + 1]
      local g = gateways[l + 1]
      if down[g] then
        local at = 1
        for i, s in ipairs(members) do if s == g then at = i end end
        local best, dist = nil, math.huge
        for i, s in ipairs(members) do
          if not down[s] and not used[s] and math.abs(i - at) < dist then best, dist = s, math.abs(i - at) end
        end
        if not best then
          error(string.format("xnet.place.repair: no surviving free satellite in subnet %d for "
                              .. "its gateway", l), 2)
        end
        gateways[l + 1], used[best] = best, true
        report.gateways_moved = report.gateways_moved + 1
      end
    end
    local moved_ring = xnet.ring(net, subnets, { gateways = gateways, warn = false })
    local expected = xnet.place.expected(net, moved_ring, { variant = o.variant or "A" })
    for l = 0, L - 1 do
      local lost = {}
      for e = 0, E - 1 do
        if down[experts[l + 1][e + 1]] then lost[#lost + 1] = e end
      end
      if #lost > 0 then
        local incl = prof:inclusion(l)
        table.sort(lost, function(a, b)
          if incl[a] ~= incl[b] then return incl[a] > incl[b] end
          return a < b
        end)
        local cand = {}
        for _, c in ipairs(expected[l]) do
          if not c.gateway and not down[c.satellite] and not used[c.satellite] then
            cand[#cand + 1] = c
          end
        end
        table.sort(cand, function(a, b)
          if a.missing ~= b.missing then return a.missing < b.missing end
          local ma, mb = a.mean_s ~= a.mean_s and math.huge or a.mean_s,
                         b.mean_s ~= b.mean_s and math.huge or b.mean_s
          if ma ~= mb then return ma < mb end
          return a.satellite < b.satellite
        end)
        if #cand < #lost then
          error(string.format("xnet.place.repair: layer %d lost %d experts and its subnet has "
                              .. "%d surviving free satellites", l, #lost, #cand), 2)
        end
        for i, e in ipairs(lost) do
          report.lost[#report.lost + 1] = { layer = l, expert = e,
                                            from = experts[l + 1][e + 1],
                                            to = cand[i].satellite }
          experts[l + 1][e + 1] = cand[i].satellite
          used[cand[i].satellite] = true
        end
        report.experts_moved = report.experts_moved + #lost
      end
    end
    report.bytes = report.experts_moved * model.expert_bytes
    local method = (plan:method() .. "+repair"):sub(1, 31)
    return xnet.plan.new{ satellites = #net:constellation(), gateways = gateways,
                          experts = experts, replicas = replicas, method = method }, report
  end
end

return failures
