/* Tests for aggstate.c: a lead's `events` (the newest 50 of the windows' union); the
 * binary form: a state read back answers every query as before and writes the same
 * bytes as one never written; read under another rule set (a reload) it keeps what
 * still applies; a state written by the previous format (4) is read; truncated or
 * corrupted bytes from the store are refused without crashing; and history that ages
 * out of the retention leaves memory and the dedup record. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "aggstate.h"
#include "eval.h"
#include "rwtime.h"
#include "util.h"
#include "support.h"

static const char *const CATALOG =
    "timezone: \"+08:00\"\n"
    "types:\n"
    "  complaint: {title: 投诉举报, attrs: {category: string, channel: string, amount: number}}\n"
    "  penalty:   {title: 行政处罚, attrs: {amount: number}}\n";

static const char *const LAWS = "laws:\n"
                                "  - id: test-law\n"
                                "    title: 中华人民共和国测试法\n"
                                "    level: law\n"
                                "    verified: 2026-10-01\n"
                                "    versions:\n"
                                "      - {effective: 2020-01-01, source: test.md}\n";

static const char *const LAW = "# 中华人民共和国测试法\n\n2020年1月1日 公布\n\n<!-- INFO END "
                               "-->\n\n第一条 经营者应当诚信经营。\n";

/* The rule set the state is written under. */
static const char *const RULES_1 =
    "ruleset: one\n"
    "streams:\n"
    "  food: 'type == \"complaint\" and attrs.category == \"food\"'\n"
    "  gone: 'type == \"complaint\" and attrs.amount > 100'\n"
    "rules:\n"
    "  - id: R1\n"
    "    title: 一\n"
    "    if: 'count(food, 30d) >= 1 and sum(complaint, attrs.amount, 30d) >= 0 and\n"
    "         distinct(complaint, attrs.channel, 30d) >= 0 and count(complaint, 24h) >= 0 and\n"
    "         count(gone, 30d) >= 0 and last(complaint, attrs.channel) != \"x\" and since(penalty) "
    ">= 0'\n"
    "    level: red\n"
    "    clauses: [\"test-law#1\"]\n";

/* A reload: `gone` and the hour series dropped, fields and a stream added. */
static const char *const RULES_2 =
    "ruleset: two\n"
    "streams:\n"
    "  food: 'type == \"complaint\" and attrs.category == \"food\"'\n"
    "  added: 'type == \"complaint\"'\n"
    "rules:\n"
    "  - id: R2\n"
    "    title: 二\n"
    "    if: 'count(food, 30d) >= 1 and max(food, attrs.amount, 30d) >= 0 and\n"
    "         avg(complaint, attrs.amount, 30d) >= 0 and distinct(complaint, attrs.channel, 30d) "
    ">= 0 and\n"
    "         distinct(complaint, attrs.category, 30d) >= 0 and count(added, 30d) >= 0 and\n"
    "         last(complaint, attrs.channel) != \"x\" and last(complaint, attrs.category) != \"x\" "
    "and\n"
    "         since(penalty) >= 0'\n"
    "    level: red\n"
    "    clauses: [\"test-law#1\"]\n";

/* Windows in two series over the same events (food complaints are complaints) and one
 * in hours over another stream. */
static const char *const RULES_3 =
    "ruleset: three\n"
    "streams:\n"
    "  food: 'type == \"complaint\" and attrs.category == \"food\"'\n"
    "rules:\n"
    "  - id: R3\n"
    "    title: 三\n"
    "    if: 'count(food, 2d) >= 1 and count(complaint, 2d) >= 0 and count(penalty, 24h) >= 0'\n"
    "    level: red\n"
    "    clauses: [\"test-law#1\"]\n";

typedef struct {
    char *dir;
    rw_rules_t *rules;
    rw_layout_t *layout;
} ruleset_t;

static void load(ruleset_t *rs, const char *ruleset_yaml)
{
    char tmpl[] = "/tmp/rw-aggstate-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    rs->dir = rw_xstrdup(tmpl);
    write_file(rs->dir, "catalog.yaml", CATALOG);
    write_file(rs->dir, "rs.yaml", ruleset_yaml);
    rw_buf_t s;
    rw_buf_init(&s);
    rw_buf_printf(&s, "%s/statutes", rs->dir);
    assert_int_equal(mkdir(s.data, 0755), 0);
    write_file(s.data, "laws.yaml", LAWS);
    write_file(s.data, "test.md", LAW);
    rw_buf_free(&s);
    rw_diags_t d;
    rw_diags_init(&d);
    int64_t today;
    rw_date_parse("2026-11-01", &today);
    rw_load_opts_t o = {.rules_dir = rs->dir, .today = today};
    int rc = rw_rules_load(&rs->rules, &o, &d);
    if (rc) rw_diags_print(&d, stderr);
    rw_diags_free(&d);
    assert_int_equal(rc, 0);
    rs->layout = rw_layout_build(rs->rules);
}

static void unload(ruleset_t *rs)
{
    rw_layout_free(rs->layout);
    rw_rules_free(rs->rules);
    rw_rmtree(rs->dir);
    free(rs->dir);
}

static int tz(const ruleset_t *rs)
{
    return rs->rules->catalog.tz_offset_min;
}

/* Applies an event (JSON with ' for ") as the engine does: membership from the stream
 * filters, decided once. */
