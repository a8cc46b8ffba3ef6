/* cmd_statutes.c — `regwatch statutes import|diff|show`: adding a law version to the clause
 * library, comparing two versions clause by clause, and reading one clause at a date
 * (statutes.md). */
#include "cli.h"

#include "rwtime.h"
#include "statutes.h"
#include "util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RULES_HELP "  --rules DIR        规则目录（默认 rules/），法规库在 DIR/statutes\n"

/* China's local date: the service's dates are +08:00 (cli.c loads rules with the same). */
static int64_t today(void)
{
    return rw_local_day(rw_now(), 480);
}

static int parse_date_opt(const char *cmd, const char *opt, const char *arg, int64_t *out)
{
    if (!rw_date_parse(arg, out)) return 0;
    fprintf(stderr, "regwatch statutes %s: %s 需要日期 YYYY-MM-DD，实际是「%s」\n", cmd, opt, arg);
    return -1;
}

/* The library under rules/statutes. Only errors are printed: diff and show read the
 * library, `regwatch check` is where its warnings (stale `verified` dates) belong. */
static rw_statutes_t *load_library(const char *cmd, const char *rules)
{
    rw_buf_t dir;
    rw_buf_init(&dir);
    rw_buf_printf(&dir, "%s/statutes", rules);
    rw_diags_t d;
    rw_diags_init(&d);
    rw_statutes_t *s = NULL;
    if (rw_statutes_load(&s, dir.data, today(), &d)) {
        rw_diags_print_if(&d, stderr, 0);
        fprintf(stderr, "regwatch statutes %s: 法规库 %s 加载失败（%zu 个错误）\n", cmd, dir.data,
                d.errors);
    }
    rw_diags_free(&d);
    rw_buf_free(&dir);
    return s;
}

/* Text indented line by line: clause texts keep their 项 on lines of their own. */
static void print_text(const char *first, const char *rest, const char *text)
{
    const char *p = text;
    for (int line = 0;; line++) {
        const char *nl = strchr(p, '\n');
        int n = nl ? (int)(nl - p) : (int)strlen(p);
        printf("%s%.*s\n", line ? rest : first, n, p);
        if (!nl) break;
        p = nl + 1;
    }
}

static char *article_label(const rw_stat_article_t *a)
{
    rw_clause_ref_t whole = {.article = a->number, .sub = a->sub};
    return rw_clause_label(&whole, a);
}

static const char *version_desc(const rw_law_version_t *v, char date[11])
{
    rw_date_format(v->effective, date);
    return v->source;
}

static void print_json(json_t *o)
{
    char *s = json_dumps(o, JSON_INDENT(2));
    puts(s);
    free(s);
    json_decref(o);
}

/* ---- import ----------------------------------------------------------------------- */

static void import_usage(FILE *out)
{
    fprintf(
        out,
        "用法: regwatch statutes import 文件.md --law ID --effective YYYY-MM-DD [选项]\n\n"
        "把一部法律法规的一个版本加入法规库：检查文件是否符合 LawRefBook 的 Markdown 布局\n"
        "（不符合时报告 file:line:col，不写入任何文件），按原文件名逐字节复制到 DIR/statutes/，\n"
        "并在 laws.yaml 该法律的 versions 中按生效日期插入一项（注释和顺序保持不变）；\n"
        "laws.yaml 中没有该 ID 时新增一部法律。之后重新加载法规库，加载失败则全部撤销。\n"
        "生效日期取自法律本身（施行日期、修改决定），不取自文件名中的公布日期。\n\n"
        "  --law ID           法律的 id 或别名（新法律用新的 id）\n"
        "  --effective DATE   该版本开始施行的日期\n" RULES_HELP
        "  --title T          新法律的标题（默认取文件的「# 」标题行）\n"
        "  --alias A          新法律的别名（可重复）\n"
        "  --level L          新法律的层级：law、administrative-regulation、department-rule、\n"
        "                     local-regulation、local-government-rule\n");
}

/* The date in a LawRefBook file name, "计量法实施细则(2022-03-29).md": when it differs from
 * the effective date the user should know which one was recorded. */
