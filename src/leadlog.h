/* leadlog.h — the lead revisions one engine of several emitted, each copied with the
 * position of the input event that made it, so that the caller can hand every
 * engine's revisions on in input order: the order one engine alone would have made.
 * Used by the replay's and the service's shards. Not thread-safe: one writer, then
 * one reader. */
#ifndef RW_LEADLOG_H
#define RW_LEADLOG_H

#include "engine.h"
#include "util.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    struct rw_leadlog_entry *v;
    size_t n, cap;
    size_t next; /* the first entry rw_leadlog_replay has not handed on */
    rw_buf_t buf;
} rw_leadlog_t;

void rw_leadlog_init(rw_leadlog_t *l);
void rw_leadlog_free(rw_leadlog_t *l);
/* Empties the log, keeping its memory for the next round. */
void rw_leadlog_clear(rw_leadlog_t *l);
/* Copies a revision the event at position `item` made (`lead` is only borrowed). */
void rw_leadlog_add(rw_leadlog_t *l, uint64_t item, const rw_lead_out_t *lead);
/* Hands sink the revisions of `item`, in the order they were added. Items must be
 * asked for in increasing order after a clear. */
void rw_leadlog_replay(rw_leadlog_t *l, uint64_t item, rw_lead_sink_fn sink, void *ud);

#endif
