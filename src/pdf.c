/*
 * pdf.c — the PDF back end: draws frames (pages of positioned runs, rules
 * and images, with link areas, bookmarks and page labels) with libharu and
 * writes the file atomically.  Fonts (pdf_font.c) are subset by glyph id
 * with gl_face_subset_glyphs() and written as Type0 fonts of our own (text
 * is drawn by glyph: shaped glyphs, ligatures, every Unicode plane);
 * images come from pdf_image.c.  Knows nothing of layout or the document
 * model.
 *
 * libharu 2.3.0 quirks handled here :
 *   - it writes Info strings as raw bytes, so non-ASCII values (and outline
 *     titles) are written as UTF-16BE strings with a byte order mark
 *     (ISO 32000 §7.9.2.2);
 *   - its PNG loader lets libpng abort() the process on a corrupt data
 *     stream, so PNGs are decoded here with libpng and embedded as raw
 *     pixels (plus a soft mask for alpha);
 *   - HPDF_Destination_SetXYZ refuses zoom 0 ("keep"), so /XYZ
 *     destinations are written as arrays here;
 *   - it deflates every stream with zlib at level 6; page contents, most
 *     of a book's bytes, are deflated here with libdeflate instead (twice
 *     as fast for the same size) and handed over as they are.
 */
#define _POSIX_C_SOURCE 200809L   // gmtime_r
#include "pdf.h"
#include "pdf_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define GL_PDF_CREATOR "galley " GALLEY_VERSION_STRING

// A run as the reader will see it: its advance in points, and whether its
// string has a code 32 of its own (see run_advance).
struct run_metrics {
    double adv;
    bool own32;
    bool actual;   // a glyph's ToUnicode text is not the run's: /ActualText
};

// --------------------------------------------------------------- errors

const char *gl_pdf_err_name(HPDF_STATUS e)
{
    switch (e) {
    case HPDF_FAILD_TO_ALLOC_MEM: return "out of memory";
    case HPDF_FILE_IO_ERROR: return "file I/O error";
    case HPDF_FILE_OPEN_ERROR: return "cannot open file";
    case HPDF_FONT_EXISTS: return "font already loaded";
    case HPDF_INVALID_FONTDEF_DATA: return "invalid font data";
    case HPDF_INVALID_TTC_FILE: return "invalid TrueType collection";
    case HPDF_INVALID_DATE_TIME: return "invalid date";
    case HPDF_PAGE_INVALID_SIZE: return "invalid page size";
    case HPDF_PAGE_INVALID_FONT_SIZE: return "invalid font size";
    case HPDF_TTF_CANNOT_EMBEDDING_FONT: return "font does not permit embedding";
    case HPDF_TTF_INVALID_CMAP: return "invalid cmap table";
    case HPDF_TTF_INVALID_FOMAT: return "invalid TrueType format";
    case HPDF_TTF_MISSING_TABLE: return "missing TrueType table";
    case HPDF_UNSUPPORTED_FONT_TYPE: return "unsupported font type";
    case HPDF_INVALID_IMAGE: return "invalid image";
    case HPDF_INVALID_JPEG_DATA: return "invalid JPEG data";
    case HPDF_UNSUPPORTED_JPEG_FORMAT: return "unsupported JPEG format";
    case HPDF_INVALID_COLOR_SPACE: return "invalid colour space";
    case HPDF_LIBPNG_ERROR: return "libpng error";
    case HPDF_INVALID_DESTINATION: return "invalid destination";
    case HPDF_INVALID_OUTLINE: return "invalid outline";
    default: return "see hpdf_error.h";
    }
}

// libharu calls this on every error before the failing call returns.  It
// must not longjmp: it only remembers the codes, and the
// call site, which knows what it was doing, writes the message on the ctx.
static void HPDF_STDCALL on_hpdf_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user)
{
    pdf_state *st = user;
    st->err_no = error_no;
    st->detail_no = detail_no;
}

int gl_pdf_fail(pdf_state *st, const char *what)
{
    if (st->err_no == HPDF_FAILD_TO_ALLOC_MEM)
        return gl_oom(st->ctx);
    return gl_error(st->ctx, GALLEY_ERR_BACKEND, "%s: %s: libharu error 0x%04X (%s), detail %u",
                    st->out_path, what, (unsigned)st->err_no, gl_pdf_err_name(st->err_no),
                    (unsigned)st->detail_no);
}

// --------------------------------------------------------------- helpers

bool gl_pdf_is_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return false;
    return true;
}

// A PDF text string for non-ASCII text: UTF-16BE with a byte order mark
// (ISO 32000 §7.9.2.2), because libharu 2.3 copies UTF-8 bytes verbatim and
// readers then decode them as PDFDocEncoding (mojibake in pdfinfo).  Text
// beyond libharu's string limit is cut at a character boundary.  NULL after
// recording the error (what: the message's context).
static HPDF_Binary utf16_string(pdf_state *ps, HPDF_Doc doc, const char *value, const char *what)
{
    size_t n = strlen(value);
    unsigned char *u16 = gl_malloc(ps->ctx, 2 + 4 * n);
    if (!u16)
        return NULL;
    size_t k = 0, i = 0;
    u16[k++] = 0xFE;
    u16[k++] = 0xFF;
    while (i < n) {
        uint32_t cp = gl_utf8_next(value, n, &i);
        if (k + (cp >= 0x10000 ? 4 : 2) > HPDF_LIMIT_MAX_STRING_LEN)
            break;
        if (cp >= 0x10000) {
            uint32_t v = cp - 0x10000;
            uint32_t h = 0xD800 + (v >> 10), l = 0xDC00 + (v & 0x3FF);
            u16[k++] = (unsigned char)(h >> 8);
            u16[k++] = (unsigned char)h;
            u16[k++] = (unsigned char)(l >> 8);
            u16[k++] = (unsigned char)l;
        } else {
            u16[k++] = (unsigned char)(cp >> 8);
            u16[k++] = (unsigned char)cp;
        }
    }
    HPDF_Binary bin = HPDF_Binary_New(doc->mmgr, u16, (HPDF_UINT)k);
    gl_free(u16);
    if (!bin)
        gl_pdf_fail(ps, what);
    return bin;
}

// Sets an Info entry; non-ASCII text becomes a UTF-16BE string.
static int set_info(pdf_state *ps, HPDF_Doc doc, HPDF_InfoType type, const char *key,
                    const char *value)
{
    if (!value || !*value)
        return 0;
    if (gl_pdf_is_ascii(value)) {
        HP(HPDF_SetInfoAttr(doc, type, value), "writing the Info dictionary");
        return 0;
    }
    // Create the entry through the API first (that also creates the Info
    // dictionary), then replace its value with the binary string.
    HP(HPDF_SetInfoAttr(doc, type, "?"), "writing the Info dictionary");
    HPDF_Binary bin = utf16_string(ps, doc, value, "writing the Info dictionary");
    if (!bin)
        return -1;
    HP(HPDF_Dict_Add(doc->info, key, bin), "writing the Info dictionary");
    return 0;
cleanup:
    return -1;
}

