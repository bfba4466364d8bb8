/*
 * test_font.c — font sets: the fallback chain over the bundled fonts,
 * advances and metrics checked against FreeType, error reports for
 * missing, truncated and non-font files, CFF fonts taken, and hb-subset
 * output (by code point and by glyph id) parsed back with FreeType.  Runs from tests/, so the fonts are in ../fonts.
 */
#define _POSIX_C_SOURCE 200809L
#include "font.h"

#include <check.h>
#include <math.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_ADVANCES_H
#include FT_FONT_FORMATS_H
#include FT_TRUETYPE_TABLES_H
#include FT_TRUETYPE_TAGS_H
#include FT_CID_H

#define FONTS "../fonts"

static gl_ctx ctx;
static gl_fontset *fs;

static void setup_ctx(void) { memset(&ctx, 0, sizeof ctx); }

static void setup_fs(void)
{
    setup_ctx();
    gl_font_config cfg = {.font_dir = FONTS};
    fs = gl_fontset_new(&ctx, &cfg);
    ck_assert_msg(fs != NULL, "gl_fontset_new: %s", ctx.errmsg);
}

static void teardown_fs(void)
{
    gl_fontset_free(fs);
    fs = NULL;
}

/* Test scratch files go to build/test (created by `make unit`) or /tmp. */
static const char *scratch_dir(void)
{
    struct stat st;
    return stat("../build/test", &st) == 0 && S_ISDIR(st.st_mode) ? "../build/test" : "/tmp";
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, n, f), n);
    fclose(f);
}

static void assert_font_error(int rc, const char *needle1, const char *needle2)
{
    ck_assert_int_eq(rc, -1);
    ck_assert_int_eq(ctx.status, GALLEY_ERR_FONT);
    ck_assert_msg(strstr(ctx.errmsg, needle1) != NULL, "'%s' lacks '%s'", ctx.errmsg, needle1);
    if (needle2)
        ck_assert_msg(strstr(ctx.errmsg, needle2) != NULL, "'%s' lacks '%s'", ctx.errmsg,
                      needle2);
    ck_assert_ptr_null(strchr(ctx.errmsg, '\n')); // one line
}

/* ------------------------------------------------------------ loading */

START_TEST(defaults_load)
{
    ck_assert_str_eq(gl_face_psname(fs, GL_FACE_LATIN_REGULAR), "NotoSerif-Regular");
    ck_assert_str_eq(gl_face_psname(fs, GL_FACE_LATIN_BOLD_ITALIC), "NotoSerif-BoldItalic");
    ck_assert_str_eq(gl_face_psname(fs, GL_FACE_CJK), "UMingCN");
    ck_assert_str_eq(gl_face_psname(fs, GL_FACE_CJK_HEADING), "WenQuanYiMicroHei");
    ck_assert_str_eq(gl_face_psname(fs, GL_FACE_CJK_FALLBACK), "LXGWWenKai-Regular");
    ck_assert_str_eq(gl_face_path(fs, GL_FACE_CJK), FONTS "/uming.ttc");
    ck_assert_int_eq(gl_face_index(fs, GL_FACE_CJK), 0);
    ck_assert_str_eq(gl_face_path(fs, GL_FACE_LATIN_ITALIC), FONTS "/NotoSerif-Italic.ttf");
    for (int i = 0; i < GL_FACE_COUNT; i++) {
        ck_assert_int_eq(gl_face_canonical(fs, i), i); // seven distinct files
        ck_assert(gl_face_ascender(fs, i) > 0.5 && gl_face_ascender(fs, i) < 1.5);
        ck_assert(gl_face_descender(fs, i) < 0 && gl_face_descender(fs, i) > -0.5);
    }
}
END_TEST

START_TEST(null_free) { gl_fontset_free(NULL); }
END_TEST

