/* cmd_replay.c — `regwatch replay`: the engine over a JSON Lines file. */
#include "cli.h"

#include "engine.h"
#include "replay.h"
#include "rwtime.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void write_lead(void *ud, const rw_lead_out_t *lead)
{
    fwrite(lead->text, 1, lead->len, ud);
    fputc('\n', ud);
}

static void usage(void)
{
    printf(
        "用法: regwatch replay EVENTS.jsonl [选项]\n\n"
        "在 JSON Lines 事件文件（- 为标准输入）上运行引擎，不需要 Kafka。线索的每个版本按顺序\n"
        "写成 JSON Lines；无效事件写入拒绝文件（含行号与原因），处理继续。\n\n" RW_CLI_COMMON_HELP
        "  --out FILE         线索输出（默认标准输出）\n"
        "  --rejects FILE     无效事件的拒绝文件（含行号与原因）；不给时写到标准错误\n"
        "  --state DIR        RocksDB 状态目录（跨次运行保留；默认用临时目录并在结束时删除）\n"
        "  --set [规则:]参数=值 覆盖参数（YAML 标量，可重复，最后生效）\n"
        "  --now TIME         检查未来事件（晚于 TIME 一天以上视为无效）；默认不检查\n"
        "  --parse-only       只读取并解析 JSON，测量基线吞吐\n"
        "  --progress         在终端显示进度条\n"
        "  --batch N          每 N 个事件提交一次状态（默认 200000；内存状态超出预算时提前提交；\n"
        "                     回放不写 WAL，状态在正常结束时落盘）\n"
        "  --cache-mb N       内存中实体状态的预算，单位 MiB（默认 128；各引擎线程分摊）\n"
        "  --threads N        引擎线程数，实体按 ID 分到各线程（默认为 CPU 核数，最多 16；\n"
        "                     线索与单线程时逐字节相同）\n"
        "  --quiet            不打印统计\n");
}

