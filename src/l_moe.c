/* Lua binding for MoE models and activation profiles (src/moe.c, src/trace.c). */
#include "error.h"
#include "fileio.h"
#include "l_common.h"
#include "l_moe.h"
#include "memlimit.h"
#include "moe.h"
#include "trace.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- Model --------------------------------------------------------------- */

const xnet_model_t *xnet_l_check_model(lua_State *L, int idx)
{
    return luaL_checkudata(L, idx, XNET_MODEL_MT);
}

typedef struct {
    const char *name;
    int required;
    int is_int;
    size_t offset;
    double def;
    unsigned given; /* XNET_MODEL_GIVEN_* bit when the field is derived unless given */
} model_field;

#define FIELD(n, req, isint, def, given) {#n, req, isint, offsetof(xnet_model_t, n), def, given}
static const model_field model_fields[] = {
    FIELD(layers, 1, 1, 0, 0),
    FIELD(experts, 1, 1, 0, 0),
    FIELD(top_k, 1, 1, 0, 0),
    FIELD(hidden, 1, 1, 0, 0),
    FIELD(dense_layers, 0, 1, 0, 0),
    FIELD(shared_experts, 0, 1, 0, 0),
    FIELD(heads, 0, 1, 0, 0),
    FIELD(kv_heads, 0, 1, 0, XNET_MODEL_GIVEN_KV_HEADS),
    FIELD(head_dim, 0, 1, 0, XNET_MODEL_GIVEN_HEAD_DIM),
    FIELD(q_lora_rank, 0, 1, 0, 0),
    FIELD(kv_lora_rank, 0, 1, 0, 0),
    FIELD(qk_nope_dim, 0, 1, 0, 0),
    FIELD(qk_rope_dim, 0, 1, 0, 0),
    FIELD(v_head_dim, 0, 1, 0, 0),
    FIELD(bytes_per_value, 1, 0, 0, 0),
    FIELD(bytes_per_weight, 0, 0, 2, 0),
    FIELD(expert_ffn, 0, 0, 0, 0),
    FIELD(shared_ffn, 0, 0, 0, 0),
    FIELD(dense_ffn, 0, 0, 0, 0),
    FIELD(gateway_flops, 0, 0, 0, XNET_MODEL_GIVEN_GATEWAY_FLOPS),
    FIELD(ctx_flops, 0, 0, 0, 0),
    FIELD(expert_flops, 0, 0, 0, XNET_MODEL_GIVEN_EXPERT_FLOPS),
    FIELD(expert_bytes, 0, 0, 0, XNET_MODEL_GIVEN_EXPERT_BYTES),
    FIELD(flops_per_s, 0, 0, 10.4e9, 0),
    FIELD(utilisation, 0, 0, 0.70, 0),
    FIELD(vocab, 0, 0, 0, 0),
};
#undef FIELD
#define MODEL_FIELD_COUNT (sizeof model_fields / sizeof model_fields[0])

static const char *const attention_names[] = {"mha", "gqa", "mla", NULL};

/* xnet.model{ name =, layers =, experts =, top_k =, hidden =, bytes_per_value =,
 *   [attention = "mha" | "gqa" | "mla", heads, kv_heads, head_dim, q_lora_rank,
 *   kv_lora_rank, qk_nope_dim, qk_rope_dim, v_head_dim, dense_layers, dense_ffn,
 *   shared_experts, shared_ffn, expert_ffn, bytes_per_weight, gateway_flops,
 *   expert_flops, expert_bytes, ctx_flops, flops_per_s, utilisation, vocab,
 *   description, source] } -> Model; unknown or missing fields raise. FLOPs and
 *   bytes not given are derived from the dimensions. */
