-- Progress of a long run on stderr: a bar redrawn in place on a terminal,
-- plain lines at most every `interval` seconds otherwise (logs, Slurm).
--
--   local bar = progress.new{ total = 120, done = 40, label = "study x" }
--   bar:update(1)        -- one more finished in this run
--   bar:note("a line")   -- printed above the bar
--   bar:finish()
local core = require "xnet.core"

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

-- progress.new{ total =, done = 0, label = "", stream = io.stderr,
--   tty = isatty(stderr), interval = 10, width = $COLUMNS or 80 } -> Progress
-- total: items to reach; done: items already finished before this run (they
-- count toward total but not toward the rate).
function progress.new(o)
  assert(type(o) == "table" and math.type(o.total) == "integer" and o.total >= 0,
         "progress.new needs total = an integer >= 0")
  local self = setmetatable({
    total = o.total, before = o.done or 0, now = 0, label = o.label or "",
    stream = o.stream or io.stderr,
    tty = o.tty, interval = o.interval or 10,
    width = o.width or tonumber(os.getenv("COLUMNS") or "") or 80,
    clock = o.clock or core.clock,
  }, Progress)
  if self.tty == nil then self.tty = core.isatty(2) and self.stream == io.stderr end
  self.start = self.clock()
  self.last = -math.huge
  self.drawn = false
  return self
end

-- The figures of the line: done/total, percent, rate and ETA.
function Progress:figures()
  local done = self.before + self.now
  local elapsed = self.clock() - self.start
  local rate = elapsed > 0 and self.now / elapsed or 0
  local left = self.total - done
  local eta = left <= 0 and 0 or (rate > 0 and left / rate or math.huge)
  local pct = self.total > 0 and 100 * done / self.total or 100
  local rate_s = rate >= 1 and string.format("%.1f/s", rate)
                 or rate > 0 and string.format("%s each", progress.duration(1 / rate))
                 or "-"
  return done, pct, rate_s, progress.duration(eta), elapsed
end

function Progress:line()
  local done, pct, rate, eta = self:figures()
  local head = self.label ~= "" and (self.label .. ": ") or ""
  return string.format("%s%d/%d done (%.0f%%), %s, ETA %s", head, done, self.total, pct, rate,
                       eta)
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

-- bar:update(n = 1): n more items finished in this run
function Progress:update(n)
  self.now = self.now + (n or 1)
  self:draw(self.before + self.now >= self.total)
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