static void apply(rw_aggs_t *a, const ruleset_t *rs, const char *json_q)
{
    char *json = rw_xstrdup(json_q);
    for (char *p = json; *p; p++)
        if (*p == '\'') *p = '"';
    rw_event_t ev;
    rw_event_error_t err;
    int rc = rw_event_parse(json, strlen(json), NULL, 0, 0, &ev, &err);
    if (rc) fprintf(stderr, "%s: %s\n", json, err.reason);
    assert_int_equal(rc, 0);
    const rw_rules_t *r = rs->rules;
    int type = rw_catalog_type(&r->catalog, ev.type, ev.type_len);
    assert_true(type >= 0);
    unsigned char member[16] = {0};
    assert_true(r->n_streams <= sizeof member);
    rw_eval_env_t env = {.ev = &ev};
    for (size_t s = 0; s < r->n_streams; s++)
        member[s] = r->streams[s].filter ? rw_is_true(rw_eval(r->streams[s].filter, &env))
                                         : r->streams[s].type == type;
    rw_eval_env_reset(&env);
    free(env.scratch);
    rw_aggs_apply(a, &ev, NULL, member, tz(rs));
    rw_event_free(&ev);
    free(json);
}

static int call_id(const ruleset_t *rs, const char *text)
{
    for (size_t i = 0; i < rs->rules->n_calls; i++)
        if (!strcmp(rs->rules->calls[i].text, text)) return (int)i;
    fprintf(stderr, "no call %s\n", text);
    fail();
    return -1;
}

static double at(const char *time)
{
    double t;
    assert_int_equal(rw_time_parse(time, strlen(time), &t, NULL), 0);
    return t;
}

/* A call's value at a time, as text: null, a number, or a quoted string. */
static const char *value_at(rw_aggs_t *a, const ruleset_t *rs, const char *call, const char *time)
{
    static char out[256];
    rw_value_t v = rw_aggs_query(a, call_id(rs, call), at(time), tz(rs));
    rw_buf_t b;
    rw_buf_init(&b);
    if (v.kind == RW_V_NULL)
        rw_buf_puts(&b, "null");
    else if (v.kind == RW_V_STR)
        rw_buf_printf(&b, "\"%.*s\"", (int)v.len, v.s);
    else
        rw_value_append_text(v, &b);
    snprintf(out, sizeof out, "%s", b.data);
    rw_buf_free(&b);
    return out;
}

#define E "91320102MA1XXXXX0X"

static const char *const EVENTS[] = {
    "{'id':'c1','type':'complaint','entity':'" E "','time':'2026-03-01T10:00:00+08:00',"
    "'attrs':{'category':'food','channel':'hotline','amount':10}}",
    "{'id':'c2','type':'complaint','entity':'" E "','time':'2026-03-02T10:00:00+08:00',"
    "'attrs':{'category':'price','channel':'web','amount':250}}",
    "{'id':'p1','type':'penalty','entity':'" E
    "','time':'2026-03-02T12:00:00+08:00','attrs':{'amount':5000}}",
    "{'id':'c3','type':'complaint','entity':'" E "','time':'2026-03-01T23:30:00+08:00',"
    "'attrs':{'category':'food','channel':'web','amount':2.5}}",
    "{'id':'c4','type':'complaint','entity':'" E "','time':'2026-03-03T09:00:00+08:00',"
    "'attrs':{'category':'food','channel':'app'}}",
    "{'id':'c5','type':'complaint','entity':'" E "','time':'2026-03-03T09:30:00+08:00',"
    "'attrs':{'category':'食品','channel':'热线','amount':-1}}",
};
#define N_EVENTS (sizeof EVENTS / sizeof *EVENTS)

static rw_aggs_t *sample_state(const ruleset_t *rs)
{
    rw_aggs_t *a = rw_aggs_new(rs->layout);
    for (size_t i = 0; i < N_EVENTS; i++)
        apply(a, rs, EVENTS[i]);
    return a;
}

static void encode(const rw_aggs_t *a, rw_buf_t *out)
{
    rw_buf_init(out);
    rw_aggs_encode(a, out);
    assert_true(out->len > 0);
}

/* a and b encode to the same bytes. */
static void assert_same_encoding(const rw_aggs_t *a, const rw_aggs_t *b)
{
    rw_buf_t ea, eb;
    encode(a, &ea);
    encode(b, &eb);
    assert_int_equal(eb.len, ea.len);
    assert_memory_equal(eb.data, ea.data, ea.len);
    rw_buf_free(&ea);
    rw_buf_free(&eb);
}

static const char *const R1_CALLS[] = {
    "count(food, 30d)",
    "sum(complaint, attrs.amount, 30d)",
    "distinct(complaint, attrs.channel, 30d)",
    "count(complaint, 24h)",
    "count(gone, 30d)",
    "last(complaint, attrs.channel)",
    "since(penalty)",
};
static const char *const TIMES[] = {"2026-03-01T12:00:00+08:00", "2026-03-02T11:00:00+08:00",
                                    "2026-03-03T09:00:00+08:00", "2026-03-03T10:00:00+08:00",
                                    "2026-04-15T10:00:00+08:00"};

static void events_text(const rw_aggs_t *a, const ruleset_t *rs, const char *time, rw_buf_t *out)
{
    const rw_rule_t *rule = &rs->rules->rules[0];
    json_t *arr = json_array();
    rw_aggs_events(a, rule->window_calls, rule->n_window_calls, at(time), tz(rs), arr);
    char *s = json_dumps(arr, JSON_COMPACT);
    rw_buf_puts(out, s);
    free(s);
    json_decref(arr);
}

