/*
 * test_reader.c — unit tests of the text reader (src/reader_text.c): the
 * article header, decoding (line ends, BOM, bad UTF-8, controls), paragraph
 * joining across Latin and CJK, plain text, and the real samples.
 * Run from tests/ (data paths are relative to it).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "reader.h"

/* ---------------------------------------------------------------- helpers */

static gl_ctx *ctx;

static void setup(void)
{
    ctx = galley_ctx_new();
    ck_assert_ptr_nonnull(ctx);
}

static void teardown(void)
{
    galley_ctx_free(ctx);
    ctx = NULL;
}

static gl_doc *read_str(const char *s, const char *source)
{
    gl_doc *doc = gl_read_text(ctx, s, strlen(s), source);
    ck_assert_ptr_nonnull(doc);
    return doc;
}

static const gl_block *nth(const gl_doc *doc, size_t n)
{
    const gl_block *b = doc->first;
    while (b && n--)
        b = b->next;
    ck_assert_ptr_nonnull(b);
    return b;
}

/* Index of the first diagnostic whose message contains sub, or -1. */
static long find_diag(const char *sub)
{
    for (size_t i = 0; i < galley_diag_count(ctx); i++)
        if (strstr(galley_diag_get(ctx, i)->message, sub))
            return (long)i;
    return -1;
}

static size_t count_diags(const char *sub)
{
    size_t n = 0;
    for (size_t i = 0; i < galley_diag_count(ctx); i++)
        n += strstr(galley_diag_get(ctx, i)->message, sub) != NULL;
    return n;
}

/* Every block's text must be valid UTF-8 whatever the input. */
static void assert_valid_utf8(const gl_doc *doc)
{
    for (const gl_block *b = doc->first; b; b = b->next) {
        ck_assert_uint_eq(strlen(b->text), b->len);
        for (size_t i = 0; i < b->len;) {
            size_t at = i;
            uint32_t cp = gl_utf8_next(b->text, b->len, &i);
            ck_assert_msg(cp != 0xFFFD || (i - at == 3 && !memcmp(b->text + at, "\xEF\xBF\xBD", 3)),
                          "invalid UTF-8 at byte %zu", at);
        }
    }
}

/* ---------------------------------------------------------------- header */

static const char *const seed_head =
    " date 2023-08-02 Title: China Prioritizes Basic Research\n"
    "\n"
    "Date: February 22, 2023\n"
    "\n"
    "Seeking truth magazine editorial department\n"
    "\n"
    "China has demonstrated significant advancements.\n"
    "\n"
    "Second paragraph.\n";

START_TEST(test_header_full)
{
    gl_doc *doc = read_str(seed_head, "seed.txt");
    ck_assert_str_eq(doc->meta.title, "China Prioritizes Basic Research");
    ck_assert_str_eq(doc->meta.date, "2023-08-02");
    ck_assert_str_eq(doc->meta.display_date, "February 22, 2023");
    ck_assert_str_eq(doc->meta.byline, "Seeking truth magazine editorial department");
    ck_assert_str_eq(doc->meta.source, "seed.txt");
    ck_assert_uint_eq(doc->nblocks, 2);
    ck_assert_str_eq(nth(doc, 0)->text, "China has demonstrated significant advancements.");
    ck_assert_uint_eq(nth(doc, 0)->line, 7);
    ck_assert_uint_eq(nth(doc, 0)->col, 1);
    ck_assert_uint_eq(nth(doc, 1)->line, 9);
    ck_assert_int_eq(nth(doc, 0)->type, GL_B_PARA);
    ck_assert_str_eq(doc->meta.lang, "en");
    ck_assert_uint_eq(galley_diag_count(ctx), 0);
    gl_doc_free(doc);
}
END_TEST

