/* Tests for rules.c and catalog.c loading malformed files: every mistake a rule author
 * can make in a ruleset or the catalogue is reported as file:line:col at the node at
 * fault, loading stops with nothing loaded, and no input, however cut short, crashes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rules.h"
#include "rwtime.h"
#include "util.h"
#include "support.h"

static const char *const CATALOG =
    "timezone: \"+08:00\"\n"
    "types:\n"
    "  complaint: {title: 投诉举报, attrs: {category: string, amount: number}}\n"
    "  penalty:   {title: 行政处罚, attrs: {amount: number}}\n"
    "items:\n"
    "  - code: \"SC-T-001\"\n"
    "    name: 测试监督检查事项\n"
    "    department: 测试监管处\n"
    "    basis: [\"test-law#1\"]\n";

static const char *const LAWS = "laws:\n"
                                "  - id: test-law\n"
                                "    title: 中华人民共和国测试法\n"
                                "    level: law\n"
                                "    verified: 2026-10-01\n"
                                "    versions:\n"
                                "      - {effective: 2020-01-01, source: test.md}\n";

static const char *const LAW = "# 中华人民共和国测试法\n\n2020年1月1日 公布\n\n<!-- INFO END "
                               "-->\n\n第一条 经营者应当诚信经营。\n";

/* A complete, valid ruleset: the base every case below changes one thing of. */
static const char *const VALID =
    "ruleset: t\n"                                                       /* 1 */
    "reviewed: 2026-10-15\n"                                             /* 2 */
    "streams:\n"                                                         /* 3 */
    "  food: 'type == \"complaint\" and attrs.category == \"food\"'\n"   /* 4 */
    "params: {n: 1, m: 2}\n"                                             /* 5 */
    "overrides: {\"32\": {n: 3}}\n"                                      /* 6 */
    "rules:\n"                                                           /* 7 */
    "  - id: R1\n"                                                       /* 8 */
    "    title: 规则\n"                                                  /* 9 */
    "    description: 说明\n"                                            /* 10 */
    "    on: [food]\n"                                                   /* 11 */
    "    if: 'count(food, 7d) >= params.n'\n"                            /* 12 */
    "    level: {red: 'count(food, 7d) >= params.m', default: orange}\n" /* 13 */
    "    clauses: [\"test-law#1\"]\n"                                    /* 14 */
    "    item: \"SC-T-001\"\n"                                           /* 15 */
    "    department: 测试处\n"                                           /* 16 */
    "    suppress: 72h\n"                                                /* 17 */
    "    message: '近7天 {count(food, 7d)} 次'\n"                        /* 18 */
    "    tags: [食品]\n"                                                 /* 19 */
    "    mode: shadow\n"                                                 /* 20 */
    "    enabled: true\n";                                               /* 21 */

typedef struct {
    char *dir;
    int rc;
    rw_rules_t *rules;
    rw_diags_t d;
} loaded_t;

/* Loads a folder with the given catalogue and rulesets ((name, text) pairs, NULL-ended). */
static loaded_t load(const char *catalog, const char *const *files)
{
    loaded_t L;
    char tmpl[] = "/tmp/rw-rules-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    L.dir = rw_xstrdup(tmpl);
    write_file(L.dir, "catalog.yaml", catalog);
    rw_buf_t s;
    rw_buf_init(&s);
    rw_buf_printf(&s, "%s/statutes", L.dir);
    assert_int_equal(mkdir(s.data, 0755), 0);
    write_file(s.data, "laws.yaml", LAWS);
    write_file(s.data, "test.md", LAW);
    rw_buf_free(&s);
    for (; files && *files; files += 2)
        write_file(L.dir, files[0], files[1]);
    rw_diags_init(&L.d);
    int64_t today;
    rw_date_parse("2026-11-01", &today);
    rw_load_opts_t o = {.rules_dir = L.dir, .today = today};
    L.rules = (rw_rules_t *)&L; /* must be reset */
    L.rc = rw_rules_load(&L.rules, &o, &L.d);
    return L;
}

static void done(loaded_t *L)
{
    rw_rules_free(L->rules);
    rw_diags_free(&L->d);
    rw_rmtree(L->dir);
    free(L->dir);
}

/* Asserts that loading failed, left nothing, and reported an error in `file` at
 * line:col whose text contains `msg`. */