// libdeflate's levels.  Page contents at 1 rather than 6: War and Peace's
// PDF 1.3% larger in 5% less time, Hongloumeng's two-byte text likewise.
// Font programs at 6, where level 1 would make a Chinese brief, which is
// mostly its font subset, 2% larger (and close to its 400 KB budget).
// Both books stay below the smallest PDFs of XeLaTeX (3.6 and 3.5 MB).
#define DEFLATE_LEVEL 1
#define DEFLATE_LEVEL_FONTS 6

// Written inside a page contents dictionary in place of libharu's own
// filter entry (see deflate_contents).
static HPDF_STATUS write_flate_filter(HPDF_Dict dict, HPDF_Stream stream)
{
    (void)dict;
    return HPDF_Stream_WriteStr(stream, "/Filter /FlateDecode\012");
}

// Reads a memory stream's bytes into b (replacing what b held).
static int read_stream(pdf_state *ps, HPDF_Stream st, gl_buf *b)
{
    b->len = 0;
    HPDF_UINT size = HPDF_Stream_Size(st);
    if (!size)
        return 0;
    if (GL_GROW(ps->ctx, b->data, b->cap, (size_t)size + 1))
        return -1;
    HPDF_UINT got = size;
    HPDF_STATUS e = HPDF_Stream_Seek(st, 0, HPDF_SEEK_SET);
    if (e == HPDF_OK)
        e = HPDF_Stream_Read(st, (HPDF_BYTE *)b->data, &got);
    if ((e != HPDF_OK && e != HPDF_STREAM_EOF) || got != size)
        return gl_pdf_fail(ps, "reading a stream back");
    b->len = got;
    return 0;
}

// Replaces the contents of stream dictionary d by data, deflated here.
// libharu then writes the bytes as they are, with no filter of its own,
// and write_flate_filter names the one applied.
int gl_pdf_put_deflated_by(pdf_state *ps, gl_deflater *z, HPDF_Dict d, const char *data,
                           size_t len)
{
    gl_buf *packed = &ps->packed;
    if (gl_deflate_zlib(z, data, len, packed, "a PDF stream"))
        return -1;
    HPDF_MemStream_FreeData(d->stream);
    if (HPDF_Stream_Write(d->stream, (const HPDF_BYTE *)packed->data,
                          (HPDF_UINT)packed->len) != HPDF_OK)
        return gl_pdf_fail(ps, "writing a stream");
    d->filter = HPDF_STREAM_FILTER_NONE;
    d->write_fn = write_flate_filter;
    return 0;
}

int gl_pdf_put_deflated(pdf_state *ps, HPDF_Dict d, const char *data, size_t len)
{
    return gl_pdf_put_deflated_by(ps, ps->deflate, d, data, len);
}

// Replaces the page's content stream with its deflated bytes: what libharu
// drew on it (images, rules) followed by text, the operators in `text`.
static int deflate_contents(pdf_state *ps, HPDF_Page page, const gl_buf *text)
{
    HPDF_PageAttr pa = page->attr;
    if (read_stream(ps, pa->stream, &ps->page) || gl_buf_put(&ps->page, text->data, text->len))
        return -1;
    return gl_pdf_put_deflated(ps, pa->contents, ps->page.data, ps->page.len);
}

static int set_date(pdf_state *ps, HPDF_Doc doc, HPDF_InfoType type, long long t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (t < 0 || !gmtime_r(&tt, &tm) || tm.tm_year + 1900 > 9999)
        return 0;   // no usable date: leave the entry out rather than fail
    HPDF_Date d = {.year = tm.tm_year + 1900, .month = tm.tm_mon + 1, .day = tm.tm_mday,
                   .hour = tm.tm_hour, .minutes = tm.tm_min, .seconds = tm.tm_sec,
                   .ind = 'Z', .off_hour = 0, .off_minutes = 0};
    if (HPDF_SetInfoDateAttr(doc, type, d) != HPDF_OK)
        return gl_pdf_fail(ps, "writing a date into the Info dictionary");
    return 0;
}

// --------------------------------------------------------------- drawing

// The colour of link text (GL_RUN_LINK): a dark blue that prints as text.
#define LINK_R 0.1f
#define LINK_G 0.2f
#define LINK_B 0.55f

// Text state of the current BT … ET object, so that Tf, Tc and Td are only
// written when they change: they dominate the content stream otherwise.
// The colours, render mode and line width are graphics state and persist
// across text objects on the page.
typedef struct {
    HPDF_Dict font;
    float size, char_space;
    long long x, y;       // line start in 1/100 pt, as the reader will sum it
    bool fill_link;       // fill colour is the link colour (else black)
    bool stroke_link;     // stroke colour is the link colour (else black)
    bool stroke_text;     // render mode 2 (fill, then stroke) for synthetic bold
    float line_width;     // -1: not set on this page
    float word_space;     // Tw, in unscaled text space units (points)
} text_state;

static bool finite_rect(float x, float y, float w, float h)
{
    return isfinite(x) && isfinite(y) && isfinite(w) && isfinite(h);
}

// A number as libharu writes it (up to five decimals, no trailing zeros).
static int put_real(gl_buf *b, HPDF_REAL v)
{
    char s[HPDF_REAL_LEN + 16];
    char *e = HPDF_FToA(s, v, s + sizeof s - 1);
    return gl_buf_put(b, s, (size_t)(e - s));
}

// An integer in decimal (printf is a tenth of the drawing time).
static int put_int(gl_buf *b, long v)
{
    char s[24], *e = s + sizeof s, *p = e;
    unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    return gl_buf_put(b, p, (size_t)(e - p));
}

// The fill (op "rg") or stroke ("RG") colour: link blue or black.
static int put_rgb(gl_buf *b, bool link, const char *op)
{
    int rc = 0;
    rc |= put_real(b, link ? LINK_R : 0);
    rc |= gl_buf_putc(b, ' ');
    rc |= put_real(b, link ? LINK_G : 0);
    rc |= gl_buf_putc(b, ' ');
    rc |= put_real(b, link ? LINK_B : 0);
    rc |= gl_buf_putc(b, ' ');
    rc |= gl_buf_puts(b, op);
    rc |= gl_buf_putc(b, '\n');
    return rc ? -1 : 0;
}

// The glyph of the character at text[*i] in a run without glyphs (its
// nominal glyph), advancing *i.
static inline uint32_t next_glyph(const face_slot *s, const gl_fontset *fs, const gl_run *run,
                                  size_t *i)
{
    uint32_t cp = gl_utf8_next(run->text, run->len, i);
    return cp < 0x10000 ? s->cmap[cp] : gl_face_glyph(fs, run->face, cp);
}

