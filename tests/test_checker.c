/* Tests for checker.c through rw_rules_load: the static errors and warnings a rule
 * author gets from `regwatch check`, each at the exact file:line:col of the offending
 * character — inside plain, quoted and block YAML scalars and message placeholders. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checker.h"
#include "rules.h"
#include "rwtime.h"
#include "util.h"
#include "support.h"

/* ---- a small rules folder ------------------------------------------------------- */

static const char CATALOG[] =
    "timezone: \"+08:00\"\n"
    "types:\n"
    "  complaint: {title: 投诉举报, attrs: {category: string, amount: number}}\n"
    "  penalty:   {title: 行政处罚, attrs: {amount: number, kind: string}}\n"
    "items:\n"
    "  - code: \"SC-T-001\"\n"
    "    name: 测试事项监督检查\n"
    "    department: 测试处\n"
    "    basis: [\"test-law#1\", \"test-law#2.1.1\"]\n";

static const char LAWS[] = "laws:\n"
                           "  - id: test-law\n"
                           "    title: 测试条例\n"
                           "    aliases: [测试条例]\n"
                           "    level: local-regulation\n"
                           "    verified: 2026-10-01\n"
                           "    versions:\n"
                           "      - {effective: 2020-01-01, source: test.md}\n"
                           "    repealed: null\n";

static const char LAW_TEXT[] =
    "# 测试条例\n\n2020年1月1日 公布\n\n<!-- INFO END -->\n\n"
    "## 第一章 总则\n\n"
    "第一条 为了测试，制定本条例。\n\n"
    "第二条 经营者应当遵守下列规定：\n\n（一）明码标价；\n\n（二）不得虚假宣传。\n";

/* Lines 1-8 of every ruleset below; the rule that follows starts on line 9. */
static const char HEAD[] =
    "ruleset: t\n"                                                     /* 1 */
    "reviewed: 2026-10-15\n"                                           /* 2 */
    "streams:\n"                                                       /* 3 */
    "  food: 'type == \"complaint\" and attrs.category == \"food\"'\n" /* 4 */
    "params:\n"                                                        /* 5 */
    "  min: 5\n"                                                       /* 6 */
    "  label: \"x\"\n"                                                 /* 7 */
    "rules:\n";                                                        /* 8 */

/* A fresh rules folder with the catalogue and a one-law statute library. */
static char *fixture(void)
{
    char tmpl[] = "/tmp/rw-checker-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    char *dir = rw_xstrdup(tmpl);
    write_file(dir, "catalog.yaml", CATALOG);
    rw_buf_t sub;
    rw_buf_init(&sub);
    rw_buf_printf(&sub, "%s/statutes", dir);
    assert_int_equal(mkdir(sub.data, 0755), 0);
    write_file(sub.data, "laws.yaml", LAWS);
    write_file(sub.data, "test.md", LAW_TEXT);
    rw_buf_free(&sub);
    return dir;
}

