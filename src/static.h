/* static.h — serving the web console's files (HTML, CSS, JS, fonts) from one directory
 * through the HTTP server: URL paths map to files under it, never outside. */
#ifndef RW_STATIC_H
#define RW_STATIC_H

#include "http.h"

#include <stddef.h>

typedef struct rw_static rw_static_t;

/* Opens the directory to serve. Returns NULL with err when it is not a readable directory. */
rw_static_t *rw_static_open(const char *dir, char *err, size_t errlen);
void rw_static_close(rw_static_t *st);
const char *rw_static_dir(const rw_static_t *st);

/* Maps a URL path ("/", "/app.js", "/fonts/x.woff2") to a file path under the directory:
 * "/" and any path ending in '/' mean its index.html. Refuses (-1) empty, "." and ".."
 * segments, hidden files (segments starting with '.'), backslashes, and anything that
 * resolves (through symlinks) outside the directory; 0 with the path in out otherwise. */
int rw_static_resolve(const rw_static_t *st, const char *url_path, char *out, size_t outlen);

/* The Content-Type for a file name, by its extension; application/octet-stream when unknown. */
const char *rw_static_mime(const char *path);

/* An rw_http handler (ud = rw_static_t *): the file, or a JSON 404 error. */
void rw_static_handle(void *ud, const rw_http_req_t *req, rw_http_resp_t *resp);

#endif
