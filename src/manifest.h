/*
 * manifest.h — a brief's YAML manifest: its inputs, metadata and options.
 */
#ifndef GL_MANIFEST_H
#define GL_MANIFEST_H

#include "base.h"

typedef struct {
    gl_arena arena;          /* every string below */
    const char **inputs;     /* as written (relative to the manifest's folder) */
    size_t ninputs, capinputs;
    const char *title, *subtitle, *author, *date, *lang;
    const char *paper, *margins, *font_size, *continuous, *cjk_punct, *linebreak;
    unsigned title_line;
} gl_manifest;

/* Reads the manifest at path.  Returns 0, or -1 with GALLEY_ERR_IO /
 * GALLEY_ERR_INPUT (naming path and line) on ctx; *m is then empty. */
int gl_manifest_read(gl_ctx *ctx, const char *path, gl_manifest *m);
void gl_manifest_free(gl_manifest *m);

#endif
