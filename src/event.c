/* event.c — parsing and validating one event value (events.md): one jansson parse,
 * then direct checks of each field, with the field at fault and a reason in Chinese
 * for everything that is rejected, and the dead-letter record built from it. */
#include "event.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rwtime.h"
#include "util.h"

/* The longest field path the error record holds (err->field without its NUL). */
#define RW_FIELD_MAX (sizeof(((rw_event_error_t *)0)->field) - 1)

static const char *const rw_event_code_names[RW_EV__COUNT] = {
    [RW_EV_OK] = "ok",
    [RW_EV_TOO_LARGE] = "too_large",
    [RW_EV_NOT_UTF8] = "not_utf8",
    [RW_EV_NOT_JSON] = "not_json",
    [RW_EV_DUPLICATE_KEY] = "duplicate_key",
    [RW_EV_NOT_OBJECT] = "not_object",
    [RW_EV_MISSING_FIELD] = "missing_field",
    [RW_EV_BAD_FIELD] = "bad_field",
    [RW_EV_BAD_TIME] = "bad_time",
    [RW_EV_KEY_MISMATCH] = "key_mismatch",
    [RW_EV_FUTURE] = "future",
};

const char *rw_event_code_name(rw_event_status_t code)
{
    if ((unsigned)code >= RW_EV__COUNT) return "unknown";
    return rw_event_code_names[code];
}

/* Largest k <= max such that s[0..k) ends on a code-point boundary of the valid
 * UTF-8 string s of length n, so that cut text stays valid UTF-8 (the reject record
 * is JSON, and jansson refuses strings that are not). */
static size_t utf8_cut(const char *s, size_t n, size_t max)
{
    if (n <= max) return n;
    size_t k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    return k;
}

/* A field path being written into err->field: "attrs.items[2]", "profile.name". Once
 * a component does not fit whole, nothing more is appended, so a cut path is always a
 * true prefix of the real one. */
typedef struct {
    char *s;
    size_t n;
    int full;
} rw_path_t;

static void path_init(rw_path_t *p, char *out)
{
    p->s = out;
    p->n = 0;
    p->full = 0;
    out[0] = '\0';
}

static void path_put(rw_path_t *p, const char *s, size_t len)
{
    if (p->full) return;
    size_t k = utf8_cut(s, len, RW_FIELD_MAX - p->n);
    memcpy(p->s + p->n, s, k);
    p->n += k;
    p->s[p->n] = '\0';
    if (k < len) p->full = 1;
}

static void path_key(rw_path_t *p, const char *key, size_t len)
{
    if (p->n > 0) path_put(p, ".", 1);
    path_put(p, key, len);
}

static void path_index(rw_path_t *p, size_t index)
{
    char tmp[32];
    int k = snprintf(tmp, sizeof tmp, "[%zu]", index);
    path_put(p, tmp, (size_t)k);
}

/* Fills err and returns -1, so that every check can end in `return fail(...)`. */
static int fail(rw_event_error_t *err, rw_event_status_t code, const char *field, const char *fmt,
                ...) __attribute__((format(printf, 4, 5)));

static int fail(rw_event_error_t *err, rw_event_status_t code, const char *field, const char *fmt,
                ...)
{
    err->code = code;
    if (field != err->field) {
        rw_path_t p;
        path_init(&p, err->field);
        if (field) path_put(&p, field, strlen(field));
    }
    /* Formatted into a larger buffer first so the cut to err->reason can see where
     * the next code point starts. */
    char tmp[2 * sizeof err->reason];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    size_t len = n < 0 ? 0 : (size_t)n >= sizeof tmp ? sizeof tmp - 1 : (size_t)n;
    len = utf8_cut(tmp, len, sizeof err->reason - 1);
    memcpy(err->reason, tmp, len);
    err->reason[len] = '\0';
    return -1;
}

/* How a JSON type is named in reasons ("实际是数字"). */
static const char *type_word(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "对象";
    case JSON_ARRAY:
        return "数组";
    case JSON_STRING:
        return "字符串";
    case JSON_INTEGER:
    case JSON_REAL:
        return "数字";
    case JSON_TRUE:
    case JSON_FALSE:
        return "布尔值";
    case JSON_NULL:
        return "null";
    }
    return "未知类型";
}

