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
#include "items.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
    lo->first_fit = opt->linebreak == GALLEY_LINEBREAK_FIRST_FIT;
    lo->no_hyphenate = !opt->hyphenate;
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
    gl_shaper sh;         /* shaping scratch, reused across blocks */
    gl_hyph *hyph;        /* English hyphenation, or NULL */
    gl_break_result br;   /* breaker output, reused */
    gl_break_params bp;
    double *pos;          /* per glyph: x of its slot on the current line */
    size_t cappos;
} engine;

/* The style of a block's text: what the text is, and how to set it. */
typedef struct {
    double size;          /* points */
    double leading;       /* baseline distance, points */
    gl_font_style style;  /* base style (spans add bold/italic) */
    bool heading;         /* CJK heading face, no hyphenation */
    bool hyphenate;
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

/* ================================================================ lines */

/* Sets one broken line: places every glyph of its boxes, stretching or
 * shrinking glue by the line's ratio when justified, then emits runs of
 * glyphs that share a face and an even spacing (PDF Tc carries the
 * inter-character space of justified CJK text). */
static int emit_line(engine *e, const char *text, const gl_line *ln, double x, double width,
                     double y, double size, int align)
{
    gl_shaper *sh = &e->sh;
    const gl_glyph *g = sh->g;
    // Justified lines take the breaker's ratio; ragged and last lines are
    // set at natural width, but still shrink if the breaker counted on it.
    double r = align == AL_JUSTIFY && !ln->forced ? ln->ratio : fmin(ln->ratio, 0);
    size_t first_g = (size_t)-1, last_g = 0;
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
    bool hyphen = ln->end < sh->nitems && sh->items[ln->end].type == GL_ITEM_PENALTY &&
                  sh->items[ln->end].width > 0;
    double shift = 0;
    if (align == AL_CENTER) {
        double natural = cx - x + (hyphen ? sh->items[ln->end].width : 0);
        // the trailing blank of a closing mark does not count when centring
        natural -= g[last_g].end_trim;
        shift = (width - natural) / 2;
    }
    for (size_t a = first_g; a <= last_g;) {
        if (g[a].flags & GL_G_SPACE) {
            a++;
            continue;
        }
        bool astral = g[a].flags & GL_G_ASTRAL;
        size_t z = a;
        double cs = 0;
        // extend while the next glyph is adjacent in the text, in the same
        // face, and the gap after the drawn advance is the same
        while (!astral && z + 1 <= last_g && !(g[z + 1].flags & (GL_G_SPACE | GL_G_ASTRAL)) &&
               g[z + 1].face == g[a].face) {
            double gap = (e->pos[z + 1] - g[z + 1].lcomp) - (e->pos[z] - g[z].lcomp + g[z].nat);
            if (z == a)
                cs = gap;
            else if (fabs(gap - cs) > 0.005)
                break;
            z++;
        }
        if (z == a)
            cs = 0;
        const char *rt = astral ? "\xEF\xBF\xBD" : text + g[a].off;
        size_t rl = astral ? 3 : (size_t)(g[z].off + g[z].nbytes - g[a].off);
        if (add_run(e, g[a].face, size, e->pos[a] - g[a].lcomp + shift, y, cs, rt, rl))
            return -1;
        a = z + 1;
    }
    if (hyphen && add_run(e, g[last_g].face, size, cx + shift, y, 0, "-", 1))
        return -1;
    return 0;
}

/* ================================================================ blocks */

static int set_block(engine *e, const gl_block *b, const char *text, size_t len,
                     const pstyle *ps, bool keep_with_next)
{
    gl_text_style ts = {.size = ps->size, .style = ps->style, .heading = ps->heading,
                        .hyphenate = ps->hyphenate && e->hyph};
    double width = e->measure;
    if (gl_shape(&e->sh, b, text, len, &ts))
        return -1;
    if (gl_build_items(&e->sh, &ts, width - ps->indent))
        return -1;
    if (GL_GROW(e->ctx, e->pos, e->cappos, e->sh.ng + 1))
        return -1;
    double widths[2] = {width - ps->indent, width};
    gl_break_fn brk = e->lo->first_fit ? gl_break_first_fit : gl_break_total_fit;
    if (brk(e->ctx, e->sh.items, e->sh.nitems, widths, 2, &e->bp, &e->br))
        return -1;
    size_t n = e->br.nlines;
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
            // a heading or title block is never split
            if (keep_with_next && take < left)
                take = 0;
        }
        // widow: never carry a paragraph's last line alone to the next page
        if (take < left && take > 0 && left - take == 1 && n >= 3 && take >= 2 + (done == 0))
            take--;
        if (take == 0) {
            if (new_page(e))
                return -1;
            continue;
        }
        for (size_t k = 0; k < take; k++) {
            const gl_line *l = &e->br.lines[done + k];
            double y = k == 0 ? y0 : e->y + lead;
            double x = e->left, w = width;
            if (done + k == 0) {
                x += ps->indent;
                w -= ps->indent;
            }
            if (emit_line(e, text, l, x, w, y, ps->size, ps->align))
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
                 .hyphenate = true,
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
    sub.hyphenate = false;
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
    default:
        // Markdown's lists, tables, images and articles get their own
        // layout with the briefs issue; until then their text is set as
        // plain paragraphs so that nothing is lost
        if (b->text && b->len) {
            ps.align = AL_LEFT;
            rc = set_block(e, b, b->text, b->len, &ps, false);
        }
        if (!rc && b->children)
            rc = blocks(e, b->children, b->type == GL_B_ITEM ? 1.5 * ps.size : 0);
        *after_heading = false;
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
    gl_shaper_init(&e.sh, ctx, doc, fs, lo->punct, NULL);
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
    if (!lo->no_hyphenate && doc->meta.lang && !strncasecmp(doc->meta.lang, "en", 2) &&
        (doc->meta.lang[2] == 0 || doc->meta.lang[2] == '-'))
        e.hyph = gl_hyph_new(ctx, doc->meta.lang);
    e.sh.hyph = e.hyph;
    int rc = ctx->oom ? -1 : new_page(&e);
    if (!rc)
        rc = title_block(&e);
    if (!rc)
        rc = blocks(&e, doc->first, 0);
    if (!rc)
        rc = folios(&e);
    gl_shaper_free(&e.sh);
    gl_hyph_free(e.hyph);
    gl_break_result_free(&e.br);
    gl_free(e.pos);
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
        gl_free(f->pages[i].images);
        gl_free(f->pages[i].links);
    }
    gl_free(f->pages);
    gl_free(f->outlines);
    gl_arena_free(&f->arena);
    gl_free(f);
}
