/* checker.c — name resolution, kind inference and static checks of expressions. */
#include "checker.h"

#include "eval.h"
#include "parser.h"

#include <stdarg.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void rw_check_diag(rw_check_ctx_t *ctx, rw_severity_t sev, size_t off, const char *fmt, ...)
{
    int line = 1, col = 1;
    if (ctx->doc && ctx->node) rw_ynode_pos(ctx->doc, ctx->node, ctx->base + off, &line, &col);
    va_list ap;
    va_start(ap, fmt);
    rw_diag_vadd(ctx->diags, sev, ctx->doc ? ctx->doc->path : "", line, col, fmt, ap);
    va_end(ap);
}

#define ERR(ctx, a, ...) (rw_check_diag(ctx, RW_DIAG_ERROR, (a)->off, __VA_ARGS__), -1)
#define WARN(ctx, a, ...) rw_check_diag(ctx, RW_DIAG_WARNING, (a)->off, __VA_ARGS__)

static int check(rw_check_ctx_t *ctx, rw_ast_t *a);

/* Both operands, the second even when the first is wrong: `check` reports each mistake of
 * an expression in one run, not one per edit. */
static int check_both(rw_check_ctx_t *ctx, rw_ast_t *a)
{
    int left = check(ctx, a->args[0]);
    return check(ctx, a->args[1]) || left ? -1 : 0;
}

/* An error when `s` is a string literal compared with the event's `type` and names no
 * catalogue type: events of undeclared types are applied to nothing (events.md). */
static int unknown_type(rw_check_ctx_t *ctx, const rw_ast_t *path, const rw_ast_t *s)
{
    if (!ctx->type_known || path->kind != RW_AST_PATH || path->ref_kind != RW_REF_EVENT ||
        path->ref_index != RW_EF_TYPE || s->kind != RW_AST_STR ||
        ctx->type_known(ctx->ud, s->str, s->str_len))
        return 0;
    return ERR(ctx, s, "未知的事件类型 \"%s\"（目录 catalog.yaml 没有声明）", s->str);
}

/* Two buffers in turn: one message may name two kinds. */
static const char *kinds_text(int k)
{
    static _Thread_local char bufs[2][64];
    static _Thread_local int next;
    char *buf = bufs[next];
    next = !next;
    buf[0] = 0;
    const char *names[] = {"数字", "字符串", "布尔值", "null"};
    for (int i = 0; i < 4; i++)
        if (k & (1 << i)) {
            if (buf[0]) strcat(buf, "或");
            strcat(buf, names[i]);
        }
    return buf;
}

static int check_path(rw_check_ctx_t *ctx, rw_ast_t *a)
{
    const char *root = a->segs[0];
    if (strcmp(root, "attrs") == 0) {
        if (a->n_segs < 2) return ERR(ctx, a, "attrs 后面需要写出属性名，如 attrs.amount");
        if (ctx->kind == RW_CTX_MODEL)
            return ERR(ctx, a, "模型输入只能读实体的聚合值和 profile，不能读当前事件的 attrs");
        a->ref_kind = RW_REF_EVENT;
        a->ref_index = RW_EF_ATTR;
        a->kinds = RW_K_ANY;
        return 0;
    }
    if (strcmp(root, "profile") == 0) {
        if (a->n_segs != 2) return ERR(ctx, a, "profile 的值都是标量，请写成 profile.名称（一级）");
        a->ref_kind = RW_REF_PROFILE;
        a->kinds = RW_K_ANY;
        return 0;
    }
    if (strcmp(root, "params") == 0) {
        if (ctx->kind == RW_CTX_FILTER)
            return ERR(ctx, a, "流的过滤条件只能读事件字段和 profile，不能读 params");
        if (ctx->kind == RW_CTX_MODEL || !ctx->param)
            return ERR(ctx, a, "模型输入里不能使用 params");
        if (a->n_segs != 2) return ERR(ctx, a, "参数写作 params.名称");
        int kinds = 0;
        int idx = ctx->param(ctx->ud, a->segs[1], &kinds);
        if (idx < 0)
            return ERR(ctx, a, "未知的参数 params.%s（请在规则集的 params 中声明）", a->segs[1]);
        a->ref_kind = RW_REF_PARAM;
        a->ref_index = idx;
        a->kinds = kinds;
        return 0;
    }
    int f = rw_evfield_lookup(root);
    if (f < 0) {
        if (ctx->stream && ctx->stream(ctx->ud, root) >= 0)
            return ERR(ctx, a,
                       "\"%s\" 是流或事件类型，只能作为聚合函数的第一个参数，如 count(%s, 30d)",
                       root, root);
        return ERR(ctx, a,
                   "未知的名称 \"%s\"（可用：id type entity time region source attrs.… profile.… "
                   "params.…）",
                   root);
    }
    if (a->n_segs > 1) return ERR(ctx, a, "字段 %s 没有下级字段", root);
    if (ctx->kind == RW_CTX_MODEL)
        return ERR(ctx, a, "模型输入只能读实体的聚合值和 profile，不能读当前事件的字段");
    a->ref_kind = RW_REF_EVENT;
    a->ref_index = f;
    a->kinds = f == RW_EF_TIME                            ? RW_K_NUM
               : (f == RW_EF_REGION || f == RW_EF_SOURCE) ? RW_K_STR | RW_K_NULL
                                                          : RW_K_STR;
    return 0;
}