// True when glyph g is drawn as a code 32 of its own: a one-byte font's
// code 32 (the space), which Tw would widen (see line_word_space).
static inline bool own_code32(const face_slot *s, uint32_t g)
{
    return g == s->space || (s->one_byte && s->code[g] == 0x20);
}

// A shaped run's TJ adjustment before glyph i, in thousandths of the size
// to a hundredth: where the reader's pen is (pen) and where the glyph goes
// (target), both in points from the run's start.  Zero when the font's
// width already puts it there.
static inline double glyph_adjust(double pen, double target, double per_pt)
{
    return round((pen - target) * per_pt * 100.0) / 100.0;
}

// True when the text of glyph g in s (its ToUnicode entry) is t[0..n).
static bool text_is(const face_slot *s, uint32_t g, const char *t, size_t n)
{
    uint32_t x = s->text[g];
    size_t i = 0;
    if (!(x & TEXT_MULTI))
        return n > 0 && gl_utf8_next(t, n, &i) == x && i == n;
    const uint32_t *m = s->texts + (x & ~TEXT_MULTI);
    for (uint32_t k = 1; k <= m[0]; k++)
        if (i >= n || gl_utf8_next(t, n, &i) != m[k])
            return false;
    return i == n;
}

// True when a shaped run's glyphs would extract as other text than its
// own (run_advance checks runs without glyphs as it measures them): a
// glyph that stands for different texts keeps the first in ToUnicode
// (.notdef for several missing characters, one glyph shaped from two
// spellings), and a cluster's later glyph that elsewhere leads one.
// Such a run is drawn inside /ActualText (ISO 32000 §14.9.4).
static bool run_needs_actual(const face_slot *s, const gl_run *run)
{
    const gl_glyph_pos *gp = run->glyphs;
    for (uint32_t i = 0; i < run->nglyphs; i++) {
        uint32_t g = gp[i].gid < GLYPH_LIMIT ? gp[i].gid : 0;
        if (i > 0 && gp[i - 1].cluster == gp[i].cluster) {
            if (s->text[g])
                return true;
            continue;
        }
        uint32_t c = gp[i].cluster, end = run->len;
        for (uint32_t j = i + 1; j < run->nglyphs; j++)
            if (gp[j].cluster != c) {
                end = gp[j].cluster > c ? gp[j].cluster : end;
                break;
            }
        if (c > run->len || end < c || !text_is(s, g, run->text + c, end - c))
            return true;
    }
    return false;
}

// The advance of a run as the reader computes it, in points: the glyph
// widths at the size plus the character spacing after each glyph; for a
// shaped run, also the TJ adjustments put_glyphs writes between glyphs
// (the same arithmetic, so the same result).  Sets *own32 when the string
// has a code 32 of its own (Tw would widen it; see line_word_space).
static double run_advance(const face_slot *s, const gl_fontset *fs, const gl_run *run,
                          bool *own32, bool *actual)
{
    bool c32 = false;
    *actual = false;
    if (run->glyphs) {
        const double size = run->size, cs = run->char_space, per_pt = 1000.0 / size;
        double pen = 0, base = 0;
        for (uint32_t i = 0; i < run->nglyphs; i++) {
            const gl_glyph_pos *gp = &run->glyphs[i];
            uint32_t g = gp->gid < GLYPH_LIMIT ? gp->gid : 0;
            double n = glyph_adjust(pen, base + gp->dx, per_pt);
            if (n != 0)
                pen -= n / per_pt;
            pen += s->width[g] * size / 1000.0 + cs;
            base += gp->adv + cs;
            c32 |= own_code32(s, g);
        }
        *own32 = c32;
        *actual = pen != 0 && run_needs_actual(s, run);
        return pen;
    }
    double width = 0;
    size_t i = 0, nglyphs = 0;
    bool other = false;   // a glyph whose ToUnicode text is another character
    while (i < run->len) {
        uint32_t cp = gl_utf8_next(run->text, run->len, &i);
        uint32_t g = cp < 0x10000 ? s->cmap[cp] : gl_face_glyph(fs, run->face, cp);
        c32 |= own_code32(s, g);
        other |= s->text[g] != cp;
        width += s->width[g];
        nglyphs++;
    }
    *own32 = c32;
    *actual = other;
    return width * run->size / 1000 + (double)run->char_space * (double)nglyphs;
}

// ISO 32000 §7.3.4.2: in a literal string, backslash, parentheses, and
// end-of-line bytes (which readers would normalise) are escaped.
static inline unsigned char *put_code_byte(unsigned char *o, unsigned char c)
{
    switch (c) {
    case '(': case ')': case '\\':
        *o++ = '\\';
        *o++ = c;
        break;
    case '\r':
        *o++ = '\\';
        *o++ = 'r';
        break;
    case '\n':
        *o++ = '\\';
        *o++ = 'n';
        break;
    default:
        *o++ = c;
    }
    return o;
}

static inline unsigned char *put_code(unsigned char *o, const face_slot *s, uint32_t g)
{
    uint16_t c = s->code[g];
    if (s->one_byte)
        return put_code_byte(o, (unsigned char)c);
    o = put_code_byte(o, (unsigned char)(c >> 8));
    return put_code_byte(o, (unsigned char)c);
}

// The open TJ array: where it starts, how many strings it holds (see
// close_array), and the text rise in force (Ts, for glyphs drawn above or
// below the baseline).
typedef struct {
    size_t at, strings;
    float rise;
} tj_array;

static int close_array(gl_buf *b, size_t at, size_t strings);

// Ends the string and the array, sets the rise, and opens both again.
static int set_rise(gl_buf *b, tj_array *tj, float rise)
{
    int rc = gl_buf_putc(b, ')');
    rc |= close_array(b, tj->at, tj->strings);
    rc |= put_real(b, rise);
    rc |= gl_buf_puts(b, " Ts\n");
    tj->at = b->len;
    rc |= gl_buf_puts(b, "[(");
    tj->strings = 1;
    tj->rise = rise;
    return rc ? -1 : 0;
}

