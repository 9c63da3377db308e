-- Plots of study results through gnuplot: a metric against a parameter as
-- lines with error bars over repeats (seeds), or as grouped bars.
--
--   local plot = require "xnet.plot"     -- also xnet.plot
--   plot.lines{ data = "results/fig3", x = "planes", y = "latency_ms",
--               by = "survival", where = { altitude_km = 550 },
--               errors = "sd", out = "results/fig3/latency" }
--   -> { dat =, script =, svg =, png =, rendered = true|false, message = }
--
-- data: a study directory, a merged CSV (.csv or .csv.gz), or a list of row
-- tables. Every parameter other than x and by must be fixed by `where` (or
-- take one value), so each plotted point pools only repeats of one grid point.
-- out: the base path; BASE.dat (the numbers) and BASE.gp (the script) are
-- always written, BASE.svg and BASE.png when gnuplot runs. Without gnuplot
-- the message says how to render them later.
local core = require "xnet.core"
local csv = require "xnet.csv"
local json = require "xnet.json"
local stats = require "xnet.stats"
local study_dir = require "xnet.study_dir"

local plot = {}

local function fail(fmt, ...)
  error(string.format(fmt, ...), 0)
end

-- Load rows and columns from data; params are the columns before "repeat"
-- (the merged layout) or, for a study directory, the grid's names.
local function load_rows(data)
  if type(data) == "table" then
    local rows = data.rows or data
    return rows, csv.columns(rows), data.params
  end
  if type(data) ~= "string" then
    fail("data must be a study directory, a CSV file or a list of rows, got %s", type(data))
  end
  if not data:match("%.csv$") and not data:match("%.csv%.gz$") then
    local res, err = study_dir.collect(data)
    if not res then return nil, err end
    return res.rows, res.columns, res.params
  end
  local text, err = core.read_file(data)
  if not text then return nil, err end
  local rows, columns = csv.decode(text)
  if not rows then return nil, data .. ": " .. columns end
  local params
  for i, c in ipairs(columns) do
    if c == "repeat" then params = table.move(columns, 1, i - 1, 1, {}) end
  end
  return rows, columns, params
end

local function fmt_value(v)
  return type(v) == "number" and json.number(v) or tostring(v)
end

