/*
 * items.c — shaping a paragraph for the breaker: per-character faces and
 * advances (font.c), break opportunities (linebreak.c, ICU) tightened by
 * the W3C CLREQ line-start/line-end rules, CJK punctuation compression in
 * the gb/full/centered styles, Han–Latin spacing, hyphenation points
 * (hyph.c), and finally the Knuth–Plass boxes, glue and penalties
 * (break.h).  No page or PDF knowledge here.
 */
#define _GNU_SOURCE /* memmem */
#include "items.h"
#include "linebreak.h"

#include <math.h>
#include <string.h>

void gl_shaper_init(gl_shaper *sh, gl_ctx *ctx, const gl_doc *doc, gl_fontset *fs,
                    galley_cjk_punct punct, gl_hyph *hyph)
{
    memset(sh, 0, sizeof *sh);
    sh->ctx = ctx;
    sh->doc = doc;
    sh->fs = fs;
    sh->punct = punct;
    sh->hyph = hyph;
    sh->cjk_text = doc->meta.lang_is_cjk;
}

void gl_shaper_free(gl_shaper *sh)
{
    gl_free(sh->g);
    gl_free(sh->brk);
    gl_free(sh->warned);
    gl_free(sh->items);
    gl_free(sh->spans);
    gl_free(sh->sgl);
    gl_free(sh->levels);
    gl_shape_cache_free(sh->cache);
    memset(sh, 0, sizeof *sh);
}

/* ================================================================ CLREQ classes */

/* Line-start prohibited (CLREQ §3.1.7, "strict" level): pause and stop
 * marks, closing quotes and brackets, connectors, interpuncts, dashes and
 * ellipses (so that —— and …… are never split either). */
bool gl_clreq_no_line_start(uint32_t cp)
{
    switch (cp) {
    case 0x3002: case 0xFF0E: case 0xFF0C: case 0x3001: case 0xFF1A: case 0xFF1B:
    case 0xFF01: case 0x203C: case 0xFF1F: case 0x2047: case 0xFE50: case 0xFE51:
    case 0xFE52: case 0xFE54: case 0xFE55: case 0xFE56: case 0xFE57:
    case 0x300D: case 0x300F: case 0x201D: case 0x2019:
    case 0xFF09: case 0x300B: case 0x3009: case 0x3011: case 0x3017: case 0x3015:
    case 0xFF3D: case 0xFF5D: case 0xFE36: case 0xFE38: case 0xFE3A: case 0xFE3C:
    case 0xFE3E: case 0xFE40: case 0xFE42: case 0xFE44: case 0xFE5A: case 0xFE5C: case 0xFE5E:
    case 0xFF5E: case 0x00B7: case 0x30FB: case 0x2027:
    case 0x2E3A: case 0x2026: case 0x22EF: case 0x2014: case 0x2E3B:
    case ',': case '.': case ';': case ':': case '?': case '!': case ')': case ']': case '}':
        return true;
    }
    return false;
}

/* Line-end prohibited: opening quotes and brackets, and the GB solidus. */
bool gl_clreq_no_line_end(uint32_t cp)
{
    switch (cp) {
    case 0x300C: case 0x300E: case 0x201C: case 0x2018: case 0xFF08: case 0x300A:
    case 0x3008: case 0x3010: case 0x3016: case 0x3014: case 0xFF3B: case 0xFF5B:
    case 0xFE35: case 0xFE37: case 0xFE39: case 0xFE3B: case 0xFE3D: case 0xFE3F:
    case 0xFE41: case 0xFE43: case 0xFE59: case 0xFE5B: case 0xFE5D:
    case '(': case '[': case '{': case 0xFF0F:
        return true;
    }
    return false;
}

/* Punctuation that compression applies to, by which side carries the blank. */
typedef enum { P_NONE, P_OPEN, P_CLOSE } punct_kind;

static punct_kind punct_kind_of(uint32_t cp)
{
    switch (cp) {
    case 0x300C: case 0x300E: case 0x201C: case 0x2018: case 0xFF08: case 0x300A:
    case 0x3008: case 0x3010: case 0x3016: case 0x3014: case 0xFF3B: case 0xFF5B:
        return P_OPEN;
    case 0x3001: case 0x3002: case 0xFF0C: case 0xFF0E: case 0xFF1A: case 0xFF1B:
    case 0xFF01: case 0xFF1F: case 0x300D: case 0x300F: case 0x201D: case 0x2019:
    case 0xFF09: case 0x300B: case 0x3009: case 0x3011: case 0x3017: case 0x3015:
    case 0xFF3D: case 0xFF5D:
        return P_CLOSE;
    }
    return P_NONE;
}

/* Letters and digits of Latin, Greek and Cyrillic: the "Western" side of
 * CLREQ §3.2.1 spacing between Han and Western text. */
static bool is_western_alnum(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') || ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z');
    return (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7) ||
           (cp >= 0x370 && cp <= 0x3FF) || (cp >= 0x400 && cp <= 0x4FF);
}

/* Han and kana: the CJK side of that spacing (not punctuation). */
static bool is_cjk_letter(uint32_t cp)
{
    return gl_is_han(cp) || (cp >= 0x3040 && cp <= 0x30FF && cp != 0x30FB) ||
           (cp >= 0xAC00 && cp <= 0xD7AF);
}

