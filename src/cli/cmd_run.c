/* cmd_run.c — `regwatch run` (the service) and `regwatch broker` (the embedded Kafka alone). */
#include "cli.h"

#include "broker.h"
#include "config.h"
#include "log.h"
#include "service.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int rw_cmd_run(int argc, char **argv)
{
    const char *path = NULL, *rules = NULL, *models = NULL;
    static const struct option longopts[] = {{"config", required_argument, 0, 'c'},
                                             {"rules", required_argument, 0, 'R'},
                                             {"models", required_argument, 0, 'M'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'c':
            path = optarg;
            break;
        case 'R':
            rules = optarg;
            break;
        case 'M':
            models = optarg;
            break;
        case 'h':
            printf("用法: regwatch run [-c regwatch.json] [--rules DIR] [--models DIR]\n\n"
                   "运行流式服务：从事件主题消费，写状态，产生线索。配置文件为 JSON（见 "
                   "docs/configuration.md），\n"
                   "环境变量 REGWATCH_* 覆盖配置；kafka.* 原样传给 librdkafka。未配置 "
                   "bootstrap.servers 时\n"
                   "启动进程内的内嵌 Kafka 并打印其地址。SIGINT/SIGTERM 优雅停止，SIGHUP "
                   "重新加载规则。\n");
            return 0;
        default:
            return 2;
        }
    }
    rw_config_t cfg;
    char err[1024];
    if (rw_config_load(&cfg, path, err, sizeof err)) {
        fprintf(stderr, "regwatch run: %s\n", err);
        rw_config_free(&cfg);
        return 2;
    }
    if (rules) {
        free(cfg.rules_dir);
        cfg.rules_dir = strdup(rules);
    }
    if (models) {
        free(cfg.models_dir);
        cfg.models_dir = strdup(models);
    }
    rw_log_level_t lvl;
    if (rw_log_level_parse(cfg.log_level, &lvl) == 0) rw_log_set_level(lvl);
    int rc = rw_service_run(&cfg);
    rw_config_free(&cfg);
    return rc;
}

static volatile sig_atomic_t g_broker_stop;

static void broker_signal(int sig)
{
    (void)sig;
    g_broker_stop = 1;
}

int rw_cmd_broker(int argc, char **argv)
{
    long long port = 9092, partitions = 4;
    char topics_arg[1024] = "regwatch.events,regwatch.leads,regwatch.dlq";
    static const struct option longopts[] = {{"port", required_argument, 0, 'p'},
                                             {"partitions", required_argument, 0, 'n'},
                                             {"topics", required_argument, 0, 't'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'p':
            if (rw_cli_int("broker", "--port", optarg, 0, 65535, &port)) return 2;
            break;
        case 'n':
            if (rw_cli_int("broker", "--partitions", optarg, 1, 100000, &partitions)) return 2;
            break;
        case 't':
            snprintf(topics_arg, sizeof topics_arg, "%s", optarg);
            break;
        case 'h':
            printf("用法: regwatch broker [--port 9092] [--partitions 4] [--topics a,b,c]\n\n"
                   "只运行内嵌 Kafka（librdkafka "
                   "模拟集群，回环地址），供演示和测试。消息仅在进程存活期间保留，\n"
                   "每个分区只保留最新约 5 MiB，需要边生产边消费。Ctrl-C 停止。\n");
            return 0;
        default:
            return 2;
        }
    }
    const char *topics[64];
    size_t n = 0;
    for (char *t = strtok(topics_arg, ","); t && n < 63; t = strtok(NULL, ","))
        topics[n++] = t;
    topics[n] = NULL;
    char err[512];
    rw_broker_t *b = rw_broker_start(topics, partitions, port, err, sizeof err);
    if (!b) {
        fprintf(stderr, "regwatch broker: %s\n", err);
        return 1;
    }
    printf("%s\n", rw_broker_address(b));
    fflush(stdout);
    /* block the stop signals except while waiting, so none slips in between check and wait */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &old);
    struct sigaction sa = {.sa_handler = broker_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    while (!g_broker_stop)
        sigsuspend(&old);
    sigprocmask(SIG_SETMASK, &old, NULL);
    rw_broker_stop(b);
    return 0;
}
