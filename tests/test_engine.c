/* Tests for engine.c as users see it: events in as JSON text, leads out of the sink.
 * Each test builds a small rules folder (catalogue, a two-version test law, a holiday
 * calendar, one ruleset) so one construct is isolated: windows, lateness, retention,
 * dedup, profiles, params, levels, suppression, legal basis, evidence, persistence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine.h"
#include "rwtime.h"
#include "util.h"
#include "support.h"

#define ENT "91320102MA1XXXXX0X"
#define NOW "2026-11-01T09:00:00+08:00"

/* ---- rules folders ------------------------------------------------------------------ */

static const char *const CATALOG =
    "timezone: \"+08:00\"\n"
    "types:\n"
    "  complaint: {title: 投诉举报, attrs: {category: string, amount: number, x: number}}\n"
    "  sampling:  {title: 监督抽检, attrs: {result: string}}\n"
    "  penalty:   {title: 行政处罚, attrs: {amount: number}}\n"
    "items:\n"
    "  - code: \"SC-T-001\"\n"
    "    name: 测试监督检查事项\n"
    "    department: 测试监管处\n"
    "    basis: [\"test-law#1\", \"test-law#2.1.1\", \"test-law#3\", \"old-law#1\"]\n";

static const char *const LAWS = "laws:\n"
                                "  - id: test-law\n"
                                "    title: 中华人民共和国测试法\n"
                                "    aliases: [测试法]\n"
                                "    level: law\n"
                                "    verified: 2026-10-01\n"
                                "    versions:\n"
                                "      - {effective: 2020-01-01, source: test-2020.md}\n"
                                "      - {effective: 2026-06-01, source: test-2026.md}\n"
                                "    repealed: null\n"
                                "  - id: old-law\n"
                                "    title: 旧测试条例\n"
                                "    level: administrative-regulation\n"
                                "    verified: 2026-10-01\n"
                                "    versions:\n"
                                "      - {effective: 2010-01-01, source: old.md}\n"
                                "    repealed: 2026-07-01\n";

#define LAW_2020                                                                                                 \
    "# 中华人民共和国测试法\n\n2020年1月1日 公布\n\n<!-- INFO END -->\n\n## 第一章 总则\n\n" \
    "第一条 经营者应当诚信经营。\n\n"                                                               \
    "第二条 经营者不得有下列行为：\n\n（一）虚假宣传；\n\n（二）以次充好。\n\n"    \
    "违反前款规定的，依法处罚。\n"

static const char *const LAW_2026 = LAW_2020 "\n第三条 平台经营者应当核验经营者身份。\n";
static const char *const OLD_LAW =
    "# 旧测试条例\n\n2010年1月1日 公布\n\n<!-- INFO END -->\n\n第一条 经营者应当遵守旧规定。\n";

static const char *const CALENDAR =
    "holidays: [2026-02-15, 2026-02-16, 2026-02-17, 2026-02-18, 2026-02-19, 2026-02-20,\n"
    "           2026-02-21, 2026-02-22, 2026-02-23]\n"
    "workdays: [2026-02-14, 2026-02-28]\n";

/* A rule that fires on every event, never suppressed, so its message shows the values
 * of the placeholders at each event. */
#define PROBE(msg)                                                                                 \
    "  - id: PROBE\n"                                                                              \
    "    title: 探针\n"                                                                          \
    "    if: 'true'\n"                                                                             \
    "    level: blue\n"                                                                            \
    "    clauses: [\"test-law#1\"]\n"                                                              \
    "    suppress: 0d\n"                                                                           \
    "    message: '" msg "'\n"

static char *temp_dir(void)
{
    char tmpl[] = "/tmp/rw-engine-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    return rw_xstrdup(tmpl);
}

/* A rules folder: catalogue (CATALOG unless given), statutes, calendar, and the
 * rulesets given as (file name, text) pairs ending with NULL. */
static char *rules_dir(const char *catalog, const char *const *rulesets)
{
    char *dir = temp_dir();
    write_file(dir, "catalog.yaml", catalog ? catalog : CATALOG);
    write_file(dir, "calendar.yaml", CALENDAR);
    rw_buf_t s;
    rw_buf_init(&s);
    rw_buf_printf(&s, "%s/statutes", dir);
    assert_int_equal(mkdir(s.data, 0755), 0);
    write_file(s.data, "laws.yaml", LAWS);
    write_file(s.data, "test-2020.md", LAW_2020);
    write_file(s.data, "test-2026.md", LAW_2026);
    write_file(s.data, "old.md", OLD_LAW);
    rw_buf_free(&s);
    for (; rulesets && *rulesets; rulesets += 2)
        write_file(dir, rulesets[0], rulesets[1]);
    return dir;
}

static int64_t day(const char *s)
{
    int64_t d;
    assert_int_equal(rw_date_parse(s, &d), 0);
    return d;
}

static rw_rules_t *load_rules(const char *dir, const rw_param_setting_t *sets, size_t n_sets)
{
    rw_diags_t d;
    rw_diags_init(&d);
    rw_load_opts_t o = {
        .rules_dir = dir, .sets = sets, .n_sets = n_sets, .today = day("2026-11-01")};
    rw_rules_t *r = NULL;
    int rc = rw_rules_load(&r, &o, &d);
    if (rc) rw_diags_print(&d, stderr);
    rw_diags_free(&d);
    assert_int_equal(rc, 0);
    return r;
}

/* ---- a fixture: rules, a store, an engine, and every lead revision it emitted --------- */

typedef struct {
    char *dir, *store_dir;
    rw_rules_t *rules;
    rw_store_t *store;
    rw_engine_t *eng;
    size_t cache_bytes;
    double future_now; /* > 0: the live service's future test at this clock */
    json_t *revs;      /* every revision emitted, in order (deep copies) */
    json_t *texts;     /* their serialised texts */
    size_t mark;       /* size of revs before the latest event */
} fx_t;

/* The record's field is the string s (n bytes, or up to its NUL when n is 0), or null
 * for NULL. */
static void assert_field(const json_t *rec, const char *key, const char *s, size_t n)
{
    const json_t *v = json_object_get(rec, key);
    if (!s) {
        assert_true(json_is_null(v));
        return;
    }
    if (!n) n = strlen(s);
    assert_int_equal(json_string_length(v), n);
    assert_memory_equal(json_string_value(v), s, n);
}

static void sink(void *ud, const rw_lead_out_t *lead)
{
    fx_t *f = ud;
    json_t *rec = json_loadb(lead->text, lead->len, 0, NULL);
    assert_non_null(rec);
    const rw_lead_head_t *h = lead->head;
    if (h) { /* the head says what the text says */
        assert_int_equal(lead->revision, 1);
        assert_field(rec, "id", h->id, 0);
        assert_field(rec, "rule", h->rule, 0);
        assert_field(rec, "level", h->level, 0);
        assert_field(rec, "entity_name", h->entity_name, 0);
        assert_field(rec, "region", h->region, 0);
        assert_field(rec, "escalates", h->escalates, 0);
        assert_field(rec, "event_time", h->event_time, 0);
        assert_field(rec, "entity", h->entity, h->entity_len);
        assert_field(rec, "trigger_event", h->trigger_event, h->trigger_event_len);
    }
    json_array_append_new(f->revs, rec);
    json_array_append_new(f->texts, json_stringn(lead->text, lead->len));
}

static void fx_engine(fx_t *f)
{
    rw_engine_opts_t o = {.store = f->store,
                          .rules = f->rules,
                          .sink = sink,
                          .sink_ud = f,
                          .cache_bytes = f->cache_bytes,
                          .check_future = f->future_now > 0,
                          .future_now = f->future_now};
    f->eng = rw_engine_new(&o);
}

static void fx_store(fx_t *f)
{
    char err[512];
    int rc = rw_store_open(&f->store, f->store_dir, err, sizeof err);
    if (rc) fprintf(stderr, "%s\n", err);
    assert_int_equal(rc, 0);
}

/* A fixture over a rules folder already written; the store is on disk when store_dir. */
static void fx_start(fx_t *f, char *dir, const rw_param_setting_t *sets, size_t n_sets, int on_disk)
{
    memset(f, 0, sizeof *f);
    f->dir = dir;
    f->rules = load_rules(dir, sets, n_sets);
    if (on_disk) f->store_dir = temp_dir();
    fx_store(f);
    f->revs = json_array();
    f->texts = json_array();
    fx_engine(f);
}

static void fx_open(fx_t *f, const char *ruleset)
{
    const char *files[] = {"rs.yaml", ruleset, NULL};
    fx_start(f, rules_dir(NULL, files), NULL, 0, 0);
}

/* fx_open with the store on disk, for tests that restart. */
static void fx_open_on_disk(fx_t *f, const char *ruleset)
{
    const char *files[] = {"rs.yaml", ruleset, NULL};
    fx_start(f, rules_dir(NULL, files), NULL, 0, 1);
}

/* Frees the engine and closes the store, keeping what was committed on disk. */
static void fx_stop(fx_t *f)
{
    rw_engine_free(f->eng);
    f->eng = NULL;
    rw_store_close(f->store);
    f->store = NULL;
}

static void fx_restart(fx_t *f)
{
    fx_stop(f);
    fx_store(f);
    fx_engine(f);
}

/* Commits, then starts a new engine on what was written. */
static void fx_commit_restart(fx_t *f)
{
    char err[512];
    assert_int_equal(rw_engine_commit(f->eng, err, sizeof err), 0);
    fx_restart(f);
}

static void fx_close(fx_t *f)
{
    fx_stop(f);
    rw_rules_free(f->rules);
    rw_rmtree(f->dir);
    free(f->dir);
    if (f->store_dir) rw_rmtree(f->store_dir);
    free(f->store_dir);
    json_decref(f->revs);
    json_decref(f->texts);
}

/* JSON written with ' for " so events read easily in the tests. */
static char *dq(const char *s)
{
    char *t = rw_xstrdup(s);
    for (char *p = t; *p; p++)
        if (*p == '\'') *p = '"';
    return t;
}

static rw_outcome_t post_raw(fx_t *f, const char *json)
{
    f->mark = json_array_size(f->revs);
    rw_event_error_t err;
    return rw_engine_process(f->eng, json, strlen(json), NULL, 0, &err);
}

/* Sends an event of `entity`; `extra` holds more fields, written with '. */
static rw_outcome_t postx(fx_t *f, const char *entity, const char *id, const char *type,
                          const char *time, const char *extra)
{
    rw_buf_t b;
    rw_buf_init(&b);
    rw_buf_printf(&b, "{'id':'%s','type':'%s','entity':'%s','time':'%s'%s%s}", id, type, entity,
                  time, extra ? "," : "", extra ? extra : "");
    char *json = dq(b.data);
    rw_outcome_t o = post_raw(f, json);
    free(json);
    rw_buf_free(&b);
    return o;
}

static rw_outcome_t post(fx_t *f, const char *id, const char *type, const char *time,
                         const char *extra)
{
    return postx(f, ENT, id, type, time, extra);
}

static void applied(fx_t *f, const char *id, const char *type, const char *time, const char *extra)
{
    assert_int_equal(post(f, id, type, time, extra), RW_OUT_APPLIED);
}

static size_t n_fresh(const fx_t *f)
{
    return json_array_size(f->revs) - f->mark;
}

/* The i-th revision emitted by the latest event. */
static json_t *fresh(const fx_t *f, size_t i)
{
    assert_true(i < n_fresh(f));
    return json_array_get(f->revs, f->mark + i);
}

static const char *jstr(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    assert_true(json_is_string(v));
    return json_string_value(v);
}

static json_int_t jint(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    assert_true(json_is_integer(v));
    return json_integer_value(v);
}

/* The lead rule `rule` created (revision 1) on the latest event, or NULL. */
static json_t *created_by(const fx_t *f, const char *rule)
{
    json_t *found = NULL;
    for (size_t i = 0; i < n_fresh(f); i++) {
        json_t *l = fresh(f, i);
        if (!strcmp(jstr(l, "rule"), rule) && jint(l, "revision") == 1) {
            assert_null(found);
            found = l;
        }
    }
    return found;
}

/* Sends an event and returns the PROBE rule's message for it. */
static const char *probe(fx_t *f, const char *id, const char *type, const char *time,
                         const char *extra)
{
    applied(f, id, type, time, extra);
    json_t *l = created_by(f, "PROBE");
    assert_non_null(l);
    return jstr(l, "message");
}

static const char *probex(fx_t *f, const char *entity, const char *id, const char *type,
                          const char *time, const char *extra)
{
    assert_int_equal(postx(f, entity, id, type, time, extra), RW_OUT_APPLIED);
    json_t *l = created_by(f, "PROBE");
    assert_non_null(l);
    return jstr(l, "message");
}

