/*
 * galley_int.h — what galley.c, the API glue, offers the tests and fuzzers
 * beyond include/galley.h: the translation of the public options into the
 * layout engine's own, the layout behind galley_write_pdf, and the
 * fault-injection hook of the tests.
 */
#ifndef GL_GALLEY_INT_H
#define GL_GALLEY_INT_H

#include "layout.h"

/* Fills lo from the public options (CJK text gets more leading: 1.75
 * against 1.4 unless opt->leading is set) and checks it with
 * gl_layout_opts_check.  Returns 0, or -1 with GALLEY_ERR_ARG on ctx. */
int gl_layout_opts_from(gl_ctx *ctx, gl_layout_opts *lo, const galley_options *opt);

/* Fault injection for the tests (never read from the environment: the
 * released library has no switch a user could trip by accident): the nth
 * allocation on ctx from now fails, and so does every later one, as when
 * memory has run out; n = 0 turns it off.  Calls on ctx then return
 * GALLEY_ERR_NOMEM. */
void gl_fail_alloc_after(galley_ctx *ctx, unsigned long n);

/* Lays doc out as galley_write_pdf does, from the same options (NULL:
 * defaults) and fonts, with gl_layout_opts.trace set as asked.  Returns the
 * frames and, in *fs, the font set they refer to (caller frees both, with
 * gl_frames_free and gl_fontset_free), or NULL with the error on ctx and
 * *fs NULL. */
gl_frames *gl_galley_layout(gl_ctx *ctx, const gl_doc *doc, const galley_options *opt,
                            bool trace, gl_fontset **fs);

#endif
