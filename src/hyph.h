/*
 * hyph.h — hyphenation points for words, from libhyphen's pattern
 * dictionaries (Debian's hyphen-en-us: /usr/share/hyphen/hyph_en_US.dic).
 * The only includer of libhyphen.  Knows nothing of fonts or layout.
 */
#ifndef GL_HYPH_H
#define GL_HYPH_H

#include "base.h"

/* A loaded dictionary for one language.  Owned by the caller. */
typedef struct gl_hyph gl_hyph;

/* Fewest letters before and after a hyphen (TeX's \lefthyphenmin and
 * \righthyphenmin for English: "at least 2 letters before and 3 after"). */
#define GL_HYPH_LEFTMIN 2
#define GL_HYPH_RIGHTMIN 3
/* Longer words (in bytes) are left alone: no real word is that long. */
#define GL_HYPH_MAXWORD 256

/* Loads the dictionary for lang (BCP 47: "en", "en-US", "en_GB"...).
 * Looks in $GALLEY_HYPH_DIR, then /usr/share/hyphen, for
 * hyph_<ll>_<CC>.dic, then hyph_<ll>.dic, then (English only)
 * hyph_en_US.dic.  Returns the dictionary, or NULL:
 *  - with a warning on ctx (not an error) when lang is NULL/empty or no
 *    dictionary exists for it — the text is then simply not hyphenated;
 *  - with GALLEY_ERR_NOMEM on ctx when memory ran out (ctx->oom is set).
 * Free with gl_hyph_free(). */
gl_hyph *gl_hyph_new(gl_ctx *ctx, const char *lang);

/* Frees h.  NULL is a no-op. */
void gl_hyph_free(gl_hyph *h);

/* The path of the dictionary file h was loaded from.  Borrowed. */
const char *gl_hyph_path(const gl_hyph *h);

/* Hyphenation points of one word: fills offs[0..k) (k <= max, ascending)
 * with byte offsets into word where a hyphen may be inserted (before the
 * byte at that offset; each on a UTF-8 character boundary) and returns k
 * (an int >= 0).
 * word is UTF-8 of len bytes, a single word without spaces.  Case does not
 * matter ("Hyphenation" as "hyphenation").  No points for: h == NULL,
 * words with a character that is not a letter (digits, punctuation, '-',
 * apostrophes: the caller hyphenates the pieces if it wants), words of
 * more than GL_HYPH_MAXWORD bytes, and points leaving fewer than GL_HYPH_LEFTMIN letters
 * before or GL_HYPH_RIGHTMIN after.  Never fails (memory exhaustion gives 0
 * points and sets ctx->oom). */
int gl_hyph_word(gl_hyph *h, const char *word, size_t len, size_t *offs, size_t max);

#endif
