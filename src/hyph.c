/*
 * hyph.c — hyphenation points (hyph.h) from libhyphen's Liang pattern
 * dictionaries; the only includer of <hyphen.h>.  Used by the item builder
 * to mark where the paragraph breaker may hyphenate.  No ICU, fonts or
 * layout here: letters and their lowercase come from a small table of the
 * scripts pattern dictionaries cover (Latin, Greek, Cyrillic).
 */
#include "hyph.h"

#include <hyphen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Results by word: a book repeats its words (War and Peace has 570,000
// words but 20,000 distinct ones), and libhyphen's pattern walk with its
// allocations was a tenth of the run time.  An open-addressing table of
// offsets into an arena of records [len lo, len hi, word bytes, k, k
// offsets] (offsets < GL_HYPH_MAXWORD fit a byte); bounded, after which
// words are simply hyphenated again.
#define CACHE_MAX_SLOTS (1u << 18)
#define CACHE_MAX_BYTES ((size_t)8 << 20)

struct gl_hyph {
    gl_ctx *ctx;
    HyphenDict *dict;
    char *path;
    uint32_t *slots;        /* arena offset + 1 per slot; 0: empty */
    size_t nslots, nused;   /* nslots: 0 or a power of two */
    unsigned char *arena;
    size_t alen, acap;
};

/* ------------------------------------------------------------ letters */

static bool is_mark(uint32_t c) { return c >= 0x300 && c <= 0x36F; }

/* Lowercase of c when c is a letter of the scripts covered, else 0.
 * Unicode's simple case mapping for these blocks (UnicodeData.txt). */
static uint32_t letter_lower(uint32_t c)
{
    if (c >= 'a' && c <= 'z')
        return c;
    if (c >= 'A' && c <= 'Z')
        return c + 32;
    if (c < 0xC0)
        return c == 0xAA || c == 0xB5 || c == 0xBA ? c : 0;  // ª µ º
    if (c <= 0xFF) {
        if (c == 0xD7 || c == 0xF7)  // × ÷
            return 0;
        return c <= 0xDE && c != 0xDF ? c + 32 : c;
    }
    if (c <= 0x17F) {  // Latin Extended-A: mostly upper/lower pairs
        if (c == 0x130)
            return 'i';  // İ
        if (c == 0x131 || c == 0x138 || c == 0x149 || c == 0x17F)
            return c;  // ı ĸ ŉ ſ have no pair
        if (c == 0x178)
            return 0xFF;  // Ÿ
        if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
            return c % 2 ? c + 1 : c;  // odd code points are the capitals here
        return c % 2 ? c : c + 1;
    }
    if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2)
        return c + 32;  // Greek capitals
    if (c >= 0x3AC && c <= 0x3CE)
        return c;       // Greek small letters
    if (c >= 0x400 && c <= 0x40F)
        return c + 80;  // Cyrillic Ѐ..Џ
    if (c >= 0x410 && c <= 0x42F)
        return c + 32;
    if (c >= 0x430 && c <= 0x45F)
        return c;
    return 0;
}

/* ------------------------------------------------------------ loading */

static const char *default_dirs[] = {"/usr/share/hyphen"};

/* Copies the next subtag of *s (up to the next '-' or '_') into out[9],
 * case-folded (lowercase when lower, else uppercase), and advances *s past
 * it.  Returns its length, or 0 when it is longer than 8 or holds anything
 * but ASCII letters and digits (so no path separator or dot gets through). */
static size_t subtag(const char **s, char *out, bool lower)
{
    size_t n = strcspn(*s, "-_");
    const char *t = *s;
    *s += n + ((*s)[n] != 0);
    out[0] = 0;
    if (n == 0 || n > 8)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = t[i];
        bool alpha = (c | 32) >= 'a' && (c | 32) <= 'z';
        if (!alpha && !(c >= '0' && c <= '9'))
            return 0;
        out[i] = alpha ? (lower ? (char)(c | 32) : (char)(c & ~32)) : c;
    }
    out[n] = 0;
    return n;
}

static HyphenDict *try_load(gl_hyph *h, const char *dir, const char *name)
{
    char path[4096];
    int k = snprintf(path, sizeof path, "%s/hyph_%s.dic", dir, name);
    if (k < 0 || (size_t)k >= sizeof path)
        return NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    HyphenDict *d = hnj_hyphen_load_file(f);
    fclose(f);
    if (d && !(h->path = gl_strdup(h->ctx, path))) {
        hnj_hyphen_free(d);
        return NULL;
    }
    return d;
}

