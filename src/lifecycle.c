/* lifecycle.c — the transition table of leads.md and the record changes of each action. */
#include "lifecycle.h"

#include "event.h"
#include "rules.h"
#include "rwtime.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const status_names[RW_ST__COUNT] = {
    "new", "accepted", "verifying", "confirmed", "dismissed", "closed", "returned"};
/* states, not the actions that lead to them (as the console names them) */
static const char *const status_labels[RW_ST__COUNT] = {"下发",   "已签收", "核查中", "属实",
                                                        "不属实", "已办结", "已退回"};

#define S(x) (1u << RW_ST_##x)
#define ANY_OPEN (S(NEW) | S(ACCEPTED) | S(VERIFYING) | S(CONFIRMED) | S(DISMISSED) | S(RETURNED))

/* Field requirements: 'r' required, 'o' optional; anything else is refused. */
static const struct {
    const char *name, *label;
    unsigned from;
    int to; /* -1: unchanged */
    int supervisor_only;
    const char *note, *measure, *decision_ref, *reason, *department, *region;
} acts[RW_ACT__COUNT] = {
    [RW_ACT_ACCEPT] = {"accept", "签收", S(NEW), RW_ST_ACCEPTED, 0, "o", 0, 0, 0, 0, 0},
    [RW_ACT_VERIFY] = {"verify", "核查", S(ACCEPTED), RW_ST_VERIFYING, 0, "o", 0, 0, 0, 0, 0},
    [RW_ACT_CONFIRM] = {"confirm", "属实", S(VERIFYING), RW_ST_CONFIRMED, 0, "r", "r", "o", 0, 0,
                        0},
    [RW_ACT_DISMISS] = {"dismiss", "不属实", S(VERIFYING), RW_ST_DISMISSED, 0, "r", 0, 0, "r", 0,
                        0},
    [RW_ACT_RETURN] = {"return", "退回", S(NEW), RW_ST_RETURNED, 0, "o", 0, 0, "r", 0, 0},
    [RW_ACT_REASSIGN] = {"reassign", "改派", S(RETURNED), RW_ST_NEW, 1, "o", 0, 0, 0, "o", "o"},
    [RW_ACT_CLOSE] = {"close", "办结", S(CONFIRMED) | S(DISMISSED), RW_ST_CLOSED, 1, "o", 0, 0, 0,
                      0, 0},
    [RW_ACT_SEND_BACK] = {"send_back", "退回重办", S(CONFIRMED) | S(DISMISSED), RW_ST_VERIFYING, 1,
                          "r", 0, 0, 0, 0, 0},
    [RW_ACT_REOPEN] = {"reopen", "重新打开", S(CLOSED), RW_ST_NEW, 1, "r", 0, 0, 0, 0, 0},
    [RW_ACT_URGE] = {"urge", "督办", ANY_OPEN, -1, 1, "r", 0, 0, 0, 0, 0},
};

static const char *const measures[] = {"责令改正", "立案调查", "行政处罚", "移送",
                                       "约谈",     "其他",     NULL};
static const char *const dismiss_reasons[] = {"数据错误",   "规则误报", "已处置",
                                              "不属本辖区", "其他",     NULL};

int rw_status_parse(const char *s)
{
    for (int i = 0; s && i < RW_ST__COUNT; i++)
        if (!strcmp(s, status_names[i])) return i;
    return -1;
}

const char *rw_status_name(rw_status_t s)
{
    return status_names[s];
}

const char *rw_status_label(rw_status_t s)
{
    return status_labels[s];
}

int rw_action_parse(const char *s)
{
    for (int i = 0; s && i < RW_ACT__COUNT; i++)
        if (!strcmp(s, acts[i].name)) return i;
    return -1;
}

const char *rw_action_name(rw_action_t a)
{
    return acts[a].name;
}

const char *rw_action_label(rw_action_t a)
{
    return acts[a].label;
}

int rw_action_permitted(rw_action_t a, rw_role_t role)
{
    return role == RW_ROLE_SUPERVISOR || (role == RW_ROLE_REGULATOR && !acts[a].supervisor_only);
}

int rw_action_applies(rw_action_t a, rw_status_t from)
{
    return (acts[a].from & (1u << from)) != 0;
}

json_t *rw_actions_allowed(rw_status_t from, rw_role_t role)
{
    json_t *arr = json_array();
    for (int a = 0; a < RW_ACT__COUNT; a++)
        if (rw_action_permitted((rw_action_t)a, role) && rw_action_applies((rw_action_t)a, from))
            json_array_append_new(arr, json_string(acts[a].name));
    return arr;
}

static int in_list(const char *v, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(v, *list)) return 1;
    return 0;
}

static void join(char *out, size_t n, const char *const *list)
{
    out[0] = 0;
    for (size_t i = 0; list[i]; i++)
        snprintf(out + strlen(out), n - strlen(out), "%s%s", i ? "、" : "", list[i]);
}