/* The event path an aggregate reads on each event: id … source, attrs.… */
static int agg_field(rw_check_ctx_t *ctx, const rw_ast_t *a, int stream, rw_evpath_t *out,
                     int numeric)
{
    if (a->kind != RW_AST_PATH) return ERR(ctx, a, "这里需要事件字段路径，如 attrs.amount");
    if (strcmp(a->segs[0], "attrs") == 0) {
        if (a->n_segs < 2) return ERR(ctx, a, "attrs 后面需要写出属性名，如 attrs.amount");
        const char *declared = numeric && a->n_segs == 2 && ctx->attr_kind
                                   ? ctx->attr_kind(ctx->ud, stream, a->segs[1])
                                   : NULL;
        if (declared && strcmp(declared, "number") != 0)
            return ERR(ctx, a, "目录中 attrs.%s 声明为 %s，不能求和、平均或取最值", a->segs[1],
                       declared);
        out->field = RW_EF_ATTR;
        out->n_segs = a->n_segs - 1;
        out->segs = rw_xmalloc(out->n_segs * sizeof *out->segs);
        for (size_t i = 0; i < out->n_segs; i++)
            out->segs[i] = rw_xstrdup(a->segs[i + 1]);
        return 0;
    }
    int f = rw_evfield_lookup(a->segs[0]);
    if (f < 0 || a->n_segs > 1)
        return ERR(
            ctx, a,
            "聚合的字段必须是被聚合事件上的字段：id type entity time region source 或 attrs.…");
    if (numeric && f != RW_EF_TIME)
        return ERR(ctx, a, "字段 %s 是字符串，不能求和、平均或取最值", a->segs[0]);
    out->field = (rw_evfield_t)f;
    return 0;
}

static int check_window(rw_check_ctx_t *ctx, const rw_ast_t *w, rw_callspec_t *spec)
{
    if (w->kind != RW_AST_DUR) return ERR(ctx, w, "窗口必须是时长字面量，如 30d 或 24h");
    int max = w->dur_unit == 'd' ? 400 : 9600;
    if (w->dur_count < 1 || w->dur_count > max)
        return ERR(ctx, w, "窗口 %" PRId64 "%c 超出范围（1d…400d 或 1h…9600h）", w->dur_count,
                   w->dur_unit);
    spec->window = (int)w->dur_count;
    spec->unit = w->dur_unit;
    return 0;
}

