/* cli.h — what the subcommands share: the command table entry, common options
 * (--rules, --models, --set) and loading the rules with printed diagnostics. */
#ifndef RW_CLI_H
#define RW_CLI_H

#include "rules.h"

#include <stdio.h>

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} rw_command_t;

typedef struct {
    const char *rules_dir, *models_dir;
    rw_param_setting_t sets[64];
    size_t n_sets;
} rw_cli_common_t;

void rw_cli_common_init(rw_cli_common_t *c);
/* Handles --rules/--models/--set for getopt_long (codes 'R', 'M', 'S'); 1 when
 * handled, 0 when not a common option, -1 on a bad value (message printed). */
int rw_cli_common_opt(rw_cli_common_t *c, int code, char *arg);
/* Loads the rules; prints diagnostics (warnings too when `warnings`) to stderr. */
rw_rules_t *rw_cli_load_rules(const rw_cli_common_t *c, int warnings);
rw_load_opts_t rw_cli_load_opts(const rw_cli_common_t *c);

/* An integer option's value: all of text a decimal integer in [min, max] (LLONG_MAX: no
 * upper bound). Returns 0 with *out, or -1 after printing what the option needs. */
int rw_cli_int(const char *cmd, const char *opt, const char *text, long long min, long long max,
               long long *out);

/* A command's subcommand word (`regwatch users add …`): returns it and shifts it off
 * argc/argv; NULL when missing or an option, after printing usage — to stdout with
 * *rc 0 for --help, else to stderr with *rc 2. */
const char *rw_cli_subcommand(int *argc, char ***argv, void (*usage)(FILE *), int *rc);

#define RW_CLI_COMMON_LONGOPTS                                                                     \
    {"rules", required_argument, 0, 'R'}, {"models", required_argument, 0, 'M'},                   \
    {                                                                                              \
        "set", required_argument, 0, 'S'                                                           \
    }

#define RW_CLI_COMMON_HELP                                                                         \
    "  --rules DIR        规则目录（默认 rules/）\n"                                       \
    "  --models DIR       模型目录（默认 models/）\n"

int rw_cmd_check(int argc, char **argv);
int rw_cmd_test(int argc, char **argv);
int rw_cmd_replay(int argc, char **argv);
int rw_cmd_run(int argc, char **argv);
int rw_cmd_broker(int argc, char **argv);
int rw_cmd_model(int argc, char **argv);
int rw_cmd_statutes(int argc, char **argv);
int rw_cmd_leads(int argc, char **argv);
int rw_cmd_users(int argc, char **argv);
int rw_cmd_audit(int argc, char **argv);
int rw_cmd_backtest(int argc, char **argv);

#endif
