-- Tables for people and files: Markdown on stdout, CSV on disk. A CSV carries
-- its provenance as '# key: value' lines before the header (read them back
-- with a CSV reader's comment option, e.g. pandas' comment='#').
local report = {}

local function cell(v)
  if type(v) == "number" then
    if math.type(v) == "integer" then return tostring(v) end
    if v ~= v then return "nan" end
    return string.format("%.6g", v)
  end
  return tostring(v == nil and "" or v)
end

-- report.markdown(rows, columns) -> string; rows are tables keyed by column.
function report.markdown(rows, columns)
  local widths, lines = {}, {}
  for i, c in ipairs(columns) do
    widths[i] = #c
    for _, r in ipairs(rows) do widths[i] = math.max(widths[i], #cell(r[c])) end
  end
  local function line(values, numeric)
    local out = {}
    for i, v in ipairs(values) do
      local fmt = numeric and numeric[i] and "%" .. widths[i] .. "s" or "%-" .. widths[i] .. "s"
      out[i] = string.format(fmt, v)
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

-- report.csv(rows, columns, meta) -> string: the study module's CSV (exact
-- numbers, RFC 4180 quoting) after the provenance in meta, sorted by key.
function report.csv(rows, columns, meta)
  local out = {}
  if meta then
    local keys = {}
    for k in pairs(meta) do keys[#keys + 1] = k end
    table.sort(keys)
    for _, k in ipairs(keys) do
      out[#out + 1] = "# " .. k .. ": " .. tostring(meta[k]):gsub("\n", " ") .. "\n"
    end
  end
  out[#out + 1] = require("xnet.study").to_csv(rows, columns)
  return table.concat(out)
end

-- Provenance every result file carries.
function report.provenance(extra)
  local xnet = require "xnet"
  local meta = {
    spacexnet = xnet.version,
    revision = xnet.revision,
    lua = xnet.lua_version,
    igraph = xnet.igraph_version,
    created = os.date("!%Y-%m-%dT%H:%M:%SZ"),
  }
  for k, v in pairs(extra or {}) do meta[k] = v end
  return meta
end

return report
