-- xnet.export(value, path): results leave spacexnet as CSV or JSON (chosen
-- by the extension; gzip when it ends in .gz), written atomically.
--
-- JSON: the value as a tree. Tables keyed exactly 0 .. n-1 (per_layer, a
-- profile's inclusion) become arrays in that order; Plans, Rings and Rows
-- become tables (below); infinities and NaN become null.
-- CSV: one header line, then rows (RFC 4180 quoting, numbers exact);
-- infinities and NaN become empty cells. What becomes a row:
--   a list of rows (tables keyed by column) or a study result (.rows) -- each row;
--   an evaluate result -- one row per layer: layer, per_layer, exact_per_layer,
--     with the result's scalar fields repeated on every row (tidy form); with
--     a breakdown (evaluate's breakdown = true) also, per part P (propagation_s,
--     ..., access_s), the layer's layer_breakdown_P, layer_breakdown_stderr_P,
--     exact_layer_breakdown_P (no access_s: it is the token's) and the
--     token's breakdown_P, breakdown_stderr_P, exact_breakdown_P, repeated;
--   a Plan -- the plan file plan:save writes (layer, role, expert, satellite
--     after two '#' lines; role gateway, expert or replica), which
--     xnet.plan.load reads back; JSON adds `replicas` when there are any;
--   a serve result -- one row per satellite that served: satellite,
--     utilisation, busiest_rank (1 = busiest; empty below the `busiest` list),
--     with the result's scalar fields repeated on every row;
--   a Profile -- layer, e0, ..., e<E-1>: the inclusion probabilities, the
--     weight table xnet.profile.table(m, path, { kind = "probability" }) reads
--     (JSON: name, model, layers, inclusion as an array per layer);
--   a Ring -- layer, position, satellite, gateway (true for the gateway);
--   a list of numbers, a per_layer table or a Row -- index, value (keys as given);
--   a table of scalars -- one row.
local core = require "xnet.core"
local csv = require "xnet.csv"
local json = require "xnet.json"

local export = {}

-- Errors are raised at the caller of xnet.export (export.write catches these
-- and raises them again at level 2), never at a line of this file.
local failure = {}
local function fail(fmt, ...)
  error(setmetatable({ message = string.format(fmt, ...) }, failure), 0)
end

-- A tree deeper than this is refused (a clear message instead of a stack overflow).
local MAX_DEPTH = 1000

local function type_name(v)
  local mt = getmetatable(v)
  return type(mt) == "table" and type(mt.__name) == "string" and mt.__name or nil
end

local function finite_or_nil(v)
  if type(v) == "number" and (v ~= v or v == math.huge or v == -math.huge) then return nil end
  return v
end

-- The userdata a result may hold, as plain tables.
local function plan_tree(plan)
  local t = { method = plan:method(), layers = plan:layers(), experts = plan:experts(),
              gateways = json.array {}, satellites = json.array {} }
  for l = 0, plan:layers() - 1 do
    t.gateways[l + 1] = plan:gateway(l)
    local row = json.array {}
    for e = 0, plan:experts() - 1 do row[e + 1] = plan:satellite(l, e) end
    t.satellites[l + 1] = row
  end
  local replicas = plan:replicas()
  if #replicas > 0 then t.replicas = json.array(replicas) end
  return t
end

local function ring_tree(ring)
  local t = { layers = ring:layers(), gateways = json.array {}, subnets = json.array {} }
  for l = 0, ring:layers() - 1 do
    t.gateways[l + 1] = ring:gateway(l)
    t.subnets[l + 1] = json.array(ring:subnet(l))
  end
  return t
end

-- A profile: its name, model and per-layer inclusion probabilities (CSV: the
-- weight table xnet.profile.table(m, path, { kind = "probability" }) reads).
local function profile_rows(p)
  local rows, columns = {}, { "layer" }
  for l = 0, p:layers() - 1 do
    local r, inc = { layer = l }, p:inclusion(l)
    for e = 0, #inc + (inc[0] ~= nil and 0 or -1) do
      local col = "e" .. e
      r[col] = inc[e]
      if l == 0 then columns[#columns + 1] = col end
    end
    rows[#rows + 1] = r
  end
  return rows, columns
end

function export.profile_tree(p)
  local inclusion = json.array {}
  for l = 0, p:layers() - 1 do
    local inc, row = p:inclusion(l), json.array {}
    for e = 0, #inc + (inc[0] ~= nil and 0 or -1) do row[#row + 1] = inc[e] end
    inclusion[l + 1] = row
  end
  return { name = p:name(), model = p:model():fields().name, layers = p:layers(),
           inclusion = inclusion }
end

local function row_table(row)
  return row:table()
end

local converters = {
  ["xnet.Plan"] = plan_tree, ["xnet.Ring"] = ring_tree, ["xnet.Row"] = row_table,
  ["xnet.Profile"] = function(p) return export.profile_tree(p) end,
  ["xnet.Model"] = function(m) return m:fields() end,
  ["xnet.Constellation"] = function(c) return tostring(c) end,
  ["xnet.Network"] = function(n) return n:params() end,
}

-- export.tree(value) -> a tree json.encode writes: objects converted to
-- tables, and numeric keys that do not form an array written as strings.
function export.tree(v, seen, depth)
  seen, depth = seen or {}, depth or 0
  local conv = converters[type_name(v)]
  if conv then v = conv(v) end
  if type(v) == "userdata" then fail("cannot export a %s", type_name(v) or "userdata") end
  if type(v) == "function" or type(v) == "thread" then fail("cannot export a %s", type(v)) end
  if type(v) ~= "table" or v == json.null then return v end
  if seen[v] then fail("cannot export a table that contains itself") end
  if depth >= MAX_DEPTH then fail("cannot export tables nested more than %d deep", MAX_DEPTH) end
  seen[v] = true
  local out, keys, numeric = {}, 0, 0
  for k, x in pairs(v) do
    out[k] = export.tree(x, seen, depth + 1)
    keys = keys + 1
    if type(k) == "number" then numeric = numeric + 1 end
  end
  seen[v] = nil
  if type_name(v) == "json.array" then return json.array(out) end
  local array = numeric == keys and #out == keys - (out[0] ~= nil and 1 or 0)
  if numeric > 0 and not array then
    local named = {}
    for k, x in pairs(out) do named[tostring(k)] = x end
    out = named
  end
  return out
end

local function scalar(v)
  local t = type(v)
  return t == "number" or t == "string" or t == "boolean"
end

-- A list of tables? A list (or 0-based table) of scalars?
local function list_kind(t)
  local first = t[0] ~= nil and 0 or 1
  if t[first] == nil then return nil end
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  local last = first + n - 1
  for i = first, last do
    if t[i] == nil then return nil end
  end
  local tables, scalars = true, true
  for i = first, last do
    tables = tables and type(t[i]) == "table" and type_name(t[i]) == nil
    scalars = scalars and scalar(t[i])
  end
  return tables and "rows" or scalars and "values" or nil, first, last
end

-- Columns of rows: those a study result names, else every key, sorted.
local function columns_of(rows, named)
  return named or csv.columns(rows)
end

-- A serve result: one row per satellite that served (satellite, utilisation,
-- busiest_rank: its place among `busiest`, empty below them), sorted by
-- satellite, with the result's scalar fields repeated on every row.
local function serve_rows(v)
  local base, cols = {}, {}
  for k, x in pairs(v) do
    if type(k) == "string" and scalar(x) then base[k], cols[#cols + 1] = x, k end
  end
  table.sort(cols)
  local rank = {}
  for i, b in ipairs(v.busiest) do rank[b.satellite] = i end
  local ids = {}
  for id in pairs(v.utilisation) do ids[#ids + 1] = id end
  table.sort(ids)
  local rows = {}
  for _, id in ipairs(ids) do
    local r = { satellite = id, utilisation = v.utilisation[id], busiest_rank = rank[id] }
    for k, x in pairs(base) do r[k] = x end
    rows[#rows + 1] = r
  end
  if #rows == 0 then rows[1] = base end
  table.insert(cols, 1, "satellite")
  table.insert(cols, 2, "utilisation")
  table.insert(cols, 3, "busiest_rank")
  return rows, cols
end

-- export.rows(value) -> rows, columns: what a CSV of value holds
function export.rows(v)
  local tn = type_name(v)
  if tn == "xnet.Plan" then
    local rows = {}
    for l = 0, v:layers() - 1 do
      rows[#rows + 1] = { layer = l, role = "gateway", expert = nil, satellite = v:gateway(l) }
      for e = 0, v:experts() - 1 do
        for c, s in ipairs(v:copies(l, e)) do
          rows[#rows + 1] = { layer = l, role = c == 1 and "expert" or "replica", expert = e,
                              satellite = s }
        end
      end
    end
    return rows, { "layer", "role", "expert", "satellite" }
  elseif tn == "xnet.Ring" then
    local rows = {}
    for l = 0, v:layers() - 1 do
      local g = v:gateway(l)
      for i, id in ipairs(v:subnet(l)) do
        rows[#rows + 1] = { layer = l, position = i - 1, satellite = id, gateway = id == g }
      end
    end
    return rows, { "layer", "position", "satellite", "gateway" }
  elseif tn == "xnet.Row" then
    v = v:table()
  elseif tn == "xnet.Result" then
    local base, cols = {}, {}
    for k, x in pairs(v) do
      if scalar(x) then base[k], cols[#cols + 1] = x, k end
    end
    table.sort(cols)
    -- the breakdown flattened: (result field, column prefix) pairs
    local totals = { { "breakdown", "breakdown_" }, { "breakdown_stderr", "breakdown_stderr_" },
                     { "exact_breakdown", "exact_breakdown_" } }
    local layers = { { "per_layer_breakdown", "layer_breakdown_" },
                     { "per_layer_breakdown_stderr", "layer_breakdown_stderr_" },
                     { "exact_per_layer_breakdown", "exact_layer_breakdown_" } }
    local parts, part_cols = {}, {}
    for _, f in ipairs(totals) do
      for name in pairs(v[f[1]] or {}) do parts[name] = true end
    end
    local names = {}
    for name in pairs(parts) do names[#names + 1] = name end
    table.sort(names)
    for _, f in ipairs(layers) do
      for _, name in ipairs(names) do
        if name ~= "access_s" and v[f[1]] then part_cols[#part_cols + 1] = f[2] .. name end
      end
    end
    for _, f in ipairs(totals) do
      for _, name in ipairs(names) do
        if v[f[1]] then
          base[f[2] .. name] = v[f[1]][name]
          part_cols[#part_cols + 1] = f[2] .. name
        end
      end
    end
    local rows = {}
    local per, exact = v.per_layer or {}, v.exact_per_layer or {}
    for l = 0, (v.layers or 0) - 1 do
      if per[l] ~= nil or exact[l] ~= nil then
        local r = { layer = l, per_layer = per[l], exact_per_layer = exact[l] }
        for k, x in pairs(base) do r[k] = x end
        for _, f in ipairs(layers) do
          for name, x in pairs(v[f[1]] and v[f[1]][l] or {}) do r[f[2] .. name] = x end
        end
        rows[#rows + 1] = r
      end
    end
    if #rows == 0 then rows[1] = base end
    table.insert(cols, 1, "layer")
    table.insert(cols, 2, "per_layer")
    table.insert(cols, 3, "exact_per_layer")
    for i, c in ipairs(part_cols) do table.insert(cols, 3 + i, c) end
    return rows, cols
  elseif tn == "xnet.Profile" then
    return profile_rows(v)
  elseif type(v) == "table" and type(v.utilisation) == "table" and type(v.busiest) == "table" then
    return serve_rows(v)
  elseif tn ~= nil then
    fail("cannot export a %s as CSV (CSV takes evaluate and serve results, lists of rows, "
         .. "plans, rings, profiles, Rows, per_layer tables and study results; JSON takes "
         .. "any of these)", tn)
  end
  if type(v) ~= "table" then fail("cannot export a %s as CSV", type(v)) end
  if type(v.rows) == "table" then -- a study result (study.collect) or { rows =, columns = }
    return v.rows, columns_of(v.rows, v.columns)
  end
  local kind, first, last = list_kind(v)
  if kind == "rows" then
    local rows = {}
    for i = first, last do rows[#rows + 1] = v[i] end
    return rows, columns_of(rows)
  elseif kind == "values" then
    local rows = {}
    for i = first, last do rows[#rows + 1] = { index = i, value = v[i] } end
    return rows, { "index", "value" }
  end
  for k, x in pairs(v) do
    if type(k) ~= "string" or not scalar(x) then
      fail("cannot export this table as CSV: key %s holds a %s (export rows, a list, "
           .. "or a table of numbers and strings)", tostring(k), type(x))
    end
  end
  return { v }, columns_of { v }
end

local function write(value, path)
  if type(path) ~= "string" then fail("path must be a string, got %s", type(path)) end
  if value == nil then fail("nothing to export: the value is nil") end
  local gzip = path:match("%.gz$") ~= nil
  local format = path:gsub("%.gz$", ""):match("%.(%w+)$")
  local text
  if format == "json" then
    text = json.encode(export.tree(value), { indent = "  ", exact = true }) .. "\n"
  elseif format == "csv" and type_name(value) == "xnet.Plan" then
    if not gzip then return value:save(path) end -- a plan file xnet.plan.load reads
    local tmp = path .. ".export-tmp"
    local ok, err = value:save(tmp)
    if ok then text, err = core.read_file(tmp) end
    os.remove(tmp)
    if not text then return nil, err end
  elseif format == "csv" then
    local rows, columns = export.rows(value)
    local clean = {}
    for i, r in ipairs(rows) do
      local c = {}
      for _, col in ipairs(columns) do c[col] = finite_or_nil(r[col]) end
      clean[i] = c
    end
    text = csv.encode(clean, columns)
  else
    fail("path must end in .csv, .json, .csv.gz or .json.gz (lower case), got '%s'", path)
  end
  return core.write_file(path, text, { gzip = gzip })
end

-- xnet.export(value, path) -> true | nil, "path: reason"
function export.write(value, path)
  local ok, a, b = pcall(write, value, path)
  if ok then return a, b end
  if getmetatable(a) == failure then error(a.message, 2) end
  error(a, 0)
end

return export
