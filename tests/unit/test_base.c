/*
 * test_base.c — unit tests of the bottom of the pipeline (src/base.c):
 * allocation with injected failures and sticky out-of-memory, the error
 * and diagnostic records, arenas, byte buffers, UTF-8 decoding and
 * encoding, character classes, whole-file reads, atomic outputs and
 * temporary files, and dates.  Run from tests/.
 */
#define _POSIX_C_SOURCE 200809L /* setenv, mkfifo */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base.h"

#define OUTDIR "../build/test/base"

static gl_ctx *ctx;

static void setup(void)
{
    ctx = galley_ctx_new();
    ck_assert_ptr_nonnull(ctx);
}

static void teardown(void)
{
    galley_ctx_free(ctx);
    ctx = NULL;
}

static void mkout(void)
{
    mkdir("../build", 0777);
    mkdir("../build/test", 0777);
    mkdir(OUTDIR, 0777);
}

/* ---------------------------------------------------------------- allocation and errors */

START_TEST(test_alloc_failure_is_sticky)
{
    ctx->fail_alloc_at = ctx->alloc_count + 3;  // the third allocation from now fails
    void *a = gl_malloc(ctx, 10), *b = gl_calloc(ctx, 2, 8);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert(!ctx->oom);
    ck_assert_ptr_null(gl_malloc(ctx, 10));
    ck_assert(ctx->oom);
    ck_assert_int_eq(ctx->status, GALLEY_ERR_NOMEM);
    ck_assert_str_eq(galley_errmsg(ctx), "out of memory");
    // Sticky: later allocations fail too, even with the hook turned off,
    // and a later error does not replace the cause.
    ctx->fail_alloc_at = 0;
    ck_assert_ptr_null(gl_strdup(ctx, "x"));
    void *c = gl_realloc(ctx, a, 100);
    ck_assert_ptr_null(c);  // a is still ours, as with realloc()
    ck_assert_int_eq(gl_error(ctx, GALLEY_ERR_IO, "later"), -1);
    ck_assert_str_eq(galley_errmsg(ctx), "out of memory");
    ck_assert_int_eq(gl_api_exit(ctx, 0), GALLEY_ERR_NOMEM);  // even when rc says fine
    // The next API call starts clean.
    gl_clear_error(ctx);
    ck_assert(!ctx->oom);
    ck_assert_int_eq(ctx->status, GALLEY_OK);
    ck_assert_str_eq(galley_errmsg(ctx), "");
    c = gl_realloc(ctx, a, 100);
    ck_assert_ptr_nonnull(c);
    gl_free(c);
    gl_free(b);
    gl_free(NULL);
}
END_TEST

START_TEST(test_zero_sizes_and_dups)
{
    void *p = gl_malloc(ctx, 0), *q = gl_calloc(ctx, 0, 0);
    ck_assert_ptr_nonnull(p);  // never NULL for 0: NULL means out of memory
    ck_assert_ptr_nonnull(q);
    gl_free(p);
    gl_free(q);
    char *s = gl_strndup(ctx, "abcdef", 3);
    ck_assert_str_eq(s, "abc");
    gl_free(s);
    s = gl_strdup(ctx, "");
    ck_assert_str_eq(s, "");
    gl_free(s);
    ck_assert(!ctx->oom);
}
END_TEST

START_TEST(test_grow)
{
    int *v = NULL;
    size_t cap = 0;
    ck_assert_int_eq(GL_GROW(ctx, v, cap, 1), 0);
    ck_assert_uint_eq(cap, 8);  // the first growth gives 8
    ck_assert_int_eq(GL_GROW(ctx, v, cap, 8), 0);
    ck_assert_uint_eq(cap, 8);  // enough already: no call
    ck_assert_int_eq(GL_GROW(ctx, v, cap, 9), 0);
    ck_assert_uint_eq(cap, 16);  // doubles
    ck_assert_int_eq(GL_GROW(ctx, v, cap, 100), 0);
    ck_assert_uint_eq(cap, 128);
    for (int i = 0; i < 100; i++)
        v[i] = i;
    ck_assert_int_eq(v[99], 99);
    // A size that cannot be represented is out of memory, not a wrap.
    void *big = v;
    ck_assert_int_eq(gl_grow(ctx, &big, &cap, SIZE_MAX / 2, 16), -1);
    ck_assert(ctx->oom);
    ck_assert_ptr_eq(big, v);  // unchanged
    ck_assert_uint_eq(cap, 128);
    gl_free(v);
}
END_TEST

