/*
 * pdf_font.c — the PDF back end's fonts: which glyphs of which faces the
 * frames draw and what text each stands for, then each face's subset
 * (gl_face_subset_glyphs) written as a Type0 font with libharu's object
 * API: CIDFontType2 or CIDFontType0 with its font program, widths, codes
 * (one byte where they fit), an Encoding and a ToUnicode CMap.
 * Knows nothing of layout or the document model.
 */
#include "pdf_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// --------------------------------------------------------------- collection

static int slot_init(pdf_state *ps, const gl_fontset *fs, int face, face_slot *s)
{
    s->glyphs = gl_calloc(ps->ctx, GLYPH_WORDS, sizeof *s->glyphs);
    s->text = gl_calloc(ps->ctx, GLYPH_LIMIT, sizeof *s->text);
    s->code = gl_calloc(ps->ctx, GLYPH_LIMIT, sizeof *s->code);
    s->width = gl_calloc(ps->ctx, GLYPH_LIMIT, sizeof *s->width);
    if (!s->glyphs || !s->text || !s->code || !s->width)
        return -1;
    s->used = true;
    s->cmap = gl_face_bmp_glyphs(fs, face);
    // The space, for word spaces set by Tw (pdf.c, "Word spaces").
    s->space = (uint16_t)gl_face_glyph(fs, face, ' ');
    if (s->space) {
        s->glyphs[s->space >> 5] |= 1u << (s->space & 31);
        s->text[s->space] = ' ';
    }
    return 0;
}

// Gives glyph g the text of the UTF-8 bytes t[0..n), unless it has one:
// a glyph drawn for different texts (the same glyph for two characters, or
// .notdef for several missing ones) keeps the first, as a code has one
// ToUnicode entry.  No text (a cluster's later glyphs) claims nothing.
static int set_text(pdf_state *ps, face_slot *s, uint32_t g, const char *t, size_t n)
{
    if (s->text[g] || n == 0)
        return 0;
    size_t i = 0;
    uint32_t cp = gl_utf8_next(t, n, &i);
    if (i >= n) {
        s->text[g] = cp;
        return 0;
    }
    // Several characters (a ligature): [count, cp...] in texts.
    size_t at = s->ntexts, count = 1;
    if (GL_GROW(ps->ctx, s->texts, s->captexts, at + 2 + n))
        return -1;
    s->texts[at + 1] = cp;
    while (i < n)
        s->texts[at + 1 + count++] = gl_utf8_next(t, n, &i);
    s->texts[at] = (uint32_t)count;
    s->ntexts = at + 1 + count;
    s->text[g] = TEXT_MULTI | (uint32_t)at;
    return 0;
}

// The end (byte offset) of the cluster of glyph i: the nearest cluster
// beyond its own among its neighbours (clusters ascend along a
// left-to-right run and descend along a right-to-left one), else the end
// of the text.
static uint32_t cluster_end(const gl_run *run, uint32_t i)
{
    const gl_glyph_pos *g = run->glyphs;
    uint32_t c = g[i].cluster, end = run->len;
    for (uint32_t j = i + 1; j < run->nglyphs; j++)
        if (g[j].cluster != c) {
            if (g[j].cluster > c && g[j].cluster < end)
                end = g[j].cluster;
            break;
        }
    for (uint32_t j = i; j-- > 0;)
        if (g[j].cluster != c) {
            if (g[j].cluster > c && g[j].cluster < end)
                end = g[j].cluster;
            break;
        }
    return end;
}