static void expect_error_in(loaded_t *L, const char *file, int line, int col, const char *msg)
{
    assert_int_equal(L->rc, -1);
    assert_null(L->rules);
    char path[512];
    snprintf(path, sizeof path, "%s/%s", L->dir, file);
    for (size_t i = 0; i < L->d.n; i++) {
        const rw_diag_t *it = &L->d.items[i];
        if (it->sev == RW_DIAG_ERROR && !strcmp(it->file, path) && it->line == line &&
            it->col == col && strstr(it->msg, msg))
            return;
    }
    fprintf(stderr, "wanted %s:%d:%d: error: …%s…, got:\n", file, line, col, msg);
    rw_diags_print(&L->d, stderr);
    fail();
}

static void expect_ruleset_error(const char *ruleset, int line, int col, const char *msg)
{
    const char *files[] = {"rs.yaml", ruleset, NULL};
    loaded_t L = load(CATALOG, files);
    expect_error_in(&L, "rs.yaml", line, col, msg);
    done(&L);
}

static void expect_catalog_error(const char *catalog, int line, int col, const char *msg)
{
    const char *files[] = {"rs.yaml", VALID, NULL};
    loaded_t L = load(catalog, files);
    expect_error_in(&L, "catalog.yaml", line, col, msg);
    done(&L);
}

/* base with line `line` (1-based) replaced by `text` (which may span lines or be ""). */
static char *replace_in(const char *base, int line, const char *text)
{
    rw_buf_t b;
    rw_buf_init(&b);
    const char *p = base;
    for (int l = 1; *p; l++) {
        const char *end = strchr(p, '\n');
        size_t n = (size_t)(end - p) + 1;
        if (l == line)
            rw_buf_puts(&b, text);
        else
            rw_buf_append(&b, p, n);
        p += n;
    }
    return rw_buf_steal(&b);
}

static char *replace_line(int line, const char *text)
{
    return replace_in(VALID, line, text);
}

static void expect_line_error(int line, const char *text, int at_line, int col, const char *msg)
{
    char *y = replace_line(line, text);
    expect_ruleset_error(y, at_line, col, msg);
    free(y);
}

/* ---- the ruleset file -------------------------------------------------------------- */

static void the_valid_base_loads_with_every_key(void **state)
{
    (void)state;
    const char *files[] = {"rs.yaml", VALID, NULL};
    loaded_t L = load(CATALOG, files);
    rw_diags_print(&L.d, stderr);
    assert_int_equal(L.rc, 0);
    assert_int_equal(L.d.errors, 0);
    const rw_rule_t *r = &L.rules->rules[0];
    assert_string_equal(r->id, "R1");
    assert_int_equal(r->suppress, 72);
    assert_int_equal(r->suppress_unit, 'h');
    assert_int_equal(r->shadow, 1);
    assert_int_equal(r->enabled, 1);
    assert_int_equal(r->level_default, RW_LEVEL_ORANGE);
    assert_string_equal(r->department, "测试处");
    done(&L);
}

static void truncated_yaml_reports_where_the_text_breaks_off(void **state)
{
    (void)state;
    /* an unclosed quote runs to the end of the file */
    expect_ruleset_error("ruleset: t\nrules:\n  - id: R1\n    title: '未闭合\n", 5, 1,
                         "YAML 语法错误");
    /* an unclosed flow sequence */
    expect_ruleset_error("ruleset: t\nrules: [\n", 3, 1, "YAML 语法错误");
    /* a key at a wrong indentation */
    expect_ruleset_error("ruleset: t\nrules:\n  - id: R1\n   title: x\n", 4, 4, "YAML 语法错误");
    /* VALID cut in the middle of line 13's flow mapping */
    char *cut = rw_xstrndup(VALID, (size_t)(strstr(VALID, "default") - VALID));
    expect_ruleset_error(cut, 14, 1, "YAML 语法错误");
    free(cut);
}

