/* util.c — buffers, number formatting, hashing, UTF-8 and base64 helpers. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "util.h"

#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *rw_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) abort();
    return p;
}

void *rw_xcalloc(size_t n, size_t m)
{
    void *p = calloc(n ? n : 1, m ? m : 1);
    if (!p) abort();
    return p;
}

void *rw_xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) abort();
    return p;
}

char *rw_xstrdup(const char *s)
{
    return rw_xstrndup(s, strlen(s));
}

char *rw_xstrndup(const char *s, size_t n)
{
    char *p = rw_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

void rw_buf_init(rw_buf_t *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
}

void rw_buf_free(rw_buf_t *b)
{
    free(b->data);
    rw_buf_init(b);
}

void rw_buf_reset(rw_buf_t *b)
{
    b->len = 0;
    if (b->data) b->data[0] = 0;
}

static void buf_reserve(rw_buf_t *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    b->data = rw_xrealloc(b->data, cap);
    b->cap = cap;
}

void rw_buf_append(rw_buf_t *b, const void *p, size_t n)
{
    buf_reserve(b, n);
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
}

void rw_buf_puts(rw_buf_t *b, const char *s)
{
    rw_buf_append(b, s, strlen(s));
}

void rw_buf_putc(rw_buf_t *b, char c)
{
    rw_buf_append(b, &c, 1);
}

void rw_buf_vprintf(rw_buf_t *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) return;
    buf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void rw_buf_printf(rw_buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rw_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

char *rw_buf_steal(rw_buf_t *b)
{
    char *p = b->data ? b->data : rw_xstrdup("");
    rw_buf_init(b);
    return p;
}

void rw_fmt_number(double v, char *out)
{
    if (isnan(v) || isinf(v)) {
        strcpy(out, "");
        return;
    }
    if (v == floor(v)) {
        snprintf(out, RW_NUM_TEXT, "%.0f", v);
        if (strcmp(out, "-0") == 0) strcpy(out, "0");
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, RW_NUM_TEXT, "%.*g", prec, v);
        if (strtod(out, NULL) == v) return;
    }
}

/* Fetched once: with EVP_sha256() OpenSSL 3 looks the implementation up on every digest,
 * which cost more than hashing a lead id. */
static EVP_MD *sha256_md;
static void fetch_sha256(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

static const EVP_MD *sha256(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, fetch_sha256);
    return sha256_md ? sha256_md : EVP_sha256();
}

void rw_sha256(const void *p, size_t n, unsigned char out[32])
{
    unsigned int len = 32;
    EVP_Digest(p, n, out, &len, sha256(), NULL);
}

void rw_sha256_hex(const void *p, size_t n, char *out)
{
    rw_sha256_hex2(p, n, NULL, 0, out);
}

void rw_sha256_hex2(const void *a, size_t alen, const void *b, size_t blen, char *out)
{
    unsigned char md[32];
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    EVP_DigestInit_ex(c, sha256(), NULL);
    if (alen) EVP_DigestUpdate(c, a, alen);
    if (blen) EVP_DigestUpdate(c, b, blen);
    EVP_DigestFinal_ex(c, md, NULL);
    EVP_MD_CTX_free(c);
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = 0;
}

/* The length of the well-formed code point at s[i] (1 to 4), or 0 when none starts there. */
static size_t utf8_at(const unsigned char *s, size_t n, size_t i)
{
    unsigned c = s[i];
    if (c < 0x80) return 1;
    size_t need;
    unsigned cp;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        cp = c & 0x07;
    } else
        return 0;
    for (size_t k = 1; k <= need; k++) {
        if (i + k >= n || (s[i + k] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return need + 1;
}

int rw_utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    for (size_t i = 0, k; i < n; i += k)
        if (!(k = utf8_at(s, n, i))) return 0;
    return 1;
}

char *rw_utf8_repair(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t n = strlen(str);
    rw_buf_t b;
    rw_buf_init(&b);
    for (size_t i = 0, k; i < n; i += k ? k : 1) {
        k = utf8_at(s, n, i);
        if (k)
            rw_buf_append(&b, str + i, k);
        else
            rw_buf_puts(&b, "\xEF\xBF\xBD"); /* U+FFFD */
    }
    if (!b.data) rw_buf_puts(&b, "");
    return rw_buf_steal(&b);
}

void rw_utf8_trim_end(char *s)
{
    size_t n = strlen(s), k = 0;
    while (k < n && k < 4 && ((unsigned char)s[n - 1 - k] & 0xC0) == 0x80)
        k++; /* continuation bytes */
    if (k == n) return;
    unsigned char lead = (unsigned char)s[n - 1 - k];
    size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (k + 1 < want) s[n - 1 - k] = 0;
}

size_t rw_utf8_bom(const char *s, size_t n)
{
    return n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3) ? 3 : 0;
}

size_t rw_utf8_count(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80) c++;
    return c;
}

char *rw_base64(const void *p, size_t n)
{
    char *out = rw_xmalloc(4 * ((n + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)out, p, (int)n);
    return out;
}

char *rw_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    rw_buf_t b;
    rw_buf_init(&b);
    char chunk[65536];
    size_t r;
    while ((r = fread(chunk, 1, sizeof chunk, f)) > 0)
        rw_buf_append(&b, chunk, r);
    int err = ferror(f);
    fclose(f);
    if (err) {
        rw_buf_free(&b);
        errno = EIO;
        return NULL;
    }
    if (len) *len = b.len;
    return rw_buf_steal(&b);
}

uint64_t rw_hash64(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int rw_rmtree(const char *dir)
{
    return nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int rw_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}
