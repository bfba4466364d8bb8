/*
 * base.c — context, errors, diagnostics, allocation, arenas, buffers,
 * UTF-8, character classes and atomic file output.  The bottom of the
 * pipeline: depends on libc and POSIX only.
 */
#define _DEFAULT_SOURCE /* mkstemps */
#define _POSIX_C_SOURCE 200809L
#include "base.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ================================================================ allocation */

static bool alloc_fails(gl_ctx *ctx)
{
    if (!ctx)
        return false;
    if (ctx->oom)
        return true;  /* sticky: once memory ran out, the run is over */
    ctx->alloc_count++;
    return ctx->fail_alloc_at && ctx->alloc_count >= ctx->fail_alloc_at;
}

void *gl_malloc(gl_ctx *ctx, size_t n)
{
    void *p = alloc_fails(ctx) ? NULL : malloc(n ? n : 1);
    if (!p)
        gl_oom(ctx);
    return p;
}

void *gl_calloc(gl_ctx *ctx, size_t count, size_t n)
{
    void *p = alloc_fails(ctx) ? NULL : calloc(count ? count : 1, n ? n : 1);
    if (!p)
        gl_oom(ctx);
    return p;
}

void *gl_realloc(gl_ctx *ctx, void *p, size_t n)
{
    void *q = alloc_fails(ctx) ? NULL : realloc(p, n ? n : 1);
    if (!q)
        gl_oom(ctx);
    return q;
}

void gl_free(void *p) { free(p); }

char *gl_strndup(gl_ctx *ctx, const char *s, size_t n)
{
    char *d = gl_malloc(ctx, n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

char *gl_strdup(gl_ctx *ctx, const char *s) { return gl_strndup(ctx, s, strlen(s)); }

int gl_grow(gl_ctx *ctx, void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : 8;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2 / elem)
            return gl_oom(ctx);
        ncap *= 2;
    }
    void *q = gl_realloc(ctx, *p, ncap * elem);
    if (!q)
        return -1;
    *p = q;
    *cap = ncap;
    return 0;
}

/* ================================================================ errors */

static void set_errmsg(gl_ctx *ctx, galley_status st, const char *fmt, va_list ap)
{
    if (ctx->status != GALLEY_OK)
        return;  /* the first failure is the cause; later ones are consequences */
    ctx->status = st;
    vsnprintf(ctx->errmsg, sizeof ctx->errmsg, fmt, ap);
}

int gl_error(gl_ctx *ctx, galley_status st, const char *fmt, ...)
{
    if (!ctx)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    set_errmsg(ctx, st, fmt, ap);
    va_end(ap);
    return -1;
}

int gl_oom(gl_ctx *ctx)
{
    if (!ctx)
        return -1;
    ctx->oom = true;
    if (ctx->status == GALLEY_OK) {
        ctx->status = GALLEY_ERR_NOMEM;
        snprintf(ctx->errmsg, sizeof ctx->errmsg, "out of memory");
    }
    return -1;
}

void gl_clear_error(gl_ctx *ctx)
{
    ctx->status = GALLEY_OK;
    ctx->errmsg[0] = 0;
    ctx->oom = false;
}

galley_status gl_api_exit(gl_ctx *ctx, int rc)
{
    if (ctx->oom)
        return GALLEY_ERR_NOMEM;
    if (rc == 0)
        return GALLEY_OK;
    if (ctx->status == GALLEY_OK) {
        ctx->status = GALLEY_ERR_INTERNAL;
        snprintf(ctx->errmsg, sizeof ctx->errmsg, "internal error (no message recorded)");
    }
    return ctx->status;
}

int gl_api_enter(const char *func, gl_ctx *ctx, ...)
{
    if (!ctx)
        return -1;
    gl_clear_error(ctx);
    va_list ap;
    va_start(ap, ctx);
    int rc = 0;
    for (const char *name; rc == 0 && (name = va_arg(ap, const char *));)
        if (!va_arg(ap, int))
            rc = gl_error(ctx, GALLEY_ERR_ARG, "%s: NULL %s", func, name);
    va_end(ap);
    return rc;
}

