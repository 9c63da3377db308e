-- Ctrl-C (SIGINT) during long calls: the kernel loops and the Lua hook stop
-- within a second; in the REPL the prompt comes back with every variable
-- still there and the next computation works; with readline on a terminal,
-- Ctrl-C while typing drops the line and keeps the REPL. The driving is in
-- tests/sh/interrupt.sh (a FIFO, or a pseudo-terminal through script(1)).
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local t = require "harness"

local function absolute(path)
  if path:sub(1, 1) == "/" then return path end
  return (os.getenv("PWD") or ".") .. "/" .. path
end

local bin = absolute(arg[-1])
local driver = absolute(arg[0]):gsub("[^/]*$", "") .. "../sh/interrupt.sh"
local wrapped = (os.getenv("XNET_WRAP") or "") ~= ""
local BOUND_MS = wrapped and 20000 or 1000

local function have_pty()
  local ok = os.execute("script -qfec true /dev/null </dev/null >/dev/null 2>&1")
  return ok == true
end

local function run(mode, case)
  local p = io.popen(string.format("%q %q %s %s 2>&1", driver, bin, mode, case))
  local out = p:read("a")
  p:close()
  local r = {}
  for k, v in out:gmatch("([%w_]+)=(%S+)") do r[k] = v end
  local what = mode .. "/" .. case
  local ms = tonumber(r.landed_ms)
  t.check(ms and ms < BOUND_MS, what .. ": interrupt landed in " .. tostring(r.landed_ms)
          .. " ms (bound " .. BOUND_MS .. ")\n" .. out)
  if mode == "script" and case == "pcall" then
    -- Ctrl-C raises one error "interrupted", which pcall catches; the
    -- script then goes on (and here ends normally).
    t.check(r.caught == "yes" and r.exit == "0", what .. ": pcall caught the interrupt\n" .. out)
  elseif mode == "script" then
    t.check(r.exit == "1", what .. ": exit status 1 after an interrupt\n" .. out)
  else
    t.check(r.state == "yes", what .. ": REPL variables survive\n" .. out)
    t.check(r.after == "yes", what .. ": the next computation works\n" .. out)
    t.check(r.exit == "0", what .. ": REPL ends normally at end of input\n" .. out)
  end
  if mode == "pty" then
    t.check(r.prompt == "yes", what .. ": Ctrl-C at the prompt keeps the REPL\n" .. out)
  end
  if ms then print(string.format("%-16s interrupt landed in %4d ms", what, ms)) end
end

for _, case in ipairs{ "network", "latency", "paths", "ring", "lua", "calls", "fifo" } do
  run("pipe", case)
end
for _, case in ipairs{ "network", "paths", "ring", "lua", "fifo", "pcall" } do run("script", case) end
if have_pty() then
  for _, case in ipairs{ "network", "calls" } do run("pty", case) end
else
  print("skip: no pseudo-terminal through script(1); readline's Ctrl-C not tested")
end

t.done()
