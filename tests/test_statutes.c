/* Tests for statutes.c: the shipped law library, clause labels and texts, resolution at a
 * date, `changed`, file:line:col errors for bad law texts and laws.yaml, Chinese numerals,
 * version diffs (the real 计量法实施细则 amendment, synthetic revisions), renumbering and
 * import. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rwtime.h"
#include "statutes.h"
#include "util.h"
#include "support.h"

static int64_t day(const char *s)
{
    int64_t d;
    assert_int_equal(rw_date_parse(s, &d), 0);
    return d;
}

static char *shipped_dir(void)
{
    const char *root = getenv("RW_SOURCE_DIR");
    assert_non_null(root);
    rw_buf_t b;
    rw_buf_init(&b);
    rw_buf_printf(&b, "%s/rules/statutes", root);
    return rw_buf_steal(&b);
}

static char *temp_dir(void)
{
    char tmpl[] = "/tmp/rw-statutes-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    return rw_xstrdup(tmpl);
}

static void remove_dir(char *dir)
{
    DIR *dp = opendir(dir);
    assert_non_null(dp);
    struct dirent *e;
    while ((e = readdir(dp))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        rw_buf_t p;
        rw_buf_init(&p);
        rw_buf_printf(&p, "%s/%s", dir, e->d_name);
        unlink(p.data);
        rw_buf_free(&p);
    }
    closedir(dp);
    rmdir(dir);
    free(dir);
}

/* Loads a library as of a day when every `verified` is recent, expecting no diagnostics. */
static rw_statutes_t *load_ok(const char *dir)
{
    rw_diags_t d;
    rw_diags_init(&d);
    rw_statutes_t *s;
    int rc = rw_statutes_load(&s, dir, day("2026-11-01"), &d);
    rw_diags_print(&d, stderr);
    assert_int_equal(rc, 0);
    assert_int_equal(d.n, 0);
    rw_diags_free(&d);
    return s;
}

/* The library in rules/statutes. */
static rw_statutes_t *shipped(void)
{
    char *dir = shipped_dir();
    rw_statutes_t *s = load_ok(dir);
    free(dir);
    return s;
}

static rw_clause_ref_t ref(const rw_statutes_t *s, const char *text)
{
    rw_clause_ref_t r;
    char err[512];
    if (rw_clause_ref_parse(s, text, &r, err, sizeof err)) fail_msg("%s", err);
    return r;
}

static const char *jstr(const json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    if (!v) fail_msg("no string \"%s\"", key);
    return v;
}

static const struct {
    const char *id;
    size_t articles;
} SHIPPED[] = {
    {"food-safety-law", 154},
    {"food-safety-regs", 86},
    {"product-quality-law", 74},
    {"advertising-law", 74},
    {"anti-unfair-competition-law", 33},
    {"consumer-protection-law", 63},
    {"price-law", 48},
    {"drug-admin-law", 155},
    {"special-equipment-law", 101},
    {"ecommerce-law", 89},
    {"enterprise-disclosure-regs", 25},
    {"market-registration-regs", 55},
    {"work-safety-law", 119},
    {"admin-penalty-law", 86},
    {"metrology-law", 34},
    {"metrology-rules", 60},
};

static void every_shipped_law_loads_with_its_real_article_count(void **state)
{
    (void)state;
    rw_statutes_t *s = shipped();
    assert_int_equal(s->n_laws, sizeof SHIPPED / sizeof *SHIPPED);
    for (size_t i = 0; i < sizeof SHIPPED / sizeof *SHIPPED; i++) {
        const rw_law_t *law = rw_statutes_find(s, SHIPPED[i].id);
        assert_non_null(law);
        assert_int_equal(law->verified, day("2026-11-01"));
        assert_int_equal(law->repealed, RW_DAY_NONE);
        for (size_t v = 0; v < law->n_versions; v++) {
            const rw_law_text_t *t = law->versions[v].text;
            if (t->n_articles != SHIPPED[i].articles)
                fail_msg("%s: %zu articles, want %zu", law->id, t->n_articles, SHIPPED[i].articles);
            assert_string_equal(t->title, law->title);
            const rw_stat_article_t *last = &t->articles[t->n_articles - 1];
            assert_int_equal(last->number, (int)SHIPPED[i].articles);
        }
    }
    /* Effective dates are when versions took force, not the dates in the file names. */
    const rw_law_t *m = rw_statutes_find(s, "计量法实施细则");
    assert_int_equal(m->n_versions, 2);
    assert_int_equal(m->versions[0].effective, day("2018-03-19"));
    assert_int_equal(m->versions[1].effective, day("2022-05-01"));
    assert_int_equal(rw_statutes_find(s, "consumer-protection-law")->versions[0].effective,
                     day("2014-03-15"));
    assert_string_equal(rw_statutes_find(s, "企业信息公示暂行条例")->level,
                        "administrative-regulation");
    assert_null(rw_statutes_find(s, "民法典"));
    /* Half-width item brackets in the official text are items all the same. */
    const rw_law_t *e = rw_statutes_find(s, "enterprise-disclosure-regs");
    const rw_stat_article_t *a6 = rw_law_text_article(e->versions[0].text, 6, 0);
    assert_int_equal(a6->n_paras, 2);
    assert_int_equal(a6->paras[0].n_items, 5);
    assert_string_equal(a6->paras[0].items[0].text, "(一)注册登记、备案信息；");
    rw_statutes_free(s);
}

static void a_year_old_verified_date_warns(void **state)
{
    (void)state;
    char *dir = shipped_dir();
    rw_diags_t d;
    rw_diags_init(&d);
    rw_statutes_t *s;
    assert_int_equal(rw_statutes_load(&s, dir, day("2027-11-02"), &d), 0);
    assert_int_equal(d.errors, 0);
    assert_int_equal(d.warnings, sizeof SHIPPED / sizeof *SHIPPED);
    assert_non_null(strstr(d.items[0].msg, "2026-11-01"));
    assert_int_equal(d.items[0].line, 9);
    assert_int_equal(d.items[0].col, 15);
    rw_diags_free(&d);
    rw_statutes_free(s);
    rw_diags_init(&d);
    assert_int_equal(rw_statutes_load(&s, dir, day("2027-11-01"), &d), 0);
    assert_int_equal(d.warnings, 0);
    rw_diags_free(&d);
    rw_statutes_free(s);
    free(dir);
}

static void food_safety_items_are_cited_like_statutes_cite_them(void **state)
{
    (void)state;
    rw_statutes_t *s = shipped();
    int64_t d = day("2026-03-04");
    rw_clause_ref_t r = ref(s, "食品安全法#34.1.6");
    json_t *o = rw_clause_json(&r, "食品安全法#34.1.6", d, d);
    assert_non_null(o);
    assert_string_equal(jstr(o, "ref"), "食品安全法#34.1.6");
    assert_string_equal(jstr(o, "law"), "中华人民共和国食品安全法");
    assert_string_equal(jstr(o, "version"), "2021-04-29");
    assert_string_equal(jstr(o, "label"), "第三十四条第六项");
    assert_string_equal(jstr(o, "text"), "（六）腐败变质、油脂酸败、霉变生虫、污秽不洁、混有异物、"
                                         "掺假掺杂或者感官性状异常的食品、食品添加剂；");
    assert_true(json_is_null(json_object_get(o, "changed")));
    json_decref(o);

    r = ref(s, "food-safety-law@2021-04-29#124.1.1");
    o = rw_clause_json(&r, "food-safety-law@2021-04-29#124.1.1", d, d);
    assert_string_equal(jstr(o, "label"), "第一百二十四条第一款第一项");
    assert_true(!strncmp(jstr(o, "text"), "（一）生产经营致病性微生物",
                         strlen("（一）生产经营致病性微生物")));
    json_decref(o);

    /* A 款 carries its 项; the article carries every 款 without its 第X条 heading. */
    r = ref(s, "food-safety-law#124.1");
    const rw_law_version_t *v = rw_law_version_at(r.law, d);
    char *t = rw_clause_text(&r, v);
    assert_true(
        !strncmp(t, "违反本法规定，有下列情形之一", strlen("违反本法规定，有下列情形之一")));
    assert_non_null(strstr(t, "吊销许可证：\n（一）生产经营致病性微生物"));
    free(t);
    r = ref(s, "food-safety-law#124");
    t = rw_clause_text(&r, v);
    assert_non_null(strstr(t, "仍拒不召回或者停止经营。\n除前款和本法第一百二十三条"));
    assert_null(strstr(t, "第一百二十四条"));
    free(t);
    char *label = rw_clause_label(&r, rw_law_text_article(v->text, 124, 0));
    assert_string_equal(label, "第一百二十四条");
    free(label);
    r = ref(s, "food-safety-law#124.2");
    label = rw_clause_label(&r, rw_law_text_article(v->text, 124, 0));
    assert_string_equal(label, "第一百二十四条第二款");
    free(label);
    rw_statutes_free(s);
}

static void an_article_with_one_paragraph_is_cited_without_its_paragraph(void **state)
{
    (void)state;
    rw_statutes_t *s = shipped();
    int64_t d = day("2026-03-04");
    const char *refs[] = {"food-safety-law#1", "food-safety-law#1.1"};
    for (size_t i = 0; i < 2; i++) {
        rw_clause_ref_t r = ref(s, refs[i]);
        json_t *o = rw_clause_json(&r, refs[i], d, d);
        assert_string_equal(jstr(o, "label"), "第一条");
        assert_string_equal(jstr(o, "text"),
                            "为了保证食品安全，保障公众身体健康和生命安全，制定本法。");
        json_decref(o);
    }
    /* Clauses the version does not have do not resolve. */
    const char *missing[] = {"food-safety-law#1.2", "food-safety-law#34.1.14",
                             "food-safety-law#155", "food-safety-law#34-1"};
    for (size_t i = 0; i < sizeof missing / sizeof *missing; i++) {
        rw_clause_ref_t r = ref(s, missing[i]);
        assert_false(rw_clause_ref_exists(&r));
        assert_null(rw_clause_json(&r, missing[i], d, d));
    }
    rw_statutes_free(s);
}

