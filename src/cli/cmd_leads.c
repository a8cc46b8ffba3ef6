/* cmd_leads.c — `regwatch leads [list|show|act|stats]`: the lead store of a state
 * directory from the command line, through the same library as the HTTP API.
 * Reads open the store read-only (they work beside a running service); `act`
 * needs the store to itself and leaves the new revision in the outbox, which the
 * service publishes when it next starts. */
#include "cli.h"

#include "handling.h"
#include "leadquery.h"
#include "rwtime.h"
#include "store.h"
#include "users.h"

#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *state, *as;
    const char *names[32], *values[32]; /* filter parameters by API name */
    size_t n;
    int clause_changed;
} opts_t;

static const char *param(void *ud, const char *name)
{
    opts_t *o = ud;
    for (size_t i = 0; i < o->n; i++)
        if (!strcmp(o->names[i], name)) return o->values[i];
    return NULL;
}

static void set_param(opts_t *o, const char *name, const char *value)
{
    if (o->n < 32) {
        o->names[o->n] = name;
        o->values[o->n++] = value;
    }
}

static void print_json(const json_t *j, size_t flags)
{
    char *s = json_dumps(j, flags);
    puts(s);
    free(s);
}

static int has_changed_clause(const json_t *lead)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(lead, "clauses"), i,
                       c) if (json_is_object(json_object_get(c, "changed"))) return 1;
    return 0;
}

/* The acting user for --as NAME; without it, every lead (the operator owns the files). */
static int who(const opts_t *o, rw_user_t *u, int required)
{
    memset(u, 0, sizeof *u);
    if (!o->as) {
        if (!required) return 0;
        fprintf(stderr, "regwatch leads: 需要 --as 用户名（由 regwatch users add "
                        "创建），处置记录以其名义写入审计日志\n");
        return -1;
    }
    rw_users_t *users = rw_users_open(o->state);
    int rc = rw_users_find(users, o->as, u);
    rw_users_free(users);
    if (rc) fprintf(stderr, "regwatch leads: 没有启用的用户 %s（见 regwatch users list）\n", o->as);
    return rc;
}

static rw_handling_t *open_handling(const opts_t *o, rw_store_t **store, rw_outbox_t **outbox,
                                    int writable)
{
    char err[1024];
    if ((writable ? rw_store_open : rw_store_open_ro)(store, o->state, err, sizeof err)) {
        fprintf(stderr, "regwatch leads: %s\n", err);
        return NULL;
    }
    *outbox = rw_outbox_open(*store);
    rw_handling_opts_t ho = {
        .store = *store, .outbox = *outbox, .topic_leads = getenv("REGWATCH_TOPIC_LEADS")};
    return rw_handling_new(&ho);
}

static void close_handling(rw_handling_t *h, rw_store_t *store, rw_outbox_t *outbox)
{
    rw_handling_free(h);
    rw_outbox_free(outbox);
    rw_store_close(store);
}

static int do_list(opts_t *o, int stats, const char *by)
{
    rw_lead_filter_t f;
    char err[256];
    rw_user_t u;
    if (rw_lead_filter_parse(&f, param, o, 480, err, sizeof err)) {
        fprintf(stderr, "regwatch leads: %s\n", err);
        rw_lead_filter_free(&f);
        return 2;
    }
    if (!param(o, "limit"))
        f.limit = SIZE_MAX - f.offset; /* the CLI lists everything unless asked */
    if (who(o, &u, 0)) {
        rw_lead_filter_free(&f);
        return 1;
    }
    rw_store_t *store;
    rw_outbox_t *outbox;
    rw_handling_t *h = open_handling(o, &store, &outbox, 0);
    int rc = 1;
    if (h) {
        const rw_user_t *scope = o->as ? &u : NULL;
        if (stats) {
            json_t *s = rw_leads_stats(h, scope, &f, by, rw_now());
            if (s) {
                print_json(s, JSON_INDENT(2));
                rc = 0;
            } else {
                fprintf(stderr,
                        "regwatch leads stats: --by 应为 rule、ruleset、department 或 region\n");
                rc = 2;
            }
            json_decref(s);
        } else {
            json_t *q = rw_leads_query(h, scope, &f, rw_now());
            size_t i, shown = 0;
            json_t *lead;
            json_array_foreach(json_object_get(q, "leads"), i,
                               lead) if (!o->clause_changed || has_changed_clause(lead))
            {
                print_json(lead, JSON_COMPACT);
                shown++;
            }
            /* --clause-changed filters the page here: its total is what was shown */
            json_int_t total = json_integer_value(json_object_get(q, "total"));
            if (!o->clause_changed && (json_int_t)shown < total)
                fprintf(stderr, "共 %lld 条线索，显示其中 %zu 条（--offset %lld）\n",
                        (long long)total, shown,
                        (long long)json_integer_value(json_object_get(q, "offset")));
            else
                fprintf(stderr, "共 %zu 条线索\n", shown);
            json_decref(q);
            rc = 0;
        }
        close_handling(h, store, outbox);
    }
    rw_user_free(&u);
    rw_lead_filter_free(&f);
    return rc;
}

