/* model.c — model files and their formulas (models.md) with GSL. */
#include "model.h"

#include "jsonw.h"
#include "util.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* GSL reports an error through its handler (the default one aborts), while the call
 * returns some number: the handler notes it for the calling thread, and gsl_value makes
 * the result of a call that raised one null (models.md). */
static _Thread_local int gsl_failed;

static void note_gsl_error(const char *reason, const char *file, int line, int gsl_errno)
{
    (void)reason;
    (void)file;
    (void)line;
    (void)gsl_errno;
    gsl_failed = 1;
}

void rw_model_init_gsl(void)
{
    gsl_set_error_handler(note_gsl_error);
}

const char *rw_model_kind_name(rw_model_kind_t k)
{
    static const char *const names[] = {"logistic", "poisson_surge", "ewma", "beta_binomial"};
    return names[k];
}

rw_transform_t rw_transform_parse(const char *s)
{
    if (!strcmp(s, "none")) return RW_TF_NONE;
    if (!strcmp(s, "log1p")) return RW_TF_LOG1P;
    if (!strcmp(s, "log")) return RW_TF_LOG;
    if (!strcmp(s, "sqrt")) return RW_TF_SQRT;
    return (rw_transform_t)-1;
}

double rw_transform_apply(rw_transform_t t, double x)
{
    switch (t) {
    case RW_TF_NONE:
        return x;
    case RW_TF_LOG1P:
        return x > -1 ? log1p(x) : NAN;
    case RW_TF_LOG:
        return x > 0 ? log(x) : NAN;
    case RW_TF_SQRT:
        return x >= 0 ? sqrt(x) : NAN;
    }
    return NAN;
}

/* ---- loading ------------------------------------------------------------------------ */

/* The expression at key, compiled; NULL after an error. `uses` are the RW_K_* kinds the
 * model reads from it: one that can never have them would leave the model null for good. */
static rw_prog_t *expr(rw_check_ctx_t *ctx, const rw_ydoc_t *doc, const rw_ynode_t *map,
                       const char *key, rw_ctx_kind_t kind, int uses, rw_diags_t *d)
{
    const rw_ynode_t *n = rw_ymap_get(map, key);
    if (!n || n->kind == RW_Y_NULL) {
        rw_ydiag(d, doc, map, RW_DIAG_ERROR, "模型缺少 %s", key);
        return NULL;
    }
    if (n->kind == RW_Y_SEQ || n->kind == RW_Y_MAP) {
        rw_ydiag(d, doc, n, RW_DIAG_ERROR, "%s 应该是表达式字符串", key);
        return NULL;
    }
    ctx->kind = kind;
    ctx->doc = doc;
    ctx->node = n;
    ctx->base = 0;
    rw_ast_t *a = rw_check_expr(ctx, n->str, n->len);
    if (!a) return NULL;
    if (!(a->kinds & uses)) {
        rw_ydiag(d, doc, n, RW_DIAG_ERROR, "%s 的值永远不是%s：模型将始终为 null", key,
                 uses & RW_K_BOOL ? "数字或布尔值" : "数字");
        rw_ast_free(a);
        return NULL;
    }
    rw_prog_t *p = rw_compile(a);
    rw_ast_free(a);
    return p;
}

/* A numeric key: required, or its default. Returns -1 after an error. */
static int number(const rw_ydoc_t *doc, const rw_ynode_t *map, const char *key, int required,
                  double def, double *out, rw_diags_t *d)
{
    const rw_ynode_t *n = rw_ymap_get(map, key);
    if (!n) {
        if (required) {
            rw_ydiag(d, doc, map, RW_DIAG_ERROR, "模型缺少 %s", key);
            return -1;
        }
        *out = def;
        return 0;
    }
    if (n->kind != RW_Y_NUM || !isfinite(n->num)) {
        if (n->kind == RW_Y_NUM) /* .nan, .inf */
            rw_ydiag(d, doc, n, RW_DIAG_ERROR, "%s 应该是有限的数字", key);
        else
            rw_ydiag(d, doc, n, RW_DIAG_ERROR, "%s 应该是数字，这里是%s", key,
                     rw_ykind_name(n->kind));
        return -1;
    }
    *out = n->num;
    return 0;
}

