/* Tests for model.c (models.md): every kind against values worked out here from its
 * formula — the Poisson upper tail summed term by term, the beta upper tail through
 * the binomial identity, the logistic sum and the EWMA recursion by hand — and against
 * published table values; the evidence parts; and malformed model files, refused with
 * exact file:line:col. Models load from a rules folder built in a temp dir; they are
 * evaluated with chosen aggregate values, and through the engine so the values show up
 * in the leads' `models[]` evidence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine.h"
#include "model.h"
#include "rules.h"
#include "rwtime.h"
#include "util.h"
#include "support.h"

#define NOW "2026-11-01T09:00:00+08:00"

/* ---- independent formulas ------------------------------------------------------------ */

/* P(X >= k) for X ~ Poisson(lambda): the terms e^-λ λ^j / j! for j >= k, summed one
 * by one (each from the one before) until they stop adding anything. */
static double poisson_upper(double k, double lambda)
{
    if (k <= 0) return 1;
    double term = exp(-lambda);
    for (int j = 1; j <= (int)k; j++)
        term *= lambda / j;
    double sum = 0;
    for (int j = (int)k; j < (int)k + 2000 && term > 0; j++) {
        sum += term;
        if (term < sum * 1e-18) break;
        term *= lambda / (j + 1);
    }
    return sum;
}

static double choose(int n, int k)
{
    double c = 1;
    for (int i = 1; i <= k; i++)
        c = c * (n - k + i) / i;
    return c;
}

/* I_x(a, b) for integer a, b >= 1 by the binomial identity
 * I_x(a, b) = Σ_{j=a}^{a+b-1} C(a+b-1, j) x^j (1-x)^{a+b-1-j}. */
static double beta_cdf(int a, int b, double x)
{
    int m = a + b - 1;
    double s = 0;
    for (int j = a; j <= m; j++)
        s += choose(m, j) * pow(x, j) * pow(1 - x, m - j);
    return s;
}

static double logistic(double z)
{
    return 1 / (1 + exp(-z));
}

/* One EWMA step as models.md writes it: z first, then the update. Returns 1 when z is
 * defined. */
typedef struct {
    int n;
    double mean, var;
} ref_ewma_t;

static int ref_ewma_step(ref_ewma_t *s, double alpha, int min_samples, double x, double *z)
{
    int has_z = s->n >= min_samples && s->var > 0;
    if (has_z) *z = (x - s->mean) / sqrt(s->var);
    if (s->n == 0) {
        s->mean = x;
        s->var = 0;
    } else {
        double d = x - s->mean;
        s->mean += alpha * d;
        s->var = (1 - alpha) * (s->var + alpha * d * d);
    }
    s->n++;
    return has_z;
}

static void assert_close(double got, double want, double rel)
{
    double tol = rel * fabs(want) + 1e-300;
    if (!(fabs(got - want) <= tol))
        fail_msg("got %.17g, want %.17g (rel. tolerance %g)", got, want, rel);
}

static void assert_value_close(rw_value_t v, double want, double rel)
{
    if (v.kind != RW_V_NUM)
        fail_msg("model value is not a number (kind %d), want %.17g", (int)v.kind, want);
    assert_close(v.num, want, rel);
}

static void assert_value_null(rw_value_t v)
{
    if (v.kind != RW_V_NULL)
        fail_msg("model value should be null, is kind %d (%.17g)", (int)v.kind, v.num);
}

/* ---- a rules folder with a models folder ------------------------------------------- */

static const char *const CATALOG = "timezone: \"+08:00\"\n"
                                   "types:\n"
                                   "  complaint:  {title: 投诉举报, attrs: {category: string}}\n"
                                   "  sampling:   {title: 监督抽检, attrs: {result: string}}\n"
                                   "  penalty:    {title: 行政处罚, attrs: {amount: number}}\n"
                                   "  tax_return: {title: 纳税申报, attrs: {revenue: number}}\n"
                                   "items:\n"
                                   "  - code: \"SC-T-001\"\n"
                                   "    name: 测试监督检查事项\n"
                                   "    department: 测试监管处\n"
                                   "    basis: [\"test-law#1\"]\n";

static const char *const LAWS = "laws:\n"
                                "  - id: test-law\n"
                                "    title: 中华人民共和国测试法\n"
                                "    level: law\n"
                                "    verified: 2026-10-01\n"
                                "    versions:\n"
                                "      - {effective: 2020-01-01, source: test-2020.md}\n"
                                "    repealed: null\n";

static const char *const LAW =
    "# 中华人民共和国测试法\n\n2020年1月1日 公布\n\n<!-- INFO END -->\n\n## 第一章 总则\n\n"
    "第一条 经营者应当诚信经营。\n";

/* Streams the shipped models and the tests' models read; no rules. */
static const char *const RULESET =
    "ruleset: base\n"
    "streams:\n"
    "  sampling_fail: 'type == \"sampling\" and attrs.result == \"fail\"'\n"
    "  big_return: 'type == \"tax_return\" and attrs.revenue >= 1000'\n";

typedef struct {
    char *root, *rules, *models;
} folder_t;

static char *join(const char *a, const char *b)
{
    rw_buf_t p;
    rw_buf_init(&p);
    rw_buf_printf(&p, "%s/%s", a, b);
    return rw_buf_steal(&p);
}

static void remove_file(const char *dir, const char *name)
{
    char *p = join(dir, name);
    assert_int_equal(remove(p), 0);
    free(p);
}

/* root/rules: catalogue, statutes (one law, one version) and the ruleset given (RULESET
 * when NULL); root/models: empty. */
static void folder_new(folder_t *f, const char *ruleset)
{
    char tmpl[] = "/tmp/rw-model-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    f->root = rw_xstrdup(tmpl);
    f->rules = join(f->root, "rules");
    f->models = join(f->root, "models");
    assert_int_equal(mkdir(f->rules, 0755), 0);
    assert_int_equal(mkdir(f->models, 0755), 0);
    char *st = join(f->rules, "statutes");
    assert_int_equal(mkdir(st, 0755), 0);
    write_file(st, "laws.yaml", LAWS);
    write_file(st, "test-2020.md", LAW);
    free(st);
    write_file(f->rules, "catalog.yaml", CATALOG);
    write_file(f->rules, "rs.yaml", ruleset ? ruleset : RULESET);
}

static void folder_free(folder_t *f)
{
    rw_rmtree(f->root);
    free(f->root);
    free(f->rules);
    free(f->models);
}

/* The repository (ctest sets RW_SOURCE_DIR): its models/ and rules/ are the shipped ones. */
static const char *source_dir(void)
{
    const char *s = getenv("RW_SOURCE_DIR");
    if (!s) fail_msg("RW_SOURCE_DIR is not set (run through ctest)");
    return s;
}

static int64_t today(void)
{
    int64_t d;
    assert_int_equal(rw_date_parse("2026-11-01", &d), 0);
    return d;
}

static int load(const char *rules_dir, const char *models_dir, rw_rules_t **r, rw_diags_t *d)
{
    rw_load_opts_t o = {.rules_dir = rules_dir, .models_dir = models_dir, .today = today()};
    return rw_rules_load(r, &o, d);
}

static rw_rules_t *load_ok(const char *rules_dir, const char *models_dir)
{
    rw_diags_t d;
    rw_diags_init(&d);
    rw_rules_t *r = NULL;
    int rc = load(rules_dir, models_dir, &r, &d);
    if (rc) rw_diags_print(&d, stderr);
    rw_diags_free(&d);
    assert_int_equal(rc, 0);
    return r;
}

static const rw_model_t *model(const rw_rules_t *r, const char *name)
{
    int i = rw_rules_model(r, name);
    if (i < 0) fail_msg("model %s is not loaded", name);
    return &r->models[i];
}

/* ---- evaluating a model with chosen aggregate values --------------------------------- */

typedef struct {
    const char *call; /* canonical call text, e.g. count(complaint, 7d) */
    double value;
} given_t;

typedef struct {
    const rw_rules_t *r;
    const given_t *given;
    size_t n;
} givens_t;

static rw_value_t given_call(rw_eval_env_t *env, int id)
{
    const givens_t *g = env->ud;
    const char *text = g->r->calls[id].text;
    for (size_t i = 0; i < g->n; i++)
        if (strcmp(g->given[i].call, text) == 0) return rw_num(g->given[i].value);
    fail_msg("the test gives no value for %s", text);
    return rw_null();
}

/* The value of model `name` when the aggregates are `given` and the profile is the
 * JSON text `profile` (NULL for none); its parts in *parts when not NULL. */
static rw_value_t eval_with(const rw_rules_t *r, const char *name, const char *profile,
                            const given_t *given, size_t n, json_t **parts)
{
    json_t *prof = NULL;
    if (profile) {
        json_error_t e;
        prof = json_loads(profile, 0, &e);
        if (!prof) fail_msg("bad profile JSON in test: %s", e.text);
    }
    givens_t g = {r, given, n};
    rw_eval_env_t env = {.profile = prof, .call = given_call, .ud = &g};
    rw_value_t v = rw_model_eval(model(r, name), &env, NULL, parts);
    rw_eval_env_reset(&env);
    free(env.scratch);
    json_decref(prof);
    return v;
}

static rw_value_t eval_profile(const rw_rules_t *r, const char *name, const char *profile,
                               json_t **parts)
{
    return eval_with(r, name, profile, NULL, 0, parts);
}

/* A parts entry has exactly these keys. */
static void assert_keys(const json_t *o, const char *const *keys)
{
    size_t n = 0;
    for (; keys[n]; n++)
        if (!json_object_get(o, keys[n])) fail_msg("parts entry lacks \"%s\"", keys[n]);
    assert_int_equal(json_object_size(o), n);
}

static double num_of(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    if (!json_is_number(v)) fail_msg("\"%s\" is not a number", k);
    return json_number_value(v);
}

/* The logistic part of input `input`: its recorded value (compared as JSON text) and
 * contribution. */
static void assert_logistic_part(const json_t *part, const char *input, const char *value_json,
                                 double contribution)
{
    static const char *const keys[] = {"input", "value", "contribution", NULL};
    assert_keys(part, keys);
    assert_string_equal(json_string_value(json_object_get(part, "input")), input);
    char *got = json_dumps(json_object_get(part, "value"), JSON_ENCODE_ANY);
    assert_string_equal(got, value_json);
    free(got);
    assert_close(num_of(part, "contribution"), contribution, 1e-12);
}

/* ---- logistic ------------------------------------------------------------------------ */

static const char *const SCORE = "model: score\n"
                                 "kind: logistic\n"
                                 "inputs:\n"
                                 "  a: 'profile.a'\n"
                                 "  b: 'profile.b'\n"
                                 "  c: 'profile.c'\n"
                                 "  flag: 'profile.flag'\n"
                                 "  n: 'count(complaint, 30d)'\n"
                                 "transform: {a: log1p, b: log, c: sqrt}\n"
                                 "missing: {b: 0.5, c: 2}\n"
                                 "intercept: -1.25\n"
                                 "weights: {a: 0.9, b: -1.5, c: 0.4, flag: 2, n: 0.1}\n";

static rw_rules_t *score_rules(folder_t *f)
{
    folder_new(f, NULL);
    write_file(f->models, "score.yaml", SCORE);
    return load_ok(f->rules, f->models);
}

