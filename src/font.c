/*
 * font.c — loads the faces of a font set with FreeType (by file or, through
 * fontfind.c, by family), answers coverage, advance and vertical-metric
 * questions for layout from tables built once at load time, and fills the
 * fallback roles for characters no configured face has.  Shaping is in
 * font_shape.c, subsetting in font_subset.c; it knows nothing of
 * documents, layout or back ends (those see face ids and byte buffers).
 */
#define _POSIX_C_SOURCE 200809L /* fileno, stat types */
#include "font_int.h"
#include "fontfind.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>


#ifndef GALLEY_FONT_DIR
#define GALLEY_FONT_DIR "fonts"
#endif

/* Punctuation whose ink extent layout needs to compress it (CLREQ §3.1.6):
 * how much blank a full-width mark carries on each side differs between
 * fonts (GB style puts 。 at the left, some mainland fonts centre it). */
static const uint32_t PUNCT[] = {
    0x3001, 0x3002, 0xFF0C, 0xFF0E, 0xFF1A, 0xFF1B, 0xFF01, 0xFF1F, 0x300C, 0x300D, 0x300E,
    0x300F, 0x201C, 0x201D, 0x2018, 0x2019, 0xFF08, 0xFF09, 0x300A, 0x300B, 0x3008, 0x3009,
    0x3010, 0x3011, 0x3014, 0x3015, 0x3016, 0x3017, 0xFF3B, 0xFF3D, 0xFF5B, 0xFF5D, 0x00B7,
    0x30FB, 0x2027, 0xFF5E, 0x2014, 0x2026, 0xFF0F,
};
#define NPUNCT (sizeof PUNCT / sizeof *PUNCT)

/* ------------------------------------------------------------ specs */

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/* Splits "path:N" into path and face index, but only when the part after
 * the last ':' is all digits and the file without it exists: a file name
 * may itself contain ':'. */
static int parse_spec(gl_ctx *ctx, const char *spec, char **path, int *index)
{
    const char *colon = strrchr(spec, ':');
    *index = 0;
    if (colon && colon != spec && all_digits(colon + 1) && strlen(colon + 1) <= 5) {
        char *p = gl_strndup(ctx, spec, (size_t)(colon - spec));
        if (!p)
            return -1;
        struct stat st;
        if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
            *path = p;
            *index = atoi(colon + 1);
            return 0;
        }
        gl_free(p);
    }
    *path = gl_strdup(ctx, spec);
    return *path ? 0 : -1;
}

/* ------------------------------------------------------------ validation */

/* Checks that every table of the face's sfnt directory lies inside the file.
 * FreeType reads tables lazily, so a truncated file can open cleanly and
 * fail (or draw nothing) only when a glyph is loaded much later. */
static int check_sfnt_dir(gl_ctx *ctx, const char *path, int index)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return gl_error(ctx, GALLEY_ERR_FONT, "%s: cannot open font: %s", path, strerror(errno));
    int rc = -1;
    unsigned char hdr[16];
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || fread(hdr, 1, 12, f) != 12)
        goto truncated;
    uint64_t size = (uint64_t)st.st_size;
    uint32_t off = 0;
    if (memcmp(hdr, "ttcf", 4) == 0) {
        if (fseek(f, 12L + 4L * index, SEEK_SET) != 0 || fread(hdr, 1, 4, f) != 4)
            goto truncated;
        off = gl_be32(hdr);
        if (fseek(f, (long)off, SEEK_SET) != 0 || fread(hdr, 1, 12, f) != 12)
            goto truncated;
    }
    uint32_t version = gl_be32(hdr);
    if (version != 0x00010000U && version != 0x74727565U /* 'true' */ &&
        version != 0x4F54544FU /* 'OTTO': CFF outlines */) {
        rc = gl_error(ctx, GALLEY_ERR_FONT,
                      "%s: not an OpenType or TrueType font file (WOFF and other wrappers are "
                      "not supported)", path);
        goto done;
    }
    unsigned ntables = gl_be16(hdr + 4);
    for (unsigned i = 0; i < ntables; i++) {
        unsigned char rec[16];
        if (fread(rec, 1, 16, f) != 16)
            goto truncated;
        uint64_t end = (uint64_t)gl_be32(rec + 8) + gl_be32(rec + 12);
        if (end > size) {
            rc = gl_error(ctx, GALLEY_ERR_FONT,
                          "%s: truncated or damaged font: table '%.4s' ends at byte %llu of %llu",
                          path, (const char *)rec, (unsigned long long)end,
                          (unsigned long long)size);
            goto done;
        }
    }
    rc = 0;
    goto done;
truncated:
    rc = gl_error(ctx, GALLEY_ERR_FONT, "%s: truncated or damaged font (short table directory)",
                  path);
done:
    fclose(f);
    return rc;
}

const char *gl_font_ft_error(FT_Error e)
{
    const char *s = FT_Error_String(e); // NULL unless FreeType was built with error strings
    return s ? s : "FreeType error";
}

