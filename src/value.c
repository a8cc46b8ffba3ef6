/* value.c — equality and conversions of expression values. */
#include "value.h"

#include "jsonw.h"
#include "util.h"

#include <math.h>
#include <string.h>

int rw_value_equal(rw_value_t a, rw_value_t b)
{
    if (a.kind != b.kind) return 0;
    switch (a.kind) {
    case RW_V_NULL:
        return 1;
    case RW_V_NUM:
        return a.num == b.num;
    case RW_V_BOOL:
        return a.b == b.b;
    case RW_V_STR:
        return a.len == b.len && memcmp(a.s, b.s, a.len) == 0;
    }
    return 0;
}

rw_value_t rw_value_from_json(const json_t *j)
{
    if (!j) return rw_null();
    switch (json_typeof(j)) {
    case JSON_STRING:
        return rw_str(json_string_value(j), json_string_length(j));
    case JSON_INTEGER:
        return rw_num((double)json_integer_value(j));
    case JSON_REAL:
        return rw_num(json_real_value(j));
    case JSON_TRUE:
        return rw_bool(1);
    case JSON_FALSE:
        return rw_bool(0);
    default:
        return rw_null();
    }
}

/* Numbers that are whole (and exact as a double) are JSON integers, others reals. */
static int json_integral(double v)
{
    return v == floor(v) && fabs(v) < 9e15;
}

json_t *rw_value_to_json(rw_value_t v)
{
    switch (v.kind) {
    case RW_V_NULL:
        return json_null();
    case RW_V_BOOL:
        return json_boolean(v.b);
    case RW_V_STR:
        return json_stringn(v.s, v.len);
    case RW_V_NUM:
        if (!isfinite(v.num)) return json_null();
        if (json_integral(v.num)) return json_integer((json_int_t)v.num);
        return json_real(v.num);
    }
    return json_null();
}

void rw_value_append_json(rw_value_t v, rw_buf_t *b)
{
    switch (v.kind) {
    case RW_V_NULL:
        break;
    case RW_V_BOOL:
        rw_buf_puts(b, v.b ? "true" : "false");
        return;
    case RW_V_STR:
        rw_json_append_string(b, v.s, v.len);
        return;
    case RW_V_NUM:
        if (!isfinite(v.num)) break;
        if (json_integral(v.num))
            rw_buf_printf(b, "%" JSON_INTEGER_FORMAT, (json_int_t)v.num);
        else
            rw_json_append_real(b, v.num);
        return;
    }
    rw_buf_append(b, "null", 4);
}

void rw_value_append_text(rw_value_t v, rw_buf_t *b)
{
    char num[RW_NUM_TEXT];
    switch (v.kind) {
    case RW_V_NULL:
        break;
    case RW_V_BOOL:
        rw_buf_puts(b, v.b ? "true" : "false");
        break;
    case RW_V_STR:
        rw_buf_append(b, v.s, v.len);
        break;
    case RW_V_NUM:
        rw_fmt_number(v.num, num);
        rw_buf_puts(b, num);
        break;
    }
}
