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

-- stats.t_quantile(p, df) -> Student's t quantile: P(T <= t) = p for T with
-- df degrees of freedom (p in (0.5, 1)), by bisection on the CDF integrated
-- from the density with Simpson's rule (2000 panels; about 1e-9 relative).
-- df > 300 is taken as the normal distribution's (within 1e-3).
function stats.t_quantile(p, df)
  local normal = df > 300
  -- Gamma((df + 1) / 2) / (sqrt(df pi) Gamma(df / 2)) by Gamma(x + 1) = x Gamma(x),
  -- from Gamma(1/2) = sqrt(pi) and Gamma(1) = 1
  local function gamma_half(n) -- Gamma(n / 2), n a positive integer
    local g, x = (n % 2 == 1) and math.sqrt(math.pi) or 1, (n % 2 == 1) and 0.5 or 1
    while x < n / 2 do g, x = g * x, x + 1 end
    return g
  end
  local scale = normal and 1 / math.sqrt(2 * math.pi)
                or gamma_half(df + 1) / (math.sqrt(df * math.pi) * gamma_half(df))
  local function density(x)
    if normal then return scale * math.exp(-x * x / 2) end
    return scale * (1 + x * x / df) ^ (-(df + 1) / 2)
  end
  local function cdf(x)
    local n, h = 2000, x / 2000
    local sum = density(0) + density(x)
    for i = 1, n - 1 do sum = sum + (i % 2 == 1 and 4 or 2) * density(i * h) end
    return 0.5 + sum * h / 3
  end
  local lo, hi = 0, 1
  while cdf(hi) < p do lo, hi = hi, hi * 2 end
  for _ = 1, 50 do
    local mid = (lo + hi) / 2
    if cdf(mid) < p then lo = mid else hi = mid end
  end
  return (lo + hi) / 2
end

return stats
