/* calendar.c — holiday calendar and working-day deadlines. */
#include "calendar.h"

#include "catalog.h"
#include "rwtime.h"
#include "util.h"
#include "yamldoc.h"

#include <stdlib.h>
#include <string.h>

void rw_calendar_default(rw_calendar_t *c)
{
    memset(c, 0, sizeof *c);
    static const int accept[] = {5, 3, 2, 1}, close[] = {60, 30, 15, 7};
    memcpy(c->accept_days, accept, sizeof accept);
    memcpy(c->close_days, close, sizeof close);
}

static int cmp_day(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int load_days(const rw_ydoc_t *doc, const char *key, int64_t **out, size_t *n, rw_diags_t *d)
{
    char **list;
    size_t count;
    const rw_ynode_t *node = rw_ymap_get(doc->root, key);
    if (rw_ystr_list(doc, node, key, &list, &count, d)) return -1;
    *out = rw_xmalloc((count ? count : 1) * sizeof **out);
    *n = 0;
    int rc = 0;
    for (size_t i = 0; i < count; i++) {
        if (rw_date_parse(list[i], &(*out)[*n])) {
            /* at the entry itself: a long list is hard to search */
            rw_ydiag(d, doc, node->kind == RW_Y_SEQ ? node->items[i] : node, RW_DIAG_ERROR,
                     "%s 中的 \"%s\" 不是日期 YYYY-MM-DD", key, list[i]);
            rc = -1;
            continue;
        }
        (*n)++;
    }
    rw_str_list_free(list, count);
    qsort(*out, *n, sizeof **out, cmp_day);
    return rc;
}

static int load_deadlines(rw_calendar_t *c, const rw_ydoc_t *doc, rw_diags_t *d)
{
    const rw_ynode_t *dl = rw_ymap_get(doc->root, "deadlines");
    if (!dl || dl->kind == RW_Y_NULL) return 0;
    if (dl->kind != RW_Y_MAP) {
        rw_ydiag(d, doc, dl, RW_DIAG_ERROR,
                 "deadlines 应该是 {unit, red, orange, yellow, blue} 映射");
        return -1;
    }
    /* a misspelt level would otherwise silently keep the default deadlines */
    static const char *const keys[] = {"unit", "red", "orange", "yellow", "blue", NULL};
    static const char *const level_keys[] = {"accept", "close", NULL};
    rw_ycheck_keys(doc, dl, keys, d);
    static const char *const levels[] = {"blue", "yellow", "orange", "red"};
    int rc = 0;
    for (int i = 0; i < 4; i++) {
        const rw_ynode_t *lv = rw_ymap_get(dl, levels[i]);
        if (!lv) continue;
        rw_ycheck_keys(doc, lv, level_keys, d);
        const rw_ynode_t *a = rw_ymap_get(lv, "accept"), *cl = rw_ymap_get(lv, "close");
        if (lv->kind != RW_Y_MAP ||
            (a && (a->kind != RW_Y_NUM || !a->is_int || a->num < 0 || a->num > 3650)) ||
            (cl && (cl->kind != RW_Y_NUM || !cl->is_int || cl->num < 0 || cl->num > 3650))) {
            rw_ydiag(d, doc, lv, RW_DIAG_ERROR, "deadlines.%s 需要 {accept: 天数, close: 天数}",
                     levels[i]);
            rc = -1;
            continue;
        }
        if (a) c->accept_days[i] = (int)a->num;
        if (cl) c->close_days[i] = (int)cl->num;
    }
    const char *unit = rw_yget_str(doc, dl, "unit", 0, d);
    if (unit && strcmp(unit, "working") && strcmp(unit, "calendar")) {
        rw_ydiag(d, doc, rw_ymap_get(dl, "unit"), RW_DIAG_ERROR,
                 "deadlines.unit 只能是 working 或 calendar");
        rc = -1;
    }
    c->calendar_days = unit && strcmp(unit, "calendar") == 0;
    return rc;
}

/* A warning when the longest deadline of a lead made on `today` falls after the last
 * year the lists name. */
static void check_coverage(const rw_calendar_t *c, const rw_ydoc_t *doc, int64_t today,
                           rw_diags_t *d)
{
    if (c->calendar_days || (!c->n_holidays && !c->n_workdays)) return;
    int64_t last = c->n_holidays ? c->holidays[c->n_holidays - 1] : INT64_MIN;
    if (c->n_workdays && c->workdays[c->n_workdays - 1] > last)
        last = c->workdays[c->n_workdays - 1];
    int64_t year;
    unsigned m, dd;
    rw_civil_from_days(last, &year, &m, &dd);
    int longest = 0;
    for (int i = 0; i < 4; i++)
        if (c->close_days[i] > longest) longest = c->close_days[i];
    int64_t reach = rw_local_day(rw_calendar_deadline(c, (double)today * 86400, 0, longest), 0);
    if (reach <= rw_days_from_civil(year, 12, 31)) return;
    char until[16];
    rw_date_format(reach, until);
    rw_ydiag(
        d, doc, rw_ymap_get(doc->root, c->n_holidays ? "holidays" : "workdays"), RW_DIAG_WARNING,
        "节假日只列到 %lld 年，而今天生成的线索期限最远到 %s：%lld 年起的期限只按周末休息计算，"
        "国务院办公厅公布该年放假安排后请补充",
        (long long)year, until, (long long)year + 1);
}

int rw_calendar_load(rw_calendar_t *c, const char *path, int64_t today, rw_diags_t *d)
{
    rw_calendar_default(c);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    fclose(f);
    rw_ydoc_t doc;
    if (rw_ydoc_load(&doc, path, d)) {
        rw_ydoc_free(&doc);
        return -1;
    }
    int rc = 0;
    size_t before = d->errors;
    if (doc.root && doc.root->kind == RW_Y_MAP) {
        static const char *const keys[] = {"holidays", "workdays", "deadlines", NULL};
        rw_ycheck_keys(&doc, doc.root, keys, d);
        if (load_days(&doc, "holidays", &c->holidays, &c->n_holidays, d) ||
            load_days(&doc, "workdays", &c->workdays, &c->n_workdays, d) ||
            load_deadlines(c, &doc, d))
            rc = -1;
        else
            check_coverage(c, &doc, today, d);
    } else if (doc.root) {
        rw_ydiag(d, &doc, doc.root, RW_DIAG_ERROR,
                 "calendar.yaml 应该是包含 holidays、workdays 的映射");
        rc = -1;
    }
    if (d->errors > before) rc = -1; /* unknown keys too */
    rw_ydoc_free(&doc);
    return rc;
}

void rw_calendar_free(rw_calendar_t *c)
{
    free(c->holidays);
    free(c->workdays);
    c->holidays = c->workdays = NULL;
}

static int contains(const int64_t *days, size_t n, int64_t day)
{
    return n && bsearch(&day, days, n, sizeof *days, cmp_day) != NULL;
}

int rw_calendar_is_workday(const rw_calendar_t *c, int64_t day)
{
    if (contains(c->workdays, c->n_workdays, day)) return 1;
    if (contains(c->holidays, c->n_holidays, day)) return 0;
    return rw_weekday(day) < 5;
}

double rw_calendar_deadline(const rw_calendar_t *c, double from, int tz_min, int n)
{
    int64_t day = rw_local_day(from, tz_min);
    for (int left = n; left > 0;) {
        day++;
        if (c->calendar_days || rw_calendar_is_workday(c, day)) left--;
    }
    return (double)(day * 86400 + 86399 - tz_min * 60);
}