static int report(json_t *view, rw_handling_error_t *err)
{
    if (view) {
        print_json(view, JSON_INDENT(2));
        json_decref(view);
        return 0;
    }
    fprintf(stderr, "regwatch leads: %s（%d %s）\n", err->message, err->status, err->code);
    if (err->allowed) {
        char *a = json_dumps(err->allowed, JSON_COMPACT);
        fprintf(stderr, "当前可执行的动作: %s\n", a);
        free(a);
    }
    rw_handling_error_clear(err);
    return 1;
}

static int do_show(opts_t *o, const char *id)
{
    rw_user_t u;
    if (who(o, &u, 0)) return 1;
    if (!o->as) {
        u.role = RW_ROLE_AUDITOR; /* reads everything; no actions offered */
        u.name = strdup("cli");
    }
    rw_store_t *store;
    rw_outbox_t *outbox;
    rw_handling_t *h = open_handling(o, &store, &outbox, 0);
    int rc = 1;
    if (h) {
        rw_handling_error_t err = {0};
        rc = report(rw_handling_view(h, &u, id, rw_now(), &err), &err);
        close_handling(h, store, outbox);
    }
    rw_user_free(&u);
    return rc;
}

static int do_act(opts_t *o, const rw_cli_common_t *common, const char *id, json_t *req)
{
    rw_user_t u;
    if (who(o, &u, 1)) return 1;
    rw_rules_t *rules = rw_cli_load_rules(common, 0); /* the calendar for new deadlines */
    rw_store_t *store;
    rw_outbox_t *outbox;
    rw_handling_t *h = rules ? open_handling(o, &store, &outbox, 1) : NULL;
    int rc = 1;
    if (h) {
        rw_handling_set_calendar(h, &rules->calendar, rules->catalog.tz_offset_min);
        rw_handling_error_t err = {0};
        rc = report(rw_handling_act(h, &u, id, req, "cli", rw_now(), &err), &err);
        close_handling(h, store, outbox);
    }
    rw_rules_free(rules);
    rw_user_free(&u);
    return rc;
}

static void usage(FILE *out)
{
    fprintf(
        out,
        "用法:\n"
        "  regwatch leads [list] [筛选] [--state DIR] [--as 用户]   列出线索（JSON "
        "Lines，最新在前）\n"
        "  regwatch leads show ID [--as 用户]                      一条线索及其处置时间线\n"
        "  regwatch leads act ID 动作 --as 用户 [--note 说明] [--measure 措施] [--reason 理由]\n"
        "                     [--decision-ref 文号] [--department 部门] [--region 地区] "
        "[--revision N]\n"
        "  regwatch leads stats [--by rule|ruleset|department|region] [筛选] [--as 用户]\n\n"
        "筛选: --status S --level L --rule R --ruleset RS --region 前缀 --department D --entity E\n"
        "      --overdue true|false --urged true --mode live|shadow|all --created-from 日期 "
        "--created-to 日期\n"
        "      --sort -created|created|due|level --offset N --limit N "
        "--clause-changed（条款已修改或废止）\n"
        "多个值以逗号分隔。--as 用户：按其角色与管辖范围（regwatch users add "
        "创建）；list/show/stats\n"
        "省略 --as 时不限范围。动作: accept verify confirm dismiss return reassign close send_back "
        "reopen urge\n"
        "（见 docs/api.md）。读操作可与运行中的服务并行；act 需要独占状态目录（服务运行时请用 HTTP "
        "API），\n"
        "新版本写入发件箱，服务下次启动时发布到线索主题。\n");
}