static void a_state_read_back_answers_every_query_the_same(void **state)
{
    (void)state;
    ruleset_t rs;
    load(&rs, RULES_1);
    rw_aggs_t *a = sample_state(&rs);
    rw_buf_t blob;
    encode(a, &blob);
    rw_aggs_t *b = rw_aggs_decode(rs.layout, blob.data, blob.len);
    assert_non_null(b);
    assert_int_equal(rw_aggs_has_max(b), 1);
    assert_true(rw_aggs_max_time(b) == rw_aggs_max_time(a));
    assert_int_equal(rw_aggs_seq(b), N_EVENTS);
    for (size_t c = 0; c < sizeof R1_CALLS / sizeof *R1_CALLS; c++)
        for (size_t t = 0; t < sizeof TIMES / sizeof *TIMES; t++) {
            char want[256];
            snprintf(want, sizeof want, "%s", value_at(a, &rs, R1_CALLS[c], TIMES[t]));
            assert_string_equal(value_at(b, &rs, R1_CALLS[c], TIMES[t]), want);
        }
    /* a few values, so the comparison above is not between two empty states */
    assert_string_equal(value_at(b, &rs, "count(food, 30d)", "2026-03-03T10:00:00+08:00"), "3");
    assert_string_equal(
        value_at(b, &rs, "sum(complaint, attrs.amount, 30d)", "2026-03-03T10:00:00+08:00"),
        "261.5");
    assert_string_equal(
        value_at(b, &rs, "distinct(complaint, attrs.channel, 30d)", "2026-03-03T10:00:00+08:00"),
        "4");
    assert_string_equal(value_at(b, &rs, "count(complaint, 24h)", "2026-03-02T11:00:00+08:00"),
                        "2");
    assert_string_equal(
        value_at(b, &rs, "last(complaint, attrs.channel)", "2026-03-03T09:00:00+08:00"), "\"app\"");
    assert_string_equal(value_at(b, &rs, "since(penalty)", "2026-03-03T09:00:00+08:00"), "75600");
    for (size_t i = 0; i < N_EVENTS; i++) {
        const char *ids[] = {"c1", "c2", "p1", "c3", "c4", "c5"};
        assert_int_equal(rw_aggs_seen(b, ids[i], 2), 1);
    }
    assert_int_equal(rw_aggs_seen(b, "c6", 2), 0);
    rw_buf_t ea, eb;
    rw_buf_init(&ea);
    rw_buf_init(&eb);
    events_text(a, &rs, "2026-03-03T10:00:00+08:00", &ea);
    events_text(b, &rs, "2026-03-03T10:00:00+08:00", &eb);
    assert_string_equal(eb.data, ea.data);
    assert_string_equal(eb.data, "[\"c1\",\"c3\",\"c2\",\"c4\",\"c5\"]");
    /* written again, the same bytes */
    rw_buf_t again;
    encode(b, &again);
    assert_int_equal(again.len, blob.len);
    assert_memory_equal(again.data, blob.data, blob.len);
    /* and it goes on from where it was: the processing counter continues */
    apply(b, &rs,
          "{'id':'c6','type':'complaint','entity':'" E "','time':'2026-03-03T09:00:00+08:00',"
          "'attrs':{'category':'food','channel':'web','amount':1}}");
    assert_int_equal(rw_aggs_seq(b), N_EVENTS + 1);
    assert_string_equal(value_at(b, &rs, "count(food, 30d)", "2026-03-03T10:00:00+08:00"), "4");
    assert_string_equal(
        value_at(b, &rs, "last(complaint, attrs.channel)", "2026-03-03T09:00:00+08:00"), "\"web\"");
    rw_buf_free(&ea);
    rw_buf_free(&eb);
    rw_buf_free(&again);
    rw_buf_free(&blob);
    rw_aggs_free(a);
    rw_aggs_free(b);
    unload(&rs);
}

/* A sum past the doubles is null, as arithmetic overflow is (seen here through avg, which
 * divides it); min and max stay numbers. */
static void a_sum_that_overflows_is_null(void **state)
{
    (void)state;
    ruleset_t rs;
    load(&rs, RULES_2);
    rw_aggs_t *a = rw_aggs_new(rs.layout);
    apply(a, &rs,
          "{'id':'o1','type':'complaint','entity':'" E "','time':'2026-03-01T10:00:00+08:00',"
          "'attrs':{'category':'food','amount':1e308}}");
    apply(a, &rs,
          "{'id':'o2','type':'complaint','entity':'" E "','time':'2026-03-01T11:00:00+08:00',"
          "'attrs':{'category':'food','amount':1e308}}");
    const char *t = "2026-03-01T12:00:00+08:00";
    assert_string_equal(value_at(a, &rs, "avg(complaint, attrs.amount, 30d)", t), "null");
    assert_string_equal(value_at(a, &rs, "count(food, 30d)", t), "2");
    assert_int_equal(strncmp(value_at(a, &rs, "max(food, attrs.amount, 30d)", t), "1000000000", 10),
                     0);
    rw_aggs_free(a);
    unload(&rs);
}