static int load_logistic(rw_model_t *m, const rw_ydoc_t *doc, rw_check_ctx_t *ctx, rw_diags_t *d)
{
    const rw_ynode_t *root = doc->root, *inputs = rw_ymap_get(root, "inputs");
    int rc = 0;
    if (!inputs || inputs->kind != RW_Y_MAP || inputs->n == 0) {
        rw_ydiag(d, doc, inputs ? inputs : root, RW_DIAG_ERROR,
                 "logistic 模型需要 inputs（名称: '表达式'）");
        return -1;
    }
    if (inputs->n > RW_MODEL_MAX_INPUTS) {
        rw_ydiag(d, doc, inputs, RW_DIAG_ERROR, "logistic 模型最多 %d 个输入", RW_MODEL_MAX_INPUTS);
        return -1;
    }
    m->inputs = rw_xcalloc(inputs->n, sizeof *m->inputs);
    for (size_t i = 0; i < inputs->n; i++) {
        rw_model_input_t *in = &m->inputs[m->n_inputs++];
        in->name = rw_xstrdup(inputs->keys[i]->str);
        in->expr = rw_xstrdup(inputs->items[i]->str ? inputs->items[i]->str : "");
        in->prog = expr(ctx, doc, inputs, in->name, RW_CTX_MODEL, RW_K_NUM | RW_K_BOOL, d);
        if (!in->prog) rc = -1;
    }
    static const char *const maps[] = {"transform", "missing", "weights"};
    for (int k = 0; k < 3; k++) {
        const rw_ynode_t *mp = rw_ymap_get(root, maps[k]);
        if (!mp || mp->kind == RW_Y_NULL) {
            if (k == 2) {
                rw_ydiag(d, doc, root, RW_DIAG_ERROR, "logistic 模型缺少 weights");
                rc = -1;
            }
            continue;
        }
        if (mp->kind != RW_Y_MAP) {
            rw_ydiag(d, doc, mp, RW_DIAG_ERROR, "%s 应该是 输入名: 值 的映射", maps[k]);
            rc = -1;
            continue;
        }
        for (size_t i = 0; i < mp->n; i++) {
            rw_model_input_t *in = NULL;
            for (size_t j = 0; j < m->n_inputs; j++)
                if (!strcmp(m->inputs[j].name, mp->keys[i]->str)) in = &m->inputs[j];
            if (!in) {
                rw_ydiag(d, doc, mp->keys[i], RW_DIAG_ERROR,
                         "%s 中的 %s 不是已声明的输入（inputs）", maps[k], mp->keys[i]->str);
                rc = -1;
                continue;
            }
            const rw_ynode_t *v = mp->items[i];
            if (k == 0) {
                in->transform =
                    v->kind == RW_Y_STR ? rw_transform_parse(v->str) : (rw_transform_t)-1;
                if ((int)in->transform < 0) {
                    rw_ydiag(d, doc, v, RW_DIAG_ERROR, "未知的变换（log1p、log、sqrt、none）");
                    rc = -1;
                }
            } else if (v->kind != RW_Y_NUM || !isfinite(v->num)) {
                rw_ydiag(d, doc, v, RW_DIAG_ERROR, "%s.%s 应该是数字", maps[k], in->name);
                rc = -1;
            } else if (k == 1)
                in->missing = v->num;
            else
                in->weight = v->num;
        }
    }
    /* an input with no weight counts 0: declared, computed, and without effect on the score */
    const rw_ynode_t *w = rw_ymap_get(root, "weights");
    for (size_t i = 0; w && w->kind == RW_Y_MAP && i < m->n_inputs; i++)
        if (!rw_ymap_get(w, m->inputs[i].name))
            rw_ydiag(d, doc, inputs->keys[i], RW_DIAG_WARNING,
                     "输入 %s 在 weights 中没有权重：按 0 计，不影响评分（model fit 可以估计它）",
                     m->inputs[i].name);
    if (number(doc, root, "intercept", 1, 0, &m->intercept, d)) rc = -1;
    return rc;
}

