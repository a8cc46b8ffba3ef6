/* replay.h — the engine over a JSON Lines file, no broker: the basis of rule tests,
 * backtests and reproducible results. Rejected lines go to a rejects file with their
 * line numbers and reasons; the run goes on. */
#ifndef RW_REPLAY_H
#define RW_REPLAY_H

#include "engine.h"
#include "shards.h"

#include <stdio.h>

typedef struct {
    const char *path; /* "-" for standard input */
    FILE *rejects;    /* may be NULL */
    size_t batch; /* events per state commit (default 200000; sooner when over the cache budget) */
    int progress; /* draw a progress bar on stderr */
    size_t max_event_size; /* default RW_EVENT_MAX_SIZE_DEFAULT */
    unsigned shards;       /* engines in parallel threads, entities split among them by id;
                            * 0 = rw_shards_default() */
} rw_replay_opts_t;

typedef struct {
    uint64_t lines, bytes;
    double seconds;
    rw_engine_stats_t stats; /* of all shards, invalid lines included */
} rw_replay_result_t;

/* Runs every line through engines made from `eo` (one per shard, each with its share
 * of eo->cache_bytes) and commits. A reader thread reads and parses lines, the shards
 * run in their own threads, and the calling thread passes every lead revision to
 * eo->sink in the order one engine would (the revision's `record` is NULL: sinks get
 * its text). Entities share no state, so the leads do not depend on the number of
 * shards. Returns 0, or -1 with err (I/O, store). */
int rw_replay_run(const rw_engine_opts_t *eo, const rw_replay_opts_t *o, rw_replay_result_t *res,
                  char *err, size_t errlen);
/* Reads and JSON-parses every line and nothing else: the baseline for throughput. */
int rw_replay_parse_only(const char *path, rw_replay_result_t *res, char *err, size_t errlen);

#endif
