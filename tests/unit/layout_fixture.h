/*
 * layout_fixture.h — what the layout and dump suites share: a context and
 * the bundled font set for each test, documents of plain paragraphs, and
 * the default layout options.
 */
#ifndef LAYOUT_FIXTURE_H
#define LAYOUT_FIXTURE_H

#include "doc.h"
#include "font.h"
#include "galley_int.h"

extern gl_ctx *ctx;
extern gl_fontset *fs;

/* Check fixture: a new context and font set (../fonts), then freed. */
void layout_setup(void);
void layout_teardown(void);
/* A document titled "Title" in lang of n paragraphs (source lines 3, 5, ...). */
gl_doc *layout_doc(const char *lang, const char *const *paras, size_t n);
/* The layout options galley_options_init's defaults give. */
gl_layout_opts layout_default_opts(void);

#endif
