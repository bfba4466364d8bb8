/*
 * test_reader_md.c — unit tests of the Markdown reader (src/reader_md.c) and
 * the model it fills (doc.h: articles, spans, images): front matter, each
 * construct, CJK soft breaks, chapters, line numbers, pathological nesting,
 * raw HTML, image paths, plus gl_doc_articles/gl_doc_absorb and
 * gl_image_probe.  Run from tests/ (data paths are relative to it).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include "reader.h"

static gl_ctx *new_ctx(void)
{
    gl_ctx *ctx = galley_ctx_new();
    ck_assert_ptr_nonnull(ctx);
    return ctx;
}

static gl_doc *rd(gl_ctx *ctx, const char *md, const char *src)
{
    gl_doc *doc = gl_read_markdown(ctx, md, strlen(md), src ? src : "t.md", 0);
    ck_assert_ptr_nonnull(doc);
    return doc;
}

/* The n-th block (0-based, document order, any depth) of type t. */
static const gl_block *nth(const gl_doc *doc, gl_block_type t, int n)
{
    const gl_block *stack[256];
    size_t k = 0;
    if (doc->first)
        stack[k++] = doc->first;
    while (k) {
        const gl_block *b = stack[--k];
        if (b->next)
            stack[k++] = b->next;
        if (b->children && k < 255)
            stack[k++] = b->children;
        if (b->type == t && n-- == 0)
            return b;
    }
    return NULL;
}

static bool has_warning(gl_ctx *ctx, const char *needle, unsigned line)
{
    for (size_t i = 0; i < galley_diag_count(ctx); i++) {
        const galley_diag *d = galley_diag_get(ctx, i);
        if (strstr(d->message, needle) && (!line || d->line == line))
            return true;
    }
    return false;
}

static size_t count_warnings(gl_ctx *ctx, const char *needle)
{
    size_t n = 0;
    for (size_t i = 0; i < galley_diag_count(ctx); i++)
        n += strstr(galley_diag_get(ctx, i)->message, needle) != NULL;
    return n;
}

/* The span covering byte off of b's text. */
static const gl_span *span_at(const gl_block *b, size_t off)
{
    for (size_t i = 0; i < b->nspans; i++)
        if (off >= b->spans[i].off && off < (size_t)b->spans[i].off + b->spans[i].len)
            return &b->spans[i];
    return NULL;
}

static uint32_t style_of(const gl_block *b, const char *word)
{
    const char *p = strstr(b->text, word);
    ck_assert_msg(p, "'%s' not in '%s'", word, b->text);
    const gl_span *s = span_at(b, (size_t)(p - b->text));
    return s ? s->style : 0;
}

/* ---------------------------------------------------------------- front matter */

START_TEST(test_front_matter)
{
    gl_ctx *ctx = new_ctx();
    gl_doc *doc = rd(ctx,
                     "---\n"
                     "title: \"A: Title\"\n"
                     "subtitle: Sub\n"
                     "author: [Ann, 李四]\n"
                     "date: 2024-05-01\n"
                     "lang: zh-Hans\n"
                     "colour: blue\n"
                     "---\n"
                     "Body text.\n",
                     NULL);
    ck_assert_str_eq(doc->meta.title, "A: Title");
    ck_assert_str_eq(doc->meta.subtitle, "Sub");
    ck_assert_str_eq(doc->meta.byline, "Ann, 李四");
    ck_assert_str_eq(doc->meta.date, "2024-05-01");
    ck_assert_ptr_null(doc->meta.display_date);
    ck_assert_str_eq(doc->meta.lang, "zh-Hans");
    ck_assert(doc->meta.lang_is_cjk);
    ck_assert(has_warning(ctx, "unknown key 'colour'", 7));
    const gl_block *p = nth(doc, GL_B_PARA, 0);
    ck_assert_str_eq(p->text, "Body text.");
    ck_assert_uint_eq(p->line, 9);  // counted from the file's first line
    gl_doc_free(doc);

    // A non-ISO date is shown as written; a YAML error is a warning and the
    // text still comes through.
    doc = rd(ctx, "---\ndate: May 1, 2024\n---\nx\n", NULL);
    ck_assert_ptr_null(doc->meta.date);
    ck_assert_str_eq(doc->meta.display_date, "May 1, 2024");
    gl_doc_free(doc);
    doc = rd(ctx, "---\ntitle: [unclosed\n---\nStill here.\n", "dir/bad.md");
    ck_assert(has_warning(ctx, "YAML error", 0));
    ck_assert_str_eq(nth(doc, GL_B_PARA, 0)->text, "Still here.");
    ck_assert_str_eq(doc->meta.title, "bad");  // from the file name
    gl_doc_free(doc);
    // No closing line: not front matter (a thematic break and a setext heading).
    doc = rd(ctx, "---\ntitle: x\n", NULL);
    ck_assert_ptr_nonnull(nth(doc, GL_B_HR, 0));
    gl_doc_free(doc);
    galley_ctx_free(ctx);
}
END_TEST

