/* modelfit.h — `regwatch model fit`: refits a logistic model from dispositioned
 * leads by L2-penalised maximum likelihood (Newton/IRLS with GSL's linear algebra).
 * Inputs are the values recorded in each lead's model evidence; labels come from
 * the disposition (confirmed 1, dismissed 0). A deterministic 20 % of leads (by
 * lead id) is held out for the AUC. */
#ifndef RW_MODELFIT_H
#define RW_MODELFIT_H

#include "model.h"

#include <stdio.h>

typedef struct {
    size_t n_params;   /* intercept + one weight per input, in the model's input order */
    double *coef, *se; /* malloc'ed, n_params each */
    double loglik;     /* on the training leads, unpenalised */
    double auc;        /* on held-out leads; NAN when they lack one class */
    size_t n_train, n_test, n_pos, n_neg, n_skipped;
    int iterations;
} rw_fit_t;

/* Reads lead records (JSON Lines; the latest revision per id counts) from `in`
 * and fits. Returns 0, or -1 with a message (too few labels, one class only,
 * a model that is no logistic, a singular system). */
int rw_model_fit(const rw_model_t *m, FILE *in, double l2, rw_fit_t *fit, char *err, size_t errlen);
void rw_fit_free(rw_fit_t *fit);
/* Writes the model file with the fitted intercept and weights. */
int rw_model_write(const rw_model_t *m, const rw_fit_t *fit, const char *path, char *err,
                   size_t errlen);

#endif