static int l_model(lua_State *L)
{
    static const char *allowed[MODEL_FIELD_COUNT + 5];
    for (size_t i = 0; i < MODEL_FIELD_COUNT; i++) {
        allowed[i] = model_fields[i].name;
    }
    allowed[MODEL_FIELD_COUNT] = "name";
    allowed[MODEL_FIELD_COUNT + 1] = "description";
    allowed[MODEL_FIELD_COUNT + 2] = "source";
    allowed[MODEL_FIELD_COUNT + 3] = "attention";
    allowed[MODEL_FIELD_COUNT + 4] = NULL;
    luaL_checktype(L, 1, LUA_TTABLE);
    xnet_l_check_options(L, 1, "xnet.model", allowed);
    xnet_model_t m;
    memset(&m, 0, sizeof m);
    snprintf(m.name, sizeof m.name, "%s", xnet_l_opt_string(L, 1, "name", "custom"));
    xnet_l_opt_string(L, 1, "description", "");
    xnet_l_opt_string(L, 1, "source", "");
    const char *attention = xnet_l_opt_string(L, 1, "attention", "mha");
    int a = 0;
    while (attention_names[a] && strcmp(attention_names[a], attention) != 0) {
        a++;
    }
    if (!attention_names[a]) {
        return luaL_error(L, "model field 'attention' must be 'mha', 'gqa' or 'mla', got '%s'",
                          attention);
    }
    m.attention = (xnet_attention_t)a;
    for (size_t i = 0; i < MODEL_FIELD_COUNT; i++) {
        const model_field *f = &model_fields[i];
        int present = xnet_l_rawfield(L, 1, f->name) != LUA_TNIL;
        lua_pop(L, 1);
        if (f->required && !present) {
            return luaL_error(L, "model field '%s' is missing", f->name);
        }
        if (present) {
            m.given |= f->given;
        }
        if (f->is_int) {
            lua_Integer v = xnet_l_opt_integer(L, 1, f->name, 0);
            if (v < -1000000000 || v > 1000000000) {
                return luaL_error(L, "model field '%s' out of range, got %I", f->name, v);
            }
            *(int *)((char *)&m + f->offset) = (int)v;
        } else {
            *(double *)((char *)&m + f->offset) = xnet_l_opt_number(L, 1, f->name, f->def);
        }
    }
    if (xnet_model_finish(&m)) {
        return xnet_l_raise(L);
    }
    xnet_model_t *ud = lua_newuserdatauv(L, sizeof *ud, 0);
    *ud = m;
    luaL_setmetatable(L, XNET_MODEL_MT);
    return 1;
}

static void push_field(lua_State *L, const xnet_model_t *m, const model_field *f)
{
    if (f->is_int) {
        lua_pushinteger(L, *(const int *)((const char *)m + f->offset));
    } else {
        lua_pushnumber(L, *(const double *)((const char *)m + f->offset));
    }
}

/* model.<field>, model.attention, model.gateway_s, model.expert_s,
 * model.message_bits, model.name */
static int l_model_index(lua_State *L)
{
    const xnet_model_t *m = xnet_l_check_model(L, 1);
    const char *key = luaL_checkstring(L, 2);
    for (size_t i = 0; i < MODEL_FIELD_COUNT; i++) {
        if (strcmp(key, model_fields[i].name) == 0) {
            push_field(L, m, &model_fields[i]);
            return 1;
        }
    }
    if (strcmp(key, "name") == 0) {
        lua_pushstring(L, m->name);
    } else if (strcmp(key, "attention") == 0) {
        lua_pushstring(L, attention_names[m->attention]);
    } else if (strcmp(key, "gateway_s") == 0) {
        lua_pushnumber(L, xnet_model_gateway_s(m));
    } else if (strcmp(key, "head_s") == 0) {
        lua_pushnumber(L, xnet_model_head_s(m));
    } else if (strcmp(key, "expert_s") == 0) {
        lua_pushnumber(L, xnet_model_expert_s(m));
    } else if (strcmp(key, "message_bits") == 0) {
        lua_pushnumber(L, xnet_model_message_bits(m));
    } else {
        luaL_getmetafield(L, 1, "methods");
        lua_getfield(L, -1, key);
    }
    return 1;
}

/* model:fields() -> a plain table of the dimensions and of the derived
 * quantities that were given explicitly, for xnet.model(t) round trips (so an
 * override of hidden or expert_ffn re-derives the FLOPs and bytes) */
static int l_model_fields(lua_State *L)
{
    const xnet_model_t *m = xnet_l_check_model(L, 1);
    lua_createtable(L, 0, (int)MODEL_FIELD_COUNT + 2);
    for (size_t i = 0; i < MODEL_FIELD_COUNT; i++) {
        const model_field *f = &model_fields[i];
        if (f->given && !(m->given & f->given)) {
            continue;
        }
        push_field(L, m, f);
        lua_setfield(L, -2, f->name);
    }
    lua_pushstring(L, m->name);
    lua_setfield(L, -2, "name");
    lua_pushstring(L, attention_names[m->attention]);
    lua_setfield(L, -2, "attention");
    return 1;
}

