/* service.c — consume, apply, write atomically, produce, commit; metrics and reloads. */
#include "service.h"

#include "api.h"
#include "broker.h"
#include "engine.h"
#include "shards.h"
#include "http.h"
#include "handling.h"
#include "log.h"
#include "outbox.h"
#include "rules.h"
#include "rwtime.h"
#include "static.h"
#include "store.h"
#include "users.h"
#include "util.h"

#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MOD "service"

static volatile sig_atomic_t g_stop, g_reload;

static void on_signal(int sig)
{
    if (sig == SIGHUP)
        g_reload = 1;
    else
        g_stop = 1;
}

static const double latency_bounds[] = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
#define N_BOUNDS (sizeof latency_bounds / sizeof *latency_bounds)

typedef struct {
    const rw_config_t *cfg;
    rw_rules_t *rules;
    rw_store_t *store;
    rw_shards_t *shards; /* the engines */
    rw_broker_t *broker;
    rd_kafka_t *consumer, *producer;
    rw_http_t *http;
    rw_static_t *web; /* the console's files, NULL when the folder is missing */
    rw_outbox_t *outbox;
    rw_handling_t *handling; /* its lock serialises the engine's batches with API actions */
    rw_users_t *users;
    rw_api_t *api;
    double next_sweep;
    int64_t compared_day; /* the local day statutes were last compared on; -1 before */
    char cluster[128];    /* the id of the cluster consumed, stored with the offsets; "" unknown */
    /* assigned partitions resumed from a stored offset, until their first message */
    rd_kafka_topic_partition_list_t *starts;
    uint64_t events_skipped; /* deleted by the topic's retention before they were read */
    /* since the last commit */
    rd_kafka_topic_partition_list_t *offsets;
    uint64_t *delivered;
    size_t n_delivered, cap_delivered;
    /* outbox records whose delivery failed (a broker down longer than message.timeout.ms):
     * sent again after retry_wait, which doubles while they keep failing */
    uint64_t *failed;
    size_t n_failed, cap_failed;
    double retry_due, retry_wait;
    /* a batch applied and not yet committed: its commit overlaps the next batch's parse
     * (rw_shards_process), and the handling lock stays held until it is written */
    int pending;
    int commit_rc; /* of the last commit: -1 once a write failed */
    /* what the commit being written confirms: Kafka learns of it once it is on disk */
    rd_kafka_topic_partition_list_t *staged_offsets;
    size_t staged_delivered;
    /* the poll batch being gathered */
    rd_kafka_message_t **polled;
    size_t n_polled;
    rw_shards_msg_t *msgs;
    rw_shards_result_t *results;
    /* metrics */
    uint64_t lat_buckets[N_BOUNDS + 1], batches;
    double lat_sum;
    uint64_t reloads, reload_failures, produce_errors;
    pthread_mutex_t lock;
    char *metrics_text;
    double metrics_due; /* under load the text is rendered at most every METRICS_EVERY s */
    int ready;
} service_t;

#define METRICS_EVERY 0.25

/* ---- outbox ------------------------------------------------------------------------ */

static void push_seq(uint64_t **arr, size_t *n, size_t *cap, uint64_t seq)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 1024;
        *arr = rw_xrealloc(*arr, *cap * sizeof **arr);
    }
    (*arr)[(*n)++] = seq;
}

/* A record that could not be sent or delivered stays stored and is sent again later
 * (retry_failed). Callers hold the handling lock or run on the batch thread. */
static void failed(service_t *s, uint64_t seq, const char *topic, rd_kafka_resp_err_t e)
{
    s->produce_errors++;
    rw_error(MOD, "无法投递到 %s: %s（记录留在发件箱，稍后重发）", topic ? topic : "Kafka",
             rd_kafka_err2str(e));
    push_seq(&s->failed, &s->n_failed, &s->cap_failed, seq);
}

/* Sends an outbox record; it stays stored until its delivery is confirmed. */
static void produce(void *ud, const rw_outbox_msg_t *m)
{
    service_t *s = ud;
    for (;;) {
        rd_kafka_resp_err_t e = rd_kafka_producev(
            s->producer, RD_KAFKA_V_TOPIC(m->topic), RD_KAFKA_V_KEY(m->key, m->klen),
            RD_KAFKA_V_VALUE((void *)m->val, m->vlen), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_OPAQUE((void *)(uintptr_t)m->seq), RD_KAFKA_V_END);
        if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            if (e) {
                rw_handling_lock(s->handling);
                failed(s, m->seq, m->topic, e);
                rw_handling_unlock(s->handling);
            }
            return;
        }
        rd_kafka_poll(s->producer, 100);
    }
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    service_t *s = opaque;
    uint64_t seq = (uint64_t)(uintptr_t)m->_private;
    /* an API thread publishing an action may poll the producer too */
    rw_handling_lock(s->handling);
    if (m->err)
        failed(s, seq, m->rkt ? rd_kafka_topic_name(m->rkt) : NULL, m->err);
    else {
        push_seq(&s->delivered, &s->n_delivered, &s->cap_delivered, seq);
        s->retry_wait = 0; /* the broker answers again: the next failure is retried soon */
    }
    rw_handling_unlock(s->handling);
}

#define RETRY_FIRST 5.0
#define RETRY_MAX 300.0

/* Sends the failed records again, in the order they were made, once their wait is over:
 * without this a lead revision made during a broker outage longer than
 * message.timeout.ms reached the topic only when the service was restarted. */