int rw_cmd_leads(int argc, char **argv)
{
    opts_t o = {.state = "state"};
    rw_cli_common_t common;
    rw_cli_common_init(&common);
    const char *sub = "list", *by = "rule";
    if (argc > 1 && argv[1][0] != '-') {
        sub = argv[1];
        argc--;
        argv++;
    }
    json_t *req = json_object();
    static const struct option longopts[] = {{"state", required_argument, 0, 's'},
                                             {"as", required_argument, 0, 'a'},
                                             {"status", required_argument, 0, 1},
                                             {"level", required_argument, 0, 2},
                                             {"rule", required_argument, 0, 3},
                                             {"ruleset", required_argument, 0, 4},
                                             {"region", required_argument, 0, 5},
                                             {"department", required_argument, 0, 6},
                                             {"entity", required_argument, 0, 7},
                                             {"overdue", required_argument, 0, 8},
                                             {"urged", required_argument, 0, 9},
                                             {"mode", required_argument, 0, 10},
                                             {"created-from", required_argument, 0, 11},
                                             {"created-to", required_argument, 0, 12},
                                             {"sort", required_argument, 0, 13},
                                             {"offset", required_argument, 0, 14},
                                             {"limit", required_argument, 0, 15},
                                             {"clause-changed", no_argument, 0, 'c'},
                                             {"note", required_argument, 0, 20},
                                             {"measure", required_argument, 0, 21},
                                             {"reason", required_argument, 0, 22},
                                             {"decision-ref", required_argument, 0, 23},
                                             {"revision", required_argument, 0, 24},
                                             {"by", required_argument, 0, 'b'},
                                             {"help", no_argument, 0, 'h'},
                                             RW_CLI_COMMON_LONGOPTS,
                                             {0, 0, 0, 0}};
    static const char *const names[] = {NULL,         "status", "level",      "rule",
                                        "ruleset",    "region", "department", "entity",
                                        "overdue",    "urged",  "mode",       "created_from",
                                        "created_to", "sort",   "offset",     "limit"};
    static const char *const fields[] = {"note", "measure", "reason", "decision_ref"};
    int opt, rc = 2;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        int c = rw_cli_common_opt(&common, opt, optarg);
        if (c < 0) goto out;
        if (c) continue;
        if (opt >= 1 && opt <= 15) {
            set_param(&o, names[opt], optarg);
            /* region and department are filters for list and the new values for reassign */
            if (opt == 5 || opt == 6) json_object_set_new(req, names[opt], json_string(optarg));
        } else if (opt >= 20 && opt <= 23) {
            json_object_set_new(req, fields[opt - 20], json_string(optarg));
        } else {
            switch (opt) {
            case 's':
                o.state = optarg;
                break;
            case 'a':
                o.as = optarg;
                break;
            case 'c':
                o.clause_changed = 1;
                break;
            case 'b':
                by = optarg;
                break;
            case 24: {
                long long revision;
                if (rw_cli_int("leads", "--revision", optarg, 1, LLONG_MAX, &revision)) goto out;
                json_object_set_new(req, "revision", json_integer(revision));
                break;
            }
            case 'h':
                usage(stdout);
                rc = 0;
                goto out;
            default:
                usage(stderr);
                goto out;
            }
        }
    }
    if (!strcmp(sub, "list") && optind == argc) {
        rc = do_list(&o, 0, NULL);
    } else if (!strcmp(sub, "stats") && optind == argc) {
        rc = do_list(&o, 1, by);
    } else if (!strcmp(sub, "show") && optind + 1 == argc) {
        rc = do_show(&o, argv[optind]);
    } else if (!strcmp(sub, "act") && optind + 2 == argc) {
        json_object_set_new(req, "action", json_string(argv[optind + 1]));
        rc = do_act(&o, &common, argv[optind], req);
    } else {
        usage(stderr);
    }
out:
    json_decref(req);
    return rc;
}
