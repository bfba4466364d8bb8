/*
 * layout.c — the layout engine: document model in, frames out.
 *
 * For each text block it measures every character in the face that draws
 * it (font.c), asks linebreak.c (ICU) where lines may break, fills lines,
 * justifies them (inter-word space for Latin, inter-character space for
 * CJK), then flows the lines into pages with the title block, widow and
 * orphan control and folios.  It emits positioned runs only: no PDF here.
 *
 * The line filler is a first-fit breaker behind fill_lines(); the
 * typography issue replaces it with Knuth–Plass over the same glyph array.
 */
#include "layout.h"
#include "linebreak.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ================================================================ options */

int gl_layout_opts_from(gl_ctx *ctx, gl_layout_opts *lo, const galley_options *opt,
                        const gl_doc *doc)
{
    galley_options def;
    if (!opt) {
        galley_options_init(&def);
        opt = &def;
    }
    lo->page_w = opt->page_width_pt;
    lo->page_h = opt->page_height_pt;
    lo->margin_t = opt->margin_top_pt;
    lo->margin_r = opt->margin_right_pt;
    lo->margin_b = opt->margin_bottom_pt;
    lo->margin_l = opt->margin_left_pt;
    lo->size = opt->font_size_pt > 0 ? opt->font_size_pt : 11;
    // CJK text needs more air between lines than Latin (CLREQ suggests
    // 1.5-2 times the character size); Latin body text reads well at ~1.4.
    lo->leading = opt->leading > 0 ? opt->leading : (doc && doc->meta.lang_is_cjk ? 1.75 : 1.4);
    lo->punct = opt->cjk_punct;
    double w = lo->page_w - lo->margin_l - lo->margin_r;
    double h = lo->page_h - lo->margin_t - lo->margin_b;
    if (!(lo->page_w > 0) || !(lo->page_h > 0) || lo->page_w > 14400 || lo->page_h > 14400)
        return gl_error(ctx, GALLEY_ERR_ARG, "page size %.1fx%.1f pt is out of range",
                        lo->page_w, lo->page_h);
    if (lo->margin_t < 0 || lo->margin_r < 0 || lo->margin_b < 0 || lo->margin_l < 0)
        return gl_error(ctx, GALLEY_ERR_ARG, "margins must not be negative");
    if (lo->size < 2 || lo->size > 200)
        return gl_error(ctx, GALLEY_ERR_ARG, "font size %.1f pt is out of range (2-200)", lo->size);
    if (w < lo->size * 4 || h < lo->size * lo->leading * 6)
        return gl_error(ctx, GALLEY_ERR_ARG,
                        "the text area (%.0fx%.0f pt) is too small for %.1f pt type: "
                        "check --paper and --margins", w, h, lo->size);
    return 0;
}

/* ================================================================ engine state */

enum { G_SPACE = 1, G_CJK = 2, G_NOTDEF = 4 };

typedef struct {
    uint32_t off;     /* byte offset in the block text */
    uint32_t cp;
    float adv;        /* points */
    int16_t face;
    uint8_t nbytes;
    uint8_t flags;
    uint8_t brk;      /* GL_BRK_* before this glyph */
} glyph;

typedef struct {
    size_t start, end;  /* glyph range, trailing spaces excluded */
    size_t next;        /* where the next line starts */
    double width;       /* natural width */
    bool last;          /* last line of the paragraph (not justified) */
} line;

typedef struct {
    gl_ctx *ctx;
    const gl_doc *doc;
    gl_fontset *fs;
    const gl_layout_opts *lo;
    gl_frames *fr;
    gl_page *page;        /* current page */
    double y;             /* last baseline (from the top), points */
    bool page_empty;      /* nothing set on the current page yet */
    double top, bottom;   /* text area in top-down coordinates */
    double left, measure;
    /* scratch, reused across blocks */
    glyph *g;
    size_t ng, capg;
    line *lines;
    size_t nlines, caplines;
    unsigned char *brk;
    size_t capbrk;
    /* code points already reported as missing */
    uint32_t *warned;
    size_t nwarned, capwarned;
} engine;

