/* yamldoc.c — builds position-carrying YAML trees with libyaml's event parser. */
#include "yamldoc.h"

#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <pthread.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct {
    rw_ydoc_t *doc;
    yaml_parser_t parser;
    rw_diags_t *d;
    int failed;
    size_t *line_start; /* byte offset of each line, so marks map to bytes in O(columns) */
    size_t n_lines;
} builder_t;

static void index_lines(builder_t *b)
{
    const rw_ydoc_t *doc = b->doc;
    b->line_start = rw_xmalloc(sizeof *b->line_start);
    b->line_start[0] = 0;
    b->n_lines = 1;
    for (size_t i = 0; i < doc->len; i++)
        if (doc->text[i] == '\n') {
            b->line_start = rw_xrealloc(b->line_start, (b->n_lines + 1) * sizeof *b->line_start);
            b->line_start[b->n_lines++] = i + 1;
        }
}

/* libyaml marks count code points; turn a (line, column) into a byte offset. */
static size_t mark_to_byte(const builder_t *b, size_t line, size_t col)
{
    const rw_ydoc_t *doc = b->doc;
    size_t i = line < b->n_lines ? b->line_start[line] : doc->len;
    for (size_t c = 0; c < col && i < doc->len; c++) {
        i++;
        while (i < doc->len && ((unsigned char)doc->text[i] & 0xC0) == 0x80)
            i++;
    }
    return i;
}

static rw_ynode_t *new_node(builder_t *b, rw_ykind_t kind, yaml_mark_t m)
{
    rw_ynode_t *n = rw_xcalloc(1, sizeof *n);
    n->kind = kind;
    n->line = (int)m.line + 1;
    n->col = (int)m.column + 1;
    n->raw_off = mark_to_byte(b, m.line, m.column);
    return n;
}

enum { RE_INT, RE_OCT, RE_HEX, RE_FLOAT, RE_INF, RE_NAN, RE__COUNT };
static const char *const core_schema_re[RE__COUNT] = {
    [RE_INT] = "^[-+]?[0-9]+$",
    [RE_OCT] = "^0o[0-7]+$",
    [RE_HEX] = "^0x[0-9a-fA-F]+$",
    [RE_FLOAT] = "^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$",
    [RE_INF] = "^[-+]?\\.(inf|Inf|INF)$",
    [RE_NAN] = "^\\.(nan|NaN|NAN)$",
};
static regex_t core_schema[RE__COUNT];
static pthread_once_t core_schema_once = PTHREAD_ONCE_INIT;

static void compile_core_schema(void)
{
    for (int i = 0; i < RE__COUNT; i++)
        regcomp(&core_schema[i], core_schema_re[i], REG_EXTENDED | REG_NOSUB);
}

/* Compiled once per process: plain scalars are many. */
static int match(int re, const char *s)
{
    pthread_once(&core_schema_once, compile_core_schema);
    return regexec(&core_schema[re], s, 0, NULL, 0) == 0;
}

/* YAML 1.2 core schema resolution of a plain scalar. */
static void resolve_plain(rw_ynode_t *n)
{
    const char *s = n->str;
    if (n->len == 0 || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
        !strcmp(s, "NULL")) {
        n->kind = RW_Y_NULL;
    } else if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE")) {
        n->kind = RW_Y_BOOL;
        n->boolean = 1;
    } else if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE")) {
        n->kind = RW_Y_BOOL;
        n->boolean = 0;
    } else if (match(RE_INT, s)) {
        n->kind = RW_Y_NUM;
        n->is_int = 1;
        n->num = strtod(s, NULL);
    } else if (match(RE_OCT, s)) {
        n->kind = RW_Y_NUM;
        n->is_int = 1;
        n->num = (double)strtoll(s + 2, NULL, 8);
    } else if (match(RE_HEX, s)) {
        n->kind = RW_Y_NUM;
        n->is_int = 1;
        n->num = (double)strtoll(s + 2, NULL, 16);
    } else if (match(RE_FLOAT, s)) {
        n->kind = RW_Y_NUM;
        n->num = strtod(s, NULL);
    } else if (match(RE_INF, s)) {
        n->kind = RW_Y_NUM;
        n->num = s[0] == '-' ? -INFINITY : INFINITY;
    } else if (match(RE_NAN, s)) {
        n->kind = RW_Y_NUM;
        n->num = NAN;
    }
}

