/*
 * deflate.h — DEFLATE compression for both back ends: zlib-wrapped streams
 * for the PDF (FlateDecode) and raw ones with their CRC-32 for the EPUB's
 * ZIP entries.  The one includer of libdeflate.
 */
#ifndef GL_DEFLATE_H
#define GL_DEFLATE_H

#include "base.h"

typedef struct gl_deflater gl_deflater;

/* A compressor at level 1 (fastest) to 12 (smallest).  NULL on OOM (with
 * the error on ctx). */
gl_deflater *gl_deflater_new(gl_ctx *ctx, int level);
void gl_deflater_free(gl_deflater *z);

/* Deflates n bytes at p into out, replacing what out held: zlib framing
 * (RFC 1950) or raw DEFLATE (RFC 1951).  Returns 0, or -1 on OOM or when
 * the compressor fails (GALLEY_ERR_INTERNAL, naming what). */
int gl_deflate_zlib(gl_deflater *z, const void *p, size_t n, gl_buf *out, const char *what);
int gl_deflate_raw(gl_deflater *z, const void *p, size_t n, gl_buf *out, const char *what);

/* The CRC-32 of ZIP and PNG (ISO 3309). */
uint32_t gl_crc32(const void *p, size_t n);

#endif
