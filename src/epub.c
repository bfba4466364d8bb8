/*
 * epub.c — the EPUB back end: writes a gl_doc as an EPUB 3 publication (OCF
 * ZIP: package document, navigation document, an EPUB 2 NCX, one stylesheet
 * and one XHTML content document per article).  It reads the document model
 * only, never the layout engine (DESIGN.md), and it is the one file that
 * includes libxml2 and libzip (STYLE.md S4.6).  Output is deterministic:
 * the same document and options give the same bytes.  libzip builds the
 * container; the entries are deflated beforehand with libdeflate, as the
 * PDF's streams are.
 */
#include "epub.h"

#include "deflate.h"
#include <libxml/parser.h>
#include <libxml/xmlwriter.h>
#include <zip.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ================================================================ constants */

// Where the parts live in the container.  The OPF sits in OEBPS/, so the
// hrefs in the OPF, nav and NCX are relative to OEBPS/ (OCF 3.3 §3.5).
#define OPF_PATH "OEBPS/content.opf"
#define MAX_PARTS (16 + GL_FACE_COUNT)  /* fonts: one part per face at most */

static const char XHTML_NS[] = "http://www.w3.org/1999/xhtml";
static const char OPS_NS[] = "http://www.idpf.org/2007/ops";

/* One finished file of the container, in archive order. */
typedef struct {
    char name[80];     /* path in the ZIP */
    gl_buf data;
    bool store;        /* ZIP_CM_STORE: the mimetype, and images (compressed already) */
} part;

/* One content document.  A doc is one article today; a multi-article doc
 * becomes an array of these, and every writer below already loops. */
typedef struct {
    char href[48];              /* relative to OEBPS/ */
    char id[24];                /* manifest id */
    const char *title;          /* never NULL or empty */
    const gl_block *first;      /* its top-level blocks */
    const gl_block **heads;     /* its top-level headings (nav entries); owned */
    size_t nheads;
    /* Issue 4: the article's own metadata, and where its block chain ends
     * (exclusive; NULL = at the end) — see gl_doc_articles(). */
    const gl_meta *meta;
    const gl_block *end;
    const char *anchor;         /* the article block's anchor ("#x" links to it) */
    /* footnote references written so far in this document: note → count */
    struct noteuse *uses;
    size_t nuses, capuses;
} article;

/* Issue 4: an image copied into the container. */
typedef struct {
    const char *path;           /* the file (the first block's path) */
    char href[40];              /* relative to OEBPS/: images/img-001.png */
    char id[16];
    const char *media_type;
    char *data;                 /* the bytes (owned) */
    size_t len;
} eimage;

struct noteuse {
    const gl_block *note;
    unsigned count;
};

/* Everything the writers share. */
typedef struct {
    gl_ctx *ctx;
    const gl_doc *doc;
    const char *out_path;
    const char *lang;           /* valid BCP 47 (or "und") */
    char langbuf[64];
    const char *title;          /* never NULL or empty */
    char uid[64];               /* dc:identifier when derived */
    const char *identifier;     /* eo->identifier or uid */
    char modified[48];          /* CCYY-MM-DDThh:mm:ssZ */
    uint16_t dos_time, dos_date;
    article *arts;
    size_t narts;
    /* Issue 5: script treatment, printed page breaks, fonts, accessibility. */
    bool cjk;                   /* a CJK book: Latin runs are marked lang="en" */
    struct pbreak *pbs;         /* eo->breaks resolved to documents and ids; owned */
    size_t npbs, npbs_found;
    const char *page_source;
    galley_epub_fonts font_mode;
    const gl_fontset *fs;
    struct efont *fonts;        /* GL_FACE_COUNT entries when fonts are embedded; owned */
    size_t nimages, nimages_alt;  /* GL_B_IMAGE blocks, and those with alt text */
    /* Issue 4: image files to copy (deduplicated by path); owned */
    eimage *imgs;
    size_t nimgs, capimgs;
    article *cur;               /* the content document being written */
} epub;

/* ================================================================ text hygiene */

// XML 1.0 §2.2 allows only tab, LF and CR below U+0020, and no U+FFFE/U+FFFF;
// C1 controls and DEL are allowed but discouraged and never meant as text.
// Controls are dropped (they print nothing); non-characters and bad bytes
// become U+FFFD so that the loss stays visible.  CR goes too: the brief
// allows only tab and newline, and a reader has already split lines.
static int clean_text(gl_buf *b, const char *s, size_t n)
{
    b->len = 0;
    if (gl_buf_put(b, "", 0))  // data non-NULL and NUL-terminated even when empty
        return -1;
    size_t i = 0;
    while (i < n) {
        size_t start = i;
        uint32_t cp = gl_utf8_next(s, n, &i);
        if (cp == '\t' || cp == '\n') {
            // allowed
        } else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
            continue;
        } else if ((cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE) {
            cp = 0xFFFD;
        }
        // Re-encode only when the bytes changed (U+FFFD for bad input).
        if (cp == 0xFFFD) {
            if (gl_buf_put_cp(b, cp))
                return -1;
        } else if (gl_buf_put(b, s + start, i - start)) {
            return -1;
        }
    }
    return 0;
}

static bool is_blank(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint32_t cp = gl_utf8_next(s, n, &i);
        if (!gl_is_space(cp) && cp >= 0x20 && !(cp >= 0x7F && cp <= 0x9F))
            return false;
    }
    return true;
}

static int strncasecmp_ascii(const char *a, const char *b, size_t n)
{
    // strncasecmp is POSIX and locale-dependent; schemes are ASCII.
    for (size_t i = 0; i < n; i++) {
        int ca = (unsigned char)a[i], cb = (unsigned char)b[i];
        if (ca >= 'A' && ca <= 'Z')
            ca += 'a' - 'A';
        if (cb >= 'A' && cb <= 'Z')
            cb += 'a' - 'A';
        if (ca != cb || !ca)
            return ca - cb;
    }
    return 0;
}

// Only web and mail links survive: javascript:, file: and relative links
// would point into (or out of) the container in ways no reader allows, and
// EPUBCheck rejects hrefs that are not URLs (RSC-020), hence no spaces or
// controls.
static bool href_ok(const char *h)
{
    if (!h)
        return false;
    static const char *const schemes[] = {"http://", "https://", "mailto:"};
    size_t skip = 0;
    for (size_t k = 0; k < sizeof schemes / sizeof schemes[0]; k++) {
        size_t n = strlen(schemes[k]);
        if (strncasecmp_ascii(h, schemes[k], n) == 0) {
            skip = n;
            break;
        }
    }
    if (!skip || !h[skip])
        return false;
    for (const unsigned char *p = (const unsigned char *)h; *p; p++)
        if (*p <= 0x20 || *p == 0x7F || *p == '"' || *p == '<' || *p == '>' || *p == '\\')
            return false;
    return true;
}

// A BCP 47 tag as EPUBCheck accepts it for dc:language: letters, then
// alphanumeric subtags of 1-8 characters (RFC 5646 §2.1, loosely).
static bool lang_ok(const char *l)
{
    if (!l || !l[0])
        return false;
    size_t run = 0, first = 0;
    bool in_first = true;
    for (const char *p = l;; p++) {
        char c = *p;
        if (c == '-' || c == 0) {
            if (run == 0 || run > 8 || (in_first && (first < 2 || first > 8)))
                return false;
            if (c == 0)
                return true;
            in_first = false;
            run = 0;
            continue;
        }
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        bool digit = c >= '0' && c <= '9';
        if (in_first ? !alpha : !(alpha || digit))
            return false;
        run++;
        if (in_first)
            first++;
    }
}

// "YYYY-MM-DD" exactly: what dc:date and <time datetime> may carry.
static bool date_ok(const char *d)
{
    if (!d || strlen(d) != 10)
        return false;
    for (int i = 0; i < 10; i++) {
        bool want_dash = i == 4 || i == 7;
        if (want_dash ? d[i] != '-' : (d[i] < '0' || d[i] > '9'))
            return false;
    }
    int m = (d[5] - '0') * 10 + (d[6] - '0'), day = (d[8] - '0') * 10 + (d[9] - '0');
    return m >= 1 && m <= 12 && day >= 1 && day <= 31;
}

/* ================================================================ XML writer */

/* An xmlTextWriter into memory with a sticky failure flag: every libxml2
 * call is checked, but the writers test the flag once at the end instead of
 * after each of a few hundred calls (SQLite's sticky-error idea). */
typedef struct {
    gl_ctx *ctx;
    xmlBufferPtr xbuf;
    xmlTextWriterPtr w;
    gl_buf scratch;   /* cleaned text */
    bool indent;      /* libxml2 lays out the lines itself */
    bool html;        /* XHTML: no <x/> for non-void elements */
    bool failed;
    epub *book;       /* content documents only: rich_text() treatment, breaks */
} xw;

static void ok(xw *x, int rc)
{
    if (rc < 0)
        x->failed = true;
}

static int xw_open(xw *x, gl_ctx *ctx, bool indent)
{
    memset(x, 0, sizeof *x);
    x->ctx = ctx;
    gl_buf_init(&x->scratch, ctx);
    x->xbuf = xmlBufferCreate();
    if (!x->xbuf)
        return gl_oom(ctx);
    x->w = xmlNewTextWriterMemory(x->xbuf, 0);
    if (!x->w) {
        xmlBufferFree(x->xbuf);
        x->xbuf = NULL;
        return gl_oom(ctx);
    }
    // Indentation only where no element has mixed content (OPF, NCX, nav):
    // in XHTML bodies it would add spaces inside <p> and <pre>.
    x->indent = indent;
    if (indent) {
        ok(x, xmlTextWriterSetIndent(x->w, 1));
        ok(x, xmlTextWriterSetIndentString(x->w, BAD_CAST "  "));
    }
    ok(x, xmlTextWriterStartDocument(x->w, "1.0", "UTF-8", NULL));
    return 0;
}

/* Finishes the document and moves its bytes into *out.  Releases the writer
 * on every path.  Returns 0, or -1 with the error on ctx naming out_path. */
static int xw_close(xw *x, gl_buf *out, const char *what, const char *out_path)
{
    int rc = 0;
    if (x->w) {
        ok(x, xmlTextWriterEndDocument(x->w));  // closes open elements, flushes
        xmlFreeTextWriter(x->w);
        x->w = NULL;
    }
    if (x->failed) {
        rc = x->ctx->oom ? -1
                         : gl_error(x->ctx, GALLEY_ERR_BACKEND,
                                    "%s: libxml2 could not write %s", out_path, what);
    } else if (out) {
        rc = gl_buf_put(out, xmlBufferContent(x->xbuf), (size_t)xmlBufferLength(x->xbuf));
    }
    if (x->xbuf)
        xmlBufferFree(x->xbuf);
    x->xbuf = NULL;
    gl_buf_free(&x->scratch);
    return rc;
}

static void xw_start(xw *x, const char *name)
{
    ok(x, xmlTextWriterStartElement(x->w, BAD_CAST name));
}

// In XHTML only void elements may be written <x/>: a reader that falls
// back to an HTML parser would take <h2/> or <a/> as an open tag (HTML
// §13.1.2.1).  The package files are plain XML and take either form.
static void xw_end(xw *x)
{
    ok(x, x->html ? xmlTextWriterFullEndElement(x->w) : xmlTextWriterEndElement(x->w));
}

static void xw_end_void(xw *x)
{
    ok(x, xmlTextWriterEndElement(x->w));
}

// Attribute values are cleaned like text; libxml2 escapes & < " and
// white space characters.
static void xw_attr(xw *x, const char *name, const char *value)
{
    if (clean_text(&x->scratch, value, strlen(value))) {
        x->failed = true;
        return;
    }
    ok(x, xmlTextWriterWriteAttribute(x->w, BAD_CAST name, BAD_CAST x->scratch.data));
}

static void xw_text(xw *x, const char *s, size_t n)
{
    if (clean_text(&x->scratch, s, n)) {
        x->failed = true;
        return;
    }
    if (x->scratch.len)
        ok(x, xmlTextWriterWriteString(x->w, BAD_CAST x->scratch.data));
}

static void xw_elem(xw *x, const char *name, const char *text)
{
    xw_start(x, name);
    xw_text(x, text, strlen(text));
    xw_end(x);
}

// A line break between blocks, so the XHTML reads well in a diff; white
// space between block elements is insignificant (HTML §3.2.5.1).
static void xw_nl(xw *x)
{
    if (x->indent)
        return;
    ok(x, xmlTextWriterWriteString(x->w, BAD_CAST "\n"));
}

