/* aggstate.c — time-bucketed per-entity aggregates, last-event logs, retention
 * pruning and their binary encoding. */
#include "aggstate.h"

#include "eval.h"
#include "rwtime.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- layout ---------------------------------------------------------------------- */

static int series_for(rw_layout_t *l, int stream, char unit)
{
    for (size_t i = 0; i < l->n_series; i++)
        if (l->series[i].stream == stream && l->series[i].unit == unit) return (int)i;
    l->series = rw_xrealloc(l->series, (l->n_series + 1) * sizeof *l->series);
    l->series[l->n_series] = (rw_series_def_t){.stream = stream, .unit = unit};
    return (int)l->n_series++;
}

static int slot_for(rw_evpath_t ***arr, size_t *n, rw_evpath_t *f)
{
    for (size_t i = 0; i < *n; i++)
        if (rw_evpath_equal((*arr)[i], f)) return (int)i;
    *arr = rw_xrealloc(*arr, (*n + 1) * sizeof **arr);
    (*arr)[*n] = f;
    return (int)(*n)++;
}

static int log_for(rw_layout_t *l, int stream)
{
    for (size_t i = 0; i < l->n_logs; i++)
        if (l->logs[i].stream == stream) return (int)i;
    l->logs = rw_xrealloc(l->logs, (l->n_logs + 1) * sizeof *l->logs);
    l->logs[l->n_logs] = (rw_lastlog_def_t){.stream = stream};
    return (int)l->n_logs++;
}

static char *path_text(const rw_evpath_t *p)
{
    static const char *const names[] = {"id", "type", "entity", "time", "region", "source"};
    rw_buf_t b;
    rw_buf_init(&b);
    if (p->field != RW_EF_ATTR)
        rw_buf_puts(&b, names[p->field]);
    else {
        rw_buf_puts(&b, "attrs");
        for (size_t i = 0; i < p->n_segs; i++)
            rw_buf_printf(&b, ".%s", p->segs[i]);
    }
    return rw_buf_steal(&b);
}

static char **path_names(rw_evpath_t **paths, size_t n)
{
    char **names = rw_xcalloc(n ? n : 1, sizeof *names);
    for (size_t k = 0; k < n; k++)
        names[k] = path_text(paths[k]);
    return names;
}

static void free_names(char **names, size_t n)
{
    for (size_t k = 0; k < n; k++)
        free(names[k]);
    free(names);
}

rw_layout_t *rw_layout_build(const rw_rules_t *rules)
{
    rw_layout_t *l = rw_xcalloc(1, sizeof *l);
    l->rules = rules;
    l->n_sites = rules->n_calls;
    l->sites = rw_xcalloc(l->n_sites ? l->n_sites : 1, sizeof *l->sites);
    for (size_t c = 0; c < rules->n_calls; c++) {
        rw_callspec_t *spec = &rules->calls[c];
        rw_call_site_t *site = &l->sites[c];
        *site = (rw_call_site_t){.series = -1, .slot = -1, .lastlog = -1, .field = -1};
        if (rw_agg_is_window(spec->kind)) {
            site->series = series_for(l, spec->stream, spec->unit);
            rw_series_def_t *s = &l->series[site->series];
            if (spec->kind == RW_AGG_DISTINCT)
                site->slot = slot_for(&s->dist, &s->n_dist, &spec->field);
            else if (spec->kind != RW_AGG_COUNT)
                site->slot = slot_for(&s->num, &s->n_num, &spec->field);
        } else if (spec->kind == RW_AGG_LAST || spec->kind == RW_AGG_SINCE) {
            site->lastlog = log_for(l, spec->stream);
            rw_lastlog_def_t *g = &l->logs[site->lastlog];
            if (spec->kind == RW_AGG_LAST)
                site->field = slot_for(&g->fields, &g->n_fields, &spec->field);
        }
    }
    for (size_t m = 0; m < rules->n_models; m++)
        if (rules->models[m].kind == RW_MODEL_EWMA) {
            l->ewmas = rw_xrealloc(l->ewmas, (l->n_ewmas + 1) * sizeof *l->ewmas);
            l->ewmas[l->n_ewmas++] = (int)m;
        }
    for (size_t r = 0; r < rules->n_rules; r++)
        for (size_t k = 0; k < rules->rules[r].n_window_calls; k++)
            l->series[l->sites[rules->rules[r].window_calls[k]].series].ids = 1;
    for (size_t s = 0; s < l->n_series; s++) {
        l->series[s].num_names = path_names(l->series[s].num, l->series[s].n_num);
        l->series[s].dist_names = path_names(l->series[s].dist, l->series[s].n_dist);
    }
    for (size_t g = 0; g < l->n_logs; g++)
        l->logs[g].field_names = path_names(l->logs[g].fields, l->logs[g].n_fields);
    return l;
}

void rw_layout_free(rw_layout_t *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->n_series; i++) {
        free_names(l->series[i].num_names, l->series[i].n_num);
        free_names(l->series[i].dist_names, l->series[i].n_dist);
        free(l->series[i].num);
        free(l->series[i].dist);
    }
    for (size_t i = 0; i < l->n_logs; i++) {
        free_names(l->logs[i].field_names, l->logs[i].n_fields);
        free(l->logs[i].fields);
    }
    free(l->series);
    free(l->logs);
    free(l->sites);
    free(l->ewmas);
    free(l);
}

/* ---- state ----------------------------------------------------------------------- */

typedef struct {
    uint32_t n;
    double sum, min, max;
} numstat_t;

typedef struct {
    char **v;
    uint32_t n;
} strset_t;

/* An event id in a bucket; ids are short, so most live inline with no allocation. */
typedef struct {
    double time;
    uint64_t seq;
    char *heap; /* ids of 24 bytes or more */
    char small[24];
} idref_t;

static const char *idref_text(const idref_t *r)
{
    return r->heap ? r->heap : r->small;
}

typedef struct {
    int64_t key;
    uint32_t count;
    numstat_t *num;
    strset_t *dist;
    idref_t *ids;
    uint32_t n_ids;
} bucket_t;

