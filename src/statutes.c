/* statutes.c — the clause library (statutes.md): law texts parsed from the LawRefBook
 * Markdown layout, laws.yaml, clause references, resolution at a date, citation labels,
 * clause texts and the `changed` comparison against the version in force now. */
#include "statutes.h"

#include "rwtime.h"
#include "util.h"
#include "yamldoc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* Unicode's White_Space (the official texts indent and pad with U+3000 and U+00A0, and
 * typeset with the em and thin spaces), plus the invisible U+200B and U+FEFF. */
static int is_space_cp(uint32_t c)
{
    return (c >= '\t' && c <= '\r') || c == ' ' || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200B) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
           c == 0x205F || c == 0x3000 || c == 0xFEFF;
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

/* The 第N条 / 第N条之M a paragraph starts with, whatever follows: the offset after it, or 0. */
static size_t match_number(const char *s, size_t n, heading_t *h)
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
    return i;
}

static int match_article(const char *s, size_t n, heading_t *h)
{
    size_t i = match_number(s, n, h), j = i;
    if (!i || (i < n && !is_space_cp(utf8_next(s, n, &j)))) return 0;
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
                          "条的序号不连续：上一条是%s，这里应为%s，实际是%s（%s条号后须有空白，"
                          "否则按正文处理）",
                          prev, want, here, want);
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
    heading_t h;
    if (match_number(l->s, l->len, &h) && !h.sub_len &&
        rw_cn_parse(l->s + h.num_off, h.num_len) == a->number + 1) {
        /* the next article's number run into its text: a typo far likelier than a 款 that
         * opens by citing the next article, and silent where no later article shows it */
        char here[96], next[96];
        article_name(a->number, a->sub, here, sizeof here);
        article_name(a->number + 1, 0, next, sizeof next);
        rw_diag_warn(m->d, m->path, l->line, l->col,
                     "这一段以「%s」开头但条号后没有空白，按%s的一款处理；若是新的一条，请在条号后"
                     "加空白",
                     next, here);
    }
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
    lines_t it = {text, len, rw_utf8_bom(text, len), 0};
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

static size_t ref_number(const char *s, int *out);

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
        free(law->versions[i].renumbered);
        rw_law_text_free(law->versions[i].text);
    }
    free(law->versions);
}

/* An article number as written in references and `renumbered`: 30, or 10-1 for 第十条之一. */
static int article_number_parse(const char *s, int *number, int *sub)
{
    size_t k = ref_number(s, number);
    *sub = 0;
    if (k && s[k] == '-') {
        size_t k2 = ref_number(s + k + 1, sub);
        if (!k2 || s[k + 1 + k2]) return -1;
        return 0;
    }
    return k && !s[k] ? 0 : -1;
}

static int map_number(lctx_t *c, const rw_ynode_t *n, int *number, int *sub)
{
    if ((n->kind == RW_Y_STR || (n->kind == RW_Y_NUM && n->is_int)) &&
        !article_number_parse(n->str, number, sub))
        return 0;
    YERR(c, n, "renumbered 中的「%s」不是条号：写作 30 或 10-1（第三十条、第十条之一）",
         n->str ? n->str : rw_ykind_name(n->kind));
    return -1;
}

/* `renumbered: {old: new}` of a version against the version before it (statutes.h says
 * what is checked). prev is NULL when that version failed to load: nothing to check
 * against, and its own errors are reported already. */
static int load_renumbered(lctx_t *c, const rw_ynode_t *map, const rw_law_version_t *prev,
                           rw_law_version_t *v)
{
    if (map->kind != RW_Y_MAP) {
        YERR(c, map, "renumbered 应为映射 {原条号: 新条号}，如 {30: 31, 10-1: 11}，实际是%s",
             rw_ykind_name(map->kind));
        return -1;
    }
    if (!prev) return -1;
    int rc = 0;
    char a[96], b[96], e[96];
    v->renumbered = rw_xcalloc(map->n ? map->n : 1, sizeof *v->renumbered);
    for (size_t i = 0; i < map->n; i++) {
        rw_renumber_t r = {0};
        const rw_ynode_t *val = map->items[i];
        if (map_number(c, map->keys[i], &r.old_number, &r.old_sub)) {
            rc = -1;
            continue;
        }
        article_name(r.old_number, r.old_sub, a, sizeof a);
        if (!rw_law_text_article(prev->text, r.old_number, r.old_sub)) {
            YERR(c, map->keys[i], "renumbered 的原条号有误：上一个版本（%s）没有%s", prev->source,
                 a);
            rc = -1;
        }
        if (val->kind != RW_Y_NULL) {
            if (map_number(c, val, &r.new_number, &r.new_sub)) {
                rc = -1;
                continue;
            }
            article_name(r.new_number, r.new_sub, b, sizeof b);
            if (!rw_law_text_article(v->text, r.new_number, r.new_sub)) {
                YERR(c, val, "renumbered 的新条号有误：本版本（%s）没有%s", v->source, b);
                rc = -1;
            }
            for (size_t k = 0; k < v->n_renumbered; k++) {
                const rw_renumber_t *o = &v->renumbered[k];
                if (o->new_number != r.new_number || o->new_sub != r.new_sub) continue;
                article_name(o->old_number, o->old_sub, e, sizeof e);
                YERR(c, val, "%s和%s都对应到本版本的%s：一条只能来自上一个版本的一条", e, a, b);
                rc = -1;
            }
        }
        v->renumbered[v->n_renumbered++] = r;
    }
    if (rc) return -1;
    /* An article the map leaves out keeps its number; if another one moved into that
     * number, references to the two would meet in one article. */
    for (size_t i = 0; i < prev->text->n_articles; i++) {
        const rw_stat_article_t *pa = &prev->text->articles[i];
        const rw_renumber_t *listed = NULL, *into = NULL;
        for (size_t k = 0; k < v->n_renumbered; k++) {
            const rw_renumber_t *r = &v->renumbered[k];
            if (r->old_number == pa->number && r->old_sub == pa->sub) listed = r;
            if (r->new_number == pa->number && r->new_sub == pa->sub) into = r;
        }
        if (listed || !into) continue;
        article_name(pa->number, pa->sub, a, sizeof a);
        article_name(into->old_number, into->old_sub, b, sizeof b);
        YERR(c, map,
             "renumbered 未列出上一个版本的%s，它按原条号对应到本版本的%s，但%s也移到了那里："
             "请写明%s的去向（新条号，或 null 表示本版本已删除）",
             a, a, b, a);
        rc = -1;
    }
    return rc;
}