/* ---------------------------------------------------------------- constructs */

START_TEST(test_headings_and_anchors)
{
    gl_ctx *ctx = new_ctx();
    gl_doc *doc = gl_read_markdown(ctx, "Intro\n\n# One\n\n## Two\n\n###### Six\n\n# One\n", 43,
                                   "t.md", GL_MD_ONE_ARTICLE);
    ck_assert_ptr_nonnull(doc);
    ck_assert_uint_eq(doc->narticles, 0);  // one implicit article
    const gl_block *h = nth(doc, GL_B_HEADING, 0);
    ck_assert_str_eq(h->text, "One");
    ck_assert_int_eq(h->level, 1);
    ck_assert_str_eq(h->anchor, "one");
    ck_assert_int_eq(nth(doc, GL_B_HEADING, 1)->level, 2);
    ck_assert_int_eq(nth(doc, GL_B_HEADING, 2)->level, 6);
    ck_assert_str_eq(nth(doc, GL_B_HEADING, 3)->anchor, "one-1");  // de-duplicated
    ck_assert_uint_eq(nth(doc, GL_B_HEADING, 2)->line, 7);
    gl_doc_free(doc);
    doc = rd(ctx, "## Hello, World! 第一回 甄士隐\n\nx\n", NULL);
    ck_assert_str_eq(doc->first->anchor ? doc->first->anchor : nth(doc, GL_B_HEADING, 0)->anchor,
                     "hello-world-第一回-甄士隐");
    gl_doc_free(doc);
    galley_ctx_free(ctx);
}
END_TEST

START_TEST(test_inline_styles)
{
    gl_ctx *ctx = new_ctx();
    gl_doc *doc = rd(ctx,
                     "plain *em* **strong** ***both*** `co  de` ~~gone~~ "
                     "[web](https://e.org/x) [in](#sec)\n",
                     NULL);
    const gl_block *p = nth(doc, GL_B_PARA, 0);
    ck_assert_str_eq(p->text, "plain em strong both co  de gone web in");
    ck_assert_uint_eq(style_of(p, "plain"), 0);
    ck_assert_uint_eq(style_of(p, "em"), GL_S_ITALIC);
    ck_assert_uint_eq(style_of(p, "strong"), GL_S_BOLD);
    ck_assert_uint_eq(style_of(p, "both"), GL_S_BOLD | GL_S_ITALIC);
    ck_assert_uint_eq(style_of(p, "co  de"), GL_S_CODE);
    ck_assert_uint_eq(style_of(p, "gone"), GL_S_STRIKE);
    ck_assert_uint_eq(style_of(p, "web"), GL_S_LINK);
    ck_assert_str_eq(span_at(p, (size_t)(strstr(p->text, "web") - p->text))->href,
                     "https://e.org/x");
    ck_assert_str_eq(span_at(p, (size_t)(strstr(p->text, "web in") + 4 - p->text))->href, "#sec");
    // Spans are sorted and cover the text.
    size_t pos = 0;
    for (size_t i = 0; i < p->nspans; i++) {
        ck_assert_uint_eq(p->spans[i].off, pos);
        pos += p->spans[i].len;
    }
    ck_assert_uint_eq(pos, p->len);
    gl_doc_free(doc);
    galley_ctx_free(ctx);
}
END_TEST

START_TEST(test_breaks_and_cjk)
{
    gl_ctx *ctx = new_ctx();
    gl_doc *doc = rd(ctx,
                     "one\ntwo  \nthree\\\nfour\n\n中文第一行\n第二行 and\nEnglish\n\n"
                     "*a*\n~~b~~\n",
                     NULL);
    const gl_block *p = nth(doc, GL_B_PARA, 0);
    // Soft break: a space; hard breaks (two spaces, backslash): '\n'.
    ck_assert_str_eq(p->text, "one two\nthree\nfour");
    ck_assert_uint_eq(p->line, 1);
    ck_assert_uint_eq(gl_block_line_at(p, 0), 1);
    ck_assert_uint_eq(gl_block_line_at(p, 4), 2);   // "two"
    ck_assert_uint_eq(gl_block_line_at(p, 8), 3);   // "three"
    ck_assert_uint_eq(gl_block_line_at(p, 14), 4);  // "four"
    // No space where a line break meets CJK, as in the text reader.
    ck_assert_str_eq(nth(doc, GL_B_PARA, 1)->text, "中文第一行第二行 and English");
    // The soft-break space takes only the styles both sides share.
    p = nth(doc, GL_B_PARA, 2);
    ck_assert_str_eq(p->text, "a b");
    ck_assert_uint_eq(span_at(p, 1)->style, 0);
    gl_doc_free(doc);
    galley_ctx_free(ctx);
}
END_TEST

