/* engine.c — one event at a time through validation, dedup, lateness, apply and
 * rule evaluation; leads with evidence, clauses, suppression and escalation. */
#define _GNU_SOURCE /* memmem */
#include "engine.h"

#include "eval.h"
#include "jsonw.h"
#include "lifecycle.h"
#include "log.h"
#include "rwtime.h"
#include "util.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* ---- records in memory by id ------------------------------------------------------ */

/* Entities and lead texts are kept in hash maps by id; each record starts with a node,
 * and its id follows the record in the same allocation (node_new). The maps are large
 * and mostly out of the CPU's caches: a lookup reads the slot and the node, and the id
 * only when the hash matches. */
typedef struct node {
    char *id;
    size_t id_len;
    uint64_t hash;
    struct node *next;
} node_t;

/* A zeroed record of `size` bytes starting with a node for the id; freed with free(). */
static void *node_new(size_t size, const char *id, size_t len)
{
    node_t *x = rw_xcalloc(1, size + len + 1);
    x->id = (char *)x + size;
    memcpy(x->id, id, len);
    x->id_len = len;
    x->hash = rw_hash64(id, len);
    return x;
}

typedef struct {
    node_t **slots;
    size_t n_slots, count;
} map_t;

static node_t *map_find(const map_t *m, const char *id, size_t len)
{
    if (!m->n_slots) return NULL;
    uint64_t h = rw_hash64(id, len);
    for (node_t *x = m->slots[h & (m->n_slots - 1)]; x; x = x->next)
        if (x->hash == h && x->id_len == len && memcmp(x->id, id, len) == 0) return x;
    return NULL;
}

/* Unlinks the record with this id and returns it (NULL when absent). */
static node_t *map_remove(map_t *m, const char *id, size_t len)
{
    if (!m->n_slots) return NULL;
    uint64_t h = rw_hash64(id, len);
    for (node_t **pp = &m->slots[h & (m->n_slots - 1)]; *pp; pp = &(*pp)->next) {
        node_t *x = *pp;
        if (x->hash == h && x->id_len == len && memcmp(x->id, id, len) == 0) {
            *pp = x->next;
            m->count--;
            return x;
        }
    }
    return NULL;
}

/* Takes the record (made by node_new); its id must not be in the map yet. */
static void map_insert(map_t *m, node_t *x)
{
    if (m->count + 1 > m->n_slots * 3 / 4) {
        size_t n = m->n_slots ? m->n_slots * 2 : 1024;
        node_t **slots = rw_xcalloc(n, sizeof *slots);
        for (size_t i = 0; i < m->n_slots; i++)
            for (node_t *y = m->slots[i], *next; y; y = next) {
                next = y->next;
                size_t h = y->hash & (n - 1);
                y->next = slots[h];
                slots[h] = y;
            }
        free(m->slots);
        m->slots = slots;
        m->n_slots = n;
    }
    size_t h = x->hash & (m->n_slots - 1);
    x->next = m->slots[h];
    m->slots[h] = x;
    m->count++;
}

/* Orders records by id as RocksDB's bytewise comparator does: a batch put in key order
 * inserts into the memtable's skip list next to the previous key, not from the top. */
static int id_cmp(const node_t *x, const node_t *y)
{
    int c = memcmp(x->id, y->id, x->id_len < y->id_len ? x->id_len : y->id_len);
    return c ? c : (x->id_len > y->id_len) - (x->id_len < y->id_len);
}

static int node_cmp(const void *a, const void *b)
{
    return id_cmp(*(const node_t *const *)a, *(const node_t *const *)b);
}

/* Unlinks every record `drop` returns 1 for (drop frees it). */
static void map_sweep(map_t *m, int (*drop)(void *ud, node_t *x), void *ud)
{
    for (size_t i = 0; i < m->n_slots; i++) {
        node_t **pp = &m->slots[i];
        while (*pp) {
            node_t *x = *pp, *next = x->next;
            if (drop(ud, x)) {
                *pp = next;
                m->count--;
            } else
                pp = &x->next;
        }
    }
}

/* A suppression reference: the lead the rule's last unsuppressed trigger created. Kept
 * as a struct, not JSON: every trigger reads one. */
typedef struct {
    char *rule;       /* owned */
    const char *seen; /* the loaded rule's id it last matched, compared by address first */
    char lead[22];    /* as rw_lead_id writes it */
    double t0;
    int level;
} sref_t;

typedef struct entity {
    node_t node;     /* the entity id */
    json_t *profile; /* object */
    sref_t *refs;    /* in the order they were first set */
    size_t n_refs, cap_refs;
    size_t refs_bytes; /* the rule names' share of the references' memory */
    rw_aggs_t *aggs;
    int dirty;
    int profile_dirty, suppress_dirty; /* written only when they changed */
    uint64_t touched;                  /* commit generation of the last use */
    size_t bytes; /* memory held after the last event or commit: what the cache budget counts */
    size_t profile_bytes; /* of that, the profile's */
} entity_t;

static void ent_free(entity_t *e)
{
    json_decref(e->profile);
    for (size_t i = 0; i < e->n_refs; i++)
        free(e->refs[i].rule);
    free(e->refs);
    rw_aggs_free(e->aggs);
    free(e);
}

/* The reference of the rule with this id. `rule` is a loaded rule's id string: entities
 * are dropped when the rules change, so the address stays that rule's while cached. */
static sref_t *sref_find(entity_t *x, const char *rule)
{
    for (size_t i = 0; i < x->n_refs; i++)
        if (x->refs[i].seen == rule) return &x->refs[i];
    for (size_t i = 0; i < x->n_refs; i++)
        if (!strcmp(x->refs[i].rule, rule)) {
            x->refs[i].seen = rule;
            return &x->refs[i];
        }
    return NULL;
}

static sref_t *sref_add(entity_t *x, const char *rule)
{
    if (x->n_refs == x->cap_refs) {
        x->cap_refs = x->cap_refs ? x->cap_refs * 2 : 4;
        x->refs = rw_xrealloc(x->refs, x->cap_refs * sizeof *x->refs);
    }
    sref_t *r = &x->refs[x->n_refs++];
    *r = (sref_t){.rule = rw_xstrdup(rule)};
    x->refs_bytes += 16 + strlen(rule);
    return r;
}

/* Sets the loaded rule's reference to the lead (an id rw_lead_id wrote). */
static void sref_set(entity_t *x, const char *rule, const char *lead, double t0, int level)
{
    sref_t *r = sref_find(x, rule);
    if (!r) {
        r = sref_add(x, rule);
        r->seen = rule;
    }
    memcpy(r->lead, lead, sizeof r->lead);
    r->t0 = t0;
    r->level = level;
}

/* The stored form, {rule: {"lead", "t0", "level"}}, as compact JSON. */
static void srefs_text(const entity_t *x, rw_buf_t *b)
{
    rw_buf_putc(b, '{');
    for (size_t i = 0; i < x->n_refs; i++) {
        const sref_t *r = &x->refs[i];
        if (i) rw_buf_putc(b, ',');
        rw_json_append_key(b, r->rule);
        rw_buf_puts(b, "{\"lead\":");
        rw_json_append_cstr(b, r->lead);
        rw_buf_puts(b, ",\"t0\":");
        rw_json_append_real(b, r->t0);
        rw_buf_puts(b, ",\"level\":");
        rw_json_append_cstr(b, rw_level_name(r->level));
        rw_buf_putc(b, '}');
    }
    rw_buf_putc(b, '}');
}

