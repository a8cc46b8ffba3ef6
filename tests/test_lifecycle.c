/* Tests for lifecycle.c against leads.md and docs/api.md: the transition table for
 * every status, action and role, the checks on an action request, the record fields
 * each action changes (and the `changes` the audit log shows), and overdue. The
 * expectations are written out from the docs, not taken from the library's table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lifecycle.h"
#include "rwtime.h"

static const char *const STATUSES[] = {"new",       "accepted", "verifying", "confirmed",
                                       "dismissed", "closed",   "returned"};
static const char *const ACTIONS[] = {"accept",   "verify", "confirm",   "dismiss", "return",
                                      "reassign", "close",  "send_back", "reopen",  "urge"};
static const char *const ROLES[] = {"regulator", "supervisor", "author", "auditor", "admin"};
#define N_STATUSES (sizeof STATUSES / sizeof *STATUSES)
#define N_ACTIONS (sizeof ACTIONS / sizeof *ACTIONS)
#define N_ROLES (sizeof ROLES / sizeof *ROLES)

/* docs/api.md's "from" column, as space-separated status lists. */
static const struct {
    const char *action, *from;
    int supervisor_only;
} TABLE[] = {
    {"accept", " new ", 0},
    {"verify", " accepted ", 0},
    {"confirm", " verifying ", 0},
    {"dismiss", " verifying ", 0},
    {"return", " new ", 0}, /* leads.md's diagram: before it is accepted, not after */
    {"reassign", " returned ", 1},
    {"close", " confirmed dismissed ", 1},
    {"send_back", " confirmed dismissed ", 1},
    {"reopen", " closed ", 1},
    {"urge", " new accepted verifying confirmed dismissed returned ", 1},
};

static int doc_applies(const char *action, const char *status)
{
    char word[32];
    snprintf(word, sizeof word, " %s ", status);
    for (size_t i = 0; i < sizeof TABLE / sizeof *TABLE; i++)
        if (!strcmp(TABLE[i].action, action)) return strstr(TABLE[i].from, word) != NULL;
    fail_msg("action %s not in the table", action);
    return 0;
}

static int doc_permitted(const char *action, const char *role)
{
    for (size_t i = 0; i < sizeof TABLE / sizeof *TABLE; i++)
        if (!strcmp(TABLE[i].action, action))
            return !strcmp(role, "supervisor") ||
                   (!strcmp(role, "regulator") && !TABLE[i].supervisor_only);
    return 0;
}

static int array_has(const json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (!strcmp(json_string_value(v), s)) return 1;
    }
    return 0;
}

static void the_transition_table_matches_the_docs_for_every_status_action_and_role(void **st)
{
    (void)st;
    for (size_t s = 0; s < N_STATUSES; s++) {
        int status = rw_status_parse(STATUSES[s]);
        assert_true(status >= 0);
        assert_string_equal(rw_status_name((rw_status_t)status), STATUSES[s]);
        for (size_t r = 0; r < N_ROLES; r++) {
            int role = rw_role_parse(ROLES[r]);
            assert_true(role >= 0);
            json_t *allowed = rw_actions_allowed((rw_status_t)status, (rw_role_t)role);
            size_t expect_n = 0;
            for (size_t a = 0; a < N_ACTIONS; a++) {
                int act = rw_action_parse(ACTIONS[a]);
                assert_true(act >= 0);
                int applies = doc_applies(ACTIONS[a], STATUSES[s]);
                int permitted = doc_permitted(ACTIONS[a], ROLES[r]);
                if (rw_action_applies((rw_action_t)act, (rw_status_t)status) != applies ||
                    rw_action_permitted((rw_action_t)act, (rw_role_t)role) != permitted ||
                    array_has(allowed, ACTIONS[a]) != (applies && permitted))
                    fail_msg("%s on %s by %s: applies %d permitted %d", ACTIONS[a], STATUSES[s],
                             ROLES[r], applies, permitted);
                expect_n += applies && permitted;
            }
            assert_int_equal(json_array_size(allowed), expect_n);
            json_decref(allowed);
        }
    }
    assert_int_equal(rw_status_parse("open"), -1);
    assert_int_equal(rw_action_parse("approve"), -1);
    assert_int_equal(rw_action_parse(NULL), -1);
}

