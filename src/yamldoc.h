/* yamldoc.h — YAML files as trees with source positions, for every file an author
 * writes (rules, catalogue, laws, models, tests). Plain scalars are resolved with the
 * YAML 1.2 core schema: null, true/false, ints and floats; everything else, quoted
 * scalars and `yes`/`on`/dates included, is a string. Anchors and aliases are refused.
 * A document owns all its nodes; they live until rw_ydoc_free. */
#ifndef RW_YAMLDOC_H
#define RW_YAMLDOC_H

#include "diag.h"

#include <jansson.h>
#include <stddef.h>

typedef enum { RW_Y_NULL, RW_Y_BOOL, RW_Y_NUM, RW_Y_STR, RW_Y_SEQ, RW_Y_MAP } rw_ykind_t;
typedef enum {
    RW_YS_PLAIN,
    RW_YS_SINGLE,
    RW_YS_DOUBLE,
    RW_YS_LITERAL,
    RW_YS_FOLDED,
    RW_YS_OTHER
} rw_ystyle_t;

typedef struct rw_ynode rw_ynode_t;
struct rw_ynode {
    rw_ykind_t kind;
    rw_ystyle_t style;
    int line, col;  /* 1-based position of the node's first character */
    size_t raw_off; /* byte offset of that character in the document text */
    char *str;      /* scalars: the decoded text (NUL-terminated); else NULL */
    size_t len;
    double num;         /* RW_Y_NUM */
    int is_int;         /* RW_Y_NUM written as an integer */
    int boolean;        /* RW_Y_BOOL */
    size_t n;           /* SEQ: items; MAP: pairs */
    rw_ynode_t **items; /* SEQ items, or MAP values */
    rw_ynode_t **keys;  /* MAP keys (always scalars) */
};

typedef struct {
    char *path; /* as given, used in diagnostics */
    char *text;
    size_t len;
    rw_ynode_t *root; /* NULL for an empty document */
} rw_ydoc_t;

/* Reads and parses a file. Returns 0, or -1 with a file:line:col error in d. */
int rw_ydoc_load(rw_ydoc_t *doc, const char *path, rw_diags_t *d);
/* Parses text (copied) named `name` in diagnostics. */
int rw_ydoc_parse(rw_ydoc_t *doc, const char *name, const char *text, size_t len, rw_diags_t *d);
void rw_ydoc_free(rw_ydoc_t *doc);

/* The value for key in a mapping; NULL when absent or when map is not a mapping. */
const rw_ynode_t *rw_ymap_get(const rw_ynode_t *map, const char *key);
/* The file position of byte `offset` of a scalar's decoded text, following quotes,
 * escapes and line folding, so errors inside an expression point into the file. */
void rw_ynode_pos(const rw_ydoc_t *doc, const rw_ynode_t *n, size_t offset, int *line, int *col);
/* The node as JSON (numbers as integers when written so); new reference. */
json_t *rw_ynode_to_json(const rw_ynode_t *n);
/* A short Chinese name of the node's kind for messages: 字符串, 数字, 映射 … */
const char *rw_ykind_name(rw_ykind_t k);

/* Loader helpers: a diagnostic at a node's position, and typed lookups that report
 * "missing key" / "wrong kind" errors themselves. */
void rw_ydiag(rw_diags_t *d, const rw_ydoc_t *doc, const rw_ynode_t *n, rw_severity_t sev,
              const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* The string value of key (any scalar's text when `any_scalar`); NULL after an error
 * when absent (only if required) or not a string. */
const char *rw_yget_str(const rw_ydoc_t *doc, const rw_ynode_t *map, const char *key, int required,
                        rw_diags_t *d);
/* Reports every key of map not in the NULL-terminated list `known` as an error. */
void rw_ycheck_keys(const rw_ydoc_t *doc, const rw_ynode_t *map, const char *const *known,
                    rw_diags_t *d);

#endif
