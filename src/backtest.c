/* backtest.c — sweep specs, runs of the engine over a shared in-memory history on a
 * small pool of threads (one engine, one throwaway store per run), lead collection,
 * the rule-by-rule comparison with past dispositions, and the report. */
#include "backtest.h"

#include "engine.h"
#include "log.h"
#include "rwtime.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MOD "backtest"
/* ---- sweep specs ---------------------------------------------------------------------- */

static int parse_int(const char *s, const char *end, long long *out)
{
    char buf[32];
    size_t n = (size_t)(end - s);
    if (n == 0 || n >= sizeof buf) return -1;
    memcpy(buf, s, n);
    buf[n] = 0;
    char *e;
    errno = 0;
    *out = strtoll(buf, &e, 10);
    return *e || errno ? -1 : 0;
}

static void sweep_add(rw_sweep_t *s, const char *v, size_t n)
{
    s->values = rw_xrealloc(s->values, (s->n_values + 1) * sizeof *s->values);
    s->values[s->n_values++] = rw_xstrndup(v, n);
}

int rw_sweep_parse(const char *spec, rw_sweep_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    const char *colon = strchr(spec, ':');
    const char *eq = colon ? strchr(colon, '=') : NULL;
    if (!colon || !eq || colon == spec || eq == colon + 1 || !eq[1]) {
        snprintf(err, errlen,
                 "扫描参数应写作 规则:参数=起..止[/步长] 或 规则:参数=值1,值2,…，如 "
                 "FOOD-COMPLAINT-SURGE:complaint_surge_7d=3..12");
        return -1;
    }
    out->rule = rw_xstrndup(spec, (size_t)(colon - spec));
    out->param = rw_xstrndup(colon + 1, (size_t)(eq - colon - 1));
    const char *v = eq + 1, *dots = strstr(v, "..");
    if (dots) {
        const char *slash = strchr(dots, '/');
        const char *end = slash ? slash : v + strlen(v);
        long long a, b, step = 1;
        if (parse_int(v, dots, &a) || parse_int(dots + 2, end, &b) ||
            (slash && parse_int(slash + 1, slash + strlen(slash), &step))) {
            snprintf(err, errlen, "扫描范围 %s 应该是整数 起..止 或 起..止/步长", v);
            goto fail;
        }
        if (step <= 0 || a > b) {
            snprintf(err, errlen, "扫描范围 %s：需要 起 <= 止，步长为正", v);
            goto fail;
        }
        if ((b - a) / step + 1 > RW_SWEEP_MAX_VALUES) {
            snprintf(err, errlen, "扫描范围 %s 的取值超过 %d 个", v, RW_SWEEP_MAX_VALUES);
            goto fail;
        }
        for (long long x = a; x <= b; x += step) {
            char num[32];
            int n = snprintf(num, sizeof num, "%lld", x);
            sweep_add(out, num, (size_t)n);
        }
        return 0;
    }
    for (const char *p = v;;) {
        const char *comma = strchr(p, ',');
        const char *end = comma ? comma : p + strlen(p);
        while (p < end && *p == ' ')
            p++;
        const char *last = end;
        while (last > p && last[-1] == ' ')
            last--;
        if (last == p) {
            snprintf(err, errlen, "扫描取值列表 %s 中有空值", v);
            goto fail;
        }
        if (out->n_values == RW_SWEEP_MAX_VALUES) {
            snprintf(err, errlen, "扫描取值超过 %d 个", RW_SWEEP_MAX_VALUES);
            goto fail;
        }
        sweep_add(out, p, (size_t)(last - p));
        if (!comma) break;
        p = comma + 1;
    }
    return 0;
fail:
    rw_sweep_free(out);
    return -1;
}

void rw_sweep_free(rw_sweep_t *s)
{
    free(s->rule);
    free(s->param);
    rw_str_list_free(s->values, s->n_values);
    memset(s, 0, sizeof *s);
}

/* ---- past leads --------------------------------------------------------------------- */

json_t *rw_backtest_read_leads(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "无法打开处置文件 %s: %s", path, strerror(errno));
        return NULL;
    }
    json_t *arr = json_array();
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
            n--;
        if (n == 0) continue;
        json_error_t je;
        json_t *lead = json_loadb(line, (size_t)n, 0, &je);
        if (!json_is_object(lead) || !json_is_string(json_object_get(lead, "id"))) {
            snprintf(err, errlen, "%s:%zu: 不是线索记录（需要带 id 的 JSON 对象）%s%s", path,
                     lineno, lead ? "" : ": ", lead ? "" : je.text);
            json_decref(lead);
            json_decref(arr);
            arr = NULL;
            break;
        }
        json_array_append_new(arr, lead);
    }
    free(line);
    fclose(f);
    return arr;
}