static void every_rule_key_of_the_wrong_kind_is_reported_at_its_value(void **state)
{
    (void)state;
    struct {
        int line;
        const char *text, *msg;
        int col;
    } cases[] = {
        {8, "  - id: [R1]\n", "\"id\" 应该是字符串", 9},
        {9, "    title: {a: b}\n", "\"title\" 应该是字符串", 12},
        {10, "    description: [x]\n", "\"description\" 应该是字符串", 18},
        {11, "    on: {a: b}\n", "on 应该是字符串列表", 9},
        {12, "    if: [x]\n", "这里需要一个表达式", 9},
        {12, "    if: {a: b}\n", "这里需要一个表达式", 9},
        {12, "    if:\n", "这里需要一个表达式", 8},
        {13, "    level: [red]\n", "level 应该是等级名", 12},
        {14, "    clauses: {a: b}\n", "clauses 必须是", 14},
        {14, "    clauses: \"test-law#1\"\n", "clauses 必须是", 14},
        {15, "    item: [x]\n", "\"item\" 应该是字符串", 11},
        {16, "    department: {a: b}\n", "\"department\" 应该是字符串", 17},
        {17, "    suppress: [30d]\n", "\"suppress\" 应该是字符串", 15},
        {18, "    message: [x]\n", "message 应该是字符串模板", 14},
        {18, "    message: 5\n", "message 应该是字符串模板", 14},
        {19, "    tags: {a: b}\n", "tags 应该是字符串列表", 11},
        {19, "    tags: [[a]]\n", "tags 的每一项都应该是字符串", 12},
        {20, "    mode: [live]\n", "\"mode\" 应该是字符串", 11},
        {21, "    enabled: [true]\n", "enabled 只能是 true 或 false", 14},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        expect_line_error(cases[i].line, cases[i].text, cases[i].line, cases[i].col, cases[i].msg);
}

static void bad_values_are_reported_at_the_value(void **state)
{
    (void)state;
    struct {
        int line;
        const char *text, *msg;
        int col;
    } cases[] = {
        {8, "  - id: 'a b'\n", "只能包含", 9},
        {8, "  - id: 规则一\n", "只能包含", 9},
        {11, "    on: [complaint, nostream]\n", "未知的流或事件类型 \"nostream\"", 21},
        {11, "    on: nostream\n", "未知的流或事件类型 \"nostream\"", 9},
        {11, "    on: []\n", "on 是空列表", 9},
        {13, "    level: purple\n", "未知的等级 \"purple\"", 12},
        {13, "    level: RED\n", "未知的等级 \"RED\"", 12},
        {13, "    level: {purple: 'true'}\n", "未知的等级 \"purple\"", 13},
        {13, "    level: {red: 'true', default: pink}\n", "default 必须是", 35},
        {13, "    level: {red: 'true', default: [red]}\n", "default 必须是", 35},
        {13, "    level: {red: [x]}\n", "这里需要一个表达式", 18},
        {14, "    clauses: []\n", "clauses 必须是", 14},
        {14, "    clauses: [\"nolaw#1\"]\n", "nolaw", 15},
        {14, "    clauses: [\"test-law#99\"]\n", "都不存在", 15},
        {14, "    clauses: [\"test-law#1\", {a: b}]\n", "条款引用应该是字符串", 29},
        {15, "    item: NOPE\n", "未知的监管事项编码 NOPE", 11},
        {17, "    suppress: 30\n", "suppress 应该是时长", 15},
        {17, "    suppress: 30m\n", "suppress 应该是时长", 15},
        {17, "    suppress: -1d\n", "suppress 应该是时长", 15},
        {17, "    suppress: d\n", "suppress 应该是时长", 15},
        {17, "    suppress: 30d 1h\n", "suppress 应该是时长", 15},
        {20, "    mode: test\n", "mode 只能是 live 或 shadow", 11},
        {20, "    mode: Shadow\n", "mode 只能是 live 或 shadow", 11},
        /* YAML 1.2: yes, on and "true" are strings, not booleans */
        {21, "    enabled: yes\n", "enabled 只能是 true 或 false", 14},
        {21, "    enabled: on\n", "enabled 只能是 true 或 false", 14},
        {21, "    enabled: \"true\"\n", "enabled 只能是 true 或 false", 14},
        {21, "    severity: red\n", "未知的键 \"severity\"", 5},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        expect_line_error(cases[i].line, cases[i].text, cases[i].line, cases[i].col, cases[i].msg);
}

static void missing_required_keys_are_reported_at_the_rule(void **state)
{
    (void)state;
    struct {
        int line;
        const char *msg;
    } cases[] = {
        {8, "缺少必填的键 \"id\""},
        {9, "缺少必填的键 \"title\""},
        {12, "缺少 if"},
        {13, "缺少 level"},
        {14, "clauses"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        /* drop the line; without the id line the rule starts at the title instead */
        char *y = replace_line(cases[i].line, cases[i].line == 8 ? "  - title: 规则\n" : "");
        if (cases[i].line == 8) {
            char *z = replace_in(y, 9, "");
            free(y);
            y = z;
        }
        /* the rule's mapping starts at line 8, column 5 */
        expect_ruleset_error(y, 8, 5, cases[i].msg);
        free(y);
    }
}

static void expression_errors_point_into_the_expression(void **state)
{
    (void)state;
    /* `    if: '` is 9 characters: the expression starts at column 10 */
    expect_line_error(12, "    if: 'count(food, 7d) >='\n", 12, 28, "表达式结尾");
    expect_line_error(12, "    if: 'count(nostream, 7d) >= 1'\n", 12, 16, "nostream");
    expect_line_error(12, "    if: 'count(food, 7d) >= params.zz'\n", 12, 29, "params.zz");
    /* a literal block: the error is on the block's second line */
    expect_line_error(12, "    if: |\n      count(food, 7d) >= 1 and\n      nosuch > 2\n", 14, 7,
                      "nosuch");
    /* message placeholders: `    message: '` is 14 characters */
    expect_line_error(18, "    message: 'abc {count(food, 7d)'\n", 18, 19, "没有对应的 '}'");
    expect_line_error(18, "    message: 'a } b'\n", 18, 17, "多余的 '}'");
    expect_line_error(18, "    message: 'n={params.zz}'\n", 18, 18, "params.zz");
}

static void params_and_overrides_are_checked(void **state)
{
    (void)state;
    expect_line_error(5, "params: {n: [1], m: 2}\n", 5, 13, "参数 n 的值必须是标量");
    expect_line_error(5, "params: [1]\n", 5, 9, "params 应该是");
    expect_line_error(6, "overrides: {\"32a\": {n: 3}}\n", 6, 13,
                      "overrides 的键必须是行政区划代码前缀");
    expect_line_error(6, "overrides: {\"1234567890123\": {n: 3}}\n", 6, 13,
                      "overrides 的键必须是行政区划代码前缀");
    expect_line_error(6, "overrides: {\"\": {n: 3}}\n", 6, 13,
                      "overrides 的键必须是行政区划代码前缀");
    expect_line_error(6, "overrides: {\"32\": {zz: 3}}\n", 6, 20, "覆盖了未声明的参数 zz");
    expect_line_error(6, "overrides: {\"32\": 5}\n", 6, 19, "应该是 参数: 值 的映射");
    expect_line_error(6, "overrides: {\"32\": {n: [3]}}\n", 6, 23, "参数值必须是标量");
    expect_line_error(6, "overrides: [1]\n", 6, 12, "overrides 应该是");
    /* a param read in an expression but declared nowhere */
    expect_line_error(5, "params: {m: 2}\n", 12, 29, "未知的参数 params.n");
}

static void streams_are_checked(void **state)
{
    (void)state;
    expect_line_error(4, "  bad-name: 'true'\n", 4, 3, "必须是标识符");
    expect_line_error(4, "  complaint: 'true'\n", 4, 3, "与事件类型同名");
    expect_line_error(4, "  food: 'params.n == 1'\n", 4, 10, "不能读 params");
    expect_line_error(4, "  food: [x]\n", 4, 9, "这里需要一个表达式");
    /* a misspelt type is no member of any stream: its events are applied to nothing */
    expect_line_error(4, "  food: 'type == \"complant\"'\n", 4, 18, "未知的事件类型 \"complant\"");
    expect_line_error(4, "  food: 'type in [\"complaint\", \"penalti\"]'\n", 4, 32,
                      "未知的事件类型 \"penalti\"");
    expect_line_error(12, "    if: '\"samplng\" != type'\n", 12, 10, "未知的事件类型 \"samplng\"");
    char *y = replace_in(VALID, 4, "");
    char *z = replace_in(y, 3, "streams: [food]\n");
    expect_ruleset_error(z, 3, 10, "streams 应该是");
    free(y);
    free(z);
    /* one name space across files: the second declaration is the error */
    const char *files[] = {"a.yaml", VALID, "b.yaml",
                           "ruleset: b\nstreams:\n  food: 'type == \"penalty\"'\n", NULL};
    loaded_t L = load(CATALOG, files);
    char first[600];
    snprintf(first, sizeof first, "重复声明（已在 %s/a.yaml:4 声明", L.dir);
    expect_error_in(&L, "b.yaml", 3, 3, first);
    done(&L);
}

static void the_ruleset_file_itself_is_checked(void **state)
{
    (void)state;
    expect_ruleset_error("# 注释\nrules: []\n", 2, 1, "缺少必填的键 \"ruleset\"");
    expect_ruleset_error("- a\n- b\n", 1, 1, "规则集文件应该是");
    expect_ruleset_error("ruleset: t\nrulez: []\n", 2, 1, "未知的键 \"rulez\"");
    expect_ruleset_error("ruleset: t\nrules: {a: 1}\n", 2, 8, "rules 应该是规则列表");
    expect_ruleset_error("ruleset: t\nrules:\n  - just text\n", 3, 5, "每条规则应该是映射");
    expect_line_error(2, "reviewed: 2026-13-01\n", 2, 11, "reviewed 应该是日期");
    expect_line_error(1, "ruleset: [t]\n", 1, 10, "\"ruleset\" 应该是字符串");
}

static void a_rule_id_used_twice_names_both_places(void **state)
{
    (void)state;
    const char *second =
        "ruleset: b\n"
        "rules:\n"
        "  - {id: R1, title: 又一条, if: 'true', level: red, clauses: [\"test-law#1\"]}\n";
    const char *files[] = {"a.yaml", VALID, "b.yaml", second, NULL};
    loaded_t L = load(CATALOG, files);
    char first[600];
    snprintf(first, sizeof first, "%s/a.yaml:8", L.dir);
    expect_error_in(&L, "b.yaml", 3, 10, first);
    done(&L);
}

static void a_ruleset_name_used_twice_names_the_first_file(void **state)
{
    (void)state;
    const char *files[] = {"a.yaml", VALID, "b.yaml", "ruleset: t\nrules: []\n", NULL};
    loaded_t L = load(CATALOG, files);
    char first[600];
    snprintf(first, sizeof first, "规则集名 t 重复（已在 %s/a.yaml 声明）", L.dir);
    expect_error_in(&L, "b.yaml", 1, 10, first);
    done(&L);
}

/* ---- the catalogue --------------------------------------------------------------- */

static void catalogue_mistakes_are_reported_at_the_node(void **state)
{
    (void)state;
    expect_catalog_error("timezone: \"+08:00\ntypes:\n", 3, 1, "YAML 语法错误");
    expect_catalog_error("timezone: \"+8\"\ntypes: {complaint: {title: x}}\n", 1, 11,
                         "timezone 必须是固定偏移");
    expect_catalog_error("timezone: \"+08:00\"\n", 1, 1, "catalog 需要 types");
    expect_catalog_error("types: [complaint]\n", 1, 8, "catalog 需要 types");
    expect_catalog_error("types:\n  Complaint: {title: x}\n", 2, 3, "必须匹配");
    expect_catalog_error("types:\n  complaint: x\n", 2, 14, "应该是 {title, attrs} 映射");
    expect_catalog_error("types:\n  complaint: {title: x, attrs: {a: integer}}\n", 2, 36,
                         "属性类型必须是");
    expect_catalog_error("types:\n  complaint: {title: x, attrs: [a]}\n", 2, 32, "attrs 应该是");
    expect_catalog_error("types:\n  complaint: {attrs: {}}\n", 2, 14, "缺少必填的键 \"title\"");
    expect_catalog_error("types:\n  complaint: {title: x, kind: y}\n", 2, 25, "未知的键 \"kind\"");
    expect_catalog_error("types: {complaint: {title: x}}\nitems: {a: 1}\n", 2, 8,
                         "items 应该是监管事项列表");
    expect_catalog_error("types: {complaint: {title: x}}\nitems:\n  - x\n", 3, 5,
                         "监管事项应该是映射");
    expect_catalog_error("types: {complaint: {title: x}}\nitems:\n  - {name: n, department: d}\n",
                         3, 5, "缺少必填的键 \"code\"");
    expect_catalog_error("types: {complaint: {title: x}}\nitems:\n"
                         "  - {code: A, name: n, department: d}\n"
                         "  - {code: A, name: m, department: d}\n",
                         4, 5, "监管事项编码 A 重复");
    expect_catalog_error("types: {complaint: {title: x}}\nitems:\n"
                         "  - {code: A, name: n, department: d, basis: {a: b}}\n",
                         3, 46, "basis 应该是字符串列表");
    /* basis references pass the test a rule's clauses pass, each at its place */
    static const char *const bad_basis =
        "types: {complaint: {title: x}}\nitems:\n"
        "  - code: A\n    name: n\n    department: d\n"
        "    basis: [\"test-law#1\", \"test-law#9\", \"no-law#1\"]\n";
    expect_catalog_error(bad_basis, 6, 27, "条款 test-law#9 在该法律的任何版本中都不存在");
    expect_catalog_error(bad_basis, 6, 41, "no-law");
    expect_catalog_error("types: {complaint: {title: x}}\nitems:\n"
                         "  - {code: A, name: n, department: d, basis: test-law#2}\n",
                         3, 46, "监管事项 A 的依据（basis）");
    expect_catalog_error("types: {complaint: {title: x}}\nversion: 2\n", 2, 1,
                         "未知的键 \"version\"");
}

/* ---- robustness ---------------------------------------------------------------- */

static int lines_in(const char *s, size_t n)
{
    int l = 1;
    for (size_t i = 0; i < n; i++)
        l += s[i] == '\n';
    return l;
}

/* Loads the folder as it is now (its files already written). */
static void reload(loaded_t *L)
{
    rw_diags_init(&L->d);
    int64_t today;
    rw_date_parse("2026-11-01", &today);
    rw_load_opts_t o = {.rules_dir = L->dir, .today = today};
    L->rc = rw_rules_load(&L->rules, &o, &L->d);
}

/* Loads `text` cut after each k bytes (k stepping by `step`) as file `name`; each load
 * succeeds or fails with errors inside the cut text. */
static void load_every_prefix(const char *name, const char *text, size_t step)
{
    const char *files[] = {"rs.yaml", VALID, NULL};
    loaded_t L = load(CATALOG, files);
    assert_int_equal(L.rc, 0);
    rw_rules_free(L.rules);
    rw_diags_free(&L.d);
    size_t n = strlen(text);
    for (size_t k = 0; k < n; k += step) {
        char *cut = rw_xstrndup(text, k);
        write_file(L.dir, name, cut);
        reload(&L);
        if (L.rc == 0)
            assert_non_null(L.rules);
        else
            assert_null(L.rules);
        assert_true(L.rc == 0 || L.d.errors > 0);
        for (size_t i = 0; i < L.d.n; i++) {
            const rw_diag_t *it = &L.d.items[i];
            size_t dl = strlen(L.dir);
            int in_cut = !strncmp(it->file, L.dir, dl) && !strcmp(it->file + dl + 1, name);
            if (in_cut && it->line > lines_in(cut, k) + 1) {
                fprintf(stderr, "cut after %zu bytes:\n%s\n", k, cut);
                rw_diags_print(&L.d, stderr);
            }
            assert_true(it->line >= 1 && it->col >= 1);
            assert_true(!in_cut || it->line <= lines_in(cut, k) + 1);
        }
        rw_rules_free(L.rules);
        rw_diags_free(&L.d);
        free(cut);
    }
    L.rules = NULL;
    rw_diags_init(&L.d);
    done(&L);
}

static void every_prefix_of_a_ruleset_or_catalogue_loads_or_fails_cleanly(void **state)
{
    (void)state;
    load_every_prefix("rs.yaml", VALID, 3);
    load_every_prefix("catalog.yaml", CATALOG, 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_valid_base_loads_with_every_key),
        cmocka_unit_test(truncated_yaml_reports_where_the_text_breaks_off),
        cmocka_unit_test(every_rule_key_of_the_wrong_kind_is_reported_at_its_value),
        cmocka_unit_test(bad_values_are_reported_at_the_value),
        cmocka_unit_test(missing_required_keys_are_reported_at_the_rule),
        cmocka_unit_test(expression_errors_point_into_the_expression),
        cmocka_unit_test(params_and_overrides_are_checked),
        cmocka_unit_test(streams_are_checked),
        cmocka_unit_test(the_ruleset_file_itself_is_checked),
        cmocka_unit_test(a_rule_id_used_twice_names_both_places),
        cmocka_unit_test(a_ruleset_name_used_twice_names_the_first_file),
        cmocka_unit_test(catalogue_mistakes_are_reported_at_the_node),
        cmocka_unit_test(every_prefix_of_a_ruleset_or_catalogue_loads_or_fails_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
