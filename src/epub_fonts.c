/*
 * epub_fonts.c — fonts embedded in the EPUB: which faces a book's text
 * uses and with which characters, each subset with gl_face_subset(), and
 * the @font-face rules of the stylesheet.  Reads the document model only.
 */
#include "epub_int.h"

#include <stdlib.h>
#include <string.h>

/* ================================================================ fonts, page-list, accessibility */

static bool text_has_cjk(const char *s, size_t n)
{
    for (size_t i = 0; s && i < n;)
        if (gl_is_cjk(gl_utf8_next(s, n, &i)))
            return true;
    return false;
}

static bool str_has_cjk(const char *s) { return s && text_has_cjk(s, strlen(s)); }

static bool meta_has_cjk(const gl_meta *m)
{
    return m && (str_has_cjk(m->title) || str_has_cjk(m->subtitle) ||
                 str_has_cjk(m->byline) || str_has_cjk(m->display_date));
}

// Recursion is bounded by GL_MAX_DEPTH (doc.h).
static bool blocks_have_cjk(const gl_block *b)
{
    for (; b; b = b->next)
        if ((b->text && text_has_cjk(b->text, b->len)) || meta_has_cjk(b->meta) ||
            blocks_have_cjk(b->children))
            return true;
    return false;
}

galley_epub_fonts gl_epub_font_mode(const gl_doc *doc, galley_epub_fonts mode)
{
    if (mode != GALLEY_EPUB_FONTS_AUTO)
        return mode;
    // Readers without a Chinese font show tofu; every reader has Latin.
    return doc && (meta_has_cjk(&doc->meta) || blocks_have_cjk(doc->first))
               ? GALLEY_EPUB_FONTS_SUBSET
               : GALLEY_EPUB_FONTS_NONE;
}

/* ---------------------------------------------------------------- fonts */

/* Per face role: file name in OEBPS/fonts/, CSS family, weight, style. */
static const struct {
    const char *file, *family, *weight, *style;
} FACE_CSS[GL_FACE_COUNT] = {
    {"latin-regular.ttf", "galley-serif", "normal", "normal"},
    {"latin-bold.ttf", "galley-serif", "bold", "normal"},
    {"latin-italic.ttf", "galley-serif", "normal", "italic"},
    {"latin-bold-italic.ttf", "galley-serif", "bold", "italic"},
    {"cjk.ttf", "galley-cjk", "normal", "normal"},
    {"cjk-heading.ttf", "galley-cjk-heading", "normal", "normal"},
    {"cjk-fallback.ttf", "galley-cjk-fallback", "normal", "normal"},
    [GL_FACE_MONO] = {"mono.ttf", "galley-mono", "normal", "normal"},  // code: never embedded
    [GL_FACE_MONO_BOLD] = {"mono-bold.ttf", "galley-mono", "bold", "normal"},
    // installed faces for characters the others lack (font.c, "fallback")
    [GL_FACE_FALLBACK0] = {"fallback-0.ttf", "galley-fallback-0", "normal", "normal"},
    {"fallback-1.ttf", "galley-fallback-1", "normal", "normal"},
    {"fallback-2.ttf", "galley-fallback-2", "normal", "normal"},
    {"fallback-3.ttf", "galley-fallback-3", "normal", "normal"},
    {"fallback-4.ttf", "galley-fallback-4", "normal", "normal"},
    {"fallback-5.ttf", "galley-fallback-5", "normal", "normal"},
    {"fallback-6.ttf", "galley-fallback-6", "normal", "normal"},
    {"fallback-7.ttf", "galley-fallback-7", "normal", "normal"},
};
_Static_assert(GL_FACE_COUNT == GL_FACE_FALLBACK0 + 8, "FACE_CSS: one entry per fallback role");

// The punctuation that layout.c sets from the CJK font next to Chinese
// text (curly quotes, dashes, ellipsis, middle dot).  In the EPUB a code
// point can live in one face of a font stack only, so a CJK book gives
// them all to the CJK face, as the PDF does in Chinese context.
static bool cjk_ambiguous(uint32_t cp)
{
    return cp == 0x2018 || cp == 0x2019 || cp == 0x201C || cp == 0x201D || cp == 0x2014 ||
           cp == 0x2026 || cp == 0x00B7 || cp == 0x2015;
}

/* Notes the faces that draw s[0, n) in the given GL_S_* style, as the
 * stylesheet will ask for them: headings are bold; CJK books set italics
 * upright (emphasis dots instead), and code in the reader's monospace, so
 * only its CJK characters need our faces. */