/* The style of a block's text: what the text is, and how to set it. */
typedef struct {
    double size;          /* points */
    double leading;       /* baseline distance, points */
    gl_font_style style;  /* base style (spans add bold/italic) */
    bool heading;         /* CJK heading face */
    double indent;        /* first-line indent, points */
    enum { AL_JUSTIFY, AL_LEFT, AL_CENTER } align;
} pstyle;

/* ================================================================ pages */

static int new_page(engine *e)
{
    gl_frames *fr = e->fr;
    if (GL_GROW(e->ctx, fr->pages, fr->cappages, fr->npages + 1))
        return -1;
    e->page = &fr->pages[fr->npages];
    memset(e->page, 0, sizeof *e->page);
    e->page->number = (int)++fr->npages;
    e->y = e->top;
    e->page_empty = true;
    return 0;
}

static int add_run(engine *e, int face, double size, double x, double y_top, double cs,
                   const char *text, size_t len)
{
    gl_page *p = e->page;
    if (GL_GROW(e->ctx, p->runs, p->capruns, p->nruns + 1))
        return -1;
    gl_run *r = &p->runs[p->nruns++];
    r->face = face;
    r->size = (float)size;
    r->x = (float)x;
    r->y = (float)(e->lo->page_h - y_top);  /* PDF space: origin bottom left */
    r->char_space = (float)cs;
    r->text = text;
    r->len = (uint32_t)len;
    return 0;
}

static int add_rule(engine *e, double x0, double x1, double y_top, double width)
{
    gl_page *p = e->page;
    if (GL_GROW(e->ctx, p->rules, p->caprules, p->nrules + 1))
        return -1;
    gl_rule *r = &p->rules[p->nrules++];
    r->x0 = (float)x0;
    r->x1 = (float)x1;
    r->y0 = r->y1 = (float)(e->lo->page_h - y_top);
    r->width = (float)width;
    return 0;
}

/* ================================================================ measuring */

static bool warned_before(engine *e, uint32_t cp)
{
    for (size_t i = 0; i < e->nwarned; i++)
        if (e->warned[i] == cp)
            return true;
    if (GL_GROW(e->ctx, e->warned, e->capwarned, e->nwarned + 1) == 0)
        e->warned[e->nwarned++] = cp;
    return false;
}

/* Punctuation that both Latin and CJK fonts have but that must take the
 * CJK font's full-width form next to CJK text (curly quotes, dashes,
 * ellipsis, middle dot). */
static bool cjk_ambiguous(uint32_t cp)
{
    return cp == 0x2018 || cp == 0x2019 || cp == 0x201C || cp == 0x201D || cp == 0x2014 ||
           cp == 0x2026 || cp == 0x00B7 || cp == 0x2015;
}

static gl_font_style span_style(const gl_block *b, size_t off, gl_font_style base)
{
    unsigned st = base;
    for (size_t i = 0; i < b->nspans; i++) {
        const gl_span *s = &b->spans[i];
        if (off >= s->off && off < (size_t)s->off + s->len) {
            if (s->style & GL_S_BOLD)
                st |= GL_F_BOLD;
            if (s->style & GL_S_ITALIC)
                st |= GL_F_ITALIC;
            break;
        }
    }
    return (gl_font_style)st;
}

