/* evpack.c — JSON values to and from MessagePack with msgpack-c: its packer writes
 * into our buffer, its unpacker reads into a zone that is reused for every value. */
#include "evpack.h"

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
        return json_stringn_nocheck(o->via.str.ptr, o->via.str.size);
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
            json_t *x = kv->key.type == MSGPACK_OBJECT_STR ? to_json(&kv->val) : NULL;
            if (!x) {
                json_decref(m);
                return NULL;
            }
            json_object_setn_new_nocheck(m, kv->key.via.str.ptr, kv->key.via.str.size, x);
        }
        return m;
    }
    default: /* binary and extension types have no JSON form */
        return NULL;
    }
}

json_t *rw_evpack_get(const char *data, size_t len, size_t *off, msgpack_zone *zone)
{
    msgpack_zone_clear(zone);
    msgpack_object o;
    /* EXTRA_BYTES: more values follow, as they do in a history */
    msgpack_unpack_return rc = msgpack_unpack(data, len, off, zone, &o);
    if (rc != MSGPACK_UNPACK_SUCCESS && rc != MSGPACK_UNPACK_EXTRA_BYTES) return NULL;
    return to_json(&o);
}