/* Starts FreeType; 0, or -1 with the error (OOM or GALLEY_ERR_FONT) on ctx. */
int gl_font_ft_init(gl_ctx *ctx, FT_Library *lib)
{
    FT_Error e = FT_Init_FreeType(lib);
    if (!e)
        return 0;
    if (e == FT_Err_Out_Of_Memory)
        return gl_oom(ctx);
    return gl_error(ctx, GALLEY_ERR_FONT, "cannot initialise FreeType (%s)", gl_font_ft_error(e));
}

/* Opens face `index` of path and checks everything galley relies on: the
 * file exists, FreeType reads it, the outlines are TrueType or CFF (not
 * variable), the table directory is intact, and there is a Unicode cmap.
 * *out is the open face on success. */
static int open_face(gl_ctx *ctx, FT_Library lib, const char *path, int index, FT_Face *out)
{
    *out = NULL;
    struct stat st;
    if (stat(path, &st) != 0)
        return gl_error(ctx, GALLEY_ERR_FONT, "%s: cannot open font: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return gl_error(ctx, GALLEY_ERR_FONT, "%s: font is not a regular file", path);
    FT_Face face = NULL;
    FT_Error e = FT_New_Face(lib, path, -1, &face); // -1: just count the faces
    if (e == FT_Err_Out_Of_Memory)
        return gl_oom(ctx);
    if (e)
        return gl_error(ctx, GALLEY_ERR_FONT, "%s: not a font file FreeType can read (%s)", path,
                        e == FT_Err_Unknown_File_Format ? "unknown file format" : gl_font_ft_error(e));
    long nfaces = face->num_faces;
    FT_Done_Face(face);
    if (index < 0 || index >= nfaces)
        return gl_error(ctx, GALLEY_ERR_FONT, "%s: has no face %d (it holds %ld)", path, index,
                        nfaces);
    e = FT_New_Face(lib, path, index, &face);
    if (e == FT_Err_Out_Of_Memory)
        return gl_oom(ctx);
    if (e)
        return gl_error(ctx, GALLEY_ERR_FONT, "%s: truncated or damaged font (%s)", path,
                        gl_font_ft_error(e));
    // TrueType (glyf) and CFF outlines: the PDF embeds both (FontFile2,
    // FontFile3).  Not CFF2 (variable fonts), which PDF readers do not take.
    const char *fmt = FT_Get_Font_Format(face);
    FT_ULong cff2 = 0;
    if (fmt && strcmp(fmt, "CFF") == 0 &&
        FT_Load_Sfnt_Table(face, FT_MAKE_TAG('C', 'F', 'F', '2'), 0, NULL, &cff2) == 0 && cff2)
        fmt = "CFF2 (variable OpenType)";
    if (!fmt || (strcmp(fmt, "TrueType") != 0 && strcmp(fmt, "CFF") != 0)) {
        gl_error(ctx, GALLEY_ERR_FONT, "%s: %s fonts are not supported; use an OpenType "
                 "(.otf/.otc/.ttf/.ttc) font", path, fmt ? fmt : "this kind of");
        FT_Done_Face(face);
        return -1;
    }
    if (check_sfnt_dir(ctx, path, index) != 0) {
        FT_Done_Face(face);
        return -1;
    }
    // FreeType makes up a Unicode map from glyph names when there is no
    // cmap table; the PDF's font program needs the real one.
    FT_ULong cmap_len = 0;
    if (FT_Load_Sfnt_Table(face, FT_MAKE_TAG('c', 'm', 'a', 'p'), 0, NULL, &cmap_len) != 0 ||
        cmap_len == 0 || FT_Select_Charmap(face, FT_ENCODING_UNICODE) != 0 ||
        face->units_per_EM == 0) {
        FT_Done_Face(face);
        return gl_error(ctx, GALLEY_ERR_FONT, "%s: font has no Unicode character map", path);
    }
    *out = face;
    return 0;
}

/* ------------------------------------------------------------ loading */

/* Vertical metrics: OS/2 sTypoAscender/Descender when the font sets
 * USE_TYPO_METRICS (fsSelection bit 7), the OpenType spec's signal that
 * they are the intended line metrics; otherwise hhea, which is what most
 * renderers (and libharu's own /Ascent) use.  Typo values are the fallback
 * when hhea is zero. */
static void face_metrics(FT_Face f, double *asc, double *desc)
{
    const TT_OS2 *os2 = FT_Get_Sfnt_Table(f, FT_SFNT_OS2);
    const TT_HoriHeader *hhea = FT_Get_Sfnt_Table(f, FT_SFNT_HHEA);
    double upem = f->units_per_EM;
    double a = 0, d = 0;
    bool use_typo = os2 && os2->version != 0xFFFF && (os2->fsSelection & (1u << 7));
    if (!use_typo && hhea && (hhea->Ascender || hhea->Descender)) {
        a = hhea->Ascender;
        d = hhea->Descender;
    } else if (os2 && os2->version != 0xFFFF) {
        a = os2->sTypoAscender;
        d = os2->sTypoDescender;
    } else {
        a = f->ascender;
        d = f->descender;
    }
    if (d > 0)
        d = -d; // some old fonts store the descender as a positive depth
    *asc = a / upem;
    *desc = d / upem;
}

static int load_info(gl_ctx *ctx, FT_Library lib, const char *spec, face_info *fi)
{
    FT_Face f = NULL;
    FT_Fixed *raw = NULL;
    int rc = -1;
    fi->locl = -1;
    GL_CHECK(parse_spec(ctx, spec, &fi->path, &fi->index));
    GL_CHECK(open_face(ctx, lib, fi->path, fi->index, &f));
    struct stat st;
    if (stat(fi->path, &st) == 0) {
        fi->dev = st.st_dev;
        fi->ino = st.st_ino;
    }
    face_metrics(f, &fi->ascender, &fi->descender);

    const char *ps = FT_Get_Postscript_Name(f);
    fi->psname = gl_strdup(ctx, ps ? ps : (f->family_name ? f->family_name : "GalleyFont"));
    if (!fi->psname)
        goto cleanup;
    if (!ps) // PostScript names have no spaces (PDF /BaseFont)
        for (char *p = fi->psname; *p; p++)
            if (*p == ' ')
                *p = '-';

    fi->nglyphs = (unsigned)f->num_glyphs;
    fi->adv = gl_malloc(ctx, sizeof *fi->adv * (fi->nglyphs ? fi->nglyphs : 1));
    raw = gl_malloc(ctx, sizeof *raw * (fi->nglyphs ? fi->nglyphs : 1));
    fi->bmp = gl_calloc(ctx, 0x10000, sizeof *fi->bmp);
    if (!fi->adv || !raw || !fi->bmp)
        goto cleanup;
    // FT_LOAD_NO_SCALE: hmtx values in font units, no hinting, no outline loads.
    if (fi->nglyphs && FT_Get_Advances(f, 0, fi->nglyphs, FT_LOAD_NO_SCALE, raw) != 0) {
        gl_error(ctx, GALLEY_ERR_FONT, "%s: cannot read glyph advances (damaged hmtx)", fi->path);
        goto cleanup;
    }
    for (unsigned g = 0; g < fi->nglyphs; g++)
        fi->adv[g] = (float)((double)raw[g] / f->units_per_EM);

    size_t capastral = 0;
    FT_UInt gid;
    for (FT_ULong cp = FT_Get_First_Char(f, &gid); gid != 0; cp = FT_Get_Next_Char(f, cp, &gid)) {
        if (gid >= fi->nglyphs)
            continue; // a broken cmap entry would index past adv[]
        if (cp < 0x10000) {
            fi->bmp[cp] = (uint16_t)gid;
        } else if (cp <= 0x10FFFF) {
            GL_CHECK(GL_GROW(ctx, fi->astral, capastral, fi->nastral + 1));
            fi->astral[fi->nastral++] = (astral_map){(uint32_t)cp, (uint16_t)gid};
        }
    }
    for (size_t i = 0; i < NPUNCT; i++) {
        unsigned g = PUNCT[i] < 0x10000 ? fi->bmp[PUNCT[i]] : 0;
        fi->ink[0][i] = fi->ink[1][i] = NAN;
        if (g && FT_Load_Glyph(f, g, FT_LOAD_NO_SCALE) == 0 && f->glyph->metrics.width > 0) {
            double x0 = (double)f->glyph->metrics.horiBearingX;
            fi->ink[0][i] = (float)(x0 / f->units_per_EM);
            fi->ink[1][i] = (float)((x0 + (double)f->glyph->metrics.width) / f->units_per_EM);
        }
    }
    rc = 0;
cleanup:
    gl_free(raw);
    if (f)
        FT_Done_Face(f);
    return rc;
}

static void free_info(face_info *fi)
{
    hb_font_destroy(fi->hb);
    gl_free(fi->pairs);
    gl_free(fi->path);
    gl_free(fi->psname);
    gl_free(fi->bmp);
    gl_free(fi->astral);
    gl_free(fi->adv);
}

static char *join_path(gl_ctx *ctx, const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *s = gl_malloc(ctx, a + b + 2);
    if (s) {
        memcpy(s, dir, a);
        s[a] = '/';
        memcpy(s + a + 1, name, b + 1);
    }
    return s;
}

static const char *const DEFAULT_FILES[GL_FACE_CONFIGURED] = {
    "NotoSerif-Regular.ttf", "NotoSerif-Bold.ttf", "NotoSerif-Italic.ttf",
    "NotoSerif-BoldItalic.ttf", "uming.ttc:0", "wqy-microhei.ttc:0",
    "LXGWWenKai-Regular.ttf", "NotoSansMono-Regular.ttf", "NotoSansMono-Bold.ttf",
};

/* ------------------------------------------------------------ roles: files and families */

/* "path:index", which parse_spec splits again (the path exists). */
static char *spec_of(gl_ctx *ctx, const char *path, int index)
{
    size_t n = strlen(path) + 16;
    char *s = gl_malloc(ctx, n);
    if (s)
        snprintf(s, n, "%s:%d", path, index);
    return s;
}

/* OS/2 usWidthClass (1-9) as a percentage of the normal width. */
static int width_pct(unsigned cls)
{
    static const int pct[] = {100, 50, 63, 75, 88, 100, 113, 125, 150, 200};
    return cls <= 9 ? pct[cls] : 100;
}

/* An open face's style as fontfind measures it: OS/2 weight and width,
 * italic from the style flags (fsSelection, or the Mac style bits). */
static void ft_style(FT_Face f, int *weight, bool *italic, int *width)
{
    const TT_OS2 *os2 = FT_Get_Sfnt_Table(f, FT_SFNT_OS2);
    bool has = os2 && os2->version != 0xFFFF;
    *weight = has && os2->usWeightClass ? os2->usWeightClass
              : (f->style_flags & FT_STYLE_FLAG_BOLD) ? 700 : 400;
    *italic = (f->style_flags & FT_STYLE_FLAG_ITALIC) != 0;
    *width = width_pct(has ? os2->usWidthClass : 5);
}

static bool font_file_name(const char *name)
{
    size_t n = strlen(name);
    static const char *const ext[] = {".ttf", ".otf", ".ttc", ".otc"};
    for (size_t i = 0; i < sizeof ext / sizeof *ext; i++)
        if (n > 4 && strcasecmp(name + n - 4, ext[i]) == 0)
            return true;
    return false;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Into *out: the face of spec's family (FreeType's family name, which is
 * the typographic family when the font names one) in spec's own folder
 * closest to the style, by gl_fontfind_style_cost; spec itself when it
 * is the closest, or when it cannot be read (loading then says why).
 * *exact: the face found really has the style.  The folder's font files
 * are read in name order, so ties always go the same way.  A file, not an
 * installed family: no fontconfig here.  Returns 0 or -1 (OOM). */
static int sibling_spec(gl_ctx *ctx, FT_Library lib, const char *spec, bool bold, bool italic,
                        char **out, bool *exact)
{
    char *path = NULL, *family = NULL, **names = NULL;
    size_t nnames = 0, capnames = 0;
    DIR *d = NULL;
    FT_Face f = NULL;
    int index = 0, rc = -1, weight, width, best;
    bool it;
    *out = NULL;
    *exact = false;
    GL_CHECK(parse_spec(ctx, spec, &path, &index));
    if (FT_New_Face(lib, path, index, &f) != 0 || !f->family_name) {
        *out = gl_strdup(ctx, spec);
        rc = *out ? 0 : -1;
        goto cleanup;
    }
    family = gl_strdup(ctx, f->family_name);
    ft_style(f, &weight, &it, &width);
    FT_Done_Face(f);
    f = NULL;
    if (!family || !(*out = gl_strdup(ctx, spec)))
        goto cleanup;
    best = gl_fontfind_style_cost(weight, it, width, bold, italic);
    *exact = gl_fontfind_style_exact(weight, it, bold, italic);
    char *slash = strrchr(path, '/');
    const char *dir = ".";
    if (slash) {
        slash[slash == path] = 0;  // "/x.ttf" is in "/"
        dir = path;
    }
    if (!(d = opendir(dir))) {
        rc = 0;
        goto cleanup;
    }
    for (struct dirent *e; (e = readdir(d)) != NULL && nnames < 1000;) {
        if (e->d_name[0] == '.' || !font_file_name(e->d_name))
            continue;
        GL_CHECK(GL_GROW(ctx, names, capnames, nnames + 1));
        if (!(names[nnames] = gl_strdup(ctx, e->d_name)))
            goto cleanup;
        nnames++;
    }
    if (nnames)
        qsort(names, nnames, sizeof *names, cmp_str);
    for (size_t i = 0; i < nnames && best > 0; i++) {
        char full[4096];
        snprintf(full, sizeof full, "%s/%s", strcmp(dir, "/") ? dir : "", names[i]);
        long nfaces = 1;
        for (long k = 0; k < nfaces && k < 64; k++) {
            if (FT_New_Face(lib, full, k, &f) != 0)
                break;
            nfaces = f->num_faces;
            if (f->family_name && strcmp(f->family_name, family) == 0) {
                ft_style(f, &weight, &it, &width);
                int cost = gl_fontfind_style_cost(weight, it, width, bold, italic);
                if (cost < best) {
                    char *s = spec_of(ctx, full, (int)k);
                    if (!s)
                        goto cleanup;
                    gl_free(*out);
                    *out = s;
                    best = cost;
                    *exact = gl_fontfind_style_exact(weight, it, bold, italic);
                }
            }
            FT_Done_Face(f);
            f = NULL;
        }
    }
    rc = 0;
cleanup:
    if (f)
        FT_Done_Face(f);
    if (d)
        closedir(d);
    for (size_t i = 0; i < nnames; i++)
        gl_free(names[i]);
    gl_free(names);
    gl_free(family);
    gl_free(path);
    if (rc) {
        gl_free(*out);
        *out = NULL;
    }
    return rc;
}

/* The spec of each configured role (gl_font_config): the bundled default,
 * the file given, or the face of the family named that fits the role's
 * style.  Fails on an unknown family (fontfind's error) or OOM. */
static int role_specs(gl_ctx *ctx, FT_Library lib, const gl_font_config *cfg, const char *dir,
                      char **specs)
{
    for (int i = 0; i < GL_FACE_CONFIGURED; i++) {
        const char *user = NULL;
        bool bold = false, italic = false, follows = false, exact = true;
        if (i <= GL_FACE_LATIN_BOLD_ITALIC) {
            bold = (i & GL_F_BOLD) != 0;
            italic = (i & GL_F_ITALIC) != 0;
            user = cfg->latin[i];
            if (!user && cfg->latin[GL_F_REGULAR]) {
                user = cfg->latin[GL_F_REGULAR];  // the regular face's family
                follows = true;
            }
        } else if (i == GL_FACE_CJK || i == GL_FACE_CJK_HEADING) {
            user = cfg->cjk;
            bold = follows = i == GL_FACE_CJK_HEADING;
        } else if (i == GL_FACE_MONO || i == GL_FACE_MONO_BOLD) {
            user = cfg->mono;
            bold = follows = i == GL_FACE_MONO_BOLD;
        }
        if (!user) {
            specs[i] = join_path(ctx, dir, DEFAULT_FILES[i]);
        } else if (gl_fontfind_is_path(user)) {
            if (follows) {
                if (sibling_spec(ctx, lib, user, bold, italic, &specs[i], &exact))
                    return -1;
            } else {
                specs[i] = gl_strdup(ctx, user);
            }
        } else {
            gl_fontfind_face ff;
            if (gl_fontfind_family(ctx, user, bold, italic, &ff))
                return -1;
            exact = gl_fontfind_style_exact(ff.weight, ff.italic, bold, italic);
            specs[i] = spec_of(ctx, ff.path, ff.index);
            gl_fontfind_face_clear(&ff);
        }
        // CJK headings take the family's bold only if it has one: a
        // Medium or Light face is no heading face.
        if (i == GL_FACE_CJK_HEADING && user && !exact && specs[i]) {
            gl_free(specs[i]);
            specs[i] = gl_strdup(ctx, specs[GL_FACE_CJK]);
        }
        if (!specs[i])
            return -1;
    }
    return 0;
}

static int fallback_new(gl_ctx *ctx, gl_fontset *fs, const char *lang);
static void fallback_free(struct fallback *fb);



/* A CJK face with the OpenType 'halt' feature (alternate half widths: Noto
 * CJK, Source Han) says itself how far each full-width mark may close up:
 * its half-width form's advance, and its offset (an opening bracket moves
 * left).  That replaces the ink extent the compression rules read
 * (gl_face_ink, items.c), with the half-width form as the ink: the blank
 * the font gives up is exactly what compression takes away.  A face
 * without 'halt' keeps its measured ink. */
static void halt_widths(gl_fontset *fs, int face)
{
    face_info *fi = &fs->info[face];
    hb_font_t *f = gl_font_hb(fs, face);
    if (!f)
        return;
    hb_face_t *hf = hb_font_get_face(f);
    if (!gl_font_has_feature(hf, HB_OT_TAG_GPOS, HB_TAG('h', 'a', 'l', 't')))
        return;
    hb_buffer_t *b = hb_buffer_create();
    const hb_feature_t on = {HB_TAG('h', 'a', 'l', 't'), 1, 0, (unsigned)-1};
    double em = (double)hb_face_get_upem(hf);
    const double keep = 0.04;  /* items.c keeps this much beside the ink */
    for (size_t i = 0; i < NPUNCT && hb_buffer_allocation_successful(b); i++) {
        if (isnan(fi->ink[0][i]))
            continue;
        hb_buffer_clear_contents(b);
        hb_buffer_add_codepoints(b, &PUNCT[i], 1, 0, 1);
        hb_buffer_guess_segment_properties(b);
        hb_shape(f, b, &on, 1);
        unsigned ng = 0;
        const hb_glyph_position_t *gp = hb_buffer_get_glyph_positions(b, &ng);
        if (ng != 1)
            continue;
        double adv = gp[0].x_advance / em, dx = gp[0].x_offset / em;
        unsigned g = glyph_of(fi, PUNCT[i]);
        if (g >= fi->nglyphs || adv >= fi->adv[g] - 1e-6)
            continue;  // not a mark 'halt' narrows
        fi->ink[0][i] = (float)(-dx + keep);
        fi->ink[1][i] = (float)(-dx + adv - keep);
    }
    hb_buffer_destroy(b);
}

gl_fontset *gl_fontset_new(gl_ctx *ctx, const gl_font_config *cfg)
{
    static const gl_font_config none;
    if (!cfg)
        cfg = &none;
    const char *dir = cfg->font_dir ? cfg->font_dir : ctx->font_dir ? ctx->font_dir
                                                                     : GALLEY_FONT_DIR;
    char *specs[GL_FACE_CONFIGURED] = {0};
    FT_Library lib = NULL;
    gl_fontset *fs = gl_calloc(ctx, 1, sizeof *fs);
    if (!fs)
        return NULL;
    for (int i = 0; i < GL_FACE_COUNT; i++)
        fs->canon[i] = i;
    if (gl_font_ft_init(ctx, &lib))
        goto fail;
    if (role_specs(ctx, lib, cfg, dir, specs))
        goto fail;
    for (int i = 0; i < GL_FACE_CONFIGURED; i++) {
        // A face whose spec names the same file and index as an earlier one
        // shares its tables (and, via gl_face_canonical, its embedded font).
        char *path = NULL;
        int index = 0;
        if (parse_spec(ctx, specs[i], &path, &index) != 0)
            goto fail;
        struct stat st;
        bool found = stat(path, &st) == 0;
        gl_free(path);
        for (int j = 0; found && j < i; j++) {
            if (fs->canon[j] == j && fs->info[j].dev == st.st_dev &&
                fs->info[j].ino == st.st_ino && fs->info[j].index == index) {
                fs->canon[i] = j;
                break;
            }
        }
        if (fs->canon[i] == i && load_info(ctx, lib, specs[i], &fs->info[i]) != 0)
            goto fail;
    }
    if (cfg->fallback && fallback_new(ctx, fs, cfg->lang))
        goto fail;
    FT_Done_FreeType(lib);
    for (int i = 0; i < GL_FACE_CONFIGURED; i++)
        gl_free(specs[i]);
    if (cfg->features && gl_font_features_parse(ctx, cfg->features, fs->features,
                                                &fs->nfeatures) != 0) {
        gl_fontset_free(fs);
        return NULL;
    }
    for (int i = GL_FACE_CJK; i <= GL_FACE_CJK_FALLBACK; i++)
        if (fs->canon[i] == i)
            halt_widths(fs, i);
    return fs;
fail:
    if (lib)
        FT_Done_FreeType(lib);
    for (int i = 0; i < GL_FACE_CONFIGURED; i++)
        gl_free(specs[i]);
    gl_fontset_free(fs);
    return NULL;
}

void gl_fontset_free(gl_fontset *fs)
{
    if (!fs)
        return;
    for (int i = 0; i < GL_FACE_COUNT; i++)
        if (fs->canon[i] == i)
            free_info(&fs->info[i]);
    hb_buffer_destroy(fs->buf);
    fallback_free(fs->fb);
    gl_free(fs);
}

/* ------------------------------------------------------------ queries */


static int pick_fallback(const gl_fontset *fs, uint32_t cp);

bool gl_face_loaded(const gl_fontset *fs, int face)
{
    return valid_face(face) && info_of(fs, face)->bmp != NULL;
}

bool gl_face_has(const gl_fontset *fs, int face, uint32_t cp)
{
    return valid_face(face) && glyph_of(info_of(fs, face), cp) != 0;
}

uint32_t gl_face_glyph(const gl_fontset *fs, int face, uint32_t cp)
{
    return valid_face(face) ? glyph_of(info_of(fs, face), cp) : 0;
}

double gl_face_glyph_advance(const gl_fontset *fs, int face, uint32_t gid)
{
    if (!valid_face(face))
        return 0;
    const face_info *fi = info_of(fs, face);
    return gid < fi->nglyphs ? fi->adv[gid] : 0;
}

double gl_face_advance(const gl_fontset *fs, int face, uint32_t cp)
{
    if (!valid_face(face))
        return 0;
    const face_info *fi = info_of(fs, face);
    unsigned g = glyph_of(fi, cp); // 0 = .notdef, whose advance is what gets drawn
    return g < fi->nglyphs ? fi->adv[g] : 0;
}

static int latin_of(gl_font_style style)
{
    if (style & GL_F_MONO)
        return style & GL_F_BOLD ? GL_FACE_MONO_BOLD : GL_FACE_MONO;
    return GL_FACE_LATIN_REGULAR + (int)(style & GL_F_BOLD_ITALIC);
}

static int pick_cjk(const gl_fontset *fs, bool heading, uint32_t cp)
{
    int cjk = heading ? GL_FACE_CJK_HEADING : GL_FACE_CJK;
    if (glyph_of(info_of(fs, cjk), cp))
        return cjk;
    if (glyph_of(info_of(fs, GL_FACE_CJK_FALLBACK), cp))
        return GL_FACE_CJK_FALLBACK;
    return -1;
}

int gl_font_pick(const gl_fontset *fs, gl_font_style style, bool heading, uint32_t cp)
{
    int latin = latin_of(style);
    if (glyph_of(info_of(fs, latin), cp))
        return latin;
    // The CJK faces have no italic or bold variants: the upright face serves.
    int f = pick_cjk(fs, heading, cp);
    return f >= 0 || !fs->fb ? f : pick_fallback(fs, cp);
}

int gl_font_pick_cjk_first(const gl_fontset *fs, gl_font_style style, bool heading, uint32_t cp)
{
    int f = pick_cjk(fs, heading, cp);
    if (f >= 0)
        return f;
    int latin = latin_of(style);
    if (glyph_of(info_of(fs, latin), cp))
        return latin;
    return fs->fb ? pick_fallback(fs, cp) : -1;
}

bool gl_face_ink(const gl_fontset *fs, int face, uint32_t cp, double *xmin, double *xmax)
{
    if (!valid_face(face))
        return false;
    const face_info *fi = info_of(fs, face);
    for (size_t i = 0; i < NPUNCT; i++)
        if (PUNCT[i] == cp) {
            if (isnan(fi->ink[0][i]))
                return false;
            *xmin = fi->ink[0][i];
            *xmax = fi->ink[1][i];
            return true;
        }
    return false;
}

double gl_face_ascender(const gl_fontset *fs, int face)
{
    return valid_face(face) ? info_of(fs, face)->ascender : 0;
}

double gl_face_descender(const gl_fontset *fs, int face)
{
    return valid_face(face) ? info_of(fs, face)->descender : 0;
}

const char *gl_face_path(const gl_fontset *fs, int face)
{
    return valid_face(face) && info_of(fs, face)->path ? info_of(fs, face)->path : "";
}

int gl_face_index(const gl_fontset *fs, int face)
{
    return valid_face(face) ? info_of(fs, face)->index : 0;
}

const char *gl_face_psname(const gl_fontset *fs, int face)
{
    return valid_face(face) && info_of(fs, face)->psname ? info_of(fs, face)->psname : "";
}

int gl_face_canonical(const gl_fontset *fs, int face)
{
    return valid_face(face) ? fs->canon[face] : face;
}

/* ------------------------------------------------------------ fallback */

/* A character that no configured face has is looked up among the
 * installed fonts (fontfind.c, fontconfig), and the first face that loads
 * and has it takes the next fallback role; later characters try the
 * fallback faces loaded so far before asking fontconfig again, and a
 * character no installed face has is remembered as missing.  All of it
 * happens during layout, through a set the callers hold as const: the
 * roles were empty, and the set's own non-const pointer (fb->fs) fills
 * them, so no face a caller has seen ever changes. */

typedef struct {
    dev_t dev;
    ino_t ino;
    int index;
} file_id;

struct fallback {
    gl_ctx *ctx;          /* borrowed: outlives the set (gl_fontset_new) */
    gl_fontset *fs;       /* the set itself */
    char *lang;           /* owned; NULL: English */
    int n;                /* fallback roles in use */
    char *family[GL_FACE_NFALLBACK];  /* owned: for the warning */
    bool noted[GL_FACE_NFALLBACK];    /* gl_font_fallback_note has named it */
    uint32_t *missing;    /* open-addressing set of code points no installed
                             face has (0 = empty slot; U+0000 never falls back) */
    size_t nmissing, capmissing;
    file_id *rejected;    /* faces fontconfig offered that do not load or lack
                             the character after all */
    size_t nrejected, caprejected;
    bool off;             /* fontconfig could not start: ask no more */
};

static int fallback_new(gl_ctx *ctx, gl_fontset *fs, const char *lang)
{
    struct fallback *fb = gl_calloc(ctx, 1, sizeof *fb);
    if (!fb)
        return -1;
    fb->ctx = ctx;
    fb->fs = fs;
    fs->fb = fb;
    if (lang && !(fb->lang = gl_strdup(ctx, lang)))
        return -1;
    return 0;
}

static void fallback_free(struct fallback *fb)
{
    if (!fb)
        return;
    for (int k = 0; k < fb->n; k++)
        gl_free(fb->family[k]);
    gl_free(fb->lang);
    gl_free(fb->missing);
    gl_free(fb->rejected);
    gl_free(fb);
}

/* Characters worth a font of their own: not controls, surrogates,
 * private use (a font's own meaning), noncharacters, or the invisible
 * format characters and variation selectors (Unicode's
 * Default_Ignorable_Code_Point ranges that are not letters). */
static bool fallback_worthy(uint32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || cp == 0xAD || cp > 0x10FFFF)
        return false;
    if ((cp >= 0xD800 && cp <= 0xF8FF) || cp >= 0xF0000)  // surrogates, private use
        return false;
    if ((cp & 0xFFFE) == 0xFFFE || (cp >= 0xFDD0 && cp <= 0xFDEF))  // noncharacters
        return false;
    if ((cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
        (cp >= 0x2060 && cp <= 0x206F) || (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF ||
        (cp >= 0xFFF0 && cp <= 0xFFF8) || (cp >= 0xE0000 && cp <= 0xE0FFF) || cp == 0x034F ||
        (cp >= 0x180B && cp <= 0x180F))
        return false;
    return true;
}

static size_t hash_cp(uint32_t cp, size_t cap) { return (cp * 2654435761u) & (cap - 1); }

static bool missing_has(const struct fallback *fb, uint32_t cp)
{
    if (!fb->capmissing)
        return false;
    for (size_t h = hash_cp(cp, fb->capmissing);; h = (h + 1) & (fb->capmissing - 1)) {
        if (fb->missing[h] == cp)
            return true;
        if (!fb->missing[h])
            return false;
    }
}

static void missing_add(struct fallback *fb, uint32_t cp)
{
    if ((fb->nmissing + 1) * 2 > fb->capmissing) {
        size_t cap = fb->capmissing ? fb->capmissing * 2 : 64;
        uint32_t *m = gl_calloc(fb->ctx, cap, sizeof *m);
        if (!m)
            return;  // OOM is on ctx; the set just stays as it was
        for (size_t i = 0; i < fb->capmissing; i++)
            if (fb->missing[i]) {
                size_t h = hash_cp(fb->missing[i], cap);
                while (m[h])
                    h = (h + 1) & (cap - 1);
                m[h] = fb->missing[i];
            }
        gl_free(fb->missing);
        fb->missing = m;
        fb->capmissing = cap;
    }
    size_t h = hash_cp(cp, fb->capmissing);
    while (fb->missing[h] && fb->missing[h] != cp)
        h = (h + 1) & (fb->capmissing - 1);
    if (!fb->missing[h]) {
        fb->missing[h] = cp;
        fb->nmissing++;
    }
}

static bool is_rejected(const struct fallback *fb, const struct stat *st, int index)
{
    for (size_t i = 0; i < fb->nrejected; i++)
        if (fb->rejected[i].dev == st->st_dev && fb->rejected[i].ino == st->st_ino &&
            fb->rejected[i].index == index)
            return true;
    return false;
}

static void reject(struct fallback *fb, const struct stat *st, int index)
{
    if (GL_GROW(fb->ctx, fb->rejected, fb->caprejected, fb->nrejected + 1) == 0)
        fb->rejected[fb->nrejected++] = (file_id){st->st_dev, st->st_ino, index};
}

/* Finds, loads and returns a fallback role for cp, or -1.  A face that
 * fontconfig offers but galley cannot use (not TrueType, damaged, its
 * cmap lacking cp after all) is skipped, and its error taken off ctx:
 * the document is not at fault.  Only OOM stays. */
static int load_fallback(struct fallback *fb, uint32_t cp)
{
    gl_ctx *ctx = fb->ctx;
    gl_fontset *fs = fb->fs;
    galley_status status = ctx->status;
    char saved[sizeof ctx->errmsg];
    memcpy(saved, ctx->errmsg, sizeof saved);
    gl_fontfind_face *c = NULL;
    size_t n = 0;
    FT_Library lib = NULL;
    int face = -1;
    if (ctx->oom)
        return -1;
    if (gl_fontfind_covering(ctx, cp, fb->lang, 64, &c, &n)) {
        fb->off = !ctx->oom;
        goto done;
    }
    for (size_t i = 0; i < n && face < 0; i++) {
        struct stat st;
        if (stat(c[i].path, &st) != 0 || is_rejected(fb, &st, c[i].index))
            continue;
        int slot = GL_FACE_FALLBACK0 + fb->n, same = -1;
        for (int j = 0; j < slot && same < 0; j++)
            if (fs->canon[j] == j && fs->info[j].bmp && fs->info[j].dev == st.st_dev &&
                fs->info[j].ino == st.st_ino && fs->info[j].index == c[i].index)
                same = j;
        face_info *fi = &fs->info[slot];
        if (same >= 0) {
            // a configured face of another style has it: a fallback all the same
            if (!glyph_of(&fs->info[same], cp)) {
                reject(fb, &st, c[i].index);
                continue;
            }
            fs->canon[slot] = same;
        } else {
            if (!lib && gl_font_ft_init(ctx, &lib))
                goto done;
            char *spec = spec_of(ctx, c[i].path, c[i].index);
            int rc = spec ? load_info(ctx, lib, spec, fi) : -1;
            gl_free(spec);
            if (rc || !glyph_of(fi, cp)) {
                free_info(fi);
                memset(fi, 0, sizeof *fi);
                if (ctx->oom)
                    goto done;
                ctx->status = status;
                memcpy(ctx->errmsg, saved, sizeof saved);
                reject(fb, &st, c[i].index);
                continue;
            }
        }
        if (!(fb->family[fb->n] = gl_strdup(ctx, c[i].family))) {
            if (same < 0) {
                free_info(fi);
                memset(fi, 0, sizeof *fi);
            }
            fs->canon[slot] = slot;
            goto done;
        }
        fb->n++;
        face = slot;
    }
done:
    if (lib)
        FT_Done_FreeType(lib);
    for (size_t i = 0; i < n; i++)
        gl_fontfind_face_clear(&c[i]);
    gl_free(c);
    if (!ctx->oom) {
        ctx->status = status;
        memcpy(ctx->errmsg, saved, sizeof saved);
    }
    return face;
}

static int pick_fallback(const gl_fontset *fs, uint32_t cp)
{
    struct fallback *fb = fs->fb;
    if (!fallback_worthy(cp))
        return -1;
    for (int k = 0; k < fb->n; k++)
        if (glyph_of(info_of(fs, GL_FACE_FALLBACK0 + k), cp))
            return GL_FACE_FALLBACK0 + k;
    if (fb->off || fb->n == GL_FACE_NFALLBACK || missing_has(fb, cp))
        return -1;
    int f = load_fallback(fb, cp);
    if (f < 0 && !fb->ctx->oom)
        missing_add(fb, cp);
    return f;
}

const char *gl_font_fallback_note(const gl_fontset *fs, int face)
{
    struct fallback *fb = fs->fb;
    int k = face - GL_FACE_FALLBACK0;
    if (!fb || k < 0 || k >= fb->n || fb->noted[k])
        return NULL;
    fb->noted[k] = true;
    return fb->family[k];
}

/* ------------------------------------------------------------ checking */

int gl_font_check_file(gl_ctx *ctx, const char *spec)
{
    char *path = NULL;
    int index = 0, rc = -1;
    FT_Library lib = NULL;
    FT_Face f = NULL;
    GL_CHECK(parse_spec(ctx, spec, &path, &index));
    if (gl_font_ft_init(ctx, &lib))
        goto cleanup;
    GL_CHECK(open_face(ctx, lib, path, index, &f));
    rc = 0;
cleanup:
    if (f)
        FT_Done_Face(f);
    if (lib)
        FT_Done_FreeType(lib);
    gl_free(path);
    return rc;
}