static void retry_failed(service_t *s)
{
    rw_handling_lock(s->handling); /* the outbox's, and the failed list's */
    if (s->n_failed && rw_mono() >= s->retry_due) {
        uint64_t *seqs = s->failed; /* a failing resend starts a new list */
        size_t n = s->n_failed, sent = 0;
        s->failed = NULL;
        s->n_failed = s->cap_failed = 0;
        qsort(seqs, n, sizeof *seqs, rw_cmp_u64);
        for (size_t i = 0; i < n; i++)
            if ((i == 0 || seqs[i] != seqs[i - 1]) &&
                rw_outbox_resend(s->outbox, seqs[i], produce, s) == 0)
                sent++;
        free(seqs);
        rw_info(MOD, "重发 %zu 条投递失败的发件箱记录", sent);
        s->retry_wait = !s->retry_wait                  ? RETRY_FIRST
                        : s->retry_wait * 2 < RETRY_MAX ? s->retry_wait * 2
                                                        : RETRY_MAX;
        s->retry_due = rw_mono() + s->retry_wait;
    }
    rw_handling_unlock(s->handling);
}

/* ---- batches ----------------------------------------------------------------------- */

static void lead_to_outbox(void *ud, const rw_lead_out_t *lead)
{
    service_t *s = ud;
    if (lead->shadow) return; /* shadow leads are recorded, never dispatched */
    rw_outbox_add(s->outbox, rw_shards_batch(s->shards), s->cfg->topic_leads, lead->id,
                  strlen(lead->id), lead->text, lead->len);
}

/* An action wrote a lead: the engines must not rewrite their older copy of it. */
static void lead_written(void *ud, const char *id)
{
    rw_shards_forget_lead(((service_t *)ud)->shards, id);
}

static void offset_key(const char *topic, int32_t partition, char *out, size_t n)
{
    snprintf(out, n, "p/%s/%" PRId32, topic, partition);
}

/* Offsets are positions in one cluster's partitions: they are stored with its id. */
#define CLUSTER_KEY "cluster"

static int add_delete(void *ud, const char *key, size_t klen, const char *val, size_t vlen)
{
    (void)val;
    (void)vlen;
    rw_batch_delete(ud, RW_CF_META, key, klen);
    return 0;
}

/* Drops stored offsets that are not the cluster's. The embedded broker is new at every
 * start, its partitions empty (its id is no help: the mock's need not differ); a cluster
 * whose id differs from the one stored is another cluster. Their offsets would skip the
 * first events sent; without them every partition is read from its start, which costs
 * no effect twice: events already applied are duplicates (events.md). Returns 0, or -1
 * with err when they could not be dropped. */
static int check_cluster(service_t *s, char *err, size_t errlen)
{
    if (!s->broker) {
        char *id = rd_kafka_clusterid(s->consumer, 5000);
        if (id) {
            snprintf(s->cluster, sizeof s->cluster, "%s", id);
            rd_kafka_mem_free(s->consumer, id);
        }
    }
    char *stored = rw_store_get(s->store, RW_CF_META, CLUSTER_KEY, strlen(CLUSTER_KEY), NULL);
    int rc = 0;
    if (s->broker || (stored && *s->cluster && strcmp(stored, s->cluster) != 0)) {
        rw_batch_t *b = rw_batch_new(s->store);
        rw_store_scan(s->store, RW_CF_META, "p/", 2, add_delete, b);
        if (rw_batch_count(b)) {
            rw_batch_delete(b, RW_CF_META, CLUSTER_KEY, strlen(CLUSTER_KEY));
            rc = rw_store_write(s->store, b, err, errlen);
            if (!rc && s->broker)
                rw_info(
                    MOD,
                    "内嵌 Kafka 每次启动都是空的：状态中上次的位点已作废，各分区从最早位点读起");
            else if (!rc)
                rw_warn(MOD,
                        "状态中保存的位点属于另一个 Kafka 集群（%s，现在连接的是 %s）：已作废，"
                        "各分区从最早位点读起，已处理的事件按 (entity, id) 去重",
                        stored, s->cluster);
        }
        rw_batch_free(b);
    }
    free(stored);
    return rc;
}

static int64_t stored_offset(service_t *s, const char *topic, int32_t partition)
{
    char k[300];
    offset_key(topic, partition, k, sizeof k);
    char *v = rw_store_get(s->store, RW_CF_META, k, strlen(k), NULL);
    if (!v) return -1;
    int64_t off = strtoll(v, NULL, 10);
    free(v);
    return off;
}

int rw_kafka_warm(rd_kafka_t *rk, const char *topic, int timeout_ms)
{
    rd_kafka_topic_t *t = rd_kafka_topic_new(rk, topic, NULL);
    if (!t) return -1;
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, t, &md, timeout_ms);
    if (md) rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(t);
    return e ? -1 : 0;
}

/* Puts the commit's bookkeeping into the batch: the offsets consumed and the outbox
 * records confirmed since the last commit. They become the staged ones, whose Kafka side
 * effects follow the write (written). */
static void stage_bookkeeping(service_t *s)
{
    rw_batch_t *b = rw_shards_batch(s->shards);
    if (s->offsets->cnt && *s->cluster)
        rw_batch_put(b, RW_CF_META, CLUSTER_KEY, strlen(CLUSTER_KEY), s->cluster,
                     strlen(s->cluster));
    for (int i = 0; i < s->offsets->cnt; i++) {
        const rd_kafka_topic_partition_t *p = &s->offsets->elems[i];
        char k[300], v[32];
        offset_key(p->topic, p->partition, k, sizeof k);
        snprintf(v, sizeof v, "%" PRId64, p->offset);
        rw_batch_put(b, RW_CF_META, k, strlen(k), v, strlen(v));
    }
    for (size_t i = 0; i < s->n_delivered; i++)
        rw_outbox_confirm(s->outbox, b, s->delivered[i]);
    s->staged_delivered = s->n_delivered;
    rd_kafka_topic_partition_list_destroy(s->staged_offsets);
    s->staged_offsets = s->offsets;
    s->offsets = rd_kafka_topic_partition_list_new(16);
}

