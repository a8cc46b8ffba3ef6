/* broker.c — librdkafka mock cluster plus a bootstrap-port forwarder thread. */
#include "broker.h"

#include "log.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct rw_broker {
    rd_kafka_t *rk; /* owns the mock cluster */
    rd_kafka_mock_cluster_t *mc;
    char address[256];
    char target[256]; /* the mock's bootstraps */
    int listen_fd;
    int stop_pipe[2];
    pthread_t thread;
    int has_thread;
};

static int connect_to(const char *hostport)
{
    char host[200];
    const char *colon = strrchr(hostport, ':');
    if (!colon || (size_t)(colon - hostport) >= sizeof host) return -1;
    memcpy(host, hostport, (size_t)(colon - hostport));
    host[colon - hostport] = 0;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(colon + 1))};
    if (inet_pton(AF_INET, strcmp(host, "localhost") == 0 ? "127.0.0.1" : host, &sa.sin_addr) != 1)
        return -1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa)) {
        close(fd);
        return -1;
    }
    return fd;
}

/* One forwarded connection: bytes both ways until either side closes. */
typedef struct {
    int a, b;
} pipe_pair_t;

static void *pump(void *arg)
{
    pipe_pair_t *p = arg;
    struct pollfd fds[2] = {{.fd = p->a, .events = POLLIN}, {.fd = p->b, .events = POLLIN}};
    char buf[65536];
    for (;;) {
        if (poll(fds, 2, -1) < 0 && errno != EINTR) break;
        int done = 0;
        for (int i = 0; i < 2 && !done; i++) {
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n <= 0) {
                done = 1;
                break;
            }
            for (ssize_t off = 0; off < n;) {
                ssize_t w = write(fds[1 - i].fd, buf + off, (size_t)(n - off));
                if (w <= 0) {
                    done = 1;
                    break;
                }
                off += w;
            }
        }
        if (done) break;
    }
    close(p->a);
    close(p->b);
    free(p);
    return NULL;
}

static void *accept_loop(void *arg)
{
    rw_broker_t *b = arg;
    struct pollfd fds[2] = {{.fd = b->listen_fd, .events = POLLIN},
                            {.fd = b->stop_pipe[0], .events = POLLIN}};
    for (;;) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (fds[1].revents) break;
        int c = accept(b->listen_fd, NULL, NULL);
        if (c < 0) continue;
        int t = connect_to(b->target);
        if (t < 0) {
            close(c);
            continue;
        }
        pipe_pair_t *p = rw_xmalloc(sizeof *p);
        p->a = c;
        p->b = t;
        pthread_t th;
        if (pthread_create(&th, NULL, pump, p) == 0)
            pthread_detach(th);
        else {
            close(c);
            close(t);
            free(p);
        }
    }
    return NULL;
}

static int listen_on(int port, char *err, size_t errlen)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) || listen(fd, 64)) {
        snprintf(err, errlen, "无法监听 127.0.0.1:%d: %s", port, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

rw_broker_t *rw_broker_start(const char *const *topics, int partitions, int port, char *err,
                             size_t errlen)
{
    rw_broker_t *b = rw_xcalloc(1, sizeof *b);
    b->listen_fd = -1;
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
    rd_kafka_conf_set_log_cb(conf, rw_log_kafka);
    b->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!b->rk) {
        snprintf(err, errlen, "无法创建内嵌 Kafka: %s", errstr);
        free(b);
        return NULL;
    }
    b->mc = rd_kafka_mock_cluster_new(b->rk, 1);
    if (!b->mc) {
        snprintf(err, errlen, "无法启动内嵌 Kafka 模拟集群");
        rd_kafka_destroy(b->rk);
        free(b);
        return NULL;
    }
    for (const char *const *t = topics; *t; t++) {
        rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(b->mc, *t, partitions, 1);
        if (e) {
            snprintf(err, errlen, "无法创建主题 %s: %s", *t, rd_kafka_err2str(e));
            rw_broker_stop(b);
            return NULL;
        }
    }
    snprintf(b->target, sizeof b->target, "%s", rd_kafka_mock_cluster_bootstraps(b->mc));
    snprintf(b->address, sizeof b->address, "%s", b->target);
    if (port > 0) {
        b->listen_fd = listen_on(port, err, errlen);
        if (b->listen_fd < 0 || pipe(b->stop_pipe)) {
            rw_broker_stop(b);
            return NULL;
        }
        if (pthread_create(&b->thread, NULL, accept_loop, b) == 0) b->has_thread = 1;
        snprintf(b->address, sizeof b->address, "127.0.0.1:%d", port);
    }
    rw_info("broker",
            "内嵌 Kafka 已启动：%s（%d 个分区/主题；仅在进程存活期间保留消息，每分区约最新 5 MiB）",
            b->address, partitions);
    return b;
}

const char *rw_broker_address(const rw_broker_t *b)
{
    return b->address;
}

void rw_broker_stop(rw_broker_t *b)
{
    if (!b) return;
    if (b->has_thread) {
        if (write(b->stop_pipe[1], "x", 1) < 0) rw_warn("broker", "无法通知转发线程退出");
        pthread_join(b->thread, NULL);
    }
    if (b->listen_fd >= 0) {
        close(b->listen_fd);
        close(b->stop_pipe[0]);
        close(b->stop_pipe[1]);
    }
    if (b->mc) rd_kafka_mock_cluster_destroy(b->mc);
    rd_kafka_destroy(b->rk);
    free(b);
}