/* Fills e->g with the measured glyphs of text and their break classes. */
static int measure(engine *e, const gl_block *b, const char *text, size_t len, const pstyle *ps)
{
    e->ng = 0;
    if (GL_GROW(e->ctx, e->brk, e->capbrk, len + 1))
        return -1;
    if (gl_linebreak(e->ctx, text, len, e->doc->meta.lang, e->brk))
        return -1;
    bool cjk_doc = e->doc->meta.lang_is_cjk;
    for (size_t i = 0; i < len;) {
        size_t at = i;
        uint32_t cp = gl_utf8_next(text, len, &i);
        if (GL_GROW(e->ctx, e->g, e->capg, e->ng + 1))
            return -1;
        glyph *g = &e->g[e->ng++];
        g->off = (uint32_t)at;
        g->cp = cp;
        g->nbytes = (uint8_t)(i - at);
        g->brk = e->brk[at];
        g->flags = 0;
        gl_font_style st = b->spans ? span_style(b, at, ps->style) : ps->style;
        if (gl_is_space(cp) && cp != 0xA0 && cp != 0x202F && cp != 0x3000) {
            g->flags = G_SPACE;
            g->face = (int16_t)gl_font_pick(e->fs, st, ps->heading, ' ');
            g->adv = (float)(gl_face_advance(e->fs, g->face < 0 ? 0 : g->face, ' ') * ps->size);
            continue;
        }
        bool cjk = gl_is_cjk(cp);
        int face;
        if (cjk_ambiguous(cp)) {
            // Decide by the neighbours: next to Han (or in a Chinese text) a
            // quote or dash is full-width and comes from the CJK font.
            size_t j = at, k = i;
            uint32_t prev = at > 0 ? gl_utf8_prev(text, &j) : 0;
            uint32_t next = k < len ? gl_utf8_next(text, len, &k) : 0;
            bool ctx_cjk = gl_is_cjk(prev) || gl_is_cjk(next) || (cjk_doc && !(prev < 0x80 && next < 0x80 && prev && next));
            face = ctx_cjk ? gl_font_pick_cjk_first(e->fs, st, ps->heading, cp)
                           : gl_font_pick(e->fs, st, ps->heading, cp);
            cjk = ctx_cjk && face >= GL_FACE_CJK;
        } else {
            face = gl_font_pick(e->fs, st, ps->heading, cp);
        }
        if (face < 0 || cp > 0xFFFF) {
            unsigned line_no = gl_block_line_at(b, at);
            if (!warned_before(e, cp)) {
                if (cp > 0xFFFF)
                    gl_warn(e->ctx, e->doc->meta.source, line_no, 0,
                            "U+%04X is outside the Basic Multilingual Plane, which the PDF "
                            "back end (libharu) cannot draw; shown as U+FFFD", cp);
                else
                    gl_warn(e->ctx, e->doc->meta.source, line_no, 0,
                            "no font has a glyph for U+%04X; drawn as .notdef", cp);
            }
            g->flags |= G_NOTDEF;
            face = cjk || cjk_doc ? GL_FACE_CJK : (int)(st & 3);
        }
        if (cjk)
            g->flags |= G_CJK;
        g->face = (int16_t)face;
        g->adv = (float)(gl_face_advance(e->fs, face, (g->flags & G_NOTDEF) && cp > 0xFFFF ? 0xFFFD : cp) *
                         ps->size);
    }
    return 0;
}

/* ================================================================ line filling */

static double space_width(const engine *e, size_t i) { return e->g[i].adv; }

/* First-fit: take as much as fits, break at the last opportunity; a piece
 * with no opportunity that is wider than the measure is cut between
 * characters, so no line overflows. */
static int fill_lines(engine *e, double first_width, double width)
{
    e->nlines = 0;
    size_t n = e->ng, s = 0;
    while (s < n && (e->g[s].flags & G_SPACE))
        s++;
    while (s < n) {
        double avail = e->nlines == 0 ? first_width : width;
        double w = 0;           /* width from s through i, trailing spaces included */
        double w_nosp = 0;      /* the same without trailing spaces */
        size_t cand = 0;        /* a break before glyph cand (0 = none yet) */
        double cand_w = 0;
        size_t i = s;
        bool forced = false;
        for (; i < n; i++) {
            const glyph *g = &e->g[i];
            if (i > s && g->brk == GL_BRK_MUST) {
                forced = true;
                break;
            }
            if (i > s && g->brk == GL_BRK_ALLOW && !(g->flags & G_SPACE)) {
                cand = i;
                cand_w = w_nosp;
            }
            w += g->adv;
            if (!(g->flags & G_SPACE))
                w_nosp = w;
            if (w_nosp > avail + 1e-6)
                break;
        }
        size_t end;
        double lw;
        bool last = false;
        if (i >= n || forced) {
            end = i;
            lw = w_nosp;
            last = true;
        } else if (cand > s) {
            end = cand;
            lw = cand_w;
        } else {
            // emergency: no break opportunity fits; cut before the glyph
            // that overflowed (at least one glyph per line)
            end = i > s ? i : s + 1;
            lw = 0;
            for (size_t k = s; k < end; k++)
                lw += e->g[k].adv;
        }
        size_t next = end;
        size_t tail = end;
        while (tail > s && (e->g[tail - 1].flags & G_SPACE))
            tail--;
        if (!last || forced) {
            while (next < n && (e->g[next].flags & G_SPACE))
                next++;
        }
        if (next >= n)
            last = true;
        if (GL_GROW(e->ctx, e->lines, e->caplines, e->nlines + 1))
            return -1;
        line *l = &e->lines[e->nlines++];
        l->start = s;
        l->end = tail;
        l->next = next;
        l->width = lw;
        l->last = last || forced;
        s = next;
    }
    (void)space_width;
    return 0;
}

