/* Tests for static.c: URL paths to files, traversal refused, MIME types, the handler. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "static.h"
#include "util.h"
#include "support.h"

typedef struct {
    char base[64]; /* holds web/ and secret.txt beside it */
    char web[96];
    rw_static_t *st;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = rw_xcalloc(1, sizeof *f);
    strcpy(f->base, "/tmp/rw-static-XXXXXX");
    assert_non_null(mkdtemp(f->base));
    snprintf(f->web, sizeof f->web, "%s/web", f->base);
    assert_int_equal(mkdir(f->web, 0755), 0);
    char sub[160];
    snprintf(sub, sizeof sub, "%s/fonts", f->web);
    assert_int_equal(mkdir(sub, 0755), 0);
    write_file(f->web, "index.html", "<!doctype html><title>控制台</title>");
    write_file(f->web, "app.js", "console.log(1)");
    write_file(f->web, ".hidden", "x");
    write_file(sub, "a.woff2", "wOF2");
    write_file(f->base, "secret.txt", "secret");
    char link[160], target[160];
    snprintf(link, sizeof link, "%s/out.txt", f->web);
    snprintf(target, sizeof target, "%s/secret.txt", f->base);
    assert_int_equal(symlink(target, link), 0);
    char err[256];
    f->st = rw_static_open(f->web, err, sizeof err);
    assert_non_null(f->st);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    rw_static_close(f->st);
    rw_rmtree(f->base);
    free(f);
    return 0;
}

static void root_and_files_map_under_the_directory(void **state)
{
    fixture_t *f = *state;
    char out[PATH_MAX], want[PATH_MAX];
    assert_int_equal(rw_static_resolve(f->st, "/", out, sizeof out), 0);
    snprintf(want, sizeof want, "%s/index.html", rw_static_dir(f->st));
    assert_string_equal(out, want);
    assert_int_equal(rw_static_resolve(f->st, "/fonts/a.woff2", out, sizeof out), 0);
    snprintf(want, sizeof want, "%s/fonts/a.woff2", rw_static_dir(f->st));
    assert_string_equal(out, want);
    assert_int_equal(rw_static_resolve(f->st, "/missing.js", out, sizeof out), -1);
}

static void traversal_and_hidden_files_are_refused(void **state)
{
    fixture_t *f = *state;
    char out[PATH_MAX];
    const char *bad[] = {"/../secret.txt",
                         "/fonts/../../secret.txt",
                         "/./app.js",
                         "/.hidden",
                         "/fonts//a.woff2",
                         "/..",
                         "/fonts\\a.woff2",
                         "app.js",
                         "",
                         "/out.txt"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (rw_static_resolve(f->st, bad[i], out, sizeof out) != -1)
            fail_msg("accepted %s", bad[i]);
    }
}

static void mime_types_by_extension(void **state)
{
    (void)state;
    assert_string_equal(rw_static_mime("/x/index.html"), "text/html; charset=utf-8");
    assert_string_equal(rw_static_mime("app.js"), "text/javascript; charset=utf-8");
    assert_string_equal(rw_static_mime("style.css"), "text/css; charset=utf-8");
    assert_string_equal(rw_static_mime("icon.svg"), "image/svg+xml");
    assert_string_equal(rw_static_mime("f.woff2"), "font/woff2");
    assert_string_equal(rw_static_mime("a.b/noext"), "application/octet-stream");
}

static void handler_answers_files_and_404(void **state)
{
    fixture_t *f = *state;
    rw_http_req_t req = {.method = "GET", .path = "/", .body = ""};
    rw_http_resp_t resp = {0};
    rw_static_handle(f->st, &req, &resp);
    assert_int_equal(resp.status, 200);
    assert_string_equal(resp.content_type, "text/html; charset=utf-8");
    assert_memory_equal(resp.body, "<!doctype html>", 15);
    free(resp.body);
    memset(&resp, 0, sizeof resp);
    req.path = "/fonts/a.woff2";
    rw_static_handle(f->st, &req, &resp);
    assert_int_equal(resp.status, 200);
    assert_int_equal(resp.len, 4);
    assert_string_equal(resp.content_type, "font/woff2");
    free(resp.body);
    memset(&resp, 0, sizeof resp);
    req.path = "/../secret.txt";
    rw_static_handle(f->st, &req, &resp);
    assert_int_equal(resp.status, 404);
    assert_non_null(strstr(resp.body, "not_found"));
    free(resp.body);
    memset(&resp, 0, sizeof resp);
    req.path = "/fonts"; /* a directory without its slash is not a file */
    rw_static_handle(f->st, &req, &resp);
    assert_int_equal(resp.status, 404);
    free(resp.body);
}

static void open_refuses_a_missing_directory(void **state)
{
    (void)state;
    char err[256];
    assert_null(rw_static_open("/nonexistent/regwatch-web", err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent/regwatch-web"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(root_and_files_map_under_the_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(traversal_and_hidden_files_are_refused, setup, teardown),
        cmocka_unit_test(mime_types_by_extension),
        cmocka_unit_test_setup_teardown(handler_answers_files_and_404, setup, teardown),
        cmocka_unit_test(open_refuses_a_missing_directory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
