/* replay.c — the engine over a JSON Lines file: rejects, batched commits, a progress bar.
 * Threads: a reader reads and parses lines into chunks (JSON parsing is a large part
 * of the work); shard workers each run an engine over the entities whose id hashes to
 * it, so an entity's events keep their file order on one engine and entities share
 * nothing; the calling thread writes each chunk's lead revisions and rejects in file
 * order once every shard is done with it. The output is that of one engine. */
#define _GNU_SOURCE /* pthread_setname_np */
#include "replay.h"
#include "jarena.h"
#include "leadlog.h"
#include "log.h"
#include "rwtime.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK 512
#define QUEUE 8 /* chunks in flight: slack for shards running at different speeds */

typedef struct {
    rw_event_error_t err;
    char *raw; /* the original bytes, for the rejects file */
    size_t raw_len;
} reject_t;

typedef struct {
    uint64_t line;
    int ok;
    int future; /* ok, and the engine found it dated too far ahead (set by its shard) */
    unsigned shard;
    rw_event_t ev;    /* when ok */
    reject_t *reject; /* when !ok, or when it may turn out to be future: its bytes */
} item_t;

typedef struct chunk {
    item_t items[CHUNK];
    rw_jarena_t *arena; /* the events' JSON: dropped at once when the chunk is reused */
    size_t n;
    uint64_t bytes;                  /* read so far, for the progress bar */
    unsigned done;                   /* shards finished with it */
    rw_leadlog_t out[RW_SHARDS_MAX]; /* each shard's lead revisions, by item */
    struct chunk *next;
} chunk_t;

static chunk_t *chunk_new(void)
{
    chunk_t *c = rw_xcalloc(1, sizeof *c);
    c->arena = rw_jarena_new();
    for (size_t s = 0; s < RW_SHARDS_MAX; s++)
        rw_leadlog_init(&c->out[s]);
    return c;
}

/* Empties a written chunk for reuse: allocating and freeing chunks of this size each
 * time made the allocator consolidate its free lists over and over. */
static void chunk_clear(chunk_t *c)
{
    rw_jarena_reset(c->arena); /* frees the events */
    for (size_t i = 0; i < c->n; i++) {
        if (c->items[i].reject) {
            free(c->items[i].reject->raw);
            free(c->items[i].reject);
        }
    }
    for (size_t s = 0; s < RW_SHARDS_MAX; s++)
        rw_leadlog_clear(&c->out[s]);
    c->n = 0;
    c->done = 0;
}

static void chunks_free(chunk_t *c)
{
    while (c) {
        chunk_t *next = c->next;
        chunk_clear(c);
        for (size_t s = 0; s < RW_SHARDS_MAX; s++)
            rw_leadlog_free(&c->out[s]);
        rw_jarena_free(c->arena);
        free(c);
        c = next;
    }
}

typedef struct {
    FILE *in;
    const rw_replay_opts_t *o;
    const rw_engine_opts_t *eo;
    unsigned shards;
    pthread_mutex_t lock;
    pthread_cond_t changed; /* every wait: the queue moved, a shard finished, or stop */
    chunk_t *q[QUEUE];      /* chunk number k in q[k % QUEUE] for head <= k < tail */
    uint64_t head, tail;
    chunk_t *spent; /* written chunks: the reader clears and reuses them */
    int done, failed, stop;
    uint64_t lines, bytes;
    char err[512]; /* the first shard's failure */
} pipe_t;

static FILE *open_input(const char *path, char *err, size_t errlen, off_t *size)
{
    *size = 0;
    if (strcmp(path, "-") == 0) return stdin;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "无法打开事件文件 %s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0) *size = st.st_size;
    return f;
}

static void draw_progress(uint64_t done, off_t total, double started)
{
    double frac = total > 0 ? (double)done / (double)total : 0;
    if (frac > 1) frac = 1;
    int width = 30, fill = (int)(frac * width);
    fprintf(stderr, "\r[%.*s%*s] %5.1f%%  %.0f s", fill, "##############################",
            width - fill, "", frac * 100, rw_mono() - started);
    fflush(stderr);
}

