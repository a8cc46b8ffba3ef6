/* Tests for audit.c: entries appended through store batches form a hash chain that
 * anyone can recompute (docs/api.md), and `verify` names the first entry that was
 * edited, removed or moved when the store is changed behind the log's back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "util.h"

#define N_ENTRIES 5

typedef struct {
    rw_store_t *store;
    rw_audit_t *audit;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = rw_xcalloc(1, sizeof *f);
    char err[256];
    assert_int_equal(rw_store_open(&f->store, NULL, err, sizeof err), 0);
    f->audit = rw_audit_open(f->store);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    rw_audit_free(f->audit);
    rw_store_close(f->store);
    free(f);
    return 0;
}

static json_t *entry(int i)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:i,s:{s:[s,s]}}", "actor", i % 2 ? "wang" : "li", "role",
                     "regulator", "action", "accept", "lead", "L0000000000000000000a", "revision",
                     i + 1, "changes", "status", "new", "accepted");
}

static void write_batch(fixture_t *f, rw_batch_t *b)
{
    char err[256];
    if (rw_store_write(f->store, b, err, sizeof err)) fail_msg("write: %s", err);
}

/* Entries 1..n: the first batch holds two, the rest one each, like lead actions and
 * user management mixed. */
static void append_entries(fixture_t *f, int n)
{
    rw_batch_t *b = rw_batch_new(f->store);
    for (int i = 0; i < n; i++) {
        json_t *e = entry(i);
        assert_int_equal(rw_audit_append(f->audit, b, e), (uint64_t)i + 1);
        json_decref(e);
        if (i != 0) write_batch(f, b);
    }
    write_batch(f, b);
    rw_batch_free(b);
}

static void key_of(uint64_t seq, char out[32])
{
    snprintf(out, 32, "a/%016" PRIx64, seq);
}

/* Raw store writes, as someone with access to the database files could make. */
static void raw_put(fixture_t *f, const char *key, const json_t *value)
{
    char *text = json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS);
    rw_batch_t *b = rw_batch_new(f->store);
    rw_batch_put(b, RW_CF_HANDLING, key, strlen(key), text, strlen(text));
    write_batch(f, b);
    rw_batch_free(b);
    free(text);
}

static void raw_put_entry(fixture_t *f, uint64_t at, const json_t *e)
{
    char key[32];
    key_of(at, key);
    raw_put(f, key, e);
}

static void raw_delete(fixture_t *f, const char *key)
{
    rw_batch_t *b = rw_batch_new(f->store);
    rw_batch_delete(b, RW_CF_HANDLING, key, strlen(key));
    write_batch(f, b);
    rw_batch_free(b);
}

static void raw_delete_entry(fixture_t *f, uint64_t seq)
{
    char key[32];
    key_of(seq, key);
    raw_delete(f, key);
}

/* What docs/api.md says the hash is: SHA-256 of the compact key-sorted JSON without it. */
static void doc_hash(const json_t *e, char out[65])
{
    json_t *c = json_copy((json_t *)e);
    json_object_del(c, "hash");
    char *text = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
    rw_sha256_hex(text, strlen(text), out);
    free(text);
    json_decref(c);
}

static void rehash(json_t *e)
{
    char h[65];
    doc_hash(e, h);
    json_object_set_new(e, "hash", json_string(h));
}

static void assert_bad_at(fixture_t *f, uint64_t first_bad)
{
    rw_audit_report_t r;
    rw_audit_verify(f->store, &r);
    assert_false(r.ok);
    assert_int_equal(r.first_bad, first_bad);
    assert_true(r.reason[0] != 0);
}

static void appended_entries_form_a_chain_that_can_be_recomputed(void **state)
{
    fixture_t *f = *state;
    append_entries(f, N_ENTRIES);
    rw_audit_report_t r;
    rw_audit_verify(f->store, &r);
    assert_true(r.ok);
    assert_int_equal(r.entries, N_ENTRIES);

    char prev[65] = "0000000000000000000000000000000000000000000000000000000000000000";
    for (uint64_t seq = 1; seq <= N_ENTRIES; seq++) {
        json_t *e = rw_audit_get(f->store, seq);
        assert_non_null(e);
        assert_int_equal(json_integer_value(json_object_get(e, "seq")), seq);
        assert_string_equal(json_string_value(json_object_get(e, "prev")), prev);
        char h[65];
        doc_hash(e, h);
        assert_string_equal(json_string_value(json_object_get(e, "hash")), h);
        assert_string_equal(json_string_value(json_object_get(e, "actor")),
                            seq % 2 ? "li" : "wang");
        memcpy(prev, h, sizeof h);
        json_decref(e);
    }
    assert_null(rw_audit_get(f->store, N_ENTRIES + 1));

    /* a second log over the same store continues the chain */
    rw_audit_t *again = rw_audit_open(f->store);
    rw_batch_t *b = rw_batch_new(f->store);
    json_t *e = entry(9);
    assert_int_equal(rw_audit_append(again, b, e), N_ENTRIES + 1);
    assert_string_equal(json_string_value(json_object_get(e, "prev")), prev);
    write_batch(f, b);
    rw_batch_free(b);
    json_decref(e);
    rw_audit_free(again);
    rw_audit_verify(f->store, &r);
    assert_true(r.ok);
    assert_int_equal(r.entries, N_ENTRIES + 1);
}

static void an_empty_log_verifies(void **state)
{
    fixture_t *f = *state;
    rw_audit_report_t r;
    rw_audit_verify(f->store, &r);
    assert_true(r.ok);
    assert_int_equal(r.entries, 0);
}