static void srefs_load(entity_t *x, const json_t *stored)
{
    const char *rule;
    json_t *ref;
    json_object_foreach((json_t *)stored, rule, ref)
    {
        const char *lead = json_string_value(json_object_get(ref, "lead"));
        int level = rw_level_parse(json_string_value(json_object_get(ref, "level")));
        if (!lead || strlen(lead) >= sizeof x->refs->lead || level < 0)
            continue; /* damaged: as if never set */
        sref_t *r = sref_add(x, rule);
        strcpy(r->lead, lead);
        r->t0 = json_number_value(json_object_get(ref, "t0"));
        r->level = level;
    }
}

/* Counted after every event: kept as references are added rather than walked. */
static size_t srefs_footprint(const entity_t *x)
{
    return x->cap_refs * sizeof *x->refs + x->refs_bytes;
}

/* The latest text of a lead: a suppressed trigger rewrites it for its next revision
 * without reading it back from the store. An engine without a store writes no text and
 * keeps only the numbers that change. */
typedef struct {
    node_t node; /* the lead id */
    rw_buf_t text;
    int64_t revision, hits; /* only without a store (the text has them otherwise) */
    double overdue_after;   /* when the text's "overdue" turns true (rw_lead_overdue_after) */
    int dirty;              /* changed since the last stage */
    uint64_t used;          /* commit generation of the last change */
} lead_text_t;

static void lead_text_free(lead_text_t *t)
{
    rw_buf_free(&t->text);
    free(t);
}

struct rw_engine {
    rw_engine_opts_t o;
    const rw_rules_t *rules;
    rw_layout_t *layout;
    map_t ents;
    entity_t **dirty;
    size_t n_dirty, cap_dirty;
    node_t **sorted; /* scratch for a commit's lead texts in key order */
    size_t n_sorted, cap_sorted;
    size_t cached_bytes;
    map_t leads;       /* lead_text_t: the latest text of leads changed recently */
    size_t lead_bytes; /* what their texts hold */
    rw_buf_t hit;      /* a suppressed trigger's revision being written */
    rw_batch_t *batch;
    rw_buf_t text; /* scratch: a value a commit writes, a lead's message */
    uint64_t generation;
    rw_engine_stats_t stats;
    json_t *lead_counts;
    /* clause objects' JSON text by (rule, clause): rebuilt only when the cited version or
     * the processing day changes, since clause texts are large and leads frequent */
    struct clause_cache {
        int valid;
        const rw_law_version_t *v;
        int64_t now_day;
        rw_buf_t text; /* empty: the clause has no text at that version */
    } * clause_cache;
    rw_buf_t clauses; /* the array a trigger's lead cites */
    size_t *clause_base;
    /* per-event evaluation scratch */
    unsigned char *member; /* by stream; only the used ones are decided, the others stay 0 */
    int *used;             /* streams some aggregate, log, EWMA or rule's `on` reads */
    size_t n_used;
    rw_value_t *memo;
    unsigned char *memo_set;
    rw_model_parts_t *memo_parts; /* model calls: the parts of this event's value */
};

/* ---- lifecycle ---------------------------------------------------------------------- */

const char *rw_outcome_name(rw_outcome_t o)
{
    static const char *const names[] = {"applied", "duplicate", "late", "invalid", "unknown_type"};
    return names[o];
}

static void free_clause_cache(rw_engine_t *e)
{
    size_t n = e->rules && e->clause_base ? e->clause_base[e->rules->n_rules] : 0;
    for (size_t i = 0; i < n; i++)
        rw_buf_free(&e->clause_cache[i].text);
    free(e->clause_cache);
    free(e->clause_base);
    e->clause_cache = NULL;
    e->clause_base = NULL;
}

/* A sweep loads one rule but every ruleset's streams: deciding membership only for the
 * streams something reads was a sixth of its time. */
static void mark_used_streams(rw_engine_t *e)
{
    const rw_rules_t *r = e->rules;
    const rw_layout_t *l = e->layout;
    unsigned char *use = e->member; /* zeroed: borrowed as the set being built */
    for (size_t i = 0; i < l->n_series; i++)
        use[l->series[i].stream] = 1;
    for (size_t i = 0; i < l->n_logs; i++)
        use[l->logs[i].stream] = 1;
    for (size_t i = 0; i < l->n_ewmas; i++)
        use[r->models[l->ewmas[i]].stream] = 1;
    for (size_t i = 0; i < r->n_rules; i++)
        for (size_t k = 0; k < r->rules[i].n_on; k++)
            use[r->rules[i].on[k]] = 1;
    free(e->used);
    e->used = rw_xcalloc(r->n_streams + 1, sizeof *e->used);
    e->n_used = 0;
    for (size_t s = 0; s < r->n_streams; s++)
        if (use[s]) e->used[e->n_used++] = (int)s;
    memset(use, 0, r->n_streams);
}

static void alloc_scratch(rw_engine_t *e)
{
    free_clause_cache(e);
    e->clause_base = rw_xcalloc(e->rules->n_rules + 1, sizeof *e->clause_base);
    for (size_t i = 0; i < e->rules->n_rules; i++)
        e->clause_base[i + 1] = e->clause_base[i] + e->rules->rules[i].n_clauses;
    e->clause_cache = rw_xcalloc(e->clause_base[e->rules->n_rules] + 1, sizeof *e->clause_cache);
    free(e->member);
    free(e->memo);
    free(e->memo_set);
    free(e->memo_parts);
    size_t n_models = 0;
    for (size_t i = 0; i < e->rules->n_calls; i++)
        n_models += e->rules->calls[i].kind == RW_AGG_MODEL;
    e->memo_parts = n_models ? rw_xcalloc(e->rules->n_calls, sizeof *e->memo_parts) : NULL;
    e->member = rw_xcalloc(e->rules->n_streams + 1, 1);
    mark_used_streams(e);
    e->memo = rw_xcalloc(e->rules->n_calls + 1, sizeof *e->memo);
    e->memo_set = rw_xcalloc(e->rules->n_calls + 1, 1);
}

rw_engine_t *rw_engine_new(const rw_engine_opts_t *opts)
{
    rw_engine_t *e = rw_xcalloc(1, sizeof *e);
    e->o = *opts;
    if (!e->o.cache_bytes) e->o.cache_bytes = RW_ENGINE_CACHE_DEFAULT;
    if (!e->o.max_event_size) e->o.max_event_size = RW_EVENT_MAX_SIZE_DEFAULT;
    e->rules = opts->rules;
    e->layout = rw_layout_build(e->rules);
    e->lead_counts = json_object();
    if (opts->store) e->batch = rw_batch_new(opts->store);
    alloc_scratch(e);
    return e;
}

static int drop_entity(void *ud, node_t *x)
{
    (void)ud;
    ent_free((entity_t *)x);
    return 1;
}

static int drop_lead_text(void *ud, node_t *x)
{
    (void)ud;
    lead_text_free((lead_text_t *)x);
    return 1;
}

static void drop_all_entities(rw_engine_t *e)
{
    e->cached_bytes = 0;
    map_sweep(&e->ents, drop_entity, NULL);
    free(e->ents.slots);
    memset(&e->ents, 0, sizeof e->ents);
}

