/*
 * pdf.h — the PDF back end: frames in (pages of positioned runs, rules,
 * images, links), a PDF file out.  It never sees the document model.
 */
#ifndef GL_PDF_H
#define GL_PDF_H

#include "font.h"
#include "frame.h"

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

#endif
