/* api.c — HTTP handlers of the API (api.h, docs/api.md). */
#include "api.h"

#include "audit.h"
#include "backtest.h"
#include "evset.h"
#include "leadquery.h"
#include "lifecycle.h"
#include "log.h"
#include "rwtime.h"
#include "util.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct rw_api {
    rw_api_opts_t o;
    const rw_rules_t *rules;     /* under the handling lock */
    pthread_mutex_t backtesting; /* one backtest at a time: each holds a history in memory */
};

static char *dup_or_null(const char *s)
{
    return s ? rw_xstrdup(s) : NULL;
}

rw_api_t *rw_api_new(const rw_api_opts_t *o)
{
    rw_api_t *a = rw_xcalloc(1, sizeof *a);
    a->o = *o;
    a->o.rules_dir = dup_or_null(o->rules_dir ? o->rules_dir : "rules");
    a->o.models_dir = dup_or_null(o->models_dir ? o->models_dir : "models");
    a->o.bootstrap = dup_or_null(o->bootstrap);
    a->o.topic_events = dup_or_null(o->topic_events ? o->topic_events : "regwatch.events");
    pthread_mutex_init(&a->backtesting, NULL);
    return a;
}

void rw_api_free(rw_api_t *a)
{
    if (!a) return;
    free((char *)a->o.rules_dir);
    free((char *)a->o.models_dir);
    free((char *)a->o.bootstrap);
    free((char *)a->o.topic_events);
    pthread_mutex_destroy(&a->backtesting);
    free(a);
}

void rw_api_set_rules(rw_api_t *a, const rw_rules_t *rules)
{
    a->rules = rules;
    rw_handling_set_calendar(a->o.handling, &rules->calendar, rules->catalog.tz_offset_min);
}

static int tz_of(rw_api_t *a)
{
    rw_handling_lock(a->o.handling);
    int tz = a->rules ? a->rules->catalog.tz_offset_min : 480;
    rw_handling_unlock(a->o.handling);
    return tz;
}

/* ---- plumbing -------------------------------------------------------------------------- */

static void reply_error(rw_http_resp_t *resp, const rw_handling_error_t *e)
{
    json_t *err = rw_http_error_object(e->code, e->message);
    if (e->allowed) json_object_set(err, "allowed", e->allowed);
    rw_http_json(resp, e->status, json_pack("{s:o}", "error", err));
}

/* The caller, or 0 after answering 401. */
static int authenticate(rw_api_t *a, const rw_http_req_t *req, rw_http_resp_t *resp, rw_user_t *u)
{
    const char *h = rw_http_header(req, "Authorization");
    /* the scheme is case-insensitive (RFC 9110 §11.1), the token is not */
    if (h && !strncasecmp(h, "Bearer ", 7) && rw_users_authenticate(a->o.users, h + 7, u) == 0)
        return 1;
    rw_http_error(resp, 401, "unauthorized",
                  h ? "令牌无效或已停用" : "需要登录：请求头 Authorization: Bearer <令牌>");
    return 0;
}

static int require_role(rw_http_resp_t *resp, const rw_user_t *u, unsigned roles, const char *what)
{
    if (roles & (1u << u->role)) return 1;
    char msg[256];
    snprintf(msg, sizeof msg, "角色「%s」不能%s", rw_role_label(u->role), what);
    rw_http_error(resp, 403, "forbidden", msg);
    return 0;
}

#define ROLE(r) (1u << RW_ROLE_##r)

/* leads.md's roles: every role but admin (users and reloads) reads leads and statistics */
static int authenticate_reader(rw_api_t *a, const rw_http_req_t *req, rw_http_resp_t *resp,
                               rw_user_t *u)
{
    if (!authenticate(a, req, resp, u)) return 0;
    if (require_role(resp, u, ROLE(REGULATOR) | ROLE(SUPERVISOR) | ROLE(AUTHOR) | ROLE(AUDITOR),
                     "查看线索和统计"))
        return 1;
    rw_user_free(u);
    return 0;
}

/* The request body as a JSON object, or NULL after answering 400/413. */
static json_t *body_json_max(const rw_http_req_t *req, rw_http_resp_t *resp, size_t max)
{
    if (req->body_len > max) {
        char msg[64];
        snprintf(msg, sizeof msg, "请求体超过 %zu KiB", max / 1024);
        rw_http_error(resp, 413, "body_too_large", msg);
        return NULL;
    }
    json_error_t je;
    json_t *j = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        char msg[300];
        snprintf(msg, sizeof msg, "请求体不是有效的 JSON（第 %d 行第 %d 列：%s）", je.line,
                 je.column, je.text);
        rw_http_error(resp, 400, "bad_json", msg);
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        rw_http_error(resp, 400, "bad_request", "请求体应为 JSON 对象");
        return NULL;
    }
    return j;
}

