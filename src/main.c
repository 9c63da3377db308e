/* spacexnet: a Lua 5.4 interpreter with the xnet library built in.
 * Runs a script, a -e chunk, a subcommand (study), or an interactive REPL.
 * Modelled on Lua's own lua.c. */
#define _POSIX_C_SOURCE 200809L
#include "error.h"
#include "l_common.h"
#include "memlimit.h"
#include "pool.h"
#include "version.h"

#include <errno.h>
#include <igraph.h>
#include <lauxlib.h>
#include <limits.h>
#include <lua.h>
#include <lualib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef XNET_USE_READLINE
#include <readline/history.h>
#include <readline/readline.h>
#endif

static const char *progname = "spacexnet";
static lua_State *global_L = NULL;
static char root_dir[PATH_MAX] = ".";

static void print_usage(void)
{
    fprintf(stderr,
            "usage: %s [options] [script [args]]\n"
            "       %s study run|merge|status|plot ...   (see README)\n"
            "options:\n"
            "  -e code   run the Lua code\n"
            "  -i        enter the interactive REPL after running the script\n"
            "  -v        print the versions of spacexnet, Lua and igraph\n"
            "  -h        print this help\n"
            "  -         run standard input\n"
            "With no script, opens the REPL. The xnet library is preloaded as `xnet`.\n"
            "environment:\n"
            "  SPACEXNET_WORKERS=N          threads, an integer in [1, 256] (default: processors)\n"
            "  SPACEXNET_MEMORY_LIMIT_MB=N  largest object in MiB, > 0 (default: 4096)\n"
            "  SPACEXNET_ROOT=DIR           the directory holding lua/ and lib/\n"
            "An unusable value stops spacexnet (exit status 2).\n",
            progname, progname);
}

static void print_version(void)
{
    const char *igraph_v;
    igraph_version(&igraph_v, NULL, NULL, NULL);
    printf("spacexnet %s (%s), %s, igraph %s\n", XNET_VERSION, XNET_GIT_REV, LUA_RELEASE,
           igraph_v);
}

/* --- interrupts: a Ctrl-C stops Lua code at the next hook and C kernels at
 * their next poll of xnet_interrupt_requested. */

static void stop_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    lua_sethook(L, NULL, 0, 0);
    luaL_error(L, "interrupted");
}

/* Installed one-shot (SA_RESETHAND: a second Ctrl-C kills the process) and
 * without SA_RESTART, so a blocking system call (opening a FIFO no one
 * writes, a read from a pipe) returns EINTR and its caller sees the flag. */
static void on_sigint(int sig)
{
    (void)sig;
    xnet_interrupt_requested = 1;
    /* No LUA_MASKRET: a C call that completed (a file written in full)
     * returns its result; the interrupt is raised at the next step. */
    lua_sethook(global_L, stop_hook, LUA_MASKCALL | LUA_MASKCOUNT, 1);
}

/* At the prompt a Ctrl-C discards the line being typed; the REPL and its
 * variables survive. No SA_RESTART, so a plain fgets returns. */
static volatile sig_atomic_t prompt_interrupted = 0;

static void on_prompt_sigint(int sig)
{
    (void)sig;
    prompt_interrupted = 1;
}

static void arm_prompt_interrupt(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_prompt_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    prompt_interrupted = 0;
}

/* Lua warnings (warn() and the bindings' lua_warning) on stderr, on from the
 * start; "@off" and "@on" switch them as in lua.c. */
static void warn_to_stderr(void *ud, const char *msg, int tocont)
{
    static int on = 1, continuing = 0;
    (void)ud;
    if (!continuing && !tocont && msg[0] == '@') {
        if (strcmp(msg, "@off") == 0) {
            on = 0;
        } else if (strcmp(msg, "@on") == 0) {
            on = 1;
        }
        return;
    }
    if (on) {
        if (!continuing) {
            fputs("spacexnet: warning: ", stderr);
        }
        fputs(msg, stderr);
        if (!tocont) {
            fputc('\n', stderr);
            fflush(stderr);
        }
    }
    continuing = tocont;
}

