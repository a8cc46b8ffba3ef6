/* rules.c — loads a rules folder: catalogue, statutes, every ruleset file in byte
 * order of names, streams (one global name space), params and overrides, and
 * rules; checks and compiles every expression with file:line:col diagnostics. */
#include "rules.h"

#include "checker.h"
#include "rwtime.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const level_names[] = {"blue", "yellow", "orange", "red"};

const char *rw_level_name(int level)
{
    return level >= 0 && level < RW_LEVEL__COUNT ? level_names[level] : "";
}

int rw_level_parse(const char *s)
{
    for (int i = 0; i < RW_LEVEL__COUNT; i++)
        if (s && strcmp(s, level_names[i]) == 0) return i;
    return -1;
}

/* ---- loading context ----------------------------------------------------------- */

typedef struct {
    rw_rules_t *r;
    rw_diags_t *d;
    const rw_load_opts_t *opts;
    int ruleset; /* the ruleset whose params expressions may read */
    int rule;    /* the rule being loaded, whose params_read they mark; -1 */
    /* each --set value, parsed once: the checker types params by it, apply_settings sets
     * it (set_ok[s] 0: not a YAML scalar, reported there) */
    rw_value_t *set_values;
    unsigned char *set_ok;
} loader_t;

static int stream_lookup(void *ud, const char *name)
{
    loader_t *L = ud;
    rw_rules_t *r = L->r;
    for (size_t i = 0; i < r->n_streams; i++)
        if (strcmp(r->streams[i].name, name) == 0) return (int)i;
    int type = rw_catalog_type(&r->catalog, name, strlen(name));
    if (type < 0) return -1;
    r->streams = rw_xrealloc(r->streams, (r->n_streams + 1) * sizeof *r->streams);
    r->streams[r->n_streams] = (rw_stream_t){.name = rw_xstrdup(name), .type = type};
    return (int)r->n_streams++;
}

static rw_value_t scalar_value(const rw_ynode_t *n)
{
    switch (n->kind) {
    case RW_Y_NUM:
        return rw_num(n->num);
    case RW_Y_BOOL:
        return rw_bool(n->boolean);
    case RW_Y_STR:
        return rw_str(rw_xstrdup(n->str), n->len);
    default:
        return rw_null();
    }
}

static void value_free(rw_value_t *v)
{
    if (v->kind == RW_V_STR) free((char *)v->s);
    *v = rw_null();
}

static rw_value_t value_copy(rw_value_t v)
{
    if (v.kind == RW_V_STR) v.s = rw_xstrndup(v.s, v.len);
    return v;
}

/* A --set value: a YAML scalar (rules.md); -1 for a list or a map. */
static int parse_setting(const char *text, rw_value_t *v, rw_diags_t *d)
{
    rw_ydoc_t doc;
    int bad = rw_ydoc_parse(&doc, "--set", text, strlen(text), d) ||
              (doc.root && (doc.root->kind == RW_Y_SEQ || doc.root->kind == RW_Y_MAP));
    if (!bad) *v = doc.root ? scalar_value(doc.root) : rw_null();
    rw_ydoc_free(&doc);
    return bad ? -1 : 0;
}

static int param_lookup(void *ud, const char *name, int *kinds)
{
    loader_t *L = ud;
    if (L->ruleset < 0) return -1;
    const rw_ruleset_t *rs = &L->r->rulesets[L->ruleset];
    int i = rw_ruleset_param(rs, name);
    if (i < 0) return -1;
    static const int kind_bits[] = {RW_K_NULL, RW_K_NUM, RW_K_STR, RW_K_BOOL};
    int k = kind_bits[rs->base[i].kind];
    for (size_t o = 0; o < rs->n_overrides; o++)
        k |= kind_bits[rs->overrides[o].values[i].kind];
    if (L->rule >= 0) L->r->rules[L->rule].params_read[i] = 1;
    /* --set replaces the value after the check: `params.a == null` is no error when
     * --set a=~ makes it null */
    for (size_t s = 0; s < L->opts->n_sets; s++)
        if (L->set_ok[s] && strcmp(L->opts->sets[s].name, name) == 0)
            k |= kind_bits[L->set_values[s].kind];
    *kinds = k;
    return i;
}

static int type_known(void *ud, const char *name, size_t len)
{
    const loader_t *L = ud;
    return rw_catalog_type(&L->r->catalog, name, len) >= 0;
}

static int model_lookup(void *ud, const char *name)
{
    loader_t *L = ud;
    return rw_rules_model(L->r, name);
}

int rw_rules_model(const rw_rules_t *r, const char *name)
{
    for (size_t i = 0; i < r->n_models; i++)
        if (strcmp(r->models[i].name, name) == 0) return (int)i;
    return -1;
}

static int add_call(void *ud, rw_callspec_t *spec)
{
    loader_t *L = ud;
    rw_rules_t *r = L->r;
    for (size_t i = 0; i < r->n_calls; i++)
        if (strcmp(r->calls[i].text, spec->text) == 0) {
            free(spec->text);
            rw_evpath_free(&spec->field);
            return (int)i;
        }
    r->calls = rw_xrealloc(r->calls, (r->n_calls + 1) * sizeof *r->calls);
    r->calls[r->n_calls] = *spec;
    return (int)r->n_calls++;
}

/* A stream's events are of one catalogue type when it is a type or its filter requires one. */
static const char *attr_kind(void *ud, int stream, const char *name)
{
    const rw_rules_t *r = ((loader_t *)ud)->r;
    if (stream < 0 || r->streams[stream].type < 0) return NULL;
    const rw_type_t *t = &r->catalog.types[r->streams[stream].type];
    for (size_t i = 0; i < t->n_attrs; i++)
        if (strcmp(t->attr_names[i], name) == 0) return t->attr_kinds[i];
    return NULL;
}

static rw_check_ctx_t ctx_for(loader_t *L, rw_ctx_kind_t kind, const rw_ydoc_t *doc,
                              const rw_ynode_t *n)
{
    return (rw_check_ctx_t){.kind = kind,
                            .doc = doc,
                            .node = n,
                            .diags = L->d,
                            .ud = L,
                            .stream = stream_lookup,
                            .param = param_lookup,
                            .model = model_lookup,
                            .add_call = add_call,
                            .attr_kind = attr_kind,
                            .type_known = type_known};
}

/* Checks and compiles a condition held in a YAML scalar; NULL after an error. */
static rw_prog_t *compile_node(loader_t *L, rw_ctx_kind_t kind, const rw_ydoc_t *doc,
                               const rw_ynode_t *n, rw_ast_t **ast_out)
{
    if (!n || n->kind == RW_Y_SEQ || n->kind == RW_Y_MAP || n->kind == RW_Y_NULL) {
        rw_ydiag(L->d, doc, n, RW_DIAG_ERROR, "这里需要一个表达式（字符串）");
        return NULL;
    }
    rw_check_ctx_t ctx = ctx_for(L, kind, doc, n);
    rw_ast_t *a = rw_check_expr(&ctx, n->str, n->len);
    if (!a) return NULL;
    rw_check_condition(&ctx, a);
    rw_prog_t *p = rw_compile(a);
    if (ast_out)
        *ast_out = a;
    else
        rw_ast_free(a);
    return p;
}

