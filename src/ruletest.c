/* ruletest.c — loads rule test files, runs each case through a throwaway engine
 * and prints what differs. */
#include "ruletest.h"

#include "engine.h"
#include "rwtime.h"
#include "util.h"
#include "yamldoc.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    json_t *created; /* lead id → {rule, entity, trigger, level, escalates} */
    json_t *hits;    /* lead id → latest hits */
} collected_t;

static void collect(void *ud, const rw_lead_out_t *out)
{
    collected_t *c = ud;
    json_object_set_new(c->hits, out->id, json_integer(out->hits));
    const rw_lead_head_t *h = out->head;
    if (!h) return;
    json_object_set_new(c->created, out->id,
                        json_pack("{s:s,s:s%,s:s%,s:s,s:s?}", "rule", h->rule, "entity", h->entity,
                                  h->entity_len, "trigger", h->trigger_event, h->trigger_event_len,
                                  "level", h->level, "escalates", h->escalates));
}

static const char *str_of(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static int same_lead(const json_t *want, const json_t *got)
{
    return !strcmp(str_of(want, "rule"), str_of(got, "rule")) &&
           !strcmp(str_of(want, "entity"), str_of(got, "entity")) &&
           !strcmp(str_of(want, "trigger"), str_of(got, "trigger")) &&
           !strcmp(str_of(want, "level"), str_of(got, "level"));
}

static void describe(rw_buf_t *b, const char *what, const json_t *l)
{
    rw_buf_printf(b, "    %s %s entity=%s trigger=%s level=%s\n", what, str_of(l, "rule"),
                  str_of(l, "entity"), str_of(l, "trigger"), str_of(l, "level"));
}

/* Compares the created leads with a case's expectations; appends the diff to b. */
static int compare(const rw_ynode_t *kase, collected_t *c, rw_buf_t *b)
{
    int ok = 1;
    const rw_ynode_t *expect = rw_ymap_get(kase, "expect");
    json_t *want = expect ? rw_ynode_to_json(expect) : json_array();
    json_t *rules = json_object();
    size_t i;
    json_t *w;
    json_array_foreach(want, i, w) json_object_set_new(rules, str_of(w, "rule"), json_true());
    json_t *matched = json_object();
    json_array_foreach(want, i, w)
    {
        const char *id;
        json_t *got, *hit = NULL;
        const char *hit_id = NULL;
        json_object_foreach(c->created, id,
                            got) if (!json_object_get(matched, id) && same_lead(w, got))
        {
            hit = got;
            hit_id = id;
            break;
        }
        if (!hit) {
            describe(b, "缺少线索 missing:", w);
            ok = 0;
            continue;
        }
        json_object_set_new(matched, hit_id, json_true());
        const json_t *wh = json_object_get(w, "hits");
        json_int_t hits = json_integer_value(json_object_get(c->hits, hit_id));
        if (wh && json_integer_value(wh) != hits) {
            rw_buf_printf(b, "    hits 不符 %s trigger=%s: 期望 %lld，实际 %lld\n",
                          str_of(w, "rule"), str_of(w, "trigger"),
                          (long long)json_integer_value(wh), (long long)hits);
            ok = 0;
        }
        const json_t *we = json_object_get(w, "escalates");
        if (we) {
            const char *esc = json_string_value(json_object_get(hit, "escalates"));
            const json_t *prev = esc ? json_object_get(c->created, esc) : NULL;
            const char *got_trigger = prev ? str_of(prev, "trigger") : "null";
            const char *want_trigger = json_is_string(we) ? json_string_value(we) : "null";
            if (strcmp(got_trigger, want_trigger)) {
                rw_buf_printf(b, "    escalates 不符 %s trigger=%s: 期望 %s，实际 %s\n",
                              str_of(w, "rule"), str_of(w, "trigger"), want_trigger, got_trigger);
                ok = 0;
            }
        }
    }
    const char *id;
    json_t *got;
    json_object_foreach(c->created, id, got) if (json_object_get(rules, str_of(got, "rule")) &&
                                                 !json_object_get(matched, id))
    {
        describe(b, "多出线索 unexpected:", got);
        ok = 0;
    }
    const rw_ynode_t *nf = rw_ymap_get(kase, "not_fired");
    for (size_t k = 0; nf && nf->kind == RW_Y_SEQ && k < nf->n; k++) {
        const char *rule = nf->items[k]->str;
        json_object_foreach(c->created, id, got) if (!strcmp(str_of(got, "rule"), rule))
        {
            describe(b, "不应触发 fired:", got);
            ok = 0;
        }
    }
    json_decref(want);
    json_decref(rules);
    json_decref(matched);
    return ok;
}

/* A `set` value as replay --set reads it, a YAML scalar: a quoted one stays a string
 * ("02" is not the number 2), so it is written back quoted. Malloc'ed. */
static char *setting_text(const rw_ynode_t *n)
{
    if (n->kind == RW_Y_SEQ || n->kind == RW_Y_MAP) return rw_xstrdup("[]"); /* load says why */
    if (!n->str) return rw_xstrdup("null");
    if (n->style == RW_YS_PLAIN) return rw_xstrdup(n->str);
    rw_buf_t b;
    rw_buf_init(&b);
    rw_buf_putc(&b, '"');
    for (const unsigned char *p = (const unsigned char *)n->str; *p; p++)
        if (*p == '"' || *p == '\\')
            rw_buf_printf(&b, "\\%c", *p);
        else if (*p < 0x20)
            rw_buf_printf(&b, "\\x%02x", *p);
        else
            rw_buf_putc(&b, (char)*p);
    rw_buf_putc(&b, '"');
    return rw_buf_steal(&b);
}

/* A `set` entry read as replay --set reads "[RULE:]name=value": the key's text is copied,
 * and the setting's rule (or, without one, its name) is where the copy starts. */
static rw_param_setting_t setting(const rw_ynode_t *key, const rw_ynode_t *val)
{
    rw_buf_t b;
    rw_buf_init(&b);
    rw_buf_printf(&b, "%s=", key->str);
    char *text = rw_buf_steal(&b);
    rw_param_setting_t st;
    if (rw_param_setting_parse(text, &st)) st = (rw_param_setting_t){.name = text};
    st.value = setting_text(val);
    return st;
}

static void free_settings(rw_param_setting_t *sets, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free((char *)(sets[i].rule ? sets[i].rule : sets[i].name));
        free((char *)sets[i].value);
    }
    free(sets);
}

