/* replay.c — line-by-line replay with rejects, batched commits and a progress bar. */
#include "replay.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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
    static char buf[1 << 20];
    setvbuf(f, buf, _IOFBF, sizeof buf);
    return f;
}

static void draw_progress(uint64_t done, off_t total, double started)
{
    double frac = total > 0 ? (double)done / (double)total : 0;
    if (frac > 1) frac = 1;
    int width = 30, fill = (int)(frac * width);
    double el = mono() - started;
    fprintf(stderr, "\r[%.*s%*s] %5.1f%%  %.0f s", fill, "##############################", width - fill, "",
            frac * 100, el);
    fflush(stderr);
}

int rw_replay_run(rw_engine_t *e, const rw_replay_opts_t *o, rw_replay_result_t *res, char *err,
                  size_t errlen)
{
    memset(res, 0, sizeof *res);
    off_t size;
    FILE *in = open_input(o->path, err, errlen, &size);
    if (!in) return -1;
    int progress = o->progress && isatty(fileno(stderr)) && size > 0;
    size_t batch = o->batch ? o->batch : 50000;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    double start = mono();
    int rc = 0;
    size_t pending = 0;
    while ((n = getline(&line, &cap, in)) >= 0) {
        res->lines++;
        res->bytes += (uint64_t)n;
        if (n > 0 && line[n - 1] == '\n') n--;
        if (n > 0 && line[n - 1] == '\r') n--;
        if (n == 0) continue; /* blank lines separate nothing and are skipped */
        rw_event_error_t ev_err;
        if (rw_engine_process(e, line, (size_t)n, NULL, 0, &ev_err) == RW_OUT_INVALID && o->rejects) {
            json_t *rec = rw_event_reject_json(line, (size_t)n, &ev_err);
            json_object_set_new(rec, "line", json_integer((json_int_t)res->lines));
            char *s = json_dumps(rec, JSON_COMPACT);
            fprintf(o->rejects, "%s\n", s);
            free(s);
            json_decref(rec);
        }
        if (++pending >= batch) {
            pending = 0;
            if ((rc = rw_engine_commit(e, err, errlen))) break;
            if (progress) draw_progress(res->bytes, size, start);
        }
    }
    if (!rc && ferror(in)) {
        snprintf(err, errlen, "读取事件文件失败: %s", strerror(errno));
        rc = -1;
    }
    if (!rc) rc = rw_engine_commit(e, err, errlen);
    if (progress) {
        draw_progress((uint64_t)size, size, start);
        fputc('\n', stderr);
    }
    res->seconds = mono() - start;
    free(line);
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
        json_t *j = json_loadb(line, (size_t)n, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, NULL);
        json_decref(j);
    }
    res->seconds = mono() - start;
    free(line);
    if (in != stdin) fclose(in);
    return 0;
}
