/* Tests for backtest.c: the sweep spec parser, the index of past dispositions, per-run
 * statistics and the rule-by-rule comparison (added, removed, precision). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "backtest.h"

static void sweep_range_is_inclusive_with_step_one(void **state)
{
    (void)state;
    rw_sweep_t s;
    char err[256];
    assert_int_equal(
        rw_sweep_parse("FOOD-COMPLAINT-SURGE:min_complaints=3..12", &s, err, sizeof err), 0);
    assert_string_equal(s.rule, "FOOD-COMPLAINT-SURGE");
    assert_string_equal(s.param, "min_complaints");
    assert_int_equal(s.n_values, 10);
    assert_string_equal(s.values[0], "3");
    assert_string_equal(s.values[9], "12");
    rw_sweep_free(&s);
}

static void sweep_range_takes_a_step(void **state)
{
    (void)state;
    rw_sweep_t s;
    char err[256];
    assert_int_equal(rw_sweep_parse("R:p=-4..5/3", &s, err, sizeof err), 0);
    assert_int_equal(s.n_values, 4); /* -4 -1 2 5 */
    assert_string_equal(s.values[0], "-4");
    assert_string_equal(s.values[1], "-1");
    assert_string_equal(s.values[3], "5");
    rw_sweep_free(&s);
    assert_int_equal(rw_sweep_parse("R:p=7..7", &s, err, sizeof err), 0);
    assert_int_equal(s.n_values, 1);
    rw_sweep_free(&s);
}

static void sweep_list_keeps_scalars_as_written(void **state)
{
    (void)state;
    rw_sweep_t s;
    char err[256];
    assert_int_equal(rw_sweep_parse("R.1:ratio=0.5, 1.5,abc", &s, err, sizeof err), 0);
    assert_string_equal(s.rule, "R.1");
    assert_int_equal(s.n_values, 3);
    assert_string_equal(s.values[0], "0.5");
    assert_string_equal(s.values[1], "1.5");
    assert_string_equal(s.values[2], "abc");
    rw_sweep_free(&s);
}

static void sweep_rejects_bad_specs(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",         "R",          "R:p",        ":p=1..2",  "R:=1..2",    "R:p=",        "R:p=5..3",
        "R:p=1..x", "R:p=1..5/0", "R:p=1.5..3", "R:p=1,,2", "R:p=1..500", "R:p=1..4/-1", "p=1..3"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        rw_sweep_t s;
        char err[256] = "";
        if (rw_sweep_parse(bad[i], &s, err, sizeof err) != -1) fail_msg("accepted \"%s\"", bad[i]);
        assert_true(err[0] != 0);
        assert_null(s.values);
    }
}

/* A lead summary as a run collects it. */
static void lead(rw_bt_leads_t *l, const char *id, const char *rule, const char *entity,
                 const char *level, const char *date)
{
    rw_bt_leads_add(l, id, rule, entity, strlen(entity), "某公司", "320102", level, date);
}

static json_t *past_lead(const char *id, const char *entity, const char *status, const char *result)
{
    return json_pack(
        "{s:s,s:s,s:s,s:o}", "id", id, "entity", entity, "status", status, "disposition",
        result ? json_pack("{s:s,s:s}", "result", result, "note", "核查") : json_null());
}

static void past_index_reads_result_then_status(void **state)
{
    (void)state;
    json_t *past = json_array();
    json_array_append_new(
        past, past_lead("L1", "E1", "closed", "confirmed")); /* closed keeps its result */
    json_array_append_new(past, past_lead("L2", "E2", "dismissed", "dismissed"));
    json_array_append_new(past, past_lead("L3", "E3", "confirmed", NULL)); /* status alone */
    json_array_append_new(past, past_lead("L4", "E4", "verifying", NULL)); /* no conclusion */
    json_array_append_new(past, past_lead("L5", "E1", "new", NULL));
    json_t *ix = rw_backtest_index_past(past);
    const json_t *res = json_object_get(ix, "results");
    assert_int_equal(json_object_size(res), 3);
    assert_string_equal(json_string_value(json_object_get(res, "L1")), "confirmed");
    assert_string_equal(json_string_value(json_object_get(res, "L2")), "dismissed");
    assert_string_equal(json_string_value(json_object_get(res, "L3")), "confirmed");
    const json_t *ents = json_object_get(ix, "confirmed_entities");
    assert_int_equal(json_object_size(ents), 2);
    assert_non_null(json_object_get(ents, "E1"));
    assert_non_null(json_object_get(ents, "E3"));
    assert_null(json_object_get(ents, "E2"));
    json_decref(ix);
    json_decref(past);
}