#define HEADER "# 测试条例\n\n2020年1月1日 公布\n\n<!-- INFO END -->\n\n"

/* A library of synthetic laws in a fresh folder: laws.yaml plus (name, text) pairs. */
static char *synthetic(const char *laws_yaml, const char *const *files)
{
    char *dir = temp_dir();
    write_file(dir, "laws.yaml", laws_yaml);
    for (; files && *files; files += 2)
        write_file(dir, files[0], files[1]);
    return dir;
}

static const char *const SUB_FILES[] = {
    "sub.md",
    HEADER
    "## 第一章 总则\n\n"
    "第一条 为了测试，制定本条例。\n\n"
    "第二条 经营者应当遵守下列规定：\n\n（一）明码标价；\n\n（二）不得虚假宣传。\n\n"
    "第二条之一 平台经营者应当履行下列义务：\n\n(一)核验经营者身份；\n\n(二)保存交易记录。\n\n"
    "违反前款规定的，依照本条例处罚。\n\n"
    "第二条之二 本条所称平台，是指网络交易平台。\n\n"
    "第三条 本条例自2020年1月1日起施行。",
    NULL};

static const char *const SUB_YAML = "laws:\n"
                                    "  - id: sub\n"
                                    "    title: 测试条例\n"
                                    "    level: local-regulation\n"
                                    "    verified: 2026-10-01\n"
                                    "    versions:\n"
                                    "      - {effective: 2020-01-01, source: sub.md}\n";

