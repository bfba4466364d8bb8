/*
 * doc.h — galley's document model, shared by both back ends: metadata, a
 * tree of blocks, and for each text block its flattened UTF-8 text with a
 * table of styled spans.  Readers build it; layout and the
 * EPUB writer read it.  All memory lives in the document's arena.
 */
#ifndef GL_DOC_H
#define GL_DOC_H

#include "base.h"
#include "image.h"
#include "options.h"

/*
 * Block types.  "text" blocks (PARA, HEADING, TABLE_CELL) carry text +
 * spans; in their text a '\n' is a HARD LINE BREAK (Markdown "two spaces"
 * or backslash at a line end) — readers never put '\n' there otherwise
 * (soft breaks are joined with a space, or nothing next to CJK).  CODE text
 * uses '\n' between its lines and has no trailing '\n'.  Containers have
 * text NULL and their content in children.
 */
typedef enum {
    GL_B_PARA = 1,   /* paragraph: text + spans */
    GL_B_HEADING,    /* heading: level 1-6, text + spans, anchor */
    GL_B_QUOTE,      /* block quote: children */
    GL_B_CODE,       /* preformatted text: text, no spans; info (may be NULL) */
    GL_B_HR,         /* thematic break */
    /* ---- Markdown and briefs ---- */
    GL_B_LIST,       /* list: children are GL_B_ITEM only; ordered, start, tight */
    GL_B_ITEM,       /* list item: children are any blocks (may be none) */
    GL_B_IMAGE,      /* image on its own: src, path; text = alt text (plain, may be "") */
    GL_B_TABLE,      /* table: children are GL_B_TABLE_ROW only; ncols, align */
    GL_B_TABLE_ROW,  /* row: exactly ncols GL_B_TABLE_CELL children; header */
    GL_B_TABLE_CELL, /* cell: text + spans (may be "") */
    GL_B_FOOTNOTE,   /* footnote definition: children; anchor = label, note_num */
    GL_B_ARTICLE,    /* an article (chapter) of a brief/book: children; meta */
} gl_block_type;

/* Inline styles, as bits of gl_span.style. */
enum {
    GL_S_BOLD = 1u << 0,
    GL_S_ITALIC = 1u << 1,
    GL_S_CODE = 1u << 2,
    GL_S_LINK = 1u << 3,     /* href: "#anchor" (internal) or a URL */
    GL_S_STRIKE = 1u << 4,   /* strikethrough (GFM ~~x~~) */
    /* Footnote reference: the span's text is the note's number ("3"), to be
     * set as a superscript; note points at the GL_B_FOOTNOTE block.  Never
     * combined with GL_S_LINK. */
    GL_S_NOTEREF = 1u << 5,
};

typedef struct gl_block gl_block;

typedef struct {
    uint32_t off, len;   /* byte range in the block's text */
    uint32_t style;      /* GL_S_* bits */
    const char *href;    /* GL_S_LINK only */
    const gl_block *note;  /* GL_S_NOTEREF only: the GL_B_FOOTNOTE block */
} gl_span;

/* Column alignment of a GL_B_TABLE (GFM delimiter row). */
typedef enum {
    GL_ALIGN_NONE = 0,   /* not specified: left for text */
    GL_ALIGN_LEFT,
    GL_ALIGN_CENTER,
    GL_ALIGN_RIGHT,
} gl_align;

/* Maximum container nesting in the model (quotes, lists, items, footnotes,
 * articles, tables all count).  Readers flatten deeper content into the
 * deepest allowed container with one warning, so back ends may recurse
 * over children without risking the stack. */
#define GL_MAX_DEPTH 24

struct gl_meta_s;
struct gl_block {
    gl_block_type type;
    int level;                 /* heading level 1-6 */
    const char *text;          /* UTF-8, valid, NUL-terminated; NULL for containers */
    size_t len;
    gl_span *spans;            /* sorted, covering text; NULL = one plain span */
    size_t nspans;
    /* Source position: line of the block's first character, and for each
     * further source line joined into text, the byte offset where it starts
     * (so a diagnostic about text[off] names the right line). */
    unsigned line, col;
    const uint32_t *line_offs;
    size_t nline_offs;
    gl_block *children, *next;