/* Punctuation that both Latin and CJK fonts have but that must take the
 * CJK font's full-width form next to CJK text. */
static bool cjk_ambiguous(uint32_t cp)
{
    return cp == 0x2018 || cp == 0x2019 || cp == 0x201C || cp == 0x201D || cp == 0x2014 ||
           cp == 0x2026 || cp == 0x00B7 || cp == 0x2015 || cp == 0x2E3A;
}

/* ================================================================ shaping */

static bool warned_before(gl_shaper *sh, uint32_t cp)
{
    for (size_t i = 0; i < sh->nwarned; i++)
        if (sh->warned[i] == cp)
            return true;
    if (GL_GROW(sh->ctx, sh->warned, sh->capwarned, sh->nwarned + 1) == 0)
        sh->warned[sh->nwarned++] = cp;
    return false;
}

/* The span of a block that covers byte off (spans are sorted), as
 * 1 + index, or 0. */
static uint32_t span_at(const gl_block *b, size_t off, uint32_t hint)
{
    if (!b || !b->spans)
        return 0;
    size_t i = hint ? hint - 1 : 0;
    if (i < b->nspans && off < b->spans[i].off)
        i = 0;
    for (; i < b->nspans; i++) {
        const gl_span *s = &b->spans[i];
        if (off < s->off)
            return 0;
        if (off < (size_t)s->off + s->len)
            return (uint32_t)i + 1;
    }
    return 0;
}

/* Code points that layout treats as breakable word space. */
static bool is_word_space(uint32_t cp)
{
    return gl_is_space(cp) && cp != 0xA0 && cp != 0x202F && cp != 0x2007 && cp != 0x3000;
}

static void ascii_fill(gl_shaper *sh, unsigned stv, bool heading)
{
    for (uint32_t c = 0; c < 0x80; c++) {
        int f = gl_font_pick(sh->fs, (gl_font_style)stv, heading, c);
        sh->ascii.face[c] = (int16_t)(f >= 0 && f < GL_FACE_CJK ? f : -1);
        sh->ascii.adv[c] = f >= 0 ? (float)gl_face_advance(sh->fs, f, c) : 0;
    }
    sh->ascii.key = (int)(stv << 1 | heading) + 1;
}

/* The face and advance (per point of size) of an ASCII character in the
 * style at hand, from a table refilled when the style changes: most of an
 * English book is ASCII in one style.  false: not cached (no Latin face has
 * it), measure the slow way. */
static inline bool ascii_metric(gl_shaper *sh, unsigned stv, bool heading, uint32_t cp,
                                int *face, double *adv)
{
    if (sh->ascii.key != (int)(stv << 1 | heading) + 1)
        ascii_fill(sh, stv, heading);
    if (sh->ascii.face[cp] < 0)
        return false;
    *face = sh->ascii.face[cp];
    *adv = sh->ascii.adv[cp];
    return true;
}

/* The first character set in a fallback face (an installed font found
 * for characters the configured fonts lack) names the font, once per
 * document, at its line. */
static void note_fallback(gl_shaper *sh, const gl_block *b, size_t at, int face, uint32_t cp)
{
    const char *name = gl_font_fallback_note(sh->fs, face);
    if (name)
        gl_warn(sh->ctx, sh->doc->meta.source, b ? gl_block_line_at(b, at) : 0, 0,
                "U+%04X set in %s (fallback)", cp, name);
}

