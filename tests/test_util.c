/* Tests for util.c and rwtime.c: number text, hashing, UTF-8, RFC 3339, local dates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "rwtime.h"
#include "util.h"

#include <math.h>

static void numbers_print_as_rules_md_says(void **state)
{
    (void)state;
    char out[RW_NUM_TEXT];
    rw_fmt_number(7, out);
    assert_string_equal(out, "7");
    rw_fmt_number(5.0 / 6.0, out);
    assert_string_equal(out, "0.8333333333333334");
    rw_fmt_number(0.1, out);
    assert_string_equal(out, "0.1");
    rw_fmt_number(-0.0, out);
    assert_string_equal(out, "0");
    /* integral values keep all their digits, with no exponent and no decimal point */
    rw_fmt_number(1e20, out);
    assert_string_equal(out, "100000000000000000000");
    rw_fmt_number(123456789012345678.0, out);
    assert_string_equal(out, "123456789012345680");
    rw_fmt_number(-1e300, out);
    assert_int_equal(strlen(out), 302); /* the double's exact value: −1000000000000000052504… */
    assert_int_equal(strncmp(out, "-10000000000000000525", 21), 0);
    rw_fmt_number(1.5e-7, out);
    assert_string_equal(out, "1.5e-07");
    rw_fmt_number(-2.5, out);
    assert_string_equal(out, "-2.5");
}

static void utf8_repair_replaces_only_what_is_not_utf8(void **state)
{
    (void)state;
    const char *cases[][2] = {
        {"监管 ok", "监管 ok"},
        {"a\xff"
         "b",
         "a\xef\xbf\xbd"
         "b"},
        {"\xe7\x9b", "\xef\xbf\xbd\xef\xbf\xbd"}, /* 监 cut short: each byte */
        {"\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd"}, /* an overlong '/' */
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *got = rw_utf8_repair(cases[i][0]);
        assert_string_equal(got, cases[i][1]);
        assert_true(rw_utf8_valid(got, strlen(got)));
        free(got);
    }
}

static void utf8_trim_end_cuts_only_an_incomplete_code_point(void **state)
{
    (void)state;
    char a[] = "法律\xe6\xb3", b[] = "法律", c[] = "ab\xf0\x9f\x98", d[] = "ab\xf0\x9f\x98\x80",
         e[] = "";
    rw_utf8_trim_end(a);
    assert_string_equal(a, "法律");
    rw_utf8_trim_end(b);
    assert_string_equal(b, "法律");
    rw_utf8_trim_end(c);
    assert_string_equal(c, "ab");
    rw_utf8_trim_end(d);
    assert_string_equal(d, "ab\xf0\x9f\x98\x80");
    rw_utf8_trim_end(e);
    assert_string_equal(e, "");
}

static void sha256_matches_known_vector(void **state)
{
    (void)state;
    char hex[65];
    rw_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void utf8_validation_rejects_bad_sequences(void **state)
{
    (void)state;
    assert_true(rw_utf8_valid("食品", strlen("食品")));
    assert_false(rw_utf8_valid("\xc0\xaf", 2));     /* overlong */
    assert_false(rw_utf8_valid("\xed\xa0\x80", 3)); /* surrogate */
    assert_false(rw_utf8_valid("\xe9\xa3", 2));     /* truncated */
    assert_int_equal(rw_utf8_count("食品ab", strlen("食品ab")), 4);
}

static void rfc3339_is_strict(void **state)
{
    (void)state;
    double t;
    int off;
    const char *ok = "2026-03-04T10:15:00+08:00";
    assert_int_equal(rw_time_parse(ok, strlen(ok), &t, &off), 0);
    assert_int_equal(off, 480);
    assert_true(t == 1772590500.0);
    const char *frac = "2026-03-04T02:15:00.25Z";
    assert_int_equal(rw_time_parse(frac, strlen(frac), &t, &off), 0);
    assert_true(t == 1772590500.25);
    const char *bad[] = {"2026-03-04 10:15:00+08:00", "2026-03-04T10:15:60Z",
                         "2026-02-30T00:00:00Z",      "2026-03-04T10:15:00",
                         "2026-03-04T10:15:00+0800",  "2026-03-04T10:15:00.Z",
                         "2026-03-04t10:15:00Z",      "2026-03-04T24:00:00Z"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(rw_time_parse(bad[i], strlen(bad[i]), &t, &off), -1);
}

static void local_dates_follow_the_offset(void **state)
{
    (void)state;
    double t;
    int off;
    const char *s = "2026-03-04T23:30:00+08:00";
    rw_time_parse(s, strlen(s), &t, NULL);
    char d[11];
    rw_date_format(rw_local_day(t, 480), d);
    assert_string_equal(d, "2026-03-04");
    rw_date_format(rw_local_day(t, 0), d);
    assert_string_equal(d, "2026-03-04");
    const char *s2 = "2026-03-04T00:30:00+08:00";
    rw_time_parse(s2, strlen(s2), &t, NULL);
    rw_date_format(rw_local_day(t, 0), d);
    assert_string_equal(d, "2026-03-03");
    /* a hair before local midnight is still that day and that hour, though the double
     * cannot hold .9999999 at this epoch; before 1970 too */
    const char *late[] = {"2026-03-02T23:59:59.9999999+08:00", "1969-12-31T23:59:59.999999999Z"};
    const char *late_day[] = {"2026-03-02", "1969-12-31"};
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(rw_time_parse(late[i], strlen(late[i]), &t, &off), 0);
        rw_date_format(rw_local_day(t, off), d);
        assert_string_equal(d, late_day[i]);
        assert_int_equal(rw_local_hour(t, off) % 24, i ? -1 : 23);
        assert_true(t != floor(t)); /* not rounded up to the next second */
    }
    char out[64];
    rw_time_format_ms(1772590502.113, 480, out);
    assert_string_equal(out, "2026-03-04T10:15:02.113+08:00");
    int64_t day;
    assert_int_equal(rw_date_parse("2024-02-29", &day), 0);
    assert_int_equal(rw_weekday(day), 3); /* a Thursday */
    assert_int_equal(rw_date_parse("2023-02-29", &day), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(numbers_print_as_rules_md_says),
        cmocka_unit_test(utf8_trim_end_cuts_only_an_incomplete_code_point),
        cmocka_unit_test(utf8_repair_replaces_only_what_is_not_utf8),
        cmocka_unit_test(sha256_matches_known_vector),
        cmocka_unit_test(utf8_validation_rejects_bad_sequences),
        cmocka_unit_test(rfc3339_is_strict),
        cmocka_unit_test(local_dates_follow_the_offset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
