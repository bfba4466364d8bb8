/*
 * test_layout.c — the layout interface: options, no overflow past the
 * measure (long URLs, long Han runs), justification to the right edge,
 * Chinese indents, missing-glyph warnings, pagination and folios.
 */
#include "layout_fixture.h"
#include "doc.h"
#include "font.h"
#include "galley_int.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>


/* Width of a run as a PDF viewer draws it. */
static double run_width(const gl_run *r)
{
    double w = 0;
    size_t i = 0, n = 0;
    while (i < r->len) {
        uint32_t cp = gl_utf8_next(r->text, r->len, &i);
        w += gl_face_advance(fs, r->face, cp) * r->size;
        n++;
    }
    return w + r->char_space * (double)(n ? n - 1 : 0);
}

/* The right end of the text area; no run may pass it. */
static void assert_no_overflow(const gl_frames *fr, const gl_layout_opts *lo)
{
    double right = lo->page_w - lo->margin_r + 0.01;
    for (size_t p = 0; p < fr->npages; p++)
        for (size_t i = 0; i < fr->pages[p].nruns; i++) {
            const gl_run *r = &fr->pages[p].runs[i];
            ck_assert_msg(r->x >= lo->margin_l - 0.01, "run starts left of the margin");
            ck_assert_msg(r->x + run_width(r) <= right, "page %zu run '%.*s' ends at %.2f > %.2f",
                          p + 1, (int)r->len, r->text, r->x + run_width(r), right);
            ck_assert_msg(r->y >= 0 && r->y <= lo->page_h, "run outside the page");
        }
}

START_TEST(test_opts_reject_tiny_area)
{
    galley_options o;
    galley_options_init(&o);
    o.margin_left_pt = o.margin_right_pt = 290;
    gl_layout_opts lo;
    ck_assert_int_eq(gl_layout_opts_from(ctx, &lo, &o), -1);
    ck_assert_int_eq(ctx->status, GALLEY_ERR_ARG);
    ck_assert_ptr_nonnull(strstr(galley_errmsg(ctx), "too small"));
}
END_TEST

START_TEST(test_long_url_and_han_run_do_not_overflow)
{
    static char url[12000], han[30001];
    strcpy(url, "See https://example.org/");
    size_t n = strlen(url);
    while (n < sizeof url - 20) {
        url[n] = (char)('a' + n % 26);
        n++;
    }
    strcpy(url + n, " end.");
    size_t k = 0;
    while (k + 3 < sizeof han) {  /* 10,000 ideographs with no punctuation */
        memcpy(han + k, "\xE4\xB8\xAD", 3);
        k += 3;
    }
    han[k] = 0;
    const char *paras[] = {url, han, "Supercalifragilisticexpialidociousnessesnesses x"};
    gl_doc *d = layout_doc("en", paras, 3);
    gl_layout_opts lo = layout_default_opts();
    lo.page_w = 200;  /* a narrow page: even long words overflow it */
    lo.margin_l = lo.margin_r = 20;
    gl_frames *fr = gl_layout(ctx, d, fs, &lo);
    ck_assert_msg(fr != NULL, "%s", galley_errmsg(ctx));
    ck_assert_int_gt(fr->npages, 5);
    assert_no_overflow(fr, &lo);
    gl_frames_free(fr);
    gl_doc_free(d);
}
END_TEST

/* A justified paragraph: every line but the last ends at the right edge. */
START_TEST(test_justified_lines_reach_right_edge)
{
    const char *p =
        "The vital role of basic research in achieving high-level technological self-reliance "
        "and self-improvement cannot be overstated. Basic research serves as the foundation for "
        "the entire scientific system, addressing technical challenges, and facilitating "
        "breakthroughs in cutting-edge technologies. It plays a decisive role in promoting the "
        "integration of technology and the economy.";
    const char *zh = "一年来的成就集中表现在：经济保持平稳较快发展，综合国力进一步增强；改革取得重要进展，"
                     "对外开放实现新突破；社会事业加快发展，人民生活继续改善。2004年，国内生产总值达到13.65万亿元，"
                     "比上年增长9.5%；财政收入2.63万亿元，增长21.4%。";
    for (int pass = 0; pass < 2; pass++) {
        const char *paras[] = {pass ? zh : p};
        gl_doc *d = layout_doc(pass ? "zh-Hans" : "en", paras, 1);
        gl_layout_opts lo = layout_default_opts();
        gl_frames *fr = gl_layout(ctx, d, fs, &lo);
        ck_assert_ptr_nonnull(fr);
        assert_no_overflow(fr, &lo);
        // group body runs by baseline; find each line's right end
        const gl_page *pg = &fr->pages[0];
        double body = lo.size;
        float ys[64];
        double right[64], left[64];
        int nl = 0;
        for (size_t i = 0; i < pg->nruns; i++) {
            const gl_run *r = &pg->runs[i];
            if (fabs(r->size - body) > 0.01)
                continue;
            int k;
            for (k = 0; k < nl && fabs(ys[k] - r->y) > 0.01; k++)
                ;
            if (k == nl) {
                ys[nl] = r->y;
                right[nl] = 0;
                left[nl] = 1e9;
                nl++;
            }
            double e = r->x + run_width(r);
            if (e > right[k])
                right[k] = e;
            if (r->x < left[k])
                left[k] = r->x;
        }
        // the folio is smaller than the body size, the title larger: nl counts body lines
        ck_assert_int_ge(nl, 3);
        double edge = lo.page_w - lo.margin_r;
        for (int k = 0; k < nl - 1; k++)
            ck_assert_msg(fabs(right[k] - edge) < 2.5 || (pass && edge - right[k] < lo.size),
                          "line %d ends at %.2f, edge %.2f", k, right[k], edge);
        if (pass) {
            // Chinese: the first line is indented two ems
            double min_left = 1e9;
            for (int k = 1; k < nl; k++)
                if (left[k] < min_left)
                    min_left = left[k];
            ck_assert_msg(fabs(left[0] - min_left - 2 * lo.size) < 0.01, "first-line indent %.2f",
                          left[0] - min_left);
        }
        gl_frames_free(fr);
        gl_doc_free(d);
    }
}
END_TEST