static const char *const CASE_KEYS[] = {"name",   "set",       "now", "events",
                                        "expect", "not_fired", NULL};
static const char *const EXPECT_KEYS[] = {"rule", "entity",    "trigger", "level",
                                          "hits", "escalates", NULL};

static void expect_ok(const rw_rules_t *r, const rw_ydoc_t *doc, const rw_ynode_t *w, rw_diags_t *d)
{
    if (w->kind != RW_Y_MAP) {
        rw_ydiag(d, doc, w, RW_DIAG_ERROR,
                 "expect 的每一项应该是映射 {rule, entity, trigger, level}");
        return;
    }
    rw_ycheck_keys(doc, w, EXPECT_KEYS, d);
    const char *rule = rw_yget_str(doc, w, "rule", 1, d);
    if (rule && rw_rules_find(r, rule) < 0)
        rw_ydiag(d, doc, rw_ymap_get(w, "rule"), RW_DIAG_ERROR, "没有规则 %s", rule);
    rw_yget_str(doc, w, "entity", 1, d);
    rw_yget_str(doc, w, "trigger", 1, d);
    const char *level = rw_yget_str(doc, w, "level", 1, d);
    if (level && rw_level_parse(level) < 0)
        rw_ydiag(d, doc, rw_ymap_get(w, "level"), RW_DIAG_ERROR,
                 "未知的级别 %s（red、orange、yellow、blue）", level);
    const rw_ynode_t *hits = rw_ymap_get(w, "hits");
    if (hits && (hits->kind != RW_Y_NUM || !(hits->num >= 1 && hits->num <= 1e15) ||
                 hits->num != floor(hits->num)))
        rw_ydiag(d, doc, hits, RW_DIAG_ERROR, "hits 应该是正整数");
    const rw_ynode_t *esc = rw_ymap_get(w, "escalates");
    if (esc && esc->kind != RW_Y_NULL) rw_yget_str(doc, w, "escalates", 0, d);
}

/* What in a case would make it check less than its author meant: a misspelt key (an
 * `expcet:` expects nothing), one expectation written without its list dash, a rule
 * that does not exist (it never fires), a level no lead has. Returns 1 when none. */
