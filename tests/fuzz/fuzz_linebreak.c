/*
 * fuzz_linebreak.c — libFuzzer target for line breaking: ICU break
 * opportunities (src/linebreak.c) over any valid UTF-8, then the layout
 * engine's line filler and page builder (src/layout.c) on the same text in
 * a narrow or wide measure.  Byte 0 picks the language and measure; the rest
 * is the text.  Fonts are loaded once per process (they are read-only).
 */
#include "reader.h"
#include "fuzz.h"
#include "galley_int.h"
#include "linebreak.h"

static gl_ctx *g_ctx;
static gl_fontset *g_fonts;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *langs[] = {NULL, "en", "zh", "ja", "th", "ko", "de", "zh-Hans"};
    if (size < 1)
        return 0;
    if (!g_ctx) {
        g_ctx = galley_ctx_new();
        gl_font_config fc = {0};
        g_fonts = g_ctx ? gl_fontset_new(g_ctx, &fc) : NULL;
        FUZZ_ASSERT(g_fonts, "cannot load the bundled fonts");
    }
    gl_ctx *ctx = g_ctx;
    gl_clear_error(ctx);
    galley_diag_clear(ctx);
    unsigned sel = data[0];
    const char *lang = langs[sel & 7];
    data++;
    size--;

    // Any bytes become valid UTF-8 first: gl_linebreak's contract asks for it.
    gl_buf t;
    gl_buf_init(&t, ctx);
    for (size_t i = 0; i < size;) {
        uint32_t cp = gl_utf8_next((const char *)data, size, &i);
        if (gl_buf_put_cp(&t, cp))
            break;
    }
    const char *text = t.data ? t.data : "";
    unsigned char *brk = malloc(t.len + 1);
    FUZZ_ASSERT(brk, "out of memory");
    if (gl_linebreak(ctx, text, t.len, lang, brk) == 0) {
        FUZZ_ASSERT(brk[0] == GL_BRK_NONE || t.len == 0, "break before the first byte");
        FUZZ_ASSERT(brk[t.len] == GL_BRK_MUST, "no break at the end");
        for (size_t i = 1; i < t.len; i++) {
            FUZZ_ASSERT(brk[i] <= GL_BRK_MUST, "bad break value");
            if (((unsigned char)text[i] & 0xC0) == 0x80)
                FUZZ_ASSERT(brk[i] == GL_BRK_NONE, "break inside a UTF-8 sequence");
        }
    }
    free(brk);

    // The same text as a document, laid out: first-fit/Knuth-Plass lines,
    // justification, widows and orphans, folios.
    gl_doc *doc = gl_read_text(ctx, text, t.len, "fuzz.txt");
    if (doc) {
        galley_options opt;
        galley_options_init(&opt);
        opt.lang = lang;
        if (lang)
            doc->meta.lang = lang, doc->meta.lang_is_cjk = gl_lang_is_cjk(lang);
        if (sel & 8) {  // a narrow measure: 4 ems, the least layout accepts
            opt.page_width_pt = 2 * 20 + 4 * 11 + (sel >> 4);
            opt.margin_left_pt = opt.margin_right_pt = 20;
        }
        if (sel & 0x80)
            opt.font_size_pt = 30;
        gl_layout_opts lo;
        if (gl_layout_opts_from(ctx, &lo, &opt) == 0) {
            gl_frames *fr = gl_layout(ctx, doc, g_fonts, &lo);
            FUZZ_ASSERT(fr || ctx->status != GALLEY_OK, "layout failed without an error");
            if (fr) {
                for (size_t p = 0; p < fr->npages; p++)
                    for (size_t r = 0; r < fr->pages[p].nruns; r++) {
                        const gl_run *run = &fr->pages[p].runs[r];
                        FUZZ_ASSERT(run->x > -1 && run->x < fr->width + 1, "run off the page");
                        FUZZ_ASSERT(run->y > -1 && run->y < fr->height + 1, "run off the page");
                    }
            }
            gl_frames_free(fr);
        }
        gl_doc_free(doc);
    }
    gl_buf_free(&t);
    return 0;
}
