/* aggstate.h — per-entity event state: the latest event time (M), the processing
 * counter, the dedup record (ids applied within retention) and the aggregates,
 * sized to what the loaded rules need:
 * for each (stream, day|hour) a series of time buckets holding counts, numeric
 * stats and distinct-value sets of the aggregated fields; one log of the entity's
 * events (time, id, the series that keep ids for `events`) serving both a lead's
 * `events` and dedup; for each stream read by last/since a time-ordered log of
 * (time, field values). Buckets older than the retention (400 local days before the
 * entity's latest event) are pruned.
 * The layout is derived from an rw_rules_t and names what it stores, so state
 * written under one rule set is read under another (a reload). */
#ifndef RW_AGGSTATE_H
#define RW_AGGSTATE_H

#include "rules.h"
#include "util.h"

#include <stdint.h>

#define RW_RETENTION_DAYS 400
#define RW_EVENTS_MAX 50

typedef struct {
    int stream;
    char unit;         /* 'd' | 'h' */
    rw_evpath_t **num; /* fields with numeric stats (borrowed from the call table) */
    size_t n_num;
    rw_evpath_t **dist; /* fields with distinct-value sets */
    size_t n_dist;
    char **num_names, **dist_names; /* their paths as text, the names state is stored under */
    int ids;                        /* keep event ids for `events` */
    int id_bit; /* its bit in an event's series mask when it keeps ids, else -1 */
} rw_series_def_t;

typedef struct {
    int stream;
    rw_evpath_t **fields; /* fields read by last() */
    size_t n_fields;
    char **field_names;
} rw_lastlog_def_t;

/* Where each call reads its value. */
typedef struct {
    int series;  /* window aggregates */
    int slot;    /* field slot in the series (num or dist), or -1 for count */
    int lastlog; /* last/since */
    int field;   /* last: field index in the log */
} rw_call_site_t;

typedef struct {
    rw_series_def_t *series;
    size_t n_series;
    rw_lastlog_def_t *logs;
    size_t n_logs;
    rw_call_site_t *sites; /* by call id */
    size_t n_sites;
    int *ewmas; /* EWMA model indices: each keeps a series per entity */
    size_t n_ewmas;
    size_t n_id_bits; /* series that keep ids */
    const rw_rules_t *rules;
} rw_layout_t;

rw_layout_t *rw_layout_build(const rw_rules_t *rules);
void rw_layout_free(rw_layout_t *l);

typedef struct rw_aggs rw_aggs_t; /* one entity's aggregate state (opaque) */

rw_aggs_t *rw_aggs_new(const rw_layout_t *l);
void rw_aggs_free(rw_aggs_t *a);
/* Latest applied event time (M) and the entity's processing counter. */
int rw_aggs_has_max(const rw_aggs_t *a);
double rw_aggs_max_time(const rw_aggs_t *a);
uint64_t rw_aggs_seq(const rw_aggs_t *a);

/* 1 when an event with this id was processed (applied, or found late) within the
 * retention window (dedup on (entity, id); ids that aged out are dropped a month at a
 * time). */
int rw_aggs_seen(const rw_aggs_t *a, const char *id, size_t len);
/* Records the id of a late event, which is processed but not applied (events.md: dedup
 * comes before lateness), so that a copy of it is a duplicate. It is kept as long as an
 * event applied at the entity's latest time. Only when rw_aggs_has_max. */
void rw_aggs_note_id(rw_aggs_t *a, const char *id, size_t len, int tz_min);

/* Applies an event that belongs to the streams flagged in `member` (by stream
 * index), feeding EWMA series too (their values read the event and the merged
 * profile). Returns the event's processing number within the entity. */
uint64_t rw_aggs_apply(rw_aggs_t *a, const rw_event_t *ev, const json_t *profile,
                       const unsigned char *member, int tz_min);
/* The entity's EWMA state for a model (NULL when the model is no EWMA). */
const rw_ewma_t *rw_aggs_ewma(const rw_aggs_t *a, int model);
/* Gives back the room kept for growth (the engine trims what a commit writes: most of
 * it is not changed again soon). */
void rw_aggs_trim(rw_aggs_t *a);
/* Bytes the state holds in memory (allocator overhead included, approximately): what
 * the engine's entity cache budget counts. */
size_t rw_aggs_footprint(const rw_aggs_t *a);

/* The value of a window aggregate, last or since for the current event at time t.
 * Strings returned borrow from the state and live until its next change. */
rw_value_t rw_aggs_query(rw_aggs_t *a, int call, double t, int tz_min);

/* Ids of events inside the windows of `calls`, newest RW_EVENTS_MAX by (time,
 * processing order), oldest first, appended to arr (a JSON array). */
void rw_aggs_events(const rw_aggs_t *a, const int *calls, size_t n_calls, double t, int tz_min,
                    json_t *arr);

/* Binary form for the store; decoding maps stored series onto the current layout
 * by name (streams and fields the layout no longer needs are dropped). */
void rw_aggs_encode(const rw_aggs_t *a, rw_buf_t *out);
rw_aggs_t *rw_aggs_decode(const rw_layout_t *l, const char *p, size_t n);
/* A JSON summary of the state for the entity API: counts per stream and window. */
json_t *rw_aggs_describe(const rw_aggs_t *a);

#endif