// A shaped run's glyphs: their codes, with a TJ adjustment before each
// glyph that the font's width alone would not put where the shaping did
// (kerning, offsets dx), and the rise (Ts) set for glyphs with an offset
// dy: Ts moves glyphs off the baseline without touching the pen or the
// line matrix, where a Td would start a new line.  The pen is kept as the
// reader sums it, so rounding never accumulates along the run.  Leaves
// the last string open for the caller to close.
static int put_glyphs(gl_buf *b, const face_slot *s, const gl_run *run, tj_array *tj)
{
    const double size = run->size, cs = run->char_space, per_pt = 1000.0 / size;
    double pen = 0, base = 0;
    for (uint32_t i = 0; i < run->nglyphs; i++) {
        const gl_glyph_pos *gp = &run->glyphs[i];
        uint32_t g = gp->gid < GLYPH_LIMIT ? gp->gid : 0;
        if (gp->dy != tj->rise && set_rise(b, tj, gp->dy))
            return -1;
        double n = glyph_adjust(pen, base + gp->dx, per_pt);
        if (n != 0) {
            pen -= n / per_pt;
            if (gl_buf_putc(b, ')') || put_real(b, (HPDF_REAL)n) || gl_buf_putc(b, '('))
                return -1;
            tj->strings++;
        }
        if (GL_GROW(b->ctx, b->data, b->cap, b->len + 8))
            return -1;
        unsigned char *o = put_code((unsigned char *)b->data + b->len, s, g);
        b->len = (size_t)((char *)o - b->data);
        pen += s->width[g] * size / 1000.0 + cs;
        base += gp->adv + cs;
    }
    if (tj->rise != 0 && set_rise(b, tj, 0))
        return -1;
    return 0;
}

// A run's codes and the ")" that ends its string, after a "(" or the
// string of an earlier run: a literal string (half the bytes of a hex
// string, which the deflate of the content stream then need not read) of
// a one-byte font's code of each glyph (pdf_font.c) or its two-byte CID.
// A run without glyphs draws each character's nominal glyph; a shaped run
// may become several strings with adjustments (put_glyphs).
static int put_codes(gl_buf *b, const face_slot *s, const gl_fontset *fs, const gl_run *run,
                     tj_array *tj)
{
    if (run->glyphs) {
        if (put_glyphs(b, s, run, tj) || gl_buf_putc(b, ')'))
            return -1;
        return 0;
    }
    // A character takes at most 4 bytes (two escaped) and at least one of
    // UTF-8: room for 4 per input byte and the parenthesis.
    if (GL_GROW(b->ctx, b->data, b->cap, b->len + 4 * (size_t)run->len + 8))
        return -1;
    unsigned char *o = (unsigned char *)b->data + b->len;
    size_t i = 0;
    if (s->one_byte) {
        while (i < run->len)
            o = put_code_byte(o, (unsigned char)s->code[next_glyph(s, fs, run, &i)]);
    } else {
        while (i < run->len)
            o = put_code(o, s, next_glyph(s, fs, run, &i));
    }
    *o++ = ')';
    b->len = (size_t)((char *)o - b->data);
    b->data[b->len] = 0;
    return 0;
}

static int put_string(gl_buf *b, const face_slot *s, const gl_fontset *fs, const gl_run *run,
                      tj_array *tj)
{
    return gl_buf_putc(b, '(') ? -1 : put_codes(b, s, fs, run, tj);
}

// Ends the TJ array opened at b->data[at]; one string alone is shown with
// Tj instead, a byte shorter (a Chinese line is usually one run).
static int close_array(gl_buf *b, size_t at, size_t strings)
{
    if (strings != 1)
        return gl_buf_puts(b, "]TJ\n");
    memmove(b->data + at, b->data + at + 1, b->len - at - 1);
    b->len--;
    return gl_buf_puts(b, "Tj\n");
}

// Word spaces.  A justified line's word gaps are mostly one width, so
// they are written as the space character with that width set by Tw
// (ISO 32000 §9.3.3: Tw widens single-byte code 32, so only in a one-byte
// font whose code 32 is the space; see one_byte_codes): "(right flank,
// beside which)" where "(right)-375(flank,)-376(beside)-375(which)" took a
// third more bytes to write and deflate (War and Peace: 6.9 MB of content
// streams became 4.4 MB, and the PDF a quarter smaller).  Readers also
// extract real spaces.  The gaps are equal only because W holds layout's
// own widths (fix_widths).  A gap the space does not fit within
// WORD_SPACE_TOL thousandths of an em (one of another width on the line)
// keeps its number; the pen is tracked as the reader sums it, so a
// difference never accumulates along the line.
#define WORD_SPACE_TOL 0.5

static bool tw_font(const face_slot *s)
{
    return s->one_byte && s->space && s->code[s->space] == 0x20 && s->width[s->space] > 0;
}

// The Tw for the TJ array that run i opens: the median of the gaps
// between it and the runs after it on the same line, less the space's own
// width, in points rounded to thousandths; 0 if the line has a run whose
// string has a code 32 of its own, which Tw would widen, or no gaps in
// this font.
static float line_word_space(const gl_page *pg, size_t i, const face_slot *slots,
                             const gl_fontset *fs, const struct run_metrics *rm)
{
    const gl_run *r0 = &pg->runs[i];
    const face_slot *s = &slots[gl_face_canonical(fs, r0->face)];
    double gaps[64];
    size_t n = 0;
    double sp = s->width[s->space] * (double)r0->size / 1000.0 + r0->char_space;
    const gl_run *prev = r0;
    size_t prev_i = i;
    for (size_t k = i; k < pg->nruns && pg->runs[k].y == r0->y; k++) {
        const gl_run *r = &pg->runs[k];
        if ((r->len == 0 && !r->glyphs) || rm[k].adv == 0)
            continue;
        if (rm[k].own32)
            return 0;
        if (k > i && n < sizeof gaps / sizeof *gaps && r->face == r0->face &&
            prev->face == r0->face && r->size == r0->size && r->char_space == r0->char_space &&
            r->x > prev->x)
            gaps[n++] = r->x - (prev->x + rm[prev_i].adv) - sp;
        prev = r;
        prev_i = k;
    }
    if (n == 0)
        return 0;
    for (size_t a = 1; a < n; a++) {   // insertion sort: a line has a few dozen
        double v = gaps[a];
        size_t k = a;
        for (; k > 0 && gaps[k - 1] > v; k--)
            gaps[k] = gaps[k - 1];
        gaps[k] = v;
    }
    double tw = round(gaps[n / 2] * 1000.0) / 1000.0;
    return tw > -sp && tw < 100 ? (float)tw : 0;
}

// Appends run to the string that ends b (the last thing in an open TJ
// array), after a space character or directly.
static int put_string_on(gl_buf *b, const face_slot *s, const gl_fontset *fs, const gl_run *run,
                         tj_array *tj, bool space)
{
    b->len--;   // the ")" closing that string
    if (space && gl_buf_putc(b, ' '))
        return -1;
    return put_codes(b, s, fs, run, tj);
}

