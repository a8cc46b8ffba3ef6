/* shards.h — the service's engines side by side. N engines over one store, each owning
 * the entities rw_engine_shard_of gives it, run a poll batch on N threads (the
 * caller's and N-1 of this module's): each thread parses a share of the batch's
 * events, then applies the events of its own entities in their batch order, so an
 * entity's events keep their order and engines share nothing. Lead revisions reach
 * the sink on the caller's thread in batch order, as one engine would have made them,
 * and every engine's changes are staged into one batch written atomically with
 * whatever the caller adds to it (offsets, outbox records).
 *
 * One caller thread; the options' store and rules are borrowed as rw_engine_new's. */
#ifndef RW_SHARDS_H
#define RW_SHARDS_H

#include "engine.h"

#define RW_SHARDS_MAX 16

/* The number of processors online, at most RW_SHARDS_MAX: the default engine count. */
unsigned rw_shards_default(void);

typedef struct rw_shards rw_shards_t;

/* One message of a poll batch; borrowed for the call. key may be NULL. */
typedef struct {
    const char *value;
    size_t len;
    const char *key;
    size_t klen;
} rw_shards_msg_t;

typedef struct {
    rw_outcome_t outcome;
    rw_event_error_t err; /* why, when RW_OUT_INVALID */
} rw_shards_result_t;

/* n engines made from o (each with its share of o->cache_bytes; o->sink receives
 * the revisions), n from 1 to RW_SHARDS_MAX. NULL with err when a thread cannot start. */
rw_shards_t *rw_shards_new(const rw_engine_opts_t *o, unsigned n, char *err, size_t errlen);
void rw_shards_free(rw_shards_t *s);
unsigned rw_shards_count(const rw_shards_t *s);

/* Processes msgs[0..n) as rw_engine_process would one after another; res[i] says
 * what became of msgs[i]. overlap, when not NULL, runs on the caller's thread while the
 * other threads start parsing, before any event is applied: the service starts the
 * previous batch's commit there (rw_shards_commit_start), so that staging it does not
 * leave the other engines idle and its write overlaps both rounds. A commit started
 * there is finished (written, settled, its callback run) before the batch's revisions
 * reach the sink. */
void rw_shards_process(rw_shards_t *s, const rw_shards_msg_t *msgs, size_t n,
                       rw_shards_result_t *res, void (*overlap)(void *ud), void *ud);
/* The batch the next commit writes: callers add their own bookkeeping to it. */
rw_batch_t *rw_shards_batch(rw_shards_t *s);
/* Writes every engine's changes and the caller's additions atomically. Returns 0, or
 * -1 with err (the batch is kept). */
int rw_shards_commit(rw_shards_t *s, char *err, size_t errlen);
/* Told on the caller's thread once a started commit is written (rc 0) or failed (rc -1,
 * err says why; the batch is kept and the next rw_shards_commit writes it first). */
typedef void (*rw_shards_written_fn)(void *ud, int rc, const char *err);
/* rw_shards_commit's first half, only from rw_shards_process's overlap: stages every
 * engine's changes and the caller's additions, then writes them on a thread of the
 * module's while the engines go on; rw_shards_batch is a fresh batch meanwhile. */
void rw_shards_commit_start(rw_shards_t *s, rw_shards_written_fn written, void *ud);
/* rw_engine_set_rules for every engine, after a commit. Returns 0, or -1 with err. */
int rw_shards_set_rules(rw_shards_t *s, const rw_rules_t *rules, char *err, size_t errlen);
/* rw_engine_refresh_changed over the lead store, once; the revisions go to the sink. */
size_t rw_shards_refresh_changed(rw_shards_t *s);
/* The same when due today (rw_engine_compare_due), or `always`; today's mark staged in
 * the batch either way. Returns the leads republished. */
size_t rw_shards_compare_statutes(rw_shards_t *s, int64_t today, int always);
/* rw_engine_forget_lead for every engine. */
void rw_shards_forget_lead(rw_shards_t *s, const char *id);
/* rw_engine_entity of the engine owning the entity. */
json_t *rw_shards_entity(rw_shards_t *s, const char *entity);
/* The engines' counts added up. */
void rw_shards_stats(const rw_shards_t *s, rw_engine_stats_t *sum);
/* The engines' rw_engine_lead_counts added up: a new reference. */
json_t *rw_shards_lead_counts(const rw_shards_t *s);

#endif
