/* handling.c — actions on leads in the store, under one lock, written atomically. */
#define _GNU_SOURCE /* PTHREAD_MUTEX_RECURSIVE, memmem */
#include "handling.h"

#include "lifecycle.h"
#include "log.h"
#include "rwtime.h"
#include "util.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rw_handling {
    rw_handling_opts_t o;
    char *topic;
    rw_audit_t *audit;
    pthread_mutex_t lock;
    atomic_int waiting; /* threads inside rw_handling_lock, for rw_handling_contended */
};

void rw_handling_error_clear(rw_handling_error_t *e)
{
    json_decref(e->allowed);
    memset(e, 0, sizeof *e);
}

static void *fail(rw_handling_error_t *e, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void *fail(rw_handling_error_t *e, int status, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    e->status = status;
    e->code = code;
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    return NULL;
}

rw_handling_t *rw_handling_new(const rw_handling_opts_t *o)
{
    rw_handling_t *h = rw_xcalloc(1, sizeof *h);
    h->o = *o;
    h->topic = rw_xstrdup(o->topic_leads ? o->topic_leads : "regwatch.leads");
    h->o.topic_leads = h->topic;
    h->audit = rw_audit_open(o->store);
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&h->lock, &a);
    pthread_mutexattr_destroy(&a);
    return h;
}

void rw_handling_free(rw_handling_t *h)
{
    if (!h) return;
    rw_audit_free(h->audit);
    pthread_mutex_destroy(&h->lock);
    free(h->topic);
    free(h);
}

void rw_handling_lock(rw_handling_t *h)
{
    atomic_fetch_add(&h->waiting, 1);
    pthread_mutex_lock(&h->lock);
    atomic_fetch_sub(&h->waiting, 1);
}

int rw_handling_contended(rw_handling_t *h)
{
    return atomic_load(&h->waiting) > 0;
}

void rw_handling_unlock(rw_handling_t *h)
{
    pthread_mutex_unlock(&h->lock);
}

void rw_handling_set_calendar(rw_handling_t *h, const rw_calendar_t *cal, int tz_offset_min)
{
    h->o.calendar = cal;
    h->o.tz_offset_min = tz_offset_min;
}

/* ---- reading --------------------------------------------------------------------------- */

json_t *rw_handling_meta(rw_handling_t *h, const char *id)
{
    char key[64];
    snprintf(key, sizeof key, "h/%s", id);
    json_t *m = rw_store_get_json(h->o.store, RW_CF_HANDLING, key, strlen(key));
    return m ? m : json_object();
}

void rw_handling_decorate(json_t *record, const json_t *meta, double now)
{
    json_object_set_new(record, "overdue", json_boolean(rw_lead_overdue(record, now)));
    json_object_set_new(record, "urges",
                        json_integer(json_integer_value(json_object_get(meta, "urges"))));
}

json_t *rw_handling_get(rw_handling_t *h, const char *id, double now)
{
    json_t *r = rw_store_get_json(h->o.store, RW_CF_LEADS, id, strlen(id));
    if (r) {
        json_t *meta = rw_handling_meta(h, id);
        rw_handling_decorate(r, meta, now);
        json_decref(meta);
    }
    return r;
}

static int in_scope(const rw_user_t *u, const json_t *record)
{
    return rw_scope_contains(&u->scope, json_string_value(json_object_get(record, "region")),
                             json_string_value(json_object_get(record, "department")));
}

int rw_handling_visible(rw_handling_t *h, const rw_user_t *u, const char *id)
{
    json_t *r = id ? rw_store_get_json(h->o.store, RW_CF_LEADS, id, strlen(id)) : NULL;
    int seen = r && in_scope(u, r);
    json_decref(r);
    return seen;
}

typedef struct {
    rw_store_t *store;
    json_t *timeline;
} timeline_t;

static int timeline_one(void *ud, const char *key, size_t klen, const char *val, size_t vlen)
{
    (void)val;
    (void)vlen;
    timeline_t *t = ud;
    const char *slash = memrchr(key, '/', klen);
    char hex[24];
    snprintf(hex, sizeof hex, "%.*s", (int)(key + klen - slash - 1), slash + 1);
    json_t *e = rw_audit_get(t->store, strtoull(hex, NULL, 16));
    if (e) json_array_append_new(t->timeline, e);
    return 0;
}

static json_t *timeline(rw_handling_t *h, const json_t *record)
{
    const char *id = json_string_value(json_object_get(record, "id"));
    timeline_t t = {h->o.store, json_array()};
    json_array_append_new(t.timeline, json_pack("{s:s,s:O,s:s,s:s}", "action", "create", "time",
                                                json_object_get(record, "created_at"), "actor",
                                                "system", "status", "new"));
    char prefix[64];
    snprintf(prefix, sizeof prefix, "l/%s/", id);
    rw_store_scan(h->o.store, RW_CF_HANDLING, prefix, strlen(prefix), timeline_one, &t);
    return t.timeline;
}

