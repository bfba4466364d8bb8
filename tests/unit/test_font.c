/*
 * test_font.c — font sets: the fallback chain over the bundled fonts,
 * advances and metrics checked against FreeType, error reports for
 * missing, truncated, non-font and cmap-less files, CFF fonts taken, fonts
 * by family name and fallback to installed fonts through fontconfig, and
 * hb-subset output (by code point and by glyph id) parsed back with
 * FreeType.  Runs from tests/, so the fonts are in
 * ../fonts; the installed ones come from DEB_TEST (DejaVu, Hanazono,
 * Symbola, Scheherazade, Noto CJK).
 */
#define _POSIX_C_SOURCE 200809L
#include "font.h"
#include "fontfind.h"

#include <check.h>
#include <math.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
    for (int i = 0; i < GL_FACE_CONFIGURED; i++) {
        ck_assert_int_eq(gl_face_canonical(fs, i), i); // nine distinct files
        ck_assert(gl_face_loaded(fs, i));
        ck_assert(gl_face_ascender(fs, i) > 0.5 && gl_face_ascender(fs, i) < 1.5);
        ck_assert(gl_face_descender(fs, i) < 0 && gl_face_descender(fs, i) > -0.5);
    }
    // The fallback roles stay empty (fallback is off in this set).
    for (int i = GL_FACE_CONFIGURED; i < GL_FACE_COUNT; i++) {
        ck_assert(!gl_face_loaded(fs, i));
        ck_assert_str_eq(gl_face_path(fs, i), "");
        ck_assert_str_eq(gl_face_psname(fs, i), "");
        ck_assert(!gl_face_has(fs, i, 'A'));
        ck_assert_ptr_null(gl_font_fallback_note(fs, i));
    }
    ck_assert(!gl_face_loaded(fs, -1) && !gl_face_loaded(fs, GL_FACE_COUNT));
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

