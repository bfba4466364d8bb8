/*
 * dump-layout.c — prints the frames dump (src/dump.h) of one document to
 * standard output: the golden layout tests (`make golden`) compare it with
 * tests/golden/NAME.dump.  The inputs are read as the CLI reads them
 * (galley_read_inputs: several make a brief) and laid out as
 * galley_write_pdf lays them out (gl_galley_layout), with line tracing on.
 * Writes no file; depends on nothing of the machine but the fonts.
 *
 *   dump-layout [--paper NAME] [--cjk-punct gb|full|centered]
 *               [--linebreak optimal|first-fit] [--no-hyphenate] INPUT...
 */
#include "dump.h"
#include "galley_int.h"

#include <stdio.h>
#include <string.h>

static int usage(void)
{
    fputs("usage: dump-layout [--paper NAME] [--cjk-punct gb|full|centered]\n"
          "                   [--linebreak optimal|first-fit] [--no-hyphenate] INPUT...\n",
          stderr);
    return 2;
}

static void print_diags(galley_ctx *ctx)
{
    for (size_t i = 0; i < galley_diag_count(ctx); i++) {
        const galley_diag *d = galley_diag_get(ctx, i);
        fprintf(stderr, "%s:%u:%u: %s: %s\n", d->source, d->line, d->column,
                d->severity == GALLEY_ERROR ? "error" : "warning", d->message);
    }
    galley_diag_clear(ctx);
}

int main(int argc, char **argv)
{
    galley_ctx *ctx = galley_ctx_new();
    if (!ctx)
        return 1;
    galley_options opt;
    galley_options_init(&opt);
    int i = 1, code = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--no-hyphenate")) {
            opt.hyphenate = 0;
            continue;
        }
        if (!v) {
            galley_ctx_free(ctx);
            return usage();
        }
        i++;
        if (!strcmp(a, "--paper")) {
            if (galley_parse_paper(ctx, v, &opt.page_width_pt, &opt.page_height_pt) != GALLEY_OK) {
                fprintf(stderr, "dump-layout: %s\n", galley_errmsg(ctx));
                galley_ctx_free(ctx);
                return 2;
            }
        } else if (!strcmp(a, "--cjk-punct") && !strcmp(v, "gb")) {
            opt.cjk_punct = GALLEY_PUNCT_GB;
        } else if (!strcmp(a, "--cjk-punct") && !strcmp(v, "full")) {
            opt.cjk_punct = GALLEY_PUNCT_FULL;
        } else if (!strcmp(a, "--cjk-punct") && !strcmp(v, "centered")) {
            opt.cjk_punct = GALLEY_PUNCT_CENTERED;
        } else if (!strcmp(a, "--linebreak") && !strcmp(v, "optimal")) {
            opt.linebreak = GALLEY_LINEBREAK_OPTIMAL;
        } else if (!strcmp(a, "--linebreak") && !strcmp(v, "first-fit")) {
            opt.linebreak = GALLEY_LINEBREAK_FIRST_FIT;
        } else {
            galley_ctx_free(ctx);
            return usage();
        }
    }
    if (i >= argc) {
        galley_ctx_free(ctx);
        return usage();
    }
    galley_doc *doc = NULL;
    gl_fontset *fs = NULL;
    gl_frames *fr = NULL;
    gl_buf out;
    gl_buf_init(&out, ctx);
    if (galley_read_inputs(ctx, (const char *const *)argv + i, (size_t)(argc - i), &opt, &doc) !=
        GALLEY_OK)
        goto done;
    fr = gl_galley_layout(ctx, doc, &opt, true, &fs);
    if (!fr || gl_frames_dump(&out, fr, fs))
        goto done;
    if (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
        perror("dump-layout: <stdout>");
        goto done;
    }
    code = 0;
done:
    print_diags(ctx);
    if (code && *galley_errmsg(ctx))
        fprintf(stderr, "dump-layout: %s\n", galley_errmsg(ctx));
    gl_buf_free(&out);
    gl_frames_free(fr);
    gl_fontset_free(fs);
    galley_doc_free(doc);
    galley_ctx_free(ctx);
    return code;
}