static void a_zhi_yi_article_is_numbered_10_1(void **state)
{
    (void)state;
    char *dir = synthetic(SUB_YAML, SUB_FILES);
    rw_statutes_t *s = load_ok(dir);
    const rw_law_text_t *t = s->laws[0].versions[0].text;
    assert_int_equal(t->n_articles, 5);
    assert_int_equal(t->articles[3].number, 2);
    assert_int_equal(t->articles[3].sub, 2);
    int64_t d = day("2024-01-01");
    struct {
        const char *ref, *label, *text;
    } cases[] = {
        {"sub#2-1", "第二条之一",
         "平台经营者应当履行下列义务：\n(一)核验经营者身份；\n(二)"
         "保存交易记录。\n违反前款规定的，依照本条例处罚。"},
        {"sub#2-1.1.2", "第二条之一第一款第二项", "(二)保存交易记录。"},
        {"sub#2-1.2", "第二条之一第二款", "违反前款规定的，依照本条例处罚。"},
        {"sub#2.1.1", "第二条第一项", "（一）明码标价；"},
        {"sub#2-2", "第二条之二", "本条所称平台，是指网络交易平台。"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rw_clause_ref_t r = ref(s, cases[i].ref);
        assert_true(rw_clause_ref_exists(&r));
        json_t *o = rw_clause_json(&r, cases[i].ref, d, d);
        assert_non_null(o);
        assert_string_equal(jstr(o, "label"), cases[i].label);
        assert_string_equal(jstr(o, "text"), cases[i].text);
        json_decref(o);
    }
    rw_clause_ref_t r = ref(s, "sub#2-3");
    assert_false(rw_clause_ref_exists(&r));
    rw_statutes_free(s);
    remove_dir(dir);
}

static void wrapped_lines_and_unseparated_paragraphs_parse_as_written(void **state)
{
    (void)state;
    /* CRLF, U+3000 indentation and padding, a wrapped sentence, paragraphs and items with
     * no blank line between them, a heading padded with U+3000. */
    const char *text =
        "\xEF\xBB\xBF# 测试条例　\r\n\r\n2020年1月1日 公布　\r\n<!-- INFO END -->\r\n\r\n"
        "##　第一章　总　则\r\n"
        "　　第一条　为了测试换行，\r\n"
        "制定本条例。\r\n"
        "第二条 有下列情形之一的，\r\n"
        "予以警告：\r\n"
        "（一）未按\r\n"
        "规定公示；\r\n"
        "（二）其他情形。\r\n"
        "前款规定的警告由\r\n"
        "市场监管部门作出。　\r\n"
        "“第三条”所称机关，是指本条例规定的机关。”\r\n"
        "第三条 本条例自公布之日起施行。";
    rw_diags_t d;
    rw_diags_init(&d);
    rw_law_text_t *t;
    int rc = rw_law_text_parse("wrap.md", text, strlen(text), &t, &d);
    rw_diags_print(&d, stderr);
    assert_int_equal(rc, 0);
    assert_string_equal(t->title, "测试条例");
    assert_int_equal(t->n_articles, 3);
    assert_int_equal(t->articles[0].line, 7);
    assert_int_equal(t->articles[0].n_paras, 1);
    assert_string_equal(t->articles[0].paras[0].text, "为了测试换行，制定本条例。");
    const rw_stat_article_t *a = rw_law_text_article(t, 2, 0);
    assert_int_equal(a->n_paras, 3);
    assert_string_equal(a->paras[0].text, "有下列情形之一的，予以警告：");
    assert_int_equal(a->paras[0].n_items, 2);
    assert_string_equal(a->paras[0].items[0].text, "（一）未按规定公示；");
    assert_string_equal(a->paras[0].items[1].text, "（二）其他情形。");
    assert_string_equal(a->paras[1].text, "前款规定的警告由市场监管部门作出。");
    assert_string_equal(a->paras[2].text, "“第三条”所称机关，是指本条例规定的机关。”");
    assert_null(rw_law_text_article(t, 4, 0));
    rw_law_text_free(t);
    rw_diags_free(&d);
}

static void versions_resolve_by_the_day_they_took_force(void **state)
{
    (void)state;
    rw_statutes_t *s = shipped();
    const rw_law_t *m = rw_statutes_find(s, "metrology-rules");
    assert_null(rw_law_version_at(m, day("2018-03-18")));
    assert_ptr_equal(rw_law_version_at(m, day("2018-03-19")), &m->versions[0]);
    assert_ptr_equal(rw_law_version_at(m, day("2022-04-30")), &m->versions[0]);
    assert_ptr_equal(rw_law_version_at(m, day("2022-05-01")), &m->versions[1]);
    assert_ptr_equal(rw_law_version_at(m, day("2022-05-02")), &m->versions[1]);
    /* what is in force changes on a version's day: (after, upto] */
    assert_true(rw_statutes_change_between(s, day("2022-04-30"), day("2022-05-01")));
    assert_false(rw_statutes_change_between(s, day("2022-05-01"), day("2026-11-21")));
    assert_false(rw_statutes_change_between(s, day("2022-03-01"), day("2022-04-30")));

    /* 第三十一条 was amended in 2022: conduct the day before is cited from 2018 with the
     * newer text in `changed`; from the effective date on, the new version is cited. */
    int64_t now = day("2026-11-01");
    rw_clause_ref_t r = ref(s, "metrology-rules#31");
    assert_null(rw_clause_json(&r, "metrology-rules#31", day("2018-03-18"), now));
    json_t *o = rw_clause_json(&r, "metrology-rules#31", day("2022-04-30"), now);
    assert_string_equal(jstr(o, "version"), "2018-03-19");
    assert_null(strstr(jstr(o, "text"), "告知承诺"));
    json_t *ch = json_object_get(o, "changed");
    assert_true(json_is_object(ch));
    assert_string_equal(jstr(ch, "date"), "2022-05-01");
    assert_non_null(strstr(jstr(ch, "text"), "产品质量检验机构自愿签署告知承诺书"));
    assert_null(json_object_get(ch, "repealed"));
    json_decref(o);
    const char *days[] = {"2022-05-01", "2022-05-02"};
    for (size_t i = 0; i < 2; i++) {
        o = rw_clause_json(&r, "metrology-rules#31", day(days[i]), now);
        assert_string_equal(jstr(o, "version"), "2022-05-01");
        assert_non_null(strstr(jstr(o, "text"), "告知承诺"));
        assert_true(json_is_null(json_object_get(o, "changed")));
        json_decref(o);
    }

    /* 第四条 only moved from half-width to full-width brackets: not a change. */
    r = ref(s, "metrology-rules#4");
    char *old = rw_clause_text(&r, &m->versions[0]), *new = rw_clause_text(&r, &m->versions[1]);
    assert_string_not_equal(old, new);
    assert_true(rw_stat_text_equal(old, new));
    free(old);
    free(new);
    o = rw_clause_json(&r, "metrology-rules#4", day("2020-01-01"), now);
    assert_string_equal(jstr(o, "version"), "2018-03-19");
    assert_true(json_is_null(json_object_get(o, "changed")));
    json_decref(o);
    rw_statutes_free(s);
}

static const char *const OLD_FILES[] = {
    "old-2010.md",
    HEADER "第一条 经营者应当遵守本条例（试行）。\n\n第二条 "
           "违反本条例的，处一千元以下罚款。\n\n第三条 本条例自2010年1月1日起施行。",
    "old-2015.md",
    HEADER "第一条 经营者应当遵守本条例。",
    "same-2010.md",
    HEADER "第一条 经营者（含个体工商户）应当遵守本条例，不得违法经营：\n\n（一）明码标价。",
    "same-2015.md",
    HEADER "第一条　经营者(含个体工商户)应当遵守本条例, 不得违法经营:\n\n(一)明码  标价。",
    "early-1965.md",
    HEADER "第一条 旧文本。",
    "early-1990.md",
    HEADER "第一条 新文本。",
    NULL};

static const char *const OLD_YAML = "laws:\n"
                                    "  - id: old\n"
                                    "    title: 测试条例\n"
                                    "    aliases: [旧条例]\n"
                                    "    level: local-government-rule\n"
                                    "    verified: 2026-10-01\n"
                                    "    versions:\n"
                                    "      - effective: 2010-01-01\n"
                                    "        source: old-2010.md\n"
                                    "      - effective: 2015-06-01\n"
                                    "        source: old-2015.md\n"
                                    "    repealed: 2020-01-01\n"
                                    "  - id: same\n"
                                    "    title: 测试条例\n"
                                    "    level: department-rule\n"
                                    "    verified: 2026-10-01\n"
                                    "    versions:\n"
                                    "      - effective: 2010-01-01\n"
                                    "        source: same-2010.md\n"
                                    "      - effective: 2015-06-01\n"
                                    "        source: same-2015.md\n"
                                    "    repealed: null\n"
                                    "  - id: early\n"
                                    "    title: 测试条例\n"
                                    "    level: department-rule\n"
                                    "    verified: 2026-10-01\n"
                                    "    versions:\n"
                                    "      - effective: 1965-01-01\n"
                                    "        source: early-1965.md\n"
                                    "      - effective: 1990-01-01\n"
                                    "        source: early-1990.md\n";

static void repealed_laws_and_pinned_references(void **state)
{
    (void)state;
    char *dir = synthetic(OLD_YAML, OLD_FILES);
    rw_statutes_t *s = load_ok(dir);
    const rw_law_t *law = rw_statutes_find(s, "旧条例");
    assert_int_equal(law->repealed, day("2020-01-01"));
    assert_ptr_equal(rw_law_version_at(law, day("2019-12-31")), &law->versions[1]);
    assert_null(rw_law_version_at(law, day("2020-01-01")));

    /* In force the day before the repeal, not on it; the lead says it has since gone. */
    rw_clause_ref_t r = ref(s, "old#1");
    json_t *o = rw_clause_json(&r, "old#1", day("2019-12-31"), day("2020-01-01"));
    assert_string_equal(jstr(o, "version"), "2015-06-01");
    json_t *ch = json_object_get(o, "changed");
    assert_string_equal(jstr(ch, "date"), "2020-01-01");
    assert_true(json_is_true(json_object_get(ch, "repealed")));
    json_decref(o);
    assert_null(rw_clause_json(&r, "old#1", day("2020-01-01"), day("2020-01-01")));

    /* A clause the newer version dropped. */
    r = ref(s, "old#2");
    assert_true(rw_clause_ref_exists(&r));
    o = rw_clause_json(&r, "old#2", day("2012-01-01"), day("2016-01-01"));
    assert_string_equal(jstr(o, "text"), "违反本条例的，处一千元以下罚款。");
    ch = json_object_get(o, "changed");
    assert_string_equal(jstr(ch, "date"), "2015-06-01");
    assert_true(json_is_null(json_object_get(ch, "text")));
    assert_true(json_is_true(json_object_get(ch, "removed")));
    json_decref(o);

    /* @DATE cites that version's text whatever the day of the event… */
    r = ref(s, "old@2012-01-01#1");
    assert_int_equal(r.pin, day("2012-01-01"));
    o = rw_clause_json(&r, "old@2012-01-01#1", day("2016-01-01"), day("2016-01-01"));
    assert_string_equal(jstr(o, "ref"), "old@2012-01-01#1");
    assert_string_equal(jstr(o, "version"), "2010-01-01");
    assert_string_equal(jstr(o, "text"), "经营者应当遵守本条例（试行）。");
    ch = json_object_get(o, "changed");
    assert_string_equal(jstr(ch, "date"), "2015-06-01");
    assert_string_equal(jstr(ch, "text"), "经营者应当遵守本条例。");
    json_decref(o);
    /* …but a repealed law is not in force, pinned or not. */
    assert_null(rw_clause_json(&r, "old@2012-01-01#1", day("2020-02-01"), day("2020-02-01")));
    r = ref(s, "old@2016-01-01#2");
    assert_false(rw_clause_ref_exists(&r));
    assert_null(rw_clause_json(&r, "old@2016-01-01#2", day("2016-01-01"), day("2016-01-01")));
    r = ref(s, "old@2009-12-31#1");
    assert_false(rw_clause_ref_exists(&r));
    assert_null(rw_clause_json(&r, "old@2009-12-31#1", day("2016-01-01"), day("2016-01-01")));

    /* Versions differing only in punctuation width and whitespace: no `changed`. */
    r = ref(s, "same#1");
    o = rw_clause_json(&r, "same#1", day("2012-01-01"), day("2016-01-01"));
    assert_string_equal(jstr(o, "version"), "2010-01-01");
    assert_true(json_is_null(json_object_get(o, "changed")));
    json_decref(o);
    rw_statutes_free(s);
    remove_dir(dir);
}

/* Day numbers before 1970 are negative: a pin there is a pin, not "no pin". */
static void dates_before_1970_pin_and_resolve_like_any_other(void **state)
{
    (void)state;
    char *dir = synthetic(OLD_YAML, OLD_FILES);
    rw_statutes_t *s = load_ok(dir);
    rw_clause_ref_t r = ref(s, "early@1966-01-01#1");
    assert_int_equal(r.pin, day("1966-01-01"));
    json_t *o = rw_clause_json(&r, "early@1966-01-01#1", day("2026-03-04"), day("2026-03-04"));
    assert_string_equal(jstr(o, "version"), "1965-01-01");
    assert_string_equal(jstr(o, "text"), "旧文本。");
    assert_string_equal(jstr(json_object_get(o, "changed"), "text"), "新文本。");
    json_decref(o);
    r = ref(s, "early@1964-06-01#1"); /* before the first version: nothing to cite */
    assert_false(rw_clause_ref_exists(&r));
    r = ref(s, "early#1");
    o = rw_clause_json(&r, "early#1", day("1966-01-01"), day("1966-01-01"));
    assert_string_equal(jstr(o, "version"), "1965-01-01");
    json_decref(o);
    rw_statutes_free(s);
    remove_dir(dir);
}

static void texts_compare_with_punctuation_folded(void **state)
{
    (void)state;
    assert_true(rw_stat_text_equal("甲，乙；丙：（丁）！？", "甲,乙;丙:(丁)!?"));
    assert_true(rw_stat_text_equal("　甲 乙\n丙\t", "甲乙丙"));
    assert_true(rw_stat_text_equal("“甲”‘乙’", "\"甲\"'乙'"));
    assert_true(rw_stat_text_equal("５％", "5%"));
    assert_true(rw_stat_text_equal("", " 　"));
    /* every kind of space is deleted; half-width CJK punctuation folds to full width */
    assert_true(rw_stat_text_equal("甲\u2003乙\u2009丙\u00a0。", "甲乙丙。"));
    assert_true(rw_stat_text_equal("己｢庚｣､辛｡", "己「庚」、辛。"));
    assert_false(rw_stat_text_equal("甲。", "甲."));
    assert_false(rw_stat_text_equal("甲、乙", "甲,乙"));
    assert_false(rw_stat_text_equal("处一千元罚款", "处二千元罚款"));
    assert_false(rw_stat_text_equal("甲", "甲乙"));
}

static void malformed_law_texts_get_file_line_col_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int line, col;
        const char *msg;
    } cases[] = {
        {"", 1, 1, "标题"},
        {"第一条 内容。\n", 1, 1, "标题"},
        {"## 测试条例\n\n<!-- INFO END -->\n\n第一条 甲。", 1, 1, "标题"},
        {"# 测试条例\n\n第一条 内容。\n", 1, 1, "INFO END"},
        {HEADER, 5, 1, "没有任何条"},
        {HEADER "第一条 甲。\n\n第三条 乙。", 9, 1, "上一条是第一条，这里应为第二条，实际是第三条"},
        {HEADER "第二条 甲。", 7, 1, "第一个条应为第一条"},
        {HEADER "第一条 甲。\n\n　　第三条 乙。", 9, 3, "不连续"},
        {HEADER "第一条 甲。\n\n第二条之二 乙。", 9, 1, "第二条之二应紧跟在第二条之一之后"},
        {HEADER "（一）甲；\n\n第一条 乙。", 7, 1, "第一条之前"},
        {HEADER "总则说明。\n\n第一条 乙。", 7, 1, "第一条之前"},
        {HEADER "第一条 甲。\n\n## 第二章 其他\n\n乙。", 11, 1, "章节标题之后"},
        {HEADER "第一条 甲。\n\n## 第二章 其他\n\n（一）乙。", 11, 1, "章节标题之后"},
        {HEADER "第一条 甲。\n\n# 第二部分\n\n第二条 乙。", 9, 1, "一级标题"},
        {HEADER "第一条 甲。\n\n第二二条 乙。", 9, 2, "不是规范的中文数字"},
        {HEADER "第一条 甲：\n\n（一）乙；\n\n（三）丙。", 11, 1, "应为（二），实际是（三）"},
        {HEADER "第一条\n\n第二条 乙。", 7, 4, "第一条没有正文"},
        {HEADER "第一条 甲\xff。", 7, 6, "UTF-8"},
        {HEADER "第一条 甲。\n\n<!-- 注释 -->", 9, 1, "注释"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rw_diags_t d;
        rw_diags_init(&d);
        rw_law_text_t *t = (rw_law_text_t *)1;
        int rc = rw_law_text_parse("bad.md", cases[i].text, strlen(cases[i].text), &t, &d);
        if (rc != -1 || t || d.errors != 1 || d.items[0].line != cases[i].line ||
            d.items[0].col != cases[i].col || !strstr(d.items[0].msg, cases[i].msg))
            fail_msg("case %zu: rc %d, %s", i, rc, rw_diags_first_error(&d));
        assert_string_equal(d.items[0].file, "bad.md");
        rw_diags_free(&d);
    }
}

