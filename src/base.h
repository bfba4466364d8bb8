/*
 * base.h — the context, errors, diagnostics, arenas, byte buffers and UTF-8
 * helpers that every stage of galley uses.  Depends on libc only.
 *
 * Conventions: internal fallible functions return int, 0 = OK,
 * after recording the failure on the context with gl_error() where it was
 * detected.  An allocation failure is sticky (ctx->oom) and becomes
 * GALLEY_ERR_NOMEM at the API boundary.
 */
#ifndef GL_BASE_H
#define GL_BASE_H

#include "galley.h"
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define GL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define GL_PRINTF(f, a)
#endif

#define GL_CHECK(expr)      \
    do {                    \
        if ((expr) != 0)    \
            goto cleanup;   \
    } while (0)

typedef struct galley_ctx gl_ctx;

typedef struct gl_diag_rec {
    galley_diag pub;      /* strings point into the records below */
    char *source;
    char *message;
} gl_diag_rec;

struct galley_ctx {
    galley_status status;  /* of the last failure */
    char errmsg[1024];
    bool oom;
    gl_diag_rec *diags;
    size_t ndiags, capdiags;
    char *font_dir;        /* owned; NULL: GALLEY_FONT_DIR default */
    /* The pagination of the last PDF published with this context (galley.c):
     * an EPUB of the same document written next gets a page-list. */
    struct gl_pagemap *pagemap;
    /* When set, gl_out_open() collects the output in this buffer instead of
     * writing a file (galley_write_pdf_mem/_epub_mem).  Borrowed. */
    struct gl_buf *out_mem;
    /* Test hook (gl_fail_alloc_after, galley_int.h): an allocation fails
     * once alloc_count reaches fail_alloc_at (0 = never). */
    unsigned long fail_alloc_at, alloc_count;
};

/* ------------------------------------------------------------ allocation */
/* All of galley's heap memory goes through these.  They return NULL after
 * marking ctx->oom and setting the error. */
void *gl_malloc(gl_ctx *ctx, size_t n);
void *gl_calloc(gl_ctx *ctx, size_t count, size_t n);
void *gl_realloc(gl_ctx *ctx, void *p, size_t n);
void gl_free(void *p);
char *gl_strdup(gl_ctx *ctx, const char *s);
char *gl_strndup(gl_ctx *ctx, const char *s, size_t n);
/* Grows *p (an array of elem-sized items with capacity *cap) to hold at
 * least need items.  Returns 0 or -1 (OOM recorded). */
int gl_grow(gl_ctx *ctx, void **p, size_t *cap, size_t need, size_t elem);
#define GL_GROW(ctx, arr, cap, need)                                                     \
    ((size_t)(need) <= (cap) ? 0 : gl_grow((ctx), (void **)&(arr), &(cap), (need), sizeof *(arr)))

/* ------------------------------------------------------------ errors */
/* Records a failure (first one wins until gl_clear_error()).  Returns -1 so
 * that `return gl_error(...)` reads naturally. */
int gl_error(gl_ctx *ctx, galley_status st, const char *fmt, ...) GL_PRINTF(3, 4);
int gl_oom(gl_ctx *ctx);
void gl_clear_error(gl_ctx *ctx);
/* Turns the context state into the status an API function returns. */
galley_status gl_api_exit(gl_ctx *ctx, int rc);

/* The entry of every public function that returns a galley_status
 * (galley.h, "Arguments"): returns GALLEY_ERR_ARG from that function when
 * ctx is NULL (no message: there is nowhere to put it) or when one of the
 * checks after ctx fails ("<function>: NULL <argument>" on ctx); otherwise
 * clears ctx's last error and goes on.  The checks are GL_NONNULL(p), or
 * GL_NONNULL_IF(p, cond) for a pointer needed only when cond holds:
 *     GL_API_ENTER(ctx, GL_NONNULL(doc), GL_NONNULL_IF(utf8, len > 0)); */
#define GL_API_ENTER(...)                                                    \
    do {                                                                     \
        if (gl_api_enter(__func__, __VA_ARGS__, (const char *)NULL) != 0)    \
            return GALLEY_ERR_ARG;                                           \
    } while (0)
#define GL_NONNULL(p) (const char *)#p, (int)((p) != NULL)
#define GL_NONNULL_IF(p, cond) (const char *)#p, (int)(!(cond) || (p) != NULL)
/* What GL_API_ENTER expands to: (name, ok) pairs after ctx, ended by a NULL
 * name.  Returns 0, or -1 when ctx is NULL or a pair is not ok. */
int gl_api_enter(const char *func, gl_ctx *ctx, ...);

/* Adds a warning at source:line:col (line/col 0 = unknown). */
void gl_warn(gl_ctx *ctx, const char *source, unsigned line, unsigned col,
             const char *fmt, ...) GL_PRINTF(5, 6);

/* ------------------------------------------------------------ arena */
/* A zeroing bump allocator: many small objects, freed all at once. */
typedef struct gl_arena_chunk gl_arena_chunk;
typedef struct {
    gl_ctx *ctx;
    gl_arena_chunk *head;
} gl_arena;

void gl_arena_init(gl_arena *a, gl_ctx *ctx);
void *gl_arena_alloc(gl_arena *a, size_t n);           /* zeroed, 16-aligned */
char *gl_arena_strndup(gl_arena *a, const char *s, size_t n);
char *gl_arena_strdup(gl_arena *a, const char *s);
void gl_arena_free(gl_arena *a);

/* ------------------------------------------------------------ byte buffer */
typedef struct gl_buf {
    char *data;   /* NUL-terminated when non-NULL */
    size_t len, cap;
    gl_ctx *ctx;
} gl_buf;