START_TEST(user_cjk_shared)
{
    setup_ctx();
    gl_font_config cfg = {.font_dir = FONTS, .cjk = FONTS "/wqy-microhei.ttc:0"};
    gl_fontset *u = gl_fontset_new(&ctx, &cfg);
    ck_assert_msg(u != NULL, "%s", ctx.errmsg);
    ck_assert_int_eq(gl_face_canonical(u, GL_FACE_CJK), GL_FACE_CJK);
    ck_assert_int_eq(gl_face_canonical(u, GL_FACE_CJK_HEADING), GL_FACE_CJK);
    ck_assert_int_eq(gl_face_canonical(u, GL_FACE_CJK_FALLBACK), GL_FACE_CJK_FALLBACK);
    ck_assert_str_eq(gl_face_path(u, GL_FACE_CJK_HEADING), FONTS "/wqy-microhei.ttc");
    ck_assert_str_eq(gl_face_psname(u, GL_FACE_CJK), "WenQuanYiMicroHei");
    ck_assert_str_eq(gl_face_psname(u, GL_FACE_CJK_FALLBACK), "LXGWWenKai-Regular");
    // Body and heading Han now come from the same face.
    ck_assert_int_eq(gl_font_pick(u, GL_F_REGULAR, false, 0x4E2D), GL_FACE_CJK);
    ck_assert_int_eq(gl_font_pick(u, GL_F_REGULAR, true, 0x4E2D), GL_FACE_CJK_HEADING);
    gl_fontset_free(u);
}
END_TEST

START_TEST(spec_face_index)
{
    setup_ctx();
    // uming.ttc face 1 is a different member of the collection (HK/TW).
    gl_font_config cfg = {.font_dir = FONTS, .cjk = FONTS "/uming.ttc:1"};
    gl_fontset *u = gl_fontset_new(&ctx, &cfg);
    ck_assert_msg(u != NULL, "%s", ctx.errmsg);
    ck_assert_int_eq(gl_face_index(u, GL_FACE_CJK), 1);
    ck_assert_str_eq(gl_face_path(u, GL_FACE_CJK), FONTS "/uming.ttc");
    ck_assert_str_ne(gl_face_psname(u, GL_FACE_CJK), "UMingCN");
    gl_fontset_free(u);
    // A digit suffix whose prefix is not a file is part of the name.
    setup_ctx();
    assert_font_error(gl_font_check_file(&ctx, FONTS "/nonexistent.ttf:0"),
                      FONTS "/nonexistent.ttf:0", "cannot open");
}
END_TEST

START_TEST(oom_every_allocation)
{
    // Fail the 1st, 2nd, ... allocation until loading succeeds: each
    // failure must be reported as OOM and leak nothing (valgrind).
    for (unsigned long n = 1; n < 500; n++) {
        setup_ctx();
        ctx.fail_alloc_at = n;
        gl_font_config cfg = {.font_dir = FONTS, .cjk = FONTS "/wqy-microhei.ttc:0"};
        gl_fontset *u = gl_fontset_new(&ctx, &cfg);
        if (u) {
            ck_assert(n > 7);
            gl_fontset_free(u);
            return;
        }
        ck_assert(ctx.oom);
        ck_assert_int_eq(ctx.status, GALLEY_ERR_NOMEM);
    }
    ck_abort_msg("gl_fontset_new never succeeded");
}
END_TEST

/* ------------------------------------------------------------ picking */