START_TEST(test_header_no_date_line)
{
    gl_doc *doc = read_str("date 2020-01-31 Title: T\n\nBy Someone\n\nBody text here.\n", "a.txt");
    ck_assert_str_eq(doc->meta.title, "T");
    ck_assert_str_eq(doc->meta.date, "2020-01-31");
    ck_assert_ptr_null(doc->meta.display_date);
    ck_assert_str_eq(doc->meta.byline, "By Someone");
    ck_assert_uint_eq(doc->nblocks, 1);
    gl_doc_free(doc);
}
END_TEST

START_TEST(test_header_no_byline)
{
    // The first paragraph ends with '.', so it is not a byline.
    gl_doc *doc = read_str("date 2020-01-31 Title: T\nDate: Jan 31\n\nShort one.\n\nMore.\n", "a.txt");
    ck_assert_str_eq(doc->meta.display_date, "Jan 31");
    ck_assert_ptr_null(doc->meta.byline);
    ck_assert_uint_eq(doc->nblocks, 2);
    ck_assert_str_eq(nth(doc, 0)->text, "Short one.");
    ck_assert_uint_eq(nth(doc, 0)->line, 4);
    gl_doc_free(doc);
}
END_TEST

START_TEST(test_header_colon_paragraph)
{
    // Federalist layout: a real byline, then a short salutation ending in ':'.
    gl_doc *doc = read_str("date 1787-10-27 Title: The Federalist No. 1\n\n"
                           "Date: October 27, 1787\n\n"
                           "Alexander Hamilton, The Independent Journal\n\n"
                           "To the People of the State of New York:\n\n"
                           "After an unequivocal experience.\n",
                           "f.txt");
    ck_assert_str_eq(doc->meta.byline, "Alexander Hamilton, The Independent Journal");
    ck_assert_str_eq(doc->meta.date, "1787-10-27");  // before 1970 is fine
    ck_assert_uint_eq(galley_diag_count(ctx), 0);
    ck_assert_uint_eq(doc->nblocks, 2);
    ck_assert_str_eq(nth(doc, 0)->text, "To the People of the State of New York:");
    gl_doc_free(doc);

    // Without the byline, the salutation must stay a paragraph.
    doc = read_str("date 1787-10-27 Title: X\n\nTo the People of the State of New York:\n\n"
                   "After an unequivocal experience.\n",
                   "f.txt");
    ck_assert_ptr_null(doc->meta.byline);
    ck_assert_uint_eq(doc->nblocks, 2);
    gl_doc_free(doc);
}
END_TEST

/* A short line that is the last thing in the file, or part of a longer
 * paragraph, or too long, is body text, not a byline. */
static const char *const not_byline_cases[] = {
    "date 2020-01-01 Title: T\n\nOnly line\n",
    "date 2020-01-01 Title: T\n\nFirst line\ncontinues here\n\nBody.\n",
    "date 2020-01-01 Title: T\n\n"
    "This line is much too long to be a byline because it goes on and on past eighty chars\n\n"
    "Body.\n",
    "date 2020-01-01 Title: T\n\n这是一个很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长的中文行没有任何标点符号\n\n正文。\n",
    "date 2020-01-01 Title: T\n\nShe said \"Stop!\"\n\nBody.\n",
    "date 2020-01-01 Title: T\n\n他说：“好。”\n\n正文。\n",
};

START_TEST(test_not_byline)
{
    gl_doc *doc = read_str(not_byline_cases[_i], "t.txt");
    ck_assert_ptr_null(doc->meta.byline);
    ck_assert_str_eq(doc->meta.title, "T");
    ck_assert_uint_ge(doc->nblocks, 1);
    gl_doc_free(doc);
}
END_TEST

START_TEST(test_header_chinese)
{
    gl_doc *doc = read_str("date 2005-03-05 Title: 2005年政府工作报告：过去一年工作回顾\n\n"
                           "Date: 2005年3月5日\n\n"
                           "国务院总理 温家宝\n\n"
                           "2004年，全国各族人民在中国共产党领导下，团结奋进。\n",
                           "zh.txt");
    ck_assert_str_eq(doc->meta.title, "2005年政府工作报告：过去一年工作回顾");
    ck_assert_str_eq(doc->meta.date, "2005-03-05");
    ck_assert_str_eq(doc->meta.display_date, "2005年3月5日");
    ck_assert_str_eq(doc->meta.byline, "国务院总理 温家宝");
    ck_assert_uint_eq(doc->nblocks, 1);
    ck_assert_str_eq(doc->meta.lang, "zh-Hans");
    ck_assert(doc->meta.lang_is_cjk);
    gl_doc_free(doc);
}
END_TEST

