/* Tests for config.c: where the web console's files are looked for; the engine threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "shards.h"
#include "support.h"

#include <stdio.h>
#include <unistd.h>

static const char *static_dir_for(const char *rules, const char *web, rw_config_t *c)
{
    if (rules)
        setenv("REGWATCH_RULES", rules, 1);
    else
        unsetenv("REGWATCH_RULES");
    if (web)
        setenv("REGWATCH_WEB", web, 1);
    else
        unsetenv("REGWATCH_WEB");
    char err[256];
    assert_int_equal(rw_config_load(c, NULL, err, sizeof err), 0);
    return c->static_dir;
}

static void console_files_default_to_web_beside_the_rules(void **state)
{
    (void)state;
    const struct {
        const char *rules, *want;
    } cases[] = {{NULL, "web"},
                 {"rules/", "web"},
                 {"/opt/regwatch/rules", "/opt/regwatch/web"},
                 {"/opt/regwatch/rules//", "/opt/regwatch/web"},
                 {"/rules", "/web"},
                 {"../x/rules", "../x/web"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        rw_config_t c;
        assert_string_equal(static_dir_for(cases[i].rules, NULL, &c), cases[i].want);
        rw_config_free(&c);
    }
}

static void regwatch_web_overrides_the_default(void **state)
{
    (void)state;
    rw_config_t c;
    assert_string_equal(static_dir_for("/opt/rules", "/srv/console", &c), "/srv/console");
    rw_config_free(&c);
    unsetenv("REGWATCH_WEB");
}

/* Loads a config file holding text; returns rw_config_load's result, err filled. */
static int load_text(const char *text, rw_config_t *c, char *err, size_t errlen)
{
    char dir[] = "/tmp/rw-config-XXXXXX";
    assert_non_null(mkdtemp(dir));
    write_file(dir, "regwatch.json", text);
    char path[64];
    snprintf(path, sizeof path, "%s/regwatch.json", dir);
    int rc = rw_config_load(c, path, err, errlen);
    unlink(path);
    rmdir(dir);
    return rc;
}

static void threads_default_to_one_per_processor_and_are_bounded(void **state)
{
    (void)state;
    rw_config_t c;
    char err[256];
    unsetenv("REGWATCH_THREADS");
    assert_int_equal(load_text("{}", &c, err, sizeof err), 0);
    assert_int_equal(c.threads, 0); /* 0: rw_shards_default() */
    rw_config_free(&c);
    assert_int_equal(load_text("{\"threads\": 3}", &c, err, sizeof err), 0);
    assert_int_equal(c.threads, 3);
    rw_config_free(&c);
    setenv("REGWATCH_THREADS", "2", 1);
    assert_int_equal(load_text("{\"threads\": 3}", &c, err, sizeof err), 0);
    assert_int_equal(c.threads, 2); /* the environment overrides the file */
    rw_config_free(&c);
    char over[16];
    snprintf(over, sizeof over, "%d", RW_SHARDS_MAX + 1);
    const char *const env_refused[] = {"0", "x", "2x", over};
    for (size_t i = 0; i < sizeof env_refused / sizeof *env_refused; i++) {
        setenv("REGWATCH_THREADS", env_refused[i], 1);
        err[0] = 0;
        assert_int_equal(rw_config_load(&c, NULL, err, sizeof err), -1);
        assert_non_null(strstr(err, "REGWATCH_THREADS"));
        rw_config_free(&c);
    }
    unsetenv("REGWATCH_THREADS");
    char bad[64];
    snprintf(bad, sizeof bad, "{\"threads\": %d}", RW_SHARDS_MAX + 1);
    const char *const refused[] = {"{\"threads\": 0}", bad, "{\"threads\": \"2\"}"};
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        err[0] = 0;
        assert_int_equal(load_text(refused[i], &c, err, sizeof err), -1);
        assert_non_null(strstr(err, "threads"));
        rw_config_free(&c); /* a refused file leaves the defaults to free */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(console_files_default_to_web_beside_the_rules),
        cmocka_unit_test(regwatch_web_overrides_the_default),
        cmocka_unit_test(threads_default_to_one_per_processor_and_are_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
