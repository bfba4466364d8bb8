/*
 * layout_fixture.c — the fixture of the layout and dump suites
 * (layout_fixture.h).
 */
#include "layout_fixture.h"

#include <check.h>
#include <string.h>

gl_ctx *ctx;
gl_fontset *fs;

void layout_setup(void)
{
    ctx = galley_ctx_new();
    ck_assert_ptr_nonnull(ctx);
    gl_font_config fc = {.font_dir = "../fonts"};
    fs = gl_fontset_new(ctx, &fc);
    ck_assert_msg(fs != NULL, "fonts: %s", galley_errmsg(ctx));
}

void layout_teardown(void)
{
    gl_fontset_free(fs);
    galley_ctx_free(ctx);
}

gl_doc *layout_doc(const char *lang, const char *const *paras, size_t n)
{
    gl_doc *d = gl_doc_new(ctx, "test.txt");
    ck_assert_ptr_nonnull(d);
    for (size_t i = 0; i < n; i++)
        ck_assert_ptr_nonnull(gl_doc_append(d, NULL, GL_B_PARA, paras[i], strlen(paras[i]),
                                            (unsigned)(i * 2 + 3)));
    d->meta.title = "Title";
    d->meta.lang = lang;
    d->meta.lang_is_cjk = gl_lang_is_cjk(lang);
    return d;
}

gl_layout_opts layout_default_opts(void)
{
    galley_options o;
    galley_options_init(&o);
    gl_layout_opts lo;
    ck_assert_int_eq(gl_layout_opts_from(ctx, &lo, &o), 0);
    return lo;
}