static void an_empty_state_round_trips(void **state)
{
    (void)state;
    ruleset_t rs;
    load(&rs, RULES_1);
    rw_aggs_t *a = rw_aggs_new(rs.layout);
    rw_buf_t blob;
    encode(a, &blob);
    rw_aggs_t *b = rw_aggs_decode(rs.layout, blob.data, blob.len);
    assert_non_null(b);
    assert_int_equal(rw_aggs_has_max(b), 0);
    assert_int_equal(rw_aggs_seq(b), 0);
    assert_string_equal(value_at(b, &rs, "count(food, 30d)", "2026-03-03T10:00:00+08:00"), "0");
    assert_string_equal(
        value_at(b, &rs, "last(complaint, attrs.channel)", "2026-03-03T10:00:00+08:00"), "null");
    rw_buf_free(&blob);
    rw_aggs_free(a);
    rw_aggs_free(b);
    unload(&rs);
}

static void decoding_under_a_new_rule_set_keeps_what_still_applies(void **state)
{
    (void)state;
    ruleset_t one, two;
    load(&one, RULES_1);
    load(&two, RULES_2);
    rw_aggs_t *a = sample_state(&one);
    rw_buf_t blob;
    encode(a, &blob);
    rw_aggs_t *b = rw_aggs_decode(two.layout, blob.data, blob.len);
    assert_non_null(b);
    const char *t = "2026-03-03T10:00:00+08:00";
    /* kept: M, the counter, dedup ids, counts, numeric stats of a field still read
     * (avg now, sum before), distinct values, last values and since */
    assert_true(rw_aggs_max_time(b) == rw_aggs_max_time(a));
    assert_int_equal(rw_aggs_seq(b), N_EVENTS);
    assert_int_equal(rw_aggs_seen(b, "c3", 2), 1);
    assert_string_equal(value_at(b, &two, "count(food, 30d)", t), "3");
    assert_string_equal(value_at(b, &two, "avg(complaint, attrs.amount, 30d)", t), "65.375");
    assert_string_equal(value_at(b, &two, "distinct(complaint, attrs.channel, 30d)", t), "4");
    assert_string_equal(value_at(b, &two, "last(complaint, attrs.channel)", t), "\"热线\"");
    assert_string_equal(value_at(b, &two, "since(penalty)", t), "79200");
    /* new: a stream, fields not stored before: they count only later events */
    assert_string_equal(value_at(b, &two, "count(added, 30d)", t), "0");
    assert_string_equal(value_at(b, &two, "max(food, attrs.amount, 30d)", t), "null");
    assert_string_equal(value_at(b, &two, "distinct(complaint, attrs.category, 30d)", t), "0");
    assert_string_equal(value_at(b, &two, "last(complaint, attrs.category)", t), "null");
    apply(b, &two,
          "{'id':'c7','type':'complaint','entity':'" E "','time':'2026-03-03T09:40:00+08:00',"
          "'attrs':{'category':'food','channel':'web','amount':7}}");
    assert_string_equal(value_at(b, &two, "count(added, 30d)", t), "1");
    assert_string_equal(value_at(b, &two, "count(food, 30d)", t), "4");
    assert_string_equal(value_at(b, &two, "max(food, attrs.amount, 30d)", t), "7");
    assert_string_equal(value_at(b, &two, "distinct(complaint, attrs.category, 30d)", t), "1");
    assert_string_equal(value_at(b, &two, "last(complaint, attrs.category)", t), "\"food\"");
    assert_string_equal(value_at(b, &two, "avg(complaint, attrs.amount, 30d)", t), "53.7");
    /* back to the first rule set: what the second dropped is gone, the rest stays */
    rw_buf_t blob2;
    encode(b, &blob2);
    rw_aggs_t *c = rw_aggs_decode(one.layout, blob2.data, blob2.len);
    assert_non_null(c);
    assert_string_equal(value_at(c, &one, "count(gone, 30d)", t), "0");
    assert_string_equal(value_at(c, &one, "count(complaint, 24h)", t), "0");
    assert_string_equal(value_at(c, &one, "count(food, 30d)", t), "4");
    assert_string_equal(value_at(c, &one, "sum(complaint, attrs.amount, 30d)", t), "268.5");
    assert_string_equal(value_at(c, &one, "last(complaint, attrs.channel)", t), "\"web\"");
    assert_int_equal(rw_aggs_seen(c, "c7", 2), 1);
    rw_buf_free(&blob);
    rw_buf_free(&blob2);
    rw_aggs_free(a);
    rw_aggs_free(b);
    rw_aggs_free(c);
    unload(&one);
    unload(&two);
}

/* Decodes bytes that are not a valid state: NULL, or a state that can be queried,
 * updated, written and freed like any other. Returns 1 when refused. */
static int refused(const ruleset_t *rs, const char *p, size_t n)
{
    rw_aggs_t *a = rw_aggs_decode(rs->layout, p, n);
    if (!a) return 1;
    for (size_t c = 0; c < rs->rules->n_calls; c++)
        rw_aggs_query(a, (int)c, at("2026-03-03T10:00:00+08:00"), tz(rs));
    apply(a, rs,
          "{'id':'z','type':'complaint','entity':'" E "','time':'2026-03-04T10:00:00+08:00',"
          "'attrs':{'category':'food','channel':'web','amount':1}}");
    const rw_rule_t *rule = &rs->rules->rules[0];
    json_t *arr = json_array();
    rw_aggs_events(a, rule->window_calls, rule->n_window_calls, at("2026-03-04T10:00:00+08:00"),
                   tz(rs), arr);
    json_decref(arr);
    rw_buf_t out;
    rw_buf_init(&out);
    rw_aggs_encode(a, &out);
    json_decref(rw_aggs_describe(a));
    rw_buf_free(&out);
    rw_aggs_free(a);
    return 0;
}

