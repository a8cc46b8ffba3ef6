/* test_evset.c — a history loaded from JSON Lines reads back event by event in file
 * order with its counts, whole or split by entity; saved as an event archive and loaded
 * again it is the same history, and so are archives of the older formats; a damaged
 * archive is refused whole with a reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "support.h"

#include "evpack.h"
#include "evset.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_EVENTS 3000 /* more than a cursor's and a loader's arena rounds */

typedef struct {
    char dir[64];
    char lines[128], archive[128];
} fixture_t;

/* N_EVENTS valid events, a blank line, one not JSON and one missing its entity; the file
 * starts with a byte-order mark, which is no part of the first event. */
static int setup(void **state)
{
    fixture_t *f = rw_xcalloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/rw-evset-XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    snprintf(f->lines, sizeof f->lines, "%s/events.jsonl", f->dir);
    snprintf(f->archive, sizeof f->archive, "%s/events.rwa", f->dir);
    rw_buf_t b;
    rw_buf_init(&b);
    rw_buf_puts(&b, "\xEF\xBB\xBF");
    for (int i = 0; i < N_EVENTS; i++) {
        rw_buf_printf(&b,
                      "{\"id\":\"E-%d\",\"type\":\"complaint\",\"entity\":\"ENT%d\","
                      "\"time\":\"2025-03-01T09:%02d:00+08:00\",\"attrs\":{\"category\":\"食品\","
                      "\"n\":%d},\"profile\":{\"name\":\"商户%d\"}}\n",
                      i, i % 97, i % 60, i, i % 97);
        if (i == 10) rw_buf_puts(&b, "\n{not json\n{\"id\":\"X\",\"type\":\"complaint\"}\n");
    }
    write_file(f->dir, "events.jsonl", b.data);
    rw_buf_free(&b);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    rw_rmtree(f->dir);
    free(f);
    return 0;
}

/* Split in three parts, the set gives each event to exactly one part, in order, and
 * an entity's events to one part. */
static void check_parts(const rw_evset_t *s)
{
    enum { PARTS = 3, ENTITIES = 97 };
    int seen[N_EVENTS] = {0}, part_of[ENTITIES];
    memset(part_of, -1, sizeof part_of);
    for (unsigned k = 0; k < PARTS; k++) {
        rw_evset_cursor_t *c = rw_evset_cursor_part(s, k, PARTS);
        const rw_event_t *ev;
        int last = -1;
        while ((ev = rw_evset_next(c))) {
            int i = atoi(ev->id + 2);
            assert_true(i > last);
            last = i;
            seen[i]++;
            assert_true(json_number_value(json_object_get(ev->attrs, "n")) == i);
            int ent = atoi(ev->entity + 3);
            if (part_of[ent] < 0) part_of[ent] = (int)k;
            assert_int_equal(part_of[ent], k);
        }
        assert_false(rw_evset_cursor_failed(c));
        rw_evset_cursor_free(c);
    }
    int used[PARTS] = {0};
    for (int i = 0; i < N_EVENTS; i++)
        assert_int_equal(seen[i], 1);
    for (int e = 0; e < ENTITIES; e++)
        used[part_of[e]] = 1;
    assert_true(used[0] && used[1] && used[2]); /* 97 entities fall in every part */
}

/* Every event in order, with its fields and attributes. */
static void check_history(const rw_evset_t *s)
{
    assert_int_equal(s->n, N_EVENTS);
    assert_int_equal(s->lines, N_EVENTS + 3);
    assert_int_equal(s->invalid[RW_EV_NOT_JSON], 1);
    assert_int_equal(s->invalid[RW_EV_MISSING_FIELD], 1);
    assert_int_equal(rw_evset_invalid(s), 2);
    rw_evset_cursor_t *c = rw_evset_cursor_new(s);
    const rw_event_t *ev;
    int i = 0;
    char want[32];
    while ((ev = rw_evset_next(c))) {
        snprintf(want, sizeof want, "E-%d", i);
        assert_string_equal(ev->id, want);
        snprintf(want, sizeof want, "ENT%d", i % 97);
        assert_int_equal(ev->entity_len, strlen(want));
        assert_memory_equal(ev->entity, want, ev->entity_len);
        assert_true(json_number_value(json_object_get(ev->attrs, "n")) == i);
        assert_string_equal(json_string_value(json_object_get(ev->attrs, "category")), "食品");
        i++;
    }
    assert_int_equal(i, N_EVENTS);
    assert_false(rw_evset_cursor_failed(c));
    assert_null(rw_evset_next(c)); /* and stays at the end */
    rw_evset_cursor_free(c);
    check_parts(s);
}

