/*
 * layout.c — the layout engine: document model in, frames out.
 *
 * Each text block is shaped (items.c: faces, ICU + CLREQ breaks,
 * punctuation compression, Han–Latin spacing, hyphenation), broken into
 * lines (break.c: Knuth–Plass), justified, and flowed into pages with
 * widow and orphan control: articles each on a new page with a title
 * block, footnotes at the page foot, lists, code, quotations, images and
 * tables, outlines and links.  front.c adds the furniture around the body
 * (labels, folios, running heads, a brief's cover and contents).  It
 * emits positioned runs, rules, images and links only: no PDF here, and
 * nothing above it in the pipeline (galley.c fills its options).
 */
#include "layout_int.h"
#include "linebreak.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ================================================================ options */

int gl_layout_opts_check(gl_ctx *ctx, const gl_layout_opts *lo)
{
    double w = lo->page_w - lo->margin_l - lo->margin_r;
    double h = lo->page_h - lo->margin_t - lo->margin_b;
    if (!(lo->page_w > 0) || !(lo->page_h > 0) || lo->page_w > 14400 || lo->page_h > 14400)
        return gl_error(ctx, GALLEY_ERR_ARG, "page size %.1fx%.1f pt is out of range",
                        lo->page_w, lo->page_h);
    if (lo->margin_t < 0 || lo->margin_r < 0 || lo->margin_b < 0 || lo->margin_l < 0)
        return gl_error(ctx, GALLEY_ERR_ARG, "margins must not be negative");
    if (lo->size < 2 || lo->size > 200)
        return gl_error(ctx, GALLEY_ERR_ARG, "font size %.1f pt is out of range (2-200)", lo->size);
    if (w < lo->size * 4 || h < lo->size * fmax(lo->leading, lo->leading_cjk) * 6)
        return gl_error(ctx, GALLEY_ERR_ARG,
                        "the text area (%.0fx%.0f pt) is too small for %.1f pt type: "
                        "check --paper and --margins", w, h, lo->size);
    return 0;
}

/* ================================================================ engine state */

/* ================================================================ pages */

static int flush_notes(engine *e);

int gl_layout_new_page(engine *e)
{
    if (e->fr->npages && flush_notes(e))
        return -1;
    gl_frames *fr = e->fr;
    if (GL_GROW(e->ctx, fr->pages, fr->cappages, fr->npages + 1) ||
        GL_GROW(e->ctx, e->page_article, e->cappa, fr->npages + 1) ||
        GL_GROW(e->ctx, e->page_opens, e->cappo, fr->npages + 1))
        return -1;
    e->page = &fr->pages[fr->npages];
    memset(e->page, 0, sizeof *e->page);
    // room for as many runs as the page before had: growing from nothing
    // on every page took 2% of a book's time in realloc
    size_t hint = fr->npages ? fr->pages[fr->npages - 1].nruns : 0;
    if (hint && GL_GROW(e->ctx, e->page->runs, e->page->capruns, hint))
        return -1;
    e->page_article[fr->npages] = e->article;
    e->page_opens[fr->npages] = false;
    e->page->number = (int)++fr->npages;
    if (e->lo->progress)
        e->lo->progress(e->lo->progress_user, "layout", fr->npages, 0);
    e->y = e->top;
    e->page_empty = true;
    e->bottom = e->bottom0;
    e->fn_height = 0;
    return 0;
}

int gl_layout_add_run(engine *e, int face, double size, double x, double y_top, double cs,
                      const char *text, size_t len, uint32_t flags)
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
    r->flags = flags;
    r->glyphs = NULL;  // not shaped (frame.h); GL_GROW leaves the slot uninitialised
    r->nglyphs = 0;
    return 0;
}

/* A stroked line from (x0, y0_top) to (x1, y1_top), top-down coordinates. */
static int add_line(engine *e, double x0, double y0_top, double x1, double y1_top, double width)
{
    gl_page *p = e->page;
    if (GL_GROW(e->ctx, p->rules, p->caprules, p->nrules + 1))
        return -1;
    gl_rule *r = &p->rules[p->nrules++];
    r->x0 = (float)x0;
    r->x1 = (float)x1;
    r->y0 = (float)(e->lo->page_h - y0_top);
    r->y1 = (float)(e->lo->page_h - y1_top);
    r->width = (float)width;
    return 0;
}

int gl_layout_add_rule(engine *e, double x0, double x1, double y_top, double width)
{
    return add_line(e, x0, y_top, x1, y_top, width);
}

static int add_vrule(engine *e, double x, double y0_top, double y1_top, double width)
{
    return add_line(e, x, y0_top, x, y1_top, width);
}

gl_link *gl_layout_add_link(engine *e, double x0, double y0_top, double x1, double y1_top)
{
    gl_page *p = e->page;
    if (GL_GROW(e->ctx, p->links, p->caplinks, p->nlinks + 1))
        return NULL;
    gl_link *l = &p->links[p->nlinks++];
    memset(l, 0, sizeof *l);
    l->x0 = (float)x0;
    l->x1 = (float)x1;
    l->y0 = (float)(e->lo->page_h - y1_top);
    l->y1 = (float)(e->lo->page_h - y0_top);
    l->page = -1;
    return l;
}

static int add_outline(engine *e, const char *title, int level, int page, double y_top)
{
    gl_frames *fr = e->fr;
    if (GL_GROW(e->ctx, fr->outlines, fr->capoutlines, fr->noutlines + 1))
        return -1;
    gl_outline *o = &fr->outlines[fr->noutlines++];
    o->title = title;
    o->level = level;
    o->page = page;
    o->y = (float)(e->lo->page_h - y_top);
    return 0;
}

/* Width of UTF-8 text in one face (folios, labels, leaders). */
double gl_layout_text_width(const engine *e, int face, double size, const char *s, size_t n)
{
    double w = 0;
    for (size_t i = 0; i < n;)
        w += gl_face_advance(e->fs, face, gl_utf8_next(s, n, &i)) * size;
    return w;
}

/* ================================================================ lines */

static bool safe_href(const char *h)
{
    return h && (!strncasecmp(h, "http://", 7) || !strncasecmp(h, "https://", 8) ||
                 !strncasecmp(h, "mailto:", 7) || h[0] == '#');
}

static int add_text_link(engine *e, const gl_span *sp, double x0, double x1, double y,
                         double size)
{
    if (!safe_href(sp->href))
        return 0;
    gl_link *l = gl_layout_add_link(e, x0, y - size * 0.85, x1, y + size * 0.25);
    if (!l)
        return -1;
    if (sp->href[0] != '#') {
        l->uri = sp->href;
        return 0;
    }
    if (e->page == &e->fnotes) {
        // an internal link in a footnote: its page is not known yet; the
        // text stays, the link goes
        e->page->nlinks--;
        return 0;
    }
    if (GL_GROW(e->ctx, e->plinks, e->capplinks, e->nplinks + 1))
        return -1;
    e->plinks[e->nplinks++] = (pending_link){(int)(e->page - e->fr->pages),
                                             e->page->nlinks - 1, sp->href + 1};
    return 0;
}

/* The glyphs of the run just added for characters [a, z] of sh: shaped
 * ones as shaped, the others nominal; right to left (rtl: a cluster), in
 * visual order (shaping stored them reversed). */
