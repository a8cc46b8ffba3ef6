/* diag.c — collects and prints file:line:col diagnostics. */
#include "diag.h"

#include "util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void rw_diags_init(rw_diags_t *d)
{
    d->items = NULL;
    d->n = d->cap = d->errors = d->warnings = 0;
}

void rw_diags_free(rw_diags_t *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->items[i].file);
        free(d->items[i].msg);
    }
    free(d->items);
    rw_diags_init(d);
}

void rw_diag_add(rw_diags_t *d, rw_severity_t sev, const char *file, int line, int col,
                 const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rw_diag_vadd(d, sev, file, line, col, fmt, ap);
    va_end(ap);
}

void rw_diag_vadd(rw_diags_t *d, rw_severity_t sev, const char *file, int line, int col,
                  const char *fmt, va_list ap)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 8;
        d->items = rw_xrealloc(d->items, d->cap * sizeof *d->items);
    }
    rw_buf_t b;
    rw_buf_init(&b);
    rw_buf_vprintf(&b, fmt, ap);
    rw_diag_t *it = &d->items[d->n++];
    it->file = rw_xstrdup(file ? file : "");
    it->line = line;
    it->col = col;
    it->sev = sev;
    it->msg = rw_buf_steal(&b);
    /* a message holding a truncated buffer (a long clause reference) must stay UTF-8 */
    rw_utf8_trim_end(it->msg);
    if (sev == RW_DIAG_ERROR)
        d->errors++;
    else
        d->warnings++;
}

static void format_one(const rw_diag_t *it, char *out, size_t n)
{
    snprintf(out, n, "%s:%d:%d: %s: %s", it->file, it->line, it->col,
             it->sev == RW_DIAG_ERROR ? "error" : "warning", it->msg);
}

/* Where a diagnostic sorts: its file in the order files first appear, then line, column,
 * then the order added (checks run in passes, so added order is not file order). */
typedef struct {
    size_t file, line, col, seq;
} diag_key_t;

static int cmp_key(const void *a, const void *b)
{
    const diag_key_t *x = a, *y = b;
    if (x->file != y->file) return x->file < y->file ? -1 : 1;
    if (x->line != y->line) return x->line < y->line ? -1 : 1;
    if (x->col != y->col) return x->col < y->col ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void rw_diags_print_if(const rw_diags_t *d, FILE *out, int warnings)
{
    diag_key_t *keys = rw_xcalloc(d->n ? d->n : 1, sizeof *keys);
    for (size_t i = 0; i < d->n; i++) {
        size_t f = i;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(d->items[j].file, d->items[i].file)) {
                f = keys[j].file;
                break;
            }
        keys[i] = (diag_key_t){f, (size_t)d->items[i].line, (size_t)d->items[i].col, i};
    }
    qsort(keys, d->n, sizeof *keys, cmp_key);
    char line[4096];
    for (size_t i = 0; i < d->n; i++) {
        if (!warnings && d->items[keys[i].seq].sev != RW_DIAG_ERROR) continue;
        format_one(&d->items[keys[i].seq], line, sizeof line);
        fprintf(out, "%s\n", line);
    }
    free(keys);
}

void rw_diags_print(const rw_diags_t *d, FILE *out)
{
    rw_diags_print_if(d, out, 1);
}

const char *rw_diags_first_error(const rw_diags_t *d)
{
    static _Thread_local char line[4096];
    line[0] = 0;
    for (size_t i = 0; i < d->n; i++)
        if (d->items[i].sev == RW_DIAG_ERROR) {
            format_one(&d->items[i], line, sizeof line);
            break;
        }
    return line;
}