static int is_type_path(const rw_ast_t *a)
{
    return a->kind == RW_AST_PATH && a->ref_kind == RW_REF_EVENT && a->ref_index == RW_EF_TYPE;
}

/* The catalogue type a filter requires when it is `type == "x"` (or a conjunction
 * holding that test): the stream's type. */
static int guard_type(const rw_rules_t *r, const rw_ast_t *a)
{
    if (a->kind == RW_AST_AND) {
        int t = guard_type(r, a->args[0]);
        return t >= 0 ? t : guard_type(r, a->args[1]);
    }
    if (a->kind != RW_AST_BIN || a->op != RW_OP_EQ) return -1;
    const rw_ast_t *p = a->args[0], *s = a->args[1];
    if (p->kind == RW_AST_STR) {
        const rw_ast_t *t = p;
        p = s;
        s = t;
    }
    if (!is_type_path(p) || s->kind != RW_AST_STR) return -1;
    return rw_catalog_type(&r->catalog, s->str, s->str_len);
}

/* The set of catalogue types (bit i: type i) whose events can pass a filter, from its
 * `type == "x"` and `type in [...]` tests under `and` and `or`; every type when the
 * filter does not say or the catalogue has more than 64. Membership evaluates a filter
 * only for these: a stream of several types used to be evaluated on every event. */
static uint64_t guard_types(const rw_rules_t *r, const rw_ast_t *a)
{
    if (r->catalog.n_types > 64) return UINT64_MAX;
    if (a->kind == RW_AST_AND) return guard_types(r, a->args[0]) & guard_types(r, a->args[1]);
    if (a->kind == RW_AST_OR) return guard_types(r, a->args[0]) | guard_types(r, a->args[1]);
    if (a->kind == RW_AST_IN && !a->negated && is_type_path(a->args[0])) {
        uint64_t m = 0;
        const rw_ast_t *list = a->args[1];
        for (size_t i = 0; i < list->n_args; i++) {
            const rw_ast_t *s = list->args[i];
            if (s->kind != RW_AST_STR) return UINT64_MAX;
            int t = rw_catalog_type(&r->catalog, s->str, s->str_len);
            if (t >= 0) m |= UINT64_C(1) << t;
        }
        return m;
    }
    int t = guard_type(r, a);
    return t >= 0 ? UINT64_C(1) << t : UINT64_MAX;
}

/* ---- params ---------------------------------------------------------------------- */

static int load_params(loader_t *L, rw_ruleset_t *rs, const rw_ydoc_t *doc)
{
    int rc = 0;
    const rw_ynode_t *params = rw_ymap_get(doc->root, "params");
    if (params && params->kind == RW_Y_MAP) {
        rs->param_names = rw_xmalloc(params->n * sizeof(char *));
        rs->base = rw_xmalloc(params->n * sizeof(rw_value_t));
        for (size_t i = 0; i < params->n; i++) {
            const rw_ynode_t *v = params->items[i];
            if (v->kind == RW_Y_SEQ || v->kind == RW_Y_MAP) {
                rw_ydiag(L->d, doc, v, RW_DIAG_ERROR,
                         "参数 %s 的值必须是标量（数字、字符串、布尔值）", params->keys[i]->str);
                rc = -1;
                continue;
            }
            rs->param_names[rs->n_params] = rw_xstrdup(params->keys[i]->str);
            rs->base[rs->n_params++] = scalar_value(v);
        }
    } else if (params && params->kind != RW_Y_NULL) {
        rw_ydiag(L->d, doc, params, RW_DIAG_ERROR, "params 应该是 名称: 值 的映射");
        rc = -1;
    }
    const rw_ynode_t *ov = rw_ymap_get(doc->root, "overrides");
    if (ov && ov->kind == RW_Y_MAP) {
        rs->overrides = rw_xcalloc(ov->n, sizeof *rs->overrides);
        for (size_t i = 0; i < ov->n; i++) {
            const char *prefix = ov->keys[i]->str;
            size_t plen = strlen(prefix);
            int digits = plen >= 1 && plen <= 12;
            for (size_t k = 0; k < plen; k++)
                digits &= prefix[k] >= '0' && prefix[k] <= '9';
            if (!digits) {
                rw_ydiag(L->d, doc, ov->keys[i], RW_DIAG_ERROR,
                         "overrides 的键必须是行政区划代码前缀（数字），如 \"3201\"");
                rc = -1;
                continue;
            }
            const rw_ynode_t *m = ov->items[i];
            if (m->kind != RW_Y_MAP) {
                rw_ydiag(L->d, doc, m, RW_DIAG_ERROR, "overrides.\"%s\" 应该是 参数: 值 的映射",
                         prefix);
                rc = -1;
                continue;
            }
            rw_param_set_t *ps = &rs->overrides[rs->n_overrides++];
            ps->prefix = rw_xstrdup(prefix);
            ps->values = rw_xmalloc((rs->n_params ? rs->n_params : 1) * sizeof(rw_value_t));
            for (size_t k = 0; k < rs->n_params; k++)
                ps->values[k] = value_copy(rs->base[k]);
            for (size_t k = 0; k < m->n; k++) {
                int idx = rw_ruleset_param(rs, m->keys[k]->str);
                if (idx < 0) {
                    rw_ydiag(L->d, doc, m->keys[k], RW_DIAG_ERROR,
                             "覆盖了未声明的参数 %s（请先在 params 中声明）", m->keys[k]->str);
                    rc = -1;
                    continue;
                }
                if (m->items[k]->kind == RW_Y_SEQ || m->items[k]->kind == RW_Y_MAP) {
                    rw_ydiag(L->d, doc, m->items[k], RW_DIAG_ERROR, "参数值必须是标量");
                    rc = -1;
                    continue;
                }
                value_free(&ps->values[idx]);
                ps->values[idx] = scalar_value(m->items[k]);
            }
        }
    } else if (ov && ov->kind != RW_Y_NULL) {
        rw_ydiag(L->d, doc, ov, RW_DIAG_ERROR, "overrides 应该是 区划前缀: {参数: 值} 的映射");
        rc = -1;
    }
    return rc;
}

int rw_param_setting_parse(char *arg, rw_param_setting_t *out)
{
    char *eq = strchr(arg, '=');
    if (!eq || eq == arg) return -1;
    *eq = 0;
    out->value = eq + 1;
    char *colon = strchr(arg, ':');
    if (colon) {
        *colon = 0;
        out->rule = arg;
        out->name = colon + 1;
    } else {
        out->rule = NULL;
        out->name = arg;
    }
    return *out->name ? 0 : -1;
}

