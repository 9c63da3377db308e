/* Lua binding for the process, directory and clock primitives the study
 * runner needs (src/proc.c). Worker processes are userdata of type
 * xnet.Process owning their pipes. */
#include "error.h"
#include "l_common.h"
#include "proc.h"
#include "rng.h"

#include <limits.h>
#include <math.h>
#include <signal.h>
#include <string.h>


static xnet_proc_t *check_process(lua_State *L, int idx)
{
    return luaL_checkudata(L, idx, XNET_PROCESS_MT);
}

/* xnet.spawn{ path, arg1, ... } -> Process; nil, "path: reason" if it cannot
 * start. The worker reads its stdin from proc:send and reports on its fd 3
 * to proc:receive; it runs in its own process group. */
static int l_spawn(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer n = (lua_Integer)lua_rawlen(L, 1);
    if (n < 1 || n > 4096) {
        return luaL_error(L, "spawn needs 1 to 4096 words, got %I", n);
    }
    /* The argv array lives in a userdata, so a raising check cannot leak it. */
    char **argv = lua_newuserdatauv(L, (size_t)(n + 1) * sizeof *argv, 0);
    for (lua_Integer i = 1; i <= n; i++) {
        if (lua_rawgeti(L, 1, i) != LUA_TSTRING) {
            return luaL_error(L, "spawn word %I must be a string, got %s", i,
                              luaL_typename(L, -1));
        }
        argv[i - 1] = (char *)lua_tostring(L, -1); /* the table keeps it alive */
        lua_pop(L, 1);
    }
    argv[n] = NULL;
    xnet_proc_t *p = lua_newuserdatauv(L, sizeof *p, 0);
    p->pid = 0;
    p->to_child = p->from_child = -1;
    p->exit_code = -1;
    luaL_setmetatable(L, XNET_PROCESS_MT);
    if (xnet_proc_spawn(p, argv[0], argv)) {
        return xnet_l_fail_result(L);
    }
    return 1;
}

/* proc:send(data) -> true | nil, "worker PID: reason" (the worker has gone) */
static int l_send(lua_State *L)
{
    xnet_proc_t *p = check_process(L, 1);
    size_t len;
    const char *data = luaL_checklstring(L, 2, &len);
    if (xnet_proc_send(p, data, len)) {
        return xnet_l_fail_result(L);
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* proc:receive() -> string (what the worker reported so far, "" if nothing)
 * | nil once it has closed its reports (exited); never blocks. */
static int l_receive(lua_State *L)
{
    xnet_proc_t *p = check_process(L, 1);
    luaL_Buffer b;
    char *buf = luaL_buffinitsize(L, &b, 65536);
    size_t got;
    int eof;
    if (xnet_proc_receive(p, buf, 65536, &got, &eof)) {
        return xnet_l_raise(L);
    }
    if (eof) {
        lua_pushnil(L);
        return 1;
    }
    luaL_pushresultsize(&b, got);
    return 1;
}

/* proc:close_input(): the worker sees end of input */
static int l_close_input(lua_State *L)
{
    xnet_proc_close_input(check_process(L, 1));
    return 0;
}

/* proc:wait(block = true) -> exit code (128 + signal when killed) | nil if
 * still running and block is false */
static int l_wait(lua_State *L)
{
    xnet_proc_t *p = check_process(L, 1);
    int block = lua_isnoneornil(L, 2) || lua_toboolean(L, 2);
    int done;
    if (xnet_proc_wait(p, block, &done)) {
        return xnet_l_raise(L);
    }
    if (!done) {
        lua_pushnil(L);
    } else {
        lua_pushinteger(L, p->exit_code);
    }
    return 1;
}

/* proc:kill(sig = "INT") with sig one of "INT", "TERM", "KILL" */
static int l_kill(lua_State *L)
{
    static const char *const names[] = {"INT", "TERM", "KILL", NULL};
    static const int sigs[] = {SIGINT, SIGTERM, SIGKILL};
    xnet_proc_t *p = check_process(L, 1);
    int which = luaL_checkoption(L, 2, "INT", names);
    if (xnet_proc_signal(p, sigs[which])) {
        return xnet_l_raise(L);
    }
    return 0;
}

/* proc:pid() -> integer (0 once reaped) */
static int l_pid(lua_State *L)
{
    lua_pushinteger(L, check_process(L, 1)->pid);
    return 1;
}

/* proc:close() and __gc: close the pipes (the worker sees end of input);
 * reaps the worker only if it has already exited. */
static int l_close(lua_State *L)
{
    xnet_proc_t *p = check_process(L, 1);
    int done;
    xnet_proc_close(p);
    xnet_proc_wait(p, 0, &done);
    return 0;
}

static int l_tostring(lua_State *L)
{
    xnet_proc_t *p = check_process(L, 1);
    if (p->pid > 0) {
        lua_pushfstring(L, "process %d", (int)p->pid);
    } else {
        lua_pushfstring(L, "process (exited %d)", p->exit_code);
    }
    return 1;
}

/* xnet.poll(procs, timeout_s) -> number of processes with a report or end
 * of reports pending; 0 after timeout_s seconds or on a signal */
static int l_poll(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    double timeout = luaL_checknumber(L, 2);
    if (!(timeout >= 0)) {
        return xnet_l_error(L, "timeout_s must be >= 0, got %.14g", timeout);
    }
    lua_Integer n = (lua_Integer)lua_rawlen(L, 1);
    if (n < 0 || n > 65536) {
        return luaL_error(L, "poll takes 0 to 65536 processes, got %I", n);
    }
    xnet_proc_t **procs = lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof *procs, 0);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, 1, i);
        procs[i - 1] = check_process(L, -1); /* kept alive by the table */
        lua_pop(L, 1);
    }
    size_t ready;
    if (xnet_proc_poll(procs, (size_t)n, timeout, &ready)) {
        return xnet_l_raise(L);
    }
    lua_pushinteger(L, (lua_Integer)ready);
    return 1;
}