// Opens a marked-content span whose /ActualText is the run's text, as a
// UTF-16BE string with a byte order mark (ISO 32000 §14.9.4, §7.9.2.2).
static int put_actual_text(gl_buf *b, const gl_run *run)
{
    int rc = gl_buf_puts(b, "/Span<</ActualText<FEFF");
    size_t i = 0;
    while (i < run->len) {
        uint32_t cp = gl_utf8_next(run->text, run->len, &i);
        if (cp >= 0x10000) {
            uint32_t v = cp - 0x10000;
            rc |= gl_buf_printf(b, "%04X%04X", 0xD800u + (v >> 10), 0xDC00u + (v & 0x3FF));
        } else {
            rc |= gl_buf_printf(b, "%04X", (unsigned)cp);
        }
    }
    rc |= gl_buf_puts(b, ">>>BDC\n");
    return rc ? -1 : 0;
}

// Puts font s in the page's /Resources /Font dictionary (*res: made on
// the first call for the page), under its own name.
static int page_font(pdf_state *ps, HPDF_Page page, HPDF_Dict *res, const face_slot *s)
{
    if (!*res) {
        HPDF_Dict r = HPDF_Page_GetInheritableItem(page, "Resources", HPDF_OCLASS_DICT);
        *res = r ? HPDF_Dict_New(page->mmgr) : NULL;
        if (!*res || HPDF_Dict_Add(r, "Font", *res) != HPDF_OK)
            return gl_pdf_fail(ps, "adding a font to a page");
    }
    if (HPDF_Dict_Add(*res, s->res, s->font) != HPDF_OK)
        return gl_pdf_fail(ps, "adding a font to a page");
    return 0;
}

static int draw_page(pdf_state *ps, HPDF_Doc doc, const gl_frames *frames, const gl_page *pg,
                     const gl_fontset *fs, const face_slot *slots, image_cache *ic, gl_buf *tmp,
                     HPDF_Page *out_page)
{
    int rc = -1;
    HPDF_Page page = HPDF_AddPage(doc);
    if (!page) {
        gl_pdf_fail(ps, "adding a page");
        goto cleanup;
    }
    *out_page = page;
    HP(HPDF_Page_SetWidth(page, (HPDF_REAL)frames->width), "setting the page size");
    HP(HPDF_Page_SetHeight(page, (HPDF_REAL)frames->height), "setting the page size");

    // Images first: text and rules may overlap them (a caption, a frame).
    for (size_t i = 0; i < pg->nimages; i++) {
        const gl_image *im = &pg->images[i];
        if (!im->path || !finite_rect(im->x, im->y, im->w, im->h) || im->w <= 0 || im->h <= 0) {
            gl_error(ps->ctx, GALLEY_ERR_INTERNAL, "%s: image %s with no path or no size",
                     ps->out_path, im->path ? im->path : "(null)");
            goto cleanup;
        }
        HPDF_Image img = gl_pdf_image(ps, doc, ic, im->path);
        if (!img)
            goto cleanup;
        HP(HPDF_Page_DrawImage(page, img, im->x, im->y, im->w, im->h), "drawing an image");
    }

    text_state ts = {.font = NULL, .size = -1, .char_space = 0, .x = 0, .y = 0,
                     .line_width = -1, .word_space = 0};
    for (size_t i = 0; i < pg->nrules; i++) {
        const gl_rule *r = &pg->rules[i];
        if (r->width != ts.line_width) {
            HP(HPDF_Page_SetLineWidth(page, r->width), "drawing a rule");
            ts.line_width = r->width;
        }
        HP(HPDF_Page_MoveTo(page, r->x0, r->y0), "drawing a rule");
        HP(HPDF_Page_LineTo(page, r->x1, r->y1), "drawing a rule");
        HP(HPDF_Page_Stroke(page), "drawing a rule");
    }

    // Text goes into the content stream from here, not through libharu's
    // text operators: HPDF_Page_ShowText measures every character with a
    // linear search of the font's cmap and re-encodes the string, which
    // took a third of the run time on a Chinese book.  The bytes are the
    // ones libharu would write (its number format, HPDF_FToA).
    //
    // The runs of a line that share the text state go into one TJ array:
    // a word space as the space character widened by Tw (see "Word
    // spaces"), any other gap as a number in thousandths of the size, where
    // a Td and a Tj took 17 bytes a word.  The pen is where the reader's
    // next glyph will go; each gap is rounded from it, so rounding (at most
    // 0.0005 em) never accumulates along the line.
    tmp->len = 0;
    if (GL_GROW(ps->ctx, ps->runm, ps->capruns, pg->nruns))
        goto cleanup;
    for (size_t i = 0; i < pg->nruns; i++) {
        const gl_run *run = &pg->runs[i];
        struct run_metrics *m = &ps->runm[i];
        m->own32 = false;
        m->actual = false;
        const face_slot *s = run->face >= 0 && run->face < GL_FACE_COUNT
                                 ? &slots[gl_face_canonical(fs, run->face)] : NULL;
        m->adv = s && s->used ? run_advance(s, fs, run, &m->own32, &m->actual) : 0;
    }
    bool in_text = false, in_array = false;
    float tw_y = NAN, tw_line = 0;   // the word space of the line at tw_y
    int tw_face = -1;
    tj_array tj = {.at = 0, .strings = 0, .rise = 0};
    unsigned fonts_here = 0;   // the slots in this page's /Font resources
    HPDF_Dict font_res = NULL;
    double pen = 0;
    for (size_t i = 0; i < pg->nruns; i++) {
        const gl_run *run = &pg->runs[i];
        if (run->len == 0 && !(run->glyphs && run->nglyphs))
            continue;
        if (run->face < 0 || run->face >= GL_FACE_COUNT) {
            gl_error(ps->ctx, GALLEY_ERR_INTERNAL, "%s: run with invalid face id %d",
                     ps->out_path, run->face);
            goto cleanup;
        }
        if (!(run->size > 0 && run->size <= HPDF_MAX_FONTSIZE)) {
            gl_error(ps->ctx, GALLEY_ERR_INTERNAL, "%s: run with font size %g", ps->out_path,
                     run->size);
            goto cleanup;
        }
        if (!(run->char_space >= HPDF_MIN_CHARSPACE && run->char_space <= HPDF_MAX_CHARSPACE)) {
            gl_error(ps->ctx, GALLEY_ERR_INTERNAL, "%s: run with character spacing %g",
                     ps->out_path, run->char_space);
            goto cleanup;
        }
        const face_slot *s = &slots[gl_face_canonical(fs, run->face)];
        // Like HPDF_Page_ShowText, a run that advances nothing (zero-width
        // characters only) is left out.
        double advance = ps->runm[i].adv;
        if (advance == 0)
            continue;
        // Link text is coloured; synthetic bold strokes the outline in the
        // text's own colour with a line of size/30.  Each is written only
        // when it changes, and undone by the next run without the flag.
        bool link = (run->flags & GL_RUN_LINK) != 0;
        bool bold = (run->flags & GL_RUN_FAKE_BOLD) != 0;
        long long x = llround(run->x * 100.0), y = llround(run->y * 100.0);
        bool actual = ps->runm[i].actual;
        if (in_array && !actual && s->font == ts.font && run->size == ts.size &&
            run->char_space == ts.char_space && link == ts.fill_link &&
            bold == ts.stroke_text && y == ts.y) {
            if (tw_font(s)) {
                double sp = s->width[s->space] * (double)run->size / 1000.0 +
                            run->char_space + ts.word_space;
                if (fabs(run->x - pen - sp) * 1000.0 <= WORD_SPACE_TOL * run->size) {
                    GL_CHECK(put_string_on(tmp, s, fs, run, &tj, true));
                    pen += sp + advance;
                    continue;
                }
            }
            long n = lround((pen - run->x) * 1000.0 / run->size);
            if (n == 0) {
                // no gap (a hyphen after its syllable): the string goes on
                GL_CHECK(put_string_on(tmp, s, fs, run, &tj, false));
                pen += advance;
                continue;
            }
            GL_CHECK(put_int(tmp, n));
            pen -= (double)n * run->size / 1000.0;
            GL_CHECK(put_string(tmp, s, fs, run, &tj));
            tj.strings++;
            pen += advance;
            continue;
        }
        if (in_array) {
            GL_CHECK(close_array(tmp, tj.at, tj.strings));
            in_array = false;
        }
        if (!in_text) {
            GL_CHECK(gl_buf_puts(tmp, "BT\n"));
            in_text = true;
        }
        if (s->font != ts.font || run->size != ts.size) {
            // The font's name in the page's /Resources /Font ("F1" for
            // face 0, ...: the same on every page).
            unsigned bit = 1u << (s - slots);
            if (!(fonts_here & bit)) {
                GL_CHECK(page_font(ps, page, &font_res, s));
                fonts_here |= bit;
            }
            GL_CHECK(gl_buf_putc(tmp, '/'));
            GL_CHECK(gl_buf_puts(tmp, s->res));
            GL_CHECK(gl_buf_putc(tmp, ' '));
            GL_CHECK(put_real(tmp, run->size));
            GL_CHECK(gl_buf_puts(tmp, " Tf\n"));
            ts.font = s->font;
            ts.size = run->size;
        }
        if (run->char_space != ts.char_space) {
            GL_CHECK(put_real(tmp, run->char_space));
            GL_CHECK(gl_buf_puts(tmp, " Tc\n"));
            ts.char_space = run->char_space;
        }
        // Tw only in one-byte fonts; back to 0 for any other, whose
        // two-byte codes some readers would wrongly widen at a 0x20 byte.
        // Once per line and face: a line's later arrays (after an italic
        // word, say) would find the same gaps again.
        if (run->y != tw_y || run->face != tw_face) {
            tw_line = tw_font(s) ? line_word_space(pg, i, slots, fs, ps->runm) : 0;
            tw_y = run->y;
            tw_face = run->face;
        }
        float tw = tw_font(s) ? tw_line : 0;
        if (tw != ts.word_space) {
            GL_CHECK(put_real(tmp, tw));
            GL_CHECK(gl_buf_puts(tmp, " Tw\n"));
            ts.word_space = tw;
        }
        if (link != ts.fill_link) {
            GL_CHECK(put_rgb(tmp, link, "rg"));
            ts.fill_link = link;
        }
        if (bold != ts.stroke_text) {
            GL_CHECK(gl_buf_puts(tmp, bold ? "2 Tr\n" : "0 Tr\n"));
            ts.stroke_text = bold;
        }
        if (bold) {
            if (link != ts.stroke_link) {
                GL_CHECK(put_rgb(tmp, link, "RG"));
                ts.stroke_link = link;
            }
            float lw = run->size / 30.0f;
            if (lw != ts.line_width) {
                GL_CHECK(put_real(tmp, lw));
                GL_CHECK(gl_buf_puts(tmp, " w\n"));
                ts.line_width = lw;
            }
        }
        // Td is relative to the previous line start; work in whole
        // hundredths of a point so rounding never accumulates.  (Finer steps
        // cost bytes: numbers are printed with five decimals, 224.62601.)
        if (x != ts.x || y != ts.y) {
            GL_CHECK(put_real(tmp, (HPDF_REAL)((double)(x - ts.x) / 100.0)));
            GL_CHECK(gl_buf_putc(tmp, ' '));
            GL_CHECK(put_real(tmp, (HPDF_REAL)((double)(y - ts.y) / 100.0)));
            GL_CHECK(gl_buf_puts(tmp, " Td\n"));
            ts.x = x;
            ts.y = y;
        }
        if (actual)
            GL_CHECK(put_actual_text(tmp, run));
        tj.at = tmp->len;
        GL_CHECK(gl_buf_putc(tmp, '['));
        in_array = true;
        tj.strings = 1;
        pen = (double)ts.x / 100.0;
        GL_CHECK(put_string(tmp, s, fs, run, &tj));
        pen += advance;
        if (actual) {   // the run alone in its span
            GL_CHECK(close_array(tmp, tj.at, tj.strings));
            GL_CHECK(gl_buf_puts(tmp, "EMC\n"));
            in_array = false;
        }
    }
    if (in_array)
        GL_CHECK(close_array(tmp, tj.at, tj.strings));
    if (in_text)
        GL_CHECK(gl_buf_puts(tmp, "ET\n"));
    GL_CHECK(deflate_contents(ps, page, tmp));
    rc = 0;
cleanup:
    return rc;
}

