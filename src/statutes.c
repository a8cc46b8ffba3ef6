/* statutes.c — the clause library (statutes.md): law texts parsed from the LawRefBook
 * Markdown layout, laws.yaml, clause references, resolution at a date, citation labels,
 * clause texts and the `changed` comparison against the version in force now. */
#include "statutes.h"

#include "rwtime.h"
#include "util.h"
#include "yamldoc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Makes room for one more element in an array holding n: capacities are powers of two, so
 * arrays need no capacity field next to their count. */
static void *grow(void *p, size_t n, size_t size)
{
    if (n & (n - 1)) return p;
    return rw_xrealloc(p, (n ? 2 * n : 1) * size);
}

/* Decodes the code point at s[*i] and advances *i; a byte that does not start a well-formed
 * sequence reads as itself, so callers never run past the end. */
static uint32_t utf8_next(const char *s, size_t n, size_t *i)
{
    const unsigned char *u = (const unsigned char *)s + *i;
    size_t rem = n - *i, len = u[0] < 0x80 ? 1 : u[0] >= 0xF0 ? 4 : u[0] >= 0xE0 ? 3 : 2;
    if (len > 1 && (len > rem || u[0] < 0xC2 || u[0] > 0xF4 || !rw_utf8_valid(s + *i, len)))
        len = 1;
    uint32_t c = len == 1   ? u[0]
                 : len == 2 ? (uint32_t)(u[0] & 0x1F) << 6 | (u[1] & 0x3F)
                 : len == 3
                     ? (uint32_t)(u[0] & 0x0F) << 12 | (uint32_t)(u[1] & 0x3F) << 6 | (u[2] & 0x3F)
                     : (uint32_t)(u[0] & 0x07) << 18 | (uint32_t)(u[1] & 0x3F) << 12 |
                           (uint32_t)(u[2] & 0x3F) << 6 | (u[3] & 0x3F);
    *i += len;
    return c;
}

/* U+3000 and U+00A0 count: the official texts indent and pad with them. */
static int is_space_cp(uint32_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
           c == 0x3000 || c == 0xA0;
}

static int starts(const char *s, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    return n >= l && !memcmp(s, lit, l);
}

static int ends(const char *s, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    return n >= l && !memcmp(s + n - l, lit, l);
}

/* ---- Chinese numerals ------------------------------------------------------------- */

static const char *const CN_DIGITS[] = {"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"};

/* The value of the numeral character at p (all are 3 bytes in UTF-8): 0-9, or 10, 100,
 * 1000 for 十百千; -1 for anything else. */
static int cn_value(const char *p, size_t rem)
{
    if (rem < 3) return -1;
    for (int v = 0; v < 10; v++)
        if (!memcmp(p, CN_DIGITS[v], 3)) return v;
    if (!memcmp(p, "十", 3)) return 10;
    if (!memcmp(p, "百", 3)) return 100;
    if (!memcmp(p, "千", 3)) return 1000;
    return -1;
}

/* Byte length of the run of numeral characters at s. */
static size_t cn_run(const char *s, size_t n)
{
    size_t i = 0;
    while (cn_value(s + i, n - i) >= 0)
        i += 3;
    return i;
}

void rw_cn_number(int n, char *out, size_t outlen)
{
    if (!outlen) return;
    if (n < 0 || n > 9999) {
        /* Beyond 千 statutes do not number anything; digits keep the value readable. */
        snprintf(out, outlen, "%d", n);
        return;
    }
    if (n == 0) {
        snprintf(out, outlen, "%s", CN_DIGITS[0]);
        return;
    }
    static const char *const units[] = {"千", "百", "十", ""};
    static const int place[] = {1000, 100, 10, 1};
    char buf[64] = "";
    int started = 0, gap = 0;
    for (int i = 0; i < 4; i++) {
        int digit = n / place[i] % 10;
        if (!digit) {
            gap = started;
            continue;
        }
        /* One 零 stands for any run of empty places inside the number (一千零二十). */
        if (gap) strcat(buf, CN_DIGITS[0]);
        gap = 0;
        /* 十二 but 一百一十: the leading 一 is dropped only when 十 opens the number. */
        if (!(digit == 1 && place[i] == 10 && !started)) strcat(buf, CN_DIGITS[digit]);
        strcat(buf, units[i]);
        started = 1;
    }
    snprintf(out, outlen, "%s", buf);
}

int rw_cn_parse(const char *s, size_t len)
{
    if (!s || !len || len > 64) return -1;
    int total = 0, digit = 0;
    for (size_t i = 0; i < len; i += 3) {
        int v = cn_value(s + i, len - i);
        if (v < 0) return -1;
        if (v < 10) {
            digit = v;
        } else {
            total += (digit ? digit : v == 10 ? 1 : 0) * v;
            digit = 0;
        }
    }
    total += digit;
    /* Only the canonical spelling is a numeral (一百五 and 一十二 are not): whatever the
     * loose reading above made of the text must spell back to exactly that text. */
    char canon[64];
    rw_cn_number(total, canon, sizeof canon);
    return strlen(canon) == len && !memcmp(canon, s, len) ? total : -1;
}