static json_t *body_json(const rw_http_req_t *req, rw_http_resp_t *resp)
{
    return body_json_max(req, resp, RW_API_MAX_BODY);
}

static const char *query_param(void *ud, const char *name)
{
    const char *v = rw_http_query(ud, name);
    return v && *v ? v : NULL;
}

static int parse_filter(rw_api_t *a, const rw_http_req_t *req, rw_http_resp_t *resp,
                        rw_lead_filter_t *f)
{
    char err[256];
    if (rw_lead_filter_parse(f, query_param, (void *)req, tz_of(a), err, sizeof err) == 0) return 1;
    rw_lead_filter_free(f);
    rw_http_error(resp, 400, "bad_value", err);
    return 0;
}

static json_t *diags_json(const rw_diags_t *d)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < d->n; i++) {
        const rw_diag_t *x = &d->items[i];
        json_array_append_new(arr, json_pack("{s:s?,s:i,s:i,s:s,s:s}", "file", x->file, "line",
                                             x->line, "col", x->col, "severity",
                                             x->sev == RW_DIAG_ERROR ? "error" : "warning",
                                             "message", x->msg));
    }
    return arr;
}

/* Reads the request's keys into out[] by name; 0 after answering 400 for an unknown
 * key or a value that is not a string. */
static int string_fields(const json_t *b, const char *const *names, const char **out,
                         rw_http_resp_t *resp)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)b, k, v)
    {
        size_t i = 0;
        while (names[i] && strcmp(names[i], k))
            i++;
        char msg[128];
        if (!names[i]) {
            snprintf(msg, sizeof msg, "不接受字段「%s」", k);
            rw_http_error(resp, 400, "unknown_field", msg);
            return 0;
        }
        if (!json_is_string(v)) {
            snprintf(msg, sizeof msg, "字段「%s」应为字符串", k);
            rw_http_error(resp, 400, "bad_value", msg);
            return 0;
        }
        out[i] = json_string_value(v);
    }
    return 1;
}

/* The path after prefix, up to the next '/' (rest points there), or NULL when empty. */
static char *segment(const char *path, const char *prefix, const char **rest)
{
    const char *p = path + strlen(prefix), *end = strchr(p, '/');
    if (!end) end = p + strlen(p);
    if (rest) *rest = end;
    return end > p ? rw_xstrndup(p, (size_t)(end - p)) : NULL;
}

/* ---- handlers -------------------------------------------------------------------------- */

static void h_me(void *ud, const rw_http_req_t *req, rw_http_resp_t *resp)
{
    rw_user_t u;
    if (!authenticate(ud, req, resp, &u)) return;
    rw_http_json(resp, 200, rw_user_json(&u));
    rw_user_free(&u);
}

static void h_leads(void *ud, const rw_http_req_t *req, rw_http_resp_t *resp)
{
    rw_api_t *a = ud;
    rw_user_t u;
    if (!authenticate_reader(a, req, resp, &u)) return;
    rw_lead_filter_t f;
    if (parse_filter(a, req, resp, &f)) {
        rw_http_json(resp, 200, rw_leads_query(a->o.handling, &u, &f, rw_now()));
        rw_lead_filter_free(&f);
    }
    rw_user_free(&u);
}

static void lead_action(rw_api_t *a, const rw_user_t *u, const char *id, const rw_http_req_t *req,
                        rw_http_resp_t *resp)
{
    json_t *body = body_json(req, resp);
    if (!body) return;
    rw_handling_error_t err = {0};
    json_t *view = rw_handling_act(a->o.handling, u, id, body, "api", rw_now(), &err);
    json_decref(body);
    if (view)
        rw_http_json(resp, 200, view);
    else
        reply_error(resp, &err);
    rw_handling_error_clear(&err);
}

