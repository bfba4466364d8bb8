/*
 * test_dump.c — the lines layout records with gl_layout_opts.trace and the
 * frames dump (dump.h): each paragraph's last line ends "para", justified
 * lines carry a ratio within the breaker's tolerance and reach the edge,
 * a hyphenated line ends "hyphen" with a "-" run, a hard break ends
 * "forced", page carries sit on a page's first line, tracing changes no
 * run, and the dump's format and escapes.
 */
#include "layout_fixture.h"
#include "doc.h"
#include "dump.h"
#include "font.h"
#include "galley_int.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static gl_layout_opts trace_opts(void)
{
    gl_layout_opts lo = layout_default_opts();
    lo.trace = true;
    return lo;
}

static const char *para_a =
    "The vital role of basic research in achieving high-level technological self-reliance "
    "and self-improvement cannot be overstated. Basic research serves as the foundation for "
    "the entire scientific system, addressing technical challenges, and facilitating "
    "breakthroughs in cutting-edge technologies. It plays a decisive role in promoting the "
    "integration of technology and the economy, and in the long run it decides what a "
    "country can make, and what it must buy from others at whatever price they ask.";
static const char *para_b = "A short second paragraph.";

/* The body lines (body size) of a page, in order. */
static size_t body_lines(const gl_page *pg, const gl_layout_opts *lo, const gl_frame_line **out,
                         size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < pg->nlines; i++) {
        const gl_frame_line *l = &pg->lines[i];
        if (l->nruns && fabs(pg->runs[l->run0].size - lo->size) < 0.01 && n < cap)
            out[n++] = l;
    }
    return n;
}

START_TEST(test_paragraph_lines)
{
    const char *paras[] = {para_a, para_b};
    gl_doc *d = layout_doc("en", paras, 2);
    gl_layout_opts lo = trace_opts();
    gl_frames *fr = gl_layout(ctx, d, fs, &lo);
    ck_assert_msg(fr != NULL, "%s", galley_errmsg(ctx));
    ck_assert_uint_eq(fr->npages, 1);
    const gl_page *pg = &fr->pages[0];
    const gl_frame_line *ls[64];
    size_t n = body_lines(pg, &lo, ls, 64);
    // the first paragraph takes several lines at 11 pt on A4, the second one
    ck_assert_uint_ge(n, 5);
    size_t paras_ended = 0;
    double edge = lo.page_w - lo.margin_r;
    for (size_t k = 0; k < n; k++) {
        const gl_frame_line *l = ls[k];
        ck_assert_uint_eq(l->pass, 2);  // one pass at tolerance 1000 (layout.c)
        ck_assert_uint_eq(l->align, GL_SET_JUSTIFY);
        ck_assert_uint_eq(l->carry, GL_CARRY_NONE);
        if (l->ends == GL_ENDS_PARA) {
            paras_ended++;
            ck_assert_float_eq(l->set_ratio, 0);  // a last line is not justified
            continue;
        }
        // a justified line: within the tolerance (badness 1000: r <= 10^(1/3)),
        // set with the breaker's own ratio, from the margin to the edge
        ck_assert_msg(l->ratio >= -1 && l->ratio <= cbrt(10.0) + 1e-3, "line %zu: r %.3f", k,
                      l->ratio);
        ck_assert_float_eq(l->set_ratio, l->ratio);
        ck_assert_msg(fabs(l->x1 - edge) < 0.01, "line %zu ends at %.2f", k, l->x1);
        ck_assert_msg(fabs(l->x1 - l->x0 - l->measure) < 0.01, "line %zu: %.2f..%.2f in %.2f",
                      k, l->x0, l->x1, l->measure);
    }
    ck_assert_uint_eq(paras_ended, 2);
    ck_assert_uint_eq(ls[n - 1]->ends, GL_ENDS_PARA);  // the second paragraph is one line
    ck_assert_uint_eq(ls[n - 2]->ends, GL_ENDS_PARA);  // ... after the first one's last
    // the first line is indented (not after the title: 0), the rest start at the margin
    ck_assert_float_eq_tol(ls[1]->x0, lo.margin_l, 0.01);
    ck_assert_float_eq_tol(ls[n - 1]->x0, lo.margin_l + 1.5 * lo.size, 0.01);
    gl_frames_free(fr);
    gl_doc_free(d);
}
END_TEST

/* Every run is in at most one line, lines in page order; the only runs in
 * no line are the folio's. */