START_TEST(test_first_error_wins)
{
    ck_assert_int_eq(gl_error(ctx, GALLEY_ERR_FONT, "%s: no font", "a.ttf"), -1);
    ck_assert_int_eq(gl_error(ctx, GALLEY_ERR_IO, "consequence"), -1);
    ck_assert_int_eq(ctx->status, GALLEY_ERR_FONT);
    ck_assert_str_eq(galley_errmsg(ctx), "a.ttf: no font");
    ck_assert_int_eq(gl_api_exit(ctx, -1), GALLEY_ERR_FONT);
    // A failure with no message recorded is a bug, and says so.
    gl_clear_error(ctx);
    ck_assert_int_eq(gl_api_exit(ctx, -1), GALLEY_ERR_INTERNAL);
    ck_assert_ptr_nonnull(strstr(galley_errmsg(ctx), "internal error"));
    gl_clear_error(ctx);
    ck_assert_int_eq(gl_api_exit(ctx, 0), GALLEY_OK);
    // Without a context there is nowhere to record: still -1.
    ck_assert_int_eq(gl_error(NULL, GALLEY_ERR_IO, "x"), -1);
    ck_assert_int_eq(gl_oom(NULL), -1);
}
END_TEST

START_TEST(test_warnings)
{
    gl_warn(ctx, "in.txt", 3, 7, "bad %s\nsecond line\r", "byte");
    gl_warn(ctx, NULL, 0, 0, "no position");
    ck_assert_uint_eq(galley_diag_count(ctx), 2);
    const galley_diag *d = galley_diag_get(ctx, 0);
    ck_assert_int_eq(d->severity, GALLEY_WARNING);
    ck_assert_str_eq(d->source, "in.txt");
    ck_assert_uint_eq(d->line, 3);
    ck_assert_uint_eq(d->column, 7);
    ck_assert_str_eq(d->message, "bad byte second line ");  // one line
    ck_assert_str_eq(galley_diag_get(ctx, 1)->source, "<memory>");
    ck_assert_ptr_null(galley_diag_get(ctx, 2));
    // After out of memory, warnings are dropped rather than half-recorded.
    gl_oom(ctx);
    gl_warn(ctx, "in.txt", 1, 1, "lost");
    ck_assert_uint_eq(galley_diag_count(ctx), 2);
    galley_diag_clear(ctx);
    ck_assert_uint_eq(galley_diag_count(ctx), 0);
}
END_TEST

/* ---------------------------------------------------------------- arena */

START_TEST(test_arena)
{
    gl_arena a;
    gl_arena_init(&a, ctx);
    unsigned char *p = gl_arena_alloc(&a, 3), *q = gl_arena_alloc(&a, 40);
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_nonnull(q);
    ck_assert_uint_eq((uintptr_t)p % 16, 0);
    ck_assert_uint_eq((uintptr_t)q % 16, 0);
    ck_assert_uint_eq((size_t)(q - p), 16);  // one chunk, sizes rounded to 16
    for (int i = 0; i < 40; i++)
        ck_assert_uint_eq(q[i], 0);
    // A big object gets a chunk of its own; small ones keep filling the
    // current chunk after it.
    unsigned char *big = gl_arena_alloc(&a, 1 << 20);
    ck_assert_ptr_nonnull(big);
    ck_assert_uint_eq(big[(1 << 20) - 1], 0);
    unsigned char *r = gl_arena_alloc(&a, 16);
    ck_assert_uint_eq((size_t)(r - q), 48);
    char *s = gl_arena_strndup(&a, "hello world", 5);
    ck_assert_str_eq(s, "hello");
    ck_assert_str_eq(gl_arena_strdup(&a, "中文"), "中文");
    ck_assert_str_eq(gl_arena_strndup(&a, NULL, 0), "");
    gl_arena_free(&a);
    ck_assert_ptr_null(a.head);
    gl_arena_free(&a);  // twice is harmless
    // Out of memory: NULL, recorded on the context.
    ctx->fail_alloc_at = ctx->alloc_count + 1;
    ck_assert_ptr_null(gl_arena_alloc(&a, 8));
    ck_assert(ctx->oom);
}
END_TEST