static int run_glyphs(engine *e, const gl_shaper *sh, size_t a, size_t z, bool rtl)
{
    const gl_glyph *g = sh->g;
    size_t n = 0;
    for (size_t q = a; q <= z; q++)
        n += (g[q].flags & GL_G_SHAPED) ? g[q].nsg : (g[q].flags & GL_G_CONT) ? 0 : 1;
    gl_glyph_pos *gp = gl_arena_alloc(&e->fr->arena, (n ? n : 1) * sizeof *gp);
    if (!gp)
        return -1;
    size_t k = rtl ? n : 0;
    for (size_t q = a; q <= z; q++) {
        uint32_t cl = g[q].off - g[a].off;
        size_t m = (g[q].flags & GL_G_SHAPED) ? g[q].nsg : (g[q].flags & GL_G_CONT) ? 0 : 1;
        for (size_t j = 0; j < m; j++) {
            gl_glyph_pos x = (g[q].flags & GL_G_SHAPED)
                                 ? sh->sgl[g[q].sg + j]
                                 : (gl_glyph_pos){.gid = gl_face_glyph(sh->fs, g[q].face, g[q].cp),
                                                  .adv = g[q].nat};
            x.cluster = rtl ? 0 : cl;
            gp[rtl ? --k : k++] = x;
        }
    }
    gl_run *r = &e->page->runs[e->page->nruns - 1];
    r->glyphs = gp;
    r->nglyphs = (uint32_t)n;
    return 0;
}


/* Puts the characters [first, last] of a line with right-to-left text in
 * visual order (UAX #9 L2): each keeps its width, the glue after it going
 * with the spaces it stands for, and e->pos becomes where it is drawn
 * from the left.  A line that is all left to right is left as it is.
 * end: where the line's last character ends. */
static int reorder_line(engine *e, gl_shaper *sh, size_t first, size_t last, double end)
{
    const gl_glyph *g = sh->g;
    bool any = false;
    for (size_t q = first; q <= last && !any; q++)
        any = g[q].level & 1;
    if (!any)
        return 0;
    size_t n = last - first + 1;
    double *w = gl_malloc(e->ctx, n * sizeof *w);
    int32_t *map = gl_malloc(e->ctx, n * sizeof *map);
    if (!w || !map) {
        gl_free(w);
        gl_free(map);
        return -1;
    }
    // widths: a character to the next one set (or the line's end); the
    // spaces between two of them share the gap
    double x0 = e->pos[first];
    for (size_t q = first; q <= last;) {
        size_t nx = q + 1, spaces = 0;
        while (nx <= last && (g[nx].flags & GL_G_SPACE))
            nx++, spaces++;
        double next = nx <= last ? e->pos[nx] : end;
        double own = spaces ? g[q].adv : next - e->pos[q];
        w[q - first] = own;
        for (size_t k = q + 1; k < nx; k++)
            w[k - first] = (next - e->pos[q] - own) / (double)spaces;
        q = nx;
    }
    gl_bidi_visual(sh->levels + first, n, map);
    double x = x0;
    for (size_t v = 0; v < n; v++) {
        size_t q = first + (size_t)map[v];
        e->pos[q] = x;
        x += w[q - first];
    }
    gl_free(w);
    gl_free(map);
    return 0;
}

/* Records a set line on the page (gl_layout_opts.trace only): where and
 * why it ends, its ratios, and its runs, those from run0 on. */
static int trace_line(engine *e, const gl_shaper *sh, const gl_line *ln, size_t run0, double x0,
                      double x1, double y, double width, double r, int align)
{
    gl_page *p = e->page;
    if (GL_GROW(e->ctx, p->lines, p->caplines, p->nlines + 1))
        return -1;
    const gl_item *at = ln->end < sh->nitems ? &sh->items[ln->end] : NULL;
    uint8_t ends = GL_ENDS_PARA;
    if (at && at->type == GL_ITEM_GLUE)
        ends = GL_ENDS_GLUE;
    else if (at && at->penalty <= -GL_BRK_INF)
        ends = ln->end + 1 < sh->nitems ? GL_ENDS_FORCED : GL_ENDS_PARA;
    else if (at)
        ends = !at->flagged ? GL_ENDS_PENALTY : at->width > 0 ? GL_ENDS_HYPHEN : GL_ENDS_DASH;
    static const uint8_t set[] = {[AL_JUSTIFY] = GL_SET_JUSTIFY, [AL_LEFT] = GL_SET_LEFT,
                                  [AL_CENTER] = GL_SET_CENTER, [AL_RIGHT] = GL_SET_RIGHT};
    p->lines[p->nlines++] = (gl_frame_line){
        .x0 = (float)x0,
        .x1 = (float)x1,
        .y = (float)(e->lo->page_h - y),
        .measure = (float)width,
        .ratio = (float)ln->ratio,
        .set_ratio = (float)r,
        .badness = (float)ln->badness,
        .run0 = (uint32_t)run0,
        .nruns = (uint32_t)(p->nruns - run0),
        .ends = ends,
        .align = set[align],
        .flags = (ln->emergency ? GL_LINE_EMERGENCY : 0) | (ln->overfull ? GL_LINE_OVERFULL : 0),
        // footnotes are broken into fbr, everything else into br
        .pass = (int8_t)(sh == &e->fsh ? e->fbr.pass : e->br.pass),
    };
    return 0;
}

/* Sets one broken line: places every glyph of its boxes, stretching or
 * shrinking glue by the line's ratio when justified, then emits runs of
 * glyphs that share a face, size and style and an even spacing (PDF Tc
 * carries the inter-character space of justified CJK text). */