void rw_engine_free(rw_engine_t *e)
{
    if (!e) return;
    drop_all_entities(e);
    free(e->dirty);
    free(e->sorted);
    map_sweep(&e->leads, drop_lead_text, NULL);
    free(e->leads.slots);
    json_decref(e->lead_counts);
    rw_batch_free(e->batch);
    rw_buf_free(&e->text);
    rw_buf_free(&e->hit);
    rw_buf_free(&e->clauses);
    rw_layout_free(e->layout);
    free_clause_cache(e);
    free(e->member);
    free(e->used);
    free(e->memo);
    free(e->memo_set);
    free(e->memo_parts);
    free(e);
}

const rw_engine_stats_t *rw_engine_stats(const rw_engine_t *e)
{
    return &e->stats;
}

void rw_engine_stats_add(rw_engine_stats_t *sum, const rw_engine_stats_t *s)
{
    for (size_t i = 0; i < RW_OUT__COUNT; i++)
        sum->outcomes[i] += s->outcomes[i];
    for (size_t i = 0; i < RW_EV__COUNT; i++)
        sum->invalid[i] += s->invalid[i];
    sum->leads_created += s->leads_created;
    sum->leads_suppressed += s->leads_suppressed;
    sum->triggers_unbacked += s->triggers_unbacked;
    sum->lead_revisions += s->lead_revisions;
}

const json_t *rw_engine_lead_counts(const rw_engine_t *e)
{
    return e->lead_counts;
}

rw_batch_t *rw_engine_batch(rw_engine_t *e)
{
    return e->batch;
}

/* ---- entity load ------------------------------------------------------------------- */

/* The aggregates value starts with a byte saying whether the entity has a profile and
 * suppression references stored: loading an entity then takes one read, not three, and
 * an entity seen for the first time (the common case with many entities) one miss. */
enum { HAS_PROFILE = 1, HAS_SUPPRESS = 2 };

/* Approximately what jansson allocates for a value. */
static size_t json_footprint(const json_t *j)
{
    size_t n = 32;
    if (json_is_string(j)) n += 16 + json_string_length(j);
    if (json_is_array(j))
        for (size_t i = 0; i < json_array_size(j); i++)
            n += 16 + json_footprint(json_array_get(j, i));
    if (json_is_object(j)) {
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)j, k, v) n += 96 + strlen(k) + json_footprint(v);
    }
    return n;
}

/* Sets what the entity counts against the cache budget, after each event and each
 * commit's trim. Walking the profile's JSON costs about as much as encoding the
 * aggregates, so it is redone only when the profile changed. */
static void account(rw_engine_t *e, entity_t *x, int profile_changed)
{
    if (profile_changed) x->profile_bytes = json_footprint(x->profile);
    e->cached_bytes -= x->bytes;
    x->bytes = sizeof *x + 32 + x->node.id_len + rw_aggs_footprint(x->aggs) + x->profile_bytes +
               srefs_footprint(x);
    e->cached_bytes += x->bytes;
}

static entity_t *entity_get(rw_engine_t *e, const char *id, size_t len)
{
    entity_t *x = (entity_t *)map_find(&e->ents, id, len);
    if (x) return x;
    x = node_new(sizeof *x, id, len);
    size_t n;
    char *blob = e->o.store ? rw_store_get(e->o.store, RW_CF_AGGS, id, len, &n) : NULL;
    int flags = 0;
    if (blob) {
        flags = n ? (unsigned char)blob[0] : 0;
        x->aggs = n ? rw_aggs_decode(e->layout, blob + 1, n - 1) : NULL;
        free(blob);
        if (!x->aggs) rw_warn("engine", "实体 %s 的聚合状态无法解码，按空状态处理", x->node.id);
    }
    if (!x->aggs) x->aggs = rw_aggs_new(e->layout);
    x->profile = flags & HAS_PROFILE ? rw_store_get_json(e->o.store, RW_CF_PROFILE, id, len) : NULL;
    if (!x->profile) x->profile = json_object();
    if (flags & HAS_SUPPRESS) {
        json_t *stored = rw_store_get_json(e->o.store, RW_CF_SUPPRESS, id, len);
        srefs_load(x, stored);
        json_decref(stored);
    }
    account(e, x, 1);
    map_insert(&e->ents, &x->node);
    return x;
}

static int ent_cmp(const void *a, const void *b)
{
    return id_cmp(&(*(const entity_t *const *)a)->node, &(*(const entity_t *const *)b)->node);
}

static void mark_dirty(rw_engine_t *e, entity_t *x)
{
    if (x->dirty || !e->o.store) return;
    x->dirty = 1;
    if (e->n_dirty == e->cap_dirty) {
        e->cap_dirty = e->cap_dirty ? e->cap_dirty * 2 : 1024;
        e->dirty = rw_xrealloc(e->dirty, e->cap_dirty * sizeof *e->dirty);
    }
    e->dirty[e->n_dirty++] = x;
}

/* ---- evaluation -------------------------------------------------------------------- */

typedef struct {
    rw_engine_t *e;
    entity_t *x;
    const rw_event_t *ev;
} eval_ud_t;

static rw_value_t resolve_call(rw_eval_env_t *env, int call)
{
    eval_ud_t *u = env->ud;
    rw_engine_t *e = u->e;
    if (!e->memo_set[call]) {
        const rw_callspec_t *spec = &e->rules->calls[call];
        e->memo_set[call] = 1; /* a model is computed at most once per event */
        if (spec->kind == RW_AGG_MODEL)
            e->memo[call] =
                rw_model_compute(&e->rules->models[spec->model], env,
                                 rw_aggs_ewma(u->x->aggs, spec->model), &e->memo_parts[call]);
        else
            e->memo[call] =
                rw_aggs_query(u->x->aggs, call, u->ev->time, e->rules->catalog.tz_offset_min);
    }
    return e->memo[call];
}

static const char *region_of(const rw_event_t *ev, const entity_t *x)
{
    if (ev->region) return ev->region;
    const json_t *r = json_object_get(x->profile, "region");
    return json_is_string(r) ? json_string_value(r) : NULL;
}

unsigned rw_engine_shard_of(const char *entity, size_t len, unsigned n)
{
    /* the high half: engines index their entity maps with the low bits */
    return (unsigned)((rw_hash64(entity, len) >> 32) % n);
}

void rw_lead_id(const char *rule, const char *entity, size_t elen, const char *trigger, size_t tlen,
                char *out)
{
    rw_buf_t b;
    rw_buf_init(&b);
    rw_buf_puts(&b, rule);
    rw_buf_putc(&b, 0x1f);
    rw_buf_append(&b, entity, elen);
    rw_buf_putc(&b, 0x1f);
    rw_buf_append(&b, trigger, tlen);
    char hex[65];
    rw_sha256_hex(b.data, b.len, hex);
    rw_buf_free(&b);
    out[0] = 'L';
    memcpy(out + 1, hex, 20);
    out[21] = 0;
}

static int rule_level(const rw_rule_t *rule, rw_eval_env_t *env)
{
    if (rule->fixed_level >= 0) return rule->fixed_level;
    for (int l = RW_LEVEL_RED; l >= RW_LEVEL_BLUE; l--)
        if (rule->level_when[l] && rw_is_true(rw_eval(rule->level_when[l], env))) return l;
    return rule->level_default;
}