/* 第三十四条, 第十条之一. */
static void article_name(int number, int sub, char *out, size_t outlen)
{
    char n[32], s[32]; /* a numeral up to 9999 takes 22 bytes */
    rw_cn_number(number, n, sizeof n);
    if (!sub) {
        snprintf(out, outlen, "第%s条", n);
        return;
    }
    rw_cn_number(sub, s, sizeof s);
    snprintf(out, outlen, "第%s条之%s", n, s);
}

/* ---- Markdown law texts ------------------------------------------------------------- */

/* One line of the file with its surrounding whitespace trimmed. */
typedef struct {
    const char *s;
    size_t len;
    int line, col; /* where s starts; col in code points */
} mline_t;

static mline_t trim_line(const char *raw, size_t n, int line)
{
    size_t i = 0, j;
    int col = 1;
    while (i < n) {
        j = i;
        if (!is_space_cp(utf8_next(raw, n, &j))) break;
        i = j;
        col++;
    }
    size_t end = i;
    for (j = i; j < n;)
        if (!is_space_cp(utf8_next(raw, n, &j))) end = j;
    return (mline_t){raw + i, end - i, line, col};
}

static int col_at(const mline_t *l, size_t off)
{
    return l->col + (int)rw_utf8_count(l->s, off);
}

typedef struct {
    const char *text;
    size_t len, pos;
    int line;
} lines_t;

static int next_line(lines_t *it, mline_t *out)
{
    if (it->pos >= it->len) return 0;
    const char *start = it->text + it->pos;
    const char *nl = memchr(start, '\n', it->len - it->pos);
    size_t n = nl ? (size_t)(nl - start) : it->len - it->pos;
    it->pos += n + 1;
    *out = trim_line(start, n, ++it->line);
    return 1;
}

/* 第三十四条 / 第十条之一 at the start of a paragraph, followed by whitespace or the line's
 * end. Without the whitespace it is running text (第三人…, 第十条规定的…). */
typedef struct {
    size_t num_off, num_len; /* the article's numeral */
    size_t sub_off, sub_len; /* the numeral after 之; sub_len 0 when none */
    size_t body_off;         /* where the first 款 starts */
} heading_t;

static int match_article(const char *s, size_t n, heading_t *h)
{
    if (!starts(s, n, "第")) return 0;
    size_t i = 3;
    h->num_off = i;
    h->num_len = cn_run(s + i, n - i);
    if (!h->num_len) return 0;
    i += h->num_len;
    if (!starts(s + i, n - i, "条")) return 0;
    i += 3;
    h->sub_off = h->sub_len = 0;
    if (starts(s + i, n - i, "之")) {
        size_t r = cn_run(s + i + 3, n - i - 3);
        if (!r) return 0;
        h->sub_off = i + 3;
        h->sub_len = r;
        i += 3 + r;
    }
    size_t j = i;
    if (i < n && !is_space_cp(utf8_next(s, n, &j))) return 0;
    while (i < n) {
        j = i;
        if (!is_space_cp(utf8_next(s, n, &j))) break;
        i = j;
    }
    h->body_off = i;
    return 1;
}

/* （一） or (一), brackets of either width (both occur in the official texts). */
static int match_item(const char *s, size_t n, size_t *num_off, size_t *num_len)
{
    size_t i = starts(s, n, "（") ? 3 : starts(s, n, "(") ? 1 : 0;
    if (!i) return 0;
    size_t r = cn_run(s + i, n - i);
    size_t j = i + r;
    if (!r || !(starts(s + j, n - j, "）") || starts(s + j, n - j, ")"))) return 0;
    *num_off = i;
    *num_len = r;
    return 1;
}

/* Whether a line ends a sentence. A line that does not, followed directly by a plain line,
 * was wrapped and continues there; one that does ends its paragraph even when no blank
 * line follows. */
static int ends_sentence(const char *s, size_t n)
{
    static const char *const closers[] = {"”", "’", "」", "』", "）", ")"};
    static const char *const stops[] = {"。", "；", "：", "！", "？", ";", ":", "!", "?"};
    for (size_t k = 0; k < sizeof closers / sizeof *closers;)
        if (ends(s, n, closers[k])) {
            n -= strlen(closers[k]);
            k = 0;
        } else {
            k++;
        }
    for (size_t k = 0; k < sizeof stops / sizeof *stops; k++)
        if (ends(s, n, stops[k])) return 1;
    return 0;
}

typedef enum { P_NONE, P_HEADING, P_ARTICLE, P_ITEM, P_TEXT } pkind_t;

typedef struct {
    const char *path;
    rw_diags_t *d;
    rw_law_text_t *t;
    int in_article; /* paragraphs belong to the last article: not before it, not after a heading */
    /* the paragraph being gathered from its lines */
    pkind_t kind;
    mline_t first;
    heading_t h;
    size_t item_off, item_len;
    rw_buf_t buf;
} md_t;