/* The staged batch is on disk (rc 0): its outbox records are produced and its offsets
 * committed to Kafka. Or it could not be written: the service stops, nothing is lost. */
static void written(void *ud, int rc, const char *err)
{
    service_t *s = ud;
    if (rc) {
        rw_error(MOD, "状态写入失败，停止服务以免丢失事件: %s", err);
        rw_outbox_drain(s->outbox, NULL, NULL);
        g_stop = 1;
        s->commit_rc = -1;
        return;
    }
    /* (memmove with the NULL array of a process that has delivered nothing yet is
     * undefined behaviour: UBSan stopped the service on its first commit) */
    if (s->n_delivered > s->staged_delivered)
        memmove(s->delivered, s->delivered + s->staged_delivered,
                (s->n_delivered - s->staged_delivered) * sizeof *s->delivered);
    s->n_delivered -= s->staged_delivered;
    s->staged_delivered = 0;
    rw_outbox_drain(s->outbox, produce, s);
    rd_kafka_poll(s->producer, 0);
    if (s->staged_offsets->cnt) {
        rd_kafka_resp_err_t e = rd_kafka_commit(s->consumer, s->staged_offsets, 1);
        if (e && e != RD_KAFKA_RESP_ERR__NO_OFFSET)
            rw_warn(MOD, "向 Kafka 提交位点失败（状态中已保存）: %s", rd_kafka_err2str(e));
    }
}

/* The atomic write of everything since the last commit, then its Kafka side effects. */
static int commit_locked(service_t *s)
{
    stage_bookkeeping(s);
    char err[512];
    int rc = rw_shards_commit(s->shards, err, sizeof err);
    s->commit_rc = 0;
    written(s, rc, err);
    return s->commit_rc;
}

static void record_offset(service_t *s, const rd_kafka_message_t *m)
{
    const char *topic = rd_kafka_topic_name(m->rkt);
    rd_kafka_topic_partition_t *p =
        rd_kafka_topic_partition_list_find(s->offsets, topic, m->partition);
    if (!p) p = rd_kafka_topic_partition_list_add(s->offsets, topic, m->partition);
    p->offset = m->offset + 1;
}

/* An invalid event's record on the dead-letter topic: the reason and where it came from. */
static void dead_letter(service_t *s, const rd_kafka_message_t *m, const rw_event_error_t *err)
{
    json_t *rec = rw_event_reject_json(m->payload ? m->payload : "", m->len, err);
    json_object_set_new(rec, "topic", json_string(rd_kafka_topic_name(m->rkt)));
    json_object_set_new(rec, "partition", json_integer(m->partition));
    json_object_set_new(rec, "offset", json_integer(m->offset));
    if (m->key) {
        char *kb = rw_base64(m->key, m->key_len);
        json_object_set_new(rec, "key_base64", json_string(kb));
        free(kb);
    }
    char *text = json_dumps(rec, JSON_COMPACT);
    rw_outbox_add(s->outbox, rw_shards_batch(s->shards), s->cfg->topic_dlq, m->key ? m->key : "",
                  m->key ? m->key_len : 0, text, strlen(text));
    free(text);
    json_decref(rec);
}

/* The previous batch's commit, started while the engine threads parse the next one;
 * rw_shards_process calls written once it is on disk. */
static void commit_pending(void *ud)
{
    service_t *s = ud;
    s->pending = 0;
    stage_bookkeeping(s);
    rw_shards_commit_start(s->shards, written, s);
}

/* The first message of a partition resumed from a stored offset. When the topic's
 * retention deleted messages from that offset on before this service read them (it was
 * stopped, or behind, for longer than the retention), librdkafka resets to the earliest
 * message left and says so only in its debug log: the events are lost to the service,
 * and it must say so. (A gap with nothing deleted is a transaction's control records.) */
static void check_start(service_t *s, const rd_kafka_message_t *m)
{
    if (!s->starts->cnt) return;
    const char *topic = rd_kafka_topic_name(m->rkt);
    rd_kafka_topic_partition_t *p =
        rd_kafka_topic_partition_list_find(s->starts, topic, m->partition);
    if (!p) return;
    int64_t from = p->offset, low = -1, high;
    rd_kafka_topic_partition_list_del(s->starts, topic, m->partition);
    if (m->offset <= from ||
        rd_kafka_query_watermark_offsets(s->consumer, topic, m->partition, &low, &high, 2000) ||
        low <= from)
        return;
    s->events_skipped += (uint64_t)(low - from);
    rw_error(MOD,
             "分区 %s[%d] 从保存的位点 %" PRId64 " 继续时，位点 %" PRId64 " 之前的 %" PRId64
             " 条消息已被主题的保留策略删除，其事件未能处理（服务停止或落后的时间超过了保留期限）",
             topic, m->partition, from, low, low - from);
}

/* The polled messages through the engines, then their dead letters and offsets. A
 * pending batch is committed first, overlapping their parse. */