START_TEST(test_header_leading_blank_lines)
{
    gl_doc *doc = read_str("\n  \n\t date 2020-01-01   Title:   Spaced  Title  \n\nBody.\n", "t.txt");
    ck_assert_str_eq(doc->meta.title, "Spaced Title");
    ck_assert_str_eq(doc->meta.date, "2020-01-01");
    ck_assert_uint_eq(doc->nblocks, 1);
    ck_assert_uint_eq(nth(doc, 0)->line, 5);
    gl_doc_free(doc);
}
END_TEST

START_TEST(test_header_empty_title)
{
    gl_doc *doc = read_str("date 2020-01-01 Title:\n\nBody.\n", "dir/my-file.txt");
    ck_assert_str_eq(doc->meta.title, "my-file");
    gl_doc_free(doc);
}
END_TEST

/* Malformed dates warn at the header's line; the title is still taken. */
static const struct {
    const char *input;
    unsigned line;
    const char *quoted;
} bad_date_cases[] = {
    {"date 2023-13-45 Title: T\n\nBody.\n", 1, "'2023-13-45'"},
    {"\n\ndate 2023-2-3 Title: T\n\nBody.\n", 3, "'2023-2-3'"},
    {"\r\n\r\n\r\ndate yesterday Title: T\r\n\r\nBody.\r\n", 4, "'yesterday'"},
    {"date 2023-02-30 Title: T\n", 1, "'2023-02-30'"},
    {"date 1900-02-29 Title: T\n", 1, "'1900-02-29'"},
    {"date +023-02-03 Title: T\n", 1, "'+023-02-03'"},
};

START_TEST(test_bad_date)
{
    gl_doc *doc = read_str(bad_date_cases[_i].input, "bad.txt");
    ck_assert_str_eq(doc->meta.title, "T");
    ck_assert_ptr_null(doc->meta.date);
    long d = find_diag("malformed date");
    ck_assert_int_ge(d, 0);
    const galley_diag *g = galley_diag_get(ctx, (size_t)d);
    ck_assert_uint_eq(g->line, bad_date_cases[_i].line);
    ck_assert_uint_eq(g->column, 6);
    ck_assert_str_eq(g->source, "bad.txt");
    ck_assert_ptr_nonnull(strstr(g->message, bad_date_cases[_i].quoted));
    ck_assert_ptr_nonnull(strstr(g->message, "expected YYYY-MM-DD"));
    ck_assert_int_eq(g->severity, GALLEY_WARNING);
    gl_doc_free(doc);
}
END_TEST

START_TEST(test_missing_date)
{
    gl_doc *doc = read_str("date Title: T\n\nBody.\n", "m.txt");
    ck_assert_str_eq(doc->meta.title, "T");
    ck_assert_ptr_null(doc->meta.date);
    ck_assert_int_ge(find_diag("missing date"), 0);
    gl_doc_free(doc);
}
END_TEST

/* ---------------------------------------------------------------- decoding */

START_TEST(test_crlf_and_cr)
{
    static const char *const inputs[] = {
        "date 2020-01-01 Title: T\r\n\r\nOne\r\ntwo\r\n\r\nThree\r\n",
        "date 2020-01-01 Title: T\r\rOne\rtwo\r\rThree\r",
        "date 2020-01-01 Title: T\n\r\nOne\rtwo\n\rThree",
    };
    for (size_t i = 0; i < 3; i++) {
        gl_doc *doc = read_str(inputs[i], "t.txt");
        ck_assert_uint_eq(doc->nblocks, 2);
        ck_assert_str_eq(nth(doc, 0)->text, "One two");
        ck_assert_uint_eq(nth(doc, 0)->line, 3);
        ck_assert_uint_eq(gl_block_line_at(nth(doc, 0), 4), 4);
        ck_assert_str_eq(nth(doc, 1)->text, "Three");
        ck_assert_uint_eq(nth(doc, 1)->line, 6);
        gl_doc_free(doc);
    }
}
END_TEST

