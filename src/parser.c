/* parser.c — recursive descent over the lexer's tokens, one function per grammar
 * rule (or, and, not, cmp, sum, prod, unary, primary). Comparisons do not chain. */
#include "parser.h"

#include "lexer.h"

#include <stdio.h>
#include <string.h>

/* How deeply an expression may nest: the parser's own recursion (parentheses, lists,
 * arguments, unary operators) and the depth of the tree it builds (operator chains
 * make left-deep trees). Later stages recurse over the tree, so no expression may be
 * able to exhaust the stack. */
#define RW_PARSE_MAX_DEPTH 500

typedef struct {
    rw_lexer_t lx;
    rw_token_t tok;
    int depth;  /* current recursion depth */
    int height; /* height of the tree the last parse function returned */
    int failed;
    size_t err_off;
    char *err;
    size_t errlen;
} parser_t;

static void advance(parser_t *p)
{
    rw_token_clear(&p->tok);
    rw_lexer_next(&p->lx, &p->tok);
    if (p->tok.kind == RW_TOK_ERROR && !p->failed) {
        p->failed = 1;
        p->err_off = p->tok.off;
        snprintf(p->err, p->errlen, "%s", p->tok.str);
    }
}

static rw_ast_t *fail(parser_t *p, size_t off, const char *msg)
{
    if (!p->failed) {
        p->failed = 1;
        p->err_off = off;
        snprintf(p->err, p->errlen, "%s", msg);
    }
    return NULL;
}

static rw_ast_t *unexpected(parser_t *p, const char *wanted)
{
    char msg[256];
    snprintf(msg, sizeof msg, "语法错误：这里需要%s，却遇到%s", wanted, rw_tok_name(p->tok.kind));
    return fail(p, p->tok.off, msg);
}

static rw_ast_t *parse_or(parser_t *p);

static const char too_deep[] = "表达式嵌套太深或运算链太长（超过 500 层），请拆分成几个流或规则";

/* One recursion level deeper; 0 (after failing) when that is too deep. */
static int deeper(parser_t *p)
{
    if (++p->depth <= RW_PARSE_MAX_DEPTH) return 1;
    fail(p, p->tok.off, too_deep);
    return 0;
}

/* Records the height of a node built over children of height h; 0 when too high. */
static int grow(parser_t *p, int h, size_t off)
{
    p->height = h + 1;
    if (p->height <= RW_PARSE_MAX_DEPTH) return 1;
    fail(p, off, too_deep);
    return 0;
}

static int max_int(int a, int b)
{
    return a > b ? a : b;
}

static rw_ast_t *binary(rw_ast_kind_t kind, rw_binop_t op, rw_ast_t *l, rw_ast_t *r)
{
    rw_ast_t *a = rw_ast_new(kind, l->off);
    a->op = op;
    rw_ast_push(a, l);
    rw_ast_push(a, r);
    a->end = r->end;
    return a;
}

/* The comma-separated expressions of a list or a call, up to and including the
 * closing token, appended to `node`. On failure frees `node` and returns NULL. */
static rw_ast_t *parse_items(parser_t *p, rw_ast_t *node, rw_tok_kind_t close, const char *wanted)
{
    int h = 0;
    advance(p); /* [ or ( */
    if (p->tok.kind != close) {
        for (;;) {
            rw_ast_t *item = parse_or(p);
            if (!item) goto bad;
            rw_ast_push(node, item);
            h = max_int(h, p->height);
            if (p->tok.kind != RW_TOK_COMMA) break;
            advance(p);
        }
    }
    if (p->tok.kind != close) {
        unexpected(p, wanted);
        goto bad;
    }
    node->end = p->tok.off + 1;
    if (!grow(p, h, node->off)) goto bad;
    advance(p);
    return node;
bad:
    rw_ast_free(node);
    return NULL;
}

static rw_ast_t *parse_list(parser_t *p)
{
    return parse_items(p, rw_ast_new(RW_AST_LIST, p->tok.off), RW_TOK_RBRACKET, " ',' 或 ']'");
}

static rw_ast_t *parse_ident(parser_t *p)
{
    size_t off = p->tok.off;
    char *name = rw_xstrndup(p->lx.src + off, p->tok.len);
    size_t end = off + p->tok.len;
    advance(p);
    if (p->tok.kind == RW_TOK_LPAREN) {
        rw_ast_t *call = rw_ast_new(RW_AST_CALL, off);
        call->str = name;
        call->str_len = strlen(name);
        return parse_items(p, call, RW_TOK_RPAREN, " ',' 或 ')'");
    }
    rw_ast_t *path = rw_ast_new(RW_AST_PATH, off);
    path->segs = rw_xmalloc(sizeof *path->segs);
    path->segs[path->n_segs++] = name;
    while (p->tok.kind == RW_TOK_DOT) {
        advance(p);
        /* keywords are valid keys after a dot: attrs.in, profile.null */
        if (p->tok.kind != RW_TOK_IDENT &&
            !(p->tok.kind >= RW_TOK_AND && p->tok.kind <= RW_TOK_NULL &&
              p->lx.src[p->tok.off] >= 'a' && p->lx.src[p->tok.off] <= 'z')) { /* not && || ! */
            rw_ast_free(path);
            return unexpected(p, "字段名");
        }
        path->segs = rw_xrealloc(path->segs, (path->n_segs + 1) * sizeof *path->segs);
        path->segs[path->n_segs++] = rw_xstrndup(p->lx.src + p->tok.off, p->tok.len);
        end = p->tok.off + p->tok.len;
        advance(p);
    }
    path->end = end;
    p->height = 1;
    return path;
}

