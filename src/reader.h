/*
 * reader.h — the readers: input bytes in, a document model out.  They know
 * nothing of fonts, layout or the back ends.
 */
#ifndef GL_READER_H
#define GL_READER_H

#include "doc.h"

/* reader_text.c: the article format and plain text (README "Input").
 * data need not be valid UTF-8 or NUL-terminated.  Returns a new doc, or
 * NULL on OOM. */
gl_doc *gl_read_text(gl_ctx *ctx, const char *data, size_t len, const char *source);

/* reader_md.c: Markdown (CommonMark + GFM tables, strikethrough, autolinks,
 * footnotes) with optional YAML front matter.  source names the input for
 * diagnostics; relative image paths are resolved against its directory.
 * Never fails on content (problems are warnings); returns a new doc, or
 * NULL on OOM.  Heading → article mapping: see reader_md.c's header.
 * flags: GL_MD_ONE_ARTICLE keeps the whole file one article (for a file
 * that is one article of a brief) instead of splitting it into chapters. */
#define GL_MD_ONE_ARTICLE 1u
gl_doc *gl_read_markdown(gl_ctx *ctx, const char *data, size_t len, const char *source,
                         unsigned flags);
/* True when an input should be read as Markdown: its name ends in .md,
 * .markdown, .mdown or .mkd (any case), or data starts with YAML front
 * matter ("---" then a "key:" line).  Either argument may be NULL. */
bool gl_is_markdown(const char *source, const char *data, size_t len);

#endif
