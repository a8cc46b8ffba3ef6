/* leadquery.h — reading the lead store the way people ask: filtered, sorted and
 * paged lists, and statistics per rule, ruleset, department or region (leads,
 * confirmed, dismissed by reason, precision, median times, overdue). Both walk the
 * whole lead store, restricted to a user's scope. Thread-safe (reads only). */
#ifndef RW_LEADQUERY_H
#define RW_LEADQUERY_H

#include "handling.h"
#include "users.h"

#include <jansson.h>

typedef enum { RW_SORT_CREATED_DESC, RW_SORT_CREATED, RW_SORT_DUE, RW_SORT_LEVEL } rw_lead_sort_t;

typedef struct {
    json_t *status, *level, *rule, *ruleset, *region, *department,
        *entity;                     /* arrays of strings, or NULL */
    int overdue;                     /* -1 any, 0, 1 */
    int urged;                       /* -1 any, 0 never urged, 1 urged at least once */
    const char *mode;                /* live (default), shadow, all */
    double created_from, created_to; /* epoch; 0 = open */
    rw_lead_sort_t sort;
    size_t offset, limit;
} rw_lead_filter_t;

/* The parameters rw_lead_filter_parse reads, as rw_http_route lists them. */
#define RW_LEAD_FILTER_PARAMS                                                                      \
    "status,level,rule,ruleset,region,department,entity,overdue,urged,mode,created_from,"          \
    "created_to,sort,offset,limit"

/* Reads a filter from named parameters (`get` returns a parameter's text or NULL),
 * as the API's query string and the CLI's options give them. Returns 0, or -1 with a
 * Chinese message in err. rw_lead_filter_free releases it either way. */
typedef const char *(*rw_param_fn)(void *ud, const char *name);
int rw_lead_filter_parse(rw_lead_filter_t *f, rw_param_fn get, void *ud, int tz_offset_min,
                         char *err, size_t errlen);
void rw_lead_filter_free(rw_lead_filter_t *f);

/* {"total", "offset", "limit", "leads": [...]} of the leads in u's scope (u NULL:
 * all) that pass f, each decorated with overdue and urges. New reference. */
json_t *rw_leads_query(rw_handling_t *h, const rw_user_t *u, const rw_lead_filter_t *f, double now);

/* Statistics grouped by "rule", "ruleset", "department" or "region" over the leads
 * in u's scope that pass f (paging ignored): {"by", "groups": [{"key", …}]}. NULL
 * for an unknown grouping. New reference. */
json_t *rw_leads_stats(rw_handling_t *h, const rw_user_t *u, const rw_lead_filter_t *f,
                       const char *by, double now);

#endif
