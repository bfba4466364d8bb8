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
} gl_pdf_meta;

/* pdf.c: draws frames with libharu and writes the PDF to out_path
 * atomically.  Fonts are subset with gl_face_subset() before embedding. */
int gl_pdf_write(gl_ctx *ctx, const gl_frames *frames, const gl_fontset *fs,
                 const gl_pdf_meta *meta, const char *out_path);

/* epub.c: writes doc as EPUB 3 to out_path atomically. */
typedef struct {
    const char *identifier;   /* NULL: derived from the content */
    long long modified;       /* seconds since 1970, UTC, for dcterms:modified */
} gl_epub_opts;
int gl_epub_write(gl_ctx *ctx, const gl_doc *doc, const gl_epub_opts *eo, const char *out_path);

#endif
