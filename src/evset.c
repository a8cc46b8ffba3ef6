/* evset.c — loading a history into memory, packed: lines of a file, an event archive,
 * or a topic's messages between two timestamps read partition by partition with
 * explicit offsets (no consumer group, nothing committed), so a backtest never
 * disturbs the live service. Cursors decode the packed events a few at a time. */
#include "evset.h"
#include "log.h"

#include "evpack.h"
#include "jarena.h"
#include "rwtime.h"
#include "util.h"

#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct rw_evset_cursor {
    const rw_evset_t *s;
    size_t off, i;        /* the next event's offset in the pack and its entry */
    unsigned part, parts; /* which part of how many it reads */
    rw_jarena_t *arena;
    msgpack_zone zone;
    unsigned since_reset;
    int failed;
    rw_event_t ev;
};

/* Events are parsed into an arena that is dropped every so many, and kept packed. */
typedef struct {
    rw_evset_t *s;
    rw_buf_t pack, entries;
    rw_jarena_t *arena;
    unsigned since_reset;
} packer_t;

static void packer_init(packer_t *p, rw_evset_t *s)
{
    *p = (packer_t){.s = s, .arena = rw_jarena_new()};
    rw_buf_init(&p->pack);
    rw_buf_init(&p->entries);
}

/* Hands the packed events to the set. */
static void packer_finish(packer_t *p)
{
    rw_jarena_free(p->arena);
    p->s->pack_len = p->pack.len;
    p->s->own = rw_buf_steal(&p->pack);
    p->s->pack = p->s->own;
    p->s->entries = (rw_evset_entry_t *)rw_buf_steal(&p->entries);
}

static uint32_t entity_hash(const rw_event_t *ev)
{
    return (uint32_t)(rw_hash64(ev->entity, ev->entity_len) >> 32);
}

/* Validates one value and keeps it packed, or counts why not. */
static void add(packer_t *p, const char *buf, size_t len, const char *key, size_t klen)
{
    rw_jarena_t *prev = rw_jarena_enter(p->arena);
    rw_event_t ev;
    rw_event_error_t err;
    size_t at = p->pack.len;
    if (rw_event_parse(buf, len, key, klen, 0, &ev, &err) == 0) {
        rw_evpack_put(&p->pack, ev.root);
        /* a few times an event's size limit at most, so it fits the entry */
        rw_evset_entry_t e = {.size = (uint32_t)(p->pack.len - at), .entity = entity_hash(&ev)};
        rw_buf_append(&p->entries, (const char *)&e, sizeof e);
        p->s->n++;
    } else
        p->s->invalid[err.code]++;
    rw_jarena_enter(prev);
    if (++p->since_reset == 1024) {
        rw_jarena_reset(p->arena);
        p->since_reset = 0;
    }
}

/* fn(a) here and fn(b) on a second thread, or here too when none starts. */
static void on_two_threads(void *(*fn)(void *), void *a, void *b)
{
    json_object_seed(0); /* before a second thread creates JSON objects */
    pthread_t th;
    int threaded = pthread_create(&th, NULL, fn, b) == 0;
    fn(a);
    if (threaded)
        pthread_join(th, NULL);
    else
        fn(b);
}

/* Reads all of a stream (a pipe has no size to read ahead by). */
static char *read_all(FILE *in, size_t *len)
{
    rw_buf_t b;
    rw_buf_init(&b);
    char chunk[1 << 16];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, in)) > 0)
        rw_buf_append(&b, chunk, n);
    *len = b.len;
    if (ferror(in)) {
        rw_buf_free(&b);
        return NULL;
    }
    return b.data ? rw_buf_steal(&b) : rw_xstrdup("");
}

typedef struct {
    rw_evset_t part;
    const char *p, *end;
    rw_progress_fn progress; /* the first part reports: both halves go at about one pace */
    void *ud;
} range_t;

static void *parse_range(void *arg)
{
    range_t *r = arg;
    size_t total = (size_t)(r->end - r->p);
    packer_t pk;
    packer_init(&pk, &r->part);
    for (const char *p = r->p; p < r->end;) {
        const char *nl = memchr(p, '\n', (size_t)(r->end - p));
        const char *next = nl ? nl + 1 : r->end;
        size_t n = (size_t)((nl ? nl : r->end) - p);
        if (n > 0 && p[n - 1] == '\r') n--;
        r->part.lines++;
        r->part.bytes += (uint64_t)(next - p);
        if (n > 0) add(&pk, p, n, NULL, 0); /* blank lines separate nothing and are skipped */
        p = next;
        if (r->progress && r->part.lines % 65536 == 0)
            r->progress(r->ud, (double)(p - r->p) / (double)total);
    }
    packer_finish(&pk);
    return NULL;
}

