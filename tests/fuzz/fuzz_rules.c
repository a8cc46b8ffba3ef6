/* fuzz_rules.c — libFuzzer target for the rules loader and the expression pipeline.
 * Each input is (1) parsed directly as an expression by rw_parse_expr and (2) written
 * as a ruleset file into a temporary rules folder (a valid catalogue, a one-law
 * statute library and two small models, written once) and loaded with rw_rules_load.
 * Whatever loads is then evaluated on a fixed event: every stream filter, `if`, level
 * condition, message placeholder and evidence threshold. Never a crash, a leak, a
 * failure without an error, or a diagnostic without a position. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eval.h"
#include "event.h"
#include "parser.h"
#include "rules.h"
#include "rwtime.h"
#include "util.h"

/* The fixed files are written as JSON (which is YAML): quoted scalars skip the core-schema
 * resolution of plain ones, which is slow, so the fuzzed file gets the time. */
static const char CATALOG_TYPES[] =
    "{\"timezone\": \"+08:00\",\n"
    " \"types\": {\n"
    "  \"complaint\": {\"title\": \"投诉举报\", \"attrs\": {\"category\": \"string\", \"channel\": "
    "\"string\", \"amount\": \"number\"}},\n"
    "  \"inspection\": {\"title\": \"监督检查\", \"attrs\": {\"domain\": \"string\", \"result\": "
    "\"string\", \"kind\": \"string\"}},\n"
    "  \"sampling\": {\"title\": \"监督抽检\", \"attrs\": {\"domain\": \"string\", \"product\": "
    "\"string\", \"result\": \"string\", \"hazard\": \"string\"}},\n"
    "  \"penalty\": {\"title\": \"行政处罚\", \"attrs\": {\"amount\": \"number\", \"kind\": "
    "\"string\", \"domain\": \"string\"}},\n"
    "  \"license_change\": {\"title\": \"许可变更\", \"attrs\": {\"license\": \"string\", "
    "\"action\": \"string\"}},\n"
    "  \"registration_change\": {\"title\": \"登记变更\", \"attrs\": {\"field\": \"string\", "
    "\"status\": \"string\"}},\n"
    "  \"abnormal_listing\": {\"title\": \"经营异常名录\", \"attrs\": {\"action\": \"string\", "
    "\"reason\": \"string\"}},\n"
    "  \"annual_report\": {\"title\": \"年度报告\", \"attrs\": {\"year\": \"number\", \"on_time\": "
    "\"boolean\", \"false_info\": \"boolean\"}},\n"
    "  \"tax_anomaly\": {\"title\": \"税务异常\", \"attrs\": {\"kind\": \"string\", \"amount\": "
    "\"number\"}},\n"
    "  \"tax_return\": {\"title\": \"纳税申报\", \"attrs\": {\"revenue\": \"number\", \"period\": "
    "\"string\"}},\n"
    "  \"ad_monitoring\": {\"title\": \"广告监测\", \"attrs\": {\"medium\": \"string\", "
    "\"violation\": \"boolean\", \"category\": \"string\", \"claim\": \"string\"}},\n"
    "  \"price_monitoring\": {\"title\": \"价格监测\", \"attrs\": {\"product\": \"string\", "
    "\"price\": \"number\", \"ref_price\": \"number\"}},\n"
    "  \"equipment_check\": {\"title\": \"特种设备检验\", \"attrs\": {\"equipment\": \"string\", "
    "\"result\": \"string\", \"overdue_days\": \"number\"}},\n"
    "  \"metrology_check\": {\"title\": \"计量检定\", \"attrs\": {\"instrument\": \"string\", "
    "\"result\": \"string\", \"deviation\": \"number\"}},\n"
    "  \"online_listing\": {\"title\": \"网络交易监测\", \"attrs\": {\"platform\": \"string\", "
    "\"issue\": \"string\"}}},\n"
    " \"items\": [\n";