START_TEST(pick_chain)
{
    ck_assert_int_eq(gl_font_pick(fs, GL_F_REGULAR, false, 'A'), GL_FACE_LATIN_REGULAR);
    ck_assert_int_eq(gl_font_pick(fs, GL_F_BOLD, false, 'A'), GL_FACE_LATIN_BOLD);
    ck_assert_int_eq(gl_font_pick(fs, GL_F_ITALIC, true, 'A'), GL_FACE_LATIN_ITALIC);
    ck_assert_int_eq(gl_font_pick(fs, GL_F_BOLD_ITALIC, false, 0xE9), GL_FACE_LATIN_BOLD_ITALIC);
    ck_assert_int_eq(gl_font_pick(fs, GL_F_REGULAR, false, 0x4E2D), GL_FACE_CJK); // 中
    ck_assert_int_eq(gl_font_pick(fs, GL_F_REGULAR, true, 0x4E2D), GL_FACE_CJK_HEADING);
    ck_assert_int_eq(gl_font_pick(fs, GL_F_REGULAR, false, 0x3002), GL_FACE_CJK); // 。
    // Italic and bold Han stay in the upright CJK faces.
    ck_assert_int_eq(gl_font_pick(fs, GL_F_ITALIC, false, 0x4E2D), GL_FACE_CJK);
    ck_assert_int_eq(gl_font_pick(fs, GL_F_BOLD_ITALIC, false, 0x6587), GL_FACE_CJK);
    ck_assert_int_eq(gl_font_pick(fs, GL_F_BOLD_ITALIC, true, 0x6587), GL_FACE_CJK_HEADING);
}
END_TEST

START_TEST(pick_fallback)
{
    // U+520F is among the URO ideographs UMing lacks; WenKai has it.
    ck_assert(!gl_face_has(fs, GL_FACE_CJK, 0x520F));
    ck_assert(gl_face_has(fs, GL_FACE_CJK_FALLBACK, 0x520F));
    ck_assert_int_eq(gl_font_pick(fs, GL_F_REGULAR, false, 0x520F), GL_FACE_CJK_FALLBACK);
    ck_assert_int_eq(gl_font_pick(fs, GL_F_ITALIC, false, 0x520F), GL_FACE_CJK_FALLBACK);
    // U+9FFF (Unicode 14) is in neither UMing nor MicroHei.
    ck_assert_int_eq(gl_font_pick(fs, GL_F_REGULAR, false, 0x9FFF), GL_FACE_CJK_FALLBACK);
    ck_assert_int_eq(gl_font_pick(fs, GL_F_REGULAR, true, 0x9FFF), GL_FACE_CJK_FALLBACK);
    // U+FFE3 FULLWIDTH MACRON: GB2312, but not in UMing.
    ck_assert_int_eq(gl_font_pick(fs, GL_F_REGULAR, false, 0xFFE3), GL_FACE_CJK_FALLBACK);
    // Counts from the brief: UMing covers 18739 of the 20992 URO ideographs,
    // WenKai all of them.
    int uming = 0, wenkai = 0, none = 0;
    for (uint32_t cp = 0x4E00; cp <= 0x9FFF; cp++) {
        uming += gl_face_has(fs, GL_FACE_CJK, cp);
        wenkai += gl_face_has(fs, GL_FACE_CJK_FALLBACK, cp);
        none += gl_font_pick(fs, GL_F_REGULAR, false, cp) < 0;
    }
    ck_assert_int_eq(uming, 18739);
    ck_assert_int_eq(wenkai, 20992);
    ck_assert_int_eq(none, 0);
}
END_TEST

START_TEST(pick_none)
{
    static const uint32_t missing[] = {0x1F600, 0x10FFFD, 0xE000, 0x110000, 0xFFFFFFFF};
    for (size_t i = 0; i < sizeof missing / sizeof *missing; i++) {
        ck_assert_int_eq(gl_font_pick(fs, GL_F_REGULAR, false, missing[i]), -1);
        ck_assert_int_eq(gl_font_pick(fs, GL_F_BOLD_ITALIC, true, missing[i]), -1);
        ck_assert_int_eq(gl_font_pick_cjk_first(fs, GL_F_REGULAR, false, missing[i]), -1);
        for (int f = 0; f < GL_FACE_COUNT; f++)
            ck_assert(!gl_face_has(fs, f, missing[i]));
    }
    ck_assert(!gl_face_has(fs, -1, 'A'));
    ck_assert(!gl_face_has(fs, GL_FACE_COUNT, 'A'));
}
END_TEST