/* "confirmed", "dismissed" or NULL: the disposition's result, else the status. */
static const char *outcome(const json_t *lead)
{
    const char *r =
        json_string_value(json_object_get(json_object_get(lead, "disposition"), "result"));
    if (!r) r = json_string_value(json_object_get(lead, "status"));
    if (r && (!strcmp(r, "confirmed") || !strcmp(r, "dismissed"))) return r;
    return NULL;
}

json_t *rw_backtest_index_past(const json_t *past)
{
    json_t *results = json_object(), *entities = json_object();
    size_t i;
    json_t *lead;
    json_array_foreach(past, i, lead)
    {
        const char *r = outcome(lead);
        if (!r) continue;
        json_object_set_new(results, json_string_value(json_object_get(lead, "id")),
                            json_string(r));
        const char *ent = json_string_value(json_object_get(lead, "entity"));
        if (ent && !strcmp(r, "confirmed"))
            json_object_set_new(
                entities, ent,
                json_integer(json_integer_value(json_object_get(entities, ent)) + 1));
    }
    return json_pack("{s:o,s:o}", "results", results, "confirmed_entities", entities);
}

/* ---- statistics and comparison ------------------------------------------------------- */

static const char *result_of(const json_t *past_index, const char *id)
{
    return json_string_value(json_object_get(json_object_get(past_index, "results"), id));
}

static int entity_confirmed(const json_t *past_index, const char *entity)
{
    return entity &&
           json_object_get(json_object_get(past_index, "confirmed_entities"), entity) != NULL;
}

static json_t *precision(json_int_t confirmed, json_int_t dismissed)
{
    return confirmed + dismissed ? json_real((double)confirmed / (double)(confirmed + dismissed))
                                 : json_null();
}

/* ---- lead summaries --------------------------------------------------------------------- */

#define NO_TEXT SIZE_MAX

typedef struct {
    size_t id, rule, entity, entity_name, region; /* offsets in the pool; NO_TEXT: null */
    int level;                                    /* rw_level_t, -1 when unknown */
    char date[11];                                /* YYYY-MM-DD, "" when unknown */
} bt_lead_t;

struct rw_bt_leads {
    bt_lead_t *v;
    size_t n, cap;
    rw_buf_t pool; /* the strings, each NUL-terminated */
};

rw_bt_leads_t *rw_bt_leads_new(void)
{
    rw_bt_leads_t *l = rw_xcalloc(1, sizeof *l);
    rw_buf_init(&l->pool);
    return l;
}

void rw_bt_leads_free(rw_bt_leads_t *l)
{
    if (!l) return;
    free(l->v);
    rw_buf_free(&l->pool);
    free(l);
}

size_t rw_bt_leads_count(const rw_bt_leads_t *l)
{
    return l->n;
}

static size_t pool_add(rw_bt_leads_t *l, const char *s, size_t n)
{
    if (!s) return NO_TEXT;
    size_t at = l->pool.len;
    rw_buf_append(&l->pool, s, n);
    rw_buf_putc(&l->pool, 0);
    return at;
}

static const char *text(const rw_bt_leads_t *l, size_t at)
{
    return at == NO_TEXT ? NULL : l->pool.data + at;
}

/* A new record at the end, to fill in. */
static bt_lead_t *push(rw_bt_leads_t *l)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 256;
        l->v = rw_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    return &l->v[l->n++];
}

void rw_bt_leads_add(rw_bt_leads_t *l, const char *id, const char *rule, const char *entity,
                     size_t entity_len, const char *entity_name, const char *region,
                     const char *level, const char *date)
{
    bt_lead_t *x = push(l);
    x->id = pool_add(l, id, strlen(id));
    x->rule = pool_add(l, rule, strlen(rule));
    x->entity = pool_add(l, entity, entity_len);
    x->entity_name = pool_add(l, entity_name, entity_name ? strlen(entity_name) : 0);
    x->region = pool_add(l, region, region ? strlen(region) : 0);
    x->level = rw_level_parse(level);
    snprintf(x->date, sizeof x->date, "%s", date ? date : "");
}

void rw_bt_leads_take(rw_bt_leads_t *dst, rw_bt_leads_t *src)
{
    size_t base = dst->pool.len;
    rw_buf_append(&dst->pool, src->pool.data, src->pool.len);
    for (size_t i = 0; i < src->n; i++) {
        bt_lead_t *x = push(dst);
        *x = src->v[i];
        size_t *at[] = {&x->id, &x->rule, &x->entity, &x->entity_name, &x->region};
        for (size_t k = 0; k < sizeof at / sizeof *at; k++)
            if (*at[k] != NO_TEXT) *at[k] += base;
    }
    src->n = 0;
    src->pool.len = 0;
}