static void handle_messages(service_t *s, rd_kafka_message_t **m, size_t n)
{
    for (size_t i = 0; i < n; i++)
        s->msgs[i] = (rw_shards_msg_t){.value = m[i]->payload ? m[i]->payload : "",
                                       .len = m[i]->len,
                                       .key = m[i]->key,
                                       .klen = m[i]->key ? m[i]->key_len : 0};
    rw_shards_process(s->shards, s->msgs, n, s->results, s->pending ? commit_pending : NULL, s);
    for (size_t i = 0; i < n; i++) {
        check_start(s, m[i]);
        if (s->results[i].outcome == RW_OUT_INVALID) dead_letter(s, m[i], &s->results[i].err);
        record_offset(s, m[i]);
        rd_kafka_message_destroy(m[i]);
    }
}

/* Writes a pending batch, if any, and everything since the last commit; then lets the
 * API threads in. */
static int commit(service_t *s)
{
    rw_handling_lock(s->handling);
    int rc = commit_locked(s);
    if (s->pending) {
        s->pending = 0;
        rw_handling_unlock(s->handling); /* the pending batch's hold */
    }
    rw_handling_unlock(s->handling);
    return rc;
}

/* The polling thread's end of a batch: every polled message through the engines, the
 * previous batch's commit overlapping their parse. The batch stays pending, and the
 * lock held, until the next batch's parse or commit() writes it: from the engines'
 * work to the write no API action may write a lead the batch may also write (the
 * engines keep them until the commit). Only the polling thread touches the polled
 * list and `pending`. */
static int finish_batch(service_t *s)
{
    if (!s->pending) rw_handling_lock(s->handling);
    s->commit_rc = 0;
    handle_messages(s, s->polled, s->n_polled);
    s->n_polled = 0;
    s->pending = 1;
    return s->commit_rc;
}

/* ---- rebalancing ------------------------------------------------------------------- */

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    service_t *s = opaque;
    int cooperative = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        for (int i = 0; i < parts->cnt; i++) {
            rd_kafka_topic_partition_t *p = &parts->elems[i];
            int64_t off = stored_offset(s, p->topic, p->partition);
            /* no stored offset: this state never saw the partition (or it was dropped,
             * check_cluster), so rebuild it from the start */
            p->offset = off >= 0 ? off : RD_KAFKA_OFFSET_BEGINNING;
            if (off >= 0) {
                rd_kafka_topic_partition_t *st =
                    rd_kafka_topic_partition_list_find(s->starts, p->topic, p->partition);
                if (!st) st = rd_kafka_topic_partition_list_add(s->starts, p->topic, p->partition);
                st->offset = off;
            }
            rw_info(MOD, "分配分区 %s[%d]，从位点 %s 开始", p->topic, p->partition,
                    off >= 0 ? "状态中保存的" : "最早（状态中没有它的位点）");
        }
        if (cooperative)
            rd_kafka_error_destroy(rd_kafka_incremental_assign(rk, parts));
        else
            rd_kafka_assign(rk, parts);
    } else {
        /* (on the polling thread, inside its poll) everything polled so far belongs to
         * the old owner's turn: processed, its offsets stored before the partitions go */
        finish_batch(s);
        commit(s);
        for (int i = 0; i < parts->cnt; i++)
            rw_info(MOD, "撤销分区 %s[%d]", parts->elems[i].topic, parts->elems[i].partition);
        if (cooperative)
            rd_kafka_error_destroy(rd_kafka_incremental_unassign(rk, parts));
        else
            rd_kafka_assign(rk, NULL);
    }
}

/* ---- kafka clients ----------------------------------------------------------------- */

static rd_kafka_conf_t *base_conf(const service_t *s, const char *bootstrap, char *err,
                                  size_t errlen)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(conf, rw_log_kafka);
    const char *k;
    json_t *v;
    json_object_foreach(s->cfg->kafka, k, v)
    {
        if (rd_kafka_conf_set(conf, k, json_string_value(v), err, errlen) != RD_KAFKA_CONF_OK) {
            rd_kafka_conf_destroy(conf);
            return NULL;
        }
    }
    if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, errlen) != RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    return conf;
}

static int set(rd_kafka_conf_t *c, const char *k, const char *v, char *err, size_t errlen)
{
    return rd_kafka_conf_set(c, k, v, err, errlen) == RD_KAFKA_CONF_OK ? 0 : -1;
}

