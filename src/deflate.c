/*
 * deflate.c — DEFLATE for the PDF and EPUB back ends through libdeflate,
 * which compresses a whole buffer at once about twice as fast as zlib for
 * the same size.  Buffers only: no files, no knowledge of either format.
 */
#include "deflate.h"

#include <libdeflate.h>

struct gl_deflater {
    gl_ctx *ctx;
    struct libdeflate_compressor *c;
};

gl_deflater *gl_deflater_new(gl_ctx *ctx, int level)
{
    gl_deflater *z = gl_calloc(ctx, 1, sizeof *z);
    if (!z)
        return NULL;
    z->ctx = ctx;
    z->c = libdeflate_alloc_compressor(level);
    if (!z->c) {
        gl_free(z);
        gl_oom(ctx);
        return NULL;
    }
    return z;
}

void gl_deflater_free(gl_deflater *z)
{
    if (!z)
        return;
    libdeflate_free_compressor(z->c);
    gl_free(z);
}

static int deflate_into(gl_deflater *z, bool zlib, const void *p, size_t n, gl_buf *out,
                        const char *what)
{
    size_t bound = zlib ? libdeflate_zlib_compress_bound(z->c, n)
                        : libdeflate_deflate_compress_bound(z->c, n);
    out->len = 0;
    if (GL_GROW(z->ctx, out->data, out->cap, bound + 1))
        return -1;
    out->len = zlib ? libdeflate_zlib_compress(z->c, p, n, out->data, bound)
                    : libdeflate_deflate_compress(z->c, p, n, out->data, bound);
    out->data[out->len] = 0;  // gl_buf's promise
    // Only a buffer smaller than the bound makes libdeflate return 0, but
    // an empty input still compresses to a few bytes.
    if (!out->len)
        return gl_error(z->ctx, GALLEY_ERR_INTERNAL, "cannot deflate %s", what);
    return 0;
}

int gl_deflate_zlib(gl_deflater *z, const void *p, size_t n, gl_buf *out, const char *what)
{
    return deflate_into(z, true, p, n, out, what);
}

int gl_deflate_raw(gl_deflater *z, const void *p, size_t n, gl_buf *out, const char *what)
{
    return deflate_into(z, false, p, n, out, what);
}

uint32_t gl_crc32(const void *p, size_t n)
{
    return libdeflate_crc32(0, p, n);
}
