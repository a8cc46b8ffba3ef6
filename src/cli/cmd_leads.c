/* cmd_leads.c — `regwatch leads`: lists lead records from a state directory's lead
 * store (the latest revision of each), filtered. */
#include "cli.h"

#include "store.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const char *rule, *status, *entity, *level;
    int clause_changed;
    size_t shown;
} filter_t;

static int str_eq(const json_t *j, const char *s)
{
    return json_is_string(j) && strcmp(json_string_value(j), s) == 0;
}

static int has_changed_clause(const json_t *lead)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(lead, "clauses"), i, c) if (json_is_object(json_object_get(c, "changed"))) return 1;
    return 0;
}

static int visit(void *ud, const char *key, size_t klen, const char *val, size_t vlen)
{
    (void)key;
    (void)klen;
    filter_t *f = ud;
    json_t *lead = json_loadb(val, vlen, 0, NULL);
    if (!lead) return 0;
    int ok = (!f->rule || str_eq(json_object_get(lead, "rule"), f->rule)) &&
             (!f->status || str_eq(json_object_get(lead, "status"), f->status)) &&
             (!f->entity || str_eq(json_object_get(lead, "entity"), f->entity)) &&
             (!f->level || str_eq(json_object_get(lead, "level"), f->level)) &&
             (!f->clause_changed || has_changed_clause(lead));
    if (ok) {
        fwrite(val, 1, vlen, stdout);
        fputc('\n', stdout);
        f->shown++;
    }
    json_decref(lead);
    return 0;
}

int rw_cmd_leads(int argc, char **argv)
{
    const char *state = "state";
    filter_t f = {0};
    static const struct option longopts[] = {
        {"state", required_argument, 0, 's'},  {"rule", required_argument, 0, 'r'},
        {"status", required_argument, 0, 'S'}, {"entity", required_argument, 0, 'e'},
        {"level", required_argument, 0, 'l'},  {"clause-changed", no_argument, 0, 'c'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case 's': state = optarg; break;
        case 'r': f.rule = optarg; break;
        case 'S': f.status = optarg; break;
        case 'e': f.entity = optarg; break;
        case 'l': f.level = optarg; break;
        case 'c': f.clause_changed = 1; break;
        case 'h':
            printf("用法: regwatch leads [--state DIR] [--rule R] [--status S] [--entity E] [--level L] [--clause-changed]\n\n"
                   "列出状态目录线索库中的线索（每条的最新版本，JSON Lines）。--clause-changed 只列出\n"
                   "引用条款在现行版本中已修改或废止（changed 非空）的线索。\n");
            return 0;
        default: return 2;
        }
    }
    rw_store_t *store;
    char err[1024];
    if (rw_store_open(&store, state, err, sizeof err)) {
        fprintf(stderr, "regwatch leads: %s\n", err);
        return 1;
    }
    rw_store_scan(store, RW_CF_LEADS, "", 0, visit, &f);
    rw_store_close(store);
    fprintf(stderr, "共 %zu 条线索\n", f.shown);
    return 0;
}