static void logistic_score_is_the_logistic_of_the_weighted_sum_worked_by_hand(void **state)
{
    (void)state;
    folder_t f;
    rw_rules_t *r = score_rules(&f);
    /* a=3 → 0.9·ln 4; b=20 → −1.5·ln 20; c=16 → 0.4·4; flag true → 2·1; n=5 → 0.1·5 */
    given_t n5 = {"count(complaint, 30d)", 5};
    json_t *parts = NULL;
    rw_value_t v =
        eval_with(r, "score", "{\"a\": 3, \"b\": 20, \"c\": 16, \"flag\": true}", &n5, 1, &parts);
    double ca = 0.9 * log(4), cb = -1.5 * log(20), cc = 0.4 * 4, cf = 2, cn = 0.1 * 5;
    double z = -1.25 + ca + cb + cc + cf + cn; /* = −0.395933 */
    assert_close(z, -0.395933, 1e-5);
    assert_value_close(v, logistic(z), 1e-12);
    assert_value_close(v, 0.402290, 1e-5); /* 1/(1+e^0.395933) */
    /* largest |contribution| first: b −4.49, flag 2, c 1.6, a 1.25, n 0.5 */
    assert_int_equal(json_array_size(parts), 5);
    assert_logistic_part(json_array_get(parts, 0), "b", "20", cb);
    assert_logistic_part(json_array_get(parts, 1), "flag", "true", cf);
    assert_logistic_part(json_array_get(parts, 2), "c", "16", cc);
    assert_logistic_part(json_array_get(parts, 3), "a", "3", ca);
    assert_logistic_part(json_array_get(parts, 4), "n", "5", cn);
    json_decref(parts);
    /* the same inputs with non-integral values */
    given_t n0 = {"count(complaint, 30d)", 0};
    v = eval_with(r, "score", "{\"a\": 0.5, \"b\": 0.25, \"c\": 2.25, \"flag\": false}", &n0, 1,
                  NULL);
    z = -1.25 + 0.9 * log(1.5) - 1.5 * log(0.25) + 0.4 * 1.5 + 0 + 0;
    assert_value_close(v, logistic(z), 1e-12);
    rw_rules_free(r);
    folder_free(&f);
}

static void logistic_null_inputs_use_missing_and_parts_record_the_null(void **state)
{
    (void)state;
    folder_t f;
    rw_rules_t *r = score_rules(&f);
    given_t n0 = {"count(complaint, 30d)", 0};
    json_t *parts = NULL;
    /* no profile at all: a → default 0, b → 0.5, c → 2, flag → 0 */
    rw_value_t v = eval_with(r, "score", NULL, &n0, 1, &parts);
    double z = -1.25 + 0.9 * 0 + -1.5 * 0.5 + 0.4 * 2 + 2 * 0 + 0.1 * 0; /* −1.2 */
    assert_value_close(v, logistic(z), 1e-12);
    assert_value_close(v, 0.231475, 1e-5);
    assert_int_equal(json_array_size(parts), 5);
    assert_logistic_part(json_array_get(parts, 0), "c", "null", 0.8);
    assert_logistic_part(json_array_get(parts, 1), "b", "null", -0.75);
    /* the three zero contributions follow, in some order (models.md orders by size only) */
    static const char *const zero_in[] = {"a", "flag", "n"}, *const zero_val[] = {"null", "null",
                                                                                  "0"};
    for (int k = 0; k < 3; k++) {
        int seen = 0;
        for (size_t i = 2; i < 5; i++) {
            const json_t *p = json_array_get(parts, i);
            if (strcmp(json_string_value(json_object_get(p, "input")), zero_in[k]) != 0) continue;
            assert_logistic_part(p, zero_in[k], zero_val[k], 0);
            seen++;
        }
        assert_int_equal(seen, 1);
    }
    json_decref(parts);
    /* an explicit JSON null in the profile is the same as an absent key */
    rw_value_t w = eval_with(r, "score", "{\"a\": null, \"b\": null, \"c\": null, \"flag\": null}",
                             &n0, 1, NULL);
    assert_value_close(w, v.num, 1e-15);
    rw_rules_free(r);
    folder_free(&f);
}

static void
logistic_input_outside_its_transform_domain_or_not_a_number_counts_as_missing(void **state)
{
    (void)state;
    folder_t f;
    rw_rules_t *r = score_rules(&f);
    given_t n2 = {"count(complaint, 30d)", 2};
    json_t *parts = NULL;
    /* log1p(−1), log(0), sqrt(−4) are outside the domains; "yes" is no number */
    rw_value_t v = eval_with(r, "score", "{\"a\": -1, \"b\": 0, \"c\": -4, \"flag\": \"yes\"}", &n2,
                             1, &parts);
    double z = -1.25 + 0 + -1.5 * 0.5 + 0.4 * 2 + 0 + 0.1 * 2; /* −1.0 */
    assert_value_close(v, logistic(z), 1e-12);
    assert_value_close(v, 0.268941, 1e-5);
    assert_logistic_part(json_array_get(parts, 0), "c", "-4", 0.8);
    assert_logistic_part(json_array_get(parts, 1), "b", "0", -0.75);
    assert_logistic_part(json_array_get(parts, 2), "n", "2", 0.2);
    json_decref(parts);
    /* further outside: log1p(−5), log(−3); strings for every input */
    rw_value_t w = eval_with(r, "score", "{\"a\": -5, \"b\": -3, \"c\": -0.01, \"flag\": \"1\"}",
                             &n2, 1, NULL);
    assert_value_close(w, logistic(z), 1e-12);
    w = eval_with(r, "score", "{\"a\": \"3\", \"b\": \"x\", \"c\": \"16\", \"flag\": \"true\"}",
                  &n2, 1, NULL);
    assert_value_close(w, logistic(z), 1e-12);
    /* just inside the domains: log1p(−0.5), sqrt(0), log(1) */
    w = eval_with(r, "score", "{\"a\": -0.5, \"b\": 1, \"c\": 0}", &n2, 1, NULL);
    assert_value_close(w, logistic(-1.25 + 0.9 * log(0.5) + 0 + 0 + 0 + 0.2), 1e-12);
    rw_rules_free(r);
    folder_free(&f);
}

static void logistic_booleans_count_as_one_and_zero(void **state)
{
    (void)state;
    folder_t f;
    rw_rules_t *r = score_rules(&f);
    given_t n0 = {"count(complaint, 30d)", 0};
    double base = -1.25 - 0.75 + 0.8; /* a, flag, n at 0; b, c missing */
    rw_value_t t = eval_with(r, "score", "{\"flag\": true}", &n0, 1, NULL);
    rw_value_t one = eval_with(r, "score", "{\"flag\": 1}", &n0, 1, NULL);
    rw_value_t fa = eval_with(r, "score", "{\"flag\": false}", &n0, 1, NULL);
    rw_value_t zero = eval_with(r, "score", "{\"flag\": 0}", &n0, 1, NULL);
    assert_value_close(t, logistic(base + 2), 1e-12);
    assert_value_close(one, t.num, 1e-15);
    assert_value_close(fa, logistic(base), 1e-12);
    assert_value_close(zero, fa.num, 1e-15);
    /* a boolean goes through its input's transform as 1 or 0: log1p(1) = ln 2, sqrt(1) = 1 */
    rw_value_t b = eval_with(r, "score", "{\"a\": true, \"c\": true, \"b\": true}", &n0, 1, NULL);
    assert_value_close(b, logistic(-1.25 + 0.9 * log(2) - 1.5 * log(1) + 0.4 * 1), 1e-12);
    /* b = false: log(0) is outside the domain, so b is missing (0.5) */
    b = eval_with(r, "score", "{\"b\": false}", &n0, 1, NULL);
    assert_value_close(b, logistic(base), 1e-12);
    rw_rules_free(r);
    folder_free(&f);
}

static void logistic_extreme_scores_saturate_at_0_and_1_instead_of_null(void **state)
{
    (void)state;
    folder_t f;
    rw_rules_t *r = score_rules(&f);
    given_t big = {"count(complaint, 30d)", 1e5}; /* z ≈ 1e4 */
    assert_value_close(eval_with(r, "score", NULL, &big, 1, NULL), 1, 0);
    given_t neg = {"count(complaint, 30d)", -1e5}; /* z ≈ −1e4 */
    rw_value_t v = eval_with(r, "score", NULL, &neg, 1, NULL);
    assert_int_equal(v.kind, RW_V_NUM);
    assert_true(v.num >= 0 && v.num < 1e-300);
    /* 2 · 1e308 overflows: the largest |contribution| of all, listed first (as null) */
    json_t *parts = NULL;
    given_t one = {"count(complaint, 30d)", 1};
    v = eval_with(r, "score", "{\"flag\": 1e308, \"a\": 1000}", &one, 1, &parts);
    assert_value_close(v, 1, 0);
    assert_string_equal(json_string_value(json_object_get(json_array_get(parts, 0), "input")),
                        "flag");
    assert_true(json_is_null(json_object_get(json_array_get(parts, 0), "contribution")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(parts, 1), "input")), "a");
    json_decref(parts);
    rw_rules_free(r);
    folder_free(&f);
}

static void logistic_shipped_entity_risk_gives_the_worked_examples(void **state)
{
    (void)state;
    folder_t f;
    folder_new(&f, NULL);
    char *models = join(source_dir(), "models");
    rw_rules_t *r = load_ok(f.rules, models);
    /* rules/tests/risk.yaml: two penalties, one failed sampling, on the abnormal list,
     * then 0…3 complaints in 90 days: z = −4 + 0.9·ln(1+c) + 1.2·1 + 0.8·2 + 1.5 */
    static const double want[] = {0.574443, 0.715822, 0.783936, 0.824576};
    for (int c = 0; c <= 3; c++) {
        given_t g[] = {{"count(complaint, 90d)", c},
                       {"count(sampling_fail, 365d)", 1},
                       {"count(penalty, 365d)", 2}};
        rw_value_t v = eval_with(r, "entity-risk", "{\"abnormal_list\": true}", g, 3, NULL);
        assert_value_close(v, logistic(-4 + 0.9 * log1p(c) + 1.2 + 1.6 + 1.5), 1e-12);
        assert_value_close(v, want[c], 1e-5);
    }
    /* not on the list, no penalties, 3 complaints and one failure: z = −1.552 → 0.175 */
    given_t g[] = {{"count(complaint, 90d)", 3},
                   {"count(sampling_fail, 365d)", 1},
                   {"count(penalty, 365d)", 0}};
    rw_value_t v = eval_with(r, "entity-risk", "{\"abnormal_list\": false}", g, 3, NULL);
    assert_value_close(v, logistic(-4 + 0.9 * log(4) + 1.2), 1e-12);
    assert_value_close(v, 0.174749, 1e-5);
    rw_rules_free(r);
    free(models);
    folder_free(&f);
}

/* ---- poisson_surge ------------------------------------------------------------------- */

/* λ is the baseline itself: (b + 0·0) / (1 + 0) · 1. */
static const char *const RATE = "model: rate\n"
                                "kind: poisson_surge\n"
                                "observed: 'profile.k'\n"
                                "baseline: 'profile.lambda'\n"
                                "observed_days: 1\n"
                                "baseline_days: 1\n"
                                "prior_rate: 0\n"
                                "prior_days: 0\n";

static rw_value_t rate(const rw_rules_t *r, double k, double lambda, json_t **parts)
{
    char prof[128];
    snprintf(prof, sizeof prof, "{\"k\": %.17g, \"lambda\": %.17g}", k, lambda);
    return eval_profile(r, "rate", prof, parts);
}

