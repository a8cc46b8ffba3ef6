/* config.h — the service configuration: a JSON file (read with jansson) with
 * environment overrides. Every `kafka.*` property passes through to librdkafka
 * unchanged, so SASL/TLS to a real cluster needs no code. With no
 * bootstrap.servers the service starts the embedded broker. */
#ifndef RW_CONFIG_H
#define RW_CONFIG_H

#include <jansson.h>
#include <stddef.h>

typedef struct {
    json_t *kafka; /* librdkafka properties (strings) */
    char *topic_events, *topic_leads, *topic_dlq;
    char *group_id;
    char *state_dir;
    char *http_listen;        /* host:port; "" disables HTTP */
    char *tls_cert, *tls_key; /* PEM files: HTTPS when both are set, else NULL */
    char *static_dir;         /* the web console's files; default: web/ beside rules_dir */
    char *rules_dir, *models_dir;
    char *rebalance; /* cooperative | eager */
    int partitions;  /* embedded broker: partitions per topic */
    int threads;     /* engines side by side (shards.h); 0 = one per processor */
    int broker_port; /* embedded broker: fixed bootstrap port, 0 = any */
    int batch_max_events;
    int batch_max_ms;
    size_t max_event_size;
    char *log_level;
} rw_config_t;

/* Defaults, then the file (may be NULL), then REGWATCH_* environment variables:
 * REGWATCH_BOOTSTRAP_SERVERS, REGWATCH_GROUP_ID, REGWATCH_STATE_DIR,
 * REGWATCH_HTTP_LISTEN, REGWATCH_TOPIC_EVENTS|LEADS|DLQ, REGWATCH_PARTITIONS, REGWATCH_THREADS,
 * REGWATCH_RULES, REGWATCH_MODELS, REGWATCH_WEB, REGWATCH_LOG_LEVEL, and
 * REGWATCH_KAFKA_<NAME> for any librdkafka property (SASL_USERNAME → sasl.username).
 * Returns 0, or -1 with a message in err (unknown keys, wrong types); either way c is
 * the caller's to free. */
int rw_config_load(rw_config_t *c, const char *path, char *err, size_t errlen);
void rw_config_free(rw_config_t *c);
/* bootstrap.servers, or NULL when the embedded broker is to be used. */
const char *rw_config_bootstrap(const rw_config_t *c);

#endif