static int measure(gl_shaper *sh, const gl_block *b, const char *text, size_t len,
                   const gl_text_style *ts)
{
    bool cjk_doc = sh->cjk_text;
    uint32_t span = 0;
    // at most one glyph per byte
    if (GL_GROW(sh->ctx, sh->g, sh->capg, sh->ng + len))
        return -1;
    for (size_t i = 0; i < len;) {
        size_t at = i;
        uint32_t cp = gl_utf8_next(text, len, &i);
        gl_glyph *g = &sh->g[sh->ng++];
        memset(g, 0, sizeof *g);
        g->off = (uint32_t)at;
        g->cp = cp;
        g->nbytes = (uint8_t)(i - at);
        g->brk = sh->brk[at];
        span = span_at(b, at, span);
        g->span = span;
        unsigned sst = span ? b->spans[span - 1].style : 0;
        unsigned stv = ts->style;
        if (sst & GL_S_BOLD)
            stv |= GL_F_BOLD;
        if (sst & GL_S_ITALIC)
            stv |= GL_F_ITALIC;
        if (sst & GL_S_CODE)
            stv |= GL_F_MONO;
        gl_font_style st = (gl_font_style)stv;
        double size = ts->size;
        if (sst & GL_S_NOTEREF) {
            // footnote numbers: a superscript at 62% of the size
            size *= 0.62;
            g->rise = (float)(ts->size * 0.36);
            g->flags |= GL_G_NOTEREF;
        } else if (sst & GL_S_CODE) {
            size *= 0.9;  /* monospace looks large beside a serif */
        }
        g->size = (float)size;
        if (sst & GL_S_LINK)
            g->flags |= GL_G_LINK;
        int af;
        double aadv;
        if (is_word_space(cp)) {
            g->flags |= GL_G_SPACE;
            if (ascii_metric(sh, stv, ts->heading, ' ', &af, &aadv)) {
                g->face = (int16_t)af;
                g->adv = g->nat = (float)(aadv * size);
                continue;
            }
            int f = gl_font_pick(sh->fs, st, ts->heading, ' ');
            g->face = (int16_t)(f < 0 ? GL_FACE_LATIN_REGULAR : f);
            g->adv = g->nat = (float)(gl_face_advance(sh->fs, g->face, ' ') * size);
            continue;
        }
        if (cp < 0x80 && ascii_metric(sh, stv, ts->heading, cp, &af, &aadv)) {
            g->face = (int16_t)af;
            g->adv = g->nat = (float)(aadv * size);
            continue;
        }
        if (cp >= 0x590 && !sh->rtl)
            sh->rtl = gl_is_rtl(cp);
        bool cjk = gl_is_cjk(cp);
        int face;
        if (cjk_ambiguous(cp)) {
            // Decide by the neighbours: next to Han (or in a Chinese text
            // unless between Latin letters) a quote or dash is full-width.
            size_t j = at, k = i;
            uint32_t prev = at > 0 ? gl_utf8_prev(text, &j) : 0;
            uint32_t next = k < len ? gl_utf8_next(text, len, &k) : 0;
            bool latin_both = prev && next && is_western_alnum(prev) && is_western_alnum(next);
            bool ctx_cjk = gl_is_cjk(prev) || gl_is_cjk(next) ||
                           (cjk_doc && !latin_both && !(prev < 0x80 && prev > ' ') &&
                            !(next < 0x80 && next > ' '));
            face = ctx_cjk ? gl_font_pick_cjk_first(sh->fs, st, ts->heading, cp)
                           : gl_font_pick(sh->fs, st, ts->heading, cp);
            cjk = ctx_cjk && face >= GL_FACE_CJK;
        } else {
            face = gl_font_pick(sh->fs, st, ts->heading, cp);
        }
        if (cp > 0xFFFF)
            g->flags |= GL_G_ASTRAL;
        if (face >= GL_FACE_FALLBACK0)
            note_fallback(sh, b, at, face, cp);
        if (face < 0) {
            if (!warned_before(sh, cp)) {
                unsigned line_no = b ? gl_block_line_at(b, at) : 0;
                gl_warn(sh->ctx, sh->doc->meta.source, line_no, 0,
                        "no font has a glyph for U+%04X; drawn as .notdef", cp);
            }
            g->flags |= GL_G_NOTDEF;
            face = cjk || cjk_doc ? GL_FACE_CJK : (int)(st & 3);
        }
        if (cjk)
            g->flags |= GL_G_CJK;
        // CJK faces have no bold: strong Han is stroked (synthetic bold);
        // so are fallback faces (one style each, font.c)
        if ((st & GL_F_BOLD) && face >= GL_FACE_CJK && face <= GL_FACE_CJK_FALLBACK)
            g->flags |= GL_G_FAKE_BOLD;
        if ((st & GL_F_BOLD) && face >= GL_FACE_FALLBACK0)
            g->flags |= GL_G_FAKE_BOLD;
        g->face = (int16_t)face;
        g->adv = (float)(gl_face_advance(sh->fs, face, cp) * size);
        g->nat = g->adv;
    }
    return 0;
}

/* CLREQ on top of UAX #14: no break before a line-start-prohibited mark or
 * after a line-end-prohibited one; ASCII dashes and slashes touching CJK
 * follow the same rules; URLs break only in an emergency. */
static void clreq_breaks(gl_shaper *sh, const char *text)
{
    gl_glyph *g = sh->g;
    size_t n = sh->ng;
    for (size_t i = 1; i < n; i++) {
        // every rule below only takes an opportunity away
        if (g[i].brk != GL_BRK_ALLOW)
            continue;
        uint32_t cp = g[i].cp, prev = g[i - 1].cp;
        bool touches_cjk = (g[i - 1].flags & GL_G_CJK) || (i + 1 < n && (g[i + 1].flags & GL_G_CJK));
        if (gl_clreq_no_line_start(cp) || gl_clreq_no_line_end(prev))
            g[i].brk = GL_BRK_NONE;
        else if ((cp == '-' || cp == 0x2013 || cp == 0x2014) && touches_cjk)
            g[i].brk = GL_BRK_NONE;
        else if (prev == '/' && (g[i].flags & GL_G_CJK || (i >= 2 && (g[i - 2].flags & GL_G_CJK))))
            g[i].brk = GL_BRK_NONE;
    }
    // URLs stay whole unless they cannot fit: their inner opportunities
    // become emergency breaks.
    size_t len = n ? g[n - 1].off + g[n - 1].nbytes : 0;
    if (!memmem(text, len, "http", 4) && !memmem(text, len, "www.", 4))
        return;
    for (size_t i = 0; i < n; i++) {
        const char *s = text + g[i].off;
        if (!(g[i].cp == 'h' && (!strncmp(s, "http://", 7) || !strncmp(s, "https://", 8))) &&
            !(g[i].cp == 'w' && !strncmp(s, "www.", 4)))
            continue;
        if (i > 0 && !(g[i - 1].flags & (GL_G_SPACE | GL_G_CJK)) && g[i - 1].cp < 0x80 &&
            g[i - 1].cp != '(' && g[i - 1].cp != '<' && g[i - 1].cp != '"')
            continue;  /* not at the start of a token */
        size_t j = i + 1;
        while (j < n && !(g[j].flags & (GL_G_SPACE | GL_G_CJK)) && g[j].brk != GL_BRK_MUST &&
               g[j].cp > ' ' && g[j].cp != '>' && g[j].cp != '"')
            j++;
        // trailing sentence punctuation is not part of the URL
        while (j > i + 1 && strchr(".,;:!?)", (int)g[j - 1].cp) && g[j - 1].cp < 0x80)
            j--;
        for (size_t k = i + 1; k < j; k++)
            if (g[k].brk == GL_BRK_ALLOW)
                g[k].brk = GL_BRK_EMERGENCY;
        i = j;
    }
}