/* --set replaces a param last, over overrides. */
static int apply_settings(loader_t *L)
{
    rw_rules_t *r = L->r;
    int rc = 0;
    for (size_t s = 0; s < L->opts->n_sets; s++) {
        const rw_param_setting_t *set = &L->opts->sets[s];
        int only = -1;
        if (set->rule) {
            int ri = rw_rules_find(r, set->rule);
            if (ri < 0) {
                rw_diag_error(L->d, "--set", 1, 1, "未知的规则 %s", set->rule);
                rc = -1;
                continue;
            }
            only = r->rules[ri].ruleset;
        }
        if (!L->set_ok[s]) {
            rw_value_t again; /* parsed again, now for the diagnostics */
            if (parse_setting(set->value, &again, L->d) == 0) value_free(&again);
            rw_diag_error(L->d, "--set", 1, 1, "%s 的值必须是标量", set->name);
            rc = -1;
            continue;
        }
        rw_value_t given = L->set_values[s];
        int found = 0;
        for (size_t i = 0; i < r->n_rulesets; i++) {
            if (only >= 0 && (int)i != only) continue;
            rw_ruleset_t *rs = &r->rulesets[i];
            int idx = rw_ruleset_param(rs, set->name);
            if (idx < 0) continue;
            found = 1;
            /* the value is a YAML scalar whatever its kind (rules.md), but another kind than
             * the declared one is usually a typo: `min_complaints=abc` never fires */
            rw_vkind_t declared = rs->base[idx].kind;
            if (declared != RW_V_NULL && given.kind != declared) {
                static const char *const kinds[] = {"空值", "数字", "字符串", "布尔值"};
                rw_diag_warn(L->d, "--set", 1, 1,
                             "参数 %s 在规则集 %s 中是%s，--set 给出的 \"%s\" 是%s", set->name,
                             rs->name, kinds[declared], set->value, kinds[given.kind]);
            }
            value_free(&rs->base[idx]);
            rs->base[idx] = value_copy(given);
            for (size_t o = 0; o < rs->n_overrides; o++) {
                value_free(&rs->overrides[o].values[idx]);
                rs->overrides[o].values[idx] = value_copy(given);
            }
        }
        if (!found) {
            rw_diag_error(L->d, "--set", 1, 1, "没有规则集声明参数 %s", set->name);
            rc = -1;
        }
    }
    return rc;
}

const rw_value_t *rw_rules_params(const rw_rules_t *r, int ruleset, const char *region)
{
    const rw_ruleset_t *rs = &r->rulesets[ruleset];
    const rw_value_t *best = rs->base;
    size_t best_len = 0;
    if (!region) return best;
    size_t rlen = strlen(region);
    for (size_t i = 0; i < rs->n_overrides; i++) {
        size_t plen = strlen(rs->overrides[i].prefix);
        if (plen <= rlen && plen > best_len && memcmp(rs->overrides[i].prefix, region, plen) == 0) {
            best = rs->overrides[i].values;
            best_len = plen;
        }
    }
    return best;
}

int rw_rules_find(const rw_rules_t *r, const char *rule_id)
{
    for (size_t i = 0; i < r->n_rules; i++)
        if (strcmp(r->rules[i].id, rule_id) == 0) return (int)i;
    return -1;
}

int rw_ruleset_param(const rw_ruleset_t *rs, const char *name)
{
    for (size_t i = 0; i < rs->n_params; i++)
        if (strcmp(rs->param_names[i], name) == 0) return (int)i;
    return -1;
}

/* ---- rules ----------------------------------------------------------------------- */

static int parse_duration(const char *s, int *count, char *unit)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || v < 0 || v > 100000 || (*end != 'd' && *end != 'h') || end[1]) return -1;
    *count = (int)v;
    *unit = *end;
    return 0;
}

static int valid_rule_id(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '.' || *s == '-'))
            return 0;
    return 1;
}

static void add_evidence(rw_rule_t *rule, int call, int op, rw_prog_t *threshold)
{
    for (size_t i = 0; i < rule->n_evidence; i++)
        if (rule->evidence[i].call == call) {
            if (rule->evidence[i].op < 0 && op >= 0) {
                rule->evidence[i].op = op;
                rule->evidence[i].threshold = threshold;
            } else
                rw_prog_free(threshold);
            return;
        }
    rule->evidence = rw_xrealloc(rule->evidence, (rule->n_evidence + 1) * sizeof *rule->evidence);
    rule->evidence[rule->n_evidence++] =
        (rw_evidence_t){.call = call, .op = op, .threshold = threshold};
}

static rw_binop_t mirror(rw_binop_t op)
{
    switch (op) {
    case RW_OP_LT:
        return RW_OP_GT;
    case RW_OP_LE:
        return RW_OP_GE;
    case RW_OP_GT:
        return RW_OP_LT;
    case RW_OP_GE:
        return RW_OP_LE;
    default:
        return op;
    }
}

/* Evidence: every aggregate/model call of the `if`, in source order, once; with the
 * comparison it is one side of, when the other side holds no such call. */
static void collect_evidence(rw_rule_t *rule, const rw_ast_t *a)
{
    if (a->kind == RW_AST_BIN && a->op >= RW_OP_EQ) {
        for (int side = 0; side < 2; side++) {
            const rw_ast_t *c = a->args[side], *o = a->args[1 - side];
            if (c->call_id >= 0 && !rw_ast_has_agg_call(o)) {
                rw_binop_t op = side == 0 ? a->op : mirror(a->op);
                if (side == 1)
                    add_evidence(rule, a->args[0]->call_id >= 0 ? a->args[0]->call_id : -1, -1,
                                 NULL);
                add_evidence(rule, c->call_id, op, rw_compile(o));
                if (side == 0) collect_evidence(rule, o);
                return;
            }
        }
    }
    if (a->call_id >= 0) {
        add_evidence(rule, a->call_id, -1, NULL);
        return; /* calls take no aggregate arguments */
    }
    for (size_t i = 0; i < a->n_args; i++)
        collect_evidence(rule, a->args[i]);
}

static void finish_evidence(rw_rules_t *r, rw_rule_t *rule)
{
    /* drop the placeholder a mirrored comparison may have added */
    size_t k = 0;
    for (size_t i = 0; i < rule->n_evidence; i++)
        if (rule->evidence[i].call >= 0) rule->evidence[k++] = rule->evidence[i];
    rule->n_evidence = k;
    for (size_t i = 0; i < rule->n_evidence; i++) {
        const rw_callspec_t *c = &r->calls[rule->evidence[i].call];
        if (rw_agg_is_window(c->kind)) {
            rule->window_calls =
                rw_xrealloc(rule->window_calls, (rule->n_window_calls + 1) * sizeof(int));
            rule->window_calls[rule->n_window_calls++] = rule->evidence[i].call;
        }
    }
}

