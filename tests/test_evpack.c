/* test_evpack.c — a packed event decodes to the JSON it was made from: key order,
 * nesting, Chinese and escapes in strings, numbers as reals; bytes that are not one
 * whole MessagePack value a parsed event could hold (cut short, binary, integer keys,
 * not UTF-8, NaN, NUL in a key or string) are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "evpack.h"

#include <string.h>

static json_t *roundtrip(const json_t *v, size_t *packed_len)
{
    rw_buf_t b;
    rw_buf_init(&b);
    rw_evpack_put(&b, v);
    msgpack_zone zone;
    msgpack_zone_init(&zone, 1024);
    size_t off = 0;
    json_t *back = rw_evpack_get(b.data, b.len, &off, &zone);
    assert_int_equal(off, b.len);
    if (packed_len) *packed_len = b.len;
    msgpack_zone_destroy(&zone);
    rw_buf_free(&b);
    return back;
}

static void an_event_comes_back_equal_with_its_key_order(void **state)
{
    (void)state;
    const char *text =
        "{\"id\":\"TS-1\",\"type\":\"complaint\",\"entity\":\"91320106C31Q05YXGC\","
        "\"time\":\"2025-03-01T09:00:00+08:00\",\"region\":null,\"attrs\":{\"category\":"
        "\"食品\",\"amount\":12.5,\"count\":3,\"flags\":[true,false,null,[1,\"二\"]],"
        "\"note\":\"a\\u00e9b\",\"\":\"\"},\"profile\":{\"name\":\"苏州信宏食品有限公司\"}}";
    json_t *v = json_loads(text, JSON_DECODE_INT_AS_REAL, NULL);
    assert_non_null(v);
    size_t packed;
    json_t *back = roundtrip(v, &packed);
    assert_non_null(back);
    assert_true(json_equal(v, back));
    assert_true(packed < strlen(text));
    /* the order an author wrote keys in is the order they come back in */
    char *a = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
    char *b = json_dumps(back, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_string_equal(a, b);
    assert_string_equal(json_string_value(json_object_get(json_object_get(back, "attrs"), "note")),
                        "aéb");
    free(a);
    free(b);
    json_decref(v);
    json_decref(back);
}

static void integers_from_other_tools_decode_as_reals(void **state)
{
    (void)state;
    json_t *v = json_pack("{s:I,s:I}", "big", (json_int_t)1 << 40, "neg", (json_int_t)-7);
    json_t *back = roundtrip(v, NULL);
    assert_true(json_is_real(json_object_get(back, "big")));
    assert_true(json_real_value(json_object_get(back, "big")) == 1099511627776.0);
    assert_true(json_real_value(json_object_get(back, "neg")) == -7.0);
    json_decref(v);
    json_decref(back);
}

static void values_follow_one_another(void **state)
{
    (void)state;
    rw_buf_t b;
    rw_buf_init(&b);
    for (int i = 0; i < 3; i++) {
        json_t *v = json_pack("{s:i}", "n", i);
        rw_evpack_put(&b, v);
        json_decref(v);
    }
    msgpack_zone zone;
    msgpack_zone_init(&zone, 1024);
    size_t off = 0;
    for (int i = 0; i < 3; i++) {
        json_t *v = rw_evpack_get(b.data, b.len, &off, &zone);
        assert_true(json_number_value(json_object_get(v, "n")) == i);
        json_decref(v);
    }
    assert_int_equal(off, b.len);
    msgpack_zone_destroy(&zone);
    rw_buf_free(&b);
}

static void damaged_or_foreign_bytes_are_refused(void **state)
{
    (void)state;
    msgpack_zone zone;
    msgpack_zone_init(&zone, 1024);
    json_t *v = json_pack("{s:s}", "id", "TS-1");
    rw_buf_t b;
    rw_buf_init(&b);
    rw_evpack_put(&b, v);
    size_t off = 0;
    /* cut short */
    assert_null(rw_evpack_get(b.data, b.len - 1, &off, &zone));
    /* a map with an integer key (0x81 0x01 0xa1 'x'), binary data (0xc4 0x01 0x00) */
    static const char int_key[] = "\x81\x01\xa1x", bin[] = "\xc4\x01\x00";
    off = 0;
    assert_null(rw_evpack_get(int_key, 4, &off, &zone));
    off = 0;
    assert_null(rw_evpack_get(bin, 3, &off, &zone));
    off = 0;
    assert_null(rw_evpack_get("", 0, &off, &zone));
    /* what JSON cannot hold: a string that is not UTF-8, a NaN (0xcb + 8 bytes) */
    static const char not_utf8[] = "\xa2\xff\xfe", nan[] = "\xcb\x7f\xf8\0\0\0\0\0\0",
                      nul_key[] = "\x81\xa1\0\xc0",
                      nul_value[] = "\xa3"
                                    "a\0b";
    off = 0;
    assert_null(rw_evpack_get(nul_key, 4, &off, &zone));
    off = 0;
    assert_null(rw_evpack_get(nul_value, 4, &off, &zone));
    off = 0;
    assert_null(rw_evpack_get(not_utf8, 3, &off, &zone));
    off = 0;
    assert_null(rw_evpack_get(nan, 9, &off, &zone));
    rw_buf_free(&b);
    json_decref(v);
    msgpack_zone_destroy(&zone);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_event_comes_back_equal_with_its_key_order),
        cmocka_unit_test(integers_from_other_tools_decode_as_reals),
        cmocka_unit_test(values_follow_one_another),
        cmocka_unit_test(damaged_or_foreign_bytes_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