static const char *op_text(int op)
{
    static const char *const t[] = {"+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">="};
    return t[op];
}

static void evidence_text(rw_engine_t *e, const rw_rule_t *rule, rw_eval_env_t *env, rw_buf_t *b)
{
    rw_buf_putc(b, '[');
    for (size_t i = 0; i < rule->n_evidence; i++) {
        const rw_evidence_t *ev = &rule->evidence[i];
        rw_buf_puts(b, i ? ",{\"expr\":" : "{\"expr\":");
        rw_json_append_cstr(b, e->rules->calls[ev->call].text);
        rw_buf_puts(b, ",\"value\":");
        rw_value_append_json(resolve_call(env, ev->call), b);
        if (ev->op >= 0) {
            rw_buf_puts(b, ",\"compared\":");
            rw_json_append_cstr(b, op_text(ev->op));
            rw_buf_puts(b, ",\"threshold\":");
            rw_value_append_json(rw_eval(ev->threshold, env), b);
        }
        rw_buf_putc(b, '}');
    }
    rw_buf_putc(b, ']');
}

/* Every model the rule reads (rule->model_calls), with its value and the parts that made
 * it. */
static void models_text(rw_engine_t *e, const rw_rule_t *rule, rw_eval_env_t *env, rw_buf_t *b)
{
    rw_buf_putc(b, '[');
    for (size_t i = 0; i < rule->n_model_calls; i++) {
        int call = rule->model_calls[i];
        const rw_model_t *m = &e->rules->models[e->rules->calls[call].model];
        rw_buf_puts(b, i ? ",{\"model\":" : "{\"model\":");
        rw_json_append_cstr(b, m->name);
        rw_buf_puts(b, ",\"value\":");
        rw_value_append_json(resolve_call(env, call), b);
        rw_buf_puts(b, ",\"parts\":");
        rw_model_parts_text(m, &e->memo_parts[call], b);
        rw_buf_putc(b, '}');
    }
    rw_buf_putc(b, ']');
}

static void message_text(rw_engine_t *e, const rw_rule_t *rule, rw_eval_env_t *env, rw_buf_t *b)
{
    if (!rule->n_msg) {
        rw_json_append_cstr(b, rule->title);
        return;
    }
    rw_buf_reset(&e->text);
    for (size_t i = 0; i < rule->n_msg; i++) {
        if (rule->msg[i].text)
            rw_buf_puts(&e->text, rule->msg[i].text);
        else
            rw_value_append_text(rw_eval(rule->msg[i].prog, env), &e->text);
    }
    rw_json_append_string(b, e->text.data ? e->text.data : "", e->text.len);
}

static double lead_deadline(const rw_engine_t *e, double now, int days)
{
    return rw_calendar_deadline(&e->rules->calendar, now, e->rules->catalog.tz_offset_min, days);
}

/* Writes a new lead's record (revision 1) as compact JSON, straight into b: building
 * it as a jansson tree first cost as much as everything else a trigger does. The
 * clauses are e->clauses, the array clauses_in_force wrote. Returns when the lead
 * turns overdue (rw_lead_overdue_after). */
static double lead_text(rw_engine_t *e, const rw_rule_t *rule, int level, const rw_lead_head_t *h,
                        const entity_t *x, const rw_event_t *ev, rw_eval_env_t *env, double now,
                        rw_buf_t *b)
{
    const rw_rules_t *r = e->rules;
    int tz = r->catalog.tz_offset_min;
    char created[64], accept_by[64], close_by[64];
    rw_time_format_ms(now, tz, created);
    double accept = lead_deadline(e, now, r->calendar.accept_days[level]);
    double close = lead_deadline(e, now, r->calendar.close_days[level]);
    rw_time_format(accept, tz, accept_by);
    rw_time_format(close, tz, close_by);
#define KEY(k) rw_buf_puts(b, ",\"" k "\":")
    rw_buf_puts(b, "{\"id\":");
    rw_json_append_cstr(b, h->id);
    rw_buf_puts(b, ",\"revision\":1");
    KEY("rule");
    rw_json_append_cstr(b, rule->id);
    KEY("rule_title");
    rw_json_append_cstr(b, rule->title);
    KEY("ruleset");
    rw_json_append_cstr(b, r->rulesets[rule->ruleset].name);
    KEY("rule_hash");
    rw_json_append_cstr(b, rule->hash);
    KEY("mode");
    rw_json_append_cstr(b, rule->shadow ? "shadow" : "live");
    KEY("entity");
    rw_json_append_string(b, h->entity, h->entity_len);
    KEY("entity_name");
    rw_json_append_cstr(b, h->entity_name);
    KEY("region");
    rw_json_append_cstr(b, h->region);
    KEY("department");
    rw_json_append_cstr(b, rule->department);
    KEY("level");
    rw_json_append_cstr(b, h->level);
    rw_buf_puts(b, ",\"hits\":1");
    KEY("escalates");
    rw_json_append_cstr(b, h->escalates);
    KEY("trigger_event");
    rw_json_append_string(b, h->trigger_event, h->trigger_event_len);
    KEY("event_time");
    rw_json_append_cstr(b, h->event_time);
    KEY("created_at");
    rw_json_append_cstr(b, created);
    KEY("evidence");
    evidence_text(e, rule, env, b);
    KEY("events");
    json_t *events = json_array();
    rw_aggs_events(x->aggs, rule->window_calls, rule->n_window_calls, ev->time, tz, events);
    rw_json_append(b, events);
    json_decref(events);
    KEY("models");
    models_text(e, rule, env, b);
    KEY("clauses");
    rw_buf_append(b, e->clauses.data, e->clauses.len);
    KEY("item");
    if (rule->item >= 0) {
        rw_buf_puts(b, "{\"code\":");
        rw_json_append_cstr(b, r->catalog.items[rule->item].code);
        rw_buf_puts(b, ",\"name\":");
        rw_json_append_cstr(b, r->catalog.items[rule->item].name);
        rw_buf_putc(b, '}');
    } else
        rw_buf_puts(b, "null");
    KEY("message");
    message_text(e, rule, env, b);
    rw_buf_puts(b, ",\"status\":\"new\",\"assignee\":null,\"due\":{\"accept_by\":");
    rw_json_append_cstr(b, accept_by);
    rw_buf_puts(b, ",\"close_by\":");
    rw_json_append_cstr(b, close_by);
    rw_buf_puts(b, "},\"overdue\":false,\"disposition\":null}");
#undef KEY
    return rw_lead_overdue_after_fields(rule->shadow ? "shadow" : "live", "new", accept, close);
}

/* The clauses of the rule in force on `day`, as a JSON array's text in e->clauses;
 * returns how many. */
static size_t clauses_in_force(rw_engine_t *e, const rw_rule_t *rule, int64_t day, double now)
{
    int64_t now_day = rw_local_day(now, e->rules->catalog.tz_offset_min);
    struct clause_cache *cache = &e->clause_cache[e->clause_base[rule - e->rules->rules]];
    size_t n = 0;
    rw_buf_reset(&e->clauses);
    rw_buf_putc(&e->clauses, '[');
    for (size_t i = 0; i < rule->n_clauses; i++) {
        const rw_clause_ref_t *ref = &rule->clauses[i];
        if (ref->law->repealed != RW_DAY_NONE && day >= ref->law->repealed) continue;
        const rw_law_version_t *v =
            rw_law_version_at(ref->law, ref->pin != RW_DAY_NONE ? ref->pin : day);
        if (!v) continue;
        struct clause_cache *c = &cache[i];
        if (!c->valid || c->v != v || c->now_day != now_day) {
            c->valid = 1;
            c->v = v;
            c->now_day = now_day;
            rw_buf_reset(&c->text);
            json_t *obj = rw_clause_json(ref, rule->clause_text[i], day, now_day);
            if (obj) rw_json_append(&c->text, obj);
            json_decref(obj);
        }
        if (!c->text.len) continue;
        if (n++) rw_buf_putc(&e->clauses, ',');
        rw_buf_append(&e->clauses, c->text.data, c->text.len);
    }
    rw_buf_putc(&e->clauses, ']');
    return n;
}

static lead_text_t *lead_text_new(rw_engine_t *e, const char *id)
{
    lead_text_t *t = node_new(sizeof *t, id, strlen(id));
    t->overdue_after = INFINITY; /* until its text says otherwise */
    map_insert(&e->leads, &t->node);
    return t;
}

/* t->text holds the revision (its capacity was `old_cap`): written at the next commit. */
static void emit_text(rw_engine_t *e, lead_text_t *t, size_t old_cap, const rw_lead_out_t *out)
{
    e->lead_bytes += t->text.cap - old_cap;
    t->dirty = 1;
    t->used = e->generation;
    e->stats.lead_revisions++;
    if (e->o.sink) e->o.sink(e->o.sink_ud, out);
}

/* The lead's latest text, emptied for its next revision; *old_cap is what it held. */
static lead_text_t *lead_text_open(rw_engine_t *e, const char *id, size_t *old_cap)
{
    lead_text_t *t = (lead_text_t *)map_find(&e->leads, id, strlen(id));
    if (!t) t = lead_text_new(e, id);
    *old_cap = t->text.cap;
    rw_buf_reset(&t->text);
    return t;
}

/* A reworked revision (refreshed clauses): the record is serialised once, as the lead's
 * latest text. */
static void emit_record(rw_engine_t *e, json_t *lead)
{
    size_t old_cap;
    lead_text_t *t = lead_text_open(e, json_string_value(json_object_get(lead, "id")), &old_cap);
    t->overdue_after = rw_lead_overdue_after(lead);
    json_object_set_new(lead, "overdue", json_boolean(rw_now() > t->overdue_after));
    rw_json_append(&t->text, lead);
    rw_lead_out_t out = {.id = t->node.id,
                         .revision = json_integer_value(json_object_get(lead, "revision")),
                         .hits = json_integer_value(json_object_get(lead, "hits")),
                         .shadow =
                             !strcmp(json_string_value(json_object_get(lead, "mode")), "shadow"),
                         .text = t->text.data,
                         .len = t->text.len};
    emit_text(e, t, old_cap, &out);
}

/* What follows the first `key` at or after p in a record's text; NULL when absent. Keys
 * are quoted and quotes inside strings escaped, so the first match is the record's own
 * field when no nested object before it has that key: true of revision and hits (before
 * all of them) and of mode, status, overdue and due's accept_by and close_by (found
 * nowhere else in a record). */
static const char *value_after(const char *p, const char *end, const char *key)
{
    size_t n = strlen(key);
    /* the keys are short and mostly near the start: scanning for their first byte costs
     * less than memmem's set-up for each search */
    for (; (size_t)(end - p) >= n; p++) {
        if (!(p = memchr(p, key[0], (size_t)(end - p) - n + 1))) return NULL;
        if (memcmp(p, key, n) == 0) return p + n;
    }
    return NULL;
}

/* The integer after the first `key` at or after p; NULL when absent. */
static const char *number_after(const char *p, const char *end, const char *key,
                                const char **num_end)
{
    const char *num = value_after(p, end, key);
    if (!num) return NULL;
    for (*num_end = num; *num_end < end && **num_end >= '0' && **num_end <= '9';)
        (*num_end)++;
    return num;
}

/* The string value of a record's first "key":"…" in text, or NULL. */
static const char *text_string(const rw_buf_t *text, const char *key, size_t *len)
{
    const char *end = text->data + text->len, *v = value_after(text->data, end, key);
    const char *q = v ? memchr(v, '"', (size_t)(end - v)) : NULL;
    *len = q ? (size_t)(q - v) : 0;
    return q ? v : NULL;
}

/* Makes the record in text one with `revision` and `hits` one higher (both precede every
 * nested object, see value_after). The digits are rewritten in place unless a number
 * grows a digit; then the record is written to scratch, which becomes the text (text's
 * old buffer becomes scratch). Returns 0, or -1 when either is absent. */
static int bump_hit(rw_buf_t *text, rw_buf_t *scratch, int64_t *rev, int64_t *hits)
{
    const char *end = text->data + text->len, *rev_end, *hits_end;
    const char *r = number_after(text->data, end, "\"revision\":", &rev_end);
    const char *h = r ? number_after(rev_end, end, ",\"hits\":", &hits_end) : NULL;
    if (!h) return -1;
    *rev = strtoll(r, NULL, 10) + 1;
    *hits = strtoll(h, NULL, 10) + 1;
    char num[2][24];
    int n0 = snprintf(num[0], sizeof num[0], "%lld", (long long)*rev);
    int n1 = snprintf(num[1], sizeof num[1], "%lld", (long long)*hits);
    if (n0 == rev_end - r && n1 == hits_end - h) {
        memcpy(text->data + (r - text->data), num[0], (size_t)n0);
        memcpy(text->data + (h - text->data), num[1], (size_t)n1);
        return 0;
    }
    rw_buf_reset(scratch);
    rw_buf_append(scratch, text->data, (size_t)(r - text->data));
    rw_buf_append(scratch, num[0], (size_t)n0);
    rw_buf_append(scratch, rev_end, (size_t)(h - rev_end));
    rw_buf_append(scratch, num[1], (size_t)n1);
    rw_buf_append(scratch, hits_end, (size_t)(end - hits_end));
    rw_buf_t t = *text;
    *text = *scratch;
    *scratch = t;
    return 0;
}

static void count_lead(rw_engine_t *e, const char *rule, int level)
{
    json_t *per = json_object_get(e->lead_counts, rule);
    if (!per) {
        per = json_object();
        json_object_set_new(e->lead_counts, rule, per);
    }
    json_t *n = json_object_get(per, rw_level_name(level));
    json_object_set_new(per, rw_level_name(level), json_integer(n ? json_integer_value(n) + 1 : 1));
}

static double text_time(const rw_buf_t *text, const char *key)
{
    size_t len;
    const char *s = text_string(text, key, &len);
    double t;
    return s && !rw_time_parse(s, len, &t, NULL) ? t : INFINITY;
}

/* rw_lead_overdue_after of a record read back from the store, from its text: a
 * suppressed trigger's revision carries `overdue` as of now (leads.md: the whole record). */
static double text_overdue_after(const rw_buf_t *text)
{
    char field[2][16] = {"", ""};
    const char *keys[2] = {"\"mode\":\"", "\"status\":\""};
    for (int i = 0; i < 2; i++) {
        size_t len;
        const char *s = text_string(text, keys[i], &len);
        if (s && len < sizeof field[i]) memcpy(field[i], s, len);
    }
    return rw_lead_overdue_after_fields(field[0], field[1], text_time(text, "\"accept_by\":\""),
                                        text_time(text, "\"close_by\":\""));
}

/* Turns the text's "overdue":false into true, once it is past t->overdue_after. */
static void mark_overdue(lead_text_t *t)
{
    char *end = t->text.data + t->text.len;
    char *v = (char *)value_after(t->text.data, end, "\"overdue\":");
    if (v && end - v >= 5 && !memcmp(v, "false", 5)) { /* one byte shorter */
        memcpy(v, "true", 4);
        memmove(v + 4, v + 5, (size_t)(end - v - 5));
        t->text.data[--t->text.len] = '\0';
    }
    t->overdue_after = INFINITY;
}

/* A suppressed trigger: the lead's next revision with one more hit, rewritten in the
 * text held in memory (read from the store only when it was dropped). */
static void add_hit(rw_engine_t *e, const char *id, int shadow, double now)
{
    size_t id_len = strlen(id);
    lead_text_t *t = (lead_text_t *)map_find(&e->leads, id, id_len);
    if (!e->o.store) { /* every lead is kept, as its numbers */
        rw_lead_out_t out = {
            .id = t->node.id, .revision = ++t->revision, .hits = ++t->hits, .shadow = shadow};
        emit_text(e, t, t->text.cap, &out);
        return;
    }
    rw_buf_t stored;
    rw_buf_init(&stored);
    if (!t) {
        size_t len;
        char *v = rw_store_get(e->o.store, RW_CF_LEADS, id, id_len, &len);
        if (!v) {
            rw_warn("engine", "被抑制的线索 %s 不在线索库中", id);
            return;
        }
        rw_buf_append(&stored, v, len);
        free(v);
    }
    size_t old_cap = t ? t->text.cap : 0;
    int64_t rev, hits;
    if (bump_hit(t ? &t->text : &stored, &e->hit, &rev, &hits)) {
        rw_buf_free(&stored);
        rw_warn("engine", "线索 %s 的记录缺少 revision 或 hits", id);
        return;
    }
    if (!t) {
        t = lead_text_new(e, id);
        t->text = stored;
        t->overdue_after = text_overdue_after(&t->text);
    }
    if (now > t->overdue_after) mark_overdue(t);
    rw_lead_out_t out = {.id = t->node.id,
                         .revision = rev,
                         .hits = hits,
                         .shadow = shadow,
                         .text = t->text.data,
                         .len = t->text.len};
    emit_text(e, t, old_cap, &out);
}

static int64_t distance(char unit, double t, double t0, int tz)
{
    int64_t a = unit == 'd' ? rw_local_day(t, tz) : rw_local_hour(t, tz);
    int64_t b = unit == 'd' ? rw_local_day(t0, tz) : rw_local_hour(t0, tz);
    return a > b ? a - b : b - a;
}

/* Whether a lead with this id was ever made: kept in memory, or in the store. */
static int lead_exists(rw_engine_t *e, const char *id)
{
    if (map_find(&e->leads, id, strlen(id))) return 1;
    if (!e->o.store) return 0; /* without a store every lead stays in memory */
    size_t n;
    char *v = rw_store_get(e->o.store, RW_CF_LEADS, id, strlen(id), &n);
    int found = v != NULL;
    free(v);
    return found;
}

static void trigger(rw_engine_t *e, const rw_rule_t *rule, int level, entity_t *x,
                    const rw_event_t *ev, rw_eval_env_t *env)
{
    int tz = e->rules->catalog.tz_offset_min;
    double now = rw_now();
    if (clauses_in_force(e, rule, rw_local_day(ev->time, tz), now) == 0) {
        e->stats.triggers_unbacked++; /* no legal basis in force: nothing else happens */
        return;
    }
    const sref_t *ref = sref_find(x, rule->id);
    const char *escalates = NULL;
    if (ref && distance(rule->suppress_unit, ev->time, ref->t0, tz) < rule->suppress) {
        if (level <= ref->level) {
            e->stats.leads_suppressed++;
            add_hit(e, ref->lead, rule->shadow, now);
            return;
        }
        escalates = ref->lead;
    }
    char id[22];
    rw_lead_id(rule->id, ev->entity, ev->entity_len, ev->id, ev->id_len, id);
    if (lead_exists(e, id)) {
        /* its trigger event was processed before and its id has since aged out of the
         * dedup record: events.md says it raises no lead, and a lead id is never issued
         * twice (a second revision 1 would replace the first and its handling) */
        rw_warn("engine", "事件 %.*s（主体 %.*s）此前已处理，线索 %s 已存在：不再生成",
                (int)ev->id_len, ev->id, (int)ev->entity_len, ev->entity, id);
        return;
    }
    const json_t *name = json_object_get(x->profile, "name");
    rw_lead_head_t head = {.id = id,
                           .rule = rule->id,
                           .level = rw_level_name(level),
                           .entity = ev->entity,
                           .entity_len = ev->entity_len,
                           .entity_name = json_string_value(name),
                           .region = region_of(ev, x),
                           .escalates = escalates,
                           .trigger_event = ev->id,
                           .trigger_event_len = ev->id_len,
                           .event_time = ev->time_text};
    size_t old_cap;
    lead_text_t *t = lead_text_open(e, id, &old_cap);
    if (e->o.store)
        t->overdue_after = lead_text(e, rule, level, &head, x, ev, env, now, &t->text);
    else
        t->revision = t->hits = 1;
    rw_lead_out_t out = {.id = t->node.id,
                         .revision = 1,
                         .hits = 1,
                         .shadow = rule->shadow,
                         .head = &head,
                         .text = e->o.store ? t->text.data : NULL,
                         .len = t->text.len};
    emit_text(e, t, old_cap, &out);
    /* after the sink: `escalates` points into the reference this replaces */
    x->suppress_dirty = 1;
    sref_set(x, rule->id, id, ev->time, level);
    e->stats.leads_created++;
    count_lead(e, rule->id, level);
}

static void evaluate(rw_engine_t *e, entity_t *x, const rw_event_t *ev)
{
    const rw_rules_t *r = e->rules;
    memset(e->memo_set, 0, r->n_calls);
    eval_ud_t ud = {.e = e, .x = x, .ev = ev};
    rw_eval_env_t env = {.ev = ev, .profile = x->profile, .call = resolve_call, .ud = &ud};
    const char *region = region_of(ev, x);
    /* params are looked up when the ruleset changes: its rules are consecutive */
    int ruleset = -1;
    for (size_t i = 0; i < r->n_rules; i++) {
        const rw_rule_t *rule = &r->rules[i];
        if (!rule->enabled || !rule->cond) continue;
        if (rule->n_on) {
            int match = 0;
            for (size_t k = 0; k < rule->n_on && !match; k++)
                match = e->member[rule->on[k]];
            if (!match) continue;
        }
        if (rule->ruleset != ruleset) {
            ruleset = rule->ruleset;
            env.params = rw_rules_params(r, ruleset, region);
        }
        if (rw_is_true(rw_eval(rule->cond, &env))) {
            int level = rule_level(rule, &env);
            if (level >= 0) trigger(e, rule, level, x, ev, &env);
        }
    }
    rw_eval_env_reset(&env);
    free(env.scratch);
}

/* ---- the pipeline ------------------------------------------------------------------ */

/* Returns 1 when the merged profile changed: most events repeat what is known, and an
 * unchanged profile is not written again. */
static int merge_profile(entity_t *x, const json_t *profile)
{
    int changed = 0;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)profile, k, v)
    {
        json_t *old = json_object_get(x->profile, k);
        if (json_is_null(v)) {
            changed |= old != NULL;
            json_object_del(x->profile, k);
            continue;
        }
        /* events parse numbers as reals: keep 4 as 4, not 4.0 (rw_value_to_json's rule); a
         * copy, not a reference, since replay drops events' JSON with their chunk (jarena.h),
         * made only when the value changed */
        json_t *num = json_is_real(v) ? rw_value_to_json(rw_num(json_real_value(v))) : NULL;
        if (old && json_equal(old, num ? num : v)) {
            json_decref(num);
            continue;
        }
        json_object_set_new(x->profile, k, num ? num : json_deep_copy(v));
        changed = 1;
    }
    return changed;
}

