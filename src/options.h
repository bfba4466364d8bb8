/*
 * options.h — galley's one table of options (options.c): each option's
 * name, the values it takes and the fields of galley_options it sets.  The
 * command line (through galley_options_set), manifests (manifest.c) and
 * Markdown front matter (reader_md.c) all parse values here, so a value
 * means the same everywhere and a bad one gets the same message.
 */
#ifndef GL_OPTIONS_H
#define GL_OPTIONS_H

#include "base.h"

/* An option as written in a file: the key, its plain value and the key's
 * line (1-based, in the whole file).  The strings are borrowed from
 * whoever holds the pairs (a manifest's or a document's arena). */
typedef struct {
    const char *name;
    const char *value;
    unsigned line;
} gl_opt_pair;

/* True when name is an option that manifests and front matter may set
 * (paper, margins, font-size, leading, cjk-punct, linebreak, hyphenate,
 * continuous, epub-fonts).  The others (title, lang, fonts, ...) are the
 * command line's: in a file, title, subtitle, author and lang are the
 * document's metadata, and fonts are never taken from a document. */
bool gl_option_in_files(const char *name);

/* Applies options read from source (a manifest, or a Markdown file's front
 * matter) to opt, in order.  Each value is checked first: a bad one (or a
 * name that is not a file option) is GALLEY_ERR_INPUT, "source:line:
 * invalid cjk-punct 'wide' (gb, full or centered)", and opt is left as far
 * as the pairs before it took it.  A good value is set unless the caller
 * had changed that option from its default in opt before the call: the
 * command line and the API caller take precedence over files.  Returns 0
 * or -1. */
int gl_options_apply(gl_ctx *ctx, galley_options *opt, const gl_opt_pair *pairs, size_t n,
                     const char *source);

#endif
