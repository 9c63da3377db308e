-- Progress of a long run on stderr: a bar redrawn in place on a terminal,
-- plain lines at most every `interval` seconds otherwise (logs, Slurm).
--
--   local bar = progress.new{ total = 120, done = 40, label = "study x" }
--   bar:update(1)        -- one more finished in this run
--
-- Given the points still to run (progress.new{ points = { {id =, params =}, ... },
-- jobs = N }, and bar:update(1, id, seconds)), the ETA is the remaining points'
-- expected cost, not the count left over the rate so far: points differ in
-- cost (a 4,000-satellite point can take ten times a 300-satellite one).
-- An uncertain ETA is shown as "~3m20s?" and, in plain lines, says why.
--   bar:note("a line")   -- printed above the bar
--   bar:finish()
local core = require "xnet.core"
local util = require "xnet.util"

local progress = {}
local Progress = {}
Progress.__index = Progress

-- progress.duration(seconds) -> "0.52ms", "420ms", "4.2s", "42s", "3m05s", "2h07m", "3d04h"
function progress.duration(s)
  if s ~= s or s == math.huge then return "?" end
  if s <= 0 then return "0s" end
  if s < 0.01 then return string.format("%.2fms", s * 1000) end
  if s < 1 then return string.format("%dms", math.floor(s * 1000 + 0.5)) end
  if s < 10 then return string.format("%.1fs", s) end
  s = math.floor(s + 0.5)
  if s < 60 then return string.format("%ds", s) end
  if s < 3600 then return string.format("%dm%02ds", s // 60, s % 60) end
  if s < 86400 then return string.format("%dh%02dm", s // 3600, s % 3600 // 60) end
  return string.format("%dd%02dh", s // 86400, s % 86400 // 3600)
end

-- A point's parameters as one key (names sorted).
local function key_of(params)
  local parts = {}
  for i, k in ipairs(util.sorted_keys(params)) do parts[i] = k .. "=" .. tostring(params[k]) end
  return table.concat(parts, ",")
end

-- The expected cost of the points still to run, from the times of those
-- finished: a point timed before with the same parameters (another repeat)
-- costs their mean; otherwise the mean of the points sharing its value of the
-- parameter that explains most of the spread in (log) time so far; otherwise
-- the mean of all. -> seconds of compute, uncertain (a value of that
-- parameter not timed yet, or fewer than 3 points timed)
function progress.expected_cost(finished, pending)
  local n, total = #finished, 0
  if n == 0 then return math.huge, true end
  local exact, by, log_sum = {}, {}, 0
  local function add(t, k, seconds)
    local cell = t[k] or { sum = 0, count = 0, log_sum = 0 }
    cell.sum, cell.count = cell.sum + seconds, cell.count + 1
    cell.log_sum = cell.log_sum + math.log(math.max(seconds, 1e-9))
    t[k] = cell
  end
  for _, f in ipairs(finished) do
    total, log_sum = total + f.seconds, log_sum + math.log(math.max(f.seconds, 1e-9))
    add(exact, key_of(f.params), f.seconds)
    for k, v in pairs(f.params) do
      by[k] = by[k] or {}
      add(by[k], v, f.seconds)
    end
  end
  -- the parameter whose groups explain most of the spread: the largest
  -- between-group sum of squares of log time (ties: the first name)
  local best, best_ss = nil, -1
  local log_mean = log_sum / n
  for _, k in ipairs(util.sorted_keys(by)) do
    local ss = 0
    for _, cell in pairs(by[k]) do ss = ss + cell.count * (cell.log_sum / cell.count - log_mean) ^ 2 end
    if ss > best_ss then best, best_ss = k, ss end
  end
  local mean = total / n
  local cost, uncertain = 0, n < 3
  for _, p in pairs(pending) do
    local same = exact[key_of(p.params)]
    local group = best and by[best][p.params[best]]
    if same then
      cost = cost + same.sum / same.count
    elseif group then
      cost = cost + group.sum / group.count
    else
      cost, uncertain = cost + mean, true
    end
  end
  return cost, uncertain
end

-- progress.new{ total =, done = 0, label = "", stream = io.stderr,
--   tty = isatty(stderr), interval = 10, width = $COLUMNS or 80,
--   points = nil, jobs = 1 } -> Progress
-- total: items to reach; done: items already finished before this run (they
-- count toward total but not toward the rate); points: the points to run,
-- { id =, params = } each, for an ETA from their expected cost; jobs: how
-- many run at once.
function progress.new(o)
  assert(type(o) == "table" and math.type(o.total) == "integer" and o.total >= 0,
         "progress.new needs total = an integer >= 0")
  local self = setmetatable({
    total = o.total, before = o.done or 0, now = 0, label = o.label or "",
    stream = o.stream or io.stderr,
    tty = o.tty, interval = o.interval or 10,
    width = o.width or tonumber(os.getenv("COLUMNS") or "") or 80,
    clock = o.clock or core.clock, jobs = o.jobs or 1, finished = {},
  }, Progress)
  if o.points then
    self.pending = {}
    for _, p in ipairs(o.points) do self.pending[p.id] = p end
  end
  if self.tty == nil then self.tty = core.isatty(2) and self.stream == io.stderr end
  self.start = self.clock()
  self.last = -math.huge
  self.drawn = false
  return self
end

-- The ETA in seconds, and whether it is uncertain.
function Progress:eta()
  local done = self.before + self.now
  local elapsed = self.clock() - self.start
  local left = self.total - done
  if left <= 0 then return 0, false end
  if self.pending and #self.finished > 0 then
    -- with many points, recomputed at most once a second (it walks every
    -- pending point); in between, scaled by the share of them still pending
    local now = self.clock()
    if not self.estimate or now - self.estimate.at >= 1 or left <= 1000 then
      local cost, uncertain = progress.expected_cost(self.finished, self.pending)
      self.estimate = { at = now, cost = cost, uncertain = uncertain, left = left }
    end
    local e = self.estimate
    return e.cost * (left / e.left) / self.jobs, e.uncertain
  end
  local rate = elapsed > 0 and self.now / elapsed or 0
  return rate > 0 and left / rate or math.huge, self.now < 3
end

-- The figures of the line: done/total, percent, rate and ETA ("~" and "?"
-- around an uncertain one).
function Progress:figures()
  local done = self.before + self.now
  local elapsed = self.clock() - self.start
  local rate = elapsed > 0 and self.now / elapsed or 0
  local eta, uncertain = self:eta()
  local eta_s = progress.duration(eta)
  if uncertain and eta_s ~= "?" then eta_s = "~" .. eta_s .. "?" end
  local pct = self.total > 0 and 100 * done / self.total or 100
  local rate_s = rate >= 1 and string.format("%.1f/s", rate)
                 or rate > 0 and string.format("%s each", progress.duration(1 / rate))
                 or "-"
  return done, pct, rate_s, eta_s, elapsed, uncertain
end

function Progress:line()
  local done, pct, rate, eta, _, uncertain = self:figures()
  local head = self.label ~= "" and (self.label .. ": ") or ""
  local why = uncertain and done < self.total
              and (self.pending and " (uncertain: not every grid value timed yet)"
                   or " (uncertain: few points timed)") or ""
  return string.format("%s%d/%d done (%.0f%%), %s, ETA %s%s", head, done, self.total, pct, rate,
                       eta, why)
end

function Progress:bar()
  local done, pct, rate, eta = self:figures()
  local tail = string.format(" %d/%d %3.0f%% %s ETA %s", done, self.total, pct, rate, eta)
  local head = self.label ~= "" and (self.label .. " ") or ""
  local room = math.max(10, math.min(40, self.width - #head - 48)) -- steady as tail varies
  local fill = self.total > 0 and math.floor(room * done / self.total) or room
  return head .. "[" .. string.rep("#", fill) .. string.rep(".", room - fill) .. "]" .. tail
end

function Progress:draw(force)
  local t = self.clock()
  if self.tty then
    if force or t - self.last >= 0.1 then
      self.stream:write("\r", self:bar(), "\27[K")
      self.stream:flush()
      self.last, self.drawn = t, true
    end
  elseif force or t - self.last >= self.interval then
    self.stream:write(self:line(), "\n")
    self.stream:flush()
    self.last, self.shown = t, self.now
  end
end

-- bar:update(n = 1, id, seconds): n more items finished in this run; with
-- an id (of one of the points given to progress.new), that point took seconds
function Progress:update(n, id, seconds)
  self.now = self.now + (n or 1)
  local p = id and self.pending and self.pending[id]
  if p then
    self.pending[id] = nil
    self.finished[#self.finished + 1] = { params = p.params, seconds = seconds or 0 }
  end
  self:draw(self.before + self.now >= self.total)
end

-- bar:skip(id): a point that will not run after all (it failed)
function Progress:skip(id)
  if self.pending then self.pending[id] = nil end
end

-- bar:note(text): a line of its own, the bar redrawn below it
function Progress:note(text)
  if self.tty and self.drawn then self.stream:write("\r\27[K") end
  self.stream:write(text, "\n")
  self.stream:flush()
  if self.tty and self.drawn then self:draw(true) end
end

-- bar:finish(): final state, and the terminal line ended
function Progress:finish()
  if self.tty then
    self:draw(true)
    self.stream:write("\n")
    self.stream:flush()
  elseif self.shown ~= self.now then
    self:draw(true)
  end
end

return progress