/* ---- statistics and comparison ------------------------------------------------------- */

static int cmp_month(const void *a, const void *b)
{
    return memcmp(a, b, 7);
}

/* The stats of v[0..n) (leads of l). */
static json_t *stats_of(const rw_bt_leads_t *l, const bt_lead_t *v, size_t n,
                        const json_t *past_index)
{
    json_int_t by_level[RW_LEVEL__COUNT] = {0};
    json_int_t confirmed = 0, dismissed = 0, on_confirmed = 0;
    char(*months)[7] = rw_xmalloc((n + 1) * sizeof *months);
    size_t n_months = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i].level >= 0 && v[i].level < RW_LEVEL__COUNT) by_level[v[i].level]++;
        if (strlen(v[i].date) >= 7) memcpy(months[n_months++], v[i].date, 7);
        const char *r = result_of(past_index, text(l, v[i].id));
        confirmed += r && !strcmp(r, "confirmed");
        dismissed += r && !strcmp(r, "dismissed");
        on_confirmed += entity_confirmed(past_index, text(l, v[i].entity));
    }
    json_t *levels = json_object(), *by_month = json_object();
    for (int k = RW_LEVEL__COUNT - 1; k >= 0; k--)
        json_object_set_new(levels, rw_level_name(k), json_integer(by_level[k]));
    qsort(months, n_months, sizeof *months, cmp_month); /* calendar order */
    for (size_t i = 0, j; i < n_months; i = j) {
        for (j = i + 1; j < n_months && !memcmp(months[i], months[j], 7); j++)
            ;
        char key[8];
        memcpy(key, months[i], 7);
        key[7] = 0;
        json_object_set_new(by_month, key, json_integer((json_int_t)(j - i)));
    }
    free(months);
    return json_pack("{s:I,s:o,s:o,s:I,s:I,s:I,s:o,s:I}", "leads", (json_int_t)n, "by_level",
                     levels, "by_month", by_month, "judged", confirmed + dismissed, "confirmed",
                     confirmed, "dismissed", dismissed, "precision",
                     precision(confirmed, dismissed), "on_confirmed_entities", on_confirmed);
}

json_t *rw_backtest_stats(const rw_bt_leads_t *leads, const json_t *past_index)
{
    return stats_of(leads, leads->v, leads->n, past_index);
}

/* qsort has no context argument: the leads being sorted, one sort at a time. */
static _Thread_local const rw_bt_leads_t *sorting;

static int cmp_rule_id(const void *a, const void *b)
{
    const bt_lead_t *x = a, *y = b;
    int c = strcmp(text(sorting, x->rule), text(sorting, y->rule));
    return c ? c : strcmp(text(sorting, x->id), text(sorting, y->id));
}

static int cmp_date_id(const void *a, const void *b)
{
    const bt_lead_t *x = a, *y = b;
    int c = strcmp(x->date, y->date);
    return c ? c : strcmp(text(sorting, x->id), text(sorting, y->id));
}

/* The leads of one rule: a range of leads sorted by rule, then id. */
typedef struct {
    const rw_bt_leads_t *l;
    bt_lead_t *v;
    size_t n;
} group_t;

static group_t group_of(rw_bt_leads_t *l, const char *rule)
{
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(text(l, l->v[mid].rule), rule) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < l->n && !strcmp(text(l, l->v[end].rule), rule))
        end++;
    return (group_t){.l = l, .v = l->v + lo, .n = end - lo};
}

/* The leads of `a` whose ids `b` lacks (both sorted by id), by date then id, with what
 * the past says. */
static json_t *only_in(const group_t *a, const group_t *b, const json_t *past_index, int added)
{
    bt_lead_t *list = rw_xmalloc((a->n + 1) * sizeof *list);
    size_t n = 0;
    for (size_t i = 0, j = 0; i < a->n; i++) {
        const char *id = text(a->l, a->v[i].id);
        int c = 1;
        while (j < b->n && (c = strcmp(text(b->l, b->v[j].id), id)) < 0)
            j++;
        if (j == b->n || c != 0) list[n++] = a->v[i];
    }
    sorting = a->l;
    if (n) qsort(list, n, sizeof *list, cmp_date_id);
    json_int_t confirmed = 0, dismissed = 0, on_confirmed = 0;
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        const bt_lead_t *x = &list[i];
        const char *id = text(a->l, x->id);
        json_t *item =
            json_pack("{s:s,s:s,s:s?,s:s?,s:s,s:s}", "id", id, "entity", text(a->l, x->entity),
                      "entity_name", text(a->l, x->entity_name), "region", text(a->l, x->region),
                      "level", rw_level_name(x->level), "date", x->date);
        if (added) {
            int hit = entity_confirmed(past_index, text(a->l, x->entity));
            on_confirmed += hit;
            json_object_set_new(item, "entity_confirmed", json_boolean(hit));
        } else {
            const char *r = result_of(past_index, id);
            confirmed += r && !strcmp(r, "confirmed");
            dismissed += r && !strcmp(r, "dismissed");
            json_object_set_new(item, "disposition", r ? json_string(r) : json_null());
        }
        json_array_append_new(arr, item);
    }
    free(list);
    if (added)
        return json_pack("{s:I,s:I,s:o}", "count", (json_int_t)n, "on_confirmed_entities",
                         on_confirmed, "leads", arr);
    return json_pack("{s:I,s:I,s:I,s:o}", "count", (json_int_t)n, "confirmed", confirmed,
                     "dismissed", dismissed, "leads", arr);
}

