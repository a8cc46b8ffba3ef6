/* service.h — `regwatch run`: the streaming service. A consumer group reads the
 * events topic; per poll batch the engine's state changes, the outgoing leads and
 * dead-letter records (an outbox) and the consumed offsets go into RocksDB in one
 * atomic write; then the outbox is produced through an idempotent producer and the
 * offsets are committed to Kafka. On start and on assignment the consumer seeks to
 * the offsets stored with the state, so a crash at any moment loses no event's
 * effect and applies none twice; outbox records whose delivery was not confirmed
 * are sent again (same key and content). SIGINT/SIGTERM finish the batch and shut
 * down; SIGHUP reloads rules, models and statutes between batches. */
#ifndef RW_SERVICE_H
#define RW_SERVICE_H

#include "config.h"

/* Runs until a stop signal. Returns a process exit status. */
int rw_service_run(const rw_config_t *cfg);

#endif