/* The item codes the shipped rulesets use; every basis is the fuzz law. */
static const char *const ITEMS[] = {
    "SC-FOOD-001",  "SC-FOOD-002", "SC-FOOD-003",  "SC-FOOD-004",  "SC-PROD-001", "SC-PROD-002",
    "SC-AD-001",    "SC-AD-002",   "SC-PRICE-001", "SC-PRICE-002", "SC-EC-001",   "SC-EC-002",
    "SC-REG-001",   "SC-DISC-001", "SC-DISC-002",  "SC-SE-001",    "SC-DRUG-001", "SC-DRUG-002",
    "SC-METRO-001", "SC-RISK-001", "SC-RISK-002",  "SC-RISK-003",  "SC-RISK-004", NULL};

static const char LAWS[] =
    "{\"laws\": [{\"id\": \"fuzz-law\", \"title\": \"模糊测试条例\", \"aliases\": [\"测试条例\"],\n"
    "  \"level\": \"local-regulation\", \"verified\": \"2026-10-01\",\n"
    "  \"versions\": [{\"effective\": \"2020-01-01\", \"source\": \"fuzz.md\"},\n"
    "               {\"effective\": \"2024-01-01\", \"source\": \"fuzz2.md\"}],\n"
    "  \"repealed\": null}]}\n";

static const char LAW_TEXT[] =
    "# 模糊测试条例\n\n2020年1月1日 公布\n\n<!-- INFO END -->\n\n"
    "## 第一章 总则\n\n"
    "第一条 为了测试，制定本条例。\n\n"
    "第二条 经营者应当遵守下列规定：\n\n（一）明码标价；\n\n（二）不得虚假宣传。\n\n"
    "违反前款规定的，依照本条例处罚。\n\n"
    "第三条 本条例自2020年1月1日起施行。\n";

static const char LAW_TEXT2[] =
    "# 模糊测试条例\n\n2024年1月1日 修订\n\n<!-- INFO END -->\n\n"
    "第一条 为了测试，制定本条例。\n\n"
    "第二条 "
    "经营者应当遵守下列规定：\n\n（一）明码标价；\n\n（二）不得虚假宣传；\n\n（三）保存记录。\n\n"
    "第二条之一 平台经营者应当核验经营者身份。\n\n"
    "第三条 本条例自2024年1月1日起施行。\n";

static const char MODEL_RISK[] =
    "{\"model\": \"entity-risk\", \"kind\": \"logistic\",\n"
    " \"inputs\": {\"complaints_90d\": \"count(complaint, 90d)\", \"abnormal\": "
    "\"profile.abnormal_list == true\"},\n"
    " \"transform\": {\"complaints_90d\": \"log1p\"},\n"
    " \"intercept\": -4.0, \"weights\": {\"complaints_90d\": 0.9, \"abnormal\": 1.5}}\n";

static const char MODEL_SURGE[] =
    "{\"model\": \"complaint-surge\", \"kind\": \"poisson_surge\",\n"
    " \"observed\": \"count(complaint, 7d)\", \"baseline\": \"count(complaint, 365d) - "
    "count(complaint, 7d)\",\n"
    " \"observed_days\": 7, \"baseline_days\": 358, \"prior_rate\": 0.02, \"prior_days\": 30}\n";

static const char EVENT[] =
    "{\"id\": \"e-1\", \"type\": \"complaint\", \"entity\": \"91320102MA1XXXXX0X\","
    " \"time\": \"2026-03-04T10:15:00+08:00\", \"region\": \"320115\", \"source\": \"12315\","
    " \"attrs\": {\"category\": \"food\", \"channel\": \"hotline\", \"amount\": 120.5, "
    "\"product\": \"面包\","
    "   \"hazard\": \"microbe\", \"result\": \"fail\", \"flag\": true, \"nested\": {\"a\": 1}},"
    " \"profile\": {\"name\": \"某某食品有限公司\", \"abnormal_list\": false}}";

static char root[64];
static char ruleset_path[128];
static rw_load_opts_t opts;
static rw_event_t event;

static void write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    if (len && fwrite(text, 1, len, f) != len) abort();
    fclose(f);
}

static void write_in(const char *sub, const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s%s/%s", root, sub, name);
    write_file(path, text, strlen(text));
}

