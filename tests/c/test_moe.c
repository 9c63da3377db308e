/* Activation profiles: the top-k set distribution against the closed form,
 * inclusion probabilities, observed sets, named generators, text parsers. */
#include "check.h"
#include "error.h"
#include "moe.h"
#include "trace.h"

#include <stdlib.h>
#include <string.h>

static double set_prob(const xnet_profile_t *p, int l, int a, int b)
{
    for (size_t s = p->first[l]; s < p->first[l + 1]; s++) {
        if (p->members[2 * s] == a && p->members[2 * s + 1] == b) {
            return p->prob[s];
        }
    }
    return -1;
}

static void test_weights(void)
{
    /* k = 2: P({i,j}) = w_i w_j (1/(1-w_i) + 1/(1-w_j)) (docs/model.md section 6) */
    double w[2 * 4] = {5, 3, 2, 0, 1, 1, 1, 1};
    xnet_profile_t *p;
    CHECK(xnet_profile_from_weights(&p, 2, 4, 2, w) == XNET_OK);
    double n[3] = {0.5, 0.3, 0.2};
    for (int i = 0; i < 3; i++) {
        for (int j = i + 1; j < 3; j++) {
            double want = n[i] * n[j] * (1 / (1 - n[i]) + 1 / (1 - n[j]));
            CHECK_NEAR(set_prob(p, 0, i, j), want, 1e-15);
        }
    }
    CHECK_NEAR(set_prob(p, 0, 0, 1), 0.5142857142857143, 1e-15);
    /* expert 3 has weight 0: never drawn, its sets left out */
    CHECK(p->first[1] - p->first[0] == 3);
    CHECK(p->inclusion[3] == 0);
    /* uniform layer: every pair 1/6, inclusion k/E = 1/2 */
    CHECK(p->first[2] - p->first[1] == 6);
    for (int e = 0; e < 4; e++) {
        CHECK_NEAR(p->inclusion[4 + e], 0.5, 1e-15);
    }
    for (int l = 0; l < 2; l++) {
        double sum = 0, inc = 0;
        for (size_t s = p->first[l]; s < p->first[l + 1]; s++) {
            sum += p->prob[s];
        }
        for (int e = 0; e < 4; e++) {
            inc += p->inclusion[l * 4 + e];
        }
        CHECK_NEAR(sum, 1, 1e-15);
        CHECK_NEAR(inc, 2, 1e-14);
    }
    xnet_profile_destroy(p);

    /* k = 3 of 5 against a brute force over all ordered draws */
    double w5[5] = {0.4, 0.25, 0.15, 0.12, 0.08};
    CHECK(xnet_profile_from_weights(&p, 1, 5, 3, w5) == XNET_OK);
    double worst = 0;
    for (size_t s = p->first[0]; s < p->first[1]; s++) {
        const int *m = p->members + 3 * s;
        double brute = 0;
        int perm[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
        for (int q = 0; q < 6; q++) {
            double pr = 1, rest = 1;
            for (int j = 0; j < 3; j++) {
                double wi = w5[m[perm[q][j]]];
                pr *= wi / rest;
                rest -= wi;
            }
            brute += pr;
        }
        worst = fmax(worst, fabs(brute - p->prob[s]));
    }
    CHECK(p->first[1] == 10 && worst < 1e-15);
    double inc = 0;
    for (int e = 0; e < 5; e++) {
        inc += p->inclusion[e];
    }
    CHECK_NEAR(inc, 3, 1e-14);
    xnet_profile_destroy(p);

    /* errors */
    double bad[4] = {1, -1, 1, 1};
    CHECK(xnet_profile_from_weights(&p, 1, 4, 2, bad) == XNET_EINVAL && p == NULL);
    CHECK(strstr(xnet_errmsg(), "weight of layer 0 expert 1 must be >= 0") != NULL);
    double one[4] = {1, 0, 0, 0};
    CHECK(xnet_profile_from_weights(&p, 1, 4, 2, one) == XNET_EINVAL);
    CHECK(strstr(xnet_errmsg(), "fewer than top_k") != NULL);
    double nan4[4] = {1, NAN, 1, 1};
    CHECK(xnet_profile_from_weights(&p, 1, 4, 2, nan4) == XNET_EINVAL);
    /* Too many sets to enumerate: the exact evaluator serves instead
     * (uniform weights: every inclusion is k / E). */
    double *big = calloc(256, sizeof(double));
    CHECK(xnet_profile_from_weights(&p, 1, 256, 12, big) == XNET_EINVAL);
    for (int e = 0; e < 256; e++) {
        big[e] = 1;
    }
    CHECK(xnet_profile_from_weights(&p, 1, 256, 12, big) == XNET_OK);
    CHECK(p->topk != NULL && p->first[1] == 0);
    double off = 0;
    for (int e = 0; e < 256; e++) {
        off = fmax(off, fabs(p->inclusion[e] - 12.0 / 256));
    }
    CHECK(off < 1e-12);
    xnet_profile_destroy(p);
    free(big);
}

static void test_sets(void)
{
    int layer[5] = {0, 0, 0, 1, 1};
    int members[10] = {0, 1, 0, 1, 1, 2, 0, 2, 0, 2};
    xnet_profile_t *p;
    CHECK(xnet_profile_from_sets(&p, 2, 3, 2, 5, layer, members) == XNET_OK);
    CHECK_NEAR(set_prob(p, 0, 0, 1), 2.0 / 3, 1e-15);
    CHECK_NEAR(set_prob(p, 0, 1, 2), 1.0 / 3, 1e-15);
    CHECK_NEAR(set_prob(p, 1, 0, 2), 1, 1e-15);
    CHECK_NEAR(p->inclusion[1], 1, 1e-15); /* expert 1 is in every layer-0 set */
    CHECK_NEAR(p->inclusion[3 + 1], 0, 1e-15);
    xnet_profile_destroy(p);
    int layer0[2] = {0, 0};
    CHECK(xnet_profile_from_sets(&p, 2, 3, 2, 2, layer0, members) == XNET_EINVAL);
    CHECK(strstr(xnet_errmsg(), "layer 1 has no rows") != NULL);
}

static void test_generators(void)
{
    double a[3 * 8], b[3 * 8], c[3 * 8];
    CHECK(xnet_weights_zipf(3, 8, 1.0, 7, a) == XNET_OK);
    CHECK(xnet_weights_zipf(3, 8, 1.0, 7, b) == XNET_OK);
    CHECK(xnet_weights_zipf(3, 8, 1.0, 8, c) == XNET_OK);
    CHECK(memcmp(a, b, sizeof a) == 0);
    CHECK(memcmp(a, c, sizeof a) != 0);
    /* each layer holds exactly the weights 1/r, r = 1..8, in some order */
    double sum = 0;
    for (int e = 0; e < 8; e++) {
        sum += a[8 + e];
    }
    CHECK_NEAR(sum, 1 + 1. / 2 + 1. / 3 + 1. / 4 + 1. / 5 + 1. / 6 + 1. / 7 + 1. / 8, 1e-14);
    CHECK(xnet_weights_zipf(1, 8, -1, 7, a) == XNET_EINVAL);
    CHECK(xnet_weights_dirichlet(3, 8, 0.5, 11, a) == XNET_OK);
    CHECK(xnet_weights_dirichlet(3, 8, 0.5, 11, b) == XNET_OK);
    CHECK(memcmp(a, b, sizeof a) == 0);
    double s0 = 0;
    for (int e = 0; e < 8; e++) {
        s0 += a[e];
        CHECK(a[e] >= 0);
    }
    CHECK_NEAR(s0, 1, 1e-14);
    CHECK(xnet_weights_dirichlet(3, 8, 0, 11, a) == XNET_EINVAL);
    /* Dirichlet(alpha) has E[w_e] = 1/E: the mean over many layers is close */
    int L = 4000;
    double *many = malloc(sizeof(double) * L * 4), mean = 0;
    CHECK(xnet_weights_dirichlet(L, 4, 2.0, 3, many) == XNET_OK);
    for (int l = 0; l < L; l++) {
        mean += many[l * 4];
    }
    mean /= L;
    /* Var of a Beta(2, 6) marginal is 0.0208: 5 sigma over 4000 layers */
    CHECK(fabs(mean - 0.25) < 5 * sqrt(0.0208 / L));
    free(many);
}

static void test_parsers(void)
{
    const char *table = "# weights\n0, 1, 2, 3\n\n2,1,1,1\n1,0.5,0.25,0.25\n";
    double w[9];
    CHECK(xnet_weights_parse("t.csv", table, strlen(table), 3, 3, w) == XNET_OK);
    CHECK(w[0] == 1 && w[8] == 1 && w[3] == 0.5);
    const char *plain = "1 , 2,3\n4,5,6\n";
    CHECK(xnet_weights_parse("p.csv", plain, strlen(plain), 2, 3, w) == XNET_OK);
    CHECK(w[5] == 6);
    struct {
        const char *text, *error;
    } bad_tables[] = {
        {"0,1\n", "p.csv:1: expected 3 weights"},
        {"0,1,2,x\n", "p.csv:1: weight is not a finite number: 'x'"},
        {"0,1,-2,1\n1,1,1,1\n", "p.csv:1: weight must be >= 0: '-2'"},
        {"0,1,2,1\n0,1,1,1\n", "p.csv:2: layer 0 given twice"},
        {"5,1,2,1\n", "p.csv:1: layer 5 out of range [0, 2)"},
        {"0,1,2,1\n", "p.csv: no weights for layer 1"},
        {"1,2,3\n1,2,3\n1,2,3\n", "p.csv:3: more than 2 layers"},
        {"0,1,inf,1\n1,1,1,1\n", "p.csv:1: weight is not a finite number: 'inf'"},
        {"0,1,1e400,1\n1,1,1,1\n", "p.csv:1: weight is beyond the range of a double"},
        {"0,1,1e-400,1\n1,1,1,1\n", "p.csv:1: weight is beyond the range of a double"},
        {"0,1,1,1\n1,1\0,1,1\n", "p.csv:2: NUL byte in the line"},
        {"4294967296,1,1,1\n", "p.csv:1: layer 4294967296 out of range [0, 2)"},
        {"99999999999999999999,1,1,1\n", "p.csv:1: layer is not an integer"},
    };
    /* A UTF-8 byte order mark, CR-only and CRLF line endings, denormal weights. */
    const char *odd = "\xEF\xBB\xBF" "1,2,1e-310\r4,5,6\r\n";
    CHECK(xnet_weights_parse("p.csv", odd, strlen(odd), 2, 3, w) == XNET_OK);
    CHECK(w[0] == 1 && w[2] == 1e-310 && w[3] == 4 && w[5] == 6);
    for (size_t i = 0; i < sizeof bad_tables / sizeof bad_tables[0]; i++) {
        size_t len = strlen(bad_tables[i].text);
        if (strstr(bad_tables[i].error, "NUL")) {
            len = 17; /* past the embedded NUL */
        }
        int rc = xnet_weights_parse("p.csv", bad_tables[i].text, len, 2, 3, w);
        CHECK(rc == XNET_EINVAL);
        if (!strstr(xnet_errmsg(), bad_tables[i].error)) {
            fprintf(stderr, "table %zu: got '%s'\n", i, xnet_errmsg());
            CHECK(0);
        }
    }

    const char *trace = "token,layer,expert_1,expert_2\n# a comment\n0,0,1,0\n0,1,2,3\n"
                        "1,0,0,1\r\n1,1,3,1\n2,0,2,3\n2,1,1,3\n";
    xnet_profile_t *p;
    size_t rows;
    CHECK(xnet_trace_parse(&p, "tr.csv", trace, strlen(trace), 2, 4, 2, &rows) == XNET_OK);
    CHECK(rows == 6);
    CHECK_NEAR(set_prob(p, 0, 0, 1), 2.0 / 3, 1e-15);
    CHECK_NEAR(set_prob(p, 1, 1, 3), 2.0 / 3, 1e-15);
    CHECK_NEAR(p->inclusion[4 + 3], 1, 1e-15);
    xnet_profile_destroy(p);
    struct {
        const char *text, *error;
    } bad_traces[] = {
        {"0,0,1,9\n", "tr.csv:1: expert 9 out of range [0, 4)"},
        {"0,0,1\n", "tr.csv:1: expected token,layer and 2 experts (top_k), got 1 experts"},
        {"0,0,1,2,3\n", "tr.csv:1: expected token,layer and 2 experts (top_k), got more than 2"},
        {"0,0,1,2\n0,1,2,2\n", "tr.csv:2: expert 2 repeated in one row"},
        {"0,0,1,2\n0,7,1,2\n", "tr.csv:2: layer 7 out of range [0, 2)"},
        {"0,0,1,2\n0,x,1,2\n", "tr.csv:2: layer is not an integer: 'x'"},
        {"0,0,1,2\n0,1,1.5,2\n", "tr.csv:2: expert is not an integer: '1.5'"},
        {"-1,0,1,2\n", "tr.csv:1: token must be an integer >= 0: '-1'"},
        {"0,0,1,2\n", "tr.csv: no rows for layer 1 (1 of 2 layers have rows)"},
        {"0,1,1,2\n", "tr.csv: no rows for layer 0 (1 of 2 layers have rows); every layer needs "
                      "rows 'token,layer,expert_1,...,expert_k': trace the missing layer too; a "
                      "weight table"},
        {"0\t0\t1\t2\n", "tr.csv:1: expected commas, found tabs"},
        {"# c\n0;0;1;2\n", "tr.csv:2: expected commas, found semicolons"},
        {"", "tr.csv: no routing rows"},
        {"token,layer,a,b\n", "tr.csv: no routing rows"},
        {"0,0,1,2\n1,1,2,3\nhello,1,2,3\n", "tr.csv:3: token must be an integer"},
    };
    for (size_t i = 0; i < sizeof bad_traces / sizeof bad_traces[0]; i++) {
        int rc = xnet_trace_parse(&p, "tr.csv", bad_traces[i].text, strlen(bad_traces[i].text), 2,
                                  4, 2, &rows);
        CHECK(rc == XNET_EINVAL && p == NULL);
        if (!strstr(xnet_errmsg(), bad_traces[i].error)) {
            fprintf(stderr, "trace %zu: got '%s'\n", i, xnet_errmsg());
            CHECK(0);
        }
    }
}

static xnet_model_t paper_model(void)
{
    xnet_model_t m = {.name = "m", .layers = 32, .experts = 8, .top_k = 2, .hidden = 4096,
                      .heads = 32, .bytes_per_value = 2, .bytes_per_weight = 2,
                      .expert_ffn = 1376, .flops_per_s = 10.4e9, .utilisation = 0.7};
    return m;
}

static void test_model(void)
{
    xnet_model_t m = paper_model();
    CHECK(xnet_model_finish(&m) == XNET_OK);
    CHECK(m.head_dim == 128 && m.kv_heads == 32);
    CHECK(m.gateway_flops == 2 * 4 * 4096.0 * 4096 && m.expert_flops == 2 * 3 * 4096.0 * 1376);
    CHECK(m.expert_bytes == 3 * 4096.0 * 1376 * 2);
    CHECK_NEAR(xnet_model_gateway_s(&m), 134217728 / 7.28e9, 1e-15);
    CHECK_NEAR(xnet_model_expert_s(&m), 33816576 / 7.28e9, 1e-15);
    CHECK(xnet_model_message_bits(&m) == 65536);
    m.top_k = 9;
    CHECK(xnet_model_check(&m) == XNET_EINVAL);
    CHECK(strstr(xnet_errmsg(), "top_k must be in [1, 8] (experts), got 9") != NULL);
    m.top_k = 2;
    m.utilisation = 1.5;
    CHECK(xnet_model_check(&m) == XNET_EINVAL);
    m.utilisation = 0.7;
    m.flops_per_s = 0;
    CHECK(xnet_model_check(&m) == XNET_EINVAL);
    m.flops_per_s = 1e9;
    m.expert_flops = NAN;
    CHECK(xnet_model_check(&m) == XNET_EINVAL);

    /* Grouped-query attention (Mixtral-8x7B): q, o at 4096, k, v at 8 x 128. */
    m = paper_model();
    m.attention = XNET_ATTENTION_GQA;
    m.kv_heads = 8;
    CHECK(xnet_model_finish(&m) == XNET_OK);
    CHECK(m.gateway_flops == 2 * (2 * 4096.0 * 4096 + 2 * 4096.0 * 1024));
    /* Multi-head latent attention, by hand for DeepSeek-V3's dimensions. */
    m = paper_model();
    m.hidden = 7168;
    m.heads = 128;
    m.attention = XNET_ATTENTION_MLA;
    m.q_lora_rank = 1536;
    m.kv_lora_rank = 512;
    m.qk_nope_dim = 128;
    m.qk_rope_dim = 64;
    m.v_head_dim = 128;
    CHECK(xnet_model_finish(&m) == XNET_OK);
    double q = 7168.0 * 1536 + 1536.0 * 128 * 192, kv = 7168.0 * 576 + 512.0 * 128 * 256;
    CHECK(m.gateway_flops == 2 * (q + kv + 128.0 * 128 * 7168));
    /* Shared experts and dense layers add to the gateway's time. */
    double before = xnet_model_gateway_s(&m);
    m.shared_experts = 1;
    m.shared_ffn = 2048;
    m.dense_layers = 3;
    m.dense_ffn = 18432;
    CHECK(xnet_model_finish(&m) == XNET_OK);
    double dense = 3 * (m.gateway_flops + 2 * 3 * 7168.0 * 18432) / 32;
    CHECK_NEAR(xnet_model_gateway_s(&m) - before, (2 * 3 * 7168.0 * 2048 + dense) / 7.28e9, 1e-12);
    /* Explicit values win over derived ones. */
    m.given = XNET_MODEL_GIVEN_EXPERT_FLOPS;
    m.expert_flops = 5;
    CHECK(xnet_model_finish(&m) == XNET_OK && m.expert_flops == 5);
    /* Inconsistent dimensions name the field. */
    m = paper_model();
    m.expert_ffn = 0;
    CHECK(xnet_model_finish(&m) == XNET_EINVAL && strstr(xnet_errmsg(), "expert_ffn") != NULL);
    m = paper_model();
    m.shared_experts = 2;
    CHECK(xnet_model_finish(&m) == XNET_EINVAL && strstr(xnet_errmsg(), "shared_ffn") != NULL);
    m = paper_model();
    m.dense_layers = 1;
    CHECK(xnet_model_finish(&m) == XNET_EINVAL && strstr(xnet_errmsg(), "dense_ffn") != NULL);
    m = paper_model();
    m.attention = XNET_ATTENTION_MLA;
    CHECK(xnet_model_finish(&m) == XNET_EINVAL && strstr(xnet_errmsg(), "kv_lora_rank") != NULL);
    m = paper_model();
    m.kv_heads = 33;
    CHECK(xnet_model_finish(&m) == XNET_EINVAL && strstr(xnet_errmsg(), "kv_heads") != NULL);
}

int main(void)
{
    test_weights();
    test_sets();
    test_generators();
    test_parsers();
    test_model();
    return check_done();
}
