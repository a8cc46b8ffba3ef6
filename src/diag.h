/* diag.h — diagnostics for rule authors: "file:line:col: error|warning: text".
 * Loaders append to an rw_diags_t owned by the caller; errors stop loading,
 * warnings never do. Lines and columns are 1-based, columns in code points. */
#ifndef RW_DIAG_H
#define RW_DIAG_H

#include <stdarg.h>
#include <stdio.h>

typedef enum { RW_DIAG_ERROR, RW_DIAG_WARNING } rw_severity_t;

typedef struct {
    char *file;
    int line, col;
    rw_severity_t sev;
    char *msg;
} rw_diag_t;

typedef struct {
    rw_diag_t *items;
    size_t n, cap;
    size_t errors, warnings;
} rw_diags_t;

void rw_diags_init(rw_diags_t *d);
void rw_diags_free(rw_diags_t *d);
void rw_diag_add(rw_diags_t *d, rw_severity_t sev, const char *file, int line, int col,
                 const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* The same for wrappers that take their own variable arguments. */
void rw_diag_vadd(rw_diags_t *d, rw_severity_t sev, const char *file, int line, int col,
                  const char *fmt, va_list ap);
#define rw_diag_error(d, f, l, c, ...) rw_diag_add(d, RW_DIAG_ERROR, f, l, c, __VA_ARGS__)
#define rw_diag_warn(d, f, l, c, ...) rw_diag_add(d, RW_DIAG_WARNING, f, l, c, __VA_ARGS__)
/* Prints every diagnostic, one per line: by file (in the order files first appear),
 * line and column. */
void rw_diags_print(const rw_diags_t *d, FILE *out);
/* The same, errors only when `warnings` is 0. */
void rw_diags_print_if(const rw_diags_t *d, FILE *out, int warnings);
/* The first error formatted as a line (static storage), or "" when there is none. */
const char *rw_diags_first_error(const rw_diags_t *d);

#endif