// --------------------------------------------------------------- navigation

// [page /XYZ null top null]: go to the page with `top` at the top of the
// window, keeping the reader's horizontal position and zoom (null, ISO
// 32000 §12.3.2.2).  libharu's SetXYZ refuses a zoom of 0 or null, so the
// array it made is refilled here.
static HPDF_Destination make_dest(pdf_state *ps, HPDF_Page target, float top, double height)
{
    HPDF_Destination d = HPDF_Page_CreateDestination(target);
    if (!d) {
        gl_pdf_fail(ps, "making a destination");
        return NULL;
    }
    double t = isfinite(top) ? top : height;
    t = t < 0 ? 0 : t > height ? height : t;
    HPDF_Array_Clear(d);   // drops libharu's /Fit (the page itself is indirect)
    HPDF_STATUS e = HPDF_Array_Add(d, target);
    e |= HPDF_Array_AddName(d, "XYZ");
    e |= HPDF_Array_Add(d, HPDF_Null_New(d->mmgr));
    e |= HPDF_Array_AddReal(d, (HPDF_REAL)t);
    e |= HPDF_Array_Add(d, HPDF_Null_New(d->mmgr));
    if (e != HPDF_OK) {
        gl_pdf_fail(ps, "making a destination");
        return NULL;
    }
    return d;
}

static bool has_prefix_ci(const char *s, const char *prefix)
{
    for (; *prefix; s++, prefix++) {
        char c = *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a') : *s;
        if (c != *prefix)
            return false;
    }
    return true;
}

