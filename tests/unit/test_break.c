/*
 * test_break.c — the paragraph breaker (break.h) on hand-built item lists:
 * perfect fit, forced and forbidden breaks, the overfull fallback, the
 * emergency pass, hyphen demerits and the hyphen limit, a CJK run with
 * line-start-prohibited marks, first fit against total fit, looseness, an
 * exhaustive search as a reference, and a 100,000-item paragraph.
 */
#include "break.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static gl_ctx *ctx;

static void setup(void)
{
    ctx = galley_ctx_new();
    ck_assert_ptr_nonnull(ctx);
}

static void teardown(void) { galley_ctx_free(ctx); }

/* A tiny notation for item lists: "B18" a box of width 18, "_" a word
 * space glue(6, 3, 2), "-" a hyphen GL_HYPHEN(4), "|" GL_FORBID, "!"
 * GL_FORCE, "P<w>" a penalty 0 of width w. */
static size_t parse(const char *s, gl_item *it, size_t max)
{
    size_t n = 0;
    while (*s) {
        char *end;
        switch (*s) {
        case ' ':
            s++;
            continue;
        case 'B':
            ck_assert_uint_lt(n, max);
            it[n++] = GL_BOX(strtod(s + 1, &end));
            s = end;
            continue;
        case 'P':
            ck_assert_uint_lt(n, max);
            it[n++] = GL_PENALTY(strtod(s + 1, &end), 0, 0);
            s = end;
            continue;
        case '_': it[n++] = GL_GLUE(6, 3, 2); break;
        case '-': it[n++] = GL_HYPHEN(4); break;
        case '|': it[n++] = GL_FORBID; break;
        case '!': it[n++] = GL_FORCE; break;
        default: ck_abort_msg("bad item notation at '%s'", s);
        }
        ck_assert_uint_le(n, max);
        s++;
    }
    return n;
}

static gl_break_params no_pretolerance(void)
{
    gl_break_params p;
    gl_break_params_init(&p);
    p.pretolerance = -1;
    return p;
}

/* Lines cover the items in order: each starts after the previous break
 * with only discardable items skipped, and the last ends the paragraph. */
static void assert_well_formed(const gl_item *it, size_t n, const gl_break_result *r)
{
    size_t prev_end = 0;
    for (size_t i = 0; i < r->nlines; i++) {
        const gl_line *l = &r->lines[i];
        ck_assert_uint_le(l->start, l->end);
        size_t from = i == 0 ? 0 : prev_end + 1;
        ck_assert_uint_ge(l->start, from);
        for (size_t k = from; k < l->start; k++)
            ck_assert_msg(it[k].type != GL_ITEM_BOX, "line %zu skips box %zu", i, k);
        if (l->end < n)
            ck_assert(it[l->end].type != GL_ITEM_BOX);
        ck_assert(l->ratio >= -1.0);
        prev_end = l->end;
    }
    if (n) {
        ck_assert_uint_gt(r->nlines, 0);
        size_t last = r->lines[r->nlines - 1].end;
        ck_assert(last == n || (last == n - 1 && it[n - 1].type == GL_ITEM_PENALTY));
    }
}

/* Natural width of a line plus its glue set by ratio: what layout draws. */
static double set_width(const gl_item *it, size_t n, const gl_line *l)
{
    double w = 0;
    for (size_t k = l->start; k < l->end; k++) {
        if (it[k].type == GL_ITEM_BOX)
            w += it[k].width;
        else if (it[k].type == GL_ITEM_GLUE)
            w += it[k].width + l->ratio * (l->ratio >= 0 ? it[k].stretch : it[k].shrink);
    }
    if (l->end < n && it[l->end].type == GL_ITEM_PENALTY)
        w += it[l->end].width;
    return w;
}

static int max_hyphen_run(const gl_break_result *r)
{
    int run = 0, m = 0;
    for (size_t i = 0; i < r->nlines; i++) {
        run = r->lines[i].hyphenated ? run + 1 : 0;
        m = run > m ? run : m;
    }
    return m;
}

