/* Tests for modelfit.c (`regwatch model fit`): lead records are generated here from
 * known coefficients, and the fit must recover them within three standard errors; the
 * standard errors, log-likelihood, held-out AUC and the optimum itself are checked
 * against sums written out in the test; too few labels or one class are refused with a
 * message; the held-out split depends on lead ids only; and the written model file
 * loads again with the new weights. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "modelfit.h"
#include "rules.h"
#include "rwtime.h"
#include "util.h"
#include "support.h"

#define P 4 /* intercept + three inputs */

/* ---- a rules folder with the model to fit ------------------------------------------- */

static const char *const CATALOG = "timezone: \"+08:00\"\n"
                                   "types:\n"
                                   "  complaint: {title: 投诉举报, attrs: {category: string}}\n"
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

static const char *const LAW = "# 中华人民共和国测试法\n\n2020年1月1日 公布\n\n<!-- INFO END "
                               "-->\n\n第一条 经营者应当诚信经营。\n";

/* The model before fitting: every weight 0. */
static const char *const SCORE = "# 待拟合的评分卡\n"
                                 "model: score\n"
                                 "kind: logistic\n"
                                 "description: 测试评分\n"
                                 "inputs:\n"
                                 "  complaints: 'count(complaint, 90d)'\n"
                                 "  abnormal: 'profile.abnormal_list == true'\n"
                                 "  amount: 'profile.amount'\n"
                                 "transform: {complaints: log1p}\n"
                                 "missing: {amount: 0.25}\n"
                                 "intercept: 0\n"
                                 "weights: {complaints: 0, abnormal: 0, amount: 0}\n";

static const char *const SURGE =
    "model: surge\nkind: poisson_surge\nobserved: 'count(complaint, 7d)'\nbaseline: '0'\n"
    "observed_days: 7\nbaseline_days: 358\n";

/* The coefficients the leads are generated with. */
static const double TRUE_COEF[P] = {-1.0, 0.8, 1.5, -0.6};

typedef struct {
    char *root, *rules, *models;
    rw_rules_t *r;
    const rw_model_t *m;
} fx_t;

static char *join(const char *a, const char *b)
{
    rw_buf_t p;
    rw_buf_init(&p);
    rw_buf_printf(&p, "%s/%s", a, b);
    return rw_buf_steal(&p);
}

static int64_t today(void)
{
    int64_t d;
    assert_int_equal(rw_date_parse("2026-11-01", &d), 0);
    return d;
}

static rw_rules_t *load_ok(const fx_t *f)
{
    rw_diags_t d;
    rw_diags_init(&d);
    rw_load_opts_t o = {.rules_dir = f->rules, .models_dir = f->models, .today = today()};
    rw_rules_t *r = NULL;
    int rc = rw_rules_load(&r, &o, &d);
    if (rc) rw_diags_print(&d, stderr);
    rw_diags_free(&d);
    assert_int_equal(rc, 0);
    return r;
}

static void fx_open(fx_t *f)
{
    char tmpl[] = "/tmp/rw-modelfit-XXXXXX";
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
    write_file(f->rules, "rs.yaml", "ruleset: rs\n");
    write_file(f->models, "score.yaml", SCORE);
    write_file(f->models, "surge.yaml", SURGE);
    f->r = load_ok(f);
    f->m = &f->r->models[rw_rules_model(f->r, "score")];
}

static void fx_close(fx_t *f)
{
    rw_rules_free(f->r);
    rw_rmtree(f->root);
    free(f->root);
    free(f->rules);
    free(f->models);
}

/* ---- generated leads ---------------------------------------------------------------- */

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double uniform(uint64_t *s)
{
    return (double)(splitmix(s) >> 11) / 9007199254740992.0;
}

static double sigmoid(double z)
{
    return 1 / (1 + exp(-z));
}

/* One labelled lead as the fit should read it. */
typedef struct {
    char id[32];
    double x[P]; /* the feature row: 1, log1p(complaints), abnormal, amount (or missing) */
    int y;
} row_t;

/* The held-out rule of modelfit.h: a deterministic 20 % by lead id (first byte of its
 * SHA-256 divisible by 5). */
