/* audit.c — the hash chain of audit.h. */
#include "audit.h"

#include "util.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEAD_KEY "a!head"
static const char zero_hash[65] =
    "0000000000000000000000000000000000000000000000000000000000000000";

struct rw_audit {
    rw_store_t *store;
    uint64_t seq;
    char hash[65];
};

static void entry_key(uint64_t seq, char *out)
{
    snprintf(out, 24, "a/%016" PRIx64, seq);
}

/* SHA-256 of the entry as compact key-sorted JSON without its "hash". */
static void entry_hash(const json_t *entry, char out[65])
{
    json_t *c = json_copy((json_t *)entry);
    json_object_del(c, "hash");
    char *text = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
    rw_sha256_hex(text, strlen(text), out);
    free(text);
    json_decref(c);
}

void rw_audit_reset(rw_audit_t *a)
{
    json_t *h = rw_store_get_json(a->store, RW_CF_HANDLING, HEAD_KEY, strlen(HEAD_KEY));
    const char *hash = json_string_value(json_object_get(h, "hash"));
    a->seq = (uint64_t)json_integer_value(json_object_get(h, "seq"));
    snprintf(a->hash, sizeof a->hash, "%s", hash ? hash : zero_hash);
    json_decref(h);
}

rw_audit_t *rw_audit_open(rw_store_t *s)
{
    rw_audit_t *a = rw_xcalloc(1, sizeof *a);
    a->store = s;
    rw_audit_reset(a);
    return a;
}

void rw_audit_free(rw_audit_t *a)
{
    free(a);
}

uint64_t rw_audit_append(rw_audit_t *a, rw_batch_t *b, json_t *entry)
{
    uint64_t seq = a->seq + 1;
    json_object_set_new(entry, "seq", json_integer((json_int_t)seq));
    json_object_set_new(entry, "prev", json_string(a->hash));
    char hash[65];
    entry_hash(entry, hash);
    json_object_set_new(entry, "hash", json_string(hash));
    char key[24];
    entry_key(seq, key);
    rw_batch_put_json(b, RW_CF_HANDLING, key, strlen(key), entry, JSON_COMPACT | JSON_SORT_KEYS);
    json_t *head = json_pack("{s:I,s:s}", "seq", (json_int_t)seq, "hash", hash);
    rw_batch_put_json(b, RW_CF_HANDLING, HEAD_KEY, strlen(HEAD_KEY), head, JSON_COMPACT);
    json_decref(head);
    a->seq = seq;
    memcpy(a->hash, hash, sizeof hash);
    return seq;
}

json_t *rw_audit_get(rw_store_t *s, uint64_t seq)
{
    char key[24];
    entry_key(seq, key);
    return rw_store_get_json(s, RW_CF_HANDLING, key, strlen(key));
}

typedef struct {
    rw_audit_fn fn;
    void *ud;
} scan_t;

static int scan_one(void *ud, const char *key, size_t klen, const char *val, size_t vlen)
{
    (void)key;
    (void)klen;
    scan_t *s = ud;
    json_t *j = json_loadb(val, vlen, 0, NULL);
    int stop = j ? s->fn(s->ud, j) : 0;
    json_decref(j);
    return stop;
}

void rw_audit_scan(rw_store_t *s, rw_audit_fn fn, void *ud)
{
    scan_t sc = {fn, ud};
    rw_store_scan(s, RW_CF_HANDLING, "a/", 2, scan_one, &sc);
}

typedef struct {
    rw_audit_report_t *r;
    uint64_t expect;
    char prev[65];
} verify_t;

static int bad(verify_t *v, uint64_t seq, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int bad(verify_t *v, uint64_t seq, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    v->r->ok = 0;
    v->r->first_bad = seq;
    vsnprintf(v->r->reason, sizeof v->r->reason, fmt, ap);
    va_end(ap);
    return 1;
}

static int verify_one(void *ud, const char *key, size_t klen, const char *val, size_t vlen)
{
    verify_t *v = ud;
    char k[32];
    snprintf(k, sizeof k, "%.*s", (int)klen, key);
    uint64_t at = strtoull(k + 2, NULL, 16);
    if (at != v->expect)
        return bad(v, v->expect, "第 %" PRIu64 " 条缺失（其后是第 %" PRIu64 " 条）：记录被删除",
                   v->expect, at);
    json_t *e = json_loadb(val, vlen, 0, NULL);
    const char *hash = json_string_value(json_object_get(e, "hash"));
    const char *prev = json_string_value(json_object_get(e, "prev"));
    json_t *seq = json_object_get(e, "seq");
    int stop = 0;
    char h[65];
    if (!e || !hash || !prev || !json_is_integer(seq))
        stop = bad(v, at, "第 %" PRIu64 " 条不是完整的审计记录", at);
    else if ((uint64_t)json_integer_value(seq) != at)
        stop = bad(v, at, "第 %" PRIu64 " 条的位置上是第 %" JSON_INTEGER_FORMAT " 条：记录被移动",
                   at, json_integer_value(seq));
    else if (entry_hash(e, h), strcmp(h, hash) != 0)
        stop = bad(v, at, "第 %" PRIu64 " 条的内容与其哈希不符：记录被修改", at);
    else if (strcmp(prev, v->prev) != 0)
        stop = bad(v, at, "第 %" PRIu64 " 条的 prev 与前一条的哈希不符：前一条被修改或替换", at);
    if (!stop) {
        snprintf(v->prev, sizeof v->prev, "%s", hash);
        v->r->entries++;
        v->expect++;
    }
    json_decref(e);
    return stop;
}

void rw_audit_verify(rw_store_t *s, rw_audit_report_t *r)
{
    memset(r, 0, sizeof *r);
    r->ok = 1;
    verify_t v = {.r = r, .expect = 1};
    memcpy(v.prev, zero_hash, sizeof v.prev);
    rw_store_scan(s, RW_CF_HANDLING, "a/", 2, verify_one, &v);
    if (!r->ok) return;
    rw_audit_t head = {.store = s};
    rw_audit_reset(&head);
    if (head.seq > r->entries)
        bad(&v, r->entries + 1,
            "日志止于第 %" PRIu64 " 条，而头记录为第 %" PRIu64 " 条：末尾的记录被删除", r->entries,
            head.seq);
    else if (head.seq < r->entries) /* name the first entry the head does not vouch for */
        bad(&v, head.seq + 1,
            "第 %" PRIu64 " 条在头记录（第 %" PRIu64 " 条）之后：记录被添加或头记录被改动",
            head.seq + 1, head.seq);
    else if (strcmp(head.hash, v.prev) != 0)
        bad(&v, r->entries, "最后一条与头记录的哈希不符：记录被修改");
}