static int add_article(md_t *m, const mline_t *l)
{
    rw_law_text_t *t = m->t;
    const heading_t *h = &m->h;
    int num = rw_cn_parse(l->s + h->num_off, h->num_len), sub = 0;
    if (num < 1) {
        rw_diag_error(m->d, m->path, l->line, col_at(l, h->num_off),
                      "条的序号「%.*s」不是规范的中文数字", (int)h->num_len, l->s + h->num_off);
        return -1;
    }
    if (h->sub_len && (sub = rw_cn_parse(l->s + h->sub_off, h->sub_len)) < 1) {
        rw_diag_error(m->d, m->path, l->line, col_at(l, h->sub_off),
                      "「之」后的序号「%.*s」不是规范的中文数字", (int)h->sub_len,
                      l->s + h->sub_off);
        return -1;
    }
    const rw_stat_article_t *last = t->n_articles ? &t->articles[t->n_articles - 1] : NULL;
    char here[96], want[96], prev[96];
    article_name(num, sub, here, sizeof here);
    if (!sub && num != (last ? last->number + 1 : 1)) {
        if (last) {
            article_name(last->number, last->sub, prev, sizeof prev);
            article_name(last->number + 1, 0, want, sizeof want);
            rw_diag_error(m->d, m->path, l->line, l->col,
                          "条的序号不连续：上一条是%s，这里应为%s，实际是%s", prev, want, here);
        } else {
            rw_diag_error(m->d, m->path, l->line, l->col, "第一个条应为第一条，实际是%s", here);
        }
        return -1;
    }
    if (sub && !(last && last->number == num && last->sub == sub - 1)) {
        article_name(num, sub - 1, want, sizeof want);
        rw_diag_error(m->d, m->path, l->line, l->col, "条的序号不连续：%s应紧跟在%s之后", here,
                      want);
        return -1;
    }
    if (!m->buf.len) {
        rw_diag_error(m->d, m->path, l->line, col_at(l, h->body_off), "%s没有正文", here);
        return -1;
    }
    t->articles = grow(t->articles, t->n_articles, sizeof *t->articles);
    rw_stat_article_t *a = &t->articles[t->n_articles++];
    *a = (rw_stat_article_t){.number = num, .sub = sub, .line = l->line};
    a->paras = rw_xcalloc(1, sizeof *a->paras);
    a->paras[0].text = rw_buf_steal(&m->buf);
    a->n_paras = 1;
    m->in_article = 1;
    return 0;
}

static int add_item(md_t *m, const mline_t *l)
{
    rw_law_text_t *t = m->t;
    const char *num_s = l->s + m->item_off;
    int n_len = (int)m->item_len;
    int num = rw_cn_parse(num_s, m->item_len);
    if (num < 1) {
        rw_diag_error(m->d, m->path, l->line, col_at(l, m->item_off),
                      "项的序号「%.*s」不是规范的中文数字", n_len, num_s);
        return -1;
    }
    if (!t->n_articles) {
        rw_diag_error(m->d, m->path, l->line, l->col,
                      "项（%.*s）出现在第一条之前：项必须跟在某一条的某一款之后", n_len, num_s);
        return -1;
    }
    if (!m->in_article) {
        rw_diag_error(m->d, m->path, l->line, l->col,
                      "项（%.*s）出现在章节标题之后、下一条之前：项必须跟在某一条的某一款之后",
                      n_len, num_s);
        return -1;
    }
    rw_stat_article_t *a = &t->articles[t->n_articles - 1];
    rw_stat_para_t *p = &a->paras[a->n_paras - 1];
    if ((size_t)num != p->n_items + 1) {
        char want[64];
        rw_cn_number((int)p->n_items + 1, want, sizeof want);
        rw_diag_error(m->d, m->path, l->line, l->col,
                      "项的序号不连续：这里应为（%s），实际是（%.*s）", want, n_len, num_s);
        return -1;
    }
    p->items = grow(p->items, p->n_items, sizeof *p->items);
    p->items[p->n_items++].text = rw_buf_steal(&m->buf);
    return 0;
}

static int add_paragraph(md_t *m, const mline_t *l)
{
    rw_law_text_t *t = m->t;
    if (!t->n_articles) {
        rw_diag_error(m->d, m->path, l->line, l->col,
                      "第一条之前出现了正文段落：条应以「第一条」开头，条号后要有空格");
        return -1;
    }
    if (!m->in_article) {
        rw_diag_error(m->d, m->path, l->line, l->col,
                      "章节标题之后的段落应以「第X条」开头，条号后要有空格");
        return -1;
    }
    rw_stat_article_t *a = &t->articles[t->n_articles - 1];
    a->paras = grow(a->paras, a->n_paras, sizeof *a->paras);
    a->paras[a->n_paras++] = (rw_stat_para_t){.text = rw_buf_steal(&m->buf)};
    return 0;
}

/* Files the paragraph gathered so far into the text. */
static int md_flush(md_t *m)
{
    pkind_t kind = m->kind;
    m->kind = P_NONE;
    const mline_t *l = &m->first;
    int rc = 0;
    switch (kind) {
    case P_NONE:
        return 0;
    case P_HEADING:
        if (l->len < 2 || l->s[1] != '#') {
            rw_diag_error(m->d, m->path, l->line, l->col,
                          "正文中不能再有一级标题：章用「## 第X章」，节用「### 第X节」");
            rc = -1;
        }
        m->in_article = 0;
        break;
    case P_ARTICLE:
        rc = add_article(m, l);
        break;
    case P_ITEM:
        rc = add_item(m, l);
        break;
    case P_TEXT:
        rc = add_paragraph(m, l);
        break;
    }
    rw_buf_reset(&m->buf);
    return rc;
}

static pkind_t classify(md_t *m, const mline_t *l)
{
    if (l->s[0] == '#') return P_HEADING;
    if (match_article(l->s, l->len, &m->h)) return P_ARTICLE;
    if (match_item(l->s, l->len, &m->item_off, &m->item_len)) return P_ITEM;
    return P_TEXT;
}

