/*
 * reader_text.c — reads the article format and plain text into a gl_doc.
 * First stage of the pipeline: bytes in, validated UTF-8 paragraphs out.
 * Depends on base.c and doc.c only; knows nothing of layout or back ends.
 *
 * Two passes, both linear: decode() cleans the bytes into one buffer of
 * trimmed source lines; then the header (if any) is recognised and the
 * remaining lines are grouped into paragraphs at blank lines.
 */
#include "reader.h"

#include <string.h>

/* One cleaned source line: text at buf[off, off+len), trimmed, runs of
 * ASCII spaces/tabs collapsed; col = 1-based code-point column of its first
 * character in the source line.  len == 0 means a blank line. */
typedef struct {
    size_t off, len;
    unsigned col;
} line_rec;

typedef struct {
    gl_ctx *ctx;
    const char *source;   /* for diagnostics */
    gl_buf buf;           /* all cleaned lines */
    line_rec *lines;
    size_t nlines, caplines;
} reader;

/* ================================================================ decoding */

/* White space folded into the collapsing ASCII space: tab, VT, FF and the
 * Unicode line/paragraph separators (which would otherwise survive as
 * invisible line breaks inside a paragraph). */
static bool is_fold_space(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\v' || cp == '\f' || cp == 0x2028 || cp == 0x2029;
}

/* C0 controls other than the white space above, DEL and C1 (incl. NUL). */
static bool is_control(uint32_t cp)
{
    return (cp < 0x20 && cp != '\t' && cp != '\v' && cp != '\f') || (cp >= 0x7F && cp <= 0x9F);
}

static int end_line(reader *r, size_t start, size_t keep_end, unsigned first_col)
{
    // Trailing white space is cut by truncating to the end of the last
    // non-space character.
    r->buf.len = keep_end;
    if (r->buf.data)
        r->buf.data[keep_end] = 0;
    if (GL_GROW(r->ctx, r->lines, r->caplines, r->nlines + 1))
        return -1;
    line_rec *l = &r->lines[r->nlines++];
    l->off = start;
    l->len = keep_end - start;
    l->col = l->len ? first_col : 0;
    return 0;
}

/* Where and how often the decoder met one kind of bad input. */
typedef struct {
    size_t count;
    unsigned line, col;  /* of the first */
    uint32_t cp;         /* the first (control characters) */
} bad_run;

static void note_bad(bad_run *b, unsigned line, unsigned col, uint32_t cp)
{
    if (b->count++ == 0) {
        b->line = line;
        b->col = col;
        b->cp = cp;
    }
}

/* Splits data into cleaned lines.  Line ends are LF, CRLF and lone CR.
 * Invalid UTF-8 becomes U+FFFD and control characters are dropped, with
 * one warning per file for each, giving the count and placed at the first
 * (a binary or mis-encoded file must not flood the diagnostics: one
 * warning per line did for a 50 MB file). */