json_t *rw_backtest_compare(const json_t *rules, rw_bt_leads_t *current, rw_bt_leads_t *candidate,
                            const json_t *past_index)
{
    rw_bt_leads_t *both[] = {current, candidate};
    for (int k = 0; k < 2; k++) {
        sorting = both[k];
        if (both[k]->n) qsort(both[k]->v, both[k]->n, sizeof *both[k]->v, cmp_rule_id);
    }
    json_t *out = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(rules, i, r)
    {
        const char *rule = json_string_value(json_object_get(r, "rule"));
        group_t a = {.l = current}, b = {.l = candidate};
        if (rule) {
            a = group_of(current, rule);
            b = group_of(candidate, rule);
        }
        json_t *row = json_deep_copy(r);
        json_object_set_new(row, "current", stats_of(a.l, a.v, a.n, past_index));
        json_object_set_new(row, "candidate", stats_of(b.l, b.v, b.n, past_index));
        json_object_set_new(row, "added", only_in(&b, &a, past_index, 1));
        json_object_set_new(row, "removed", only_in(&a, &b, past_index, 0));
        json_array_append_new(out, row);
    }
    return out;
}

/* ---- runs ------------------------------------------------------------------------------ */

typedef struct {
    rw_rules_t *rules; /* owned */
    const rw_evset_t *events;
    const rw_backtest_opts_t *o;
    rw_bt_leads_t *leads;
    rw_engine_stats_t stats;
} run_t;

static int in_regions(const rw_backtest_opts_t *o, const char *region)
{
    if (!o->n_regions) return 1;
    for (size_t i = 0; region && i < o->n_regions; i++)
        if (!strncmp(region, o->regions[i], strlen(o->regions[i]))) return 1;
    return 0;
}

/* What one thread collects of one run: the leads of its entities. */
typedef struct {
    const run_t *run;
    rw_bt_leads_t *leads;
} sink_t;

/* A new lead's head; later revisions (suppressed triggers' hits) change nothing the
 * report shows. */
static void collect(void *ud, const rw_lead_out_t *out)
{
    sink_t *s = ud;
    const rw_lead_head_t *h = out->head;
    if (!h || !in_regions(s->run->o, h->region)) return;
    char date[16] = "";
    double t;
    if (rw_time_parse(h->event_time, strlen(h->event_time), &t, NULL) == 0)
        rw_date_format(rw_local_day(t, s->run->rules->catalog.tz_offset_min), date);
    rw_bt_leads_add(s->leads, out->id, h->rule, h->entity, h->entity_len, h->entity_name, h->region,
                    h->level, date);
}

/* Runs side by side in one pass over the history: each thread reads its part of the
 * entities (rw_evset_cursor_part), decoding each event once, and applies it to every
 * run's engine. Engines have no store, so a pass holds every run's state in memory:
 * a sweep's values go a few runs at a time. */
#define PASS_RUNS 5

typedef struct {
    run_t *runs;
    size_t n;
    unsigned part, parts;
    sink_t *sinks;            /* per run */
    rw_engine_stats_t *stats; /* per run */
    atomic_size_t done;       /* events applied, for progress */
    atomic_int finished;
    int failed;
} part_t;