static json_t *parse_json(const char *text)
{
    char *t = dq(text);
    json_error_t e;
    json_t *j = json_loads(t, 0, &e);
    if (!j) fprintf(stderr, "bad JSON in test: %s: %s\n", t, e.text);
    free(t);
    assert_non_null(j);
    return j;
}

static void assert_json(const json_t *got, const char *want_text)
{
    json_t *want = parse_json(want_text);
    if (!json_equal(got, want)) {
        char *g = json_dumps(got, JSON_COMPACT | JSON_SORT_KEYS);
        char *w = json_dumps(want, JSON_COMPACT | JSON_SORT_KEYS);
        fprintf(stderr, "got:  %s\nwant: %s\n", g, w);
        free(g);
        free(w);
        fail();
    }
    json_decref(want);
}

/* ---- windows ----------------------------------------------------------------------- */

static void day_window_edges_follow_local_midnight_at_plus_0800(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, "ruleset: probe\nrules:\n" PROBE(
                    "{count(complaint, 1d)}/{count(complaint, 2d)}/{count(complaint, 3d)}"));
    assert_string_equal(probe(&f, "a1", "complaint", "2026-03-04T23:59:59+08:00", NULL), "1/1/1");
    /* 16:00Z is local midnight: a new day */
    assert_string_equal(probe(&f, "a2", "complaint", "2026-03-04T16:00:00Z", NULL), "1/2/2");
    assert_string_equal(probe(&f, "a3", "complaint", "2026-03-05T23:59:59+08:00", NULL), "2/3/3");
    assert_string_equal(probe(&f, "a4", "complaint", "2026-03-05T16:00:00Z", NULL), "1/3/4");
    /* 15:59:59Z is still 23:59:59 of the local 6th */
    assert_string_equal(probe(&f, "a5", "complaint", "2026-03-06T15:59:59Z", NULL), "2/4/5");
    /* written west of UTC: 12:00-05:00 is 01:00 on the local 7th */
    assert_string_equal(probe(&f, "a6", "complaint", "2026-03-06T12:00:00-05:00", NULL), "1/3/5");
    fx_close(&f);
}

static void hour_windows_cover_local_hours_across_midnight(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, "ruleset: probe\nrules:\n" PROBE(
                    "{count(complaint, 1h)}/{count(complaint, 2h)}/{count(complaint, 24h)}"));
    assert_string_equal(probe(&f, "h1", "complaint", "2026-03-04T10:00:00+08:00", NULL), "1/1/1");
    assert_string_equal(probe(&f, "h2", "complaint", "2026-03-04T23:59:59+08:00", NULL), "1/1/2");
    assert_string_equal(probe(&f, "h3", "complaint", "2026-03-05T00:00:00+08:00", NULL), "1/2/3");
    assert_string_equal(probe(&f, "h4", "complaint", "2026-03-05T00:59:59+08:00", NULL), "2/3/4");
    /* 24h at 09:59 covers the hours 10:00 yesterday … 09:59 today */
    assert_string_equal(probe(&f, "h5", "complaint", "2026-03-05T09:59:59+08:00", NULL), "1/1/5");
    /* at 10:00 yesterday's 10 o'clock hour has left the window */
    assert_string_equal(probe(&f, "h6", "complaint", "2026-03-05T10:00:00+08:00", NULL), "1/2/5");
    fx_close(&f);
}

static void windows_use_the_catalogue_zone_even_at_a_half_hour_offset(void **state)
{
    (void)state;
    static const char *const catalog = "timezone: \"+05:30\"\n"
                                       "types:\n"
                                       "  complaint: {title: 投诉举报}\n";
    const char *files[] = {
        "rs.yaml",
        "ruleset: probe\nrules:\n" PROBE("{count(complaint, 1h)}/{count(complaint, 1d)}"), NULL};
    fx_t f;
    fx_start(&f, rules_dir(catalog, files), NULL, 0, 0);
    /* 10:29 and 10:31 local are one local hour, though 04:59Z and 05:01Z are two UTC hours */
    assert_string_equal(probe(&f, "z1", "complaint", "2026-03-04T10:29:00+05:30", NULL), "1/1");
    assert_string_equal(probe(&f, "z2", "complaint", "2026-03-04T05:01:00Z", NULL), "2/2");
    assert_string_equal(probe(&f, "z3", "complaint", "2026-03-04T11:00:00+05:30", NULL), "1/3");
    /* 18:30Z is local midnight */
    assert_string_equal(probe(&f, "z4", "complaint", "2026-03-04T18:29:59Z", NULL), "1/4");
    assert_string_equal(probe(&f, "z5", "complaint", "2026-03-04T18:30:00Z", NULL), "1/1");
    fx_close(&f);
}

static void a_later_event_the_same_local_day_counts_but_later_dates_do_not(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, "ruleset: probe\nrules:\n" PROBE("{count(complaint, 1d)}/{count(complaint, 30d)}"));
    assert_string_equal(probe(&f, "x1", "complaint", "2026-03-05T20:00:00+08:00", NULL), "1/1");
    assert_string_equal(probe(&f, "x2", "complaint", "2026-03-06T01:00:00+08:00", NULL), "1/2");
    /* arrives late, dated earlier: sees x1 (later the same day) but not x2 (a later date) */
    assert_string_equal(probe(&f, "x3", "complaint", "2026-03-05T09:00:00+08:00", NULL), "2/2");
    assert_string_equal(probe(&f, "x4", "complaint", "2026-03-01T09:00:00+08:00", NULL), "1/1");
    /* the newest event sees everything again */
    assert_string_equal(probe(&f, "x5", "complaint", "2026-03-06T02:00:00+08:00", NULL), "2/5");
    fx_close(&f);
}

static void last_and_since_read_the_latest_event_not_after_the_current_one(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, "ruleset: probe\nrules:\n" PROBE(
                    "{last(complaint, attrs.category)}|{since(complaint)}"));
    assert_string_equal(
        probe(&f, "c1", "complaint", "2026-03-05T10:00:00+08:00", "'attrs':{'category':'a'}"),
        "a|0");
    assert_string_equal(
        probe(&f, "c2", "complaint", "2026-03-05T12:00:00+08:00", "'attrs':{'category':'b'}"),
        "b|0");
    /* same time as c1, processed later: on its own event it is the event itself */
    assert_string_equal(
        probe(&f, "c3", "complaint", "2026-03-05T10:00:00+08:00", "'attrs':{'category':'c'}"),
        "c|0");
    /* ties at 10:00 go to the later processed (c3); c2 at 12:00 is after 11:00 */
    assert_string_equal(probe(&f, "p1", "penalty", "2026-03-05T11:00:00+08:00", NULL), "c|3600");
    assert_string_equal(probe(&f, "p2", "penalty", "2026-03-05T12:00:00+08:00", NULL), "b|0");
    /* nothing at or before 09:59:59: null prints as nothing */
    assert_string_equal(probe(&f, "p3", "penalty", "2026-03-05T09:59:59+08:00", NULL), "|");
    assert_string_equal(
        probe(&f, "c4", "complaint", "2026-03-05T11:00:00+08:00", "'attrs':{'category':'d'}"),
        "d|0");
    assert_string_equal(probe(&f, "p4", "penalty", "2026-03-05T11:30:00+08:00", NULL), "d|1800");
    /* a complaint without the field: last reads null from the latest event, not an older value */
    assert_string_equal(probe(&f, "c5", "complaint", "2026-03-05T11:40:00+08:00", NULL), "|0");
    assert_string_equal(probe(&f, "p5", "penalty", "2026-03-05T11:45:00+08:00", NULL), "|300");
    /* fractions of a second are the texts' difference, not the doubles' (…900007248) */
    assert_string_equal(probe(&f, "c6", "complaint", "2026-03-05T12:00:00.001+08:00", NULL), "|0");
    assert_string_equal(probe(&f, "p6", "penalty", "2026-03-06T12:00:00+08:00", NULL),
                        "|86399.999");
    fx_close(&f);
}

/* ---- dedup, lateness, retention, unknown types ---------------------------------------- */

static void duplicates_change_nothing_and_are_counted(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, "ruleset: probe\nrules:\n" PROBE(
                    "{count(complaint, 30d)}/{sum(complaint, attrs.amount, 30d)}"));
    assert_string_equal(probe(&f, "d1", "complaint", "2026-03-05T10:00:00+08:00",
                              "'attrs':{'amount':5},'profile':{'name':'甲店'}"),
                        "1/5");
    /* the same message again, and a producer resending the id with other content */
    assert_int_equal(
        post(&f, "d1", "complaint", "2026-03-05T10:00:00+08:00", "'attrs':{'amount':5}"),
        RW_OUT_DUPLICATE);
    assert_int_equal(n_fresh(&f), 0);
    assert_int_equal(post(&f, "d1", "penalty", "2026-03-06T10:00:00+08:00",
                          "'attrs':{'amount':99},'profile':{'name':'乙店'}"),
                     RW_OUT_DUPLICATE);
    assert_int_equal(n_fresh(&f), 0);
    assert_int_equal(rw_engine_stats(f.eng)->outcomes[RW_OUT_DUPLICATE], 2);
    assert_string_equal(
        probe(&f, "d2", "complaint", "2026-03-06T10:00:00+08:00", "'attrs':{'amount':1}"), "2/6");
    assert_string_equal(jstr(created_by(&f, "PROBE"), "entity_name"), "甲店");
    /* the id is unique per entity only */
    assert_string_equal(
        probex(&f, "91320102MA1YYYYY0Y", "d1", "complaint", "2026-03-06T10:00:00+08:00", NULL),
        "1/0");
    assert_int_equal(rw_engine_stats(f.eng)->outcomes[RW_OUT_APPLIED], 3);
    assert_int_equal(rw_engine_stats(f.eng)->outcomes[RW_OUT_DUPLICATE], 2);
    fx_close(&f);
}

static void an_event_400_local_days_before_the_latest_is_late_399_is_applied(void **state)
{
    (void)state;
    fx_t f;
    fx_open_on_disk(&f,
                    "ruleset: probe\nrules:\n" PROBE("{count(complaint, 400d)}|{profile.name}"));
    /* M's local date is 2026-03-05 though its UTC date is the 4th */
    assert_string_equal(probe(&f, "m", "complaint", "2026-03-04T16:30:00Z", NULL), "1|");
    /* 2025-01-29 is 400 days before 2026-03-05: late, even at its last local second */
    assert_int_equal(
        post(&f, "l1", "complaint", "2025-01-29T23:59:59+08:00", "'profile':{'name':'迟到'}"),
        RW_OUT_LATE);
    assert_int_equal(n_fresh(&f), 0);
    assert_int_equal(post(&f, "l2", "complaint", "2025-01-29T15:59:59Z", NULL), RW_OUT_LATE);
    assert_int_equal(rw_engine_stats(f.eng)->outcomes[RW_OUT_LATE], 2);
    /* 2025-01-30 (local; 16:00Z on the 29th) is 399 days before: applied, and counted */
    assert_string_equal(probe(&f, "ok", "complaint", "2025-01-29T16:00:00Z", NULL), "1|");
    assert_string_equal(probe(&f, "m2", "complaint", "2026-03-05T23:00:00+08:00", NULL), "3|");
    /* a late event was processed (events.md: dedup before lateness): a copy of it is a
     * duplicate, dated late or not, after a restart too */
    assert_int_equal(post(&f, "l1", "complaint", "2025-01-29T23:59:59+08:00", NULL),
                     RW_OUT_DUPLICATE);
    fx_commit_restart(&f);
    assert_int_equal(post(&f, "l2", "complaint", "2026-03-05T23:30:00+08:00", NULL),
                     RW_OUT_DUPLICATE);
    assert_int_equal(n_fresh(&f), 0);
    fx_close(&f);
}

/* An id used again once it has aged out of the dedup record (a producer's mistake, or a
 * copy sent 430 days on with a new time) is applied, but its rule's lead exists: it is
 * never issued a second time at revision 1, which would replace the first lead and its
 * handling, whether that lead is in memory or only in the store. */
static void a_lead_id_is_never_issued_twice(void **state)
{
    (void)state;
    fx_t f;
    fx_open_on_disk(&f, "ruleset: probe\nrules:\n" PROBE("{count(complaint, 400d)}"));
    assert_string_equal(probe(&f, "e1", "complaint", "2025-01-01T10:00:00+08:00", NULL), "1");
    assert_string_equal(probe(&f, "e2", "complaint", "2025-01-02T10:00:00+08:00", NULL), "2");
    assert_string_equal(probe(&f, "e3", "complaint", "2026-06-10T10:00:00+08:00", NULL), "1");
    assert_int_equal(post(&f, "e1", "complaint", "2026-06-10T11:00:00+08:00", NULL),
                     RW_OUT_APPLIED);
    assert_int_equal(n_fresh(&f), 0);
    fx_commit_restart(&f);
    assert_int_equal(post(&f, "e2", "complaint", "2026-06-11T11:00:00+08:00", NULL),
                     RW_OUT_APPLIED);
    assert_int_equal(n_fresh(&f), 0);
    assert_int_equal(rw_engine_stats(f.eng)->leads_created, 0);
    fx_close(&f);
}