static void every_truncated_state_is_refused(void **state)
{
    (void)state;
    ruleset_t rs;
    load(&rs, RULES_1);
    rw_aggs_t *a = sample_state(&rs);
    rw_buf_t blob;
    encode(a, &blob);
    for (size_t n = 0; n < blob.len; n++) {
        char *copy = rw_xmalloc(n ? n : 1); /* exact size: ASan sees any read past it */
        memcpy(copy, blob.data, n);
        if (!refused(&rs, copy, n)) fprintf(stderr, "prefix of %zu bytes accepted\n", n);
        assert_true(refused(&rs, copy, n));
        free(copy);
    }
    rw_buf_free(&blob);
    rw_aggs_free(a);
    unload(&rs);
}

static void a_state_of_another_format_or_with_trailing_bytes_is_refused(void **state)
{
    (void)state;
    ruleset_t rs;
    load(&rs, RULES_1);
    rw_aggs_t *a = sample_state(&rs);
    rw_buf_t blob;
    encode(a, &blob);
    uint32_t format;
    memcpy(&format, blob.data, 4);
    uint32_t other = format + 1;
    memcpy(blob.data, &other, 4);
    assert_true(refused(&rs, blob.data, blob.len));
    memcpy(blob.data, &format, 4);
    assert_false(refused(&rs, blob.data, blob.len));
    rw_buf_append(&blob, "\0", 1);
    assert_true(refused(&rs, blob.data, blob.len));
    rw_buf_free(&blob);
    rw_aggs_free(a);
    unload(&rs);
}

static void corrupted_counts_and_lengths_are_refused_quickly(void **state)
{
    (void)state;
    ruleset_t rs;
    load(&rs, RULES_1);
    rw_aggs_t *a = sample_state(&rs);
    rw_buf_t blob;
    encode(a, &blob);
    /* every 4-byte window set to 0xFFFFFFFF (and to 0x7FFFFFFF): any count or
     * length it hits claims far more than the bytes hold */
    clock_t start = clock();
    size_t refusals = 0;
    static const uint32_t bad[] = {0xFFFFFFFFu, 0x7FFFFFFFu, 0x00100000u};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++)
        for (size_t i = 4; i + 4 <= blob.len; i++) {
            char *copy = rw_xmalloc(blob.len);
            memcpy(copy, blob.data, blob.len);
            memcpy(copy + i, &bad[k], 4);
            refusals += refused(&rs, copy, blob.len);
            free(copy);
        }
    double secs = (double)(clock() - start) / CLOCKS_PER_SEC;
    assert_true(refusals > blob.len);
    assert_true(secs < 5.0);
    rw_buf_free(&blob);
    rw_aggs_free(a);
    unload(&rs);
}

static void random_damage_never_crashes(void **state)
{
    (void)state;
    ruleset_t rs;
    load(&rs, RULES_1);
    rw_aggs_t *a = sample_state(&rs);
    rw_buf_t blob;
    encode(a, &blob);
    uint32_t seed = 12345;
    size_t refusals = 0;
    for (int round = 0; round < 3000; round++) {
        char *copy = rw_xmalloc(blob.len);
        memcpy(copy, blob.data, blob.len);
        int flips = 1 + round % 4;
        for (int f = 0; f < flips; f++) {
            seed = seed * 1103515245u + 12345u;
            size_t at_byte = 4 + (seed >> 8) % (blob.len - 4);
            seed = seed * 1103515245u + 12345u;
            copy[at_byte] = (char)(seed >> 16);
        }
        refusals += refused(&rs, copy, blob.len);
        free(copy);
    }
    /* pure noise behind a valid format number */
    for (int round = 0; round < 500; round++) {
        char noise[256];
        memcpy(noise, blob.data, 4);
        for (size_t i = 4; i < sizeof noise; i++) {
            seed = seed * 1103515245u + 12345u;
            noise[i] = (char)(seed >> 16);
        }
        refusals += refused(&rs, noise, 4 + (size_t)round % (sizeof noise - 4));
    }
    assert_true(refusals > 0);
    rw_buf_free(&blob);
    rw_aggs_free(a);
    unload(&rs);
}

/* An event as JSON (with ' for "): a complaint when category is given, else a penalty. */
static const char *event(const char *id, const char *time, const char *category)
{
    static char out[512];
    if (category)
        snprintf(out, sizeof out,
                 "{'id':'%s','type':'complaint','entity':'" E "','time':'%s',"
                 "'attrs':{'category':'%s','channel':'c%zu','amount':%zu}}",
                 id, time, category, strlen(id) % 3, strlen(id));
    else
        snprintf(out, sizeof out,
                 "{'id':'%s','type':'penalty','entity':'" E "','time':'%s','attrs':{'amount':1}}",
                 id, time);
    return out;
}

/* n events named prefix01…, `step` seconds apart from `from`. */
static void apply_run(rw_aggs_t *a, const ruleset_t *rs, const char *prefix, int n,
                      const char *from, int step, const char *category)
{
    for (int i = 0; i < n; i++) {
        char id[32], time[64];
        snprintf(id, sizeof id, "%s%02d", prefix, i + 1);
        rw_time_format(at(from) + (double)i * step, tz(rs), time);
        apply(a, rs, event(id, time, category));
    }
}

