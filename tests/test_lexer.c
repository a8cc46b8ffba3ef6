/* Tests for lexer.c: how the expression language of rules.md is cut into tokens —
 * numbers, durations in seconds, strings with every escape, keywords in both
 * spellings, operators, and the errors (with byte offsets) a rule author sees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "lexer.h"

/* Lexes src up to EOF or the first error; returns how many tokens were stored. */
static size_t lex_all(const char *src, rw_token_t *toks, size_t max)
{
    rw_lexer_t lx;
    rw_lexer_init(&lx, src, strlen(src));
    size_t n = 0;
    while (n < max) {
        rw_lexer_next(&lx, &toks[n]);
        rw_tok_kind_t k = toks[n].kind;
        n++;
        if (k == RW_TOK_EOF || k == RW_TOK_ERROR) break;
    }
    return n;
}

static void clear_all(rw_token_t *toks, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rw_token_clear(&toks[i]);
}

/* The single token of src (an EOF must follow unless it is an error). */
static rw_token_t one(const char *src)
{
    rw_lexer_t lx;
    rw_lexer_init(&lx, src, strlen(src));
    rw_token_t t, eof;
    rw_lexer_next(&lx, &t);
    if (t.kind != RW_TOK_ERROR) {
        rw_lexer_next(&lx, &eof);
        assert_int_equal(eof.kind, RW_TOK_EOF);
        rw_token_clear(&eof);
    }
    return t;
}

static void numbers_are_integers_decimals_and_exponents(void **state)
{
    (void)state;
    static const struct {
        const char *src;
        double value;
    } cases[] = {{"12", 12},     {"1.5", 1.5},   {"2e3", 2000}, {"2E3", 2000}, {"2e+3", 2000},
                 {"15e-1", 1.5}, {"0.25", 0.25}, {"007", 7},    {"1.5e2", 150}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rw_token_t t = one(cases[i].src);
        assert_int_equal(t.kind, RW_TOK_NUMBER);
        assert_true(t.num == cases[i].value);
        assert_int_equal(t.off, 0);
        assert_int_equal(t.len, strlen(cases[i].src));
        rw_token_clear(&t);
    }
}

static void a_number_that_is_too_big_for_a_double_is_an_error(void **state)
{
    (void)state;
    rw_token_t t = one("1e999");
    assert_int_equal(t.kind, RW_TOK_ERROR);
    assert_int_equal(t.off, 0);
    rw_token_clear(&t);
    t = one("123456789012345678901234567890123456789012345678901234567890123456789");
    assert_int_equal(t.kind, RW_TOK_ERROR);
    rw_token_clear(&t);
}

static void durations_are_read_as_seconds(void **state)
{
    (void)state;
    rw_token_t t = one("30d");
    assert_int_equal(t.kind, RW_TOK_DURATION);
    assert_true(t.num == 30 * 86400.0);
    assert_int_equal(t.dur_count, 30);
    assert_int_equal(t.dur_unit, 'd');
    assert_int_equal(t.len, 3);
    rw_token_clear(&t);
    t = one("24h");
    assert_int_equal(t.kind, RW_TOK_DURATION);
    assert_true(t.num == 86400.0);
    assert_int_equal(t.dur_count, 24);
    assert_int_equal(t.dur_unit, 'h');
    rw_token_clear(&t);
    /* any length: outside a window a duration is just seconds */
    t = one("9999999999h");
    assert_true(t.num == 9999999999.0 * 3600);
    assert_int_equal(t.dur_count, 9999999999LL);
    rw_token_clear(&t);
    /* a duration inside an expression ends at the unit */
    rw_token_t toks[8];
    size_t n = lex_all("count(x,7d)", toks, 8);
    assert_int_equal(n, 7);
    assert_int_equal(toks[4].kind, RW_TOK_DURATION);
    assert_int_equal(toks[4].off, 8);
    assert_int_equal(toks[4].len, 2);
    assert_int_equal(toks[5].kind, RW_TOK_RPAREN);
    clear_all(toks, n);
}

static void a_fractional_or_misspelt_duration_is_an_error_at_the_unit(void **state)
{
    (void)state;
    static const struct {
        const char *src;
        size_t off;
    } cases[] = {{"1.5d", 3}, {"2e3h", 3},  {"30days", 2}, {"30m", 2},
                 {"7dd", 1},  {"12abc", 2}, {"1.", 1}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rw_token_t t = one(cases[i].src);
        assert_int_equal(t.kind, RW_TOK_ERROR);
        assert_int_equal(t.off, cases[i].off);
        assert_non_null(strstr(t.str, "30d")); /* the message shows how to write one */
        rw_token_clear(&t);
    }
}