static void free_node(rw_ynode_t *n)
{
    if (!n) return;
    for (size_t i = 0; i < n->n; i++) {
        free_node(n->items[i]);
        if (n->keys) free_node(n->keys[i]);
    }
    free(n->items);
    free(n->keys);
    free(n->str);
    free(n);
}

static void fail(builder_t *b, yaml_mark_t m, const char *msg)
{
    if (!b->failed)
        rw_diag_error(b->d, b->doc->path, (int)m.line + 1, (int)m.column + 1, "%s", msg);
    b->failed = 1;
}

static int next_event(builder_t *b, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&b->parser, ev)) {
        yaml_mark_t m = b->parser.problem_mark;
        char msg[512];
        snprintf(msg, sizeof msg, "YAML 语法错误: %s%s%s",
                 b->parser.problem ? b->parser.problem : "", b->parser.context ? " " : "",
                 b->parser.context ? b->parser.context : "");
        fail(b, m, msg);
        return -1;
    }
    return 0;
}

static rw_ynode_t *build(builder_t *b, yaml_event_t *ev);

static rw_ynode_t *build_scalar(builder_t *b, yaml_event_t *ev)
{
    rw_ynode_t *n = new_node(b, RW_Y_STR, ev->start_mark);
    n->str = rw_xstrndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
    n->len = ev->data.scalar.length;
    switch (ev->data.scalar.style) {
    case YAML_PLAIN_SCALAR_STYLE:
        n->style = RW_YS_PLAIN;
        break;
    case YAML_SINGLE_QUOTED_SCALAR_STYLE:
        n->style = RW_YS_SINGLE;
        break;
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
        n->style = RW_YS_DOUBLE;
        break;
    case YAML_LITERAL_SCALAR_STYLE:
        n->style = RW_YS_LITERAL;
        break;
    case YAML_FOLDED_SCALAR_STYLE:
        n->style = RW_YS_FOLDED;
        break;
    default:
        n->style = RW_YS_OTHER;
    }
    const char *tag = (const char *)ev->data.scalar.tag;
    if (tag && strcmp(tag, "tag:yaml.org,2002:str") != 0 && strcmp(tag, "!") != 0) {
        /* explicit non-string tags: resolve as if plain */
        resolve_plain(n);
    } else if (!tag && n->style == RW_YS_PLAIN) {
        resolve_plain(n);
    }
    if (!rw_utf8_valid(n->str, n->len)) fail(b, ev->start_mark, "文本不是有效的 UTF-8");
    return n;
}

static rw_ynode_t *build_seq(builder_t *b, yaml_event_t *start)
{
    rw_ynode_t *n = new_node(b, RW_Y_SEQ, start->start_mark);
    size_t cap = 0;
    for (;;) {
        yaml_event_t ev;
        if (next_event(b, &ev)) break;
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        rw_ynode_t *item = build(b, &ev);
        yaml_event_delete(&ev);
        if (!item) break;
        if (n->n == cap) {
            cap = cap ? cap * 2 : 4;
            n->items = rw_xrealloc(n->items, cap * sizeof *n->items);
        }
        n->items[n->n++] = item;
    }
    return n;
}

static rw_ynode_t *build_map(builder_t *b, yaml_event_t *start)
{
    rw_ynode_t *n = new_node(b, RW_Y_MAP, start->start_mark);
    size_t cap = 0;
    for (;;) {
        yaml_event_t ev;
        if (next_event(b, &ev)) break;
        if (ev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        yaml_mark_t km = ev.start_mark;
        rw_ynode_t *key = build(b, &ev);
        yaml_event_delete(&ev);
        if (!key) break;
        if (key->kind == RW_Y_SEQ || key->kind == RW_Y_MAP) {
            fail(b, km, "映射的键必须是标量");
            free_node(key);
            break;
        }
        if (rw_ymap_get(n, key->str)) {
            char msg[600];
            snprintf(msg, sizeof msg, "重复的键 \"%s\"", key->str);
            fail(b, km, msg);
            free_node(key);
            break;
        }
        if (next_event(b, &ev)) {
            free_node(key);
            break;
        }
        rw_ynode_t *val = build(b, &ev);
        yaml_event_delete(&ev);
        if (!val) {
            free_node(key);
            break;
        }
        if (n->n == cap) {
            cap = cap ? cap * 2 : 4;
            n->items = rw_xrealloc(n->items, cap * sizeof *n->items);
            n->keys = rw_xrealloc(n->keys, cap * sizeof *n->keys);
        }
        n->keys[n->n] = key;
        n->items[n->n++] = val;
    }
    return n;
}

static rw_ynode_t *build(builder_t *b, yaml_event_t *ev)
{
    if (b->failed) return NULL;
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        if (ev->data.scalar.anchor) break;
        return build_scalar(b, ev);
    case YAML_SEQUENCE_START_EVENT:
        if (ev->data.sequence_start.anchor) break;
        return build_seq(b, ev);
    case YAML_MAPPING_START_EVENT:
        if (ev->data.mapping_start.anchor) break;
        return build_map(b, ev);
    default:
        break;
    }
    fail(b, ev->start_mark, "不支持 YAML 锚点和别名（&、*），请直接写出内容");
    return NULL;
}

