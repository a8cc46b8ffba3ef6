/* broker.h — the embedded broker: librdkafka's in-process mock cluster on
 * loopback, with the configured topics created. Clients such as kcat reach it over
 * TCP like a real broker. It keeps messages only while the process lives, and only
 * about the newest 5 MiB per partition. A fixed bootstrap port is served by a small
 * TCP forwarder to the mock broker's own port (librdkafka 2.0 picks that port). */
#ifndef RW_BROKER_H
#define RW_BROKER_H

#include <stddef.h>

typedef struct rw_broker rw_broker_t;

/* Starts the cluster with the topics (NULL-terminated) of `partitions` each.
 * port 0: the mock's own address is the bootstrap address. Returns NULL with err. */
rw_broker_t *rw_broker_start(const char *const *topics, int partitions, int port, char *err,
                             size_t errlen);
/* "127.0.0.1:PORT" — what clients put in bootstrap.servers. */
const char *rw_broker_address(const rw_broker_t *b);
void rw_broker_stop(rw_broker_t *b);

#endif
