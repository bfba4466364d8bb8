/*
 * backend.h — the two back ends and the readers, as the API glue sees them.
 */
#ifndef GL_BACKEND_H
#define GL_BACKEND_H

#include "doc.h"
#include "font.h"
#include "frame.h"

/* reader_text.c: the article format and plain text (README "Input").
 * data need not be valid UTF-8 or NUL-terminated.  Returns a new doc, or
 * NULL on OOM. */
gl_doc *gl_read_text(gl_ctx *ctx, const char *data, size_t len, const char *source);

/* reader_md.c: Markdown (CommonMark + GFM tables, strikethrough, autolinks,
 * footnotes) with optional YAML front matter.  source names the input for
 * diagnostics; relative image paths are resolved against its directory.
 * Never fails on content (problems are warnings); returns a new doc, or
 * NULL on OOM.  Heading → article mapping: see reader_md.c's header.
 * flags: GL_MD_ONE_ARTICLE keeps the whole file one article (for a file
 * that is one article of a brief) instead of splitting it into chapters. */
#define GL_MD_ONE_ARTICLE 1u
gl_doc *gl_read_markdown(gl_ctx *ctx, const char *data, size_t len, const char *source,
                         unsigned flags);
/* True when an input should be read as Markdown: its name ends in .md,
 * .markdown, .mdown or .mkd (any case), or data starts with YAML front
 * matter ("---" then a "key:" line).  Either argument may be NULL. */
bool gl_is_markdown(const char *source, const char *data, size_t len);

/* Document-level metadata the PDF back end writes into the Info dictionary. */
typedef struct {
    const char *title, *author, *subject, *lang;
    long long created;    /* seconds since 1970, UTC */
    /* galley_options.progress: called with "pdf" as pages are written. */
    void (*progress)(void *user, const char *stage, size_t done, size_t total);
    void *progress_user;
} gl_pdf_meta;

/* pdf.c: draws frames with libharu and writes the PDF to out_path
 * atomically.  Fonts are subset with gl_face_subset() before embedding. */
int gl_pdf_write(gl_ctx *ctx, const gl_frames *frames, const gl_fontset *fs,
                 const gl_pdf_meta *meta, const char *out_path);

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
} gl_epub_opts;
int gl_epub_write(gl_ctx *ctx, const gl_doc *doc, const gl_epub_opts *eo, const char *out_path);
/* epub.c: process-wide set-up of libxml2; galley.c runs it exactly once. */
void gl_epub_global_init(void);
/* epub.c: the font mode to use for doc: mode itself unless AUTO, which
 * becomes SUBSET when the text has CJK characters, else NONE. */
galley_epub_fonts gl_epub_font_mode(const gl_doc *doc, galley_epub_fonts mode);

#endif
