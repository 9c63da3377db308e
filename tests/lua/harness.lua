-- Minimal test harness for the Lua suites: counts checks, reports failures
-- with their line, and closes with "N passed, N failed".
local harness = { passed = 0, failed = 0 }

local function where()
  local info = debug.getinfo(3, "Sl")
  return info.short_src .. ":" .. info.currentline
end

function harness.check(cond, msg)
  if cond then
    harness.passed = harness.passed + 1
  else
    harness.failed = harness.failed + 1
    io.stderr:write(where(), ": check failed", msg and (": " .. tostring(msg)) or "", "\n")
  end
  return cond
end

function harness.near(got, want, tol, msg)
  local ok = type(got) == "number" and math.abs(got - want) <= tol
  if ok then
    harness.passed = harness.passed + 1
  else
    harness.failed = harness.failed + 1
    io.stderr:write(where(), ": ", tostring(got), " not within ", tostring(tol), " of ",
                    tostring(want), msg and (" (" .. msg .. ")") or "", "\n")
  end
  return ok
end

-- f(...) must raise an error whose message is a string containing pattern
-- (plain text, not a Lua pattern).
function harness.check_error(pattern, f, ...)
  local ok, err = pcall(f, ...)
  local good = not ok and type(err) == "string" and err:find(pattern, 1, true) ~= nil
  if good then
    harness.passed = harness.passed + 1
  else
    harness.failed = harness.failed + 1
    io.stderr:write(where(), ": expected error containing '", pattern, "', got ",
                    ok and "success" or tostring(err), "\n")
  end
  return good
end

-- A stream that keeps what is written to it (text), for progress output.
function harness.sink()
  local s = { text = {} }
  function s:write(...)
    for _, x in ipairs { ... } do self.text[#self.text + 1] = x end
    return self
  end
  function s:flush() end
  return s
end

-- A fresh temporary directory, removed by the caller with harness.rmtree.
function harness.tmpdir()
  local p = io.popen("mktemp -d /tmp/spacexnet-test.XXXXXX")
  local d = p:read("l")
  p:close()
  return d
end

function harness.rmtree(d)
  assert(d:match("^/tmp/spacexnet%-test%."))
  os.execute("rm -rf '" .. d .. "'")
end

function harness.done()
  print(string.format("%d passed, %d failed", harness.passed, harness.failed))
  os.exit(harness.failed == 0 and 0 or 1, true)
end

return harness
