-- No lost results: xnet.write_file writes a temporary file in the same
-- directory, fsyncs it and renames it over the target. When that cannot be
-- done (an unwritable or read-only directory, a full disk, a file-size
-- limit) the call returns nil, "path: reason", the previous file is intact
-- and no temporary file is left. And xnet.read_file never returns a short
-- read: corrupt or truncated gzip data, and reads past the memory limit,
-- are errors.
--
-- CI runs as root, for whom chmod does not make a directory unwritable, so
-- the failures come from things that bind root too: paths under /sys,
-- RLIMIT_FSIZE (`ulimit -f` with SIGXFSZ ignored, so write() fails with
-- EFBIG), and, where unshare(1) may make a mount namespace, a read-only bind
-- mount and a tiny tmpfs. Those scenarios run in a child process (this file
-- with --child); each is skipped, with the reason printed, if the machine
-- does not allow it.
package.path = arg[0]:gsub("[^/]*$", "") .. "?.lua;" .. package.path
local t = require "harness"
local xnet = require "xnet"

-- the temporary files write_file leaves in dir (there should be none)
local function leftovers(dir)
  local n = 0
  for _, name in ipairs(xnet.list_dir(dir) or {}) do
    if name:find(".tmp", 1, true) then n = n + 1 end
  end
  return n
end

