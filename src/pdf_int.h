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
#include <hpdf_objects.h>
#include <hpdf_pages.h>
#include <hpdf_streams.h>
#include <hpdf_utils.h>

#define GLYPH_LIMIT 0x10000              // glyph ids are 16-bit (maxp)
#define GLYPH_WORDS (GLYPH_LIMIT / 32)
#define TEXT_MULTI 0x80000000u           // face_slot.text: an offset into texts

// One embedded font: a canonical face id, the glyphs its runs draw and the
// text each stands for; then its codes, widths and PDF objects.
typedef struct {
    bool used;
    bool one_byte;           // one-byte codes (at most 253 glyphs), else two-byte CIDs
    bool cff;                // CIDFontType0 with FontFile3 /OpenType
    uint32_t *glyphs;        // bitmap of the glyph ids drawn (GLYPH_WORDS words)
    uint32_t *text;          // per glyph id: 0 (no text), a code point, or
                             // TEXT_MULTI | the offset in texts of its length
                             // followed by its code points (a ligature's letters)
    uint32_t *texts;
    size_t ntexts, captexts;
    const uint16_t *cmap;    // the face's glyph of each BMP character (borrowed)
    uint16_t *code;          // per glyph id: its code (one byte, or its CID)
    float *width;            // per glyph id: its advance in W, in 1/1000 em
    uint16_t space;          // the glyph of U+0020 (0: none)
    HPDF_Dict font;          // the Type0 font
    char res[12];            // its name in page resources ("F1")
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
/* Replaces the contents of stream dictionary d by data deflated with z
 * (or ps->deflate); libharu then writes the bytes as they are. */
int gl_pdf_put_deflated_by(pdf_state *ps, gl_deflater *z, HPDF_Dict d, const char *data,
                           size_t len);
int gl_pdf_put_deflated(pdf_state *ps, HPDF_Dict d, const char *data, size_t len);

/* ---------------------------------------------------------------- pdf_font.c */

/* Marks in slots[] (GL_FACE_COUNT, zeroed) the faces the frames' runs use,
 * by canonical face, the glyphs each draws and the text of each glyph
 * (from the runs' clusters; nominal glyphs for runs without glyphs). */
int gl_pdf_fonts_collect(pdf_state *ps, const gl_frames *frames, const gl_fontset *fs,
                         face_slot *slots);
/* Embeds the subset of face f as a Type0 font (its CIDFont, descriptor,
 * font program, widths, Encoding and ToUnicode CMaps) written with
 * libharu's object API; fills the slot's codes and widths. */
int gl_pdf_font_embed(pdf_state *ps, HPDF_Doc doc, const gl_fontset *fs, face_slot *slots,
                      int f);
/* Frees what the slots hold. */
void gl_pdf_fonts_free(face_slot *slots);

/* ---------------------------------------------------------------- pdf_image.c */

/* The embedded image for path, loaded on first use and cached in ic.
 * NULL after recording the error. */
HPDF_Image gl_pdf_image(pdf_state *ps, HPDF_Doc doc, image_cache *ic, const char *path);

#endif
