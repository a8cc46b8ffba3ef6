/* aggstate.c — per-entity aggregates: time-bucketed series, the event log (ids for a
 * lead's `events` and dedup), last-event logs, retention pruning and their binary
 * encoding. */
#include "aggstate.h"

#include "eval.h"
#include "rwtime.h"

#include <math.h>
#include <stdio.h>
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
        l->series[s].id_bit = l->series[s].ids ? (int)l->n_id_bits++ : -1;
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

/* ---- memory ---------------------------------------------------------------------- */

/* glibc's malloc adds 8 bytes to each block and rounds to 16 */
static size_t block(size_t n)
{
    return n ? (n + 8 + 15) & ~(size_t)15 : 0;
}

/* A growable run of bytes in one allocation. The state keeps everything in a few of
 * them: an entity holds little, and a block per item would cost more than the item. */
typedef struct {
    unsigned char *p;
    uint32_t used, cap;
} bytes_t;

static void bytes_reserve(bytes_t *b, size_t need)
{
    if (need <= b->cap) return;
    size_t cap = b->cap + b->cap / 2; /* half as much again: appends cost amortised O(1) */
    if (cap < need) cap = need;
    if (cap > UINT32_MAX) abort(); /* 4 GiB in one entity's state */
    b->p = rw_xrealloc(b->p, cap);
    b->cap = (uint32_t)cap;
}

/* Opens n zeroed bytes at offset at, moving the bytes from there on. */
static unsigned char *bytes_open(bytes_t *b, size_t at, size_t n)
{
    bytes_reserve(b, (size_t)b->used + n);
    memmove(b->p + at + n, b->p + at, b->used - at);
    memset(b->p + at, 0, n);
    b->used += (uint32_t)n;
    return b->p + at;
}

static void bytes_cut(bytes_t *b, size_t at, size_t n)
{
    if (!n) return;
    memmove(b->p + at, b->p + at + n, b->used - at - n);
    b->used -= (uint32_t)n;
}

/* Gives back the room kept for growth, but for a little headroom, when that frees
 * memory (glibc splits a block only for 32 bytes or more). The headroom (a quarter, at
 * most 64 bytes) takes the next commit interval's first appends: trimmed to the byte,
 * every entity touched again reallocated each of its arrays at once. */
static void bytes_fit(bytes_t *b)
{
    size_t keep = b->used + (b->used / 4 < 64 ? b->used / 4 : 64);
    if (block(b->cap) < block(keep) + 32) return;
    if (keep)
        b->p = rw_xrealloc(b->p, keep);
    else {
        free(b->p);
        b->p = NULL;
    }
    b->cap = (uint32_t)keep;
}

/* Strings as records: a varint length, then the bytes. Opens one of n bytes at the
 * end; returns where they go, its offset in *off. */
static unsigned char *rec_open(bytes_t *b, size_t n, uint32_t *off)
{
    unsigned char len[10];
    size_t k = 0;
    for (size_t v = n; v >= 0x80; v >>= 7)
        len[k++] = (unsigned char)(v | 0x80);
    len[k] = (unsigned char)(n >> (7 * k));
    *off = b->used;
    unsigned char *p = bytes_open(b, b->used, ++k + n);
    memcpy(p, len, k);
    return p + k;
}

/* A record of `tag` (when not 0) and s. */
static uint32_t rec_add(bytes_t *b, char tag, const char *s, size_t n)
{
    uint32_t off;
    unsigned char *p = rec_open(b, n + (tag != 0), &off);
    if (tag) *p++ = (unsigned char)tag;
    memcpy(p, s, n);
    return off;
}

static const char *rec_get(const bytes_t *b, uint32_t off, size_t *len)
{
    const unsigned char *p = b->p + off;
    size_t n = 0;
    int shift = 0;
    for (; *p & 0x80; p++, shift += 7)
        n |= (size_t)(*p & 0x7f) << shift;
    *len = n | (size_t)*p << shift;
    return (const char *)p + 1;
}

/* The offset of the record after the one at off. */
static uint32_t rec_next(const bytes_t *b, uint32_t off)
{
    size_t len;
    const char *s = rec_get(b, off, &len);
    return (uint32_t)((const unsigned char *)s + len - b->p);
}

/* ---- state ----------------------------------------------------------------------- */

/* Distinct values and last() strings, interned once per entity: a bucket's distinct
 * set is a list of value ids, so a value seen again costs no allocation and a query
 * counts ids, not strings. Values are type-tagged text (1 and "1" stay apart). */
typedef struct {
    bytes_t text; /* records */
    bytes_t off;  /* uint32_t by value id: where its record is */
} dict_t;

static uint32_t dict_n(const dict_t *d)
{
    return d->off.used / 4;
}

static const char *dict_text(const dict_t *d, uint32_t id, size_t *len)
{
    uint32_t off;
    memcpy(&off, d->off.p + 4 * (size_t)id, 4);
    return rec_get(&d->text, off, len);
}

/* Whether value id is `tag` followed by s (s alone when tag is 0). */
static int dict_is(const dict_t *d, uint32_t id, char tag, const char *s, size_t n)
{
    size_t len;
    const char *t = dict_text(d, id, &len);
    if (!tag) return len == n && memcmp(t, s, n) == 0;
    return len == n + 1 && t[0] == tag && memcmp(t + 1, s, n) == 0;
}

static uint32_t dict_add(dict_t *d, char tag, const char *s, size_t n)
{
    uint32_t off = rec_add(&d->text, tag, s, n);
    memcpy(bytes_open(&d->off, d->off.used, 4), &off, 4);
    return dict_n(d) - 1;
}

static uint32_t dict_intern(dict_t *d, char tag, const char *s, size_t n)
{
    for (uint32_t i = 0; i < dict_n(d); i++)
        if (dict_is(d, i, tag, s, n)) return i;
    return dict_add(d, tag, s, n);
}

/* A distinct value (not null) as its tag and text: strings count up to their first NUL
 * byte (as they always have), numbers in the shortest form that reads back the same. */
typedef struct {
    char tag;
    const char *s;
    size_t n;
    char num[32];
} canon_t;

static void canon(rw_value_t v, canon_t *c)
{
    if (v.kind == RW_V_STR) {
        *c = (canon_t){.tag = 's', .s = v.s, .n = strnlen(v.s, v.len)};
    } else if (v.kind == RW_V_NUM) {
        c->tag = 'n';
        c->n = (size_t)snprintf(c->num, sizeof c->num, "%.17g", v.num == 0 ? 0.0 : v.num);
        c->s = c->num;
    } else {
        *c = (canon_t){.tag = 'b', .s = v.b ? "true" : "false", .n = v.b ? 4 : 5};
    }
}

/* A series holding data. The entity's block holds these entries, then the buckets of
 * each series in turn (and its pools the distinct fields' pools of each in turn). A
 * bucket is a row: its key (local day or hour); the running count of the series'
 * events up to it (mod 2^32, exact for any window holding fewer: a count over a window
 * is two lookups, not a walk over its buckets); per numeric field the values counted;
 * per distinct field where its values start in the field's pool; per numeric field
 * sum, min and max. */
typedef struct {
    uint32_t def;  /* layout series */
    uint32_t n;    /* buckets */
    uint32_t base; /* the running count before the first bucket (events pruned) */
} sdir_t;

typedef struct {
    int32_t key;
    uint32_t cum;
} row_t;

typedef struct {
    double sum, min, max;
} numstat_t;

static size_t row_stride(const rw_series_def_t *d)
{
    return sizeof(row_t) + 4 * (d->n_num + d->n_dist) + sizeof(numstat_t) * d->n_num;
}

/* A last-value log entry's field. */
typedef struct {
    double num;
    uint32_t str; /* value id of "s" + the string */
    uint8_t kind, b;
} lval_t;

/* A last/since log holding data: entries of a time and the field values, by (time,
 * processing order). */
typedef struct {
    uint32_t def; /* layout log */
    bytes_t e;
} lastlog_t;

static size_t lastlog_width(const rw_lastlog_def_t *d)
{
    return 8 + d->n_fields * sizeof(lval_t);
}

/* Ids of applied events as 64-bit hashes with their local date: what a format-4 state
 * recorded for dedup, kept until it ages out since its ids are not known. */