static void poisson_tail_matches_term_by_term_sums_and_published_tables(void **state)
{
    (void)state;
    folder_t f;
    folder_new(&f, NULL);
    write_file(f.models, "rate.yaml", RATE);
    rw_rules_t *r = load_ok(f.rules, f.models);
    static const struct {
        double k, lambda;
    } pts[] = {{1, 0.5}, {1, 1},  {2, 1},   {3, 1},   {5, 2},   {9, 5},
               {16, 10}, {1, 30}, {40, 30}, {60, 30}, {3, 1e-3}};
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++)
        assert_value_close(rate(r, pts[i].k, pts[i].lambda, NULL),
                           poisson_upper(pts[i].k, pts[i].lambda), 1e-9);
    /* closed forms: P(X ≥ 1) = 1 − e^−λ; P(X ≥ 3 | λ=1) = 1 − 2.5/e */
    assert_value_close(rate(r, 1, 1, NULL), 1 - exp(-1), 1e-12);
    assert_value_close(rate(r, 3, 1, NULL), 1 - 2.5 * exp(-1), 1e-12);
    /* cumulative Poisson table (Walpole, Myers, Myers & Ye, Table A.2):
     * P(X ≤ 4 | 2) = 0.9473, P(X ≤ 8 | 5) = 0.9319, P(X ≤ 15 | 10) = 0.9513 */
    assert_close(1 - rate(r, 5, 2, NULL).num, 0.9473, 1e-4);
    assert_close(1 - rate(r, 9, 5, NULL).num, 0.9319, 1e-4);
    assert_close(1 - rate(r, 16, 10, NULL).num, 0.9513, 1e-4);
    /* parts: observed as recorded and λ */
    json_t *parts = NULL;
    rw_value_t v = rate(r, 4, 2.5, &parts);
    assert_value_close(v, poisson_upper(4, 2.5), 1e-9);
    assert_int_equal(json_array_size(parts), 1);
    static const char *const keys[] = {"observed", "lambda", NULL};
    assert_keys(json_array_get(parts, 0), keys);
    assert_close(num_of(json_array_get(parts, 0), "observed"), 4, 0);
    assert_close(num_of(json_array_get(parts, 0), "lambda"), 2.5, 1e-15);
    json_decref(parts);
    rw_rules_free(r);
    folder_free(&f);
}

static void poisson_observed_zero_or_below_gives_1_and_fractions_round_up(void **state)
{
    (void)state;
    folder_t f;
    folder_new(&f, NULL);
    write_file(f.models, "rate.yaml", RATE);
    rw_rules_t *r = load_ok(f.rules, f.models);
    assert_value_close(rate(r, 0, 3, NULL), 1, 0);
    assert_value_close(rate(r, -2, 3, NULL), 1, 0);
    assert_value_close(rate(r, -0.5, 3, NULL), 1, 0); /* ceil(−0.5) = 0 */
    /* k = ceil(observed): 2.2 counts as 3, 0.1 as 1 */
    assert_value_close(rate(r, 2.2, 1.5, NULL), poisson_upper(3, 1.5), 1e-9);
    assert_value_close(rate(r, 0.1, 1.5, NULL), 1 - exp(-1.5), 1e-12);
    /* far out in the tail the value is tiny but still a number */
    assert_value_close(rate(r, 30, 1, NULL), poisson_upper(30, 1), 1e-6);
    /* counts past GSL's unsigned k still follow λ: P(X ≥ k) as the regularised gamma */
    assert_value_close(rate(r, 4294967297.0, 1e12, NULL), 1, 1e-12);
    assert_value_close(rate(r, 5e9, 5e9, NULL), 0.5, 1e-3);
    assert_value_close(rate(r, 5e9, 1, NULL), 0, 0);
    rw_rules_free(r);
    folder_free(&f);
}

static void poisson_null_inputs_or_non_positive_lambda_give_null(void **state)
{
    (void)state;
    folder_t f;
    folder_new(&f, NULL);
    write_file(f.models, "rate.yaml", RATE);
    rw_rules_t *r = load_ok(f.rules, f.models);
    json_t *parts = NULL;
    assert_value_null(eval_profile(r, "rate", "{\"lambda\": 2}", &parts));
    assert_true(json_is_null(json_object_get(json_array_get(parts, 0), "observed")));
    json_decref(parts);
    assert_value_null(eval_profile(r, "rate", "{\"k\": 2}", &parts));
    assert_true(json_is_null(json_object_get(json_array_get(parts, 0), "lambda")));
    json_decref(parts);
    assert_value_null(eval_profile(r, "rate", "{\"k\": \"2\", \"lambda\": 2}", NULL));
    /* λ = 0 (no baseline, no prior) and λ < 0 */
    assert_value_null(rate(r, 2, 0, NULL));
    assert_value_null(rate(r, 0, 0, NULL));
    assert_value_null(rate(r, 2, -1, NULL));
    rw_rules_free(r);
    folder_free(&f);
}

static void
poisson_shipped_complaint_surge_takes_lambda_from_the_prior_without_history(void **state)
{
    (void)state;
    folder_t f;
    folder_new(&f, NULL);
    char *models = join(source_dir(), "models");
    rw_rules_t *r = load_ok(f.rules, models);
    double lambda0 = (0 + 0.02 * 30) / (358.0 + 30) * 7; /* 0.010825 */
    json_t *parts = NULL;
    for (int k = 0; k <= 4; k++) {
        given_t g[] = {{"count(complaint, 7d)", k}, {"count(complaint, 365d)", k}}; /* baseline 0 */
        rw_value_t v = eval_with(r, "complaint-surge", NULL, g, 2, &parts);
        assert_value_close(v, poisson_upper(k, lambda0), 1e-9);
        assert_close(num_of(json_array_get(parts, 0), "lambda"), lambda0, 1e-12);
        assert_close(num_of(json_array_get(parts, 0), "observed"), k, 0);
        json_decref(parts);
    }
    /* rules/tests/risk.yaml: P(X ≥ 3) = 2.1e-7, P(X ≥ 4) = 5.7e-10 */
    given_t g3[] = {{"count(complaint, 7d)", 3}, {"count(complaint, 365d)", 3}};
    assert_value_close(eval_with(r, "complaint-surge", NULL, g3, 2, NULL), 2.0969e-7, 1e-4);
    given_t g4[] = {{"count(complaint, 7d)", 4}, {"count(complaint, 365d)", 4}};
    assert_value_close(eval_with(r, "complaint-surge", NULL, g4, 2, NULL), 5.6715e-10, 1e-4);
    /* with 20 complaints the year before: λ = 20.6/388·7 = 0.3716, P(X ≥ 3) = 0.00649 */
    given_t h[] = {{"count(complaint, 7d)", 3}, {"count(complaint, 365d)", 23}};
    rw_value_t v = eval_with(r, "complaint-surge", NULL, h, 2, NULL);
    assert_value_close(v, poisson_upper(3, 20.6 / 388 * 7), 1e-9);
    assert_value_close(v, 0.0064915, 1e-4);
    rw_rules_free(r);
    free(models);
    folder_free(&f);
}

/* ---- beta_binomial ------------------------------------------------------------------- */

static const char *const COIN = "model: coin\n"
                                "kind: beta_binomial\n"
                                "failures: 'profile.f'\n"
                                "trials: 'profile.n'\n"
                                "prior_alpha: 1\n"
                                "prior_beta: 1\n"
                                "threshold: 0.5\n";

static rw_value_t fn_eval(const rw_rules_t *r, const char *name, double fails, double n,
                          json_t **parts)
{
    char prof[128];
    snprintf(prof, sizeof prof, "{\"f\": %.17g, \"n\": %.17g}", fails, n);
    return eval_profile(r, name, prof, parts);
}

static rw_value_t sampling_risk(const rw_rules_t *r, double fails, double n, json_t **parts)
{
    given_t g[] = {{"count(sampling_fail, 365d)", fails}, {"count(sampling, 365d)", n}};
    return eval_with(r, "sampling-risk", NULL, g, 2, parts);
}

static void beta_binomial_matches_the_binomial_identity_and_tables(void **state)
{
    (void)state;
    folder_t f;
    folder_new(&f, NULL);
    write_file(f.models, "coin.yaml", COIN);
    char *models = join(source_dir(), "models");
    rw_rules_t *r = load_ok(f.rules, f.models);
    /* Beta(1 + f, 1 + n − f) above 0.5 */
    static const int pts[][2] = {{0, 0}, {0, 4}, {1, 1}, {3, 9}, {5, 12}, {10, 10}, {2, 30}};
    for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++) {
        int fa = pts[i][0], n = pts[i][1];
        assert_value_close(fn_eval(r, "coin", fa, n, NULL), 1 - beta_cdf(1 + fa, 1 + n - fa, 0.5),
                           1e-9);
    }
    /* Beta(4, 7) above 0.5 = P(Bin(10, 0.5) ≤ 3) = 176/1024; binomial table
     * (Walpole et al., Table A.1): 0.1719 */
    rw_value_t v = fn_eval(r, "coin", 3, 9, NULL);
    assert_value_close(v, 176.0 / 1024, 1e-12);
    assert_close(v.num, 0.1719, 1e-3);
    /* the uniform prior with no trials: P(θ > 0.5) = 0.5 */
    assert_value_close(fn_eval(r, "coin", 0, 0, NULL), 0.5, 1e-12);
    rw_rules_free(r);
    /* shipped sampling-risk: Beta(1 + f, 19 + n − f) above 0.1 */
    r = load_ok(f.rules, models);
    static const int sp[][2] = {{0, 1}, {1, 5}, {2, 5}, {1, 20}, {3, 40}, {6, 30}};
    for (size_t i = 0; i < sizeof sp / sizeof sp[0]; i++) {
        int fa = sp[i][0], n = sp[i][1];
        assert_value_close(sampling_risk(r, fa, n, NULL), 1 - beta_cdf(1 + fa, 19 + n - fa, 0.1),
                           1e-9);
    }
    json_t *parts = NULL;
    v = sampling_risk(r, 2, 5, &parts);
    static const char *const keys[] = {"failures", "trials", "posterior_mean", NULL};
    assert_int_equal(json_array_size(parts), 1);
    assert_keys(json_array_get(parts, 0), keys);
    assert_close(num_of(json_array_get(parts, 0), "failures"), 2, 0);
    assert_close(num_of(json_array_get(parts, 0), "trials"), 5, 0);
    assert_close(num_of(json_array_get(parts, 0), "posterior_mean"), 3.0 / 25,
                 1e-12); /* (1+2)/(1+19+5) */
    json_decref(parts);
    rw_rules_free(r);
    free(models);
    folder_free(&f);
}

static void beta_binomial_f_equal_n_and_no_trials_follow_the_prior(void **state)
{
    (void)state;
    folder_t f;
    folder_new(&f, NULL);
    char *models = join(source_dir(), "models");
    rw_rules_t *r = load_ok(f.rules, models);
    /* no trials: the prior Beta(1, 19) alone, P(θ > 0.1) = 0.9^19 = 0.1351 */
    assert_value_close(sampling_risk(r, 0, 0, NULL), pow(0.9, 19), 1e-12);
    /* f = n = 1…4 (rules/tests/risk.yaml: 0.392, 0.648, 0.828, 0.927) */
    static const double want[] = {0.391747, 0.648409, 0.828072, 0.926887};
    for (int k = 1; k <= 4; k++) {
        rw_value_t v = sampling_risk(r, k, k, NULL);
        assert_value_close(v, 1 - beta_cdf(1 + k, 19, 0.1), 1e-9);
        assert_value_close(v, want[k - 1], 1e-5);
    }
    json_t *parts = NULL;
    sampling_risk(r, 4, 4, &parts);
    assert_close(num_of(json_array_get(parts, 0), "posterior_mean"), 5.0 / 24, 1e-12);
    json_decref(parts);
    rw_rules_free(r);
    free(models);
    folder_free(&f);
}

