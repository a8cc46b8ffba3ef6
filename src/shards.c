/* shards.c — engines side by side over one poll batch (see shards.h). A batch runs in
 * two rounds on every lane: parse (each lane takes the next unparsed message until none
 * is left; the caller's lane first runs the overlapped work it was given), then apply
 * (each event on the lane owning its entity). The caller's thread is lane 0 and waits
 * for the others at the end of each round. */
#define _GNU_SOURCE /* pthread_setname_np */
#include "shards.h"

#include "jarena.h"
#include "leadlog.h"
#include "util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef enum { ROUND_PARSE, ROUND_APPLY } round_t;

typedef struct {
    rw_shards_t *s;
    unsigned index;
    rw_engine_t *engine;
    rw_leadlog_t log;   /* this round's revisions, by message */
    rw_jarena_t *arena; /* the JSON of the events it parsed: dropped with the batch */
    uint64_t item;      /* the message being applied */
    pthread_t thread;
} lane_t;

typedef struct {
    rw_event_t ev;
    int ok;         /* parsed; ev to apply */
    unsigned owner; /* the lane of its entity */
} slot_t;

struct rw_shards {
    rw_engine_opts_t o;
    unsigned n;
    lane_t lanes[RW_SHARDS_MAX];
    rw_batch_t *batch; /* what the next commit writes */
    rw_batch_t *spare; /* the other one: staged and being written, or empty */
    int started;       /* rw_shards_commit_start ran; finish_write has not */
    int in_flight;     /* spare holds a staged batch not yet written (or whose write failed) */
    int write_pending; /* the writer has it and is not done (under the lock) */
    int write_rc;      /* its result; err says why */
    char write_err[512];
    rw_shards_written_fn written; /* told once it is written */
    void *written_ud;
    pthread_t writer;
    pthread_cond_t write_go, write_done;
    /* the batch in progress */
    const rw_shards_msg_t *msgs;
    rw_shards_result_t *res;
    slot_t *slots;
    size_t count, cap;
    atomic_size_t next;        /* the next message to parse */
    void (*overlap)(void *ud); /* lane 0's work before it parses */
    void *overlap_ud;
    /* lanes 1..n-1 wait for a round under the lock */
    pthread_mutex_t lock;
    pthread_cond_t go, done;
    uint64_t rounds;   /* started so far */
    round_t round;     /* the current one */
    unsigned finished; /* lanes other than 0 done with it */
    int quit;
};

unsigned rw_shards_default(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > RW_SHARDS_MAX ? RW_SHARDS_MAX : (unsigned)n;
}

static void lane_sink(void *ud, const rw_lead_out_t *lead)
{
    lane_t *l = ud;
    rw_leadlog_add(&l->log, l->item, lead);
}

static void run_round(rw_shards_t *s, lane_t *l, round_t r)
{
    if (r == ROUND_PARSE) {
        if (l->index == 0 && s->overlap) s->overlap(s->overlap_ud);
        /* events are parsed on one lane and applied on another: freeing each one there
         * cost more in the allocator than parsing (as in replay, jarena.h) */
        rw_jarena_t *prev = rw_jarena_enter(l->arena);
        for (size_t i; (i = atomic_fetch_add(&s->next, 1)) < s->count;) {
            const rw_shards_msg_t *m = &s->msgs[i];
            slot_t *x = &s->slots[i];
            x->ok = !rw_engine_parse(l->engine, m->value, m->len, m->key, m->klen, &x->ev,
                                     &s->res[i].err);
            if (x->ok)
                x->owner = rw_engine_shard_of(x->ev.entity, x->ev.entity_len, s->n);
            else
                s->res[i].outcome = RW_OUT_INVALID;
        }
        rw_jarena_enter(prev);
        return;
    }
    for (size_t i = 0; i < s->count; i++) {
        slot_t *x = &s->slots[i];
        if (!x->ok || x->owner != l->index) continue;
        l->item = i;
        s->res[i].outcome = rw_engine_apply(l->engine, &x->ev, &s->res[i].err);
    }
}