static int load_poisson(rw_model_t *m, const rw_ydoc_t *doc, rw_check_ctx_t *ctx, rw_diags_t *d)
{
    const rw_ynode_t *root = doc->root;
    int rc = 0;
    if (!(m->observed = expr(ctx, doc, root, "observed", RW_CTX_MODEL, RW_K_NUM, d))) rc = -1;
    if (!(m->baseline = expr(ctx, doc, root, "baseline", RW_CTX_MODEL, RW_K_NUM, d))) rc = -1;
    if (number(doc, root, "observed_days", 1, 0, &m->observed_days, d) ||
        number(doc, root, "baseline_days", 1, 0, &m->baseline_days, d) ||
        number(doc, root, "prior_rate", 0, 0.01, &m->prior_rate, d) ||
        number(doc, root, "prior_days", 0, 30, &m->prior_days, d))
        return -1;
    /* at the offending key; λ divides by baseline_days + prior_days */
    const char *bad = m->observed_days <= 0                   ? "observed_days"
                      : m->baseline_days < 0                  ? "baseline_days"
                      : m->prior_rate < 0                     ? "prior_rate"
                      : m->prior_days < 0                     ? "prior_days"
                      : m->baseline_days + m->prior_days <= 0 ? "baseline_days"
                                                              : NULL;
    if (bad) {
        const rw_ynode_t *n = rw_ymap_get(root, bad);
        rw_ydiag(d, doc, n ? n : root, RW_DIAG_ERROR,
                 "observed_days 须大于 0，baseline_days、prior_rate、prior_days 不能为负，且 "
                 "baseline_days + prior_days 须大于 0");
        rc = -1;
    }
    return rc;
}

static int load_ewma(rw_model_t *m, const rw_ydoc_t *doc, rw_check_ctx_t *ctx, rw_diags_t *d)
{
    const rw_ynode_t *root = doc->root;
    int rc = 0;
    const char *on = rw_yget_str(doc, root, "on", 1, d);
    if (!on) return -1;
    m->stream = ctx->stream(ctx->ud, on);
    if (m->stream < 0) {
        rw_ydiag(d, doc, rw_ymap_get(root, "on"), RW_DIAG_ERROR, "未知的流或事件类型 \"%s\"", on);
        rc = -1;
    }
    /* the series value is read on the fed event itself, like a stream filter */
    if (!(m->value = expr(ctx, doc, root, "value", RW_CTX_FILTER, RW_K_NUM, d))) rc = -1;
    if (number(doc, root, "alpha", 1, 0, &m->alpha, d)) return -1;
    if (!(m->alpha > 0 && m->alpha <= 1)) {
        rw_ydiag(d, doc, rw_ymap_get(root, "alpha"), RW_DIAG_ERROR, "alpha 必须在 (0, 1] 之内");
        rc = -1;
    }
    double ms;
    if (number(doc, root, "min_samples", 0, 2, &ms, d)) return -1;
    if (!(ms >= 1 && ms <= INT_MAX) || ms != floor(ms)) { /* (larger ones wrapped as an int) */
        rw_ydiag(d, doc, rw_ymap_get(root, "min_samples"), RW_DIAG_ERROR,
                 "min_samples 应该是 1 到 %d 之间的整数", INT_MAX);
        rc = -1;
    } else
        m->min_samples = (int)ms;
    return rc;
}

static int load_beta(rw_model_t *m, const rw_ydoc_t *doc, rw_check_ctx_t *ctx, rw_diags_t *d)
{
    const rw_ynode_t *root = doc->root;
    int rc = 0;
    if (!(m->failures = expr(ctx, doc, root, "failures", RW_CTX_MODEL, RW_K_NUM, d))) rc = -1;
    if (!(m->trials = expr(ctx, doc, root, "trials", RW_CTX_MODEL, RW_K_NUM, d))) rc = -1;
    if (number(doc, root, "prior_alpha", 0, 1, &m->prior_alpha, d) ||
        number(doc, root, "prior_beta", 0, 1, &m->prior_beta, d) ||
        number(doc, root, "threshold", 1, 0, &m->threshold, d))
        return -1;
    if (m->prior_alpha <= 0 || m->prior_beta <= 0) {
        const rw_ynode_t *n = rw_ymap_get(root, m->prior_alpha <= 0 ? "prior_alpha" : "prior_beta");
        rw_ydiag(d, doc, n ? n : root, RW_DIAG_ERROR, "prior_alpha 与 prior_beta 必须大于 0");
        rc = -1;
    }
    if (!(m->threshold >= 0 && m->threshold <= 1)) {
        rw_ydiag(d, doc, rw_ymap_get(root, "threshold"), RW_DIAG_ERROR,
                 "threshold 必须在 [0, 1] 之内");
        rc = -1;
    }
    return rc;
}

