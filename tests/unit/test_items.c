/*
 * test_items.c — shaping for the breaker: CLREQ break rules over ICU's,
 * punctuation compression in the three styles, Han–Latin spacing, font
 * choice for ambiguous punctuation, and the item list the breaker gets.
 */
#include "items.h"
#include "linebreak.h"

#include <check.h>
#include <math.h>
#include <string.h>

static gl_ctx *ctx;
static gl_fontset *fs;
static gl_doc *doc;
static gl_shaper sh;

static void setup_lang(const char *lang, galley_cjk_punct punct)
{
    ctx = galley_ctx_new();
    gl_font_config fc = {.font_dir = "../fonts"};
    fs = gl_fontset_new(ctx, &fc);
    ck_assert_msg(fs != NULL, "%s", galley_errmsg(ctx));
    doc = gl_doc_new(ctx, "t.txt");
    doc->meta.lang = lang;
    doc->meta.lang_is_cjk = gl_lang_is_cjk(lang);
    gl_shaper_init(&sh, ctx, doc, fs, punct, NULL);
}

static void setup(void) { setup_lang("zh-Hans", GALLEY_PUNCT_GB); }

static void teardown(void)
{
    gl_shaper_free(&sh);
    gl_doc_free(doc);
    gl_fontset_free(fs);
    galley_ctx_free(ctx);
}

static const gl_text_style TS = {.size = 10, .style = GL_F_REGULAR};

/* Index of the glyph for the n-th occurrence (from 0) of cp. */
static size_t find(uint32_t cp, int nth)
{
    for (size_t i = 0; i < sh.ng; i++)
        if (sh.g[i].cp == cp && nth-- == 0)
            return i;
    ck_abort_msg("U+%04X not found", cp);
    return 0;
}

static void shape(const char *s)
{
    ck_assert_int_eq(gl_shape(&sh, NULL, s, strlen(s), &TS), 0);
}

START_TEST(test_no_break_before_closing_or_after_opening)
{
    shape("他说：“我们来了。”然后（大家）都走了……——好。");
    // closing and pausing marks never start a line
    static const uint32_t no_start[] = {0xFF1A, 0x3002, 0x201D, 0xFF09, 0x2026, 0x2014};
    for (size_t k = 0; k < sizeof no_start / sizeof *no_start; k++)
        ck_assert_msg(sh.g[find(no_start[k], 0)].brk == GL_BRK_NONE, "break before U+%04X",
                      no_start[k]);
    // nothing breaks right after an opening mark
    ck_assert_int_eq(sh.g[find(0x201C, 0) + 1].brk, GL_BRK_NONE);
    ck_assert_int_eq(sh.g[find(0xFF08, 0) + 1].brk, GL_BRK_NONE);
    // …… and —— are never split
    ck_assert_int_eq(sh.g[find(0x2026, 1)].brk, GL_BRK_NONE);
    ck_assert_int_eq(sh.g[find(0x2014, 1)].brk, GL_BRK_NONE);
    // but between two Han characters a break is allowed
    ck_assert_int_eq(sh.g[find(0x8D70, 0)].brk, GL_BRK_ALLOW);  /* 走 */
}
END_TEST

START_TEST(test_urls_break_only_in_emergency)
{
    shape("见 https://example.org/a/b/c 网站");
    size_t h = find('h', 0);
    for (size_t i = h + 1; i < sh.ng && !(sh.g[i].flags & GL_G_SPACE); i++)
        ck_assert_msg(sh.g[i].brk != GL_BRK_ALLOW, "ordinary break inside the URL at %zu", i);
    ck_assert_int_eq(sh.g[find('b', 0)].brk, GL_BRK_EMERGENCY);
}
END_TEST

START_TEST(test_gb_compression)
{
    shape("中，文。」好（《书》）");
    double em = TS.size;
    size_t comma = find(0xFF0C, 0), stop = find(0x3002, 0);
    // a pausing mark keeps its full width but may lose its trailing blank
    // at a line end
    ck_assert(sh.g[comma].end_trim > 0.3 * em && sh.g[comma].end_trim <= 0.5 * em);
    ck_assert(fabs(sh.g[comma].adv + sh.g[comma].end_trim - em) < 1e-3);
    // 。」 : the first mark is compressed for good (no end trim left)
    ck_assert(sh.g[stop].adv < 0.8 * em);
    ck_assert(sh.g[stop].end_trim == 0);
    // （《 : the second opening mark loses its leading blank
    size_t dbl = find(0x300A, 0);
    ck_assert(sh.g[dbl].lcomp > 0.3 * em);
    ck_assert(sh.g[dbl].adv < 0.7 * em);
    // 》） : the first closing mark is compressed
    ck_assert(sh.g[find(0x300B, 0)].adv < 0.7 * em);
}
END_TEST

START_TEST(test_full_and_centered_styles)
{
    gl_shaper_free(&sh);
    gl_shaper_init(&sh, ctx, doc, fs, GALLEY_PUNCT_FULL, NULL);
    shape("中，文。」好");
    for (size_t i = 0; i < sh.ng; i++) {
        ck_assert(sh.g[i].end_trim == 0 && sh.g[i].lcomp == 0);
        ck_assert(fabs(sh.g[i].adv - TS.size) < 1e-3);
    }
    gl_shaper_free(&sh);
    gl_shaper_init(&sh, ctx, doc, fs, GALLEY_PUNCT_CENTERED, NULL);
    shape("中，文。」好");
    // centred marks: nothing at the line end, a quarter at most on joins
    ck_assert(sh.g[find(0xFF0C, 0)].end_trim == 0);
    size_t stop = find(0x3002, 0);
    ck_assert(sh.g[stop].adv < TS.size - 0.01 && sh.g[stop].adv >= 0.75 * TS.size - 1e-3);
}
END_TEST

