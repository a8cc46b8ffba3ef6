/* expr.c — event paths and the tables of scalar functions and aggregates. */
#include "expr.h"

#include "ast.h"

#include <stdlib.h>
#include <string.h>

static const char *const field_names[] = {"id", "type", "entity", "time", "region", "source"};

int rw_evfield_lookup(const char *name)
{
    for (int i = 0; i < 6; i++)
        if (strcmp(name, field_names[i]) == 0) return i;
    return -1;
}

rw_value_t rw_evpath_read(const rw_evpath_t *p, const rw_event_t *ev)
{
    switch (p->field) {
    case RW_EF_ID:
        return rw_str(ev->id, ev->id_len);
    case RW_EF_TYPE:
        return rw_str(ev->type, ev->type_len);
    case RW_EF_ENTITY:
        return rw_str(ev->entity, ev->entity_len);
    case RW_EF_TIME:
        return rw_num(ev->time);
    case RW_EF_REGION:
        return ev->region ? rw_str(ev->region, strlen(ev->region)) : rw_null();
    case RW_EF_SOURCE:
        return ev->source ? rw_str(ev->source, strlen(ev->source)) : rw_null();
    case RW_EF_ATTR: {
        const json_t *j = ev->attrs;
        for (size_t i = 0; j && i < p->n_segs; i++)
            j = json_object_get(j, p->segs[i]);
        return rw_value_from_json(j);
    }
    }
    return rw_null();
}

void rw_evpath_free(rw_evpath_t *p)
{
    for (size_t i = 0; i < p->n_segs; i++)
        free(p->segs[i]);
    free(p->segs);
    p->segs = NULL;
    p->n_segs = 0;
}

int rw_evpath_equal(const rw_evpath_t *a, const rw_evpath_t *b)
{
    if (a->field != b->field || a->n_segs != b->n_segs) return 0;
    for (size_t i = 0; i < a->n_segs; i++)
        if (strcmp(a->segs[i], b->segs[i]) != 0) return 0;
    return 1;
}

static const rw_fn_info_t fns[RW_FN__COUNT] = {
    [RW_FN_ABS] = {"abs", 1, RW_K_NUM, RW_K_NUM | RW_K_NULL},
    [RW_FN_LOG] = {"log", 1, RW_K_NUM, RW_K_NUM | RW_K_NULL},
    [RW_FN_LOG1P] = {"log1p", 1, RW_K_NUM, RW_K_NUM | RW_K_NULL},
    [RW_FN_EXP] = {"exp", 1, RW_K_NUM, RW_K_NUM | RW_K_NULL},
    [RW_FN_SQRT] = {"sqrt", 1, RW_K_NUM, RW_K_NUM | RW_K_NULL},
    [RW_FN_FLOOR] = {"floor", 1, RW_K_NUM, RW_K_NUM | RW_K_NULL},
    [RW_FN_CEIL] = {"ceil", 1, RW_K_NUM, RW_K_NUM | RW_K_NULL},
    [RW_FN_ROUND] = {"round", 1, RW_K_NUM, RW_K_NUM | RW_K_NULL},
    [RW_FN_LEAST] = {"least", 2, RW_K_NUM, RW_K_NUM | RW_K_NULL},
    [RW_FN_GREATEST] = {"greatest", 2, RW_K_NUM, RW_K_NUM | RW_K_NULL},
    [RW_FN_LEN] = {"len", 1, RW_K_STR, RW_K_NUM | RW_K_NULL},
    [RW_FN_LOWER] = {"lower", 1, RW_K_STR, RW_K_STR | RW_K_NULL},
    [RW_FN_CONTAINS] = {"contains", 2, RW_K_STR, RW_K_BOOL | RW_K_NULL},
    [RW_FN_STARTSWITH] = {"startswith", 2, RW_K_STR, RW_K_BOOL | RW_K_NULL},
};

int rw_fn_lookup(const char *name)
{
    for (int i = 0; i < RW_FN__COUNT; i++)
        if (strcmp(fns[i].name, name) == 0) return i;
    return -1;
}

const rw_fn_info_t *rw_fn_info(rw_fn_t fn)
{
    return &fns[fn];
}

int rw_agg_lookup(const char *name)
{
    static const char *const names[] = {"count",    "sum",  "avg",   "min",  "max",
                                        "distinct", "last", "since", "model"};
    for (int i = 0; i < 9; i++)
        if (strcmp(names[i], name) == 0) return i;
    return -1;
}

int rw_agg_is_window(rw_agg_kind_t k)
{
    return k <= RW_AGG_DISTINCT;
}
