/* evset.h — a history of events validated once and kept packed in memory (evpack.h,
 * about a twentieth of the memory of parsed JSON) so that it can be run many times (a
 * backtest's current and candidate rules, a sweep's values), on several threads at
 * once: from a JSON Lines file, an event archive, or the events topic between two
 * message timestamps. An event archive is a set saved to a file (rw_evset_save):
 * loading it skips JSON parsing. Once loaded a set is read-only; each run reads it
 * through its own cursor. */
#ifndef RW_EVSET_H
#define RW_EVSET_H

#include "event.h"

#include <stdint.h>

/* Progress of a long step, fraction in [0, 1]; called from the caller's thread. */
typedef void (*rw_progress_fn)(void *ud, double fraction);

/* Where an event is in the pack, and whose it is. */
typedef struct {
    uint32_t size;   /* its packed bytes */
    uint32_t entity; /* a hash of its entity: a split by it keeps an entity's events together */
} rw_evset_entry_t;

typedef struct {
    const char *pack;          /* the valid events packed one after another, in input order */
    rw_evset_entry_t *entries; /* one per event, in the same order */
    size_t pack_len;
    size_t n;                       /* how many */
    char *own;                      /* the memory pack points into */
    uint64_t lines, bytes;          /* lines read (blank ones too), or messages in the time range */
    uint64_t invalid[RW_EV__COUNT]; /* events that did not validate, by reason */
    double seconds;                 /* reading and parsing */
} rw_evset_t;

/* Reads and validates every line of a JSON Lines file ("-": standard input); blank
 * lines are skipped as in replay. A file that starts as an event archive does is
 * loaded as one, every event checked (a damaged archive is refused). Returns 0, or -1
 * with err. */
int rw_evset_load_file(rw_evset_t *s, const char *path, rw_progress_fn progress, void *ud,
                       char *err, size_t errlen);

typedef struct {
    const char *bootstrap; /* bootstrap.servers */
    const char *topic;
    double from, to; /* message timestamps, seconds since the epoch: from <= ts < to */
    int timeout_ms;  /* metadata, offset queries and the longest wait for a message; 0: 10 s */
} rw_topic_range_t;

/* Consumes every partition of the topic between the offsets of the two timestamps
 * (rd_kafka_offsets_for_times; where the broker cannot tell, such as the embedded
 * one, from the partition's start) and keeps the messages whose timestamp is in the
 * range, validated with the key as entity. Commits nothing. Returns 0, or -1 with err. */
int rw_evset_load_topic(rw_evset_t *s, const rw_topic_range_t *r, rw_progress_fn progress, void *ud,
                        char *err, size_t errlen);

/* Writes the set as an event archive (through a temporary name, so a failed write
 * leaves no archive). Returns 0, or -1 with err. */
int rw_evset_save(const rw_evset_t *s, const char *path, char *err, size_t errlen);

/* Reading a set back, event by event, in input order. One cursor per thread; any
 * number of cursors may read one set at once. */
typedef struct rw_evset_cursor rw_evset_cursor_t;

rw_evset_cursor_t *rw_evset_cursor_new(const rw_evset_t *s);
/* A cursor over part k of n: the events of the entities in that part, so that n
 * threads can share a run, each applying its own entities' events. Events of other
 * parts are skipped without being decoded. */
rw_evset_cursor_t *rw_evset_cursor_part(const rw_evset_t *s, unsigned k, unsigned n);
/* The next event, or NULL at the end (or if the set is damaged: see below). The event
 * and its JSON belong to the cursor and stay valid only until the next call; keep a
 * part of it by copying (json_deep_copy). */
const rw_event_t *rw_evset_next(rw_evset_cursor_t *c);
/* Whether the cursor stopped at an event that did not decode (only possible in a set
 * that was not loaded through this module). */
int rw_evset_cursor_failed(const rw_evset_cursor_t *c);
void rw_evset_cursor_free(rw_evset_cursor_t *c);

/* Events that did not validate, all reasons together. */
uint64_t rw_evset_invalid(const rw_evset_t *s);
void rw_evset_free(rw_evset_t *s);

#endif
