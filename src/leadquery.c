/* leadquery.c — lists and statistics over the lead store (leadquery.h). */
#include "leadquery.h"

#include "lifecycle.h"
#include "rules.h"
#include "rwtime.h"
#include "util.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The comma-separated values of parameter name into *out (NULL when none: no filter).
 * Returns 0, or -1 with err when a value is not UTF-8 (it could match nothing). */
static int split(rw_param_fn get, void *ud, const char *name, json_t **out, char *err,
                 size_t errlen)
{
    const char *v = get(ud, name);
    *out = NULL;
    if (!v) return 0;
    json_t *a = json_array();
    for (const char *p = v;;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        while (n && *p == ' ')
            p++, n--; /* "3201, 3202" as written by hand */
        while (n && p[n - 1] == ' ')
            n--;
        if (n && json_array_append_new(a, json_stringn(p, n))) {
            snprintf(err, errlen, "%s 的值不是 UTF-8 文本", name);
            json_decref(a);
            return -1;
        }
        if (!end) break;
        p = end + 1;
    }
    if (json_array_size(a))
        *out = a;
    else
        json_decref(a);
    return 0;
}

/* A true|false parameter into *out (left as it is when absent). */
static int flag(rw_param_fn get, void *ud, const char *name, int *out, char *err, size_t errlen)
{
    const char *s = get(ud, name);
    if (!s) return 0;
    if (strcmp(s, "true") && strcmp(s, "false")) {
        snprintf(err, errlen, "%s 应为 true 或 false", name);
        return -1;
    }
    *out = !strcmp(s, "true");
    return 0;
}

int rw_lead_filter_parse(rw_lead_filter_t *f, rw_param_fn get, void *ud, int tz, char *err,
                         size_t errlen)
{
    memset(f, 0, sizeof *f);
    f->overdue = f->urged = -1;
    f->limit = 50;
    f->mode = "live";
    if (split(get, ud, "status", &f->status, err, errlen) ||
        split(get, ud, "level", &f->level, err, errlen) ||
        split(get, ud, "rule", &f->rule, err, errlen) ||
        split(get, ud, "ruleset", &f->ruleset, err, errlen) ||
        split(get, ud, "region", &f->region, err, errlen) ||
        split(get, ud, "department", &f->department, err, errlen) ||
        split(get, ud, "entity", &f->entity, err, errlen))
        return -1;
    size_t i;
    json_t *v;
    json_array_foreach(f->status, i, v) if (rw_status_parse(json_string_value(v)) < 0)
    {
        snprintf(err, errlen,
                 "未知状态「%s」（new accepted verifying confirmed dismissed closed returned）",
                 json_string_value(v));
        return -1;
    }
    json_array_foreach(f->level, i, v) if (rw_level_parse(json_string_value(v)) < 0)
    {
        snprintf(err, errlen, "未知等级「%s」（red orange yellow blue）", json_string_value(v));
        return -1;
    }
    if (flag(get, ud, "overdue", &f->overdue, err, errlen) ||
        flag(get, ud, "urged", &f->urged, err, errlen))
        return -1;
    const char *s;
    if ((s = get(ud, "mode"))) {
        if (strcmp(s, "live") && strcmp(s, "shadow") && strcmp(s, "all")) {
            snprintf(err, errlen, "mode 应为 live、shadow 或 all");
            return -1;
        }
        f->mode = s;
    }
    if ((s = get(ud, "created_from")) && rw_time_parse_loose(s, tz, 0, &f->created_from)) {
        snprintf(err, errlen, "created_from「%s」不是日期（YYYY-MM-DD）或 RFC 3339 时间", s);
        return -1;
    }
    if ((s = get(ud, "created_to")) && rw_time_parse_loose(s, tz, 1, &f->created_to)) {
        snprintf(err, errlen, "created_to「%s」不是日期（YYYY-MM-DD）或 RFC 3339 时间", s);
        return -1;
    }
    static const char *const sorts[] = {"-created", "created", "due", "level"};
    if ((s = get(ud, "sort"))) {
        int k = -1;
        for (int j = 0; j < 4; j++)
            if (!strcmp(s, sorts[j])) k = j;
        if (k < 0) {
            snprintf(err, errlen, "sort 应为 -created、created、due 或 level");
            return -1;
        }
        f->sort = (rw_lead_sort_t)k;
    }
    char *end;
    if ((s = get(ud, "offset"))) {
        long long n = strtoll(s, &end, 10);
        if (*end || n < 0 || !*s) {
            snprintf(err, errlen, "offset 应为非负整数");
            return -1;
        }
        f->offset = (size_t)n;
    }
    if ((s = get(ud, "limit"))) {
        long long n = strtoll(s, &end, 10);
        if (*end || n < 1 || n > 500 || !*s) {
            snprintf(err, errlen, "limit 应为 1–500 的整数");
            return -1;
        }
        f->limit = (size_t)n;
    }
    return 0;
}

