/* latency.c — rw-latency: performance.md's latency figure. Produces events onto the
 * events topic at a fixed rate while consuming the leads topic, and reports the time
 * from each event's produce call to the arrival of the lead it created (revision 1,
 * whose trigger_event is that event) at a consumer of the leads topic. */
#define _GNU_SOURCE /* memmem */
#include "util.h"
#include "rwtime.h"
#include "service.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    char *key, *value; /* value: the event JSON */
    size_t key_len, value_len;
    char *id;    /* the event id */
    double sent; /* monotonic seconds of the produce call; 0 = not yet */
} event_t;

typedef struct {
    event_t *v;
    size_t n;
    size_t *slots; /* open addressing by id hash: index + 1, 0 = empty */
    size_t n_slots;
} events_t;

static void usage(FILE *f)
{
    fprintf(f, "usage: rw-latency --brokers HOST:PORT --events FILE [options]\n"
               "Produces FILE (`key|json` lines, rw-gen-events --format kcat) at a fixed rate\n"
               "and prints produce-to-lead latency percentiles of the leads that arrive.\n\n"
               "  --rate N        events per second (default 20000)\n"
               "  --topic T       events topic (default regwatch.events)\n"
               "  --leads T       leads topic (default regwatch.leads)\n"
               "  --settle S      stop S seconds after the last lead once all is sent "
               "(default 3)\n"
               "  --out FILE      one line per timed lead: seconds since the first send, "
               "latency in ms\n"
               "  --linger-ms N   the producer's linger.ms (default 5, librdkafka's own default;\n"
               "                  0 sends each event in a request of its own)\n"
               "  --help          this text\n");
}

static int load(const char *path, events_t *ev)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "rw-latency: %s: %s\n", path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0, n_cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        if (line[n - 1] == '\n') line[--n] = '\0';
        char *bar = memchr(line, '|', (size_t)n);
        if (!bar) continue;
        json_t *j = json_loadb(bar + 1, (size_t)(line + n - bar - 1), 0, NULL);
        const char *id = json_string_value(json_object_get(j, "id"));
        if (id) {
            if (ev->n == n_cap) {
                n_cap = n_cap ? n_cap * 2 : 1024;
                ev->v = rw_xrealloc(ev->v, n_cap * sizeof *ev->v);
            }
            ev->v[ev->n++] = (event_t){.key = rw_xstrndup(line, (size_t)(bar - line)),
                                       .key_len = (size_t)(bar - line),
                                       .value = rw_xstrndup(bar + 1, (size_t)(line + n - bar - 1)),
                                       .value_len = (size_t)(line + n - bar - 1),
                                       .id = rw_xstrdup(id)};
        }
        json_decref(j);
    }
    free(line);
    fclose(f);
    ev->n_slots = 16;
    while (ev->n_slots < ev->n * 2)
        ev->n_slots *= 2;
    ev->slots = rw_xcalloc(ev->n_slots, sizeof *ev->slots);
    for (size_t i = 0; i < ev->n; i++) {
        size_t h = rw_hash64(ev->v[i].id, strlen(ev->v[i].id)) & (ev->n_slots - 1);
        while (ev->slots[h])
            h = (h + 1) & (ev->n_slots - 1);
        ev->slots[h] = i + 1; /* a duplicated id keeps its first sending */
    }
    return 0;
}

static event_t *find(const events_t *ev, const char *id)
{
    for (size_t h = rw_hash64(id, strlen(id)) & (ev->n_slots - 1); ev->slots[h];
         h = (h + 1) & (ev->n_slots - 1))
        if (strcmp(ev->v[ev->slots[h] - 1].id, id) == 0) return &ev->v[ev->slots[h] - 1];
    return NULL;
}

typedef struct {
    rd_kafka_t *producer;
    const char *topic;
    events_t *ev;
    double rate;
    pthread_mutex_t lock; /* `sent` is read by the consumer loop */
    atomic_int done;
    double started, finished;
} sender_t;