/* Punctuation compression (CLREQ §3.1.6): how much blank a mark carries on
 * each side comes from its ink in the font at hand, so the same rules work
 * for GB fonts (marks at the left), centred TW/HK fonts and mixed ones. */
static void compress_punct(gl_shaper *sh, double size)
{
    if (sh->punct == GALLEY_PUNCT_FULL)
        return;
    gl_glyph *g = sh->g;
    size_t n = sh->ng;
    const double keep = 0.04;  /* em of blank kept beside the ink */
    double lblank[2], rblank[2];
    for (size_t i = 0; i < n; i++) {
        if (!(g[i].flags & GL_G_CJK))
            continue;
        punct_kind k = punct_kind_of(g[i].cp);
        double x0, x1;
        if (k == P_NONE || !gl_face_ink(sh->fs, g[i].face, g[i].cp, &x0, &x1))
            continue;
        double em = g[i].adv / size;
        if (em < 0.9)
            continue;  /* already proportional */
        double lb = fmax(0, fmin(0.5, x0 - keep)), rb = fmax(0, fmin(0.5, em - x1 - keep));
        if (sh->punct == GALLEY_PUNCT_CENTERED) {
            lb = fmin(lb, 0.25);
            rb = fmin(rb, 0.25);
        }
        lblank[0] = lb;
        rblank[0] = rb;
        // line end: a closing or pausing mark loses its trailing blank (gb)
        if (k == P_CLOSE && sh->punct == GALLEY_PUNCT_GB)
            g[i].end_trim = (float)(rb * size);
        // adjacency: of two marks in a row, the blank between them is halved
        if (i + 1 < n && punct_kind_of(g[i + 1].cp) != P_NONE && (g[i + 1].flags & GL_G_CJK) &&
            gl_face_ink(sh->fs, g[i + 1].face, g[i + 1].cp, &x0, &x1)) {
            double em2 = g[i + 1].adv / size;
            lblank[1] = fmax(0, fmin(sh->punct == GALLEY_PUNCT_CENTERED ? 0.25 : 0.5, x0 - keep));
            rblank[1] = fmax(0, fmin(0.5, em2 - x1 - keep));
            punct_kind k2 = punct_kind_of(g[i + 1].cp);
            if (sh->punct == GALLEY_PUNCT_CENTERED) {
                // centred marks: a quarter em comes off each side of the join
                g[i].adv -= (float)(rblank[0] * size);
                g[i].end_trim = 0;
                g[i + 1].lcomp += (float)(lblank[1] * size);
                g[i + 1].adv -= (float)(lblank[1] * size);
            } else if (k == P_CLOSE) {
                // 。」 ），  」「 : the first mark gives up its trailing blank
                g[i].adv -= (float)(rblank[0] * size);
                g[i].end_trim = 0;
            } else if (k == P_OPEN && k2 == P_OPEN) {
                // （《 : the second opening mark gives up its leading blank
                g[i + 1].lcomp += (float)(lblank[1] * size);
                g[i + 1].adv -= (float)(lblank[1] * size);
            }
        }
    }
}

/* Han–Latin spacing (CLREQ §3.2.1): a quarter em between Han and Western
 * letters or digits, unless the text already has a space there (then the
 * glyphs are not adjacent) or punctuation stands between them. */
static void autospace(gl_shaper *sh, double size)
{
    gl_glyph *g = sh->g;
    for (size_t i = 1; i < sh->ng; i++) {
        uint32_t a = g[i - 1].cp, b = g[i].cp;
        if (a < 0x3007 && b < 0x3007)
            continue;  /* below every CJK letter */
        if ((is_cjk_letter(a) && is_western_alnum(b)) || (is_western_alnum(a) && is_cjk_letter(b)))
            g[i].space_before = (float)(0.25 * size);
    }
}

static void mark_hyphens(gl_shaper *sh, const char *text);

/* An opening quotation mark that ends a paragraph opens nothing: it is a
 * typing slip for the closing mark (real texts have them), and set as it
 * would force a line to end with an opening mark (CLREQ forbids).  It is
 * drawn as the closing mark, with one warning per document. */