/* Queues a full chunk; returns the next one to fill (NULL once stopped). */
static chunk_t *push(pipe_t *p, chunk_t *c, chunk_t **reuse)
{
    pthread_mutex_lock(&p->lock);
    while (p->tail - p->head == QUEUE && !p->stop)
        pthread_cond_wait(&p->changed, &p->lock);
    int stop = p->stop;
    if (!stop) {
        p->q[p->tail++ % QUEUE] = c;
        pthread_cond_broadcast(&p->changed);
    }
    chunk_t *spent = p->spent;
    p->spent = NULL;
    pthread_mutex_unlock(&p->lock);
    if (stop) {
        c->next = spent;
        spent = c;
    }
    while (spent) {
        chunk_t *next = spent->next;
        chunk_clear(spent);
        spent->next = *reuse;
        *reuse = spent;
        spent = next;
    }
    if (stop) return NULL;
    chunk_t *fresh = *reuse;
    if (fresh)
        *reuse = fresh->next;
    else
        fresh = chunk_new();
    fresh->next = NULL;
    return fresh;
}

static void *read_loop(void *arg)
{
    pipe_t *p = arg;
    const rw_replay_opts_t *o = p->o;
    pthread_setname_np(pthread_self(), "rw-reader"); /* for top -H and perf */
    size_t max = o->max_event_size ? o->max_event_size : RW_EVENT_MAX_SIZE_DEFAULT;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    chunk_t *reuse = NULL, *c = chunk_new();
    rw_event_error_t err;
    while (c && (n = getline(&line, &cap, p->in)) >= 0) {
        p->lines++;
        p->bytes += (uint64_t)n;
        if (n > 0 && line[n - 1] == '\n') n--;
        if (n > 0 && line[n - 1] == '\r') n--;
        if (n == 0) continue; /* blank lines separate nothing and are skipped */
        size_t bom = p->lines == 1 ? rw_utf8_bom(line, (size_t)n) : 0;
        const char *text = line + bom;
        n -= (ssize_t)bom;
        item_t *it = &c->items[c->n];
        it->line = p->lines;
        it->reject = NULL;
        it->future = 0;
        rw_jarena_t *prev = rw_jarena_enter(c->arena);
        it->ok = rw_event_parse(text, (size_t)n, NULL, 0, max, &it->ev, &err) == 0;
        rw_jarena_enter(prev);
        /* the engine tests the date after dedup (events.md): keep the bytes of an event
         * that may fail it, for its reject record */
        int keep =
            it->ok && p->eo->check_future &&
            rw_event_check_future(&it->ev, p->eo->future_now ? p->eo->future_now : rw_now(), &err);
        if (it->ok) it->shard = rw_engine_shard_of(it->ev.entity, it->ev.entity_len, p->shards);
        if (!it->ok || keep) {
            it->reject = rw_xcalloc(1, sizeof *it->reject);
            it->reject->err = err;
            it->reject->raw = rw_xmalloc((size_t)n + 1);
            memcpy(it->reject->raw, text, (size_t)n);
            it->reject->raw_len = (size_t)n;
        }
        if (++c->n == CHUNK) {
            c->bytes = p->bytes;
            c = push(p, c, &reuse);
        }
    }
    if (c) {
        c->bytes = p->bytes;
        if ((c = push(p, c, &reuse))) chunks_free(c);
    }
    chunks_free(reuse);
    pthread_mutex_lock(&p->lock);
    p->failed = ferror(p->in);
    p->done = 1;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
    free(line);
    return NULL;
}

/* ---- shards -------------------------------------------------------------------------- */

typedef struct {
    pipe_t *p;
    unsigned index;
    rw_engine_t *engine; /* freed by the shard when it ends, its counts kept in stats */
    rw_engine_stats_t stats;
    size_t batch;
    rw_leadlog_t *out; /* of the chunk being processed */
    uint32_t item;     /* the item being applied */
} shard_t;

static void shard_sink(void *ud, const rw_lead_out_t *lead)
{
    shard_t *sh = ud;
    rw_leadlog_add(sh->out, sh->item, lead);
}

static void fail(pipe_t *p, const char *err)
{
    pthread_mutex_lock(&p->lock);
    if (!p->stop) snprintf(p->err, sizeof p->err, "%s", err);
    p->stop = 1;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
}

/* Keeps the counts and frees the engine: each shard drops its own cache, in parallel. */
static void retire(shard_t *sh)
{
    sh->stats = *rw_engine_stats(sh->engine);
    rw_engine_free(sh->engine);
    sh->engine = NULL;
}

