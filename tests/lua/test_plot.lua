-- Plots a reviewer accepts: labels with units, renamed legends, a colour and a
-- marker per series, axes fitted to the data, the error bars' meaning in the
-- key (sd, se, minmax, ci95 with Student's t), size and formats (SVG, PNG,
-- PDF), several metrics in one plot, the same from `spacexnet study plot`;
-- the map's subnet colours, gateway labels, fitted latitudes and fixed scale.
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local t = require "harness"
local xnet = require "xnet"
local plot = require "xnet.plot"
local stats = require "xnet.stats"

local tmp = t.tmpdir()
local function read(path) return assert(xnet.read_file(path)) end

-- Student's t quantiles against closed forms: df 1 is Cauchy, tan(pi (p - 1/2));
-- df 2: (2p - 1) / sqrt(2 p (1 - p)); a large df tends to the normal's 1.959964
t.near(stats.t_quantile(0.975, 1), math.tan(math.pi * 0.475), 1e-6)
t.near(stats.t_quantile(0.975, 2), 0.95 / math.sqrt(2 * 0.975 * 0.025), 1e-7)
t.near(stats.t_quantile(0.975, 1000), 1.959964, 1e-5)
t.check(stats.t_quantile(0.975, 4) > stats.t_quantile(0.975, 30), "fewer repeats, wider")

-- data: 3 metrics over x = layer 0..31, two methods, 3 repeats
local rows = {}
for l = 0, 31 do
  for _, m in ipairs { "spacexnet", "randplace" } do
    for rep = 1, 3 do
      local base = m == "spacexnet" and 36 or 100
      rows[#rows + 1] = { layer = l, method = m, ["repeat"] = rep, latency_ms = base + rep,
                          other_ms = base / 2 + rep, hops = 3 }
    end
  end
end
local data = { rows = rows, params = { "layer", "method" } }

-- ci95: mean +- t(0.975, 2) * sd / sqrt(3); values base+1..base+3 have sd 1
local agg = plot.aggregate { data = data, x = "layer", y = "latency_ms", by = "method",
                             errors = "ci95" }
local half = stats.t_quantile(0.975, 2) / math.sqrt(3)
t.near(agg.series[1].at[5].hi - agg.series[1].at[5].mean, half, 1e-12)
t.check(agg.n_min == 3 and agg.n_max == 3)

-- lines: renamed legend, units in labels, key says what the bars are, tight axes
local res = assert(plot.lines { data = data, x = "layer", y = "latency_ms", by = "method",
                                labels = { spacexnet = "Space-XNet" }, errors = "se",
                                out = tmp .. "/a/lines", gnuplot = false })