static int name_date(const char *name, int64_t *day)
{
    const char *p = strrchr(name, '(');
    char buf[11];
    if (!p || strlen(p) < 12 || p[11] != ')') return -1;
    memcpy(buf, p + 1, 10);
    buf[10] = 0;
    return rw_date_parse(buf, day);
}

static int cmd_import(int argc, char **argv)
{
    const char *rules = "rules";
    rw_import_t im = {.effective = -1, .today = today()};
    const char *aliases[64];
    static const struct option longopts[] = {{"rules", required_argument, 0, 'R'},
                                             {"law", required_argument, 0, 'l'},
                                             {"effective", required_argument, 0, 'e'},
                                             {"title", required_argument, 0, 't'},
                                             {"alias", required_argument, 0, 'a'},
                                             {"level", required_argument, 0, 'L'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'R':
            rules = optarg;
            break;
        case 'l':
            im.law = optarg;
            break;
        case 'e':
            if (parse_date_opt("import", "--effective", optarg, &im.effective)) return 2;
            break;
        case 't':
            im.title = optarg;
            break;
        case 'L':
            im.level = optarg;
            break;
        case 'a':
            if (im.n_aliases == sizeof aliases / sizeof *aliases) {
                fprintf(stderr, "regwatch statutes import: --alias 太多\n");
                return 2;
            }
            aliases[im.n_aliases++] = optarg;
            break;
        case 'h':
            import_usage(stdout);
            return 0;
        default:
            return 2;
        }
    }
    if (optind != argc - 1 || !im.law || im.effective < 0) {
        fprintf(stderr,
                "regwatch statutes import: 需要一个文件、--law 和 --effective（见 --help）\n");
        return 2;
    }
    im.file = argv[optind];
    im.aliases = aliases;
    rw_buf_t dir;
    rw_buf_init(&dir);
    rw_buf_printf(&dir, "%s/statutes", rules);
    rw_diags_t d;
    rw_diags_init(&d);
    int rc = rw_statutes_import(dir.data, &im, &d);
    rw_diags_print_if(&d, stderr, 1);
    rw_diags_free(&d);
    if (rc) {
        fprintf(stderr, "regwatch statutes import: 导入失败，法规库未改动\n");
        rw_buf_free(&dir);
        return 1;
    }
    rw_statutes_t *s = load_library("import", rules);
    const rw_law_t *law = s ? rw_statutes_find(s, im.law) : NULL;
    const char *slash = strrchr(im.file, '/');
    const char *name = slash ? slash + 1 : im.file;
    char date[11];
    rw_date_format(im.effective, date);
    if (law && law->n_versions == 1) {
        printf("已导入 %s：新增法律 %s（%s），%s 起施行\n", name, law->title, law->id, date);
    } else if (law) {
        printf("已导入 %s：%s（%s）新增 %s 起施行的版本，现有 %zu 个版本\n", name, law->title,
               law->id, date, law->n_versions);
    }
    if (law) printf("  文本：%s/%s\n", dir.data, name);
    if (law && law->n_versions > 1)
        printf("  查看修改：regwatch statutes diff %s --rules %s\n", law->id, rules);
    int64_t nd;
    if (!name_date(name, &nd) && nd != im.effective) {
        char fd[11];
        rw_date_format(nd, fd);
        printf("  注意：文件名中的 %s 是公布（通过）日期，已按 --effective 记录生效日期 %s\n", fd,
               date);
    }
    rw_statutes_free(s);
    rw_buf_free(&dir);
    return law ? 0 : 1;
}

/* ---- diff ------------------------------------------------------------------------- */

