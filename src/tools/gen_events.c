/* gen_events.c — rw-gen-events: the synthetic workload of performance.md. Writes a
 * deterministic (per seed) stream of events (events.md, types and attrs of
 * docs/catalog-types.md) as JSON Lines or as kcat `entity|json` lines, plus the ground
 * truth of the risk patterns it injects.
 *
 * Shape of the stream: a population of entities with Zipf-skewed activity; events over
 * the period in per-day batches, each sorted by the moment it is written, so memory
 * grows with one day's events, not with --events. Noise: exact duplicate lines a little
 * later, events written up to three days after their time (out of order), and late
 * events dated more than 400 days before the entity's latest one. Truth `from`/`to` are
 * the local dates of the first and last injected event that shows the risk. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rwtime.h"
#include "util.h"

#define DAY 86400
#define OUT_BUF (1 << 20)
#define LINE_MAX_BYTES 4096 /* generous bound on one formatted line */

/* Noise rates as fractions of all lines (performance.md: "a few %"). */
#define DUP_SHARE 0.02
#define OOO_SHARE 0.03
#define LATE_SHARE 0.002
#define RISKY_SHARE 0.005
/* Injected events never take more than this share of --events. */
#define INJECTED_MAX_SHARE 0.03

/* ---- random numbers: xoshiro256** seeded by splitmix64 ---- */

