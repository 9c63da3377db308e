-- The constellation catalogue: every entry loads, its totals are the filed
-- ones, every shell builds a network, and bad names and shells are refused.
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local t = require "harness"
local xnet = require "xnet"

local names = xnet.constellations()
local want = { ["starlink-gen1"] = 4408, kuiper = 3236, oneweb = 1764,
               ["telesat-lightspeed"] = 351, ["iridium-next"] = 66, ["spacexnet-paper"] = 1056 }
local seen = {}
for _, name in ipairs(names) do
  seen[name] = true
  local c = xnet.constellation(name)
  local total = 0
  for i, con in ipairs(c.shells) do
    total = total + #con
    local ok, net = pcall(xnet.network, con, { snapshots = 2 })
    t.check(ok and net:snapshots() == 2, name .. " shell " .. i .. " builds a network: " .. tostring(net))
  end
  t.check(c.inter_shell_links == "none")
  t.check(total == want[name], string.format("%s: %d satellites, filed %s", name, total,
                                             tostring(want[name])))
end
for name in pairs(want) do t.check(seen[name], "catalogue has " .. name) end
t.check(tostring(names):find("starlink-gen1  ", 1, true) ~= nil)
local s1 = xnet.constellation("starlink-gen1", 1, { epoch = "2026-01-01" })
t.check(s1.planes == 72 and s1.sats == 22 and s1.altitude_km == 550 and s1.inclination_deg == 53)
t.check(s1.epoch:sub(1, 10) == "2026-01-01")
t.check(xnet.constellation("spacexnet-paper", 1) == xnet.walker(), "the paper's shell is the default")
t.check_error("unknown constellation 'starlink-gen3'", xnet.constellation, "starlink-gen3")
t.check_error("shell must be an integer in [1, 3] for 'kuiper', got 4", xnet.constellation,
              "kuiper", 4)
t.check_error("constellation name must be", xnet.constellation, "../models/mixtral-8x7b")
t.check_error("unknown option 'epoc'", xnet.constellation, "kuiper", 1, { epoc = 1 })
t.done()
