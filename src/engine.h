/* engine.h — the event pipeline of events.md: validate, dedup, lateness, apply
 * (profile merge, stream membership, aggregates), evaluate rules, legal basis,
 * suppression and escalation, leads. Hot entity state is kept in memory and written
 * to the store in batches (rw_engine_commit), together with whatever the caller adds
 * to the same batch (consumed offsets), so a crash loses or repeats nothing.
 * The engine borrows the rules and the store; both must outlive it. One thread.
 * Without a store (backtests, rule tests: sinks that keep a summary) every entity and
 * lead stays in memory, commits do nothing and no lead record is written: sinks get
 * each revision's numbers and a new lead's head, with `text` NULL. */
#ifndef RW_ENGINE_H
#define RW_ENGINE_H

#include "aggstate.h"
#include "event.h"
#include "rules.h"
#include "store.h"

#include <jansson.h>
#include <stdint.h>

typedef enum {
    RW_OUT_APPLIED,
    RW_OUT_DUPLICATE,
    RW_OUT_LATE,
    RW_OUT_INVALID,
    RW_OUT_UNKNOWN_TYPE,
    RW_OUT__COUNT
} rw_outcome_t;

const char *rw_outcome_name(rw_outcome_t o);

/* What a new lead is about: the fields of its record that sinks keeping a summary
 * (backtests, rule tests) need, without parsing the text. Strings are borrowed for the
 * sink call; NULL where the record has null. `entity` and `trigger_event` are not
 * NUL-terminated. */
typedef struct {
    const char *id, *rule, *level, *entity_name, *region, *escalates, *event_time;
    const char *entity, *trigger_event;
    size_t entity_len, trigger_event_len;
} rw_lead_head_t;

/* One lead revision, borrowed for the sink call. `text` is the whole record (compact
 * JSON), NULL from an engine without a store. `head` is set on the revision that
 * creates a lead and NULL on later ones: a suppressed trigger's (only hits and
 * revision change, so the engine rewrites those two numbers in the previous text) and
 * a refreshed one's. */
typedef struct {
    const char *id;
    int64_t revision, hits;
    int shadow;
    const rw_lead_head_t *head;
    const char *text;
    size_t len;
} rw_lead_out_t;

/* Receives every lead revision in order. */
typedef void (*rw_lead_sink_fn)(void *ud, const rw_lead_out_t *lead);

typedef struct {
    uint64_t outcomes[RW_OUT__COUNT];
    uint64_t invalid[RW_EV__COUNT]; /* by reason */
    uint64_t leads_created, leads_suppressed, triggers_unbacked, lead_revisions;
} rw_engine_stats_t;

#define RW_ENGINE_CACHE_DEFAULT ((size_t)128 << 20)

typedef struct {
    rw_store_t *store; /* NULL: state in memory only, no lead records (see above) */
    const rw_rules_t *rules;
    rw_lead_sink_fn sink;
    void *sink_ud;
    int check_future;      /* events > 1 day ahead are invalid (the live service; replay --now),
                            * tested after dedup as events.md's step 3 */
    double future_now;     /* the clock for that test; 0 = wall clock */
    size_t cache_bytes;    /* budget for entity state kept in memory between batches, counted
                            * as the memory it holds (default 128 MiB) */
    size_t max_event_size; /* default RW_EVENT_MAX_SIZE_DEFAULT */
} rw_engine_opts_t;

typedef struct rw_engine rw_engine_t;

rw_engine_t *rw_engine_new(const rw_engine_opts_t *opts);
void rw_engine_free(rw_engine_t *e);

/* Processes one event value (key may be NULL). On RW_OUT_INVALID, err says why. */
rw_outcome_t rw_engine_process(rw_engine_t *e, const char *buf, size_t len, const char *key,
                               size_t klen, rw_event_error_t *err);
/* The validation rw_engine_process does (size, JSON, fields); an invalid event is
 * counted. Returns 0 with ev (the caller frees it with
 * rw_event_free), or -1 with err. Only reads the engine's options besides the count. */
int rw_engine_parse(rw_engine_t *e, const char *buf, size_t len, const char *key, size_t klen,
                    rw_event_t *ev, rw_event_error_t *err);
