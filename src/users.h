/* users.h — who may call the API: users with a role and a scope, identified by
 * bearer tokens of which only the SHA-256 is kept (STATE/users.json, written
 * atomically, re-read by a running service when it changes). */
#ifndef RW_USERS_H
#define RW_USERS_H

#include <jansson.h>
#include <stddef.h>

typedef enum {
    RW_ROLE_REGULATOR,
    RW_ROLE_SUPERVISOR,
    RW_ROLE_AUTHOR,
    RW_ROLE_AUDITOR,
    RW_ROLE_ADMIN,
    RW_ROLE__COUNT
} rw_role_t;

/* Region-code prefixes and department names; an empty list does not restrict. */
typedef struct {
    char **regions, **departments;
    size_t n_regions, n_departments;
} rw_scope_t;

/* A user, owned by whoever filled it (rw_user_free). */
typedef struct {
    char *name;
    rw_role_t role;
    rw_scope_t scope;
} rw_user_t;

/* -1 when not a role name. */
int rw_role_parse(const char *s);
const char *rw_role_name(rw_role_t r);
const char *rw_role_label(rw_role_t r); /* 监管人员 … */

/* "3201,320102,食品经营监管处": all-digit items are region prefixes, the others
 * departments; "" or "*" is everything. Returns 0, or -1 with err. */
int rw_scope_parse(const char *text, rw_scope_t *out, char *err, size_t errlen);
void rw_scope_free(rw_scope_t *s);
/* 1 when a lead or entity with this region and department (either may be NULL) is in scope. */
int rw_scope_contains(const rw_scope_t *s, const char *region, const char *department);
json_t *rw_scope_json(const rw_scope_t *s);
void rw_user_free(rw_user_t *u);
json_t *rw_user_json(const rw_user_t *u);

typedef struct rw_users rw_users_t;

/* The users of STATE/users.json (a missing file is no users). */
rw_users_t *rw_users_open(const char *state_dir);
void rw_users_free(rw_users_t *u);
/* Fills out with a copy of the enabled user holding token; re-reads the file when
 * it changed. Returns 0, or -1 (unknown or disabled). Thread-safe. */
int rw_users_authenticate(rw_users_t *u, const char *token, rw_user_t *out);
/* Fills out with a copy of the enabled user called name (for the CLI's --as). */
int rw_users_find(rw_users_t *u, const char *name, rw_user_t *out);

/* Adds a user and writes token (an "rw_" + 40 hex secret, 43 characters + NUL) that is
 * shown once. Returns 0, or -1 with err (name taken, bad role or scope, I/O). */
int rw_users_add(rw_users_t *u, const char *name, const char *role, const char *scope,
                 char token[48], char *err, size_t errlen);
/* Disables a user: their token stops working. Returns 0, or -1 with err. */
int rw_users_disable(rw_users_t *u, const char *name, char *err, size_t errlen);
/* [{"name","role","scope","created_at","disabled"}], tokens never included. New reference. */
json_t *rw_users_list(rw_users_t *u);

#endif