static void membership(rw_engine_t *e, const rw_event_t *ev, entity_t *x, int type)
{
    const rw_rules_t *r = e->rules;
    rw_eval_env_t env = {.ev = ev, .profile = x->profile};
    for (size_t u = 0; u < e->n_used; u++) {
        int s = e->used[u];
        const rw_stream_t *st = &r->streams[s];
        if (!st->filter)
            e->member[s] = st->type == type;
        else if (type < 64 && !(st->types >> type & 1))
            e->member[s] = 0;
        else
            e->member[s] = rw_is_true(rw_eval(st->filter, &env));
    }
    rw_eval_env_reset(&env);
    free(env.scratch);
}

void rw_engine_count_invalid(rw_engine_t *e, rw_event_status_t code)
{
    e->stats.outcomes[RW_OUT_INVALID]++;
    e->stats.invalid[code]++;
}

rw_outcome_t rw_engine_apply(rw_engine_t *e, const rw_event_t *ev, rw_event_error_t *err)
{
    const rw_rules_t *r = e->rules;
    int type = rw_catalog_type(&r->catalog, ev->type, ev->type_len);
    rw_outcome_t out;
    if (type < 0) {
        out = RW_OUT_UNKNOWN_TYPE;
    } else {
        entity_t *x = entity_get(e, ev->entity, ev->entity_len);
        x->touched = e->generation;
        int tz = r->catalog.tz_offset_min;
        rw_event_error_t local;
        if (rw_aggs_seen(x->aggs, ev->id, ev->id_len)) {
            out = RW_OUT_DUPLICATE;
        } else if (e->o.check_future &&
                   rw_event_check_future(ev, e->o.future_now ? e->o.future_now : rw_now(),
                                         err ? err : &local)) {
            out = RW_OUT_INVALID;
            e->stats.invalid[RW_EV_FUTURE]++;
        } else if (rw_aggs_has_max(x->aggs) &&
                   rw_local_day(ev->time, tz) <=
                       rw_local_day(rw_aggs_max_time(x->aggs), tz) - RW_RETENTION_DAYS) {
            out = RW_OUT_LATE;
            rw_aggs_note_id(x->aggs, ev->id, ev->id_len, tz);
            mark_dirty(e, x);
            if (e->o.store) account(e, x, 0);
            /* counted in the stats; named here for whoever asks (events.md: "reported") */
            char latest[40];
            rw_time_format(rw_aggs_max_time(x->aggs), tz, latest);
            rw_debug("engine",
                     "迟到事件 %.*s（主体 %.*s，%s）：比该主体最新事件（%s）早了至少 %d 天，未应用",
                     (int)ev->id_len, ev->id, (int)ev->entity_len, ev->entity, ev->time_text,
                     latest, RW_RETENTION_DAYS);
        } else {
            out = RW_OUT_APPLIED;
            int merged = ev->profile && merge_profile(x, ev->profile);
            if (merged) x->profile_dirty = 1;
            membership(e, ev, x, type);
            rw_aggs_apply(x->aggs, ev, x->profile, e->member, tz);
            mark_dirty(e, x);
            evaluate(e, x, ev);
            if (e->o.store) account(e, x, merged); /* the budget sees growth at once */
        }
    }
    e->stats.outcomes[out]++;
    return out;
}