static int check_agg(rw_check_ctx_t *ctx, rw_ast_t *a, rw_agg_kind_t kind)
{
    static const int arity[] = {2, 3, 3, 3, 3, 3, 2, 1, 1};
    if (ctx->kind == RW_CTX_FILTER)
        return ERR(ctx, a, "流的过滤条件只能读事件字段和 profile，不能调用 %s()", a->str);
    if ((int)a->n_args != arity[kind])
        return ERR(ctx, a, "%s() 需要 %d 个参数，这里有 %zu 个", a->str, arity[kind], a->n_args);
    rw_callspec_t spec = {.kind = kind, .stream = -1, .model = -1};
    if (kind == RW_AGG_MODEL) {
        if (ctx->kind == RW_CTX_MODEL) return ERR(ctx, a, "模型输入里不能再调用 model()");
        const rw_ast_t *n = a->args[0];
        if (n->kind != RW_AST_STR)
            return ERR(ctx, n, "model() 的参数必须是模型名字符串，如 model(\"entity-risk\")");
        spec.model = ctx->model ? ctx->model(ctx->ud, n->str) : -1;
        if (spec.model < 0)
            return ERR(ctx, n, "未知的模型 \"%s\"（模型目录中没有这个模型）", n->str);
        a->kinds = RW_K_NUM | RW_K_NULL;
    } else {
        const rw_ast_t *s = a->args[0];
        if (s->kind != RW_AST_PATH || s->n_segs != 1)
            return ERR(ctx, s, "%s() 的第一个参数必须是流名或事件类型名", a->str);
        spec.stream = ctx->stream(ctx->ud, s->segs[0]);
        if (spec.stream < 0) return ERR(ctx, s, "未知的流或事件类型 \"%s\"", s->segs[0]);
        int numeric =
            kind == RW_AGG_SUM || kind == RW_AGG_AVG || kind == RW_AGG_MIN || kind == RW_AGG_MAX;
        if (kind >= RW_AGG_SUM && kind <= RW_AGG_DISTINCT) {
            if (agg_field(ctx, a->args[1], spec.stream, &spec.field, numeric)) return -1;
            spec.has_field = 1;
            if (check_window(ctx, a->args[2], &spec)) {
                rw_evpath_free(&spec.field);
                return -1;
            }
        } else if (kind == RW_AGG_COUNT) {
            if (check_window(ctx, a->args[1], &spec)) return -1;
        } else if (kind == RW_AGG_LAST) {
            if (agg_field(ctx, a->args[1], spec.stream, &spec.field, 0)) return -1;
            spec.has_field = 1;
        }
        /* sum is 0 over no events, but null once it overflows the doubles */
        a->kinds = kind == RW_AGG_COUNT || kind == RW_AGG_DISTINCT ? RW_K_NUM
                   : kind == RW_AGG_LAST                           ? RW_K_ANY
                                                                   : RW_K_NUM | RW_K_NULL;
    }
    rw_buf_t text;
    rw_buf_init(&text);
    rw_ast_print(a, &text);
    spec.text = rw_buf_steal(&text);
    a->call_id = ctx->add_call(ctx->ud, &spec);
    return 0;
}

static int check_call(rw_check_ctx_t *ctx, rw_ast_t *a)
{
    int agg = rw_agg_lookup(a->str);
    if (agg >= 0) return check_agg(ctx, a, (rw_agg_kind_t)agg);
    int fn = rw_fn_lookup(a->str);
    if (fn < 0) return ERR(ctx, a, "未知的函数 %s()", a->str);
    const rw_fn_info_t *info = rw_fn_info((rw_fn_t)fn);
    if ((int)a->n_args != info->arity)
        return ERR(ctx, a, "%s() 需要 %d 个参数，这里有 %zu 个", a->str, info->arity, a->n_args);
    /* every argument is checked, so each of its mistakes is reported in one run */
    int bad = 0;
    for (size_t i = 0; i < a->n_args; i++)
        if (check(ctx, a->args[i]))
            bad = 1;
        else if (!(a->args[i]->kinds & (info->arg_kinds | RW_K_NULL)))
            bad = ERR(ctx, a->args[i], "%s() 的参数需要%s，这里是%s", a->str,
                      kinds_text(info->arg_kinds), kinds_text(a->args[i]->kinds));
    if (bad) return -1;
    a->fn = fn;
    a->kinds = info->result_kinds;
    return 0;
}

/* Values an expression can never go below, for "count(…) < 0" style warnings. */
static int never_negative(const rw_ast_t *a)
{
    if (a->kind != RW_AST_CALL) return 0;
    return !strcmp(a->str, "count") || !strcmp(a->str, "distinct") || !strcmp(a->str, "since") ||
           !strcmp(a->str, "len") || !strcmp(a->str, "abs") || !strcmp(a->str, "sqrt");
}