static rw_ast_t *parse_primary(parser_t *p)
{
    rw_token_t *t = &p->tok;
    rw_ast_t *a;
    switch (t->kind) {
    case RW_TOK_NUMBER:
        a = rw_ast_new(RW_AST_NUM, t->off);
        a->num = t->num;
        break;
    case RW_TOK_STRING:
        a = rw_ast_new(RW_AST_STR, t->off);
        a->str = t->str;
        a->str_len = t->str_len;
        t->str = NULL;
        break;
    case RW_TOK_DURATION:
        a = rw_ast_new(RW_AST_DUR, t->off);
        a->num = t->num;
        a->dur_count = t->dur_count;
        a->dur_unit = t->dur_unit;
        break;
    case RW_TOK_TRUE:
    case RW_TOK_FALSE:
        a = rw_ast_new(RW_AST_BOOL, t->off);
        a->num = t->kind == RW_TOK_TRUE;
        break;
    case RW_TOK_NULL:
        a = rw_ast_new(RW_AST_NULL, t->off);
        break;
    case RW_TOK_IDENT:
        return parse_ident(p);
    case RW_TOK_LBRACKET:
        return parse_list(p);
    case RW_TOK_LPAREN: {
        size_t off = t->off;
        advance(p);
        a = parse_or(p);
        if (!a) return NULL;
        if (p->tok.kind != RW_TOK_RPAREN) {
            rw_ast_free(a);
            return unexpected(p, " ')'");
        }
        a->off = off;
        a->end = p->tok.off + 1;
        advance(p);
        return a;
    }
    default:
        return unexpected(p, "一个值（数字、字符串、字段、函数调用或括号）");
    }
    a->end = t->off + t->len;
    p->height = 1;
    advance(p);
    return a;
}

/* A prefix operator (- or not) applied to what `operand` parses next. */
static rw_ast_t *prefix(parser_t *p, rw_ast_kind_t kind, rw_ast_t *(*operand)(parser_t *))
{
    size_t off = p->tok.off;
    if (!deeper(p)) return NULL;
    advance(p);
    rw_ast_t *inner = operand(p);
    p->depth--;
    if (!inner) return NULL;
    rw_ast_t *a = rw_ast_new(kind, off);
    rw_ast_push(a, inner);
    a->end = inner->end;
    if (!grow(p, p->height, off)) {
        rw_ast_free(a);
        return NULL;
    }
    return a;
}

static rw_ast_t *parse_unary(parser_t *p)
{
    return p->tok.kind == RW_TOK_MINUS ? prefix(p, RW_AST_NEG, parse_unary) : parse_primary(p);
}

static rw_ast_t *parse_prod(parser_t *p)
{
    rw_ast_t *l = parse_unary(p);
    while (l && (p->tok.kind == RW_TOK_STAR || p->tok.kind == RW_TOK_SLASH ||
                 p->tok.kind == RW_TOK_PERCENT)) {
        rw_binop_t op = p->tok.kind == RW_TOK_STAR    ? RW_OP_MUL
                        : p->tok.kind == RW_TOK_SLASH ? RW_OP_DIV
                                                      : RW_OP_MOD;
        int hl = p->height;
        advance(p);
        rw_ast_t *r = parse_unary(p);
        if (!r || !grow(p, max_int(hl, p->height), l->off)) {
            rw_ast_free(l);
            rw_ast_free(r);
            return NULL;
        }
        l = binary(RW_AST_BIN, op, l, r);
    }
    return l;
}

static rw_ast_t *parse_sum(parser_t *p)
{
    rw_ast_t *l = parse_prod(p);
    while (l && (p->tok.kind == RW_TOK_PLUS || p->tok.kind == RW_TOK_MINUS)) {
        rw_binop_t op = p->tok.kind == RW_TOK_PLUS ? RW_OP_ADD : RW_OP_SUB;
        int hl = p->height;
        advance(p);
        rw_ast_t *r = parse_prod(p);
        if (!r || !grow(p, max_int(hl, p->height), l->off)) {
            rw_ast_free(l);
            rw_ast_free(r);
            return NULL;
        }
        l = binary(RW_AST_BIN, op, l, r);
    }
    return l;
}