static int case_ok(const rw_rules_t *r, const rw_ydoc_t *doc, const rw_ynode_t *kase, rw_diags_t *d)
{
    size_t before = d->errors;
    rw_ycheck_keys(doc, kase, CASE_KEYS, d);
    rw_yget_str(doc, kase, "name", 0, d);
    rw_yget_str(doc, kase, "now", 0, d);
    const rw_ynode_t *set = rw_ymap_get(kase, "set");
    if (set && set->kind != RW_Y_MAP)
        rw_ydiag(d, doc, set, RW_DIAG_ERROR, "set 应该是映射 {参数: 值}");
    const rw_ynode_t *events = rw_ymap_get(kase, "events");
    if (!events || events->kind != RW_Y_SEQ)
        rw_ydiag(d, doc, events ? events : kase, RW_DIAG_ERROR, "用例需要 events 列表");
    for (size_t i = 0; events && events->kind == RW_Y_SEQ && i < events->n; i++)
        if (events->items[i]->kind != RW_Y_MAP)
            rw_ydiag(d, doc, events->items[i], RW_DIAG_ERROR, "每个事件应该是映射");
    const rw_ynode_t *expect = rw_ymap_get(kase, "expect");
    if (expect && expect->kind != RW_Y_SEQ && expect->kind != RW_Y_NULL)
        rw_ydiag(d, doc, expect, RW_DIAG_ERROR, "expect 应该是列表，每条线索一项（以 - 开头）");
    for (size_t i = 0; expect && expect->kind == RW_Y_SEQ && i < expect->n; i++)
        expect_ok(r, doc, expect->items[i], d);
    const rw_ynode_t *nf = rw_ymap_get(kase, "not_fired");
    if (nf && nf->kind != RW_Y_SEQ && nf->kind != RW_Y_NULL)
        rw_ydiag(d, doc, nf, RW_DIAG_ERROR, "not_fired 应该是规则 id 的列表，如 [RULE-ID]");
    for (size_t i = 0; nf && nf->kind == RW_Y_SEQ && i < nf->n; i++) {
        const rw_ynode_t *it = nf->items[i];
        if (it->kind != RW_Y_STR)
            rw_ydiag(d, doc, it, RW_DIAG_ERROR, "not_fired 的每一项应该是规则 id");
        else if (rw_rules_find(r, it->str) < 0) /* a misspelt rule would never fire */
            rw_ydiag(d, doc, it, RW_DIAG_ERROR, "没有规则 %s", it->str);
    }
    return d->errors == before;
}