START_TEST(perfect_fit)
{
    // Three lines of exactly 100: 44 + 6 + 50, 30 + 6 + 64, then a short one.
    gl_item it[16];
    size_t n = parse("B44 _ B50 _ B30 _ B64 _ B20", it, 16);
    double w = 100;
    gl_break_result r = {0};
    ck_assert_int_eq(gl_break_total_fit(ctx, it, n, &w, 1, NULL, &r), 0);
    assert_well_formed(it, n, &r);
    ck_assert_uint_eq(r.nlines, 3);
    ck_assert_int_eq(r.pass, 1);
    ck_assert_uint_eq(r.lines[0].end, 3);
    ck_assert_uint_eq(r.lines[1].start, 4);
    ck_assert_uint_eq(r.lines[1].end, 7);
    for (int i = 0; i < 2; i++) {
        ck_assert(r.lines[i].ratio == 0);
        ck_assert(r.lines[i].badness == 0);
        ck_assert(fabs(set_width(it, n, &r.lines[i]) - 100) < 1e-9);
        ck_assert(!r.lines[i].forced && !r.lines[i].overfull && !r.lines[i].emergency);
    }
    // The last line is set at natural width, not stretched to 100.
    ck_assert(r.lines[2].forced);
    ck_assert(r.lines[2].ratio == 0);
    ck_assert(r.lines[2].natural == 20);
    // (10 + 0)^2 per line.
    ck_assert(fabs(r.demerits - 300) < 1e-9);
    gl_break_result_free(&r);
}
END_TEST

START_TEST(first_line_width)
{
    // Same words; the first line is 50 narrower (an indent): 44 alone.
    gl_item it[16];
    size_t n = parse("B44 _ B44 _ B44 _ B44", it, 16);
    double w[] = {50, 94};
    gl_break_result r = {0};
    ck_assert_int_eq(gl_break_total_fit(ctx, it, n, w, 2, NULL, &r), 0);
    assert_well_formed(it, n, &r);
    ck_assert_uint_eq(r.nlines, 3);
    ck_assert_uint_eq(r.lines[0].end, 1);
    ck_assert(r.lines[0].measure == 50 && r.lines[1].measure == 94);
    ck_assert(r.lines[1].ratio == 0);
    gl_break_result_free(&r);
}
END_TEST

START_TEST(forced_break)
{
    // A forced break after the first word although everything fits in one line.
    gl_item it[16];
    size_t n = parse("B20 ! _ B20 _ B20", it, 16);
    double w = 200;
    gl_break_result r = {0};
    ck_assert_int_eq(gl_break_total_fit(ctx, it, n, &w, 1, NULL, &r), 0);
    assert_well_formed(it, n, &r);
    ck_assert_uint_eq(r.nlines, 2);
    ck_assert_uint_eq(r.lines[0].end, 1);
    ck_assert(r.lines[0].forced);
    ck_assert(r.lines[0].ratio == 0);
    // The glue after the forced break is discarded: the line starts at the box.
    ck_assert_uint_eq(r.lines[1].start, 3);
    // A trailing forced break ends the paragraph: no empty line after it.
    n = parse("B20 _ B20 !", it, 16);
    ck_assert_int_eq(gl_break_total_fit(ctx, it, n, &w, 1, NULL, &r), 0);
    ck_assert_uint_eq(r.nlines, 1);
    ck_assert_uint_eq(r.lines[0].end, 3);
    // First fit obeys it too.
    n = parse("B20 ! _ B20 _ B20", it, 16);
    ck_assert_int_eq(gl_break_first_fit(ctx, it, n, &w, 1, NULL, &r), 0);
    ck_assert_uint_eq(r.nlines, 2);
    ck_assert_uint_eq(r.lines[0].end, 1);
    gl_break_result_free(&r);
}
END_TEST