/* ---- rw_action_request_check ------------------------------------------------------------ */

/* Returns the action or -1, and the code (NULL when accepted). */
static int check(const char *req_text, const char **code)
{
    json_error_t e;
    json_t *req = json_loads(req_text, JSON_DECODE_ANY, &e);
    if (!req) fail_msg("bad test JSON %s: %s", req_text, e.text);
    char msg[512] = "";
    *code = NULL;
    int a = rw_action_request_check(req, code, msg, sizeof msg);
    if (a < 0) assert_true(msg[0] != 0); /* the user always gets a reason */
    json_decref(req);
    return a;
}

static void complete_requests_are_accepted(void **st)
{
    (void)st;
    static const char *const ok[] = {
        "{\"action\":\"accept\"}",
        "{\"action\":\"accept\",\"note\":\"收到\",\"revision\":1}",
        "{\"action\":\"verify\",\"revision\":7}",
        "{\"action\":\"confirm\",\"measure\":\"责令改正\",\"note\":\"属实\"}",
        "{\"action\":\"confirm\",\"measure\":\"其他\",\"note\":\"n\",\"decision_ref\":"
        "\"宁市监罚〔2026〕1号\"}",
        "{\"action\":\"dismiss\",\"reason\":\"不属本辖区\",\"note\":\"n\"}",
        "{\"action\":\"return\",\"reason\":\"不属于本处职责\"}",
        "{\"action\":\"reassign\",\"department\":\"药品监管处\"}",
        "{\"action\":\"reassign\",\"region\":\"320105\"}",
        "{\"action\":\"reassign\",\"region\":\"320105\",\"department\":\"药品监管处\",\"note\":"
        "\"n\"}",
        "{\"action\":\"close\"}",
        "{\"action\":\"send_back\",\"note\":\"证据不足\"}",
        "{\"action\":\"reopen\",\"note\":\"新证据\"}",
        "{\"action\":\"urge\",\"note\":\"请尽快处理\"}",
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        const char *code;
        int a = check(ok[i], &code);
        if (a < 0) fail_msg("%s refused: %s", ok[i], code);
        json_t *req = json_loads(ok[i], 0, NULL);
        assert_int_equal(a, rw_action_parse(json_string_value(json_object_get(req, "action"))));
        json_decref(req);
    }
}