static json_t *allowed_now(const json_t *record, const rw_user_t *u)
{
    int st = rw_status_parse(json_string_value(json_object_get(record, "status")));
    const char *mode = json_string_value(json_object_get(record, "mode"));
    if (st < 0 || (mode && !strcmp(mode, "shadow"))) return json_array();
    return rw_actions_allowed((rw_status_t)st, u->role);
}

static json_t *view_of(rw_handling_t *h, const rw_user_t *u, json_t *record)
{
    return json_pack("{s:O,s:o,s:o}", "lead", record, "timeline", timeline(h, record), "allowed",
                     allowed_now(record, u));
}

json_t *rw_handling_view(rw_handling_t *h, const rw_user_t *u, const char *id, double now,
                         rw_handling_error_t *err)
{
    json_t *r = rw_handling_get(h, id, now);
    if (!r || !in_scope(u, r)) {
        json_decref(r);
        return fail(err, 404, "not_found", "没有线索 %s（或不在您的管辖范围内）", id);
    }
    json_t *v = view_of(h, u, r);
    json_decref(r);
    return v;
}

/* ---- writing --------------------------------------------------------------------------- */

/* The record's next revision into batch b and the outbox (shadow leads are never sent). */
static void put_lead(rw_handling_t *h, rw_batch_t *b, const json_t *record)
{
    const char *id = json_string_value(json_object_get(record, "id"));
    char *text = json_dumps(record, JSON_COMPACT);
    rw_batch_put(b, RW_CF_LEADS, id, strlen(id), text, strlen(text));
    if (h->o.wrote) h->o.wrote(h->o.wrote_ud, id);
    const char *mode = json_string_value(json_object_get(record, "mode"));
    if (!mode || strcmp(mode, "shadow"))
        rw_outbox_add(h->o.outbox, b, h->topic, id, strlen(id), text, strlen(text));
    free(text);
}

/* Writes b; on success publishes what it put in the outbox. */
static int write_batch(rw_handling_t *h, rw_batch_t *b, char *err, size_t errlen)
{
    if (rw_store_write(h->o.store, b, err, errlen)) {
        rw_audit_reset(h->audit);
        rw_outbox_drain(h->o.outbox, NULL, NULL);
        return -1;
    }
    rw_outbox_drain(h->o.outbox, h->o.publish, h->o.publish_ud);
    return 0;
}

static void update_meta(json_t *meta, rw_action_t a, double now)
{
    switch (a) {
    case RW_ACT_ACCEPT:
        if (!json_object_get(meta, "accepted_at"))
            json_object_set_new(meta, "accepted_at", json_real(now));
        break;
    case RW_ACT_CLOSE:
        json_object_set_new(meta, "closed_at", json_real(now));
        break;
    case RW_ACT_REOPEN:
        json_object_del(meta, "closed_at");
        break;
    case RW_ACT_URGE:
        json_object_set_new(meta, "urges",
                            json_integer(json_integer_value(json_object_get(meta, "urges")) + 1));
        break;
    default:
        break;
    }
}

static json_t *audit_entry(const rw_handling_t *h, const rw_user_t *u, const char *action,
                           const char *via, double now)
{
    char at[64];
    rw_time_format_ms(now, h->o.tz_offset_min, at);
    return json_pack("{s:s,s:s,s:s,s:s,s:s}", "time", at, "actor", u->name, "role",
                     rw_role_name(u->role), "action", action, "via", via);
}