/* xnet.executable() -> absolute path of this program | nil, reason */
static int l_executable(lua_State *L)
{
    char path[PATH_MAX];
    if (xnet_self_exe(path, sizeof path)) {
        return xnet_l_fail_result(L);
    }
    lua_pushstring(L, path);
    return 1;
}

/* xnet.list_dir(path) -> { name, ... } (unsorted, without . and ..)
 * | nil, "path: reason" */
static int l_list_dir(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    void **box = xnet_l_box(L);
    size_t len, count;
    if (xnet_dir_list(path, (char **)box, &len, &count)) {
        return xnet_l_fail_result(L);
    }
    lua_createtable(L, count > INT_MAX ? INT_MAX : (int)count, 0);
    const char *s = *box;
    for (size_t i = 0; i < count; i++) {
        size_t l = strlen(s);
        lua_pushlstring(L, s, l);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
        s += l + 1;
    }
    xnet_l_box_free(box);
    return 1;
}

/* xnet.mkdir(path) -> true | nil, "path: reason"; creates missing parents,
 * an existing directory is fine */
static int l_mkdir(lua_State *L)
{
    if (xnet_mkdir_p(luaL_checkstring(L, 1))) {
        return xnet_l_fail_result(L);
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* xnet.realpath(path) -> the absolute path of an existing path, symbolic
 * links resolved | nil, "path: reason" */
static int l_realpath(lua_State *L)
{
    char path[PATH_MAX];
    if (xnet_realpath(luaL_checkstring(L, 1), path, sizeof path)) {
        return xnet_l_fail_result(L);
    }
    lua_pushstring(L, path);
    return 1;
}

/* xnet.interrupted() -> true once Ctrl-C (SIGINT) has arrived during the
 * current top-level call: how the study runner tells a real interrupt from
 * an error whose message merely says "interrupted" */
static int l_interrupted(lua_State *L)
{
    lua_pushboolean(L, xnet_interrupt_requested != 0);
    return 1;
}

/* xnet.isatty(fd) -> boolean, for fd 0, 1 or 2 */
static int l_isatty(lua_State *L)
{
    int fd = (int)xnet_l_check_range(L, 1, "fd", 0, 2);
    lua_pushboolean(L, xnet_isatty(fd));
    return 1;
}

/* xnet.clock() -> seconds on a monotonic clock, for durations */
static int l_clock(lua_State *L)
{
    lua_pushnumber(L, xnet_clock_monotonic());
    return 1;
}

/* xnet.time() -> seconds since the Unix epoch, with a fraction */
static int l_time(lua_State *L)
{
    lua_pushnumber(L, xnet_clock_wall());
    return 1;
}

/* xnet.sleep(seconds); a signal (Ctrl-C) ends it early */
static int l_sleep(lua_State *L)
{
    double s = luaL_checknumber(L, 1);
    if (!(s >= 0) || !isfinite(s)) {
        return xnet_l_error(L, "seconds must be >= 0 and finite, got %.14g", s);
    }
    xnet_sleep(s);
    return 0;
}

/* xnet.pid() -> this process id */
static int l_pid_self(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)xnet_getpid());
    return 1;
}

/* xnet.hostname() -> string */
static int l_hostname(lua_State *L)
{
    char buf[256];
    xnet_hostname(buf, sizeof buf);
    lua_pushstring(L, buf);
    return 1;
}

/* xnet.cpu_count() -> processors online */
static int l_cpu_count(lua_State *L)
{
    lua_pushinteger(L, xnet_cpu_count());
    return 1;
}

/* xnet.hash64(s) -> 64-bit integer (FNV-1a + splitmix64, see src/rng.h);
 * format with ("%016x"):format(h) */
static int l_hash64(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    lua_pushinteger(L, (lua_Integer)xnet_hash64(s, len));
    return 1;
}

int luaopen_xnet_proc(lua_State *L)
{
    static const luaL_Reg functions[] = {
        {"spawn", l_spawn},         {"poll", l_poll},         {"executable", l_executable},
        {"list_dir", l_list_dir},   {"mkdir", l_mkdir},       {"isatty", l_isatty},
        {"clock", l_clock},         {"time", l_time},         {"sleep", l_sleep},
        {"pid", l_pid_self},        {"hostname", l_hostname}, {"cpu_count", l_cpu_count},
        {"hash64", l_hash64},       {"realpath", l_realpath}, {"interrupted", l_interrupted},
        {NULL, NULL}};
    static const luaL_Reg methods[] = {{"send", l_send},   {"receive", l_receive},
                                       {"close_input", l_close_input},
                                       {"wait", l_wait},   {"kill", l_kill},
                                       {"pid", l_pid},     {"close", l_close},
                                       {NULL, NULL}};
    static const luaL_Reg metamethods[] = {
        {"__gc", l_close}, {"__close", l_close}, {"__tostring", l_tostring}, {NULL, NULL}};
    xnet_l_new_type(L, XNET_PROCESS_MT, methods, metamethods);
    luaL_setfuncs(L, functions, 0);
    return 0;
}