/* ================================================================ identity and time */

// Days since 1970-01-01 → civil date (H. Hinnant's days_from_civil inverse),
// so that formatting needs neither gmtime (not thread-safe) nor the TZ.
static void civil_from_days(long long z, long long *y, unsigned *m, unsigned *d)
{
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long yy = (long long)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

static void set_times(epub *e, long long t)
{
    // dcterms:modified needs a four-digit year (OPF 3 §D.3.1 W3CDTF).
    if (t < 0)
        t = 0;
    if (t > 253402300799LL)  // 9999-12-31T23:59:59Z
        t = 253402300799LL;
    long long days = t / 86400, y;
    unsigned secs = (unsigned)(t % 86400), m, d;
    civil_from_days(days, &y, &m, &d);
    unsigned hh = secs / 3600, mm = secs / 60 % 60, ss = secs % 60;
    snprintf(e->modified, sizeof e->modified, "%04lld-%02u-%02uT%02u:%02u:%02uZ", y, m, d, hh,
             mm, ss);
    // ZIP entries carry MS-DOS local time (APPNOTE §4.4.6), which covers
    // 1980-2107 only.  We store the UTC fields as DOS fields, so output is
    // the same in any TZ.  (libzip 1.7 round-trips DOS fields through
    // mktime/localtime; only fields inside the local zone's DST gap hour
    // could shift, and then still the same way on every run.)
    if (y < 1980) {
        y = 1980, m = 1, d = 1;
        hh = mm = ss = 0;
    } else if (y > 2107) {
        y = 2107, m = 12, d = 31;
        hh = 23, mm = 59, ss = 58;
    }
    e->dos_date = (uint16_t)(((unsigned)(y - 1980) << 9) | (m << 5) | d);
    e->dos_time = (uint16_t)((hh << 11) | (mm << 5) | (ss / 2));
}

/* A 128-bit non-cryptographic content hash: two FNV-1a-64 lanes, the second
 * also stirred by the first so they do not stay linearly related, each
 * finished with the SplitMix64 finaliser.  Good enough to tell documents
 * apart; not meant to resist a deliberate collision. */
typedef struct {
    uint64_t a, b, n;
} chash;

static void ch_put(chash *h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++) {
        h->a = gl_fnv1a64_step(h->a, c[i]);
        h->b = gl_fnv1a64_step(h->b, c[i] ^ (h->a >> 29));
    }
    h->n += n;
}

static void ch_put_u64(chash *h, uint64_t v)
{
    unsigned char le[8];  // fixed byte order: same identifier on any host
    for (int i = 0; i < 8; i++)
        le[i] = (unsigned char)(v >> (8 * i));
    ch_put(h, le, 8);
}

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// Structure markers and lengths go in with the text, so that moving a
// paragraph break or a heading level changes the identifier too.
static void ch_blocks(chash *h, const gl_block *b)
{
    for (; b; b = b->next) {
        ch_put_u64(h, ((uint64_t)b->type << 8) | (uint64_t)(b->level & 0xFF));
        ch_put_u64(h, b->text ? b->len : 0);
        if (b->text)
            ch_put(h, b->text, b->len);
        if (b->children) {
            ch_put_u64(h, 0x7B);  // '{'
            ch_blocks(h, b->children);
            ch_put_u64(h, 0x7D);  // '}'
        }
    }
}

/* "urn:uuid:" + an RFC 9562 version 8 (custom) UUID from the hash of the
 * title and the text: the same content always gets the same identifier,
 * so rebuilding a book does not make readers think it is a new one. */
static void derive_uid(epub *e)
{
    chash h = {GL_FNV64_OFFSET, 0x84222325cbf29ce4ULL, 0};
    const char *t = e->doc->meta.title ? e->doc->meta.title : "";
    ch_put_u64(&h, strlen(t));
    ch_put(&h, t, strlen(t));
    ch_blocks(&h, e->doc->first);
    uint64_t hi = mix64(h.a ^ h.n), lo = mix64(h.b + h.n * 0x9e3779b97f4a7c15ULL);
    unsigned char u[16];
    for (int i = 0; i < 8; i++) {
        u[i] = (unsigned char)(hi >> (56 - 8 * i));
        u[8 + i] = (unsigned char)(lo >> (56 - 8 * i));
    }
    u[6] = (unsigned char)((u[6] & 0x0F) | 0x80);  // version 8
    u[8] = (unsigned char)((u[8] & 0x3F) | 0x80);  // variant 10
    char *p = e->uid + snprintf(e->uid, sizeof e->uid, "urn:uuid:");
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        p += sprintf(p, "%02x", u[i]);
    }
}

/* ================================================================ script-aware text and page breaks */

/* A printed page break resolved against the book (issue 5). */
typedef struct pbreak {
    const gl_epub_pagebreak *src;
    const article *art;  /* the content document holding src->block */
    size_t off;          /* src->off clamped to the block's text */
    char id[48];         /* unique in the book */
    bool found, done;
} pbreak;

// Han and kana: the scripts that CLREQ and JLREQ space from Western text.
static bool is_ideo(uint32_t cp)
{
    return gl_is_han(cp) || (cp >= 0x3041 && cp <= 0x3096) || (cp >= 0x30A1 && cp <= 0x30FA);
}

static bool is_latin_letter(uint32_t cp)
{
    return (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') ||
           (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7);
}

static bool is_latin_alnum(uint32_t cp)
{
    return is_latin_letter(cp) || (cp >= '0' && cp <= '9');
}

static bool is_hangul(uint32_t cp)
{
    return (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0x1100 && cp <= 0x11FF) ||
           (cp >= 0x3130 && cp <= 0x318F);
}

// CLREQ §3.3 (mixed Chinese and Western text): about a quarter em between
// Han and Western letters or numerals, never next to punctuation or an
// existing space (then the two characters are not adjacent anyway).
static bool wants_autospace(uint32_t a, uint32_t b)
{
    return (is_ideo(a) && is_latin_alnum(b)) || (is_latin_alnum(a) && is_ideo(b));
}

// U+2005 FOUR-PER-EM SPACE: exactly the quarter em CLREQ asks for.  It is
// a break opportunity (UAX #14 class BA) that CSS Text 3 §4.1.3 hangs at a
// line end, so it never indents a line or widens a justified one; and it
// is a character, so readers that ignore text-autospace still show it.
#define AUTOSPACE "\xE2\x80\x85"

/* If a run of text in another language than the book's starts at s[i],
 * returns its end (<= end) and its language; else returns i.  In a CJK
 * book: Latin words (at least two letters in a row, so "A股" or "5G" stay
 * unmarked) joined by single spaces, hyphens, apostrophes, periods or
 * ampersands — English is the overwhelmingly common case in Chinese news
 * and official text, and a screen reader then switches voice.  In any
 * other book: a run of CJK characters, "ja" when it has kana, "ko" with
 * hangul, else "zh". */
static size_t foreign_run(const char *s, size_t i, size_t end, bool cjk_book, const char **lang)
{
    size_t k = i, last = i;
    if (cjk_book) {
        int letters = 0, best = 0;
        while (k < end) {
            uint32_t c = gl_utf8_next(s, end, &k);
            if (is_latin_alnum(c)) {
                letters = is_latin_letter(c) ? letters + 1 : 0;
                if (letters > best)
                    best = letters;
                last = k;
                continue;
            }
            if (last == i)
                break;  // a run starts with a letter or digit
            size_t m = k;
            if ((c == ' ' || c == '-' || c == '\'' || c == 0x2019 || c == '.' || c == '&') &&
                m < end && is_latin_alnum(gl_utf8_next(s, end, &m))) {
                letters = 0;
                continue;
            }
            break;
        }
        if (best < 2)
            return i;
        *lang = "en";
        return last;
    }
    bool han = false, kana = false, hangul = false;
    while (k < end) {
        uint32_t c = gl_utf8_next(s, end, &k);
        if (!gl_is_cjk(c) && !is_hangul(c))
            break;
        han |= gl_is_han(c);
        kana |= is_ideo(c) && !gl_is_han(c);
        hangul |= is_hangul(c);
        last = k;
    }
    if (!(han || kana || hangul))
        return i;
    *lang = hangul ? "ko" : kana ? "ja" : "zh";
    return last;
}

// EPUB 3.3 §D.4.2 / DPUB-ARIA: an empty span with an accessible name.
static void pb_marker(xw *x, pbreak *p)
{
    xw_start(x, "span");
    xw_attr(x, "epub:type", "pagebreak");
    xw_attr(x, "role", "doc-pagebreak");
    xw_attr(x, "id", p->id);
    xw_attr(x, "aria-label", p->src->label);
    xw_end(x);
    p->done = true;
}

/* Writes the pending markers of b at or before byte pos (all of them for
 * SIZE_MAX); a break inside a character or a skipped stretch comes out
 * at the next position written. */
static void pb_emit(xw *x, const gl_block *b, size_t pos)
{
    epub *e = x->book;
    for (size_t i = 0; e && i < e->npbs; i++) {
        pbreak *p = &e->pbs[i];
        if (p->found && !p->done && p->src->block == b && p->off <= pos)
            pb_marker(x, p);
    }
}

static size_t pb_next(const xw *x, const gl_block *b)
{
    const epub *e = x->book;
    size_t best = SIZE_MAX;
    for (size_t i = 0; e && b && i < e->npbs; i++) {
        const pbreak *p = &e->pbs[i];
        if (p->found && !p->done && p->src->block == b && p->off < best)
            best = p->off;
    }
    return best;
}

/* Writes s[from, to), a stretch of the text s[0, n) (the rest is context
 * for the spacing), with the book's script treatment: a quarter-em space
 * between Han and Latin where the source has none, and lang/xml:lang spans
 * around runs in another language (HTML §3.2.6.2; EPUB 3.3 §6.1.4).  When
 * b is given, the page-break markers of b that fall inside are written at
 * their places.  code: no spacing or language spans (code is not prose).
 * Outside content documents (x->book NULL) it is plain xw_text(). */
static void rich_text(xw *x, const gl_block *b, const char *s, size_t n, size_t from, size_t to,
                      bool code)
{
    epub *e = x->book;
    if (!e) {
        xw_text(x, s + from, to - from);
        return;
    }
    size_t seg = from, pos = from, span_end = 0;
    bool in_span = false;
    size_t next_pb = pb_next(x, b);
#define FLUSH()                                      \
    do {                                             \
        if (pos > seg)                               \
            xw_text(x, s + seg, pos - seg);          \
        seg = pos;                                   \
    } while (0)
    while (pos < to) {
        if (in_span && pos >= span_end) {
            FLUSH();
            xw_end(x);
            in_span = false;
        }
        if (pos >= next_pb) {
            FLUSH();
            pb_emit(x, b, pos);
            next_pb = pb_next(x, b);
        }
        size_t nx = pos;
        uint32_t cp = gl_utf8_next(s, n, &nx);
        if (!code) {
            size_t k = pos;
            if (pos > 0 && wants_autospace(gl_utf8_prev(s, &k), cp)) {
                FLUSH();
                xw_text(x, AUTOSPACE, 3);
            }
            const char *lang = NULL;
            size_t re = in_span ? pos : foreign_run(s, pos, to, e->cjk, &lang);
            if (re > pos) {
                FLUSH();
                xw_start(x, "span");
                xw_attr(x, "lang", lang);
                xw_attr(x, "xml:lang", lang);
                in_span = true;
                span_end = re;
            }
        }
        pos = nx;
    }
    pos = to;
    FLUSH();
#undef FLUSH
    if (in_span)
        xw_end(x);
}

/* ================================================================ content documents */

/* ---------------------------------------------------------------- issue 4: links, notes, breaks */

static void heading_id(char *buf, size_t n, const article *a, size_t index);

// The content document holding footnote `note` (the reader puts each at
// the top level of the article with its first reference).
static const article *note_article(const epub *e, const gl_block *note)
{
    for (size_t k = 0; e && k < e->narts; k++)
        for (const gl_block *b = e->arts[k].first; b && b != e->arts[k].end; b = b->next)
            if (b == note)
                return &e->arts[k];
    return NULL;
}

static void note_id(char *buf, size_t n, const gl_block *note)
{
    snprintf(buf, n, "fn-%u", note->note_num);
}

// An internal link "#anchor" → "<document>#<heading id>", or false when no
// top-level heading has that anchor (the text is then written unlinked:
// EPUBCheck rejects dangling fragments).
static bool resolve_anchor(const epub *e, const char *href, char *out, size_t n)
{
    if (!e || !href || href[0] != '#' || !href[1])
        return false;
    for (size_t k = 0; k < e->narts; k++) {
        const article *a = &e->arts[k];
        if (a->anchor && strcmp(a->anchor, href + 1) == 0) {
            snprintf(out, n, "%s", a->href + 5);  // the top of its document
            return true;
        }
        for (size_t i = 0; i < a->nheads; i++)
            if (a->heads[i]->anchor && strcmp(a->heads[i]->anchor, href + 1) == 0) {
                char id[256];
                heading_id(id, sizeof id, a, i);
                if (a == e->cur)
                    snprintf(out, n, "#%s", id);
                else
                    snprintf(out, n, "%s#%s", a->href + 5, id);  // both in text/
                return true;
            }
    }
    return false;
}

// Text with hard line breaks: each '\n' of a text block is a <br/>.
static void text_br(xw *x, const gl_block *b, size_t from, size_t to, bool code)
{
    while (!code && from < to) {
        const char *nl = memchr(b->text + from, '\n', to - from);
        if (!nl)
            break;
        size_t at = (size_t)(nl - b->text);
        if (at > from)
            rich_text(x, b, b->text, b->len, from, at, false);
        xw_start(x, "br");
        xw_end_void(x);
        from = at + 1;
    }
    if (from < to)
        rich_text(x, b, b->text, b->len, from, to, code);
}

// A footnote reference (EPUB 3.3 §D.4.1 / DPUB-ARIA doc-noteref): a link to
// the note, its id the target of the note's backlink.
static void write_noteref(xw *x, const gl_block *b, size_t off, size_t len, const gl_block *note)
{
    epub *e = x->book;
    const article *na = note_article(e, note);
    if (!e || !e->cur || !na) {
        text_br(x, b, off, off + len, false);
        return;
    }
    article *a = e->cur;
    unsigned count = 0;
    for (size_t i = 0; i < a->nuses; i++)
        if (a->uses[i].note == note)
            count = ++a->uses[i].count;
    if (!count) {
        if (GL_GROW(e->ctx, a->uses, a->capuses, a->nuses + 1)) {
            x->failed = true;
            return;
        }
        a->uses[a->nuses++] = (struct noteuse){note, 1};
        count = 1;
    }
    char fid[32], href[96], rid[48];
    note_id(fid, sizeof fid, note);
    if (na == a)
        snprintf(href, sizeof href, "#%s", fid);
    else
        snprintf(href, sizeof href, "%s#%s", na->href + 5, fid);
    if (count == 1)
        snprintf(rid, sizeof rid, "fnref-%u", note->note_num);
    else
        snprintf(rid, sizeof rid, "fnref-%u-%u", note->note_num, count);
    xw_start(x, "sup");
    xw_start(x, "a");
    xw_attr(x, "epub:type", "noteref");
    xw_attr(x, "role", "doc-noteref");
    xw_attr(x, "id", rid);
    xw_attr(x, "href", href);
    xw_text(x, b->text + off, len);
    xw_end(x);
    xw_end(x);
}

// Inline markup: a > strong > em > del > code, so a link wraps its styled text.
static void write_span(xw *x, const gl_block *b, size_t off, size_t len, uint32_t style,
                       const char *href, const gl_block *note)
{
    if ((style & GL_S_NOTEREF) && note) {
        write_noteref(x, b, off, len, note);
        return;
    }
    char ibuf[320];
    bool internal = (style & GL_S_LINK) && resolve_anchor(x->book, href, ibuf, sizeof ibuf);
    bool link = internal || ((style & GL_S_LINK) && href_ok(href));
    int open = 0;
    if (link) {
        xw_start(x, "a");
        xw_attr(x, "href", internal ? ibuf : href);
        open++;
    }
    if (style & GL_S_BOLD)
        xw_start(x, "strong"), open++;
    if (style & GL_S_ITALIC)
        xw_start(x, "em"), open++;
    if (style & GL_S_STRIKE)
        xw_start(x, "del"), open++;
    if (style & GL_S_CODE)
        xw_start(x, "code"), open++;
    text_br(x, b, off, off + len, (style & GL_S_CODE) != 0 && !memchr(b->text + off, '\n', len));
    while (open--)
        xw_end(x);
}

// Spans are documented as sorted and covering the text; clamp anyway, so a
// reader bug costs formatting, never text or memory safety.
static void write_inline(xw *x, const gl_block *b)
{
    if (!b->text)
        return;
    if (!b->spans || !b->nspans) {
        text_br(x, b, 0, b->len, false);
        return;
    }
    size_t pos = 0;
    for (size_t i = 0; i < b->nspans; i++) {
        const gl_span *s = &b->spans[i];
        size_t start = s->off, end = (size_t)s->off + s->len;
        if (start < pos)
            start = pos;
        if (end > b->len)
            end = b->len;
        if (start >= end)
            continue;
        if (start > pos)
            text_br(x, b, pos, start, false);
        write_span(x, b, start, end - start, s->style, s->href, s->note);
        pos = end;
    }
    if (pos < b->len)
        text_br(x, b, pos, b->len, false);
}

// A heading's id: its anchor from the reader (so "#anchor" links land on
// it), else sec-N.
// EPUBCheck wants ids to be XML names without colons (XML 1.0 §2.3).
static bool ncname_char(uint32_t c, bool first)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
        return true;
    if (c < 0x80)
        return !first && ((c >= '0' && c <= '9') || c == '-' || c == '.');
    if (!first && (c == 0xB7 || (c >= 0x300 && c <= 0x36F) || c == 0x203F || c == 0x2040))
        return true;
    return (c >= 0xC0 && c <= 0xD6) || (c >= 0xD8 && c <= 0xF6) || (c >= 0xF8 && c <= 0x2FF) ||
           (c >= 0x370 && c <= 0x37D) || (c >= 0x37F && c <= 0x1FFF) || c == 0x200C ||
           c == 0x200D || (c >= 0x2070 && c <= 0x218F) || (c >= 0x2C00 && c <= 0x2FEF) ||
           (c >= 0x3001 && c <= 0xD7FF) || (c >= 0xF900 && c <= 0xFDCF) ||
           (c >= 0xFDF0 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0xEFFFF);
}