static void incomplete_or_wrong_requests_are_refused_with_the_documented_code(void **st)
{
    (void)st;
    static const struct {
        const char *req, *code;
    } bad[] = {
        {"[1]", "bad_request"},
        {"{}", "missing_field"},
        {"{\"action\":3}", "missing_field"},
        {"{\"action\":\"approve\"}", "bad_value"},
        /* a note is required for confirm, dismiss, send_back, reopen and urge */
        {"{\"action\":\"confirm\",\"measure\":\"约谈\"}", "missing_field"},
        {"{\"action\":\"confirm\",\"measure\":\"约谈\",\"note\":\"\"}", "missing_field"},
        {"{\"action\":\"dismiss\",\"reason\":\"已处置\"}", "missing_field"},
        {"{\"action\":\"send_back\"}", "missing_field"},
        /* a required text of spaces (half- or full-width) says nothing */
        {"{\"action\":\"send_back\",\"note\":\" \\t\\n\"}", "missing_field"},
        {"{\"action\":\"reopen\",\"note\":\"\u3000\u3000\"}", "missing_field"},
        {"{\"action\":\"reopen\"}", "missing_field"},
        {"{\"action\":\"urge\"}", "missing_field"},
        /* the measure and the dismiss reason come from fixed lists */
        {"{\"action\":\"confirm\",\"note\":\"n\"}", "missing_field"},
        {"{\"action\":\"confirm\",\"measure\":\"罚款\",\"note\":\"n\"}", "bad_value"},
        {"{\"action\":\"dismiss\",\"note\":\"n\"}", "missing_field"},
        {"{\"action\":\"dismiss\",\"reason\":\"看错了\",\"note\":\"n\"}", "bad_value"},
        {"{\"action\":\"return\"}", "missing_field"},
        /* fields another action takes, or no action at all */
        {"{\"action\":\"accept\",\"measure\":\"约谈\"}", "unknown_field"},
        {"{\"action\":\"accept\",\"reason\":\"x\"}", "unknown_field"},
        {"{\"action\":\"close\",\"department\":\"x\"}", "unknown_field"},
        {"{\"action\":\"verify\",\"assignee\":\"wang\"}", "unknown_field"},
        /* values must be strings */
        {"{\"action\":\"accept\",\"note\":5}", "bad_value"},
        {"{\"action\":\"accept\",\"note\":null}", "bad_value"},
        {"{\"action\":\"confirm\",\"measure\":[\"约谈\"],\"note\":\"n\"}", "bad_value"},
        /* reassign needs somewhere to go, and a region is a numeric code */
        {"{\"action\":\"reassign\"}", "missing_field"},
        {"{\"action\":\"reassign\",\"region\":\"\",\"department\":\"\"}", "missing_field"},
        {"{\"action\":\"reassign\",\"region\":\"32O1\"}", "bad_value"},
        {"{\"action\":\"reassign\",\"region\":\"南京\"}", "bad_value"},
        {"{\"action\":\"reassign\",\"region\":\"0\"}", "bad_value"}, /* 2–12 digits */
        {"{\"action\":\"reassign\",\"region\":\"1234567890123\"}", "bad_value"},
        /* a department must be nameable in a scope: not blank, not digits, no comma */
        {"{\"action\":\"reassign\",\"department\":\"  \"}", "bad_value"},
        {"{\"action\":\"reassign\",\"department\":\"3201\"}", "bad_value"},
        {"{\"action\":\"reassign\",\"department\":\"食品处,药品处\"}", "bad_value"},
        {"{\"action\":\"reassign\",\"region\":\"320105\",\"department\":\" \"}", "bad_value"},
        /* revision is a positive integer */
        {"{\"action\":\"accept\",\"revision\":0}", "bad_value"},
        {"{\"action\":\"accept\",\"revision\":-2}", "bad_value"},
        {"{\"action\":\"accept\",\"revision\":\"2\"}", "bad_value"},
        {"{\"action\":\"accept\",\"revision\":1.5}", "bad_value"},
        {"{\"action\":\"accept\",\"revision\":null}", "bad_value"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *code;
        int a = check(bad[i].req, &code);
        if (a >= 0 || !code || strcmp(code, bad[i].code))
            fail_msg("%s: got %d %s, want %s", bad[i].req, a, code ? code : "(none)", bad[i].code);
    }
}

/* ---- rw_action_apply -------------------------------------------------------------------- */

#define T0 "2026-03-04T10:00:00+08:00" /* a Wednesday; the calendar has no holidays */

static double at(const char *t)
{
    double v;
    assert_int_equal(rw_time_parse(t, strlen(t), &v, NULL), 0);
    return v;
}

/* A live orange lead as the engine writes it, created at T0. */
static json_t *new_lead(void)
{
    return json_pack("{s:s,s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:n,s:{s:s,s:s},s:b,s:n,s:s}", "id",
                     "L00000000000000000001", "revision", 1, "rule", "R", "mode", "live", "region",
                     "320102", "department", "食品经营监管处", "level", "orange", "status", "new",
                     "assignee", "due", "accept_by", "2026-03-06T23:59:59+08:00", "close_by",
                     "2026-03-25T23:59:59+08:00", "overdue", 0, "disposition", "created_at", T0);
}

/* Applies req (JSON text) as actor at time t; returns the changes (owned). */
static json_t *apply(json_t *lead, const char *req_text, const char *actor, const char *t)
{
    const char *code;
    json_t *req = json_loads(req_text, 0, NULL);
    char msg[256];
    int a = rw_action_request_check(req, &code, msg, sizeof msg);
    if (a < 0) fail_msg("%s: %s", req_text, msg);
    rw_calendar_t cal;
    rw_calendar_default(&cal);
    json_t *changes = json_object();
    rw_action_apply(lead, (rw_action_t)a, req, actor, at(t), &cal, 480, changes);
    json_decref(req);
    return changes;
}

/* The changes map equals the JSON text want; then frees it. */
static void assert_changes(json_t *changes, const char *want_text)
{
    json_t *want = json_loads(want_text, 0, NULL);
    assert_non_null(want);
    if (!json_equal(changes, want)) {
        char *got = json_dumps(changes, JSON_SORT_KEYS);
        fail_msg("changes %s, want %s", got, want_text);
    }
    json_decref(want);
    json_decref(changes);
}

static const char *str(const json_t *lead, const char *field)
{
    return json_string_value(json_object_get(lead, field));
}

static json_int_t revision(const json_t *lead)
{
    return json_integer_value(json_object_get(lead, "revision"));
}

static void accept_verify_confirm_close_change_status_assignee_and_disposition(void **st)
{
    (void)st;
    json_t *lead = new_lead();
    assert_changes(apply(lead, "{\"action\":\"accept\"}", "wang", "2026-03-04T11:00:00+08:00"),
                   "{\"status\":[\"new\",\"accepted\"],\"assignee\":[null,\"wang\"]}");
    assert_int_equal(revision(lead), 2);
    assert_string_equal(str(lead, "assignee"), "wang");

    assert_changes(apply(lead, "{\"action\":\"verify\"}", "wang", "2026-03-04T12:00:00+08:00"),
                   "{\"status\":[\"accepted\",\"verifying\"]}");
    assert_int_equal(revision(lead), 3);

    assert_changes(
        apply(lead, "{\"action\":\"confirm\",\"measure\":\"立案调查\",\"note\":\"属实\"}", "wang",
              "2026-03-05T09:30:00+08:00"),
        "{\"status\":[\"verifying\",\"confirmed\"],\"disposition\":[null,{\"result\":"
        "\"confirmed\",\"measure\":\"立案调查\",\"decision_ref\":null,\"note\":\"属实\",\"by\":"
        "\"wang\",\"at\":\"2026-03-05T09:30:00.000+08:00\"}]}");
    assert_int_equal(revision(lead), 4);
    assert_string_equal(str(lead, "status"), "confirmed");

    json_t *decided = json_deep_copy(json_object_get(lead, "disposition"));
    json_t *changes = apply(lead, "{\"action\":\"close\"}", "li", "2026-03-06T08:00:00+08:00");
    assert_string_equal(str(lead, "status"), "closed");
    assert_string_equal(str(lead, "assignee"), "wang"); /* closing keeps who handled it */
    /* close keeps the decision and adds who closed it, when */
    json_object_set_new(decided, "closed_by", json_string("li"));
    json_object_set_new(decided, "closed_at", json_string("2026-03-06T08:00:00.000+08:00"));
    assert_true(json_equal(json_object_get(lead, "disposition"), decided));
    assert_true(json_equal(json_array_get(json_object_get(changes, "disposition"), 1), decided));
    assert_string_equal(json_string_value(json_array_get(json_object_get(changes, "status"), 1)),
                        "closed");
    assert_int_equal(revision(lead), 5);
    json_decref(changes);
    json_decref(decided);
    json_decref(lead);
}

static void confirm_keeps_the_decision_ref_and_dismiss_records_the_reason(void **st)
{
    (void)st;
    json_t *lead = new_lead();
    json_object_set_new(lead, "status", json_string("verifying"));
    json_decref(apply(lead,
                      "{\"action\":\"confirm\",\"measure\":\"行政处罚\",\"note\":\"n\","
                      "\"decision_ref\":\"宁市监罚〔2026〕12号\"}",
                      "wang", T0));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(lead, "disposition"), "decision_ref")),
        "宁市监罚〔2026〕12号");
    json_decref(lead);

    lead = new_lead();
    json_object_set_new(lead, "status", json_string("verifying"));
    assert_changes(
        apply(lead, "{\"action\":\"dismiss\",\"reason\":\"规则误报\",\"note\":\"正常经营\"}",
              "wang", T0),
        "{\"status\":[\"verifying\",\"dismissed\"],\"disposition\":[null,{\"result\":"
        "\"dismissed\",\"reason\":\"规则误报\",\"note\":\"正常经营\",\"by\":\"wang\",\"at\":"
        "\"2026-03-04T10:00:00.000+08:00\"}]}");
    json_decref(lead);
}