int gl_layout_emit_line(engine *e, gl_shaper *sh, const char *text, const gl_line *ln, double x,
                        double width, double y, int align)
{
    const gl_glyph *g = sh->g;
    // Justified lines take the breaker's ratio; ragged and last lines are
    // set at natural width, but still shrink if the breaker counted on it.
    double r = align == AL_JUSTIFY && !ln->forced ? ln->ratio : fmin(ln->ratio, 0);
    size_t first_g = (size_t)-1, last_g = 0;
    size_t end = ln->end < sh->nitems ? ln->end : sh->nitems;
    for (size_t k = ln->start; k < end && first_g == (size_t)-1; k++)
        if (sh->items[k].type == GL_ITEM_BOX)
            first_g = sh->spans[k].g0;
    if (first_g == (size_t)-1)
        return 0;
    for (size_t k = end; k-- > ln->start;)
        if (sh->items[k].type == GL_ITEM_BOX) {
            last_g = sh->spans[k].g1 - 1;
            break;
        }
    // A line that starts or ends inside a ligature or a kerned pair (a
    // hyphen in "af-fluent") has that part of the word shaped again; a
    // justified line's glue takes up the difference.
    double delta = 0;
    if (gl_reshape_ends(sh, text, first_g, last_g, &delta))
        return -1;
    if (delta != 0 && align == AL_JUSTIFY && !ln->forced) {
        double stretch = 0, shrink = 0;
        for (size_t k = ln->start; k < end; k++)
            if (sh->items[k].type == GL_ITEM_GLUE) {
                stretch += sh->items[k].stretch;
                shrink += sh->items[k].shrink;
            }
        double used = (r >= 0 ? r * stretch : r * shrink) - delta;
        r = used >= 0 ? (stretch > 0 ? used / stretch : 0) : (shrink > 0 ? used / shrink : 0);
    }
    first_g = (size_t)-1;
    double cx = x;
    for (size_t k = ln->start; k < ln->end && k < sh->nitems; k++) {
        const gl_item *it = &sh->items[k];
        const gl_item_span *sp = &sh->spans[k];
        if (it->type == GL_ITEM_BOX) {
            for (uint32_t q = sp->g0; q < sp->g1; q++) {
                e->pos[q] = cx;
                cx += g[q].adv;
            }
            if (first_g == (size_t)-1)
                first_g = sp->g0;
            last_g = sp->g1 - 1;
        } else if (it->type == GL_ITEM_GLUE) {
            cx += it->width + (r >= 0 ? r * it->stretch : r * it->shrink);
        }
    }
    if (first_g == (size_t)-1)
        return 0;
    if (sh->rtl && reorder_line(e, sh, first_g, last_g, cx))
        return -1;
    // where the page begins in the document (the EPUB page-list)
    if (!e->page->start_block && e->block && sh == &e->sh && e->page >= e->fr->pages &&
        e->page < e->fr->pages + e->fr->npages) {
        e->page->start_block = e->block;
        e->page->start_off = g[first_g].off;
    }
    bool hyphen = ln->end < sh->nitems && sh->items[ln->end].type == GL_ITEM_PENALTY &&
                  sh->items[ln->end].width > 0;
    double shift = 0;
    if (align == AL_CENTER || align == AL_RIGHT) {
        double natural = cx - x + (hyphen ? sh->items[ln->end].width : 0);
        natural -= g[last_g].end_trim;  /* a closing mark's blank does not count */
        shift = align == AL_CENTER ? (width - natural) / 2 : width - natural;
    }
    const uint16_t style_flags = GL_G_LINK | GL_G_FAKE_BOLD | GL_G_NOTEREF;
    size_t run0 = e->page->nruns;
    for (size_t a = first_g; a <= last_g;) {
        if (g[a].flags & GL_G_SPACE) {
            a++;
            continue;
        }
        if (g[a].level & 1) {
            // Right to left: each cluster a run of its own, the runs in
            // logical order from right to left, so that readers (Poppler,
            // MuPDF) extract the text in its logical order; the glyphs are
            // HarfBuzz's joined forms, which meet exactly.
            size_t z = a;
            while (z + 1 <= last_g && (g[z + 1].flags & GL_G_CONT))
                z++;
            uint32_t rf = ((g[a].flags & GL_G_FAKE_BOLD) ? GL_RUN_FAKE_BOLD : 0) |
                          ((g[a].flags & GL_G_LINK) ? GL_RUN_LINK : 0);
            if (gl_layout_add_run(e, g[a].face, g[a].size, e->pos[z] - g[a].lcomp + shift,
                                  y - g[a].rise, 0, text + g[a].off,
                                  g[z].off + g[z].nbytes - g[a].off, rf) ||
                run_glyphs(e, sh, a, z, true))
                return -1;
            a = z + 1;
            continue;
        }
        size_t z = a;
        double cs = 0;
        const uint16_t own_glyphs = GL_G_SHAPED;
        bool shaped = g[a].flags & own_glyphs;
        // extend while the next glyph is adjacent in the text, in the same
        // face, size and style, and the gap after the drawn advance is the
        // same; the rest of a cluster always (PDF spaces glyphs, not
        // characters: a cluster starts a run of letter-spaced text)
        bool alone = g[a].flags & GL_G_SUBST;
        while (!alone && z + 1 <= last_g) {
            const gl_glyph *n = &g[z + 1];
            if (n->flags & GL_G_CONT) {
                z++;
                continue;
            }
            if (g[z].flags & GL_G_KERNED)
                break;  // the kern is the gap before the next run
            if ((n->flags & (GL_G_SPACE | GL_G_SUBST)) || (n->level & 1) || n->face != g[a].face ||
                n->size != g[a].size || n->rise != g[a].rise ||
                (n->flags & style_flags) != (g[a].flags & style_flags))
                break;
            double gap = (e->pos[z + 1] - n->lcomp) - (e->pos[z] - g[z].lcomp + g[z].nat);
            if (z == a)
                cs = gap;
            else if (fabs(gap - cs) > 0.005)
                break;
            if ((n->flags & GL_G_SHAPED) && fabs(cs) > 0.005)
                break;
            shaped |= (n->flags & own_glyphs) != 0;
            z++;
        }
        if (z == a || shaped)
            cs = 0;
        const char *rt = text + g[a].off;
        size_t rl = (size_t)(g[z].off + g[z].nbytes - g[a].off);
        if (g[a].flags & GL_G_SUBST) {
            rt = g[a].cp == 0x201D ? "\xE2\x80\x9D" : "\xE2\x80\x99";
            rl = 3;
        }
        uint32_t rf = ((g[a].flags & GL_G_FAKE_BOLD) ? GL_RUN_FAKE_BOLD : 0) |
                      ((g[a].flags & GL_G_LINK) ? GL_RUN_LINK : 0);
        if (gl_layout_add_run(e, g[a].face, g[a].size, e->pos[a] - g[a].lcomp + shift,
                              y - g[a].rise, cs,
                              rt, rl, rf))
            return -1;
        if (shaped && run_glyphs(e, sh, a, z, false))
            return -1;
        a = z + 1;
    }
    if (hyphen && gl_layout_add_run(e, g[last_g].face, g[last_g].size, cx + shift, y, 0, "-", 1, 0))
        return -1;
    if (e->lo->trace &&
        trace_line(e, sh, ln, run0, e->pos[first_g] + shift,
                   cx + shift + (hyphen ? sh->items[ln->end].width : 0), y, width, r, align))
        return -1;
    // strikethrough: a rule through each struck span on this line
    if (e->block && e->block->spans) {
        for (size_t a = first_g; a <= last_g;) {
            const gl_span *sp = g[a].span ? &e->block->spans[g[a].span - 1] : NULL;
            if (!sp || !(sp->style & GL_S_STRIKE)) {
                a++;
                continue;
            }
            size_t z = a;
            while (z + 1 <= last_g && g[z + 1].span == g[a].span)
                z++;
            if (gl_layout_add_rule(e, e->pos[a] + shift, e->pos[z] + g[z].adv + shift,
                                   y - g[a].size * 0.28, g[a].size * 0.05))
                return -1;
            a = z + 1;
        }
    }
    // link areas: one rectangle per link span on this line
    if (e->block && e->block->spans) {
        for (size_t a = first_g; a <= last_g;) {
            if (!(g[a].flags & GL_G_LINK) || !g[a].span) {
                a++;
                continue;
            }
            size_t z = a;
            while (z + 1 <= last_g && g[z + 1].span == g[a].span)
                z++;
            double x1 = e->pos[z] + g[z].adv + shift;
            if (add_text_link(e, &e->block->spans[g[a].span - 1], e->pos[a] + shift, x1, y,
                              g[a].size))
                return -1;
            a = z + 1;
        }
    }
    return 0;
}

/* Shapes and breaks text with sh into br at the given widths. */
int gl_layout_break_text(engine *e, gl_shaper *sh, gl_break_result *br, const gl_block *b,
                         const char *text, size_t len, const pstyle *ps, double width)
{
    gl_text_style ts = {.size = ps->size, .style = ps->style, .heading = ps->heading,
                        .hyphenate = ps->hyphenate && e->hyph && e->english};
    sh->cjk_text = e->cjk;
    if (gl_shape(sh, b, text, len, &ts))
        return -1;
    if (gl_build_items(sh, &ts, width - ps->indent))
        return -1;
    if (GL_GROW(e->ctx, e->pos, e->cappos, sh->ng + 1))
        return -1;
    double widths[2] = {width - ps->indent, width};
    if (e->lo->first_fit)
        return gl_break_first_fit(e->ctx, sh->items, sh->nitems, widths, 2, &e->bp, br);
    gl_break_params first = e->bp;
    if (e->cjk && !ts.hyphenate) {
        // Chinese text: TeX's pretolerance pass first.  Every character is
        // a breakpoint and the inter-character glue stretches 0.15 em, so
        // at tolerance 1000 a line may end any of ~11 characters short and
        // the breaker weighs all of them; at 100, 5 (badness 79), which
        // still covers every line CLREQ shortens.  A paragraph that cannot
        // be set so goes on to the tolerance pass as before.
        first.pretolerance = 100;
    }
    if (gl_break_total_fit(e->ctx, sh->items, sh->nitems, widths, 2, &first, br))
        return -1;
    // Nothing within tolerance (pass 4 takes any line, and at capped badness
    // it cannot tell a loose line from a hopeless one): then TeX's emergency
    // stretch spreads the unavoidable looseness over the paragraph instead.
    bool hopeless = false;
    for (size_t k = 0; k < br->nlines && br->pass == 4; k++)
        hopeless |= !br->lines[k].forced && br->lines[k].ratio > 3;
    if (!hopeless)
        return 0;
    gl_break_params bp = e->bp;
    bp.emergency_stretch = 0.25;
    return gl_break_total_fit(e->ctx, sh->items, sh->nitems, widths, 2, &bp, br);
}

