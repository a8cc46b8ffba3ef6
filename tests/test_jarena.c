/* test_jarena.c — JSON parsed into an arena reads like any other and goes with a reset;
 * JSON made outside it is unaffected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "jarena.h"
#include "util.h"

#include <jansson.h>
#include <string.h>

/* An object of n keys whose values are long strings, with one value larger than a block
 * so that the large-value path runs too. */
static char *big_document(size_t n)
{
    rw_buf_t b;
    rw_buf_init(&b);
    rw_buf_puts(&b, "{\"huge\":\"");
    for (size_t i = 0; i < 300000; i++)
        rw_buf_putc(&b, 'x');
    rw_buf_puts(&b, "\"");
    for (size_t i = 0; i < n; i++)
        rw_buf_printf(&b, ",\"k%zu\":\"市场主体名称-%zu-%0200zu\"", i, i, i);
    rw_buf_puts(&b, "}");
    return rw_buf_steal(&b);
}

static void check_document(const json_t *j, size_t n)
{
    assert_non_null(j);
    assert_int_equal(json_object_size(j), n + 1);
    assert_int_equal(json_string_length(json_object_get(j, "huge")), 300000);
    char want[300];
    snprintf(want, sizeof want, "市场主体名称-%zu-%0200zu", n - 1, n - 1);
    char key[32];
    snprintf(key, sizeof key, "k%zu", n - 1);
    assert_string_equal(json_string_value(json_object_get(j, key)), want);
}

static void test_parsed_values_read_back_across_resets(void **state)
{
    (void)state;
    size_t n = 20000; /* several blocks' worth */
    char *doc = big_document(n);
    rw_jarena_t *a = rw_jarena_new();
    for (int round = 0; round < 3; round++) {
        rw_jarena_t *prev = rw_jarena_enter(a);
        json_t *j = json_loads(doc, JSON_REJECT_DUPLICATES, NULL);
        rw_jarena_enter(prev);
        check_document(j, n);
        rw_jarena_reset(a); /* no json_decref: the reset frees it */
    }
    rw_jarena_free(a);
    free(doc);
}

static void test_json_from_malloc_is_freed_while_inside(void **state)
{
    (void)state;
    json_t *outside = json_pack("{s:s}", "name", "苏州信宏食品有限公司");
    rw_jarena_t *a = rw_jarena_new();
    rw_jarena_t *prev = rw_jarena_enter(a);
    assert_null(prev);
    json_t *inside = json_loads("{\"a\":[1,2,3]}", 0, NULL);
    json_decref(outside); /* malloc'ed: really freed (the leak checker would say) */
    json_decref(inside);  /* the arena's: kept until the reset */
    assert_ptr_equal(rw_jarena_enter(prev), a);
    json_t *after = json_string("不在区域内"); /* back on malloc */
    assert_string_equal(json_string_value(after), "不在区域内");
    json_decref(after);
    rw_jarena_free(a);
}

static void test_a_failed_parse_leaves_the_arena_usable(void **state)
{
    (void)state;
    rw_jarena_t *a = rw_jarena_new();
    rw_jarena_t *prev = rw_jarena_enter(a);
    json_error_t e;
    assert_null(json_loads("{\"a\":\"unterminated", 0, &e));
    json_t *ok = json_loads("{\"a\":\"b\"}", 0, &e);
    rw_jarena_enter(prev);
    assert_string_equal(json_string_value(json_object_get(ok, "a")), "b");
    rw_jarena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parsed_values_read_back_across_resets),
        cmocka_unit_test(test_json_from_malloc_is_freed_while_inside),
        cmocka_unit_test(test_a_failed_parse_leaves_the_arena_usable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