static void strings_decode_every_escape_of_rules_md(void **state)
{
    (void)state;
    rw_token_t t = one("\"a\\\\b\\\"c\\'d\\ne\\tf\"");
    assert_int_equal(t.kind, RW_TOK_STRING);
    assert_int_equal(t.str_len, 11);
    assert_memory_equal(t.str, "a\\b\"c'd\ne\tf", 11);
    assert_int_equal(t.len, 18);
    rw_token_clear(&t);
    /* single quotes take the same escapes */
    t = one("'it\\'s \\\"ok\\\"'");
    assert_int_equal(t.kind, RW_TOK_STRING);
    assert_string_equal(t.str, "it's \"ok\"");
    rw_token_clear(&t);
    /* the other quote needs no escape */
    t = one("'say \"hi\"'");
    assert_string_equal(t.str, "say \"hi\"");
    rw_token_clear(&t);
    t = one("\"it's\"");
    assert_string_equal(t.str, "it's");
    rw_token_clear(&t);
    t = one("\"\"");
    assert_int_equal(t.kind, RW_TOK_STRING);
    assert_int_equal(t.str_len, 0);
    rw_token_clear(&t);
}

static void unicode_escapes_become_utf8_including_surrogate_pairs(void **state)
{
    (void)state;
    rw_token_t t = one("\"\\u98df\\u54C1\""); /* 食品, either hex case */
    assert_int_equal(t.kind, RW_TOK_STRING);
    assert_string_equal(t.str, "食品");
    rw_token_clear(&t);
    t = one("\"\\u0041\\u00e9\"");
    assert_string_equal(t.str, "A\xc3\xa9");
    rw_token_clear(&t);
    t = one("\"x\\ud83d\\ude00y\""); /* U+1F600 */
    assert_int_equal(t.kind, RW_TOK_STRING);
    assert_string_equal(t.str, "x\xf0\x9f\x98\x80y");
    rw_token_clear(&t);
    /* raw UTF-8 inside quotes is kept as it is */
    t = one("'食品安全'");
    assert_string_equal(t.str, "食品安全");
    rw_token_clear(&t);
}

