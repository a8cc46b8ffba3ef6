/* Tests for parser.c and ast.c: the grammar of rules.md as a rule author meets it —
 * operator precedence, `not in`, comparisons that do not chain, syntax errors with the
 * byte offset they point at, and the canonical text rw_ast_print gives a tree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "parser.h"
#include "util.h"

/* The canonical text of src's tree; fails the test on a syntax error. */
static char *canon(const char *src)
{
    size_t off = 99;
    char err[256] = "";
    rw_ast_t *a = rw_parse_expr(src, strlen(src), &off, err, sizeof err);
    if (!a) fail_msg("\"%s\" did not parse: %zu: %s", src, off, err);
    rw_buf_t b;
    rw_buf_init(&b);
    rw_ast_print(a, &b);
    rw_ast_free(a);
    return rw_buf_steal(&b);
}

#define ASSERT_CANON(src, want)                                                                    \
    do {                                                                                           \
        char *got_ = canon(src);                                                                   \
        assert_string_equal(got_, want);                                                           \
        free(got_);                                                                                \
    } while (0)

/* Asserts src is a syntax error at byte `at` whose message contains `words`. */
static void expect_error(const char *src, size_t at, const char *words)
{
    size_t off = 12345;
    char err[256] = "";
    rw_ast_t *a = rw_parse_expr(src, strlen(src), &off, err, sizeof err);
    if (a) {
        rw_ast_free(a);
        fail_msg("\"%s\" parsed but should be a syntax error", src);
    }
    if (off != at) fail_msg("\"%s\": error at byte %zu, expected %zu (%s)", src, off, at, err);
    if (words && !strstr(err, words))
        fail_msg("\"%s\": message \"%s\" lacks \"%s\"", src, err, words);
}

static rw_ast_t *parse(const char *src)
{
    size_t off;
    char err[256];
    rw_ast_t *a = rw_parse_expr(src, strlen(src), &off, err, sizeof err);
    if (!a) fail_msg("\"%s\" did not parse: %zu: %s", src, off, err);
    return a;
}

static void or_binds_looser_than_and(void **state)
{
    (void)state;
    ASSERT_CANON("a or b and c", "(a or (b and c))");
    ASSERT_CANON("a and b or c", "((a and b) or c)");
    ASSERT_CANON("a or b or c", "((a or b) or c)");
    ASSERT_CANON("a || b && c", "(a or (b and c))");
    ASSERT_CANON("(a or b) and c", "((a or b) and c)");
}

static void not_binds_tighter_than_and_but_looser_than_comparison(void **state)
{
    (void)state;
    ASSERT_CANON("not a and b", "(not a and b)");
    ASSERT_CANON("not a == b", "not (a == b)");
    ASSERT_CANON("! a == b", "not (a == b)");
    ASSERT_CANON("not not a", "not not a");
    ASSERT_CANON("a and not b or c", "((a and not b) or c)");
    /* not inside a comparison's operand needs parentheses */
    expect_error("a == not b", 5, "一个值");
}

static void comparison_binds_looser_than_arithmetic(void **state)
{
    (void)state;
    ASSERT_CANON("a == b + c * d", "(a == (b + (c * d)))");
    ASSERT_CANON("a + b >= c - d", "((a + b) >= (c - d))");
    ASSERT_CANON("a * b < c % d", "((a * b) < (c % d))");
    ASSERT_CANON("x != y", "(x != y)");
    ASSERT_CANON("x <= y", "(x <= y)");
    ASSERT_CANON("x > y", "(x > y)");
}

static void products_bind_tighter_than_sums_and_both_go_left_to_right(void **state)
{
    (void)state;
    ASSERT_CANON("a - b - c", "((a - b) - c)");
    ASSERT_CANON("a / b % c * d", "(((a / b) % c) * d)");
    ASSERT_CANON("a + b * c - d", "((a + (b * c)) - d)");
    ASSERT_CANON("(a + b) * c", "((a + b) * c)");
}

static void unary_minus_binds_tightest(void **state)
{
    (void)state;
    ASSERT_CANON("-a * b", "(-a * b)");
    ASSERT_CANON("-(a * b)", "-(a * b)");
    ASSERT_CANON("- -a", "--a");
    ASSERT_CANON("a - -1", "(a - -1)");
    ASSERT_CANON("a*-b", "(a * -b)");
}

