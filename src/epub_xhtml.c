/*
 * epub_xhtml.c — the EPUB's content documents: one XHTML file per article
 * from the document model, with script-aware text (Latin runs in a CJK
 * book marked lang="en", Han–Latin spacing), footnotes as EPUB notes,
 * links, images, tables and the printed page-break markers of the
 * page-list.  Reads the document model only, never the layout engine.
 */
#include "epub_int.h"

#include <stdio.h>
#include <string.h>

// Han and kana: the scripts that CLREQ and JLREQ space from Western text.
static bool is_ideo(uint32_t cp)
{
    return gl_is_han(cp) || (cp >= 0x3041 && cp <= 0x3096) || (cp >= 0x30A1 && cp <= 0x30FA);
}

static bool is_latin_letter(uint32_t cp)
{
    return (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') ||
           (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7);
}

static bool is_latin_alnum(uint32_t cp)
{
    return is_latin_letter(cp) || (cp >= '0' && cp <= '9');
}

static bool is_hangul(uint32_t cp)
{
    return (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0x1100 && cp <= 0x11FF) ||
           (cp >= 0x3130 && cp <= 0x318F);
}

// CLREQ §3.3 (mixed Chinese and Western text): about a quarter em between
// Han and Western letters or numerals, never next to punctuation or an
// existing space (then the two characters are not adjacent anyway).
static bool wants_autospace(uint32_t a, uint32_t b)
{
    return (is_ideo(a) && is_latin_alnum(b)) || (is_latin_alnum(a) && is_ideo(b));
}


/* If a run of text in another language than the book's starts at s[i],
 * returns its end (<= end) and its language; else returns i.  In a CJK
 * book: Latin words (at least two letters in a row, so "A股" or "5G" stay
 * unmarked) joined by single spaces, hyphens, apostrophes, periods or
 * ampersands — English is the overwhelmingly common case in Chinese news
 * and official text, and a screen reader then switches voice.  In any
 * other book: a run of CJK characters, "ja" when it has kana, "ko" with
 * hangul, else "zh". */
static size_t foreign_run(const char *s, size_t i, size_t end, bool cjk_book, const char **lang)
{
    size_t k = i, last = i;
    if (cjk_book) {
        int letters = 0, best = 0;
        while (k < end) {
            uint32_t c = gl_utf8_next(s, end, &k);
            if (is_latin_alnum(c)) {
                letters = is_latin_letter(c) ? letters + 1 : 0;
                if (letters > best)
                    best = letters;
                last = k;
                continue;
            }
            if (last == i)
                break;  // a run starts with a letter or digit
            size_t m = k;
            if ((c == ' ' || c == '-' || c == '\'' || c == 0x2019 || c == '.' || c == '&') &&
                m < end && is_latin_alnum(gl_utf8_next(s, end, &m))) {
                letters = 0;
                continue;
            }
            break;
        }
        if (best < 2)
            return i;
        *lang = "en";
        return last;
    }
    bool han = false, kana = false, hangul = false;
    while (k < end) {
        uint32_t c = gl_utf8_next(s, end, &k);
        if (!gl_is_cjk(c) && !is_hangul(c))
            break;
        han |= gl_is_han(c);
        kana |= is_ideo(c) && !gl_is_han(c);
        hangul |= is_hangul(c);
        last = k;
    }
    if (!(han || kana || hangul))
        return i;
    *lang = hangul ? "ko" : kana ? "ja" : "zh";
    return last;
}

// EPUB 3.3 §D.4.2 / DPUB-ARIA: an empty span with an accessible name.
static void pb_marker(xw *x, pbreak *p)
{
    gl_xw_start(x, "span");
    gl_xw_attr(x, "epub:type", "pagebreak");
    gl_xw_attr(x, "role", "doc-pagebreak");
    gl_xw_attr(x, "id", p->id);
    gl_xw_attr(x, "aria-label", p->src->label);
    gl_xw_end(x);
    p->done = true;
}

/* Writes the pending markers of b at or before byte pos (all of them for
 * SIZE_MAX); a break inside a character or a skipped stretch comes out
 * at the next position written. */
static void pb_emit(xw *x, const gl_block *b, size_t pos)
{
    epub *e = x->book;
    for (size_t i = 0; e && i < e->npbs; i++) {
        pbreak *p = &e->pbs[i];
        if (p->found && !p->done && p->src->block == b && p->off <= pos)
            pb_marker(x, p);
    }
}

static size_t pb_next(const xw *x, const gl_block *b)
{
    const epub *e = x->book;
    size_t best = SIZE_MAX;
    for (size_t i = 0; e && b && i < e->npbs; i++) {
        const pbreak *p = &e->pbs[i];
        if (p->found && !p->done && p->src->block == b && p->off < best)
            best = p->off;
    }
    return best;
}

/* Writes s[from, to), a stretch of the text s[0, n) (the rest is context
 * for the spacing), with the book's script treatment: a quarter-em space
 * between Han and Latin where the source has none, and lang/xml:lang spans
 * around runs in another language (HTML §3.2.6.2; EPUB 3.3 §6.1.4).  When
 * b is given, the page-break markers of b that fall inside are written at
 * their places.  code: no spacing or language spans (code is not prose).
 * Outside content documents (x->book NULL) it is plain gl_xw_text(). */
static void rich_text(xw *x, const gl_block *b, const char *s, size_t n, size_t from, size_t to,
                      bool code)
{
    epub *e = x->book;
    if (!e) {
        gl_xw_text(x, s + from, to - from);
        return;
    }
    size_t seg = from, pos = from, span_end = 0;
    bool in_span = false;
    size_t next_pb = pb_next(x, b);
#define FLUSH()                                      \
    do {                                             \
        if (pos > seg)                               \
            gl_xw_text(x, s + seg, pos - seg);          \
        seg = pos;                                   \
    } while (0)
    while (pos < to) {
        if (in_span && pos >= span_end) {
            FLUSH();
            gl_xw_end(x);
            in_span = false;
        }
        if (pos >= next_pb) {
            FLUSH();
            pb_emit(x, b, pos);
            next_pb = pb_next(x, b);
        }
        size_t nx = pos;
        uint32_t cp = gl_utf8_next(s, n, &nx);
        if (!code) {
            size_t k = pos;
            if (pos > 0 && wants_autospace(gl_utf8_prev(s, &k), cp)) {
                FLUSH();
                gl_xw_text(x, AUTOSPACE, 3);
            }
            const char *lang = NULL;
            size_t re = in_span ? pos : foreign_run(s, pos, to, e->cjk, &lang);
            if (re > pos) {
                FLUSH();
                gl_xw_start(x, "span");
                gl_xw_attr(x, "lang", lang);
                gl_xw_attr(x, "xml:lang", lang);
                in_span = true;
                span_end = re;
            }
        }
        pos = nx;
    }
    pos = to;
    FLUSH();
#undef FLUSH
    if (in_span)
        gl_xw_end(x);
}

/* ================================================================ content documents */

/* ---------------------------------------------------------------- links, notes, breaks */


// The content document holding footnote `note` (the reader puts each at
// the top level of the article with its first reference).
static const article *note_article(const epub *e, const gl_block *note)
{
    for (size_t k = 0; e && k < e->narts; k++)
        for (const gl_block *b = e->arts[k].first; b && b != e->arts[k].end; b = b->next)
            if (b == note)
                return &e->arts[k];
    return NULL;
}

static void note_id(char *buf, size_t n, const gl_block *note)
{
    snprintf(buf, n, "fn-%u", note->note_num);
}

// An internal link "#anchor" → "<document>#<heading id>", or false when no
// top-level heading has that anchor (the text is then written unlinked:
// EPUBCheck rejects dangling fragments).
static bool resolve_anchor(const epub *e, const char *href, char *out, size_t n)
{
    if (!e || !href || href[0] != '#' || !href[1])
        return false;
    for (size_t k = 0; k < e->narts; k++) {
        const article *a = &e->arts[k];
        if (a->anchor && strcmp(a->anchor, href + 1) == 0) {
            snprintf(out, n, "%s", a->href + 5);  // the top of its document
            return true;
        }
        for (size_t i = 0; i < a->nheads; i++)
            if (a->heads[i]->anchor && strcmp(a->heads[i]->anchor, href + 1) == 0) {
                char id[256];
                gl_epub_heading_id(id, sizeof id, a, i);
                if (a == e->cur)
                    snprintf(out, n, "#%s", id);
                else
                    snprintf(out, n, "%s#%s", a->href + 5, id);  // both in text/
                return true;
            }
    }
    return false;
}

// Text with hard line breaks: each '\n' of a text block is a <br/>.
static void text_br(xw *x, const gl_block *b, size_t from, size_t to, bool code)
{
    while (!code && from < to) {
        const char *nl = memchr(b->text + from, '\n', to - from);
        if (!nl)
            break;
        size_t at = (size_t)(nl - b->text);
        if (at > from)
            rich_text(x, b, b->text, b->len, from, at, false);
        gl_xw_start(x, "br");
        gl_xw_end_void(x);
        from = at + 1;
    }
    if (from < to)
        rich_text(x, b, b->text, b->len, from, to, code);
}

// A footnote reference (EPUB 3.3 §D.4.1 / DPUB-ARIA doc-noteref): a link to
// the note, its id the target of the note's backlink.
static void write_noteref(xw *x, const gl_block *b, size_t off, size_t len, const gl_block *note)
{
    epub *e = x->book;
    const article *na = note_article(e, note);
    if (!e || !e->cur || !na) {
        text_br(x, b, off, off + len, false);
        return;
    }
    article *a = e->cur;
    unsigned count = 0;
    for (size_t i = 0; i < a->nuses; i++)
        if (a->uses[i].note == note)
            count = ++a->uses[i].count;
    if (!count) {
        if (GL_GROW(e->ctx, a->uses, a->capuses, a->nuses + 1)) {
            x->failed = true;
            return;
        }
        a->uses[a->nuses++] = (struct noteuse){note, 1};
        count = 1;
    }
    char fid[32], href[96], rid[48];
    note_id(fid, sizeof fid, note);
    if (na == a)
        snprintf(href, sizeof href, "#%s", fid);
    else
        snprintf(href, sizeof href, "%s#%s", na->href + 5, fid);
    if (count == 1)
        snprintf(rid, sizeof rid, "fnref-%u", note->note_num);
    else
        snprintf(rid, sizeof rid, "fnref-%u-%u", note->note_num, count);
    gl_xw_start(x, "sup");
    gl_xw_start(x, "a");
    gl_xw_attr(x, "epub:type", "noteref");
    gl_xw_attr(x, "role", "doc-noteref");
    gl_xw_attr(x, "id", rid);
    gl_xw_attr(x, "href", href);
    gl_xw_text(x, b->text + off, len);
    gl_xw_end(x);
    gl_xw_end(x);
}

// Inline markup: a > strong > em > del > code, so a link wraps its styled text.
static void write_span(xw *x, const gl_block *b, size_t off, size_t len, uint32_t style,
                       const char *href, const gl_block *note)
{
    if ((style & GL_S_NOTEREF) && note) {
        write_noteref(x, b, off, len, note);
        return;
    }
    char ibuf[320];
    bool internal = (style & GL_S_LINK) && resolve_anchor(x->book, href, ibuf, sizeof ibuf);
    bool link = internal || ((style & GL_S_LINK) && gl_epub_href_ok(href));
    int open = 0;
    if (link) {
        gl_xw_start(x, "a");
        gl_xw_attr(x, "href", internal ? ibuf : href);
        open++;
    }
    if (style & GL_S_BOLD)
        gl_xw_start(x, "strong"), open++;
    if (style & GL_S_ITALIC)
        gl_xw_start(x, "em"), open++;
    if (style & GL_S_STRIKE)
        gl_xw_start(x, "del"), open++;
    if (style & GL_S_CODE)
        gl_xw_start(x, "code"), open++;
    text_br(x, b, off, off + len, (style & GL_S_CODE) != 0 && !memchr(b->text + off, '\n', len));
    while (open--)
        gl_xw_end(x);
}

// Spans are documented as sorted and covering the text; clamp anyway, so a
// reader bug costs formatting, never text or memory safety.
static void write_inline(xw *x, const gl_block *b)
{
    if (!b->text)
        return;
    if (!b->spans || !b->nspans) {
        text_br(x, b, 0, b->len, false);
        return;
    }
    size_t pos = 0;
    for (size_t i = 0; i < b->nspans; i++) {
        const gl_span *s = &b->spans[i];
        size_t start = s->off, end = (size_t)s->off + s->len;
        if (start < pos)
            start = pos;
        if (end > b->len)
            end = b->len;
        if (start >= end)
            continue;
        if (start > pos)
            text_br(x, b, pos, start, false);
        write_span(x, b, start, end - start, s->style, s->href, s->note);
        pos = end;
    }
    if (pos < b->len)
        text_br(x, b, pos, b->len, false);
}

// A heading's id: its anchor from the reader (so "#anchor" links land on
// it), else sec-N.
// EPUBCheck wants ids to be XML names without colons (XML 1.0 §2.3).
static bool ncname_char(uint32_t c, bool first)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
        return true;
    if (c < 0x80)
        return !first && ((c >= '0' && c <= '9') || c == '-' || c == '.');
    if (!first && (c == 0xB7 || (c >= 0x300 && c <= 0x36F) || c == 0x203F || c == 0x2040))
        return true;
    return (c >= 0xC0 && c <= 0xD6) || (c >= 0xD8 && c <= 0xF6) || (c >= 0xF8 && c <= 0x2FF) ||
           (c >= 0x370 && c <= 0x37D) || (c >= 0x37F && c <= 0x1FFF) || c == 0x200C ||
           c == 0x200D || (c >= 0x2070 && c <= 0x218F) || (c >= 0x2C00 && c <= 0x2FEF) ||
           (c >= 0x3001 && c <= 0xD7FF) || (c >= 0xF900 && c <= 0xFDCF) ||
           (c >= 0xFDF0 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0xEFFFF);
}

