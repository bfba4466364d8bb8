/*
 * epub_int.h — the EPUB back end's own: the book being written, its
 * content documents and parts, the XML writer, and what the back end's
 * files call of each other: epub.c (package, navigation, NCX, page-list,
 * accessibility, stylesheet, the whole), epub_xhtml.c (content documents),
 * epub_fonts.c (embedded fonts), epub_xml.c (the XML writer: the one
 * includer of libxml2) and epub_zip.c (the OCF container: the one includer
 * of libzip).  Nothing outside the EPUB back end includes this.
 */
#ifndef GL_EPUB_INT_H
#define GL_EPUB_INT_H

#include "epub.h"

/* ================================================================ constants */

// Where the parts live in the container.  The OPF sits in OEBPS/, so the
// hrefs in the OPF, nav and NCX are relative to OEBPS/ (OCF 3.3 §3.5).
#define OPF_PATH "OEBPS/content.opf"
#define MAX_PARTS (16 + GL_FACE_COUNT)  /* fonts: one part per face at most */

static const char XHTML_NS[] = "http://www.w3.org/1999/xhtml";
static const char OPS_NS[] = "http://www.idpf.org/2007/ops";

/* One finished file of the container, in archive order. */
typedef struct {
    char name[80];     /* path in the ZIP */
    gl_buf data;
    bool store;        /* ZIP_CM_STORE: the mimetype, and images (compressed already) */
} part;

/* One content document: one per article of the doc (a doc without
 * articles is one). */
typedef struct {
    char href[48];              /* relative to OEBPS/ */
    char id[24];                /* manifest id */
    const char *title;          /* never NULL or empty */
    const gl_block *first;      /* its top-level blocks */
    const gl_block **heads;     /* its top-level headings (nav entries); owned */
    size_t nheads;
    /* The article's own metadata, and where its block chain ends
     * (exclusive; NULL = at the end) — see gl_doc_articles(). */
    const gl_meta *meta;
    const gl_block *end;
    const char *anchor;         /* the article block's anchor ("#x" links to it) */
    /* footnote references written so far in this document: note → count */
    struct noteuse *uses;
    size_t nuses, capuses;
} article;

/* An image copied into the container. */
typedef struct {
    const char *path;           /* the file (the first block's path) */
    char href[40];              /* relative to OEBPS/: images/img-001.png */
    char id[16];
    const char *media_type;
    char *data;                 /* the bytes (owned) */
    size_t len;
} eimage;

struct noteuse {
    const gl_block *note;
    unsigned count;
};

/* Everything the writers share. */
typedef struct {
    gl_ctx *ctx;
    const gl_doc *doc;
    const char *out_path;
    const char *lang;           /* valid BCP 47 (or "und") */
    char langbuf[64];
    const char *title;          /* never NULL or empty */
    char uid[64];               /* dc:identifier when derived */
    const char *identifier;     /* eo->identifier or uid */
    char modified[48];          /* CCYY-MM-DDThh:mm:ssZ */
    uint16_t dos_time, dos_date;
    article *arts;
    size_t narts;
    /* Script treatment, printed page breaks, fonts, accessibility. */
    bool cjk;                   /* a CJK book: Latin runs are marked lang="en" */
    struct pbreak *pbs;         /* eo->breaks resolved to documents and ids; owned */
    size_t npbs, npbs_found;
    const char *page_source;
    galley_epub_fonts font_mode;
    const char *font_features;  /* eo->font_features */
    const gl_fontset *fs;
    struct efont *fonts;        /* GL_FACE_COUNT entries when fonts are embedded; owned */
    size_t nimages, nimages_alt;  /* GL_B_IMAGE blocks, and those with alt text */
    /* Image files to copy (deduplicated by path); owned */
    eimage *imgs;
    size_t nimgs, capimgs;
    article *cur;               /* the content document being written */
} epub;

// U+2005 FOUR-PER-EM SPACE: exactly the quarter em CLREQ asks for.  It is
// a break opportunity (UAX #14 class BA) that CSS Text 3 §4.1.3 hangs at a
// line end, so it never indents a line or widens a justified one; and it
// is a character, so readers that ignore text-autospace still show it.
#define AUTOSPACE "\xE2\x80\x85"