static bool ncname_ok(const char *s)
{
    size_t n = strlen(s), i = 0;
    while (i < n) {
        size_t at = i;
        if (!ncname_char(gl_utf8_next(s, n, &i), at == 0))
            return false;
    }
    return n > 0;
}

static void heading_id(char *buf, size_t n, const article *a, size_t index)
{
    const char *an = a->heads[index]->anchor;
    if (an && an[0] && strlen(an) + 3 < n) {
        snprintf(buf, n, "%s", an);
        if (ncname_ok(buf))
            return;
        snprintf(buf, n, "h-%s", an);  // "1805" is no XML name; "h-1805" is
        if (ncname_ok(buf))
            return;
    }
    snprintf(buf, n, "sec-%zu", index + 1);
}

static const char *image_href(const epub *e, const gl_block *img);
static void write_md_block(xw *x, const article *a, const gl_block *b, size_t *nhead);

static void write_blocks(xw *x, const article *a, const gl_block *b, bool top, size_t *nhead)
{
    for (; b && !(top && b == a->end); b = b->next) {
        // A page that starts at a block without text starts before it.
        if (!b->text)
            pb_emit(x, b, SIZE_MAX);
        switch (b->type) {
        case GL_B_PARA:
            xw_start(x, "p");
            write_inline(x, b);
            xw_end(x);
            break;
        case GL_B_HEADING: {
            // A blank heading announces nothing (and screen readers flag
            // it); leave it out.
            if (!b->text || is_blank(b->text, b->len)) {
                pb_emit(x, b, SIZE_MAX);
                continue;
            }
            // h1 is the article title; document levels 1-5 become h2-h6.
            int lv = b->level < 1 ? 1 : b->level;
            char tag[4] = {'h', (char)('0' + (lv + 1 > 6 ? 6 : lv + 1)), 0, 0};
            xw_start(x, tag);
            // Only top-level headings are in the TOC (a heading inside a
            // blockquote is part of the quotation), so only they get ids.
            if (top && *nhead < a->nheads && a->heads[*nhead] == b) {
                char id[256];
                heading_id(id, sizeof id, a, *nhead);
                xw_attr(x, "id", id);
                (*nhead)++;
            }
            write_inline(x, b);
            xw_end(x);
            break;
        }
        case GL_B_QUOTE:
            xw_start(x, "blockquote");
            xw_nl(x);
            write_blocks(x, a, b->children, false, nhead);
            xw_end(x);
            break;
        case GL_B_CODE:
            xw_start(x, "pre");
            xw_start(x, "code");
            if (b->text)
                rich_text(x, b, b->text, b->len, 0, b->len, true);
            xw_end(x);
            xw_end(x);
            break;
        case GL_B_HR:
            xw_start(x, "hr");
            xw_end_void(x);
            break;
        case GL_B_LIST:
        case GL_B_ITEM:
        case GL_B_IMAGE:
        case GL_B_TABLE:
        case GL_B_TABLE_ROW:
        case GL_B_TABLE_CELL:
        case GL_B_FOOTNOTE:
        case GL_B_ARTICLE:
            write_md_block(x, a, b, nhead);
            break;
        default:
            // An unknown block type from a newer reader: keep its text.
            if (b->text) {
                xw_start(x, "p");
                write_inline(x, b);
                xw_end(x);
            }
            break;
        }
        // Breaks at the very end of the text start the next block.
        pb_emit(x, b, SIZE_MAX);
        xw_nl(x);
    }
}

/* Issue 4 blocks.  Recursion over children is bounded by GL_MAX_DEPTH
 * (the readers cap nesting). */
static void write_md_block(xw *x, const article *a, const gl_block *b, size_t *nhead)
{
    epub *e = x->book;
    switch (b->type) {
    case GL_B_LIST: {
        xw_start(x, b->ordered ? "ol" : "ul");
        if (b->tight)
            xw_attr(x, "class", "tight");
        if (b->ordered && b->start != 1) {
            char buf[16];
            snprintf(buf, sizeof buf, "%u", b->start);
            xw_attr(x, "start", buf);
        }
        xw_nl(x);
        for (const gl_block *it = b->children; it; it = it->next) {
            xw_start(x, "li");
            write_blocks(x, a, it->type == GL_B_ITEM ? it->children : NULL, false, nhead);
            xw_end(x);
            xw_nl(x);
        }
        xw_end(x);
        break;
    }
    case GL_B_ITEM:  // outside a list (not made by readers): its content
    case GL_B_ARTICLE:
        write_blocks(x, a, b->children, false, nhead);
        break;
    case GL_B_IMAGE: {
        const char *src = image_href(e, b);
        xw_start(x, "div");
        xw_attr(x, "class", "figure");
        if (src) {
            char buf[64];
            snprintf(buf, sizeof buf, "../%s", src);
            xw_start(x, "img");
            xw_attr(x, "src", buf);
            // alt="" marks a decorative image (WCAG H67); the text is kept.
            xw_attr(x, "alt", b->text ? b->text : "");
            xw_end_void(x);
        }
        xw_end(x);
        break;
    }
    case GL_B_TABLE: {
        static const char *const al[] = {NULL, "al-l", "al-c", "al-r"};
        xw_start(x, "table");
        xw_nl(x);
        const gl_block *r = b->children;
        bool head = r && r->header;
        if (head) {
            xw_start(x, "thead");
            xw_nl(x);
        }
        bool body_open = false;
        for (; r; r = r->next) {
            if (!r->header && !body_open) {
                if (head)
                    xw_end(x);  // thead
                xw_start(x, "tbody");
                xw_nl(x);
                body_open = true;
            }
            xw_start(x, "tr");
            unsigned col = 0;
            for (const gl_block *c = r->children; c; c = c->next, col++) {
                xw_start(x, r->header && !body_open ? "th" : "td");
                gl_align ga = col < b->ncols && b->align ? b->align[col] : GL_ALIGN_NONE;
                if (ga > GL_ALIGN_NONE && ga <= GL_ALIGN_RIGHT)
                    xw_attr(x, "class", al[ga]);
                write_inline(x, c);
                xw_end(x);
            }
            xw_end(x);  // tr
            xw_nl(x);
        }
        if (head && !body_open)
            xw_end(x);  // thead only
        if (body_open)
            xw_end(x);  // tbody
        xw_end(x);      // table
        break;
    }
    case GL_B_TABLE_ROW:
    case GL_B_TABLE_CELL:  // outside a table (not made by readers): as text
        if (b->text) {
            xw_start(x, "p");
            write_inline(x, b);
            xw_end(x);
        }
        for (const gl_block *c = b->children; c; c = c->next)
            write_md_block(x, a, c, nhead);
        break;
    case GL_B_FOOTNOTE: {
        // EPUB 3.3 §D.4.1: <aside epub:type="footnote">, with a link back to
        // the first reference (DPUB-ARIA doc-backlink).
        char fid[32], back[48];
        note_id(fid, sizeof fid, b);
        xw_start(x, "aside");
        xw_attr(x, "class", "footnote");
        xw_attr(x, "epub:type", "footnote");
        xw_attr(x, "role", "doc-footnote");
        xw_attr(x, "id", fid);
        xw_nl(x);
        bool referenced = false;
        for (size_t i = 0; i < a->nuses; i++)
            referenced = referenced || a->uses[i].note == b;
        xw_start(x, "p");
        xw_attr(x, "class", "fn-label");
        if (referenced) {
            snprintf(back, sizeof back, "#fnref-%u", b->note_num);
            xw_start(x, "a");
            xw_attr(x, "href", back);
            xw_attr(x, "role", "doc-backlink");
            char lab[16];
            snprintf(lab, sizeof lab, "%u", b->note_num);
            xw_text(x, lab, strlen(lab));
            xw_end(x);
        } else {
            char lab[16];
            snprintf(lab, sizeof lab, "%u", b->note_num);
            xw_text(x, lab, strlen(lab));
        }
        xw_end(x);
        xw_nl(x);
        write_blocks(x, a, b->children, false, nhead);
        xw_end(x);
        break;
    }
    default:
        break;
    }
}