static void retention_hides_events_400_days_old_from_every_aggregate(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, "ruleset: probe\nrules:\n" PROBE(
                    "{count(complaint, 400d)}/{count(complaint, 30d)}/"
                    "{sum(complaint, attrs.amount, 400d)}/{count(complaint, 9600h)}|"
                    "{last(penalty, attrs.amount)}|{since(penalty)}"));
    /* D0 = 2025-01-01 */
    assert_string_equal(
        probe(&f, "p0", "penalty", "2025-01-01T10:00:00+08:00", "'attrs':{'amount':7}"),
        "0/0/0/0|7|0");
    assert_string_equal(
        probe(&f, "c0", "complaint", "2025-01-01T10:00:00+08:00", "'attrs':{'amount':1}"),
        "1/1/1/1|7|0");
    /* D0+399: everything still visible */
    assert_string_equal(
        probe(&f, "c1", "complaint", "2026-02-04T10:00:00+08:00", "'attrs':{'amount':2}"),
        "2/1/3/2|7|34473600");
    /* D0+400 becomes M: D0 is out of retention for counts, sums, last and since, though
     * 9600h would still reach back to 01:00 of D0 */
    assert_string_equal(
        probe(&f, "c2", "complaint", "2026-02-05T00:30:00+08:00", "'attrs':{'amount':4}"),
        "2/2/6/2||");
    /* out of order (D0+10, 390 days before M, so applied): its windows reach back over D0,
     * which must stay invisible, and the penalty at D0 is no longer the latest it sees */
    assert_string_equal(
        probe(&f, "c3", "complaint", "2025-01-11T10:00:00+08:00", "'attrs':{'amount':8}"),
        "1/1/8/1||");
    fx_close(&f);
}

static void unknown_types_leave_no_dedup_record_and_no_profile(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, "ruleset: probe\nrules:\n" PROBE("{count(complaint, 30d)}|{profile.tier}"));
    assert_int_equal(post(&f, "u1", "weather", "2026-03-05T10:00:00+08:00",
                          "'profile':{'name':'天气站','tier':'gold'}"),
                     RW_OUT_UNKNOWN_TYPE);
    assert_int_equal(n_fresh(&f), 0);
    assert_int_equal(rw_engine_stats(f.eng)->outcomes[RW_OUT_UNKNOWN_TYPE], 1);
    assert_null(rw_engine_entity(f.eng, ENT));
    /* the same id with a known type is new, and sees no profile from the unknown event */
    assert_string_equal(probe(&f, "u1", "complaint", "2026-03-05T10:00:00+08:00", NULL), "1|");
    assert_true(json_is_null(json_object_get(created_by(&f, "PROBE"), "entity_name")));
    fx_close(&f);
}

/* ---- profile, streams, params ---------------------------------------------------------- */

static void profile_merge_replaces_keys_and_null_deletes_them(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, "ruleset: probe\nrules:\n" PROBE("{profile.tier}|{profile.size}"));
    assert_string_equal(probe(&f, "e1", "complaint", "2026-03-05T10:00:00+08:00",
                              "'profile':{'name':'甲店','region':'320102','tier':'gold','size':3}"),
                        "gold|3");
    json_t *l = created_by(&f, "PROBE");
    assert_string_equal(jstr(l, "entity_name"), "甲店");
    assert_string_equal(jstr(l, "region"), "320102");
    assert_string_equal(probe(&f, "e2", "sampling", "2026-03-05T11:00:00+08:00",
                              "'profile':{'name':'乙店','size':4}"),
                        "gold|4");
    assert_string_equal(jstr(created_by(&f, "PROBE"), "entity_name"), "乙店");
    assert_string_equal(probe(&f, "e3", "complaint", "2026-03-05T12:00:00+08:00",
                              "'profile':{'name':null,'tier':null}"),
                        "|4");
    l = created_by(&f, "PROBE");
    assert_true(json_is_null(json_object_get(l, "entity_name")));
    assert_string_equal(jstr(l, "region"), "320102");
    json_t *ent = rw_engine_entity(f.eng, ENT);
    json_t *prof = json_object_get(ent, "profile");
    assert_int_equal(json_object_size(prof), 2);
    assert_string_equal(jstr(prof, "region"), "320102");
    assert_true(json_number_value(json_object_get(prof, "size")) == 4);
    json_decref(ent);
    fx_close(&f);
}

static void stream_membership_is_decided_once_when_the_event_is_applied(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, "ruleset: probe\n"
                "streams:\n"
                "  gold: 'type == \"complaint\" and profile.tier == \"gold\"'\n"
                "rules:\n" PROBE("{count(gold, 30d)}/{count(complaint, 30d)}|{last(gold, id)}"));
    /* the event's own profile is merged before its membership is decided */
    assert_string_equal(
        probe(&f, "g1", "complaint", "2026-03-05T10:00:00+08:00", "'profile':{'tier':'gold'}"),
        "1/1|g1");
    /* the profile changes: g1 stays in the stream, g2 does not join it */
    assert_string_equal(
        probe(&f, "g2", "complaint", "2026-03-05T11:00:00+08:00", "'profile':{'tier':null}"),
        "1/2|g1");
    assert_string_equal(probe(&f, "g3", "complaint", "2026-03-05T12:00:00+08:00", NULL), "1/3|g1");
    assert_string_equal(
        probe(&f, "g4", "sampling", "2026-03-05T13:00:00+08:00", "'profile':{'tier':'gold'}"),
        "1/3|g1");
    /* the tier merged by a sampling event counts for the next complaint */
    assert_string_equal(probe(&f, "g5", "complaint", "2026-03-05T14:00:00+08:00", NULL), "2/4|g5");
    /* an out-of-order earlier complaint now joins, and g3 (at 12:00) did not */
    assert_string_equal(probe(&f, "g6", "complaint", "2026-03-05T12:30:00+08:00", NULL), "3/5|g6");
    fx_close(&f);
}

/* Streams of several types: the types their `type` tests name under `and`, `or` and
 * `in` decide which events are evaluated at all, so each branch must still count. */
static void streams_of_several_types_count_every_type_their_filter_admits(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, "ruleset: probe\n"
                "streams:\n"
                "  mixed: 'type in [\"complaint\"] or (type == \"sampling\" and "
                "attrs.result == \"fail\")'\n"
                "  either: '(type == \"penalty\" or type == \"sampling\") and not (type == "
                "\"sampling\")'\n"
                "rules:\n" PROBE("{count(mixed, 30d)}/{count(either, 30d)}"));
    assert_string_equal(probe(&f, "m1", "complaint", "2026-03-05T10:00:00+08:00", NULL), "1/0");
    assert_string_equal(
        probe(&f, "m2", "sampling", "2026-03-05T11:00:00+08:00", "'attrs':{'result':'pass'}"),
        "1/0");
    assert_string_equal(
        probe(&f, "m3", "sampling", "2026-03-05T12:00:00+08:00", "'attrs':{'result':'fail'}"),
        "2/0");
    assert_string_equal(probe(&f, "m4", "penalty", "2026-03-05T13:00:00+08:00", NULL), "2/1");
    fx_close(&f);
}

/* events.md step 3: the future test comes after dedup, and an undeclared type is
 * applied to nothing, that test included. */
static void the_future_test_comes_after_dedup_and_skips_undeclared_types(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, "ruleset: probe\nrules:\n" PROBE("x"));
    f.future_now = (double)day("2026-03-01") * 86400 + 2 * 3600; /* 10:00 at +08:00 */
    rw_engine_free(f.eng);
    fx_engine(&f);
    applied(&f, "f1", "complaint", "2026-03-02T10:00:00+08:00", NULL); /* one day ahead */
    rw_event_error_t err = {0};
    const char *ahead = "{\"id\":\"f2\",\"type\":\"complaint\",\"entity\":\"" ENT
                        "\",\"time\":\"2026-03-02T10:00:01+08:00\"}";
    assert_int_equal(rw_engine_process(f.eng, ahead, strlen(ahead), NULL, 0, &err), RW_OUT_INVALID);
    assert_int_equal(err.code, RW_EV_FUTURE);
    assert_string_equal(err.field, "time");
    assert_int_equal(post(&f, "f1", "complaint", "2030-01-01T00:00:00Z", NULL), RW_OUT_DUPLICATE);
    assert_int_equal(post(&f, "f3", "weather", "2030-01-01T00:00:00Z", NULL), RW_OUT_UNKNOWN_TYPE);
    const rw_engine_stats_t *st = rw_engine_stats(f.eng);
    assert_int_equal(st->outcomes[RW_OUT_INVALID], 1);
    assert_int_equal(st->invalid[RW_EV_FUTURE], 1);
    fx_close(&f);
}

static void params_take_the_longest_region_prefix_without_cascading(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, "ruleset: probe\n"
                "params: {a: 1, b: 1}\n"
                "overrides:\n"
                "  \"32\": {a: 2, b: 2}\n"
                "  \"3201\": {a: 3}\n"
                "  \"320102\": {b: 6}\n"
                "rules:\n" PROBE("{params.a}/{params.b}"));
    struct {
        const char *entity, *extra, *want;
    } cases[] = {
        /* 320102 overrides b only: a comes from params, not from 3201 or 32 */
        {"E1", "'region':'320102'", "1/6"},
        {"E2", "'region':'320105'", "3/1"},
        {"E3", "'region':'3299'", "2/2"},
        {"E4", "'region':'32'", "2/2"},
        {"E5", "'region':'33'", "1/1"},
        {"E6", "'region':'330100'", "1/1"},
        {"E7", NULL, "1/1"},
        /* no region on the event: the profile's (merged first) */
        {"E8", "'profile':{'region':'320111'}", "3/1"},
        /* the event's region wins over the profile's */
        {"E9", "'region':'330100','profile':{'region':'320102'}", "1/1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *got = probex(&f, cases[i].entity, "e", "complaint", "2026-03-05T10:00:00+08:00",
                                 cases[i].extra);
        if (strcmp(got, cases[i].want)) fprintf(stderr, "case %zu\n", i);
        assert_string_equal(got, cases[i].want);
    }
    /* a later event without region uses the region merged into the profile earlier */
    assert_string_equal(probex(&f, "E8", "e2", "complaint", "2026-03-05T11:00:00+08:00", NULL),
                        "3/1");
    fx_close(&f);
}

static const char *const SET_A = "ruleset: a\n"
                                 "params: {n: 1, m: x}\n"
                                 "overrides: {\"32\": {n: 2}}\n"
                                 "rules:\n"
                                 "  - id: RA\n"
                                 "    title: 甲\n"
                                 "    if: 'true'\n"
                                 "    level: blue\n"
                                 "    clauses: [\"test-law#1\"]\n"
                                 "    suppress: 0d\n"
                                 "    message: '{params.n}/{params.m}'\n";
static const char *const SET_B = "ruleset: b\n"
                                 "params: {n: 5}\n"
                                 "rules:\n"
                                 "  - id: RB\n"
                                 "    title: 乙\n"
                                 "    if: 'true'\n"
                                 "    level: blue\n"
                                 "    clauses: [\"test-law#1\"]\n"
                                 "    suppress: 0d\n"
                                 "    message: '{params.n}'\n";

/* Messages of RA in region 3201, RA without region and RB, under the given --set list. */
static void expect_params(const rw_param_setting_t *sets, size_t n, const char *ra32,
                          const char *ra, const char *rb)
{
    const char *files[] = {"a.yaml", SET_A, "b.yaml", SET_B, NULL};
    fx_t f;
    fx_start(&f, rules_dir(NULL, files), sets, n, 0);
    assert_int_equal(
        postx(&f, "E1", "e1", "complaint", "2026-03-05T10:00:00+08:00", "'region':'320102'"),
        RW_OUT_APPLIED);
    assert_string_equal(jstr(created_by(&f, "RA"), "message"), ra32);
    assert_int_equal(postx(&f, "E2", "e1", "complaint", "2026-03-05T10:00:00+08:00", NULL),
                     RW_OUT_APPLIED);
    assert_string_equal(jstr(created_by(&f, "RA"), "message"), ra);
    assert_string_equal(jstr(created_by(&f, "RB"), "message"), rb);
    fx_close(&f);
}

