/* users.c — the users file: {"users": [{"name", "role", "scope", "token_sha256",
 * "created_at", "disabled"}]}, rewritten whole through a temporary file and a
 * rename under an flock, so the CLI may add users while a service reads them. */
#include "users.h"

#include "rwtime.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const role_names[RW_ROLE__COUNT] = {"regulator", "supervisor", "author",
                                                       "auditor", "admin"};
static const char *const role_labels[RW_ROLE__COUNT] = {"监管人员", "督办/审核", "规则制定者",
                                                        "审计人员", "管理员"};

int rw_role_parse(const char *s)
{
    for (int i = 0; s && i < RW_ROLE__COUNT; i++)
        if (!strcmp(s, role_names[i])) return i;
    return -1;
}

const char *rw_role_name(rw_role_t r)
{
    return role_names[r];
}

const char *rw_role_label(rw_role_t r)
{
    return role_labels[r];
}

static void push(char ***arr, size_t *n, const char *s, size_t len)
{
    *arr = rw_xrealloc(*arr, (*n + 1) * sizeof **arr);
    (*arr)[(*n)++] = rw_xstrndup(s, len);
}

int rw_scope_parse(const char *text, rw_scope_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!text || !*text || !strcmp(text, "*")) return 0;
    /* every comma starts an item, so "3201," has an empty last item like ",3201" a first */
    for (const char *p = text;;) {
        const char *end = strchr(p, ',');
        if (!end) end = p + strlen(p);
        while (p < end && isspace((unsigned char)*p))
            p++;
        const char *e = end;
        while (e > p && isspace((unsigned char)e[-1]))
            e--;
        if (e == p) {
            snprintf(err, errlen, "范围「%s」中有空项（以逗号分隔地区代码前缀和部门名称）", text);
            rw_scope_free(out);
            return -1;
        }
        int digits = 1;
        for (const char *q = p; q < e; q++)
            digits &= isdigit((unsigned char)*q) != 0;
        if (!rw_utf8_valid(p, (size_t)(e - p))) {
            snprintf(err, errlen, "范围不是有效的 UTF-8");
            rw_scope_free(out);
            return -1;
        }
        if (digits)
            push(&out->regions, &out->n_regions, p, (size_t)(e - p));
        else
            push(&out->departments, &out->n_departments, p, (size_t)(e - p));
        if (!*end) return 0;
        p = end + 1;
    }
}

void rw_scope_free(rw_scope_t *s)
{
    for (size_t i = 0; i < s->n_regions; i++)
        free(s->regions[i]);
    for (size_t i = 0; i < s->n_departments; i++)
        free(s->departments[i]);
    free(s->regions);
    free(s->departments);
    memset(s, 0, sizeof *s);
}

int rw_scope_contains(const rw_scope_t *s, const char *region, const char *department)
{
    int ok = s->n_regions == 0;
    for (size_t i = 0; !ok && region && i < s->n_regions; i++)
        ok = strncmp(region, s->regions[i], strlen(s->regions[i])) == 0;
    if (!ok) return 0;
    ok = s->n_departments == 0;
    for (size_t i = 0; !ok && department && i < s->n_departments; i++)
        ok = strcmp(department, s->departments[i]) == 0;
    return ok;
}

static json_t *strings_json(char **arr, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(arr[i]));
    return a;
}

json_t *rw_scope_json(const rw_scope_t *s)
{
    return json_pack("{s:o,s:o}", "regions", strings_json(s->regions, s->n_regions), "departments",
                     strings_json(s->departments, s->n_departments));
}

void rw_user_free(rw_user_t *u)
{
    free(u->name);
    rw_scope_free(&u->scope);
    memset(u, 0, sizeof *u);
}

json_t *rw_user_json(const rw_user_t *u)
{
    return json_pack("{s:s,s:s,s:s,s:o}", "name", u->name, "role", rw_role_name(u->role),
                     "role_label", rw_role_label(u->role), "scope", rw_scope_json(&u->scope));
}

/* ---- the file ---------------------------------------------------------------------- */

struct rw_users {
    char *dir, *path, *lock_path;
    pthread_mutex_t lock;
    json_t *users; /* the array */
    struct stat seen;
};

