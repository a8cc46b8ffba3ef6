/* catalog.h — rules/catalog.yaml: the time zone for day/hour buckets, the event
 * types the engine knows (with their attrs' declared kinds, used by check), and the
 * supervision items (监管事项). The catalogue owns all its strings. */
#ifndef RW_CATALOG_H
#define RW_CATALOG_H

#include "diag.h"
#include "yamldoc.h"

#include <stddef.h>

typedef struct {
    char *name, *title;
    size_t name_len;                 /* every event's type is looked up by name */
    char **attr_names, **attr_kinds; /* kinds: string | number | boolean */
    size_t n_attrs;
} rw_type_t;

typedef struct {
    char *code, *name, *department, *target;
    char **measures;
    size_t n_measures;
    char **basis;                /* clause references (checked against the statutes by rules.c) */
    int *basis_line, *basis_col; /* where each is written */
    size_t n_basis;
    int line;
    char *file;
} rw_item_t;

typedef struct {
    int tz_offset_min;
    rw_type_t *types;
    size_t n_types;
    rw_item_t *items;
    size_t n_items;
} rw_catalog_t;

/* Loads path into cat (zeroed by the caller). Returns 0, or -1 with errors in d. */
int rw_catalog_load(rw_catalog_t *cat, const char *path, rw_diags_t *d);
void rw_catalog_free(rw_catalog_t *cat);
int rw_catalog_type(const rw_catalog_t *cat, const char *name, size_t len); /* index or -1 */
int rw_catalog_item(const rw_catalog_t *cat, const char *code);             /* index or -1 */
/* Parses a string list node into *out (malloc'ed copies). Returns 0, or -1 with an error. */
int rw_ystr_list(const rw_ydoc_t *doc, const rw_ynode_t *n, const char *what, char ***out,
                 size_t *count, rw_diags_t *d);
void rw_str_list_free(char **list, size_t n);

#endif
