/*
 * test_api.c — the public header: lifecycle and NULL safety, option
 * defaults and parsing, reading from memory with diagnostics, publishing
 * both formats, atomic outputs, and out-of-memory injection (through the
 * one internal hook it uses, gl_fail_alloc_after() of galley_int.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "galley.h"
#include "galley_int.h"

#include <check.h>
#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MM (72.0 / 25.4)
#define OUTDIR "../build/test/api"

static const char article[] =
    "date 2023-08-02 Title: A Test Article\n\nDate: August 2, 2023\n\nThe Newsroom\n\n"
    "First paragraph with some words in it.\n\nSecond paragraph, 中文和English混排。\n";

static void mkout(void)
{
    mkdir("../build", 0777);
    mkdir("../build/test", 0777);
    mkdir(OUTDIR, 0777);
}

START_TEST(test_lifecycle_null_safe)
{
    galley_ctx_free(NULL);
    galley_doc_free(NULL);
    galley_diag_clear(NULL);
    ck_assert_uint_eq(galley_diag_count(NULL), 0);
    ck_assert_ptr_null(galley_diag_get(NULL, 0));
    ck_assert_str_eq(galley_version_string(), GALLEY_VERSION_STRING);
    galley_ctx *ctx = galley_ctx_new();
    ck_assert_ptr_nonnull(ctx);
    ck_assert_str_eq(galley_errmsg(ctx), "");
    galley_ctx_free(ctx);
}
END_TEST

START_TEST(test_options_defaults)
{
    galley_options o;
    memset(&o, 0xAB, sizeof o);
    galley_options_init(&o);
    ck_assert(fabs(o.page_width_pt - 210 * MM) < 0.01);
    ck_assert(fabs(o.page_height_pt - 297 * MM) < 0.01);
    ck_assert(o.font_size_pt > 0);
    ck_assert_ptr_null(o.title);
    ck_assert_ptr_null(o.cjk_font);
    ck_assert(o.timestamp < 0);
}
END_TEST

static const struct {
    const char *spec;
    double w, h;  /* points; 0 = invalid */
} papers[] = {
    {"a4", 595.28, 841.89}, {"A5", 419.53, 595.28}, {"letter", 612, 792},
    {"b5", 498.90, 708.66}, {"148x210mm", 419.53, 595.28}, {"6x9in", 432, 648},
    {"420x595pt", 420, 595}, {"21x29.7cm", 595.28, 841.89}, {"a9", 0, 0},
    {"100x", 0, 0}, {"x100mm", 0, 0}, {"10x10mm", 0, 0}, {"", 0, 0}, {"-5x100mm", 0, 0},
};

START_TEST(test_parse_paper)
{
    galley_ctx *ctx = galley_ctx_new();
    double w = 0, h = 0;
    galley_status st = galley_parse_paper(ctx, papers[_i].spec, &w, &h);
    if (papers[_i].w > 0) {
        ck_assert_msg(st == GALLEY_OK, "%s: %s", papers[_i].spec, galley_errmsg(ctx));
        ck_assert_msg(fabs(w - papers[_i].w) < 0.05 && fabs(h - papers[_i].h) < 0.05,
                      "%s gave %.2fx%.2f", papers[_i].spec, w, h);
    } else {
        ck_assert_int_eq(st, GALLEY_ERR_ARG);
        ck_assert_ptr_nonnull(strstr(galley_errmsg(ctx), "invalid paper"));
    }
    galley_ctx_free(ctx);
}
END_TEST

START_TEST(test_parse_margins)
{
    galley_ctx *ctx = galley_ctx_new();
    galley_options o;
    galley_options_init(&o);
    ck_assert_int_eq(galley_parse_margins(ctx, "20mm", &o), GALLEY_OK);
    ck_assert(fabs(o.margin_top_pt - 20 * MM) < 0.01 && fabs(o.margin_left_pt - 20 * MM) < 0.01);
    ck_assert_int_eq(galley_parse_margins(ctx, "1in,36pt", &o), GALLEY_OK);
    ck_assert(fabs(o.margin_top_pt - 72) < 0.01 && fabs(o.margin_bottom_pt - 72) < 0.01);
    ck_assert(fabs(o.margin_right_pt - 36) < 0.01 && fabs(o.margin_left_pt - 36) < 0.01);
    ck_assert_int_eq(galley_parse_margins(ctx, "10,20,30,40", &o), GALLEY_OK);
    ck_assert(fabs(o.margin_left_pt - 40 * MM) < 0.01 && fabs(o.margin_bottom_pt - 30 * MM) < 0.01);
    ck_assert_int_eq(galley_parse_margins(ctx, "10,20,30", &o), GALLEY_ERR_ARG);
    ck_assert_int_eq(galley_parse_margins(ctx, "wide", &o), GALLEY_ERR_ARG);
    ck_assert_int_eq(galley_parse_margins(ctx, "10furlongs", &o), GALLEY_ERR_ARG);
    galley_ctx_free(ctx);
}
END_TEST