static void *part_main(void *arg)
{
    part_t *p = arg;
    const rw_evset_t *ev = p->runs[0].events;
    rw_engine_t **eng = rw_xcalloc(p->n, sizeof *eng);
    for (size_t r = 0; r < p->n; r++) {
        p->sinks[r] = (sink_t){.run = &p->runs[r], .leads = rw_bt_leads_new()};
        rw_engine_opts_t eo = {.rules = p->runs[r].rules, .sink = collect, .sink_ud = &p->sinks[r]};
        eng[r] = rw_engine_new(&eo);
        for (int code = 0; p->part == 0 && code < RW_EV__COUNT; code++)
            for (uint64_t k = 0; k < ev->invalid[code]; k++)
                rw_engine_count_invalid(eng[r], (rw_event_status_t)code);
    }
    rw_evset_cursor_t *cur = rw_evset_cursor_part(ev, p->part, p->parts);
    const rw_event_t *x;
    for (size_t i = 1; (x = rw_evset_next(cur)); i++) {
        for (size_t r = 0; r < p->n; r++)
            rw_engine_apply(eng[r], x, NULL);
        if ((i & 4095) == 0) atomic_store(&p->done, i);
    }
    p->failed = rw_evset_cursor_failed(cur);
    rw_evset_cursor_free(cur);
    for (size_t r = 0; r < p->n; r++) {
        p->stats[r] = *rw_engine_stats(eng[r]);
        rw_engine_free(eng[r]);
    }
    free(eng);
    atomic_store(&p->finished, 1);
    return NULL;
}

/* One pass over runs[0..n) on `parts` threads; progress from lo to hi. Returns 0, or
 * -1 with err. */
static int run_pass(run_t *runs, size_t n, unsigned parts, const rw_backtest_opts_t *o, double lo,
                    double hi, char *err, size_t errlen)
{
    part_t *p = rw_xcalloc(parts, sizeof *p);
    pthread_t *th = rw_xcalloc(parts, sizeof *th);
    int *started = rw_xcalloc(parts, sizeof *started);
    for (unsigned k = 0; k < parts; k++) {
        p[k] = (part_t){.runs = runs,
                        .n = n,
                        .part = k,
                        .parts = parts,
                        .sinks = rw_xcalloc(n, sizeof *p[k].sinks),
                        .stats = rw_xcalloc(n, sizeof *p[k].stats)};
        started[k] = pthread_create(&th[k], NULL, part_main, &p[k]) == 0;
        if (!started[k]) part_main(&p[k]); /* no thread: run it here */
    }
    double total = runs[0].events->n ? (double)runs[0].events->n : 1;
    for (unsigned k = 0; k < parts; k++)
        while (o->progress && !atomic_load(&p[k].finished)) {
            double done = 0;
            for (unsigned j = 0; j < parts; j++)
                done += (double)atomic_load(&p[j].done);
            o->progress(o->progress_ud, lo + (hi - lo) * done / total);
            nanosleep(&(struct timespec){.tv_nsec = 200000000}, NULL);
        }
    int failed = 0;
    for (unsigned k = 0; k < parts; k++) {
        if (started[k]) pthread_join(th[k], NULL);
        failed |= p[k].failed;
        for (size_t r = 0; r < n; r++) { /* parts hold different entities, so different leads */
            rw_bt_leads_t *got = p[k].sinks[r].leads;
            if (!rw_bt_leads_count(runs[r].leads)) { /* the first part's need no copying */
                rw_bt_leads_free(runs[r].leads);
                runs[r].leads = got;
            } else {
                rw_bt_leads_take(runs[r].leads, got);
                rw_bt_leads_free(got);
            }
            rw_engine_stats_add(&runs[r].stats, &p[k].stats[r]);
        }
        free(p[k].sinks);
        free(p[k].stats);
    }
    free(started);
    free(th);
    free(p);
    if (failed) snprintf(err, errlen, "回测运行失败: 事件集损坏：有事件无法解码");
    return failed ? -1 : 0;
}

/* Runs every run, PASS_RUNS at a time, on o->threads threads (default 2), progress from
 * lo to 1; *secs: wall time. Returns 0, or -1 with err. */
static int run_all(run_t *runs, size_t n, const rw_backtest_opts_t *o, double lo, double *secs,
                   char *err, size_t errlen)
{
    double t0 = rw_mono();
    unsigned parts = o->threads > 0 ? (unsigned)o->threads : 2;
    json_object_seed(0); /* before other threads create JSON objects */
    size_t passes = (n + PASS_RUNS - 1) / PASS_RUNS;
    for (size_t i = 0; i < passes; i++) {
        size_t from = i * PASS_RUNS, m = n - from < PASS_RUNS ? n - from : PASS_RUNS;
        double a = lo + (1 - lo) * (double)i / (double)passes;
        double b = lo + (1 - lo) * (double)(i + 1) / (double)passes;
        if (run_pass(runs + from, m, parts, o, a, b, err, errlen)) return -1;
    }
    if (o->progress) o->progress(o->progress_ud, 1);
    *secs = rw_mono() - t0;
    return 0;
}

static void run_free(run_t *r)
{
    rw_rules_free(r->rules);
    rw_bt_leads_free(r->leads);
}

/* ---- the report ------------------------------------------------------------------------ */