static int load_lines(rw_evset_t *s, char *buf, size_t len, rw_progress_fn progress, void *ud)
{
    /* two halves split at a line end, parsed on two threads: parsing is most of the work */
    const char *mid = buf + len / 2, *end = buf + len;
    const char *nl = memchr(mid, '\n', (size_t)(end - mid));
    mid = nl ? nl + 1 : end;
    range_t r[2] = {{.p = buf + rw_utf8_bom(buf, len), .end = mid, .progress = progress, .ud = ud},
                    {.p = mid, .end = end}};
    on_two_threads(parse_range, &r[0], &r[1]);
    free(buf);
    *s = r[0].part;
    rw_evset_t *b = &r[1].part;
    s->own = rw_xrealloc(s->own, s->pack_len + b->pack_len + 1);
    memcpy(s->own + s->pack_len, b->pack, b->pack_len);
    s->pack = s->own;
    s->pack_len += b->pack_len;
    s->entries = rw_xrealloc(s->entries, (s->n + b->n + 1) * sizeof *s->entries);
    if (b->n) memcpy(s->entries + s->n, b->entries, b->n * sizeof *s->entries);
    free(b->entries);
    s->n += b->n;
    s->lines += b->lines;
    s->bytes += b->bytes;
    for (int i = 0; i < RW_EV__COUNT; i++)
        s->invalid[i] += b->invalid[i];
    free(b->own);
    return 0;
}

/* ---- the archive ------------------------------------------------------------------------ */

/* The magic, then a packed header {"format","events","lines","bytes","invalid":{reason: n},
 * "sha256"}, then each event's entry as two little-endian 32-bit words, then the events
 * packed one after another. "sha256" (hex) is the digest of everything after the header:
 * a load checks it instead of decoding every event. Formats 1 (no entries, no digest) and
 * 2 (no digest) are still read, each event decoded once to check it. */
#define ARCHIVE_MAGIC "RWEVARC\n"
#define ARCHIVE_MAGIC_LEN 8

static int is_archive(const char *buf, size_t len)
{
    return len >= ARCHIVE_MAGIC_LEN && memcmp(buf, ARCHIVE_MAGIC, ARCHIVE_MAGIC_LEN) == 0;
}

int rw_evset_save(const rw_evset_t *s, const char *path, char *err, size_t errlen)
{
    json_t *invalid = json_object();
    for (int i = 0; i < RW_EV__COUNT; i++)
        if (s->invalid[i])
            json_object_set_new(invalid, rw_event_code_name((rw_event_status_t)i),
                                json_real((double)s->invalid[i]));
    rw_buf_t entries;
    rw_buf_init(&entries);
    for (size_t i = 0; i < s->n; i++) {
        unsigned char e[8];
        for (int k = 0; k < 4; k++) {
            e[k] = (unsigned char)(s->entries[i].size >> (8 * k));
            e[4 + k] = (unsigned char)(s->entries[i].entity >> (8 * k));
        }
        rw_buf_append(&entries, (const char *)e, sizeof e);
    }
    char digest[65];
    rw_sha256_hex2(entries.data, entries.len, s->pack, s->pack_len, digest);
    json_t *head = json_pack("{s:i,s:f,s:f,s:f,s:o,s:s}", "format", 3, "events", (double)s->n,
                             "lines", (double)s->lines, "bytes", (double)s->bytes, "invalid",
                             invalid, "sha256", digest);
    rw_buf_t b;
    rw_buf_init(&b);
    rw_buf_append(&b, ARCHIVE_MAGIC, ARCHIVE_MAGIC_LEN);
    rw_evpack_put(&b, head);
    json_decref(head);
    /* a temporary name renamed at the end: a half-written archive never has the name */
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    int ok = f && fwrite(b.data, 1, b.len, f) == b.len &&
             fwrite(entries.data, 1, entries.len, f) == entries.len &&
             (s->pack_len == 0 || fwrite(s->pack, 1, s->pack_len, f) == s->pack_len);
    if (f && fclose(f)) ok = 0;
    if (ok && rename(tmp, path)) ok = 0;
    if (!ok) {
        snprintf(err, errlen, "无法写入事件归档 %s: %s", path, strerror(errno));
        unlink(tmp);
    }
    rw_buf_free(&b);
    rw_buf_free(&entries);
    return ok ? 0 : -1;
}