START_TEST(test_bom)
{
    gl_doc *doc = read_str("\xEF\xBB\xBF" "date 2020-01-01 Title: T\n\nBody.\n", "t.txt");
    ck_assert_str_eq(doc->meta.title, "T");
    ck_assert_uint_eq(doc->nblocks, 1);
    gl_doc_free(doc);
    doc = read_str("\xEF\xBB\xBFHello", "t.txt");
    ck_assert_str_eq(nth(doc, 0)->text, "Hello");
    ck_assert_uint_eq(nth(doc, 0)->col, 1);
    gl_doc_free(doc);
    ck_assert_uint_eq(galley_diag_count(ctx), 0);
}
END_TEST

START_TEST(test_invalid_utf8)
{
    // Line 3 has two bad sequences, line 5 a truncated one: one warning for
    // the file, at the first, with the count.
    gl_doc *doc = read_str("Good line\n\nab\xFF" "cd\xC3(\n\nok \xE4\xB8", "u.txt");
    assert_valid_utf8(doc);
    ck_assert_uint_eq(doc->nblocks, 3);
    ck_assert_str_eq(nth(doc, 1)->text, "ab\xEF\xBF\xBD" "cd\xEF\xBF\xBD(");
    ck_assert_str_eq(nth(doc, 2)->text, "ok \xEF\xBF\xBD");
    ck_assert_uint_eq(count_diags("invalid UTF-8 replaced by U+FFFD"), 1);
    ck_assert_uint_eq(galley_diag_count(ctx), 1);
    const galley_diag *g = galley_diag_get(ctx, (size_t)find_diag("invalid UTF-8"));
    ck_assert_uint_eq(g->line, 3);
    ck_assert_uint_eq(g->column, 3);
    ck_assert_str_eq(g->source, "u.txt");
    ck_assert_ptr_nonnull(strstr(g->message, "3 sequences"));
    gl_doc_free(doc);
    // A single bad byte is counted in the singular.
    galley_diag_clear(ctx);
    doc = read_str("x\n\n  y\x80", "one.txt");
    ck_assert_uint_eq(galley_diag_count(ctx), 1);
    g = galley_diag_get(ctx, 0);
    ck_assert_uint_eq(g->line, 3);
    ck_assert_uint_eq(g->column, 4);
    ck_assert_ptr_nonnull(strstr(g->message, "(1 sequence in"));
    gl_doc_free(doc);
}
END_TEST

START_TEST(test_literal_replacement_char)
{
    // A well-formed U+FFFD in the source is text, not an error.
    gl_doc *doc = read_str("a\xEF\xBF\xBD" "b", "t.txt");
    ck_assert_str_eq(nth(doc, 0)->text, "a\xEF\xBF\xBD" "b");
    ck_assert_uint_eq(galley_diag_count(ctx), 0);
    gl_doc_free(doc);
}
END_TEST

START_TEST(test_all_invalid)
{
    char buf[4096];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (char)(0x80 + i % 0x40);  // lone continuation bytes
    gl_doc *doc = gl_read_text(ctx, buf, sizeof buf, "bin");
    ck_assert_ptr_nonnull(doc);
    assert_valid_utf8(doc);
    ck_assert_uint_eq(doc->nblocks, 1);
    ck_assert_uint_eq(gl_utf8_count(nth(doc, 0)->text, nth(doc, 0)->len), sizeof buf);
    ck_assert_uint_eq(galley_diag_count(ctx), 1);
    ck_assert_str_eq(doc->meta.title, "bin");
    gl_doc_free(doc);
}
END_TEST

