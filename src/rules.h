/* rules.h — the loaded rule configuration: catalogue, statutes, streams, rulesets
 * with params and region overrides, rules compiled to programs, and the table of
 * distinct aggregate/model calls the rules need. Loading is all-or-nothing: errors
 * (file:line:col) leave nothing loaded; warnings never stop loading. An rw_rules_t
 * is immutable once loaded and owns everything it points to. */
#ifndef RW_RULES_H
#define RW_RULES_H

#include "calendar.h"
#include "catalog.h"
#include "compile.h"
#include "diag.h"
#include "model.h"
#include "statutes.h"

#include <stdint.h>

typedef enum {
    RW_LEVEL_BLUE,
    RW_LEVEL_YELLOW,
    RW_LEVEL_ORANGE,
    RW_LEVEL_RED,
    RW_LEVEL__COUNT
} rw_level_t;

const char *rw_level_name(int level); /* "red" …; "" for -1 */
int rw_level_parse(const char *s);    /* -1 when unknown */

typedef struct {
    char *name;
    rw_prog_t *filter; /* NULL for an event type used as a stream */
    int type;       /* the catalogue type this stream is, or whose events its filter requires; -1 */
    uint64_t types; /* filters: bit i set when events of catalogue type i may pass */
    char *file;     /* where a filter was declared (NULL for an event type) */
    int line;
} rw_stream_t;

typedef struct {
    char *prefix;       /* region-code prefix */
    rw_value_t *values; /* the complete params in force under this prefix */
} rw_param_set_t;

typedef struct {
    char *name, *file;
    int64_t reviewed; /* day number, RW_DAY_NONE when absent */
    char **param_names;
    size_t n_params;
    rw_value_t *base; /* params with no override (after --set) */
    rw_param_set_t *overrides;
    size_t n_overrides;
} rw_ruleset_t;

typedef struct {
    char *text; /* literal text, or NULL for an expression */
    rw_prog_t *prog;
} rw_msg_part_t;

typedef struct {
    int call; /* call-table id */
    int op;   /* rw_binop_t as read call-first, or -1 */
    rw_prog_t *threshold;
} rw_evidence_t;

typedef struct {
    char *id, *title, *description, *department, *file;
    int line, ruleset;
    int *on; /* stream indices; none = every event */
    size_t n_on;
    rw_prog_t *cond;
    int fixed_level; /* rw_level_t, or -1 when `level` is a map */
    rw_prog_t *level_when[RW_LEVEL__COUNT];
    int level_default; /* -1 when none */
    char **clause_text;
    rw_clause_ref_t *clauses;
    int *clause_line, *clause_col; /* where each reference is written */
    size_t n_clauses;
    int item;           /* catalogue item index or -1 */
    int suppress;       /* count of units */
    char suppress_unit; /* 'd' | 'h' */
    rw_msg_part_t *msg;
    size_t n_msg;
    char **tags;
    size_t n_tags;
    int shadow, enabled;
    unsigned char *params_read; /* by its ruleset's param index: 1 when the rule reads it */
    rw_evidence_t *evidence;
    size_t n_evidence;
    int *window_calls; /* the if's window aggregates, for the lead's `events` */
    size_t n_window_calls;
    int *model_calls; /* a call of each model the if, level or message reads: `models` */
    size_t n_model_calls;
    char hash[17];
} rw_rule_t;

typedef struct rw_rules {
    rw_catalog_t catalog;
    rw_calendar_t calendar;
    rw_statutes_t *statutes;
    rw_stream_t *streams;
    size_t n_streams;
    rw_callspec_t *calls;
    size_t n_calls;
    rw_ruleset_t *rulesets;
    size_t n_rulesets;
    rw_rule_t *rules;
    size_t n_rules;
    rw_model_t *models;
    size_t n_models;
} rw_rules_t;

/* A param replaced last (`--set [RULE:]name=value`, value read as a YAML scalar). */
typedef struct {
    const char *rule; /* only this rule's ruleset; NULL for every ruleset declaring name */
    const char *name;
    const char *value;
} rw_param_setting_t;

typedef struct {
    const char *rules_dir;
    const char *models_dir;
    const rw_param_setting_t *sets;
    size_t n_sets;
    int64_t today; /* day number, for `verified` warnings */
    /* A ruleset file given as text (a backtest's candidate): it replaces the file of
     * rules_dir whose `ruleset:` has the same name, or is added after the others. */
    const char *ruleset_text;
    size_t ruleset_len;
    const char *ruleset_name; /* its name in diagnostics */
    /* Load only this rule (every stream, param and model still): a sweep evaluates one
     * rule, and the aggregate state then holds only what it and the models read. */
    const char *only_rule;
} rw_load_opts_t;

int rw_rules_load(rw_rules_t **out, const rw_load_opts_t *opts, rw_diags_t *d);
void rw_rules_free(rw_rules_t *r);
/* Parses "[RULE:]name=value" (the string must outlive the setting). -1 on bad syntax. */
int rw_param_setting_parse(char *arg, rw_param_setting_t *out);
/* The params in force for a ruleset and a region (longest override prefix). */
const rw_value_t *rw_rules_params(const rw_rules_t *r, int ruleset, const char *region);
int rw_rules_find(const rw_rules_t *r, const char *rule_id);    /* index or -1 */
int rw_ruleset_param(const rw_ruleset_t *rs, const char *name); /* its index or -1 */
int rw_rules_model(const rw_rules_t *r, const char *name);      /* index or -1 */

#endif
