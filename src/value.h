/* value.h — runtime values of the expression language: number (double), string,
 * boolean, null. Strings are borrowed views: they point into the event's JSON, a
 * program's constants or an evaluation's scratch space, and live as long as those. */
#ifndef RW_VALUE_H
#define RW_VALUE_H

#include "util.h"

#include <jansson.h>
#include <stddef.h>

typedef enum { RW_V_NULL, RW_V_NUM, RW_V_STR, RW_V_BOOL } rw_vkind_t;

typedef struct {
    rw_vkind_t kind;
    int b;         /* BOOL */
    double num;    /* NUM */
    const char *s; /* STR (not NUL-terminated in general) */
    size_t len;
} rw_value_t;

static inline rw_value_t rw_null(void)
{
    return (rw_value_t){.kind = RW_V_NULL};
}
static inline rw_value_t rw_num(double d)
{
    return (rw_value_t){.kind = RW_V_NUM, .num = d};
}
static inline rw_value_t rw_bool(int b)
{
    return (rw_value_t){.kind = RW_V_BOOL, .b = !!b};
}
static inline rw_value_t rw_str(const char *s, size_t n)
{
    return (rw_value_t){.kind = RW_V_STR, .s = s, .len = n};
}
static inline int rw_is_true(rw_value_t v)
{
    return v.kind == RW_V_BOOL && v.b;
}

/* == of rules.md: same type and value. */
int rw_value_equal(rw_value_t a, rw_value_t b);
/* A JSON scalar as a value (strings borrowed from j); objects and arrays are null. */
rw_value_t rw_value_from_json(const json_t *j);
/* New JSON reference; numbers that are integral become JSON integers. */
json_t *rw_value_to_json(rw_value_t v);
/* Appends the JSON text of rw_value_to_json(v), without building it. */
void rw_value_append_json(rw_value_t v, rw_buf_t *b);
/* Text for messages (rules.md "numbers in text"); null appends nothing. */
void rw_value_append_text(rw_value_t v, rw_buf_t *b);

#endif