static void lines_read_back_in_file_order_with_their_counts(void **state)
{
    fixture_t *f = *state;
    rw_evset_t s;
    char err[256];
    assert_int_equal(rw_evset_load_file(&s, f->lines, NULL, NULL, err, sizeof err), 0);
    check_history(&s);
    rw_evset_free(&s);
}

/* Loads the JSON Lines and saves them as the fixture's archive; returns its size. */
static size_t save_archive(const fixture_t *f)
{
    rw_evset_t s;
    char err[256];
    assert_int_equal(rw_evset_load_file(&s, f->lines, NULL, NULL, err, sizeof err), 0);
    assert_int_equal(rw_evset_save(&s, f->archive, err, sizeof err), 0);
    rw_evset_free(&s);
    size_t len;
    free(rw_read_file(f->archive, &len));
    return len;
}

static void an_archive_is_the_same_history_and_smaller(void **state)
{
    fixture_t *f = *state;
    size_t archive_len = save_archive(f), lines_len;
    rw_evset_t back;
    char err[256];
    assert_int_equal(rw_evset_load_file(&back, f->archive, NULL, NULL, err, sizeof err), 0);
    check_history(&back);
    free(rw_read_file(f->lines, &lines_len));
    assert_true(archive_len < lines_len);
    rw_evset_free(&back);
}

/* Writes the first len bytes of the archive, with one byte changed at flip (or none). */
static void write_damaged(const fixture_t *f, size_t len, long flip)
{
    size_t n;
    char *a = rw_read_file(f->archive, &n);
    assert_non_null(a);
    if (flip >= 0) a[flip] = (char)0xc1; /* a byte MessagePack never uses */
    FILE *out = fopen(f->archive, "wb");
    assert_non_null(out);
    assert_int_equal(fwrite(a, 1, len < n ? len : n, out), len < n ? len : n);
    fclose(out);
    free(a);
}

static void a_damaged_archive_is_refused_with_a_reason(void **state)
{
    fixture_t *f = *state;
    size_t full = save_archive(f);
    rw_evset_t s;
    char err[512];

    write_damaged(f, full - 5, -1); /* cut short in the last event */
    assert_int_equal(rw_evset_load_file(&s, f->archive, NULL, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "已损坏"));
    assert_non_null(strstr(err, "第 2999 个之后"));
    assert_int_equal(s.n, 0); /* nothing half-loaded */

    /* one byte changed in an entry (8 bytes each, after the header and before the
     * events) or in an event: the digest says so, nothing is decoded to find out */
    save_archive(f);
    rw_evset_t lines;
    assert_int_equal(rw_evset_load_file(&lines, f->lines, NULL, NULL, err, sizeof err), 0);
    size_t index = full - lines.pack_len - 8 * lines.n;
    rw_evset_free(&lines);
    write_damaged(f, full, (long)(index + 8 * 2500 + 5));
    assert_int_equal(rw_evset_load_file(&s, f->archive, NULL, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "SHA-256 不符"));
    save_archive(f);
    write_damaged(f, full, (long)(full - 100));
    assert_int_equal(rw_evset_load_file(&s, f->archive, NULL, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "SHA-256 不符"));

    save_archive(f);
    write_damaged(f, full, 8); /* the header */
    assert_int_equal(rw_evset_load_file(&s, f->archive, NULL, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "文件头无法识别"));
}

/* Writes the fixture's history as an older format wrote it: the header, then (format 2)
 * the entries, then the events; no digest. Returns the offset of the entries. */