START_TEST(pick_cjk_first)
{
    // Quotes, dashes and ellipses: the Latin font has them, but between
    // Chinese characters layout wants the CJK shapes.
    static const uint32_t punct[] = {0x201C, 0x201D, 0x2018, 0x2014, 0x2026, 0xB7};
    for (size_t i = 0; i < sizeof punct / sizeof *punct; i++) {
        ck_assert_int_eq(gl_font_pick(fs, GL_F_REGULAR, false, punct[i]), GL_FACE_LATIN_REGULAR);
        ck_assert_int_eq(gl_font_pick_cjk_first(fs, GL_F_REGULAR, false, punct[i]), GL_FACE_CJK);
        ck_assert_int_eq(gl_font_pick_cjk_first(fs, GL_F_ITALIC, true, punct[i]),
                         GL_FACE_CJK_HEADING);
    }
    ck_assert_int_eq(gl_font_pick_cjk_first(fs, GL_F_REGULAR, false, 0x520F), GL_FACE_CJK_FALLBACK);
    // Something only the Latin face has still resolves, to the style's face.
    uint32_t latin_only = 0;
    for (uint32_t cp = 0x100; cp < 0x2000 && !latin_only; cp++)
        if (gl_face_has(fs, GL_FACE_LATIN_ITALIC, cp) && !gl_face_has(fs, GL_FACE_CJK, cp) &&
            !gl_face_has(fs, GL_FACE_CJK_FALLBACK, cp))
            latin_only = cp;
    ck_assert_uint_ne(latin_only, 0);
    ck_assert_int_eq(gl_font_pick_cjk_first(fs, GL_F_ITALIC, false, latin_only),
                     GL_FACE_LATIN_ITALIC);
}
END_TEST

/* ------------------------------------------------------------ metrics */

/* The advance of cp in face `index` of path, straight from FreeType. */
static double ft_advance(const char *path, int index, uint32_t cp, double *asc_hhea)
{
    FT_Library lib;
    FT_Face f;
    ck_assert_int_eq(FT_Init_FreeType(&lib), 0);
    ck_assert_int_eq(FT_New_Face(lib, path, index, &f), 0);
    FT_Fixed a = 0;
    ck_assert_int_eq(FT_Get_Advance(f, FT_Get_Char_Index(f, cp), FT_LOAD_NO_SCALE, &a), 0);
    double em = (double)a / f->units_per_EM;
    if (asc_hhea)
        *asc_hhea = (double)f->ascender / f->units_per_EM;
    FT_Done_Face(f);
    FT_Done_FreeType(lib);
    return em;
}

START_TEST(advances_match_freetype)
{
    double asc;
    double a = ft_advance(FONTS "/NotoSerif-Regular.ttf", 0, 'A', &asc);
    ck_assert(a > 0.5 && a < 0.9);
    ck_assert_double_eq_tol(gl_face_advance(fs, GL_FACE_LATIN_REGULAR, 'A'), a, 1e-6);
    ck_assert_double_eq_tol(gl_face_ascender(fs, GL_FACE_LATIN_REGULAR), asc, 1e-9);
    // 'i' is narrower than 'm': the table is per glyph, not one value.
    ck_assert_double_eq_tol(gl_face_advance(fs, GL_FACE_LATIN_REGULAR, 'i'),
                            ft_advance(FONTS "/NotoSerif-Regular.ttf", 0, 'i', NULL), 1e-6);
    ck_assert(gl_face_advance(fs, GL_FACE_LATIN_REGULAR, 'i') <
              gl_face_advance(fs, GL_FACE_LATIN_REGULAR, 'm'));
    ck_assert_double_eq_tol(gl_face_advance(fs, GL_FACE_LATIN_BOLD, 'W'),
                            ft_advance(FONTS "/NotoSerif-Bold.ttf", 0, 'W', NULL), 1e-6);
    ck_assert_double_eq_tol(gl_face_advance(fs, GL_FACE_CJK, 0x4E2D),
                            ft_advance(FONTS "/uming.ttc", 0, 0x4E2D, NULL), 1e-6);
    ck_assert_double_eq_tol(gl_face_advance(fs, GL_FACE_CJK, 0x4E2D), 1.0, 1e-6);
    ck_assert_double_eq_tol(gl_face_advance(fs, GL_FACE_CJK_FALLBACK, 0x520F),
                            ft_advance(FONTS "/LXGWWenKai-Regular.ttf", 0, 0x520F, NULL), 1e-6);
    // A missing character has the .notdef advance (FT_Get_Char_Index = 0).
    ck_assert_double_eq_tol(gl_face_advance(fs, GL_FACE_LATIN_REGULAR, 0x10FFFD),
                            ft_advance(FONTS "/NotoSerif-Regular.ttf", 0, 0x10FFFD, NULL), 1e-6);
}
END_TEST

