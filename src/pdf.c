/*
 * pdf.c — the PDF back end: draws frames (pages of positioned runs and
 * rules) with libharu and writes the file atomically.  Fonts are subset with
 * gl_face_subset() and embedded as CID TrueType.  The only includer of
 * hpdf.h; knows nothing of layout or the document model (STYLE.md S7).
 *
 * libharu 2.3.0 quirks handled here (DESIGN.md "Facts already measured"):
 *   - with its UTF-8 encoder a run's codes are the UTF-16 code units
 *     themselves (Identity-H, CID = Unicode scalar, CIDToGIDMap to glyphs);
 *   - its ToUnicode CMap is an invalid `begincidrange` map, so we rewrite
 *     that stream with bfchar/bfrange entries for the codes actually used;
 *   - its subset tag is a per-document counter ("HPDFAA+"); we derive ours
 *     from the face and its code points so that output is reproducible;
 *   - it writes Info strings as raw bytes, so non-ASCII values are written
 *     as UTF-16BE strings with a byte order mark (ISO 32000 §7.9.2.2).
 */
#define _POSIX_C_SOURCE 200809L   // gmtime_r

#include "backend.h"
#include "font.h"
#include "frame.h"

#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_font.h>
#include <hpdf_fontdef.h>
#include <hpdf_objects.h>
#include <hpdf_streams.h>

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
    const char *hpdf_name;   // borrowed from libharu
    HPDF_Font font;
} face_slot;

