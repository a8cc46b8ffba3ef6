/* event.h — the event message (events.md): parsing and validation with reasons.
 * An rw_event_t owns its parsed JSON; its string fields point into it and live
 * until rw_event_free. */
#ifndef RW_EVENT_H
#define RW_EVENT_H

#include <jansson.h>
#include <stddef.h>

#define RW_EVENT_MAX_SIZE_DEFAULT (1024 * 1024)

typedef enum {
    RW_EV_OK = 0,
    RW_EV_TOO_LARGE,     /* value over the size limit */
    RW_EV_NOT_UTF8,      /* bytes are not UTF-8 */
    RW_EV_NOT_JSON,      /* not parsable JSON */
    RW_EV_DUPLICATE_KEY, /* a duplicate key anywhere in the object */
    RW_EV_NOT_OBJECT,    /* JSON, but not an object */
    RW_EV_MISSING_FIELD, /* a required field is absent */
    RW_EV_BAD_FIELD,     /* a field of the wrong type or out of its limits */
    RW_EV_BAD_TIME,      /* time not RFC 3339 as events.md fixes it */
    RW_EV_KEY_MISMATCH,  /* message key differs from entity */
    RW_EV_FUTURE,        /* dated more than one day after the wall clock (live only) */
    RW_EV__COUNT
} rw_event_status_t;

typedef struct {
    rw_event_status_t code;
    char field[64];   /* the field at fault, "" when none (e.g. not JSON) */
    char reason[512]; /* in words, Chinese first */
} rw_event_error_t;

typedef struct {
    json_t *root; /* the whole parsed object (owned) */
    const char *id, *type, *entity;
    size_t id_len, type_len, entity_len;
    const char *region, *source; /* NULL when absent or null */
    const char *time_text;       /* as written */
    double time;                 /* seconds since the epoch */
    json_t *attrs;               /* borrowed from root; NULL when absent or null */
    json_t *profile;             /* borrowed from root; NULL when absent or null */
} rw_event_t;

/* Parses and validates one event value. key may be NULL (no message key). max_size
 * 0 means RW_EVENT_MAX_SIZE_DEFAULT. On success returns 0 and fills ev; on failure
 * returns -1, fills err (field is a path such as "attrs.items[2]"), and ev holds
 * nothing to free. Optional fields written as JSON null count as absent. */
int rw_event_parse(const char *buf, size_t len, const char *key, size_t key_len, size_t max_size,
                   rw_event_t *ev, rw_event_error_t *err);
void rw_event_free(rw_event_t *ev);

/* Validates a value already decoded (from an event archive) as rw_event_parse does
 * after parsing, with no key. Takes root's reference either way: on success ev->root
 * holds it. */
int rw_event_from_json(json_t *root, rw_event_t *ev, rw_event_error_t *err);

/* Whether s[0..n) is a region code as events.md has it: 2–12 ASCII digits. */
int rw_region_valid(const char *s, size_t n);

/* The live-service check: invalid (RW_EV_FUTURE) when ev->time > now + 1 day. */
int rw_event_check_future(const rw_event_t *ev, double now, rw_event_error_t *err);

/* Stable snake_case name of a status for metrics and records ("not_json", …). */
const char *rw_event_code_name(rw_event_status_t code);

/* The dead-letter / rejects record: {"reason","code","field","value_base64",…};
 * the caller adds where it came from (topic/partition/offset or line). Of a `too_large`
 * value only the first RW_REJECT_HEAD bytes are kept, with "value_truncated": true,
 * "value_bytes" and "value_sha256" of the whole. New reference. */
#define RW_REJECT_HEAD 65536
json_t *rw_event_reject_json(const char *buf, size_t len, const rw_event_error_t *err);

#endif
