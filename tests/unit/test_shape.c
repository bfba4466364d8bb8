/*
 * test_shape.c — OpenType shaping of words (items.c, shape.c, font.c):
 * kerning and ligatures as HarfBuzz gives them, the pairs learnt from
 * shaped words giving the same advances without HarfBuzz, and a word cut
 * by a line break inside a ligature shaped again on each side.
 */
#include "items.h"

#include <check.h>
#include <math.h>
#include <string.h>

static gl_ctx *ctx;
static gl_fontset *fs;
static gl_doc *doc;
static gl_shaper sh;

static const char *latin;     /* a Latin regular face other than the bundled one, or NULL */
static const char *features;  /* gl_font_config.features, or NULL */

static void setup(void)
{
    ctx = galley_ctx_new();
    gl_font_config fc = {.font_dir = "../fonts", .latin = {latin}, .features = features};
    fs = gl_fontset_new(ctx, &fc);
    ck_assert_msg(fs != NULL, "%s", galley_errmsg(ctx));
    doc = gl_doc_new(ctx, "t.txt");
    doc->meta.lang = "en";
    gl_shaper_init(&sh, ctx, doc, fs, GALLEY_PUNCT_GB, NULL);
}

static void teardown(void)
{
    gl_shaper_free(&sh);
    gl_doc_free(doc);
    gl_fontset_free(fs);
    galley_ctx_free(ctx);
}

static const gl_text_style TS = {.size = 10, .style = GL_F_REGULAR};

static void shape(const char *s)
{
    ck_assert_int_eq(gl_shape(&sh, NULL, s, strlen(s), &TS), 0);
}

/* HarfBuzz's own advances for a word, in points at TS.size. */
static size_t hb_advances(const char *w, gl_shaped *out, size_t cap)
{
    int n = gl_face_shape(fs, GL_FACE_LATIN_REGULAR, w, strlen(w), "en", out, cap);
    ck_assert_msg(n > 0, "%s", w);
    ck_assert_int_gt(n, 0);
    ck_assert_int_le(n, (int)cap);
    return (size_t)n;
}

/* Each kerned word's letters advance exactly as HarfBuzz shapes them, the
 * first time (through HarfBuzz) and every time after (from the pairs
 * learnt), and the kerning is real: narrower than the nominal advances. */
static void check_kerning(const char *third)
{
    const char *words[] = {"AVATAR", "To", third, "WA", "Yo", "Va"};
    for (int round = 0; round < 3; round++) {
        for (size_t w = 0; w < sizeof words / sizeof *words; w++) {
            shape(words[w]);
            gl_shaped hb[16];
            size_t n = hb_advances(words[w], hb, 16);
            ck_assert_uint_eq(n, strlen(words[w]));
            double nominal = 0, got = 0, want = 0;
            for (size_t i = 0; i < n; i++) {
                ck_assert_msg(fabs(sh.g[i].adv - hb[i].adv * TS.size) < 1e-4,
                              "%s[%zu] (round %d): %.4f, HarfBuzz %.4f", words[w], i, round,
                              sh.g[i].adv, hb[i].adv * TS.size);
                nominal += gl_face_advance(fs, GL_FACE_LATIN_REGULAR, sh.g[i].cp) * TS.size;
                got += sh.g[i].adv;
                want += hb[i].adv * TS.size;
            }
            ck_assert_msg(got < nominal - 0.05, "%s is not kerned: %.3f vs %.3f", words[w], got,
                          nominal);
            ck_assert(fabs(got - want) < 1e-3);
            ck_assert(sh.g[0].flags & (GL_G_KERNED | GL_G_SHAPED));
        }
    }
}

START_TEST(test_kerning_matches_harfbuzz)
{
    check_kerning("Te");  // Noto Serif does not kern Ty
}
END_TEST

/* Ligatures: fewer glyphs than letters; the cluster's first letter draws
 * the ligature glyph, the others continue it, and the word keeps its
 * shaped width. */
/* The same in DejaVu Serif (Debian's fonts-dejavu-core). */
START_TEST(test_kerning_dejavu)
{
    teardown();
    latin = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf";
    setup();
    latin = NULL;
    check_kerning("Te");  // nor does DejaVu Serif kern Ty
}
END_TEST

