/*
 * linebreak.c — line-break opportunities from ICU (UAX #14, Unicode 15 in
 * Debian 12's ICU 72), run over the whole paragraph so that the rules see
 * context on both sides, and the bidirectional algorithm (UAX #9, ICU's
 * ubidi) for right-to-left runs.  Line breaking works on UTF-8 directly
 * through UText, so the offsets ICU returns are byte offsets.  No fonts,
 * no layout here.
 */
#include "linebreak.h"

#include <pthread.h>
#include <string.h>
#include <unicode/ubidi.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/utext.h>

// Opening a line-break iterator converts ICU's rule source text each time
// (about 50,000 instructions, more than breaking an average paragraph), so
// one iterator is opened per process and each call breaks with a clone of
// it, which shares the compiled rules.  The prototype is never closed
// (like ICU's own caches, it lives until exit); it is only ever read.
static pthread_once_t proto_once = PTHREAD_ONCE_INIT;
static UBreakIterator *proto;
static UErrorCode proto_status = U_ZERO_ERROR;

static void open_proto(void)
{
    // The root locale: ICU's default rules pass LineBreakTest.txt (but for
    // ICU-21097); CJK tailorings (zh@lb=loose) would diverge from UAX #14.
    // Chinese prohibition rules are applied on top by the layout engine.
    proto = ubrk_open(UBRK_LINE, "", NULL, 0, &proto_status);
}

int gl_linebreak(gl_ctx *ctx, const char *text, size_t len, const char *lang, unsigned char *brk)
{
    memset(brk, GL_BRK_NONE, len + 1);
    brk[len] = GL_BRK_MUST;
    if (len == 0)
        return 0;
    if (len > INT32_MAX)
        return gl_error(ctx, GALLEY_ERR_ARG, "paragraph too long for the line breaker");
    UErrorCode st = U_ZERO_ERROR;
    UText *ut = utext_openUTF8(NULL, text, (int64_t)len, &st);
    (void)lang;   // the root locale, see open_proto
    pthread_once(&proto_once, open_proto);
    if (U_FAILURE(proto_status) && U_SUCCESS(st))
        st = proto_status;
    UBreakIterator *bi = U_SUCCESS(st) ? ubrk_clone(proto, &st) : NULL;
    if (U_SUCCESS(st))
        ubrk_setUText(bi, ut, &st);
    if (U_FAILURE(st)) {
        if (bi)
            ubrk_close(bi);
        utext_close(ut);
        return gl_error(ctx, GALLEY_ERR_BACKEND, "ICU line breaker: %s", u_errorName(st));
    }
    for (int32_t p = ubrk_first(bi); p != UBRK_DONE; p = ubrk_next(bi)) {
        if (p <= 0 || (size_t)p > len)
            continue;
        int32_t status = ubrk_getRuleStatus(bi);
        brk[p] = (status >= UBRK_LINE_HARD && status < UBRK_LINE_HARD_LIMIT) ? GL_BRK_MUST
                                                                            : GL_BRK_ALLOW;
    }
    brk[len] = GL_BRK_MUST;
    ubrk_close(bi);
    utext_close(ut);
    return 0;
}

bool gl_is_rtl(uint32_t cp)
{
    if (cp < 0x590)
        return false;
    UCharDirection d = u_charDirection((UChar32)cp);
    return d == U_RIGHT_TO_LEFT || d == U_RIGHT_TO_LEFT_ARABIC;
}

int gl_bidi_levels(gl_ctx *ctx, const char *text, size_t len, uint8_t *levels, size_t n)
{
    if (n > INT32_MAX / 2)
        return gl_error(ctx, GALLEY_ERR_ARG, "paragraph too long for the bidi algorithm");
    // ubidi works on UTF-16: each character's first code unit is remembered
    UChar *u16 = gl_malloc(ctx, (2 * n + 1) * sizeof *u16);
    int32_t *at = gl_malloc(ctx, (n + 1) * sizeof *at);
    UBiDi *bidi = NULL;
    int rc = -1;
    if (!u16 || !at)
        goto cleanup;
    int32_t k = 0;
    size_t c = 0;
    for (size_t i = 0; i < len && c < n; c++) {
        uint32_t cp = gl_utf8_next(text, len, &i);
        at[c] = k;
        if (cp >= 0x10000) {
            u16[k++] = (UChar)(0xD800 + ((cp - 0x10000) >> 10));
            u16[k++] = (UChar)(0xDC00 + ((cp - 0x10000) & 0x3FF));
        } else {
            u16[k++] = (UChar)cp;
        }
    }
    UErrorCode st = U_ZERO_ERROR;
    bidi = ubidi_openSized(k, 0, &st);
    if (U_SUCCESS(st))
        ubidi_setPara(bidi, u16, k, UBIDI_LTR, NULL, &st);
    const UBiDiLevel *lv = U_SUCCESS(st) ? ubidi_getLevels(bidi, &st) : NULL;
    if (U_FAILURE(st) || !lv) {
        gl_error(ctx, GALLEY_ERR_BACKEND, "ICU bidi: %s", u_errorName(st));
        goto cleanup;
    }
    for (size_t j = 0; j < c; j++)
        levels[j] = lv[at[j]];
    for (size_t j = c; j < n; j++)
        levels[j] = 0;
    rc = 0;
cleanup:
    if (bidi)
        ubidi_close(bidi);
    gl_free(u16);
    gl_free(at);
    return rc;
}

void gl_bidi_visual(const uint8_t *levels, size_t n, int32_t *map)
{
    ubidi_reorderVisual(levels, (int32_t)n, map);
}
