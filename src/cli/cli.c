/* cli.c — shared option handling and rule loading for the subcommands. */
#include "cli.h"

#include "rwtime.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rw_cli_common_init(rw_cli_common_t *c)
{
    memset(c, 0, sizeof *c);
    c->rules_dir = "rules";
    c->models_dir = "models";
}

int rw_cli_common_opt(rw_cli_common_t *c, int code, char *arg)
{
    switch (code) {
    case 'R':
        c->rules_dir = arg;
        return 1;
    case 'M':
        c->models_dir = arg;
        return 1;
    case 'S':
        if (c->n_sets == sizeof c->sets / sizeof *c->sets) {
            fprintf(stderr, "regwatch: --set 太多\n");
            return -1;
        }
        if (rw_param_setting_parse(arg, &c->sets[c->n_sets])) {
            fprintf(stderr, "regwatch: --set 需要 [规则:]参数=值，如 --set min_complaints=3\n");
            return -1;
        }
        c->n_sets++;
        return 1;
    default:
        return 0;
    }
}

rw_load_opts_t rw_cli_load_opts(const rw_cli_common_t *c)
{
    return (rw_load_opts_t){.rules_dir = c->rules_dir,
                            .models_dir = c->models_dir,
                            .sets = c->sets,
                            .n_sets = c->n_sets,
                            .today = rw_local_day(rw_now(), 480)};
}

rw_rules_t *rw_cli_load_rules(const rw_cli_common_t *c, int warnings)
{
    rw_diags_t d;
    rw_diags_init(&d);
    rw_load_opts_t o = rw_cli_load_opts(c);
    rw_rules_t *r = NULL;
    int rc = rw_rules_load(&r, &o, &d);
    rw_diags_print_if(&d, stderr, warnings);
    if (rc) fprintf(stderr, "regwatch: 规则加载失败（%zu 个错误）\n", d.errors);
    rw_diags_free(&d);
    return r;
}

int rw_cli_int(const char *cmd, const char *opt, const char *text, long long min, long long max,
               long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end || v < min || v > max) {
        if (max == LLONG_MAX)
            fprintf(stderr, "regwatch %s: %s 需要不小于 %lld 的整数，这里是 \"%s\"\n", cmd, opt,
                    min, text);
        else
            fprintf(stderr, "regwatch %s: %s 需要 %lld 到 %lld 之间的整数，这里是 \"%s\"\n", cmd,
                    opt, min, max, text);
        return -1;
    }
    *out = v;
    return 0;
}

const char *rw_cli_subcommand(int *argc, char ***argv, void (*usage)(FILE *), int *rc)
{
    if (*argc < 2 || (*argv)[1][0] == '-') {
        int help = *argc > 1 && !strcmp((*argv)[1], "--help");
        usage(help ? stdout : stderr);
        *rc = help ? 0 : 2;
        return NULL;
    }
    (*argc)--;
    (*argv)++;
    return (*argv)[0];
}
