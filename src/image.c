/*
 * image.c — checks PNG and JPEG files from their bytes (image.h).  Only the
 * structure is read here; libpng decodes the pixels in the PDF back end,
 * and JPEGs are embedded as they are.  Nothing above base.c.
 */
#include "image.h"
#include "deflate.h"

#include <string.h>

static const char *check_png(const unsigned char *d, size_t n, gl_image_info *out)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (n < 8 || memcmp(d, sig, 8) != 0)
        return NULL;
    out->type = GL_IMG_PNG;
    out->media_type = "image/png";
    size_t pos = 8;
    bool ihdr = false, idat = false;
    while (pos + 12 <= n) {
        uint32_t len = gl_be32(d + pos);
        if (len > n - pos - 12)
            return "corrupt PNG (truncated chunk)";
        const unsigned char *type = d + pos + 4;
        if (gl_crc32(type, 4 + (size_t)len) != gl_be32(d + pos + 8 + len))
            return "corrupt PNG (bad chunk CRC)";
        if (!ihdr) {
            if (memcmp(type, "IHDR", 4) != 0 || len != 13)
                return "corrupt PNG (no IHDR)";
            out->width = gl_be32(d + pos + 8);
            out->height = gl_be32(d + pos + 12);
            ihdr = true;
        } else if (memcmp(type, "IDAT", 4) == 0) {
            idat = true;
        } else if (memcmp(type, "IEND", 4) == 0) {
            if (!idat)
                return "corrupt PNG (no image data)";
            if (out->width == 0 || out->height == 0)
                return "corrupt PNG (zero size)";
            return "";
        }
        pos += 12 + (size_t)len;
    }
    return "corrupt PNG (truncated, no IEND)";
}

static const char *check_jpeg(const unsigned char *d, size_t n, gl_image_info *out)
{
    if (n < 3 || d[0] != 0xFF || d[1] != 0xD8 || d[2] != 0xFF)
        return NULL;
    out->type = GL_IMG_JPEG;
    out->media_type = "image/jpeg";
    size_t pos = 2;
    bool sof = false;
    for (;;) {
        if (pos >= n)
            return "corrupt JPEG (truncated header)";
        if (d[pos] != 0xFF)
            return "corrupt JPEG (bad marker)";
        while (pos < n && d[pos] == 0xFF)  // the marker's 0xFF and fill bytes
            pos++;
        if (pos >= n)
            return "corrupt JPEG (truncated header)";
        unsigned m = d[pos++];
        if (m == 0x01 || (m >= 0xD0 && m <= 0xD8))  // markers without a length
            continue;
        if (m == 0xD9)
            return "corrupt JPEG (no image data)";
        if (n - pos < 2)
            return "corrupt JPEG (truncated header)";
        size_t len = (size_t)d[pos] << 8 | d[pos + 1];
        if (len < 2)
            return "corrupt JPEG (bad segment length)";
        if (len > n - pos)
            return "corrupt JPEG (truncated segment)";
        if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
            const unsigned char *h = d + pos + 2;  // ITU T.81 §B.2.2
            if (len < 8)
                return "corrupt JPEG (short frame header)";
            if (m > 0xC2)
                return "unsupported JPEG (lossless, hierarchical or arithmetic coding)";
            if (h[0] != 8)
                return "unsupported JPEG (not 8 bits per sample)";
            out->height = (unsigned)h[1] << 8 | h[2];
            out->width = (unsigned)h[3] << 8 | h[4];
            if (out->width == 0 || out->height == 0)
                return "corrupt JPEG (zero size)";
            if (h[5] != 1 && h[5] != 3 && h[5] != 4)
                return "unsupported JPEG (neither gray, colour nor CMYK)";
            sof = true;
        } else if (m == 0xDA) {
            if (!sof)
                return "corrupt JPEG (no frame header before the scan)";
            if (d[n - 2] != 0xFF || d[n - 1] != 0xD9)
                return "corrupt JPEG (truncated, no end marker)";
            return "";
        }
        pos += len;
    }
}

const char *gl_image_check(const unsigned char *d, size_t n, gl_image_info *out)
{
    memset(out, 0, sizeof *out);
    const char *why = check_png(d, n, out);
    if (!why)
        why = check_jpeg(d, n, out);
    if (!why)
        memset(out, 0, sizeof *out);
    return why;
}