/* GET /api/leads/{id}, POST /api/leads/{id}/actions */
static void h_lead(void *ud, const rw_http_req_t *req, rw_http_resp_t *resp)
{
    rw_api_t *a = ud;
    const char *rest;
    char *id = segment(req->path, "/api/leads/", &rest);
    int get = !strcmp(req->method, "GET"), actions = rest && !strcmp(rest, "/actions");
    if (!id || (*rest && !actions)) {
        free(id);
        rw_http_error(resp, 404, "not_found", "没有这个接口");
        return;
    }
    if (get == actions) { /* GET …/actions or POST to the lead itself */
        free(id);
        rw_http_error(resp, 405, "method_not_allowed",
                      "线索用 GET /api/leads/{id} 查看，处置用 POST /api/leads/{id}/actions");
        resp->allow = actions ? "POST" : "GET, HEAD";
        return;
    }
    rw_user_t u;
    if (get ? authenticate_reader(a, req, resp, &u) : authenticate(a, req, resp, &u)) {
        if (get) {
            rw_handling_error_t err = {0};
            json_t *v = rw_handling_view(a->o.handling, &u, id, rw_now(), &err);
            if (v)
                rw_http_json(resp, 200, v);
            else
                reply_error(resp, &err);
            rw_handling_error_clear(&err);
        } else {
            lead_action(a, &u, id, req, resp);
        }
        rw_user_free(&u);
    }
    free(id);
}

/* A rule's suppression names its open lead: one the user may not see stays unnamed. */
static void hide_unseen_suppression(rw_api_t *a, const rw_user_t *u, json_t *suppress)
{
    const char *rule;
    json_t *ref, *tmp;
    json_object_foreach_safe(suppress, tmp, rule, ref)
    {
        if (!rw_handling_visible(a->o.handling, u, json_string_value(json_object_get(ref, "lead"))))
            json_object_del(suppress, rule);
    }
}

static void h_entity(void *ud, const rw_http_req_t *req, rw_http_resp_t *resp)
{
    rw_api_t *a = ud;
    /* the whole rest of the path: an entity id may hold '/' (events.md), and the path
     * comes URL-decoded, so A%2FB arrives as A/B; nothing lies below an entity */
    const char *p = req->path + strlen("/api/entities/");
    char *id = *p ? rw_xstrdup(p) : NULL;
    rw_user_t u;
    if (!id) {
        rw_http_error(resp, 404, "not_found", "没有这个接口");
    } else if (authenticate_reader(a, req, resp, &u)) {
        json_t *e = NULL;
        if (a->o.entity) {
            rw_handling_lock(a->o.handling);
            e = a->o.entity(a->o.ud, id);
            rw_handling_unlock(a->o.handling);
        }
        const json_t *p = json_object_get(e, "profile");
        /* an entity is in scope by its region; departments are the leads' business */
        if (!e || !rw_scope_contains(
                      &(rw_scope_t){.regions = u.scope.regions, .n_regions = u.scope.n_regions},
                      json_string_value(json_object_get(p, "region")), NULL)) {
            json_decref(e);
            rw_http_error(resp, 404, "not_found", "没有这个主体（或不在您的管辖范围内）");
        } else {
            rw_lead_filter_t f = {
                .overdue = -1, .mode = "all", .limit = 500, .entity = json_pack("[s]", id)};
            json_t *q = rw_leads_query(a->o.handling, &u, &f, rw_now());
            json_object_set(e, "leads", json_object_get(q, "leads"));
            hide_unseen_suppression(a, &u, json_object_get(e, "suppress"));
            json_decref(q);
            rw_lead_filter_free(&f);
            rw_http_json(resp, 200, e);
        }
        rw_user_free(&u);
    }
    free(id);
}

static json_t *rule_json(const rw_rules_t *r, const rw_rule_t *rule)
{
    const rw_ruleset_t *rs = &r->rulesets[rule->ruleset];
    json_t *params = json_object(), *clauses = json_array();
    for (size_t i = 0; i < rs->n_params; i++)
        json_object_set_new(params, rs->param_names[i], rw_value_to_json(rs->base[i]));
    for (size_t i = 0; i < rule->n_clauses; i++)
        json_array_append_new(clauses, json_string(rule->clause_text[i]));
    json_t *item = rule->item >= 0
                       ? json_pack("{s:s,s:s}", "code", r->catalog.items[rule->item].code, "name",
                                   r->catalog.items[rule->item].name)
                       : json_null();
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:s,s:i}", "id", rule->id, "title",
                     rule->title, "ruleset", rs->name, "mode", rule->shadow ? "shadow" : "live",
                     "level", rule->fixed_level >= 0 ? rw_level_name(rule->fixed_level) : "map",
                     "department", rule->department ? json_string(rule->department) : json_null(),
                     "description",
                     rule->description ? json_string(rule->description) : json_null(), "item", item,
                     "clauses", clauses, "params", params, "file", rule->file, "line", rule->line);
}