void rw_lead_filter_free(rw_lead_filter_t *f)
{
    json_decref(f->status);
    json_decref(f->level);
    json_decref(f->rule);
    json_decref(f->ruleset);
    json_decref(f->region);
    json_decref(f->department);
    json_decref(f->entity);
    memset(f, 0, sizeof *f);
}

static int one_of(const json_t *list, const json_t *v, int prefix)
{
    if (!list) return 1;
    const char *s = json_string_value(v);
    if (!s) return 0;
    size_t i;
    json_t *x;
    json_array_foreach(list, i, x)
    {
        const char *w = json_string_value(x);
        if (prefix ? strncmp(s, w, strlen(w)) == 0 : strcmp(s, w) == 0) return 1;
    }
    return 0;
}

static double time_of(const json_t *record, const char *field)
{
    const char *t = json_string_value(json_object_get(record, field));
    double v = 0;
    if (t) rw_time_parse(t, strlen(t), &v, NULL);
    return v;
}

/* Everything but paging and the computed fields (overdue, urges: after decorate). */
static int passes(const rw_lead_filter_t *f, const rw_user_t *u, const json_t *r)
{
    const json_t *mode = json_object_get(r, "mode");
    if (strcmp(f->mode, "all") &&
        !(json_is_string(mode) && !strcmp(json_string_value(mode), f->mode)))
        return 0;
    if (u && !rw_scope_contains(&u->scope, json_string_value(json_object_get(r, "region")),
                                json_string_value(json_object_get(r, "department"))))
        return 0;
    if (!one_of(f->status, json_object_get(r, "status"), 0) ||
        !one_of(f->level, json_object_get(r, "level"), 0) ||
        !one_of(f->rule, json_object_get(r, "rule"), 0) ||
        !one_of(f->ruleset, json_object_get(r, "ruleset"), 0) ||
        !one_of(f->region, json_object_get(r, "region"), 1) ||
        !one_of(f->department, json_object_get(r, "department"), 0) ||
        !one_of(f->entity, json_object_get(r, "entity"), 0))
        return 0;
    if (f->created_from || f->created_to) {
        double c = time_of(r, "created_at");
        if ((f->created_from && c < f->created_from) || (f->created_to && c >= f->created_to))
            return 0;
    }
    return 1;
}

static int passes_computed(const rw_lead_filter_t *f, const json_t *r)
{
    if (f->overdue >= 0 && json_is_true(json_object_get(r, "overdue")) != f->overdue) return 0;
    if (f->urged >= 0 && (json_integer_value(json_object_get(r, "urges")) > 0) != f->urged)
        return 0;
    return 1;
}

typedef struct {
    rw_handling_t *h;
    const rw_user_t *u;
    const rw_lead_filter_t *f;
    double now;
    json_t *rows;
    json_t *metas; /* each row's handling data, when the caller wants it (statistics) */
} collect_t;

static int collect(void *ud, const char *key, size_t klen, const char *val, size_t vlen)
{
    (void)key;
    (void)klen;
    collect_t *c = ud;
    json_t *r = json_loadb(val, vlen, 0, NULL);
    if (r && passes(c->f, c->u, r)) {
        json_t *meta = rw_handling_meta(c->h, json_string_value(json_object_get(r, "id")));
        rw_handling_decorate(r, meta, c->now);
        if (passes_computed(c->f, r)) {
            json_array_append(c->rows, r);
            if (c->metas) json_array_append(c->metas, meta);
        }
        json_decref(meta);
    }
    json_decref(r);
    return 0;
}

/* The leads that pass f, decorated; with metas non-NULL their handling data too, in order. */
static json_t *collect_all(rw_handling_t *h, const rw_user_t *u, const rw_lead_filter_t *f,
                           double now, json_t *metas)
{
    collect_t c = {h, u, f, now, json_array(), metas};
    rw_store_scan(rw_handling_store(h), RW_CF_LEADS, "", 0, collect, &c);
    return c.rows;
}

