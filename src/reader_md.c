/*
 * reader_md.c — reads Markdown (CommonMark + GFM tables, strikethrough,
 * autolinks and footnotes, via cmark-gfm) with optional YAML front matter
 * (through manifest.c's YAML loader) into a gl_doc.  First stage of the
 * pipeline, beside reader_text.c; the ONLY file that includes cmark-gfm
 * headers.  Knows nothing of layout or back ends.
 *
 * Mapping (documented for users in README "Markdown"):
 *  - Front matter: a "---" line at the very top, YAML up to a "---" or
 *    "..." line; keys title, subtitle, author (string or list), date
 *    (YYYY-MM-DD → meta.date, anything else → meta.display_date), lang;
 *    the page options a manifest takes (paper, margins, ...: options.h)
 *    are kept in doc->options for galley.c, unchecked.
 *  - Book title: with no front-matter title, a level-1 heading that is the
 *    first block is the title (and leaves the body); with one, a first
 *    level-1 heading whose text equals it is dropped as a duplicate.
 *  - Chapters: let L be the smallest level of the remaining top-level
 *    headings.  Unless GL_MD_ONE_ARTICLE is given, every top-level heading
 *    of level L starts a new article (GL_B_ARTICLE, its text the article
 *    title); blocks before the first one form a leading article titled
 *    after the book; deeper headings are renumbered so that level L+1 is 1.
 *    With no headings (or GL_MD_ONE_ARTICLE) the doc is one implicit
 *    article and headings are renumbered so the top remaining level is 1.
 *  - Raw HTML (blocks and inline) is dropped, with one warning per file.
 *  - Images: an image in a paragraph splits it (GL_B_IMAGE blocks between
 *    the text parts); in a heading or table cell, or with a remote URL, it
 *    is replaced by its alt text (with a warning for remote URLs).
 *  - Footnotes: referenced definitions only (cmark-gfm drops the others),
 *    numbered in order of first reference, each placed at the end of the
 *    article holding its first reference.
 * The cmark tree is walked with cmark_iter (no recursion: nesting 10,000
 * deep is fine) and model nesting is capped at GL_MAX_DEPTH.
 */
#include "reader.h"
#include "manifest.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include <stdio.h>
#include <string.h>

/* ================================================================ state */

typedef struct {
    gl_block *b;          /* the block */
    size_t span;          /* index of its GL_S_NOTEREF span */
    unsigned num;         /* note number */
} note_patch;

typedef struct {
    gl_ctx *ctx;
    gl_doc *doc;
    const char *source;
    unsigned flags;
    unsigned line0;           /* source lines before the Markdown (front matter) */
    size_t dirlen;            /* length of the input's directory prefix in source ("" = cwd) */

    /* container stack: stack[0] is the top level (NULL or the current article) */
    gl_block **stack;
    size_t depth, capstack;
    size_t skip;              /* cmark containers deeper than the cap, not pushed */

    /* chapters */
    cmark_node *title_node;   /* the heading taken as the book title, or NULL */
    int split_level;          /* L, or 0: no split */
    int shift;                /* heading level shift */
    gl_block *article;        /* current article (split mode) */
    gl_block **note_article;  /* per note number: article of its first reference */
    size_t capnote_article;

    /* the inline block being built */
    bool in_inline;
    gl_block_type itype;
    int ilevel;
    unsigned iline, icol, cur_line;
    cmark_node *inode;
    gl_buf text;
    gl_span *spans;
    size_t nspans, capspans;
    uint32_t *loffs;
    size_t nloffs, caploffs;
    int emph, strong, strike, linkd, imaged;
    const char *href;         /* current link target (arena) */
    bool pending_soft;
    bool force_new_span;
    unsigned min_line;        /* after a line break: the next text's line is at least this */
    gl_buf alt;               /* image alt text */
    const char *img_url;
    unsigned img_line, img_col;

    /* footnotes */
    unsigned ndefs, nrefs_max;
    gl_block **defs;          /* by number - 1 */
    size_t capdefs;
    note_patch *patches;
    size_t npatches, cappatches;

    /* heading anchors: open-addressing set of strings */
    const char **anchors;
    size_t nanchors, capanchors;

    bool warned_html, warned_depth, warned_ctl;
} md;

/* ================================================================ text hygiene */

static bool is_control(uint32_t cp)
{
    return (cp < 0x20 && cp != '\t' && cp != '\n') || (cp >= 0x7F && cp <= 0x9F);
}

/* Appends s[0, n) to b: controls dropped (one warning per file), tabs
 * become a space (or, in code, spaces to the next multiple of 4 columns),
 * newlines kept only when keep_nl.  cmark has already replaced invalid
 * UTF-8 and NUL with U+FFFD (CMARK_OPT_VALIDATE_UTF8). */
static int put_clean(md *m, gl_buf *b, const char *s, size_t n, bool code, unsigned line)
{
    size_t i = 0, col = 0;
    if (code) {
        // Column of the insertion point within the current code line.
        size_t k = b->len;
        while (k > 0 && b->data[k - 1] != '\n')
            k--;
        col = gl_utf8_count(b->data ? b->data + k : "", b->len - k);
    }
    while (i < n) {
        size_t at = i;
        while (i < n && s[i] >= 0x20 && s[i] < 0x7F)   // printable ASCII: as is
            i++;
        if (i > at) {
            if (gl_buf_put(b, s + at, i - at))
                return -1;
            col += i - at;
            continue;
        }
        uint32_t cp = gl_utf8_next(s, n, &i);
        int rc;
        if (cp == '\t') {
            if (code) {
                rc = 0;
                do {
                    rc |= gl_buf_putc(b, ' ');
                    col++;
                } while (col % 4);
            } else {
                rc = gl_buf_putc(b, ' ');
            }
        } else if (cp == '\n' || cp == '\r') {
            if (!code && cp == '\r')
                continue;
            rc = gl_buf_putc(b, code ? '\n' : ' ');
            col = 0;
        } else if (is_control(cp)) {
            if (!m->warned_ctl) {
                gl_warn(m->ctx, m->source, line, 0, "control character U+%04X dropped",
                        (unsigned)cp);
                m->warned_ctl = true;
            }
            continue;
        } else {
            rc = cp == 0xFFFD ? gl_buf_put_cp(b, cp) : gl_buf_put(b, s + at, i - at);
            col++;
        }
        if (rc)
            return -1;
    }
    return 0;
}

