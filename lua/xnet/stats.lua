-- Summary statistics over repeats, for tables and plots.
local stats = {}

-- stats.summary(values) -> { n, mean, sd, se, min, max } of a list of
-- numbers: sd with n - 1 (0 for one value, from the deviations about the
-- mean, so no cancellation), se = sd / sqrt(n); every field but n is NaN
-- for an empty list.
function stats.summary(values)
  local n = #values
  if n == 0 then
    local nan = 0 / 0
    return { n = 0, mean = nan, sd = nan, se = nan, min = nan, max = nan }
  end
  local sum, min, max = 0, math.huge, -math.huge
  for _, v in ipairs(values) do
    sum = sum + v
    min, max = math.min(min, v), math.max(max, v)
  end
  local mean, sq = sum / n, 0
  for _, v in ipairs(values) do sq = sq + (v - mean) ^ 2 end
  local sd = n > 1 and math.sqrt(sq / (n - 1)) or 0
  return { n = n, mean = mean, sd = sd, se = sd / math.sqrt(n), min = min, max = max }
end

-- stats.mean(values) -> the mean of a list of numbers (NaN when empty)
function stats.mean(values)
  local sum = 0
  for _, v in ipairs(values) do sum = sum + v end
  return sum / #values
end

return stats
