/* cmd_model.c — `regwatch model fit`: refit a logistic model from dispositioned leads. */
#include "cli.h"

#include "modelfit.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(void)
{
    printf("用法: regwatch model fit 模型名 --leads 已处置线索.jsonl [--out 文件] [--l2 1.0]\n\n"
           "按处置结果（属实=1，不属实=0）以 L2 惩罚的最大似然（牛顿/IRLS）重新估计 logistic "
           "模型的截距与权重；\n"
           "输入取自每条线索记录的模型证据。打印系数、标准误、对数似然与留出集（按线索 id 固定抽取 "
           "20%%）AUC，\n"
           "并写出新版本的模型文件（默认覆盖 模型目录/模型名.yaml）。\n\n" RW_CLI_COMMON_HELP
           "  --leads FILE       线索记录（JSON Lines，每条线索取最新版本）\n"
           "  --out FILE         写出的模型文件\n"
           "  --l2 X             L2 惩罚强度（默认 1.0，截距不惩罚）\n");
}

int rw_cmd_model(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "fit") != 0) {
        if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
            usage();
            return 0;
        }
        fprintf(stderr, "regwatch model: 需要子命令 fit（见 regwatch model --help）\n");
        return 2;
    }
    argc--;
    argv++;
    rw_cli_common_t c;
    rw_cli_common_init(&c);
    const char *leads = NULL, *out = NULL;
    double l2 = 1.0;
    static const struct option longopts[] = {RW_CLI_COMMON_LONGOPTS,
                                             {"leads", required_argument, 0, 'l'},
                                             {"out", required_argument, 0, 'o'},
                                             {"l2", required_argument, 0, 'L'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        int r = rw_cli_common_opt(&c, opt, optarg);
        if (r < 0) return 2;
        if (r) continue;
        switch (opt) {
        case 'l':
            leads = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 'L': {
            char *end;
            l2 = strtod(optarg, &end);
            if (*end || end == optarg || !(l2 >= 0) || isinf(l2)) {
                fprintf(stderr, "regwatch model fit: --l2 需要有限的非负数\n");
                return 2;
            }
            break;
        }
        case 'h':
            usage();
            return 0;
        default:
            return 2;
        }
    }
    if (optind != argc - 1 || !leads) {
        fprintf(stderr, "regwatch model fit: 需要模型名和 --leads（见 --help）\n");
        return 2;
    }
    const char *name = argv[optind];
    rw_rules_t *rules = rw_cli_load_rules(&c, 0);
    if (!rules) return 1;
    int rc = 1, mi = rw_rules_model(rules, name);
    FILE *in = NULL;
    rw_fit_t fit = {0};
    char err[1024], path[4096];
    if (mi < 0) {
        fprintf(stderr, "regwatch model fit: 未知的模型 %s\n", name);
        goto done;
    }
    if (!(in = fopen(leads, "r"))) {
        fprintf(stderr, "regwatch model fit: 无法读取 %s: %s\n", leads, strerror(errno));
        goto done;
    }
    const rw_model_t *m = &rules->models[mi];
    if (rw_model_fit(m, in, l2, &fit, err, sizeof err)) {
        fprintf(stderr, "regwatch model fit: %s\n", err);
        goto done;
    }
    printf("模型 %s：训练 %zu 条，留出 %zu 条（属实 %zu，不属实 %zu；无该模型证据而跳过 %zu "
           "条），%d 次迭代\n",
           name, fit.n_train, fit.n_test, fit.n_pos, fit.n_neg, fit.n_skipped, fit.iterations);
    printf("%-20s %12s %12s\n", "参数", "系数", "标准误");
    for (size_t k = 0; k < fit.n_params; k++)
        printf("%-20s %12.6f %12.6f\n", k ? m->inputs[k - 1].name : "(intercept)", fit.coef[k],
               fit.se[k]);
    printf("对数似然（训练集）: %.4f\n", fit.loglik);
    if (isnan(fit.auc))
        printf("AUC（留出集）: 无法计算（留出集只有一类标签）\n");
    else
        printf("AUC（留出集）: %.4f\n", fit.auc);
    if (!out) {
        snprintf(path, sizeof path, "%s", m->file);
        out = path;
    }
    if (rw_model_write(m, &fit, out, err, sizeof err)) {
        fprintf(stderr, "regwatch model fit: %s\n", err);
        goto done;
    }
    printf("已写出 %s\n", out);
    rc = 0;
done:
    if (in) fclose(in);
    rw_fit_free(&fit);
    rw_rules_free(rules);
    return rc;
}
