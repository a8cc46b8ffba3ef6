/* service.h — `regwatch run`: the streaming service. A consumer group reads the
 * events topic; per poll batch the engine's state changes, the outgoing leads and
 * dead-letter records (an outbox) and the consumed offsets go into RocksDB in one
 * atomic write; then the outbox is produced through an idempotent producer and the
 * offsets are committed to Kafka. On start and on assignment the consumer seeks to
 * the offsets stored with the state, so a crash at any moment loses no event's
 * effect and applies none twice; outbox records whose delivery was not confirmed
 * are sent again (same key and content) at the next start, and by the running service
 * after a failed delivery. SIGINT/SIGTERM finish the batch and shut
 * down; SIGHUP reloads rules, models and statutes between batches. */
#ifndef RW_SERVICE_H
#define RW_SERVICE_H

#include "config.h"

#include <librdkafka/rdkafka.h>

/* Runs until a stop signal. Returns a process exit status. */
int rw_service_run(const rw_config_t *cfg);

/* Looks up the topic's partitions and leaders with client rk, so that its first
 * message goes out at once instead of after a metadata round trip (hundreds of ms for
 * the first leads after a start). Returns 0, or -1 when no answer came in timeout_ms. */
int rw_kafka_warm(rd_kafka_t *rk, const char *topic, int timeout_ms);

#endif