static void h_rules(void *ud, const rw_http_req_t *req, rw_http_resp_t *resp)
{
    rw_api_t *a = ud;
    rw_user_t u;
    if (!authenticate(a, req, resp, &u)) return;
    json_t *arr = json_array();
    rw_handling_lock(a->o.handling);
    for (size_t i = 0; a->rules && i < a->rules->n_rules; i++)
        json_array_append_new(arr, rule_json(a->rules, &a->rules->rules[i]));
    rw_handling_unlock(a->o.handling);
    rw_http_json(resp, 200, json_pack("{s:o}", "rules", arr));
    rw_user_free(&u);
}

/* Statistics of one group, an empty group when nothing matched. */
static json_t *stats_of(rw_api_t *a, const rw_user_t *u, rw_lead_filter_t *f, const char *by)
{
    json_t *s = rw_leads_stats(a->o.handling, u, f, by, rw_now());
    json_t *g = json_incref(json_array_get(json_object_get(s, "groups"), 0));
    json_decref(s);
    return g;
}

/* GET /api/rules/{id}/stats */
static void h_rule(void *ud, const rw_http_req_t *req, rw_http_resp_t *resp)
{
    rw_api_t *a = ud;
    const char *rest;
    char *id = segment(req->path, "/api/rules/", &rest);
    rw_user_t u;
    if (!id || strcmp(rest, "/stats")) {
        rw_http_error(resp, 404, "not_found", "没有这个接口");
    } else if (authenticate_reader(a, req, resp, &u)) {
        rw_handling_lock(a->o.handling);
        int known = a->rules && rw_rules_find(a->rules, id) >= 0;
        rw_handling_unlock(a->o.handling);
        rw_lead_filter_t f;
        if (!known) {
            rw_http_error(resp, 404, "not_found", "没有这条规则");
        } else if (parse_filter(a, req, resp, &f)) {
            json_decref(f.rule);
            f.rule = json_pack("[s]", id);
            json_t *g = stats_of(a, &u, &f, "rule");
            if (!g) g = json_pack("{s:s,s:i}", "key", id, "leads", 0);
            rw_http_json(resp, 200, g);
            rw_lead_filter_free(&f);
        }
        rw_user_free(&u);
    }
    free(id);
}

static void h_stats(void *ud, const rw_http_req_t *req, rw_http_resp_t *resp)
{
    rw_api_t *a = ud;
    rw_user_t u;
    if (!authenticate_reader(a, req, resp, &u)) return;
    const char *by = rw_http_query(req, "by");
    rw_lead_filter_t f;
    if (parse_filter(a, req, resp, &f)) {
        json_t *s = rw_leads_stats(a->o.handling, &u, &f, by ? by : "rule", rw_now());
        if (s)
            rw_http_json(resp, 200, s);
        else
            rw_http_error(resp, 400, "bad_value", "by 应为 rule、ruleset、department 或 region");
        rw_lead_filter_free(&f);
    }
    rw_user_free(&u);
}

static void h_statute(void *ud, const rw_http_req_t *req, rw_http_resp_t *resp)
{
    rw_api_t *a = ud;
    rw_user_t u;
    if (!authenticate(a, req, resp, &u)) return;
    const char *ref = req->path + strlen("/api/statutes/");
    char err[256];
    rw_clause_ref_t r;
    rw_handling_lock(a->o.handling);
    if (!a->rules || !*ref || rw_clause_ref_parse(a->rules->statutes, ref, &r, err, sizeof err))
        rw_http_error(resp, 404, "not_found",
                      *ref ? err : "需要条款引用，如 food-safety-law#34.1.6");
    else
        rw_http_json(resp, 200, rw_clause_history_json(&r, ref));
    rw_handling_unlock(a->o.handling);
    rw_user_free(&u);
}

static json_t *law_json(const rw_law_t *law)
{
    json_t *versions = json_array(), *aliases = json_array();
    char day[11];
    for (size_t i = 0; i < law->n_versions; i++) {
        rw_date_format(law->versions[i].effective, day);
        json_array_append_new(
            versions, json_pack("{s:s,s:s}", "effective", day, "source", law->versions[i].source));
    }
    for (size_t i = 0; i < law->n_aliases; i++)
        json_array_append_new(aliases, json_string(law->aliases[i]));
    json_t *repealed = json_null();
    if (law->repealed != RW_DAY_NONE) {
        rw_date_format(law->repealed, day);
        repealed = json_string(day);
    }
    return json_pack("{s:s,s:s,s:s?,s:o,s:o,s:o}", "id", law->id, "title", law->title, "level",
                     law->level, "aliases", aliases, "versions", versions, "repealed", repealed);
}