int gl_pdf_fonts_collect(pdf_state *ps, const gl_frames *frames, const gl_fontset *fs,
                         face_slot *slots)
{
    for (size_t p = 0; p < frames->npages; p++) {
        const gl_page *pg = &frames->pages[p];
        for (size_t r = 0; r < pg->nruns; r++) {
            const gl_run *run = &pg->runs[r];
            if (run->face < 0 || run->face >= GL_FACE_COUNT) {
                return gl_error(ps->ctx, GALLEY_ERR_INTERNAL, "%s: run with invalid face id %d",
                                ps->out_path, run->face);
            }
            if (run->len == 0 && !(run->glyphs && run->nglyphs))
                continue;
            int canon = gl_face_canonical(fs, run->face);
            face_slot *s = &slots[canon];
            if (!s->glyphs && slot_init(ps, fs, canon, s))
                return -1;
            if (run->glyphs) {
                const gl_glyph_pos *g = run->glyphs;
                for (uint32_t i = 0; i < run->nglyphs; i++) {
                    uint32_t gid = g[i].gid;
                    if (gid >= GLYPH_LIMIT || g[i].cluster > run->len)
                        return gl_error(ps->ctx, GALLEY_ERR_INTERNAL,
                                        "%s: glyph %u with cluster %u in a run of %u bytes",
                                        ps->out_path, (unsigned)gid, (unsigned)g[i].cluster,
                                        (unsigned)run->len);
                    s->glyphs[gid >> 5] |= 1u << (gid & 31);
                    // A cluster's text goes on its first glyph.
                    if (i > 0 && g[i - 1].cluster == g[i].cluster)
                        continue;
                    uint32_t end = cluster_end(run, i);
                    if (set_text(ps, s, gid, run->text + g[i].cluster, end - g[i].cluster))
                        return -1;
                }
                continue;
            }
            size_t i = 0;
            while (i < run->len) {
                uint32_t cp = gl_utf8_next(run->text, run->len, &i);
                uint32_t gid = cp < 0x10000 ? s->cmap[cp] : gl_face_glyph(fs, canon, cp);
                s->glyphs[gid >> 5] |= 1u << (gid & 31);
                if (!s->text[gid])
                    s->text[gid] = cp;
            }
        }
    }
    return 0;
}

// --------------------------------------------------------------- CMaps

// One glyph of a font: its code, CID and text.
typedef struct {
    uint32_t code, cid;
    uint32_t gid;         // in the face
    uint32_t text;        // as face_slot.text
    float w;              // W width, 1/1000 em
} font_glyph;

static int cmp_code(const void *a, const void *b)
{
    const font_glyph *x = a, *y = b;
    return (x->code > y->code) - (x->code < y->code);
}

static int cmp_cid(const void *a, const void *b)
{
    const font_glyph *x = a, *y = b;
    return (x->cid > y->cid) - (x->cid < y->cid);
}

// "ABCDEF": the six-letter subset tag of ISO 32000 §9.6.4, derived from the
// face and its glyph ids so that the same input gives the same bytes.
static void subset_tag(const char *psname, const uint32_t *gids, size_t n, char tag[7])
{
    uint64_t h = gl_fnv1a64(GL_FNV64_OFFSET, psname, strlen(psname));
    for (size_t i = 0; i < n; i++) {
        unsigned char b[3] = {(unsigned char)gids[i], (unsigned char)(gids[i] >> 8), 0};
        h = gl_fnv1a64(h, b, 3);
    }
    for (int i = 0; i < 6; i++) {
        tag[i] = (char)('A' + h % 26);
        h /= 26;
    }
    tag[6] = 0;
}

// The single BMP character a text is, else -1 (several, or beyond U+FFFF:
// those are never part of a bfrange).
static long single_bmp(const face_slot *s, uint32_t text)
{
    (void)s;
    return text && !(text & TEXT_MULTI) && text < 0x10000 && (text < 0xD800 || text > 0xDFFF)
               ? (long)text : -1;
}

// Appends a text as UTF-16BE hex digits (surrogate pairs beyond the BMP).
static int put_utf16_hex(gl_buf *b, const face_slot *s, uint32_t text)
{
    const uint32_t *cps = &text;
    size_t n = 1;
    if (text & TEXT_MULTI) {
        const uint32_t *t = s->texts + (text & ~TEXT_MULTI);
        n = t[0];
        cps = t + 1;
    }
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t cp = cps[i];
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            cp = 0xFFFD;
        if (cp >= 0x10000) {
            uint32_t v = cp - 0x10000;
            rc |= gl_buf_printf(b, "%04X%04X", 0xD800u + (v >> 10), 0xDC00u + (v & 0x3FF));
        } else {
            rc |= gl_buf_printf(b, "%04X", (unsigned)cp);
        }
    }
    return rc;
}

