/* Tests for compile.c and eval.c (with expr.c's tables): what expressions evaluate to
 * on a real event — the null semantics of rules.md, comparisons, `in`, "only true is
 * true", every scalar function at its domain edges, paths, params, profile and calls.
 * Expressions go through the real pipeline: rw_check_expr with stub resolvers,
 * rw_compile, rw_eval. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "checker.h"
#include "compile.h"
#include "eval.h"
#include "event.h"
#include "util.h"

/* ---- stub context: three streams, four params, one model -------------------------- */

static const char *const STREAMS[] = {"food", "complaint", "penalty"};
static const char *const PARAMS[] = {"min", "label", "unset", "flag"};

static rw_callspec_t calls[64];
static size_t n_calls;

static int stream_cb(void *ud, const char *name)
{
    (void)ud;
    for (int i = 0; i < 3; i++)
        if (!strcmp(name, STREAMS[i])) return i;
    return -1;
}

static int param_cb(void *ud, const char *name, int *kinds)
{
    (void)ud;
    static const int k[] = {RW_K_NUM, RW_K_STR, RW_K_NULL, RW_K_BOOL};
    for (int i = 0; i < 4; i++)
        if (!strcmp(name, PARAMS[i])) {
            *kinds = k[i];
            return i;
        }
    return -1;
}

static int model_cb(void *ud, const char *name)
{
    (void)ud;
    return strcmp(name, "risk") == 0 ? 0 : -1;
}

/* Like the rules loader: one entry per distinct canonical text. */
static int add_call_cb(void *ud, rw_callspec_t *spec)
{
    (void)ud;
    for (size_t i = 0; i < n_calls; i++)
        if (!strcmp(calls[i].text, spec->text)) {
            free(spec->text);
            rw_evpath_free(&spec->field);
            return (int)i;
        }
    assert_true(n_calls < sizeof calls / sizeof *calls);
    calls[n_calls] = *spec;
    return (int)n_calls++;
}

static void free_calls(void)
{
    for (size_t i = 0; i < n_calls; i++) {
        free(calls[i].text);
        rw_evpath_free(&calls[i].field);
    }
    n_calls = 0;
}

/* What the engine would compute for each call, by its canonical text. */
static rw_value_t call_cb(rw_eval_env_t *env, int id)
{
    (void)env;
    const char *t = calls[id].text;
    if (!strcmp(t, "count(food, 7d)")) return rw_num(5);
    if (!strcmp(t, "sum(penalty, attrs.amount, 24h)")) return rw_num(0);
    if (!strcmp(t, "last(food, attrs.category)")) return rw_str("food", 4);
    if (!strcmp(t, "model(\"risk\")")) return rw_num(0.75);
    return rw_null(); /* since(…), avg(…) with nothing in the window */
}

/* ---- the event ------------------------------------------------------------------ */

static const char EVENT[] =
    "{\"id\": \"e-1\", \"type\": \"complaint\", \"entity\": \"91320102MA1XXXXX0X\","
    " \"time\": \"2026-03-04T10:15:00+08:00\", \"source\": \"12315\","
    " \"attrs\": {\"category\": \"food\", \"amount\": 120.5, \"zero\": 0, \"neg\": -2.5,"
    "   \"name\": \"食品安全\", \"upper\": \"ABC食品Xy\", \"flag\": true, \"off\": false,"
    "   \"nothing\": null, \"nested\": {\"a\": {\"b\": 7}}, \"list\": [1, 2],"
    "   \"num_text\": \"120.5\", \"big\": 1e308},"
    " \"profile\": {\"name\": \"某某食品有限公司\", \"industry\": \"H6210\"}}";

static rw_event_t event;
static rw_value_t params[4];
static rw_eval_env_t env;

static int setup(void **state)
{
    (void)state;
    rw_event_error_t err;
    if (rw_event_parse(EVENT, strlen(EVENT), NULL, 0, 0, &event, &err) != 0) {
        fprintf(stderr, "event: %s\n", err.reason);
        return -1;
    }
    params[0] = rw_num(5);
    params[1] = rw_str("x", 1);
    params[2] = rw_null();
    params[3] = rw_bool(1);
    env =
        (rw_eval_env_t){.ev = &event, .profile = event.profile, .params = params, .call = call_cb};
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rw_eval_env_reset(&env);
    free(env.scratch);
    rw_event_free(&event);
    free_calls();
    return 0;
}