int rw_cmd_replay(int argc, char **argv)
{
    rw_cli_common_t c;
    rw_cli_common_init(&c);
    const char *out_path = NULL, *rejects_path = NULL, *state = NULL, *now = NULL;
    int parse_only = 0, progress = 0, quiet = 0;
    long long batch = 0, cache_mb = 0, threads = 0;
    static const struct option longopts[] = {RW_CLI_COMMON_LONGOPTS,
                                             {"out", required_argument, 0, 'o'},
                                             {"rejects", required_argument, 0, 'r'},
                                             {"state", required_argument, 0, 's'},
                                             {"now", required_argument, 0, 'n'},
                                             {"parse-only", no_argument, 0, 'p'},
                                             {"progress", no_argument, 0, 'P'},
                                             {"quiet", no_argument, 0, 'q'},
                                             {"batch", required_argument, 0, 'b'},
                                             {"cache-mb", required_argument, 0, 'c'},
                                             {"threads", required_argument, 0, 't'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "ho:q", longopts, NULL)) != -1) {
        int r = rw_cli_common_opt(&c, opt, optarg);
        if (r < 0) return 2;
        if (r) continue;
        switch (opt) {
        case 'o':
            out_path = optarg;
            break;
        case 'r':
            rejects_path = optarg;
            break;
        case 's':
            state = optarg;
            break;
        case 'n':
            now = optarg;
            break;
        case 'p':
            parse_only = 1;
            break;
        case 'P':
            progress = 1;
            break;
        case 'q':
            quiet = 1;
            break;
        case 'b':
            if (rw_cli_int("replay", "--batch", optarg, 1, LLONG_MAX, &batch)) return 2;
            break;
        case 'c':
            if (rw_cli_int("replay", "--cache-mb", optarg, 1, 1 << 20, &cache_mb)) return 2;
            break;
        case 't':
            if (rw_cli_int("replay", "--threads", optarg, 1, RW_SHARDS_MAX, &threads)) return 2;
            break;
        case 'h':
            usage();
            return 0;
        default:
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "regwatch replay: 需要一个事件文件（见 --help）\n");
        return 2;
    }
    const char *events = argv[optind];
    if (strcmp(events, "-") != 0 &&
        access(events, R_OK) != 0) { /* before any output file is created */
        fprintf(stderr, "regwatch replay: 无法打开事件文件 %s: %s\n", events, strerror(errno));
        return 1;
    }
    char err[1024];
    rw_replay_result_t res;
    if (parse_only) {
        if (rw_replay_parse_only(events, &res, err, sizeof err)) {
            fprintf(stderr, "regwatch replay: %s\n", err);
            return 1;
        }
        if (!quiet)
            fprintf(stderr, "仅解析：%llu 行，%.2f 秒，%.0f 事件/秒\n",
                    (unsigned long long)res.lines, res.seconds,
                    res.seconds > 0 ? res.lines / res.seconds : 0);
        return 0;
    }
    double future_now = 0;
    if (now && rw_time_parse(now, strlen(now), &future_now, NULL)) {
        fprintf(stderr,
                "regwatch replay: --now 需要 RFC 3339 时间，如 2026-03-04T10:00:00+08:00\n");
        return 2;
    }
    rw_rules_t *rules = rw_cli_load_rules(&c, 1);
    if (!rules) return 1;
    /* invalid events are never dropped silently (events.md): without a rejects file
     * their records go to stderr, whatever --quiet says */
    FILE *out = stdout, *rejects = stderr;
    if (out_path && !(out = fopen(out_path, "w"))) {
        fprintf(stderr, "regwatch replay: 无法写入 %s: %s\n", out_path, strerror(errno));
        rw_rules_free(rules);
        return 1;
    }
    setvbuf(out, NULL, _IOFBF, 1 << 20); /* lead revisions run to gigabytes: few large writes */
    if (rejects_path && !(rejects = fopen(rejects_path, "w"))) {
        fprintf(stderr, "regwatch replay: 无法写入 %s: %s\n", rejects_path, strerror(errno));
        if (out != stdout) fclose(out);
        rw_rules_free(rules);
        return 1;
    }
    char tmp[] = "/tmp/regwatch-replay-XXXXXX";
    const char *dir = state;
    if (!dir && !(dir = mkdtemp(tmp))) {
        fprintf(stderr, "regwatch replay: 无法创建临时状态目录\n");
        return 1;
    }
    rw_store_t *store;
    int rc = 1;
    if (rw_store_open(&store, dir, err, sizeof err) == 0) {
        rw_store_skip_wal(store);
        rw_engine_opts_t eo = {.store = store,
                               .rules = rules,
                               .sink = write_lead,
                               .sink_ud = out,
                               .cache_bytes = (size_t)cache_mb << 20,
                               .check_future = future_now > 0,
                               .future_now = future_now};
        rw_replay_opts_t ro = {.path = events,
                               .rejects = rejects,
                               .progress = progress,
                               .batch = (size_t)batch,
                               .shards = (unsigned)threads};
        if (rw_replay_run(&eo, &ro, &res, err, sizeof err) == 0) {
            rc = 0;
            const rw_engine_stats_t *st = &res.stats;
            if (!quiet)
                fprintf(stderr,
                        "回放：%llu 行，%.2f 秒，%.0f 事件/秒；应用 %llu，重复 %llu，迟到 "
                        "%llu，无效 %llu，未知类型 %llu；"
                        "新线索 %llu，抑制 %llu，无有效法律依据 %llu\n",
                        (unsigned long long)res.lines, res.seconds,
                        res.seconds > 0 ? res.lines / res.seconds : 0,
                        (unsigned long long)st->outcomes[RW_OUT_APPLIED],
                        (unsigned long long)st->outcomes[RW_OUT_DUPLICATE],
                        (unsigned long long)st->outcomes[RW_OUT_LATE],
                        (unsigned long long)st->outcomes[RW_OUT_INVALID],
                        (unsigned long long)st->outcomes[RW_OUT_UNKNOWN_TYPE],
                        (unsigned long long)st->leads_created,
                        (unsigned long long)st->leads_suppressed,
                        (unsigned long long)st->triggers_unbacked);
        } else
            fprintf(stderr, "regwatch replay: %s\n", err);
        rw_store_close(store);
    } else
        fprintf(stderr, "regwatch replay: %s\n", err);
    if (!state) rw_rmtree(dir);
    if (out != stdout) fclose(out);
    if (rejects != stderr) fclose(rejects);
    rw_rules_free(rules);
    return rc;
}