START_TEST(test_bad_bytes_on_every_line)
{
    // 100,000 lines each with a bad byte and a control: two warnings in all,
    // not 200,000 (a binary file must not flood the diagnostics).
    enum { N = 100000 };
    char *buf = malloc(N * 4);
    ck_assert_ptr_nonnull(buf);
    for (size_t i = 0; i < N; i++)
        memcpy(buf + 4 * i, "a\xFE\x01\n", 4);
    gl_doc *doc = gl_read_text(ctx, buf, N * 4, "bin.txt");
    free(buf);
    ck_assert_ptr_nonnull(doc);
    assert_valid_utf8(doc);
    ck_assert_uint_eq(galley_diag_count(ctx), 2);
    ck_assert_ptr_nonnull(strstr(galley_diag_get(ctx, (size_t)find_diag("UTF-8"))->message,
                                 "100000 sequences"));
    ck_assert_ptr_nonnull(strstr(galley_diag_get(ctx, (size_t)find_diag("U+0001"))->message,
                                 "100000 control characters"));
    gl_doc_free(doc);
}
END_TEST

START_TEST(test_controls)
{
    // NUL, BEL, ESC, DEL and C1 (U+0085) are dropped; tab and FF are spaces.
    static const char in[] = "a\0b\x07" "c\tz\n\x1B[1m\x7F\xC2\x85x\fy";
    gl_doc *doc = gl_read_text(ctx, in, sizeof in - 1, "c.txt");
    ck_assert_uint_eq(doc->nblocks, 1);
    ck_assert_str_eq(nth(doc, 0)->text, "abc z [1mx y");
    // One warning for the file, naming the first (NUL at 1:2) and the count.
    ck_assert_uint_eq(count_diags("control character"), 1);
    ck_assert_uint_eq(galley_diag_count(ctx), 1);
    const galley_diag *g = galley_diag_get(ctx, (size_t)find_diag("U+0000"));
    ck_assert_uint_eq(g->line, 1);
    ck_assert_uint_eq(g->column, 2);
    ck_assert_ptr_nonnull(strstr(g->message, "5 control characters"));
    gl_doc_free(doc);
}
END_TEST

START_TEST(test_spaces_collapse)
{
    gl_doc *doc = read_str("  a   b\t\t c  \n   d  ", "t.txt");
    ck_assert_str_eq(nth(doc, 0)->text, "a b c d");
    ck_assert_uint_eq(nth(doc, 0)->col, 3);
    gl_doc_free(doc);
    // Ideographic spaces indenting a Chinese paragraph are trimmed; a
    // whitespace-only line (any white space) separates paragraphs.
    doc = read_str("\xE3\x80\x80\xE3\x80\x80中文\n \xE3\x80\x80 \t\n下一段", "t.txt");
    ck_assert_uint_eq(doc->nblocks, 2);
    ck_assert_str_eq(nth(doc, 0)->text, "中文");
    ck_assert_uint_eq(nth(doc, 0)->col, 3);
    gl_doc_free(doc);
}
END_TEST

/* ---------------------------------------------------------------- joining */

static const struct {
    const char *in, *out;
} join_cases[] = {
    {"word\nnext", "word next"},
    {"中文\n继续", "中文继续"},
    {"中文\nEnglish", "中文English"},  // CJK on either side: no space (layout spaces Han–Latin)
    {"English\n中文", "English中文"},
    {"句子。\n下一句", "句子。下一句"},
    {"full stop.\nNext", "full stop. Next"},
    {"  indented  \n   lines  \n", "indented lines"},
    {"引号“\nquote", "引号“ quote"},  // U+201C is not CJK: a space
    {"ｆｕｌｌ\nwidth", "ｆｕｌｌwidth"},  // full-width forms count as CJK
    {"a\n\n\nb", "a"},
};

START_TEST(test_join)
{
    gl_doc *doc = read_str(join_cases[_i].in, "t.txt");
    ck_assert_str_eq(nth(doc, 0)->text, join_cases[_i].out);
    gl_doc_free(doc);
}
END_TEST