/* Appends a load's errors to the caller's diagnostics. */
static void copy_errors(rw_diags_t *to, const rw_diags_t *from, const char *prefix)
{
    for (size_t i = 0; i < from->n; i++)
        if (from->items[i].sev == RW_DIAG_ERROR)
            rw_diag_add(to, RW_DIAG_ERROR, from->items[i].file, from->items[i].line,
                        from->items[i].col, "%s%s", prefix, from->items[i].msg);
}

/* Loads rules with diagnostics into d; with `quiet`, only errors reach d. */
static rw_rules_t *load(const rw_load_opts_t *lo, rw_diags_t *d, int quiet, const char *prefix)
{
    rw_rules_t *r = NULL;
    if (!quiet) {
        rw_rules_load(&r, lo, d);
        return r;
    }
    rw_diags_t local;
    rw_diags_init(&local);
    if (rw_rules_load(&r, lo, &local)) copy_errors(d, &local, prefix);
    rw_diags_free(&local);
    return r;
}

static json_t *events_json(const rw_backtest_opts_t *o, const rw_evset_t *ev, const run_t *r)
{
    const rw_engine_stats_t *st = &r->stats;
    json_t *invalid = json_object();
    for (int c = 1; c < RW_EV__COUNT; c++)
        if (ev->invalid[c])
            json_object_set_new(invalid, rw_event_code_name(c),
                                json_integer((json_int_t)ev->invalid[c]));
    const char *src = o->events_label ? o->events_label : o->events_path;
    return json_pack("{s:s?,s:I,s:I,s:I,s:o,s:I,s:I,s:I,s:I}", "source", src, "lines",
                     (json_int_t)ev->lines, "valid", (json_int_t)ev->n, "invalid",
                     (json_int_t)rw_evset_invalid(ev), "invalid_by_reason", invalid, "applied",
                     (json_int_t)st->outcomes[RW_OUT_APPLIED], "duplicate",
                     (json_int_t)st->outcomes[RW_OUT_DUPLICATE], "late",
                     (json_int_t)st->outcomes[RW_OUT_LATE], "unknown_type",
                     (json_int_t)st->outcomes[RW_OUT_UNKNOWN_TYPE]);
}

/* The values in force of the params rule u reads, with every override of them: a
 * change of another param of its ruleset does not change the rule. */
static json_t *params_json(const rw_rules_t *r, const rw_rule_t *u)
{
    const rw_ruleset_t *rs = &r->rulesets[u->ruleset];
    json_t *base = json_object(), *overrides = json_object();
    for (size_t i = 0; i < rs->n_params; i++)
        if (u->params_read[i])
            json_object_set_new(base, rs->param_names[i], rw_value_to_json(rs->base[i]));
    for (size_t k = 0; k < rs->n_overrides; k++) {
        json_t *ov = json_object();
        for (size_t i = 0; i < rs->n_params; i++)
            if (u->params_read[i])
                json_object_set_new(ov, rs->param_names[i],
                                    rw_value_to_json(rs->overrides[k].values[i]));
        json_object_set_new(overrides, rs->overrides[k].prefix, ov);
    }
    return json_pack("{s:o,s:o}", "params", base, "overrides", overrides);
}

static json_t *rule_row(const rw_rules_t *r, const rw_rule_t *u, const rw_rules_t *other)
{
    int k = rw_rules_find(other, u->id);
    int params_changed = 0;
    if (k >= 0) {
        json_t *a = params_json(r, u), *b = params_json(other, &other->rules[k]);
        params_changed = !json_equal(a, b);
        json_decref(a);
        json_decref(b);
    }
    return json_pack("{s:s,s:s,s:s,s:b,s:b,s:b,s:b}", "rule", u->id, "title", u->title, "ruleset",
                     r->rulesets[u->ruleset].name, "in_current", 1, "in_candidate", 1, "changed",
                     k >= 0 && strcmp(other->rules[k].hash, u->hash) != 0, "params_changed",
                     params_changed);
}

/* Every rule of both sets: the candidate's in order, then those only the current has. */
static json_t *rule_list(const rw_rules_t *cur, const rw_rules_t *cand)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < cand->n_rules; i++) {
        json_t *row = rule_row(cand, &cand->rules[i], cur);
        if (rw_rules_find(cur, cand->rules[i].id) < 0)
            json_object_set_new(row, "in_current", json_false());
        json_array_append_new(arr, row);
    }
    for (size_t i = 0; i < cur->n_rules; i++)
        if (rw_rules_find(cand, cur->rules[i].id) < 0) {
            json_t *row = rule_row(cur, &cur->rules[i], cand);
            json_object_set_new(row, "in_candidate", json_false());
            json_array_append_new(arr, row);
        }
    return arr;
}