static size_t write_old_archive(const fixture_t *f, int format)
{
    rw_evset_t s;
    char err[256];
    assert_int_equal(rw_evset_load_file(&s, f->lines, NULL, NULL, err, sizeof err), 0);
    json_t *invalid = json_object();
    for (int i = 0; i < RW_EV__COUNT; i++)
        if (s.invalid[i])
            json_object_set_new(invalid, rw_event_code_name((rw_event_status_t)i),
                                json_real((double)s.invalid[i]));
    json_t *head =
        json_pack("{s:i,s:f,s:f,s:f,s:o}", "format", format, "events", (double)s.n, "lines",
                  (double)s.lines, "bytes", (double)s.bytes, "invalid", invalid);
    rw_buf_t b;
    rw_buf_init(&b);
    rw_buf_puts(&b, "RWEVARC\n");
    rw_evpack_put(&b, head);
    json_decref(head);
    size_t index = b.len;
    for (size_t i = 0; format == 2 && i < s.n; i++) {
        unsigned char e[8];
        for (int k = 0; k < 4; k++) {
            e[k] = (unsigned char)(s.entries[i].size >> (8 * k));
            e[4 + k] = (unsigned char)(s.entries[i].entity >> (8 * k));
        }
        rw_buf_append(&b, (const char *)e, sizeof e);
    }
    rw_buf_append(&b, s.pack, s.pack_len);
    FILE *out = fopen(f->archive, "wb");
    assert_non_null(out);
    assert_int_equal(fwrite(b.data, 1, b.len, out), b.len);
    fclose(out);
    rw_buf_free(&b);
    rw_evset_free(&s);
    return index;
}

/* An archive as the first format wrote it: the header, then the events, no entries. */
static void a_format_1_archive_still_loads(void **state)
{
    fixture_t *f = *state;
    write_old_archive(f, 1);
    rw_evset_t back;
    char err[256];
    assert_int_equal(rw_evset_load_file(&back, f->archive, NULL, NULL, err, sizeof err), 0);
    check_history(&back);
    rw_evset_free(&back);
}

/* Without a digest every event is decoded and checked against its entry: the error
 * says where the archive stops being readable. */
static void a_format_2_archive_is_checked_event_by_event(void **state)
{
    fixture_t *f = *state;
    rw_evset_t s;
    char err[512];
    size_t index = write_old_archive(f, 2);
    assert_int_equal(rw_evset_load_file(&s, f->archive, NULL, NULL, err, sizeof err), 0);
    check_history(&s);
    rw_evset_free(&s);
    size_t n;
    free(rw_read_file(f->archive, &n));
    write_damaged(f, n, (long)(index + 8 * 2500 + 5)); /* an entry naming another entity */
    assert_int_equal(rw_evset_load_file(&s, f->archive, NULL, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "第 2500 个之后"));
    write_old_archive(f, 2);
    write_damaged(f, n, (long)(index + 8 * 700)); /* an event's size, in the first half */
    assert_int_equal(rw_evset_load_file(&s, f->archive, NULL, NULL, err, sizeof err), -1);
    assert_non_null(strstr(err, "已损坏"));
}

static void an_archive_that_cannot_be_written_leaves_nothing(void **state)
{
    fixture_t *f = *state;
    rw_evset_t s;
    char err[512], path[160];
    assert_int_equal(rw_evset_load_file(&s, f->lines, NULL, NULL, err, sizeof err), 0);
    snprintf(path, sizeof path, "%s/no-such-dir/events.rwa", f->dir);
    assert_int_equal(rw_evset_save(&s, path, err, sizeof err), -1);
    assert_non_null(strstr(err, "无法写入事件归档"));
    assert_int_equal(access(path, F_OK), -1);
    rw_evset_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(lines_read_back_in_file_order_with_their_counts, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(an_archive_is_the_same_history_and_smaller, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_damaged_archive_is_refused_with_a_reason, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_format_2_archive_is_checked_event_by_event, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_format_1_archive_still_loads, setup, teardown),
        cmocka_unit_test_setup_teardown(an_archive_that_cannot_be_written_leaves_nothing, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