static void set_overrides_params_last_and_a_rule_prefix_limits_it(void **state)
{
    (void)state;
    expect_params(NULL, 0, "2/x", "1/x", "5");
    /* over params and overrides, in every ruleset declaring the name */
    rw_param_setting_t all[] = {{.name = "n", .value = "7"}};
    expect_params(all, 1, "7/x", "7/x", "7");
    /* RULE: limits it to that rule's ruleset; values are YAML scalars; later ones win */
    char a1[] = "RB:n=abc", a2[] = "m=true", a3[] = "RA:n=0.5", a4[] = "RA:n='9'";
    rw_param_setting_t some[4];
    assert_int_equal(rw_param_setting_parse(a1, &some[0]), 0);
    assert_string_equal(some[0].rule, "RB");
    assert_string_equal(some[0].name, "n");
    assert_string_equal(some[0].value, "abc");
    assert_int_equal(rw_param_setting_parse(a2, &some[1]), 0);
    assert_null(some[1].rule);
    assert_int_equal(rw_param_setting_parse(a3, &some[2]), 0);
    assert_int_equal(rw_param_setting_parse(a4, &some[3]), 0);
    expect_params(some, 3, "0.5/true", "0.5/true", "abc");
    expect_params(some, 4, "9/true", "9/true", "abc");
    char bad1[] = "noequals", bad2[] = "=1", bad3[] = "R:=1";
    rw_param_setting_t s;
    assert_int_equal(rw_param_setting_parse(bad1, &s), -1);
    assert_int_equal(rw_param_setting_parse(bad2, &s), -1);
    assert_int_equal(rw_param_setting_parse(bad3, &s), -1);
}

static void set_rejects_unknown_params_rules_and_non_scalars(void **state)
{
    (void)state;
    const char *files[] = {"a.yaml", SET_A, "b.yaml", SET_B, NULL};
    char *dir = rules_dir(NULL, files);
    struct {
        rw_param_setting_t set;
        const char *msg;
    } cases[] = {
        {{.name = "zz", .value = "1"}, "zz"},
        {{.rule = "NOPE", .name = "n", .value = "1"}, "NOPE"},
        /* RA's ruleset does not declare a param only RB's has */
        {{.rule = "RB", .name = "m", .value = "1"}, "m"},
        {{.name = "n", .value = "[1, 2]"}, "n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rw_diags_t d;
        rw_diags_init(&d);
        rw_load_opts_t o = {
            .rules_dir = dir, .sets = &cases[i].set, .n_sets = 1, .today = day("2026-11-01")};
        rw_rules_t *r = (rw_rules_t *)1;
        assert_int_equal(rw_rules_load(&r, &o, &d), -1);
        assert_null(r);
        const char *first = rw_diags_first_error(&d);
        assert_non_null(strstr(first, "--set:1:1: error: "));
        assert_non_null(strstr(first, cases[i].msg));
        rw_diags_free(&d);
    }
    rw_rmtree(dir);
    free(dir);
}

/* `check` types a param by what --set makes it: a number param compared with null is
 * an error, unless --set gives it null. */
static void set_value_kind_counts_in_the_check(void **state)
{
    (void)state;
    const char *files[] = {"a.yaml",
                           "ruleset: a\n"
                           "params: {n: 1}\n"
                           "rules:\n"
                           "  - id: RN\n"
                           "    title: 空\n"
                           "    if: 'params.n == null'\n"
                           "    level: blue\n"
                           "    clauses: [\"test-law#1\"]\n"
                           "    suppress: 0d\n",
                           NULL};
    char *dir = rules_dir(NULL, files);
    rw_diags_t d;
    rw_diags_init(&d);
    rw_load_opts_t o = {.rules_dir = dir, .today = day("2026-11-01")};
    rw_rules_t *r = (rw_rules_t *)1;
    assert_int_equal(rw_rules_load(&r, &o, &d), -1);
    assert_non_null(strstr(rw_diags_first_error(&d), "a.yaml:6:10: error: "));
    rw_diags_free(&d);
    rw_rmtree(dir);
    free(dir);
    rw_param_setting_t unset = {.name = "n", .value = "~"};
    fx_t f;
    fx_start(&f, rules_dir(NULL, files), &unset, 1, 0);
    assert_int_equal(postx(&f, "E1", "e1", "complaint", "2026-03-05T10:00:00+08:00", NULL),
                     RW_OUT_APPLIED);
    assert_non_null(created_by(&f, "RN"));
    fx_close(&f);
}

/* ---- levels, suppression, shadow, legal basis --------------------------------------- */

#define LEVEL_RULE(id, levels, suppress)                                                           \
    "  - id: " id "\n"                                                                             \
    "    title: 等级\n"                                                                          \
    "    if: 'attrs.x >= 0'\n"                                                                     \
    "    level: " levels "\n"                                                                      \
    "    clauses: [\"test-law#1\"]\n"                                                              \
    "    suppress: " suppress "\n"

static void level_maps_try_red_orange_yellow_blue_then_default(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f,
            "ruleset: lv\nrules:\n" LEVEL_RULE(
                "MAP",
                "{blue: 'attrs.x >= 1', yellow: 'attrs.x >= 2', orange: 'attrs.x >= 3', "
                "red: 'attrs.x >= 4', default: yellow}",
                "0d") LEVEL_RULE("NODEF", "{orange: 'attrs.x >= 3', blue: 'attrs.x >= 1'}", "0d"));
    struct {
        int x;
        const char *map, *nodef;
    } cases[] = {{5, "red", "orange"},  {4, "red", "orange"}, {3, "orange", "orange"},
                 {2, "yellow", "blue"}, {1, "blue", "blue"},  {0, "yellow", NULL}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char id[16], extra[32];
        snprintf(id, sizeof id, "x%zu", i);
        snprintf(extra, sizeof extra, "'attrs':{'x':%d}", cases[i].x);
        applied(&f, id, "complaint", "2026-03-05T10:00:00+08:00", extra);
        assert_string_equal(jstr(created_by(&f, "MAP"), "level"), cases[i].map);
        json_t *l = created_by(&f, "NODEF");
        if (cases[i].nodef)
            assert_string_equal(jstr(l, "level"), cases[i].nodef);
        else
            assert_null(l);
    }
    /* no level and nothing else: not a trigger, so nothing is counted for it */
    const rw_engine_stats_t *st = rw_engine_stats(f.eng);
    assert_int_equal(st->leads_created, 11);
    assert_int_equal(st->triggers_unbacked, 0);
    assert_int_equal(st->leads_suppressed, 0);
    fx_close(&f);
}

static void suppression_in_days_compares_local_dates(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, "ruleset: sp\nrules:\n" LEVEL_RULE("S3D", "orange", "3d"));
    char id1[22], id3[22], id4[22];
    applied(&f, "s1", "complaint", "2026-03-10T23:00:00+08:00", "'attrs':{'x':1}");
    json_t *l = created_by(&f, "S3D");
    rw_lead_id("S3D", ENT, strlen(ENT), "s1", 2, id1);
    assert_string_equal(jstr(l, "id"), id1);
    /* almost 49 hours later but two local days: suppressed, a new revision of the same lead */
    applied(&f, "s2", "complaint", "2026-03-12T23:59:59+08:00", "'attrs':{'x':1}");
    assert_int_equal(n_fresh(&f), 1);
    l = fresh(&f, 0);
    assert_string_equal(jstr(l, "id"), id1);
    assert_int_equal(jint(l, "revision"), 2);
    assert_int_equal(jint(l, "hits"), 2);
    assert_string_equal(jstr(l, "trigger_event"), "s1");
    /* one second later, the third local day: a new lead */
    applied(&f, "s3", "complaint", "2026-03-13T00:00:00+08:00", "'attrs':{'x':1}");
    l = created_by(&f, "S3D");
    assert_non_null(l);
    rw_lead_id("S3D", ENT, strlen(ENT), "s3", 2, id3);
    assert_string_equal(jstr(l, "id"), id3);
    assert_true(json_is_null(json_object_get(l, "escalates")));
    assert_int_equal(jint(l, "hits"), 1);
    /* earlier dates count too: |Δ| = 3 from the reference (s3) is outside */
    applied(&f, "s4", "complaint", "2026-03-10T01:00:00+08:00", "'attrs':{'x':1}");
    l = created_by(&f, "S3D");
    assert_non_null(l);
    rw_lead_id("S3D", ENT, strlen(ENT), "s4", 2, id4);
    assert_string_equal(jstr(l, "id"), id4);
    /* s4 is now the reference: two days before it is inside */
    applied(&f, "s5", "complaint", "2026-03-08T12:00:00+08:00", "'attrs':{'x':1}");
    assert_int_equal(n_fresh(&f), 1);
    assert_string_equal(jstr(fresh(&f, 0), "id"), id4);
    assert_int_equal(jint(fresh(&f, 0), "hits"), 2);
    const rw_engine_stats_t *st = rw_engine_stats(f.eng);
    assert_int_equal(st->leads_created, 3);
    assert_int_equal(st->leads_suppressed, 2);
    assert_int_equal(st->lead_revisions, 5);
    fx_close(&f);
}

static void suppression_in_hours_compares_local_hours(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, "ruleset: sp\nrules:\n" LEVEL_RULE("S2H", "orange", "2h"));
    applied(&f, "h1", "complaint", "2026-03-10T10:59:00+08:00", "'attrs':{'x':1}");
    assert_non_null(created_by(&f, "S2H"));
    applied(&f, "h2", "complaint", "2026-03-10T11:00:00+08:00", "'attrs':{'x':1}");
    assert_null(created_by(&f, "S2H"));
    assert_int_equal(jint(fresh(&f, 0), "hits"), 2);
    /* 61 minutes after h1, but two local hours: a new lead */
    applied(&f, "h3", "complaint", "2026-03-10T12:00:00+08:00", "'attrs':{'x':1}");
    assert_string_equal(jstr(created_by(&f, "S2H"), "trigger_event"), "h3");
    applied(&f, "h4", "complaint", "2026-03-10T13:59:59+08:00", "'attrs':{'x':1}");
    assert_null(created_by(&f, "S2H"));
    assert_string_equal(jstr(fresh(&f, 0), "trigger_event"), "h3");
    applied(&f, "h5", "complaint", "2026-03-10T14:00:00+08:00", "'attrs':{'x':1}");
    assert_string_equal(jstr(created_by(&f, "S2H"), "trigger_event"), "h5");
    fx_close(&f);
}

static const char *const ESCALATE =
    "ruleset: esc\nrules:\n" LEVEL_RULE("ESC", "{red: 'attrs.x >= 3', default: yellow}", "30d");

static void a_no_more_severe_trigger_adds_a_hit_to_a_new_revision(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, ESCALATE);
    applied(&f, "e1", "complaint", "2026-03-01T10:00:00+08:00", "'attrs':{'x':1}");
    json_t *first = json_deep_copy(created_by(&f, "ESC"));
    applied(&f, "e2", "complaint", "2026-03-02T10:00:00+08:00", "'attrs':{'x':1}");
    assert_int_equal(n_fresh(&f), 1);
    json_t *second = json_deep_copy(fresh(&f, 0));
    assert_int_equal(jint(second, "revision"), 2);
    assert_int_equal(jint(second, "hits"), 2);
    /* the same record otherwise: same id, trigger, level, evidence, message */
    json_object_del(first, "revision");
    json_object_del(first, "hits");
    json_object_del(second, "revision");
    json_object_del(second, "hits");
    assert_true(json_equal(first, second));
    applied(&f, "e3", "complaint", "2026-03-03T10:00:00+08:00", "'attrs':{'x':1}");
    assert_int_equal(jint(fresh(&f, 0), "revision"), 3);
    assert_int_equal(jint(fresh(&f, 0), "hits"), 3);
    json_decref(first);
    json_decref(second);
    fx_close(&f);
}