static void beta_binomial_impossible_null_or_overflowing_counts_give_null(void **state)
{
    (void)state;
    folder_t f;
    folder_new(&f, NULL);
    write_file(f.models, "coin.yaml", COIN);
    rw_rules_t *r = load_ok(f.rules, f.models);
    json_t *parts = NULL;
    assert_value_null(fn_eval(r, "coin", 3, 2, &parts)); /* n < f */
    static const char *const keys[] = {"failures", "trials", "posterior_mean", NULL};
    assert_keys(json_array_get(parts, 0), keys);
    json_decref(parts);
    assert_value_null(fn_eval(r, "coin", -1, 2, NULL)); /* f < 0 */
    assert_value_null(eval_profile(r, "coin", "{\"n\": 2}", NULL));
    assert_value_null(eval_profile(r, "coin", "{\"f\": 1}", NULL));
    assert_value_null(eval_profile(r, "coin", "{\"f\": \"1\", \"n\": 2}", NULL));
    /* Beta(1e300, 1): GSL gives up (an error, handler off) and the value is null */
    assert_value_null(fn_eval(r, "coin", 1e300, 1e300, NULL));
    rw_rules_free(r);
    /* a subnormal prior: GSL overflows in exp() while the call still returns 0 */
    write_file(f.models, "coin.yaml",
               "model: coin\nkind: beta_binomial\nfailures: 'profile.f'\ntrials: 'profile.n'\n"
               "prior_alpha: 1e-320\nprior_beta: 19\nthreshold: 0.1\n");
    r = load_ok(f.rules, f.models);
    assert_value_null(fn_eval(r, "coin", 0, 1, NULL));
    rw_rules_free(r);
    folder_free(&f);
}

/* ---- ewma ---------------------------------------------------------------------------- */

static const char *const REV = "model: rev\n"
                               "kind: ewma\n"
                               "on: tax_return\n"
                               "value: 'attrs.revenue'\n"
                               "alpha: 0.3\n"
                               "min_samples: 6\n";

/* Feeds `m` a tax_return whose revenue is the JSON text `revenue` (NULL: no attrs),
 * then returns the model's value, with its parts when asked. */
static rw_value_t feed(const rw_model_t *m, rw_ewma_t *st, const char *revenue, json_t **parts)
{
    char buf[256];
    snprintf(buf, sizeof buf,
             "{\"id\":\"t\",\"type\":\"tax_return\",\"entity\":\"E\",\"time\":\"2026-01-15T09:00:"
             "00+08:00\"%s%s%s}",
             revenue ? ",\"attrs\":{\"revenue\":" : "", revenue ? revenue : "", revenue ? "}" : "");
    rw_event_t ev;
    rw_event_error_t err;
    if (rw_event_parse(buf, strlen(buf), NULL, 0, 0, &ev, &err))
        fail_msg("bad event in test: %s", err.reason);
    rw_eval_env_t env = {.ev = &ev};
    rw_ewma_update(m, st, &env);
    rw_value_t v = rw_model_eval(m, &env, st, parts);
    rw_eval_env_reset(&env);
    free(env.scratch);
    rw_event_free(&ev);
    return v;
}

static void assert_ewma_parts(const json_t *parts, double x, double mean, double sd)
{
    static const char *const keys[] = {"x", "mean", "sd", NULL};
    assert_int_equal(json_array_size(parts), 1);
    const json_t *p = json_array_get(parts, 0);
    assert_keys(p, keys);
    assert_close(num_of(p, "x"), x, 1e-15);
    assert_close(num_of(p, "mean"), mean, 1e-12);
    assert_close(num_of(p, "sd"), sd, 1e-12);
}

static void ewma_follows_the_recursion_by_hand(void **state)
{
    (void)state;
    folder_t f;
    folder_new(&f, NULL);
    write_file(f.models, "rev.yaml", REV);
    rw_rules_t *r = load_ok(f.rules, f.models);
    const rw_model_t *m = model(r, "rev");
    rw_ewma_t st = {0};
    json_t *parts = NULL;
    /* no sample yet: null and no parts */
    rw_value_t v = rw_model_eval(m, &(rw_eval_env_t){0}, &st, &parts);
    assert_value_null(v);
    assert_int_equal(json_array_size(parts), 0);
    json_decref(parts);
    /* by hand, alpha 0.3: 100000 → mean 100000, var 0; 110000 → d 10000, mean 103000,
     * var 0.7·(0 + 0.3·1e8) = 2.1e7; 90000 → d −13000, mean 99100,
     * var 0.7·(2.1e7 + 0.3·1.69e8) = 5.019e7; 105000 → mean 100870, var 4.24431e7 */
    static const double xs[] = {100000, 110000, 90000, 105000, 95000, 100000, 10000, 120000, 99000};
    static const double mean_before[] = {0, 100000, 103000, 99100, 100870};
    static const double var_before[] = {0, 0, 2.1e7, 5.019e7, 4.24431e7};
    ref_ewma_t ref = {0};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        char num[32];
        snprintf(num, sizeof num, "%.17g", xs[i]);
        double ref_mean = ref.mean, ref_sd = sqrt(ref.var), z = 0;
        int has_z = ref_ewma_step(&ref, 0.3, 6, xs[i], &z);
        if (i < 5) {
            assert_close(ref_mean, mean_before[i], 1e-12);
            assert_close(ref_sd, sqrt(var_before[i]), 1e-12);
        }
        v = feed(m, &st, num, &parts);
        assert_ewma_parts(parts, xs[i], ref_mean, ref_sd);
        json_decref(parts);
        if (has_z)
            assert_value_close(v, z, 1e-12);
        else
            assert_value_null(v); /* the first six: n < min_samples */
        assert_int_equal(has_z, i >= 6);
    }
    rw_rules_free(r);
    folder_free(&f);
}

static void ewma_seventh_collapsing_return_scores_minus_17_5(void **state)
{
    (void)state;
    folder_t f;
    folder_new(&f, NULL);
    char *models = join(source_dir(), "models");
    rw_rules_t *r = load_ok(f.rules, models);
    const rw_model_t *m = model(r, "revenue-shift");
    rw_ewma_t st = {0};
    static const char *const xs[] = {"100000", "110000", "90000", "105000", "95000", "100000"};
    for (size_t i = 0; i < 6; i++)
        assert_value_null(feed(m, &st, xs[i], NULL));
    json_t *parts = NULL;
    /* rules/tests/risk.yaml: mean 99376.3, var 26028998.31, z = (10000 − 99376.3)/5101.86 */
    rw_value_t v = feed(m, &st, "10000", &parts);
    assert_value_close(v, (10000 - 99376.3) / sqrt(26028998.31), 1e-9);
    assert_value_close(v, -17.5184, 1e-5);
    assert_ewma_parts(parts, 10000, 99376.3, sqrt(26028998.31));
    json_decref(parts);
    rw_rules_free(r);
    free(models);
    folder_free(&f);
}

static void ewma_is_null_while_the_variance_is_zero(void **state)
{
    (void)state;
    folder_t f;
    folder_new(&f, NULL);
    write_file(f.models, "flat.yaml",
               "model: flat\nkind: ewma\non: tax_return\nvalue: 'attrs.revenue'\nalpha: "
               "0.5\nmin_samples: 2\n");
    rw_rules_t *r = load_ok(f.rules, f.models);
    const rw_model_t *m = model(r, "flat");
    rw_ewma_t st = {0};
    json_t *parts = NULL;
    /* a constant series keeps var 0: never a z, though n passes min_samples */
    for (int i = 0; i < 5; i++)
        assert_value_null(feed(m, &st, "500", NULL));
    /* the first change is scored against var 0 too: null, with sd 0 in the parts */
    assert_value_null(feed(m, &st, "600", &parts));
    assert_ewma_parts(parts, 600, 500, 0);
    json_decref(parts);
    /* now mean 550, var 0.5·(0 + 0.5·100²) = 2500: z = (650 − 550)/50 = 2 */
    assert_value_close(feed(m, &st, "650", &parts), 2, 1e-12);
    assert_ewma_parts(parts, 650, 550, 50);
    json_decref(parts);
    rw_rules_free(r);
    folder_free(&f);
}

static void ewma_with_alpha_1_never_has_a_variance(void **state)
{
    (void)state;
    folder_t f;
    folder_new(&f, NULL);
    write_file(f.models, "last.yaml",
               "model: last\nkind: ewma\non: tax_return\nvalue: 'attrs.revenue'\nalpha: "
               "1\nmin_samples: 1\n");
    rw_rules_t *r = load_ok(f.rules, f.models);
    const rw_model_t *m = model(r, "last");
    rw_ewma_t st = {0};
    static const char *const xs[] = {"1", "5", "-3", "1000"};
    for (size_t i = 0; i < 4; i++)
        assert_value_null(feed(m, &st, xs[i], NULL));
    assert_close(st.mean, 1000, 0); /* the mean is the latest value */
    rw_rules_free(r);
    folder_free(&f);
}

static void ewma_skips_values_that_are_not_numbers(void **state)
{
    (void)state;
    folder_t f;
    folder_new(&f, NULL);
    write_file(f.models, "fast.yaml",
               "model: fast\nkind: ewma\non: tax_return\nvalue: 'attrs.revenue'\nalpha: "
               "0.5\nmin_samples: 2\n");
    rw_rules_t *r = load_ok(f.rules, f.models);
    const rw_model_t *m = model(r, "fast");
    rw_ewma_t st = {0};
    /* before any number, events without one leave the value null */
    assert_value_null(feed(m, &st, NULL, NULL));
    assert_value_null(feed(m, &st, "\"lots\"", NULL));
    assert_value_null(feed(m, &st, "10", NULL));
    assert_value_null(feed(m, &st, "20", NULL)); /* var 0 before */
    /* mean 15, var 0.5·(0.5·100) = 25 */
    rw_value_t z = feed(m, &st, "25", NULL); /* (25 − 15)/5 = 2 */
    assert_value_close(z, 2, 1e-12);
    /* null, a string, a boolean and no attrs change nothing: the value stays the latest z */
    json_t *parts = NULL;
    static const char *const skip[] = {"null", "\"25\"", "true", NULL};
    for (size_t i = 0; i < 4; i++) {
        assert_value_close(feed(m, &st, skip[i], &parts), 2, 1e-12);
        assert_ewma_parts(parts, 25, 15, 5);
        json_decref(parts);
    }
    assert_close(st.n, 3, 0);
    /* the next number continues from mean 20, var 0.5·(25 + 0.5·100) = 37.5 */
    assert_value_close(feed(m, &st, "30", NULL), (30 - 20) / sqrt(37.5), 1e-12);
    /* a value whose square overflows the variance is not fed either: an infinite variance
     * would score every later sample 0, and the series never expires */
    double mean = st.mean, var = st.var;
    assert_value_close(feed(m, &st, "1e160", NULL), (30 - 20) / sqrt(37.5), 1e-12);
    assert_value_close(feed(m, &st, "-1e308", NULL), (30 - 20) / sqrt(37.5), 1e-12);
    assert_close(st.n, 4, 0);
    assert_value_close(feed(m, &st, "1000", NULL), (1000 - mean) / sqrt(var), 1e-12);
    rw_rules_free(r);
    folder_free(&f);
}