static int decode(reader *r, const char *data, size_t len)
{
    size_t i = 0;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        i = 3;  // a UTF-8 BOM says nothing about the text
    unsigned lineno = 1, col = 1, first_col = 0;
    bad_run bad_utf8 = {0}, bad_ctl = {0};
    size_t start = r->buf.len, keep_end = r->buf.len;
    bool started = false, line_open = false;

    while (i < len) {
        unsigned char c = (unsigned char)data[i];
        if (c == '\n' || c == '\r') {
            i += (c == '\r' && i + 1 < len && data[i + 1] == '\n') ? 2 : 1;
            if (end_line(r, start, keep_end, first_col))
                return -1;
            lineno++;
            col = 1;
            started = false;
            start = keep_end = r->buf.len;
            line_open = false;
            continue;
        }
        line_open = true;
        size_t at = i;
        uint32_t cp = gl_utf8_next(data, len, &i);
        // gl_utf8_next() returns U+FFFD for bad bytes; a real U+FFFD in the
        // text is the well-formed EF BF BD and is not an error.
        if (cp == 0xFFFD && !(i - at == 3 && memcmp(data + at, "\xEF\xBF\xBD", 3) == 0))
            note_bad(&bad_utf8, lineno, col, cp);
        unsigned this_col = col++;
        if (is_control(cp)) {
            note_bad(&bad_ctl, lineno, this_col, cp);
            continue;
        }
        int rc;
        if (is_fold_space(cp) || gl_is_space(cp)) {
            if (!started)
                continue;  // leading white space is trimmed
            if (is_fold_space(cp)) {
                // Collapse runs: inner runs of ASCII spaces/tabs become one
                // space (other spaces such as U+3000 are kept as written).
                if (r->buf.data[r->buf.len - 1] == ' ')
                    continue;
                rc = gl_buf_putc(&r->buf, ' ');
            } else {
                rc = gl_buf_put_cp(&r->buf, cp);
            }
            if (rc)
                return -1;
            continue;
        }
        if (!started) {
            started = true;
            first_col = this_col;
        }
        rc = cp < 0x80 ? gl_buf_putc(&r->buf, (char)cp) : gl_buf_put_cp(&r->buf, cp);
        if (rc)
            return -1;
        keep_end = r->buf.len;
    }
    if (bad_utf8.count)
        gl_warn(r->ctx, r->source, bad_utf8.line, bad_utf8.col,
                "invalid UTF-8 replaced by U+FFFD (%zu sequence%s in the file; the first here)",
                bad_utf8.count, bad_utf8.count == 1 ? "" : "s");
    if (bad_ctl.count)
        gl_warn(r->ctx, r->source, bad_ctl.line, bad_ctl.col,
                "control character U+%04X dropped (%zu control character%s in the file; "
                "the first here)",
                (unsigned)bad_ctl.cp, bad_ctl.count, bad_ctl.count == 1 ? "" : "s");
    // The last line needs no line end; an empty input has no lines at all.
    if (line_open)
        return end_line(r, start, keep_end, first_col);
    return 0;
}

/* ================================================================ header */

static bool prefix_ci(const char *s, size_t n, const char *p)
{
    size_t k = strlen(p);
    if (n < k)
        return false;
    for (size_t j = 0; j < k; j++) {
        char a = s[j];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a - 'A' + 'a');
        if (a != p[j])
            return false;
    }
    return true;
}

/* Finds "title:" case-insensitively in s[0, n); returns its offset or n. */
static size_t find_title_tag(const char *s, size_t n)
{
    for (size_t j = 0; j + 6 <= n; j++)
        if ((s[j] == 't' || s[j] == 'T') && prefix_ci(s + j, n - j, "title:"))
            return j;
    return n;
}

static bool is_iso_date(const char *s, size_t n)
{
    char buf[11];
    long long t;
    if (n != 10)
        return false;
    memcpy(buf, s, 10);
    buf[10] = 0;
    return gl_parse_iso_date(buf, &t);
}

static void trim_spaces(const char **s, size_t *n)
{
    while (*n && **s == ' ') {
        (*s)++;
        (*n)--;
    }
    while (*n && (*s)[*n - 1] == ' ')
        (*n)--;
}

/* Parses `date YYYY-MM-DD Title: <title>` from a cleaned line into doc's
 * metadata; *is_header says whether the line is a header at all.  A bad
 * date is a warning, never a failure.  Returns 0, or -1 on OOM. */