static int message_handler(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) {
            return 1;
        }
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

/* Call the function below nargs arguments, with a traceback on error and
 * Ctrl-C armed while it runs. */
static int docall(lua_State *L, int narg, int nres)
{
    int base = lua_gettop(L) - narg;
    lua_pushcfunction(L, message_handler);
    lua_insert(L, base);
    xnet_interrupt_requested = 0;
    global_L = L;
    xnet_l_interrupt_hook = stop_hook;
    struct sigaction sa, outer;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &outer);
    int status = lua_pcall(L, narg, nres, base);
    sigaction(SIGINT, &outer, NULL); /* the REPL's, or the default */
    if (lua_gethook(L) == stop_hook) {
        lua_sethook(L, NULL, 0, 0); /* a Ctrl-C that came too late for the call */
    }
    xnet_interrupt_requested = 0;
    lua_remove(L, base);
    return status;
}

static int report(lua_State *L, int status)
{
    if (status != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        fprintf(stderr, "%s: %s\n", progname, msg ? msg : "(error object is not a string)");
        fflush(stderr);
        lua_pop(L, 1);
    }
    return status;
}

static int dochunk(lua_State *L, int status)
{
    if (status == LUA_OK) {
        status = docall(L, 0, 0);
    }
    return report(L, status);
}

/* --- the REPL --------------------------------------------------------- */

#ifdef XNET_USE_READLINE
#if defined(RL_READLINE_VERSION) && RL_READLINE_VERSION >= 0x0800 /* rl_check_signals */
#define XNET_RL_CTRL_C 1
/* readline's input. On a Ctrl-C, readline restores the terminal and calls
 * on_prompt_sigint; the line being typed then ends as if it were empty. */
static int getc_or_interrupt(FILE *in)
{
    for (;;) {
        unsigned char c;
        ssize_t n = read(fileno(in), &c, 1);
        if (n == 1) {
            return c;
        }
        if (n == 0 || errno != EINTR) {
            return EOF;
        }
        rl_check_signals();
        if (prompt_interrupted) {
            rl_replace_line("", 0);
            return '\n';
        }
    }
}
#endif

/* Tab completion: readline hands over the expression before the cursor
 * (the word-break characters leave "xnet.place.ra" or "net:lat" whole) and
 * xnet.doc's complete() lists what may follow. */
static lua_State *completion_L = NULL;

static char *next_completion(const char *text, int state)
{
    static lua_Integer index, count;
    lua_State *L = completion_L;
    if (state == 0) {
        count = index = 0;
        lua_pushnil(L);
        lua_setfield(L, LUA_REGISTRYINDEX, "xnet.completions");
        luaL_loadstring(L, "return require('xnet.doc').complete(...)");
        lua_pushstring(L, text);
        if (lua_pcall(L, 1, 1, 0) == LUA_OK && lua_type(L, -1) == LUA_TTABLE) {
            count = (lua_Integer)lua_rawlen(L, -1);
            lua_setfield(L, LUA_REGISTRYINDEX, "xnet.completions");
        } else {
            lua_pop(L, 1); /* an error completes nothing */
        }
    }
    char *match = NULL;
    if (index < count) {
        lua_getfield(L, LUA_REGISTRYINDEX, "xnet.completions");
        if (lua_rawgeti(L, -1, ++index) == LUA_TSTRING) {
            match = strdup(lua_tostring(L, -1));
        }
        lua_pop(L, 2);
    }
    return match;
}

static char **complete(const char *text, int start, int end)
{
    (void)start;
    (void)end;
    rl_attempted_completion_over = 1; /* never fall back to file names */
    rl_completion_append_character = '\0';
    return completion_L ? rl_completion_matches(text, next_completion) : NULL;
}

static void setup_completion(lua_State *L)
{
    completion_L = L;
    rl_readline_name = "spacexnet";
    rl_basic_word_break_characters = " \t\n\"'`@$><=;|&{}()[],+-*/%^~#";
    rl_attempted_completion_function = complete;
}

