/* Tests for shards.c as the service uses it: a poll batch through engines side by side
 * gives what one engine gives (the same lead revisions in the same order, outcomes,
 * counts, state a single engine reads on, also with each write overlapping the next
 * batch), and an action on a lead between batches is not overwritten by the next
 * suppressed trigger. Input: the shipped rules and the
 * golden events (tests/golden), at the golden run's clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rwtime.h"
#include "shards.h"
#include "util.h"
#include "support.h"

static const char *source_dir(void)
{
    const char *d = getenv("RW_SOURCE_DIR");
    return d ? d : ".";
}

/* The lines of a file of the golden set, as a JSON array of strings. */
static json_t *golden_lines(const char *name)
{
    rw_buf_t p;
    rw_buf_init(&p);
    rw_buf_printf(&p, "%s/tests/golden/%s", source_dir(), name);
    FILE *f = fopen(p.data, "rb");
    assert_non_null(f);
    json_t *lines = json_array();
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        json_array_append_new(lines, json_stringn(line, (size_t)n));
    }
    free(line);
    fclose(f);
    rw_buf_free(&p);
    return lines;
}

typedef struct {
    char *rules_dir, *models_dir, *store_dir;
    rw_rules_t *rules;
    rw_store_t *store;
    json_t *events;
    json_t *texts; /* every revision's text the sink got, in order */
} fx_t;

static void sink(void *ud, const rw_lead_out_t *lead)
{
    json_array_append_new(((fx_t *)ud)->texts, json_stringn(lead->text, lead->len));
}

static void open_store(fx_t *f)
{
    char err[512];
    assert_int_equal(rw_store_open(&f->store, f->store_dir, err, sizeof err), 0);
}

static int setup(void **state)
{
    fx_t *f = rw_xcalloc(1, sizeof *f);
    json_t *now = golden_lines("now.txt");
    setenv("REGWATCH_NOW", json_string_value(json_array_get(now, 0)), 1);
    json_decref(now);
    rw_buf_t p;
    rw_buf_init(&p);
    rw_buf_printf(&p, "%s/rules", source_dir());
    f->rules_dir = rw_buf_steal(&p);
    rw_buf_printf(&p, "%s/models", source_dir());
    f->models_dir = rw_buf_steal(&p);
    rw_diags_t d;
    rw_diags_init(&d);
    rw_load_opts_t o = {.rules_dir = f->rules_dir,
                        .models_dir = f->models_dir,
                        .today = rw_local_day(rw_now(), 480)};
    int rc = rw_rules_load(&f->rules, &o, &d);
    if (rc) rw_diags_print(&d, stderr);
    rw_diags_free(&d);
    assert_int_equal(rc, 0);
    char tmpl[] = "/tmp/rw-shards-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    f->store_dir = rw_xstrdup(tmpl);
    open_store(f);
    f->events = golden_lines("events.jsonl");
    f->texts = json_array();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    rw_store_close(f->store);
    rw_rules_free(f->rules);
    rw_rmtree(f->store_dir);
    free(f->store_dir);
    free(f->rules_dir);
    free(f->models_dir);
    json_decref(f->events);
    json_decref(f->texts);
    free(f);
    unsetenv("REGWATCH_NOW");
    return 0;
}

/* Events [from, to) through one engine, a commit every `every`; their outcomes in out. */
static void run_engine(fx_t *f, size_t from, size_t to, size_t every, rw_outcome_t *out,
                       rw_engine_stats_t *stats)
{
    rw_engine_opts_t o = {.store = f->store, .rules = f->rules, .sink = sink, .sink_ud = f};
    rw_engine_t *e = rw_engine_new(&o);
    char err[512];
    for (size_t i = from; i < to; i++) {
        const char *s = json_string_value(json_array_get(f->events, i));
        out[i] = rw_engine_process(e, s, strlen(s), NULL, 0, NULL);
        if ((i + 1 - from) % every == 0) assert_int_equal(rw_engine_commit(e, err, sizeof err), 0);
    }
    assert_int_equal(rw_engine_commit(e, err, sizeof err), 0);
    if (stats) *stats = *rw_engine_stats(e);
    rw_engine_free(e);
}

/* Events [from, to) through the engines side by side as one poll batch, then a commit. */
static void run_batch(fx_t *f, rw_shards_t *sh, size_t from, size_t to, rw_shards_result_t *res)
{
    rw_shards_msg_t msgs[64];
    assert_true(to - from <= 64);
    for (size_t i = from; i < to; i++) {
        const char *s = json_string_value(json_array_get(f->events, i));
        msgs[i - from] = (rw_shards_msg_t){.value = s, .len = strlen(s)};
    }
    rw_shards_process(sh, msgs, to - from, res + from, NULL, NULL);
    char err[512];
    assert_int_equal(rw_shards_commit(sh, err, sizeof err), 0);
}