START_TEST(test_read_memory_and_overrides)
{
    galley_ctx *ctx = galley_ctx_new();
    galley_doc *doc = NULL;
    ck_assert_int_eq(galley_read_text(ctx, article, strlen(article), "mem.txt", NULL, &doc),
                     GALLEY_OK);
    ck_assert_str_eq(galley_doc_title(doc), "A Test Article");
    ck_assert_str_eq(galley_doc_lang(doc), "en");
    galley_doc_free(doc);
    galley_options o;
    galley_options_init(&o);
    o.title = "Overridden";
    o.lang = "zh-Hans";
    ck_assert_int_eq(galley_read_text(ctx, article, strlen(article), "mem.txt", &o, &doc),
                     GALLEY_OK);
    ck_assert_str_eq(galley_doc_title(doc), "Overridden");
    ck_assert_str_eq(galley_doc_lang(doc), "zh-Hans");
    galley_doc_free(doc);
    galley_ctx_free(ctx);
}
END_TEST

START_TEST(test_read_missing_file)
{
    galley_ctx *ctx = galley_ctx_new();
    galley_doc *doc = (galley_doc *)ctx;  /* must be reset to NULL */
    ck_assert_int_eq(galley_read_file(ctx, "no/such/file.txt", NULL, &doc), GALLEY_ERR_IO);
    ck_assert_ptr_null(doc);
    ck_assert_ptr_nonnull(strstr(galley_errmsg(ctx), "no/such/file.txt"));
    ck_assert_int_eq(galley_read_file(ctx, ".", NULL, &doc), GALLEY_ERR_IO);
    ck_assert_ptr_nonnull(strstr(galley_errmsg(ctx), "directory"));
    galley_ctx_free(ctx);
}
END_TEST

static long file_size(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 ? (long)st.st_size : -1;
}

START_TEST(test_publish_both_and_atomic_failure)
{
    mkout();
    galley_ctx *ctx = galley_ctx_new();
    ck_assert_int_eq(galley_set_font_dir(ctx, "../fonts"), GALLEY_OK);
    galley_doc *doc = NULL;
    ck_assert_int_eq(galley_read_text(ctx, article, strlen(article), "mem.txt", NULL, &doc),
                     GALLEY_OK);
    galley_options o;
    galley_options_init(&o);
    o.timestamp = 1700000000;
    ck_assert_msg(galley_write_pdf(ctx, doc, &o, OUTDIR "/a.pdf") == GALLEY_OK, "%s",
                  galley_errmsg(ctx));
    ck_assert_msg(galley_write_epub(ctx, doc, &o, OUTDIR "/a.epub") == GALLEY_OK, "%s",
                  galley_errmsg(ctx));
    long pdf = file_size(OUTDIR "/a.pdf"), epub = file_size(OUTDIR "/a.epub");
    ck_assert_int_gt(pdf, 1000);
    ck_assert_int_gt(epub, 1000);
    // a failing write (bad font) leaves the existing output as it was
    o.cjk_font = "no-such-font.ttf";
    ck_assert_int_eq(galley_write_pdf(ctx, doc, &o, OUTDIR "/a.pdf"), GALLEY_ERR_FONT);
    ck_assert_ptr_nonnull(strstr(galley_errmsg(ctx), "no-such-font.ttf"));
    ck_assert_int_eq(file_size(OUTDIR "/a.pdf"), pdf);
    o.cjk_font = NULL;
    // a nonexistent directory is an I/O error naming the path
    ck_assert_int_eq(galley_write_pdf(ctx, doc, &o, OUTDIR "/missing/dir/a.pdf"), GALLEY_ERR_IO);
    ck_assert_ptr_nonnull(strstr(galley_errmsg(ctx), "missing/dir/a.pdf"));
    ck_assert_int_eq(galley_write_epub(ctx, doc, &o, OUTDIR "/missing/dir/a.epub"), GALLEY_ERR_IO);
    // the page size reaches the PDF
    o.page_width_pt = 420;
    o.page_height_pt = 595;
    ck_assert_int_eq(galley_write_pdf(ctx, doc, &o, OUTDIR "/a5.pdf"), GALLEY_OK);
    FILE *f = fopen(OUTDIR "/a5.pdf", "rb");
    ck_assert_ptr_nonnull(f);
    galley_doc_free(doc);
    galley_ctx_free(ctx);
    fclose(f);
}
END_TEST