/* Every shard sees every chunk and commits at the same positions in the file. */
static void *shard_loop(void *arg)
{
    shard_t *sh = arg;
    pipe_t *p = sh->p;
    char err[512];
    snprintf(err, sizeof err, "rw-shard%u", sh->index);
    pthread_setname_np(pthread_self(), err);
    size_t pending = 0;
    for (uint64_t k = 0;; k++) {
        pthread_mutex_lock(&p->lock);
        while (k == p->tail && !p->done && !p->stop)
            pthread_cond_wait(&p->changed, &p->lock);
        chunk_t *c = k < p->tail && !p->stop ? p->q[k % QUEUE] : NULL;
        pthread_mutex_unlock(&p->lock);
        if (!c) break;
        sh->out = &c->out[sh->index];
        for (size_t i = 0; i < c->n; i++) {
            item_t *it = &c->items[i]; /* only its own shard writes `future` */
            if (it->ok && it->shard == sh->index) {
                sh->item = (uint32_t)i;
                it->future = rw_engine_apply(sh->engine, &it->ev, NULL) == RW_OUT_INVALID;
            }
            if (++pending >= sh->batch || rw_engine_over_budget(sh->engine)) {
                pending = 0;
                if (rw_engine_commit(sh->engine, err, sizeof err)) {
                    fail(p, err);
                    retire(sh);
                    return NULL;
                }
            }
        }
        pthread_mutex_lock(&p->lock);
        c->done++;
        pthread_cond_broadcast(&p->changed);
        pthread_mutex_unlock(&p->lock);
    }
    pthread_mutex_lock(&p->lock);
    int stopped = p->stop;
    pthread_mutex_unlock(&p->lock);
    if (!stopped && rw_engine_commit(sh->engine, err, sizeof err)) fail(p, err);
    retire(sh);
    return NULL;
}

/* ---- writing in file order ------------------------------------------------------------ */

static void write_reject(FILE *f, const item_t *it)
{
    json_t *rec = rw_event_reject_json(it->reject->raw, it->reject->raw_len, &it->reject->err);
    json_object_set_new(rec, "line", json_integer((json_int_t)it->line));
    char *s = json_dumps(rec, JSON_COMPACT);
    fprintf(f, "%s\n", s);
    free(s);
    json_decref(rec);
}

static void write_chunk(const rw_engine_opts_t *eo, const rw_replay_opts_t *o, chunk_t *c,
                        rw_engine_stats_t *invalid)
{
    for (size_t i = 0; i < c->n; i++) {
        const item_t *it = &c->items[i];
        if (!it->ok || it->future) {
            if (!it->ok) { /* the engine counted the future ones */
                invalid->outcomes[RW_OUT_INVALID]++;
                invalid->invalid[it->reject->err.code]++;
            }
            if (o->rejects) write_reject(o->rejects, it);
            continue;
        }
        rw_leadlog_replay(&c->out[it->shard], i, eo->sink, eo->sink_ud);
    }
}

/* Open leads of the state compared with the statutes in force today, when its mark says
 * so (rw_engine_compare_due): their new revisions go out before any event's. */
static int compare_statutes(const rw_engine_opts_t *eo, char *err, size_t errlen)
{
    rw_engine_t *e = rw_engine_new(eo);
    int64_t today = rw_local_day(rw_now(), eo->rules->catalog.tz_offset_min);
    size_t n = rw_engine_compare_due(e, today) ? rw_engine_refresh_changed(e) : 0;
    rw_engine_compare_mark(e, rw_engine_batch(e), today);
    int rc = rw_engine_commit(e, err, errlen);
    rw_engine_free(e);
    if (n)
        rw_info("replay", "法规有新版本或废止生效：%zu 条未办结线索已标注 changed 并重新发布", n);
    return rc;
}