int rw_model_load(rw_model_t *m, const rw_ydoc_t *doc, rw_check_ctx_t *ctx, rw_diags_t *d)
{
    memset(m, 0, sizeof *m);
    m->stream = -1;
    m->file = rw_xstrdup(doc->path);
    const rw_ynode_t *root = doc->root;
    if (!root || root->kind != RW_Y_MAP) {
        rw_ydiag(d, doc, root, RW_DIAG_ERROR, "模型文件应该是包含 model、kind 的映射");
        return -1;
    }
    m->line = root->line;
    const char *name = rw_yget_str(doc, root, "model", 1, d);
    const char *kind = rw_yget_str(doc, root, "kind", 1, d);
    if (!name || !kind) return -1;
    m->name = rw_xstrdup(name);
    static const char *const common[] = {"model", "kind", "description", NULL};
    static const char *const logistic[] = {"model",     "kind",      "description",
                                           "inputs",    "transform", "missing",
                                           "intercept", "weights",   NULL};
    static const char *const poisson[] = {
        "model",         "kind",          "description", "observed",   "baseline",
        "observed_days", "baseline_days", "prior_rate",  "prior_days", NULL};
    static const char *const ewma[] = {"model", "kind",  "description", "on",
                                       "value", "alpha", "min_samples", NULL};
    static const char *const beta[] = {"model",      "kind",      "description",
                                       "failures",   "trials",    "prior_alpha",
                                       "prior_beta", "threshold", NULL};
    const char *const *keys = common;
    int rc;
    if (!strcmp(kind, "logistic")) {
        m->kind = RW_MODEL_LOGISTIC;
        keys = logistic;
        rc = load_logistic(m, doc, ctx, d);
    } else if (!strcmp(kind, "poisson_surge")) {
        m->kind = RW_MODEL_POISSON_SURGE;
        keys = poisson;
        rc = load_poisson(m, doc, ctx, d);
    } else if (!strcmp(kind, "ewma")) {
        m->kind = RW_MODEL_EWMA;
        keys = ewma;
        rc = load_ewma(m, doc, ctx, d);
    } else if (!strcmp(kind, "beta_binomial")) {
        m->kind = RW_MODEL_BETA_BINOMIAL;
        keys = beta;
        rc = load_beta(m, doc, ctx, d);
    } else {
        rw_ydiag(d, doc, rw_ymap_get(root, "kind"), RW_DIAG_ERROR,
                 "未知的模型类型 \"%s\"（logistic、poisson_surge、ewma、beta_binomial）", kind);
        return -1;
    }
    size_t before = d->errors;
    rw_ycheck_keys(doc, root, keys, d);
    return rc || d->errors > before ? -1 : 0;
}

void rw_model_free(rw_model_t *m)
{
    for (size_t i = 0; i < m->n_inputs; i++) {
        free(m->inputs[i].name);
        free(m->inputs[i].expr);
        rw_prog_free(m->inputs[i].prog);
    }
    free(m->inputs);
    rw_prog_free(m->observed);
    rw_prog_free(m->baseline);
    rw_prog_free(m->value);
    rw_prog_free(m->failures);
    rw_prog_free(m->trials);
    free(m->name);
    free(m->file);
    memset(m, 0, sizeof *m);
}

/* ---- evaluation --------------------------------------------------------------------- */

