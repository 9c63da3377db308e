-- The constellation catalogue (lib/constellations/*.lua): real and published
-- shells as Walker constellations, each file citing the source of its numbers.
-- A multi-shell constellation is a list of shells; spacexnet builds a network
-- per shell and models no links between shells.
local util = require "xnet.util"

local M = {}

-- Defaults for fields a catalogue shell may leave out.
local SHELL_DEFAULTS = { pattern = "delta", phasing = 0 }
local ALLOWED = { name = true, description = true, shells = true, min_elevation_deg = true }
local SHELL_FIELDS = { planes = true, sats = true, altitude_km = true, inclination_deg = true,
                       pattern = true, phasing = true }

local function dir(xnet) return xnet.root .. "/lib/constellations" end

-- The catalogue's names, sorted.
function M.names(xnet)
  local names = {}
  for _, file in ipairs(xnet.list_dir(dir(xnet)) or {}) do
    names[#names + 1] = file:match("^(.+)%.lua$")
  end
  table.sort(names)
  return names
end

-- The entry's table, checked; raises naming the file and the field.
local function entry(xnet, name)
  if type(name) ~= "string" or not name:match("^[%w%._%-]+$") then
    error(string.format("constellation name must be letters, digits, '.', '_' or '-', got %s",
                        util.describe(name)), 3)
  end
  local path = dir(xnet) .. "/" .. name .. ".lua"
  local chunk, err = loadfile(path, "t", {})
  if not chunk then
    if err:find("No such file", 1, true) or err:find("cannot open", 1, true) then
      error(xnet.unknown_name("constellation", name, M.names(xnet)), 3)
    end
    error(err, 3)
  end
  local t = chunk()
  if type(t) ~= "table" or type(t.shells) ~= "table" or #t.shells < 1 then
    error(path .. ": must return a table with a list of shells", 3)
  end
  for k in pairs(t) do
    if not ALLOWED[k] then error(string.format("%s: unknown field '%s'", path, tostring(k)), 3) end
  end
  for i, s in ipairs(t.shells) do
    for k in pairs(s) do
      if not SHELL_FIELDS[k] then
        error(string.format("%s: shell %d: unknown field '%s'", path, i, tostring(k)), 3)
      end
    end
  end
  return t
end

-- xnet.constellation(name, shell, { epoch = }) -> Constellation of shell
-- `shell` (1-based); without a shell number, { name, description,
-- min_elevation_deg, inter_shell_links = "none", shells = { con, ... } }.
function M.load(xnet, name, shell, opts)
  local t = entry(xnet, name)
  if type(shell) == "table" and opts == nil then shell, opts = nil, shell end
  opts = opts or {}
  for k in pairs(opts) do
    if k ~= "epoch" then error(string.format("unknown option '%s' (allowed: epoch)", tostring(k)), 2) end
  end
  local function walker(s)
    local spec = { epoch = opts.epoch }
    for k, v in pairs(SHELL_DEFAULTS) do spec[k] = v end
    for k, v in pairs(s) do spec[k] = v end
    return xnet.walker(spec)
  end
  if shell ~= nil then
    if math.type(shell) ~= "integer" or shell < 1 or shell > #t.shells then
      error(string.format("shell must be an integer in [1, %d] for '%s', got %s", #t.shells, name,
                          util.describe(shell)), 2)
    end
    return walker(t.shells[shell])
  end
  local out = { name = t.name or name, description = t.description,
                min_elevation_deg = t.min_elevation_deg, inter_shell_links = "none", shells = {} }
  for i, s in ipairs(t.shells) do out.shells[i] = walker(s) end
  return out
end

-- xnet.constellations() -> the names; printed, one line per shell.
function M.list(xnet)
  local names, lines = M.names(xnet), {}
  for _, name in ipairs(names) do
    local c = M.load(xnet, name)
    local total = 0
    for _, con in ipairs(c.shells) do total = total + #con end
    lines[#lines + 1] = string.format("%-20s %5d satellites in %d shell%s: %s", name, total,
                                      #c.shells, #c.shells > 1 and "s" or "", c.description or "")
    for i, con in ipairs(c.shells) do
      lines[#lines + 1] = string.format("  shell %d: %s %d x %d, %g km, %g deg", i, con.pattern,
                                        con.planes, con.sats, con.altitude_km, con.inclination_deg)
    end
  end
  local text = table.concat(lines, "\n")
  return setmetatable(names, { __tostring = function() return text end })
end

return M