static int l_model_tostring(lua_State *L)
{
    const xnet_model_t *m = xnet_l_check_model(L, 1);
    char buf[320];
    snprintf(buf, sizeof buf,
             "model %s: %d layers, %d experts, top-%d, hidden %d; %.2f ms at the gateway, "
             "%.2f ms per expert per layer, %.1f MB per expert",
             m->name, m->layers, m->experts, m->top_k, m->hidden, xnet_model_gateway_s(m) * 1e3,
             xnet_model_expert_s(m) * 1e3, m->expert_bytes / 1e6);
    lua_pushstring(L, buf);
    return 1;
}

/* --- Profile -------------------------------------------------------------- */

const xnet_profile_t *xnet_l_check_profile(lua_State *L, int idx)
{
    return xnet_l_handle_check(L, idx, XNET_PROFILE_MT);
}

static void destroy_profile(void *profile)
{
    xnet_profile_destroy(profile);
}

/* Push a closed profile userdata remembering its model (uservalue 1) and
 * description (uservalue 2); the caller fills the returned pointer. */
static xnet_profile_t **new_profile(lua_State *L, int model_idx, const char *description)
{
    model_idx = lua_absindex(L, model_idx);
    xnet_l_handle_t *h = xnet_l_handle_new(L, XNET_PROFILE_MT, 2, destroy_profile);
    lua_pushvalue(L, model_idx);
    lua_setiuservalue(L, -2, 1);
    lua_pushstring(L, description);
    lua_setiuservalue(L, -2, 2);
    return (xnet_profile_t **)&h->ptr;
}

static int profile_from_weights(lua_State *L, const xnet_model_t *m, const double *w,
                                const char *description)
{
    if (xnet_profile_from_weights(new_profile(L, 1, description), m->layers, m->experts,
                                  m->top_k, w)) {
        return xnet_l_raise(L);
    }
    return 1;
}

static double *weights_box(lua_State *L, const xnet_model_t *m)
{
    size_t count = (size_t)m->layers * (size_t)m->experts;
    if (xnet_limit_check((double)count * sizeof(double), "the profile's weights")) {
        xnet_l_raise(L);
    }
    void **box = xnet_l_box(L);
    *box = malloc(sizeof(double) * count);
    if (!*box) {
        luaL_error(L, "out of memory for %d x %d weights", m->layers, m->experts);
    }
    return *box;
}

/* xnet.profile.uniform(model) -> Profile */
static int l_profile_uniform(lua_State *L)
{
    const xnet_model_t *m = xnet_l_check_model(L, 1);
    double *w = weights_box(L, m);
    for (size_t i = 0; i < (size_t)m->layers * (size_t)m->experts; i++) {
        w[i] = 1;
    }
    return profile_from_weights(L, m, w, "uniform");
}

typedef int (*weight_generator)(int layers, int experts, double param, uint64_t seed,
                                double *weights);

/* A named profile: seeded weights from the generator, labelled "name-param". */
static int generated_profile(lua_State *L, const char *name, weight_generator generate)
{
    const xnet_model_t *m = xnet_l_check_model(L, 1);
    double param = luaL_checknumber(L, 2);
    char desc[64];
    snprintf(desc, sizeof desc, "xnet.profile.%s", name);
    uint64_t seed = xnet_l_seed_option(L, 3, desc);
    double *w = weights_box(L, m);
    if (generate(m->layers, m->experts, param, seed, w)) {
        return xnet_l_raise(L);
    }
    snprintf(desc, sizeof desc, "%s-%g", name, param);
    return profile_from_weights(L, m, w, desc);
}

/* xnet.profile.zipf(model, s, { seed = 1 }) -> Profile */
static int l_profile_zipf(lua_State *L)
{
    return generated_profile(L, "zipf", xnet_weights_zipf);
}

/* xnet.profile.dirichlet(model, alpha, { seed = 1 }) -> Profile */
static int l_profile_dirichlet(lua_State *L)
{
    return generated_profile(L, "dirichlet", xnet_weights_dirichlet);
}