static unsigned node_line(const md *m, cmark_node *n)
{
    int l = cmark_node_get_start_line(n);
    return l > 0 ? (unsigned)l + m->line0 : 0;
}

/* ================================================================ containers */

static gl_block *parent(md *m) { return m->stack[m->depth - 1]; }

/* Appends a block to the current container.  In split mode a block at the
 * top level before the first chapter opens the leading article. */
static int ensure_article(md *m, unsigned line)
{
    if (m->split_level && !m->article) {
        m->article = gl_doc_add_article(m->doc, line);
        if (!m->article)
            return -1;
        m->stack[0] = m->article;
    }
    return 0;
}

static gl_block *append(md *m, gl_block_type t, const char *text, size_t len, unsigned line)
{
    if (m->depth == 1 && ensure_article(m, line))
        return NULL;
    gl_block *b = gl_doc_append(m->doc, parent(m), t, text, len, line);
    return b;
}

/* Pushes a container for a cmark node, or counts it as skipped when the
 * model is already GL_MAX_DEPTH deep (need = levels it will use). */
static int push(md *m, gl_block_type t, cmark_node *n, size_t need, gl_block **out)
{
    *out = NULL;
    if (m->skip || m->depth + need > GL_MAX_DEPTH) {
        if (!m->warned_depth) {
            gl_warn(m->ctx, m->source, node_line(m, n), 0,
                    "nesting deeper than %d levels flattened", GL_MAX_DEPTH);
            m->warned_depth = true;
        }
        m->skip++;
        return 0;
    }
    gl_block *b = append(m, t, NULL, 0, node_line(m, n));
    if (!b || GL_GROW(m->ctx, m->stack, m->capstack, m->depth + 1))
        return -1;
    b->col = (unsigned)cmark_node_get_start_column(n);
    m->stack[m->depth++] = b;
    *out = b;
    return 0;
}

static void pop(md *m)
{
    if (m->skip)
        m->skip--;
    else if (m->depth > 1)
        m->depth--;
}

/* ================================================================ inline text */

static uint32_t cur_style(const md *m)
{
    uint32_t s = 0;
    if (m->strong)
        s |= GL_S_BOLD;
    if (m->emph)
        s |= GL_S_ITALIC;
    if (m->strike)
        s |= GL_S_STRIKE;
    if (m->linkd && m->href)
        s |= GL_S_LINK;
    return s;
}

static void begin_inline(md *m, gl_block_type t, cmark_node *n, int level)
{
    m->in_inline = true;
    m->itype = t;
    m->ilevel = level;
    m->inode = n;
    m->iline = m->cur_line = node_line(m, n);
    m->icol = (unsigned)cmark_node_get_start_column(n);
    m->text.len = 0;
    if (m->text.data)
        m->text.data[0] = 0;
    m->nspans = m->nloffs = 0;
    m->pending_soft = false;
    m->force_new_span = false;
}

/* Records that the text from here on comes from source line `line`. */
static int note_line(md *m, unsigned line)
{
    // One entry per line advanced (gl_block_line_at counts entries).
    while (line > m->cur_line) {
        if (GL_GROW(m->ctx, m->loffs, m->caploffs, m->nloffs + 1))
            return -1;
        m->loffs[m->nloffs++] = m->text.len > UINT32_MAX ? UINT32_MAX : (uint32_t)m->text.len;
        m->cur_line++;
    }
    return 0;
}

/* Adds text in the current style (or `style` when non-zero). */
static int put_inline(md *m, const char *s, size_t n, uint32_t style, unsigned line)
{
    if (m->imaged)  // inside an image: alt text, plain
        return put_clean(m, &m->alt, s, n, false, line);
    if (!style)
        style = cur_style(m);
    size_t start = m->text.len;
    if (m->pending_soft) {
        m->pending_soft = false;
        // As reader_text.c: no space at a line break next to CJK.
        if (m->text.len && n) {
            size_t p = m->text.len, q = 0;
            uint32_t prev = gl_utf8_prev(m->text.data, &p);
            uint32_t next = gl_utf8_next(s, n, &q);
            if (prev != '\n' && !gl_is_cjk(prev) && !gl_is_cjk(next) &&
                gl_buf_putc(&m->text, ' '))
                return -1;
        }
        // The space gets the styles both sides share (a link across the
        // line break keeps it; "code,\n~~strike~~" does not strike it).
        if (m->text.len > start) {
            gl_span *last = &m->spans[m->nspans - 1];
            uint32_t common = last->style & style & ~(uint32_t)GL_S_NOTEREF;
            const char *h = (common & GL_S_LINK) && last->href == m->href ? m->href : NULL;
            if (!h)
                common &= ~(uint32_t)GL_S_LINK;
            if (last->style == common && last->href == h) {
                last->len += (uint32_t)(m->text.len - start);
            } else {
                if (GL_GROW(m->ctx, m->spans, m->capspans, m->nspans + 1))
                    return -1;
                m->spans[m->nspans++] = (gl_span){.off = (uint32_t)start,
                                                  .len = (uint32_t)(m->text.len - start),
                                                  .style = common,
                                                  .href = h};
            }
            start = m->text.len;
        }
    }
    // cmark-gfm 0.29 misplaces text after a backslash break (same line as
    // before it), so a break always counts as one line.
    if (line && line < m->min_line)
        line = m->min_line;
    m->min_line = 0;
    if (line && note_line(m, line))
        return -1;
    if (put_clean(m, &m->text, s, n, false, line ? line : m->cur_line))
        return -1;
    size_t added = m->text.len - start;
    if (!added)
        return 0;
    const char *href = (style & GL_S_LINK) ? m->href : NULL;
    gl_span *last = m->nspans ? &m->spans[m->nspans - 1] : NULL;
    if (last && !m->force_new_span && !(style & GL_S_NOTEREF) && last->style == style &&
        last->href == href && last->off + last->len == start) {
        last->len += (uint32_t)added;
    } else {
        if (GL_GROW(m->ctx, m->spans, m->capspans, m->nspans + 1))
            return -1;
        m->spans[m->nspans++] = (gl_span){
            .off = (uint32_t)start, .len = (uint32_t)added, .style = style, .href = href};
    }
    // A note reference is a span of its own; so is what follows it.
    m->force_new_span = (style & GL_S_NOTEREF) != 0;
    return 0;
}

