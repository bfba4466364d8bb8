/*
 * fuzz_reader_text.c — libFuzzer target for the article/plain-text reader
 * (src/reader_text.c): any bytes in, a document whose every text is valid
 * UTF-8 without control characters out, and never a crash.  Built by
 * `make fuzz` (clang) and replayed over corpus/reader_text by replay.c.
 */
#include "reader.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    galley_ctx *ctx = galley_ctx_new();
    if (!ctx)
        return 0;
    gl_doc *doc = gl_read_text(ctx, (const char *)data, size, "fuzz.txt");
    FUZZ_ASSERT(doc != NULL, "reader failed on input (only OOM may fail)");
    fuzz_check_doc(doc);
    for (const gl_block *b = doc->first; b; b = b->next)
        FUZZ_ASSERT(b->type == GL_B_PARA && b->len > 0, "text reader makes non-empty paragraphs");
    // Diagnostics are one line each and name the source.
    for (size_t i = 0; i < galley_diag_count(ctx); i++) {
        const galley_diag *d = galley_diag_get(ctx, i);
        FUZZ_ASSERT(!strchr(d->message, '\n'), "multi-line diagnostic");
        FUZZ_ASSERT(!strcmp(d->source, "fuzz.txt"), "diagnostic source");
    }
    gl_doc_free(doc);
    galley_ctx_free(ctx);
    return 0;
}
