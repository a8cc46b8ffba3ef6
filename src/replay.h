/* replay.h — the engine over a JSON Lines file, no broker: the basis of rule tests,
 * backtests and reproducible results. Rejected lines go to a rejects file with their
 * line numbers and reasons; the run goes on. */
#ifndef RW_REPLAY_H
#define RW_REPLAY_H

#include "engine.h"

#include <stdio.h>

typedef struct {
    const char *path;      /* "-" for standard input */
    FILE *rejects;         /* may be NULL */
    size_t batch;          /* events per state commit (default 50000) */
    int progress;          /* draw a progress bar on stderr */
    double future_now;     /* reject events over a day after this instant; 0 = no test */
    size_t max_event_size; /* default RW_EVENT_MAX_SIZE_DEFAULT */
} rw_replay_opts_t;

typedef struct {
    uint64_t lines, bytes;
    double seconds;
} rw_replay_result_t;

/* Runs every line through e and commits. A reader thread reads and parses lines
 * while the calling thread runs the engine, so parsing overlaps state and rules. Returns 0, or -1
 * with err (I/O, store). */
int rw_replay_run(rw_engine_t *e, const rw_replay_opts_t *o, rw_replay_result_t *res, char *err,
                  size_t errlen);
/* Reads and JSON-parses every line and nothing else: the baseline for throughput. */
int rw_replay_parse_only(const char *path, rw_replay_result_t *res, char *err, size_t errlen);

#endif
