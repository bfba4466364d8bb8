/*
 * dump-layout.c — prints the frames dump (src/dump.h) of one document to
 * standard output: the golden layout tests (`make golden`) compare it with
 * tests/golden/NAME.dump.  The inputs are read as the CLI reads them
 * (galley_read_inputs: several make a brief) and laid out as
 * galley_write_pdf lays them out (gl_galley_layout), with line tracing on.
 * Writes no file; depends on nothing of the machine but the fonts.
 *
 *   dump-layout [--OPTION VALUE]... INPUT...
 *
 * OPTION is a name of galley_options_set (paper, cjk-punct, linebreak,
 * hyphenate, ...), as on the command line: --paper a5.
 */
#include "dump.h"
#include "galley_int.h"

#include <stdio.h>
#include <string.h>

static int usage(void)
{
    fputs("usage: dump-layout [--OPTION VALUE]... INPUT...\n"
          "  OPTION: any of galley_options_set (paper, cjk-punct, linebreak, hyphenate, ...)\n",
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
    // options as the command line spells them, through the one table
    for (; i + 1 < argc && !strncmp(argv[i], "--", 2); i += 2) {
        if (galley_options_set(ctx, &opt, argv[i] + 2, argv[i + 1]) != GALLEY_OK) {
            fprintf(stderr, "dump-layout: %s\n", galley_errmsg(ctx));
            galley_ctx_free(ctx);
            return 2;
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
