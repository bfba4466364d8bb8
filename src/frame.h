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
 * in the run's text of the first character of its cluster.  Clusters
 * never decrease along a run; the characters of a cluster are
 * text[cluster, next cluster) (several for a ligature), and a cluster of
 * several glyphs repeats its offset. */
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

typedef struct {
    gl_run *runs;
    size_t nruns, capruns;
    gl_rule *rules;
    size_t nrules, caprules;
    gl_image *images;
    size_t nimages, capimages;
    gl_link *links;
    size_t nlinks, caplinks;
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