/* Read the list at idx (keys from 0 or from 1) of exactly n numbers into out. */
static void read_number_list(lua_State *L, int idx, int n, double *out, int row)
{
    char what[48];
    snprintf(what, sizeof what, "profile table row %d", row);
    lua_Integer count;
    int base = xnet_l_list_base(L, idx, &count, what);
    if (count != n) {
        luaL_error(L, "%s has %I entries, expected %d (one per expert)", what, count, n);
    }
    for (int e = 0; e < n; e++) {
        if (lua_rawgeti(L, idx, e + base) != LUA_TNUMBER) {
            luaL_error(L, "%s: entry for expert %d must be a number, got %s", what, e,
                       luaL_typename(L, -1));
        }
        out[e] = lua_tonumber(L, -1);
        lua_pop(L, 1);
    }
}

/* xnet.profile.table(model, rows | path, { kind = "weights" | "probability" })
 * -> Profile. rows[l] (l = 0..L-1, or 1..L) lists E weights; "probability":
 * E inclusion probabilities summing to k, turned into the weights that give them.
 * A path reads a CSV weight table: Profile, or nil, "path:line: reason". */
static int l_profile_table(lua_State *L)
{
    static const char *const allowed[] = {"kind", NULL};
    const xnet_model_t *m = xnet_l_check_model(L, 1);
    xnet_l_options(L, 3, "xnet.profile.table", allowed);
    const char *kind = xnet_l_opt_string(L, 3, "kind", "weights");
    int strict = strcmp(kind, "probability") == 0;
    if (!strict && strcmp(kind, "weights") != 0) {
        return luaL_error(L, "kind must be 'weights' or 'probability', got '%s'", kind);
    }
    double *w = weights_box(L, m);
    int box = lua_gettop(L);
    char desc[256];
    if (lua_type(L, 2) == LUA_TSTRING) {
        const char *path = lua_tostring(L, 2);
        void **text = xnet_l_box(L);
        size_t len;
        if (xnet_file_read(path, (char **)text, &len)
            || xnet_weights_parse(path, *text, len, m->layers, m->experts, w)) {
            return xnet_l_fail_result(L);
        }
        xnet_l_box_free(text);
        snprintf(desc, sizeof desc, "table:%s", path);
    } else {
        lua_Integer rows;
        int base = xnet_l_list_base(L, 2, &rows, "profile table");
        if (rows != m->layers) {
            return luaL_error(L, "profile table has %I rows, expected %d (one per layer)", rows,
                              m->layers);
        }
        for (int l = 0; l < m->layers; l++) {
            lua_rawgeti(L, 2, l + base);
            read_number_list(L, lua_gettop(L), m->experts, w + (size_t)l * m->experts, l);
            lua_pop(L, 1);
        }
        snprintf(desc, sizeof desc, "table");
    }
    if (strict && xnet_weights_from_inclusion(m->layers, m->experts, m->top_k, w)) {
        return xnet_l_raise(L);
    }
    lua_settop(L, box);
    return profile_from_weights(L, m, w, desc);
}

/* xnet.profile.trace(model, path) -> Profile, or nil, "path[:line]: reason" */
static int l_profile_trace(lua_State *L)
{
    const xnet_model_t *m = xnet_l_check_model(L, 1);
    const char *path = luaL_checkstring(L, 2);
    void **text = xnet_l_box(L);
    size_t len, rows;
    char desc[256];
    snprintf(desc, sizeof desc, "trace:%s", path);
    xnet_profile_t **profile = new_profile(L, 1, desc);
    if (xnet_file_read(path, (char **)text, &len)
        || xnet_trace_parse(profile, path, *text, len, m->layers, m->experts, m->top_k, &rows)) {
        return xnet_l_fail_result(L);
    }
    xnet_l_box_free(text);
    lua_pushinteger(L, (lua_Integer)rows);
    return 2;
}

static int check_layer(lua_State *L, const xnet_profile_t *p, int arg)
{
    return (int)xnet_l_check_range(L, arg, "layer", 0, p->layers - 1);
}

/* profile:inclusion(l) -> { [0] = p_0, ..., [E-1] } (sums to top_k) */
static int l_profile_inclusion(lua_State *L)
{
    const xnet_profile_t *p = xnet_l_check_profile(L, 1);
    int l = check_layer(L, p, 2);
    lua_createtable(L, p->experts, 1);
    p = xnet_l_check_profile(L, 1); /* the table may have run a finalizer */
    for (int e = 0; e < p->experts; e++) {
        lua_pushnumber(L, p->inclusion[(size_t)l * p->experts + e]);
        lua_seti(L, -2, e);
    }
    return 1;
}