static void diff_usage(FILE *out)
{
    fprintf(
        out,
        "用法: regwatch statutes diff 法律 [--from DATE] [--to DATE] [--json] [--rules DIR]\n\n"
        "逐条比较一部法律的两个版本（默认最后两个），列出修改、新增、删除、条号变动与未变的条，\n"
        "修改的条再逐款比较。比较时全角/半角标点折叠、空白不计。条号不变的条按条号对应；\n"
        "修订（条号整体变动）时按内容对应（先找条文相同的，再找足够相似的），laws.yaml 中\n"
        "版本的 renumbered: {原条号: 新条号} 映射优先（规则引用也按它跟随）。\n\n"
        "  法律               id 或别名\n"
        "  --from DATE        旧版本：DATE 施行的版本（默认倒数第二个版本）\n"
        "  --to DATE          新版本：DATE 施行的版本（默认最后一个版本）\n"
        "  --json             输出 JSON\n" RULES_HELP);
}

/* The version taking force last on or before day, repeal aside: diff compares texts. */
static const rw_law_version_t *version_on(const rw_law_t *law, int64_t day)
{
    const rw_law_version_t *v = NULL;
    for (size_t i = 0; i < law->n_versions && law->versions[i].effective <= day; i++)
        v = &law->versions[i];
    return v;
}

static void paragraph_name(int index, char *out, size_t len)
{
    char n[32];
    rw_cn_number(index + 1, n, sizeof n);
    snprintf(out, len, "第%s款", n);
}

/* A 款 with its 项, and an article's 款 in turn, one per line as the official text sets them. */
static void put_para(rw_buf_t *b, const rw_stat_para_t *p)
{
    rw_buf_puts(b, p->text);
    for (size_t i = 0; i < p->n_items; i++)
        rw_buf_printf(b, "\n%s", p->items[i].text);
}

static char *para_str(const rw_stat_para_t *p)
{
    rw_buf_t b;
    rw_buf_init(&b);
    put_para(&b, p);
    return rw_buf_steal(&b);
}

static char *article_str(const rw_stat_article_t *a)
{
    rw_buf_t b;
    rw_buf_init(&b);
    for (size_t i = 0; i < a->n_paras; i++) {
        if (i) rw_buf_putc(&b, '\n');
        put_para(&b, &a->paras[i]);
    }
    return rw_buf_steal(&b);
}

static void print_old_new(const char *indent, char *old, char *new)
{
    char first[32], rest[32];
    if (old) {
        snprintf(first, sizeof first, "%s原：", indent);
        snprintf(rest, sizeof rest, "%s    ", indent);
        print_text(first, rest, old);
    }
    if (new) {
        snprintf(first, sizeof first, "%s新：", indent);
        snprintf(rest, sizeof rest, "%s    ", indent);
        print_text(first, rest, new);
    }
    free(old);
    free(new);
}

static void print_para_diff(const rw_diff_entry_t *p, const rw_stat_article_t *old,
                            const rw_stat_article_t *new)
{
    char on[48], nn[48];
    if (p->old_index >= 0) paragraph_name(p->old_index, on, sizeof on);
    if (p->new_index >= 0) paragraph_name(p->new_index, nn, sizeof nn);
    switch (p->status) {
    case RW_DIFF_AMENDED:
        printf("  %s 修改\n", nn);
        break;
    case RW_DIFF_ADDED:
        printf("  %s 新增\n", nn);
        break;
    case RW_DIFF_REMOVED:
        printf("  %s 删除\n", on);
        break;
    case RW_DIFF_RENUMBERED:
        printf("  %s → %s 款序变动%s\n", on, nn, p->amended ? "并修改" : "（文字未变）");
        break;
    default:
        return;
    }
    if (p->status == RW_DIFF_RENUMBERED && !p->amended) return;
    print_old_new("    ", p->old_index >= 0 ? para_str(&old->paras[p->old_index]) : NULL,
                  p->new_index >= 0 ? para_str(&new->paras[p->new_index]) : NULL);
}

static const char *match_note(rw_diff_match_t by)
{
    switch (by) {
    case RW_MATCH_MAP:
        return "（按 laws.yaml 的 renumbered）";
    case RW_MATCH_TEXT:
        return "（按条文内容对应）";
    case RW_MATCH_SIMILAR:
        return "（按相似条文对应）";
    default:
        return "";
    }
}