json_t *rw_handling_act(rw_handling_t *h, const rw_user_t *u, const char *id, const json_t *req,
                        const char *via, double now, rw_handling_error_t *err)
{
    const char *code;
    char msg[512];
    int a = rw_action_request_check(req, &code, msg, sizeof msg);
    if (a < 0) return fail(err, 400, code, "%s", msg);
    rw_action_t act = (rw_action_t)a;
    rw_handling_lock(h);
    json_t *record = rw_store_get_json(h->o.store, RW_CF_LEADS, id, strlen(id)), *view = NULL;
    if (!record || !in_scope(u, record)) {
        fail(err, 404, "not_found", "没有线索 %s（或不在您的管辖范围内）", id);
        goto out;
    }
    if (!rw_action_permitted(act, u->role)) {
        fail(err, 403, "forbidden", "角色「%s」不能执行「%s」", rw_role_label(u->role),
             rw_action_label(act));
        goto out;
    }
    /* a request made on an older revision is a conflict before anything else: the user
     * acted on a view someone else's action has since changed */
    json_int_t rev = json_integer_value(json_object_get(record, "revision"));
    const json_t *want = json_object_get(req, "revision");
    if (want && json_integer_value(want) != rev) {
        fail(err, 409, "conflict",
             "线索已被他人更新（当前版本 %" JSON_INTEGER_FORMAT
             "，请求基于版本 %" JSON_INTEGER_FORMAT "），请刷新后重试",
             rev, json_integer_value(want));
        err->allowed = allowed_now(record, u);
        goto out;
    }
    const char *status = json_string_value(json_object_get(record, "status"));
    const char *mode = json_string_value(json_object_get(record, "mode"));
    int st = rw_status_parse(status);
    if ((mode && !strcmp(mode, "shadow")) || st < 0 || !rw_action_applies(act, (rw_status_t)st)) {
        fail(err, 409, "illegal_transition",
             mode && !strcmp(mode, "shadow") ? "影子模式的线索不下发，不能处置"
                                             : "线索当前状态为「%s」，不能执行「%s」",
             st >= 0 ? rw_status_label((rw_status_t)st) : "未知", rw_action_label(act));
        err->allowed = allowed_now(record, u);
        goto out;
    }
    if (!rw_action_changes_something(record, act, req)) {
        fail(err, 400, "bad_value", "改派应改到另一个部门或地区：线索已属于这里");
        goto out;
    }

    json_t *changes = json_object();
    const char *region = json_string_value(json_object_get(record, "region"));
    const char *department = json_string_value(json_object_get(record, "department"));
    json_t *entry = audit_entry(h, u, rw_action_name(act), via, now);
    json_object_set_new(entry, "lead", json_string(id));
    json_object_set_new(entry, "region", region ? json_string(region) : json_null());
    json_object_set_new(entry, "department", department ? json_string(department) : json_null());
    json_t *details = json_deep_copy(req);
    json_object_del(details, "action");
    json_object_del(details, "revision");
    json_object_set_new(entry, "details", details);
    rw_action_apply(record, act, req, u->name, now, h->o.calendar, h->o.tz_offset_min, changes);
    json_object_set_new(entry, "changes", changes);
    json_object_set_new(entry, "revision",
                        json_integer(json_integer_value(json_object_get(record, "revision"))));

    rw_batch_t *b = rw_batch_new(h->o.store);
    if (act != RW_ACT_URGE) put_lead(h, b, record);
    uint64_t seq = rw_audit_append(h->audit, b, entry);
    char key[96];
    snprintf(key, sizeof key, "l/%s/%016" PRIx64, id, seq);
    rw_batch_put(b, RW_CF_HANDLING, key, strlen(key), "", 0);
    json_t *meta = rw_handling_meta(h, id);
    update_meta(meta, act, now);
    snprintf(key, sizeof key, "h/%s", id);
    rw_batch_put_json(b, RW_CF_HANDLING, key, strlen(key), meta, JSON_COMPACT);
    json_decref(entry);
    char werr[512];
    int rc = write_batch(h, b, werr, sizeof werr);
    rw_batch_free(b);
    if (rc) {
        fail(err, 500, "internal", "%s", werr);
    } else {
        if (act == RW_ACT_URGE) rw_info("handling", "线索 %s 被 %s 督办", id, u->name);
        rw_handling_decorate(record, meta, now);
        view = view_of(h, u, record);
    }
    json_decref(meta);
out:
    rw_handling_unlock(h);
    json_decref(record);
    return view;
}

int rw_handling_audit(rw_handling_t *h, const rw_user_t *actor, const char *action, const char *via,
                      json_t *details, double now, char *err, size_t errlen)
{
    rw_handling_lock(h);
    json_t *entry = audit_entry(h, actor, action, via, now);
    json_object_set(entry, "details", details);
    rw_batch_t *b = rw_batch_new(h->o.store);
    rw_audit_append(h->audit, b, entry);
    int rc = write_batch(h, b, err, errlen);
    rw_batch_free(b);
    json_decref(entry);
    rw_handling_unlock(h);
    return rc;
}

typedef struct {
    rw_handling_t *h;
    rw_batch_t *b;
    double now;
    long n;
} sweep_t;

static int sweep_one(void *ud, const char *key, size_t klen, const char *val, size_t vlen)
{
    (void)key;
    (void)klen;
    sweep_t *s = ud;
    static const char closed[] = "\"status\":\"closed\"";
    if (memmem(val, vlen, closed, sizeof closed - 1)) return 0; /* most leads, at no parse */
    json_t *r = json_loadb(val, vlen, 0, NULL);
    int now = r ? rw_lead_overdue(r, s->now) : 0;
    if (r && now != json_is_true(json_object_get(r, "overdue"))) {
        const char *mode = json_string_value(json_object_get(r, "mode"));
        if (!mode || strcmp(mode, "shadow")) {
            json_object_set_new(r, "overdue", json_boolean(now));
            json_object_set_new(
                r, "revision",
                json_integer(json_integer_value(json_object_get(r, "revision")) + 1));
            put_lead(s->h, s->b, r);
            s->n++;
        }
    }
    json_decref(r);
    return 0;
}

long rw_handling_sweep_overdue(rw_handling_t *h, double now, char *err, size_t errlen)
{
    rw_handling_lock(h);
    sweep_t s = {.h = h, .b = rw_batch_new(h->o.store), .now = now};
    rw_store_scan(h->o.store, RW_CF_LEADS, "", 0, sweep_one, &s);
    long n = s.n;
    if (n && write_batch(h, s.b, err, errlen)) n = -1;
    rw_batch_free(s.b);
    rw_handling_unlock(h);
    return n;
}

rw_store_t *rw_handling_store(rw_handling_t *h)
{
    return h->o.store;
}