-- err must be "path: ...reason..."
local function check_failed(ok, err, path, reason, what)
  t.check(ok == nil, what .. ": write must fail")
  t.check(type(err) == "string" and err:sub(1, #path + 2) == path .. ": "
          and err:find(reason, 1, true) ~= nil,
          what .. ": message '" .. tostring(err) .. "' should be '" .. path .. ": ..." .. reason
          .. "...'")
end

-- A big string that gzip cannot shrink much (xorshift bytes).
local function noise(n)
  local parts, x = {}, 88172645463325252
  for i = 1, n // 8 do
    x = x ~ (x << 13); x = x ~ (x >> 7); x = x ~ (x << 17)
    parts[i] = string.pack("<i8", x)
  end
  return table.concat(parts)
end

-- Writing over `path` must fail with `reason`, leaving its old bytes and no
-- temporary file behind (plain and gzip).
local function failing_write(path, data, reason, what)
  local old = xnet.read_file(path)
  for _, gzip in ipairs{ false, true } do
    local w = what .. (gzip and " (gzip)" or "")
    local ok, err = xnet.write_file(path, data, { gzip = gzip })
    check_failed(ok, err, path, reason, w)
    t.check(xnet.read_file(path) == old, w .. ": the previous file is intact")
    t.check(leftovers(path:match("^(.*)/")) == 0, w .. ": no temporary file left")
  end
end

local PREVIOUS = "layer,expert,latency_s\n0,0,1.25\n"

-- --- scenarios that need a special environment, run in a child ---------------

local child = {}

-- A small file fits; a big one does not, and fails with `reason`.
local function small_fits_big_fails(dir, big, reason, what)
  local path = dir .. "/results.csv"
  t.check(xnet.write_file(path, PREVIOUS), what .. ": a small file fits")
  failing_write(path, noise(big), reason, what)
end

-- RLIMIT_FSIZE of 16 KiB: the write of a bigger file fails with EFBIG.
function child.fsize(dir)
  small_fits_big_fails(dir, 200000, "File too large", "file-size limit")
end

-- dir is a read-only bind mount of a directory holding results.csv.
function child.readonly(dir)
  local path = dir .. "/results.csv"
  t.check(xnet.read_file(path) == PREVIOUS, "the previous file is visible")
  failing_write(path, "new,results\n", "Read-only file system", "read-only directory")
end

-- dir is a 64 KiB tmpfs: a big file fills the disk.
function child.full(dir)
  small_fits_big_fails(dir, 400000, "No space left on device", "full disk")
end

-- linkat fails (injected by strace): the portable named temporary file.
function child.fallback(dir)
  local path = dir .. "/results.csv"
  t.check(xnet.write_file(path, PREVIOUS), "first write")
  t.check(xnet.write_file(path, "replaced\n", { gzip = true }), "overwrite")
  t.check(xnet.read_file(path) == "replaced\n", "the named way writes the same")
  t.check(leftovers(dir) == 0, "no temporary file after the named way")
end

if arg[1] == "--child" then
  child[arg[2]](arg[3])
  t.done()
end

local function sh(cmd)
  local p = io.popen(cmd .. " 2>&1")
  local out = p:read("a")
  local ok, _, code = p:close()
  return ok and 0 or code, out
end

local function q(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

local function absolute(path)
  if path:sub(1, 1) == "/" then return path end
  return (os.getenv("PWD") or ".") .. "/" .. path
end

-- Run a child scenario under `prefix` and count its checks as ours.
local function run_child(prefix, scenario, dir)
  local cmd = string.format("%s %s %s %s --child %s %s", prefix, os.getenv("XNET_WRAP") or "",
                            q(absolute(arg[-1])), q(absolute(arg[0])), scenario, q(dir))
  local code, out = sh(cmd)
  local passed, failed = out:match("(%d+) passed, (%d+) failed")
  t.check(code == 0 and passed ~= nil, scenario .. ": child failed (" .. tostring(code) .. ")\n"
          .. out)
  if passed then
    t.passed, t.failed = t.passed + tonumber(passed), t.failed + tonumber(failed)
    if tonumber(failed) > 0 then io.stderr:write(out) end
  end
end

local tmp = t.tmpdir()

-- --- round trips and atomic replacement --------------------------------------

local path = tmp .. "/results.csv"
t.check(xnet.write_file(path, PREVIOUS) == true)
t.check(xnet.read_file(path) == PREVIOUS)
t.check(xnet.write_file(path, "replaced\n") == true)
t.check(xnet.read_file(path) == "replaced\n", "the new contents replace the old")
local big = noise(300000) .. "\0\255 binary"
t.check(xnet.write_file(tmp .. "/big.gz", big, { gzip = true }) == true)
t.check(xnet.read_file(tmp .. "/big.gz") == big, "gzip round trip of binary data")
t.check(xnet.write_file(tmp .. "/empty.gz", "", { gzip = true }) == true)
t.check(xnet.read_file(tmp .. "/empty.gz") == "", "an empty gzip file reads as empty")
t.check(xnet.write_file(tmp .. "/empty", "") == true)
t.check(xnet.read_file(tmp .. "/empty") == "")
t.check(leftovers(tmp) == 0, "no temporary file after successful writes")
local _, umask = sh("umask")
local _, mode = sh("stat -c %a " .. q(path))
t.check(tonumber(mode, 8) == 438 & ~tonumber(umask, 8), -- 0666 & ~umask, as fopen gives
        "mode " .. mode .. " with umask " .. umask)

-- --- failing writes that need no special environment -----------------------

failing_write(tmp .. "/no/such/dir/x.csv", "x", "No such file or directory", "missing directory")
xnet.mkdir(tmp .. "/adir")
failing_write(tmp .. "/adir", "x", "Is a directory", "target is a directory")
t.check(#assert(xnet.list_dir(tmp .. "/adir")) == 0, "the directory is left as it was")
failing_write(path .. "/x.csv", "x", "Not a directory", "a file used as a directory")
failing_write(tmp .. "/" .. string.rep("n", 250), "x", "File name too long", "name too long")
-- /sys refuses new files even to root
local ok, err = xnet.write_file("/sys/spacexnet-test.csv", "x")
t.check(ok == nil and type(err) == "string"
        and err:sub(1, #"/sys/spacexnet-test.csv: ") == "/sys/spacexnet-test.csv: ",
        "unwritable directory (/sys): " .. tostring(err))
t.check(xnet.read_file(path) == "replaced\n", "earlier results untouched by failures")

-- --- environment-dependent failures (children) --------------------------------

-- RLIMIT_FSIZE binds root too; SIGXFSZ ignored turns the kill into EFBIG.
local fdir = tmp .. "/fsize"
xnet.mkdir(fdir)
run_child("ulimit -f 16; trap '' XFSZ;", "fsize", fdir)

-- Without O_TMPFILE (here: linkat made to fail) the writer falls back to a
-- named temporary file; LeakSanitizer cannot run under ptrace.
if sh("command -v strace") == 0 then
  local bdir = tmp .. "/fallback"
  xnet.mkdir(bdir)
  run_child("ASAN_OPTIONS=detect_leaks=0 strace -f -o /dev/null -e trace=linkat "
            .. "-e inject=linkat:error=ENOENT", "fallback", bdir)
else
  print("skip: the named-temporary-file fallback (no strace to make linkat fail)")
end

-- A mount namespace: a read-only bind mount and a 64 KiB tmpfs.
local code, why = sh("unshare -rm sh -c 'mount -t tmpfs -o size=64k tmpfs " .. q(tmp) .. "'")
if code == 0 then
  local rdir = tmp .. "/ro"
  xnet.mkdir(rdir)
  assert(xnet.write_file(rdir .. "/results.csv", PREVIOUS))
  run_child(string.format("unshare -rm sh -c 'mount --bind %s %s && mount -o remount,bind,ro %s %s "
                          .. "&& exec \"$0\" \"$@\"'", rdir, rdir, rdir, rdir), "readonly", rdir)
  t.check(xnet.read_file(rdir .. "/results.csv") == PREVIOUS, "read-only: intact afterwards")
  t.check(leftovers(rdir) == 0, "read-only: no temporary file afterwards")
  local mdir = tmp .. "/full"
  xnet.mkdir(mdir)
  run_child(string.format("unshare -rm sh -c 'mount -t tmpfs -o size=64k tmpfs %s "
                          .. "&& exec \"$0\" \"$@\"'", mdir), "full", mdir)
else
  print("skip: read-only directory and full disk (no mount namespace: "
        .. why:gsub("\n", " "):sub(1, 120) .. ")")
end

-- --- reads: never a short read --------------------------------------------

local text = string.rep("token,layer,expert_1,expert_2\n", 3000)
local gz = tmp .. "/trace.csv.gz"
assert(xnet.write_file(gz, text, { gzip = true }))
local bytes = assert(io.open(gz, "rb")):read("a")
local function read_bytes(name, b)
  local f = assert(io.open(tmp .. "/" .. name, "wb"))
  f:write(b)
  f:close()
  return xnet.read_file(tmp .. "/" .. name)
end
local function read_fails(name, b, reason)
  local s, e = read_bytes(name, b)
  t.check(s == nil and type(e) == "string" and e:sub(1, #tmp + #name + 3) == tmp .. "/" .. name
          .. ": " and e:find(reason, 1, true) ~= nil,
          name .. ": want '" .. reason .. "', got " .. tostring(s and #s or e))
end
t.check(read_bytes("whole.gz", bytes) == text)
t.check(read_bytes("twice.gz", bytes .. bytes) == text .. text, "gzip members back to back")
for _, cut in ipairs{ 2, 10, #bytes // 2, #bytes - 8, #bytes - 1 } do
  read_fails("cut" .. cut .. ".gz", bytes:sub(1, cut), "truncated gzip data")
end
read_fails("crc.gz", bytes:sub(1, -9) .. string.char(bytes:byte(-8) ~ 1) .. bytes:sub(-7),
           "corrupt gzip data")
read_fails("length.gz", bytes:sub(1, -2) .. string.char(bytes:byte(-1) ~ 1), "corrupt gzip data")
read_fails("junk.gz", bytes .. "junk", "not another gzip member")
read_fails("cut-second.gz", bytes .. bytes:sub(1, 20), "truncated gzip data")
-- the input the fuzzer found: zlib's gzread read it as 64 KiB and no error
local root = absolute(arg[0]):gsub("[^/]*$", "") .. "../.."
for _, name in ipairs(xnet.list_dir(root .. "/fuzz/regressions/file_read") or {}) do
  local s, e = xnet.read_file(root .. "/fuzz/regressions/file_read/" .. name)
  t.check(s == nil and e:find("truncated gzip data", 1, true), name .. ": " .. tostring(e))
end
local s, e = xnet.read_file(tmp)
t.check(s == nil and e == tmp .. ": Is a directory", tostring(e))
s, e = xnet.read_file(tmp .. "/nothing")
t.check(s == nil and e == tmp .. "/nothing: No such file or directory", tostring(e))

-- a symbolic link is written through: the file it points to changes, the link stays
assert(xnet.write_file(tmp .. "/target.txt", "old"))
os.execute("ln -s target.txt '" .. tmp .. "/link.txt'")
assert(xnet.write_file(tmp .. "/link.txt", "new"))
t.check(xnet.read_file(tmp .. "/target.txt") == "new", "the link's target was written")
t.check(os.execute("test -L '" .. tmp .. "/link.txt'") == true, "the link is still a link")
os.execute("ln -s missing/none '" .. tmp .. "/dangling'")
s, e = xnet.write_file(tmp .. "/dangling", "x")
t.check(s == nil and e:find(tmp .. "/dangling: a symbolic link whose target cannot be used", 1, true),
        tostring(e))

-- a gzip bomb (or any huge file) stops at the memory limit
assert(xnet.write_file(tmp .. "/bomb.gz", string.rep("\0", 8 << 20), { gzip = true }))
local saved = xnet.limits().memory_mb
xnet.limits{ memory_mb = 4 }
s, e = xnet.read_file(tmp .. "/bomb.gz")
t.check(s == nil and e:find(tmp .. "/bomb.gz: reading it would need", 1, true)
        and e:find("over the memory limit of 4194304 bytes", 1, true), tostring(e))
s, e = xnet.read_file("/dev/zero")
t.check(s == nil and e:find("/dev/zero: reading it would need", 1, true), tostring(e))
xnet.limits{ memory_mb = saved }
t.check(#assert(xnet.read_file(tmp .. "/bomb.gz")) == 8 << 20, "fine under the normal limit")

t.rmtree(tmp)
t.done()