int rw_engine_parse(rw_engine_t *e, const char *buf, size_t len, const char *key, size_t klen,
                    rw_event_t *ev, rw_event_error_t *err)
{
    if (rw_event_parse(buf, len, key, klen, e->o.max_event_size, ev, err)) {
        rw_engine_count_invalid(e, err->code);
        return -1;
    }
    return 0;
}

rw_outcome_t rw_engine_process(rw_engine_t *e, const char *buf, size_t len, const char *key,
                               size_t klen, rw_event_error_t *err)
{
    rw_event_t ev;
    rw_event_error_t local;
    if (rw_engine_parse(e, buf, len, key, klen, &ev, err ? err : &local)) return RW_OUT_INVALID;
    rw_outcome_t out = rw_engine_apply(e, &ev, err ? err : &local);
    rw_event_free(&ev);
    return out;
}

/* ---- commit ------------------------------------------------------------------------ */

static void put_json(rw_engine_t *e, rw_batch_t *b, rw_cf_t cf, const entity_t *x, const json_t *j)
{
    rw_buf_reset(&e->text);
    rw_json_append(&e->text, j);
    rw_batch_put(b, cf, x->node.id, x->node.id_len, e->text.data, e->text.len);
}

/* Keeps memory bounded by the state's size, not the number of entities: once over
 * budget, entities not used in the last commit interval go first, then any other clean
 * one, until half the budget is free. A dirty one (changed since the last stage, so not
 * yet written) always stays. */