static void fix_final_open_quote(gl_shaper *sh, const gl_block *b)
{
    size_t i = sh->ng;
    while (i > 0 && (sh->g[i - 1].flags & GL_G_SPACE))
        i--;
    if (i < 2 || !(sh->g[i - 1].flags & GL_G_CJK))
        return;
    gl_glyph *g = &sh->g[i - 1];
    uint32_t to = g->cp == 0x201C ? 0x201D : g->cp == 0x2018 ? 0x2019 : 0;
    if (!to || !gl_face_has(sh->fs, g->face, to))
        return;
    if (!warned_before(sh, 0x110000 + g->cp))
        gl_warn(sh->ctx, sh->doc->meta.source, b ? gl_block_line_at(b, g->off) : 0, 0,
                "U+%04X (an opening quotation mark) ends the paragraph; set as the closing "
                "mark U+%04X (warned once)", g->cp, to);
    g->cp = to;
    g->flags |= GL_G_SUBST;
    g->brk = GL_BRK_NONE;  /* it closes what comes before: never alone on a line */
}

/* ================================================================ shaping */

/* Characters shaped as words: everything but spaces, CJK characters,
 * characters no face has, and a substituted closing quote. */
static bool shapeable(const gl_glyph *g)
{
    return !(g->flags & (GL_G_SPACE | GL_G_CJK | GL_G_NOTDEF | GL_G_SUBST)) &&
           (g->cp < 0x80 || !gl_is_cjk(g->cp));
}

/* A CJK character is shaped on its own, and only in a face with localised
 * forms (a pan-CJK face such as Noto Serif CJK, where the document's
 * language picks the region's glyph of 直 or 骨): the bundled CJK faces
 * substitute and position nothing between ideographs by default. */
static bool cjk_localised(gl_shaper *sh, const gl_glyph *g)
{
    return !(g->flags & (GL_G_SPACE | GL_G_NOTDEF | GL_G_SUBST)) &&
           ((g->flags & GL_G_CJK) || (g->cp >= 0x80 && gl_is_cjk(g->cp))) &&
           gl_face_has_locl(sh->fs, g->face);
}

/* Sets characters [a, b) of a word (text[g[a].off, ...)) from its glyphs:
 * each cluster's glyphs go to its first character, its advance is shared
 * among its characters by their nominal advances (so that a line break
 * inside it, which reshapes both sides, moves little), and the others are
 * continuations.  Right-to-left or reordered clusters are left nominal. */
static int apply_glyphs(gl_shaper *sh, size_t a, size_t b, const gl_shaped *sg, size_t n)
{
    gl_glyph *g = sh->g;
    uint32_t base = g[a].off;
    // Right to left, HarfBuzz gives the glyphs in visual order: reversed,
    // they are in logical order (each cluster's glyphs reversed too, and
    // reversed back when a line draws them, see gl_layout_emit_line).
    bool rtl = n > 1 && sg[n - 1].cluster < sg[0].cluster;
    gl_shaped *rev = NULL;
    if (rtl) {
        if (!(rev = gl_malloc(sh->ctx, n * sizeof *rev)))
            return -1;
        for (size_t k = 0; k < n; k++)
            rev[k] = sg[n - 1 - k];
        sg = rev;
    }
    for (size_t k = 1; k < n; k++)
        if (sg[k].cluster < sg[k - 1].cluster) {
            gl_free(rev);
            return 0;  // reordered otherwise: left nominal
        }
    if (GL_GROW(sh->ctx, sh->sgl, sh->capsgl, sh->nsgl + n)) {
        gl_free(rev);
        return -1;
    }
    double size = g[a].size;
    size_t k = 0;
    for (size_t q = a; q < b;) {
        // the cluster starting at character q: glyphs [k, k2), characters [q, q2)
        size_t k2 = k;
        while (k2 < n && sg[k2].cluster == g[q].off - base)
            k2++;
        size_t q2 = q + 1;
        uint32_t next = k2 < n ? sg[k2].cluster : UINT32_MAX;
        while (q2 < b && g[q2].off - base < next)
            q2++;
        double total = 0, nominal = 0;
        for (size_t j = k; j < k2; j++)
            total += sg[j].adv * size;
        for (size_t j = q; j < q2; j++)
            nominal += g[j].nat;
        g[q].sg = (uint32_t)sh->nsgl;
        g[q].nsg = (uint16_t)(k2 - k);
        g[q].flags = (uint16_t)((g[q].flags & ~GL_G_CONT) | GL_G_SHAPED);
        for (size_t j = k; j < k2; j++)
            sh->sgl[sh->nsgl++] = (gl_glyph_pos){.gid = sg[j].gid,
                                                 .adv = (float)(sg[j].adv * size),
                                                 .dx = (float)(sg[j].dx * size),
                                                 .dy = (float)(sg[j].dy * size)};
        for (size_t j = q; j < q2; j++) {
            double share = nominal > 0 ? total * g[j].nat / nominal : j == q ? total : 0;
            g[j].adv = g[j].nat = (float)share;
            if (j > q) {
                g[j].flags = (uint16_t)((g[j].flags & ~GL_G_SHAPED) | GL_G_CONT);
                g[j].nsg = 0;
            }
        }
        k = k2;
        q = q2;
    }
    gl_free(rev);
    return 0;
}

/* A letter kerned with the next by kern (em): it keeps its glyph and own
 * advance (nat), which PDF draws, and its advance in the line (adv) gains
 * the kern, which PDF writes as the TJ adjustment to the next string. */
static void kern_letter(gl_glyph *g, double kern)
{
    g->adv = (float)(g->nat + kern * g->size);
    g->flags |= GL_G_KERNED;
}

/* Shapes characters [a, b) as one word (through the cache).  A word that
 * shaping leaves as it was keeps its nominal glyphs and advances. */