/* 第二条 run into its text reads as 第一条's second 款, as the layout says, but the
 * likely typo is said at its place; a 款 citing another article is not. */
static void the_next_article_number_run_into_its_text_warns(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int warnings;
    } cases[] = {
        {HEADER "第一条 甲。\n\n第二条乙。", 1},
        {HEADER "第一条 甲。\n\n第三条规定的情形除外。", 0},
        {HEADER "第一条 甲。\n\n第二条 乙。\n\n第一条规定的情形除外。", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rw_diags_t d;
        rw_diags_init(&d);
        rw_law_text_t *t;
        assert_int_equal(rw_law_text_parse("t.md", cases[i].text, strlen(cases[i].text), &t, &d),
                         0);
        assert_int_equal(d.errors, 0);
        assert_int_equal(d.n, (size_t)cases[i].warnings);
        if (cases[i].warnings) {
            assert_int_equal(d.items[0].line, 9);
            assert_int_equal(d.items[0].col, 1);
            assert_non_null(strstr(d.items[0].msg, "以「第二条」开头但条号后没有空白"));
            assert_int_equal(t->n_articles, 1);
            assert_int_equal(t->articles[0].n_paras, 2);
        }
        rw_law_text_free(t);
        rw_diags_free(&d);
    }
}

static const char *const GOOD_MD[] = {"a.md",   HEADER "第一条 甲。",
                                      "b.md",   HEADER "第一条 乙。",
                                      "bad.md", HEADER "第一条 甲。\n\n第三条 乙。",
                                      NULL};

/* "More than a year" is a calendar year: a check on 2023-11-21 is due on 2024-11-21 even
 * though 29 February makes that 366 days. */
static void a_year_of_verified_is_a_calendar_year(void **state)
{
    (void)state;
    char *dir = synthetic("laws:\n  - id: x\n    title: 测试条例\n    level: law\n"
                          "    verified: 2023-11-21\n    versions:\n"
                          "      - effective: 2020-01-01\n        source: a.md\n",
                          GOOD_MD);
    static const struct {
        const char *today;
        int warnings;
    } cases[] = {{"2024-11-21", 0}, {"2024-11-22", 1}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rw_diags_t d;
        rw_diags_init(&d);
        rw_statutes_t *s;
        assert_int_equal(rw_statutes_load(&s, dir, day(cases[i].today), &d), 0);
        assert_int_equal(d.warnings, cases[i].warnings);
        if (cases[i].warnings) assert_non_null(strstr(d.items[0].msg, "已超过一年"));
        rw_diags_free(&d);
        rw_statutes_free(s);
    }
    remove_dir(dir);
}

static void malformed_laws_yaml_gets_file_line_col_errors(void **state)
{
    (void)state;
#define LAW(id, extra)                                                                             \
    "  - id: " id "\n    title: 测试条例\n    level: law\n    verified: 2026-10-01\n" extra
#define V(date, src) "      - effective: " date "\n        source: " src "\n"
    static const struct {
        const char *yaml;
        int line, col;
        const char *msg;
    } cases[] = {
        {"laws:\n  - title: 测试条例\n    level: law\n    versions:\n" V("2020-01-01", "a.md"), 2,
         5, "缺少必填的键「id」"},
        {"laws:\n" LAW("123", "    versions:\n" V("2020-01-01", "a.md")), 2, 9,
         "应为字符串，实际是数字"},
        {"laws:\n  - id: x\n    title: 测试条例\n    level: statute\n    versions:\n" V(
             "2020-01-01", "a.md"),
         4, 12, "未知的 level「statute」"},
        {"laws:\n" LAW("x", "    versions:\n" V("2020-01-01", "a.md"))
             LAW("x", "    versions:\n" V("2020-01-01", "b.md")),
         9, 9, "名称「x」重复：第 2 行"},
        {"laws:\n" LAW("x", "    versions:\n" V("2020-01-01", "a.md"))
             LAW("y", "    aliases: [z, x]\n    versions:\n" V("2020-01-01", "b.md")),
         13, 18, "名称「x」重复"},
        {"laws:\n" LAW("x", "    versions:\n" V("2020-01-01", "missing.md")), 8, 17,
         "无法读取法律文本"},
        {"laws:\n" LAW("x", "    versions:\n" V("2020-01-01", "../../a.md")), 8, 17,
         "不能含「..」"},
        {"laws:\n" LAW("x", "    versions:\n" V("2020-01-01", "sub/../../a.md")), 8, 17,
         "不能含「..」"},
        {"laws:\n" LAW("x", "    versions:\n" V("2021-01-01", "a.md") V("2020-01-01", "b.md")), 9,
         20, "从早到晚"},
        {"laws:\n" LAW("x", "    versions:\n" V("2020-01-01", "a.md") V("2020-01-01", "b.md")), 9,
         20, "生效日期 2020-01-01 重复"},
        {"laws:\n" LAW("x", "    versions:\n" V("2020-13-01", "a.md")), 7, 20, "应为日期"},
        {"laws:\n" LAW("x", "    repeal: 2021-01-01\n    versions:\n" V("2020-01-01", "a.md")), 6,
         5, "未知的键「repeal」"},
        {"laws:\n" LAW("x", "    versions:\n" V("2020-01-01", "a.md") "    repealed: 2020-01-01\n"),
         9, 15, "废止日期"},
        {"laws:\n" LAW("x", "    versions: []\n"), 6, 15, "versions 不能为空"},
        {"laws:\n" LAW("x", "    versions:\n" V("2020-01-01", "a.md") "    aliases: 甲\n"), 9, 14,
         "应为列表"},
        {"laws:\n" LAW("a@b", "    versions:\n" V("2020-01-01", "a.md")), 2, 9, "不能包含"},
        {"laws:\n  - [x]\n", 2, 5, "应为映射"},
        {"laws: {}\n", 1, 7, "应为列表"},
        {"", 1, 1, "laws: 列表"},
        {"laws: [\n", 2, 1, "YAML"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *dir = synthetic(cases[i].yaml, GOOD_MD);
        rw_diags_t d;
        rw_diags_init(&d);
        rw_statutes_t *s = (rw_statutes_t *)1;
        int rc = rw_statutes_load(&s, dir, day("2026-11-01"), &d);
        rw_buf_t path;
        rw_buf_init(&path);
        rw_buf_printf(&path, "%s/laws.yaml", dir);
        if (rc != -1 || s || d.errors != 1 || d.items[0].line != cases[i].line ||
            d.items[0].col != cases[i].col || !strstr(d.items[0].msg, cases[i].msg) ||
            strcmp(d.items[0].file, path.data))
            fail_msg("case %zu: rc %d, %s", i, rc, rw_diags_first_error(&d));
        rw_buf_free(&path);
        rw_diags_free(&d);
        remove_dir(dir);
    }

    /* A law text that does not follow the layout is reported where it goes wrong. */
    char *dir = synthetic("laws:\n" LAW("x", "    versions:\n" V("2020-01-01", "bad.md")), GOOD_MD);
    rw_diags_t d;
    rw_diags_init(&d);
    rw_statutes_t *s;
    assert_int_equal(rw_statutes_load(&s, dir, day("2026-11-01"), &d), -1);
    assert_int_equal(d.errors, 1);
    assert_non_null(strstr(d.items[0].file, "/bad.md"));
    assert_int_equal(d.items[0].line, 9);
    assert_int_equal(d.items[0].col, 1);
    rw_diags_free(&d);
    remove_dir(dir);

    /* A title that does not match the file's # line, and no `verified`: warnings only. */
    dir = synthetic("laws:\n  - id: x\n    title: 别的条例\n    level: law\n    versions:\n" V(
                        "2020-01-01", "a.md"),
                    GOOD_MD);
    rw_diags_init(&d);
    assert_int_equal(rw_statutes_load(&s, dir, day("2026-11-01"), &d), 0);
    assert_int_equal(d.errors, 0);
    assert_int_equal(d.warnings, 2);
    assert_non_null(strstr(d.items[0].msg, "不一致"));
    assert_int_equal(d.items[0].line, 7);
    assert_non_null(strstr(d.items[1].msg, "verified"));
    assert_int_equal(s->laws[0].verified, RW_DAY_NONE);
    rw_diags_free(&d);
    rw_statutes_free(s);
    remove_dir(dir);
#undef LAW
#undef V
}

static void chinese_numerals_round_trip(void **state)
{
    (void)state;
    char out[32];
    for (int n = 0; n <= 9999; n++) {
        rw_cn_number(n, out, sizeof out);
        if (rw_cn_parse(out, strlen(out)) != n) fail_msg("%d -> %s", n, out);
    }
    static const struct {
        int n;
        const char *s;
    } known[] = {{0, "零"},
                 {1, "一"},
                 {10, "十"},
                 {12, "十二"},
                 {20, "二十"},
                 {34, "三十四"},
                 {100, "一百"},
                 {105, "一百零五"},
                 {110, "一百一十"},
                 {124, "一百二十四"},
                 {1001, "一千零一"},
                 {1010, "一千零一十"},
                 {1020, "一千零二十"},
                 {1100, "一千一百"},
                 {9999, "九千九百九十九"}};
    for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
        rw_cn_number(known[i].n, out, sizeof out);
        assert_string_equal(out, known[i].s);
        assert_int_equal(rw_cn_parse(known[i].s, strlen(known[i].s)), known[i].n);
    }
    const char *bad[] = {"",     "一十二", "一百五",     "零五", "十十",   "二零",
                         "一万", "3",      "一百零零五", "百",   "一千零", "\xe4\xb8"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (rw_cn_parse(bad[i], strlen(bad[i])) != -1) fail_msg("accepted \"%s\"", bad[i]);
    rw_cn_number(10000, out, sizeof out);
    assert_string_equal(out, "10000");
}

static void clause_references_parse_strictly(void **state)
{
    (void)state;
    rw_statutes_t *s = shipped();
    rw_clause_ref_t r = ref(s, "food-safety-law@2021-04-29#124.1.1");
    assert_string_equal(r.law->id, "food-safety-law");
    assert_int_equal(r.pin, day("2021-04-29"));
    assert_int_equal(r.article, 124);
    assert_int_equal(r.sub, 0);
    assert_int_equal(r.para, 1);
    assert_int_equal(r.item, 1);
    r = ref(s, "计量法#10-1");
    assert_int_equal(r.pin, RW_DAY_NONE);
    assert_int_equal(r.article, 10);
    assert_int_equal(r.sub, 1);
    assert_int_equal(r.para, 0);
    static const struct {
        const char *ref, *msg;
    } bad[] = {
        {"food-safety-law", "不是条款引用"},       {"#34", "不是条款引用"},
        {"民法典#34", "未知的法律「民法典」"},     {"@2021-04-29#34", "未知的法律"},
        {"food-safety-law@2021-02-30#34", "日期"}, {"food-safety-law@#34", "日期"},
        {"food-safety-law#0", "条款部分"},         {"food-safety-law#034", "条款部分"},
        {"food-safety-law#34.", "条款部分"},       {"food-safety-law#34.1.6.1", "条款部分"},
        {"food-safety-law#10-", "条款部分"},       {"food-safety-law#34x", "条款部分"},
        {"food-safety-law#10000", "条款部分"},     {"food-safety-law#", "条款部分"},
        {"food-safety-law#34.0", "条款部分"},      {"food-safety-law#-1", "条款部分"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char err[512] = "";
        if (rw_clause_ref_parse(s, bad[i].ref, &r, err, sizeof err) != -1 ||
            !strstr(err, bad[i].msg))
            fail_msg("%s: %s", bad[i].ref, err);
    }
    rw_statutes_free(s);
}

/* ---- Comparing versions, renumbering, import ------------------------------------------ */

static char *read_text(const char *dir, const char *name)
{
    rw_buf_t path;
    rw_buf_init(&path);
    rw_buf_printf(&path, "%s/%s", dir, name);
    size_t len;
    char *t = rw_read_file(path.data, &len);
    rw_buf_free(&path);
    return t;
}

static int file_exists(const char *dir, const char *name)
{
    rw_buf_t path;
    rw_buf_init(&path);
    rw_buf_printf(&path, "%s/%s", dir, name);
    int ok = access(path.data, F_OK) == 0;
    rw_buf_free(&path);
    return ok;
}

static const rw_stat_article_t *diff_old(const rw_law_diff_t *d, const rw_diff_entry_t *e)
{
    return e->old_index >= 0 ? &d->from->text->articles[e->old_index] : NULL;
}

static const rw_stat_article_t *diff_new(const rw_law_diff_t *d, const rw_diff_entry_t *e)
{
    return e->new_index >= 0 ? &d->to->text->articles[e->new_index] : NULL;
}

static void assert_counts(const rw_law_diff_t *d, size_t unchanged, size_t amended,
                          size_t renumbered, size_t added, size_t removed)
{
    const size_t want[] = {unchanged, amended, renumbered, added, removed};
    for (int s = 0; s < RW_DIFF_N_STATUS; s++)
        if (d->count[s] != want[s])
            fail_msg("%s: %zu, want %zu", rw_diff_status_name((rw_diff_status_t)s), d->count[s],
                     want[s]);
}

static void the_real_2018_to_2022_amendment_changes_article_31_only(void **state)
{
    (void)state;
    rw_statutes_t *s = shipped();
    const rw_law_t *m = rw_statutes_find(s, "metrology-rules");
    rw_law_diff_t d;
    assert_int_equal(rw_law_diff(m, &m->versions[0], &m->versions[1], &d), 0);
    assert_false(d.mapped);
    /* Ten articles differ byte for byte; nine of them (第四、七、十一、二十三、二十七、二十八、
     * 三十、五十四、五十六条) only went from half- to full-width brackets. */
    assert_counts(&d, 59, 1, 0, 0, 0);
    assert_int_equal(d.n_articles, 60);
    for (size_t i = 0; i < d.n_articles; i++) {
        const rw_diff_entry_t *e = &d.articles[i];
        assert_int_equal(e->old_index, (int)i);
        assert_int_equal(e->new_index, (int)i);
        assert_int_equal(e->by, RW_MATCH_NUMBER);
        if (e->status != RW_DIFF_AMENDED) continue;
        assert_int_equal(diff_new(&d, e)->number, 31);
        assert_int_equal(e->n_paras, 1);
        assert_int_equal(e->paras[0].status, RW_DIFF_AMENDED);
    }
    json_t *j = rw_law_diff_json(&d);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "summary"), "amended")),
                     1);
    json_t *a31 = json_array_get(json_object_get(j, "articles"), 30);
    assert_string_equal(jstr(a31, "status"), "amended");
    assert_string_equal(jstr(json_object_get(a31, "new"), "label"), "第三十一条");
    assert_non_null(strstr(jstr(json_object_get(a31, "new"), "text"), "自愿签署告知承诺书"));
    assert_null(strstr(jstr(json_object_get(a31, "old"), "text"), "告知承诺"));
    assert_string_equal(jstr(json_array_get(json_object_get(j, "articles"), 3), "status"),
                        "unchanged");
    json_decref(j);
    rw_law_diff_free(&d);
    /* The versions must be given oldest first. */
    assert_int_equal(rw_law_diff(m, &m->versions[1], &m->versions[0], &d), -1);
    rw_law_diff_free(&d);
    rw_statutes_free(s);
}