static void commit_ok(void *ud)
{
    char err[512];
    assert_int_equal(rw_shards_commit(ud, err, sizeof err), 0);
}

static int writes; /* commits started in the overlap and written */

static void written_ok(void *ud, int rc, const char *err)
{
    (void)ud;
    if (rc) fail_msg("write failed: %s", err);
    writes++;
}

static void start_commit(void *ud)
{
    rw_shards_commit_start(ud, written_ok, NULL);
}

/* As run_batch, but each batch's commit is started during the next batch's parse and
 * written while it is applied (the service's order); the last batch is committed at
 * the end. */
static void run_overlapped(fx_t *f, rw_shards_t *sh, size_t n, size_t every,
                           rw_shards_result_t *res)
{
    rw_shards_msg_t msgs[64];
    assert_true(every <= 64);
    writes = 0;
    for (size_t from = 0; from < n; from += every) {
        size_t to = from + every < n ? from + every : n;
        for (size_t i = from; i < to; i++) {
            const char *s = json_string_value(json_array_get(f->events, i));
            msgs[i - from] = (rw_shards_msg_t){.value = s, .len = strlen(s)};
        }
        rw_shards_process(sh, msgs, to - from, res + from, from ? start_commit : NULL, sh);
    }
    assert_int_equal(writes, (n - 1) / every);
    commit_ok(sh);
}

/* n engines; cache_bytes 0 for the default budget. */
static rw_shards_t *new_shards(fx_t *f, unsigned n, size_t cache_bytes)
{
    rw_engine_opts_t o = {.store = f->store,
                          .rules = f->rules,
                          .sink = sink,
                          .sink_ud = f,
                          .cache_bytes = cache_bytes};
    char err[256];
    rw_shards_t *sh = rw_shards_new(&o, n, err, sizeof err);
    assert_non_null(sh);
    assert_int_equal(rw_shards_count(sh), n);
    return sh;
}

/* A fresh store for the next run of the same test. */
static void reset(fx_t *f)
{
    rw_store_close(f->store);
    rw_rmtree(f->store_dir);
    open_store(f);
    json_array_clear(f->texts);
}

/* The sink got the revisions of `want`, byte for byte, in the same order. */
static void assert_same_revisions(const fx_t *f, const json_t *want)
{
    assert_int_equal(json_array_size(f->texts), json_array_size(want));
    for (size_t i = 0; i < json_array_size(want); i++)
        assert_string_equal(json_string_value(json_array_get(f->texts, i)),
                            json_string_value(json_array_get(want, i)));
}

static void engines_side_by_side_give_what_one_engine_gives(void **state)
{
    fx_t *f = *state;
    size_t n = json_array_size(f->events);
    assert_true(n > 40);
    rw_outcome_t *one = rw_xcalloc(n, sizeof *one);
    rw_engine_stats_t st1;
    run_engine(f, 0, n, 7, one, &st1);
    json_t *want = json_deep_copy(f->texts);
    assert_true(json_array_size(want) > 20);
    assert_true(st1.outcomes[RW_OUT_INVALID] > 0); /* the golden set has rejects */

    /* each count twice: committed after each batch, and during the next batch's parse */
    static const unsigned counts[] = {1, 2, 3, 5, 1, 2, 3, 5};
    for (size_t c = 0; c < sizeof counts / sizeof *counts; c++) {
        reset(f);
        rw_shards_t *sh = new_shards(f, counts[c], 0);
        rw_shards_result_t *res = rw_xcalloc(n, sizeof *res);
        if (c < 4)
            for (size_t i = 0; i < n; i += 7)
                run_batch(f, sh, i, i + 7 < n ? i + 7 : n, res);
        else
            run_overlapped(f, sh, n, 7, res);
        assert_same_revisions(f, want);
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(res[i].outcome, one[i]);
            if (res[i].outcome == RW_OUT_INVALID) assert_true(res[i].err.reason[0] != 0);
        }
        rw_engine_stats_t st;
        rw_shards_stats(sh, &st);
        assert_memory_equal(&st, &st1, sizeof st);
        json_t *counts_json = rw_shards_lead_counts(sh);
        json_int_t total = 0;
        const char *rule, *level;
        json_t *levels, *v;
        json_object_foreach(counts_json, rule, levels) json_object_foreach(levels, level, v)
            total += json_integer_value(v);
        assert_int_equal(total, st1.leads_created);
        json_decref(counts_json);
        /* an entity's state is found on its engine */
        json_t *ent = rw_shards_entity(sh, "91320211MA1GW00011");
        assert_non_null(ent);
        assert_true(json_is_object(json_object_get(ent, "profile")));
        json_decref(ent);
        rw_shards_free(sh);
        free(res);
    }
    json_decref(want);
    free(one);
}