/* Reports the first byte that is not UTF-8 (or is NUL); 0 when the text is clean. */
static int check_encoding(const char *path, const char *text, size_t len, rw_diags_t *d)
{
    if (rw_utf8_valid(text, len) && !memchr(text, 0, len)) return 0;
    int line = 1, col = 1;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)text[i];
        size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        if (!c || n > len - i || !rw_utf8_valid(text + i, n)) break;
        if (c == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
        i += n;
    }
    rw_diag_error(d, path, line, col, "文件不是有效的 UTF-8 文本（或含有 NUL 字节）");
    return -1;
}

int rw_law_text_parse(const char *path, const char *text, size_t len, rw_law_text_t **out,
                      rw_diags_t *d)
{
    *out = NULL;
    if (check_encoding(path, text, len, d)) return -1;
    lines_t it = {text, len, 0, 0};
    if (starts(text, len, "\xEF\xBB\xBF")) it.pos = 3;
    mline_t l = {0};
    int have = 0;
    while ((have = next_line(&it, &l)) && !l.len)
        continue;
    int titled = 0;
    if (have && l.s[0] == '#' && l.len > 1) {
        size_t j = 1;
        titled = is_space_cp(utf8_next(l.s, l.len, &j));
    }
    if (!titled) {
        rw_diag_error(d, path, have ? l.line : 1, have ? l.col : 1,
                      "文件应以标题行开头：「# 法律法规名称」");
        return -1;
    }
    mline_t title = trim_line(l.s + 1, l.len - 1, l.line);
    int title_line = l.line;
    while ((have = next_line(&it, &l)) && !(l.len == 17 && !memcmp(l.s, "<!-- INFO END -->", 17)))
        continue;
    if (!have) {
        rw_diag_error(d, path, title_line, 1,
                      "标题和颁布信息之后缺少「<!-- INFO END -->」一行，正文从它之后开始");
        return -1;
    }
    int info_line = l.line;

    rw_law_text_t *t = rw_xcalloc(1, sizeof *t);
    t->title = rw_xstrndup(title.s, title.len);
    md_t m = {.path = path, .d = d, .t = t};
    rw_buf_init(&m.buf);
    int rc = 0;
    mline_t prev = {0};
    while (!rc && next_line(&it, &l)) {
        if (!l.len) {
            rc = md_flush(&m);
            continue;
        }
        if (starts(l.s, l.len, "<!--")) {
            rw_diag_error(d, path, l.line, l.col, "正文中不应出现 HTML 注释");
            rc = -1;
            break;
        }
        pkind_t kind = classify(&m, &l);
        if (kind == P_TEXT && m.kind != P_NONE && m.kind != P_HEADING &&
            !ends_sentence(prev.s, prev.len)) {
            rw_buf_append(&m.buf, l.s, l.len);
            prev = l;
            continue;
        }
        if ((rc = md_flush(&m))) break;
        m.kind = kind;
        m.first = l;
        if (kind == P_ARTICLE)
            rw_buf_append(&m.buf, l.s + m.h.body_off, l.len - m.h.body_off);
        else
            rw_buf_append(&m.buf, l.s, l.len);
        prev = l;
    }
    if (!rc) rc = md_flush(&m);
    if (!rc && !t->n_articles) {
        rw_diag_error(d, path, info_line, 1, "「<!-- INFO END -->」之后没有任何条（第一条 …）");
        rc = -1;
    }
    rw_buf_free(&m.buf);
    if (rc) {
        rw_law_text_free(t);
        return -1;
    }
    *out = t;
    return 0;
}

void rw_law_text_free(rw_law_text_t *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->n_articles; i++) {
        rw_stat_article_t *a = &t->articles[i];
        for (size_t j = 0; j < a->n_paras; j++) {
            for (size_t k = 0; k < a->paras[j].n_items; k++)
                free(a->paras[j].items[k].text);
            free(a->paras[j].items);
            free(a->paras[j].text);
        }
        free(a->paras);
    }
    free(t->articles);
    free(t->title);
    free(t);
}

