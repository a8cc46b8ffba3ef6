/* ruletest.h — rule tests for authors (rules/tests/NAME.yaml, docs/rule-tests.md):
 * each case replays its events on fresh in-memory state and compares the leads
 * its rules create with the expected ones. */
#ifndef RW_RULETEST_H
#define RW_RULETEST_H

#include "rules.h"

#include <stdio.h>

typedef struct {
    int passed, failed;
} rw_ruletest_result_t;

/* Runs every case of every file in tests_dir (or only `file` when not NULL),
 * printing PASS/FAIL lines with diffs to out. Returns 0 when the files could be
 * loaded (whatever the cases' outcome), -1 with diagnostics otherwise. */
int rw_ruletest_run(const rw_load_opts_t *opts, const char *tests_dir, FILE *out,
                    rw_ruletest_result_t *res, rw_diags_t *d);

#endif