START_TEST(forbidden_break)
{
    // The perfect break (glue 3) is forbidden by the penalty before it; the
    // next best is a loose line ending at glue 1 (44 + stretch).
    gl_item it[16];
    double w = 100;
    gl_break_result r = {0};
    size_t n = parse("B44 _ B50 _ B30 _ B64", it, 16);
    ck_assert_int_eq(gl_break_total_fit(ctx, it, n, &w, 1, NULL, &r), 0);
    ck_assert_uint_eq(r.lines[0].end, 3);  // allowed: the perfect fit
    n = parse("B44 _ B50 | _ B30 _ B64", it, 16);
    gl_break_params p = no_pretolerance();
    p.tolerance = 10000;
    ck_assert_int_eq(gl_break_total_fit(ctx, it, n, &w, 1, &p, &r), 0);
    assert_well_formed(it, n, &r);
    for (size_t i = 0; i < r.nlines; i++)
        ck_assert_uint_ne(r.lines[i].end, 4);  // the glue after '|'
    ck_assert(r.lines[0].end != 3);            // the penalty itself is no break
    // An infinite penalty on its own (no glue) is no break either.
    n = parse("B60 P0 B40 _ B10", it, 16);
    it[1].penalty = GL_BRK_INF;
    ck_assert_int_eq(gl_break_total_fit(ctx, it, n, &w, 1, &p, &r), 0);
    for (size_t i = 0; i < r.nlines; i++)
        ck_assert_uint_ne(r.lines[i].end, 1);
    ck_assert_int_eq(gl_break_first_fit(ctx, it, n, &w, 1, &p, &r), 0);
    for (size_t i = 0; i < r.nlines; i++)
        ck_assert_uint_ne(r.lines[i].end, 1);
    gl_break_result_free(&r);
}
END_TEST

START_TEST(overfull_fallback)
{
    // A 250-wide box in a 100 measure: it goes on a line of its own, marked
    // overfull; every other line fits.
    gl_item it[32];
    size_t n = parse("B30 _ B30 _ B30 _ B250 _ B30 _ B30 _ B30", it, 32);
    double w = 100;
    gl_break_result r = {0};
    for (int algo = 0; algo < 2; algo++) {
        gl_break_fn fn = algo ? gl_break_first_fit : gl_break_total_fit;
        ck_assert_int_eq(fn(ctx, it, n, &w, 1, NULL, &r), 0);
        assert_well_formed(it, n, &r);
        if (!algo)
            ck_assert_int_eq(r.pass, 4);
        int overfull = 0;
        for (size_t i = 0; i < r.nlines; i++) {
            const gl_line *l = &r.lines[i];
            if (l->overfull) {
                overfull++;
                ck_assert_uint_eq(l->start, 6);
                ck_assert_uint_eq(l->end, 7);
                ck_assert(l->natural == 250);
            } else {
                ck_assert(set_width(it, n, l) <= 100 + 1e-9);
            }
        }
        ck_assert_int_eq(overfull, 1);
    }
    // Split into per-character boxes with zero penalties between them (what
    // layout does to a long URL), nothing is overfull.
    gl_item u[64];
    size_t m = 0;
    for (int k = 0; k < 25; k++) {
        if (k)
            u[m++] = GL_PENALTY(0, 0, 0);
        u[m++] = GL_BOX(10);
    }
    ck_assert_int_eq(gl_break_total_fit(ctx, u, m, &w, 1, NULL, &r), 0);
    assert_well_formed(u, m, &r);
    ck_assert_uint_eq(r.nlines, 3);
    for (size_t i = 0; i < r.nlines; i++)
        ck_assert(!r.lines[i].overfull && r.lines[i].natural <= 100);
    gl_break_result_free(&r);
}
END_TEST

START_TEST(emergency_pass)
{
    // The only line that is not overfull is 10 + 6 + 10 in 60 (then 50):
    // ratio 34/3, far past tolerance.  An emergency stretch of 0.75 x 60
    // gives badness 100 (34/48)^3 = 36: the emergency pass sets it; without
    // emergency stretch the fallback pass does.
    gl_item it[8];
    size_t n = parse("B10 _ B10 _ B50", it, 8);
    double w = 60;
    gl_break_result r = {0};
    gl_break_params p;
    gl_break_params_init(&p);
    p.emergency_stretch = 0.75;
    ck_assert_int_eq(gl_break_total_fit(ctx, it, n, &w, 1, &p, &r), 0);
    assert_well_formed(it, n, &r);
    ck_assert_int_eq(r.pass, 3);
    ck_assert_uint_eq(r.nlines, 2);
    ck_assert(r.lines[0].emergency);
    ck_assert(fabs(r.lines[0].ratio - 34.0 / 3) < 1e-9);  // the real ratio, for layout
    ck_assert(fabs(set_width(it, n, &r.lines[0]) - 60) < 1e-9);
    p.emergency_stretch = 0;
    ck_assert_int_eq(gl_break_total_fit(ctx, it, n, &w, 1, &p, &r), 0);
    ck_assert_int_eq(r.pass, 4);
    ck_assert(!r.lines[0].overfull && !r.lines[1].overfull);
    gl_break_result_free(&r);
}
END_TEST