static json_t *past_json(const json_t *past, const json_t *index)
{
    if (!past) return json_null();
    json_int_t confirmed = 0, dismissed = 0;
    const char *id;
    json_t *v;
    json_object_foreach(json_object_get(index, "results"), id, v)
    {
        confirmed += !strcmp(json_string_value(v), "confirmed");
        dismissed += !strcmp(json_string_value(v), "dismissed");
    }
    return json_pack("{s:I,s:I,s:I,s:I}", "leads", (json_int_t)json_array_size(past), "confirmed",
                     confirmed, "dismissed", dismissed, "confirmed_entities",
                     (json_int_t)json_object_size(json_object_get(index, "confirmed_entities")));
}

/* The region overrides that give the param another value than the ruleset's own, as
 * {prefix: value}: with any, no sweep row is the configuration in force (each value
 * replaces them all, as --set does). */
static json_t *overridden(const rw_ruleset_t *rs, int idx)
{
    json_t *o = json_object();
    json_t *base = rw_value_to_json(rs->base[idx]);
    for (size_t k = 0; k < rs->n_overrides; k++) {
        json_t *v = rw_value_to_json(rs->overrides[k].values[idx]);
        if (!json_equal(v, base)) json_object_set(o, rs->overrides[k].prefix, v);
        json_decref(v);
    }
    json_decref(base);
    return o;
}

/* A sweep value (YAML scalar text) equals the param's current value. */
static int same_value(const json_t *cur, const char *text)
{
    if (json_is_number(cur)) {
        char *end;
        double d = strtod(text, &end);
        return !*end && end != text && d == json_number_value(cur);
    }
    if (json_is_string(cur)) return !strcmp(json_string_value(cur), text);
    if (json_is_boolean(cur)) return !strcmp(text, json_is_true(cur) ? "true" : "false");
    return 0;
}