static void send_back_and_reopen_clear_the_disposition(void **st)
{
    (void)st;
    json_t *lead = new_lead();
    json_object_set_new(lead, "status", json_string("verifying"));
    json_object_set_new(lead, "assignee", json_string("wang"));
    json_decref(
        apply(lead, "{\"action\":\"dismiss\",\"reason\":\"已处置\",\"note\":\"n\"}", "wang", T0));
    json_t *changes = apply(lead, "{\"action\":\"send_back\",\"note\":\"核查不充分\"}", "li", T0);
    assert_string_equal(str(lead, "status"), "verifying");
    assert_true(json_is_null(json_object_get(lead, "disposition")));
    assert_string_equal(str(lead, "assignee"), "wang"); /* back to the same handler */
    assert_true(json_is_null(json_array_get(json_object_get(changes, "disposition"), 1)));
    assert_null(json_object_get(changes, "assignee"));
    json_decref(changes);

    json_decref(
        apply(lead, "{\"action\":\"dismiss\",\"reason\":\"已处置\",\"note\":\"n\"}", "wang", T0));
    json_decref(apply(lead, "{\"action\":\"close\"}", "li", T0));
    json_int_t rev = revision(lead);
    /* reopened two weeks later: new, nobody's, with deadlines counted from the reopening */
    changes = apply(lead, "{\"action\":\"reopen\",\"note\":\"新投诉\"}", "li",
                    "2026-03-18T15:00:00+08:00");
    assert_string_equal(str(lead, "status"), "new");
    assert_true(json_is_null(json_object_get(lead, "assignee")));
    assert_true(json_is_null(json_object_get(lead, "disposition")));
    const json_t *due = json_object_get(lead, "due");
    assert_string_equal(str(due, "accept_by"), "2026-03-20T23:59:59+08:00");
    assert_string_equal(str(due, "close_by"), "2026-04-08T23:59:59+08:00");
    assert_non_null(json_object_get(changes, "due"));
    assert_non_null(json_object_get(changes, "assignee"));
    assert_int_equal(revision(lead), rev + 1);
    json_decref(changes);
    json_decref(lead);
}