int rw_replay_run(const rw_engine_opts_t *eo, const rw_replay_opts_t *o, rw_replay_result_t *res,
                  char *err, size_t errlen)
{
    memset(res, 0, sizeof *res);
    unsigned shards = o->shards ? o->shards : rw_shards_default();
    if (shards > RW_SHARDS_MAX) shards = RW_SHARDS_MAX;
    off_t size;
    FILE *in = open_input(o->path, err, errlen, &size);
    if (!in) return -1;
    json_object_seed(0); /* before other threads create JSON objects */
    if (eo->store && compare_statutes(eo, err, errlen)) {
        if (in != stdin) fclose(in);
        return -1;
    }
    pipe_t p = {.in = in, .o = o, .eo = eo, .shards = shards};
    pthread_mutex_init(&p.lock, NULL);
    pthread_cond_init(&p.changed, NULL);
    shard_t sh[RW_SHARDS_MAX];
    pthread_t th[RW_SHARDS_MAX + 1];
    size_t cache = eo->cache_bytes ? eo->cache_bytes : RW_ENGINE_CACHE_DEFAULT;
    for (unsigned s = 0; s < shards; s++) {
        rw_engine_opts_t so = *eo;
        so.sink = shard_sink;
        so.sink_ud = &sh[s];
        so.cache_bytes = cache / shards; /* the budget is the run's, not each shard's */
        sh[s] = (shard_t){.p = &p,
                          .index = s,
                          .engine = rw_engine_new(&so),
                          .batch = o->batch ? o->batch : 200000};
    }
    double start = rw_mono();
    unsigned started = 0;
    int rc = 0;
    if (pthread_create(&th[0], NULL, read_loop, &p)) {
        snprintf(err, errlen, "无法启动读取线程");
        rc = -1;
    }
    for (; !rc && started < shards; started++)
        if (pthread_create(&th[started + 1], NULL, shard_loop, &sh[started])) {
            fail(&p, "无法启动引擎线程");
            break;
        }
    int progress = o->progress && isatty(fileno(stderr)) && size > 0;
    double drawn = 0;
    rw_engine_stats_t invalid = {0};
    while (!rc) {
        pthread_mutex_lock(&p.lock);
        while (!p.stop && (p.head == p.tail ? !p.done : p.q[p.head % QUEUE]->done < shards))
            pthread_cond_wait(&p.changed, &p.lock);
        chunk_t *c = !p.stop && p.head < p.tail ? p.q[p.head % QUEUE] : NULL;
        pthread_mutex_unlock(&p.lock);
        if (!c) break;
        write_chunk(eo, o, c, &invalid);
        if (progress && rw_mono() - drawn > 0.2) {
            drawn = rw_mono();
            draw_progress(c->bytes, size, start);
        }
        pthread_mutex_lock(&p.lock);
        p.head++;
        c->next = p.spent;
        p.spent = c;
        pthread_cond_broadcast(&p.changed);
        pthread_mutex_unlock(&p.lock);
    }
    if (!rc) pthread_join(th[0], NULL);
    for (unsigned s = 0; s < started; s++)
        pthread_join(th[s + 1], NULL);
    if (!rc && p.stop) {
        snprintf(err, errlen, "%s", p.err);
        rc = -1;
    }
    if (!rc && p.failed) {
        snprintf(err, errlen, "读取事件文件失败: %s", strerror(errno));
        rc = -1;
    }
    if (progress && !rc) {
        draw_progress((uint64_t)size, size, start);
        fputc('\n', stderr);
    }
    res->stats = invalid;
    for (unsigned s = 0; s < shards; s++) {
        if (sh[s].engine) retire(&sh[s]); /* never started */
        rw_engine_stats_add(&res->stats, &sh[s].stats);
    }
    for (uint64_t k = p.head; k < p.tail; k++)
        chunks_free(p.q[k % QUEUE]);
    chunks_free(p.spent);
    res->lines = p.lines;
    res->bytes = p.bytes;
    res->seconds = rw_mono() - start;
    pthread_mutex_destroy(&p.lock);
    pthread_cond_destroy(&p.changed);
    if (in != stdin) fclose(in);
    return rc;
}

int rw_replay_parse_only(const char *path, rw_replay_result_t *res, char *err, size_t errlen)
{
    memset(res, 0, sizeof *res);
    off_t size;
    FILE *in = open_input(path, err, errlen, &size);
    if (!in) return -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    /* parsed as replay's reader does, into an arena dropped every chunk: the baseline is
     * the binary's fastest way to parse, not a slower one */
    rw_jarena_t *arena = rw_jarena_new(), *prev = rw_jarena_enter(arena);
    double start = rw_mono();
    while ((n = getline(&line, &cap, in)) >= 0) {
        res->lines++;
        res->bytes += (uint64_t)n;
        if (!json_loadb(line, (size_t)n, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, NULL))
            res->stats.outcomes[RW_OUT_INVALID]++;
        if (res->lines % CHUNK == 0) rw_jarena_reset(arena);
    }
    res->seconds = rw_mono() - start;
    rw_jarena_enter(prev);
    rw_jarena_free(arena);
    free(line);
    if (in != stdin) fclose(in);
    return 0;
}
