/* outbox.h — messages bound for Kafka (leads, dead letters) are written into the
 * same atomic store batch as the state change that made them, under meta keys
 * "o/<seq>", and produced only after that batch is on disk. A record is deleted
 * once its delivery is confirmed, so after a crash the unconfirmed ones are sent
 * again (same key, same bytes). Not thread-safe: callers serialise (handling.h's
 * lock in the service). */
#ifndef RW_OUTBOX_H
#define RW_OUTBOX_H

#include "store.h"

#include <stddef.h>
#include <stdint.h>

typedef struct rw_outbox rw_outbox_t;

/* One record; the pointers are borrowed for the callback. */
typedef struct {
    uint64_t seq;
    const char *topic;
    const char *key, *val;
    size_t klen, vlen;
} rw_outbox_msg_t;

typedef void (*rw_outbox_fn)(void *ud, const rw_outbox_msg_t *m);

/* An outbox over the store's meta keys; its sequence continues after the highest
 * stored record. The store must outlive it. */
rw_outbox_t *rw_outbox_open(rw_store_t *s);
void rw_outbox_free(rw_outbox_t *o);
/* Adds a record to the batch b and to the pending list. Returns its sequence. */
uint64_t rw_outbox_add(rw_outbox_t *o, rw_batch_t *b, const char *topic, const char *key,
                       size_t klen, const char *val, size_t vlen);
/* Hands each record added since the last drain to fn (after the batch holding
 * them was written), then forgets them; fn NULL only forgets them (they stay stored
 * and are sent by the next service start). */
void rw_outbox_drain(rw_outbox_t *o, rw_outbox_fn fn, void *ud);
/* Every stored (unconfirmed) record, in sequence order. */
void rw_outbox_scan(rw_outbox_t *o, rw_outbox_fn fn, void *ud);
/* Hands the stored record `seq` to fn again (a delivery that failed). Returns 0, or -1
 * when it is no longer stored (confirmed since). */
int rw_outbox_resend(rw_outbox_t *o, uint64_t seq, rw_outbox_fn fn, void *ud);
/* Deletes a confirmed record in batch b. */
void rw_outbox_confirm(rw_outbox_t *o, rw_batch_t *b, uint64_t seq);

#endif
