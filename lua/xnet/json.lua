-- JSON for study manifests and result files: deterministic output (object
-- keys sorted, numbers in their shortest exact form) so the same data always
-- gives the same bytes, and a strict reader.
--
-- Numbers: integers as integers; floats in the shortest of %.15g, %.16g,
-- %.17g that reads back exactly, with ".0" added to integral floats so the
-- type survives a round trip. What is written is strict JSON (RFC 8259), which
-- has no NaN or infinities: they are written null. For an exact round trip
-- (study files that are read back), json.encode(v, { exact = true }) also
-- lists each of them in a top-level member "nonfinite": { [JSON Pointer
-- (RFC 6901)] = "inf" | "-inf" | "nan" }, and json.decode(text, { exact =
-- true }) puts them back. The reader also accepts NaN, Infinity and -Infinity
-- (Python's json writes them, and so did spacexnet's point files before).
-- Tables: a non-empty sequence is an array, and so is a table keyed exactly
-- 0 .. n-1 (a per-layer table), in order; anything else is an object with
-- string keys; json.array(t) marks a table (even empty) as an array.
-- json.null stands for null in both directions.
local json = {}

json.null = setmetatable({}, { __name = "json.null", __tostring = function() return "null" end })

local array_mt = { __name = "json.array" }

-- json.array(t) -> t, marked to encode as an array even when empty
function json.array(t)
  return setmetatable(t or {}, array_mt)
end

-- json.number(x) -> the shortest string that reads back as exactly x
-- ("nan", "inf", "-inf" for the non-finite; integral floats end in ".0")
function json.number(x)
  if math.type(x) == "integer" then
    return string.format("%d", x)
  end
  if x ~= x then return "nan" end
  if x == math.huge then return "inf" end
  if x == -math.huge then return "-inf" end
  local s
  for _, f in ipairs { "%.15g", "%.16g", "%.17g" } do
    s = string.format(f, x)
    if tonumber(s) == x then break end
  end
  if not s:find("[%.eEn]") then s = s .. ".0" end
  return s
end

local escapes = { ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
                  ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }

-- json.string(s) -> s as a JSON string literal, quotes included
function json.string(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    return escapes[c] or string.format("\\u%04x", c:byte())
  end) .. '"'
end

-- For a table that encodes as an array: the first and last index (1 .. n
-- for a sequence, 0 .. n for a table keyed exactly from 0); nil otherwise.
local function array_range(t)
  if getmetatable(t) == array_mt then return 1, #t end
  local base, n = t[0] ~= nil and 0 or 1, #t -- n is a border: t[n + 1] == nil
  if base == 1 and n == 0 then return nil end
  local count = 0
  for _ in pairs(t) do count = count + 1 end
  if count == n + 1 - base then return base, n end
  return nil
end

local NONFINITE = { nan = 0 / 0, inf = math.huge, ["-inf"] = -math.huge }

local function nonfinite(x)
  return x ~= x or x == math.huge or x == -math.huge
end

local function pointer_token(k)
  return (tostring(k):gsub("~", "~0"):gsub("/", "~1"))
end

-- Every non-finite number in v, as found[JSON Pointer] = "inf" | "-inf" | "nan"
local function find_nonfinite(v, ptr, found, seen)
  if type(v) == "number" then
    if nonfinite(v) then found[ptr] = json.number(v) end
  elseif type(v) == "table" and v ~= json.null and not seen[v] then
    seen[v] = true
    local base, last = array_range(v)
    if base then
      for i = base, last do find_nonfinite(v[i], ptr .. "/" .. (i - base), found, seen) end
    else
      for k, x in pairs(v) do
        if type(k) == "string" then find_nonfinite(x, ptr .. "/" .. pointer_token(k), found, seen) end
      end
    end
    seen[v] = nil
  end
end