local gp = read(res.script)
t.check(gp:find("title 'Space-XNet'", 1, true) and gp:find("title 'randplace'", 1, true), gp)
t.check(gp:find("set ylabel 'latency (ms)'", 1, true) and gp:find("set xlabel 'layer'", 1, true))
t.check(gp:find("method; mean ± 1 standard error over 3 repeats", 1, true), gp)
t.check(gp:find("set xrange [-0.93:31.93]", 1, true), "x fitted to 0..31, not -5..35")
local ylo = tonumber(gp:match("set yrange %[([^:]+):"))
t.check(ylo and ylo > 30 and ylo < 37, "y fitted to the data: " .. tostring(ylo))
-- each series its own colour, marker and dash
local colours, markers = {}, {}
for c, dt, pt in gp:gmatch("lc rgb '(#%x+)' lw 2 dt (%d+) pt (%d+)") do
  colours[#colours + 1], markers[#markers + 1] = c .. dt, pt
end
t.check(#colours == 2 and colours[1] ~= colours[2] and markers[1] ~= markers[2], gp)
t.check(gp:find("#0072B2", 1, true) and gp:find("#D55E00", 1, true), "Okabe-Ito colours")

-- several metrics in one plot (one series per metric and method), formats, size
res = assert(plot.lines { data = data, x = "layer", y = { "latency_ms", "other_ms" },
                          by = "method", out = tmp .. "/b/multi", size = { 1200, 700 },
                          formats = { "pdf", "svg" }, ylabel = "time (ms)", gnuplot = false })
gp = read(res.script)
t.check(select(2, gp:gsub("with linespoints", "")) == 4 and select(2, gp:gsub("with yerrorbars", "")) == 4,
        "four series")
t.check(gp:find("title 'latency_ms, spacexnet'", 1, true) and gp:find("set ylabel 'time (ms)'", 1, true))
t.check(gp:find("set terminal pdfcairo size 12.00in,7.00in", 1, true)
        and gp:find("set terminal svg size 1200,700", 1, true) and not gp:find("png"), gp)
t.check(res.pdf == tmp .. "/b/multi.pdf" and res.files[2] == tmp .. "/b/multi.svg")
-- counts never go below zero; a single run says it has no error bars
res = assert(plot.bars { data = { { g = "a", v = 0 }, { g = "b", v = 5 } }, x = "g", y = "v",
                         out = tmp .. "/c/bars", gnuplot = false })
gp = read(res.script)
t.check(gp:find("set yrange [0:5.3]", 1, true) and gp:find("one run per point: no error bars", 1, true), gp)
t.check(gp:find("lc rgb '#0072B2'", 1, true))

-- the failure rule: misuse raises, data and files return nil, message
t.check_error("unknown format 'jpg' (", plot.lines, { data = data, x = "layer", y = "hops",
              where = { method = "a" }, out = tmp .. "/x", formats = { "jpg" } })
t.check_error("size must be { width, height } in pixels", plot.lines,
              { data = data, x = "layer", y = "hops", out = tmp .. "/x", size = { 10, 10 } })
t.check_error("unknown column 'latency' (did you mean 'latency_ms'?", plot.lines,
              { data = data, x = "layer", y = "latency", out = tmp .. "/x" })
local none, err = plot.lines { data = data, x = "layer", y = "hops", by = "method",
                               where = { method = "nope" }, out = tmp .. "/x" }
t.check(none == nil and err == "no rows match where", err)
none, err = plot.lines { data = tmp .. "/missing.csv", x = "a", y = "b", out = tmp .. "/x" }
t.check(none == nil and err:find("missing.csv", 1, true), err)
t.check(plot.label("rate_bps") == "rate (bit/s)" and plot.label("omega_max") == "omega max")

local gnuplot = os.execute("command -v gnuplot >/dev/null 2>&1")
if gnuplot then
  res = assert(plot.lines { data = data, x = "layer", y = "latency_ms", by = "method",
                            out = tmp .. "/d/all", formats = { "svg", "png", "pdf" } })
  t.check(res.rendered and read(res.pdf):sub(1, 5) == "%PDF-" and read(res.png):sub(2, 4) == "PNG"
          and read(res.svg):find("<svg", 1, true))
else
  t.check(false, "gnuplot (gnuplot-nox) is needed to render plots")
end

-- the map: subnets in distinct colours, gateways labelled, latitude fitted, fixed scale
local con = xnet.walker { pattern = "delta", planes = 8, sats = 8, inclination_deg = 53,
                          phasing = 1 }
local net = xnet.network(con, { snapshots = 2 })
local m = xnet.model("llama-moe-3.5b", { layers = 4, experts = 4 })
local prof = xnet.profile.zipf(m, 1)
local ring = xnet.ring(net, 4)
res = assert(plot.map { net = net, ring = ring, plan = xnet.place.spacexnet(net, ring, prof),
                        profile = prof, out = tmp .. "/map/m", gnuplot = false })
gp = read(res.script)
t.check(gp:find("set yrange [-60:60]", 1, true), "a 53 deg shell: latitudes to 60")
t.check(gp:find("set cbrange [0:1]", 1, true) and gp:find("with labels", 1, true), gp)
local dat = read(res.dat)
local seen = {}
for colour, layer in dat:gmatch("\n%S+ %S+ (0x%x+) (%-?%d+)") do
  seen[layer] = seen[layer] or colour
  t.check(seen[layer] == colour, "one colour per subnet")
end
t.check(seen["0"] and seen["1"] and seen["0"] ~= seen["1"] and seen["2"] ~= seen["3"],
        "neighbouring subnets differ")
t.check(res.experts == 16 and res.copies == 0 and not read(res.script):find("extra copies", 1, true))
-- a replicated plan: its extra copies drawn as diamonds, in the key, listed in the .dat
local rep = xnet.place.replicate(net, ring, xnet.place.spacexnet(net, ring, prof), prof, { replicas = 3 })
res = assert(plot.map { net = net, ring = ring, plan = rep, profile = prof, out = tmp .. "/map/r",
                        gnuplot = false })
t.check(res.experts == 16 and res.copies == 3, tostring(res.copies))
t.check(read(res.script):find("pt 13 ps 1.5 lc palette title 'extra copies of replicated experts "
                              .. "(diamonds)'", 1, true), read(res.script))
dat = read(res.dat)
for _, r in ipairs(rep:replicas()) do
  local c
  for i, sat in ipairs(rep:copies(r.layer, r.expert)) do
    if sat == r.satellite then c = i - 1 end
  end
  t.check(dat:find(string.format(" %.6f %d %d %d\n", prof:inclusion(r.layer)[r.expert], r.layer,
                                 r.expert, c), 1, true), "the .dat lists the copy of layer "
          .. r.layer .. " expert " .. r.expert)
end

-- the command line: --y with several metrics, --labels, --ylabel, --title, --size, --format
local csv_path = tmp .. "/res.csv"
assert(xnet.export({ rows = rows, columns = { "layer", "method", "repeat", "hops", "latency_ms",
                                              "other_ms" } }, csv_path))
local bin = assert(xnet.executable())
local function q(s) return "'" .. s:gsub("'", "'\\''") .. "'" end
local p = io.popen(string.format("GNUPLOT=/nonexistent %s study plot %s --x layer "
                                 .. "--y latency_ms,other_ms --by method "
                                 .. "--labels spacexnet=Space-XNet,other_ms=Other "
                                 .. "--ylabel 'time (ms)' --title 'A title' --size 900x450 "
                                 .. "--format svg,pdf --errors ci95 --out %s 2>&1", q(bin),
                                 q(csv_path), q(tmp .. "/cli/p")))
local out = p:read("a")
local ok = p:close()
gp = xnet.read_file(tmp .. "/cli/p.gp") or ""
t.check(ok and gp:find("title 'Other, Space-XNet'", 1, true) and gp:find("set ylabel 'time (ms)'", 1, true)
        and gp:find("set title 'A title'", 1, true) and gp:find("svg size 900,450", 1, true)
        and gp:find("pdfcairo", 1, true) and gp:find("95% confidence interval", 1, true), out .. gp)

t.rmtree(tmp)
t.done()
