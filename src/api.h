/* api.h — the JSON API of docs/api.md on the HTTP server: bearer-token sign-in,
 * roles and scopes, and handlers over handling.h (actions), leadquery.h (lists,
 * statistics), audit.h and users.h. Out-of-scope reads answer 404, forbidden ones
 * 403, illegal transitions 409 with the allowed actions; a refused request writes
 * nothing. */
#ifndef RW_API_H
#define RW_API_H

#include "handling.h"
#include "http.h"
#include "rules.h"
#include "users.h"

#include <jansson.h>

typedef struct {
    rw_handling_t *handling; /* borrowed */
    rw_users_t *users;       /* borrowed */
    /* Service hooks, called with the handling lock held; NULL answers 503. */
    json_t *(*entity)(void *ud,
                      const char *entity); /* {"entity","profile","state","suppress"} or NULL */
    int (*reload)(void *ud, char *err, size_t errlen);
    void *ud;
    /* For POST /api/check and /api/backtest (copied): the live rules and models, and
     * the events topic a backtest reads a time range from (bootstrap NULL: no topic). */
    const char *rules_dir, *models_dir, *bootstrap, *topic_events;
} rw_api_opts_t;

typedef struct rw_api rw_api_t;

rw_api_t *rw_api_new(const rw_api_opts_t *o);
void rw_api_free(rw_api_t *a);
/* The rules GET /api/rules and /api/statutes describe and whose calendar deadlines
 * use. Call with the handling lock held; borrowed until the next call. */
void rw_api_set_rules(rw_api_t *a, const rw_rules_t *rules);
/* Registers every /api/ route on http (a must outlive the server). */
void rw_api_routes(rw_api_t *a, rw_http_t *http);

/* Request bodies of the API are limited to this (a larger one answers 413), except
 * a backtest's, which may carry its history. */
#define RW_API_MAX_BODY (64 * 1024)
#define RW_API_MAX_BACKTEST_BODY (32 * 1024 * 1024)

#endif