/* ---------------------------------------------------------------- buffer */

START_TEST(test_buf)
{
    gl_buf b;
    gl_buf_init(&b, ctx);
    ck_assert_ptr_null(b.data);
    ck_assert_int_eq(gl_buf_put(&b, "", 0), 0);
    ck_assert_str_eq(b.data, "");  // NUL-terminated as soon as it exists
    ck_assert_int_eq(gl_buf_puts(&b, "ab"), 0);
    ck_assert_int_eq(gl_buf_putc(&b, 'c'), 0);
    ck_assert_int_eq(gl_buf_printf(&b, "-%d-%s", 42, "x"), 0);
    ck_assert_str_eq(b.data, "abc-42-x");
    ck_assert_uint_eq(b.len, 8);
    // printf beyond its 256-byte scratch formats straight into the buffer
    char long_s[600];
    memset(long_s, 'z', sizeof long_s - 1);
    long_s[sizeof long_s - 1] = 0;
    ck_assert_int_eq(gl_buf_printf(&b, "[%s]", long_s), 0);
    ck_assert_uint_eq(b.len, 8 + 601);
    ck_assert_uint_eq(strlen(b.data), b.len);
    ck_assert_int_eq(b.data[b.len - 1], ']');
    gl_buf_free(&b);
    ck_assert_ptr_null(b.data);
    ck_assert_uint_eq(b.len + b.cap, 0);
    // Code points: UTF-8, with U+FFFD for what cannot be encoded.
    ck_assert_int_eq(gl_buf_put_cp(&b, 'A'), 0);
    ck_assert_int_eq(gl_buf_put_cp(&b, 0xE9), 0);
    ck_assert_int_eq(gl_buf_put_cp(&b, 0x4E2D), 0);
    ck_assert_int_eq(gl_buf_put_cp(&b, 0x1F600), 0);
    ck_assert_int_eq(gl_buf_put_cp(&b, 0xD800), 0);
    ck_assert_str_eq(b.data, "A\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80\xEF\xBF\xBD");
    gl_buf_free(&b);
    // Out of memory: -1, and the buffer is left as it was.
    ck_assert_int_eq(gl_buf_puts(&b, "keep"), 0);
    ctx->fail_alloc_at = ctx->alloc_count + 1;
    ck_assert_int_eq(gl_buf_put(&b, long_s, sizeof long_s), -1);
    ck_assert_str_eq(b.data, "keep");
    gl_buf_free(&b);
}
END_TEST

/* ---------------------------------------------------------------- UTF-8 */

/* Decodes all of s (n bytes) into cps; returns the count. */
static size_t decode_all(const char *s, size_t n, uint32_t *cps, size_t max)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k < max;)
        cps[k++] = gl_utf8_next(s, n, &i);
    return k;
}