static int font_text(epub *e, const char *s, size_t n, uint32_t style, bool heading)
{
    unsigned st = GL_F_REGULAR;
    if (heading || (style & GL_S_BOLD))
        st |= GL_F_BOLD;
    if ((style & GL_S_ITALIC) && !e->cjk)
        st |= GL_F_ITALIC;
    for (size_t i = 0; s && i < n;) {
        uint32_t cp = gl_utf8_next(s, n, &i);
        if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
            continue;
        int f = e->cjk && cjk_ambiguous(cp)
                    ? gl_font_pick_cjk_first(e->fs, (gl_font_style)st, heading, cp)
                    : gl_font_pick(e->fs, (gl_font_style)st, heading, cp);
        if (f < 0)
            continue;
        f = gl_face_canonical(e->fs, f);
        if ((style & GL_S_CODE) && f < GL_FACE_CJK)
            continue;
        efont *ef = &e->fonts[f];
        if (ef->n && ef->cps[ef->n - 1] == cp)
            continue;  // cheap de-duplication; the rest after sorting
        if (GL_GROW(e->ctx, ef->cps, ef->cap, ef->n + 1))
            return -1;
        ef->cps[ef->n++] = cp;
    }
    return 0;
}

static int font_str(epub *e, const char *s, uint32_t style, bool heading)
{
    return s ? font_text(e, s, strlen(s), style, heading) : 0;
}

static int font_meta(epub *e, const gl_meta *m)
{
    if (!m)
        return 0;
    // The title is the article's h1 and a nav entry (regular weight).
    if (font_str(e, m->title, 0, true) || font_str(e, m->title, 0, false) ||
        font_str(e, m->subtitle, 0, false) || font_str(e, m->byline, 0, false) ||
        font_str(e, m->display_date, 0, false) || font_str(e, m->date, 0, false))
        return -1;
    return 0;
}