START_TEST(double_hyphen_demerits)
{
    // Found by search: with no cost for consecutive hyphens the optimum has
    // two hyphenated lines in a row; with the default 3000 a solution
    // without them exists and wins.
    static const char *cases[] = {
        "B7 - B14 _ B25 - B26 _ B15 - B13 - B30 _ B22 - B25 _ B6 - B19 - B8",
        "B27 - B29 - B28 _ B12 - B10 - B6 _ B14 - B13 - B13 _ B15 _ B22 - B6 - B21 _ B20 - B14",
    };
    static const double widths[] = {119, 116};
    for (int c = 0; c < 2; c++) {
        gl_item it[64];
        size_t n = parse(cases[c], it, 64);
        gl_break_params p = no_pretolerance();
        p.double_hyphen_demerits = 0;
        gl_break_result r = {0};
        ck_assert_int_eq(gl_break_total_fit(ctx, it, n, &widths[c], 1, &p, &r), 0);
        ck_assert_int_eq(r.pass, 2);
        ck_assert_int_ge(max_hyphen_run(&r), 2);
        double cheap = r.demerits;
        p.double_hyphen_demerits = 3000;
        ck_assert_int_eq(gl_break_total_fit(ctx, it, n, &widths[c], 1, &p, &r), 0);
        assert_well_formed(it, n, &r);
        ck_assert_int_eq(r.pass, 2);
        ck_assert_int_le(max_hyphen_run(&r), 1);
        ck_assert(r.demerits > cheap);  // the price of avoiding them
        ck_assert(r.demerits < cheap + 3000);
        gl_break_result_free(&r);
    }
}
END_TEST

START_TEST(hyphen_limit)
{
    // Found by search: free consecutive hyphens give three hyphenated lines
    // in a row; max_hyphen_lines = 2 (the default) never allows that.
    static const char *cases[] = {
        "B18 - B17 - B6 _ B7 _ B11 _ B28 _ B7 _ B7 - B16 - B8 _ B13 _ B12 - B24 - B21 _ B19 - "
        "B22 - B20",
        "B22 - B16 _ B20 - B6 _ B27 - B15 - B13 _ B15 _ B9 - B7 _ B23 - B6 - B13 _ B9 - B16 _ "
        "B15 - B28 - B13 _ B7 - B10",
    };
    static const double widths[] = {74, 104};
    for (int c = 0; c < 2; c++) {
        gl_item it[64];
        size_t n = parse(cases[c], it, 64);
        gl_break_params p = no_pretolerance();
        p.double_hyphen_demerits = 0;
        p.max_hyphen_lines = 0;  // unlimited
        gl_break_result r = {0};
        ck_assert_int_eq(gl_break_total_fit(ctx, it, n, &widths[c], 1, &p, &r), 0);
        ck_assert_int_ge(max_hyphen_run(&r), 3);
        p.max_hyphen_lines = 2;
        ck_assert_int_eq(gl_break_total_fit(ctx, it, n, &widths[c], 1, &p, &r), 0);
        assert_well_formed(it, n, &r);
        ck_assert_int_eq(r.pass, 2);
        ck_assert_int_le(max_hyphen_run(&r), 2);
        // First fit keeps the limit as well.
        ck_assert_int_eq(gl_break_first_fit(ctx, it, n, &widths[c], 1, &p, &r), 0);
        ck_assert_int_le(max_hyphen_run(&r), 2);
        // One hyphen in a row at most.
        p.max_hyphen_lines = 1;
        ck_assert_int_eq(gl_break_total_fit(ctx, it, n, &widths[c], 1, &p, &r), 0);
        ck_assert_int_le(max_hyphen_run(&r), 1);
        gl_break_result_free(&r);
    }
}
END_TEST

/* A Han run: 10-wide characters separated by glue(0, 1, 0); every 7th is a
 * closing mark (。，…) that may not start a line: GL_FORBID before its glue. */