static int parse_header(reader *r, gl_doc *doc, const line_rec *l, unsigned lineno, bool *is_header)
{
    const char *s = r->buf.data + l->off;
    size_t n = l->len;
    *is_header = false;
    if (!prefix_ci(s, n, "date "))
        return 0;
    size_t t = find_title_tag(s + 5, n - 5) + 5;
    if (t >= n)
        return 0;
    *is_header = true;

    const char *d = s + 5;
    size_t dn = t - 5;
    trim_spaces(&d, &dn);
    // Column of the date token: exact unless spaces were collapsed before it.
    unsigned dcol = l->col + (unsigned)gl_utf8_count(s, (size_t)(d - s));
    if (is_iso_date(d, dn)) {
        if (!(doc->meta.date = gl_arena_strndup(&doc->arena, d, dn)))
            return -1;
    } else if (dn == 0) {
        gl_warn(r->ctx, r->source, lineno, dcol,
                "missing date in article header; expected YYYY-MM-DD");
    } else {
        // Bound the quoted token so a garbage header gives a readable message;
        // back up to a UTF-8 boundary so the message stays valid.
        size_t q = dn > 40 ? 40 : dn;
        while (q < dn && q > 0 && ((unsigned char)d[q] & 0xC0) == 0x80)
            q--;
        gl_warn(r->ctx, r->source, lineno, dcol,
                "malformed date '%.*s%s' in article header; expected YYYY-MM-DD", (int)q, d,
                q < dn ? "..." : "");
    }
    const char *ti = s + t + 6;
    size_t tn = n - t - 6;
    trim_spaces(&ti, &tn);
    if (tn && !(doc->meta.title = gl_arena_strndup(&doc->arena, ti, tn)))
        return -1;
    return 0;
}

/* Sentence-final punctuation: a line ending in one is prose, not a byline. */
static bool is_final_punct(uint32_t cp)
{
    switch (cp) {
    case '.': case '!': case '?': case ':': case ';': case ',':
    case 0x3002: case 0xFF01: case 0xFF1F: case 0xFF1A: case 0xFF1B: case 0xFF0C:
    case 0x3001: case 0x2026: case 0xFF0E: case 0xFF61:
        return true;
    default:
        return false;
    }
}

/* Closing quotes and brackets are looked through: `He said "No."` ends in '.'. */
static bool is_closer(uint32_t cp)
{
    switch (cp) {
    case '"': case '\'': case ')': case ']': case 0x2019: case 0x201D: case 0x300D:
    case 0x300F: case 0xFF09: case 0x00BB: case 0x300B: case 0x3011:
        return true;
    default:
        return false;
    }
}

/* A byline is short (80 code points; 40 when it contains CJK, which packs
 * more per character) and does not end like a sentence. */
static bool looks_like_byline(const char *s, size_t n)
{
    size_t count = 0, i = 0;
    bool cjk = false;
    while (i < n) {
        uint32_t cp = gl_utf8_next(s, n, &i);
        cjk = cjk || gl_is_cjk(cp);
        if (++count > 80)
            return false;
    }
    if (count == 0 || (cjk && count > 40))
        return false;
    size_t j = n;
    uint32_t last;
    do
        last = gl_utf8_prev(s, &j);
    while (j > 0 && is_closer(last));
    return !is_final_punct(last);
}

/* ================================================================ paragraphs */

static bool is_blank(const reader *r, size_t k) { return r->lines[k].len == 0; }

/* Joins lines [a, b) into one paragraph block. */
static int add_paragraph(reader *r, gl_doc *doc, size_t a, size_t b, gl_buf *tmp,
                         uint32_t **offs, size_t *capoffs)
{
    tmp->len = 0;
    size_t noffs = 0;
    for (size_t k = a; k < b; k++) {
        const char *s = r->buf.data + r->lines[k].off;
        size_t n = r->lines[k].len;
        if (k > a) {
            // No space at a break next to CJK: Chinese and Japanese are
            // written without spaces, and layout adds Han–Latin spacing itself.
            size_t p = tmp->len, q = 0;
            uint32_t before = gl_utf8_prev(tmp->data, &p);
            uint32_t after = gl_utf8_next(s, n, &q);
            if (!gl_is_cjk(before) && !gl_is_cjk(after) && gl_buf_putc(tmp, ' '))
                return -1;
            if (GL_GROW(r->ctx, *offs, *capoffs, noffs + 1))
                return -1;
            // Offsets are 32-bit in the model; beyond 4 GiB lines stay unmapped.
            (*offs)[noffs++] = tmp->len > UINT32_MAX ? UINT32_MAX : (uint32_t)tmp->len;
        }
        if (gl_buf_put(tmp, s, n))
            return -1;
    }
    gl_block *blk = gl_doc_append(doc, NULL, GL_B_PARA, tmp->data, tmp->len, (unsigned)(a + 1));
    if (!blk)
        return -1;
    blk->col = r->lines[a].col;
    if (noffs) {
        uint32_t *lo = gl_arena_alloc(&doc->arena, noffs * sizeof *lo);
        if (!lo)
            return -1;
        memcpy(lo, *offs, noffs * sizeof *lo);
        blk->line_offs = lo;
        blk->nline_offs = noffs;
    }
    return 0;
}