static const char *const INSERT_FILES[] = {
    "v1.md",
    HEADER "第一条 为了测试，制定本条例。\n\n"
           "第二条 经营者不得有下列行为：\n\n(一)虚假宣传；\n\n(二)哄抬价格；\n\n(三)囤积居奇。\n\n"
           "违反前款规定的，责令改正。\n\n"
           "第三条 本条例自2020年1月1日起施行。",
    "v2.md",
    HEADER "第一条　为了测试, 制定本条例。\n\n"
           "第二条 经营者不得有下列行为：\n\n（一）虚假宣传；\n\n（二）哄抬价格。\n\n"
           "违反前款规定的，责令改正。\n\n"
           "第二条之一 平台经营者应当核验平台内经营者的身份。\n\n"
           "第三条 本条例自2020年1月1日起施行。",
    NULL};

static const char *const INSERT_YAML = "laws:\n"
                                       "  - id: ins\n"
                                       "    title: 测试条例\n"
                                       "    level: local-regulation\n"
                                       "    verified: 2026-10-01\n"
                                       "    versions:\n"
                                       "      - effective: 2020-01-01\n"
                                       "        source: v1.md\n"
                                       "      - effective: 2023-07-01\n"
                                       "        source: v2.md\n";

static void an_inserted_zhi_yi_article_and_a_removed_item(void **state)
{
    (void)state;
    char *dir = synthetic(INSERT_YAML, INSERT_FILES);
    rw_statutes_t *s = load_ok(dir);
    const rw_law_t *law = &s->laws[0];
    rw_law_diff_t d;
    assert_int_equal(rw_law_diff(law, &law->versions[0], &law->versions[1], &d), 0);
    /* 第一条 differs only in punctuation width and spacing. */
    assert_counts(&d, 2, 1, 0, 1, 0);
    assert_int_equal(d.n_articles, 4);
    static const struct {
        rw_diff_status_t status;
        int number, sub;
    } want[] = {{RW_DIFF_UNCHANGED, 1, 0},
                {RW_DIFF_AMENDED, 2, 0},
                {RW_DIFF_ADDED, 2, 1},
                {RW_DIFF_UNCHANGED, 3, 0}};
    for (size_t i = 0; i < 4; i++) {
        const rw_diff_entry_t *e = &d.articles[i];
        assert_int_equal(e->status, want[i].status);
        assert_int_equal(diff_new(&d, e)->number, want[i].number);
        assert_int_equal(diff_new(&d, e)->sub, want[i].sub);
    }
    assert_null(diff_old(&d, &d.articles[2]));
    /* Inside 第二条 the first 款 lost its 项（三）; the second 款 is untouched. */
    const rw_diff_entry_t *a2 = &d.articles[1];
    assert_int_equal(a2->n_paras, 2);
    assert_int_equal(a2->paras[0].status, RW_DIFF_AMENDED);
    assert_int_equal(a2->paras[1].status, RW_DIFF_UNCHANGED);
    rw_law_diff_free(&d);

    /* The item cited before the amendment: in force until the new version took force, then
     * gone — the lead says so. */
    rw_clause_ref_t r = ref(s, "ins#2.1.3");
    assert_true(rw_clause_ref_exists(&r));
    json_t *o = rw_clause_json(&r, "ins#2.1.3", day("2023-06-30"), day("2024-01-01"));
    assert_string_equal(jstr(o, "label"), "第二条第一款第三项");
    assert_string_equal(jstr(o, "text"), "(三)囤积居奇。");
    assert_true(json_is_true(json_object_get(json_object_get(o, "changed"), "removed")));
    json_decref(o);
    assert_null(rw_clause_json(&r, "ins#2.1.3", day("2023-07-01"), day("2024-01-01")));
    r = ref(s, "ins#2-1");
    assert_null(rw_clause_json(&r, "ins#2-1", day("2023-06-30"), day("2024-01-01")));
    o = rw_clause_json(&r, "ins#2-1", day("2023-07-01"), day("2024-01-01"));
    assert_string_equal(jstr(o, "label"), "第二条之一");
    json_decref(o);
    rw_statutes_free(s);
    remove_dir(dir);
}