const rw_stat_article_t *rw_law_text_article(const rw_law_text_t *t, int number, int sub)
{
    /* The parser only accepts articles in order, so (number, sub) is sorted. */
    size_t lo = 0, hi = t->n_articles;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const rw_stat_article_t *a = &t->articles[mid];
        if (a->number == number && a->sub == sub) return a;
        if (a->number < number || (a->number == number && a->sub < sub))
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* ---- laws.yaml ------------------------------------------------------------------------ */

static const char *const LEVELS[] = {"law", "administrative-regulation", "department-rule",
                                     "local-regulation", "local-government-rule"};

typedef struct {
    const char *name;
    int line;
} seen_name_t;

typedef struct {
    rw_ydoc_t *doc;
    rw_diags_t *d;
    const char *dir;
    int64_t today;
    seen_name_t *names; /* ids and aliases so far: one namespace, as references use both */
    size_t n_names;
} lctx_t;

#define YERR(c, n, ...) rw_diag_error((c)->d, (c)->doc->path, (n)->line, (n)->col, __VA_ARGS__)

/* Reports keys of map not in allowed (a NULL-terminated list); -1 when there are any. */
static int check_keys(lctx_t *c, const rw_ynode_t *map, const char *const *allowed,
                      const char *what)
{
    int rc = 0;
    for (size_t i = 0; i < map->n; i++) {
        const char *const *a = allowed;
        while (*a && strcmp(*a, map->keys[i]->str))
            a++;
        if (*a) continue;
        rw_buf_t list;
        rw_buf_init(&list);
        for (a = allowed; *a; a++)
            rw_buf_printf(&list, "%s%s", a == allowed ? "" : "、", *a);
        YERR(c, map->keys[i], "%s中未知的键「%s」（可用的键：%s）", what, map->keys[i]->str,
             list.data);
        rw_buf_free(&list);
        rc = -1;
    }
    return rc;
}

/* The value of a required key; NULL (reported) when absent. */
static const rw_ynode_t *need(lctx_t *c, const rw_ynode_t *map, const char *key, const char *what)
{
    const rw_ynode_t *v = rw_ymap_get(map, key);
    if (!v) YERR(c, map, "%s缺少必填的键「%s」", what, key);
    return v;
}

static int want_kind(lctx_t *c, const rw_ynode_t *n, rw_ykind_t kind, const char *key)
{
    if (n->kind == kind && (kind != RW_Y_STR || n->len)) return 0;
    if (n->kind == kind)
        YERR(c, n, "「%s」不能为空", key);
    else
        YERR(c, n, "「%s」应为%s，实际是%s", key, rw_ykind_name(kind), rw_ykind_name(n->kind));
    return -1;
}

static int get_date(lctx_t *c, const rw_ynode_t *n, const char *key, int64_t *out)
{
    if (n->kind == RW_Y_STR && !rw_date_parse(n->str, out)) return 0;
    YERR(c, n, "「%s」应为日期 YYYY-MM-DD，实际是%s%s%s", key,
         n->kind == RW_Y_STR ? "「" : rw_ykind_name(n->kind), n->kind == RW_Y_STR ? n->str : "",
         n->kind == RW_Y_STR ? "」" : "");
    return -1;
}

/* Registers an id or alias: unique across the library, and usable in LAW@DATE#… */
static int add_name(lctx_t *c, const rw_ynode_t *n, const char *key)
{
    if (want_kind(c, n, RW_Y_STR, key)) return -1;
    for (size_t i = 0; i < n->len; i++)
        if (strchr(" \t\r\n@#", n->str[i])) {
            YERR(c, n, "名称「%s」不能包含空白、@ 或 #（条款引用用它们分隔）", n->str);
            return -1;
        }
    for (size_t i = 0; i < c->n_names; i++)
        if (!strcmp(c->names[i].name, n->str)) {
            YERR(c, n, "名称「%s」重复：第 %d 行已用作 id 或别名", n->str, c->names[i].line);
            return -1;
        }
    c->names = grow(c->names, c->n_names, sizeof *c->names);
    c->names[c->n_names++] = (seen_name_t){n->str, n->line};
    return 0;
}

static void law_free(rw_law_t *law)
{
    free(law->id);
    free(law->title);
    free(law->level);
    for (size_t i = 0; i < law->n_aliases; i++)
        free(law->aliases[i]);
    free(law->aliases);
    for (size_t i = 0; i < law->n_versions; i++) {
        free(law->versions[i].source);
        rw_law_text_free(law->versions[i].text);
    }
    free(law->versions);
}

static int load_version(lctx_t *c, rw_law_t *law, const rw_ynode_t *v, const rw_ynode_t *title)
{
    static const char *const keys[] = {"effective", "source", NULL};
    if (v->kind != RW_Y_MAP) {
        YERR(c, v, "versions 的每一项应为映射（effective、source），实际是%s",
             rw_ykind_name(v->kind));
        return -1;
    }
    int rc = check_keys(c, v, keys, "版本");
    const rw_ynode_t *eff = need(c, v, "effective", "版本"), *src = need(c, v, "source", "版本");
    int64_t day = -1;
    if (!eff || get_date(c, eff, "effective", &day)) rc = -1;
    if (!src || want_kind(c, src, RW_Y_STR, "source")) return -1;
    if (src->str[0] == '/') {
        YERR(c, src, "source 应为相对于 statutes 目录的文件名，而不是绝对路径");
        return -1;
    }
    if (day >= 0 && law->n_versions) {
        int64_t before = law->versions[law->n_versions - 1].effective;
        char a[11], b[11];
        rw_date_format(day, a);
        rw_date_format(before, b);
        if (day == before) {
            YERR(c, eff, "生效日期 %s 重复：每个版本的生效日期必须不同", a);
            rc = -1;
        } else if (day < before) {
            YERR(c, eff, "versions 应按生效日期从早到晚排列：%s 早于上一个版本的 %s", a, b);
            rc = -1;
        }
    }
    rw_buf_t b;
    rw_buf_init(&b);
    rw_buf_printf(&b, "%s/%s", c->dir, src->str);
    size_t len;
    char *text = rw_read_file(b.data, &len);
    rw_law_text_t *lt = NULL;
    if (!text) {
        YERR(c, src, "无法读取法律文本「%s」：%s", b.data, strerror(errno));
        rc = -1;
    } else if (rw_law_text_parse(b.data, text, len, &lt, c->d)) {
        rc = -1;
    } else if (title && title->kind == RW_Y_STR && strcmp(lt->title, title->str)) {
        rw_diag_warn(c->d, c->doc->path, src->line, src->col,
                     "「%s」的标题是「%s」，与 title「%s」不一致", src->str, lt->title, title->str);
    }
    free(text);
    rw_buf_free(&b);
    if (rc) {
        rw_law_text_free(lt);
        return -1;
    }
    law->versions = grow(law->versions, law->n_versions, sizeof *law->versions);
    law->versions[law->n_versions++] =
        (rw_law_version_t){.effective = day, .source = rw_xstrdup(src->str), .text = lt};
    return 0;
}

static int load_law(lctx_t *c, const rw_ynode_t *e, rw_law_t *law)
{
    static const char *const keys[] = {"id",       "title",    "aliases",  "level",
                                       "verified", "versions", "repealed", NULL};
    *law = (rw_law_t){.verified = -1, .repealed = -1, .line = e->line};
    if (e->kind != RW_Y_MAP) {
        YERR(c, e, "laws 的每一项应为映射（id、title、level、versions…），实际是%s",
             rw_ykind_name(e->kind));
        return -1;
    }
    int rc = check_keys(c, e, keys, "法律条目");
    const rw_ynode_t *n;
    if (!(n = need(c, e, "id", "法律条目")) || add_name(c, n, "id"))
        rc = -1;
    else
        law->id = rw_xstrdup(n->str);
    const rw_ynode_t *title = need(c, e, "title", "法律条目");
    if (!title || want_kind(c, title, RW_Y_STR, "title"))
        rc = -1;
    else
        law->title = rw_xstrdup(title->str);
    if ((n = rw_ymap_get(e, "aliases"))) {
        if (want_kind(c, n, RW_Y_SEQ, "aliases")) {
            rc = -1;
        } else {
            for (size_t i = 0; i < n->n; i++) {
                if (add_name(c, n->items[i], "aliases")) {
                    rc = -1;
                    continue;
                }
                law->aliases = grow(law->aliases, law->n_aliases, sizeof *law->aliases);
                law->aliases[law->n_aliases++] = rw_xstrdup(n->items[i]->str);
            }
        }
    }
    if (!(n = need(c, e, "level", "法律条目")) || want_kind(c, n, RW_Y_STR, "level")) {
        rc = -1;
    } else {
        size_t i = 0, nl = sizeof LEVELS / sizeof *LEVELS;
        while (i < nl && strcmp(LEVELS[i], n->str))
            i++;
        if (i == nl) {
            YERR(c, n,
                 "未知的 level「%s」（可用：law、administrative-regulation、department-rule、"
                 "local-regulation、local-government-rule）",
                 n->str);
            rc = -1;
        } else {
            law->level = rw_xstrdup(n->str);
        }
    }
    const rw_ynode_t *verified = rw_ymap_get(e, "verified");
    if (verified && verified->kind != RW_Y_NULL &&
        get_date(c, verified, "verified", &law->verified))
        rc = -1;
    if (!(n = need(c, e, "versions", "法律条目")) || want_kind(c, n, RW_Y_SEQ, "versions")) {
        rc = -1;
    } else if (!n->n) {
        YERR(c, n, "versions 不能为空：至少要有一个版本");
        rc = -1;
    } else {
        for (size_t i = 0; i < n->n; i++)
            if (load_version(c, law, n->items[i], title)) rc = -1;
    }
    const rw_ynode_t *rep = rw_ymap_get(e, "repealed");
    if (rep && rep->kind != RW_Y_NULL) {
        if (get_date(c, rep, "repealed", &law->repealed)) {
            rc = -1;
        } else if (law->n_versions &&
                   law->repealed <= law->versions[law->n_versions - 1].effective) {
            char a[11], b[11];
            rw_date_format(law->repealed, a);
            rw_date_format(law->versions[law->n_versions - 1].effective, b);
            YERR(c, rep, "废止日期 %s 应晚于最后一个版本的生效日期 %s", a, b);
            rc = -1;
        }
    }
    if (rc) return -1;
    const char *who = law->id;
    if (law->verified < 0) {
        rw_diag_warn(c->d, c->doc->path, e->line, e->col,
                     "法律「%s」没有 verified 日期：请注明最近一次对照官方文本核对的日期", who);
    } else if (c->today - law->verified > 365) {
        char a[11];
        rw_date_format(law->verified, a);
        rw_diag_warn(c->d, c->doc->path, verified->line, verified->col,
                     "法律「%s」的文本上次核对是 %s，已超过一年：请对照官方来源核对是否有新版本",
                     who, a);
    }
    return 0;
}

int rw_statutes_load(rw_statutes_t **out, const char *dir, int64_t today, rw_diags_t *d)
{
    *out = NULL;
    rw_buf_t path;
    rw_buf_init(&path);
    rw_buf_printf(&path, "%s/laws.yaml", dir);
    rw_ydoc_t doc;
    int rc = rw_ydoc_load(&doc, path.data, d);
    rw_buf_free(&path);
    if (rc) {
        rw_ydoc_free(&doc);
        return -1;
    }
    lctx_t c = {.doc = &doc, .d = d, .dir = dir, .today = today};
    rw_statutes_t *s = rw_xcalloc(1, sizeof *s);
    s->dir = rw_xstrdup(dir);
    static const char *const keys[] = {"laws", NULL};
    const rw_ynode_t *laws = NULL;
    if (!doc.root || doc.root->kind != RW_Y_MAP) {
        rw_diag_error(d, doc.path, doc.root ? doc.root->line : 1, doc.root ? doc.root->col : 1,
                      "laws.yaml 应为一个映射，含有 laws: 列表");
        rc = -1;
    } else {
        rc = check_keys(&c, doc.root, keys, "laws.yaml 顶层");
        if ((laws = need(&c, doc.root, "laws", "laws.yaml 顶层")) &&
            want_kind(&c, laws, RW_Y_SEQ, "laws"))
            laws = NULL;
        if (!laws) rc = -1;
    }
    if (laws) {
        s->laws = rw_xcalloc(laws->n ? laws->n : 1, sizeof *s->laws);
        for (size_t i = 0; i < laws->n; i++) {
            rw_law_t law;
            if (load_law(&c, laws->items[i], &law)) {
                law_free(&law);
                rc = -1;
            } else {
                s->laws[s->n_laws++] = law;
            }
        }
    }
    free(c.names);
    rw_ydoc_free(&doc);
    if (rc) {
        rw_statutes_free(s);
        return -1;
    }
    *out = s;
    return 0;
}

void rw_statutes_free(rw_statutes_t *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n_laws; i++)
        law_free(&s->laws[i]);
    free(s->laws);
    free(s->dir);
    free(s);
}