/* The lead's `models`: each model the rule reads in its `if`, `level` or `message`, once,
 * in source order. Every lead that used a model carries it (models.md); a model that
 * only chose the level or went into the message was used as much as one in the `if`. */
static void collect_models(const rw_rules_t *r, rw_rule_t *rule, const rw_ast_t *a)
{
    if (a->call_id >= 0) {
        const rw_callspec_t *c = &r->calls[a->call_id];
        if (c->kind != RW_AGG_MODEL) return;
        for (size_t i = 0; i < rule->n_model_calls; i++)
            if (r->calls[rule->model_calls[i]].model == c->model) return;
        rule->model_calls = rw_xrealloc(rule->model_calls, (rule->n_model_calls + 1) * sizeof(int));
        rule->model_calls[rule->n_model_calls++] = a->call_id;
        return;
    }
    for (size_t i = 0; i < a->n_args; i++)
        collect_models(r, rule, a->args[i]);
}

/* Splits a message template into literal text and {expression} parts. */
static int load_message(loader_t *L, rw_rule_t *rule, const rw_ydoc_t *doc, const rw_ynode_t *n)
{
    if (n->kind != RW_Y_STR) {
        rw_ydiag(L->d, doc, n, RW_DIAG_ERROR, "message 应该是字符串模板");
        return -1;
    }
    const char *s = n->str;
    size_t len = n->len, i = 0;
    rw_buf_t lit;
    rw_buf_init(&lit);
    int rc = 0;
    while (i < len) {
        if ((s[i] == '{' || s[i] == '}') && i + 1 < len && s[i + 1] == s[i]) {
            rw_buf_putc(&lit, s[i]);
            i += 2;
            continue;
        }
        if (s[i] == '}') {
            rw_check_ctx_t ctx = ctx_for(L, RW_CTX_RULE, doc, n);
            rw_check_diag(&ctx, RW_DIAG_ERROR, i, "多余的 '}'（文字中的花括号写作 {{ 和 }}）");
            rc = -1;
            break;
        }
        if (s[i] != '{') {
            rw_buf_putc(&lit, s[i++]);
            continue;
        }
        size_t start = ++i;
        char quote = 0;
        while (i < len && (quote || s[i] != '}')) {
            if (quote && s[i] == '\\')
                i++;
            else if (quote && s[i] == quote)
                quote = 0;
            else if (!quote && (s[i] == '"' || s[i] == '\''))
                quote = s[i];
            i++;
        }
        if (i >= len) {
            rw_check_ctx_t ctx = ctx_for(L, RW_CTX_RULE, doc, n);
            rw_check_diag(&ctx, RW_DIAG_ERROR, start - 1, "'{' 没有对应的 '}'");
            rc = -1;
            break;
        }
        if (lit.len) {
            rule->msg = rw_xrealloc(rule->msg, (rule->n_msg + 1) * sizeof *rule->msg);
            rule->msg[rule->n_msg++] = (rw_msg_part_t){.text = rw_buf_steal(&lit)};
        }
        rw_check_ctx_t ctx = ctx_for(L, RW_CTX_RULE, doc, n);
        ctx.base = start;
        rw_ast_t *a = rw_check_expr(&ctx, s + start, i - start);
        if (!a) {
            rc = -1;
        } else {
            rule->msg = rw_xrealloc(rule->msg, (rule->n_msg + 1) * sizeof *rule->msg);
            rule->msg[rule->n_msg++] = (rw_msg_part_t){.prog = rw_compile(a)};
            collect_models(L->r, rule, a);
            rw_ast_free(a);
        }
        i++;
    }
    if (lit.len) {
        rule->msg = rw_xrealloc(rule->msg, (rule->n_msg + 1) * sizeof *rule->msg);
        rule->msg[rule->n_msg++] = (rw_msg_part_t){.text = rw_buf_steal(&lit)};
    }
    rw_buf_free(&lit);
    return rc;
}

/* `owner` is the rule's mapping: a missing key is reported there, not at 1:1. */
static int load_level(loader_t *L, rw_rule_t *rule, const rw_ydoc_t *doc, const rw_ynode_t *owner,
                      const rw_ynode_t *n)
{
    rule->fixed_level = -1;
    rule->level_default = -1;
    if (!n) {
        rw_ydiag(L->d, doc, owner, RW_DIAG_ERROR, "规则 %s 缺少 level", rule->id);
        return -1;
    }
    if (n->kind == RW_Y_STR) {
        rule->fixed_level = rw_level_parse(n->str);
        if (rule->fixed_level < 0) {
            rw_ydiag(L->d, doc, n, RW_DIAG_ERROR, "未知的等级 \"%s\"（red、orange、yellow、blue）",
                     n->str);
            return -1;
        }
        return 0;
    }
    if (n->kind != RW_Y_MAP) {
        rw_ydiag(L->d, doc, n, RW_DIAG_ERROR,
                 "level 应该是等级名或 {red: '条件', …, default: 等级} 映射");
        return -1;
    }
    if (n->n == 0)
        rw_ydiag(L->d, doc, n, RW_DIAG_WARNING, "level 映射是空的：规则永远不会生成线索");
    int rc = 0;
    for (size_t i = 0; i < n->n; i++) {
        const char *key = n->keys[i]->str;
        if (strcmp(key, "default") == 0) {
            rule->level_default = rw_level_parse(n->items[i]->str);
            if (rule->level_default < 0) {
                rw_ydiag(L->d, doc, n->items[i], RW_DIAG_ERROR,
                         "default 必须是 red、orange、yellow 或 blue");
                rc = -1;
            }
            continue;
        }
        int lvl = rw_level_parse(key);
        if (lvl < 0) {
            rw_ydiag(L->d, doc, n->keys[i], RW_DIAG_ERROR,
                     "未知的等级 \"%s\"（red、orange、yellow、blue、default）", key);
            rc = -1;
            continue;
        }
        rw_ast_t *ast = NULL;
        rule->level_when[lvl] = compile_node(L, RW_CTX_RULE, doc, n->items[i], &ast);
        if (!rule->level_when[lvl]) rc = -1;
        if (ast) collect_models(L->r, rule, ast);
        rw_ast_free(ast);
    }
    return rc;
}

static void compute_hash(rw_rule_t *rule, const rw_ynode_t *n)
{
    json_t *j = rw_ynode_to_json(n);
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    char hex[65];
    rw_sha256_hex(s, strlen(s), hex);
    memcpy(rule->hash, hex, 16);
    rule->hash[16] = 0;
    free(s);
    json_decref(j);
}

/* Parses a clause reference that must name a clause of some version. Returns 0, or -1
 * with the reason in err. */