static uint64_t head_count(const json_t *head, const char *key)
{
    double v = json_number_value(json_object_get(head, key));
    return v > 0 ? (uint64_t)v : 0;
}

/* Format 1: decodes the events in order, noting their entries. *whole: how many, from
 * the first, decode. Returns 0 when that is all of them and nothing follows, else -1. */
static int check_in_order(rw_evset_t *s, size_t want, size_t *whole)
{
    rw_evset_cursor_t *c = rw_evset_cursor_new(s); /* no entries yet: reads in order */
    rw_buf_t entries;
    rw_buf_init(&entries);
    const rw_event_t *ev;
    size_t n = 0;
    for (size_t at = 0; (ev = rw_evset_next(c)); at = c->off, n++) {
        if (c->off - at > UINT32_MAX) break; /* no event is that large */
        rw_evset_entry_t e = {.size = (uint32_t)(c->off - at), .entity = entity_hash(ev)};
        rw_buf_append(&entries, (const char *)&e, sizeof e);
    }
    int failed = rw_evset_cursor_failed(c) || ev;
    rw_evset_cursor_free(c);
    s->entries = (rw_evset_entry_t *)rw_buf_steal(&entries);
    *whole = n;
    return failed || n != want ? -1 : 0;
}

/* Entries [from, to) of a set whose entries are read, from byte `off` of the pack:
 * each must decode to an event of exactly its size and entity. */
typedef struct {
    const rw_evset_t *s;
    size_t from, to, off;
    size_t bad; /* the first that does not, or `to` */
} range_check_t;

static void *check_range(void *arg)
{
    range_check_t *k = arg;
    rw_evset_cursor_t *c = rw_evset_cursor_new(k->s);
    c->i = k->from;
    c->off = k->off;
    const rw_event_t *ev;
    for (k->bad = k->from; k->bad < k->to; k->bad++)
        if (!(ev = rw_evset_next(c)) || entity_hash(ev) != k->s->entries[k->bad].entity) break;
    rw_evset_cursor_free(c);
    return NULL;
}

/* Formats 2 and 3: reads the entries. *fit: how many, from the first, have their
 * bytes in the file; *mid: where event want/2 starts. Returns 0 when that is all of them
 * and nothing follows, else -1. */
static int read_entries(rw_evset_t *s, size_t want, size_t *fit, size_t *mid)
{
    const unsigned char *p = (const unsigned char *)s->pack;
    *fit = *mid = 0;
    if (want > s->pack_len / 8) return -1;
    s->entries = rw_xcalloc(want + 1, sizeof *s->entries);
    for (size_t i = 0; i < want; i++, p += 8)
        for (int k = 0; k < 4; k++) {
            s->entries[i].size |= (uint32_t)p[k] << (8 * k);
            s->entries[i].entity |= (uint32_t)p[4 + k] << (8 * k);
        }
    s->pack_len -= want * 8;
    s->pack += want * 8;
    size_t n = 0, end = 0;
    for (; n < want && s->entries[n].size <= s->pack_len - end; n++) {
        if (n == want / 2) *mid = end;
        end += s->entries[n].size;
    }
    *fit = n;
    return n == want && end == s->pack_len ? 0 : -1;
}

/* Format 2: every event is decoded, two threads checking a half each. *whole: how many
 * events, from the first, are as their entries say. Returns 0 when that is all. */
static int check_indexed(rw_evset_t *s, size_t want, size_t *whole)
{
    size_t fit, mid;
    int rc = read_entries(s, want, &fit, &mid);
    *whole = 0;
    if (!s->entries) return -1;
    s->n = fit;
    range_check_t half[2] = {{.s = s, .from = 0, .to = fit < want / 2 ? fit : want / 2},
                             {.s = s, .from = want / 2, .to = fit, .off = mid}};
    if (half[1].from > half[1].to) half[1].from = half[1].to = fit;
    on_two_threads(check_range, &half[0], &half[1]);
    *whole = half[0].bad < half[0].to ? half[0].bad : half[1].bad;
    return rc || *whole != want ? -1 : 0;
}