/* The deadline that matters now: accepting while new or returned, else closing. */
static double due_of(const json_t *r)
{
    const char *st = json_string_value(json_object_get(r, "status"));
    const json_t *due = json_object_get(r, "due");
    int accepting = st && (!strcmp(st, "new") || !strcmp(st, "returned"));
    return time_of(due, accepting ? "accept_by" : "close_by");
}

/* A row with its sort keys read once (RFC 3339 parsing in the comparator would repeat
 * it O(n log n) times): by key, then tie, then id. */
typedef struct {
    json_t *lead;
    double key, tie;
    const char *id;
} row_t;

static row_t row_of(json_t *r, rw_lead_sort_t sort)
{
    const char *id = json_string_value(json_object_get(r, "id"));
    row_t row = {.lead = r, .id = id ? id : ""};
    switch (sort) {
    case RW_SORT_CREATED_DESC:
        row.key = -time_of(r, "created_at");
        break;
    case RW_SORT_CREATED:
        row.key = time_of(r, "created_at");
        break;
    case RW_SORT_DUE:
        row.key = due_of(r);
        break;
    case RW_SORT_LEVEL: /* red first, then newest first */
        row.key = -rw_level_parse(json_string_value(json_object_get(r, "level")));
        row.tie = -time_of(r, "created_at");
        break;
    }
    return row;
}

static int cmp_rows(const void *pa, const void *pb)
{
    const row_t *a = pa, *b = pb;
    if (a->key != b->key) return a->key < b->key ? -1 : 1;
    if (a->tie != b->tie) return a->tie < b->tie ? -1 : 1;
    return strcmp(a->id, b->id);
}