/* An embedded font: the characters its subset needs, then its bytes. */
typedef struct efont {
    uint32_t *cps;
    size_t n, cap;
    gl_buf data;     /* the subset TrueType file */
} efont;

/* ================================================================ XML writer (epub_xml.c) */

/* An xmlTextWriter into memory with a sticky failure flag: every libxml2
 * call is checked, but the writers test the flag once at the end instead of
 * after each of a few hundred calls (SQLite's sticky-error idea). */
typedef struct {
    gl_ctx *ctx;
    struct _xmlBuffer *xbuf;        /* libxml2's, behind epub_xml.c */
    struct _xmlTextWriter *w;
    gl_buf scratch;   /* cleaned text */
    bool indent;      /* libxml2 lays out the lines itself */
    bool html;        /* XHTML: no <x/> for non-void elements */
    bool failed;
    epub *book;       /* content documents only: rich_text() treatment, breaks */
} xw;

/* ================================================================ printed page breaks */

/* A printed page break resolved against the book. */
typedef struct pbreak {
    const gl_epub_pagebreak *src;
    const article *art;  /* the content document holding src->block */
    size_t off;          /* src->off clamped to the block's text */
    char id[48];         /* unique in the book */
    bool found, done;
} pbreak;

/* ---------------------------------------------------------------- epub_xml.c */

/* Appends s[0..n) to b (replacing what b held) as text XML 1.0 allows:
 * controls dropped, non-characters and bad bytes as U+FFFD. */
int gl_epub_clean_text(gl_buf *b, const char *s, size_t n);
bool gl_epub_is_blank(const char *s, size_t n);
/* An href the EPUB may carry: http, https, mailto or a fragment. */
bool gl_epub_href_ok(const char *h);
/* A well-formed BCP 47 tag; a date of the form W3CDTF allows. */
bool gl_epub_lang_ok(const char *l);
bool gl_epub_date_ok(const char *d);

/* The writer: open into memory (indent: lay out lines, for documents
 * without mixed content), write, close into *out.  Failures are sticky:
 * gl_xw_close reports them (naming what and out_path) and returns -1. */
int gl_xw_open(xw *x, gl_ctx *ctx, bool indent);
int gl_xw_close(xw *x, gl_buf *out, const char *what, const char *out_path);
void gl_xw_ok(xw *x, int rc);
void gl_xw_start(xw *x, const char *name);
void gl_xw_end(xw *x);
void gl_xw_end_void(xw *x);
void gl_xw_attr(xw *x, const char *name, const char *value);
void gl_xw_text(xw *x, const char *s, size_t n);
void gl_xw_elem(xw *x, const char *name, const char *text);
void gl_xw_nl(xw *x);
void gl_xw_doctype_html(xw *x);

/* ---------------------------------------------------------------- epub_xhtml.c */

/* The id of a heading in its content document. */
void gl_epub_heading_id(char *buf, size_t n, const article *a, size_t index);
/* <html> with its languages and <head> with title and stylesheet. */
void gl_epub_xhtml_head(xw *x, const epub *e, const char *title, const char *css_href);
/* One article as an XHTML content document into out. */
int gl_epub_write_article(epub *e, article *a, gl_buf *out);

/* ---------------------------------------------------------------- epub_fonts.c */

/* Subsets the faces the book's text uses (e->font_mode), one part each. */
int gl_epub_fonts_make(epub *e);
void gl_epub_fonts_free(epub *e);
bool gl_epub_font_embedded(const epub *e, int f);
/* The file name of face f in OEBPS/fonts/. */
const char *gl_epub_font_file(int f);
/* The @font-face rules and font stacks of the stylesheet. */
int gl_epub_font_css(const epub *e, gl_buf *out);

/* ---------------------------------------------------------------- epub_zip.c */

/* Builds the OCF ZIP from the parts, in order (the mimetype first and
 * stored), and writes it atomically to e->out_path. */
int gl_epub_zip_write(epub *e, part *parts, size_t nparts);

/* ---------------------------------------------------------------- epub.c */

/* The title of the contents ("Contents", or 目录 in a Chinese book). */
const char *gl_epub_contents_label(const epub *e);
/* The href in the container of a GL_B_IMAGE block's file. */
const char *gl_epub_image_href(const epub *e, const gl_block *img);

#endif