/* A value as text: numbers per rules.md, strings quoted, null and booleans as words. */
static char *value_text(rw_value_t v)
{
    rw_buf_t b;
    rw_buf_init(&b);
    switch (v.kind) {
    case RW_V_NULL:
        rw_buf_puts(&b, "null");
        break;
    case RW_V_BOOL:
        rw_buf_puts(&b, v.b ? "true" : "false");
        break;
    case RW_V_NUM: {
        char num[RW_NUM_TEXT];
        rw_fmt_number(v.num, num);
        rw_buf_puts(&b, num);
        break;
    }
    case RW_V_STR:
        rw_buf_putc(&b, '"');
        rw_buf_append(&b, v.s, v.len);
        rw_buf_putc(&b, '"');
        break;
    }
    return rw_buf_steal(&b);
}

/* Checks, compiles and evaluates src on the event; the result as text. */
static char *eval_text(const char *src)
{
    rw_diags_t d;
    rw_diags_init(&d);
    rw_check_ctx_t ctx = {.kind = RW_CTX_RULE,
                          .diags = &d,
                          .stream = stream_cb,
                          .param = param_cb,
                          .model = model_cb,
                          .add_call = add_call_cb};
    rw_ast_t *a = rw_check_expr(&ctx, src, strlen(src));
    if (!a) fail_msg("\"%s\" does not check: %s", src, rw_diags_first_error(&d));
    rw_diags_free(&d);
    rw_prog_t *p = rw_compile(a);
    rw_ast_free(a);
    rw_value_t v = rw_eval(p, &env);
    char *text = value_text(v);
    rw_eval_env_reset(&env);
    rw_prog_free(p);
    return text;
}

#define EXPECT(src, want)                                                                          \
    do {                                                                                           \
        char *got_ = eval_text(src);                                                               \
        if (strcmp(got_, want)) fail_msg("%s  gave %s, expected %s", src, got_, want);             \
        free(got_);                                                                                \
    } while (0)

/* ---- null and arithmetic ---------------------------------------------------------- */

static void arithmetic_with_null_gives_null(void **state)
{
    (void)state;
    EXPECT("null + 1", "null");
    EXPECT("1 - null", "null");
    EXPECT("null * 2", "null");
    EXPECT("2 / null", "null");
    EXPECT("null % 2", "null");
    EXPECT("-null", "null");
    EXPECT("attrs.missing + 1", "null");
    EXPECT("attrs.nothing * 0", "null");
    EXPECT("params.unset + 1", "null");
    EXPECT("(attrs.amount + attrs.missing) * 0", "null");
    /* a value that is no number at run time behaves the same */
    EXPECT("attrs.category + 1", "null");
    EXPECT("attrs.flag * 1", "null");
    EXPECT("-attrs.category", "null");
}

static void arithmetic_on_numbers_is_double_arithmetic(void **state)
{
    (void)state;
    EXPECT("1 + 2 * 3", "7");
    EXPECT("(1 + 2) * 3", "9");
    EXPECT("10 - 4 - 3", "3");
    EXPECT("7 / 2", "3.5");
    EXPECT("1 / 3", "0.3333333333333333");
    EXPECT("attrs.amount * 2", "241");
    EXPECT("-attrs.neg", "2.5");
    EXPECT("0.1 + 0.2", "0.30000000000000004");
    EXPECT("30d", "2592000");
    EXPECT("24h / 3600", "24");
    EXPECT("time + 1h", "1772594100");
}

static void division_or_modulo_by_zero_gives_null(void **state)
{
    (void)state;
    EXPECT("1 / 0", "null");
    EXPECT("0 / 0", "null");
    EXPECT("1 / -0", "null");
    EXPECT("5 % 0", "null");
    EXPECT("attrs.amount / attrs.zero", "null");
    EXPECT("attrs.amount % attrs.zero", "null");
}

static void modulo_is_c_fmod(void **state)
{
    (void)state;
    EXPECT("7 % 3", "1");
    EXPECT("-7 % 3", "-1");
    EXPECT("7 % -3", "1");
    EXPECT("7.5 % 2", "1.5");
    EXPECT("attrs.amount % 100", "20.5");
}

