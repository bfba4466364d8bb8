/*
 * pdf_int.h — the PDF back end's own: its state while writing a file, the
 * embedded fonts and images, and what pdf.c (document, pages, drawing,
 * navigation), pdf_font.c (font programs, CID fonts, widths, ToUnicode)
 * and pdf_image.c (PNG and JPEG) call of each other.  The one includer of
 * libharu's headers; nothing outside the PDF back end includes this.
 */
#ifndef GL_PDF_INT_H
#define GL_PDF_INT_H

#include "deflate.h"
#include "font.h"
#include "frame.h"
#include "image.h"

#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_font.h>
#include <hpdf_fontdef.h>
#include <hpdf_objects.h>
#include <hpdf_pages.h>
#include <hpdf_streams.h>
#include <hpdf_utils.h>

#define BMP_WORDS (0x10000 / 32)

// One embedded font: a canonical face id with the code points its runs use.
typedef struct {
    bool used;
    bool astral;             // a run has a code point above U+FFFF
    uint32_t *bmp;           // bitmap of BMP code points used (BMP_WORDS words)
    char *tmp_path;          // subset TrueType file, removed in cleanup
    char *subset;            // its bytes, embedded as they are (gl_pdf_font_finish)
    size_t subset_len;
    const char *hpdf_name;   // borrowed from libharu
    HPDF_Font font;
    float *width;            // advance per BMP code (0x10000), in 1/1000 em, as in W
    uint8_t *code;           // one-byte font: the code of each BMP character (0x10000
                             // entries), see one_byte_codes; NULL: two-byte codes
} face_slot;

typedef struct {
    gl_ctx *ctx;
    const char *out_path;
    HPDF_STATUS err_no, detail_no;   // last error libharu reported
    gl_deflater *deflate;             // for every stream but images and fonts
    gl_deflater *deflate_fonts;       // for the font programs
    gl_buf page;                     // a stream's bytes, to be deflated
    gl_buf packed;                   // the deflated bytes
    struct run_metrics *runm;        // draw_page: per run of the page
    size_t capruns;
} pdf_state;

// Calls libharu; on failure records the error (gl_pdf_fail) and jumps to
// the caller's cleanup label.
#define HP(call, what)                       \
    do {                                     \
        if ((call) != HPDF_OK) {             \
            gl_pdf_fail(ps, (what));   \
            goto cleanup;                    \
        }                                \
    } while (0)


// One embedded image per distinct path: a path drawn again reuses it.
typedef struct {
    const char *path;   // borrowed from the frames
    HPDF_Image image;
} image_slot;

typedef struct {
    image_slot *v;
    size_t n, cap;
} image_cache;
/* ---------------------------------------------------------------- pdf.c */

/* Records libharu's last error as the error of the run (GALLEY_ERR_BACKEND,
 * naming the output and what was being done; out of memory as such).
 * Returns -1. */
int gl_pdf_fail(pdf_state *ps, const char *what);
const char *gl_pdf_err_name(HPDF_STATUS e);
bool gl_pdf_is_ascii(const char *s);
/* Reads a memory stream's bytes into b (replacing what b held). */
int gl_pdf_read_stream(pdf_state *ps, HPDF_Stream st, gl_buf *b);
/* Replaces the contents of stream dictionary d by data deflated with z
 * (or ps->deflate); libharu then writes the bytes as they are. */
int gl_pdf_put_deflated_by(pdf_state *ps, gl_deflater *z, HPDF_Dict d, const char *data,
                           size_t len);
int gl_pdf_put_deflated(pdf_state *ps, HPDF_Dict d, const char *data, size_t len);
/* Deflates a stream dictionary's contents in place. */
int gl_pdf_deflate_stream(pdf_state *ps, HPDF_Dict d);

/* ---------------------------------------------------------------- pdf_font.c */

/* Marks in slots[] (GL_FACE_COUNT, zeroed) the faces the frames' runs use,
 * by canonical face, and the characters each draws. */
int gl_pdf_fonts_collect(pdf_state *ps, const gl_frames *frames, const gl_fontset *fs,
                         face_slot *slots);
/* Embeds the subset of face f: loads it into doc, gives it a reproducible
 * subset tag, codes (one byte when it fits), CMaps and widths. */
int gl_pdf_font_embed(pdf_state *ps, HPDF_Doc doc, const gl_fontset *fs, face_slot *slots,
                      int f);
/* Before saving: the font program and CIDToGIDMap deflated by us. */
int gl_pdf_font_finish(pdf_state *ps, HPDF_Doc doc, const face_slot *s);
/* Frees what the slots hold (after HPDF_Free, which closes the files). */
void gl_pdf_fonts_free(face_slot *slots);

/* ---------------------------------------------------------------- pdf_image.c */

/* The embedded image for path, loaded on first use and cached in ic.
 * NULL after recording the error. */
HPDF_Image gl_pdf_image(pdf_state *ps, HPDF_Doc doc, image_cache *ic, const char *path);

#endif