static int held_out(const char *id)
{
    unsigned char md[32];
    unsigned int len = 32;
    EVP_Digest(id, strlen(id), md, &len, EVP_sha256(), NULL);
    return md[0] % 5 == 0;
}

/* A lead record with the model's evidence and a disposition (label −1: none). */
static json_t *lead_json(const char *id, int revision, int complaints, int abnormal,
                         const char *amount_json, int label)
{
    json_t *amount = json_loads(amount_json, JSON_DECODE_ANY, NULL);
    assert_non_null(amount);
    json_t *parts =
        json_pack("[{s:s,s:o,s:f},{s:s,s:i,s:f},{s:s,s:b,s:f}]", "input", "amount", "value", amount,
                  "contribution", 0.0, "input", "complaints", "value", complaints, "contribution",
                  0.0, "input", "abnormal", "value", abnormal, "contribution", 0.0);
    json_t *models = json_pack("[{s:s,s:f,s:[]},{s:s,s:f,s:o}]", "model", "entity-risk", "value",
                               0.5, "parts", "model", "score", "value", 0.5, "parts", parts);
    json_t *l = json_pack("{s:s,s:i,s:s,s:o}", "id", id, "revision", revision, "rule", "R-SCORE",
                          "models", models);
    if (label >= 0)
        json_object_set_new(
            l, "disposition",
            json_pack("{s:s,s:s}", "result", label ? "confirmed" : "dismissed", "note", "核查"));
    else
        json_object_set_new(l, "disposition", json_null());
    return l;
}

static void put_line(FILE *f, json_t *l)
{
    char *t = json_dumps(l, JSON_COMPACT);
    fprintf(f, "%s\n", t);
    free(t);
    json_decref(l);
}

typedef struct {
    row_t *rows;
    size_t n;
    size_t n_pos, n_neg, n_test, n_skipped;
} data_t;

/* n leads drawn with TRUE_COEF, written to `path` (in order, or reversed), with noise
 * the fit must see through: stale earlier revisions with the opposite label (before
 * and after the latest one), leads not yet dispositioned, leads without this model's
 * evidence, blank lines. The rows the fit should use go to *d. */
static void generate(const char *path, size_t n, uint64_t seed, int reversed, data_t *d)
{
    memset(d, 0, sizeof *d);
    d->rows = rw_xcalloc(n, sizeof *d->rows);
    json_t *lines = json_array();
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++) {
        row_t *r = &d->rows[d->n++];
        snprintf(r->id, sizeof r->id, "L%020llx",
                 (unsigned long long)(splitmix(&s) & 0xffffffffffffULL));
        int complaints = (int)(uniform(&s) * 16);
        int abnormal = uniform(&s) < 0.3;
        int amount_null = uniform(&s) < 0.1;
        double amount = round((uniform(&s) * 4 - 2) * 1000) / 1000;
        r->x[0] = 1;
        r->x[1] = log1p(complaints);
        r->x[2] = abnormal;
        r->x[3] = amount_null ? 0.25 : amount; /* the model's missing value */
        double z = 0;
        for (int k = 0; k < P; k++)
            z += TRUE_COEF[k] * r->x[k];
        r->y = uniform(&s) < sigmoid(z);
        char amount_json[32];
        if (amount_null)
            strcpy(amount_json, "null");
        else
            snprintf(amount_json, sizeof amount_json, "%.3f", amount);
        if (i % 10 == 3) /* a stale revision before the latest */
            json_array_append_new(lines,
                                  lead_json(r->id, 1, complaints, abnormal, amount_json, !r->y));
        json_array_append_new(lines, lead_json(r->id, 2, complaints, abnormal, amount_json, r->y));
        if (i % 10 == 7) /* a stale revision after it */
            json_array_append_new(lines,
                                  lead_json(r->id, 1, complaints, abnormal, amount_json, !r->y));
        if (r->y)
            d->n_pos++;
        else
            d->n_neg++;
        d->n_test += held_out(r->id);
    }
    /* not dispositioned: ignored */
    for (int i = 0; i < 25; i++) {
        char id[32];
        snprintf(id, sizeof id, "Lnew%03d", i);
        json_array_append_new(lines, lead_json(id, 1, 3, 1, "1", -1));
    }
    /* dispositioned but without this model's evidence: skipped */
    for (int i = 0; i < 15; i++) {
        char id[32];
        snprintf(id, sizeof id, "Lother%03d", i);
        json_array_append_new(lines, json_pack("{s:s,s:i,s:[],s:{s:s}}", "id", id, "revision", 3,
                                               "models", "disposition", "result",
                                               i % 2 ? "confirmed" : "dismissed"));
        d->n_skipped++;
    }
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    size_t m = json_array_size(lines);
    for (size_t i = 0; i < m; i++) {
        put_line(f, json_incref(json_array_get(lines, reversed ? m - 1 - i : i)));
        if (i % 97 == 0) fputc('\n', f);
    }
    fclose(f);
    json_decref(lines);
}