/* Sends at the rate on a 1 ms tick: each tick catches up with the schedule. */
static void *send_loop(void *arg)
{
    sender_t *s = arg;
    s->started = rw_mono();
    for (size_t i = 0; i < s->ev->n;) {
        double due = s->started + (double)i / s->rate, now = rw_mono();
        if (now < due) {
            struct timespec ts = {0, (long)((due - now) * 1e9)};
            nanosleep(&ts, NULL);
            continue;
        }
        event_t *e = &s->ev->v[i++];
        pthread_mutex_lock(&s->lock);
        e->sent = rw_mono();
        pthread_mutex_unlock(&s->lock);
        while (rd_kafka_producev(s->producer, RD_KAFKA_V_TOPIC(s->topic),
                                 RD_KAFKA_V_KEY(e->key, e->key_len),
                                 RD_KAFKA_V_VALUE(e->value, e->value_len),
                                 RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(s->producer, 1);
        rd_kafka_poll(s->producer, 0);
    }
    rd_kafka_flush(s->producer, 10000);
    s->finished = rw_mono();
    s->done = 1;
    return NULL;
}

/* Could be a lead's revision 1: compact JSON has `"revision":1` followed by , or }. */
static int first_revision(const void *p, size_t len)
{
    return memmem(p, len, "\"revision\":1,", 13) || memmem(p, len, "\"revision\":1}", 13);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(const double *v, size_t n, double p)
{
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return v[i < n ? i : n - 1];
}

int main(int argc, char **argv)
{
    const char *brokers = NULL, *file = NULL, *topic = "regwatch.events", *leads = "regwatch.leads",
               *out_path = NULL, *linger = "5";
    double rate = 20000, settle = 3;
    static const struct option opts[] = {
        {"brokers", required_argument, 0, 'b'}, {"events", required_argument, 0, 'e'},
        {"rate", required_argument, 0, 'r'},    {"topic", required_argument, 0, 't'},
        {"leads", required_argument, 0, 'l'},   {"settle", required_argument, 0, 's'},
        {"out", required_argument, 0, 'o'},     {"linger-ms", required_argument, 0, 'g'},
        {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'b':
            brokers = optarg;
            break;
        case 'e':
            file = optarg;
            break;
        case 'r':
            rate = atof(optarg);
            break;
        case 't':
            topic = optarg;
            break;
        case 'l':
            leads = optarg;
            break;
        case 's':
            settle = atof(optarg);
            break;
        case 'o':
            out_path = optarg;
            break;
        case 'g': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (end == optarg || *end || v < 0 || v > 900000) { /* librdkafka's range */
                fprintf(stderr,
                        "rw-latency: --linger-ms needs a whole number of ms from 0 "
                        "to 900000, not '%s'\n",
                        optarg);
                return 2;
            }
            linger = optarg;
            break;
        }
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (!brokers || !file || rate <= 0 || settle <= 0) {
        usage(stderr);
        return 2;
    }
    events_t ev = {0};
    if (load(file, &ev)) return 1;

    char err[512];
    rd_kafka_conf_t *cc = rd_kafka_conf_new();
    char group[64];
    snprintf(group, sizeof group, "rw-latency-%ld", (long)time(NULL));
    if (rd_kafka_conf_set(cc, "bootstrap.servers", brokers, err, sizeof err) ||
        rd_kafka_conf_set(cc, "group.id", group, err, sizeof err) ||
        rd_kafka_conf_set(cc, "auto.offset.reset", "earliest", err, sizeof err) ||
        /* the lead's arrival, not this consumer's idle wait (the mock broker answers an
         * empty fetch only when the wait is over) */
        rd_kafka_conf_set(cc, "fetch.wait.max.ms", "5", err, sizeof err)) {
        fprintf(stderr, "rw-latency: %s\n", err);
        return 1;
    }
    rd_kafka_t *consumer = rd_kafka_new(RD_KAFKA_CONSUMER, cc, err, sizeof err);
    if (!consumer) {
        fprintf(stderr, "rw-latency: %s\n", err);
        return 1;
    }
    rd_kafka_poll_set_consumer(consumer);
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(sub, leads, RD_KAFKA_PARTITION_UA);
    rd_kafka_subscribe(consumer, sub);
    rd_kafka_topic_partition_list_destroy(sub);
    /* leads produced before the assignment would still be read (earliest), but the
     * clock starts only once the consumer takes part */
    for (double until = rw_mono() + 30;;) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(consumer, 100);
        if (m) rd_kafka_message_destroy(m);
        rd_kafka_topic_partition_list_t *a = NULL;
        int assigned = !rd_kafka_assignment(consumer, &a) && a && a->cnt > 0;
        if (a) rd_kafka_topic_partition_list_destroy(a);
        if (assigned) break;
        if (rw_mono() > until) {
            fprintf(stderr, "rw-latency: no partitions of %s assigned within 30 s\n", leads);
            return 1;
        }
    }

    rd_kafka_conf_t *pc = rd_kafka_conf_new();
    if (rd_kafka_conf_set(pc, "bootstrap.servers", brokers, err, sizeof err) ||
        rd_kafka_conf_set(pc, "linger.ms", linger, err, sizeof err)) {
        fprintf(stderr, "rw-latency: %s\n", err);
        return 1;
    }
    sender_t s = {.topic = topic, .ev = &ev, .rate = rate};
    pthread_mutex_init(&s.lock, NULL);
    if (!(s.producer = rd_kafka_new(RD_KAFKA_PRODUCER, pc, err, sizeof err))) {
        fprintf(stderr, "rw-latency: %s\n", err);
        return 1;
    }
    if (rw_kafka_warm(s.producer, topic, 10000)) { /* the clock starts at the first send */
        fprintf(stderr, "rw-latency: no metadata for %s within 10 s\n", topic);
        return 1;
    }
    pthread_t th;
    pthread_create(&th, NULL, send_loop, &s);

    FILE *out = out_path ? fopen(out_path, "w") : NULL;
    if (out_path && !out) {
        fprintf(stderr, "rw-latency: %s: %s\n", out_path, strerror(errno));
        return 1;
    }
    double *lat = rw_xcalloc(ev.n + 1, sizeof *lat);
    size_t n_lat = 0, n_msgs = 0;
    double last = rw_mono();
    while (!s.done || rw_mono() - last < settle) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(consumer, 50);
        if (!m) continue;
        double now = rw_mono();
        if (!m->err) {
            n_msgs++;
            last = now;
            /* most lead messages are later revisions: parsing each of them took more CPU
             * than the service under test spent on the events */
            json_t *j =
                first_revision(m->payload, m->len) ? json_loadb(m->payload, m->len, 0, NULL) : NULL;
            const char *trig = json_string_value(json_object_get(j, "trigger_event"));
            event_t *e = trig && json_integer_value(json_object_get(j, "revision")) == 1
                             ? find(&ev, trig)
                             : NULL;
            pthread_mutex_lock(&s.lock);
            double sent = e ? e->sent : 0;
            pthread_mutex_unlock(&s.lock);
            if (sent > 0 && n_lat < ev.n) {
                lat[n_lat++] = now - sent;
                if (out) fprintf(out, "%.3f %.1f\n", sent - s.started, 1000 * (now - sent));
            }
            json_decref(j);
        }
        rd_kafka_message_destroy(m);
    }
    pthread_join(th, NULL);
    if (out) fclose(out);
    rd_kafka_consumer_close(consumer);
    rd_kafka_destroy(consumer);
    rd_kafka_destroy(s.producer);

    double span = s.finished - s.started;
    printf("sent %zu events in %.2f s (%.0f/s); %zu lead messages, %zu new leads timed\n", ev.n,
           span, span > 0 ? (double)ev.n / span : 0, n_msgs, n_lat);
    int rc = 0;
    if (n_lat) {
        qsort(lat, n_lat, sizeof *lat, cmp_double);
        printf("latency_ms p50=%.1f p90=%.1f p99=%.1f max=%.1f n=%zu\n",
               1000 * pct(lat, n_lat, 0.50), 1000 * pct(lat, n_lat, 0.90),
               1000 * pct(lat, n_lat, 0.99), 1000 * lat[n_lat - 1], n_lat);
    } else {
        fprintf(stderr, "rw-latency: no lead created by the events sent arrived\n");
        rc = 1;
    }
    for (size_t i = 0; i < ev.n; i++) {
        free(ev.v[i].key);
        free(ev.v[i].value);
        free(ev.v[i].id);
    }
    free(ev.v);
    free(ev.slots);
    free(lat);
    pthread_mutex_destroy(&s.lock);
    return rc;
}