/* ------------------------------------------------------------ errors */

START_TEST(error_missing)
{
    setup_ctx();
    assert_font_error(gl_font_check_file(&ctx, "/nonexistent/dir/Font.ttf"),
                      "/nonexistent/dir/Font.ttf", "cannot open");
    setup_ctx();
    gl_font_config cfg = {.font_dir = FONTS, .latin = {[GL_F_BOLD] = "no-such-bold.ttf"}};
    ck_assert_ptr_null(gl_fontset_new(&ctx, &cfg));
    ck_assert_int_eq(ctx.status, GALLEY_ERR_FONT);
    ck_assert_ptr_nonnull(strstr(ctx.errmsg, "no-such-bold.ttf"));
    setup_ctx();
    gl_font_config nodir = {.font_dir = "/nonexistent-font-dir"};
    ck_assert_ptr_null(gl_fontset_new(&ctx, &nodir));
    ck_assert_ptr_nonnull(strstr(ctx.errmsg, "/nonexistent-font-dir/NotoSerif-Regular.ttf"));
}
END_TEST

START_TEST(error_not_a_font)
{
    char path[256];
    snprintf(path, sizeof path, "%s/font-test-text.ttf", scratch_dir());
    const char *text = "This is a text file pretending to be a font.\n";
    write_file(path, text, strlen(text));
    setup_ctx();
    assert_font_error(gl_font_check_file(&ctx, path), path, "not a font");
    setup_ctx();
    write_file(path, "", 0);
    assert_font_error(gl_font_check_file(&ctx, path), path, NULL);
    setup_ctx();
    assert_font_error(gl_font_check_file(&ctx, FONTS), FONTS, "not a regular file");
    setup_ctx();
    assert_font_error(gl_font_check_file(&ctx, FONTS "/uming.ttc:99"), "uming.ttc", "no face 99");
    remove(path);
}
END_TEST

START_TEST(error_truncated)
{
    char *data = NULL;
    size_t len = 0;
    ck_assert_int_eq(gl_read_file(&ctx, FONTS "/NotoSerif-Regular.ttf", &data, &len), 0);
    char path[256];
    snprintf(path, sizeof path, "%s/font-test-truncated.ttf", scratch_dir());
    static const double cuts[] = {0.6, 0.99, 0.01};
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
        write_file(path, data, (size_t)((double)len * cuts[i]));
        setup_ctx();
        assert_font_error(gl_font_check_file(&ctx, path), path, "truncated");
        setup_ctx();
        gl_font_config cfg = {.font_dir = FONTS, .latin = {[GL_F_ITALIC] = path}};
        ck_assert_ptr_null(gl_fontset_new(&ctx, &cfg));
        ck_assert_int_eq(ctx.status, GALLEY_ERR_FONT);
        ck_assert_ptr_nonnull(strstr(ctx.errmsg, path));
    }
    gl_free(data);
    remove(path);
    setup_ctx();
    ck_assert_int_eq(gl_font_check_file(&ctx, FONTS "/NotoSerif-Regular.ttf"), 0);
    ck_assert_int_eq(gl_font_check_file(&ctx, FONTS "/wqy-microhei.ttc:0"), 0);
    ck_assert_int_eq(ctx.status, GALLEY_OK);
}
END_TEST