static int fit_file(const rw_model_t *m, const char *path, double l2, rw_fit_t *fit, char *err,
                    size_t errlen)
{
    FILE *in = fopen(path, "r");
    assert_non_null(in);
    int rc = rw_model_fit(m, in, l2, fit, err, errlen);
    fclose(in);
    return rc;
}

/* ---- independent sums --------------------------------------------------------------- */

/* Inverts a P×P matrix by Gauss–Jordan elimination with partial pivoting. */
static void invert(double a[P][P], double inv[P][P])
{
    for (int i = 0; i < P; i++)
        for (int j = 0; j < P; j++)
            inv[i][j] = i == j;
    for (int c = 0; c < P; c++) {
        int piv = c;
        for (int r = c + 1; r < P; r++)
            if (fabs(a[r][c]) > fabs(a[piv][c])) piv = r;
        for (int j = 0; j < P; j++) {
            double t = a[c][j];
            a[c][j] = a[piv][j];
            a[piv][j] = t;
            t = inv[c][j];
            inv[c][j] = inv[piv][j];
            inv[piv][j] = t;
        }
        double d = a[c][c];
        assert_true(fabs(d) > 1e-12);
        for (int j = 0; j < P; j++) {
            a[c][j] /= d;
            inv[c][j] /= d;
        }
        for (int r = 0; r < P; r++) {
            if (r == c) continue;
            double f = a[r][c];
            for (int j = 0; j < P; j++) {
                a[r][j] -= f * a[c][j];
                inv[r][j] -= f * inv[c][j];
            }
        }
    }
}

static double score_of(const double *coef, const double *x)
{
    double z = 0;
    for (int k = 0; k < P; k++)
        z += coef[k] * x[k];
    return z;
}

static void assert_close(double got, double want, double rel)
{
    if (!(fabs(got - want) <= rel * fabs(want) + 1e-300))
        fail_msg("got %.17g, want %.17g (rel. tolerance %g)", got, want, rel);
}

static void fixture_data(fx_t *f, const char *name, size_t n, uint64_t seed, int reversed,
                         data_t *d, char **path)
{
    *path = join(f->root, name);
    generate(*path, n, seed, reversed, d);
}

/* ---- tests -------------------------------------------------------------------------- */

static void fit_recovers_the_generating_coefficients_within_3_standard_errors(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f);
    data_t d;
    char *path;
    fixture_data(&f, "leads.jsonl", 4000, 20261101, 0, &d, &path);
    rw_fit_t fit;
    char err[512] = "";
    int rc = fit_file(f.m, path, 1.0, &fit, err, sizeof err);
    if (rc) fail_msg("fit refused: %s", err);
    assert_int_equal(fit.n_params, P);
    assert_int_equal(fit.n_pos, d.n_pos);
    assert_int_equal(fit.n_neg, d.n_neg);
    assert_int_equal(fit.n_skipped, d.n_skipped);
    assert_int_equal(fit.n_test, d.n_test);
    assert_int_equal(fit.n_train + fit.n_test, d.n);
    assert_true(fit.n_test > d.n / 7 && fit.n_test < d.n / 4); /* about 20 % */
    assert_true(fit.iterations > 1 && fit.iterations <= 100);
    for (int k = 0; k < P; k++) {
        assert_true(fit.se[k] > 0 && fit.se[k] < 0.2);
        if (!(fabs(fit.coef[k] - TRUE_COEF[k]) < 3 * fit.se[k]))
            fail_msg("coefficient %d: %.4f, true %.4f, se %.4f", k, fit.coef[k], TRUE_COEF[k],
                     fit.se[k]);
    }
    rw_fit_free(&fit);
    free(path);
    free(d.rows);
    fx_close(&f);
}

