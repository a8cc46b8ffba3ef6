/* config.c — defaults, the JSON file and environment overrides. */
#include "config.h"

#include "shards.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static void set_str(char **dst, const char *v)
{
    free(*dst);
    *dst = rw_xstrdup(v);
}

static void defaults(rw_config_t *c)
{
    memset(c, 0, sizeof *c);
    c->kafka = json_object();
    set_str(&c->topic_events, "regwatch.events");
    set_str(&c->topic_leads, "regwatch.leads");
    set_str(&c->topic_dlq, "regwatch.dlq");
    set_str(&c->group_id, "regwatch");
    set_str(&c->state_dir, "state");
    set_str(&c->http_listen, "127.0.0.1:8080");
    set_str(&c->rules_dir, "rules");
    set_str(&c->models_dir, "models");
    set_str(&c->rebalance, "cooperative");
    set_str(&c->log_level, "info");
    c->partitions = 4;
    c->batch_max_events = 2000;
    c->batch_max_ms = 10;
    c->max_event_size = 1024 * 1024;
}

static int take_str(json_t *o, const char *key, char **dst, char *err, size_t errlen)
{
    json_t *v = json_object_get(o, key);
    if (!v) return 0;
    if (!json_is_string(v)) {
        snprintf(err, errlen, "配置项 %s 应该是字符串", key);
        return -1;
    }
    set_str(dst, json_string_value(v));
    return 0;
}

static int take_int(json_t *o, const char *key, int *dst, int min, int max, char *err,
                    size_t errlen)
{
    json_t *v = json_object_get(o, key);
    if (!v) return 0;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
        snprintf(err, errlen, "配置项 %s 应该是 %d 到 %d 之间的整数", key, min, max);
        return -1;
    }
    *dst = (int)json_integer_value(v);
    return 0;
}

static int check_keys(json_t *o, const char *where, const char *const *known, char *err,
                      size_t errlen)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        int ok = 0;
        for (const char *const *p = known; *p && !ok; p++)
            ok = strcmp(*p, k) == 0;
        if (!ok) {
            snprintf(err, errlen, "未知的配置项 %s%s", where, k);
            return -1;
        }
    }
    return 0;
}

static int from_file(rw_config_t *c, const char *path, char *err, size_t errlen)
{
    json_error_t je;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        snprintf(err, errlen, "%s:%d:%d: 配置文件不是有效的 JSON: %s", path, je.line, je.column,
                 je.text);
        return -1;
    }
    int rc = -1;
    static const char *const top[] = {"kafka",    "topics",    "group_id",       "state_dir",
                                      "http",     "rules_dir", "models_dir",     "rebalance",
                                      "embedded", "batch",     "max_event_size", "log_level",
                                      "threads",  NULL};
    static const char *const topics[] = {"events", "leads", "dlq", NULL};
    static const char *const http[] = {"listen", "static_dir", "tls_cert", "tls_key", NULL};
    static const char *const emb[] = {"partitions", "port", NULL};
    static const char *const batch[] = {"max_events", "max_ms", NULL};
    if (!json_is_object(root)) {
        snprintf(err, errlen, "%s: 配置文件应该是 JSON 对象", path);
        goto out;
    }
    if (check_keys(root, "", top, err, errlen)) goto out;
    json_t *kafka = json_object_get(root, "kafka");
    if (kafka) {
        const char *k;
        json_t *v;
        if (!json_is_object(kafka)) {
            snprintf(err, errlen, "配置项 kafka 应该是 librdkafka 属性的对象");
            goto out;
        }
        json_object_foreach(kafka, k, v)
        {
            if (json_is_string(v))
                json_object_set(c->kafka, k, v);
            else if (json_is_integer(v) || json_is_boolean(v)) {
                char buf[32];
                if (json_is_integer(v))
                    snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
                else
                    snprintf(buf, sizeof buf, "%s", json_is_true(v) ? "true" : "false");
                json_object_set_new(c->kafka, k, json_string(buf));
            } else {
                snprintf(err, errlen, "kafka.%s 应该是字符串、整数或布尔值", k);
                goto out;
            }
        }
    }
    json_t *t = json_object_get(root, "topics");
    if (t && (check_keys(t, "topics.", topics, err, errlen) ||
              take_str(t, "events", &c->topic_events, err, errlen) ||
              take_str(t, "leads", &c->topic_leads, err, errlen) ||
              take_str(t, "dlq", &c->topic_dlq, err, errlen)))
        goto out;
    json_t *h = json_object_get(root, "http");
    if (h && (check_keys(h, "http.", http, err, errlen) ||
              take_str(h, "listen", &c->http_listen, err, errlen) ||
              take_str(h, "tls_cert", &c->tls_cert, err, errlen) ||
              take_str(h, "tls_key", &c->tls_key, err, errlen) ||
              take_str(h, "static_dir", &c->static_dir, err, errlen)))
        goto out;
    json_t *e = json_object_get(root, "embedded");
    if (e && (check_keys(e, "embedded.", emb, err, errlen) ||
              take_int(e, "partitions", &c->partitions, 1, 1024, err, errlen) ||
              take_int(e, "port", &c->broker_port, 0, 65535, err, errlen)))
        goto out;
    json_t *b = json_object_get(root, "batch");
    if (b && (check_keys(b, "batch.", batch, err, errlen) ||
              take_int(b, "max_events", &c->batch_max_events, 1, 1000000, err, errlen) ||
              take_int(b, "max_ms", &c->batch_max_ms, 1, 60000, err, errlen)))
        goto out;
    int mes = (int)c->max_event_size;
    if (take_str(root, "group_id", &c->group_id, err, errlen) ||
        take_str(root, "state_dir", &c->state_dir, err, errlen) ||
        take_str(root, "rules_dir", &c->rules_dir, err, errlen) ||
        take_str(root, "models_dir", &c->models_dir, err, errlen) ||
        take_str(root, "rebalance", &c->rebalance, err, errlen) ||
        take_str(root, "log_level", &c->log_level, err, errlen) ||
        take_int(root, "max_event_size", &mes, 1, 64 << 20, err, errlen) ||
        take_int(root, "threads", &c->threads, 1, RW_SHARDS_MAX, err, errlen))
        goto out;
    c->max_event_size = (size_t)mes;
    rc = 0;