static int is_num_literal(const rw_ast_t *a, double *v)
{
    if (a->kind == RW_AST_NUM) {
        *v = a->num;
        return 1;
    }
    if (a->kind == RW_AST_NEG && a->args[0]->kind == RW_AST_NUM) {
        *v = -a->args[0]->num;
        return 1;
    }
    return 0;
}

/* Whether a comparison holds: 0 never (a count-like value below zero, two number literals
 * that compare false), 1 always (a count-like value at or above zero, two literals that
 * compare true), -1 when the events decide. */
static int comparison_truth(const rw_ast_t *a)
{
    const rw_ast_t *l = a->args[0], *r = a->args[1];
    rw_binop_t op = a->op;
    double v, w;
    if (is_num_literal(l, &v) && is_num_literal(r, &w)) /* as the evaluator would compare */
        return rw_is_true(rw_binop_apply(op, rw_num(v), rw_num(w)));
    if (never_negative(r) && is_num_literal(l, &v)) { /* mirror: 0 > x is x < 0 */
        const rw_ast_t *t = l;
        l = r;
        r = t;
        op = op == RW_OP_LT   ? RW_OP_GT
             : op == RW_OP_GT ? RW_OP_LT
             : op == RW_OP_LE ? RW_OP_GE
             : op == RW_OP_GE ? RW_OP_LE
                              : op;
    }
    if (!never_negative(l) || !is_num_literal(r, &v)) return -1;
    if ((op == RW_OP_LT && v <= 0) || (op == RW_OP_LE && v < 0) || (op == RW_OP_EQ && v < 0))
        return 0;
    if ((op == RW_OP_GE && v <= 0) || (op == RW_OP_GT && v < 0) || (op == RW_OP_NE && v < 0))
        return 1;
    return -1;
}

/* 1 when a condition always holds, 0 when it never does, -1 when that depends on the
 * events; *why gets a part that decides "never" (for the warning's position). */
static int truth(const rw_ast_t *a, const rw_ast_t **why)
{
    int l, r;
    switch (a->kind) {
    case RW_AST_BOOL:
        *why = a;
        return a->num != 0;
    case RW_AST_NOT:
        l = truth(a->args[0], why);
        *why = a;
        return l < 0 ? -1 : !l;
    case RW_AST_AND:
    case RW_AST_OR: {
        const rw_ast_t *wl = NULL, *wr = NULL;
        l = truth(a->args[0], &wl);
        r = truth(a->args[1], &wr);
        int absorbing = a->kind == RW_AST_AND ? 0 : 1; /* false decides an and, true an or */
        if (l == absorbing || r == absorbing) {
            *why = l == absorbing ? wl : wr;
            return absorbing;
        }
        *why = a;
        return l == !absorbing && r == !absorbing ? !absorbing : -1;
    }
    case RW_AST_BIN:
        *why = a;
        return a->op >= RW_OP_EQ ? comparison_truth(a) : -1;
    default:
        return -1;
    }
}

void rw_check_condition(rw_check_ctx_t *ctx, const rw_ast_t *a)
{
    if (!(a->kinds & RW_K_BOOL)) {
        rw_check_diag(ctx, RW_DIAG_WARNING, 0,
                      "条件永远不会成立：它的值不是布尔值（只有 true 才算成立）");
        return;
    }
    const rw_ast_t *why = a;
    if (truth(a, &why) == 0) WARN(ctx, why, "条件永远不会成立：不论事件如何都为假");
}

