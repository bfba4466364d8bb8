/*
 * test_doc.c — unit tests of the document model (src/doc.c): building the
 * block tree, source-line lookup, language detection and option overrides.
 */
#include <check.h>
#include <string.h>

#include "doc.h"

static gl_ctx *new_ctx(void)
{
    gl_ctx *ctx = galley_ctx_new();
    ck_assert_ptr_nonnull(ctx);
    return ctx;
}

START_TEST(test_new_free)
{
    gl_ctx *ctx = new_ctx();
    char name[] = "in.txt";
    gl_doc *doc = gl_doc_new(ctx, name);
    ck_assert_ptr_nonnull(doc);
    name[0] = 'X';  // the source name is copied
    ck_assert_str_eq(doc->meta.source, "in.txt");
    ck_assert_ptr_nonnull(doc->meta.title);
    ck_assert_ptr_null(doc->first);
    ck_assert_uint_eq(doc->nblocks, 0);
    gl_doc_free(doc);
    gl_doc_free(NULL);  // NULL-safe
    galley_ctx_free(ctx);
}
END_TEST

START_TEST(test_append_tree)
{
    gl_ctx *ctx = new_ctx();
    gl_doc *doc = gl_doc_new(ctx, NULL);
    char text[] = "hello world";
    gl_block *p = gl_doc_append(doc, NULL, GL_B_PARA, text, 5, 3);
    ck_assert_ptr_nonnull(p);
    text[0] = 'J';  // copied into the arena, NUL-terminated at len
    ck_assert_str_eq(p->text, "hello");
    ck_assert_uint_eq(p->len, 5);
    ck_assert_uint_eq(p->line, 3);
    gl_block *q = gl_doc_append(doc, NULL, GL_B_QUOTE, NULL, 0, 4);
    ck_assert_ptr_null(q->text);
    gl_block *c1 = gl_doc_append(doc, q, GL_B_PARA, "a", 1, 4);
    gl_block *c2 = gl_doc_append(doc, q, GL_B_PARA, "b", 1, 6);
    gl_block *c3 = gl_doc_append(doc, q, GL_B_PARA, "", 0, 8);
    gl_block *h = gl_doc_append(doc, NULL, GL_B_HEADING, "H", 1, 9);
    ck_assert_ptr_eq(doc->first, p);
    ck_assert_ptr_eq(p->next, q);
    ck_assert_ptr_eq(q->next, h);
    ck_assert_ptr_eq(doc->last, h);
    ck_assert_ptr_eq(q->children, c1);
    ck_assert_ptr_eq(c1->next, c2);
    ck_assert_ptr_eq(c2->next, c3);
    ck_assert_ptr_null(c3->next);
    ck_assert_str_eq(c3->text, "");
    ck_assert_uint_eq(doc->nblocks, 6);
    gl_doc_free(doc);
    galley_ctx_free(ctx);
}
END_TEST

/* 100,000 children of one container: appending must be O(1). */
START_TEST(test_append_many)
{
    gl_ctx *ctx = new_ctx();
    gl_doc *doc = gl_doc_new(ctx, "x");
    gl_block *q = gl_doc_append(doc, NULL, GL_B_QUOTE, NULL, 0, 1);
    for (int i = 0; i < 100000; i++)
        ck_assert_ptr_nonnull(gl_doc_append(doc, q, GL_B_PARA, "p", 1, (unsigned)i + 2));
    size_t n = 0;
    for (gl_block *b = q->children; b; b = b->next)
        n++;
    ck_assert_uint_eq(n, 100000);
    gl_doc_free(doc);
    galley_ctx_free(ctx);
}
END_TEST