static void h_laws(void *ud, const rw_http_req_t *req, rw_http_resp_t *resp)
{
    rw_api_t *a = ud;
    rw_user_t u;
    if (!authenticate(a, req, resp, &u)) return;
    json_t *laws = json_array();
    rw_handling_lock(a->o.handling);
    for (size_t i = 0; a->rules && i < a->rules->statutes->n_laws; i++)
        json_array_append_new(laws, law_json(&a->rules->statutes->laws[i]));
    rw_handling_unlock(a->o.handling);
    rw_http_json(resp, 200, json_pack("{s:o}", "laws", laws));
    rw_user_free(&u);
}

/* The version in force on the query's date parameter, or `fallback` without one. */
static const rw_law_version_t *version_param(const rw_http_req_t *req, const char *name,
                                             const rw_law_t *law, const rw_law_version_t *fallback,
                                             int *bad)
{
    const char *v = query_param((void *)req, name);
    int64_t day;
    if (!v) return fallback;
    if (rw_date_parse(v, &day)) {
        *bad = 1;
        return NULL;
    }
    return rw_law_version_at(law, day);
}

/* GET /api/laws/{id}/diff?from=DATE&to=DATE (default: the last two versions) */
static void h_law(void *ud, const rw_http_req_t *req, rw_http_resp_t *resp)
{
    rw_api_t *a = ud;
    const char *rest;
    char *id = segment(req->path, "/api/laws/", &rest);
    rw_user_t u;
    if (!id || strcmp(rest, "/diff")) {
        rw_http_error(resp, 404, "not_found", "没有这个接口");
    } else if (authenticate(a, req, resp, &u)) {
        rw_handling_lock(a->o.handling);
        const rw_law_t *law = a->rules ? rw_statutes_find(a->rules->statutes, id) : NULL;
        int bad = 0;
        const rw_law_version_t *last = law ? &law->versions[law->n_versions - 1] : NULL;
        const rw_law_version_t *to = law ? version_param(req, "to", law, last, &bad) : NULL;
        const rw_law_version_t *from =
            law ? version_param(req, "from", law, to && to > law->versions ? to - 1 : NULL, &bad)
                : NULL;
        rw_law_diff_t d;
        if (!law)
            rw_http_error(resp, 404, "not_found", "法规库中没有这部法律法规");
        else if (bad)
            rw_http_error(resp, 400, "bad_value", "from、to 应为 YYYY-MM-DD");
        else if (!from || !to || rw_law_diff(law, from, to, &d))
            rw_http_error(resp, 404, "not_found",
                          "没有可比较的两个版本（from 应早于 to，且都在第一个版本施行之后）");
        else {
            rw_http_json(resp, 200, rw_law_diff_json(&d));
            rw_law_diff_free(&d);
        }
        rw_handling_unlock(a->o.handling);
        rw_user_free(&u);
    }
    free(id);
}

typedef struct {
    const rw_user_t *u;
    const char *lead, *actor;
    size_t offset, limit, total;
    json_t *entries;
} audit_q_t;

static int audit_one(void *ud, const json_t *e)
{
    audit_q_t *q = ud;
    const char *lead = json_string_value(json_object_get(e, "lead"));
    /* entries about no lead (user management) are for auditors of everything */
    int visible =
        lead ? rw_scope_contains(&q->u->scope, json_string_value(json_object_get(e, "region")),
                                 json_string_value(json_object_get(e, "department")))
             : q->u->scope.n_regions == 0 && q->u->scope.n_departments == 0;
    if (!visible || (q->lead && (!lead || strcmp(lead, q->lead))) ||
        (q->actor && strcmp(json_string_value(json_object_get(e, "actor")), q->actor)))
        return 0;
    if (q->total >= q->offset && q->total < q->offset + q->limit)
        json_array_append(q->entries, (json_t *)e);
    q->total++;
    return 0;
}