/* ---- through the engine: the values in the leads' models[] ------------------------- */

typedef struct {
    folder_t f;
    char *store_dir; /* NULL: the store is in memory */
    rw_rules_t *r;
    rw_store_t *store;
    rw_engine_t *eng;
    json_t *leads; /* every revision emitted */
    size_t mark;   /* leads emitted before the latest event */
} run_t;

static void sink(void *ud, const rw_lead_out_t *lead)
{
    json_array_append_new(((run_t *)ud)->leads, json_loadb(lead->text, lead->len, 0, NULL));
}

/* Rules reading each model in their `if`, firing on every event (`suppress: 0d`). */
#define PROBE(id, on, cond)                                                                        \
    "  - id: " id "\n"                                                                             \
    "    title: 探针 " id "\n"                                                                     \
    "    on: " on "\n"                                                                             \
    "    if: '" cond "'\n"                                                                         \
    "    level: blue\n"                                                                            \
    "    clauses: [\"test-law#1\"]\n"                                                              \
    "    suppress: 0d\n"

static const char *const PROBES =
    "ruleset: probes\n"
    "streams:\n"
    "  sampling_fail: 'type == \"sampling\" and attrs.result == \"fail\"'\n"
    "  big_return: 'type == \"tax_return\" and attrs.revenue >= 1000'\n"
    "rules:\n" PROBE("SCORE", "[complaint, sampling, penalty]", "model(\"entity-risk\") >= 0")
        PROBE("SURGE", "complaint", "model(\"complaint-surge\") <= 1")
            PROBE("RATE", "sampling", "model(\"sampling-risk\") >= 0") PROBE(
                "REVENUE", "tax_return",
                "model(\"revenue-shift\") == null or model(\"revenue-shift\") > -1000000")
                PROBE("BIG", "tax_return", "model(\"big\") == null or model(\"big\") > -1000000")
    /* models read only by the level and the message */
    "  - id: LEVELED\n"
    "    title: 等级由模型决定\n"
    "    on: penalty\n"
    "    if: 'count(penalty, 30d) >= 1'\n"
    "    level:\n"
    "      red: 'model(\"entity-risk\") >= 0.5'\n"
    "      default: blue\n"
    "    message: '抽检 {model(\"sampling-risk\")}，评分 {model(\"entity-risk\")}'\n"
    "    clauses: [\"test-law#1\"]\n"
    "    suppress: 0d\n";

static const char *const BIG =
    "model: big\nkind: ewma\non: big_return\nvalue: 'attrs.revenue'\nalpha: 0.5\nmin_samples: 2\n";

static void run_engine(run_t *x)
{
    char err[256];
    if (rw_store_open(&x->store, x->store_dir, err, sizeof err)) fail_msg("store: %s", err);
    rw_engine_opts_t o = {.store = x->store, .rules = x->r, .sink = sink, .sink_ud = x};
    x->eng = rw_engine_new(&o);
    assert_non_null(x->eng);
}

/* The shipped models plus `big`, copied into the folder's models dir; the store on
 * disk inside the folder when on_disk. */
static void run_open_at(run_t *x, int on_disk)
{
    memset(x, 0, sizeof *x);
    folder_new(&x->f, PROBES);
    const char *src = source_dir();
    static const char *const shipped[] = {"complaint-surge.yaml", "entity-risk.yaml",
                                          "revenue-shift.yaml", "sampling-risk.yaml"};
    for (size_t i = 0; i < 4; i++) {
        rw_buf_t b;
        rw_buf_init(&b);
        rw_buf_printf(&b, "%s/models/%s", src, shipped[i]);
        size_t len;
        char *text = rw_read_file(b.data, &len);
        if (!text) fail_msg("cannot read %s", b.data);
        write_file(x->f.models, shipped[i], text);
        free(text);
        rw_buf_free(&b);
    }
    write_file(x->f.models, "big.yaml", BIG);
    x->r = load_ok(x->f.rules, x->f.models);
    if (on_disk) {
        x->store_dir = join(x->f.root, "store");
        assert_int_equal(mkdir(x->store_dir, 0755), 0);
    }
    x->leads = json_array();
    run_engine(x);
}

static void run_open(run_t *x)
{
    run_open_at(x, 0);
}

/* Commits, stops the engine and closes the store, then opens both again. */
static void run_restart(run_t *x)
{
    char err[256];
    if (rw_engine_commit(x->eng, err, sizeof err)) fail_msg("commit: %s", err);
    rw_engine_free(x->eng);
    rw_store_close(x->store);
    run_engine(x);
}

static void run_close(run_t *x)
{
    rw_engine_free(x->eng);
    rw_store_close(x->store);
    rw_rules_free(x->r);
    json_decref(x->leads);
    free(x->store_dir);
    folder_free(&x->f);
}

/* Sends an event of `entity`; `extra` holds more fields with ' for ". */
static void send(run_t *x, const char *entity, const char *id, const char *type, const char *time,
                 const char *extra)
{
    rw_buf_t b;
    rw_buf_init(&b);
    rw_buf_printf(&b, "{\"id\":\"%s\",\"type\":\"%s\",\"entity\":\"%s\",\"time\":\"%s\"%s", id,
                  type, entity, time, extra ? "," : "");
    size_t from = b.len;
    if (extra) rw_buf_puts(&b, extra);
    for (size_t i = from; i < b.len; i++)
        if (b.data[i] == '\'') b.data[i] = '"';
    rw_buf_putc(&b, '}');
    x->mark = json_array_size(x->leads);
    rw_event_error_t err;
    rw_outcome_t o = rw_engine_process(x->eng, b.data, b.len, NULL, 0, &err);
    if (o != RW_OUT_APPLIED) fail_msg("event %s not applied (%d): %s", id, (int)o, err.reason);
    rw_buf_free(&b);
}

/* The models[] entry of the lead `rule` created on the latest event (NULL: no lead). */
static const json_t *evidence(const run_t *x, const char *rule, const char *model_name)
{
    for (size_t i = x->mark; i < json_array_size(x->leads); i++) {
        const json_t *l = json_array_get(x->leads, i);
        if (strcmp(json_string_value(json_object_get(l, "rule")), rule) != 0) continue;
        const json_t *ms = json_object_get(l, "models");
        assert_int_equal(json_array_size(ms), 1);
        const json_t *m = json_array_get(ms, 0);
        assert_string_equal(json_string_value(json_object_get(m, "model")), model_name);
        assert_true(json_is_array(json_object_get(m, "parts")));
        return m;
    }
    return NULL;
}

static const json_t *must_evidence(const run_t *x, const char *rule, const char *model_name)
{
    const json_t *m = evidence(x, rule, model_name);
    if (!m) fail_msg("no %s lead on the latest event", rule);
    return m;
}

static const json_t *part0(const json_t *m)
{
    return json_array_get(json_object_get(m, "parts"), 0);
}

static void leads_carry_the_entity_risk_score_and_its_parts(void **state)
{
    (void)state;
    run_t x;
    run_open(&x);
    const char *E = "R1";
    send(&x, E, "p1", "penalty", "2026-03-01T09:00:00+08:00",
         "'attrs':{'amount':5000},'profile':{'abnormal_list':true}");
    const json_t *m = must_evidence(&x, "SCORE", "entity-risk");
    assert_close(num_of(m, "value"), logistic(-4 + 0.8 + 1.5), 1e-12);
    send(&x, E, "p2", "penalty", "2026-03-02T09:00:00+08:00", "'attrs':{'amount':8000}");
    send(&x, E, "s1", "sampling", "2026-03-03T09:00:00+08:00", "'attrs':{'result':'fail'}");
    m = must_evidence(&x, "SCORE", "entity-risk");
    assert_close(num_of(m, "value"), logistic(-4 + 1.2 + 1.6 + 1.5), 1e-12); /* 0.574 */
    const json_t *parts = json_object_get(m, "parts");
    assert_int_equal(json_array_size(parts), 4);
    assert_logistic_part(json_array_get(parts, 0), "penalties", "2", 1.6);
    assert_logistic_part(json_array_get(parts, 1), "abnormal", "true", 1.5);
    assert_logistic_part(json_array_get(parts, 2), "sampling_fails", "1", 1.2);
    assert_logistic_part(json_array_get(parts, 3), "complaints_90d", "0", 0);
    send(&x, E, "c1", "complaint", "2026-03-04T09:00:00+08:00", "'attrs':{'category':'food'}");
    send(&x, E, "c2", "complaint", "2026-03-05T09:00:00+08:00", "'attrs':{'category':'food'}");
    send(&x, E, "c3", "complaint", "2026-03-06T09:00:00+08:00", "'attrs':{'category':'food'}");
    m = must_evidence(&x, "SCORE", "entity-risk");
    assert_close(num_of(m, "value"), logistic(-4 + 0.9 * log(4) + 1.2 + 1.6 + 1.5),
                 1e-12); /* 0.825 */
    parts = json_object_get(m, "parts");
    assert_logistic_part(json_array_get(parts, 0), "penalties", "2", 1.6);
    assert_logistic_part(json_array_get(parts, 1), "abnormal", "true", 1.5);
    assert_logistic_part(json_array_get(parts, 2), "complaints_90d", "3", 0.9 * log(4));
    assert_logistic_part(json_array_get(parts, 3), "sampling_fails", "1", 1.2);
    /* on 06-03 the 90d window is 03-06 … 06-03: c1 and c2 have left it, c3 and c4 count */
    send(&x, E, "c4", "complaint", "2026-06-03T09:00:00+08:00", "'attrs':{'category':'food'}");
    m = must_evidence(&x, "SCORE", "entity-risk");
    assert_close(num_of(m, "value"), logistic(-4 + 0.9 * log(3) + 1.2 + 1.6 + 1.5), 1e-12);
    run_close(&x);
}

/* models.md: "every lead that used a model carries its value and the parts" — a model
 * that chose the level or went into the message was used, once each, in source order. */
static void models_read_by_the_level_or_the_message_are_in_the_lead(void **state)
{
    (void)state;
    run_t x;
    run_open(&x);
    send(&x, "R2", "p1", "penalty", "2026-03-01T09:00:00+08:00",
         "'attrs':{'amount':5000},'profile':{'abnormal_list':true}");
    send(&x, "R2", "p2", "penalty", "2026-03-02T09:00:00+08:00", "'attrs':{'amount':8000}");
    const json_t *lead = NULL;
    for (size_t i = x.mark; i < json_array_size(x.leads); i++)
        if (!strcmp(json_string_value(json_object_get(json_array_get(x.leads, i), "rule")),
                    "LEVELED"))
            lead = json_array_get(x.leads, i);
    assert_non_null(lead);
    /* two penalties and the abnormal list: −4 + 1.6 + 1.5 gives 0.29, so blue */
    assert_string_equal(json_string_value(json_object_get(lead, "level")), "blue");
    const json_t *ms = json_object_get(lead, "models");
    assert_int_equal(json_array_size(ms), 2);
    const json_t *risk = json_array_get(ms, 0), *rate = json_array_get(ms, 1);
    assert_string_equal(json_string_value(json_object_get(risk, "model")), "entity-risk");
    assert_close(num_of(risk, "value"), logistic(-4 + 1.6 + 1.5), 1e-12);
    assert_int_equal(json_array_size(json_object_get(risk, "parts")), 4);
    assert_string_equal(json_string_value(json_object_get(rate, "model")), "sampling-risk");
    assert_close(num_of(rate, "value"), pow(0.9, 19), 1e-12); /* no trials: the prior */
    const json_t *ev = json_object_get(lead, "evidence");     /* still the `if`'s calls alone */
    assert_int_equal(json_array_size(ev), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(ev, 0), "expr")),
                        "count(penalty, 30d)");
    run_close(&x);
}

