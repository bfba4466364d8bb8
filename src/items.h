/*
 * items.h — from a block's text to what the paragraph breaker needs: every
 * character measured in the face that draws it, its break class (ICU's UAX
 * #14 opportunities with the Chinese rules of W3C CLREQ on top), CJK
 * punctuation compression, and the spacing between Han and Latin text.
 * Then the Knuth–Plass item list (boxes, glue, penalties) over them.
 */
#ifndef GL_ITEMS_H
#define GL_ITEMS_H

#include "break.h"
#include "doc.h"
#include "font.h"
#include "frame.h"
#include "hyph.h"
#include "shape.h"

enum {
    GL_G_SPACE = 1,      /* a word space (becomes glue) */
    GL_G_CJK = 2,        /* a CJK character: inter-character justification applies */
    GL_G_NOTDEF = 4,     /* no face has it: drawn as .notdef */
    GL_G_ASTRAL = 8,     /* above U+FFFF */
    GL_G_HYPHEN_OK = 16, /* a hyphen may be inserted before this glyph */
    GL_G_LINK = 32,      /* part of a link (span has the href) */
    GL_G_FAKE_BOLD = 64, /* bold wanted but the face has no bold (CJK) */
    GL_G_NOTEREF = 128,  /* a footnote reference number (superscript) */
    GL_G_SUBST = 256,    /* drawn as cp, which differs from the text (a
                            paragraph-final opening quote set as closing) */
    GL_G_SHAPED = 512,   /* drawn with the shaped glyphs sh->sgl[sg, sg + nsg),
                            not its nominal glyph: a ligature, kerning, marks */
    GL_G_CONT = 1024,    /* a later character of a shaped cluster (the second
                            and third f of an "ffi" ligature): drawn by the
                            cluster's first character, it draws nothing */
    GL_G_KERNED = 2048,  /* kerned with the next character: its nominal glyph
                            and advance (nat), adv the kerned one */
};

typedef struct {
    uint32_t off;        /* byte offset in the text */
    uint32_t cp;
    float adv;           /* advance in points, after punctuation compression and
                            without end_trim (which follows it as glue) */
    float nat;           /* the advance PDF draws, points: the font's own, or
                            as shaped (GL_G_SHAPED: kerning included; a
                            cluster's advance shared among its characters) */
    float lcomp;         /* leading blank removed: drawn this far left of its slot */
    float end_trim;      /* trailing blank removed when the glyph ends a line */
    float space_before;  /* Han–Latin spacing before this glyph, points */
    float size;          /* font size, points (superscripts and code differ) */
    float rise;          /* baseline shift up, points */
    uint32_t span;       /* 1 + index of the block span it is in; 0 = none */
    uint32_t sg;         /* GL_G_SHAPED: first of its glyphs in sh->sgl */
    uint16_t nsg;        /* ... and how many */
    int16_t face;
    uint8_t nbytes;
    uint16_t flags;      /* GL_G_* */
    uint8_t brk;         /* GL_BRK_* (linebreak.h) before this glyph */
    uint8_t level;       /* bidi embedding level (UAX #9): odd right to left */
} gl_glyph;

/* The glyphs an item stands for: [g0, g1) for a box; g0 == g1 is the
 * position of a glue or penalty (before glyph g0). */
typedef struct {
    uint32_t g0, g1;
} gl_item_span;

/* How a block's text is set. */
typedef struct {
    double size;            /* points */
    gl_font_style style;    /* base style; spans add bold and italic */
    bool heading;           /* use the CJK heading face; never hyphenate */
    bool hyphenate;         /* English hyphenation wanted */
} gl_text_style;

/* Scratch space and settings for shaping many paragraphs. */
typedef struct {
    gl_ctx *ctx;
    const gl_doc *doc;
    gl_fontset *fs;
    gl_hyph *hyph;          /* NULL: no hyphenation */
    bool cjk_text;          /* the text is Chinese/Japanese/Korean (ambiguous
                               punctuation takes the CJK face) */
    galley_cjk_punct punct;
    gl_glyph *g;
    size_t ng, capg;
    unsigned char *brk;
    size_t capbrk;
    uint32_t *warned;       /* code points already reported missing */
    size_t nwarned, capwarned;
    gl_item *items;
    size_t nitems, capitems;
    gl_item_span *spans;    /* per item: the glyphs it stands for */
    size_t capspans;
    gl_glyph_pos *sgl;      /* shaped glyphs of the GL_G_SHAPED characters:
                               points, cluster unused */
    size_t nsgl, capsgl;
    gl_shape_cache *cache;  /* words shaped so far (made on first use) */
    uint8_t *levels;        /* bidi levels of a paragraph with right-to-left text */
    size_t caplevels;
    bool rtl;               /* the paragraph shaped last has right-to-left text */
    struct {                /* measure's ASCII metrics for one style */
        int key;            /* 1 + (style << 1 | heading); 0 = empty */
        int16_t face[128];  /* -1: measured the slow way */
        float adv[128];     /* per point of size */
    } ascii;
} gl_shaper;

void gl_shaper_init(gl_shaper *sh, gl_ctx *ctx, const gl_doc *doc, gl_fontset *fs,
                    galley_cjk_punct punct, gl_hyph *hyph);
void gl_shaper_free(gl_shaper *sh);

/* Measures text (a block's, or metadata) into sh->g.  Characters no face
 * has are reported once per document as warnings at their source line. */
int gl_shape(gl_shaper *sh, const gl_block *b, const char *text, size_t len,
             const gl_text_style *ts);

/* A line of characters [first, last] of sh->g (of text) that starts or
 * ends inside a shaped cluster (a hyphen in "af-fluent" splits its "ffl"
 * ligature): the part of the word on this line is shaped again on its own.
 * *delta gets the change of the line's natural width, points.  Returns 0
 * or -1 (OOM). */
int gl_reshape_ends(gl_shaper *sh, const char *text, size_t first, size_t last, double *delta);

/* Builds the Knuth–Plass items for sh->g (after gl_shape) into sh->items,
 * with sh->spans mapping each item to its glyphs.  Words wider than
 * measure are cut into characters with costly breaks between them, so no
 * line need overflow. */
int gl_build_items(gl_shaper *sh, const gl_text_style *ts, double measure);

/* CLREQ classes, exposed for tests. */
bool gl_clreq_no_line_start(uint32_t cp);
bool gl_clreq_no_line_end(uint32_t cp);

#endif
