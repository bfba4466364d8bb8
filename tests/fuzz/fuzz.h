/*
 * fuzz.h — helpers shared by galley's libFuzzer targets: an assertion that
 * aborts (so libFuzzer and replay.c report it) and a check that text handed
 * to later stages is valid UTF-8 without C0/C1 controls.
 */
#ifndef GL_FUZZ_H
#define GL_FUZZ_H

#include "doc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond, msg)                                                   \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__,      \
                    __LINE__, msg);                                              \
            abort();                                                             \
        }                                                                        \
    } while (0)

/* Text from a reader must be well-formed UTF-8 (a literal U+FFFD is fine)
 * with no control characters other than what the reader documents. */
static inline void fuzz_check_text(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t at = i;
        uint32_t cp = gl_utf8_next(s, n, &i);
        FUZZ_ASSERT(i > at && i <= n, "decoder did not advance");
        if (cp == 0xFFFD)
            FUZZ_ASSERT(i - at == 3, "ill-formed UTF-8 in reader output");
        FUZZ_ASSERT(!(cp < 0x20 && cp != '\n' && cp != '\t') && !(cp >= 0x7F && cp <= 0x9F),
                    "control character in reader output");
    }
}

/* Walks every block of doc (iteratively: Markdown may nest 10,000 deep)
 * and checks its text and source positions. */
static inline void fuzz_check_doc(const gl_doc *doc)
{
    FUZZ_ASSERT(doc->meta.title && doc->meta.lang, "title and lang must be set");
    fuzz_check_text(doc->meta.title, strlen(doc->meta.title));
    size_t n = 0, cap = 64;
    const gl_block **stack = malloc(cap * sizeof *stack);
    FUZZ_ASSERT(stack, "out of memory in the checker");
    if (doc->first)
        stack[n++] = doc->first;
    while (n) {
        const gl_block *b = stack[--n];
        if (b->next)
            stack[n++] = b->next;
        if (b->text) {
            FUZZ_ASSERT(strlen(b->text) == b->len, "NUL inside a block's text");
            fuzz_check_text(b->text, b->len);
            for (size_t k = 0; k < b->nline_offs; k++)
                FUZZ_ASSERT(b->line_offs[k] <= b->len, "line offset past the text");
            for (size_t k = 0; k < b->nspans; k++)
                FUZZ_ASSERT(b->spans[k].off <= b->len &&
                                b->spans[k].len <= b->len - b->spans[k].off,
                            "span outside the text");
        }
        if (b->children)
            stack[n++] = b->children;
        if (n + 2 > cap) {
            cap *= 2;
            const gl_block **ns = realloc(stack, cap * sizeof *stack);
            FUZZ_ASSERT(ns, "out of memory in the checker");
            stack = ns;
        }
    }
    free(stack);
}

#endif