// The common head of the XHTML documents: HTML5 doctype in XML syntax,
// both lang attributes (EPUB 3.3 §6.1.4 / Ace epub-lang), title, stylesheet.
static void xhtml_head(xw *x, const epub *e, const char *title, const char *css_href)
{
    x->html = true;
    ok(x, xmlTextWriterStartDTD(x->w, BAD_CAST "html", NULL, NULL));
    ok(x, xmlTextWriterEndDTD(x->w));
    xw_nl(x);
    xw_start(x, "html");
    xw_attr(x, "xmlns", XHTML_NS);
    xw_attr(x, "xmlns:epub", OPS_NS);
    xw_attr(x, "lang", e->lang);
    xw_attr(x, "xml:lang", e->lang);
    xw_nl(x);
    xw_start(x, "head");
    xw_nl(x);
    xw_start(x, "meta");
    xw_attr(x, "charset", "utf-8");
    xw_end_void(x);
    xw_nl(x);
    xw_elem(x, "title", title);
    xw_nl(x);
    xw_start(x, "link");
    xw_attr(x, "rel", "stylesheet");
    xw_attr(x, "type", "text/css");
    xw_attr(x, "href", css_href);
    xw_end_void(x);
    xw_nl(x);
    xw_end(x);  // head
    xw_nl(x);
}

static int write_article(epub *e, article *a, gl_buf *out)
{
    // The article's own title block (issue 4); the doc's for one article.
    const gl_meta *m = a->meta ? a->meta : &e->doc->meta;
    e->cur = a;
    xw x;
    if (xw_open(&x, e->ctx, false))
        return -1;
    x.book = e;  // script treatment and page breaks (rich_text)
    xhtml_head(&x, e, a->title, "../style.css");
    xw_start(&x, "body");
    xw_nl(&x);
    // The title block: what a newspaper prints above the article.
    xw_start(&x, "header");
    xw_attr(&x, "class", "title-block");
    xw_nl(&x);
    xw_start(&x, "h1");
    xw_attr(&x, "class", "title");
    rich_text(&x, NULL, a->title, strlen(a->title), 0, strlen(a->title), false);
    xw_end(&x);
    xw_nl(&x);
    if (m->subtitle && !is_blank(m->subtitle, strlen(m->subtitle))) {
        xw_start(&x, "p");
        xw_attr(&x, "class", "subtitle");
        rich_text(&x, NULL, m->subtitle, strlen(m->subtitle), 0, strlen(m->subtitle), false);
        xw_end(&x);
        xw_nl(&x);
    }
    const char *shown = m->display_date && !is_blank(m->display_date, strlen(m->display_date))
                            ? m->display_date
                            : (date_ok(m->date) ? m->date : NULL);
    if (shown) {
        xw_start(&x, "p");
        xw_attr(&x, "class", "date");
        // <time datetime> lets readers and assistive technology parse it.
        if (date_ok(m->date)) {
            xw_start(&x, "time");
            xw_attr(&x, "datetime", m->date);
            xw_text(&x, shown, strlen(shown));
            xw_end(&x);
        } else {
            xw_text(&x, shown, strlen(shown));
        }
        xw_end(&x);
        xw_nl(&x);
    }
    if (m->byline && !is_blank(m->byline, strlen(m->byline))) {
        xw_start(&x, "p");
        xw_attr(&x, "class", "byline");
        rich_text(&x, NULL, m->byline, strlen(m->byline), 0, strlen(m->byline), false);
        xw_end(&x);
        xw_nl(&x);
    }
    xw_end(&x);  // header
    xw_nl(&x);
    size_t nhead = 0;
    write_blocks(&x, a, a->first, true, &nhead);
    // Breaks of this document that no writer placed (a block type that
    // does not call rich_text): at the end, so the page-list still works.
    for (size_t i = 0; i < e->npbs; i++)
        if (e->pbs[i].found && !e->pbs[i].done && e->pbs[i].art == a)
            pb_marker(&x, &e->pbs[i]);
    xw_end(&x);  // body
    xw_nl(&x);
    xw_end(&x);  // html
    xw_nl(&x);
    return xw_close(&x, out, a->href, e->out_path);
}

/* ================================================================ fonts, page-list, accessibility */

static bool text_has_cjk(const char *s, size_t n)
{
    for (size_t i = 0; s && i < n;)
        if (gl_is_cjk(gl_utf8_next(s, n, &i)))
            return true;
    return false;
}

static bool str_has_cjk(const char *s) { return s && text_has_cjk(s, strlen(s)); }

static bool meta_has_cjk(const gl_meta *m)
{
    return m && (str_has_cjk(m->title) || str_has_cjk(m->subtitle) ||
                 str_has_cjk(m->byline) || str_has_cjk(m->display_date));
}

// Recursion is bounded by GL_MAX_DEPTH (doc.h).
static bool blocks_have_cjk(const gl_block *b)
{
    for (; b; b = b->next)
        if ((b->text && text_has_cjk(b->text, b->len)) || meta_has_cjk(b->meta) ||
            blocks_have_cjk(b->children))
            return true;
    return false;
}

galley_epub_fonts gl_epub_font_mode(const gl_doc *doc, galley_epub_fonts mode)
{
    if (mode != GALLEY_EPUB_FONTS_AUTO)
        return mode;
    // Readers without a Chinese font show tofu; every reader has Latin.
    return doc && (meta_has_cjk(&doc->meta) || blocks_have_cjk(doc->first))
               ? GALLEY_EPUB_FONTS_SUBSET
               : GALLEY_EPUB_FONTS_NONE;
}

/* ---------------------------------------------------------------- page breaks */

static void resolve_in(epub *e, const article *a, const gl_block *b, const gl_block *stop)
{
    for (; b && b != stop; b = b->next) {
        for (size_t i = 0; i < e->npbs; i++) {
            pbreak *p = &e->pbs[i];
            if (!p->found && p->src->block == b) {
                p->found = true;
                p->art = a;
                p->off = b->text ? (p->src->off < b->len ? p->src->off : b->len) : 0;
            }
        }
        resolve_in(e, a, b->children, NULL);
    }
}

/* Finds the content document of every break and gives it an id:
 * "page-" + the label when that is a plain ASCII token not used yet (so
 * that a link to "#page-12" reads as what it is), else "page-at-N". */
