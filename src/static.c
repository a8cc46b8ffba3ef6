/* static.c — the console's files. Paths are checked twice: lexically (no "..", no hidden
 * segments) and, after realpath, by prefix, so a symlink cannot lead out either. */
#include "static.h"

#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Larger files are not console assets; refusing them keeps a stray file from filling memory. */
#define RW_STATIC_MAX_FILE (16u << 20)

struct rw_static {
    char *root; /* realpath of the directory, no trailing '/' */
};

rw_static_t *rw_static_open(const char *dir, char *err, size_t errlen)
{
    char real[PATH_MAX];
    struct stat sb;
    errno = 0;
    if (!realpath(dir, real) || stat(real, &sb) || !S_ISDIR(sb.st_mode)) {
        snprintf(err, errlen, "控制台文件目录 %s 不可用: %s", dir,
                 errno ? strerror(errno) : "不是目录");
        return NULL;
    }
    rw_static_t *st = rw_xcalloc(1, sizeof *st);
    st->root = rw_xstrdup(real);
    return st;
}

void rw_static_close(rw_static_t *st)
{
    if (!st) return;
    free(st->root);
    free(st);
}

const char *rw_static_dir(const rw_static_t *st)
{
    return st->root;
}

static int segments_ok(const char *p)
{
    if (*p != '/' || strchr(p, '\\')) return 0;
    for (const char *s = p + 1; *s;) {
        const char *e = strchr(s, '/');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n == 0 || s[0] == '.') return 0;
        if (!e) break;
        s = e + 1;
    }
    return 1;
}

int rw_static_resolve(const rw_static_t *st, const char *url_path, char *out, size_t outlen)
{
    size_t n = strlen(url_path);
    int dir = n > 0 && url_path[n - 1] == '/';
    char lexical[PATH_MAX];
    /* "/" and "dir/" are checked without their trailing slash, which is not an empty segment */
    if (n == 0 || n >= sizeof lexical) return -1;
    memcpy(lexical, url_path, n + 1);
    if (dir && n > 1) lexical[n - 1] = 0;
    if (n > 1 && !segments_ok(lexical)) return -1;
    char joined[PATH_MAX], real[PATH_MAX];
    int w = snprintf(joined, sizeof joined, "%s%s%s", st->root, n > 1 ? lexical : "",
                     dir ? "/index.html" : "");
    if (w < 0 || (size_t)w >= sizeof joined || !realpath(joined, real)) return -1;
    size_t rn = strlen(st->root);
    if (strncmp(real, st->root, rn) != 0 || real[rn] != '/') return -1;
    if (strlen(real) >= outlen) return -1;
    strcpy(out, real);
    return 0;
}

const char *rw_static_mime(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".json", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".woff", "font/woff"},
        {".txt", "text/plain; charset=utf-8"},
    };
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (dot && (!slash || dot > slash))
        for (size_t i = 0; i < sizeof types / sizeof *types; i++)
            if (strcmp(dot, types[i].ext) == 0) return types[i].type;
    return "application/octet-stream";
}

void rw_static_handle(void *ud, const rw_http_req_t *req, rw_http_resp_t *resp)
{
    const rw_static_t *st = ud;
    char path[PATH_MAX];
    struct stat sb;
    if (rw_static_resolve(st, req->path, path, sizeof path) || stat(path, &sb) ||
        !S_ISREG(sb.st_mode) || sb.st_size > RW_STATIC_MAX_FILE) {
        rw_http_error(resp, 404, "not_found", "没有这个页面或文件");
        return;
    }
    size_t len;
    char *data = rw_read_file(path, &len);
    if (!data) {
        rw_http_error(resp, 500, "internal", "读取控制台文件失败");
        return;
    }
    resp->status = 200;
    resp->content_type = rw_static_mime(path);
    resp->body = data;
    resp->len = len;
}
