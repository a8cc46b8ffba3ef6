/* Tests for handling.c as the API's callers see it: acting on leads in the store
 * gives the new view (record, timeline, allowed actions), one published revision and
 * one audit entry per change; refusals (404 out of scope, 403 role, 409 transition or
 * stale revision, 400 request) write nothing; urge and the overdue sweep. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handling.h"
#include "lifecycle.h"
#include "rules.h"
#include "rwtime.h"
#include "util.h"

#define TZ 480
#define CREATED "2026-03-04T10:00:00.000+08:00" /* a Wednesday */
#define FOOD "食品经营监管处"

typedef struct {
    rw_store_t *store;
    rw_outbox_t *outbox;
    rw_calendar_t cal;
    rw_handling_t *h;
    json_t *published; /* [{"key", "record"}] in publishing order */
    json_t *written;   /* lead ids the `wrote` hook was told, in order */
    rw_user_t wang;    /* regulator, 3201 food */
    rw_user_t li;      /* supervisor, 3201 */
    rw_user_t chen;    /* regulator, 3202: another city */
    rw_user_t zhao;    /* author, everything */
} fixture_t;

static void on_publish(void *ud, const rw_outbox_msg_t *m)
{
    fixture_t *f = ud;
    assert_string_equal(m->topic, "regwatch.leads");
    json_t *rec = json_loadb(m->val, m->vlen, 0, NULL);
    assert_non_null(rec);
    json_array_append_new(f->published,
                          json_pack("{s:s%,s:o}", "key", m->key, m->klen, "record", rec));
}

static void on_wrote(void *ud, const char *id)
{
    json_array_append_new(((fixture_t *)ud)->written, json_string(id));
}

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
    f->published = json_array();
    f->written = json_array();
    rw_handling_opts_t o = {.store = f->store,
                            .outbox = f->outbox,
                            .publish = on_publish,
                            .publish_ud = f,
                            .wrote = on_wrote,
                            .wrote_ud = f,
                            .calendar = &f->cal,
                            .tz_offset_min = TZ};
    f->h = rw_handling_new(&o);
    f->wang = make_user("wang", RW_ROLE_REGULATOR, "3201," FOOD);
    f->li = make_user("li", RW_ROLE_SUPERVISOR, "3201");
    f->chen = make_user("chen", RW_ROLE_REGULATOR, "3202");
    f->zhao = make_user("zhao", RW_ROLE_AUTHOR, "*");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    rw_handling_free(f->h);
    rw_outbox_free(f->outbox);
    rw_store_close(f->store);
    json_decref(f->published);
    json_decref(f->written);
    rw_user_free(&f->wang);
    rw_user_free(&f->li);
    rw_user_free(&f->chen);
    rw_user_free(&f->zhao);
    free(f);
    unsetenv("REGWATCH_NOW");
    return 0;
}

static double at(const char *t)
{
    double v;
    assert_int_equal(rw_time_parse(t, strlen(t), &v, NULL), 0);
    return v;
}

/* A minimal orange lead as the engine writes it, in 320102 food, created at CREATED. */
static void put_lead(fixture_t *f, const char *id, const char *mode)
{
    char accept_by[64], close_by[64];
    double created = at(CREATED);
    rw_time_format(rw_calendar_deadline(&f->cal, created, TZ, f->cal.accept_days[RW_LEVEL_ORANGE]),
                   TZ, accept_by);
    rw_time_format(rw_calendar_deadline(&f->cal, created, TZ, f->cal.close_days[RW_LEVEL_ORANGE]),
                   TZ, close_by);
    json_t *r = json_pack("{s:s,s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:n,s:{s:s,s:s},s:b,s:n,s:s,s:s}",
                          "id", id, "revision", 1, "rule", "FOOD-COMPLAINT-SURGE", "mode", mode,
                          "entity", "91320102MA1XXXXX0X", "region", "320102", "department", FOOD,
                          "level", "orange", "status", "new", "assignee", "due", "accept_by",
                          accept_by, "close_by", close_by, "overdue", 0, "disposition",
                          "created_at", CREATED, "event_time", "2026-03-04T09:58:00+08:00");
    char *text = json_dumps(r, JSON_COMPACT);
    rw_batch_t *b = rw_batch_new(f->store);
    rw_batch_put(b, RW_CF_LEADS, id, strlen(id), text, strlen(text));
    char err[256];
    assert_int_equal(rw_store_write(f->store, b, err, sizeof err), 0);
    rw_batch_free(b);
    free(text);
    json_decref(r);
}