static void overflow_gives_null(void **state)
{
    (void)state;
    EXPECT("1e308 * 10", "null");
    EXPECT("-1e308 - 1e308", "null");
    EXPECT("attrs.big + attrs.big", "null");
    EXPECT("1e308 / 1e-308", "null");
    EXPECT("attrs.big * 1 == attrs.big", "true");
}

/* ---- equality and ordering -------------------------------------------------------- */

static void equality_compares_type_and_value(void **state)
{
    (void)state;
    EXPECT("1 == 1.0", "true");
    EXPECT("2e3 == 2000", "true");
    EXPECT("\"a\" == 'a'", "true");
    EXPECT("attrs.category == \"food\"", "true");
    EXPECT("attrs.category == \"Food\"", "false");
    EXPECT("attrs.num_text == attrs.amount", "false");
    EXPECT("attrs.num_text != attrs.amount", "true");
    EXPECT("attrs.flag == true", "true");
    EXPECT("attrs.flag == 1", "false");
    EXPECT("attrs.zero == false", "false");
    EXPECT("attrs.zero == 0", "true");
    EXPECT("attrs.off != true", "true");
    EXPECT("0.1 + 0.2 == 0.3", "false");
    EXPECT("true == true", "true");
    EXPECT("false != true", "true");
}

static void x_equals_null_is_the_null_test(void **state)
{
    (void)state;
    EXPECT("null == null", "true");
    EXPECT("null != null", "false");
    EXPECT("attrs.missing == null", "true");
    EXPECT("attrs.nothing == null", "true");
    EXPECT("attrs.missing.deeper == null", "true");
    EXPECT("attrs.category == null", "false");
    EXPECT("attrs.category != null", "true");
    EXPECT("attrs.zero == null", "false");
    EXPECT("attrs.off == null", "false");
    EXPECT("region == null", "true");
    EXPECT("source != null", "true");
    EXPECT("params.unset == null", "true");
    /* objects and arrays read as null too */
    EXPECT("attrs.nested == null", "true");
    EXPECT("attrs.list == null", "true");
}

static void ordering_compares_two_numbers(void **state)
{
    (void)state;
    EXPECT("2 < 10", "true");
    EXPECT("10 <= 10", "true");
    EXPECT("10 >= 10", "true");
    EXPECT("10 > 5 + 5", "false"); /* (literals alone comparing false are a check error) */
    EXPECT("-1 < 0", "true");
    EXPECT("attrs.amount > 100", "true");
    EXPECT("attrs.neg >= -2.5", "true");
}

static void ordering_compares_two_strings_bytewise(void **state)
{
    (void)state;
    EXPECT("\"a\" < \"b\"", "true");
    EXPECT("\"B\" < \"a\"", "true");    /* upper case sorts first */
    EXPECT("\"2\" > \"10\"", "true");   /* strings are not numbers */
    EXPECT("\"ab\" < \"abc\"", "true"); /* a prefix sorts first */
    EXPECT("\"abc\" <= \"ab\"", "false");
    EXPECT("\"\" < \"a\"", "true");
    EXPECT("\"abc\" >= \"abc\"", "true");
    EXPECT("\"食\" > \"z\"", "true"); /* UTF-8 bytes are above ASCII */
    EXPECT("\"\\u00e9\" > \"z\"", "true");
    EXPECT("source < \"2\"", "true");
}

static void ordering_anything_else_is_false_both_ways(void **state)
{
    (void)state;
    /* the checker refuses what can never hold, so mix kinds through attrs */
    const char *pairs[][2] = {
        {"attrs.category", "attrs.amount"},
        {"attrs.amount", "attrs.num_text"},
        {"attrs.missing", "1"},
        {"attrs.missing", "attrs.missing"},
        {"attrs.flag", "attrs.off"},
        {"attrs.flag", "attrs.flag"},
        {"attrs.nested", "attrs.nested"},
        {"attrs.category", "attrs.flag"},
    };
    const char *ops[] = {"<", "<=", ">", ">="};
    for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++)
        for (size_t k = 0; k < 4; k++) {
            rw_buf_t e;
            rw_buf_init(&e);
            rw_buf_printf(&e, "%s %s %s", pairs[i][0], ops[k], pairs[i][1]);
            EXPECT(e.data, "false");
            rw_buf_free(&e);
        }
}

