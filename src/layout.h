/*
 * layout.h — the layout engine: document model in, frames out.  It breaks
 * paragraphs into lines, justifies them, flows lines into pages between the
 * margins, and adds the title block and folios.  It knows nothing of PDF.
 */
#ifndef GL_LAYOUT_H
#define GL_LAYOUT_H

#include "doc.h"
#include "font.h"
#include "frame.h"

typedef struct {
    double page_w, page_h;                 /* points */
    double margin_t, margin_r, margin_b, margin_l;
    double size;                           /* body font size, points */
    double leading;                        /* baseline distance / size, Latin text */
    double leading_cjk;                    /* the same for Chinese/Japanese/Korean */
    galley_cjk_punct punct;
    bool first_fit;                        /* first-fit lines instead of Knuth–Plass */
    bool no_hyphenate;
    bool continuous;                       /* articles run on (no new page each) */
    bool trace;                            /* record each line in gl_page.lines (its
                                              break, ratio and runs: dumps, tests);
                                              off, layout records nothing */
    /* galley_options.progress: called with "layout" and the page count
     * as each page is begun (NULL: not). */
    void (*progress)(void *user, const char *stage, size_t done, size_t total);
    void *progress_user;
} gl_layout_opts;

/* Checks lo: a page size within PDF's limits, margins not negative, a
 * body size of 2-200 pt and a text area of at least 4 ems by 6 lines.
 * Returns 0, or -1 with GALLEY_ERR_ARG on ctx. */
int gl_layout_opts_check(gl_ctx *ctx, const gl_layout_opts *lo);

/* Lays out doc.  Characters no face has are reported once each as a
 * warning at file:line.  Returns new frames (caller frees with
 * gl_frames_free) or NULL with the error on ctx. */
gl_frames *gl_layout(gl_ctx *ctx, const gl_doc *doc, gl_fontset *fs, const gl_layout_opts *lo);

#endif