/* The progress callback: pages laid out counting up from 1 with no total,
 * then every PDF page written once, in order, with the final page count. */
typedef struct {
    size_t layout_calls, layout_last, pdf_calls, pdf_last, pdf_total;
    bool out_of_order;
} progress_log;

static void log_progress(void *user, const char *stage, size_t done, size_t total)
{
    progress_log *l = user;
    if (strcmp(stage, "layout") == 0) {
        if (done != l->layout_last + 1 || total != 0 || l->pdf_calls)
            l->out_of_order = true;
        l->layout_calls++;
        l->layout_last = done;
    } else if (strcmp(stage, "pdf") == 0) {
        if (done != l->pdf_last + 1 || (l->pdf_total && total != l->pdf_total))
            l->out_of_order = true;
        l->pdf_calls++;
        l->pdf_last = done;
        l->pdf_total = total;
    } else {
        l->out_of_order = true;
    }
}

START_TEST(test_progress_callback)
{
    mkout();
    size_t n = 0, cap = 64 * 1024;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    n += (size_t)snprintf(text, cap, "date 2023-08-02 Title: Long\n\n");
    for (int i = 0; n + 400 < cap; i++)
        n += (size_t)snprintf(text + n, cap - n,
                              "Paragraph %d: a sentence that fills some of the line, and "
                              "another that runs on to the next one or two lines of the page; "
                              "中文和English混排的段落。\n\n", i);
    galley_ctx *ctx = galley_ctx_new();
    ck_assert_int_eq(galley_set_font_dir(ctx, "../fonts"), GALLEY_OK);
    galley_doc *doc = NULL;
    ck_assert_int_eq(galley_read_text(ctx, text, n, "long.txt", NULL, &doc), GALLEY_OK);
    progress_log l = {0};
    galley_options o;
    galley_options_init(&o);
    o.progress = log_progress;
    o.progress_user = &l;
    ck_assert_msg(galley_write_pdf(ctx, doc, &o, OUTDIR "/progress.pdf") == GALLEY_OK, "%s",
                  galley_errmsg(ctx));
    ck_assert(!l.out_of_order);
    ck_assert_uint_gt(l.layout_last, 10);
    ck_assert_uint_eq(l.pdf_total, l.layout_last);
    ck_assert_uint_eq(l.pdf_last, l.pdf_total);
    // the EPUB has no pages to count; without a callback nothing is called
    memset(&l, 0, sizeof l);
    o.progress = NULL;
    ck_assert_int_eq(galley_write_pdf(ctx, doc, &o, OUTDIR "/progress.pdf"), GALLEY_OK);
    ck_assert_uint_eq(l.layout_calls + l.pdf_calls, 0);
    galley_doc_free(doc);
    galley_ctx_free(ctx);
    free(text);
}
END_TEST

/* One read + EPUB + PDF run of a small document with the Nth allocation
 * (and every later one) failing; N = 0 fails nothing.  Returns the status.
 * Leaks are judged outside: LeakSanitizer at exit in the ASan pass of
 * `make check` (every N), valgrind in `make leakcheck` (a sample); glibc's
 * own counters cannot tell, since its thread cache holds freed blocks. */
static const char small_doc[] = "date 2024-01-02 Title: OOM\n\nBy Someone\n\nText 中文。\n";

static galley_status oom_run(unsigned long n)
{
    galley_ctx *ctx = galley_ctx_new();
    ck_assert_ptr_nonnull(ctx);
    gl_fail_alloc_after(ctx, n);
    galley_set_font_dir(ctx, "../fonts");
    galley_doc *doc = NULL;
    galley_status st = galley_read_text(ctx, small_doc, strlen(small_doc), "m.txt", NULL, &doc);
    if (st == GALLEY_OK)
        ck_assert_ptr_nonnull(doc);
    else
        ck_assert_ptr_null(doc);
    if (st == GALLEY_OK) {
        st = galley_write_epub(ctx, doc, NULL, OUTDIR "/oom.epub");
        if (st == GALLEY_OK)
            st = galley_write_pdf(ctx, doc, NULL, OUTDIR "/oom.pdf");
    }
    ck_assert_msg(st == GALLEY_OK || st == GALLEY_ERR_NOMEM, "N=%lu: status %d: %s", n, st,
                  galley_errmsg(ctx));
    if (st == GALLEY_ERR_NOMEM)
        ck_assert_msg(strstr(galley_errmsg(ctx), "out of memory"), "N=%lu: message '%s'", n,
                      galley_errmsg(ctx));
    galley_doc_free(doc);
    galley_ctx_free(ctx);
    return st;
}

