/*
 * font_subset.c — subsets of a face with hb-subset: by code point for the
 * EPUB (layout tables kept, so reading systems shape alike), and by glyph
 * id for the PDF (the old-to-new glyph map from the subset plan, a
 * CID-keyed CFF's charset made the identity, and the facts a font
 * descriptor needs, read back with FreeType).  Knows nothing of PDF.
 */
#include "font_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ subsetting */

/* The face's file, its face and an empty subset input; each NULL until
 * made (the caller destroys what was made).  Returns 0 or -1. */
static int subset_source(gl_ctx *ctx, const face_info *fi, hb_blob_t **blob, hb_face_t **src,
                         hb_subset_input_t **in)
{
    *blob = hb_blob_create_from_file_or_fail(fi->path);
    if (!*blob)
        return gl_error(ctx, GALLEY_ERR_FONT, "%s: cannot read font for subsetting", fi->path);
    *src = hb_face_create(*blob, (unsigned)fi->index);
    *in = hb_subset_input_create_or_fail();
    return *in ? 0 : gl_oom(ctx);
}

/* Tables the subsets leave out: layout tables (their closure would pull in
 * glyphs nobody asked for, and neither the PDF nor the EPUB's fonts use
 * them), vertical metrics, and bitmap/colour data.  With
 * HB_SUBSET_FLAGS_NO_HINTING (which also drops cvt, fpgm, prep and glyph
 * instructions, about 60% of a Latin subset) what remains is OS/2 cmap
 * glyf (or CFF) head hhea hmtx loca maxp name post: what a PDF reader or a
 * browser needs to draw the glyphs (checked with pdffonts, pdftotext,
 * mutool and epubcheck), as uming.ttc, which has no hinting at all, shows. */
static const char *const DROP_TABLES[] = {
    "GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "morx", "mort", "kerx", "kern",
    "vhea", "vmtx", "VORG", "EBDT", "EBLC", "EBSC", "CBDT", "CBLC", "sbix", "SVG ",
    "COLR", "CPAL", "DSIG", "LTSH", "hdmx", "VDMX", "PCLT", "gasp", "meta", "STAT",
};

static bool is_layout_table(const char *tag)
{
    return !strcmp(tag, "GSUB") || !strcmp(tag, "GPOS") || !strcmp(tag, "GDEF") ||
           !strcmp(tag, "kern");
}

int gl_face_subset(gl_ctx *ctx, const gl_fontset *fs, int face, const uint32_t *cps,
                   size_t ncps, char **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    if (!valid_face(face))
        return gl_error(ctx, GALLEY_ERR_INTERNAL, "gl_face_subset: bad face id %d", face);
    const face_info *fi = info_of(fs, face);
    hb_blob_t *blob = NULL;
    hb_face_t *src = NULL, *sub = NULL;
    hb_subset_input_t *in = NULL;
    hb_blob_t *out = NULL;
    int rc = -1;

    if (subset_source(ctx, fi, &blob, &src, &in))
        goto cleanup;
    hb_set_t *u = hb_subset_input_unicode_set(in);
    for (size_t i = 0; i < ncps; i++)
        hb_set_add(u, cps[i]);
    // Keep every name record (by default hb-subset keeps name IDs 0-6 in
    // English only).
    hb_set_t *names = hb_subset_input_set(in, HB_SUBSET_SETS_NAME_ID);
    hb_set_clear(names);
    hb_set_invert(names);
    hb_set_t *langs = hb_subset_input_set(in, HB_SUBSET_SETS_NAME_LANG_ID);
    hb_set_clear(langs);
    hb_set_invert(langs);
    // A reading system shapes the EPUB's text itself: the layout tables
    // stay (hb-subset keeps its default features, kerning and standard
    // ligatures among them, and the glyphs they reach), so that it kerns
    // and joins as the PDF does.
    hb_set_t *drop = hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG);
    for (size_t i = 0; i < sizeof DROP_TABLES / sizeof *DROP_TABLES; i++)
        if (!is_layout_table(DROP_TABLES[i]))
            hb_set_add(drop, hb_tag_from_string(DROP_TABLES[i], 4));
    if (!hb_set_allocation_successful(u) || !hb_set_allocation_successful(drop)) {
        gl_oom(ctx);
        goto cleanup;
    }
    hb_subset_input_set_flags(in, HB_SUBSET_FLAGS_NO_HINTING);
    sub = hb_subset_or_fail(src, in);
    if (!sub) {
        gl_error(ctx, GALLEY_ERR_FONT, "%s: hb-subset failed for face %d", fi->path, fi->index);
        goto cleanup;
    }
    out = hb_face_reference_blob(sub);
    unsigned n = 0;
    const char *p = hb_blob_get_data(out, &n);
    if (!p || n < 12) {
        gl_error(ctx, GALLEY_ERR_FONT, "%s: hb-subset produced no font", fi->path);
        goto cleanup;
    }
    *data = gl_malloc(ctx, n);
    if (!*data)
        goto cleanup;
    memcpy(*data, p, n);
    *len = n;
    rc = 0;
