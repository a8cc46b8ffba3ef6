/* compile.h — the compiled form of a checked expression: bytecode for a small
 * stack machine, with constants and paths resolved, and aggregate/model calls
 * reduced to call-table ids. A program owns its constants and paths. */
#ifndef RW_COMPILE_H
#define RW_COMPILE_H

#include "ast.h"
#include "expr.h"
#include "value.h"

#include <stdint.h>

typedef enum {
    RW_I_CONST,   /* push consts[arg] */
    RW_I_EVENT,   /* push the event path paths[arg] */
    RW_I_PROFILE, /* push profile[keys[arg]] */
    RW_I_PARAM,   /* push params[arg] */
    RW_I_CALL,    /* push the value of call arg (aggregate or model) */
    RW_I_FN,      /* pop n args, push fn(arg) */
    RW_I_NEG,
    RW_I_NOT,    /* push true iff the popped value is not true */
    RW_I_TOBOOL, /* push true iff the popped value is true */
    RW_I_BIN,    /* pop b, a; push a (binop arg) b */
    RW_I_IN,     /* pop n list items and x; push x in list (negated when sub=1) */
    RW_I_AND,    /* top not true: replace with false, jump to arg; else pop */
    RW_I_OR,     /* top true: keep true, jump to arg; else pop */
} rw_iop_t;

typedef struct {
    uint8_t op;
    uint8_t sub;
    uint16_t n;
    int32_t arg;
} rw_insn_t;

typedef struct {
    rw_insn_t *code;
    size_t n_code;
    rw_value_t *consts; /* strings owned (malloc'ed copies) */
    size_t n_consts;
    rw_evpath_t *paths;
    size_t n_paths;
    char **keys; /* profile keys */
    size_t n_keys;
    int max_stack;
} rw_prog_t;

/* Compiles a checked AST (rw_check_expr must have succeeded). Never fails. */
rw_prog_t *rw_compile(const rw_ast_t *a);
void rw_prog_free(rw_prog_t *p);

#endif