// Only web and mail links leave the document: other schemes (javascript:,
// file:, launch-like ones) could act on the reader's machine.  Layout
// filters too; this is the back end's own guard.
static bool uri_allowed(const char *u)
{
    return has_prefix_ci(u, "http://") || has_prefix_ci(u, "https://") ||
           has_prefix_ci(u, "mailto:");
}

// The URI of a URI action is 7-bit ASCII (ISO 32000 §12.6.4.7): bytes
// outside printable ASCII are percent-encoded (RFC 3986 §2.1), a '%'
// already there is kept.  Empty result: too long for a PDF string.
static int uri_ascii(gl_buf *b, const char *u)
{
    b->len = 0;
    for (const unsigned char *p = (const unsigned char *)u; *p; p++) {
        int e = *p <= 0x20 || *p >= 0x7F ? gl_buf_printf(b, "%%%02X", *p)
                                         : gl_buf_putc(b, (char)*p);
        if (e)
            return -1;
    }
    if (b->len > 2000)   // no browser takes more; the PDF string limit is 65535
        b->len = 0;
    return gl_buf_putc(b, 0);
}

static int write_links(pdf_state *ps, const gl_frames *fr, HPDF_Page *pages, gl_buf *tmp)
{
    for (size_t p = 0; p < fr->npages; p++) {
        const gl_page *pg = &fr->pages[p];
        for (size_t i = 0; i < pg->nlinks; i++) {
            const gl_link *l = &pg->links[i];
            if (!finite_rect(l->x0, l->y0, l->x1, l->y1)) {
                gl_error(ps->ctx, GALLEY_ERR_INTERNAL, "%s: page %zu: link with no area",
                         ps->out_path, p + 1);
                return -1;
            }
            HPDF_Rect r = {.left = fminf(l->x0, l->x1), .bottom = fminf(l->y0, l->y1),
                           .right = fmaxf(l->x0, l->x1), .top = fmaxf(l->y0, l->y1)};
            HPDF_Annotation a;
            if (l->uri) {
                if (!uri_allowed(l->uri))
                    continue;   // dropped, as layout would have
                if (uri_ascii(tmp, l->uri))
                    return -1;
                if (tmp->len <= 1)
                    continue;
                a = HPDF_Page_CreateURILinkAnnot(pages[p], r, tmp->data);
            } else {
                if (l->page < 0 || (size_t)l->page >= fr->npages) {
                    gl_error(ps->ctx, GALLEY_ERR_INTERNAL,
                             "%s: page %zu: link to page index %d of %zu", ps->out_path, p + 1,
                             l->page, fr->npages);
                    return -1;
                }
                HPDF_Destination d = make_dest(ps, pages[l->page], l->y, fr->height);
                if (!d)
                    return -1;
                a = HPDF_Page_CreateLinkAnnot(pages[p], r, d);
            }
            // No border: a box around link text is a screen convention
            // that should not print (the text is coloured instead).
            if (!a || HPDF_LinkAnnot_SetBorderStyle(a, 0, 0, 0) != HPDF_OK)
                return gl_pdf_fail(ps, "adding a link");
        }
    }
    return 0;
}

// Bookmarks, nested by level: an entry goes under the nearest previous
// entry with a smaller level.  Top-level entries are open (their children
// show), deeper ones closed; the viewer opens with the bookmarks shown.
static int write_outlines(pdf_state *ps, HPDF_Doc doc, const gl_frames *fr, HPDF_Page *pages)
{
    if (fr->noutlines == 0)
        return 0;
    int rc = -1;
    HPDF_Outline *stack = gl_malloc(ps->ctx, fr->noutlines * sizeof *stack);
    int *levels = gl_malloc(ps->ctx, fr->noutlines * sizeof *levels);
    if (!stack || !levels)
        goto cleanup;
    size_t depth = 0;
    for (size_t i = 0; i < fr->noutlines; i++) {
        const gl_outline *e = &fr->outlines[i];
        if (e->page < 0 || (size_t)e->page >= fr->npages) {
            gl_error(ps->ctx, GALLEY_ERR_INTERNAL, "%s: bookmark %zu to page index %d of %zu",
                     ps->out_path, i + 1, e->page, fr->npages);
            goto cleanup;
        }
        while (depth > 0 && levels[depth - 1] >= e->level)
            depth--;
        HPDF_Outline parent = depth ? stack[depth - 1] : NULL;   // NULL: the root
        const char *title = e->title ? e->title : "";
        bool plain = gl_pdf_is_ascii(title) && strlen(title) <= HPDF_LIMIT_MAX_STRING_LEN;
        HPDF_Outline o = HPDF_CreateOutline(doc, parent, plain ? title : "", NULL);
        if (!o) {
            gl_pdf_fail(ps, "adding a bookmark");
            goto cleanup;
        }
        if (!plain) {
            HPDF_Binary t = utf16_string(ps, doc, title, "adding a bookmark");
            if (!t)
                goto cleanup;
            HP(HPDF_Dict_Add(o, "Title", t), "adding a bookmark");
        }
        // libharu gives items the root's /Type /Outlines; items have no
        // Type (ISO 32000 Table 153).
        HP(HPDF_Dict_RemoveElement(o, "Type"), "adding a bookmark");
        HP(HPDF_Outline_SetOpened(o, parent == NULL), "adding a bookmark");
        HPDF_Destination d = make_dest(ps, pages[e->page], e->y, fr->height);
        if (!d)
            goto cleanup;
        HP(HPDF_Outline_SetDestination(o, d), "adding a bookmark");
        stack[depth] = o;
        levels[depth] = e->level;
        depth++;
    }
    HP(HPDF_SetPageMode(doc, HPDF_PAGE_MODE_USE_OUTLINE), "showing the bookmarks");
    rc = 0;
cleanup:
    gl_free(stack);
    gl_free(levels);
    return rc;
}

// Page labels (ISO 32000 §12.4.2), so that viewers show the printed
// numbers: i, ii, ... for front matter, 1, 2, ... for the body, each range
// starting where the style changes or the numbering jumps.  A document
// numbered 1..n with no front matter gets none (the viewer's default).
static int write_page_labels(pdf_state *ps, HPDF_Doc doc, const gl_frames *fr)
{
    bool needed = false;
    for (size_t p = 0; p < fr->npages; p++)
        if (fr->pages[p].front || fr->pages[p].number != (int)p + 1)
            needed = true;
    if (!needed)
        return 0;
    int prev = 0;
    for (size_t p = 0; p < fr->npages; p++) {
        const gl_page *pg = &fr->pages[p];
        int num = pg->number < 1 ? 1 : pg->number;   // /St is at least 1
        if (p == 0 || pg->front != fr->pages[p - 1].front || num != prev + 1)
            HP(HPDF_AddPageLabel(doc, (HPDF_UINT)p,
                                 pg->front ? HPDF_PAGE_NUM_STYLE_LOWER_ROMAN
                                           : HPDF_PAGE_NUM_STYLE_DECIMAL,
                                 (HPDF_UINT)num, NULL),
               "adding page labels");
        prev = num;
    }
    return 0;
cleanup:
    return -1;
}