static int load_version(lctx_t *c, rw_law_t *law, const rw_ynode_t *v, const rw_ynode_t *title,
                        size_t index)
{
    static const char *const keys[] = {"effective", "source", "renumbered", NULL};
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
    for (const char *p = src->str; *p; p += strcspn(p, "/"), p += *p == '/')
        if (!strncmp(p, "..", 2) && (p[2] == '/' || !p[2])) {
            YERR(c, src, "source 应在 statutes 目录之内（不能含「..」）");
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
    rw_law_version_t ver = {.effective = day, .source = rw_xstrdup(src->str), .text = lt};
    const rw_ynode_t *ren = rw_ymap_get(v, "renumbered");
    /* The previous version is the one before in the list only when all before it loaded. */
    const rw_law_version_t *prev =
        index && law->n_versions == index ? &law->versions[law->n_versions - 1] : NULL;
    if (ren && ren->kind != RW_Y_NULL && !index) {
        YERR(c, ren, "第一个版本不能有 renumbered：它记录相对上一个版本的条号变化");
        rc = -1;
    } else if (ren && ren->kind != RW_Y_NULL) {
        rc = load_renumbered(c, ren, prev, &ver);
    }
    if (rc) {
        free(ver.source);
        free(ver.renumbered);
        rw_law_text_free(lt);
        return -1;
    }
    law->versions = grow(law->versions, law->n_versions, sizeof *law->versions);
    law->versions[law->n_versions++] = ver;
    return 0;
}

/* The same calendar date a year later (29 February → 1 March): "more than a year" is
 * counted in calendar years, not 365 days. */
static int64_t year_after(int64_t day)
{
    int64_t y;
    unsigned m, d;
    rw_civil_from_days(day, &y, &m, &d);
    return rw_days_from_civil(y + 1, m, 1) + d - 1;
}

static int load_law(lctx_t *c, const rw_ynode_t *e, rw_law_t *law)
{
    static const char *const keys[] = {"id",       "title",    "aliases",  "level",
                                       "verified", "versions", "repealed", NULL};
    *law = (rw_law_t){.verified = RW_DAY_NONE, .repealed = RW_DAY_NONE, .line = e->line};
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
            if (load_version(c, law, n->items[i], title, i)) rc = -1;
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
    if (law->verified == RW_DAY_NONE) {
        rw_diag_warn(c->d, c->doc->path, e->line, e->col,
                     "法律「%s」没有 verified 日期：请注明最近一次对照官方文本核对的日期", who);
    } else if (c->today > year_after(law->verified)) {
        char a[11];
        rw_date_format(law->verified, a);
        rw_diag_warn(c->d, c->doc->path, verified->line, verified->col,
                     "法律「%s」的文本上次核对是 %s，已超过一年：请对照官方来源核对是否有新版本",
                     who, a);
    }
    return 0;
}

static void digest_text(rw_buf_t *b, const char *s)
{
    rw_buf_puts(b, s ? s : "");
    rw_buf_putc(b, '\0');
}

/* The library's digest (rw_statutes_t.fingerprint): every law's id, repeal, and each
 * version's day, renumbering and text. */
static uint64_t fingerprint(const rw_statutes_t *s)
{
    rw_buf_t b;
    rw_buf_init(&b);
    for (size_t i = 0; i < s->n_laws; i++) {
        const rw_law_t *law = &s->laws[i];
        rw_buf_printf(&b, "%s %" PRId64 "\n", law->id, law->repealed);
        for (size_t v = 0; v < law->n_versions; v++) {
            const rw_law_version_t *ver = &law->versions[v];
            rw_buf_printf(&b, "%" PRId64 "\n", ver->effective);
            for (size_t k = 0; k < ver->n_renumbered; k++)
                rw_buf_printf(&b, "%d.%d>%d.%d ", ver->renumbered[k].old_number,
                              ver->renumbered[k].old_sub, ver->renumbered[k].new_number,
                              ver->renumbered[k].new_sub);
            for (size_t a = 0; a < ver->text->n_articles; a++) {
                const rw_stat_article_t *art = &ver->text->articles[a];
                rw_buf_printf(&b, "%d-%d:", art->number, art->sub);
                for (size_t p = 0; p < art->n_paras; p++) {
                    digest_text(&b, art->paras[p].text);
                    for (size_t t = 0; t < art->paras[p].n_items; t++)
                        digest_text(&b, art->paras[p].items[t].text);
                }
            }
        }
    }
    /* stored with the state, so a digest that stays the same across releases (rw_hash64
     * is for in-memory tables only) */
    unsigned char md[32];
    rw_sha256(b.data ? b.data : "", b.len, md);
    rw_buf_free(&b);
    uint64_t h = 0;
    for (int i = 0; i < 8; i++)
        h = h << 8 | md[i];
    return h;
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
    s->fingerprint = fingerprint(s);
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
    *out = (rw_clause_ref_t){.pin = RW_DAY_NONE};
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
    if (law->repealed != RW_DAY_NONE && day >= law->repealed) return NULL;
    const rw_law_version_t *v = NULL;
    for (size_t i = 0; i < law->n_versions && law->versions[i].effective <= day; i++)
        v = &law->versions[i];
    return v;
}

int rw_statutes_change_between(const rw_statutes_t *s, int64_t after, int64_t upto)
{
    for (size_t i = 0; i < s->n_laws; i++) {
        const rw_law_t *law = &s->laws[i];
        if (law->repealed != RW_DAY_NONE && law->repealed > after && law->repealed <= upto)
            return 1;
        for (size_t v = 0; v < law->n_versions; v++)
            if (law->versions[v].effective > after && law->versions[v].effective <= upto) return 1;
    }
    return 0;
}

/* ---- Renumbering ------------------------------------------------------------------- */

/* One version's map applied to an article of the version before it (forward), or undone
 * for an article of this version (backward). -1 when it has no counterpart. */
static int renumber_step(const rw_law_version_t *v, int forward, int *number, int *sub)
{
    const rw_renumber_t *moved_away = NULL;
    for (size_t k = 0; k < v->n_renumbered; k++) {
        const rw_renumber_t *r = &v->renumbered[k];
        if (forward && r->old_number == *number && r->old_sub == *sub) {
            if (!r->new_number) return -1;
            *number = r->new_number;
            *sub = r->new_sub;
            return 0;
        }
        if (!forward && r->new_number == *number && r->new_sub == *sub) {
            *number = r->old_number;
            *sub = r->old_sub;
            return 0;
        }
        if (!forward && r->old_number == *number && r->old_sub == *sub) moved_away = r;
    }
    /* Backward, a number the old article left and nothing moved into is a new article. */
    return moved_away ? -1 : 0;
}

int rw_law_article_in(const rw_law_t *law, size_t from, size_t to, int number, int sub,
                      int *out_number, int *out_sub)
{
    for (size_t k = from; k < to; k++)
        if (renumber_step(&law->versions[k + 1], 1, &number, &sub)) return -1;
    for (size_t k = from; k > to; k--)
        if (renumber_step(&law->versions[k], 0, &number, &sub)) return -1;
    *out_number = number;
    *out_sub = sub;
    return 0;
}

int rw_clause_ref_in(const rw_clause_ref_t *r, const rw_law_version_t *v, rw_clause_ref_t *out)
{
    const rw_law_t *law = r->law;
    const rw_law_version_t *base =
        r->pin != RW_DAY_NONE ? rw_law_version_at(law, r->pin) : law->versions;
    *out = *r;
    if (!base || !law->n_versions) return -1;
    return rw_law_article_in(law, (size_t)(base - law->versions), (size_t)(v - law->versions),
                             r->article, r->sub, &out->article, &out->sub);
}

/* The article holding the clause in version v, or NULL when v lacks the article, the
 * paragraph or the item. *in (when given) gets the reference in v's numbering. */
static const rw_stat_article_t *clause_article(const rw_clause_ref_t *r, const rw_law_version_t *v,
                                               rw_clause_ref_t *in)
{
    rw_clause_ref_t tmp;
    if (!in) in = &tmp;
    if (rw_clause_ref_in(r, v, in)) return NULL;
    const rw_stat_article_t *a = rw_law_text_article(v->text, in->article, in->sub);
    if (!a || (r->para && (size_t)r->para > a->n_paras)) return NULL;
    if (r->item && (!r->para || (size_t)r->item > a->paras[r->para - 1].n_items)) return NULL;
    return a;
}

int rw_clause_ref_exists(const rw_clause_ref_t *r)
{
    if (r->pin != RW_DAY_NONE) {
        const rw_law_version_t *v = rw_law_version_at(r->law, r->pin);
        return v && clause_article(r, v, NULL);
    }
    for (size_t i = 0; i < r->law->n_versions; i++)
        if (clause_article(r, &r->law->versions[i], NULL)) return 1;
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
    const rw_stat_article_t *a = clause_article(r, v, NULL);
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

int rw_clauses_compare(const rw_statutes_t *s, json_t *clauses, int64_t now_day)
{
    int differs = 0;
    size_t i;
    json_t *clause;
    json_array_foreach(clauses, i, clause)
    {
        rw_clause_ref_t ref;
        char err[256];
        const char *text = json_string_value(json_object_get(clause, "ref"));
        /* against the version the lead cites, which a version or repeal entered since may
         * have displaced even at the conduct's date */
        const char *cited = json_string_value(json_object_get(clause, "text"));
        if (!text || !cited || rw_clause_ref_parse(s, text, &ref, err, sizeof err)) continue;
        json_t *changed = rw_clause_changed(&ref, cited, now_day);
        if (!json_equal(changed, json_object_get(clause, "changed"))) {
            json_object_set(clause, "changed", changed);
            differs = 1;
        }
        json_decref(changed);
    }
    return differs;
}

static json_t *date_json(int64_t day)
{
    char s[11];
    rw_date_format(day, s);
    return json_string(s);
}

json_t *rw_clause_changed(const rw_clause_ref_t *r, const char *cited_text, int64_t now_day)
{
    const rw_law_t *law = r->law;
    if (law->repealed != RW_DAY_NONE && now_day >= law->repealed)
        return json_pack("{s:o, s:b}", "date", date_json(law->repealed), "repealed", 1);
    const rw_law_version_t *now = rw_law_version_at(law, now_day);
    if (!now) return json_null();
    char *now_text = rw_clause_text(r, now);
    json_t *out;
    if (!now_text)
        out = json_pack("{s:o, s:n, s:b}", "date", date_json(now->effective), "text", "removed", 1);
    else if (rw_stat_text_equal(cited_text, now_text))
        out = json_null();
    else
        out = json_pack("{s:o, s:s}", "date", date_json(now->effective), "text", now_text);
    free(now_text);
    return out;
}

json_t *rw_clause_json(const rw_clause_ref_t *r, const char *ref_text, int64_t day, int64_t now_day)
{
    const rw_law_t *law = r->law;
    if (law->repealed != RW_DAY_NONE && day >= law->repealed) return NULL;
    const rw_law_version_t *v = rw_law_version_at(law, r->pin != RW_DAY_NONE ? r->pin : day);
    rw_clause_ref_t in;
    const rw_stat_article_t *a = v ? clause_article(r, v, &in) : NULL;
    if (!a) return NULL;
    /* Labelled as that version numbers it: what the statute's own text calls it. */
    char *text = clause_text_of(r, a), *label = rw_clause_label(&in, a);
    json_t *o = json_pack("{s:s, s:s, s:o, s:s, s:s, s:o}", "ref", ref_text, "law", law->title,
                          "version", date_json(v->effective), "label", label, "text", text,
                          "changed", rw_clause_changed(r, text, now_day));
    free(text);
    free(label);
    return o;
}

/* ---- Text comparison ----------------------------------------------------------------- */

/* The next code point of s for comparison, 0 at the end. Whitespace (is_space_cp) is
 * skipped. Folding table, applied so that versions differing only in typesetting compare
 * equal:
 *   U+FF01-U+FF5E full-width ASCII forms -> ASCII (，->,  ；->;  ：->:  （->(  ）->)  ！->!
 *                 ？->?  ％->%  ．->.  ０-９ -> 0-9 …)
 *   U+FF61-U+FF65 half-width CJK punctuation -> full width (｡->。 ｢->「 ｣->」 ､->、 ･->・)
 *   U+201C U+201D “ ” -> "      U+2018 U+2019 ‘ ’ -> '
 * Not folded: 。 (U+3002) vs '.', and 、 (U+3001) vs ',': each marks a different break in
 * Chinese text, so a change between them is an edit, not typesetting. */
static uint32_t next_folded(const char *s, size_t n, size_t *i)
{
    while (*i < n) {
        uint32_t c = utf8_next(s, n, i);
        if (is_space_cp(c)) continue;
        if (c >= 0xFF01 && c <= 0xFF5E) return c - 0xFEE0;
        if (c >= 0xFF61 && c <= 0xFF65) {
            static const uint32_t full[] = {0x3002, 0x300C, 0x300D, 0x3001, 0x30FB};
            return full[c - 0xFF61];
        }
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

/* ---- Comparing versions ------------------------------------------------------------- */

/* An article or 款 being paired: its number, its text folded as rw_stat_text_equal folds
 * it, and the sorted bigrams of that text for similarity. */
typedef struct {
    int number, sub;
    uint32_t *cp;
    size_t n_cp;
    uint64_t *bg;
    size_t n_bg;
    int match; /* index on the other side, -1 */
    rw_diff_match_t by;
} delem_t;

static void delem_init(delem_t *e, int number, int sub, const char *text)
{
    size_t n = strlen(text), i = 0;
    uint32_t c;
    *e = (delem_t){.number = number, .sub = sub, .match = -1};
    e->cp = rw_xmalloc((n + 1) * sizeof *e->cp);
    while ((c = next_folded(text, n, &i)))
        e->cp[e->n_cp++] = c;
    e->n_bg = e->n_cp > 1 ? e->n_cp - 1 : 0;
    e->bg = rw_xmalloc((e->n_bg + 1) * sizeof *e->bg);
    for (size_t k = 0; k < e->n_bg; k++)
        e->bg[k] = (uint64_t)e->cp[k] << 32 | e->cp[k + 1];
    qsort(e->bg, e->n_bg, sizeof *e->bg, rw_cmp_u64);
}

static void delems_free(delem_t *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(e[i].cp);
        free(e[i].bg);
    }
    free(e);
}

static int same_text(const delem_t *a, const delem_t *b)
{
    return a->n_cp == b->n_cp && !memcmp(a->cp, b->cp, a->n_cp * sizeof *a->cp);
}

static int same_number(const delem_t *a, const delem_t *b)
{
    return a->number == b->number && a->sub == b->sub;
}

/* Dice coefficient of the character bigrams: 1 for equal texts, near 0 for unrelated ones.
 * Bigrams rather than an edit distance keep it linear, which matters for the n×m pairs an
 * alignment of two 150-article laws looks at. */
static double similarity(const delem_t *a, const delem_t *b)
{
    if (same_text(a, b)) return 1.0;
    if (!a->n_bg || !b->n_bg) return 0.0;
    size_t i = 0, j = 0, common = 0;
    while (i < a->n_bg && j < b->n_bg) {
        if (a->bg[i] < b->bg[j]) {
            i++;
        } else if (a->bg[i] > b->bg[j]) {
            j++;
        } else {
            common++;
            i++;
            j++;
        }
    }
    return 2.0 * (double)common / (double)(a->n_bg + b->n_bg);
}

static void pair(delem_t *a, size_t i, delem_t *b, size_t j, rw_diff_match_t by)
{
    a[i].match = (int)j;
    b[j].match = (int)i;
    a[i].by = b[j].by = by;
}

/* Worth a little over a near-tie in similarity: when two pairings fit the texts about
 * equally well, the one that keeps numbers is how the legislator amended (修正). */
#define SAME_NUMBER_BONUS 0.1

/* The order-keeping pairing of the unpaired elements with the greatest total similarity,
 * pairs allowed from RW_DIFF_SIMILAR up (a diff of the two sequences with similarity in
 * place of equality). */
static void align(delem_t *a, size_t n, delem_t *b, size_t m)
{
    size_t *ia = rw_xmalloc((n + 1) * sizeof *ia), *ib = rw_xmalloc((m + 1) * sizeof *ib);
    size_t na = 0, nb = 0;
    for (size_t i = 0; i < n; i++)
        if (a[i].match < 0) ia[na++] = i;
    for (size_t j = 0; j < m; j++)
        if (b[j].match < 0) ib[nb++] = j;
    size_t cols = nb + 1;
    double *score = rw_xcalloc((na + 1) * cols, sizeof *score);
    unsigned char *step = rw_xcalloc((na + 1) * cols, 1);
    for (size_t i = 1; i <= na; i++)
        for (size_t j = 1; j <= nb; j++) {
            double best = score[(i - 1) * cols + j];
            unsigned char st = 1;
            if (score[i * cols + j - 1] > best) {
                best = score[i * cols + j - 1];
                st = 2;
            }
            const delem_t *x = &a[ia[i - 1]], *y = &b[ib[j - 1]];
            double sim = similarity(x, y);
            if (sim >= RW_DIFF_SIMILAR) {
                double v = score[(i - 1) * cols + j - 1] + sim +
                           (same_number(x, y) ? SAME_NUMBER_BONUS : 0.0);
                if (v > best) {
                    best = v;
                    st = 3;
                }
            }
            score[i * cols + j] = best;
            step[i * cols + j] = st;
        }
    for (size_t i = na, j = nb; i && j;) {
        unsigned char st = step[i * cols + j];
        if (st == 3) {
            size_t x = ia[i - 1], y = ib[j - 1];
            pair(a, x, b, y,
                 same_number(&a[x], &b[y]) ? RW_MATCH_NUMBER
                 : same_text(&a[x], &b[y]) ? RW_MATCH_TEXT
                                           : RW_MATCH_SIMILAR);
            i--;
            j--;
        } else if (st == 1) {
            i--;
        } else {
            j--;
        }
    }
    free(score);
    free(step);
    free(ia);
    free(ib);
}

/* Unpaired elements under the same number whose pairing keeps the order of the pairs
 * around them: an article rewritten in place (too unlike its old text to align). */
static void pair_same_numbers(delem_t *a, size_t n, delem_t *b, size_t m)
{
    for (size_t i = 0; i < n; i++) {
        if (a[i].match >= 0) continue;
        for (size_t j = 0; j < m; j++) {
            if (b[j].match >= 0 || !same_number(&a[i], &b[j])) continue;
            int ok = 1;
            for (size_t k = 0; k < n && ok; k++)
                if (a[k].match >= 0) ok = k < i ? (size_t)a[k].match < j : (size_t)a[k].match > j;
            if (ok) pair(a, i, b, j, RW_MATCH_NUMBER);
            break;
        }
    }
}

typedef struct {
    double sim;
    size_t i, j;
} cand_t;

static int cmp_cand(const void *x, const void *y)
{
    const cand_t *p = x, *q = y;
    if (p->sim != q->sim) return p->sim > q->sim ? -1 : 1;
    if (p->i != q->i) return p->i < q->i ? -1 : 1;
    return p->j < q->j ? -1 : p->j > q->j;
}

/* Leftovers moved out of order: equal texts first, then the most similar pairs. */
static void pair_by_content(delem_t *a, size_t n, delem_t *b, size_t m)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < m && a[i].match < 0; j++)
            if (b[j].match < 0 && same_text(&a[i], &b[j])) pair(a, i, b, j, RW_MATCH_TEXT);
    cand_t *c = NULL;
    size_t nc = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < m && a[i].match < 0; j++) {
            if (b[j].match >= 0) continue;
            double sim = similarity(&a[i], &b[j]);
            if (sim < RW_DIFF_SIMILAR) continue;
            c = grow(c, nc, sizeof *c);
            c[nc++] = (cand_t){sim, i, j};
        }
    if (nc) qsort(c, nc, sizeof *c, cmp_cand);
    for (size_t k = 0; k < nc; k++)
        if (a[c[k].i].match < 0 && b[c[k].j].match < 0)
            pair(a, c[k].i, b, c[k].j, RW_MATCH_SIMILAR);
    free(c);
}

