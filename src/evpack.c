/* evpack.c — JSON values to and from MessagePack with msgpack-c: its packer writes
 * into our buffer, its unpacker reads into a zone that is reused for every value. */
#include "evpack.h"

#include <stdint.h>
#include <string.h>

static int put_bytes(void *ud, const char *p, size_t n)
{
    rw_buf_append(ud, p, n);
    return 0;
}

static void pack(msgpack_packer *pk, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *k;
        size_t klen;
        json_t *x;
        msgpack_pack_map(pk, json_object_size(v));
        json_object_keylen_foreach((json_t *)v, k, klen, x)
        {
            msgpack_pack_str_with_body(pk, k, klen);
            pack(pk, x);
        }
        break;
    }
    case JSON_ARRAY:
        msgpack_pack_array(pk, json_array_size(v));
        for (size_t i = 0; i < json_array_size(v); i++)
            pack(pk, json_array_get(v, i));
        break;
    case JSON_STRING:
        msgpack_pack_str_with_body(pk, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        msgpack_pack_int64(pk, json_integer_value(v));
        break;
    case JSON_REAL:
        msgpack_pack_double(pk, json_real_value(v));
        break;
    case JSON_TRUE:
        msgpack_pack_true(pk);
        break;
    case JSON_FALSE:
        msgpack_pack_false(pk);
        break;
    case JSON_NULL:
        msgpack_pack_nil(pk);
        break;
    }
}

void rw_evpack_put(rw_buf_t *out, const json_t *v)
{
    msgpack_packer pk;
    msgpack_packer_init(&pk, out, put_bytes);
    pack(&pk, v);
}

/* Parsing refuses NUL in strings and keys (no JSON_ALLOW_NUL), so decoding does too. */
static int no_nul(const msgpack_object_str *s)
{
    return !s->size || !memchr(s->ptr, 0, s->size);
}

/* An empty string's pointer may be NULL, which jansson refuses. */
static const char *text(const msgpack_object_str *s)
{
    return s->size ? s->ptr : "";
}

/* NULL for what a parsed event could not hold: jansson refuses strings that are not
 * UTF-8 and non-finite reals itself. */
static json_t *to_json(const msgpack_object *o)
{
    switch (o->type) {
    case MSGPACK_OBJECT_NIL:
        return json_null();
    case MSGPACK_OBJECT_BOOLEAN:
        return json_boolean(o->via.boolean);
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        return json_real((double)o->via.u64);
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        return json_real((double)o->via.i64);
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64:
        return json_real(o->via.f64);
    case MSGPACK_OBJECT_STR:
        return no_nul(&o->via.str) ? json_stringn(text(&o->via.str), o->via.str.size) : NULL;
    case MSGPACK_OBJECT_ARRAY: {
        json_t *a = json_array();
        for (uint32_t i = 0; i < o->via.array.size; i++) {
            json_t *x = to_json(&o->via.array.ptr[i]);
            if (!x) {
                json_decref(a);
                return NULL;
            }
            json_array_append_new(a, x);
        }
        return a;
    }
    case MSGPACK_OBJECT_MAP: {
        json_t *m = json_object();
        for (uint32_t i = 0; i < o->via.map.size; i++) {
            const msgpack_object_kv *kv = &o->via.map.ptr[i];
            json_t *x = kv->key.type == MSGPACK_OBJECT_STR && no_nul(&kv->key.via.str)
                            ? to_json(&kv->val)
                            : NULL;
            /* json_object_setn_new refuses a key that is not UTF-8 */
            if (!x || json_object_setn_new(m, text(&kv->key.via.str), kv->key.via.str.size, x)) {
                json_decref(m);
                return NULL;
            }
        }
        return m;
    }
    default: /* binary and extension types have no JSON form */
        return NULL;
    }
}

static uint64_t be(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* Whether one whole value starts at p and every container in it declares no more
 * elements than bytes are left (each takes one at least). msgpack-c allocates a
 * container's elements before reading them, so a forged count would ask it for
 * gigabytes; this walk refuses such bytes first. */
static int plausible(const unsigned char *p, const unsigned char *end)
{
    uint64_t need = 1; /* values still to read */
    while (need) {
        if (p >= end || need > (uint64_t)(end - p)) return 0;
        need--;
        unsigned b = *p++;
        uint64_t skip = 0, len = 0, items = 0;
        int nlen = 0; /* bytes of a length field */
        if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3)
            continue;
        else if (b >= 0x80 && b <= 0x8f)
            items = 2 * (uint64_t)(b & 0x0f);
        else if (b >= 0x90 && b <= 0x9f)
            items = b & 0x0f;
        else if (b >= 0xa0 && b <= 0xbf)
            skip = b & 0x1f;
        else if (b >= 0xc4 && b <= 0xc6) /* bin 8/16/32 */
            nlen = 1 << (b - 0xc4);
        else if (b >= 0xc7 && b <= 0xc9) /* ext 8/16/32: length, type, data */
            nlen = 1 << (b - 0xc7), skip = 1;
        else if (b == 0xca || b == 0xcb)
            skip = b == 0xca ? 4 : 8;
        else if (b >= 0xcc && b <= 0xd3) /* unsigned and signed 8..64 */
            skip = 1u << ((b - 0xcc) & 3);
        else if (b >= 0xd4 && b <= 0xd8) /* fixext 1..16 */
            skip = 1 + (1u << (b - 0xd4));
        else if (b >= 0xd9 && b <= 0xdb) /* str 8/16/32 */
            nlen = 1 << (b - 0xd9);
        else if (b == 0xdc || b == 0xdd) /* array 16/32 */
            nlen = b == 0xdc ? 2 : 4;
        else if (b == 0xde || b == 0xdf) /* map 16/32 */
            nlen = b == 0xde ? 2 : 4;
        else
            return 0; /* 0xc1: never used */
        if (nlen) {
            if ((uint64_t)(end - p) < (uint64_t)nlen) return 0;
            len = be(p, nlen);
            p += nlen;
            if (b >= 0xdc && b <= 0xdf)
                items = b >= 0xde ? 2 * len : len;
            else
                skip += len;
        }
        if (skip > (uint64_t)(end - p)) return 0;
        p += skip;
        need += items;
    }
    return 1;
}

json_t *rw_evpack_get(const char *data, size_t len, size_t *off, msgpack_zone *zone)
{
    if (*off > len ||
        !plausible((const unsigned char *)data + *off, (const unsigned char *)data + len))
        return NULL;
    msgpack_zone_clear(zone);
    msgpack_object o;
    /* EXTRA_BYTES: more values follow, as they do in a history */
    msgpack_unpack_return rc = msgpack_unpack(data, len, off, zone, &o);
    if (rc != MSGPACK_UNPACK_SUCCESS && rc != MSGPACK_UNPACK_EXTRA_BYTES) return NULL;
    return to_json(&o);
}