START_TEST(test_code_quote_hr)
{
    gl_ctx *ctx = new_ctx();
    gl_doc *doc = rd(ctx,
                     "```python extra\nif x:\n\treturn  1\n```\n\n> quoted\n>\n> > inner\n\n"
                     "***\n\n    indented\n",
                     NULL);
    const gl_block *c = nth(doc, GL_B_CODE, 0);
    ck_assert_str_eq(c->text, "if x:\n    return  1");  // tab to 4 columns, spaces kept
    ck_assert_str_eq(c->info, "python extra");
    ck_assert_uint_eq(c->line, 1);
    const gl_block *q = nth(doc, GL_B_QUOTE, 0);
    ck_assert_str_eq(q->children->text, "quoted");
    ck_assert_int_eq(q->children->next->type, GL_B_QUOTE);
    ck_assert_str_eq(q->children->next->children->text, "inner");
    ck_assert_uint_eq(q->children->next->line, 8);
    ck_assert_ptr_nonnull(nth(doc, GL_B_HR, 0));
    ck_assert_uint_eq(nth(doc, GL_B_HR, 0)->line, 10);
    c = nth(doc, GL_B_CODE, 1);
    ck_assert_str_eq(c->text, "indented");
    ck_assert_ptr_null(c->info);
    gl_doc_free(doc);
    galley_ctx_free(ctx);
}
END_TEST

START_TEST(test_lists)
{
    gl_ctx *ctx = new_ctx();
    gl_doc *doc = rd(ctx,
                     "3. three\n4. four\n   - a\n   - b\n\n     para\n\ntext\n\n- x\n\n- y\n", NULL);
    const gl_block *l = nth(doc, GL_B_LIST, 0);
    ck_assert(l->ordered);
    ck_assert_uint_eq(l->start, 3);
    ck_assert(l->tight);
    ck_assert_int_eq(l->children->type, GL_B_ITEM);
    ck_assert_str_eq(l->children->children->text, "three");
    const gl_block *item2 = l->children->next;
    const gl_block *inner = item2->children->next;
    ck_assert_int_eq(inner->type, GL_B_LIST);
    ck_assert(!inner->ordered);
    ck_assert(!inner->tight);  // a blank line inside an item makes it loose
    ck_assert_str_eq(inner->children->next->children->next->text, "para");
    ck_assert_uint_eq(inner->line, 3);
    const gl_block *l2 = nth(doc, GL_B_LIST, 2);
    ck_assert(!l2->ordered && !l2->tight);
    ck_assert_uint_eq(l2->line, 10);
    gl_doc_free(doc);
    galley_ctx_free(ctx);
}
END_TEST

START_TEST(test_tables)
{
    gl_ctx *ctx = new_ctx();
    gl_doc *doc = rd(ctx,
                     "| a | b | c | d |\n|:--|:-:|--:|---|\n| 1 | **2** |\n| x | y | z | w | extra |\n",
                     NULL);
    const gl_block *t = nth(doc, GL_B_TABLE, 0);
    ck_assert_uint_eq(t->ncols, 4);
    ck_assert_int_eq(t->align[0], GL_ALIGN_LEFT);
    ck_assert_int_eq(t->align[1], GL_ALIGN_CENTER);
    ck_assert_int_eq(t->align[2], GL_ALIGN_RIGHT);
    ck_assert_int_eq(t->align[3], GL_ALIGN_NONE);
    int rows = 0;
    for (const gl_block *r = t->children; r; r = r->next, rows++) {
        ck_assert_int_eq(r->type, GL_B_TABLE_ROW);
        ck_assert(r->header == (rows == 0));
        int cells = 0;
        for (const gl_block *c = r->children; c; c = c->next, cells++)
            ck_assert_int_eq(c->type, GL_B_TABLE_CELL);
        ck_assert_int_eq(cells, 4);  // short rows padded, long rows cut (GFM)
    }
    ck_assert_int_eq(rows, 3);
    const gl_block *c2 = t->children->next->children->next;
    ck_assert_str_eq(c2->text, "2");
    ck_assert_uint_eq(c2->spans[0].style, GL_S_BOLD);
    ck_assert_str_eq(t->children->next->children->next->next->text, "");
    ck_assert_uint_eq(t->children->next->line, 3);
    gl_doc_free(doc);
    galley_ctx_free(ctx);
}
END_TEST

