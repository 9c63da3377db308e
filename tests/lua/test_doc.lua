-- The reference (lua/xnet/doc.lua): every public function has an entry and
-- every entry is a real function; the README's API tables are the ones it
-- generates; help() finds functions by value and by name.
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local t = require "harness"
local xnet = require "xnet"
local doc = require "xnet.doc"

-- every function a user can reach: xnet's, its sub-tables', the object
-- types' methods, and the documented modules' (the study runner's internals,
-- xnet.study_dir and xnet.study_cli, are reached only through `spacexnet study`)
local names = doc.named_functions()
local undocumented, public = {}, 0
for f, name in pairs(names) do
  local internal = name:match("^xnet%.plot%.") and xnet.plot[name:match("[%w_]+$")] == nil
                      and name ~= "xnet.plot.aggregate"
  if not internal then
    public = public + 1
    if not doc.by_name[name] then undocumented[#undocumented + 1] = name end
  end
end
table.sort(undocumented)
t.check(#undocumented == 0, "no help entry for: " .. table.concat(undocumented, ", "))
t.check(public > 90, "walked " .. public .. " public functions")
-- and every entry is a function that exists (no stale entries)
local reachable = {}
for _, name in pairs(names) do reachable[name] = true end
local stale = {}
for _, e in ipairs(doc.entries) do
  if not reachable[e.name] then stale[#stale + 1] = e.name end
  if not (e.sig and e.returns and e.section) then stale[#stale + 1] = e.name .. " (incomplete)" end
end
t.check(#stale == 0, "entries without a function: " .. table.concat(stale, ", "))

-- the README's tables are generated from the same entries
local readme_path = xnet.root .. "/README.md"
local readme = assert(xnet.read_file(readme_path))
t.check(doc.readme(readme) == readme, "README.md's API tables differ from lua/xnet/doc.lua: "
        .. "run make docs")
local blocks = 0
for _ in readme:gmatch("<!%-%- api:[%w_]+ %-%->") do blocks = blocks + 1 end
t.check(blocks == #doc.sections, blocks .. " API blocks in README.md")
local stale_readme = "<!-- api:model -->\n| old |\n<!-- /api -->"
t.check(doc.readme(stale_readme) ~= stale_readme and doc.readme(stale_readme):find("xnet.evaluate", 1, true))
t.check_error("unknown API section 'nope'", doc.readme, "<!-- api:nope -->\n<!-- /api -->")

-- the README's input file examples read as they say
local inputs = readme:match("### Input files: one CSV dialect(.-)\n##")
local examples = {}
for block in (inputs or ""):gmatch("```\n(.-)```") do examples[#examples + 1] = block end
t.check(#examples == 3, #examples .. " input examples in README.md")
if #examples == 3 then
  local dir = t.tmpdir()
  for i, block in ipairs(examples) do assert(xnet.write_file(dir .. "/" .. i .. ".csv", block)) end
  local trace, rows = xnet.profile.trace(xnet.model("llama-moe-3.5b", { layers = 2 }), dir .. "/1.csv")
  t.check(trace and rows == 4, rows)
  t.check(xnet.profile.table(xnet.model("llama-moe-3.5b", { layers = 2, experts = 4 }),
                             dir .. "/2.csv") ~= nil)
  local plan = xnet.plan.load(dir .. "/3.csv")
  t.check(plan and plan:gateway(1) == 93 and plan:satellite(1, 1) == 64)
  t.rmtree(dir)
end

-- the README's model from a table builds and prints what the README says
local model_example = readme:match("A model of your own is a table.-```lua\n(.-)```")
t.check(model_example ~= nil, "the README's model example")
if model_example then
  local code, said = model_example:match("^(.-)print%(m%) %-%-> ([^\n]*)")
  local chunk = assert(load(code .. "\nreturn m", "=README"))
  t.check(tostring(chunk()) == said, said)
end

-- `make deps`: the README names every package the Makefile and .ci/run install
local function words(text)
  local set, list = {}, {}
  for w in text:gmatch("[%w][%w%.%-]*[%w]") do
    if not set[w] then set[w], list[#list + 1] = true, w end
  end
  table.sort(list)
  return table.concat(list, " ")
end
local makefile = assert(xnet.read_file(xnet.root .. "/Makefile"))
local apt = words(makefile:match("APT_PKGS%s*:=%s*(.-[^\\])\n"):gsub("\\\n", " "))
local ci = assert(xnet.read_file(xnet.root .. "/.ci/run"))
local ci_apt = words((ci:match("apt%-get install %-y %-qq (.-)>/dev/null"):gsub("\\\n", " ")))
t.check(apt ~= "" and ci_apt == words("make " .. apt), "the Makefile's APT_PKGS and .ci/run's "
        .. "list differ:\n" .. apt .. "\n" .. ci_apt)
local deps_text = readme:match("`make deps` installs the Debian packages spacexnet needs (.-) that are")
local named = {}
for pkg in (deps_text or ""):gmatch("`([%w%.%-]+)`") do named[#named + 1] = pkg end
t.check(words(table.concat(named, " ")) == apt, "README's make deps list: "
        .. table.concat(named, " ") .. "\nMakefile: " .. apt)

-- every option a placement method accepts is in its entry (seed and variant,
-- which every method accepts, may be left out where the method ignores them)
do
  local pnet = xnet.network(xnet.walker { planes = 6, sats = 60 }, { snapshots = 2 })
  local pm = xnet.model("llama-moe-3.5b", { layers = 2 })
  local pring, pprof = xnet.ring(pnet, 2), xnet.profile.uniform(pm)
  for _, name in ipairs(xnet.place.methods()) do
    local _, err = pcall(xnet.place[name], pnet, pring, pprof, { no_such_option = 1 })
    local accepted = tostring(err):match("allowed: ([^)]*)%)") or tostring(err)
    local e = doc.by_name["xnet.place." .. name]
    local listed = { seed = true, variant = true }
    for _, o in ipairs(e and e.options or {}) do listed[o[1]:match("^[%w_]+")] = true end
    local missing = {}
    for opt in accepted:gmatch("[%w_]+") do
      if not listed[opt] then missing[#missing + 1] = opt end
    end
    t.check(e and #missing == 0, "xnet.place." .. name .. " accepts options its entry does not "
            .. "list: " .. table.concat(missing, ", "))
  end
end

-- help: capture what it prints
local function help_text(x)
  local out = {}
  local saved = print
  print = function(...) out[#out + 1] = table.concat({ ... }, "\t") end
  local ok, err = pcall(xnet.help, x)
  print = saved
  assert(ok, err)
  return table.concat(out, "\n")
end
local h = help_text(xnet.evaluate)
t.check(h:find("^xnet%.evaluate%(net, plan, prof") and h:find("tokens%s+100000")
        and h:find("returns: Result"), h)
t.check(help_text("evaluate") == h and help_text("xnet.evaluate") == h)
h = help_text(xnet.network)
t.check(h:find("omega_max%s+0.12 rad/s%s+tracking limit") and h:find("max_range_km%s+5000 km"), h)
h = help_text()
for _, m in ipairs(doc.modules) do t.check(h:find(m[1], 1, true), "help() lists " .. m[1]) end
h = help_text(xnet.walker())
t.check(h:find("^Constellation %(con%) methods") and h:find("con:position(id, t)", 1, true), h)
t.check(help_text("Network"):find("net:latency(src, snap)", 1, true))
t.check(help_text(xnet.place):find("xnet.place.randintra_cg", 1, true))
t.check(help_text("xnet.json"):find("json.decode(text, { ... })", 1, true))
t.check(help_text(require("xnet.study").collect):find("collect(dir)", 1, true))
t.check(help_text("close"):find("6 functions are called 'close'", 1, true))
h = help_text("evalute")
t.check(h:find("unknown help topic 'evalute' (did you mean 'evaluate'?", 1, true), h)
t.check(help_text(42):find("help expects a function, an object or a name, got number", 1, true))

-- one message for every unknown name, with the nearest valid one
t.check_error("unknown option 'ylable' for xnet.plot.lines (did you mean 'ylabel'?", xnet.plot.lines,
              { ylable = "s", out = "x" })
t.check_error("unknown method 'spacexnt' (did you mean 'spacexnet'?", require("xnet.paper").plan,
              {}, "spacexnt")
t.check_error("unknown option 'repeat' for xnet.study (did you mean 'repeats'?", xnet.study,
              { name = "x", ["repeat"] = 2, run = function() end })
t.check_error("unknown model 'mixtral-8x7' (did you mean 'mixtral-8x7b'?", xnet.model, "mixtral-8x7")
t.check_error("unknown constellation 'starlnk' (did you mean 'starlink-gen1'?", xnet.constellation,
              "starlnk")
local methods = xnet.place.methods()
t.check(#methods == 5 and methods[1] == "spacexnet" and tostring(methods):find("randplace%s+Baseline"))
for _, name in ipairs(methods) do t.check(type(xnet.place[name]) == "function", name) end

-- the README's rows for the placements and xnet.ground name every option help() shows
local doc = require "xnet.doc"
for _, name in ipairs { "xnet.place.spacexnet", "xnet.place.optimize", "xnet.place.randintra_cg",
                        "xnet.place.randintra", "xnet.place.randplace", "xnet.ground" } do
  local row = doc.markdown(doc.by_name[name].section):match("\n| `" .. name:gsub("%p", "%%%0")
                                                            .. "[^\n]*")
  local missing = {}
  for _, o in ipairs(doc.by_name[name].options) do
    if not row:find(o[1], 1, true) then missing[#missing + 1] = o[1] end
  end
  t.check(#missing == 0, name .. " row lacks " .. table.concat(missing, ", "))
end

-- the README's study snippet labelled experiments/survival.lua is that file
local readme = assert(xnet.read_file(xnet.root .. "/README.md"))
local snippet = readme:match("```lua\n%-%- experiments/survival%.lua\n(.-)```")
t.check(snippet == assert(xnet.read_file(xnet.root .. "/experiments/survival.lua")),
        "README's survival snippet differs from experiments/survival.lua")

t.done()