// --------------------------------------------------------------- entry

int gl_pdf_write(gl_ctx *ctx, const gl_frames *frames, const gl_fontset *fs,
                 const gl_pdf_meta *meta, const char *out_path)
{
    pdf_state st = {.ctx = ctx, .out_path = out_path, .err_no = 0, .detail_no = 0,
                    .deflate = NULL};
    pdf_state *ps = &st;   // what HP() reports through
    gl_buf_init(&st.page, ctx);
    gl_buf_init(&st.packed, ctx);
    face_slot slots[GL_FACE_COUNT];
    memset(slots, 0, sizeof slots);
    HPDF_Doc doc = NULL;
    gl_out out = {.path = NULL, .tmp_path = NULL, .fd = -1};
    bool out_open = false;
    gl_buf tmp;
    gl_buf_init(&tmp, ctx);
    HPDF_BYTE *pdf_bytes = NULL;
    HPDF_Page *pages = NULL;
    image_cache images = {.v = NULL, .n = 0, .cap = 0};
    int rc = -1;

    if (frames->width < 3 || frames->height < 3 || frames->width > 14400 ||
        frames->height > 14400) {
        // ISO 32000 Annex C: page sizes from 3 to 14,400 units.
        gl_error(ctx, GALLEY_ERR_ARG, "%s: page size %gx%g pt is outside 3..14400", out_path,
                 frames->width, frames->height);
        goto cleanup;
    }
    // Open the output first: an unwritable path fails before any work, and
    // an existing file stays untouched until the final rename.
    GL_CHECK(gl_out_open(ctx, &out, out_path));
    out_open = true;

    GL_CHECK(gl_pdf_fonts_collect(ps, frames, fs, slots));

    doc = HPDF_New(on_hpdf_error, &st);
    if (!doc) {
        gl_oom(ctx);
        goto cleanup;
    }
    st.deflate = gl_deflater_new(ctx, DEFLATE_LEVEL);
    st.deflate_fonts = gl_deflater_new(ctx, DEFLATE_LEVEL_FONTS);
    if (!st.deflate || !st.deflate_fonts)
        goto cleanup;
    HP(HPDF_SetCompressionMode(doc, HPDF_COMP_ALL), "enabling compression");

    // Embed one subset per canonical face, in face-id order (deterministic).
    for (int f = 0; f < GL_FACE_COUNT; f++)
        if (slots[f].used)
            GL_CHECK(gl_pdf_font_embed(ps, doc, fs, slots, f));

    if (frames->npages == 0) {
        // A PDF needs a page; an empty document gets one blank page.
        gl_page blank = {0};
        HPDF_Page page;
        GL_CHECK(draw_page(ps, doc, frames, &blank, fs, slots, &images, &tmp, &page));
    }
    pages = gl_malloc(ctx, (frames->npages ? frames->npages : 1) * sizeof *pages);
    if (!pages)
        goto cleanup;
    for (size_t p = 0; p < frames->npages; p++) {
        GL_CHECK(draw_page(ps, doc, frames, &frames->pages[p], fs, slots, &images, &tmp,
                           &pages[p]));
        if (meta && meta->progress)
            meta->progress(meta->progress_user, "pdf", p + 1, frames->npages);
    }
    // Links and bookmarks point at pages, so they come once all exist.
    GL_CHECK(write_links(ps, frames, pages, &tmp));
    GL_CHECK(write_outlines(ps, doc, frames, pages));
    GL_CHECK(write_page_labels(ps, doc, frames));

    // Info dictionary (ISO 32000 §14.3.3).
    char producer[96];
    snprintf(producer, sizeof producer, "%s with libharu %s", GL_PDF_CREATOR, HPDF_GetVersion());
    GL_CHECK(set_info(ps, doc, HPDF_INFO_PRODUCER, "Producer", producer));
    GL_CHECK(set_info(ps, doc, HPDF_INFO_CREATOR, "Creator", GL_PDF_CREATOR));
    if (meta) {
        GL_CHECK(set_info(ps, doc, HPDF_INFO_TITLE, "Title", meta->title));
        GL_CHECK(set_info(ps, doc, HPDF_INFO_AUTHOR, "Author", meta->author));
        GL_CHECK(set_info(ps, doc, HPDF_INFO_SUBJECT, "Subject", meta->subject));
        GL_CHECK(set_date(ps, doc, HPDF_INFO_CREATION_DATE, meta->created));
        GL_CHECK(set_date(ps, doc, HPDF_INFO_MOD_DATE, meta->created));
        if (meta->lang && *meta->lang && gl_pdf_is_ascii(meta->lang)) {
            // The document language (ISO 32000 §14.9.2) helps text-to-speech
            // and search; libharu 2.3 has no API for it.
            HPDF_String lang = HPDF_String_New(doc->mmgr, meta->lang, NULL);
            if (!lang) {
                gl_pdf_fail(ps, "setting the document language");
                goto cleanup;
            }
            HP(HPDF_Dict_Add(doc->catalog, "Lang", lang), "setting the document language");
        }
    }

    // Save to memory, then write the bytes atomically.
    HP(HPDF_SaveToStream(doc), "writing the PDF");
    HPDF_UINT32 size = HPDF_GetStreamSize(doc);
    pdf_bytes = gl_malloc(ctx, size ? size : 1);
    if (!pdf_bytes)
        goto cleanup;
    HPDF_UINT32 got = size;
    HPDF_STATUS rs = HPDF_ReadFromStream(doc, pdf_bytes, &got);
    // Reading everything may report end of stream; only a short read is bad.
    if ((rs != HPDF_OK && rs != HPDF_STREAM_EOF) || got != size) {
        gl_pdf_fail(ps, "reading the PDF back from memory");
        goto cleanup;
    }
    GL_CHECK(gl_out_write(ctx, &out, pdf_bytes, size));
    out_open = false;   // gl_out_commit cleans up after itself on failure
    GL_CHECK(gl_out_commit(ctx, &out));
    rc = 0;

cleanup:
    if (out_open)
        gl_out_abort(&out);
    if (doc)
        HPDF_Free(doc);
    gl_pdf_fonts_free(slots);
    gl_free(pdf_bytes);
    gl_free(pages);
    gl_free(images.v);
    gl_buf_free(&tmp);
    gl_buf_free(&st.page);
    gl_buf_free(&st.packed);
    gl_free(st.runm);
    gl_deflater_free(st.deflate);
    gl_deflater_free(st.deflate_fonts);
    return rc;
}