static void print_article_diff(const rw_law_diff_t *d, const rw_diff_entry_t *e)
{
    const rw_stat_article_t *old =
        e->old_index >= 0 ? &d->from->text->articles[e->old_index] : NULL;
    const rw_stat_article_t *new = e->new_index >= 0 ? &d->to->text->articles[e->new_index] : NULL;
    char *ol = old ? article_label(old) : NULL, *nl = new ? article_label(new) : NULL;
    switch (e->status) {
    case RW_DIFF_AMENDED:
        printf("%s 修改%s\n", nl, match_note(e->by));
        break;
    case RW_DIFF_ADDED:
        printf("%s 新增\n", nl);
        break;
    case RW_DIFF_REMOVED:
        printf("%s 删除\n", ol);
        break;
    case RW_DIFF_RENUMBERED:
        printf("%s → %s 条号变动%s%s\n", ol, nl, e->amended ? "并修改" : "（条文未变）",
               match_note(e->by));
        break;
    default:
        break;
    }
    free(ol);
    free(nl);
    if (!e->amended && e->status != RW_DIFF_ADDED && e->status != RW_DIFF_REMOVED) return;
    /* One 款 on both sides: the article's own old and new texts say it all. */
    if (e->status == RW_DIFF_ADDED || e->status == RW_DIFF_REMOVED ||
        (old->n_paras == 1 && new->n_paras == 1)) {
        print_old_new("  ", old ? article_str(old) : NULL, new ? article_str(new) : NULL);
        return;
    }
    size_t same = 0;
    for (size_t k = 0; k < e->n_paras; k++) {
        if (e->paras[k].status == RW_DIFF_UNCHANGED) same++;
        print_para_diff(&e->paras[k], old, new);
    }
    if (same) printf("  其余 %zu 款未变\n", same);
}

/* Unchanged articles as ranges in report order: 第一条至第三十条、第三十二条至第六十条. */
static void print_unchanged(const rw_law_diff_t *d)
{
    rw_buf_t b;
    rw_buf_init(&b);
    for (size_t i = 0; i < d->n_articles;) {
        if (d->articles[i].status != RW_DIFF_UNCHANGED) {
            i++;
            continue;
        }
        size_t j = i;
        while (j + 1 < d->n_articles && d->articles[j + 1].status == RW_DIFF_UNCHANGED)
            j++;
        char *first = article_label(&d->to->text->articles[d->articles[i].new_index]);
        rw_buf_printf(&b, "%s%s", b.len ? "、" : "", first);
        if (j > i) {
            char *last = article_label(&d->to->text->articles[d->articles[j].new_index]);
            rw_buf_printf(&b, "%s%s", j == i + 1 ? "、" : "至", last);
            free(last);
        }
        free(first);
        i = j + 1;
    }
    if (b.len) printf("未变：%s\n\n", b.data);
    rw_buf_free(&b);
}

/* What the diff found but laws.yaml does not say: renumbering references will not follow. */
static void print_map_hint(const rw_law_diff_t *d)
{
    const rw_law_t *law = d->law;
    rw_buf_t map, loose;
    rw_buf_init(&map);
    rw_buf_init(&loose);
    int adjacent = d->to == d->from + 1;
    for (size_t i = 0; i < d->n_articles; i++) {
        const rw_diff_entry_t *e = &d->articles[i];
        char o[24], n[24];
        if (e->status == RW_DIFF_RENUMBERED && e->by != RW_MATCH_MAP) {
            const rw_stat_article_t *a = &d->from->text->articles[e->old_index];
            const rw_stat_article_t *b = &d->to->text->articles[e->new_index];
            rw_article_ref(a->number, a->sub, o);
            rw_article_ref(b->number, b->sub, n);
            rw_buf_printf(&map, "%s%s: %s", map.len ? ", " : "", o, n);
            rw_buf_printf(&loose, "%s%s → %s", loose.len ? "、" : "", o, n);
        }
    }
    if (map.len && !d->mapped && adjacent) {
        /* A removed article whose number the new version reuses needs null, or references
         * to it would land on the new article (and the loader refuses the map). */
        for (size_t i = 0; i < d->n_articles; i++) {
            const rw_diff_entry_t *e = &d->articles[i];
            if (e->status != RW_DIFF_REMOVED) continue;
            const rw_stat_article_t *a = &d->from->text->articles[e->old_index];
            if (!rw_law_text_article(d->to->text, a->number, a->sub)) continue;
            char o[24];
            rw_article_ref(a->number, a->sub, o);
            rw_buf_printf(&map, ", %s: null", o);
        }
        char date[11];
        rw_date_format(d->to->effective, date);
        printf(
            "注意：条号变动未写入 laws.yaml，规则对旧条号的引用仍按原条号解析（会落到别的条上）。\n"
            "若要引用跟随，在 %s 的 %s 版本下加上：\n  renumbered: {%s}\n\n",
            law->id, date, map.data);
    } else if (loose.len) {
        printf("注意：以下按内容对应的条号变动不在 renumbered 映射中，规则引用不会跟随：%s\n\n",
               loose.data);
    }
    rw_buf_free(&map);
    rw_buf_free(&loose);
}

