/*
 * shape.h — words shaped once: a cache in front of font.c's HarfBuzz
 * shaping, keyed by face and text.  A book repeats its words: War and
 * Peace has 561,657 words but 41,838 distinct ones, and shaping each of
 * them every time would cost more than all the rest of its layout.
 */
#ifndef GL_SHAPE_H
#define GL_SHAPE_H

#include "font.h"

typedef struct gl_shape_cache gl_shape_cache;

/* A cache for one language (BCP 47 tag or NULL; borrowed).  NULL on OOM. */
gl_shape_cache *gl_shape_cache_new(gl_ctx *ctx, gl_fontset *fs, const char *lang);
void gl_shape_cache_free(gl_shape_cache *c);

/* The glyphs of text[0..len) in face (see gl_face_shape), in em, with
 * clusters as byte offsets into text; *n gets their count.  *trivial is
 * true when shaping changed nothing: one glyph per character, its nominal
 * glyph at its nominal advance, no offset (most words of most fonts
 * without kerning pairs or ligatures in them).  NULL when the face cannot
 * be shaped or on OOM (ctx->oom tells). */
const gl_shaped *gl_shape_word(gl_shape_cache *c, int face, const char *text, size_t len,
                               size_t *n, bool *trivial);

#endif