void gl_warn(gl_ctx *ctx, const char *source, unsigned line, unsigned col, const char *fmt, ...)
{
    if (!ctx || ctx->oom)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    for (char *p = msg; *p; p++)  /* diagnostics are one line */
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    if (GL_GROW(ctx, ctx->diags, ctx->capdiags, ctx->ndiags + 1))
        return;
    gl_diag_rec *d = &ctx->diags[ctx->ndiags];
    d->source = gl_strdup(ctx, source ? source : "<memory>");
    d->message = gl_strdup(ctx, msg);
    if (!d->source || !d->message) {
        gl_free(d->source);
        gl_free(d->message);
        return;
    }
    d->pub.severity = GALLEY_WARNING;
    d->pub.source = d->source;
    d->pub.line = line;
    d->pub.column = col;
    d->pub.message = d->message;
    ctx->ndiags++;
}

/* ================================================================ arena */

struct gl_arena_chunk {
    gl_arena_chunk *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
};

void gl_arena_init(gl_arena *a, gl_ctx *ctx)
{
    a->ctx = ctx;
    a->head = NULL;
}

void *gl_arena_alloc(gl_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    gl_arena_chunk *c = a->head;
    if (!c || c->cap - c->used < n) {
        size_t cap = 64 * 1024;
        if (n > cap / 4)
            cap = n;  /* big objects get a chunk of their own */
        gl_arena_chunk *nc = gl_malloc(a->ctx, sizeof *nc + cap);
        if (!nc)
            return NULL;
        nc->used = 0;
        nc->cap = cap;
        if (c && n == cap && c->cap - c->used > 1024) {
            /* keep filling the current chunk; hang the big one behind it */
            nc->next = c->next;
            c->next = nc;
        } else {
            nc->next = c;
            a->head = nc;
        }
        c = nc;
    }
    void *p = c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

char *gl_arena_strndup(gl_arena *a, const char *s, size_t n)
{
    char *d = gl_arena_alloc(a, n + 1);
    if (d && n)
        memcpy(d, s, n);
    return d;
}

char *gl_arena_strdup(gl_arena *a, const char *s) { return gl_arena_strndup(a, s, strlen(s)); }

void gl_arena_free(gl_arena *a)
{
    gl_arena_chunk *c = a->head;
    while (c) {
        gl_arena_chunk *n = c->next;
        gl_free(c);
        c = n;
    }
    a->head = NULL;
}

/* ================================================================ buffer */

void gl_buf_init(gl_buf *b, gl_ctx *ctx)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->ctx = ctx;
}

int gl_buf_put(gl_buf *b, const void *p, size_t n)
{
    if (GL_GROW(b->ctx, b->data, b->cap, b->len + n + 1))
        return -1;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
    return 0;
}

int gl_buf_puts(gl_buf *b, const char *s) { return gl_buf_put(b, s, strlen(s)); }
int gl_buf_putc(gl_buf *b, char c) { return gl_buf_put(b, &c, 1); }