static int cmd_diff(int argc, char **argv)
{
    const char *rules = "rules";
    int64_t from = -1, to = -1;
    int as_json = 0;
    static const struct option longopts[] = {
        {"rules", required_argument, 0, 'R'}, {"from", required_argument, 0, 'f'},
        {"to", required_argument, 0, 't'},    {"json", no_argument, 0, 'j'},
        {"help", no_argument, 0, 'h'},        {0, 0, 0, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'R':
            rules = optarg;
            break;
        case 'f':
            if (parse_date_opt("diff", "--from", optarg, &from)) return 2;
            break;
        case 't':
            if (parse_date_opt("diff", "--to", optarg, &to)) return 2;
            break;
        case 'j':
            as_json = 1;
            break;
        case 'h':
            diff_usage(stdout);
            return 0;
        default:
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "regwatch statutes diff: 需要一部法律的 id 或别名（见 --help）\n");
        return 2;
    }
    if (from >= 0 && to >= 0 && from >= to) {
        fprintf(stderr, "regwatch statutes diff: --from 应早于 --to\n");
        return 2;
    }
    rw_statutes_t *s = load_library("diff", rules);
    if (!s) return 1;
    int rc = 1;
    const rw_law_t *law = rw_statutes_find(s, argv[optind]);
    const rw_law_version_t *a = NULL, *b = NULL;
    char date[11], d2[11];
    if (!law) {
        fprintf(stderr, "regwatch statutes diff: 法规库中没有「%s」（laws.yaml 的 id 或别名）\n",
                argv[optind]);
        goto done;
    }
    if (law->n_versions < 2) {
        fprintf(stderr, "regwatch statutes diff: %s 只有一个版本（%s），没有可比较的\n", law->id,
                version_desc(&law->versions[0], date));
        goto done;
    }
    b = to >= 0 ? version_on(law, to) : &law->versions[law->n_versions - 1];
    a = from >= 0 ? version_on(law, from) : b && b > law->versions ? b - 1 : NULL;
    if (!a || !b) {
        rw_date_format(from >= 0 && !a ? from : to, date);
        fprintf(stderr, "regwatch statutes diff: %s 早于 %s 最早的版本（%s 起施行）\n", date,
                law->id, version_desc(&law->versions[0], d2));
        goto done;
    }
    if (a >= b) {
        fprintf(
            stderr,
            "regwatch statutes diff: --from 与 --to 落在同一个版本（%s 起施行），没有可比较的\n",
            version_desc(a, date));
        goto done;
    }
    rw_law_diff_t d;
    rw_law_diff(law, a, b, &d);
    if (as_json) {
        print_json(rw_law_diff_json(&d));
    } else {
        printf("%s（%s）\n", law->title, law->id);
        const char *sa = version_desc(a, date), *sb = version_desc(b, d2);
        printf("比较 %s 起施行的版本（%s）与 %s 起施行的版本（%s）；全角/半角标点与空白不计\n\n",
               date, sa, d2, sb);
        for (size_t i = 0; i < d.n_articles; i++)
            if (d.articles[i].status != RW_DIFF_UNCHANGED) {
                print_article_diff(&d, &d.articles[i]);
                printf("\n");
            }
        print_unchanged(&d);
        print_map_hint(&d);
        printf("合计：修改 %zu 条，新增 %zu 条，删除 %zu 条，条号变动 %zu 条，未变 %zu 条"
               "（旧版 %zu 条，新版 %zu 条）\n",
               d.count[RW_DIFF_AMENDED], d.count[RW_DIFF_ADDED], d.count[RW_DIFF_REMOVED],
               d.count[RW_DIFF_RENUMBERED], d.count[RW_DIFF_UNCHANGED], a->text->n_articles,
               b->text->n_articles);
    }
    rw_law_diff_free(&d);
    rc = 0;
done:
    rw_statutes_free(s);
    return rc;
}