static int shape_word(gl_shaper *sh, const char *text, size_t a, size_t b)
{
    if (!sh->cache && !(sh->cache = gl_shape_cache_new(sh->ctx, sh->fs, sh->doc->meta.lang)))
        return -1;
    gl_glyph *g = sh->g;
    size_t len = g[b - 1].off + g[b - 1].nbytes - g[a].off, n;
    // A word whose pairs are all known kerns (learnt from the words
    // shaped before, gl_face_pairs_learn) is set without a lookup: its
    // letters keep their glyphs and own advances (nat), each advance (adv)
    // gaining the kern with the next letter, which PDF writes as the TJ
    // adjustment between two strings.
    double per_unit;
    const int16_t *ascii = NULL;
    const int16_t *pairs = gl_face_pairs(sh->fs, g[a].face, &per_unit, &ascii);
    int c = pairs ? gl_pair_index(g[a].cp) : -1;
    size_t w = a;
    for (; c >= 0 && w + 1 < b; w++) {
        int d = gl_pair_index(g[w + 1].cp);
        if (d < 0 || (c < 94 && d < 94 ? ascii[c * 94 + d]
                                       : pairs[c * GL_PAIR_CHARS + d]) == GL_PAIR_UNKNOWN)
            break;
        c = d;
    }
    if (c >= 0 && w + 1 >= b) {
        c = gl_pair_index(g[a].cp);
        for (w = a; w + 1 < b; w++) {
            int d = gl_pair_index(g[w + 1].cp);
            int16_t k = c < 94 && d < 94 ? ascii[c * 94 + d] : pairs[c * GL_PAIR_CHARS + d];
            if (k)
                kern_letter(&g[w], k * per_unit);
            c = d;
        }
        return 0;
    }
    bool trivial;
    const gl_shaped *sg = gl_shape_word(sh->cache, g[a].face, text + g[a].off, len, &n, &trivial);
    if (!sg)
        return sh->ctx->oom ? -1 : 0;  // a face HarfBuzz cannot read: set nominally
    if (trivial)
        return 0;
    // Kerning only (each character its own nominal glyph, unmoved): the
    // same form as from the learnt pairs, so that a word is set alike
    // wherever it stands in the book.
    bool kern_only = n == b - a;
    for (size_t q = a; kern_only && q < b; q++) {
        const gl_shaped *x = &sg[q - a];
        kern_only = x->cluster == g[q].off - g[a].off && x->dx == 0 && x->dy == 0 &&
                    x->gid == gl_face_glyph(sh->fs, g[q].face, g[q].cp);
    }
    if (!kern_only)
        return apply_glyphs(sh, a, b, sg, n);
    for (size_t q = a; q < b; q++) {
        float nominal = (float)gl_face_advance(sh->fs, g[q].face, g[q].cp);
        if (fabsf(sg[q - a].adv - nominal) > 1e-6f)
            kern_letter(&g[q], sg[q - a].adv - nominal);
    }
    return 0;
}

/* The bidi levels of a paragraph with right-to-left characters (Arabic,
 * Hebrew) in it; every other paragraph is all level 0. */
static int bidi_levels(gl_shaper *sh, const char *text, size_t len)
{
    if (!sh->rtl)  // measure saw no right-to-left character
        return 0;
    if (GL_GROW(sh->ctx, sh->levels, sh->caplevels, sh->ng) ||
        gl_bidi_levels(sh->ctx, text, len, sh->levels, sh->ng))
        return -1;
    for (size_t i = 0; i < sh->ng; i++)
        sh->g[i].level = sh->levels[i];
    return 0;
}

/* Shapes each word: a run of shapeable characters in one face and size.
 * A lone ASCII character has nothing to kern or join with. */
static int shape_words(gl_shaper *sh, const char *text)
{
    const gl_glyph *g = sh->g;
    size_t n = sh->ng;
    sh->nsgl = 0;
    for (size_t i = 0; i < n;) {
        if (!shapeable(&g[i])) {
            if (cjk_localised(sh, &g[i]) && shape_word(sh, text, i, i + 1))
                return -1;
            i++;
            continue;
        }
        size_t j = i + 1;
        while (j < n && shapeable(&g[j]) && g[j].face == g[i].face && g[j].size == g[i].size &&
               g[j].rise == g[i].rise && g[j].level == g[i].level)
            j++;
        if ((j - i > 1 || g[i].cp >= 0x80) && shape_word(sh, text, i, j))
            return -1;
        i = j;
    }
    return 0;
}

static int reshape(gl_shaper *sh, const char *text, size_t a, size_t b, double *delta)
{
    gl_glyph *g = sh->g;
    double before = 0, after = 0;
    for (size_t q = a; q < b; q++) {
        before += g[q].adv;
        // back to the nominal glyph before shaping the fragment alone
        g[q].flags &= (uint16_t)~(GL_G_SHAPED | GL_G_CONT | GL_G_KERNED);
        g[q].nsg = 0;
        g[q].nat = (float)(gl_face_advance(sh->fs, g[q].face, g[q].cp) * g[q].size);
        g[q].adv = g[q].nat;
    }
    int rc = shape_word(sh, text, a, b);
    for (size_t q = a; q < b; q++)
        after += g[q].adv;
    *delta += after - before;
    return rc;
}