START_TEST(test_line_offs)
{
    gl_doc *doc = read_str("\n\nfirst line\n  second\n中文\n第四\n\nnext", "t.txt");
    const gl_block *b = nth(doc, 0);
    ck_assert_str_eq(b->text, "first line second中文第四");
    ck_assert_uint_eq(b->line, 3);
    ck_assert_uint_eq(b->nline_offs, 3);
    ck_assert_uint_eq(b->line_offs[0], 11);  // "second"
    ck_assert_uint_eq(b->line_offs[1], 17);  // "中文"
    ck_assert_uint_eq(b->line_offs[2], 23);  // "第四"
    ck_assert_uint_eq(gl_block_line_at(b, 0), 3);
    ck_assert_uint_eq(gl_block_line_at(b, 10), 3);
    ck_assert_uint_eq(gl_block_line_at(b, 11), 4);
    ck_assert_uint_eq(gl_block_line_at(b, 20), 5);
    ck_assert_uint_eq(gl_block_line_at(b, 23), 6);
    ck_assert_uint_eq(nth(doc, 1)->line, 8);
    ck_assert_uint_eq(nth(doc, 1)->nline_offs, 0);
    gl_doc_free(doc);
}
END_TEST

/* ---------------------------------------------------------------- plain text */

static const struct {
    const char *source, *title;
} title_cases[] = {
    {"notes.txt", "notes"},
    {"/a/b/my.notes.txt", "my.notes"},
    {"README", "README"},
    {".profile", ".profile"},
    {"dir/", "Untitled"},
    {"<stdin>", "Untitled"},
    {NULL, "Untitled"},
    {"bad\xFFname.txt", "bad\xEF\xBF\xBDname"},
    {"ctl\x01name.txt", "ctlname"},
};

START_TEST(test_plain_title)
{
    gl_doc *doc = read_str("Just some text.\nMore of it.\n\nSecond paragraph.\n", title_cases[_i].source);
    ck_assert_str_eq(doc->meta.title, title_cases[_i].title);
    ck_assert_ptr_null(doc->meta.date);
    ck_assert_ptr_null(doc->meta.byline);
    ck_assert_ptr_null(doc->meta.display_date);
    ck_assert_uint_eq(doc->nblocks, 2);
    ck_assert_str_eq(nth(doc, 0)->text, "Just some text. More of it.");
    ck_assert_uint_eq(nth(doc, 0)->line, 1);
    ck_assert_uint_eq(nth(doc, 1)->line, 4);
    gl_doc_free(doc);
}
END_TEST

START_TEST(test_plain_not_header)
{
    // "date" without "Title:" and "Date:" lines are just text without a header.
    gl_doc *doc = read_str("date 2020-01-01 is when\n\nDate: tomorrow\n\nA byline-like line\n\nBody.",
                           "p.txt");
    ck_assert_ptr_null(doc->meta.date);
    ck_assert_ptr_null(doc->meta.display_date);
    ck_assert_ptr_null(doc->meta.byline);
    ck_assert_str_eq(doc->meta.title, "p");
    ck_assert_uint_eq(doc->nblocks, 4);
    gl_doc_free(doc);
}
END_TEST

static const char *const empty_cases[] = {"", "\n", "\n\n  \n\t\n", "\xEF\xBB\xBF", "\r\r\r"};

START_TEST(test_empty)
{
    gl_doc *doc = read_str(empty_cases[_i], "empty.txt");
    ck_assert_uint_eq(doc->nblocks, 0);
    ck_assert_ptr_null(doc->first);
    ck_assert_str_eq(doc->meta.title, "empty");
    ck_assert_str_eq(doc->meta.lang, "en");
    ck_assert_uint_eq(galley_diag_count(ctx), 0);
    gl_doc_free(doc);
    doc = gl_read_text(ctx, NULL, 0, NULL);
    ck_assert_ptr_nonnull(doc);
    ck_assert_str_eq(doc->meta.title, "Untitled");
    gl_doc_free(doc);
}
END_TEST

