/*
 * epub_xml.c — the XML writer the EPUB back end writes every file with:
 * libxml2's xmlTextWriter into memory with a sticky failure flag, over text
 * cleaned to what XML 1.0 allows; and the checks of hrefs, languages and
 * dates that go into attributes.  The one includer of libxml2.
 */
#include "epub_int.h"

#include <libxml/parser.h>
#include <libxml/xmlwriter.h>

#include <string.h>

/* ================================================================ text hygiene */

// XML 1.0 §2.2 allows only tab, LF and CR below U+0020, and no U+FFFE/U+FFFF;
// C1 controls and DEL are allowed but discouraged and never meant as text.
// Controls are dropped (they print nothing); non-characters and bad bytes
// become U+FFFD so that the loss stays visible.  CR goes too: the brief
// allows only tab and newline, and a reader has already split lines.
int gl_epub_clean_text(gl_buf *b, const char *s, size_t n)
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

bool gl_epub_is_blank(const char *s, size_t n)
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
bool gl_epub_href_ok(const char *h)
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
bool gl_epub_lang_ok(const char *l)
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
bool gl_epub_date_ok(const char *d)
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

void gl_xw_ok(xw *x, int rc)
{
    if (rc < 0)
        x->failed = true;
}

int gl_xw_open(xw *x, gl_ctx *ctx, bool indent)
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
        gl_xw_ok(x, xmlTextWriterSetIndent(x->w, 1));
        gl_xw_ok(x, xmlTextWriterSetIndentString(x->w, BAD_CAST "  "));
    }
    gl_xw_ok(x, xmlTextWriterStartDocument(x->w, "1.0", "UTF-8", NULL));
    return 0;
}

/* Finishes the document and moves its bytes into *out.  Releases the writer
 * on every path.  Returns 0, or -1 with the error on ctx naming out_path. */
int gl_xw_close(xw *x, gl_buf *out, const char *what, const char *out_path)
{
    int rc = 0;
    if (x->w) {
        gl_xw_ok(x, xmlTextWriterEndDocument(x->w));  // closes open elements, flushes
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

void gl_xw_start(xw *x, const char *name)
{
    gl_xw_ok(x, xmlTextWriterStartElement(x->w, BAD_CAST name));
}

// In XHTML only void elements may be written <x/>: a reader that falls
// back to an HTML parser would take <h2/> or <a/> as an open tag (HTML
// §13.1.2.1).  The package files are plain XML and take either form.
void gl_xw_end(xw *x)
{
    gl_xw_ok(x, x->html ? xmlTextWriterFullEndElement(x->w) : xmlTextWriterEndElement(x->w));
}

void gl_xw_end_void(xw *x)
{
    gl_xw_ok(x, xmlTextWriterEndElement(x->w));
}

// Attribute values are cleaned like text; libxml2 escapes & < " and
// white space characters.
void gl_xw_attr(xw *x, const char *name, const char *value)
{
    if (gl_epub_clean_text(&x->scratch, value, strlen(value))) {
        x->failed = true;
        return;
    }
    gl_xw_ok(x, xmlTextWriterWriteAttribute(x->w, BAD_CAST name, BAD_CAST x->scratch.data));
}

void gl_xw_text(xw *x, const char *s, size_t n)
{
    if (gl_epub_clean_text(&x->scratch, s, n)) {
        x->failed = true;
        return;
    }
    if (x->scratch.len)
        gl_xw_ok(x, xmlTextWriterWriteString(x->w, BAD_CAST x->scratch.data));
}

void gl_xw_elem(xw *x, const char *name, const char *text)
{
    gl_xw_start(x, name);
    gl_xw_text(x, text, strlen(text));
    gl_xw_end(x);
}

// A line break between blocks, so the XHTML reads well in a diff; white
// space between block elements is insignificant (HTML §3.2.5.1).
void gl_xw_nl(xw *x)
{
    if (x->indent)
        return;
    gl_xw_ok(x, xmlTextWriterWriteString(x->w, BAD_CAST "\n"));
}
void gl_xw_doctype_html(xw *x)
{
    gl_xw_ok(x, xmlTextWriterStartDTD(x->w, BAD_CAST "html", NULL, NULL));
    gl_xw_ok(x, xmlTextWriterEndDTD(x->w));
}

void gl_epub_global_init(void) { xmlInitParser(); }