#define C059 "/usr/share/fonts/opentype/urw-base35/C059-Roman.otf"
#define NOTO_CJK_SC "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc:2"

/* Subsets face to the nominal glyphs of cps[] with gl_face_subset_glyphs
 * and checks the result with FreeType: the outline kind, every glyph where
 * the map says with its advance, CIDs equal to glyph ids (a CID-keyed
 * CFF's charset made the identity), and the descriptor facts sane. */
static void check_glyph_subset(int face, const uint32_t *cps, size_t n, bool cff)
{
    uint32_t gids[16];
    ck_assert_uint_le(n, 16);
    for (size_t i = 0; i < n; i++) {
        gids[i] = gl_face_glyph(fs, face, cps[i]);
        ck_assert_msg(gids[i] != 0, "face %d has no U+%04X", face, cps[i]);
    }
    gl_face_sub sub;
    ck_assert_msg(gl_face_subset_glyphs(&ctx, fs, face, gids, n, &sub) == 0, "%s", ctx.errmsg);
    ck_assert(sub.cff == cff);
    FT_Library lib;
    FT_Face f;
    ck_assert_int_eq(FT_Init_FreeType(&lib), 0);
    ck_assert_int_eq(FT_New_Memory_Face(lib, (const FT_Byte *)sub.data, (FT_Long)sub.len, 0, &f),
                     0);
    ck_assert_str_eq(FT_Get_Font_Format(f), cff ? "CFF" : "TrueType");
    ck_assert_uint_eq((unsigned)f->num_glyphs, sub.nglyphs);
    ck_assert_uint_le(sub.nglyphs, 2 * n + 1);    // .notdef, the glyphs, a few components
    for (size_t i = 0; i < n; i++) {
        ck_assert_uint_lt(sub.gid[i], sub.nglyphs);
        ck_assert_uint_eq(sub.cid[i], sub.gid[i]);
        FT_Fixed adv;
        ck_assert_int_eq(FT_Get_Advance(f, sub.gid[i], FT_LOAD_NO_SCALE, &adv), 0);
        ck_assert_msg(fabs((double)adv / f->units_per_EM - gl_face_glyph_advance(fs, face, gids[i]))
                          < 1e-6, "U+%04X: advance %ld in the subset", cps[i], (long)adv);
        ck_assert_float_eq_tol(sub.adv[i], gl_face_glyph_advance(fs, face, gids[i]), 1e-6);
        FT_UInt cid;
        if (sub.cid_keyed) {
            ck_assert_int_eq(FT_Get_CID_From_Glyph_Index(f, sub.gid[i], &cid), 0);
            ck_assert_uint_eq(cid, sub.gid[i]);
        }
        // The subset's own cmap is not needed by a PDF CIDFont; the glyph
        // is the right one if its outline has the source glyph's extent.
        ck_assert_int_eq(FT_Load_Glyph(f, sub.gid[i], FT_LOAD_NO_SCALE), 0);
    }
    ck_assert(sub.units_per_em > 0 && sub.bbox[2] > sub.bbox[0] && sub.bbox[3] > sub.bbox[1]);
    ck_assert(sub.ascent > 0 && sub.descent < 0 && sub.cap_height > 0 && sub.stem_v > 0);
    FT_ULong len = 0;
    ck_assert_int_ne(FT_Load_Sfnt_Table(f, TTAG_GSUB, 0, NULL, &len), 0);   // dropped
    FT_Done_Face(f);
    FT_Done_FreeType(lib);
    gl_face_sub_free(&sub);
}