/* ================================================================ footnotes */

static bool note_placed(const engine *e, const gl_block *note)
{
    for (size_t i = 0; i < e->nplaced; i++)
        if (e->placed[i] == note)
            return true;
    return false;
}

/* Lays a footnote out into e->fnotes below what is there; returns its
 * height through *h.  Runs are positioned with y from the top of the
 * footnote area (fixed when the page is finished). */
static int layout_note(engine *e, const gl_block *note, double *h)
{
    pstyle ps = body_style(e);
    ps.size = e->lo->size * 0.8;
    ps.leading = ps.size * 1.35;
    ps.align = AL_JUSTIFY;
    double label_w = ps.size * 1.6;
    gl_page *save_page = e->page;
    const gl_block *save_block = e->block;
    e->page = &e->fnotes;
    double y = e->fn_height + (e->fn_height == 0 ? ps.size * 0.8 : ps.size * 0.3);
    double y_first = y + ps.size * 0.9;
    int rc = 0;
    char num[16];
    int n = snprintf(num, sizeof num, "%u", note->note_num);
    char *lab = gl_arena_strndup(&e->fr->arena, num, (size_t)n);
    if (!lab)
        rc = -1;
    else
        rc = gl_layout_add_run(e, GL_FACE_LATIN_REGULAR, ps.size, e->left, y_first, 0, lab,
                               (size_t)n, 0);
    double yy = y_first - ps.leading;
    for (const gl_block *b = note->children; b && !rc; b = b->next) {
        if (!b->text || !b->len)
            continue;
        e->block = b;
        rc = gl_layout_break_text(e, &e->fsh, &e->fbr, b, b->text, b->len, &ps,
                                  e->measure - label_w);
        for (size_t k = 0; k < e->fbr.nlines && !rc; k++) {
            yy += ps.leading;
            rc = gl_layout_emit_line(e, &e->fsh, b->text, &e->fbr.lines[k], e->left + label_w,
                                     e->measure - label_w, yy, ps.align);
        }
    }
    e->page = save_page;
    e->block = save_block;
    *h = yy + ps.size * 0.35 - e->fn_height;
    return rc;
}

/* Puts the current page's footnotes at its foot, under a short rule. */
static int flush_notes(engine *e)
{
    if (e->fnotes.nruns == 0)
        return 0;
    double area_top = e->bottom0 - e->fn_height;
    if (gl_layout_add_rule(e, e->left, e->left + e->measure * 0.3,
                           area_top + e->lo->size * 0.3, 0.4))
        return -1;
    gl_page *p = e->page;
    size_t run_base = p->nruns;
    for (size_t i = 0; i < e->fnotes.nruns; i++) {
        gl_run r = e->fnotes.runs[i];
        r.y -= (float)area_top;
        if (GL_GROW(e->ctx, p->runs, p->capruns, p->nruns + 1))
            return -1;
        p->runs[p->nruns++] = r;
    }
    for (size_t i = 0; i < e->fnotes.nrules; i++) {
        gl_rule r = e->fnotes.rules[i];
        r.y0 -= (float)area_top;
        r.y1 -= (float)area_top;
        if (GL_GROW(e->ctx, p->rules, p->caprules, p->nrules + 1))
            return -1;
        p->rules[p->nrules++] = r;
    }
    for (size_t i = 0; i < e->fnotes.nlinks; i++) {  /* URLs in footnotes */
        gl_link l = e->fnotes.links[i];
        l.y0 -= (float)area_top;
        l.y1 -= (float)area_top;
        if (GL_GROW(e->ctx, p->links, p->caplinks, p->nlinks + 1))
            return -1;
        p->links[p->nlinks++] = l;
    }
    for (size_t i = 0; i < e->fnotes.nlines; i++) {  /* gl_layout_opts.trace */
        gl_frame_line l = e->fnotes.lines[i];
        l.y -= (float)area_top;
        l.run0 += (uint32_t)run_base;
        if (GL_GROW(e->ctx, p->lines, p->caplines, p->nlines + 1))
            return -1;
        p->lines[p->nlines++] = l;
    }
    e->fnotes.nruns = e->fnotes.nrules = e->fnotes.nlinks = e->fnotes.nlines = 0;
    e->fn_height = 0;
    return 0;
}

/* Footnotes referenced on glyphs [g0, g1] of the current shaper that are
 * not placed yet: lays them out and returns their total height. */
static int notes_of_line(engine *e, size_t g0, size_t g1, double *h)
{
    *h = 0;
    const gl_block *b = e->block;
    if (!b || !b->spans)
        return 0;
    for (size_t q = g0; q <= g1 && q < e->sh.ng; q++) {
        const gl_glyph *g = &e->sh.g[q];
        if (!(g->flags & GL_G_NOTEREF) || !g->span)
            continue;
        const gl_block *note = b->spans[g->span - 1].note;
        if (!note || note_placed(e, note))
            continue;
        if (GL_GROW(e->ctx, e->placed, e->capplaced, e->nplaced + 1))
            return -1;
        e->placed[e->nplaced++] = note;
        double nh;
        if (layout_note(e, note, &nh))
            return -1;
        e->fn_height += nh;
        *h += nh;
        while (q <= g1 && e->sh.g[q].span == g->span)
            q++;
    }
    return 0;
}

/* ================================================================ blocks */

static size_t line_first_glyph(const gl_shaper *sh, const gl_line *l)
{
    for (size_t k = l->start; k < l->end && k < sh->nitems; k++)
        if (sh->items[k].type == GL_ITEM_BOX)
            return sh->spans[k].g0;
    return 0;
}

static size_t line_last_glyph(const gl_shaper *sh, const gl_line *l)
{
    for (size_t k = l->end; k-- > l->start;)
        if (k < sh->nitems && sh->items[k].type == GL_ITEM_BOX)
            return sh->spans[k].g1 - 1;
    return 0;
}

/* Sets a text block: shape, break, then flow the lines onto pages with
 * widow/orphan control (keep_with_next: headings and title lines, which
 * also never split).  *first_y gets the top of the first line. */