static bool ncname_ok(const char *s)
{
    size_t n = strlen(s), i = 0;
    while (i < n) {
        size_t at = i;
        if (!ncname_char(gl_utf8_next(s, n, &i), at == 0))
            return false;
    }
    return n > 0;
}

void gl_epub_heading_id(char *buf, size_t n, const article *a, size_t index)
{
    const char *an = a->heads[index]->anchor;
    if (an && an[0] && strlen(an) + 3 < n) {
        snprintf(buf, n, "%s", an);
        if (ncname_ok(buf))
            return;
        snprintf(buf, n, "h-%s", an);  // "1805" is no XML name; "h-1805" is
        if (ncname_ok(buf))
            return;
    }
    snprintf(buf, n, "sec-%zu", index + 1);
}

static void write_md_block(xw *x, const article *a, const gl_block *b, size_t *nhead);

static void write_blocks(xw *x, const article *a, const gl_block *b, bool top, size_t *nhead)
{
    for (; b && !(top && b == a->end); b = b->next) {
        // A page that starts at a block without text starts before it.
        if (!b->text)
            pb_emit(x, b, SIZE_MAX);
        switch (b->type) {
        case GL_B_PARA:
            gl_xw_start(x, "p");
            write_inline(x, b);
            gl_xw_end(x);
            break;
        case GL_B_HEADING: {
            // A blank heading announces nothing (and screen readers flag
            // it); leave it out.
            if (!b->text || gl_epub_is_blank(b->text, b->len)) {
                pb_emit(x, b, SIZE_MAX);
                continue;
            }
            // h1 is the article title; document levels 1-5 become h2-h6.
            int lv = b->level < 1 ? 1 : b->level;
            char tag[4] = {'h', (char)('0' + (lv + 1 > 6 ? 6 : lv + 1)), 0, 0};
            gl_xw_start(x, tag);
            // Only top-level headings are in the TOC (a heading inside a
            // blockquote is part of the quotation), so only they get ids.
            if (top && *nhead < a->nheads && a->heads[*nhead] == b) {
                char id[256];
                gl_epub_heading_id(id, sizeof id, a, *nhead);
                gl_xw_attr(x, "id", id);
                (*nhead)++;
            }
            write_inline(x, b);
            gl_xw_end(x);
            break;
        }
        case GL_B_QUOTE:
            gl_xw_start(x, "blockquote");
            gl_xw_nl(x);
            write_blocks(x, a, b->children, false, nhead);
            gl_xw_end(x);
            break;
        case GL_B_CODE:
            gl_xw_start(x, "pre");
            gl_xw_start(x, "code");
            if (b->text)
                rich_text(x, b, b->text, b->len, 0, b->len, true);
            gl_xw_end(x);
            gl_xw_end(x);
            break;
        case GL_B_HR:
            gl_xw_start(x, "hr");
            gl_xw_end_void(x);
            break;
        case GL_B_LIST:
        case GL_B_ITEM:
        case GL_B_IMAGE:
        case GL_B_TABLE:
        case GL_B_TABLE_ROW:
        case GL_B_TABLE_CELL:
        case GL_B_FOOTNOTE:
        case GL_B_ARTICLE:
            write_md_block(x, a, b, nhead);
            break;
        default:
            // An unknown block type from a newer reader: keep its text.
            if (b->text) {
                gl_xw_start(x, "p");
                write_inline(x, b);
                gl_xw_end(x);
            }
            break;
        }
        // Breaks at the very end of the text start the next block.
        pb_emit(x, b, SIZE_MAX);
        gl_xw_nl(x);
    }
}