static bool same_word(const gl_glyph *a, const gl_glyph *b)
{
    return shapeable(b) && b->face == a->face && b->size == a->size && b->rise == a->rise &&
           b->level == a->level;
}

int gl_reshape_ends(gl_shaper *sh, const char *text, size_t first, size_t last, double *delta)
{
    const gl_glyph *g = sh->g;
    *delta = 0;
    if (g[first].flags & GL_G_CONT) {
        size_t we = first + 1;
        while (we <= last && same_word(&g[first], &g[we]))
            we++;
        if (reshape(sh, text, first, we, delta))
            return -1;
    }
    // kerned with, or joined to, a character on the next line
    if (last + 1 < sh->ng && ((g[last + 1].flags & GL_G_CONT) ||
                              ((g[last].flags & (GL_G_KERNED | GL_G_SHAPED)) &&
                               same_word(&g[last], &g[last + 1])))) {
        size_t ws = last;
        while (ws > first && same_word(&g[last], &g[ws - 1]))
            ws--;
        if (reshape(sh, text, ws, last + 1, delta))
            return -1;
    }
    return 0;
}

int gl_shape(gl_shaper *sh, const gl_block *b, const char *text, size_t len,
             const gl_text_style *ts)
{
    sh->ng = 0;
    sh->rtl = false;
    if (GL_GROW(sh->ctx, sh->brk, sh->capbrk, len + 1))
        return -1;
    if (gl_linebreak(sh->ctx, text, len, sh->doc->meta.lang, sh->brk))
        return -1;
    if (measure(sh, b, text, len, ts))
        return -1;
    clreq_breaks(sh, text);
    fix_final_open_quote(sh, b);
    if (bidi_levels(sh, text, len))
        return -1;
    if (shape_words(sh, text))
        return -1;
    compress_punct(sh, ts->size);
    autospace(sh, ts->size);
    if (ts->hyphenate && !ts->heading && sh->hyph)
        mark_hyphens(sh, text);
    // A mark's compressible trailing blank leaves its advance and becomes
    // glue after it (gl_build_items), which disappears at a line break.
    for (size_t i = 0; i < sh->ng; i++)
        sh->g[i].adv -= sh->g[i].end_trim;
    return 0;
}

/* ================================================================ hyphenation */

static bool is_letter(uint32_t cp)
{
    return is_western_alnum(cp) && !(cp >= '0' && cp <= '9');
}

/* Marks where a hyphen may go: in words of five or more letters, not the
 * paragraph's last word, not words in capitals (acronyms, names set in
 * capitals), per the dictionary's patterns (libhyphen, hyph.c). */
static void mark_hyphens(gl_shaper *sh, const char *text)
{
    gl_glyph *g = sh->g;
    size_t n = sh->ng;
    size_t last_word = n;
    for (size_t i = n; i-- > 0;)
        if (is_letter(g[i].cp)) {
            last_word = i;
            while (last_word > 0 && is_letter(g[last_word - 1].cp))
                last_word--;
            break;
        }
    for (size_t i = 0; i < n;) {
        if (!is_letter(g[i].cp)) {
            i++;
            continue;
        }
        size_t j = i;
        bool upper_after_first = false;
        while (j < n && is_letter(g[j].cp)) {
            if (j > i && g[j].cp >= 'A' && g[j].cp <= 'Z')
                upper_after_first = true;
            j++;
        }
        // a word glued to digits or other letters-like marks (e.g. "x86",
        // "e-mail" halves) is hyphenated only as a plain word
        bool plain = (i == 0 || !is_western_alnum(g[i - 1].cp)) &&
                     (j == n || !is_western_alnum(g[j].cp));
        if (j - i >= 5 && i != last_word && !upper_after_first && plain) {
            size_t offs[32];
            size_t w0 = g[i].off, w1 = g[j - 1].off + g[j - 1].nbytes;
            int k = gl_hyph_word(sh->hyph, text + w0, w1 - w0, offs, 32);
            for (int h = 0; h < k; h++)
                for (size_t q = i + 1; q < j; q++)
                    if (g[q].off == w0 + offs[h])
                        g[q].flags |= GL_G_HYPHEN_OK;
        }
        i = j;
    }
}

/* ================================================================ items */

static int push(gl_shaper *sh, gl_item it, uint32_t g0, uint32_t g1)
{
    if (GL_GROW(sh->ctx, sh->items, sh->capitems, sh->nitems + 1) ||
        GL_GROW(sh->ctx, sh->spans, sh->capspans, sh->nitems + 1))
        return -1;
    sh->items[sh->nitems] = it;
    sh->spans[sh->nitems] = (gl_item_span){g0, g1};
    sh->nitems++;
    return 0;
}

/* Word space: stretch and shrink a third of the space each way.  TeX's
 * Computer Modern stretches 1/2; with Noto Serif's wider space that let
 * Knuth–Plass prefer loose lines, measured on the Federalist brief
 * (tests/typo/spacing.py): 95th percentile of space/natural 1.40 at 1/2,
 * 1.35 at 1/3 (first fit: 1.46 either way). */
#define SPACE_STRETCH (1.0 / 3)
#define SPACE_SHRINK (1.0 / 3)
/* Cost of a discretionary hyphen.  TeX's 50 hyphenated one line in four on
 * the same brief; 100 (Typst uses 135) gives one in five at a 95th
 * percentile 0.01 looser. */