/* Takes the action (JSON text) and expects success; returns the view. */
static json_t *act(fixture_t *f, const rw_user_t *u, const char *id, const char *req_text,
                   const char *t)
{
    json_t *req = json_loads(req_text, 0, NULL);
    assert_non_null(req);
    rw_handling_error_t err = {0};
    json_t *view = rw_handling_act(f->h, u, id, req, "api", at(t), &err);
    if (!view) fail_msg("%s by %s: %d %s %s", req_text, u->name, err.status, err.code, err.message);
    json_decref(req);
    return view;
}

static uint64_t audit_entries(fixture_t *f)
{
    rw_audit_report_t r;
    rw_audit_verify(f->store, &r);
    assert_true(r.ok);
    return r.entries;
}

static void count_one(void *ud, const rw_outbox_msg_t *m)
{
    (void)m;
    (*(size_t *)ud)++;
}

static size_t outbox_records(fixture_t *f)
{
    size_t n = 0;
    rw_outbox_scan(f->outbox, count_one, &n);
    return n;
}

static char *stored(fixture_t *f, const char *id)
{
    return rw_store_get(f->store, RW_CF_LEADS, id, strlen(id), NULL);
}

/* Takes the action and expects the refusal status/code with nothing written: the
 * record, the audit log, the outbox and what was published stay as they were. The
 * error's `allowed` is returned (owned) for the caller to look at. */
static json_t *refused(fixture_t *f, const rw_user_t *u, const char *id, const char *req_text,
                       int status, const char *code)
{
    char *before = stored(f, id);
    uint64_t entries = audit_entries(f);
    size_t outbox = outbox_records(f), published = json_array_size(f->published);
    json_t *req = json_loads(req_text, 0, NULL);
    rw_handling_error_t err = {0};
    json_t *view = rw_handling_act(f->h, u, id, req, "api", at("2026-03-04T12:00:00+08:00"), &err);
    json_decref(req);
    if (view) fail_msg("%s by %s on %s succeeded", req_text, u->name, id);
    assert_int_equal(err.status, status);
    assert_string_equal(err.code, code);
    assert_true(err.message[0] != 0);
    char *after = stored(f, id);
    if (before || after) assert_string_equal(before, after);
    assert_int_equal(audit_entries(f), entries);
    assert_int_equal(outbox_records(f), outbox);
    assert_int_equal(json_array_size(f->published), published);
    free(before);
    free(after);
    json_t *allowed = json_incref(err.allowed);
    rw_handling_error_clear(&err);
    return allowed;
}

/* The JSON array equals want (JSON text); then frees it. */
static void assert_json(json_t *got, const char *want_text)
{
    json_t *want = json_loads(want_text, 0, NULL);
    assert_non_null(want);
    if (!json_equal(got, want)) {
        char *g = json_dumps(got, JSON_COMPACT);
        fail_msg("got %s, want %s", g, want_text);
    }
    json_decref(want);
    json_decref(got);
}

static const char *lead_field(const json_t *view, const char *field)
{
    return json_string_value(json_object_get(json_object_get(view, "lead"), field));
}

static json_int_t lead_int(const json_t *view, const char *field)
{
    return json_integer_value(json_object_get(json_object_get(view, "lead"), field));
}

/* After the action that made `revision` of lead L1 (created with revision 1, no urges):
 * the view, the timeline, the published revisions, the outbox and the audit log. */
static void check_step(fixture_t *f, json_t *view, const char *status, json_int_t revision,
                       const char *allowed, const char *actor)
{
    assert_string_equal(lead_field(view, "status"), status);
    assert_int_equal(lead_int(view, "revision"), revision);
    assert_json(json_incref(json_object_get(view, "allowed")), allowed);
    /* the timeline: creation, then one entry per action, the latest last */
    const json_t *tl = json_object_get(view, "timeline");
    assert_int_equal(json_array_size(tl), (size_t)revision);
    const json_t *last = json_array_get(tl, json_array_size(tl) - 1);
    assert_string_equal(json_string_value(json_object_get(last, "actor")), actor);
    assert_int_equal(json_integer_value(json_object_get(last, "revision")), revision);
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(json_object_get(last, "changes"), "status"), 1)),
                        status);
    /* one published revision per change, the whole record as stored */
    assert_int_equal(json_array_size(f->published), (size_t)revision - 1);
    const json_t *msg = json_array_get(f->published, json_array_size(f->published) - 1);
    assert_string_equal(json_string_value(json_object_get(msg, "key")), "L1");
    char *text = stored(f, "L1");
    json_t *rec = json_loads(text, 0, NULL);
    assert_true(json_equal(json_object_get(msg, "record"), rec));
    assert_int_equal(json_integer_value(json_object_get(rec, "revision")), revision);
    json_decref(rec);
    free(text);
    assert_int_equal(outbox_records(f), (size_t)revision - 1);
    assert_int_equal(audit_entries(f), (uint64_t)revision - 1);
    json_decref(view);
}