static void *lane_loop(void *arg)
{
    lane_t *l = arg;
    rw_shards_t *s = l->s;
    uint64_t seen = 0;
    for (;;) {
        pthread_mutex_lock(&s->lock);
        while (s->rounds == seen && !s->quit)
            pthread_cond_wait(&s->go, &s->lock);
        if (s->quit) {
            pthread_mutex_unlock(&s->lock);
            return NULL;
        }
        seen = s->rounds;
        round_t r = s->round;
        pthread_mutex_unlock(&s->lock);
        run_round(s, l, r);
        pthread_mutex_lock(&s->lock);
        if (++s->finished == s->n - 1) pthread_cond_signal(&s->done);
        pthread_mutex_unlock(&s->lock);
    }
}

/* Runs a round on every lane; returns when all are done with it. */
static void run_all(rw_shards_t *s, round_t r)
{
    if (s->n > 1) {
        pthread_mutex_lock(&s->lock);
        s->round = r;
        s->finished = 0;
        s->rounds++;
        pthread_cond_broadcast(&s->go);
        pthread_mutex_unlock(&s->lock);
    }
    run_round(s, &s->lanes[0], r);
    if (s->n > 1) {
        pthread_mutex_lock(&s->lock);
        while (s->finished < s->n - 1)
            pthread_cond_wait(&s->done, &s->lock);
        pthread_mutex_unlock(&s->lock);
    }
}

static void finish_write(rw_shards_t *s);

/* Writes staged batches, so that the RocksDB write overlaps the next batch's rounds. */
static void *writer_loop(void *arg)
{
    rw_shards_t *s = arg;
    pthread_setname_np(pthread_self(), "rw-writer");
    pthread_mutex_lock(&s->lock);
    for (;;) {
        while (!s->write_pending && !s->quit)
            pthread_cond_wait(&s->write_go, &s->lock);
        if (!s->write_pending) break; /* quit, nothing left to write */
        pthread_mutex_unlock(&s->lock);
        char err[sizeof s->write_err];
        int rc = rw_store_write(s->o.store, s->spare, err, sizeof err);
        pthread_mutex_lock(&s->lock);
        s->write_rc = rc;
        if (rc) snprintf(s->write_err, sizeof s->write_err, "%s", err);
        s->write_pending = 0;
        pthread_cond_signal(&s->write_done);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

static void stop_lanes(rw_shards_t *s, unsigned started, int writer)
{
    pthread_mutex_lock(&s->lock);
    s->quit = 1;
    pthread_cond_broadcast(&s->go);
    pthread_cond_signal(&s->write_go);
    pthread_mutex_unlock(&s->lock);
    for (unsigned i = 1; i < started; i++)
        pthread_join(s->lanes[i].thread, NULL);
    if (writer) pthread_join(s->writer, NULL);
}

rw_shards_t *rw_shards_new(const rw_engine_opts_t *o, unsigned n, char *err, size_t errlen)
{
    if (n < 1 || n > RW_SHARDS_MAX) {
        snprintf(err, errlen, "引擎线程数应在 1 到 %d 之间", RW_SHARDS_MAX);
        return NULL;
    }
    rw_shards_t *s = rw_xcalloc(1, sizeof *s);
    s->o = *o;
    s->n = n;
    s->batch = rw_batch_new(o->store);
    s->spare = rw_batch_new(o->store);
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->go, NULL);
    pthread_cond_init(&s->done, NULL);
    pthread_cond_init(&s->write_go, NULL);
    pthread_cond_init(&s->write_done, NULL);
    json_object_seed(0); /* before other threads create JSON objects */
    size_t cache = o->cache_bytes ? o->cache_bytes : RW_ENGINE_CACHE_DEFAULT;
    for (unsigned i = 0; i < n; i++) {
        lane_t *l = &s->lanes[i];
        rw_engine_opts_t eo = *o;
        eo.sink = lane_sink;
        eo.sink_ud = l;
        eo.cache_bytes = cache / n; /* the budget is the service's, not each engine's */
        l->s = s;
        l->index = i;
        l->engine = rw_engine_new(&eo);
        l->arena = rw_jarena_new();
        rw_leadlog_init(&l->log);
    }
    unsigned running = 1; /* lanes with a thread: the caller's, then those started */
    while (running < n &&
           !pthread_create(&s->lanes[running].thread, NULL, lane_loop, &s->lanes[running]))
        running++;
    if (running < n || pthread_create(&s->writer, NULL, writer_loop, s)) {
        snprintf(err, errlen, "无法启动引擎线程 %u", running);
        stop_lanes(s, running, 0);
        s->n = 0; /* nothing left to stop */
        rw_shards_free(s);
        return NULL;
    }
    return s;
}

void rw_shards_free(rw_shards_t *s)
{
    if (!s) return;
    if (s->n) stop_lanes(s, s->n, 1);
    for (unsigned i = 0; i < RW_SHARDS_MAX && s->lanes[i].engine; i++) {
        rw_engine_free(s->lanes[i].engine);
        rw_jarena_free(s->lanes[i].arena);
        rw_leadlog_free(&s->lanes[i].log);
    }
    rw_batch_free(s->batch);
    rw_batch_free(s->spare);
    free(s->slots);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->go);
    pthread_cond_destroy(&s->done);
    pthread_cond_destroy(&s->write_go);
    pthread_cond_destroy(&s->write_done);
    free(s);
}