typedef struct {
    bucket_t *b;
    size_t n, cap;
    /* cum[i] = events in b[0..i]: a count over a window is two lookups, not a walk
     * over up to 400 buckets. Valid below cum_valid; changes lower it, queries
     * extend it (events mostly land in the newest bucket, so that is cheap). */
    uint64_t *cum;
    size_t cum_valid;
} series_t;

typedef struct {
    double time;
    uint64_t seq;
    rw_value_t *vals;
} logent_t;

typedef struct {
    logent_t *e;
    size_t n, cap;
} log_t;

/* Ids of applied events within retention, as 64-bit hashes with their local date:
 * open addressing, 0 marks an empty slot. */
typedef struct {
    uint64_t *h;
    int32_t *day;
    size_t n_slots, count;
    int32_t min_day; /* oldest date held, so pruning is free until it ages out */
} seen_t;

struct rw_aggs {
    const rw_layout_t *l;
    int has_max;
    double max_time;
    uint64_t seq;
    int64_t pruned_at; /* retention cut-off of the last pruning */
    series_t **series; /* by layout series; NULL until it holds data: an entity feeds few
                        * of the rules' series, and most entities are small */
    log_t *logs;
    seen_t seen;
    rw_ewma_t *ewma; /* by position in the layout's ewmas */
};

rw_aggs_t *rw_aggs_new(const rw_layout_t *l)
{
    rw_aggs_t *a = rw_xcalloc(1, sizeof *a);
    a->l = l;
    a->series = rw_xcalloc(l->n_series ? l->n_series : 1, sizeof *a->series);
    a->logs = rw_xcalloc(l->n_logs ? l->n_logs : 1, sizeof *a->logs);
    a->ewma = rw_xcalloc(l->n_ewmas ? l->n_ewmas : 1, sizeof *a->ewma);
    return a;
}

static void bucket_free(const rw_series_def_t *def, bucket_t *b)
{
    for (size_t k = 0; k < def->n_dist; k++) {
        for (uint32_t i = 0; i < b->dist[k].n; i++)
            free(b->dist[k].v[i]);
        free(b->dist[k].v);
    }
    for (uint32_t i = 0; i < b->n_ids; i++)
        free(b->ids[i].heap);
    free(b->num);
    free(b->dist);
    free(b->ids);
}

static void value_drop(rw_value_t *v)
{
    if (v->kind == RW_V_STR) free((char *)v->s);
}

static void logent_free(const rw_lastlog_def_t *def, logent_t *e)
{
    for (size_t k = 0; k < def->n_fields; k++)
        value_drop(&e->vals[k]);
    free(e->vals);
}

void rw_aggs_free(rw_aggs_t *a)
{
    if (!a) return;
    for (size_t s = 0; s < a->l->n_series; s++) {
        series_t *ser = a->series[s];
        if (!ser) continue;
        for (size_t i = 0; i < ser->n; i++)
            bucket_free(&a->l->series[s], &ser->b[i]);
        free(ser->b);
        free(ser->cum);
        free(ser);
    }
    for (size_t g = 0; g < a->l->n_logs; g++) {
        for (size_t i = 0; i < a->logs[g].n; i++)
            logent_free(&a->l->logs[g], &a->logs[g].e[i]);
        free(a->logs[g].e);
    }
    free(a->series);
    free(a->logs);
    free(a->seen.h);
    free(a->seen.day);
    free(a->ewma);
    free(a);
}

static uint64_t id_hash(const char *id, size_t len)
{
    uint64_t h = rw_hash64(id, len);
    return h ? h : 1;
}

static void seen_insert(seen_t *s, uint64_t h, int32_t day)
{
    if ((s->count + 1) * 2 > s->n_slots) {
        seen_t big = {.n_slots = s->n_slots ? s->n_slots * 2 : 16};
        big.h = rw_xcalloc(big.n_slots, sizeof *big.h);
        big.day = rw_xcalloc(big.n_slots, sizeof *big.day);
        for (size_t i = 0; i < s->n_slots; i++)
            if (s->h[i]) seen_insert(&big, s->h[i], s->day[i]);
        free(s->h);
        free(s->day);
        *s = big;
    }
    size_t i = h & (s->n_slots - 1);
    while (s->h[i] && s->h[i] != h)
        i = (i + 1) & (s->n_slots - 1);
    if (!s->count || day < s->min_day) s->min_day = day;
    if (!s->h[i]) s->count++;
    s->h[i] = h;
    s->day[i] = day;
}

int rw_aggs_seen(const rw_aggs_t *a, const char *id, size_t len)
{
    const seen_t *s = &a->seen;
    if (!s->n_slots) return 0;
    uint64_t h = id_hash(id, len);
    for (size_t i = h & (s->n_slots - 1); s->h[i]; i = (i + 1) & (s->n_slots - 1))
        if (s->h[i] == h) return 1;
    return 0;
}

/* Ids that aged out are dropped a month at a time, not daily: rebuilding the set is
 * linear in its size. An aged-out id still found classifies its event as a duplicate,
 * which events.md checks before lateness anyway. */
#define SEEN_SLACK_DAYS 30

static void seen_prune(seen_t *s, int64_t cut)
{
    if (!s->count || s->min_day >= cut - SEEN_SLACK_DAYS) return;
    seen_t kept = {0};
    for (size_t i = 0; i < s->n_slots; i++)
        if (s->h[i] && s->day[i] >= cut) seen_insert(&kept, s->h[i], s->day[i]);
    free(s->h);
    free(s->day);
    *s = kept;
}

int rw_aggs_has_max(const rw_aggs_t *a)
{
    return a->has_max;
}

double rw_aggs_max_time(const rw_aggs_t *a)
{
    return a->max_time;
}

uint64_t rw_aggs_seq(const rw_aggs_t *a)
{
    return a->seq;
}