typedef struct {
    uint64_t *h;
    int32_t *day;
    size_t n_slots, count;
    int32_t min_day; /* oldest date held */
} seen_t;

struct rw_aggs {
    const rw_layout_t *l;
    double max_time;
    uint64_t seq;
    /* The series holding data (sdir_t, by layout index), then their buckets. */
    bytes_t bk;
    bytes_t pools; /* bytes_t of uint32_t value ids, bucket after bucket */
    bytes_t lasts; /* lastlog_t, by layout index */
    /* The events within retention, by (time, processing order): per entry its time, the
     * offset of its id in `ids` and a bit per series that keeps ids. Each id is stored
     * once however many series the event feeds, and the log is the dedup record too. */
    bytes_t ev, ids;
    uint32_t *slot; /* open addressing over ids: offset + 1, 0 when empty; NULL while small */
    uint32_t n_slots, n_dir;
    int32_t pruned_at; /* retention cut-off of the last pruning */
    /* No series bucket or last-log entry is dated before this day (a lower bound; INT32_MIN
     * when not known, after decoding): pruning skips them until the cut-off passes it. */
    int32_t held_from;
    int has_max;
    dict_t dict;
    /* ids not in the log, by hash and day: the late events' (never applied, still
     * processed) and, in a state read from format 4, every id applied. NULL when none. */
    seen_t *unlogged;
    rw_ewma_t ewma[]; /* by position in the layout's ewmas */
};

rw_aggs_t *rw_aggs_new(const rw_layout_t *l)
{
    rw_aggs_t *a = rw_xcalloc(1, sizeof *a + l->n_ewmas * sizeof *a->ewma);
    a->l = l;
    a->held_from = INT32_MAX; /* holds nothing */
    return a;
}

static sdir_t *dirs(const rw_aggs_t *a)
{
    return (sdir_t *)(void *)a->bk.p;
}

static bytes_t *pool_at(const rw_aggs_t *a, uint32_t i)
{
    return (bytes_t *)(void *)a->pools.p + i;
}

static lastlog_t *lastlog_at(const rw_aggs_t *a, uint32_t i)
{
    return (lastlog_t *)(void *)a->lasts.p + i;
}

static uint32_t n_pools(const rw_aggs_t *a)
{
    return a->pools.used / sizeof(bytes_t);
}

static uint32_t n_lasts(const rw_aggs_t *a)
{
    return a->lasts.used / sizeof(lastlog_t);
}

static void seen_free(seen_t *s)
{
    if (!s) return;
    free(s->h);
    free(s->day);
    free(s);
}

void rw_aggs_free(rw_aggs_t *a)
{
    if (!a) return;
    for (uint32_t i = 0; i < n_pools(a); i++)
        free(pool_at(a, i)->p);
    for (uint32_t g = 0; g < n_lasts(a); g++)
        free(lastlog_at(a, g)->e.p);
    free(a->bk.p);
    free(a->pools.p);
    free(a->lasts.p);
    free(a->ev.p);
    free(a->ids.p);
    free(a->slot);
    free(a->dict.text.p);
    free(a->dict.off.p);
    seen_free(a->unlogged);
    free(a);
}

/* ---- the event log and dedup ------------------------------------------------------ */

/* Logs shorter than this are searched by a scan: most entities hold a few events. */
#define INDEX_FROM 32

static size_t entry_width(const rw_layout_t *l)
{
    return 12 + (l->n_id_bits + 7) / 8;
}

static uint32_t log_n(const rw_aggs_t *a)
{
    return (uint32_t)(a->ev.used / entry_width(a->l));
}

static unsigned char *entry_at(const rw_aggs_t *a, uint32_t i)
{
    return a->ev.p + i * entry_width(a->l);
}

/* The time an event log or last-log entry starts with. */
static double time_at(const unsigned char *e)
{
    double t;
    memcpy(&t, e, 8);
    return t;
}

static uint32_t entry_off(const unsigned char *e)
{
    uint32_t off;
    memcpy(&off, e + 8, 4);
    return off;
}

static int entry_bit(const unsigned char *e, int bit)
{
    return e[12 + bit / 8] >> (bit % 8) & 1;
}

static void entry_set_bit(unsigned char *e, int bit)
{
    e[12 + bit / 8] |= (unsigned char)(1u << (bit % 8));
}

/* Inserts an entry for the id at off after every entry not later than t (the event
 * processed last goes last among equal times). */
static unsigned char *log_insert(rw_aggs_t *a, double t, uint32_t off)
{
    uint32_t i = log_n(a);
    while (i > 0 && time_at(entry_at(a, i - 1)) > t)
        i--;
    unsigned char *e = bytes_open(&a->ev, i * entry_width(a->l), entry_width(a->l));
    memcpy(e, &t, 8);
    memcpy(e + 8, &off, 4);
    return e;
}

static uint64_t id_hash(const char *id, size_t len)
{
    uint64_t h = rw_hash64(id, len);
    return h ? h : 1;
}

static void index_put(rw_aggs_t *a, uint32_t off)
{
    size_t len;
    const char *id = rec_get(&a->ids, off, &len);
    size_t i = id_hash(id, len) & (a->n_slots - 1);
    while (a->slot[i])
        i = (i + 1) & (a->n_slots - 1);
    a->slot[i] = off + 1;
}

/* The index over every id (`ids` holds exactly the log's), at most half full. */
static void index_build(rw_aggs_t *a)
{
    free(a->slot);
    a->slot = NULL;
    a->n_slots = 0;
    if (log_n(a) < INDEX_FROM) return;
    for (a->n_slots = 2 * INDEX_FROM; a->n_slots < 2 * (size_t)log_n(a);)
        a->n_slots *= 2;
    a->slot = rw_xcalloc(a->n_slots, sizeof *a->slot);
    for (uint32_t off = 0; off < a->ids.used; off = rec_next(&a->ids, off))
        index_put(a, off);
}

/* After an id was added at off. */
static void index_note(rw_aggs_t *a, uint32_t off)
{
    if (log_n(a) >= INDEX_FROM && 2 * (size_t)log_n(a) > a->n_slots)
        index_build(a);
    else if (a->slot)
        index_put(a, off);
}