const rw_law_t *rw_statutes_find(const rw_statutes_t *s, const char *name)
{
    for (size_t i = 0; i < s->n_laws; i++) {
        const rw_law_t *law = &s->laws[i];
        if (!strcmp(law->id, name)) return law;
        for (size_t j = 0; j < law->n_aliases; j++)
            if (!strcmp(law->aliases[j], name)) return law;
    }
    return NULL;
}

/* ---- Clause references ------------------------------------------------------------- */

/* A clause number: 1-9999 in plain decimal. Returns the digits consumed, 0 when none fit. */
static size_t ref_number(const char *s, int *out)
{
    size_t i = 0;
    int v = 0;
    while (s[i] >= '0' && s[i] <= '9' && i < 4)
        v = v * 10 + (s[i++] - '0');
    if (!i || s[0] == '0' || (s[i] >= '0' && s[i] <= '9')) return 0;
    *out = v;
    return i;
}

int rw_clause_ref_parse(const rw_statutes_t *s, const char *ref, rw_clause_ref_t *out, char *err,
                        size_t errlen)
{
    static const char *const form =
        "条款引用应写作 法律[@日期]#条[.款[.项]]，如 food-safety-law#34.1.6";
    *out = (rw_clause_ref_t){.pin = -1};
    const char *hash = strchr(ref, '#');
    if (!hash || hash == ref) {
        snprintf(err, errlen, "「%s」不是条款引用：%s", ref, form);
        return -1;
    }
    const char *at = memchr(ref, '@', (size_t)(hash - ref));
    size_t name_len = (size_t)((at ? at : hash) - ref);
    char *name = rw_xstrndup(ref, name_len);
    if (at) {
        char date[16] = "";
        size_t dl = (size_t)(hash - at - 1);
        if (dl < sizeof date) memcpy(date, at + 1, dl);
        if (dl >= sizeof date || rw_date_parse(date, &out->pin)) {
            snprintf(err, errlen, "「%s」中 @ 之后应为日期 YYYY-MM-DD", ref);
            free(name);
            return -1;
        }
    }
    out->law = name_len ? rw_statutes_find(s, name) : NULL;
    if (!out->law) {
        snprintf(err, errlen, "「%s」引用了未知的法律「%s」：laws.yaml 中没有这个 id 或别名", ref,
                 name);
        free(name);
        return -1;
    }
    free(name);
    const char *p = hash + 1;
    size_t k = ref_number(p, &out->article);
    p += k;
    if (k && *p == '-') {
        p += (k = ref_number(p + 1, &out->sub)) ? k + 1 : 0;
    }
    if (k && *p == '.') {
        p += (k = ref_number(p + 1, &out->para)) ? k + 1 : 0;
        if (k && *p == '.') p += (k = ref_number(p + 1, &out->item)) ? k + 1 : 0;
    }
    if (!k || *p) {
        snprintf(err, errlen, "「%s」的条款部分有误（条 10-1 表示第十条之一，款、项从 1 数起）：%s",
                 ref, form);
        return -1;
    }
    return 0;
}