/* The ids "prefixFROM" … "prefixTO" as a JSON array's items, appended to out. */
static void ids_text(rw_buf_t *out, const char *prefix, int from, int to)
{
    for (int i = from; i <= to; i++)
        rw_buf_printf(out, "%s\"%s%02d\"", out->len > 1 ? "," : "", prefix, i);
}

static void a_leads_events_are_the_newest_50_of_its_windows_oldest_first(void **state)
{
    (void)state;
    ruleset_t rs;
    load(&rs, RULES_3);
    rw_aggs_t *a = rw_aggs_new(rs.layout);
    /* the lead is raised at 03-10 12:00: food complaints and complaints of 03-09 and 03-10
     * count, penalties from 03-09 13:00 on */
    apply_run(a, &rs, "f", 30, "2026-03-08T10:00:00+08:00", 60, "food"); /* a day too early */
    apply_run(a, &rs, "g", 30, "2026-03-09T08:00:00+08:00", 60, "food");
    apply_run(a, &rs, "q", 25, "2026-03-09T12:00:00+08:00", 60, NULL); /* an hour too early */
    apply_run(a, &rs, "r", 15, "2026-03-09T20:00:00+08:00", 60, NULL);
    apply_run(a, &rs, "h", 10, "2026-03-10T09:00:00+08:00", 60, "food");
    /* the same time: listed in the order applied */
    apply(a, &rs, event("t2", "2026-03-10T09:30:00+08:00", "food"));
    apply(a, &rs, event("t1", "2026-03-10T09:30:00+08:00", "food"));
    /* later than the lead's event: the rest of its day (2d) and hour (24h) count */
    apply(a, &rs, event("y1", "2026-03-10T18:00:00+08:00", "food"));
    apply(a, &rs, event("z1", "2026-03-10T12:30:00+08:00", NULL));
    apply(a, &rs, event("z2", "2026-03-10T13:10:00+08:00", NULL));
    apply(a, &rs, event("x1", "2026-03-11T01:00:00+08:00", "food"));
    /* 59 events inside the windows, each food complaint in two of them: the newest 50 */
    rw_buf_t want, got;
    rw_buf_init(&want);
    rw_buf_init(&got);
    rw_buf_puts(&want, "[");
    ids_text(&want, "g", 10, 30);
    ids_text(&want, "r", 1, 15);
    ids_text(&want, "h", 1, 10);
    rw_buf_puts(&want, ",\"t2\",\"t1\",\"z1\",\"y1\"]");
    events_text(a, &rs, "2026-03-10T12:00:00+08:00", &got);
    assert_string_equal(got.data, want.data);
    /* the same once written and read back */
    rw_buf_t blob;
    encode(a, &blob);
    rw_aggs_t *b = rw_aggs_decode(rs.layout, blob.data, blob.len);
    assert_non_null(b);
    rw_buf_reset(&got);
    events_text(b, &rs, "2026-03-10T12:00:00+08:00", &got);
    assert_string_equal(got.data, want.data);
    /* fewer than 50: all of them */
    rw_buf_reset(&got);
    events_text(b, &rs, "2026-03-08T23:00:00+08:00", &got);
    rw_buf_reset(&want);
    rw_buf_puts(&want, "[");
    ids_text(&want, "f", 1, 30);
    rw_buf_puts(&want, "]");
    assert_string_equal(got.data, want.data);
    rw_buf_free(&want);
    rw_buf_free(&got);
    rw_buf_free(&blob);
    rw_aggs_free(a);
    rw_aggs_free(b);
    unload(&rs);
}

/* sample_state() encoded in format 4 by the encoder before format 5 (commit 347c979). */
static const char *const FORMAT_4_HEX =
    "0401000000668e69da4106a8ba0206632555c60012a59b9a06162755c60013a59b9c06c92855c60014a59b9a"
    "067c2a55c60015a59b9e062f2c55c60016a59b9e0608fe8bc600a2e59b9c06040004666f6f646401000002c2"
    "c0020202dedf2905026331fef01d020263330401019e38010263340109636f6d706c61696e746401010c6174"
    "7472732e616d6f756e74010d61747472732e6368616e6e656c03c2c002020200000000000029400000000000"
    "0004400000000000002440020873686f746c696e65047377656202dedf2905026331fef01d02026333020101"
    "0000000000406f400000000000406f400000000000406f4001047377656201ded31404026332020201000000"
    "000000f0bf000000000000f0bf000000000000f0bf0204736170700773e783ade7babf029e38010263340000"
    "0263350209636f6d706c61696e746801000004c48c3c0101dedf29050263311a0101fef01d02026333160101"
    "ded314040263322e02029e380102633400000263350304676f6e656401000001c4c0020101ded31404026332"
    "0209636f6d706c61696e74010d61747472732e6368616e6e656c05dedf29050207686f746c696e65fef01d02"
    "0203776562ded3140402037765629e3801020361707000000206e783ade7babf0770656e616c74790001def2"
    "120300";

static void from_hex(const char *hex, rw_buf_t *out)
{
    rw_buf_init(out);
    for (const char *p = hex; p[0] && p[1]; p += 2) {
        unsigned v;
        assert_int_equal(sscanf(p, "%2x", &v), 1);
        rw_buf_putc(out, (char)v);
    }
}

