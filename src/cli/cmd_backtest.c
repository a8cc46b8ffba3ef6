/* cmd_backtest.c — `regwatch backtest`: current against candidate rules, or a
 * threshold sweep, over a history from a file or the events topic; writes the report
 * as JSON, HTML and PNG. */
#include "cli.h"

#include "backtest.h"
#include "report.h"
#include "rwtime.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(void)
{
    printf(
        "用法: regwatch backtest --events FILE [选项]\n"
        "      regwatch backtest --topic regwatch.events --bootstrap HOST:PORT --from T1 --to T2 "
        "[选项]\n\n"
        "在历史事件上用真实引擎比较现行规则与候选规则（逐条规则的线索数、新增与减少的线索、历史处置"
        "\n"
        "给出的精确率、按等级和月份的分布），或对一条规则的一个参数做阈值扫描。每次运行使用独立的\n"
        "内存状态，不触碰线上状态与主题；事件只解析一次，多次运行并行。\n\n"
        "  --events FILE        JSON Lines 事件文件或事件归档（- 为标准输入）\n"
        "  --topic T            或者：从 Kafka 主题读取消息时间戳在 [--from, --to) 内的事件\n"
        "  --bootstrap H:P      Kafka 地址（与 --topic 一起）\n"
        "  --from T1 --to T2    RFC 3339 时间，如 2026-03-01T00:00:00+08:00\n"
        "  --rules DIR          候选规则目录（默认与 --against 相同）\n"
        "  --against DIR        现行规则目录（默认 rules/）\n"
        "  --ruleset FILE       一个规则集文件，替换候选规则中同名（ruleset:）的规则集，或新增\n"
        "  --models DIR         模型目录（默认 models/）\n"
        "  --set [规则:]参数=值  候选规则的参数覆盖（可重复）\n"
        "  --sweep 规则:参数=起..止[/步长] | 规则:参数=值1,值2,…\n"
        "                       阈值扫描（在候选规则上）：每个取值一次运行，报告线索数与精确率\n"
        "  --dispositions FILE  历史线索（regwatch leads 的输出，JSON Lines），用于精确率\n"
        "  --region PREFIX      只报告区划以此开头的线索（可重复）\n"
        "  --report FILE        HTML 报告（表格与内嵌 SVG 图表，可离线打开）\n"
        "  --png FILE           图表 PNG\n"
        "  --json FILE          JSON 报告（- 为标准输出；未指定任何输出时写到标准输出）\n"
        "  --threads N          线程数，各自承担一部分主体（默认 2）\n"
        "  --save-events FILE   把读入的事件（文件或主题）存为事件归档：以后用 --events FILE\n"
        "                       读取它无需再解析 JSON\n"
        "  --save-only          只保存事件归档，不运行回测\n"
        "  --quiet              不打印进度与统计\n");
}

typedef struct {
    const char *label;
    double started;
    int shown;
} bar_t;

static void draw(void *ud, double frac)
{
    bar_t *b = ud;
    int width = 30, fill = (int)(frac * width + 0.5);
    if (fill > width) fill = width;
    fprintf(stderr, "\r%s [%.*s%*s] %5.1f%%  %.0f 秒", b->label, fill,
            "##############################", width - fill, "", frac * 100, rw_mono() - b->started);
    fflush(stderr);
    b->shown = 1;
}

static void bar_end(bar_t *b)
{
    if (b->shown) fputc('\n', stderr);
    b->shown = 0;
}