START_TEST(test_header_only)
{
    gl_doc *doc = read_str("date 2020-01-01 Title: Just a title", "h.txt");
    ck_assert_uint_eq(doc->nblocks, 0);
    ck_assert_str_eq(doc->meta.title, "Just a title");
    gl_doc_free(doc);
}
END_TEST

/* ---------------------------------------------------------------- pathological */

START_TEST(test_huge_line)
{
    size_t n = 10u << 20;
    char *s = malloc(n);
    ck_assert_ptr_nonnull(s);
    for (size_t i = 0; i < n; i++)
        s[i] = i % 7 == 6 ? ' ' : 'x';
    s[n - 1] = ' ';
    gl_doc *doc = gl_read_text(ctx, s, n, "big.txt");
    ck_assert_ptr_nonnull(doc);
    ck_assert_uint_eq(doc->nblocks, 1);
    ck_assert_uint_eq(nth(doc, 0)->len, n - 1);  // trailing space trimmed
    gl_doc_free(doc);
    free(s);
}
END_TEST

START_TEST(test_many_lines)
{
    const size_t n = 100000;
    char *s = malloc(4 * n);
    ck_assert_ptr_nonnull(s);
    // 100k blank lines, then 100k one-line paragraphs separated by blanks.
    memset(s, '\n', n);
    for (size_t i = 0; i < n; i++)
        memcpy(s + n + 3 * i, "a\n\n", 3);
    gl_doc *doc = gl_read_text(ctx, s, 4 * n, "many.txt");
    ck_assert_ptr_nonnull(doc);
    ck_assert_uint_eq(doc->nblocks, n);
    ck_assert_uint_eq(doc->first->line, n + 1);
    ck_assert_uint_eq(doc->last->line, 3 * n - 1);
    gl_doc_free(doc);
    // One paragraph of 100k lines: line_offs stays linear.
    for (size_t i = 0; i < n; i++)
        memcpy(s + 2 * i, "b\n", 2);
    doc = gl_read_text(ctx, s, 2 * n, "one.txt");
    ck_assert_uint_eq(doc->nblocks, 1);
    ck_assert_uint_eq(doc->first->len, 2 * n - 1);
    ck_assert_uint_eq(doc->first->nline_offs, n - 1);
    ck_assert_uint_eq(gl_block_line_at(doc->first, doc->first->len - 1), n);
    gl_doc_free(doc);
    free(s);
}
END_TEST

/* ---------------------------------------------------------------- samples */

static gl_doc *read_path(const char *path)
{
    char *data;
    size_t len;
    ck_assert_int_eq(gl_read_file(ctx, path, &data, &len), 0);
    gl_doc *doc = gl_read_text(ctx, data, len, path);
    gl_free(data);
    ck_assert_ptr_nonnull(doc);
    return doc;
}

START_TEST(test_seed_article)
{
    gl_doc *doc = read_path("data/seed-article.txt");
    ck_assert_str_eq(doc->meta.title,
                     "China Prioritizes Basic Research to Achieve Technological Self-Reliance "
                     "and Innovation");
    ck_assert_str_eq(doc->meta.date, "2023-08-02");
    ck_assert_str_eq(doc->meta.display_date, "February 22, 2023");
    ck_assert_str_eq(doc->meta.byline, "Seeking truth magazine editorial department");
    ck_assert_uint_eq(doc->nblocks, 10);
    ck_assert_uint_eq(nth(doc, 0)->line, 7);
    ck_assert(strncmp(nth(doc, 0)->text, "China has demonstrated", 22) == 0);
    ck_assert_str_eq(doc->meta.lang, "en");
    ck_assert(!doc->meta.lang_is_cjk);
    ck_assert_uint_eq(galley_diag_count(ctx), 0);
    assert_valid_utf8(doc);
    gl_doc_free(doc);
}
END_TEST

