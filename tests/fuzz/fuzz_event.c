/* fuzz_event.c — libFuzzer target for rw_event_parse: any bytes, with and without a
 * message key, must give either a valid event or a rejection whose record is valid
 * JSON; never a crash, a leak or an inconsistent answer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "util.h"

/* Invariants of a rejection: a code, a reason, and a record that serialises (jansson
 * refuses strings that are not UTF-8, so a cut reason or path would show up here). */
static void check_rejection(const char *buf, size_t len, const rw_event_error_t *err)
{
    if (err->code == RW_EV_OK || err->code >= RW_EV__COUNT || err->reason[0] == '\0') abort();
    if (!rw_utf8_valid(err->reason, strlen(err->reason))) abort();
    if (!rw_utf8_valid(err->field, strlen(err->field))) abort();
    json_t *rec = rw_event_reject_json(buf, len, err);
    char *text = json_dumps(rec, JSON_COMPACT);
    if (!text || !json_is_string(json_object_get(rec, "reason"))) abort();
    free(text);
    json_decref(rec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    rw_event_t ev;
    rw_event_error_t err;
    /* A small limit so that the size check is reached too. */
    size_t max_size = 4096;
    if (rw_event_parse(buf, size, NULL, 0, max_size, &ev, &err) != 0) {
        check_rejection(buf, size, &err);
        /* A key changes nothing about an event that is already invalid. */
        rw_event_status_t code = err.code;
        if (rw_event_parse(buf, size, "k", 1, max_size, &ev, &err) == 0 || err.code != code)
            abort();
        return 0;
    }
    if (!ev.id || !ev.type || !ev.entity || !ev.time_text) abort();
    rw_event_error_t ferr;
    if (rw_event_check_future(&ev, ev.time - 2 * 86400.0, &ferr) == 0) abort();
    check_rejection(buf, size, &ferr);
    /* The entity as key is accepted; one byte more is not. */
    char key[65];
    memcpy(key, ev.entity, ev.entity_len);
    key[ev.entity_len] = 'x';
    rw_event_t ev2;
    if (rw_event_parse(buf, size, key, ev.entity_len, max_size, &ev2, &err) != 0) abort();
    rw_event_free(&ev2);
    if (rw_event_parse(buf, size, key, ev.entity_len + 1, max_size, &ev2, &err) == 0 ||
        err.code != RW_EV_KEY_MISMATCH)
        abort();
    check_rejection(buf, size, &err);
    rw_event_free(&ev);
    return 0;
}
