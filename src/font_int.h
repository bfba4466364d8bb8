/*
 * font_int.h — the font module's own: a loaded face's tables, the font
 * set, and what font.c (loading, queries, fallback), font_shape.c
 * (HarfBuzz shaping, features, kerning pairs) and font_subset.c
 * (hb-subset for the PDF and the EPUB) share.  The one includer of
 * FreeType's and HarfBuzz's headers; nothing outside the font module
 * includes this.
 */
#ifndef GL_FONT_INT_H
#define GL_FONT_INT_H

#include "font.h"

#include <sys/types.h>

#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_ADVANCES_H
#include FT_CID_H
#include FT_FONT_FORMATS_H
#include FT_TRUETYPE_TABLES_H

#include <hb-ot.h>
#include <hb-subset.h>
#include <hb.h>

typedef struct {
    uint32_t cp;
    uint16_t gid;
} astral_map;

/* Everything layout asks about a face, computed at load so that the hot
 * paths (gl_face_has, gl_face_advance, gl_font_pick) are array reads and
 * FreeType can be closed again. */
typedef struct {
    char *path;         /* owned */
    int index;          /* face index in a collection */
    dev_t dev;          /* identity of the file, for sharing */
    ino_t ino;
    char *psname;       /* owned, never NULL once loaded */
    double ascender, descender;  /* em */
    uint16_t *bmp;      /* 65536 glyph ids for U+0000..U+FFFF, 0 = none */
    astral_map *astral; /* sorted by cp */
    size_t nastral;
    float *adv;         /* em, per glyph id */
    unsigned nglyphs;
    float ink[2][64];   /* ink extent (xmin, xmax, em) of font.c's PUNCT[i]; NAN when absent */
    /* HarfBuzz, opened on the first gl_face_shape (see there) */
    hb_font_t *hb;
    bool hb_tried;
    struct pair_kerns *pairs;   /* gl_face_pairs_learn's, or NULL */
    int8_t locl;                /* gl_face_has_locl: -1 not known yet */
} face_info;


#define GL_MAX_FEATURES 32  /* OpenType features a font set shapes with */

struct gl_fontset {
    face_info info[GL_FACE_COUNT];
    int canon[GL_FACE_COUNT]; /* role → lowest role with the same file and index */
    hb_buffer_t *buf;         /* gl_face_shape's, reused */
    hb_feature_t features[GL_MAX_FEATURES];  /* gl_font_config.features */
    unsigned nfeatures;
    struct fallback *fb;      /* NULL: no fallback (see "fallback" below) */
};

/* What shaping does to each pair of Latin characters in a face, learnt
 * from the words shaped so far: unknown yet (PAIR_UNKNOWN), or kerning
 * only, in font units (what the first character's advance gains).  The
 * characters are those of English and European words and the punctuation
 * that sticks to them: printable ASCII, U+00A1-U+017F (Latin-1, Latin
 * Extended-A), U+2010-U+2027 (dashes, quotes, ellipsis). */
#define PAIR_CHARS GL_PAIR_CHARS
#define PAIR_UNKNOWN GL_PAIR_UNKNOWN
struct pair_kerns {
    double per_unit;                       /* em per font unit */
    int16_t ascii[94][94];                 /* the printable ASCII pairs again,
                                              compact: most of a book's */
    int16_t kern[PAIR_CHARS][PAIR_CHARS];
};

static inline const face_info *info_of(const gl_fontset *fs, int face)
{
    return &fs->info[fs->canon[face]];
}

static inline unsigned glyph_of(const face_info *fi, uint32_t cp)
{
    if (!fi->bmp)
        return 0;  // an empty fallback role
    if (cp < 0x10000)
        return fi->bmp[cp];
    size_t lo = 0, hi = fi->nastral;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (fi->astral[mid].cp < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < fi->nastral && fi->astral[lo].cp == cp ? fi->astral[lo].gid : 0;
}

static inline bool valid_face(int face) { return face >= 0 && face < GL_FACE_COUNT; }

/* ---------------------------------------------------------------- font_shape.c */

/* The face's HarfBuzz font (scale: the em in font units), opened on first
 * use; NULL when HarfBuzz cannot read the file. */
hb_font_t *gl_font_hb(gl_fontset *fs, int face);
/* True when table (GSUB or GPOS) of face lists feature tag. */
bool gl_font_has_feature(hb_face_t *face, hb_tag_t table, hb_tag_t tag);
/* Parses a features list (gl_font_features_check's syntax) into out[] (at
 * most GL_MAX_FEATURES).  Returns 0, or -1 with GALLEY_ERR_ARG on ctx. */
int gl_font_features_parse(gl_ctx *ctx, const char *spec, hb_feature_t *out, unsigned *n);

/* ---------------------------------------------------------------- font.c */

/* FreeType's message for an error code (never NULL). */
const char *gl_font_ft_error(FT_Error e);
/* FT_Init_FreeType, its failure recorded on ctx.  Returns 0 or -1. */
int gl_font_ft_init(gl_ctx *ctx, FT_Library *lib);

#endif