static void standard_errors_loglik_and_auc_match_sums_written_out_here(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f);
    data_t d;
    char *path;
    fixture_data(&f, "leads.jsonl", 1500, 7, 0, &d, &path);
    const double l2 = 2.0;
    rw_fit_t fit;
    char err[512] = "";
    if (fit_file(f.m, path, l2, &fit, err, sizeof err)) fail_msg("fit refused: %s", err);
    /* on the training rows: the penalised score is zero at the optimum, the
     * log-likelihood is Σ y ln p + (1 − y) ln(1 − p), the SEs the roots of the diagonal of
     * (Σ p(1 − p) x xᵀ + l2·I without the intercept)⁻¹ */
    double grad[P] = {0}, info[P][P] = {{0}}, cov[P][P], loglik = 0;
    for (size_t i = 0; i < d.n; i++) {
        const row_t *r = &d.rows[i];
        if (held_out(r->id)) continue;
        double p = sigmoid(score_of(fit.coef, r->x));
        loglik += r->y ? log(p) : log(1 - p);
        for (int a = 0; a < P; a++) {
            grad[a] += r->x[a] * (r->y - p);
            for (int b = 0; b < P; b++)
                info[a][b] += p * (1 - p) * r->x[a] * r->x[b];
        }
    }
    for (int k = 1; k < P; k++) {
        grad[k] -= l2 * fit.coef[k];
        info[k][k] += l2;
    }
    for (int k = 0; k < P; k++)
        if (!(fabs(grad[k]) < 1e-6))
            fail_msg("penalised score %d is %g at the fitted coefficients", k, grad[k]);
    assert_close(fit.loglik, loglik, 1e-9);
    invert(info, cov);
    for (int k = 0; k < P; k++)
        assert_close(fit.se[k], sqrt(cov[k][k]), 1e-6);
    /* held-out AUC: the share of (positive, negative) pairs ranked right, ties half */
    double pairs = 0, right = 0;
    for (size_t i = 0; i < d.n; i++) {
        if (!held_out(d.rows[i].id) || !d.rows[i].y) continue;
        for (size_t j = 0; j < d.n; j++) {
            if (!held_out(d.rows[j].id) || d.rows[j].y) continue;
            double si = score_of(fit.coef, d.rows[i].x), sj = score_of(fit.coef, d.rows[j].x);
            pairs++;
            right += si > sj ? 1 : si == sj ? 0.5 : 0;
        }
    }
    assert_true(pairs > 0);
    assert_close(fit.auc, right / pairs, 1e-12);
    assert_true(fit.auc > 0.6); /* the inputs do carry signal */
    rw_fit_free(&fit);
    free(path);
    free(d.rows);
    fx_close(&f);
}

static void a_larger_penalty_shrinks_the_weights_toward_zero_but_not_the_intercept(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f);
    data_t d;
    char *path;
    fixture_data(&f, "leads.jsonl", 600, 99, 0, &d, &path);
    rw_fit_t a, b;
    char err[512] = "";
    if (fit_file(f.m, path, 0.0, &a, err, sizeof err)) fail_msg("fit refused: %s", err);
    if (fit_file(f.m, path, 1e4, &b, err, sizeof err)) fail_msg("fit refused: %s", err);
    double na = 0, nb = 0;
    for (int k = 1; k < P; k++) {
        na += a.coef[k] * a.coef[k];
        nb += b.coef[k] * b.coef[k];
    }
    assert_true(nb < na / 100);
    /* nearly all weights gone, the intercept is about the log-odds of the training labels */
    size_t pos = 0, n = 0;
    for (size_t i = 0; i < d.n; i++)
        if (!held_out(d.rows[i].id)) pos += d.rows[i].y, n++;
    assert_true(fabs(b.coef[0] - log((double)pos / (double)(n - pos))) < 0.1);
    rw_fit_free(&a);
    rw_fit_free(&b);
    free(path);
    free(d.rows);
    fx_close(&f);
}