int rw_ydoc_parse(rw_ydoc_t *doc, const char *name, const char *text, size_t len, rw_diags_t *d)
{
    memset(doc, 0, sizeof *doc);
    /* a byte-order mark (editors on Windows write one) is not content: columns on the
     * first line count from after it, as the editor shows them */
    size_t bom = rw_utf8_bom(text, len);
    text += bom;
    len -= bom;
    doc->path = rw_xstrdup(name);
    doc->text = rw_xstrndup(text, len);
    doc->len = len;
    builder_t b = {.doc = doc, .d = d};
    index_lines(&b);
    yaml_parser_initialize(&b.parser);
    yaml_parser_set_input_string(&b.parser, (const unsigned char *)doc->text, len);
    yaml_parser_set_encoding(&b.parser, YAML_UTF8_ENCODING);
    int docs = 0;
    for (;;) {
        yaml_event_t ev;
        if (next_event(&b, &ev)) break;
        yaml_event_type_t t = ev.type;
        if (t == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (t == YAML_DOCUMENT_START_EVENT && ++docs > 1) {
            fail(&b, ev.start_mark, "一个文件只能有一个 YAML 文档");
            yaml_event_delete(&ev);
            break;
        }
        if (t == YAML_SCALAR_EVENT || t == YAML_SEQUENCE_START_EVENT ||
            t == YAML_MAPPING_START_EVENT || t == YAML_ALIAS_EVENT) {
            doc->root = build(&b, &ev);
        }
        yaml_event_delete(&ev);
        if (b.failed) break;
    }
    yaml_parser_delete(&b.parser);
    free(b.line_start);
    if (doc->root && doc->root->kind == RW_Y_NULL) {
        free_node(doc->root);
        doc->root = NULL;
    }
    if (b.failed) {
        free_node(doc->root);
        doc->root = NULL;
        return -1;
    }
    return 0;
}

int rw_ydoc_load(rw_ydoc_t *doc, const char *path, rw_diags_t *d)
{
    size_t len;
    char *text = rw_read_file(path, &len);
    if (!text) {
        memset(doc, 0, sizeof *doc);
        doc->path = rw_xstrdup(path);
        rw_diag_error(d, path, 1, 1, "无法读取文件: %s", strerror(errno));
        return -1;
    }
    int rc = rw_ydoc_parse(doc, path, text, len, d);
    free(text);
    return rc;
}

void rw_ydoc_free(rw_ydoc_t *doc)
{
    free_node(doc->root);
    free(doc->path);
    free(doc->text);
    memset(doc, 0, sizeof *doc);
}

const rw_ynode_t *rw_ymap_get(const rw_ynode_t *map, const char *key)
{
    if (!map || map->kind != RW_Y_MAP) return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->keys[i]->str, key) == 0) return map->items[i];
    return NULL;
}

static size_t utf8_step(const char *s, size_t i, size_t n)
{
    i++;
    while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
        i++;
    return i;
}

/* Where a line fold starting at raw ends: past trailing blanks, the line break, any
 * blank lines and the next line's indentation. raw itself when no line ends there. */
