/* Tests for calendar.c: working days around the 2026 Spring Festival with the weekend
 * days worked in exchange (调休), deadlines that count from the next local day, the
 * calendar-day mode, custom deadlines per level, and errors at the entry at fault. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calendar.h"
#include "rules.h"
#include "rwtime.h"
#include "util.h"

#define TZ 480 /* +08:00 */
/* "today" for loading: 2026-06-01, whose longest deadline stays within the shipped 2026 */
#define today_2026 20605

static int64_t day(const char *s)
{
    int64_t d;
    assert_int_equal(rw_date_parse(s, &d), 0);
    return d;
}

static double at(const char *time)
{
    double t;
    assert_int_equal(rw_time_parse(time, strlen(time), &t, NULL), 0);
    return t;
}

/* The deadline n days after `from`, as local RFC 3339 text. */
static const char *deadline(const rw_calendar_t *c, const char *from, int n)
{
    static char out[64];
    rw_time_format(rw_calendar_deadline(c, at(from), TZ, n), TZ, out);
    return out;
}

static char *temp_file(const char *text)
{
    char tmpl[] = "/tmp/rw-calendar-XXXXXX";
    int fd = mkstemp(tmpl);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return rw_xstrdup(tmpl);
}

/* Loads calendar text; returns the load result, diagnostics in d. */
static int load_text(rw_calendar_t *c, const char *text, rw_diags_t *d, char **path)
{
    *path = temp_file(text);
    rw_diags_init(d);
    return rw_calendar_load(c, *path, today_2026, d);
}

static void load_ok(rw_calendar_t *c, const char *text)
{
    rw_diags_t d;
    char *path;
    int rc = load_text(c, text, &d, &path);
    rw_diags_print(&d, stderr);
    assert_int_equal(rc, 0);
    assert_int_equal(d.n, 0);
    rw_diags_free(&d);
    unlink(path);
    free(path);
}

static void load_shipped(rw_calendar_t *c)
{
    const char *root = getenv("RW_SOURCE_DIR");
    assert_non_null(root);
    rw_buf_t p;
    rw_buf_init(&p);
    rw_buf_printf(&p, "%s/rules/calendar.yaml", root);
    rw_diags_t d;
    rw_diags_init(&d);
    int rc = rw_calendar_load(c, p.data, today_2026, &d);
    rw_diags_print(&d, stderr);
    assert_int_equal(rc, 0);
    rw_diags_free(&d);
    rw_buf_free(&p);
}

static void the_2026_spring_festival_is_off_and_its_make_up_saturdays_are_worked(void **state)
{
    (void)state;
    rw_calendar_t c;
    load_shipped(&c);
    struct {
        const char *date;
        int work;
    } days[] = {
        {"2026-01-01", 0}, {"2026-01-04", 1}, /* 元旦; Sunday worked */
        {"2026-02-13", 1}, {"2026-02-14", 1}, /* Friday; Saturday worked (调休) */
        {"2026-02-15", 0}, {"2026-02-16", 0}, {"2026-02-17", 0},
        {"2026-02-18", 0}, {"2026-02-19", 0}, {"2026-02-20", 0},
        {"2026-02-21", 0}, {"2026-02-22", 0}, {"2026-02-23", 0},
        {"2026-02-24", 1}, {"2026-02-27", 1}, {"2026-02-28", 1}, /* Saturday worked (调休) */
        {"2026-03-01", 0}, {"2026-03-07", 0}, {"2026-03-09", 1}, /* plain weekend and Monday */
        {"2026-10-01", 0}, {"2026-10-07", 0}, {"2026-10-10", 1},
    };
    for (size_t i = 0; i < sizeof days / sizeof *days; i++) {
        if (rw_calendar_is_workday(&c, day(days[i].date)) != days[i].work)
            fprintf(stderr, "%s\n", days[i].date);
        assert_int_equal(rw_calendar_is_workday(&c, day(days[i].date)), days[i].work);
    }
    rw_calendar_free(&c);
}