/* ---- show ------------------------------------------------------------------------- */

static void show_usage(FILE *out)
{
    fprintf(
        out,
        "用法: regwatch statutes show 引用 [--at DATE] [--json] [--rules DIR]\n\n"
        "显示一个条款：引用标签、法律名称、DATE（默认今天）施行的版本及其条文，以及之后的\n"
        "版本是否修改了它（附新条文）或法律已废止。引用写作 法律[@日期]#条[.款[.项]]，\n"
        "如 食品安全法#34.1.6、计量法实施细则@2018-03-19#31。\n"
        "DATE 不在施行时（早于第一个版本、已废止、该版本没有这一条款）说明原因，退出码为 1。\n\n"
        "  --at DATE          按 DATE 施行的版本解析（默认今天）\n"
        "  --json             输出 JSON\n" RULES_HELP);
}

/* Why the clause is not in force at day, or NULL when it is (*v, *a and *in set then). */
static char *not_in_force(const rw_clause_ref_t *r, int64_t day, const rw_law_version_t **v,
                          const rw_stat_article_t **a, rw_clause_ref_t *in)
{
    const rw_law_t *law = r->law;
    rw_buf_t b;
    rw_buf_init(&b);
    char d1[11], d2[11], name[128];
    if (law->repealed != RW_DAY_NONE && day >= law->repealed) {
        rw_date_format(law->repealed, d1);
        rw_buf_printf(&b, "%s已于 %s 废止", law->title, d1);
        return rw_buf_steal(&b);
    }
    *v = rw_law_version_at(law, r->pin != RW_DAY_NONE ? r->pin : day);
    if (!*v && r->pin != RW_DAY_NONE && law->repealed != RW_DAY_NONE && r->pin >= law->repealed) {
        rw_date_format(r->pin, d1);
        rw_date_format(law->repealed, d2);
        rw_buf_printf(&b, "引用固定的日期 %s 时%s已废止（%s 起）", d1, law->title, d2);
        return rw_buf_steal(&b);
    }
    if (!*v) {
        rw_date_format(r->pin != RW_DAY_NONE ? r->pin : day, d1);
        rw_date_format(law->versions[0].effective, d2);
        rw_buf_printf(&b, "%s%s 早于%s最早的版本（%s 起施行）",
                      r->pin != RW_DAY_NONE ? "引用固定的日期 " : "", d1, law->title, d2);
        return rw_buf_steal(&b);
    }
    rw_date_format((*v)->effective, d1);
    if (rw_clause_ref_in(r, *v, in)) {
        rw_clause_ref_t orig = *r;
        orig.para = orig.item = 0;
        char *l = rw_clause_label(&orig, NULL);
        rw_buf_printf(&b, "按 laws.yaml 的 renumbered，%s 起施行的版本已删除原%s", d1, l);
        free(l);
        return rw_buf_steal(&b);
    }
    *a = rw_law_text_article((*v)->text, in->article, in->sub);
    const rw_law_text_t *t = (*v)->text;
    if (!*a) {
        rw_clause_ref_t art = *in;
        art.para = art.item = 0;
        char *l = rw_clause_label(&art, NULL),
             *last = article_label(&t->articles[t->n_articles - 1]);
        rw_buf_printf(&b, "%s 起施行的版本没有%s（该版共 %zu 条，最后一条是%s）", d1, l,
                      t->n_articles, last);
        free(l);
        free(last);
        return rw_buf_steal(&b);
    }
    char *al = article_label(*a);
    if (r->para && (size_t)r->para > (*a)->n_paras) {
        rw_buf_printf(&b, "%s 起施行的版本中%s只有 %zu 款", d1, al, (*a)->n_paras);
    } else if (r->item && (size_t)r->item > (*a)->paras[r->para - 1].n_items) {
        paragraph_name(r->para - 1, name, sizeof name);
        rw_buf_printf(&b, "%s 起施行的版本中%s%s只有 %zu 项", d1, al, (*a)->n_paras > 1 ? name : "",
                      (*a)->paras[r->para - 1].n_items);
    }
    free(al);
    if (b.len) return rw_buf_steal(&b);
    rw_buf_free(&b);
    return NULL;
}