/* Index of the first bucket with key >= k. */
static size_t lower_bound(const series_t *s, int64_t k)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->b[mid].key < k)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bucket_t *bucket_at(const rw_series_def_t *def, series_t *s, int64_t key)
{
    size_t i = lower_bound(s, key);
    if (i < s->cum_valid) s->cum_valid = i; /* the caller changes or inserts b[i] */
    if (i < s->n && s->b[i].key == key) return &s->b[i];
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 4;
        s->b = rw_xrealloc(s->b, s->cap * sizeof *s->b);
        s->cum = rw_xrealloc(s->cum, s->cap * sizeof *s->cum);
    }
    memmove(&s->b[i + 1], &s->b[i], (s->n - i) * sizeof *s->b);
    s->n++;
    bucket_t *b = &s->b[i];
    memset(b, 0, sizeof *b);
    b->key = key;
    b->num =
        def->n_num ? rw_xcalloc(def->n_num, sizeof *b->num) : NULL; /* most series only count */
    b->dist = def->n_dist ? rw_xcalloc(def->n_dist, sizeof *b->dist) : NULL;
    return b;
}

static series_t *series_get(rw_aggs_t *a, size_t s)
{
    if (!a->series[s]) a->series[s] = rw_xcalloc(1, sizeof *a->series[s]);
    return a->series[s];
}

/* Distinct values are compared as type-tagged text so 1 and "1" stay apart. */
static char *canonical(rw_value_t v)
{
    rw_buf_t b;
    rw_buf_init(&b);
    switch (v.kind) {
    case RW_V_STR:
        rw_buf_putc(&b, 's');
        rw_buf_append(&b, v.s, v.len);
        break;
    case RW_V_NUM:
        rw_buf_printf(&b, "n%.17g", v.num == 0 ? 0.0 : v.num);
        break;
    case RW_V_BOOL:
        rw_buf_puts(&b, v.b ? "btrue" : "bfalse");
        break;
    case RW_V_NULL:
        break;
    }
    return rw_buf_steal(&b);
}

static void set_add(strset_t *set, char *s)
{
    for (uint32_t i = 0; i < set->n; i++)
        if (strcmp(set->v[i], s) == 0) {
            free(s);
            return;
        }
    set->v = rw_xrealloc(set->v, (set->n + 1) * sizeof *set->v);
    set->v[set->n++] = s;
}

static int idref_before(double t1, uint64_t s1, double t2, uint64_t s2)
{
    return t1 < t2 || (t1 == t2 && s1 < s2);
}

static void ids_add(bucket_t *b, double time, uint64_t seq, const char *id, size_t id_len)
{
    if (b->n_ids == RW_EVENTS_MAX && idref_before(time, seq, b->ids[0].time, b->ids[0].seq)) return;
    if (b->n_ids == RW_EVENTS_MAX) { /* drop the oldest */
        free(b->ids[0].heap);
        memmove(&b->ids[0], &b->ids[1], (--b->n_ids) * sizeof *b->ids);
    }
    b->ids = rw_xrealloc(b->ids, (b->n_ids + 1) * sizeof *b->ids);
    uint32_t i = b->n_ids;
    while (i > 0 && idref_before(time, seq, b->ids[i - 1].time, b->ids[i - 1].seq)) {
        b->ids[i] = b->ids[i - 1];
        i--;
    }
    b->ids[i] = (idref_t){.time = time, .seq = seq};
    if (id_len < sizeof b->ids[i].small)
        memcpy(b->ids[i].small, id, id_len); /* zero-filled: NUL-terminated */
    else
        b->ids[i].heap = rw_xstrndup(id, id_len);
    b->n_ids++;
}

static rw_value_t value_own(rw_value_t v)
{
    if (v.kind == RW_V_STR) v.s = rw_xstrndup(v.s, v.len);
    return v;
}

static int64_t cutoff_day(const rw_aggs_t *a, int tz_min)
{
    return rw_local_day(a->max_time, tz_min) - (RW_RETENTION_DAYS - 1);
}

static int64_t key_day(char unit, int64_t key)
{
    if (unit == 'd') return key;
    return key >= 0 ? key / 24 : -((-key + 23) / 24);
}

static void prune(rw_aggs_t *a, int tz_min)
{
    int64_t cut = cutoff_day(a, tz_min);
    if (cut == a->pruned_at) return; /* nothing new has aged out */
    a->pruned_at = cut;
    seen_prune(&a->seen, cut);
    for (size_t s = 0; s < a->l->n_series; s++) {
        series_t *ser = a->series[s];
        size_t drop = 0;
        if (!ser) continue;
        while (drop < ser->n && key_day(a->l->series[s].unit, ser->b[drop].key) < cut)
            bucket_free(&a->l->series[s], &ser->b[drop++]);
        if (drop) {
            memmove(ser->b, ser->b + drop, (ser->n - drop) * sizeof *ser->b);
            ser->n -= drop;
            ser->cum_valid = 0;
        }
    }
    for (size_t g = 0; g < a->l->n_logs; g++) {
        log_t *lg = &a->logs[g];
        size_t drop = 0;
        while (drop < lg->n && rw_local_day(lg->e[drop].time, tz_min) < cut)
            logent_free(&a->l->logs[g], &lg->e[drop++]);
        if (drop) {
            memmove(lg->e, lg->e + drop, (lg->n - drop) * sizeof *lg->e);
            lg->n -= drop;
        }
    }
}

/* glibc's malloc adds 8 bytes to each block and rounds to 16 */
static size_t block(size_t n)
{
    return n ? (n + 8 + 15) & ~(size_t)15 : 0;
}