START_TEST(error_no_cmap)
{
    // Noto Serif with its cmap table renamed: FreeType would make up a
    // Unicode map from the glyph names, but the font has none of its own.
    char *data = NULL;
    size_t len = 0;
    ck_assert_int_eq(gl_read_file(&ctx, FONTS "/NotoSerif-Regular.ttf", &data, &len), 0);
    unsigned ntables = (unsigned char)data[4] << 8 | (unsigned char)data[5];
    bool renamed = false;
    for (unsigned i = 0; i < ntables; i++)
        if (memcmp(data + 12 + 16 * i, "cmap", 4) == 0) {
            memcpy(data + 12 + 16 * i, "cmaq", 4);
            renamed = true;
        }
    ck_assert(renamed);
    char path[256];
    snprintf(path, sizeof path, "%s/font-test-nocmap.ttf", scratch_dir());
    write_file(path, data, len);
    gl_free(data);
    setup_ctx();
    assert_font_error(gl_font_check_file(&ctx, path), path, "no Unicode character map");
    setup_ctx();
    gl_font_config cfg = {.font_dir = FONTS, .latin = {path}};
    ck_assert_ptr_null(gl_fontset_new(&ctx, &cfg));
    assert_font_error(-1, path, "no Unicode character map");
    remove(path);
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

/* A CJK face with 'halt' (Noto Serif CJK) gives the compression rules its
 * half-width forms: a comma's box is its left half, an opening bracket's
 * its right half; the bundled UMing (no 'halt') keeps its measured ink. */
START_TEST(halt_half_widths)
{
    setup_ctx();
    gl_font_config cfg = {.font_dir = FONTS, .cjk = NOTO_CJK_SC};
    fs = gl_fontset_new(&ctx, &cfg);
    ck_assert_msg(fs != NULL, "%s", ctx.errmsg);
    double x0, x1;
    ck_assert(gl_face_ink(fs, GL_FACE_CJK, 0xFF0C, &x0, &x1));  // ，
    ck_assert_float_eq_tol(x0, 0.04, 1e-3);
    ck_assert_float_eq_tol(x1, 0.46, 1e-3);
    ck_assert(gl_face_ink(fs, GL_FACE_CJK, 0xFF08, &x0, &x1));  // （
    ck_assert_float_eq_tol(x0, 0.54, 1e-3);
    ck_assert_float_eq_tol(x1, 0.96, 1e-3);
    gl_fontset_free(fs);
    fs = NULL;
    gl_font_config bundled = {.font_dir = FONTS};
    fs = gl_fontset_new(&ctx, &bundled);
    ck_assert(gl_face_ink(fs, GL_FACE_CJK, 0xFF0C, &x0, &x1));
    ck_assert_msg(x1 - x0 < 0.4, "UMing's comma is its ink, %.3f-%.3f", x0, x1);
    gl_fontset_free(fs);
    fs = NULL;
}
END_TEST

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
    // bold given: it would follow C059's family (C059-Bold, CFF too)
    gl_font_config cfg = {.font_dir = FONTS, .latin = {C059, FONTS "/NotoSerif-Bold.ttf"},
                          .cjk = NOTO_CJK_SC};
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

/* ------------------------------------------------------------ families */

#define DEJAVU "/usr/share/fonts/truetype/dejavu/"

/* The family of a role must be installed (DEB_TEST): say so, not just fail. */
static void need_family(const char *family, const char *package)
{
    gl_ctx c = {0};
    gl_fontfind_face f;
    ck_assert_msg(gl_fontfind_family(&c, family, false, false, &f) == 0,
                  "%s is not installed (%s; make deps-test): %s", family, package, c.errmsg);
    gl_fontfind_face_clear(&f);
}

START_TEST(family_latin)
{
    need_family("DejaVu Serif", "fonts-dejavu-core, fonts-dejavu-extra");
    // Each style of the family, by fontconfig's weight and slant.
    static const struct {
        bool bold, italic;
        const char *file;
    } want[] = {
        {false, false, DEJAVU "DejaVuSerif.ttf"},
        {true, false, DEJAVU "DejaVuSerif-Bold.ttf"},
        {false, true, DEJAVU "DejaVuSerif-Italic.ttf"},
        {true, true, DEJAVU "DejaVuSerif-BoldItalic.ttf"},
    };
    for (size_t i = 0; i < 4; i++) {
        gl_fontfind_face f;
        ck_assert_int_eq(gl_fontfind_family(&ctx, "DejaVu Serif", want[i].bold, want[i].italic, &f), 0);
        ck_assert_str_eq(f.path, want[i].file);
        ck_assert_int_eq(f.index, 0);
        ck_assert_str_eq(f.family, "DejaVu Serif");
        ck_assert_int_eq(f.weight, want[i].bold ? 700 : 400);
        ck_assert(f.italic == want[i].italic);
        ck_assert(gl_fontfind_style_exact(f.weight, f.italic, want[i].bold, want[i].italic));
        gl_fontfind_face_clear(&f);
    }
    // Case and blanks do not matter, as in fontconfig.
    gl_fontfind_face f;
    ck_assert_int_eq(gl_fontfind_family(&ctx, "dejavuserif", true, false, &f), 0);
    ck_assert_str_eq(f.path, DEJAVU "DejaVuSerif-Bold.ttf");
    gl_fontfind_face_clear(&f);

    // --font "DejaVu Serif": the four Latin roles come from the family.
    gl_font_config cfg = {.font_dir = FONTS, .latin = {"DejaVu Serif"}};
    gl_fontset *u = gl_fontset_new(&ctx, &cfg);
    ck_assert_msg(u != NULL, "%s", ctx.errmsg);
    static const char *const ps[] = {"DejaVuSerif", "DejaVuSerif-Bold", "DejaVuSerif-Italic",
                                     "DejaVuSerif-BoldItalic"};
    for (int i = 0; i < 4; i++) {
        ck_assert_str_eq(gl_face_path(u, GL_FACE_LATIN_REGULAR + i), want[i].file);
        ck_assert_str_eq(gl_face_psname(u, GL_FACE_LATIN_REGULAR + i), ps[i]);
        ck_assert_int_eq(gl_face_canonical(u, GL_FACE_LATIN_REGULAR + i), GL_FACE_LATIN_REGULAR + i);
    }
    // The rest stays bundled.
    ck_assert_str_eq(gl_face_psname(u, GL_FACE_CJK), "UMingCN");
    ck_assert_str_eq(gl_face_psname(u, GL_FACE_MONO), "NotoSansMono-Regular");
    gl_fontset_free(u);

    // A style given on its own wins; a family there gives that style.
    gl_font_config mix = {.font_dir = FONTS,
                          .latin = {"DejaVu Serif", FONTS "/NotoSerif-Bold.ttf", NULL, "DejaVu Sans"}};
    u = gl_fontset_new(&ctx, &mix);
    ck_assert_msg(u != NULL, "%s", ctx.errmsg);
    ck_assert_str_eq(gl_face_psname(u, GL_FACE_LATIN_BOLD), "NotoSerif-Bold");
    ck_assert_str_eq(gl_face_psname(u, GL_FACE_LATIN_ITALIC), "DejaVuSerif-Italic");
    ck_assert_str_eq(gl_face_psname(u, GL_FACE_LATIN_BOLD_ITALIC), "DejaVuSans-BoldOblique");
    gl_fontset_free(u);
}
END_TEST

START_TEST(family_follows_file)
{
    need_family("DejaVu Serif", "fonts-dejavu-core, fonts-dejavu-extra");
    // A file: bold, italic and bold italic are its family's faces in its folder.
    gl_font_config cfg = {.font_dir = FONTS, .latin = {DEJAVU "DejaVuSerif.ttf"},
                          .mono = FONTS "/NotoSansMono-Regular.ttf"};
    gl_fontset *u = gl_fontset_new(&ctx, &cfg);
    ck_assert_msg(u != NULL, "%s", ctx.errmsg);
    ck_assert_str_eq(gl_face_path(u, GL_FACE_LATIN_REGULAR), DEJAVU "DejaVuSerif.ttf");
    ck_assert_str_eq(gl_face_path(u, GL_FACE_LATIN_BOLD), DEJAVU "DejaVuSerif-Bold.ttf");
    ck_assert_str_eq(gl_face_path(u, GL_FACE_LATIN_ITALIC), DEJAVU "DejaVuSerif-Italic.ttf");
    ck_assert_str_eq(gl_face_path(u, GL_FACE_LATIN_BOLD_ITALIC), DEJAVU "DejaVuSerif-BoldItalic.ttf");
    ck_assert_str_eq(gl_face_path(u, GL_FACE_MONO_BOLD), FONTS "/NotoSansMono-Bold.ttf");
    gl_fontset_free(u);

    // Alone in its folder: every style is the file itself (one embedded font).
    char dir[256], path[300], cmd[700];
    snprintf(dir, sizeof dir, "%s/font-test-alone", scratch_dir());
    snprintf(path, sizeof path, "%s/Serif.ttf", dir);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s' && cp " DEJAVU "DejaVuSerif.ttf '%s'", dir, path);
    ck_assert_int_eq(system(cmd), 0);
    setup_ctx();
    gl_font_config alone = {.font_dir = FONTS, .latin = {path}, .mono = path};
    u = gl_fontset_new(&ctx, &alone);
    ck_assert_msg(u != NULL, "%s", ctx.errmsg);
    for (int i = GL_FACE_LATIN_BOLD; i <= GL_FACE_LATIN_BOLD_ITALIC; i++)
        ck_assert_int_eq(gl_face_canonical(u, i), GL_FACE_LATIN_REGULAR);
    ck_assert_int_eq(gl_face_canonical(u, GL_FACE_MONO), GL_FACE_LATIN_REGULAR);
    ck_assert_int_eq(gl_face_canonical(u, GL_FACE_MONO_BOLD), GL_FACE_LATIN_REGULAR);
    gl_fontset_free(u);
    remove(path);
    rmdir(dir);
}
END_TEST

START_TEST(family_cjk_mono)
{
    need_family("DejaVu Sans Mono", "fonts-dejavu-core");
    // --mono-font by family: regular and bold.
    gl_font_config cfg = {.font_dir = FONTS, .mono = "DejaVu Sans Mono"};
    gl_fontset *u = gl_fontset_new(&ctx, &cfg);
    ck_assert_msg(u != NULL, "%s", ctx.errmsg);
    ck_assert_str_eq(gl_face_psname(u, GL_FACE_MONO), "DejaVuSansMono");
    ck_assert_str_eq(gl_face_psname(u, GL_FACE_MONO_BOLD), "DejaVuSansMono-Bold");
    ck_assert_int_eq(gl_font_pick(u, GL_F_MONO, false, 'x'), GL_FACE_MONO);
    ck_assert_int_eq(gl_font_pick(u, GL_F_MONO | GL_F_BOLD, false, 'x'), GL_FACE_MONO_BOLD);
    gl_fontset_free(u);

    // --cjk-font by family: a family without a bold keeps its face for
    // headings (HanaMinA has one weight).
    need_family("HanaMinA", "fonts-hanazono");
    setup_ctx();
    gl_font_config cjk = {.font_dir = FONTS, .cjk = "HanaMinA"};
    u = gl_fontset_new(&ctx, &cjk);
    ck_assert_msg(u != NULL, "%s", ctx.errmsg);
    ck_assert_str_eq(gl_face_psname(u, GL_FACE_CJK), "HanaMinA");
    ck_assert_int_eq(gl_face_canonical(u, GL_FACE_CJK_HEADING), GL_FACE_CJK);
    ck_assert_int_eq(gl_font_pick(u, GL_F_REGULAR, false, 0x4E2D), GL_FACE_CJK);
    gl_fontset_free(u);

    // A family with a bold gives it to the headings: Noto Serif CJK SC
    // (fonts-noto-cjk), whose faces are members of two collections.
    gl_fontfind_face r, b;
    setup_ctx();
    if (gl_fontfind_family(&ctx, "Noto Serif CJK SC", false, false, &r) != 0) {
        fprintf(stderr, "test_font: Noto Serif CJK SC not installed; CJK bold untested\n");
        return;
    }
    ck_assert_int_eq(gl_fontfind_family(&ctx, "Noto Serif CJK SC", true, false, &b), 0);
    ck_assert_ptr_nonnull(strstr(r.path, "NotoSerifCJK-Regular.ttc"));
    ck_assert_ptr_nonnull(strstr(b.path, "NotoSerifCJK-Bold.ttc"));
    ck_assert(gl_fontfind_style_exact(b.weight, b.italic, true, false));
    ck_assert(!gl_fontfind_style_exact(r.weight, r.italic, true, false));
    gl_fontfind_face_clear(&r);
    gl_fontfind_face_clear(&b);
}
END_TEST

START_TEST(family_unknown)
{
    need_family("DejaVu Serif", "fonts-dejavu-core");
    gl_fontfind_face f;
    assert_font_error(gl_fontfind_family(&ctx, "Dejavu Sreif", false, false, &f),
                      "no font family 'Dejavu Sreif' (closest: DejaVu Serif, DejaVu Sans", NULL);
    ck_assert_ptr_null(f.path);
    // The set fails the same way, naming the family; no face is loaded.
    setup_ctx();
    gl_font_config cfg = {.font_dir = FONTS, .latin = {[GL_F_ITALIC] = "Dejavu Sreif"}};
    ck_assert_ptr_null(gl_fontset_new(&ctx, &cfg));
    assert_font_error(-1, "no font family 'Dejavu Sreif' (closest: DejaVu Serif", NULL);
    setup_ctx();
    gl_font_config cjk = {.font_dir = FONTS, .cjk = "No Such Family Anywhere"};
    ck_assert_ptr_null(gl_fontset_new(&ctx, &cjk));
    assert_font_error(-1, "no font family 'No Such Family Anywhere' is installed", NULL);
    // Closest by prefix, then containment, then edit distance.
    char near[256];
    setup_ctx();
    ck_assert_int_gt(gl_fontfind_closest(&ctx, "dejavu serif c", near, sizeof near), 1);
    ck_assert_msg(strncmp(near, "DejaVu Serif, DejaVu Serif Condensed", 36) == 0, "%s", near);
    ck_assert_int_eq(gl_fontfind_closest(&ctx, "Sans Mono", near, sizeof near), 3);
    ck_assert_ptr_nonnull(strstr(near, "DejaVu Sans Mono"));
    ck_assert_int_eq(gl_fontfind_closest(&ctx, "Qwxzv", near, sizeof near), 0);
    ck_assert_str_eq(near, "");
}
END_TEST

START_TEST(path_or_family)
{
    ck_assert(gl_fontfind_is_path("fonts/x"));
    ck_assert(gl_fontfind_is_path("Font.TTF"));
    ck_assert(gl_fontfind_is_path("a.otc:3"));
    ck_assert(gl_fontfind_is_path("a.otf"));
    ck_assert(gl_fontfind_is_path(FONTS));  // exists (and is no font: loading says so)
    ck_assert(!gl_fontfind_is_path("DejaVu Serif"));
    ck_assert(!gl_fontfind_is_path("Noto Serif CJK SC"));
    ck_assert(!gl_fontfind_is_path("ttf"));
    ck_assert(!gl_fontfind_is_path("x.ttf:y"));
}
END_TEST

/* ------------------------------------------------------------ fallback */

static gl_fontset *fallback_set(const char *font_dir, const char *lang)
{
    setup_ctx();
    gl_font_config cfg = {.font_dir = font_dir, .fallback = true, .lang = lang};
    gl_fontset *u = gl_fontset_new(&ctx, &cfg);
    ck_assert_msg(u != NULL, "gl_fontset_new: %s", ctx.errmsg);
    return u;
}

/* cp is set in a fallback role that has it; its note names the font once. */
static int assert_fallback(gl_fontset *u, uint32_t cp, const char *package)
{
    int f = gl_font_pick(u, GL_F_REGULAR, false, cp);
    ck_assert_msg(f >= GL_FACE_FALLBACK0 && f < GL_FACE_COUNT,
                  "U+%04X: face %d, not a fallback face (install %s)", cp, f, package);
    ck_assert(gl_face_loaded(u, f));
    ck_assert(gl_face_has(u, f, cp));
    ck_assert(gl_face_advance(u, f, cp) > 0);
    ck_assert_ptr_nonnull(strstr(gl_face_path(u, f), "/usr/share/fonts/"));
    // the same face whatever the style: fallback faces have one style
    ck_assert_int_eq(gl_font_pick(u, GL_F_BOLD_ITALIC, false, cp), f);
    ck_assert_int_eq(gl_font_pick_cjk_first(u, GL_F_REGULAR, false, cp), f);
    ck_assert_int_eq(ctx.status, GALLEY_OK);  // skipped candidates leave no error
    return f;
}

START_TEST(fallback_bmp)
{
    gl_fontset *u = fallback_set(FONTS, "en");
    ck_assert(!gl_face_loaded(u, GL_FACE_FALLBACK0));  // loaded on first need only
    // Arabic: no bundled face has BEH.
    for (int i = 0; i < GL_FACE_CONFIGURED; i++)
        ck_assert(!gl_face_has(u, i, 0x0628));
    int ar = assert_fallback(u, 0x0628, "fonts-sil-scheherazade");
    ck_assert_int_eq(ar, GL_FACE_FALLBACK0);
    const char *name = gl_font_fallback_note(u, ar);
    ck_assert_ptr_nonnull(name);
    ck_assert_str_ne(name, "");
    ck_assert_ptr_null(gl_font_fallback_note(u, ar));  // named once
    char first[256];
    snprintf(first, sizeof first, "%s", gl_face_path(u, ar));
    // ALEF next: the face already loaded has it, no new role.
    ck_assert_int_eq(gl_font_pick(u, GL_F_REGULAR, false, 0x0627), ar);
    ck_assert(!gl_face_loaded(u, GL_FACE_FALLBACK0 + 1));
    // WHITE CHESS KING (no bundled face) and an emoji: a monochrome face.
    int king = assert_fallback(u, 0x2654, "fonts-symbola");
    int smile = assert_fallback(u, 0x1F600, "fonts-symbola");
    ck_assert(!strstr(gl_face_path(u, smile), "Color"));
    (void)king;
    // Nothing installed has these, or they never fall back.
    static const uint32_t none[] = {0x0378, 0xE000, 0x10FFFD, 0xFFFF, 0x01, 0x9F, 0xFE0F,
                                    0x110000};
    int loaded = 0;
    for (int i = GL_FACE_FALLBACK0; i < GL_FACE_COUNT; i++)
        loaded += gl_face_loaded(u, i);
    for (size_t i = 0; i < sizeof none / sizeof *none; i++)
        for (int twice = 0; twice < 2; twice++)  // the second time from the missing set
            ck_assert_int_eq(gl_font_pick(u, GL_F_REGULAR, false, none[i]), -1);
    for (int i = GL_FACE_FALLBACK0; i < GL_FACE_COUNT; i++)
        loaded -= gl_face_loaded(u, i);
    ck_assert_int_eq(loaded, 0);
    gl_fontset_free(u);

    // The same choice every time (byte-identical output on one machine).
    u = fallback_set(FONTS, "en");
    ck_assert_int_eq(gl_font_pick(u, GL_F_REGULAR, false, 0x0628), GL_FACE_FALLBACK0);
    ck_assert_str_eq(gl_face_path(u, GL_FACE_FALLBACK0), first);
    gl_fontset_free(u);
}
END_TEST

START_TEST(fallback_astral)
{
    // U+20BB7 is in the bundled LXGW WenKai: the configured chain has it.
    gl_fontset *u = fallback_set(FONTS, "zh-Hans");
    ck_assert_int_eq(gl_font_pick(u, GL_F_REGULAR, false, 0x20BB7), GL_FACE_CJK_FALLBACK);
    // U+20000 (Extension B) is in none of the bundled faces: HanaMinB and
    // others have it.
    int f = assert_fallback(u, 0x20000, "fonts-hanazono");
    const char *name = gl_font_fallback_note(u, f);
    ck_assert_ptr_nonnull(name);
    fprintf(stderr, "test_font: U+20000 set in %s (%s)\n", name, gl_face_path(u, f));
    gl_fontset_free(u);

    // A font folder whose every default is Noto Serif (no CJK at all):
    // U+20BB7 then comes from an installed font too.
    char dir[256], link[400], cmd[700];
    snprintf(dir, sizeof dir, "%s/font-test-nocjk", scratch_dir());
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    char target[1024];
    ck_assert_ptr_nonnull(getcwd(target, 900));
    strcat(target, "/" FONTS "/NotoSerif-Regular.ttf");
    static const char *const names[] = {
        "NotoSerif-Regular.ttf", "NotoSerif-Bold.ttf", "NotoSerif-Italic.ttf",
        "NotoSerif-BoldItalic.ttf", "uming.ttc", "wqy-microhei.ttc",
        "LXGWWenKai-Regular.ttf", "NotoSansMono-Regular.ttf", "NotoSansMono-Bold.ttf"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(link, sizeof link, "%s/%s", dir, names[i]);
        remove(link);
        ck_assert_int_eq(symlink(target, link), 0);
    }
    u = fallback_set(dir, "zh-Hans");
    ck_assert_int_eq(gl_font_pick(u, GL_F_REGULAR, false, 0x4E2D) >= GL_FACE_FALLBACK0, 1);
    f = assert_fallback(u, 0x20BB7, "fonts-hanazono");
    ck_assert_ptr_nonnull(gl_font_fallback_note(u, f));
    gl_fontset_free(u);
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(link, sizeof link, "%s/%s", dir, names[i]);
        remove(link);
    }
    rmdir(dir);
}
END_TEST