-- o: json.encode's options
local function encode(v, out, o, depth, seen, where)
  local tv = type(v)
  local indent = o.indent
  if v == json.null or v == nil then
    out[#out + 1] = "null"
  elseif tv == "boolean" then
    out[#out + 1] = v and "true" or "false"
  elseif tv == "number" then
    out[#out + 1] = nonfinite(v) and "null" or json.number(v)
  elseif tv == "string" then
    out[#out + 1] = json.string(v)
  elseif tv == "table" then
    if seen[v] then error("json: cycle at " .. where, 0) end
    seen[v] = true
    local nl = indent and ("\n" .. string.rep(indent, depth + 1)) or ""
    local close = indent and ("\n" .. string.rep(indent, depth)) or ""
    local base, last = array_range(v)
    if base then
      local flat = indent ~= nil -- an indented array of scalars stays on one line
      for i = base, last do flat = flat and type(v[i]) ~= "table" end
      local sep = flat and ", " or ("," .. nl)
      out[#out + 1] = "[" .. (flat and "" or nl)
      for i = base, last do
        if i > base then out[#out + 1] = sep end
        encode(v[i], out, o, depth + 1, seen, where .. "[" .. i .. "]")
      end
      out[#out + 1] = ((flat or last < base) and "" or close) .. "]"
    else
      local keys = {}
      for k in pairs(v) do
        if type(k) ~= "string" then
          error(string.format("json: key %s at %s must be a string, got %s", tostring(k),
                              where, type(k)), 0)
        end
        keys[#keys + 1] = k
      end
      table.sort(keys)
      if #keys == 0 then
        out[#out + 1] = "{}"
      else
        out[#out + 1] = "{"
        for i, k in ipairs(keys) do
          out[#out + 1] = (i > 1 and "," or "") .. nl .. json.string(k)
                          .. (indent and ": " or ":")
          encode(v[k], out, o, depth + 1, seen, where .. "." .. k)
        end
        out[#out + 1] = close .. "}"
      end
    end
    seen[v] = nil
  else
    error(string.format("json: cannot encode a %s at %s", tv, where), 0)
  end
end

-- json.encode(value, { indent = "  ", exact = false }) -> string (strict
-- JSON); raises on a value JSON cannot hold (a function, a non-string key, a
-- cycle), naming where it is. exact: when value is an object holding NaN or
-- infinities, add the member "nonfinite" that lists them (see the top);
-- raises if value already has a member of that name.
-- Options of encode and decode: name -> the Lua type of its value.
local function check_options(opts, fname, allowed)
  if opts == nil then return {} end
  if type(opts) ~= "table" then
    error(string.format("%s: options must be a table, got %s", fname, type(opts)), 3)
  end
  for k, x in pairs(opts) do
    if not allowed[k] then
      local names = {}
      for name in pairs(allowed) do names[#names + 1] = name end
      table.sort(names)
      error(string.format("%s: unknown option %s (allowed: %s)", fname, json.string(tostring(k)),
                          table.concat(names, ", ")), 3)
    end
    if type(x) ~= allowed[k] then
      error(string.format("%s: option '%s' must be a %s, got %s", fname, k, allowed[k],
                          x ~= x and "nan" or type(x)), 3)
    end
  end
  return opts
end

function json.encode(v, opts)
  opts = check_options(opts, "json.encode", { indent = "string", exact = "boolean" })
  if opts.exact and type(v) == "table" and v ~= json.null and not array_range(v) then
    local found = {}
    find_nonfinite(v, "", found, {})
    if next(found) then
      if v.nonfinite ~= nil then
        error("json: $.nonfinite is taken; it cannot list the NaN and infinities", 0)
      end
      local copy = {}
      for k, x in pairs(v) do copy[k] = x end
      copy.nonfinite = found
      v = copy
    end
  end
  local out = {}
  encode(v, out, opts, 0, {}, "$")
  return table.concat(out)
end

-- Reader ------------------------------------------------------------------

local function where(s, i, what)
  local line = 1
  for _ in s:sub(1, i - 1):gmatch("\n") do line = line + 1 end
  return string.format("line %d: %s", line, what)
end

local function decode_error(s, i, what)
  error({ json_error = where(s, i, what) }, 0)
end

local function skip(s, i)
  return s:find("[^ \t\r\n]", i) or #s + 1
end

local function utf8_of(s, i, hex)
  local cp = tonumber(hex, 16)
  if cp >= 0xD800 and cp <= 0xDBFF then
    local lo = s:match("^\\u(%x%x%x%x)", i)
    local low = lo and tonumber(lo, 16)
    if not low or low < 0xDC00 or low > 0xDFFF then
      decode_error(s, i, "unpaired surrogate \\u" .. hex)
    end
    return utf8.char(0x10000 + (cp - 0xD800) * 0x400 + (low - 0xDC00)), i + 6
  end
  return utf8.char(cp), i
end

local unescapes = { ['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n",
                    r = "\r", t = "\t" }

local function read_string(s, i)
  local parts, j = {}, i + 1
  while true do
    local k = s:find('["\\%c]', j)
    if not k then decode_error(s, i, "unterminated string") end
    parts[#parts + 1] = s:sub(j, k - 1)
    local c = s:sub(k, k)
    if c == '"' then return table.concat(parts), k + 1 end
    if c ~= "\\" then decode_error(s, k, "control character in string") end
    local e = s:sub(k + 1, k + 1)
    if e == "u" then
      local hex = s:match("^%x%x%x%x", k + 2)
      if not hex then decode_error(s, k, "bad \\u escape") end
      local ch
      ch, j = utf8_of(s, k + 6, hex)
      parts[#parts + 1] = ch
    else
      if not unescapes[e] then decode_error(s, k, "bad escape \\" .. e) end
      parts[#parts + 1] = unescapes[e]
      j = k + 2
    end
  end
end

local literals = { ["true"] = true, ["false"] = false, ["null"] = json.null,
                   NaN = NONFINITE.nan, Infinity = NONFINITE.inf, ["-Infinity"] = NONFINITE["-inf"] }

local read_value

local function read_container(s, i, close, item)
  local j = skip(s, i + 1)
  if s:sub(j, j) == close then return j + 1 end
  while true do
    j = skip(s, item(j))
    local c = s:sub(j, j)
    if c == close then return j + 1 end
    if c ~= "," then decode_error(s, j, "expected ',' or '" .. close .. "'") end
    j = skip(s, j + 1)
  end
end

function read_value(s, i, depth)
  if depth > 200 then decode_error(s, i, "nested too deeply") end
  i = skip(s, i)
  local c = s:sub(i, i)
  if c == "{" then
    local obj = {}
    local j = read_container(s, i, "}", function(k)
      if s:sub(k, k) ~= '"' then decode_error(s, k, "expected a string key") end
      local key, after = read_string(s, k)
      after = skip(s, after)
      if s:sub(after, after) ~= ":" then decode_error(s, after, "expected ':'") end
      obj[key], after = read_value(s, after + 1, depth + 1)
      return after
    end)
    return obj, j
  elseif c == "[" then
    local arr = json.array {}
    local j = read_container(s, i, "]", function(k)
      local v, after = read_value(s, k, depth + 1)
      arr[#arr + 1] = v
      return after
    end)
    return arr, j
  elseif c == '"' then
    return read_string(s, i)
  end
  local word = s:match("^-?Infinity", i) or s:match("^%a+", i)
  if word then
    if literals[word] == nil then decode_error(s, i, "unexpected '" .. word .. "'") end
    return literals[word], i + #word
  end
  local num = s:match("^-?%d+%.?%d*[eE]?[-+]?%d*", i)
  local v = num and tonumber(num)
  if not v then
    decode_error(s, i, i > #s and "unexpected end of input" or ("unexpected '" .. c .. "'"))
  end
  return v, i + #num
end

-- Puts back the numbers a top-level "nonfinite" member lists (see the top).
local function restore_nonfinite(v)
  local list = v.nonfinite
  if type(list) ~= "table" or getmetatable(list) == array_mt then
    return nil, "nonfinite must be an object of JSON Pointers"
  end
  for ptr, what in pairs(list) do
    if NONFINITE[what] == nil then
      return nil, string.format("nonfinite %s must be \"inf\", \"-inf\" or \"nan\", got %s",
                                json.string(ptr), json.encode(what))
    end
    local parent, tokens = v, {}
    for token in ptr:gmatch("/([^/]*)") do
      tokens[#tokens + 1] = (token:gsub("~1", "/"):gsub("~0", "~"))
    end
    for i, token in ipairs(ptr:sub(1, 1) == "/" and tokens or {}) do
      local key = token
      if getmetatable(parent) == array_mt then key = token:match("^%d+$") and tonumber(token) + 1 end
      if i == #tokens then
        if key ~= nil and parent[key] == json.null then
          parent[key], tokens = NONFINITE[what], nil
        end
        break
      end
      parent = key ~= nil and parent[key]
      if type(parent) ~= "table" or parent == json.null then break end
    end
    if tokens then
      return nil, string.format("nonfinite %s names no null in the document", json.string(ptr))
    end
  end
  v.nonfinite = nil
  return v
end

-- json.decode(text, { exact = false }) -> value | nil, "line N: reason"
-- Arrays come back marked with json.array, null as json.null. exact: put
-- back the NaN and infinities a top-level "nonfinite" member lists.
function json.decode(s, opts)
  opts = check_options(opts, "json.decode", { exact = "boolean" })
  local ok, v, i = pcall(read_value, s, 1, 0)
  if not ok then
    if type(v) == "table" and v.json_error then return nil, v.json_error end
    error(v, 0)
  end
  i = skip(s, i)
  if i <= #s then return nil, where(s, i, "trailing characters") end
  if opts.exact and type(v) == "table" and getmetatable(v) ~= array_mt
     and v.nonfinite ~= nil then
    return restore_nonfinite(v)
  end
  return v
end

return json