static int font_blocks(epub *e, const gl_block *b)
{
    for (; b; b = b->next) {
        bool heading = b->type == GL_B_HEADING;
        if (b->type == GL_B_CODE) {
            GL_CHECK(font_text(e, b->text, b->len, GL_S_CODE, false));
        } else if (b->text && b->spans && b->nspans) {
            size_t pos = 0;
            for (size_t i = 0; i < b->nspans; i++) {
                size_t start = b->spans[i].off, end = start + b->spans[i].len;
                if (end > b->len)
                    end = b->len;
                if (start < pos)
                    start = pos;
                if (start >= end)
                    continue;
                GL_CHECK(font_text(e, b->text + pos, start - pos, 0, heading));
                GL_CHECK(font_text(e, b->text + start, end - start, b->spans[i].style, heading));
                pos = end;
            }
            GL_CHECK(font_text(e, b->text + pos, b->len - pos, 0, heading));
        } else if (b->text) {
            GL_CHECK(font_text(e, b->text, b->len, 0, heading));
        }
        // Headings are also nav entries, in the body face.
        if (heading)
            GL_CHECK(font_text(e, b->text, b->len, 0, false));
        GL_CHECK(font_meta(e, b->meta));
        GL_CHECK(font_blocks(e, b->children));
    }
    return 0;
cleanup:
    return -1;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

// Contents label strings the nav shows (see gl_epub_contents_label()).

/* Collects what each face draws and makes its file: subset to exactly
 * those characters (SUBSET) or everything the face covers (FULL).  Faces
 * that draw nothing are left out. */
int gl_epub_fonts_make(epub *e)
{
    if (e->font_mode != GALLEY_EPUB_FONTS_SUBSET && e->font_mode != GALLEY_EPUB_FONTS_FULL)
        return 0;
    if (!e->fs)
        return gl_error(e->ctx, GALLEY_ERR_INTERNAL, "%s: EPUB fonts requested without a font set",
                        e->out_path);
    e->fonts = gl_calloc(e->ctx, GL_FACE_COUNT, sizeof *e->fonts);
    if (!e->fonts)
        return -1;
    for (int f = 0; f < GL_FACE_COUNT; f++)
        gl_buf_init(&e->fonts[f].data, e->ctx);
    GL_CHECK(font_str(e, e->title, 0, true));
    GL_CHECK(font_str(e, e->title, 0, false));
    GL_CHECK(font_str(e, gl_epub_contents_label(e), 0, true));
    GL_CHECK(font_meta(e, &e->doc->meta));
    GL_CHECK(font_blocks(e, e->doc->first));
    if (e->cjk)
        GL_CHECK(font_str(e, AUTOSPACE, 0, false));  // the Han-Latin space
    for (int f = 0; f < GL_FACE_COUNT; f++) {
        efont *ef = &e->fonts[f];
        if (!ef->n)
            continue;
        if (e->font_mode == GALLEY_EPUB_FONTS_FULL) {
            // Every character of the face: what a reader needs to show any
            // text in it, e.g. after the reader's own edits or lookups.
            ef->n = 0;
            for (uint32_t cp = 0x20; cp <= 0x10FFFF; cp++) {
                if (cp == 0xD800)
                    cp = 0xE000;
                if (!gl_face_has(e->fs, f, cp))
                    continue;
                if (GL_GROW(e->ctx, ef->cps, ef->cap, ef->n + 1))
                    goto cleanup;
                ef->cps[ef->n++] = cp;
            }
        } else {
            qsort(ef->cps, ef->n, sizeof *ef->cps, cmp_u32);
            size_t k = 0;
            for (size_t i = 0; i < ef->n; i++)
                if (!k || ef->cps[k - 1] != ef->cps[i])
                    ef->cps[k++] = ef->cps[i];
            ef->n = k;
        }
        char *data = NULL;
        size_t len = 0;
        GL_CHECK(gl_face_subset(e->ctx, e->fs, f, ef->cps, ef->n, &data, &len));
        int rc = gl_buf_put(&ef->data, data, len);
        gl_free(data);
        if (rc)
            goto cleanup;
    }
    return 0;
cleanup:
    return -1;
}

bool gl_epub_font_embedded(const epub *e, int f) { return e->fonts && e->fonts[f].data.len; }

void gl_epub_fonts_free(epub *e)
{
    if (!e->fonts)
        return;
    for (int f = 0; f < GL_FACE_COUNT; f++) {
        gl_free(e->fonts[f].cps);
        gl_buf_free(&e->fonts[f].data);
    }
    gl_free(e->fonts);
    e->fonts = NULL;
}

/* A font-family list: the embedded faces of the given roles, in order,
 * then the generic family. */
static int css_stack(const epub *e, gl_buf *out, const char *sel, const int *roles, size_t n,
                     const char *generic)
{
    if (gl_buf_printf(out, "%s { font-family:", sel))
        return -1;
    const char *last = NULL;
    for (size_t i = 0; i < n; i++) {
        int f = roles[i];
        if (!gl_epub_font_embedded(e, f) || (last && strcmp(last, FACE_CSS[f].family) == 0))
            continue;
        if (gl_buf_printf(out, " \"%s\",", FACE_CSS[f].family))
            return -1;
        last = FACE_CSS[f].family;
    }
    return gl_buf_printf(out, " %s; }\n", generic);
}

/* @font-face rules and font stacks for the embedded faces (CSS Fonts 3
 * §4).  The subsets are disjoint, so a reader takes each character from
 * the face that the PDF uses for it by plain per-character fallback. */
int gl_epub_font_css(const epub *e, gl_buf *out)
{
    if (!e->fonts)
        return 0;
    if (gl_buf_puts(out, "\n/* embedded fonts (galley --epub-fonts) */\n"))
        return -1;
    for (int f = 0; f < GL_FACE_COUNT; f++) {
        if (!gl_epub_font_embedded(e, f))
            continue;
        // The heading face is a Hei face meant to be used as is: declare
        // it for bold too, so that h1-h6 do not get a synthesized bold.
        for (int bold = 0; bold < (f == GL_FACE_CJK_HEADING ? 2 : 1); bold++)
            if (gl_buf_printf(out,
                              "@font-face { font-family: \"%s\"; font-weight: %s;"
                              " font-style: %s; src: url(\"fonts/%s\") format(\"truetype\"); }\n",
                              FACE_CSS[f].family, bold ? "bold" : FACE_CSS[f].weight,
                              FACE_CSS[f].style, FACE_CSS[f].file))
                return -1;
    }
    // Each stack ends with the fallback faces (characters no other has).
    enum { NFB = GL_FACE_COUNT - GL_FACE_FALLBACK0 };
    int roles_body[3 + NFB] = {GL_FACE_LATIN_REGULAR, GL_FACE_CJK, GL_FACE_CJK_FALLBACK};
    int roles_head[4 + NFB] = {GL_FACE_LATIN_REGULAR, GL_FACE_CJK_HEADING, GL_FACE_CJK,
                               GL_FACE_CJK_FALLBACK};
    int roles_mono[2 + NFB] = {GL_FACE_CJK, GL_FACE_CJK_FALLBACK};
    for (int k = 0; k < NFB; k++)
        roles_body[3 + k] = roles_head[4 + k] = roles_mono[2 + k] = GL_FACE_FALLBACK0 + k;
    // Any Latin face of the family (regular, bold, italic) names it.
    for (int f = GL_FACE_LATIN_REGULAR; f <= GL_FACE_LATIN_BOLD_ITALIC; f++)
        if (gl_epub_font_embedded(e, f)) {
            roles_body[0] = roles_head[0] = f;
            break;
        }
    if (css_stack(e, out, "body", roles_body, 3 + NFB, "serif") ||
        css_stack(e, out, "h1, h2, h3, h4, h5, h6", roles_head, 4 + NFB, "serif"))
        return -1;
    // Latin code stays in the reader's monospace; CJK in it needs ours.
    return css_stack(e, out, "code, pre", roles_mono, 2 + NFB, "monospace");
}

const char *gl_epub_font_file(int f) { return FACE_CSS[f].file; }