START_TEST(test_lines_hold_the_runs)
{
    const char *paras[] = {para_a, para_b, para_a, para_a, para_a, para_a, para_a, para_a,
                           para_a, para_a, para_a, para_a, para_a, para_a, para_a, para_b};
    gl_doc *d = layout_doc("en", paras, 16);
    gl_layout_opts lo = trace_opts();
    gl_frames *fr = gl_layout(ctx, d, fs, &lo);
    ck_assert_ptr_nonnull(fr);
    ck_assert_uint_ge(fr->npages, 2);
    size_t carried = 0;
    for (size_t p = 0; p < fr->npages; p++) {
        const gl_page *pg = &fr->pages[p];
        size_t next = 0, loose = 0;
        for (size_t i = 0; i < pg->nlines; i++) {
            const gl_frame_line *l = &pg->lines[i];
            ck_assert_uint_ge(l->run0, next);
            ck_assert_uint_ge(l->nruns, 1);
            loose += l->run0 - next;
            next = l->run0 + l->nruns;
            ck_assert_uint_le(next, pg->nruns);
            for (size_t k = l->run0; k < next; k++)
                ck_assert_float_eq(pg->runs[k].y, l->y);
            // a page carry is only ever the reason for a page's first line
            if (l->carry != GL_CARRY_NONE) {
                ck_assert_uint_eq(i, 0);
                carried++;
            }
        }
        loose += pg->nruns - next;
        ck_assert_uint_eq(loose, 1);  // the folio
    }
    ck_assert_uint_ge(carried, 1);
    gl_frames_free(fr);
    gl_doc_free(d);
}
END_TEST

/* Tracing records lines and nothing else: the runs are the same. */
START_TEST(test_trace_changes_no_run)
{
    const char *paras[] = {para_a, para_b, para_a};
    gl_doc *d = layout_doc("en", paras, 3);
    gl_layout_opts lo = trace_opts();
    gl_frames *a = gl_layout(ctx, d, fs, &lo);
    lo.trace = false;
    gl_frames *b = gl_layout(ctx, d, fs, &lo);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(a->npages, b->npages);
    for (size_t p = 0; p < a->npages; p++) {
        const gl_page *pa = &a->pages[p], *pb = &b->pages[p];
        ck_assert_uint_gt(pa->nlines, 0);
        ck_assert_uint_eq(pb->nlines, 0);
        ck_assert_ptr_null(pb->lines);
        ck_assert_uint_eq(pa->nruns, pb->nruns);
        for (size_t i = 0; i < pa->nruns; i++) {
            const gl_run *x = &pa->runs[i], *y = &pb->runs[i];
            ck_assert(x->x == y->x && x->y == y->y && x->face == y->face && x->len == y->len);
            ck_assert(!memcmp(x->text, y->text, x->len));
        }
    }
    gl_frames_free(a);
    gl_frames_free(b);
    gl_doc_free(d);
}
END_TEST

/* A narrow measure and long words: some line breaks inside a word, ends
 * "hyphen" and draws a "-" as its last run; a hard break ends "forced". */
START_TEST(test_hyphen_and_forced)
{
    const char *paras[] = {
        "Incomprehensibilities notwithstanding, internationalization and "
        "institutionalization characterize telecommunications infrastructure "
        "responsibilities, counterrevolutionaries acknowledged uncharacteristically.",
        "first line\nsecond line"};
    gl_doc *d = layout_doc("en", paras, 2);
    gl_layout_opts lo = trace_opts();
    lo.page_w = 180;
    lo.margin_l = lo.margin_r = 20;
    gl_frames *fr = gl_layout(ctx, d, fs, &lo);
    ck_assert_msg(fr != NULL, "%s", galley_errmsg(ctx));
    size_t hyphens = 0, forced = 0;
    for (size_t p = 0; p < fr->npages; p++) {
        const gl_page *pg = &fr->pages[p];
        for (size_t i = 0; i < pg->nlines; i++) {
            const gl_frame_line *l = &pg->lines[i];
            const gl_run *last = &pg->runs[l->run0 + l->nruns - 1];
            if (l->ends == GL_ENDS_HYPHEN) {
                hyphens++;
                ck_assert(last->len == 1 && last->text[0] == '-');
            }
            if (l->ends == GL_ENDS_FORCED) {
                forced++;
                ck_assert(last->len == 4 && !memcmp(last->text, "line", 4));
                ck_assert_float_eq(l->set_ratio, 0);
            }
        }
    }
    ck_assert_uint_ge(hyphens, 1);
    ck_assert_uint_eq(forced, 1);
    gl_buf out;
    gl_buf_init(&out, ctx);
    ck_assert_int_eq(gl_frames_dump(&out, fr, fs), 0);
    ck_assert_ptr_nonnull(strstr(out.data, " ends hyphen r "));
    ck_assert_ptr_nonnull(strstr(out.data, " ends forced r "));
    gl_buf_free(&out);
    gl_frames_free(fr);
    gl_doc_free(d);
}
END_TEST

/* The dump: header, faces by role and file name, lines before their runs,
 * fixed decimals, escapes; without a font set, faces by id. */