typedef struct {
    double key;
    int tie;
    rw_diff_entry_t e;
} keyed_t;

static int cmp_keyed(const void *x, const void *y)
{
    const keyed_t *p = x, *q = y;
    if (p->key != q->key) return p->key < q->key ? -1 : 1;
    return p->tie - q->tie;
}

/* The entries for paired elements: every new one (paired or added) in its order, each
 * removed old one right after the new partner of its nearest paired predecessor. */
static rw_diff_entry_t *entries(const delem_t *a, size_t n, const delem_t *b, size_t m,
                                size_t *count)
{
    keyed_t *k = rw_xcalloc(n + m + 1, sizeof *k);
    size_t nk = 0;
    for (size_t j = 0; j < m; j++) {
        rw_diff_entry_t e = {.by = b[j].by, .old_index = b[j].match, .new_index = (int)j};
        if (b[j].match < 0) {
            e.status = RW_DIFF_ADDED;
        } else {
            const delem_t *o = &a[b[j].match];
            e.amended = !same_text(o, &b[j]);
            e.status = !same_number(o, &b[j]) ? RW_DIFF_RENUMBERED
                       : e.amended            ? RW_DIFF_AMENDED
                                              : RW_DIFF_UNCHANGED;
        }
        k[nk++] = (keyed_t){(double)j, 0, e};
    }
    for (size_t i = 0; i < n; i++) {
        if (a[i].match >= 0) continue;
        double key = -0.5;
        for (size_t p = i; p-- > 0;)
            if (a[p].match >= 0) {
                key = a[p].match + 0.5;
                break;
            }
        k[nk++] = (keyed_t){
            key, (int)i + 1, {.status = RW_DIFF_REMOVED, .old_index = (int)i, .new_index = -1}};
    }
    qsort(k, nk, sizeof *k, cmp_keyed);
    rw_diff_entry_t *out = rw_xcalloc(nk + 1, sizeof *out);
    for (size_t i = 0; i < nk; i++)
        out[i] = k[i].e;
    free(k);
    *count = nk;
    return out;
}