static int write_file(const char *path, const char *data, size_t len)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "wb") : stdout;
    if (!f || fwrite(data, 1, len, f) != len || (f != stdout && fclose(f))) {
        fprintf(stderr, "regwatch backtest: 无法写入 %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

int rw_cmd_backtest(int argc, char **argv)
{
    rw_cli_common_t c;
    rw_cli_common_init(&c);
    const char *events = NULL, *topic = NULL, *bootstrap = NULL, *from = NULL, *to = NULL,
               *candidate = NULL;
    const char *ruleset = NULL, *disp = NULL, *html = NULL, *png = NULL, *json_out = NULL,
               *sweep_spec = NULL, *save = NULL;
    const char *regions[64];
    size_t n_regions = 0;
    long long threads = 2;
    int quiet = 0, save_only = 0;
    static const struct option longopts[] = {RW_CLI_COMMON_LONGOPTS,
                                             {"events", required_argument, 0, 'e'},
                                             {"topic", required_argument, 0, 't'},
                                             {"bootstrap", required_argument, 0, 'b'},
                                             {"from", required_argument, 0, 'f'},
                                             {"to", required_argument, 0, 'T'},
                                             {"against", required_argument, 0, 'a'},
                                             {"ruleset", required_argument, 0, 'y'},
                                             {"dispositions", required_argument, 0, 'd'},
                                             {"region", required_argument, 0, 'g'},
                                             {"sweep", required_argument, 0, 'w'},
                                             {"report", required_argument, 0, 'r'},
                                             {"png", required_argument, 0, 'p'},
                                             {"json", required_argument, 0, 'j'},
                                             {"threads", required_argument, 0, 'n'},
                                             {"save-events", required_argument, 0, 'A'},
                                             {"save-only", no_argument, 0, 'Z'},
                                             {"quiet", no_argument, 0, 'q'},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "hq", longopts, NULL)) != -1) {
        if (opt == 'R') { /* --rules names the candidate here; --against the current rules */
            candidate = optarg;
            continue;
        }
        int r = rw_cli_common_opt(&c, opt, optarg);
        if (r < 0) return 2;
        if (r) continue;
        switch (opt) {
        case 'e':
            events = optarg;
            break;
        case 'A':
            save = optarg;
            break;
        case 'Z':
            save_only = 1;
            break;
        case 't':
            topic = optarg;
            break;
        case 'b':
            bootstrap = optarg;
            break;
        case 'f':
            from = optarg;
            break;
        case 'T':
            to = optarg;
            break;
        case 'a':
            c.rules_dir = optarg;
            break;
        case 'y':
            ruleset = optarg;
            break;
        case 'd':
            disp = optarg;
            break;
        case 'g':
            if (n_regions == sizeof regions / sizeof *regions) {
                fprintf(stderr, "regwatch backtest: --region 太多\n");
                return 2;
            }
            regions[n_regions++] = optarg;
            break;
        case 'w':
            sweep_spec = optarg;
            break;
        case 'r':
            html = optarg;
            break;
        case 'p':
            png = optarg;
            break;
        case 'j':
            json_out = optarg;
            break;
        case 'n':
            if (rw_cli_int("backtest", "--threads", optarg, 1, 64, &threads)) return 2;
            break;
        case 'q':
            quiet = 1;
            break;
        case 'h':
            usage();
            return 0;
        default:
            return 2;
        }
    }
    if (optind != argc || !events == !topic) {
        fprintf(stderr, "regwatch backtest: 需要 --events FILE 或 --topic（二选一，见 --help）\n");
        return 2;
    }
    if (save_only && !save) {
        fprintf(stderr, "regwatch backtest: --save-only 需要 --save-events FILE\n");
        return 2;
    }
    rw_topic_range_t range = {.bootstrap = bootstrap, .topic = topic};
    if (topic &&
        (!bootstrap || !from || !to || rw_time_parse(from, strlen(from), &range.from, NULL) ||
         rw_time_parse(to, strlen(to), &range.to, NULL))) {
        fprintf(stderr,
                "regwatch backtest: --topic 需要 --bootstrap 以及 RFC 3339 的 --from 和 --to\n");
        return 2;
    }
    char err[1024];
    rw_sweep_t sweep;
    if (sweep_spec && rw_sweep_parse(sweep_spec, &sweep, err, sizeof err)) {
        fprintf(stderr, "regwatch backtest: --sweep: %s\n", err);
        return 2;
    }
    int rc = 1;
    char *ruleset_text = NULL;
    size_t ruleset_len = 0;
    json_t *past = NULL, *report = NULL;
    rw_evset_t ev = {0};
    if (ruleset && !(ruleset_text = rw_read_file(ruleset, &ruleset_len))) {
        fprintf(stderr, "regwatch backtest: 无法读取 %s: %s\n", ruleset, strerror(errno));
        goto out;
    }
    if (disp && !(past = rw_backtest_read_leads(disp, err, sizeof err))) {
        fprintf(stderr, "regwatch backtest: %s\n", err);
        goto out;
    }
    bar_t bar = {.label = "读取事件", .started = rw_mono()};
    int show = !quiet && isatty(fileno(stderr));
    int loaded = events
                     ? rw_evset_load_file(&ev, events, show ? draw : NULL, &bar, err, sizeof err)
                     : rw_evset_load_topic(&ev, &range, show ? draw : NULL, &bar, err, sizeof err);
    bar_end(&bar);
    if (loaded) {
        fprintf(stderr, "regwatch backtest: %s\n", err);
        goto out;
    }
    if (save) {
        if (rw_evset_save(&ev, save, err, sizeof err)) {
            fprintf(stderr, "regwatch backtest: %s\n", err);
            goto out;
        }
        if (!quiet)
            fprintf(stderr, "已保存事件归档 %s：%zu 个事件，%.1f MB\n", save, ev.n,
                    (double)ev.pack_len / 1e6);
        if (save_only) {
            rc = 0;
            goto out;
        }
    }
    char label[1024];
    if (topic)
        snprintf(label, sizeof label, "%s@%s [%s, %s)", topic, bootstrap, from, to);
    else
        snprintf(label, sizeof label, "%s", events);
    rw_load_opts_t lo = rw_cli_load_opts(&c);
    rw_backtest_opts_t o = {.rules_dir = c.rules_dir,
                            .models_dir = c.models_dir,
                            .candidate_dir = candidate,
                            .ruleset_text = ruleset_text,
                            .ruleset_len = ruleset_len,
                            .ruleset_name = ruleset,
                            .sets = c.sets,
                            .n_sets = c.n_sets,
                            .events = &ev,
                            .events_label = label,
                            .past = past,
                            .regions = regions,
                            .n_regions = n_regions,
                            .sweep = sweep_spec ? &sweep : NULL,
                            .threads = threads,
                            .today = lo.today,
                            .progress = show ? draw : NULL,
                            .progress_ud = &bar};
    bar = (bar_t){.label = sweep_spec ? "阈值扫描" : "回测运行", .started = rw_mono()};
    rw_diags_t d;
    rw_diags_init(&d);
    report = rw_backtest_run(&o, &d, err, sizeof err);
    bar_end(&bar);
    rw_diags_print(&d, stderr);
    rw_diags_free(&d);
    if (!report) {
        fprintf(stderr, "regwatch backtest: %s\n", err);
        goto out;
    }
    rc = 0;
    if (json_out || (!html && !png)) {
        char *s = json_dumps(report, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
        rw_buf_t b;
        rw_buf_init(&b);
        rw_buf_puts(&b, s);
        rw_buf_putc(&b, '\n');
        if (write_file(json_out ? json_out : "-", b.data, b.len)) rc = 1;
        rw_buf_free(&b);
        free(s);
    }
    if (html) {
        char *page = rw_report_html(report);
        if (write_file(html, page, strlen(page))) rc = 1;
        free(page);
    }
    if (png) {
        rw_buf_t b;
        rw_buf_init(&b);
        if (rw_report_png(report, &b, err, sizeof err)) {
            fprintf(stderr, "regwatch backtest: %s\n", err);
            rc = 1;
        } else if (write_file(png, b.data, b.len))
            rc = 1;
        rw_buf_free(&b);
    }
    if (!quiet) {
        const json_t *t = json_object_get(report, "timing");
        fprintf(
            stderr,
            "回测：%llu 行（有效 %zu），解析 %.2f 秒；%lld 次运行共 %.2f 秒，合计 %.0f 事件/秒\n",
            (unsigned long long)ev.lines, ev.n, ev.seconds,
            (long long)json_integer_value(json_object_get(t, "runs")),
            json_number_value(json_object_get(t, "run_seconds")),
            json_number_value(json_object_get(t, "events_per_second")));
    }
out:
    json_decref(report);
    json_decref(past);
    rw_evset_free(&ev);
    free(ruleset_text);
    if (sweep_spec) rw_sweep_free(&sweep);
    return rc;
}