START_TEST(cff_fonts)
{
    // CFF OpenType fonts are taken now: URW's C059 (name-keyed CFF, from
    // fonts-urw-base35) and Noto Serif CJK SC (CID-keyed, fonts-noto-cjk),
    // both in DEB_TEST.
    struct stat st;
    ck_assert_msg(stat(C059, &st) == 0, "install fonts-urw-base35");
    ck_assert_msg(stat("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", &st) == 0,
                  "install fonts-noto-cjk");
    setup_ctx();
    ck_assert_msg(gl_font_check_file(&ctx, C059) == 0, "%s", ctx.errmsg);
    ck_assert_msg(gl_font_check_file(&ctx, NOTO_CJK_SC) == 0, "%s", ctx.errmsg);
    gl_font_config cfg = {.font_dir = FONTS, .latin = {C059}, .cjk = NOTO_CJK_SC};
    fs = gl_fontset_new(&ctx, &cfg);
    ck_assert_msg(fs != NULL, "%s", ctx.errmsg);
    static const uint32_t latin[] = {'A', 'V', 'g', 0xE9, 0x2019};
    check_glyph_subset(GL_FACE_LATIN_REGULAR, latin, 5, true);
    static const uint32_t han[] = {0x4E2D, 0x6587, 0x20BB7, 0x3002};   // 中文𠮷。
    check_glyph_subset(GL_FACE_CJK, han, 4, true);
    static const uint32_t serif[] = {'o', 'f', 'i', 0xE9, 0x1EA0};      // é, Ạ: composites
    check_glyph_subset(GL_FACE_LATIN_BOLD, serif, 5, false);
    gl_fontset_free(fs);
    fs = NULL;
}
END_TEST

/* ------------------------------------------------------------ subsetting */

/* Loads a subset with FreeType and checks its cmap holds exactly want[]. */
static void check_subset(const char *data, size_t len, const uint32_t *want, size_t nwant,
                         const char *psname, long max_glyphs)
{
    FT_Library lib;
    FT_Face f;
    ck_assert_int_eq(FT_Init_FreeType(&lib), 0);
    ck_assert_int_eq(FT_New_Memory_Face(lib, (const FT_Byte *)data, (FT_Long)len, 0, &f), 0);
    ck_assert_str_eq(FT_Get_Font_Format(f), "TrueType");
    ck_assert_int_eq(f->num_faces, 1);                      // stand-alone, not a TTC
    ck_assert_int_eq(memcmp(data, "\0\1\0\0", 4), 0);       // sfnt version 1.0
    ck_assert_str_eq(FT_Get_Postscript_Name(f), psname);    // name table kept
    ck_assert_int_eq(FT_Select_Charmap(f, FT_ENCODING_UNICODE), 0);
    for (size_t i = 0; i < nwant; i++)
        ck_assert_msg(FT_Get_Char_Index(f, want[i]) != 0, "U+%04X missing", want[i]);
    size_t mapped = 0;
    FT_UInt gid;
    for (FT_ULong cp = FT_Get_First_Char(f, &gid); gid; cp = FT_Get_Next_Char(f, cp, &gid)) {
        bool asked = false;
        for (size_t i = 0; i < nwant; i++)
            asked |= want[i] == cp;
        ck_assert_msg(asked, "U+%04lX was not asked for", (unsigned long)cp);
        mapped++;
    }
    ck_assert_uint_eq(mapped, nwant);
    ck_assert_int_le(f->num_glyphs, max_glyphs);
    // The tables a reader draws the glyphs with (the EPUB's fonts).
    static const FT_ULong tags[] = {TTAG_cmap, TTAG_glyf, TTAG_loca, TTAG_head, TTAG_hhea,
                                    TTAG_hmtx, TTAG_maxp, TTAG_name, TTAG_OS2, TTAG_post};
    for (size_t i = 0; i < sizeof tags / sizeof *tags; i++) {
        FT_ULong n = 0;
        ck_assert_int_eq(FT_Load_Sfnt_Table(f, tags[i], 0, NULL, &n), 0);
        ck_assert_uint_gt(n, 0);
    }
    // Glyph outlines load, so glyf/loca are consistent.
    ck_assert_int_eq(FT_Load_Char(f, want[0], FT_LOAD_NO_SCALE), 0);
    ck_assert_int_gt(f->glyph->outline.n_points, 0);
    FT_Done_Face(f);
    FT_Done_FreeType(lib);
}

