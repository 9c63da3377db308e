/* Helpers shared by the bindings: argument and option checking, raising
 * kernel errors, metatable names. No algorithms here. */
#ifndef XNET_L_COMMON_H
#define XNET_L_COMMON_H

#include <lauxlib.h>
#include <lua.h>
#include <stdint.h>

#define XNET_CONSTELLATION_MT "xnet.Constellation"
#define XNET_NETWORK_MT "xnet.Network"
#define XNET_ROW_MT "xnet.Row"
#define XNET_MODEL_MT "xnet.Model"
#define XNET_PROFILE_MT "xnet.Profile"
#define XNET_RING_MT "xnet.Ring"
#define XNET_PLAN_MT "xnet.Plan"
#define XNET_PROCESS_MT "xnet.Process"
#define XNET_RESULT_MT "xnet.Result" /* a plain table of an evaluation's figures */
#define XNET_SERVE_RESULT_MT "xnet.ServeResult" /* a plain table of xnet.serve's figures */
#define XNET_TLESET_MT "xnet.TleSet"
#define XNET_TERMINAL_MT "xnet.Terminal"

/* Raise the kernel's last error as a Lua error. Never returns. An
 * interrupt raised this way is the Ctrl-C's one error: the interpreter's
 * pending interrupt hook (xnet_l_interrupt_hook, set by main.c) is removed. */
int xnet_l_raise(lua_State *L);
extern lua_Hook xnet_l_interrupt_hook;

/* luaL_error with printf's format (%g for numbers), NaN spelled "nan"
 * (xnet_nan_unsigned) like every kernel message. Never returns. */
int xnet_l_error(lua_State *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Push "unknown KIND 'NAME'[ for CONTEXT] (did you mean 'X'? allowed: ...)",
 * the one message for every unknown name (options, models, methods, topics;
 * more than 40 valid names are counted, not listed);
 * the suggestion comes from xnet_nearest_name (src/names.h). */
void xnet_l_push_unknown(lua_State *L, const char *kind, const char *name, const char *context,
                         const char *const valid[], size_t n);

/* Emit a Lua warning (lua_warning): a setup that runs but is probably not
 * what was meant. spacexnet prints it on stderr as "spacexnet: warning: ...". */
void xnet_l_warn(lua_State *L, const char *fmt, ...);

/* Raise unless every key of the table at idx is one of allowed (NULL-ended). */
void xnet_l_check_options(lua_State *L, int idx, const char *what, const char *const allowed[]);

/* The options argument at idx, the last argument: an empty table is put
 * there when it is absent or nil, then its keys are checked as above. */
void xnet_l_options(lua_State *L, int idx, const char *what, const char *const allowed[]);

/* Push t[key] of the table at idx without metamethods; returns its type. */
int xnet_l_rawfield(lua_State *L, int idx, const char *key);

/* Option field readers (raw reads: a metatable on an options table is
 * ignored, so reading options runs no Lua code): nil gives def; a wrong type or a non-integer raises,
 * naming the option. */
double xnet_l_opt_number(lua_State *L, int idx, const char *key, double def);
lua_Integer xnet_l_opt_integer(lua_State *L, int idx, const char *key, lua_Integer def);
const char *xnet_l_opt_string(lua_State *L, int idx, const char *key, const char *def);
int xnet_l_opt_boolean(lua_State *L, int idx, const char *key, int def);
/* A seed option: an integer >= 0 (default 1). */
lua_Integer xnet_l_opt_seed(lua_State *L, int idx, const char *key);
/* The optional table at idx holding only `seed`: its seed, 1 when absent. */
uint64_t xnet_l_seed_option(lua_State *L, int idx, const char *what);

/* The first index of the list at idx: 0 when t[0] is set (a table keyed by
 * layer or expert from 0), else 1. Raises unless its keys are exactly
 * base .. base + n - 1; returns n in *count. */
int xnet_l_list_base(lua_State *L, int idx, lua_Integer *count, const char *what);

/* Positional integer argument in [lo, hi], named in the error. */
lua_Integer xnet_l_check_range(lua_State *L, int arg, const char *name, lua_Integer lo,
                               lua_Integer hi);

/* Accept an integer-valued number (3 or 3.0) or raise naming the argument. */
lua_Integer xnet_l_check_integer(lua_State *L, int arg, const char *name);

/* Register a userdata type: metatable with methods (via __index, unless the
 * metamethods table has its own __index) and metamethods. */
void xnet_l_new_type(lua_State *L, const char *tname, const luaL_Reg *methods,
                     const luaL_Reg *metamethods);

/* Closeable userdata (liolib's LStream and aux_close): one pointer that
 * destroy frees once; NULL when closed. Any call that may allocate or run
 * Lua code can close it (a finalizer may run at any allocation), so take the
 * pointer with xnet_l_handle_check after such calls, at the point of use. */
typedef struct {
    void *ptr;
    void (*destroy)(void *);
} xnet_l_handle_t;

/* Register a closeable type as xnet_l_new_type does, adding the method
 * close and the metamethods __gc and __close (one idempotent close), and
 * wrapping __tostring so a closed object prints "<what> (closed)", where
 * what is the type name after "xnet." in lower case. */
void xnet_l_new_handle_type(lua_State *L, const char *tname, const luaL_Reg *methods,
                            const luaL_Reg *metamethods);
/* Push a closed handle of type tname with nuvalue user values; the caller
 * stores the object in the returned handle's ptr. */
xnet_l_handle_t *xnet_l_handle_new(lua_State *L, const char *tname, int nuvalue,
                                   void (*destroy)(void *));
/* The open object at idx, or raise "attempt to use a closed <what>". */
void *xnet_l_handle_check(lua_State *L, int idx, const char *tname);

/* The `nil, message` return of an environment failure (liolib's
 * luaL_fileresult): pushes nil and the kernel's last error; returns 2. */
int xnet_l_fail_result(lua_State *L);

/* Push a userdata owning one malloc'd pointer (initially NULL), freed by
 * its __gc; C memory held there survives a Lua error without leaking. */
void **xnet_l_box(lua_State *L);
/* Free the boxed pointer now (idempotent). */
void xnet_l_box_free(void **box);

/* Push v[0], ..., v[n-1] as numbers; returns n (for `return xnet_l_push_numbers(...)`). */
int xnet_l_push_numbers(lua_State *L, const double *v, int n);

/* The Lua signature of each module opener. */
int luaopen_xnet_orbit(lua_State *L);
int luaopen_xnet_network(lua_State *L);
int luaopen_xnet_sys(lua_State *L);
int luaopen_xnet_proc(lua_State *L);
int luaopen_xnet_moe(lua_State *L);
int luaopen_xnet_placement(lua_State *L);
int luaopen_xnet_latency(lua_State *L);
int luaopen_xnet_tle(lua_State *L);
int luaopen_xnet_ground(lua_State *L);
int luaopen_xnet_serve(lua_State *L);
int luaopen_xnet_core(lua_State *L);

/* An epoch: the option key of the table at idx (or the argument idx when key
 * is NULL), a UTC string "YYYY-MM-DDTHH:MM:SS" or a Julian date; def when
 * absent. Raises on anything else. */
double xnet_l_check_epoch(lua_State *L, int idx, const char *key, double def);
/* Push a UTC Julian date as "YYYY-MM-DDTHH:MM:SS.sssZ". */
void xnet_l_push_epoch(lua_State *L, double jd_utc);

#endif