static int cmd_show(int argc, char **argv)
{
    const char *rules = "rules";
    int64_t at = today();
    int as_json = 0;
    static const struct option longopts[] = {{"rules", required_argument, 0, 'R'},
                                             {"at", required_argument, 0, 'a'},
                                             {"json", no_argument, 0, 'j'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'R':
            rules = optarg;
            break;
        case 'a':
            if (parse_date_opt("show", "--at", optarg, &at)) return 2;
            break;
        case 'j':
            as_json = 1;
            break;
        case 'h':
            show_usage(stdout);
            return 0;
        default:
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr,
                "regwatch statutes show: 需要一个条款引用，如 食品安全法#34.1.6（见 --help）\n");
        return 2;
    }
    const char *text_ref = argv[optind];
    rw_statutes_t *s = load_library("show", rules);
    if (!s) return 1;
    rw_clause_ref_t r, in;
    char err[512], atd[11], vd[11];
    rw_date_format(at, atd);
    if (rw_clause_ref_parse(s, text_ref, &r, err, sizeof err)) {
        fprintf(stderr, "regwatch statutes show: %s\n", err);
        rw_statutes_free(s);
        return 1;
    }
    const rw_law_t *law = r.law;
    const rw_law_version_t *v = NULL;
    const rw_stat_article_t *a = NULL;
    char *why = not_in_force(&r, at, &v, &a, &in);
    if (why) {
        if (as_json)
            print_json(json_pack("{s:s, s:s, s:s, s:s, s:b, s:s}", "ref", text_ref, "at", atd,
                                 "law", law->id, "title", law->title, "in_force", 0, "reason",
                                 why));
        else
            printf("%s 在 %s 不在施行：%s\n", text_ref, atd, why);
        free(why);
        rw_statutes_free(s);
        return 1;
    }
    char *label = rw_clause_label(&in, a), *text = rw_clause_text(&r, v);
    rw_date_format(v->effective, vd);
    json_t *later = json_array();
    if (!as_json) {
        printf("%s  %s\n%s（%s）\n", text_ref, label, law->title, law->id);
        printf("%s 适用 %s 起施行的版本（%s）%s\n", atd, vd, v->source,
               r.pin != RW_DAY_NONE ? "：引用用 @日期 固定了版本" : "");
        if (in.article != r.article || in.sub != r.sub) {
            char o[24];
            rw_article_ref(r.article, r.sub, o);
            printf("条号：引用写的是第 %s 条（原条号），laws.yaml 的 renumbered 使它在此版本为%s\n",
                   o, label);
        }
        printf("\n");
        print_text("  ", "  ", text);
        printf("\n");
    }
    /* Each later version that changed the clause, against the one before it. */
    char *prev = rw_xstrdup(text), *prev_label = rw_xstrdup(label);
    size_t vi = (size_t)(v - law->versions), changes = 0;
    for (size_t k = vi + 1; k < law->n_versions; k++) {
        const rw_law_version_t *w = &law->versions[k];
        if (law->repealed != RW_DAY_NONE && w->effective >= law->repealed) break;
        rw_clause_ref_t win;
        const rw_stat_article_t *wa = NULL;
        char *wt = rw_clause_text(&r, w), *wl = NULL;
        if (wt && !rw_clause_ref_in(&r, w, &win)) {
            wa = rw_law_text_article(w->text, win.article, win.sub);
            wl = rw_clause_label(&win, wa);
        }
        int text_changed = !prev != !wt || (wt && !rw_stat_text_equal(prev, wt));
        int label_changed = wl && prev_label && strcmp(wl, prev_label);
        if (text_changed || label_changed) {
            const char *status = !wt            ? "removed"
                                 : !prev        ? "restored"
                                 : text_changed ? "amended"
                                                : "renumbered";
            rw_date_format(w->effective, vd);
            json_t *o = json_pack("{s:s, s:s, s:s}", "effective", vd, "source", w->source, "status",
                                  status);
            if (wl) json_object_set_new(o, "label", json_string(wl));
            if (wt) json_object_set_new(o, "text", json_string(wt));
            json_array_append_new(later, o);
            if (!as_json) {
                if (!changes++) printf("此后的变化：\n");
                if (!wt)
                    printf("  %s 起施行的版本（%s）删除了该条款\n", vd, w->source);
                else if (!text_changed)
                    printf("  %s 起施行的版本（%s）改为%s，条文未变\n", vd, w->source, wl);
                else if (!prev)
                    printf("  %s 起施行的版本（%s）重新有了%s：\n", vd, w->source, wl);
                else if (label_changed)
                    printf("  %s 起施行的版本（%s）改为%s，并修改为：\n", vd, w->source, wl);
                else
                    printf("  %s 起施行的版本（%s）修改为：\n", vd, w->source);
                if (wt && text_changed) print_text("    ", "    ", wt);
            }
        }
        free(prev);
        free(prev_label);
        prev = wt;
        prev_label = wl;
    }
    free(prev);
    free(prev_label);
    if (law->repealed != RW_DAY_NONE) {
        rw_date_format(law->repealed, vd);
        if (!as_json) {
            if (!changes++) printf("此后的变化：\n");
            printf("  %s 起%s废止\n", vd, law->title);
        }
    }
    if (!as_json && !changes) {
        rw_date_format(law->versions[law->n_versions - 1].effective, vd);
        if (vi == law->n_versions - 1)
            printf("这是最新版本（%s 起施行），此后没有修改\n", vd);
        else
            printf("此后的版本没有修改该条款（最新版本 %s 起施行）\n", vd);
    }
    if (as_json) {
        rw_date_format(v->effective, vd);
        json_t *o =
            json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:s, s:o}", "ref", text_ref, "at",
                      atd, "law", law->id, "title", law->title, "in_force", 1, "version", vd,
                      "source", v->source, "label", label, "text", text, "later", later);
        if (law->repealed != RW_DAY_NONE) {
            rw_date_format(law->repealed, vd);
            json_object_set_new(o, "repealed", json_string(vd));
        } else {
            json_object_set_new(o, "repealed", json_null());
        }
        print_json(o);
    } else {
        json_decref(later);
    }
    free(label);
    free(text);
    rw_statutes_free(s);
    return 0;
}

/* ---- dispatch --------------------------------------------------------------------- */

static void usage(FILE *out)
{
    fprintf(out, "用法: regwatch statutes <import|diff|show> [选项]\n\n"
                 "法规库（rules/statutes）的维护工具：\n"
                 "  import   导入一部法律法规的新版本（检查布局、复制文本、写入 laws.yaml）\n"
                 "  diff     逐条、逐款比较两个版本：修改、新增、删除、条号变动、未变\n"
                 "  show     显示某日施行的条款文本，以及之后的修改或废止\n\n"
                 "每个子命令的 --help 说明其选项。\n");
}

int rw_cmd_statutes(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(sub, "import")) return cmd_import(argc - 1, argv + 1);
    if (!strcmp(sub, "diff")) return cmd_diff(argc - 1, argv + 1);
    if (!strcmp(sub, "show")) return cmd_show(argc - 1, argv + 1);
    fprintf(stderr, "regwatch statutes: 未知的子命令「%s」（可用：import、diff、show）\n\n", sub);
    usage(stderr);
    return 2;
}