typedef struct {
    uint64_t s[4];
} rng_t;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static void rng_seed(rng_t *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(rng_t *r)
{
    uint64_t *s = r->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

static inline double rng_u01(rng_t *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform in [0, n); the multiply-shift bias is below 2^-32, irrelevant here. */
static inline uint32_t rng_below(rng_t *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static inline int rng_chance(rng_t *r, double p)
{
    return rng_u01(r) < p;
}

static double rng_normal(rng_t *r)
{
    double u1 = 1.0 - rng_u01(r), u2 = rng_u01(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* Index drawn with the given small integer weights. */
static int pick(rng_t *r, const uint8_t *w, int n)
{
    unsigned total = 0;
    for (int i = 0; i < n; i++)
        total += w[i];
    unsigned x = rng_below(r, total);
    for (int i = 0; i < n; i++) {
        if (x < w[i]) return i;
        x -= w[i];
    }
    return n - 1;
}

#define PICK(r, w) pick((r), (w), (int)(sizeof(w) / sizeof((w)[0])))
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static double round2(double v)
{
    return round(v * 100.0) / 100.0;
}

/* ---- the catalogue's vocabulary (docs/catalog-types.md) ---- */

enum {
    T_COMPLAINT,
    T_INSPECTION,
    T_SAMPLING,
    T_PENALTY,
    T_LICENSE,
    T_REGISTRATION,
    T_ABNORMAL,
    T_ANNUAL,
    T_TAX_ANOMALY,
    T_TAX_RETURN,
    T_AD,
    T_PRICE,
    T_EQUIPMENT,
    T_METROLOGY,
    T_ONLINE,
    T__COUNT
};

static const struct {
    const char *name, *source, *prefix;
} TYPES[T__COUNT] = {
    {"complaint", "12315", "12315"},        {"inspection", "inspection", "JC"},
    {"sampling", "sampling", "CJ"},         {"penalty", "penalty", "CF"},
    {"license_change", "license", "XK"},    {"registration_change", "registration", "DJ"},
    {"abnormal_listing", "credit", "YC"},   {"annual_report", "annual_report", "NB"},
    {"tax_anomaly", "tax", "SW"},           {"tax_return", "tax", "SB"},
    {"ad_monitoring", "ad_monitor", "GG"},  {"price_monitoring", "price_monitor", "JG"},
    {"equipment_check", "equipment", "TZ"}, {"metrology_check", "metrology", "JL"},
    {"online_listing", "ecommerce", "WJ"},
};

/* Per ten thousand draws (they sum to 10000). annual_report is drawn above its realised share
 * because most draws outside January–June are turned into another type (reports are due by June).
 */
static const uint16_t TYPE_WEIGHT[T__COUNT] = {
    3000, 1500, 1200, 300, 250, 350, 100, 300, 150, 1500, 400, 400, 250, 150, 150,
};

enum { G_FOOD, G_DRUG, G_ECOM, G_MACH };
enum {
    LIC_FOOD_BUSINESS,
    LIC_FOOD_PRODUCTION,
    LIC_DRUG_BUSINESS,
    LIC_DRUG_PRODUCTION,
    LIC_EQUIPMENT_USE,
    LIC_INDUSTRIAL
};
static const char *const LICENSES[] = {"food_business",   "food_production", "drug_business",
                                       "drug_production", "equipment_use",   "industrial_product"};

enum { IND_H6210, IND_F5221, IND_C14, IND_F5251, IND_C27, IND_F5193, IND_C34 };
static const struct {
    const char *code;
    int group, license;
    const char *firm, *shop; /* name endings: enterprise, individual business (or NULL) */
    double revenue;          /* median monthly revenue of an enterprise, yuan */
} INDUSTRIES[] = {
    {"H6210", G_FOOD, LIC_FOOD_BUSINESS, "餐饮管理有限公司", "小吃店", 9e4},
    {"F5221", G_FOOD, LIC_FOOD_BUSINESS, "超市有限公司", "食品店", 2.5e5},
    {"C14", G_FOOD, LIC_FOOD_PRODUCTION, "食品有限公司", "食品加工坊", 6e5},
    {"F5251", G_DRUG, LIC_DRUG_BUSINESS, "大药房有限公司", "药店", 1.5e5},
    {"C27", G_DRUG, LIC_DRUG_PRODUCTION, "制药有限公司", NULL, 3e6},
    {"F5193", G_ECOM, LIC_FOOD_BUSINESS, "电子商务有限公司", "网店", 4e5},
    {"C34", G_MACH, LIC_INDUSTRIAL, "机械制造有限公司", NULL, 1.2e6},
};
static const uint8_t INDUSTRY_WEIGHT[] = {28, 24, 12, 10, 3, 13, 10};

static const struct {
    const char *code, *city;
} REGIONS[] = {
    {"110105", "北京"}, {"110108", "北京"}, {"310104", "上海"}, {"310115", "上海"},
    {"320102", "南京"}, {"320104", "南京"}, {"320106", "南京"}, {"320115", "南京"},
    {"320205", "无锡"}, {"320213", "无锡"}, {"320505", "苏州"}, {"320506", "苏州"},
    {"330102", "杭州"}, {"330106", "杭州"}, {"330110", "杭州"}, {"440304", "深圳"},
    {"440305", "深圳"}, {"440106", "广州"}, {"420106", "武汉"}, {"510107", "成都"},
};
static const uint8_t REGION_WEIGHT[] = {6, 6, 5, 8, 5, 5, 5, 4, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 4, 5};

static const char *const SYLLABLES[] = {
    "瑞", "丰", "华", "盛", "鑫", "源", "德", "和", "信", "达", "恒", "泰", "嘉", "宏", "金",
    "福", "祥", "安", "康", "隆", "兴", "正", "诚", "美", "佳", "新", "永", "裕", "顺", "益",
};

/* Capital in 10k yuan: the round amounts firms actually register. */
static const uint16_t CAPITALS[] = {3, 5, 10, 30, 50, 100, 200, 300, 500, 1000, 2000, 5000};
static const uint8_t CAPITAL_WEIGHT[] = {4, 6, 14, 10, 14, 18, 10, 7, 8, 5, 3, 1};

/* Inspection and penalty domains, weighted by industry group. */
static const char *const DOMAINS[] = {"food",      "drug",      "product", "equipment",
                                      "metrology", "ecommerce", "price",   "ad"};
static const uint8_t DOMAIN_WEIGHT[4][8] = {
    {70, 0, 5, 5, 7, 0, 8, 5},
    {0, 70, 0, 5, 5, 0, 10, 10},
    {0, 0, 20, 0, 0, 55, 10, 15},
    {0, 0, 45, 35, 15, 0, 0, 5},
};

enum { CAT_FOOD };
static const char *const CATEGORIES[] = {"food",      "drug",      "product",   "price",  "ad",
                                         "ecommerce", "equipment", "metrology", "service"};
static const uint8_t CATEGORY_WEIGHT[4][9] = {
    {60, 0, 5, 10, 5, 0, 0, 5, 15},
    {0, 55, 5, 15, 10, 0, 0, 0, 15},
    {10, 0, 25, 10, 10, 35, 0, 0, 10},
    {0, 0, 45, 0, 0, 0, 30, 10, 15},
};
static const char *const CHANNELS[] = {"hotline", "web", "app", "letter"};
static const uint8_t CHANNEL_WEIGHT[] = {45, 25, 25, 5};

static const char *const RESULTS3[] = {"pass", "fail", "rectify"};
static const uint8_t INSPECTION_RESULT_WEIGHT[] = {85, 3, 12};
static const char *const INSPECTION_KINDS[] = {"routine", "random", "special"};
static const uint8_t INSPECTION_KIND_WEIGHT[] = {45, 45, 10};

enum { SD_FOOD, SD_DRUG, SD_PRODUCT };
static const char *const SAMPLING_DOMAINS[] = {"food", "drug", "product"};
static const char *const FOOD_PRODUCTS[] = {"大米", "食用植物油", "酱油", "蔬菜", "猪肉",
                                            "糕点", "乳制品",     "白酒", "饮料", "速冻食品"};
static const char *const DRUG_PRODUCTS[] = {"阿莫西林胶囊", "感冒灵颗粒", "维生素C片",
                                            "布洛芬缓释胶囊", "板蓝根颗粒"};
static const char *const GOODS_PRODUCTS[] = {"电线电缆", "儿童玩具", "电动自行车",
                                             "插座",     "安全帽",   "童装"};
#define SAMPLING_FAIL 0.04
enum { HZ_PESTICIDE, HZ_MICROBE, HZ_ADDITIVE, HZ_HEAVY_METAL, HZ_QUALITY, HZ_NONE };
static const char *const HAZARDS[] = {"pesticide",   "microbe", "additive",
                                      "heavy_metal", "quality", "none"};
static const uint8_t FOOD_HAZARD_WEIGHT[] = {30, 30, 25, 15};

static const char *const PENALTY_KINDS[] = {"warning", "fine", "confiscation", "suspend", "revoke"};
static const uint8_t PENALTY_KIND_WEIGHT[] = {30, 55, 10, 4, 1};
static const double PENALTY_MEDIAN[] = {0, 8000, 20000, 50000, 100000};

static const char *const LICENSE_ACTIONS[] = {"issue", "change", "expire", "revoke", "cancel"};
static const uint8_t LICENSE_ACTION_WEIGHT[] = {15, 50, 15, 3, 17};

enum { RF_ADDRESS, RF_LEGAL_REP, RF_SCOPE, RF_CAPITAL, RF_NAME, RF_STATUS };
static const char *const REG_FIELDS[] = {"address", "legal_rep", "scope",
                                         "capital", "name",      "status"};
static const uint8_t REG_FIELD_WEIGHT[] = {25, 20, 25, 20, 8, 2};
static const char *const REG_STATUSES[] = {"deregistered", "revoked"};
static const uint8_t REG_STATUS_WEIGHT[] = {70, 30};

enum { AB_LIST, AB_REMOVE };
static const char *const ABNORMAL_ACTIONS[] = {"list", "remove"};
enum { AR_NO_REPORT, AR_UNREACHABLE, AR_FALSE_INFO, AR_NO_DISCLOSURE };
static const char *const ABNORMAL_REASONS[] = {"no_annual_report", "unreachable", "false_info",
                                               "no_disclosure"};
static const uint8_t ABNORMAL_REASON_WEIGHT[] = {50, 35, 5, 10};

static const char *const TAX_ANOMALY_KINDS[] = {"invoice", "nonfiling", "revenue_drop"};
static const uint8_t TAX_ANOMALY_WEIGHT[] = {50, 30, 20};
/* Monthly revenue factor: the Spring Festival dip and the year-end peak. */
static const double SEASON[12] = {1.05, 0.75, 0.95, 1.0,  1.0,  1.02,
                                  0.98, 0.97, 1.0,  1.03, 1.05, 1.15};

enum { MD_TV, MD_WEB, MD_OUTDOOR, MD_PRINT, MD_LIVE };
static const char *const MEDIA[] = {"tv", "web", "outdoor", "print", "live"};
static const uint8_t MEDIUM_WEIGHT[] = {10, 40, 15, 5, 30};
enum { AC_DRUG, AC_HEALTH_FOOD, AC_MEDICAL, AC_FINANCE, AC_GENERAL };
static const char *const AD_CATEGORIES[] = {"drug", "health_food", "medical", "finance", "general"};
static const uint8_t AD_CATEGORY_WEIGHT[4][5] = {
    {0, 25, 0, 0, 75},
    {60, 20, 20, 0, 0},
    {10, 20, 0, 10, 60},
    {0, 0, 0, 5, 95},
};
static const char *const CLAIMS_OK[] = {"品质保证", "限时优惠", "新品上市", "会员专享", "买一送一"};
/* Claims that breach the Advertising Law, per ad category. */
static const char *const CLAIMS_BAD[5][4] = {
    {"无效退款", "药到病除", "专家推荐", "无效退款"},
    {"治愈糖尿病", "降血压特效", "替代药物治疗", "抗癌防癌"},
    {"根治不复发", "治愈率100%", "根治不复发", "无痛无副作用"},
    {"保本高收益", "稳赚不赔", "保本高收益", "零风险"},
    {"国家级产品", "全网销量第一", "最佳品质", "顶级工艺"},
};
#define AD_VIOLATION 0.04

static const struct {
    const char *name;
    double ref; /* reference price, yuan per usual unit */
} PRICE_ITEMS[] = {
    {"猪肉", 15.8},   {"鸡蛋", 5.6},    {"大米", 3.2},  {"食用油", 69.9}, {"口罩", 25.0},
    {"感冒药", 18.5}, {"矿泉水", 28.0}, {"牛奶", 59.9}, {"白糖", 4.5},    {"大白菜", 1.8},
};

static const char *const EQUIPMENT[] = {"elevator", "boiler", "pressure_vessel", "crane", "lift"};
static const uint8_t EQUIPMENT_WEIGHT[] = {40, 12, 20, 13, 15};
enum { EQ_ELEVATOR };
static const char *const RESULTS2[] = {"pass", "fail"};

static const char *const INSTRUMENTS[] = {"scale", "fuel_dispenser", "water_meter", "taxi_meter"};
static const uint8_t INSTRUMENT_WEIGHT[4][4] = {
    {85, 0, 15, 0}, {100, 0, 0, 0}, {100, 0, 0, 0}, {40, 20, 30, 10}};

static const char *const PLATFORMS[] = {"淘宝", "京东", "拼多多", "美团", "抖音", "饿了么", "快手"};
static const char *const ONLINE_ISSUES[] = {"none", "no_license_shown", "fake_sales",
                                            "false_promotion"};
static const uint8_t ONLINE_ISSUE_WEIGHT[] = {88, 6, 3, 3};

enum { P_SURGE, P_SAMPLING, P_ABNORMAL, P_REVENUE, P_PRICE, P_ELEVATOR, P_HEALTH_AD, P__COUNT };
static const char *const PATTERNS[P__COUNT] = {
    "complaint_surge", "sampling_failures", "abnormal_operating", "revenue_collapse",
    "price_gouging",   "elevator_overdue",  "health_food_ads",
};

/* ---- the population ---- */

enum { E_SEEN = 1, E_LISTED = 2, E_RISKY = 4, E_REVENUE_RISK = 8 };

typedef struct {
    char code[19]; /* unified social credit code (GB 32100), NUL-terminated */
    uint8_t region, industry, flags, abn_reason;
    int32_t latest_day;     /* latest local day written (late events excluded) */
    int32_t last_tax_month; /* period (year*12+month-1) of the latest tax return */
    int32_t last_report_year;
    uint32_t capital; /* 10k yuan */
    float revenue;    /* monthly base revenue, yuan */
} entity_t;

/* GB 32100: code characters and the check character over the first 17. */
static const char USCC_CHARS[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const uint8_t USCC_WEIGHTS[17] = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                         29, 25, 13, 8,  24, 10, 30, 28};

static int uscc_value(char c)
{
    return (int)(strchr(USCC_CHARS, c) - USCC_CHARS);
}

/* A bijection on 44-bit integers (xor-shifts and odd multiplications), so entity
 * numbers map to distinct, random-looking organisation-code parts: 2^44 < 31^9. */
static uint64_t mix44(uint64_t x)
{
    const uint64_t m = (1ULL << 44) - 1;
    x &= m;
    x ^= x >> 23;
    x = (x * 0x9E3779B97F4A7C15ULL) & m;
    x ^= x >> 21;
    x = (x * 0xC2B2AE3D27D4EB4FULL) & m;
    x ^= x >> 22;
    return x;
}

static void make_code(char *code, int individual, const char *region, uint64_t body)
{
    code[0] = '9'; /* registered by market regulation */
    code[1] = individual ? '2' : '1';
    memcpy(code + 2, region, 6);
    for (int i = 16; i >= 8; i--) {
        code[i] = USCC_CHARS[body % 31];
        body /= 31;
    }
    unsigned sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (unsigned)uscc_value(code[i]) * USCC_WEIGHTS[i];
    code[17] = USCC_CHARS[(31 - sum % 31) % 31];
    code[18] = 0;
}

/* Entity attributes come from their own stream, so they do not depend on event order. */
static void entity_rng(rng_t *r, uint64_t seed, uint32_t i, uint64_t salt)
{
    uint64_t x = seed ^ (salt * 0xD1B54A32D192ED03ULL);
    rng_seed(r, splitmix64(&x) ^ ((uint64_t)i * 0x9E3779B97F4A7C15ULL));
}

/* Walker/Vose alias table: O(1) draws from the Zipf weights. */
typedef struct {
    float *prob;
    uint32_t *alias;
    uint32_t n;
} alias_t;

static void alias_build(alias_t *a, uint32_t n, double s, double q)
{
    double *p = rw_xmalloc(n * sizeof *p);
    uint32_t *small = rw_xmalloc(n * sizeof *small), *large = rw_xmalloc(n * sizeof *large);
    double total = 0;
    for (uint32_t i = 0; i < n; i++)
        total += p[i] = pow(i + 1 + q, -s);
    uint32_t ns = 0, nl = 0;
    for (uint32_t i = 0; i < n; i++) {
        p[i] = p[i] * n / total;
        if (p[i] < 1.0)
            small[ns++] = i;
        else
            large[nl++] = i;
    }
    a->prob = rw_xmalloc(n * sizeof *a->prob);
    a->alias = rw_xmalloc(n * sizeof *a->alias);
    a->n = n;
    while (ns && nl) {
        uint32_t l = small[--ns], g = large[--nl];
        a->prob[l] = (float)p[l];
        a->alias[l] = g;
        p[g] = p[g] + p[l] - 1.0;
        if (p[g] < 1.0)
            small[ns++] = g;
        else
            large[nl++] = g;
    }
    while (nl) {
        uint32_t g = large[--nl];
        a->prob[g] = 1.0f;
        a->alias[g] = g;
    }
    while (ns) { /* left over only through rounding */
        uint32_t l = small[--ns];
        a->prob[l] = 1.0f;
        a->alias[l] = l;
    }
    free(p);
    free(small);
    free(large);
}

static inline uint32_t alias_draw(const alias_t *a, rng_t *r)
{
    uint32_t i = rng_below(r, a->n);
    return rng_u01(r) < a->prob[i] ? i : a->alias[i];
}

/* ---- events ---- */

enum {
    EV_DUP = 1,     /* the line is written again a little later */
    EV_LATE = 2,    /* dated > 400 days before the entity's latest */
    EV_SET_ABN = 4, /* profile change: abnormal_list */
    EV_ABN_TRUE = 8,
    EV_SET_CAP = 16,   /* profile change: capital */
    EV_SET_REGION = 32 /* profile change: region */
};

typedef struct {
    int64_t emit;    /* local second at which the line is written: the batch sort key */
    int64_t t;       /* event time, seconds since 1970-01-01T00:00:00+08:00 */
    uint64_t seq;    /* global sequence: the id's number and the sort tie-break */
    const char *str; /* product, claim or platform */
    double num[2];
    uint32_t ent;
    uint32_t capital; /* the entity's capital when generated, for its first profile */
    uint16_t flags;
    uint8_t type, region, dup_gap;
    uint8_t a[4];
} ev_t;

typedef struct {
    ev_t *v;
    size_t n, cap;
} evvec_t;

static ev_t *evvec_push(evvec_t *v)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 1024;
        v->v = rw_xrealloc(v->v, v->cap * sizeof *v->v);
    }
    ev_t *e = &v->v[v->n++];
    memset(e, 0, sizeof *e);
    return e;
}

static int ev_cmp(const void *pa, const void *pb)
{
    const ev_t *a = pa, *b = pb;
    if (a->emit != b->emit) return a->emit < b->emit ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

typedef struct {
    uint32_t ent;
    int pattern;
    int32_t from, to; /* local day numbers */
} truth_t;

/* ---- output: a big buffer, hand-formatted JSON ---- */

typedef struct {
    uint64_t target; /* written once this many lines are out */
    size_t len;
    char *line;
} dup_t;

typedef struct {
    FILE *f;
    const char *path;
    char *buf;
    size_t len;
    int kcat;
    uint64_t lines;
    dup_t *dups;
    size_t ndups, capdups;
    uint64_t next_dup; /* smallest pending target, UINT64_MAX when none */
} out_t;

static void out_flush(out_t *o)
{
    if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len) {
        fprintf(stderr, "rw-gen-events: write %s: %s\n", o->path, strerror(errno));
        exit(1);
    }
    o->len = 0;
}

static inline void put(out_t *o, const char *s, size_t n)
{
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

#define PUTLIT(o, s) put((o), (s), sizeof(s) - 1)

static inline void putch(out_t *o, char c)
{
    o->buf[o->len++] = c;
}

/* A JSON string with the escapes JSON requires; the vocabulary is plain UTF-8, but the
 * output must stay valid whatever the tables hold. */
static void put_str(out_t *o, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    putch(o, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            putch(o, '\\');
            putch(o, (char)*p);
        } else if (*p < 0x20) {
            PUTLIT(o, "\\u00");
            putch(o, hex[*p >> 4]);
            putch(o, hex[*p & 15]);
        } else {
            putch(o, (char)*p);
        }
    }
    putch(o, '"');
}

static void put_u64(out_t *o, uint64_t v, int width)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n < width)
        tmp[n++] = '0';
    while (n)
        putch(o, tmp[--n]);
}

/* Numbers are kept to cents: integral values print without a decimal point. */
static void put_num(out_t *o, double v)
{
    int64_t c = llround(v * 100.0);
    if (c < 0) {
        putch(o, '-');
        c = -c;
    }
    put_u64(o, (uint64_t)(c / 100), 0);
    int frac = (int)(c % 100);
    if (frac) {
        putch(o, '.');
        putch(o, (char)('0' + frac / 10));
        if (frac % 10) putch(o, (char)('0' + frac % 10));
    }
}

static void put_bool(out_t *o, int b)
{
    if (b)
        PUTLIT(o, "true");
    else
        PUTLIT(o, "false");
}

static int64_t local_day(int64_t t)
{
    return t >= 0 ? t / DAY : -((-t + DAY - 1) / DAY);
}

static void put_time(out_t *o, int64_t t)
{
    int64_t day = local_day(t);
    int64_t sod = t - day * DAY, y;
    unsigned m, d;
    rw_civil_from_days(day, &y, &m, &d);
    put_u64(o, (uint64_t)y, 4);
    putch(o, '-');
    put_u64(o, m, 2);
    putch(o, '-');
    put_u64(o, d, 2);
    putch(o, 'T');
    put_u64(o, (uint64_t)(sod / 3600), 2);
    putch(o, ':');
    put_u64(o, (uint64_t)(sod / 60 % 60), 2);
    putch(o, ':');
    put_u64(o, (uint64_t)(sod % 60), 2);
    PUTLIT(o, "+08:00");
}

static int year_of_day(int64_t day)
{
    int64_t y;
    unsigned m, d;
    rw_civil_from_days(day, &y, &m, &d);
    return (int)y;
}

/* ---- the generator ---- */

typedef struct {
    uint64_t seed;
    uint32_t n_ent;
    int64_t start; /* first local day */
    int32_t days;
    entity_t *ents;
    alias_t zipf;
    rng_t rng;
    uint64_t seq;
    evvec_t inj; /* injected events, sorted by time */
    truth_t *truth;
    size_t ntruth;
} gen_t;

static int entity_group(const gen_t *g, uint32_t ent)
{
    return INDUSTRIES[g->ents[ent].industry].group;
}

static void entities_init(gen_t *g)
{
    g->ents = rw_xcalloc(g->n_ent, sizeof *g->ents);
    uint64_t key = g->seed * 0x2545F4914F6CDD1DULL;
    for (uint32_t i = 0; i < g->n_ent; i++) {
        entity_t *e = &g->ents[i];
        rng_t r;
        entity_rng(&r, g->seed, i, 1);
        e->industry = (uint8_t)PICK(&r, INDUSTRY_WEIGHT);
        e->region = (uint8_t)PICK(&r, REGION_WEIGHT);
        int individual = INDUSTRIES[e->industry].shop && rng_chance(&r, 0.15);
        make_code(e->code, individual, REGIONS[e->region].code, mix44(i + key));
        e->capital = individual ? 1 + rng_below(&r, 50) : CAPITALS[PICK(&r, CAPITAL_WEIGHT)];
        double rev = INDUSTRIES[e->industry].revenue * exp(rng_normal(&r));
        e->revenue = (float)(individual ? rev * 0.15 : rev);
        e->latest_day = INT32_MIN;
        e->last_tax_month = -1;
        e->last_report_year = -1;
    }
}

/* Name from the entity's own stream: computed when first written, never stored. */
static void entity_name(const gen_t *g, uint32_t i, char *out, size_t cap)
{
    const entity_t *e = &g->ents[i];
    rng_t r;
    entity_rng(&r, g->seed, i, 2);
    const char *s1 = SYLLABLES[rng_below(&r, COUNT(SYLLABLES))];
    const char *s2 = SYLLABLES[rng_below(&r, COUNT(SYLLABLES))];
    const char *end =
        e->code[1] == '2' ? INDUSTRIES[e->industry].shop : INDUSTRIES[e->industry].firm;
    snprintf(out, cap, "%s%s%s%s", REGIONS[e->region].city, s1, s2, end);
}

/* Local second of day: office hours mostly, some evenings, a few at any hour. */
static int32_t time_of_day(rng_t *r)
{
    double u = rng_u01(r);
    if (u < 0.78) {
        uint32_t x = rng_below(r, 7 * 3600 + 1800); /* 08:30–12:00, 13:30–17:30 */
        return x < 3 * 3600 + 1800 ? (int32_t)(8 * 3600 + 1800 + x)
                                   : (int32_t)(13 * 3600 + 1800 + x - (3 * 3600 + 1800));
    }
    if (u < 0.90) return (int32_t)(17 * 3600 + 1800 + rng_below(r, 4 * 3600));
    if (u < 0.95) return (int32_t)(12 * 3600 + rng_below(r, 5400));
    return (int32_t)rng_below(r, DAY);
}

static int pick_type(rng_t *r)
{
    uint32_t x = rng_below(r, 10000);
    for (int t = 0; t < T__COUNT; t++) {
        if (x < TYPE_WEIGHT[t]) return t;
        x -= TYPE_WEIGHT[t];
    }
    return T_COMPLAINT;
}

static double lognormal(rng_t *r, double median, double sigma)
{
    return median * exp(sigma * rng_normal(r));
}

static int month_index(int64_t day)
{
    int64_t y;
    unsigned m, d;
    rw_civil_from_days(day, &y, &m, &d);
    return (int)(y * 12 + m - 1);
}

static double monthly_revenue(rng_t *r, const entity_t *e, int period)
{
    return round2(e->revenue * SEASON[period % 12] * exp(0.2 * rng_normal(r)));
}

static void price_attrs(rng_t *r, ev_t *ev, double factor)
{
    int item = (int)rng_below(r, COUNT(PRICE_ITEMS));
    double ref = round2(PRICE_ITEMS[item].ref * (0.95 + 0.1 * rng_u01(r)));
    ev->str = PRICE_ITEMS[item].name;
    ev->num[0] = round2(ref * factor);
    ev->num[1] = ref;
}

/* Type-specific attrs of an ordinary event; also the entity's state changes
 * (abnormal list, capital, address) that the event carries as profile changes. */
static void gen_attrs(gen_t *g, ev_t *ev)
{
    rng_t *r = &g->rng;
    entity_t *e = &g->ents[ev->ent];
    int grp = INDUSTRIES[e->industry].group;
    switch (ev->type) {
    case T_COMPLAINT:
        ev->a[0] = (uint8_t)PICK(r, CATEGORY_WEIGHT[grp]);
        ev->a[1] = (uint8_t)PICK(r, CHANNEL_WEIGHT);
        ev->num[0] = round2(lognormal(r, 150, 1.1));
        break;
    case T_INSPECTION:
        ev->a[0] = (uint8_t)PICK(r, DOMAIN_WEIGHT[grp]);
        ev->a[1] = (uint8_t)PICK(r, INSPECTION_RESULT_WEIGHT);
        ev->a[2] = (uint8_t)PICK(r, INSPECTION_KIND_WEIGHT);
        break;
    case T_SAMPLING: {
        int sd = grp == G_FOOD   ? SD_FOOD
                 : grp == G_DRUG ? SD_DRUG
                 : grp == G_ECOM ? (rng_chance(r, 0.5) ? SD_FOOD : SD_PRODUCT)
                                 : SD_PRODUCT;
        ev->a[0] = (uint8_t)sd;
        ev->str = sd == SD_FOOD   ? FOOD_PRODUCTS[rng_below(r, COUNT(FOOD_PRODUCTS))]
                  : sd == SD_DRUG ? DRUG_PRODUCTS[rng_below(r, COUNT(DRUG_PRODUCTS))]
                                  : GOODS_PRODUCTS[rng_below(r, COUNT(GOODS_PRODUCTS))];
        int fail = rng_chance(r, SAMPLING_FAIL);
        ev->a[1] = (uint8_t)fail;
        ev->a[2] = !fail           ? HZ_NONE
                   : sd == SD_FOOD ? (uint8_t)PICK(r, FOOD_HAZARD_WEIGHT)
                                   : HZ_QUALITY;
        break;
    }
    case T_PENALTY: {
        int k = PICK(r, PENALTY_KIND_WEIGHT);
        ev->a[0] = (uint8_t)k;
        ev->a[1] = (uint8_t)PICK(r, DOMAIN_WEIGHT[grp]);
        ev->num[0] =
            k == 0 ? 0 : fmax(500, round(lognormal(r, PENALTY_MEDIAN[k], 1.0) / 100) * 100);
        break;
    }
    case T_LICENSE:
        ev->a[0] =
            (uint8_t)(rng_chance(r, 0.2) ? LIC_EQUIPMENT_USE : INDUSTRIES[e->industry].license);
        ev->a[1] = (uint8_t)PICK(r, LICENSE_ACTION_WEIGHT);
        break;
    case T_REGISTRATION: {
        int f = PICK(r, REG_FIELD_WEIGHT);
        ev->a[0] = (uint8_t)f;
        if (f == RF_STATUS) ev->a[1] = (uint8_t)PICK(r, REG_STATUS_WEIGHT);
        if (f == RF_CAPITAL) {
            /* Increases and reductions balance, so busy firms do not drift off. */
            static const double factors[] = {0.5, 0.8, 1.25, 2};
            double c = round(e->capital * factors[rng_below(r, COUNT(factors))]);
            e->capital = c < 1 ? 1 : c > 1e6 ? 1000000 : (uint32_t)c;
            ev->flags |= EV_SET_CAP;
        } else if (f == RF_ADDRESS && rng_chance(r, 0.3)) {
            /* A move to another district of the same city. */
            uint8_t cand[COUNT(REGIONS)];
            int nc = 0;
            for (size_t i = 0; i < COUNT(REGIONS); i++)
                if (i != e->region && !memcmp(REGIONS[i].code, REGIONS[e->region].code, 4))
                    cand[nc++] = (uint8_t)i;
            if (nc) {
                e->region = cand[rng_below(r, (uint32_t)nc)];
                ev->flags |= EV_SET_REGION;
            }
        }
        ev->capital = e->capital;
        ev->region = e->region;
        break;
    }
    case T_ABNORMAL:
        ev->flags |= EV_SET_ABN;
        if (e->flags & E_LISTED) {
            ev->a[0] = AB_REMOVE;
            ev->a[1] = e->abn_reason;
            e->flags &= (uint8_t)~E_LISTED;
        } else {
            ev->a[0] = AB_LIST;
            ev->a[1] = e->abn_reason = (uint8_t)PICK(r, ABNORMAL_REASON_WEIGHT);
            e->flags |= E_LISTED;
            ev->flags |= EV_ABN_TRUE;
        }
        break;
    case T_ANNUAL: {
        int64_t y;
        unsigned m, d;
        rw_civil_from_days(local_day(ev->t), &y, &m, &d);
        ev->num[0] = (double)(y - 1);
        ev->a[0] = (uint8_t)(m <= 6 && rng_chance(r, 0.97));
        ev->a[1] = (uint8_t)rng_chance(r, 0.01);
        e->last_report_year = (int32_t)(y - 1);
        break;
    }
    case T_TAX_ANOMALY:
        ev->a[0] = (uint8_t)PICK(r, TAX_ANOMALY_WEIGHT);
        ev->num[0] = round2(lognormal(r, 30000, 1.0));
        break;
    case T_TAX_RETURN: {
        int period = month_index(local_day(ev->t)) - 1;
        ev->num[0] = monthly_revenue(r, e, period);
        ev->num[1] = period;
        e->last_tax_month = period;
        break;
    }
    case T_AD: {
        ev->a[0] = (uint8_t)PICK(r, MEDIUM_WEIGHT);
        int cat = PICK(r, AD_CATEGORY_WEIGHT[grp]);
        int bad = rng_chance(r, AD_VIOLATION);
        ev->a[1] = (uint8_t)bad;
        ev->a[2] = (uint8_t)cat;
        ev->str =
            bad ? CLAIMS_BAD[cat][rng_below(r, 4)] : CLAIMS_OK[rng_below(r, COUNT(CLAIMS_OK))];
        break;
    }
    case T_PRICE: {
        /* Within 2.2× of the reference: 3× and more is left to the injected gouging. */
        double f = rng_chance(r, 0.02) ? 1.5 + 0.7 * rng_u01(r) : 0.85 + 0.45 * rng_u01(r);
        price_attrs(r, ev, f);
        break;
    }
    case T_EQUIPMENT: {
        ev->a[0] = (uint8_t)PICK(r, EQUIPMENT_WEIGHT);
        int fail = rng_chance(r, 0.05);
        ev->a[1] = (uint8_t)fail;
        ev->num[0] = fail ? rng_below(r, 31) : rng_chance(r, 0.9) ? 0 : 1 + rng_below(r, 15);
        break;
    }
    case T_METROLOGY: {
        ev->a[0] = (uint8_t)PICK(r, INSTRUMENT_WEIGHT[grp]);
        int fail = rng_chance(r, 0.03);
        ev->a[1] = (uint8_t)fail;
        double dev = fail ? 1 + 5 * rng_u01(r) : 0.4 * rng_u01(r);
        ev->num[0] = round2(rng_chance(r, 0.5) ? dev : -dev);
        break;
    }
    case T_ONLINE:
        ev->str = PLATFORMS[rng_below(r, COUNT(PLATFORMS))];
        ev->a[0] = (uint8_t)PICK(r, ONLINE_ISSUE_WEIGHT);
        break;
    }
    if (!(ev->flags & (EV_SET_CAP | EV_SET_REGION))) {
        ev->capital = e->capital;
        ev->region = e->region;
    }
}

/* An entity that has not filed for the period (tax returns, annual reports are owed by
 * every firm, whatever its activity): uniform draws, a few tries. */
static int uniform_unfiled(gen_t *g, int type, int key, uint32_t *ent)
{
    for (int i = 0; i < 8; i++) {
        uint32_t c = rng_below(&g->rng, g->n_ent);
        const entity_t *e = &g->ents[c];
        if (type == T_TAX_RETURN && (e->flags & E_REVENUE_RISK)) continue;
        if (type == T_TAX_RETURN ? e->last_tax_month == key : e->last_report_year == key) continue;
        *ent = c;
        return 1;
    }
    return 0;
}

static void gen_normal(gen_t *g, ev_t *ev, int64_t day)
{
    rng_t *r = &g->rng;
    ev->t = day * DAY + time_of_day(r);
    ev->emit = ev->t;
    for (;;) {
        int type = pick_type(r);
        if (type == T_TAX_RETURN) {
            if (!uniform_unfiled(g, type, month_index(day) - 1, &ev->ent)) continue;
        } else if (type == T_ANNUAL) {
            int64_t y;
            unsigned m, d;
            rw_civil_from_days(day, &y, &m, &d);
            if (m > 6 && rng_chance(r, 0.85)) continue;
            if (!uniform_unfiled(g, type, (int)y - 1, &ev->ent)) continue;
        } else {
            ev->ent = alias_draw(&g->zipf, r);
            /* Risky entities keep their listing to the injected pattern. */
            if (type == T_ABNORMAL && (g->ents[ev->ent].flags & E_RISKY)) continue;
        }
        ev->type = (uint8_t)type;
        break;
    }
    ev->seq = g->seq++;
    gen_attrs(g, ev);
}

/* A late event: an entity already written, dated more than 400 days before its latest
 * day; only types that change no entity state, as the engine will not apply it. */
static int gen_late(gen_t *g, ev_t *ev, int64_t day)
{
    rng_t *r = &g->rng;
    for (int i = 0; i < 8; i++) {
        uint32_t c = alias_draw(&g->zipf, r);
        const entity_t *e = &g->ents[c];
        if (e->latest_day == INT32_MIN) continue;
        int type;
        do
            type = pick_type(r);
        while (type == T_REGISTRATION || type == T_ABNORMAL || type == T_ANNUAL ||
               type == T_TAX_RETURN);
        int64_t old = (int64_t)e->latest_day - 401 - rng_below(r, 365);
        ev->t = old * DAY + time_of_day(r);
        ev->emit = day * DAY + time_of_day(r);
        ev->ent = c;
        ev->type = (uint8_t)type;
        ev->flags |= EV_LATE;
        ev->seq = g->seq++;
        gen_attrs(g, ev);
        return 1;
    }
    return 0;
}

/* ---- injected risk patterns ---- */

static ev_t *inj_add(gen_t *g, uint32_t ent, int64_t day, int type)
{
    ev_t *ev = evvec_push(&g->inj);
    ev->t = (g->start + day) * DAY + time_of_day(&g->rng);
    ev->emit = ev->t;
    ev->ent = ent;
    ev->type = (uint8_t)type;
    ev->region = g->ents[ent].region;
    ev->capital = g->ents[ent].capital;
    return ev;
}

/* k sorted day offsets in [s, s+span], the first at s and the last at s+span. */
static void spread_days(rng_t *r, int32_t *out, int k, int32_t s, int32_t span)
{
    for (int i = 0; i < k; i++)
        out[i] = i == 0 ? s : i == k - 1 ? s + span : s + (int32_t)rng_below(r, (uint32_t)span + 1);
    for (int i = 1; i < k; i++) /* insertion sort: k ≤ 20 */
        for (int j = i; j > 0 && out[j] < out[j - 1]; j--) {
            int32_t x = out[j];
            out[j] = out[j - 1];
            out[j - 1] = x;
        }
}

/* Plans one pattern for an entity; returns 0 when the period is too short for it. */
static int inject(gen_t *g, uint32_t ent, int pat, truth_t *tr)
{
    rng_t *r = &g->rng;
    entity_t *e = &g->ents[ent];
    int32_t D = g->days, days[24];
    int32_t span, s;
    static const uint8_t food_ind[] = {IND_H6210, IND_F5221, IND_C14};
    static const uint8_t retail_ind[] = {IND_F5221, IND_F5251};
    static const uint8_t ad_ind[] = {IND_F5193, IND_F5221, IND_F5251};

#define WINDOW(lo, hi)                                                                             \
    do {                                                                                           \
        span = (lo) + (int32_t)rng_below(r, (uint32_t)((hi) - (lo) + 1));                          \
        if (span > D - 1) span = D - 1;                                                            \
        s = (int32_t)rng_below(r, (uint32_t)(D - span));                                           \
    } while (0)

    tr->ent = ent;
    tr->pattern = pat;
    switch (pat) {
    case P_SURGE: {
        if (D < 7) return 0;
        e->industry = food_ind[rng_below(r, COUNT(food_ind))];
        int k = 10 + (int)rng_below(r, 11);
        WINDOW(7, 13);
        spread_days(r, days, k, s, span);
        for (int i = 0; i < k; i++) {
            ev_t *ev = inj_add(g, ent, days[i], T_COMPLAINT);
            ev->a[0] = CAT_FOOD;
            ev->a[1] = (uint8_t)PICK(r, CHANNEL_WEIGHT);
            ev->num[0] = round2(lognormal(r, 120, 0.8));
        }
        tr->from = s;
        tr->to = s + span;
        return 1;
    }
    case P_SAMPLING: {
        if (D < 60) return 0;
        e->industry = food_ind[1 + rng_below(r, 2)];
        int k = 3 + (int)rng_below(r, 2), passes = 1 + (int)rng_below(r, 3);
        WINDOW(120, 330);
        spread_days(r, days, k, s, span);
        for (int i = 0; i < k + passes; i++) {
            int fail = i < k;
            ev_t *ev = inj_add(
                g, ent, fail ? days[i] : s + (int32_t)rng_below(r, (uint32_t)span + 1), T_SAMPLING);
            ev->a[0] = SD_FOOD;
            ev->str = FOOD_PRODUCTS[rng_below(r, COUNT(FOOD_PRODUCTS))];
            ev->a[1] = (uint8_t)fail;
            ev->a[2] = fail ? (uint8_t)PICK(r, FOOD_HAZARD_WEIGHT) : HZ_NONE;
        }
        tr->from = s;
        tr->to = s + span;
        return 1;
    }
    case P_ABNORMAL: {
        if (D < 30) return 0;
        int k = 5 + (int)rng_below(r, 6);
        WINDOW(30, 150);
        spread_days(r, days, k, s + 1, span - 1);
        ev_t *ev = inj_add(g, ent, s, T_ABNORMAL);
        ev->a[0] = AB_LIST;
        ev->a[1] = rng_chance(r, 0.6) ? AR_UNREACHABLE : AR_NO_REPORT;
        ev->flags |= EV_SET_ABN | EV_ABN_TRUE;
        /* Evidence of trading at the registered business while listed as unreachable. */
        static const uint8_t trading[] = {T_ONLINE, T_PRICE, T_AD, T_COMPLAINT};
        for (int i = 0; i < k; i++) {
            int type = trading[rng_below(r, COUNT(trading))];
            ev = inj_add(g, ent, days[i], type);
            switch (type) {
            case T_ONLINE:
                ev->str = PLATFORMS[rng_below(r, COUNT(PLATFORMS))];
                ev->a[0] = 0;
                break;
            case T_PRICE:
                price_attrs(r, ev, 0.9 + 0.3 * rng_u01(r));
                break;
            case T_AD:
                ev->a[0] = MD_WEB;
                ev->a[2] = AC_GENERAL;
                ev->str = CLAIMS_OK[rng_below(r, COUNT(CLAIMS_OK))];
                break;
            default:
                ev->a[0] = (uint8_t)PICK(r, CATEGORY_WEIGHT[entity_group(g, ent)]);
                ev->a[1] = (uint8_t)PICK(r, CHANNEL_WEIGHT);
                ev->num[0] = round2(lognormal(r, 150, 1.1));
            }
        }
        tr->from = s;
        tr->to = s + span;
        return 1;
    }
    case P_REVENUE: {
        /* Twelve monthly returns, each filed on the 1st–15th of the next month: six
         * normal, then six below a fifth of the entity's usual revenue. */
        int first = month_index(g->start) + 1, last = month_index(g->start + D - 16);
        if (last - first < 12) return 0;
        int m0 = first + (int)rng_below(r, (uint32_t)(last - first - 12 + 1));
        e->flags |= E_REVENUE_RISK;
        for (int i = 0; i < 12; i++) {
            int period = m0 + i;
            int64_t filed =
                rw_days_from_civil((period + 1) / 12, (unsigned)((period + 1) % 12 + 1), 1) +
                rng_below(r, 15) - g->start;
            ev_t *ev = inj_add(g, ent, filed, T_TAX_RETURN);
            ev->num[1] = period;
            ev->num[0] =
                i < 6 ? monthly_revenue(r, e, period)
                      : round2(e->revenue * SEASON[period % 12] * (0.03 + 0.12 * rng_u01(r)));
            if (i == 6) tr->from = (int32_t)filed;
            if (i == 11) tr->to = (int32_t)filed;
        }
        return 1;
    }
    case P_PRICE: {
        if (D < 20) return 0;
        e->industry = retail_ind[rng_below(r, COUNT(retail_ind))];
        int k = 3 + (int)rng_below(r, 4);
        WINDOW(20, 90);
        spread_days(r, days, k, s, span);
        int item = (int)rng_below(r, COUNT(PRICE_ITEMS));
        for (int i = 0; i < k; i++) {
            ev_t *ev = inj_add(g, ent, days[i], T_PRICE);
            double ref = round2(PRICE_ITEMS[item].ref * (0.95 + 0.1 * rng_u01(r)));
            ev->str = PRICE_ITEMS[item].name;
            ev->num[1] = ref;
            ev->num[0] = round2(ref * (3.05 + 2.95 * rng_u01(r)));
        }
        tr->from = s;
        tr->to = s + span;
        return 1;
    }
    case P_ELEVATOR: {
        if (D < 30) return 0;
        int k = 2 + (int)rng_below(r, 3);
        WINDOW(30, 180);
        spread_days(r, days, k, s, span);
        int32_t overdue = 31 + (int32_t)rng_below(r, 90);
        for (int i = 0; i < k; i++) {
            ev_t *ev = inj_add(g, ent, days[i], T_EQUIPMENT);
            ev->a[0] = EQ_ELEVATOR;
            ev->a[1] = 1;
            ev->num[0] = overdue + (days[i] - s);
        }
        tr->from = s;
        tr->to = s + span;
        return 1;
    }
    case P_HEALTH_AD: {
        if (D < 30) return 0;
        e->industry = ad_ind[rng_below(r, COUNT(ad_ind))];
        int k = 4 + (int)rng_below(r, 5);
        WINDOW(30, 90);
        spread_days(r, days, k, s, span);
        static const uint8_t media[] = {MD_LIVE, MD_WEB, MD_TV};
        for (int i = 0; i < k; i++) {
            ev_t *ev = inj_add(g, ent, days[i], T_AD);
            ev->a[0] = media[rng_below(r, COUNT(media))];
            ev->a[1] = 1;
            ev->a[2] = AC_HEALTH_FOOD;
            ev->str = CLAIMS_BAD[AC_HEALTH_FOOD][rng_below(r, 4)];
        }
        tr->from = s;
        tr->to = s + span;
        return 1;
    }
    }
#undef WINDOW
    return 0;
}

static int inj_cmp(const void *pa, const void *pb)
{
    const ev_t *a = pa, *b = pb;
    if (a->t != b->t) return a->t < b->t ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int truth_cmp(const void *pa, const void *pb)
{
    const truth_t *a = pa, *b = pb;
    if (a->from != b->from) return a->from < b->from ? -1 : 1;
    return a->ent < b->ent ? -1 : a->ent > b->ent;
}

/* Chooses the risky entities (outside the busiest 1 %, whose own volume would hide any
 * pattern) and plans their events, within INJECTED_MAX_SHARE of the stream. */
static void plan_risks(gen_t *g, uint64_t n_events)
{
    uint32_t want = (uint32_t)(g->n_ent * RISKY_SHARE + 0.5);
    uint32_t lo = g->n_ent / 100;
    uint64_t budget = (uint64_t)(n_events * INJECTED_MAX_SHARE);
    g->truth = rw_xcalloc(want ? want : 1, sizeof *g->truth);
    int offset = (int)rng_below(&g->rng, P__COUNT);
    for (uint32_t i = 0; i < want; i++) {
        uint32_t ent;
        do
            ent = lo + rng_below(&g->rng, g->n_ent - lo);
        while (g->ents[ent].flags & E_RISKY);
        size_t before = g->inj.n;
        entity_t saved = g->ents[ent]; /* inject() may retype the entity */
        truth_t tr;
        int ok = 0;
        for (int p = 0; p < P__COUNT && !ok; p++) {
            ok = inject(g, ent, (int)((i + (uint32_t)offset + (uint32_t)p) % P__COUNT), &tr);
            if (!ok) g->inj.n = before;
        }
        if (!ok || g->inj.n > budget) {
            g->inj.n = before;
            g->ents[ent] = saved;
            break;
        }
        g->ents[ent].flags |= E_RISKY;
        g->truth[g->ntruth++] = tr;
    }
    for (size_t i = 0; i < g->inj.n; i++)
        g->inj.v[i].seq = i;
    if (g->inj.n) qsort(g->inj.v, g->inj.n, sizeof *g->inj.v, inj_cmp);
    if (g->ntruth) qsort(g->truth, g->ntruth, sizeof *g->truth, truth_cmp);
}

static void write_truth(const gen_t *g, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "rw-gen-events: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    for (size_t i = 0; i < g->ntruth; i++) {
        const truth_t *t = &g->truth[i];
        char from[11], to[11];
        rw_date_format(g->start + t->from, from);
        rw_date_format(g->start + t->to, to);
        fprintf(f, "{\"entity\":\"%s\",\"pattern\":\"%s\",\"from\":\"%s\",\"to\":\"%s\"}\n",
                g->ents[t->ent].code, PATTERNS[t->pattern], from, to);
    }
    if (fclose(f)) {
        fprintf(stderr, "rw-gen-events: %s: %s\n", path, strerror(errno));
        exit(1);
    }
}

/* ---- writing one event ---- */

static void put_attrs(out_t *o, const ev_t *ev)
{
    switch (ev->type) {
    case T_COMPLAINT:
        PUTLIT(o, "{\"category\":");
        put_str(o, CATEGORIES[ev->a[0]]);
        PUTLIT(o, ",\"channel\":");
        put_str(o, CHANNELS[ev->a[1]]);
        PUTLIT(o, ",\"amount\":");
        put_num(o, ev->num[0]);
        break;
    case T_INSPECTION:
        PUTLIT(o, "{\"domain\":");
        put_str(o, DOMAINS[ev->a[0]]);
        PUTLIT(o, ",\"result\":");
        put_str(o, RESULTS3[ev->a[1]]);
        PUTLIT(o, ",\"kind\":");
        put_str(o, INSPECTION_KINDS[ev->a[2]]);
        break;
    case T_SAMPLING:
        PUTLIT(o, "{\"domain\":");
        put_str(o, SAMPLING_DOMAINS[ev->a[0]]);
        PUTLIT(o, ",\"product\":");
        put_str(o, ev->str);
        PUTLIT(o, ",\"result\":");
        put_str(o, RESULTS2[ev->a[1]]);
        PUTLIT(o, ",\"hazard\":");
        put_str(o, HAZARDS[ev->a[2]]);
        break;
    case T_PENALTY:
        PUTLIT(o, "{\"amount\":");
        put_num(o, ev->num[0]);
        PUTLIT(o, ",\"kind\":");
        put_str(o, PENALTY_KINDS[ev->a[0]]);
        PUTLIT(o, ",\"domain\":");
        put_str(o, DOMAINS[ev->a[1]]);
        break;
    case T_LICENSE:
        PUTLIT(o, "{\"license\":");
        put_str(o, LICENSES[ev->a[0]]);
        PUTLIT(o, ",\"action\":");
        put_str(o, LICENSE_ACTIONS[ev->a[1]]);
        break;
    case T_REGISTRATION:
        PUTLIT(o, "{\"field\":");
        put_str(o, REG_FIELDS[ev->a[0]]);
        if (ev->a[0] == RF_STATUS) {
            PUTLIT(o, ",\"status\":");
            put_str(o, REG_STATUSES[ev->a[1]]);
        }
        break;
    case T_ABNORMAL:
        PUTLIT(o, "{\"action\":");
        put_str(o, ABNORMAL_ACTIONS[ev->a[0]]);
        PUTLIT(o, ",\"reason\":");
        put_str(o, ABNORMAL_REASONS[ev->a[1]]);
        break;
    case T_ANNUAL:
        PUTLIT(o, "{\"year\":");
        put_num(o, ev->num[0]);
        PUTLIT(o, ",\"on_time\":");
        put_bool(o, ev->a[0]);
        PUTLIT(o, ",\"false_info\":");
        put_bool(o, ev->a[1]);
        break;
    case T_TAX_ANOMALY:
        PUTLIT(o, "{\"kind\":");
        put_str(o, TAX_ANOMALY_KINDS[ev->a[0]]);
        PUTLIT(o, ",\"amount\":");
        put_num(o, ev->num[0]);
        break;
    case T_TAX_RETURN: {
        int period = (int)ev->num[1];
        PUTLIT(o, "{\"revenue\":");
        put_num(o, ev->num[0]);
        PUTLIT(o, ",\"period\":\"");
        put_u64(o, (uint64_t)(period / 12), 4);
        putch(o, '-');
        put_u64(o, (uint64_t)(period % 12 + 1), 2);
        putch(o, '"');
        break;
    }
    case T_AD:
        PUTLIT(o, "{\"medium\":");
        put_str(o, MEDIA[ev->a[0]]);
        PUTLIT(o, ",\"violation\":");
        put_bool(o, ev->a[1]);
        PUTLIT(o, ",\"category\":");
        put_str(o, AD_CATEGORIES[ev->a[2]]);
        PUTLIT(o, ",\"claim\":");
        put_str(o, ev->str);
        break;
    case T_PRICE:
        PUTLIT(o, "{\"product\":");
        put_str(o, ev->str);
        PUTLIT(o, ",\"price\":");
        put_num(o, ev->num[0]);
        PUTLIT(o, ",\"ref_price\":");
        put_num(o, ev->num[1]);
        break;
    case T_EQUIPMENT:
        PUTLIT(o, "{\"equipment\":");
        put_str(o, EQUIPMENT[ev->a[0]]);
        PUTLIT(o, ",\"result\":");
        put_str(o, RESULTS2[ev->a[1]]);
        PUTLIT(o, ",\"overdue_days\":");
        put_num(o, ev->num[0]);
        break;
    case T_METROLOGY:
        PUTLIT(o, "{\"instrument\":");
        put_str(o, INSTRUMENTS[ev->a[0]]);
        PUTLIT(o, ",\"result\":");
        put_str(o, RESULTS2[ev->a[1]]);
        PUTLIT(o, ",\"deviation\":");
        put_num(o, ev->num[0]);
        break;
    case T_ONLINE:
        PUTLIT(o, "{\"platform\":");
        put_str(o, ev->str);
        PUTLIT(o, ",\"issue\":");
        put_str(o, ONLINE_ISSUES[ev->a[0]]);
        break;
    }
    putch(o, '}');
}

/* The first line of an entity carries its whole profile; later ones only changes. */
static void put_profile(out_t *o, const gen_t *g, const ev_t *ev, int first)
{
    const entity_t *e = &g->ents[ev->ent];
    if (!first && !(ev->flags & (EV_SET_ABN | EV_SET_CAP | EV_SET_REGION))) return;
    PUTLIT(o, ",\"profile\":{");
    int n = 0;
    if (first) {
        char name[128];
        entity_name(g, ev->ent, name, sizeof name);
        PUTLIT(o, "\"name\":");
        put_str(o, name);
        PUTLIT(o, ",\"industry\":");
        put_str(o, INDUSTRIES[e->industry].code);
        n = 1;
    }
    if (first || (ev->flags & EV_SET_REGION)) {
        if (n++) putch(o, ',');
        PUTLIT(o, "\"region\":");
        put_str(o, REGIONS[ev->region].code);
    }
    if (first || (ev->flags & EV_SET_CAP)) {
        if (n++) putch(o, ',');
        PUTLIT(o, "\"capital\":");
        put_u64(o, ev->capital, 0);
    }
    if (ev->flags & EV_SET_ABN) {
        if (n++) putch(o, ',');
        PUTLIT(o, "\"abnormal_list\":");
        put_bool(o, ev->flags & EV_ABN_TRUE);
    }
    putch(o, '}');
}

static void out_ensure(out_t *o)
{
    if (o->len + LINE_MAX_BYTES > OUT_BUF) out_flush(o);
}

static void write_dup(out_t *o, dup_t *d)
{
    out_ensure(o);
    put(o, d->line, d->len);
    o->lines++;
    free(d->line);
}

static void recompute_next_dup(out_t *o)
{
    o->next_dup = UINT64_MAX;
    for (size_t i = 0; i < o->ndups; i++)
        if (o->dups[i].target < o->next_dup) o->next_dup = o->dups[i].target;
}

/* Writes the duplicates due now; with all set, every pending one in target order. */
static void flush_dups(out_t *o, int all)
{
    while (o->ndups && (all || o->next_dup <= o->lines)) {
        size_t best = 0;
        for (size_t i = 1; i < o->ndups; i++)
            if (o->dups[i].target < o->dups[best].target) best = i;
        write_dup(o, &o->dups[best]);
        o->dups[best] = o->dups[--o->ndups];
        recompute_next_dup(o);
    }
}

static void emit_event(out_t *o, gen_t *g, const ev_t *ev)
{
    if (o->next_dup <= o->lines) flush_dups(o, 0);
    out_ensure(o);
    entity_t *e = &g->ents[ev->ent];
    int first = !(e->flags & E_SEEN);
    size_t start = o->len;
    if (o->kcat) {
        put(o, e->code, 18);
        putch(o, '|');
    }
    const char *prefix = TYPES[ev->type].prefix;
    PUTLIT(o, "{\"id\":\"");
    put(o, prefix, strlen(prefix));
    putch(o, '-');
    put_u64(o, (uint64_t)year_of_day(local_day(ev->t)), 4);
    putch(o, '-');
    put_u64(o, ev->seq, 8);
    PUTLIT(o, "\",\"type\":");
    put_str(o, TYPES[ev->type].name);
    PUTLIT(o, ",\"entity\":\"");
    put(o, e->code, 18);
    PUTLIT(o, "\",\"time\":\"");
    put_time(o, ev->t);
    PUTLIT(o, "\",\"region\":");
    put_str(o, REGIONS[ev->region].code);
    PUTLIT(o, ",\"source\":");
    put_str(o, TYPES[ev->type].source);
    PUTLIT(o, ",\"attrs\":");
    put_attrs(o, ev);
    put_profile(o, g, ev, first);
    PUTLIT(o, "}\n");
    o->lines++;
    e->flags |= E_SEEN;
    if (!(ev->flags & EV_LATE)) {
        int64_t d = local_day(ev->t);
        if (d > e->latest_day) e->latest_day = (int32_t)d;
    }
    if (ev->flags & EV_DUP) {
        if (o->ndups == o->capdups) {
            o->capdups = o->capdups ? o->capdups * 2 : 64;
            o->dups = rw_xrealloc(o->dups, o->capdups * sizeof *o->dups);
        }
        dup_t *d = &o->dups[o->ndups++];
        d->len = o->len - start;
        d->line = rw_xmalloc(d->len);
        memcpy(d->line, o->buf + start, d->len);
        d->target = o->lines + ev->dup_gap;
        if (d->target < o->next_dup) o->next_dup = d->target;
    }
}

/* ---- the day loop ---- */

static void run(gen_t *g, out_t *o, uint64_t n_events)
{
    rng_t *r = &g->rng;
    uint64_t base_total = n_events - g->inj.n;
    /* Volume per day: weekdays busier than weekends, and a gentle growth over the
     * period as reporting channels widen. */
    uint64_t *cum = rw_xmalloc((size_t)g->days * sizeof *cum);
    uint64_t acc = 0;
    for (int32_t d = 0; d < g->days; d++) {
        int wd = rw_weekday(g->start + d);
        uint64_t w = wd < 5 ? 10 : wd == 5 ? 4 : 3;
        /* Small weights: base_total * acc stays below 2^64 for the limits of main(). */
        acc += w * (100 + 30 * (uint64_t)d / (uint64_t)g->days);
        cum[d] = acc;
    }
    /* Per generated unit: a duplicated event is two lines, so the chance that a unit is
     * duplicated is a bit above the share of duplicate lines wanted. */
    const double p_dup = DUP_SHARE / (1 - DUP_SHARE);
    evvec_t batch = {0};
    size_t inj_pos = 0;
    uint64_t planned = 0;
    for (int32_t d = 0; d < g->days; d++) {
        int64_t day = g->start + d;
        uint64_t target = base_total * cum[d] / acc;
        uint64_t lines = target - planned;
        planned = target;
        while (inj_pos < g->inj.n && local_day(g->inj.v[inj_pos].t) == day) {
            ev_t *ev = evvec_push(&batch);
            *ev = g->inj.v[inj_pos++];
            ev->seq = g->seq++;
        }
        while (lines > 0) {
            ev_t *ev = evvec_push(&batch);
            if (lines >= 2 && rng_chance(r, p_dup)) {
                gen_normal(g, ev, day);
                ev->flags |= EV_DUP;
                ev->dup_gap = (uint8_t)(1 + rng_below(r, 255));
                lines -= 2;
                continue;
            }
            lines--;
            if (rng_chance(r, LATE_SHARE) && gen_late(g, ev, day)) continue;
            gen_normal(g, ev, day);
            /* Written 30 minutes to three days after its time, skewed to short delays.
             * Drawn only for units not duplicated, hence the correction. */
            if (rng_chance(r, OOO_SHARE / (1 - DUP_SHARE))) {
                double u = rng_u01(r);
                ev->emit = ev->t + 1800 + (int64_t)(u * u * 3 * DAY);
            }
        }
        if (!batch.n) continue;
        qsort(batch.v, batch.n, sizeof *batch.v, ev_cmp);
        int64_t day_end = (day + 1) * DAY;
        size_t i = 0;
        for (; i < batch.n && batch.v[i].emit < day_end; i++)
            emit_event(o, g, &batch.v[i]);
        /* The rest are held over to the day they are due. */
        memmove(batch.v, batch.v + i, (batch.n - i) * sizeof *batch.v);
        batch.n -= i;
    }
    for (size_t i = 0; i < batch.n; i++)
        emit_event(o, g, &batch.v[i]);
    flush_dups(o, 1);
    free(batch.v);
    free(cum);
}

/* ---- command line ---- */

static void usage(FILE *f)
{
    fputs("usage: rw-gen-events [options]\n"
          "Writes a deterministic synthetic event stream (JSON Lines, events.md) for\n"
          "benchmarks and detection-quality runs.\n"
          "\n"
          "  --events N         lines to write (default 1000000; duplicates included)\n"
          "  --entities N       population size (default events/20, at least 1)\n"
          "  --seed S           random seed (default 1); same seed, same bytes\n"
          "  --start YYYY-MM-DD first day of the period (default 2024-11-01)\n"
          "  --days D           length of the period in days (default 730)\n"
          "  --format F         jsonl (default) or kcat: `entity|json` per line,\n"
          "                     for kcat -P -K '|'\n"
          "  --out FILE         write to FILE instead of stdout\n"
          "  --truth FILE       write the injected risk patterns, one JSON line each:\n"
          "                     {\"entity\",\"pattern\",\"from\",\"to\"}\n"
          "  --help             this text\n"
          "\n"
          "Noise: about 2% duplicate lines, 3% out of order, 0.2% late (dated over 400 days\n"
          "before the entity's latest event); about 0.5% of entities get one risk pattern.\n",
          f);
}

static int parse_u64(const char *opt, const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *end || errno || s[0] == '-' || v > max) {
        fprintf(stderr, "rw-gen-events: %s: expected an integer 0..%" PRIu64 ", got '%s'\n", opt,
                max, s);
        return -1;
    }
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t n_events = 1000000, n_ent = 0, seed = 1, days = 730;
    const char *start = "2024-11-01", *format = "jsonl", *out_path = NULL, *truth_path = NULL;
    int have_ent = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        }
        static const char *const with_value[] = {"--events", "--entities", "--seed", "--start",
                                                 "--days",   "--format",   "--out",  "--truth"};
        size_t k;
        for (k = 0; k < COUNT(with_value); k++) {
            size_t n = strlen(with_value[k]);
            if (!strncmp(a, with_value[k], n) && (a[n] == 0 || a[n] == '=')) {
                if (a[n] == '=')
                    v = a + n + 1;
                else if (i + 1 < argc)
                    v = argv[++i];
                else {
                    fprintf(stderr, "rw-gen-events: %s needs a value\n", a);
                    return 2;
                }
                break;
            }
        }
        if (k == COUNT(with_value)) {
            fprintf(stderr, "rw-gen-events: unknown option '%s' (see --help)\n", a);
            return 2;
        }
        int rc = 0;
        switch (k) {
        case 0:
            rc = parse_u64("--events", v, 10000000000ULL, &n_events);
            break;
        case 1:
            rc = parse_u64("--entities", v, 100000000ULL, &n_ent);
            have_ent = 1;
            break;
        case 2:
            rc = parse_u64("--seed", v, UINT64_MAX, &seed);
            break;
        case 3:
            start = v;
            break;
        case 4:
            rc = parse_u64("--days", v, 36500, &days);
            break;
        case 5:
            format = v;
            break;
        case 6:
            out_path = v;
            break;
        case 7:
            truth_path = v;
            break;
        }
        if (rc) return 2;
    }
    gen_t g = {0};
    if (rw_date_parse(start, &g.start)) {
        fprintf(stderr, "rw-gen-events: --start: expected YYYY-MM-DD, got '%s'\n", start);
        return 2;
    }
    if (days < 1) {
        fprintf(stderr, "rw-gen-events: --days must be at least 1\n");
        return 2;
    }
    if (strcmp(format, "jsonl") && strcmp(format, "kcat")) {
        fprintf(stderr, "rw-gen-events: --format: expected jsonl or kcat, got '%s'\n", format);
        return 2;
    }
    if (!have_ent) n_ent = n_events / 20;
    if (n_ent < 1) n_ent = 1;

    g.seed = seed;
    g.n_ent = (uint32_t)n_ent;
    g.days = (int32_t)days;
    rng_seed(&g.rng, seed);
    entities_init(&g);
    /* Zipf–Mandelbrot, s = 1.1: a heavy head, but the offset keeps the single busiest
     * firm near 1 % of the stream instead of over 10 %. */
    alias_build(&g.zipf, g.n_ent, 1.1, 20.0);
    plan_risks(&g, n_events);
    if (truth_path) write_truth(&g, truth_path);

    out_t o = {0};
    o.path = out_path ? out_path : "stdout";
    o.f = out_path ? fopen(out_path, "wb") : stdout;
    if (!o.f) {
        fprintf(stderr, "rw-gen-events: %s: %s\n", out_path, strerror(errno));
        return 1;
    }
    o.buf = rw_xmalloc(OUT_BUF);
    o.kcat = !strcmp(format, "kcat");
    o.next_dup = UINT64_MAX;
    run(&g, &o, n_events);
    out_flush(&o);
    if (fflush(o.f) || ferror(o.f) || (out_path && fclose(o.f))) {
        fprintf(stderr, "rw-gen-events: write %s: %s\n", o.path, strerror(errno));
        return 1;
    }
    if (o.lines != n_events) {
        fprintf(stderr, "rw-gen-events: internal error: wrote %" PRIu64 " lines, not %" PRIu64 "\n",
                o.lines, n_events);
        return 70;
    }
    free(o.buf);
    free(o.dups);
    free(g.ents);
    free(g.zipf.prob);
    free(g.zipf.alias);
    free(g.inj.v);
    free(g.truth);
    return 0;
}