static void load(rw_users_t *u)
{
    struct stat st;
    if (stat(u->path, &st)) {
        if (json_array_size(u->users)) json_array_clear(u->users);
        memset(&u->seen, 0, sizeof u->seen);
        return;
    }
    if (st.st_ino == u->seen.st_ino && st.st_size == u->seen.st_size &&
        st.st_mtim.tv_sec == u->seen.st_mtim.tv_sec &&
        st.st_mtim.tv_nsec == u->seen.st_mtim.tv_nsec)
        return;
    json_t *doc = json_load_file(u->path, 0, NULL);
    json_t *arr = json_object_get(doc, "users");
    if (json_is_array(arr)) {
        json_decref(u->users);
        u->users = json_incref(arr);
        u->seen = st;
    }
    json_decref(doc);
}

rw_users_t *rw_users_open(const char *state_dir)
{
    rw_users_t *u = rw_xcalloc(1, sizeof *u);
    u->dir = rw_xstrdup(state_dir);
    rw_buf_t b;
    rw_buf_init(&b);
    rw_buf_printf(&b, "%s/users.json", state_dir);
    u->path = rw_buf_steal(&b);
    rw_buf_printf(&b, "%s/users.lock", state_dir);
    u->lock_path = rw_buf_steal(&b);
    pthread_mutex_init(&u->lock, NULL);
    u->users = json_array();
    load(u);
    return u;
}

void rw_users_free(rw_users_t *u)
{
    if (!u) return;
    json_decref(u->users);
    pthread_mutex_destroy(&u->lock);
    free(u->dir);
    free(u->path);
    free(u->lock_path);
    free(u);
}

static int fill(const json_t *j, rw_user_t *out)
{
    const char *name = json_string_value(json_object_get(j, "name"));
    int role = rw_role_parse(json_string_value(json_object_get(j, "role")));
    if (!name || role < 0) return -1;
    memset(out, 0, sizeof *out);
    out->name = rw_xstrdup(name);
    out->role = (rw_role_t)role;
    const json_t *scope = json_object_get(j, "scope");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(scope, "regions"), i, v) push(
        &out->scope.regions, &out->scope.n_regions, json_string_value(v), json_string_length(v));
    json_array_foreach(json_object_get(scope, "departments"), i, v)
        push(&out->scope.departments, &out->scope.n_departments, json_string_value(v),
             json_string_length(v));
    return 0;
}

static json_t *find_by(rw_users_t *u, const char *field, const char *value)
{
    size_t i;
    json_t *j;
    json_array_foreach(u->users, i, j)
    {
        const char *v = json_string_value(json_object_get(j, field));
        /* constant-time for the token hash: same length strings of hex */
        if (v && strlen(v) == strlen(value) && CRYPTO_memcmp(v, value, strlen(v)) == 0) return j;
    }
    return NULL;
}

static int find_enabled(rw_users_t *u, const char *field, const char *value, rw_user_t *out)
{
    pthread_mutex_lock(&u->lock);
    load(u);
    const json_t *j = find_by(u, field, value);
    int rc = j && !json_is_true(json_object_get(j, "disabled")) ? fill(j, out) : -1;
    pthread_mutex_unlock(&u->lock);
    return rc;
}

int rw_users_authenticate(rw_users_t *u, const char *token, rw_user_t *out)
{
    char hex[65];
    if (!token || !*token) return -1;
    rw_sha256_hex(token, strlen(token), hex);
    return find_enabled(u, "token_sha256", hex, out);
}

int rw_users_find(rw_users_t *u, const char *name, rw_user_t *out)
{
    return find_enabled(u, "name", name, out);
}

/* Read, change, write back under the file lock (other processes) and the mutex. */
typedef int (*edit_fn)(json_t *users, void *ud, char *err, size_t errlen);