static void not_in_and_in_take_a_list(void **state)
{
    (void)state;
    ASSERT_CANON("type in [\"a\", \"b\"]", "(type in [\"a\", \"b\"])");
    ASSERT_CANON("type not in ['a']", "(type not in [\"a\"])");
    ASSERT_CANON("not type in ['a']", "not (type in [\"a\"])");
    ASSERT_CANON("x in []", "(x in [])");
    ASSERT_CANON("x + 1 in [1 + 1, 3]", "((x + 1) in [(1 + 1), 3])");
    ASSERT_CANON("a in [1] and b not in [2]", "((a in [1]) and (b not in [2]))");
    rw_ast_t *a = parse("x not in [1, 2]");
    assert_int_equal(a->kind, RW_AST_IN);
    assert_true(a->negated);
    assert_int_equal(a->args[1]->kind, RW_AST_LIST);
    assert_int_equal(a->args[1]->n_args, 2);
    rw_ast_free(a);
}

static void in_needs_a_bracketed_list(void **state)
{
    (void)state;
    expect_error("x in y", 5, "列表");
    expect_error("x in (1, 2)", 5, "列表");
    expect_error("x in [1, 2", 10, "']'");
    expect_error("x in [1 2]", 8, "']'");
    expect_error("x not y", 6, "'in'");
    expect_error("x not", 5, "'in'");
}

static void a_list_is_a_value_to_the_grammar(void **state)
{
    (void)state;
    /* primary := … | list: a bare list parses; the checker refuses it outside `in` */
    rw_ast_t *a = parse("[1, 'a', null]");
    assert_int_equal(a->kind, RW_AST_LIST);
    assert_int_equal(a->n_args, 3);
    rw_ast_free(a);
}

static void comparisons_do_not_chain(void **state)
{
    (void)state;
    expect_error("a < b < c", 6, "连写");
    expect_error("1 <= x <= 5", 7, "连写");
    expect_error("a == b == c", 7, "连写");
    expect_error("a in [1] in [2]", 9, "连写");
    expect_error("a == b in [true]", 7, "连写");
    expect_error("a in [1] == true", 9, "连写");
    /* parenthesised, a comparison is a value like any other */
    ASSERT_CANON("(a < b) == c", "((a < b) == c)");
    ASSERT_CANON("a < b and b < c", "((a < b) and (b < c))");
}

static void an_empty_expression_is_an_error(void **state)
{
    (void)state;
    expect_error("", 0, "为空");
    expect_error("   \n ", 0, "为空");
    expect_error("()", 1, "一个值");
}

static void trailing_text_after_a_complete_expression_is_an_error(void **state)
{
    (void)state;
    expect_error("a b", 2, "运算符或表达式结尾");
    expect_error("count(x, 30d) 5", 14, "运算符或表达式结尾");
    expect_error("a == 1)", 6, "')'");
    expect_error("a == 1 ]", 7, "']'");
    expect_error("x == 1,", 6, "','");
    expect_error("(a", 2, "')'");
}

static void errors_point_at_the_offending_byte(void **state)
{
    (void)state;
    expect_error("a + * b", 4, "'*'");
    expect_error("count(x,", 8, "表达式结尾");
    expect_error("count(x 30d)", 8, "')'");
    expect_error("attrs.", 6, "字段名");
    expect_error("attrs.1", 6, "字段名");
    expect_error("attrs..x", 6, "字段名");
    expect_error("x ==", 4, "表达式结尾");
    expect_error("f(,)", 2, "','");
    /* lexer errors come through with their own offset and message */
    expect_error("x == \"abc", 5, "引号");
    expect_error("count(x, 1.5d) > 1", 12, "30d");
    expect_error("attrs.类别 == 1", 6, "引号");
    expect_error("a = 1", 2, "'='");
    /* after the first error nothing else is reported */
    expect_error("a + * b $", 4, "'*'");
    /* offsets are bytes: the Chinese text before counts 3 bytes a character */
    expect_error("'食品' +", 10, "表达式结尾");
}

static void keywords_are_field_names_after_a_dot(void **state)
{
    (void)state;
    ASSERT_CANON("attrs.in == 1", "(attrs.in == 1)");
    ASSERT_CANON("profile.null == attrs.not.and", "(profile.null == attrs.not.and)");
    ASSERT_CANON("attrs.true", "attrs.true");
    /* …but operators spelt with symbols are not */
    expect_error("attrs.&& == 1", 6, "字段名");
    expect_error("attrs.! == 1", 6, "字段名");
    expect_error("attrs.|| x", 6, "字段名");
}

