/* util.h — small shared helpers: growable buffers, number formatting, hashing,
 * UTF-8 and base64. Everything here is allocation-explicit: functions returning
 * char* return malloc'ed memory the caller frees. */
#ifndef RW_UTIL_H
#define RW_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* A growable byte buffer; data is always NUL-terminated. Owned by whoever inits it. */
typedef struct {
    char *data;
    size_t len, cap;
} rw_buf_t;

void rw_buf_init(rw_buf_t *b);
void rw_buf_free(rw_buf_t *b);
void rw_buf_reset(rw_buf_t *b);
void rw_buf_append(rw_buf_t *b, const void *p, size_t n);
void rw_buf_puts(rw_buf_t *b, const char *s);
void rw_buf_putc(rw_buf_t *b, char c);
void rw_buf_printf(rw_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rw_buf_vprintf(rw_buf_t *b, const char *fmt, va_list ap);
/* Hands the buffer's memory to the caller; the buffer is reset to empty. */
char *rw_buf_steal(rw_buf_t *b);

/* Aborts on allocation failure: out of memory is not a recoverable input error. */
void *rw_xmalloc(size_t n);
void *rw_xcalloc(size_t n, size_t m);
void *rw_xrealloc(void *p, size_t n);
char *rw_xstrdup(const char *s);
char *rw_xstrndup(const char *s, size_t n);

/* Numbers in text (rules.md): integral values print without a decimal point (all their
 * digits, however large), others in the shortest form that reads back the same; NaN and
 * infinities as nothing. out must hold RW_NUM_TEXT bytes. */
#define RW_NUM_TEXT 320
void rw_fmt_number(double v, char *out);

/* Lower-case hex SHA-256 of the bytes; out must hold 65 bytes. */
void rw_sha256_hex(const void *p, size_t n, char *out);
/* The same of a's bytes then b's (an archive's entries then its events, held apart). */
void rw_sha256_hex2(const void *a, size_t alen, const void *b, size_t blen, char *out);
void rw_sha256(const void *p, size_t n, unsigned char out[32]);

/* 1 when the bytes are well-formed UTF-8 (no overlongs, no surrogates). */
int rw_utf8_valid(const char *s, size_t n);
/* A copy of s (NUL-terminated) with every byte that starts no well-formed code point
 * replaced by U+FFFD: text from a request, quoted in a reply, is always UTF-8.
 * malloc'ed. */
char *rw_utf8_repair(const char *s);
/* Cuts an incomplete code point off the end of s, as a fixed buffer's truncation leaves. */
void rw_utf8_trim_end(char *s);
/* Number of code points in well-formed UTF-8. */
size_t rw_utf8_count(const char *s, size_t n);
/* The length of a byte-order mark at the start of s[0..n) (3), or 0. Text files saved by
 * editors on Windows start with one; it is no part of their content. */
size_t rw_utf8_bom(const char *s, size_t n);

/* Standard base64 with padding; malloc'ed, NUL-terminated. */
char *rw_base64(const void *p, size_t n);

/* Reads a whole file; malloc'ed and NUL-terminated. NULL with errno set on failure. */
char *rw_read_file(const char *path, size_t *len);

/* Removes a directory tree (throwaway state). 0 on success. */
int rw_rmtree(const char *dir);

/* FNV-1a, for in-memory hash tables only (never persisted). */
uint64_t rw_hash64(const void *p, size_t n);
/* qsort comparator of uint64_t values, ascending. */
int rw_cmp_u64(const void *a, const void *b);

#endif