static size_t fold_end(const char *t, size_t raw, size_t end)
{
    size_t k = raw;
    while (k < end && (t[k] == ' ' || t[k] == '\t'))
        k++;
    if (k >= end || (t[k] != '\n' && t[k] != '\r')) return raw;
    while (k < end && (t[k] == ' ' || t[k] == '\t' || t[k] == '\n' || t[k] == '\r'))
        k++;
    return k;
}

/* Past a double-quoted scalar's escaped line break at raw, which stands for nothing,
 * nor does the next line's leading white space; raw itself when there is none. */
static size_t escaped_break_end(const char *t, size_t raw, size_t end)
{
    if (raw + 1 >= end || t[raw] != '\\' || (t[raw + 1] != '\n' && t[raw + 1] != '\r')) return raw;
    raw += t[raw + 1] == '\r' && raw + 2 < end && t[raw + 2] == '\n' ? 3 : 2;
    while (raw < end && (t[raw] == ' ' || t[raw] == '\t'))
        raw++;
    return raw;
}

/* The length of the line break at k ("\n" or "\r\n"), 0 when none is there. */
static size_t line_break(const char *t, size_t k, size_t end)
{
    if (k < end && t[k] == '\n') return 1;
    return k + 1 < end && t[k] == '\r' && t[k + 1] == '\n' ? 2 : 0;
}

/* Whether the line of text v ending at `at` starts with white space: in a folded block
 * such a line keeps the line breaks around it. */
static int more_indented(const char *v, size_t at)
{
    size_t k = at;
    while (k > 0 && v[k - 1] != '\n')
        k--;
    return v[k] == ' ' || v[k] == '\t';
}

/* The indentation of the first non-blank line from k on. */
static size_t next_indent(const char *t, size_t k, size_t end)
{
    for (size_t b;; k += b) {
        size_t sp = 0;
        while (k + sp < end && t[k + sp] == ' ')
            sp++;
        if (!(b = line_break(t, k + sp, end))) return sp;
        b += sp;
    }
}

void rw_ynode_pos(const rw_ydoc_t *doc, const rw_ynode_t *n, size_t offset, int *line, int *col)
{
    const char *t = doc->text;
    size_t raw = n->raw_off, end = doc->len;
    if (n->style == RW_YS_SINGLE || n->style == RW_YS_DOUBLE) raw++;
    int block = n->style == RW_YS_LITERAL || n->style == RW_YS_FOLDED;
    size_t indent = 0; /* a block's indentation, which is not part of its text */
    if (block) {
        /* an indentation indicator (`|2`) counts from the header line's indentation;
         * without one the first non-blank line's indentation is the block's (blank lines
         * before it are text, a line break each) */
        size_t line_start = raw, given = 0;
        while (line_start > 0 && t[line_start - 1] != '\n')
            line_start--;
        for (size_t k = raw + 1; k < end && k < raw + 3; k++)
            if (t[k] >= '1' && t[k] <= '9') given = (size_t)(t[k] - '0');
        while (raw < end && t[raw] != '\n')
            raw++;
        if (raw < end) raw++;
        indent = next_indent(t, raw, end);
        if (given) {
            size_t header = 0;
            while (t[line_start + header] == ' ')
                header++;
            indent = header + given;
        }
        for (size_t k = 0; k < indent && raw < end && t[raw] == ' '; k++)
            raw++;
    }
    const char *v = n->str ? n->str : "";
    int dq = n->style == RW_YS_DOUBLE;
    for (size_t i = 0; i < offset && i < n->len && raw < end;) {
        char c = v[i];
        size_t k;
        if (block && c == '\n' && (k = line_break(t, raw, end))) {
            /* a line break of the text: past it and the next line's indentation. In a
             * folded block the break between two lines of text at the block's indentation
             * was folded away and each "\n" is one blank line: past that one too. */
            raw += k;
            i++;
            size_t sp = 0, b;
            while (raw + sp < end && t[raw + sp] == ' ')
                sp++;
            if (n->style == RW_YS_FOLDED && i > 1 && v[i - 2] != '\n' &&
                (b = line_break(t, raw + sp, end)) && !more_indented(v, i - 1) &&
                next_indent(t, raw, end) <= indent)
                raw += sp + b;
            for (size_t k = 0; k < indent && raw < end && t[raw] == ' '; k++)
                raw++;
        } else if (n->style == RW_YS_SINGLE && t[raw] == '\'' && raw + 1 < end &&
                   t[raw + 1] == '\'') {
            raw += 2;
            i++;
        } else if (dq && (k = escaped_break_end(t, raw, end)) != raw) {
            raw = k;
        } else if (dq && t[raw] == '\\') {
            char e = raw + 1 < end ? t[raw + 1] : 0;
            raw += e == 'x' ? 4 : e == 'u' ? 6 : e == 'U' ? 10 : 2;
            i = utf8_step(v, i, n->len);
        } else if ((c == ' ' || c == '\n') && (k = fold_end(t, raw, end)) != raw) {
            /* a line break folded to a space, or blank lines: in a flow scalar each blank
             * line is one \n of the value, all of them consumed here at once */
            raw = k;
            i++;
            while (!block && c == '\n' && i < offset && i < n->len && v[i] == '\n')
                i++;
        } else if (t[raw] == c) {
            raw++;
            i++;
        } else {
            raw++;
            i++;
        }
    }
    if (dq) raw = escaped_break_end(t, raw, end); /* the offset is what follows it */
    int l = 1, c = 1;
    for (size_t i = 0; i < raw && i < end;) {
        if (t[i] == '\n') {
            l++;
            c = 1;
            i++;
        } else {
            c++;
            i = utf8_step(t, i, end);
        }
    }
    *line = l;
    *col = c;
}

