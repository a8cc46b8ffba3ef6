/* test_outbox.c — what a restarted service finds in its outbox: every record written and
 * not confirmed, in order and byte for byte; nothing of a batch that was never written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "outbox.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    rw_buf_t text; /* "seq topic key value;" per record */
    size_t n;
} seen_t;

static void collect(void *ud, const rw_outbox_msg_t *m)
{
    seen_t *s = ud;
    rw_buf_printf(&s->text, "%llu %s %.*s %.*s;", (unsigned long long)m->seq, m->topic,
                  (int)m->klen, m->key, (int)m->vlen, m->val);
    s->n++;
}

/* What a service starting on the store would send, as text. */
static char *restart_sends(rw_store_t *st, uint64_t *next_seq)
{
    rw_outbox_t *o = rw_outbox_open(st);
    seen_t s = {.n = 0};
    rw_buf_init(&s.text);
    rw_outbox_scan(o, collect, &s);
    if (next_seq) {
        rw_batch_t *b = rw_batch_new(st);
        *next_seq = rw_outbox_add(o, b, "t", "", 0, "", 0);
        rw_batch_free(b);
    }
    rw_outbox_free(o);
    return rw_buf_steal(&s.text);
}

static rw_store_t *fresh_store(void)
{
    rw_store_t *st;
    char err[256];
    assert_int_equal(rw_store_open(&st, NULL, err, sizeof err), 0);
    return st;
}

static void store_write(rw_store_t *st, rw_batch_t *b)
{
    char err[256];
    assert_int_equal(rw_store_write(st, b, err, sizeof err), 0);
}

static void records_come_back_until_each_is_confirmed(void **state)
{
    (void)state;
    rw_store_t *st = fresh_store();
    rw_outbox_t *o = rw_outbox_open(st);
    rw_batch_t *b = rw_batch_new(st);
    assert_int_equal(rw_outbox_add(o, b, "leads", "L1", 2, "{\"r\":1}", 7), 0);
    assert_int_equal(rw_outbox_add(o, b, "dlq", "", 0, "bad", 3), 1);
    assert_int_equal(rw_outbox_add(o, b, "leads", "L1", 2, "{\"r\":2}", 7), 2);
    store_write(st, b);
    seen_t sent = {.n = 0};
    rw_buf_init(&sent.text);
    rw_outbox_drain(o, collect, &sent);
    assert_string_equal(sent.text.data, "0 leads L1 {\"r\":1};1 dlq  bad;2 leads L1 {\"r\":2};");
    rw_buf_free(&sent.text);

    /* two of three confirmed: a restart sends the other, same bytes, and numbers on after
     * the highest record still stored */
    rw_outbox_confirm(o, b, 0);
    rw_outbox_confirm(o, b, 2);
    store_write(st, b);
    uint64_t next;
    char *again = restart_sends(st, &next);
    assert_string_equal(again, "1 dlq  bad;");
    assert_int_equal(next, 2);
    free(again);

    /* all confirmed: nothing to send */
    rw_outbox_confirm(o, b, 1);
    store_write(st, b);
    char *none = restart_sends(st, NULL);
    assert_string_equal(none, "");
    free(none);
    rw_batch_free(b);
    rw_outbox_free(o);
    rw_store_close(st);
}

static void records_of_a_batch_never_written_are_not_sent(void **state)
{
    (void)state;
    rw_store_t *st = fresh_store();
    rw_outbox_t *o = rw_outbox_open(st);
    rw_batch_t *b = rw_batch_new(st);
    rw_outbox_add(o, b, "leads", "A", 1, "a", 1);
    rw_outbox_drain(o, NULL, NULL); /* the write failed: forgotten, not sent */
    rw_batch_free(b);
    rw_outbox_free(o);
    char *sends = restart_sends(st, NULL);
    assert_string_equal(sends, "");
    free(sends);
    rw_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(records_come_back_until_each_is_confirmed),
        cmocka_unit_test(records_of_a_batch_never_written_are_not_sent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