static int open_clients(service_t *s, const char *bootstrap, char *err, size_t errlen)
{
    rd_kafka_conf_t *pc = base_conf(s, bootstrap, err, errlen);
    if (!pc || set(pc, "enable.idempotence", "true", err, errlen) ||
        set(pc, "linger.ms", "5", err, errlen))
        return -1;
    /* The dead-letter record of an invalid event just under max_event_size carries its
     * bytes in base64 (4/3 of them; an oversized one only its head): over librdkafka's
     * default limit of 1 000 000 bytes it could never be produced. Lift the client-side
     * limit unless configured (a real cluster's broker/topic limit still applies). */
    if (!json_object_get(s->cfg->kafka, "message.max.bytes") &&
        set(pc, "message.max.bytes", "1000000000", err, errlen))
        return -1;
    rd_kafka_conf_set_dr_msg_cb(pc, on_delivery);
    rd_kafka_conf_set_opaque(pc, s);
    if (!(s->producer = rd_kafka_new(RD_KAFKA_PRODUCER, pc, err, errlen))) return -1;
    const char *out[] = {s->cfg->topic_leads, s->cfg->topic_dlq};
    for (size_t i = 0; i < 2; i++)
        if (rw_kafka_warm(s->producer, out[i], 2000))
            rw_warn(MOD, "2 秒内未取得主题 %s 的元数据，首条消息发送时再取", out[i]);

    rd_kafka_conf_t *cc = base_conf(s, bootstrap, err, errlen);
    if (!cc) return -1;
    /* A member killed without leaving holds its partitions until its session times out:
     * librdkafka's 45 s would keep a restarted instance idle that long. 6 s is the least
     * a broker accepts by default (group.min.session.timeout.ms). */
    if (!json_object_get(s->cfg->kafka, "session.timeout.ms") &&
        (set(cc, "session.timeout.ms", "6000", err, errlen) ||
         set(cc, "heartbeat.interval.ms", "1500", err, errlen))) {
        rd_kafka_conf_destroy(cc);
        return -1;
    }
    /* The embedded broker answers an empty fetch only when its wait is over, so a wait
     * of librdkafka's 500 ms would add up to that much to an event's way to its lead. */
    if (s->broker && !json_object_get(s->cfg->kafka, "fetch.wait.max.ms") &&
        set(cc, "fetch.wait.max.ms", "10", err, errlen)) {
        rd_kafka_conf_destroy(cc);
        return -1;
    }
    if (set(cc, "group.id", s->cfg->group_id, err, errlen) ||
        set(cc, "enable.auto.commit", "false", err, errlen) ||
        set(cc, "auto.offset.reset", "earliest", err, errlen) ||
        set(cc, "partition.assignment.strategy",
            strcmp(s->cfg->rebalance, "cooperative") == 0 ? "cooperative-sticky"
                                                          : "range,roundrobin",
            err, errlen)) {
        rd_kafka_conf_destroy(cc);
        return -1;
    }
    rd_kafka_conf_set_rebalance_cb(cc, on_rebalance);
    rd_kafka_conf_set_opaque(cc, s);
    if (!(s->consumer = rd_kafka_new(RD_KAFKA_CONSUMER, cc, err, errlen))) return -1;
    rd_kafka_poll_set_consumer(s->consumer);
    if (check_cluster(s, err, errlen)) return -1;
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, s->cfg->topic_events, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(s->consumer, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (e) {
        snprintf(err, errlen, "无法订阅 %s: %s", s->cfg->topic_events, rd_kafka_err2str(e));
        return -1;
    }
    return 0;
}

/* ---- metrics ----------------------------------------------------------------------- */

static void render_metrics(service_t *s)
{
    rw_engine_stats_t stats;
    rw_shards_stats(s->shards, &stats);
    const rw_engine_stats_t *st = &stats;
    rw_buf_t b;
    rw_buf_init(&b);
    rw_buf_puts(&b, "# HELP regwatch_events_total Events consumed, by outcome.\n# TYPE "
                    "regwatch_events_total counter\n");
    for (int o = 0; o < RW_OUT__COUNT; o++)
        if (o != RW_OUT_INVALID)
            rw_buf_printf(&b, "regwatch_events_total{outcome=\"%s\"} %" PRIu64 "\n",
                          rw_outcome_name((rw_outcome_t)o), st->outcomes[o]);
    rw_buf_puts(&b, "# HELP regwatch_events_invalid_total Invalid events sent to the dead-letter "
                    "topic, by reason.\n"
                    "# TYPE regwatch_events_invalid_total counter\n");
    for (int r = 1; r < RW_EV__COUNT; r++)
        rw_buf_printf(&b, "regwatch_events_invalid_total{reason=\"%s\"} %" PRIu64 "\n",
                      rw_event_code_name((rw_event_status_t)r), st->invalid[r]);
    rw_buf_puts(&b, "# HELP regwatch_leads_total Leads created, by rule and level.\n# TYPE "
                    "regwatch_leads_total counter\n");
    const char *rule;
    json_t *levels;
    json_t *counts = rw_shards_lead_counts(s->shards);
    json_object_foreach(counts, rule, levels)
    {
        const char *lvl;
        json_t *n;
        json_object_foreach(levels, lvl, n) rw_buf_printf(
            &b, "regwatch_leads_total{rule=\"%s\",level=\"%s\"} %" JSON_INTEGER_FORMAT "\n", rule,
            lvl, json_integer_value(n));
    }
    json_decref(counts);
    rw_buf_printf(&b,
                  "# HELP regwatch_triggers_suppressed_total Triggers suppressed into an existing "
                  "lead's hits.\n"
                  "# TYPE regwatch_triggers_suppressed_total "
                  "counter\nregwatch_triggers_suppressed_total %" PRIu64 "\n",
                  st->leads_suppressed);
    rw_buf_printf(
        &b,
        "# HELP regwatch_triggers_unbacked_total Triggers with no clause in force (no lead).\n"
        "# TYPE regwatch_triggers_unbacked_total counter\nregwatch_triggers_unbacked_total %" PRIu64
        "\n",
        st->triggers_unbacked);
    rw_buf_printf(&b,
                  "# HELP regwatch_lead_revisions_total Lead records published: new leads and "
                  "every change of one.\n# TYPE regwatch_lead_revisions_total counter\n"
                  "regwatch_lead_revisions_total %" PRIu64 "\n",
                  st->lead_revisions);
    rw_buf_printf(&b,
                  "# HELP regwatch_events_skipped_total Events deleted by the topic's retention "
                  "before they were read.\n# TYPE regwatch_events_skipped_total counter\n"
                  "regwatch_events_skipped_total %" PRIu64 "\n",
                  s->events_skipped);
    rw_buf_puts(&b,
                "# HELP regwatch_consumer_lag Messages behind the end of each assigned partition.\n"
                "# TYPE regwatch_consumer_lag gauge\n");
    rd_kafka_topic_partition_list_t *parts = NULL;
    int caught_up = 1, assigned = 0;
    if (rd_kafka_assignment(s->consumer, &parts) == 0 && parts) {
        rd_kafka_position(s->consumer, parts);
        for (int i = 0; i < parts->cnt; i++) {
            int64_t lo = RD_KAFKA_OFFSET_INVALID, hi = RD_KAFKA_OFFSET_INVALID;
            rd_kafka_get_watermark_offsets(s->consumer, parts->elems[i].topic,
                                           parts->elems[i].partition, &lo, &hi);
            /* No position until a message is consumed after the assignment: then the
             * consumer stands where it was assigned, the offset stored with the state
             * (the beginning when there is none). Without this a partition taken back
             * at its end read as lagging by its whole length, and /readyz never
             * turned 200. */
            int64_t pos = parts->elems[i].offset;
            if (pos < 0) pos = stored_offset(s, parts->elems[i].topic, parts->elems[i].partition);
            if (pos < 0) pos = lo >= 0 ? lo : 0;
            int64_t lag = hi > pos ? hi - pos : 0;
            /* the end is known from the first fetch response on: not caught up before */
            if (lag > 0 || hi < 0) caught_up = 0;
            assigned++;
            rw_buf_printf(&b, "regwatch_consumer_lag{topic=\"%s\",partition=\"%d\"} %" PRId64 "\n",
                          parts->elems[i].topic, parts->elems[i].partition, lag);
        }
        rd_kafka_topic_partition_list_destroy(parts);
    }
    rw_buf_puts(&b, "# HELP regwatch_batch_seconds Time to apply and commit one poll batch.\n# "
                    "TYPE regwatch_batch_seconds histogram\n");
    uint64_t cum = 0;
    for (size_t i = 0; i < N_BOUNDS; i++) {
        cum += s->lat_buckets[i];
        rw_buf_printf(&b, "regwatch_batch_seconds_bucket{le=\"%g\"} %" PRIu64 "\n",
                      latency_bounds[i], cum);
    }
    cum += s->lat_buckets[N_BOUNDS];
    rw_buf_printf(&b,
                  "regwatch_batch_seconds_bucket{le=\"+Inf\"} %" PRIu64
                  "\nregwatch_batch_seconds_sum %.6f\nregwatch_batch_seconds_count %" PRIu64 "\n",
                  cum, s->lat_sum, s->batches);
    rw_buf_puts(&b, "# HELP regwatch_rocksdb_bytes Bytes in RocksDB per column family (SST files "
                    "and memtables).\n"
                    "# TYPE regwatch_rocksdb_bytes gauge\n");
    for (int cf = 0; cf < RW_CF__COUNT; cf++)
        rw_buf_printf(&b, "regwatch_rocksdb_bytes{cf=\"%s\"} %" PRIu64 "\n",
                      rw_cf_name((rw_cf_t)cf), rw_store_size(s->store, (rw_cf_t)cf));
    rw_buf_printf(&b,
                  "# HELP regwatch_reloads_total Reloads of rules, models and statutes, by "
                  "result.\n# TYPE regwatch_reloads_total counter\n"
                  "regwatch_reloads_total{result=\"ok\"} %" PRIu64
                  "\nregwatch_reloads_total{result=\"failed\"} %" PRIu64 "\n",
                  s->reloads, s->reload_failures);
    rw_buf_printf(&b,
                  "# HELP regwatch_produce_errors_total Records that could not be sent or "
                  "delivered (kept in the outbox and sent again).\n"
                  "# TYPE regwatch_produce_errors_total counter\n"
                  "regwatch_produce_errors_total %" PRIu64 "\n",
                  s->produce_errors);
    pthread_mutex_lock(&s->lock);
    free(s->metrics_text);
    s->metrics_text = rw_buf_steal(&b);
    s->ready = assigned > 0 && caught_up;
    pthread_mutex_unlock(&s->lock);
}

static void http_metrics(void *ud, const rw_http_req_t *req, rw_http_resp_t *resp)
{
    (void)req;
    service_t *s = ud;
    pthread_mutex_lock(&s->lock);
    rw_http_text(resp, 200, "text/plain; version=0.0.4; charset=utf-8",
                 s->metrics_text ? s->metrics_text : "");
    pthread_mutex_unlock(&s->lock);
}

static void http_healthz(void *ud, const rw_http_req_t *req, rw_http_resp_t *resp)
{
    (void)ud;
    (void)req;
    rw_http_text(resp, 200, "application/json", "{\"status\":\"ok\"}");
}

static void http_readyz(void *ud, const rw_http_req_t *req, rw_http_resp_t *resp)
{
    (void)req;
    service_t *s = ud;
    pthread_mutex_lock(&s->lock);
    int ready = s->ready;
    pthread_mutex_unlock(&s->lock);
    if (ready)
        rw_http_text(resp, 200, "application/json", "{\"status\":\"ready\"}");
    else
        rw_http_error(resp, 503, "not_ready", "消费者尚未分配到分区或尚未追上最新事件");
}

/* ---- the loop ---------------------------------------------------------------------- */

static rw_rules_t *load_rules(const rw_config_t *cfg)
{
    rw_diags_t d;
    rw_diags_init(&d);
    rw_load_opts_t o = {.rules_dir = cfg->rules_dir,
                        .models_dir = cfg->models_dir,
                        .today = rw_local_day(rw_now(), 480)};
    rw_rules_t *r = NULL;
    if (rw_rules_load(&r, &o, &d))
        rw_error(MOD, "规则加载失败（%zu 个错误），首个: %s", d.errors, rw_diags_first_error(&d));
    rw_diags_free(&d);
    return r;
}

/* Between batches, on SIGHUP or POST /api/reload. Returns 0, or -1 with err (the old set stays). */
static int reload(service_t *s, char *err, size_t errlen)
{
    rw_handling_lock(s->handling);
    rw_rules_t *r = load_rules(s->cfg);
    int rc = -1;
    if (!r) {
        snprintf(err, errlen, "规则、模型或法规未通过检查（详见日志），继续使用原有规则");
    } else if (rw_shards_set_rules(s->shards, r, err, errlen)) {
        rw_rules_free(r);
    } else {
        rw_rules_free(s->rules);
        s->rules = r;
        rw_api_set_rules(s->api, r);
        s->reloads++;
        size_t changed = rw_shards_compare_statutes(
            s->shards, rw_local_day(rw_now(), r->catalog.tz_offset_min), 1);
        commit(s);
        rw_info(MOD,
                "已重新加载规则：%zu 条规则；%zu 条未办结线索的法律依据有变化，已标注 changed "
                "并重新发布",
                r->n_rules, changed);
        rc = 0;
    }
    if (rc) {
        s->reload_failures++;
        rw_warn(MOD, "重新加载失败: %s", err);
    }
    rw_handling_unlock(s->handling);
    return rc;
}

static int api_reload(void *ud, char *err, size_t errlen)
{
    return reload(ud, err, errlen);
}

static json_t *api_entity(void *ud, const char *entity)
{
    return rw_shards_entity(((service_t *)ud)->shards, entity);
}

/* Leads that passed a deadline since the last sweep are republished with overdue set. */
static void sweep_overdue(service_t *s)
{
    char err[512];
    long n = rw_handling_sweep_overdue(s->handling, rw_now(), err, sizeof err);
    if (n > 0) rw_info(MOD, "%ld 条线索已逾期，已重新发布", n);
    if (n < 0) rw_error(MOD, "逾期标注写入失败: %s", err);
}

/* `changed` is against the version in force now: at start, and when a day comes on which
 * a version or repeal already in the library takes force, open leads are compared again
 * if the state's mark says so (rw_engine_compare_due: another library, a change since). */
static void compare_on_new_day(service_t *s)
{
    int64_t today = rw_local_day(rw_now(), s->rules->catalog.tz_offset_min);
    if (today == s->compared_day) return;
    rw_handling_lock(s->handling);
    size_t n = rw_shards_compare_statutes(s->shards, today, 0);
    s->compared_day = today;
    commit(s);
    rw_handling_unlock(s->handling);
    if (n) rw_info(MOD, "法规有新版本或废止生效：%zu 条未办结线索已标注 changed 并重新发布", n);
}

/* Once a minute, with the pending batch written first: both write leads the engines may
 * hold. */
static void every_minute(service_t *s)
{
    if (rw_mono() < s->next_sweep) return;
    s->next_sweep = rw_mono() + 60;
    commit(s);
    sweep_overdue(s);
    compare_on_new_day(s);
}

static void run_batches(service_t *s)
{
    while (!g_stop) {
        if (g_reload) {
            char err[512];
            g_reload = 0;
            commit(s);
            reload(s, err, sizeof err);
        }
        /* an API request waits for the lock a pending batch holds: write it and let it in */
        if (s->pending && rw_handling_contended(s->handling)) commit(s);
        every_minute(s);
        retry_failed(s);
        double start = 0, deadline = 0;
        while (s->n_polled < (size_t)s->cfg->batch_max_events && !g_stop &&
               !(s->n_polled == 0 && g_reload)) {
            /* while a batch waits for its commit, only what has already arrived joins the
             * next one: its leads are not held back for the batch window */
            int wait = s->pending         ? 0
                       : s->n_polled == 0 ? 200
                                          : (int)((deadline - rw_mono()) * 1000);
            if (s->n_polled > 0 && !s->pending && wait <= 0) break;
            rd_kafka_message_t *m = rd_kafka_consumer_poll(s->consumer, wait);
            if (!m) {
                if (s->n_polled > 0) break;
                if (s->pending) { /* nothing more yet: the pending batch is written now */
                    commit(s);
                    continue;
                }
                rd_kafka_poll(s->producer, 0);
                render_metrics(s);
                break; /* idle: the outer loop's timers (overdue sweep, retries) run too */
            }
            if (m->err) {
                if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                    rw_warn(MOD, "消费错误: %s", rd_kafka_message_errstr(m));
                rd_kafka_message_destroy(m);
                continue;
            }
            if (s->n_polled == 0) {
                start = rw_mono();
                deadline = start + s->cfg->batch_max_ms / 1000.0;
            }
            s->polled[s->n_polled++] = m;
        }
        size_t n = s->n_polled;
        if (n == 0) {
            if (s->pending || s->n_delivered) commit(s);
            continue;
        }
        finish_batch(s);
        if (n) {
            double el = rw_mono() - start;
            size_t i = 0;
            while (i < N_BOUNDS && el > latency_bounds[i])
                i++;
            s->lat_buckets[i]++;
            s->lat_sum += el;
            s->batches++;
        }
        /* rendering every batch cost 5 % of a loaded service; idle, it renders at once */
        if (rw_mono() >= s->metrics_due) {
            render_metrics(s);
            s->metrics_due = rw_mono() + METRICS_EVERY;
        }
    }
}

int rw_service_run(const rw_config_t *cfg)
{
    service_t s = {.cfg = cfg, .compared_day = -1};
    pthread_mutex_init(&s.lock, NULL);
    s.offsets = rd_kafka_topic_partition_list_new(16);
    s.staged_offsets = rd_kafka_topic_partition_list_new(1);
    s.starts = rd_kafka_topic_partition_list_new(4);
    char err[1024];
    int status = 1;
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (!(s.rules = load_rules(cfg))) goto out;
    if (rw_store_open(&s.store, cfg->state_dir, err, sizeof err)) {
        rw_error(MOD, "%s", err);
        goto out;
    }
    rw_engine_opts_t eo = {.store = s.store,
                           .rules = s.rules,
                           .sink = lead_to_outbox,
                           .sink_ud = &s,
                           .check_future = 1,
                           .max_event_size = cfg->max_event_size};
    unsigned threads = cfg->threads ? (unsigned)cfg->threads : rw_shards_default();
    if (!(s.shards = rw_shards_new(&eo, threads, err, sizeof err))) {
        rw_error(MOD, "%s", err);
        goto out;
    }
    size_t cap = (size_t)cfg->batch_max_events;
    s.polled = rw_xcalloc(cap, sizeof *s.polled);
    s.msgs = rw_xcalloc(cap, sizeof *s.msgs);
    s.results = rw_xcalloc(cap, sizeof *s.results);
    s.outbox = rw_outbox_open(s.store);
    rw_handling_opts_t ho = {.store = s.store,
                             .outbox = s.outbox,
                             .topic_leads = cfg->topic_leads,
                             .publish = produce,
                             .publish_ud = &s,
                             .wrote = lead_written,
                             .wrote_ud = &s};
    s.handling = rw_handling_new(&ho);
    s.users = rw_users_open(cfg->state_dir);
    const char *bootstrap = rw_config_bootstrap(cfg);
    if (!bootstrap) {
        const char *topics[] = {cfg->topic_events, cfg->topic_leads, cfg->topic_dlq, NULL};
        if (!(s.broker =
                  rw_broker_start(topics, cfg->partitions, cfg->broker_port, err, sizeof err))) {
            rw_error(MOD, "%s", err);
            goto out;
        }
        bootstrap = rw_broker_address(s.broker);
        printf("内嵌 Kafka（进程内，数据仅在进程存活期间保留）：%s\n", bootstrap);
        printf("  生产事件: kcat -P -b %s -t %s -K '|' -l events.txt\n", bootstrap,
               cfg->topic_events);
        printf("  消费线索: kcat -C -b %s -t %s\n", bootstrap, cfg->topic_leads);
        fflush(stdout);
    }
    rw_api_opts_t ao = {.handling = s.handling,
                        .users = s.users,
                        .entity = api_entity,
                        .reload = api_reload,
                        .ud = &s,
                        .rules_dir = cfg->rules_dir,
                        .models_dir = cfg->models_dir,
                        .bootstrap = bootstrap,
                        .topic_events = cfg->topic_events};
    s.api = rw_api_new(&ao);
    rw_api_set_rules(s.api, s.rules);
    if (open_clients(&s, bootstrap, err, sizeof err)) {
        rw_error(MOD, "Kafka 客户端配置错误: %s", err);
        goto out;
    }
    rw_outbox_scan(s.outbox, produce, &s); /* unconfirmed records of an earlier run */
    render_metrics(&s);
    if (cfg->http_listen && *cfg->http_listen) {
        s.http = rw_http_new();
        rw_http_route(s.http, "GET", "/metrics", NULL, http_metrics, &s);
        rw_http_route(s.http, "GET", "/healthz", NULL, http_healthz, &s);
        rw_http_route(s.http, "GET", "/readyz", NULL, http_readyz, &s);
        rw_api_routes(s.api, s.http);
        /* last: routes are tried in order, so every API path above wins over the console */
        if ((s.web = rw_static_open(cfg->static_dir, err, sizeof err)))
            rw_http_route(s.http, "GET", "/", NULL, rw_static_handle, s.web);
        else
            rw_warn(MOD, "%s；网页控制台不可用（http.static_dir / REGWATCH_WEB）", err);
        if (((cfg->tls_cert || cfg->tls_key) &&
             rw_http_tls(s.http, cfg->tls_cert, cfg->tls_key, err, sizeof err)) ||
            rw_http_start(s.http, cfg->http_listen, RW_API_MAX_BACKTEST_BODY, err, sizeof err)) {
            rw_error(MOD, "%s", err);
            goto out;
        }
    }
    rw_info(MOD, "regwatch 运行中：消费 %s，线索 %s，死信 %s，消费组 %s，状态 %s，引擎线程 %u",
            cfg->topic_events, cfg->topic_leads, cfg->topic_dlq, cfg->group_id, cfg->state_dir,
            rw_shards_count(s.shards));
    run_batches(&s);
    rw_info(MOD, "正在停止：提交最后一批并等待投递确认");
    finish_batch(&s);
    commit(&s);
    rd_kafka_flush(s.producer, 10000);
    commit(&s); /* records the confirmed deliveries */
    status = 0;
out:
    if (s.http) rw_http_stop(s.http);
    rw_static_close(s.web);
    if (s.consumer) {
        rd_kafka_consumer_close(s.consumer);
        rd_kafka_destroy(s.consumer);
    }
    if (s.producer) rd_kafka_destroy(s.producer);
    rw_shards_free(s.shards);
    rw_store_close(s.store);
    rw_broker_stop(s.broker);
    rw_rules_free(s.rules);
    rd_kafka_topic_partition_list_destroy(s.offsets);
    rd_kafka_topic_partition_list_destroy(s.starts);
    rd_kafka_topic_partition_list_destroy(s.staged_offsets);
    rw_api_free(s.api);
    rw_users_free(s.users);
    rw_handling_free(s.handling);
    rw_outbox_free(s.outbox);
    free(s.delivered);
    free(s.failed);
    free(s.polled);
    free(s.msgs);
    free(s.results);
    free(s.metrics_text);
    pthread_mutex_destroy(&s.lock);
    return status;
}