static void the_held_out_split_depends_only_on_lead_ids_not_on_file_order(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f);
    data_t d1, d2;
    char *p1, *p2;
    fixture_data(&f, "forward.jsonl", 1200, 4242, 0, &d1, &p1);
    fixture_data(&f, "reversed.jsonl", 1200, 4242, 1, &d2, &p2);
    rw_fit_t a, b, c;
    char err[512] = "";
    if (fit_file(f.m, p1, 1.0, &a, err, sizeof err)) fail_msg("fit refused: %s", err);
    if (fit_file(f.m, p2, 1.0, &b, err, sizeof err)) fail_msg("fit refused: %s", err);
    if (fit_file(f.m, p1, 1.0, &c, err, sizeof err)) fail_msg("fit refused: %s", err);
    assert_int_equal(a.n_test, d1.n_test);
    assert_int_equal(b.n_test, a.n_test);
    assert_int_equal(b.n_train, a.n_train);
    assert_int_equal(b.n_pos, a.n_pos);
    assert_close(b.auc, a.auc, 1e-9);
    assert_close(b.loglik, a.loglik, 1e-9);
    for (int k = 0; k < P; k++) {
        assert_close(b.coef[k], a.coef[k], 1e-9);
        assert_close(b.se[k], a.se[k], 1e-9);
        /* the same file twice: the very same numbers */
        assert_true(c.coef[k] == a.coef[k] && c.se[k] == a.se[k]);
    }
    assert_true(c.auc == a.auc && c.loglik == a.loglik);
    rw_fit_free(&a);
    rw_fit_free(&b);
    rw_fit_free(&c);
    free(p1);
    free(p2);
    free(d1.rows);
    free(d2.rows);
    fx_close(&f);
}

/* Writes `n` labelled leads whose ids are picked so that the held-out ones (by the rule
 * above) are labelled `held_label` and the others `train_label` (−1: alternate). */
static char *leads_by_split(const fx_t *f, const char *name, int n, int train_label, int held_label,
                            int *n_held)
{
    char *path = join(f->root, name);
    FILE *out = fopen(path, "w");
    assert_non_null(out);
    *n_held = 0;
    for (int i = 0; i < n; i++) {
        char id[32];
        snprintf(id, sizeof id, "Lsplit%04d", i);
        int ho = held_out(id);
        int label = ho ? held_label : train_label;
        if (label < 0) label = i % 2;
        *n_held += ho;
        char amount[16];
        snprintf(amount, sizeof amount, "%d", i % 5 - 2);
        put_line(out, lead_json(id, 1, i % 7, i % 3 == 0, amount, label));
    }
    fclose(out);
    return path;
}

static void too_few_labels_are_refused_with_a_message(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f);
    int n_held;
    char *path = leads_by_split(&f, "few.jsonl", 9, -1, -1, &n_held);
    rw_fit_t fit;
    char err[512] = "";
    assert_int_equal(fit_file(f.m, path, 1.0, &fit, err, sizeof err), -1);
    assert_non_null(strstr(err, "太少"));
    assert_non_null(strstr(err, "9 条"));
    assert_null(fit.coef);
    free(path);
    /* plenty of leads, but none carries evidence of this model */
    path = join(f.root, "other.jsonl");
    FILE *out = fopen(path, "w");
    for (int i = 0; i < 40; i++)
        fprintf(out,
                "{\"id\":\"Lo%d\",\"revision\":1,\"models\":[{\"model\":\"entity-risk\",\"value\":"
                "0.5,\"parts\":[]}],"
                "\"disposition\":{\"result\":\"%s\"}}\n",
                i, i % 2 ? "confirmed" : "dismissed");
    fclose(out);
    assert_int_equal(fit_file(f.m, path, 1.0, &fit, err, sizeof err), -1);
    assert_non_null(strstr(err, "太少"));
    assert_non_null(strstr(err, "0 条"));
    free(path);
    fx_close(&f);
}

