/* modelfit.c — IRLS for L2-penalised logistic regression, held-out AUC, and
 * writing the refitted model file. */
#include "modelfit.h"

#include "rwtime.h"
#include "util.h"

#include <errno.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MIN_LABELS 10

/* The label of a lead record: 1 confirmed, 0 dismissed, -1 none. */
static int label_of(const json_t *lead)
{
    const json_t *disp = json_object_get(lead, "disposition");
    const char *r = json_string_value(json_object_get(disp, "result"));
    if (!r) r = json_string_value(json_object_get(lead, "status"));
    if (!r) return -1;
    if (!strcmp(r, "confirmed")) return 1;
    if (!strcmp(r, "dismissed")) return 0;
    return -1;
}

/* The model's feature vector from the lead's evidence; 0 when the lead has none. */
static int str_is(const json_t *j, const char *s)
{
    return json_is_string(j) && strcmp(json_string_value(j), s) == 0;
}

static int features(const rw_model_t *m, const json_t *lead, double *x)
{
    size_t i;
    json_t *ev;
    json_array_foreach(json_object_get(lead, "models"), i, ev)
    {
        if (!str_is(json_object_get(ev, "model"), m->name)) continue;
        x[0] = 1;
        for (size_t k = 0; k < m->n_inputs; k++) {
            const rw_model_input_t *in = &m->inputs[k];
            double t = NAN;
            size_t j;
            json_t *part;
            json_array_foreach(json_object_get(ev, "parts"), j, part)
            {
                if (!str_is(json_object_get(part, "input"), in->name)) continue;
                json_t *v = json_object_get(part, "value");
                if (json_is_number(v)) t = rw_transform_apply(in->transform, json_number_value(v));
                if (json_is_boolean(v)) t = rw_transform_apply(in->transform, json_is_true(v));
            }
            x[k + 1] = isfinite(t) ? t : in->missing;
        }
        return 1;
    }
    return 0;
}

static int held_out(const char *id)
{
    unsigned char md[32];
    rw_sha256(id, strlen(id), md);
    return md[0] % 5 == 0;
}

static double sigmoid(double z)
{
    return 1.0 / (1.0 + exp(-z));
}

typedef struct {
    double score;
    int y;
} scored_t;

static int cmp_score(const void *a, const void *b)
{
    double x = ((const scored_t *)a)->score, y = ((const scored_t *)b)->score;
    return x < y ? -1 : x > y;
}

/* Mann–Whitney AUC with ties counted half. */
static double auc(scored_t *s, size_t n)
{
    size_t pos = 0, neg = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(s[i].score)) return NAN; /* no order to rank by */
        if (s[i].y)
            pos++;
        else
            neg++;
    }
    if (!pos || !neg) return NAN;
    qsort(s, n, sizeof *s, cmp_score);
    double rank_sum = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && s[j].score == s[i].score)
            j++;
        double avg = (double)(i + j + 1) / 2.0; /* ranks are 1-based */
        for (size_t k = i; k < j; k++)
            if (s[k].y) rank_sum += avg;
        i = j;
    }
    return (rank_sum - (double)pos * (pos + 1) / 2.0) / ((double)pos * neg);
}

