/*
 * linebreak.h — what ICU tells about a paragraph's text: line-break
 * opportunities (UAX #14) and the bidirectional embedding levels and
 * visual order of a line (UAX #9).  The only includer of ICU.
 */
#ifndef GL_LINEBREAK_H
#define GL_LINEBREAK_H

#include "base.h"

/* Break classes before a character.  GL_BRK_EMERGENCY is never produced
 * here: layout uses it for opportunities taken only when nothing else fits
 * (inside URLs). */
enum { GL_BRK_NONE = 0, GL_BRK_ALLOW = 1, GL_BRK_MUST = 2, GL_BRK_EMERGENCY = 3 };

/* Fills brk[0..len] (len + 1 bytes, caller-allocated): brk[i] tells whether
 * a line may (GL_BRK_ALLOW) or must (GL_BRK_MUST) break before byte i.
 * brk[0] is GL_BRK_NONE and brk[len] is GL_BRK_MUST.  text must be valid
 * UTF-8.  lang selects ICU's locale (NULL: root).  Returns 0, or -1 with a
 * GALLEY_ERR_BACKEND message naming the ICU error. */
int gl_linebreak(gl_ctx *ctx, const char *text, size_t len, const char *lang, unsigned char *brk);

/* True when cp is a strong right-to-left character (Hebrew, Arabic,
 * Syriac, Thaana, N'Ko and their presentation forms...): a paragraph
 * without one needs no bidi levels. */
bool gl_is_rtl(uint32_t cp);

/* The embedding levels (UAX #9, paragraph direction left to right) of the
 * n characters of text[0..len), UTF-8: levels[i] for the i-th character,
 * odd for right to left.  Returns 0, or -1 with the error on ctx. */
int gl_bidi_levels(gl_ctx *ctx, const char *text, size_t len, uint8_t *levels, size_t n);

/* The visual order of n characters of a line with these levels (UAX #9
 * rule L2): map[v] is the character shown v-th from the left. */
void gl_bidi_visual(const uint8_t *levels, size_t n, int32_t *map);

#endif