void rw_ewma_update(const rw_model_t *m, rw_ewma_t *st, rw_eval_env_t *env)
{
    rw_value_t v = rw_eval(m->value, env);
    if (v.kind != RW_V_NUM || !isfinite(v.num)) return;
    double x = v.num, sd = sqrt(st->var), dlt = x - st->mean;
    double mean = st->n ? st->mean + m->alpha * dlt : x,
           var = st->n ? (1 - m->alpha) * (st->var + m->alpha * dlt * dlt) : 0;
    /* a value so far out that the mean or variance would overflow is not fed, as a
     * non-number is not: an infinite variance would read every later sample as z = 0, and
     * the series never expires */
    if (!isfinite(mean) || !isfinite(var)) return;
    st->x = x;
    st->mean_before = st->mean;
    st->sd_before = sd;
    st->has_sample = 1;
    st->z_null = !(st->n >= m->min_samples && st->var > 0);
    st->z = st->z_null ? 0 : dlt / sd;
    st->mean = mean;
    st->var = var;
    st->n += 1;
}

static int as_number(rw_value_t v, double *out)
{
    if (v.kind == RW_V_NUM && isfinite(v.num)) {
        *out = v.num;
        return 1;
    }
    if (v.kind == RW_V_BOOL) {
        *out = v.b;
        return 1;
    }
    return 0;
}

static rw_value_t num_or_null(double x)
{
    return isfinite(x) ? rw_num(x) : rw_null();
}

/* The value of a GSL call made since gsl_failed was cleared. */
static rw_value_t gsl_value(double x)
{
    int failed = gsl_failed;
    gsl_failed = 0;
    return failed ? rw_null() : num_or_null(x);
}

/* The order parts are listed in: largest |contribution| first, an overflowed (infinite)
 * one before every finite one though the JSON shows it null, and NaN (0 · ∞) as 0; equal
 * ones keep the order of `inputs` (a stable insertion sort: models have a handful of
 * inputs). */
static double part_weight(const rw_model_parts_t *p, size_t i)
{
    return isnan(p->c[i]) ? 0 : fabs(p->c[i]);
}

static void sort_parts(const rw_model_parts_t *p, size_t *order, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double c = part_weight(p, i);
        size_t j = i;
        while (j > 0 && part_weight(p, order[j - 1]) < c) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
}

static rw_value_t eval_logistic(const rw_model_t *m, rw_eval_env_t *env, rw_model_parts_t *p)
{
    double z = m->intercept;
    for (size_t i = 0; i < m->n_inputs; i++) {
        const rw_model_input_t *in = &m->inputs[i];
        rw_value_t raw = rw_eval(in->prog, env);
        double x, t = NAN;
        if (as_number(raw, &x)) t = rw_transform_apply(in->transform, x);
        if (!isfinite(t)) t = in->missing; /* null, non-numeric or outside the transform's domain */
        double c = in->weight * t;
        z += c;
        if (p) {
            p->v[i] = raw;
            p->c[i] = c;
        }
    }
    return num_or_null(1.0 / (1.0 + exp(-z)));
}

static rw_value_t eval_poisson(const rw_model_t *m, rw_eval_env_t *env, rw_model_parts_t *p)
{
    double obs, base;
    rw_value_t vo = rw_eval(m->observed, env), vb = rw_eval(m->baseline, env);
    int ok =
        as_number(vo, &obs) && vo.kind == RW_V_NUM && as_number(vb, &base) && vb.kind == RW_V_NUM;
    double lambda = ok ? (base + m->prior_rate * m->prior_days) /
                             (m->baseline_days + m->prior_days) * m->observed_days
                       : NAN;
    if (p) {
        p->v[0] = vo;
        p->v[1] = num_or_null(lambda);
    }
    if (!ok || !(lambda > 0)) return rw_null();
    double k = ceil(obs);
    if (k <= 0) return rw_num(1);
    gsl_failed = 0;
    /* GSL's Q(k - 1, λ) is the regularised gamma P(λ; k): past its unsigned k, that */
    if (k - 1 > 4294967295.0) return gsl_value(gsl_cdf_gamma_P(lambda, k, 1.0));
    return gsl_value(gsl_cdf_poisson_Q((unsigned)(k - 1), lambda));
}

static rw_value_t eval_ewma(const rw_ewma_t *st, rw_model_parts_t *p)
{
    if (p && st && st->has_sample) {
        p->v[0] = rw_num(st->x);
        p->v[1] = rw_num(st->mean_before);
        p->v[2] = rw_num(st->sd_before);
        p->has_sample = 1;
    }
    if (!st || !st->has_sample || st->z_null) return rw_null();
    return num_or_null(st->z);
}

