/*
 * frame.h — what layout hands to the PDF back end: pages of positioned
 * runs of text, rules, images and links, each page with its printed
 * label, and the outline (bookmarks).  Coordinates are PDF
 * points with the origin at the bottom left of the page; y is the
 * baseline.  The PDF back end draws only what is here.
 */
#ifndef GL_FRAME_H
#define GL_FRAME_H

#include "base.h"

/* Run flags. */
enum {
    GL_RUN_FAKE_BOLD = 1, /* no bold face (CJK): fill and stroke the outline
                             (PDF text render mode 2), line width size/30 */
    GL_RUN_LINK = 2,      /* link text: drawn in the link colour */
};

/* One glyph of a run as shaped: its glyph id in the run's face, how far
 * the pen moves after it (points, kerning included, char_space not), its
 * offset from the pen (points; marks, superscripts), and the byte offset
 * in the run's text of the first character of its cluster.  Glyphs come
 * in the order they are drawn, left to right: clusters never decrease
 * along a left-to-right run and never increase along a right-to-left one
 * (an Arabic word, whose text stays in logical order); the characters of
 * a cluster are text[cluster, the next larger cluster) (several for a
 * ligature), and a cluster of several glyphs repeats its offset. */
typedef struct {
    uint32_t gid;
    float adv;
    float dx, dy;
    uint32_t cluster;
} gl_glyph_pos;

typedef struct {
    int face;            /* face id in the font set (gl_face_id) */
    float size;          /* font size in points */
    float x, y;          /* start of the baseline */
    float char_space;    /* extra space after each character (PDF Tc), points */
    const char *text;    /* UTF-8, not NUL-terminated; borrowed (doc or frames arena) */
    uint32_t len;        /* bytes */
    uint32_t flags;      /* GL_RUN_* */
    /* The shaped glyphs (frames arena), or NULL: then each character is
     * drawn with its face's nominal glyph and advance (folios, leaders). */
    const gl_glyph_pos *glyphs;
    uint32_t nglyphs;
} gl_run;

typedef struct {
    float x0, y0, x1, y1;   /* a stroked line */
    float width;
} gl_rule;

/* A raster image (PNG or JPEG file), drawn scaled into the rectangle. */
typedef struct {
    const char *path;       /* file to embed; borrowed (doc arena) */
    float x, y, w, h;       /* lower-left corner and size, points */
} gl_image;

/* A link area: a URL, or a place in this document. */
typedef struct {
    float x0, y0, x1, y1;   /* the active rectangle, points */
    const char *uri;        /* external target (http, https, mailto), or NULL */
    int page;               /* internal target: page index (0-based) ... */
    float y;                /* ... and the y to show at the top of the view */
} gl_link;

/* Where a line ends: the kind of item the paragraph breaker chose. */
typedef enum {
    GL_ENDS_PARA = 0,   /* the end of the paragraph (or of a heading, a cell) */
    GL_ENDS_FORCED,     /* a forced break: a hard line break in the text */
    GL_ENDS_GLUE,       /* at glue: a word space, or between CJK characters */
    GL_ENDS_PENALTY,    /* at a penalty, nothing drawn (after a slash, a cut word) */
    GL_ENDS_HYPHEN,     /* at a discretionary hyphen, drawn at the line end */
    GL_ENDS_DASH,       /* after a hyphen or dash of the text (flagged, nothing added) */
} gl_line_ends;

/* Why the page turned before a line: set on the first line of a block
 * that goes on on a new page, GL_CARRY_NONE on every other line. */
typedef enum {
    GL_CARRY_NONE = 0,
    GL_CARRY_FULL,      /* no room left on the page */
    GL_CARRY_ORPHAN,    /* the block's first line would have stood alone at the foot */
    GL_CARRY_WIDOW,     /* its last line would have stood alone at the top */
    GL_CARRY_KEEP,      /* a heading or title: never split, kept with what follows */
    GL_CARRY_WORD,      /* no word broken across a page turn (TeX's \brokenpenalty) */
    GL_CARRY_NOTE,      /* its footnote did not fit at the foot of the page */
} gl_line_carry;

/* How a line's glue was set. */
typedef enum { GL_SET_JUSTIFY = 0, GL_SET_LEFT, GL_SET_CENTER, GL_SET_RIGHT } gl_line_align;

/* Line flags, from the breaker (break.h gl_line). */
enum {
    GL_LINE_EMERGENCY = 1, /* set by the emergency or fallback pass */
    GL_LINE_OVERFULL = 2,  /* wider than its measure even at full shrink */
};

/* One line of broken text, as layout set it.  Recorded only when
 * gl_layout_opts.trace asks for it (tests and dumps): the runs carry
 * everything the back ends draw. */
typedef struct {
    float x0, x1;        /* from the first glyph's slot to the end of the last
                            (a drawn hyphen included), points */
    float y;             /* baseline, PDF space */
    float measure;       /* the width the line was broken for */
    float ratio;         /* the breaker's adjustment ratio r (Knuth & Plass) */
    float set_ratio;     /* the ratio the glue was set with: r when justified,
                            else min(r, 0) (ragged and last lines) */
    float badness;       /* 100 |r|^3, capped at 10000 */
    uint32_t run0, nruns; /* its runs: page runs [run0, run0 + nruns) */
    uint8_t ends;        /* gl_line_ends */
    uint8_t carry;       /* gl_line_carry */
    uint8_t align;       /* gl_line_align */
    uint8_t flags;       /* GL_LINE_* */
    int8_t pass;         /* the breaker's pass (break.h): 1-4 Knuth-Plass, 0 first fit */
} gl_frame_line;

typedef struct {
    gl_run *runs;
    size_t nruns, capruns;
    gl_rule *rules;
    size_t nrules, caprules;
    gl_image *images;
    size_t nimages, capimages;
    gl_link *links;
    size_t nlinks, caplinks;
    gl_frame_line *lines; /* with gl_layout_opts.trace only; else NULL */
    size_t nlines, caplines;
    int number;          /* printed page number: 1-based within its numbering */
    const char *label;   /* the number as printed ("12", "iv"): frames arena.
                            Folio, contents, PDF page labels and the EPUB
                            page-list all read this one label */
    const void *start_block; /* the gl_block whose text the page starts with
                                (NULL: none, e.g. front matter) ... */
    uint32_t start_off;      /* ... and the byte offset in it */
    bool front;          /* front matter (cover, contents): labelled in lower-case
                            roman numerals, the body in arabic ones */
} gl_page;

/* A bookmark (PDF outline entry).  Entries come in document order; level
 * 1 is the top (an article), 2.. its headings; a level may jump by more
 * than one (the back end nests under the nearest shallower entry). */
typedef struct {
    const char *title;      /* UTF-8, NUL-terminated; frames arena or doc */
    int level;
    int page;               /* page index (0-based) */
    float y;                /* top of the target on that page, PDF points */
} gl_outline;

typedef struct {
    double width, height;  /* page size, points */
    gl_page *pages;
    size_t npages, cappages;
    gl_outline *outlines;
    size_t noutlines, capoutlines;
    gl_arena arena;        /* strings made by layout (folios, ...) */
} gl_frames;

void gl_frames_free(gl_frames *f);

#endif