START_TEST(test_dump_format)
{
    const char *paras[] = {"Say \"hi\"\\ to\xC2\xA0them."};
    gl_doc *d = layout_doc("en", paras, 1);
    gl_layout_opts lo = trace_opts();
    gl_frames *fr = gl_layout(ctx, d, fs, &lo);
    ck_assert_ptr_nonnull(fr);
    gl_buf out;
    gl_buf_init(&out, ctx);
    ck_assert_int_eq(gl_frames_dump(&out, fr, fs), 0);
    const char *s = out.data;
    const char *head = "galley-frames 1\nsize 595.28 841.89\n"
                       "face latin-regular NotoSerif-Regular.ttf\n";
    ck_assert_msg(!strncmp(s, head, strlen(head)), "%.120s", s);
    const char *pg = strstr(s, "\npage 1 label 1\n  line y ");
    ck_assert_ptr_nonnull(pg);
    ck_assert_ptr_nonnull(strstr(pg, " ends para r 0.000 pass 2 left\n    run latin-bold 20.90 "));
    ck_assert_ptr_nonnull(strstr(s, " \"\\\"hi\\\"\\\\\"\n"));   // "hi"\ as one run
    ck_assert_ptr_nonnull(strstr(s, " \"to\\u{00A0}them.\"\n"));
    ck_assert_ptr_nonnull(strstr(s, "\n  run latin-regular 9.35 "));  // the folio: in no line
    ck_assert_ptr_nonnull(strstr(s, "\noutline 1 page 1 y "));
    ck_assert_ptr_null(strstr(s, "-0.00"));
    ck_assert_ptr_null(strstr(s, "/"));  // no directory of the fonts
    out.len = 0;
    ck_assert_int_eq(gl_frames_dump(&out, fr, NULL), 0);
    ck_assert_ptr_null(strstr(out.data, "\nface "));
    ck_assert_ptr_nonnull(strstr(out.data, "    run f1 20.90 "));
    gl_buf_free(&out);
    gl_frames_free(fr);
    gl_doc_free(d);
}
END_TEST

/* Frames made by hand: a shaped run lists its glyphs; an image and a link
 * lose their directories; an internal link names its page from 1. */
START_TEST(test_dump_glyphs_images_links)
{
    gl_glyph_pos gp[] = {{.gid = 7, .adv = 5.5f, .cluster = 0},
                         {.gid = 9, .adv = 0, .dx = -1.25f, .dy = 2, .cluster = 0},
                         {.gid = 12, .adv = 6.004f, .cluster = 2}};
    gl_run run = {.face = 0, .size = 10, .x = 1, .y = 2, .text = "fix", .len = 3,
                  .glyphs = gp, .nglyphs = 3};
    gl_image im = {.path = "/somewhere/in/a/checkout/figure.png", .x = 1, .y = 2, .w = 3, .h = 4};
    gl_link ln[] = {{.x0 = 1, .y0 = 2, .x1 = 3, .y1 = 4, .uri = "https://example.org/"},
                    {.x0 = 1, .y0 = 2, .x1 = 3, .y1 = 4, .page = 0, .y = -0.001f}};
    gl_page pg = {.runs = &run, .nruns = 1, .images = &im, .nimages = 1, .links = ln,
                  .nlinks = 2, .number = 4, .label = "iv", .front = true};
    gl_frames fr = {.width = 100, .height = 200, .pages = &pg, .npages = 1};
    gl_buf out;
    gl_buf_init(&out, ctx);
    ck_assert_int_eq(gl_frames_dump(&out, &fr, NULL), 0);
    ck_assert_str_eq(out.data, "galley-frames 1\n"
                               "size 100.00 200.00\n"
                               "page 1 label iv front\n"
                               "  run f0 10.00 1.00 2.00 \"fix\"\n"
                               "    glyphs 7:5.50@0 9:0.00:-1.25,2.00@0 12:6.00@2\n"
                               "  image figure.png 1.00 2.00 3.00 4.00\n"
                               "  link 1.00 2.00 3.00 4.00 uri \"https://example.org/\"\n"
                               "  link 1.00 2.00 3.00 4.00 page 1 y 0.00\n");
    gl_buf_free(&out);
}
END_TEST

Suite *suite_dump(void)
{
    Suite *s = suite_create("dump");
    TCase *tc = tcase_create("lines");
    tcase_add_checked_fixture(tc, layout_setup, layout_teardown);
    tcase_add_test(tc, test_paragraph_lines);
    tcase_add_test(tc, test_lines_hold_the_runs);
    tcase_add_test(tc, test_trace_changes_no_run);
    tcase_add_test(tc, test_hyphen_and_forced);
    tcase_add_test(tc, test_dump_format);
    tcase_add_test(tc, test_dump_glyphs_images_links);
    suite_add_tcase(s, tc);
    return s;
}
