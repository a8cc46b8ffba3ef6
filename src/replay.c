/* replay.c — line-by-line replay with rejects, batched commits and a progress bar.
 * Two threads: a reader that reads and validates lines (JSON parsing is the larger
 * half of the work) and the caller's thread that runs the engine, joined by a small
 * bounded queue of chunks; events reach the engine in file order. */
#include "replay.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 512
#define QUEUE 8

typedef struct {
    uint64_t line;
    int ok;
    rw_event_t ev;
    rw_event_error_t err; /* when !ok */
    char *raw;            /* when !ok: the original bytes, for the rejects file */
    size_t raw_len;
} item_t;

typedef struct chunk {
    item_t items[CHUNK];
    size_t n;
    uint64_t bytes; /* read so far, for the progress bar */
    struct chunk *next;
} chunk_t;

/* Freeing parsed JSON is a fair share of the work: the reader does it, off the
 * engine's thread. */
static void free_chunks(chunk_t *c)
{
    while (c) {
        chunk_t *next = c->next;
        for (size_t i = 0; i < c->n; i++) {
            if (c->items[i].ok) rw_event_free(&c->items[i].ev);
            free(c->items[i].raw);
        }
        free(c);
        c = next;
    }
}

typedef struct {
    FILE *in;
    const rw_replay_opts_t *o;
    pthread_mutex_t lock;
    pthread_cond_t can_put, can_take;
    chunk_t *q[QUEUE];
    size_t head, count;
    chunk_t *spent; /* chunks the engine is done with: the reader frees their events */
    int done, failed, stop;
    uint64_t lines, bytes;
} reader_t;

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

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
            width - fill, "", frac * 100, mono() - started);
    fflush(stderr);
}

static void push(reader_t *r, chunk_t *c)
{
    pthread_mutex_lock(&r->lock);
    while (r->count == QUEUE && !r->stop)
        pthread_cond_wait(&r->can_put, &r->lock);
    chunk_t *spent = r->spent;
    r->spent = NULL;
    if (r->stop) {
        c->next = spent;
        spent = c;
    } else {
        r->q[(r->head + r->count++) % QUEUE] = c;
        pthread_cond_signal(&r->can_take);
    }
    pthread_mutex_unlock(&r->lock);
    free_chunks(spent);
}

static void give_back(reader_t *r, chunk_t *c)
{
    pthread_mutex_lock(&r->lock);
    c->next = r->spent;
    r->spent = c;
    pthread_mutex_unlock(&r->lock);
}

static void *read_loop(void *arg)
{
    reader_t *r = arg;
    const rw_replay_opts_t *o = r->o;
    size_t max = o->max_event_size ? o->max_event_size : RW_EVENT_MAX_SIZE_DEFAULT;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    chunk_t *c = calloc(1, sizeof *c);
    while (c && (n = getline(&line, &cap, r->in)) >= 0) {
        r->lines++;
        r->bytes += (uint64_t)n;
        if (n > 0 && line[n - 1] == '\n') n--;
        if (n > 0 && line[n - 1] == '\r') n--;
        if (n == 0) continue; /* blank lines separate nothing and are skipped */
        item_t *it = &c->items[c->n];
        it->line = r->lines;
        it->raw = NULL;
        it->ok = rw_event_parse(line, (size_t)n, NULL, 0, max, &it->ev, &it->err) == 0;
        if (it->ok && o->future_now > 0 &&
            rw_event_check_future(&it->ev, o->future_now, &it->err)) {
            rw_event_free(&it->ev);
            it->ok = 0;
        }
        if (!it->ok) {
            it->raw = malloc((size_t)n);
            if (it->raw) memcpy(it->raw, line, (size_t)n);
            it->raw_len = it->raw ? (size_t)n : 0;
        }
        if (++c->n == CHUNK) {
            c->bytes = r->bytes;
            push(r, c);
            c = calloc(1, sizeof *c);
        }
    }
    if (c) {
        c->bytes = r->bytes;
        push(r, c);
    }
    pthread_mutex_lock(&r->lock);
    r->failed = !c || ferror(r->in);
    r->done = 1;
    pthread_cond_signal(&r->can_take);
    pthread_mutex_unlock(&r->lock);
    free(line);
    return NULL;
}