json_t *rw_ynode_to_json(const rw_ynode_t *n)
{
    if (!n) return json_null();
    switch (n->kind) {
    case RW_Y_NULL:
        return json_null();
    case RW_Y_BOOL:
        return json_boolean(n->boolean);
    case RW_Y_NUM:
        if (n->is_int && fabs(n->num) < 9e15) return json_integer((json_int_t)n->num);
        return json_real(n->num);
    case RW_Y_STR:
        return json_stringn(n->str, n->len);
    case RW_Y_SEQ: {
        json_t *a = json_array();
        for (size_t i = 0; i < n->n; i++)
            json_array_append_new(a, rw_ynode_to_json(n->items[i]));
        return a;
    }
    case RW_Y_MAP: {
        json_t *o = json_object();
        for (size_t i = 0; i < n->n; i++)
            json_object_set_new(o, n->keys[i]->str, rw_ynode_to_json(n->items[i]));
        return o;
    }
    }
    return json_null();
}

const char *rw_ykind_name(rw_ykind_t k)
{
    switch (k) {
    case RW_Y_NULL:
        return "空值";
    case RW_Y_BOOL:
        return "布尔值";
    case RW_Y_NUM:
        return "数字";
    case RW_Y_STR:
        return "字符串";
    case RW_Y_SEQ:
        return "列表";
    case RW_Y_MAP:
        return "映射";
    }
    return "?";
}

void rw_ydiag(rw_diags_t *d, const rw_ydoc_t *doc, const rw_ynode_t *n, rw_severity_t sev,
              const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rw_diag_vadd(d, sev, doc->path, n ? n->line : 1, n ? n->col : 1, fmt, ap);
    va_end(ap);
}

const char *rw_yget_str(const rw_ydoc_t *doc, const rw_ynode_t *map, const char *key, int required,
                        rw_diags_t *d)
{
    const rw_ynode_t *v = rw_ymap_get(map, key);
    if (!v || v->kind == RW_Y_NULL) {
        if (required) rw_ydiag(d, doc, map, RW_DIAG_ERROR, "缺少必填的键 \"%s\"", key);
        return NULL;
    }
    if (v->kind == RW_Y_SEQ || v->kind == RW_Y_MAP) {
        rw_ydiag(d, doc, v, RW_DIAG_ERROR, "\"%s\" 应该是字符串，这里是%s", key,
                 rw_ykind_name(v->kind));
        return NULL;
    }
    return v->str;
}

void rw_ycheck_keys(const rw_ydoc_t *doc, const rw_ynode_t *map, const char *const *known,
                    rw_diags_t *d)
{
    if (!map || map->kind != RW_Y_MAP) return;
    for (size_t i = 0; i < map->n; i++) {
        int ok = 0;
        for (const char *const *k = known; *k && !ok; k++)
            ok = strcmp(*k, map->keys[i]->str) == 0;
        if (!ok)
            rw_ydiag(d, doc, map->keys[i], RW_DIAG_ERROR, "未知的键 \"%s\"", map->keys[i]->str);
    }
}