/* A hard line break is a '\n' in the text (doc.h); one at the very start
 * of a block says nothing. */
static int put_newline(md *m)
{
    m->pending_soft = false;
    if (m->imaged)
        return gl_buf_putc(&m->alt, ' ');
    if (!m->text.len)
        return 0;
    size_t start = m->text.len;
    if (gl_buf_putc(&m->text, '\n'))
        return -1;
    gl_span *last = m->nspans ? &m->spans[m->nspans - 1] : NULL;
    if (last && last->off + last->len == start)
        last->len++;
    else {
        if (GL_GROW(m->ctx, m->spans, m->capspans, m->nspans + 1))
            return -1;
        m->spans[m->nspans++] = (gl_span){.off = (uint32_t)start, .len = 1};
    }
    return 0;
}

/* Cuts trailing spaces and newlines from the inline text, and leading ones
 * (cmark strips them, but an image split can leave them). */
static void trim_inline(md *m, size_t *lead)
{
    size_t n = m->text.len;
    while (n && (m->text.data[n - 1] == ' ' || m->text.data[n - 1] == '\n'))
        n--;
    size_t a = 0;
    while (a < n && (m->text.data[a] == ' ' || m->text.data[a] == '\n'))
        a++;
    m->text.len = n;
    *lead = a;
}

/* Copies the spans into the arena, relative to text offset `lead`, clamped
 * to len; NULL when all plain.  Records note patches for block b. */
static int finish_spans(md *m, gl_block *b, size_t lead, size_t len)
{
    size_t keep = 0;
    bool styled = false;
    for (size_t i = 0; i < m->nspans; i++) {
        gl_span *s = &m->spans[i];
        size_t a = s->off, e = (size_t)s->off + s->len;
        a = a < lead ? 0 : a - lead;
        e = e < lead ? 0 : e - lead;
        if (e > len)
            e = len;
        if (a >= e)
            continue;
        s->off = (uint32_t)a;
        s->len = (uint32_t)(e - a);
        m->spans[keep++] = *s;
        styled = styled || s->style;
    }
    if (!styled)
        return 0;
    gl_span *sp = gl_arena_alloc(&m->doc->arena, keep * sizeof *sp);
    if (!sp)
        return -1;
    memcpy(sp, m->spans, keep * sizeof *sp);
    b->spans = sp;
    b->nspans = keep;
    for (size_t i = 0; i < keep; i++) {
        if (!(sp[i].style & GL_S_NOTEREF))
            continue;
        unsigned num = 0;
        for (size_t k = 0; k < sp[i].len; k++)
            num = num * 10 + (unsigned)(b->text[sp[i].off + k] - '0');
        if (GL_GROW(m->ctx, m->patches, m->cappatches, m->npatches + 1))
            return -1;
        m->patches[m->npatches++] = (note_patch){.b = b, .span = i, .num = num};
    }
    return 0;
}

static int finish_line_offs(md *m, gl_block *b, size_t lead, size_t len)
{
    size_t k = 0;
    uint32_t *lo = NULL;
    if (m->nloffs) {
        lo = gl_arena_alloc(&m->doc->arena, m->nloffs * sizeof *lo);
        if (!lo)
            return -1;
    }
    // Lines that start before the kept text (trimmed lead) move the block's
    // first line instead.
    for (size_t i = 0; i < m->nloffs; i++) {
        uint32_t o = m->loffs[i];
        if (o <= lead) {
            b->line++;
            continue;
        }
        o -= (uint32_t)lead;
        lo[k++] = o > len ? (uint32_t)len : o;
    }
    b->line_offs = k ? lo : NULL;
    b->nline_offs = k;
    return 0;
}

/* ================================================================ anchors */

