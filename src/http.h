/* http.h — the HTTP server (libmicrohttpd): a route table of handlers that get
 * the method, path, query and body, and answer with a status, a content type and
 * bytes. Handlers run on the server's threads; they must be thread-safe. */
#ifndef RW_HTTP_H
#define RW_HTTP_H

#include <jansson.h>
#include <stddef.h>

typedef struct {
    const char *method, *path;
    const char *body;
    size_t body_len;
    void *conn; /* for rw_http_query / rw_http_header */
} rw_http_req_t;

typedef struct {
    int status;
    const char *content_type;
    char *body; /* malloc'ed; the server frees it */
    size_t len;
    const char *allow; /* a handler's 405: the methods its path takes (static text) */
} rw_http_resp_t;

typedef void (*rw_http_handler_fn)(void *ud, const rw_http_req_t *req, rw_http_resp_t *resp);

typedef struct rw_http rw_http_t;

rw_http_t *rw_http_new(void);
/* Routes match the method ("*": any; HEAD is served as GET) and the path exactly, or a
 * prefix when `prefix` ends in '/'. `params` lists the query parameters the handler reads
 * ("a,b"; "" for none; NULL: not checked): a request naming another, naming one twice, or
 * with a value that is not UTF-8 gets a 400 JSON error and never reaches the handler. */
void rw_http_route(rw_http_t *h, const char *method, const char *prefix, const char *params,
                   rw_http_handler_fn fn, void *ud);
/* Serves HTTPS with the PEM certificate (chain) and key files; call before start.
 * Returns 0, or -1 with err (unreadable files, or one of the two missing). */
int rw_http_tls(rw_http_t *h, const char *cert_file, const char *key_file, char *err,
                size_t errlen);
/* Starts serving on "host:port". Returns 0, or -1 with err. */
int rw_http_start(rw_http_t *h, const char *listen, size_t max_body, char *err, size_t errlen);
void rw_http_stop(rw_http_t *h);
const char *rw_http_query(const rw_http_req_t *req, const char *name);
const char *rw_http_header(const rw_http_req_t *req, const char *name);
/* Sets a JSON error body {"error": {"code", "message"}}. */
void rw_http_error(rw_http_resp_t *resp, int status, const char *code, const char *message);
/* The {"code","message"} object of an error reply, for callers that add fields to it.
 * The message is made UTF-8 (rw_utf8_repair): it may quote the request. New reference. */
json_t *rw_http_error_object(const char *code, const char *message);
void rw_http_text(rw_http_resp_t *resp, int status, const char *content_type, const char *text);
/* Sets a JSON body (compact); takes the reference to body. */
void rw_http_json(rw_http_resp_t *resp, int status, json_t *body);

#endif
