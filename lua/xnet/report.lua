-- Tables for people (Markdown on stdout) and the provenance every result
-- file carries (CSV comment lines, study manifests and run logs). CSV itself
-- is xnet.csv.
local core = require "xnet.core"
local json = require "xnet.json"
local util = require "xnet.util"

local report = {}

local function cell(v)
  if type(v) == "number" then
    if math.type(v) == "integer" then return tostring(v) end
    if v ~= v then return "-" end -- no value (an unreachable user, say), as the README's tables
    return string.format("%.6g", v)
  end
  return tostring(v == nil and "" or v)
end

-- report.markdown(rows, columns) -> string; rows are tables keyed by column.
-- Numbers in %.6g (nan as "-"), right-aligned when the first row's value is a number.
function report.markdown(rows, columns)
  local widths, lines = {}, {}
  for i, c in ipairs(columns) do
    widths[i] = utf8.len(c) or #c
    for _, r in ipairs(rows) do
      local s = cell(r[c])
      widths[i] = math.max(widths[i], utf8.len(s) or #s)
    end
  end
  local function line(values, numeric)
    local out = {}
    for i, v in ipairs(values) do
      local pad = string.rep(" ", widths[i] - (utf8.len(v) or #v))
      out[i] = numeric and numeric[i] and pad .. v or v .. pad
    end
    return "| " .. table.concat(out, " | ") .. " |"
  end
  lines[1] = line(columns)
  local rule, numeric = {}, {}
  for i, c in ipairs(columns) do
    numeric[i] = rows[1] ~= nil and type(rows[1][c]) == "number"
    rule[i] = numeric[i] and string.rep("-", widths[i] + 1) .. ":" or string.rep("-", widths[i] + 2)
  end
  lines[2] = "|" .. table.concat(rule, "|") .. "|"
  for _, r in ipairs(rows) do
    local values = {}
    for i, c in ipairs(columns) do values[i] = cell(r[c]) end
    lines[#lines + 1] = line(values, numeric)
  end
  return table.concat(lines, "\n")
end

-- report.timestamp(t = now) -> "2026-01-31T12:00:00Z" (UTC, whole seconds)
function report.timestamp(t)
  if t ~= nil and not (type(t) == "number" and math.abs(t) < 2 ^ 53) then
    error("report.timestamp: t must be seconds since 1970 (finite), got " .. util.describe(t), 2)
  end
  return os.date("!%Y-%m-%dT%H:%M:%SZ", math.floor(t or core.time()))
end

-- report.provenance(extra) -> what made a result: spacexnet_version,
-- revision (the build's git revision, json.null outside a checkout),
-- lua_version, igraph_version and host, with extra's entries added
function report.provenance(extra)
  local meta = {
    spacexnet_version = core.version,
    revision = core.revision ~= "unknown" and core.revision or json.null,
    lua_version = core.lua_version,
    igraph_version = core.igraph_version,
    host = core.hostname(),
  }
  for k, v in pairs(extra or {}) do meta[k] = v end
  return meta
end

return report