int gl_buf_printf(gl_buf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return gl_error(b->ctx, GALLEY_ERR_INTERNAL, "bad format");
    if ((size_t)n < sizeof tmp)
        return gl_buf_put(b, tmp, (size_t)n);
    if (GL_GROW(b->ctx, b->data, b->cap, b->len + (size_t)n + 1))
        return -1;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

int gl_buf_put_cp(gl_buf *b, uint32_t cp)
{
    char u[4];
    return gl_buf_put(b, u, (size_t)gl_utf8_encode(cp, u));
}

void gl_buf_free(gl_buf *b)
{
    gl_free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* ================================================================ UTF-8 */

/* gl_utf8_next beyond ASCII. */
uint32_t gl_utf8_next_multi(const char *s, size_t n, size_t *i)
{
    const unsigned char *p = (const unsigned char *)s + *i;
    size_t left = n - *i;
    unsigned c = p[0];
    if (c < 0x80) {
        *i += 1;
        return c;
    }
    // Three bytes outside E0 and ED (whose second byte has a narrower
    // range): the BMP's CJK, all well-formed when both trail bytes are.
    if (c >= 0xE1 && c <= 0xEF && c != 0xED && left >= 3 && (p[1] & 0xC0) == 0x80 &&
        (p[2] & 0xC0) == 0x80) {
        *i += 3;
        return (uint32_t)(c & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
    }
    /* Table 3-7 of the Unicode Standard: well-formed byte sequences. */
    unsigned need, lo = 0x80, hi = 0xBF;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        cp = c & 0x0F;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;  /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        cp = c & 0x07;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        *i += 1;
        return 0xFFFD;
    }
    size_t k = 1;
    for (; k <= need; k++) {
        if (k >= left || p[k] < lo || p[k] > hi) {
            *i += k;  /* maximal subpart of an ill-formed sequence */
            return 0xFFFD;
        }
        cp = (cp << 6) | (p[k] & 0x3F);
        lo = 0x80;
        hi = 0xBF;
    }
    *i += k;
    return cp;
}

uint32_t gl_utf8_prev(const char *s, size_t *i)
{
    size_t j = *i;
    do
        j--;
    while (j > 0 && ((unsigned char)s[j] & 0xC0) == 0x80 && *i - j < 4);
    size_t k = j;
    uint32_t cp = gl_utf8_next(s, *i, &k);
    *i = j;
    return cp;
}

int gl_utf8_encode(uint32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

size_t gl_utf8_count(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
}

/* ================================================================ characters */

bool gl_is_han(uint32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x20000 && cp <= 0x323AF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           cp == 0x3007;
}

bool gl_is_cjk(uint32_t cp)
{
    return gl_is_han(cp) || (cp >= 0x2E80 && cp <= 0x2FDF) ||  /* radicals */
           (cp >= 0x3000 && cp <= 0x30FF) ||                   /* punctuation, kana */
           (cp >= 0x3100 && cp <= 0x31FF) ||                   /* bopomofo, kana ext */
           (cp >= 0xAC00 && cp <= 0xD7AF) ||                   /* hangul */
           (cp >= 0xFE30 && cp <= 0xFE4F) ||                   /* compatibility forms */
           (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6);
}

/* ================================================================ files */

int gl_read_file(gl_ctx *ctx, const char *path, char **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    // O_NONBLOCK: opening a FIFO without a writer would otherwise wait
    // forever (galley never hangs on input); regular files ignore the flag.
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return gl_error(ctx, GALLEY_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return gl_error(ctx, GALLEY_ERR_IO, "%s: cannot open: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        if (S_ISDIR(st.st_mode))
            return gl_error(ctx, GALLEY_ERR_IO, "%s: is a directory", path);
        return gl_error(ctx, GALLEY_ERR_IO, "%s: not a regular file", path);
    }
    gl_buf b;
    gl_buf_init(&b, ctx);
    char tmp[65536];
    for (;;) {
        ssize_t r = read(fd, tmp, sizeof tmp);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            close(fd);
            gl_buf_free(&b);
            return gl_error(ctx, GALLEY_ERR_IO, "%s: read error: %s", path, strerror(e));
        }
        if (r == 0)
            break;
        if (gl_buf_put(&b, tmp, (size_t)r)) {
            close(fd);
            gl_buf_free(&b);
            return -1;
        }
    }
    close(fd);
    if (!b.data && gl_buf_put(&b, "", 0))
        return -1;
    *data = b.data;
    *len = b.len;
    return 0;
}

static char *dir_of(gl_ctx *ctx, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return gl_strdup(ctx, ".");
    if (slash == path)
        return gl_strdup(ctx, "/");
    return gl_strndup(ctx, path, (size_t)(slash - path));
}

/* Creates tmp_path (a unique name made from prefix) with O_EXCL.  The mode
 * is 0666 & ~umask, applied by the kernel: reading the umask with umask()
 * would briefly change it for every thread of the process. */
static int open_unique(char *tmp_path, size_t n, const char *prefix)
{
    static unsigned long counter;  // only for uniqueness; races are harmless
    for (int attempt = 0; attempt < 100; attempt++) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        unsigned long c = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
        snprintf(tmp_path, n, "%s.%ld.%lx%lx", prefix, (long)getpid(), c,
                 (unsigned long)ts.tv_nsec & 0xFFFFF);
        int fd = open(tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    errno = EEXIST;
    return -1;
}

int gl_out_open(gl_ctx *ctx, gl_out *o, const char *path)
{
    o->fd = -1;
    o->tmp_path = NULL;
    o->mem = ctx->out_mem;
    o->path = gl_strdup(ctx, path);
    if (!o->path)
        return -1;
    if (o->mem) {
        // Memory target: nothing to create; an earlier attempt's bytes go.
        o->mem->len = 0;
        return 0;
    }
    char *dir = dir_of(ctx, path);
    if (!dir) {
        gl_free(o->path);
        o->path = NULL;
        return -1;
    }
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    size_t n = strlen(dir) + strlen(base) + 64;
    o->tmp_path = gl_malloc(ctx, n);
    char *prefix = gl_malloc(ctx, n);
    if (!o->tmp_path || !prefix) {
        gl_free(prefix);
        gl_free(dir);
        goto fail;
    }
    /* Hidden, in the target directory (so rename() is atomic), unique. */
    snprintf(prefix, n, "%s/.%s", dir, base);
    gl_free(dir);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        gl_free(prefix);
        gl_error(ctx, GALLEY_ERR_IO, "%s: is a directory", path);
        goto fail;
    }
    o->fd = open_unique(o->tmp_path, n, prefix);
    gl_free(prefix);
    if (o->fd < 0) {
        gl_error(ctx, GALLEY_ERR_IO, "%s: cannot create output: %s", path, strerror(errno));
        goto fail;
    }
    gl_temp_register(o->tmp_path);  // removed by galley_remove_temp_files() on a signal
    return 0;
fail:
    gl_free(o->tmp_path);
    gl_free(o->path);
    o->tmp_path = o->path = NULL;
    return -1;
}

int gl_out_write(gl_ctx *ctx, gl_out *o, const void *p, size_t n)
{
    if (o->mem)
        return gl_buf_put(o->mem, p, n);
    const char *c = p;
    while (n) {
        ssize_t w = write(o->fd, c, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return gl_error(ctx, GALLEY_ERR_IO, "%s: write error: %s", o->path, strerror(errno));
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

int gl_out_commit(gl_ctx *ctx, gl_out *o)
{
    int rc = 0;
    if (o->mem) {
        gl_free(o->path);
        o->path = NULL;
        o->mem = NULL;
        return 0;
    }
    if (fsync(o->fd) != 0 && errno != EINVAL && errno != EROFS)
        rc = gl_error(ctx, GALLEY_ERR_IO, "%s: cannot flush: %s", o->path, strerror(errno));
    if (close(o->fd) != 0 && rc == 0)
        rc = gl_error(ctx, GALLEY_ERR_IO, "%s: cannot close: %s", o->path, strerror(errno));
    o->fd = -1;
    if (rc == 0 && rename(o->tmp_path, o->path) != 0)
        rc = gl_error(ctx, GALLEY_ERR_IO, "%s: cannot rename into place: %s", o->path,
                      strerror(errno));
    if (rc != 0)
        unlink(o->tmp_path);
    gl_temp_forget(o->tmp_path);
    gl_free(o->tmp_path);
    gl_free(o->path);
    o->tmp_path = o->path = NULL;
    return rc;
}

void gl_out_abort(gl_out *o)
{
    if (o->mem) {
        o->mem->len = 0;  // a failed run leaves no partial bytes behind
        o->mem = NULL;
    }
    if (o->fd >= 0)
        close(o->fd);
    o->fd = -1;
    if (o->tmp_path)
        gl_temp_remove(o->tmp_path);
    gl_free(o->tmp_path);
    gl_free(o->path);
    o->tmp_path = o->path = NULL;
}

char *gl_temp_file(gl_ctx *ctx, const char *suffix, const void *data, size_t len)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    size_t n = strlen(dir) + strlen(suffix) + 32;
    char *path = gl_malloc(ctx, n);
    if (!path)
        return NULL;
    snprintf(path, n, "%s/galley-XXXXXX%s", dir, suffix);
    int fd = mkstemps(path, (int)strlen(suffix));
    if (fd < 0) {
        gl_error(ctx, GALLEY_ERR_IO, "cannot create a temporary file in %s: %s", dir,
                 strerror(errno));
        gl_free(path);
        return NULL;
    }
    gl_temp_register(path);  // the caller removes it with gl_temp_remove()
    gl_out o = {.path = path, .tmp_path = NULL, .fd = fd, .mem = NULL};
    int rc = gl_out_write(ctx, &o, data, len);
    if (close(fd) != 0 && rc == 0)
        rc = gl_error(ctx, GALLEY_ERR_IO, "%s: %s", path, strerror(errno));
    if (rc != 0) {
        gl_temp_remove(path);
        gl_free(path);
        return NULL;
    }
    return path;
}

/* ================================================================ time */

bool gl_parse_iso_date(const char *s, long long *out)
{
    int y, m, d;
    char tail;
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int j = 0; j < 10; j++)
        if (j != 4 && j != 7 && (s[j] < '0' || s[j] > '9'))
            return false;
    if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
        return false;
    if (m < 1 || m > 12 || d < 1)
        return false;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[m - 1] + (m == 2 && leap))
        return false;
    /* days_from_civil (H. Hinnant), valid for the proleptic Gregorian calendar */
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    *out = (era * 146097 + doe - 719468) * 86400;
    return true;
}

long long gl_choose_time(const galley_options *opt, const long long *fallback)
{
    if (opt && opt->timestamp >= 0)
        return opt->timestamp;
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    if (sde && *sde) {
        char *end;
        errno = 0;
        long long v = strtoll(sde, &end, 10);
        if (!*end && errno == 0 && v >= 0)
            return v;
    }
    if (fallback)
        return *fallback;
    return (long long)time(NULL);
}

/* ================================================================ live temporary files */

// Every temporary file galley is writing (an output before its rename, a
// font subset for libharu) is listed here, so that a SIGINT/SIGTERM handler
// can remove them with galley_remove_temp_files() (an interrupted run
// leaves no temporary file behind).  The handler may run at any point,
// so the list is static storage and lock-free: a slot is claimed with a
// compare-and-swap (0 free → 1 filling), the path copied, then published
// (2 live); the handler reads only live slots and calls only unlink(2),
// which is async-signal-safe.  Paths too long or beyond the slot count
// are simply not listed (their normal clean-up still runs).
enum { TEMP_SLOTS = 64, TEMP_PATH_MAX = 1024 };
static struct {
    int state;  // 0 free, 1 being filled, 2 live; accessed atomically
    char path[TEMP_PATH_MAX];
} temp_slots[TEMP_SLOTS];

void gl_temp_register(const char *path)
{
    size_t n = strlen(path);
    if (n >= TEMP_PATH_MAX)
        return;
    for (int i = 0; i < TEMP_SLOTS; i++) {
        int expect = 0;
        if (__atomic_compare_exchange_n(&temp_slots[i].state, &expect, 1, false,
                                        __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
            memcpy(temp_slots[i].path, path, n + 1);
            __atomic_store_n(&temp_slots[i].state, 2, __ATOMIC_RELEASE);
            return;
        }
    }
}

void gl_temp_forget(const char *path)
{
    if (!path)
        return;
    for (int i = 0; i < TEMP_SLOTS; i++)
        if (__atomic_load_n(&temp_slots[i].state, __ATOMIC_ACQUIRE) == 2 &&
            strcmp(temp_slots[i].path, path) == 0) {
            int expect = 2;
            if (__atomic_compare_exchange_n(&temp_slots[i].state, &expect, 0, false,
                                            __ATOMIC_RELEASE, __ATOMIC_RELAXED))
                return;
        }
}

void gl_temp_remove(const char *path)
{
    if (!path)
        return;
    gl_temp_forget(path);
    unlink(path);
}

void galley_remove_temp_files(void)
{
    for (int i = 0; i < TEMP_SLOTS; i++)
        if (__atomic_load_n(&temp_slots[i].state, __ATOMIC_ACQUIRE) == 2)
            unlink(temp_slots[i].path);
}

size_t gl_roman(int n, char *out, size_t cap)
{
    static const struct {
        int v;
        const char *s;
    } t[] = {{1000, "m"}, {900, "cm"}, {500, "d"}, {400, "cd"}, {100, "c"}, {90, "xc"},
             {50, "l"},   {40, "xl"},  {10, "x"},  {9, "ix"},   {5, "v"},   {4, "iv"}, {1, "i"}};
    size_t k = 0;
    int left = n;
    for (size_t i = 0; n > 0 && i < sizeof t / sizeof *t; i++)
        for (size_t m = strlen(t[i].s); left >= t[i].v; left -= t[i].v, k += m) {
            if (k + m >= cap)
                goto arabic;
            memcpy(out + k, t[i].s, m);
        }
    if (n > 0 && cap > 0) {
        out[k] = 0;
        return k;
    }
arabic:;
    int w = cap ? snprintf(out, cap, "%d", n) : 0;
    return w < 0 ? 0 : (size_t)w < cap ? (size_t)w : cap - 1;
}