/* profile:sets(l) -> { { experts = {ids...}, p = prob }, ... } */
static int l_profile_sets(lua_State *L)
{
    const xnet_profile_t *p = xnet_l_check_profile(L, 1);
    int l = check_layer(L, p, 2), i = 0;
    if (p->topk) {
        return luaL_error(L, "the top-%d sets of %d experts are not enumerated (over %d terms "
                          "per layer); inclusion and evaluation are exact without them",
                          p->top_k, p->experts, (int)XNET_ENUMERATE_TERMS);
    }
    size_t first = p->first[l], last = p->first[l + 1];
    lua_createtable(L, (int)(last - first), 0);
    for (size_t s = first; s < last; s++) {
        lua_createtable(L, 0, 2);
        lua_createtable(L, p->top_k, 0);
        p = xnet_l_check_profile(L, 1); /* the tables may have run a finalizer */
        for (int j = 0; j < p->top_k; j++) {
            lua_pushinteger(L, p->members[s * p->top_k + j]);
            lua_seti(L, -2, j + 1);
        }
        lua_setfield(L, -2, "experts");
        lua_pushnumber(L, p->prob[s]);
        lua_setfield(L, -2, "p");
        lua_seti(L, -2, ++i);
    }
    return 1;
}

/* profile:model() -> the Model it was built for */
static int l_profile_model(lua_State *L)
{
    xnet_l_check_profile(L, 1);
    lua_getiuservalue(L, 1, 1);
    return 1;
}

/* profile:name() -> "uniform", "zipf-1", "dirichlet-0.5", "trace:path", ... */
static int l_profile_name(lua_State *L)
{
    luaL_checkudata(L, 1, XNET_PROFILE_MT);
    lua_getiuservalue(L, 1, 2);
    return 1;
}

static int l_profile_layers(lua_State *L)
{
    lua_pushinteger(L, xnet_l_check_profile(L, 1)->layers);
    return 1;
}

static int l_profile_tostring(lua_State *L)
{
    const xnet_profile_t *p = xnet_l_check_profile(L, 1);
    lua_getiuservalue(L, 1, 2);
    double hi = 0, lo = 1;
    for (size_t i = 0; i < (size_t)p->layers * (size_t)p->experts; i++) {
        hi = fmax(hi, p->inclusion[i]);
        lo = fmin(lo, p->inclusion[i]);
    }
    char buf[320], sets[64];
    if (p->topk) {
        snprintf(sets, sizeof sets, "sets not enumerated");
    } else {
        snprintf(sets, sizeof sets, "%zu sets", p->first[p->layers]);
    }
    snprintf(buf, sizeof buf,
             "profile %s: %d layers, %d experts, top-%d, %s; inclusion from %.3f to %.3f",
             lua_tostring(L, -1), p->layers, p->experts, p->top_k, sets, lo, hi);
    lua_pushstring(L, buf);
    return 1;
}

int luaopen_xnet_moe(lua_State *L)
{
    static const luaL_Reg model_methods[] = {{"fields", l_model_fields}, {NULL, NULL}};
    static const luaL_Reg model_meta[] = {{"__index", l_model_index},
                                          {"__tostring", l_model_tostring}, {NULL, NULL}};
    static const luaL_Reg profile_methods[] = {
        {"inclusion", l_profile_inclusion}, {"sets", l_profile_sets},
        {"model", l_profile_model},         {"name", l_profile_name},
        {"layers", l_profile_layers},       {NULL, NULL}};
    static const luaL_Reg profile_meta[] = {{"__tostring", l_profile_tostring}, {NULL, NULL}};
    static const luaL_Reg profile_functions[] = {
        {"uniform", l_profile_uniform}, {"zipf", l_profile_zipf},
        {"dirichlet", l_profile_dirichlet}, {"table", l_profile_table},
        {"trace", l_profile_trace},     {NULL, NULL}};
    xnet_l_new_type(L, XNET_MODEL_MT, model_methods, model_meta);
    xnet_l_new_handle_type(L, XNET_PROFILE_MT, profile_methods, profile_meta);
    lua_pushcfunction(L, l_model);
    lua_setfield(L, -2, "model_from_table");
    lua_newtable(L);
    luaL_setfuncs(L, profile_functions, 0);
    lua_setfield(L, -2, "profile");
    return 0;
}