static void operators_follow_rules_md_for_every_pair_of_kinds(void **state)
{
    (void)state;
    const rw_value_t vals[] = {rw_null(),      rw_num(0),     rw_num(1),
                               rw_num(-2.5),   rw_str("", 0), rw_str("a", 1),
                               rw_str("b", 1), rw_bool(0),    rw_bool(1)};
    size_t n = sizeof vals / sizeof *vals;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < n; k++) {
            rw_value_t a = vals[i], b = vals[k];
            int same = i == k; /* every value in vals is distinct */
            int nums = a.kind == RW_V_NUM && b.kind == RW_V_NUM;
            int strs = a.kind == RW_V_STR && b.kind == RW_V_STR;
            for (int op = RW_OP_ADD; op <= RW_OP_GE; op++) {
                rw_value_t r = rw_binop_apply((rw_binop_t)op, a, b);
                if (op <= RW_OP_MOD) {
                    if (!nums)
                        assert_int_equal(r.kind, RW_V_NULL);
                    else if ((op == RW_OP_DIV || op == RW_OP_MOD) && b.num == 0)
                        assert_int_equal(r.kind, RW_V_NULL);
                    else
                        assert_int_equal(r.kind, RW_V_NUM);
                    continue;
                }
                assert_int_equal(r.kind, RW_V_BOOL);
                if (op == RW_OP_EQ)
                    assert_int_equal(r.b, same);
                else if (op == RW_OP_NE)
                    assert_int_equal(r.b, !same);
                else if (!nums && !strs)
                    assert_false(r.b);
                else if (op == RW_OP_LE || op == RW_OP_GE) {
                    if (same) assert_true(r.b);
                } else if (same) {
                    assert_false(r.b);
                }
            }
        }
}

/* ---- in / not in ----------------------------------------------------------------- */

static void in_is_equality_with_any_item(void **state)
{
    (void)state;
    EXPECT("type in [\"complaint\", \"penalty\"]", "true");
    EXPECT("type in [\"penalty\"]", "false");
    EXPECT("attrs.amount in [1, 120.5]", "true");
    EXPECT("attrs.amount in [\"120.5\"]", "false");
    EXPECT("attrs.flag in [true]", "true");
    EXPECT("attrs.flag in [1]", "false");
    EXPECT("attrs.missing in [null]", "true");
    EXPECT("attrs.missing in [1, \"a\", false]", "false");
    EXPECT("1 in [2 - 1]", "true");
    EXPECT("attrs.category in [lower(\"FOOD\")]", "true");
}

static void not_in_is_the_negation_of_in(void **state)
{
    (void)state;
    EXPECT("type not in [\"complaint\"]", "false");
    EXPECT("type not in [\"penalty\"]", "true");
    EXPECT("attrs.missing not in [1]", "true");
    EXPECT("attrs.missing not in [null]", "false");
    EXPECT("3 not in []", "true");
    EXPECT("not type in [\"penalty\"]", "true");
}

static void long_lists_and_deep_expressions_evaluate(void **state)
{
    (void)state;
    /* more values on the stack than the evaluator keeps locally */
    rw_buf_t e;
    rw_buf_init(&e);
    rw_buf_puts(&e, "40 in [1");
    for (int i = 2; i <= 40; i++)
        rw_buf_printf(&e, ", %d", i);
    rw_buf_puts(&e, "]");
    EXPECT(e.data, "true");
    rw_buf_free(&e);
    rw_buf_init(&e);
    for (int i = 0; i < 60; i++)
        rw_buf_puts(&e, "1 + (");
    rw_buf_puts(&e, "1");
    for (int i = 0; i < 60; i++)
        rw_buf_puts(&e, ")");
    EXPECT(e.data, "61");
    rw_buf_free(&e);
}

/* ---- only true is true ----------------------------------------------------------- */

static void not_treats_everything_but_true_as_false(void **state)
{
    (void)state;
    EXPECT("not true", "false");
    EXPECT("not false", "true");
    EXPECT("not null", "true");
    EXPECT("not 0", "true");
    EXPECT("not 1", "true");
    EXPECT("not \"true\"", "true");
    EXPECT("not attrs.missing", "true");
    EXPECT("!attrs.flag", "false");
    EXPECT("not not 1", "false");
    EXPECT("not not true", "true");
}