static int resolve_clause(const rw_statutes_t *st, const char *text, rw_clause_ref_t *out,
                          char *err, size_t errlen)
{
    if (rw_clause_ref_parse(st, text, out, err, errlen)) return -1;
    if (rw_clause_ref_exists(out)) return 0;
    snprintf(err, errlen, "条款 %s 在该法律的任何版本中都不存在", text);
    return -1;
}

/* The catalogue items' `basis`: references like a rule's clauses, held to the same test. */
static int check_item_basis(loader_t *L)
{
    int rc = 0;
    for (size_t i = 0; i < L->r->catalog.n_items; i++) {
        const rw_item_t *it = &L->r->catalog.items[i];
        for (size_t b = 0; b < it->n_basis; b++) {
            rw_clause_ref_t ref;
            char err[256];
            if (resolve_clause(L->r->statutes, it->basis[b], &ref, err, sizeof err)) {
                rw_diag_add(L->d, RW_DIAG_ERROR, it->file, it->basis_line[b], it->basis_col[b],
                            "监管事项 %s 的依据（basis）：%s", it->code, err);
                rc = -1;
            }
        }
    }
    return rc;
}

static int load_clauses(loader_t *L, rw_rule_t *rule, const rw_ydoc_t *doc, const rw_ynode_t *owner,
                        const rw_ynode_t *n)
{
    if (!n || n->kind != RW_Y_SEQ || n->n == 0) {
        rw_ydiag(L->d, doc, n ? n : owner, RW_DIAG_ERROR,
                 "clauses 必须是至少一条条款引用的列表，如 [\"food-safety-law#34.1.6\"]");
        return -1;
    }
    rule->clause_text = rw_xcalloc(n->n, sizeof(char *));
    rule->clauses = rw_xcalloc(n->n, sizeof *rule->clauses);
    rule->clause_line = rw_xcalloc(n->n, sizeof(int));
    rule->clause_col = rw_xcalloc(n->n, sizeof(int));
    int rc = 0;
    for (size_t i = 0; i < n->n; i++) {
        const rw_ynode_t *c = n->items[i];
        char err[256];
        if (c->kind != RW_Y_STR) {
            rw_ydiag(L->d, doc, c, RW_DIAG_ERROR, "条款引用应该是字符串");
            rc = -1;
            continue;
        }
        if (resolve_clause(L->r->statutes, c->str, &rule->clauses[rule->n_clauses], err,
                           sizeof err)) {
            rw_ydiag(L->d, doc, c, RW_DIAG_ERROR, "%s", err);
            rc = -1;
            continue;
        }
        rule->clause_line[rule->n_clauses] = c->line;
        rule->clause_col[rule->n_clauses] = c->col;
        rule->clause_text[rule->n_clauses++] = rw_xstrdup(c->str);
    }
    return rc;
}

static int load_on(loader_t *L, rw_rule_t *rule, const rw_ydoc_t *doc, const rw_ynode_t *n)
{
    if (!n || n->kind == RW_Y_NULL) return 0;
    char **names;
    size_t count;
    if (rw_ystr_list(doc, n, "on", &names, &count, L->d)) return -1;
    if (!count) { /* would read as "every event", the opposite of what it says */
        rw_ydiag(L->d, doc, n, RW_DIAG_ERROR,
                 "on 是空列表：规则不会在任何事件上运行（要在每个事件上运行，请省略 on）");
        rw_str_list_free(names, count);
        return -1;
    }
    int rc = 0;
    rule->on = rw_xmalloc(count * sizeof(int));
    for (size_t i = 0; i < count; i++) {
        int s = stream_lookup(L, names[i]);
        if (s < 0) {
            rw_ydiag(L->d, doc, n->kind == RW_Y_SEQ ? n->items[i] : n, RW_DIAG_ERROR,
                     "on 引用了未知的流或事件类型 \"%s\"", names[i]);
            rc = -1;
        } else
            rule->on[rule->n_on++] = s;
    }
    rw_str_list_free(names, count);
    return rc;
}

static int load_rule(loader_t *L, int ruleset, const rw_ydoc_t *doc, const rw_ynode_t *n)
{
    rw_rules_t *r = L->r;
    if (n->kind != RW_Y_MAP) {
        rw_ydiag(L->d, doc, n, RW_DIAG_ERROR, "每条规则应该是映射");
        return -1;
    }
    static const char *const keys[] = {
        "id",         "title",    "description", "on",   "if",   "level",   "clauses", "item",
        "department", "suppress", "message",     "tags", "mode", "enabled", NULL};
    size_t before = L->d->errors;
    rw_ycheck_keys(doc, n, keys, L->d);
    /* a rule whose id or title is wrong is still checked to the end (the load fails
     * anyway): a copy-pasted rule with the old id shows all its mistakes in one run */
    const char *id = rw_yget_str(doc, n, "id", 1, L->d);
    const char *title = rw_yget_str(doc, n, "title", 1, L->d);
    if (id && !valid_rule_id(id))
        rw_ydiag(L->d, doc, rw_ymap_get(n, "id"), RW_DIAG_ERROR,
                 "规则 id \"%s\" 只能包含 A-Z a-z 0-9 _ . -", id);
    int dup = id ? rw_rules_find(r, id) : -1;
    if (dup >= 0)
        rw_ydiag(L->d, doc, rw_ymap_get(n, "id"), RW_DIAG_ERROR,
                 "规则 id %s 重复（已在 %s:%d 定义）", id, r->rules[dup].file, r->rules[dup].line);
    if (!id) id = "（缺少 id）";
    if (!title) title = "";
    r->rules = rw_xrealloc(r->rules, (r->n_rules + 1) * sizeof *r->rules);
    rw_rule_t *rule = &r->rules[r->n_rules++];
    memset(rule, 0, sizeof *rule);
    rule->id = rw_xstrdup(id);
    rule->title = rw_xstrdup(title);
    rule->file = rw_xstrdup(doc->path);
    rule->line = n->line;
    rule->ruleset = ruleset;
    rule->item = -1;
    rule->enabled = 1;
    rule->suppress = 30;
    rule->suppress_unit = 'd';
    rule->params_read = rw_xcalloc(r->rulesets[ruleset].n_params + 1, 1);
    L->rule = (int)(r->n_rules - 1);
    const char *desc = rw_yget_str(doc, n, "description", 0, L->d);
    if (desc) rule->description = rw_xstrdup(desc);
    compute_hash(rule, n);

    load_on(L, rule, doc, rw_ymap_get(n, "on"));
    const rw_ynode_t *cond = rw_ymap_get(n, "if");
    if (!cond) {
        rw_ydiag(L->d, doc, n, RW_DIAG_ERROR, "规则 %s 缺少 if", id);
    } else {
        rw_ast_t *ast = NULL;
        rule->cond = compile_node(L, RW_CTX_RULE, doc, cond, &ast);
        if (ast) {
            collect_evidence(rule, ast);
            finish_evidence(r, rule);
            collect_models(r, rule, ast);
            rw_ast_free(ast);
        }
    }
    load_level(L, rule, doc, n, rw_ymap_get(n, "level"));
    load_clauses(L, rule, doc, n, rw_ymap_get(n, "clauses"));
    const char *item = rw_yget_str(doc, n, "item", 0, L->d);
    if (item) {
        rule->item = rw_catalog_item(&r->catalog, item);
        if (rule->item < 0)
            rw_ydiag(L->d, doc, rw_ymap_get(n, "item"), RW_DIAG_ERROR,
                     "未知的监管事项编码 %s（catalog.yaml 的 items 中没有）", item);
    }
    const char *dept = rw_yget_str(doc, n, "department", 0, L->d);
    if (dept)
        rule->department = rw_xstrdup(dept);
    else if (rule->item >= 0)
        rule->department = rw_xstrdup(r->catalog.items[rule->item].department);
    const char *sup = rw_yget_str(doc, n, "suppress", 0, L->d);
    if (sup && parse_duration(sup, &rule->suppress, &rule->suppress_unit))
        rw_ydiag(L->d, doc, rw_ymap_get(n, "suppress"), RW_DIAG_ERROR,
                 "suppress 应该是时长，如 30d 或 72h");
    const rw_ynode_t *msg = rw_ymap_get(n, "message");
    if (msg) load_message(L, rule, doc, msg);
    rw_ystr_list(doc, rw_ymap_get(n, "tags"), "tags", &rule->tags, &rule->n_tags, L->d);
    const char *mode = rw_yget_str(doc, n, "mode", 0, L->d);
    if (mode && strcmp(mode, "live") && strcmp(mode, "shadow"))
        rw_ydiag(L->d, doc, rw_ymap_get(n, "mode"), RW_DIAG_ERROR, "mode 只能是 live 或 shadow");
    rule->shadow = mode && strcmp(mode, "shadow") == 0;
    const rw_ynode_t *en = rw_ymap_get(n, "enabled");
    if (en && en->kind != RW_Y_BOOL)
        rw_ydiag(L->d, doc, en, RW_DIAG_ERROR, "enabled 只能是 true 或 false");
    else if (en)
        rule->enabled = en->boolean;
    L->rule = -1;
    return L->d->errors > before ? -1 : 0;
}