/* Every call of a rule set at every test time, as text, appended to out. */
static void all_values(rw_aggs_t *a, const ruleset_t *rs, rw_buf_t *out)
{
    for (size_t c = 0; c < rs->rules->n_calls; c++)
        for (size_t t = 0; t < sizeof TIMES / sizeof *TIMES; t++)
            rw_buf_printf(out, "%s@%s=%s\n", rs->rules->calls[c].text, TIMES[t],
                          value_at(a, rs, rs->rules->calls[c].text, TIMES[t]));
}

static void a_state_written_in_format_4_is_read(void **state)
{
    (void)state;
    ruleset_t one, two;
    load(&one, RULES_1);
    load(&two, RULES_2);
    rw_buf_t v4;
    from_hex(FORMAT_4_HEX, &v4);
    rw_aggs_t *now = sample_state(&one), *old = rw_aggs_decode(one.layout, v4.data, v4.len);
    assert_non_null(old);
    /* it answers as the same history applied now: values, events, dedup, M, counter */
    rw_buf_t want, got;
    rw_buf_init(&want);
    rw_buf_init(&got);
    all_values(now, &one, &want);
    all_values(old, &one, &got);
    assert_string_equal(got.data, want.data);
    rw_buf_reset(&want);
    rw_buf_reset(&got);
    events_text(now, &one, "2026-03-03T10:00:00+08:00", &want);
    events_text(old, &one, "2026-03-03T10:00:00+08:00", &got);
    assert_string_equal(got.data, want.data);
    const char *ids[] = {"c1", "c2", "p1", "c3", "c4", "c5"}; /* p1 feeds no window */
    for (size_t i = 0; i < N_EVENTS; i++)
        assert_int_equal(rw_aggs_seen(old, ids[i], 2), 1);
    assert_int_equal(rw_aggs_seen(old, "c6", 2), 0);
    assert_true(rw_aggs_max_time(old) == rw_aggs_max_time(now));
    assert_int_equal(rw_aggs_seq(old), N_EVENTS);
    /* written again it is format 5, read back the same, and goes on */
    rw_buf_t v5;
    encode(old, &v5);
    assert_int_equal(v5.data[0], 5);
    rw_aggs_t *again = rw_aggs_decode(one.layout, v5.data, v5.len);
    assert_non_null(again);
    rw_buf_reset(&want);
    rw_buf_reset(&got);
    all_values(now, &one, &want);
    all_values(again, &one, &got);
    assert_string_equal(got.data, want.data);
    assert_int_equal(rw_aggs_seen(again, "p1", 2), 1);
    apply(again, &one,
          "{'id':'c6','type':'complaint','entity':'" E "','time':'2026-03-03T09:00:00+08:00',"
          "'attrs':{'category':'food','channel':'web','amount':1}}");
    assert_int_equal(rw_aggs_seq(again), N_EVENTS + 1);
    assert_string_equal(value_at(again, &one, "count(food, 30d)", "2026-03-03T10:00:00+08:00"),
                        "4");
    /* under another rule set (a reload) as a format-5 state of that history is */
    rw_buf_t now5;
    encode(now, &now5);
    rw_aggs_t *old2 = rw_aggs_decode(two.layout, v4.data, v4.len),
              *now2 = rw_aggs_decode(two.layout, now5.data, now5.len);
    assert_non_null(old2);
    assert_non_null(now2);
    rw_buf_reset(&want);
    rw_buf_reset(&got);
    all_values(now2, &two, &want);
    all_values(old2, &two, &got);
    assert_string_equal(got.data, want.data);
    rw_buf_free(&want);
    rw_buf_free(&got);
    rw_buf_free(&v4);
    rw_buf_free(&v5);
    rw_buf_free(&now5);
    rw_aggs_free(now);
    rw_aggs_free(old);
    rw_aggs_free(again);
    rw_aggs_free(old2);
    rw_aggs_free(now2);
    unload(&one);
    unload(&two);
}

/* 300 events over 50 days, a few out of order, with repeated and new values. */
static void apply_history(rw_aggs_t *a, const ruleset_t *rs, int from, int to)
{
    static const char *const cats[] = {"food", "price", "food", "食品"};
    for (int i = from; i < to; i++) {
        char id[32], time[64];
        snprintf(id, sizeof id, "12315-2026-%08d", i);
        double t = at("2026-01-01T08:00:00+08:00") + (double)i * 14400 - (i % 7 == 3 ? 86400 : 0);
        rw_time_format(t, tz(rs), time);
        apply(a, rs, i % 5 == 4 ? event(id, time, NULL) : event(id, time, cats[i % 4]));
    }
}

static void a_state_reloaded_part_way_writes_what_one_never_reloaded_writes(void **state)
{
    (void)state;
    ruleset_t rs;
    load(&rs, RULES_1);
    rw_aggs_t *a = rw_aggs_new(rs.layout), *b = rw_aggs_new(rs.layout);
    apply_history(a, &rs, 0, 300);
    for (int part = 0; part < 300; part += 60) { /* b is written, trimmed, read back */
        apply_history(b, &rs, part, part + 60);
        rw_aggs_trim(b);
        rw_buf_t blob;
        encode(b, &blob);
        rw_aggs_free(b);
        b = rw_aggs_decode(rs.layout, blob.data, blob.len);
        assert_non_null(b);
        rw_buf_free(&blob);
    }
    assert_same_encoding(a, b);
    rw_aggs_free(a);
    rw_aggs_free(b);
    unload(&rs);
}