static void stats_count_levels_months_and_precision(void **state)
{
    (void)state;
    rw_bt_leads_t *leads = rw_bt_leads_new();
    lead(leads, "L1", "R", "E1", "red", "2025-03-02");
    lead(leads, "L2", "R", "E2", "yellow", "2025-01-31");
    lead(leads, "L3", "R", "E3", "yellow", "2025-03-30");
    lead(leads, "L9", "R", "E9", "blue", "2025-02-01");
    json_t *past = json_array();
    json_array_append_new(past, past_lead("L1", "E1", "closed", "confirmed"));
    json_array_append_new(past, past_lead("L2", "E2", "closed", "dismissed"));
    json_array_append_new(past, past_lead("L3", "E3", "closed", "dismissed"));
    json_array_append_new(past, past_lead("L7", "E9", "confirmed", NULL)); /* another lead on E9 */
    json_t *ix = rw_backtest_index_past(past);
    json_t *st = rw_backtest_stats(leads, ix);
    assert_int_equal(json_integer_value(json_object_get(st, "leads")), 4);
    const json_t *lv = json_object_get(st, "by_level");
    assert_int_equal(json_integer_value(json_object_get(lv, "red")), 1);
    assert_int_equal(json_integer_value(json_object_get(lv, "yellow")), 2);
    assert_int_equal(json_integer_value(json_object_get(lv, "blue")), 1);
    assert_int_equal(json_integer_value(json_object_get(lv, "orange")), 0);
    const json_t *m = json_object_get(st, "by_month");
    assert_int_equal(json_object_size(m), 3);
    assert_string_equal(json_object_iter_key(json_object_iter((json_t *)m)),
                        "2025-01"); /* calendar order */
    assert_int_equal(json_integer_value(json_object_get(m, "2025-03")), 2);
    assert_int_equal(json_integer_value(json_object_get(st, "judged")), 3);
    assert_int_equal(json_integer_value(json_object_get(st, "confirmed")), 1);
    assert_int_equal(json_integer_value(json_object_get(st, "dismissed")), 2);
    assert_float_equal(json_real_value(json_object_get(st, "precision")), 1.0 / 3.0, 1e-12);
    assert_int_equal(json_integer_value(json_object_get(st, "on_confirmed_entities")),
                     2); /* E1, E9 */
    json_decref(st);
    /* without dispositions: no precision */
    st = rw_backtest_stats(leads, NULL);
    assert_true(json_is_null(json_object_get(st, "precision")));
    assert_int_equal(json_integer_value(json_object_get(st, "judged")), 0);
    json_decref(st);
    json_decref(ix);
    json_decref(past);
    rw_bt_leads_free(leads);
}

static const json_t *row_of(const json_t *rows, const char *rule)
{
    size_t i;
    json_t *r;
    json_array_foreach(
        rows, i, r) if (!strcmp(json_string_value(json_object_get(r, "rule")), rule)) return r;
    return NULL;
}