#define HYPHEN_PENALTY 100

/* Emergency cost of cutting a word or URL that cannot fit: high, so that
 * it happens only when nothing else works, but below "forbidden". */
#define CUT_PENALTY 5000

/* Closes the box that starts at item b: a box wider than the measure is
 * replaced by one box per character with costly breaks between them. */
static int close_box(gl_shaper *sh, size_t b, double measure)
{
    if (b >= sh->nitems || sh->items[b].type != GL_ITEM_BOX || sh->items[b].width <= measure)
        return 0;
    gl_item_span sp = sh->spans[b];
    sh->nitems = b;
    for (uint32_t k = sp.g0; k < sp.g1; k++) {
        if (k > sp.g0 && push(sh, GL_PENALTY(0, CUT_PENALTY, 0), k, k))
            return -1;
        if (push(sh, GL_BOX(sh->g[k].adv), k, k + 1))
            return -1;
    }
    return 0;
}

int gl_build_items(gl_shaper *sh, const gl_text_style *ts, double measure)
{
    sh->nitems = 0;
    gl_glyph *g = sh->g;
    size_t n = sh->ng;
    double em = ts->size;
    // CJK inter-character glue: stretch only (spreading, CLREQ §3.8: lines
    // of Han are justified by even inter-character space), no shrink.
    const double cjk_stretch = 0.15 * em;
    size_t box = (size_t)-1;  /* index of the open box item */
    size_t i = 0;
    while (i < n && (g[i].flags & GL_G_SPACE))
        i++;
    uint32_t prev = (uint32_t)-1;  /* previous non-space glyph */
    for (; i < n; i++) {
        if (g[i].flags & GL_G_SPACE) {
            // a run of spaces is one glue; forbidden when the next glyph
            // may not start a line
            size_t j = i;
            double w = 0;
            while (j < n && (g[j].flags & GL_G_SPACE))
                w += g[j++].adv;
            if (j >= n)
                break;  /* trailing spaces */
            if (box != (size_t)-1 && close_box(sh, box, measure))
                return -1;
            box = (size_t)-1;
            if (g[j].brk == GL_BRK_MUST) {
                if (push(sh, GL_FORCE, (uint32_t)j, (uint32_t)j))
                    return -1;
            } else if (g[j].brk == GL_BRK_NONE &&
                       push(sh, GL_FORBID, (uint32_t)j, (uint32_t)j)) {
                return -1;
            }
            if (push(sh, GL_GLUE(w, w * SPACE_STRETCH, w * SPACE_SHRINK), (uint32_t)j, (uint32_t)j))
                return -1;
            i = j - 1;
            prev = (uint32_t)-1;
            continue;
        }
        if (prev != (uint32_t)-1) {
            const gl_glyph *p = &g[prev], *c = &g[i];
            double gap = p->end_trim + c->space_before;
            double st = ((p->flags | c->flags) & GL_G_CJK) ? cjk_stretch : 0;
            double shr = 0;
            if (c->space_before > 0) {
                st += 0.1 * em;   /* Han–Latin space: may open up a little */
                shr += 0.08 * em; /* or close down to 1/6 em */
            }
            if (p->end_trim > 0)
                shr += p->end_trim * 0.5;  /* a mark's blank may give way to justify */
            bool glue = gap > 0 || st > 0;
            uint8_t b = c->brk;
            gl_item pen;
            bool has_pen = true;
            if (b == GL_BRK_MUST)
                pen = GL_FORCE;
            else if (b == GL_BRK_EMERGENCY)
                pen = GL_PENALTY(0, CUT_PENALTY, 0);
            else if (b == GL_BRK_ALLOW && !glue)
                // after an explicit hyphen or dash: TeX's \exhyphenpenalty
                pen = (p->cp == '-' || p->cp == 0x2010 || p->cp == 0x2013)
                          ? GL_PENALTY(0, GL_BRK_HYPHEN_PENALTY, 1)
                          : GL_PENALTY(0, 0, 0);
            else if (b == GL_BRK_NONE && (c->flags & GL_G_HYPHEN_OK) && !glue)
                pen = GL_PENALTY(gl_face_advance(sh->fs, p->face, '-') * em, HYPHEN_PENALTY, 1);
            else if (b == GL_BRK_NONE && glue)
                pen = GL_FORBID;
            else
                has_pen = false;
            if (has_pen || glue) {
                if (box != (size_t)-1 && close_box(sh, box, measure))
                    return -1;
                box = (size_t)-1;
                if (has_pen && push(sh, pen, (uint32_t)i, (uint32_t)i))
                    return -1;
                if (glue && push(sh, GL_GLUE(gap, st, shr), (uint32_t)i, (uint32_t)i))
                    return -1;
            }
        }
        if (box != (size_t)-1) {
            sh->items[box].width += g[i].adv;
            sh->spans[box].g1 = (uint32_t)i + 1;
        } else {
            if (push(sh, GL_BOX(g[i].adv), (uint32_t)i, (uint32_t)i + 1))
                return -1;
            box = sh->nitems - 1;
        }
        prev = (uint32_t)i;
    }
    if (box != (size_t)-1 && close_box(sh, box, measure))
        return -1;
    return 0;
}