static int is_scalar(const json_t *v)
{
    return !json_is_object(v) && !json_is_array(v);
}

/* The path of a duplicate key, recovered from the raw bytes: jansson reports only the
 * byte position just past the repeated key, so the text before it is rescanned for the
 * open containers and their current keys and indices. Runs only on this error path.
 * The text before the position has already been parsed, so it is well-formed. */
static void duplicate_key_path(const char *buf, size_t end, char *out)
{
    enum { MAX_DEPTH = RW_FIELD_MAX }; /* deeper components never fit in the path */
    struct {
        int is_object, want_key, has_key;
        size_t key, key_len, index;
    } fr[MAX_DEPTH];
    size_t depth = 0;
    size_t i = 0;
    while (i < end) {
        char c = buf[i];
        if (c == '"') {
            size_t start = ++i;
            while (i < end && buf[i] != '"')
                i += buf[i] == '\\' ? 2 : 1;
            if (i > end) i = end;
            if (depth > 0 && depth <= MAX_DEPTH && fr[depth - 1].is_object &&
                fr[depth - 1].want_key) {
                fr[depth - 1].key = start;
                fr[depth - 1].key_len = i - start;
                fr[depth - 1].has_key = 1;
                fr[depth - 1].want_key = 0;
            }
            i++;
            continue;
        }
        if (c == '{' || c == '[') {
            if (depth < MAX_DEPTH) {
                fr[depth].is_object = c == '{';
                fr[depth].want_key = c == '{';
                fr[depth].has_key = 0;
                fr[depth].index = 0;
            }
            depth++;
        } else if (c == '}' || c == ']') {
            if (depth > 0) depth--;
        } else if (c == ',' && depth > 0 && depth <= MAX_DEPTH) {
            if (fr[depth - 1].is_object)
                fr[depth - 1].want_key = 1;
            else
                fr[depth - 1].index++;
        }
        i++;
    }
    rw_path_t p;
    path_init(&p, out);
    for (size_t d = 0; d < depth && d < MAX_DEPTH; d++) {
        if (!fr[d].is_object)
            path_index(&p, fr[d].index);
        else if (fr[d].has_key) {
            /* the key as written may hold escapes ("\u0069d" is "id"): decoded, with its
             * quotes, as a JSON string */
            json_t *k = json_loadb(buf + fr[d].key - 1, fr[d].key_len + 2, JSON_DECODE_ANY, NULL);
            if (json_is_string(k))
                path_key(&p, json_string_value(k), json_string_length(k));
            else
                path_key(&p, buf + fr[d].key, fr[d].key_len);
            json_decref(k);
        }
    }
}

/* jansson's message quotes the text near the error byte by byte, which can end inside
 * a character; such bytes become '?' so the reason stays UTF-8. */
static void utf8_scrub(char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t k = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        if (i + k <= n && rw_utf8_valid(s + i, k)) {
            i += k;
            continue;
        }
        s[i++] = '?';
    }
}