static const struct {
    const char *bytes;
    size_t len;
    uint32_t cps[6];
    size_t n;
} decode_cases[] = {
    {"a", 1, {'a'}, 1},
    {"\xC3\xA9", 2, {0xE9}, 1},
    {"\xE4\xB8\xAD", 3, {0x4E2D}, 1},
    {"\xF0\x9F\x98\x80", 4, {0x1F600}, 1},
    {"\xF4\x8F\xBF\xBF", 4, {0x10FFFF}, 1},
    {"\xE0\xA0\x80", 3, {0x800}, 1},
    {"\xEF\xBF\xBF", 3, {0xFFFF}, 1},
    // Ill-formed (Unicode §3.9, table 3-8: one U+FFFD per maximal subpart)
    {"\xC0\x80", 2, {0xFFFD, 0xFFFD}, 2},              // overlong lead
    {"\xE0\x80\x80", 3, {0xFFFD, 0xFFFD, 0xFFFD}, 3},  // overlong 3-byte
    {"\xED\xA0\x80", 3, {0xFFFD, 0xFFFD, 0xFFFD}, 3},  // surrogate
    {"\xF4\x90\x80\x80", 4, {0xFFFD, 0xFFFD, 0xFFFD, 0xFFFD}, 4},  // > U+10FFFF
    {"\xF5", 1, {0xFFFD}, 1},
    {"\x80x", 2, {0xFFFD, 'x'}, 2},                     // lone trail byte
    {"\xE4\xB8x", 3, {0xFFFD, 'x'}, 2},                 // truncated, then ASCII
    {"\xF0\x9F\x98", 3, {0xFFFD}, 1},                   // truncated at the end
    {"\xE1\x80\xE4\xB8\xAD", 5, {0xFFFD, 0x4E2D}, 2},   // fast path must not overrun
    {"a\xFF" "b", 3, {'a', 0xFFFD, 'b'}, 3},
};

START_TEST(test_utf8_decode)
{
    uint32_t got[8];
    size_t n = decode_all(decode_cases[_i].bytes, decode_cases[_i].len, got, 8);
    ck_assert_uint_eq(n, decode_cases[_i].n);
    for (size_t k = 0; k < n; k++)
        ck_assert_msg(got[k] == decode_cases[_i].cps[k], "case %d, code point %zu: U+%04X", _i,
                      k, (unsigned)got[k]);
}
END_TEST

START_TEST(test_utf8_round_trip)
{
    // Every scalar value encodes to the shortest form and decodes back;
    // walking backwards gives the same code points.
    char s[4 * 0x1100 + 8];
    for (uint32_t base = 0; base <= 0x10FFFF; base += 0x1000) {
        size_t n = 0;
        uint32_t first = base, last = base + 0x0FFF;
        for (uint32_t cp = first; cp <= last; cp++) {
            if (cp >= 0xD800 && cp <= 0xDFFF)
                continue;
            int k = gl_utf8_encode(cp, s + n);
            ck_assert_int_eq(k, cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4);
            n += (size_t)k;
        }
        size_t i = 0;
        for (uint32_t cp = first; cp <= last; cp++) {
            if (cp >= 0xD800 && cp <= 0xDFFF)
                continue;
            uint32_t d = gl_utf8_next(s, n, &i);
            ck_assert_msg(d == cp, "U+%04X decoded as U+%04X", (unsigned)cp, (unsigned)d);
        }
        ck_assert_uint_eq(i, n);
        for (uint32_t cp = last + 1; cp-- > first;) {
            if (cp >= 0xD800 && cp <= 0xDFFF)
                continue;
            ck_assert_uint_eq(gl_utf8_prev(s, &i), cp);
        }
        ck_assert_uint_eq(i, 0);
    }
    // What is not a scalar value encodes as U+FFFD.
    char out[4];
    ck_assert_int_eq(gl_utf8_encode(0xDFFF, out), 3);
    ck_assert_int_eq(memcmp(out, "\xEF\xBF\xBD", 3), 0);
    ck_assert_int_eq(gl_utf8_encode(0x110000, out), 3);
    ck_assert_int_eq(memcmp(out, "\xEF\xBF\xBD", 3), 0);
    ck_assert_uint_eq(gl_utf8_count("a\xC3\xA9\xE4\xB8\xAD\xF0\x9F\x98\x80", 10), 4);
    ck_assert_uint_eq(gl_utf8_count("", 0), 0);
}
END_TEST

START_TEST(test_char_classes)
{
    ck_assert(gl_is_han(0x4E2D) && gl_is_han(0x3400) && gl_is_han(0x20000) && gl_is_han(0x3007));
    ck_assert(!gl_is_han(0x3042) && !gl_is_han('A') && !gl_is_han(0xAC00));
    ck_assert(gl_is_cjk(0x4E2D) && gl_is_cjk(0x3042) && gl_is_cjk(0x30A2) && gl_is_cjk(0xAC00));
    ck_assert(gl_is_cjk(0x3002) && gl_is_cjk(0xFF0C) && gl_is_cjk(0x3000));  // 。，and ideographic space
    ck_assert(!gl_is_cjk('A') && !gl_is_cjk(0xE9) && !gl_is_cjk(0x2014));
    ck_assert(gl_is_space(' ') && gl_is_space('\t') && gl_is_space(0xA0) && gl_is_space(0x3000));
    ck_assert(gl_is_space(0x2009) && gl_is_space(0x202F) && gl_is_space(0x2028));
    ck_assert(!gl_is_space('a') && !gl_is_space(0x200B) && !gl_is_space(0xFEFF));
}
END_TEST