size_t rw_aggs_footprint(const rw_aggs_t *a)
{
    const rw_layout_t *l = a->l;
    size_t n = block(sizeof *a) + block(l->n_series * sizeof *a->series) +
               block(l->n_logs * sizeof *a->logs) + block(l->n_ewmas * sizeof *a->ewma) +
               2 * block(a->seen.n_slots * 8);
    for (size_t s = 0; s < l->n_series; s++) {
        const series_t *ser = a->series[s];
        const rw_series_def_t *def = &l->series[s];
        if (!ser) continue;
        n += block(sizeof *ser) + block(ser->cap * sizeof *ser->b) +
             block(ser->cap * sizeof *ser->cum);
        for (size_t i = 0; i < ser->n; i++) {
            const bucket_t *b = &ser->b[i];
            n += block(def->n_num * sizeof *b->num) + block(def->n_dist * sizeof *b->dist) +
                 block(b->n_ids * sizeof *b->ids);
            for (size_t k = 0; k < def->n_dist; k++) {
                n += block(b->dist[k].n * sizeof *b->dist[k].v);
                for (uint32_t v = 0; v < b->dist[k].n; v++)
                    n += block(strlen(b->dist[k].v[v]) + 1);
            }
        }
    }
    for (size_t g = 0; g < l->n_logs; g++) {
        const log_t *lg = &a->logs[g];
        n += block(lg->cap * sizeof *lg->e);
        for (size_t i = 0; i < lg->n; i++) {
            n += block((l->logs[g].n_fields ? l->logs[g].n_fields : 1) * sizeof *lg->e[i].vals);
            for (size_t k = 0; k < l->logs[g].n_fields; k++)
                if (lg->e[i].vals[k].kind == RW_V_STR) n += block(lg->e[i].vals[k].len + 1);
        }
    }
    return n;
}

const rw_ewma_t *rw_aggs_ewma(const rw_aggs_t *a, int model)
{
    for (size_t i = 0; i < a->l->n_ewmas; i++)
        if (a->l->ewmas[i] == model) return &a->ewma[i];
    return NULL;
}

uint64_t rw_aggs_apply(rw_aggs_t *a, const rw_event_t *ev, const json_t *profile,
                       const unsigned char *member, int tz_min)
{
    uint64_t seq = ++a->seq;
    if (!a->has_max || ev->time > a->max_time) {
        a->max_time = ev->time;
        a->has_max = 1;
    }
    int64_t day = rw_local_day(ev->time, tz_min), hour = rw_local_hour(ev->time, tz_min);
    seen_insert(&a->seen, id_hash(ev->id, ev->id_len), (int32_t)day);
    for (size_t s = 0; s < a->l->n_series; s++) {
        const rw_series_def_t *def = &a->l->series[s];
        if (!member[def->stream]) continue;
        bucket_t *b = bucket_at(def, series_get(a, s), def->unit == 'd' ? day : hour);
        b->count++;
        for (size_t k = 0; k < def->n_num; k++) {
            rw_value_t v = rw_evpath_read(def->num[k], ev);
            if (v.kind != RW_V_NUM) continue;
            numstat_t *st = &b->num[k];
            if (st->n == 0 || v.num < st->min) st->min = v.num;
            if (st->n == 0 || v.num > st->max) st->max = v.num;
            st->sum += v.num;
            st->n++;
        }
        for (size_t k = 0; k < def->n_dist; k++) {
            rw_value_t v = rw_evpath_read(def->dist[k], ev);
            if (v.kind != RW_V_NULL) set_add(&b->dist[k], canonical(v));
        }
        if (def->ids) ids_add(b, ev->time, seq, ev->id, ev->id_len);
    }
    for (size_t g = 0; g < a->l->n_logs; g++) {
        const rw_lastlog_def_t *def = &a->l->logs[g];
        if (!member[def->stream]) continue;
        log_t *lg = &a->logs[g];
        if (lg->n == lg->cap) {
            lg->cap = lg->cap ? lg->cap * 2 : 4;
            lg->e = rw_xrealloc(lg->e, lg->cap * sizeof *lg->e);
        }
        size_t i = lg->n; /* seq is the greatest so far: after every entry of time <= t */
        while (i > 0 && lg->e[i - 1].time > ev->time)
            i--;
        memmove(&lg->e[i + 1], &lg->e[i], (lg->n - i) * sizeof *lg->e);
        lg->n++;
        logent_t *e = &lg->e[i];
        e->time = ev->time;
        e->seq = seq;
        e->vals = rw_xcalloc(def->n_fields ? def->n_fields : 1, sizeof *e->vals);
        for (size_t k = 0; k < def->n_fields; k++)
            e->vals[k] = value_own(rw_evpath_read(def->fields[k], ev));
    }
    for (size_t i = 0; i < a->l->n_ewmas; i++) {
        const rw_model_t *m = &a->l->rules->models[a->l->ewmas[i]];
        if (!member[m->stream]) continue;
        rw_eval_env_t env = {.ev = ev, .profile = profile};
        rw_ewma_update(m, &a->ewma[i], &env);
        rw_eval_env_reset(&env);
        free(env.scratch);
    }
    prune(a, tz_min);
    return seq;
}

/* The bucket-key range [lo, hi] a window covers at time t, clipped to retention. */
static void window_range(const rw_aggs_t *a, const rw_callspec_t *spec, double t, int tz_min,
                         int64_t *lo, int64_t *hi)
{
    int64_t cut = cutoff_day(a, tz_min);
    if (spec->unit == 'd') {
        *hi = rw_local_day(t, tz_min);
        *lo = *hi - spec->window + 1;
    } else {
        *hi = rw_local_hour(t, tz_min);
        *lo = *hi - spec->window + 1;
        cut *= 24;
    }
    if (*lo < cut) *lo = cut;
}