    /* ---- added for Markdown and briefs; zero/NULL where unused ---- */
    /* GL_B_HEADING: the id internal links use ("#anchor" in a GL_S_LINK
     * href), GitHub-style slug, unique in the doc; NULL if none.
     * GL_B_ARTICLE: the same for the chapter heading it was made from.
     * GL_B_FOOTNOTE: its number as text ("3"; cmark-gfm does not expose
     * the label as written). */
    const char *anchor;
    const char *info;          /* GL_B_CODE: fenced code info string, or NULL */
    /* GL_B_LIST */
    bool ordered;              /* 1. 2. 3. (else bullets) */
    bool tight;                /* no blank lines between items: no paragraph spacing */
    unsigned start;            /* first number of an ordered list */
    /* GL_B_IMAGE: src as written; path to open (relative src resolved
     * against the input file's directory; absolute src as is).  Read and
     * check it with gl_image_probe(). */
    const char *src, *path;
    bool outside;              /* path lies outside the folders images may come
                                  from (galley.c): gl_image_probe() refuses it */
    /* GL_B_TABLE: column count and per-column alignment (ncols entries) */
    unsigned ncols;
    const gl_align *align;
    bool header;               /* GL_B_TABLE_ROW: a header row (repeat on each page) */
    unsigned note_num;         /* GL_B_FOOTNOTE: its number, 1.. in order of first reference */
    /* GL_B_ARTICLE: the article's own metadata (title, subtitle, date,
     * display_date, byline; lang/source copied from the doc).  Never NULL
     * for an article block. */
    const struct gl_meta_s *meta;
};

typedef struct gl_meta_s {
    const char *title;         /* never NULL after reading ("" if nothing known) */
    const char *subtitle;
    const char *date;          /* ISO 8601 YYYY-MM-DD, or NULL */
    const char *display_date;  /* as written in the source, or NULL */
    const char *byline;        /* author / newsroom, or NULL */
    const char *lang;          /* BCP 47: "zh-Hans", "en", ... never NULL after reading */
    const char *source;        /* input name for diagnostics */
    bool lang_is_cjk;          /* lang is Chinese/Japanese/Korean */
} gl_meta;

/*
 * Articles (briefs and books).  A doc is a list of articles:
 *  - a single-article doc (what reader_text makes, and a Markdown file with
 *    no chapter headings) has its blocks directly at the top level and its
 *    metadata in doc->meta: ONE IMPLICIT ARTICLE;
 *  - a multi-article doc has only GL_B_ARTICLE blocks at the top level, each
 *    with its metadata in block->meta and its content in block->children;
 *    doc->meta is then the brief/book-level metadata (title, subtitle,
 *    byline = author, date, lang).
 * gl_doc_articles() gives both shapes one view; it also copes with stray
 * top-level blocks between articles (each run becomes an implicit article
 * with doc->meta), though readers do not make such docs.
 */
typedef struct {
    const gl_meta *meta;       /* never NULL */
    const gl_block *first;     /* its blocks: first, first->next, ... up to end */
    const gl_block *end;       /* exclusive end of that chain (NULL = to the end) */
    const gl_block *block;     /* the GL_B_ARTICLE block, or NULL if implicit */
} gl_article_ref;

struct galley_doc {
    gl_ctx *ctx;
    gl_arena arena;
    gl_meta meta;
    gl_block *first, *last;    /* top-level blocks */
    size_t nblocks;
    /* ---- added for briefs ---- */
    size_t narticles;          /* GL_B_ARTICLE blocks at the top level */
    size_t nnotes;             /* GL_B_FOOTNOTE blocks anywhere */
    struct galley_doc *absorbed;  /* docs moved in by gl_doc_absorb (owned) */
    unsigned long serial;      /* unique per process: tells docs apart even when
                                  one reuses a freed one's address */
    /* Options from the Markdown front matter (paper, margins, ...: see
     * options.h), in order, in the arena; galley.c checks them when the
     * document is read and applies them when it is published, where the
     * caller left the defaults.  NULL when none. */
    const gl_opt_pair *options;
    size_t noptions;
};
typedef struct galley_doc gl_doc;

