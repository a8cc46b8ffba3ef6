/* rwtime.h — event time: strict RFC 3339 parsing, civil dates as day numbers,
 * local dates and hours in a fixed-offset time zone, and the one wall clock.
 * Day numbers count days since 1970-01-01; hour numbers hours since the epoch. */
#ifndef RW_TIME_H
#define RW_TIME_H

#include <stddef.h>
#include <stdint.h>

/* Parses YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM) exactly (events.md). On success
 * *epoch is seconds since the epoch (fraction kept) and *offset_min the written
 * offset; returns 0. Returns -1 on any deviation. */
int rw_time_parse(const char *s, size_t n, double *epoch, int *offset_min);

/* Parses a time-zone offset "+08:00", "-05:30" or "Z" into minutes; -1 on error. */
int rw_tz_parse(const char *s, int *offset_min);

/* A time as people type it in a query: RFC 3339, or YYYY-MM-DD for a local day in the
 * zone tz_min — its start, or with end_of_day the start of the next day (an inclusive
 * "to"). Returns 0, or -1. */
int rw_time_parse_loose(const char *s, int tz_min, int end_of_day, double *epoch);
/* A day-number field left unset (a date not given): every int64_t is a real day, those
 * before 1970 negative. */
#define RW_DAY_NONE INT64_MIN
/* Parses YYYY-MM-DD into a day number; -1 on error. */
int rw_date_parse(const char *s, int64_t *day);
/* Formats a day number as YYYY-MM-DD; out holds 11 bytes. */
void rw_date_format(int64_t day, char *out);
int64_t rw_days_from_civil(int64_t y, unsigned m, unsigned d);
void rw_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);
/* 0 = Monday … 6 = Sunday. */
int rw_weekday(int64_t day);

/* Local date and hour of an instant in a fixed-offset zone. */
int64_t rw_local_day(double epoch, int offset_min);
int64_t rw_local_hour(double epoch, int offset_min);

/* Formats an instant as RFC 3339 with milliseconds in the given offset,
 * e.g. 2026-03-04T10:15:02.113+08:00; out holds 64 bytes. */
void rw_time_format_ms(double epoch, int offset_min, char *out);
/* Same without fractional seconds. */
void rw_time_format(double epoch, int offset_min, char *out);

/* The wall clock, in seconds since the epoch. REGWATCH_NOW (RFC 3339) fixes it,
 * so tests and golden files can pin created_at and the fields derived from it. */
double rw_now(void);
/* Seconds on the monotonic clock, for durations and deadlines (never pinned). */
double rw_mono(void);

#endif