static void remove_all(void)
{
    const char *files[] = {"/catalog.yaml",
                           "/fuzz.yaml",
                           "/statutes/laws.yaml",
                           "/statutes/fuzz.md",
                           "/statutes/fuzz2.md",
                           "/models/entity-risk.yaml",
                           "/models/complaint-surge.yaml"};
    char path[256];
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        snprintf(path, sizeof path, "%s%s", root, files[i]);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/statutes", root);
    rmdir(path);
    snprintf(path, sizeof path, "%s/models", root);
    rmdir(path);
    rmdir(root);
}

static void init_once(void)
{
    strcpy(root, "/tmp/rw-fuzz-rules-XXXXXX");
    if (!mkdtemp(root)) abort();
    atexit(remove_all);
    rw_buf_t cat;
    rw_buf_init(&cat);
    rw_buf_puts(&cat, CATALOG_TYPES);
    for (const char *const *it = ITEMS; *it; it++)
        rw_buf_printf(&cat,
                      "  {\"code\": \"%s\", \"name\": \"测试事项\", \"department\": \"测试处\", "
                      "\"basis\": [\"fuzz-law#1\", \"fuzz-law#2.1.1\"]}%s\n",
                      *it, it[1] ? "," : "]}");
    write_in("", "catalog.yaml", cat.data);
    rw_buf_free(&cat);
    char sub[128];
    snprintf(sub, sizeof sub, "%s/statutes", root);
    if (mkdir(sub, 0700)) abort();
    write_in("/statutes", "laws.yaml", LAWS);
    write_in("/statutes", "fuzz.md", LAW_TEXT);
    write_in("/statutes", "fuzz2.md", LAW_TEXT2);
    snprintf(sub, sizeof sub, "%s/models", root);
    if (mkdir(sub, 0700)) abort();
    write_in("/models", "entity-risk.yaml", MODEL_RISK);
    write_in("/models", "complaint-surge.yaml", MODEL_SURGE);
    snprintf(ruleset_path, sizeof ruleset_path, "%s/fuzz.yaml", root);
    static char models_dir[128];
    snprintf(models_dir, sizeof models_dir, "%s/models", root);
    int64_t today;
    if (rw_date_parse("2026-11-01", &today)) abort();
    opts = (rw_load_opts_t){.rules_dir = root, .models_dir = models_dir, .today = today};
    rw_event_error_t err;
    if (rw_event_parse(EVENT, strlen(EVENT), NULL, 0, 0, &event, &err)) abort();
}

/* Touches every byte of a value so a dangling string shows up under ASan. */
static void use_value(rw_value_t v)
{
    if (v.kind == RW_V_STR && v.len) {
        volatile unsigned char sum = 0;
        for (size_t i = 0; i < v.len; i++)
            sum ^= (unsigned char)v.s[i];
        (void)sum;
    } else if (v.kind > RW_V_BOOL) {
        abort();
    }
}

/* Values of every kind for the calls, as the engine might produce them. */
static rw_value_t call_value(rw_eval_env_t *env, int id)
{
    const rw_rules_t *r = env->ud;
    if (id < 0 || (size_t)id >= r->n_calls) abort();
    switch (r->calls[id].kind) {
    case RW_AGG_COUNT:
    case RW_AGG_DISTINCT:
    case RW_AGG_SUM:
        return rw_num(id % 7);
    case RW_AGG_LAST:
        return id % 3 == 0 ? rw_null() : id % 3 == 1 ? rw_str("food", 4) : rw_num(2.5);
    case RW_AGG_MODEL:
        return rw_num(0.5 + id * 0.01);
    default:
        return id % 2 ? rw_null() : rw_num(id * 86400.0);
    }
}

static void run(const rw_prog_t *p, rw_eval_env_t *env)
{
    if (!p) return;
    use_value(rw_eval(p, env));
    rw_eval_env_reset(env);
}