START_TEST(test_missing_glyph_warned_once_with_line)
{
    const char *paras[] = {"plain text", "has \xCD\xB8 unassigned \xCD\xB8 twice",
                           "an emoji \xF0\x9F\x98\x80 here"};
    gl_doc *d = layout_doc("en", paras, 3);
    gl_layout_opts lo = layout_default_opts();
    gl_frames *fr = gl_layout(ctx, d, fs, &lo);
    ck_assert_ptr_nonnull(fr);
    ck_assert_uint_eq(galley_diag_count(ctx), 2);
    const galley_diag *w0 = galley_diag_get(ctx, 0);
    ck_assert_ptr_nonnull(strstr(w0->message, "U+0378"));
    ck_assert_uint_eq(w0->line, 5);  /* make_doc puts paragraph i on line 2i+3 */
    ck_assert_str_eq(w0->source, "test.txt");
    const galley_diag *w1 = galley_diag_get(ctx, 1);
    ck_assert_ptr_nonnull(strstr(w1->message, "U+1F600"));
    ck_assert_uint_eq(w1->line, 7);
    gl_frames_free(fr);
    gl_doc_free(d);
}
END_TEST

/* Many paragraphs: several pages, each with its folio, page size as asked. */
START_TEST(test_pages_and_folios)
{
    const char *para = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod "
                       "tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, "
                       "quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo.";
    const char *paras[60];
    for (int i = 0; i < 60; i++)
        paras[i] = para;
    gl_doc *d = layout_doc("en", paras, 60);
    gl_layout_opts lo = layout_default_opts();
    lo.page_w = 420;
    lo.page_h = 595;
    gl_frames *fr = gl_layout(ctx, d, fs, &lo);
    ck_assert_ptr_nonnull(fr);
    ck_assert_int_ge(fr->npages, 4);
    ck_assert(fabs(fr->width - 420) < 0.01 && fabs(fr->height - 595) < 0.01);
    for (size_t p = 0; p < fr->npages; p++) {
        const gl_page *pg = &fr->pages[p];
        ck_assert_int_eq(pg->number, (int)p + 1);
        char num[24];
        snprintf(num, sizeof num, "%zu", p + 1);
        bool found = false, head = false;
        for (size_t i = 0; i < pg->nruns; i++) {
            const gl_run *r = &pg->runs[i];
            if (r->y < lo.margin_b && r->len == strlen(num) && !memcmp(r->text, num, r->len))
                found = true;
            // body text stays inside the top and bottom margins; above it
            // only the running head, set smaller
            if (r->y > lo.page_h - lo.margin_t) {
                ck_assert_msg(r->size < lo.size, "body text above the top margin");
                ck_assert(r->len == 5 && !memcmp(r->text, "Title", 5));
                head = true;
            }
        }
        ck_assert_msg(found, "page %zu has no folio", p + 1);
        // the running head (the title) on every page but the first
        ck_assert_msg(head == (p > 0), "page %zu: running head %d", p + 1, head);
    }
    assert_no_overflow(fr, &lo);
    gl_frames_free(fr);
    gl_doc_free(d);
}
END_TEST

Suite *suite_layout(void)
{
    Suite *s = suite_create("layout");
    TCase *tc = tcase_create("layout");
    tcase_add_checked_fixture(tc, layout_setup, layout_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_opts_reject_tiny_area);
    tcase_add_test(tc, test_long_url_and_han_run_do_not_overflow);
    tcase_add_test(tc, test_justified_lines_reach_right_edge);
    tcase_add_test(tc, test_missing_glyph_warned_once_with_line);
    tcase_add_test(tc, test_pages_and_folios);
    suite_add_tcase(s, tc);
    return s;
}