START_TEST(test_footnotes)
{
    gl_ctx *ctx = new_ctx();
    gl_doc *doc = rd(ctx,
                     "A[^x] b[^y] c[^x].\n\n[^y]: Why.\n[^x]: Ex *it*.\n[^unused]: never\n",
                     NULL);
    const gl_block *p = nth(doc, GL_B_PARA, 0);
    ck_assert_str_eq(p->text, "A1 b2 c1.");
    const gl_span *r1 = span_at(p, 1), *r2 = span_at(p, 4), *r3 = span_at(p, 7);
    ck_assert_uint_eq(r1->style, GL_S_NOTEREF);
    ck_assert_uint_eq(r1->len, 1);
    ck_assert_uint_eq(r2->style, GL_S_NOTEREF);
    ck_assert_ptr_nonnull(r1->note);
    ck_assert_ptr_eq(r1->note, r3->note);  // the same note twice
    ck_assert_ptr_ne(r1->note, r2->note);
    ck_assert_uint_eq(r1->note->note_num, 1);
    ck_assert_uint_eq(r2->note->note_num, 2);
    ck_assert_int_eq(r1->note->type, GL_B_FOOTNOTE);
    ck_assert_str_eq(r1->note->children->text, "Ex it.");
    ck_assert_uint_eq(r1->note->children->spans[1].style, GL_S_ITALIC);
    ck_assert_str_eq(r2->note->children->text, "Why.");
    ck_assert_uint_eq(r2->note->line, 3);
    ck_assert_uint_eq(doc->nnotes, 2);  // the unreferenced one is dropped
    ck_assert_ptr_null(nth(doc, GL_B_FOOTNOTE, 2));
    // [^missing] is plain text.
    gl_doc_free(doc);
    doc = rd(ctx, "see [^missing]\n", NULL);
    ck_assert_str_eq(nth(doc, GL_B_PARA, 0)->text, "see [^missing]");
    gl_doc_free(doc);
    galley_ctx_free(ctx);
}
END_TEST

START_TEST(test_images)
{
    gl_ctx *ctx = new_ctx();
    gl_doc *doc = rd(ctx,
                     "![Alt *text*](pics/a%20b.png)\n\n"
                     "before ![x](/abs/y.jpg) after\n\n"
                     "# Head ![in heading](h.png)\n\n"
                     "![remote](https://e.org/r.png)\n",
                     "books/one/book.md");
    const gl_block *i0 = nth(doc, GL_B_IMAGE, 0);
    ck_assert_str_eq(i0->text, "Alt text");
    ck_assert_str_eq(i0->src, "pics/a%20b.png");
    ck_assert_str_eq(i0->path, "books/one/pics/a b.png");  // relative to the input's directory
    ck_assert_uint_eq(i0->line, 1);
    // An image in a paragraph splits it.
    const gl_block *i1 = nth(doc, GL_B_IMAGE, 1);
    ck_assert_str_eq(i1->path, "/abs/y.jpg");
    ck_assert_uint_eq(i1->line, 3);
    ck_assert_str_eq(nth(doc, GL_B_PARA, 0)->text, "before");
    ck_assert_ptr_eq(nth(doc, GL_B_PARA, 0)->next, i1);
    ck_assert_str_eq(i1->next->text, "after");
    // In a heading: alt text; remote: alt text and a warning.
    ck_assert_ptr_null(nth(doc, GL_B_IMAGE, 2));
    ck_assert(has_warning(ctx, "remote image", 7));
    ck_assert_str_eq(nth(doc, GL_B_PARA, 2)->text, "remote");
    gl_doc_free(doc);
    galley_ctx_free(ctx);
}
END_TEST

START_TEST(test_raw_html)
{
    gl_ctx *ctx = new_ctx();
    gl_doc *doc = rd(ctx, "a <b>bold</b> c\n\n<div>\nblock\n</div>\n\n<script>x</script>\n", NULL);
    ck_assert_str_eq(nth(doc, GL_B_PARA, 0)->text, "a bold c");
    ck_assert_ptr_null(nth(doc, GL_B_PARA, 1));  // HTML blocks are gone
    ck_assert_uint_eq(count_warnings(ctx, "raw HTML"), 1);  // once per file
    ck_assert(has_warning(ctx, "raw HTML", 1));
    for (const gl_block *b = doc->first; b; b = b->next)
        ck_assert(!b->text || !strchr(b->text, '<'));
    gl_doc_free(doc);
    galley_ctx_free(ctx);
}
END_TEST

START_TEST(test_hygiene)
{
    gl_ctx *ctx = new_ctx();
    const char md[] = "\xEF\xBB\xBF" "a\x01" "b \xFF c\0d\n";
    gl_doc *doc = gl_read_markdown(ctx, md, sizeof md - 1, "t.md", 0);
    ck_assert_ptr_nonnull(doc);
    // BOM gone, control dropped (warned), bad byte and NUL -> U+FFFD.
    ck_assert_str_eq(nth(doc, GL_B_PARA, 0)->text, "ab \xEF\xBF\xBD c\xEF\xBF\xBD" "d");
    ck_assert(has_warning(ctx, "control character", 1));
    gl_doc_free(doc);
    // Empty input: a doc with a title and no blocks.
    doc = gl_read_markdown(ctx, NULL, 0, "<stdin>", 0);
    ck_assert_ptr_nonnull(doc);
    ck_assert_ptr_null(doc->first);
    ck_assert_str_eq(doc->meta.title, "Untitled");
    gl_doc_free(doc);
    galley_ctx_free(ctx);
}
END_TEST

/* ---------------------------------------------------------------- chapters */