static int cmp_cstr(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Events in buckets [i0, i1) from the running counts. */
static uint64_t count_range(series_t *s, size_t i0, size_t i1)
{
    if (i1 <= i0) return 0;
    for (; s->cum_valid < i1; s->cum_valid++)
        s->cum[s->cum_valid] =
            (s->cum_valid ? s->cum[s->cum_valid - 1] : 0) + s->b[s->cum_valid].count;
    return s->cum[i1 - 1] - (i0 ? s->cum[i0 - 1] : 0);
}

rw_value_t rw_aggs_query(rw_aggs_t *a, int call, double t, int tz_min)
{
    const rw_callspec_t *spec = &a->l->rules->calls[call];
    const rw_call_site_t *site = &a->l->sites[call];
    if (site->lastlog >= 0) {
        const log_t *lg = &a->logs[site->lastlog];
        int64_t cut = cutoff_day(a, tz_min);
        size_t i = lg->n;
        while (i > 0 && lg->e[i - 1].time > t)
            i--;
        if (i == 0 || rw_local_day(lg->e[i - 1].time, tz_min) < cut) return rw_null();
        const logent_t *e = &lg->e[i - 1];
        return spec->kind == RW_AGG_SINCE ? rw_num(t - e->time) : e->vals[site->field];
    }
    series_t empty = {0}, *s = a->series[site->series] ? a->series[site->series] : &empty;
    int64_t lo, hi;
    window_range(a, spec, t, tz_min, &lo, &hi);
    if (spec->kind == RW_AGG_COUNT) {
        size_t i0 = lower_bound(s, lo), i1 = hi < INT64_MAX ? lower_bound(s, hi + 1) : s->n;
        return rw_num((double)count_range(s, i0, i1));
    }
    double sum = 0, mn = 0, mx = 0, n = 0;
    char **vals = NULL;
    size_t n_vals = 0;
    for (size_t i = lower_bound(s, lo); i < s->n && s->b[i].key <= hi; i++) {
        const bucket_t *b = &s->b[i];
        if (spec->kind == RW_AGG_DISTINCT) {
            const strset_t *set = &b->dist[site->slot];
            vals = rw_xrealloc(vals, (n_vals + set->n + 1) * sizeof *vals);
            for (uint32_t k = 0; k < set->n; k++)
                vals[n_vals++] = set->v[k];
        } else if (site->slot >= 0) {
            const numstat_t *st = &b->num[site->slot];
            if (!st->n) continue;
            if (n == 0 || st->min < mn) mn = st->min;
            if (n == 0 || st->max > mx) mx = st->max;
            sum += st->sum;
            n += st->n;
        }
    }
    switch (spec->kind) {
    case RW_AGG_SUM:
        return rw_num(sum);
    case RW_AGG_AVG:
        return n ? rw_num(sum / n) : rw_null();
    case RW_AGG_MIN:
        return n ? rw_num(mn) : rw_null();
    case RW_AGG_MAX:
        return n ? rw_num(mx) : rw_null();
    case RW_AGG_DISTINCT: {
        size_t uniq = 0;
        if (n_vals) {
            qsort(vals, n_vals, sizeof *vals, cmp_cstr);
            uniq = 1;
            for (size_t k = 1; k < n_vals; k++)
                uniq += strcmp(vals[k], vals[k - 1]) != 0;
        }
        free(vals);
        return rw_num((double)uniq);
    }
    default:
        return rw_null();
    }
}

static int cmp_idref(const void *x, const void *y)
{
    const idref_t *a = x, *b = y;
    if (a->time != b->time) return a->time < b->time ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void rw_aggs_events(const rw_aggs_t *a, const int *calls, size_t n_calls, double t, int tz_min,
                    json_t *arr)
{
    idref_t *all = NULL;
    size_t n = 0;
    for (size_t c = 0; c < n_calls; c++) {
        const rw_callspec_t *spec = &a->l->rules->calls[calls[c]];
        const series_t *s = a->series[a->l->sites[calls[c]].series];
        int64_t lo, hi;
        if (!s) continue;
        window_range(a, spec, t, tz_min, &lo, &hi);
        /* buckets are in time order, so the newest RW_EVENTS_MAX of this window come
         * from walking back from its end: older buckets cannot contribute */
        size_t first = lower_bound(s, lo), taken = 0;
        for (size_t i = hi < INT64_MAX ? lower_bound(s, hi + 1) : s->n;
             i > first && taken < RW_EVENTS_MAX; i--) {
            const bucket_t *b = &s->b[i - 1];
            all = rw_xrealloc(all, (n + b->n_ids + 1) * sizeof *all);
            memcpy(all + n, b->ids, b->n_ids * sizeof *all);
            n += b->n_ids;
            taken += b->n_ids;
        }
    }
    if (n) qsort(all, n, sizeof *all, cmp_idref);
    size_t uniq = 0; /* an event in several streams is listed once */
    for (size_t i = 0; i < n; i++)
        if (uniq == 0 || all[uniq - 1].seq != all[i].seq) all[uniq++] = all[i];
    size_t from = uniq > RW_EVENTS_MAX ? uniq - RW_EVENTS_MAX : 0;
    for (size_t i = from; i < uniq; i++)
        json_array_append_new(arr, json_string(idref_text(&all[i])));
    free(all);
}

/* ---- encoding -------------------------------------------------------------------- */

/* Format 4: integers as LEB128 varints, bucket keys, days and processing numbers as
 * small deltas, whole-second times as integers; only series and logs holding data are
 * written, each under its names so a reload can map it. */
#define AGGS_FORMAT 4

static void put_varint(rw_buf_t *b, uint64_t v)
{
    char tmp[10];
    size_t n = 0;
    for (; v >= 0x80; v >>= 7)
        tmp[n++] = (char)(v | 0x80);
    tmp[n++] = (char)v;
    rw_buf_append(b, tmp, n);
}

static uint64_t zigzag(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static void put_svarint(rw_buf_t *b, int64_t v)
{
    put_varint(b, zigzag(v));
}

static void put_f64(rw_buf_t *b, double v)
{
    rw_buf_append(b, &v, 8);
}

static void put_str(rw_buf_t *b, const char *s, size_t n)
{
    put_varint(b, n);
    rw_buf_append(b, s, n);
}

/* Event times are mostly whole seconds: those go as a varint delta from `base` with the
 * low bit clear, any other as the low bit set and the double. */
static void put_time(rw_buf_t *b, double t, int64_t base)
{
    if (t == floor(t) && fabs(t) < 1e12) {
        put_varint(b, zigzag((int64_t)t - base) << 1);
    } else {
        put_varint(b, 1);
        put_f64(b, t);
    }
}

static void put_value(rw_buf_t *b, rw_value_t v)
{
    rw_buf_putc(b, (char)v.kind);
    if (v.kind == RW_V_NUM) put_f64(b, v.num);
    if (v.kind == RW_V_BOOL) rw_buf_putc(b, (char)v.b);
    if (v.kind == RW_V_STR) put_str(b, v.s, v.len);
}

typedef struct {
    uint64_t h;
    int32_t day;
} seen_entry_t;

static int cmp_seen_entry(const void *x, const void *y)
{
    uint64_t a = ((const seen_entry_t *)x)->h, b = ((const seen_entry_t *)y)->h;
    return a < b ? -1 : a > b;
}

static void put_names(rw_buf_t *out, char *const *names, size_t n)
{
    put_varint(out, n);
    for (size_t k = 0; k < n; k++)
        put_str(out, names[k], strlen(names[k]));
}

static void put_series(rw_buf_t *out, const rw_aggs_t *a, size_t s, int64_t tbase)
{
    const rw_series_def_t *def = &a->l->series[s];
    const series_t *ser = a->series[s];
    const char *name = a->l->rules->streams[def->stream].name;
    put_varint(out, s);
    put_str(out, name, strlen(name));
    rw_buf_putc(out, def->unit);
    rw_buf_putc(out, (char)def->ids);
    put_names(out, def->num_names, def->n_num);
    put_names(out, def->dist_names, def->n_dist);
    put_varint(out, ser->n);
    int64_t prev = 0;
    for (size_t i = 0; i < ser->n; i++) {
        const bucket_t *b = &ser->b[i];
        put_svarint(out, b->key - prev);
        prev = b->key;
        put_varint(out, b->count);
        for (size_t k = 0; k < def->n_num; k++) {
            put_varint(out, b->num[k].n);
            if (!b->num[k].n) continue;
            put_f64(out, b->num[k].sum);
            put_f64(out, b->num[k].min);
            put_f64(out, b->num[k].max);
        }
        for (size_t k = 0; k < def->n_dist; k++) {
            put_varint(out, b->dist[k].n);
            for (uint32_t v = 0; v < b->dist[k].n; v++)
                put_str(out, b->dist[k].v[v], strlen(b->dist[k].v[v]));
        }
        put_varint(out, def->ids ? b->n_ids : 0);
        for (uint32_t v = 0; def->ids && v < b->n_ids; v++) {
            const char *id = idref_text(&b->ids[v]);
            put_time(out, b->ids[v].time, tbase);
            put_varint(out, a->seq - b->ids[v].seq);
            put_str(out, id, strlen(id));
        }
    }
}

static void put_log(rw_buf_t *out, const rw_aggs_t *a, size_t g, int64_t tbase)
{
    const rw_lastlog_def_t *def = &a->l->logs[g];
    const log_t *lg = &a->logs[g];
    const char *name = a->l->rules->streams[def->stream].name;
    put_str(out, name, strlen(name));
    put_names(out, def->field_names, def->n_fields);
    put_varint(out, lg->n);
    for (size_t i = 0; i < lg->n; i++) {
        put_time(out, lg->e[i].time, tbase);
        put_varint(out, a->seq - lg->e[i].seq);
        for (size_t k = 0; k < def->n_fields; k++)
            put_value(out, lg->e[i].vals[k]);
    }
}

static void put_ewma(rw_buf_t *out, const char *name, const rw_ewma_t *e)
{
    put_str(out, name, strlen(name));
    put_f64(out, e->n);
    put_f64(out, e->mean);
    put_f64(out, e->var);
    rw_buf_putc(out, (char)e->has_sample);
    rw_buf_putc(out, (char)e->z_null);
    put_f64(out, e->z);
    put_f64(out, e->x);
    put_f64(out, e->mean_before);
    put_f64(out, e->sd_before);
}

void rw_aggs_encode(const rw_aggs_t *a, rw_buf_t *out)
{
    const rw_layout_t *l = a->l;
    const rw_rules_t *r = l->rules;
    put_varint(out, AGGS_FORMAT);
    rw_buf_putc(out, (char)a->has_max);
    put_f64(out, a->max_time);
    put_varint(out, a->seq);
    put_svarint(out, a->pruned_at);
    int64_t tbase = (int64_t)floor(a->max_time);
    /* in hash order, so the same state always encodes to the same bytes */
    seen_entry_t *sorted = rw_xmalloc((a->seen.count + 1) * sizeof *sorted);
    size_t n_seen = 0;
    for (size_t i = 0; i < a->seen.n_slots; i++)
        if (a->seen.h[i]) sorted[n_seen++] = (seen_entry_t){a->seen.h[i], a->seen.day[i]};
    qsort(sorted, n_seen, sizeof *sorted, cmp_seen_entry);
    put_varint(out, n_seen);
    for (size_t i = 0; i < n_seen; i++) {
        rw_buf_append(out, &sorted[i].h, 8);
        put_svarint(out, sorted[i].day - a->pruned_at);
    }
    free(sorted);
    size_t n = 0;
    for (size_t s = 0; s < l->n_series; s++)
        n += a->series[s] && a->series[s]->n > 0;
    put_varint(out, n);
    for (size_t s = 0; s < l->n_series; s++)
        if (a->series[s] && a->series[s]->n) put_series(out, a, s, tbase);
    n = 0;
    for (size_t g = 0; g < l->n_logs; g++)
        n += a->logs[g].n > 0;
    put_varint(out, n);
    for (size_t g = 0; g < l->n_logs; g++)
        if (a->logs[g].n) put_log(out, a, g, tbase);
    put_varint(out, l->n_ewmas);
    for (size_t i = 0; i < l->n_ewmas; i++)
        put_ewma(out, r->models[l->ewmas[i]].name, &a->ewma[i]);
}

typedef struct {
    const char *p;
    size_t n, pos;
    int bad;
} reader_t;

static int take(reader_t *r, void *out, size_t n)
{
    if (r->bad || r->pos + n > r->n) {
        r->bad = 1;
        memset(out, 0, n);
        return -1;
    }
    memcpy(out, r->p + r->pos, n);
    r->pos += n;
    return 0;
}

static uint64_t get_varint(reader_t *r)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64 && !r->bad; shift += 7) {
        if (r->pos >= r->n) break;
        unsigned char c = (unsigned char)r->p[r->pos++];
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) return v;
    }
    r->bad = 1;
    return 0;
}

