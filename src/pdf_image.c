/*
 * pdf_image.c — the PDF back end's images: each PNG or JPEG file read
 * once, checked by the same rules as when it was read (image.h), then
 * embedded: PNGs decoded with libpng into raw pixels and a soft mask for
 * alpha, JPEGs as they are (DCTDecode).  The one includer of libpng.
 */
#include "pdf_int.h"

#include <png.h>

#include <stdio.h>
#include <string.h>

// Raw pixels beyond this are refused rather than risked (a 8,000 x 8,000
// RGB picture is 192 MB before compression; print needs far less).
#define GL_PDF_MAX_IMAGE_BYTES ((uint64_t)256 << 20)

static int image_error(pdf_state *ps, const char *path, const char *why)
{
    return gl_error(ps->ctx, GALLEY_ERR_BACKEND, "%s: cannot embed image: %s", path, why);
}

static int image_hpdf_error(pdf_state *ps, const char *path)
{
    if (ps->err_no == HPDF_FAILD_TO_ALLOC_MEM)
        return gl_oom(ps->ctx);
    return gl_error(ps->ctx, GALLEY_ERR_BACKEND,
                    "%s: cannot embed image: libharu error 0x%04X (%s), detail %u", path,
                    (unsigned)ps->err_no, gl_pdf_err_name(ps->err_no), (unsigned)ps->detail_no);
}

// A PNG through libpng's simplified API, which catches libpng's errors
// itself (HPDF_LoadPngImageFromFile would let libpng abort() on a corrupt
// data stream, and fails on mere libpng warnings).  Pixels go in as 8-bit
// Gray or RGB; an alpha channel that is not all opaque becomes a soft mask.
static HPDF_Image load_png(pdf_state *ps, HPDF_Doc doc, const char *path, const gl_buf *file)
{
    HPDF_Image img = NULL;
    unsigned char *px = NULL, *alpha = NULL;
    png_image pi;
    memset(&pi, 0, sizeof pi);
    pi.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&pi, file->data, file->len)) {
        image_error(ps, path, pi.message[0] ? pi.message : "unreadable PNG");
        goto cleanup;
    }
    // tRNS transparency reports as alpha too.
    bool color = (pi.format & PNG_FORMAT_FLAG_COLOR) != 0;
    bool has_alpha = (pi.format & PNG_FORMAT_FLAG_ALPHA) != 0;
    pi.format = (color ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY) | (has_alpha ? PNG_FORMAT_FLAG_ALPHA : 0);
    unsigned ch = PNG_IMAGE_PIXEL_CHANNELS(pi.format);
    uint64_t npx = (uint64_t)pi.width * pi.height;
    if (npx == 0 || npx * ch > GL_PDF_MAX_IMAGE_BYTES) {
        image_error(ps, path, "PNG too large");
        goto cleanup;
    }
    px = gl_malloc(ps->ctx, (size_t)(npx * ch));
    if (!px)
        goto cleanup;
    if (!png_image_finish_read(&pi, NULL, px, 0, NULL)) {
        image_error(ps, path, pi.message[0] ? pi.message : "corrupt PNG");
        goto cleanup;
    }
    bool opaque = true;
    if (has_alpha) {
        // Split the alpha samples off, packing the colour samples in place
        // (the write position never passes the read position).
        unsigned cc = ch - 1;
        alpha = gl_malloc(ps->ctx, (size_t)npx);
        if (!alpha)
            goto cleanup;
        for (size_t i = 0; i < (size_t)npx; i++) {
            alpha[i] = px[i * ch + cc];
            opaque &= alpha[i] == 0xFF;
            memmove(px + i * cc, px + i * ch, cc);
        }
    }
    img = HPDF_LoadRawImageFromMem(doc, px, pi.width, pi.height,
                                   color ? HPDF_CS_DEVICE_RGB : HPDF_CS_DEVICE_GRAY, 8);
    if (!img) {
        image_hpdf_error(ps, path);
        goto cleanup;
    }
    if (!opaque) {
        HPDF_Image mask = HPDF_LoadRawImageFromMem(doc, alpha, pi.width, pi.height,
                                                   HPDF_CS_DEVICE_GRAY, 8);
        if (!mask || HPDF_Image_AddSMask(img, mask) != HPDF_OK) {
            image_hpdf_error(ps, path);
            img = NULL;   // libharu frees it with the document
            goto cleanup;
        }
        // Soft masks are PDF 1.4 (ISO 32000 §11.6.5.3).
        if (doc->pdf_version < HPDF_VER_14)
            doc->pdf_version = HPDF_VER_14;
    }
cleanup:
    png_image_free(&pi);   // a no-op once finish_read has succeeded
    gl_free(px);
    gl_free(alpha);
    return img;
}

// The embedded image for path, loaded on first use.  JPEGs go in as they
// are (DCTDecode): libharu only parses their headers.
HPDF_Image gl_pdf_image(pdf_state *ps, HPDF_Doc doc, image_cache *ic, const char *path)
{
    for (size_t i = 0; i < ic->n; i++)
        if (strcmp(ic->v[i].path, path) == 0)
            return ic->v[i].image;
    if (GL_GROW(ps->ctx, ic->v, ic->cap, ic->n + 1))
        return NULL;
    // Read whole, so that what is checked is what is embedded.
    HPDF_Image img = NULL;
    gl_buf file;
    gl_buf_init(&file, ps->ctx);
    FILE *f = fopen(path, "rb");
    if (!f) {
        image_error(ps, path, "cannot open the file");
        return NULL;
    }
    char chunk[65536];
    size_t got;
    bool oom = false;
    while (!oom && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
        oom = gl_buf_put(&file, chunk, got) != 0;
    bool rerr = ferror(f);
    fclose(f);
    if (oom)
        goto cleanup;
    if (rerr) {
        image_error(ps, path, "cannot read the file");
        goto cleanup;
    }
    gl_image_info info;
    const char *why = gl_image_check((const unsigned char *)(file.data ? file.data : ""),
                                     file.len, &info);
    if (!why) {
        image_error(ps, path, "not a PNG or JPEG image");
    } else if (why[0]) {
        image_error(ps, path, why);
    } else if (info.type == GL_IMG_PNG) {
        img = load_png(ps, doc, path, &file);
    } else {
        img = HPDF_LoadJpegImageFromMem(doc, (const HPDF_BYTE *)file.data, (HPDF_UINT)file.len);
        if (!img)
            image_hpdf_error(ps, path);
    }
    if (img) {
        ic->v[ic->n].path = path;
        ic->v[ic->n].image = img;
        ic->n++;
    }
cleanup:
    gl_buf_free(&file);
    return img;
}
