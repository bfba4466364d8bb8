/*
 * linebreak.h — Unicode line-break opportunities (UAX #14) from ICU's
 * line-break iterator, over a whole paragraph's UTF-8 text.  The only
 * includer of ICU.
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

#endif
