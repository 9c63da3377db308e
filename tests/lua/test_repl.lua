-- The interactive side: -e echoes expressions like the REPL's prompt does;
-- Tab completes globals, fields and methods at the prompt (in a pseudo-terminal).
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local t = require "harness"
local xnet = require "xnet"

local BIN = assert(xnet.executable())

local function q(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

-- sx("-e '1+1'") -> exit status, stdout and stderr together
local function sx(args, input)
  local cmd = string.format("%s %s 2>&1", q(BIN), args)
  if input then cmd = string.format("printf '%%s' %s | %s", q(input), cmd) end
  local p = io.popen(cmd)
  local out = p:read("a")
  local _, _, code = p:close()
  return code, out
end

-- -v reports the revision the binary was built from, never a stale one
-- (the Makefile rewrites the revision header whenever git describe changes)
do
  local p = io.popen("cd " .. q(xnet.root) .. " && git describe --always --dirty 2>/dev/null")
  local rev = p:read("l") or "unknown"
  p:close()
  local _, version = sx("-v")
  t.check(version:find("(" .. rev .. ")", 1, true) ~= nil,
          "spacexnet -v names revision " .. rev .. ": " .. version)
end

-- -e: an expression prints its values; a statement prints nothing; they share state
local code, out = sx("-e '1 + 1, \"a\"' -e 'x = 3' -e 'x * 2' -e 'print(\"p\")'")
t.check(code == 0 and out == "2\ta\n6\np\n", out)
code, out = sx("-e 'xnet.walker{ planes = 4, sats = 4 }'")
t.check(code == 0 and out:find("^walker star 4x4 F=0, 550 km"), out)
code, out = sx("-e 'error(\"boom\")'")
t.check(code == 1 and out:find("boom", 1, true), out)
code, out = sx("-e 'x ='")
t.check(code == 1 and out:find("unexpected symbol", 1, true), out)
-- the REPL on a pipe: the same echo, multi-line statements
code, out = sx("", "x = 2\nx * 3\nfor i = 1, 2 do\nprint(i)\nend\n")
t.check(code == 0 and out:find("\n6\n", 1, true) and out:find("\n1\n2\n", 1, true), out)

-- Tab completion, typed into a pseudo-terminal (tests/sh/pty_repl.py)
local function typed(keys)
  local p = io.popen(string.format("python3 %s %s %s 2>&1", q(xnet.root .. "/tests/sh/pty_repl.py"),
                                   q(BIN), q(keys)))
  local out = p:read("a")
  p:close()
  return out
end
out = typed("con = xnet.wal\\t{ planes = 4, sats = 4 }\\ncon.alti\\t\\ncon:peri\\t()\\n"
            .. "xnet.place.rand\\t\\t\\n")
t.check(out:find("> con = xnet.walker{ planes = 4, sats = 4 }\n", 1, true), out) -- a global's field
t.check(out:find("> con.altitude_km\n550.0\n", 1, true), out)                   -- an object's field
t.check(out:find("> con:period()\n5730.127", 1, true), out)                      -- a method
t.check(out:find("xnet.place.randintra%s+xnet.place.randintra_cg%s+xnet.place.randplace"), out)
t.check(typed("hel\\t \"evaluate\"\\n"):find("> help \"evaluate\"\nxnet.evaluate(net", 1, true))

t.done()