static void deadlines_count_working_days_from_the_next_local_day(void **state)
{
    (void)state;
    rw_calendar_t c;
    load_shipped(&c);
    /* from Friday the 13th: Saturday the 14th is worked, the festival is not */
    assert_string_equal(deadline(&c, "2026-02-13T10:00:00+08:00", 1), "2026-02-14T23:59:59+08:00");
    assert_string_equal(deadline(&c, "2026-02-13T10:00:00+08:00", 2), "2026-02-24T23:59:59+08:00");
    assert_string_equal(deadline(&c, "2026-02-13T10:00:00+08:00", 5), "2026-02-27T23:59:59+08:00");
    assert_string_equal(deadline(&c, "2026-02-13T10:00:00+08:00", 6), "2026-02-28T23:59:59+08:00");
    assert_string_equal(deadline(&c, "2026-02-13T10:00:00+08:00", 7), "2026-03-02T23:59:59+08:00");
    /* the day counts from the local date: 23:59:59 is still the 13th, 16:00Z the 14th */
    assert_string_equal(deadline(&c, "2026-02-13T23:59:59+08:00", 1), "2026-02-14T23:59:59+08:00");
    assert_string_equal(deadline(&c, "2026-02-13T16:00:00Z", 1), "2026-02-24T23:59:59+08:00");
    /* from inside the festival, the first working day after it */
    assert_string_equal(deadline(&c, "2026-02-18T09:00:00+08:00", 1), "2026-02-24T23:59:59+08:00");
    /* no days: the end of the same day */
    assert_string_equal(deadline(&c, "2026-02-15T09:00:00+08:00", 0), "2026-02-15T23:59:59+08:00");
    /* the defaults of leads.md: red 1/7, orange 2/15, yellow 3/30, blue 5/60 */
    assert_int_equal(c.accept_days[RW_LEVEL_RED], 1);
    assert_int_equal(c.close_days[RW_LEVEL_RED], 7);
    assert_int_equal(c.accept_days[RW_LEVEL_ORANGE], 2);
    assert_int_equal(c.close_days[RW_LEVEL_ORANGE], 15);
    assert_int_equal(c.accept_days[RW_LEVEL_YELLOW], 3);
    assert_int_equal(c.close_days[RW_LEVEL_YELLOW], 30);
    assert_int_equal(c.accept_days[RW_LEVEL_BLUE], 5);
    assert_int_equal(c.close_days[RW_LEVEL_BLUE], 60);
    assert_int_equal(c.calendar_days, 0);
    rw_calendar_free(&c);
}

static void without_a_calendar_file_weekends_are_off_and_defaults_apply(void **state)
{
    (void)state;
    rw_calendar_t c;
    rw_diags_t d;
    rw_diags_init(&d);
    assert_int_equal(rw_calendar_load(&c, "/nonexistent/calendar.yaml", today_2026, &d), 0);
    assert_int_equal(d.n, 0);
    assert_int_equal(c.n_holidays + c.n_workdays, 0);
    assert_int_equal(c.close_days[RW_LEVEL_BLUE], 60);
    assert_int_equal(rw_calendar_is_workday(&c, day("2026-02-16")), 1);
    assert_int_equal(rw_calendar_is_workday(&c, day("2026-02-14")), 0);
    assert_string_equal(deadline(&c, "2026-02-13T10:00:00+08:00", 1), "2026-02-16T23:59:59+08:00");
    rw_calendar_free(&c);
    rw_diags_free(&d);
}

static void calendar_day_mode_counts_every_day(void **state)
{
    (void)state;
    rw_calendar_t c;
    load_ok(&c, "holidays: [2026-02-16, 2026-02-17]\n"
                "deadlines: {unit: calendar}\n");
    assert_int_equal(c.calendar_days, 1);
    assert_string_equal(deadline(&c, "2026-02-13T10:00:00+08:00", 1), "2026-02-14T23:59:59+08:00");
    assert_string_equal(deadline(&c, "2026-02-13T10:00:00+08:00", 7), "2026-02-20T23:59:59+08:00");
    assert_string_equal(deadline(&c, "2026-02-13T10:00:00+08:00", 15), "2026-02-28T23:59:59+08:00");
    /* holidays still tell working days apart, they just do not stretch deadlines */
    assert_int_equal(rw_calendar_is_workday(&c, day("2026-02-16")), 0);
    rw_calendar_free(&c);
}

static void custom_deadlines_replace_the_defaults_level_by_level(void **state)
{
    (void)state;
    rw_calendar_t c;
    load_ok(&c, "# 本地规定\n"
                "holidays:\n  - 2026-02-16\n"
                "workdays: 2026-02-14\n"
                "deadlines:\n"
                "  unit: working\n"
                "  red: {accept: 2, close: 10}\n"
                "  blue: {close: 90}\n");
    assert_int_equal(c.accept_days[RW_LEVEL_RED], 2);
    assert_int_equal(c.close_days[RW_LEVEL_RED], 10);
    assert_int_equal(c.accept_days[RW_LEVEL_ORANGE], 2);
    assert_int_equal(c.close_days[RW_LEVEL_ORANGE], 15);
    assert_int_equal(c.accept_days[RW_LEVEL_YELLOW], 3);
    assert_int_equal(c.close_days[RW_LEVEL_YELLOW], 30);
    assert_int_equal(c.accept_days[RW_LEVEL_BLUE], 5);
    assert_int_equal(c.close_days[RW_LEVEL_BLUE], 90);
    assert_int_equal(c.calendar_days, 0);
    /* a single date stands for a list of one */
    assert_int_equal(rw_calendar_is_workday(&c, day("2026-02-14")), 1);
    assert_string_equal(deadline(&c, "2026-02-13T10:00:00+08:00", c.accept_days[RW_LEVEL_RED]),
                        "2026-02-17T23:59:59+08:00");
    rw_calendar_free(&c);
}

