/* log.h — the one logging module: structured logs, one JSON object per line on
 * stderr, with levels. Library code logs here and never exits. */
#ifndef RW_LOG_H
#define RW_LOG_H

typedef enum { RW_LOG_DEBUG, RW_LOG_INFO, RW_LOG_WARN, RW_LOG_ERROR } rw_log_level_t;

void rw_log_set_level(rw_log_level_t lvl);
/* Parses "debug|info|warn|error"; returns -1 on an unknown name. */
int rw_log_level_parse(const char *name, rw_log_level_t *out);
/* msg is printf-style; the line is {"ts":…,"level":…,"module":…,"msg":…}. */
void rw_log(rw_log_level_t lvl, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* librdkafka's log callback (rd_kafka_conf_set_log_cb): its lines, which it would
 * print raw on stderr, become log lines of module "kafka" (syslog levels mapped). */
struct rd_kafka_s;
void rw_log_kafka(const struct rd_kafka_s *rk, int level, const char *facility, const char *text);

#define rw_debug(mod, ...) rw_log(RW_LOG_DEBUG, mod, __VA_ARGS__)
#define rw_info(mod, ...) rw_log(RW_LOG_INFO, mod, __VA_ARGS__)
#define rw_warn(mod, ...) rw_log(RW_LOG_WARN, mod, __VA_ARGS__)
#define rw_error(mod, ...) rw_log(RW_LOG_ERROR, mod, __VA_ARGS__)

#endif