/* Takes buf. A damaged or foreign file is refused whole with a reason, never met
 * halfway through a run: by its digest (format 3), else by decoding every event. */
static int load_archive(rw_evset_t *s, char *buf, size_t len, const char *path, char *err,
                        size_t errlen)
{
    msgpack_zone zone;
    msgpack_zone_init(&zone, 1 << 13);
    size_t off = ARCHIVE_MAGIC_LEN;
    json_t *head = rw_evpack_get(buf, len, &off, &zone);
    int rc = 0;
    s->own = buf;
    double format = json_number_value(json_object_get(head, "format"));
    const char *digest = json_string_value(json_object_get(head, "sha256"));
    if (!json_is_object(head) || (format != 1 && format != 2 && format != 3) ||
        (format == 3 && (!digest || strlen(digest) != 64))) {
        snprintf(err, errlen, "事件归档 %s 的文件头无法识别（版本不符或文件已损坏）", path);
        rc = -1;
    } else {
        s->pack = buf + off;
        s->pack_len = len - off;
        s->lines = head_count(head, "lines");
        s->bytes = head_count(head, "bytes");
        for (int i = 0; i < RW_EV__COUNT; i++)
            s->invalid[i] = head_count(json_object_get(head, "invalid"),
                                       rw_event_code_name((rw_event_status_t)i));
        uint64_t want = head_count(head, "events");
        size_t whole, mid;
        const char *body = s->pack; /* what the digest covers: the entries, then the events */
        size_t body_len = s->pack_len;
        if (format == 1   ? check_in_order(s, want, &whole)
            : format == 2 ? check_indexed(s, want, &whole)
                          : read_entries(s, want, &whole, &mid)) {
            snprintf(err, errlen,
                     "事件归档 %s 已损坏：文件头记有 %llu 个事件，第 %llu 个之后无法读取", path,
                     (unsigned long long)want, (unsigned long long)whole);
            rc = -1;
        } else if (format == 3) {
            char got[65];
            rw_sha256_hex(body, body_len, got);
            if (strcmp(got, digest)) {
                snprintf(err, errlen, "事件归档 %s 已损坏：内容与文件头记录的 SHA-256 不符", path);
                rc = -1;
            }
        }
        s->n = whole;
    }
    json_decref(head);
    msgpack_zone_destroy(&zone);
    if (rc) rw_evset_free(s);
    return rc;
}

int rw_evset_load_file(rw_evset_t *s, const char *path, rw_progress_fn progress, void *ud,
                       char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    double start = rw_mono();
    size_t len;
    char *buf;
    if (strcmp(path, "-") == 0)
        buf = read_all(stdin, &len);
    else
        buf = rw_read_file(path, &len);
    if (!buf) {
        snprintf(err, errlen, "无法打开事件文件 %s: %s", path, strerror(errno));
        return -1;
    }
    int rc = is_archive(buf, len) ? load_archive(s, buf, len, path, err, errlen)
                                  : load_lines(s, buf, len, progress, ud);
    s->seconds = rw_mono() - start;
    return rc;
}

/* ---- reading it back ---------------------------------------------------------------------- */

rw_evset_cursor_t *rw_evset_cursor_part(const rw_evset_t *s, unsigned k, unsigned n)
{
    rw_evset_cursor_t *c = rw_xcalloc(1, sizeof *c);
    c->s = s;
    c->part = k;
    c->parts = n ? n : 1;
    c->arena = rw_jarena_new();
    msgpack_zone_init(&c->zone, 1 << 13);
    return c;
}

rw_evset_cursor_t *rw_evset_cursor_new(const rw_evset_t *s)
{
    return rw_evset_cursor_part(s, 0, 1);
}

