/* support.h — helpers shared by the cmocka module tests (tests/test_*.c), which are
 * built one executable each: so these are static inline, not a library. Include it
 * after <cmocka.h>. */
#ifndef RW_TEST_SUPPORT_H
#define RW_TEST_SUPPORT_H

#include "util.h"

#include <stdio.h>

/* Writes text to dir/name (a test's temporary rules folder, say); fails the test when
 * the file cannot be created. */
static inline void write_file(const char *dir, const char *name, const char *text)
{
    rw_buf_t path;
    rw_buf_init(&path);
    rw_buf_printf(&path, "%s/%s", dir, name);
    FILE *f = fopen(path.data, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    rw_buf_free(&path);
}

#endif