/* The requirement of `field` for action a: "r", "o" or NULL (refused). */
static const char *requirement(rw_action_t a, const char *field)
{
    if (!strcmp(field, "action") || !strcmp(field, "revision")) return "o";
    if (!strcmp(field, "note")) return acts[a].note;
    if (!strcmp(field, "measure")) return acts[a].measure;
    if (!strcmp(field, "decision_ref")) return acts[a].decision_ref;
    if (!strcmp(field, "reason")) return acts[a].reason;
    if (!strcmp(field, "department")) return acts[a].department;
    if (!strcmp(field, "region")) return acts[a].region;
    return NULL;
}

#define FAIL(c, ...)                                                                               \
    do {                                                                                           \
        *code = c;                                                                                 \
        snprintf(msg, msglen, __VA_ARGS__);                                                        \
        return -1;                                                                                 \
    } while (0)

/* 1 when f is missing or holds nothing but spaces: a required text is never blank. */
static int blank(const json_t *f)
{
    for (const char *p = json_string_value(f); p && *p;) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        else if (!strncmp(p, "\u3000", 3)) /* 全角空格 */
            p += 3;
        else
            return 0;
    }
    return 1;
}

/* A department is named in scopes ("3201,食品经营监管处"), where an all-digit item is a
 * region and a comma separates items: such a name could never be put in a scope. */
static int department_valid(const char *d)
{
    return strspn(d, "0123456789") < strlen(d) && !strchr(d, ',');
}

int rw_action_request_check(const json_t *req, const char **code, char *msg, size_t msglen)
{
    if (!json_is_object(req)) FAIL("bad_request", "请求体应为 JSON 对象");
    const json_t *action = json_object_get(req, "action");
    if (!json_is_string(action))
        FAIL("missing_field", "缺少 "
                              "action（accept、verify、confirm、dismiss、return、reassign、close、s"
                              "end_back、reopen、urge）");
    int a = rw_action_parse(json_string_value(action));
    if (a < 0) FAIL("bad_value", "未知的处置动作「%s」", json_string_value(action));
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)req, k, v)
    {
        if (!requirement((rw_action_t)a, k))
            FAIL("unknown_field", "动作 %s 不接受字段「%s」", acts[a].name, k);
        if (!strcmp(k, "revision")) {
            if (!json_is_integer(v) || json_integer_value(v) < 1)
                FAIL("bad_value", "revision 应为正整数");
        } else if (!json_is_string(v) ||
                   !rw_utf8_valid(json_string_value(v), json_string_length(v))) {
            FAIL("bad_value", "字段「%s」应为字符串", k);
        } else if (json_string_length(v) > 4000) {
            FAIL("bad_value", "字段「%s」过长（最多 4000 字节）", k);
        }
    }
    static const char *const fields[] = {
        "note", "measure", "decision_ref", "reason", "department", "region", NULL};
    static const char *const labels[] = {"说明（note）",
                                         "处置措施（measure）",
                                         "决定书文号",
                                         "理由（reason）",
                                         "部门",
                                         "地区",
                                         NULL};
    for (size_t i = 0; fields[i]; i++) {
        const char *r = requirement((rw_action_t)a, fields[i]);
        const json_t *f = json_object_get(req, fields[i]);
        if (r && r[0] == 'r' && blank(f))
            FAIL("missing_field", "「%s」需要填写%s", acts[a].label, labels[i]);
    }
    char list[256];
    const json_t *m = json_object_get(req, "measure");
    if (m && !in_list(json_string_value(m), measures)) {
        join(list, sizeof list, measures);
        FAIL("bad_value", "处置措施应为：%s", list);
    }
    const json_t *reason = json_object_get(req, "reason");
    if (a == RW_ACT_DISMISS && !in_list(json_string_value(reason), dismiss_reasons)) {
        join(list, sizeof list, dismiss_reasons);
        FAIL("bad_value", "不属实的理由应为：%s", list);
    }
    const json_t *department = json_object_get(req, "department");
    if (a == RW_ACT_REASSIGN && !json_string_length(department) &&
        !json_string_length(json_object_get(req, "region")))
        FAIL("missing_field", "改派需要新的部门（department）或地区（region）");
    if (json_string_length(department) &&
        (blank(department) || !department_valid(json_string_value(department))))
        FAIL("bad_value", "部门应为部门名称（不能是空白、全是数字或含逗号）");
    const json_t *region = json_object_get(req, "region");
    if (region && !rw_region_valid(json_string_value(region), json_string_length(region)))
        FAIL("bad_value", "地区应为 2–12 位数字的行政区划代码"); /* as an event's region */
    return a;
}

int rw_action_changes_something(const json_t *record, rw_action_t a, const json_t *req)
{
    if (a != RW_ACT_REASSIGN) return 1;
    static const char *const fields[] = {"department", "region"};
    for (size_t i = 0; i < 2; i++) {
        const json_t *want = json_object_get(req, fields[i]);
        if (json_string_length(want) && !json_equal(want, json_object_get(record, fields[i])))
            return 1;
    }
    return 0;
}