/* A law file in the LawRefBook layout from article texts as rw_clause_text gives them:
 * each line a paragraph, the first after the article's heading. */
static void write_law(const char *dir, const char *name, const char *title, char **articles,
                      size_t n)
{
    rw_buf_t b;
    rw_buf_init(&b);
    rw_buf_printf(&b, "# %s\n\n2020年1月1日 公布\n\n<!-- INFO END -->\n\n## 第一章 总则\n\n",
                  title);
    for (size_t i = 0; i < n; i++) {
        char num[64];
        rw_cn_number((int)i + 1, num, sizeof num);
        rw_buf_printf(&b, "第%s条 ", num);
        for (const char *p = articles[i]; *p; p++)
            rw_buf_puts(&b, *p == '\n' ? "\n\n" : (char[]){*p, 0});
        rw_buf_puts(&b, "\n\n");
    }
    write_file(dir, name, b.data);
    rw_buf_free(&b);
}

static const char *const INSERTED =
    "网络食品交易第三方平台提供者应当建立入网食品经营者档案，记录其经营场所和联系方式。";

/* 食品安全法 revised in the way of a 修订: 第十条 deleted, a new article inserted as 第五十条,
 * so old 11-50 become 10-49; old 30 (new 29) and old 80 amended on the way; laws.yaml
 * with `map` as the new version's renumbered (NULL for none). */
static char *full_revision(const char *map)
{
    rw_statutes_t *s = shipped();
    const rw_law_t *law = rw_statutes_find(s, "food-safety-law");
    char *v1[154], *v2[154];
    for (int i = 0; i < 154; i++) {
        rw_clause_ref_t r = {.law = law, .pin = RW_DAY_NONE, .article = i + 1};
        v1[i] = rw_clause_text(&r, &law->versions[0]);
    }
    size_t n = 0;
    for (int i = 0; i < 154; i++) {
        if (i == 9) continue; /* 第十条 */
        if (n == 49) v2[n++] = rw_xstrdup(INSERTED);
        rw_buf_t b;
        rw_buf_init(&b);
        rw_buf_puts(&b, v1[i]);
        if (i == 29 || i == 79) rw_buf_puts(&b, "具体办法由国务院食品安全监督管理部门制定。");
        v2[n++] = rw_buf_steal(&b);
    }
    assert_int_equal(n, 154);
    char *dir = temp_dir();
    write_law(dir, "fsl-2015.md", law->title, v1, 154);
    write_law(dir, "fsl-2030.md", law->title, v2, 154);
    rw_buf_t y;
    rw_buf_init(&y);
    rw_buf_printf(&y,
                  "laws:\n  - id: fsl\n    title: %s\n    level: law\n    verified: 2026-10-01\n"
                  "    versions:\n      - effective: 2015-10-01\n        source: fsl-2015.md\n"
                  "      - effective: 2030-01-01\n        source: fsl-2030.md\n%s",
                  law->title, map ? map : "");
    write_file(dir, "laws.yaml", y.data);
    rw_buf_free(&y);
    for (int i = 0; i < 154; i++) {
        free(v1[i]);
        free(v2[i]);
    }
    rw_statutes_free(s);
    return dir;
}

/* The full revision's diff, with or without a map: the same pairing either way. */
static void check_full_revision(const rw_law_t *law, rw_diff_match_t moved_by)
{
    rw_law_diff_t d;
    assert_int_equal(rw_law_diff(law, &law->versions[0], &law->versions[1], &d), 0);
    assert_counts(&d, 112, 1, 40, 1, 1);
    for (size_t i = 0; i < d.n_articles; i++) {
        const rw_diff_entry_t *e = &d.articles[i];
        const rw_stat_article_t *o = diff_old(&d, e), *n = diff_new(&d, e);
        switch (e->status) {
        case RW_DIFF_REMOVED:
            assert_int_equal(o->number, 10);
            /* Reported where it stood: after the article that took over 第九条's place. */
            assert_int_equal(diff_new(&d, &d.articles[i - 1])->number, 9);
            break;
        case RW_DIFF_ADDED:
            assert_int_equal(n->number, 50);
            break;
        case RW_DIFF_AMENDED:
            assert_int_equal(o->number, 80);
            assert_int_equal(n->number, 80);
            break;
        case RW_DIFF_RENUMBERED:
            assert_true(o->number >= 11 && o->number <= 50);
            assert_int_equal(n->number, o->number - 1);
            assert_int_equal(e->amended, o->number == 30);
            assert_int_equal(e->by, moved_by != RW_MATCH_MAP
                                        ? o->number == 30 ? RW_MATCH_SIMILAR : RW_MATCH_TEXT
                                        : moved_by);
            break;
        default:
            assert_int_equal(o->number, n->number);
            assert_true(o->number < 10 || o->number > 50);
        }
    }
    rw_law_diff_free(&d);
}

static void a_full_revision_without_a_map_is_matched_by_content(void **state)
{
    (void)state;
    char *dir = full_revision(NULL);
    rw_statutes_t *s = load_ok(dir);
    const rw_law_t *law = &s->laws[0];
    check_full_revision(law, RW_MATCH_TEXT);
    /* Without a map references keep their numbers: fsl#30 is whatever 第三十条 now says. */
    rw_clause_ref_t r = ref(s, "fsl#30");
    json_t *o = rw_clause_json(&r, "fsl#30", day("2031-01-01"), day("2031-01-01"));
    assert_string_equal(jstr(o, "label"), "第三十条");
    char *old31 = rw_clause_text(&(rw_clause_ref_t){.law = law, .pin = RW_DAY_NONE, .article = 31},
                                 &law->versions[0]);
    assert_string_equal(jstr(o, "text"), old31);
    free(old31);
    json_decref(o);
    rw_statutes_free(s);
    remove_dir(dir);
}

static void a_full_revision_with_a_map_carries_references(void **state)
{
    (void)state;
    rw_buf_t map;
    rw_buf_init(&map);
    rw_buf_puts(&map, "        renumbered: {10: null");
    for (int i = 11; i <= 50; i++)
        rw_buf_printf(&map, ", %d: %d", i, i - 1);
    rw_buf_puts(&map, "}\n");
    char *dir = full_revision(map.data);
    rw_buf_free(&map);
    rw_statutes_t *s = load_ok(dir);
    const rw_law_t *law = &s->laws[0];
    assert_int_equal(law->versions[1].n_renumbered, 41);
    check_full_revision(law, RW_MATCH_MAP);

    /* A rule citing fsl#30 (the 2015 numbering) cites 第二十九条 of the revision, with the
     * text amended on the way; before the revision it is still 第三十条. */
    int64_t before = day("2029-12-31"), after = day("2030-01-01");
    rw_clause_ref_t r = ref(s, "fsl#30");
    json_t *o = rw_clause_json(&r, "fsl#30", after, after);
    assert_string_equal(jstr(o, "version"), "2030-01-01");
    assert_string_equal(jstr(o, "label"), "第二十九条");
    assert_non_null(strstr(jstr(o, "text"), "具体办法由国务院食品安全监督管理部门制定。"));
    json_decref(o);
    o = rw_clause_json(&r, "fsl#30", before, after);
    assert_string_equal(jstr(o, "label"), "第三十条");
    json_t *ch = json_object_get(o, "changed");
    assert_string_equal(jstr(ch, "date"), "2030-01-01");
    assert_non_null(strstr(jstr(ch, "text"), "具体办法由国务院食品安全监督管理部门制定。"));
    json_decref(o);
    /* Moved without a change: no `changed`. */
    r = ref(s, "fsl#31.1");
    o = rw_clause_json(&r, "fsl#31.1", before, after);
    assert_true(json_is_null(json_object_get(o, "changed")));
    json_decref(o);
    o = rw_clause_json(&r, "fsl#31.1", after, after);
    assert_string_equal(jstr(o, "label"), "第三十条第一款");
    json_decref(o);
    /* The deleted 第十条 stops resolving; the lead citing it says it was removed. */
    r = ref(s, "fsl#10");
    assert_null(rw_clause_json(&r, "fsl#10", after, after));
    o = rw_clause_json(&r, "fsl#10", before, after);
    assert_true(json_is_true(json_object_get(json_object_get(o, "changed"), "removed")));
    json_decref(o);
    /* The inserted 第五十条 is not reachable from the old numbering (old 50 is now 49)… */
    r = ref(s, "fsl#50");
    o = rw_clause_json(&r, "fsl#50", after, after);
    assert_string_equal(jstr(o, "label"), "第四十九条");
    json_decref(o);
    /* …but a reference pinned to the revision uses its numbers, and reads back into the
     * old one where it came from. */
    r = ref(s, "fsl@2030-01-01#50");
    o = rw_clause_json(&r, "fsl@2030-01-01#50", after, after);
    assert_string_equal(jstr(o, "label"), "第五十条");
    assert_string_equal(jstr(o, "text"), INSERTED);
    json_decref(o);
    assert_null(rw_clause_text(&r, &law->versions[0]));
    r = ref(s, "fsl@2030-01-01#29");
    char *t = rw_clause_text(&r, &law->versions[0]);
    assert_non_null(t);
    rw_clause_ref_t in;
    assert_int_equal(rw_clause_ref_in(&r, &law->versions[0], &in), 0);
    assert_int_equal(in.article, 30);
    free(t);
    /* A reference pinned before the law existed has no numbering to start from. */
    r = ref(s, "fsl@2001-01-01#1");
    assert_int_equal(rw_clause_ref_in(&r, &law->versions[0], &in), -1);
    assert_false(rw_clause_ref_exists(&r));
    /* Untouched articles keep their numbers. */
    int num, sub;
    assert_int_equal(rw_law_article_in(law, 0, 1, 100, 0, &num, &sub), 0);
    assert_int_equal(num, 100);
    assert_int_equal(rw_law_article_in(law, 1, 0, 50, 0, &num, &sub), -1);
    assert_int_equal(rw_law_article_in(law, 0, 1, 10, 0, &num, &sub), -1);
    rw_statutes_free(s);
    remove_dir(dir);
}