gl_hyph *gl_hyph_new(gl_ctx *ctx, const char *lang)
{
    if (!lang || !*lang) {
        gl_warn(ctx, "galley", 0, 0, "no language given: text is not hyphenated");
        return NULL;
    }
    // BCP 47 "ll[-Script][-CC]" → candidate names ll_CC, ll (and en_US for
    // any English, the one English dictionary Debian ships).
    char ll[9], cc[9] = "", sub[9];
    const char *s = lang;
    size_t n = subtag(&s, ll, true);
    if (n < 2 || n > 3) {
        gl_warn(ctx, "galley", 0, 0, "language '%s' is not a language tag: not hyphenated",
                lang);
        return NULL;
    }
    while (*s && !cc[0]) {
        n = subtag(&s, sub, false);
        if (n == 2 || (n == 3 && sub[0] >= '0' && sub[0] <= '9'))
            memcpy(cc, sub, n + 1);  // a region; 4 letters would be a script
    }
    char names[3][20];
    int nnames = 0;
    if (cc[0])
        snprintf(names[nnames++], sizeof names[0], "%s_%s", ll, cc);
    snprintf(names[nnames++], sizeof names[0], "%s", ll);
    if (!strcmp(ll, "en") && strcmp(cc, "US"))
        snprintf(names[nnames++], sizeof names[0], "en_US");

    gl_hyph *h = gl_calloc(ctx, 1, sizeof *h);
    if (!h)
        return NULL;
    h->ctx = ctx;
    const char *env = getenv("GALLEY_HYPH_DIR");
    const char *dirs[2];
    int ndirs = 0;
    if (env && *env)
        dirs[ndirs++] = env;
    dirs[ndirs++] = default_dirs[0];
    for (int d = 0; d < ndirs && !h->dict; d++)
        for (int i = 0; i < nnames && !h->dict; i++) {
            h->dict = try_load(h, dirs[d], names[i]);
            if (ctx->oom) {
                gl_hyph_free(h);
                return NULL;
            }
        }
    if (!h->dict) {
        gl_warn(ctx, "galley", 0, 0,
                "no hyphenation dictionary for '%s' (hyph_%s.dic in %s%s%s): not hyphenated",
                lang, names[0], env && *env ? env : "", env && *env ? " or " : "",
                default_dirs[0]);
        gl_hyph_free(h);
        return NULL;
    }
    return h;
}

void gl_hyph_free(gl_hyph *h)
{
    if (!h)
        return;
    if (h->dict)
        hnj_hyphen_free(h->dict);
    gl_free(h->path);
    gl_free(h->slots);
    gl_free(h->arena);
    gl_free(h);
}

const char *gl_hyph_path(const gl_hyph *h) { return h ? h->path : NULL; }

/* ------------------------------------------------------------ words */

/* ------------------------------------------------------------ cache */

static uint32_t word_hash(const char *w, size_t len)
{
    uint64_t h = gl_fnv1a64(GL_FNV64_OFFSET, w, len);
    return (uint32_t)(h ^ h >> 32);
}

/* The slot of word: its record, or the empty slot where it would go. */
static uint32_t *cache_slot(const gl_hyph *h, const char *w, size_t len, uint32_t hash)
{
    size_t mask = h->nslots - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        uint32_t *s = &h->slots[i];
        if (*s == 0)
            return s;
        const unsigned char *r = h->arena + (*s - 1);
        if ((size_t)(r[0] | r[1] << 8) == len && memcmp(r + 2, w, len) == 0)
            return s;
    }
}

/* Records word's k points; a full cache or failed allocation (ctx->oom set,
 * as for any allocation) just leaves the word out. */
static void cache_put(gl_hyph *h, const char *w, size_t len, const size_t *offs, size_t k)
{
    size_t need = 3 + len + k;
    if (h->nused + 1 > h->nslots / 2) {
        if (h->nslots >= CACHE_MAX_SLOTS)
            return;
        size_t n = h->nslots ? 2 * h->nslots : 1024;
        uint32_t *old = h->slots;
        size_t oldn = h->nslots;
        h->slots = gl_calloc(h->ctx, n, sizeof *h->slots);
        if (!h->slots) {
            h->slots = old;
            return;
        }
        h->nslots = n;
        for (size_t i = 0; i < oldn; i++) {
            if (!old[i])
                continue;
            const unsigned char *r = h->arena + (old[i] - 1);
            size_t rl = (size_t)(r[0] | r[1] << 8);
            *cache_slot(h, (const char *)r + 2, rl, word_hash((const char *)r + 2, rl)) = old[i];
        }
        gl_free(old);
    }
    if (h->alen + need > CACHE_MAX_BYTES || GL_GROW(h->ctx, h->arena, h->acap, h->alen + need))
        return;
    unsigned char *r = h->arena + h->alen;
    r[0] = (unsigned char)len;
    r[1] = (unsigned char)(len >> 8);
    memcpy(r + 2, w, len);
    r[2 + len] = (unsigned char)k;
    for (size_t i = 0; i < k; i++)
        r[3 + len + i] = (unsigned char)offs[i];
    *cache_slot(h, w, len, word_hash(w, len)) = (uint32_t)h->alen + 1;
    h->alen += need;
    h->nused++;
}

