/* jsonw.h — compact JSON text of jansson values, byte for byte what
 * json_dumps(j, JSON_COMPACT) writes, appended to a buffer. jansson's own dump tracks
 * every container it enters in a hash table keyed by the container's printed address
 * (to refuse cycles), which made serialising leads cost more than building them; the
 * values written here are trees built by regwatch, so no such check is needed. */
#ifndef RW_JSONW_H
#define RW_JSONW_H

#include "util.h"

#include <jansson.h>

/* Appends the value (any type; objects in their iteration order). */
void rw_json_append(rw_buf_t *b, const json_t *j);
/* Appends a string literal for n bytes of valid UTF-8. */
void rw_json_append_string(rw_buf_t *b, const char *s, size_t n);
/* Appends the string literal, or null for NULL. */
void rw_json_append_cstr(rw_buf_t *b, const char *s);
/* Appends a number as json_real would print. */
void rw_json_append_real(rw_buf_t *b, double v);
/* Appends "key": (the comma before it is the caller's). */
void rw_json_append_key(rw_buf_t *b, const char *key);

#endif