static void remove_tree(const char *dir)
{
    DIR *dp = opendir(dir);
    if (!dp) return;
    struct dirent *e;
    while ((e = readdir(dp))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        rw_buf_t p;
        rw_buf_init(&p);
        rw_buf_printf(&p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(p.data, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(p.data);
        else
            unlink(p.data);
        rw_buf_free(&p);
    }
    closedir(dp);
    rmdir(dir);
}

static int64_t day(const char *s)
{
    int64_t d;
    assert_int_equal(rw_date_parse(s, &d), 0);
    return d;
}

typedef struct {
    char *dir;
    rw_rules_t *rules; /* NULL when loading failed */
    int rc;
    rw_diags_t d;
} loaded_t;

static loaded_t load_dir(char *dir)
{
    loaded_t L = {.dir = dir};
    rw_diags_init(&L.d);
    rw_load_opts_t opts = {.rules_dir = dir, .today = day("2026-11-01")};
    L.rc = rw_rules_load(&L.rules, &opts, &L.d);
    if (L.rc == 0)
        assert_non_null(L.rules);
    else
        assert_null(L.rules);
    return L;
}

/* Loads a folder holding the given ruleset files (name, text, name, text, …, NULL). */
static loaded_t load_files(const char *const *files)
{
    char *dir = fixture();
    for (; *files; files += 2)
        write_file(dir, files[0], files[1]);
    return load_dir(dir);
}

static loaded_t load_one(const char *yaml)
{
    const char *files[] = {"a.yaml", yaml, NULL};
    return load_files(files);
}

static void done(loaded_t *L)
{
    rw_rules_free(L->rules);
    rw_diags_free(&L->d);
    remove_tree(L->dir);
    free(L->dir);
}

/* "a.yaml:11:16: error" for a diagnostic (the file's base name). */
static void where(const rw_diag_t *it, char *out, size_t n)
{
    const char *slash = strrchr(it->file, '/');
    snprintf(out, n, "%s:%d:%d: %s", slash ? slash + 1 : it->file, it->line, it->col,
             it->sev == RW_DIAG_ERROR ? "error" : "warning");
}

/* Fails unless a diagnostic sits at `at` ("a.yaml:11:16: error") with `words` in it. */
static void expect_diag(const loaded_t *L, const char *at, const char *words)
{
    rw_buf_t all;
    rw_buf_init(&all);
    for (size_t i = 0; i < L->d.n; i++) {
        char w[512];
        where(&L->d.items[i], w, sizeof w);
        if (!strcmp(w, at) && strstr(L->d.items[i].msg, words)) {
            rw_buf_free(&all);
            return;
        }
        rw_buf_printf(&all, "  %s: %s\n", w, L->d.items[i].msg);
    }
    fail_msg("no diagnostic \"%s\" containing \"%s\"; got %zu:\n%s", at, words, L->d.n,
             all.data ? all.data : "");
}

/* A ruleset whose one rule R1 (lines 9-14) has `if: <cond>` on line 11, then `extra`. */
static char *with_rule(const char *cond, const char *extra)
{
    rw_buf_t b;
    rw_buf_init(&b);
    rw_buf_printf(&b,
                  "%s"
                  "  - id: R1\n"                    /* 9 */
                  "    title: 测试规则\n"           /* 10 */
                  "    if: %s\n"                    /* 11 */
                  "    level: orange\n"             /* 12 */
                  "    clauses: [\"test-law#1\"]\n" /* 13 */
                  "    item: \"SC-T-001\"\n"        /* 14 */
                  "%s",
                  HEAD, cond, extra ? extra : "");
    return rw_buf_steal(&b);
}

/* `if: '<expr>'` (single-quoted, so the expression starts on column 10 of line 11)
 * must fail to load with an error at column `col` of line 11 naming `words`. */
static void expect_if_error(const char *expr, int col, const char *words)
{
    rw_buf_t cond;
    rw_buf_init(&cond);
    rw_buf_printf(&cond, "'%s'", expr);
    char *yaml = with_rule(cond.data, NULL);
    loaded_t L = load_one(yaml);
    char at[64];
    snprintf(at, sizeof at, "a.yaml:11:%d: error", col);
    expect_diag(&L, at, words);
    assert_int_equal(L.rc, -1);
    done(&L);
    free(yaml);
    rw_buf_free(&cond);
}

/* The same, for a condition that loads with a warning at `col`. */
static void expect_if_warning(const char *expr, int col, const char *words)
{
    rw_buf_t cond;
    rw_buf_init(&cond);
    rw_buf_printf(&cond, "'%s'", expr);
    char *yaml = with_rule(cond.data, NULL);
    loaded_t L = load_one(yaml);
    char at[64];
    snprintf(at, sizeof at, "a.yaml:11:%d: warning", col);
    expect_diag(&L, at, words);
    assert_int_equal(L.rc, 0);
    assert_int_equal(L.d.errors, 0);
    assert_int_equal(L.rules->n_rules, 1);
    done(&L);
    free(yaml);
    rw_buf_free(&cond);
}

static void expect_if_ok(const char *expr)
{
    rw_buf_t cond;
    rw_buf_init(&cond);
    rw_buf_printf(&cond, "'%s'", expr);
    char *yaml = with_rule(cond.data, NULL);
    loaded_t L = load_one(yaml);
    if (L.rc != 0) fail_msg("\"%s\" should load: %s", expr, rw_diags_first_error(&L.d));
    done(&L);
    free(yaml);
    rw_buf_free(&cond);
}

/* ---- tests ----------------------------------------------------------------------- */

static void a_correct_ruleset_loads_with_no_diagnostics(void **state)
{
    (void)state;
    char *yaml =
        with_rule("'count(food, 30d) >= params.min and sum(penalty, attrs.amount, 24h) > 100'",
                  "    message: '近30天 {count(food, 30d)} 次'\n");
    loaded_t L = load_one(yaml);
    rw_diags_print(&L.d, stderr);
    assert_int_equal(L.rc, 0);
    assert_int_equal(L.d.n, 0);
    assert_int_equal(L.rules->n_rules, 1);
    assert_string_equal(L.rules->rules[0].id, "R1");
    /* the message repeats a call of the `if`: both share one call-table entry */
    assert_int_equal(L.rules->n_calls, 2);
    assert_string_equal(L.rules->calls[0].text, "count(food, 30d)");
    assert_string_equal(L.rules->calls[1].text, "sum(penalty, attrs.amount, 24h)");
    assert_int_equal(L.rules->calls[1].window, 24);
    assert_int_equal(L.rules->calls[1].unit, 'h');
    done(&L);
    free(yaml);
}

static void an_unknown_stream_or_type_is_reported_at_its_name(void **state)
{
    (void)state;
    expect_if_error("count(nosuch, 7d) > 1", 16, "未知的流或事件类型 \"nosuch\"");
    expect_if_error("since(nosuch) > 1", 16, "nosuch");
    expect_if_error("last(nosuch, attrs.x) == 1", 15, "nosuch");
    /* an event type works as a stream without declaring one */
    expect_if_ok("count(penalty, 7d) > 1 and since(complaint) < 86400");
}

static void a_stream_or_type_used_as_a_value_says_to_aggregate_it(void **state)
{
    (void)state;
    expect_if_error("food > 1", 10, "count(food, 30d)");
    expect_if_error("type == \"complaint\" and nosuch > 1", 34, "未知的名称 \"nosuch\"");
}

static void an_unknown_on_stream_is_reported_at_the_on_value(void **state)
{
    (void)state;
    char *yaml = with_rule("'true'", "    on: [food, nosuch]\n");
    loaded_t L = load_one(yaml);
    expect_diag(&L, "a.yaml:15:16: error", "on 引用了未知的流或事件类型 \"nosuch\"");
    done(&L);
    free(yaml);
}

/* rules.md: check reports *each* problem — every mistake of an expression in one run,
 * and a rule whose id is taken is still checked to the end. */
static void every_mistake_of_an_expression_is_reported(void **state)
{
    (void)state;
    char *yaml = with_rule("'coutn(complaint, 7d) > 1 or count(nosuch, 7d) > 1 or "
                           "len(1, 2) > 0 or \"a\" in [1]'",
                           "  - id: R1\n"
                           "    title: 又一个\n"
                           "    if: 'count(nosuch2, 7d) > 1'\n");
    loaded_t L = load_one(yaml);
    expect_diag(&L, "a.yaml:11:10: error", "未知的函数 coutn()");
    expect_diag(&L, "a.yaml:11:44: error", "未知的流或事件类型 \"nosuch\"");
    expect_diag(&L, "a.yaml:11:63: error", "len() 需要 1 个参数");
    expect_diag(&L, "a.yaml:11:80: error", "列表里没有同类的值");
    expect_diag(&L, "a.yaml:15:9: error", "规则 id R1 重复");
    expect_diag(&L, "a.yaml:17:16: error", "未知的流或事件类型 \"nosuch2\"");
    assert_int_equal(L.rc, -1);
    done(&L);
    free(yaml);
}

static void an_unknown_function_is_reported_at_the_call(void **state)
{
    (void)state;
    expect_if_error("foo(1) > 1", 10, "未知的函数 foo()");
    expect_if_error("attrs.amount > 1 and Count(food, 7d) > 1", 31, "未知的函数 Count()");
    expect_if_error("pow(2, 3) > 1", 10, "pow");
}

static void a_wrong_argument_count_names_the_expected_count(void **state)
{
    (void)state;
    expect_if_error("count(food) > 1", 10, "count() 需要 2 个参数，这里有 1 个");
    expect_if_error("sum(food, 7d) > 1", 10, "sum() 需要 3 个参数，这里有 2 个");
    expect_if_error("since(food, 7d) > 1", 10, "since() 需要 1 个参数");
    expect_if_error("round(1, 2) > 1", 10, "round() 需要 1 个参数，这里有 2 个");
    expect_if_error("least(1) > 1", 10, "least() 需要 2 个参数，这里有 1 个");
    expect_if_error("contains() ", 10, "contains() 需要 2 个参数，这里有 0 个");
}

static void a_window_out_of_range_is_reported_at_the_window(void **state)
{
    (void)state;
    expect_if_error("count(food, 0d) > 1", 22, "窗口 0d 超出范围");
    expect_if_error("count(food, 401d) > 1", 22, "窗口 401d 超出范围");
    expect_if_error("count(food, 9601h) > 1", 22, "窗口 9601h 超出范围");
    expect_if_error("count(food, 0h) > 1", 22, "窗口 0h 超出范围");
    expect_if_error("avg(penalty, attrs.amount, 500d) > 1", 37, "窗口 500d 超出范围");
    expect_if_ok("count(food, 1d) + count(food, 400d) + count(food, 1h) + count(food, 9600h) > 1");
}

static void a_window_must_be_a_duration_literal(void **state)
{
    (void)state;
    expect_if_error("count(food, params.min) > 1", 22, "时长字面量");
    expect_if_error("count(food, 30) > 1", 22, "时长字面量");
    expect_if_error("count(food, 15d + 15d) > 1", 22, "时长字面量");
    expect_if_error("count(food, \"30d\") > 1", 22, "时长字面量");
    expect_if_error("max(penalty, attrs.amount, attrs.days) > 1", 37, "时长字面量");
}

static void summing_a_string_field_is_an_error(void **state)
{
    (void)state;
    expect_if_error("sum(complaint, type, 7d) > 1", 25, "字段 type 是字符串");
    expect_if_error("avg(complaint, entity, 7d) > 1", 25, "字段 entity 是字符串");
    expect_if_error("min(complaint, region, 7d) > 1", 25, "字段 region 是字符串");
    /* the aggregated field is a path on the aggregated events, nothing else */
    expect_if_error("sum(complaint, params.min, 7d) > 1", 25, "聚合的字段");
    expect_if_error("sum(complaint, 5, 7d) > 1", 25, "事件字段路径");
    /* attrs declared as strings in the catalogue cannot be summed either */
    expect_if_error("sum(complaint, attrs.category, 7d) > 1", 25, "attrs.category 声明为 string");
    expect_if_ok(
        "sum(complaint, attrs.amount, 7d) > 1 and distinct(complaint, attrs.category, 7d) > 1");
    /* time is a number; distinct and last take any field */
    expect_if_ok("max(complaint, time, 7d) > 1 and distinct(complaint, type, 7d) > 1 and "
                 "last(food, entity) == \"x\"");
}

static void an_unknown_param_is_reported_at_its_path(void **state)
{
    (void)state;
    expect_if_error("count(food, 7d) > params.nope", 28, "未知的参数 params.nope");
    expect_if_error("params.min.x > 1", 10, "params.名称");
    expect_if_ok("count(food, 7d) >= params.min and params.label == \"x\"");
}

static void a_stream_filter_reads_only_the_event_and_profile(void **state)
{
    (void)state;
    /* `  bad: '` puts the filter's first character on column 9 */
    static const struct {
        const char *filter;
        int col;
        const char *words;
    } cases[] = {
        {"params.min > 1", 9, "不能读 params"},
        {"count(food, 7d) > 1", 9, "不能调用 count()"},
        {"type == \"complaint\" and since(penalty) > 0", 33, "不能调用 since()"},
        {"model(\"m\") > 0.5", 9, "不能调用 model()"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rw_buf_t y;
        rw_buf_init(&y);
        rw_buf_printf(&y, "ruleset: s\nstreams:\n  bad: '%s'\n", cases[i].filter);
        loaded_t L = load_one(y.data);
        assert_int_equal(L.rc, -1);
        char at[64];
        snprintf(at, sizeof at, "a.yaml:3:%d: error", cases[i].col);
        expect_diag(&L, at, cases[i].words);
        done(&L);
        rw_buf_free(&y);
    }
    /* the profile and event fields are fine */
    loaded_t L = load_one(
        "ruleset: s\nstreams:\n  ok: 'profile.industry == \"H6210\" and region != null'\n");
    assert_int_equal(L.rc, 0);
    done(&L);
}

static void a_stream_named_like_an_event_type_is_an_error(void **state)
{
    (void)state;
    loaded_t L = load_one("ruleset: s\nstreams:\n  ok: 'true'\n  penalty: 'attrs.amount > 1'\n");
    expect_diag(&L, "a.yaml:4:3: error", "与事件类型同名");
    assert_int_equal(L.rc, -1);
    done(&L);
}

static void a_stream_declared_twice_across_files_is_an_error_in_the_second(void **state)
{
    (void)state;
    const char *files[] = {"a.yaml", "ruleset: a\nstreams:\n  big: 'attrs.amount > 100'\n",
                           "b.yaml", "ruleset: b\n\nstreams:\n  big: 'attrs.amount > 1000'\n",
                           NULL};
    loaded_t L = load_files(files);
    expect_diag(&L, "b.yaml:4:3: error", "流 \"big\" 重复声明");
    assert_int_equal(L.rc, -1);
    done(&L);
}

static void streams_are_shared_by_every_ruleset(void **state)
{
    (void)state;
    /* b.yaml's rule uses a stream a.yaml declares, and a.yaml's rule one of b.yaml */
    const char *files[] = {"a.yaml",
                           "ruleset: a\nstreams:\n  big: 'attrs.amount > 100'\nrules:\n"
                           "  - {id: A1, title: t, if: 'count(huge, 7d) > 1', level: blue, "
                           "clauses: [\"test-law#1\"]}\n",
                           "b.yaml",
                           "ruleset: b\nstreams:\n  huge: 'attrs.amount > 1000'\nrules:\n"
                           "  - {id: B1, title: t, if: 'count(big, 7d) > 1', level: blue, clauses: "
                           "[\"test-law#1\"]}\n",
                           NULL};
    loaded_t L = load_files(files);
    rw_diags_print(&L.d, stderr);
    assert_int_equal(L.rc, 0);
    assert_int_equal(L.rules->n_rules, 2);
    done(&L);
}

static void comparisons_that_can_never_be_true_are_errors(void **state)
{
    (void)state;
    expect_if_error("\"a\" < 5", 10, "永远不会成立");
    expect_if_error("count(food, 7d) == \"x\"", 10, "永远不会成立");
    expect_if_error("attrs.amount > 1 and type == 5", 31, "永远不会成立");
    expect_if_error("true >= false", 10, "数字或都是字符串");
    expect_if_error("null < 1", 10, "永远不会成立");
    expect_if_error("count(food, 7d) in [\"a\", \"b\"]", 10, "列表里没有同类的值");
    expect_if_error("type == null", 10, "永远不会成立");
    /* what can be true is fine: attrs may be anything, region may be missing */
    expect_if_ok("attrs.amount == \"x\" or region == null or type != 5 or last(food, attrs.x) > 1");
    expect_if_ok("type not in [1, 2]");
    /* a sum is null once it overflows the doubles */
    expect_if_ok("sum(food, attrs.amount, 7d) == null");
    expect_if_error("count(food, 7d) == null", 10, "永远不会成立");
}

static void messages_about_kinds_name_both_sides(void **state)
{
    (void)state;
    expect_if_error("\"a\" + 1 > 0", 10, "字符串与数字");
    expect_if_error("1 - \"a\" > 0", 10, "数字与字符串");
    expect_if_error("count(food, 7d) < \"x\"", 10, "数字与字符串");
    expect_if_error("len(5) > 1", 14, "len() 的参数需要字符串，这里是数字");
    expect_if_error("abs(\"a\") > 1", 14, "abs() 的参数需要数字，这里是字符串");
    expect_if_error("-\"a\" > 1", 10, "负号只能用于数字");
}

static void a_list_outside_in_is_an_error(void **state)
{
    (void)state;
    expect_if_error("[1, 2] == 1", 10, "列表只能出现在 in 的右边");
    expect_if_error("count(food, 7d) > 1 and len([\"a\"]) > 0", 38, "列表只能出现在 in 的右边");
}

static void an_overlong_list_is_an_error(void **state)
{
    (void)state;
    rw_buf_t e;
    rw_buf_init(&e);
    rw_buf_puts(&e, "attrs.amount in [0");
    for (int i = 1; i < 70000; i++)
        rw_buf_printf(&e, ",%d", i);
    rw_buf_puts(&e, "]");
    expect_if_error(e.data, 26, "列表太长");
    rw_buf_free(&e);
}

static void syntax_errors_point_into_the_file(void **state)
{
    (void)state;
    expect_if_error("count(food, 7d) >> 1", 27, "语法错误");
    expect_if_error("count(food, 7d) > 1 and", 33, "表达式结尾");
    expect_if_error("count(food, 1.5d) > 1", 25, "30d");
    expect_if_error("a < b < c", 16, "连写");
    expect_if_error("", 10, "表达式为空");
    expect_if_error("attrs.类别 == 1", 16, "引号");
}

static void duplicate_rule_ids_across_files_name_the_first(void **state)
{
    (void)state;
    const char *files[] = {
        "a.yaml",
        "ruleset: a\nrules:\n  - id: R1\n    title: t\n    if: 'true'\n    level: blue\n"
        "    clauses: [\"test-law#1\"]\n",
        "b.yaml",
        "ruleset: b\nrules:\n  - id: R2\n    title: t\n    if: 'true'\n    level: blue\n"
        "    clauses: [\"test-law#1\"]\n"
        "  - id:  R1\n    title: t\n    if: 'true'\n    level: blue\n    clauses: "
        "[\"test-law#1\"]\n",
        NULL};
    loaded_t L = load_files(files);
    expect_diag(&L, "b.yaml:8:10: error", "规则 id R1 重复");
    expect_diag(&L, "b.yaml:8:10: error", "a.yaml:3");
    assert_int_equal(L.rc, -1);
    done(&L);
}

static void an_unknown_item_is_reported_at_the_item_value(void **state)
{
    (void)state;
    rw_buf_t y;
    rw_buf_init(&y);
    rw_buf_printf(&y,
                  "%s  - id: R1\n    title: t\n    if: 'true'\n    level: blue\n"
                  "    clauses: [\"test-law#1\"]\n    item: \"SC-NOPE\"\n",
                  HEAD);
    loaded_t L = load_one(y.data);
    expect_diag(&L, "a.yaml:14:11: error", "未知的监管事项编码 SC-NOPE");
    assert_int_equal(L.rc, -1);
    done(&L);
    rw_buf_free(&y);
}

static void clause_references_that_resolve_to_nothing_are_errors(void **state)
{
    (void)state;
    static const struct {
        const char *ref;
        const char *words;
    } cases[] = {
        {"test-law#99", "不存在"},        {"test-law#2.1.9", "不存在"}, {"test-law#1.2", "不存在"},
        {"no-such-law#1", "no-such-law"}, {"test-law", "不是条款引用"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rw_buf_t y;
        rw_buf_init(&y);
        rw_buf_printf(&y,
                      "%s  - id: R1\n    title: t\n    if: 'true'\n    level: blue\n"
                      "    clauses: [\"test-law#1\", \"%s\"]\n",
                      HEAD, cases[i].ref);
        loaded_t L = load_one(y.data);
        /* `    clauses: ["test-law#1", ` is 28 characters */
        expect_diag(&L, "a.yaml:13:29: error", cases[i].words);
        assert_int_equal(L.rc, -1);
        done(&L);
        rw_buf_free(&y);
    }
    /* the alias and a pinned version resolve */
    rw_buf_t y;
    rw_buf_init(&y);
    rw_buf_printf(&y,
                  "%s  - id: R1\n    title: t\n    if: 'true'\n    level: blue\n"
                  "    clauses: [\"测试条例#2.1.2\", \"test-law@2020-01-01#1\"]\n",
                  HEAD);
    loaded_t L = load_one(y.data);
    rw_diags_print(&L.d, stderr);
    assert_int_equal(L.rc, 0);
    done(&L);
    rw_buf_free(&y);
}

static void unknown_keys_are_reported_at_the_key(void **state)
{
    (void)state;
    rw_buf_t y;
    rw_buf_init(&y);
    rw_buf_printf(&y,
                  "%s  - id: R1\n    title: t\n    iff: 'true'\n    if: 'true'\n    level: blue\n"
                  "    clauses: [\"test-law#1\"]\nrule: []\n",
                  HEAD);
    loaded_t L = load_one(y.data);
    expect_diag(&L, "a.yaml:11:5: error", "未知的键 \"iff\"");
    expect_diag(&L, "a.yaml:15:1: error", "未知的键 \"rule\"");
    assert_int_equal(L.rc, -1);
    done(&L);
    rw_buf_free(&y);
}

static void an_error_in_a_double_quoted_scalar_points_past_its_escapes(void **state)
{
    (void)state;
    /* columns count characters: the escapes \" take two, 食品 one each */
    char *yaml = with_rule("\"attrs.category == \\\"食品\\\" and nosuch > 1\"", NULL);
    loaded_t L = load_one(yaml);
    expect_diag(&L, "a.yaml:11:39: error", "nosuch");
    done(&L);
    free(yaml);
    yaml = with_rule("\"attrs.category == \\u0022x\\u0022 and nosuch > 1\"", NULL);
    L = load_one(yaml);
    expect_diag(&L, "a.yaml:11:46: error", "nosuch");
    done(&L);
    free(yaml);
}

static void an_error_in_a_single_quoted_scalar_points_past_doubled_quotes(void **state)
{
    (void)state;
    char *yaml = with_rule("'attrs.category == ''食品'' and nosuch > 1'", NULL);
    loaded_t L = load_one(yaml);
    expect_diag(&L, "a.yaml:11:39: error", "nosuch");
    done(&L);
    free(yaml);
}

static void an_error_in_a_plain_scalar_points_at_the_character(void **state)
{
    (void)state;
    char *yaml = with_rule("count(food, 7d) > 1 and nosuch", NULL);
    loaded_t L = load_one(yaml);
    expect_diag(&L, "a.yaml:11:33: error", "nosuch");
    done(&L);
    free(yaml);
}

static void an_error_in_a_block_scalar_points_at_its_line(void **state)
{
    (void)state;
    char *yaml = with_rule(">-\n      count(food, 7d) > 1\n      and nosuch > 2", NULL);
    loaded_t L = load_one(yaml);
    expect_diag(&L, "a.yaml:13:11: error", "nosuch");
    done(&L);
    free(yaml);
    yaml = with_rule("|\n      count(food, 7d) > 1\n        and\n      (nosuch > 2)", NULL);
    L = load_one(yaml);
    expect_diag(&L, "a.yaml:14:8: error", "nosuch");
    done(&L);
    free(yaml);
}

static void an_error_in_a_message_placeholder_points_at_the_character(void **state)
{
    (void)state;
    /* `    message: '` is 14 characters; 近7天 and ， are one column each */
    char *yaml = with_rule("'count(food, 7d) > 1'",
                           "    message: '近7天 {count(food, 7d)} 次，{nosuch} 个'\n");
    loaded_t L = load_one(yaml);
    expect_diag(&L, "a.yaml:15:40: error", "未知的名称 \"nosuch\"");
    assert_int_equal(L.rc, -1);
    done(&L);
    free(yaml);
    yaml = with_rule(
        "'true'", "    message: \"共 {count(food, 7d)} 次，\\\"{sum(food, attrs.x, 0d)}\\\"\"\n");
    L = load_one(yaml);
    expect_diag(&L, "a.yaml:15:59: error", "窗口 0d 超出范围");
    done(&L);
    free(yaml);
    /* an unclosed brace is reported at the brace */
    yaml = with_rule("'true'", "    message: '共 {count(food, 7d) 次'\n");
    L = load_one(yaml);
    expect_diag(&L, "a.yaml:15:17: error", "没有对应的 '}'");
    done(&L);
    free(yaml);
}

static void a_comparison_that_can_never_be_true_is_an_error(void **state)
{
    (void)state;
    /* rules.md lists "comparisons that can never be true" among the errors: wherever the
     * comparison stands, even where the condition around it could still hold */
    expect_if_error("count(food, 7d) < 0", 10, "count(…) 不会小于 0");
    expect_if_error("0 > distinct(food, attrs.x, 7d)", 10, "不会小于 0");
    expect_if_error("since(food) <= -1", 10, "不会小于 0");
    expect_if_error("attrs.amount > 1 and len(type) == -3", 31, "不会小于 0");
    expect_if_error("count(food, 7d) > 2 or count(food, 7d) < 0", 33, "不会小于 0");
    expect_if_error("not (count(food, 7d) < 0)", 14, "不会小于 0");
    expect_if_error("1 > 2", 10, "两个常数");
    /* at the boundary the comparison can be true */
    expect_if_ok("count(food, 7d) <= 0 or 0 >= count(food, 7d) or count(food, 7d) > -1");
}

static void a_condition_that_can_never_be_true_is_only_a_warning(void **state)
{
    (void)state;
    /* the whole condition is judged */
    expect_if_warning("false", 10, "永远不会成立");
    expect_if_warning("not true", 10, "永远不会成立");
    expect_if_warning("count(food, 7d) > 1 and not (2 > 1)", 34, "永远不会成立");
    expect_if_warning("not (count(food, 7d) >= 0)", 10, "永远不会成立");
    expect_if_ok("1 < 2");
}

static void an_if_that_is_not_boolean_is_only_a_warning(void **state)
{
    (void)state;
    expect_if_warning("count(food, 7d)", 10, "不是布尔值");
    expect_if_warning("\"yes\"", 10, "不是布尔值");
    expect_if_warning("params.min", 10, "不是布尔值");
    /* a field that may hold a boolean is not warned about */
    char *yaml = with_rule("'attrs.flag'", NULL);
    loaded_t L = load_one(yaml);
    assert_int_equal(L.rc, 0);
    assert_int_equal(L.d.n, 0);
    done(&L);
    free(yaml);
}

/* Only `true` is true: a level condition or a stream filter whose value is never a
 * boolean never holds, like such an `if`; a level map without a level never makes a
 * lead. Each is a warning where it is written; the rule set still loads. */
static void conditions_that_are_never_boolean_and_empty_level_maps_are_warned(void **state)
{
    (void)state;
    const char *cases[][2] = {
        {"    level: {red: 5, default: yellow}\n", "a.yaml:12:18: warning"},
        {"    level: {red: '\"s\"', default: yellow}\n", "a.yaml:12:19: warning"},
        {"    level: {}\n", "a.yaml:12:12: warning"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rw_buf_t y;
        rw_buf_init(&y);
        rw_buf_printf(
            &y, "%s  - id: R1\n    title: t\n    if: 'true'\n%s    clauses: [\"test-law#1\"]\n",
            HEAD, cases[i][0]);
        loaded_t L = load_one(y.data);
        expect_diag(&L, cases[i][1], i < 2 ? "不是布尔值" : "永远不会生成线索");
        assert_int_equal(L.rc, 0);
        assert_int_equal(L.d.errors, 0);
        done(&L);
        rw_buf_free(&y);
    }
    char *head = rw_xstrdup(HEAD);
    char *at = strstr(head, "params:");
    rw_buf_t y;
    rw_buf_init(&y);
    rw_buf_printf(&y,
                  "%.*s  odd: '\"food\"'\n%s  - id: R1\n    title: t\n    if: 'true'\n"
                  "    level: blue\n    clauses: [\"test-law#1\"]\n",
                  (int)(at - head), head, at);
    loaded_t L = load_one(y.data);
    expect_diag(&L, "a.yaml:5:9: warning", "不是布尔值");
    assert_int_equal(L.rc, 0);
    done(&L);
    rw_buf_free(&y);
    free(head);
}

static void level_conditions_are_checked_like_the_if(void **state)
{
    (void)state;
    rw_buf_t y;
    rw_buf_init(&y);
    rw_buf_printf(
        &y,
        "%s  - id: R1\n    title: t\n    if: 'true'\n"
        "    level: {red: 'count(food, 7d) > 3', orange: 'count(nope, 7d) > 1', default: yellow}\n"
        "    clauses: [\"test-law#1\"]\n",
        HEAD);
    loaded_t L = load_one(y.data);
    /* `    level: {red: 'count(food, 7d) > 3', orange: '` is 49 characters; nope is 6 further */
    expect_diag(&L, "a.yaml:12:56: error", "nope");
    done(&L);
    rw_buf_free(&y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_correct_ruleset_loads_with_no_diagnostics),
        cmocka_unit_test(an_unknown_stream_or_type_is_reported_at_its_name),
        cmocka_unit_test(a_stream_or_type_used_as_a_value_says_to_aggregate_it),
        cmocka_unit_test(an_unknown_on_stream_is_reported_at_the_on_value),
        cmocka_unit_test(every_mistake_of_an_expression_is_reported),
        cmocka_unit_test(an_unknown_function_is_reported_at_the_call),
        cmocka_unit_test(a_wrong_argument_count_names_the_expected_count),
        cmocka_unit_test(a_window_out_of_range_is_reported_at_the_window),
        cmocka_unit_test(a_window_must_be_a_duration_literal),
        cmocka_unit_test(summing_a_string_field_is_an_error),
        cmocka_unit_test(an_unknown_param_is_reported_at_its_path),
        cmocka_unit_test(a_stream_filter_reads_only_the_event_and_profile),
        cmocka_unit_test(a_stream_named_like_an_event_type_is_an_error),
        cmocka_unit_test(a_stream_declared_twice_across_files_is_an_error_in_the_second),
        cmocka_unit_test(streams_are_shared_by_every_ruleset),
        cmocka_unit_test(comparisons_that_can_never_be_true_are_errors),
        cmocka_unit_test(messages_about_kinds_name_both_sides),
        cmocka_unit_test(a_list_outside_in_is_an_error),
        cmocka_unit_test(an_overlong_list_is_an_error),
        cmocka_unit_test(syntax_errors_point_into_the_file),
        cmocka_unit_test(duplicate_rule_ids_across_files_name_the_first),
        cmocka_unit_test(an_unknown_item_is_reported_at_the_item_value),
        cmocka_unit_test(clause_references_that_resolve_to_nothing_are_errors),
        cmocka_unit_test(unknown_keys_are_reported_at_the_key),
        cmocka_unit_test(an_error_in_a_double_quoted_scalar_points_past_its_escapes),
        cmocka_unit_test(an_error_in_a_single_quoted_scalar_points_past_doubled_quotes),
        cmocka_unit_test(an_error_in_a_plain_scalar_points_at_the_character),
        cmocka_unit_test(an_error_in_a_block_scalar_points_at_its_line),
        cmocka_unit_test(an_error_in_a_message_placeholder_points_at_the_character),
        cmocka_unit_test(a_comparison_that_can_never_be_true_is_an_error),
        cmocka_unit_test(a_condition_that_can_never_be_true_is_only_a_warning),
        cmocka_unit_test(an_if_that_is_not_boolean_is_only_a_warning),
        cmocka_unit_test(level_conditions_are_checked_like_the_if),
        cmocka_unit_test(conditions_that_are_never_boolean_and_empty_level_maps_are_warned),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