static int hyph_word_uncached(gl_hyph *h, const char *word, size_t len, size_t *offs, size_t max);

int gl_hyph_word(gl_hyph *h, const char *word, size_t len, size_t *offs, size_t max)
{
    if (!h || !word || len == 0 || len > GL_HYPH_MAXWORD || max == 0)
        return 0;
    uint32_t hash = word_hash(word, len);
    if (h->nslots) {
        uint32_t s = *cache_slot(h, word, len, hash);
        if (s) {
            const unsigned char *r = h->arena + (s - 1) + 2 + len;
            size_t k = r[0] < max ? r[0] : max;
            for (size_t i = 0; i < k; i++)
                offs[i] = r[1 + i];
            return (int)k;
        }
    }
    // All points (fewer than len), then the first max of them: the same
    // prefix the uncached search would stop at.
    size_t all[GL_HYPH_MAXWORD];
    int k = hyph_word_uncached(h, word, len, all, GL_HYPH_MAXWORD);
    if (h->ctx->oom)
        return 0;
    cache_put(h, word, len, all, (size_t)k);
    size_t m = (size_t)k < max ? (size_t)k : max;
    memcpy(offs, all, m * sizeof *offs);
    return (int)m;
}

static int hyph_word_uncached(gl_hyph *h, const char *word, size_t len, size_t *offs, size_t max)
{
    // The lowercased word for libhyphen and, for each of its characters,
    // the offset in word just after it, the letters up to there, and
    // whether it is a combining mark.
    enum { CAP = GL_HYPH_MAXWORD + 8 };  // lowercasing never lengthens a word
    char low[CAP], hy[CAP + 5];
    size_t after[CAP];
    unsigned letters_to[CAP];
    bool mark[CAP];
    size_t nl = 0, nc = 0, i = 0;
    unsigned letters = 0;
    while (i < len) {
        uint32_t c = gl_utf8_next(word, len, &i);
        bool m = is_mark(c);
        uint32_t lc = m ? c : letter_lower(c);
        if (lc == 0 || (m && letters == 0))
            return 0;  // digits, punctuation, spaces, symbols, other scripts
        letters += !m;
        nl += (size_t)gl_utf8_encode(lc, low + nl);
        after[nc] = i;
        letters_to[nc] = letters;
        mark[nc] = m;
        nc++;
    }
    low[nl] = 0;
    if (letters < GL_HYPH_LEFTMIN + GL_HYPH_RIGHTMIN)
        return 0;

    char **rep = NULL;
    int *pos = NULL, *cut = NULL;
    memset(hy, 0, sizeof hy);
    // With a UTF-8 dictionary, hyphenate2 returns hy indexed by character
    // (hnj_hyphen_norm), not by byte: odd hy[k] allows a hyphen after
    // character k.  It applies the dictionary's own hyphen minimums too.
    bool ok = hnj_hyphen_hyphenate2(h->dict, low, (int)nl, hy, NULL, &rep, &pos, &cut) == 0;
    size_t k = 0;
    for (size_t j = 0; ok && j + 1 < nc && k < max; j++) {
        if (!(hy[j] & 1))
            continue;
        // Never before a combining mark, never a non-standard (spelling-
        // changing) break, and with enough letters on both sides.
        if (mark[j + 1] || (rep && rep[j]))
            continue;
        if (letters_to[j] < GL_HYPH_LEFTMIN || letters - letters_to[j] < GL_HYPH_RIGHTMIN)
            continue;
        offs[k++] = after[j];
    }
    if (rep) {
        // hnj_hyphen_norm moves entries down without clearing them: free
        // each distinct pointer once.
        for (size_t j = 0; j < nl; j++) {
            bool seen = false;
            for (size_t q = 0; q < j && !seen; q++)
                seen = rep[q] == rep[j];
            if (!seen)
                free(rep[j]);
        }
        free(rep);
    }
    free(pos);
    free(cut);
    return (int)k;
}
