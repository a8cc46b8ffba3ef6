/* Tests for yamldoc.c: YAML 1.2 core-schema resolution of plain scalars (yes/on/off
 * and quoted numbers stay strings), refusal of duplicate keys, anchors and aliases at
 * their position, and rw_ynode_pos mapping offsets of decoded text back to the file
 * through quotes, escapes, folding and block scalars. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "yamldoc.h"

/* Parses "v: <text>" and returns a copy of the value node's resolution. */
typedef struct {
    rw_ykind_t kind;
    double num;
    int is_int, boolean;
    char str[64];
} resolved_t;

static resolved_t resolve(const char *text)
{
    rw_buf_t b;
    rw_buf_init(&b);
    rw_buf_printf(&b, "v: %s\n", text);
    rw_ydoc_t doc;
    rw_diags_t d;
    rw_diags_init(&d);
    int rc = rw_ydoc_parse(&doc, "t.yaml", b.data, b.len, &d);
    rw_diags_print(&d, stderr);
    assert_int_equal(rc, 0);
    const rw_ynode_t *v = rw_ymap_get(doc.root, "v");
    assert_non_null(v);
    resolved_t r = {.kind = v->kind, .num = v->num, .is_int = v->is_int, .boolean = v->boolean};
    snprintf(r.str, sizeof r.str, "%s", v->str ? v->str : "");
    rw_ydoc_free(&doc);
    rw_diags_free(&d);
    rw_buf_free(&b);
    return r;
}

static void plain_words_like_yes_on_off_stay_strings(void **state)
{
    (void)state;
    const char *strings[] = {
        "yes",        "no",   "on",    "off",   "y",     "n",     "Yes",
        "ON",         "tRUE", "nULL",  "inf",   "nan",   "0o",    "0x",
        "0o8",        "0xG",  "-0x1F", "1_000", "0b101", "1,000", "12:30",
        "2026-01-15", "1e",   "e3",    ". 5",   "+",     "30d",   "food-safety-law#34.1.6"};
    for (size_t i = 0; i < sizeof strings / sizeof *strings; i++) {
        resolved_t r = resolve(strings[i]);
        if (r.kind != RW_Y_STR)
            fprintf(stderr, "%s resolved as %s\n", strings[i], rw_ykind_name(r.kind));
        assert_int_equal(r.kind, RW_Y_STR);
        assert_string_equal(r.str, strings[i]);
    }
}