static void a_more_severe_trigger_escalates_only_inside_the_window(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, ESCALATE);
    applied(&f, "e1", "complaint", "2026-03-01T10:00:00+08:00", "'attrs':{'x':1}");
    char id1[22];
    snprintf(id1, sizeof id1, "%s", jstr(created_by(&f, "ESC"), "id"));
    /* red inside the window: a new lead naming the yellow one */
    applied(&f, "e2", "complaint", "2026-03-20T10:00:00+08:00", "'attrs':{'x':3}");
    json_t *red = created_by(&f, "ESC");
    assert_non_null(red);
    assert_string_equal(jstr(red, "level"), "red");
    assert_string_equal(jstr(red, "escalates"), id1);
    assert_int_equal(jint(red, "hits"), 1);
    char id2[22];
    snprintf(id2, sizeof id2, "%s", jstr(red, "id"));
    /* the red lead is now the reference: yellow and red add hits to it */
    applied(&f, "e3", "complaint", "2026-03-21T10:00:00+08:00", "'attrs':{'x':1}");
    assert_null(created_by(&f, "ESC"));
    assert_string_equal(jstr(fresh(&f, 0), "id"), id2);
    assert_int_equal(jint(fresh(&f, 0), "hits"), 2);
    applied(&f, "e4", "complaint", "2026-03-22T10:00:00+08:00", "'attrs':{'x':4}");
    assert_string_equal(jstr(fresh(&f, 0), "id"), id2);
    assert_int_equal(jint(fresh(&f, 0), "hits"), 3);
    /* outside the window (30 local days after e2): a new lead, even at a lower level */
    applied(&f, "e5", "complaint", "2026-04-19T00:00:00+08:00", "'attrs':{'x':1}");
    json_t *y = created_by(&f, "ESC");
    assert_string_equal(jstr(y, "level"), "yellow");
    assert_true(json_is_null(json_object_get(y, "escalates")));
    /* more severe but outside the window: a new lead that escalates nothing */
    applied(&f, "e6", "complaint", "2026-05-19T10:00:00+08:00", "'attrs':{'x':5}");
    red = created_by(&f, "ESC");
    assert_string_equal(jstr(red, "level"), "red");
    assert_true(json_is_null(json_object_get(red, "escalates")));
    const json_t *counts = rw_engine_lead_counts(f.eng);
    assert_json(json_object_get(counts, "ESC"), "{'yellow':2,'red':2}");
    fx_close(&f);
}

static void shadow_rules_emit_shadow_leads_and_suppress_only_themselves(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, "ruleset: sh\nrules:\n" LEVEL_RULE("LIVE", "orange", "30d")
                    LEVEL_RULE("SHADOW", "orange", "30d") "    mode: shadow\n" LEVEL_RULE(
                        "LIVE2", "orange", "30d") "    mode: live\n");
    applied(&f, "e1", "complaint", "2026-03-01T10:00:00+08:00", "'attrs':{'x':1}");
    assert_string_equal(jstr(created_by(&f, "LIVE"), "mode"), "live");
    assert_string_equal(jstr(created_by(&f, "SHADOW"), "mode"), "shadow");
    assert_string_equal(jstr(created_by(&f, "LIVE2"), "mode"), "live");
    /* each rule's own earlier lead suppresses it, shadow or live */
    applied(&f, "e2", "complaint", "2026-03-02T10:00:00+08:00", "'attrs':{'x':1}");
    assert_int_equal(n_fresh(&f), 3);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(jint(fresh(&f, i), "hits"), 2);
    assert_string_equal(jstr(fresh(&f, 1), "mode"), "shadow");
    fx_close(&f);
}

/* A red shadow lead for the entity does not hold back, or get escalated by, a live
 * rule's later trigger on the same entity. */
static void a_shadow_lead_does_not_suppress_a_live_rule(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, "ruleset: sh\nrules:\n"
                "  - {id: SH, title: 影子, if: 'attrs.x >= 1', level: red, clauses: "
                "[\"test-law#1\"], mode: shadow}\n"
                "  - {id: LV, title: 正式, if: 'attrs.x >= 2', level: yellow, clauses: "
                "[\"test-law#1\"]}\n");
    applied(&f, "e1", "complaint", "2026-03-01T10:00:00+08:00", "'attrs':{'x':1}");
    assert_non_null(created_by(&f, "SH"));
    assert_null(created_by(&f, "LV"));
    applied(&f, "e2", "complaint", "2026-03-02T10:00:00+08:00", "'attrs':{'x':2}");
    json_t *lv = created_by(&f, "LV");
    assert_non_null(lv);
    assert_true(json_is_null(json_object_get(lv, "escalates")));
    assert_int_equal(jint(lv, "hits"), 1);
    fx_close(&f);
}

static void triggers_without_a_clause_in_force_are_unbacked_and_change_nothing(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f,
            "ruleset: ub\nrules:\n"
            "  - {id: NEW, title: 新条款, if: 'true', level: orange, clauses: [\"test-law#3\"]}\n"
            "  - {id: MIX, title: 新旧, if: 'true', level: orange, suppress: 0d,\n"
            "     clauses: [\"test-law#1\", \"test-law#3\"]}\n"
            "  - {id: OLD, title: 已废止, if: 'true', level: orange, clauses: [\"old-law#1\"]}\n");
    /* 第三条 takes force on 2026-06-01: the day before, no basis */
    applied(&f, "u1", "complaint", "2026-05-31T23:59:59+08:00", NULL);
    assert_null(created_by(&f, "NEW"));
    const rw_engine_stats_t *st = rw_engine_stats(f.eng);
    assert_int_equal(st->triggers_unbacked, 1);
    json_t *mix = created_by(&f, "MIX");
    assert_int_equal(json_array_size(json_object_get(mix, "clauses")), 1);
    assert_json(
        json_array_get(json_object_get(mix, "clauses"), 0),
        "{'ref':'test-law#1','law':'中华人民共和国测试法','version':'2020-01-01','label':'第一条',"
        "'text':'经营者应当诚信经营。','changed':null}");
    json_t *old = created_by(&f, "OLD");
    assert_json(json_object_get(json_array_get(json_object_get(old, "clauses"), 0), "changed"),
                "{'date':'2026-07-01','repealed':true}");
    /* local midnight of June 1st (16:00Z on May 31st): a lead, not suppressed by u1 */
    applied(&f, "u2", "complaint", "2026-05-31T16:00:00Z", NULL);
    json_t *l = created_by(&f, "NEW");
    assert_non_null(l);
    assert_int_equal(jint(l, "hits"), 1);
    assert_true(json_is_null(json_object_get(l, "escalates")));
    json_t *c = json_array_get(json_object_get(l, "clauses"), 0);
    assert_string_equal(jstr(c, "version"), "2026-06-01");
    assert_string_equal(jstr(c, "label"), "第三条");
    assert_string_equal(jstr(c, "text"), "平台经营者应当核验经营者身份。");
    assert_int_equal(json_array_size(json_object_get(created_by(&f, "MIX"), "clauses")), 2);
    /* OLD's second trigger, backed, adds a hit */
    assert_null(created_by(&f, "OLD"));
    assert_int_equal(jint(fresh(&f, n_fresh(&f) - 1), "hits"), 2);
    /* the repealed law stops backing OLD on its repeal date: inside the window, yet
     * no hit and no revision */
    applied(&f, "u3", "complaint", "2026-07-01T00:00:00+08:00", NULL);
    for (size_t i = 0; i < n_fresh(&f); i++)
        assert_string_not_equal(jstr(fresh(&f, i), "rule"), "OLD");
    assert_int_equal(st->triggers_unbacked, 2);
    assert_int_equal(st->leads_suppressed, 1);
    fx_close(&f);
}

/* ---- evidence, events, ids, messages, due dates, the record --------------------------- */

static void evidence_lists_every_call_once_in_source_order(void **state)
{
    (void)state;
    fx_t f;
    fx_open(
        &f,
        "ruleset: ev\n"
        "params: {big: 100}\n"
        "rules:\n"
        "  - id: EV\n"
        "    title: 证据\n"
        "    if: 'count(complaint, 7d) >= 1 or (sum(complaint, attrs.amount, 7d) > params.big and\n"
        "         count(complaint, 7d) >= 1) or max(complaint, attrs.amount, 30d) < 0'\n"
        "    level: {red: 'count(sampling, 30d) >= 1', default: orange}\n"
        "    clauses: [\"test-law#1\"]\n"
        "    message: '{avg(penalty, attrs.amount, 30d)}'\n"
        "  - id: LAST\n"
        "    title: 最近\n"
        "    if: 'last(complaint, attrs.category) == \"food\" and since(complaint) >= 0'\n"
        "    level: blue\n"
        "    clauses: [\"test-law#1\"]\n");
    applied(&f, "e1", "complaint", "2026-03-05T10:00:00+08:00",
            "'attrs':{'amount':5,'category':'food'}");
    /* `or` needs only the first comparison; the others are still evaluated and listed;
     * calls of level and message are not evidence */
    json_t *l = created_by(&f, "EV");
    assert_json(
        json_object_get(l, "evidence"),
        "[{'expr':'count(complaint, 7d)','value':1,'compared':'>=','threshold':1},"
        " {'expr':'sum(complaint, attrs.amount, 7d)','value':5,'compared':'>','threshold':100},"
        " {'expr':'max(complaint, attrs.amount, 30d)','value':5,'compared':'<','threshold':0}]");
    assert_json(json_object_get(l, "events"), "['e1']");
    /* last/since are evidence, with string and number thresholds; they list no events */
    l = created_by(&f, "LAST");
    assert_json(json_object_get(l, "evidence"),
                "[{'expr':'last(complaint, "
                "attrs.category)','value':'food','compared':'==','threshold':'food'},"
                " {'expr':'since(complaint)','value':0,'compared':'>=','threshold':0}]");
    assert_json(json_object_get(l, "events"), "[]");
    fx_close(&f);
}

static void evidence_reads_call_second_comparisons_mirrored(void **state)
{
    (void)state;
    fx_t f;
    fx_open(
        &f,
        "ruleset: ev\n"
        "params: {low: 2}\n"
        "overrides: {\"32\": {low: 1}}\n"
        "rules:\n"
        "  - id: MIRROR\n"
        "    title: 镜像\n"
        "    if: '5 <= count(complaint, 7d) or count(complaint, 30d) > count(sampling, 30d) or\n"
        "         2 * count(complaint, 7d) >= 2 or 3 > avg(complaint, attrs.amount, 30d) or\n"
        "         params.low == min(complaint, attrs.amount, 30d) or\n"
        "         distinct(complaint, attrs.category, 30d) + 1 >= 9'\n"
        "    level: yellow\n"
        "    clauses: [\"test-law#1\"]\n");
    applied(&f, "e1", "complaint", "2026-03-05T10:00:00+08:00",
            "'region':'320102','attrs':{'amount':1.5}");
    /* call-second comparisons read call-first; a call compared with a call, or inside
     * arithmetic, has no threshold; thresholds use the params in force for the region */
    assert_json(
        json_object_get(created_by(&f, "MIRROR"), "evidence"),
        "[{'expr':'count(complaint, 7d)','value':1,'compared':'>=','threshold':5},"
        " {'expr':'count(complaint, 30d)','value':1},"
        " {'expr':'count(sampling, 30d)','value':0},"
        " {'expr':'avg(complaint, attrs.amount, 30d)','value':1.5,'compared':'<','threshold':3},"
        " {'expr':'min(complaint, attrs.amount, 30d)','value':1.5,'compared':'==','threshold':1},"
        " {'expr':'distinct(complaint, attrs.category, 30d)','value':0}]");
    fx_close(&f);
}

static void events_are_the_newest_50_by_time_oldest_first(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, "ruleset: ev\nrules:\n"
                "  - {id: MANY, title: 多, if: 'count(complaint, 1d) >= 60', level: red,\n"
                "     clauses: [\"test-law#1\"]}\n");
    /* 60 events processed in a scrambled order; e1 … e60 by time */
    for (int k = 0; k < 60; k++) {
        int i = (k * 7) % 60 + 1;
        char id[8], time[40];
        snprintf(id, sizeof id, "e%d", i);
        snprintf(time, sizeof time, "2026-03-05T10:%02d:00+08:00", i - 1);
        applied(&f, id, "complaint", time, NULL);
    }
    json_t *events = json_object_get(created_by(&f, "MANY"), "events");
    assert_int_equal(json_array_size(events), 50);
    for (size_t i = 0; i < 50; i++) {
        char want[8];
        snprintf(want, sizeof want, "e%zu", i + 11);
        assert_string_equal(json_string_value(json_array_get(events, i)), want);
    }
    fx_close(&f);
}

static void events_with_equal_times_keep_processing_order(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, "ruleset: ev\nrules:\n"
                "  - {id: TIE, title: 同时, if: 'count(complaint, 1d) >= 4', level: red,\n"
                "     clauses: [\"test-law#1\"]}\n");
    applied(&f, "b", "complaint", "2026-03-05T10:00:00+08:00", NULL);
    applied(&f, "a", "complaint", "2026-03-05T09:00:00+08:00", NULL);
    applied(&f, "c", "complaint", "2026-03-05T10:00:00+08:00", NULL);
    /* later the same day, processed last */
    applied(&f, "d", "complaint", "2026-03-05T08:00:00+08:00", NULL);
    assert_json(json_object_get(created_by(&f, "TIE"), "events"), "['d','a','b','c']");
    fx_close(&f);
}