/* ================================================================ emitting */

/* Emits one line at baseline y (top-down) starting at x, justified to
 * width when justify is set. */
static int emit_line(engine *e, const char *text, const line *l, double x, double width,
                     double y, double size, bool justify)
{
    size_t s = l->start, t = l->end;
    if (s >= t)
        return 0;
    int nspace = 0, ncjk = 0;
    for (size_t i = s; i < t; i++) {
        if (e->g[i].flags & G_SPACE)
            nspace++;
        else if (i > s && !(e->g[i - 1].flags & G_SPACE) &&
                 ((e->g[i].flags | e->g[i - 1].flags) & G_CJK))
            ncjk++;
    }
    double extra = width - l->width;
    double add_space = 0, add_cjk = 0;
    if (justify && extra > 0 && nspace + ncjk > 0) {
        double per = extra / (nspace + ncjk);
        // Latin word spaces may stretch a lot less than it takes to fill a
        // short line; cap the stretch so a line with two words does not
        // fly apart (it is left ragged instead, as TeX would underfull it).
        if (ncjk == 0 && per > size * 1.5)
            per = 0;
        add_space = add_cjk = per;
    }
    size_t i = s;
    while (i < t) {
        const glyph *g = &e->g[i];
        if (g->flags & G_SPACE) {
            x += g->adv + add_space;
            i++;
            continue;
        }
        // a run: same face, same CJK-ness, no spaces, no notdef above the BMP
        size_t j = i + 1;
        double w = g->adv;
        bool cjk = g->flags & G_CJK;
        bool astral = (g->flags & G_NOTDEF) && g->cp > 0xFFFF;
        while (j < t && !astral && !(e->g[j].flags & G_SPACE) && e->g[j].face == g->face &&
               (bool)(e->g[j].flags & G_CJK) == cjk &&
               !((e->g[j].flags & G_NOTDEF) && e->g[j].cp > 0xFFFF)) {
            w += e->g[j].adv;
            j++;
        }
        // Inter-character space inside a CJK run goes in as PDF Tc; gaps at
        // the run's edges are added to the position of the next run.
        double cs = cjk ? add_cjk : 0;
        size_t nin = j - i;
        const char *rt = astral ? "\xEF\xBF\xBD" : text + g->off;
        size_t rl = astral ? 3 : (size_t)(e->g[j - 1].off + e->g[j - 1].nbytes - g->off);
        if (add_run(e, g->face, size, x, y, cs, rt, rl))
            return -1;
        x += w + cs * (double)(nin - 1);
        if (j < t && !(e->g[j].flags & G_SPACE) && ((e->g[j].flags | e->g[j - 1].flags) & G_CJK))
            x += add_cjk;
        i = j;
    }
    return 0;
}

/* ================================================================ blocks */

static int set_block(engine *e, const gl_block *b, const char *text, size_t len,
                     const pstyle *ps, bool keep_with_next)
{
    if (measure(e, b, text, len, ps))
        return -1;
    double width = e->measure;
    if (fill_lines(e, width - ps->indent, width))
        return -1;
    size_t n = e->nlines;
    if (n == 0)
        return 0;
    double lead = ps->leading;
    double body_lead = e->lo->size * e->lo->leading;
    size_t done = 0;
    while (done < n) {
        // baseline of the next line: the first line of a page hangs from the
        // top of the text area; later lines are one leading apart
        double y0 = e->page_empty ? e->top + ps->size * 0.9 : e->y + lead;
        size_t fit = y0 > e->bottom + 1e-6 ? 0 : (size_t)floor((e->bottom - y0) / lead + 1e-6) + 1;
        size_t left = n - done;
        size_t take = left <= fit ? left : fit;
        if (!e->page_empty) {
            // a heading needs two lines of what follows under it
            if (keep_with_next && take == left &&
                y0 + (double)(left - 1) * lead + 2 * body_lead > e->bottom + 1e-6)
                take = 0;
            // orphan: never leave a paragraph's first line alone at a page foot
            if (take < left && done == 0 && take < 2)
                take = 0;
            // widow: never carry a paragraph's last line alone to the next page
            if (take < left && take > 0 && left - take == 1 && take >= 2 + (done == 0))
                take--;
        }
        if (take == 0) {
            if (new_page(e))
                return -1;
            continue;
        }
        for (size_t k = 0; k < take; k++) {
            const line *l = &e->lines[done + k];
            double y = k == 0 ? y0 : e->y + lead;
            double x = e->left, w = width;
            if (done + k == 0) {
                x += ps->indent;
                w -= ps->indent;
            }
            if (ps->align == AL_CENTER)
                x += (w - l->width) / 2;
            bool justify = ps->align == AL_JUSTIFY && !l->last;
            if (emit_line(e, text, l, x, w, y, ps->size, justify))
                return -1;
            e->y = y;
            e->page_empty = false;
        }
        done += take;
        if (done < n && new_page(e))
            return -1;
    }
    return 0;
}