static int resolve_breaks(epub *e, const gl_epub_opts *eo)
{
    if (!eo || !eo->breaks || !eo->nbreaks)
        return 0;
    e->pbs = gl_calloc(e->ctx, eo->nbreaks, sizeof *e->pbs);
    if (!e->pbs)
        return -1;
    e->npbs = eo->nbreaks;
    for (size_t i = 0; i < e->npbs; i++)
        e->pbs[i].src = &eo->breaks[i];
    // Articles made of top-level runs share one chain: each ends where the
    // next begins.  An article block's children end at NULL anyway.
    for (size_t k = 0; k < e->narts; k++)
        resolve_in(e, &e->arts[k], e->arts[k].first,
                   k + 1 < e->narts ? e->arts[k + 1].first : NULL);
    for (size_t i = 0; i < e->npbs; i++) {
        pbreak *p = &e->pbs[i];
        // A break without a printable label cannot be named (aria-label).
        if (!p->src->label || is_blank(p->src->label, strlen(p->src->label)))
            p->found = false;
        if (!p->found)
            continue;
        e->npbs_found++;
        const char *l = p->src->label;
        bool token = strlen(l) < 24;
        for (const char *c = l; token && *c; c++)
            token = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                    (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' || *c == '.';
        if (token)
            snprintf(p->id, sizeof p->id, "page-%s", l);
        for (size_t j = 0; token && j < i; j++)
            if (e->pbs[j].found && strcmp(e->pbs[j].id, p->id) == 0)
                token = false;
        if (!token)
            snprintf(p->id, sizeof p->id, "page-at-%zu", i + 1);
    }
    e->page_source = eo->page_source && !is_blank(eo->page_source, strlen(eo->page_source))
                         ? eo->page_source
                         : NULL;
    return 0;
}

/* ---------------------------------------------------------------- fonts */

/* One embedded face: the code points it draws in this book, and its file. */
typedef struct efont {
    uint32_t *cps;
    size_t n, cap;
    gl_buf data;     /* the subset TrueType file */
} efont;

/* Per face role: file name in OEBPS/fonts/, CSS family, weight, style. */
static const struct {
    const char *file, *family, *weight, *style;
} FACE_CSS[GL_FACE_COUNT] = {
    {"latin-regular.ttf", "galley-serif", "normal", "normal"},
    {"latin-bold.ttf", "galley-serif", "bold", "normal"},
    {"latin-italic.ttf", "galley-serif", "normal", "italic"},
    {"latin-bold-italic.ttf", "galley-serif", "bold", "italic"},
    {"cjk.ttf", "galley-cjk", "normal", "normal"},
    {"cjk-heading.ttf", "galley-cjk-heading", "normal", "normal"},
    {"cjk-fallback.ttf", "galley-cjk-fallback", "normal", "normal"},
};

// The punctuation that layout.c sets from the CJK font next to Chinese
// text (curly quotes, dashes, ellipsis, middle dot).  In the EPUB a code
// point can live in one face of a font stack only, so a CJK book gives
// them all to the CJK face, as the PDF does in Chinese context.
static bool cjk_ambiguous(uint32_t cp)
{
    return cp == 0x2018 || cp == 0x2019 || cp == 0x201C || cp == 0x201D || cp == 0x2014 ||
           cp == 0x2026 || cp == 0x00B7 || cp == 0x2015;
}

/* Notes the faces that draw s[0, n) in the given GL_S_* style, as the
 * stylesheet will ask for them: headings are bold; CJK books set italics
 * upright (emphasis dots instead), and code in the reader's monospace, so
 * only its CJK characters need our faces. */
static int font_text(epub *e, const char *s, size_t n, uint32_t style, bool heading)
{
    unsigned st = GL_F_REGULAR;
    if (heading || (style & GL_S_BOLD))
        st |= GL_F_BOLD;
    if ((style & GL_S_ITALIC) && !e->cjk)
        st |= GL_F_ITALIC;
    for (size_t i = 0; s && i < n;) {
        uint32_t cp = gl_utf8_next(s, n, &i);
        if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
            continue;
        int f = e->cjk && cjk_ambiguous(cp)
                    ? gl_font_pick_cjk_first(e->fs, (gl_font_style)st, heading, cp)
                    : gl_font_pick(e->fs, (gl_font_style)st, heading, cp);
        if (f < 0)
            continue;
        f = gl_face_canonical(e->fs, f);
        if ((style & GL_S_CODE) && f < GL_FACE_CJK)
            continue;
        efont *ef = &e->fonts[f];
        if (ef->n && ef->cps[ef->n - 1] == cp)
            continue;  // cheap de-duplication; the rest after sorting
        if (GL_GROW(e->ctx, ef->cps, ef->cap, ef->n + 1))
            return -1;
        ef->cps[ef->n++] = cp;
    }
    return 0;
}

static int font_str(epub *e, const char *s, uint32_t style, bool heading)
{
    return s ? font_text(e, s, strlen(s), style, heading) : 0;
}

static int font_meta(epub *e, const gl_meta *m)
{
    if (!m)
        return 0;
    // The title is the article's h1 and a nav entry (regular weight).
    if (font_str(e, m->title, 0, true) || font_str(e, m->title, 0, false) ||
        font_str(e, m->subtitle, 0, false) || font_str(e, m->byline, 0, false) ||
        font_str(e, m->display_date, 0, false) || font_str(e, m->date, 0, false))
        return -1;
    return 0;
}

static int font_blocks(epub *e, const gl_block *b)
{
    for (; b; b = b->next) {
        bool heading = b->type == GL_B_HEADING;
        if (b->type == GL_B_CODE) {
            GL_CHECK(font_text(e, b->text, b->len, GL_S_CODE, false));
        } else if (b->text && b->spans && b->nspans) {
            size_t pos = 0;
            for (size_t i = 0; i < b->nspans; i++) {
                size_t start = b->spans[i].off, end = start + b->spans[i].len;
                if (end > b->len)
                    end = b->len;
                if (start < pos)
                    start = pos;
                if (start >= end)
                    continue;
                GL_CHECK(font_text(e, b->text + pos, start - pos, 0, heading));
                GL_CHECK(font_text(e, b->text + start, end - start, b->spans[i].style, heading));
                pos = end;
            }
            GL_CHECK(font_text(e, b->text + pos, b->len - pos, 0, heading));
        } else if (b->text) {
            GL_CHECK(font_text(e, b->text, b->len, 0, heading));
        }
        // Headings are also nav entries, in the body face.
        if (heading)
            GL_CHECK(font_text(e, b->text, b->len, 0, false));
        GL_CHECK(font_meta(e, b->meta));
        GL_CHECK(font_blocks(e, b->children));
    }
    return 0;
cleanup:
    return -1;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

// Contents label strings the nav shows (see contents_label()).
static const char *contents_label(const epub *e);

/* Collects what each face draws and makes its file: subset to exactly
 * those characters (SUBSET) or everything the face covers (FULL).  Faces
 * that draw nothing are left out. */
static int make_fonts(epub *e)
{
    if (e->font_mode != GALLEY_EPUB_FONTS_SUBSET && e->font_mode != GALLEY_EPUB_FONTS_FULL)
        return 0;
    if (!e->fs)
        return gl_error(e->ctx, GALLEY_ERR_INTERNAL, "%s: EPUB fonts requested without a font set",
                        e->out_path);
    e->fonts = gl_calloc(e->ctx, GL_FACE_COUNT, sizeof *e->fonts);
    if (!e->fonts)
        return -1;
    for (int f = 0; f < GL_FACE_COUNT; f++)
        gl_buf_init(&e->fonts[f].data, e->ctx);
    GL_CHECK(font_str(e, e->title, 0, true));
    GL_CHECK(font_str(e, e->title, 0, false));
    GL_CHECK(font_str(e, contents_label(e), 0, true));
    GL_CHECK(font_meta(e, &e->doc->meta));
    GL_CHECK(font_blocks(e, e->doc->first));
    if (e->cjk)
        GL_CHECK(font_str(e, AUTOSPACE, 0, false));  // the Han-Latin space
    for (int f = 0; f < GL_FACE_COUNT; f++) {
        efont *ef = &e->fonts[f];
        if (!ef->n)
            continue;
        if (e->font_mode == GALLEY_EPUB_FONTS_FULL) {
            // Every character of the face: what a reader needs to show any
            // text in it, e.g. after the reader's own edits or lookups.
            ef->n = 0;
            for (uint32_t cp = 0x20; cp <= 0x10FFFF; cp++) {
                if (cp == 0xD800)
                    cp = 0xE000;
                if (!gl_face_has(e->fs, f, cp))
                    continue;
                if (GL_GROW(e->ctx, ef->cps, ef->cap, ef->n + 1))
                    goto cleanup;
                ef->cps[ef->n++] = cp;
            }
        } else {
            qsort(ef->cps, ef->n, sizeof *ef->cps, cmp_u32);
            size_t k = 0;
            for (size_t i = 0; i < ef->n; i++)
                if (!k || ef->cps[k - 1] != ef->cps[i])
                    ef->cps[k++] = ef->cps[i];
            ef->n = k;
        }
        char *data = NULL;
        size_t len = 0;
        GL_CHECK(gl_face_subset(e->ctx, e->fs, f, ef->cps, ef->n, &data, &len));
        int rc = gl_buf_put(&ef->data, data, len);
        gl_free(data);
        if (rc)
            goto cleanup;
    }
    return 0;
cleanup:
    return -1;
}

static bool font_embedded(const epub *e, int f) { return e->fonts && e->fonts[f].data.len; }

static void free_fonts(epub *e)
{
    if (!e->fonts)
        return;
    for (int f = 0; f < GL_FACE_COUNT; f++) {
        gl_free(e->fonts[f].cps);
        gl_buf_free(&e->fonts[f].data);
    }
    gl_free(e->fonts);
    e->fonts = NULL;
}

/* A font-family list: the embedded faces of the given roles, in order,
 * then the generic family. */
static int css_stack(const epub *e, gl_buf *out, const char *sel, const int *roles, size_t n,
                     const char *generic)
{
    if (gl_buf_printf(out, "%s { font-family:", sel))
        return -1;
    const char *last = NULL;
    for (size_t i = 0; i < n; i++) {
        int f = roles[i];
        if (!font_embedded(e, f) || (last && strcmp(last, FACE_CSS[f].family) == 0))
            continue;
        if (gl_buf_printf(out, " \"%s\",", FACE_CSS[f].family))
            return -1;
        last = FACE_CSS[f].family;
    }
    return gl_buf_printf(out, " %s; }\n", generic);
}

/* @font-face rules and font stacks for the embedded faces (CSS Fonts 3
 * §4).  The subsets are disjoint, so a reader takes each character from
 * the face that the PDF uses for it by plain per-character fallback. */
static int write_font_css(const epub *e, gl_buf *out)
{
    if (!e->fonts)
        return 0;
    if (gl_buf_puts(out, "\n/* embedded fonts (galley --epub-fonts) */\n"))
        return -1;
    for (int f = 0; f < GL_FACE_COUNT; f++) {
        if (!font_embedded(e, f))
            continue;
        // The heading face is a Hei face meant to be used as is: declare
        // it for bold too, so that h1-h6 do not get a synthesized bold.
        for (int bold = 0; bold < (f == GL_FACE_CJK_HEADING ? 2 : 1); bold++)
            if (gl_buf_printf(out,
                              "@font-face { font-family: \"%s\"; font-weight: %s;"
                              " font-style: %s; src: url(\"fonts/%s\") format(\"truetype\"); }\n",
                              FACE_CSS[f].family, bold ? "bold" : FACE_CSS[f].weight,
                              FACE_CSS[f].style, FACE_CSS[f].file))
                return -1;
    }
    static const int body[] = {GL_FACE_LATIN_REGULAR, GL_FACE_CJK, GL_FACE_CJK_FALLBACK};
    static const int head[] = {GL_FACE_LATIN_REGULAR, GL_FACE_CJK_HEADING, GL_FACE_CJK,
                               GL_FACE_CJK_FALLBACK};
    static const int mono[] = {GL_FACE_CJK, GL_FACE_CJK_FALLBACK};
    // Any Latin face of the family (regular, bold, italic) names it.
    int roles_body[3], roles_head[4];
    memcpy(roles_body, body, sizeof body);
    memcpy(roles_head, head, sizeof head);
    for (int f = GL_FACE_LATIN_REGULAR; f <= GL_FACE_LATIN_BOLD_ITALIC; f++)
        if (font_embedded(e, f)) {
            roles_body[0] = roles_head[0] = f;
            break;
        }
    if (css_stack(e, out, "body", roles_body, 3, "serif") ||
        css_stack(e, out, "h1, h2, h3, h4, h5, h6", roles_head, 4, "serif"))
        return -1;
    // Latin code stays in the reader's monospace; CJK in it needs ours.
    return css_stack(e, out, "code, pre", mono, 2, "monospace");
}

/* ---------------------------------------------------------------- accessibility */

static void count_images(epub *e, const gl_block *b)
{
    for (; b; b = b->next) {
        if (b->type == GL_B_IMAGE) {
            e->nimages++;
            if (b->text && !is_blank(b->text, b->len))
                e->nimages_alt++;
        }
        count_images(e, b->children);
    }
}

static void opf_meta(xw *x, const char *property, const char *value)
{
    xw_start(x, "meta");
    xw_attr(x, "property", property);
    xw_text(x, value, strlen(value));
    xw_end(x);
}

/* EPUB Accessibility 1.1 §2 discovery metadata (schema.org properties) and,
 * when the checks below pass, the conformance claim (§4.2).  What galley
 * writes is structurally WCAG 2.1 AA by construction — a language on every
 * document and on other-language runs, one h1 per document and ordered
 * heading levels, a nav TOC in reading order, no styles in the content,
 * text that reflows — so the claim depends on what galley cannot make up:
 * a known language and a text alternative for every image.  The evaluator
 * (a11y:certifiedBy, required with the claim) is galley's own check,
 * and the summary says so. */
static void write_a11y(xw *x, const epub *e)
{
    bool images = e->nimages > 0, all_alt = e->nimages_alt == e->nimages;
    bool pages = e->npbs_found > 0;
    opf_meta(x, "schema:accessMode", "textual");
    if (images)
        opf_meta(x, "schema:accessMode", "visual");
    // Text alone suffices when every image is described.
    opf_meta(x, "schema:accessModeSufficient", all_alt ? "textual" : "textual,visual");
    static const char *const features[] = {"tableOfContents", "readingOrder",
                                           "structuralNavigation", "displayTransformability"};
    for (size_t i = 0; i < sizeof features / sizeof *features; i++)
        opf_meta(x, "schema:accessibilityFeature", features[i]);
    if (images && all_alt)
        opf_meta(x, "schema:accessibilityFeature", "alternativeText");
    if (pages) {
        // printPageNumbers is the name the issue and older checkers know;
        // schema.org now splits it into pageBreakMarkers + pageNavigation.
        opf_meta(x, "schema:accessibilityFeature", "printPageNumbers");
        opf_meta(x, "schema:accessibilityFeature", "pageBreakMarkers");
        opf_meta(x, "schema:accessibilityFeature", "pageNavigation");
    }
    opf_meta(x, "schema:accessibilityHazard", "none");
    bool conforms = strcmp(e->lang, "und") != 0 && all_alt;
    char summary[512];
    snprintf(summary, sizeof summary,
             "Reflowable text with a navigable table of contents, headings in order, and the "
             "language marked on every document%s%s%s. %s",
             images ? (all_alt ? ", with text alternatives for all images" :
                                 ", but some images lack text alternatives")
                    : "",
             pages ? ", and page numbers of the print edition" : "",
             e->fonts ? ", with embedded fonts for its scripts" : "",
             conforms ? "Checked automatically by galley against EPUB Accessibility 1.1 and "
                        "WCAG 2.1 Level AA; no manual review."
                      : "Not claimed to conform to EPUB Accessibility 1.1.");
    opf_meta(x, "schema:accessibilitySummary", summary);
    if (conforms) {
        opf_meta(x, "dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.1 Level AA");
        opf_meta(x, "a11y:certifiedBy", "galley " GALLEY_VERSION_STRING " (automated checks)");
    }
    if (pages) {
        char src[512];
        if (e->page_source)
            snprintf(src, sizeof src, "%s", e->page_source);
        else
            snprintf(src, sizeof src, "%s (print PDF)", e->title);
        // The pagination source.  A11y 1.1 names it a11y:pageBreakSource,
        // but EPUBCheck 4.2.6 (Debian 12) rejects that property (OPF-027);
        // the EPUB 3.2 form below is valid there, still allowed in EPUB
        // 3.3, and read by Ace.  Switch when the validator knows A11y 1.1.
        xw_start(x, "dc:source");
        xw_attr(x, "id", "print-source");
        xw_text(x, src, strlen(src));
        xw_end(x);
        xw_start(x, "meta");
        xw_attr(x, "refines", "#print-source");
        xw_attr(x, "property", "source-of");
        xw_text(x, "pagination", 10);
        xw_end(x);
    }
}

/* ---------------------------------------------------------------- page-list */

/* EPUB 3.3 §7.4.3: the page-list nav, in the order given (reading order). */
static void nav_page_list(xw *x, const epub *e)
{
    if (!e->npbs_found)
        return;
    xw_start(x, "nav");
    xw_attr(x, "epub:type", "page-list");
    xw_attr(x, "role", "doc-pagelist");   // DPUB-ARIA, as epub:type says (Ace)
    xw_attr(x, "id", "page-list");
    xw_attr(x, "hidden", "hidden");
    xw_elem(x, "h2", strncmp(e->lang, "zh", 2) == 0 ? "页码" : "Pages");
    xw_start(x, "ol");
    for (size_t i = 0; i < e->npbs; i++) {
        const pbreak *p = &e->pbs[i];
        if (!p->found)
            continue;
        char href[128];
        snprintf(href, sizeof href, "%s#%s", p->art->href, p->id);
        xw_start(x, "li");
        xw_start(x, "a");
        xw_attr(x, "href", href);
        xw_text(x, p->src->label, strlen(p->src->label));
        xw_end(x);
        xw_end(x);
    }
    xw_end(x);  // ol
    xw_end(x);  // nav
}

// A label the NCX may call a "normal" page: digits only (NCX 2005-1 §8.4.2:
// value is the page's integer number); roman front matter is "front".
static bool label_is_number(const char *l, unsigned long *v)
{
    if (!*l || strlen(l) > 9)
        return false;
    for (const char *c = l; *c; c++)
        if (*c < '0' || *c > '9')
            return false;
    *v = strtoul(l, NULL, 10);
    return *v > 0;
}

/* The NCX pageList for EPUB 2 reading systems. */
static void ncx_page_list(xw *x, const epub *e, int *order)
{
    if (!e->npbs_found)
        return;
    xw_start(x, "pageList");
    xw_start(x, "navLabel");
    xw_elem(x, "text", "Pages");
    xw_end(x);
    for (size_t i = 0; i < e->npbs; i++) {
        const pbreak *p = &e->pbs[i];
        if (!p->found)
            continue;
        char buf[128];
        unsigned long v;
        bool num = label_is_number(p->src->label, &v);
        xw_start(x, "pageTarget");
        snprintf(buf, sizeof buf, "pt-%s", p->id);
        xw_attr(x, "id", buf);
        xw_attr(x, "type", num ? "normal" : "front");
        if (num) {
            snprintf(buf, sizeof buf, "%lu", v);
            xw_attr(x, "value", buf);
        }
        snprintf(buf, sizeof buf, "%d", ++*order);
        xw_attr(x, "playOrder", buf);
        xw_start(x, "navLabel");
        xw_elem(x, "text", p->src->label);
        xw_end(x);
        xw_start(x, "content");
        snprintf(buf, sizeof buf, "%s#%s", p->art->href, p->id);
        xw_attr(x, "src", buf);
        xw_end(x);
        xw_end(x);  // pageTarget
    }
    xw_end(x);  // pageList
}

/* Everything issue 5 adds before the parts are written.  Fonts come last:
 * they need the title and language settled. */
static int prepare_extras(epub *e, const gl_epub_opts *eo)
{
    e->cjk = e->doc->meta.lang_is_cjk || gl_lang_is_cjk(e->lang);
    e->font_mode = eo ? eo->font_mode : GALLEY_EPUB_FONTS_NONE;
    e->fs = eo ? eo->fonts : NULL;
    count_images(e, e->doc->first);
    if (resolve_breaks(e, eo))
        return -1;
    return make_fonts(e);
}

static void free_extras(epub *e)
{
    free_fonts(e);
    gl_free(e->pbs);
    e->pbs = NULL;
    e->npbs = 0;
}

/* ================================================================ navigation */

// The text of a heading for the TOC: no markup, controls removed.
static void heading_label(xw *x, const gl_block *h)
{
    xw_text(x, h->text ? h->text : "", h->text ? h->len : 0);
}

/* Writes heads[from, to) as an <ol>: each heading owns the following ones
 * of a deeper level.  Recursion depth is bounded by the six levels. */
static void nav_list(xw *x, const article *a, size_t from, size_t to)
{
    xw_start(x, "ol");
    for (size_t i = from; i < to;) {
        size_t j = i + 1;
        while (j < to && a->heads[j]->level > a->heads[i]->level)
            j++;
        char href[320], id[256];
        heading_id(id, sizeof id, a, i);
        snprintf(href, sizeof href, "%s#%s", a->href, id);
        xw_start(x, "li");
        xw_start(x, "a");
        xw_attr(x, "href", href);
        heading_label(x, a->heads[i]);
        xw_end(x);
        if (j > i + 1)
            nav_list(x, a, i + 1, j);
        xw_end(x);
        i = j;
    }
    xw_end(x);
}

static const char *contents_label(const epub *e)
{
    // The nav heading in the book's language where we know it.
    if (strncmp(e->lang, "zh", 2) == 0)
        return "目录";
    if (strncmp(e->lang, "ja", 2) == 0)
        return "目次";
    if (strncmp(e->lang, "ko", 2) == 0)
        return "목차";
    return "Contents";
}

static int write_nav(epub *e, gl_buf *out)
{
    xw x;
    if (xw_open(&x, e->ctx, true))
        return -1;
    xhtml_head(&x, e, e->title, "style.css");
    xw_start(&x, "body");
    // EPUB 3.3 §7.4: exactly one toc nav, an <ol> of <li><a>.
    xw_start(&x, "nav");
    xw_attr(&x, "epub:type", "toc");
    xw_attr(&x, "role", "doc-toc");   // DPUB-ARIA, as epub:type says (Ace)
    xw_attr(&x, "id", "toc");
    xw_elem(&x, "h1", contents_label(e));
    xw_start(&x, "ol");
    for (size_t k = 0; k < e->narts; k++) {
        const article *a = &e->arts[k];
        xw_start(&x, "li");
        xw_start(&x, "a");
        xw_attr(&x, "href", a->href);
        xw_text(&x, a->title, strlen(a->title));
        xw_end(&x);
        if (a->nheads)
            nav_list(&x, a, 0, a->nheads);
        xw_end(&x);
    }
    xw_end(&x);  // ol
    xw_end(&x);  // nav
    // Landmarks (§7.4.4): where the TOC and the body matter begin.
    xw_start(&x, "nav");
    xw_attr(&x, "epub:type", "landmarks");
    xw_attr(&x, "hidden", "hidden");
    xw_start(&x, "ol");
    xw_start(&x, "li");
    xw_start(&x, "a");
    xw_attr(&x, "epub:type", "toc");
    xw_attr(&x, "href", "nav.xhtml#toc");
    xw_text(&x, contents_label(e), strlen(contents_label(e)));
    xw_end(&x);
    xw_end(&x);
    xw_start(&x, "li");
    xw_start(&x, "a");
    xw_attr(&x, "epub:type", "bodymatter");
    xw_attr(&x, "href", e->arts[0].href);
    xw_text(&x, e->arts[0].title, strlen(e->arts[0].title));
    xw_end(&x);
    xw_end(&x);
    xw_end(&x);  // ol
    xw_end(&x);  // nav
    nav_page_list(&x, e);
    xw_end(&x);  // body
    xw_end(&x);  // html
    return xw_close(&x, out, "nav.xhtml", e->out_path);
}

static void ncx_point(xw *x, int *order, const char *id, const char *label, size_t label_len,
                      const char *src)
{
    char buf[16];
    xw_start(x, "navPoint");
    xw_attr(x, "id", id);
    snprintf(buf, sizeof buf, "%d", ++*order);
    xw_attr(x, "playOrder", buf);
    xw_start(x, "navLabel");
    xw_start(x, "text");
    xw_text(x, label, label_len);
    xw_end(x);
    xw_end(x);
    xw_start(x, "content");
    xw_attr(x, "src", src);
    xw_end(x);
}

// Same nesting as nav_list(); NCX navPoints nest directly.
static void ncx_list(xw *x, const article *a, size_t from, size_t to, int *order, int depth,
                     int *maxdepth)
{
    if (depth > *maxdepth)
        *maxdepth = depth;
    for (size_t i = from; i < to;) {
        size_t j = i + 1;
        while (j < to && a->heads[j]->level > a->heads[i]->level)
            j++;
        char src[320], id[320], hid[256];
        heading_id(hid, sizeof hid, a, i);
        snprintf(src, sizeof src, "%s#%s", a->href, hid);
        snprintf(id, sizeof id, "%s-%s", a->id, hid);
        const gl_block *h = a->heads[i];
        ncx_point(x, order, id, h->text ? h->text : "", h->text ? h->len : 0, src);
        if (j > i + 1)
            ncx_list(x, a, i + 1, j, order, depth + 1, maxdepth);
        xw_end(x);  // navPoint
        i = j;
    }
}

static int nav_depth(const article *a, size_t from, size_t to)
{
    int best = 0;
    for (size_t i = from; i < to;) {
        size_t j = i + 1;
        while (j < to && a->heads[j]->level > a->heads[i]->level)
            j++;
        int d = 1 + (j > i + 1 ? nav_depth(a, i + 1, j) : 0);
        if (d > best)
            best = d;
        i = j;
    }
    return best;
}

/* The EPUB 2 NCX (OPF 2.0.1 §2.4.1), for readers that predate the nav. */
static int write_ncx(epub *e, gl_buf *out)
{
    xw x;
    if (xw_open(&x, e->ctx, true))
        return -1;
    int depth = 1;
    for (size_t k = 0; k < e->narts; k++) {
        int d = 1 + nav_depth(&e->arts[k], 0, e->arts[k].nheads);
        if (d > depth)
            depth = d;
    }
    char dbuf[16];
    snprintf(dbuf, sizeof dbuf, "%d", depth);
    xw_start(&x, "ncx");
    xw_attr(&x, "xmlns", "http://www.daisy.org/z3986/2005/ncx/");
    xw_attr(&x, "version", "2005-1");
    xw_attr(&x, "xml:lang", e->lang);
    xw_start(&x, "head");
    static const char *const names[] = {"dtb:uid", "dtb:depth", "dtb:totalPageCount",
                                        "dtb:maxPageNumber"};
    // Page counts from the page-list (0 when there is none, as NCX wants).
    char pcount[24] = "0", pmax[24] = "0";
    unsigned long maxpage = 0, v;
    for (size_t i = 0; i < e->npbs; i++)
        if (e->pbs[i].found && label_is_number(e->pbs[i].src->label, &v) && v > maxpage)
            maxpage = v;
    if (e->npbs_found) {
        snprintf(pcount, sizeof pcount, "%zu", e->npbs_found);
        snprintf(pmax, sizeof pmax, "%lu", maxpage);
    }
    const char *values[] = {e->identifier, dbuf, pcount, pmax};
    for (int i = 0; i < 4; i++) {
        xw_start(&x, "meta");
        xw_attr(&x, "name", names[i]);
        xw_attr(&x, "content", values[i]);
        xw_end(&x);
    }
    xw_end(&x);  // head
    xw_start(&x, "docTitle");
    xw_elem(&x, "text", e->title);
    xw_end(&x);
    xw_start(&x, "navMap");
    int order = 0, maxdepth = 0;
    for (size_t k = 0; k < e->narts; k++) {
        const article *a = &e->arts[k];
        ncx_point(&x, &order, a->id, a->title, strlen(a->title), a->href);
        ncx_list(&x, a, 0, a->nheads, &order, 2, &maxdepth);
        xw_end(&x);  // navPoint
    }
    xw_end(&x);  // navMap
    ncx_page_list(&x, e, &order);
    xw_end(&x);  // ncx
    return xw_close(&x, out, "toc.ncx", e->out_path);
}

/* ================================================================ package */

static int write_container(epub *e, gl_buf *out)
{
    xw x;
    if (xw_open(&x, e->ctx, true))
        return -1;
    xw_start(&x, "container");
    xw_attr(&x, "version", "1.0");
    xw_attr(&x, "xmlns", "urn:oasis:names:tc:opendocument:xmlns:container");
    xw_start(&x, "rootfiles");
    xw_start(&x, "rootfile");
    xw_attr(&x, "full-path", OPF_PATH);
    xw_attr(&x, "media-type", "application/oebps-package+xml");
    xw_end(&x);
    xw_end(&x);
    xw_end(&x);
    return xw_close(&x, out, "META-INF/container.xml", e->out_path);
}

static void opf_item(xw *x, const char *id, const char *href, const char *type,
                     const char *props)
{
    xw_start(x, "item");
    xw_attr(x, "id", id);
    xw_attr(x, "href", href);
    xw_attr(x, "media-type", type);
    if (props)
        xw_attr(x, "properties", props);
    xw_end(x);
}

static int write_opf(epub *e, gl_buf *out)
{
    const gl_meta *m = &e->doc->meta;
    xw x;
    if (xw_open(&x, e->ctx, true))
        return -1;
    xw_start(&x, "package");
    xw_attr(&x, "xmlns", "http://www.idpf.org/2007/opf");
    xw_attr(&x, "version", "3.0");
    xw_attr(&x, "unique-identifier", "uid");
    xw_attr(&x, "xml:lang", e->lang);
    xw_start(&x, "metadata");
    xw_attr(&x, "xmlns:dc", "http://purl.org/dc/elements/1.1/");
    xw_start(&x, "dc:identifier");
    xw_attr(&x, "id", "uid");
    xw_text(&x, e->identifier, strlen(e->identifier));
    xw_end(&x);
    xw_elem(&x, "dc:title", e->title);
    xw_elem(&x, "dc:language", e->lang);
    char *author = gl_doc_author(e->ctx, e->doc);
    if (author)
        xw_elem(&x, "dc:creator", author);
    gl_free(author);
    if (date_ok(m->date))
        xw_elem(&x, "dc:date", m->date);
    xw_start(&x, "meta");
    xw_attr(&x, "property", "dcterms:modified");
    xw_text(&x, e->modified, strlen(e->modified));
    xw_end(&x);
    write_a11y(&x, e);
    xw_end(&x);  // metadata
    xw_start(&x, "manifest");
    opf_item(&x, "nav", "nav.xhtml", "application/xhtml+xml", "nav");
    opf_item(&x, "ncx", "toc.ncx", "application/x-dtbncx+xml", NULL);
    opf_item(&x, "css", "style.css", "text/css", NULL);
    for (int f = 0; f < GL_FACE_COUNT; f++) {
        if (!font_embedded(e, f))
            continue;
        char id[40], href[64];
        snprintf(id, sizeof id, "font-%d", f);
        snprintf(href, sizeof href, "fonts/%s", FACE_CSS[f].file);
        // font/ttf: the EPUB 3.2+ core media type (RFC 8081).
        opf_item(&x, id, href, "font/ttf", NULL);
    }
    for (size_t k = 0; k < e->narts; k++)
        opf_item(&x, e->arts[k].id, e->arts[k].href, "application/xhtml+xml", NULL);
    for (size_t i = 0; i < e->nimgs; i++)
        opf_item(&x, e->imgs[i].id, e->imgs[i].href, e->imgs[i].media_type, NULL);
    xw_end(&x);  // manifest
    xw_start(&x, "spine");
    xw_attr(&x, "toc", "ncx");
    for (size_t k = 0; k < e->narts; k++) {
        xw_start(&x, "itemref");
        xw_attr(&x, "idref", e->arts[k].id);
        xw_end(&x);
    }
    // The nav is in the spine, out of the reading order, because the
    // landmarks link to it and EPUB links must reach spine items (RSC-011).
    xw_start(&x, "itemref");
    xw_attr(&x, "idref", "nav");
    xw_attr(&x, "linear", "no");
    xw_end(&x);
    xw_end(&x);  // spine
    xw_end(&x);  // package
    return xw_close(&x, out, "content.opf", e->out_path);
}

/* ================================================================ stylesheet */

// Readable defaults that a reader's own settings may override; sizes in em
// so that the reader's font size choice scales everything.
static const char CSS_BASE[] =
    "/* galley: default style */\n"
    "body { margin: 0 4%; line-height: 1.5; text-align: justify; }\n"
    "header.title-block { margin: 0 0 2em; text-align: left; }\n"
    "h1, h2, h3, h4, h5, h6 { line-height: 1.25; text-align: left;"
    " page-break-after: avoid; break-after: avoid; }\n"
    "h1 { font-size: 1.6em; margin: 0 0 0.5em; }\n"
    "h2 { font-size: 1.3em; margin: 1.5em 0 0.5em; }\n"
    "h3 { font-size: 1.15em; margin: 1.2em 0 0.4em; }\n"
    "h4, h5, h6 { font-size: 1em; margin: 1em 0 0.3em; }\n"
    "p { margin: 0; text-indent: 1.5em; }\n"
    "header.title-block p, h1 + p, h2 + p, h3 + p, h4 + p, h5 + p, h6 + p, hr + p,"
    " blockquote + p, pre + p { text-indent: 0; }\n"
    "p.subtitle { font-size: 1.15em; margin: 0 0 0.5em; }\n"
    "p.date, p.byline { font-size: 0.9em; margin: 0.2em 0; }\n"
    "blockquote { margin: 1em 1.5em; }\n"
    "pre { margin: 1em 0; white-space: pre-wrap; text-align: left; font-size: 0.9em; }\n"
    "code { font-family: monospace; }\n"
    "hr { border: none; border-top: 1px solid; width: 30%; margin: 1.5em auto; }\n"
    "a { text-decoration: underline; }\n";

// Chinese body text (W3C CLREQ §3.1, §3.2): two-character first-line indent,
// no gaps between paragraphs, justified lines, strict line-start/line-end
// prohibitions, and emphasis dots instead of slanted Han.
static const char CSS_CJK[] =
    "\n/* CJK documents (W3C CLREQ) */\n"
    "body { line-height: 1.7; line-break: strict; word-break: normal; text-align: justify; }\n"
    // Every body paragraph is indented in Chinese, also after a heading;
    // the title block keeps 0 (its selector is more specific).
    "p, h1 + p, h2 + p, h3 + p, h4 + p, h5 + p, h6 + p, hr + p, blockquote + p, pre + p"
    " { text-indent: 2em; }\n"
    ":lang(zh) body, :lang(zh) p { line-break: strict; text-align: justify;"
    " text-justify: inter-character; }\n"
    ":lang(zh) em { font-style: normal; text-emphasis: filled dot;"
    " text-emphasis-position: under right; }\n"
    ":lang(zh) h1, :lang(zh) h2, :lang(zh) h3 { letter-spacing: 0.05em; }\n";

// Issue 4: lists, images, tables, footnotes, strikethrough.
static const char CSS_MD[] =
    "\n/* Markdown blocks */\n"
    "ol, ul { margin: 0.6em 0; padding-left: 2em; }\n"
    "li > p { text-indent: 0; margin: 0.3em 0; }\n"
    "ol.tight > li > p, ul.tight > li > p { margin: 0; }\n"
    "div.figure { margin: 1em 0; text-align: center; text-indent: 0; }\n"
    "div.figure img { max-width: 100%; max-height: 95vh; }\n"
    "table { border-collapse: collapse; margin: 1em auto; }\n"
    "th, td { border: 1px solid; padding: 0.2em 0.5em; text-align: left; vertical-align: top; }\n"
    "th { font-weight: bold; }\n"
    ".al-l { text-align: left; } .al-c { text-align: center; } .al-r { text-align: right; }\n"
    "sup { line-height: 0; font-size: 0.75em; }\n"
    "aside.footnote { font-size: 0.9em; margin: 0.8em 0; }\n"
    "aside p { text-indent: 0; }\n"
    "p.fn-label { font-weight: bold; margin: 0; }\n"
    "del { text-decoration: line-through; }\n";

static int write_css(epub *e, gl_buf *out)
{
    if (gl_buf_puts(out, CSS_BASE))
        return -1;
    if (e->doc->meta.lang_is_cjk && gl_buf_puts(out, CSS_CJK))
        return -1;
    if (gl_buf_puts(out, CSS_MD))
        return -1;
    return write_font_css(e, out);
}

/* ================================================================ archive */

static int zip_fail(gl_ctx *ctx, const char *out_path, zip_error_t *ze)
{
    int rc = gl_error(ctx, GALLEY_ERR_BACKEND, "%s: cannot build EPUB archive: %s", out_path,
                      zip_error_strerror(ze));
    return rc;
}

/* ================================================================ deflated entries */

/* An entry deflated by us, handed to libzip as a source whose stat says
 * it is deflated already (method, sizes, CRC), so libzip copies the bytes
 * as they are instead of compressing them again. */
typedef struct {
    gl_buf data;           /* raw deflate */
    size_t pos;
    size_t size;           /* uncompressed */
    uint32_t crc;
} deflated;

static zip_int64_t deflated_cb(void *user, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
    deflated *d = user;
    switch (cmd) {
    case ZIP_SOURCE_OPEN:
        d->pos = 0;
        return 0;
    case ZIP_SOURCE_READ: {
        size_t n = d->data.len - d->pos;
        if (n > len)
            n = (size_t)len;
        memcpy(data, d->data.data + d->pos, n);
        d->pos += n;
        return (zip_int64_t)n;
    }
    case ZIP_SOURCE_STAT: {
        if (len < sizeof(zip_stat_t))
            return -1;
        zip_stat_t *st = data;
        zip_stat_init(st);
        st->size = d->size;
        st->comp_size = d->data.len;
        st->crc = d->crc;
        st->comp_method = ZIP_CM_DEFLATE;
        st->encryption_method = ZIP_EM_NONE;
        st->valid = ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_CRC | ZIP_STAT_COMP_METHOD |
                    ZIP_STAT_ENCRYPTION_METHOD;
        return sizeof(zip_stat_t);
    }
    case ZIP_SOURCE_ERROR:
        return zip_error_to_data(NULL, data, len);   // never fails: no error
    case ZIP_SOURCE_CLOSE:
    case ZIP_SOURCE_FREE:   // the buffers are write_zip's
        return 0;
    case ZIP_SOURCE_SUPPORTS:
        return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE,
                                              ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE,
                                              -1);
    default:
        return -1;
    }
}

// libdeflate's level for the entries (see the figures at deflate_part).
#define EPUB_DEFLATE_LEVEL 6

/* Deflates one part.  War and Peace's XHTML, 3 MB: zlib level 9 (libzip's
 * default) took 0.22 s, zlib 6 0.13 s; libdeflate 6 takes a fifth of zlib
 * 9's time for an EPUB 130 bytes larger (zlib 6's is 5 KB larger). */
static int deflate_part(gl_deflater *z, const part *p, deflated *d)
{
    d->size = p->data.len;
    d->crc = gl_crc32(p->data.data, p->data.len);
    return gl_deflate_raw(z, p->data.data, p->data.len, &d->data, p->name);
}

/* Builds the ZIP in memory and writes it atomically: libzip's own temp file
 * and rename would leave a temp file behind on some failures, and we want
 * a failed run to leave an existing output untouched (galley.h). */
static int write_zip(epub *e, part *parts, size_t nparts)
{
    gl_ctx *ctx = e->ctx;
    int rc = -1;
    zip_error_t ze;
    zip_error_init(&ze);
    zip_t *za = NULL;
    gl_out out = {.fd = -1};
    bool out_open = false;
    zip_source_t *mem = NULL;
    deflated *defl = gl_calloc(ctx, nparts ? nparts : 1, sizeof *defl);
    gl_deflater *z = defl ? gl_deflater_new(ctx, EPUB_DEFLATE_LEVEL) : NULL;
    if (!z)
        goto cleanup;
    for (size_t i = 0; i < nparts; i++) {
        gl_buf_init(&defl[i].data, ctx);
        if (!parts[i].store && deflate_part(z, &parts[i], &defl[i]))
            goto cleanup;
    }
    mem = zip_source_buffer_create(NULL, 0, 0, &ze);
    if (!mem) {
        zip_fail(ctx, e->out_path, &ze);
        goto cleanup;
    }
    za = zip_open_from_source(mem, ZIP_TRUNCATE, &ze);
    if (!za) {
        zip_fail(ctx, e->out_path, &ze);
        zip_source_free(mem);
        mem = NULL;
        goto cleanup;
    }
    // The archive owns mem now; our extra reference keeps it alive after
    // zip_close() so that we can read the finished bytes back.
    zip_source_keep(mem);
    for (size_t i = 0; i < nparts; i++) {
        zip_source_t *s = parts[i].store
                              ? zip_source_buffer(za, parts[i].data.data, parts[i].data.len, 0)
                              : zip_source_function(za, deflated_cb, &defl[i]);
        zip_int64_t idx = s ? zip_file_add(za, parts[i].name, s, ZIP_FL_ENC_UTF_8) : -1;
        if (idx < 0) {
            if (s)
                zip_source_free(s);
            zip_fail(ctx, e->out_path, zip_get_error(za));
            goto cleanup;
        }
        zip_uint64_t u = (zip_uint64_t)idx;
        // OCF 3.3 §4.2.3: mimetype first, stored, no extra field.  The rest is
        // deflated above at a fixed level so the bytes depend only on the
        // input (and libdeflate).  Fixed time and Unix mode 0644 on every
        // entry: nothing from the machine or the clock reaches the archive.
        if (zip_set_file_compression(za, u, parts[i].store ? ZIP_CM_STORE : ZIP_CM_DEFLATE, 0) <
                0 ||
            zip_file_set_dostime(za, u, e->dos_time, e->dos_date, 0) < 0 ||
            zip_file_set_external_attributes(za, u, 0, ZIP_OPSYS_UNIX, 0100644u << 16) < 0) {
            zip_fail(ctx, e->out_path, zip_get_error(za));
            goto cleanup;
        }
    }
    if (zip_close(za) < 0) {
        zip_fail(ctx, e->out_path, zip_get_error(za));
        goto cleanup;
    }
    za = NULL;

    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_source_stat(mem, &st) < 0 || !(st.valid & ZIP_STAT_SIZE) || zip_source_open(mem) < 0) {
        zip_fail(ctx, e->out_path, zip_source_error(mem));
        goto cleanup;
    }
    if (gl_out_open(ctx, &out, e->out_path)) {
        zip_source_close(mem);
        goto cleanup;
    }
    out_open = true;
    char chunk[65536];
    zip_uint64_t left = st.size;
    while (left) {
        zip_int64_t n = zip_source_read(mem, chunk, left < sizeof chunk ? left : sizeof chunk);
        if (n <= 0) {
            zip_fail(ctx, e->out_path, zip_source_error(mem));
            zip_source_close(mem);
            goto cleanup;
        }
        if (gl_out_write(ctx, &out, chunk, (size_t)n)) {
            zip_source_close(mem);
            goto cleanup;
        }
        left -= (zip_uint64_t)n;
    }
    zip_source_close(mem);
    out_open = false;
    rc = gl_out_commit(ctx, &out);
cleanup:
    if (out_open)
        gl_out_abort(&out);
    if (za)
        zip_discard(za);
    if (mem)
        zip_source_free(mem);
    for (size_t i = 0; defl && i < nparts; i++)
        gl_buf_free(&defl[i].data);
    gl_free(defl);
    gl_deflater_free(z);
    zip_error_fini(&ze);
    return rc;
}