static char *article_text(const rw_stat_article_t *a)
{
    rw_clause_ref_t whole = {.article = a->number, .sub = a->sub};
    return clause_text_of(&whole, a);
}

static char *para_string(const rw_stat_para_t *p)
{
    rw_buf_t b;
    rw_buf_init(&b);
    para_text(&b, p);
    return rw_buf_steal(&b);
}

static delem_t *para_elems(const rw_stat_article_t *a)
{
    delem_t *e = rw_xcalloc(a->n_paras + 1, sizeof *e);
    for (size_t i = 0; i < a->n_paras; i++) {
        char *t = para_string(&a->paras[i]);
        delem_init(&e[i], (int)i + 1, 0, t);
        free(t);
    }
    return e;
}

/* 款 by 款, for articles whose text changed: a 修正 usually touches one 款 of several. */
static void diff_paras(const rw_stat_article_t *old, const rw_stat_article_t *new,
                       rw_diff_entry_t *e)
{
    delem_t *a = para_elems(old), *b = para_elems(new);
    align(a, old->n_paras, b, new->n_paras);
    pair_same_numbers(a, old->n_paras, b, new->n_paras);
    pair_by_content(a, old->n_paras, b, new->n_paras);
    e->paras = entries(a, old->n_paras, b, new->n_paras, &e->n_paras);
    delems_free(a, old->n_paras);
    delems_free(b, new->n_paras);
}