gl_doc *gl_doc_new(gl_ctx *ctx, const char *source);
void gl_doc_free(gl_doc *doc);
/* Appends a block to parent's children (parent NULL: top level).  text is
 * copied into the arena.  Returns NULL on OOM. */
gl_block *gl_doc_append(gl_doc *doc, gl_block *parent, gl_block_type type,
                        const char *text, size_t len, unsigned line);
/* The source line of byte offset off in a block's text. */
unsigned gl_block_line_at(const gl_block *b, size_t off);
/* Sets meta.lang from the text when not already set: Chinese ("zh-Hans")
 * when most letters are Han, else English ("en"). */
void gl_doc_detect_lang(gl_doc *doc);
/* Sets meta.title to the file's base name without its extension (control
 * characters dropped), or "Untitled" for stdin and memory ("<...>").
 * Returns 0 or -1 (OOM). */
int gl_doc_title_from_source(gl_doc *doc, const char *source);
/* The document's author for PDF and EPUB metadata, allocated (gl_free),
 * or NULL when none is known (or on OOM: ctx->oom).  meta.byline when set;
 * else the names in the articles' bylines, distinct, in order, joined with
 * "; " ("、" in Chinese), after three "et al." ("等").  The name in a
 * byline is its first part without digits (parts split at " · " or "|"),
 * up to its first ", " or ". ", without a leading "By ".  An article
 * without a byline may give its leading paragraph instead when that is
 * wholly in italics and at most 200 bytes: "*Leo Tolstoy. Translated by
 * …*" names Leo Tolstoy, "*October 27, 1787 · Alexander Hamilton, The
 * Independent Journal*" Alexander Hamilton.  So may a plain "By Jane Roe"
 * line, and a Chinese one: "曹雪芹　著" (the name before 著 撰 编 译 述,
 * without a bracketed dynasty) or "作者：张三". */
char *gl_doc_author(gl_ctx *ctx, const gl_doc *doc);
/* Applies option overrides (title, author, lang) to the metadata. */
int gl_doc_apply_options(gl_doc *doc, const galley_options *opt);
/* True when lang names Chinese, Japanese or Korean. */
bool gl_lang_is_cjk(const char *lang);

/* ---- articles (briefs and books) ---- */

/* Appends a GL_B_ARTICLE at the top level with its own gl_meta (title "",
 * lang and source copied from doc->meta, rest NULL); fill it through the
 * returned pointer's meta (cast away const: gl_doc_article_meta()).
 * Returns NULL on OOM. */
gl_block *gl_doc_add_article(gl_doc *doc, unsigned line);
/* The writable metadata of an article block made by gl_doc_add_article. */
gl_meta *gl_doc_article_meta(gl_block *article);
/* Fills out[0, cap) with the doc's articles in order (see above) and
 * returns how many there are (which may exceed cap: call with cap 0 to
 * count).  An empty doc has 1 implicit, empty article. */
size_t gl_doc_articles(const gl_doc *doc, gl_article_ref *out, size_t cap);
/* Moves src into dst as articles, in order: src's GL_B_ARTICLE blocks as
 * they are, or src's implicit article as one new GL_B_ARTICLE with a copy
 * of src->meta.  If dst was single-article and non-empty, its own blocks
 * are first wrapped into an article the same way.  No text is copied: dst
 * takes ownership of src's arena (src must not be used or freed after a
 * successful call; on failure src is untouched and still the caller's).
 * Returns 0 or -1 (OOM). */
int gl_doc_absorb(gl_doc *dst, gl_doc *src);

/* ---- images ---- */

/* Checks the GL_B_IMAGE's file: exists, readable, a sound PNG or JPEG
 * (gl_image_check) and reads its pixel size.  On failure
 * records GALLEY_ERR_INPUT with a message naming source:line and the image
 * path ("missing" / "not a PNG or JPEG image" / "corrupt") and returns -1. */
int gl_image_probe(gl_ctx *ctx, const char *source, const gl_block *img, gl_image_info *out);

#endif
