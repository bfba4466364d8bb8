/*
 * check_main.c — one runner for every Check suite of galley's unit tests.
 * Each tests/unit/test_<module>.c defines `Suite *suite_<module>(void)`.
 * CK_RUN_SUITE / CK_RUN_CASE select a subset, as Check documents.
 * Run from the tests/ directory (test data paths are relative to it).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

/* Every suite listed runs: one listed but not written is an undefined
 * reference when unit-tests is linked, not a suite silently skipped. */
#define SUITES(X) X(base) X(items) X(doc) X(reader) X(reader_md) X(font) X(layout) X(pdf) X(epub) X(api) X(api_mem) X(break) X(hyph) X(linebreak) X(manifest) X(dump) X(shape)
#define DECL(name) Suite *suite_##name(void);
SUITES(DECL)

int main(void)
{
    SRunner *sr = srunner_create(NULL);
#define ADD(name) srunner_add_suite(sr, suite_##name());
    SUITES(ADD)
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
