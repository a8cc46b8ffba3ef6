/* ast.c — building, freeing and printing syntax trees. */
#include "ast.h"

#include "expr.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

rw_ast_t *rw_ast_new(rw_ast_kind_t kind, size_t off)
{
    rw_ast_t *a = rw_xcalloc(1, sizeof *a);
    a->kind = kind;
    a->off = a->end = off;
    a->call_id = -1;
    a->fn = -1;
    return a;
}

void rw_ast_push(rw_ast_t *parent, rw_ast_t *child)
{
    /* capacity doubles at each power of two, so a long list is not quadratic */
    size_t n = parent->n_args;
    if ((n & (n - 1)) == 0)
        parent->args = rw_xrealloc(parent->args, (n ? 2 * n : 1) * sizeof *parent->args);
    parent->args[parent->n_args++] = child;
}

void rw_ast_free(rw_ast_t *a)
{
    if (!a) return;
    for (size_t i = 0; i < a->n_args; i++)
        rw_ast_free(a->args[i]);
    for (size_t i = 0; i < a->n_segs; i++)
        free(a->segs[i]);
    free(a->segs);
    free(a->args);
    free(a->str);
    free(a);
}

static const char *op_text(rw_binop_t op)
{
    static const char *const t[] = {"+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">="};
    return t[op];
}

static void print_string(const char *s, size_t n, rw_buf_t *out)
{
    rw_buf_putc(out, '"');
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '"' || c == '\\') {
            rw_buf_putc(out, '\\');
            rw_buf_putc(out, c);
        } else if (c == '\n')
            rw_buf_puts(out, "\\n");
        else if (c == '\t')
            rw_buf_puts(out, "\\t");
        else
            rw_buf_putc(out, c);
    }
    rw_buf_putc(out, '"');
}

static void print_args(const rw_ast_t *a, rw_buf_t *out)
{
    for (size_t i = 0; i < a->n_args; i++) {
        if (i) rw_buf_puts(out, ", ");
        rw_ast_print(a->args[i], out);
    }
}

void rw_ast_print(const rw_ast_t *a, rw_buf_t *out)
{
    char num[RW_NUM_TEXT];
    switch (a->kind) {
    case RW_AST_NUM:
        rw_fmt_number(a->num, num);
        rw_buf_puts(out, num);
        break;
    case RW_AST_STR:
        print_string(a->str, a->str_len, out);
        break;
    case RW_AST_DUR:
        rw_buf_printf(out, "%" PRId64 "%c", a->dur_count, a->dur_unit);
        break;
    case RW_AST_BOOL:
        rw_buf_puts(out, a->num ? "true" : "false");
        break;
    case RW_AST_NULL:
        rw_buf_puts(out, "null");
        break;
    case RW_AST_PATH:
        for (size_t i = 0; i < a->n_segs; i++) {
            if (i) rw_buf_putc(out, '.');
            rw_buf_puts(out, a->segs[i]);
        }
        break;
    case RW_AST_CALL:
        rw_buf_puts(out, a->str);
        rw_buf_putc(out, '(');
        print_args(a, out);
        rw_buf_putc(out, ')');
        break;
    case RW_AST_LIST:
        rw_buf_putc(out, '[');
        print_args(a, out);
        rw_buf_putc(out, ']');
        break;
    case RW_AST_NEG:
        rw_buf_puts(out, "-");
        rw_ast_print(a->args[0], out);
        break;
    case RW_AST_NOT:
        rw_buf_puts(out, "not ");
        rw_ast_print(a->args[0], out);
        break;
    case RW_AST_BIN:
    case RW_AST_AND:
    case RW_AST_OR:
    case RW_AST_IN:
        rw_buf_putc(out, '(');
        rw_ast_print(a->args[0], out);
        if (a->kind == RW_AST_BIN)
            rw_buf_printf(out, " %s ", op_text(a->op));
        else if (a->kind == RW_AST_AND)
            rw_buf_puts(out, " and ");
        else if (a->kind == RW_AST_OR)
            rw_buf_puts(out, " or ");
        else
            rw_buf_puts(out, a->negated ? " not in " : " in ");
        rw_ast_print(a->args[1], out);
        rw_buf_putc(out, ')');
        break;
    }
}

char *rw_ast_path_text(const rw_ast_t *a)
{
    rw_buf_t b;
    rw_buf_init(&b);
    rw_ast_print(a, &b);
    return rw_buf_steal(&b);
}

int rw_ast_is_agg_call(const rw_ast_t *a)
{
    return a->kind == RW_AST_CALL && rw_agg_lookup(a->str) >= 0;
}

int rw_ast_has_agg_call(const rw_ast_t *a)
{
    if (rw_ast_is_agg_call(a)) return 1;
    for (size_t i = 0; i < a->n_args; i++)
        if (rw_ast_has_agg_call(a->args[i])) return 1;
    return 0;
}
