/*
 * font.h — fonts: loading faces with FreeType, per-character fallback,
 * advance widths and vertical metrics for layout, shaping with HarfBuzz
 * (font_shape.c), and subsetting with hb-subset for the back ends
 * (font_subset.c).  FreeType and HarfBuzz stay behind font_int.h.
 *
 * A font set holds the Latin family (regular, bold, italic, bold italic),
 * the CJK body face, an optional CJK heading face and a CJK fallback face.
 * Each character is set in the first face of its chain that has it; when
 * none has it and fallback is on, in an installed font found through
 * fontconfig (fontfind.h), loaded on first need into a fallback role.
 */
#ifndef GL_FONT_H
#define GL_FONT_H

#include "base.h"

typedef enum {
    GL_F_REGULAR = 0,
    GL_F_BOLD = 1,
    GL_F_ITALIC = 2,
    GL_F_BOLD_ITALIC = 3,
    GL_F_MONO = 4,        /* monospace (code): the mono face first, bold kept */
} gl_font_style;

/* Roles of the faces in a set; a face id is an index into the set. */
typedef enum {
    GL_FACE_LATIN_REGULAR = 0,
    GL_FACE_LATIN_BOLD,
    GL_FACE_LATIN_ITALIC,
    GL_FACE_LATIN_BOLD_ITALIC,
    GL_FACE_CJK,          /* body text (Song/Ming) */
    GL_FACE_CJK_HEADING,  /* headings (Hei); may be the same file as GL_FACE_CJK */
    GL_FACE_CJK_FALLBACK, /* last resort for rare ideographs */
    GL_FACE_MONO,         /* code (monospace) */
    GL_FACE_MONO_BOLD,
    /* Installed faces for characters none of the above has (fallback),
     * loaded by gl_font_pick as characters need them, in order of need;
     * an unused one is empty (gl_face_loaded is false). */
    GL_FACE_FALLBACK0,
    GL_FACE_FALLBACK7 = GL_FACE_FALLBACK0 + 7,
    GL_FACE_COUNT
} gl_face_id;

/* The roles gl_fontset_new loads; GL_FACE_CONFIGURED..GL_FACE_COUNT - 1
 * are the fallback roles. */
#define GL_FACE_CONFIGURED GL_FACE_FALLBACK0
#define GL_FACE_NFALLBACK (GL_FACE_COUNT - GL_FACE_FALLBACK0)

typedef struct gl_fontset gl_fontset;

/* Each font below is a file (optionally "path:N" for face N of a
 * collection) or an installed family's name (gl_fontfind_is_path tells
 * which): a family gives its face of the role's style.  A Latin style left
 * NULL follows latin[0] when that is set (its family's bold, italic, bold
 * italic: for a file, the faces of the same family in the file's folder,
 * else the file itself); likewise the mono bold follows mono, and the CJK
 * heading face is cjk's family's bold when it has one, else cjk itself. */
typedef struct {
    const char *font_dir;         /* where the bundled defaults live; NULL =
                                     ctx->font_dir, else GALLEY_FONT_DIR */
    const char *latin[4];         /* per gl_font_style; NULL = default */
    const char *cjk;              /* NULL = default */
    const char *features;         /* OpenType features for shaping, CSS
                                     font-feature-settings syntax; NULL:
                                     the fonts' defaults */
    const char *mono;             /* code: regular (bold follows); NULL = default */
    bool fallback;                /* look for installed faces for characters
                                     the set lacks (off: .notdef) */
    const char *lang;             /* BCP 47, for fontconfig's choice of a
                                     fallback face; NULL: English */
} gl_font_config;

/* Loads the faces.  Fails with GALLEY_ERR_FONT naming the file when a face
 * is missing, unreadable, not a font, or of outlines the back ends cannot
 * embed (neither TrueType nor CFF, e.g. CFF2), or naming the family when
 * no installed family has that name ("no font family 'X' (closest: A,
 * B)").  ctx must outlive the set (fallback faces are loaded later through
 * it).  Caller owns the result (gl_fontset_free). */
gl_fontset *gl_fontset_new(gl_ctx *ctx, const gl_font_config *cfg);
void gl_fontset_free(gl_fontset *fs);

/* The face that draws cp in the given style, heading or body: the Latin
 * face of that style, then the CJK chain (CJK text has no italic: it stays
 * upright), then (fallback on) the fallback faces loaded so far, then an
 * installed face fontconfig finds for cp, loaded into the next free
 * fallback role.  Returns -1 when no face has cp (the caller warns and
 * draws .notdef with the primary face).  Controls, private-use code
 * points, noncharacters and invisible format characters never fall back.
 * The set stays logically const: a fallback face fills an empty role. */