static void an_edited_field_is_named(void **state)
{
    fixture_t *f = *state;
    append_entries(f, N_ENTRIES);
    json_t *e = rw_audit_get(f->store, 3);
    json_object_set_new(e, "actor", json_string("zhao"));
    raw_put_entry(f, 3, e);
    assert_bad_at(f, 3);
    json_decref(e);
}

static void an_edit_with_a_recomputed_hash_breaks_the_next_link(void **state)
{
    fixture_t *f = *state;
    append_entries(f, N_ENTRIES);
    json_t *e = rw_audit_get(f->store, 3);
    json_object_set_new(e, "note", json_string("补记"));
    rehash(e);
    raw_put_entry(f, 3, e);
    /* entry 3 is consistent on its own; entry 4 no longer follows it */
    assert_bad_at(f, 4);
    json_decref(e);
}

static void an_edited_and_rehashed_last_entry_disagrees_with_the_head(void **state)
{
    fixture_t *f = *state;
    append_entries(f, N_ENTRIES);
    json_t *e = rw_audit_get(f->store, N_ENTRIES);
    json_object_set_new(e, "actor", json_string("zhao"));
    rehash(e);
    raw_put_entry(f, N_ENTRIES, e);
    assert_bad_at(f, N_ENTRIES);
    json_decref(e);
}

static void a_deleted_middle_entry_is_named(void **state)
{
    fixture_t *f = *state;
    append_entries(f, N_ENTRIES);
    raw_delete_entry(f, 3);
    assert_bad_at(f, 3);
}

static void a_deleted_last_entry_is_named(void **state)
{
    fixture_t *f = *state;
    append_entries(f, N_ENTRIES);
    raw_delete_entry(f, N_ENTRIES);
    assert_bad_at(f, N_ENTRIES);
}

static void swapped_entries_are_named_at_the_first_position(void **state)
{
    fixture_t *f = *state;
    append_entries(f, N_ENTRIES);
    json_t *two = rw_audit_get(f->store, 2), *three = rw_audit_get(f->store, 3);
    raw_put_entry(f, 2, three);
    raw_put_entry(f, 3, two);
    assert_bad_at(f, 2);
    json_decref(two);
    json_decref(three);
}

static void an_entry_appended_without_moving_the_head_is_named(void **state)
{
    fixture_t *f = *state;
    append_entries(f, N_ENTRIES);
    json_t *last = rw_audit_get(f->store, N_ENTRIES);
    json_t *forged = entry(7);
    json_object_set_new(forged, "seq", json_integer(N_ENTRIES + 1));
    json_object_set(forged, "prev", json_object_get(last, "hash"));
    rehash(forged);
    raw_put_entry(f, N_ENTRIES + 1, forged);
    assert_bad_at(f, N_ENTRIES + 1);
    json_decref(forged);
    json_decref(last);
}

static void an_edited_or_deleted_head_is_noticed(void **state)
{
    fixture_t *f = *state;
    append_entries(f, N_ENTRIES);
    /* a head ahead of the entries reads as entries removed from the end */
    json_t *head = json_pack("{s:i,s:s}", "seq", N_ENTRIES + 2, "hash", "00");
    raw_put(f, "a!head", head);
    json_decref(head);
    assert_bad_at(f, N_ENTRIES + 1);
    /* without a head no entry is vouched for */
    raw_delete(f, "a!head");
    assert_bad_at(f, 1);
}

static void reset_after_an_unwritten_batch_keeps_the_chain_valid(void **state)
{
    fixture_t *f = *state;
    append_entries(f, 3);
    rw_batch_t *lost = rw_batch_new(f->store);
    json_t *e = entry(3);
    assert_int_equal(rw_audit_append(f->audit, lost, e), 4);
    json_decref(e);
    rw_batch_free(lost); /* as when the write failed */
    rw_audit_reset(f->audit);

    rw_batch_t *b = rw_batch_new(f->store);
    e = entry(4);
    assert_int_equal(rw_audit_append(f->audit, b, e), 4);
    json_decref(e);
    write_batch(f, b);
    rw_batch_free(b);
    rw_audit_report_t r;
    rw_audit_verify(f->store, &r);
    assert_true(r.ok);
    assert_int_equal(r.entries, 4);
}

static void without_reset_an_unwritten_batch_leaves_a_gap(void **state)
{
    fixture_t *f = *state;
    append_entries(f, 3);
    rw_batch_t *b = rw_batch_new(f->store);
    json_t *e = entry(3);
    rw_audit_append(f->audit, b, e);
    json_decref(e);
    rw_batch_free(b);
    /* the contract's reason for reset: the next entry would claim seq 5 */
    b = rw_batch_new(f->store);
    e = entry(4);
    assert_int_equal(rw_audit_append(f->audit, b, e), 5);
    json_decref(e);
    write_batch(f, b);
    rw_batch_free(b);
    assert_bad_at(f, 4);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(appended_entries_form_a_chain_that_can_be_recomputed),
        T(an_empty_log_verifies),
        T(an_edited_field_is_named),
        T(an_edit_with_a_recomputed_hash_breaks_the_next_link),
        T(an_edited_and_rehashed_last_entry_disagrees_with_the_head),
        T(a_deleted_middle_entry_is_named),
        T(a_deleted_last_entry_is_named),
        T(swapped_entries_are_named_at_the_first_position),
        T(an_entry_appended_without_moving_the_head_is_named),
        T(an_edited_or_deleted_head_is_noticed),
        T(reset_after_an_unwritten_batch_keeps_the_chain_valid),
        T(without_reset_an_unwritten_batch_leaves_a_gap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