/* Events in the food stream's day series that are still held. */
static json_int_t food_days_held(const rw_aggs_t *a)
{
    json_t *d = rw_aggs_describe(a);
    json_int_t n = -1;
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(d, "series"), i, s)
    {
        if (!strcmp(json_string_value(json_object_get(s, "stream")), "food") &&
            !strcmp(json_string_value(json_object_get(s, "unit")), "day"))
            n = (json_int_t)json_real_value(json_object_get(s, "events"));
    }
    json_decref(d);
    return n;
}

/* Pruning looks at the series only once the cut-off passes the oldest day they hold: a
 * bucket still goes the day it leaves the retention, whether the state was built here
 * or read back from its encoding (which does not say how old its oldest bucket is). */
static void a_bucket_goes_the_day_it_leaves_the_retention(void **state)
{
    (void)state;
    ruleset_t rs;
    load(&rs, RULES_1);
    rw_aggs_t *a = rw_aggs_new(rs.layout);
    apply(a, &rs, event("d1", "2026-01-01T10:00:00+08:00", "food"));
    apply(a, &rs, event("d2", "2026-01-02T10:00:00+08:00", "food"));
    rw_buf_t blob;
    encode(a, &blob);
    rw_aggs_t *b = rw_aggs_decode(rs.layout, blob.data, blob.len);
    assert_non_null(b);
    rw_buf_free(&blob);
    rw_aggs_t *both[] = {a, b};
    for (int k = 0; k < 2; k++) {
        rw_aggs_t *x = both[k];
        /* 399 days on: 2026-01-01 is the retention's first day */
        apply(x, &rs, event("e1", "2027-02-04T10:00:00+08:00", "food"));
        assert_int_equal(food_days_held(x), 3);
        apply(x, &rs, event("e2", "2027-02-05T10:00:00+08:00", "food"));
        assert_int_equal(food_days_held(x), 3); /* 2026-01-01 went */
        apply(x, &rs, event("e3", "2027-02-06T10:00:00+08:00", "food"));
        assert_int_equal(food_days_held(x), 3); /* 2026-01-02 went */
        /* nothing more ages out for a year; then the three 2027 days go at once */
        apply(x, &rs, event("e4", "2027-12-01T10:00:00+08:00", "food"));
        assert_int_equal(food_days_held(x), 4);
        apply(x, &rs, event("e5", "2028-03-20T10:00:00+08:00", "food"));
        assert_int_equal(food_days_held(x), 2);
    }
    assert_same_encoding(a, b);
    rw_aggs_free(a);
    rw_aggs_free(b);
    unload(&rs);
}

static void history_that_ages_out_leaves_memory_and_the_dedup_record(void **state)
{
    (void)state;
    ruleset_t rs;
    load(&rs, RULES_1);
    rw_aggs_t *a = rw_aggs_new(rs.layout);
    apply_history(a, &rs, 0, 300);
    assert_int_equal(rw_aggs_seen(a, "12315-2026-00000150", 19), 1);
    assert_int_equal(rw_aggs_seen(a, "12315-2026-00000300", 19), 0);
    size_t full = rw_aggs_footprint(a);
    rw_aggs_trim(a);
    size_t trimmed = rw_aggs_footprint(a);
    assert_true(trimmed <= full);
    /* an event 500 days on: everything before is out of the retention */
    apply(a, &rs, event("late", "2027-06-01T10:00:00+08:00", "food"));
    rw_aggs_trim(a);
    size_t pruned = rw_aggs_footprint(a);
    assert_true(pruned * 4 < trimmed);
    assert_int_equal(rw_aggs_seen(a, "12315-2026-00000150", 19), 0);
    assert_int_equal(rw_aggs_seen(a, "late", 4), 1);
    assert_string_equal(value_at(a, &rs, "count(food, 30d)", "2027-06-01T10:00:00+08:00"), "1");
    assert_string_equal(
        value_at(a, &rs, "distinct(complaint, attrs.channel, 30d)", "2027-06-01T10:00:00+08:00"),
        "1");
    assert_string_equal(
        value_at(a, &rs, "last(complaint, attrs.channel)", "2027-06-01T10:00:00+08:00"), "\"c1\"");
    assert_string_equal(value_at(a, &rs, "since(penalty)", "2027-06-01T10:00:00+08:00"), "null");
    rw_buf_t got;
    rw_buf_init(&got);
    events_text(a, &rs, "2027-06-01T10:00:00+08:00", &got);
    assert_string_equal(got.data, "[\"late\"]");
    rw_buf_free(&got);
    rw_aggs_free(a);
    unload(&rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_state_read_back_answers_every_query_the_same),
        cmocka_unit_test(a_sum_that_overflows_is_null),
        cmocka_unit_test(an_empty_state_round_trips),
        cmocka_unit_test(decoding_under_a_new_rule_set_keeps_what_still_applies),
        cmocka_unit_test(every_truncated_state_is_refused),
        cmocka_unit_test(a_state_of_another_format_or_with_trailing_bytes_is_refused),
        cmocka_unit_test(corrupted_counts_and_lengths_are_refused_quickly),
        cmocka_unit_test(random_damage_never_crashes),
        cmocka_unit_test(a_leads_events_are_the_newest_50_of_its_windows_oldest_first),
        cmocka_unit_test(a_state_written_in_format_4_is_read),
        cmocka_unit_test(a_state_reloaded_part_way_writes_what_one_never_reloaded_writes),
        cmocka_unit_test(history_that_ages_out_leaves_memory_and_the_dedup_record),
        cmocka_unit_test(a_bucket_goes_the_day_it_leaves_the_retention),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