/* ================================================================ entry point */

static int collect_heads(epub *e, article *a)
{
    size_t n = 0;
    for (const gl_block *b = a->first; b && b != a->end; b = b->next)
        if (b->type == GL_B_HEADING && b->text && !is_blank(b->text, b->len))
            n++;
    // Blank headings stay out of the TOC: EPUBCheck wants text in nav links.
    if (!n)
        return 0;
    a->heads = gl_malloc(e->ctx, n * sizeof *a->heads);
    if (!a->heads)
        return -1;
    for (const gl_block *b = a->first; b && b != a->end; b = b->next)
        if (b->type == GL_B_HEADING && b->text && !is_blank(b->text, b->len))
            a->heads[a->nheads++] = b;
    return 0;
}

/* ---------------------------------------------------------------- issue 4: articles and images */

/* One content document per article (gl_doc_articles): text/article.xhtml
 * for a single article (as before), text/article-NNN.xhtml for several. */
static int make_articles(epub *e)
{
    size_t n = gl_doc_articles(e->doc, NULL, 0);
    gl_article_ref *refs = gl_calloc(e->ctx, n, sizeof *refs);
    e->arts = refs ? gl_calloc(e->ctx, n, sizeof *e->arts) : NULL;
    if (!e->arts) {
        gl_free(refs);
        return -1;
    }
    gl_doc_articles(e->doc, refs, n);
    e->narts = n;
    int rc = 0;
    for (size_t k = 0; k < n && !rc; k++) {
        article *a = &e->arts[k];
        if (n == 1) {
            snprintf(a->href, sizeof a->href, "text/article.xhtml");
            snprintf(a->id, sizeof a->id, "article");
        } else {
            snprintf(a->href, sizeof a->href, "text/article-%03u.xhtml", (unsigned)(k + 1));
            snprintf(a->id, sizeof a->id, "article-%03u", (unsigned)(k + 1));
        }
        a->meta = refs[k].meta;
        a->first = refs[k].first;
        a->end = refs[k].end;
        a->anchor = refs[k].block ? refs[k].block->anchor : NULL;
        const char *t = a->meta->title;
        a->title = t && !is_blank(t, strlen(t)) ? t : e->title;
        rc = collect_heads(e, a);
    }
    gl_free(refs);
    return rc;
}