int gl_layout_set_block(engine *e, const gl_block *b, const char *text, size_t len,
                        const pstyle *ps, bool keep_with_next, double *first_y)
{
    double width = e->measure;
    e->block = b;
    if (gl_layout_break_text(e, &e->sh, &e->br, b, text, len, ps, width))
        return -1;
    size_t n = e->br.nlines;
    if (first_y)
        *first_y = -1;
    if (n == 0)
        return 0;
    double lead = ps->leading;
    double body_lead = e->lo->size * (e->cjk ? e->lo->leading_cjk : e->lo->leading);
    size_t done = 0;
    uint8_t carry = GL_CARRY_NONE;  // why the page turned before line `done` (trace)
    while (done < n) {
        // baseline of the next line: the first line of a page hangs from the
        // top of the text area; later lines are one leading apart
        double y0 = e->page_empty ? e->top + ps->size * 0.9 : e->y + lead;
        size_t fit = y0 > e->bottom + 1e-6 ? 0 : (size_t)floor((e->bottom - y0) / lead + 1e-6) + 1;
        size_t left = n - done;
        size_t take = left <= fit ? left : fit;
        uint8_t why = GL_CARRY_FULL;
        if (!e->page_empty) {
            // a heading needs two lines of what follows under it
            if (keep_with_next && take == left &&
                y0 + (double)(left - 1) * lead + 2 * body_lead > e->bottom + 1e-6) {
                take = 0;
                why = GL_CARRY_KEEP;
            }
            // orphan: never leave a paragraph's first line alone at a page foot
            if (take < left && done == 0 && take < 2) {
                why = take ? GL_CARRY_ORPHAN : why;
                take = 0;
            }
            // a heading or title block is never split
            if (keep_with_next && take < left) {
                why = take ? GL_CARRY_KEEP : why;
                take = 0;
            }
        }
        // widow: never carry a paragraph's last line alone to the next page
        if (take < left && take > 0 && left - take == 1 && n >= 3 && take >= 2 + (done == 0)) {
            take--;
            why = GL_CARRY_WIDOW;
        }
        // no word broken across a page turn (TeX's \brokenpenalty): carry
        // the hyphenated line over, if that leaves no orphan behind
        if (take < left && take > 0 && e->br.lines[done + take - 1].hyphenated &&
            take >= 2 + (done == 0)) {
            take--;
            why = GL_CARRY_WORD;
        }
        if (take == 0) {
            carry = why;
            if (gl_layout_new_page(e))
                return -1;
            continue;
        }
        size_t k = 0;
        for (; k < take; k++) {
            const gl_line *l = &e->br.lines[done + k];
            double y = k == 0 ? y0 : e->y + lead;
            // a footnote referenced here must fit at this page's foot
            double nh = 0;
            double save_fn = e->fn_height;
            size_t save_runs = e->fnotes.nruns, save_placed = e->nplaced;
            size_t save_rules = e->fnotes.nrules, save_links = e->fnotes.nlinks;
            size_t save_lines = e->fnotes.nlines;
            if (notes_of_line(e, line_first_glyph(&e->sh, l), line_last_glyph(&e->sh, l), &nh))
                return -1;
            if (nh > 0 && y > e->bottom0 - e->fn_height + 1e-6 && !e->page_empty) {
                // does not fit with its note: undo, and go on on the next page
                e->fn_height = save_fn;
                e->fnotes.nruns = save_runs;
                e->fnotes.nrules = save_rules;
                e->fnotes.nlinks = save_links;
                e->fnotes.nlines = save_lines;
                e->nplaced = save_placed;
                break;
            }
            e->bottom = e->bottom0 - e->fn_height;
            double x = e->left, w = width;
            if (done + k == 0) {
                x += ps->indent;
                w -= ps->indent;
            }
            size_t nl0 = e->page->nlines;
            if (gl_layout_emit_line(e, &e->sh, text, l, x, w, y, ps->align))
                return -1;
            if (k == 0 && e->page->nlines > nl0)  // a line was recorded (trace)
                e->page->lines[nl0].carry = carry;
            if (first_y && *first_y < 0)
                *first_y = y - ps->size;
            e->y = y;
            e->page_empty = false;
        }
        done += k;
        carry = k < take ? GL_CARRY_NOTE : why;
        if (done < n && gl_layout_new_page(e))
            return -1;
    }
    return 0;
}

void gl_layout_space_before(engine *e, double pts)
{
    if (!e->page_empty)
        e->y += pts;
}

/* Title block of an article: title, display date, byline, a hairline. */
static int title_block(engine *e, const gl_meta *m, int article)
{
    bool cjk = e->cjk;
    pstyle ps = heading_style(e, 1.9, cjk ? AL_CENTER : AL_LEFT);
    const char *title = m->title && *m->title ? m->title : NULL;
    if (title) {
        double top;
        if (gl_layout_set_block(e, NULL, title, strlen(title), &ps, true, &top))
            return -1;
        int page = (int)(e->page - e->fr->pages);
        if (add_outline(e, title, 1, page, top))
            return -1;
        if (GL_GROW(e->ctx, e->toc, e->captoc, e->ntoc + 1))
            return -1;
        e->toc[e->ntoc++] = (toc_entry){title, strlen(title), 0, page, (float)top};
    }
    (void)article;
    pstyle sub = body_style(e);
    sub.size = e->lo->size;
    sub.leading = sub.size * 1.5;
    sub.style = cjk ? GL_F_REGULAR : GL_F_ITALIC;
    sub.hyphenate = false;
    sub.align = ps.align;
    const char *lines[3] = {m->subtitle, m->display_date ? m->display_date : m->date, m->byline};
    bool first = true;
    for (int i = 0; i < 3; i++) {
        if (!lines[i] || !*lines[i])
            continue;
        if (first)
            e->y += sub.size * 0.6;
        first = false;
        if (gl_layout_set_block(e, NULL, lines[i], strlen(lines[i]), &sub, true, NULL))
            return -1;
    }
    if (!title && first)
        return 0;
    // a hairline under the title block sets it apart from the body
    e->y += e->lo->size * 0.9;
    if (gl_layout_add_rule(e, e->left, e->left + e->measure, e->y, 0.5))
        return -1;
    e->y += e->lo->size * 1.2;
    return 0;
}

static int blocks(engine *e, const gl_block *b, const gl_block *end, double inset);

/* Code: monospace, spaces kept, no justification; a line too long for the
 * measure wraps at any character, the continuation marked with "↪". */
static int code_block(engine *e, const gl_block *b)
{
    double size = e->lo->size * 0.85;
    double lead = size * 1.35;
    double cw = gl_face_advance(e->fs, GL_FACE_MONO, 'M') * size;
    const char *mark = gl_face_has(e->fs, GL_FACE_MONO, 0x21AA) ? "\xE2\x86\xAA" : ">";
    int mark_face = GL_FACE_MONO;
    double inset = size;
    gl_layout_space_before(e, e->lo->size * 0.4);
    const char *t = b->text;
    size_t n = b->len, i = 0;
    while (i <= n) {
        size_t j = i;
        while (j < n && t[j] != '\n')
            j++;
        // one source line, wrapped into screen lines
        size_t k = i;
        bool cont = false;
        do {
            double avail = e->measure - inset - (cont ? 2 * cw : 0);
            size_t m = k, chars = 0;
            while (m < j && (double)(chars + 1) * cw <= avail + 1e-6) {
                gl_utf8_next(t, j, &m);
                chars++;
            }
            if (m == k && k < j)
                gl_utf8_next(t, j, &m);  /* at least one character */
            double y0 = e->page_empty ? e->top + size * 0.9 : e->y + lead;
            if (y0 > e->bottom) {
                if (gl_layout_new_page(e))
                    return -1;
                y0 = e->top + size * 0.9;
            }
            double x = e->left + inset;
            if (cont) {
                if (gl_layout_add_run(e, mark_face, size, x, y0, 0, mark, strlen(mark), 0))
                    return -1;
                x += 2 * cw;
            }
            // runs split where the face changes (CJK inside code)
            size_t a = k;
            while (a < m) {
                size_t z = a;
                uint32_t cp0 = gl_utf8_next(t, m, &z);
                int face = gl_font_pick(e->fs, GL_F_MONO, false, cp0);
                if (face < 0)
                    face = GL_FACE_MONO;
                const char *fallback = gl_font_fallback_note(e->fs, face);
                if (fallback)  // once per font, as items.c does for text
                    gl_warn(e->ctx, e->doc->meta.source, gl_block_line_at(b, a), 0,
                            "U+%04X set in %s (fallback)", cp0, fallback);
                double w = gl_face_advance(e->fs, face, cp0) * size;
                size_t zz = z;
                while (zz < m) {
                    size_t q = zz;
                    uint32_t cp = gl_utf8_next(t, m, &q);
                    int f2 = gl_font_pick(e->fs, GL_F_MONO, false, cp);
                    if ((f2 < 0 ? GL_FACE_MONO : f2) != face)
                        break;
                    w += gl_face_advance(e->fs, face, cp) * size;
                    zz = q;
                }
                if (gl_layout_add_run(e, face, size, x, y0, 0, t + a, zz - a, 0))
                    return -1;
                x += w;
                a = zz;
            }
            e->y = y0;
            e->page_empty = false;
            k = m;
            cont = true;
        } while (k < j);
        i = j + 1;
    }
    e->y += e->lo->size * 0.4;
    return 0;
}