/* ---- legal-basis warnings -------------------------------------------------------------- */

/* 1 when `outer` names `inner` or a part of it (an article contains its 款 and 项). */
static int clause_contains(const rw_clause_ref_t *outer, const rw_clause_ref_t *inner)
{
    return outer->law == inner->law && outer->article == inner->article &&
           outer->sub == inner->sub && (!outer->para || outer->para == inner->para) &&
           (!outer->item || outer->item == inner->item);
}

static void warn_at_clause(loader_t *L, const rw_rule_t *rule, size_t i, const char *fmt,
                           const char *b)
{
    rw_diag_add(L->d, RW_DIAG_WARNING, rule->file, rule->clause_line[i], rule->clause_col[i], fmt,
                rule->id, rule->clause_text[i], b);
}

/* Warnings that never block loading (history must still replay): clauses amended
 * after the ruleset's `reviewed` date, repealed clauses, clauses outside the item's
 * basis. */
static void check_legal_basis(loader_t *L, const rw_rule_t *rule)
{
    const rw_rules_t *r = L->r;
    int64_t reviewed = r->rulesets[rule->ruleset].reviewed;
    size_t repealed = 0;
    for (size_t i = 0; i < rule->n_clauses; i++) {
        const rw_clause_ref_t *c = &rule->clauses[i];
        char date[16];
        if (c->law->repealed != RW_DAY_NONE) {
            int past = c->law->repealed <= L->opts->today;
            repealed += past;
            rw_date_format(c->law->repealed, date);
            warn_at_clause(
                L, rule, i,
                past ? "规则 %s 引用的条款 %s 所在法律已于 %s 废止"
                     : "规则 %s 引用的条款 %s 所在法律将于 %s 废止：此后发生的事件不再产生线索",
                date);
        }
        /* the text the author reviewed: the version in force then, or the first one when
         * the law took force after the review */
        const rw_law_version_t *at = NULL;
        if (reviewed != RW_DAY_NONE && c->pin == RW_DAY_NONE && c->law->n_versions)
            at = reviewed < c->law->versions[0].effective ? &c->law->versions[0]
                                                          : rw_law_version_at(c->law, reviewed);
        char *old = at ? rw_clause_text(c, at) : NULL;
        for (size_t v = 0; old && v < c->law->n_versions; v++) {
            const rw_law_version_t *ver = &c->law->versions[v];
            if (ver->effective <= at->effective) continue;
            char *text = rw_clause_text(c, ver);
            if (!text || !rw_stat_text_equal(old, text)) {
                rw_date_format(ver->effective, date);
                warn_at_clause(
                    L, rule, i,
                    "规则 %s 引用的条款 %s 在规则集 reviewed 日期之后有修订（%s 起施行），请复核",
                    date);
                free(text);
                break;
            }
            free(text);
        }
        free(old);
        if (rule->item < 0) continue;
        const rw_item_t *item = &r->catalog.items[rule->item];
        int inside = 0;
        for (size_t b = 0; b < item->n_basis && !inside; b++) {
            rw_clause_ref_t basis;
            char err[256];
            inside =
                rw_clause_ref_parse(r->statutes, item->basis[b], &basis, err, sizeof err) == 0 &&
                clause_contains(&basis, c);
        }
        if (!inside)
            warn_at_clause(L, rule, i, "规则 %s 引用的条款 %s 不在监管事项 %s 的依据（basis）之内",
                           item->code);
    }
    if (rule->n_clauses && repealed == rule->n_clauses) /* at the first clause: the list */
        rw_diag_add(L->d, RW_DIAG_WARNING, rule->file, rule->clause_line[0], rule->clause_col[0],
                    "规则 %s 引用的条款全部已废止：它不会再产生线索（历史事件仍可回放）", rule->id);
}

/* ---- files ----------------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* YAML files directly in dir, in byte order of their names; the rules folder's
 * catalogue and holiday calendar are not rulesets. */
static char **list_yaml(const char *dir, int skip_config, size_t *n)
{
    *n = 0;
    DIR *dp = opendir(dir);
    if (!dp) return NULL;
    char **names = NULL;
    struct dirent *e;
    while ((e = readdir(dp))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".yaml") != 0) continue;
        if (skip_config &&
            (!strcmp(e->d_name, "catalog.yaml") || !strcmp(e->d_name, "calendar.yaml")))
            continue;
        names = rw_xrealloc(names, (*n + 1) * sizeof *names);
        names[(*n)++] = rw_xstrdup(e->d_name);
    }
    closedir(dp);
    if (*n) qsort(names, *n, sizeof *names, cmp_str);
    return names;
}