static void free_articles(epub *e)
{
    for (size_t k = 0; e->arts && k < e->narts; k++) {
        gl_free(e->arts[k].heads);
        gl_free(e->arts[k].uses);
    }
    gl_free(e->arts);
    e->arts = NULL;
}

static const char *image_href(const epub *e, const gl_block *img)
{
    const char *p = img->path ? img->path : img->src;
    for (size_t i = 0; p && i < e->nimgs; i++)
        if (strcmp(e->imgs[i].path, p) == 0)
            return e->imgs[i].href;
    return NULL;
}

/* Checks and loads every image of the doc (iteratively: no depth limit
 * needed here).  A missing or corrupt image fails the run, naming the
 * Markdown file and line (gl_image_probe). */
typedef struct {
    const gl_block *b;
    const char *source;   /* the input the block came from (an article's) */
} img_walk;

static int load_images(epub *e)
{
    img_walk *stack = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    if (e->doc->first) {
        if (GL_GROW(e->ctx, stack, cap, 1))
            return -1;
        stack[n++] = (img_walk){e->doc->first, e->doc->meta.source};
    }
    while (n && !rc) {
        img_walk w = stack[--n];
        const gl_block *b = w.b;
        if (b->next || b->children) {
            if (GL_GROW(e->ctx, stack, cap, n + 2)) {
                rc = -1;
                break;
            }
            if (b->next)
                stack[n++] = (img_walk){b->next, w.source};
            if (b->children)
                stack[n++] = (img_walk){b->children, b->type == GL_B_ARTICLE && b->meta &&
                                                             b->meta->source
                                                         ? b->meta->source
                                                         : w.source};
        }
        if (b->type != GL_B_IMAGE || image_href(e, b))
            continue;
        gl_image_info info;
        if (gl_image_probe(e->ctx, w.source, b, &info) ||
            GL_GROW(e->ctx, e->imgs, e->capimgs, e->nimgs + 1)) {
            rc = -1;
            break;
        }
        eimage *im = &e->imgs[e->nimgs];
        memset(im, 0, sizeof *im);
        im->path = b->path ? b->path : b->src;
        im->media_type = info.media_type;
        unsigned num = (unsigned)(e->nimgs + 1);
        snprintf(im->href, sizeof im->href, "images/img-%03u.%s", num,
                 info.type == GL_IMG_PNG ? "png" : "jpg");
        snprintf(im->id, sizeof im->id, "img-%03u", num);
        if (gl_read_file(e->ctx, im->path, &im->data, &im->len)) {
            rc = -1;
            break;
        }
        e->nimgs++;
    }
    gl_free(stack);
    return rc;
}

