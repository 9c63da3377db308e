#!/usr/bin/env bash
# Interrupt a long spacexnet call and measure how quickly it stops, for
# tests/lua/test_interrupt.lua.
#
#   tests/sh/interrupt.sh BIN pipe CASE   REPL fed through a FIFO, `kill -INT`
#   tests/sh/interrupt.sh BIN pty CASE    REPL on a pseudo-terminal (script(1));
#                                         Ctrl-C typed as a byte, readline live
#   tests/sh/interrupt.sh BIN script CASE `spacexnet -e` interrupted with kill -INT
#
# CASE is the long call: network (the snapshot loop in the kernel that runs
# the two-state outage chains forward), latency
# (many Dijkstra sources in one call), paths (path queries on two worker
# threads), ring (rings cut over and over: subnets searched on two worker
# threads), lua (a pure Lua loop), fifo (reading a FIFO no one writes), calls (a Lua
# loop of short C calls). XNET_WRAP (e.g. valgrind) prefixes the program.
# Prints one line of key=value results:
#   landed_ms  time from the interrupt to "interrupted" in the output
#   state      yes if variables set before the call survived (REPL only)
#   after      yes if a computation after the interrupt worked (REPL only)
#   prompt     yes if Ctrl-C at the prompt and in a continuation line kept
#              the REPL (pty only)
#   exit       exit status of the program
#   caught     yes if the script's pcall caught the interrupt (script only)
set -u
bin=$1 mode=$2 case=$3
dir=$(mktemp -d /tmp/spacexnet-int.XXXXXX)
pid=
cleanup() {
  [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
  exec 3>&- 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT

case $case in
  network) setup=""
           long="net = xnet.network(xnet.walker{ planes = 200, sats = 200 },"
           long="$long { snapshots = 20000, outages = \"markov\" })" ;;
  latency) setup="big = xnet.network(xnet.walker{ planes = 100, sats = 100 }, { snapshots = 1 });"
           setup="$setup srcs = {}; for i = 1, 3000 do srcs[i] = i - 1 end"
           long="net = big:latency(srcs, 0)" ;;
  paths)   setup="big = xnet.network(xnet.walker{ planes = 60, sats = 60 }, { snapshots = 50 });"
           setup="$setup xnet.limits{ workers = 2 }; ring = xnet.ring(big, 32, { cut = \"slot\", gateway = \"index\", warn = false })"
           long="for i = 1, 1e9 do big:clear_cache(); e = xnet.place.expected(big, ring) end" ;;
  ring)    setup="big = xnet.network(xnet.walker{ planes = 100, sats = 100 }, { snapshots = 4 });"
           setup="$setup xnet.limits{ workers = 2 }"
           long="for i = 1, 1e9 do big:clear_cache(); r = xnet.ring(big, 8, { warn = false }) end" ;;
  lua)     setup="" long="n = 0; while true do n = n + 1 end" ;;
  pcall)   setup="" # the kernel's "interrupted" is one error, caught like any other
           long="ok, e = pcall(xnet.network, xnet.walker{ planes = 200, sats = 200 },"
           long="$long { snapshots = 20000, outages = \"markov\" }); io.stderr:write('CAUGHT=', tostring(ok), ' ', e, '\\n')" ;;
  fifo)    mkfifo "$dir/never" # no writer ever comes: open() blocks
           setup="" long="s = xnet.read_file('$dir/never')" ;;
  calls)   setup="small = xnet.network(xnet.walker{ planes = 3, sats = 12 }, { snapshots = 2 })"
           long="for i = 1, 1e9 do small:latency(0, 0) end" ;;
  *) echo "unknown case $case" >&2; exit 2 ;;
esac

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# wait_for FILE TEXT SECONDS: 0 once TEXT is in FILE, 1 on timeout
wait_for() {
  local deadline=$(( $(now_ms) + $3 * 1000 ))
  until grep -qF -- "$2" "$1" 2>/dev/null; do
    [ "$(now_ms)" -gt "$deadline" ] && return 1
    sleep 0.005
  done
}

say() { printf '%s\n' "$1" >&3; }

slow=1
[ -n "${XNET_WRAP:-}" ] && slow=10 # valgrind: everything takes far longer (more on a busy machine)
landed=timeout state=no after=no prompt=n/a

if [ "$mode" = script ]; then
  ${XNET_WRAP:-} "$bin" -e "$setup; io.stderr:write('ST' .. 'ART\n'); $long" >"$dir/out" 2>&1 &
  pid=$!
  wait_for "$dir/out" START $((10 * slow)) || { echo "never started"; cat "$dir/out"; exit 1; }
  sleep 0.3
  t0=$(now_ms)
  kill -INT "$pid"
  wait_for "$dir/out" interrupted $((20 * slow)) && landed=$(( $(now_ms) - t0 ))
  wait "$pid"; code=$?; pid=
  caught=no
  grep -q "CAUGHT=false interrupted" "$dir/out" && caught=yes
  echo "landed_ms=$landed exit=$code caught=$caught"
  exit 0
fi

mkfifo "$dir/in"
if [ "$mode" = pipe ]; then
  ${XNET_WRAP:-} "$bin" -i <"$dir/in" >"$dir/out" 2>&1 &
  pid=$!
else
  # script(1) gives the REPL a terminal: readline is live, and the Ctrl-C
  # byte becomes a SIGINT through the terminal's line discipline.
  script -qfec "${XNET_WRAP:-} '$bin' -i" /dev/null <"$dir/in" >"$dir/out" 2>&1 &
  pid=$!
fi
exec 3>"$dir/in"
# Markers are computed (ST .. ART), so a terminal's echo of the input cannot
# be mistaken for the program's output; type only once the REPL is up.
wait_for "$dir/out" "xnet is loaded" $((10 * slow)) || { echo "no REPL"; cat "$dir/out"; exit 1; }
say "x = 42; t = { 1, 2, 3 }"
[ -n "$setup" ] && say "$setup"
say "io.stderr:write('ST' .. 'ART\n'); $long"
wait_for "$dir/out" START $((10 * slow)) || { echo "never started"; cat "$dir/out"; exit 1; }
sleep 0.3
t0=$(now_ms)
if [ "$mode" = pipe ]; then kill -INT "$pid"; else printf '\003' >&3; fi
wait_for "$dir/out" interrupted $((20 * slow)) && landed=$(( $(now_ms) - t0 ))
say "print('state:' .. x .. #t .. tostring(net))"
wait_for "$dir/out" "state:423nil" $((5 * slow)) && state=yes
say "print('after:' .. #xnet.network(xnet.walker{ planes = 3, sats = 12 }, { snapshots = 2 }))"
wait_for "$dir/out" "after:36" $((5 * slow)) && after=yes
if [ "$mode" = pty ]; then
  # Ctrl-C while typing a line, then in a continuation line, then twice on
  # an empty prompt: each drops what was typed; the REPL goes on.
  printf 'half a line' >&3; sleep 0.2; printf '\003' >&3; sleep 0.2
  say "for i = 1, 2 do"; sleep 0.2; printf '\003' >&3; sleep 0.2
  printf '\003' >&3; sleep 0.1; printf '\003' >&3; sleep 0.2
  say "print('prompt:' .. x)"
  wait_for "$dir/out" "prompt:42" $((5 * slow)) && prompt=yes
fi
exec 3>&-  # end of input: the REPL exits
wait "$pid"; code=$?; pid=
echo "landed_ms=$landed state=$state after=$after prompt=$prompt exit=$code"