START_TEST(test_book_chapters)
{
    gl_ctx *ctx = new_ctx();
    // A single # title, then ## chapters (Hongloumeng's shape).
    gl_doc *doc = rd(ctx,
                     "# 红楼梦\n\n前言。\n\n## 第一回\n\n正文[^a]。\n\n### 小节\n\n## 第二回\n\n又一回。\n\n"
                     "[^a]: 注。\n",
                     NULL);
    ck_assert_str_eq(doc->meta.title, "红楼梦");
    ck_assert_str_eq(doc->meta.lang, "zh-Hans");
    ck_assert_uint_eq(doc->narticles, 3);
    gl_article_ref arts[4];
    ck_assert_uint_eq(gl_doc_articles(doc, arts, 4), 3);
    ck_assert_str_eq(arts[0].meta->title, "红楼梦");  // the leading article
    ck_assert_str_eq(arts[0].first->text, "前言。");
    ck_assert_str_eq(arts[1].meta->title, "第一回");
    ck_assert_str_eq(arts[1].block->anchor, "第一回");
    ck_assert_str_eq(arts[1].meta->lang, "zh-Hans");
    ck_assert_uint_eq(arts[1].block->line, 5);
    const gl_block *h = arts[1].first->next;
    ck_assert_int_eq(h->type, GL_B_HEADING);
    ck_assert_int_eq(h->level, 1);  // ### under ## chapters is level 1
    // The footnote sits at the end of the article with its reference.
    const gl_block *last = arts[1].first;
    while (last->next)
        last = last->next;
    ck_assert_int_eq(last->type, GL_B_FOOTNOTE);
    ck_assert_str_eq(arts[2].meta->title, "第二回");
    for (const gl_block *b = doc->first; b; b = b->next)
        ck_assert_int_eq(b->type, GL_B_ARTICLE);
    gl_doc_free(doc);

    // # parts with ## chapters (War and Peace): parts are the articles.
    doc = rd(ctx, "# War\n\n# Part I\n\n## Chapter I\n\nx\n\n# Part II\n\ny\n", NULL);
    ck_assert_str_eq(doc->meta.title, "War");
    ck_assert_uint_eq(gl_doc_articles(doc, arts, 4), 2);
    ck_assert_str_eq(arts[0].meta->title, "Part I");
    ck_assert_int_eq(arts[0].first->type, GL_B_HEADING);
    ck_assert_int_eq(arts[0].first->level, 1);
    ck_assert_str_eq(arts[1].meta->title, "Part II");
    gl_doc_free(doc);

    // No headings: one implicit article; GL_MD_ONE_ARTICLE: no split either.
    doc = rd(ctx, "just text\n", "notes.md");
    ck_assert_uint_eq(doc->narticles, 0);
    ck_assert_uint_eq(gl_doc_articles(doc, arts, 4), 1);
    ck_assert_ptr_eq(arts[0].meta, &doc->meta);
    ck_assert_str_eq(doc->meta.title, "notes");
    gl_doc_free(doc);
    const char *one = "# Note\n\nintro\n\n## A\n\n## B\n";
    doc = gl_read_markdown(ctx, one, strlen(one), "n.md", GL_MD_ONE_ARTICLE);
    ck_assert_uint_eq(doc->narticles, 0);
    ck_assert_str_eq(doc->meta.title, "Note");
    ck_assert_int_eq(nth(doc, GL_B_HEADING, 0)->level, 1);
    gl_doc_free(doc);
    // Front-matter title equal to the first # heading: the heading is dropped.
    doc = rd(ctx, "---\ntitle: Same\n---\n# Same\n\ntext\n", NULL);
    ck_assert_ptr_null(nth(doc, GL_B_HEADING, 0));
    ck_assert_uint_eq(doc->narticles, 0);
    gl_doc_free(doc);
    galley_ctx_free(ctx);
}
END_TEST

START_TEST(test_absorb)
{
    gl_ctx *ctx = new_ctx();
    gl_doc *brief = gl_read_text(ctx, "date 2024-01-02 Title: First\n\nOne.\n", 36, "a.txt");
    ck_assert_ptr_nonnull(brief);
    gl_doc *md = rd(ctx, "# T\n\n## C1\n\nx\n\n## C2\n\ny\n", "b.md");
    gl_doc *md2 = rd(ctx, "plain md\n", "c.md");
    ck_assert_int_eq(gl_doc_absorb(brief, md), 0);
    ck_assert_int_eq(gl_doc_absorb(brief, md2), 0);
    gl_article_ref arts[8];
    ck_assert_uint_eq(gl_doc_articles(brief, arts, 8), 4);
    ck_assert_uint_eq(brief->narticles, 4);
    ck_assert_str_eq(arts[0].meta->title, "First");
    ck_assert_str_eq(arts[0].meta->date, "2024-01-02");
    ck_assert_str_eq(arts[0].first->text, "One.");
    ck_assert_str_eq(arts[1].meta->title, "C1");
    ck_assert_str_eq(arts[2].meta->title, "C2");
    ck_assert_str_eq(arts[3].meta->title, "c");
    ck_assert_str_eq(arts[3].meta->source, "c.md");
    ck_assert_str_eq(arts[3].first->text, "plain md");
    gl_doc_free(brief);  // frees the absorbed docs too (valgrind: no leaks)
    galley_ctx_free(ctx);
}
END_TEST