static uint64_t hash_str(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

static bool anchor_has(const md *m, const char *a)
{
    if (!m->capanchors)
        return false;
    size_t mask = m->capanchors - 1;
    for (size_t i = hash_str(a) & mask; m->anchors[i]; i = (i + 1) & mask)
        if (strcmp(m->anchors[i], a) == 0)
            return true;
    return false;
}

static int anchor_add(md *m, const char *a)
{
    if (2 * (m->nanchors + 1) > m->capanchors) {
        size_t ncap = m->capanchors ? 2 * m->capanchors : 64;
        const char **t = gl_calloc(m->ctx, ncap, sizeof *t);
        if (!t)
            return -1;
        for (size_t i = 0; i < m->capanchors; i++) {
            if (!m->anchors[i])
                continue;
            size_t j = hash_str(m->anchors[i]) & (ncap - 1);
            while (t[j])
                j = (j + 1) & (ncap - 1);
            t[j] = m->anchors[i];
        }
        gl_free(m->anchors);
        m->anchors = t;
        m->capanchors = ncap;
    }
    size_t mask = m->capanchors - 1, i = hash_str(a) & mask;
    while (m->anchors[i])
        i = (i + 1) & mask;
    m->anchors[i] = a;
    m->nanchors++;
    return 0;
}

static bool is_slug_punct(uint32_t cp)
{
    return (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x3000 && cp <= 0x303F) ||
           (cp >= 0xFF00 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) ||
           (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65) ||
           cp == 0xA0 || cp == 0xA7 || cp == 0xB7 || cp == 0xAB || cp == 0xBB ||
           cp == 0xFE30 || (cp >= 0xFE50 && cp <= 0xFE6B);
}

/* GitHub-style heading slug: lower-case ASCII letters, digits, '-', '_',
 * other letters kept, spaces to '-', punctuation dropped; "-1", "-2", ...
 * appended to repeats. */
static const char *make_anchor(md *m, const char *s, size_t n)
{
    gl_buf b;
    gl_buf_init(&b, m->ctx);
    size_t i = 0;
    int rc = 0;
    while (i < n && b.len < 200) {
        size_t at = i;
        uint32_t cp = gl_utf8_next(s, n, &i);
        if (cp < 0x80) {
            char c = (char)cp;
            if (c >= 'A' && c <= 'Z')
                rc |= gl_buf_putc(&b, (char)(c - 'A' + 'a'));
            else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')
                rc |= gl_buf_putc(&b, c);
            else if (c == ' ' || c == '\n')
                rc |= gl_buf_putc(&b, '-');
        } else if (!is_slug_punct(cp) && !gl_is_space(cp)) {
            rc |= gl_buf_put(&b, s + at, i - at);
        } else if (gl_is_space(cp)) {
            rc |= gl_buf_putc(&b, '-');
        }
    }
    if (!rc && b.len == 0)
        rc = gl_buf_puts(&b, "section");
    size_t base = b.len;
    for (unsigned k = 1; !rc && anchor_has(m, b.data); k++) {
        b.len = base;
        rc = gl_buf_printf(&b, "-%u", k);
    }
    const char *a = rc ? NULL : gl_arena_strndup(&m->doc->arena, b.data, b.len);
    gl_buf_free(&b);
    if (!a || anchor_add(m, a))
        return NULL;
    return a;
}

/* ================================================================ images */

static bool is_remote(const char *u)
{
    // A URL scheme: letters, digits, + - . before ':' (RFC 3986 §3.1); one
    // letter is a Windows drive, not a scheme.
    size_t i = 0;
    while ((u[i] >= 'a' && u[i] <= 'z') || (u[i] >= 'A' && u[i] <= 'Z') ||
           (i && ((u[i] >= '0' && u[i] <= '9') || u[i] == '+' || u[i] == '-' || u[i] == '.')))
        i++;
    return i > 1 && u[i] == ':';
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* The image's file path: percent-escapes decoded, relative to the input's
 * directory unless absolute; query and fragment cut. */
static const char *image_path(md *m, const char *url)
{
    gl_buf b;
    gl_buf_init(&b, m->ctx);
    int rc = 0;
    if (url[0] != '/' && m->dirlen)
        rc |= gl_buf_put(&b, m->source, m->dirlen);
    for (const char *p = url; *p && *p != '?' && *p != '#'; p++) {
        int h, l;
        if (*p == '%' && (h = hexval(p[1])) >= 0 && (l = hexval(p[2])) >= 0 && (h || l)) {
            rc |= gl_buf_putc(&b, (char)(h * 16 + l));
            p += 2;
        } else {
            rc |= gl_buf_putc(&b, *p);
        }
    }
    const char *r = rc ? NULL : gl_arena_strndup(&m->doc->arena, b.data ? b.data : "", b.len);
    gl_buf_free(&b);
    return r;
}

/* Emits a block of the inline text so far (a paragraph being split). */
static int flush_inline(md *m, bool final);

static int end_image(md *m)
{
    const char *url = m->img_url;
    bool block_ok = m->itype == GL_B_PARA && url && url[0] && !is_remote(url);
    if (url && url[0] && is_remote(url))
        gl_warn(m->ctx, m->source, m->img_line, m->img_col,
                "remote image '%s' not fetched; its alt text is used", url);
    if (!block_ok) {
        // Alt text in place, plain.
        size_t n = m->alt.len;
        m->alt.len = 0;
        return n ? put_inline(m, m->alt.data, n, 0, 0) : 0;
    }
    if (flush_inline(m, false))
        return -1;
    gl_block *b = append(m, GL_B_IMAGE, m->alt.data ? m->alt.data : "", m->alt.len, m->img_line);
    m->alt.len = 0;
    if (!b)
        return -1;
    b->col = m->img_col;
    if (!(b->src = gl_arena_strdup(&m->doc->arena, url)) || !(b->path = image_path(m, url)))
        return -1;
    // The paragraph continues after the image.
    m->text.len = 0;
    m->nspans = m->nloffs = 0;
    m->iline = m->cur_line;
    m->icol = 0;
    m->pending_soft = false;
    return 0;
}

/* ================================================================ blocks */

/* A top-level heading of the split level starts an article. */
static bool is_chapter(const md *m, cmark_node *n)
{
    cmark_node *p = cmark_node_parent(n);
    return m->split_level && n != m->title_node && cmark_node_get_type(n) == CMARK_NODE_HEADING &&
           cmark_node_get_heading_level(n) == m->split_level && p &&
           cmark_node_get_type(p) == CMARK_NODE_DOCUMENT;
}

/* Plain text of a heading for a title: hard breaks become spaces. */
static const char *plain_title(md *m, const char *s, size_t n)
{
    char *t = gl_arena_strndup(&m->doc->arena, s, n);
    if (t)
        for (char *p = t; *p; p++)
            if (*p == '\n')
                *p = ' ';
    return t;
}

static int flush_inline(md *m, bool final)
{
    size_t lead;
    trim_inline(m, &lead);
    size_t len = m->text.len - lead;
    const char *txt = m->text.data ? m->text.data + lead : "";
    gl_block_type t = m->itype;
    if (t == GL_B_PARA && len == 0)
        return 0;  // nothing left of a paragraph split by an image
    if (t == GL_B_HEADING && m->inode == m->title_node && final) {
        if (!m->doc->meta.title[0] && !(m->doc->meta.title = plain_title(m, txt, len)))
            return -1;
        return 0;
    }
    if (t == GL_B_HEADING && m->split_level && is_chapter(m, m->inode)) {
        // A chapter: a new article titled with the heading.
        gl_block *a = gl_doc_add_article(m->doc, m->iline);
        if (!a)
            return -1;
        gl_meta *am = gl_doc_article_meta(a);
        if (!(am->title = plain_title(m, txt, len)) || !(a->anchor = make_anchor(m, txt, len)))
            return -1;
        a->col = m->icol;
        m->article = a;
        m->stack[0] = a;
        return 0;
    }
    gl_block *b = append(m, t, txt, len, m->iline);
    if (!b)
        return -1;
    b->col = m->icol;
    if (t == GL_B_HEADING) {
        int lv = m->ilevel - m->shift;
        b->level = lv < 1 ? 1 : lv > 6 ? 6 : lv;
        if (!(b->anchor = make_anchor(m, b->text, b->len)))
            return -1;
    }
    if (finish_spans(m, b, lead, len) || finish_line_offs(m, b, lead, len))
        return -1;
    return 0;
}

static int code_block(md *m, cmark_node *n)
{
    const char *lit = cmark_node_get_literal(n);
    size_t len = lit ? strlen(lit) : 0;
    if (len && lit[len - 1] == '\n')
        len--;  // cmark ends every code line with '\n'
    gl_buf b;
    gl_buf_init(&b, m->ctx);
    int rc = gl_buf_put(&b, "", 0) || put_clean(m, &b, lit ? lit : "", len, true, node_line(m, n));
    gl_block *blk = rc ? NULL : append(m, GL_B_CODE, b.data, b.len, node_line(m, n));
    gl_buf_free(&b);
    if (!blk)
        return -1;
    blk->col = (unsigned)cmark_node_get_start_column(n);
    const char *info = cmark_node_get_fence_info(n);
    if (info && info[0] && !(blk->info = gl_arena_strdup(&m->doc->arena, info)))
        return -1;
    return 0;
}

static void warn_html(md *m, cmark_node *n)
{
    if (m->warned_html)
        return;
    gl_warn(m->ctx, m->source, node_line(m, n), (unsigned)cmark_node_get_start_column(n),
            "raw HTML is not passed through; dropped (further raw HTML in this file is "
            "dropped silently)");
    m->warned_html = true;
}

static int enter_table(md *m, cmark_node *n)
{
    gl_block *t;
    if (push(m, GL_B_TABLE, n, 2, &t))
        return -1;
    if (!t)
        return 0;  // too deep for a table: its cells become paragraphs
    unsigned nc = cmark_gfm_extensions_get_table_columns(n);
    uint8_t *al = cmark_gfm_extensions_get_table_alignments(n);
    gl_align *a = nc ? gl_arena_alloc(&m->doc->arena, nc * sizeof *a) : NULL;
    if (nc && !a)
        return -1;
    for (unsigned i = 0; i < nc; i++)
        a[i] = !al ? GL_ALIGN_NONE
               : al[i] == 'l' ? GL_ALIGN_LEFT
               : al[i] == 'c' ? GL_ALIGN_CENTER
               : al[i] == 'r' ? GL_ALIGN_RIGHT
                              : GL_ALIGN_NONE;
    t->ncols = nc;
    t->align = a;
    return 0;
}

/* ================================================================ walk */

typedef enum { K_OTHER, K_TABLE, K_ROW, K_CELL, K_STRIKE } ext_kind;

static ext_kind ext_of(cmark_node *n)
{
    const char *t = cmark_node_get_type_string(n);
    if (!t)
        return K_OTHER;
    if (strcmp(t, "table") == 0)
        return K_TABLE;
    if (strcmp(t, "table_row") == 0 || strcmp(t, "table_header") == 0)
        return K_ROW;
    if (strcmp(t, "table_cell") == 0)
        return K_CELL;
    if (strcmp(t, "strikethrough") == 0)
        return K_STRIKE;
    return K_OTHER;
}

static bool is_inline_block(md *m, cmark_node *n, gl_block_type *t)
{
    switch (cmark_node_get_type(n)) {
    case CMARK_NODE_PARAGRAPH:
        *t = GL_B_PARA;
        return true;
    case CMARK_NODE_HEADING:
        *t = GL_B_HEADING;
        return true;
    default:
        if (ext_of(n) == K_CELL) {
            // A cell of a flattened table is a paragraph.
            gl_block *p = parent(m);
            *t = !m->skip && p && p->type == GL_B_TABLE_ROW ? GL_B_TABLE_CELL : GL_B_PARA;
            return true;
        }
        return false;
    }
}

static int on_enter(md *m, cmark_node *n)
{
    cmark_node_type ty = cmark_node_get_type(n);
    gl_block *b;
    gl_block_type it;
    if (m->in_inline) {
        switch (ty) {
        case CMARK_NODE_TEXT:
            return put_inline(m, cmark_node_get_literal(n), strlen(cmark_node_get_literal(n)), 0,
                              node_line(m, n));
        case CMARK_NODE_CODE: {
            const char *l = cmark_node_get_literal(n);
            return put_inline(m, l, strlen(l), cur_style(m) | GL_S_CODE, node_line(m, n));
        }
        case CMARK_NODE_SOFTBREAK:
            if (m->imaged)
                return gl_buf_putc(&m->alt, ' ');
            m->pending_soft = true;
            m->min_line = m->cur_line + 1;
            return 0;
        case CMARK_NODE_LINEBREAK:
            m->min_line = m->cur_line + 1;
            return put_newline(m);
        case CMARK_NODE_EMPH:
            m->emph++;
            return 0;
        case CMARK_NODE_STRONG:
            m->strong++;
            return 0;
        case CMARK_NODE_LINK:
            if (m->linkd++ == 0) {
                const char *u = cmark_node_get_url(n);
                m->href = u && u[0] ? gl_arena_strdup(&m->doc->arena, u) : NULL;
                if (u && u[0] && !m->href)
                    return -1;
                m->force_new_span = true;  // adjacent links stay apart
            }
            return 0;
        case CMARK_NODE_IMAGE:
            if (m->imaged++ == 0) {
                const char *u = cmark_node_get_url(n);
                m->img_url = u;
                m->img_line = node_line(m, n);
                m->img_col = (unsigned)cmark_node_get_start_column(n);
                m->alt.len = 0;
                if (gl_buf_put(&m->alt, "", 0))
                    return -1;
            }
            return 0;
        case CMARK_NODE_HTML_INLINE:
            warn_html(m, n);
            return 0;
        case CMARK_NODE_FOOTNOTE_REFERENCE: {
            const char *l = cmark_node_get_literal(n);
            unsigned num = 0;
            for (const char *p = l; p && *p >= '0' && *p <= '9' && num < 100000000; p++)
                num = num * 10 + (unsigned)(*p - '0');
            if (!num)
                return 0;
            if (m->imaged) {
                char buf[16];
                int k = snprintf(buf, sizeof buf, "%u", num);
                return put_clean(m, &m->alt, buf, (size_t)k, false, 0);
            }
            // Which article holds the first reference (split mode); a
            // reference before the first chapter is in the leading article.
            if (!m->article && !is_chapter(m, m->inode) && ensure_article(m, m->iline))
                return -1;
            if (num > m->capnote_article || !m->note_article[num - 1]) {
                if (num > m->capnote_article) {
                    size_t old = m->capnote_article;
                    if (GL_GROW(m->ctx, m->note_article, m->capnote_article, num))
                        return -1;
                    memset(m->note_article + old, 0,
                           (m->capnote_article - old) * sizeof *m->note_article);
                }
                m->note_article[num - 1] = m->article;
            }
            char buf[16];
            int k = snprintf(buf, sizeof buf, "%u", num);
            return put_inline(m, buf, (size_t)k, GL_S_NOTEREF, node_line(m, n));
        }
        default:
            if (ext_of(n) == K_STRIKE)
                m->strike++;
            return 0;  // unknown inline: its children still come
        }
    }
    if (is_inline_block(m, n, &it)) {
        int lv = it == GL_B_HEADING ? cmark_node_get_heading_level(n) : 0;
        begin_inline(m, it, n, lv);
        return 0;
    }
    switch (ty) {
    case CMARK_NODE_DOCUMENT:
        return 0;
    case CMARK_NODE_BLOCK_QUOTE:
        return push(m, GL_B_QUOTE, n, 1, &b);
    case CMARK_NODE_LIST:
        if (push(m, GL_B_LIST, n, 2, &b))
            return -1;
        if (b) {
            b->ordered = cmark_node_get_list_type(n) == CMARK_ORDERED_LIST;
            int st = cmark_node_get_list_start(n);
            b->start = b->ordered ? (st < 0 ? 0u : (unsigned)st) : 0;
            b->tight = cmark_node_get_list_tight(n) != 0;
        }
        return 0;
    case CMARK_NODE_ITEM:
        return push(m, GL_B_ITEM, n, 1, &b);
    case CMARK_NODE_CODE_BLOCK:
        return code_block(m, n);
    case CMARK_NODE_HTML_BLOCK:
        warn_html(m, n);
        return 0;
    case CMARK_NODE_THEMATIC_BREAK:
        return append(m, GL_B_HR, NULL, 0, node_line(m, n)) ? 0 : -1;
    case CMARK_NODE_FOOTNOTE_DEFINITION: {
        unsigned num = ++m->ndefs;
        // At the end of the article with its first reference.
        if (m->split_level && m->depth == 1) {
            gl_block *a = num <= m->capnote_article ? m->note_article[num - 1] : NULL;
            if (a)
                m->stack[0] = a;
        }
        if (push(m, GL_B_FOOTNOTE, n, 1, &b))
            return -1;
        if (b) {
            char buf[16];
            snprintf(buf, sizeof buf, "%u", num);
            b->note_num = num;
            if (!(b->anchor = gl_arena_strdup(&m->doc->arena, buf)))
                return -1;
            if (GL_GROW(m->ctx, m->defs, m->capdefs, num))
                return -1;
            m->defs[num - 1] = b;
            m->doc->nnotes++;
        }
        return 0;
    }
    default:
        switch (ext_of(n)) {
        case K_TABLE:
            return enter_table(m, n);
        case K_ROW:
            if (push(m, GL_B_TABLE_ROW, n, 1, &b))
                return -1;
            if (b)
                b->header = cmark_gfm_extensions_get_table_row_is_header(n) != 0;
            return 0;
        default:
            return 0;
        }
    }
}

/* Containers that on_enter() pushed (or counted as skipped). */
static bool is_container(cmark_node *n)
{
    switch (cmark_node_get_type(n)) {
    case CMARK_NODE_BLOCK_QUOTE:
    case CMARK_NODE_LIST:
    case CMARK_NODE_ITEM:
    case CMARK_NODE_FOOTNOTE_DEFINITION:
        return true;
    default: {
        ext_kind k = ext_of(n);
        return k == K_TABLE || k == K_ROW;
    }
    }
}

static int on_exit(md *m, cmark_node *n)
{
    if (m->in_inline) {
        if (n == m->inode) {
            m->in_inline = false;
            m->emph = m->strong = m->strike = m->linkd = m->imaged = 0;
            m->href = NULL;
            return flush_inline(m, true);
        }
        switch (cmark_node_get_type(n)) {
        case CMARK_NODE_EMPH:
            m->emph--;
            return 0;
        case CMARK_NODE_STRONG:
            m->strong--;
            return 0;
        case CMARK_NODE_LINK:
            if (--m->linkd == 0) {
                m->href = NULL;
                m->force_new_span = true;
            }
            return 0;
        case CMARK_NODE_IMAGE:
            return --m->imaged == 0 ? end_image(m) : 0;
        default:
            if (ext_of(n) == K_STRIKE)
                m->strike--;
            return 0;
        }
    }
    if (is_container(n)) {
        pop(m);
        // A footnote definition returns the top level to the last article.
        if (cmark_node_get_type(n) == CMARK_NODE_FOOTNOTE_DEFINITION && m->depth == 1 &&
            m->split_level)
            m->stack[0] = m->article;
    }
    return 0;
}

/* ================================================================ chapters */

/* The plain text of a heading node (for comparing with a title). */
static int heading_text(md *m, cmark_node *h, gl_buf *out)
{
    out->len = 0;
    int rc = gl_buf_put(out, "", 0);
    cmark_iter *it = cmark_iter_new(h);
    if (!it)
        return gl_oom(m->ctx);
    cmark_event_type ev;
    while (!rc && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *c = cmark_iter_get_node(it);
        if (ev != CMARK_EVENT_ENTER)
            continue;
        cmark_node_type t = cmark_node_get_type(c);
        if (t == CMARK_NODE_TEXT || t == CMARK_NODE_CODE)
            rc = gl_buf_puts(out, cmark_node_get_literal(c));
        else if (t == CMARK_NODE_SOFTBREAK || t == CMARK_NODE_LINEBREAK)
            rc = gl_buf_putc(out, ' ');
    }
    cmark_iter_free(it);
    return rc;
}

/* Looks at the top-level blocks only: the title heading and L. */
static int plan_chapters(md *m, cmark_node *root)
{
    cmark_node *first = cmark_node_first_child(root);
    if (first && cmark_node_get_type(first) == CMARK_NODE_HEADING &&
        cmark_node_get_heading_level(first) == 1) {
        if (!m->doc->meta.title[0]) {
            m->title_node = first;
        } else {
            gl_buf t;
            gl_buf_init(&t, m->ctx);
            int rc = heading_text(m, first, &t);
            if (!rc && strcmp(t.data, m->doc->meta.title) == 0)
                m->title_node = first;
            gl_buf_free(&t);
            if (rc)
                return -1;
        }
    }
    int L = 0;
    for (cmark_node *c = first; c; c = cmark_node_next(c)) {
        if (c == m->title_node || cmark_node_get_type(c) != CMARK_NODE_HEADING)
            continue;
        int lv = cmark_node_get_heading_level(c);
        if (!L || lv < L)
            L = lv;
    }
    if (L && !(m->flags & GL_MD_ONE_ARTICLE)) {
        m->split_level = L;
        m->shift = L;
    } else {
        m->shift = L ? L - 1 : 0;
    }
    return 0;
}

/* ================================================================ front matter */

static int set_meta(md *m, const char **dst, const char *v)
{
    gl_buf b;
    gl_buf_init(&b, m->ctx);
    int rc = gl_buf_put(&b, "", 0) || put_clean(m, &b, v, strlen(v), false, 1);
    // Trim: titles are one line.
    size_t a = 0, n = b.len;
    while (a < n && b.data[a] == ' ')
        a++;
    while (n > a && b.data[n - 1] == ' ')
        n--;
    if (!rc && n > a && !(*dst = gl_arena_strndup(&m->doc->arena, b.data + a, n - a)))
        rc = -1;
    gl_buf_free(&b);
    return rc;
}

/* Parses the YAML text y (lines first_line..) into the metadata, and keeps
 * the page options (paper, margins, ...) on the doc for galley.c.  A YAML
 * error is a warning, never a failure. */
static int parse_front_matter(md *m, const char *y, size_t n, unsigned first_line)
{
    gl_yaml_map ym;
    int st = gl_yaml_read_map(m->ctx, y, n, first_line, &ym);
    int rc = st < 0 ? -1 : 0;
    if (st == GL_YAML_INVALID)
        gl_warn(m->ctx, m->source, ym.line, ym.col, "front matter ignored: YAML error: %s",
                ym.problem[0] ? ym.problem : "unknown");
    else if (st == GL_YAML_NOT_MAP)
        gl_warn(m->ctx, m->source, first_line, 1,
                "front matter ignored: expected 'key: value' lines");
    gl_meta *mt = &m->doc->meta;
    gl_opt_pair *opts = NULL;
    size_t nopts = 0;
    if (st == GL_YAML_MAP && ym.npairs &&
        !(opts = gl_arena_alloc(&m->doc->arena, ym.npairs * sizeof *opts)))
        rc = -1;
    for (size_t i = 0; st == GL_YAML_MAP && !rc && i < ym.npairs; i++) {
        const gl_yaml_pair *pr = &ym.pairs[i];
        const char *k = pr->key, *v = pr->value;
        if (pr->list && strcmp(k, "author") == 0) {
            // Several authors: "A, B and C" would be language-specific;
            // a comma list is neutral.
            gl_buf all;
            gl_buf_init(&all, m->ctx);
            rc = gl_buf_put(&all, "", 0);
            for (size_t j = 0; !rc && j < pr->nitems; j++)
                rc = (all.len && gl_buf_puts(&all, ", ")) || gl_buf_puts(&all, pr->items[j]);
            if (!rc)
                rc = set_meta(m, &mt->byline, all.data);
            gl_buf_free(&all);
            continue;
        }
        if (!v) {
            gl_warn(m->ctx, m->source, pr->line, 1,
                    "front matter: '%s' is not a plain value; ignored", k);
            continue;
        }
        if (strcmp(k, "title") == 0)
            rc = set_meta(m, &mt->title, v);
        else if (strcmp(k, "subtitle") == 0)
            rc = set_meta(m, &mt->subtitle, v);
        else if (strcmp(k, "author") == 0 || strcmp(k, "byline") == 0)
            rc = set_meta(m, &mt->byline, v);
        else if (strcmp(k, "lang") == 0 || strcmp(k, "language") == 0)
            rc = set_meta(m, &mt->lang, v);
        else if (strcmp(k, "date") == 0) {
            long long t;
            if (gl_parse_iso_date(v, &t))
                rc = set_meta(m, &mt->date, v);
            else
                rc = set_meta(m, &mt->display_date, v);
        } else if (strcmp(k, "display_date") == 0 || strcmp(k, "display-date") == 0)
            rc = set_meta(m, &mt->display_date, v);
        else if (gl_option_in_files(k)) {
            // a page option, as in a manifest: galley.c checks and applies it
            gl_opt_pair *o = &opts[nopts];
            o->name = gl_arena_strdup(&m->doc->arena, k);
            o->value = gl_arena_strdup(&m->doc->arena, v);
            o->line = pr->line;
            if (!o->name || !o->value)
                rc = -1;
            else
                nopts++;
        } else
            gl_warn(m->ctx, m->source, pr->line, 1, "front matter: unknown key '%.40s' ignored", k);
    }
    if (nopts) {
        m->doc->options = opts;
        m->doc->noptions = nopts;
    }
    gl_yaml_map_free(&ym);
    return rc;
}

/* Splits off front matter: returns the offset where the Markdown starts
 * and sets m->line0.  No closing line: not front matter at all. */
static int front_matter(md *m, const char *data, size_t len, size_t *body)
{
    *body = 0;
    size_t i = 0;
    if (len < 3 || memcmp(data, "---", 3) != 0)
        return 0;
    i = 3;
    while (i < len && (data[i] == ' ' || data[i] == '\t'))
        i++;
    if (i < len && data[i] == '\r')
        i++;
    if (i >= len || data[i] != '\n')
        return 0;
    size_t ystart = ++i;
    unsigned line = 2;
    while (i < len) {
        size_t e = i;
        while (e < len && data[e] != '\n')
            e++;
        size_t le = e;
        if (le > i && data[le - 1] == '\r')
            le--;
        while (le > i && (data[le - 1] == ' ' || data[le - 1] == '\t'))
            le--;
        if (le - i == 3 && (memcmp(data + i, "---", 3) == 0 || memcmp(data + i, "...", 3) == 0)) {
            if (parse_front_matter(m, data + ystart, i - ystart, 2))
                return -1;
            *body = e < len ? e + 1 : e;
            m->line0 = line;
            return 0;
        }
        i = e + 1;
        line++;
    }
    return 0;
}

/* ================================================================ entry point */


static void md_free(md *m)
{
    gl_free(m->stack);
    gl_buf_free(&m->text);
    gl_buf_free(&m->alt);
    gl_free(m->spans);
    gl_free(m->loffs);
    gl_free(m->defs);
    gl_free(m->patches);
    gl_free(m->anchors);
    gl_free(m->note_article);
}

static int convert(md *m, cmark_node *root)
{
    if (plan_chapters(m, root))
        return -1;
    if (GL_GROW(m->ctx, m->stack, m->capstack, 8))
        return -1;
    m->stack[0] = NULL;
    m->depth = 1;
    cmark_iter *it = cmark_iter_new(root);
    if (!it)
        return gl_oom(m->ctx);
    int rc = 0;
    cmark_event_type ev;
    while (!rc && (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *n = cmark_iter_get_node(it);
        if (ev == CMARK_EVENT_ENTER) {
            rc = on_enter(m, n);
            // Leaves get no EXIT event; inline blocks always have one
            // (cmark_iter: containers, incl. empty ones, get both).
        } else if (ev == CMARK_EVENT_EXIT) {
            rc = on_exit(m, n);
        }
    }
    cmark_iter_free(it);
    if (rc)
        return -1;
    // Footnote references point at their definitions.
    for (size_t i = 0; i < m->npatches; i++) {
        note_patch *p = &m->patches[i];
        if (p->num >= 1 && p->num <= m->ndefs && m->defs[p->num - 1])
            p->b->spans[p->span].note = m->defs[p->num - 1];
        else
            p->b->spans[p->span].style &= ~(uint32_t)GL_S_NOTEREF;  // no definition: plain
    }
    return 0;
}

gl_doc *gl_read_markdown(gl_ctx *ctx, const char *data, size_t len, const char *source,
                         unsigned flags)
{
    md m = {.ctx = ctx, .source = source ? source : "<memory>", .flags = flags};
    gl_buf_init(&m.text, ctx);
    gl_buf_init(&m.alt, ctx);
    for (const char *p = m.source; *p; p++)
        if (*p == '/')
            m.dirlen = (size_t)(p - m.source) + 1;
    if (m.source[0] == '<')
        m.dirlen = 0;
    cmark_parser *parser = NULL;
    cmark_node *root = NULL;
    m.doc = gl_doc_new(ctx, m.source);
    if (!m.doc)
        goto fail;
    if (!data)
        data = "", len = 0;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        data += 3, len -= 3;  // a UTF-8 BOM says nothing about the text
    size_t body;
    if (front_matter(&m, data, len, &body))
        goto fail;

    cmark_gfm_core_extensions_ensure_registered();
    // No CMARK_OPT_SMART: quotes are typed as the author wrote them.
    parser = cmark_parser_new(CMARK_OPT_FOOTNOTES | CMARK_OPT_VALIDATE_UTF8);
    if (!parser) {
        gl_oom(ctx);
        goto fail;
    }
    static const char *const exts[] = {"table", "strikethrough", "autolink"};
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        cmark_syntax_extension *e = cmark_find_syntax_extension(exts[i]);
        if (!e || !cmark_parser_attach_syntax_extension(parser, e)) {
            gl_error(ctx, GALLEY_ERR_INTERNAL, "cmark-gfm extension '%s' unavailable", exts[i]);
            goto fail;
        }
    }
    cmark_parser_feed(parser, data + body, len - body);
    root = cmark_parser_finish(parser);
    if (!root) {
        gl_oom(ctx);
        goto fail;
    }
    if (convert(&m, root))
        goto fail;
    if (!m.doc->meta.title[0] && gl_doc_title_from_source(m.doc, m.source))
        goto fail;
    gl_doc_detect_lang(m.doc);
    // Articles speak the doc's language (detected only now).
    for (gl_block *b = m.doc->first; b; b = b->next)
        if (b->type == GL_B_ARTICLE) {
            gl_meta *am = gl_doc_article_meta(b);
            am->lang = m.doc->meta.lang;
            am->lang_is_cjk = m.doc->meta.lang_is_cjk;
            if (!am->title[0])
                am->title = m.doc->meta.title;  // the leading article
        }
    cmark_node_free(root);
    cmark_parser_free(parser);
    md_free(&m);
    return m.doc;
fail:
    if (root)
        cmark_node_free(root);
    if (parser)
        cmark_parser_free(parser);
    md_free(&m);
    gl_doc_free(m.doc);
    return NULL;
}

bool gl_is_markdown(const char *source, const char *data, size_t len)
{
    if (source) {
        const char *dot = strrchr(source, '.');
        const char *slash = strrchr(source, '/');
        if (dot && (!slash || dot > slash)) {
            static const char *const ext[] = {".md", ".markdown", ".mdown", ".mkd"};
            for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
                const char *a = dot, *b = ext[i];
                while (*a && *b && (*a | 0x20) == *b)
                    a++, b++;
                if (!*a && !*b)
                    return true;
            }
        }
    }
    // Front matter at the top ("---" line, then a "key:" line) also says Markdown.
    if (data && len >= 4) {
        if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
            data += 3, len -= 3;
        size_t i = 3;
        if (len < 5 || memcmp(data, "---", 3) != 0)
            return false;
        if (data[i] == '\r')
            i++;
        if (i >= len || data[i] != '\n')
            return false;
        i++;
        size_t e = i;
        while (e < len && e - i < 64 && data[e] != '\n' && data[e] != ':')
            e++;
        return e < len && data[e] == ':' && e > i;
    }
    return false;
}
