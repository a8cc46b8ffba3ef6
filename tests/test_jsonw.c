/* Tests for jsonw.c: the text is json_dumps(JSON_COMPACT)'s, byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "value.h"

static void same_as_jansson(const json_t *j)
{
    char *want = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    rw_buf_t b;
    rw_buf_init(&b);
    rw_json_append(&b, j);
    assert_non_null(want);
    assert_string_equal(b.data, want);
    free(want);
    rw_buf_free(&b);
}

static void scalars_match(void **state)
{
    (void)state;
    const double reals[] = {0.0,
                            -0.0,
                            1.0,
                            -3.0,
                            0.1,
                            2.5,
                            1e300,
                            -1e-300,
                            1e17,
                            1e16,
                            123456789012345678.0,
                            5e-324,
                            1.5e-7,
                            41.58,
                            214.0 / 3,
                            1e21,
                            -2.5e22};
    for (size_t i = 0; i < sizeof reals / sizeof *reals; i++) {
        json_t *r = json_real(reals[i]);
        same_as_jansson(r);
        json_decref(r);
    }
    const json_int_t ints[] = {0, 1, -1, 9007199254740993LL, INT64_MIN, INT64_MAX};
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++) {
        json_t *n = json_integer(ints[i]);
        same_as_jansson(n);
        json_decref(n);
    }
    same_as_jansson(json_null());
    same_as_jansson(json_true());
    same_as_jansson(json_false());
}

static void strings_escape_the_same(void **state)
{
    (void)state;
    const char *texts[] = {"",
                           "plain",
                           "quote \" and \\ back",
                           "/slash/",
                           "tab\tnl\ncr\rbs\bff\f",
                           "\x01\x1f\x7f",
                           "中文：（二）致病性微生物",
                           "emoji 😀 end",
                           "mixed\"中\n文\\"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        json_t *s = json_string(texts[i]);
        same_as_jansson(s);
        json_decref(s);
    }
}

static void containers_keep_their_order(void **state)
{
    (void)state;
    json_t *o =
        json_loads("{\"id\":\"L1\",\"revision\":3,\"t0\":1.7e9,\"events\":[],\"clauses\":{},"
                   "\"evidence\":[1,\"k\\\"\",{\"v\":null,\"b\":true}],"
                   "\"nested\":{\"deeper\":{\"list\":[0.5,false]}}}",
                   0, NULL);
    assert_non_null(o);
    json_object_set_new(o, "z-last", json_string("末"));
    json_object_set_new(o, "a-after", json_integer(-7));
    same_as_jansson(o);
    same_as_jansson(json_object_get(o, "events"));
    json_decref(o);
}

/* The pieces a record written field by field is made of give what building the value and
 * serialising it would. */
static void written_pieces_match_built_values(void **state)
{
    (void)state;
#define STR "食品\"x\"\n\x01"
    const rw_value_t vals[] = {rw_null(),
                               rw_bool(1),
                               rw_bool(0),
                               rw_num(7),
                               rw_num(-0.0),
                               rw_num(0.25),
                               rw_num(1e16),
                               rw_num(9.5e15),
                               rw_num(NAN),
                               rw_num(INFINITY),
                               rw_str(STR, sizeof STR - 1)};
#undef STR
    for (size_t i = 0; i < sizeof vals / sizeof *vals; i++) {
        json_t *j = rw_value_to_json(vals[i]);
        char *want = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
        rw_buf_t b;
        rw_buf_init(&b);
        rw_value_append_json(vals[i], &b);
        assert_string_equal(b.data, want);
        free(want);
        json_decref(j);
        rw_buf_free(&b);
    }
    rw_buf_t b;
    rw_buf_init(&b);
    rw_buf_putc(&b, '{');
    rw_json_append_key(&b, "键\"");
    rw_json_append_cstr(&b, NULL);
    rw_buf_putc(&b, ',');
    rw_json_append_key(&b, "b");
    rw_json_append_cstr(&b, "v");
    rw_buf_putc(&b, '}');
    json_t *o = json_pack("{s:n,s:s}", "键\"", "b", "v");
    char *want = json_dumps(o, JSON_COMPACT);
    assert_string_equal(b.data, want);
    free(want);
    json_decref(o);
    rw_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scalars_match),
        cmocka_unit_test(strings_escape_the_same),
        cmocka_unit_test(containers_keep_their_order),
        cmocka_unit_test(written_pieces_match_built_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