static int cmp_op(rw_tok_kind_t k, rw_binop_t *op)
{
    switch (k) {
    case RW_TOK_EQ:
        *op = RW_OP_EQ;
        return 1;
    case RW_TOK_NE:
        *op = RW_OP_NE;
        return 1;
    case RW_TOK_LT:
        *op = RW_OP_LT;
        return 1;
    case RW_TOK_LE:
        *op = RW_OP_LE;
        return 1;
    case RW_TOK_GT:
        *op = RW_OP_GT;
        return 1;
    case RW_TOK_GE:
        *op = RW_OP_GE;
        return 1;
    default:
        return 0;
    }
}

static rw_ast_t *parse_cmp(parser_t *p)
{
    rw_ast_t *l = parse_sum(p);
    if (!l) return NULL;
    rw_binop_t op;
    int hl = p->height;
    if (cmp_op(p->tok.kind, &op)) {
        advance(p);
        rw_ast_t *r = parse_sum(p);
        if (!r || !grow(p, max_int(hl, p->height), l->off)) {
            rw_ast_free(l);
            rw_ast_free(r);
            return NULL;
        }
        l = binary(RW_AST_BIN, op, l, r);
    } else if (p->tok.kind == RW_TOK_IN || p->tok.kind == RW_TOK_NOT) {
        int negated = p->tok.kind == RW_TOK_NOT;
        if (negated) {
            advance(p);
            if (p->tok.kind != RW_TOK_IN) {
                rw_ast_free(l);
                return unexpected(p, " 'in'（写作 x not in [..]）");
            }
        }
        advance(p);
        if (p->tok.kind != RW_TOK_LBRACKET) {
            rw_ast_free(l);
            return unexpected(p, "列表 [..]");
        }
        rw_ast_t *r = parse_list(p);
        if (!r || !grow(p, max_int(hl, p->height), l->off)) {
            rw_ast_free(l);
            rw_ast_free(r);
            return NULL;
        }
        l = binary(RW_AST_IN, RW_OP_EQ, l, r);
        l->negated = negated;
    }
    if (cmp_op(p->tok.kind, &op) || p->tok.kind == RW_TOK_IN) {
        rw_ast_free(l);
        return fail(p, p->tok.off, "比较不能连写（如 a < b < c），请用 and 连接两个比较");
    }
    return l;
}

static rw_ast_t *parse_not(parser_t *p)
{
    return p->tok.kind == RW_TOK_NOT ? prefix(p, RW_AST_NOT, parse_not) : parse_cmp(p);
}

static rw_ast_t *parse_and(parser_t *p)
{
    rw_ast_t *l = parse_not(p);
    while (l && p->tok.kind == RW_TOK_AND) {
        int hl = p->height;
        advance(p);
        rw_ast_t *r = parse_not(p);
        if (!r || !grow(p, max_int(hl, p->height), l->off)) {
            rw_ast_free(l);
            rw_ast_free(r);
            return NULL;
        }
        l = binary(RW_AST_AND, RW_OP_EQ, l, r);
    }
    return l;
}

static rw_ast_t *parse_or(parser_t *p)
{
    if (!deeper(p)) return NULL;
    rw_ast_t *l = parse_and(p);
    while (l && p->tok.kind == RW_TOK_OR) {
        int hl = p->height;
        advance(p);
        rw_ast_t *r = parse_and(p);
        if (!r || !grow(p, max_int(hl, p->height), l->off)) {
            rw_ast_free(l);
            rw_ast_free(r);
            return NULL;
        }
        l = binary(RW_AST_OR, RW_OP_EQ, l, r);
    }
    p->depth--;
    return l;
}

rw_ast_t *rw_parse_expr(const char *src, size_t len, size_t *err_off, char *err, size_t errlen)
{
    parser_t p = {.err = err, .errlen = errlen};
    rw_lexer_init(&p.lx, src, len);
    rw_lexer_next(&p.lx, &p.tok);
    if (p.tok.kind == RW_TOK_ERROR) {
        p.failed = 1;
        p.err_off = p.tok.off;
        snprintf(err, errlen, "%s", p.tok.str);
    }
    rw_ast_t *a = NULL;
    if (!p.failed) {
        if (p.tok.kind == RW_TOK_EOF)
            fail(&p, 0, "表达式为空");
        else
            a = parse_or(&p);
    }
    if (a && !p.failed && p.tok.kind != RW_TOK_EOF) {
        rw_ast_free(a);
        a = NULL;
        unexpected(&p, "运算符或表达式结尾");
    }
    if (p.failed) {
        rw_ast_free(a);
        a = NULL;
    }
    rw_token_clear(&p.tok);
    *err_off = p.err_off;
    return a;
}