void gl_buf_init(gl_buf *b, gl_ctx *ctx);
int gl_buf_put(gl_buf *b, const void *p, size_t n);
int gl_buf_puts(gl_buf *b, const char *s);
int gl_buf_putc(gl_buf *b, char c);
int gl_buf_printf(gl_buf *b, const char *fmt, ...) GL_PRINTF(2, 3);
int gl_buf_put_cp(gl_buf *b, uint32_t cp);      /* UTF-8 encode */
void gl_buf_free(gl_buf *b);

/* ------------------------------------------------------------ UTF-8 */
/* Decodes one code point at s[*i] (n bytes in s) and advances *i.  Invalid
 * or truncated sequences, surrogates and overlongs give U+FFFD and advance
 * by one byte (by the maximal subpart, as Unicode §3.9 recommends). */
uint32_t gl_utf8_next_multi(const char *s, size_t n, size_t *i);
static inline uint32_t gl_utf8_next(const char *s, size_t n, size_t *i)
{
    unsigned char c = (unsigned char)s[*i];
    if (c < 0x80) {   // ASCII inline: most of an English text
        *i += 1;
        return c;
    }
    return gl_utf8_next_multi(s, n, i);
}
/* Decodes the code point ending before s[*i] and moves *i back.  Assumes
 * valid UTF-8 (the pipeline validates at the reader). */
uint32_t gl_utf8_prev(const char *s, size_t *i);
/* Encodes cp into out (4 bytes room); returns the byte count. */
int gl_utf8_encode(uint32_t cp, char *out);
/* Number of code points in valid UTF-8. */
size_t gl_utf8_count(const char *s, size_t n);

/* ------------------------------------------------------------ characters */
bool gl_is_han(uint32_t cp);      /* Han ideographs (URO, Ext A-H, compat) */
bool gl_is_cjk(uint32_t cp);      /* Han, kana, hangul, CJK punctuation, full-width forms */
/* ASCII and Unicode white space (inline: layout asks for every character) */
static inline bool gl_is_space(uint32_t cp)
{
    if (cp < 0x80)
        return cp == ' ' || (cp >= '\t' && cp <= '\r');
    return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
           cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

/* ------------------------------------------------------------ files */
/* Reads a whole file.  Returns 0 and a malloc'd buffer (NUL-terminated,
 * free with gl_free) or -1 with the error on ctx naming path. */
int gl_read_file(gl_ctx *ctx, const char *path, char **data, size_t *len);

/* An output written atomically: bytes go to a temporary file beside path,
 * which gl_out_commit() flushes, fsyncs and renames over path.  Until then
 * an existing file at path is untouched; gl_out_abort() removes the
 * temporary file.  When ctx->out_mem is set, gl_out_open() targets that
 * buffer instead (path only names the output in messages): the back ends
 * write files and memory through the same calls. */
typedef struct {
    char *path;       /* final path (owned) */
    char *tmp_path;   /* temporary path (owned) */
    int fd;
    struct gl_buf *mem; /* memory target (borrowed), or NULL for a file */
} gl_out;
int gl_out_open(gl_ctx *ctx, gl_out *o, const char *path);
int gl_out_write(gl_ctx *ctx, gl_out *o, const void *p, size_t n);
int gl_out_commit(gl_ctx *ctx, gl_out *o);
void gl_out_abort(gl_out *o);
/* Creates a temporary file for a library that needs a path (the PDF back
 * end's font subsets).  Returns a malloc'd path or NULL (error on ctx).
 * Remove it with gl_temp_remove(), which also takes it off the list below. */
char *gl_temp_file(gl_ctx *ctx, const char *suffix, const void *data, size_t len);
/* The process-wide list of live temporary files that
 * galley_remove_temp_files() (async-signal-safe) deletes on a signal.
 * gl_out_* and gl_temp_file() keep it; register/forget never fail. */
void gl_temp_register(const char *path);
void gl_temp_forget(const char *path);
void gl_temp_remove(const char *path);  /* forget, then unlink */

/* A time for metadata: opt->timestamp if >= 0, else SOURCE_DATE_EPOCH if
 * set and valid, else *fallback if fallback is not NULL, else the clock. */
long long gl_choose_time(const galley_options *opt, const long long *fallback);
/* "YYYY-MM-DD" (proleptic Gregorian) → seconds since 1970 at 00:00 UTC in
 * *out (negative before 1970).  Returns false when s is not such a date. */
bool gl_parse_iso_date(const char *s, long long *out);

/* Big-endian integers in a file (fonts, PNG). */
static inline uint32_t gl_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint16_t gl_be16(const unsigned char *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* FNV-1a, 64-bit: a stable non-cryptographic hash (subset tags, content
 * identifiers, hash tables).  Start from GL_FNV64_OFFSET; a step mixes
 * one value (a byte, or more: the EPUB identifier stirs in another lane). */
#define GL_FNV64_OFFSET 0xcbf29ce484222325ULL
static inline uint64_t gl_fnv1a64_step(uint64_t h, uint64_t v)
{
    return (h ^ v) * 0x100000001b3ULL;
}
static inline uint64_t gl_fnv1a64(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = gl_fnv1a64_step(h, b[i]);
    return h;
}

/* n in lower-case roman numerals ("xiv"), NUL-terminated in out[cap];
 * returns the length.  Exact for 1-3999; from 4000 on the thousands are
 * repeated m's.  A number below 1, or one that does not fit, is written
 * in arabic numerals instead. */
size_t gl_roman(int n, char *out, size_t cap);

#endif