/* ---------------------------------------------------------------- files */

static void write_file(const char *path, const char *s)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(s, f);
    fclose(f);
}

static size_t count_entries(const char *dir, const char *prefix)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "ls -a '%s' | grep -c '^%s' || true", dir, prefix);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    unsigned n = 0;
    ck_assert_int_eq(fscanf(p, "%u", &n), 1);
    pclose(p);
    return n;
}

START_TEST(test_read_file)
{
    mkout();
    char *data = (char *)1;
    size_t len = 9;
    write_file(OUTDIR "/in.txt", "two\nlines\n");
    ck_assert_int_eq(gl_read_file(ctx, OUTDIR "/in.txt", &data, &len), 0);
    ck_assert_uint_eq(len, 10);
    ck_assert_str_eq(data, "two\nlines\n");
    gl_free(data);
    write_file(OUTDIR "/empty.txt", "");
    ck_assert_int_eq(gl_read_file(ctx, OUTDIR "/empty.txt", &data, &len), 0);
    ck_assert_ptr_nonnull(data);  // an empty file is "", not NULL
    ck_assert_uint_eq(len, 0);
    gl_free(data);
    ck_assert_int_eq(gl_read_file(ctx, OUTDIR "/missing.txt", &data, &len), -1);
    ck_assert_ptr_null(data);
    ck_assert_uint_eq(len, 0);
    ck_assert_int_eq(ctx->status, GALLEY_ERR_IO);
    ck_assert_ptr_nonnull(strstr(galley_errmsg(ctx), "missing.txt: cannot open"));
    gl_clear_error(ctx);
    ck_assert_int_eq(gl_read_file(ctx, OUTDIR, &data, &len), -1);
    ck_assert_ptr_nonnull(strstr(galley_errmsg(ctx), "is a directory"));
    // A FIFO without a writer is refused at once, never waited on.
    gl_clear_error(ctx);
    unlink(OUTDIR "/fifo");
    ck_assert_int_eq(mkfifo(OUTDIR "/fifo", 0600), 0);
    ck_assert_int_eq(gl_read_file(ctx, OUTDIR "/fifo", &data, &len), -1);
    ck_assert_ptr_nonnull(strstr(galley_errmsg(ctx), "not a regular file"));
    unlink(OUTDIR "/fifo");
}
END_TEST