static void h_audit(void *ud, const rw_http_req_t *req, rw_http_resp_t *resp)
{
    rw_api_t *a = ud;
    rw_user_t u;
    if (!authenticate(a, req, resp, &u)) return;
    if (require_role(resp, &u, ROLE(AUDITOR), "查看审计日志")) {
        rw_lead_filter_t f; /* for offset and limit, read as for lists */
        if (parse_filter(a, req, resp, &f)) {
            audit_q_t q = {.u = &u,
                           .lead = query_param((void *)req, "lead"),
                           .actor = query_param((void *)req, "actor"),
                           .offset = f.offset,
                           .limit = f.limit,
                           .entries = json_array()};
            rw_audit_scan(rw_handling_store(a->o.handling), audit_one, &q);
            rw_http_json(
                resp, 200,
                json_pack("{s:I,s:o}", "total", (json_int_t)q.total, "entries", q.entries));
            rw_lead_filter_free(&f);
        }
    }
    rw_user_free(&u);
}

static void h_audit_verify(void *ud, const rw_http_req_t *req, rw_http_resp_t *resp)
{
    rw_api_t *a = ud;
    rw_user_t u;
    if (!authenticate(a, req, resp, &u)) return;
    if (require_role(resp, &u, ROLE(AUDITOR), "校验审计日志")) {
        rw_audit_report_t r;
        rw_audit_verify(rw_handling_store(a->o.handling), &r);
        if (r.ok)
            rw_http_json(resp, 200,
                         json_pack("{s:b,s:I}", "ok", 1, "entries", (json_int_t)r.entries));
        else
            rw_http_json(resp, 200,
                         json_pack("{s:b,s:I,s:I,s:s}", "ok", 0, "entries", (json_int_t)r.entries,
                                   "first_bad", (json_int_t)r.first_bad, "reason", r.reason));
    }
    rw_user_free(&u);
}

/* GET /api/users, POST /api/users {"name", "role", "scope"} */
static void h_users(void *ud, const rw_http_req_t *req, rw_http_resp_t *resp)
{
    rw_api_t *a = ud;
    rw_user_t u;
    if (!authenticate(a, req, resp, &u)) return;
    static const char *const names[] = {"name", "role", "scope", NULL};
    const char *f[3] = {0};
    json_t *b = NULL;
    char token[48], err[512];
    if (!require_role(resp, &u, ROLE(ADMIN), "管理用户")) {
    } else if (!strcmp(req->method, "GET")) {
        rw_http_json(resp, 200, json_pack("{s:o}", "users", rw_users_list(a->o.users)));
    } else if (!(b = body_json(req, resp)) || !string_fields(b, names, f, resp)) {
    } else if (!f[0] || !f[1]) {
        rw_http_error(resp, 400, "missing_field", "需要 name 和 role（scope 可省略，表示全部）");
    } else if (rw_users_add(a->o.users, f[0], f[1], f[2], token, err, sizeof err)) {
        int taken = strstr(err, "已存在") != NULL;
        rw_http_error(resp, taken ? 409 : 400, taken ? "conflict" : "bad_value", err);
    } else {
        json_t *details =
            json_pack("{s:s,s:s,s:s}", "user", f[0], "user_role", f[1], "scope", f[2] ? f[2] : "*");
        if (rw_handling_audit(a->o.handling, &u, "user_add", "api", details, rw_now(), err,
                              sizeof err))
            rw_error("api", "用户 %s 已添加，但审计记录写入失败: %s", f[0], err);
        json_decref(details);
        rw_http_json(resp, 201,
                     json_pack("{s:s,s:s,s:s}", "user", f[0], "role", f[1], "token", token));
    }
    json_decref(b);
    rw_user_free(&u);
}

static void h_reload(void *ud, const rw_http_req_t *req, rw_http_resp_t *resp)
{
    rw_api_t *a = ud;
    rw_user_t u;
    if (!authenticate(a, req, resp, &u)) return;
    if (require_role(resp, &u, ROLE(ADMIN), "重新加载配置")) {
        char err[512];
        int rc = -1;
        if (a->o.reload) {
            rw_handling_lock(a->o.handling);
            rc = a->o.reload(a->o.ud, err, sizeof err);
            rw_handling_unlock(a->o.handling);
        } else {
            snprintf(err, sizeof err, "此服务不支持重新加载");
        }
        if (rc)
            rw_http_error(resp, 422, "reload_failed", err);
        else
            rw_http_json(resp, 200, json_pack("{s:b}", "ok", 1));
    }
    rw_user_free(&u);
}