static int run_case(const rw_load_opts_t *base, const rw_rules_t *shared, const rw_ydoc_t *doc,
                    const rw_ynode_t *kase, FILE *out)
{
    const rw_ynode_t *name = rw_ymap_get(kase, "name");
    char label[512];
    snprintf(label, sizeof label, "%s:%d %s", doc->path, kase->line,
             name && name->kind == RW_Y_STR ? name->str : "");
    rw_diags_t shape;
    rw_diags_init(&shape);
    if (!case_ok(shared, doc, kase, &shape)) {
        fprintf(out, "FAIL %s\n    用例写法有误，未运行:\n", label);
        for (size_t i = 0; i < shape.n; i++)
            fprintf(out, "    %s:%d:%d: %s\n", shape.items[i].file, shape.items[i].line,
                    shape.items[i].col, shape.items[i].msg);
        rw_diags_free(&shape);
        return 0;
    }
    rw_diags_free(&shape);
    /* a case's `set` replaces params like replay --set: load the rules with them */
    const rw_ynode_t *set = rw_ymap_get(kase, "set");
    rw_rules_t *rules = (rw_rules_t *)shared;
    rw_param_setting_t *sets = NULL;
    if (set && set->kind == RW_Y_MAP && set->n) {
        sets = rw_xcalloc(set->n, sizeof *sets);
        for (size_t i = 0; i < set->n; i++)
            sets[i] = setting(set->keys[i], set->items[i]);
        rw_load_opts_t o = *base;
        o.sets = sets;
        o.n_sets = set->n;
        rw_diags_t sd;
        rw_diags_init(&sd);
        int failed = rw_rules_load(&rules, &o, &sd);
        if (failed)
            fprintf(out, "FAIL %s\n    set 无法应用: %s\n", label, rw_diags_first_error(&sd));
        rw_diags_free(&sd);
        free_settings(sets, set->n);
        if (failed) return 0;
    }
    const rw_ynode_t *nown = rw_ymap_get(kase, "now");
    const char *now = nown && nown->kind != RW_Y_NULL ? nown->str : NULL;
    char *saved_now = getenv("REGWATCH_NOW") ? rw_xstrdup(getenv("REGWATCH_NOW")) : NULL;
    if (now) setenv("REGWATCH_NOW", now, 1);

    collected_t c = {.created = json_object(), .hits = json_object()};
    rw_buf_t diff, notes;
    rw_buf_init(&diff);
    rw_buf_init(&notes);
    /* without a store: the case's state stays in memory */
    rw_engine_opts_t eo = {.rules = rules, .sink = collect, .sink_ud = &c};
    rw_engine_t *e = rw_engine_new(&eo);
    const rw_ynode_t *events = rw_ymap_get(kase, "events");
    int bad_events = 0;
    for (size_t i = 0; events && events->kind == RW_Y_SEQ && i < events->n; i++) {
        json_t *j = rw_ynode_to_json(events->items[i]);
        char *s = json_dumps(j, JSON_COMPACT);
        rw_event_error_t ee;
        /* a typo in a case's event would otherwise make it pass whatever the rules do */
        rw_outcome_t o = rw_engine_process(e, s, strlen(s), NULL, 0, &ee);
        if (o == RW_OUT_INVALID) {
            rw_buf_printf(&diff, "    事件 %zu 无效: %s\n", i + 1, ee.reason);
            bad_events = 1;
        } else if (o == RW_OUT_UNKNOWN_TYPE) { /* may be what the case tests: shown, not failed */
            rw_buf_printf(&notes, "    注意：事件 %zu 的类型 %s 不在目录 catalog.yaml 中，未应用\n",
                          i + 1, json_string_value(json_object_get(j, "type")));
        }
        free(s);
        json_decref(j);
    }
    rw_engine_free(e);
    rw_buf_t cmp;
    rw_buf_init(&cmp);
    int ok = compare(kase, &c, &cmp) && !bad_events;
    rw_buf_append(&diff, cmp.data, cmp.len);
    rw_buf_free(&cmp);
    fprintf(out, "%s %s\n", ok ? "PASS" : "FAIL", label);
    if (!ok && diff.len) fputs(diff.data, out);
    if (notes.len) fputs(notes.data, out);
    rw_buf_free(&diff);
    rw_buf_free(&notes);
    json_decref(c.created);
    json_decref(c.hits);
    if (saved_now)
        setenv("REGWATCH_NOW", saved_now, 1);
    else if (now)
        unsetenv("REGWATCH_NOW");
    free(saved_now);
    if (rules != shared) rw_rules_free(rules);
    return ok;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int rw_ruletest_run(const rw_load_opts_t *opts, const char *tests_dir, FILE *out,
                    rw_ruletest_result_t *res, rw_diags_t *d)
{
    memset(res, 0, sizeof *res);
    rw_rules_t *rules;
    if (rw_rules_load(&rules, opts, d)) return -1;
    DIR *dp = opendir(tests_dir);
    if (!dp) {
        rw_diag_error(d, tests_dir, 1, 1, "无法读取测试目录: %s", strerror(errno));
        rw_rules_free(rules);
        return -1;
    }
    char **files = NULL;
    size_t n = 0;
    struct dirent *ent;
    while (dp && (ent = readdir(dp))) {
        size_t len = strlen(ent->d_name);
        if (len > 5 && strcmp(ent->d_name + len - 5, ".yaml") == 0) {
            files = rw_xrealloc(files, (n + 1) * sizeof *files);
            files[n++] = rw_xstrdup(ent->d_name);
        }
    }
    if (dp) closedir(dp);
    if (n) qsort(files, n, sizeof *files, cmp_name);
    int rc = 0;
    for (size_t f = 0; f < n; f++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", tests_dir, files[f]);
        rw_ydoc_t doc;
        if (rw_ydoc_load(&doc, path, d)) {
            /* counted, so the summary line does not read as all passed */
            fprintf(out, "FAIL %s\n    测试文件无法解析（错误见下）\n", path);
            res->failed++;
            rc = -1;
            rw_ydoc_free(&doc);
            continue;
        }
        const rw_ynode_t *cases = rw_ymap_get(doc.root, "cases");
        if (!cases || cases->kind != RW_Y_SEQ) {
            rw_ydiag(d, &doc, doc.root, RW_DIAG_ERROR, "测试文件需要 cases 列表");
            fprintf(out, "FAIL %s\n    测试文件需要 cases 列表\n", path);
            res->failed++;
            rc = -1;
        }
        for (size_t i = 0; cases && cases->kind == RW_Y_SEQ && i < cases->n; i++) {
            if (cases->items[i]->kind != RW_Y_MAP) {
                rw_ydiag(d, &doc, cases->items[i], RW_DIAG_ERROR,
                         "每个用例应该是映射 {name, events, expect}");
                fprintf(out, "FAIL %s:%d\n    用例应该是映射 {name, events, expect}\n", path,
                        cases->items[i]->line);
                res->failed++;
                rc = -1;
                continue;
            }
            if (run_case(opts, rules, &doc, cases->items[i], out))
                res->passed++;
            else
                res->failed++;
        }
        rw_ydoc_free(&doc);
    }
    rw_str_list_free(files, n);
    rw_rules_free(rules);
    return rc;
}