unsigned rw_shards_count(const rw_shards_t *s)
{
    return s->n;
}

void rw_shards_process(rw_shards_t *s, const rw_shards_msg_t *msgs, size_t n,
                       rw_shards_result_t *res, void (*overlap)(void *ud), void *ud)
{
    if (n == 0) { /* no need to wake the lanes */
        if (overlap) overlap(ud);
        finish_write(s);
        return;
    }
    if (n > s->cap) {
        s->cap = n;
        s->slots = rw_xrealloc(s->slots, n * sizeof *s->slots);
    }
    s->msgs = msgs;
    s->res = res;
    s->count = n;
    atomic_store(&s->next, 0);
    s->overlap = overlap;
    s->overlap_ud = ud;
    run_all(s, ROUND_PARSE);
    s->overlap = NULL;
    run_all(s, ROUND_APPLY);
    finish_write(s); /* before the sink: its records belong to the next commit */
    for (size_t i = 0; i < n; i++)
        if (s->slots[i].ok)
            rw_leadlog_replay(&s->lanes[s->slots[i].owner].log, i, s->o.sink, s->o.sink_ud);
    for (unsigned i = 0; i < s->n; i++) {
        rw_leadlog_clear(&s->lanes[i].log);
        rw_jarena_reset(s->lanes[i].arena); /* the batch's events */
    }
    s->msgs = NULL;
    s->res = NULL;
    s->count = 0;
}

rw_batch_t *rw_shards_batch(rw_shards_t *s)
{
    return s->batch;
}

static void settle_all(rw_shards_t *s)
{
    for (unsigned i = 0; i < s->n; i++)
        rw_engine_settle(s->lanes[i].engine);
}

void rw_shards_commit_start(rw_shards_t *s, rw_shards_written_fn written, void *ud)
{
    s->started = 1;
    s->written = written;
    s->written_ud = ud;
    if (s->in_flight) return; /* an earlier write failed: nothing goes in after it */
    for (unsigned i = 0; i < s->n; i++)
        rw_engine_stage(s->lanes[i].engine, s->batch);
    rw_batch_t *staged = s->batch;
    s->batch = s->spare;
    s->spare = staged;
    s->in_flight = 1;
    pthread_mutex_lock(&s->lock);
    s->write_pending = 1;
    pthread_cond_signal(&s->write_go);
    pthread_mutex_unlock(&s->lock);
}

/* Waits for a started commit's write; settles the engines and tells the caller. A failed
 * batch stays in flight: the next rw_shards_commit writes it first, so nothing staged
 * after it lands without it. */
