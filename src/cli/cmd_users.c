/* cmd_users.c — `regwatch users add|list|disable`: API users and their tokens in
 * STATE/users.json. Works beside a running service, which picks changes up. */
#include "cli.h"

#include "users.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(
        out,
        "用法:\n"
        "  regwatch users add 用户名 --role 角色 [--scope 范围] [--state DIR]   "
        "打印令牌（仅此一次）\n"
        "  regwatch users list [--state DIR]\n"
        "  regwatch users disable 用户名 [--state DIR]                           令牌立即失效\n\n"
        "角色: "
        "regulator（监管人员）supervisor（督办/"
        "审核）author（规则制定者）auditor（审计）admin（管理员）\n"
        "范围: 逗号分隔的地区代码前缀与部门名称，如 3201,食品经营监管处；省略或 * 表示全部。\n"
        "只保存令牌的 SHA-256；令牌丢失时停用该用户并重新添加。\n");
}

int rw_cmd_users(int argc, char **argv)
{
    const char *state = "state", *role = NULL, *scope = NULL;
    static const struct option longopts[] = {{"state", required_argument, 0, 's'},
                                             {"role", required_argument, 0, 'r'},
                                             {"scope", required_argument, 0, 'c'},
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
        case 'r':
            role = optarg;
            break;
        case 'c':
            scope = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    rw_users_t *u = rw_users_open(state);
    char err[512];
    rc = 2;
    if (!strcmp(sub, "add") && optind + 1 == argc && role) {
        char token[48];
        if (rw_users_add(u, argv[optind], role, scope, token, err, sizeof err)) {
            fprintf(stderr, "regwatch users add: %s\n", err);
            rc = 1;
        } else {
            printf("%s\n", token);
            fprintf(stderr, "已添加用户 %s（%s，范围 %s）。以上令牌只显示这一次，请妥善保存。\n",
                    argv[optind], role, scope && *scope ? scope : "全部");
            rc = 0;
        }
    } else if (!strcmp(sub, "list") && optind == argc) {
        json_t *list = rw_users_list(u);
        size_t i;
        json_t *j;
        json_array_foreach(list, i, j)
        {
            char *s = json_dumps(j, JSON_COMPACT);
            puts(s);
            free(s);
        }
        json_decref(list);
        rc = 0;
    } else if (!strcmp(sub, "disable") && optind + 1 == argc) {
        rc = rw_users_disable(u, argv[optind], err, sizeof err) ? 1 : 0;
        if (rc) fprintf(stderr, "regwatch users disable: %s\n", err);
    } else {
        usage(stderr);
    }
    rw_users_free(u);
    return rc;
}
