/* jsonw.c — jansson's compact dump without its per-container bookkeeping: the same
 * escapes (\" \\ \b \f \n \r \t, other controls as \u00XX), integers as %lld and reals
 * as %.17g with ".0" added when neither '.' nor 'e' appears and the exponent's '+' and
 * leading zeros removed. */
#include "jsonw.h"

#include <stdio.h>
#include <string.h>

void rw_json_append_string(rw_buf_t *b, const char *s, size_t n)
{
    rw_buf_putc(b, '"');
    size_t run = 0; /* bytes since the last escape, copied in one go */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        rw_buf_append(b, s + run, i - run);
        run = i + 1;
        char esc[8];
        switch (c) {
        case '"':
            rw_buf_append(b, "\\\"", 2);
            break;
        case '\\':
            rw_buf_append(b, "\\\\", 2);
            break;
        case '\b':
            rw_buf_append(b, "\\b", 2);
            break;
        case '\f':
            rw_buf_append(b, "\\f", 2);
            break;
        case '\n':
            rw_buf_append(b, "\\n", 2);
            break;
        case '\r':
            rw_buf_append(b, "\\r", 2);
            break;
        case '\t':
            rw_buf_append(b, "\\t", 2);
            break;
        default:
            snprintf(esc, sizeof esc, "\\u%04X", c);
            rw_buf_append(b, esc, 6);
        }
    }
    rw_buf_append(b, s + run, n - run);
    rw_buf_putc(b, '"');
}

void rw_json_append_cstr(rw_buf_t *b, const char *s)
{
    if (s)
        rw_json_append_string(b, s, strlen(s));
    else
        rw_buf_append(b, "null", 4);
}

void rw_json_append_key(rw_buf_t *b, const char *key)
{
    rw_json_append_string(b, key, strlen(key));
    rw_buf_putc(b, ':');
}

void rw_json_append_real(rw_buf_t *b, double v)
{
    char s[64];
    int n = snprintf(s, sizeof s, "%.17g", v);
    if (!strchr(s, '.') && !strchr(s, 'e')) {
        memcpy(s + n, ".0", 3);
        n += 2;
    }
    char *e = strchr(s, 'e');
    if (e) { /* e+05 → e5, e-05 → e-5 */
        char *start = e + 1, *end = e + 2;
        if (*start == '-') start++;
        while (*end == '0')
            end++;
        memmove(start, end, (size_t)(s + n - end) + 1);
        n -= (int)(end - start);
    }
    rw_buf_append(b, s, (size_t)n);
}

void rw_json_append(rw_buf_t *b, const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_NULL:
        rw_buf_append(b, "null", 4);
        break;
    case JSON_TRUE:
        rw_buf_append(b, "true", 4);
        break;
    case JSON_FALSE:
        rw_buf_append(b, "false", 5);
        break;
    case JSON_INTEGER:
        rw_buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
        break;
    case JSON_REAL:
        rw_json_append_real(b, json_real_value(j));
        break;
    case JSON_STRING:
        rw_json_append_string(b, json_string_value(j), json_string_length(j));
        break;
    case JSON_ARRAY:
        rw_buf_putc(b, '[');
        for (size_t i = 0; i < json_array_size(j); i++) {
            if (i) rw_buf_putc(b, ',');
            rw_json_append(b, json_array_get(j, i));
        }
        rw_buf_putc(b, ']');
        break;
    case JSON_OBJECT:
        rw_buf_putc(b, '{');
        for (void *it = json_object_iter((json_t *)j); it;
             it = json_object_iter_next((json_t *)j, it)) {
            if (it != json_object_iter((json_t *)j)) rw_buf_putc(b, ',');
            rw_json_append_string(b, json_object_iter_key(it), json_object_iter_key_len(it));
            rw_buf_putc(b, ':');
            rw_json_append(b, json_object_iter_value(it));
        }
        rw_buf_putc(b, '}');
        break;
    }
}