/* Markdown blocks.  Recursion over children is bounded by GL_MAX_DEPTH
 * (the readers cap nesting). */
static void write_md_block(xw *x, const article *a, const gl_block *b, size_t *nhead)
{
    epub *e = x->book;
    switch (b->type) {
    case GL_B_LIST: {
        gl_xw_start(x, b->ordered ? "ol" : "ul");
        if (b->tight)
            gl_xw_attr(x, "class", "tight");
        if (b->ordered && b->start != 1) {
            char buf[16];
            snprintf(buf, sizeof buf, "%u", b->start);
            gl_xw_attr(x, "start", buf);
        }
        gl_xw_nl(x);
        for (const gl_block *it = b->children; it; it = it->next) {
            gl_xw_start(x, "li");
            write_blocks(x, a, it->type == GL_B_ITEM ? it->children : NULL, false, nhead);
            gl_xw_end(x);
            gl_xw_nl(x);
        }
        gl_xw_end(x);
        break;
    }
    case GL_B_ITEM:  // outside a list (not made by readers): its content
    case GL_B_ARTICLE:
        write_blocks(x, a, b->children, false, nhead);
        break;
    case GL_B_IMAGE: {
        const char *src = gl_epub_image_href(e, b);
        gl_xw_start(x, "div");
        gl_xw_attr(x, "class", "figure");
        if (src) {
            char buf[64];
            snprintf(buf, sizeof buf, "../%s", src);
            gl_xw_start(x, "img");
            gl_xw_attr(x, "src", buf);
            // alt="" marks a decorative image (WCAG H67); the text is kept.
            gl_xw_attr(x, "alt", b->text ? b->text : "");
            gl_xw_end_void(x);
        }
        gl_xw_end(x);
        break;
    }
    case GL_B_TABLE: {
        static const char *const al[] = {NULL, "al-l", "al-c", "al-r"};
        gl_xw_start(x, "table");
        gl_xw_nl(x);
        const gl_block *r = b->children;
        bool head = r && r->header;
        if (head) {
            gl_xw_start(x, "thead");
            gl_xw_nl(x);
        }
        bool body_open = false;
        for (; r; r = r->next) {
            if (!r->header && !body_open) {
                if (head)
                    gl_xw_end(x);  // thead
                gl_xw_start(x, "tbody");
                gl_xw_nl(x);
                body_open = true;
            }
            gl_xw_start(x, "tr");
            unsigned col = 0;
            for (const gl_block *c = r->children; c; c = c->next, col++) {
                gl_xw_start(x, r->header && !body_open ? "th" : "td");
                gl_align ga = col < b->ncols && b->align ? b->align[col] : GL_ALIGN_NONE;
                if (ga > GL_ALIGN_NONE && ga <= GL_ALIGN_RIGHT)
                    gl_xw_attr(x, "class", al[ga]);
                write_inline(x, c);
                gl_xw_end(x);
            }
            gl_xw_end(x);  // tr
            gl_xw_nl(x);
        }
        if (head && !body_open)
            gl_xw_end(x);  // thead only
        if (body_open)
            gl_xw_end(x);  // tbody
        gl_xw_end(x);      // table
        break;
    }
    case GL_B_TABLE_ROW:
    case GL_B_TABLE_CELL:  // outside a table (not made by readers): as text
        if (b->text) {
            gl_xw_start(x, "p");
            write_inline(x, b);
            gl_xw_end(x);
        }
        for (const gl_block *c = b->children; c; c = c->next)
            write_md_block(x, a, c, nhead);
        break;
    case GL_B_FOOTNOTE: {
        // EPUB 3.3 §D.4.1: <aside epub:type="footnote">, with a link back to
        // the first reference (DPUB-ARIA doc-backlink).
        char fid[32], back[48];
        note_id(fid, sizeof fid, b);
        gl_xw_start(x, "aside");
        gl_xw_attr(x, "class", "footnote");
        gl_xw_attr(x, "epub:type", "footnote");
        gl_xw_attr(x, "role", "doc-footnote");
        gl_xw_attr(x, "id", fid);
        gl_xw_nl(x);
        bool referenced = false;
        for (size_t i = 0; i < a->nuses; i++)
            referenced = referenced || a->uses[i].note == b;
        gl_xw_start(x, "p");
        gl_xw_attr(x, "class", "fn-label");
        if (referenced) {
            snprintf(back, sizeof back, "#fnref-%u", b->note_num);
            gl_xw_start(x, "a");
            gl_xw_attr(x, "href", back);
            gl_xw_attr(x, "role", "doc-backlink");
            char lab[16];
            snprintf(lab, sizeof lab, "%u", b->note_num);
            gl_xw_text(x, lab, strlen(lab));
            gl_xw_end(x);
        } else {
            char lab[16];
            snprintf(lab, sizeof lab, "%u", b->note_num);
            gl_xw_text(x, lab, strlen(lab));
        }
        gl_xw_end(x);
        gl_xw_nl(x);
        write_blocks(x, a, b->children, false, nhead);
        gl_xw_end(x);
        break;
    }
    default:
        break;
    }
}

