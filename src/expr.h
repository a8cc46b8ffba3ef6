/* expr.h — what the stages of the expression pipeline share: event-field paths,
 * scalar function ids, and the specification of an aggregate or model call.
 * lexer → parser (ast) → checker (resolves names, infers kinds, registers calls)
 * → compile (bytecode, rw_prog_t) → eval (runs it). */
#ifndef RW_EXPR_H
#define RW_EXPR_H

#include "event.h"
#include "value.h"

#include <stddef.h>

/* A path read on an event: a top-level field, or attrs.a.b. */
typedef enum {
    RW_EF_ID,
    RW_EF_TYPE,
    RW_EF_ENTITY,
    RW_EF_TIME,
    RW_EF_REGION,
    RW_EF_SOURCE,
    RW_EF_ATTR
} rw_evfield_t;

typedef struct {
    rw_evfield_t field;
    char **segs; /* ATTR: the keys after "attrs" (owned) */
    size_t n_segs;
} rw_evpath_t;

/* Reads the path on an event; strings are borrowed from the event. Objects, arrays
 * and missing keys read as null. */
rw_value_t rw_evpath_read(const rw_evpath_t *p, const rw_event_t *ev);
void rw_evpath_free(rw_evpath_t *p);
int rw_evpath_equal(const rw_evpath_t *a, const rw_evpath_t *b);
/* Resolves a top-level name (id, type, …); -1 for anything else. */
int rw_evfield_lookup(const char *name);

typedef enum {
    RW_FN_ABS,
    RW_FN_LOG,
    RW_FN_LOG1P,
    RW_FN_EXP,
    RW_FN_SQRT,
    RW_FN_FLOOR,
    RW_FN_CEIL,
    RW_FN_ROUND,
    RW_FN_LEAST,
    RW_FN_GREATEST,
    RW_FN_LEN,
    RW_FN_LOWER,
    RW_FN_CONTAINS,
    RW_FN_STARTSWITH,
    RW_FN__COUNT
} rw_fn_t;

typedef struct {
    const char *name;
    int arity;
    int arg_kinds;    /* RW_K_* every argument must be able to have */
    int result_kinds; /* RW_K_* */
} rw_fn_info_t;

/* The scalar function named so, or -1. */
int rw_fn_lookup(const char *name);
const rw_fn_info_t *rw_fn_info(rw_fn_t fn);

typedef enum {
    RW_AGG_COUNT,
    RW_AGG_SUM,
    RW_AGG_AVG,
    RW_AGG_MIN,
    RW_AGG_MAX,
    RW_AGG_DISTINCT,
    RW_AGG_LAST,
    RW_AGG_SINCE,
    RW_AGG_MODEL
} rw_agg_kind_t;

/* One distinct aggregate or model call, identified by its canonical text. */
typedef struct {
    rw_agg_kind_t kind;
    int stream;        /* index in the engine's stream table (not for MODEL) */
    rw_evpath_t field; /* SUM…DISTINCT, LAST */
    int has_field;
    int window; /* count of units (window aggregates) */
    char unit;  /* 'd' or 'h' */
    int model;  /* MODEL: model index */
    char *text; /* canonical text, e.g. count(food_complaint, 30d) */
} rw_callspec_t;

/* Aggregate name → kind; -1 when the name is no aggregate. */
int rw_agg_lookup(const char *name);
int rw_agg_is_window(rw_agg_kind_t k);

#endif