static size_t cjk_run(gl_item *it, bool *punct, size_t nchars, bool prohibit)
{
    size_t n = 0;
    for (size_t k = 0; k < nchars; k++) {
        bool p = k % 7 == 6 || k % 11 == 10;
        if (k) {
            if (p && prohibit)
                it[n++] = GL_FORBID;
            it[n++] = GL_GLUE(0, 1, 0);
        }
        punct[n] = p;
        it[n++] = GL_BOX(10);
    }
    return n;
}

START_TEST(cjk_prohibited_starts)
{
    enum { NC = 400 };
    static gl_item it[3 * NC];
    static bool punct[3 * NC];
    double w = 95;
    gl_break_result r = {0};
    // Without the rule some line starts with a mark (so the test has teeth).
    memset(punct, 0, sizeof punct);
    size_t n = cjk_run(it, punct, NC, false);
    ck_assert_int_eq(gl_break_total_fit(ctx, it, n, &w, 1, NULL, &r), 0);
    int bad = 0;
    for (size_t i = 1; i < r.nlines; i++)
        bad += punct[r.lines[i].start];
    ck_assert_int_gt(bad, 0);
    // With it, none does, and every line still fits.
    memset(punct, 0, sizeof punct);
    n = cjk_run(it, punct, NC, true);
    for (int algo = 0; algo < 2; algo++) {
        gl_break_fn fn = algo ? gl_break_first_fit : gl_break_total_fit;
        ck_assert_int_eq(fn(ctx, it, n, &w, 1, NULL, &r), 0);
        assert_well_formed(it, n, &r);
        for (size_t i = 0; i < r.nlines; i++) {
            const gl_line *l = &r.lines[i];
            ck_assert_msg(!punct[l->start], "line %zu starts with a closing mark", i);
            ck_assert(!l->overfull);
            if (i + 1 < r.nlines)
                ck_assert(fabs(set_width(it, n, l) - 95) < 1e-9);  // justified
        }
    }
    gl_break_result_free(&r);
}
END_TEST

static const char *frog =
    "In olden times when wishing still helped one, there lived a king whose daughters were all "
    "beautiful; and the youngest was so beautiful that the sun itself, which has seen so much, "
    "was astonished whenever it shone in her face. Close by the king's castle lay a great dark "
    "forest, and under an old lime-tree in the forest was a well, and when the day was very "
    "warm, the king's child went out into the forest and sat down by the side of the cool "
    "fountain; and when she was bored she took a golden ball, and threw it up on high and "
    "caught it; and this ball was her favorite plaything.";

static double max_abs_ratio(const gl_break_result *r)
{
    double m = 0;
    for (size_t i = 0; i + 1 < r->nlines; i++)
        m = fmax(m, fabs(r->lines[i].ratio));
    return m;
}

START_TEST(first_fit_vs_total_fit)
{
    // Knuth and Plass's own example text, 5 units a letter.
    gl_item it[400];
    size_t n = 0;
    for (const char *s = frog; *s;) {
        size_t len = strcspn(s, " ");
        if (n)
            it[n++] = GL_GLUE(6, 3, 2);
        it[n++] = GL_BOX(5.0 * (double)len);
        s += len + (s[len] == ' ');
    }
    gl_break_result kp = {0}, ff = {0};
    for (double w = 250; w <= 500; w += 25) {
        ck_assert_int_eq(gl_break_total_fit(ctx, it, n, &w, 1, NULL, &kp), 0);
        ck_assert_int_eq(gl_break_first_fit(ctx, it, n, &w, 1, NULL, &ff), 0);
        assert_well_formed(it, n, &kp);
        assert_well_formed(it, n, &ff);
        ck_assert_msg(max_abs_ratio(&kp) < max_abs_ratio(&ff), "w %g: kp %g ff %g", w,
                      max_abs_ratio(&kp), max_abs_ratio(&ff));
        ck_assert(kp.demerits < ff.demerits);
        for (size_t i = 0; i < ff.nlines; i++)
            ck_assert(!ff.lines[i].overfull);
    }
    gl_break_result_free(&kp);
    gl_break_result_free(&ff);
}
END_TEST

