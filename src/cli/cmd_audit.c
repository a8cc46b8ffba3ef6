/* cmd_audit.c — `regwatch audit verify|list`: the hash-chained audit log of a state
 * directory (read-only: works beside a running service). */
#include "cli.h"

#include "audit.h"
#include "store.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *lead, *actor;
} list_t;

static int print_entry(void *ud, const json_t *e)
{
    list_t *l = ud;
    const char *lead = json_string_value(json_object_get(e, "lead"));
    const char *actor = json_string_value(json_object_get(e, "actor"));
    if ((l->lead && (!lead || strcmp(lead, l->lead))) ||
        (l->actor && (!actor || strcmp(actor, l->actor))))
        return 0;
    char *s = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
    puts(s);
    free(s);
    return 0;
}

static void usage(FILE *out)
{
    fprintf(out, "用法:\n"
                 "  regwatch audit verify [--state DIR]                 校验哈希链；退出码 0 "
                 "完好，1 指出第一条问题记录\n"
                 "  regwatch audit list [--lead ID] [--actor 用户] [--state DIR]   审计记录（JSON "
                 "Lines，按序号）\n");
}

int rw_cmd_audit(int argc, char **argv)
{
    const char *state = "state";
    list_t l = {0};
    static const struct option longopts[] = {{"state", required_argument, 0, 's'},
                                             {"lead", required_argument, 0, 'l'},
                                             {"actor", required_argument, 0, 'a'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    int rc;
    const char *sub = rw_cli_subcommand(&argc, &argv, usage, &rc);
    if (!sub) return rc;
    int opt;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case 's':
            state = optarg;
            break;
        case 'l':
            l.lead = optarg;
            break;
        case 'a':
            l.actor = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc || (strcmp(sub, "verify") && strcmp(sub, "list"))) {
        usage(stderr);
        return 2;
    }
    rw_store_t *store;
    char err[1024];
    if (rw_store_open_ro(&store, state, err, sizeof err)) {
        fprintf(stderr, "regwatch audit: %s\n", err);
        return 1;
    }
    rc = 0;
    if (!strcmp(sub, "list")) {
        rw_audit_scan(store, print_entry, &l);
    } else {
        rw_audit_report_t r;
        rw_audit_verify(store, &r);
        if (r.ok) {
            printf("审计日志完好：%" PRIu64 " 条记录，哈希链连续\n", r.entries);
        } else {
            printf("审计日志被篡改：第 %" PRIu64 " 条 — %s\n", r.first_bad, r.reason);
            rc = 1;
        }
    }
    rw_store_close(store);
    return rc;
}