/* Fail the Nth allocation for every N from 1 to the total the run makes
 * (found first by bisection): each failure must come back as
 * GALLEY_ERR_NOMEM "out of memory", never a crash, and free everything it
 * allocated (see oom_run).  GALLEY_OOM_SAMPLE=K (make leakcheck, under valgrind) tries
 * only every Kth N, plus the first and last 20. */
START_TEST(test_out_of_memory_is_reported)
{
    mkout();
    ck_assert_int_eq(oom_run(0), GALLEY_OK);
    // The total: the largest N that still fails (failing is monotonic in N).
    unsigned long lo = 1, hi = 2;
    while (oom_run(hi) != GALLEY_OK) {
        lo = hi;
        hi *= 2;
        ck_assert_msg(hi < 10000000, "no N lets the run succeed");
    }
    ck_assert_int_eq(oom_run(lo), GALLEY_ERR_NOMEM);
    while (hi - lo > 1) {  // lo fails, hi succeeds
        unsigned long mid = lo + (hi - lo) / 2;
        if (oom_run(mid) == GALLEY_OK)
            hi = mid;
        else
            lo = mid;
    }
    unsigned long total = lo;
    const char *sample = getenv("GALLEY_OOM_SAMPLE");
    unsigned long step = sample && *sample ? strtoul(sample, NULL, 10) : 1;
    if (step == 0)
        step = 1;
    unsigned long tried = 0;
    for (unsigned long n = 1; n <= total; n++) {
        if (step > 1 && n > 20 && n + 20 < total && n % step)
            continue;
        tried++;
        galley_status st = oom_run(n);
        ck_assert_msg(st == GALLEY_ERR_NOMEM, "N=%lu of %lu: status %d", n, total, st);
    }
    fprintf(stderr, "api/oom: failed %lu of the run's %lu allocations: each reported\n",
            tried, total);
    ck_assert_int_gt(total, 100);
}
END_TEST

/* ---------------------------------------------------------------- NULL arguments */

/* galley.h, "Arguments": every entry point called with NULL for each of its
 * pointer arguments in turn (the others valid) gives the documented result,
 * never a crash.  The entry points and their pointer arguments are read
 * from the header itself, so a function added to it without a case here
 * fails test_null_cases_cover_header. */

/* A status call that must refuse its NULL argument with this message. */
#define EXPECT_ARG(ctx, call, msg)                                                         \
    do {                                                                                   \
        galley_status st_ = (call);                                                        \
        ck_assert_msg(st_ == GALLEY_ERR_ARG, "%s: status %d, want GALLEY_ERR_ARG", #call,  \
                      st_);                                                                \
        ck_assert_str_eq(galley_errmsg(ctx), msg);                                         \
    } while (0)