static void space_before(engine *e, double pts)
{
    if (!e->page_empty)
        e->y += pts;
}

static pstyle body_style(const engine *e)
{
    pstyle ps = {.size = e->lo->size,
                 .leading = e->lo->size * e->lo->leading,
                 .style = GL_F_REGULAR,
                 .heading = false,
                 .indent = 0,
                 .align = AL_JUSTIFY};
    return ps;
}

static int title_block(engine *e)
{
    const gl_meta *m = &e->doc->meta;
    bool cjk = m->lang_is_cjk;
    pstyle ps = body_style(e);
    ps.size = e->lo->size * 1.9;
    ps.leading = ps.size * 1.3;
    ps.style = GL_F_BOLD;
    ps.heading = true;
    ps.align = cjk ? AL_CENTER : AL_LEFT;
    gl_block tb = {.type = GL_B_HEADING, .level = 0, .line = 1};
    if (m->title && *m->title) {
        if (set_block(e, &tb, m->title, strlen(m->title), &ps, true))
            return -1;
    }
    pstyle sub = body_style(e);
    sub.size = e->lo->size * 1.0;
    sub.leading = sub.size * 1.5;
    sub.style = cjk ? GL_F_REGULAR : GL_F_ITALIC;
    sub.align = ps.align;
    const char *lines[2] = {m->display_date ? m->display_date : m->date, m->byline};
    bool first = true;
    for (int i = 0; i < 2; i++) {
        if (!lines[i] || !*lines[i])
            continue;
        if (first)
            e->y += sub.size * 0.6;
        first = false;
        gl_block lb = {.type = GL_B_PARA, .line = 1};
        if (set_block(e, &lb, lines[i], strlen(lines[i]), &sub, true))
            return -1;
    }
    // a hairline under the title block sets it apart from the body
    e->y += e->lo->size * 0.9;
    if (add_rule(e, e->left, e->left + e->measure, e->y, 0.5))
        return -1;
    e->y += e->lo->size * 1.2;
    return 0;
}

static int blocks(engine *e, const gl_block *b, double indent_extra);