START_TEST(test_han_latin_spacing)
{
    shape("在2004年用GDP计算，增长9.5%和 x 值");
    double q = 0.25 * TS.size;
    ck_assert(fabs(sh.g[find('2', 0)].space_before - q) < 1e-6);   /* 在|2 */
    ck_assert(fabs(sh.g[find(0x5E74, 0)].space_before - q) < 1e-6); /* 4|年 */
    ck_assert(fabs(sh.g[find('G', 0)].space_before - q) < 1e-6);
    ck_assert(fabs(sh.g[find(0x8BA1, 0)].space_before - q) < 1e-6); /* P|计 */
    // not next to punctuation, not where a space is already
    ck_assert(sh.g[find(0x548C, 0)].space_before == 0);  /* %|和 */
    ck_assert(sh.g[find('x', 0)].space_before == 0);
    ck_assert(sh.g[find(0x503C, 0)].space_before == 0);  /* space|值 */
}
END_TEST

START_TEST(test_quotes_take_cjk_face_next_to_han)
{
    shape("他说“好”。He said “fine” too.");
    ck_assert_int_ge(sh.g[find(0x201C, 0)].face, GL_FACE_CJK);
    ck_assert_int_ge(sh.g[find(0x201D, 0)].face, GL_FACE_CJK);
    ck_assert_int_lt(sh.g[find(0x201C, 1)].face, GL_FACE_CJK);
    ck_assert_int_lt(sh.g[find(0x201D, 1)].face, GL_FACE_CJK);
}
END_TEST

/* Items: CJK glue everywhere, forbidden before a pausing mark, the trailing
 * blank of a comma as discardable glue, and a wide word cut into letters. */
START_TEST(test_items_structure)
{
    shape("中文，好");
    ck_assert_int_eq(gl_build_items(&sh, &TS, 400), 0);
    // 中 [glue] 文 [forbid][glue] ， [glue: trailing blank] 好
    int boxes = 0, glues = 0, forbids = 0;
    for (size_t k = 0; k < sh.nitems; k++) {
        const gl_item *it = &sh.items[k];
        if (it->type == GL_ITEM_BOX)
            boxes++;
        else if (it->type == GL_ITEM_GLUE)
            glues++;
        else if (it->penalty >= GL_BRK_INF)
            forbids++;
    }
    ck_assert_int_eq(boxes, 4);
    ck_assert_int_eq(glues, 3);
    ck_assert_int_eq(forbids, 1);
    // the glue after the comma carries its trailing blank
    size_t comma = find(0xFF0C, 0);
    bool found = false;
    for (size_t k = 0; k + 1 < sh.nitems; k++)
        if (sh.items[k].type == GL_ITEM_BOX && sh.spans[k].g0 == comma) {
            ck_assert_int_eq(sh.items[k + 1].type, GL_ITEM_GLUE);
            ck_assert(fabs(sh.items[k + 1].width - sh.g[comma].end_trim) < 1e-6);
            found = true;
        }
    ck_assert(found);

    shape("a Pneumonoultramicroscopicsilicovolcanoconiosis b");
    ck_assert_int_eq(gl_build_items(&sh, &TS, 60), 0);
    for (size_t k = 0; k < sh.nitems; k++)
        if (sh.items[k].type == GL_ITEM_BOX)
            ck_assert_msg(sh.items[k].width <= 60, "box %zu is %.1f wide", k, sh.items[k].width);
}
END_TEST

/* A paragraph-final opening quote (a typing slip) is set as closing. */
START_TEST(test_final_open_quote_set_as_closing)
{
    shape("他说：“这不长进的毛病儿！“");
    const gl_glyph *q = &sh.g[sh.ng - 1];
    ck_assert_uint_eq(q->cp, 0x201D);
    ck_assert(q->flags & GL_G_SUBST);
    ck_assert_int_eq(q->brk, GL_BRK_NONE);
    ck_assert_uint_eq(galley_diag_count(ctx), 1);
    ck_assert_ptr_nonnull(strstr(galley_diag_get(ctx, 0)->message, "U+201C"));
    // an opening quote inside the paragraph is left alone
    shape("他说：“好”。");
    ck_assert_uint_eq(sh.g[find(0x201C, 0)].flags & GL_G_SUBST, 0);
}
END_TEST

Suite *suite_items(void)
{
    Suite *s = suite_create("items");
    TCase *tc = tcase_create("items");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_no_break_before_closing_or_after_opening);
    tcase_add_test(tc, test_urls_break_only_in_emergency);
    tcase_add_test(tc, test_gb_compression);
    tcase_add_test(tc, test_full_and_centered_styles);
    tcase_add_test(tc, test_han_latin_spacing);
    tcase_add_test(tc, test_quotes_take_cjk_face_next_to_han);
    tcase_add_test(tc, test_items_structure);
    tcase_add_test(tc, test_final_open_quote_set_as_closing);
    suite_add_tcase(s, tc);
    return s;
}