static void finish_write(rw_shards_t *s)
{
    if (!s->started) return;
    s->started = 0;
    pthread_mutex_lock(&s->lock);
    while (s->write_pending)
        pthread_cond_wait(&s->write_done, &s->lock);
    int rc = s->write_rc;
    pthread_mutex_unlock(&s->lock);
    if (!rc) {
        s->in_flight = 0;
        settle_all(s);
    }
    if (s->written) s->written(s->written_ud, rc, rc ? s->write_err : "");
}

int rw_shards_commit(rw_shards_t *s, char *err, size_t errlen)
{
    if (s->in_flight) { /* a write that failed: again, before anything staged after it */
        if (rw_store_write(s->o.store, s->spare, err, errlen)) return -1;
        s->in_flight = s->write_rc = 0;
        settle_all(s);
    }
    for (unsigned i = 0; i < s->n; i++)
        rw_engine_stage(s->lanes[i].engine, s->batch);
    if (rw_store_write(s->o.store, s->batch, err, errlen)) return -1;
    settle_all(s);
    return 0;
}

int rw_shards_set_rules(rw_shards_t *s, const rw_rules_t *rules, char *err, size_t errlen)
{
    if (rw_shards_commit(s, err, errlen)) return -1;
    for (unsigned i = 0; i < s->n; i++)
        if (rw_engine_set_rules(s->lanes[i].engine, rules, err, errlen)) return -1;
    s->o.rules = rules;
    return 0;
}

/* A refreshed revision: other engines drop their copy of the lead before it goes on. */
static void refreshed(void *ud, const rw_lead_out_t *lead)
{
    rw_shards_t *s = ud;
    for (unsigned i = 1; i < s->n; i++)
        rw_engine_forget_lead(s->lanes[i].engine, lead->id);
    if (s->o.sink) s->o.sink(s->o.sink_ud, lead);
}

size_t rw_shards_refresh_changed(rw_shards_t *s)
{
    lane_t *l = &s->lanes[0];
    l->item = 0;
    size_t n = rw_engine_refresh_changed(l->engine);
    rw_leadlog_replay(&l->log, 0, refreshed, s);
    rw_leadlog_clear(&l->log);
    return n;
}

size_t rw_shards_compare_statutes(rw_shards_t *s, int64_t today, int always)
{
    rw_engine_t *e = s->lanes[0].engine;
    size_t n = always || rw_engine_compare_due(e, today) ? rw_shards_refresh_changed(s) : 0;
    rw_engine_compare_mark(e, rw_shards_batch(s), today);
    return n;
}

void rw_shards_forget_lead(rw_shards_t *s, const char *id)
{
    for (unsigned i = 0; i < s->n; i++)
        rw_engine_forget_lead(s->lanes[i].engine, id);
}

json_t *rw_shards_entity(rw_shards_t *s, const char *entity)
{
    return rw_engine_entity(s->lanes[rw_engine_shard_of(entity, strlen(entity), s->n)].engine,
                            entity);
}

void rw_shards_stats(const rw_shards_t *s, rw_engine_stats_t *sum)
{
    memset(sum, 0, sizeof *sum);
    for (unsigned i = 0; i < s->n; i++)
        rw_engine_stats_add(sum, rw_engine_stats(s->lanes[i].engine));
}

json_t *rw_shards_lead_counts(const rw_shards_t *s)
{
    json_t *sum = json_object();
    for (unsigned i = 0; i < s->n; i++) {
        const char *rule, *level;
        json_t *levels, *n;
        json_object_foreach((json_t *)rw_engine_lead_counts(s->lanes[i].engine), rule, levels)
        {
            json_t *to = json_object_get(sum, rule);
            if (!to) json_object_set_new(sum, rule, to = json_object());
            json_object_foreach(levels, level, n)
            {
                json_int_t before = json_integer_value(json_object_get(to, level));
                json_object_set_new(to, level, json_integer(before + json_integer_value(n)));
            }
        }
    }
    return sum;
}
