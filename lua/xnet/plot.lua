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
local util = require "xnet.util"

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

local ERRORS = { "sd", "se", "minmax", "ci95" }
-- What the error bars mean, for the key.
local ERROR_TEXT = { sd = "mean ± 1 standard deviation", se = "mean ± 1 standard error",
                     minmax = "mean, bars from minimum to maximum",
                     ci95 = "mean and 95% confidence interval (Student's t)" }

-- The summary of a point's repeats with its error bar: lo and hi.
local function with_bar(values, errors)
  local st = stats.summary(values)
  local half = st.sd
  if errors == "minmax" then
    st.lo, st.hi = st.min, st.max
    return st
  elseif errors == "se" then
    half = st.se
  elseif errors == "ci95" then
    half = st.n > 1 and stats.t_quantile(0.975, st.n - 1) * st.se or 0
  end
  st.lo, st.hi = st.mean - half, st.mean + half
  return st
end

-- A column name as an axis label, its unit suffix in parentheses:
-- "latency_ms" -> "latency (ms)", "rate_bps" -> "rate (bit/s)".
local UNITS = { ms = "ms", s = "s", km = "km", deg = "deg", bps = "bit/s", mb = "MB", kb = "kB",
                pct = "%", rad_s = "rad/s" }
function plot.label(name)
  name = tostring(name)
  for suffix, unit in pairs(UNITS) do
    local stem = name:match("^(.+)_" .. suffix .. "$")
    if stem then return stem:gsub("_", " ") .. " (" .. unit .. ")" end
  end
  return (name:gsub("_", " "))
end

-- What the options of simple types hold (the others are checked where used);
-- "or false": false is allowed too.
local OPTION_TYPES = {
  x = "string", by = "string", errors = "string", out = "string", title = "string",
  xlabel = "string", ylabel = "string", where = "table", labels = "table", ground = "table",
  logx = "boolean", logy = "boolean", links = "boolean", snapshot = "integer",
  gnuplot = "string or false", coastlines = "string or false",
}

local function has_type(v, want)
  if want == "integer" then return math.type(v) == "integer" end
  return type(v) == want:match("^%a+") or (v == false and want:find("or false", 1, true) ~= nil)
end

local function check_types(o, fname)
  for k, v in pairs(o) do
    local want = OPTION_TYPES[k]
    if want and not has_type(v, want) then
      fail("option '%s' of %s must be a%s %s, got %s", k, fname,
           want:match("^[aeiou]") and "n" or "", want,
           type(v) == "number" and util.describe(v) or type(v))
    end
  end
end