static int load_streams(loader_t *L, const rw_ydoc_t *doc)
{
    rw_rules_t *r = L->r;
    const rw_ynode_t *streams = rw_ymap_get(doc->root, "streams");
    if (!streams || streams->kind == RW_Y_NULL) return 0;
    if (streams->kind != RW_Y_MAP) {
        rw_ydiag(L->d, doc, streams, RW_DIAG_ERROR, "streams 应该是 名称: '过滤条件' 的映射");
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < streams->n; i++) {
        const char *name = streams->keys[i]->str;
        const char *p = name;
        int ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_';
        for (; ok && *p; p++)
            ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' ||
                 (*p >= '0' && *p <= '9');
        if (!ok) {
            rw_ydiag(L->d, doc, streams->keys[i], RW_DIAG_ERROR,
                     "流名 \"%s\" 必须是标识符（字母、数字、下划线）", name);
            rc = -1;
            continue;
        }
        if (rw_catalog_type(&r->catalog, name, strlen(name)) >= 0) {
            rw_ydiag(L->d, doc, streams->keys[i], RW_DIAG_ERROR, "流名 \"%s\" 与事件类型同名",
                     name);
            rc = -1;
            continue;
        }
        int exists = -1;
        for (size_t k = 0; k < r->n_streams; k++)
            if (strcmp(r->streams[k].name, name) == 0) exists = (int)k;
        if (exists >= 0) {
            rw_ydiag(L->d, doc, streams->keys[i], RW_DIAG_ERROR,
                     "流 \"%s\" 重复声明（已在 %s:%d 声明；流名在所有规则集中共用）", name,
                     r->streams[exists].file, r->streams[exists].line);
            rc = -1;
            continue;
        }
        rw_ast_t *ast = NULL;
        rw_prog_t *prog = compile_node(L, RW_CTX_FILTER, doc, streams->items[i], &ast);
        if (!prog) {
            rc = -1;
            continue;
        }
        r->streams = rw_xrealloc(r->streams, (r->n_streams + 1) * sizeof *r->streams);
        r->streams[r->n_streams++] = (rw_stream_t){.name = rw_xstrdup(name),
                                                   .filter = prog,
                                                   .type = guard_type(r, ast),
                                                   .types = guard_types(r, ast),
                                                   .file = rw_xstrdup(doc->path),
                                                   .line = streams->keys[i]->line};
        rw_ast_free(ast);
    }
    return rc;
}

static int load_models(loader_t *L);

/* The `ruleset:` name a ruleset document declares, or NULL. */
static const char *declared_name(const rw_ydoc_t *doc)
{
    const rw_ynode_t *n = rw_ymap_get(doc->root, "ruleset");
    return n && n->kind == RW_Y_STR ? n->str : NULL;
}

/* A ruleset document's shape and streams. */
static int first_pass(loader_t *L, const rw_ydoc_t *doc)
{
    const rw_ynode_t *root = doc->root;
    if (!root || root->kind != RW_Y_MAP) {
        rw_ydiag(L->d, doc, root, RW_DIAG_ERROR,
                 "规则集文件应该是包含 ruleset、streams、params、rules 的映射");
        return -1;
    }
    static const char *const keys[] = {"ruleset", "description", "reviewed", "streams",
                                       "params",  "overrides",   "rules",    NULL};
    rw_ycheck_keys(doc, root, keys, L->d);
    return load_streams(L, doc);
}

static int load_rulesets(loader_t *L)
{
    rw_rules_t *r = L->r;
    const rw_load_opts_t *o = L->opts;
    size_t n_files;
    char **files = list_yaml(o->rules_dir, 1, &n_files);
    /* one more slot for a ruleset given as text that replaces no file */
    size_t n_docs = n_files;
    rw_ydoc_t *docs = rw_xcalloc(n_files + 1, sizeof *docs);
    int rc = 0;
    rw_ydoc_t given = {0};
    int have_given = 0;
    if (o->ruleset_text) {
        const char *name = o->ruleset_name ? o->ruleset_name : "ruleset";
        have_given = rw_ydoc_parse(&given, name, o->ruleset_text, o->ruleset_len, L->d) == 0;
        if (!have_given) {
            rw_ydoc_free(&given);
            rc = -1;
        }
    }
    const char *given_name = have_given ? declared_name(&given) : NULL;
    r->rulesets = rw_xcalloc(n_files + 1, sizeof *r->rulesets);
    /* pass 1: every file's streams, since streams are one global name space */
    for (size_t i = 0; i < n_files; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", o->rules_dir, files[i]);
        if (rw_ydoc_load(&docs[i], path, L->d)) {
            rc = -1;
            continue;
        }
        const char *name = declared_name(&docs[i]);
        if (have_given && given_name && name && !strcmp(name, given_name)) {
            rw_ydoc_free(&docs[i]);
            docs[i] = given;
            have_given = 0;
        }
        if (first_pass(L, &docs[i])) rc = -1;
    }
    if (have_given) {
        docs[n_docs] = given;
        if (first_pass(L, &docs[n_docs++])) rc = -1;
    }
    if (load_models(L)) rc = -1;
    /* pass 2: params and rules */
    for (size_t i = 0; i < n_docs; i++) {
        const rw_ynode_t *root = docs[i].root;
        if (!root || root->kind != RW_Y_MAP) continue;
        rw_ruleset_t *rs = &r->rulesets[r->n_rulesets];
        const char *name = rw_yget_str(&docs[i], root, "ruleset", 1, L->d);
        /* a ruleset is named in stats, filters, --ruleset and a backtest's candidate: the
         * name must say which one */
        for (size_t k = 0; name && k < r->n_rulesets; k++)
            if (!strcmp(r->rulesets[k].name, name)) {
                rw_ydiag(L->d, &docs[i], rw_ymap_get(root, "ruleset"), RW_DIAG_ERROR,
                         "规则集名 %s 重复（已在 %s 声明）", name, r->rulesets[k].file);
                rc = -1;
            }
        rs->name = rw_xstrdup(name ? name : docs[i].path);
        rs->file = rw_xstrdup(docs[i].path);
        rs->reviewed = RW_DAY_NONE;
        int ri = (int)r->n_rulesets++;
        if (!name) rc = -1;
        const char *reviewed = rw_yget_str(&docs[i], root, "reviewed", 0, L->d);
        if (reviewed && rw_date_parse(reviewed, &rs->reviewed)) {
            rw_ydiag(L->d, &docs[i], rw_ymap_get(root, "reviewed"), RW_DIAG_ERROR,
                     "reviewed 应该是日期 YYYY-MM-DD");
            rc = -1;
        } else if (!reviewed && rw_ymap_get(root, "rules")) /* like a law's missing `verified` */
            rw_ydiag(
                L->d, &docs[i], rw_ymap_get(root, "ruleset"), RW_DIAG_WARNING,
                "规则集没有 reviewed 日期（最后复核所引条款的日期）：所引条款此后的修订无从提示");
        if (load_params(L, rs, &docs[i])) rc = -1;
        L->ruleset = ri;
        const rw_ynode_t *rules = rw_ymap_get(root, "rules");
        if (rules && rules->kind == RW_Y_SEQ) {
            for (size_t k = 0; k < rules->n; k++) {
                const rw_ynode_t *id = rw_ymap_get(rules->items[k], "id");
                if (o->only_rule && (!id || !id->str || strcmp(id->str, o->only_rule))) continue;
                if (load_rule(L, ri, &docs[i], rules->items[k])) rc = -1;
            }
        } else if (rules && rules->kind != RW_Y_NULL) {
            rw_ydiag(L->d, &docs[i], rules, RW_DIAG_ERROR, "rules 应该是规则列表");
            rc = -1;
        }
        L->ruleset = -1;
    }
    for (size_t i = 0; i < r->n_rules; i++)
        check_legal_basis(L, &r->rules[i]);
    for (size_t i = 0; i < n_docs; i++)
        rw_ydoc_free(&docs[i]);
    free(docs);
    rw_str_list_free(files, n_files);
    return rc;
}

