/* fuzz_evpack.c — libFuzzer target for decoding packed events (what an event archive
 * holds): any bytes decode value after value until one is refused, never a crash or a
 * leak; every value decoded packs again to bytes that decode to an equal value, and
 * checking it as an event either accepts or rejects it with a reason. */
#include <stdint.h>
#include <stdlib.h>

#include "event.h"
#include "evpack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    msgpack_zone zone;
    msgpack_zone_init(&zone, 1024);
    size_t off = 0, before = 0;
    json_t *v;
    while (off < size && (v = rw_evpack_get(buf, size, &off, &zone))) {
        if (off <= before || off > size) abort(); /* always forward, never past the end */
        before = off;
        rw_buf_t b;
        rw_buf_init(&b);
        rw_evpack_put(&b, v);
        size_t o2 = 0;
        json_t *again = rw_evpack_get(b.data, b.len, &o2, &zone);
        if (!again || o2 != b.len || !json_equal(v, again)) abort();
        json_decref(again);
        rw_buf_free(&b);
        rw_event_t ev;
        rw_event_error_t err;
        if (rw_event_from_json(v, &ev, &err) == 0) {
            if (!ev.id || !ev.type || !ev.entity) abort();
            rw_event_free(&ev);
        } else if (err.code == RW_EV_OK || err.reason[0] == '\0')
            abort();
    }
    msgpack_zone_destroy(&zone);
    return 0;
}
