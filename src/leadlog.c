/* leadlog.c — lead revisions kept with their input position (see leadlog.h). */
#include "leadlog.h"

#include <string.h>

struct rw_leadlog_entry {
    uint64_t item;
    int shadow;
    int64_t revision, hits;
    size_t id_off, text_off, len; /* strings in buf: offsets survive its growth */
};

void rw_leadlog_init(rw_leadlog_t *l)
{
    memset(l, 0, sizeof *l);
    rw_buf_init(&l->buf);
}

void rw_leadlog_free(rw_leadlog_t *l)
{
    free(l->v);
    rw_buf_free(&l->buf);
}

void rw_leadlog_clear(rw_leadlog_t *l)
{
    l->n = l->next = 0;
    rw_buf_reset(&l->buf);
}

void rw_leadlog_add(rw_leadlog_t *l, uint64_t item, const rw_lead_out_t *lead)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = rw_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    struct rw_leadlog_entry *m = &l->v[l->n++];
    *m = (struct rw_leadlog_entry){.item = item,
                                   .shadow = lead->shadow,
                                   .revision = lead->revision,
                                   .hits = lead->hits,
                                   .id_off = l->buf.len,
                                   .len = lead->len};
    rw_buf_append(&l->buf, lead->id, strlen(lead->id) + 1);
    m->text_off = l->buf.len;
    rw_buf_append(&l->buf, lead->text, lead->len);
}

void rw_leadlog_replay(rw_leadlog_t *l, uint64_t item, rw_lead_sink_fn sink, void *ud)
{
    for (; l->next < l->n && l->v[l->next].item == item; l->next++) {
        const struct rw_leadlog_entry *m = &l->v[l->next];
        rw_lead_out_t out = {.id = l->buf.data + m->id_off,
                             .revision = m->revision,
                             .hits = m->hits,
                             .shadow = m->shadow,
                             .text = l->buf.data + m->text_off,
                             .len = m->len};
        if (sink) sink(ud, &out);
    }
}
