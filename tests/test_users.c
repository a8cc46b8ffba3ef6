/* Tests for users.c: scopes as `users add --scope` reads them and as they restrict
 * leads (docs/api.md), and the users file: tokens shown once and kept only as
 * SHA-256, authentication, disabling, and a second reader seeing changes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "users.h"
#include "util.h"

/* ---- scopes ----------------------------------------------------------------------------- */

static void assert_list(char **items, size_t n, const char *const *want)
{
    size_t i = 0;
    for (; want[i]; i++) {
        assert_true(i < n);
        assert_string_equal(items[i], want[i]);
    }
    assert_int_equal(n, i);
}

static void scope_items_are_region_prefixes_when_all_digits_else_departments(void **st)
{
    (void)st;
    rw_scope_t s;
    char err[256];
    assert_int_equal(rw_scope_parse("3201,食品经营监管处", &s, err, sizeof err), 0);
    assert_list(s.regions, s.n_regions, (const char *const[]){"3201", NULL});
    assert_list(s.departments, s.n_departments, (const char *const[]){"食品经营监管处", NULL});
    rw_scope_free(&s);

    /* spaces around items are not part of them; "3201a" is a name, not a code */
    assert_int_equal(rw_scope_parse(" 3201 , 320102,药品监管处 ,3201a", &s, err, sizeof err), 0);
    assert_list(s.regions, s.n_regions, (const char *const[]){"3201", "320102", NULL});
    assert_list(s.departments, s.n_departments, (const char *const[]){"药品监管处", "3201a", NULL});
    rw_scope_free(&s);
}

static void star_or_nothing_is_everything(void **st)
{
    (void)st;
    char err[256];
    for (const char *const *t = (const char *const[]){"*", "", NULL}; *t; t++) {
        rw_scope_t s;
        assert_int_equal(rw_scope_parse(*t, &s, err, sizeof err), 0);
        assert_int_equal(s.n_regions + s.n_departments, 0);
        assert_true(rw_scope_contains(&s, "110101", "任何部门"));
        assert_true(rw_scope_contains(&s, NULL, NULL));
        rw_scope_free(&s);
    }
}

static void empty_items_are_refused(void **st)
{
    (void)st;
    static const char *const bad[] = {",3201", "3201,,食品经营监管处", " , ", "3201,", "3201, ",
                                      ","};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        rw_scope_t s;
        char err[256] = "";
        if (rw_scope_parse(bad[i], &s, err, sizeof err) == 0) {
            rw_scope_free(&s);
            fail_msg("scope \"%s\" accepted", bad[i]);
        }
        assert_true(err[0] != 0);
        assert_int_equal(s.n_regions + s.n_departments, 0);
    }
}

static int contains(const char *scope, const char *region, const char *department)
{
    rw_scope_t s;
    char err[256];
    assert_int_equal(rw_scope_parse(scope, &s, err, sizeof err), 0);
    int in = rw_scope_contains(&s, region, department);
    rw_scope_free(&s);
    return in;
}

static void a_lead_is_in_scope_by_region_prefix_and_department(void **st)
{
    (void)st;
    /* regions only: any prefix matches */
    assert_true(contains("3201", "320102", "药品监管处"));
    assert_true(contains("3202,3201", "320102", NULL));
    assert_true(contains("320102", "320102", NULL));
    assert_false(contains("3201", "320201", NULL));
    assert_false(contains("320102", "3201", NULL)); /* a shorter code is not inside */
    assert_false(contains("3201", NULL, "食品经营监管处"));
    /* departments only: exact names */
    assert_true(contains("食品经营监管处", "110101", "食品经营监管处"));
    assert_false(contains("食品经营监管处", "110101", "食品"));
    assert_false(contains("食品经营监管处", "110101", NULL));
    /* both: both must hold */
    assert_true(contains("3201,食品经营监管处", "320102", "食品经营监管处"));
    assert_false(contains("3201,食品经营监管处", "320201", "食品经营监管处"));
    assert_false(contains("3201,食品经营监管处", "320102", "药品监管处"));
    assert_true(contains("3201,食品经营监管处,药品监管处", "320102", "药品监管处"));
}