int rw_model_fit(const rw_model_t *m, FILE *in, double l2, rw_fit_t *fit, char *err, size_t errlen)
{
    memset(fit, 0, sizeof *fit);
    if (m->kind != RW_MODEL_LOGISTIC) {
        snprintf(err, errlen, "只有 logistic 模型可以拟合（%s 是 %s）", m->name,
                 rw_model_kind_name(m->kind));
        return -1;
    }
    if (!(l2 >= 0) || isinf(l2)) { /* an infinite penalty made the Newton steps NaN */
        snprintf(err, errlen, "L2 惩罚强度需要有限的非负数");
        return -1;
    }
    /* the latest revision of each lead */
    json_t *latest = json_object();
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    size_t lineno = 0;
    while ((n = getline(&line, &cap, in)) >= 0) {
        lineno++;
        if (n <= 1) continue;
        json_t *j = json_loadb(line, (size_t)n, 0, NULL);
        const char *id = json_string_value(json_object_get(j, "id"));
        if (!id) {
            json_decref(j);
            snprintf(err, errlen, "第 %zu 行不是线索记录（需要 JSON 对象且有 id）", lineno);
            free(line);
            json_decref(latest);
            return -1;
        }
        json_t *prev = json_object_get(latest, id);
        if (!prev || json_integer_value(json_object_get(j, "revision")) >=
                         json_integer_value(json_object_get(prev, "revision")))
            json_object_set(latest, id, j);
        json_decref(j);
    }
    free(line);

    size_t p = m->n_inputs + 1, rows = json_object_size(latest), nt = 0, nh = 0;
    double *X = rw_xcalloc(rows * p + 1, sizeof *X), *Xh = rw_xcalloc(rows * p + 1, sizeof *Xh);
    int *y = rw_xcalloc(rows + 1, sizeof *y), *yh = rw_xcalloc(rows + 1, sizeof *yh);
    const char *id;
    json_t *lead;
    json_object_foreach(latest, id, lead)
    {
        int lab = label_of(lead);
        if (lab < 0) continue;
        int ho = held_out(id);
        double *row = ho ? &Xh[nh * p] : &X[nt * p];
        if (!features(m, lead, row)) {
            fit->n_skipped++;
            continue;
        }
        if (lab)
            fit->n_pos++;
        else
            fit->n_neg++;
        if (ho)
            yh[nh++] = lab;
        else
            y[nt++] = lab;
    }
    json_decref(latest);
    fit->n_train = nt;
    fit->n_test = nh;
    int rc = -1;
    gsl_matrix *H = NULL; /* (freed at out, whichever way the fit ends) */
    gsl_vector *g = NULL, *delta = NULL;
    if (fit->n_pos + fit->n_neg < MIN_LABELS || nt < p + 2) {
        snprintf(err, errlen,
                 "已处置且含模型 %s 证据的线索太少：%zu 条（至少 %d 条，且训练集需多于参数个数）",
                 m->name, fit->n_pos + fit->n_neg, MIN_LABELS);
        goto out;
    }
    if (!fit->n_pos || !fit->n_neg) {
        snprintf(err, errlen, "只有一类标签（属实 %zu 条，不属实 %zu 条），无法拟合", fit->n_pos,
                 fit->n_neg);
        goto out;
    }
    /* the other class only among held-out leads: the intercept would run off to ±∞ */
    size_t train_pos = 0;
    for (size_t i = 0; i < nt; i++)
        train_pos += (size_t)y[i];
    if (train_pos == 0 || train_pos == nt) {
        snprintf(err, errlen, "训练集只有一类标签（训练集 %zu 条全部%s；留出集 %zu 条），无法拟合",
                 nt, train_pos ? "属实" : "不属实", nh);
        goto out;
    }
    fit->n_params = p;
    fit->coef = rw_xcalloc(p, sizeof *fit->coef);
    fit->se = rw_xcalloc(p, sizeof *fit->se);
    H = gsl_matrix_alloc(p, p);
    g = gsl_vector_alloc(p);
    delta = gsl_vector_alloc(p);
    int converged = 0;
    for (fit->iterations = 0; fit->iterations < 100 && !converged;) {
        fit->iterations++;
        gsl_matrix_set_zero(H);
        gsl_vector_set_zero(g);
        for (size_t i = 0; i < nt; i++) {
            const double *x = &X[i * p];
            double z = 0;
            for (size_t k = 0; k < p; k++)
                z += x[k] * fit->coef[k];
            double pr = sigmoid(z), w = pr * (1 - pr);
            for (size_t a = 0; a < p; a++) {
                *gsl_vector_ptr(g, a) += x[a] * (y[i] - pr);
                for (size_t b = 0; b < p; b++)
                    *gsl_matrix_ptr(H, a, b) += w * x[a] * x[b];
            }
        }
        for (size_t k = 1; k < p; k++) { /* the intercept is not penalised */
            *gsl_matrix_ptr(H, k, k) += l2;
            *gsl_vector_ptr(g, k) -= l2 * fit->coef[k];
        }
        if (gsl_linalg_cholesky_decomp1(H) || gsl_linalg_cholesky_solve(H, g, delta)) {
            snprintf(err, errlen, "Hessian 矩阵奇异（输入可能完全共线或恒定），请增大 --l2");
            goto out;
        }
        double maxd = 0;
        for (size_t k = 0; k < p; k++) {
            double d = gsl_vector_get(delta, k);
            fit->coef[k] += d;
            if (!(fabs(d) <= maxd)) maxd = fabs(d); /* a NaN step stays NaN: not converged */
        }
        converged = maxd < 1e-9;
    }
    if (!converged) { /* e.g. separable classes: the weights run off; nothing is written */
        snprintf(err, errlen,
                 "%d 次牛顿迭代后仍未收敛（数据可能完全可分或数值溢出），请增大 --l2 或检查输入",
                 fit->iterations);
        goto out;
    }
    /* standard errors: the diagonal of the inverse of the penalised Hessian at the optimum */
    gsl_matrix_set_zero(H);
    fit->loglik = 0;
    for (size_t i = 0; i < nt; i++) {
        const double *x = &X[i * p];
        double z = 0;
        for (size_t k = 0; k < p; k++)
            z += x[k] * fit->coef[k];
        double pr = sigmoid(z), w = pr * (1 - pr);
        fit->loglik += y[i] ? log(pr) : log1p(-pr);
        for (size_t a = 0; a < p; a++)
            for (size_t b = 0; b < p; b++)
                *gsl_matrix_ptr(H, a, b) += w * x[a] * x[b];
    }
    for (size_t k = 1; k < p; k++)
        *gsl_matrix_ptr(H, k, k) += l2;
    if (gsl_linalg_cholesky_decomp1(H) == 0 && gsl_linalg_cholesky_invert(H) == 0)
        for (size_t k = 0; k < p; k++)
            fit->se[k] = sqrt(gsl_matrix_get(H, k, k));
    scored_t *s = rw_xcalloc(nh + 1, sizeof *s);
    for (size_t i = 0; i < nh; i++) {
        double z = 0;
        for (size_t k = 0; k < p; k++)
            z += Xh[i * p + k] * fit->coef[k];
        s[i] = (scored_t){sigmoid(z), yh[i]};
    }
    fit->auc = auc(s, nh);
    free(s);
    rc = 0;
out:
    gsl_matrix_free(H);
    gsl_vector_free(g);
    gsl_vector_free(delta);
    free(X);
    free(Xh);
    free(y);
    free(yh);
    if (rc) rw_fit_free(fit);
    return rc;
}