/* A map given only in part: the 修正 kept every number the map does not mention. */
static const char *const MAP_FILES[] = {
    "p.md", HEADER "第一条 甲。\n\n第二条 乙。\n\n第二条之一 丙。\n\n第三条 丁。", "q.md",
    HEADER "第一条 甲。\n\n第二条 乙。\n\n第三条 丙。\n\n第四条 丁。", NULL};

#define MAP_YAML(first, second)                                                                    \
    "laws:\n  - id: m\n    title: 测试条例\n    level: law\n    verified: 2026-10-01\n"        \
    "    versions:\n      - effective: 2020-01-01\n        source: p.md\n" first                   \
    "      - effective: 2021-01-01\n        source: q.md\n" second

static void renumbered_maps_are_validated(void **state)
{
    (void)state;
    char *dir = synthetic(MAP_YAML("", "        renumbered: {2-1: 3, 3: 4}\n"), MAP_FILES);
    rw_statutes_t *s = load_ok(dir);
    const rw_law_version_t *q = &s->laws[0].versions[1];
    assert_int_equal(q->n_renumbered, 2);
    assert_int_equal(q->renumbered[0].old_number, 2);
    assert_int_equal(q->renumbered[0].old_sub, 1);
    assert_int_equal(q->renumbered[0].new_number, 3);
    rw_clause_ref_t r = ref(s, "m#2-1");
    char *t = rw_clause_text(&r, q);
    assert_string_equal(t, "丙。");
    free(t);
    rw_law_diff_t d;
    rw_law_diff(&s->laws[0], &s->laws[0].versions[0], q, &d);
    assert_true(d.mapped);
    assert_counts(&d, 2, 0, 2, 0, 0);
    rw_law_diff_free(&d);
    rw_statutes_free(s);
    remove_dir(dir);

    static const struct {
        const char *first, *second;
        int line, col;
        const char *msg;
    } cases[] = {
        {"        renumbered: {1: 2}\n", "", 9, 21, "第一个版本不能有 renumbered"},
        {"", "        renumbered: {9: 4}\n", 11, 22, "上一个版本（p.md）没有第九条"},
        {"", "        renumbered: {3: 9}\n", 11, 25, "本版本（q.md）没有第九条"},
        {"", "        renumbered: {2-1: 4, 3: 4}\n", 11, 33, "都对应到本版本的第四条"},
        {"", "        renumbered: {2-1: 3}\n", 11, 21, "未列出上一个版本的第三条"},
        {"", "        renumbered: {abc: 3}\n", 11, 22, "不是条号"},
        {"", "        renumbered: {2-0: 3}\n", 11, 22, "不是条号"},
        {"", "        renumbered: [3, 4]\n", 11, 21, "应为映射"},
        {"", "        renumbered: {3: 4}\n        renumber: {}\n", 12, 9, "未知的键「renumber」"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rw_buf_t y;
        rw_buf_init(&y);
        rw_buf_printf(&y, MAP_YAML("%s", "%s"), cases[i].first, cases[i].second);
        dir = synthetic(y.data, MAP_FILES);
        rw_buf_free(&y);
        rw_diags_t dg;
        rw_diags_init(&dg);
        assert_int_equal(rw_statutes_load(&s, dir, day("2026-11-01"), &dg), -1);
        if (!dg.errors || dg.items[0].line != cases[i].line || dg.items[0].col != cases[i].col ||
            !strstr(dg.items[0].msg, cases[i].msg))
            fail_msg("case %zu: %s", i, rw_diags_first_error(&dg));
        rw_diags_free(&dg);
        remove_dir(dir);
    }
}

static void a_repealed_law_still_diffs_and_pins_keep_their_text(void **state)
{
    (void)state;
    char *dir = synthetic(OLD_YAML, OLD_FILES);
    rw_statutes_t *s = load_ok(dir);
    const rw_law_t *law = rw_statutes_find(s, "old");
    rw_law_diff_t d;
    rw_law_diff(law, &law->versions[0], &law->versions[1], &d);
    assert_counts(&d, 0, 1, 0, 0, 2);
    assert_int_equal(d.articles[0].status, RW_DIFF_AMENDED);
    assert_int_equal(d.articles[1].status, RW_DIFF_REMOVED);
    assert_int_equal(diff_old(&d, &d.articles[2])->number, 3);
    rw_law_diff_free(&d);
    /* Versions that differ only in typesetting: every article unchanged. */
    law = rw_statutes_find(s, "same");
    rw_law_diff(law, &law->versions[0], &law->versions[1], &d);
    assert_counts(&d, 1, 0, 0, 0, 0);
    rw_law_diff_free(&d);
    /* Pinned to the first version: its text, whatever the day, until the repeal. */
    rw_clause_ref_t r = ref(s, "old@2010-01-01#2");
    assert_true(rw_clause_ref_exists(&r));
    json_t *o = rw_clause_json(&r, "old@2010-01-01#2", day("2019-12-31"), day("2019-12-31"));
    assert_string_equal(jstr(o, "version"), "2010-01-01");
    assert_true(json_is_true(json_object_get(json_object_get(o, "changed"), "removed")));
    json_decref(o);
    assert_null(rw_clause_json(&r, "old@2010-01-01#2", day("2020-01-01"), day("2020-01-01")));
    rw_statutes_free(s);
    remove_dir(dir);
}

static const char *const IMPORT_YAML = "# the library\n"
                                       "laws:\n"
                                       "  - id: x\n"
                                       "    title: 测试条例\n"
                                       "    aliases: [测试]\n"
                                       "    level: law\n"
                                       "    verified: 2026-10-01\n"
                                       "    versions:\n"
                                       "      - effective: 2010-01-01   # first\n"
                                       "        source: a.md\n"
                                       "      # the 2020 revision\n"
                                       "      - effective: 2020-01-01\n"
                                       "        source: b.md\n"
                                       "    repealed: null\n";

static void import_into(const char *dir, const rw_import_t *im, int want_rc)
{
    rw_diags_t d;
    rw_diags_init(&d);
    int rc = rw_statutes_import(dir, im, &d);
    if (rc != want_rc) {
        rw_diags_print(&d, stderr);
        fail_msg("import %s: rc %d", im->file, rc);
    }
    rw_diags_free(&d);
}

static void import_adds_a_version_in_date_order_keeping_comments(void **state)
{
    (void)state;
    char *dir = synthetic(IMPORT_YAML, GOOD_MD);
    char *src = temp_dir();
    write_file(src, "测试条例(2015-03-01).md", HEADER "第一条 丙。\n");
    rw_buf_t file;
    rw_buf_init(&file);
    rw_buf_printf(&file, "%s/测试条例(2015-03-01).md", src);
    rw_import_t im = {.file = file.data,
                      .law = "测试",
                      .effective = day("2015-06-01"),
                      .today = day("2026-11-01")};
    import_into(dir, &im, 0);
    char *y = read_text(dir, "laws.yaml");
    assert_string_equal(y, "# the library\n"
                           "laws:\n"
                           "  - id: x\n"
                           "    title: 测试条例\n"
                           "    aliases: [测试]\n"
                           "    level: law\n"
                           "    verified: 2026-10-01\n"
                           "    versions:\n"
                           "      - effective: 2010-01-01   # first\n"
                           "        source: a.md\n"
                           "      - effective: 2015-06-01\n"
                           "        source: 测试条例(2015-03-01).md\n"
                           "      # the 2020 revision\n"
                           "      - effective: 2020-01-01\n"
                           "        source: b.md\n"
                           "    repealed: null\n");
    free(y);
    char *copy = read_text(dir, "测试条例(2015-03-01).md");
    assert_string_equal(copy, HEADER "第一条 丙。\n");
    free(copy);
    rw_statutes_t *s = load_ok(dir);
    assert_int_equal(s->laws[0].n_versions, 3);
    assert_int_equal(s->laws[0].versions[1].effective, day("2015-06-01"));
    rw_statutes_free(s);

    /* A later one goes after the last version; a new law after the last law. */
    write_file(src, "c.md", HEADER "第一条 丁。\n");
    write_file(src, "n.md", "# 新条例\n\n<!-- INFO END -->\n\n第一条 戊。\n");
    rw_buf_reset(&file);
    rw_buf_printf(&file, "%s/c.md", src);
    im = (rw_import_t){
        .file = file.data, .law = "x", .effective = day("2024-01-01"), .today = day("2026-11-01")};
    import_into(dir, &im, 0);
    rw_buf_reset(&file);
    rw_buf_printf(&file, "%s/n.md", src);
    const char *aliases[] = {"新条例", "new:regs"};
    im = (rw_import_t){.file = file.data,
                       .law = "new-regs",
                       .effective = day("2025-01-01"),
                       .level = "department-rule",
                       .aliases = aliases,
                       .n_aliases = 2,
                       .today = day("2026-11-01")};
    import_into(dir, &im, 0);
    y = read_text(dir, "laws.yaml");
    const char *tail = "      - effective: 2020-01-01\n"
                       "        source: b.md\n"
                       "      - effective: 2024-01-01\n"
                       "        source: c.md\n"
                       "    repealed: null\n"
                       "\n"
                       "  - id: new-regs\n"
                       "    title: 新条例\n"
                       "    aliases: [新条例, \"new:regs\"]\n"
                       "    level: department-rule\n"
                       "    versions:\n"
                       "      - effective: 2025-01-01\n"
                       "        source: n.md\n"
                       "    repealed: null\n";
    assert_string_equal(y + strlen(y) - strlen(tail), tail);
    free(y);
    rw_diags_t d;
    rw_diags_init(&d);
    assert_int_equal(rw_statutes_load(&s, dir, day("2026-11-01"), &d), 0);
    assert_non_null(rw_statutes_find(s, "new:regs"));
    assert_int_equal(d.warnings, 1); /* no `verified` for the new law: nobody checked it yet */
    rw_diags_free(&d);
    rw_statutes_free(s);

    /* The same date twice, a file name in use, options only a new law takes. */
    char *before = read_text(dir, "laws.yaml");
    static const struct {
        const char *law, *effective, *title;
        int line, col;
        const char *msg;
    } refused[] = {
        {"x", "2020-01-01", NULL, 14, 20, "已有 2020-01-01 起施行的版本（b.md）"},
        {"x", "2026-01-01", NULL, 17, 17, "已使用文件「c.md」"},
        {"x", "2026-01-01", "别的", 3, 5, "只用于新法律"},
        {"brand-new", "2026-01-01", NULL, 3, 3, "新法律需要 --level"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        rw_buf_reset(&file);
        rw_buf_printf(&file, "%s/c.md", src);
        im = (rw_import_t){.file = file.data,
                           .law = refused[i].law,
                           .effective = day(refused[i].effective),
                           .title = refused[i].title,
                           .today = day("2026-11-01")};
        rw_diags_init(&d);
        assert_int_equal(rw_statutes_import(dir, &im, &d), -1);
        if (d.errors != 1 || d.items[0].line != refused[i].line ||
            d.items[0].col != refused[i].col || !strstr(d.items[0].msg, refused[i].msg))
            fail_msg("case %zu: %s", i, rw_diags_first_error(&d));
        rw_diags_free(&d);
        y = read_text(dir, "laws.yaml");
        assert_string_equal(y, before);
        free(y);
    }
    free(before);
    rw_buf_free(&file);
    remove_dir(src);
    remove_dir(dir);
}

static void import_refuses_a_malformed_file_and_rolls_back_a_library_that_fails(void **state)
{
    (void)state;
    char *dir = synthetic(IMPORT_YAML, GOOD_MD);
    char *src = temp_dir();
    write_file(src, "broken.md", HEADER "第一条 甲。\n\n第二条 乙。\n\n第四条 丙。\n");
    rw_buf_t file;
    rw_buf_init(&file);
    rw_buf_printf(&file, "%s/broken.md", src);
    rw_import_t im = {
        .file = file.data, .law = "x", .effective = day("2022-01-01"), .today = day("2026-11-01")};
    rw_diags_t d;
    rw_diags_init(&d);
    assert_int_equal(rw_statutes_import(dir, &im, &d), -1);
    assert_int_equal(d.errors, 1);
    assert_string_equal(d.items[0].file, file.data);
    assert_int_equal(d.items[0].line, 11);
    assert_int_equal(d.items[0].col, 1);
    assert_non_null(strstr(d.items[0].msg, "这里应为第三条，实际是第四条"));
    rw_diags_free(&d);
    assert_false(file_exists(dir, "broken.md"));
    char *y = read_text(dir, "laws.yaml");
    assert_string_equal(y, IMPORT_YAML);
    free(y);

    /* A version slipped in before one whose renumbered map it breaks: the library does not
     * load afterwards, so laws.yaml and the folder go back to what they were. */
    char *yaml = rw_xstrdup(IMPORT_YAML);
    rw_buf_t with_map;
    rw_buf_init(&with_map);
    const char *cut = strstr(yaml, "    repealed: null\n");
    rw_buf_append(&with_map, yaml, (size_t)(cut - yaml));
    rw_buf_puts(&with_map, "      - effective: 2024-01-01\n        source: g.md\n"
                           "        renumbered: {1: 2}\n    repealed: null\n");
    free(yaml);
    write_file(dir, "laws.yaml", with_map.data);
    write_file(dir, "g.md", HEADER "第一条 新。\n\n第二条 甲。\n");
    write_file(src, "m.md", HEADER "第一条 甲。\n");
    rw_buf_reset(&file);
    rw_buf_printf(&file, "%s/m.md", src);
    im.effective = day("2022-01-01");
    rw_diags_init(&d);
    assert_int_equal(rw_statutes_import(dir, &im, &d), 0);
    rw_diags_free(&d);
    write_file(dir, "laws.yaml", with_map.data);
    write_file(src, "m2.md", HEADER "第一条 甲。\n\n第二条 乙。\n\n第三条 丙。\n");
    unlink(file.data);
    rw_buf_reset(&file);
    rw_buf_printf(&file, "%s/m2.md", src);
    rw_diags_init(&d);
    assert_int_equal(rw_statutes_import(dir, &im, &d), -1);
    int warned = 0, undone = 0, unlisted = 0;
    for (size_t i = 0; i < d.n; i++) {
        warned |= d.items[i].sev == RW_DIAG_WARNING && strstr(d.items[i].msg, "请复核");
        undone |= d.items[i].sev == RW_DIAG_ERROR && strstr(d.items[i].msg, "已撤销");
        unlisted |= d.items[i].sev == RW_DIAG_ERROR && strstr(d.items[i].msg, "未列出");
    }
    assert_true(warned && undone && unlisted);
    rw_diags_free(&d);
    y = read_text(dir, "laws.yaml");
    assert_string_equal(y, with_map.data);
    free(y);
    assert_false(file_exists(dir, "m2.md"));

    /* A different file under a name the folder already has; a laws.yaml in flow style. */
    write_file(src, "a.md", HEADER "第一条 另一个甲。\n");
    rw_buf_reset(&file);
    rw_buf_printf(&file, "%s/a.md", src);
    im = (rw_import_t){.file = file.data,
                       .law = "y",
                       .level = "law",
                       .effective = day("2023-01-01"),
                       .today = day("2026-11-01")};
    rw_diags_init(&d);
    assert_int_equal(rw_statutes_import(dir, &im, &d), -1);
    assert_non_null(strstr(rw_diags_first_error(&d), "已存在同名文件且内容不同"));
    rw_diags_free(&d);
    write_file(dir, "laws.yaml",
               "laws: [{id: x, title: 测试条例, level: law, versions: "
               "[{effective: 2010-01-01, source: a.md}]}]\n");
    rw_buf_reset(&file);
    rw_buf_printf(&file, "%s/m.md", src);
    write_file(src, "m.md", HEADER "第一条 甲。\n");
    rw_diags_init(&d);
    assert_int_equal(rw_statutes_import(dir, &im, &d), -1);
    assert_non_null(strstr(rw_diags_first_error(&d), "块状列表"));
    rw_diags_free(&d);
    rw_buf_free(&with_map);
    rw_buf_free(&file);
    remove_dir(src);
    remove_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_shipped_law_loads_with_its_real_article_count),
        cmocka_unit_test(a_year_old_verified_date_warns),
        cmocka_unit_test(a_year_of_verified_is_a_calendar_year),
        cmocka_unit_test(food_safety_items_are_cited_like_statutes_cite_them),
        cmocka_unit_test(an_article_with_one_paragraph_is_cited_without_its_paragraph),
        cmocka_unit_test(a_zhi_yi_article_is_numbered_10_1),
        cmocka_unit_test(wrapped_lines_and_unseparated_paragraphs_parse_as_written),
        cmocka_unit_test(versions_resolve_by_the_day_they_took_force),
        cmocka_unit_test(repealed_laws_and_pinned_references),
        cmocka_unit_test(dates_before_1970_pin_and_resolve_like_any_other),
        cmocka_unit_test(texts_compare_with_punctuation_folded),
        cmocka_unit_test(malformed_law_texts_get_file_line_col_errors),
        cmocka_unit_test(the_next_article_number_run_into_its_text_warns),
        cmocka_unit_test(malformed_laws_yaml_gets_file_line_col_errors),
        cmocka_unit_test(chinese_numerals_round_trip),
        cmocka_unit_test(clause_references_parse_strictly),
        cmocka_unit_test(the_real_2018_to_2022_amendment_changes_article_31_only),
        cmocka_unit_test(an_inserted_zhi_yi_article_and_a_removed_item),
        cmocka_unit_test(a_full_revision_without_a_map_is_matched_by_content),
        cmocka_unit_test(a_full_revision_with_a_map_carries_references),
        cmocka_unit_test(renumbered_maps_are_validated),
        cmocka_unit_test(a_repealed_law_still_diffs_and_pins_keep_their_text),
        cmocka_unit_test(import_adds_a_version_in_date_order_keeping_comments),
        cmocka_unit_test(import_refuses_a_malformed_file_and_rolls_back_a_library_that_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