START_TEST(looseness)
{
    gl_item it[400];
    size_t n = 0;
    for (const char *s = frog; *s;) {
        size_t len = strcspn(s, " ");
        if (n)
            it[n++] = GL_GLUE(6, 3, 4);  // shrinkable enough for one line fewer
        it[n++] = GL_BOX(5.0 * (double)len);
        s += len + (s[len] == ' ');
    }
    double w = 400;
    gl_break_params p;
    gl_break_params_init(&p);
    p.tolerance = p.pretolerance = 1000;
    gl_break_result r = {0};
    ck_assert_int_eq(gl_break_total_fit(ctx, it, n, &w, 1, &p, &r), 0);
    size_t optimum = r.nlines;
    p.looseness = 1;
    ck_assert_int_eq(gl_break_total_fit(ctx, it, n, &w, 1, &p, &r), 0);
    assert_well_formed(it, n, &r);
    ck_assert_uint_eq(r.nlines, optimum + 1);
    p.looseness = -1;
    ck_assert_int_eq(gl_break_total_fit(ctx, it, n, &w, 1, &p, &r), 0);
    ck_assert_uint_eq(r.nlines, optimum - 1);
    gl_break_result_free(&r);
}
END_TEST

/* ---------------------------------------------------------------- reference */

/* Exhaustive dynamic programme over (break, lines so far, fitness, hyphens
 * in a row), written independently of break.c from the rules in break.h:
 * the optimum demerits of the tolerance pass (INFINITY when infeasible). */
static double reference(const gl_item *it, size_t n, const double *W, size_t nw, double tol,
                        int maxh)
{
    enum { LMAX = 80 };
    size_t nstate = (n + 2) * LMAX * 16;
    double *D = malloc(nstate * sizeof *D);
    ck_assert_ptr_nonnull(D);
    for (size_t i = 0; i < nstate; i++)
        D[i] = INFINITY;
#define IDX(p, l, f, h) ((((p) * LMAX + (l)) * 4 + (f)) * 4 + (h))
    D[IDX(0, 0, 2, 0)] = 0;
    bool forced_end = it[n - 1].type == GL_ITEM_PENALTY && it[n - 1].penalty <= -GL_BRK_INF;
    size_t lastb = forced_end ? n - 1 : n;
    double best = INFINITY;
    for (size_t p = 0; p <= n; p++) {  // p = 0: paragraph start; p = k + 1: break at k
        if (p > 0 && p - 1 == lastb)
            continue;
        size_t start = 0;
        if (p > 0)
            for (start = p; start < n; start++)
                if (it[start].type == GL_ITEM_BOX
                    || (it[start].type == GL_ITEM_PENALTY && it[start].penalty <= -GL_BRK_INF))
                    break;
        for (int l = 0; l < LMAX - 1; l++)
            for (int f = 0; f < 4; f++)
                for (int h = 0; h < 4; h++) {
                    double d0 = D[IDX(p, l, f, h)];
                    if (!isfinite(d0))
                        continue;
                    double w = 0, st = 0, sh = 0, L = W[(size_t)l < nw ? (size_t)l : nw - 1];
                    for (size_t j = start; j <= lastb; j++) {
                        bool legal = false, forced = false, flag = false;
                        double pen = 0, pw = 0;
                        if (j == n)
                            legal = forced = true;
                        else if (it[j].type == GL_ITEM_GLUE)
                            legal = j > 0 && it[j - 1].type == GL_ITEM_BOX;
                        else if (it[j].type == GL_ITEM_PENALTY && it[j].penalty < GL_BRK_INF) {
                            legal = true;
                            forced = it[j].penalty <= -GL_BRK_INF;
                            flag = it[j].flagged;
                            pen = it[j].penalty;
                            pw = it[j].width;
                        }
                        if (legal && (p == 0 || j >= p)) {
                            double lw = w + pw, bad = 0;
                            int fit = 2;
                            if (lw > L + 1e-9 && lw - sh > L + 1e-9)
                                break;  // overfull: no later break fits either
                            if (lw < L - 1e-9 && !forced) {
                                bad = st > 0 ? fmin(1e4, 100 * pow((L - lw) / st, 3)) : 1e4;
                                fit = bad > 99 ? 0 : bad > 12 ? 1 : 2;
                            } else if (lw > L + 1e-9) {
                                bad = fmin(1e4, 100 * pow((lw - L) / sh, 3));
                                fit = bad > 12 ? 3 : 2;
                            }
                            int nh = flag ? h + 1 : 0;
                            if (bad <= tol && nh <= maxh) {
                                double dd = 10 + bad;
                                dd = dd >= 1e4 ? 1e8 : dd * dd;
                                if (!forced)
                                    dd += pen > 0 ? pen * pen : -pen * pen;
                                if (flag && h > 0)
                                    dd += 3000;
                                else if (j == lastb && h > 0)
                                    dd += 5000;
                                if (abs(fit - f) > 1)
                                    dd += 100;
                                double t = d0 + dd;
                                if (j == lastb)
                                    best = fmin(best, t);
                                else if (t < D[IDX(j + 1, l + 1, fit, nh)])
                                    D[IDX(j + 1, l + 1, fit, nh)] = t;
                            }
                            if (forced)
                                break;
                        }
                        if (j < n && it[j].type != GL_ITEM_PENALTY)
                            w += it[j].width;
                        if (j < n && it[j].type == GL_ITEM_GLUE) {
                            st += it[j].stretch;
                            sh += it[j].shrink;
                        }
                    }
                }
    }
#undef IDX
    free(D);
    return best;
}