/* ---------------------------------------------------------------- pathological */

static int max_depth(const gl_doc *doc)
{
    typedef struct {
        const gl_block *b;
        int d;
    } it;
    size_t cap = 64, n = 0;
    it *st = malloc(cap * sizeof *st);
    int best = 0;
    if (doc->first)
        st[n++] = (it){doc->first, 1};
    while (n) {
        it x = st[--n];
        if (x.d > best)
            best = x.d;
        if (n + 2 > cap)
            st = realloc(st, (cap *= 2) * sizeof *st);
        if (x.b->next)
            st[n++] = (it){x.b->next, x.d};
        if (x.b->children)
            st[n++] = (it){x.b->children, x.d + 1};
    }
    free(st);
    return best;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

START_TEST(test_deep_nesting)
{
    gl_ctx *ctx = new_ctx();
    enum { N = 10000 };
    static const char *const unit[] = {">", "- ", "1. ", "> - "};
    for (size_t k = 0; k < 4; k++) {
        size_t u = strlen(unit[k]);
        char *md = malloc(N * u + 16);
        for (size_t i = 0; i < N; i++)
            memcpy(md + i * u, unit[k], u);
        strcpy(md + N * u, " deep\n");
        double t0 = now();
        gl_doc *doc = gl_read_markdown(ctx, md, strlen(md), "deep.md", 0);
        double dt = now() - t0;
        ck_assert_ptr_nonnull(doc);
        ck_assert_msg(dt < 5.0, "%s x %d took %.2fs", unit[k], N, dt);
        // Capped nesting (one level more for the text block), text kept.
        ck_assert_int_le(max_depth(doc), GL_MAX_DEPTH + 1);
        ck_assert_int_ge(max_depth(doc), GL_MAX_DEPTH - 1);
        const gl_block *p = nth(doc, GL_B_PARA, 0);
        ck_assert_ptr_nonnull(p);
        ck_assert_str_eq(p->text, "deep");
        ck_assert(has_warning(ctx, "nesting deeper than", 1));
        gl_doc_free(doc);
        free(md);
        galley_diag_clear(ctx);
    }
    // Emphasis 10,000 deep and the "*a **a" pattern: spans stay flat.
    char *md = malloc(2 * N + 16);
    memset(md, '*', N);
    md[N] = 'x';
    memset(md + N + 1, '*', N);
    md[2 * N + 1] = 0;
    double t0 = now();
    gl_doc *doc = gl_read_markdown(ctx, md, strlen(md), "em.md", 0);
    ck_assert_ptr_nonnull(doc);
    const gl_block *p = nth(doc, GL_B_PARA, 0);
    ck_assert_str_eq(p->text, "x");
    ck_assert_uint_eq(p->spans[0].style, GL_S_BOLD);  // 10,000 stars: 5,000 strong pairs
    gl_doc_free(doc);
    free(md);
    size_t n = 30000 * 7;
    md = malloc(n + 1);
    for (size_t i = 0; i < n; i += 7)
        memcpy(md + i, "*a **a ", 7);
    md[n] = 0;
    doc = gl_read_markdown(ctx, md, n, "em2.md", 0);
    ck_assert_ptr_nonnull(doc);
    ck_assert_msg(now() - t0 < 5.0, "emphasis took %.2fs", now() - t0);
    gl_doc_free(doc);
    free(md);
    galley_ctx_free(ctx);
}
END_TEST

/* ---------------------------------------------------------------- routing, images */

START_TEST(test_is_markdown)
{
    ck_assert(gl_is_markdown("a/b.md", NULL, 0));
    ck_assert(gl_is_markdown("B.MARKDOWN", "", 0));
    ck_assert(!gl_is_markdown("x.md/notes.txt", "hello", 5));
    ck_assert(!gl_is_markdown("notes.txt", "date 2024-01-01 Title: x", 24));
    ck_assert(gl_is_markdown("notes.txt", "---\ntitle: x\n---\n", 17));
    ck_assert(!gl_is_markdown("<stdin>", "---\n\nno key", 11));
    // The public reader routes by name: a .md file keeps its '#' as a title.
    gl_ctx *ctx = new_ctx();
    galley_doc *doc = NULL;
    ck_assert_int_eq(galley_read_text(ctx, "# Hi\n\nx *y*\n", 12, "in.md", NULL, &doc), GALLEY_OK);
    ck_assert_str_eq(galley_doc_title(doc), "Hi");
    ck_assert_uint_eq(style_of(nth(doc, GL_B_PARA, 0), "y"), GL_S_ITALIC);
    galley_doc_free(doc);
    galley_ctx_free(ctx);
}
END_TEST

START_TEST(test_image_probe)
{
    gl_ctx *ctx = new_ctx();
    gl_block img = {.type = GL_B_IMAGE, .line = 7};
    gl_image_info info;
    img.path = "data/markdown/figure.png";
    ck_assert_int_eq(gl_image_probe(ctx, "x.md", &img, &info), 0);
    ck_assert_int_eq(info.type, GL_IMG_PNG);
    ck_assert_uint_eq(info.width, 48);
    ck_assert_uint_eq(info.height, 32);
    ck_assert_str_eq(info.media_type, "image/png");
    img.path = "data/markdown/photo.jpg";
    ck_assert_int_eq(gl_image_probe(ctx, "x.md", &img, &info), 0);
    ck_assert_int_eq(info.type, GL_IMG_JPEG);
    ck_assert_uint_eq(info.width, 40);
    ck_assert_uint_eq(info.height, 24);
    img.path = "data/markdown/nope.png";
    ck_assert_int_eq(gl_image_probe(ctx, "x.md", &img, &info), -1);
    ck_assert_int_eq(ctx->status, GALLEY_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(ctx->errmsg, "x.md:7"));
    ck_assert_ptr_nonnull(strstr(ctx->errmsg, "nope.png"));
    gl_clear_error(ctx);
    img.path = "data/markdown/all.md";
    ck_assert_int_eq(gl_image_probe(ctx, "x.md", &img, &info), -1);
    ck_assert_ptr_nonnull(strstr(ctx->errmsg, "not a PNG or JPEG"));
    gl_clear_error(ctx);
    // A truncated PNG and a JPEG without its end are corrupt.
    char *data;
    size_t len;
    ck_assert_int_eq(gl_read_file(ctx, "data/markdown/figure.png", &data, &len), 0);
    mkdir("../build/test", 0777);
    const char *tmp = "../build/test/trunc.png";
    FILE *f = fopen(tmp, "wb");
    ck_assert_ptr_nonnull(f);
    fwrite(data, 1, len - 20, f);
    fclose(f);
    gl_free(data);
    img.path = tmp;
    ck_assert_int_eq(gl_image_probe(ctx, "x.md", &img, &info), -1);
    ck_assert_ptr_nonnull(strstr(ctx->errmsg, "corrupt PNG"));
    gl_clear_error(ctx);
    ck_assert_int_eq(gl_read_file(ctx, "data/markdown/photo.jpg", &data, &len), 0);
    tmp = "../build/test/trunc.jpg";
    f = fopen(tmp, "wb");
    fwrite(data, 1, len - 10, f);
    fclose(f);
    gl_free(data);
    img.path = tmp;
    ck_assert_int_eq(gl_image_probe(ctx, "x.md", &img, &info), -1);
    ck_assert_ptr_nonnull(strstr(ctx->errmsg, "corrupt JPEG"));
    gl_clear_error(ctx);
    galley_ctx_free(ctx);
}
END_TEST

/* One set of rules for images, read or written: a JPEG that PDF's
 * DCTDecode cannot take (12 bits per sample, arithmetic coding) is refused
 * when the Markdown is read, not only when the PDF is written (the two
 * once disagreed). */
START_TEST(test_image_rules_agree)
{
    char *data;
    size_t len;
    gl_ctx *ctx = new_ctx();
    ck_assert_int_eq(gl_read_file(ctx, "data/markdown/photo.jpg", &data, &len), 0);
    gl_image_info info;
    ck_assert_str_eq(gl_image_check((const unsigned char *)data, len, &info), "");
    size_t sof = 2;  // the frame header: after SOI, the first SOFn
    while (sof + 1 < len && !((unsigned char)data[sof] == 0xFF &&
                              ((unsigned char)data[sof + 1] & 0xF0) == 0xC0 &&
                              (unsigned char)data[sof + 1] != 0xC4))
        sof++;
    ck_assert_uint_lt(sof + 4, len);
    data[sof + 4] = 12;  // precision
    const char *why = gl_image_check((const unsigned char *)data, len, &info);
    ck_assert_ptr_nonnull(why);
    ck_assert_ptr_nonnull(strstr(why, "not 8 bits"));
    data[sof + 4] = 8;
    data[sof + 1] = (char)0xC9;  // arithmetic coding
    why = gl_image_check((const unsigned char *)data, len, &info);
    ck_assert_ptr_nonnull(why);
    ck_assert_ptr_nonnull(strstr(why, "arithmetic"));
    mkdir("../build/test", 0777);
    FILE *f = fopen("../build/test/arith.jpg", "wb");
    ck_assert_ptr_nonnull(f);
    fwrite(data, 1, len, f);
    fclose(f);
    gl_free(data);
    gl_block img = {.type = GL_B_IMAGE, .line = 3, .path = "../build/test/arith.jpg"};
    ck_assert_int_eq(gl_image_probe(ctx, "x.md", &img, &info), -1);
    ck_assert_ptr_nonnull(strstr(ctx->errmsg, "x.md:3: image '../build/test/arith.jpg': unsupported JPEG"));
    // a PNG with a broken chunk CRC, and bytes of neither kind
    ck_assert_int_eq(gl_read_file(ctx, "data/markdown/figure.png", &data, &len), 0);
    ck_assert_str_eq(gl_image_check((const unsigned char *)data, len, &info), "");
    ck_assert_int_eq(info.type, GL_IMG_PNG);
    data[20] ^= 1;  // inside IHDR
    ck_assert_str_eq(gl_image_check((const unsigned char *)data, len, &info),
                     "corrupt PNG (bad chunk CRC)");
    ck_assert_ptr_null(gl_image_check((const unsigned char *)"GIF89a", 6, &info));
    gl_free(data);
    galley_ctx_free(ctx);
}
END_TEST

/* The author for PDF/EPUB metadata: front matter, else article bylines. */
static void check_author(const char *md, const char *want)
{
    gl_ctx *ctx = new_ctx();
    gl_doc *doc = rd(ctx, md, NULL);
    char *a = gl_doc_author(ctx, doc);
    if (want)
        ck_assert_str_eq(a ? a : "(none)", want);
    else
        ck_assert_ptr_null(a);
    gl_free(a);
    gl_doc_free(doc);
    galley_ctx_free(ctx);
}

START_TEST(test_author)
{
    check_author("---\nauthor: Jane Roe\n---\n# T\n\n*By Someone Else*\n\nText.\n", "Jane Roe");
    check_author("# War and Peace\n\n*Leo Tolstoy. Translated by Louise and Aylmer Maude.*\n\n"
                 "# Book I\n\nText.\n", "Leo Tolstoy");
    // Bylines under each chapter: distinct names, dates skipped, publication cut.
    check_author("---\ntitle: Papers\n---\n# No. 1\n\n*October 27, 1787 · Alexander Hamilton, "
                 "The Independent Journal*\n\nA.\n\n# No. 2\n\n*October 31, 1787 · John Jay, "
                 "For the Independent Journal*\n\nB.\n\n# No. 3\n\n*November 3, 1787 · "
                 "Alexander Hamilton, The New York Packet*\n\nC.\n",
                 "Alexander Hamilton; John Jay");
    check_author("---\ntitle: P\n---\n# A\n\n*By Ann*\n\nx\n\n# B\n\n*Bob*\n\ny\n\n"
                 "# C\n\n*Cy*\n\nz\n\n# D\n\n*Di*\n\nw\n", "Ann; Bob; Cy et al.");
    // Chinese bylines: the name before 著 (a dynasty in brackets dropped),
    // after 作者：; a plain "By" line.
    check_author("# 红楼梦\n\n曹雪芹\xE3\x80\x80著\n\n## 第一回\n\n正文。\n", "曹雪芹");
    check_author("# 红楼梦\n\n［清］曹雪芹 著　高鹗 续\n\n正文。\n", "曹雪芹");
    check_author("# 文章\n\n作者：张三\n\n正文。\n", "张三");
    check_author("# T\n\nBy Jane Roe\n\nText.\n", "Jane Roe");
    // Not a byline: partly roman, or too long, or no paragraph at all, or
    // a sentence that merely has 著 in it.
    check_author("# T\n\n*Leo* Tolstoy wrote this.\n", NULL);
    check_author("# T\n\nPlain text.\n", NULL);
    check_author("# T\n\n他是著名作家。\n", NULL);
    check_author("# T\n\n这本书由他著成，流传很广\n", NULL);
    check_author("# T\n\nBy the river we sat down.\n\nText.\n", NULL);
}
END_TEST

Suite *suite_reader_md(void)
{
    Suite *s = suite_create("reader_md");
    TCase *tc = tcase_create("constructs");
    tcase_add_test(tc, test_front_matter);
    tcase_add_test(tc, test_headings_and_anchors);
    tcase_add_test(tc, test_inline_styles);
    tcase_add_test(tc, test_breaks_and_cjk);
    tcase_add_test(tc, test_code_quote_hr);
    tcase_add_test(tc, test_lists);
    tcase_add_test(tc, test_tables);
    tcase_add_test(tc, test_footnotes);
    tcase_add_test(tc, test_images);
    tcase_add_test(tc, test_raw_html);
    tcase_add_test(tc, test_hygiene);
    suite_add_tcase(s, tc);
    tc = tcase_create("articles");
    tcase_add_test(tc, test_book_chapters);
    tcase_add_test(tc, test_absorb);
    tcase_add_test(tc, test_author);
    suite_add_tcase(s, tc);
    tc = tcase_create("pathological");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_deep_nesting);
    suite_add_tcase(s, tc);
    tc = tcase_create("routing");
    tcase_add_test(tc, test_is_markdown);
    tcase_add_test(tc, test_image_probe);
    tcase_add_test(tc, test_image_rules_agree);
    suite_add_tcase(s, tc);
    return s;
}
