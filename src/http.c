/* http.c — libmicrohttpd server with a route table and bounded request bodies. */
#include "http.h"

#include "log.h"
#include "util.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *method, *prefix, *params;
    rw_http_handler_fn fn;
    void *ud;
} route_t;

struct rw_http {
    struct MHD_Daemon *d;
    route_t *routes;
    size_t n_routes;
    size_t max_body;
    char *cert, *key; /* PEM texts for HTTPS, or NULL */
};

typedef struct {
    rw_buf_t body;
    int too_large;
} conn_state_t;

rw_http_t *rw_http_new(void)
{
    return rw_xcalloc(1, sizeof(rw_http_t));
}

void rw_http_route(rw_http_t *h, const char *method, const char *prefix, const char *params,
                   rw_http_handler_fn fn, void *ud)
{
    h->routes = rw_xrealloc(h->routes, (h->n_routes + 1) * sizeof *h->routes);
    h->routes[h->n_routes++] = (route_t){rw_xstrdup(method), rw_xstrdup(prefix),
                                         params ? rw_xstrdup(params) : NULL, fn, ud};
}

void rw_http_text(rw_http_resp_t *resp, int status, const char *content_type, const char *text)
{
    resp->status = status;
    resp->content_type = content_type;
    resp->body = rw_xstrdup(text);
    resp->len = strlen(text);
}

void rw_http_json(rw_http_resp_t *resp, int status, json_t *body)
{
    char *s = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!s) { /* a body jansson refused (text not UTF-8): never a crash, never a bare 200 */
        status = 500;
        s = rw_xstrdup("{\"error\":{\"code\":\"internal\",\"message\":\"无法生成回应\"}}");
    }
    resp->status = status;
    resp->content_type = "application/json; charset=utf-8";
    resp->body = s;
    resp->len = strlen(s);
}

json_t *rw_http_error_object(const char *code, const char *message)
{
    /* messages quote the request (an id from the path, a filter value), which need not be
     * UTF-8, or may be cut inside a character by a fixed buffer */
    char *text = rw_utf8_repair(message);
    json_t *o = json_pack("{s:s,s:s}", "code", code, "message", text);
    free(text);
    return o;
}

void rw_http_error(rw_http_resp_t *resp, int status, const char *code, const char *message)
{
    rw_http_json(resp, status, json_pack("{s:o}", "error", rw_http_error_object(code, message)));
}

const char *rw_http_query(const rw_http_req_t *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *rw_http_header(const rw_http_req_t *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

/* The route for method and path; NULL with `allow` holding the path's methods ("GET,
 * HEAD, POST", for a 405's Allow header) when the path is known, or "" when it is not. */
static const route_t *find_route(const rw_http_t *h, const char *method, const char *path,
                                 rw_buf_t *allow)
{
    /* the first route matching the path names it; only routes with that same path are
     * its methods, so a known path's other method is 405, not a later catch-all's 404 */
    const char *named = NULL;
    for (size_t i = 0; i < h->n_routes; i++) {
        const route_t *r = &h->routes[i];
        size_t n = strlen(r->prefix);
        int match = r->prefix[n - 1] == '/' ? strncmp(path, r->prefix, n) == 0
                                            : strcmp(path, r->prefix) == 0;
        if (!match || (named && strcmp(r->prefix, named) != 0)) continue;
        named = r->prefix;
        if (!strcmp(r->method, "*") || !strcmp(r->method, method) ||
            (!strcmp(method, "HEAD") && !strcmp(r->method, "GET")))
            return r;
        rw_buf_printf(allow, "%s%s%s", allow->len ? ", " : "", r->method,
                      strcmp(r->method, "GET") ? "" : ", HEAD");
    }
    return NULL;
}

typedef struct {
    const char *params;
    /* the names so far: a repeat is refused, not silently dropped (every name here is
     * one of params, so a route listing no more than 32 finds every repeat) */
    const char *seen[32];
    size_t n_seen;
    rw_http_resp_t *resp;
} query_check_t;

static int listed(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && !memcmp(p, name, n)) return 1;
        if (!end) break;
        p = end + 1;
    }
    return 0;
}

static enum MHD_Result check_param(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    query_check_t *q = cls;
    char msg[512];
    if (!listed(q->params, key)) {
        if (*q->params)
            snprintf(msg, sizeof msg, "未知查询参数「%s」（可用：%s）", key, q->params);
        else
            snprintf(msg, sizeof msg, "该接口不接受查询参数（收到「%s」）", key);
        rw_http_error(q->resp, 400, "unknown_param", msg);
        return MHD_NO;
    }
    for (size_t i = 0; i < q->n_seen; i++)
        if (!strcmp(q->seen[i], key)) {
            snprintf(msg, sizeof msg, "查询参数「%s」出现了不止一次；多个值用逗号分隔（%s=a,b）",
                     key, key);
            rw_http_error(q->resp, 400, "bad_value", msg);
            return MHD_NO;
        }
    if (q->n_seen < sizeof q->seen / sizeof *q->seen) q->seen[q->n_seen++] = key;
    if (value && !rw_utf8_valid(value, strlen(value))) {
        snprintf(msg, sizeof msg, "查询参数「%s」的值不是 UTF-8 文本", key);
        rw_http_error(q->resp, 400, "bad_value", msg);
        return MHD_NO;
    }
    return MHD_YES;
}

