/*
 * publish.c — an example program that embeds galley: it reads an article
 * from a file, publishes it as PDF and EPUB both to files and to memory,
 * checks that the two agree, and prints the diagnostics.  Built by
 * `make install-check` against the INSTALLED library through pkg-config:
 *
 *     cc publish.c $(pkg-config --cflags --libs galley) -o publish
 *     ./publish article.txt outdir
 *
 * Exit status 0 when both formats were published and agree.
 */
#include <galley.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int publish(galley_ctx *ctx, const galley_doc *doc, const galley_options *opt,
                   const char *outdir, int pdf)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/publish-example.%s", outdir, pdf ? "pdf" : "epub");
    galley_status st = pdf ? galley_write_pdf(ctx, doc, opt, path)
                           : galley_write_epub(ctx, doc, opt, path);
    if (st != GALLEY_OK) {
        fprintf(stderr, "publish: %s\n", galley_errmsg(ctx));
        return -1;
    }
    void *mem = NULL;
    size_t len = 0;
    st = pdf ? galley_write_pdf_mem(ctx, doc, opt, &mem, &len)
             : galley_write_epub_mem(ctx, doc, opt, &mem, &len);
    if (st != GALLEY_OK) {
        fprintf(stderr, "publish: %s\n", galley_errmsg(ctx));
        return -1;
    }
    // The file and the memory buffer hold the same bytes.
    FILE *f = fopen(path, "rb");
    int same = 0;
    if (f) {
        char *buf = malloc(len + 1);
        same = buf && fread(buf, 1, len + 1, f) == len && memcmp(buf, mem, len) == 0;
        free(buf);
        fclose(f);
    }
    printf("%s: %zu bytes%s\n", path, len, same ? ", same as in memory" : ", DIFFERS from memory");
    galley_free(mem);
    return same ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: publish ARTICLE OUTDIR\n");
        return 2;
    }
    printf("galley %s\n", galley_version_string());
    galley_ctx *ctx = galley_ctx_new();
    if (!ctx)
        return 4;
    printf("font directory: %s\n", galley_font_dir(ctx));
    galley_options opt;
    galley_options_init(&opt);
    opt.timestamp = 0;  // reproducible: the same bytes on every run
    galley_doc *doc = NULL;
    int rc = 1;
    if (galley_read_file(ctx, argv[1], &opt, &doc) != GALLEY_OK) {
        fprintf(stderr, "publish: %s\n", galley_errmsg(ctx));
        goto done;
    }
    printf("title: %s\nlanguage: %s\n", galley_doc_title(doc), galley_doc_lang(doc));
    if (publish(ctx, doc, &opt, argv[2], 1) != 0 || publish(ctx, doc, &opt, argv[2], 0) != 0)
        goto done;
    for (size_t i = 0; i < galley_diag_count(ctx); i++) {
        const galley_diag *d = galley_diag_get(ctx, i);
        printf("%s:%u:%u: warning: %s\n", d->source, d->line, d->column, d->message);
    }
    rc = 0;
done:
    galley_doc_free(doc);
    galley_ctx_free(ctx);
    return rc;
}