static char *read_line(const char *prompt)
{
    arm_prompt_interrupt();
#ifdef XNET_RL_CTRL_C
    rl_getc_function = getc_or_interrupt;
#endif
    char *line = readline(prompt);
    if (line && line[0]) {
        add_history(line);
    }
    return line;
}
#else
static void setup_completion(lua_State *L)
{
    (void)L; /* completion needs readline */
}

static char *read_line(const char *prompt)
{
    static char buf[4096];
    arm_prompt_interrupt();
    fputs(prompt, stdout);
    fflush(stdout);
    if (!fgets(buf, sizeof buf, stdin)) {
        if (!prompt_interrupted) {
            return NULL;
        }
        clearerr(stdin);
        buf[0] = '\0';
        putchar('\n');
    }
    size_t len = strlen(buf);
    if (len && buf[len - 1] == '\n') {
        buf[len - 1] = '\0';
    }
    char *copy = malloc(len + 1);
    if (copy) {
        memcpy(copy, buf, len + 1);
    }
    return copy;
}
#endif

static int incomplete(lua_State *L, int status)
{
    if (status == LUA_ERRSYNTAX) {
        size_t len;
        const char *msg = lua_tolstring(L, -1, &len);
        const char *eof = "<eof>";
        size_t elen = strlen(eof);
        if (len >= elen && strcmp(msg + len - elen, eof) == 0) {
            lua_pop(L, 1);
            return 1;
        }
    }
    return 0;
}

/* Compile code as `return <code>`, so an expression gives its values: on
 * success the chunk is pushed; otherwise nothing is left on the stack. */
static int load_expression(lua_State *L, const char *code, const char *chunkname)
{
    const char *ret = lua_pushfstring(L, "return %s", code);
    int status = luaL_loadbuffer(L, ret, strlen(ret), chunkname);
    lua_remove(L, -2); /* the "return" string, below the chunk or the error */
    if (status != LUA_OK) {
        lua_pop(L, 1); /* the syntax error: the caller compiles it as statements */
    }
    return status;
}

/* Read one statement (possibly several lines) and compile it; first as an
 * expression so its values print. */
static int load_statement(lua_State *L)
{
    char *line = read_line("> ");
    if (!line) {
        return -1;
    }
    lua_pushstring(L, line);
    free(line);
    if (load_expression(L, lua_tostring(L, -1), "=stdin") == LUA_OK) {
        lua_remove(L, -2); /* the line */
        return LUA_OK;
    }
    int status;
    for (;;) {
        size_t len;
        const char *code = lua_tolstring(L, -1, &len);
        status = luaL_loadbuffer(L, code, len, "=stdin");
        if (!incomplete(L, status)) {
            break;
        }
        char *more = read_line(">> ");
        if (!more) {
            return status; /* the incomplete-chunk error is on the stack */
        }
        if (prompt_interrupted) { /* Ctrl-C drops the unfinished statement */
            free(more);
            lua_pop(L, 1);
            return luaL_loadstring(L, "");
        }
        lua_pushliteral(L, "\n");
        lua_pushstring(L, more);
        free(more);
        lua_concat(L, 3);
    }
    lua_remove(L, -2); /* the source, below the compiled chunk or error */
    return status;
}

/* Print the values above stack index base with the global print. */
static void print_results(lua_State *L, int base)
{
    int n = lua_gettop(L) - base;
    if (n > 0) {
        luaL_checkstack(L, LUA_MINSTACK, "too many results to print");
        lua_getglobal(L, "print");
        lua_insert(L, base + 1);
        if (lua_pcall(L, n, 0, 0) != LUA_OK) {
            fprintf(stderr, "%s: error calling print (%s)\n", progname, lua_tostring(L, -1));
            lua_pop(L, 1);
        }
    }
}