static chunk_t *take(reader_t *r)
{
    pthread_mutex_lock(&r->lock);
    while (r->count == 0 && !r->done)
        pthread_cond_wait(&r->can_take, &r->lock);
    chunk_t *c = NULL;
    if (r->count) {
        c = r->q[r->head];
        r->head = (r->head + 1) % QUEUE;
        r->count--;
        pthread_cond_signal(&r->can_put);
    }
    pthread_mutex_unlock(&r->lock);
    return c;
}

static void write_reject(FILE *f, const item_t *it)
{
    json_t *rec = rw_event_reject_json(it->raw ? it->raw : "", it->raw_len, &it->err);
    json_object_set_new(rec, "line", json_integer((json_int_t)it->line));
    char *s = json_dumps(rec, JSON_COMPACT);
    fprintf(f, "%s\n", s);
    free(s);
    json_decref(rec);
}

int rw_replay_run(rw_engine_t *e, const rw_replay_opts_t *o, rw_replay_result_t *res, char *err,
                  size_t errlen)
{
    memset(res, 0, sizeof *res);
    off_t size;
    FILE *in = open_input(o->path, err, errlen, &size);
    if (!in) return -1;
    json_object_seed(0); /* before a second thread creates JSON objects */
    reader_t r = {.in = in, .o = o};
    pthread_mutex_init(&r.lock, NULL);
    pthread_cond_init(&r.can_put, NULL);
    pthread_cond_init(&r.can_take, NULL);
    pthread_t th;
    double start = mono();
    if (pthread_create(&th, NULL, read_loop, &r)) {
        snprintf(err, errlen, "无法启动读取线程");
        if (in != stdin) fclose(in);
        return -1;
    }
    int progress = o->progress && isatty(fileno(stderr)) && size > 0;
    size_t batch = o->batch ? o->batch : 50000, pending = 0;
    int rc = 0;
    chunk_t *c;
    while ((c = take(&r))) {
        for (size_t i = 0; i < c->n; i++) {
            item_t *it = &c->items[i];
            if (rc) continue;
            if (it->ok) {
                rw_engine_apply(e, &it->ev);
            } else {
                rw_engine_count_invalid(e, it->err.code);
                if (o->rejects) write_reject(o->rejects, it);
            }
            if (!rc && ++pending >= batch) {
                pending = 0;
                rc = rw_engine_commit(e, err, errlen);
                if (progress) draw_progress(c->bytes, size, start);
            }
        }
        give_back(&r, c);
        if (rc) { /* let the reader finish and drop what it reads */
            pthread_mutex_lock(&r.lock);
            r.stop = 1;
            pthread_cond_broadcast(&r.can_put);
            pthread_mutex_unlock(&r.lock);
        }
    }
    pthread_join(th, NULL);
    free_chunks(r.spent);
    if (!rc && r.failed) {
        snprintf(err, errlen, "读取事件文件失败: %s", strerror(errno));
        rc = -1;
    }
    if (!rc) rc = rw_engine_commit(e, err, errlen);
    if (progress) {
        draw_progress((uint64_t)size, size, start);
        fputc('\n', stderr);
    }
    res->lines = r.lines;
    res->bytes = r.bytes;
    res->seconds = mono() - start;
    pthread_mutex_destroy(&r.lock);
    pthread_cond_destroy(&r.can_put);
    pthread_cond_destroy(&r.can_take);
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
    double start = mono();
    while ((n = getline(&line, &cap, in)) >= 0) {
        res->lines++;
        res->bytes += (uint64_t)n;
        json_t *j =
            json_loadb(line, (size_t)n, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, NULL);
        json_decref(j);
    }
    res->seconds = mono() - start;
    free(line);
    if (in != stdin) fclose(in);
    return 0;
}