START_TEST(test_out_atomic)
{
    mkout();
    const char *path = OUTDIR "/out.bin";
    write_file(path, "old");
    gl_out o;
    // Aborted: the old file stays, no temporary file is left.
    ck_assert_int_eq(gl_out_open(ctx, &o, path), 0);
    ck_assert_ptr_nonnull(o.tmp_path);
    ck_assert_int_eq(gl_out_write(ctx, &o, "partial", 7), 0);
    gl_out_abort(&o);
    char *data;
    size_t len;
    ck_assert_int_eq(gl_read_file(ctx, path, &data, &len), 0);
    ck_assert_str_eq(data, "old");
    gl_free(data);
    ck_assert_uint_eq(count_entries(OUTDIR, "\\.out\\.bin"), 0);
    // Committed: the new bytes replace the old file.
    ck_assert_int_eq(gl_out_open(ctx, &o, path), 0);
    ck_assert_int_eq(gl_out_write(ctx, &o, "new bytes", 9), 0);
    ck_assert_int_eq(gl_out_commit(ctx, &o), 0);
    ck_assert_int_eq(gl_read_file(ctx, path, &data, &len), 0);
    ck_assert_str_eq(data, "new bytes");
    gl_free(data);
    ck_assert_uint_eq(count_entries(OUTDIR, "\\.out\\.bin"), 0);
    // A directory in the way, or a missing directory: I/O errors.
    ck_assert_int_eq(gl_out_open(ctx, &o, OUTDIR), -1);
    ck_assert_int_eq(ctx->status, GALLEY_ERR_IO);
    gl_clear_error(ctx);
    ck_assert_int_eq(gl_out_open(ctx, &o, OUTDIR "/no/such/dir/x"), -1);
    ck_assert_ptr_nonnull(strstr(galley_errmsg(ctx), "cannot create output"));
    gl_clear_error(ctx);
    // A memory target takes the bytes; an earlier attempt's bytes go.
    gl_buf mem;
    gl_buf_init(&mem, ctx);
    ck_assert_int_eq(gl_buf_puts(&mem, "stale"), 0);
    ctx->out_mem = &mem;
    ck_assert_int_eq(gl_out_open(ctx, &o, "<memory>"), 0);
    ck_assert_ptr_null(o.tmp_path);
    ck_assert_int_eq(gl_out_write(ctx, &o, "in memory", 9), 0);
    ck_assert_int_eq(gl_out_commit(ctx, &o), 0);
    ctx->out_mem = NULL;
    ck_assert_uint_eq(mem.len, 9);
    ck_assert_int_eq(memcmp(mem.data, "in memory", 9), 0);
    ck_assert_int_ne(access("<memory>", F_OK), 0);
    gl_buf_free(&mem);
}
END_TEST

START_TEST(test_temp_files)
{
    mkout();
    setenv("TMPDIR", OUTDIR, 1);
    char *a = gl_temp_file(ctx, ".ttf", "font", 4);
    char *b = gl_temp_file(ctx, ".ttf", "", 0);
    unsetenv("TMPDIR");
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_nonnull(strstr(a, OUTDIR "/galley-"));
    ck_assert_str_eq(a + strlen(a) - 4, ".ttf");
    char *data;
    size_t len;
    ck_assert_int_eq(gl_read_file(ctx, a, &data, &len), 0);
    ck_assert_str_eq(data, "font");
    gl_free(data);
    gl_temp_remove(a);
    ck_assert_int_ne(access(a, F_OK), 0);
    // The signal-time clean-up removes what is still listed, and only that.
    ck_assert_int_eq(access(b, F_OK), 0);
    galley_remove_temp_files();
    ck_assert_int_ne(access(b, F_OK), 0);
    gl_temp_forget(b);
    gl_temp_remove(NULL);
    gl_free(a);
    gl_free(b);
    // Where no file can be made: an I/O error naming the directory.
    setenv("TMPDIR", OUTDIR "/no-such-dir", 1);
    ck_assert_ptr_null(gl_temp_file(ctx, ".x", "", 0));
    unsetenv("TMPDIR");
    ck_assert_int_eq(ctx->status, GALLEY_ERR_IO);
    ck_assert_ptr_nonnull(strstr(galley_errmsg(ctx), "no-such-dir"));
}
END_TEST

/* ---------------------------------------------------------------- dates */

static const struct {
    const char *s;
    bool ok;
    long long t;
} dates[] = {
    {"1970-01-01", true, 0},
    {"1969-12-31", true, -86400},
    {"2000-02-29", true, 951782400},   // divisible by 400: leap
    {"2023-08-02", true, 1690934400},
    {"2024-02-29", true, 1709164800},
    {"2023-02-29", false, 0},
    {"1900-02-29", false, 0},          // divisible by 100: not leap
    {"2023-04-31", false, 0},
    {"2023-13-01", false, 0},
    {"2023-00-10", false, 0},
    {"2023-01-00", false, 0},
    {"2023-1-01", false, 0},
    {"2023-01-01T", false, 0},
    {"2023/01/01", false, 0},
    {"2023-01-0x", false, 0},
    {"+023-01-01", false, 0},
    {"", false, 0},
};