/* An image scaled to the measure (and to the page height), kept whole on
 * one page, with its alt text as a caption. */
static int image_block(engine *e, const gl_block *b)
{
    gl_image_info info;
    if (gl_image_probe(e->ctx, e->doc->meta.source, b, &info))
        return -1;
    double dpi = 150;  /* pixels per inch when the image is small */
    double w = info.width * 72.0 / dpi, h = info.height * 72.0 / dpi;
    double maxh = (e->bottom0 - e->top) * 0.8;
    if (w > e->measure) {
        h *= e->measure / w;
        w = e->measure;
    }
    if (h > maxh) {
        w *= maxh / h;
        h = maxh;
    }
    bool caption = b->text && b->len;
    double cap_h = caption ? e->lo->size * 2.2 : 0;
    gl_layout_space_before(e, e->lo->size * 0.6);
    double top = e->page_empty ? e->top : e->y + e->lo->size * 0.3;
    if (top + h + cap_h > e->bottom && !e->page_empty) {
        if (gl_layout_new_page(e))
            return -1;
        top = e->top;
    }
    gl_page *p = e->page;
    if (GL_GROW(e->ctx, p->images, p->capimages, p->nimages + 1))
        return -1;
    gl_image *im = &p->images[p->nimages++];
    if (!p->start_block) {
        p->start_block = b;
        p->start_off = 0;
    }
    im->path = b->path;
    im->x = (float)(e->left + (e->measure - w) / 2);
    im->y = (float)(e->lo->page_h - top - h);
    im->w = (float)w;
    im->h = (float)h;
    e->y = top + h;
    e->page_empty = false;
    if (caption) {
        pstyle ps = body_style(e);
        ps.size = e->lo->size * 0.85;
        ps.leading = ps.size * 1.4;
        ps.style = e->cjk ? GL_F_REGULAR : GL_F_ITALIC;
        ps.align = AL_CENTER;
        ps.hyphenate = false;
        e->y += ps.size * 0.4;
        if (gl_layout_set_block(e, b, b->text, b->len, &ps, false, NULL))
            return -1;
    }
    e->y += e->lo->size * 0.6;
    return 0;
}

/* ---------------------------------------------------------------- tables */

typedef struct {
    double natural, minimum;  /* widest cell on one line; widest word */
} col_width;

/* Natural width of a cell's text on one line, and of its widest word. */
static int cell_widths(engine *e, const gl_block *c, const pstyle *ps, double *nat, double *min)
{
    *nat = *min = 0;
    if (!c->text || !c->len)
        return 0;
    gl_text_style ts = {.size = ps->size, .style = ps->style, .heading = ps->heading};
    if (gl_shape(&e->sh, c, c->text, c->len, &ts))
        return -1;
    double word = 0;
    for (size_t i = 0; i < e->sh.ng; i++) {
        const gl_glyph *g = &e->sh.g[i];
        *nat += g->adv + g->end_trim + g->space_before;
        if ((g->flags & GL_G_SPACE) || g->brk == GL_BRK_ALLOW)
            word = 0;
        if (!(g->flags & GL_G_SPACE))
            word += g->adv;
        if (word > *min)
            *min = word;
    }
    return 0;
}

/* Sets one table row at the current position; returns its height. */
static int table_row(engine *e, const gl_block *row, const double *cw, const gl_align *align,
                     unsigned ncols, double pad, bool draw, double *height)
{
    pstyle ps = body_style(e);
    ps.size = e->lo->size * 0.9;
    ps.leading = ps.size * 1.35;
    ps.hyphenate = false;
    if (row->header)
        ps.style = GL_F_BOLD;
    double top = e->y, h = 0;
    double x = e->left;
    unsigned c = 0;
    for (const gl_block *cell = row->children; cell && c < ncols; cell = cell->next, c++) {
        gl_align al = align ? align[c] : GL_ALIGN_NONE;
        ps.align = al == GL_ALIGN_CENTER ? AL_CENTER : al == GL_ALIGN_RIGHT ? AL_RIGHT : AL_LEFT;
        double w = cw[c] - 2 * pad;
        if (cell->text && cell->len) {
            e->block = cell;
            if (gl_layout_break_text(e, &e->sh, &e->br, cell, cell->text, cell->len, &ps, w))
                return -1;
            double ch = (double)e->br.nlines * ps.leading;
            if (ch > h)
                h = ch;
            for (size_t k = 0; draw && k < e->br.nlines; k++)
                if (gl_layout_emit_line(e, &e->sh, cell->text, &e->br.lines[k], x + pad, w,
                                        top + pad + ps.size * 0.9 + (double)k * ps.leading, ps.align))
                    return -1;
        }
        x += cw[c];
    }
    *height = h + 2 * pad - (ps.leading - ps.size);
    if (*height < ps.size + 2 * pad)
        *height = ps.size + 2 * pad;
    return 0;
}

/* A table: column widths from content, rows never split, the header row
 * repeated at the top of each page, rules in the booktabs manner. */
