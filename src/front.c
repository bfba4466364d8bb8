/*
 * front.c — the furniture around the body that layout.c sets: each page's
 * printed label, folios and running heads, and a brief's cover and
 * contents pages (laid out after the body, so that the contents quote
 * final page numbers, then moved to the front).  Like layout.c it emits
 * frames only: no PDF here.
 */
#include "layout_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ================================================================ page labels */

/* A page's printed label, made once from its number: the folio, the
 * contents, the PDF's page labels and the EPUB's page-list all read it.
 * Front matter is numbered in lower-case roman numerals, the body in
 * arabic numerals. */
static int label_page(engine *e, gl_page *p)
{
    char buf[32];
    size_t n = p->front ? gl_roman(p->number, buf, sizeof buf)
                        : (size_t)snprintf(buf, sizeof buf, "%d", p->number);
    p->label = gl_arena_strndup(&e->fr->arena, buf, n);
    return p->label ? 0 : -1;
}

/* The current page's label centred in the bottom margin. */
static int folio(engine *e)
{
    const gl_layout_opts *lo = e->lo;
    double size = lo->size * 0.85;
    size_t n = strlen(e->page->label);
    double w = gl_layout_text_width(e, GL_FACE_LATIN_REGULAR, size, e->page->label, n);
    double y = lo->page_h - lo->margin_b / 2;
    if (y < e->bottom0 + size * 1.5)
        y = e->bottom0 + size * 1.5;
    if (y > lo->page_h - size * 0.5)
        y = lo->page_h - size * 0.5;
    double x = lo->margin_l + (lo->page_w - lo->margin_l - lo->margin_r - w) / 2;
    return gl_layout_add_run(e, GL_FACE_LATIN_REGULAR, size, x, y, 0, e->page->label, n, 0);
}

/* ================================================================ furniture */

/* Running heads and folios on body pages [from, to), each labelled with
 * its number: the folio centred in the bottom margin; the head (the
 * article's title, and in a brief the brief's title on left-hand pages)
 * centred in the top margin, except on a page where an article starts. */
int gl_front_furniture(engine *e, size_t from, size_t to, const gl_article_ref *arts,
                       size_t nart, bool brief)
{
    double size = e->lo->size * 0.85;
    for (size_t i = from; i < to; i++) {
        e->page = &e->fr->pages[i];
        if (label_page(e, e->page) || folio(e))
            return -1;
        if (e->page_opens[i])
            continue;
        int a = e->page_article[i];
        const char *head = NULL;
        if (brief && e->page->number % 2 == 0)
            head = e->doc->meta.title;
        else if (a >= 0 && (size_t)a < nart)
            head = arts[a].meta->title;
        if (!head || !*head)
            continue;
        // shape the head as a one-line paragraph, cut to the measure
        pstyle ps = body_style(e);
        ps.size = size;
        ps.style = e->cjk ? GL_F_REGULAR : GL_F_ITALIC;
        ps.align = AL_CENTER;
        ps.hyphenate = false;
        e->block = NULL;
        if (gl_layout_break_text(e, &e->sh, &e->br, NULL, head, strlen(head), &ps, e->measure))
            return -1;
        if (e->br.nlines == 0)
            continue;
        gl_line l = e->br.lines[0];
        if (e->br.nlines > 1)
            l.forced = 1;
        double hy = e->lo->margin_t / 2 + size * 0.3;
        if (hy > e->top - size * 1.2)
            hy = e->top - size * 1.2;
        if (hy < size)
            hy = size;
        if (gl_layout_emit_line(e, &e->sh, head, &l, e->left, e->measure, hy, AL_CENTER))
            return -1;
    }
    return 0;
}

/* ================================================================ cover and contents */