static void repl(lua_State *L)
{
    int status;
    const char *saved = progname;
    progname = NULL;
    lua_settop(L, 0); /* pmain's own arguments must not print as results */
    setup_completion(L);
    printf("spacexnet %s (%s) -- xnet is loaded; Ctrl-C interrupts, Ctrl-D exits\n",
           XNET_VERSION, LUA_RELEASE);
    while ((status = load_statement(L)) != -1) {
        if (status == LUA_OK) {
            status = docall(L, 0, LUA_MULTRET);
        }
        if (status == LUA_OK) {
            print_results(L, 0);
        } else {
            const char *msg = lua_tostring(L, -1);
            fprintf(stderr, "%s\n", msg ? msg : "(error object is not a string)");
            lua_pop(L, 1);
        }
        lua_settop(L, 0);
    }
    putchar('\n');
    progname = saved;
}

/* --- start-up ------------------------------------------------------------ */

/* The spacexnet root (holding lua/ and lib/): SPACEXNET_ROOT if set, else the
 * nearest directory at or above the binary's that has lua/xnet/init.lua, so
 * builds in build/asan/ find the same library. */
static void find_root(const char *argv0)
{
    const char *env = getenv("SPACEXNET_ROOT");
    if (env && env[0]) {
        snprintf(root_dir, sizeof root_dir, "%s", env);
        return;
    }
    char path[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n > 0) {
        path[n] = '\0';
    } else {
        snprintf(path, sizeof path, "%s", argv0);
    }
    for (int up = 0; up < 4; up++) {
        char *slash = strrchr(path, '/');
        if (!slash) {
            return;
        }
        *slash = '\0';
        char probe[PATH_MAX + 32];
        snprintf(probe, sizeof probe, "%s/lua/xnet/init.lua", path);
        if (access(probe, R_OK) == 0) {
            snprintf(root_dir, sizeof root_dir, "%s", path[0] ? path : "/");
            return;
        }
    }
}

static int open_core(lua_State *L)
{
    luaopen_xnet_core(L);
    lua_pushstring(L, root_dir);
    lua_setfield(L, -2, "root");
    return 1;
}

static void setup_paths(lua_State *L)
{
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "path");
    lua_pushfstring(L, "%s/lua/?.lua;%s/lua/?/init.lua;%s", root_dir, root_dir,
                    lua_tostring(L, -1));
    lua_setfield(L, -3, "path");
    lua_pop(L, 1);
    lua_getfield(L, -1, "preload");
    lua_pushcfunction(L, open_core);
    lua_setfield(L, -2, "xnet.core");
    lua_pop(L, 2);
}

/* arg table: arg[0] = script, arg[1..] = its arguments, interpreter
 * arguments at negative indices (as in lua.c). */
static void create_arg_table(lua_State *L, char **argv, int argc, int script)
{
    lua_createtable(L, argc - script - 1, script + 1);
    for (int i = 0; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i - script);
    }
    lua_setglobal(L, "arg");
}

static int require_xnet(lua_State *L)
{
    lua_getglobal(L, "require");
    lua_pushliteral(L, "xnet");
    int status = docall(L, 1, 1);
    if (status == LUA_OK) {
        lua_getfield(L, -1, "help");
        lua_setglobal(L, "help"); /* help() at the prompt */
        lua_setglobal(L, "xnet");
        return status;
    }
    fprintf(stderr,
            "%s: cannot load the xnet library from %s/lua (no lua/xnet/init.lua next to the "
            "binary or above it); set SPACEXNET_ROOT to the spacexnet directory\n",
            progname, root_dir);
    return report(L, status);
}

static int run_script(lua_State *L, const char *name, int nargs_on_arg)
{
    int status = luaL_loadfile(L, strcmp(name, "-") == 0 ? NULL : name);
    if (status == LUA_OK) {
        lua_getglobal(L, "arg");
        int n = nargs_on_arg;
        luaL_checkstack(L, n + 3, "too many arguments to script");
        for (int i = 1; i <= n; i++) {
            lua_rawgeti(L, -i, i);
        }
        lua_remove(L, -n - 1);
        status = docall(L, n, 0);
    }
    return report(L, status);
}

/* -e code: an expression prints its values, as at the REPL's prompt; any
 * other chunk just runs. */