const rw_event_t *rw_evset_next(rw_evset_cursor_t *c)
{
    const rw_evset_t *s = c->s;
    size_t end = s->pack_len; /* where this event ends; a set being loaded has no entries */
    if (s->entries) {
        for (; c->i < s->n && s->entries[c->i].entity % c->parts != c->part; c->i++)
            c->off += s->entries[c->i].size;
        if (c->i < s->n) end = c->off + s->entries[c->i++].size;
    }
    if (c->failed || c->off >= end) return NULL;
    if (++c->since_reset == 256) { /* the events handed out before this call are done with */
        rw_jarena_reset(c->arena);
        c->since_reset = 0;
    }
    rw_jarena_t *prev = rw_jarena_enter(c->arena);
    json_t *root = rw_evpack_get(s->pack, end, &c->off, &c->zone);
    rw_event_error_t err;
    c->failed =
        !root || rw_event_from_json(root, &c->ev, &err) != 0 || (s->entries && c->off != end);
    rw_jarena_enter(prev);
    return c->failed ? NULL : &c->ev;
}

int rw_evset_cursor_failed(const rw_evset_cursor_t *c)
{
    return c->failed;
}

void rw_evset_cursor_free(rw_evset_cursor_t *c)
{
    if (!c) return;
    rw_jarena_free(c->arena);
    msgpack_zone_destroy(&c->zone);
    free(c);
}

/* ---- the topic ------------------------------------------------------------------------ */

typedef struct {
    int64_t end;  /* first offset not to read */
    int64_t next; /* next offset expected */
} part_t;

static int conf_set(rd_kafka_conf_t *c, const char *k, const char *v, char *err, size_t errlen)
{
    return rd_kafka_conf_set(c, k, v, err, errlen) == RD_KAFKA_CONF_OK ? 0 : -1;
}

static rd_kafka_t *consumer_new(const char *bootstrap, char *err, size_t errlen)
{
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(c, rw_log_kafka);
    if (conf_set(c, "bootstrap.servers", bootstrap, err, errlen) ||
        conf_set(c, "group.id", "regwatch-backtest", err, errlen) ||
        conf_set(c, "enable.auto.commit", "false", err, errlen) ||
        conf_set(c, "enable.auto.offset.store", "false", err, errlen) ||
        conf_set(c, "enable.partition.eof", "true", err, errlen)) {
        rd_kafka_conf_destroy(c);
        return NULL;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, err, errlen);
    if (!rk) rd_kafka_conf_destroy(c);
    return rk;
}

/* Asks for every topic rather than this one: a request naming a topic may create it. */
static int partition_count(rd_kafka_t *rk, const char *topic, int timeout, char *err, size_t errlen)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 1, NULL, &md, timeout);
    if (e) {
        snprintf(err, errlen, "无法读取 Kafka 元数据: %s", rd_kafka_err2str(e));
        return -1;
    }
    int n = -1;
    for (int i = 0; i < md->topic_cnt; i++)
        if (!strcmp(md->topics[i].topic, topic) && !md->topics[i].err)
            n = md->topics[i].partition_cnt;
    if (n < 1) snprintf(err, errlen, "主题 %s 不存在或没有分区", topic);
    rd_kafka_metadata_destroy(md);
    return n;
}

/* The first offset of each partition whose timestamp is at least ts, or `fallback`
 * where the broker answers none (-1; the embedded broker answers so for every time). */
static int offsets_at(rd_kafka_t *rk, const char *topic, int n, double ts, const int64_t *fallback,
                      int64_t *out, int timeout, char *err, size_t errlen)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(n);
    for (int p = 0; p < n; p++)
        rd_kafka_topic_partition_list_add(l, topic, p)->offset = (int64_t)(ts * 1000);
    rd_kafka_resp_err_t e = rd_kafka_offsets_for_times(rk, l, timeout);
    if (e) {
        snprintf(err, errlen, "无法按时间查询 %s 的位点: %s", topic, rd_kafka_err2str(e));
        rd_kafka_topic_partition_list_destroy(l);
        return -1;
    }
    for (int i = 0; i < l->cnt; i++) {
        int p = l->elems[i].partition;
        out[p] = l->elems[i].err || l->elems[i].offset < 0 ? fallback[p] : l->elems[i].offset;
    }
    rd_kafka_topic_partition_list_destroy(l);
    return 0;
}