static int json_error(const char *buf, size_t len, const json_error_t *je, rw_event_error_t *err)
{
    char text[sizeof je->text];
    memcpy(text, je->text, sizeof text);
    text[sizeof text - 1] = '\0'; /* the last byte holds the error code, not text */
    utf8_scrub(text);
    switch (json_error_code(je)) {
    case json_error_duplicate_key: {
        size_t end = je->position < 0 ? 0 : (size_t)je->position;
        duplicate_key_path(buf, end < len ? end : len, err->field);
        if (err->field[0])
            return fail(err, RW_EV_DUPLICATE_KEY, err->field,
                        "字段 %s 重复出现：事件中任何 JSON 对象都不允许有重复的键", err->field);
        return fail(err, RW_EV_DUPLICATE_KEY, "",
                    "事件中有重复的键：任何 JSON 对象都不允许有重复的键");
    }
    case json_error_premature_end_of_input:
        return fail(err, RW_EV_NOT_JSON, "",
                    "事件不是完整的 JSON：在第 %d 行第 %d 列处意外结束（%s）", je->line, je->column,
                    text);
    case json_error_end_of_input_expected:
        return fail(err, RW_EV_NOT_JSON, "",
                    "事件不是合法的 JSON：第 %d 行第 %d 列处在 JSON 值之后还有多余内容", je->line,
                    je->column);
    case json_error_null_character:
        /* Rejected on purpose (no JSON_ALLOW_NUL): ids and names travel on as C strings. */
        return fail(err, RW_EV_NOT_JSON, "",
                    "事件的 JSON 字符串中不允许出现 \\u0000（第 %d 行第 %d 列）", je->line,
                    je->column);
    case json_error_numeric_overflow:
        return fail(err, RW_EV_NOT_JSON, "", "事件中的数字超出可表示的范围（第 %d 行第 %d 列）",
                    je->line, je->column);
    case json_error_stack_overflow:
        return fail(err, RW_EV_NOT_JSON, "", "事件的 JSON 嵌套层数过深（第 %d 行第 %d 列）",
                    je->line, je->column);
    default:
        return fail(err, RW_EV_NOT_JSON, "", "事件不是合法的 JSON：第 %d 行第 %d 列，%s", je->line,
                    je->column, text);
    }
}

/* Optional fields present as JSON null are treated as absent: producers that
 * serialize every member of a record write `"region": null` for "no region", and
 * rejecting those events would surprise their users. Any other wrong type is
 * invalid (events.md: `"region": 320102`). */
static json_t *optional(json_t *root, const char *name)
{
    json_t *v = json_object_get(root, name);
    return json_is_null(v) ? NULL : v;
}

/* A string field out of its rule; the text is quoted only when short, so that a long
 * one does not crowd out the rule. */
static int bad_text(rw_event_error_t *err, const char *field, const char *rule, const char *s,
                    size_t n)
{
    if (n <= 64) return fail(err, RW_EV_BAD_FIELD, field, "%s，实际是 \"%s\"", rule, s);
    return fail(err, RW_EV_BAD_FIELD, field, "%s，实际长度为 %zu 字节", rule, n);
}

static int check_id(json_t *v, rw_event_t *ev, rw_event_error_t *err)
{
    static const char *rule = "字段 id 必须是 1–128 字节的字符串";
    if (!json_is_string(v))
        return fail(err, RW_EV_BAD_FIELD, "id", "%s，实际是%s", rule, type_word(v));
    size_t n = json_string_length(v);
    if (n < 1 || n > 128)
        return fail(err, RW_EV_BAD_FIELD, "id", "%s，实际长度为 %zu 字节", rule, n);
    ev->id = json_string_value(v);
    ev->id_len = n;
    return 0;
}

static int type_text_ok(const char *s, size_t n)
{
    if (n < 1 || n > 64 || s[0] < 'a' || s[0] > 'z') return 0;
    for (size_t i = 1; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return 0;
    }
    return 1;
}

static int check_type(json_t *v, rw_event_t *ev, rw_event_error_t *err)
{
    static const char *rule = "字段 type 必须是匹配 [a-z][a-z0-9_]{0,63} "
                              "的字符串（小写字母开头，只含小写字母、数字和下划线，最长 64 字节）";
    if (!json_is_string(v))
        return fail(err, RW_EV_BAD_FIELD, "type", "%s，实际是%s", rule, type_word(v));
    size_t n = json_string_length(v);
    if (!type_text_ok(json_string_value(v), n))
        return bad_text(err, "type", rule, json_string_value(v), n);
    ev->type = json_string_value(v);
    ev->type_len = n;
    return 0;
}

/* Control characters are C0 (U+0000–U+001F), DEL (U+007F) and C1 (U+0080–U+009F,
 * encoded C2 80 – C2 9F); the string is already known to be valid UTF-8. */
static int has_control(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < 0x20 || s[i] == 0x7F) return 1;
        if (s[i] == 0xC2 && i + 1 < n && s[i + 1] <= 0x9F) return 1;
    }
    return 0;
}