static void one_class_only_is_refused_with_a_message(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f);
    int n_held;
    char *path = leads_by_split(&f, "pos.jsonl", 50, 1, 1, &n_held);
    rw_fit_t fit;
    char err[512] = "";
    assert_int_equal(fit_file(f.m, path, 1.0, &fit, err, sizeof err), -1);
    assert_non_null(strstr(err, "只有一类标签"));
    assert_non_null(strstr(err, "属实 50 条，不属实 0 条"));
    free(path);
    path = leads_by_split(&f, "neg.jsonl", 50, 0, 0, &n_held);
    assert_int_equal(fit_file(f.m, path, 1.0, &fit, err, sizeof err), -1);
    assert_non_null(strstr(err, "只有一类标签"));
    free(path);
    fx_close(&f);
}

static void one_class_among_the_training_leads_is_refused_too(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f);
    /* every training lead confirmed, only held-out leads dismissed: nothing to fit */
    int n_held;
    char *path = leads_by_split(&f, "split.jsonl", 60, 1, 0, &n_held);
    assert_true(n_held > 0 && n_held < 60);
    rw_fit_t fit;
    char err[512] = "";
    int rc = fit_file(f.m, path, 1.0, &fit, err, sizeof err);
    if (rc == 0)
        fail_msg("fitted anyway: intercept %g (se %g) after %d iterations", fit.coef[0], fit.se[0],
                 fit.iterations);
    if (!strstr(err, "只有一类标签")) fail_msg("refused for another reason: %s", err);
    assert_null(fit.coef);
    free(path);
    fx_close(&f);
}

static void held_out_leads_of_one_class_leave_the_auc_undefined(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f);
    int n_held;
    char *path = leads_by_split(&f, "split.jsonl", 60, -1, 1, &n_held);
    rw_fit_t fit;
    char err[512] = "";
    if (fit_file(f.m, path, 1.0, &fit, err, sizeof err)) fail_msg("fit refused: %s", err);
    assert_int_equal(fit.n_test, (size_t)n_held);
    assert_true(isnan(fit.auc));
    /* the written file says so */
    char *out = join(f.models, "score.yaml");
    assert_int_equal(rw_model_write(f.m, &fit, out, err, sizeof err), 0);
    size_t len;
    char *text = rw_read_file(out, &len);
    assert_non_null(strstr(text, "AUC 无法计算"));
    free(text);
    free(out);
    rw_fit_free(&fit);
    free(path);
    fx_close(&f);
}

static void bad_input_files_and_other_kinds_are_refused_with_a_message(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f);
    char *path = join(f.root, "bad.jsonl");
    FILE *out = fopen(path, "w");
    fprintf(out, "{\"id\":\"L1\",\"revision\":1}\n\n{\"id\": \"L2\", \"revision\": 1\n");
    fclose(out);
    rw_fit_t fit;
    char err[512] = "";
    assert_int_equal(fit_file(f.m, path, 1.0, &fit, err, sizeof err), -1);
    assert_non_null(strstr(err, "第 3 行"));
    out = fopen(path, "w");
    fprintf(out, "[1, 2]\n");
    fclose(out);
    assert_int_equal(fit_file(f.m, path, 1.0, &fit, err, sizeof err), -1);
    assert_non_null(strstr(err, "第 1 行"));
    const rw_model_t *surge = &f.r->models[rw_rules_model(f.r, "surge")];
    assert_int_equal(fit_file(surge, path, 1.0, &fit, err, sizeof err), -1);
    assert_non_null(strstr(err, "只有 logistic 模型可以拟合"));
    assert_non_null(strstr(err, "poisson_surge"));
    /* a penalty that is not a finite number (an infinite one never finished) */
    const double bad_l2[] = {INFINITY, NAN, -1};
    for (size_t i = 0; i < sizeof bad_l2 / sizeof *bad_l2; i++) {
        err[0] = 0;
        assert_int_equal(fit_file(f.m, path, bad_l2[i], &fit, err, sizeof err), -1);
        assert_non_null(strstr(err, "有限的非负数"));
    }
    free(path);
    fx_close(&f);
}