cleanup:
    hb_blob_destroy(out);
    hb_face_destroy(sub);
    hb_subset_input_destroy(in);
    hb_face_destroy(src);
    hb_blob_destroy(blob);
    return rc;
}


/* ------------------------------------------------------------ subsets by glyph id */

/* What the PDF back end embeds: the glyphs runs draw, by glyph id (shaped
 * glyphs, ligatures and characters beyond the BMP included), with the
 * font-descriptor facts read from the subset itself. */

const uint16_t *gl_face_bmp_glyphs(const gl_fontset *fs, int face)
{
    return valid_face(face) ? info_of(fs, face)->bmp : NULL;
}

void gl_face_sub_free(gl_face_sub *s)
{
    if (!s)
        return;
    gl_free(s->data);
    gl_free(s->gid);
    gl_free(s->cid);
    gl_free(s->adv);
    memset(s, 0, sizeof *s);
}

/* Reads a CFF INDEX at p[*at] (CFF spec, Technical Note #5176 §5): its
 * count, and moves *at past it.  False when it runs past end. */
static bool cff_index(const unsigned char *p, size_t end, size_t *at, unsigned *count,
                      size_t *first, unsigned *off_size)
{
    if (*at + 2 > end)
        return false;
    *count = gl_be16(p + *at);
    if (*count == 0) {
        *at += 2;
        return true;
    }
    if (*at + 3 > end)
        return false;
    unsigned os = p[*at + 2];
    size_t offs = *at + 3;
    if (os < 1 || os > 4 || offs + (size_t)(*count + 1) * os > end)
        return false;
    uint32_t last = 0;
    for (unsigned k = 0; k < os; k++)
        last = last << 8 | p[offs + (size_t)*count * os + k];
    size_t data = offs + (size_t)(*count + 1) * os - 1;   // offsets count from 1
    if (last < 1 || data + last > end)
        return false;
    *off_size = os;
    *first = offs;
    *at = data + last;
    return true;
}

/* Finds operator op (0-21, or 12 x as 1200 + x) in a CFF DICT and returns
 * its first operand in *v; *found says whether it is there. */
static bool cff_dict_find(const unsigned char *p, size_t n, unsigned op, bool *found, long *v)
{
    long last = 0;
    *found = false;
    for (size_t i = 0; i < n;) {
        unsigned b0 = p[i];
        if (b0 <= 21) {
            unsigned o = b0;
            if (b0 == 12) {
                if (i + 1 >= n)
                    return false;
                o = 1200 + p[i + 1];
                i++;
            }
            i++;
            if (o == op) {
                *found = true;
                *v = last;
                return true;
            }
        } else if (b0 == 28) {
            if (i + 3 > n)
                return false;
            last = (int16_t)gl_be16(p + i + 1);
            i += 3;
        } else if (b0 == 29) {
            if (i + 5 > n)
                return false;
            last = (int32_t)gl_be32(p + i + 1);
            i += 5;
        } else if (b0 == 30) {   // a real: nibbles up to an 0xf
            for (i++; i < n && (p[i] & 0x0F) != 0x0F && (p[i] >> 4) != 0x0F; i++)
                ;
            i++;
        } else if (b0 >= 32 && b0 <= 246) {
            last = (long)b0 - 139;
            i++;
        } else if (b0 >= 247 && b0 <= 254) {
            if (i + 2 > n)
                return false;
            last = b0 <= 250 ? (long)(b0 - 247) * 256 + p[i + 1] + 108
                             : -(long)(b0 - 251) * 256 - p[i + 1] - 108;
            i += 2;
        } else {
            return false;
        }
    }
    return true;
}

/* Makes the charset of a CID-keyed CFF subset the identity, CID = glyph
 * id, rewriting it in place in the subset file (d, n bytes).  hb-subset
 * keeps a CID-keyed font's source CIDs, and readers disagree on what a
 * PDF CID is for an OpenType CFF: MuPDF follows the charset (ISO 32000
 * §9.7.4.2) while Poppler takes the CID as the glyph id and drew nothing.
 * With the identity both draw the same glyph.  The new charset, in the
 * old one's format, never needs more room than the old one (each format's
 * identity is its shortest form); the CharStrings and FDSelect are by
 * glyph id and stay.  Sets *cid_keyed; returns false for a CFF table it
 * cannot read (true, doing nothing, for TrueType outlines). */