static delem_t *article_elems(const rw_law_text_t *t)
{
    delem_t *e = rw_xcalloc(t->n_articles + 1, sizeof *e);
    for (size_t i = 0; i < t->n_articles; i++) {
        char *s = article_text(&t->articles[i]);
        delem_init(&e[i], t->articles[i].number, t->articles[i].sub, s);
        free(s);
    }
    return e;
}

int rw_law_diff(const rw_law_t *law, const rw_law_version_t *from, const rw_law_version_t *to,
                rw_law_diff_t *out)
{
    *out = (rw_law_diff_t){.law = law, .from = from, .to = to};
    if (from >= to) return -1;
    size_t fi = (size_t)(from - law->versions), ti = (size_t)(to - law->versions);
    for (size_t k = fi + 1; k <= ti; k++)
        if (law->versions[k].n_renumbered) out->mapped = 1;
    const rw_law_text_t *ot = from->text, *nt = to->text;
    delem_t *a = article_elems(ot), *b = article_elems(nt);
    size_t n = ot->n_articles, m = nt->n_articles;
    if (out->mapped) {
        /* Where the maps carry an article is where references to it go; the diff shows that. */
        for (size_t i = 0; i < n; i++) {
            int num, sub;
            if (rw_law_article_in(law, fi, ti, a[i].number, a[i].sub, &num, &sub)) continue;
            const rw_stat_article_t *t = rw_law_text_article(nt, num, sub);
            size_t j = t ? (size_t)(t - nt->articles) : 0;
            if (!t || b[j].match >= 0) continue;
            pair(a, i, b, j,
                 num == a[i].number && sub == a[i].sub ? RW_MATCH_NUMBER : RW_MATCH_MAP);
        }
    } else {
        align(a, n, b, m);
        pair_same_numbers(a, n, b, m);
    }
    pair_by_content(a, n, b, m);
    out->articles = entries(a, n, b, m, &out->n_articles);
    for (size_t k = 0; k < out->n_articles; k++) {
        rw_diff_entry_t *e = &out->articles[k];
        out->count[e->status]++;
        if (e->amended) diff_paras(&ot->articles[e->old_index], &nt->articles[e->new_index], e);
    }
    delems_free(a, n);
    delems_free(b, m);
    return 0;
}

void rw_law_diff_free(rw_law_diff_t *d)
{
    for (size_t i = 0; i < d->n_articles; i++)
        free(d->articles[i].paras);
    free(d->articles);
    d->articles = NULL;
    d->n_articles = 0;
}

const char *rw_diff_status_name(rw_diff_status_t s)
{
    static const char *const names[] = {"unchanged", "amended", "renumbered", "added", "removed"};
    return (unsigned)s < RW_DIFF_N_STATUS ? names[s] : "?";
}

const char *rw_diff_match_name(rw_diff_match_t m)
{
    static const char *const names[] = {NULL, "number", "map", "text", "similarity"};
    return (unsigned)m <= RW_MATCH_SIMILAR ? names[m] : NULL;
}

void rw_article_ref(int number, int sub, char *out)
{
    if (sub)
        snprintf(out, 24, "%d-%d", number, sub);
    else
        snprintf(out, 24, "%d", number);
}

static json_t *version_json(const rw_law_version_t *v)
{
    return json_pack("{s:o, s:s}", "effective", date_json(v->effective), "source", v->source);
}

static json_t *article_json(const rw_stat_article_t *a)
{
    char num[24];
    rw_article_ref(a->number, a->sub, num);
    rw_clause_ref_t whole = {.article = a->number, .sub = a->sub};
    char *label = rw_clause_label(&whole, a), *text = article_text(a);
    json_t *o = json_pack("{s:s, s:s, s:s}", "article", num, "label", label, "text", text);
    free(label);
    free(text);
    return o;
}

static json_t *paragraph_json(const rw_stat_article_t *a, int index)
{
    if (index < 0) return json_null();
    char *text = para_string(&a->paras[index]);
    json_t *o = json_pack("{s:i, s:s}", "paragraph", index + 1, "text", text);
    free(text);
    return o;
}