json_t *rw_backtest_run(const rw_backtest_opts_t *o, rw_diags_t *d, char *err, size_t errlen)
{
    *err = 0;
    double run_secs = 0;
    rw_evset_t own = {0};
    const rw_evset_t *ev = o->events;
    double lo = 0;
    if (!ev) {
        if (!o->events_path) {
            snprintf(err, errlen, "回测需要事件");
            return NULL;
        }
        if (rw_evset_load_file(&own, o->events_path, NULL, NULL, err, errlen)) return NULL;
        ev = &own;
        lo = 0.1;
    }
    rw_load_opts_t cur_o = {.rules_dir = o->rules_dir ? o->rules_dir : "rules",
                            .models_dir = o->models_dir ? o->models_dir : "models",
                            .today = o->today};
    rw_load_opts_t cand_o = cur_o;
    if (o->candidate_dir) cand_o.rules_dir = o->candidate_dir;
    cand_o.ruleset_text = o->ruleset_text;
    cand_o.ruleset_len = o->ruleset_len;
    cand_o.ruleset_name = o->ruleset_name;
    cand_o.sets = o->sets;
    cand_o.n_sets = o->n_sets;

    json_t *report = NULL, *index = o->past ? rw_backtest_index_past(o->past) : NULL;
    run_t *runs = NULL;
    size_t n_runs = 0;
    rw_rules_t *cand = load(&cand_o, d, 0, "");
    rw_rules_t *cur = NULL;
    rw_param_setting_t *sets = NULL;
    if (!cand) goto done;
    if (o->sweep) {
        const rw_sweep_t *sw = o->sweep;
        int k = rw_rules_find(cand, sw->rule);
        const rw_ruleset_t *rs = k >= 0 ? &cand->rulesets[cand->rules[k].ruleset] : NULL;
        int idx = rs ? rw_ruleset_param(rs, sw->param) : -1;
        if (idx < 0 || !cand->rules[k].params_read[idx]) {
            /* a param the rule never reads gives the same row for every value */
            rw_diag_error(d, "--sweep", 1, 1,
                          k < 0     ? "未知的规则 %s"
                          : idx < 0 ? "规则 %s 所在的规则集没有参数 %s"
                                    : "规则 %s 不读取参数 %s：每个取值的结果都会相同",
                          sw->rule, sw->param);
            goto done;
        }
        json_t *current = rw_value_to_json(rs->base[idx]), *over = overridden(rs, idx);
        n_runs = sw->n_values;
        runs = rw_xcalloc(n_runs, sizeof *runs);
        sets = rw_xcalloc(o->n_sets + 1, sizeof *sets);
        if (o->n_sets) memcpy(sets, o->sets, o->n_sets * sizeof *sets); /* sets may be NULL */
        rw_load_opts_t vo = cand_o;
        vo.sets = sets;
        vo.n_sets = o->n_sets + 1;
        vo.only_rule = sw->rule;
        json_t *values = json_array();
        for (size_t i = 0; i < n_runs; i++) {
            sets[o->n_sets] =
                (rw_param_setting_t){.rule = sw->rule, .name = sw->param, .value = sw->values[i]};
            char prefix[160];
            snprintf(prefix, sizeof prefix, "取值 %s: ", sw->values[i]);
            runs[i] = (run_t){
                .rules = load(&vo, d, 1, prefix), .events = ev, .o = o, .leads = rw_bt_leads_new()};
            if (!runs[i].rules) {
                json_decref(values);
                json_decref(current);
                json_decref(over);
                goto done;
            }
        }
        if (run_all(runs, n_runs, o, lo, &run_secs, err, errlen)) {
            json_decref(values);
            json_decref(current);
            json_decref(over);
            goto done;
        }
        for (size_t i = 0; i < n_runs; i++) {
            json_t *row = rw_backtest_stats(runs[i].leads, index);
            json_object_set_new(row, "value", json_string(sw->values[i]));
            json_object_set_new(
                row, "current",
                json_boolean(!json_object_size(over) && same_value(current, sw->values[i])));
            json_array_append_new(values, row);
        }
        const rw_rule_t *u = &cand->rules[k];
        report =
            json_pack("{s:s,s:o}", "kind", "sweep", "sweep",
                      json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:o}", "rule", u->id, "title", u->title,
                                "ruleset", rs->name, "param", sw->param, "current_value", current,
                                "overrides", over, "values", values));
    } else {
        cur = load(&cur_o, d, 1, "现行规则: ");
        if (!cur) goto done;
        n_runs = 2;
        runs = rw_xcalloc(n_runs, sizeof *runs);
        runs[0] = (run_t){.rules = cur, .events = ev, .o = o, .leads = rw_bt_leads_new()};
        runs[1] = (run_t){.rules = cand, .events = ev, .o = o, .leads = rw_bt_leads_new()};
        cur = cand = NULL; /* the runs own them now */
        if (run_all(runs, n_runs, o, lo, &run_secs, err, errlen)) goto done;
        json_t *rules = rule_list(runs[0].rules, runs[1].rules);
        json_t *rows = rw_backtest_compare(rules, runs[0].leads, runs[1].leads, index);
        json_decref(rules);
        json_int_t added = 0, removed = 0;
        size_t i;
        json_t *row;
        json_array_foreach(rows, i, row)
        {
            added += json_integer_value(json_object_get(json_object_get(row, "added"), "count"));
            removed +=
                json_integer_value(json_object_get(json_object_get(row, "removed"), "count"));
        }
        report = json_pack("{s:s,s:{s:o,s:o,s:I,s:I},s:o}", "kind", "backtest", "totals", "current",
                           rw_backtest_stats(runs[0].leads, index), "candidate",
                           rw_backtest_stats(runs[1].leads, index), "added", added, "removed",
                           removed, "rules", rows);
    }
    json_t *regions = json_array(), *set_list = json_array();
    for (size_t i = 0; i < o->n_regions; i++)
        json_array_append_new(regions, json_string(o->regions[i]));
    for (size_t i = 0; i < o->n_sets; i++) {
        const rw_param_setting_t *s = &o->sets[i];
        json_array_append_new(set_list, json_sprintf("%s%s%s=%s", s->rule ? s->rule : "",
                                                     s->rule ? ":" : "", s->name, s->value));
    }
    char candidate[1024];
    snprintf(candidate, sizeof candidate, "%s%s%s", cand_o.rules_dir, o->ruleset_text ? " + " : "",
             o->ruleset_text ? (o->ruleset_name ? o->ruleset_name : "规则集文本") : "");
    json_object_update_new(
        report, json_pack("{s:o,s:s,s:s,s:o,s:o,s:o,s:{s:f,s:f,s:I,s:i,s:f}}", "events",
                          events_json(o, ev, &runs[0]), "against", cur_o.rules_dir, "candidate",
                          candidate, "sets", set_list, "regions", regions, "dispositions",
                          past_json(o->past, index), "timing", "parse_seconds", ev->seconds,
                          "run_seconds", run_secs, "runs", (json_int_t)n_runs, "threads",
                          o->threads > 0 ? o->threads : 2, "events_per_second",
                          run_secs > 0 ? (double)ev->lines * (double)n_runs / run_secs : 0.0));
done:
    for (size_t i = 0; i < n_runs; i++)
        run_free(&runs[i]);
    free(runs);
    free(sets);
    rw_rules_free(cand);
    rw_rules_free(cur);
    json_decref(index);
    rw_evset_free(&own);
    if (!report && !*err && d->errors)
        snprintf(err, errlen, "规则加载失败（%zu 个错误）", d->errors);
    return report;
}
