/*
 * test_api_mem.c — publishing to memory (galley_write_pdf_mem/_epub_mem give
 * the very bytes the file writers give, and nothing on failure), separate
 * contexts in separate threads at once, and the font directory search
 * ($GALLEY_FONT_DIR).  The public header, plus the fault-injection hook
 * of galley_int.h.
 */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include "galley.h"
#include "galley_int.h"

#include <check.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define OUTDIR "../build/test/api_mem"
#define STAMP 1700000000LL

static void mkout(void)
{
    mkdir("../build", 0777);
    mkdir("../build/test", 0777);
    mkdir(OUTDIR, 0777);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? 2 * cap : 65536;
            buf = realloc(buf, cap);
            ck_assert_ptr_nonnull(buf);
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        if (!r)
            break;
        n += r;
    }
    fclose(f);
    *len = n;
    return buf;
}

static void fixed_options(galley_options *o)
{
    galley_options_init(o);
    o->timestamp = STAMP;  // same bytes from run to run
}

static galley_doc *read_doc(galley_ctx *ctx, const char *path, const galley_options *o)
{
    galley_doc *doc = NULL;
    ck_assert_int_eq(galley_read_file(ctx, path, o, &doc), GALLEY_OK);
    ck_assert_ptr_nonnull(doc);
    return doc;
}

/* ---------------------------------------------------------------- memory = file */

static void mem_equals_file(bool pdf, const char *input)
{
    mkout();
    galley_ctx *ctx = galley_ctx_new();
    galley_options o;
    fixed_options(&o);
    galley_doc *doc = read_doc(ctx, input, &o);
    const char *path = pdf ? OUTDIR "/file.pdf" : OUTDIR "/file.epub";
    galley_status st = pdf ? galley_write_pdf(ctx, doc, &o, path)
                           : galley_write_epub(ctx, doc, &o, path);
    ck_assert_msg(st == GALLEY_OK, "%s", galley_errmsg(ctx));
    void *mem = NULL;
    size_t len = 0;
    st = pdf ? galley_write_pdf_mem(ctx, doc, &o, &mem, &len)
             : galley_write_epub_mem(ctx, doc, &o, &mem, &len);
    ck_assert_msg(st == GALLEY_OK, "%s", galley_errmsg(ctx));
    ck_assert_ptr_nonnull(mem);
    size_t flen;
    char *file = slurp(path, &flen);
    ck_assert_uint_eq(len, flen);
    ck_assert_msg(memcmp(mem, file, len) == 0, "memory and file outputs differ");
    if (pdf)
        ck_assert(len > 1000 && memcmp(mem, "%PDF-", 5) == 0);
    else
        ck_assert(len > 1000 && memcmp(mem, "PK\3\4", 4) == 0 &&
                  memcmp((char *)mem + 30, "mimetype", 8) == 0);
    // Publishing to memory leaves no file of any name behind.
    struct stat sb;
    ck_assert_int_ne(stat("<memory>", &sb), 0);
    free(file);
    galley_free(mem);
    galley_doc_free(doc);
    galley_ctx_free(ctx);
}

START_TEST(test_pdf_mem_equals_file) { mem_equals_file(true, "data/seed-article.txt"); }
END_TEST
START_TEST(test_epub_mem_equals_file) { mem_equals_file(false, "data/seed-article.txt"); }
END_TEST
START_TEST(test_zh_pdf_mem_equals_file) { mem_equals_file(true, "data/zh-article.txt"); }
END_TEST

START_TEST(test_mem_bad_arguments)
{
    galley_free(NULL);
    galley_ctx *ctx = galley_ctx_new();
    void *mem = (void *)1;
    size_t len = 7;
    ck_assert_int_eq(galley_write_pdf_mem(ctx, NULL, NULL, &mem, &len), GALLEY_ERR_ARG);
    ck_assert_ptr_null(mem);
    ck_assert_uint_eq(len, 0);
    ck_assert(strstr(galley_errmsg(ctx), "galley_write_pdf_mem") != NULL);
    galley_doc *doc = NULL;
    ck_assert_int_eq(galley_read_text(ctx, "Hello.\n", 7, NULL, NULL, &doc), GALLEY_OK);
    ck_assert_int_eq(galley_write_epub_mem(ctx, doc, NULL, NULL, &len), GALLEY_ERR_ARG);
    ck_assert_int_eq(galley_write_epub_mem(NULL, doc, NULL, &mem, &len), GALLEY_ERR_ARG);
    galley_doc_free(doc);
    galley_ctx_free(ctx);
}
END_TEST