static json_t *entry_head(const rw_diff_entry_t *e)
{
    const char *by = rw_diff_match_name(e->by);
    return json_pack("{s:s, s:b, s:o}", "status", rw_diff_status_name(e->status), "amended",
                     e->amended, "by", by ? json_string(by) : json_null());
}

json_t *rw_law_diff_json(const rw_law_diff_t *d)
{
    json_t *summary = json_object(), *arts = json_array();
    for (int s = 0; s < RW_DIFF_N_STATUS; s++)
        json_object_set_new(summary, rw_diff_status_name((rw_diff_status_t)s),
                            json_integer((json_int_t)d->count[s]));
    for (size_t i = 0; i < d->n_articles; i++) {
        const rw_diff_entry_t *e = &d->articles[i];
        const rw_stat_article_t *old = e->old_index >= 0 ? &d->from->text->articles[e->old_index]
                                                         : NULL,
                                *new =
                                    e->new_index >= 0 ? &d->to->text->articles[e->new_index] : NULL;
        json_t *o = entry_head(e);
        json_object_set_new(o, "old", old ? article_json(old) : json_null());
        json_object_set_new(o, "new", new ? article_json(new) : json_null());
        if (e->n_paras) {
            json_t *paras = json_array();
            for (size_t k = 0; k < e->n_paras; k++) {
                const rw_diff_entry_t *p = &e->paras[k];
                json_t *po = entry_head(p);
                json_object_set_new(po, "old", paragraph_json(old, p->old_index));
                json_object_set_new(po, "new", paragraph_json(new, p->new_index));
                json_array_append_new(paras, po);
            }
            json_object_set_new(o, "paragraphs", paras);
        }
        json_array_append_new(arts, o);
    }
    return json_pack("{s:s, s:s, s:o, s:o, s:b, s:o, s:o}", "law", d->law->id, "title",
                     d->law->title, "from", version_json(d->from), "to", version_json(d->to),
                     "mapped", d->mapped, "summary", summary, "articles", arts);
}

/* ---- Importing a version ------------------------------------------------------------ */

/* A scalar for laws.yaml: plain when it cannot read as anything but that string, else
 * double-quoted. Plain scalars are what the shipped file uses, so imports look hand-written. */
static void yaml_scalar(rw_buf_t *b, const char *s)
{
    static const char *const words[] = {"null", "Null",  "NULL",  "true",  "True",
                                        "TRUE", "false", "False", "FALSE", NULL};
    int plain = (unsigned char)s[0] >= 0x80 || (s[0] >= 'A' && s[0] <= 'Z') ||
                (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_';
    for (const char *p = s; *p && plain; p++) {
        unsigned char c = (unsigned char)*p;
        plain = c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
                (c >= 'a' && c <= 'z') || strchr("_-.()/", c);
    }
    for (size_t i = 0; words[i] && plain; i++)
        plain = strcmp(s, words[i]) != 0;
    if (plain) {
        rw_buf_puts(b, s);
        return;
    }
    rw_buf_putc(b, '"');
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\\')
            rw_buf_printf(b, "\\%c", c);
        else if (c < 0x20)
            rw_buf_printf(b, "\\x%02x", c);
        else
            rw_buf_putc(b, (char)c);
    }
    rw_buf_putc(b, '"');
}

/* The greatest byte offset of any node under n: the last line it occupies. */
static size_t node_last(const rw_ynode_t *n)
{
    size_t m = n->raw_off;
    for (size_t i = 0; i < n->n; i++) {
        size_t k = node_last(n->items[i]);
        if (k > m) m = k;
        if (n->keys && (k = node_last(n->keys[i])) > m) m = k;
    }
    return m;
}

static size_t line_start(const char *text, size_t off)
{
    while (off && text[off - 1] != '\n')
        off--;
    return off;
}

/* The offset just past the line holding off (the text's end when it is the last line). */
static size_t line_after(const char *text, size_t len, size_t off)
{
    const char *nl = memchr(text + off, '\n', len - off);
    return nl ? (size_t)(nl - text) + 1 : len;
}

/* The indentation of a block-list item: its line must read spaces, "- ", then the item.
 * -1 for any other layout (a flow list, an item on its key's line). */
static int item_indent(const rw_ydoc_t *doc, const rw_ynode_t *item)
{
    size_t ls = line_start(doc->text, item->raw_off), p = ls;
    while (p < item->raw_off && doc->text[p] == ' ')
        p++;
    if (p >= doc->len || doc->text[p] != '-' || (p + 1 < doc->len && doc->text[p + 1] != ' '))
        return -1;
    for (size_t q = p + 1; q < item->raw_off; q++)
        if (doc->text[q] != ' ') return -1;
    return (int)(p - ls);
}

static int block_list(const rw_ydoc_t *doc, const rw_ynode_t *seq)
{
    if (!seq || seq->kind != RW_Y_SEQ || !seq->n) return 0;
    for (size_t i = 0; i < seq->n; i++)
        if (item_indent(doc, seq->items[i]) < 0) return 0;
    return 1;
}

/* Writes a file whole under a temporary name, then renames it over path, so a reader
 * never sees half of it. */
static int replace_file(const char *path, const char *data, size_t len)
{
    rw_buf_t tmp;
    rw_buf_init(&tmp);
    rw_buf_printf(&tmp, "%s.import-%ld", path, (long)getpid());
    FILE *f = fopen(tmp.data, "wb");
    int rc = -1;
    if (f) {
        int ok = fwrite(data, 1, len, f) == len;
        ok = !fclose(f) && ok;
        if (ok && !rename(tmp.data, path)) rc = 0;
        if (rc) unlink(tmp.data);
    }
    rw_buf_free(&tmp);
    return rc;
}

/* Names (ids and aliases) the law list already uses, for a new law's. */
static const rw_ynode_t *name_used(const rw_ynode_t *laws, const char *name)
{
    for (size_t i = 0; i < laws->n; i++) {
        const rw_ynode_t *id = rw_ymap_get(laws->items[i], "id");
        const rw_ynode_t *al = rw_ymap_get(laws->items[i], "aliases");
        if (id && id->str && !strcmp(id->str, name)) return id;
        for (size_t k = 0; al && al->kind == RW_Y_SEQ && k < al->n; k++)
            if (al->items[k]->str && !strcmp(al->items[k]->str, name)) return al->items[k];
    }
    return NULL;
}

typedef struct {
    const rw_import_t *im;
    const char *yaml_path, *name;
    rw_ydoc_t *doc;
    rw_diags_t *d;
    rw_buf_t *out; /* the new laws.yaml */
    const char *eol;
} import_t;

#define IERR(x, n, ...) rw_diag_error((x)->d, (x)->yaml_path, (n)->line, (n)->col, __VA_ARGS__)