// The common head of the XHTML documents: HTML5 doctype in XML syntax,
// both lang attributes (EPUB 3.3 §6.1.4 / Ace epub-lang), title, stylesheet.
void gl_epub_xhtml_head(xw *x, const epub *e, const char *title, const char *css_href)
{
    x->html = true;
    gl_xw_doctype_html(x);
    gl_xw_nl(x);
    gl_xw_start(x, "html");
    gl_xw_attr(x, "xmlns", XHTML_NS);
    gl_xw_attr(x, "xmlns:epub", OPS_NS);
    gl_xw_attr(x, "lang", e->lang);
    gl_xw_attr(x, "xml:lang", e->lang);
    gl_xw_nl(x);
    gl_xw_start(x, "head");
    gl_xw_nl(x);
    gl_xw_start(x, "meta");
    gl_xw_attr(x, "charset", "utf-8");
    gl_xw_end_void(x);
    gl_xw_nl(x);
    gl_xw_elem(x, "title", title);
    gl_xw_nl(x);
    gl_xw_start(x, "link");
    gl_xw_attr(x, "rel", "stylesheet");
    gl_xw_attr(x, "type", "text/css");
    gl_xw_attr(x, "href", css_href);
    gl_xw_end_void(x);
    gl_xw_nl(x);
    gl_xw_end(x);  // head
    gl_xw_nl(x);
}