/* ---- the users file --------------------------------------------------------------------- */

typedef struct {
    char *dir;
    rw_users_t *users;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = rw_xcalloc(1, sizeof *f);
    char tmpl[] = "/tmp/rw-users-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    f->dir = rw_xstrdup(tmpl);
    f->users = rw_users_open(f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    rw_users_free(f->users);
    rw_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static void add(rw_users_t *u, const char *name, const char *role, const char *scope,
                char token[48])
{
    char err[256];
    if (rw_users_add(u, name, role, scope, token, err, sizeof err))
        fail_msg("add %s: %s", name, err);
}

static char *users_file(const fixture_t *f)
{
    rw_buf_t p;
    rw_buf_init(&p);
    rw_buf_printf(&p, "%s/users.json", f->dir);
    char *text = rw_read_file(p.data, NULL);
    rw_buf_free(&p);
    assert_non_null(text);
    return text;
}

static void assert_refused(rw_users_t *u, const char *token)
{
    rw_user_t out = {0};
    assert_int_equal(rw_users_authenticate(u, token, &out), -1);
    assert_null(out.name);
}

static void an_added_user_gets_a_token_that_is_stored_only_hashed(void **state)
{
    fixture_t *f = *state;
    char token[48];
    add(f->users, "wang", "regulator", "3201,食品经营监管处", token);
    assert_int_equal(strlen(token), 43);
    assert_memory_equal(token, "rw_", 3);
    for (const char *p = token + 3; *p; p++)
        assert_non_null(strchr("0123456789abcdef", *p));

    char *text = users_file(f);
    char hash[65];
    rw_sha256_hex(token, strlen(token), hash);
    assert_null(strstr(text, token));
    assert_null(strstr(text, token + 3)); /* not the secret part alone either */
    assert_non_null(strstr(text, hash));
    free(text);

    /* only the owner can read the file */
    rw_buf_t p;
    rw_buf_init(&p);
    rw_buf_printf(&p, "%s/users.json", f->dir);
    struct stat sb;
    assert_int_equal(stat(p.data, &sb), 0);
    assert_int_equal(sb.st_mode & 077, 0);
    rw_buf_free(&p);

    /* and listing users never shows it */
    json_t *list = rw_users_list(f->users);
    assert_int_equal(json_array_size(list), 1);
    char *listed = json_dumps(list, 0);
    assert_null(strstr(listed, hash));
    free(listed);
    json_decref(list);
}

static void the_token_authenticates_its_user_with_role_and_scope(void **state)
{
    fixture_t *f = *state;
    char wang[48], li[48];
    add(f->users, "wang", "regulator", "3201,食品经营监管处", wang);
    add(f->users, "li", "supervisor", "*", li);
    assert_string_not_equal(wang, li);

    rw_user_t u;
    assert_int_equal(rw_users_authenticate(f->users, wang, &u), 0);
    assert_string_equal(u.name, "wang");
    assert_int_equal(u.role, RW_ROLE_REGULATOR);
    assert_true(rw_scope_contains(&u.scope, "320102", "食品经营监管处"));
    assert_false(rw_scope_contains(&u.scope, "320102", "药品监管处"));
    rw_user_free(&u);
    assert_int_equal(rw_users_authenticate(f->users, li, &u), 0);
    assert_string_equal(u.name, "li");
    assert_int_equal(u.role, RW_ROLE_SUPERVISOR);
    assert_true(rw_scope_contains(&u.scope, "110101", "药品监管处"));
    rw_user_free(&u);
}

static void wrong_empty_and_missing_tokens_are_refused(void **state)
{
    fixture_t *f = *state;
    char token[48];
    add(f->users, "wang", "regulator", "*", token);
    char wrong[48];
    memcpy(wrong, token, sizeof wrong);
    wrong[42] = wrong[42] == '0' ? '1' : '0';
    assert_refused(f->users, wrong);
    token[42] = 0; /* a prefix of the token is not the token */
    assert_refused(f->users, token);
    assert_refused(f->users, "");
    assert_refused(f->users, NULL);
}

static void a_disabled_user_can_no_longer_authenticate(void **state)
{
    fixture_t *f = *state;
    char token[48], err[256];
    add(f->users, "wang", "regulator", "*", token);
    assert_int_equal(rw_users_disable(f->users, "wang", err, sizeof err), 0);
    assert_refused(f->users, token);
    rw_user_t u;
    assert_int_equal(rw_users_find(f->users, "wang", &u), -1);
    assert_int_equal(rw_users_disable(f->users, "nobody", err, sizeof err), -1);
    assert_true(err[0] != 0);
}

static void
duplicate_names_bad_roles_and_bad_scopes_are_refused_and_nothing_is_written(void **state)
{
    fixture_t *f = *state;
    char token[48], again[48], err[256];
    add(f->users, "wang", "regulator", "*", token);
    static const struct {
        const char *name, *role, *scope;
    } bad[] = {
        {"wang", "supervisor", "*"},  {"zhao", "boss", "*"},   {"zhao", NULL, "*"},
        {"zhao", "author", "3201,,"}, {"zhao", "author", ","}, {"", "author", "*"},
        {"zhao li", "author", "*"},   {"a/b", "author", "*"},  {"system", "author", "*"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err[0] = 0;
        if (rw_users_add(f->users, bad[i].name, bad[i].role, bad[i].scope, again, err,
                         sizeof err) == 0)
            fail_msg("added %s/%s/%s", bad[i].name, bad[i].role ? bad[i].role : "(null)",
                     bad[i].scope);
        assert_true(err[0] != 0);
    }
    json_t *list = rw_users_list(f->users);
    assert_int_equal(json_array_size(list), 1);
    json_decref(list);
    /* the first wang's token still works */
    rw_user_t u;
    assert_int_equal(rw_users_authenticate(f->users, token, &u), 0);
    assert_int_equal(u.role, RW_ROLE_REGULATOR);
    rw_user_free(&u);
}

static void a_second_reader_sees_users_added_and_disabled_by_the_first(void **state)
{
    fixture_t *f = *state;
    /* opened before the file exists, as a service started before `users add` */
    rw_users_t *service = rw_users_open(f->dir);
    char token[48], err[256];
    add(f->users, "wang", "regulator", "3201", token);
    rw_user_t u;
    assert_int_equal(rw_users_authenticate(service, token, &u), 0);
    assert_string_equal(u.name, "wang");
    rw_user_free(&u);

    assert_int_equal(rw_users_disable(f->users, "wang", err, sizeof err), 0);
    assert_refused(service, token);

    /* and the other way round */
    char second[48];
    add(service, "li", "auditor", "*", second);
    assert_int_equal(rw_users_authenticate(f->users, second, &u), 0);
    assert_int_equal(u.role, RW_ROLE_AUDITOR);
    rw_user_free(&u);
    rw_users_free(service);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scope_items_are_region_prefixes_when_all_digits_else_departments),
        cmocka_unit_test(star_or_nothing_is_everything),
        cmocka_unit_test(empty_items_are_refused),
        cmocka_unit_test(a_lead_is_in_scope_by_region_prefix_and_department),
        T(an_added_user_gets_a_token_that_is_stored_only_hashed),
        T(the_token_authenticates_its_user_with_role_and_scope),
        T(wrong_empty_and_missing_tokens_are_refused),
        T(a_disabled_user_can_no_longer_authenticate),
        T(duplicate_names_bad_roles_and_bad_scopes_are_refused_and_nothing_is_written),
        T(a_second_reader_sees_users_added_and_disabled_by_the_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