typedef struct {
    rw_engine_t *e;
    int any; /* second pass: recently used ones too */
} evict_pass_t;

static int evict_one(void *ud, node_t *node)
{
    evict_pass_t *p = ud;
    entity_t *x = (entity_t *)node;
    if (p->e->cached_bytes <= p->e->o.cache_bytes / 2 || x->dirty ||
        (!p->any && x->touched + 1 >= p->e->generation))
        return 0;
    p->e->cached_bytes -= x->bytes;
    ent_free(x);
    return 1;
}

static void evict(rw_engine_t *e)
{
    if (e->cached_bytes <= e->o.cache_bytes) return;
    for (int pass = 0; pass < 2 && e->cached_bytes > e->o.cache_bytes / 2; pass++)
        map_sweep(&e->ents, evict_one, &(evict_pass_t){.e = e, .any = pass});
}

static int collect_lead_text(void *ud, node_t *x)
{
    rw_engine_t *e = ud;
    if (((lead_text_t *)x)->dirty) {
        if (e->n_sorted == e->cap_sorted) {
            e->cap_sorted = e->cap_sorted ? e->cap_sorted * 2 : 1024;
            e->sorted = rw_xrealloc(e->sorted, e->cap_sorted * sizeof *e->sorted);
        }
        e->sorted[e->n_sorted++] = x;
    }
    return 0;
}

static void put_lead_texts(rw_engine_t *e, rw_batch_t *b)
{
    e->n_sorted = 0;
    map_sweep(&e->leads, collect_lead_text, e);
    if (e->n_sorted) qsort(e->sorted, e->n_sorted, sizeof *e->sorted, node_cmp);
    for (size_t i = 0; i < e->n_sorted; i++) {
        lead_text_t *t = (lead_text_t *)e->sorted[i];
        rw_batch_put(b, RW_CF_LEADS, t->node.id, t->node.id_len, t->text.data, t->text.len);
        t->dirty = 0;
    }
}

/* After a commit: clean lead texts not changed in the last two intervals are dropped (a
 * suppressed trigger mostly follows its lead closely), and any clean one while they hold
 * more than an eighth of the cache budget. */