static void compare_lists_added_and_removed_by_id(void **state)
{
    (void)state;
    rw_bt_leads_t *cur = rw_bt_leads_new(), *cand = rw_bt_leads_new();
    lead(cur, "LA", "R1", "E1", "red", "2025-02-01");    /* kept */
    lead(cur, "LB", "R1", "E2", "yellow", "2025-02-03"); /* removed, confirmed */
    lead(cur, "LC", "R1", "E3", "yellow", "2025-01-03"); /* removed, dismissed */
    lead(cur, "LD", "R2", "E4", "blue", "2025-05-01");   /* R2 only in current */
    lead(cand, "LA", "R1", "E1", "red", "2025-02-01");
    lead(cand, "LE", "R1", "E2", "orange", "2025-02-09"); /* added, on confirmed E2 */
    lead(cand, "LF", "R1", "E5", "yellow", "2025-01-09"); /* added */
    lead(cand, "LG", "R3", "E6", "yellow", "2025-03-09"); /* R3 new */
    json_t *past = json_array();
    json_array_append_new(past, past_lead("LA", "E1", "closed", "confirmed"));
    json_array_append_new(past, past_lead("LB", "E2", "confirmed", "confirmed"));
    json_array_append_new(past, past_lead("LC", "E3", "dismissed", "dismissed"));
    json_t *ix = rw_backtest_index_past(past);
    json_t *rules = json_pack("[{s:s},{s:s},{s:s},{s:s}]", "rule", "R1", "rule", "R3", "rule", "R2",
                              "rule", "R4");
    json_t *rows = rw_backtest_compare(rules, cur, cand, ix);
    assert_int_equal(json_array_size(rows), 4);
    assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 1), "rule")),
                        "R3"); /* listed order */

    const json_t *r1 = row_of(rows, "R1");
    const json_t *add = json_object_get(r1, "added"), *rem = json_object_get(r1, "removed");
    assert_int_equal(json_integer_value(json_object_get(add, "count")), 2);
    assert_int_equal(json_integer_value(json_object_get(add, "on_confirmed_entities")),
                     1); /* LE: E2 (LB) */
    const json_t *al = json_object_get(add, "leads");
    assert_string_equal(json_string_value(json_object_get(json_array_get(al, 0), "id")),
                        "LF"); /* by date */
    assert_string_equal(json_string_value(json_object_get(json_array_get(al, 1), "id")), "LE");
    assert_true(json_is_true(json_object_get(json_array_get(al, 1), "entity_confirmed")));
    assert_true(json_is_false(json_object_get(json_array_get(al, 0), "entity_confirmed")));
    assert_int_equal(json_integer_value(json_object_get(rem, "count")), 2);
    assert_int_equal(json_integer_value(json_object_get(rem, "confirmed")), 1);
    assert_int_equal(json_integer_value(json_object_get(rem, "dismissed")), 1);
    const json_t *rl = json_object_get(rem, "leads");
    assert_string_equal(json_string_value(json_object_get(json_array_get(rl, 0), "id")), "LC");
    assert_string_equal(json_string_value(json_object_get(json_array_get(rl, 0), "disposition")),
                        "dismissed");
    assert_string_equal(json_string_value(json_object_get(json_array_get(rl, 1), "disposition")),
                        "confirmed");
    /* precision per side: current LA, LB confirmed, LC dismissed; candidate only LA judged */
    assert_float_equal(
        json_real_value(json_object_get(json_object_get(r1, "current"), "precision")), 2.0 / 3.0,
        1e-12);
    assert_float_equal(
        json_real_value(json_object_get(json_object_get(r1, "candidate"), "precision")), 1.0,
        1e-12);

    const json_t *r2 = row_of(rows, "R2"), *r3 = row_of(rows, "R3"), *r4 = row_of(rows, "R4");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(r2, "removed"), "count")),
                     1);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(r2, "added"), "count")), 0);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(r3, "added"), "count")), 1);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(r4, "candidate"), "leads")),
                     0);
    assert_true(json_is_null(json_object_get(json_object_get(r4, "current"), "precision")));
    json_decref(rows);
    json_decref(rules);
    json_decref(ix);
    json_decref(past);
    rw_bt_leads_free(cur);
    rw_bt_leads_free(cand);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sweep_range_is_inclusive_with_step_one),
        cmocka_unit_test(sweep_range_takes_a_step),
        cmocka_unit_test(sweep_list_keeps_scalars_as_written),
        cmocka_unit_test(sweep_rejects_bad_specs),
        cmocka_unit_test(past_index_reads_result_then_status),
        cmocka_unit_test(stats_count_levels_months_and_precision),
        cmocka_unit_test(compare_lists_added_and_removed_by_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