json_t *rw_leads_query(rw_handling_t *h, const rw_user_t *u, const rw_lead_filter_t *f, double now)
{
    json_t *rows = collect_all(h, u, f, now, NULL);
    size_t n = json_array_size(rows);
    row_t *v = rw_xmalloc((n ? n : 1) * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = row_of(json_array_get(rows, i), f->sort);
    qsort(v, n, sizeof *v, cmp_rows);
    json_t *page = json_array();
    for (size_t i = f->offset; i < n && i < f->offset + f->limit; i++)
        json_array_append(page, v[i].lead);
    free(v);
    json_decref(rows);
    return json_pack("{s:I,s:I,s:I,s:o}", "total", (json_int_t)n, "offset", (json_int_t)f->offset,
                     "limit", (json_int_t)f->limit, "leads", page);
}

/* ---- statistics ------------------------------------------------------------------------ */

typedef struct {
    json_t *out; /* the group's object */
    double *accept_h, *close_h;
    size_t n_accept, n_close;
} group_t;

static void push_hours(double **arr, size_t *n, double h)
{
    *arr = rw_xrealloc(*arr, (*n + 1) * sizeof **arr);
    (*arr)[(*n)++] = h;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int cmp_str_p(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The object with its keys in order (months read left to right in a chart). */
static json_t *sorted(json_t *obj)
{
    size_t n = json_object_size(obj), i = 0;
    const char **keys = rw_xmalloc((n ? n : 1) * sizeof *keys);
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v) keys[i++] = k;
    qsort(keys, n, sizeof *keys, cmp_str_p);
    json_t *out = json_object();
    for (i = 0; i < n; i++)
        json_object_set(out, keys[i], json_object_get(obj, keys[i]));
    free(keys);
    return out;
}

static json_t *median(double *v, size_t n)
{
    if (!n) return json_null();
    qsort(v, n, sizeof *v, cmp_double);
    double m = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    return json_real(round(m * 100) / 100);
}

static void bump(json_t *obj, const char *key)
{
    json_object_set_new(obj, key, json_integer(json_integer_value(json_object_get(obj, key)) + 1));
}

static group_t *group_for(json_t *index, group_t **groups, size_t *n, const char *key)
{
    json_t *at = json_object_get(index, key);
    if (at) return &(*groups)[json_integer_value(at)];
    *groups = rw_xrealloc(*groups, (*n + 1) * sizeof **groups);
    group_t *g = &(*groups)[*n];
    memset(g, 0, sizeof *g);
    g->out = json_pack("{s:s,s:i,s:{},s:{},s:{},s:i,s:i,s:{},s:i}", "key", key, "leads", 0,
                       "by_status", "by_level", "by_month", "confirmed", 0, "dismissed", 0,
                       "dismissed_by_reason", "overdue", 0);
    json_object_set_new(index, key, json_integer((json_int_t)(*n)++));
    return g;
}

static void count_lead(group_t *g, const json_t *r, const json_t *meta)
{
    json_t *o = g->out;
    bump(o, "leads");
    const char *status = json_string_value(json_object_get(r, "status"));
    const char *level = json_string_value(json_object_get(r, "level"));
    bump(json_object_get(o, "by_status"), status ? status : "unknown");
    bump(json_object_get(o, "by_level"), level ? level : "unknown");
    /* by the month of the conduct (a replayed history's leads were all created today), in
     * the catalogue's zone, which created_at is written in: event_time keeps the offset
     * the producer wrote */
    const char *et = json_string_value(json_object_get(r, "event_time"));
    const char *ca = json_string_value(json_object_get(r, "created_at"));
    double t, ca_t;
    int et_off, tz;
    if (et && !rw_time_parse(et, strlen(et), &t, &et_off)) {
        if (!ca || rw_time_parse(ca, strlen(ca), &ca_t, &tz)) tz = et_off;
        int64_t y;
        unsigned m, d;
        rw_civil_from_days(rw_local_day(t, tz), &y, &m, &d);
        char month[16];
        snprintf(month, sizeof month, "%04" PRId64 "-%02u", y, m);
        json_t *bm = json_object_get(o, "by_month");
        if (!json_object_get(bm, month)) json_object_set_new(bm, month, json_object());
        bump(json_object_get(bm, month), level ? level : "unknown");
    }
    const json_t *d = json_object_get(r, "disposition");
    const char *result = json_string_value(json_object_get(d, "result"));
    if (result && !strcmp(result, "confirmed")) bump(o, "confirmed");
    if (result && !strcmp(result, "dismissed")) {
        bump(o, "dismissed");
        const char *reason = json_string_value(json_object_get(d, "reason"));
        bump(json_object_get(o, "dismissed_by_reason"), reason ? reason : "其他");
    }
    if (json_is_true(json_object_get(r, "overdue"))) bump(o, "overdue");
    double created = time_of(r, "created_at");
    const json_t *acc = json_object_get(meta, "accepted_at"),
                 *clo = json_object_get(meta, "closed_at");
    if (json_is_number(acc))
        push_hours(&g->accept_h, &g->n_accept, (json_number_value(acc) - created) / 3600);
    if (json_is_number(clo))
        push_hours(&g->close_h, &g->n_close, (json_number_value(clo) - created) / 3600);
}

json_t *rw_leads_stats(rw_handling_t *h, const rw_user_t *u, const rw_lead_filter_t *f,
                       const char *by, double now)
{
    if (strcmp(by, "rule") && strcmp(by, "ruleset") && strcmp(by, "department") &&
        strcmp(by, "region"))
        return NULL;
    json_t *metas = json_array(), *rows = collect_all(h, u, f, now, metas), *index = json_object();
    group_t *groups = NULL;
    size_t n = 0, i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        const char *key = json_string_value(json_object_get(r, by));
        count_lead(group_for(index, &groups, &n, key ? key : "（未知）"), r,
                   json_array_get(metas, i));
    }
    json_t *out = json_array();
    for (size_t k = 0; k < n; k++) {
        group_t *g = &groups[k];
        json_int_t c = json_integer_value(json_object_get(g->out, "confirmed"));
        json_int_t d = json_integer_value(json_object_get(g->out, "dismissed"));
        json_object_set_new(g->out, "precision",
                            c + d ? json_real(round((double)c / (double)(c + d) * 1e4) / 1e4)
                                  : json_null());
        json_object_set_new(g->out, "by_month", sorted(json_object_get(g->out, "by_month")));
        json_object_set_new(g->out, "median_hours_to_accept", median(g->accept_h, g->n_accept));
        json_object_set_new(g->out, "median_hours_to_close", median(g->close_h, g->n_close));
        free(g->accept_h);
        free(g->close_h);
        json_array_append_new(out, g->out);
    }
    free(groups);
    json_decref(index);
    json_decref(metas);
    json_decref(rows);
    return json_pack("{s:s,s:o}", "by", by, "groups", out);
}
