/* checker.h — parses and checks one expression in its context (a rule, a stream
 * filter or a model input): resolves names, checks argument counts and kinds and
 * window ranges, infers static kinds, flags comparisons that can never be true,
 * and registers aggregate/model calls in the caller's call table. Errors and
 * warnings go to ctx->diags as file:line:col. */
#ifndef RW_CHECKER_H
#define RW_CHECKER_H

#include "ast.h"
#include "diag.h"
#include "expr.h"
#include "yamldoc.h"

typedef enum { RW_CTX_RULE, RW_CTX_FILTER, RW_CTX_MODEL } rw_ctx_kind_t;

typedef struct {
    rw_ctx_kind_t kind;
    /* Where the expression's text is: a scalar of a YAML document; `base` is the
     * offset of the text inside the scalar (message placeholders). */
    const rw_ydoc_t *doc;
    const rw_ynode_t *node;
    size_t base;
    rw_diags_t *diags;
    void *ud;
    int (*stream)(void *ud, const char *name);            /* index, or -1 when unknown */
    int (*param)(void *ud, const char *name, int *kinds); /* index, or -1 when unknown */
    int (*model)(void *ud, const char *name);             /* index, or -1 when unknown */
    int (*add_call)(void *ud, rw_callspec_t *spec);       /* takes ownership; returns id */
    /* The catalogue's declared kind ("string" | "number" | "boolean") of attrs.NAME on
     * the events of a stream, or NULL when unknown (optional). */
    const char *(*attr_kind)(void *ud, int stream, const char *name);
    /* 1 when the catalogue declares event type `name` (optional): `type == "complant"`
     * is an unknown type, a stream that never has members. */
    int (*type_known)(void *ud, const char *name, size_t len);
} rw_check_ctx_t;

/* Parses and checks src (len bytes). Returns the annotated AST (caller frees), or
 * NULL after adding at least one error. */
rw_ast_t *rw_check_expr(rw_check_ctx_t *ctx, const char *src, size_t len);

/* Warns when a checked condition (a rule's `if`, a level's, a stream filter) can never be
 * true whatever the events: a value that is never a boolean (`5`, `"yes"`, `count(…)`),
 * `false`, `not true`, `not (1 < 2)`, `not (count(…) >= 0)`, and/or of those. (A comparison that
 * can never be true by itself, such as `count(…) < 0` or `1 > 2`, is already an error of
 * rw_check_expr.) */
void rw_check_condition(rw_check_ctx_t *ctx, const rw_ast_t *a);

/* Adds a diagnostic at byte `off` of the expression text. */
void rw_check_diag(rw_check_ctx_t *ctx, rw_severity_t sev, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
