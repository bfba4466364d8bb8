/*
 * shape.c — the shaping cache (shape.h): an open-addressing table of
 * words already shaped, their glyphs kept in an arena until the layout
 * ends.  HarfBuzz itself is behind font.c; this file knows only face ids,
 * text and glyphs.
 */
#include "shape.h"

#include <math.h>
#include <string.h>

typedef struct {
    const char *text;   /* after the glyphs, in the same allocation */
    uint16_t n;
    bool trivial;
    gl_shaped g[];
} entry;

/* A slot: the key's hash, length and face beside the entry, so that a
 * probe reads the entry only when they all match. */
typedef struct {
    uint64_t hash;
    uint16_t len;
    int16_t face;
    entry *e;
} slot;

struct gl_shape_cache {
    gl_ctx *ctx;
    gl_fontset *fs;
    const char *lang;
    gl_arena arena;
    slot *slots;
    size_t nslots, used;   /* nslots a power of two, at most half used */
    gl_shaped *scratch;
    size_t capscratch;
};

gl_shape_cache *gl_shape_cache_new(gl_ctx *ctx, gl_fontset *fs, const char *lang)
{
    gl_shape_cache *c = gl_calloc(ctx, 1, sizeof *c);
    if (!c)
        return NULL;
    c->ctx = ctx;
    c->fs = fs;
    c->lang = lang;
    gl_arena_init(&c->arena, ctx);
    c->nslots = 4096;
    c->slots = gl_calloc(ctx, c->nslots, sizeof *c->slots);
    if (!c->slots) {
        gl_shape_cache_free(c);
        return NULL;
    }
    return c;
}

void gl_shape_cache_free(gl_shape_cache *c)
{
    if (!c)
        return;
    gl_arena_free(&c->arena);
    gl_free(c->slots);
    gl_free(c->scratch);
    gl_free(c);
}

static int grow(gl_shape_cache *c)
{
    size_t n = c->nslots * 2;
    slot *s = gl_calloc(c->ctx, n, sizeof *s);
    if (!s)
        return -1;
    for (size_t i = 0; i < c->nslots; i++) {
        if (!c->slots[i].e)
            continue;
        size_t k = (size_t)c->slots[i].hash & (n - 1);
        while (s[k].e)
            k = (k + 1) & (n - 1);
        s[k] = c->slots[i];
    }
    gl_free(c->slots);
    c->slots = s;
    c->nslots = n;
    return 0;
}

// Shaping changed nothing: each character its nominal glyph and advance.
static bool is_trivial(gl_shape_cache *c, int face, const char *text, size_t len,
                       const gl_shaped *g, size_t n)
{
    size_t i = 0, k = 0;
    for (; i < len && k < n; k++) {
        size_t at = i;
        uint32_t cp = gl_utf8_next(text, len, &i);
        if (g[k].cluster != at || g[k].dx != 0 || g[k].dy != 0 ||
            g[k].gid != gl_face_glyph(c->fs, face, cp) ||
            fabsf(g[k].adv - (float)gl_face_advance(c->fs, face, cp)) > 1e-6f)
            return false;
    }
    return i == len && k == n;
}

const gl_shaped *gl_shape_word(gl_shape_cache *c, int face, const char *text, size_t len,
                               size_t *n, bool *trivial)
{
    *n = 0;
    *trivial = true;
    if (len > 0xFFFF)
        return NULL;
    uint64_t h = gl_fnv1a64(gl_fnv1a64_step(GL_FNV64_OFFSET, (uint64_t)face), text, len);
    size_t k = (size_t)h & (c->nslots - 1);
    for (slot *sl; (sl = &c->slots[k])->e; k = (k + 1) & (c->nslots - 1))
        if (sl->hash == h && sl->len == len && sl->face == face &&
            !memcmp(sl->e->text, text, len)) {
            *n = sl->e->n;
            *trivial = sl->e->trivial;
            return sl->e->g;
        }
    // a miss: shape, then keep the result
    int got = gl_face_shape(c->fs, face, text, len, c->lang, c->scratch, c->capscratch);
    if (got > (int)c->capscratch) {
        if (GL_GROW(c->ctx, c->scratch, c->capscratch, (size_t)got))
            return NULL;
        got = gl_face_shape(c->fs, face, text, len, c->lang, c->scratch, c->capscratch);
    }
    if (got < 0 || got > 0xFFFF)
        return NULL;
    size_t gbytes = (size_t)got * sizeof(gl_shaped);
    entry *e = gl_arena_alloc(&c->arena, sizeof *e + gbytes + len + 1);
    if (!e)
        return NULL;
    char *t = (char *)e->g + gbytes;
    memcpy(t, text, len);
    e->text = t;
    e->n = (uint16_t)got;
    memcpy(e->g, c->scratch, gbytes);
    e->trivial = is_trivial(c, face, text, len, e->g, e->n);
    gl_face_pairs_learn(c->fs, face, text, len, e->g, e->n);
    c->slots[k] = (slot){h, (uint16_t)len, (int16_t)face, e};
    if (++c->used * 2 > c->nslots && grow(c))
        return NULL;
    *n = e->n;
    *trivial = e->trivial;
    return e->g;
}
