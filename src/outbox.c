/* outbox.c — the outbox of outbox.h: records in meta keys "o/<16 hex seq>" as
 * u32 topic length, topic, u32 key length, key, value. */
#include "outbox.h"

#include "util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pending {
    uint64_t seq;
    char *rec;
    size_t len;
};

struct rw_outbox {
    rw_store_t *store;
    uint64_t next;
    struct pending *pending;
    size_t n, cap;
};

static void key_of(uint64_t seq, char *out)
{
    snprintf(out, 24, "o/%016" PRIx64, seq);
}

/* Decodes a record and hands it to fn (a malformed one, which we never write, is skipped). */
static void deliver(rw_outbox_fn fn, void *ud, uint64_t seq, const char *rec, size_t n)
{
    uint32_t tl, kl;
    if (n < 8) return;
    memcpy(&tl, rec, 4);
    if ((size_t)4 + tl + 4 > n) return;
    memcpy(&kl, rec + 4 + tl, 4);
    if ((size_t)8 + tl + kl > n) return;
    char *topic = rw_xstrndup(rec + 4, tl); /* NUL-terminated for librdkafka */
    rw_outbox_msg_t m = {.seq = seq, .topic = topic, .key = rec + 8 + tl, .klen = kl};
    m.val = m.key + kl;
    m.vlen = n - 8 - tl - kl;
    fn(ud, &m);
    free(topic);
}

typedef struct {
    rw_outbox_t *o;
    rw_outbox_fn fn;
    void *ud;
} scan_t;

static int visit(void *ud, const char *key, size_t klen, const char *val, size_t vlen)
{
    scan_t *s = ud;
    char k[24];
    snprintf(k, sizeof k, "%.*s", (int)klen, key);
    uint64_t seq = strtoull(k + 2, NULL, 16);
    if (seq + 1 > s->o->next) s->o->next = seq + 1;
    if (s->fn) deliver(s->fn, s->ud, seq, val, vlen);
    return 0;
}

rw_outbox_t *rw_outbox_open(rw_store_t *s)
{
    rw_outbox_t *o = rw_xcalloc(1, sizeof *o);
    o->store = s;
    scan_t sc = {.o = o};
    rw_store_scan(s, RW_CF_META, "o/", 2, visit, &sc);
    return o;
}

void rw_outbox_free(rw_outbox_t *o)
{
    if (!o) return;
    rw_outbox_drain(o, NULL, NULL);
    free(o->pending);
    free(o);
}

uint64_t rw_outbox_add(rw_outbox_t *o, rw_batch_t *b, const char *topic, const char *key,
                       size_t klen, const char *val, size_t vlen)
{
    /* sized at once: a lead's record is a few KiB, and growing it took several reallocs */
    uint32_t tl = (uint32_t)strlen(topic), kl = (uint32_t)klen;
    size_t len = 8 + (size_t)tl + klen + vlen;
    char *rec = rw_xmalloc(len), *p = rec;
    memcpy(p, &tl, 4);
    memcpy(p += 4, topic, tl);
    memcpy(p += tl, &kl, 4);
    p += 4;
    if (kl) memcpy(p, key, kl); /* (memcpy from NULL is undefined even for 0 bytes) */
    if (vlen) memcpy(p + kl, val, vlen);
    char k[24];
    key_of(o->next, k);
    rw_batch_put(b, RW_CF_META, k, strlen(k), rec, len);
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 256;
        o->pending = rw_xrealloc(o->pending, o->cap * sizeof *o->pending);
    }
    o->pending[o->n++] = (struct pending){.seq = o->next, .len = len, .rec = rec};
    return o->next++;
}

void rw_outbox_drain(rw_outbox_t *o, rw_outbox_fn fn, void *ud)
{
    for (size_t i = 0; i < o->n; i++) {
        if (fn) deliver(fn, ud, o->pending[i].seq, o->pending[i].rec, o->pending[i].len);
        free(o->pending[i].rec);
    }
    o->n = 0;
}

void rw_outbox_scan(rw_outbox_t *o, rw_outbox_fn fn, void *ud)
{
    scan_t sc = {.o = o, .fn = fn, .ud = ud};
    rw_store_scan(o->store, RW_CF_META, "o/", 2, visit, &sc);
}

int rw_outbox_resend(rw_outbox_t *o, uint64_t seq, rw_outbox_fn fn, void *ud)
{
    char k[24];
    key_of(seq, k);
    size_t n;
    char *rec = rw_store_get(o->store, RW_CF_META, k, strlen(k), &n);
    if (!rec) return -1;
    deliver(fn, ud, seq, rec, n);
    free(rec);
    return 0;
}

void rw_outbox_confirm(rw_outbox_t *o, rw_batch_t *b, uint64_t seq)
{
    (void)o;
    char k[24];
    key_of(seq, k);
    rw_batch_delete(b, RW_CF_META, k, strlen(k));
}
