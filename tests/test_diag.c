/* test_diag.c — diagnostics print as `file:line:col: error|warning: text`, each file's in
 * the order of its lines and columns whatever order the checks found them in, files in
 * the order they first appear; errors only when asked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "diag.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *printed(const rw_diags_t *d, int warnings)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    rw_diags_print_if(d, f, warnings);
    fclose(f);
    return text;
}

static void diagnostics_print_in_file_order(void **state)
{
    (void)state;
    rw_diags_t d;
    rw_diags_init(&d);
    /* as a second pass would add them: later lines first, another file in between */
    rw_diag_error(&d, "b.yaml", 9, 38, "第三");
    rw_diag_warn(&d, "a.yaml", 2, 1, "甲");
    rw_diag_error(&d, "b.yaml", 8, 22, "第二");
    rw_diag_error(&d, "b.yaml", 8, 5, "第一");
    rw_diag_error(&d, "b.yaml", 8, 5, "第一之后");
    char *all = printed(&d, 1);
    assert_string_equal(all, "b.yaml:8:5: error: 第一\n"
                             "b.yaml:8:5: error: 第一之后\n"
                             "b.yaml:8:22: error: 第二\n"
                             "b.yaml:9:38: error: 第三\n"
                             "a.yaml:2:1: warning: 甲\n");
    char *errors = printed(&d, 0);
    assert_null(strstr(errors, "warning"));
    assert_int_equal(d.errors, 4);
    assert_int_equal(d.warnings, 1);
    /* the first error is the first found, the one the others may follow from */
    assert_string_equal(rw_diags_first_error(&d), "b.yaml:9:38: error: 第三");
    free(all);
    free(errors);
    rw_diags_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(diagnostics_print_in_file_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