static void a_constant_input_without_penalty_is_refused_as_singular(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f);
    char *path = join(f.root, "const.jsonl");
    FILE *out = fopen(path, "w");
    assert_non_null(out);
    for (int i = 0; i < 80; i++) { /* amount always 0: its column is all zeros */
        char id[16];
        snprintf(id, sizeof id, "Lc%02d", i);
        put_line(out, lead_json(id, 1, i % 6, i % 4 == 0, "0", i % 3 == 0));
    }
    fclose(out);
    rw_fit_t fit;
    char err[512] = "";
    assert_int_equal(fit_file(f.m, path, 0.0, &fit, err, sizeof err), -1);
    assert_non_null(strstr(err, "奇异"));
    assert_non_null(strstr(err, "--l2"));
    assert_null(fit.coef);
    /* with a penalty the same data fit, and the constant input gets no weight */
    if (fit_file(f.m, path, 1.0, &fit, err, sizeof err)) fail_msg("fit refused: %s", err);
    assert_true(fit.coef[3] == 0);
    rw_fit_free(&fit);
    free(path);
    fx_close(&f);
}

static void separable_classes_that_never_converge_are_refused(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f);
    char *path = join(f.root, "separable.jsonl");
    FILE *out = fopen(path, "w");
    assert_non_null(out);
    for (int i = 0; i < 80; i++) { /* confirmed exactly when abnormal: the weight runs off */
        char id[16];
        snprintf(id, sizeof id, "Ls%02d", i);
        put_line(out, lead_json(id, 1, i % 5, i % 2, "10", i % 2));
    }
    fclose(out);
    rw_fit_t fit;
    char err[512] = "";
    assert_int_equal(fit_file(f.m, path, 1e-12, &fit, err, sizeof err), -1);
    assert_non_null(strstr(err, "未收敛"));
    assert_null(fit.coef);
    /* a penalty makes the same data fit */
    if (fit_file(f.m, path, 1.0, &fit, err, sizeof err)) fail_msg("fit refused: %s", err);
    assert_true(fit.iterations >= 1 && fit.iterations < 100);
    rw_fit_free(&fit);
    free(path);
    fx_close(&f);
}

/* Every aggregate is 3. */
static rw_value_t three(rw_eval_env_t *env, int call)
{
    (void)env;
    (void)call;
    return rw_num(3);
}

static void the_written_model_loads_again_with_the_new_weights(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f);
    data_t d;
    char *path;
    fixture_data(&f, "leads.jsonl", 800, 31337, 0, &d, &path);
    rw_fit_t fit;
    char err[512] = "";
    if (fit_file(f.m, path, 1.0, &fit, err, sizeof err)) fail_msg("fit refused: %s", err);
    /* over the model's own file, as `model fit … --out models/score.yaml` does */
    char *out = join(f.models, "score.yaml");
    assert_int_equal(rw_model_write(f.m, &fit, out, err, sizeof err), 0);
    size_t len;
    char *text = rw_read_file(out, &len);
    char line[128];
    snprintf(line, sizeof line, "训练集对数似然 %.4f，留出集 AUC %.4f。", fit.loglik, fit.auc);
    assert_non_null(strstr(text, line));
    snprintf(line, sizeof line, "按 %zu 条已处置线索拟合（属实 %zu，不属实 %zu）", d.n, d.n_pos,
             d.n_neg);
    assert_non_null(strstr(text, line));
    free(text);
    rw_rules_t *r = load_ok(&f);
    const rw_model_t *m = &r->models[rw_rules_model(r, "score")];
    assert_int_equal(m->kind, RW_MODEL_LOGISTIC);
    assert_int_equal(m->n_inputs, 3);
    assert_true(m->intercept == fit.coef[0]); /* numbers are written to round-trip exactly */
    static const char *const names[] = {"complaints", "abnormal", "amount"};
    static const char *const exprs[] = {"count(complaint, 90d)", "profile.abnormal_list == true",
                                        "profile.amount"};
    for (size_t k = 0; k < 3; k++) {
        assert_string_equal(m->inputs[k].name, names[k]);
        assert_string_equal(m->inputs[k].expr, exprs[k]);
        assert_true(m->inputs[k].weight == fit.coef[k + 1]);
        assert_true(m->inputs[k].weight != 0);
    }
    assert_int_equal(m->inputs[0].transform, RW_TF_LOG1P);
    assert_int_equal(m->inputs[1].transform, RW_TF_NONE);
    assert_true(m->inputs[2].missing == 0.25);
    assert_true(m->inputs[0].missing == 0);
    /* the reloaded model scores with the new weights: 3 complaints, on the list, amount null */
    json_t *prof = json_pack("{s:b}", "abnormal_list", 1);
    rw_eval_env_t env = {.profile = prof, .call = three};
    rw_value_t v = rw_model_eval(m, &env, NULL, NULL);
    assert_int_equal(v.kind, RW_V_NUM);
    assert_close(v.num,
                 sigmoid(fit.coef[0] + fit.coef[1] * log(4) + fit.coef[2] + fit.coef[3] * 0.25),
                 1e-12);
    json_decref(prof);
    rw_rules_free(r);
    free(out);
    rw_fit_free(&fit);
    free(path);
    free(d.rows);
    fx_close(&f);
}

