/* model.h — statistical risk models (models.md), computed with GSL: logistic
 * scorecards, Poisson surges against the entity's own baseline, EWMA control of a
 * numeric series, and beta-binomial failure rates. Inputs are expressions of the
 * rule language, compiled once. A model owns its programs and strings. */
#ifndef RW_MODEL_H
#define RW_MODEL_H

#include "checker.h"
#include "compile.h"
#include "eval.h"
#include "yamldoc.h"

#include <jansson.h>

typedef enum {
    RW_MODEL_LOGISTIC,
    RW_MODEL_POISSON_SURGE,
    RW_MODEL_EWMA,
    RW_MODEL_BETA_BINOMIAL
} rw_model_kind_t;
typedef enum { RW_TF_NONE, RW_TF_LOG1P, RW_TF_LOG, RW_TF_SQRT } rw_transform_t;

typedef struct {
    char *name;
    char *expr; /* as written */
    rw_prog_t *prog;
    rw_transform_t transform;
    double missing;
    double weight;
} rw_model_input_t;

typedef struct {
    char *name, *file;
    int line;
    rw_model_kind_t kind;
    /* logistic */
    rw_model_input_t *inputs;
    size_t n_inputs;
    double intercept;
    /* poisson_surge */
    rw_prog_t *observed, *baseline;
    double observed_days, baseline_days, prior_rate, prior_days;
    /* ewma: the series is fed when events of `stream` are applied */
    int stream;
    rw_prog_t *value;
    double alpha;
    int min_samples;
    /* beta_binomial */
    rw_prog_t *failures, *trials;
    double prior_alpha, prior_beta, threshold;
} rw_model_t;

/* EWMA state of one entity for one model. */
typedef struct {
    double n, mean, var;
    int has_sample; /* a sample has been seen: the value is its z */
    int z_null;     /* the latest sample's z was null */
    double z, x, mean_before, sd_before;
} rw_ewma_t;

#define RW_MODEL_MAX_INPUTS 64

/* The parts of a model's value, kept as plain values until a lead needs them as
 * JSON (rw_model_parts_json): most evaluations create no lead. Values may borrow
 * strings from the event and profile of the evaluation. */
typedef struct {
    rw_value_t
        v[RW_MODEL_MAX_INPUTS];    /* logistic: raw inputs; others: the evidence values in order */
    double c[RW_MODEL_MAX_INPUTS]; /* logistic: contributions */
    int has_sample;                /* ewma */
} rw_model_parts_t;

/* Loads one model file. ctx supplies the resolvers of the rule loader (streams,
 * calls); its node/doc/kind are set here. Returns 0, or -1 with file:line:col errors. */
int rw_model_load(rw_model_t *m, const rw_ydoc_t *doc, rw_check_ctx_t *ctx, rw_diags_t *d);
void rw_model_free(rw_model_t *m);

/* Feeds one event to an EWMA series (the caller checked stream membership). */
void rw_ewma_update(const rw_model_t *m, rw_ewma_t *st, rw_eval_env_t *env);

/* The model's value for the current event, with its parts in *p when not NULL.
 * `ewma` is the entity's state for EWMA models. */
rw_value_t rw_model_compute(const rw_model_t *m, rw_eval_env_t *env, const rw_ewma_t *ewma,
                            rw_model_parts_t *p);
/* Appends the evidence `parts` array of models.md to b, as compact JSON text (a lead's
 * record is written as text, engine.c). */
void rw_model_parts_text(const rw_model_t *m, const rw_model_parts_t *p, rw_buf_t *b);
/* rw_model_compute with the parts as JSON in *parts when not NULL (a new reference). */
rw_value_t rw_model_eval(const rw_model_t *m, rw_eval_env_t *env, const rw_ewma_t *ewma,
                         json_t **parts);

const char *rw_model_kind_name(rw_model_kind_t k);
rw_transform_t rw_transform_parse(const char *s); /* -1 as (rw_transform_t) when unknown */
/* t(x) for a transform; NAN outside its domain. */
double rw_transform_apply(rw_transform_t t, double x);

/* Switches GSL's aborting error handler off (process-wide; call once at start). */
void rw_model_init_gsl(void);

#endif