static bool cff_identity_charset(unsigned char *d, size_t n, bool *cid_keyed)
{
    *cid_keyed = false;
    if (n < 12)
        return false;
    unsigned ntables = gl_be16(d + 4);
    size_t cff = 0, cff_len = 0, rec = 0;
    for (unsigned t = 0; t < ntables && 12 + 16 * (size_t)(t + 1) <= n; t++)
        if (memcmp(d + 12 + 16 * t, "CFF ", 4) == 0) {
            rec = 12 + 16 * (size_t)t;
            cff = gl_be32(d + rec + 8);
            cff_len = gl_be32(d + rec + 12);
        }
    if (!rec)
        return true;   // TrueType outlines
    if (cff + cff_len > n || cff_len < 4)
        return false;
    const unsigned char *p = d + cff;
    size_t end = cff_len, at = p[2];   // hdrSize
    unsigned count, os;
    size_t offs;
    if (!cff_index(p, end, &at, &count, &offs, &os))   // Name INDEX
        return false;
    size_t top_at = at;
    if (!cff_index(p, end, &at, &count, &offs, &os) || count < 1)   // Top DICT INDEX
        return false;
    uint32_t o0 = 0, o1 = 0;
    for (unsigned k = 0; k < os; k++) {
        o0 = o0 << 8 | p[offs + k];
        o1 = o1 << 8 | p[offs + os + k];
    }
    size_t data = top_at + 3 + (size_t)(count + 1) * os - 1;
    if (o0 < 1 || o1 < o0 || data + o1 > end)
        return false;
    const unsigned char *top = p + data + o0;
    size_t top_len = o1 - o0;
    bool ros, has_cs, has_chars;
    long cs_off = 0, chars_off = 0, dummy;
    if (!cff_dict_find(top, top_len, 1230, &ros, &dummy))
        return false;
    if (!ros)
        return true;   // name-keyed: CIDs are glyph ids already
    *cid_keyed = true;
    if (!cff_dict_find(top, top_len, 15, &has_cs, &cs_off) ||
        !cff_dict_find(top, top_len, 17, &has_chars, &chars_off) || !has_chars)
        return false;
    size_t cat = (size_t)chars_off;
    if (chars_off <= 0 || !cff_index(p, end, &cat, &count, &offs, &os))
        return false;
    unsigned nglyphs = count;
    if (!has_cs || cs_off <= 2 || (size_t)cs_off >= end || nglyphs < 2)
        return has_cs || nglyphs < 2;   // 0-2 are the predefined (Latin) charsets
    unsigned char *cs = d + cff + cs_off;
    size_t room = end - (size_t)cs_off;
    // The old charset's size: format 0 a SID per glyph, 1 and 2 ranges.
    size_t old = 1;
    unsigned covered = 1;   // .notdef
    if (cs[0] == 0) {
        old += 2 * (size_t)(nglyphs - 1);
    } else if (cs[0] == 1 || cs[0] == 2) {
        size_t w = cs[0] == 1 ? 3 : 4;
        while (covered < nglyphs) {
            if (old + w > room)
                return false;
            unsigned left = cs[0] == 1 ? cs[old + 2] : gl_be16(cs + old + 2);
            covered += left + 1;
            old += w;
        }
    } else {
        return false;
    }
    if (old > room)
        return false;
    size_t k = 1;
    if (cs[0] == 0) {
        for (unsigned g = 1; g < nglyphs; g++, k += 2) {
            cs[k] = (unsigned char)(g >> 8);
            cs[k + 1] = (unsigned char)g;
        }
    } else {
        for (unsigned g = 1; g < nglyphs;) {
            unsigned left = nglyphs - g - 1, max = cs[0] == 1 ? 255 : 65535;
            left = left > max ? max : left;
            cs[k] = (unsigned char)(g >> 8);
            cs[k + 1] = (unsigned char)g;
            if (cs[0] == 1) {
                cs[k + 2] = (unsigned char)left;
                k += 3;
            } else {
                cs[k + 2] = (unsigned char)(left >> 8);
                cs[k + 3] = (unsigned char)left;
                k += 4;
            }
            g += left + 1;
        }
    }
    memset(cs + k, 0, old - k);   // left over: nothing reads it
    // The table's checksum in the directory (OpenType 'Table Directory').
    uint32_t sum = 0;
    for (size_t i = 0; i < cff_len; i += 4) {
        unsigned char w[4] = {0};
        memcpy(w, d + cff + i, cff_len - i < 4 ? cff_len - i : 4);
        sum += gl_be32(w);
    }
    d[rec + 4] = (unsigned char)(sum >> 24);
    d[rec + 5] = (unsigned char)(sum >> 16);
    d[rec + 6] = (unsigned char)(sum >> 8);
    d[rec + 7] = (unsigned char)sum;
    return true;
}