static void leads_carry_the_complaint_surge_p_value_and_lambda(void **state)
{
    (void)state;
    run_t x;
    run_open(&x);
    double lambda0 = 0.6 / 388 * 7;
    static const char *const days[] = {"10", "11", "12", "13"};
    for (int k = 1; k <= 4; k++) {
        char id[8], t[40];
        snprintf(id, sizeof id, "c%d", k);
        snprintf(t, sizeof t, "2026-05-%sT09:00:00+08:00", days[k - 1]);
        send(&x, "S1", id, "complaint", t, "'attrs':{'category':'service'}");
        const json_t *m = must_evidence(&x, "SURGE", "complaint-surge");
        assert_close(num_of(m, "value"), poisson_upper(k, lambda0), 1e-9);
        assert_close(num_of(part0(m), "observed"), k, 0);
        assert_close(num_of(part0(m), "lambda"), lambda0, 1e-12);
    }
    /* another entity with 20 complaints over the previous year, then 3 in one week */
    for (int i = 0; i < 20; i++) {
        char id[8], t[40];
        snprintf(id, sizeof id, "h%02d", i);
        snprintf(t, sizeof t, "2025-%02d-%02dT09:00:00+08:00", 6 + i / 3, 1 + 9 * (i % 3));
        send(&x, "S2", id, "complaint", t, "'attrs':{'category':'service'}");
    }
    send(&x, "S2", "n1", "complaint", "2026-05-10T09:00:00+08:00",
         "'attrs':{'category':'service'}");
    send(&x, "S2", "n2", "complaint", "2026-05-11T09:00:00+08:00",
         "'attrs':{'category':'service'}");
    send(&x, "S2", "n3", "complaint", "2026-05-12T09:00:00+08:00",
         "'attrs':{'category':'service'}");
    const json_t *m = must_evidence(&x, "SURGE", "complaint-surge");
    /* baseline 23 − 3 = 20 (June–December 2025 are inside 365d): λ = 20.6/388·7 */
    double lambda = (20 + 0.6) / 388 * 7;
    assert_close(num_of(part0(m), "lambda"), lambda, 1e-12);
    assert_close(num_of(m, "value"), poisson_upper(3, lambda), 1e-9);
    assert_close(num_of(m, "value"), 0.0064915, 1e-4);
    run_close(&x);
}

static void leads_carry_the_sampling_risk_posterior(void **state)
{
    (void)state;
    run_t x;
    run_open(&x);
    /* pass, pass, fail, fail, fail: f and n counted on each sampling event */
    static const char *const res[] = {"pass", "pass", "fail", "fail", "fail"};
    int fails = 0;
    for (int i = 0; i < 5; i++) {
        char id[8], t[40], extra[64];
        snprintf(id, sizeof id, "s%d", i + 1);
        snprintf(t, sizeof t, "2026-04-0%dT09:00:00+08:00", i + 1);
        snprintf(extra, sizeof extra, "'attrs':{'result':'%s'}", res[i]);
        send(&x, "B1", id, "sampling", t, extra);
        fails += res[i][0] == 'f';
        int n = i + 1;
        const json_t *m = must_evidence(&x, "RATE", "sampling-risk");
        assert_close(num_of(m, "value"), 1 - beta_cdf(1 + fails, 19 + n - fails, 0.1), 1e-9);
        assert_close(num_of(part0(m), "failures"), fails, 0);
        assert_close(num_of(part0(m), "trials"), n, 0);
        assert_close(num_of(part0(m), "posterior_mean"), (1.0 + fails) / (20.0 + n), 1e-12);
    }
    run_close(&x);
}

static void leads_carry_the_revenue_z_and_each_entity_has_its_own_series(void **state)
{
    (void)state;
    run_t x;
    run_open(&x);
    static const double a[] = {100000, 110000, 90000, 105000, 95000, 100000, 10000};
    static const double b[] = {50, 60, 55, 52, 58, 54, 53, 500};
    ref_ewma_t ra = {0}, rb = {0};
    /* the two entities' returns interleaved */
    for (int i = 0; i < 8; i++) {
        for (int e = 0; e < 2; e++) {
            if (e == 0 && i >= 7) continue;
            const double *xs = e ? b : a;
            ref_ewma_t *ref = e ? &rb : &ra;
            char id[8], t[40], extra[64];
            snprintf(id, sizeof id, "%c%d", e ? 'b' : 'a', i + 1);
            snprintf(t, sizeof t, "2026-%02d-15T09:00:00+08:00", i + 1);
            snprintf(extra, sizeof extra, "'attrs':{'revenue':%.17g}", xs[i]);
            double mean = ref->mean, sd = sqrt(ref->var), z = 0;
            int has_z = ref_ewma_step(ref, 0.3, 6, xs[i], &z);
            send(&x, e ? "T2" : "T1", id, "tax_return", t, extra);
            const json_t *m = must_evidence(&x, "REVENUE", "revenue-shift");
            if (has_z)
                assert_close(num_of(m, "value"), z, 1e-9);
            else
                assert_true(json_is_null(json_object_get(m, "value")));
            assert_close(num_of(part0(m), "x"), xs[i], 0);
            assert_close(num_of(part0(m), "mean"), mean, 1e-12);
            assert_close(num_of(part0(m), "sd"), sd, 1e-12);
        }
    }
    /* T1's seventh return: z = −17.52 */
    assert_close(ra.n, 7, 0);
    run_close(&x);
}

static void an_ewma_series_continues_after_a_restart(void **state)
{
    (void)state;
    run_t x;
    run_open_at(&x, 1);
    static const char *const xs[] = {"100000", "110000", "90000", "105000", "95000", "100000"};
    for (int i = 0; i < 6; i++) {
        char id[8], t[40], extra[64];
        snprintf(id, sizeof id, "t%d", i + 1);
        snprintf(t, sizeof t, "2026-%02d-15T09:00:00+08:00", i + 1);
        snprintf(extra, sizeof extra, "'attrs':{'revenue':%s}", xs[i]);
        send(&x, "T1", id, "tax_return", t, extra);
        if (i == 2) run_restart(&x);
    }
    run_restart(&x);
    send(&x, "T1", "t7", "tax_return", "2026-07-15T09:00:00+08:00", "'attrs':{'revenue':10000}");
    const json_t *m = must_evidence(&x, "REVENUE", "revenue-shift");
    assert_close(num_of(m, "value"), (10000 - 99376.3) / sqrt(26028998.31), 1e-9);
    assert_close(num_of(part0(m), "mean"), 99376.3, 1e-12);
    run_close(&x);
}

static void ewma_on_a_filtered_stream_learns_only_from_its_events(void **state)
{
    (void)state;
    run_t x;
    run_open(&x);
    /* big_return: revenue ≥ 1000; the 10 is not in the stream and leaves the series alone */
    static const double xs[] = {2000, 10, 3000, 2500, 10, 4000};
    ref_ewma_t ref = {0};
    double last_z = 0;
    int has_last = 0;
    for (int i = 0; i < 6; i++) {
        char id[8], t[40], extra[64];
        snprintf(id, sizeof id, "r%d", i + 1);
        snprintf(t, sizeof t, "2026-%02d-15T09:00:00+08:00", i + 1);
        snprintf(extra, sizeof extra, "'attrs':{'revenue':%.17g}", xs[i]);
        if (xs[i] >= 1000) {
            double z = 0;
            has_last = ref_ewma_step(&ref, 0.5, 2, xs[i], &z);
            last_z = z;
        }
        send(&x, "T3", id, "tax_return", t, extra);
        const json_t *m = must_evidence(&x, "BIG", "big");
        if (has_last)
            assert_close(num_of(m, "value"), last_z, 1e-12);
        else
            assert_true(json_is_null(json_object_get(m, "value")));
    }
    assert_int_equal(ref.n, 4);
    /* by hand: 2000; 3000 → mean 2500, var 0.5·(0.5·1000²) = 250000; 2500 → z 0, var 125000;
     * 4000 → z = 1500/√125000 = 3√2 */
    assert_true(has_last);
    assert_close(last_z, 3 * sqrt(2), 1e-12);
    run_close(&x);
}

static void the_repository_rules_and_models_load_together(void **state)
{
    (void)state;
    const char *src = source_dir();
    char *rules = join(src, "rules"), *models = join(src, "models");
    rw_rules_t *r = load_ok(rules, models);
    assert_int_equal(r->n_models, 4);
    assert_int_equal(model(r, "entity-risk")->kind, RW_MODEL_LOGISTIC);
    assert_int_equal(model(r, "complaint-surge")->kind, RW_MODEL_POISSON_SURGE);
    assert_int_equal(model(r, "revenue-shift")->kind, RW_MODEL_EWMA);
    assert_int_equal(model(r, "sampling-risk")->kind, RW_MODEL_BETA_BINOMIAL);
    const rw_model_t *m = model(r, "entity-risk");
    assert_int_equal(m->n_inputs, 4);
    assert_string_equal(m->inputs[0].name, "complaints_90d");
    assert_int_equal(m->inputs[0].transform, RW_TF_LOG1P);
    assert_close(m->intercept, -4, 0);
    assert_close(m->inputs[3].weight, 1.5, 0);
    m = model(r, "complaint-surge");
    assert_close(m->prior_rate, 0.02, 0);
    assert_close(m->baseline_days, 358, 0);
    m = model(r, "revenue-shift");
    assert_close(m->alpha, 0.3, 0);
    assert_int_equal(m->min_samples, 6);
    rw_rules_free(r);
    free(rules);
    free(models);
}

/* ---- malformed model files ----------------------------------------------------------- */

/* Loads the folder with model files given as (name, text) pairs ending with NULL;
 * the load must fail. The files are removed again. */
static void refuse(folder_t *f, rw_diags_t *d, const char *const *files)
{
    for (const char *const *p = files; *p; p += 2)
        write_file(f->models, p[0], p[1]);
    rw_diags_init(d);
    rw_rules_t *r = (rw_rules_t *)1;
    int rc = load(f->rules, f->models, &r, d);
    for (const char *const *p = files; *p; p += 2)
        remove_file(f->models, p[0]);
    if (rc != -1) {
        rw_diags_print(d, stderr);
        fail_msg("the load should have failed");
    }
    assert_null(r);
    assert_true(d->errors > 0);
}

/* An error at `file`:line:col whose text contains `words`. */
static void assert_error_at(const rw_diags_t *d, const char *file, int line, int col,
                            const char *words)
{
    for (size_t i = 0; i < d->n; i++) {
        const rw_diag_t *g = &d->items[i];
        size_t fl = strlen(g->file), nl = strlen(file);
        if (g->sev == RW_DIAG_ERROR && fl >= nl && strcmp(g->file + fl - nl, file) == 0 &&
            (fl == nl || g->file[fl - nl - 1] == '/') && g->line == line && g->col == col &&
            strstr(g->msg, words))
            return;
    }
    rw_diags_print(d, stderr);
    fail_msg("no error at %s:%d:%d saying \"%s\"", file, line, col, words);
}

