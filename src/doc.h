/*
 * doc.h — galley's document model, shared by both back ends: metadata, a
 * tree of blocks, and for each text block its flattened UTF-8 text with a
 * table of styled spans (STYLE.md S6).  Readers build it; layout and the
 * EPUB writer read it.  All memory lives in the document's arena.
 */
#ifndef GL_DOC_H
#define GL_DOC_H

#include "base.h"

typedef enum {
    GL_B_PARA = 1,   /* paragraph: text + spans */
    GL_B_HEADING,    /* heading: level 1-6, text + spans */
    GL_B_QUOTE,      /* block quote: children */
    GL_B_CODE,       /* preformatted text: text, no spans */
    GL_B_HR,         /* thematic break */
} gl_block_type;

/* Inline styles, as bits of gl_span.style. */
enum {
    GL_S_BOLD = 1u << 0,
    GL_S_ITALIC = 1u << 1,
    GL_S_CODE = 1u << 2,
    GL_S_LINK = 1u << 3,
};

typedef struct {
    uint32_t off, len;   /* byte range in the block's text */
    uint32_t style;      /* GL_S_* bits */
    const char *href;    /* GL_S_LINK only */
} gl_span;

typedef struct gl_block gl_block;
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
};

typedef struct {
    const char *title;         /* never NULL after reading ("" if nothing known) */
    const char *subtitle;
    const char *date;          /* ISO 8601 YYYY-MM-DD, or NULL */
    const char *display_date;  /* as written in the source, or NULL */
    const char *byline;        /* author / newsroom, or NULL */
    const char *lang;          /* BCP 47: "zh-Hans", "en", ... never NULL after reading */
    const char *source;        /* input name for diagnostics */
    bool lang_is_cjk;          /* lang is Chinese/Japanese/Korean */
} gl_meta;

struct galley_doc {
    gl_ctx *ctx;
    gl_arena arena;
    gl_meta meta;
    gl_block *first, *last;    /* top-level blocks */
    size_t nblocks;
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
/* Applies option overrides (title, author, lang) to the metadata. */
int gl_doc_apply_options(gl_doc *doc, const galley_options *opt);
/* True when lang names Chinese, Japanese or Korean. */
bool gl_lang_is_cjk(const char *lang);

#endif