static int check_entity(json_t *v, rw_event_t *ev, rw_event_error_t *err)
{
    static const char *rule = "字段 entity 必须是 1–64 字节、不含控制字符的字符串";
    if (!json_is_string(v))
        return fail(err, RW_EV_BAD_FIELD, "entity", "%s，实际是%s", rule, type_word(v));
    size_t n = json_string_length(v);
    const char *s = json_string_value(v);
    if (n < 1 || n > 64)
        return fail(err, RW_EV_BAD_FIELD, "entity", "%s，实际长度为 %zu 字节", rule, n);
    if (has_control(s, n))
        return fail(err, RW_EV_BAD_FIELD, "entity", "%s，实际含有控制字符", rule);
    ev->entity = s;
    ev->entity_len = n;
    return 0;
}

static int check_time(json_t *v, rw_event_t *ev, rw_event_error_t *err)
{
    static const char *form = "YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)";
    if (!json_is_string(v))
        return fail(err, RW_EV_BAD_FIELD, "time",
                    "字段 time 必须是 RFC 3339 时间字符串（%s），实际是%s", form, type_word(v));
    const char *s = json_string_value(v);
    if (rw_time_parse(s, json_string_length(v), &ev->time, NULL) != 0) {
        /* The text is quoted only when short: a long one would crowd out the rule. */
        if (json_string_length(v) <= 64)
            return fail(
                err, RW_EV_BAD_TIME, "time",
                "字段 time 必须是 RFC 3339 时间（%s，以 T 分隔，秒为 00–59），实际是 \"%s\"", form,
                s);
        return fail(err, RW_EV_BAD_TIME, "time",
                    "字段 time 必须是 RFC 3339 时间（%s，以 T 分隔，秒为 00–59）", form);
    }
    ev->time_text = s;
    return 0;
}

int rw_region_valid(const char *s, size_t n)
{
    int ok = n >= 2 && n <= 12;
    for (size_t i = 0; ok && i < n; i++)
        ok = s[i] >= '0' && s[i] <= '9';
    return ok;
}

static int check_region(json_t *v, rw_event_t *ev, rw_event_error_t *err)
{
    static const char *rule = "字段 region 必须是 2–12 位数字字符串";
    if (!json_is_string(v))
        return fail(err, RW_EV_BAD_FIELD, "region", "%s，实际是%s", rule, type_word(v));
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (!rw_region_valid(s, n)) return bad_text(err, "region", rule, s, n);
    ev->region = s;
    return 0;
}

static int check_source(json_t *v, rw_event_t *ev, rw_event_error_t *err)
{
    static const char *rule = "字段 source 必须是不超过 64 字节的字符串";
    if (!json_is_string(v))
        return fail(err, RW_EV_BAD_FIELD, "source", "%s，实际是%s", rule, type_word(v));
    size_t n = json_string_length(v);
    if (n > 64) return fail(err, RW_EV_BAD_FIELD, "source", "%s，实际长度为 %zu 字节", rule, n);
    ev->source = json_string_value(v);
    return 0;
}

/* Where a nested value sits, as a chain through the C stack: nothing is formatted
 * while checking, the path is written only when a value is rejected. */
typedef struct rw_frame {
    const struct rw_frame *parent;
    const char *key; /* NULL for an array element */
    size_t index, depth;
} rw_frame_t;

static void frame_path(const rw_frame_t *leaf, char *out)
{
    const rw_frame_t *chain[RW_FIELD_MAX]; /* deeper components never fit */
    size_t n = leaf->depth < RW_FIELD_MAX ? leaf->depth + 1 : RW_FIELD_MAX;
    for (const rw_frame_t *f = leaf; f; f = f->parent)
        if (f->depth < n) chain[f->depth] = f;
    rw_path_t p;
    path_init(&p, out);
    for (size_t d = 0; d < n; d++) {
        if (chain[d]->key)
            path_key(&p, chain[d]->key, strlen(chain[d]->key));
        else
            path_index(&p, chain[d]->index);
    }
}

