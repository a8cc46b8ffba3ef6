/* calendar.h — working days (工作日) for lead deadlines: weekends and public
 * holidays are off, except the weekend days worked in exchange (调休), as listed in
 * rules/calendar.yaml. Deadlines by level default to leads.md's working days. */
#ifndef RW_CALENDAR_H
#define RW_CALENDAR_H

#include "diag.h"

#include <stdint.h>

typedef struct {
    int64_t *holidays, *workdays; /* sorted day numbers */
    size_t n_holidays, n_workdays;
    int accept_days[4], close_days[4]; /* by rw_level_t: blue, yellow, orange, red */
    int calendar_days;                 /* 1: count calendar days instead of working days */
} rw_calendar_t;

/* Defaults of leads.md with no holidays. */
void rw_calendar_default(rw_calendar_t *c);
/* Loads path (a missing file leaves the defaults). Returns 0, or -1 with errors. Warns
 * when the deadlines of a lead made on `today` (a day number) reach past the last year
 * the file lists: its holidays are not known there, only weekends. */
int rw_calendar_load(rw_calendar_t *c, const char *path, int64_t today, rw_diags_t *d);
void rw_calendar_free(rw_calendar_t *c);
int rw_calendar_is_workday(const rw_calendar_t *c, int64_t day);
/* The end (23:59:59 local) of the n-th working day after the day of `from`:
 * deadlines count from the next day, as administrative time limits do. */
double rw_calendar_deadline(const rw_calendar_t *c, double from, int tz_min, int n);

#endif
