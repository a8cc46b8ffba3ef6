/* Tests for config.c: where the web console's files are looked for. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "config.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(console_files_default_to_web_beside_the_rules),
        cmocka_unit_test(regwatch_web_overrides_the_default),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
