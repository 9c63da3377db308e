-- API fuzz: every function reachable from the xnet table and every method
-- and metamethod of every userdata type it creates, called with hostile
-- arguments (nil, NaN, +-inf, huge and negative integers, 2^53,
-- math.mininteger, wrong and closed userdata, strings for numbers, tables
-- for strings, tables with an absurd __len, unknown option names). Each call
-- must return or raise an error message naming the problem; no crash, no
-- hang. The decoder is fuzz/apifuzz.lua (shared with the libFuzzer harness
-- fuzz/fuzz_api.c); the run is seeded, so it is the same every time.
--
-- The calls run in a child process whose working directory is a scratch
-- directory (whatever a function writes stays there), with stdin from
-- /dev/null and a time limit: a Ctrl-C (SIGINT) first, so a call that does
-- not finish is reported by name, then SIGKILL.
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local t = require "harness"

local SEEDS = { 1, 2, 3, 4 }
local CALLS_PER_SEED = 10000
local CPU_CAP_S = 60    -- under valgrind the run stops early rather than crawl
local SLOW_CALL_S = 5   -- one call with small objects must not take longer
local LIMIT_MB = 16     -- memory limit in force for every call

local function shell_quote(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

local function absolute(path)
  if path:sub(1, 1) == "/" then return path end
  return (os.getenv("PWD") or ".") .. "/" .. path
end

local here = absolute(arg[0]):gsub("[^/]*$", "")
local root = here .. "../.."

if arg[1] ~= "--child" then
  -- Absurd sizes are refused before anything is allocated, with the figure.
  local xnet = require "xnet"
  local root = here .. "../.."
  local saved = xnet.limits().memory_mb
  local net = xnet.network(xnet.walker{ planes = 3, sats = 12 }, { snapshots = 2 })
  -- Lists are read raw: a __len claiming 2^40 entries is not consulted.
  t.check(#net:latency(setmetatable({}, { __len = function() return 1 << 40 end }), 0) == 0,
          "an empty list with an absurd __len")
  xnet.limits{ memory_mb = 16 }
  local big = xnet.network(xnet.walker{ planes = 60, sats = 60 }, { snapshots = 1 })
  local sources = {}
  for i = 1, 2000 do sources[i] = 0 end
  t.check_error("the latency rows would need 55.0 MiB, over the memory limit of 16.0 MiB",
                big.latency, big, sources, 0)
  t.check_error("the snapshot series would need", xnet.network,
                xnet.walker{ planes = 3, sats = 12 }, { snapshots = 100000000 })
  xnet.limits{ memory_mb = saved }
  local plan, err =
    xnet.plan.load(root .. "/fuzz/regressions/plan/absurd-dimensions-allocate-4gb.csv")
  t.check(plan == nil and err:find("layers 500000 out of range [1, 100000]", 1, true),
          "a plan file's dimensions are checked before allocating: " .. tostring(err))

  -- parent: run the child in a scratch directory, under the same wrapper
  -- (valgrind) as this suite, and relay its report.
  local bin = absolute(arg[-1])
  local dir = t.tmpdir()
  local wrap = os.getenv("XNET_WRAP") or ""
  local limit = wrap ~= "" and 1800 or 300
  local cmd = string.format(
    "cd %s && timeout -s INT -k 10 %d %s %s %s --child %s %s </dev/null >%s/out 2>&1; echo $?",
    shell_quote(dir), limit, wrap, shell_quote(bin), shell_quote(absolute(arg[0])),
    shell_quote(dir), shell_quote(root), shell_quote(dir))
  local p = io.popen(cmd)
  local rc = tonumber(p:read("a"):match("%d+"))
  p:close()
  local f = io.open(dir .. "/out")
  local out = f and f:read("a") or ""
  if f then f:close() end
  io.write((out:gsub("[^\n]*%d+ passed, %d+ failed\n?", "")))
  local passed, failed = out:match("(%d+) passed, (%d+) failed")
  if passed then
    t.passed, t.failed = t.passed + tonumber(passed), t.failed + tonumber(failed)
  end
  if not t.check(passed ~= nil and rc == 0, "child exited with " .. tostring(rc)
                 .. " and no clean summary") then
    local log = io.open(dir .. "/calls.log")
    local last
    if log then
      for line in log:lines() do last = line end
      log:close()
    end
    io.stderr:write("last call started: ", tostring(last), "\n")
  end
  t.rmtree(dir)
  t.done()
end

-- child
local dir = arg[2]
package.path = arg[3] .. "/fuzz/?.lua;" .. package.path
local apifuzz = require "apifuzz"
local xnet = require "xnet"
warn("@off") -- degenerate setups by the hundred: their warnings are not the subject here
local log = assert(io.open(dir .. "/calls.log", "w"))
log:setvbuf("line")
assert(xnet.mkdir(dir .. "/w"))

local fuzzer = apifuzz.new(xnet, { tmpdir = dir .. "/w", limit_mb = LIMIT_MB, learning = true })
t.check(fuzzer.recipes_ok >= 6, "known-good small objects were made: " .. fuzzer.recipes_ok)
local seen_types = {}
for _, name in ipairs(fuzzer.type_names) do seen_types[name] = true end
for _, name in ipairs{ "xnet.Constellation", "xnet.Network", "xnet.Row" } do
  t.check(seen_types[name], "fuzzed type " .. name)
end

local current
fuzzer.log = function(desc)
  current = desc
  log:write(desc, "\n")
end
local slowest, slowest_desc = 0, nil
local problems, start = 0, os.clock()
local stopped_early = false
for _, seed in ipairs(SEEDS) do
  local src = apifuzz.random_source(seed)
  for _ = 1, CALLS_PER_SEED do
    local t0 = os.clock()
    local problem = fuzzer:call(src)
    local dt = os.clock() - t0
    if dt > slowest then slowest, slowest_desc = dt, current end
    if problem == nil and dt > SLOW_CALL_S and (os.getenv("XNET_WRAP") or "") == "" then
      problem = string.format("call took %.1f s: %s", dt, current)
    end
    if problem then
      problems = problems + 1
      if problems <= 20 then io.stderr:write("seed ", seed, ": ", problem, "\n") end
    end
    if os.clock() - start > CPU_CAP_S then
      stopped_early = true
      break
    end
  end
  if stopped_early then break end
end
collectgarbage() -- __gc of everything made, closed or not
-- The campaign is one check: every call returned or raised a named error.
t.check(problems == 0, problems .. " of " .. fuzzer.calls .. " calls misbehaved")

-- every function and method was reached
local targets, reached = 0, 0
local missed = {}
local function count(list)
  for _, f in ipairs(list) do
    targets = targets + 1
    if fuzzer.stats[f.name] then
      reached = reached + 1
    else
      missed[#missed + 1] = f.name
    end
  end
end
count(fuzzer.functions)
for _, name in ipairs(fuzzer.type_names) do count(fuzzer.types[name]) end
t.check(stopped_early or reached == targets, "not reached: " .. table.concat(missed, ", "))

print(string.format("api fuzz: %d calls (%d returned, %d raised a named error) over %d "
                    .. "functions and methods of %d types in %.1f s CPU%s; slowest %.3f s: %s",
                    fuzzer.calls, fuzzer.passed, fuzzer.errors, targets, #fuzzer.type_names,
                    os.clock() - start, stopped_early and " (stopped early: time cap)" or "",
                    slowest, tostring(slowest_desc)))
for i, note in ipairs(fuzzer.notes) do
  if i > 5 then break end
  print("note: " .. note)
end
log:close()
t.done()