/* The one-file case: exactly one error, at line:col of m.yaml. */
static void refuse_one(folder_t *f, const char *text, int line, int col, const char *words)
{
    const char *files[] = {"m.yaml", text, NULL};
    rw_diags_t d;
    refuse(f, &d, files);
    assert_error_at(&d, "m.yaml", line, col, words);
    if (d.errors != 1) {
        rw_diags_print(&d, stderr);
        fail_msg("%zu errors, want 1", d.errors);
    }
    rw_diags_free(&d);
}

#define LOGISTIC_HEAD                                                                              \
    "model: m\nkind: logistic\ninputs:\n  a: 'count(complaint, 30d)'\n  b: 'profile.b'\n"

static void unknown_kind_is_reported_at_the_kind(void **state)
{
    (void)state;
    folder_t f;
    folder_new(&f, NULL);
    refuse_one(&f, "model: m\nkind: logit\n", 2, 7, "未知的模型类型 \"logit\"");
    refuse_one(&f, "# a comment\nmodel: m\nkind:   surge\nobserved: 'count(complaint, 7d)'\n", 3, 9,
               "surge");
    folder_free(&f);
}

static void missing_keys_are_reported_at_the_model(void **state)
{
    (void)state;
    folder_t f;
    folder_new(&f, NULL);
    /* the model map starts at line 2 (after a comment) */
    refuse_one(&f,
               "# c\nmodel: m\nkind: poisson_surge\nobserved: 'count(complaint, "
               "7d)'\nobserved_days: 7\nbaseline_days: 358\n",
               2, 1, "模型缺少 baseline");
    refuse_one(&f,
               "model: m\nkind: poisson_surge\nobserved: 'count(complaint, 7d)'\nbaseline: "
               "'0'\nobserved_days: 7\n",
               1, 1, "模型缺少 baseline_days");
    refuse_one(&f, LOGISTIC_HEAD "intercept: 0\n", 1, 1, "缺少 weights");
    refuse_one(&f, LOGISTIC_HEAD "weights: {a: 1}\n", 1, 1, "模型缺少 intercept");
    refuse_one(&f, "model: m\nkind: logistic\nintercept: 0\nweights: {}\n", 1, 1, "inputs");
    refuse_one(&f, "model: m\nkind: ewma\nvalue: 'attrs.revenue'\nalpha: 0.3\n", 1, 1, "\"on\"");
    refuse_one(&f, "model: m\nkind: ewma\non: tax_return\nalpha: 0.3\n", 1, 1, "模型缺少 value");
    refuse_one(&f, "model: m\nkind: ewma\non: tax_return\nvalue: 'attrs.revenue'\n", 1, 1,
               "模型缺少 alpha");
    refuse_one(&f,
               "model: m\nkind: beta_binomial\nfailures: 'count(sampling_fail, 365d)'\ntrials: "
               "'count(sampling, 365d)'\n",
               1, 1, "模型缺少 threshold");
    refuse_one(
        &f,
        "model: m\nkind: beta_binomial\nfailures: 'count(sampling_fail, 365d)'\nthreshold: 0.1\n",
        1, 1, "模型缺少 trials");
    refuse_one(&f, "kind: ewma\n", 1, 1, "\"model\"");
    refuse_one(&f, "model: m\n", 1, 1, "\"kind\"");
    folder_free(&f);
}

static void maps_naming_undeclared_inputs_are_reported_at_the_name(void **state)
{
    (void)state;
    folder_t f;
    folder_new(&f, NULL);
    refuse_one(&f, LOGISTIC_HEAD "intercept: 0\nweights: {a: 1, zz: 2, b: 1}\n", 7, 17,
               "zz 不是已声明的输入");
    refuse_one(&f, LOGISTIC_HEAD "intercept: 0\nweights:\n  a: 1\n  b: 2\n  c: 3\n", 10, 3,
               "c 不是已声明的输入");
    refuse_one(&f, LOGISTIC_HEAD "transform: {aa: log}\nintercept: 0\nweights: {a: 1, b: 1}\n", 6,
               13, "aa");
    refuse_one(&f, LOGISTIC_HEAD "missing: {b: 0, q: 1}\nintercept: 0\nweights: {a: 1, b: 1}\n", 6,
               17, "q");
    folder_free(&f);
}

/* An input with no weight loads (model fit may estimate it) but check says it counts 0. */
static void an_input_without_a_weight_is_warned_at_the_input(void **state)
{
    (void)state;
    folder_t f;
    folder_new(&f, NULL);
    write_file(f.models, "m.yaml", LOGISTIC_HEAD "intercept: 0\nweights: {a: 1}\n");
    rw_diags_t d;
    rw_diags_init(&d);
    rw_rules_t *r = NULL;
    assert_int_equal(load(f.rules, f.models, &r, &d), 0);
    int found = 0;
    for (size_t i = 0; i < d.n; i++)
        found |= d.items[i].sev == RW_DIAG_WARNING && d.items[i].line == 5 && d.items[i].col == 3 &&
                 strstr(d.items[i].msg, "输入 b 在 weights 中没有权重");
    if (!found) rw_diags_print(&d, stderr);
    assert_true(found);
    rw_rules_free(r);
    rw_diags_free(&d);
    remove_file(f.models, "m.yaml");
    folder_free(&f);
}

static void alpha_must_lie_in_0_to_1_with_1_allowed(void **state)
{
    (void)state;
    folder_t f;
    folder_new(&f, NULL);
#define EWMA_HEAD "model: m\nkind: ewma\non: tax_return\nvalue: 'attrs.revenue'\n"
    refuse_one(&f, EWMA_HEAD "alpha: 0\n", 5, 8, "alpha 必须在 (0, 1] 之内");
    refuse_one(&f, EWMA_HEAD "alpha: 1.5\n", 5, 8, "alpha 必须在 (0, 1] 之内");
    refuse_one(&f, EWMA_HEAD "alpha: -0.2\nmin_samples: 3\n", 5, 8, "alpha");
    refuse_one(&f, EWMA_HEAD "alpha: 0.5\nmin_samples: 0\n", 6, 14, "min_samples");
    refuse_one(&f, EWMA_HEAD "alpha: 0.5\nmin_samples: 2.5\n", 6, 14, "min_samples");
    /* beyond an int it used to wrap around, giving z from the third sample */
    refuse_one(&f, EWMA_HEAD "alpha: 0.5\nmin_samples: 10000000000\n", 6, 14, "min_samples");
    /* 1 and a tiny positive alpha are fine */
    write_file(f.models, "one.yaml", EWMA_HEAD "alpha: 1\n");
    write_file(f.models, "tiny.yaml",
               "model: tiny\nkind: ewma\non: tax_return\nvalue: 'attrs.revenue'\nalpha: 1e-6\n");
    rw_rules_t *r = load_ok(f.rules, f.models);
    assert_close(model(r, "m")->alpha, 1, 0);
    assert_close(model(r, "tiny")->alpha, 1e-6, 0);
    assert_int_equal(model(r, "tiny")->min_samples, 2); /* the default */
    rw_rules_free(r);
    folder_free(&f);
}

static void non_numeric_values_are_reported_at_the_value(void **state)
{
    (void)state;
    folder_t f;
    folder_new(&f, NULL);
    refuse_one(&f, LOGISTIC_HEAD "intercept: high\nweights: {a: 1, b: 1}\n", 6, 12,
               "intercept 应该是数字");
    refuse_one(&f, LOGISTIC_HEAD "intercept: 0\nweights: {a: '1', b: 1}\n", 7, 14,
               "weights.a 应该是数字");
    refuse_one(&f, LOGISTIC_HEAD "missing: {a: none}\nintercept: 0\nweights: {a: 1, b: 1}\n", 6, 14,
               "missing.a");
    refuse_one(&f, LOGISTIC_HEAD "intercept: .nan\nweights: {a: 1, b: 1}\n", 6, 12,
               "intercept 应该是有限的数字");
    refuse_one(&f, LOGISTIC_HEAD "intercept: -.inf\nweights: {a: 1, b: 1}\n", 6, 12, "有限");
    refuse_one(&f, EWMA_HEAD "alpha: [0.3]\n", 5, 8, "alpha 应该是数字");
    refuse_one(&f,
               "model: m\nkind: poisson_surge\nobserved: 'count(complaint, 7d)'\nbaseline: "
               "'0'\nobserved_days: 7\n"
               "baseline_days: 358\nprior_days: 30d\n",
               7, 13, "prior_days 应该是数字");
    refuse_one(&f,
               "model: m\nkind: beta_binomial\nfailures: 'count(sampling_fail, 365d)'\ntrials: "
               "'count(sampling, 365d)'\n"
               "threshold: ten percent\n",
               5, 12, "threshold 应该是数字");
    folder_free(&f);
}

/* A mistyped --models loads no model: said at load, and the unknown-model error of a rule
 * calling one does not name a folder it did not look in. */
static void a_models_folder_that_does_not_exist_is_warned_about(void **state)
{
    (void)state;
    folder_t f;
    folder_new(&f, NULL);
    char missing[600];
    snprintf(missing, sizeof missing, "%s/modles", f.models);
    rw_diags_t d;
    rw_diags_init(&d);
    rw_rules_t *r = NULL;
    assert_int_equal(load(f.rules, missing, &r, &d), 0);
    assert_int_equal(d.errors, 0);
    int warned = 0;
    for (size_t i = 0; i < d.n; i++)
        warned |= !strcmp(d.items[i].file, missing) && strstr(d.items[i].msg, "模型目录不存在");
    assert_true(warned);
    assert_int_equal(r->n_models, 0);
    rw_rules_free(r);
    rw_diags_free(&d);
    folder_free(&f);
}

/* An input that can never be a number (a comparison, a string) would leave the model null
 * for good; a logistic input may be a boolean (read as 0 or 1). */
static void an_input_that_is_never_a_number_is_an_error(void **state)
{
    (void)state;
    folder_t f;
    folder_new(&f, NULL);
    refuse_one(&f,
               "model: m\nkind: poisson_surge\nobserved: 'count(complaint, 7d) >= 1'\n"
               "baseline: '0'\nobserved_days: 7\nbaseline_days: 358\n",
               3, 11, "observed 的值永远不是数字");
    refuse_one(&f,
               "model: m\nkind: beta_binomial\nfailures: 'count(sampling, 365d)'\n"
               "trials: 'lower(profile.y)'\nthreshold: 0.1\n",
               4, 9, "trials 的值永远不是数字");
    refuse_one(&f, "model: m\nkind: ewma\non: tax_return\nvalue: 'attrs.revenue > 3'\nalpha: 0.3\n",
               4, 8, "value 的值永远不是数字");
    refuse_one(&f,
               "model: m\nkind: logistic\ninputs:\n  a: 'lower(profile.name)'\n"
               "intercept: 0\nweights: {a: 1}\n",
               4, 6, "a 的值永远不是数字或布尔值");
    /* a boolean logistic input and a path of unknown kind load */
    write_file(f.models, "ok.yaml",
               "model: ok\nkind: logistic\ninputs:\n  a: 'profile.listed == true'\n"
               "  b: 'profile.b'\nintercept: 0\nweights: {a: 1, b: 1}\n");
    rw_rules_free(load_ok(f.rules, f.models));
    folder_free(&f);
}

