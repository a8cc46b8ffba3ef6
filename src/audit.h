/* audit.h — the append-only audit log of lead handling and user management.
 * Entries live in the handling column family under "a/<16 hex seq>" (seq from 1),
 * each the compact, key-sorted JSON of the entry with "prev" (the previous entry's
 * hash, 64 zeros for the first) and "hash" (SHA-256 of the entry without "hash");
 * "a!head" holds the last seq and hash so that a removed last entry is noticed too.
 * An entry is written in the same batch as the change it records. */
#ifndef RW_AUDIT_H
#define RW_AUDIT_H

#include "store.h"

#include <jansson.h>
#include <stdint.h>

typedef struct rw_audit rw_audit_t;

/* The log of store s (which must outlive it). Not thread-safe: callers serialise. */
rw_audit_t *rw_audit_open(rw_store_t *s);
void rw_audit_free(rw_audit_t *a);
/* Sets entry's seq, prev and hash and adds it and the new head to batch b. Returns
 * the seq. The head advances at once: after a failed write call rw_audit_reset. */
uint64_t rw_audit_append(rw_audit_t *a, rw_batch_t *b, json_t *entry);
/* Re-reads the head from the store (after a batch that was not written). */
void rw_audit_reset(rw_audit_t *a);

typedef struct {
    int ok;
    uint64_t entries;   /* entries checked */
    uint64_t first_bad; /* seq of the first bad entry when !ok */
    char reason[256];   /* why, in Chinese */
} rw_audit_report_t;

/* Walks the whole chain. */
void rw_audit_verify(rw_store_t *s, rw_audit_report_t *r);
/* Entry seq, or NULL. New reference. */
json_t *rw_audit_get(rw_store_t *s, uint64_t seq);
/* Every entry in order; fn returns non-zero to stop. The entry is borrowed. */
typedef int (*rw_audit_fn)(void *ud, const json_t *entry);
void rw_audit_scan(rw_store_t *s, rw_audit_fn fn, void *ud);

#endif
