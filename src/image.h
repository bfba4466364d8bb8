/*
 * image.h — what galley accepts as an image, decided once: a PNG or a JPEG
 * checked from its bytes.  The Markdown reader's probe (doc.c) and the PDF
 * back end (pdf_image.c) both ask here, so an image accepted when read is
 * never refused when written.  No foreign library.
 */
#ifndef GL_IMAGE_H
#define GL_IMAGE_H

#include "base.h"

typedef enum { GL_IMG_PNG = 1, GL_IMG_JPEG } gl_image_type;
typedef struct {
    gl_image_type type;
    unsigned width, height;    /* pixels */
    const char *media_type;    /* "image/png" or "image/jpeg" */
} gl_image_info;

/* Checks an image file's n bytes at d and fills out.  Returns NULL when
 * they are neither a PNG nor a JPEG, "" when they are a sound one, else
 * why not ("corrupt PNG (bad chunk CRC)", "unsupported JPEG (not 8 bits
 * per sample)", ...).
 * PNG: signature, IHDR first, every chunk inside the file with a good CRC,
 * at least one IDAT, IEND last, a size (PNG spec §5).
 * JPEG: SOI, segments up to the first scan (SOS) with a frame header
 * before it that PDF's DCTDecode takes (baseline, extended or progressive
 * Huffman coding, 8 bits per sample, 1, 3 or 4 components, a size), and
 * EOI at the end (ITU T.81 Annex B). */
const char *gl_image_check(const unsigned char *d, size_t n, gl_image_info *out);

#endif