static int table_block(engine *e, const gl_block *t)
{
    unsigned ncols = t->ncols;
    if (ncols == 0)
        return 0;
    col_width *cols = gl_calloc(e->ctx, ncols, sizeof *cols);
    double *cw = gl_calloc(e->ctx, ncols, sizeof *cw);
    int rc = -1;
    if (!cols || !cw)
        goto cleanup;
    pstyle ps = body_style(e);
    ps.size = e->lo->size * 0.9;
    double pad = e->lo->size * 0.3;
    const gl_block *header = NULL;
    for (const gl_block *row = t->children; row; row = row->next) {
        if (row->header && !header)
            header = row;
        unsigned c = 0;
        for (const gl_block *cell = row->children; cell && c < ncols; cell = cell->next, c++) {
            pstyle cs = ps;
            if (row->header)
                cs.style = GL_F_BOLD;
            double nat, min;
            GL_CHECK(cell_widths(e, cell, &cs, &nat, &min));
            nat += 2 * pad + 0.5;
            min += 2 * pad + 0.5;
            if (nat > cols[c].natural)
                cols[c].natural = nat;
            if (min > cols[c].minimum)
                cols[c].minimum = min;
        }
    }
    // natural widths if they fit; else every column gets its minimum and the
    // rest of the measure is shared in proportion to what each still wants
    double total = 0, tmin = 0;
    for (unsigned c = 0; c < ncols; c++) {
        total += cols[c].natural;
        tmin += cols[c].minimum;
    }
    if (total <= e->measure) {
        for (unsigned c = 0; c < ncols; c++)
            cw[c] = cols[c].natural;
    } else if (tmin >= e->measure) {
        for (unsigned c = 0; c < ncols; c++)
            cw[c] = e->measure * cols[c].minimum / tmin;
    } else {
        double extra = e->measure - tmin, want = total - tmin;
        for (unsigned c = 0; c < ncols; c++)
            cw[c] = cols[c].minimum + extra * (cols[c].natural - cols[c].minimum) / want;
    }
    double width = 0;
    for (unsigned c = 0; c < ncols; c++)
        width += cw[c];
    gl_layout_space_before(e, e->lo->size * 0.6);
    if (e->page_empty)
        e->y = e->top;
    GL_CHECK(gl_layout_add_rule(e, e->left, e->left + width, e->y, 0.8));
    for (const gl_block *row = t->children; row; row = row->next) {
        double h;
        GL_CHECK(table_row(e, row, cw, t->align, ncols, pad, false, &h));
        if (e->y + h > e->bottom && !(e->page_empty)) {
            // the row goes whole to the next page, under a repeated header
            GL_CHECK(gl_layout_add_rule(e, e->left, e->left + width, e->y, 0.5));
            GL_CHECK(gl_layout_new_page(e));
            e->y = e->top;
            e->page_empty = false;
            GL_CHECK(gl_layout_add_rule(e, e->left, e->left + width, e->y, 0.8));
            if (header && header != row) {
                double hh;
                GL_CHECK(table_row(e, header, cw, t->align, ncols, pad, true, &hh));
                e->y += hh;
                GL_CHECK(gl_layout_add_rule(e, e->left, e->left + width, e->y, 0.5));
            }
        }
        GL_CHECK(table_row(e, row, cw, t->align, ncols, pad, true, &h));
        e->y += h;
        e->page_empty = false;
        if (row->header)
            GL_CHECK(gl_layout_add_rule(e, e->left, e->left + width, e->y, 0.5));
    }
    GL_CHECK(gl_layout_add_rule(e, e->left, e->left + width, e->y, 0.8));
    e->y += e->lo->size * 0.8;
    rc = 0;
cleanup:
    gl_free(cols);
    gl_free(cw);
    return rc;
}

/* ---------------------------------------------------------------- lists */

static int list_block(engine *e, const gl_block *list)
{
    static const char *const bullets[] = {"\xE2\x80\xA2", "\xE2\x97\xA6", "\xE2\x80\x93"};
    double size = e->lo->size;
    double hang = 1.8 * size;
    unsigned num = list->start ? list->start : 1;
    int depth = e->list_depth++;
    int rc = 0;
    if (depth == 0)
        gl_layout_space_before(e, size * 0.3);
    for (const gl_block *item = list->children; item && !rc; item = item->next, num++) {
        char lab[32];
        int n = list->ordered ? snprintf(lab, sizeof lab, "%u.", num)
                              : snprintf(lab, sizeof lab, "%s", bullets[depth % 3]);
        char *label = gl_arena_strndup(&e->fr->arena, lab, (size_t)n);
        if (!label)
            return -1;
        size_t runs_before = e->page->nruns;
        // The page as an index, not a pointer: laying the item out may add
        // pages and move fr->pages (a deeply nested list crashed once).
        bool in_fnotes = e->page == &e->fnotes;
        size_t page_before = in_fnotes ? 0 : (size_t)(e->page - e->fr->pages);
        double save_left = e->left, save_measure = e->measure;
        e->left += hang;
        e->measure -= hang;
        rc = blocks(e, item->children, NULL, 0);
        e->left = save_left;
        e->measure = save_measure;
        if (rc)
            break;
        // the label goes on the baseline of the item's first line, right
        // aligned in the hanging indent
        gl_page *pg = in_fnotes ? &e->fnotes : &e->fr->pages[page_before];
        size_t first = runs_before;
        if (first >= pg->nruns && pg != e->page && !in_fnotes &&
            page_before + 1 < e->fr->npages) {
            pg = &e->fr->pages[page_before + 1];
            first = 0;
        }
        if (first < pg->nruns) {
            const gl_run *r0 = &pg->runs[first];
            size_t li = 0;
            int face = gl_font_pick(e->fs, GL_F_REGULAR, false, gl_utf8_next(label, (size_t)n, &li));
            if (face < 0) {  /* a font without the bullet: the plain one */
                label = "\xE2\x80\xA2";
                n = 3;
                face = gl_font_pick(e->fs, GL_F_REGULAR, false, 0x2022);
                if (face < 0)
                    face = GL_FACE_LATIN_REGULAR;
            }
            double w = gl_layout_text_width(e, face, size, label, (size_t)n);
            gl_page *save = e->page;
            e->page = pg;
            rc = gl_layout_add_run(e, face, size, e->left + hang - w - size * 0.5,
                                   e->lo->page_h - r0->y, 0, label, (size_t)n, 0);
            e->page = save;
        }
        if (!list->tight)
            gl_layout_space_before(e, size * 0.3);
    }
    e->list_depth--;
    if (depth == 0)
        gl_layout_space_before(e, size * 0.3);
    return rc;
}

/* ---------------------------------------------------------------- dispatch */

static int one_block(engine *e, const gl_block *b, bool *after_heading)
{
    bool cjk = e->cjk;
    pstyle ps = body_style(e);
    int rc = 0;
    switch (b->type) {
    case GL_B_PARA:
        // Chinese paragraphs always indent 2 em; Latin ones indent 1.5 em
        // except right after a heading or the title (book convention);
        // none inside lists
        ps.indent = e->list_depth ? 0 : cjk ? 2 * ps.size : (*after_heading ? 0 : 1.5 * ps.size);
        rc = gl_layout_set_block(e, b, b->text, b->len, &ps, false, NULL);
        *after_heading = false;
        break;
    case GL_B_HEADING: {
        int lvl = b->level < 1 ? 1 : b->level > 6 ? 6 : b->level;
        static const double scale[] = {1.45, 1.25, 1.12, 1.05, 1.0, 1.0};
        ps = heading_style(e, scale[lvl - 1], AL_LEFT);
        ps.hyphenate = false;
        gl_layout_space_before(e, e->lo->size * (lvl <= 2 ? 1.4 : 1.0));
        double top;
        rc = gl_layout_set_block(e, b, b->text, b->len, &ps, true, &top);
        if (!rc && top >= 0) {
            int page = (int)(e->page - e->fr->pages);
            rc = add_outline(e, b->text, lvl + 1, page, top);
            if (!rc && b->anchor) {
                if (GL_GROW(e->ctx, e->anchors, e->capanchors, e->nanchors + 1))
                    return -1;
                e->anchors[e->nanchors++] =
                    (anchor_rec){b->anchor, page, (float)(e->lo->page_h - top)};
            }
            if (!rc && lvl <= 2 && !e->list_depth) {
                if (GL_GROW(e->ctx, e->toc, e->captoc, e->ntoc + 1))
                    return -1;
                e->toc[e->ntoc++] = (toc_entry){b->text, b->len, lvl, page, (float)top};
            }
        }
        e->y += e->lo->size * 0.4;
        *after_heading = true;
        break;
    }
    case GL_B_CODE:
        rc = code_block(e, b);
        *after_heading = true;
        break;
    case GL_B_QUOTE: {
        gl_layout_space_before(e, e->lo->size * 0.5);
        double save_left = e->left, save_measure = e->measure;
        double inset = 1.5 * ps.size;
        e->left += inset;
        e->measure -= 2 * inset > e->measure / 2 ? e->measure / 4 : 2 * inset;
        size_t p0 = e->fr->npages;  /* pages may move when more are added */
        double y0 = e->page_empty ? e->top : e->y;
        rc = blocks(e, b->children, NULL, 0);
        e->left = save_left;
        e->measure = save_measure;
        // a rule in the margin of the quotation, when it is on one page
        if (!rc && e->fr->npages == p0)
            rc = add_vrule(e, save_left + inset * 0.4, y0 + ps.size * 0.2, e->y + ps.size * 0.3, 1.2);
        gl_layout_space_before(e, e->lo->size * 0.5);
        *after_heading = true;
        break;
    }
    case GL_B_HR:
        gl_layout_space_before(e, e->lo->size);
        if (e->y + e->lo->size > e->bottom)
            rc = gl_layout_new_page(e);
        if (!rc)
            rc = gl_layout_add_rule(e, e->left + e->measure * 0.35, e->left + e->measure * 0.65,
                                    e->y, 0.5);
        e->y += e->lo->size * 0.5;
        *after_heading = true;
        break;
    case GL_B_LIST:
        rc = list_block(e, b);
        *after_heading = true;
        break;
    case GL_B_ITEM:
        rc = blocks(e, b->children, NULL, 0);
        break;
    case GL_B_IMAGE:
        rc = image_block(e, b);
        *after_heading = true;
        break;
    case GL_B_TABLE:
        rc = table_block(e, b);
        *after_heading = true;
        break;
    case GL_B_FOOTNOTE:
        // set at the foot of the page that references it
        break;
    case GL_B_TABLE_ROW:
    case GL_B_TABLE_CELL:
    case GL_B_ARTICLE:
        // only inside tables / at the top level: not reached
        break;
    }
    return rc;
}