/* Loading fails with an error at line:col whose text contains msg. */
static void expect_error(const char *text, int line, int col, const char *msg)
{
    rw_calendar_t c;
    rw_diags_t d;
    char *path;
    assert_int_equal(load_text(&c, text, &d, &path), -1);
    int found = 0;
    for (size_t i = 0; i < d.n; i++)
        found |= d.items[i].sev == RW_DIAG_ERROR && d.items[i].line == line &&
                 d.items[i].col == col && !strcmp(d.items[i].file, path) &&
                 strstr(d.items[i].msg, msg) != NULL;
    if (!found) {
        fprintf(stderr, "wanted %d:%d …%s…, got:\n", line, col, msg);
        rw_diags_print(&d, stderr);
    }
    assert_true(found);
    rw_calendar_free(&c);
    rw_diags_free(&d);
    unlink(path);
    free(path);
}

static void a_bad_calendar_is_reported_at_the_entry_at_fault(void **state)
{
    (void)state;
    expect_error("holidays:\n  - 2026-02-15\n  - 2026-02-30\n  - 2026-02-17\n", 3, 5, "2026-02-30");
    expect_error("holidays: [2026-02-15, 15/02/2026]\n", 1, 24, "15/02/2026");
    expect_error("holidays: []\nworkdays:\n  - 2026-2-14\n", 3, 5, "2026-2-14");
    expect_error("holidays: {a: b}\n", 1, 11, "holidays 应该是字符串列表");
    expect_error("holiday: [2026-02-15]\n", 1, 1, "未知的键 \"holiday\"");
    expect_error("- 2026-02-15\n", 1, 1, "calendar.yaml 应该是");
    expect_error("deadlines:\n  red: {accept: one}\n", 2, 8, "deadlines.red");
    expect_error("deadlines:\n  blue: {accept: 1, close: -1}\n", 2, 9, "deadlines.blue");
    expect_error("deadlines:\n  unit: weeks\n", 2, 9, "deadlines.unit");
    expect_error("holidays: [2026-02-15\n", 2, 1, "YAML 语法错误");
    /* a misspelt or misshapen deadline would silently keep the defaults */
    expect_error("deadlines:\n  Red: {accept: 1}\n", 2, 3, "未知的键 \"Red\"");
    expect_error("deadlines:\n  red: {accept: 1, closing: 3}\n", 2, 20, "未知的键 \"closing\"");
    expect_error("deadlines:\n  red: 3\n", 2, 8, "deadlines.red");
    expect_error("deadlines:\n  red: {accept: 1.5}\n", 2, 8, "deadlines.red");
    expect_error("deadlines: 5\n", 1, 12, "deadlines 应该是");
}

/* The deadlines of a lead made today must not reach a year whose holidays the file
 * does not list: check warns, at the list, and loading goes on. */
static void a_calendar_that_ends_before_todays_deadlines_is_a_warning(void **state)
{
    (void)state;
    const char *text = "holidays: [2026-10-01, 2026-10-02]\nworkdays: [2026-10-10]\n";
    struct {
        const char *today;
        int warned;
    } cases[] = {{"2026-06-01", 0}, {"2026-09-20", 0}, {"2026-11-22", 1}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rw_calendar_t c;
        rw_diags_t d;
        char *path = temp_file(text);
        rw_diags_init(&d);
        assert_int_equal(rw_calendar_load(&c, path, day(cases[i].today), &d), 0);
        assert_int_equal(d.n, (size_t)cases[i].warned);
        if (cases[i].warned) {
            assert_int_equal(d.items[0].sev, RW_DIAG_WARNING);
            assert_int_equal(d.items[0].line, 1);
            assert_non_null(strstr(d.items[0].msg, "节假日只列到 2026 年"));
            assert_non_null(strstr(d.items[0].msg, "2027 年起的期限只按周末休息计算"));
        }
        rw_diags_free(&d);
        rw_calendar_free(&c);
        unlink(path);
        free(path);
    }
    /* calendar days need no holidays */
    rw_calendar_t c;
    rw_diags_t d;
    char *path = temp_file("holidays: [2026-10-01]\ndeadlines: {unit: calendar}\n");
    rw_diags_init(&d);
    assert_int_equal(rw_calendar_load(&c, path, day("2026-12-30"), &d), 0);
    assert_int_equal(d.n, 0);
    rw_diags_free(&d);
    rw_calendar_free(&c);
    unlink(path);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_calendar_that_ends_before_todays_deadlines_is_a_warning),
        cmocka_unit_test(the_2026_spring_festival_is_off_and_its_make_up_saturdays_are_worked),
        cmocka_unit_test(deadlines_count_working_days_from_the_next_local_day),
        cmocka_unit_test(without_a_calendar_file_weekends_are_off_and_defaults_apply),
        cmocka_unit_test(calendar_day_mode_counts_every_day),
        cmocka_unit_test(custom_deadlines_replace_the_defaults_level_by_level),
        cmocka_unit_test(a_bad_calendar_is_reported_at_the_entry_at_fault),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