int gl_font_pick(const gl_fontset *fs, gl_font_style style, bool heading, uint32_t cp);
/* The same chain with the CJK faces first (CJK or CJK heading, then the
 * fallback), then the Latin face of the style: layout uses it for
 * punctuation such as quotes, dashes and ellipses between Chinese
 * characters, which the Latin font also has but in Western shapes.
 * Returns -1 when no face has cp. */
int gl_font_pick_cjk_first(const gl_fontset *fs, gl_font_style style, bool heading,
                           uint32_t cp);
/* True when face is a role of the set that holds a face (every
 * configured role; a fallback role once loaded). */
bool gl_face_loaded(const gl_fontset *fs, int face);
/* For a fallback face: its family's name ("HanaMinB") the first time it
 * is asked for, so that the caller warns once per substituted font; NULL
 * later, and for every other face. */
const char *gl_font_fallback_note(const gl_fontset *fs, int face);
/* True when face has a glyph for cp. */
bool gl_face_has(const gl_fontset *fs, int face, uint32_t cp);
/* Advance width of cp in face, in em (font units / units per em);
 * the .notdef advance when cp is missing. */
double gl_face_advance(const gl_fontset *fs, int face, uint32_t cp);
/* The nominal glyph of cp in face (its cmap), 0 (.notdef) when none. */
uint32_t gl_face_glyph(const gl_fontset *fs, int face, uint32_t cp);
/* Advance width of glyph gid in face, in em; 0 for a glyph id past the
 * font's glyphs. */
double gl_face_glyph_advance(const gl_fontset *fs, int face, uint32_t gid);
/* Ink extent of a CJK punctuation mark (the marks of CLREQ's compression
 * rules: 、。，：；！？ brackets, quotes, ·, —, …) in em from the glyph
 * origin.  Returns false for other code points or when face lacks cp. */
bool gl_face_ink(const gl_fontset *fs, int face, uint32_t cp, double *xmin, double *xmax);
/* Ascender and descender (descender negative), in em, from hhea/OS/2. */
double gl_face_ascender(const gl_fontset *fs, int face);
double gl_face_descender(const gl_fontset *fs, int face);
/* Path of the font file and face index within it ("" for an empty role). */
const char *gl_face_path(const gl_fontset *fs, int face);
int gl_face_index(const gl_fontset *fs, int face);
/* PostScript name (never NULL; "" for an empty role). */
const char *gl_face_psname(const gl_fontset *fs, int face);
/* True when face shares its file and index with an earlier face id (the
 * back ends then use the earlier one). */
int gl_face_canonical(const gl_fontset *fs, int face);

/* True when face has localised forms (an OpenType 'locl' feature): a
 * pan-CJK face whose ideographs differ by region, shaped with the
 * document's language. */
bool gl_face_has_locl(gl_fontset *fs, int face);

/* A glyph as HarfBuzz shaped it: glyph id, advance and offset in em, and
 * the byte offset in the shaped text where its cluster starts. */
typedef struct {
    uint32_t gid;
    uint32_t cluster;
    float adv, dx, dy;
} gl_shaped;

/* Shapes text[0..len) (one face, one script and direction: a word) with
 * HarfBuzz, with the font's default features (kerning, standard
 * ligatures, marks) and lang (a BCP 47 tag or NULL) for its localised
 * forms.  Writes at most cap glyphs to out and returns how many there are
 * (more than cap: call again with room), or -1 when the face cannot be
 * shaped (unreadable, out of memory). */
int gl_face_shape(gl_fontset *fs, int face, const char *text, size_t len, const char *lang,
                  gl_shaped *out, size_t cap);

/* Learns from the shaping g[0..ng) of the word s[0..n) in face the
 * kerning of each pair of Latin neighbours that kept their own nominal
 * glyphs, so that gl_face_pairs can answer for later words made of
 * known pairs without shaping them.  Does nothing on failure. */
void gl_face_pairs_learn(gl_fontset *fs, int face, const char *s, size_t n,
                         const gl_shaped *g, size_t ng);
/* The kerning pairs learnt for face (gl_face_pairs_learn): a table of
 * GL_PAIR_CHARS x GL_PAIR_CHARS entries in font units, GL_PAIR_UNKNOWN for
 * a pair not learnt yet, indexed by gl_pair_index; *per_unit gets em per
 * font unit, *ascii the same for the printable ASCII pairs in a compact
 * 94 x 94 table (cache-friendly: most pairs of an English book).  NULL
 * when none is learnt.  Layout reads it for every word, so the lookup is
 * inline. */
#define GL_PAIR_CHARS (94 + 223 + 24)
#define GL_PAIR_UNKNOWN INT16_MIN
const int16_t *gl_face_pairs(const gl_fontset *fs, int face, double *per_unit,
                            const int16_t **ascii);
