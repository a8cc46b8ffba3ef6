/* Tests for leadquery.c as `GET /api/leads` and the stats endpoints use it: parameter
 * checking, filters, scope, sort orders and paging over a small lead store, and per-rule
 * statistics after handling driven through rw_handling_act at pinned times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadquery.h"
#include "rules.h"
#include "rwtime.h"
#include "util.h"

#define TZ 480
#define FOOD "食品经营监管处"
#define DRUG "药品监管处"

static double at(const char *t)
{
    double v;
    assert_int_equal(rw_time_parse(t, strlen(t), &v, NULL), 0);
    return v;
}

/* ---- parameters ------------------------------------------------------------------------- */

/* Parameters as a NULL-terminated list of name, value pairs. */
static const char *param(void *ud, const char *name)
{
    for (const char *const *p = ud; *p; p += 2)
        if (!strcmp(p[0], name)) return p[1];
    return NULL;
}

#define PARAMS(...) ((const char *[]){__VA_ARGS__, NULL})

static int parse(rw_lead_filter_t *f, const char **params, char *err, size_t errlen)
{
    err[0] = 0;
    return rw_lead_filter_parse(f, param, (void *)params, TZ, err, errlen);
}

static void no_parameters_give_the_documented_defaults(void **st)
{
    (void)st;
    rw_lead_filter_t f;
    char err[256];
    assert_int_equal(parse(&f, (const char *[]){NULL}, err, sizeof err), 0);
    assert_int_equal(f.limit, 50);
    assert_int_equal(f.offset, 0);
    assert_int_equal(f.sort, RW_SORT_CREATED_DESC);
    assert_int_equal(f.overdue, -1);
    assert_int_equal(f.urged, -1);
    assert_string_equal(f.mode, "live");
    assert_null(f.status);
    assert_true(f.created_from == 0 && f.created_to == 0);
    rw_lead_filter_free(&f);
}

static void lists_dates_and_paging_are_read(void **st)
{
    (void)st;
    rw_lead_filter_t f;
    char err[256];
    assert_int_equal(
        parse(&f,
              PARAMS("status", "new,,accepted", "level", "red", "region", "3201,3202", "limit",
                     "500", "offset", "0", "sort", "level", "created_from", "2026-03-01",
                     "created_to", "2026-03-01", "overdue", "false", "mode", "all"),
              err, sizeof err),
        0);
    assert_int_equal(json_array_size(f.status), 2);
    assert_string_equal(json_string_value(json_array_get(f.status, 1)), "accepted");
    assert_int_equal(json_array_size(f.region), 2);
    assert_int_equal(f.limit, 500);
    assert_int_equal(f.sort, RW_SORT_LEVEL);
    assert_int_equal(f.overdue, 0);
    assert_string_equal(f.mode, "all");
    /* a date is a local day: from its start, to the start of the next */
    assert_true(f.created_from == at("2026-03-01T00:00:00+08:00"));
    assert_true(f.created_to == at("2026-03-02T00:00:00+08:00"));
    rw_lead_filter_free(&f);

    assert_int_equal(
        parse(&f, PARAMS("created_from", "2026-03-01T08:30:00Z", "sort", "due"), err, sizeof err),
        0);
    assert_true(f.created_from == at("2026-03-01T16:30:00+08:00"));
    assert_int_equal(f.sort, RW_SORT_DUE);
    rw_lead_filter_free(&f);
}