static void events_are_the_union_of_the_if_windows_each_event_once(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, "ruleset: ev\n"
                "streams:\n"
                "  food: 'type == \"complaint\" and attrs.category == \"food\"'\n"
                "rules:\n"
                "  - id: UNION\n"
                "    title: 并集\n"
                "    if: 'count(food, 1d) >= 1 and count(complaint, 3d) >= 3'\n"
                "    level: {red: 'count(penalty, 30d) >= 1', default: yellow}\n"
                "    clauses: [\"test-law#1\"]\n"
                "    message: '{count(sampling, 30d)}'\n");
    applied(&f, "k1", "complaint", "2026-03-05T10:00:00+08:00", "'attrs':{'category':'price'}");
    applied(&f, "k2", "complaint", "2026-03-08T10:00:00+08:00", "'attrs':{'category':'food'}");
    applied(&f, "p1", "penalty", "2026-03-09T10:00:00+08:00", NULL);
    applied(&f, "s1", "sampling", "2026-03-09T11:00:00+08:00", NULL);
    applied(&f, "k3", "complaint", "2026-03-09T12:00:00+08:00", "'attrs':{'category':'price'}");
    applied(&f, "k5", "complaint", "2026-03-11T09:00:00+08:00", "'attrs':{'category':'food'}");
    applied(&f, "k4", "complaint", "2026-03-10T10:00:00+08:00", "'attrs':{'category':'food'}");
    /* k1 is outside every window, k5 after the trigger's date; k4 is in both streams */
    json_t *l = created_by(&f, "UNION");
    assert_non_null(l);
    assert_string_equal(jstr(l, "level"), "red");
    assert_json(json_object_get(l, "events"), "['k2','k3','k4']");
    fx_close(&f);
}

static void lead_id_is_L_and_20_hex_of_sha256(void **state)
{
    (void)state;
    char id[22];
    rw_lead_id("FOOD-COMPLAINT-SURGE", ENT, strlen(ENT), "12315-2026-0000123", 18, id);
    assert_string_equal(id, "Le3fc5863b8c06b64966d");
    fx_t f;
    fx_open(
        &f,
        "ruleset: id\nrules:\n"
        "  - {id: RULE.A_1-x, title: 编号, if: 'true', level: red, clauses: [\"test-law#1\"]}\n");
    const char *entity = "实体-1";
    assert_int_equal(postx(&f, entity, "事件#1", "complaint", "2026-03-05T10:00:00+08:00", NULL),
                     RW_OUT_APPLIED);
    const char *msg = "RULE.A_1-x\x1f实体-1\x1f事件#1";
    unsigned char md[32];
    unsigned int n = 0;
    assert_int_equal(EVP_Digest(msg, strlen(msg), md, &n, EVP_sha256(), NULL), 1);
    char want[22] = "L";
    for (int i = 0; i < 10; i++)
        snprintf(want + 1 + 2 * i, 3, "%02x", md[i]);
    assert_string_equal(jstr(created_by(&f, "RULE.A_1-x"), "id"), want);
    fx_close(&f);
}

static void message_placeholders_print_numbers_as_rules_md_says(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, "ruleset: msg\nrules:\n"
                "  - id: MSG\n"
                "    title: 消息\n"
                "    if: 'true'\n"
                "    level: red\n"
                "    clauses: [\"test-law#1\"]\n"
                "    suppress: 0d\n"
                "    message: '共{count(complaint, 30d)}次 比例{attrs.x / 6} 空[{attrs.none}] "
                "和{0.1 + 0.2} "
                "负{0 - attrs.x} 半{attrs.x / 2} 大{attrs.x * 1e15} 除零[{attrs.x / 0}] {{字面}} "
                "{attrs.category}'\n"
                "  - {id: TITLE, title: 没有消息时用标题, if: 'true', level: red, clauses: "
                "[\"test-law#1\"]}\n");
    applied(&f, "m1", "complaint", "2026-03-05T10:00:00+08:00",
            "'attrs':{'x':5,'category':'食品'}");
    assert_string_equal(jstr(created_by(&f, "TITLE"), "message"), "没有消息时用标题");
    applied(&f, "m2", "complaint", "2026-03-05T11:00:00+08:00",
            "'attrs':{'x':5,'category':'食品'}");
    assert_string_equal(
        jstr(created_by(&f, "MSG"), "message"),
        "共2次 比例0.8333333333333334 空[] 和0.30000000000000004 负-5 半2.5 大5000000000000000 "
        "除零[] {字面} 食品");
    fx_close(&f);
}

static void due_dates_count_working_days_from_the_pinned_clock(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, "ruleset: due\nrules:\n"
                "  - {id: RED, title: 红, if: 'true', level: red, clauses: [\"test-law#1\"]}\n"
                "  - {id: BLUE, title: 蓝, if: 'true', level: blue, clauses: [\"test-law#1\"]}\n");
    /* Friday before the 2026 Spring Festival: Saturday the 14th is worked (调休) */
    setenv("REGWATCH_NOW", "2026-02-13T10:00:00+08:00", 1);
    applied(&f, "e1", "complaint", "2026-02-13T09:00:00+08:00", NULL);
    json_t *red = created_by(&f, "RED"), *blue = created_by(&f, "BLUE");
    assert_string_equal(jstr(red, "created_at"), "2026-02-13T10:00:00.000+08:00");
    assert_json(json_object_get(red, "due"),
                "{'accept_by':'2026-02-14T23:59:59+08:00','close_by':'2026-03-02T23:59:59+08:00'}");
    assert_json(json_object_get(blue, "due"),
                "{'accept_by':'2026-02-27T23:59:59+08:00','close_by':'2026-05-14T23:59:59+08:00'}");
    assert_true(json_is_false(json_object_get(red, "overdue")));
    /* the clock, not the event time, starts the deadline; 16:30Z is already Saturday locally */
    setenv("REGWATCH_NOW", "2026-02-13T16:30:00Z", 1);
    applied(&f, "e2", "complaint", "2026-04-01T09:00:00+08:00", NULL);
    assert_string_equal(jstr(created_by(&f, "RED"), "created_at"), "2026-02-14T00:30:00.000+08:00");
    assert_string_equal(jstr(json_object_get(created_by(&f, "RED"), "due"), "accept_by"),
                        "2026-02-24T23:59:59+08:00");
    setenv("REGWATCH_NOW", NOW, 1);
    fx_close(&f);
}

/* leads.md: every revision is the whole record, `overdue` as of its making. A suppressed
 * trigger after the deadline passed makes a revision that says so, whether the lead's
 * text was held in memory (A) or read back from the store after a restart (B). */
static void a_suppressed_triggers_revision_is_overdue_once_a_deadline_passed(void **state)
{
    (void)state;
    fx_t f;
    const char *files[] = {"rs.yaml", "ruleset: od\nrules:\n" LEVEL_RULE("OD", "red", "400d"),
                           NULL};
    fx_start(&f, rules_dir(NULL, files), NULL, 0, 1);
    setenv("REGWATCH_NOW", "2026-03-02T10:00:00+08:00", 1); /* accept_by: 03-03 23:59:59 */
    applied(&f, "a1", "complaint", "2026-03-01T09:00:00+08:00", "'attrs':{'x':1}");
    assert_true(json_is_false(json_object_get(created_by(&f, "OD"), "overdue")));
    postx(&f, "B", "b1", "complaint", "2026-03-01T09:00:00+08:00", "'attrs':{'x':1}");
    assert_true(json_is_false(json_object_get(created_by(&f, "OD"), "overdue")));
    /* the last second of accept_by: not yet */
    setenv("REGWATCH_NOW", "2026-03-03T23:59:59+08:00", 1);
    applied(&f, "a2", "complaint", "2026-03-01T10:00:00+08:00", "'attrs':{'x':1}");
    assert_int_equal(jint(fresh(&f, 0), "revision"), 2);
    assert_true(json_is_false(json_object_get(fresh(&f, 0), "overdue")));
    setenv("REGWATCH_NOW", "2026-03-04T00:00:01+08:00", 1);
    applied(&f, "a3", "complaint", "2026-03-01T11:00:00+08:00", "'attrs':{'x':1}");
    assert_int_equal(jint(fresh(&f, 0), "revision"), 3);
    assert_true(json_is_true(json_object_get(fresh(&f, 0), "overdue")));
    applied(&f, "a4", "complaint", "2026-03-01T12:00:00+08:00", "'attrs':{'x':1}");
    assert_int_equal(jint(fresh(&f, 0), "hits"), 4);
    assert_true(json_is_true(json_object_get(fresh(&f, 0), "overdue")));
    char err[256];
    assert_int_equal(rw_engine_commit(f.eng, err, sizeof err), 0);
    fx_restart(&f);
    assert_int_equal(
        postx(&f, "B", "b2", "complaint", "2026-03-01T10:00:00+08:00", "'attrs':{'x':1}"),
        RW_OUT_APPLIED);
    assert_int_equal(jint(fresh(&f, 0), "revision"), 2);
    assert_true(json_is_true(json_object_get(fresh(&f, 0), "overdue")));
    setenv("REGWATCH_NOW", NOW, 1);
    fx_close(&f);
}

static void the_lead_record_has_every_documented_field(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, "ruleset: food\n"
                "streams:\n"
                "  food_complaint: 'type == \"complaint\" and attrs.category == \"food\"'\n"
                "params: {min_complaints: 2}\n"
                "rules:\n"
                "  - id: FOOD-COMPLAINT-SURGE\n"
                "    title: 食品投诉短期激增\n"
                "    on: food_complaint\n"
                "    if: 'count(food_complaint, 30d) >= params.min_complaints'\n"
                "    level: orange\n"
                "    clauses: [\"test-law#1\", \"测试法#2.1.1\"]\n"
                "    item: \"SC-T-001\"\n"
                "    message: '近30天食品类投诉 {count(food_complaint, 30d)} 次'\n");
    applied(&f, "12315-2026-0000101", "complaint", "2026-03-01T09:00:00+08:00",
            "'region':'320102','attrs':{'category':'food'},'profile':{'name':'某某食品有限公司','"
            "region':'320102'}");
    assert_int_equal(n_fresh(&f), 0);
    applied(&f, "12315-2026-0000123", "complaint", "2026-03-04T10:15:00+08:00",
            "'region':'320102','source':'12315','attrs':{'category':'food','channel':'hotline','"
            "amount':120.5}");
    assert_int_equal(n_fresh(&f), 1);
    json_t *l = fresh(&f, 0);
    /* the sink's text is the record */
    json_t *from_text = json_loads(json_string_value(json_array_get(f.texts, f.mark)), 0, NULL);
    assert_true(json_equal(from_text, l));
    json_decref(from_text);

    char id[22];
    rw_lead_id("FOOD-COMPLAINT-SURGE", ENT, strlen(ENT), "12315-2026-0000123", 18, id);
    assert_string_equal(jstr(l, "id"), id);
    assert_int_equal(jint(l, "revision"), 1);
    assert_string_equal(jstr(l, "rule"), "FOOD-COMPLAINT-SURGE");
    assert_string_equal(jstr(l, "rule_title"), "食品投诉短期激增");
    assert_string_equal(jstr(l, "ruleset"), "food");
    const char *hash = jstr(l, "rule_hash");
    assert_int_equal(strlen(hash), 16);
    assert_int_equal(strspn(hash, "0123456789abcdef"), 16);
    assert_string_equal(jstr(l, "mode"), "live");
    assert_string_equal(jstr(l, "entity"), ENT);
    assert_string_equal(jstr(l, "entity_name"), "某某食品有限公司");
    assert_string_equal(jstr(l, "region"), "320102");
    assert_string_equal(jstr(l, "department"), "测试监管处");
    assert_string_equal(jstr(l, "level"), "orange");
    assert_int_equal(jint(l, "hits"), 1);
    assert_true(json_is_null(json_object_get(l, "escalates")));
    assert_string_equal(jstr(l, "trigger_event"), "12315-2026-0000123");
    assert_string_equal(jstr(l, "event_time"), "2026-03-04T10:15:00+08:00");
    assert_string_equal(jstr(l, "created_at"), "2026-11-01T09:00:00.000+08:00");
    assert_json(json_object_get(l, "evidence"),
                "[{'expr':'count(food_complaint, 30d)','value':2,'compared':'>=','threshold':2}]");
    assert_json(json_object_get(l, "events"), "['12315-2026-0000101','12315-2026-0000123']");
    assert_json(json_object_get(l, "models"), "[]");
    assert_json(
        json_object_get(l, "clauses"),
        "[{'ref':'test-law#1','law':'中华人民共和国测试法','version':'2020-01-01','label':'第一条',"
        "  'text':'经营者应当诚信经营。','changed':null},"
        " {'ref':'测试法#2.1.1','law':'中华人民共和国测试法','version':'2020-01-01',"
        "  'label':'第二条第一款第一项','text':'（一）虚假宣传；','changed':null}]");
    assert_json(json_object_get(l, "item"), "{'code':'SC-T-001','name':'测试监督检查事项'}");
    assert_string_equal(jstr(l, "message"), "近30天食品类投诉 2 次");
    assert_string_equal(jstr(l, "status"), "new");
    assert_true(json_is_null(json_object_get(l, "assignee")));
    json_t *due = json_object_get(l, "due");
    assert_true(json_is_string(json_object_get(due, "accept_by")));
    assert_true(json_is_string(json_object_get(due, "close_by")));
    assert_true(json_is_false(json_object_get(l, "overdue")));
    assert_true(json_is_null(json_object_get(l, "disposition")));
    /* every key of leads.md's example is there */
    static const char *const keys[] = {
        "id",       "revision",  "rule",          "rule_title", "ruleset",    "rule_hash",
        "mode",     "entity",    "entity_name",   "region",     "department", "level",
        "hits",     "escalates", "trigger_event", "event_time", "created_at", "evidence",
        "events",   "models",    "clauses",       "item",       "message",    "status",
        "assignee", "due",       "overdue",       "disposition"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        if (!json_object_get(l, keys[i])) fprintf(stderr, "missing %s\n", keys[i]);
        assert_non_null(json_object_get(l, keys[i]));
    }
    fx_close(&f);
}

