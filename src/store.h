/* store.h — RocksDB on disk, with one column family per kind of data. Writes go
 * through batches so a poll batch's state changes, lead bookkeeping and consumed
 * offsets land atomically. Keys and values are byte strings. */
#ifndef RW_STORE_H
#define RW_STORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    RW_CF_DEFAULT,
    RW_CF_PROFILE,  /* entity → merged profile (JSON) */
    RW_CF_AGGS,     /* entity → a byte of flags (engine.c), then the event state: M, dedup
                     * record, aggregates (binary, aggstate.h) */
    RW_CF_SUPPRESS, /* entity → {rule: {lead, t0, level}} (JSON) */
    RW_CF_LEADS,    /* lead id → latest lead record (JSON) */
    RW_CF_META,     /* offsets and bookkeeping */
    RW_CF_HANDLING, /* audit log entries, its head, per-lead handling data (handling.h) */
    RW_CF__COUNT
} rw_cf_t;

typedef struct rw_store rw_store_t;
typedef struct rw_batch rw_batch_t;

/* Opens (creating if needed) the store in dir; dir NULL opens a throwaway store in
 * memory. Returns 0, or -1 with err. */
int rw_store_open(rw_store_t **out, const char *dir, char *err, size_t errlen);
/* Opens an existing store read-only, also while a service holds it open for writing
 * (a snapshot as of the open). Writes fail. Returns 0, or -1 with err. */
int rw_store_open_ro(rw_store_t **out, const char *dir, char *err, size_t errlen);
void rw_store_close(rw_store_t *s);
/* The value of key, malloc'ed (caller frees), or NULL when absent. */
char *rw_store_get(rw_store_t *s, rw_cf_t cf, const char *key, size_t klen, size_t *vlen);
/* The value of key parsed as JSON (new reference), or NULL when absent or not JSON. */
json_t *rw_store_get_json(rw_store_t *s, rw_cf_t cf, const char *key, size_t klen);
/* Bytes on disk per column family (estimate), for metrics. */
uint64_t rw_store_size(rw_store_t *s, rw_cf_t cf);
/* Skips the write-ahead log: for a replay, which can simply be run again, the
 * state is written when the store is closed. A crash then loses the run's state,
 * never a live service's (which keeps the log). */
void rw_store_skip_wal(rw_store_t *s);
const char *rw_cf_name(rw_cf_t cf);

/* A batch for the store s (its column families); s must outlive it. */
rw_batch_t *rw_batch_new(rw_store_t *s);
void rw_batch_free(rw_batch_t *b);
void rw_batch_put(rw_batch_t *b, rw_cf_t cf, const char *key, size_t klen, const char *val,
                  size_t vlen);
void rw_batch_delete(rw_batch_t *b, rw_cf_t cf, const char *key, size_t klen);
/* Puts j as JSON text (json_dumps flags, e.g. JSON_COMPACT | JSON_SORT_KEYS). */
void rw_batch_put_json(rw_batch_t *b, rw_cf_t cf, const char *key, size_t klen, const json_t *j,
                       size_t flags);
int rw_batch_count(const rw_batch_t *b);
/* Writes the batch atomically and clears it; on failure the batch is kept.
 * Returns 0, or -1 with err. */
int rw_store_write(rw_store_t *s, rw_batch_t *b, char *err, size_t errlen);

/* Iterates keys starting with prefix in order; the callback returns non-zero to stop. */
typedef int (*rw_store_visit_fn)(void *ud, const char *key, size_t klen, const char *val,
                                 size_t vlen);
void rw_store_scan(rw_store_t *s, rw_cf_t cf, const char *prefix, size_t plen, rw_store_visit_fn fn,
                   void *ud);

#endif
