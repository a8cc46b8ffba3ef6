/* eval.h — runs compiled expressions. The environment supplies the event, the
 * merged profile, the params in force and a resolver for aggregate/model calls
 * (memoised by the caller). Values returned may borrow from the event, the
 * program and the environment's scratch space (valid until rw_eval_env_reset). */
#ifndef RW_EVAL_H
#define RW_EVAL_H

#include "compile.h"

typedef struct rw_eval_env {
    const rw_event_t *ev;
    const json_t *profile;    /* merged profile object, may be NULL */
    const rw_value_t *params; /* the ruleset's params in force, by index */
    rw_value_t (*call)(struct rw_eval_env *env, int call_id);
    void *ud;       /* for the call resolver */
    char **scratch; /* strings made during evaluation (lower()) */
    size_t n_scratch, cap_scratch;
} rw_eval_env_t;

rw_value_t rw_eval(const rw_prog_t *p, rw_eval_env_t *env);
/* Frees the scratch strings of earlier evaluations. */
void rw_eval_env_reset(rw_eval_env_t *env);
/* Applies a scalar function (exported for constant folding and tests). */
rw_value_t rw_fn_apply(rw_fn_t fn, const rw_value_t *args, rw_eval_env_t *env);
/* a (op) b with the null and comparison rules of rules.md. */
rw_value_t rw_binop_apply(rw_binop_t op, rw_value_t a, rw_value_t b);

#endif