/* Models load after the streams (an EWMA series is fed by one) and before the
 * rules (which call model("name")). */
static int load_models(loader_t *L)
{
    rw_rules_t *r = L->r;
    if (!L->opts->models_dir) return 0;
    rw_model_init_gsl();
    size_t n;
    errno = 0;
    char **files = list_yaml(L->opts->models_dir, 0, &n);
    if (!files && errno == ENOENT) /* a mistyped --models would otherwise load nothing quietly */
        rw_diag_warn(L->d, L->opts->models_dir, 1, 1, "模型目录不存在：没有加载任何模型");
    int rc = 0;
    r->models = rw_xcalloc(n ? n : 1, sizeof *r->models);
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", L->opts->models_dir, files[i]);
        rw_ydoc_t doc;
        if (rw_ydoc_load(&doc, path, L->d) == 0) {
            rw_check_ctx_t ctx = ctx_for(L, RW_CTX_MODEL, &doc, doc.root);
            rw_model_t *m = &r->models[r->n_models];
            if (rw_model_load(m, &doc, &ctx, L->d)) {
                rw_model_free(m);
                rc = -1;
            } else if (rw_rules_model(r, m->name) >= 0) {
                rw_ydiag(L->d, &doc, rw_ymap_get(doc.root, "model"), RW_DIAG_ERROR,
                         "模型名 %s 重复", m->name);
                rw_model_free(m);
                rc = -1;
            } else
                r->n_models++;
        } else
            rc = -1;
        rw_ydoc_free(&doc);
    }
    rw_str_list_free(files, n);
    return rc;
}

int rw_rules_load(rw_rules_t **out, const rw_load_opts_t *opts, rw_diags_t *d)
{
    rw_rules_t *r = rw_xcalloc(1, sizeof *r);
    loader_t L = {.r = r, .d = d, .opts = opts, .ruleset = -1, .rule = -1};
    L.set_values = rw_xcalloc(opts->n_sets + 1, sizeof *L.set_values);
    L.set_ok = rw_xcalloc(opts->n_sets + 1, 1);
    for (size_t s = 0; s < opts->n_sets; s++) {
        rw_diags_t quiet; /* apply_settings reports a bad value */
        rw_diags_init(&quiet);
        L.set_ok[s] = parse_setting(opts->sets[s].value, &L.set_values[s], &quiet) == 0;
        rw_diags_free(&quiet);
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/catalog.yaml", opts->rules_dir);
    int rc = rw_catalog_load(&r->catalog, path, d);
    snprintf(path, sizeof path, "%s/statutes", opts->rules_dir);
    if (rw_statutes_load(&r->statutes, path, opts->today, d)) rc = -1;
    snprintf(path, sizeof path, "%s/calendar.yaml", opts->rules_dir);
    if (rw_calendar_load(&r->calendar, path, opts->today, d)) rc = -1;
    if (rc == 0 && check_item_basis(&L)) rc = -1;
    if (rc == 0 && load_rulesets(&L)) rc = -1;
    if (rc == 0 && apply_settings(&L)) rc = -1;
    for (size_t s = 0; s < opts->n_sets; s++)
        if (L.set_ok[s]) value_free(&L.set_values[s]);
    free(L.set_values);
    free(L.set_ok);
    if (rc || d->errors) {
        rw_rules_free(r);
        *out = NULL;
        return -1;
    }
    *out = r;
    return 0;
}

void rw_rules_free(rw_rules_t *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->n_rules; i++) {
        rw_rule_t *u = &r->rules[i];
        free(u->id);
        free(u->title);
        free(u->description);
        free(u->department);
        free(u->file);
        free(u->on);
        rw_prog_free(u->cond);
        for (int l = 0; l < RW_LEVEL__COUNT; l++)
            rw_prog_free(u->level_when[l]);
        rw_str_list_free(u->clause_text, u->n_clauses);
        free(u->clauses);
        free(u->clause_line);
        free(u->clause_col);
        for (size_t k = 0; k < u->n_msg; k++) {
            free(u->msg[k].text);
            rw_prog_free(u->msg[k].prog);
        }
        free(u->msg);
        rw_str_list_free(u->tags, u->n_tags);
        free(u->params_read);
        for (size_t k = 0; k < u->n_evidence; k++)
            rw_prog_free(u->evidence[k].threshold);
        free(u->evidence);
        free(u->window_calls);
        free(u->model_calls);
    }
    free(r->rules);
    for (size_t i = 0; i < r->n_rulesets; i++) {
        rw_ruleset_t *rs = &r->rulesets[i];
        for (size_t k = 0; k < rs->n_params; k++)
            value_free(&rs->base[k]);
        for (size_t o = 0; o < rs->n_overrides; o++) {
            for (size_t k = 0; k < rs->n_params; k++)
                value_free(&rs->overrides[o].values[k]);
            free(rs->overrides[o].values);
            free(rs->overrides[o].prefix);
        }
        free(rs->overrides);
        rw_str_list_free(rs->param_names, rs->n_params);
        free(rs->base);
        free(rs->name);
        free(rs->file);
    }
    free(r->rulesets);
    for (size_t i = 0; i < r->n_streams; i++) {
        free(r->streams[i].name);
        free(r->streams[i].file);
        rw_prog_free(r->streams[i].filter);
    }
    free(r->streams);
    for (size_t i = 0; i < r->n_calls; i++) {
        free(r->calls[i].text);
        rw_evpath_free(&r->calls[i].field);
    }
    free(r->calls);
    for (size_t i = 0; i < r->n_models; i++)
        rw_model_free(&r->models[i]);
    free(r->models);
    rw_catalog_free(&r->catalog);
    rw_calendar_free(&r->calendar);
    rw_statutes_free(r->statutes);
    free(r);
}