/* 1 with a 400 in resp when the query names a parameter r does not read, or one twice. */
static int query_refused(struct MHD_Connection *c, const route_t *r, rw_http_resp_t *resp)
{
    if (!r->params) return 0;
    query_check_t q = {.params = r->params, .resp = resp};
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, check_param, &q);
    return resp->body != NULL;
}

static enum MHD_Result send_response(struct MHD_Connection *c, rw_http_resp_t *resp,
                                     const char *allow)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(resp->len, resp->body, MHD_RESPMEM_MUST_FREE);
    if (resp->status == 405) /* RFC 9110 */
        MHD_add_response_header(r, "Allow", resp->allow ? resp->allow : allow);
    MHD_add_response_header(r, "Content-Type",
                            resp->content_type ? resp->content_type : "text/plain; charset=utf-8");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)resp->status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    (void)version;
    rw_http_t *h = cls;
    conn_state_t *st = *con_cls;
    if (!st) {
        st = rw_xcalloc(1, sizeof *st);
        *con_cls = st;
        return MHD_YES;
    }
    if (*upload_size) {
        if (st->body.len + *upload_size > h->max_body)
            st->too_large = 1;
        else
            rw_buf_append(&st->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    rw_http_resp_t resp = {0};
    rw_buf_t allow;
    rw_buf_init(&allow);
    const route_t *r = find_route(h, method, url, &allow);
    if (st->too_large)
        rw_http_error(&resp, 413, "body_too_large", "请求体超过大小限制");
    else if (!r && allow.len)
        rw_http_error(&resp, 405, "method_not_allowed", "该路径不支持此方法");
    else if (!r)
        rw_http_error(&resp, 404, "not_found", "没有这个接口");
    else if (!query_refused(c, r, &resp)) {
        rw_http_req_t req = {.method = method,
                             .path = url,
                             .body = st->body.data ? st->body.data : "",
                             .body_len = st->body.len,
                             .conn = c};
        r->fn(r->ud, &req, &resp);
        if (!resp.body) rw_http_error(&resp, 500, "internal", "处理请求时没有产生响应");
    }
    enum MHD_Result ret = send_response(c, &resp, allow.len ? allow.data : "");
    rw_buf_free(&allow);
    return ret;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    conn_state_t *st = *con_cls;
    if (!st) return;
    rw_buf_free(&st->body);
    free(st);
    *con_cls = NULL;
}

int rw_http_tls(rw_http_t *h, const char *cert_file, const char *key_file, char *err, size_t errlen)
{
    if (!cert_file || !key_file || !*cert_file || !*key_file) {
        snprintf(err, errlen, "HTTPS 需要同时配置证书（http.tls_cert）和私钥（http.tls_key）");
        return -1;
    }
    free(h->cert);
    free(h->key);
    h->cert = rw_read_file(cert_file, NULL);
    h->key = rw_read_file(key_file, NULL);
    if (!h->cert || !h->key) {
        snprintf(err, errlen, "无法读取 %s", h->cert ? key_file : cert_file);
        return -1;
    }
    return 0;
}

int rw_http_start(rw_http_t *h, const char *listen, size_t max_body, char *err, size_t errlen)
{
    char host[128];
    const char *colon = strrchr(listen, ':');
    if (!colon || (size_t)(colon - listen) >= sizeof host) {
        snprintf(err, errlen, "HTTP 监听地址应为 host:port，如 127.0.0.1:8080");
        return -1;
    }
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = 0;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(colon + 1))};
    if (inet_pton(AF_INET, strcmp(host, "localhost") == 0 ? "127.0.0.1" : host, &sa.sin_addr) !=
        1) {
        snprintf(err, errlen, "HTTP 监听地址 %s 无效（需要 IPv4 地址）", host);
        return -1;
    }
    h->max_body = max_body;
    struct MHD_OptionItem tls[] = {{MHD_OPTION_HTTPS_MEM_CERT, 0, h->cert},
                                   {MHD_OPTION_HTTPS_MEM_KEY, 0, h->key},
                                   {MHD_OPTION_END, 0, NULL}};
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     (h->cert ? MHD_USE_TLS : 0);
    h->d = MHD_start_daemon(flags, 0, NULL, NULL, handle, h, MHD_OPTION_SOCK_ADDR,
                            (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED, completed, h,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_ARRAY,
                            h->cert ? tls : tls + 2, MHD_OPTION_END);
    if (!h->d) {
        snprintf(err, errlen, "无法在 %s 上启动 %s 服务（端口被占用，或证书与私钥无效？）", listen,
                 h->cert ? "HTTPS" : "HTTP");
        return -1;
    }
    rw_info("http", "%s 服务：%s://%s/（/api/ /healthz /readyz /metrics）",
            h->cert ? "HTTPS" : "HTTP", h->cert ? "https" : "http", listen);
    return 0;
}

void rw_http_stop(rw_http_t *h)
{
    if (!h) return;
    if (h->d) MHD_stop_daemon(h->d);
    for (size_t i = 0; i < h->n_routes; i++) {
        free(h->routes[i].method);
        free(h->routes[i].prefix);
        free(h->routes[i].params);
    }
    free(h->routes);
    free(h->cert);
    free(h->key);
    free(h);
}
