/*
 * test_linebreak.c — galley_line_breaks(), the public face of the UAX #14
 * breaker: code-point offsets (not bytes), the end included, mandatory
 * breaks, malformed UTF-8, the count beyond max, argument errors.  The
 * full conformance run is tests/e2e/40-linebreak.sh.
 */
#include "base.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

static galley_ctx *ctx;

static void setup(void)
{
    ctx = galley_ctx_new();
    ck_assert_ptr_nonnull(ctx);
}

static void teardown(void) { galley_ctx_free(ctx); }

/* The offsets as "2 3". */
static const char *breaks(const char *s, size_t len)
{
    static char out[256];
    size_t offs[64], n = 99;
    ck_assert_int_eq(galley_line_breaks(ctx, s, len, offs, 64, &n), GALLEY_OK);
    ck_assert_uint_le(n, 64);
    size_t o = 0;
    out[0] = 0;
    for (size_t i = 0; i < n; i++)
        o += (size_t)snprintf(out + o, sizeof out - o, i ? " %zu" : "%zu", offs[i]);
    return out;
}

#define BREAKS(lit) breaks(lit, sizeof lit - 1)

START_TEST(offsets_in_code_points)
{
    ck_assert_str_eq(BREAKS("a b"), "2 3");
    ck_assert_str_eq(BREAKS("中文"), "1 2");                  // 3 bytes each, 1 code point
    ck_assert_str_eq(BREAKS("hello, world"), "7 12");
    ck_assert_str_eq(BREAKS("中文，英文。"), "1 3 4 6");       // no break before ， or 。
    ck_assert_str_eq(BREAKS("（中文）"), "2 4");               // nor after （
    ck_assert_str_eq(BREAKS("a\nb"), "2 3");                 // LF: mandatory, after it
    ck_assert_str_eq(BREAKS("a\r\nb"), "3 4");               // CR LF together
    ck_assert_str_eq(BREAKS("x\xe2\x80\xa8y"), "2 3");       // U+2028
    ck_assert_str_eq(BREAKS("😀 a"), "2 3");                 // astral: one code point
    ck_assert_str_eq(BREAKS(""), "");
    // NUL is data (the length rules, not a terminator).
    ck_assert_str_eq(breaks("a\0 b", 4), "3 4");
}
END_TEST

START_TEST(malformed_utf8)
{
    // Each maximal invalid subsequence is one U+FFFD (class AI, as a letter).
    ck_assert_str_eq(BREAKS("\xff\xfe q"), "3 4");
    ck_assert_str_eq(BREAKS("a \xe4\xb8"), "2 3");  // a truncated 中: one U+FFFD
}
END_TEST

START_TEST(count_and_arguments)
{
    size_t offs[2], n = 0;
    // More opportunities than room: *count says how many, two are written.
    ck_assert_int_eq(galley_line_breaks(ctx, "a b c d", 7, offs, 2, &n), GALLEY_OK);
    ck_assert_uint_eq(n, 4);
    ck_assert_uint_eq(offs[0], 2);
    ck_assert_uint_eq(offs[1], 4);
    ck_assert_int_eq(galley_line_breaks(ctx, "a b c d", 7, NULL, 0, &n), GALLEY_OK);
    ck_assert_uint_eq(n, 4);
    ck_assert_int_eq(galley_line_breaks(ctx, "a b", 3, offs, 2, NULL), GALLEY_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(galley_errmsg(ctx), "galley_line_breaks"));
    ck_assert_int_eq(galley_line_breaks(ctx, NULL, 3, offs, 2, &n), GALLEY_ERR_ARG);
    ck_assert_int_eq(galley_line_breaks(ctx, "a b", 3, NULL, 2, &n), GALLEY_ERR_ARG);
    ck_assert_int_eq(galley_line_breaks(NULL, "a b", 3, offs, 2, &n), GALLEY_ERR_ARG);
    ck_assert_int_eq(galley_line_breaks(ctx, NULL, 0, NULL, 0, &n), GALLEY_OK);
    ck_assert_uint_eq(n, 0);
    // A success clears the previous failure.
    ck_assert_str_eq(galley_errmsg(ctx), "");
}
END_TEST

START_TEST(out_of_memory)
{
    // Fail the k-th allocation of the call: NOMEM, never a crash; then fine.
    size_t offs[8], n;
    int nomem = 0;
    for (unsigned long k = 1; k < 6; k++) {
        gl_ctx *c = galley_ctx_new();
        ck_assert_ptr_nonnull(c);
        c->fail_alloc_at = c->alloc_count + k;
        galley_status st = galley_line_breaks(c, "a b c", 5, offs, 8, &n);
        ck_assert(st == GALLEY_OK || st == GALLEY_ERR_NOMEM);
        nomem += st == GALLEY_ERR_NOMEM;
        galley_ctx_free(c);
    }
    ck_assert_int_ge(nomem, 2);  // the UTF-8 copy and the break array
}
END_TEST

Suite *suite_linebreak(void)
{
    Suite *s = suite_create("linebreak");
    TCase *tc = tcase_create("linebreak");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, offsets_in_code_points);
    tcase_add_test(tc, malformed_utf8);
    tcase_add_test(tc, count_and_arguments);
    tcase_add_test(tc, out_of_memory);
    suite_add_tcase(s, tc);
    return s;
}