/* A version item inserted into an existing law's `versions:` at its date's place. */
static int import_version(import_t *x, const rw_ynode_t *law)
{
    const rw_import_t *im = x->im;
    const rw_ydoc_t *doc = x->doc;
    const rw_ynode_t *id = rw_ymap_get(law, "id");
    const char *who = id && id->str ? id->str : im->law;
    if (im->title || im->level || im->n_aliases) {
        IERR(x, law, "--title、--alias、--level 只用于新法律：「%s」已在 laws.yaml 中", who);
        return -1;
    }
    const rw_ynode_t *vs = rw_ymap_get(law, "versions");
    if (!block_list(doc, vs)) {
        IERR(x, vs ? vs : law,
             "无法自动编辑：法律「%s」的 versions 应为块状列表（每项一行，以「- 」开头），"
             "如 shipped 的 laws.yaml",
             who);
        return -1;
    }
    char date[11], other[11];
    rw_date_format(im->effective, date);
    const rw_ynode_t *rep = rw_ymap_get(law, "repealed");
    int64_t rep_day;
    if (rep && rep->kind == RW_Y_STR && !rw_date_parse(rep->str, &rep_day) &&
        rep_day <= im->effective) {
        IERR(x, rep, "法律「%s」已于 %s 废止：不能再导入 %s 起施行的版本", who, rep->str, date);
        return -1;
    }
    const rw_ynode_t *before = NULL; /* the first version taking force after the new one */
    size_t at = 0;
    for (size_t i = 0; i < vs->n; i++) {
        const rw_ynode_t *eff = rw_ymap_get(vs->items[i], "effective");
        const rw_ynode_t *src = rw_ymap_get(vs->items[i], "source");
        int64_t day;
        if (!eff || eff->kind != RW_Y_STR || rw_date_parse(eff->str, &day)) {
            IERR(x, vs->items[i],
                 "法律「%s」的这个版本没有有效的 effective 日期：请先修正 laws.yaml", who);
            return -1;
        }
        if (day == im->effective) {
            IERR(x, eff, "法律「%s」已有 %s 起施行的版本（%s）：同一生效日期不能有两个版本", who,
                 date, src && src->str ? src->str : "?");
            return -1;
        }
        if (src && src->str && !strcmp(src->str, x->name)) {
            rw_date_format(day, other);
            IERR(x, src, "法律「%s」%s 起施行的版本已使用文件「%s」", who, other, x->name);
            return -1;
        }
        if (day > im->effective && !before) {
            before = vs->items[i];
            at = i;
        }
    }
    /* A map is relative to the version before it, which the import is about to change. */
    if (before && rw_ymap_get(before, "renumbered")) {
        const rw_ynode_t *eff = rw_ymap_get(before, "effective");
        rw_diag_warn(
            x->d, x->yaml_path, before->line, before->col,
            "%s 起施行的版本的 renumbered 原是相对 %s 版本写的，现在相对新导入的 %s 版本：请复核",
            eff->str, at ? rw_ymap_get(vs->items[at - 1], "effective")->str : "更早", date);
    }
    int indent = item_indent(doc, vs->items[0]);
    size_t pos = before ? line_start(doc->text, before->raw_off)
                        : line_after(doc->text, doc->len, node_last(vs->items[vs->n - 1]));
    /* Comment lines right above the next version are about it: the new one goes above them. */
    while (before && pos) {
        size_t ls = line_start(doc->text, pos - 1), p = ls;
        while (p < pos && (doc->text[p] == ' ' || doc->text[p] == '\t'))
            p++;
        if (p == pos || doc->text[p] != '#') break;
        pos = ls;
    }
    rw_buf_append(x->out, doc->text, pos);
    if (pos && doc->text[pos - 1] != '\n') rw_buf_puts(x->out, x->eol);
    rw_buf_printf(x->out, "%*s- effective: %s%s%*s  source: ", indent, "", date, x->eol, indent,
                  "");
    yaml_scalar(x->out, x->name);
    rw_buf_puts(x->out, x->eol);
    rw_buf_append(x->out, doc->text + pos, doc->len - pos);
    return 0;
}

/* A new law entry appended after the last one. */
static int import_law(import_t *x, const rw_ynode_t *laws, const char *file_title)
{
    const rw_import_t *im = x->im;
    int rc = 0;
    if (!im->level) {
        rw_diag_error(x->d, x->yaml_path, laws->line, laws->col,
                      "laws.yaml 中没有法律「%s」：新法律需要 --level（可用：law、"
                      "administrative-regulation、department-rule、local-regulation、"
                      "local-government-rule）",
                      im->law);
        return -1;
    }
    size_t nl = sizeof LEVELS / sizeof *LEVELS, k = 0;
    while (k < nl && strcmp(LEVELS[k], im->level))
        k++;
    if (k == nl) {
        rw_diag_error(
            x->d, im->file, 1, 1,
            "未知的 --level「%s」（可用：law、administrative-regulation、department-rule、"
            "local-regulation、local-government-rule）",
            im->level);
        rc = -1;
    }
    const char *title = im->title ? im->title : file_title;
    for (size_t i = 0; i <= im->n_aliases; i++) {
        const char *name = i ? im->aliases[i - 1] : im->law;
        const rw_ynode_t *used;
        if (!*name || strpbrk(name, " \t\r\n@#")) {
            rw_diag_error(x->d, im->file, 1, 1,
                          "名称「%s」不能为空，也不能包含空白、@ 或 #（条款引用用它们分隔）", name);
            rc = -1;
        } else if ((used = name_used(laws, name))) {
            IERR(x, used, "名称「%s」已用作 id 或别名", name);
            rc = -1;
        }
        for (size_t j = 0; j < i; j++)
            if (!strcmp(j ? im->aliases[j - 1] : im->law, name)) {
                rw_diag_error(x->d, im->file, 1, 1, "名称「%s」重复", name);
                rc = -1;
            }
    }
    if (rc) return -1;
    int indent = item_indent(x->doc, laws->items[0]);
    size_t pos = line_after(x->doc->text, x->doc->len, node_last(laws->items[laws->n - 1]));
    const char *e = x->eol;
    char date[11];
    rw_date_format(im->effective, date);
    rw_buf_append(x->out, x->doc->text, pos);
    if (pos && x->doc->text[pos - 1] != '\n') rw_buf_puts(x->out, e);
    rw_buf_printf(x->out, "%s%*s- id: ", e, indent, "");
    yaml_scalar(x->out, im->law);
    rw_buf_printf(x->out, "%s%*s  title: ", e, indent, "");
    yaml_scalar(x->out, title);
    if (im->n_aliases) {
        rw_buf_printf(x->out, "%s%*s  aliases: [", e, indent, "");
        for (size_t i = 0; i < im->n_aliases; i++) {
            if (i) rw_buf_puts(x->out, ", ");
            yaml_scalar(x->out, im->aliases[i]);
        }
        rw_buf_putc(x->out, ']');
    }
    rw_buf_printf(x->out, "%s%*s  level: %s%s%*s  versions:%s", e, indent, "", im->level, e, indent,
                  "", e);
    rw_buf_printf(x->out, "%*s    - effective: %s%s%*s      source: ", indent, "", date, e, indent,
                  "");
    yaml_scalar(x->out, x->name);
    rw_buf_printf(x->out, "%s%*s  repealed: null%s", e, indent, "", e);
    rw_buf_append(x->out, x->doc->text + pos, x->doc->len - pos);
    return 0;
}