static void evaluate_everything(const rw_rules_t *r)
{
    rw_eval_env_t env = {
        .ev = &event, .profile = event.profile, .call = call_value, .ud = (void *)r};
    /* filters read neither params nor calls: give them none */
    for (size_t i = 0; i < r->n_streams; i++)
        run(r->streams[i].filter, &env);
    for (size_t i = 0; i < r->n_rules; i++) {
        const rw_rule_t *u = &r->rules[i];
        if (u->ruleset < 0 || (size_t)u->ruleset >= r->n_rulesets) abort();
        const char *regions[] = {NULL, "3201", "320115", "999"};
        for (size_t k = 0; k < sizeof regions / sizeof *regions; k++) {
            env.params = rw_rules_params(r, u->ruleset, regions[k]);
            run(u->cond, &env);
            for (int l = 0; l < RW_LEVEL__COUNT; l++)
                run(u->level_when[l], &env);
            for (size_t m = 0; m < u->n_msg; m++)
                run(u->msg[m].prog, &env);
            for (size_t e = 0; e < u->n_evidence; e++) {
                if (u->evidence[e].call < 0 || (size_t)u->evidence[e].call >= r->n_calls) abort();
                run(u->evidence[e].threshold, &env);
            }
        }
        for (size_t s = 0; s < u->n_on; s++)
            if (u->on[s] < 0 || (size_t)u->on[s] >= r->n_streams) abort();
    }
    free(env.scratch);
}

static void fuzz_parser(const char *src, size_t len)
{
    size_t off = (size_t)-1;
    char err[512] = "";
    rw_ast_t *a = rw_parse_expr(src, len, &off, err, sizeof err);
    if (!a) {
        if (off > len || !err[0] || !rw_utf8_valid(err, strlen(err))) abort();
        return;
    }
    if (a->off > a->end || a->end > len) abort();
    /* the canonical text is itself an expression */
    rw_buf_t text;
    rw_buf_init(&text);
    rw_ast_print(a, &text);
    rw_ast_t *b = rw_parse_expr(text.data ? text.data : "", text.len, &off, err, sizeof err);
    if (!b) abort();
    rw_ast_free(b);
    rw_buf_free(&text);
    rw_ast_free(a);
}

/* Lines as libyaml counts them: LF, CR, CRLF, and (YAML 1.1) NEL, LS and PS end one. */
static size_t count_lines(const uint8_t *p, size_t n)
{
    size_t lines = 1;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n' || (p[i] == '\r' && !(i + 1 < n && p[i + 1] == '\n')))
            lines++;
        else if (p[i] == 0xC2 && i + 1 < n && p[i + 1] == 0x85)
            lines++;
        else if (p[i] == 0xE2 && i + 2 < n && p[i + 1] == 0x80 &&
                 (p[i + 2] == 0xA8 || p[i + 2] == 0xA9))
            lines++;
    }
    return lines;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!root[0]) init_once();
    fuzz_parser((const char *)data, size);

    write_file(ruleset_path, (const char *)data, size);
    rw_diags_t d;
    rw_diags_init(&d);
    rw_rules_t *r = NULL;
    int rc = rw_rules_load(&r, &opts, &d);
    if (getenv("RW_FUZZ_VERBOSE")) { /* when reproducing: what the loader said */
        rw_diags_print(&d, stderr);
        fprintf(stderr, "loaded: %s, %zu rules\n", r ? "yes" : "no", r ? r->n_rules : 0);
    }
    if ((rc == 0) != (r != NULL)) abort();
    if (rc != 0 && d.errors == 0) abort(); /* a failure always says why */
    size_t lines = count_lines(data, size);
    for (size_t i = 0; i < d.n; i++) {
        const rw_diag_t *it = &d.items[i];
        if (it->line < 1 || it->col < 1 || !it->msg[0]) abort();
        if (!rw_utf8_valid(it->msg, strlen(it->msg))) abort();
        /* libyaml puts an error at the end of a file without a final newline one line further */
        if (!strcmp(it->file, ruleset_path) && (size_t)it->line > lines + 1) abort();
    }
    if (r) evaluate_everything(r);
    rw_rules_free(r);
    rw_diags_free(&d);
    return 0;
}
