/* log.c — JSON-lines logger; a mutex keeps lines from interleaving across threads. */
#include "log.h"

#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static rw_log_level_t g_level = RW_LOG_INFO;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *const g_names[] = {"debug", "info", "warn", "error"};

void rw_log_set_level(rw_log_level_t lvl)
{
    g_level = lvl;
}

int rw_log_level_parse(const char *name, rw_log_level_t *out)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(name, g_names[i]) == 0) {
            *out = (rw_log_level_t)i;
            return 0;
        }
    return -1;
}

void rw_log(rw_log_level_t lvl, const char *module, const char *fmt, ...)
{
    if (lvl < g_level) return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);

    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char ts[96];
    snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000));
    json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "ts", ts, "level", g_names[lvl], "module", module,
                          "msg", msg);
    char *line = o ? json_dumps(o, JSON_COMPACT) : NULL;
    pthread_mutex_lock(&g_lock);
    fprintf(stderr, "%s\n", line ? line : msg);
    fflush(stderr);
    pthread_mutex_unlock(&g_lock);
    free(line);
    json_decref(o);
}

void rw_log_kafka(const struct rd_kafka_s *rk, int level, const char *facility, const char *text)
{
    (void)rk;
    rw_log_level_t lvl = level <= 3   ? RW_LOG_ERROR
                         : level == 4 ? RW_LOG_WARN
                         : level <= 6 ? RW_LOG_INFO
                                      : RW_LOG_DEBUG;
    rw_log(lvl, "kafka", "%s: %s", facility, text);
}