START_TEST(test_mem_failure_gives_nothing)
{
    galley_ctx *ctx = galley_ctx_new();
    galley_options o;
    fixed_options(&o);
    galley_doc *doc = read_doc(ctx, "data/seed-article.txt", &o);
    o.font_regular = "/nonexistent/font.ttf";
    void *mem = (void *)1;
    size_t len = 7;
    ck_assert_int_eq(galley_write_pdf_mem(ctx, doc, &o, &mem, &len), GALLEY_ERR_FONT);
    ck_assert_ptr_null(mem);
    ck_assert_uint_eq(len, 0);
    ck_assert(strstr(galley_errmsg(ctx), "/nonexistent/font.ttf") != NULL);
    // The context is usable again after a failure, and memory output is
    // not left switched on: a file write afterwards writes the file.
    o.font_regular = NULL;
    mkout();
    remove(OUTDIR "/after.pdf");
    ck_assert_int_eq(galley_write_pdf(ctx, doc, &o, OUTDIR "/after.pdf"), GALLEY_OK);
    struct stat sb;
    ck_assert_int_eq(stat(OUTDIR "/after.pdf", &sb), 0);
    ck_assert(sb.st_size > 1000);
    galley_doc_free(doc);
    galley_ctx_free(ctx);
}
END_TEST

/* Out of memory at many points of a memory publication: each run either
 * succeeds with bytes or fails with NOMEM and nothing, never a leak or crash
 * (valgrind this case). */
START_TEST(test_mem_oom)
{
    galley_options o;
    fixed_options(&o);
    int ok = 0, nomem = 0;
    for (unsigned long n = 5; n < 6000; n = n * 5 / 4 + 3) {
        galley_ctx *ctx = galley_ctx_new();
        ck_assert_ptr_nonnull(ctx);
        gl_fail_alloc_after(ctx, n);
        galley_doc *doc = NULL;
        galley_status st = galley_read_text(ctx, "Title: T\n\nSome words here.\n", 26, NULL,
                                            &o, &doc);
        void *mem = (void *)1;
        size_t len = 1;
        if (st == GALLEY_OK)
            st = (n & 1) ? galley_write_pdf_mem(ctx, doc, &o, &mem, &len)
                         : galley_write_epub_mem(ctx, doc, &o, &mem, &len);
        if (st == GALLEY_OK) {
            ck_assert_ptr_nonnull(mem);
            ck_assert(len > 100);
            ok++;
            galley_free(mem);
        } else {
            ck_assert_msg(st == GALLEY_ERR_NOMEM, "n=%lu: status %d: %s", n, st,
                          galley_errmsg(ctx));
            nomem++;
        }
        galley_doc_free(doc);
        galley_ctx_free(ctx);
    }
    ck_assert(ok > 0 && nomem > 0);
}
END_TEST

/* ---------------------------------------------------------------- threads */

typedef struct {
    const char *input;
    int rounds;
    void *pdf, *epub;  // outputs of the last round
    size_t pdf_len, epub_len;
    int mismatches;    // rounds whose bytes differed from the first round's
    char err[256];
} job;

static void *publish_thread(void *arg)
{
    job *j = arg;
    galley_ctx *ctx = galley_ctx_new();
    galley_options o;
    fixed_options(&o);
    for (int r = 0; r < j->rounds && !j->err[0]; r++) {
        galley_doc *doc = NULL;
        void *p = NULL, *e = NULL;
        size_t pl = 0, el = 0;
        if (galley_read_file(ctx, j->input, &o, &doc) != GALLEY_OK ||
            galley_write_pdf_mem(ctx, doc, &o, &p, &pl) != GALLEY_OK ||
            galley_write_epub_mem(ctx, doc, &o, &e, &el) != GALLEY_OK)
            snprintf(j->err, sizeof j->err, "%s", galley_errmsg(ctx));
        galley_doc_free(doc);
        if (r == 0) {
            j->pdf = p, j->pdf_len = pl, j->epub = e, j->epub_len = el;
            continue;
        }
        if (pl != j->pdf_len || el != j->epub_len || memcmp(p, j->pdf, pl) ||
            memcmp(e, j->epub, el))
            j->mismatches++;
        galley_free(p);
        galley_free(e);
    }
    galley_ctx_free(ctx);
    return NULL;
}

