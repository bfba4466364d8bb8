/*
 * epub.h — the EPUB back end: the document model in, an EPUB 3 file out.
 * It never sees the layout engine or its frames: the printed page breaks
 * for the page-list arrive as (block, offset, label) triples.
 */
#ifndef GL_EPUB_H
#define GL_EPUB_H

#include "doc.h"
#include "font.h"

/* A page break of the printed edition, for the EPUB page-list: the page
 * labelled `label` starts at byte `off` of `block`'s text (0 for a block
 * without text, or to mean "before the block").  `block` may be any block
 * of the doc, at any depth; the EPUB writer puts the marker in whichever
 * content document holds it, so the list needs no knowledge of how the
 * book is split into files.  Give them in reading order. */
typedef struct {
    const gl_block *block;
    size_t off;
    const char *label;        /* printed page number as printed: "12", "iv" */
} gl_epub_pagebreak;

/* epub.c: writes doc as EPUB 3 to out_path atomically. */
typedef struct {
    const char *identifier;   /* NULL: derived from the content */
    long long modified;       /* seconds since 1970, UTC, for dcterms:modified */
    /* Embedded fonts: NONE, SUBSET or FULL (AUTO is treated as NONE here:
     * galley.c resolves it with gl_epub_font_mode()).  fonts is
     * required unless NONE; borrowed. */
    galley_epub_fonts font_mode;
    const gl_fontset *fonts;
    /* Printed page breaks (may be NULL/0: no page-list).  Breaks whose
     * block is not in the doc are ignored.  Borrowed. */
    const gl_epub_pagebreak *breaks;
    size_t nbreaks;
    /* What the page numbers come from (the OPF's dc:source refined by
     * source-of "pagination"; A11y 1.1's pageBreakSource), e.g. the print
     * edition's identifier or file name; NULL: "<title> (print PDF)". */
    const char *page_source;
    /* OpenType features for all text (CSS font-feature-settings syntax,
     * checked by gl_font_features_check), or NULL.  Borrowed. */
    const char *font_features;
} gl_epub_opts;
int gl_epub_write(gl_ctx *ctx, const gl_doc *doc, const gl_epub_opts *eo, const char *out_path);
/* epub.c: process-wide set-up of libxml2; galley.c runs it exactly once. */
void gl_epub_global_init(void);
/* epub.c: the font mode to use for doc: mode itself unless AUTO, which
 * becomes SUBSET when the text has CJK characters, else NONE. */
galley_epub_fonts gl_epub_font_mode(const gl_doc *doc, galley_epub_fonts mode);

#endif