-- plot.aggregate{ data =, x =, y =, by =, where =, errors = "sd", labels = }
-- -> { xs = { x values }, series = { { y =, value =, label =, at = { [x] = stats } } },
--      numeric_x = bool, errors =, n_min =, n_max = } | nil, message
-- y: a metric or a list of metrics (one series each, per by value).
-- stats: n, mean, lo, hi, sd over the repeats; errors "sd" (mean +- sd),
-- "se" (mean +- standard error), "minmax" or "ci95" (mean +- Student's t
-- times the standard error). labels renames series: { spacexnet = "Space-XNet" }.
-- Raises on misuse; returns nil, message when the data cannot be read or no
-- row matches.
function plot.aggregate(o)
  if type(o) ~= "table" then fail("plot.aggregate needs a table of options, got %s", type(o)) end
  check_types(o, "xnet.plot.aggregate")
  local errors = o.errors or "sd"
  if not ERROR_TEXT[errors] then
    fail("%s", core.unknown_name("errors", errors, ERRORS))
  end
  local ys = type(o.y) == "table" and o.y or { o.y }
  if type(o.x) ~= "string" or #ys == 0 then
    fail("x must be a column name and y a column name or a list of them, got %s and %s",
         type(o.x), type(o.y))
  end
  for _, y in ipairs(ys) do
    if type(y) ~= "string" then fail("y must name columns, got a %s", type(y)) end
  end
  local labels = o.labels or {}
  if type(labels) ~= "table" then fail("labels must be a table, got %s", type(labels)) end
  local rows, columns, params = load_rows(o.data)
  if not rows then return nil, columns end
  local has = {}
  for _, c in ipairs(columns) do has[c] = true end
  local wanted = { o.x, o.by }
  for _, y in ipairs(ys) do wanted[#wanted + 1] = y end
  for _, name in pairs(wanted) do
    if not has[name] then
      fail("%s", core.unknown_name("column", name, columns))
    end
  end
  local where = o.where or {}
  for k in pairs(where) do
    if not has[k] then fail("where: %s", core.unknown_name("column", tostring(k), columns)) end
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
  local function name_of(v)
    return labels[v] or fmt_value(v)
  end
  local series, index = {}, {}
  for _, y in ipairs(ys) do
    index[y] = {}
    for _, v in ipairs(o.by and distinct(kept, o.by) or { true }) do
      local label
      if o.by and #ys > 1 then label = name_of(y) .. ", " .. name_of(v)
      elseif o.by then label = name_of(v)
      else label = name_of(y) end
      local s = { y = y, value = v, label = label, values = {} }
      series[#series + 1], index[y][v] = s, s
    end
  end
  for _, row in ipairs(kept) do
    for _, y in ipairs(ys) do
      local s = index[y][o.by and row[o.by] or true]
      local v = row[y]
      if type(v) == "number" and v == v then
        local list = s.values[row[o.x]] or {}
        list[#list + 1] = v
        s.values[row[o.x]] = list
      elseif v ~= nil and type(v) ~= "number" then
        fail("metric '%s' must be numeric to plot, got %s", y, fmt_value(v))
      end
    end
  end
  local n_min, n_max = math.huge, 0
  for _, s in ipairs(series) do
    s.at = {}
    for _, x in ipairs(xs) do
      local st = with_bar(s.values[x] or {}, errors)
      s.at[x] = st
      if st.n > 0 then n_min, n_max = math.min(n_min, st.n), math.max(n_max, st.n) end
    end
    s.values = nil
  end
  return { xs = xs, series = series, numeric_x = numeric_x, errors = errors,
           n_min = n_max > 0 and n_min or 0, n_max = n_max }
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

-- Okabe and Ito's colour-blind-safe palette ("Color Universal Design", 2008,
-- https://jfly.uni-koeln.de/color/), in two orders: lines (told apart in grey
-- by their markers and dashes too) and bars, whose first four fills have
-- grey levels 87, 162, 119 and 213 of 255, distinct when printed in grey.
local LINE_COLOURS = { "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
                       "#000000", "#F0E442" }
local BAR_COLOURS = { "#0072B2", "#E69F00", "#D55E00", "#F0E442", "#56B4E9", "#009E73",
                      "#CC79A7", "#000000" }
-- gnuplot point types: filled circle, square, triangle, diamond, then open ones.
local MARKERS = { 7, 5, 9, 13, 6, 4, 8, 12 }
local FORMATS = { "svg", "png", "pdf" }

-- The terminal line for one format; size in pixels (PDF: 100 px per inch).
local function terminal(format, size)
  if format == "svg" then
    return string.format("set terminal svg size %d,%d dynamic noenhanced font 'sans,12' "
                         .. "background '#ffffff'", size[1], size[2])
  elseif format == "png" then
    return string.format("set terminal pngcairo size %d,%d noenhanced font 'sans,12' "
                         .. "background '#ffffff'", size[1], size[2])
  end
  return string.format("set terminal pdfcairo size %.2fin,%.2fin noenhanced font 'sans,9'",
                       size[1] / 100, size[2] / 100)
end

local function check_look(o)
  o.size = o.size or o.default_size or { 800, 500 }
  if type(o.size) ~= "table" or math.type(o.size[1]) ~= "integer"
     or math.type(o.size[2]) ~= "integer" or o.size[1] < 100 or o.size[2] < 100
     or o.size[1] > 10000 or o.size[2] > 10000 then
    local got = type(o.size) ~= "table" and type(o.size)
                or string.format("{ %s, %s }", util.describe(o.size[1]), util.describe(o.size[2]))
    fail("size must be { width, height } in pixels, each an integer in [100, 10000], got %s", got)
  end
  o.formats = o.formats or { "svg", "png" }
  if type(o.formats) == "string" then o.formats = { o.formats } end
  if type(o.formats) ~= "table" or #o.formats == 0 then
    fail("formats must be a list of 'svg', 'png' or 'pdf'")
  end
  for _, f in ipairs(o.formats) do
    local known = false
    for _, g in ipairs(FORMATS) do known = known or f == g end
    if not known then fail("%s", core.unknown_name("format", tostring(f), FORMATS)) end
  end
end

local function header(o, agg)
  local ys = type(o.y) == "table" and o.y or { o.y }
  local lines = {
    "# " .. o.name .. ".gp: written by spacexnet (lua/xnet/plot.lua); render with: gnuplot "
      .. o.name .. ".gp",
    string.format("# %s against %s%s; %s over repeats", table.concat(ys, ", "), o.x,
                  o.by and (" by " .. o.by) or "", ERROR_TEXT[agg.errors]),
    terminal(o.formats[1], o.size),
    "set output " .. gp_string(o.name .. "." .. o.formats[1]),
    "set grid lc rgb '#dddddd'",
    "set border lc rgb '#444444'",
    "set xlabel " .. gp_string(o.xlabel or plot.label(o.x)),
    "set ylabel " .. gp_string(o.ylabel or (#ys == 1 and plot.label(ys[1]) or "value")),
  }
  -- the key says what is plotted and what the error bars mean
  local n = agg.n_min == agg.n_max and tostring(agg.n_max)
            or string.format("%d-%d", agg.n_min, agg.n_max)
  local what = agg.n_max > 1 and string.format("%s over %s repeats", ERROR_TEXT[agg.errors], n)
               or "one run per point: no error bars"
  local key_title = (o.by and #ys == 1) and (plot.label(o.by) .. "; " .. what) or what
  lines[#lines + 1] = "set key below center horizontal spacing 1.2 width 2 title "
                      .. gp_string(key_title)
  if o.title then lines[#lines + 1] = "set title " .. gp_string(o.title) end
  if o.logx then lines[#lines + 1] = "set logscale x" end
  if o.logy then lines[#lines + 1] = "set logscale y" end
  return lines
end

local function footer(lines, o)
  for i = 2, #o.formats do
    lines[#lines + 1] = terminal(o.formats[i], o.size)
    lines[#lines + 1] = "set output " .. gp_string(o.name .. "." .. o.formats[i])
    lines[#lines + 1] = "replot"
  end
  lines[#lines + 1] = "unset output"
  return table.concat(lines, "\n") .. "\n"
end

local function write_and_render(o, dat, script)
  local dir, name = split_path(o.out)
  local ok, err = core.mkdir(dir)
  if not ok then return nil, err end
  local base = dir .. "/" .. name
  local res = { dat = base .. ".dat", script = base .. ".gp", rendered = false, files = {} }
  for _, f in ipairs(o.formats) do
    res[f] = base .. "." .. f
    res.files[#res.files + 1] = res[f]
  end
  ok, err = core.write_file(res.dat, dat)
  if ok then ok, err = core.write_file(res.script, script) end
  if not ok then return nil, err end
  local gp = o.gnuplot
  if gp == nil then gp = os.getenv("GNUPLOT") or "gnuplot" end
  local render = string.format("cd %s && gnuplot %s", sh_quote(dir), sh_quote(name .. ".gp"))
  if not gp or not os.execute("command -v " .. sh_quote(gp) .. " >/dev/null 2>&1") then
    res.message = string.format("gnuplot not found: wrote %s and %s; to render them as %s, "
                                .. "install gnuplot (Debian: apt-get install gnuplot-nox) "
                                .. "and run: %s", res.dat, res.script,
                                table.concat(o.formats, ", "):upper(), render)
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
  res.message = string.format("wrote %s (data %s, script %s)", table.concat(res.files, ", "),
                              res.dat, res.script)
  return res
end

local LOOK = { "title", "xlabel", "ylabel", "labels", "size", "formats", "gnuplot" }
local ALLOWED = {
  lines = { "data", "x", "y", "by", "where", "errors", "out", "logx", "logy", table.unpack(LOOK) },
  bars = { "data", "x", "y", "by", "where", "errors", "out", "logy", table.unpack(LOOK) },
  map = { "net", "ring", "plan", "profile", "snapshot", "out", "title", "size", "formats",
          "gnuplot", "ground", "links", "coastlines" },
}

-- A misspelt option must not be silently ignored, nor a value of the wrong type.
local function check_options(o, kind)
  if type(o) ~= "table" then fail("plot.%s needs a table of options, got %s", kind, type(o)) end
  local known = {}
  for _, k in ipairs(ALLOWED[kind]) do known[k] = true end
  for k, v in pairs(o) do
    if not known[k] then
      fail("%s", core.unknown_name("option", tostring(k), ALLOWED[kind], "xnet.plot." .. kind))
    end
  end
  check_types(o, "xnet.plot." .. kind)
end

-- Copy the options (the caller's table is left alone) and check the common ones.
local function prepare(o, kind)
  check_options(o, kind)
  local c = util.copy(o)
  if type(c.out) ~= "string" or c.out == "" then
    fail("out must be the base path of the files to write, got %s", type(c.out))
  end
  c.name = select(2, split_path(c.out))
  c.default_size = kind == "map" and { 1000, 560 } or nil
  check_look(c)
  return c
end

-- A range that fits lo .. hi with a margin of pad of the span on each side;
-- with keep_sign, not crossing zero unless the data do (a latency is never < 0).
local function fit(lo, hi, pad, log, keep_sign)
  if log then
    local f = (hi / lo) ^ pad
    if hi == lo then f = 1.1 end
    return lo / f, hi * f
  end
  local span = hi - lo
  if span == 0 then span = math.abs(hi) > 0 and math.abs(hi) or 1 end
  local a, b = lo - pad * span, hi + pad * span
  if keep_sign and lo >= 0 and a < 0 then a = 0 end
  return a, b
end

local function y_extent(agg)
  local lo, hi = math.huge, -math.huge
  for _, s in ipairs(agg.series) do
    for _, x in ipairs(agg.xs) do
      local st = s.at[x]
      if st.n > 0 then lo, hi = math.min(lo, st.lo, st.mean), math.max(hi, st.hi, st.mean) end
    end
  end
  return lo, hi
end

-- plot.lines{ data =, x =, y =, by =, where =, errors = "sd", out =, title =,
--   xlabel =, ylabel =, labels =, logx =, logy =, size = { 800, 500 },
--   formats = { "svg", "png" }, gnuplot = }
-- -> { dat =, script =, svg =, png =, pdf =, files =, rendered =, message = }
-- | nil, message. gnuplot: the program (default $GNUPLOT or "gnuplot");
-- false only writes the data and the script.
function plot.lines(o)
  o = prepare(o, "lines")
  local agg, err = plot.aggregate(o)
  if not agg then return nil, err end
  local dat = { string.format("# %s: x mean lo hi n sd label, one block per series (%s)",
                              o.name, ERROR_TEXT[agg.errors]) }
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
    -- the line dashed (the key shows it), its error bars solid
    local k = (i - 1) % #LINE_COLOURS + 1
    cmds[#cmds + 1] = string.format("%s index %d using 1:2%s with linespoints title %s "
                                    .. "lc rgb '%s' lw 2 dt %d pt %d ps 1.1",
                                    i == 1 and gp_string(o.name .. ".dat") or "''", i - 1,
                                    agg.numeric_x and "" or ":xtic(7)", gp_string(s.label),
                                    LINE_COLOURS[k], (i - 1) % 5 + 1, MARKERS[k])
    cmds[#cmds + 1] = string.format("'' index %d using 1:2:3:4 with yerrorbars notitle "
                                    .. "lc rgb '%s' lw 1.2 dt 1 pt %d ps 1.1", i - 1,
                                    LINE_COLOURS[k], MARKERS[k])
  end
  local lines = header(o, agg)
  local xlo, xhi
  if agg.numeric_x then
    xlo, xhi = fit(agg.xs[1], agg.xs[#agg.xs], 0.03, o.logx)
    if #agg.xs <= 15 then -- ticks at the grid's values
      local ticks = {}
      for i, x in ipairs(agg.xs) do ticks[i] = json.number(x) end
      lines[#lines + 1] = "set xtics (" .. table.concat(ticks, ", ") .. ")"
    end
  else
    xlo, xhi = -0.5, #agg.xs - 0.5
  end
  lines[#lines + 1] = string.format("set xrange [%.6g:%.6g]", xlo, xhi)
  local ylo, yhi = y_extent(agg)
  if ylo <= yhi then
    ylo, yhi = fit(ylo, yhi, 0.06, o.logy, true)
    lines[#lines + 1] = string.format("set yrange [%.6g:%.6g]", ylo, yhi)
  end
  lines[#lines + 1] = "plot " .. table.concat(cmds, ", \\\n     ")
  return write_and_render(o, table.concat(dat, "\n") .. "\n", footer(lines, o))
end

-- plot.bars{ same options as plot.lines, without logx }: one group of bars
-- per x value, one bar per series, with error bars
function plot.bars(o)
  o = prepare(o, "bars")
  local agg, err = plot.aggregate(o)
  if not agg then return nil, err end
  local head = { "# label" }
  for _, s in ipairs(agg.series) do head[#head + 1] = s.label .. " (mean lo hi)" end
  local dat = { "# " .. o.name .. ": " .. table.concat(head, " | ") }
  for _, x in ipairs(agg.xs) do
    local cells = { data_label(x) }
    for _, s in ipairs(agg.series) do
      local st = s.at[x]
      cells[#cells + 1] = table.concat({ json.number(st.mean), json.number(st.lo),
                                         json.number(st.hi) }, " ")
    end
    dat[#dat + 1] = table.concat(cells, " ")
  end
  local cmds = {}
  for i, s in ipairs(agg.series) do
    local c = 3 * i - 1
    -- the third, fifth, ... bars hatched, so neighbours differ in grey by more than shade
    local fill = (i > 1 and i % 2 == 1) and string.format(" fs pattern %d border rgb '#000000'",
                                                          (i - 1) // 2 % 6 + 1) or ""
    cmds[#cmds + 1] = string.format("%s using %d:%d:%d%s title %s lc rgb '%s'%s",
                                    i == 1 and gp_string(o.name .. ".dat") or "''", c, c + 1,
                                    c + 2, i == 1 and ":xtic(1)" or "", gp_string(s.label),
                                    BAR_COLOURS[(i - 1) % #BAR_COLOURS + 1], fill)
  end
  local lines = header(o, agg)
  lines[#lines + 1] = "set style data histogram"
  lines[#lines + 1] = "set style histogram errorbars gap 1 lw 1.5"
  lines[#lines + 1] = "set style fill solid 1.0 border rgb '#000000'"
  lines[#lines + 1] = "set grid noxtics"
  lines[#lines + 1] = string.format("set xrange [-0.6:%.6g]", #agg.xs - 0.4)
  local ylo, yhi = y_extent(agg)
  if ylo <= yhi then
    ylo, yhi = fit(math.min(ylo, 0), yhi, 0.06, o.logy, true)
    if o.logy then ylo = nil end
    lines[#lines + 1] = string.format("set yrange [%s:%.6g]",
                                      ylo and string.format("%.6g", ylo) or "*", yhi)
  end
  lines[#lines + 1] = "plot " .. table.concat(cmds, ", \\\n     ")
  return write_and_render(o, table.concat(dat, "\n") .. "\n", footer(lines, o))
end

local function check_type(v, tname, what)
  local mt = getmetatable(v)
  if not (mt and mt.__name == tname) then
    fail("%s must be an %s, got %s", what, tname, mt and mt.__name or type(v))
  end
end

-- plot.map{ net =, ring =, plan =, profile =, snapshot = 0, out =, title =,
--   size = { 1000, 560 }, formats = }
-- The constellation seen from above at one snapshot: sub-satellite points
-- (latitude against inertial longitude; the latitude axis fitted to the
-- shell), each subnet in its own colour (7 colours in turn, so neighbouring
-- subnets differ), each layer's gateway a black triangle labelled with its
-- layer, each expert's satellite coloured by its activation probability on a
-- fixed 0-1 scale (viridis, readable in grey), the extra copies of a
-- replicated plan as diamonds in the same colours. plan and profile are optional.
-- gnuplot's world outline, as Debian's gnuplot-doc installs it.
plot.WORLD_OUTLINE = "/usr/share/doc/gnuplot/examples/world.dat"

function plot.map(o)
  o = prepare(o, "map")
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
                "# index 0: satellites (lon_deg lat_deg rgb layer), index 1: gateways "
                  .. "(lon lat layer), index 2: experts (lon lat probability layer expert), index 3: "
                  .. "ground terminals, index 4: links, index 5: extra copies (lon lat "
                  .. "probability layer expert copy)" }
  local max_lat = 0
  local function add(id, ...)
    local lat, lon = con:subpoint(id, t)
    max_lat = math.max(max_lat, math.abs(lat))
    dat[#dat + 1] = string.format("%.4f %.4f" .. string.rep(" %s", select("#", ...)), lon, lat, ...)
  end
  for id = 0, #con - 1 do
    local l = layer_of[id]
    -- seven colours in turn (yellow is too faint for small dots on white)
    local colour = l == nil and "0xcccccc" or ("0x" .. LINE_COLOURS[l % 7 + 1]:sub(2))
    add(id, colour, l or -1)
  end
  dat[#dat + 1] = "\n"
  for l = 0, ring:layers() - 1 do
    add(o.plan and o.plan:gateway(l) or ring:gateway(l), l)
  end
  local experts = 0
  dat[#dat + 1] = "\n"
  if o.plan then
    for l = 0, o.plan:layers() - 1 do
      local inc = o.profile and o.profile:inclusion(l)
      for e = 0, o.plan:experts() - 1 do
        add(o.plan:satellite(l, e), inc and string.format("%.6f", inc[e]) or "0", l, e)
        experts = experts + 1
      end
    end
  else
    -- gnuplot counts a block only if it holds data: a point off the map keeps the indices
    dat[#dat + 1] = "# no plan: no experts\n999 999 0 -1 -1"
  end
  -- index 3: ground terminals (lon lat name)
  dat[#dat + 1] = "\n"
  local terminals = 0
  for _, term in ipairs(o.ground or {}) do
    check_type(term, "xnet.Terminal", "ground terminal")
    dat[#dat + 1] = string.format("%.4f %.4f %s", (term.lon_deg + 180) % 360 - 180, term.lat_deg,
                                  term.name:gsub("%s", "_"))
    terminals = terminals + 1
  end
  if terminals == 0 then dat[#dat + 1] = "# no ground terminals\n999 999 none" end
  -- index 4: the active links of the snapshot, one segment each (a segment
  -- that crosses the 180 deg meridian is left out rather than drawn across)
  dat[#dat + 1] = "\n"
  local links = 0
  if o.links then
    local where = {}
    for id = 0, #con - 1 do
      local lat, lon = con:subpoint(id, t)
      where[id] = { lon, lat }
    end
    for _, e in ipairs(net:edges(o.snapshot or 0)) do
      local a, b = where[e[1]], where[e[2]]
      if math.abs(a[1] - b[1]) < 180 then
        dat[#dat + 1] = string.format("%.4f %.4f\n%.4f %.4f\n", a[1], a[2], b[1], b[2])
        links = links + 1
      end
    end
  end
  if links == 0 then dat[#dat + 1] = "# no links drawn\n999 999\n999 999" end
  -- index 5: the extra copies of replicated experts (lon lat probability layer
  -- expert copy; copy 1 is the first extra copy, the expert itself is in index 2)
  dat[#dat + 1] = "\n"
  local copies = 0
  for _, r in ipairs(o.plan and o.plan:replicas() or {}) do
    local c = 0
    for i, s in ipairs(o.plan:copies(r.layer, r.expert)) do
      if s == r.satellite then c = i - 1 end
    end
    local inc = o.profile and o.profile:inclusion(r.layer)
    add(r.satellite, inc and string.format("%.6f", inc[r.expert]) or "0", r.layer, r.expert, c)
    copies = copies + 1
  end
  if copies == 0 then dat[#dat + 1] = "# no extra copies\n999 999 0 -1 -1 0" end
  -- gnuplot's world outline (Debian gnuplot-doc), unless coastlines = false
  local coast = o.coastlines
  if coast == nil then coast = plot.WORLD_OUTLINE end
  if coast and not io.open(coast, "r") then
    if o.coastlines then fail("coastlines: cannot read '%s'", coast) end
    coast = nil
  end
  local lat_edge = math.min(90, math.ceil((max_lat + 3) / 10) * 10)
  local lines = {
    "# " .. o.name .. ".gp: written by spacexnet (lua/xnet/plot.lua); render with: gnuplot "
      .. o.name .. ".gp",
    terminal(o.formats[1], o.size),
    "set output " .. gp_string(o.name .. "." .. o.formats[1]),
    "set xrange [-180:180]", string.format("set yrange [%d:%d]", -lat_edge, lat_edge),
    "set xtics 60", "set ytics " .. (lat_edge > 60 and 30 or 15),
    "set xlabel 'longitude (deg, Earth-fixed)'", "set ylabel 'geodetic latitude (deg)'",
    "set key below horizontal", "set grid lc rgb '#dddddd'",
    -- viridis end points and middle (van der Walt and Smith, matplotlib, 2015)
    "set palette defined (0 '#440154', 0.5 '#21908d', 1 '#fde725')",
    "set cbrange [0:1]", "set cblabel 'activation probability of the expert'",
    "set style textbox opaque noborder margins 0.5,0.5",
    "set title " .. gp_string(o.title or string.format("%s %dx%d at %g km, t = %.0f s, %d subnets",
                                                       con.pattern, con.planes, con.sats,
                                                       con.altitude_km, t, ring:layers())),
  }
  local cmds = {}
  if coast then
    cmds[#cmds + 1] = gp_string(coast) .. " with lines lc rgb '#aaaaaa' lw 0.8 notitle"
  end
  if links > 0 then
    cmds[#cmds + 1] = gp_string(o.name .. ".dat") .. " index 4 with lines lc rgb '#bbccee' "
                      .. "lw 0.6 title 'active links'"
  end
  cmds[#cmds + 1] = gp_string(o.name .. ".dat") .. " index 0 using 1:2:3 with points pt 7 "
                    .. "ps 0.55 lc rgb variable title 'satellites (colour: subnet)'"
  if experts > 0 then
    cmds[#cmds + 1] = "'' index 2 using 1:2:3 with points pt 7 ps 1.3 lc palette "
                      .. "title 'experts (colour: probability)'"
    cmds[#cmds + 1] = "'' index 2 using 1:2 with points pt 6 ps 1.3 lc rgb '#000000' notitle"
  end
  if copies > 0 then
    cmds[#cmds + 1] = "'' index 5 using 1:2:3 with points pt 13 ps 1.5 lc palette "
                      .. "title 'extra copies of replicated experts (diamonds)'"
    cmds[#cmds + 1] = "'' index 5 using 1:2 with points pt 12 ps 1.5 lc rgb '#000000' notitle"
  end
  cmds[#cmds + 1] = "'' index 1 using 1:2 with points pt 9 ps 1.6 lc rgb '#000000' "
                    .. "title 'gateways (label: layer)'"
  cmds[#cmds + 1] = "'' index 1 using 1:2:(sprintf('%d', $3)) with labels boxed left "
                    .. "offset 0.9,0.55 font ',9' notitle"
  if terminals > 0 then
    cmds[#cmds + 1] = "'' index 3 using 1:2 with points pt 5 ps 1.4 lc rgb '#d62728' "
                      .. "title 'ground terminals'"
    cmds[#cmds + 1] = "'' index 3 using 1:2:3 with labels left offset 0.9,-0.6 font ',9' "
                      .. "tc rgb '#d62728' notitle"
  end
  lines[#lines + 1] = "plot " .. table.concat(cmds, ", \\\n     ")
  local res, err = write_and_render(o, table.concat(dat, "\n") .. "\n", footer(lines, o))
  if res then
    res.experts, res.terminals, res.links, res.coastlines = experts, terminals, links, coast
    res.copies = copies
  end
  return res, err
end

return plot