static rw_value_t eval_beta(const rw_model_t *m, rw_eval_env_t *env, rw_model_parts_t *p)
{
    double f, n;
    rw_value_t vf = rw_eval(m->failures, env), vn = rw_eval(m->trials, env);
    int ok = vf.kind == RW_V_NUM && vn.kind == RW_V_NUM && as_number(vf, &f) && as_number(vn, &n) &&
             f >= 0 && n >= f;
    double a = ok ? m->prior_alpha + f : NAN, b = ok ? m->prior_beta + n - f : NAN;
    if (p) {
        p->v[0] = vf;
        p->v[1] = vn;
        p->v[2] = num_or_null(a / (a + b));
    }
    if (!ok) return rw_null();
    gsl_failed = 0;
    return gsl_value(gsl_cdf_beta_Q(m->threshold, a, b));
}

rw_value_t rw_model_compute(const rw_model_t *m, rw_eval_env_t *env, const rw_ewma_t *ewma,
                            rw_model_parts_t *p)
{
    if (p) memset(p, 0, sizeof *p);
    switch (m->kind) {
    case RW_MODEL_LOGISTIC:
        return eval_logistic(m, env, p);
    case RW_MODEL_POISSON_SURGE:
        return eval_poisson(m, env, p);
    case RW_MODEL_EWMA:
        return eval_ewma(ewma, p);
    case RW_MODEL_BETA_BINOMIAL:
        return eval_beta(m, env, p);
    }
    return rw_null();
}

/* One part: an object of the named values, in order. */
static void part_text(rw_buf_t *b, const char *const *keys, const rw_value_t *v, size_t n)
{
    rw_buf_putc(b, '{');
    for (size_t i = 0; i < n; i++) {
        rw_buf_puts(b, i ? ",\"" : "\"");
        rw_buf_puts(b, keys[i]);
        rw_buf_puts(b, "\":");
        rw_value_append_json(v[i], b);
    }
    rw_buf_putc(b, '}');
}

void rw_model_parts_text(const rw_model_t *m, const rw_model_parts_t *p, rw_buf_t *b)
{
    rw_buf_putc(b, '[');
    switch (m->kind) {
    case RW_MODEL_LOGISTIC: {
        size_t *order = rw_xcalloc(m->n_inputs + 1, sizeof *order);
        sort_parts(p, order, m->n_inputs);
        for (size_t k = 0; k < m->n_inputs; k++) {
            size_t i = order[k];
            rw_buf_puts(b, k ? ",{\"input\":" : "{\"input\":");
            rw_json_append_cstr(b, m->inputs[i].name);
            rw_buf_puts(b, ",\"value\":");
            rw_value_append_json(p->v[i], b);
            rw_buf_puts(b, ",\"contribution\":");
            rw_value_append_json(num_or_null(p->c[i]), b);
            rw_buf_putc(b, '}');
        }
        free(order);
        break;
    }
    case RW_MODEL_POISSON_SURGE:
        part_text(b, (const char *const[]){"observed", "lambda"}, p->v, 2);
        break;
    case RW_MODEL_EWMA:
        if (p->has_sample) part_text(b, (const char *const[]){"x", "mean", "sd"}, p->v, 3);
        break;
    case RW_MODEL_BETA_BINOMIAL:
        part_text(b, (const char *const[]){"failures", "trials", "posterior_mean"}, p->v, 3);
        break;
    }
    rw_buf_putc(b, ']');
}

rw_value_t rw_model_eval(const rw_model_t *m, rw_eval_env_t *env, const rw_ewma_t *ewma,
                         json_t **parts)
{
    rw_model_parts_t p;
    rw_value_t v = rw_model_compute(m, env, ewma, parts ? &p : NULL);
    if (parts) {
        rw_buf_t b;
        rw_buf_init(&b);
        rw_model_parts_text(m, &p, &b);
        *parts = json_loadb(b.data, b.len, 0, NULL);
        rw_buf_free(&b);
    }
    return v;
}