typedef struct {
    gl_ctx *ctx;
    const char *out_path;
    HPDF_STATUS err_no, detail_no;   // last error libharu reported
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

// Writes a ToUnicode CMap (ISO 32000 §9.10.3) for codes that map to
// themselves: libharu's UTF-8 encoder writes each BMP character as its own
// 2-byte code.  Consecutive codes become bfrange entries, which must not
// cross a first-byte boundary; each section holds at most 100 entries
// (the limit of PostScript CMap operators).
static int write_tounicode(gl_buf *b, const uint32_t *cps, size_t n)
{
    int rc = 0;
    rc |= gl_buf_puts(b, "/CIDInit /ProcSet findresource begin\n"
                         "12 dict begin\n"
                         "begincmap\n"
                         "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                         "/CMapName /Adobe-Identity-UCS def\n"
                         "/CMapType 2 def\n"
                         "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
    // Split into ranges [lo, hi] of consecutive codes within one high byte.
    size_t i = 0;
    while (i < n && rc == 0) {
        // Gather up to 100 entries of one kind (range or single) at a time.
        uint32_t lo[100], hi[100];
        size_t k = 0, j = i;
        bool ranges = false;
        {
            size_t e = j;
            while (e + 1 < n && cps[e + 1] == cps[e] + 1 && (cps[e + 1] >> 8) == (cps[j] >> 8))
                e++;
            ranges = e > j;
        }
        while (j < n && k < 100) {
            size_t e = j;
            while (e + 1 < n && cps[e + 1] == cps[e] + 1 && (cps[e + 1] >> 8) == (cps[j] >> 8))
                e++;
            if ((e > j) != ranges)
                break;
            lo[k] = cps[j];
            hi[k] = cps[e];
            k++;
            j = e + 1;
        }
        if (ranges) {
            rc |= gl_buf_printf(b, "%zu beginbfrange\n", k);
            for (size_t m = 0; m < k; m++)
                rc |= gl_buf_printf(b, "<%04X> <%04X> <%04X>\n", (unsigned)lo[m], (unsigned)hi[m],
                                    (unsigned)lo[m]);
            rc |= gl_buf_puts(b, "endbfrange\n");
        } else {
            rc |= gl_buf_printf(b, "%zu beginbfchar\n", k);
            for (size_t m = 0; m < k; m++)
                rc |= gl_buf_printf(b, "<%04X> <%04X>\n", (unsigned)lo[m], (unsigned)lo[m]);
            rc |= gl_buf_puts(b, "endbfchar\n");
        }
        i = j;
    }
    rc |= gl_buf_puts(b, "endcmap\n"
                         "CMapName currentdict /CMap defineresource pop\n"
                         "end\n"
                         "end\n");
    return rc ? -1 : 0;
}

// Sets an Info entry; non-ASCII text becomes a UTF-16BE string with BOM,
// because libharu 2.3 copies UTF-8 bytes verbatim and readers then decode
// them as PDFDocEncoding (mojibake in pdfinfo).
static int set_info(pdf_state *ps, HPDF_Doc doc, HPDF_InfoType type, const char *key,
                    const char *value)
{
    int rc = -1;
    unsigned char *u16 = NULL;
    if (!value || !*value)
        return 0;
    if (is_ascii(value)) {
        HP(HPDF_SetInfoAttr(doc, type, value), "writing the Info dictionary");
        return 0;
    }
    // Create the entry through the API first (that also creates the Info
    // dictionary), then replace its value with the binary string.
    HP(HPDF_SetInfoAttr(doc, type, "?"), "writing the Info dictionary");
    size_t n = strlen(value);
    u16 = gl_malloc(ps->ctx, 2 + 4 * n);
    if (!u16)
        goto cleanup;
    size_t k = 0, i = 0;
    u16[k++] = 0xFE;
    u16[k++] = 0xFF;
    while (i < n) {
        uint32_t cp = gl_utf8_next(value, n, &i);
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
    if (k > HPDF_LIMIT_MAX_STRING_LEN)
        k = HPDF_LIMIT_MAX_STRING_LEN & ~(size_t)1;
    HPDF_Binary bin = HPDF_Binary_New(doc->mmgr, u16, (HPDF_UINT)k);
    if (!bin) {
        hpdf_fail(ps, "writing the Info dictionary");
        goto cleanup;
    }
    HP(HPDF_Dict_Add(doc->info, key, bin), "writing the Info dictionary");
    rc = 0;
cleanup:
    gl_free(u16);
    return rc;
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

// Replaces the content of libharu's ToUnicode stream for one font.  The
// stream object already exists once HPDF_GetFont has made the Type0 font,
// so rewriting it in place keeps the object numbering libharu chose.
static int fix_tounicode(pdf_state *ps, const face_slot *s, const uint32_t *cps, size_t n)
{
    int rc = -1;
    gl_buf b;
    gl_buf_init(&b, ps->ctx);
    HPDF_Dict tu = HPDF_Dict_GetItem(s->font, "ToUnicode", HPDF_OCLASS_DICT);
    if (!tu || !tu->stream || tu->stream->type != HPDF_STREAM_MEMORY) {
        gl_error(ps->ctx, GALLEY_ERR_BACKEND,
                 "%s: libharu made no ToUnicode stream for font %s (unexpected libharu version?)",
                 ps->out_path, s->hpdf_name);
        goto cleanup;
    }
    GL_CHECK(clean_tounicode_dict(ps, tu));
    GL_CHECK(write_tounicode(&b, cps, n));
    HPDF_MemStream_FreeData(tu->stream);
    HP(HPDF_Stream_Write(tu->stream, (const HPDF_BYTE *)b.data, (HPDF_UINT)b.len),
       "writing a ToUnicode CMap");
    // libharu leaves this stream uncompressed even under HPDF_COMP_ALL.
    tu->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
    rc = 0;
cleanup:
    gl_buf_free(&b);
    return rc;
}

static int cmp_i16(const void *a, const void *b)
{
    int16_t x = *(const int16_t *)a, y = *(const int16_t *)b;
    return (x > y) - (x < y);
}

// Rewrites the descendant font's widths.  libharu lists every character of
// the font with a default width (DW) of the space's advance, so each Han
// character costs a `cid [1000]` entry; taking the commonest width as DW
// leaves only the exceptions (15 KB less in a 20-page Chinese brief).  It
// also lists characters without a glyph under DW, where the reader should
// use the .notdef advance that layout used.
static int fix_widths(pdf_state *ps, HPDF_Doc doc, const face_slot *s, const uint32_t *cps,
                      size_t n)
{
    int rc = -1;
    HPDF_FontAttr fa = s->font->attr;
    HPDF_Dict df = fa->descendant_font;
    int16_t *w = gl_malloc(ps->ctx, (n ? n : 1) * sizeof *w);
    if (!w)
        return -1;
    for (size_t i = 0; i < n; i++)
        w[i] = HPDF_TTFontDef_GetCharWidth(fa->fontdef, (HPDF_UNICODE)cps[i]);
    // The commonest width: count runs over a sorted copy.
    int16_t dw = 1000;
    {
        int16_t *c = gl_malloc(ps->ctx, (n ? n : 1) * sizeof *c);
        if (!c)
            goto cleanup;
        memcpy(c, w, n * sizeof *c);
        qsort(c, n, sizeof *c, cmp_i16);
        size_t best = 0;
        for (size_t i = 0; i < n;) {
            size_t j = i;
            while (j < n && c[j] == c[i])
                j++;
            if (j - i > best) {
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
    // `c [w1 w2 ...]` for each run of consecutive codes whose width is not DW.
    for (size_t i = 0; i < n;) {
        if (w[i] == dw) {
            i++;
            continue;
        }
        size_t j = i + 1;
        while (j < n && cps[j] == cps[j - 1] + 1 && w[j] != dw)
            j++;
        HPDF_Array ws = HPDF_Array_New(doc->mmgr);
        if (!ws || HPDF_Array_AddNumber(arr, (HPDF_INT32)cps[i]) != HPDF_OK ||
            HPDF_Array_Add(arr, ws) != HPDF_OK) {
            hpdf_fail(ps, "rewriting font widths");
            goto cleanup;
        }
        for (size_t k = i; k < j; k++)
            if (HPDF_Array_AddNumber(ws, w[k]) != HPDF_OK) {
                hpdf_fail(ps, "rewriting font widths");
                goto cleanup;
            }
        i = j;
    }
    if (HPDF_Dict_AddNumber(df, "DW", dw) != HPDF_OK) {
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

// --------------------------------------------------------------- drawing

// Text state of the current BT … ET object, so that Tf, Tc and Td are only
// written when they change: they dominate the content stream otherwise.
typedef struct {
    HPDF_Font font;
    float size, char_space;
    long long x, y;   // line start in 1/100 pt, as the reader will sum it
} text_state;

static int draw_page(pdf_state *ps, HPDF_Doc doc, const gl_frames *frames, const gl_page *pg,
                     const gl_fontset *fs, const face_slot *slots, gl_buf *tmp)
{
    int rc = -1;
    HPDF_Page page = HPDF_AddPage(doc);
    if (!page) {
        hpdf_fail(ps, "adding a page");
        goto cleanup;
    }
    HP(HPDF_Page_SetWidth(page, (HPDF_REAL)frames->width), "setting the page size");
    HP(HPDF_Page_SetHeight(page, (HPDF_REAL)frames->height), "setting the page size");

    float line_width = -1;
    for (size_t i = 0; i < pg->nrules; i++) {
        const gl_rule *r = &pg->rules[i];
        if (r->width != line_width) {
            HP(HPDF_Page_SetLineWidth(page, r->width), "drawing a rule");
            line_width = r->width;
        }
        HP(HPDF_Page_MoveTo(page, r->x0, r->y0), "drawing a rule");
        HP(HPDF_Page_LineTo(page, r->x1, r->y1), "drawing a rule");
        HP(HPDF_Page_Stroke(page), "drawing a rule");
    }

    text_state ts = {.font = NULL, .size = -1, .char_space = 0, .x = 0, .y = 0};
    bool in_text = false;
    for (size_t i = 0; i < pg->nruns; i++) {
        const gl_run *run = &pg->runs[i];
        if (run->len == 0)
            continue;
        if (run->face < 0 || run->face >= GL_FACE_COUNT) {
            gl_error(ps->ctx, GALLEY_ERR_INTERNAL, "%s: run with invalid face id %d",
                     ps->out_path, run->face);
            goto cleanup;
        }
        const face_slot *s = &slots[gl_face_canonical(fs, run->face)];
        if (!in_text) {
            HP(HPDF_Page_BeginText(page), "drawing text");
            in_text = true;
        }
        if (s->font != ts.font || run->size != ts.size) {
            HP(HPDF_Page_SetFontAndSize(page, s->font, run->size), "drawing text");
            ts.font = s->font;
            ts.size = run->size;
        }
        if (run->char_space != ts.char_space) {
            HP(HPDF_Page_SetCharSpace(page, run->char_space), "drawing text");
            ts.char_space = run->char_space;
        }
        // Td is relative to the previous line start; work in whole
        // hundredths of a point so rounding never accumulates.  (Finer steps
        // cost bytes: libharu prints floats with five decimals, 224.62601.)
        long long x = llround(run->x * 100.0), y = llround(run->y * 100.0);
        if (x != ts.x || y != ts.y) {
            HP(HPDF_Page_MoveTextPos(page, (HPDF_REAL)((double)(x - ts.x) / 100.0),
                                     (HPDF_REAL)((double)(y - ts.y) / 100.0)),
               "drawing text");
            ts.x = x;
            ts.y = y;
        }
        tmp->len = 0;
        GL_CHECK(gl_buf_put(tmp, run->text, run->len));
        HP(HPDF_Page_ShowText(page, tmp->data), "drawing text");
    }
    if (in_text)
        HP(HPDF_Page_EndText(page), "drawing text");
    rc = 0;
cleanup:
    return rc;
}

// --------------------------------------------------------------- entry

int gl_pdf_write(gl_ctx *ctx, const gl_frames *frames, const gl_fontset *fs,
                 const gl_pdf_meta *meta, const char *out_path)
{
    pdf_state st = {.ctx = ctx, .out_path = out_path, .err_no = 0, .detail_no = 0};
    pdf_state *ps = &st;   // what HP() reports through
    face_slot slots[GL_FACE_COUNT];
    memset(slots, 0, sizeof slots);
    HPDF_Doc doc = NULL;
    gl_out out = {.path = NULL, .tmp_path = NULL, .fd = -1};
    bool out_open = false;
    gl_buf tmp;
    gl_buf_init(&tmp, ctx);
    char *subset = NULL;
    uint32_t *cps = NULL;
    HPDF_BYTE *pdf_bytes = NULL;
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
            face_slot *s = &slots[gl_face_canonical(fs, run->face)];
            if (!s->bmp) {
                s->bmp = gl_calloc(ctx, BMP_WORDS, sizeof *s->bmp);
                if (!s->bmp)
                    goto cleanup;
                s->used = true;
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
    if (!doc) {
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
        gl_free(subset);
        subset = NULL;
        if (!s->tmp_path)
            goto cleanup;
        // The file must stay until HPDF_Free: libharu reads the glyph data
        // again when it writes the document.
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
        char tag[7];
        subset_tag(gl_face_psname(fs, f), cps, n, tag);
        // Before HPDF_GetFont, which copies the tagged name into BaseFont.
        HPDF_TTFontDef_SetTagName(def, tag);
        s->font = HPDF_GetFont(doc, name, "UTF-8");
        if (!s->font) {
            hpdf_fail(ps, "creating a font");
            goto cleanup;
        }
        GL_CHECK(fix_tounicode(ps, s, cps, n));
        GL_CHECK(fix_widths(ps, doc, s, cps, n));
        gl_free(cps);
        cps = NULL;
    }

    if (frames->npages == 0) {
        // A PDF needs a page; an empty document gets one blank page.
        gl_page blank = {0};
        GL_CHECK(draw_page(ps, doc, frames, &blank, fs, slots, &tmp));
    }
    for (size_t p = 0; p < frames->npages; p++)
        GL_CHECK(draw_page(ps, doc, frames, &frames->pages[p], fs, slots, &tmp));

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
        gl_free(slots[f].bmp);
    }
    gl_free(pdf_bytes);
    gl_free(cps);
    gl_free(subset);
    gl_buf_free(&tmp);
    return rc;
}
