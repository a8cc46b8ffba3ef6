/* cmd_test.c — `regwatch test`: runs the rule tests and ends with "N passed, N failed". */
#include "cli.h"

#include "ruletest.h"

#include <getopt.h>
#include <stdio.h>

int rw_cmd_test(int argc, char **argv)
{
    rw_cli_common_t c;
    rw_cli_common_init(&c);
    const char *tests_dir = NULL;
    static const struct option longopts[] = {RW_CLI_COMMON_LONGOPTS,
                                             {"tests", required_argument, 0, 't'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        int r = rw_cli_common_opt(&c, opt, optarg);
        if (r < 0) return 2;
        if (r) continue;
        if (opt == 't') {
            tests_dir = optarg;
            continue;
        }
        if (opt == 'h') {
            printf("用法: regwatch test [选项]\n\n运行规则测试（默认 "
                   "RULES/tests/*.yaml），逐个用例打印 PASS/FAIL 与差异，\n"
                   "最后一行为 \"N passed, N failed\"；有失败时退出码为 1。\n\n" RW_CLI_COMMON_HELP
                   "  --tests DIR        测试目录（默认 规则目录/tests）\n");
            return 0;
        }
        return 2;
    }
    char dir[4096];
    if (!tests_dir) {
        snprintf(dir, sizeof dir, "%s/tests", c.rules_dir);
        tests_dir = dir;
    }
    rw_diags_t d;
    rw_diags_init(&d);
    rw_load_opts_t o = rw_cli_load_opts(&c);
    rw_ruletest_result_t res;
    int rc = rw_ruletest_run(&o, tests_dir, stdout, &res, &d);
    rw_diags_print_if(&d, stderr, 0);
    rw_diags_free(&d);
    printf("%d passed, %d failed\n", res.passed, res.failed);
    return rc || res.failed ? 1 : 0;
}