/* attrs: objects nest freely; arrays hold scalars only. */
static int check_attrs_object(json_t *obj, const rw_frame_t *at, rw_event_error_t *err)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        if (is_scalar(v)) continue;
        rw_frame_t f = {at, key, 0, at->depth + 1};
        if (json_is_object(v)) {
            if (check_attrs_object(v, &f, err)) return -1;
            continue;
        }
        size_t i;
        json_t *el;
        json_array_foreach(v, i, el)
        {
            if (is_scalar(el)) continue;
            rw_frame_t e = {&f, NULL, i, f.depth + 1};
            frame_path(&e, err->field);
            return fail(err, RW_EV_BAD_FIELD, err->field,
                        "字段 %s 必须是标量（字符串、数字、布尔值或 null）：attrs "
                        "中的数组只能包含标量，实际是%s",
                        err->field, type_word(el));
        }
    }
    return 0;
}

static int check_attrs(json_t *v, rw_event_t *ev, rw_event_error_t *err)
{
    if (!json_is_object(v))
        return fail(err, RW_EV_BAD_FIELD, "attrs", "字段 attrs 必须是对象，实际是%s", type_word(v));
    rw_frame_t top = {NULL, "attrs", 0, 0};
    if (check_attrs_object(v, &top, err)) return -1;
    ev->attrs = v;
    return 0;
}

static int check_profile(json_t *v, rw_event_t *ev, rw_event_error_t *err)
{
    if (!json_is_object(v))
        return fail(err, RW_EV_BAD_FIELD, "profile", "字段 profile 必须是对象，实际是%s",
                    type_word(v));
    const char *key;
    json_t *val;
    json_object_foreach(v, key, val)
    {
        if (is_scalar(val)) continue;
        rw_frame_t top = {NULL, "profile", 0, 0};
        rw_frame_t f = {&top, key, 0, 1};
        frame_path(&f, err->field);
        return fail(
            err, RW_EV_BAD_FIELD, err->field,
            "字段 %s 必须是标量（字符串、数字、布尔值或 null）：profile 只能包含标量，实际是%s",
            err->field, type_word(val));
    }
    ev->profile = v;
    return 0;
}

static int check_required(json_t *root, const char *name,
                          int (*check)(json_t *, rw_event_t *, rw_event_error_t *), rw_event_t *ev,
                          rw_event_error_t *err)
{
    json_t *v = json_object_get(root, name);
    if (!v)
        return fail(err, RW_EV_MISSING_FIELD, name,
                    "缺少必填字段 %s：每个事件都必须有 id、type、entity 和 time", name);
    return check(v, ev, err);
}

static int check_fields(json_t *root, const char *key, size_t key_len, rw_event_t *ev,
                        rw_event_error_t *err)
{
    json_t *v;
    if (check_required(root, "id", check_id, ev, err) ||
        check_required(root, "type", check_type, ev, err) ||
        check_required(root, "entity", check_entity, ev, err) ||
        check_required(root, "time", check_time, ev, err))
        return -1;
    if ((v = optional(root, "region")) && check_region(v, ev, err)) return -1;
    if ((v = optional(root, "source")) && check_source(v, ev, err)) return -1;
    if ((v = optional(root, "attrs")) && check_attrs(v, ev, err)) return -1;
    if ((v = optional(root, "profile")) && check_profile(v, ev, err)) return -1;
    /* Checked last: a malformed event is reported for what is wrong inside it. */
    if (key && (key_len != ev->entity_len || memcmp(key, ev->entity, key_len) != 0))
        return fail(err, RW_EV_KEY_MISMATCH, "entity",
                    "消息键与字段 entity 不一致：键必须与 entity 逐字节相同");
    return 0;
}

/* Length of the leading run of ASCII bytes, eight at a time: most of an event is
 * ASCII, and the byte-wise UTF-8 check then only runs from the first other byte, which
 * necessarily starts a character. */
static size_t ascii_prefix(const char *buf, size_t len)
{
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, buf + i, 8);
        if (w & 0x8080808080808080ULL) break;
    }
    while (i < len && !((unsigned char)buf[i] & 0x80))
        i++;
    return i;
}