START_TEST(test_line_at)
{
    static const uint32_t offs[] = {10, 20, 35};
    gl_block b = {.line = 7, .line_offs = offs, .nline_offs = 3};
    static const struct { size_t off; unsigned line; } cases[] = {
        {0, 7}, {9, 7}, {10, 8}, {19, 8}, {20, 9}, {34, 9}, {35, 10}, {1000, 10},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ck_assert_uint_eq(gl_block_line_at(&b, cases[i].off), cases[i].line);
    gl_block one = {.line = 3};
    ck_assert_uint_eq(gl_block_line_at(&one, 0), 3);
    ck_assert_uint_eq(gl_block_line_at(&one, 99), 3);
}
END_TEST

static const struct {
    const char *lang;
    bool cjk;
} lang_cases[] = {
    {"zh", true}, {"zh-Hans", true}, {"ZH-hant", true}, {"ja", true}, {"ja-JP", true},
    {"ko", true}, {"KO_kr", true}, {"yue", true}, {"en", false}, {"en-US", false},
    {"zhx", false}, {"", false}, {"z", false}, {"jav", false}, {"fr-CA", false},
};

START_TEST(test_lang_is_cjk)
{
    ck_assert_msg(gl_lang_is_cjk(lang_cases[_i].lang) == lang_cases[_i].cjk, "lang '%s'",
                  lang_cases[_i].lang);
}
END_TEST

static const struct {
    const char *text;
    const char *lang;
} detect_cases[] = {
    {"Hello world", "en"},
    {"中华人民共和国", "zh-Hans"},
    {"中文 and some English words here", "en"},
    {"这是一个很长很长很长的中文句子 with a few words", "zh-Hans"},  // 15 vs 13
    {"这是一个很长很长的中文句子 with a few words", "en"},  // 13 vs 13: not most
    {"12345 !!! ...", "en"},  // no letters at all
    {"ひらがなとカタカナ", "en"},  // kana are not Han: not "zh-Hans"
    {"", "en"},
};

START_TEST(test_detect_lang)
{
    gl_ctx *ctx = new_ctx();
    gl_doc *doc = gl_doc_new(ctx, "x");
    const char *t = detect_cases[_i].text;
    gl_doc_append(doc, NULL, GL_B_PARA, t, strlen(t), 1);
    gl_doc_detect_lang(doc);
    ck_assert_str_eq(doc->meta.lang, detect_cases[_i].lang);
    ck_assert(doc->meta.lang_is_cjk == (strcmp(detect_cases[_i].lang, "zh-Hans") == 0));
    gl_doc_free(doc);
    galley_ctx_free(ctx);
}
END_TEST

START_TEST(test_detect_lang_nested_and_title)
{
    gl_ctx *ctx = new_ctx();
    gl_doc *doc = gl_doc_new(ctx, "x");
    doc->meta.title = "中文标题很长很长很长";
    gl_doc_append(doc, NULL, GL_B_PARA, "abc", 3, 1);
    gl_block *q = gl_doc_append(doc, NULL, GL_B_QUOTE, NULL, 0, 2);
    gl_doc_append(doc, q, GL_B_PARA, "de", 2, 2);
    gl_doc_detect_lang(doc);  // 10 Han vs 5 Latin letters
    ck_assert_str_eq(doc->meta.lang, "zh-Hans");
    gl_doc_free(doc);

    // An already-set language is kept.
    doc = gl_doc_new(ctx, "x");
    doc->meta.lang = "ja";
    gl_doc_append(doc, NULL, GL_B_PARA, "abc", 3, 1);
    gl_doc_detect_lang(doc);
    ck_assert_str_eq(doc->meta.lang, "ja");
    ck_assert(doc->meta.lang_is_cjk);
    gl_doc_free(doc);
    galley_ctx_free(ctx);
}
END_TEST

START_TEST(test_apply_options)
{
    gl_ctx *ctx = new_ctx();
    gl_doc *doc = gl_doc_new(ctx, "x");
    doc->meta.title = "Old";
    doc->meta.byline = "Someone";
    doc->meta.lang = "en";
    galley_options opt;
    galley_options_init(&opt);
    ck_assert_int_eq(gl_doc_apply_options(doc, &opt), 0);  // no overrides
    ck_assert_str_eq(doc->meta.title, "Old");
    ck_assert_str_eq(doc->meta.byline, "Someone");
    ck_assert_str_eq(doc->meta.lang, "en");
    char title[] = "New", author[] = "Me", lang[] = "zh-Hant";
    opt.title = title;
    opt.author = author;
    opt.lang = lang;
    ck_assert_int_eq(gl_doc_apply_options(doc, &opt), 0);
    title[0] = author[0] = lang[0] = '?';  // copied
    ck_assert_str_eq(doc->meta.title, "New");
    ck_assert_str_eq(doc->meta.byline, "Me");
    ck_assert_str_eq(doc->meta.lang, "zh-Hant");
    ck_assert(doc->meta.lang_is_cjk);
    opt.title = opt.author = NULL;
    opt.lang = "";  // empty: ignored
    ck_assert_int_eq(gl_doc_apply_options(doc, &opt), 0);
    ck_assert_str_eq(doc->meta.lang, "zh-Hant");
    ck_assert_int_eq(gl_doc_apply_options(doc, NULL), 0);
    gl_doc_free(doc);
    galley_ctx_free(ctx);
}
END_TEST

Suite *suite_doc(void)
{
    Suite *s = suite_create("doc");
    TCase *tc = tcase_create("tree");
    tcase_add_test(tc, test_new_free);
    tcase_add_test(tc, test_append_tree);
    tcase_add_test(tc, test_append_many);
    tcase_add_test(tc, test_line_at);
    suite_add_tcase(s, tc);
    tc = tcase_create("lang");
    tcase_add_loop_test(tc, test_lang_is_cjk, 0, sizeof lang_cases / sizeof lang_cases[0]);
    tcase_add_loop_test(tc, test_detect_lang, 0, sizeof detect_cases / sizeof detect_cases[0]);
    tcase_add_test(tc, test_detect_lang_nested_and_title);
    suite_add_tcase(s, tc);
    tc = tcase_create("options");
    tcase_add_test(tc, test_apply_options);
    suite_add_tcase(s, tc);
    return s;
}