static void a_single_engine_reads_on_from_what_the_shards_wrote(void **state)
{
    fx_t *f = *state;
    size_t n = json_array_size(f->events), half = n / 2;
    rw_outcome_t *out = rw_xcalloc(n, sizeof *out);
    run_engine(f, 0, n, 1000, out, NULL);
    json_t *want = json_deep_copy(f->texts);

    rw_shards_result_t *res = rw_xcalloc(n, sizeof *res);
    /* committed after each batch; then with each write overlapping the next batch and a
     * cache so small that every settle evicts all it may: what changed after a batch was
     * staged must be neither evicted nor taken as written with it */
    for (int overlapped = 0; overlapped < 2; overlapped++) {
        reset(f);
        rw_shards_t *sh = new_shards(f, 3, overlapped ? 1 : 0);
        if (overlapped)
            run_overlapped(f, sh, half, 10, res);
        else
            for (size_t i = 0; i < half; i += 10)
                run_batch(f, sh, i, i + 10 < half ? i + 10 : half, res);
        rw_shards_free(sh);
        run_engine(f, half, n, 1000, out, NULL);
        assert_same_revisions(f, want);
    }
    json_decref(want);
    free(res);
    free(out);
}

/* The golden run's first lead that a later suppressed trigger revises. */
static const char *revised_lead(json_t *golden)
{
    size_t i;
    json_t *line;
    json_array_foreach(golden, i, line)
    {
        json_t *rec = json_loads(json_string_value(line), 0, NULL);
        int hit = json_integer_value(json_object_get(rec, "hits")) == 2;
        static char id[32];
        snprintf(id, sizeof id, "%s", json_string_value(json_object_get(rec, "id")));
        json_decref(rec);
        if (hit) return id;
    }
    fail_msg("no lead with a second hit in the golden leads");
    return NULL;
}

static void an_action_between_batches_is_not_overwritten_by_the_next_hit(void **state)
{
    fx_t *f = *state;
    json_t *golden = golden_lines("leads.jsonl");
    const char *id = revised_lead(golden);
    size_t n = json_array_size(f->events);
    rw_shards_t *sh = new_shards(f, 2, 0);
    rw_shards_result_t *res = rw_xcalloc(n, sizeof *res);
    size_t i = 0, acted = 0;
    for (; i < n && !acted; i++) { /* one event a batch until the lead exists */
        run_batch(f, sh, i, i + 1, res);
        json_t *stored = rw_store_get_json(f->store, RW_CF_LEADS, id, strlen(id));
        if (!stored) continue;
        /* an action, as handling.c writes it: the next revision, accepted */
        assert_int_equal(json_integer_value(json_object_get(stored, "revision")), 1);
        json_object_set_new(stored, "revision", json_integer(2));
        json_object_set_new(stored, "status", json_string("accepted"));
        rw_batch_t *b = rw_batch_new(f->store);
        rw_batch_put_json(b, RW_CF_LEADS, id, strlen(id), stored, JSON_COMPACT);
        char err[256];
        assert_int_equal(rw_store_write(f->store, b, err, sizeof err), 0);
        rw_batch_free(b);
        json_decref(stored);
        rw_shards_forget_lead(sh, id);
        acted = 1;
    }
    assert_true(acted);
    size_t before = json_array_size(f->texts);
    for (; i < n; i++)
        run_batch(f, sh, i, i + 1, res);
    json_t *next = NULL;
    for (size_t k = before; k < json_array_size(f->texts) && !next; k++) {
        json_t *rec = json_loads(json_string_value(json_array_get(f->texts, k)), 0, NULL);
        if (!strcmp(json_string_value(json_object_get(rec, "id")), id))
            next = rec;
        else
            json_decref(rec);
    }
    assert_non_null(next);
    assert_int_equal(json_integer_value(json_object_get(next, "revision")), 3);
    assert_int_equal(json_integer_value(json_object_get(next, "hits")), 2);
    assert_string_equal(json_string_value(json_object_get(next, "status")), "accepted");
    json_decref(next);
    rw_shards_free(sh);
    free(res);
    json_decref(golden);
}

static void engine_counts_out_of_range_are_refused(void **state)
{
    fx_t *f = *state;
    rw_engine_opts_t o = {.store = f->store, .rules = f->rules};
    char err[256] = "";
    assert_null(rw_shards_new(&o, 0, err, sizeof err));
    assert_true(err[0] != 0);
    err[0] = 0;
    assert_null(rw_shards_new(&o, RW_SHARDS_MAX + 1, err, sizeof err));
    assert_true(err[0] != 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(engines_side_by_side_give_what_one_engine_gives, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_single_engine_reads_on_from_what_the_shards_wrote, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            an_action_between_batches_is_not_overwritten_by_the_next_hit, setup, teardown),
        cmocka_unit_test_setup_teardown(engine_counts_out_of_range_are_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