out:
    json_decref(root);
    return rc;
}

static void from_env(rw_config_t *c)
{
    static const struct {
        const char *env;
        size_t off;
    } strs[] = {
        {"REGWATCH_GROUP_ID", offsetof(rw_config_t, group_id)},
        {"REGWATCH_STATE_DIR", offsetof(rw_config_t, state_dir)},
        {"REGWATCH_HTTP_LISTEN", offsetof(rw_config_t, http_listen)},
        {"REGWATCH_TLS_CERT", offsetof(rw_config_t, tls_cert)},
        {"REGWATCH_TLS_KEY", offsetof(rw_config_t, tls_key)},
        {"REGWATCH_TOPIC_EVENTS", offsetof(rw_config_t, topic_events)},
        {"REGWATCH_TOPIC_LEADS", offsetof(rw_config_t, topic_leads)},
        {"REGWATCH_TOPIC_DLQ", offsetof(rw_config_t, topic_dlq)},
        {"REGWATCH_RULES", offsetof(rw_config_t, rules_dir)},
        {"REGWATCH_MODELS", offsetof(rw_config_t, models_dir)},
        {"REGWATCH_WEB", offsetof(rw_config_t, static_dir)},
        {"REGWATCH_LOG_LEVEL", offsetof(rw_config_t, log_level)},
        {"REGWATCH_REBALANCE", offsetof(rw_config_t, rebalance)},
    };
    for (size_t i = 0; i < sizeof strs / sizeof *strs; i++) {
        const char *v = getenv(strs[i].env);
        if (v) set_str((char **)((char *)c + strs[i].off), v);
    }
    const char *v = getenv("REGWATCH_BOOTSTRAP_SERVERS");
    if (v) json_object_set_new(c->kafka, "bootstrap.servers", json_string(v));
    if ((v = getenv("REGWATCH_PARTITIONS")) && atoi(v) > 0) c->partitions = atoi(v);
    for (char **e = environ; *e; e++) {
        if (strncmp(*e, "REGWATCH_KAFKA_", 15) != 0) continue;
        const char *eq = strchr(*e, '=');
        if (!eq) continue;
        char name[256];
        size_t n = (size_t)(eq - (*e + 15));
        if (n == 0 || n >= sizeof name) continue;
        for (size_t i = 0; i < n; i++) {
            char ch = (*e)[15 + i];
            name[i] = ch == '_' ? '.' : (char)tolower((unsigned char)ch);
        }
        name[n] = 0;
        json_object_set_new(c->kafka, name, json_string(eq + 1));
    }
}

/* The console ships beside the rules (rules/ and web/ in the repository and when installed). */
static void default_static_dir(rw_config_t *c)
{
    size_t n = strlen(c->rules_dir);
    while (n > 1 && c->rules_dir[n - 1] == '/')
        n--;
    size_t dn = n;
    while (dn > 0 && c->rules_dir[dn - 1] != '/')
        dn--;
    if (dn == 0) {
        set_str(&c->static_dir, "web");
        return;
    }
    dn--; /* the slash */
    char *d = rw_xmalloc(dn + 5);
    memcpy(d, c->rules_dir, dn);
    memcpy(d + dn, "/web", 5);
    c->static_dir = d;
}

int rw_config_load(rw_config_t *c, const char *path, char *err, size_t errlen)
{
    defaults(c);
    if (path && from_file(c, path, err, errlen)) return -1;
    from_env(c);
    const char *t = getenv("REGWATCH_THREADS");
    if (t) {
        char *end;
        long n = strtol(t, &end, 10);
        if (end == t || *end || n < 1 || n > RW_SHARDS_MAX) {
            snprintf(err, errlen, "REGWATCH_THREADS 应该是 1 到 %d 之间的整数（实际是“%s”）",
                     RW_SHARDS_MAX, t);
            return -1;
        }
        c->threads = (int)n;
    }
    if (!c->static_dir) default_static_dir(c);
    if (strcmp(c->rebalance, "cooperative") && strcmp(c->rebalance, "eager")) {
        snprintf(err, errlen, "rebalance 只能是 cooperative 或 eager");
        return -1;
    }
    return 0;
}

void rw_config_free(rw_config_t *c)
{
    json_decref(c->kafka);
    free(c->topic_events);
    free(c->topic_leads);
    free(c->topic_dlq);
    free(c->group_id);
    free(c->state_dir);
    free(c->http_listen);
    free(c->tls_cert);
    free(c->tls_key);
    free(c->static_dir);
    free(c->rules_dir);
    free(c->models_dir);
    free(c->rebalance);
    free(c->log_level);
    memset(c, 0, sizeof *c);
}

const char *rw_config_bootstrap(const rw_config_t *c)
{
    const char *b = json_string_value(json_object_get(c->kafka, "bootstrap.servers"));
    return b && *b ? b : NULL;
}