static const char *hash_of(const char *rule_yaml)
{
    static char hash[17];
    fx_t f;
    rw_buf_t b;
    rw_buf_init(&b);
    rw_buf_printf(&b, "ruleset: h\nrules:\n%s", rule_yaml);
    fx_open(&f, b.data);
    rw_buf_free(&b);
    applied(&f, "e1", "complaint", "2026-03-05T10:00:00+08:00", NULL);
    snprintf(hash, sizeof hash, "%s", jstr(created_by(&f, "H"), "rule_hash"));
    fx_close(&f);
    return hash;
}

static void rule_hash_ignores_yaml_layout_but_follows_the_rule(void **state)
{
    (void)state;
    char a[17], b[17], c[17];
    snprintf(a, sizeof a, "%s",
             hash_of("  - id: H\n    title: 哈希\n    if: 'true'\n    level: red\n"
                     "    clauses: [\"test-law#1\"]\n"));
    snprintf(b, sizeof b, "%s",
             hash_of("  - {clauses: ['test-law#1'], level: red,   # comment\n"
                     "     if: \"true\", title: 哈希, id: H}\n"));
    snprintf(
        c, sizeof c, "%s",
        hash_of("  - {clauses: ['test-law#1'], level: orange, if: 'true', title: 哈希, id: H}\n"));
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
}

/* ---- persistence --------------------------------------------------------------------- */

#define EA "91320102MA1AAAAA0A"
#define EB "91320102MA1BBBBB0B"

static const char *const PERSIST_RULES =
    "ruleset: persist\n"
    "streams:\n"
    "  food: 'type == \"complaint\" and attrs.category == \"food\"'\n"
    "params: {surge: 3}\n"
    "rules:\n"
    "  - id: SURGE\n"
    "    title: 投诉激增\n"
    "    on: complaint\n"
    "    if: 'count(complaint, 7d) >= params.surge'\n"
    "    level: {red: 'count(complaint, 7d) >= 5', default: orange}\n"
    "    clauses: [\"test-law#1\"]\n"
    "    suppress: 10d\n"
    "    message: '{count(complaint, 7d)}/{count(food, 30d)}/{distinct(complaint, attrs.category, "
    "30d)}/"
    "{sum(complaint, attrs.amount, 30d)}/{avg(complaint, attrs.amount, 30d)}/{max(complaint, "
    "attrs.amount, 30d)}/"
    "{min(complaint, attrs.amount, 30d)}|{profile.name}'\n"
    "  - id: REPEAT\n"
    "    title: 处罚后再投诉\n"
    "    on: complaint\n"
    "    if: 'last(penalty, attrs.amount) > 100 and since(penalty) < 30d'\n"
    "    level: yellow\n"
    "    clauses: [\"test-law#2.1.1\"]\n"
    "    suppress: 48h\n"
    "    message: '{since(penalty)}/{last(penalty, attrs.amount)}/{last(complaint, "
    "attrs.category)}'\n"
    "  - id: HOURLY\n"
    "    title: 小时内多次\n"
    "    if: 'count(complaint, 2h) >= 2'\n"
    "    level: {orange: 'count(complaint, 2h) >= 3', default: blue}\n"
    "    clauses: [\"test-law#1\"]\n"
    "    suppress: 3h\n"
    "    mode: shadow\n";

#define C(ent, id, t, cat, amt)                                                                    \
    "{'id':'" id "','type':'complaint','entity':'" ent "','time':'" t                              \
    "','attrs':{'category':'" cat "','amount':" amt "}}"

static const char *const PERSIST_EVENTS[] = {
    "{'id':'a1','type':'complaint','entity':'" EA
    "','time':'2026-03-01T09:00:00+08:00','region':'320102',"
    "'attrs':{'category':'food','amount':10},'profile':{'name':'甲店','region':'320102'}}",
    C(EA, "a2", "2026-03-01T10:30:00+08:00", "price", "20"),
    "{'id':'b1','type':'penalty','entity':'" EB
    "','time':'2026-03-01T11:00:00+08:00','attrs':{'amount':500},"
    "'profile':{'name':'乙店'}}",
    C(EA, "a3", "2026-03-02T08:00:00+08:00", "food", "5"),
    C(EB, "b2", "2026-03-02T09:00:00+08:00", "food", "1"),
    C(EA, "a4", "2026-03-01T23:00:00+08:00", "food", "7.25"),
    C(EA, "a2", "2026-03-01T10:30:00+08:00", "price", "20"),
    C(EA, "a5", "2026-03-03T12:00:00+08:00", "price", "3"),
    C(EA, "a6", "2026-03-04T12:00:00+08:00", "service", "0.5"),
    C(EB, "b3", "2026-03-02T10:00:00+08:00", "food", "2"),
    C(EB, "b3x", "2026-03-02T10:30:00+08:00", "food", "2"),
    "{'id':'b4','type':'penalty','entity':'" EB
    "','time':'2026-03-05T10:00:00+08:00','attrs':{'amount':50}}",
    C(EB, "b5", "2026-03-06T10:00:00+08:00", "price", "4"),
    C(EA, "a7", "2026-03-20T09:00:00+08:00", "food", "1"),
    "{'id':'x1','type':'sampling','entity':'" EA "','time':'2024-12-01T10:00:00+08:00'}",
    C(EA, "a8", "2026-03-21T09:00:00+08:00", "food", "1"),
    C(EA, "a9", "2026-03-22T09:00:00+08:00", "price", "1"),
    C(EA, "a10", "2026-03-22T09:30:00+08:00", "price", "1"),
    "{'id':'b1','type':'penalty','entity':'" EB
    "','time':'2026-03-01T11:00:00+08:00','attrs':{'amount':500}}",
    "{'id':'u1','type':'weather','entity':'" EB "','time':'2026-03-06T10:00:00+08:00'}",
    "{'id':'bad','type':'complaint','entity':'" EB "','time':'2026-03-06 10:00'}",
    C(EB, "b6", "2026-03-06T10:30:00+08:00", "price", "1"),
    C(EB, "b7", "2026-03-06T11:00:00+08:00", "price", "1"),
    C(EB, "b8", "2026-03-06T13:30:00+08:00", "price", "1"),
    "{'id':'a11','type':'complaint','entity':'" EA "','time':'2026-03-22T10:00:00+08:00',"
    "'attrs':{'category':'food','amount':2},'profile':{'name':null}}",
    C(EA, "a12", "2026-03-22T10:10:00+08:00", "food", "2"),
    C(EA, "a13", "2026-03-22T10:20:00+08:00", "food", "2"),
    C(EB, "b9", "2026-03-06T14:00:00+08:00", "price", "1"),
    C(EA, "a3", "2026-03-02T08:00:00+08:00", "food", "5"),
    "{'id':'b10','type':'penalty','entity':'" EB
    "','time':'2026-03-07T10:00:00+08:00','attrs':{'amount':800}}",
    C(EB, "b11", "2026-03-08T10:00:00+08:00", "food", "3"),
    C(EB, "b12", "2026-03-10T10:00:00+08:00", "food", "3"),
    "{'id':'y1','type':'penalty','entity':'" EB
    "','time':'2025-02-05T10:00:00+08:00','attrs':{'amount':900}}",
    C(EB, "b13", "2025-02-05T11:00:00+08:00", "food", "3"),
    C(EB, "b14", "2026-03-10T10:00:00+08:00", "food", "3"),
};
#define N_PERSIST (sizeof PERSIST_EVENTS / sizeof *PERSIST_EVENTS)

/* Every revision's text without the wall-clock fields, and the outcomes, as one string. */
static char *history(const fx_t *f, size_t from, const char *outcomes)
{
    rw_buf_t b;
    rw_buf_init(&b);
    rw_buf_printf(&b, "%s\n", outcomes);
    for (size_t i = from; i < json_array_size(f->texts); i++) {
        json_t *l = json_loads(json_string_value(json_array_get(f->texts, i)), 0, NULL);
        assert_non_null(l);
        json_object_del(l, "created_at");
        json_object_del(l, "due");
        char *s = json_dumps(l, JSON_COMPACT | JSON_SORT_KEYS);
        rw_buf_printf(&b, "%s\n", s);
        free(s);
        json_decref(l);
    }
    return rw_buf_steal(&b);
}

/* Processes events [from, to), appending each outcome's initial to out. */
static void run_events(fx_t *f, size_t from, size_t to, rw_buf_t *out, int commit_each)
{
    for (size_t i = from; i < to; i++) {
        char *json = dq(PERSIST_EVENTS[i]);
        rw_outcome_t o = post_raw(f, json);
        free(json);
        rw_buf_putc(out, rw_outcome_name(o)[0]);
        if (commit_each) {
            char err[256];
            assert_int_equal(rw_engine_commit(f->eng, err, sizeof err), 0);
        }
    }
}

static char *persist_dir(void)
{
    const char *files[] = {"rs.yaml", PERSIST_RULES, NULL};
    return rules_dir(NULL, files);
}

static char *one_run(void)
{
    fx_t f;
    fx_start(&f, persist_dir(), NULL, 0, 0);
    rw_buf_t out;
    rw_buf_init(&out);
    run_events(&f, 0, N_PERSIST, &out, 0);
    char *h = history(&f, 0, out.data);
    /* the history exercises what persistence must carry */
    const rw_engine_stats_t *st = rw_engine_stats(f.eng);
    assert_true(st->outcomes[RW_OUT_DUPLICATE] >= 3);
    assert_true(st->outcomes[RW_OUT_LATE] >= 1);
    assert_true(st->leads_suppressed >= 3);
    assert_true(st->leads_created >= 6);
    assert_non_null(strstr(h, "\"escalates\":\"L"));
    rw_buf_free(&out);
    fx_close(&f);
    return h;
}

static void state_committed_to_disk_continues_exactly_after_a_restart(void **state)
{
    (void)state;
    char *want = one_run();
    for (size_t k = 1; k < N_PERSIST; k += 6) {
        fx_t f;
        fx_start(&f, persist_dir(), NULL, 0, 1);
        rw_buf_t out;
        rw_buf_init(&out);
        run_events(&f, 0, k, &out, 0);
        char err[256];
        assert_int_equal(rw_engine_commit(f.eng, err, sizeof err), 0);
        fx_restart(&f);
        run_events(&f, k, N_PERSIST, &out, 0);
        char *got = history(&f, 0, out.data);
        if (strcmp(got, want)) fprintf(stderr, "split at %zu:\n%s\nwant:\n%s\n", k, got, want);
        assert_string_equal(got, want);
        free(got);
        rw_buf_free(&out);
        fx_close(&f);
    }
    free(want);
}

static void an_uncommitted_batch_is_redone_after_a_crash_without_double_counting(void **state)
{
    (void)state;
    char *want = one_run();
    for (size_t k = 2; k + 6 < N_PERSIST; k += 9) {
        fx_t f;
        fx_start(&f, persist_dir(), NULL, 0, 1);
        rw_buf_t out;
        rw_buf_init(&out);
        run_events(&f, 0, k, &out, 0);
        char err[256];
        assert_int_equal(rw_engine_commit(f.eng, err, sizeof err), 0);
        size_t kept = json_array_size(f.revs);
        /* six more events, then a crash before the commit: they are consumed again */
        rw_buf_t lost;
        rw_buf_init(&lost);
        run_events(&f, k, k + 6, &lost, 0);
        rw_buf_free(&lost);
        while (json_array_size(f.revs) > kept) {
            json_array_remove(f.revs, kept);
            json_array_remove(f.texts, kept);
        }
        fx_restart(&f);
        run_events(&f, k, N_PERSIST, &out, 0);
        char *got = history(&f, 0, out.data);
        if (strcmp(got, want)) fprintf(stderr, "crash after %zu:\n%s\nwant:\n%s\n", k, got, want);
        assert_string_equal(got, want);
        free(got);
        rw_buf_free(&out);
        fx_close(&f);
    }
    free(want);
}