static void accept_verify_confirm_close_walks_the_lead_to_closed(void **state)
{
    fixture_t *f = *state;
    put_lead(f, "L1", "live");
    rw_handling_error_t err = {0};
    json_t *view = rw_handling_view(f->h, &f->wang, "L1", at(CREATED), &err);
    assert_non_null(view);
    assert_json(json_incref(json_object_get(view, "allowed")), "[\"accept\",\"return\"]");
    const json_t *created = json_array_get(json_object_get(view, "timeline"), 0);
    assert_string_equal(json_string_value(json_object_get(created, "action")), "create");
    assert_string_equal(json_string_value(json_object_get(created, "time")), CREATED);
    assert_string_equal(json_string_value(json_object_get(created, "actor")), "system");
    json_decref(view);

    view = act(f, &f->wang, "L1", "{\"action\":\"accept\",\"revision\":1}",
               "2026-03-04T11:00:00+08:00");
    assert_string_equal(lead_field(view, "assignee"), "wang");
    check_step(f, view, "accepted", 2, "[\"verify\"]", "wang");
    check_step(f, act(f, &f->wang, "L1", "{\"action\":\"verify\"}", "2026-03-04T14:00:00+08:00"),
               "verifying", 3, "[\"confirm\",\"dismiss\"]", "wang");
    check_step(f,
               act(f, &f->wang, "L1",
                   "{\"action\":\"confirm\",\"measure\":\"责令改正\",\"note\":\"属实\"}",
                   "2026-03-05T10:00:00+08:00"),
               "confirmed", 4, "[]", "wang");
    view = act(f, &f->li, "L1", "{\"action\":\"close\",\"note\":\"同意\"}",
               "2026-03-06T10:00:00+08:00");
    const json_t *d = json_object_get(json_object_get(view, "lead"), "disposition");
    assert_string_equal(json_string_value(json_object_get(d, "result")), "confirmed");
    assert_string_equal(json_string_value(json_object_get(d, "closed_by")), "li");
    /* the audit entry says who, as what, through which channel, and the note */
    const json_t *tl = json_object_get(view, "timeline");
    const json_t *last = json_array_get(tl, json_array_size(tl) - 1);
    assert_string_equal(json_string_value(json_object_get(last, "role")), "supervisor");
    assert_string_equal(json_string_value(json_object_get(last, "via")), "api");
    assert_string_equal(json_string_value(json_object_get(last, "lead")), "L1");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(last, "details"), "note")), "同意");
    assert_string_equal(json_string_value(json_object_get(last, "time")),
                        "2026-03-06T10:00:00.000+08:00");
    check_step(f, view, "closed", 5, "[\"reopen\"]", "li");

    /* the regulator sees the closed lead but can do nothing with it */
    view = rw_handling_view(f->h, &f->wang, "L1", at(CREATED), &err);
    assert_json(json_incref(json_object_get(view, "allowed")), "[]");
    assert_int_equal(json_array_size(json_object_get(view, "timeline")), 5);
    json_decref(view);
}

/* The service's engines keep a lead's latest text to rewrite on the next suppressed
 * trigger: every record an action writes must be announced so they drop theirs. */
static void every_written_revision_is_announced_and_a_refusal_is_not(void **state)
{
    fixture_t *f = *state;
    put_lead(f, "L1", "live");
    json_decref(act(f, &f->wang, "L1", "{\"action\":\"accept\",\"revision\":1}",
                    "2026-03-04T11:00:00+08:00"));
    assert_json(json_incref(f->written), "[\"L1\"]");
    rw_handling_error_t err = {0};
    json_t *body = json_loads("{\"action\":\"accept\",\"revision\":1}", 0, NULL);
    assert_null(
        rw_handling_act(f->h, &f->wang, "L1", body, "api", at("2026-03-04T12:00:00+08:00"), &err));
    assert_int_equal(err.status, 409);
    rw_handling_error_clear(&err);
    json_decref(body);
    assert_int_equal(json_array_size(f->written), 1);
}

