/* ast.h — the syntax tree the parser builds and the checker annotates. A tree owns
 * its children and strings (rw_ast_free). Offsets are byte offsets into the
 * expression's source text. */
#ifndef RW_AST_H
#define RW_AST_H

#include "util.h"

#include <stddef.h>
#include <stdint.h>

typedef enum {
    RW_AST_NUM,
    RW_AST_STR,
    RW_AST_DUR,
    RW_AST_BOOL,
    RW_AST_NULL,
    RW_AST_PATH, /* segs[0].segs[1]… */
    RW_AST_CALL, /* name(args) */
    RW_AST_LIST, /* [args] */
    RW_AST_NEG,  /* -args[0] */
    RW_AST_NOT,  /* not args[0] */
    RW_AST_BIN,  /* args[0] op args[1] (arithmetic and comparison) */
    RW_AST_AND,
    RW_AST_OR,
    RW_AST_IN, /* args[0] in args[1] (a LIST); negated for "not in" */
} rw_ast_kind_t;

typedef enum {
    RW_OP_ADD,
    RW_OP_SUB,
    RW_OP_MUL,
    RW_OP_DIV,
    RW_OP_MOD,
    RW_OP_EQ,
    RW_OP_NE,
    RW_OP_LT,
    RW_OP_LE,
    RW_OP_GT,
    RW_OP_GE
} rw_binop_t;

/* What a PATH reads. */
enum { RW_REF_EVENT, RW_REF_PROFILE, RW_REF_PARAM };

/* Static kinds the checker infers, as a bit set. */
enum { RW_K_NUM = 1, RW_K_STR = 2, RW_K_BOOL = 4, RW_K_NULL = 8, RW_K_ANY = 15 };

typedef struct rw_ast rw_ast_t;
struct rw_ast {
    rw_ast_kind_t kind;
    rw_binop_t op;
    int negated;       /* IN: "not in" */
    size_t off, end;   /* source bytes [off, end) */
    double num;        /* NUM, DUR (seconds), BOOL */
    int64_t dur_count; /* DUR */
    char dur_unit;     /* DUR: 'd' | 'h' */
    char *str;         /* STR text; CALL name */
    size_t str_len;
    char **segs; /* PATH */
    size_t n_segs;
    rw_ast_t **args; /* CALL/LIST items, operands */
    size_t n_args;
    /* Filled by the checker: */
    int kinds;     /* RW_K_* bits the value can have */
    int ref_kind;  /* PATH: RW_REF_* */
    int ref_index; /* PATH: rw_evfield_t or param index */
    int fn;        /* CALL of a scalar function: rw_fn_t, else -1 */
    int call_id;   /* CALL of an aggregate or model: its call-table id, else -1 */
};

rw_ast_t *rw_ast_new(rw_ast_kind_t kind, size_t off);
void rw_ast_push(rw_ast_t *parent, rw_ast_t *child);
void rw_ast_free(rw_ast_t *a);
/* Canonical text of a subtree — how evidence names calls and how identical calls are
 * recognised: `count(food_complaint, 30d)`, strings double-quoted, numbers per rules.md. */
void rw_ast_print(const rw_ast_t *a, rw_buf_t *out);
/* The path joined with dots; malloc'ed. */
char *rw_ast_path_text(const rw_ast_t *a);
/* 1 when the node is a call of an aggregate or model (count … since, model). */
int rw_ast_is_agg_call(const rw_ast_t *a);
/* 1 when the subtree contains an aggregate or model call. */
int rw_ast_has_agg_call(const rw_ast_t *a);

#endif