static void unknown_transform_is_reported_at_the_transform(void **state)
{
    (void)state;
    folder_t f;
    folder_new(&f, NULL);
    refuse_one(&f, LOGISTIC_HEAD "transform: {a: exp}\nintercept: 0\nweights: {a: 1, b: 1}\n", 6,
               16, "未知的变换");
    refuse_one(&f,
               LOGISTIC_HEAD "transform: {a: log1p, b: 2}\nintercept: 0\nweights: {a: 1, b: 1}\n",
               6, 26, "未知的变换");
    refuse_one(&f, LOGISTIC_HEAD "transform: log\nintercept: 0\nweights: {a: 1, b: 1}\n", 6, 12,
               "transform");
    folder_free(&f);
}

static void duplicate_model_names_are_reported_in_the_later_file(void **state)
{
    (void)state;
    folder_t f;
    folder_new(&f, NULL);
    const char *files[] = {
        "a.yaml", "model: dup\nkind: beta_binomial\nfailures: '0'\ntrials: '1'\nthreshold: 0.1\n",
        "b.yaml",
        "# second\nmodel:   dup\nkind: ewma\non: tax_return\nvalue: 'attrs.revenue'\nalpha: 0.5\n",
        NULL};
    rw_diags_t d;
    refuse(&f, &d, files);
    assert_error_at(&d, "b.yaml", 2, 10, "模型名 dup 重复");
    assert_int_equal(d.errors, 1);
    rw_diags_free(&d);
    folder_free(&f);
}

static void input_expression_errors_point_inside_the_expression(void **state)
{
    (void)state;
    folder_t f;
    folder_new(&f, NULL);
    /* line 4 is `  a: '…'`: the expression's first character is column 7 */
    refuse_one(&f,
               "model: m\nkind: logistic\ninputs:\n  a: 'count(complaint 30d)'\nintercept: "
               "0\nweights: {a: 1}\n",
               4, 23, "");
    refuse_one(&f,
               "model: m\nkind: logistic\ninputs:\n  a: 'count(complaints, 30d)'\nintercept: "
               "0\nweights: {a: 1}\n",
               4, 13, "complaints");
    refuse_one(&f,
               "model: m\nkind: logistic\ninputs:\n  a: 'attrs.amount + 1'\nintercept: 0\nweights: "
               "{a: 1}\n",
               4, 7, "attrs");
    refuse_one(
        &f,
        "model: m\nkind: logistic\ninputs:\n  a: '1 + params.x'\nintercept: 0\nweights: {a: 1}\n",
        4, 11, "params");
    refuse_one(&f,
               "model: m\nkind: poisson_surge\nobserved: 'count(complaint, 7d) +'\nbaseline: "
               "'0'\nobserved_days: 7\n"
               "baseline_days: 358\n",
               3, 34, "");
    refuse_one(&f,
               "model: m\nkind: beta_binomial\nfailures: 'count(sampling_fail, 365d)'\n"
               "trials: \"count(sampling, 365d) + model(\\\"x\\\")\"\nthreshold: 0.1\n",
               4, 34, "model()");
    refuse_one(
        &f, "model: m\nkind: ewma\non: tax_return\nvalue: 'count(tax_return, 30d)'\nalpha: 0.5\n",
        4, 9, "");
    folder_free(&f);
}

static void ewma_on_an_unknown_stream_is_reported_at_on(void **state)
{
    (void)state;
    folder_t f;
    folder_new(&f, NULL);
    refuse_one(&f, "model: m\nkind: ewma\non: tax_returns\nvalue: 'attrs.revenue'\nalpha: 0.5\n", 3,
               5, "未知的流或事件类型 \"tax_returns\"");
    refuse_one(&f,
               "model: m\nkind: ewma\nvalue: 'attrs.revenue'\nalpha: 0.5\non:   \"big returns\"\n",
               5, 7, "big returns");
    folder_free(&f);
}

static void unknown_keys_and_bad_ranges_are_reported(void **state)
{
    (void)state;
    folder_t f;
    folder_new(&f, NULL);
    refuse_one(&f, LOGISTIC_HEAD "intercept: 0\nweights: {a: 1, b: 1}\nweight: {a: 2}\n", 8, 1,
               "未知的键 \"weight\"");
    refuse_one(&f,
               "model: m\nkind: beta_binomial\nfailures: 'count(sampling_fail, 365d)'\ntrials: "
               "'count(sampling, 365d)'\n"
               "threshold: 1.5\n",
               5, 12, "threshold");
#define POISSON_HEAD                                                                               \
    "model: m\nkind: poisson_surge\nobserved: 'count(complaint, 7d)'\nbaseline: '0'\n"
    refuse_one(&f, POISSON_HEAD "observed_days: 0\nbaseline_days: 358\n", 5, 16,
               "observed_days 须大于 0");
    refuse_one(&f, POISSON_HEAD "observed_days: 7\nbaseline_days: -1\n", 6, 16, "baseline_days");
    refuse_one(&f, POISSON_HEAD "observed_days: 7\nbaseline_days: 358\nprior_rate: -0.1\n", 7, 13,
               "prior_rate");
    refuse_one(&f, POISSON_HEAD "observed_days: 7\nbaseline_days: 358\nprior_days:  -30\n", 7, 14,
               "prior_days");
    /* λ would divide by baseline_days + prior_days = 0 */
    refuse_one(&f, POISSON_HEAD "observed_days: 7\nbaseline_days: 0\nprior_days: 0\n", 6, 16,
               "baseline_days + prior_days 须大于 0");
#define BETA_HEAD                                                                                  \
    "model: m\nkind: beta_binomial\nfailures: 'count(sampling_fail, 365d)'\ntrials: "              \
    "'count(sampling, 365d)'\n"
    refuse_one(&f, BETA_HEAD "threshold: 0.1\nprior_alpha: 0\n", 6, 14,
               "prior_alpha 与 prior_beta 必须大于 0");
    refuse_one(&f, BETA_HEAD "threshold: 0.1\nprior_beta: -19\n", 6, 13,
               "prior_alpha 与 prior_beta 必须大于 0");
    folder_free(&f);
}

static void files_that_are_not_model_maps_are_refused_without_crashing(void **state)
{
    (void)state;
    folder_t f;
    folder_new(&f, NULL);
    refuse_one(&f, "- model: m\n- kind: logistic\n", 1, 1, "映射");
    refuse_one(&f, "", 1, 1, "映射");
    refuse_one(&f, "model: [m]\nkind: logistic\n", 1, 8, "\"model\"");
    refuse_one(&f, "model: m\nkind: logistic\ninputs: [a, b]\nintercept: 0\nweights: {}\n", 3, 9,
               "inputs");
    refuse_one(&f, LOGISTIC_HEAD "intercept: 0\nweights: [1, 2]\n", 7, 10, "weights");
    refuse_one(&f,
               "model: m\nkind: logistic\ninputs:\n  a: {x: 1}\nintercept: 0\nweights: {a: 1}\n", 4,
               6, "表达式");
    rw_diags_t d;
    const char *files[] = {"m.yaml", "model: m\nkind: [logistic\n", NULL};
    refuse(&f, &d, files); /* not YAML at all */
    rw_diags_free(&d);
    folder_free(&f);
}

static void rules_calling_an_unknown_model_are_refused(void **state)
{
    (void)state;
    folder_t f;
    folder_new(&f, "ruleset: rs\nrules:\n" PROBE("R1", "complaint", "model(\"nope\") < 0.5"));
    rw_diags_t d;
    const char *files[] = {"m.yaml", RATE, NULL};
    refuse(&f, &d, files);
    assert_error_at(&d, "rs.yaml", 6, 16, "未知的模型 \"nope\"");
    rw_diags_free(&d);
    folder_free(&f);
}

int main(void)
{
    setenv("REGWATCH_NOW", NOW, 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(logistic_score_is_the_logistic_of_the_weighted_sum_worked_by_hand),
        cmocka_unit_test(logistic_null_inputs_use_missing_and_parts_record_the_null),
        cmocka_unit_test(
            logistic_input_outside_its_transform_domain_or_not_a_number_counts_as_missing),
        cmocka_unit_test(logistic_booleans_count_as_one_and_zero),
        cmocka_unit_test(logistic_extreme_scores_saturate_at_0_and_1_instead_of_null),
        cmocka_unit_test(logistic_shipped_entity_risk_gives_the_worked_examples),
        cmocka_unit_test(poisson_tail_matches_term_by_term_sums_and_published_tables),
        cmocka_unit_test(poisson_observed_zero_or_below_gives_1_and_fractions_round_up),
        cmocka_unit_test(poisson_null_inputs_or_non_positive_lambda_give_null),
        cmocka_unit_test(
            poisson_shipped_complaint_surge_takes_lambda_from_the_prior_without_history),
        cmocka_unit_test(beta_binomial_matches_the_binomial_identity_and_tables),
        cmocka_unit_test(beta_binomial_f_equal_n_and_no_trials_follow_the_prior),
        cmocka_unit_test(beta_binomial_impossible_null_or_overflowing_counts_give_null),
        cmocka_unit_test(ewma_follows_the_recursion_by_hand),
        cmocka_unit_test(ewma_seventh_collapsing_return_scores_minus_17_5),
        cmocka_unit_test(ewma_is_null_while_the_variance_is_zero),
        cmocka_unit_test(ewma_with_alpha_1_never_has_a_variance),
        cmocka_unit_test(ewma_skips_values_that_are_not_numbers),
        cmocka_unit_test(leads_carry_the_entity_risk_score_and_its_parts),
        cmocka_unit_test(models_read_by_the_level_or_the_message_are_in_the_lead),
        cmocka_unit_test(leads_carry_the_complaint_surge_p_value_and_lambda),
        cmocka_unit_test(leads_carry_the_sampling_risk_posterior),
        cmocka_unit_test(leads_carry_the_revenue_z_and_each_entity_has_its_own_series),
        cmocka_unit_test(an_ewma_series_continues_after_a_restart),
        cmocka_unit_test(ewma_on_a_filtered_stream_learns_only_from_its_events),
        cmocka_unit_test(the_repository_rules_and_models_load_together),
        cmocka_unit_test(unknown_kind_is_reported_at_the_kind),
        cmocka_unit_test(missing_keys_are_reported_at_the_model),
        cmocka_unit_test(maps_naming_undeclared_inputs_are_reported_at_the_name),
        cmocka_unit_test(an_input_without_a_weight_is_warned_at_the_input),
        cmocka_unit_test(alpha_must_lie_in_0_to_1_with_1_allowed),
        cmocka_unit_test(non_numeric_values_are_reported_at_the_value),
        cmocka_unit_test(an_input_that_is_never_a_number_is_an_error),
        cmocka_unit_test(a_models_folder_that_does_not_exist_is_warned_about),
        cmocka_unit_test(unknown_transform_is_reported_at_the_transform),
        cmocka_unit_test(duplicate_model_names_are_reported_in_the_later_file),
        cmocka_unit_test(input_expression_errors_point_inside_the_expression),
        cmocka_unit_test(ewma_on_an_unknown_stream_is_reported_at_on),
        cmocka_unit_test(unknown_keys_and_bad_ranges_are_reported),
        cmocka_unit_test(files_that_are_not_model_maps_are_refused_without_crashing),
        cmocka_unit_test(rules_calling_an_unknown_model_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