static void bad_parameters_are_refused_with_a_message(void **st)
{
    (void)st;
    static const char *const bad[][2] = {
        {"status", "open"},
        {"status", "new,closing"},
        {"level", "purple"},
        {"sort", "newest"},
        {"sort", "-level"},
        {"limit", "0"},
        {"limit", "501"},
        {"limit", "ten"},
        {"limit", ""},
        {"limit", "5x"},
        {"offset", "-1"},
        {"offset", "x"},
        {"offset", ""},
        {"created_from", "2026-13-01"},
        {"created_from", "yesterday"},
        {"created_to", "2026-02-30"},
        {"created_to", "2026-03-01T25:00:00+08:00"},
        {"overdue", "yes"},
        {"urged", "1"},
        {"mode", "test"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        rw_lead_filter_t f;
        char err[256];
        const char *params[] = {bad[i][0], bad[i][1], NULL};
        if (parse(&f, params, err, sizeof err) == 0)
            fail_msg("%s=%s accepted", bad[i][0], bad[i][1]);
        assert_true(err[0] != 0);
        rw_lead_filter_free(&f);
    }
    /* the message names the value that was wrong */
    rw_lead_filter_t f;
    char err[256];
    assert_int_equal(parse(&f, PARAMS("level", "red,purple"), err, sizeof err), -1);
    assert_non_null(strstr(err, "purple"));
    rw_lead_filter_free(&f);
    assert_int_equal(parse(&f, PARAMS("created_to", "yesterday"), err, sizeof err), -1);
    assert_non_null(strstr(err, "yesterday"));
    rw_lead_filter_free(&f);
}

/* ---- a lead store ----------------------------------------------------------------------- */

typedef struct {
    const char *id, *rule, *ruleset, *region, *department, *entity, *level, *mode, *created,
        *event_time;
} lead_t;

typedef struct {
    rw_store_t *store;
    rw_outbox_t *outbox;
    rw_calendar_t cal;
    rw_handling_t *h;
    rw_user_t boss; /* supervisor, everything */
    rw_user_t wang; /* regulator, 3201 food */
} fixture_t;

static rw_user_t make_user(const char *name, rw_role_t role, const char *scope)
{
    rw_user_t u = {.name = rw_xstrdup(name), .role = role};
    char err[256];
    assert_int_equal(rw_scope_parse(scope, &u.scope, err, sizeof err), 0);
    return u;
}

static int setup(void **state)
{
    fixture_t *f = rw_xcalloc(1, sizeof *f);
    char err[256];
    assert_int_equal(rw_store_open(&f->store, NULL, err, sizeof err), 0);
    f->outbox = rw_outbox_open(f->store);
    rw_calendar_default(&f->cal);
    rw_handling_opts_t o = {
        .store = f->store, .outbox = f->outbox, .calendar = &f->cal, .tz_offset_min = TZ};
    f->h = rw_handling_new(&o);
    f->boss = make_user("boss", RW_ROLE_SUPERVISOR, "*");
    f->wang = make_user("wang", RW_ROLE_REGULATOR, "3201," FOOD);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    rw_handling_free(f->h);
    rw_outbox_free(f->outbox);
    rw_store_close(f->store);
    rw_user_free(&f->boss);
    rw_user_free(&f->wang);
    free(f);
    unsetenv("REGWATCH_NOW");
    return 0;
}

/* Writes the leads as the engine would: new, with deadlines by level from created. */
static void put_leads(fixture_t *f, const lead_t *leads, size_t n)
{
    rw_batch_t *b = rw_batch_new(f->store);
    for (size_t i = 0; i < n; i++) {
        const lead_t *l = &leads[i];
        int level = rw_level_parse(l->level);
        double created = at(l->created);
        char accept_by[64], close_by[64];
        rw_time_format(rw_calendar_deadline(&f->cal, created, TZ, f->cal.accept_days[level]), TZ,
                       accept_by);
        rw_time_format(rw_calendar_deadline(&f->cal, created, TZ, f->cal.close_days[level]), TZ,
                       close_by);
        json_t *r = json_pack(
            "{s:s,s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:n,s:{s:s,s:s},s:b,s:n,s:s,s:s}", "id",
            l->id, "revision", 1, "rule", l->rule, "ruleset", l->ruleset, "mode", l->mode, "entity",
            l->entity, "region", l->region, "department", l->department, "level", l->level,
            "status", "new", "assignee", "due", "accept_by", accept_by, "close_by", close_by,
            "overdue", 0, "disposition", "created_at", l->created, "event_time", l->event_time);
        char *text = json_dumps(r, JSON_COMPACT);
        rw_batch_put(b, RW_CF_LEADS, l->id, strlen(l->id), text, strlen(text));
        free(text);
        json_decref(r);
    }
    char err[256];
    assert_int_equal(rw_store_write(f->store, b, err, sizeof err), 0);
    rw_batch_free(b);
}

/* Takes an action at wall-clock time t (pinned through REGWATCH_NOW, as the service does). */
static void act_at(fixture_t *f, const rw_user_t *u, const char *id, const char *req_text,
                   const char *t)
{
    setenv("REGWATCH_NOW", t, 1);
    json_t *req = json_loads(req_text, 0, NULL);
    assert_non_null(req);
    rw_handling_error_t err = {0};
    json_t *view = rw_handling_act(f->h, u, id, req, "api", rw_now(), &err);
    if (!view) fail_msg("%s on %s: %s %s", req_text, id, err.code, err.message);
    json_decref(view);
    json_decref(req);
}

/* ---- queries ---------------------------------------------------------------------------- */

/* Monday to Thursday, levels out of step with creation so every sort order differs. */
static const lead_t QUERY_LEADS[] = {
    {"Q1", "A", "food", "320102", FOOD, "E1", "yellow", "live", "2026-03-02T09:00:00+08:00",
     "2026-03-02T08:00:00+08:00"},
    {"Q2", "A", "food", "320105", FOOD, "E2", "red", "live", "2026-03-03T09:00:00+08:00",
     "2026-03-03T08:00:00+08:00"},
    {"Q3", "B", "drug", "320201", DRUG, "E3", "blue", "live", "2026-03-04T09:00:00+08:00",
     "2026-03-04T08:00:00+08:00"},
    {"Q4", "B", "drug", "320102", DRUG, "E1", "orange", "live", "2026-03-05T09:00:00+08:00",
     "2026-03-05T08:00:00+08:00"},
    {"S5", "A", "food", "320102", FOOD, "E1", "red", "shadow", "2026-03-06T09:00:00+08:00",
     "2026-03-06T08:00:00+08:00"},
};

#define QUERY_NOW "2026-03-06T12:00:00+08:00"

static int setup_query(void **state)
{
    setup(state);
    fixture_t *f = *state;
    put_leads(f, QUERY_LEADS, sizeof QUERY_LEADS / sizeof *QUERY_LEADS);
    act_at(f, &f->boss, "Q1", "{\"action\":\"accept\"}", "2026-03-06T10:00:00+08:00");
    act_at(f, &f->boss, "Q3", "{\"action\":\"urge\",\"note\":\"尽快\"}",
           "2026-03-06T10:00:00+08:00");
    return 0;
}

/* The page's ids joined with commas, and the total. */
static void expect(fixture_t *f, const rw_user_t *u, const char **params, const char *ids,
                   json_int_t total)
{
    rw_lead_filter_t flt;
    char err[256];
    if (parse(&flt, params, err, sizeof err)) fail_msg("parse: %s", err);
    json_t *res = rw_leads_query(f->h, u, &flt, at(QUERY_NOW));
    rw_lead_filter_free(&flt);
    rw_buf_t got;
    rw_buf_init(&got);
    size_t i;
    json_t *lead;
    json_array_foreach(json_object_get(res, "leads"), i, lead)
    {
        /* every listed lead carries the computed fields */
        assert_true(json_is_boolean(json_object_get(lead, "overdue")));
        assert_true(json_is_integer(json_object_get(lead, "urges")));
        rw_buf_printf(&got, "%s%s", i ? "," : "", json_string_value(json_object_get(lead, "id")));
    }
    rw_buf_putc(&got, 0);
    if (strcmp(got.data, ids) || json_integer_value(json_object_get(res, "total")) != total)
        fail_msg("%s=%s: got [%s] of %" JSON_INTEGER_FORMAT ", want [%s] of %" JSON_INTEGER_FORMAT,
                 params[0] ? params[0] : "", params[0] ? params[1] : "", got.data,
                 json_integer_value(json_object_get(res, "total")), ids, total);
    rw_buf_free(&got);
    json_decref(res);
}

static void filters_select_the_matching_live_leads_newest_first(void **state)
{
    fixture_t *f = *state;
    expect(f, NULL, (const char *[]){NULL}, "Q4,Q3,Q2,Q1", 4);
    expect(f, NULL, PARAMS("status", "accepted"), "Q1", 1);
    expect(f, NULL, PARAMS("status", "new,returned"), "Q4,Q3,Q2", 3);
    expect(f, NULL, PARAMS("level", "red"), "Q2", 1);
    expect(f, NULL, PARAMS("level", "red,blue"), "Q3,Q2", 2);
    expect(f, NULL, PARAMS("rule", "B"), "Q4,Q3", 2);
    expect(f, NULL, PARAMS("ruleset", "food"), "Q2,Q1", 2);
    expect(f, NULL, PARAMS("region", "3201"), "Q4,Q2,Q1", 3);
    expect(f, NULL, PARAMS("region", "320102"), "Q4,Q1", 2);
    expect(f, NULL, PARAMS("region", "3202,320105"), "Q3,Q2", 2);
    expect(f, NULL, PARAMS("department", DRUG), "Q4,Q3", 2);
    expect(f, NULL, PARAMS("entity", "E1"), "Q4,Q1", 2);
    expect(f, NULL, PARAMS("region", "3201", "level", "red,orange"), "Q4,Q2", 2);
    /* the created range: dates are whole local days, times are exact, from inclusive */
    expect(f, NULL, PARAMS("created_from", "2026-03-03", "created_to", "2026-03-04"), "Q3,Q2", 2);
    expect(f, NULL, PARAMS("created_from", "2026-03-04T09:00:00+08:00"), "Q4,Q3", 2);
    expect(f, NULL, PARAMS("created_to", "2026-03-02"), "Q1", 1);
    /* overdue as of now: Q2 (red) was due for accepting on Wednesday; Q1 was accepted */
    expect(f, NULL, PARAMS("overdue", "true"), "Q2", 1);
    expect(f, NULL, PARAMS("overdue", "false"), "Q4,Q3,Q1", 3);
    expect(f, NULL, PARAMS("urged", "true"), "Q3", 1);
    expect(f, NULL, PARAMS("urged", "false"), "Q4,Q2,Q1", 3);
    /* shadow leads only when asked for */
    expect(f, NULL, PARAMS("mode", "shadow"), "S5", 1);
    expect(f, NULL, PARAMS("mode", "all"), "S5,Q4,Q3,Q2,Q1", 5);
    expect(f, NULL, PARAMS("mode", "all", "level", "red"), "S5,Q2", 2);
    expect(f, NULL, PARAMS("rule", "nope"), "", 0);
}

static void a_user_sees_only_leads_in_scope(void **state)
{
    fixture_t *f = *state;
    expect(f, &f->wang, (const char *[]){NULL}, "Q2,Q1", 2);
    expect(f, &f->wang, PARAMS("department", DRUG), "", 0);
    expect(f, &f->wang, PARAMS("mode", "all"), "S5,Q2,Q1", 3);
    expect(f, &f->boss, (const char *[]){NULL}, "Q4,Q3,Q2,Q1", 4);
}

static void sort_orders_are_created_due_and_level(void **state)
{
    fixture_t *f = *state;
    expect(f, NULL, PARAMS("sort", "-created"), "Q4,Q3,Q2,Q1", 4);
    expect(f, NULL, PARAMS("sort", "created"), "Q1,Q2,Q3,Q4", 4);
    /* the deadline that matters now: accept_by for new leads (Q2 Wed, Q4 next Mon, Q3 next
     * Wed), close_by for the accepted Q1 (30 working days) */
    expect(f, NULL, PARAMS("sort", "due"), "Q2,Q4,Q3,Q1", 4);
    expect(f, NULL, PARAMS("sort", "level"), "Q2,Q4,Q1,Q3", 4);
    /* equal levels: newest first */
    expect(f, NULL, PARAMS("sort", "level", "mode", "all"), "S5,Q2,Q4,Q1,Q3", 5);
}

static void paging_cuts_the_sorted_list_and_total_counts_all(void **state)
{
    fixture_t *f = *state;
    expect(f, NULL, PARAMS("limit", "2"), "Q4,Q3", 4);
    expect(f, NULL, PARAMS("limit", "2", "offset", "2"), "Q2,Q1", 4);
    expect(f, NULL, PARAMS("limit", "2", "offset", "3"), "Q1", 4);
    expect(f, NULL, PARAMS("offset", "4"), "", 4);
    expect(f, NULL, PARAMS("offset", "100"), "", 4);

    rw_lead_filter_t flt;
    char err[256];
    assert_int_equal(parse(&flt, PARAMS("limit", "3", "offset", "1"), err, sizeof err), 0);
    json_t *res = rw_leads_query(f->h, NULL, &flt, at(QUERY_NOW));
    assert_int_equal(json_integer_value(json_object_get(res, "offset")), 1);
    assert_int_equal(json_integer_value(json_object_get(res, "limit")), 3);
    json_decref(res);
    rw_lead_filter_free(&flt);
}

/* ---- statistics ------------------------------------------------------------------------- */

#define STATS_CREATED "2026-03-02T09:00:00+08:00" /* Monday */

static const lead_t STATS_LEADS[] = {
    {"A1", "R-A", "food", "320102", FOOD, "E1", "red", "live", STATS_CREATED,
     "2026-02-20T10:00:00+08:00"},
    {"A2", "R-A", "food", "320102", FOOD, "E2", "orange", "live", STATS_CREATED,
     "2026-03-01T10:00:00+08:00"},
    {"A3", "R-A", "food", "320102", FOOD, "E3", "red", "live", STATS_CREATED,
     "2026-01-15T10:00:00+08:00"},
    /* written in UTC by its producer: 1 March 01:00 in the catalogue's zone, a March lead */
    {"A4", "R-A", "food", "320102", FOOD, "E4", "red", "live", STATS_CREATED,
     "2026-02-28T17:00:00Z"},
    {"B1", "R-B", "drug", "320102", DRUG, "E5", "blue", "live", STATS_CREATED,
     "2026-03-01T10:00:00+08:00"},
    {"B2", "R-B", "drug", "320102", DRUG, "E6", "blue", "live", STATS_CREATED,
     "2026-03-01T10:00:00+08:00"},
};

#define ACCEPT "{\"action\":\"accept\"}"
#define VERIFY "{\"action\":\"verify\"}"
#define CLOSE "{\"action\":\"close\"}"

static const json_t *group(const json_t *stats, const char *key)
{
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(stats, "groups"), i, g)
    {
        if (!strcmp(json_string_value(json_object_get(g, "key")), key)) return g;
    }
    fail_msg("no group %s", key);
    return NULL;
}