START_TEST(fallback_off)
{
    // --no-font-fallback: .notdef, and no fallback role is ever filled.
    setup_ctx();
    gl_font_config cfg = {.font_dir = FONTS, .fallback = false};
    gl_fontset *u = gl_fontset_new(&ctx, &cfg);
    ck_assert_ptr_nonnull(u);
    static const uint32_t cps[] = {0x0628, 0x2654, 0x1F600, 0x20000};
    for (size_t i = 0; i < sizeof cps / sizeof *cps; i++) {
        ck_assert_int_eq(gl_font_pick(u, GL_F_REGULAR, false, cps[i]), -1);
        ck_assert_int_eq(gl_font_pick_cjk_first(u, GL_F_REGULAR, false, cps[i]), -1);
    }
    for (int i = GL_FACE_FALLBACK0; i < GL_FACE_COUNT; i++)
        ck_assert(!gl_face_loaded(u, i));
    gl_fontset_free(u);
}
END_TEST

START_TEST(fallback_full)
{
    // Eight roles at most: once full, further scripts are .notdef.
    gl_fontset *u = fallback_set(FONTS, NULL);
    static const uint32_t scripts[] = {0x0628, 0x20000, 0x1F600, 0x0E01, 0x10A0, 0x0905, 0x13A0,
                                       0x1200, 0x0F40, 0x1780, 0x0D05, 0x0B85, 0x1820, 0xA000,
                                       0x2C80, 0x16A0};
    int filled = 0;
    for (size_t i = 0; i < sizeof scripts / sizeof *scripts; i++) {
        int f = gl_font_pick(u, GL_F_REGULAR, false, scripts[i]);
        ck_assert(f == -1 || (f >= GL_FACE_FALLBACK0 && f < GL_FACE_COUNT));
        if (f >= 0)
            ck_assert(gl_face_has(u, f, scripts[i]));
    }
    for (int i = GL_FACE_FALLBACK0; i < GL_FACE_COUNT; i++)
        filled += gl_face_loaded(u, i);
    ck_assert_int_le(filled, GL_FACE_NFALLBACK);
    ck_assert_int_eq(ctx.status, GALLEY_OK);
    gl_fontset_free(u);
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
    tcase_add_test(tc, halt_half_widths);
    tcase_add_test(tc, error_no_cmap);
    suite_add_tcase(s, tc);

    tc = tcase_create("family");
    tcase_add_checked_fixture(tc, setup_ctx, NULL);
    tcase_add_test(tc, family_latin);
    tcase_add_test(tc, family_follows_file);
    tcase_add_test(tc, family_cjk_mono);
    tcase_add_test(tc, family_unknown);
    tcase_add_test(tc, path_or_family);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);

    tc = tcase_create("fallback");
    tcase_add_checked_fixture(tc, setup_ctx, NULL);
    tcase_add_test(tc, fallback_bmp);
    tcase_add_test(tc, fallback_astral);
    tcase_add_test(tc, fallback_off);
    tcase_add_test(tc, fallback_full);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);

    tc = tcase_create("subset");
    tcase_add_checked_fixture(tc, setup_fs, teardown_fs);
    tcase_add_test(tc, subset_latin);
    tcase_add_test(tc, subset_cjk);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}