static void return_then_reassign_moves_the_lead_with_new_deadlines(void **st)
{
    (void)st;
    json_t *lead = new_lead();
    assert_changes(apply(lead, "{\"action\":\"return\",\"reason\":\"不属本处职责\"}", "wang", T0),
                   "{\"status\":[\"new\",\"returned\"]}");
    assert_int_equal(revision(lead), 2);

    /* Friday 2026-03-06: 2 working days run to Tuesday, 15 to Friday 03-27 */
    assert_changes(
        apply(lead, "{\"action\":\"reassign\",\"department\":\"药品监管处\",\"region\":\"320105\"}",
              "li", "2026-03-06T17:00:00+08:00"),
        "{\"status\":[\"returned\",\"new\"],\"department\":[\"食品经营监管处\",\"药品监管处\"],"
        "\"region\":[\"320102\",\"320105\"],\"due\":[{\"accept_by\":\"2026-03-06T23:59:59+08:00\","
        "\"close_by\":\"2026-03-25T23:59:59+08:00\"},{\"accept_by\":\"2026-03-10T23:59:59+08:00\","
        "\"close_by\":\"2026-03-27T23:59:59+08:00\"}]}");
    assert_int_equal(revision(lead), 3);

    /* only the department given: the region stays */
    json_decref(apply(lead, "{\"action\":\"return\",\"reason\":\"r\"}", "wang", T0));
    json_t *changes = apply(lead, "{\"action\":\"reassign\",\"department\":\"食品经营监管处\"}",
                            "li", "2026-03-06T17:00:00+08:00");
    assert_string_equal(str(lead, "region"), "320105");
    assert_null(json_object_get(changes, "region"));
    assert_non_null(json_object_get(changes, "department"));
    json_decref(changes);
    json_decref(lead);
}