static int cover_page(engine *e)
{
    const gl_meta *m = &e->doc->meta;
    pstyle ps = body_style(e);
    ps.align = AL_CENTER;
    ps.hyphenate = false;
    // the title a third of the way down
    e->y = e->top + (e->bottom0 - e->top) * 0.28;
    e->page_empty = false;
    ps.size = e->lo->size * 2.6;
    ps.leading = ps.size * 1.25;
    ps.style = GL_F_BOLD;
    ps.heading = true;
    const char *title = m->title && *m->title ? m->title : "Untitled";
    if (gl_layout_set_block(e, NULL, title, strlen(title), &ps, true, NULL))
        return -1;
    ps.heading = false;
    ps.style = GL_F_REGULAR;
    if (m->subtitle && *m->subtitle) {
        ps.size = e->lo->size * 1.5;
        ps.leading = ps.size * 1.3;
        e->y += ps.size * 0.8;
        if (gl_layout_set_block(e, NULL, m->subtitle, strlen(m->subtitle), &ps, true, NULL))
            return -1;
    }
    e->y += e->lo->size * 2;
    if (gl_layout_add_rule(e, e->left + e->measure * 0.4, e->left + e->measure * 0.6, e->y, 0.6))
        return -1;
    e->y += e->lo->size * 1.5;
    ps.size = e->lo->size * 1.25;
    ps.leading = ps.size * 1.5;
    // The author: the document's byline, else the names that the PDF's
    // Author metadata gives (the articles' bylines, a book's byline line).
    // Runs point into their text, so it lives in the frames' arena.
    const char *author = m->byline;
    if (!(author && *author)) {
        char *names = gl_doc_author(e->ctx, e->doc);
        if (!names && e->ctx->oom)
            return -1;
        if (names) {
            author = gl_arena_strndup(&e->fr->arena, names, strlen(names));
            gl_free(names);
            if (!author)
                return -1;
        }
    }
    const char *lines[2] = {author, m->display_date ? m->display_date : m->date};
    for (int i = 0; i < 2; i++)
        if (lines[i] && *lines[i] &&
            gl_layout_set_block(e, NULL, lines[i], strlen(lines[i]), &ps, true, NULL))
            return -1;
    return 0;
}

/* The contents: each article and its sections with the real page number,
 * right-aligned after dot leaders, each entry a link to its page. */
