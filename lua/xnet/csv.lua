-- CSV as spacexnet writes and reads it (RFC 4180): a header line, one line
-- per row, fields quoted when they hold a comma, quote, line break or edge
-- space; numbers in their shortest exact form (nan, inf, -inf for the
-- non-finite), so a table survives a round trip bit for bit. Provenance, when
-- given, comes first as '# key: value' lines (pandas: comment='#').
local json = require "xnet.json"
local util = require "xnet.util"

local csv = {}

-- csv.field(v) -> v as a CSV field; nil and json.null are empty
function csv.field(v)
  local tv = type(v)
  if v == nil or v == json.null then return "" end
  if tv == "number" then return json.number(v) end
  if tv == "boolean" then return tostring(v) end
  v = tostring(v)
  if v:find('[,"\r\n]') or v:match("^%s") or v:match("%s$") then
    return '"' .. v:gsub('"', '""') .. '"'
  end
  return v
end

-- csv.encode(rows, columns, meta) -> text: meta's entries (sorted by key) as
-- comment lines, the header, then each row's fields in column order
function csv.encode(rows, columns, meta)
  local out = {}
  for _, k in ipairs(meta and util.sorted_keys(meta) or {}) do
    out[#out + 1] = "# " .. k .. ": " .. tostring(meta[k]):gsub("[\r\n]", " ")
  end
  local line = {}
  for i, c in ipairs(columns) do line[i] = csv.field(c) end
  out[#out + 1] = table.concat(line, ",")
  for _, row in ipairs(rows) do
    for i, c in ipairs(columns) do line[i] = csv.field(row[c]) end
    out[#out + 1] = table.concat(line, ",")
  end
  return table.concat(out, "\n") .. "\n"
end

-- csv.columns(rows) -> every string key any row has, sorted: the columns
-- of rows that do not name their own
function csv.columns(rows)
  local seen = {}
  for _, row in ipairs(rows) do
    for k in pairs(row) do
      if type(k) == "string" then seen[k] = true end
    end
  end
  return util.sorted_keys(seen)
end

local specials = { ["nan"] = 0 / 0, ["inf"] = math.huge, ["-inf"] = -math.huge,
                   ["true"] = true, ["false"] = false }

-- csv.value(s, quoted) -> the value of a field: unquoted numbers, nan, inf,
-- true and false converted, an empty unquoted field nil; quoted ones as text
function csv.value(s, quoted)
  if quoted then return s end
  if s == "" then return nil end
  if specials[s] ~= nil then return specials[s] end
  return tonumber(s) or s
end

-- csv.decode(text) -> rows, columns | nil, message
-- Comment lines ('#') before the header are skipped; rows are tables keyed
-- by column name, fields converted by csv.value.
function csv.decode(text)
  local rows, columns, record, nf, field, quoted = {}, nil, {}, 0, {}, false
  local function end_field()
    nf = nf + 1
    local raw = table.concat(field)
    if columns then
      record[nf] = csv.value(raw, quoted)
    else
      record[nf] = raw
    end
    field, quoted = {}, false
  end
  local function end_record()
    end_field()
    if not columns then
      columns = record
    elseif nf > 1 or record[1] ~= nil then
      local row = {}
      for k, name in ipairs(columns) do row[name] = record[k] end
      rows[#rows + 1] = row
    end
    record, nf = {}, 0
  end
  local i, n = 1, #text
  while text:sub(i, i) == "#" do
    i = (text:find("\n", i, true) or n) + 1
  end
  while i <= n do
    local c = text:sub(i, i)
    if c == '"' and #field == 0 and not quoted then
      local j = i + 1
      while true do
        local q = text:find('"', j, true)
        if not q then return nil, "csv: unterminated quoted field" end
        field[#field + 1] = text:sub(j, q - 1)
        if text:sub(q + 1, q + 1) ~= '"' then
          i = q + 1
          break
        end
        field[#field + 1] = '"'
        j = q + 2
      end
      quoted = true
    elseif c == "," then
      end_field()
      i = i + 1
    elseif c == "\n" or c == "\r" then
      end_record()
      i = i + ((c == "\r" and text:sub(i + 1, i + 1) == "\n") and 2 or 1)
    else
      local j = text:find("[,\r\n]", i) or n + 1
      field[#field + 1] = text:sub(i, j - 1)
      i = j
    end
  end
  if #field > 0 or nf > 0 or quoted then end_record() end
  if not columns then return nil, "csv: no header" end
  return rows, columns
end

return csv