static void written_numbers_and_quoted_expressions_survive_a_reload(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f);
    /* names that only read back quoted, too */
    write_file(f.models, "odd.yaml",
               "model: 'odd: v2'\n"
               "kind: logistic\n"
               "inputs:\n"
               "  kind_x: \"profile.kind == 'x' or profile.kind == \\\"y\\\"\"\n"
               "  'big, 365d': 'count(complaint, 365d)'\n"
               "  root: 'profile.area'\n"
               "transform: {'big, 365d': log, root: sqrt}\n"
               "missing: {'big, 365d': -1.5, root: 0.001}\n"
               "intercept: 0\n"
               "weights: {kind_x: 1, 'big, 365d': 1, root: 1}\n");
    rw_rules_t *r = load_ok(&f);
    const rw_model_t *m = &r->models[rw_rules_model(r, "odd: v2")];
    assert_string_equal(m->inputs[0].expr, "profile.kind == 'x' or profile.kind == \"y\"");
    double coef[P] = {1.0 / 3, -1e-20, 123456789.125, 5e30}, se[P] = {1, 1, 1, 1};
    rw_fit_t fit = {.n_params = P,
                    .coef = coef,
                    .se = se,
                    .loglik = -12.5,
                    .auc = 0.75,
                    .n_pos = 7,
                    .n_neg = 5};
    char *out = join(f.models, "odd.yaml");
    char err[512] = "";
    assert_int_equal(rw_model_write(m, &fit, out, err, sizeof err), 0);
    rw_rules_t *r2 = load_ok(&f);
    const rw_model_t *m2 = &r2->models[rw_rules_model(r2, "odd: v2")];
    assert_true(m2->intercept == coef[0]);
    for (size_t k = 0; k < 3; k++) {
        assert_string_equal(m2->inputs[k].name, m->inputs[k].name);
        assert_string_equal(m2->inputs[k].expr, m->inputs[k].expr);
        assert_int_equal(m2->inputs[k].transform, m->inputs[k].transform);
        assert_true(m2->inputs[k].missing == m->inputs[k].missing);
        assert_true(m2->inputs[k].weight == coef[k + 1]);
    }
    /* a folder that does not exist: refused with the path */
    assert_int_equal(rw_model_write(m, &fit, "/nonexistent-rw-dir/odd.yaml", err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent-rw-dir/odd.yaml"));
    rw_rules_free(r2);
    rw_rules_free(r);
    free(out);
    fx_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fit_recovers_the_generating_coefficients_within_3_standard_errors),
        cmocka_unit_test(standard_errors_loglik_and_auc_match_sums_written_out_here),
        cmocka_unit_test(a_larger_penalty_shrinks_the_weights_toward_zero_but_not_the_intercept),
        cmocka_unit_test(the_held_out_split_depends_only_on_lead_ids_not_on_file_order),
        cmocka_unit_test(too_few_labels_are_refused_with_a_message),
        cmocka_unit_test(one_class_only_is_refused_with_a_message),
        cmocka_unit_test(one_class_among_the_training_leads_is_refused_too),
        cmocka_unit_test(held_out_leads_of_one_class_leave_the_auc_undefined),
        cmocka_unit_test(bad_input_files_and_other_kinds_are_refused_with_a_message),
        cmocka_unit_test(a_constant_input_without_penalty_is_refused_as_singular),
        cmocka_unit_test(separable_classes_that_never_converge_are_refused),
        cmocka_unit_test(the_written_model_loads_again_with_the_new_weights),
        cmocka_unit_test(written_numbers_and_quoted_expressions_survive_a_reload),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
