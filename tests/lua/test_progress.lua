-- The study ETA from the remaining points' expected cost: on a grid whose
-- points differ tenfold in cost, the estimate follows the cost, where the
-- count left over the rate so far is off by a factor of three; it says when
-- it is uncertain.
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local t = require "harness"
local progress = require "xnet.progress"

local sink = t.sink

-- 20 points: size "small" costs 1 s, "large" 10 s; two seeds each value of x
local points, cost = {}, {}
for i = 1, 20 do
  local size = i <= 10 and "small" or "large"
  points[i] = { id = "p" .. i, params = { size = size, x = i % 2 } }
  cost["p" .. i] = size == "small" and 1 or 10
end
-- the run order: 5 small, 1 large, then the rest
local order = { 1, 2, 3, 4, 5, 11, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16, 17, 18, 19, 20 }

local now = 0
local out = sink()
local bar = progress.new { total = 20, points = points, stream = out, tty = false,
                           clock = function() return now end, interval = 0 }
-- after the small ones only: the large ones are not timed yet, so it is uncertain
for k = 1, 5 do
  local id = "p" .. order[k]
  now = now + cost[id]
  bar:update(1, id, cost[id])
end
local eta, uncertain = bar:eta()
t.check(uncertain, "no large point timed yet")
t.check(table.concat(out.text):find("ETA ~[^\n]*%? %(uncertain: not every grid value timed yet%)"),
        table.concat(out.text))
-- one large one done: 5 small (5 s) and 9 large (90 s) remain
now = now + 10
bar:update(1, "p11", 10)
eta, uncertain = bar:eta()
local truth, naive = 5 * 1 + 9 * 10, 14 * (now / 6)
t.near(eta, truth, 1e-9 * truth, "expected cost of the remaining points")
t.check(math.abs(naive - truth) / truth > 0.6, "the count over the rate would be far off: " .. naive)
t.check(not uncertain)
t.check(table.concat(out.text):find("ETA 1m35s\n", 1, true), table.concat(out.text))
-- two parameters: the cost of (size, x) from each one's effect; x has none here
t.near(progress.expected_cost({ { params = { size = "small", x = 0 }, seconds = 1 },
                                { params = { size = "large", x = 1 }, seconds = 10 },
                                { params = { size = "small", x = 1 }, seconds = 1 },
                                { params = { size = "large", x = 0 }, seconds = 10 } },
                              { a = { params = { size = "large", x = 0 } },
                                b = { params = { size = "small", x = 1 } } }), 11, 1e-12)
-- jobs run at once: wall time is the cost over the jobs; a failed point drops out
now = 0
bar = progress.new { total = 4, points = { points[1], points[11], points[2], points[12] },
                     jobs = 2, stream = sink(), tty = false, clock = function() return now end }
bar:update(1, "p1", 1)
bar:update(1, "p11", 10)
bar:update(1, "p2", 1)
t.near(bar:eta(), 10 / 2, 1e-12)
bar:skip("p12")
bar.estimate = nil
t.check(bar:eta() == 0, "nothing left to cost")

t.done()
