/*
 * test_hyph.c — hyphenation points (hyph.h) with Debian's hyph_en_US.dic
 * (hyphen-en-us): known words, capitals, short words, non-letters, UTF-8
 * offsets; the 2-before/3-after minimums against a permissive dictionary
 * written to a temporary GALLEY_HYPH_DIR; a missing dictionary.
 */
#define _POSIX_C_SOURCE 200809L /* setenv, mkdtemp */
#include "hyph.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static gl_ctx *ctx;
static gl_hyph *en;

static void setup(void)
{
    ctx = galley_ctx_new();
    ck_assert_ptr_nonnull(ctx);
    unsetenv("GALLEY_HYPH_DIR");
    en = gl_hyph_new(ctx, "en-US");
    ck_assert_msg(en != NULL, "hyph_en_US.dic missing: install hyphen-en-us");
    ck_assert_uint_eq(galley_diag_count(ctx), 0);
}

static void teardown(void)
{
    gl_hyph_free(en);
    galley_ctx_free(ctx);
}

/* The word with '-' at each point, e.g. "hy-phen-ation". */
static const char *hyphenated(gl_hyph *h, const char *w)
{
    static char out[512];
    size_t offs[64];
    int k = gl_hyph_word(h, w, strlen(w), offs, 64);
    ck_assert_int_ge(k, 0);
    size_t o = 0, p = 0;
    for (int i = 0; i < k; i++) {
        ck_assert_uint_gt(offs[i], p);  // ascending, never at 0
        ck_assert_uint_lt(offs[i], strlen(w));
        // On a character boundary: the byte there starts a character.
        ck_assert_msg(((unsigned char)w[offs[i]] & 0xC0) != 0x80, "%s: offset %zu", w, offs[i]);
        memcpy(out + o, w + p, offs[i] - p);
        o += offs[i] - p;
        out[o++] = '-';
        p = offs[i];
    }
    strcpy(out + o, w + p);
    return out;
}