static int settle_lead_text(void *ud, node_t *x)
{
    rw_engine_t *e = ud;
    lead_text_t *t = (lead_text_t *)x;
    if (t->dirty || (t->used + 1 >= e->generation && e->lead_bytes <= e->o.cache_bytes / 8))
        return 0;
    e->lead_bytes -= t->text.cap;
    lead_text_free(t);
    return 1;
}

void rw_engine_stage(rw_engine_t *e, rw_batch_t *b)
{
    rw_buf_t blob;
    rw_buf_init(&blob);
    if (e->n_dirty) qsort(e->dirty, e->n_dirty, sizeof *e->dirty, ent_cmp);
    for (size_t i = 0; i < e->n_dirty; i++) {
        entity_t *x = e->dirty[i];
        rw_buf_reset(&blob);
        rw_buf_putc(&blob, (char)((json_object_size(x->profile) ? HAS_PROFILE : 0) |
                                  (x->n_refs ? HAS_SUPPRESS : 0)));
        rw_aggs_encode(x->aggs, &blob);
        rw_aggs_trim(x->aggs);
        account(e, x, 0);
        rw_batch_put(b, RW_CF_AGGS, x->node.id, x->node.id_len, blob.data, blob.len);
        if (x->profile_dirty) put_json(e, b, RW_CF_PROFILE, x, x->profile);
        if (x->suppress_dirty) {
            rw_buf_reset(&e->text);
            srefs_text(x, &e->text);
            rw_batch_put(b, RW_CF_SUPPRESS, x->node.id, x->node.id_len, e->text.data, e->text.len);
        }
        x->profile_dirty = x->suppress_dirty = x->dirty = 0;
    }
    e->n_dirty = 0;
    rw_buf_free(&blob);
    put_lead_texts(e, b);
}

void rw_engine_settle(rw_engine_t *e)
{
    map_sweep(&e->leads, settle_lead_text, e);
    e->generation++;
    evict(e);
}

int rw_engine_over_budget(const rw_engine_t *e)
{
    return e->o.store && e->cached_bytes > e->o.cache_bytes; /* without one nothing is evicted */
}

int rw_engine_commit(rw_engine_t *e, char *err, size_t errlen)
{
    if (!e->o.store) return 0; /* everything stays in memory */
    rw_engine_stage(e, e->batch);
    if (rw_store_write(e->o.store, e->batch, err, errlen)) return -1;
    rw_engine_settle(e);
    return 0;
}

void rw_engine_forget_lead(rw_engine_t *e, const char *id)
{
    if (!e->o.store) return; /* its numbers are the only copy: nobody else writes leads */
    lead_text_t *t = (lead_text_t *)map_remove(&e->leads, id, strlen(id));
    if (!t) return;
    e->lead_bytes -= t->text.cap;
    lead_text_free(t);
}

int rw_engine_set_rules(rw_engine_t *e, const rw_rules_t *rules, char *err, size_t errlen)
{
    if (!e->o.store) { /* its state could not be reloaded under the new layout */
        snprintf(err, errlen, "没有状态库的引擎不能更换规则");
        return -1;
    }
    if (rw_engine_commit(e, err, errlen)) return -1;
    /* cached state was encoded under the old layout: reload it under the new one */
    drop_all_entities(e);
    rw_layout_free(e->layout);
    e->rules = rules;
    e->layout = rw_layout_build(rules);
    alloc_scratch(e);
    return 0;
}

typedef struct {
    json_t *changed; /* lead records to republish */
    const rw_rules_t *rules;
    int64_t now_day;
} refresh_t;

/* Recomputes `changed` of each clause of an open lead; collects the leads that differ. */
static int refresh_one(void *ud, const char *key, size_t klen, const char *val, size_t vlen)
{
    (void)key;
    (void)klen;
    refresh_t *r = ud;
    json_t *lead = json_loadb(val, vlen, 0, NULL);
    const char *status = json_string_value(json_object_get(lead, "status"));
    if (!lead || (status && !strcmp(status, "closed"))) {
        json_decref(lead);
        return 0;
    }
    if (rw_clauses_compare(r->rules->statutes, json_object_get(lead, "clauses"), r->now_day)) {
        json_object_set_new(
            lead, "revision",
            json_integer(json_integer_value(json_object_get(lead, "revision")) + 1));
        json_object_set(r->changed, json_string_value(json_object_get(lead, "id")), lead);
    }
    json_decref(lead);
    return 0;
}

size_t rw_engine_refresh_changed(rw_engine_t *e)
{
    if (!e->o.store) return 0; /* no lead records */
    refresh_t r = {.changed = json_object(),
                   .rules = e->rules,
                   .now_day = rw_local_day(rw_now(), e->rules->catalog.tz_offset_min)};
    rw_store_scan(e->o.store, RW_CF_LEADS, "", 0, refresh_one, &r);
    const char *id;
    json_t *lead;
    json_object_foreach(r.changed, id, lead) emit_record(e, lead);
    size_t n = json_object_size(r.changed);
    json_decref(r.changed);
    return n;
}

#define COMPARED_KEY "statutes/compared" /* "YYYY-MM-DD <fingerprint>" */

int rw_engine_compare_due(const rw_engine_t *e, int64_t today)
{
    if (!e->o.store) return 0;
    char *v = rw_store_get(e->o.store, RW_CF_META, COMPARED_KEY, strlen(COMPARED_KEY), NULL);
    char day[11] = "";
    uint64_t print = 0;
    int64_t since;
    /* a state compared by an older release holds the day alone: compared again, once */
    int due = !v || sscanf(v, "%10s %" SCNx64, day, &print) != 2 || rw_date_parse(day, &since) ||
              print != e->rules->statutes->fingerprint ||
              rw_statutes_change_between(e->rules->statutes, since, today);
    free(v);
    return due;
}

void rw_engine_compare_mark(const rw_engine_t *e, rw_batch_t *b, int64_t today)
{
    char day[11], v[40];
    rw_date_format(today, day);
    snprintf(v, sizeof v, "%s %016" PRIx64, day, e->rules->statutes->fingerprint);
    rw_batch_put(b, RW_CF_META, COMPARED_KEY, strlen(COMPARED_KEY), v, strlen(v));
}

json_t *rw_engine_entity(rw_engine_t *e, const char *entity)
{
    size_t len = strlen(entity);
    entity_t *x = (entity_t *)map_find(&e->ents, entity, len);
    if (!x) {
        char *blob = e->o.store ? rw_store_get(e->o.store, RW_CF_AGGS, entity, len, NULL) : NULL;
        if (!blob) return NULL;
        free(blob);
        x = entity_get(e, entity, len);
    }
    rw_buf_t refs;
    rw_buf_init(&refs);
    srefs_text(x, &refs);
    json_t *sup = json_loadb(refs.data, refs.len, 0, NULL), *ref;
    const char *rule;
    json_object_foreach(sup, rule, ref)
    { /* t0 is epoch seconds; people read the catalogue's local time */
        char at[64];
        rw_time_format(json_number_value(json_object_get(ref, "t0")),
                       e->rules->catalog.tz_offset_min, at);
        json_object_set_new(ref, "t0_local", json_string(at));
    }
    json_t *out = json_pack("{s:s,s:O,s:o,s:o}", "entity", entity, "profile", x->profile, "state",
                            rw_aggs_describe(x->aggs), "suppress", sup);
    rw_buf_free(&refs);
    return out;
}