local function list_values(set_order)
  local parts = {}
  for i, v in ipairs(set_order) do
    if i > 4 then
      parts[#parts + 1] = "..."
      break
    end
    parts[#parts + 1] = fmt_value(v)
  end
  return table.concat(parts, ", ")
end

-- Distinct values of a column in first-seen order.
local function distinct(rows, col)
  local seen, order = {}, {}
  for _, row in ipairs(rows) do
    local v = row[col]
    if v ~= nil and not seen[v] then seen[v], order[#order + 1] = true, v end
  end
  return order
end

-- The summary of a point's repeats with its error bar: lo and hi.
local function with_bar(values, errors)
  local st = stats.summary(values)
  if errors == "minmax" then
    st.lo, st.hi = st.min, st.max
  else
    local half = errors == "se" and st.se or st.sd
    st.lo, st.hi = st.mean - half, st.mean + half
  end
  return st
end

-- plot.aggregate{ data =, x =, y =, by =, where =, errors = "sd" }
-- -> { xs = { x values }, series = { { value =, label =, at = { [x] = stats } } },
--      numeric_x = bool } | nil, message
-- stats: n, mean, lo, hi, sd over the repeats; errors "sd" (mean +- sd),
-- "se" (mean +- standard error) or "minmax". Raises on misuse.
function plot.aggregate(o)
  local errors = o.errors or "sd"
  if errors ~= "sd" and errors ~= "se" and errors ~= "minmax" then
    fail("errors must be 'sd', 'se' or 'minmax', got '%s'", tostring(errors))
  end
  if type(o.x) ~= "string" or type(o.y) ~= "string" then
    fail("x and y must be column names, got %s and %s", type(o.x), type(o.y))
  end
  local rows, columns, params = load_rows(o.data)
  if not rows then return nil, columns end
  local has = {}
  for _, c in ipairs(columns) do has[c] = true end
  for _, name in ipairs { o.x, o.y, o.by } do
    if not has[name] then
      fail("no column '%s' in the data (columns: %s)", name, table.concat(columns, ", "))
    end
  end
  local where = o.where or {}
  for k in pairs(where) do
    if not has[k] then fail("where: no column '%s' in the data", tostring(k)) end
  end
  local kept = {}
  for _, row in ipairs(rows) do
    local ok = true
    for k, v in pairs(where) do ok = ok and row[k] == v end
    if ok then kept[#kept + 1] = row end
  end
  if #kept == 0 then return nil, "no rows match where" end
  for _, p in ipairs(params or {}) do
    if p ~= o.x and p ~= o.by and where[p] == nil then
      local vals = distinct(kept, p)
      if #vals > 1 then
        fail("parameter '%s' takes %d values (%s); fix one with where = { %s = ... } "
             .. "(--where %s=VALUE) or plot it as x or by", p, #vals, list_values(vals), p, p)
      end
    end
  end
  local xs = distinct(kept, o.x)
  local numeric_x = true
  for _, v in ipairs(xs) do numeric_x = numeric_x and type(v) == "number" end
  if numeric_x then table.sort(xs) end
  local series, by_value = {}, {}
  for _, v in ipairs(o.by and distinct(kept, o.by) or { true }) do
    local s = { value = v, label = o.by and (o.by .. "=" .. fmt_value(v)) or o.y, values = {} }
    series[#series + 1], by_value[v] = s, s
  end
  for _, row in ipairs(kept) do
    local s = by_value[o.by and row[o.by] or true]
    local y = row[o.y]
    if type(y) == "number" and y == y then
      local list = s.values[row[o.x]] or {}
      list[#list + 1] = y
      s.values[row[o.x]] = list
    elseif y ~= nil and type(y) ~= "number" then
      fail("metric '%s' must be numeric to plot, got %s", o.y, fmt_value(y))
    end
  end
  for _, s in ipairs(series) do
    s.at = {}
    for _, x in ipairs(xs) do s.at[x] = with_bar(s.values[x] or {}, errors) end
    s.values = nil
  end
  return { xs = xs, series = series, numeric_x = numeric_x, errors = errors }
end

-- Writing and rendering ---------------------------------------------------------

local function gp_string(s)
  return "'" .. tostring(s):gsub("'", "''") .. "'"
end

local function sh_quote(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

local function data_label(v)
  return '"' .. fmt_value(v):gsub('"', "'") .. '"'
end

local function split_path(out)
  local dir, name = out:match("^(.*)/([^/]+)$")
  return dir or ".", name or out
end

local function header(o, name, agg)
  local lines = {
    "# " .. name .. ".gp: written by spacexnet (lua/xnet/plot.lua); render with: gnuplot "
      .. name .. ".gp",
    string.format("# %s against %s%s; error bars: %s over repeats", o.y, o.x,
                  o.by and (" by " .. o.by) or "", agg.errors),
    string.format("set terminal svg size %d,%d dynamic noenhanced font 'sans,11' "
                  .. "background '#ffffff'", o.size and o.size[1] or 640,
                  o.size and o.size[2] or 400),
    "set output " .. gp_string(name .. ".svg"),
    "set grid",
    "set key below horizontal",
    "set xlabel " .. gp_string(o.xlabel or o.x),
    "set ylabel " .. gp_string(o.ylabel or o.y),
  }
  if o.title then lines[#lines + 1] = "set title " .. gp_string(o.title) end
  if o.logx then lines[#lines + 1] = "set logscale x" end
  if o.logy then lines[#lines + 1] = "set logscale y" end
  return lines
end

local function footer(lines, o)
  lines[#lines + 1] = string.format("set terminal pngcairo size %d,%d noenhanced font 'sans,11' "
                                    .. "background '#ffffff'", o.size and o.size[1] or 640,
                                    o.size and o.size[2] or 400)
  lines[#lines + 1] = "set output " .. gp_string(o.name .. ".png")
  lines[#lines + 1] = "replot"
  lines[#lines + 1] = "unset output"
  return table.concat(lines, "\n") .. "\n"
end

local function write_and_render(o, dat, script)
  local dir, name = split_path(o.out)
  local ok, err = core.mkdir(dir)
  if not ok then return nil, err end
  local base = dir .. "/" .. name
  local res = { dat = base .. ".dat", script = base .. ".gp", svg = base .. ".svg",
                png = base .. ".png", rendered = false }
  ok, err = core.write_file(res.dat, dat)
  if ok then ok, err = core.write_file(res.script, script) end
  if not ok then return nil, err end
  local gp = o.gnuplot
  if gp == nil then gp = os.getenv("GNUPLOT") or "gnuplot" end
  local render = string.format("cd %s && gnuplot %s", sh_quote(dir), sh_quote(name .. ".gp"))
  if not gp or not os.execute("command -v " .. sh_quote(gp) .. " >/dev/null 2>&1") then
    res.message = string.format("gnuplot not found: wrote %s and %s; to render them as SVG and "
                                .. "PNG, install gnuplot (Debian: apt-get install gnuplot-nox) "
                                .. "and run: %s", res.dat, res.script, render)
    return res
  end
  local cmd = string.format("cd %s && %s %s 2>&1", sh_quote(dir), sh_quote(gp),
                            sh_quote(name .. ".gp"))
  local pipe = io.popen(cmd)
  local output = pipe:read("a")
  local closed, _, code = pipe:close()
  if not closed then
    return nil, string.format("%s: gnuplot failed (status %s): %s", res.script, tostring(code),
                              output)
  end
  res.rendered = true
  res.message = string.format("wrote %s and %s (data %s, script %s)", res.svg, res.png, res.dat,
                              res.script)
  return res
end

local ALLOWED = {
  lines = { "data", "x", "y", "by", "where", "errors", "out", "title", "xlabel", "ylabel", "logx",
            "logy", "size", "gnuplot" },
  bars = { "data", "x", "y", "by", "where", "errors", "out", "title", "xlabel", "ylabel", "logy",
           "size", "gnuplot" },
  map = { "net", "ring", "plan", "profile", "snapshot", "out", "title", "size", "gnuplot" },
}

-- A misspelt option must not be silently ignored.
local function check_options(o, kind)
  if type(o) ~= "table" then fail("plot.%s needs a table of options, got %s", kind, type(o)) end
  local known = {}
  for _, k in ipairs(ALLOWED[kind]) do known[k] = true end
  for k in pairs(o) do
    if not known[k] and k ~= "name" then
      fail("%s", core.unknown_name("option", tostring(k), ALLOWED[kind], "xnet.plot." .. kind))
    end
  end
end

local function check_out(o)
  if type(o) ~= "table" then fail("plot needs a table of options, got %s", type(o)) end
  if type(o.out) ~= "string" or o.out == "" then
    fail("out must be the base path of the files to write, got %s", type(o.out))
  end
  o.name = select(2, split_path(o.out))
end

-- plot.lines{ data =, x =, y =, by =, where =, errors = "sd", out =, title =,
--   xlabel =, ylabel =, logx =, logy =, size = { 640, 400 }, gnuplot = }
-- -> result | nil, message. gnuplot: the program (default $GNUPLOT or
-- "gnuplot"); false only writes the data and the script.
function plot.lines(o)
  check_options(o, "lines")
  check_out(o)
  local agg, err = plot.aggregate(o)
  if not agg then return nil, err end
  local dat = { string.format("# %s: mean lo hi n sd of %s over repeats, one block per series",
                              o.name, o.y) }
  local cmds = {}
  for i, s in ipairs(agg.series) do
    dat[#dat + 1] = "# " .. s.label
    for j, x in ipairs(agg.xs) do
      local st = s.at[x]
      dat[#dat + 1] = table.concat({ agg.numeric_x and json.number(x) or tostring(j - 1),
                                     json.number(st.mean), json.number(st.lo),
                                     json.number(st.hi), tostring(st.n), json.number(st.sd),
                                     data_label(x) }, " ")
    end
    dat[#dat + 1] = "\n"
    cmds[#cmds + 1] = string.format("%s index %d using 1:2:3:4%s with yerrorlines title %s "
                                    .. "lw 1.5 pt 7 ps 0.6", i == 1 and gp_string(o.name .. ".dat")
                                    or "''", i - 1, agg.numeric_x and "" or ":xtic(7)",
                                    gp_string(s.label))
  end
  local lines = header(o, o.name, agg)
  if agg.numeric_x then
    lines[#lines + 1] = "set offsets graph 0.04, graph 0.04, graph 0.05, graph 0.05"
    if #agg.xs <= 15 then -- ticks at the grid's values
      local ticks = {}
      for i, x in ipairs(agg.xs) do ticks[i] = json.number(x) end
      lines[#lines + 1] = "set xtics (" .. table.concat(ticks, ", ") .. ")"
    end
  else
    lines[#lines + 1] = "set offsets 0.5, 0.5, graph 0.05, graph 0.05"
  end
  lines[#lines + 1] = "plot " .. table.concat(cmds, ", \\\n     ")
  return write_and_render(o, table.concat(dat, "\n") .. "\n", footer(lines, o))
end

-- plot.bars{ same options as plot.lines }: one group of bars per x value,
-- one bar per by value, with error bars
function plot.bars(o)
  check_options(o, "bars")
  check_out(o)
  local agg, err = plot.aggregate(o)
  if not agg then return nil, err end
  local head = { "# label" }
  for _, s in ipairs(agg.series) do head[#head + 1] = s.label .. " (mean lo hi)" end
  local dat = { "# " .. o.name .. ": " .. table.concat(head, " | ") }
  local min = math.huge
  for _, x in ipairs(agg.xs) do
    local cells = { data_label(x) }
    for _, s in ipairs(agg.series) do
      local st = s.at[x]
      cells[#cells + 1] = table.concat({ json.number(st.mean), json.number(st.lo),
                                         json.number(st.hi) }, " ")
      if st.lo == st.lo then min = math.min(min, st.lo) end
    end
    dat[#dat + 1] = table.concat(cells, " ")
  end
  local cmds = {}
  for i, s in ipairs(agg.series) do
    local c = 3 * i - 1
    cmds[#cmds + 1] = string.format("%s using %d:%d:%d%s title %s",
                                    i == 1 and gp_string(o.name .. ".dat") or "''", c, c + 1,
                                    c + 2, i == 1 and ":xtic(1)" or "", gp_string(s.label))
  end
  local lines = header(o, o.name, agg)
  lines[#lines + 1] = "set style data histogram"
  lines[#lines + 1] = "set style histogram errorbars gap 1 lw 1"
  lines[#lines + 1] = "set style fill solid 0.7 border -1"
  lines[#lines + 1] = "set grid noxtics"
  if min >= 0 and not o.logy then lines[#lines + 1] = "set yrange [0:*]" end
  lines[#lines + 1] = "plot " .. table.concat(cmds, ", \\\n     ")
  return write_and_render(o, table.concat(dat, "\n") .. "\n", footer(lines, o))
end

local function check_type(v, tname, what)
  local mt = getmetatable(v)
  if not (mt and mt.__name == tname) then
    fail("%s must be an %s, got %s", what, tname, mt and mt.__name or type(v))
  end
end

-- plot.map{ net =, ring =, plan =, profile =, snapshot = 0, out =, title =, size = }
-- The constellation seen from above at one snapshot: sub-satellite points
-- (latitude against inertial longitude), subnets in alternating shades of
-- grey, each layer's gateway a black triangle, each expert's satellite
-- coloured by its activation probability. plan and profile are optional.
function plot.map(o)
  check_options(o, "map")
  check_out(o)
  check_type(o.net, "xnet.Network", "net")
  check_type(o.ring, "xnet.Ring", "ring")
  if o.plan ~= nil then check_type(o.plan, "xnet.Plan", "plan") end
  if o.profile ~= nil then check_type(o.profile, "xnet.Profile", "profile") end
  if o.profile ~= nil and o.plan == nil then fail("a profile needs a plan to colour experts") end
  local net, ring = o.net, o.ring
  local con, t = net:constellation(), net:time(o.snapshot or 0)
  local layer_of = {}
  for l = 0, ring:layers() - 1 do
    for _, id in ipairs(ring:subnet(l)) do layer_of[id] = l end
  end
  local dat = { "# spacexnet constellation map: " .. tostring(con),
                "# index 0: satellites (lon_deg lat_deg rgb), index 1: gateways (lon lat layer),"
                  .. " index 2: experts (lon lat probability layer expert)" }
  local function add(id, ...)
    local lat, lon = con:subpoint(id, t)
    dat[#dat + 1] = string.format("%.4f %.4f" .. string.rep(" %s", select("#", ...)), lon, lat, ...)
  end
  for id = 0, #con - 1 do
    local l = layer_of[id]
    add(id, l == nil and 0xeeeeee or (l % 2 == 0 and 0xbbbbbb or 0x888888))
  end
  dat[#dat + 1] = "\n"
  for l = 0, ring:layers() - 1 do
    add(o.plan and o.plan:gateway(l) or ring:gateway(l), l)
  end
  local experts = 0
  if o.plan then
    dat[#dat + 1] = "\n"
    for l = 0, o.plan:layers() - 1 do
      local inc = o.profile and o.profile:inclusion(l)
      for e = 0, o.plan:experts() - 1 do
        add(o.plan:satellite(l, e), inc and string.format("%.6f", inc[e]) or "0", l, e)
        experts = experts + 1
      end
    end
  end
  local size = o.size or { 900, 480 }
  local lines = {
    "# " .. o.name .. ".gp: written by spacexnet (lua/xnet/plot.lua); render with: gnuplot "
      .. o.name .. ".gp",
    string.format("set terminal svg size %d,%d dynamic noenhanced font 'sans,11' "
                  .. "background '#ffffff'", size[1], size[2]),
    "set output " .. gp_string(o.name .. ".svg"),
    "set xrange [-180:180]", "set yrange [-90:90]", "set xtics 60", "set ytics 30",
    "set xlabel 'inertial longitude (deg)'", "set ylabel 'latitude (deg)'",
    "set key below horizontal", "set grid",
    "set palette defined (0 '#2c7bb6', 0.5 '#ffffbf', 1 '#d7191c')",
    "set cblabel 'activation probability'",
    "set title " .. gp_string(o.title or string.format("%s %dx%d at %g km, t = %.0f s", con.pattern,
                                                       con.planes, con.sats, con.altitude_km, t)),
  }
  local cmds = { gp_string(o.name .. ".dat") .. " index 0 using 1:2:3 with points pt 7 ps 0.45 "
                 .. "lc rgb variable title 'satellites (subnets shaded)'",
                 "'' index 1 using 1:2 with points pt 9 ps 1.3 lc rgb 'black' title 'gateways'" }
  if experts > 0 then
    cmds[#cmds + 1] = "'' index 2 using 1:2:3 with points pt 7 ps 0.8 lc palette "
                      .. "title 'experts'"
  end
  lines[#lines + 1] = "plot " .. table.concat(cmds, ", \\\n     ")
  o.size = size
  local res, err = write_and_render(o, table.concat(dat, "\n") .. "\n", footer(lines, o))
  if res then res.experts = experts end
  return res, err
end

return plot