const rw_law_version_t *rw_law_version_at(const rw_law_t *law, int64_t day)
{
    if (law->repealed >= 0 && day >= law->repealed) return NULL;
    const rw_law_version_t *v = NULL;
    for (size_t i = 0; i < law->n_versions && law->versions[i].effective <= day; i++)
        v = &law->versions[i];
    return v;
}

/* The article holding the clause in version v, or NULL when v lacks the article, the
 * paragraph or the item. */
static const rw_stat_article_t *clause_article(const rw_clause_ref_t *r, const rw_law_version_t *v)
{
    const rw_stat_article_t *a = rw_law_text_article(v->text, r->article, r->sub);
    if (!a || (r->para && (size_t)r->para > a->n_paras)) return NULL;
    if (r->item && (!r->para || (size_t)r->item > a->paras[r->para - 1].n_items)) return NULL;
    return a;
}

int rw_clause_ref_exists(const rw_clause_ref_t *r)
{
    if (r->pin >= 0) {
        const rw_law_version_t *v = rw_law_version_at(r->law, r->pin);
        return v && clause_article(r, v);
    }
    for (size_t i = 0; i < r->law->n_versions; i++)
        if (clause_article(r, &r->law->versions[i])) return 1;
    return 0;
}

static void para_text(rw_buf_t *b, const rw_stat_para_t *p)
{
    rw_buf_puts(b, p->text);
    for (size_t i = 0; i < p->n_items; i++) {
        rw_buf_putc(b, '\n');
        rw_buf_puts(b, p->items[i].text);
    }
}