static void quoted_and_tagged_scalars_stay_strings(void **state)
{
    (void)state;
    struct {
        const char *text, *value;
    } cases[] = {
        {"'5'", "5"},           {"\"5\"", "5"},     {"'true'", "true"},   {"\"null\"", "null"},
        {"'~'", "~"},           {"''", ""},         {"\"\"", ""},         {"!!str 5", "5"},
        {"!!str true", "true"}, {"'0x1F'", "0x1F"}, {"\".inf\"", ".inf"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        resolved_t r = resolve(cases[i].text);
        if (r.kind != RW_Y_STR)
            fprintf(stderr, "%s resolved as %s\n", cases[i].text, rw_ykind_name(r.kind));
        assert_int_equal(r.kind, RW_Y_STR);
        assert_string_equal(r.str, cases[i].value);
    }
}

static void core_schema_numbers_booleans_and_nulls_resolve(void **state)
{
    (void)state;
    struct {
        const char *text;
        double num;
        int is_int;
    } nums[] = {
        {"0", 0, 1},     {"5", 5, 1},      {"-7", -7, 1},    {"+12", 12, 1},
        {"007", 7, 1},   {"0o17", 15, 1},  {"0x1F", 31, 1},  {"0x1f", 31, 1},
        {"0.5", 0.5, 0}, {"1e3", 1000, 0}, {"1E3", 1000, 0}, {"-1.5e-2", -0.015, 0},
        {".5", 0.5, 0},  {"5.", 5, 0},     {"+2.5", 2.5, 0}, {"2e+2", 200, 0},
    };
    for (size_t i = 0; i < sizeof nums / sizeof *nums; i++) {
        resolved_t r = resolve(nums[i].text);
        if (r.kind != RW_Y_NUM || r.num != nums[i].num || r.is_int != nums[i].is_int)
            fprintf(stderr, "%s: kind %s num %g int %d\n", nums[i].text, rw_ykind_name(r.kind),
                    r.num, r.is_int);
        assert_int_equal(r.kind, RW_Y_NUM);
        assert_true(r.num == nums[i].num);
        assert_int_equal(r.is_int, nums[i].is_int);
        /* the text as written is kept for messages and any_scalar lookups */
        assert_string_equal(r.str, nums[i].text);
    }
    const char *infs[] = {".inf", ".Inf", ".INF", "+.inf"};
    for (size_t i = 0; i < sizeof infs / sizeof *infs; i++) {
        resolved_t r = resolve(infs[i]);
        assert_int_equal(r.kind, RW_Y_NUM);
        assert_true(isinf(r.num) && r.num > 0);
    }
    resolved_t r = resolve("-.inf");
    assert_true(r.kind == RW_Y_NUM && isinf(r.num) && r.num < 0);
    const char *nans[] = {".nan", ".NaN", ".NAN"};
    for (size_t i = 0; i < sizeof nans / sizeof *nans; i++) {
        r = resolve(nans[i]);
        assert_int_equal(r.kind, RW_Y_NUM);
        assert_true(isnan(r.num));
    }
    const char *trues[] = {"true", "True", "TRUE"}, *falses[] = {"false", "False", "FALSE"};
    for (size_t i = 0; i < 3; i++) {
        r = resolve(trues[i]);
        assert_true(r.kind == RW_Y_BOOL && r.boolean == 1);
        r = resolve(falses[i]);
        assert_true(r.kind == RW_Y_BOOL && r.boolean == 0);
    }
    const char *nulls[] = {"~", "null", "Null", "NULL", ""};
    for (size_t i = 0; i < sizeof nulls / sizeof *nulls; i++) {
        r = resolve(nulls[i]);
        assert_int_equal(r.kind, RW_Y_NULL);
    }
}

static void numbers_become_json_as_written(void **state)
{
    (void)state;
    const char *text = "{a: 5, b: 1e3, c: 0x10, d: '5', e: ~, f: [true, 0.25]}";
    rw_ydoc_t doc;
    rw_diags_t d;
    rw_diags_init(&d);
    assert_int_equal(rw_ydoc_parse(&doc, "t.yaml", text, strlen(text), &d), 0);
    json_t *j = rw_ynode_to_json(doc.root);
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(s,
                        "{\"a\":5,\"b\":1000.0,\"c\":16,\"d\":\"5\",\"e\":null,\"f\":[true,0.25]}");
    free(s);
    json_decref(j);
    rw_ydoc_free(&doc);
    rw_diags_free(&d);
}

/* Parsing fails with one error at line:col containing msg. */
static void expect_refused(const char *text, int line, int col, const char *msg)
{
    rw_ydoc_t doc;
    rw_diags_t d;
    rw_diags_init(&d);
    assert_int_equal(rw_ydoc_parse(&doc, "t.yaml", text, strlen(text), &d), -1);
    assert_null(doc.root);
    int ok = d.errors == 1 && d.items[0].line == line && d.items[0].col == col &&
             strstr(d.items[0].msg, msg) && !strcmp(d.items[0].file, "t.yaml");
    if (!ok) {
        fprintf(stderr, "wanted t.yaml:%d:%d …%s…, got:\n", line, col, msg);
        rw_diags_print(&d, stderr);
    }
    assert_true(ok);
    rw_ydoc_free(&doc);
    rw_diags_free(&d);
}

static void duplicate_keys_are_refused_at_the_second_key(void **state)
{
    (void)state;
    expect_refused("a: 1\nb: 2\na: 3\n", 3, 1, "重复的键 \"a\"");
    expect_refused("m:\n  x: 1\n  y: 2\n  x: 3\n", 4, 3, "重复的键 \"x\"");
    expect_refused("{a: 1, a: 2}\n", 1, 8, "重复的键 \"a\"");
    /* quoting does not make a key different */
    expect_refused("a: 1\n'a': 2\n", 2, 1, "重复的键 \"a\"");
    expect_refused("rules:\n  - {id: R1, title: x, id: R2}\n", 2, 24, "重复的键 \"id\"");
}

static void anchors_and_aliases_are_refused_at_their_position(void **state)
{
    (void)state;
    expect_refused("a: &x 1\nb: *x\n", 1, 4, "锚点和别名");
    expect_refused("base: &b {n: 1}\n", 1, 7, "锚点和别名");
    expect_refused("list:\n  - &i item\n", 2, 5, "锚点和别名");
    expect_refused("a: 1\nb: *x\n", 2, 4, "");
    expect_refused("x: {n: 1}\ny:\n  <<: *x\n", 3, 7, "");
}

static void malformed_documents_are_refused_with_a_position(void **state)
{
    (void)state;
    expect_refused("a: 1\n---\nb: 2\n", 2, 1, "只能有一个 YAML 文档");
    expect_refused("a: 'unclosed\n", 2, 1, "YAML 语法错误");
    expect_refused("a: [1, 2\n", 2, 1, "YAML 语法错误");
    expect_refused("a:\n  - 1\n b: 2\n", 3, 2, "YAML 语法错误");
    expect_refused("a: \"\xff\xfe\"\n", 1, 1, "");
    expect_refused("[1, 2]: x\n", 1, 1, "映射的键必须是标量");
    /* empty documents are no error: they have no root */
    const char *empties[] = {"", "# 只有注释\n", "---\n", "~\n"};
    for (size_t i = 0; i < sizeof empties / sizeof *empties; i++) {
        rw_ydoc_t doc;
        rw_diags_t d;
        rw_diags_init(&d);
        assert_int_equal(rw_ydoc_parse(&doc, "t.yaml", empties[i], strlen(empties[i]), &d), 0);
        assert_null(doc.root);
        assert_int_equal(d.n, 0);
        rw_ydoc_free(&doc);
        rw_diags_free(&d);
    }
}

/* The file position of the first occurrence of `needle` in the decoded value of key v
 * (found in the map at path `outer`.v when outer is given). */
static void expect_pos(const char *text, const char *outer, const char *needle, int line, int col)
{
    rw_ydoc_t doc;
    rw_diags_t d;
    rw_diags_init(&d);
    int rc = rw_ydoc_parse(&doc, "t.yaml", text, strlen(text), &d);
    rw_diags_print(&d, stderr);
    assert_int_equal(rc, 0);
    const rw_ynode_t *map = outer ? rw_ymap_get(doc.root, outer) : doc.root;
    const rw_ynode_t *v = rw_ymap_get(map, "v");
    assert_non_null(v);
    const char *hit = strstr(v->str, needle);
    if (!hit) fprintf(stderr, "\"%s\" not in \"%s\"\n", needle, v->str);
    assert_non_null(hit);
    int l = 0, c = 0;
    rw_ynode_pos(&doc, v, (size_t)(hit - v->str), &l, &c);
    if (l != line || c != col)
        fprintf(stderr, "%s: \"%s\" at %d:%d, wanted %d:%d\n", text, needle, l, c, line, col);
    assert_int_equal(l, line);
    assert_int_equal(c, col);
    rw_ydoc_free(&doc);
    rw_diags_free(&d);
}

static void positions_follow_quotes_and_escapes(void **state)
{
    (void)state;
    expect_pos("v: abc def\n", NULL, "def", 1, 8);
    /* columns count characters, not bytes */
    expect_pos("v: 食品 抽检 x\n", NULL, "x", 1, 10);
    /* '' is one quote in the text */
    expect_pos("v: 'it''s a ''b'' x'\n", NULL, "x", 1, 19);
    /* escapes of every length: \t, \", \\, \x41, \u00e9, \U0001F600 */
    expect_pos("v: \"a\\tb\\\"c\\\\d x\"\n", NULL, "x", 1, 16);
    expect_pos("v: \"\\x41\\u00e9\\U0001F600 x\"\n", NULL, "x", 1, 26);
    expect_pos("v: \"\\u4e2d中 x\"\n", NULL, "x", 1, 13);
    expect_pos("v: \"count(a, 7d) >= \\\"x\\\" and y\"\n", NULL, "y", 1, 31);
}

static void positions_follow_folded_lines_and_block_scalars(void **state)
{
    (void)state;
    /* plain and quoted scalars fold a line break to a space */
    expect_pos("v: abc\n  def x\n", NULL, "x", 2, 7);
    expect_pos("v: 'abc\n   def x'\n", NULL, "x", 2, 8);
    expect_pos("v: \"abc\n  def x\"\n", NULL, "x", 2, 7);
    /* a blank line stands for a line break: the position is still that of the text */
    expect_pos("v: abc\n\n  def x\n", NULL, "x", 3, 7);
    expect_pos("v: 'abc\n\n   def x'\n", NULL, "x", 3, 8);
    expect_pos("v: \"abc\n\n\n  def x\"\n", NULL, "x", 4, 7);
    expect_pos("v: abc   \n  def x\n", NULL, "x", 2, 7); /* trailing blanks fold too */
    /* an escaped line break (and the next line's indentation) stands for nothing */
    expect_pos("v: \"abc\\\n      def\"\n", NULL, "def", 2, 7); /* right after it */
    expect_pos("v: \"abc and \\\n      def x\"\n", NULL, "x", 2, 11);
    expect_pos("v: \"abc\\\r\n  def x\"\n", NULL, "x", 2, 7);
    /* folded block */
    expect_pos("v: >\n  abc\n  def x\n", NULL, "x", 3, 7);
    expect_pos("v: >-\n  abc\n\n  def x\n", NULL, "x", 4, 7);
    /* literal block: every line's indentation is left out of the text */
    expect_pos("v: |\n  abc\n  def x\n", NULL, "x", 3, 7);
    expect_pos("v: |\n  abc\n  def\n  ghi x\n", NULL, "x", 4, 7);
    expect_pos("v: |-\n  abc\n\n  def x\n", NULL, "x", 4, 7);
    /* an indentation indicator counts from the header line's indentation: the rest is text */
    expect_pos("m:\n  v: |2\n      abc and\n      def x\n", "m", "x", 4, 11);
    expect_pos("v: >1\n   abc\n   def x\n", NULL, "x", 3, 8);
    /* a more-indented line keeps its extra spaces as text */
    expect_pos("v: |\n  abc\n    def x\n", NULL, "x", 3, 9);
    /* a block nested in a mapping, and a header with a comment */
    expect_pos("m:\n  v: |\n    count(a, 7d) >= 1 and\n    nosuch > 2\n", "m", "nosuch", 4, 5);
    expect_pos("v: | # 说明\n  abc x\n", NULL, "x", 2, 7);
    expect_pos("v: >\n  食品\n  抽检 x\n", NULL, "x", 3, 6);
    /* blank lines before the first line of text are text (a line break each) */
    expect_pos("v: |-\n\n  abc x\n", NULL, "x", 3, 7);
    expect_pos("v: >-\n\n\n  abc x\n", NULL, "x", 4, 7);
    /* folded: two blank lines are two line breaks; a more-indented line keeps its breaks */
    expect_pos("v: >\n  abc\n\n\n  def x\n", NULL, "x", 5, 7);
    expect_pos("v: >\n  abc\n    def\n\n  ghi x\n", NULL, "x", 5, 7);
    /* CRLF line ends, in blocks too */
    expect_pos("v: |\r\n  abc\r\n\r\n  def x\r\n", NULL, "x", 4, 7);
    expect_pos("v: >-\r\n\r\n  abc\r\n  def x\r\n", NULL, "x", 4, 7);
}

static void a_byte_order_mark_is_not_content(void **state)
{
    (void)state;
    /* a first line of content after the mark: its key is at column 1, not indented */
    expect_pos("\xEF\xBB\xBFv: abc x\nw: 1\n", NULL, "x", 1, 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_words_like_yes_on_off_stay_strings),
        cmocka_unit_test(quoted_and_tagged_scalars_stay_strings),
        cmocka_unit_test(core_schema_numbers_booleans_and_nulls_resolve),
        cmocka_unit_test(numbers_become_json_as_written),
        cmocka_unit_test(duplicate_keys_are_refused_at_the_second_key),
        cmocka_unit_test(anchors_and_aliases_are_refused_at_their_position),
        cmocka_unit_test(malformed_documents_are_refused_with_a_position),
        cmocka_unit_test(positions_follow_quotes_and_escapes),
        cmocka_unit_test(positions_follow_folded_lines_and_block_scalars),
        cmocka_unit_test(a_byte_order_mark_is_not_content),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
