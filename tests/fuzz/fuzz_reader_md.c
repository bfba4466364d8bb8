/*
 * fuzz_reader_md.c — libFuzzer target for the Markdown reader
 * (src/reader_md.c), through the public reader entry point with a ".md"
 * source name (galley_read_text picks the reader by extension).  Checks
 * every block at any depth, iteratively, and the spans' bounds.
 */
#include "reader.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    galley_ctx *ctx = galley_ctx_new();
    if (!ctx)
        return 0;
    galley_doc *doc = NULL;
    galley_status st = galley_read_text(ctx, (const char *)data, size, "fuzz.md", NULL, &doc);
    FUZZ_ASSERT(st == GALLEY_OK && doc, "reading Markdown failed (only OOM may fail)");
    fuzz_check_doc(doc);
    galley_doc_free(doc);
    galley_ctx_free(ctx);
    return 0;
}