static void calls_print_in_canonical_form(void **state)
{
    (void)state;
    ASSERT_CANON("count( food_complaint ,30d )", "count(food_complaint, 30d)");
    ASSERT_CANON("count(food_complaint,30d)>=params.min_complaints",
                 "(count(food_complaint, 30d) >= params.min_complaints)");
    ASSERT_CANON("sum(penalty, attrs.amount, 24h)", "sum(penalty, attrs.amount, 24h)");
    ASSERT_CANON("since(x)", "since(x)");
    ASSERT_CANON("f()", "f()");
    ASSERT_CANON("model('entity-risk')", "model(\"entity-risk\")");
    ASSERT_CANON("least(a, greatest(b, 1))", "least(a, greatest(b, 1))");
}

static void literals_print_in_canonical_form(void **state)
{
    (void)state;
    ASSERT_CANON("2e3", "2000");
    ASSERT_CANON("1.50", "1.5");
    ASSERT_CANON("0.1", "0.1");
    ASSERT_CANON("007", "7");
    ASSERT_CANON("1e20", "100000000000000000000");
    ASSERT_CANON("1.5e-7", "1.5e-07");
    ASSERT_CANON("'it\\'s'", "\"it's\"");
    ASSERT_CANON("'say \"hi\"'", "\"say \\\"hi\\\"\"");
    ASSERT_CANON("'a\\\\b\\n\\t'", "\"a\\\\b\\n\\t\"");
    ASSERT_CANON("'\\u98df\\u54c1'", "\"食品\"");
    ASSERT_CANON("true", "true");
    ASSERT_CANON("false", "false");
    ASSERT_CANON("null", "null");
    ASSERT_CANON("24h", "24h");
    ASSERT_CANON("[1, 'a']", "[1, \"a\"]");
    ASSERT_CANON("((x))", "x");
}

static void the_canonical_text_parses_again(void **state)
{
    (void)state;
    const char *srcs[] = {
        "count(food_complaint, 30d) >= params.min and not (attrs.x in [1, 'a\"b'])",
        "-(-a) * (b % 2) - 3 / -c", "x not in [] or !(y == null) && z",
        "round(avg(p, attrs.amount, 7d) * 100) / 100 > 0.8333333333333334"};
    for (size_t i = 0; i < sizeof srcs / sizeof *srcs; i++) {
        char *once = canon(srcs[i]);
        char *twice = canon(once);
        assert_string_equal(once, twice);
        free(once);
        free(twice);
    }
}

static void nodes_carry_their_source_span(void **state)
{
    (void)state;
    /*                    0         1         2
     *                    0123456789012345678901234 */
    rw_ast_t *a = parse("count(x, 30d) >= params.m");
    assert_int_equal(a->kind, RW_AST_BIN);
    assert_int_equal(a->op, RW_OP_GE);
    assert_int_equal(a->off, 0);
    assert_int_equal(a->end, 25);
    const rw_ast_t *call = a->args[0];
    assert_int_equal(call->kind, RW_AST_CALL);
    assert_string_equal(call->str, "count");
    assert_int_equal(call->off, 0);
    assert_int_equal(call->end, 13);
    assert_int_equal(call->n_args, 2);
    assert_int_equal(call->args[1]->kind, RW_AST_DUR);
    assert_int_equal(call->args[1]->off, 9);
    assert_int_equal(call->args[1]->end, 12);
    assert_int_equal(call->args[1]->dur_count, 30);
    assert_int_equal(call->args[1]->dur_unit, 'd');
    assert_true(call->args[1]->num == 30 * 86400.0);
    const rw_ast_t *path = a->args[1];
    assert_int_equal(path->kind, RW_AST_PATH);
    assert_int_equal(path->n_segs, 2);
    assert_string_equal(path->segs[0], "params");
    assert_string_equal(path->segs[1], "m");
    assert_int_equal(path->off, 17);
    assert_int_equal(path->end, 25);
    rw_ast_free(a);
}

static void aggregate_calls_are_recognised_by_name(void **state)
{
    (void)state;
    rw_ast_t *a = parse("abs(count(x, 7d)) > len('a')");
    assert_true(rw_ast_has_agg_call(a));
    assert_false(rw_ast_is_agg_call(a));
    assert_false(rw_ast_is_agg_call(a->args[0]));
    assert_true(rw_ast_is_agg_call(a->args[0]->args[0]));
    assert_false(rw_ast_has_agg_call(a->args[1]));
    rw_ast_free(a);
    const char *aggs[] = {"count(s, 1d)",  "sum(s, f, 1d)", "avg(s, f, 1d)",
                          "min(s, f, 1d)", "max(s, f, 1d)", "distinct(s, f, 1d)",
                          "last(s, f)",    "since(s)",      "model('m')"};
    for (size_t i = 0; i < sizeof aggs / sizeof *aggs; i++) {
        a = parse(aggs[i]);
        assert_true(rw_ast_is_agg_call(a));
        rw_ast_free(a);
    }
}

