-- Small helpers the Lua modules share: sorted keys, values in messages,
-- shallow copies and strict globals (lite's strict.lua idea).
local util = {}

-- util.sorted_keys(t) -> the keys of t in sorted order (keys of one type)
function util.sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  return keys
end

-- util.describe(v) -> v for a message: strings quoted, NaN as "nan" (as the
-- kernel's messages say it: tostring gives "-nan" for 0/0 on x86, a sign that
-- means nothing), the rest as tostring
function util.describe(v)
  if type(v) == "string" then return string.format("%q", v) end
  if v ~= v then return "nan" end
  return tostring(v)
end

-- util.copy(t) -> a shallow copy of t
function util.copy(t)
  local c = {}
  for k, v in pairs(t) do c[k] = v end
  return c
end

-- util.strict(fallback) -> a metatable for a globals table: reading a name
-- that neither the table nor `fallback` (optional) holds raises, and so
-- does assigning a new name, so a typo fails at once instead of giving nil.
function util.strict(fallback)
  return {
    __index = function(_, name)
      local v = fallback and fallback[name]
      if v == nil then error("read of undeclared global '" .. tostring(name) .. "'", 2) end
      return v
    end,
    __newindex = function(_, name)
      error("assignment to undeclared global '" .. tostring(name) .. "' (declare it local)", 2)
    end,
  }
end

return util