static int edit(rw_users_t *u, edit_fn fn, void *ud, char *err, size_t errlen)
{
    mkdir(u->dir, 0700); /* users may come before the first run creates the state */
    int lfd = open(u->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lfd < 0 || flock(lfd, LOCK_EX)) {
        snprintf(err, errlen, "无法锁定 %s: %s", u->lock_path, strerror(errno));
        if (lfd >= 0) close(lfd);
        return -1;
    }
    pthread_mutex_lock(&u->lock);
    load(u);
    json_t *users = json_deep_copy(u->users);
    int rc = fn(users, ud, err, errlen);
    if (rc == 0) {
        rw_buf_t tmp;
        rw_buf_init(&tmp);
        rw_buf_printf(&tmp, "%s.tmp", u->path);
        json_t *doc = json_pack("{s:O}", "users", users);
        int fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
        size_t len = strlen(text);
        if (fd < 0 || write(fd, text, len) != (ssize_t)len || write(fd, "\n", 1) != 1 ||
            fsync(fd) || rename(tmp.data, u->path)) {
            snprintf(err, errlen, "无法写入 %s: %s", u->path, strerror(errno));
            rc = -1;
        }
        if (fd >= 0) close(fd);
        free(text);
        json_decref(doc);
        rw_buf_free(&tmp);
        if (rc == 0) load(u);
    }
    json_decref(users);
    pthread_mutex_unlock(&u->lock);
    close(lfd);
    return rc;
}

typedef struct {
    const char *name, *role, *scope;
    char *token;
} add_t;

static int do_add(json_t *users, void *ud, char *err, size_t errlen)
{
    add_t *a = ud;
    size_t i;
    json_t *j;
    json_array_foreach(users, i,
                       j) if (!strcmp(json_string_value(json_object_get(j, "name")), a->name))
    {
        snprintf(err, errlen, "用户 %s 已存在", a->name);
        return -1;
    }
    rw_scope_t scope;
    if (rw_scope_parse(a->scope, &scope, err, errlen)) return -1;
    unsigned char secret[20];
    if (RAND_bytes(secret, sizeof secret) != 1) {
        snprintf(err, errlen, "无法生成随机令牌");
        rw_scope_free(&scope);
        return -1;
    }
    strcpy(a->token, "rw_");
    for (size_t k = 0; k < sizeof secret; k++)
        sprintf(a->token + 3 + 2 * k, "%02x", secret[k]);
    char hex[65], now[64];
    rw_sha256_hex(a->token, strlen(a->token), hex);
    rw_time_format_ms(rw_now(), 480, now);
    json_array_append_new(users, json_pack("{s:s,s:s,s:o,s:s,s:s,s:b}", "name", a->name, "role",
                                           a->role, "scope", rw_scope_json(&scope), "token_sha256",
                                           hex, "created_at", now, "disabled", 0));
    rw_scope_free(&scope);
    return 0;
}

int rw_users_add(rw_users_t *u, const char *name, const char *role, const char *scope,
                 char token[48], char *err, size_t errlen)
{
    if (!name || !*name || !rw_utf8_valid(name, strlen(name)) || strlen(name) > 64 ||
        strpbrk(name, " \t\r\n,/")) {
        snprintf(err, errlen, "用户名应为 1–64 字节、不含空白、逗号和斜杠");
        return -1;
    }
    if (!strcmp(name, "system")) { /* the actor of every lead's creation in its timeline */
        snprintf(err, errlen, "用户名 system 留给系统（线索时间线上的创建者）");
        return -1;
    }
    if (rw_role_parse(role) < 0) {
        snprintf(err, errlen, "未知角色「%s」（可用：regulator supervisor author auditor admin）",
                 role ? role : "");
        return -1;
    }
    add_t a = {.name = name, .role = role, .scope = scope, .token = token};
    return edit(u, do_add, &a, err, errlen);
}

static int do_disable(json_t *users, void *ud, char *err, size_t errlen)
{
    size_t i;
    json_t *j;
    json_array_foreach(
        users, i, j) if (!strcmp(json_string_value(json_object_get(j, "name")), (const char *)ud))
    {
        json_object_set_new(j, "disabled", json_true());
        return 0;
    }
    snprintf(err, errlen, "没有用户 %s", (const char *)ud);
    return -1;
}

int rw_users_disable(rw_users_t *u, const char *name, char *err, size_t errlen)
{
    return edit(u, do_disable, (void *)name, err, errlen);
}

json_t *rw_users_list(rw_users_t *u)
{
    pthread_mutex_lock(&u->lock);
    load(u);
    json_t *out = json_array();
    size_t i;
    json_t *j;
    json_array_foreach(u->users, i, j)
    {
        json_t *c = json_copy(j);
        json_object_del(c, "token_sha256");
        json_array_append_new(out, c);
    }
    pthread_mutex_unlock(&u->lock);
    return out;
}