/* Nothing parsed, nothing wrong: where both entry points begin. */
static void start(rw_event_t *ev, rw_event_error_t *err)
{
    memset(ev, 0, sizeof *ev);
    err->code = RW_EV_OK;
    err->field[0] = '\0';
    err->reason[0] = '\0';
}

/* Checks the fields of a parsed object and keeps it in ev, or frees it. */
static int take(json_t *root, const char *key, size_t key_len, rw_event_t *ev,
                rw_event_error_t *err)
{
    if (check_fields(root, key, key_len, ev, err)) {
        json_decref(root);
        memset(ev, 0, sizeof *ev);
        return -1;
    }
    ev->root = root;
    return 0;
}

int rw_event_parse(const char *buf, size_t len, const char *key, size_t key_len, size_t max_size,
                   rw_event_t *ev, rw_event_error_t *err)
{
    start(ev, err);
    if (max_size == 0) max_size = RW_EVENT_MAX_SIZE_DEFAULT;
    if (len > max_size)
        return fail(err, RW_EV_TOO_LARGE, "", "事件大小 %zu 字节，超过上限 %zu 字节", len,
                    max_size);
    size_t ascii = ascii_prefix(buf, len);
    if (!rw_utf8_valid(buf + ascii, len - ascii))
        return fail(err, RW_EV_NOT_UTF8, "", "事件内容不是合法的 UTF-8 编码");
    json_error_t je;
    /* JSON_DECODE_ANY so that a scalar or array is told apart as not_object rather
     * than lumped in with not_json. */
    json_t *root = json_loadb(
        buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL | JSON_DECODE_ANY, &je);
    if (!root) return json_error(buf, len, &je, err);
    if (!json_is_object(root)) {
        fail(err, RW_EV_NOT_OBJECT, "", "事件必须是 JSON 对象，实际是%s", type_word(root));
        json_decref(root);
        return -1;
    }
    return take(root, key, key_len, ev, err);
}

int rw_event_from_json(json_t *root, rw_event_t *ev, rw_event_error_t *err)
{
    start(ev, err);
    if (!json_is_object(root)) {
        fail(err, RW_EV_NOT_OBJECT, "", "事件必须是 JSON 对象，实际是%s", type_word(root));
        json_decref(root);
        return -1;
    }
    return take(root, NULL, 0, ev, err);
}

void rw_event_free(rw_event_t *ev)
{
    json_decref(ev->root);
    memset(ev, 0, sizeof *ev);
}

int rw_event_check_future(const rw_event_t *ev, double now, rw_event_error_t *err)
{
    if (ev->time <= now + 86400.0) return 0;
    return fail(err, RW_EV_FUTURE, "time", "字段 time 晚于当前时间超过 1 天（事件时间 %s）",
                ev->time_text);
}

json_t *rw_event_reject_json(const char *buf, size_t len, const rw_event_error_t *err)
{
    /* An event over the size limit keeps only its head: in base64 the whole would be over
     * a Kafka broker's default message limit (1 MB), so the dead letter could never be
     * produced, and the embedded broker, which keeps about 5 MiB a partition, deleted
     * such records at once. The length and hash identify the whole value. */
    size_t kept = err->code == RW_EV_TOO_LARGE && len > RW_REJECT_HEAD ? RW_REJECT_HEAD : len;
    char *b64 = rw_base64(buf, kept);
    json_t *o = json_object();
    json_object_set_new(o, "code", json_string(rw_event_code_name(err->code)));
    json_object_set_new(o, "reason", json_string(err->reason));
    json_object_set_new(o, "field", err->field[0] ? json_string(err->field) : json_null());
    json_object_set_new(o, "value_base64", json_string_nocheck(b64));
    if (kept < len) {
        char hex[65];
        rw_sha256_hex(buf, len, hex);
        json_object_set_new(o, "value_truncated", json_true());
        json_object_set_new(o, "value_bytes", json_integer((json_int_t)len));
        json_object_set_new(o, "value_sha256", json_string(hex));
    }
    free(b64);
    return o;
}
