/*
 * pdf_font.c — the PDF back end's fonts: which faces and characters the
 * frames use, each face's subset embedded as a CID TrueType font with a
 * reproducible subset tag, one-byte codes where they fit, a valid
 * ToUnicode CMap, an Encoding CMap and the widths layout measured.
 * Knows nothing of layout or the document model.
 */
#include "pdf_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    uint64_t h = gl_fnv1a64(GL_FNV64_OFFSET, psname, strlen(psname));
    for (size_t i = 0; i < n; i++) {
        unsigned char b[4] = {(unsigned char)cps[i], (unsigned char)(cps[i] >> 8),
                              (unsigned char)(cps[i] >> 16), 0};
        h = gl_fnv1a64(h, b, 3);
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
        return gl_pdf_fail(ps, "indexing a font's cmap");
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
            return gl_pdf_fail(ps, "cleaning a ToUnicode dictionary");
    }
    return 0;
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
int gl_pdf_font_finish(pdf_state *ps, HPDF_Doc doc, const face_slot *s)
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
            return gl_pdf_fail(ps, "writing a font");
        HPDF_Dict file = HPDF_DictStream_New(doc->mmgr, doc->xref);
        if (!file || HPDF_Dict_Add(fa->fontdef->descriptor, "FontFile2", file) != HPDF_OK ||
            HPDF_Dict_AddNumber(file, "Length1", (HPDF_INT32)s->subset_len) != HPDF_OK)
            return gl_pdf_fail(ps, "writing a font");
        if (gl_pdf_put_deflated_by(ps, ps->deflate_fonts, file, s->subset, s->subset_len))
            return -1;
    }
    font->filter = HPDF_STREAM_FILTER_NONE;
    return fa->map_stream ? gl_pdf_deflate_stream(ps, fa->map_stream) : 0;
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
    GL_CHECK(gl_pdf_put_deflated(ps, tu, b.data, b.len));
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
        gl_pdf_fail(ps, "making a font encoding");
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
        gl_pdf_fail(ps, "making a font encoding");
        goto cleanup;
    }
    GL_CHECK(gl_pdf_put_deflated(ps, enc, b.data, b.len));
    // The CIDToGIDMap libharu made is indexed by character (2 bytes each,
    // big-endian); the new one by code.
    HPDF_FontAttr fa = s->font->attr;
    if (!fa->map_stream || !fa->map_stream->stream) {
        gl_error(ps->ctx, GALLEY_ERR_BACKEND, "%s: libharu made no CIDToGIDMap for font %s",
                 ps->out_path, s->hpdf_name);
        goto cleanup;
    }
    GL_CHECK(gl_pdf_read_stream(ps, fa->map_stream->stream, &b));
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
        gl_pdf_fail(ps, "rewriting font widths");
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
            gl_pdf_fail(ps, "rewriting font widths");
            goto cleanup;
        }
        for (size_t k = i; k < j; k++)
            if (HPDF_Array_AddReal(ws, w[k]) != HPDF_OK) {
                gl_pdf_fail(ps, "rewriting font widths");
                goto cleanup;
            }
        i = j;
    }
    if (HPDF_Dict_AddNumber(df, "DW", (HPDF_INT32)dw) != HPDF_OK) {
        gl_pdf_fail(ps, "rewriting font widths");
        goto cleanup;
    }
    // libharu writes the Ordering as "Identity-H" (the encoding's name); the
    // CIDSystemInfo of an Identity-H font is Adobe-Identity-0.
    HPDF_Dict si = HPDF_Dict_GetItem(df, "CIDSystemInfo", HPDF_OCLASS_DICT);
    if (si) {
        HPDF_String ord = HPDF_String_New(doc->mmgr, "Identity", NULL);
        if (!ord || HPDF_Dict_Add(si, "Ordering", ord) != HPDF_OK) {
            gl_pdf_fail(ps, "rewriting CIDSystemInfo");
            goto cleanup;
        }
    }
    rc = 0;
cleanup:
    gl_free(w);
    return rc;
}

/* ---------------------------------------------------------------- entry points */

// Which faces are used, and with which characters.
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
            if (run->len == 0)
                continue;
            int canon = gl_face_canonical(fs, run->face);
            face_slot *s = &slots[canon];
            if (!s->bmp) {
                s->bmp = gl_calloc(ps->ctx, BMP_WORDS, sizeof *s->bmp);
                if (!s->bmp)
                    return -1;
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
    return 0;
}

int gl_pdf_font_embed(pdf_state *ps, HPDF_Doc doc, const gl_fontset *fs, face_slot *slots,
                      int f)
{
    gl_ctx *ctx = ps->ctx;
    face_slot *s = &slots[f];
    char *subset = NULL;
    code_map *codes = NULL;
    size_t n = 0, len = 0;
    int rc = -1;
    uint32_t *cps = slot_cps(ctx, s, &n);
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
        gl_error(ctx, GALLEY_ERR_FONT,
                 "%s: libharu cannot embed the subset of %s: error 0x%04X (%s)", ps->out_path,
                 gl_face_path(fs, f), (unsigned)ps->err_no, gl_pdf_err_name(ps->err_no));
        goto cleanup;
    }
    for (int g = 0; g < f; g++) {
        if (slots[g].used && strcmp(slots[g].hpdf_name, name) == 0) {
            // libharu keys fonts by PostScript name: a second face with
            // the same name would silently draw with the first.
            gl_error(ctx, GALLEY_ERR_FONT,
                     "%s: fonts %s and %s have the same PostScript name %s; the PDF "
                     "cannot embed both",
                     ps->out_path, gl_face_path(fs, g), gl_face_path(fs, f), name);
            goto cleanup;
        }
    }
    s->hpdf_name = name;
    HPDF_FontDef def = HPDF_Doc_FindFontDef(doc, name);
    if (!def) {
        gl_pdf_fail(ps, "finding a loaded font");
        goto cleanup;
    }
    GL_CHECK(flatten_cmap(ps, def));
    char tag[7];
    subset_tag(gl_face_psname(fs, f), cps, n, tag);
    // Before HPDF_GetFont, which copies the tagged name into BaseFont.
    HPDF_TTFontDef_SetTagName(def, tag);
    s->font = HPDF_GetFont(doc, name, "UTF-8");
    if (!s->font) {
        gl_pdf_fail(ps, "creating a font");
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
    rc = 0;
cleanup:
    gl_free(codes);
    gl_free(cps);
    gl_free(subset);
    return rc;
}

void gl_pdf_fonts_free(face_slot *slots)
{
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
}