START_TEST(test_parse_iso_date)
{
    long long t = 12345;
    bool ok = gl_parse_iso_date(dates[_i].s, &t);
    ck_assert_msg(ok == dates[_i].ok, "%s", dates[_i].s);
    if (ok)
        ck_assert_msg(t == dates[_i].t, "%s: %lld", dates[_i].s, t);
    else
        ck_assert_msg(t == 12345, "%s: *out written on failure", dates[_i].s);
}
END_TEST

/* Page labels of front matter: exact to mmmcmxcix, past xx (a contents
 * of hundreds of articles), never cut short by a small buffer. */
START_TEST(test_roman)
{
    static const struct {
        int n;
        const char *s;
    } t[] = {{1, "i"},      {4, "iv"},    {9, "ix"},         {14, "xiv"},      {20, "xx"},
             {21, "xxi"},   {40, "xl"},   {49, "xlix"},      {90, "xc"},       {400, "cd"},
             {944, "cmxliv"}, {1999, "mcmxcix"}, {3999, "mmmcmxcix"}, {4000, "mmmm"}};
    char buf[32];
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        size_t n = gl_roman(t[i].n, buf, sizeof buf);
        ck_assert_str_eq(buf, t[i].s);
        ck_assert_uint_eq(n, strlen(t[i].s));
    }
    ck_assert_uint_eq(gl_roman(0, buf, sizeof buf), 1);  // no roman zero: arabic
    ck_assert_str_eq(buf, "0");
    ck_assert_uint_eq(gl_roman(3888, buf, 4), 3);  // mmmdccclxxxviii does not fit
    ck_assert_str_eq(buf, "388");                   // arabic, cut to the buffer
}
END_TEST

START_TEST(test_choose_time)
{
    ck_assert(!gl_parse_iso_date(NULL, NULL));
    galley_options o;
    galley_options_init(&o);
    long long fb = 777;
    unsetenv("SOURCE_DATE_EPOCH");
    o.timestamp = 5;
    setenv("SOURCE_DATE_EPOCH", "100", 1);
    ck_assert_int_eq(gl_choose_time(&o, &fb), 5);  // the option first
    o.timestamp = -1;
    ck_assert_int_eq(gl_choose_time(&o, &fb), 100);  // then SOURCE_DATE_EPOCH
    ck_assert_int_eq(gl_choose_time(NULL, NULL), 100);
    setenv("SOURCE_DATE_EPOCH", "12x", 1);
    ck_assert_int_eq(gl_choose_time(&o, &fb), 777);  // invalid: ignored
    setenv("SOURCE_DATE_EPOCH", "-3", 1);
    ck_assert_int_eq(gl_choose_time(&o, &fb), 777);
    unsetenv("SOURCE_DATE_EPOCH");
    ck_assert_int_eq(gl_choose_time(&o, &fb), 777);  // then the fallback
    long long now = gl_choose_time(&o, NULL);        // then the clock
    ck_assert(now > 1700000000LL);
}
END_TEST

Suite *suite_base(void)
{
    Suite *s = suite_create("base");
    TCase *tc = tcase_create("memory");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_alloc_failure_is_sticky);
    tcase_add_test(tc, test_zero_sizes_and_dups);
    tcase_add_test(tc, test_grow);
    tcase_add_test(tc, test_first_error_wins);
    tcase_add_test(tc, test_warnings);
    tcase_add_test(tc, test_arena);
    tcase_add_test(tc, test_buf);
    suite_add_tcase(s, tc);
    tc = tcase_create("utf8");
    tcase_add_loop_test(tc, test_utf8_decode, 0, (int)(sizeof decode_cases / sizeof *decode_cases));
    tcase_add_test(tc, test_utf8_round_trip);
    tcase_add_test(tc, test_char_classes);
    suite_add_tcase(s, tc);
    tc = tcase_create("files");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_read_file);
    tcase_add_test(tc, test_out_atomic);
    tcase_add_test(tc, test_temp_files);
    suite_add_tcase(s, tc);
    tc = tcase_create("dates");
    tcase_add_loop_test(tc, test_parse_iso_date, 0, (int)(sizeof dates / sizeof *dates));
    tcase_add_test(tc, test_choose_time);
    tcase_add_test(tc, test_roman);
    suite_add_tcase(s, tc);
    return s;
}