static int blocks(engine *e, const gl_block *b, const gl_block *end, double inset)
{
    bool after_heading = true;
    double save_left = e->left, save_measure = e->measure;
    e->left += inset;
    e->measure -= inset;
    int rc = 0;
    for (; b && b != end && !rc; b = b->next)
        rc = one_block(e, b, &after_heading);
    e->left = save_left;
    e->measure = save_measure;
    return rc;
}

/* ================================================================ the whole */

static void resolve_links(engine *e)
{
    for (size_t i = 0; i < e->nplinks; i++) {
        const pending_link *p = &e->plinks[i];
        gl_link *l = &e->fr->pages[p->page].links[p->link];
        for (size_t k = 0; k < e->nanchors; k++)
            if (!strcmp(e->anchors[k].anchor, p->anchor)) {
                l->page = e->anchors[k].page;
                l->y = e->anchors[k].y;
                break;
            }
    }
    // a link to an anchor that names nothing goes (its text stays)
    for (size_t i = 0; i < e->fr->npages; i++) {
        gl_page *pg = &e->fr->pages[i];
        size_t k = 0;
        for (size_t j = 0; j < pg->nlinks; j++)
            if (pg->links[j].uri || pg->links[j].page >= 0)
                pg->links[k++] = pg->links[j];
        pg->nlinks = k;
    }
}

static bool is_english(const char *lang)
{
    return lang && !strncasecmp(lang, "en", 2) && (lang[2] == 0 || lang[2] == '-');
}

/* Sets the text block and habits for an article's language: Chinese gets
 * a measure of a whole number of characters (CLREQ: lines of Han then set
 * solid, with no inter-character justification), more leading, 2-em
 * indents; English gets hyphenation. */
static void set_language(engine *e, const gl_meta *m)
{
    e->cjk = m->lang_is_cjk;
    e->english = is_english(m->lang);
    e->left = e->left0;
    e->measure = e->measure0;
    if (e->cjk) {
        double chars = floor(e->measure / e->lo->size + 1e-9);
        double trim = e->measure - chars * e->lo->size;
        e->left += trim / 2;
        e->measure -= trim;
    }
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
    e.bottom = e.bottom0 = lo->page_h - lo->margin_b;
    e.left = lo->margin_l;
    e.measure = lo->page_w - lo->margin_l - lo->margin_r;
    e.left0 = e.left;
    e.measure0 = e.measure;
    e.cjk = doc->meta.lang_is_cjk;
    gl_shaper_init(&e.sh, ctx, doc, fs, lo->punct, NULL);
    gl_shaper_init(&e.fsh, ctx, doc, fs, lo->punct, NULL);
    gl_break_params_init(&e.bp);
    // One pass with hyphenation and a high tolerance instead of TeX's three
    // (pretolerance 100, tolerance 200, then emergency stretch): a single
    // unavoidable loose line then stays one loose line, where TeX's
    // emergency pass loosens the whole paragraph.  Badness still grows with
    // the cube of the ratio, so loose lines are taken only when needed.
    e.bp.pretolerance = -1;
    e.bp.tolerance = 1000;
    e.bp.emergency_stretch = 0;
    // English hyphenation (libhyphen); other languages are not hyphenated
    size_t nart = gl_doc_articles(doc, NULL, 0);
    gl_article_ref *arts = gl_calloc(ctx, nart ? nart : 1, sizeof *arts);
    int rc = arts ? 0 : -1;
    if (!rc)
        gl_doc_articles(doc, arts, nart);
    bool any_english = false;
    for (size_t a = 0; !rc && a < nart; a++)
        any_english |= is_english(arts[a].meta->lang);
    if (!rc && !lo->no_hyphenate && any_english)
        e.hyph = gl_hyph_new(ctx, "en");
    e.sh.hyph = e.fsh.hyph = e.hyph;
    bool brief = doc->narticles > 0 && nart > 1;
    // ---- the body: each article on a new page (or run on)
    for (size_t a = 0; a < nart && !rc; a++) {
        e.article = (int)a;
        e.ameta = arts[a].meta;
        set_language(&e, arts[a].meta);
        if (a == 0 || !lo->continuous || e.fr->npages == 0) {
            rc = gl_layout_new_page(&e);
        } else {
            gl_layout_space_before(&e, lo->size * 2.5);
            if (!e.page_empty && e.y + lo->size * 8 > e.bottom)
                rc = gl_layout_new_page(&e);
        }
        if (rc)
            break;
        size_t pi = e.fr->npages - 1;
        if (e.page_empty)
            e.page_opens[pi] = true;
        e.page_article[pi] = (int)a;
        rc = title_block(&e, arts[a].meta, (int)a);
        if (!rc)
            rc = blocks(&e, arts[a].first, arts[a].end, 0);
    }
    if (!rc && e.fr->npages == 0)
        rc = gl_layout_new_page(&e);
    if (!rc)
        rc = flush_notes(&e);
    size_t nbody = e.fr->npages;
    set_language(&e, &doc->meta);
    if (!rc)
        rc = gl_front_furniture(&e, 0, nbody, arts, nart, brief);
    resolve_links(&e);
    // ---- front matter of a brief or book: cover and contents, numbered
    // i, ii, ... so that the body's numbers are final already
    if (!rc && brief) {
        e.article = -1;
        set_language(&e, &doc->meta);
        rc = gl_front_matter(&e, nbody);
    }
    gl_free(arts);
    gl_shaper_free(&e.sh);
    gl_shaper_free(&e.fsh);
    gl_hyph_free(e.hyph);
    gl_break_result_free(&e.br);
    gl_break_result_free(&e.fbr);
    gl_free(e.pos);
    gl_free(e.page_article);
    gl_free(e.page_opens);
    gl_free(e.fnotes.runs);
    gl_free(e.fnotes.rules);
    gl_free(e.fnotes.images);  // a link or image in a footnote leaked (make leakcheck)
    gl_free(e.fnotes.links);
    gl_free(e.fnotes.lines);
    gl_free(e.placed);
    gl_free(e.anchors);
    gl_free(e.plinks);
    gl_free(e.toc);
    if (rc || ctx->oom) {
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
        gl_free(f->pages[i].images);
        gl_free(f->pages[i].links);
        gl_free(f->pages[i].lines);
    }
    gl_free(f->pages);
    gl_free(f->outlines);
    gl_arena_free(&f->arena);
    gl_free(f);
}