START_TEST(subset_latin)
{
    static const uint32_t cps[] = {'A', 'g', 0xE9, 0x201C};
    char *data = NULL;
    size_t len = 0;
    ck_assert_int_eq(gl_face_subset(&ctx, fs, GL_FACE_LATIN_REGULAR, cps, 4, &data, &len), 0);
    ck_assert_uint_lt(len, 588876 / 50); // the source is 588876 bytes
    // é may be composite (e + acute): allow its components.
    check_subset(data, len, cps, 4, "NotoSerif-Regular", 8);
    gl_free(data);
}
END_TEST

START_TEST(subset_cjk)
{
    // 中 文 。 from UMing (face 0 of a collection), plus one it lacks, which
    // must simply be absent (the caller picked another face for it).
    static const uint32_t cps[] = {0x4E2D, 0x6587, 0x3002, 0x520F};
    char *data = NULL;
    size_t len = 0;
    ck_assert_int_eq(gl_face_subset(&ctx, fs, GL_FACE_CJK, cps, 4, &data, &len), 0);
    ck_assert_uint_lt(len, 21053592 / 500);
    // UMing builds ideographs from shared component glyphs.
    check_subset(data, len, cps, 3, "UMingCN", 64);
    gl_free(data);
    ck_assert_int_eq(gl_face_subset(&ctx, fs, GL_FACE_CJK_FALLBACK, cps, 4, &data, &len), 0);
    ck_assert_uint_lt(len, 15679832 / 500);
    check_subset(data, len, cps, 4, "LXGWWenKai-Regular", 8);
    gl_free(data);
    // Empty input: a valid font with .notdef only.
    ck_assert_int_eq(gl_face_subset(&ctx, fs, GL_FACE_CJK_HEADING, NULL, 0, &data, &len), 0);
    ck_assert_uint_gt(len, 12);
    gl_free(data);
    ck_assert_int_eq(ctx.status, GALLEY_OK);
}
END_TEST

Suite *suite_font(void)
{
    Suite *s = suite_create("font");
    TCase *tc = tcase_create("load");
    tcase_add_checked_fixture(tc, setup_fs, teardown_fs);
    tcase_add_test(tc, defaults_load);
    tcase_add_test(tc, null_free);
    tcase_add_test(tc, user_cjk_shared);
    tcase_add_test(tc, spec_face_index);
    tcase_add_test(tc, oom_every_allocation);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);

    tc = tcase_create("pick");
    tcase_add_checked_fixture(tc, setup_fs, teardown_fs);
    tcase_add_test(tc, pick_chain);
    tcase_add_test(tc, pick_fallback);
    tcase_add_test(tc, pick_none);
    tcase_add_test(tc, pick_cjk_first);
    suite_add_tcase(s, tc);

    tc = tcase_create("metrics");
    tcase_add_checked_fixture(tc, setup_fs, teardown_fs);
    tcase_add_test(tc, advances_match_freetype);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_checked_fixture(tc, setup_ctx, NULL);
    tcase_add_test(tc, error_missing);
    tcase_add_test(tc, error_not_a_font);
    tcase_add_test(tc, error_truncated);
    tcase_add_test(tc, cff_fonts);
    suite_add_tcase(s, tc);

    tc = tcase_create("subset");
    tcase_add_checked_fixture(tc, setup_fs, teardown_fs);
    tcase_add_test(tc, subset_latin);
    tcase_add_test(tc, subset_cjk);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}
