/*
 * pdf.c — the PDF back end: draws frames (pages of positioned runs, rules
 * and images, with link areas, bookmarks and page numbering) with libharu
 * and writes the file atomically.  Fonts are subset with gl_face_subset()
 * and embedded as CID TrueType.  The only includer of hpdf.h; knows nothing
 * of layout or the document model (STYLE.md S7).
 *
 * libharu 2.3.0 quirks handled here (DESIGN.md "Facts already measured"):
 *   - with its UTF-8 encoder a run's codes are the UTF-16 code units
 *     themselves (Identity-H, CID = Unicode scalar, CIDToGIDMap to glyphs);
 *   - its ToUnicode CMap is an invalid `begincidrange` map, so we rewrite
 *     that stream with bfchar/bfrange entries for the codes actually used;
 *   - its subset tag is a per-document counter ("HPDFAA+"); we derive ours
 *     from the face and its code points so that output is reproducible;
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
#include "font.h"
#include "frame.h"

#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_font.h>
#include <hpdf_fontdef.h>
#include <hpdf_objects.h>
#include <hpdf_pages.h>
#include <hpdf_streams.h>
#include <hpdf_utils.h>

#include <libdeflate.h>
#include <png.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define GL_PDF_CREATOR "galley " GALLEY_VERSION_STRING

#define BMP_WORDS (0x10000 / 32)

// One embedded font: a canonical face id with the code points its runs use.
typedef struct {
    bool used;
    bool astral;             // a run has a code point above U+FFFF
    uint32_t *bmp;           // bitmap of BMP code points used (BMP_WORDS words)
    char *tmp_path;          // subset TrueType file, removed in cleanup
    char *subset;            // its bytes, embedded as they are (deflate_font)
    size_t subset_len;
    const char *hpdf_name;   // borrowed from libharu
    HPDF_Font font;
    float *width;            // advance per BMP code (0x10000), in 1/1000 em, as in W
    uint8_t *code;           // one-byte font: the code of each BMP character (0x10000
                             // entries), see one_byte_codes; NULL: two-byte codes
} face_slot;

// A run as the reader will see it: its advance in points, and whether its
// string has a code 32 of its own (see run_advance).
struct run_metrics {
    double adv;
    bool own32;
};

typedef struct {
    gl_ctx *ctx;
    const char *out_path;
    HPDF_STATUS err_no, detail_no;   // last error libharu reported
    struct libdeflate_compressor *deflate;   // for every stream but images and fonts
    struct libdeflate_compressor *deflate_fonts;   // for the font programs
    gl_buf page;                     // a stream's bytes, to be deflated
    gl_buf packed;                   // the deflated bytes
    struct run_metrics *runm;        // draw_page: per run of the page
    size_t capruns;
} pdf_state;

// --------------------------------------------------------------- errors

static const char *hpdf_err_name(HPDF_STATUS e)
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
// must not longjmp (STYLE.md S4.5): it only remembers the codes, and the
// call site, which knows what it was doing, writes the message on the ctx.
static void HPDF_STDCALL on_hpdf_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user)
{
    pdf_state *st = user;
    st->err_no = error_no;
    st->detail_no = detail_no;
}

static int hpdf_fail(pdf_state *st, const char *what)
{
    if (st->err_no == HPDF_FAILD_TO_ALLOC_MEM)
        return gl_oom(st->ctx);
    return gl_error(st->ctx, GALLEY_ERR_BACKEND, "%s: %s: libharu error 0x%04X (%s), detail %u",
                    st->out_path, what, (unsigned)st->err_no, hpdf_err_name(st->err_no),
                    (unsigned)st->detail_no);
}

#define HP(call, what)                   \
    do {                                 \
        if ((call) != HPDF_OK) {         \
            hpdf_fail(ps, (what));       \
            goto cleanup;                \
        }                                \
    } while (0)

// --------------------------------------------------------------- helpers

static bool is_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return false;
    return true;
}

// FNV-1a, 64-bit: a stable hash for subset tags.
static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static bool bmp_has(const uint32_t *bmp, uint32_t cp)
{
    return (bmp[cp >> 5] >> (cp & 31)) & 1u;
}

// The code points of a slot in ascending order (caller frees).
static uint32_t *slot_cps(gl_ctx *ctx, const face_slot *s, size_t *n)
{
    size_t count = 0;
    for (uint32_t cp = 0; cp < 0x10000; cp++)
        count += bmp_has(s->bmp, cp);
    uint32_t *cps = gl_malloc(ctx, (count ? count : 1) * sizeof *cps);
    if (!cps)
        return NULL;
    size_t k = 0;
    for (uint32_t cp = 0; cp < 0x10000; cp++)
        if (bmp_has(s->bmp, cp))
            cps[k++] = cp;
    *n = count;
    return cps;
}

// "ABCDEF": the six-letter subset tag of ISO 32000 §9.6.4, derived from the
// face and its code points so that the same input gives the same bytes.
static void subset_tag(const char *psname, const uint32_t *cps, size_t n, char tag[7])
{
    uint64_t h = fnv1a(0xcbf29ce484222325ULL, psname, strlen(psname));
    for (size_t i = 0; i < n; i++) {
        unsigned char b[4] = {(unsigned char)cps[i], (unsigned char)(cps[i] >> 8),
                              (unsigned char)(cps[i] >> 16), 0};
        h = fnv1a(h, b, 3);
    }
    for (int i = 0; i < 6; i++) {
        tag[i] = (char)('A' + h % 26);
        h /= 26;
    }
    tag[6] = 0;
}

// The codes of a font and the characters (= CIDs) they stand for, in code
// order: two-byte codes are the characters themselves, one-byte codes come
// from one_byte_codes.
typedef struct {
    uint32_t code, cp;
} code_map;

// Fills m (room for n) from a slot's characters; returns the count.
static size_t font_codes(const face_slot *s, const uint32_t *cps, size_t n, code_map *m)
{
    for (size_t i = 0; i < n; i++)
        m[i] = (code_map){s->code ? s->code[cps[i]] : cps[i], cps[i]};
    if (s->code) {   // sort by code (insertion: at most 253 entries)
        for (size_t i = 1; i < n; i++) {
            code_map x = m[i];
            size_t j = i;
            for (; j > 0 && m[j - 1].code > x.code; j--)
                m[j] = m[j - 1];
            m[j] = x;
        }
    }
    return n;
}

// Writes the sections of a CMap that map codes to CIDs (cid = true:
// cidrange/cidchar, for an Encoding) or to Unicode (bfrange/bfchar, for
// ToUnicode).  Codes whose characters follow on one by one become ranges,
// which may not cross a first-byte boundary of two-byte codes; each section
// holds at most 100 entries (the limit of PostScript CMap operators).
static int write_cmap_entries(gl_buf *b, const code_map *m, size_t n, bool one_byte, bool cid)
{
    const char *kind = cid ? "cid" : "bf";
    const char *cfmt = one_byte ? "<%02X>" : "<%04X>";
    int rc = 0;
    size_t i = 0;
    while (i < n && rc == 0) {
        // Gather up to 100 entries of one kind (range or single) at a time.
        uint32_t lo[100], hi[100], to[100];
        size_t k = 0, j = i;
        bool ranges = false;
        for (int pass = 0; pass < 2; pass++) {
            if (pass == 1)
                j = i;
            while (j < n && (pass == 1 ? k < 100 : j == i)) {
                size_t e = j;
                while (e + 1 < n && m[e + 1].code == m[e].code + 1 && m[e + 1].cp == m[e].cp + 1
                       && (m[e + 1].code >> 8) == (m[j].code >> 8))
                    e++;
                if (pass == 0) {
                    ranges = e > j;
                    break;
                }
                if ((e > j) != ranges)
                    break;
                lo[k] = m[j].code;
                hi[k] = m[e].code;
                to[k] = m[j].cp;
                k++;
                j = e + 1;
            }
        }
        rc |= gl_buf_printf(b, "%zu begin%s%s\n", k, kind, ranges ? "range" : "char");
        for (size_t q = 0; q < k; q++) {
            rc |= gl_buf_printf(b, cfmt, (unsigned)lo[q]);
            if (ranges) {
                rc |= gl_buf_putc(b, ' ');
                rc |= gl_buf_printf(b, cfmt, (unsigned)hi[q]);
            }
            rc |= cid ? gl_buf_printf(b, " %u\n", (unsigned)to[q])
                      : gl_buf_printf(b, " <%04X>\n", (unsigned)to[q]);
        }
        rc |= gl_buf_printf(b, "end%s%s\n", kind, ranges ? "range" : "char");
        i = j;
    }
    return rc ? -1 : 0;
}

// Writes a CMap (ISO 32000 §9.7.5, §9.10.3) over the codes of m: the
// font's Encoding (cid) or its ToUnicode map.
static int write_cmap(gl_buf *b, const code_map *m, size_t n, bool one_byte, bool cid,
                      const char *name)
{
    int rc = 0;
    rc |= gl_buf_puts(b, "/CIDInit /ProcSet findresource begin\n"
                         "12 dict begin\n"
                         "begincmap\n");
    rc |= gl_buf_printf(b, "/CIDSystemInfo << /Registry (Adobe) /Ordering (%s) /Supplement 0 >> def\n"
                           "/CMapName /%s def\n"
                           "/CMapType %d def\n"
                           "1 begincodespacerange\n%s\nendcodespacerange\n",
                        cid ? "Identity" : "UCS", name, cid ? 1 : 2,
                        one_byte ? "<00> <FF>" : "<0000> <FFFF>");
    rc |= write_cmap_entries(b, m, n, one_byte, cid);
    rc |= gl_buf_puts(b, "endcmap\n"
                         "CMapName currentdict /CMap defineresource pop\n"
                         "end\n"
                         "end\n");
    return rc ? -1 : 0;
}

// libharu looks a code up in a format-4 cmap by scanning the segments one
// by one, and HPDF_GetFont looks up all 65,536 codes (to build CIDToGIDMap
// and W): with the ~2,000 segments of a Chinese subset that was a tenth of
// the run time.  So the parsed cmap is replaced, before HPDF_GetFont, by an
// equivalent one-segment map (0x0000-0xFFFF, the glyph of each code in the
// glyph array).  Each code gets the glyph libharu's own search gives it:
// the first segment whose end is at or above the code, no glyph below its
// start.  Only the in-memory table changes; the font file keeps its cmap.
static int flatten_cmap(pdf_state *ps, HPDF_FontDef def)
{
    HPDF_TTFontDefAttr a = def->attr;
    HPDF_TTF_CmapRange *cm = &a->cmap;
    if (cm->format != 4 || cm->seg_count_x2 < 2)
        return 0;   // format 0 is a direct table already
    unsigned nseg = cm->seg_count_x2 / 2u;
    HPDF_UINT16 *g = HPDF_GetMem(def->mmgr, 0x10000 * sizeof *g);
    HPDF_UINT16 *end = HPDF_GetMem(def->mmgr, sizeof *end);
    HPDF_UINT16 *start = HPDF_GetMem(def->mmgr, sizeof *start);
    HPDF_INT16 *delta = HPDF_GetMem(def->mmgr, sizeof *delta);
    HPDF_UINT16 *iro = HPDF_GetMem(def->mmgr, sizeof *iro);
    if (!g || !end || !start || !delta || !iro) {
        HPDF_FreeMem(def->mmgr, g);
        HPDF_FreeMem(def->mmgr, end);
        HPDF_FreeMem(def->mmgr, start);
        HPDF_FreeMem(def->mmgr, delta);
        HPDF_FreeMem(def->mmgr, iro);
        return hpdf_fail(ps, "indexing a font's cmap");
    }
    memset(g, 0, 0x10000 * sizeof *g);
    long covered = -1;   // highest code given a segment so far
    for (unsigned i = 0; i < nseg; i++) {
        long e = cm->end_count[i];
        for (long u = covered + 1; u <= e; u++) {
            if (u < cm->start_count[i])
                continue;   // in no segment: glyph 0
            if (cm->id_range_offset[i] == 0) {
                g[u] = (HPDF_UINT16)(u + cm->id_delta[i]);
            } else {
                long idx = cm->id_range_offset[i] / 2 + (u - cm->start_count[i]) - (long)(nseg - i);
                if (idx >= 0 && (HPDF_UINT)idx < cm->glyph_id_array_count)
                    g[u] = (HPDF_UINT16)(cm->glyph_id_array[idx] + cm->id_delta[i]);
            }
        }
        if (e > covered)
            covered = e;
    }
    HPDF_FreeMem(def->mmgr, cm->end_count);
    HPDF_FreeMem(def->mmgr, cm->start_count);
    HPDF_FreeMem(def->mmgr, cm->id_delta);
    HPDF_FreeMem(def->mmgr, cm->id_range_offset);
    HPDF_FreeMem(def->mmgr, cm->glyph_id_array);
    // One segment 0x0000-0xFFFF whose idRangeOffset (2 bytes: just past
    // itself) points at the glyph array's first entry: code u -> g[u].
    end[0] = 0xFFFF;
    start[0] = 0;
    delta[0] = 0;
    iro[0] = 2;
    cm->seg_count_x2 = 2;
    cm->end_count = end;
    cm->start_count = start;
    cm->id_delta = delta;
    cm->id_range_offset = iro;
    cm->glyph_id_array = g;
    cm->glyph_id_array_count = 0x10000;
    return 0;
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
        hpdf_fail(ps, what);
    return bin;
}

// Sets an Info entry; non-ASCII text becomes a UTF-16BE string.
static int set_info(pdf_state *ps, HPDF_Doc doc, HPDF_InfoType type, const char *key,
                    const char *value)
{
    if (!value || !*value)
        return 0;
    if (is_ascii(value)) {
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

// The stream dictionary libharu gave its ToUnicode CMap also claims the
// stream is the "UTF-8" CMap of the Identity-H ordering; a ToUnicode stream
// needs none of these keys (ISO 32000 §9.10.3), so drop them.
static int clean_tounicode_dict(pdf_state *ps, HPDF_Dict tu)
{
    static const struct { const char *key; HPDF_UINT16 cls; } keys[] = {
        {"Type", HPDF_OCLASS_NAME},
        {"CMapName", HPDF_OCLASS_NAME},
        {"CIDSystemInfo", HPDF_OCLASS_DICT},
        {"WMode", HPDF_OCLASS_NUMBER},
    };
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        if (!HPDF_Dict_GetItem(tu, keys[i].key, keys[i].cls))
            continue;
        if (HPDF_Dict_RemoveElement(tu, keys[i].key) != HPDF_OK)
            return hpdf_fail(ps, "cleaning a ToUnicode dictionary");
    }
    return 0;
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
        return hpdf_fail(ps, "reading a stream back");
    b->len = got;
    return 0;
}

// Replaces the contents of stream dictionary d by data, deflated here.
// libharu then writes the bytes as they are, with no filter of its own,
// and write_flate_filter names the one applied.
static int put_deflated_by(pdf_state *ps, struct libdeflate_compressor *c, HPDF_Dict d,
                           const char *data, size_t len)
{
    gl_buf *z = &ps->packed;
    size_t bound = libdeflate_zlib_compress_bound(c, len);
    if (GL_GROW(ps->ctx, z->data, z->cap, bound))
        return -1;
    z->len = libdeflate_zlib_compress(c, data, len, z->data, bound);
    HPDF_MemStream_FreeData(d->stream);
    if (!z->len || HPDF_Stream_Write(d->stream, (const HPDF_BYTE *)z->data,
                                     (HPDF_UINT)z->len) != HPDF_OK)
        return hpdf_fail(ps, "writing a stream");
    d->filter = HPDF_STREAM_FILTER_NONE;
    d->write_fn = write_flate_filter;
    return 0;
}

static int put_deflated(pdf_state *ps, HPDF_Dict d, const char *data, size_t len)
{
    return put_deflated_by(ps, ps->deflate, d, data, len);
}

// Deflates a stream dictionary's contents in place.
static int deflate_stream(pdf_state *ps, HPDF_Dict d)
{
    if (!d || !d->stream || d->stream->type != HPDF_STREAM_MEMORY)
        return gl_error(ps->ctx, GALLEY_ERR_BACKEND,
                        "%s: libharu made no memory stream (unexpected libharu version?)",
                        ps->out_path);
    if (read_stream(ps, d->stream, &ps->page))
        return -1;
    return put_deflated(ps, d, ps->page.data, ps->page.len);
}

// Replaces the page's content stream with its deflated bytes: what libharu
// drew on it (images, rules) followed by text, the operators in `text`.
static int deflate_contents(pdf_state *ps, HPDF_Page page, const gl_buf *text)
{
    HPDF_PageAttr pa = page->attr;
    if (read_stream(ps, pa->stream, &ps->page) || gl_buf_put(&ps->page, text->data, text->len))
        return -1;
    return put_deflated(ps, pa->contents, ps->page.data, ps->page.len);
}

// Makes libharu build a font's descriptor now, as it would while saving,
// and embeds the subset's own bytes, deflated here, as its FontFile2; the
// CIDToGIDMap is deflated here too.  libharu would rebuild the subset it
// loaded table by table (the same tables: see font.c, DROP_TABLES) and
// then we would read its copy back: an eighth of the time of a Chinese
// book, for its 2 MB of glyphs.  So its writer is skipped: the font's
// before-write function builds no font file while embedding is off.  It
// also copies the Type0 dictionary's filter to the map (and to its CMap
// stream) each time it runs, so that filter is cleared for when libharu
// runs it again.
static int deflate_font(pdf_state *ps, HPDF_Doc doc, const face_slot *s)
{
    HPDF_Font font = s->font;
    HPDF_FontAttr fa = font->attr;
    if (!fa || !font->before_write_fn || !fa->fontdef ||
        fa->fontdef->type != HPDF_FONTDEF_TYPE_TRUETYPE || !fa->fontdef->attr)
        return gl_error(ps->ctx, GALLEY_ERR_BACKEND,
                        "%s: unexpected font structure (libharu version?)", ps->out_path);
    HPDF_TTFontDefAttr ta = fa->fontdef->attr;
    if (!fa->fontdef->descriptor) {
        HPDF_BOOL embedding = ta->embedding;
        ta->embedding = HPDF_FALSE;
        HPDF_STATUS st = font->before_write_fn(font);
        ta->embedding = embedding;
        if (st != HPDF_OK || !fa->fontdef->descriptor)
            return hpdf_fail(ps, "writing a font");
        HPDF_Dict file = HPDF_DictStream_New(doc->mmgr, doc->xref);
        if (!file || HPDF_Dict_Add(fa->fontdef->descriptor, "FontFile2", file) != HPDF_OK ||
            HPDF_Dict_AddNumber(file, "Length1", (HPDF_INT32)s->subset_len) != HPDF_OK)
            return hpdf_fail(ps, "writing a font");
        if (put_deflated_by(ps, ps->deflate_fonts, file, s->subset, s->subset_len))
            return -1;
    }
    font->filter = HPDF_STREAM_FILTER_NONE;
    return fa->map_stream ? deflate_stream(ps, fa->map_stream) : 0;
}

// Chooses one-byte codes for a font of at most 253 characters (an English
// book's faces use about a hundred): U+0020-U+00FF keep their own value,
// the rest take the free codes from 0x80 up, then from 0x01 (0x0A and 0x0D
// never: readers normalise end-of-line bytes).  Text then costs one byte a
// character instead of two, which takes a third off the deflate time of an
// English book and a tenth off its PDF.  The font's Encoding becomes a CMap
// from these codes to the characters (its CIDs, as libharu set them up).
static int one_byte_codes(pdf_state *ps, face_slot *s, const uint32_t *cps, size_t n)
{
    if (n > 253)
        return 0;
    s->code = gl_calloc(ps->ctx, 0x10000, sizeof *s->code);
    if (!s->code)
        return -1;
    bool taken[256] = {[0] = true, ['\n'] = true, ['\r'] = true};
    for (size_t i = 0; i < n; i++)
        if (cps[i] >= 0x20 && cps[i] <= 0xFF) {
            s->code[cps[i]] = (uint8_t)cps[i];
            taken[cps[i]] = true;
        }
    unsigned next = 0x80;
    for (size_t i = 0; i < n; i++) {
        if (cps[i] >= 0x20 && cps[i] <= 0xFF)
            continue;
        while (taken[next & 0xFF])
            next++;
        s->code[cps[i]] = (uint8_t)next;
        taken[next & 0xFF] = true;
    }
    return 0;
}

// The font's CMaps: ToUnicode, rewritten (libharu's is an invalid
// begincidrange map), and for a one-byte font the Encoding and the
// CIDToGIDMap.  A one-byte font's CIDs are its codes, not the characters:
// MuPDF turns ToUnicode (code to character) through the Encoding into a
// map from CIDs within the Encoding's one-byte code space, and dropped
// every character above U+00FF (warning "CMap range outside of the
// codespace").  m: the codes in order and their characters.
static int write_font_cmaps(pdf_state *ps, HPDF_Doc doc, const face_slot *s, const code_map *m,
                            size_t n, const char *tag)
{
    int rc = -1;
    gl_buf b;
    gl_buf_init(&b, ps->ctx);
    code_map *cid = NULL;
    HPDF_Dict tu = HPDF_Dict_GetItem(s->font, "ToUnicode", HPDF_OCLASS_DICT);
    if (!tu || !tu->stream || tu->stream->type != HPDF_STREAM_MEMORY) {
        gl_error(ps->ctx, GALLEY_ERR_BACKEND,
                 "%s: libharu made no ToUnicode stream for font %s (unexpected libharu version?)",
                 ps->out_path, s->hpdf_name);
        goto cleanup;
    }
    GL_CHECK(clean_tounicode_dict(ps, tu));
    GL_CHECK(write_cmap(&b, m, n, s->code != NULL, false, "Adobe-Identity-UCS"));
    // libharu leaves this stream uncompressed even under HPDF_COMP_ALL.
    GL_CHECK(put_deflated(ps, tu, b.data, b.len));
    if (!s->code) {
        rc = 0;
        goto cleanup;
    }
    // The Encoding: each code is its own CID.
    cid = gl_malloc(ps->ctx, (n ? n : 1) * sizeof *cid);
    if (!cid)
        goto cleanup;
    for (size_t i = 0; i < n; i++)
        cid[i] = (code_map){m[i].code, m[i].code};
    char name[32];
    snprintf(name, sizeof name, "Galley-%s-H", tag);
    b.len = 0;
    GL_CHECK(write_cmap(&b, cid, n, true, true, name));
    HPDF_Dict enc = HPDF_DictStream_New(doc->mmgr, doc->xref);
    HPDF_Dict si = HPDF_Dict_New(doc->mmgr);
    if (!enc || !si) {
        hpdf_fail(ps, "making a font encoding");
        goto cleanup;
    }
    HPDF_STATUS e = HPDF_Dict_AddName(enc, "Type", "CMap");
    e |= HPDF_Dict_AddName(enc, "CMapName", name);
    e |= HPDF_Dict_Add(si, "Registry", HPDF_String_New(doc->mmgr, "Adobe", NULL));
    e |= HPDF_Dict_Add(si, "Ordering", HPDF_String_New(doc->mmgr, "Identity", NULL));
    e |= HPDF_Dict_AddNumber(si, "Supplement", 0);
    e |= HPDF_Dict_Add(enc, "CIDSystemInfo", si);
    e |= HPDF_Dict_Add(s->font, "Encoding", enc);
    if (e != HPDF_OK) {
        hpdf_fail(ps, "making a font encoding");
        goto cleanup;
    }
    GL_CHECK(put_deflated(ps, enc, b.data, b.len));
    // The CIDToGIDMap libharu made is indexed by character (2 bytes each,
    // big-endian); the new one by code.
    HPDF_FontAttr fa = s->font->attr;
    if (!fa->map_stream || !fa->map_stream->stream) {
        gl_error(ps->ctx, GALLEY_ERR_BACKEND, "%s: libharu made no CIDToGIDMap for font %s",
                 ps->out_path, s->hpdf_name);
        goto cleanup;
    }
    GL_CHECK(read_stream(ps, fa->map_stream->stream, &b));
    unsigned char map[512] = {0};
    size_t top = 0;
    for (size_t i = 0; i < n; i++) {
        size_t at = 2 * (size_t)m[i].cp, c = m[i].code;
        if (at + 1 < b.len) {
            map[2 * c] = (unsigned char)b.data[at];
            map[2 * c + 1] = (unsigned char)b.data[at + 1];
        }
        top = c + 1 > top ? c + 1 : top;
    }
    HPDF_MemStream_FreeData(fa->map_stream->stream);
    HP(HPDF_Stream_Write(fa->map_stream->stream, map, (HPDF_UINT)(2 * top)),
       "rewriting a CIDToGIDMap");
    rc = 0;
cleanup:
    gl_free(cid);
    gl_buf_free(&b);
    return rc;
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

// Rewrites the descendant font's widths.  libharu lists every character of
// the font with a default width (DW) of the space's advance, so each Han
// character costs a `cid [1000]` entry; taking the commonest width as DW
// leaves only the exceptions (15 KB less in a 20-page Chinese brief).  It
// also lists characters without a glyph under DW, where the reader should
// use the .notdef advance that layout used.  And its widths are whole
// thousandths of an em, where layout measured exactly: a word's rounding
// (up to half a unit a letter) made every word gap of a line differ, so
// that few could be written as a Tw space.  The widths here are layout's,
// to a hundredth of a unit (ISO 32000 §9.7.4.3: W holds numbers).
static int fix_widths(pdf_state *ps, HPDF_Doc doc, face_slot *s, const gl_fontset *fs,
                      int face, const code_map *m, size_t n)
{
    int rc = -1;
    HPDF_FontAttr fa = s->font->attr;
    HPDF_Dict df = fa->descendant_font;
    float *w = gl_malloc(ps->ctx, (n ? n : 1) * sizeof *w);
    if (!w)
        return -1;
    for (size_t i = 0; i < n; i++) {
        w[i] = (float)(round(gl_face_advance(fs, face, m[i].cp) * 100000.0) / 100.0);
        s->width[m[i].cp] = w[i];
    }
    // The commonest whole width (DW is an integer, ISO 32000 Table 115;
    // Poppler ignores a real one): count runs over a sorted copy.
    float dw = 1000;
    {
        float *c = gl_malloc(ps->ctx, (n ? n : 1) * sizeof *c);
        if (!c)
            goto cleanup;
        memcpy(c, w, n * sizeof *c);
        qsort(c, n, sizeof *c, cmp_float);
        size_t best = 0;
        for (size_t i = 0; i < n;) {
            size_t j = i;
            while (j < n && c[j] == c[i])
                j++;
            if (j - i > best && c[i] == roundf(c[i])) {
                best = j - i;
                dw = c[i];
            }
            i = j;
        }
        gl_free(c);
    }
    HPDF_Array arr = HPDF_Dict_GetItem(df, "W", HPDF_OCLASS_ARRAY);
    if (!arr) {
        hpdf_fail(ps, "rewriting font widths");
        goto cleanup;
    }
    HPDF_Array_Clear(arr);
    // `c [w1 w2 ...]` for each run of consecutive CIDs whose width is not
    // DW (a one-byte font's CIDs are its codes, see write_font_cmaps).
    for (size_t i = 0; i < n;) {
        if (w[i] == dw) {
            i++;
            continue;
        }
        uint32_t cid0 = s->code ? m[i].code : m[i].cp;
        size_t j = i + 1;
        while (j < n && (s->code ? m[j].code : m[j].cp) == cid0 + (j - i) && w[j] != dw)
            j++;
        HPDF_Array ws = HPDF_Array_New(doc->mmgr);
        if (!ws || HPDF_Array_AddNumber(arr, (HPDF_INT32)cid0) != HPDF_OK ||
            HPDF_Array_Add(arr, ws) != HPDF_OK) {
            hpdf_fail(ps, "rewriting font widths");
            goto cleanup;
        }
        for (size_t k = i; k < j; k++)
            if (HPDF_Array_AddReal(ws, w[k]) != HPDF_OK) {
                hpdf_fail(ps, "rewriting font widths");
                goto cleanup;
            }
        i = j;
    }
    if (HPDF_Dict_AddNumber(df, "DW", (HPDF_INT32)dw) != HPDF_OK) {
        hpdf_fail(ps, "rewriting font widths");
        goto cleanup;
    }
    // libharu writes the Ordering as "Identity-H" (the encoding's name); the
    // CIDSystemInfo of an Identity-H font is Adobe-Identity-0.
    HPDF_Dict si = HPDF_Dict_GetItem(df, "CIDSystemInfo", HPDF_OCLASS_DICT);
    if (si) {
        HPDF_String ord = HPDF_String_New(doc->mmgr, "Identity", NULL);
        if (!ord || HPDF_Dict_Add(si, "Ordering", ord) != HPDF_OK) {
            hpdf_fail(ps, "rewriting CIDSystemInfo");
            goto cleanup;
        }
    }
    rc = 0;
cleanup:
    gl_free(w);
    return rc;
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
        return hpdf_fail(ps, "writing a date into the Info dictionary");
    return 0;
}

// --------------------------------------------------------------- images

// Raw pixels beyond this are refused rather than risked (a 8,000 x 8,000
// RGB picture is 192 MB before compression; print needs far less).
#define GL_PDF_MAX_IMAGE_BYTES ((uint64_t)256 << 20)

// One embedded image per distinct path: a path drawn again reuses it.
typedef struct {
    const char *path;   // borrowed from the frames
    HPDF_Image image;
} image_slot;

typedef struct {
    image_slot *v;
    size_t n, cap;
} image_cache;

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
                    (unsigned)ps->err_no, hpdf_err_name(ps->err_no), (unsigned)ps->detail_no);
}

// A PNG through libpng's simplified API, which catches libpng's errors
// itself (HPDF_LoadPngImageFromFile would let libpng abort() on a corrupt
// data stream, and fails on mere libpng warnings).  Pixels go in as 8-bit
// Gray or RGB; an alpha channel that is not all opaque becomes a soft mask.
static HPDF_Image load_png(pdf_state *ps, HPDF_Doc doc, const char *path)
{
    HPDF_Image img = NULL;
    unsigned char *px = NULL, *alpha = NULL;
    png_image pi;
    memset(&pi, 0, sizeof pi);
    pi.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&pi, path)) {
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

// libharu only parses a JPEG's headers, and a short read there goes
// unnoticed (it embeds a truncated file with an uninitialised size), so the
// frame header (ITU T.81 §B.2.2) is checked here first: 8-bit baseline,
// extended or progressive Huffman coding (what PDF's DCTDecode takes), a
// size, 1, 3 or 4 components, and a scan after it.  NULL: fine.
static const char *jpeg_problem(FILE *f)
{
    int c;
    bool sof = false;
    if (getc(f) != 0xFF || getc(f) != 0xD8)
        return "not a JPEG image";
    for (;;) {
        if ((c = getc(f)) == EOF)
            return "truncated JPEG";
        if (c != 0xFF)
            return "corrupt JPEG (bad marker)";
        int m;
        while ((m = getc(f)) == 0xFF)   // fill bytes
            ;
        if (m == EOF)
            return "truncated JPEG";
        if (m == 0x01 || (m >= 0xD0 && m <= 0xD8))   // markers without a length
            continue;
        if (m == 0xD9)
            return "corrupt JPEG (no image data)";
        int hi = getc(f), lo = getc(f);
        if (hi == EOF || lo == EOF)
            return "truncated JPEG";
        long len = (long)hi << 8 | lo;
        if (len < 2)
            return "corrupt JPEG (bad segment length)";
        if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
            unsigned char h[6];
            if (len < 8 || fread(h, 1, 6, f) != 6)
                return "truncated JPEG";
            if (m > 0xC2)
                return "unsupported JPEG (lossless, hierarchical or arithmetic coding)";
            if (h[0] != 8)
                return "unsupported JPEG (not 8 bits per sample)";
            if ((h[1] == 0 && h[2] == 0) || (h[3] == 0 && h[4] == 0))
                return "corrupt JPEG (zero size)";
            if (h[5] != 1 && h[5] != 3 && h[5] != 4)
                return "unsupported JPEG (neither gray, colour nor CMYK)";
            sof = true;
            len -= 6;
        } else if (m == 0xDA) {
            if (!sof)
                return "corrupt JPEG (no frame header before the scan)";
            if (fseek(f, len - 2, SEEK_CUR) != 0 || getc(f) == EOF)
                return "truncated JPEG";
            return NULL;
        }
        // Seeking past the end succeeds; the next read then fails.
        if (fseek(f, len - 2, SEEK_CUR) != 0)
            return "truncated JPEG";
    }
}

// The embedded image for path, loaded on first use.  JPEGs go in as they
// are (DCTDecode): libharu only parses their headers.
static HPDF_Image get_image(pdf_state *ps, HPDF_Doc doc, image_cache *ic, const char *path)
{
    for (size_t i = 0; i < ic->n; i++)
        if (strcmp(ic->v[i].path, path) == 0)
            return ic->v[i].image;
    if (GL_GROW(ps->ctx, ic->v, ic->cap, ic->n + 1))
        return NULL;
    unsigned char sig[8] = {0};
    FILE *f = fopen(path, "rb");
    if (!f) {
        image_error(ps, path, "cannot open the file");
        return NULL;
    }
    size_t got = fread(sig, 1, sizeof sig, f);
    const char *why = NULL;
    bool jpeg = got >= 3 && sig[0] == 0xFF && sig[1] == 0xD8 && sig[2] == 0xFF;
    if (jpeg) {
        rewind(f);
        why = jpeg_problem(f);
    }
    fclose(f);
    HPDF_Image img = NULL;
    if (got == 8 && memcmp(sig, "\x89PNG\r\n\x1a\n", 8) == 0) {
        img = load_png(ps, doc, path);
    } else if (jpeg && why) {
        image_error(ps, path, why);
    } else if (jpeg) {
        img = HPDF_LoadJpegImageFromFile(doc, path);
        if (!img)
            image_hpdf_error(ps, path);
    } else {
        image_error(ps, path, "not a PNG or JPEG image");
    }
    if (!img)
        return NULL;
    ic->v[ic->n].path = path;
    ic->v[ic->n].image = img;
    ic->n++;
    return img;
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
    HPDF_Font font;
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

// The advance of a run as the reader computes it, in points: the glyph
// widths at the size plus the character spacing after each character.
// Characters above U+FFFF count as spaces (see put_string).  Sets *own32
// when the string has a code 32 of its own: a space, or such a character
// (Tw would widen it; see line_word_space).
static double run_advance(const face_slot *s, const gl_run *run, bool *own32)
{
    double width = 0;
    size_t i = 0, nchars = 0;
    bool c32 = false;
    while (i < run->len) {
        uint32_t cp = gl_utf8_next(run->text, run->len, &i);
        if (cp == 0x20 || cp > 0xFFFF) {
            c32 = true;
            cp = 0x20;
        }
        width += s->width[cp];
        nchars++;
    }
    *own32 = c32;
    return width * run->size / 1000 + (double)run->char_space * (double)nchars;
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

// `(codes)` for a run, as a literal string (half the bytes of a hex
// string, which the deflate of the content stream then need not read).  A
// one-byte font writes each character's code (one_byte_codes); otherwise
// each character is its 2-byte code, the Unicode scalar (Identity-H).
// Characters above U+FFFF become spaces, as libharu's UTF-8 encoder makes
// them.
static int put_string(gl_buf *b, const face_slot *s, const gl_run *run)
{
    // A character takes at most 4 bytes (two escaped) and at least one of
    // UTF-8: room for 3 per input byte and the parentheses.
    if (GL_GROW(b->ctx, b->data, b->cap, b->len + 3 * run->len + 8))
        return -1;
    unsigned char *o = (unsigned char *)b->data + b->len;
    *o++ = '(';
    size_t i = 0;
    while (i < run->len) {
        uint32_t cp = gl_utf8_next(run->text, run->len, &i);
        if (cp > 0xFFFF)
            cp = 0x20;
        if (s->code) {
            o = put_code_byte(o, s->code[cp]);
        } else {
            o = put_code_byte(o, (unsigned char)(cp >> 8));
            o = put_code_byte(o, (unsigned char)cp);
        }
    }
    *o++ = ')';
    b->len = (size_t)((char *)o - b->data);
    b->data[b->len] = 0;
    return 0;
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
    return s->code && s->code[0x20] == 0x20 && s->width[0x20] > 0;
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
    double sp = s->width[0x20] * (double)r0->size / 1000.0 + r0->char_space;
    const gl_run *prev = r0;
    size_t prev_i = i;
    for (size_t k = i; k < pg->nruns && pg->runs[k].y == r0->y; k++) {
        const gl_run *r = &pg->runs[k];
        if (r->len == 0 || rm[k].adv == 0)
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
static int put_string_on(gl_buf *b, const face_slot *s, const gl_run *run, bool space)
{
    size_t at = b->len - 1;   // the ")" closing that string
    b->len = at;
    if (put_string(b, s, run))
        return -1;
    if (space) {
        b->data[at] = ' ';    // the "(" put_string opened with
    } else {
        memmove(b->data + at, b->data + at + 1, b->len - at);
        b->len--;
    }
    return 0;
}

static int draw_page(pdf_state *ps, HPDF_Doc doc, const gl_frames *frames, const gl_page *pg,
                     const gl_fontset *fs, const face_slot *slots, image_cache *ic, gl_buf *tmp,
                     HPDF_Page *out_page)
{
    int rc = -1;
    HPDF_Page page = HPDF_AddPage(doc);
    if (!page) {
        hpdf_fail(ps, "adding a page");
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
        HPDF_Image img = get_image(ps, doc, ic, im->path);
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
        m->adv = run->face >= 0 && run->face < GL_FACE_COUNT
                     ? run_advance(&slots[gl_face_canonical(fs, run->face)], run, &m->own32)
                     : 0;
    }
    bool in_text = false, in_array = false;
    float tw_y = NAN, tw_line = 0;   // the word space of the line at tw_y
    int tw_face = -1;
    size_t array_at = 0, strings = 0;   // where the open array starts; its strings
    double pen = 0;
    for (size_t i = 0; i < pg->nruns; i++) {
        const gl_run *run = &pg->runs[i];
        if (run->len == 0)
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
        if (in_array && s->font == ts.font && run->size == ts.size &&
            run->char_space == ts.char_space && link == ts.fill_link &&
            bold == ts.stroke_text && y == ts.y) {
            if (tw_font(s)) {
                double sp = s->width[0x20] * (double)run->size / 1000.0 + run->char_space +
                            ts.word_space;
                if (fabs(run->x - pen - sp) * 1000.0 <= WORD_SPACE_TOL * run->size) {
                    GL_CHECK(put_string_on(tmp, s, run, true));
                    pen += sp + advance;
                    continue;
                }
            }
            long n = lround((pen - run->x) * 1000.0 / run->size);
            if (n == 0) {
                // no gap (a hyphen after its syllable): the string goes on
                GL_CHECK(put_string_on(tmp, s, run, false));
                pen += advance;
                continue;
            }
            GL_CHECK(put_int(tmp, n));
            pen -= (double)n * run->size / 1000.0;
            GL_CHECK(put_string(tmp, s, run));
            strings++;
            pen += advance;
            continue;
        }
        if (in_array) {
            GL_CHECK(close_array(tmp, array_at, strings));
            in_array = false;
        }
        if (!in_text) {
            GL_CHECK(gl_buf_puts(tmp, "BT\n"));
            in_text = true;
        }
        if (s->font != ts.font || run->size != ts.size) {
            // Registers the font in the page's resources ("F1", "F2", ...).
            const char *local = HPDF_Page_GetLocalFontName(page, s->font);
            if (!local) {
                hpdf_fail(ps, "drawing text");
                goto cleanup;
            }
            GL_CHECK(gl_buf_putc(tmp, '/'));
            GL_CHECK(gl_buf_puts(tmp, local));
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
        array_at = tmp->len;
        GL_CHECK(gl_buf_putc(tmp, '['));
        in_array = true;
        strings = 1;
        pen = (double)ts.x / 100.0;
        GL_CHECK(put_string(tmp, s, run));
        pen += advance;
    }
    if (in_array)
        GL_CHECK(close_array(tmp, array_at, strings));
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
        hpdf_fail(ps, "making a destination");
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
        hpdf_fail(ps, "making a destination");
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
                return hpdf_fail(ps, "adding a link");
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
        bool plain = is_ascii(title) && strlen(title) <= HPDF_LIMIT_MAX_STRING_LEN;
        HPDF_Outline o = HPDF_CreateOutline(doc, parent, plain ? title : "", NULL);
        if (!o) {
            hpdf_fail(ps, "adding a bookmark");
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
    char *subset = NULL;
    uint32_t *cps = NULL;
    code_map *codes = NULL;
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

    // Which faces are used, and with which characters.
    for (size_t p = 0; p < frames->npages; p++) {
        const gl_page *pg = &frames->pages[p];
        for (size_t r = 0; r < pg->nruns; r++) {
            const gl_run *run = &pg->runs[r];
            if (run->face < 0 || run->face >= GL_FACE_COUNT) {
                gl_error(ctx, GALLEY_ERR_INTERNAL, "%s: run with invalid face id %d", out_path,
                         run->face);
                goto cleanup;
            }
            if (run->len == 0)
                continue;
            int canon = gl_face_canonical(fs, run->face);
            face_slot *s = &slots[canon];
            if (!s->bmp) {
                s->bmp = gl_calloc(ctx, BMP_WORDS, sizeof *s->bmp);
                if (!s->bmp)
                    goto cleanup;
                s->used = true;
                // the space, for word spaces set by Tw (see tw_font)
                if (gl_face_has(fs, canon, ' '))
                    s->bmp[0x20 >> 5] |= 1u << (0x20 & 31);
            }
            size_t i = 0;
            while (i < run->len) {
                uint32_t cp = gl_utf8_next(run->text, run->len, &i);
                // libharu's UTF-8 encoder writes characters above U+FFFF
                // as spaces (code 0x0020); layout has warned about them.
                if (cp > 0xFFFF) {
                    s->astral = true;
                    cp = 0x20;
                }
                s->bmp[cp >> 5] |= 1u << (cp & 31);
            }
        }
    }

    doc = HPDF_New(on_hpdf_error, &st);
    st.deflate = libdeflate_alloc_compressor(DEFLATE_LEVEL);
    st.deflate_fonts = libdeflate_alloc_compressor(DEFLATE_LEVEL_FONTS);
    if (!doc || !st.deflate || !st.deflate_fonts) {
        gl_oom(ctx);
        goto cleanup;
    }
    HP(HPDF_UseUTFEncodings(doc), "enabling UTF-8");
    HP(HPDF_SetCompressionMode(doc, HPDF_COMP_ALL), "enabling compression");

    // Embed one subset per canonical face, in face-id order (deterministic).
    for (int f = 0; f < GL_FACE_COUNT; f++) {
        face_slot *s = &slots[f];
        if (!s->used)
            continue;
        size_t n = 0, len = 0;
        cps = slot_cps(ctx, s, &n);
        if (!cps)
            goto cleanup;
        GL_CHECK(gl_face_subset(ctx, fs, f, cps, n, &subset, &len));
        s->tmp_path = gl_temp_file(ctx, ".ttf", subset, len);
        s->subset = subset;
        s->subset_len = len;
        subset = NULL;
        if (!s->tmp_path)
            goto cleanup;
        // libharu reads the file now and keeps it open until HPDF_Free.
        const char *name = HPDF_LoadTTFontFromFile(doc, s->tmp_path, HPDF_TRUE);
        if (!name) {
            gl_error(ctx, GALLEY_ERR_FONT, "%s: libharu cannot embed the subset of %s: error 0x%04X (%s)",
                     out_path, gl_face_path(fs, f), (unsigned)st.err_no,
                     hpdf_err_name(st.err_no));
            goto cleanup;
        }
        for (int g = 0; g < f; g++) {
            if (slots[g].used && strcmp(slots[g].hpdf_name, name) == 0) {
                // libharu keys fonts by PostScript name: a second face with
                // the same name would silently draw with the first.
                gl_error(ctx, GALLEY_ERR_FONT,
                         "%s: fonts %s and %s have the same PostScript name %s; the PDF "
                         "cannot embed both",
                         out_path, gl_face_path(fs, g), gl_face_path(fs, f), name);
                goto cleanup;
            }
        }
        s->hpdf_name = name;
        HPDF_FontDef def = HPDF_Doc_FindFontDef(doc, name);
        if (!def) {
            hpdf_fail(ps, "finding a loaded font");
            goto cleanup;
        }
        GL_CHECK(flatten_cmap(ps, def));
        char tag[7];
        subset_tag(gl_face_psname(fs, f), cps, n, tag);
        // Before HPDF_GetFont, which copies the tagged name into BaseFont.
        HPDF_TTFontDef_SetTagName(def, tag);
        s->font = HPDF_GetFont(doc, name, "UTF-8");
        if (!s->font) {
            hpdf_fail(ps, "creating a font");
            goto cleanup;
        }
        s->width = gl_calloc(ctx, 0x10000, sizeof *s->width);
        if (!s->width)
            goto cleanup;
        GL_CHECK(one_byte_codes(ps, s, cps, n));
        codes = gl_malloc(ctx, (n ? n : 1) * sizeof *codes);
        if (!codes)
            goto cleanup;
        font_codes(s, cps, n, codes);
        GL_CHECK(write_font_cmaps(ps, doc, s, codes, n, tag));
        GL_CHECK(fix_widths(ps, doc, s, fs, f, codes, n));
        gl_free(codes);
        codes = NULL;
        gl_free(cps);
        cps = NULL;
    }

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
        if (meta->lang && *meta->lang && is_ascii(meta->lang)) {
            // The document language (ISO 32000 §14.9.2) helps text-to-speech
            // and search; libharu 2.3 has no API for it.
            HPDF_String lang = HPDF_String_New(doc->mmgr, meta->lang, NULL);
            if (!lang) {
                hpdf_fail(ps, "setting the document language");
                goto cleanup;
            }
            HP(HPDF_Dict_Add(doc->catalog, "Lang", lang), "setting the document language");
        }
    }

    for (int f = 0; f < GL_FACE_COUNT; f++)
        if (slots[f].used)
            GL_CHECK(deflate_font(ps, doc, &slots[f]));

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
        hpdf_fail(ps, "reading the PDF back from memory");
        goto cleanup;
    }
    GL_CHECK(gl_out_write(ctx, &out, pdf_bytes, size));
    out_open = false;   // gl_out_commit cleans up after itself on failure
    GL_CHECK(gl_out_commit(ctx, &out));
    rc = 0;

cleanup:
    if (out_open)
        gl_out_abort(&out);
    // HPDF_Free closes the font files, so remove them only afterwards.
    if (doc)
        HPDF_Free(doc);
    for (int f = 0; f < GL_FACE_COUNT; f++) {
        if (slots[f].tmp_path) {
            gl_temp_remove(slots[f].tmp_path);
            gl_free(slots[f].tmp_path);
        }
        gl_free(slots[f].subset);
        gl_free(slots[f].bmp);
        gl_free(slots[f].width);
        gl_free(slots[f].code);
    }
    gl_free(pdf_bytes);
    gl_free(pages);
    gl_free(images.v);
    gl_free(cps);
    gl_free(codes);
    gl_free(subset);
    gl_buf_free(&tmp);
    gl_buf_free(&st.page);
    gl_buf_free(&st.packed);
    gl_free(st.runm);
    libdeflate_free_compressor(st.deflate);
    libdeflate_free_compressor(st.deflate_fonts);
    return rc;
}