gl_doc *gl_read_text(gl_ctx *ctx, const char *data, size_t len, const char *source)
{
    reader r = {.ctx = ctx, .source = source};
    gl_buf_init(&r.buf, ctx);
    gl_buf tmp;
    gl_buf_init(&tmp, ctx);
    uint32_t *offs = NULL;
    size_t capoffs = 0;
    gl_doc *doc = gl_doc_new(ctx, source);
    if (!doc)
        goto fail;
    // Reserve once: output is at most 3 bytes per input byte (one bad byte
    // becomes U+FFFD), so growth stays amortised either way.
    if (len && GL_GROW(ctx, r.buf.data, r.buf.cap, len + 1))
        goto fail;
    if (r.buf.data)
        r.buf.data[0] = 0;
    if (decode(&r, data, len))
        goto fail;

    size_t k = 0;
    while (k < r.nlines && is_blank(&r, k))
        k++;
    bool header = false;
    if (k < r.nlines) {
        if (parse_header(&r, doc, &r.lines[k], (unsigned)(k + 1), &header))
            goto fail;
    }
    if (header) {
        k++;
        size_t j = k;
        while (j < r.nlines && is_blank(&r, j))
            j++;
        if (j < r.nlines && prefix_ci(r.buf.data + r.lines[j].off, r.lines[j].len, "date:")) {
            const char *s = r.buf.data + r.lines[j].off + 5;
            size_t n = r.lines[j].len - 5;
            trim_spaces(&s, &n);
            if (n && !(doc->meta.display_date = gl_arena_strndup(&doc->arena, s, n)))
                goto fail;
            k = j + 1;
        }
        // Byline: a one-line paragraph before the first paragraph.
        j = k;
        while (j < r.nlines && is_blank(&r, j))
            j++;
        if (j < r.nlines && (j + 1 >= r.nlines || is_blank(&r, j + 1))) {
            size_t m = j + 1;
            while (m < r.nlines && is_blank(&r, m))
                m++;
            const line_rec *l = &r.lines[j];
            if (m < r.nlines && looks_like_byline(r.buf.data + l->off, l->len)) {
                if (!(doc->meta.byline = gl_arena_strndup(&doc->arena, r.buf.data + l->off, l->len)))
                    goto fail;
                k = j + 1;
            }
        }
    }
    while (k < r.nlines) {
        if (is_blank(&r, k)) {
            k++;
            continue;
        }
        size_t e = k;
        while (e < r.nlines && !is_blank(&r, e))
            e++;
        if (add_paragraph(&r, doc, k, e, &tmp, &offs, &capoffs))
            goto fail;
        k = e;
    }
    if ((!doc->meta.title || !doc->meta.title[0]) && gl_doc_title_from_source(doc, source))
        goto fail;
    gl_doc_detect_lang(doc);
    gl_free(offs);
    gl_buf_free(&tmp);
    gl_buf_free(&r.buf);
    gl_free(r.lines);
    return doc;
fail:
    gl_free(offs);
    gl_buf_free(&tmp);
    gl_buf_free(&r.buf);
    gl_free(r.lines);
    gl_doc_free(doc);
    return NULL;
}