static void reply_check_failed(rw_http_resp_t *resp, const rw_diags_t *d)
{
    rw_http_json(resp, 422,
                 json_pack("{s:{s:s,s:s,s:o}}", "error", "code", "check_failed", "message",
                           "候选规则集未通过检查（见 diagnostics）", "diagnostics", diags_json(d)));
}

/* POST /api/check {"ruleset": YAML text, "ruleset_name"}: `regwatch check` of the live
 * rules with the ruleset replaced (or added). */
static void h_check(void *ud, const rw_http_req_t *req, rw_http_resp_t *resp)
{
    rw_api_t *a = ud;
    rw_user_t u;
    if (!authenticate(a, req, resp, &u)) return;
    json_t *b = NULL;
    static const char *const names[] = {"ruleset", "ruleset_name", NULL};
    const char *f[2] = {0};
    if (require_role(resp, &u, ROLE(AUTHOR) | ROLE(ADMIN), "检查规则") &&
        (b = body_json_max(req, resp, RW_API_MAX_BODY)) && string_fields(b, names, f, resp)) {
        rw_diags_t d;
        rw_diags_init(&d);
        rw_load_opts_t lo = {.rules_dir = a->o.rules_dir,
                             .models_dir = a->o.models_dir,
                             .today = rw_local_day(rw_now(), tz_of(a)),
                             .ruleset_text = f[0],
                             .ruleset_len = f[0] ? strlen(f[0]) : 0,
                             .ruleset_name = f[1] ? f[1] : "候选规则集.yaml"};
        rw_rules_t *r = NULL;
        rw_rules_load(&r, &lo, &d);
        rw_http_json(resp, 200,
                     json_pack("{s:b,s:I,s:I,s:o}", "ok", d.errors == 0, "errors",
                               (json_int_t)d.errors, "warnings", (json_int_t)d.warnings,
                               "diagnostics", diags_json(&d)));
        rw_rules_free(r);
        rw_diags_free(&d);
    }
    json_decref(b);
    rw_user_free(&u);
}

/* The history of a backtest request: inline JSON Lines, or the events topic between two times. */
static int backtest_events(rw_api_t *a, const char *text, const char *from, const char *to,
                           rw_evset_t *set, char *err, size_t errlen)
{
    if (text) {
        char path[] = "/tmp/regwatch-backtest-XXXXXX";
        int fd = mkstemp(path);
        size_t len = strlen(text);
        int rc = fd < 0 || write(fd, text, len) != (ssize_t)len ? -1 : 0;
        if (fd >= 0) close(fd);
        if (rc == 0)
            rc = rw_evset_load_file(set, path, NULL, NULL, err, errlen);
        else
            snprintf(err, errlen, "无法暂存事件");
        unlink(path);
        if (rc == 0 && set->n == 0 && set->lines > 0) { /* all invalid: read as "no change" */
            snprintf(err, errlen,
                     "events 中没有有效事件（共 %" PRIu64
                     " 行）：请检查文件格式（JSON Lines，每行一个事件）",
                     set->lines);
            rc = -1; /* the caller frees the set */
        }
        return rc;
    }
    int tz = tz_of(a);
    double t0, t1;
    if (!from || !to || rw_time_parse_loose(from, tz, 0, &t0) ||
        rw_time_parse_loose(to, tz, 1, &t1)) {
        snprintf(err, errlen,
                 "需要事件：events（JSON Lines 文本），或 from 与 to（YYYY-MM-DD 或 RFC "
                 "3339）取事件主题中的一段");
        return -1;
    }
    if (t1 < t0) {
        snprintf(err, errlen, "事件截止 %s 早于起始 %s", to, from);
        return -1;
    }
    if (!a->o.bootstrap) {
        snprintf(err, errlen, "此服务没有可读的事件主题");
        return -1;
    }
    rw_topic_range_t r = {
        .bootstrap = a->o.bootstrap, .topic = a->o.topic_events, .from = t0, .to = t1};
    return rw_evset_load_topic(set, &r, NULL, NULL, err, errlen);
}

/* POST /api/backtest {"ruleset", "ruleset_name", "events" | "from","to", "sweep"}:
 * docs/backtest.md's report of the live rules against the candidate, or a sweep,
 * over the caller's regions, judged by the dispositions in the lead store. */