static void eviction_and_frequent_commits_give_the_same_leads(void **state)
{
    (void)state;
    char *want = one_run();
    fx_t f;
    fx_start(&f, persist_dir(), NULL, 0, 1);
    /* a one-byte budget: entities are written, dropped and read back between events */
    rw_engine_free(f.eng);
    f.cache_bytes = 1;
    fx_engine(&f);
    rw_buf_t out;
    rw_buf_init(&out);
    run_events(&f, 0, N_PERSIST, &out, 1);
    char *got = history(&f, 0, out.data);
    assert_string_equal(got, want);
    free(got);
    rw_buf_free(&out);
    fx_close(&f);
    free(want);
}

static void the_budget_counts_growth_at_once_and_a_commit_gets_back_under_it(void **state)
{
    (void)state;
    fx_t f;
    fx_start(&f, persist_dir(), NULL, 0, 1);
    rw_engine_free(f.eng);
    f.cache_bytes = 16 << 10;
    fx_engine(&f);
    char err[256];
    size_t i = 0;
    for (; i < 1000 && !rw_engine_over_budget(f.eng); i++) {
        char ev[256];
        snprintf(ev, sizeof ev,
                 "{\"id\":\"g%zu\",\"type\":\"complaint\",\"entity\":\"E%zu\","
                 "\"time\":\"2026-03-01T09:00:00+08:00\",\"attrs\":{\"category\":\"food\"}}",
                 i, i % 7);
        assert_int_equal(post_raw(&f, ev), RW_OUT_APPLIED);
    }
    /* seven entities, so only their events' growth can have crossed the budget */
    assert_true(rw_engine_over_budget(f.eng));
    assert_true(i > 7 && i < 1000);
    assert_int_equal(rw_engine_commit(f.eng, err, sizeof err), 0);
    assert_false(rw_engine_over_budget(f.eng));
    fx_close(&f);
}

/* A revision as a summary sink sees it: its numbers, and for a new lead the head. */
static void summary_line(rw_buf_t *b, const char *id, json_int_t rev, json_int_t hits, int shadow,
                         const char *head)
{
    rw_buf_printf(b, "%s %lld %lld %d%s%s\n", id, (long long)rev, (long long)hits, shadow,
                  head ? " " : "", head ? head : "");
}

static void summary_sink(void *ud, const rw_lead_out_t *l)
{
    assert_null(l->text);
    const rw_lead_head_t *h = l->head;
    char head[512] = "";
    if (h)
        snprintf(head, sizeof head, "%s %s %s %.*s %.*s", h->rule, h->level,
                 h->escalates ? h->escalates : "-", (int)h->entity_len, h->entity,
                 (int)h->trigger_event_len, h->trigger_event);
    summary_line(ud, l->id, l->revision, l->hits, l->shadow, h ? head : NULL);
}

static void without_a_store_sinks_get_every_revision_s_numbers_and_heads(void **state)
{
    (void)state;
    fx_t f;
    fx_start(&f, persist_dir(), NULL, 0, 0);
    rw_buf_t out, want;
    rw_buf_init(&out);
    rw_buf_init(&want);
    run_events(&f, 0, N_PERSIST, &out, 1);
    size_t i;
    json_t *r;
    json_array_foreach(f.revs, i, r)
    {
        char head[512];
        snprintf(head, sizeof head, "%s %s %s %s %s", jstr(r, "rule"), jstr(r, "level"),
                 json_is_null(json_object_get(r, "escalates")) ? "-" : jstr(r, "escalates"),
                 jstr(r, "entity"), jstr(r, "trigger_event"));
        summary_line(&want, jstr(r, "id"), jint(r, "revision"), jint(r, "hits"),
                     !strcmp(jstr(r, "mode"), "shadow"), jint(r, "revision") == 1 ? head : NULL);
    }
    rw_engine_stats_t with_store = *rw_engine_stats(f.eng);
    rw_engine_free(f.eng);

    rw_buf_t got, outcomes;
    rw_buf_init(&got);
    rw_buf_init(&outcomes);
    rw_engine_opts_t o = {.rules = f.rules, .sink = summary_sink, .sink_ud = &got};
    f.eng = rw_engine_new(&o);
    assert_null(rw_engine_batch(f.eng));
    run_events(&f, 0, N_PERSIST, &outcomes, 1); /* the commits do nothing */
    assert_string_equal(outcomes.data, out.data);
    assert_string_equal(got.data, want.data);
    assert_memory_equal(rw_engine_stats(f.eng), &with_store, sizeof with_store);
    /* its state cannot be carried over to other rules: refused, state kept */
    char err[256];
    assert_int_equal(rw_engine_set_rules(f.eng, f.rules, err, sizeof err), -1);
    json_t *ent = rw_engine_entity(f.eng, EA);
    assert_non_null(ent);
    json_decref(ent);
    rw_buf_free(&got);
    rw_buf_free(&outcomes);
    rw_buf_free(&want);
    rw_buf_free(&out);
    fx_close(&f);
}

static void a_reload_keeps_state_and_a_new_stream_counts_only_later_events(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, "ruleset: probe\nrules:\n" PROBE("{count(complaint, 30d)}"));
    assert_string_equal(
        probe(&f, "r1", "complaint", "2026-03-05T10:00:00+08:00", "'attrs':{'amount':50}"), "1");
    assert_string_equal(
        probe(&f, "r2", "complaint", "2026-03-05T11:00:00+08:00", "'attrs':{'amount':60}"), "2");
    const char *files[] = {"rs.yaml",
                           "ruleset: probe\n"
                           "streams:\n"
                           "  big: 'type == \"complaint\" and attrs.amount > 10'\n"
                           "rules:\n" PROBE("{count(complaint, 30d)}/{count(big, 30d)}"),
                           NULL};
    char *dir2 = rules_dir(NULL, files);
    rw_rules_t *r2 = load_rules(dir2, NULL, 0);
    char err[256];
    assert_int_equal(rw_engine_set_rules(f.eng, r2, err, sizeof err), 0);
    /* the dedup record survives the reload */
    assert_int_equal(post(&f, "r2", "complaint", "2026-03-05T11:00:00+08:00", NULL),
                     RW_OUT_DUPLICATE);
    assert_string_equal(
        probe(&f, "r3", "complaint", "2026-03-05T12:00:00+08:00", "'attrs':{'amount':70}"), "3/1");
    fx_stop(&f);
    rw_rules_free(r2);
    rw_rmtree(dir2);
    free(dir2);
    rw_rules_free(f.rules);
    rw_rmtree(f.dir);
    free(f.dir);
    json_decref(f.revs);
    json_decref(f.texts);
}

static void invalid_events_are_counted_by_reason_and_change_nothing(void **state)
{
    (void)state;
    fx_t f;
    fx_open(&f, "ruleset: probe\nrules:\n" PROBE("{count(complaint, 30d)}"));
    assert_int_equal(post_raw(&f, "not json"), RW_OUT_INVALID);
    char *j =
        dq("{'id':'i1','type':'complaint','entity':'" ENT "','time':'2026-03-05T10:00:00+08:00',"
           "'region':320102}");
    assert_int_equal(post_raw(&f, j), RW_OUT_INVALID);
    free(j);
    j = dq("{'id':'i2','type':'complaint','entity':'" ENT "','time':'2026-03-05T10:00:00+08:00'}");
    rw_event_error_t err;
    assert_int_equal(rw_engine_process(f.eng, j, strlen(j), "other", 5, &err), RW_OUT_INVALID);
    assert_int_equal(err.code, RW_EV_KEY_MISMATCH);
    free(j);
    const rw_engine_stats_t *st = rw_engine_stats(f.eng);
    assert_int_equal(st->outcomes[RW_OUT_INVALID], 3);
    assert_int_equal(st->invalid[RW_EV_NOT_JSON], 1);
    assert_int_equal(st->invalid[RW_EV_BAD_FIELD], 1);
    assert_int_equal(st->invalid[RW_EV_KEY_MISMATCH], 1);
    assert_int_equal(json_array_size(f.revs), 0);
    /* i2 was not recorded: it applies now */
    assert_string_equal(probe(&f, "i2", "complaint", "2026-03-05T10:00:00+08:00", NULL), "1");
    fx_close(&f);
}

int main(void)
{
    setenv("REGWATCH_NOW", NOW, 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(day_window_edges_follow_local_midnight_at_plus_0800),
        cmocka_unit_test(hour_windows_cover_local_hours_across_midnight),
        cmocka_unit_test(windows_use_the_catalogue_zone_even_at_a_half_hour_offset),
        cmocka_unit_test(a_later_event_the_same_local_day_counts_but_later_dates_do_not),
        cmocka_unit_test(last_and_since_read_the_latest_event_not_after_the_current_one),
        cmocka_unit_test(duplicates_change_nothing_and_are_counted),
        cmocka_unit_test(an_event_400_local_days_before_the_latest_is_late_399_is_applied),
        cmocka_unit_test(a_lead_id_is_never_issued_twice),
        cmocka_unit_test(retention_hides_events_400_days_old_from_every_aggregate),
        cmocka_unit_test(unknown_types_leave_no_dedup_record_and_no_profile),
        cmocka_unit_test(profile_merge_replaces_keys_and_null_deletes_them),
        cmocka_unit_test(stream_membership_is_decided_once_when_the_event_is_applied),
        cmocka_unit_test(streams_of_several_types_count_every_type_their_filter_admits),
        cmocka_unit_test(the_future_test_comes_after_dedup_and_skips_undeclared_types),
        cmocka_unit_test(params_take_the_longest_region_prefix_without_cascading),
        cmocka_unit_test(set_overrides_params_last_and_a_rule_prefix_limits_it),
        cmocka_unit_test(set_rejects_unknown_params_rules_and_non_scalars),
        cmocka_unit_test(set_value_kind_counts_in_the_check),
        cmocka_unit_test(level_maps_try_red_orange_yellow_blue_then_default),
        cmocka_unit_test(suppression_in_days_compares_local_dates),
        cmocka_unit_test(suppression_in_hours_compares_local_hours),
        cmocka_unit_test(a_no_more_severe_trigger_adds_a_hit_to_a_new_revision),
        cmocka_unit_test(a_more_severe_trigger_escalates_only_inside_the_window),
        cmocka_unit_test(shadow_rules_emit_shadow_leads_and_suppress_only_themselves),
        cmocka_unit_test(a_shadow_lead_does_not_suppress_a_live_rule),
        cmocka_unit_test(triggers_without_a_clause_in_force_are_unbacked_and_change_nothing),
        cmocka_unit_test(evidence_lists_every_call_once_in_source_order),
        cmocka_unit_test(evidence_reads_call_second_comparisons_mirrored),
        cmocka_unit_test(events_are_the_newest_50_by_time_oldest_first),
        cmocka_unit_test(events_with_equal_times_keep_processing_order),
        cmocka_unit_test(events_are_the_union_of_the_if_windows_each_event_once),
        cmocka_unit_test(lead_id_is_L_and_20_hex_of_sha256),
        cmocka_unit_test(message_placeholders_print_numbers_as_rules_md_says),
        cmocka_unit_test(due_dates_count_working_days_from_the_pinned_clock),
        cmocka_unit_test(a_suppressed_triggers_revision_is_overdue_once_a_deadline_passed),
        cmocka_unit_test(the_lead_record_has_every_documented_field),
        cmocka_unit_test(rule_hash_ignores_yaml_layout_but_follows_the_rule),
        cmocka_unit_test(state_committed_to_disk_continues_exactly_after_a_restart),
        cmocka_unit_test(an_uncommitted_batch_is_redone_after_a_crash_without_double_counting),
        cmocka_unit_test(eviction_and_frequent_commits_give_the_same_leads),
        cmocka_unit_test(without_a_store_sinks_get_every_revision_s_numbers_and_heads),
        cmocka_unit_test(the_budget_counts_growth_at_once_and_a_commit_gets_back_under_it),
        cmocka_unit_test(a_reload_keeps_state_and_a_new_stream_counts_only_later_events),
        cmocka_unit_test(invalid_events_are_counted_by_reason_and_change_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