static void and_or_treat_everything_but_true_as_false(void **state)
{
    (void)state;
    EXPECT("true and true", "true");
    EXPECT("true and 1", "false");
    EXPECT("1 and true", "false");
    EXPECT("true && \"yes\"", "false");
    EXPECT("true and null", "false");
    EXPECT("null or true", "true");
    EXPECT("false or 1", "false");
    EXPECT("\"yes\" || false", "false");
    EXPECT("null or null", "false");
    EXPECT("true or 5", "true");
    EXPECT("attrs.flag and attrs.category == \"food\"", "true");
    EXPECT("attrs.off or attrs.nothing", "false");
    EXPECT("params.flag and params.min == 5", "true");
}

static void and_or_skip_the_right_side_when_the_left_decides(void **state)
{
    (void)state;
    EXPECT("false and 1 / 0 > 1", "false");
    EXPECT("true or 1 / 0 > 1", "true");
    EXPECT("(false and true) or (true and not false)", "true");
    EXPECT("attrs.missing > 1 or attrs.amount > 1", "true");
}

/* ---- scalar functions ------------------------------------------------------------ */

static void math_functions_compute_inside_their_domain(void **state)
{
    (void)state;
    EXPECT("abs(-2.5)", "2.5");
    EXPECT("abs(3)", "3");
    EXPECT("abs(-0)", "0");
    EXPECT("log(1)", "0");
    EXPECT("log1p(0)", "0");
    EXPECT("exp(0)", "1");
    EXPECT("exp(-1000)", "0");
    EXPECT("exp(709) > 1e307", "true");
    EXPECT("sqrt(2.25)", "1.5");
    EXPECT("sqrt(0)", "0");
    EXPECT("floor(2.7)", "2");
    EXPECT("floor(-1.5)", "-2");
    EXPECT("ceil(2.1)", "3");
    EXPECT("ceil(-1.5)", "-1");
    EXPECT("floor(attrs.amount)", "120");
}

static void math_functions_outside_their_domain_give_null(void **state)
{
    (void)state;
    EXPECT("log(0)", "null");
    EXPECT("log(-1)", "null");
    EXPECT("log1p(-1)", "null");
    EXPECT("log1p(-2)", "null");
    EXPECT("sqrt(-1)", "null");
    EXPECT("sqrt(-0.0001)", "null");
    EXPECT("exp(1000)", "null");
    EXPECT("exp(710)", "null");
    EXPECT("log(attrs.zero)", "null");
}

static void round_goes_half_away_from_zero(void **state)
{
    (void)state;
    EXPECT("round(2.5)", "3");
    EXPECT("round(-2.5)", "-3");
    EXPECT("round(0.5)", "1");
    EXPECT("round(-0.5)", "-1");
    EXPECT("round(1.5)", "2");
    EXPECT("round(-1.5)", "-2");
    EXPECT("round(1.49)", "1");
    EXPECT("round(-1.49)", "-1");
    EXPECT("round(0.49999999999999994)", "0");
    EXPECT("round(-0.4)", "0");
    EXPECT("round(attrs.amount)", "121");
    EXPECT("round(attrs.neg)", "-3");
    EXPECT("round(attrs.amount * 100) / 100", "120.5");
}

static void least_and_greatest_pick_a_number_and_pass_null_through(void **state)
{
    (void)state;
    EXPECT("least(1, 2)", "1");
    EXPECT("least(2, 1)", "1");
    EXPECT("greatest(1, 2)", "2");
    EXPECT("least(-1, -2)", "-2");
    EXPECT("greatest(attrs.amount, 200)", "200");
    EXPECT("least(null, 1)", "null");
    EXPECT("least(1, null)", "null");
    EXPECT("greatest(null, 1)", "null");
    EXPECT("greatest(1, attrs.missing)", "null");
    EXPECT("least(attrs.category, 1)", "null");
}

static void len_counts_code_points(void **state)
{
    (void)state;
    EXPECT("len(\"abc\")", "3");
    EXPECT("len(\"\")", "0");
    EXPECT("len(\"食品安全\")", "4");
    EXPECT("len(attrs.name)", "4");
    EXPECT("len(profile.name)", "8");
    EXPECT("len(\"a\\ud83d\\ude00\")", "2");
    EXPECT("len(entity)", "18");
    EXPECT("len(attrs.amount)", "null");
    EXPECT("len(attrs.missing)", "null");
}