/* 1 when a and b name the same file. */
static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int rw_statutes_import(const char *dir, const rw_import_t *im, rw_diags_t *d)
{
    size_t len, ylen;
    char *text = rw_read_file(im->file, &len);
    if (!text) {
        rw_diag_error(d, im->file, 1, 1, "无法读取：%s", strerror(errno));
        return -1;
    }
    rw_law_text_t *lt = NULL;
    if (rw_law_text_parse(im->file, text, len, &lt, d)) {
        free(text);
        return -1;
    }
    const char *slash = strrchr(im->file, '/');
    const char *name = slash ? slash + 1 : im->file;
    rw_buf_t ypath, dest, out;
    rw_buf_init(&ypath);
    rw_buf_init(&dest);
    rw_buf_init(&out);
    rw_buf_printf(&ypath, "%s/laws.yaml", dir);
    rw_buf_printf(&dest, "%s/%s", dir, name);
    rw_ydoc_t doc = {0};
    char *ytext = NULL;
    int rc = -1, copied = 0;
    if (!*name || name[0] == '.') {
        rw_diag_error(d, im->file, 1, 1, "文件名「%s」不能作为法规文本的文件名", name);
        goto done;
    }
    if (!(ytext = rw_read_file(ypath.data, &ylen))) {
        rw_diag_error(d, ypath.data, 1, 1, "无法读取：%s", strerror(errno));
        goto done;
    }
    if (rw_ydoc_parse(&doc, ypath.data, ytext, ylen, d)) goto done;
    const rw_ynode_t *laws = doc.root ? rw_ymap_get(doc.root, "laws") : NULL;
    if (!block_list(&doc, laws)) {
        rw_diag_error(d, ypath.data, laws ? laws->line : 1, laws ? laws->col : 1,
                      "无法自动编辑：laws.yaml 应有非空的块状列表 laws:（每项以「- 」开头），"
                      "如 shipped 的 laws.yaml");
        goto done;
    }
    import_t x = {im, ypath.data, name, &doc, d, &out, strstr(ytext, "\r\n") ? "\r\n" : "\n"};
    const rw_ynode_t *law = NULL;
    for (size_t i = 0; i < laws->n && !law; i++) {
        const rw_ynode_t *id = rw_ymap_get(laws->items[i], "id");
        const rw_ynode_t *al = rw_ymap_get(laws->items[i], "aliases");
        if (id && id->str && !strcmp(id->str, im->law)) law = laws->items[i];
        for (size_t k = 0; al && al->kind == RW_Y_SEQ && k < al->n && !law; k++)
            if (al->items[k]->str && !strcmp(al->items[k]->str, im->law)) law = laws->items[i];
    }
    if (law ? import_version(&x, law) : import_law(&x, laws, lt->title)) goto done;

    /* The text goes in under its own name; an identical copy already there is that file. */
    if (!same_file(im->file, dest.data)) {
        size_t have_len;
        char *have = rw_read_file(dest.data, &have_len);
        if (have && (have_len != len || memcmp(have, text, len))) {
            rw_diag_error(d, dest.data, 1, 1,
                          "已存在同名文件且内容不同：请改名后再导入，或先移走它");
            free(have);
            goto done;
        }
        if (!have) {
            FILE *f = fopen(dest.data, "wbx");
            int ok = f && fwrite(text, 1, len, f) == len;
            if (f) ok = !fclose(f) && ok;
            if (!ok) {
                rw_diag_error(d, dest.data, 1, 1, "无法写入：%s", strerror(errno));
                if (f) unlink(dest.data);
                goto done;
            }
            copied = 1;
        }
        free(have);
    }
    if (replace_file(ypath.data, out.data, out.len)) {
        rw_diag_error(d, ypath.data, 1, 1, "无法写入：%s", strerror(errno));
        goto undo;
    }
    /* The import stands only if the library it leaves behind loads. */
    rw_diags_t ld;
    rw_diags_init(&ld);
    rw_statutes_t *s = NULL;
    int lrc = rw_statutes_load(&s, dir, im->today, &ld);
    for (size_t i = 0; i < ld.n; i++)
        rw_diag_add(d, ld.items[i].sev, ld.items[i].file, ld.items[i].line, ld.items[i].col, "%s",
                    ld.items[i].msg);
    rw_diags_free(&ld);
    rw_statutes_free(s);
    if (!lrc) {
        rc = 0;
        goto done;
    }
    if (replace_file(ypath.data, ytext, ylen))
        rw_diag_error(d, ypath.data, 1, 1, "无法恢复 laws.yaml（%s）：请手工恢复", strerror(errno));
    else
        rw_diag_error(d, ypath.data, 1, 1,
                      "导入后法规库无法加载（见上）：已撤销，laws.yaml 已恢复原样");
undo:
    if (copied) unlink(dest.data);
done:
    rw_ydoc_free(&doc);
    free(ytext);
    free(text);
    rw_law_text_free(lt);
    rw_buf_free(&ypath);
    rw_buf_free(&dest);
    rw_buf_free(&out);
    return rc;
}

json_t *rw_clause_history_json(const rw_clause_ref_t *r, const char *ref_text)
{
    const rw_law_t *law = r->law;
    json_t *versions = json_array();
    char *prev = NULL;
    for (size_t i = 0; i < law->n_versions; i++) {
        const rw_law_version_t *v = &law->versions[i];
        char day[11];
        rw_date_format(v->effective, day);
        rw_clause_ref_t in;
        const rw_stat_article_t *a =
            rw_clause_ref_in(r, v, &in) ? NULL : rw_law_text_article(v->text, in.article, in.sub);
        char *text = a ? rw_clause_text(r, v) : NULL,
             *label = a && text ? rw_clause_label(&in, a) : NULL;
        int changed = i > 0 && (!prev != !text || (text && !rw_stat_text_equal(prev, text)));
        json_array_append_new(versions, json_pack("{s:s,s:o,s:o,s:b}", "effective", day, "label",
                                                  label ? json_string(label) : json_null(), "text",
                                                  text ? json_string(text) : json_null(), "changed",
                                                  changed));
        free(label);
        free(prev);
        prev = text;
    }
    free(prev);
    json_t *repealed = json_null();
    if (law->repealed != RW_DAY_NONE) {
        char day[11];
        rw_date_format(law->repealed, day);
        repealed = json_string(day);
    }
    return json_pack("{s:s,s:s,s:s,s:o,s:o}", "ref", ref_text, "law", law->title, "law_id", law->id,
                     "repealed", repealed, "versions", versions);
}