START_TEST(known_words)
{
    // What hyph_en_US.dic (hyphen-en-us 2.8.8) gives, checked by hand.
    static const char *cases[][2] = {
        {"hyphenation", "hy-phen-ation"}, {"typography", "ty-pog-ra-phy"},
        {"algorithm", "al-go-rithm"},     {"international", "in-ter-na-tional"},
        {"cooperation", "co-op-er-a-tion"}, {"breaking", "break-ing"},
        {"paragraph", "para-graph"},      {"every", "ev-ery"},
        {"table", "ta-ble"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ck_assert_str_eq(hyphenated(en, cases[i][0]), cases[i][1]);
    size_t offs[8];
    ck_assert_int_eq(gl_hyph_word(en, "hyphenation", 11, offs, 8), 2);
    ck_assert_uint_eq(offs[0], 2);
    ck_assert_uint_eq(offs[1], 6);
    // max caps the count.
    ck_assert_int_eq(gl_hyph_word(en, "hyphenation", 11, offs, 1), 1);
    ck_assert_uint_eq(offs[0], 2);
    // The length is honoured: "hyphen" of "hyphenation" is a word of its own.
    ck_assert_str_eq(hyphenated(en, "hyphen"), "hy-phen");
    ck_assert_int_eq(gl_hyph_word(en, "hyphenation", 6, offs, 8), 1);
}
END_TEST

START_TEST(capitals)
{
    ck_assert_str_eq(hyphenated(en, "Hyphenation"), "Hy-phen-ation");
    ck_assert_str_eq(hyphenated(en, "HYPHENATION"), "HY-PHEN-ATION");
    ck_assert_str_eq(hyphenated(en, "TyPoGrApHy"), "Ty-PoG-rA-pHy");
}
END_TEST

START_TEST(short_words_and_non_letters)
{
    // Fewer than 2 + 3 letters: never.
    static const char *none[] = {"the", "over", "into", "a", "I", "what", "",
                                 "don't", "x-ray", "3D", "abc1def", "mp3player", "e.g.",
                                 "hyphen ation", "naïve", "cafés"};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
        ck_assert_msg(strcmp(hyphenated(en, none[i]), none[i]) == 0, "%s hyphenated", none[i]);
    size_t offs[8];
    ck_assert_int_eq(gl_hyph_word(NULL, "hyphenation", 11, offs, 8), 0);
    ck_assert_int_eq(gl_hyph_word(en, "hyphenation", 11, offs, 0), 0);
    // Invalid UTF-8 is no word.
    ck_assert_int_eq(gl_hyph_word(en, "hyph\xffnation", 11, offs, 8), 0);
    // Longer than GL_HYPH_MAXWORD: left alone.
    char big[GL_HYPH_MAXWORD + 12];
    for (size_t i = 0; i + 11 < sizeof big; i += 11)
        memcpy(big + i, "hyphenation", 11);
    ck_assert_int_eq(gl_hyph_word(en, big, sizeof big - (sizeof big % 11), offs, 8), 0);
}
END_TEST

START_TEST(utf8_offsets)
{
    // Offsets are bytes of the original word, past two-byte letters.
    ck_assert_str_eq(hyphenated(en, "encyclopædia"), "en-cy-clopæ-dia");
    size_t offs[8];
    ck_assert_int_eq(gl_hyph_word(en, "encyclopædia", strlen("encyclopædia"), offs, 8), 3);
    ck_assert_uint_eq(offs[2], 10);  // e n c y c l o p æ: 8 + 2 bytes
    ck_assert_str_eq(hyphenated(en, "Übersetzung"), "Über-set-zung");
    ck_assert_int_eq(gl_hyph_word(en, "Übersetzung", strlen("Übersetzung"), offs, 8), 2);
    ck_assert_uint_eq(offs[0], 5);  // Ü is two bytes
    ck_assert_str_eq(hyphenated(en, "résumé"), "ré-sumé");
    ck_assert_str_eq(hyphenated(en, "coöperation"), "coöper-a-tion");
    // A combining diaeresis (o + U+0308): never a hyphen before the mark.
    const char *dec = "coo\xcc\x88peration";
    int k = gl_hyph_word(en, dec, strlen(dec), offs, 8);
    ck_assert_int_gt(k, 0);
    for (int i = 0; i < k; i++)
        ck_assert(!(dec[offs[i]] == '\xcc' && dec[offs[i] + 1] == '\x88'));
    hyphenated(en, dec);  // boundaries
}
END_TEST

/* A dictionary that allows a hyphen after every letter (a-z, é), with its
 * own minimums at 1, in a temporary directory named by GALLEY_HYPH_DIR. */
static char dir[64];

static void write_permissive_dict(const char *name)
{
    strcpy(dir, "/tmp/galley-hyph-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/hyph_%s.dic", dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "UTF-8\nLEFTHYPHENMIN 1\nRIGHTHYPHENMIN 1\n");
    for (char c = 'a'; c <= 'z'; c++)
        fprintf(f, "%c1\n", c);
    fprintf(f, "é1\n");
    fclose(f);
    setenv("GALLEY_HYPH_DIR", dir, 1);
}

static void remove_dict(const char *name)
{
    char path[128];
    snprintf(path, sizeof path, "%s/hyph_%s.dic", dir, name);
    unlink(path);
    rmdir(dir);
    unsetenv("GALLEY_HYPH_DIR");
}

START_TEST(minimums_and_search_path)
{
    write_permissive_dict("xx");
    gl_hyph *h = gl_hyph_new(ctx, "xx");
    ck_assert_ptr_nonnull(h);
    ck_assert(strncmp(gl_hyph_path(h), dir, strlen(dir)) == 0);
    // Every point but the first letter and the last two: 2 before, 3 after.
    ck_assert_str_eq(hyphenated(h, "abcdefgh"), "ab-c-d-e-fgh");
    ck_assert_str_eq(hyphenated(h, "abcde"), "ab-cde");
    ck_assert_str_eq(hyphenated(h, "abcd"), "abcd");
    ck_assert_str_eq(hyphenated(h, "ABCDE"), "AB-CDE");
    // Two-byte letters: offsets 4 and 6 in "éééééé" (12 bytes).
    size_t offs[8];
    ck_assert_int_eq(gl_hyph_word(h, "éééééé", 12, offs, 8), 2);
    ck_assert_uint_eq(offs[0], 4);
    ck_assert_uint_eq(offs[1], 6);
    ck_assert_str_eq(hyphenated(h, "aébécé"), "aé-b-écé");
    gl_hyph_free(h);
    // The environment directory comes first: "xx-YY" falls back to xx.
    h = gl_hyph_new(ctx, "xx-YY");
    ck_assert_ptr_nonnull(h);
    gl_hyph_free(h);
    // English is still found in /usr/share/hyphen after the directory.
    h = gl_hyph_new(ctx, "en");
    ck_assert_ptr_nonnull(h);
    ck_assert_str_eq(gl_hyph_path(h), "/usr/share/hyphen/hyph_en.dic");
    gl_hyph_free(h);
    remove_dict("xx");
    ck_assert_uint_eq(galley_diag_count(ctx), 0);
}
END_TEST

START_TEST(language_tags)
{
    static const char *tags[] = {"en", "en-US", "EN_us", "en-Latn-US", "en-GB", "en-029"};
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
        gl_hyph *h = gl_hyph_new(ctx, tags[i]);
        ck_assert_msg(h != NULL, "%s", tags[i]);
        ck_assert_str_eq(hyphenated(h, "hyphenation"), "hy-phen-ation");
        gl_hyph_free(h);
    }
    ck_assert_uint_eq(galley_diag_count(ctx), 0);
}
END_TEST

START_TEST(missing_dictionary)
{
    // A warning, not an error: NULL, a diagnostic, no failure on ctx.
    gl_hyph *h = gl_hyph_new(ctx, "tlh");
    ck_assert_ptr_null(h);
    ck_assert_uint_eq(galley_diag_count(ctx), 1);
    const galley_diag *d = galley_diag_get(ctx, 0);
    ck_assert_int_eq(d->severity, GALLEY_WARNING);
    ck_assert_ptr_nonnull(strstr(d->message, "hyph_tlh.dic"));
    ck_assert_str_eq(galley_errmsg(ctx), "");
    ck_assert(!ctx->oom);
    // Tags that could escape the directory are refused the same way.
    ck_assert_ptr_null(gl_hyph_new(ctx, "../../etc/passwd"));
    ck_assert_ptr_null(gl_hyph_new(ctx, "en/../x"));
    ck_assert_ptr_null(gl_hyph_new(ctx, NULL));
    ck_assert_ptr_null(gl_hyph_new(ctx, ""));
    ck_assert_uint_eq(galley_diag_count(ctx), 5);
    // An empty GALLEY_HYPH_DIR is ignored; a wrong one falls through.
    setenv("GALLEY_HYPH_DIR", "/nonexistent-galley-hyph", 1);
    h = gl_hyph_new(ctx, "en-US");
    ck_assert_ptr_nonnull(h);
    gl_hyph_free(h);
    unsetenv("GALLEY_HYPH_DIR");
    // Words through a NULL dictionary: no points.
    size_t offs[4];
    ck_assert_int_eq(gl_hyph_word(NULL, "typography", 10, offs, 4), 0);
    gl_hyph_free(NULL);
    ck_assert_ptr_null(gl_hyph_path(NULL));
}
END_TEST

START_TEST(out_of_memory)
{
    // Failing each allocation in turn: NULL and ctx->oom, never a crash.
    for (unsigned long n = 1; n < 4; n++) {
        gl_ctx *c = galley_ctx_new();
        ck_assert_ptr_nonnull(c);
        c->fail_alloc_at = n;
        gl_hyph *h = gl_hyph_new(c, "en-US");
        if (h) {
            ck_assert(!c->oom);
            gl_hyph_free(h);
        } else {
            ck_assert(c->oom);
        }
        galley_ctx_free(c);
    }
}
END_TEST

Suite *suite_hyph(void)
{
    Suite *s = suite_create("hyph");
    TCase *tc = tcase_create("hyph");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, known_words);
    tcase_add_test(tc, capitals);
    tcase_add_test(tc, short_words_and_non_letters);
    tcase_add_test(tc, utf8_offsets);
    tcase_add_test(tc, minimums_and_search_path);
    tcase_add_test(tc, language_tags);
    tcase_add_test(tc, missing_dictionary);
    tcase_add_test(tc, out_of_memory);
    suite_add_tcase(s, tc);
    return s;
}