static void out_of_scope_is_not_found_like_a_missing_lead(void **state)
{
    fixture_t *f = *state;
    put_lead(f, "L1", "live");
    json_decref(refused(f, &f->chen, "L1", "{\"action\":\"accept\"}", 404, "not_found"));
    json_decref(refused(f, &f->chen, "L404", "{\"action\":\"accept\"}", 404, "not_found"));
    json_decref(refused(f, &f->li, "L404", "{\"action\":\"accept\"}", 404, "not_found"));
    rw_handling_error_t err = {0};
    assert_null(rw_handling_view(f->h, &f->chen, "L1", at(CREATED), &err));
    assert_int_equal(err.status, 404);
    assert_int_equal(audit_entries(f), 0);
}

static void a_role_without_the_action_is_forbidden(void **state)
{
    fixture_t *f = *state;
    put_lead(f, "L1", "live");
    json_decref(refused(f, &f->zhao, "L1", "{\"action\":\"accept\"}", 403, "forbidden"));
    json_decref(
        refused(f, &f->wang, "L1", "{\"action\":\"urge\",\"note\":\"快\"}", 403, "forbidden"));
    json_decref(refused(f, &f->wang, "L1", "{\"action\":\"reassign\",\"region\":\"320105\"}", 403,
                        "forbidden"));
}

static void an_illegal_transition_answers_with_the_allowed_actions(void **state)
{
    fixture_t *f = *state;
    put_lead(f, "L1", "live");
    assert_json(refused(f, &f->wang, "L1", "{\"action\":\"verify\"}", 409, "illegal_transition"),
                "[\"accept\",\"return\"]");
    assert_json(refused(f, &f->li, "L1", "{\"action\":\"close\"}", 409, "illegal_transition"),
                "[\"accept\",\"return\",\"urge\"]");
}

static void a_stale_revision_is_a_conflict(void **state)
{
    fixture_t *f = *state;
    put_lead(f, "L1", "live");
    json_decref(act(f, &f->wang, "L1", "{\"action\":\"accept\",\"revision\":1}",
                    "2026-03-04T11:00:00+08:00"));
    /* a form opened before the accept */
    assert_json(refused(f, &f->li, "L1", "{\"action\":\"verify\",\"revision\":1}", 409, "conflict"),
                "[\"verify\",\"urge\"]");
    json_decref(
        refused(f, &f->li, "L1", "{\"action\":\"verify\",\"revision\":3}", 409, "conflict"));
    json_decref(act(f, &f->li, "L1", "{\"action\":\"verify\",\"revision\":2}",
                    "2026-03-04T12:00:00+08:00"));
}

static void a_bad_request_writes_nothing(void **state)
{
    fixture_t *f = *state;
    put_lead(f, "L1", "live");
    json_decref(refused(f, &f->wang, "L1", "{\"action\":\"accept\",\"assignee\":\"li\"}", 400,
                        "unknown_field"));
    json_decref(refused(f, &f->li, "L1", "{\"action\":\"urge\"}", 400, "missing_field"));
    /* a reassign must move the lead: to where it already is, it only reset the deadlines */
    json_decref(act(f, &f->wang, "L1", "{\"action\":\"return\",\"reason\":\"r\"}",
                    "2026-03-04T11:00:00+08:00"));
    json_decref(refused(f, &f->li, "L1",
                        "{\"action\":\"reassign\",\"department\":\"" FOOD
                        "\",\"region\":\"320102\"}",
                        400, "bad_value"));
}

static void shadow_leads_cannot_be_handled(void **state)
{
    fixture_t *f = *state;
    put_lead(f, "S1", "shadow");
    assert_json(refused(f, &f->li, "S1", "{\"action\":\"accept\"}", 409, "illegal_transition"),
                "[]");
    assert_json(
        refused(f, &f->li, "S1", "{\"action\":\"urge\",\"note\":\"n\"}", 409, "illegal_transition"),
        "[]");
}