static void deep_nesting_is_an_error_not_a_crash(void **state)
{
    (void)state;
    /* a generated or corrupted file must not take the checker down */
    size_t depth = 100000;
    char *src = malloc(2 * depth + 2);
    memset(src, '(', depth);
    src[depth] = 'x';
    memset(src + depth + 1, ')', depth);
    src[2 * depth + 1] = 0;
    size_t off;
    char err[256];
    rw_ast_t *a = rw_parse_expr(src, 2 * depth + 1, &off, err, sizeof err);
    assert_null(a);
    assert_non_null(strstr(err, "嵌套"));
    memset(src, '-', depth);
    src[depth] = 0;
    a = rw_parse_expr(src, depth, &off, err, sizeof err);
    assert_null(a);
    for (size_t i = 0; i + 4 <= depth; i += 4)
        memcpy(src + i, "not ", 4);
    a = rw_parse_expr(src, depth, &off, err, sizeof err);
    assert_null(a);
    free(src);
    /* a reasonable depth still parses */
    ASSERT_CANON("((((((((((((((((((((x))))))))))))))))))))", "x");
}

/* Builds "x op x op … x" with n operands. */
static char *chain(const char *op, size_t n)
{
    rw_buf_t b;
    rw_buf_init(&b);
    rw_buf_puts(&b, "x");
    for (size_t i = 1; i < n; i++)
        rw_buf_printf(&b, " %s x", op);
    return rw_buf_steal(&b);
}

static void very_long_operator_chains_are_an_error_not_a_crash(void **state)
{
    (void)state;
    /* a chain builds a left-deep tree that the checker and compiler walk recursively */
    const char *ops[] = {"+", "*", "and", "||"};
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
        char *src = chain(ops[i], 200000);
        size_t off;
        char err[256];
        rw_ast_t *a = rw_parse_expr(src, strlen(src), &off, err, sizeof err);
        assert_null(a);
        assert_non_null(strstr(err, "嵌套"));
        free(src);
        /* a long but sensible chain is fine */
        src = chain(ops[i], 300);
        a = rw_parse_expr(src, strlen(src), &off, err, sizeof err);
        assert_non_null(a);
        rw_ast_free(a);
        free(src);
    }
    /* a long list is flat and no problem */
    rw_buf_t b;
    rw_buf_init(&b);
    rw_buf_puts(&b, "x in [0");
    for (int i = 1; i < 20000; i++)
        rw_buf_printf(&b, ", %d", i);
    rw_buf_puts(&b, "]");
    size_t off;
    char err[256];
    rw_ast_t *a = rw_parse_expr(b.data, b.len, &off, err, sizeof err);
    assert_non_null(a);
    assert_int_equal(a->args[1]->n_args, 20000);
    rw_ast_free(a);
    rw_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(or_binds_looser_than_and),
        cmocka_unit_test(not_binds_tighter_than_and_but_looser_than_comparison),
        cmocka_unit_test(comparison_binds_looser_than_arithmetic),
        cmocka_unit_test(products_bind_tighter_than_sums_and_both_go_left_to_right),
        cmocka_unit_test(unary_minus_binds_tightest),
        cmocka_unit_test(not_in_and_in_take_a_list),
        cmocka_unit_test(in_needs_a_bracketed_list),
        cmocka_unit_test(a_list_is_a_value_to_the_grammar),
        cmocka_unit_test(comparisons_do_not_chain),
        cmocka_unit_test(an_empty_expression_is_an_error),
        cmocka_unit_test(trailing_text_after_a_complete_expression_is_an_error),
        cmocka_unit_test(errors_point_at_the_offending_byte),
        cmocka_unit_test(keywords_are_field_names_after_a_dot),
        cmocka_unit_test(calls_print_in_canonical_form),
        cmocka_unit_test(literals_print_in_canonical_form),
        cmocka_unit_test(the_canonical_text_parses_again),
        cmocka_unit_test(nodes_carry_their_source_span),
        cmocka_unit_test(aggregate_calls_are_recognised_by_name),
        cmocka_unit_test(deep_nesting_is_an_error_not_a_crash),
        cmocka_unit_test(very_long_operator_chains_are_an_error_not_a_crash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