/* The descriptor facts (ISO 32000 §9.8.1, Table 122) from the subset's own
 * tables, opened in memory with FreeType. */
static int sub_describe(gl_ctx *ctx, const face_info *fi, gl_face_sub *out, size_t n)
{
    FT_Library lib = NULL;
    FT_Face f = NULL;
    int rc = -1;
    if (gl_font_ft_init(ctx, &lib))
        return -1;
    FT_Error e = FT_New_Memory_Face(lib, (const FT_Byte *)out->data, (FT_Long)out->len, 0, &f);
    if (e || f->units_per_EM == 0) {
        if (e == FT_Err_Out_Of_Memory)
            gl_oom(ctx);
        else
            gl_error(ctx, GALLEY_ERR_FONT, "%s: hb-subset made a font FreeType cannot read (%s)",
                     fi->path, e ? gl_font_ft_error(e) : "no units per em");
        goto cleanup;
    }
    double upem = f->units_per_EM;
    const char *fmt = FT_Get_Font_Format(f);
    out->cff = fmt && strcmp(fmt, "CFF") == 0;
    out->nglyphs = (unsigned)f->num_glyphs;
    out->units_per_em = f->units_per_EM;
    out->bbox[0] = f->bbox.xMin / upem;
    out->bbox[1] = f->bbox.yMin / upem;
    out->bbox[2] = f->bbox.xMax / upem;
    out->bbox[3] = f->bbox.yMax / upem;
    out->ascent = fi->ascender;
    out->descent = fi->descender;
    const TT_OS2 *os2 = FT_Get_Sfnt_Table(f, FT_SFNT_OS2);
    const TT_Postscript *post = FT_Get_Sfnt_Table(f, FT_SFNT_POST);
    bool has_os2 = os2 && os2->version != 0xFFFF;
    out->cap_height = has_os2 && os2->version >= 2 && os2->sCapHeight > 0
                          ? os2->sCapHeight / upem : 0;
    out->x_height = has_os2 && os2->version >= 2 && os2->sxHeight > 0 ? os2->sxHeight / upem : 0;
    if (out->cap_height == 0)
        out->cap_height = out->ascent;
    out->italic_angle = post ? post->italicAngle / 65536.0 : 0;
    out->fixed_pitch = (post && post->isFixedPitch) || FT_IS_FIXED_WIDTH(f);
    out->italic = (f->style_flags & FT_STYLE_FLAG_ITALIC) || out->italic_angle != 0;
    // Serif: an IBM family class of the serif kinds (1-5, 7) or a PANOSE
    // Latin Text face with serifs (bSerifStyle 2-10); else the name says so.
    int cls = has_os2 ? os2->sFamilyClass >> 8 : 0;
    bool panose_serif = has_os2 && os2->panose[0] == 2 && os2->panose[1] >= 2 &&
                        os2->panose[1] <= 10;
    out->serif = (cls >= 1 && cls <= 5) || cls == 7 || panose_serif ||
                 (strstr(fi->psname, "Serif") && !strstr(fi->psname, "Sans"));
    // Symbolic: glyphs outside the standard Latin set, i.e. not a face
    // that covers basic Latin letters.
    out->symbolic = !(fi->bmp['A'] && fi->bmp['Z'] && fi->bmp['a'] && fi->bmp['z']);
    // StemV has no table of its own; Typst's estimate from the weight class
    // (10 + 0.244 (weight - 50), in thousandths of an em).
    unsigned weight = has_os2 && os2->usWeightClass ? os2->usWeightClass : 400;
    out->stem_v = (10 + 0.244 * ((double)weight - 50)) / 1000.0;

    for (size_t i = 0; i < n; i++)
        out->cid[i] = out->gid[i];
    rc = 0;
cleanup:
    if (f)
        FT_Done_Face(f);
    FT_Done_FreeType(lib);
    return rc;
}