static void lone_surrogates_and_bad_escapes_are_errors_at_the_backslash(void **state)
{
    (void)state;
    static const struct {
        const char *src;
        size_t off;
        const char *words;
    } cases[] = {
        {"\"\\ud83d\"", 1, "代理项"},        /* high surrogate alone */
        {"\"ab\\ud83dcd\"", 3, "代理项"},    /* high surrogate followed by text */
        {"\"\\ud83d\\u0041\"", 1, "代理项"}, /* high surrogate followed by a non-low */
        {"\"\\ude00\"", 1, "代理项"},        /* low surrogate alone */
        {"\"\\u12\"", 1, "4 位十六进制"},
        {"\"\\u12g4\"", 1, "4 位十六进制"},
        {"'a\\x41'", 2, "转义"},
        {"'\\r'", 1, "转义"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rw_token_t t = one(cases[i].src);
        assert_int_equal(t.kind, RW_TOK_ERROR);
        assert_int_equal(t.off, cases[i].off);
        assert_non_null(strstr(t.str, cases[i].words));
        rw_token_clear(&t);
    }
}

static void an_unterminated_string_is_reported_at_its_opening_quote(void **state)
{
    (void)state;
    rw_token_t toks[8];
    size_t n = lex_all("attrs.x == \"abc", toks, 8);
    assert_int_equal(toks[n - 1].kind, RW_TOK_ERROR);
    assert_int_equal(toks[n - 1].off, 11);
    assert_non_null(strstr(toks[n - 1].str, "引号"));
    clear_all(toks, n);
    /* a closing quote of the other kind does not end it */
    n = lex_all("x == 'abc\"", toks, 8);
    assert_int_equal(toks[n - 1].kind, RW_TOK_ERROR);
    assert_int_equal(toks[n - 1].off, 5);
    clear_all(toks, n);
    /* an escaped quote does not end it either */
    n = lex_all("\"abc\\\"", toks, 8);
    assert_int_equal(toks[n - 1].kind, RW_TOK_ERROR);
    assert_int_equal(toks[n - 1].off, 0);
    clear_all(toks, n);
    /* a backslash as the very last byte */
    rw_token_t t = one("'abc\\");
    assert_int_equal(t.kind, RW_TOK_ERROR);
    rw_token_clear(&t);
}

static void keywords_have_both_spellings(void **state)
{
    (void)state;
    rw_token_t toks[16];
    size_t n = lex_all("and && or || not ! in true false null", toks, 16);
    static const rw_tok_kind_t want[] = {RW_TOK_AND,   RW_TOK_AND,  RW_TOK_OR, RW_TOK_OR,
                                         RW_TOK_NOT,   RW_TOK_NOT,  RW_TOK_IN, RW_TOK_TRUE,
                                         RW_TOK_FALSE, RW_TOK_NULL, RW_TOK_EOF};
    assert_int_equal(n, sizeof want / sizeof *want);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(toks[i].kind, want[i]);
    assert_int_equal(toks[1].off, 4);
    assert_int_equal(toks[1].len, 2);
    assert_int_equal(toks[5].off, 17);
    assert_int_equal(toks[5].len, 1);
    clear_all(toks, n);
}

static void words_that_only_start_like_keywords_are_names(void **state)
{
    (void)state;
    const char *names[] = {"android",  "order", "nothing", "inner", "true_count",
                           "nullable", "AND",   "In",      "_x1"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        rw_token_t t = one(names[i]);
        assert_int_equal(t.kind, RW_TOK_IDENT);
        assert_int_equal(t.len, strlen(names[i]));
        rw_token_clear(&t);
    }
}

static void operators_and_punctuation_are_tokens_with_offsets(void **state)
{
    (void)state;
    rw_token_t toks[32];
    const char *src = "== != <= >= < > + - * / % ( ) [ ] , .";
    size_t n = lex_all(src, toks, 32);
    static const rw_tok_kind_t want[] = {
        RW_TOK_EQ,      RW_TOK_NE,     RW_TOK_LE,     RW_TOK_GE,       RW_TOK_LT,
        RW_TOK_GT,      RW_TOK_PLUS,   RW_TOK_MINUS,  RW_TOK_STAR,     RW_TOK_SLASH,
        RW_TOK_PERCENT, RW_TOK_LPAREN, RW_TOK_RPAREN, RW_TOK_LBRACKET, RW_TOK_RBRACKET,
        RW_TOK_COMMA,   RW_TOK_DOT,    RW_TOK_EOF};
    assert_int_equal(n, sizeof want / sizeof *want);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(toks[i].kind, want[i]);
    assert_int_equal(toks[2].off, 6);
    assert_int_equal(toks[2].len, 2);
    assert_int_equal(toks[4].off, 12);
    assert_int_equal(toks[4].len, 1);
    assert_int_equal(toks[17].off, strlen(src));
    clear_all(toks, n);
    /* no space needed: a<=b is three tokens, x!=y too */
    n = lex_all("a<=b", toks, 32);
    assert_int_equal(n, 4);
    assert_int_equal(toks[1].kind, RW_TOK_LE);
    clear_all(toks, n);
    n = lex_all("!x", toks, 32);
    assert_int_equal(toks[0].kind, RW_TOK_NOT);
    assert_int_equal(toks[1].kind, RW_TOK_IDENT);
    clear_all(toks, n);
}

static void single_equals_ampersand_and_bar_are_errors(void **state)
{
    (void)state;
    const char *srcs[] = {"a = 1", "a & b", "a | b", "a ; b", "a $ b"};
    for (size_t i = 0; i < sizeof srcs / sizeof *srcs; i++) {
        rw_token_t toks[8];
        size_t n = lex_all(srcs[i], toks, 8);
        assert_int_equal(toks[n - 1].kind, RW_TOK_ERROR);
        assert_int_equal(toks[n - 1].off, 2);
        assert_non_null(strstr(toks[n - 1].str, "意外的字符"));
        assert_non_null(strchr(toks[n - 1].str, srcs[i][2])); /* names the character */
        clear_all(toks, n);
    }
}

static void non_ascii_outside_quotes_says_to_quote_it(void **state)
{
    (void)state;
    rw_token_t toks[8];
    size_t n = lex_all("attrs.类别 == 'x'", toks, 8);
    assert_int_equal(n, 3);
    assert_int_equal(toks[2].kind, RW_TOK_ERROR);
    assert_int_equal(toks[2].off, 6);
    assert_non_null(strstr(toks[2].str, "引号"));
    clear_all(toks, n);
    /* full-width punctuation typed by an IME is caught the same way */
    n = lex_all("count（x, 7d）", toks, 8);
    assert_int_equal(toks[n - 1].kind, RW_TOK_ERROR);
    assert_int_equal(toks[n - 1].off, 5);
    clear_all(toks, n);
    n = lex_all("a ＝＝ b", toks, 8);
    assert_int_equal(toks[n - 1].kind, RW_TOK_ERROR);
    assert_int_equal(toks[n - 1].off, 2);
    clear_all(toks, n);
}

static void whitespace_and_line_breaks_separate_tokens(void **state)
{
    (void)state;
    rw_token_t toks[8];
    size_t n = lex_all(" \tcount\n(\r\n x ) ", toks, 8);
    assert_int_equal(n, 5);
    assert_int_equal(toks[0].kind, RW_TOK_IDENT);
    assert_int_equal(toks[0].off, 2);
    assert_int_equal(toks[1].kind, RW_TOK_LPAREN);
    assert_int_equal(toks[1].off, 8);
    assert_int_equal(toks[2].off, 12);
    assert_int_equal(toks[4].kind, RW_TOK_EOF);
    assert_int_equal(toks[4].off, 16);
    clear_all(toks, n);
    n = lex_all("   ", toks, 8);
    assert_int_equal(n, 1);
    assert_int_equal(toks[0].kind, RW_TOK_EOF);
    clear_all(toks, n);
}

static void the_lexer_stops_at_the_given_length(void **state)
{
    (void)state;
    /* an expression is a slice of a message template: "{count(x, 7d)}" */
    const char *tmpl = "共{count(x, 7d)}次";
    const char *expr = strchr(tmpl, '{') + 1;
    rw_lexer_t lx;
    rw_lexer_init(&lx, expr, strlen("count(x, 7d)"));
    rw_token_t t;
    rw_tok_kind_t last = RW_TOK_ERROR;
    int count = 0;
    for (;;) {
        rw_lexer_next(&lx, &t);
        rw_tok_kind_t k = t.kind;
        rw_token_clear(&t);
        if (k == RW_TOK_EOF || k == RW_TOK_ERROR) {
            last = k;
            break;
        }
        count++;
    }
    assert_int_equal(last, RW_TOK_EOF);
    assert_int_equal(count, 6);
    /* a string cut by the length is unterminated */
    rw_lexer_init(&lx, "'abc'", 3);
    rw_lexer_next(&lx, &t);
    assert_int_equal(t.kind, RW_TOK_ERROR);
    rw_token_clear(&t);
}

static void token_names_read_well_in_messages(void **state)
{
    (void)state;
    assert_string_equal(rw_tok_name(RW_TOK_RPAREN), "')'");
    assert_string_equal(rw_tok_name(RW_TOK_NUMBER), "数字");
    assert_string_equal(rw_tok_name(RW_TOK_EOF), "表达式结尾");
    for (int k = RW_TOK_EOF; k <= RW_TOK_ERROR; k++) {
        assert_non_null(rw_tok_name((rw_tok_kind_t)k));
        assert_string_not_equal(rw_tok_name((rw_tok_kind_t)k), "?");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(numbers_are_integers_decimals_and_exponents),
        cmocka_unit_test(a_number_that_is_too_big_for_a_double_is_an_error),
        cmocka_unit_test(durations_are_read_as_seconds),
        cmocka_unit_test(a_fractional_or_misspelt_duration_is_an_error_at_the_unit),
        cmocka_unit_test(strings_decode_every_escape_of_rules_md),
        cmocka_unit_test(unicode_escapes_become_utf8_including_surrogate_pairs),
        cmocka_unit_test(lone_surrogates_and_bad_escapes_are_errors_at_the_backslash),
        cmocka_unit_test(an_unterminated_string_is_reported_at_its_opening_quote),
        cmocka_unit_test(keywords_have_both_spellings),
        cmocka_unit_test(words_that_only_start_like_keywords_are_names),
        cmocka_unit_test(operators_and_punctuation_are_tokens_with_offsets),
        cmocka_unit_test(single_equals_ampersand_and_bar_are_errors),
        cmocka_unit_test(non_ascii_outside_quotes_says_to_quote_it),
        cmocka_unit_test(whitespace_and_line_breaks_separate_tokens),
        cmocka_unit_test(the_lexer_stops_at_the_given_length),
        cmocka_unit_test(token_names_read_well_in_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