static void urge_adds_to_the_timeline_and_urges_without_a_new_revision(void **state)
{
    fixture_t *f = *state;
    put_lead(f, "L1", "live");
    char *before = stored(f, "L1");
    for (int i = 1; i <= 2; i++) {
        json_t *view = act(f, &f->li, "L1", "{\"action\":\"urge\",\"note\":\"请今日签收\"}",
                           "2026-03-04T15:00:00+08:00");
        assert_int_equal(lead_int(view, "revision"), 1);
        assert_int_equal(lead_int(view, "urges"), i);
        const json_t *tl = json_object_get(view, "timeline");
        assert_int_equal(json_array_size(tl), (size_t)i + 1);
        const json_t *last = json_array_get(tl, (size_t)i);
        assert_string_equal(json_string_value(json_object_get(last, "action")), "urge");
        assert_int_equal(json_object_size(json_object_get(last, "changes")), 0);
        json_decref(view);
    }
    char *after = stored(f, "L1");
    assert_string_equal(before, after);
    free(before);
    free(after);
    assert_int_equal(json_array_size(f->published), 0);
    assert_int_equal(outbox_records(f), 0);
    assert_int_equal(audit_entries(f), 2);
    json_t *r = rw_handling_get(f->h, "L1", at(CREATED));
    assert_int_equal(json_integer_value(json_object_get(r, "urges")), 2);
    json_decref(r);
}

static long sweep_at(fixture_t *f, const char *now)
{
    setenv("REGWATCH_NOW", now, 1);
    char err[256];
    long n = rw_handling_sweep_overdue(f->h, rw_now(), err, sizeof err);
    if (n < 0) fail_msg("sweep: %s", err);
    return n;
}

static const json_t *last_published(fixture_t *f)
{
    return json_object_get(json_array_get(f->published, json_array_size(f->published) - 1),
                           "record");
}

static void the_sweep_republishes_a_lead_once_when_it_becomes_overdue(void **state)
{
    fixture_t *f = *state;
    put_lead(f, "L1", "live");
    put_lead(f, "L2", "live");
    put_lead(f, "S1", "shadow");
    json_decref(act(f, &f->wang, "L2", "{\"action\":\"accept\"}", "2026-03-04T11:00:00+08:00"));
    size_t published = json_array_size(f->published);

    assert_int_equal(sweep_at(f, "2026-03-06T23:00:00+08:00"), 0); /* before accept_by */
    /* Saturday: L1 was due for accepting on Friday; L2 was accepted, S1 is shadow */
    assert_int_equal(sweep_at(f, "2026-03-07T09:00:00+08:00"), 1);
    assert_int_equal(json_array_size(f->published), published + 1);
    const json_t *rec = last_published(f);
    assert_string_equal(json_string_value(json_object_get(rec, "id")), "L1");
    assert_true(json_is_true(json_object_get(rec, "overdue")));
    assert_int_equal(json_integer_value(json_object_get(rec, "revision")), 2);
    json_t *r = rw_handling_get(f->h, "L1", rw_now());
    assert_true(json_is_true(json_object_get(r, "overdue")));
    json_decref(r);
    assert_int_equal(sweep_at(f, "2026-03-07T10:00:00+08:00"), 0);
    assert_int_equal(json_array_size(f->published), published + 1);

    /* accepting late clears overdue; past close_by both live leads are overdue again */
    json_t *view = act(f, &f->wang, "L1", "{\"action\":\"accept\"}", "2026-03-09T09:00:00+08:00");
    assert_false(json_is_true(json_object_get(json_object_get(view, "lead"), "overdue")));
    json_decref(view);
    assert_int_equal(sweep_at(f, "2026-03-26T09:00:00+08:00"), 2);
    assert_int_equal(sweep_at(f, "2026-03-26T10:00:00+08:00"), 0);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(accept_verify_confirm_close_walks_the_lead_to_closed),
        T(every_written_revision_is_announced_and_a_refusal_is_not),
        T(out_of_scope_is_not_found_like_a_missing_lead),
        T(a_role_without_the_action_is_forbidden),
        T(an_illegal_transition_answers_with_the_allowed_actions),
        T(a_stale_revision_is_a_conflict),
        T(a_bad_request_writes_nothing),
        T(shadow_leads_cannot_be_handled),
        T(urge_adds_to_the_timeline_and_urges_without_a_new_revision),
        T(the_sweep_republishes_a_lead_once_when_it_becomes_overdue),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