// The mapping sections of a CMap over g[0..n), sorted by code: code to CID
// (cid = true: cidrange/cidchar, for an Encoding) or code to text
// (bfrange/bfchar, for ToUnicode, ISO 32000 §9.10.3).  Codes that follow
// on one by one to CIDs or single BMP characters that do too become
// ranges; a range never crosses a first-byte boundary of two-byte codes
// (§9.7.6.2) nor, in a bfrange, a change of its destination's first byte
// (only the last byte is incremented).  A section holds at most 100
// entries (the limit of PostScript CMap operators).
static int write_cmap_entries(gl_buf *b, const face_slot *s, const font_glyph *g, size_t n,
                              bool one_byte, bool cid)
{
    const char *kind = cid ? "cid" : "bf";
    const char *cfmt = one_byte ? "<%02X>" : "<%04X>";
    int rc = 0;
    size_t i = 0;
    while (i < n && rc == 0) {
        // The length of the range starting at j (1: a single entry).
        size_t j = i, k = 0;
        bool ranges = false;
        for (;;) {
            if (j >= n || k == 100)
                break;
            size_t e = j;
            long to = cid ? (long)g[j].cid : single_bmp(s, g[j].text);
            if (to >= 0) {
                while (e + 1 < n && g[e + 1].code == g[e].code + 1 &&
                       (g[e + 1].code >> 8) == (g[j].code >> 8)) {
                    long next = cid ? (long)g[e + 1].cid : single_bmp(s, g[e + 1].text);
                    if (next != to + (long)(e + 1 - j) || (!cid && (next >> 8) != (to >> 8)))
                        break;
                    e++;
                }
            }
            bool r = e > j;
            if (k == 0)
                ranges = r;
            else if (r != ranges)
                break;
            k++;
            j = e + 1;
        }
        rc |= gl_buf_printf(b, "%zu begin%s%s\n", k, kind, ranges ? "range" : "char");
        for (size_t q = 0; q < k; q++) {
            size_t e = i;
            if (ranges) {
                long to = cid ? (long)g[i].cid : single_bmp(s, g[i].text);
                while (e + 1 < n && g[e + 1].code == g[e].code + 1 &&
                       (g[e + 1].code >> 8) == (g[i].code >> 8)) {
                    long next = cid ? (long)g[e + 1].cid : single_bmp(s, g[e + 1].text);
                    if (next != to + (long)(e + 1 - i) || (!cid && (next >> 8) != (to >> 8)))
                        break;
                    e++;
                }
            }
            rc |= gl_buf_printf(b, cfmt, (unsigned)g[i].code);
            if (ranges) {
                rc |= gl_buf_putc(b, ' ');
                rc |= gl_buf_printf(b, cfmt, (unsigned)g[e].code);
            }
            if (cid) {
                rc |= gl_buf_printf(b, " %u\n", (unsigned)g[i].cid);
            } else {
                rc |= gl_buf_puts(b, " <");
                rc |= put_utf16_hex(b, s, g[i].text);
                rc |= gl_buf_puts(b, ">\n");
            }
            i = e + 1;
        }
        rc |= gl_buf_printf(b, "end%s%s\n", kind, ranges ? "range" : "char");
    }
    return rc ? -1 : 0;
}

// A CMap (ISO 32000 §9.7.5, §9.10.3) over the codes of g: the font's
// Encoding (cid) or its ToUnicode map.
static int write_cmap(gl_buf *b, const face_slot *s, const font_glyph *g, size_t n,
                      bool one_byte, bool cid, const char *name)
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
    rc |= write_cmap_entries(b, s, g, n, one_byte, cid);
    rc |= gl_buf_puts(b, "endcmap\n"
                         "CMapName currentdict /CMap defineresource pop\n"
                         "end\n"
                         "end\n");
    return rc ? -1 : 0;
}

// --------------------------------------------------------------- codes and widths