static int contents_pages(engine *e, size_t body0)
{
    bool cjk = e->cjk;
    pstyle hs = heading_style(e, 1.5, AL_LEFT);
    const char *head = cjk ? "目录" : "Contents";
    if (gl_layout_set_block(e, NULL, head, strlen(head), &hs, true, NULL))
        return -1;
    e->y += e->lo->size;
    double size = e->lo->size;
    double numw = gl_layout_text_width(e, GL_FACE_LATIN_REGULAR, size, "0000", 4);
    double pitch = size * 0.55;  /* leader dot spacing, aligned on a grid */
    double dotw = gl_face_advance(e->fs, GL_FACE_LATIN_REGULAR, '.') * size;
    // articles stand out in bold only when sections are listed under them
    bool nested = false;
    for (size_t i = 0; i < e->ntoc; i++)
        nested |= e->toc[i].level > 0;
    for (size_t i = 0; i < e->ntoc; i++) {
        const toc_entry *t = &e->toc[i];
        pstyle ps = body_style(e);
        ps.style = t->level == 0 && nested ? GL_F_BOLD : GL_F_REGULAR;
        ps.align = AL_LEFT;
        ps.hyphenate = false;
        ps.leading = size * 1.45;
        double indent = t->level == 0 ? 0 : size * 1.5 * t->level;
        if (t->level == 0 && i > 0 && nested)
            gl_layout_space_before(e, size * 0.5);
        double save_left = e->left, save_measure = e->measure;
        e->left += indent;
        e->measure -= indent + numw + size;
        size_t p0 = e->fr->npages;  /* pages may move when more are added */
        size_t nr0 = e->page->nruns;
        double top;
        int rc = gl_layout_set_block(e, NULL, t->title, t->len, &ps, false, &top);
        e->left = save_left;
        e->measure = save_measure;
        if (rc)
            return -1;
        // the end of the entry's last line: where the leaders start
        double end = e->left + indent;
        for (size_t k = (e->fr->npages == p0 ? nr0 : 0); k < e->page->nruns; k++) {
            const gl_run *r = &e->page->runs[k];
            if (fabs(r->y - (e->lo->page_h - e->y)) > 0.01)
                continue;
            double rx = r->x + gl_layout_text_width(e, r->face, r->size, r->text, r->len) +
                        r->char_space * (double)gl_utf8_count(r->text, r->len);
            if (rx > end)
                end = rx;
        }
        const char *s = e->fr->pages[body0 + (size_t)t->page].label;
        size_t n = strlen(s);
        double w = gl_layout_text_width(e, GL_FACE_LATIN_REGULAR, size, s, n);
        double xr = e->left + e->measure;
        int face = ps.style == GL_F_BOLD ? GL_FACE_LATIN_BOLD : GL_FACE_LATIN_REGULAR;
        if (gl_layout_add_run(e, face, size, xr - w, e->y, 0, s, n, 0))
            return -1;
        // leaders on a grid, so that the dots of all entries line up
        double x0 = ceil((end + size * 0.6 - e->left) / pitch) * pitch + e->left;
        double x1 = xr - w - size * 0.6;
        int ndots = (int)floor((x1 - x0) / pitch);
        if (ndots > 0) {
            char *dots = gl_arena_alloc(&e->fr->arena, (size_t)ndots + 1);
            if (!dots)
                return -1;
            memset(dots, '.', (size_t)ndots);
            if (gl_layout_add_run(e, GL_FACE_LATIN_REGULAR, size, x0, e->y, pitch - dotw, dots,
                                  (size_t)ndots, 0))
                return -1;
        }
        gl_link *l = gl_layout_add_link(e, e->left + indent, e->y - size, xr, e->y + size * 0.3);
        if (!l)
            return -1;
        l->page = (int)body0 + t->page;  /* shifted when the front moves ahead */
        l->y = (float)(e->lo->page_h - t->y);  /* toc y is top-down, link y PDF space */
        (void)top;
    }
    return 0;
}

/* ================================================================ the front matter */

/* Moves the front pages (laid out after the body, at the end of
 * fr->pages) to the front, and shifts every page index that pointed into
 * the body. */
static int move_front(engine *e, size_t nbody)
{
    gl_frames *fr = e->fr;
    size_t nfront = fr->npages - nbody;
    if (nfront == 0)
        return 0;
    gl_page *tmp = gl_malloc(e->ctx, nfront * sizeof *tmp);
    if (!tmp)
        return -1;
    memcpy(tmp, fr->pages + nbody, nfront * sizeof *tmp);
    memmove(fr->pages + nfront, fr->pages, nbody * sizeof *tmp);
    memcpy(fr->pages, tmp, nfront * sizeof *tmp);
    gl_free(tmp);
    // every internal link targets a body page (contents entries, anchors)
    for (size_t i = 0; i < fr->npages; i++)
        for (size_t k = 0; k < fr->pages[i].nlinks; k++)
            if (fr->pages[i].links[k].page >= 0)
                fr->pages[i].links[k].page += (int)nfront;
    for (size_t i = 0; i < fr->noutlines; i++)
        fr->outlines[i].page += (int)nfront;
    return 0;
}

int gl_front_matter(engine *e, size_t nbody)
{
    size_t front0 = e->fr->npages;
    int rc = gl_layout_new_page(e);
    if (!rc)
        rc = cover_page(e);
    if (!rc)
        rc = gl_layout_new_page(e);
    if (!rc)
        rc = contents_pages(e, 0);
    for (size_t i = front0; i < e->fr->npages && !rc; i++) {
        gl_page *p = &e->fr->pages[i];
        p->front = true;
        p->number = (int)(i - front0) + 1;
        rc = label_page(e, p);
        // the cover has no folio; the contents pages have theirs
        if (!rc && i > front0) {
            e->page = p;
            rc = folio(e);
        }
    }
    if (!rc)
        rc = move_front(e, nbody);
    return rc;
}