/* A character's row and column in the pair table: printable ASCII,
 * U+00A1-U+017F (Latin-1, Latin Extended-A), U+2010-U+2027 (dashes,
 * quotes, ellipsis); -1 for any other. */
static inline int gl_pair_index(uint32_t cp)
{
    if (cp >= 0x21 && cp <= 0x7E)
        return (int)cp - 0x21;
    if (cp >= 0xA1 && cp <= 0x17F)
        return (int)cp - 0xA1 + 94;
    if (cp >= 0x2010 && cp <= 0x2027)
        return (int)cp - 0x2010 + 94 + 223;
    return -1;
}

/* Subsets face to the given code points (plus .notdef) with hb-subset (the
 * EPUB's fonts) and returns a stand-alone OpenType file (not a collection) in *data (caller
 * frees with gl_free) of *len bytes.  Returns 0, or -1 with the error on
 * ctx. */
int gl_face_subset(gl_ctx *ctx, const gl_fontset *fs, int face, const uint32_t *cps,
                   size_t ncps, char **data, size_t *len);

/* Checks a list of OpenType features in the syntax of CSS
 * font-feature-settings, comma-separated ("+onum, -liga", "\"smcp\" 1",
 * "ss01=2"; each item as HarfBuzz's hb_feature_from_string reads it).
 * Returns how many there are, or -1 with the first bad item copied into
 * bad (cap bytes). */
int gl_font_features_check(const char *spec, char *bad, size_t cap);
/* Appends spec (valid for gl_font_features_check) to out as a CSS
 * font-feature-settings value: "onum" 1, "liga" 0.  Returns 0 or -1 (OOM). */
int gl_font_features_css(const char *spec, gl_buf *out);

/* Checks that a font file is an OpenType (TrueType or CFF) font FreeType
 * can read (used for
 * --font options before anything is laid out).  Returns 0 or -1 with a
 * GALLEY_ERR_FONT message naming the file. */
int gl_font_check_file(gl_ctx *ctx, const char *spec);

/* ---------------------------------------------------------------- subsets by glyph id */

/* A face subset to a set of glyphs by gl_face_subset_glyphs(), with what a
 * PDF font descriptor says of it.  Lengths are in em (font units / units
 * per em), angles in degrees. */
typedef struct {
    char *data;            /* the subset font file: an OpenType font with glyf or
                              CFF outlines, no collection; owned */
    size_t len;
    bool cff;              /* outlines in a 'CFF ' table (else TrueType 'glyf') */
    bool cid_keyed;        /* CFF whose Top DICT is CID-keyed; its subset's charset is
                              made the identity, so that CID = glyph id for every
                              reader (see font.c, cff_identity_charset) */
    uint32_t *gid;         /* per requested glyph, in request order: its glyph id in
                              the subset; owned */
    uint32_t *cid;         /* per requested glyph: its CID for a PDF CIDFont (its
                              glyph id in the subset); owned */
    float *adv;            /* per requested glyph: its advance (hmtx); owned */
    unsigned nglyphs;      /* glyphs in the subset (components and .notdef included) */
    unsigned units_per_em;
    double bbox[4];        /* xMin yMin xMax yMax of the source face (head) */
    double ascent, descent;/* as gl_face_ascender / gl_face_descender */
    double cap_height;     /* OS/2 sCapHeight, else the ascent */
    double x_height;       /* OS/2 sxHeight, 0 when unknown */
    double italic_angle;   /* post italicAngle (negative: leaning right) */
    double stem_v;         /* vertical stem width, estimated from the weight class */
    bool fixed_pitch, serif, symbolic, italic;
} gl_face_sub;

/* Subsets face to glyph ids gids[0..n) (plus .notdef, and whatever the
 * glyphs are built of) with hb-subset, keeping only the tables a PDF
 * embeds: no layout, vertical, bitmap or hinting data.  The glyph ids are
 * renumbered densely; out->gid[] says where each went.  Nothing touches
 * the disc but the reading of the font file.  Returns 0, or -1 with the
 * error on ctx (*out is then empty).  Free with gl_face_sub_free(). */
int gl_face_subset_glyphs(gl_ctx *ctx, const gl_fontset *fs, int face, const uint32_t *gids,
                          size_t n, gl_face_sub *out);
void gl_face_sub_free(gl_face_sub *s);

/* The face's glyph for each BMP code point (65,536 entries, 0 = none):
 * the table behind gl_face_glyph, for loops over many characters.
 * Borrowed; valid as long as fs. */
const uint16_t *gl_face_bmp_glyphs(const gl_fontset *fs, int face);

#endif
