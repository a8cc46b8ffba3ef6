/* report.h — a backtest or sweep report (backtest.h's JSON) for people: one
 * self-contained HTML page (tables and an inline SVG chart; no script, font or style
 * from elsewhere; Chinese text) and the same chart alone as PNG, drawn with cairo.
 * A backtest's chart shows leads by month under the current and the candidate rules;
 * a sweep's shows leads and precision for each value, so the knee of the curve shows. */
#ifndef RW_REPORT_H
#define RW_REPORT_H

#include "util.h"

#include <jansson.h>

/* The HTML page; malloc'ed, NUL-terminated. */
char *rw_report_html(const json_t *report);
/* The chart as PNG bytes appended to out. Returns 0, or -1 with err. */
int rw_report_png(const json_t *report, rw_buf_t *out, char *err, size_t errlen);

#endif