START_TEST(test_threads_match_single_threaded)
{
    // Single-threaded reference outputs first.
    job ref[2] = {{.input = "data/seed-article.txt", .rounds = 1},
                  {.input = "data/zh-article.txt", .rounds = 1}};
    for (int i = 0; i < 2; i++) {
        publish_thread(&ref[i]);
        ck_assert_msg(!ref[i].err[0], "%s", ref[i].err);
    }
    ck_assert(ref[0].pdf_len != ref[1].pdf_len || memcmp(ref[0].pdf, ref[1].pdf, ref[0].pdf_len));
    // Two threads, each with its own context and document, at the same time,
    // several rounds each so that the runs overlap.
    job par[2] = {{.input = "data/seed-article.txt", .rounds = 4},
                  {.input = "data/zh-article.txt", .rounds = 4}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, publish_thread, &par[i]), 0);
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_join(t[i], NULL), 0);
    for (int i = 0; i < 2; i++) {
        ck_assert_msg(!par[i].err[0], "%s: %s", par[i].input, par[i].err);
        ck_assert_int_eq(par[i].mismatches, 0);
        ck_assert_uint_eq(par[i].pdf_len, ref[i].pdf_len);
        ck_assert_msg(memcmp(par[i].pdf, ref[i].pdf, ref[i].pdf_len) == 0,
                      "%s: threaded PDF differs from the single-threaded one", ref[i].input);
        ck_assert_uint_eq(par[i].epub_len, ref[i].epub_len);
        ck_assert_msg(memcmp(par[i].epub, ref[i].epub, ref[i].epub_len) == 0,
                      "%s: threaded EPUB differs from the single-threaded one", ref[i].input);
        galley_free(par[i].pdf);
        galley_free(par[i].epub);
        galley_free(ref[i].pdf);
        galley_free(ref[i].epub);
    }
}
END_TEST

/* ---------------------------------------------------------------- font directory */

START_TEST(test_font_dir_env)
{
    setenv("GALLEY_FONT_DIR", "/nonexistent-galley-fonts", 1);
    galley_ctx *ctx = galley_ctx_new();
    unsetenv("GALLEY_FONT_DIR");
    ck_assert_str_eq(galley_font_dir(ctx), "/nonexistent-galley-fonts");
    ck_assert_ptr_null(galley_font_dir(NULL));
    galley_doc *doc = NULL;
    ck_assert_int_eq(galley_read_text(ctx, "Words.\n", 7, NULL, NULL, &doc), GALLEY_OK);
    void *mem = NULL;
    size_t len = 0;
    ck_assert_int_eq(galley_write_pdf_mem(ctx, doc, NULL, &mem, &len), GALLEY_ERR_FONT);
    ck_assert_msg(strstr(galley_errmsg(ctx), "/nonexistent-galley-fonts") != NULL, "%s",
                  galley_errmsg(ctx));
    // galley_set_font_dir() overrides the environment.
    ck_assert_int_eq(galley_set_font_dir(ctx, "../fonts"), GALLEY_OK);
    ck_assert_str_eq(galley_font_dir(ctx), "../fonts");
    ck_assert_int_eq(galley_write_pdf_mem(ctx, doc, NULL, &mem, &len), GALLEY_OK);
    ck_assert(len > 1000);
    galley_free(mem);
    galley_doc_free(doc);
    galley_ctx_free(ctx);
    // In the source tree (not installed), a new context uses the tree's fonts.
    ctx = galley_ctx_new();
    struct stat sb;
    char path[4096];
    snprintf(path, sizeof path, "%s/NotoSerif-Regular.ttf", galley_font_dir(ctx));
    ck_assert_msg(stat(path, &sb) == 0, "%s", path);
    galley_ctx_free(ctx);
}
END_TEST

Suite *suite_api_mem(void)
{
    Suite *s = suite_create("api_mem");
    TCase *tc = tcase_create("memory");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_pdf_mem_equals_file);
    tcase_add_test(tc, test_epub_mem_equals_file);
    tcase_add_test(tc, test_zh_pdf_mem_equals_file);
    tcase_add_test(tc, test_mem_bad_arguments);
    tcase_add_test(tc, test_mem_failure_gives_nothing);
    tcase_add_test(tc, test_mem_oom);
    suite_add_tcase(s, tc);
    tc = tcase_create("threads");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_threads_match_single_threaded);
    suite_add_tcase(s, tc);
    tc = tcase_create("fonts");
    tcase_add_test(tc, test_font_dir_env);
    suite_add_tcase(s, tc);
    return s;
}