static json_int_t count(const json_t *g, const char *field)
{
    return json_integer_value(json_object_get(g, field));
}

static void assert_number(const json_t *v, double want)
{
    if (!json_is_number(v) || fabs(json_number_value(v) - want) > 1e-9)
        fail_msg("got %g, want %g", json_number_value(v), want);
}

static void assert_json_text(const json_t *got, const char *want_text)
{
    char *text = json_dumps(got, JSON_COMPACT);
    assert_string_equal(text, want_text);
    free(text);
}

static json_t *stats(fixture_t *f, const rw_user_t *u, const char *by, const char *now)
{
    rw_lead_filter_t flt;
    char err[256];
    assert_int_equal(parse(&flt, (const char *[]){NULL}, err, sizeof err), 0);
    json_t *s = rw_leads_stats(f->h, u, &flt, by, at(now));
    rw_lead_filter_free(&flt);
    return s;
}

static void stats_per_rule_count_decisions_precision_and_median_times(void **state)
{
    fixture_t *f = *state;
    put_leads(f, STATS_LEADS, sizeof STATS_LEADS / sizeof *STATS_LEADS);
    /* accepted 2, 4 and 6 hours after creation; closed after 10 and 30 hours */
    act_at(f, &f->boss, "A1", ACCEPT, "2026-03-02T11:00:00+08:00");
    act_at(f, &f->boss, "A1", VERIFY, "2026-03-02T12:00:00+08:00");
    act_at(f, &f->boss, "A1", "{\"action\":\"confirm\",\"measure\":\"责令改正\",\"note\":\"n\"}",
           "2026-03-02T14:00:00+08:00");
    act_at(f, &f->boss, "A1", CLOSE, "2026-03-02T19:00:00+08:00");
    act_at(f, &f->boss, "A2", ACCEPT, "2026-03-02T13:00:00+08:00");
    act_at(f, &f->boss, "A2", VERIFY, "2026-03-02T14:00:00+08:00");
    act_at(f, &f->boss, "A2", "{\"action\":\"dismiss\",\"reason\":\"规则误报\",\"note\":\"n\"}",
           "2026-03-03T09:00:00+08:00");
    act_at(f, &f->boss, "A2", CLOSE, "2026-03-03T15:00:00+08:00");
    act_at(f, &f->boss, "A3", ACCEPT, "2026-03-02T15:00:00+08:00");
    act_at(f, &f->boss, "A3", VERIFY, "2026-03-02T16:00:00+08:00");
    act_at(f, &f->boss, "A3", "{\"action\":\"dismiss\",\"reason\":\"数据错误\",\"note\":\"n\"}",
           "2026-03-03T09:00:00+08:00");
    /* B2 was confirmed, then sent back: no longer a decision */
    act_at(f, &f->boss, "B2", ACCEPT, "2026-03-02T10:00:00+08:00");
    act_at(f, &f->boss, "B2", VERIFY, "2026-03-02T11:00:00+08:00");
    act_at(f, &f->boss, "B2", "{\"action\":\"confirm\",\"measure\":\"约谈\",\"note\":\"n\"}",
           "2026-03-02T12:00:00+08:00");
    act_at(f, &f->boss, "B2", "{\"action\":\"send_back\",\"note\":\"证据不足\"}",
           "2026-03-02T13:00:00+08:00");

    /* Wednesday noon: the red A4 was due for accepting on Tuesday */
    json_t *s = stats(f, NULL, "rule", "2026-03-04T12:00:00+08:00");
    assert_string_equal(json_string_value(json_object_get(s, "by")), "rule");
    assert_int_equal(json_array_size(json_object_get(s, "groups")), 2);
    const json_t *a = group(s, "R-A");
    assert_int_equal(count(a, "leads"), 4);
    assert_int_equal(count(a, "confirmed"), 1);
    assert_int_equal(count(a, "dismissed"), 2);
    assert_json_text(json_object_get(a, "dismissed_by_reason"), "{\"规则误报\":1,\"数据错误\":1}");
    assert_number(json_object_get(a, "precision"), 0.3333);
    assert_number(json_object_get(a, "median_hours_to_accept"), 4);
    assert_number(json_object_get(a, "median_hours_to_close"), 20);
    assert_int_equal(count(a, "overdue"), 1);
    assert_int_equal(count(json_object_get(a, "by_status"), "closed"), 2);
    assert_int_equal(count(json_object_get(a, "by_status"), "dismissed"), 1);
    assert_int_equal(count(json_object_get(a, "by_status"), "new"), 1);
    assert_int_equal(count(json_object_get(a, "by_level"), "red"), 3);
    /* months of the conduct, in calendar order whatever order the leads came in */
    assert_json_text(json_object_get(a, "by_month"),
                     "{\"2026-01\":{\"red\":1},\"2026-02\":{\"red\":1},"
                     "\"2026-03\":{\"orange\":1,\"red\":1}}");

    const json_t *b = group(s, "R-B");
    assert_int_equal(count(b, "leads"), 2);
    assert_int_equal(count(b, "confirmed"), 0);
    assert_int_equal(count(b, "dismissed"), 0);
    assert_true(json_is_null(json_object_get(b, "precision")));
    assert_number(json_object_get(b, "median_hours_to_accept"), 1);
    assert_true(json_is_null(json_object_get(b, "median_hours_to_close")));
    assert_int_equal(count(b, "overdue"), 0);
    json_decref(s);

    /* by department, in a regulator's scope: only food */
    s = stats(f, &f->wang, "department", "2026-03-04T12:00:00+08:00");
    assert_int_equal(json_array_size(json_object_get(s, "groups")), 1);
    assert_int_equal(count(group(s, FOOD), "leads"), 4);
    json_decref(s);

    assert_null(stats(f, NULL, "entity", "2026-03-04T12:00:00+08:00"));
}

int main(void)
{
#define Q(name) cmocka_unit_test_setup_teardown(name, setup_query, teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_parameters_give_the_documented_defaults),
        cmocka_unit_test(lists_dates_and_paging_are_read),
        cmocka_unit_test(bad_parameters_are_refused_with_a_message),
        Q(filters_select_the_matching_live_leads_newest_first),
        Q(a_user_sees_only_leads_in_scope),
        Q(sort_orders_are_created_due_and_level),
        Q(paging_cuts_the_sorted_list_and_total_counts_all),
        cmocka_unit_test_setup_teardown(stats_per_rule_count_decisions_precision_and_median_times,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