void rw_fit_free(rw_fit_t *fit)
{
    free(fit->coef);
    free(fit->se);
    fit->coef = fit->se = NULL;
}

static void yaml_quoted(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'') fputc('\'', f);
        fputc(*s, f);
    }
    fputc('\'', f);
}

/* A name as a YAML key or value: plain when it is an identifier, quoted otherwise (a name
 * like "risk: v2" or "complaints, 90d" would not read back plain). */
static void yaml_name(FILE *f, const char *s)
{
    int plain = (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_';
    for (const char *c = s; plain && *c; c++)
        plain = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
                *c == '_' || *c == '-';
    if (plain && strcmp(s, "true") && strcmp(s, "false") && strcmp(s, "null"))
        fputs(s, f);
    else
        yaml_quoted(f, s);
}

/* One "name: value" of a flow map, after sep. */
static void flow_entry(FILE *f, const char *sep, const char *name, const char *value)
{
    fputs(sep, f);
    yaml_name(f, name);
    fprintf(f, ": %s", value);
}

int rw_model_write(const rw_model_t *m, const rw_fit_t *fit, const char *path, char *err,
                   size_t errlen)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(err, errlen, "无法写入 %s: %s", tmp, strerror(errno));
        return -1;
    }
    char day[16], num[RW_NUM_TEXT];
    rw_date_format(rw_local_day(rw_now(), 480), day);
    fprintf(f, "# 由 regwatch model fit 于 %s 按 %zu 条已处置线索拟合（属实 %zu，不属实 %zu）；\n",
            day, fit->n_pos + fit->n_neg, fit->n_pos, fit->n_neg);
    if (isnan(fit->auc))
        snprintf(num, sizeof num, "无法计算");
    else
        snprintf(num, sizeof num, "%.4f", fit->auc);
    fprintf(f, "# 训练集对数似然 %.4f，留出集 AUC %s。\n", fit->loglik, num);
    fputs("model: ", f);
    yaml_name(f, m->name);
    fprintf(f, "\nkind: logistic\n");
    fprintf(f, "inputs:\n");
    for (size_t k = 0; k < m->n_inputs; k++) {
        fputs("  ", f);
        yaml_name(f, m->inputs[k].name);
        fputs(": ", f);
        yaml_quoted(f, m->inputs[k].expr);
        fputc('\n', f);
    }
    static const char *const tf[] = {"none", "log1p", "log", "sqrt"};
    fprintf(f, "transform: {");
    for (size_t k = 0, first = 1; k < m->n_inputs; k++)
        if (m->inputs[k].transform != RW_TF_NONE) {
            flow_entry(f, first ? "" : ", ", m->inputs[k].name, tf[m->inputs[k].transform]);
            first = 0;
        }
    fprintf(f, "}\nmissing: {");
    for (size_t k = 0; k < m->n_inputs; k++) {
        rw_fmt_number(m->inputs[k].missing, num);
        flow_entry(f, k ? ", " : "", m->inputs[k].name, num);
    }
    rw_fmt_number(fit->coef[0], num);
    fprintf(f, "}\nintercept: %s\nweights: {", num);
    for (size_t k = 0; k < m->n_inputs; k++) {
        rw_fmt_number(fit->coef[k + 1], num);
        flow_entry(f, k ? ", " : "", m->inputs[k].name, num);
    }
    fprintf(f, "}\n");
    if (fclose(f) || rename(tmp, path)) {
        snprintf(err, errlen, "无法写入 %s: %s", path, strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
}