// One-byte codes for a font of at most 253 glyphs (an English book's faces
// use about a hundred): the space glyph takes code 32, so that Tw widens
// word spaces (pdf.c); a glyph standing for one character of U+0021-U+00FF
// takes that character's value when free; the rest take the free codes
// from 0x80 up, then from 0x01 (0x0A and 0x0D never: readers normalise
// end-of-line bytes).  Text then costs one byte a glyph instead of two,
// which takes a third off the deflate time of an English book and a tenth
// off its PDF.  g is in glyph id order.
static void one_byte_codes(const face_slot *s, font_glyph *g, size_t n)
{
    bool taken[256] = {[0] = true, ['\n'] = true, ['\r'] = true};
    bool done[256 + 3] = {false};   // n <= 253
    for (size_t i = 0; i < n; i++) {
        uint32_t t = g[i].text;
        uint32_t want = g[i].gid == s->space && s->space ? 0x20
                      : (t >= 0x21 && t <= 0xFF) ? t : 0;
        if (want && !taken[want]) {
            g[i].code = want;
            taken[want] = true;
            done[i] = true;
        }
    }
    unsigned next = 0x80;
    for (size_t i = 0; i < n; i++) {
        if (done[i])
            continue;
        while (taken[next & 0xFF])
            next++;
        g[i].code = next & 0xFF;
        taken[next & 0xFF] = true;
    }
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

// The CIDFont's widths (ISO 32000 §9.7.4.3): DW the commonest whole width
// (DW is an integer, Table 115; Poppler ignores a real one), so that a Han
// font lists only its exceptions, and W for the rest, `c [w1 w2 ...]` per
// run of consecutive CIDs.  The widths are layout's, to a hundredth of a
// unit, not whole thousandths: a word's rounding (up to half a unit a
// letter) made every word gap of a line differ, so that few could be
// written as a Tw space.  g: sorted by CID.
static int write_widths(pdf_state *ps, HPDF_Doc doc, HPDF_Dict cidfont, const font_glyph *g,
                        size_t n)
{
    float dw = 1000;
    float *c = gl_malloc(ps->ctx, (n ? n : 1) * sizeof *c);
    if (!c)
        return -1;
    for (size_t i = 0; i < n; i++)
        c[i] = g[i].w;
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
    HPDF_Array arr = HPDF_Array_New(doc->mmgr);
    if (!arr || HPDF_Dict_Add(cidfont, "W", arr) != HPDF_OK)
        return gl_pdf_fail(ps, "writing font widths");
    for (size_t i = 0; i < n;) {
        if (g[i].w == dw) {
            i++;
            continue;
        }
        size_t j = i + 1;
        while (j < n && g[j].cid == g[i].cid + (j - i) && g[j].w != dw)
            j++;
        HPDF_Array ws = HPDF_Array_New(doc->mmgr);
        if (!ws || HPDF_Array_AddNumber(arr, (HPDF_INT32)g[i].cid) != HPDF_OK ||
            HPDF_Array_Add(arr, ws) != HPDF_OK)
            return gl_pdf_fail(ps, "writing font widths");
        for (size_t k = i; k < j; k++)
            if (HPDF_Array_AddReal(ws, g[k].w) != HPDF_OK)
                return gl_pdf_fail(ps, "writing font widths");
        i = j;
    }
    if (HPDF_Dict_AddNumber(cidfont, "DW", (HPDF_INT32)dw) != HPDF_OK)
        return gl_pdf_fail(ps, "writing font widths");
    return 0;
}

// --------------------------------------------------------------- objects

// A new stream object holding data deflated (fonts: z = ps->deflate_fonts).
static HPDF_Dict new_stream(pdf_state *ps, HPDF_Doc doc, gl_deflater *z, const char *data,
                            size_t len, const char *what)
{
    HPDF_Dict d = HPDF_DictStream_New(doc->mmgr, doc->xref);
    if (!d) {
        gl_pdf_fail(ps, what);
        return NULL;
    }
    return gl_pdf_put_deflated_by(ps, z, d, data, len) ? NULL : d;
}

static HPDF_Dict new_dict(pdf_state *ps, HPDF_Doc doc, const char *what)
{
    HPDF_Dict d = HPDF_Dict_New(doc->mmgr);
    if (!d || HPDF_Xref_Add(doc->xref, d) != HPDF_OK) {
        gl_pdf_fail(ps, what);
        return NULL;
    }
    return d;
}

// /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>:
// the ordering of Identity-H, and of CMaps whose CIDs are glyph ids.
static HPDF_STATUS add_system_info(HPDF_Doc doc, HPDF_Dict d)
{
    HPDF_Dict si = HPDF_Dict_New(doc->mmgr);
    if (!si)
        return HPDF_FAILD_TO_ALLOC_MEM;
    HPDF_STATUS e = HPDF_Dict_Add(d, "CIDSystemInfo", si);
    if (e == HPDF_OK) {
        e |= HPDF_Dict_Add(si, "Registry", HPDF_String_New(doc->mmgr, "Adobe", NULL));
        e |= HPDF_Dict_Add(si, "Ordering", HPDF_String_New(doc->mmgr, "Identity", NULL));
        e |= HPDF_Dict_AddNumber(si, "Supplement", 0);
    }
    return e;
}

static HPDF_INT32 thousandths(double em) { return (HPDF_INT32)lround(em * 1000.0); }

// The font descriptor (ISO 32000 §9.8) and the font program: FontFile2 for
// TrueType outlines, FontFile3 /OpenType for CFF ones (PDF 1.6: the
// OpenType file as it is, so the reader sees its charset and metrics).
static HPDF_Dict write_descriptor(pdf_state *ps, HPDF_Doc doc, const gl_face_sub *sub,
                                  const char *name)
{
    const char *what = "writing a font descriptor";
    HPDF_Dict prog = new_stream(ps, doc, ps->deflate_fonts, sub->data, sub->len,
                                "embedding a font program");
    HPDF_Dict fd = prog ? new_dict(ps, doc, what) : NULL;
    HPDF_Array bbox = fd ? HPDF_Array_New(doc->mmgr) : NULL;
    if (!bbox) {
        if (prog && fd)
            gl_pdf_fail(ps, what);
        return NULL;
    }
    // Flags (Table 123): FixedPitch 1, Serif 2, Symbolic 4 or Nonsymbolic 32,
    // Italic 64.
    HPDF_INT32 flags = (sub->fixed_pitch ? 1 : 0) | (sub->serif ? 2 : 0) |
                       (sub->symbolic ? 4 : 32) | (sub->italic ? 64 : 0);
    HPDF_STATUS e = HPDF_Dict_AddName(fd, "Type", "FontDescriptor");
    e |= HPDF_Dict_AddName(fd, "FontName", name);
    e |= HPDF_Dict_AddNumber(fd, "Flags", flags);
    e |= HPDF_Dict_Add(fd, "FontBBox", bbox);
    for (int i = 0; i < 4; i++)
        e |= HPDF_Array_AddNumber(bbox, thousandths(sub->bbox[i]));
    e |= HPDF_Dict_AddReal(fd, "ItalicAngle", (HPDF_REAL)(round(sub->italic_angle * 100) / 100));
    e |= HPDF_Dict_AddNumber(fd, "Ascent", thousandths(sub->ascent));
    e |= HPDF_Dict_AddNumber(fd, "Descent", thousandths(sub->descent));
    e |= HPDF_Dict_AddNumber(fd, "CapHeight", thousandths(sub->cap_height));
    if (sub->x_height > 0)
        e |= HPDF_Dict_AddNumber(fd, "XHeight", thousandths(sub->x_height));
    e |= HPDF_Dict_AddNumber(fd, "StemV", thousandths(sub->stem_v));
    if (sub->cff) {
        e |= HPDF_Dict_AddName(prog, "Subtype", "OpenType");
        e |= HPDF_Dict_Add(fd, "FontFile3", prog);
    } else {
        e |= HPDF_Dict_AddNumber(prog, "Length1", (HPDF_INT32)sub->len);
        e |= HPDF_Dict_Add(fd, "FontFile2", prog);
    }
    if (e != HPDF_OK) {
        gl_pdf_fail(ps, what);
        return NULL;
    }
    return fd;
}

// The Encoding of a one-byte font: a CMap from its codes to its CIDs.
static HPDF_Dict write_encoding(pdf_state *ps, HPDF_Doc doc, const face_slot *s,
                                const font_glyph *g, size_t n, const char *tag, gl_buf *b)
{
    char name[32];
    snprintf(name, sizeof name, "Galley-%s-H", tag);
    b->len = 0;
    if (write_cmap(b, s, g, n, true, true, name))
        return NULL;
    HPDF_Dict enc = new_stream(ps, doc, ps->deflate, b->data, b->len, "making a font encoding");
    if (!enc)
        return NULL;
    HPDF_STATUS e = HPDF_Dict_AddName(enc, "Type", "CMap");
    e |= HPDF_Dict_AddName(enc, "CMapName", name);
    e |= add_system_info(doc, enc);
    if (e != HPDF_OK) {
        gl_pdf_fail(ps, "making a font encoding");
        return NULL;
    }
    return enc;
}

int gl_pdf_font_embed(pdf_state *ps, HPDF_Doc doc, const gl_fontset *fs, face_slot *slots,
                      int f)
{
    gl_ctx *ctx = ps->ctx;
    face_slot *s = &slots[f];
    gl_face_sub sub = {0};
    uint32_t *gids = NULL;
    font_glyph *g = NULL;
    gl_buf b;
    gl_buf_init(&b, ctx);
    int rc = -1;
    const char *what = "writing a font";

    size_t n = 0;
    for (uint32_t w = 0; w < GLYPH_WORDS; w++)
        n += (size_t)__builtin_popcount(s->glyphs[w]);
    gids = gl_malloc(ctx, (n ? n : 1) * sizeof *gids);
    g = gl_calloc(ctx, n ? n : 1, sizeof *g);
    if (!gids || !g)
        goto cleanup;
    size_t k = 0;
    for (uint32_t gid = 0; gid < GLYPH_LIMIT; gid++)
        if ((s->glyphs[gid >> 5] >> (gid & 31)) & 1u)
            gids[k++] = gid;
    GL_CHECK(gl_face_subset_glyphs(ctx, fs, f, gids, n, &sub));
    s->cff = sub.cff;

    // CIDs: TrueType fonts with two-byte codes take the subset's glyph ids
    // (CIDToGIDMap /Identity); CFF fonts the CIDs of its charset (no
    // CIDToGIDMap exists for them).  One-byte codes where at most 253
    // glyphs are drawn (and, in a CFF font, every CID fits a byte): the
    // Encoding maps them to CIDs; in a TrueType font the CIDs are the codes
    // themselves and a CIDToGIDMap leads to the glyphs, because MuPDF reads
    // ToUnicode through the Encoding into CIDs within its one-byte code
    // space and dropped every character whose CID lay beyond.
    uint32_t maxcid = 0;
    for (size_t i = 0; i < n; i++) {
        g[i].gid = gids[i];
        g[i].text = s->text[gids[i]];
        g[i].cid = sub.cff ? sub.cid[i] : sub.gid[i];
        g[i].w = (float)(round((double)sub.adv[i] * 100000.0) / 100.0);
        maxcid = g[i].cid > maxcid ? g[i].cid : maxcid;
    }
    s->one_byte = n <= 253 && (!sub.cff || maxcid <= 0xFF);
    if (s->one_byte) {
        one_byte_codes(s, g, n);
        if (!sub.cff)
            for (size_t i = 0; i < n; i++)
                g[i].cid = g[i].code;
    } else {
        for (size_t i = 0; i < n; i++)
            g[i].code = g[i].cid;
    }
    for (size_t i = 0; i < n; i++) {
        s->code[g[i].gid] = (uint16_t)g[i].code;
        s->width[g[i].gid] = g[i].w;
    }

    char tag[7], name[160];
    subset_tag(gl_face_psname(fs, f), gids, n, tag);
    snprintf(name, sizeof name, "%s+%.127s", tag, gl_face_psname(fs, f));
    snprintf(s->res, sizeof s->res, "F%u", (unsigned)f % 100 + 1);

    HPDF_Dict fd = write_descriptor(ps, doc, &sub, name);
    if (!fd)
        goto cleanup;
    HPDF_Dict cidfont = new_dict(ps, doc, what);
    if (!cidfont)
        goto cleanup;
    HPDF_STATUS e = HPDF_Dict_AddName(cidfont, "Type", "Font");
    e |= HPDF_Dict_AddName(cidfont, "Subtype", sub.cff ? "CIDFontType0" : "CIDFontType2");
    e |= HPDF_Dict_AddName(cidfont, "BaseFont", name);
    e |= add_system_info(doc, cidfont);
    e |= HPDF_Dict_Add(cidfont, "FontDescriptor", fd);
    if (e != HPDF_OK) {
        gl_pdf_fail(ps, what);
        goto cleanup;
    }
    qsort(g, n, sizeof *g, cmp_cid);
    GL_CHECK(write_widths(ps, doc, cidfont, g, n));
    if (!sub.cff && !s->one_byte) {
        HP(HPDF_Dict_AddName(cidfont, "CIDToGIDMap", "Identity"), what);
    } else if (!sub.cff) {
        // code (= CID) -> glyph, two bytes big-endian each (§9.7.4.2)
        unsigned char map[512] = {0};
        size_t top = 0;
        for (size_t i = 0; i < n; i++) {
            uint32_t gid = sub.gid[i], c = s->code[gids[i]];
            map[2 * c] = (unsigned char)(gid >> 8);
            map[2 * c + 1] = (unsigned char)gid;
            top = c + 1 > top ? c + 1 : top;
        }
        HPDF_Dict m = new_stream(ps, doc, ps->deflate, (const char *)map, 2 * top,
                                 "writing a CIDToGIDMap");
        if (!m)
            goto cleanup;
        HP(HPDF_Dict_Add(cidfont, "CIDToGIDMap", m), what);
    }

    qsort(g, n, sizeof *g, cmp_code);
    HPDF_Dict font = new_dict(ps, doc, what);
    if (!font)
        goto cleanup;
    e = HPDF_Dict_AddName(font, "Type", "Font");
    e |= HPDF_Dict_AddName(font, "Subtype", "Type0");
    e |= HPDF_Dict_AddName(font, "BaseFont", name);
    HPDF_Array desc = HPDF_Array_New(doc->mmgr);
    if (!desc || e != HPDF_OK || HPDF_Dict_Add(font, "DescendantFonts", desc) != HPDF_OK ||
        HPDF_Array_Add(desc, cidfont) != HPDF_OK) {
        gl_pdf_fail(ps, what);
        goto cleanup;
    }
    if (s->one_byte) {
        HPDF_Dict enc = write_encoding(ps, doc, s, g, n, tag, &b);
        if (!enc)
            goto cleanup;
        HP(HPDF_Dict_Add(font, "Encoding", enc), what);
    } else {
        HP(HPDF_Dict_AddName(font, "Encoding", "Identity-H"), what);
    }
    // ToUnicode: the glyphs with a text (a cluster's later glyphs have none).
    size_t nt = 0;
    for (size_t i = 0; i < n; i++)
        if (g[i].text)
            g[nt++] = g[i];
    b.len = 0;
    GL_CHECK(write_cmap(&b, s, g, nt, s->one_byte, false, "Adobe-Identity-UCS"));
    HPDF_Dict tu = new_stream(ps, doc, ps->deflate, b.data, b.len, "writing a ToUnicode CMap");
    if (!tu)
        goto cleanup;
    HP(HPDF_Dict_Add(font, "ToUnicode", tu), what);
    // FontFile3 /OpenType needs PDF 1.6 (ISO 32000 Table 126).
    if (sub.cff && doc->pdf_version < HPDF_VER_16)
        doc->pdf_version = HPDF_VER_16;
    s->font = font;
    rc = 0;
cleanup:
    gl_face_sub_free(&sub);
    gl_free(gids);
    gl_free(g);
    gl_buf_free(&b);
    return rc;
}

void gl_pdf_fonts_free(face_slot *slots)
{
    for (int f = 0; f < GL_FACE_COUNT; f++) {
        gl_free(slots[f].glyphs);
        gl_free(slots[f].text);
        gl_free(slots[f].texts);
        gl_free(slots[f].code);
        gl_free(slots[f].width);
    }
}