static void lower_changes_only_ascii_letters(void **state)
{
    (void)state;
    EXPECT("lower(\"ABC\")", "\"abc\"");
    EXPECT("lower(attrs.upper)", "\"abc食品xy\"");
    EXPECT("lower(\"\\u00c0\\u00c9Z\")", "\"ÀÉz\"");
    EXPECT("lower(\"STRA\\u00dfE\")", "\"straße\"");
    EXPECT("lower(\"a1-_B\")", "\"a1-_b\"");
    EXPECT("lower(\"\")", "\"\"");
    EXPECT("lower(null)", "null");
    EXPECT("lower(attrs.amount)", "null");
    EXPECT("lower(attrs.upper) == \"abc食品xy\" and lower(type) == type", "true");
}

static void contains_and_startswith_match_bytes(void **state)
{
    (void)state;
    EXPECT("contains(\"食品安全\", \"安全\")", "true");
    EXPECT("contains(attrs.name, \"品安\")", "true");
    EXPECT("contains(\"abc\", \"\")", "true");
    EXPECT("contains(\"\", \"\")", "true");
    EXPECT("contains(\"abc\", \"abcd\")", "false");
    EXPECT("contains(\"aXb\", \"x\")", "false");
    EXPECT("contains(lower(\"aXb\"), \"x\")", "true");
    EXPECT("startswith(\"320102\", \"3201\")", "true");
    EXPECT("startswith(\"32\", \"3201\")", "false");
    EXPECT("startswith(\"x\", \"\")", "true");
    EXPECT("startswith(entity, \"9132\")", "true");
    EXPECT("startswith(source, \"123\") and not startswith(source, \"23\")", "true");
}

static void string_functions_pass_null_through(void **state)
{
    (void)state;
    EXPECT("contains(null, \"a\")", "null");
    EXPECT("contains(\"a\", null)", "null");
    EXPECT("contains(attrs.missing, \"a\")", "null");
    EXPECT("startswith(region, \"32\")", "null");
    EXPECT("startswith(attrs.amount, \"1\")", "null");
    EXPECT("contains(region, \"32\") or false", "false");
    EXPECT("abs(null)", "null");
    EXPECT("round(attrs.missing)", "null");
    EXPECT("sqrt(attrs.category)", "null");
}

/* ---- paths, params, profile, calls ---------------------------------------------- */

static void event_fields_read_as_rules_md_says(void **state)
{
    (void)state;
    EXPECT("id", "\"e-1\"");
    EXPECT("type", "\"complaint\"");
    EXPECT("entity", "\"91320102MA1XXXXX0X\"");
    EXPECT("time", "1772590500");
    EXPECT("source", "\"12315\"");
    EXPECT("region", "null");
    EXPECT("attrs.nested.a.b", "7");
    EXPECT("attrs.nested.a", "null");
    EXPECT("attrs.list", "null");
    EXPECT("attrs.flag", "true");
    EXPECT("attrs.nothing", "null");
}

static void params_and_profile_are_read_from_the_environment(void **state)
{
    (void)state;
    EXPECT("params.min + 1", "6");
    EXPECT("params.label", "\"x\"");
    EXPECT("params.unset", "null");
    EXPECT("params.flag", "true");
    EXPECT("profile.name", "\"某某食品有限公司\"");
    EXPECT("profile.industry == \"H6210\"", "true");
    EXPECT("profile.missing == null", "true");
    const json_t *saved = env.profile;
    env.profile = NULL; /* an entity with no profile yet */
    EXPECT("profile.name == null", "true");
    env.profile = saved;
}

