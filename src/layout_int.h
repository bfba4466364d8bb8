/*
 * layout_int.h — the layout engine's own state, shared by its two halves:
 * layout.c sets the body (blocks, lines, pages, footnotes) and front.c the
 * furniture around it (cover, contents, running heads, folios and the
 * printed page labels).  Nothing outside the layout engine includes this.
 */
#ifndef GL_LAYOUT_INT_H
#define GL_LAYOUT_INT_H

#include "items.h"
#include "layout.h"

typedef struct {
    const char *anchor;   /* heading anchor ("#" not included) */
    int page;             /* page index */
    float y;              /* PDF y of the heading's top */
} anchor_rec;

typedef struct {
    int page;             /* page index of the link */
    size_t link;          /* index in that page's links */
    const char *anchor;   /* target anchor, resolved at the end */
} pending_link;

/* A contents entry: an article (level 0) or a heading in it. */
typedef struct {
    const char *title;
    size_t len;
    int level;
    int page;             /* body page index */
    float y;
} toc_entry;

typedef struct {
    gl_ctx *ctx;
    const gl_doc *doc;
    gl_fontset *fs;
    const gl_layout_opts *lo;
    gl_frames *fr;
    gl_page *page;        /* where gl_layout_add_run etc. write */
    double y;             /* last baseline (from the top), points */
    bool page_empty;      /* nothing set on the current page yet */
    double top, bottom;   /* text area in top-down coordinates (bottom moves
                             up as footnotes take the page foot) */
    double bottom0;       /* the text area's own bottom */
    double left, measure;
    gl_shaper sh;         /* shaping scratch, reused across blocks */
    gl_shaper fsh;        /* the same for footnotes, set while a paragraph is */
    gl_hyph *hyph;        /* English hyphenation, or NULL */
    gl_break_result br, fbr;
    gl_break_params bp;
    double *pos;          /* per glyph: x of its slot on the current line */
    size_t cappos;
    const gl_block *block;  /* the block being set (links, notes) */
    /* articles and pages */
    const gl_meta *ameta;   /* current article's metadata */
    int *page_article;      /* per page: article index */
    bool *page_opens;       /* per page: an article starts on it */
    size_t cappa, cappo;
    int article;
    /* footnotes of the current page, laid out into fnotes (y relative to
     * the top of the footnote area) */
    gl_page fnotes;
    double fn_height;
    const gl_block **placed;  /* notes already placed */
    size_t nplaced, capplaced;
    /* cross references */
    anchor_rec *anchors;
    size_t nanchors, capanchors;
    pending_link *plinks;
    size_t nplinks, capplinks;
    toc_entry *toc;
    size_t ntoc, captoc;
    int list_depth;
    bool cjk;               /* the current article is Chinese/Japanese/Korean */
    bool english;           /* ... English: hyphenate */
    double left0, measure0; /* the text block for Latin text */
} engine;

/* The style of a block's text: what the text is, and how to set it. */
typedef struct {
    double size;          /* points */
    double leading;       /* baseline distance, points */
    gl_font_style style;  /* base style (spans add bold/italic) */
    bool heading;         /* CJK heading face, no hyphenation */
    bool hyphenate;
    double indent;        /* first-line indent, points */
    enum { AL_JUSTIFY, AL_LEFT, AL_CENTER, AL_RIGHT } align;
} pstyle;

static inline pstyle body_style(const engine *e)
{
    pstyle ps = {.size = e->lo->size,
                 .leading = e->lo->size * (e->cjk ? e->lo->leading_cjk : e->lo->leading),
                 .style = GL_F_REGULAR,
                 .heading = false,
                 .hyphenate = true,
                 .indent = 0,
                 .align = AL_JUSTIFY};
    return ps;
}


/* A bold heading at scale times the body size, 1.3 times as much leading. */
static inline pstyle heading_style(const engine *e, double scale, int align)
{
    pstyle ps = body_style(e);
    ps.size = e->lo->size * scale;
    ps.leading = ps.size * 1.3;
    ps.style = GL_F_BOLD;
    ps.heading = true;
    ps.align = align;
    return ps;
}

/* ---------------------------------------------------------------- layout.c */

/* Starts a new page (placing the footnotes of the one before). */
int gl_layout_new_page(engine *e);
/* Adds a run, rule or link to the current page at top-down y (points
 * from the top of the page).  A link comes back zeroed with page = -1. */
int gl_layout_add_run(engine *e, int face, double size, double x, double y_top, double cs,
                      const char *text, size_t len, uint32_t flags);
int gl_layout_add_rule(engine *e, double x0, double x1, double y_top, double width);
gl_link *gl_layout_add_link(engine *e, double x0, double y0_top, double x1, double y1_top);
/* Width of UTF-8 text in one face, unshaped (folios, labels, leaders). */
double gl_layout_text_width(const engine *e, int face, double size, const char *s, size_t n);
/* Shapes and breaks text with sh into br at the given width. */
int gl_layout_break_text(engine *e, gl_shaper *sh, gl_break_result *br, const gl_block *b,
                         const char *text, size_t len, const pstyle *ps, double width);
/* Sets one broken line of sh at x, baseline y (top-down), aligned in width. */
int gl_layout_emit_line(engine *e, gl_shaper *sh, const char *text, const gl_line *ln, double x,
                        double width, double y, int align);
/* Sets a text block and flows its lines onto pages; *first_y (may be
 * NULL) gets the top of its first line. */
int gl_layout_set_block(engine *e, const gl_block *b, const char *text, size_t len,
                        const pstyle *ps, bool keep_with_next, double *first_y);
/* Vertical space before a block, unless at the top of a page. */
void gl_layout_space_before(engine *e, double pts);

/* ---------------------------------------------------------------- front.c */

/* Running heads and folios of the body pages [from, to), and each page's
 * printed label (arabic numerals). */
int gl_front_furniture(engine *e, size_t from, size_t to, const gl_article_ref *arts,
                       size_t nart, bool brief);
/* The cover and contents of a brief, laid out after the nbody body pages,
 * labelled i, ii, ... with folios from ii on, then moved to the front
 * (every page index that pointed into the body is shifted). */
int gl_front_matter(engine *e, size_t nbody);

#endif