/* Sets field to v (a new reference) and records [old, new] when they differ. */
static void change(json_t *record, json_t *changes, const char *field, json_t *v)
{
    json_t *old = json_object_get(record, field);
    if (!old) old = json_null();
    if (!json_equal(old, v)) json_object_set_new(changes, field, json_pack("[O,O]", old, v));
    json_object_set_new(record, field, v);
}

static json_t *string_or_null(const json_t *j)
{
    return json_is_string(j) && json_string_length(j) ? json_copy((json_t *)j) : json_null();
}

static json_t *deadlines(const json_t *record, double now, const rw_calendar_t *cal, int tz)
{
    int level = rw_level_parse(json_string_value(json_object_get(record, "level")));
    if (level < 0) level = RW_LEVEL_BLUE;
    char accept_by[64], close_by[64];
    rw_time_format(rw_calendar_deadline(cal, now, tz, cal->accept_days[level]), tz, accept_by);
    rw_time_format(rw_calendar_deadline(cal, now, tz, cal->close_days[level]), tz, close_by);
    return json_pack("{s:s,s:s}", "accept_by", accept_by, "close_by", close_by);
}

void rw_action_apply(json_t *record, rw_action_t a, const json_t *req, const char *actor,
                     double now, const rw_calendar_t *cal, int tz, json_t *changes)
{
    char at[64];
    rw_time_format_ms(now, tz, at);
    const json_t *note = json_object_get(req, "note");
    if (acts[a].to >= 0) change(record, changes, "status", json_string(status_names[acts[a].to]));
    switch (a) {
    case RW_ACT_ACCEPT:
        change(record, changes, "assignee", json_string(actor));
        break;
    case RW_ACT_CONFIRM:
        change(record, changes, "disposition",
               json_pack("{s:s,s:O,s:o,s:O,s:s,s:s}", "result", "confirmed", "measure",
                         json_object_get(req, "measure"), "decision_ref",
                         string_or_null(json_object_get(req, "decision_ref")), "note", note, "by",
                         actor, "at", at));
        break;
    case RW_ACT_DISMISS:
        change(record, changes, "disposition",
               json_pack("{s:s,s:O,s:O,s:s,s:s}", "result", "dismissed", "reason",
                         json_object_get(req, "reason"), "note", note, "by", actor, "at", at));
        break;
    case RW_ACT_RETURN:
        change(record, changes, "assignee", json_null());
        break;
    case RW_ACT_CLOSE: {
        json_t *d = json_copy(json_object_get(record, "disposition"));
        if (!json_is_object(d)) {
            json_decref(d);
            d = json_object();
        }
        json_object_set_new(d, "closed_by", json_string(actor));
        json_object_set_new(d, "closed_at", json_string(at));
        change(record, changes, "disposition", d);
        break;
    }
    case RW_ACT_SEND_BACK:
        change(record, changes, "disposition", json_null());
        break;
    case RW_ACT_REASSIGN:
    case RW_ACT_REOPEN:
        if (a == RW_ACT_REASSIGN) {
            const json_t *dep = json_object_get(req, "department"),
                         *reg = json_object_get(req, "region");
            if (json_string_length(dep))
                change(record, changes, "department", json_copy((json_t *)dep));
            if (json_string_length(reg))
                change(record, changes, "region", json_copy((json_t *)reg));
        }
        change(record, changes, "assignee", json_null());
        change(record, changes, "disposition", json_null());
        change(record, changes, "due", deadlines(record, now, cal, tz));
        break;
    case RW_ACT_VERIFY:
    case RW_ACT_URGE:
    case RW_ACT__COUNT:
        break;
    }
    if (a != RW_ACT_URGE) {
        change(record, changes, "overdue", json_boolean(rw_lead_overdue(record, now)));
        json_object_set_new(
            record, "revision",
            json_integer(json_integer_value(json_object_get(record, "revision")) + 1));
    }
}

static double deadline(const json_t *due, const char *field)
{
    const char *t = json_string_value(json_object_get(due, field));
    double when;
    return t && !rw_time_parse(t, strlen(t), &when, NULL) ? when : INFINITY;
}

double rw_lead_overdue_after_fields(const char *mode, const char *status, double accept_by,
                                    double close_by)
{
    int st = rw_status_parse(status);
    if ((mode && !strcmp(mode, "shadow")) || st < 0 || st == RW_ST_CLOSED) return INFINITY;
    if (st != RW_ST_NEW && st != RW_ST_RETURNED) return close_by;
    return accept_by < close_by ? accept_by : close_by;
}

double rw_lead_overdue_after(const json_t *record)
{
    const json_t *due = json_object_get(record, "due");
    return rw_lead_overdue_after_fields(json_string_value(json_object_get(record, "mode")),
                                        json_string_value(json_object_get(record, "status")),
                                        deadline(due, "accept_by"), deadline(due, "close_by"));
}

int rw_lead_overdue(const json_t *record, double now)
{
    return now > rw_lead_overdue_after(record);
}
