/*
 * fuzz_pipeline.c — libFuzzer target for the whole pipeline: read (text or
 * Markdown, by byte 0), lay out and write both a PDF and an EPUB, with page
 * size, type size, language, CJK punctuation and fallback to installed
 * fonts (fontconfig; bit 7 of byte 1) picked by bytes 0-1.  Any
 * failure must be a status with a message, never a crash; success must give
 * a file that starts like a PDF / a ZIP.  The outputs are real files, not
 * galley_write_pdf_mem/_epub_mem, so that the atomic file output (temporary
 * file, rename) runs too: per-process names in /dev/shm when it is
 * writable (memory), else in $TMPDIR or /tmp.
 */
#define _POSIX_C_SOURCE 200809L
#include "fuzz.h"
#include "galley.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char g_pdf[256], g_epub[256];

static void setup_paths(void)
{
    const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    snprintf(g_pdf, sizeof g_pdf, "%s/galley-fuzz-%ld.pdf", dir, (long)getpid());
    snprintf(g_epub, sizeof g_epub, "%s/galley-fuzz-%ld.epub", dir, (long)getpid());
}

static void check_magic(const char *path, const char *magic)
{
    FILE *f = fopen(path, "rb");
    FUZZ_ASSERT(f, "output reported written but absent");
    char got[8] = {0};
    size_t n = fread(got, 1, strlen(magic), f);
    fclose(f);
    FUZZ_ASSERT(n == strlen(magic) && !memcmp(got, magic, n), "output has the wrong magic");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *langs[] = {NULL, "en", "zh-Hans", "ja"};
    static const char *papers[] = {"a4", "a6", "letter", "105x148mm"};
    if (size < 2)
        return 0;
    if (!g_pdf[0])
        setup_paths();
    unsigned a = data[0], b = data[1];
    data += 2;
    size -= 2;
    galley_ctx *ctx = galley_ctx_new();
    if (!ctx)
        return 0;
    galley_options opt;
    galley_options_init(&opt);
    opt.timestamp = 1700000000;
    opt.lang = langs[a & 3];
    galley_parse_paper(ctx, papers[(a >> 2) & 3], &opt.page_width_pt, &opt.page_height_pt);
    opt.font_size_pt = 6 + (b & 15);
    opt.cjk_punct = (galley_cjk_punct)((b >> 4) % 3);
    if (b & 0x40)
        opt.title = "Fuzz <&> \"title\"";
    opt.font_fallback = (b & 0x80) != 0;
    galley_doc *doc = NULL;
    const char *name = (a & 0x10) ? "fuzz.md" : "fuzz.txt";
    galley_status st = galley_read_text(ctx, (const char *)data, size, name, &opt, &doc);
    FUZZ_ASSERT(st == GALLEY_OK || st == GALLEY_ERR_NOMEM, "reading failed");
    if (st == GALLEY_OK) {
        st = galley_write_pdf(ctx, doc, &opt, g_pdf);
        FUZZ_ASSERT(st == GALLEY_OK || galley_errmsg(ctx)[0], "PDF failed without a message");
        if (st == GALLEY_OK)
            check_magic(g_pdf, "%PDF-");
        st = galley_write_epub(ctx, doc, &opt, g_epub);
        FUZZ_ASSERT(st == GALLEY_OK || galley_errmsg(ctx)[0], "EPUB failed without a message");
        if (st == GALLEY_OK)
            check_magic(g_epub, "PK\x03\x04");
    }
    unlink(g_pdf);
    unlink(g_epub);
    galley_doc_free(doc);
    galley_ctx_free(ctx);
    return 0;
}
