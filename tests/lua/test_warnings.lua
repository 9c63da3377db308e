-- Degenerate setups warn on stderr instead of silently giving nil: a network
-- in pieces, subnets without enough connected candidates, an evaluation that
-- delivers nothing; a sound setup is quiet, and warn("@off") silences them.
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local t = require "harness"
local xnet = require "xnet"

local BIN = assert(xnet.executable())
local function q(s) return "'" .. s:gsub("'", "'\\''") .. "'" end
-- run(code) -> stdout, stderr
local function run(code)
  local err = os.tmpname()
  local p = io.popen(string.format("%s -e %s 2>%s", q(BIN), q(code), q(err)))
  local out = p:read("a")
  p:close()
  local f = assert(io.open(err))
  local e = f:read("a")
  f:close()
  os.remove(err)
  return out, e
end

local setup = [[
local net = xnet.network(xnet.walker{ planes = 10, sats = 10 }, { snapshots = 4, survival = %s })
local m = xnet.model("llama-moe-3.5b", { layers = 4 })
local ring = xnet.ring(net, 4)
local prof = xnet.profile.uniform(m)
local plan = xnet.place.spacexnet(net, ring, prof)
r = xnet.evaluate(net, plan, prof, { snapshot = 0, tokens = 1000 })
]]
local out, err = run(setup:format("0.4") .. "print(r.mean)")
t.check(out == "nil\n", out)
t.check(err:find("spacexnet: warning: xnet.network: the links split the 100 satellites into %d+ pieces"), err)
t.check(err:find("spacexnet: warning: xnet.place.spacexnet: %d of 4 subnets have fewer satellites "
                 .. "connected to their gateways in any snapshot than the 8 experts"), err)
t.check(err:find("spacexnet: warning: xnet.evaluate: none of the 1000 tokens was delivered", 1, true), err)
-- so does a serving run that delivers nothing
out, err = run(setup:format("0") .. "print(xnet.serve(net, plan, prof, { streams = 2, duration_s = 10 }).status)")
t.check(out:match("^nothing delivered"), out)
t.check(err:find("spacexnet: warning: xnet.serve: none of the tokens was delivered", 1, true), err)
-- a sound setup says nothing
out, err = run(setup:format("1") .. "print(r.mean > 0)")
t.check(out == "true\n" and err == "", err)
-- warnings can be switched off
out, err = run('warn("@off")\n' .. setup:format("0.4"))
t.check(err == "", err)
-- and Lua's own warn() goes the same way
out, err = run('warn("look ", "here")')
t.check(err == "spacexnet: warning: look here\n", err)

t.done()