int gl_face_subset_glyphs(gl_ctx *ctx, const gl_fontset *fs, int face, const uint32_t *gids,
                          size_t n, gl_face_sub *out)
{
    memset(out, 0, sizeof *out);
    if (!valid_face(face))
        return gl_error(ctx, GALLEY_ERR_INTERNAL, "gl_face_subset_glyphs: bad face id %d", face);
    const face_info *fi = info_of(fs, face);
    hb_blob_t *blob = NULL, *res = NULL;
    hb_face_t *src = NULL, *sub = NULL;
    hb_subset_input_t *in = NULL;
    hb_subset_plan_t *plan = NULL;
    int rc = -1;

    out->gid = gl_malloc(ctx, (n ? n : 1) * sizeof *out->gid);
    out->cid = gl_malloc(ctx, (n ? n : 1) * sizeof *out->cid);
    out->adv = gl_malloc(ctx, (n ? n : 1) * sizeof *out->adv);
    if (!out->gid || !out->cid || !out->adv)
        goto cleanup;
    if (subset_source(ctx, fi, &blob, &src, &in))
        goto cleanup;
    hb_set_t *g = hb_subset_input_glyph_set(in);
    hb_set_add(g, 0);
    for (size_t i = 0; i < n; i++) {
        if (gids[i] >= fi->nglyphs) {
            gl_error(ctx, GALLEY_ERR_INTERNAL, "%s: glyph id %u past the font's %u glyphs",
                     fi->path, (unsigned)gids[i], fi->nglyphs);
            goto cleanup;
        }
        hb_set_add(g, gids[i]);
        out->adv[i] = fi->adv[gids[i]];
    }
    hb_set_t *drop = hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG);
    for (size_t i = 0; i < sizeof DROP_TABLES / sizeof *DROP_TABLES; i++)
        hb_set_add(drop, hb_tag_from_string(DROP_TABLES[i], 4));
    hb_set_clear(hb_subset_input_set(in, HB_SUBSET_SETS_LAYOUT_FEATURE_TAG));
    if (!hb_set_allocation_successful(g) || !hb_set_allocation_successful(drop)) {
        gl_oom(ctx);
        goto cleanup;
    }
    // Dense glyph ids (not HB_SUBSET_FLAGS_RETAIN_GIDS): a CJK face keeps
    // 65,536 entries of loca/hmtx (and of CFF offsets and charset) for a
    // few thousand glyphs otherwise.
    hb_subset_input_set_flags(in, HB_SUBSET_FLAGS_NO_HINTING);
    plan = hb_subset_plan_create_or_fail(src, in);
    if (!plan) {
        gl_error(ctx, GALLEY_ERR_FONT, "%s: hb-subset cannot plan a subset of face %d", fi->path,
                 fi->index);
        goto cleanup;
    }
    const hb_map_t *map = hb_subset_plan_old_to_new_glyph_mapping(plan);
    for (size_t i = 0; i < n; i++) {
        hb_codepoint_t to = hb_map_get(map, gids[i]);
        if (to == HB_MAP_VALUE_INVALID) {
            gl_error(ctx, GALLEY_ERR_FONT, "%s: hb-subset left out glyph %u", fi->path,
                     (unsigned)gids[i]);
            goto cleanup;
        }
        out->gid[i] = to;
    }
    sub = hb_subset_plan_execute_or_fail(plan);
    if (!sub) {
        gl_error(ctx, GALLEY_ERR_FONT, "%s: hb-subset failed for face %d", fi->path, fi->index);
        goto cleanup;
    }
    res = hb_face_reference_blob(sub);
    unsigned len = 0;
    const char *p = hb_blob_get_data(res, &len);
    if (!p || len < 12) {
        gl_error(ctx, GALLEY_ERR_FONT, "%s: hb-subset produced no font", fi->path);
        goto cleanup;
    }
    out->data = gl_malloc(ctx, len);
    if (!out->data)
        goto cleanup;
    memcpy(out->data, p, len);
    out->len = len;
    if (!cff_identity_charset((unsigned char *)out->data, len, &out->cid_keyed)) {
        gl_error(ctx, GALLEY_ERR_FONT, "%s: cannot read the CFF table of its subset", fi->path);
        goto cleanup;
    }
    GL_CHECK(sub_describe(ctx, fi, out, n));
    rc = 0;
cleanup:
    hb_blob_destroy(res);
    hb_face_destroy(sub);
    hb_subset_plan_destroy(plan);
    hb_subset_input_destroy(in);
    hb_face_destroy(src);
    hb_blob_destroy(blob);
    if (rc)
        gl_face_sub_free(out);
    return rc;
}