static void aggregate_and_model_calls_come_from_the_resolver(void **state)
{
    (void)state;
    EXPECT("count(food, 7d) >= params.min", "true");
    EXPECT("count( food , 7d ) * 2", "10");
    EXPECT("sum(penalty, attrs.amount, 24h)", "0");
    EXPECT("since(food) == null", "true");
    EXPECT("since(food) > 0", "false");
    EXPECT("avg(penalty, attrs.amount, 7d) + 1", "null");
    EXPECT("last(food, attrs.category) == attrs.category", "true");
    EXPECT("model(\"risk\") > 0.5", "true");
    /* each distinct call is registered once under its canonical text */
    int found = 0;
    for (size_t i = 0; i < n_calls; i++) {
        const rw_callspec_t *c = &calls[i];
        if (!strcmp(c->text, "count(food, 7d)")) {
            found++;
            assert_int_equal(c->kind, RW_AGG_COUNT);
            assert_int_equal(c->stream, 0);
            assert_int_equal(c->window, 7);
            assert_int_equal(c->unit, 'd');
        } else if (!strcmp(c->text, "sum(penalty, attrs.amount, 24h)")) {
            found++;
            assert_int_equal(c->kind, RW_AGG_SUM);
            assert_int_equal(c->stream, 2);
            assert_true(c->has_field);
            assert_int_equal(c->field.field, RW_EF_ATTR);
            assert_int_equal(c->field.n_segs, 1);
            assert_string_equal(c->field.segs[0], "amount");
            assert_int_equal(c->window, 24);
            assert_int_equal(c->unit, 'h');
        } else if (!strcmp(c->text, "model(\"risk\")")) {
            found++;
            assert_int_equal(c->kind, RW_AGG_MODEL);
            assert_int_equal(c->model, 0);
        }
    }
    assert_int_equal(found, 3);
}

static void scratch_strings_live_until_reset(void **state)
{
    (void)state;
    rw_diags_t d;
    rw_diags_init(&d);
    rw_check_ctx_t ctx = {.kind = RW_CTX_RULE,
                          .diags = &d,
                          .stream = stream_cb,
                          .param = param_cb,
                          .model = model_cb,
                          .add_call = add_call_cb};
    const char *src = "lower(attrs.upper)";
    rw_ast_t *a = rw_check_expr(&ctx, src, strlen(src));
    assert_non_null(a);
    rw_prog_t *p = rw_compile(a);
    rw_ast_free(a);
    rw_value_t v1 = rw_eval(p, &env);
    rw_value_t v2 = rw_eval(p, &env);
    /* both results are still readable before the reset */
    assert_int_equal(v1.len, strlen("abc食品xy"));
    assert_memory_equal(v1.s, "abc食品xy", v1.len);
    assert_memory_equal(v2.s, "abc食品xy", v2.len);
    assert_int_equal(env.n_scratch, 2);
    rw_eval_env_reset(&env);
    assert_int_equal(env.n_scratch, 0);
    rw_prog_free(p);
    rw_diags_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(arithmetic_with_null_gives_null),
        cmocka_unit_test(arithmetic_on_numbers_is_double_arithmetic),
        cmocka_unit_test(division_or_modulo_by_zero_gives_null),
        cmocka_unit_test(modulo_is_c_fmod),
        cmocka_unit_test(overflow_gives_null),
        cmocka_unit_test(equality_compares_type_and_value),
        cmocka_unit_test(x_equals_null_is_the_null_test),
        cmocka_unit_test(ordering_compares_two_numbers),
        cmocka_unit_test(ordering_compares_two_strings_bytewise),
        cmocka_unit_test(ordering_anything_else_is_false_both_ways),
        cmocka_unit_test(operators_follow_rules_md_for_every_pair_of_kinds),
        cmocka_unit_test(in_is_equality_with_any_item),
        cmocka_unit_test(not_in_is_the_negation_of_in),
        cmocka_unit_test(long_lists_and_deep_expressions_evaluate),
        cmocka_unit_test(not_treats_everything_but_true_as_false),
        cmocka_unit_test(and_or_treat_everything_but_true_as_false),
        cmocka_unit_test(and_or_skip_the_right_side_when_the_left_decides),
        cmocka_unit_test(math_functions_compute_inside_their_domain),
        cmocka_unit_test(math_functions_outside_their_domain_give_null),
        cmocka_unit_test(round_goes_half_away_from_zero),
        cmocka_unit_test(least_and_greatest_pick_a_number_and_pass_null_through),
        cmocka_unit_test(len_counts_code_points),
        cmocka_unit_test(lower_changes_only_ascii_letters),
        cmocka_unit_test(contains_and_startswith_match_bytes),
        cmocka_unit_test(string_functions_pass_null_through),
        cmocka_unit_test(event_fields_read_as_rules_md_says),
        cmocka_unit_test(params_and_profile_are_read_from_the_environment),
        cmocka_unit_test(aggregate_and_model_calls_come_from_the_resolver),
        cmocka_unit_test(scratch_strings_live_until_reset),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