static int log_has(const rw_aggs_t *a, const char *id, size_t len)
{
    size_t n;
    if (a->slot) {
        for (size_t i = id_hash(id, len) & (a->n_slots - 1); a->slot[i];
             i = (i + 1) & (a->n_slots - 1)) {
            const char *s = rec_get(&a->ids, a->slot[i] - 1, &n);
            if (n == len && memcmp(s, id, len) == 0) return 1;
        }
        return 0;
    }
    for (uint32_t off = 0; off < a->ids.used; off = rec_next(&a->ids, off)) {
        const char *s = rec_get(&a->ids, off, &n);
        if (n == len && memcmp(s, id, len) == 0) return 1;
    }
    return 0;
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

static int seen_has(const seen_t *s, uint64_t h)
{
    for (size_t i = h & (s->n_slots - 1); s->n_slots && s->h[i]; i = (i + 1) & (s->n_slots - 1))
        if (s->h[i] == h) return 1;
    return 0;
}

void rw_aggs_note_id(rw_aggs_t *a, const char *id, size_t len, int tz_min)
{
    if (!a->unlogged) a->unlogged = rw_xcalloc(1, sizeof *a->unlogged);
    seen_insert(a->unlogged, id_hash(id, len), (int32_t)rw_local_day(a->max_time, tz_min));
}

int rw_aggs_seen(const rw_aggs_t *a, const char *id, size_t len)
{
    return log_has(a, id, len) || (a->unlogged && seen_has(a->unlogged, id_hash(id, len)));
}

/* Ids that aged out are dropped a month at a time, not daily: compacting the log is
 * linear in its size. An aged-out id still found classifies its event as a duplicate,
 * which events.md checks before lateness anyway. */
#define SEEN_SLACK_DAYS 30

static void prune_ids(rw_aggs_t *a, int64_t cut, int tz_min)
{
    int64_t oldest = log_n(a) ? rw_local_day(time_at(a->ev.p), tz_min) : INT64_MAX;
    if (a->unlogged && a->unlogged->min_day < oldest) oldest = a->unlogged->min_day;
    if (oldest >= cut - SEEN_SLACK_DAYS) return;
    if (a->unlogged) {
        seen_t *kept = rw_xcalloc(1, sizeof *kept);
        for (size_t i = 0; i < a->unlogged->n_slots; i++)
            if (a->unlogged->h[i] && a->unlogged->day[i] >= cut)
                seen_insert(kept, a->unlogged->h[i], a->unlogged->day[i]);
        seen_free(a->unlogged);
        a->unlogged = kept->count ? kept : NULL;
        if (!kept->count) seen_free(kept);
    }
    uint32_t drop = 0;
    while (drop < log_n(a) && rw_local_day(time_at(entry_at(a, drop)), tz_min) < cut)
        drop++;
    if (!drop) return;
    bytes_cut(&a->ev, 0, drop * entry_width(a->l));
    bytes_t ids = {0};
    bytes_reserve(&ids, a->ids.used); /* the kept ids fit: one allocation, not one per growth */
    for (uint32_t i = 0; i < log_n(a); i++) {
        size_t len;
        const char *id = rec_get(&a->ids, entry_off(entry_at(a, i)), &len);
        uint32_t off = rec_add(&ids, 0, id, len);
        memcpy(entry_at(a, i) + 8, &off, 4);
    }
    free(a->ids.p);
    a->ids = ids;
    index_build(a);
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

/* ---- series ---------------------------------------------------------------------- */

/* A series as pointers into the entity's block (valid until the state changes). */
typedef struct {
    const rw_series_def_t *d;
    sdir_t *dir;         /* NULL when the series holds no data */
    unsigned char *rows; /* its buckets, `stride` bytes each */
    size_t stride;
    bytes_t *pools; /* by distinct field */
    uint32_t j;     /* its place among the series holding data (or where it would go) */
    uint32_t pool;  /* the place of its first pool */
} sview_t;

static sview_t sview(const rw_aggs_t *a, size_t def)
{
    sview_t v = {.d = &a->l->series[def], .stride = row_stride(&a->l->series[def])};
    size_t at = a->n_dir * sizeof(sdir_t);
    for (; v.j < a->n_dir && dirs(a)[v.j].def < def; v.j++) {
        const rw_series_def_t *d = &a->l->series[dirs(a)[v.j].def];
        at += dirs(a)[v.j].n * row_stride(d);
        v.pool += (uint32_t)d->n_dist;
    }
    if (v.j < a->n_dir && dirs(a)[v.j].def == def) {
        v.dir = &dirs(a)[v.j];
        v.rows = a->bk.p + at;
        v.pools = v.d->n_dist ? pool_at(a, v.pool) : NULL;
    }
    return v;
}

static row_t *row_at(const sview_t *v, uint32_t i)
{
    return (row_t *)(void *)(v->rows + i * v->stride);
}

/* Numeric values counted in bucket i, by field. */
static uint32_t *num_n(const sview_t *v, uint32_t i)
{
    return (uint32_t *)(void *)(v->rows + i * v->stride + sizeof(row_t));
}

/* Where bucket i's values of each distinct field start in its pool. */
static uint32_t *dist_start(const sview_t *v, uint32_t i)
{
    return num_n(v, i) + v->d->n_num;
}

/* Bucket i's numeric stats of field k (rows are only 4-byte aligned). */
static numstat_t num_get(const sview_t *v, uint32_t i, size_t k)
{
    numstat_t st;
    memcpy(&st, dist_start(v, i) + v->d->n_dist + k * 6, sizeof st);
    return st;
}

static void num_put(const sview_t *v, uint32_t i, size_t k, numstat_t st)
{
    memcpy(dist_start(v, i) + v->d->n_dist + k * 6, &st, sizeof st);
}

static uint32_t *pool_ids(const bytes_t *p)
{
    return (uint32_t *)(void *)p->p;
}

static uint32_t pool_n(const bytes_t *p)
{
    return p->used / 4;
}

/* The series, added (with no buckets) when it holds no data yet. */
static sview_t sview_open(rw_aggs_t *a, size_t def)
{
    sview_t v = sview(a, def);
    if (v.dir) return v;
    unsigned char *dir = bytes_open(&a->bk, v.j * sizeof(sdir_t), sizeof(sdir_t));
    ((sdir_t *)(void *)dir)->def = (uint32_t)def;
    a->n_dir++;
    if (v.d->n_dist) bytes_open(&a->pools, v.pool * sizeof(bytes_t), v.d->n_dist * sizeof(bytes_t));
    return sview(a, def);
}

/* Drops a series that holds no buckets: its pools, its entry, its bit in the event log
 * (every event with it is older than the retention, so no window reads it). */
static void series_remove(rw_aggs_t *a, const sview_t *v)
{
    for (size_t k = 0; k < v->d->n_dist; k++)
        free(v->pools[k].p);
    bytes_cut(&a->pools, v->pool * sizeof(bytes_t), v->d->n_dist * sizeof(bytes_t));
    int bit = v->d->id_bit;
    for (uint32_t i = 0; bit >= 0 && i < log_n(a); i++)
        entry_at(a, i)[12 + bit / 8] &= (unsigned char)~(1u << (bit % 8));
    bytes_cut(&a->bk, v->j * sizeof(sdir_t), sizeof(sdir_t));
    a->n_dir--;
}

/* Index of the first bucket with key >= k. */
static uint32_t lower_bound(const sview_t *v, int64_t k)
{
    uint32_t lo = 0, hi = v->dir ? v->dir->n : 0;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (row_at(v, mid)->key < k)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Pool range [*from, *to) of bucket i's values of distinct field k. */
static void dist_range(const sview_t *v, uint32_t i, size_t k, uint32_t *from, uint32_t *to)
{
    *from = dist_start(v, i)[k];
    *to = i + 1 < v->dir->n ? dist_start(v, i + 1)[k] : pool_n(&v->pools[k]);
}

/* Bucket `key` of series def, added when missing: its index in the series, the series
 * in *v. */
static uint32_t bucket_at(rw_aggs_t *a, size_t def, int64_t key, sview_t *v)
{
    *v = sview_open(a, def);
    uint32_t i = lower_bound(v, key);
    if (i < v->dir->n && row_at(v, i)->key == key) return i;
    size_t rows = (size_t)(v->rows - a->bk.p);
    bytes_open(&a->bk, rows + i * v->stride, v->stride);
    v->dir = &dirs(a)[v->j]; /* the block may have moved */
    v->rows = a->bk.p + rows;
    v->dir->n++;
    *row_at(v, i) = (row_t){(int32_t)key, i ? row_at(v, i - 1)->cum : v->dir->base};
    for (size_t k = 0; k < v->d->n_dist; k++)
        dist_start(v, i)[k] = i + 1 < v->dir->n ? dist_start(v, i + 1)[k] : pool_n(&v->pools[k]);
    return i;
}

static void count_add(const sview_t *v, uint32_t i, uint32_t n)
{
    for (uint32_t j = i; j < v->dir->n; j++)
        row_at(v, j)->cum += n;
}

static void num_add(const sview_t *v, uint32_t i, size_t k, double val)
{
    numstat_t st = num_get(v, i, k);
    uint32_t *n = &num_n(v, i)[k];
    if (*n == 0 || val < st.min) st.min = val;
    if (*n == 0 || val > st.max) st.max = val;
    st.sum += val;
    (*n)++;
    num_put(v, i, k, st);
}

/* Adds value `id` to bucket i's set of field k unless it is there. */
static void dist_add_id(const sview_t *v, uint32_t i, size_t k, uint32_t id)
{
    uint32_t from, to;
    dist_range(v, i, k, &from, &to);
    for (uint32_t y = from; y < to; y++)
        if (pool_ids(&v->pools[k])[y] == id) return;
    memcpy(bytes_open(&v->pools[k], to * 4, 4), &id, 4);
    for (uint32_t j = i + 1; j < v->dir->n; j++)
        dist_start(v, j)[k]++;
}

/* Adds an event's value: found in the bucket by its text, or interned and added. */
static void dist_add(rw_aggs_t *a, const sview_t *v, uint32_t i, size_t k, rw_value_t val)
{
    canon_t c;
    canon(val, &c);
    uint32_t from, to;
    dist_range(v, i, k, &from, &to);
    for (uint32_t y = from; y < to; y++)
        if (dict_is(&a->dict, pool_ids(&v->pools[k])[y], c.tag, c.s, c.n)) return;
    dist_add_id(v, i, k, dict_intern(&a->dict, c.tag, c.s, c.n));
}

/* Drops the values of a series' first n buckets from its pools; 1 when any went. */
static int pools_drop_front(const sview_t *v, uint32_t n)
{
    int dropped = 0;
    for (size_t k = 0; k < v->d->n_dist; k++) {
        uint32_t cut = n < v->dir->n ? dist_start(v, n)[k] : pool_n(&v->pools[k]);
        bytes_cut(&v->pools[k], 0, cut * 4);
        for (uint32_t j = n; j < v->dir->n; j++)
            dist_start(v, j)[k] -= cut;
        dropped |= cut > 0;
    }
    return dropped;
}

/* ---- value ids in use ------------------------------------------------------------ */

/* Calls fn on every value id the state holds (distinct sets, last() strings). */
static void each_value_ref(const rw_aggs_t *a, void (*fn)(uint32_t *id, void *ud), void *ud)
{
    for (uint32_t i = 0; i < n_pools(a); i++)
        for (uint32_t x = 0; x < pool_n(pool_at(a, i)); x++)
            fn(&pool_ids(pool_at(a, i))[x], ud);
    for (uint32_t g = 0; g < n_lasts(a); g++) {
        const lastlog_t *lg = lastlog_at(a, g);
        const rw_lastlog_def_t *d = &a->l->logs[lg->def];
        for (size_t at = 0; at < lg->e.used; at += lastlog_width(d)) {
            lval_t *v = (lval_t *)(void *)(lg->e.p + at + 8);
            for (size_t k = 0; k < d->n_fields; k++)
                if (v[k].kind == RW_V_STR) fn(&v[k].str, ud);
        }
    }
}

static void mark_ref(uint32_t *id, void *ud)
{
    ((uint32_t *)ud)[*id] = 1;
}

static void map_ref(uint32_t *id, void *ud)
{
    *id = ((const uint32_t *)ud)[*id];
}

/* Drops values nothing refers to any more, keeping the others' order. */
static void dict_collect(rw_aggs_t *a)
{
    if (!dict_n(&a->dict)) return;
    uint32_t *map = rw_xcalloc(dict_n(&a->dict), sizeof *map);
    each_value_ref(a, mark_ref, map);
    dict_t kept = {0};
    for (uint32_t i = 0; i < dict_n(&a->dict); i++)
        if (map[i]) {
            size_t len;
            const char *t = dict_text(&a->dict, i, &len);
            map[i] = dict_add(&kept, 0, t, len);
        }
    each_value_ref(a, map_ref, map);
    free(map);
    free(a->dict.text.p);
    free(a->dict.off.p);
    a->dict = kept;
}

/* ---- apply and prune ------------------------------------------------------------- */

static int64_t cutoff_day(const rw_aggs_t *a, int tz_min)
{
    return rw_local_day(a->max_time, tz_min) - (RW_RETENTION_DAYS - 1);
}

static int64_t key_day(char unit, int64_t key)
{
    if (unit == 'd') return key;
    return key >= 0 ? key / 24 : -((-key + 23) / 24);
}

/* Drops the buckets of every series dated before cut; 1 when distinct values went. */
static int prune_series(rw_aggs_t *a, int64_t cut)
{
    int dropped = 0;
    for (uint32_t j = 0; j < a->n_dir;) {
        sview_t v = sview(a, dirs(a)[j].def);
        uint32_t drop = 0;
        while (drop < v.dir->n && key_day(v.d->unit, row_at(&v, drop)->key) < cut)
            drop++;
        if (drop) {
            v.dir->base = row_at(&v, drop - 1)->cum;
            dropped |= pools_drop_front(&v, drop);
            v.dir->n -= drop;
            bytes_cut(&a->bk, (size_t)(v.rows - a->bk.p), drop * v.stride);
        }
        if (v.dir->n)
            j++;
        else
            series_remove(a, &v);
    }
    return dropped;
}

/* Drops last-log entries dated before cut; 1 when field values went. */
static int prune_lasts(rw_aggs_t *a, int64_t cut, int tz_min)
{
    int dropped = 0;
    for (uint32_t g = 0; g < n_lasts(a);) {
        lastlog_t *lg = lastlog_at(a, g);
        const rw_lastlog_def_t *d = &a->l->logs[lg->def];
        size_t gone = 0;
        while (gone < lg->e.used && rw_local_day(time_at(lg->e.p + gone), tz_min) < cut)
            gone += lastlog_width(d);
        bytes_cut(&lg->e, 0, gone);
        dropped |= gone && d->n_fields;
        if (lg->e.used) {
            g++;
            continue;
        }
        free(lg->e.p);
        bytes_cut(&a->lasts, g * sizeof(lastlog_t), sizeof(lastlog_t));
    }
    return dropped;
}

/* The earliest day a series bucket or last-log entry holds; INT32_MAX when none. */
static int32_t oldest_held(rw_aggs_t *a, int tz_min)
{
    int64_t oldest = INT32_MAX;
    for (uint32_t j = 0; j < a->n_dir; j++) {
        sview_t v = sview(a, dirs(a)[j].def);
        if (!v.dir->n) continue;
        int64_t d = key_day(v.d->unit, row_at(&v, 0)->key);
        if (d < oldest) oldest = d;
    }
    for (uint32_t g = 0; g < n_lasts(a); g++) {
        const lastlog_t *lg = lastlog_at(a, g);
        if (!lg->e.used) continue;
        int64_t d = rw_local_day(time_at(lg->e.p), tz_min);
        if (d < oldest) oldest = d;
    }
    return (int32_t)oldest;
}

/* Drops what aged out. The series and last-event logs are looked at only when the
 * cut-off passed the oldest day they hold: an entity's data mostly ages out far less
 * often than it gets a new latest day, and walking every series each time was most of
 * what applying an event to an idle entity cost. */
static void prune(rw_aggs_t *a, int tz_min)
{
    int64_t cut = cutoff_day(a, tz_min);
    if (cut == a->pruned_at) return; /* nothing new has aged out */
    a->pruned_at = (int32_t)cut;
    prune_ids(a, cut, tz_min);
    if (cut <= a->held_from) return;
    int dropped = prune_series(a, cut);
    if (prune_lasts(a, cut, tz_min) || dropped) dict_collect(a);
    a->held_from = oldest_held(a, tz_min);
}

/* The log of layout log def, added (empty) when it holds no data yet. */
static bytes_t *lastlog_open(rw_aggs_t *a, size_t def)
{
    uint32_t g = 0;
    while (g < n_lasts(a) && lastlog_at(a, g)->def < def)
        g++;
    if (g == n_lasts(a) || lastlog_at(a, g)->def != def) {
        unsigned char *p = bytes_open(&a->lasts, g * sizeof(lastlog_t), sizeof(lastlog_t));
        ((lastlog_t *)(void *)p)->def = (uint32_t)def;
    }
    return &lastlog_at(a, g)->e;
}

static void lastlog_add(rw_aggs_t *a, size_t def, const rw_event_t *ev)
{
    const rw_lastlog_def_t *d = &a->l->logs[def];
    bytes_t *lg = lastlog_open(a, def);
    size_t w = lastlog_width(d), at = lg->used;
    while (at > 0 && time_at(lg->p + at - w) > ev->time)
        at -= w;
    unsigned char *e = bytes_open(lg, at, w);
    memcpy(e, &ev->time, 8);
    lval_t *vals = (lval_t *)(void *)(e + 8);
    for (size_t k = 0; k < d->n_fields; k++) {
        rw_value_t v = rw_evpath_read(d->fields[k], ev);
        vals[k] = (lval_t){.kind = (uint8_t)v.kind, .num = v.num, .b = (uint8_t)v.b};
        if (v.kind == RW_V_STR) vals[k].str = dict_intern(&a->dict, 's', v.s, v.len);
    }
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
    if (day < a->held_from) a->held_from = (int32_t)day; /* what follows is dated that day */
    uint32_t off = rec_add(&a->ids, 0, ev->id, ev->id_len);
    size_t entry = (size_t)(log_insert(a, ev->time, off) - a->ev.p);
    index_note(a, off);
    for (size_t s = 0; s < a->l->n_series; s++) {
        const rw_series_def_t *d = &a->l->series[s];
        if (!member[d->stream]) continue;
        if (d->id_bit >= 0) entry_set_bit(a->ev.p + entry, d->id_bit);
        sview_t v;
        uint32_t i = bucket_at(a, s, d->unit == 'd' ? day : hour, &v);
        count_add(&v, i, 1);
        for (size_t k = 0; k < d->n_num; k++) {
            rw_value_t val = rw_evpath_read(d->num[k], ev);
            if (val.kind == RW_V_NUM) num_add(&v, i, k, val.num);
        }
        for (size_t k = 0; k < d->n_dist; k++) {
            rw_value_t val = rw_evpath_read(d->dist[k], ev);
            if (val.kind != RW_V_NULL) dist_add(a, &v, i, k, val);
        }
    }
    for (size_t g = 0; g < a->l->n_logs; g++)
        if (member[a->l->logs[g].stream]) lastlog_add(a, g, ev);
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

void rw_aggs_trim(rw_aggs_t *a)
{
    bytes_fit(&a->bk);
    for (uint32_t i = 0; i < n_pools(a); i++)
        bytes_fit(pool_at(a, i));
    bytes_fit(&a->pools);
    for (uint32_t g = 0; g < n_lasts(a); g++)
        bytes_fit(&lastlog_at(a, g)->e);
    bytes_fit(&a->lasts);
    bytes_fit(&a->ev);
    bytes_fit(&a->ids);
    bytes_fit(&a->dict.text);
    bytes_fit(&a->dict.off);
}

size_t rw_aggs_footprint(const rw_aggs_t *a)
{
    size_t n = block(sizeof *a + a->l->n_ewmas * sizeof *a->ewma) + block(a->bk.cap) +
               block(a->pools.cap) + block(a->lasts.cap) + block(a->ev.cap) + block(a->ids.cap) +
               block(a->n_slots * sizeof *a->slot) + block(a->dict.text.cap) +
               block(a->dict.off.cap);
    for (uint32_t i = 0; i < n_pools(a); i++)
        n += block(pool_at(a, i)->cap);
    for (uint32_t g = 0; g < n_lasts(a); g++)
        n += block(lastlog_at(a, g)->e.cap);
    if (a->unlogged)
        n += block(sizeof *a->unlogged) + block(a->unlogged->n_slots * sizeof *a->unlogged->h) +
             block(a->unlogged->n_slots * sizeof *a->unlogged->day);
    return n;
}

const rw_ewma_t *rw_aggs_ewma(const rw_aggs_t *a, int model)
{
    for (size_t i = 0; i < a->l->n_ewmas; i++)
        if (a->l->ewmas[i] == model) return &a->ewma[i];
    return NULL;
}

/* ---- queries --------------------------------------------------------------------- */

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

static rw_value_t last_query(const rw_aggs_t *a, const rw_call_site_t *site,
                             const rw_callspec_t *spec, double t, int tz_min)
{
    const rw_lastlog_def_t *d = &a->l->logs[site->lastlog];
    uint32_t g = 0;
    while (g < n_lasts(a) && lastlog_at(a, g)->def != (uint32_t)site->lastlog)
        g++;
    if (g == n_lasts(a)) return rw_null();
    const bytes_t *lg = &lastlog_at(a, g)->e;
    size_t w = lastlog_width(d), at = lg->used;
    while (at > 0 && time_at(lg->p + at - w) > t)
        at -= w;
    if (at == 0) return rw_null();
    const unsigned char *e = lg->p + at - w;
    if (rw_local_day(time_at(e), tz_min) < cutoff_day(a, tz_min)) return rw_null();
    /* to the microsecond: times with fractions are binary doubles near 1.7e9, whose
     * difference is 86399.99900007248 s where the texts say 86399.999 */
    if (spec->kind == RW_AGG_SINCE) return rw_num(round((t - time_at(e)) * 1e6) / 1e6);
    const lval_t *v = (const lval_t *)(const void *)(e + 8) + site->field;
    size_t len;
    const char *s;
    switch ((rw_vkind_t)v->kind) {
    case RW_V_NUM:
        return rw_num(v->num);
    case RW_V_BOOL:
        return rw_bool(v->b);
    case RW_V_STR:
        s = dict_text(&a->dict, v->str, &len);
        return rw_str(s + 1, len - 1); /* after the tag */
    case RW_V_NULL:
        break;
    }
    return rw_null();
}

/* Distinct value ids among ids[from, to). */
static size_t count_distinct(const rw_aggs_t *a, const uint32_t *ids, uint32_t from, uint32_t to)
{
    uint64_t small[16], *seen = small;
    size_t words = (dict_n(&a->dict) + 63) / 64, n = 0;
    if (words > sizeof small / sizeof *small)
        seen = rw_xcalloc(words, sizeof *seen);
    else
        memset(small, 0, sizeof small);
    for (uint32_t x = from; x < to; x++) {
        uint64_t bit = (uint64_t)1 << (ids[x] % 64);
        n += !(seen[ids[x] / 64] & bit);
        seen[ids[x] / 64] |= bit;
    }
    if (seen != small) free(seen);
    return n;
}

rw_value_t rw_aggs_query(rw_aggs_t *a, int call, double t, int tz_min)
{
    const rw_callspec_t *spec = &a->l->rules->calls[call];
    const rw_call_site_t *site = &a->l->sites[call];
    if (site->lastlog >= 0) return last_query(a, site, spec, t, tz_min);
    sview_t v = sview(a, (size_t)site->series);
    int64_t lo, hi;
    window_range(a, spec, t, tz_min, &lo, &hi);
    uint32_t i0 = lower_bound(&v, lo),
             i1 = hi < INT32_MAX ? lower_bound(&v, hi + 1) : (v.dir ? v.dir->n : 0);
    if (i1 <= i0) {
        int zero =
            spec->kind == RW_AGG_COUNT || spec->kind == RW_AGG_SUM || spec->kind == RW_AGG_DISTINCT;
        return zero ? rw_num(0) : rw_null();
    }
    if (spec->kind == RW_AGG_COUNT)
        return rw_num(
            (uint32_t)(row_at(&v, i1 - 1)->cum - (i0 ? row_at(&v, i0 - 1)->cum : v.dir->base)));
    if (spec->kind == RW_AGG_DISTINCT) { /* the window's values are one run of the pool */
        uint32_t from, to, unused;
        dist_range(&v, i0, (size_t)site->slot, &from, &unused);
        dist_range(&v, i1 - 1, (size_t)site->slot, &unused, &to);
        return rw_num((double)count_distinct(a, pool_ids(&v.pools[site->slot]), from, to));
    }
    /* plain summation in time order, bucket by bucket */
    double sum = 0, mn = 0, mx = 0, n = 0;
    for (uint32_t i = i0; i < i1; i++) {
        uint32_t nn = num_n(&v, i)[site->slot];
        if (!nn) continue;
        numstat_t st = num_get(&v, i, (size_t)site->slot);
        if (n == 0 || st.min < mn) mn = st.min;
        if (n == 0 || st.max > mx) mx = st.max;
        sum += st.sum;
        n += nn;
    }
    /* a sum past the doubles is null, as an arithmetic overflow is (eval.c) */
    switch (spec->kind) {
    case RW_AGG_SUM:
        return isfinite(sum) ? rw_num(sum) : rw_null();
    case RW_AGG_AVG:
        return n && isfinite(sum) ? rw_num(sum / n) : rw_null();
    case RW_AGG_MIN:
        return n ? rw_num(mn) : rw_null();
    case RW_AGG_MAX:
        return n ? rw_num(mx) : rw_null();
    default:
        return rw_null();
    }
}

/* A window of `events`: the series bit and its bucket-key range. */
typedef struct {
    int bit;
    char unit;
    int64_t lo, hi;
} evwin_t;

void rw_aggs_events(const rw_aggs_t *a, const int *calls, size_t n_calls, double t, int tz_min,
                    json_t *arr)
{
    evwin_t *w = rw_xmalloc((n_calls ? n_calls : 1) * sizeof *w);
    size_t n_w = 0;
    int64_t first_day = INT64_MAX, last_day = INT64_MIN; /* the windows' dates */
    for (size_t c = 0; c < n_calls; c++) {
        const rw_callspec_t *spec = &a->l->rules->calls[calls[c]];
        evwin_t x = {.bit = a->l->series[a->l->sites[calls[c]].series].id_bit, .unit = spec->unit};
        window_range(a, spec, t, tz_min, &x.lo, &x.hi);
        if (x.bit < 0 || x.lo > x.hi) continue;
        w[n_w++] = x;
        if (key_day(x.unit, x.lo) < first_day) first_day = key_day(x.unit, x.lo);
        if (key_day(x.unit, x.hi) > last_day) last_day = key_day(x.unit, x.hi);
    }
    /* the newest RW_EVENTS_MAX entries inside a window: walk back from the last entry
     * dated within the windows (a window covers whole buckets, later times included; an
     * entry's bucket is its time's local date or hour, as when it was applied, the
     * catalogue's zone staying the same) */
    uint32_t lo = 0, hi = n_w ? log_n(a) : 0;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (rw_local_day(time_at(entry_at(a, mid)), tz_min) <= last_day)
            lo = mid + 1;
        else
            hi = mid;
    }
    uint32_t taken[RW_EVENTS_MAX], n = 0;
    for (uint32_t i = lo; i > 0 && n < RW_EVENTS_MAX; i--) {
        const unsigned char *e = entry_at(a, i - 1);
        double et = time_at(e);
        int64_t day = rw_local_day(et, tz_min);
        if (day < first_day) break;
        for (size_t k = 0; k < n_w; k++) {
            if (!entry_bit(e, w[k].bit)) continue;
            int64_t key = w[k].unit == 'd' ? day : rw_local_hour(et, tz_min);
            if (key >= w[k].lo && key <= w[k].hi) {
                taken[n++] = entry_off(e);
                break;
            }
        }
    }
    while (n > 0) { /* oldest first; an id stops at a NUL byte, as it always has */
        size_t len;
        const char *id = rec_get(&a->ids, taken[--n], &len);
        json_array_append_new(arr, json_stringn(id, strnlen(id, len)));
    }
    free(w);
}

/* ---- encoding -------------------------------------------------------------------- */

/* Format 5: integers as LEB128 varints, bucket keys, days and times as small deltas,
 * whole-second times as integers. Distinct values and last() strings are written once
 * each, in byte order, and referred to by number; series, last logs and models only
 * when they hold data, each under its names so a reload can map it; the event log once
 * per entity (each id after the prefix it shares with the one before), an event's
 * series bits numbering the written series that keep ids. Format 4 (ids per series
 * bucket, dedup as hashes, strings inline) is still read. */
#define AGGS_FORMAT 5

static void put_varint(rw_buf_t *b, uint64_t v)
{
    for (; v >= 0x80; v >>= 7)
        rw_buf_putc(b, (char)(v | 0x80));
    rw_buf_putc(b, (char)v);
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

static int whole_second(double t)
{
    return t == floor(t) && fabs(t) < 1e12;
}

/* Event times are mostly whole seconds: those go as a varint delta from `base` with the
 * low bit clear, any other as the low bit set and the double. */
static void put_time(rw_buf_t *b, double t, int64_t base)
{
    if (whole_second(t)) {
        put_varint(b, zigzag((int64_t)t - base) << 1);
    } else {
        put_varint(b, 1);
        put_f64(b, t);
    }
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

/* In hash order, so the same state always encodes to the same bytes. */
static void put_unlogged(rw_buf_t *out, const rw_aggs_t *a)
{
    const seen_t *s = a->unlogged;
    size_t n = 0;
    seen_entry_t *sorted = rw_xmalloc(((s ? s->count : 0) + 1) * sizeof *sorted);
    for (size_t i = 0; s && i < s->n_slots; i++)
        if (s->h[i]) sorted[n++] = (seen_entry_t){s->h[i], s->day[i]};
    qsort(sorted, n, sizeof *sorted, cmp_seen_entry);
    put_varint(out, n);
    for (size_t i = 0; i < n; i++) {
        rw_buf_append(out, &sorted[i].h, 8);
        put_svarint(out, sorted[i].day - a->pruned_at);
    }
    free(sorted);
}

static const char *stream_name(const rw_layout_t *l, int stream)
{
    return l->rules->streams[stream].name;
}

typedef struct {
    const char *s;
    size_t len;
    uint32_t id;
} vref_t;

static int cmp_vref(const void *x, const void *y)
{
    const vref_t *a = x, *b = y;
    int c = memcmp(a->s, b->s, a->len < b->len ? a->len : b->len);
    if (c) return c;
    return a->len < b->len ? -1 : a->len > b->len;
}

/* Writes the values in use in byte order; returns their numbers by value id. */
static uint32_t *put_values(rw_buf_t *out, const rw_aggs_t *a)
{
    uint32_t n_values = dict_n(&a->dict);
    uint32_t *map = rw_xcalloc(n_values ? n_values : 1, sizeof *map);
    each_value_ref(a, mark_ref, map);
    vref_t *v = rw_xmalloc((n_values ? n_values : 1) * sizeof *v);
    size_t n = 0;
    for (uint32_t i = 0; i < n_values; i++)
        if (map[i]) {
            v[n].s = dict_text(&a->dict, i, &v[n].len);
            v[n++].id = i;
        }
    qsort(v, n, sizeof *v, cmp_vref);
    put_varint(out, n);
    for (size_t k = 0; k < n; k++) {
        map[v[k].id] = (uint32_t)k;
        put_str(out, v[k].s, v[k].len);
    }
    free(v);
    return map;
}

static void put_names(rw_buf_t *out, char *const *names, size_t n)
{
    put_varint(out, n);
    for (size_t k = 0; k < n; k++)
        put_str(out, names[k], strlen(names[k]));
}

static void put_series(rw_buf_t *out, const sview_t *v, const rw_layout_t *l, const uint32_t *map)
{
    const rw_series_def_t *d = v->d;
    const char *name = stream_name(l, d->stream);
    put_varint(out, v->dir->def);
    put_str(out, name, strlen(name));
    rw_buf_putc(out, d->unit);
    rw_buf_putc(out, (char)(d->id_bit >= 0));
    put_names(out, d->num_names, d->n_num);
    put_names(out, d->dist_names, d->n_dist);
    put_varint(out, v->dir->n);
    int64_t prev = 0;
    for (uint32_t i = 0; i < v->dir->n; i++) {
        const row_t *row = row_at(v, i);
        put_svarint(out, row->key - prev);
        prev = row->key;
        put_varint(out, (uint32_t)(row->cum - (i ? row_at(v, i - 1)->cum : v->dir->base)));
        for (size_t k = 0; k < d->n_num; k++) {
            uint32_t n = num_n(v, i)[k];
            numstat_t st = num_get(v, i, k);
            put_varint(out, n);
            if (!n) continue;
            put_f64(out, st.sum);
            put_f64(out, st.min);
            put_f64(out, st.max);
        }
        for (size_t k = 0; k < d->n_dist; k++) {
            uint32_t from, to;
            dist_range(v, i, k, &from, &to);
            put_varint(out, to - from);
            for (uint32_t y = from; y < to; y++)
                put_varint(out, map[pool_ids(&v->pools[k])[y]]);
        }
    }
}

/* The event log; bit k of a written mask is the k-th written series that keeps ids
 * (every bit set belongs to a series holding data: series_remove clears the others). */
static void put_events(rw_buf_t *out, const rw_aggs_t *a, int64_t tbase)
{
    const rw_layout_t *l = a->l;
    int *bits = rw_xmalloc((a->n_dir ? a->n_dir : 1) * sizeof *bits);
    size_t n_bits = 0;
    for (uint32_t j = 0; j < a->n_dir; j++)
        if (l->series[dirs(a)[j].def].id_bit >= 0)
            bits[n_bits++] = l->series[dirs(a)[j].def].id_bit;
    put_varint(out, log_n(a));
    int64_t prev = tbase;
    const char *prev_id = "";
    size_t prev_len = 0;
    for (uint32_t i = 0; i < log_n(a); i++) {
        const unsigned char *e = entry_at(a, i);
        double t = time_at(e);
        put_time(out, t, prev);
        if (whole_second(t)) prev = (int64_t)t;
        unsigned char mask = 0;
        for (size_t k = 0; k < n_bits; k++) {
            mask |= (unsigned char)(entry_bit(e, bits[k]) << (k % 8));
            if (k % 8 == 7 || k + 1 == n_bits) {
                rw_buf_putc(out, (char)mask);
                mask = 0;
            }
        }
        size_t len, shared = 0;
        const char *id = rec_get(&a->ids, entry_off(e), &len);
        while (shared < len && shared < prev_len && id[shared] == prev_id[shared])
            shared++;
        put_varint(out, shared);
        put_str(out, id + shared, len - shared);
        prev_id = id;
        prev_len = len;
    }
    free(bits);
}

static void put_lastlog(rw_buf_t *out, const rw_aggs_t *a, const lastlog_t *lg, int64_t tbase,
                        const uint32_t *map)
{
    const rw_lastlog_def_t *d = &a->l->logs[lg->def];
    const char *name = stream_name(a->l, d->stream);
    size_t w = lastlog_width(d);
    put_str(out, name, strlen(name));
    put_names(out, d->field_names, d->n_fields);
    put_varint(out, lg->e.used / w);
    for (size_t at = 0; at < lg->e.used; at += w) {
        put_time(out, time_at(lg->e.p + at), tbase);
        const lval_t *v = (const lval_t *)(const void *)(lg->e.p + at + 8);
        for (size_t k = 0; k < d->n_fields; k++) {
            rw_buf_putc(out, (char)v[k].kind);
            if (v[k].kind == RW_V_NUM) put_f64(out, v[k].num);
            if (v[k].kind == RW_V_BOOL) rw_buf_putc(out, (char)v[k].b);
            if (v[k].kind == RW_V_STR) put_varint(out, map[v[k].str]);
        }
    }
}

static int ewma_sampled(const rw_ewma_t *e)
{
    static const rw_ewma_t none;
    return memcmp(e, &none, sizeof none) != 0;
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
    put_varint(out, AGGS_FORMAT);
    rw_buf_putc(out, (char)a->has_max);
    put_f64(out, a->max_time);
    put_varint(out, a->seq);
    put_svarint(out, a->pruned_at);
    int64_t tbase = (int64_t)floor(a->max_time);
    put_unlogged(out, a);
    uint32_t *map = put_values(out, a);
    put_varint(out, a->n_dir);
    for (uint32_t j = 0; j < a->n_dir; j++) {
        sview_t v = sview(a, dirs(a)[j].def);
        put_series(out, &v, l, map);
    }
    put_events(out, a, tbase);
    put_varint(out, n_lasts(a));
    for (uint32_t g = 0; g < n_lasts(a); g++)
        put_lastlog(out, a, lastlog_at(a, g), tbase, map);
    free(map);
    size_t n = 0;
    for (size_t i = 0; i < l->n_ewmas; i++)
        n += ewma_sampled(&a->ewma[i]);
    put_varint(out, n);
    for (size_t i = 0; i < l->n_ewmas; i++)
        if (ewma_sampled(&a->ewma[i]))
            put_ewma(out, l->rules->models[l->ewmas[i]].name, &a->ewma[i]);
}

typedef struct {
    const char *p;
    size_t n, pos;
    int bad;
} reader_t;

/* A view of the next n bytes ("" and bad when fewer are left). */
static const char *get_bytes(reader_t *r, size_t n)
{
    if (r->bad || n > r->n - r->pos) {
        r->bad = 1;
        return "";
    }
    r->pos += n;
    return r->p + r->pos - n;
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
    double v = 0;
    const char *p = get_bytes(r, 8);
    if (!r->bad) memcpy(&v, p, 8);
    return v;
}

static char get_c(reader_t *r)
{
    return r->bad ? 0 : *get_bytes(r, 1);
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
    const char *s = get_bytes(r, n > r->n ? r->n + 1 : (size_t)n);
    *len = r->bad ? 0 : (size_t)n;
    return s;
}

/* Format 4: seq - delta, refusing deltas that would go below 1 */
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

/* The layout's series a stored one maps to: the same index when the names match (the
 * usual case, same rules), else by stream name and unit; -1 when gone. */
static int series_target(const rw_layout_t *l, uint64_t hint, const char *name, size_t len,
                         char unit)
{
    if (hint < l->n_series) {
        const rw_series_def_t *d = &l->series[hint];
        const char *n = stream_name(l, d->stream);
        if (d->unit == unit && strlen(n) == len && memcmp(n, name, len) == 0) return (int)hint;
    }
    int stream = stream_named(l->rules, name, len);
    for (size_t s = 0; s < l->n_series && stream >= 0; s++)
        if (l->series[s].stream == stream && l->series[s].unit == unit) return (int)s;
    return -1;
}

/* A value number of format 5: one of the values read. */
static uint32_t get_value_id(reader_t *r, const rw_aggs_t *a)
{
    uint64_t id = get_varint(r);
    if (id >= dict_n(&a->dict)) r->bad = 1;
    return r->bad ? 0 : (uint32_t)id;
}

/* Decoding context: the series bits of the stored event masks, mapped onto the layout's
 * (-1 when gone), and format 4's event ids, gathered from its series buckets. */
typedef struct {
    double time;
    uint64_t seq;
    const char *id;
    size_t len;
    int bit;
} v4id_t;

typedef struct {
    int v4;
    bytes_t bits; /* int */
    bytes_t ids;  /* v4id_t */
} decoding_t;

static int cmp_v4id(const void *x, const void *y)
{
    const v4id_t *a = x, *b = y;
    if (a->time != b->time) return a->time < b->time ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Format 4's ids, logged once per event (by processing number) with its series bits. */
static void log_v4_ids(rw_aggs_t *a, decoding_t *dc)
{
    v4id_t *ids = (v4id_t *)(void *)dc->ids.p;
    size_t n = dc->ids.used / sizeof *ids;
    if (n) qsort(ids, n, sizeof *ids, cmp_v4id);
    unsigned char *e = NULL;
    for (size_t i = 0; i < n; i++) {
        if (!e || ids[i].seq != ids[i - 1].seq)
            e = log_insert(a, ids[i].time, rec_add(&a->ids, 0, ids[i].id, ids[i].len));
        entry_set_bit(e, ids[i].bit);
    }
    index_build(a);
}

static void decode_unlogged(reader_t *r, rw_aggs_t *a)
{
    uint32_t n = get_count(r);
    for (uint32_t i = 0; i < n && !r->bad; i++) {
        uint64_t h = 0;
        const char *hp = get_bytes(r, 8);
        if (!r->bad) memcpy(&h, hp, 8);
        int64_t day = check_key(r, a->pruned_at + get_svarint(r));
        if (!h) r->bad = 1; /* 0 marks an empty slot */
        if (r->bad) break;
        if (!a->unlogged) a->unlogged = rw_xcalloc(1, sizeof *a->unlogged);
        seen_insert(a->unlogged, h, (int32_t)day);
    }
}

static void decode_values(reader_t *r, rw_aggs_t *a)
{
    uint32_t n = get_count(r);
    for (uint32_t i = 0; i < n && !r->bad; i++) {
        size_t len;
        const char *s = get_str(r, &len);
        if (!len) r->bad = 1; /* every value has its tag */
        if (!r->bad) dict_add(&a->dict, 0, s, len);
    }
}

/* A series; format 4 has values as text and event ids per bucket. */
static void decode_series(reader_t *r, rw_aggs_t *a, int64_t tbase, decoding_t *dc)
{
    const rw_layout_t *l = a->l;
    uint64_t hint = get_varint(r);
    size_t len;
    const char *name = get_str(r, &len);
    char unit = get_c(r);
    int had_ids = get_c(r);
    int target = r->bad ? -1 : series_target(l, hint, name, len, unit);
    const rw_series_def_t *d = target >= 0 ? &l->series[target] : NULL;
    uint32_t n_num, n_dist;
    int *num_map = map_fields(r, d ? d->num_names : NULL, d ? d->n_num : 0, &n_num);
    int *dist_map = map_fields(r, d ? d->dist_names : NULL, d ? d->n_dist : 0, &n_dist);
    uint32_t n_buckets = get_count(r);
    int64_t key = 0;
    for (uint32_t i = 0; i < n_buckets && !r->bad; i++) {
        key = check_key(r, key + get_svarint(r));
        uint64_t count = get_varint(r);
        if (count > UINT32_MAX) r->bad = 1;
        sview_t v = {0};
        uint32_t b = d && !r->bad ? bucket_at(a, (size_t)target, key, &v) : 0;
        if (v.dir) count_add(&v, b, (uint32_t)count);
        for (uint32_t k = 0; k < n_num; k++) {
            uint64_t n = get_varint(r);
            numstat_t st = {0};
            if (n > UINT32_MAX) r->bad = 1;
            if (n) {
                st.sum = get_f64(r);
                st.min = get_f64(r);
                st.max = get_f64(r);
            }
            if (!v.dir || num_map[k] < 0 || r->bad) continue;
            num_put(&v, b, (size_t)num_map[k], st);
            num_n(&v, b)[num_map[k]] = (uint32_t)n;
        }
        for (uint32_t k = 0; k < n_dist; k++) {
            uint32_t nv = get_count(r);
            for (uint32_t y = 0; y < nv && !r->bad; y++) {
                uint32_t id;
                if (dc->v4) { /* text compared up to a NUL byte, as format 4 was */
                    const char *t = get_str(r, &len);
                    id = r->bad ? 0 : dict_intern(&a->dict, 0, t, strnlen(t, len));
                } else
                    id = get_value_id(r, a);
                if (v.dir && dist_map[k] >= 0 && !r->bad)
                    dist_add_id(&v, b, (size_t)dist_map[k], id);
            }
        }
        uint32_t n_ids = dc->v4 ? get_count(r) : 0;
        for (uint32_t y = 0; y < n_ids && !r->bad; y++) {
            double t = get_time(r, tbase);
            uint64_t seq = get_seq(r, a->seq);
            const char *id = get_str(r, &len);
            if (!v.dir || d->id_bit < 0 || !had_ids || r->bad) continue;
            v4id_t x = {t, seq, id, len, d->id_bit};
            memcpy(bytes_open(&dc->ids, dc->ids.used, sizeof x), &x, sizeof x);
        }
    }
    if (had_ids) { /* the next bit of format 5's event masks */
        int bit = d && sview(a, (size_t)target).dir ? d->id_bit : -1;
        memcpy(bytes_open(&dc->bits, dc->bits.used, sizeof bit), &bit, sizeof bit);
    }
    free(num_map);
    free(dist_map);
}

static void decode_events(reader_t *r, rw_aggs_t *a, int64_t tbase, const decoding_t *dc)
{
    const int *bits = (const int *)(const void *)dc->bits.p;
    uint32_t n_bits = (uint32_t)(dc->bits.used / sizeof *bits), n = get_count(r);
    bytes_reserve(&a->ev, n * entry_width(a->l));
    int64_t prev = tbase;
    double last = -INFINITY;
    uint32_t prev_off = 0;
    size_t prev_len = 0;
    for (uint32_t i = 0; i < n && !r->bad; i++) {
        double t = get_time(r, prev);
        if (whole_second(t)) prev = (int64_t)t;
        if (t < last) r->bad = 1; /* the log is sorted */
        last = t;
        const unsigned char *mask = (const unsigned char *)get_bytes(r, (n_bits + 7) / 8);
        uint64_t shared = get_varint(r);
        size_t len;
        const char *rest = get_str(r, &len);
        if (shared > prev_len) r->bad = 1;
        if (r->bad) break;
        uint32_t off;
        unsigned char *id = rec_open(&a->ids, shared + len, &off);
        size_t unused;
        if (shared) memcpy(id, rec_get(&a->ids, prev_off, &unused), shared);
        memcpy(id + shared, rest, len);
        unsigned char *e = log_insert(a, t, off);
        for (uint32_t k = 0; k < n_bits; k++)
            if (mask[k / 8] >> (k % 8) & 1 && bits[k] >= 0) entry_set_bit(e, bits[k]);
        prev_off = off;
        prev_len = shared + len;
    }
    index_build(a);
}

/* A last-value log; format 4 has processing numbers and strings inline. */
static void decode_lastlog(reader_t *r, rw_aggs_t *a, int64_t tbase, int v4)
{
    const rw_layout_t *l = a->l;
    size_t len;
    const char *name = get_str(r, &len);
    int stream = stream_named(l->rules, name, len);
    int target = -1;
    for (size_t g = 0; g < l->n_logs && stream >= 0; g++)
        if (l->logs[g].stream == stream) target = (int)g;
    const rw_lastlog_def_t *d = target >= 0 ? &l->logs[target] : NULL;
    uint32_t n_fields;
    int *map = map_fields(r, d ? d->field_names : NULL, d ? d->n_fields : 0, &n_fields);
    uint32_t n = get_count(r);
    for (uint32_t i = 0; i < n && !r->bad; i++) {
        double t = get_time(r, tbase);
        if (v4) get_seq(r, a->seq);
        lval_t *vals = NULL;
        if (d && !r->bad) {
            bytes_t *lg = lastlog_open(a, (size_t)target);
            unsigned char *e = bytes_open(lg, lg->used, lastlog_width(d));
            memcpy(e, &t, 8);
            vals = (lval_t *)(void *)(e + 8);
        }
        for (uint32_t k = 0; k < n_fields; k++) {
            lval_t v = {.kind = (uint8_t)get_c(r)};
            if (v.kind == RW_V_NUM)
                v.num = get_f64(r);
            else if (v.kind == RW_V_BOOL)
                v.b = get_c(r) != 0;
            else if (v.kind == RW_V_STR && v4) {
                const char *s = get_str(r, &len);
                v.str = r->bad ? 0 : dict_intern(&a->dict, 's', s, len);
            } else if (v.kind == RW_V_STR)
                v.str = get_value_id(r, a);
            else if (v.kind != RW_V_NULL)
                r->bad = 1;
            if (vals && map[k] >= 0 && !r->bad) vals[map[k]] = v;
        }
    }
    free(map);
}

rw_aggs_t *rw_aggs_decode(const rw_layout_t *l, const char *p, size_t n)
{
    reader_t r = {.p = p, .n = n};
    uint64_t format = get_varint(&r);
    if (r.bad || (format != AGGS_FORMAT && format != 4)) return NULL;
    decoding_t dc = {.v4 = format == 4};
    rw_aggs_t *a = rw_aggs_new(l);
    a->held_from = INT32_MIN;
    a->has_max = get_c(&r);
    a->max_time = check_time(&r, get_f64(&r));
    a->seq = get_varint(&r);
    a->pruned_at = check_key(&r, get_svarint(&r));
    int64_t tbase = r.bad ? 0 : (int64_t)floor(a->max_time);
    decode_unlogged(&r, a);
    if (!dc.v4) decode_values(&r, a);
    uint32_t n_series = get_count(&r);
    for (uint32_t s = 0; s < n_series && !r.bad; s++)
        decode_series(&r, a, tbase, &dc);
    if (dc.v4)
        log_v4_ids(a, &dc);
    else
        decode_events(&r, a, tbase, &dc);
    uint32_t n_logs = get_count(&r);
    for (uint32_t g = 0; g < n_logs && !r.bad; g++)
        decode_lastlog(&r, a, tbase, dc.v4);
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
    free(dc.bits.p);
    free(dc.ids.p);
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
        sview_t v = sview(a, s);
        double total = v.dir ? (uint32_t)(row_at(&v, v.dir->n - 1)->cum - v.dir->base) : 0;
        json_array_append_new(
            series, json_pack("{s:s,s:s,s:I,s:f}", "stream", stream_name(l, l->series[s].stream),
                              "unit", l->series[s].unit == 'd' ? "day" : "hour", "buckets",
                              (json_int_t)(v.dir ? v.dir->n : 0), "events", total));
    }
    char latest[64] = "";
    if (a->has_max) rw_time_format(a->max_time, l->rules->catalog.tz_offset_min, latest);
    return json_pack("{s:I,s:s?,s:o}", "events_applied", (json_int_t)a->seq, "latest_event_time",
                     a->has_max ? latest : NULL, "series", series);
}