static char *clause_text_of(const rw_clause_ref_t *r, const rw_stat_article_t *a)
{
    rw_buf_t b;
    rw_buf_init(&b);
    if (r->item) {
        rw_buf_puts(&b, a->paras[r->para - 1].items[r->item - 1].text);
    } else if (r->para) {
        para_text(&b, &a->paras[r->para - 1]);
    } else {
        for (size_t i = 0; i < a->n_paras; i++) {
            if (i) rw_buf_putc(&b, '\n');
            para_text(&b, &a->paras[i]);
        }
    }
    return rw_buf_steal(&b);
}

char *rw_clause_text(const rw_clause_ref_t *r, const rw_law_version_t *v)
{
    const rw_stat_article_t *a = clause_article(r, v);
    return a ? clause_text_of(r, a) : NULL;
}

char *rw_clause_label(const rw_clause_ref_t *r, const rw_stat_article_t *a)
{
    char buf[96], n[64];
    article_name(r->article, r->sub, buf, sizeof buf);
    rw_buf_t b;
    rw_buf_init(&b);
    rw_buf_puts(&b, buf);
    if (r->para && (!a || a->n_paras > 1)) {
        rw_cn_number(r->para, n, sizeof n);
        rw_buf_printf(&b, "第%s款", n);
    }
    if (r->item) {
        rw_cn_number(r->item, n, sizeof n);
        rw_buf_printf(&b, "第%s项", n);
    }
    return rw_buf_steal(&b);
}

static json_t *date_json(int64_t day)
{
    char s[11];
    rw_date_format(day, s);
    return json_string(s);
}

/* `changed` for a clause cited from version v with text `text`, against the law at now_day. */
static json_t *changed_json(const rw_clause_ref_t *r, const rw_law_version_t *v, const char *text,
                            int64_t now_day)
{
    const rw_law_t *law = r->law;
    if (law->repealed >= 0 && now_day >= law->repealed)
        return json_pack("{s:o, s:b}", "date", date_json(law->repealed), "repealed", 1);
    const rw_law_version_t *now = rw_law_version_at(law, now_day);
    if (!now || now == v) return json_null();
    char *now_text = rw_clause_text(r, now);
    json_t *out;
    if (!now_text)
        out = json_pack("{s:o, s:n, s:b}", "date", date_json(now->effective), "text", "removed", 1);
    else if (rw_stat_text_equal(text, now_text))
        out = json_null();
    else
        out = json_pack("{s:o, s:s}", "date", date_json(now->effective), "text", now_text);
    free(now_text);
    return out;
}

json_t *rw_clause_json(const rw_clause_ref_t *r, const char *ref_text, int64_t day, int64_t now_day)
{
    const rw_law_t *law = r->law;
    if (law->repealed >= 0 && day >= law->repealed) return NULL;
    const rw_law_version_t *v = rw_law_version_at(law, r->pin >= 0 ? r->pin : day);
    const rw_stat_article_t *a = v ? clause_article(r, v) : NULL;
    if (!a) return NULL;
    char *text = clause_text_of(r, a), *label = rw_clause_label(r, a);
    json_t *o = json_pack("{s:s, s:s, s:o, s:s, s:s, s:o}", "ref", ref_text, "law", law->title,
                          "version", date_json(v->effective), "label", label, "text", text,
                          "changed", changed_json(r, v, text, now_day));
    free(text);
    free(label);
    return o;
}

/* ---- Text comparison ----------------------------------------------------------------- */

/* The next code point of s for comparison, 0 at the end. Whitespace (ASCII, U+3000, U+00A0)
 * is skipped. Folding table, applied so that versions differing only in typesetting compare
 * equal:
 *   U+FF01-U+FF5E full-width ASCII forms -> ASCII (，->,  ；->;  ：->:  （->(  ）->)  ！->!
 *                 ？->?  ％->%  ．->.  ０-９ -> 0-9 …)
 *   U+201C U+201D “ ” -> "      U+2018 U+2019 ‘ ’ -> '
 * Not folded: 。 (U+3002) vs '.', and 、 (U+3001) vs ',': each marks a different break in
 * Chinese text, so a change between them is an edit, not typesetting. */
static uint32_t next_folded(const char *s, size_t n, size_t *i)
{
    while (*i < n) {
        uint32_t c = utf8_next(s, n, i);
        if (is_space_cp(c)) continue;
        if (c >= 0xFF01 && c <= 0xFF5E) return c - 0xFEE0;
        if (c == 0x201C || c == 0x201D) return '"';
        if (c == 0x2018 || c == 0x2019) return '\'';
        return c;
    }
    return 0;
}

int rw_stat_text_equal(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b), i = 0, j = 0;
    for (;;) {
        uint32_t ca = next_folded(a, na, &i), cb = next_folded(b, nb, &j);
        if (ca != cb) return 0;
        if (!ca) return 1;
    }
}