static int64_t get_svarint(reader_t *r)
{
    uint64_t v = get_varint(r);
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* A count of items that take at least one byte each: more than the bytes left is damage. */
static uint32_t get_count(reader_t *r)
{
    uint64_t v = get_varint(r);
    if (v > r->n - r->pos) {
        r->bad = 1;
        return 0;
    }
    return (uint32_t)v;
}

static double get_f64(reader_t *r)
{
    double v;
    take(r, &v, 8);
    return v;
}
static char get_c(reader_t *r)
{
    char c;
    take(r, &c, 1);
    return c;
}

/* Times and bucket keys out of any event's range (RFC 3339 years 0000-9999) can only
 * come from damage; refusing them keeps date arithmetic on them defined. */
static double check_time(reader_t *r, double t)
{
    if (!(fabs(t) < 1e12)) r->bad = 1;
    return t;
}

static double get_time(reader_t *r, int64_t base)
{
    uint64_t v = get_varint(r);
    if (v & 1) return check_time(r, get_f64(r));
    int64_t d = (int64_t)(v >> 2) ^ -(int64_t)((v >> 1) & 1);
    if (d < -(int64_t)1e12 || d > (int64_t)1e12) r->bad = 1;
    return check_time(r, r->bad ? 0 : (double)(base + d));
}

static int64_t check_key(reader_t *r, int64_t k)
{
    if (k < -1000000000 || k > 1000000000) r->bad = 1;
    return k;
}

/* A string view into the encoded bytes (not NUL-terminated). */
static const char *get_str(reader_t *r, size_t *len)
{
    uint64_t n = get_varint(r);
    if (r->bad || n > r->n - r->pos) {
        r->bad = 1;
        *len = 0;
        return "";
    }
    *len = (size_t)n;
    const char *s = r->p + r->pos;
    r->pos += *len;
    return s;
}

/* seq - delta, refusing deltas that would go below 1 */
static uint64_t get_seq(reader_t *r, uint64_t seq)
{
    uint64_t d = get_varint(r);
    if (d >= seq) r->bad = 1;
    return r->bad ? 1 : seq - d;
}

static int stream_named(const rw_rules_t *rules, const char *s, size_t len)
{
    for (size_t i = 0; i < rules->n_streams; i++)
        if (strlen(rules->streams[i].name) == len && memcmp(rules->streams[i].name, s, len) == 0)
            return (int)i;
    return -1;
}

/* Maps stored field names onto the layout's slots (-1 when no longer needed). */
static int *map_fields(reader_t *r, char *const *cur, size_t n_cur, uint32_t *n_out)
{
    uint32_t n = get_count(r);
    int *map = rw_xmalloc((n ? n : 1) * sizeof *map);
    for (uint32_t k = 0; k < n; k++) {
        size_t len;
        const char *s = get_str(r, &len);
        map[k] = -1;
        for (size_t c = 0; c < n_cur; c++)
            if (strlen(cur[c]) == len && memcmp(cur[c], s, len) == 0) map[k] = (int)c;
    }
    *n_out = n;
    return map;
}

static rw_value_t get_value(reader_t *r)
{
    rw_vkind_t k = (rw_vkind_t)get_c(r);
    switch (k) {
    case RW_V_NUM:
        return rw_num(get_f64(r));
    case RW_V_BOOL:
        return rw_bool(get_c(r));
    case RW_V_STR: {
        size_t len;
        const char *s = get_str(r, &len);
        return rw_str(rw_xstrndup(s, len), len);
    }
    case RW_V_NULL:
        return rw_null();
    }
    r->bad = 1;
    return rw_null();
}

/* The layout's series a stored one maps to: the same index when the names match (the
 * usual case, same rules), else by stream name and unit; -1 when gone. */
static int series_target(const rw_layout_t *l, uint64_t hint, const char *name, size_t len,
                         char unit)
{
    if (hint < l->n_series) {
        const rw_series_def_t *d = &l->series[hint];
        const char *n = l->rules->streams[d->stream].name;
        if (d->unit == unit && strlen(n) == len && memcmp(n, name, len) == 0) return (int)hint;
    }
    int stream = stream_named(l->rules, name, len);
    for (size_t s = 0; s < l->n_series && stream >= 0; s++)
        if (l->series[s].stream == stream && l->series[s].unit == unit) return (int)s;
    return -1;
}

static void decode_series(reader_t *r, rw_aggs_t *a, int64_t tbase)
{
    const rw_layout_t *l = a->l;
    uint64_t hint = get_varint(r);
    size_t len;
    const char *name = get_str(r, &len);
    char unit = get_c(r);
    int had_ids = get_c(r);
    int target = r->bad ? -1 : series_target(l, hint, name, len, unit);
    const rw_series_def_t *def = target >= 0 ? &l->series[target] : NULL;
    uint32_t n_num, n_dist;
    int *num_map = map_fields(r, def ? def->num_names : NULL, def ? def->n_num : 0, &n_num);
    int *dist_map = map_fields(r, def ? def->dist_names : NULL, def ? def->n_dist : 0, &n_dist);
    uint32_t n_buckets = get_count(r);
    int64_t key = 0;
    for (uint32_t i = 0; i < n_buckets && !r->bad; i++) {
        key = check_key(r, key + get_svarint(r));
        bucket_t *b = def && !r->bad ? bucket_at(def, series_get(a, (size_t)target), key) : NULL;
        uint64_t count = get_varint(r);
        if (count > UINT32_MAX) r->bad = 1;
        if (b) b->count = (uint32_t)count;
        for (uint32_t k = 0; k < n_num; k++) {
            uint64_t n = get_varint(r);
            numstat_t st = {.n = (uint32_t)n};
            if (n > UINT32_MAX) r->bad = 1;
            if (n) {
                st.sum = get_f64(r);
                st.min = get_f64(r);
                st.max = get_f64(r);
            }
            if (b && num_map[k] >= 0) b->num[num_map[k]] = st;
        }
        for (uint32_t k = 0; k < n_dist; k++) {
            uint32_t nv = get_count(r);
            for (uint32_t v = 0; v < nv && !r->bad; v++) {
                const char *s = get_str(r, &len);
                if (b && dist_map[k] >= 0) set_add(&b->dist[dist_map[k]], rw_xstrndup(s, len));
            }
        }
        uint32_t n_ids = get_count(r);
        for (uint32_t v = 0; v < n_ids && !r->bad; v++) {
            double t = get_time(r, tbase);
            uint64_t seq = get_seq(r, a->seq);
            const char *s = get_str(r, &len);
            if (b && def->ids && had_ids && !r->bad) ids_add(b, t, seq, s, len);
        }
    }
    free(num_map);
    free(dist_map);
}

static void decode_log(reader_t *r, rw_aggs_t *a, int64_t tbase)
{
    const rw_layout_t *l = a->l;
    size_t len;
    const char *name = get_str(r, &len);
    int stream = stream_named(l->rules, name, len);
    int target = -1;
    for (size_t g = 0; g < l->n_logs && stream >= 0; g++)
        if (l->logs[g].stream == stream) target = (int)g;
    const rw_lastlog_def_t *def = target >= 0 ? &l->logs[target] : NULL;
    uint32_t n_fields;
    int *map = map_fields(r, def ? def->field_names : NULL, def ? def->n_fields : 0, &n_fields);
    uint32_t n = get_count(r);
    for (uint32_t i = 0; i < n && !r->bad; i++) {
        logent_t e = {.time = get_time(r, tbase)};
        e.seq = get_seq(r, a->seq);
        e.vals = rw_xcalloc(def && def->n_fields ? def->n_fields : 1, sizeof *e.vals);
        for (uint32_t k = 0; k < n_fields; k++) {
            rw_value_t v = get_value(r);
            if (def && map[k] >= 0)
                e.vals[map[k]] = v;
            else
                value_drop(&v);
        }
        if (!def) {
            free(e.vals);
            continue;
        }
        log_t *lg = &a->logs[target];
        if (lg->n == lg->cap) {
            lg->cap = lg->cap ? lg->cap * 2 : 4;
            lg->e = rw_xrealloc(lg->e, lg->cap * sizeof *lg->e);
        }
        lg->e[lg->n++] = e;
    }
    free(map);
}

rw_aggs_t *rw_aggs_decode(const rw_layout_t *l, const char *p, size_t n)
{
    reader_t r = {.p = p, .n = n};
    if (get_varint(&r) != AGGS_FORMAT || r.bad) return NULL;
    rw_aggs_t *a = rw_aggs_new(l);
    a->has_max = get_c(&r);
    a->max_time = check_time(&r, get_f64(&r));
    a->seq = get_varint(&r);
    a->pruned_at = check_key(&r, get_svarint(&r));
    int64_t tbase = r.bad ? 0 : (int64_t)floor(a->max_time);
    uint32_t n_seen = get_count(&r);
    for (uint32_t i = 0; i < n_seen && !r.bad; i++) {
        uint64_t h;
        take(&r, &h, 8);
        int64_t day = check_key(&r, a->pruned_at + get_svarint(&r));
        if (!h) r.bad = 1; /* 0 marks an empty slot */
        if (!r.bad) seen_insert(&a->seen, h, (int32_t)day);
    }
    uint32_t n_series = get_count(&r);
    for (uint32_t s = 0; s < n_series && !r.bad; s++)
        decode_series(&r, a, tbase);
    uint32_t n_logs = get_count(&r);
    for (uint32_t g = 0; g < n_logs && !r.bad; g++)
        decode_log(&r, a, tbase);
    uint32_t n_ewmas = get_count(&r);
    for (uint32_t i = 0; i < n_ewmas && !r.bad; i++) {
        size_t len;
        const char *name = get_str(&r, &len);
        rw_ewma_t e = {.n = get_f64(&r)};
        e.mean = get_f64(&r);
        e.var = get_f64(&r);
        e.has_sample = get_c(&r);
        e.z_null = get_c(&r);
        e.z = get_f64(&r);
        e.x = get_f64(&r);
        e.mean_before = get_f64(&r);
        e.sd_before = get_f64(&r);
        for (size_t k = 0; k < l->n_ewmas; k++) /* models no longer loaded are dropped */
            if (strlen(l->rules->models[l->ewmas[k]].name) == len &&
                !memcmp(l->rules->models[l->ewmas[k]].name, name, len))
                a->ewma[k] = e;
    }
    if (r.bad || r.pos != r.n) { /* truncated, damaged, or followed by stray bytes */
        rw_aggs_free(a);
        return NULL;
    }
    return a;
}

json_t *rw_aggs_describe(const rw_aggs_t *a)
{
    const rw_layout_t *l = a->l;
    json_t *series = json_array();
    for (size_t s = 0; s < l->n_series; s++) {
        const series_t *ser = a->series[s];
        double total = 0;
        for (size_t i = 0; ser && i < ser->n; i++)
            total += ser->b[i].count;
        json_array_append_new(series,
                              json_pack("{s:s,s:s,s:I,s:f}", "stream",
                                        l->rules->streams[l->series[s].stream].name, "unit",
                                        l->series[s].unit == 'd' ? "day" : "hour", "buckets",
                                        (json_int_t)(ser ? ser->n : 0), "events", total));
    }
    char latest[64] = "";
    if (a->has_max) rw_time_format(a->max_time, l->rules->catalog.tz_offset_min, latest);
    return json_pack("{s:I,s:s?,s:o}", "events_applied", (json_int_t)a->seq, "latest_event_time",
                     a->has_max ? latest : NULL, "series", series);
}