int rw_evset_load_topic(rw_evset_t *s, const rw_topic_range_t *r, rw_progress_fn progress, void *ud,
                        char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    int timeout = r->timeout_ms > 0 ? r->timeout_ms : 10000;
    double start = rw_mono();
    rd_kafka_t *rk = consumer_new(r->bootstrap, err, errlen);
    if (!rk) return -1;
    int n = partition_count(rk, r->topic, timeout, err, errlen);
    int rc = n < 1 ? -1 : 0;
    int64_t *lo = rw_xcalloc(n > 0 ? n : 1, sizeof *lo),
            *hi = rw_xcalloc(n > 0 ? n : 1, sizeof *hi);
    int64_t *first = rw_xcalloc(n > 0 ? n : 1, sizeof *first);
    part_t *parts = rw_xcalloc(n > 0 ? n : 1, sizeof *parts);
    for (int p = 0; !rc && p < n; p++) {
        rd_kafka_resp_err_t e =
            rd_kafka_query_watermark_offsets(rk, r->topic, p, &lo[p], &hi[p], timeout);
        if (e) {
            snprintf(err, errlen, "无法查询 %s [%d] 的位点范围: %s", r->topic, p,
                     rd_kafka_err2str(e));
            rc = -1;
        }
    }
    int64_t *ends = rw_xcalloc(n > 0 ? n : 1, sizeof *ends);
    if (!rc) rc = offsets_at(rk, r->topic, n, r->from, lo, first, timeout, err, errlen);
    if (!rc) rc = offsets_at(rk, r->topic, n, r->to, hi, ends, timeout, err, errlen);
    int64_t total = 0, open = 0;
    rd_kafka_topic_partition_list_t *assign = rd_kafka_topic_partition_list_new(n > 0 ? n : 1);
    for (int p = 0; !rc && p < n; p++) {
        if (first[p] < lo[p]) first[p] = lo[p];
        parts[p] = (part_t){.end = ends[p] > hi[p] ? hi[p] : ends[p], .next = first[p]};
        if (parts[p].next >= parts[p].end) continue;
        rd_kafka_topic_partition_list_add(assign, r->topic, p)->offset = first[p];
        total += parts[p].end - parts[p].next;
        open++;
    }
    if (!rc && open) {
        rd_kafka_resp_err_t e = rd_kafka_assign(rk, assign);
        if (e) {
            snprintf(err, errlen, "无法分配 %s 的分区: %s", r->topic, rd_kafka_err2str(e));
            rc = -1;
        }
    }
    double idle_since = rw_mono();
    int64_t consumed = 0;
    packer_t pk;
    packer_init(&pk, s);
    while (!rc && open > 0) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
        if (!m) {
            if (rw_mono() - idle_since > timeout / 1000.0) {
                snprintf(err, errlen, "读取主题 %s 超时：%.0f 秒内没有新消息（还剩 %lld 条）",
                         r->topic, timeout / 1000.0, (long long)(total - consumed));
                rc = -1;
            }
            continue;
        }
        idle_since = rw_mono();
        int p = m->partition;
        if (m->err && m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            snprintf(err, errlen, "读取主题 %s 失败: %s", r->topic, rd_kafka_message_errstr(m));
            rc = -1;
        } else if (p >= 0 && p < n && parts[p].next < parts[p].end) {
            if (!m->err && m->offset >= parts[p].next && m->offset < parts[p].end) {
                rd_kafka_timestamp_type_t tt;
                double ts = (double)rd_kafka_message_timestamp(m, &tt) / 1000.0;
                consumed++;
                /* offsets by time are a lower bound: producer timestamps need not grow */
                if (ts >= r->from && ts < r->to) {
                    s->lines++;
                    s->bytes += m->len;
                    add(&pk, m->payload ? m->payload : "", m->len, m->key, m->key_len);
                }
                parts[p].next = m->offset + 1;
            } else if (m->err) /* end of the partition: what is beyond `end` came later */
                parts[p].next = parts[p].end;
            if (parts[p].next >= parts[p].end) open--;
            if (progress && total > 0 && consumed % 4096 == 0)
                progress(ud, (double)consumed / (double)total);
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_topic_partition_list_destroy(assign);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    free(lo);
    free(hi);
    free(first);
    free(ends);
    free(parts);
    packer_finish(&pk);
    s->seconds = rw_mono() - start;
    if (rc) rw_evset_free(s);
    return rc;
}

uint64_t rw_evset_invalid(const rw_evset_t *s)
{
    uint64_t n = 0;
    for (int i = 0; i < RW_EV__COUNT; i++)
        n += s->invalid[i];
    return n;
}

void rw_evset_free(rw_evset_t *s)
{
    free(s->own);
    free(s->entries);
    memset(s, 0, sizeof *s);
}