START_TEST(test_ligatures)
{
    const char *words[] = {"office", "flag", "waffle"};
    for (size_t w = 0; w < 3; w++) {
        shape(words[w]);
        size_t glyphs = 0, conts = 0;
        double width = 0;
        for (size_t i = 0; i < sh.ng; i++) {
            glyphs += (sh.g[i].flags & GL_G_SHAPED) ? sh.g[i].nsg
                      : (sh.g[i].flags & GL_G_CONT) ? 0 : 1;
            conts += (sh.g[i].flags & GL_G_CONT) != 0;
            width += sh.g[i].adv;
        }
        ck_assert_msg(glyphs < strlen(words[w]), "%s: %zu glyphs", words[w], glyphs);
        ck_assert_uint_eq(glyphs + conts, strlen(words[w]));
        gl_shaped hb[16];
        size_t n = hb_advances(words[w], hb, 16);
        ck_assert_uint_eq(n, glyphs);
        double want = 0;
        for (size_t i = 0; i < n; i++)
            want += hb[i].adv * TS.size;
        ck_assert(fabs(width - want) < 1e-3);
    }
    // "office": o, then f_f_i for f f i, c, e
    shape("office");
    ck_assert(sh.g[1].flags & GL_G_SHAPED);
    ck_assert_uint_eq(sh.g[1].nsg, 1);
    ck_assert(sh.g[2].flags & GL_G_CONT);
    ck_assert(sh.g[3].flags & GL_G_CONT);
    ck_assert(!(sh.g[4].flags & GL_G_CONT));
    ck_assert_uint_ne(sh.sgl[sh.g[1].sg].gid, gl_face_glyph(fs, GL_FACE_LATIN_REGULAR, 'f'));
}
END_TEST

/* A line break after "af" in "affluent" cuts its "ffl" ligature: each side
 * is shaped again on its own, "af" with a plain f, "fluent" with its own
 * "fl" ligature, and the width change is reported. */
START_TEST(test_hyphen_inside_ligature_reshapes_both_sides)
{
    const char *w = "affluent";
    shape(w);
    ck_assert(sh.g[1].flags & GL_G_SHAPED);
    ck_assert(sh.g[2].flags & GL_G_CONT);
    double delta = 0;
    ck_assert_int_eq(gl_reshape_ends(&sh, w, 0, 1, &delta), 0);  // the line "af-"
    ck_assert(!(sh.g[1].flags & GL_G_CONT));
    double f = gl_face_advance(fs, GL_FACE_LATIN_REGULAR, 'f') * TS.size;
    ck_assert_msg(fabs(sh.g[1].adv - f) < 0.05, "af: f advances %.3f, not %.3f", sh.g[1].adv, f);
    ck_assert(delta != 0);
    ck_assert_int_eq(gl_reshape_ends(&sh, w, 2, 7, &delta), 0);  // the line "fluent"
    ck_assert(sh.g[2].flags & GL_G_SHAPED);  // "fl" starts the line
    ck_assert(sh.g[3].flags & GL_G_CONT);
    gl_shaped hb[16];
    size_t n = hb_advances("fluent", hb, 16);
    double want = 0, got = 0;
    for (size_t i = 0; i < n; i++)
        want += hb[i].adv * TS.size;
    for (size_t i = 2; i < 8; i++)
        got += sh.g[i].adv;
    ck_assert(fabs(got - want) < 1e-3);
}
END_TEST

/* --font-features: "-liga" keeps the letters of "office" apart, "+onum"
 * gives figures their old-style glyphs; a bad list is refused. */
START_TEST(test_features)
{
    teardown();
    features = "-liga, +onum";
    setup();
    features = NULL;
    shape("office 1984");
    for (size_t i = 0; i < sh.ng; i++)
        ck_assert(!(sh.g[i].flags & GL_G_CONT));
    size_t one = 7;
    ck_assert_uint_eq(sh.g[one].cp, '1');
    ck_assert(sh.g[one].flags & GL_G_SHAPED);
    ck_assert_uint_ne(sh.sgl[sh.g[one].sg].gid, gl_face_glyph(fs, GL_FACE_LATIN_REGULAR, '1'));
    char bad[32];
    ck_assert_int_eq(gl_font_features_check("+onum, -liga", bad, sizeof bad), 2);
    ck_assert_int_eq(gl_font_features_check("\"smcp\" 1,ss01=2", bad, sizeof bad), 2);
    ck_assert_int_eq(gl_font_features_check("kern off, liga on, c2sc 1, 'smcp'", bad, sizeof bad), 4);
    ck_assert_int_eq(gl_font_features_check("liga=", bad, sizeof bad), -1);
    ck_assert_int_eq(gl_font_features_check("toolong", bad, sizeof bad), -1);
    ck_assert_int_eq(gl_font_features_check("+onum, what ever", bad, sizeof bad), -1);
    ck_assert_str_eq(bad, "what ever");
    gl_buf css;
    gl_buf_init(&css, ctx);
    ck_assert_int_eq(gl_font_features_css("+onum,-liga", &css), 0);
    ck_assert_str_eq(css.data, "\"onum\" 1, \"liga\" 0");
    gl_buf_free(&css);
}
END_TEST

Suite *suite_shape(void)
{
    Suite *s = suite_create("shape");
    TCase *tc = tcase_create("words");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_kerning_matches_harfbuzz);
    tcase_add_test(tc, test_kerning_dejavu);
    tcase_add_test(tc, test_ligatures);
    tcase_add_test(tc, test_hyphen_inside_ligature_reshapes_both_sides);
    tcase_add_test(tc, test_features);
    suite_add_tcase(s, tc);
    return s;
}
