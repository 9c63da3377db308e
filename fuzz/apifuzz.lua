-- Random calls into the whole xnet API, decoded from a stream of bytes.
-- The same decoder serves the libFuzzer harness fuzz/fuzz_api.c (bytes from
-- the fuzzer, coverage-guided) and tests/lua/test_api_fuzz.lua (bytes from a
-- seeded generator). It enumerates every function reachable from the xnet
-- table and every method and metamethod of every userdata type it meets, so
-- new functions are fuzzed without editing this file.
--
-- A call passes when it returns, or raises an error that is a non-empty
-- string naming the problem (not a Lua runtime error from inside the
-- library, not an out-of-memory, not an internal "unknown error").
local M = {}

-- Never called (matched anywhere in the dotted name): they start or wait
-- for processes, sleep, or end the program.
local SKIP = { "spawn", "exec", "kill", "sleep", "poll", "wait", "shell", "system", "exit",
               "popen", "main", "run" }
-- Called only with every string argument turned into a path inside a
-- scratch directory (and skipped when there is none). Plots write files and
-- run the program their `gnuplot` option names.
local WRITERS = { "write", "save", "mkdir", "remove", "rename", "dump", "export", "merge",
                  "plot" }

-- Error messages that do not name the caller's problem.
local BAD_ERRORS = { "attempt to index", "attempt to call", "attempt to perform arithmetic",
                     "attempt to compare", "attempt to concatenate", "attempt to get length",
                     "not enough memory", "stack overflow", "unknown error", "(null)" }

local BUDGET_MSG = "apifuzz: instruction budget exceeded"

local function matches_any(name, words)
  for _, w in ipairs(words) do
    if name:find(w, 1, true) then return true end
  end
  return false
end

