-- `spacexnet study ...`: run, merge, status and plot a study directory
-- (lua/xnet/study.lua and study_dir.lua have the formats). main(arg)
-- returns the exit status: 0 done, 1 failed or incomplete, 2 usage error,
-- 130 interrupted.
local core = require "xnet.core"
local csv = require "xnet.csv"
local json = require "xnet.json"
local progress = require "xnet.progress"
local report = require "xnet.report"
local stats = require "xnet.stats"
local study = require "xnet.study"
local study_dir = require "xnet.study_dir"
local util = require "xnet.util"

local cli = {}

local USAGE = [[
usage: spacexnet study run FILE --out DIR [--jobs N] [--shard K/N] [--force] [--keep-going]
       spacexnet study merge DIR [--out FILE] [--gzip]
       spacexnet study status DIR [--all]
       spacexnet study plot DIR --y METRIC[,METRIC...] --x PARAM [--by PARAM] [--bars]
                            [--where PARAM=VALUE]... [--errors sd|se|minmax|ci95]
                            [--title T] [--xlabel T] [--ylabel T] [--labels NAME=TEXT,...]
                            [--size WxH] [--format svg,png,pdf] [--logx] [--logy] [--out BASE]
run     runs the points of FILE not yet done in DIR, each saved as DIR/points/ID.json
        --jobs N      N worker processes (0: one per processor); default 1
        --shard K/N   only the K-th of N slices of the grid (1 <= K <= N), for
                      GNU Parallel or a Slurm array; the union of all K is the study
        --force       accept a changed study file (e.g. grid values added) in a DIR
                      made by an earlier version of it; points still in the grid are kept
        --keep-going  run the other points after a point fails (default: stop)
merge   joins the finished points into DIR/results.csv (grid order), or FILE;
        --gzip writes FILE.gz (default DIR/results.csv.gz); with points missing it
        still writes what there is, says so and exits 1
status  what is done and what is missing (exit 0 when complete, 1 otherwise)
plot    a line plot with error bars over repeats (or grouped bars with --bars)
        of one or more metrics; writes BASE.dat, BASE.gp and BASE.svg, BASE.png
        (--format: any of svg, png, pdf) via gnuplot; --labels renames series
        (--labels spacexnet=Space-XNet,randplace=RandPlace); --size in pixels]]

local function say(fmt, ...)
  io.stderr:write(string.format(fmt, ...), "\n")
end

local function usage_error(fmt, ...)
  say("spacexnet study: " .. fmt, ...)
  say("run 'spacexnet study help' for usage")
  return 2
end

-- An environment failure: say it, exit status 1.
local function failure(err)
  say("spacexnet study: %s", err)
  return 1
end

