/* compile.c — lowers a checked syntax tree to stack-machine code. */
#include "compile.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    rw_prog_t *p;
    size_t cap_code;
    int depth;
} emitter_t;

static size_t emit(emitter_t *e, uint8_t op, uint8_t sub, uint16_t n, int32_t arg, int delta)
{
    rw_prog_t *p = e->p;
    if (p->n_code == e->cap_code) {
        e->cap_code = e->cap_code ? e->cap_code * 2 : 16;
        p->code = rw_xrealloc(p->code, e->cap_code * sizeof *p->code);
    }
    p->code[p->n_code] = (rw_insn_t){.op = op, .sub = sub, .n = n, .arg = arg};
    e->depth += delta;
    if (e->depth > p->max_stack) p->max_stack = e->depth;
    return p->n_code++;
}

static int32_t add_const(rw_prog_t *p, rw_value_t v)
{
    if (v.kind == RW_V_STR) v.s = rw_xstrndup(v.s, v.len);
    p->consts = rw_xrealloc(p->consts, (p->n_consts + 1) * sizeof *p->consts);
    p->consts[p->n_consts] = v;
    return (int32_t)p->n_consts++;
}

static void lower(emitter_t *e, const rw_ast_t *a)
{
    rw_prog_t *p = e->p;
    switch (a->kind) {
    case RW_AST_NUM:
    case RW_AST_DUR:
        emit(e, RW_I_CONST, 0, 0, add_const(p, rw_num(a->num)), 1);
        return;
    case RW_AST_STR:
        emit(e, RW_I_CONST, 0, 0, add_const(p, rw_str(a->str, a->str_len)), 1);
        return;
    case RW_AST_BOOL:
        emit(e, RW_I_CONST, 0, 0, add_const(p, rw_bool(a->num != 0)), 1);
        return;
    case RW_AST_NULL:
        emit(e, RW_I_CONST, 0, 0, add_const(p, rw_null()), 1);
        return;
    case RW_AST_PATH:
        if (a->ref_kind == RW_REF_PARAM) {
            emit(e, RW_I_PARAM, 0, 0, a->ref_index, 1);
        } else if (a->ref_kind == RW_REF_PROFILE) {
            p->keys = rw_xrealloc(p->keys, (p->n_keys + 1) * sizeof *p->keys);
            p->keys[p->n_keys] = rw_xstrdup(a->segs[1]);
            emit(e, RW_I_PROFILE, 0, 0, (int32_t)p->n_keys++, 1);
        } else {
            rw_evpath_t ep = {.field = (rw_evfield_t)a->ref_index};
            if (ep.field == RW_EF_ATTR) {
                ep.n_segs = a->n_segs - 1;
                ep.segs = rw_xmalloc(ep.n_segs * sizeof *ep.segs);
                for (size_t i = 0; i < ep.n_segs; i++)
                    ep.segs[i] = rw_xstrdup(a->segs[i + 1]);
            }
            p->paths = rw_xrealloc(p->paths, (p->n_paths + 1) * sizeof *p->paths);
            p->paths[p->n_paths] = ep;
            emit(e, RW_I_EVENT, 0, 0, (int32_t)p->n_paths++, 1);
        }
        return;
    case RW_AST_CALL:
        if (a->call_id >= 0) {
            emit(e, RW_I_CALL, 0, 0, a->call_id, 1);
            return;
        }
        for (size_t i = 0; i < a->n_args; i++)
            lower(e, a->args[i]);
        emit(e, RW_I_FN, 0, (uint16_t)a->n_args, a->fn, 1 - (int)a->n_args);
        return;
    case RW_AST_LIST:
        return; /* only as the right side of IN, lowered there */
    case RW_AST_NEG:
        lower(e, a->args[0]);
        emit(e, RW_I_NEG, 0, 0, 0, 0);
        return;
    case RW_AST_NOT:
        lower(e, a->args[0]);
        emit(e, RW_I_NOT, 0, 0, 0, 0);
        return;
    case RW_AST_BIN:
        lower(e, a->args[0]);
        lower(e, a->args[1]);
        emit(e, RW_I_BIN, 0, 0, a->op, -1);
        return;
    case RW_AST_IN: {
        lower(e, a->args[0]);
        const rw_ast_t *list = a->args[1];
        for (size_t i = 0; i < list->n_args; i++)
            lower(e, list->args[i]);
        emit(e, RW_I_IN, (uint8_t)a->negated, (uint16_t)list->n_args, 0, -(int)list->n_args);
        return;
    }
    case RW_AST_AND:
    case RW_AST_OR: {
        lower(e, a->args[0]);
        size_t jump = emit(e, a->kind == RW_AST_AND ? RW_I_AND : RW_I_OR, 0, 0, 0, -1);
        lower(e, a->args[1]);
        emit(e, RW_I_TOBOOL, 0, 0, 0, 0);
        p->code[jump].arg = (int32_t)p->n_code;
        return;
    }
    }
}

rw_prog_t *rw_compile(const rw_ast_t *a)
{
    rw_prog_t *p = rw_xcalloc(1, sizeof *p);
    emitter_t e = {.p = p};
    lower(&e, a);
    return p;
}

void rw_prog_free(rw_prog_t *p)
{
    if (!p) return;
    for (size_t i = 0; i < p->n_consts; i++)
        if (p->consts[i].kind == RW_V_STR) free((char *)p->consts[i].s);
    for (size_t i = 0; i < p->n_paths; i++)
        rw_evpath_free(&p->paths[i]);
    for (size_t i = 0; i < p->n_keys; i++)
        free(p->keys[i]);
    free(p->consts);
    free(p->paths);
    free(p->keys);
    free(p->code);
    free(p);
}