static void urge_changes_nothing_and_keeps_the_revision(void **st)
{
    (void)st;
    json_t *lead = new_lead();
    json_t *before = json_deep_copy(lead);
    assert_changes(apply(lead, "{\"action\":\"urge\",\"note\":\"请尽快\"}", "li", T0), "{}");
    assert_true(json_equal(lead, before));
    json_decref(before);
    json_decref(lead);
}

static void an_action_after_a_deadline_shows_overdue_in_the_changes(void **st)
{
    (void)st;
    /* accepted after accept_by: no longer late for accepting, not yet for closing */
    json_t *lead = new_lead();
    json_object_set_new(lead, "overdue", json_true());
    assert_changes(apply(lead, "{\"action\":\"accept\"}", "wang", "2026-03-09T09:00:00+08:00"),
                   "{\"status\":[\"new\",\"accepted\"],\"assignee\":[null,\"wang\"],"
                   "\"overdue\":[true,false]}");
    json_decref(lead);
}

/* ---- rw_lead_overdue -------------------------------------------------------------------- */

static int overdue_at(const char *status, const char *mode, const char *t)
{
    json_t *lead = new_lead();
    json_object_set_new(lead, "status", json_string(status));
    json_object_set_new(lead, "mode", json_string(mode));
    int o = rw_lead_overdue(lead, at(t));
    json_decref(lead);
    return o;
}

static void overdue_follows_the_deadline_that_applies_to_the_status(void **st)
{
    (void)st;
    const char *accept_by = "2026-03-06T23:59:59+08:00",
               *after_accept = "2026-03-07T00:00:00+08:00";
    const char *close_by = "2026-03-25T23:59:59+08:00", *after_close = "2026-03-26T00:00:00+08:00";
    /* not yet accepted: late from the accept deadline on */
    for (const char *const *s = (const char *const[]){"new", "returned", NULL}; *s; s++) {
        assert_false(overdue_at(*s, "live", T0));
        assert_false(overdue_at(*s, "live", accept_by));
        assert_true(overdue_at(*s, "live", after_accept));
        assert_true(overdue_at(*s, "live", after_close));
    }
    /* accepted and on: only the close deadline counts */
    for (const char *const *s =
             (const char *const[]){"accepted", "verifying", "confirmed", "dismissed", NULL};
         *s; s++) {
        assert_false(overdue_at(*s, "live", after_accept));
        assert_false(overdue_at(*s, "live", close_by));
        assert_true(overdue_at(*s, "live", after_close));
    }
    /* closed leads and shadow leads never are */
    assert_false(overdue_at("closed", "live", after_close));
    assert_false(overdue_at("new", "shadow", after_close));
    assert_false(overdue_at("accepted", "shadow", after_close));
    /* no deadlines: nothing to be late for */
    json_t *lead = new_lead();
    json_object_del(lead, "due");
    assert_false(rw_lead_overdue(lead, at(after_close)));
    json_decref(lead);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_transition_table_matches_the_docs_for_every_status_action_and_role),
        cmocka_unit_test(complete_requests_are_accepted),
        cmocka_unit_test(incomplete_or_wrong_requests_are_refused_with_the_documented_code),
        cmocka_unit_test(accept_verify_confirm_close_change_status_assignee_and_disposition),
        cmocka_unit_test(confirm_keeps_the_decision_ref_and_dismiss_records_the_reason),
        cmocka_unit_test(send_back_and_reopen_clear_the_disposition),
        cmocka_unit_test(return_then_reassign_moves_the_lead_with_new_deadlines),
        cmocka_unit_test(urge_changes_nothing_and_keeps_the_revision),
        cmocka_unit_test(an_action_after_a_deadline_shows_overdue_in_the_changes),
        cmocka_unit_test(overdue_follows_the_deadline_that_applies_to_the_status),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