static void free_images(epub *e)
{
    for (size_t i = 0; i < e->nimgs; i++)
        gl_free(e->imgs[i].data);
    gl_free(e->imgs);
    e->imgs = NULL;
}

int gl_epub_write(gl_ctx *ctx, const gl_doc *doc, const gl_epub_opts *eo, const char *out_path)
{
    epub e = {.ctx = ctx, .doc = doc, .out_path = out_path};
    part *parts = NULL;
    size_t nparts = 0, maxparts = 0;
    int rc = -1;

    const gl_meta *m = &doc->meta;
    // dc:language must be a valid tag; "und" (undetermined, BCP 47) otherwise.
    // POSIX-style "zh_CN" is accepted as "zh-CN".
    snprintf(e.langbuf, sizeof e.langbuf, "%s", m->lang ? m->lang : "");
    for (char *c = e.langbuf; *c; c++)
        if (*c == '_')
            *c = '-';
    e.lang = lang_ok(e.langbuf) && strlen(m->lang) < sizeof e.langbuf ? e.langbuf : "und";
    // dc:title must not be empty (EPUB 3.3 §5.5.3.1.2).
    e.title = m->title && !is_blank(m->title, strlen(m->title)) ? m->title : "Untitled";
    derive_uid(&e);
    e.identifier = eo && eo->identifier && !is_blank(eo->identifier, strlen(eo->identifier))
                       ? eo->identifier
                       : e.uid;
    set_times(&e, eo ? eo->modified : 0);

    GL_CHECK(make_articles(&e));
    GL_CHECK(load_images(&e));
    GL_CHECK(prepare_extras(&e, eo));
    // The fixed parts, fonts, then one per article and per image.
    maxparts = MAX_PARTS + e.narts + e.nimgs;
    parts = gl_calloc(ctx, maxparts, sizeof *parts);
    if (!parts)
        goto cleanup;
    for (size_t i = 0; i < maxparts; i++)
        gl_buf_init(&parts[i].data, ctx);

    // Archive order is fixed (OCF: mimetype first; then the container and
    // the package, which readers look for next).
#define NEXT_PART(n) snprintf(parts[nparts].name, sizeof parts[nparts].name, "%s", (n))
    NEXT_PART("mimetype");
    parts[nparts].store = true;
    GL_CHECK(gl_buf_puts(&parts[nparts++].data, "application/epub+zip"));
    NEXT_PART("META-INF/container.xml");
    GL_CHECK(write_container(&e, &parts[nparts++].data));
    NEXT_PART(OPF_PATH);
    GL_CHECK(write_opf(&e, &parts[nparts++].data));
    NEXT_PART("OEBPS/nav.xhtml");
    GL_CHECK(write_nav(&e, &parts[nparts++].data));
    NEXT_PART("OEBPS/toc.ncx");
    GL_CHECK(write_ncx(&e, &parts[nparts++].data));
    NEXT_PART("OEBPS/style.css");
    GL_CHECK(write_css(&e, &parts[nparts++].data));
    for (int f = 0; f < GL_FACE_COUNT && nparts < MAX_PARTS; f++)
        if (font_embedded(&e, f)) {
            snprintf(parts[nparts].name, sizeof parts[nparts].name, "OEBPS/fonts/%s",
                     FACE_CSS[f].file);
            GL_CHECK(gl_buf_put(&parts[nparts++].data, e.fonts[f].data.data, e.fonts[f].data.len));
        }
    for (size_t k = 0; k < e.narts && nparts < maxparts; k++) {
        snprintf(parts[nparts].name, sizeof parts[nparts].name, "OEBPS/%s", e.arts[k].href);
        GL_CHECK(write_article(&e, &e.arts[k], &parts[nparts++].data));
    }
    for (size_t i = 0; i < e.nimgs && nparts < maxparts; i++) {
        snprintf(parts[nparts].name, sizeof parts[nparts].name, "OEBPS/%s", e.imgs[i].href);
        parts[nparts].store = true;
        GL_CHECK(gl_buf_put(&parts[nparts++].data, e.imgs[i].data, e.imgs[i].len));
    }
#undef NEXT_PART
    GL_CHECK(write_zip(&e, parts, nparts));
    rc = 0;
cleanup:
    for (size_t i = 0; parts && i < maxparts; i++)
        gl_buf_free(&parts[i].data);
    gl_free(parts);
    free_articles(&e);
    free_images(&e);
    free_extras(&e);
    return rc;
}

/* libxml2's global set-up is not thread-safe on first use: galley.c calls
 * this once per process (pthread_once) before any context is used. */
void gl_epub_global_init(void) { xmlInitParser(); }
