/* diag.c — collects and prints file:line:col diagnostics. */
#include "diag.h"

#include "util.h"

#include <stdarg.h>
#include <stdlib.h>

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

void rw_diags_print(const rw_diags_t *d, FILE *out)
{
    char line[4096];
    for (size_t i = 0; i < d->n; i++) {
        format_one(&d->items[i], line, sizeof line);
        fprintf(out, "%s\n", line);
    }
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
