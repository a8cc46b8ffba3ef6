/* rwtime.c — RFC 3339, civil-date arithmetic (Howard Hinnant's algorithms) and the clock. */
#include "rwtime.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

int64_t rw_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void rw_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

int rw_weekday(int64_t day)
{
    int64_t w = (day + 3) % 7; /* 1970-01-01 was a Thursday */
    return (int)(w < 0 ? w + 7 : w);
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return dm[m - 1];
}

static int parse_ymd(const char *s, int *y, int *m, int *d)
{
    if (digits(s, 4, y) || s[4] != '-' || digits(s + 5, 2, m) || s[7] != '-' || digits(s + 8, 2, d))
        return -1;
    if (*m < 1 || *m > 12 || *d < 1 || *d > days_in_month(*y, *m)) return -1;
    return 0;
}

int rw_date_parse(const char *s, int64_t *day)
{
    int y, m, d;
    if (strlen(s) != 10 || parse_ymd(s, &y, &m, &d)) return -1;
    *day = rw_days_from_civil(y, (unsigned)m, (unsigned)d);
    return 0;
}

void rw_date_format(int64_t day, char *out)
{
    int64_t y;
    unsigned m, d;
    rw_civil_from_days(day, &y, &m, &d);
    /* days come from four-digit years; the bounds also let the compiler see 11 bytes do */
    unsigned yy = y < 0 ? 0 : y > 9999 ? 9999 : (unsigned)y;
    snprintf(out, 11, "%04u-%02u-%02u", yy, m % 13, d % 32);
}

static int parse_offset(const char *s, size_t n, int *offset_min)
{
    if (n == 1 && s[0] == 'Z') {
        *offset_min = 0;
        return 0;
    }
    int hh, mm;
    if (n != 6 || (s[0] != '+' && s[0] != '-') || digits(s + 1, 2, &hh) || s[3] != ':' ||
        digits(s + 4, 2, &mm) || hh > 23 || mm > 59)
        return -1;
    *offset_min = (s[0] == '-' ? -1 : 1) * (hh * 60 + mm);
    return 0;
}

int rw_tz_parse(const char *s, int *offset_min)
{
    return parse_offset(s, strlen(s), offset_min);
}

int rw_time_parse(const char *s, size_t n, double *epoch, int *offset_min)
{
    int y, mo, d, h, mi, se;
    if (n < 20 || parse_ymd(s, &y, &mo, &d) || s[10] != 'T' || digits(s + 11, 2, &h) ||
        s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &se))
        return -1;
    if (h > 23 || mi > 59 || se > 59) return -1;
    size_t i = 19;
    double frac = 0;
    if (s[i] == '.') {
        size_t start = ++i;
        double scale = 0.1;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            frac += (s[i] - '0') * scale;
            scale /= 10;
            i++;
        }
        if (i == start) return -1;
    }
    int off;
    if (parse_offset(s + i, n - i, &off)) return -1;
    int64_t days = rw_days_from_civil(y, (unsigned)mo, (unsigned)d);
    double whole = (double)(days * 86400 + h * 3600 + mi * 60 + se - off * 60);
    /* a double holds today's epochs to about 2e-7 s: .9999999 would round up into the next
     * second, and so maybe the next hour or day */
    *epoch = whole + frac;
    if (*epoch >= whole + 1) *epoch = nextafter(whole + 1, whole);
    if (offset_min) *offset_min = off;
    return 0;
}

/* Days and hours start on whole seconds: counted from the whole second, in integers, a
 * time a hair before midnight cannot round into the next day. */
static int64_t local_units(double epoch, int offset_min, int64_t unit)
{
    int64_t s = (int64_t)floor(epoch) + offset_min * 60;
    return s / unit - (s % unit < 0);
}

int64_t rw_local_day(double epoch, int offset_min)
{
    return local_units(epoch, offset_min, 86400);
}

int64_t rw_local_hour(double epoch, int offset_min)
{
    return local_units(epoch, offset_min, 3600);
}

static void format_time(double epoch, int offset_min, int with_ms, char *out)
{
    double local = epoch + offset_min * 60.0;
    double whole = floor(local);
    int ms = (int)llround((local - whole) * 1000.0);
    if (ms == 1000) {
        whole += 1;
        ms = 0;
    }
    int64_t secs = (int64_t)whole;
    int64_t day = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int64_t rem = secs - day * 86400;
    char date[16];
    rw_date_format(day, date);
    char off[24];
    if (offset_min == 0)
        strcpy(off, "Z");
    else
        snprintf(off, sizeof off, "%c%02d:%02d", offset_min < 0 ? '-' : '+', abs(offset_min) / 60,
                 abs(offset_min) % 60);
    if (with_ms)
        snprintf(out, 64, "%sT%02d:%02d:%02d.%03d%s", date, (int)(rem / 3600), (int)(rem / 60 % 60),
                 (int)(rem % 60), ms, off);
    else
        snprintf(out, 64, "%sT%02d:%02d:%02d%s", date, (int)(rem / 3600), (int)(rem / 60 % 60),
                 (int)(rem % 60), off);
}

void rw_time_format_ms(double epoch, int offset_min, char *out)
{
    format_time(epoch, offset_min, 1, out);
}

void rw_time_format(double epoch, int offset_min, char *out)
{
    format_time(epoch, offset_min, 0, out);
}

double rw_now(void)
{
    const char *fixed = getenv("REGWATCH_NOW");
    double t;
    if (fixed && rw_time_parse(fixed, strlen(fixed), &t, NULL) == 0) return t;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

double rw_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int rw_time_parse_loose(const char *s, int tz_min, int end_of_day, double *epoch)
{
    int64_t day;
    if (strlen(s) == 10 && rw_date_parse(s, &day) == 0) {
        *epoch = (double)(day + (end_of_day ? 1 : 0)) * 86400 - tz_min * 60.0;
        return 0;
    }
    return rw_time_parse(s, strlen(s), epoch, NULL);
}
