/* backtest.h — rule-author tooling. A backtest runs the current and a candidate rule
 * set over the same history and compares their leads rule by rule, against past
 * dispositions; a sweep runs one rule once per value of one of its params. Every
 * run is the real engine with its state in memory (no store; never a live store or
 * topic); the history is parsed once and shared. Runs go side by side, a few at a
 * time: each thread takes a part of the entities, decodes their events once and
 * applies each to every run's engine. The
 * result is a report as JSON (fields: docs/backtest.md); report.h renders it. */
#ifndef RW_BACKTEST_H
#define RW_BACKTEST_H

#include "diag.h"
#include "evset.h"
#include "rules.h"

#include <jansson.h>

#define RW_SWEEP_MAX_VALUES 100

typedef struct {
    char *rule, *param;
    char **values; /* YAML scalar texts, in sweep order */
    size_t n_values;
} rw_sweep_t;

/* Parses "RULE:param=a..b" (integers, step 1), "RULE:param=a..b/step" or
 * "RULE:param=v1,v2,…" (any YAML scalars). Returns 0, or -1 with err. */
int rw_sweep_parse(const char *spec, rw_sweep_t *out, char *err, size_t errlen);
void rw_sweep_free(rw_sweep_t *s);

typedef struct {
    const char *rules_dir;     /* the current rules (default "rules") */
    const char *models_dir;    /* default "models" */
    const char *candidate_dir; /* the candidate rules folder; NULL: rules_dir */
    /* or: the text of one ruleset file that replaces the same-named ruleset of the
     * candidate folder (rules_dir when candidate_dir is NULL), or is added to it */
    const char *ruleset_text;
    size_t ruleset_len;
    const char *ruleset_name;       /* its name in diagnostics, e.g. the uploaded file's */
    const rw_param_setting_t *sets; /* params set on the candidate (and on every sweep value) */
    size_t n_sets;
    const rw_evset_t *events; /* the history; NULL: events_path is loaded */
    const char *events_path;
    const char *events_label;   /* where the history came from, for the report; NULL: events_path */
    const json_t *past;         /* past lead records (array, latest revision each) or NULL */
    const char *const *regions; /* report only leads whose region starts with one of these */
    size_t n_regions;           /* 0: every lead */
    const rw_sweep_t *sweep;    /* a sweep of the candidate instead of a comparison */
    int threads;                /* threads, each a part of the entities (default 2) */
    int64_t today;              /* day number, for `verified` warnings while loading */
    rw_progress_fn progress;    /* loading, then the runs; may be NULL */
    void *progress_ud;
} rw_backtest_opts_t;

/* Runs a backtest or sweep. Rule problems go to d (file:line:col, as `check` prints
 * them); other failures (events, store) to err. Returns the report (new reference),
 * or NULL. Thread-safe apart from the progress callback, which runs on the caller's
 * thread; an HTTP handler for POST /api/backtest calls it with the author's ruleset
 * text, an events file, the author's regions and an optional sweep. */
json_t *rw_backtest_run(const rw_backtest_opts_t *o, rw_diags_t *d, char *err, size_t errlen);

/* Past lead records from a JSON Lines file as `regwatch leads` prints them: a new
 * array, or NULL with err (names the bad line). */
json_t *rw_backtest_read_leads(const char *path, char *err, size_t errlen);

/* ---- the pieces, for tests and for callers with leads of their own ------------------- */

/* Past leads indexed: {"results": {id: "confirmed"|"dismissed"}, "confirmed_entities":
 * {entity: n}}; a lead counts when disposition.result (or else status) says so. */
json_t *rw_backtest_index_past(const json_t *past);

/* A run's leads as a backtest sums them up: for each new lead its id, rule, entity,
 * entity_name, region, level and the local date of its trigger event (the first
 * revision: suppressed triggers add no lead). Plain records, not JSON: a run over a
 * year makes millions. Owned by whoever made it. */
typedef struct rw_bt_leads rw_bt_leads_t;

rw_bt_leads_t *rw_bt_leads_new(void);
void rw_bt_leads_free(rw_bt_leads_t *l);
/* Copies the strings in; entity_name and region may be NULL (null in the report). */
void rw_bt_leads_add(rw_bt_leads_t *l, const char *id, const char *rule, const char *entity,
                     size_t entity_len, const char *entity_name, const char *region,
                     const char *level, const char *date);
/* Moves every lead of src (then empty) to the end of dst. */
void rw_bt_leads_take(rw_bt_leads_t *dst, rw_bt_leads_t *src);
size_t rw_bt_leads_count(const rw_bt_leads_t *l);

/* Compares two runs' leads for the rules listed in `rules` ([{rule, title, ruleset,
 * in_current, in_candidate, changed}]), in that order: the report's "rules" array.
 * Reorders the leads (their order is not part of them). past_index may be NULL. */
json_t *rw_backtest_compare(const json_t *rules, rw_bt_leads_t *current, rw_bt_leads_t *candidate,
                            const json_t *past_index);

/* A run's leads summed up: {leads, by_level, by_month, judged, confirmed, dismissed,
 * precision, on_confirmed_entities}. */
json_t *rw_backtest_stats(const rw_bt_leads_t *leads, const json_t *past_index);

#endif