/* The same with a NULL context: no message to leave, only the status. */
#define EXPECT_ARG_NO_CTX(call) EXPECT_ARG(NULL, call, "no context")
#define EXPECT_OK(ctx, call)                                                               \
    ck_assert_msg((call) == GALLEY_OK, "%s: %s", #call, galley_errmsg(ctx))

#define NULL_OUT OUTDIR "/null"

static bool exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

/* Each case returns how many pointer arguments it passed as NULL. */
typedef unsigned (*null_case)(galley_ctx *ctx, galley_doc *doc);

static unsigned null_version_string(galley_ctx *ctx, galley_doc *doc)
{
    (void)ctx, (void)doc;
    ck_assert_str_eq(galley_version_string(), GALLEY_VERSION_STRING);
    return 0;
}

static unsigned null_ctx_new(galley_ctx *ctx, galley_doc *doc)
{
    (void)ctx, (void)doc;
    galley_ctx *c = galley_ctx_new();
    ck_assert_ptr_nonnull(c);
    galley_ctx_free(c);
    return 0;
}

static unsigned null_ctx_free(galley_ctx *ctx, galley_doc *doc)
{
    (void)ctx, (void)doc;
    galley_ctx_free(NULL);
    return 1;
}

static unsigned null_errmsg(galley_ctx *ctx, galley_doc *doc)
{
    (void)ctx, (void)doc;
    ck_assert_str_eq(galley_errmsg(NULL), "no context");
    return 1;
}

static unsigned null_set_font_dir(galley_ctx *ctx, galley_doc *doc)
{
    (void)doc;
    EXPECT_ARG_NO_CTX(galley_set_font_dir(NULL, "../fonts"));
    EXPECT_ARG(ctx, galley_set_font_dir(ctx, NULL), "galley_set_font_dir: NULL dir");
    ck_assert_str_eq(galley_font_dir(ctx), "../fonts");  // unchanged
    return 2;
}

static unsigned null_font_dir(galley_ctx *ctx, galley_doc *doc)
{
    (void)ctx, (void)doc;
    ck_assert_ptr_null(galley_font_dir(NULL));
    return 1;
}

static unsigned null_diag_count(galley_ctx *ctx, galley_doc *doc)
{
    (void)ctx, (void)doc;
    ck_assert_uint_eq(galley_diag_count(NULL), 0);
    return 1;
}

static unsigned null_diag_get(galley_ctx *ctx, galley_doc *doc)
{
    (void)ctx, (void)doc;
    ck_assert_ptr_null(galley_diag_get(NULL, 0));
    return 1;
}

static unsigned null_diag_clear(galley_ctx *ctx, galley_doc *doc)
{
    (void)ctx, (void)doc;
    galley_diag_clear(NULL);
    return 1;
}

static unsigned null_options_init(galley_ctx *ctx, galley_doc *doc)
{
    (void)ctx, (void)doc;
    galley_options_init(NULL);
    return 1;
}

static unsigned null_parse_paper(galley_ctx *ctx, galley_doc *doc)
{
    (void)doc;
    double w = 1, h = 2;
    EXPECT_ARG_NO_CTX(galley_parse_paper(NULL, "a4", &w, &h));
    EXPECT_ARG(ctx, galley_parse_paper(ctx, NULL, &w, &h), "galley_parse_paper: NULL spec");
    EXPECT_ARG(ctx, galley_parse_paper(ctx, "a4", NULL, &h), "galley_parse_paper: NULL width_pt");
    EXPECT_ARG(ctx, galley_parse_paper(ctx, "a4", &w, NULL),
               "galley_parse_paper: NULL height_pt");
    ck_assert(w == 1 && h == 2);  // left as they were
    return 4;
}

static unsigned null_parse_margins(galley_ctx *ctx, galley_doc *doc)
{
    (void)doc;
    galley_options o;
    galley_options_init(&o);
    EXPECT_ARG_NO_CTX(galley_parse_margins(NULL, "20mm", &o));
    EXPECT_ARG(ctx, galley_parse_margins(ctx, NULL, &o), "galley_parse_margins: NULL spec");
    EXPECT_ARG(ctx, galley_parse_margins(ctx, "20mm", NULL), "galley_parse_margins: NULL opt");
    return 3;
}

static unsigned null_options_set(galley_ctx *ctx, galley_doc *doc)
{
    (void)doc;
    galley_options o;
    galley_options_init(&o);
    EXPECT_ARG_NO_CTX(galley_options_set(NULL, &o, "paper", "a5"));
    EXPECT_ARG(ctx, galley_options_set(ctx, NULL, "paper", "a5"), "galley_options_set: NULL opt");
    EXPECT_ARG(ctx, galley_options_set(ctx, &o, NULL, "a5"), "galley_options_set: NULL name");
    EXPECT_ARG(ctx, galley_options_set(ctx, &o, "paper", NULL), "galley_options_set: NULL value");
    return 4;
}

static unsigned null_read_file(galley_ctx *ctx, galley_doc *doc)
{
    (void)doc;
    galley_doc *d = (galley_doc *)ctx;  // garbage that must be reset
    EXPECT_ARG_NO_CTX(galley_read_file(NULL, "data/seed-article.txt", NULL, &d));
    ck_assert_ptr_null(d);
    d = (galley_doc *)ctx;
    EXPECT_ARG(ctx, galley_read_file(ctx, NULL, NULL, &d), "galley_read_file: NULL path");
    ck_assert_ptr_null(d);
    EXPECT_ARG(ctx, galley_read_file(ctx, "data/seed-article.txt", NULL, NULL),
               "galley_read_file: NULL out");
    EXPECT_OK(ctx, galley_read_file(ctx, "data/seed-article.txt", NULL, &d));  // opt: defaults
    ck_assert_ptr_nonnull(d);
    galley_doc_free(d);
    return 4;
}

static unsigned null_read_text(galley_ctx *ctx, galley_doc *doc)
{
    (void)doc;
    galley_doc *d = (galley_doc *)ctx;
    EXPECT_ARG_NO_CTX(galley_read_text(NULL, "Hi.\n", 4, "t.txt", NULL, &d));
    ck_assert_ptr_null(d);
    d = (galley_doc *)ctx;
    EXPECT_ARG(ctx, galley_read_text(ctx, NULL, 4, "t.txt", NULL, &d),
               "galley_read_text: NULL data");
    ck_assert_ptr_null(d);
    EXPECT_ARG(ctx, galley_read_text(ctx, "Hi.\n", 4, "t.txt", NULL, NULL),
               "galley_read_text: NULL out");
    EXPECT_OK(ctx, galley_read_text(ctx, NULL, 0, "t.txt", NULL, &d));  // no bytes: empty
    ck_assert_ptr_nonnull(d);
    galley_doc_free(d);
    EXPECT_OK(ctx, galley_read_text(ctx, "Hi.\n", 4, NULL, NULL, &d));  // "<memory>", defaults
    ck_assert_ptr_nonnull(d);
    galley_doc_free(d);
    return 5;  // data, source_name and opt may be NULL; ctx and out may not
}

static unsigned null_read_inputs(galley_ctx *ctx, galley_doc *doc)
{
    (void)doc;
    const char *paths[] = {"data/brief/01-federalist-01.txt", NULL};
    galley_options o;
    galley_options_init(&o);
    galley_doc *d = (galley_doc *)ctx;
    EXPECT_ARG_NO_CTX(galley_read_inputs(NULL, paths, 1, &o, &d));
    ck_assert_ptr_null(d);
    d = (galley_doc *)ctx;
    EXPECT_ARG(ctx, galley_read_inputs(ctx, NULL, 1, &o, &d), "galley_read_inputs: NULL paths");
    ck_assert_ptr_null(d);
    EXPECT_ARG(ctx, galley_read_inputs(ctx, paths, 2, &o, &d),
               "galley_read_inputs: NULL paths[1]");
    EXPECT_ARG(ctx, galley_read_inputs(ctx, paths, 1, NULL, &d), "galley_read_inputs: NULL opt");
    EXPECT_ARG(ctx, galley_read_inputs(ctx, paths, 1, &o, NULL), "galley_read_inputs: NULL out");
    EXPECT_ARG(ctx, galley_read_inputs(ctx, paths, 0, &o, &d), "galley_read_inputs: no inputs");
    EXPECT_OK(ctx, galley_read_inputs(ctx, paths, 1, &o, &d));
    galley_doc_free(d);
    return 4;
}

static unsigned null_doc_free(galley_ctx *ctx, galley_doc *doc)
{
    (void)ctx, (void)doc;
    galley_doc_free(NULL);
    return 1;
}

static unsigned null_doc_title(galley_ctx *ctx, galley_doc *doc)
{
    (void)ctx, (void)doc;
    ck_assert_ptr_null(galley_doc_title(NULL));
    return 1;
}

static unsigned null_doc_lang(galley_ctx *ctx, galley_doc *doc)
{
    (void)ctx, (void)doc;
    ck_assert_ptr_null(galley_doc_lang(NULL));
    return 1;
}

/* galley_write_pdf and galley_write_epub: nothing is written for a NULL
 * argument; a NULL opt means the defaults. */
static unsigned null_write_file(galley_ctx *ctx, galley_doc *doc, bool pdf)
{
    galley_status (*write)(galley_ctx *, const galley_doc *, const galley_options *,
                           const char *) = pdf ? galley_write_pdf : galley_write_epub;
    const char *path = pdf ? NULL_OUT ".pdf" : NULL_OUT ".epub";
    char msg[64];
    remove(path);
    EXPECT_ARG_NO_CTX(write(NULL, doc, NULL, path));
    snprintf(msg, sizeof msg, "%s: NULL doc", pdf ? "galley_write_pdf" : "galley_write_epub");
    EXPECT_ARG(ctx, write(ctx, NULL, NULL, path), msg);
    snprintf(msg, sizeof msg, "%s: NULL path", pdf ? "galley_write_pdf" : "galley_write_epub");
    EXPECT_ARG(ctx, write(ctx, doc, NULL, NULL), msg);
    ck_assert(!exists(path));
    EXPECT_OK(ctx, write(ctx, doc, NULL, path));
    ck_assert(exists(path));
    return 4;
}

static unsigned null_write_pdf(galley_ctx *ctx, galley_doc *doc)
{
    return null_write_file(ctx, doc, true);
}

static unsigned null_write_epub(galley_ctx *ctx, galley_doc *doc)
{
    return null_write_file(ctx, doc, false);
}

/* galley_write_pdf_mem and galley_write_epub_mem: *data and *len, when
 * given, are NULL and 0 after any failure. */
static unsigned null_write_mem(galley_ctx *ctx, galley_doc *doc, bool pdf)
{
    galley_status (*write)(galley_ctx *, const galley_doc *, const galley_options *, void **,
                           size_t *) = pdf ? galley_write_pdf_mem : galley_write_epub_mem;
    const char *fn = pdf ? "galley_write_pdf_mem" : "galley_write_epub_mem";
    char msg[64];
    void *data = (void *)1;
    size_t len = 1;
    EXPECT_ARG_NO_CTX(write(NULL, doc, NULL, &data, &len));
    ck_assert(data == NULL && len == 0);
    data = (void *)1, len = 1;
    snprintf(msg, sizeof msg, "%s: NULL doc", fn);
    EXPECT_ARG(ctx, write(ctx, NULL, NULL, &data, &len), msg);
    ck_assert(data == NULL && len == 0);
    len = 1;
    snprintf(msg, sizeof msg, "%s: NULL data", fn);
    EXPECT_ARG(ctx, write(ctx, doc, NULL, NULL, &len), msg);
    ck_assert_uint_eq(len, 0);
    data = (void *)1;
    snprintf(msg, sizeof msg, "%s: NULL len", fn);
    EXPECT_ARG(ctx, write(ctx, doc, NULL, &data, NULL), msg);
    ck_assert_ptr_null(data);
    EXPECT_OK(ctx, write(ctx, doc, NULL, &data, &len));  // opt: defaults
    ck_assert(data != NULL && len > 100);
    galley_free(data);
    return 5;
}

static unsigned null_write_pdf_mem(galley_ctx *ctx, galley_doc *doc)
{
    return null_write_mem(ctx, doc, true);
}

static unsigned null_write_epub_mem(galley_ctx *ctx, galley_doc *doc)
{
    return null_write_mem(ctx, doc, false);
}

static unsigned null_free(galley_ctx *ctx, galley_doc *doc)
{
    (void)ctx, (void)doc;
    galley_free(NULL);
    return 1;
}

static unsigned null_remove_temp_files(galley_ctx *ctx, galley_doc *doc)
{
    (void)ctx, (void)doc;
    galley_remove_temp_files();  // none live: nothing to do
    return 0;
}

static unsigned null_line_breaks(galley_ctx *ctx, galley_doc *doc)
{
    (void)doc;
    size_t offs[4], count = 9;
    EXPECT_ARG_NO_CTX(galley_line_breaks(NULL, "a b", 3, offs, 4, &count));
    ck_assert_uint_eq(count, 0);
    EXPECT_ARG(ctx, galley_line_breaks(ctx, NULL, 3, offs, 4, &count),
               "galley_line_breaks: NULL utf8");
    EXPECT_ARG(ctx, galley_line_breaks(ctx, "a b", 3, NULL, 4, &count),
               "galley_line_breaks: NULL offsets");
    EXPECT_ARG(ctx, galley_line_breaks(ctx, "a b", 3, offs, 4, NULL),
               "galley_line_breaks: NULL count");
    // NULL text of no bytes, and NULL offsets with no room: both fine
    count = 9;
    EXPECT_OK(ctx, galley_line_breaks(ctx, NULL, 0, offs, 4, &count));
    ck_assert_uint_eq(count, 0);
    EXPECT_OK(ctx, galley_line_breaks(ctx, "a b", 3, NULL, 0, &count));
    ck_assert_uint_eq(count, 2);  // before "b", and the end
    return 4;
}

static const struct {
    const char *name;
    null_case run;
} null_cases[] = {
#define NULL_CASE(fn) {"galley_" #fn, null_##fn}
    NULL_CASE(version_string), NULL_CASE(ctx_new),      NULL_CASE(ctx_free),
    NULL_CASE(errmsg),         NULL_CASE(set_font_dir), NULL_CASE(font_dir),
    NULL_CASE(diag_count),     NULL_CASE(diag_get),     NULL_CASE(diag_clear),
    NULL_CASE(options_init),   NULL_CASE(parse_paper),  NULL_CASE(parse_margins),
    NULL_CASE(read_file),      NULL_CASE(read_text),    NULL_CASE(read_inputs),
    NULL_CASE(doc_free),       NULL_CASE(doc_title),    NULL_CASE(doc_lang),
    NULL_CASE(write_pdf),      NULL_CASE(write_epub),   NULL_CASE(write_pdf_mem),
    NULL_CASE(write_epub_mem), NULL_CASE(free),         NULL_CASE(remove_temp_files),
    NULL_CASE(line_breaks),    NULL_CASE(options_set),
#undef NULL_CASE
};
enum { NNULL_CASES = sizeof null_cases / sizeof *null_cases };

/* The functions galley.h declares with GALLEY_API, each with the number of
 * its parameters that are pointers. */
typedef struct {
    char name[64];
    unsigned npointers;
} api_decl;

static size_t read_header_decls(api_decl *out, size_t max)
{
    FILE *f = fopen("../include/galley.h", "rb");
    ck_assert_ptr_nonnull(f);
    static char text[1 << 17];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    ck_assert_uint_lt(n, sizeof text - 1);
    text[n] = 0;
    // Blank out comments, so that prose naming functions is not read.
    for (char *c = text; (c = strstr(c, "/*"));) {
        char *e = strstr(c + 2, "*/");
        ck_assert_ptr_nonnull(e);
        memset(c, ' ', (size_t)(e + 2 - c));
        c = e + 2;
    }
    size_t k = 0;
    for (char *p = text; (p = strstr(p, "GALLEY_API")); p += 10) {
        char *line = p;
        while (line > text && line[-1] != '\n')
            line--;
        while (*line == ' ')
            line++;
        if (*line == '#')
            continue;  // the macro's own definition
        char *open = strchr(p, '('), *semi = strchr(p, ';');
        ck_assert(open && semi && open < semi);
        char *end = open;
        while (end > p && end[-1] == ' ')
            end--;
        char *start = end;
        while (start > p && (isalnum((unsigned char)start[-1]) || start[-1] == '_'))
            start--;
        ck_assert_uint_lt(k, max);
        ck_assert_uint_lt((size_t)(end - start), sizeof out[k].name);
        memcpy(out[k].name, start, (size_t)(end - start));
        out[k].name[end - start] = 0;
        // Parameters: split at the commas between the parentheses.
        unsigned ptrs = 0;
        bool star = false;
        for (char *c = open + 1; c < semi; c++) {
            if (*c == '*')
                star = true;
            if (*c == ',' || *c == ')') {
                ptrs += star;
                star = false;
            }
            if (*c == ')')
                break;
        }
        out[k++].npointers = ptrs;
    }
    return k;
}

START_TEST(test_null_cases_cover_header)
{
    api_decl decls[128];
    size_t n = read_header_decls(decls, 128);
    unsigned ptrs = 0;
    for (size_t i = 0; i < n; i++) {
        bool found = false;
        for (size_t j = 0; j < NNULL_CASES && !found; j++)
            found = !strcmp(decls[i].name, null_cases[j].name);
        ck_assert_msg(found, "%s (galley.h) has no NULL-argument case in test_api.c",
                      decls[i].name);
        ptrs += decls[i].npointers;
    }
    ck_assert_uint_eq(n, NNULL_CASES);  // and no case for a function that is gone
    fprintf(stderr, "api/null: %zu entry points, %u pointer arguments\n", n, ptrs);
}
END_TEST

START_TEST(test_null_arguments)
{
    mkout();
    api_decl decls[128];
    size_t n = read_header_decls(decls, 128);
    const api_decl *d = NULL;
    for (size_t i = 0; i < n && !d; i++)
        if (!strcmp(decls[i].name, null_cases[_i].name))
            d = &decls[i];
    ck_assert_msg(d != NULL, "%s is not in galley.h", null_cases[_i].name);
    galley_ctx *ctx = galley_ctx_new();
    ck_assert_ptr_nonnull(ctx);
    ck_assert_int_eq(galley_set_font_dir(ctx, "../fonts"), GALLEY_OK);
    galley_doc *doc = NULL;
    ck_assert_int_eq(galley_read_text(ctx, article, strlen(article), "mem.txt", NULL, &doc),
                     GALLEY_OK);
    unsigned tried = null_cases[_i].run(ctx, doc);
    ck_assert_msg(tried == d->npointers, "%s: %u of its %u pointer arguments tried as NULL",
                  d->name, tried, d->npointers);
    galley_doc_free(doc);
    galley_ctx_free(ctx);
}
END_TEST

Suite *suite_api(void)
{
    Suite *s = suite_create("api");
    TCase *tc = tcase_create("api");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_lifecycle_null_safe);
    tcase_add_test(tc, test_options_defaults);
    tcase_add_loop_test(tc, test_parse_paper, 0, (int)(sizeof papers / sizeof *papers));
    tcase_add_test(tc, test_parse_margins);
    tcase_add_test(tc, test_read_memory_and_overrides);
    tcase_add_test(tc, test_read_missing_file);
    tcase_add_test(tc, test_publish_both_and_atomic_failure);
    tcase_add_test(tc, test_progress_callback);
    suite_add_tcase(s, tc);
    tc = tcase_create("null");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_null_cases_cover_header);
    tcase_add_loop_test(tc, test_null_arguments, 0, NNULL_CASES);
    suite_add_tcase(s, tc);
    // Its own case, so that `make leakcheck` can run it alone under valgrind.
    TCase *oom = tcase_create("oom");
    tcase_set_timeout(oom, 1200);
    tcase_add_test(oom, test_out_of_memory_is_reported);
    suite_add_tcase(s, oom);
    return s;
}