static int one_block(engine *e, const gl_block *b, bool *after_heading, double inset)
{
    bool cjk = e->doc->meta.lang_is_cjk;
    pstyle ps = body_style(e);
    double save_left = e->left, save_measure = e->measure;
    e->left += inset;
    e->measure -= inset;
    int rc = 0;
    switch (b->type) {
    case GL_B_PARA:
        // Chinese paragraphs always indent 2 em; Latin ones indent 1.5 em
        // except right after a heading or the title (book convention).
        ps.indent = cjk ? 2 * ps.size : (*after_heading ? 0 : 1.5 * ps.size);
        if (!cjk && *after_heading)
            space_before(e, 0);
        rc = set_block(e, b, b->text, b->len, &ps, false);
        *after_heading = false;
        break;
    case GL_B_HEADING: {
        int lvl = b->level < 1 ? 1 : b->level > 6 ? 6 : b->level;
        static const double scale[] = {1.5, 1.3, 1.15, 1.05, 1.0, 1.0};
        ps.size = e->lo->size * scale[lvl - 1];
        ps.leading = ps.size * 1.3;
        ps.style = GL_F_BOLD;
        ps.heading = true;
        ps.align = AL_LEFT;
        space_before(e, e->lo->size * 1.2);
        rc = set_block(e, b, b->text, b->len, &ps, true);
        e->y += e->lo->size * 0.4;
        *after_heading = true;
        break;
    }
    case GL_B_CODE:
        ps.align = AL_LEFT;
        rc = set_block(e, b, b->text, b->len, &ps, false);
        *after_heading = false;
        break;
    case GL_B_QUOTE:
        space_before(e, e->lo->size * 0.5);
        rc = blocks(e, b->children, 2 * ps.size);
        space_before(e, e->lo->size * 0.5);
        break;
    case GL_B_HR:
        space_before(e, e->lo->size);
        if (e->y + e->lo->size > e->bottom)
            rc = new_page(e);
        if (!rc)
            rc = add_rule(e, e->left + e->measure * 0.35, e->left + e->measure * 0.65, e->y, 0.5);
        e->y += e->lo->size * 0.5;
        *after_heading = true;
        break;
    }
    e->left = save_left;
    e->measure = save_measure;
    return rc;
}

static int blocks(engine *e, const gl_block *b, double inset)
{
    bool after_heading = true;
    for (; b; b = b->next)
        if (one_block(e, b, &after_heading, inset))
            return -1;
    return 0;
}

/* Folios: the page number centred in the bottom margin. */
static int folios(engine *e)
{
    for (size_t i = 0; i < e->fr->npages; i++) {
        e->page = &e->fr->pages[i];
        char num[24];
        int n = snprintf(num, sizeof num, "%d", e->page->number);
        char *s = gl_arena_strndup(&e->fr->arena, num, (size_t)n);
        if (!s)
            return -1;
        double size = e->lo->size * 0.85;
        double w = 0;
        for (int k = 0; k < n; k++)
            w += gl_face_advance(e->fs, GL_FACE_LATIN_REGULAR, (uint32_t)num[k]) * size;
        double y = e->lo->page_h - e->lo->margin_b / 2;
        if (y < e->bottom + size * 1.5)
            y = e->bottom + size * 1.5;
        if (y > e->lo->page_h - size * 0.5)
            y = e->lo->page_h - size * 0.5;
        double x = e->lo->margin_l + (e->lo->page_w - e->lo->margin_l - e->lo->margin_r - w) / 2;
        if (add_run(e, GL_FACE_LATIN_REGULAR, size, x, y, 0, s, (size_t)n))
            return -1;
    }
    return 0;
}

gl_frames *gl_layout(gl_ctx *ctx, const gl_doc *doc, gl_fontset *fs, const gl_layout_opts *lo)
{
    gl_frames *fr = gl_calloc(ctx, 1, sizeof *fr);
    if (!fr)
        return NULL;
    gl_arena_init(&fr->arena, ctx);
    fr->width = lo->page_w;
    fr->height = lo->page_h;
    engine e = {.ctx = ctx, .doc = doc, .fs = fs, .lo = lo, .fr = fr};
    e.top = lo->margin_t;
    e.bottom = lo->page_h - lo->margin_b;
    e.left = lo->margin_l;
    e.measure = lo->page_w - lo->margin_l - lo->margin_r;
    if (doc->meta.lang_is_cjk) {
        // CLREQ: a measure of a whole number of characters lets lines of
        // Han set solid, with no inter-character justification at all.
        double chars = floor(e.measure / lo->size + 1e-9);
        double trim = e.measure - chars * lo->size;
        e.left += trim / 2;
        e.measure -= trim;
    }
    int rc = new_page(&e);
    if (!rc)
        rc = title_block(&e);
    if (!rc)
        rc = blocks(&e, doc->first, 0);
    if (!rc)
        rc = folios(&e);
    gl_free(e.g);
    gl_free(e.lines);
    gl_free(e.brk);
    gl_free(e.warned);
    if (rc) {
        gl_frames_free(fr);
        return NULL;
    }
    return fr;
}

void gl_frames_free(gl_frames *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->npages; i++) {
        gl_free(f->pages[i].runs);
        gl_free(f->pages[i].rules);
    }
    gl_free(f->pages);
    gl_arena_free(&f->arena);
    gl_free(f);
}
