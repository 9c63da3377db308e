-- One calling convention for placements, xnet.place.<method>(net, ring,
-- profile, opts), the list of methods, and methods registered from Lua
-- accepted wherever a method name is.
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local t = require "harness"
local xnet = require "xnet"
local paper = require "xnet.paper"

local con = xnet.walker{ planes = 4, sats = 12 }
local net = xnet.network(con, { snapshots = 4, survival = 1, seed = 1 })
local m = xnet.model{ layers = 2, experts = 3, top_k = 2, hidden = 8, bytes_per_value = 2,
                      expert_ffn = 16 }
local prof = xnet.profile.zipf(m, 1, { seed = 2 })
local ring = xnet.ring(net, 2)

-- every built-in method under the one convention, with the common options
local builtins = { "spacexnet", "optimize", "randintra_cg", "randintra", "randplace" }
local names = xnet.place.methods()
t.check(#names == #builtins, tostring(names))
for i, name in ipairs(builtins) do
  t.check(names[i] == name and tostring(names):find(name, 1, true))
  local plan = xnet.place[name](net, ring, prof, { seed = 3, variant = "A" })
  t.check(getmetatable(plan).__name == "xnet.Plan", name)
  t.check(xnet.place.method(name) == xnet.place[name])
end
-- the older forms still work and agree
t.check(xnet.place.randplace(net, m, { seed = 2 }) == xnet.place.randplace(net, ring, prof, { seed = 2 }))
t.check(xnet.place.randintra(net, ring, m, { seed = 2 })
        == xnet.place.randintra(net, ring, prof, { seed = 2 }))
-- bad options and names
t.check_error("unknown option 'sed' for xnet.place.randintra (did you mean 'seed'?",
              xnet.place.randintra, net, ring, prof, { sed = 1 })
t.check_error("unknown method 'spacexnt' (did you mean 'spacexnet'?", xnet.place.method,
              "spacexnt")
t.check_error("bad argument #3 to 'xnet.place.randintra' (Profile expected, got nil)",
              xnet.place.randintra, net, ring, nil)

-- a method of your own
local calls = 0
xnet.place.register("reversed", function(n, r, p, o)
  calls = calls + 1
  t.check(o.seed == 7 or o.seed == 1)
  local experts = {}
  for l = 0, r:layers() - 1 do
    local subnet, row, i = r:subnet(l), {}, 0
    for e = 1, p:model().experts do
      repeat i = i + 1 until subnet[#subnet - i + 1] ~= r:gateway(l)
      row[e] = subnet[#subnet - i + 1]
    end
    experts[l + 1] = row
  end
  local gateways = {}
  for l = 0, r:layers() - 1 do gateways[l + 1] = r:gateway(l) end
  return xnet.plan.new{ satellites = #n:constellation(), gateways = gateways, experts = experts,
                        method = "reversed" }
end, "the last satellites of each subnet")
names = xnet.place.methods()
t.check(names[#names] == "reversed" and tostring(names):find("reversed%s+the last satellites"))
local mine = xnet.place.reversed(net, ring, prof, { seed = 7 })
t.check(mine:method() == "reversed" and calls == 1)
-- accepted where a method name is: the paper module (and so studies) ...
local setup = { net = net, ring = ring, model = m }
t.check(paper.plan(setup, "reversed", prof):method() == "reversed" and calls == 2)
local res = paper.evaluate(setup, prof, { methods = { "spacexnet", "reversed" }, tokens = 8 })
t.check(res.reversed and res.spacexnet and res.spacexnet.exact <= res.reversed.exact + 1e-12)
-- ... and a method returning something else is caught
xnet.place.register("broken", function() return 42 end)
t.check_error("placement method 'broken' returned number, not a Plan", xnet.place.broken, net,
              ring, prof)
t.check_error("'spacexnet' is a built-in name of xnet.place", xnet.place.register, "spacexnet",
              function() end)
t.check_error("method name must be a Lua identifier", xnet.place.register, "a b", function() end)

-- the paper's table script accepts a registered method by --load and --method
local dir = t.tmpdir()
local file = dir .. "/mine.lua"
assert(xnet.write_file(file, [[
local xnet = require "xnet"
xnet.place.register("sorted_b", function(net, ring, prof, opts)
  return xnet.place.spacexnet(net, ring, prof, { variant = "B" })
end)
]]))
local bin = arg[-1]:sub(1, 1) == "/" and arg[-1] or (os.getenv("PWD") .. "/" .. arg[-1])
local p = io.popen(string.format("'%s' '%s' --tokens 50 --out '%s' --load '%s' --method sorted_b 2>&1",
                                 bin, xnet.root .. "/experiments/paper_table2.lua", dir, file))
local out = p:read("a")
p:close()
t.check(out:find("| sorted_b ", 1, true), out)
t.rmtree(dir)
t.done()