-- Split words into positionals and options. spec maps an option name to
-- "value", "list" or "flag". -> positionals, options | nil, message
local function parse(words, first, spec)
  local pos, opts = {}, {}
  local i = first
  while i <= #words do
    local w = words[i]
    local name, inline = w:match("^%-%-([%w-]+)=(.*)$")
    name = name or w:match("^%-%-([%w-]+)$")
    if name then
      local kind = spec[name]
      if not kind then
        local names = {}
        for known in pairs(spec) do names[#names + 1] = "--" .. known end
        table.sort(names)
        return nil, core.unknown_name("option", "--" .. name, names)
      end
      if kind == "flag" then
        if inline then return nil, "--" .. name .. " takes no value" end
        opts[name] = true
      else
        local v = inline
        if not v then
          i = i + 1
          v = words[i]
          if v == nil then return nil, "--" .. name .. " needs a value" end
        end
        if kind == "list" then
          opts[name] = opts[name] or {}
          table.insert(opts[name], v)
        else
          opts[name] = v
        end
      end
    else
      pos[#pos + 1] = w
    end
    i = i + 1
  end
  return pos, opts
end

-- A command taking one directory (or file): -> it, options | nil, exit status
local function one_arg(words, what, spec)
  local pos, opts = parse(words, 2, spec)
  if not pos then return nil, usage_error("%s", opts) end
  if #pos ~= 1 then return nil, usage_error("%s, got %d", what, #pos) end
  return pos[1], opts
end

local function describe_point(p)
  local parts = {}
  for _, k in ipairs(util.sorted_keys(p.params)) do
    parts[#parts + 1] = k .. "=" .. csv.field(p.params[k])
  end
  parts[#parts + 1] = "repeat=" .. p.rep
  return table.concat(parts, " ")
end

-- Say which point files do not count (damaged, or from another study file).
local function list_bad(bad, limit, print_line)
  for i = 1, math.min(limit, #bad) do
    print_line(string.format("  %s: %s", bad[i].path, bad[i].reason))
  end
  if #bad > limit then print_line(string.format("  ... %d more", #bad - limit)) end
end

-- The run -----------------------------------------------------------------------

-- What the runners report to: counts, the run log and the progress bar.
local Run = {}
Run.__index = Run

function Run:done(p, elapsed)
  self.ran = self.ran + 1
  self.log:point(p.id, elapsed)
  self.log:save("running")
  self.bar:update(1, p.id, elapsed)
end

function Run:failed(p, message)
  self.failures = self.failures + 1
  self.log:failed()
  self.bar:skip(p.id)
  self.bar:note(string.format("point %s (seed %d, id %s) failed: %s", describe_point(p), p.seed,
                              p.id, message))
  if not self.keep_going then self.stop = true end
end

local function run_here(run)
  for _, p in ipairs(run.todo) do
    if run.stop then break end
    local ok, a = study_dir.execute(run.st, p, run.dir)
    if ok then run:done(p, a) else run:failed(p, a) end
  end
end

-- One worker per job, each given one point id at a time on its stdin; it
-- answers "ok ID SECONDS" or "fail ID JSON-MESSAGE" on its fd 3. The pool of
-- one run: its processes and the next point to hand out.
local Pool = {}
Pool.__index = Pool

-- Hand w its next point, or close its input when there is none.
function Pool:dispatch(w)
  local run = self.run
  if run.stop or self.next > #run.todo then
    w.busy = nil
    w.proc:close_input()
    return
  end
  w.busy = run.todo[self.next]
  self.next = self.next + 1
  w.proc:send(w.busy.id .. "\n") -- a dead worker shows up as end of reports
end

-- One report line from w: "ok ID SECONDS" or "fail ID JSON-MESSAGE".
function Pool:handle(w, line)
  local run = self.run
  local kind, id, rest = line:match("^(%a+) (%x+) (.*)$")
  if not kind or not w.busy or id ~= w.busy.id then
    run.bar:note("worker " .. w.proc:pid() .. " sent an unexpected report: " .. line)
    return
  end
  if kind == "ok" then
    run:done(w.busy, tonumber(rest) or 0)
  else
    run:failed(w.busy, json.decode(rest) or rest)
  end
  self:dispatch(w)
end

-- w's reports have ended: collect its exit status.
function Pool:reap(w)
  local code = w.proc:wait()
  w.exited = true
  if w.busy then
    self.run:failed(w.busy, string.format("worker exited with status %d while running it", code))
    w.busy = nil
  elseif code ~= 0 then
    self.run.bar:note(string.format("worker exited with status %d", code))
  end
end

-- Read and handle what w reported; false once its reports have ended.
function Pool:drain(w)
  local chunk = w.proc:receive()
  while chunk and chunk ~= "" do
    w.buf = w.buf .. chunk
    chunk = w.proc:receive()
  end
  for line in w.buf:gmatch("([^\n]*)\n") do self:handle(w, line) end
  w.buf = w.buf:match("[^\n]*$")
  return chunk ~= nil
end

function Pool:start(jobs, argv)
  for i = 1, math.min(jobs, #self.run.todo) do
    local proc, err = core.spawn(argv)
    if not proc then error(err, 0) end
    self.workers[i], self.procs[i] = { proc = proc, buf = "" }, proc
    self:dispatch(self.workers[i])
  end
  local live = #self.workers
  while live > 0 do
    core.poll(self.procs, 0.5)
    for _, w in ipairs(self.workers) do
      if not w.exited and not self:drain(w) then
        self:reap(w)
        live = live - 1
      end
    end
    self.run.bar:draw()
  end
end

-- Interrupted (or failed): workers stop at once; their finished points are
-- on disk, the ones they were running are not.
function Pool:stop()
  for _, w in ipairs(self.workers) do
    if not w.exited then
      w.proc:kill("INT")
      w.proc:close_input()
    end
  end
  self.run.stop = true
  for _, w in ipairs(self.workers) do
    if not w.exited then
      w.proc:wait()
      self:drain(w) -- points finished before the signal still count
    end
  end
end

local function run_workers(run, jobs)
  local exe, err = core.executable()
  if not exe then error(err, 0) end
  local pool = setmetatable({ run = run, workers = {}, procs = {}, next = 1 }, Pool)
  local ok, perr = pcall(pool.start, pool, jobs,
                         { exe, "study", "run", run.st.file, "--out", run.dir, "--worker",
                           run.st.hash })
  if not ok then
    pool:stop()
    error(perr, 0)
  end
end

-- `run FILE --out DIR --worker HASH`: the worker side of run_workers.
local function worker_main(st, dir, hash)
  if st.hash ~= hash then
    say("spacexnet study: %s changed since the run started (hash %s, now %s)", st.file, hash,
        st.hash)
    return 1
  end
  local report = io.open("/dev/fd/3", "w")
  if not report then
    say("spacexnet study: --worker is internal to --jobs (it reports on fd 3)")
    return 2
  end
  report:setvbuf("line")
  local ok, err = pcall(function()
    for id in io.stdin:lines() do
      local p = st:point(id)
      if not p then
        report:write("fail ", id, " ", json.string("no point with this id"), "\n")
      else
        local done, a = study_dir.execute(st, p, dir)
        if done then
          report:write(string.format("ok %s %.6f\n", id, a))
        else
          report:write("fail ", id, " ", json.string(a), "\n")
        end
      end
    end
  end)
  report:close()
  if not ok then
    if study_dir.is_interrupt() then return 130 end
    error(err, 0)
  end
  return 0
end

-- The options of `run`: -> { file, dir, jobs, k, n, force, keep_going, worker }
-- | nil, exit status
local function run_options(words)
  local file, opts = one_arg(words, "run takes one study file", {
    out = "value", jobs = "value", shard = "value", force = "flag", ["keep-going"] = "flag",
    worker = "value" })
  if not file then return nil, opts end
  local dir = opts.out
  if not dir or dir == "" then return nil, usage_error("run needs --out DIR") end
  local jobs = math.tointeger(tonumber(opts.jobs or "1"))
  if not jobs or jobs < 0 or jobs > 1024 then
    return nil, usage_error("--jobs must be an integer in [0, 1024], got '%s'", opts.jobs)
  end
  local k, n = 1, 1
  if opts.shard then
    k, n = study.parse_shard(opts.shard)
    if not k then return nil, usage_error("--%s", n) end
  end
  return { file = file, dir = dir:gsub("(.)/+$", "%1"), jobs = jobs == 0 and core.cpu_count()
           or jobs, k = k, n = n, force = opts.force, keep_going = opts["keep-going"],
           worker = opts.worker }
end

-- The points of the slice still to run, after moving aside the files that
-- do not count. -> todo | nil, exit status
local function pending(st, dir, m, slice, label)
  local scan, err = study_dir.scan(dir, m, slice, { upgrade = true })
  if not scan then return nil, failure(err) end
  local nbad = #scan.bad
  if nbad > 0 then
    say("%s: %d point file%s not count; %s again (the file%s moved to *.bad):", label, nbad,
        nbad == 1 and " does" or "s do", nbad == 1 and "its point runs" or "their points run",
        nbad == 1 and " is" or "s are")
    list_bad(scan.bad, 10, say)
    local moved, merr = study_dir.set_aside(scan.bad)
    if not moved then return nil, failure(merr) end
  end
  local todo = {}
  for _, p in ipairs(slice) do
    if not scan.done[p.id] then todo[#todo + 1] = p end
  end
  return todo
end

-- After the points ran (or stopped): the log, the summary, the exit status.
local function finish(run, ok, rerr, elapsed)
  local interrupted = not ok and study_dir.is_interrupt()
  run.bar:finish()
  local status = interrupted and "interrupted" or not ok and "error"
                 or run.failures > 0 and "failed" or "complete"
  -- Count the files: a worker stopped by Ctrl-C may have saved a point it
  -- could not report.
  local now = study_dir.scan(run.dir, run.manifest, run.todo)
  if now then run.ran = now.ndone end
  run.log:save(status, true, { points_run = run.ran })
  if not ok and not interrupted then return failure(rerr) end
  study_dir.mark_finished(run.dir, run.manifest, run.st:points())
  local slice, label = run.slice, run.label
  local done = #slice - #run.todo + run.ran
  say("%s: ran %d point%s in %s%s; %d of %d done in %s", label, run.ran,
      run.ran == 1 and "" or "s", progress.duration(elapsed),
      run.failures > 0 and string.format(", %d failed", run.failures) or "", done, #slice,
      run.dir)
  if interrupted then
    say("%s: interrupted; run the same command again to finish the other points", label)
    return 130
  end
  if run.failures == 0 and not run.sharded then
    say("%s: next, spacexnet study merge %s", label, run.dir)
  end
  if run.failures > 0 then
    if not run.keep_going and done + run.failures < #slice then
      say("%s: stopped at the first failure; --keep-going runs the other points", label)
    end
    return 1
  end
  return 0
end

local function cmd_run(words)
  local o, code = run_options(words)
  if not o then return code end
  local st, err = study.load(o.file)
  if not st then return failure(err) end
  if o.worker then return worker_main(st, o.dir, o.worker) end
  local dir, k, n = o.dir, o.k, o.n
  local m
  local damage
  m, err, damage = study_dir.prepare(st, dir, { force = o.force })
  if not m then return failure(err) end
  if damage then say("rebuilt %s/manifest.json from %s (it was damaged: %s)", dir, o.file, damage) end
  local slice = study.shard(st:points(), k, n)
  local label = string.format("study '%s'%s", st.name,
                              n > 1 and string.format(" (shard %d/%d)", k, n) or "")
  local todo
  todo, code = pending(st, dir, m, slice, label)
  if not todo then return code end
  if #todo == 0 then
    say("%s: nothing to do, %d/%d points done in %s", label, #slice, #slice, dir)
    study_dir.mark_finished(dir, m, st:points())
    return 0
  end
  local jobs = math.min(o.jobs, #todo)
  say("%s: %d of %d points to run in %s with %d job%s", label, #todo, #slice, dir, jobs,
      jobs == 1 and "" or "s")
  local run = setmetatable({
    st = st, dir = dir, manifest = m, slice = slice, todo = todo, label = label,
    sharded = n > 1, ran = 0, failures = 0, keep_going = o.keep_going,
    log = study_dir.run_log(dir, st, { shard = n > 1 and (k .. "/" .. n) or json.null,
                                       jobs = jobs, study_file = st.file }),
    bar = progress.new { total = #slice, done = #slice - #todo, label = label, points = todo,
                         jobs = jobs },
  }, Run)
  local saved, serr = run.log:save("running", true)
  if not saved then return failure(serr) end
  local t0 = core.clock()
  local ok, rerr = pcall(jobs > 1 and run_workers or run_here, run, jobs)
  return finish(run, ok, rerr, core.clock() - t0)
end

-- Merge, status -------------------------------------------------------------------

-- "-" for what is not a number one can print (an unreachable city's latency)
local function fmt_stat(x)
  if x ~= x or x == math.huge or x == -math.huge then return "-" end
  return string.format("%.4g", x)
end

-- A Markdown table of the mean (and sd over repeats) of each metric per point.
local function markdown_summary(res, limit)
  local groups, order = {}, {}
  for _, row in ipairs(res.rows) do
    local kp = {}
    for _, name in ipairs(res.params) do kp[name] = row[name] end
    local key = study.canonical(kp)
    if not groups[key] then
      groups[key] = { params = kp, rows = {} }
      order[#order + 1] = key
    end
    table.insert(groups[key].rows, row)
  end
  local columns = table.move(res.params, 1, #res.params, 1, {})
  columns[#columns + 1] = "n"
  table.move(res.metrics, 1, #res.metrics, #columns + 1, columns)
  local rows = {}
  for i = 1, math.min(limit, #order) do
    local g = groups[order[i]]
    local row = { n = #g.rows }
    for _, name in ipairs(res.params) do row[name] = csv.field(g.params[name]) end
    for _, name in ipairs(res.metrics) do
      local values, other = {}, nil
      for _, r in ipairs(g.rows) do
        local v = r[name]
        if type(v) == "number" then
          values[#values + 1] = v
        elseif v ~= nil then
          other = (other == nil or other == v) and v or "(varies)"
        end
      end
      if #values == 0 then
        row[name] = other ~= nil and tostring(other) or ""
      else
        local st = stats.summary(values)
        local spread = st.n > 1 and st.sd == st.sd -- NaN when a value is not finite
        row[name] = fmt_stat(st.mean) .. (spread and (" ± " .. fmt_stat(st.sd)) or "")
      end
    end
    rows[i] = row
  end
  local text = report.markdown(rows, columns)
  if #order > limit then
    text = text .. string.format("\n(%d more points; see the CSV)", #order - limit)
  end
  return text
end

local function cmd_merge(words)
  local dir, opts = one_arg(words, "merge takes one study directory",
                            { out = "value", gzip = "flag", quiet = "flag" })
  if not dir then return opts end
  local res, err = study_dir.collect(dir)
  if not res then return failure(err) end
  local out = opts.out or (dir .. "/results.csv")
  if opts.gzip and not out:match("%.gz$") then out = out .. ".gz" end
  local safe, why = study_dir.check_output(dir, out)
  if not safe then return usage_error("--out %s", why) end
  local ok, werr = core.write_file(out, csv.encode(res.rows, res.columns), { gzip = opts.gzip })
  if not ok then return failure(werr) end
  if not opts.quiet then
    print(markdown_summary(res, 40))
    print()
  end
  print(string.format("%s: %d rows (%d of %d points)", out, #res.rows, #res.rows, #res.points))
  if res.extra > 0 then
    say("spacexnet study: %d point files in %s/points are not in the current grid; left out",
        res.extra, dir)
  end
  if #res.bad > 0 then
    say("spacexnet study: %d point file%s not count ('study run' runs %s again):", #res.bad,
        #res.bad == 1 and " does" or "s do", #res.bad == 1 and "its point" or "their points")
    list_bad(res.bad, 10, say)
  end
  if #res.missing > 0 then
    say("spacexnet study: partial merge, %d points are missing; 'spacexnet study status %s' "
        .. "lists them", #res.missing, dir)
    return 1
  end
  return 0
end

local function cmd_status(words)
  local dir, opts = one_arg(words, "status takes one study directory", { all = "flag" })
  if not dir then return opts end
  local m, err = study_dir.read_manifest(dir)
  if not m then return failure(err) end
  local points, params = study_dir.manifest_points(m)
  local scan, serr = study_dir.scan(dir, m, points)
  if not scan then return failure(serr) end
  local done, have, missing = scan.done, scan.ndone, {}
  for _, p in ipairs(points) do
    if not done[p.id] then missing[#missing + 1] = p end
  end
  local dims = {}
  for _, name in ipairs(params) do
    dims[#dims + 1] = string.format("%s (%d)", name, #m.grid[name])
  end
  print(string.format("study '%s' in %s: file %s, hash %s", m.name, dir, tostring(m.study_file),
                      tostring(m.study_hash)))
  print(string.format("grid: %s x %d repeat%s = %d points; seed %d",
                      #dims > 0 and table.concat(dims, " x ") or "(no parameters)", m.repeats,
                      m.repeats == 1 and "" or "s", #points, m.seed))
  print(string.format("done: %d of %d (%.1f%%); missing: %d", have, #points,
                      #points > 0 and 100 * have / #points or 100, #missing))
  local limit = opts.all and #missing or 10
  for i = 1, math.min(limit, #missing) do
    print("  missing: " .. describe_point(missing[i]))
  end
  if #missing > limit then
    print(string.format("  ... %d more (--all lists them)", #missing - limit))
  end
  if #scan.bad > 0 then
    print(string.format("%d point file%s not count ('study run' runs %s again):", #scan.bad,
                        #scan.bad == 1 and " does" or "s do",
                        #scan.bad == 1 and "its point" or "their points"))
    list_bad(scan.bad, opts.all and #scan.bad or 10, print)
  end
  if scan.extra > 0 then
    print(string.format("%d point files are not in the current grid (from an earlier grid)",
                        scan.extra))
  end
  local stray = scan.unexpected
  if #stray > 0 then
    print(string.format("%d unexpected file%s in %s/points (not point files; ignored):", #stray,
                        #stray == 1 and "" or "s", dir))
    for i = 1, math.min(#stray, opts.all and #stray or 10) do print("  " .. stray[i]) end
    if #stray > 10 and not opts.all then
      print(string.format("  ... %d more (--all lists them)", #stray - 10))
    end
  end
  local runs = study_dir.read_runs(dir) or {}
  local compute, timed, states, finished = 0, 0, {}, {}
  local by_id = {}
  for _, p in ipairs(points) do by_id[p.id] = p end
  for _, r in ipairs(runs) do
    states[r.status or "?"] = (states[r.status or "?"] or 0) + 1
    for id, s in pairs(r.elapsed_s or {}) do
      if done[id] then
        compute, timed = compute + s, timed + 1
        if by_id[id] then finished[#finished + 1] = { params = by_id[id].params, seconds = s } end
      end
    end
  end
  if #runs > 0 then
    local st = {}
    for _, name in ipairs { "complete", "running", "interrupted", "failed", "error" } do
      if states[name] then st[#st + 1] = states[name] .. " " .. name end
    end
    local line = string.format("runs: %d (%s)", #runs, table.concat(st, ", "))
    if timed > 0 then
      local per = compute / timed
      line = line .. string.format("; compute %s, %s per point", progress.duration(compute),
                                   progress.duration(per))
      if #missing > 0 then -- from the missing points' parameters, not the mean
        local left, uncertain = progress.expected_cost(finished, missing)
        line = line .. string.format("; about %s of compute left%s", progress.duration(left),
                                     uncertain and " (uncertain: not every grid value timed yet)"
                                     or "")
      end
    end
    print(line)
    if states.running then
      print("  (a run marked running is still going, or was killed before it could say so)")
    end
  end
  print(string.format("started %s; %s", tostring(m.started),
                      m.finished ~= json.null and m.finished and ("finished " .. m.finished)
                      or "not finished"))
  return #missing == 0 and 0 or 1
end

-- Plot --------------------------------------------------------------------------

local function cmd_plot(words)
  local data, opts = one_arg(words, "plot takes one study directory or CSV", {
    x = "value", y = "value", by = "value", bars = "flag", where = "list", errors = "value",
    out = "value", title = "value", xlabel = "value", ylabel = "value", labels = "list",
    size = "value", format = "value", logx = "flag", logy = "flag" })
  if not data then return opts end
  if not opts.x or not opts.y then return usage_error("plot needs --x PARAM and --y METRIC") end
  local ys = {}
  for y in opts.y:gmatch("[^,]+") do ys[#ys + 1] = y end
  local labels = {}
  for _, list in ipairs(opts.labels or {}) do
    for item in list:gmatch("[^,]+") do
      local k, v = item:match("^([^=]+)=(.*)$")
      if not k then return usage_error("--labels takes NAME=TEXT, got '%s'", item) end
      labels[csv.value(k) or k] = v
    end
  end
  local size
  if opts.size then
    local w, h = opts.size:match("^(%d+)[xX](%d+)$")
    if not w then return usage_error("--size takes WIDTHxHEIGHT in pixels, got '%s'", opts.size) end
    size = { math.tointeger(tonumber(w)), math.tointeger(tonumber(h)) }
  end
  local formats
  if opts.format then
    formats = {}
    for f in opts.format:gmatch("[^,]+") do formats[#formats + 1] = f end
  end
  local where = {}
  for _, w in ipairs(opts.where or {}) do
    local k, v = w:match("^([%a_][%w_]*)=(.*)$")
    if not k then return usage_error("--where takes PARAM=VALUE, got '%s'", w) end
    where[k] = csv.value(v)
  end
  local plot = require "xnet.plot"
  if not (data:match("%.csv$") or data:match("%.csv%.gz$")) then
    local res = study_dir.collect(data)
    if res and #res.missing > 0 then
      say("spacexnet study: plotting a partial study, %d of %d points are missing",
          #res.missing, #res.points)
    end
  end
  local dir = data
  if dir:match("%.csv$") or dir:match("%.csv%.gz$") then dir = dir:match("^(.*)/[^/]*$") or "." end
  local base = opts.out or (dir .. "/" .. table.concat(ys, "+") .. "-" .. opts.x)
  local ok, res, err = pcall(opts.bars and plot.bars or plot.lines, {
    data = data, x = opts.x, y = #ys == 1 and ys[1] or ys, by = opts.by, where = where,
    errors = opts.errors, out = base, title = opts.title, xlabel = opts.xlabel,
    ylabel = opts.ylabel, labels = labels, size = size, formats = formats,
    logx = (not opts.bars) and opts.logx or nil, logy = opts.logy })
  if not ok then return usage_error("%s", res) end
  if not res then return failure(err) end
  print(res.message)
  return 0
end

-- Entry ------------------------------------------------------------------------------

local commands = { run = cmd_run, merge = cmd_merge, status = cmd_status, plot = cmd_plot }

-- cli.main(arg) -> exit status; arg[1] is the command
function cli.main(arg)
  local words = {}
  for i = 1, #arg do words[i] = arg[i] end
  local cmd = words[1]
  if cmd == nil or cmd == "help" or cmd == "-h" or cmd == "--help" then
    io.stdout:write(USAGE, "\n")
    return cmd == nil and 2 or 0
  end
  local f = commands[cmd]
  if not f then return usage_error("%s", core.unknown_name("command", cmd, { "merge", "plot", "run", "status" })) end
  return f(words)
end

return cli
