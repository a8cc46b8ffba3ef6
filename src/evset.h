/* evset.h — a history of events parsed once into memory so that it can be run many
 * times (a backtest's current and candidate rules, a sweep's values), on several
 * threads at once: from a JSON Lines file, or from the events topic between two
 * message timestamps. Once loaded a set is read-only; the engine only reads the
 * events it applies, so engines on different threads may share one set. */
#ifndef RW_EVSET_H
#define RW_EVSET_H

#include "event.h"

#include <stdint.h>

/* Progress of a long step, fraction in [0, 1]; called from the caller's thread. */
typedef void (*rw_progress_fn)(void *ud, double fraction);

typedef struct {
    rw_event_t *events; /* the valid events, in input order */
    size_t n, cap;
    uint64_t lines, bytes;          /* lines read (blank ones too), or messages in the time range */
    uint64_t invalid[RW_EV__COUNT]; /* events that did not validate, by reason */
    double seconds;                 /* reading and parsing */
} rw_evset_t;

/* Reads and validates every line of a JSON Lines file ("-": standard input); blank
 * lines are skipped as in replay. Returns 0, or -1 with err. */
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

/* Events that did not validate, all reasons together. */
uint64_t rw_evset_invalid(const rw_evset_t *s);
void rw_evset_free(rw_evset_t *s);

#endif