static unsigned long rng;
static unsigned rnd(void)
{
    rng = rng * 6364136223846793005UL + 1442695040888963407UL;
    return (unsigned)(rng >> 33);
}

/* Words of 1-3 syllables (hyphens between), some spaces unbreakable, a few
 * forced breaks. */
static size_t random_paragraph(gl_item *it, int nwords)
{
    size_t n = 0;
    for (int w = 0; w < nwords; w++) {
        if (w) {
            if (rnd() % 10 == 0)
                it[n++] = GL_FORBID;
            it[n++] = GL_GLUE(6, 3, 2);
        }
        int ns = 1 + (int)(rnd() % 3);
        for (int s = 0; s < ns; s++) {
            if (s)
                it[n++] = GL_HYPHEN(4);
            it[n++] = GL_BOX(6 + rnd() % 25);
        }
        if (rnd() % 40 == 0)
            it[n++] = GL_FORCE;
    }
    return n;
}

static bool legal_break(const gl_item *it, size_t k)
{
    if (it[k].type == GL_ITEM_GLUE)
        return k > 0 && it[k - 1].type == GL_ITEM_BOX;
    return it[k].type == GL_ITEM_PENALTY && it[k].penalty < GL_BRK_INF;
}

START_TEST(matches_exhaustive_search)
{
    // The pruned active list loses nothing: same optimum as trying every
    // sequence of breaks, over random paragraphs, measures, limits.
    static gl_item it[400];
    int compared = 0;
    for (int trial = 0; trial < 600; trial++) {
        rng = (unsigned long)trial + 1;
        size_t n = random_paragraph(it, 5 + (int)(rnd() % 30));
        double W[2] = {90 + rnd() % 150, 0};
        W[1] = W[0] + (rnd() % 2 ? 0 : 20);
        size_t nw = 1 + rnd() % 2;
        gl_break_params p = no_pretolerance();
        p.emergency_stretch = 0;
        p.max_hyphen_lines = 1 + (int)(rnd() % 3);
        p.tolerance = rnd() % 2 ? 200 : 1000;
        gl_break_result r = {0};
        ck_assert_int_eq(gl_break_total_fit(ctx, it, n, W, nw, &p, &r), 0);
        assert_well_formed(it, n, &r);
        double want = reference(it, n, W, nw, p.tolerance, p.max_hyphen_lines);
        if (isfinite(want)) {
            compared++;
            ck_assert_int_eq(r.pass, 2);
            ck_assert_msg(fabs(r.demerits - want) <= 1e-6 * want, "trial %d: %g, optimum %g",
                          trial, r.demerits, want);
        } else {
            ck_assert_int_eq(r.pass, 4);  // infeasible at tolerance: the fallback
        }
        // Overfull only where no legal break lies inside the line (words
        // joined by forbidden spaces wider than the measure).
        for (size_t i = 0; i < r.nlines; i++)
            if (r.lines[i].overfull)
                for (size_t k = r.lines[i].start; k < r.lines[i].end; k++)
                    ck_assert_msg(!legal_break(it, k), "trial %d: line %zu could break at %zu",
                                  trial, i, k);
        gl_break_result_free(&r);
    }
    ck_assert_int_gt(compared, 150);
}
END_TEST

