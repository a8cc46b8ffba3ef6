/* evpack.h — events in MessagePack (msgpack.org): the compact form a history is kept
 * in, in memory during a backtest and on disk in an event archive. A parsed event is
 * about 4 KB of jansson nodes; its packed form is smaller than its JSON text, and
 * decoding it needs no lexing, escapes or number conversion. Decoding still checks
 * what a parsed event holds (UTF-8 strings and keys without NUL, finite numbers), so a foreign or
 * damaged file cannot hand the engine a value a parsed event could not hold.
 *
 * Events are parsed with every number as a real (JSON_DECODE_INT_AS_REAL), so a
 * packed event holds doubles, and integers written by other tools decode as reals. */
#ifndef RW_EVPACK_H
#define RW_EVPACK_H

#include "util.h"

#include <jansson.h>
#include <msgpack.h>

/* Appends the MessagePack form of v (objects keep their key order). */
void rw_evpack_put(rw_buf_t *out, const json_t *v);

/* Decodes the value that starts at data + *off and advances *off past it. zone is
 * the caller's scratch (msgpack_zone_init), cleared here before use. Returns a new
 * reference, or NULL when the bytes are not one whole MessagePack value of the kinds
 * JSON has (maps with UTF-8 string keys, UTF-8 strings, finite numbers; no NUL in a
 * string or key, which parsing refuses too). A duplicate
 * key keeps its last value. */
json_t *rw_evpack_get(const char *data, size_t len, size_t *off, msgpack_zone *zone);

#endif
