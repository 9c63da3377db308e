-- Element sets and SGP4: the reader's error paths, SGP4 against python3-sgp4
-- (the Debian package, an independent implementation of the same 2006
-- revision) on its own verification set and on a generated Starlink-like set,
-- a Walker shell against its own TLEs, and the Earth-fixed frame.
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local t = require "harness"
local xnet = require "xnet"

local here = arg[0]:gsub("[^/]*$", "")
local oracle = here .. "../oracle/sgp4_reference.py"
local have_oracle = os.execute("/usr/bin/python3 -c 'import sgp4' 2>/dev/null") == true

local function checksum(line)
  local sum = 0
  for c in line:sub(1, 68):gmatch(".") do
    if c:match("%d") then sum = sum + tonumber(c) elseif c == "-" then sum = sum + 1 end
  end
  return line:sub(1, 68) .. (sum % 10)
end

local iss = checksum("1 25544U 98067A   08264.51782528 -.00002182  00000-0 -11606-4 0  292") .. "\n"
         .. checksum("2 25544  51.6416 247.4627 0006703 130.5360 325.0288 15.72125391 5630") .. "\n"

-- reading
local set = xnet.tle("ISS (ZARYA)\n" .. iss)
t.check(#set == 1 and set:elements(0).name == "ISS (ZARYA)")
local el = set:elements(0)
t.check(el.satnum == 25544 and el.epoch:sub(1, 10) == "2008-09-20")
t.near(el.bstar, -0.11606e-4, 1e-18, "exponent notation with a negative mantissa")
t.near(el.eccentricity, 0.0006703, 1e-15, "implied decimal point")
t.check(#xnet.tle("0 ISS\r\n" .. iss:gsub("\n", "\r\n")) == 1, "3LE titles and CRLF")
local again = xnet.tle(set:text()):elements(0)
for k, v in pairs(el) do t.check(again[k] == v, "text() round trip: " .. k) end

-- bad input: the source, the line and the reason
local l1, l2 = iss:match("([^\n]*)\n([^\n]*)")
t.check_error("<text>:1: line 1 is truncated: 60 columns, a TLE line has 69", xnet.tle,
              l1:sub(1, 60) .. "\n" .. l2 .. "\n")
t.check_error("<text>:2: wrong checksum: the line says", xnet.tle,
              l1 .. "\n" .. l2:sub(1, 68) .. ((tonumber(l2:sub(69)) + 1) % 10) .. "\n")
t.check_error("<text>:2: satellite number 25545 differs from line 1's 25544", xnet.tle,
              l1 .. "\n" .. checksum(l2:sub(1, 6) .. "5" .. l2:sub(8)) .. "\n")
t.check_error("<text>:1: line 1 is not followed by a line 2", xnet.tle, l1 .. "\n")
t.check_error("<text>:1: line 2 without a line 1", xnet.tle, l2 .. "\n")
t.check_error("<text>:2: inclination (columns 9-16) is not a number", xnet.tle,
              l1 .. "\n" .. checksum(l2:sub(1, 8) .. " 51.6x16" .. l2:sub(17)) .. "\n")
t.check_error("<text>:2: inclination must be in [0, 180], got 251.6416", xnet.tle,
              l1 .. "\n" .. checksum(l2:sub(1, 8) .. "251.6416" .. l2:sub(17)) .. "\n")
t.check_error("<text>:2: mean motion must be > 0", xnet.tle,
              l1 .. "\n" .. checksum(l2:sub(1, 52) .. " 0.00000000" .. l2:sub(64)) .. "\n")
t.check_error("<text>: no element sets found", xnet.tle, "\n\n")
t.check_error("<text>:1: title line 'x' is not followed by a line 1", xnet.tle, "x\n" .. l2 .. "\n")
local missing, why = xnet.tle("/nonexistent/starlink.tle")
t.check(missing == nil and why:find("/nonexistent/starlink.tle", 1, true), why)
local path = os.tmpname()
local f = assert(io.open(path, "w"))
f:write(iss, l1:sub(1, 50), "\n")
f:close()
t.check_error(path .. ":3: line 1 is truncated", xnet.tle, path)
os.remove(path)

-- SGP4's own errors name the satellite: a mean eccentricity driven out of
-- [0, 1) by drag, and an orbit whose perigee is under the Earth (decayed).
local dragged = checksum("1 88888U          80275.98708465  .00073094  13844-3  66816-1 0    8") .. "\n"
             .. checksum("2 88888  72.8435 115.9689 0086731  52.6988 110.5714 16.05824518  105") .. "\n"
t.check_error("satellite 88888: SGP4 error 1 at 3000 min from epoch: mean eccentricity left [0, 1)",
              xnet.tle(dragged).teme, xnet.tle(dragged), 0, 3000)
local buried = checksum("1 77777U          26001.00000000  .00000000  00000-0  00000-0 0    8") .. "\n"
            .. checksum("2 77777  72.8435 115.9689 0300000   0.0000   0.0000 16.40000000  105") .. "\n"
t.check_error("satellite 77777 (LOW): SGP4 error 6 at 0 min from epoch: satellite has decayed",
              function() return xnet.tle("LOW\n" .. buried):shell{ planes = 1 } end)
local gps = checksum("1 28474U 04045A   06176.01373611 -.00000012  00000-0  10000-3 0  9550") .. "\n"
         .. checksum("2 28474  54.7299 212.1426 0060539 222.6385 137.0006  2.00563049 13447") .. "\n"
local gx = xnet.tle(gps):teme(0, 0)
t.check(gx > -30000 and gx < 30000, "deep space (GPS, 12-hour orbit) propagates")

-- against python3-sgp4
-- Both must flag an error (python3-sgp4 still gives a state for 6). A set
-- SGP4 fails for at its epoch is refused whole here, where python3-sgp4
-- propagates it anyway (33334 fails at 0 min with 3, later with 1).
local function compare(rows, states, what)
  local n, worst_r, worst_v, codes = 0, 0, 0, 0
  local refused = {}
  for _, r in ipairs(rows) do
    if r.tsince == 0 and r.err ~= 0 then refused[r.set] = true end
  end
  for _, r in ipairs(rows) do
    local ok, x, y, z, vx, vy, vz = pcall(states, r)
    if r.err ~= 0 then
      local msg = tostring(x)
      local agree = not ok and (msg:find("SGP4 error " .. r.err, 1, true)
                                or refused[r.set] and msg:find("at 0 min from epoch", 1, true))
      codes = codes + (agree and 0 or 1)
    elseif not ok then
      codes = codes + 1
    else
      n = n + 1
      worst_r = math.max(worst_r, math.abs(x - r.x), math.abs(y - r.y), math.abs(z - r.z))
      worst_v = math.max(worst_v, math.abs(vx - r.vx), math.abs(vy - r.vy), math.abs(vz - r.vz))
    end
  end
  t.check(n > 0 and codes == 0, what .. ": every SGP4 error code agrees (" .. codes .. " differ)")
  t.check(worst_r <= 1e-6, string.format("%s: %d states, positions within 1 mm (worst %.3g km)",
                                         what, n, worst_r))
  t.check(worst_v <= 1e-6, string.format("%s: velocities within 1e-6 km/s (worst %.3g)", what,
                                         worst_v))
  return n, worst_r, worst_v
end

local function read_rows(cmd)
  local p = assert(io.popen(cmd))
  local sets, rows = {}, {}
  for line in p:lines() do
    local a, b = line:match("^SET (.-)|(.*)$")
    if a then
      sets[#sets + 1] = a .. "\n" .. b .. "\n"
    else
      local v = {}
      for w in line:gmatch("%S+") do v[#v + 1] = tonumber(w) end
      rows[#rows + 1] = { satnum = v[1], tsince = v[2], err = v[3], x = v[4], y = v[5], z = v[6],
                          vx = v[7], vy = v[8], vz = v[9], set = #sets }
    end
  end
  p:close()
  return sets, rows
end

if not have_oracle then
  print("note: /usr/bin/python3 with python3-sgp4 not found: the 7 comparisons against it are "
        .. "skipped (apt-get install python3-sgp4)")
else
  -- The package's verification set, near-Earth and deep space; its three sets
  -- with wrong checksums (deliberate: they test SGP4, not the reader) are
  -- compared after their checksums are recomputed.
  local sets, rows = read_rows("/usr/bin/python3 " .. oracle .. " ver")
  local near_rows, deep_sets, near_sets, bad_sums = {}, 0, 0, 0
  local props = {}
  for i, text in ipairs(sets) do
    local ok, s = pcall(xnet.tle, text)
    if not ok and tostring(s):find("wrong checksum", 1, true) then
      bad_sums = bad_sums + 1
      s = xnet.tle(text:gsub("[^\n]+", function(line) return checksum(line) end))
    end
    local period_min = 1440 / s:elements(0).mean_motion_rev_day
    if period_min >= 225 then deep_sets = deep_sets + 1 else near_sets = near_sets + 1 end
    props[i] = s
  end
  for _, r in ipairs(rows) do
    if props[r.set] then near_rows[#near_rows + 1] = r end
  end
  local n, wr, wv = compare(near_rows, function(r) return props[r.set]:teme(0, r.tsince) end,
                            "SGP4-VER.TLE")
  print(string.format("SGP4-VER.TLE: %d near-Earth and %d deep-space sets (%d with their "
                      .. "checksums recomputed), %d states: worst %.2g km, %.2g km/s", near_sets,
                      deep_sets, bad_sums, n, wr, wv))
  t.check(near_sets == 9 and deep_sets == 24 and bad_sums == 3, "9 near-Earth, 24 deep-space sets")

  -- A generated Starlink-like set over three days.
  math.randomseed(13)
  local lines = {}
  local function expo(v)
    if v == 0 then return " 00000+0" end
    local e = math.floor(math.log(math.abs(v), 10)) + 1
    local m = math.floor(math.abs(v) / 10 ^ e * 1e5 + 0.5)
    return string.format("%s%05d%s%d", v < 0 and "-" or " ", m, e < 0 and "-" or "+", math.abs(e))
  end
  for i = 1, 40 do
    local bstar = (math.random() - 0.1) * 4e-4
    lines[#lines + 1] = checksum(string.format("1 %05dU 19029A   26%012.8f  .%08d  00000-0 %s 0  999",
      44000 + i, 1 + math.random() * 30, math.random(0, 20000), expo(bstar)))
    lines[#lines + 1] = checksum(string.format("2 %05d %8.4f %8.4f %07d %8.4f %8.4f %11.8f%5d",
      44000 + i, 53 + math.random() * 0.2, math.random() * 360, math.random(1000, 3000),
      math.random() * 360, math.random() * 360, 15.05 + math.random() * 0.06, i))
  end
  local tles = table.concat(lines, "\n") .. "\n"
  local tmp = os.tmpname()
  local fh = assert(io.open(tmp, "w"))
  fh:write(tles)
  fh:close()
  local _, grows = read_rows("/usr/bin/python3 " .. oracle .. " " .. tmp .. " 0 4320 60")
  os.remove(tmp)
  local gen = xnet.tle(tles)
  local index = {}
  for i = 0, #gen - 1 do index[gen:elements(i).satnum] = i end
  n, wr, wv = compare(grows, function(r) return gen:teme(index[r.satnum], r.tsince) end,
                      "Starlink-like")
  print(string.format("Starlink-like set: 40 sets, %d states over 3 days: worst %.2g km, %.2g km/s",
                      n, wr, wv))
end

-- A Walker shell and its own TLEs: SGP4 reads the two-body elements as mean
-- elements, so they differ by J2. The radius differs by the short-period
-- terms and the mean-to-osculating offset (under 10 km at 550 km); the node
-- regresses at -1.5 n J2 (R/p)^2 cos i, which the two-body shell lacks.
local walker = xnet.walker{ pattern = "delta", planes = 6, sats = 10, phasing = 1,
                            altitude_km = 550, inclination_deg = 53, epoch = "2026-01-01" }
local shell = xnet.tle(walker:tle()):shell{ planes = 6, sats = 10, pattern = "delta", phasing = 1 }
t.check(shell.source == "sgp4" and shell.epoch == walker.epoch and #shell == 60)
local worst = 0
for id = 0, 59, 7 do
  for k = 0, 10 do
    local x, y, z = walker:position(id, k * walker:period() / 10)
    local a, b, c = shell:position(id, k * walker:period() / 10)
    worst = math.max(worst, math.sqrt((x - a) ^ 2 + (y - b) ^ 2 + (z - c) ^ 2))
  end
end
t.check(worst < 60, string.format("within one period the two agree to %.1f km (< 60 km)", worst))
local function node(con, id, time)   -- right ascension of the orbit normal's node
  local x, y, z = con:position(id, time)
  local vx, vy, vz = con:velocity(id, time)
  local hx, hy = y * vz - z * vy, z * vx - x * vz
  return math.atan(hx, -hy)
end
local day = 86400
local drift = (node(shell, 0, day) - node(shell, 0, 0) + math.pi) % (2 * math.pi) - math.pi
local re, j2, a = 6378.135, 0.001082616, 6378.135 + shell.altitude_km
local n = 2 * math.pi / shell:period()
-- First-order J2 only: SGP4 adds J2^2 and J4 terms worth under 1 %.
t.near(drift / day, -1.5 * n * j2 * (re / a) ^ 2 * math.cos(math.rad(53)), 9e-9,
       "SGP4's nodal regression is J2's")
t.near(node(walker, 0, day), node(walker, 0, 0), 1e-12, "the two-body shell has none")

-- The Earth-fixed frame: longitude against python3-sgp4's own sidereal time
-- (gstime, GMST 1982), and a two-body ground track that moves west by the
-- Earth's rotation each orbit.
local eq = xnet.walker{ planes = 2, sats = 4, inclination_deg = 0, epoch = "2026-03-20T12:00:00" }
local period = eq:period()
local lat0, lon0 = eq:subpoint(0, 0)
local lat1, lon1 = eq:subpoint(0, period)
t.near(lat0, 0, 1e-9, "an equatorial orbit stays on the equator")
t.near((lon0 - lon1) % 360, math.deg(period * 7.2921158553e-5) % 360, 1e-6,
       "the ground track moves west by the Earth's rotation per orbit")
if have_oracle then
  local jds, ours = {}, {}
  for k = 0, 24 do
    local x, y = shell:position(3, k * 3600)
    local _, lon = shell:subpoint(3, k * 3600)
    jds[#jds + 1] = string.format("%.10f", shell.epoch_jd + k / 24)
    ours[#ours + 1] = { lon = lon, inertial = math.atan(y, x) }
  end
  local p = assert(io.popen("/usr/bin/python3 " .. oracle .. " gmst " .. table.concat(jds, " ")))
  local worst_lon, k = 0, 0
  for line in p:lines() do
    k = k + 1
    local want = math.deg(ours[k].inertial - tonumber(line))
    worst_lon = math.max(worst_lon, math.abs((ours[k].lon - want + 180) % 360 - 180))
  end
  p:close()
  t.check(k == 25 and worst_lon < 1e-6,
          string.format("sub-point longitude over a day within %.2g deg of python3-sgp4's", worst_lon))
end
local phi, lam, h = shell:subpoint(0, 0)
t.check(math.abs(phi) <= 53.2 and lam > -180 and lam <= 180 and h > 500 and h < 600)

t.done()