START_TEST(test_zh_article)
{
    gl_doc *doc = read_path("data/zh-article.txt");
    ck_assert_str_eq(doc->meta.title, "2005年政府工作报告：过去一年工作回顾");
    ck_assert_str_eq(doc->meta.date, "2005-03-05");
    ck_assert_str_eq(doc->meta.display_date, "2005年3月5日");
    ck_assert_str_eq(doc->meta.byline, "国务院总理 温家宝");
    ck_assert_uint_ge(doc->nblocks, 5);
    ck_assert(strncmp(nth(doc, 0)->text, "2004年", 7) == 0);
    ck_assert_str_eq(doc->meta.lang, "zh-Hans");
    ck_assert(doc->meta.lang_is_cjk);
    ck_assert_uint_eq(galley_diag_count(ctx), 0);
    assert_valid_utf8(doc);
    gl_doc_free(doc);
}
END_TEST

START_TEST(test_data_files)
{
    gl_doc *doc = read_path("data/reader/crlf-bad-date.txt");
    ck_assert_str_eq(doc->meta.title, "Windows line ends");
    ck_assert_ptr_null(doc->meta.date);
    ck_assert_str_eq(doc->meta.byline, "A. Writer");
    ck_assert_uint_eq(doc->nblocks, 2);
    ck_assert_str_eq(nth(doc, 0)->text, "First paragraph, wrapped over two lines.");
    const galley_diag *g = galley_diag_get(ctx, (size_t)find_diag("malformed date"));
    ck_assert_uint_eq(g->line, 2);
    ck_assert_str_eq(g->source, "data/reader/crlf-bad-date.txt");
    gl_doc_free(doc);
}
END_TEST

Suite *suite_reader(void)
{
    Suite *s = suite_create("reader");
    TCase *tc = tcase_create("header");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_header_full);
    tcase_add_test(tc, test_header_no_date_line);
    tcase_add_test(tc, test_header_no_byline);
    tcase_add_test(tc, test_header_colon_paragraph);
    tcase_add_loop_test(tc, test_not_byline, 0, sizeof not_byline_cases / sizeof not_byline_cases[0]);
    tcase_add_test(tc, test_header_chinese);
    tcase_add_test(tc, test_header_leading_blank_lines);
    tcase_add_test(tc, test_header_empty_title);
    tcase_add_loop_test(tc, test_bad_date, 0, sizeof bad_date_cases / sizeof bad_date_cases[0]);
    tcase_add_test(tc, test_missing_date);
    tcase_add_test(tc, test_header_only);
    suite_add_tcase(s, tc);

    tc = tcase_create("decode");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_crlf_and_cr);
    tcase_add_test(tc, test_bom);
    tcase_add_test(tc, test_invalid_utf8);
    tcase_add_test(tc, test_literal_replacement_char);
    tcase_add_test(tc, test_all_invalid);
    tcase_add_test(tc, test_controls);
    tcase_add_test(tc, test_bad_bytes_on_every_line);
    tcase_add_test(tc, test_spaces_collapse);
    suite_add_tcase(s, tc);

    tc = tcase_create("join");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_join, 0, sizeof join_cases / sizeof join_cases[0]);
    tcase_add_test(tc, test_line_offs);
    suite_add_tcase(s, tc);

    tc = tcase_create("plain");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_plain_title, 0, sizeof title_cases / sizeof title_cases[0]);
    tcase_add_test(tc, test_plain_not_header);
    tcase_add_loop_test(tc, test_empty, 0, sizeof empty_cases / sizeof empty_cases[0]);
    suite_add_tcase(s, tc);

    tc = tcase_create("pathological");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);  // generous for valgrind; a quadratic reader takes hours
    tcase_add_test(tc, test_huge_line);
    tcase_add_test(tc, test_many_lines);
    suite_add_tcase(s, tc);

    tc = tcase_create("samples");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_seed_article);
    tcase_add_test(tc, test_zh_article);
    tcase_add_test(tc, test_data_files);
    suite_add_tcase(s, tc);
    return s;
}