-- Append item to a list that is also a set of its items, once.
local function add_unique(list, item)
  if not list[item] then
    list[item] = true
    list[#list + 1] = item
  end
end

-- Values that break naive argument checks.
local SPECIAL = {
  0, -1, 1, 2, 3, 0.5, -0.0, 1.5, 2 ^ 53, 2 ^ 53 + 1, 1 << 31, -(1 << 31), (1 << 31) - 1,
  2.0 ^ 63, -2.0 ^ 63, math.maxinteger, math.mininteger, 0 / 0, math.huge, -math.huge,
  1e308, 5e-324, 1e6, 100000000, 2 ^ 32, 1e-300, 1e-310,
}
-- Weights at the edges of the double range, for profile tables.
local EXTREME = { 1, 0, 1e308, 1e-300, 1e-310, 5e-324, 0 / 0, math.huge, -1, math.maxinteger,
                  1 << 62, 2 ^ 1000, 1e-320 }
local STRINGS = { "", "0", "1", "-1", "3", "1e309", "nan", "x", "star", "delta", "A", "B",
                  "llama-moe-3.5b", "mixtral-8x7b", "../x", "a b", "nonexistent.csv",
                  "nonexistent.csv.gz", "\0", string.rep("a", 300), "%s%n", "\255\254" }
-- Keys of option tables that no function accepts.
local ODD_KEYS = { "bogus_option", "", 1, 2.5, true, "seed " }

-- A table whose length is absurd: count-taking code must check it.
local function huge_len_table(n)
  return setmetatable({}, { __len = function() return n end })
end

-- A userdata of a kind no xnet function takes.
M.wrong_userdata = io.tmpfile()

local function nasty_values()
  return {
    huge_len_table(1 << 40), huge_len_table(1 << 30), huge_len_table(-1),
    huge_len_table((1 << 31) + 5),
    setmetatable({}, { __index = function() error("apifuzz: __index raised") end }),
    function() error("apifuzz: callback raised") end,
    function() return 1 end,
    coroutine.create(function() end),
    M.wrong_userdata,
  }
end

local function describe(v, depth)
  depth = depth or 0
  local t = type(v)
  if t == "number" then
    return math.type(v) == "integer" and tostring(v) or string.format("%.17g", v)
  elseif t == "string" then
    return string.format("%q", #v > 40 and v:sub(1, 40) .. "..." or v)
  elseif t == "table" then
    if depth > 0 then return "{...}" end
    local mt = getmetatable(v)
    if mt and mt.__len then return "<table with __len>" end
    local parts = {}
    for k, x in pairs(v) do
      parts[#parts + 1] = "[" .. describe(k, 1) .. "]=" .. describe(x, 1)
      if #parts > 6 then parts[#parts + 1] = "..."; break end
    end
    table.sort(parts)
    return "{" .. table.concat(parts, ", ") .. "}"
  elseif t == "userdata" then
    local mt = getmetatable(v)
    return "<" .. (type(mt) == "table" and tostring(mt.__name) or "userdata") .. ">"
  end
  return "<" .. t .. ">"
end

-- Every function reachable from t, sorted by name: { name =, fn = , key = }.
local function collect(t, prefix, out, seen)
  if seen[t] then return end
  seen[t] = true
  local keys = {}
  for k in pairs(t) do
    if type(k) == "string" then keys[#keys + 1] = k end
  end
  table.sort(keys)
  for _, k in ipairs(keys) do
    local v = t[k]
    if type(v) == "function" then
      out[#out + 1] = { name = prefix .. "." .. k, key = k, fn = v }
    elseif type(v) == "table" then
      collect(v, prefix .. "." .. k, out, seen)
    end
  end
end

local Fuzzer = {}
Fuzzer.__index = Fuzzer

-- xnet: the library table. opts.tmpdir: where writers may write (nil: skip
-- writers). opts.limit_mb: memory limit in force for every call.
-- opts.budget: Lua instructions one call may run (default 2e7).
-- opts.learning: keep learning option names from errors while fuzzing
-- (deterministic for a seeded run; off for libFuzzer, whose inputs must
-- decode the same way whatever ran before).
function M.new(xnet, opts)
  local F = setmetatable({ xnet = xnet, tmpdir = opts.tmpdir, limit_mb = opts.limit_mb or 16,
                           budget = opts.budget or 2e7, functions = {}, types = {},
                           type_names = {}, option_names = {}, words = {}, stats = {},
                           calls = 0, passed = 0, errors = 0, notes = {},
                           learning = opts.learning }, Fuzzer)
  local all = {}
  collect(xnet, "xnet", all, {})
  for _, f in ipairs(all) do
    if not matches_any(f.name, SKIP) and (opts.tmpdir or not matches_any(f.name, WRITERS)) then
      f.writer = matches_any(f.name, WRITERS)
      F.functions[#F.functions + 1] = f
    end
  end
  for _, s in ipairs(STRINGS) do add_unique(F.words, s) end
  F:reset()
  F:harvest()
  return F
end

-- Known-good small objects to start from, so methods of each type get
-- called with a live receiver. Each recipe is optional: if the API changed
-- and it fails, the fuzzer still finds types through random calls.
local RECIPES = {
  function(x) return x.walker{ planes = 3, sats = 12 } end,
  function(x) return x.walker{ pattern = "delta", planes = 3, sats = 4, phasing = 1 } end,
  function(x, p) return x.network(p("xnet.Constellation"), { snapshots = 2, seed = 3 }) end,
  function(x, p)
    local n = x.network(p("xnet.Constellation"), { snapshots = 1 })
    n:close()
    return n
  end,
  function(_, p) return p("xnet.Network"):latency(0, 1) end,
  function(_, p) return p("xnet.Network"):hops(1, 0) end,
  function(x) return x.model("llama-moe-3.5b", { layers = 2 }) end,
  function(x, p) return x.profile.zipf(p("xnet.Model"), 1.0, { seed = 1 }) end,
  function(x, p) return x.ring(p("xnet.Network"), 2) end,
  function(x, p) return x.place.spacexnet(p("xnet.Network"), p("xnet.Ring"), p("xnet.Profile")) end,
  function(x, p) return x.place.randplace(p("xnet.Network"), p("xnet.Model"), { seed = 2 }) end,
}

-- Fresh pools of objects (called before every fuzz input, so one input's
-- calls do not depend on what earlier inputs closed).
function Fuzzer:reset()
  self.pools = {}
  local function first(tname)
    local pool = self.pools[tname]
    return pool and pool[1] or error("no " .. tname)
  end
  self.recipes_ok = 0
  self:set_limit()
  for _, r in ipairs(RECIPES) do
    local ok, v = pcall(r, self.xnet, first)
    if ok and v ~= nil then
      self.recipes_ok = self.recipes_ok + 1
      self:keep(v)
    end
  end
end

function Fuzzer:set_limit()
  if self.xnet.limits then self.xnet.limits{ memory_mb = self.limit_mb } end
end

-- Put a userdata into the pool of its type; learn the type's methods.
function Fuzzer:keep(v)
  if type(v) ~= "userdata" then return end
  local mt = getmetatable(v)
  if type(mt) ~= "table" or type(mt.__name) ~= "string" then return end
  local tname = mt.__name
  if not self.types[tname] then
    local methods, seen = {}, {}
    local function add(name, fn)
      if type(fn) == "function" and not seen[name] and not matches_any(name, SKIP)
          and (self.tmpdir or not matches_any(name, WRITERS)) then
        seen[name] = true
        methods[#methods + 1] = { name = tname .. ":" .. name, key = name, fn = fn,
                                  writer = matches_any(name, WRITERS) }
      end
    end
    local sources = {}
    if type(mt.methods) == "table" then sources[#sources + 1] = mt.methods end
    if type(mt.__index) == "table" then sources[#sources + 1] = mt.__index end
    sources[#sources + 1] = mt
    for _, src in ipairs(sources) do
      local keys = {}
      for k in pairs(src) do
        if type(k) == "string" then keys[#keys + 1] = k end
      end
      table.sort(keys)
      for _, k in ipairs(keys) do add(k, src[k]) end
    end
    self.types[tname] = methods
    self.type_names[#self.type_names + 1] = tname
    table.sort(self.type_names)
  end
  local pool = self.pools[tname]
  if not pool then
    pool = {}
    self.pools[tname] = pool
  end
  if #pool < 6 then
    pool[#pool + 1] = v
  else
    pool[self.calls % 6 + 1] = v
  end
end

-- Learn option names and enumerated string values from the errors the API
-- raises for an unknown option, so decoded tables use real keys.
function Fuzzer:learn(msg)
  if type(msg) ~= "string" then return end
  local allowed = msg:match("%(allowed: ([^)]*)%)")
  if allowed then
    for name in allowed:gmatch("[^,%s]+") do add_unique(self.option_names, name) end
  end
  if msg:find("must be", 1, true) or msg:find("one of", 1, true) then
    for word in msg:gmatch("'([%w_%.%-]+)'") do add_unique(self.words, word) end
  end
end

-- Call fn(args[1..n]) under the memory limit and an instruction budget,
-- restoring what a call may change globally. Returns pcall's results packed.
function Fuzzer:protected(fn, args, n)
  self:set_limit()
  local gmt = getmetatable(_G)
  local budget_hit = false
  debug.sethook(function()
    budget_hit = true
    error(BUDGET_MSG, 2)
  end, "", self.budget)
  local res = table.pack(pcall(fn, table.unpack(args, 1, n)))
  debug.sethook()
  setmetatable(_G, gmt) -- xnet.strict() and the like must not leak out
  self:set_limit()      -- xnet.limits may have been the target
  res.budget_hit = budget_hit
  if not res[1] then self:learn(res[2]) end
  return res
end

-- Find option names: for each function and method, put an unknown option in
-- the first position and, while the error blames an earlier argument, fill
-- that position with the first live object or plain value that satisfies it.
function Fuzzer:harvest()
  local probe = { __apifuzz_probe = true }
  local fillers = {}
  for _, tname in ipairs(self.type_names) do fillers[#fillers + 1] = self.pools[tname][1] end
  for _, v in ipairs{ 2, 0, "llama-moe-3.5b", "x", {} } do fillers[#fillers + 1] = v end
  local function blames(res, pos)
    return not res[1] and type(res[2]) == "string" and res[2]:find("#" .. pos, 1, true) ~= nil
  end
  -- What satisfied positions first .. pos - 1: a type name for an object
  -- (taken from the pools at call time) or the plain value.
  local function shape(args, first, pos)
    local s = {}
    for i = first, pos - 1 do
      local mt = type(args[i]) == "userdata" and getmetatable(args[i])
      s[#s + 1] = mt and { tname = mt.__name } or { value = args[i] }
    end
    return s
  end
  local function explore(f, fn, args, first)
    for pos = first, 4 do
      args[pos] = probe
      if not blames(self:protected(fn, args, pos), pos) then
        f.shape = shape(args, first, pos)
        return
      end
      local chosen
      for _, v in ipairs(fillers) do
        args[pos], args[pos + 1] = v, probe
        if not blames(self:protected(fn, args, pos + 1), pos) then
          chosen = v
          break
        end
      end
      if chosen == nil then return end
      args[pos] = chosen
    end
  end
  for _, f in ipairs(self.functions) do
    if not f.writer then explore(f, f.fn, {}, 1) end
  end
  for _, tname in ipairs(self.type_names) do
    for _, m in ipairs(self.types[tname]) do
      if not m.writer and m.key ~= "__gc" and m.key ~= "__close" and m.key ~= "close" then
        explore(m, m.fn, { self.pools[tname][1] }, 2)
      end
    end
  end
  table.sort(self.option_names)
  self:reset()
end

-- --- decoding bytes into values ------------------------------------------

local function pick(src, list)
  local n = #list
  if n == 0 then return nil end
  local i = src:byte()
  if n > 256 then i = i * 256 + src:byte() end
  return list[i % n + 1]
end

function Fuzzer:object(src)
  local tname = pick(src, self.type_names)
  return tname and pick(src, self.pools[tname]) or nil
end

-- A function that closes one pooled object (chosen now), runs a full
-- collection, and sometimes raises: what a hostile metamethod or finalizer
-- does to the objects a call holds.
function Fuzzer:closer(src, victims)
  local victim = victims and #victims > 0 and pick(src, victims) or self:object(src)
  local raise = src:byte() % 4 == 0
  return function()
    if victim then pcall(function() victim:close() end) end
    collectgarbage()
    if raise then error("apifuzz: metamethod raised") end
  end
end

-- A table (t, or a fresh one) every metamethod of which runs a closer.
function Fuzzer:hostile_table(src, t, victims)
  local close = self:closer(src, victims)
  return setmetatable(t or {}, {
    __index = function() close() end,
    __newindex = function() close() end,
    __len = function() close() return 2 end,
    __pairs = function() close() return next, {}, nil end,
    __tostring = function() close() return "hostile" end,
    __eq = function() close() return false end,
  })
end

-- Rows of weights at the edges of the double range (one row per layer of
-- the pooled models' two layers, one entry per expert).
function Fuzzer:extreme_rows(src)
  local rows = {}
  for l = 1, 2 do
    local row = {}
    for e = 1, 8 do row[e] = src:byte() < 160 and 1 or pick(src, EXTREME) end
    rows[l] = row
  end
  return rows
end

function Fuzzer:value(src, depth)
  local tag = src:byte() % 20
  if tag == 0 then
    return nil
  elseif tag == 1 then
    return src:byte() % 2 == 1
  elseif tag == 2 then
    return src:byte() - 128
  elseif tag == 3 then
    return src:byte() % 8
  elseif tag == 4 then
    local b = {}
    for i = 1, 8 do b[i] = string.char(src:byte()) end
    return (string.unpack("<i8", table.concat(b)))
  elseif tag == 5 then
    local b = {}
    for i = 1, 8 do b[i] = string.char(src:byte()) end
    return (string.unpack("<d", table.concat(b)))
  elseif tag <= 7 then
    return pick(src, SPECIAL)
  elseif tag == 8 then
    return pick(src, src:byte() % 2 == 0 and self.words or self.option_names)
  elseif tag == 9 then
    local b = {}
    for i = 1, src:byte() % 12 do b[i] = string.char(src:byte()) end
    return table.concat(b)
  elseif tag == 10 and depth < 2 then
    return self:options(src, depth + 1)
  elseif tag == 11 and depth < 2 then
    local t = {}
    for i = 1, src:byte() % 6 do t[i] = self:value(src, depth + 1) end
    return t
  elseif tag <= 15 then
    return self:object(src)
  elseif tag == 16 then
    return pick(src, nasty_values())
  elseif tag == 17 then
    return (src:byte() - 128) / 8
  elseif tag == 18 and depth < 2 then
    local kind = src:byte() % 4
    if kind == 0 then
      return self:hostile_table(src, self:options(src, depth + 1))
    elseif kind == 1 then
      local list = {}
      for i = 1, src:byte() % 4 do list[i] = src:byte() % 8 end
      return self:hostile_table(src, list)
    elseif kind == 2 then
      -- dropped at once: its finalizer closes an object during a later allocation
      setmetatable({}, { __gc = self:closer(src) })
      return self:options(src, depth + 1)
    end
    return self:extreme_rows(src)
  end
  return {}
end

function Fuzzer:options(src, depth)
  local t = {}
  for _ = 1, src:byte() % 5 do
    local key
    if src:byte() < 224 and #self.option_names > 0 then
      key = pick(src, self.option_names)
    else
      key = pick(src, ODD_KEYS)
    end
    t[key] = self:value(src, depth)
  end
  return t
end

-- Writers get every string or number (Lua turns numbers into strings where
-- a path is expected), at the top level and in option tables, replaced by a
-- path inside the scratch directory.
function Fuzzer:confine(args, n)
  local k = 0
  local function path()
    k = k + 1
    return self.tmpdir .. "/w" .. k
  end
  for i = 1, n do
    local v = args[i]
    if type(v) == "string" or type(v) == "number" then
      args[i] = path()
    elseif type(v) == "table" and getmetatable(v) == nil then
      local c = {}
      for key, x in pairs(v) do
        c[key] = (type(x) == "string" or type(x) == "number") and path() or x
      end
      args[i] = c
    end
  end
end

-- --- one call -------------------------------------------------------------

-- What is wrong with an error (nil when it names the problem).
local function judge(err)
  if type(err) ~= "string" then
    return "error value is a " .. type(err) .. ", not a message"
  end
  if #err == 0 then return "empty error message" end
  if err:find("interrupted", 1, true) then return "call did not finish in time" end
  for _, bad in ipairs(BAD_ERRORS) do
    if err:find(bad, 1, true) then return "error does not name the problem" end
  end
  return nil
end

local function describe_call(name, args, n)
  local parts = {}
  for i = 1, n do parts[i] = describe(args[i]) end
  return name .. "(" .. table.concat(parts, ", ") .. ")"
end

-- Decode and make one call; returns nil, or a problem description.
function Fuzzer:call(src)
  local target, args, n
  if #self.type_names > 0 and src:byte() % 3 == 0 then
    local tname = pick(src, self.type_names)
    target = pick(src, self.types[tname])
    if not target then return nil end
    -- usually a live (or closed) receiver of the type, sometimes anything
    args = { src:byte() < 240 and pick(src, self.pools[tname]) or self:value(src, 0) }
    n = 1
  else
    target = pick(src, self.functions)
    if not target then return nil end
    args, n = {}, 0
  end
  if target.shape and src:byte() % 4 == 0 then
    -- Arguments that pass the checks, then a hostile one where the options go.
    for _, s in ipairs(target.shape) do
      n = n + 1
      args[n] = s.tname and pick(src, self.pools[s.tname] or {}) or s.value
    end
    local victims = {}
    for i = 1, n do
      if type(args[i]) == "userdata" then victims[#victims + 1] = args[i] end
    end
    n = n + 1
    -- an empty table sends every option read to its __index; a list every
    -- length and element read to __len and __index
    local base = ({ {}, {}, { 0, 1 }, self:options(src, 1) })[src:byte() % 4 + 1]
    args[n] = src:byte() % 4 == 0 and self:extreme_rows(src)
              or self:hostile_table(src, base, victims)
  end
  for _ = 1, src:byte() % 5 do
    n = n + 1
    args[n] = self:value(src, 0)
  end
  if target.writer then self:confine(args, n) end
  local desc = describe_call(target.name, args, n)
  self.calls = self.calls + 1
  self.stats[target.name] = (self.stats[target.name] or 0) + 1
  if self.log then self.log(desc) end
  local learning = self.learning
  local saved_names, saved_words = #self.option_names, #self.words
  local res = self:protected(target.fn, args, n)
  if not learning then
    -- keep the decoding of later bytes independent of what this call taught
    for i = #self.option_names, saved_names + 1, -1 do
      self.option_names[self.option_names[i]] = nil
      self.option_names[i] = nil
    end
    for i = #self.words, saved_words + 1, -1 do
      self.words[self.words[i]] = nil
      self.words[i] = nil
    end
  end

  if res[1] then
    self.passed = self.passed + 1
    for i = 2, res.n do
      local v = res[i]
      if type(v) == "userdata" then
        self:keep(v)
        local ok, s = pcall(tostring, v)
        local problem = not ok and judge(s)
        if problem then return problem .. ": tostring of result of " .. desc .. ": " .. s end
      end
    end
    return nil
  end
  local err = res[2]
  self.errors = self.errors + 1
  if res.budget_hit or (type(err) == "string" and err:find(BUDGET_MSG, 1, true)) then
    self.notes[#self.notes + 1] = "instruction budget hit: " .. desc
    return nil
  end
  local problem = judge(err)
  if problem then return problem .. ": " .. desc .. " -> " .. tostring(err) end
  return nil
end

-- A byte source over a string (the fuzzer's input); 0 once exhausted.
function M.string_source(s)
  local pos = 0
  return {
    byte = function()
      pos = pos + 1
      return s:byte(pos) or 0
    end,
    left = function() return #s - pos end,
  }
end

-- A byte source from Lua's seeded generator.
function M.random_source(seed)
  math.randomseed(seed)
  return { byte = function() return math.random(0, 255) end, left = function() return 1 end }
end

-- One fuzz input: fresh pools, then up to 8 calls while bytes last.
-- Returns nil or the first problem.
function Fuzzer:run_input(s)
  self:reset()
  local src = M.string_source(s)
  for _ = 1, 8 do
    if src.left() <= 0 then break end
    local problem = self:call(src)
    if problem then return problem end
  end
  return nil
end

return M