START_TEST(hundred_thousand_items)
{
    size_t cap = 100000 + 100;
    gl_item *it = malloc(cap * sizeof *it);
    ck_assert_ptr_nonnull(it);
    rng = 42;
    size_t n = 0;
    while (n < 100000) {
        if (n)
            it[n++] = GL_GLUE(6, 3, 2);
        int ns = 1 + (int)(rnd() % 3);
        for (int s = 0; s < ns; s++) {
            if (s)
                it[n++] = GL_HYPHEN(4);
            it[n++] = GL_BOX(6 + rnd() % 25);
        }
    }
    double w[] = {280, 300};
    gl_break_result r = {0};
    ck_assert_int_eq(gl_break_total_fit(ctx, it, n, w, 2, NULL, &r), 0);
    assert_well_formed(it, n, &r);
    ck_assert_int_le(r.pass, 2);
    ck_assert_uint_gt(r.nlines, 1000);
    ck_assert_int_le(max_hyphen_run(&r), 2);
    for (size_t i = 0; i + 1 < r.nlines; i++) {
        ck_assert(!r.lines[i].overfull);
        ck_assert(r.lines[i].badness <= 200);
        ck_assert(fabs(set_width(it, n, &r.lines[i]) - r.lines[i].measure) < 1e-6);
    }
    gl_break_result first = r;
    memset(&r, 0, sizeof r);
    ck_assert_int_eq(gl_break_first_fit(ctx, it, n, w, 2, NULL, &r), 0);
    assert_well_formed(it, n, &r);
    ck_assert(first.demerits < r.demerits);
    gl_break_result_free(&first);
    gl_break_result_free(&r);
    free(it);
}
END_TEST

START_TEST(degenerate_input)
{
    gl_break_result r = {0};
    double w = 100;
    // Nothing to break.
    ck_assert_int_eq(gl_break_total_fit(ctx, NULL, 0, &w, 1, NULL, &r), 0);
    ck_assert_uint_eq(r.nlines, 0);
    // Bad widths are argument errors.
    gl_item it[4] = {GL_BOX(1)};
    double bad = 0;
    ck_assert_int_eq(gl_break_total_fit(ctx, it, 1, &bad, 1, NULL, &r), -1);
    gl_clear_error(ctx);
    ck_assert_int_eq(gl_break_first_fit(ctx, it, 1, NULL, 0, NULL, &r), -1);
    gl_clear_error(ctx);
    // 20,000 empty boxes between glue(1, 1, 0.2) in a measure of 1000: about
    // a thousand breaks fit each line, so the active list reaches its cap.
    size_t n = 40000;
    gl_item *z = calloc(n, sizeof *z);
    ck_assert_ptr_nonnull(z);
    for (size_t k = 0; k < n; k++)
        z[k] = k % 2 ? GL_GLUE(1, 1, 0.2) : GL_BOX(0);
    gl_break_params p;
    gl_break_params_init(&p);
    p.max_active = 64;
    w = 1000;
    ck_assert_int_eq(gl_break_total_fit(ctx, z, n - 1, &w, 1, &p, &r), 0);
    assert_well_formed(z, n - 1, &r);
    ck_assert_uint_ge(r.nlines, 19);
    for (size_t i = 0; i < r.nlines; i++)
        ck_assert(!r.lines[i].overfull);
    free(z);
    gl_break_result_free(&r);
    gl_break_result_free(NULL);
}
END_TEST

Suite *suite_break(void)
{
    Suite *s = suite_create("break");
    TCase *tc = tcase_create("break");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, perfect_fit);
    tcase_add_test(tc, first_line_width);
    tcase_add_test(tc, forced_break);
    tcase_add_test(tc, forbidden_break);
    tcase_add_test(tc, overfull_fallback);
    tcase_add_test(tc, emergency_pass);
    tcase_add_test(tc, double_hyphen_demerits);
    tcase_add_test(tc, hyphen_limit);
    tcase_add_test(tc, cjk_prohibited_starts);
    tcase_add_test(tc, first_fit_vs_total_fit);
    tcase_add_test(tc, looseness);
    tcase_add_test(tc, matches_exhaustive_search);
    tcase_add_test(tc, hundred_thousand_items);
    tcase_add_test(tc, degenerate_input);
    suite_add_tcase(s, tc);
    return s;
}