int gl_epub_write_article(epub *e, article *a, gl_buf *out)
{
    // The article's own title block; the doc's for one article.
    const gl_meta *m = a->meta ? a->meta : &e->doc->meta;
    e->cur = a;
    xw x;
    if (gl_xw_open(&x, e->ctx, false))
        return -1;
    x.book = e;  // script treatment and page breaks (rich_text)
    gl_epub_xhtml_head(&x, e, a->title, "../style.css");
    gl_xw_start(&x, "body");
    gl_xw_nl(&x);
    // The title block: what a newspaper prints above the article.
    gl_xw_start(&x, "header");
    gl_xw_attr(&x, "class", "title-block");
    gl_xw_nl(&x);
    gl_xw_start(&x, "h1");
    gl_xw_attr(&x, "class", "title");
    rich_text(&x, NULL, a->title, strlen(a->title), 0, strlen(a->title), false);
    gl_xw_end(&x);
    gl_xw_nl(&x);
    if (m->subtitle && !gl_epub_is_blank(m->subtitle, strlen(m->subtitle))) {
        gl_xw_start(&x, "p");
        gl_xw_attr(&x, "class", "subtitle");
        rich_text(&x, NULL, m->subtitle, strlen(m->subtitle), 0, strlen(m->subtitle), false);
        gl_xw_end(&x);
        gl_xw_nl(&x);
    }
    const char *shown = m->display_date && !gl_epub_is_blank(m->display_date, strlen(m->display_date))
                            ? m->display_date
                            : (gl_epub_date_ok(m->date) ? m->date : NULL);
    if (shown) {
        gl_xw_start(&x, "p");
        gl_xw_attr(&x, "class", "date");
        // <time datetime> lets readers and assistive technology parse it.
        if (gl_epub_date_ok(m->date)) {
            gl_xw_start(&x, "time");
            gl_xw_attr(&x, "datetime", m->date);
            gl_xw_text(&x, shown, strlen(shown));
            gl_xw_end(&x);
        } else {
            gl_xw_text(&x, shown, strlen(shown));
        }
        gl_xw_end(&x);
        gl_xw_nl(&x);
    }
    if (m->byline && !gl_epub_is_blank(m->byline, strlen(m->byline))) {
        gl_xw_start(&x, "p");
        gl_xw_attr(&x, "class", "byline");
        rich_text(&x, NULL, m->byline, strlen(m->byline), 0, strlen(m->byline), false);
        gl_xw_end(&x);
        gl_xw_nl(&x);
    }
    gl_xw_end(&x);  // header
    gl_xw_nl(&x);
    size_t nhead = 0;
    write_blocks(&x, a, a->first, true, &nhead);
    // Breaks of this document that no writer placed (a block type that
    // does not call rich_text): at the end, so the page-list still works.
    for (size_t i = 0; i < e->npbs; i++)
        if (e->pbs[i].found && !e->pbs[i].done && e->pbs[i].art == a)
            pb_marker(&x, &e->pbs[i]);
    gl_xw_end(&x);  // body
    gl_xw_nl(&x);
    gl_xw_end(&x);  // html
    gl_xw_nl(&x);
    return gl_xw_close(&x, out, a->href, e->out_path);
}