static int check(rw_check_ctx_t *ctx, rw_ast_t *a)
{
    switch (a->kind) {
    case RW_AST_NUM:
    case RW_AST_DUR:
        a->kinds = RW_K_NUM;
        return 0;
    case RW_AST_STR:
        a->kinds = RW_K_STR;
        return 0;
    case RW_AST_BOOL:
        a->kinds = RW_K_BOOL;
        return 0;
    case RW_AST_NULL:
        a->kinds = RW_K_NULL;
        return 0;
    case RW_AST_PATH:
        return check_path(ctx, a);
    case RW_AST_CALL:
        return check_call(ctx, a);
    case RW_AST_LIST:
        return ERR(ctx, a, "列表只能出现在 in 的右边");
    case RW_AST_NEG:
        if (check(ctx, a->args[0])) return -1;
        if (!(a->args[0]->kinds & (RW_K_NUM | RW_K_NULL))) return ERR(ctx, a, "负号只能用于数字");
        a->kinds = RW_K_NUM | RW_K_NULL;
        return 0;
    case RW_AST_NOT:
        if (check(ctx, a->args[0])) return -1;
        a->kinds = RW_K_BOOL;
        return 0;
    case RW_AST_AND:
    case RW_AST_OR:
        if (check_both(ctx, a)) return -1;
        a->kinds = RW_K_BOOL;
        return 0;
    case RW_AST_IN: {
        int bad = check(ctx, a->args[0]);
        const rw_ast_t *list = a->args[1];
        if (list->n_args > UINT16_MAX) /* the compiled IN instruction counts items in 16 bits */
            return ERR(ctx, list, "列表太长（最多 %u 项）", (unsigned)UINT16_MAX);
        int any = 0;
        for (size_t i = 0; i < list->n_args; i++) {
            if (check(ctx, list->args[i]) || (!bad && unknown_type(ctx, a->args[0], list->args[i])))
                bad = -1;
            else
                any |= list->args[i]->kinds & a->args[0]->kinds;
        }
        if (bad) return -1;
        if (!any && !a->negated)
            return ERR(ctx, a, "比较永远不会成立：左边是%s，列表里没有同类的值",
                       kinds_text(a->args[0]->kinds));
        a->kinds = RW_K_BOOL;
        return 0;
    }
    case RW_AST_BIN: {
        if (check_both(ctx, a)) return -1;
        int kl = a->args[0]->kinds, kr = a->args[1]->kinds;
        if (a->op <= RW_OP_MOD) {
            if (!(kl & (RW_K_NUM | RW_K_NULL)) || !(kr & (RW_K_NUM | RW_K_NULL)))
                return ERR(ctx, a, "算术运算只能用于数字（这里是%s与%s）", kinds_text(kl),
                           kinds_text(kr));
            a->kinds = RW_K_NUM | RW_K_NULL;
            return 0;
        }
        a->kinds = RW_K_BOOL;
        if (unknown_type(ctx, a->args[0], a->args[1]) || unknown_type(ctx, a->args[1], a->args[0]))
            return -1;
        if (a->op == RW_OP_EQ && !(kl & kr))
            return ERR(ctx, a, "比较永远不会成立：%s 永远不等于%s", kinds_text(kl), kinds_text(kr));
        if (a->op >= RW_OP_LT && !(kl & kr & (RW_K_NUM | RW_K_STR)))
            return ERR(ctx, a,
                       "比较永远不会成立：大小比较需要两边都是数字或都是字符串（这里是%s与%s）",
                       kinds_text(kl), kinds_text(kr));
        /* rules.md: a comparison that can never be true is an error wherever it stands
         * (only a whole condition that can never be true is a warning) */
        if (comparison_truth(a) == 0) {
            const rw_ast_t *c = never_negative(a->args[0])   ? a->args[0]
                                : never_negative(a->args[1]) ? a->args[1]
                                                             : NULL;
            if (c) return ERR(ctx, a, "比较永远不会成立：%s(…) 不会小于 0", c->str);
            return ERR(ctx, a, "比较永远不会成立：两个常数比较的结果总是假");
        }
        return 0;
    }
    }
    return 0;
}

rw_ast_t *rw_check_expr(rw_check_ctx_t *ctx, const char *src, size_t len)
{
    size_t err_off = 0;
    char err[512];
    rw_ast_t *a = rw_parse_expr(src, len, &err_off, err, sizeof err);
    if (!a) {
        rw_check_diag(ctx, RW_DIAG_ERROR, err_off, "%s", err);
        return NULL;
    }
    if (check(ctx, a)) {
        rw_ast_free(a);
        return NULL;
    }
    return a;
}