static void h_backtest(void *ud, const rw_http_req_t *req, rw_http_resp_t *resp)
{
    rw_api_t *a = ud;
    rw_user_t u;
    if (!authenticate(a, req, resp, &u)) return;
    json_t *b = NULL;
    static const char *const names[] = {"ruleset", "ruleset_name", "events", "from",
                                        "to",      "sweep",        NULL};
    const char *f[6] = {0};
    if (!require_role(resp, &u, ROLE(AUTHOR), "运行回测") ||
        !(b = body_json_max(req, resp, RW_API_MAX_BACKTEST_BODY)) ||
        !string_fields(b, names, f, resp))
        goto out;
    char err[512];
    rw_sweep_t sweep = {0};
    if (f[5] && rw_sweep_parse(f[5], &sweep, err, sizeof err)) {
        rw_http_error(resp, 400, "bad_value", err);
        goto out;
    }
    if (pthread_mutex_trylock(&a->backtesting)) {
        rw_sweep_free(&sweep);
        rw_http_error(resp, 429, "busy", "另一个回测正在运行，请稍后再试");
        goto out;
    }
    rw_evset_t events = {0};
    if (backtest_events(a, f[2], f[3], f[4], &events, err, sizeof err)) {
        rw_http_error(resp, 400, "bad_events", err);
    } else {
        rw_lead_filter_t all = {.overdue = -1, .mode = "all", .limit = SIZE_MAX};
        json_t *past = rw_leads_query(a->o.handling, &u, &all, rw_now());
        rw_diags_t d;
        rw_diags_init(&d);
        rw_backtest_opts_t bo = {.rules_dir = a->o.rules_dir,
                                 .models_dir = a->o.models_dir,
                                 .ruleset_text = f[0],
                                 .ruleset_len = f[0] ? strlen(f[0]) : 0,
                                 .ruleset_name = f[1] ? f[1] : "候选规则集.yaml",
                                 .events = &events,
                                 .events_label = f[2] ? "上传的事件" : "事件主题",
                                 .past = json_object_get(past, "leads"),
                                 .regions = (const char *const *)u.scope.regions,
                                 .n_regions = u.scope.n_regions,
                                 .sweep = f[5] ? &sweep : NULL,
                                 .today = rw_local_day(rw_now(), tz_of(a))};
        json_t *report = rw_backtest_run(&bo, &d, err, sizeof err);
        if (report)
            rw_http_json(resp, 200,
                         json_pack("{s:o,s:o}", "report", report, "diagnostics", diags_json(&d)));
        else if (d.errors)
            reply_check_failed(resp, &d);
        else
            rw_http_error(resp, 400, "backtest_failed", err);
        rw_diags_free(&d);
        json_decref(past);
    }
    rw_evset_free(&events);
    rw_sweep_free(&sweep);
    pthread_mutex_unlock(&a->backtesting);
out:
    json_decref(b);
    rw_user_free(&u);
}

/* Any other /api/ path: a JSON 404, not the console's static files. */
static void h_unknown(void *ud, const rw_http_req_t *req, rw_http_resp_t *resp)
{
    (void)ud;
    (void)req;
    rw_http_error(resp, 404, "not_found", "没有这个接口（见 docs/api.md）");
}

void rw_api_routes(rw_api_t *a, rw_http_t *http)
{
    static const struct {
        const char *method, *path, *params;
        rw_http_handler_fn fn;
    } routes[] = {
        {"GET", "/api/me", "", h_me},
        {"GET", "/api/leads", RW_LEAD_FILTER_PARAMS, h_leads},
        {"GET", "/api/leads/", "", h_lead},
        {"POST", "/api/leads/", "", h_lead},
        {"GET", "/api/entities/", "", h_entity},
        {"GET", "/api/rules", "", h_rules},
        {"GET", "/api/rules/", "", h_rule},
        {"GET", "/api/stats", RW_LEAD_FILTER_PARAMS ",by", h_stats},
        {"GET", "/api/statutes/", "", h_statute},
        {"GET", "/api/laws", "", h_laws},
        {"GET", "/api/laws/", "from,to", h_law},
        {"GET", "/api/audit", "lead,actor,offset,limit", h_audit},
        {"GET", "/api/audit/verify", "", h_audit_verify},
        {"GET", "/api/users", "", h_users},
        {"POST", "/api/users", "", h_users},
        {"POST", "/api/reload", "", h_reload},
        {"POST", "/api/check", "", h_check},
        {"POST", "/api/backtest", "", h_backtest},
        /* last: first registered wins, so only unknown paths get here, by any method */
        {"*", "/api/", NULL, h_unknown},
    };
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++)
        rw_http_route(http, routes[i].method, routes[i].path, routes[i].params, routes[i].fn, a);
}