static int run_command_line(lua_State *L, const char *code)
{
    const char *name = "=(command line)";
    if (load_expression(L, code, name) != LUA_OK) {
        return dochunk(L, luaL_loadbuffer(L, code, strlen(code), name));
    }
    int base = lua_gettop(L) - 1;
    int status = report(L, docall(L, 0, LUA_MULTRET));
    if (status == LUA_OK) {
        print_results(L, base);
    }
    lua_settop(L, base);
    return status;
}

/* `spacexnet study ...`: hand the arguments to the Lua command module. */
static int run_command(lua_State *L, const char *module)
{
    lua_getglobal(L, "require");
    lua_pushstring(L, module);
    int status = docall(L, 1, 1);
    if (status == LUA_OK) {
        lua_getfield(L, -1, "main");
        lua_remove(L, -2);
        lua_getglobal(L, "arg");
        status = docall(L, 1, 1);
        if (status == LUA_OK) {
            int code = lua_isinteger(L, -1) ? (int)lua_tointeger(L, -1) : 0;
            lua_pop(L, 1);
            return code;
        }
    }
    report(L, status);
    return 1;
}

static int pmain(lua_State *L)
{
    int argc = (int)lua_tointeger(L, 1);
    char **argv = lua_touserdata(L, 2);
    int interactive = 0, script = 0, ran_e = 0;
    luaL_openlibs(L);
    setup_paths(L);
    if (require_xnet(L) != LUA_OK) {
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "study") == 0) {
        create_arg_table(L, argv, argc, 1);
        lua_pushinteger(L, run_command(L, "xnet.study_cli"));
        return 1;
    }
    int i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || strcmp(a, "-") == 0) {
            break;
        }
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(a, "-e") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "%s: '-e' needs an argument\n", progname);
                print_usage();
                lua_pushinteger(L, 2);
                return 1;
            }
            i++;
            ran_e = 1;
        } else if (strcmp(a, "-i") == 0) {
            interactive = 1;
        } else if (strcmp(a, "-v") == 0) {
            print_version();
            ran_e = 1;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            print_usage();
            lua_pushinteger(L, 0);
            return 1;
        } else {
            fprintf(stderr, "%s: unrecognized option '%s'\n", progname, a);
            print_usage();
            lua_pushinteger(L, 2);
            return 1;
        }
    }
    script = i < argc ? i : 0;
    create_arg_table(L, argv, argc, script ? script : argc - 1);
    for (int j = 1; j < (script ? script : argc); j++) {
        if (strcmp(argv[j], "-e") == 0) {
            if (run_command_line(L, argv[++j]) != LUA_OK) {
                lua_pushinteger(L, 1);
                return 1;
            }
        }
    }
    if (script && run_script(L, argv[script], argc - script - 1) != LUA_OK) {
        lua_pushinteger(L, 1);
        return 1;
    }
    if (interactive || (!script && !ran_e)) {
        repl(L);
    }
    lua_pushinteger(L, 0);
    return 1;
}

int main(int argc, char **argv)
{
    find_root(argv[0]);
    /* An unusable SPACEXNET_WORKERS or SPACEXNET_MEMORY_LIMIT_MB stops the
     * program before anything runs, as xnet.limits{} refuses the same values. */
    if (xnet_workers_check() || xnet_limit_check(0, "nothing")) {
        fprintf(stderr, "%s: %s (fix or unset it)\n", progname, xnet_errmsg());
        return 2;
    }
    xnet_igraph_init();
    lua_State *L = luaL_newstate();
    if (!L) {
        fprintf(stderr, "%s: cannot create Lua state: not enough memory\n", progname);
        return EXIT_FAILURE;
    }
    lua_setwarnf(L, warn_to_stderr, NULL);
    lua_pushcfunction(L, pmain);
    lua_pushinteger(L, argc);
    lua_pushlightuserdata(L, argv);
    int status = lua_pcall(L, 2, 1, 0);
    int code = status == LUA_OK && lua_isinteger(L, -1) ? (int)lua_tointeger(L, -1) : 1;
    if (status != LUA_OK) {
        fprintf(stderr, "%s: %s\n", progname, lua_tostring(L, -1));
    }
    lua_close(L);
    return code;
}