/* The pipeline after validation, for callers that parse events themselves (the
 * replay reader thread): the event stays the caller's. RW_OUT_INVALID only for the
 * future test (opts.check_future), which comes after dedup; err (may be NULL) says so. */
rw_outcome_t rw_engine_apply(rw_engine_t *e, const rw_event_t *ev, rw_event_error_t *err);
/* Counts an event the caller found invalid. */
void rw_engine_count_invalid(rw_engine_t *e, rw_event_status_t code);
/* The batch the next commit writes: callers add their own bookkeeping to it (NULL
 * without a store). */
rw_batch_t *rw_engine_batch(rw_engine_t *e);
/* Whether the entity state held in memory is over the cache budget. A commit is what
 * evicts, so a caller committing every so many events commits sooner when this says
 * so: memory stays bounded by the budget, not by how many entities a batch touches.
 * Always 0 without a store, which keeps everything and counts nothing after a load. */
int rw_engine_over_budget(const rw_engine_t *e);
/* Writes every change since the last commit atomically. Returns 0, or -1 with err. */
int rw_engine_commit(rw_engine_t *e, char *err, size_t errlen);
/* The two halves of a commit, for engines side by side whose changes go into one
 * batch of the caller's (rw_shards_t): stage puts every change since the last stage
 * into b (copied: the engine may go on applying events while b is written); settle,
 * once b is written, trims the cache, keeping whatever changed since the stage. Only
 * for engines with a store. */
void rw_engine_stage(rw_engine_t *e, rw_batch_t *b);
void rw_engine_settle(rw_engine_t *e);
/* Drops the engine's copy of a lead's latest text, after someone else wrote a new
 * revision of it (an action on the lead): the next suppressed trigger reads it from
 * the store instead of rewriting an older revision. Only between batches; nothing
 * without a store. */
void rw_engine_forget_lead(rw_engine_t *e, const char *id);
/* `changed` in open leads is against the statutes in force today. A state keeps a mark:
 * the day its open leads were last compared and the statutes' fingerprint then. They
 * must be compared again (rw_engine_refresh_changed) when the state has no mark, the
 * statutes are not the mark's, or a version or repeal took force after its day and by
 * `today`: rw_engine_compare_due says so. rw_engine_compare_mark stages today's mark
 * into b, to be written with the refreshed leads. Only for engines with a store. */
int rw_engine_compare_due(const rw_engine_t *e, int64_t today);
void rw_engine_compare_mark(const rw_engine_t *e, rw_batch_t *b, int64_t today);
/* Which of n engines side by side owns an entity: all its events go to that one. */
unsigned rw_engine_shard_of(const char *entity, size_t len, unsigned n);
/* Switches to another rule set (a reload). Commits first; cached entity state is
 * carried over to the new layout. Returns 0, or -1 with err (old rules kept; always
 * without a store, which could not carry the state over). */
int rw_engine_set_rules(rw_engine_t *e, const rw_rules_t *rules, char *err, size_t errlen);
const rw_engine_stats_t *rw_engine_stats(const rw_engine_t *e);
/* Adds every count of s to sum (engines running side by side). */
void rw_engine_stats_add(rw_engine_stats_t *sum, const rw_engine_stats_t *s);
/* After the statutes changed (a reload): every lead not closed whose clauses now
 * read differently in the version in force today gets `changed` set and a new
 * revision (sent to the sink, written at the next commit). Returns how many. */
size_t rw_engine_refresh_changed(rw_engine_t *e);
/* Per (rule, level) lead counts since start: {"RULE": {"red": n, …}}; borrowed. */
const json_t *rw_engine_lead_counts(const rw_engine_t *e);

/* The entity's stored state for inspection: {"entity","profile","state","suppress"};
 * NULL when unknown. New reference. */
json_t *rw_engine_entity(rw_engine_t *e, const char *entity);

/* Lead id of rules.md: "L" + 20 hex of SHA-256(rule \x1f entity \x1f trigger). out: 22 bytes. */
void rw_lead_id(const char *rule, const char *entity, size_t elen, const char *trigger, size_t tlen,
                char *out);

#endif
