/*
 * epub.c — the EPUB back end: writes a gl_doc as an EPUB 3 publication:
 * the package document, the navigation document, an EPUB 2 NCX, the
 * page-list of the printed edition, accessibility metadata and one
 * stylesheet, around the content documents of epub_xhtml.c, in the
 * container of epub_zip.c.  It reads the document model only, never the
 * layout engine.  Output is deterministic: the same document and options
 * give the same bytes.
 */
#include "epub_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
        if (!p->src->label || gl_epub_is_blank(p->src->label, strlen(p->src->label)))
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
    e->page_source = eo->page_source && !gl_epub_is_blank(eo->page_source, strlen(eo->page_source))
                         ? eo->page_source
                         : NULL;
    return 0;
}

/* ---------------------------------------------------------------- accessibility */

static void count_images(epub *e, const gl_block *b)
{
    for (; b; b = b->next) {
        if (b->type == GL_B_IMAGE) {
            e->nimages++;
            if (b->text && !gl_epub_is_blank(b->text, b->len))
                e->nimages_alt++;
        }
        count_images(e, b->children);
    }
}

static void opf_meta(xw *x, const char *property, const char *value)
{
    gl_xw_start(x, "meta");
    gl_xw_attr(x, "property", property);
    gl_xw_text(x, value, strlen(value));
    gl_xw_end(x);
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
        gl_xw_start(x, "dc:source");
        gl_xw_attr(x, "id", "print-source");
        gl_xw_text(x, src, strlen(src));
        gl_xw_end(x);
        gl_xw_start(x, "meta");
        gl_xw_attr(x, "refines", "#print-source");
        gl_xw_attr(x, "property", "source-of");
        gl_xw_text(x, "pagination", 10);
        gl_xw_end(x);
    }
}

/* ---------------------------------------------------------------- page-list */

/* EPUB 3.3 §7.4.3: the page-list nav, in the order given (reading order). */
static void nav_page_list(xw *x, const epub *e)
{
    if (!e->npbs_found)
        return;
    gl_xw_start(x, "nav");
    gl_xw_attr(x, "epub:type", "page-list");
    gl_xw_attr(x, "role", "doc-pagelist");   // DPUB-ARIA, as epub:type says (Ace)
    gl_xw_attr(x, "id", "page-list");
    gl_xw_attr(x, "hidden", "hidden");
    gl_xw_elem(x, "h2", strncmp(e->lang, "zh", 2) == 0 ? "页码" : "Pages");
    gl_xw_start(x, "ol");
    for (size_t i = 0; i < e->npbs; i++) {
        const pbreak *p = &e->pbs[i];
        if (!p->found)
            continue;
        char href[128];
        snprintf(href, sizeof href, "%s#%s", p->art->href, p->id);
        gl_xw_start(x, "li");
        gl_xw_start(x, "a");
        gl_xw_attr(x, "href", href);
        gl_xw_text(x, p->src->label, strlen(p->src->label));
        gl_xw_end(x);
        gl_xw_end(x);
    }
    gl_xw_end(x);  // ol
    gl_xw_end(x);  // nav
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
    gl_xw_start(x, "pageList");
    gl_xw_start(x, "navLabel");
    gl_xw_elem(x, "text", "Pages");
    gl_xw_end(x);
    for (size_t i = 0; i < e->npbs; i++) {
        const pbreak *p = &e->pbs[i];
        if (!p->found)
            continue;
        char buf[128];
        unsigned long v;
        bool num = label_is_number(p->src->label, &v);
        gl_xw_start(x, "pageTarget");
        snprintf(buf, sizeof buf, "pt-%s", p->id);
        gl_xw_attr(x, "id", buf);
        gl_xw_attr(x, "type", num ? "normal" : "front");
        if (num) {
            snprintf(buf, sizeof buf, "%lu", v);
            gl_xw_attr(x, "value", buf);
        }
        snprintf(buf, sizeof buf, "%d", ++*order);
        gl_xw_attr(x, "playOrder", buf);
        gl_xw_start(x, "navLabel");
        gl_xw_elem(x, "text", p->src->label);
        gl_xw_end(x);
        gl_xw_start(x, "content");
        snprintf(buf, sizeof buf, "%s#%s", p->art->href, p->id);
        gl_xw_attr(x, "src", buf);
        gl_xw_end(x);
        gl_xw_end(x);  // pageTarget
    }
    gl_xw_end(x);  // pageList
}

/* The printed page breaks, fonts and accessibility counts, settled before
 * the parts are written.  Fonts come last:
 * they need the title and language settled. */
static int prepare_extras(epub *e, const gl_epub_opts *eo)
{
    e->cjk = e->doc->meta.lang_is_cjk || gl_lang_is_cjk(e->lang);
    e->font_mode = eo ? eo->font_mode : GALLEY_EPUB_FONTS_NONE;
    e->fs = eo ? eo->fonts : NULL;
    e->font_features = eo ? eo->font_features : NULL;
    count_images(e, e->doc->first);
    if (resolve_breaks(e, eo))
        return -1;
    return gl_epub_fonts_make(e);
}

static void free_extras(epub *e)
{
    gl_epub_fonts_free(e);
    gl_free(e->pbs);
    e->pbs = NULL;
    e->npbs = 0;
}

/* ================================================================ navigation */

// The text of a heading for the TOC: no markup, controls removed.
static void heading_label(xw *x, const gl_block *h)
{
    gl_xw_text(x, h->text ? h->text : "", h->text ? h->len : 0);
}

/* Writes heads[from, to) as an <ol>: each heading owns the following ones
 * of a deeper level.  Recursion depth is bounded by the six levels. */
static void nav_list(xw *x, const article *a, size_t from, size_t to)
{
    gl_xw_start(x, "ol");
    for (size_t i = from; i < to;) {
        size_t j = i + 1;
        while (j < to && a->heads[j]->level > a->heads[i]->level)
            j++;
        char href[320], id[256];
        gl_epub_heading_id(id, sizeof id, a, i);
        snprintf(href, sizeof href, "%s#%s", a->href, id);
        gl_xw_start(x, "li");
        gl_xw_start(x, "a");
        gl_xw_attr(x, "href", href);
        heading_label(x, a->heads[i]);
        gl_xw_end(x);
        if (j > i + 1)
            nav_list(x, a, i + 1, j);
        gl_xw_end(x);
        i = j;
    }
    gl_xw_end(x);
}

const char *gl_epub_contents_label(const epub *e)
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
    if (gl_xw_open(&x, e->ctx, true))
        return -1;
    gl_epub_xhtml_head(&x, e, e->title, "style.css");
    gl_xw_start(&x, "body");
    // EPUB 3.3 §7.4: exactly one toc nav, an <ol> of <li><a>.
    gl_xw_start(&x, "nav");
    gl_xw_attr(&x, "epub:type", "toc");
    gl_xw_attr(&x, "role", "doc-toc");   // DPUB-ARIA, as epub:type says (Ace)
    gl_xw_attr(&x, "id", "toc");
    gl_xw_elem(&x, "h1", gl_epub_contents_label(e));
    gl_xw_start(&x, "ol");
    for (size_t k = 0; k < e->narts; k++) {
        const article *a = &e->arts[k];
        gl_xw_start(&x, "li");
        gl_xw_start(&x, "a");
        gl_xw_attr(&x, "href", a->href);
        gl_xw_text(&x, a->title, strlen(a->title));
        gl_xw_end(&x);
        if (a->nheads)
            nav_list(&x, a, 0, a->nheads);
        gl_xw_end(&x);
    }
    gl_xw_end(&x);  // ol
    gl_xw_end(&x);  // nav
    // Landmarks (§7.4.4): where the TOC and the body matter begin.
    gl_xw_start(&x, "nav");
    gl_xw_attr(&x, "epub:type", "landmarks");
    gl_xw_attr(&x, "hidden", "hidden");
    gl_xw_start(&x, "ol");
    gl_xw_start(&x, "li");
    gl_xw_start(&x, "a");
    gl_xw_attr(&x, "epub:type", "toc");
    gl_xw_attr(&x, "href", "nav.xhtml#toc");
    gl_xw_text(&x, gl_epub_contents_label(e), strlen(gl_epub_contents_label(e)));
    gl_xw_end(&x);
    gl_xw_end(&x);
    gl_xw_start(&x, "li");
    gl_xw_start(&x, "a");
    gl_xw_attr(&x, "epub:type", "bodymatter");
    gl_xw_attr(&x, "href", e->arts[0].href);
    gl_xw_text(&x, e->arts[0].title, strlen(e->arts[0].title));
    gl_xw_end(&x);
    gl_xw_end(&x);
    gl_xw_end(&x);  // ol
    gl_xw_end(&x);  // nav
    nav_page_list(&x, e);
    gl_xw_end(&x);  // body
    gl_xw_end(&x);  // html
    return gl_xw_close(&x, out, "nav.xhtml", e->out_path);
}

static void ncx_point(xw *x, int *order, const char *id, const char *label, size_t label_len,
                      const char *src)
{
    char buf[16];
    gl_xw_start(x, "navPoint");
    gl_xw_attr(x, "id", id);
    snprintf(buf, sizeof buf, "%d", ++*order);
    gl_xw_attr(x, "playOrder", buf);
    gl_xw_start(x, "navLabel");
    gl_xw_start(x, "text");
    gl_xw_text(x, label, label_len);
    gl_xw_end(x);
    gl_xw_end(x);
    gl_xw_start(x, "content");
    gl_xw_attr(x, "src", src);
    gl_xw_end(x);
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
        gl_epub_heading_id(hid, sizeof hid, a, i);
        snprintf(src, sizeof src, "%s#%s", a->href, hid);
        snprintf(id, sizeof id, "%s-%s", a->id, hid);
        const gl_block *h = a->heads[i];
        ncx_point(x, order, id, h->text ? h->text : "", h->text ? h->len : 0, src);
        if (j > i + 1)
            ncx_list(x, a, i + 1, j, order, depth + 1, maxdepth);
        gl_xw_end(x);  // navPoint
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
    if (gl_xw_open(&x, e->ctx, true))
        return -1;
    int depth = 1;
    for (size_t k = 0; k < e->narts; k++) {
        int d = 1 + nav_depth(&e->arts[k], 0, e->arts[k].nheads);
        if (d > depth)
            depth = d;
    }
    char dbuf[16];
    snprintf(dbuf, sizeof dbuf, "%d", depth);
    gl_xw_start(&x, "ncx");
    gl_xw_attr(&x, "xmlns", "http://www.daisy.org/z3986/2005/ncx/");
    gl_xw_attr(&x, "version", "2005-1");
    gl_xw_attr(&x, "xml:lang", e->lang);
    gl_xw_start(&x, "head");
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
        gl_xw_start(&x, "meta");
        gl_xw_attr(&x, "name", names[i]);
        gl_xw_attr(&x, "content", values[i]);
        gl_xw_end(&x);
    }
    gl_xw_end(&x);  // head
    gl_xw_start(&x, "docTitle");
    gl_xw_elem(&x, "text", e->title);
    gl_xw_end(&x);
    gl_xw_start(&x, "navMap");
    int order = 0, maxdepth = 0;
    for (size_t k = 0; k < e->narts; k++) {
        const article *a = &e->arts[k];
        ncx_point(&x, &order, a->id, a->title, strlen(a->title), a->href);
        ncx_list(&x, a, 0, a->nheads, &order, 2, &maxdepth);
        gl_xw_end(&x);  // navPoint
    }
    gl_xw_end(&x);  // navMap
    ncx_page_list(&x, e, &order);
    gl_xw_end(&x);  // ncx
    return gl_xw_close(&x, out, "toc.ncx", e->out_path);
}

/* ================================================================ package */

static int write_container(epub *e, gl_buf *out)
{
    xw x;
    if (gl_xw_open(&x, e->ctx, true))
        return -1;
    gl_xw_start(&x, "container");
    gl_xw_attr(&x, "version", "1.0");
    gl_xw_attr(&x, "xmlns", "urn:oasis:names:tc:opendocument:xmlns:container");
    gl_xw_start(&x, "rootfiles");
    gl_xw_start(&x, "rootfile");
    gl_xw_attr(&x, "full-path", OPF_PATH);
    gl_xw_attr(&x, "media-type", "application/oebps-package+xml");
    gl_xw_end(&x);
    gl_xw_end(&x);
    gl_xw_end(&x);
    return gl_xw_close(&x, out, "META-INF/container.xml", e->out_path);
}

static void opf_item(xw *x, const char *id, const char *href, const char *type,
                     const char *props)
{
    gl_xw_start(x, "item");
    gl_xw_attr(x, "id", id);
    gl_xw_attr(x, "href", href);
    gl_xw_attr(x, "media-type", type);
    if (props)
        gl_xw_attr(x, "properties", props);
    gl_xw_end(x);
}

static int write_opf(epub *e, gl_buf *out)
{
    const gl_meta *m = &e->doc->meta;
    xw x;
    if (gl_xw_open(&x, e->ctx, true))
        return -1;
    gl_xw_start(&x, "package");
    gl_xw_attr(&x, "xmlns", "http://www.idpf.org/2007/opf");
    gl_xw_attr(&x, "version", "3.0");
    gl_xw_attr(&x, "unique-identifier", "uid");
    gl_xw_attr(&x, "xml:lang", e->lang);
    gl_xw_start(&x, "metadata");
    gl_xw_attr(&x, "xmlns:dc", "http://purl.org/dc/elements/1.1/");
    gl_xw_start(&x, "dc:identifier");
    gl_xw_attr(&x, "id", "uid");
    gl_xw_text(&x, e->identifier, strlen(e->identifier));
    gl_xw_end(&x);
    gl_xw_elem(&x, "dc:title", e->title);
    gl_xw_elem(&x, "dc:language", e->lang);
    char *author = gl_doc_author(e->ctx, e->doc);
    if (author)
        gl_xw_elem(&x, "dc:creator", author);
    gl_free(author);
    if (gl_epub_date_ok(m->date))
        gl_xw_elem(&x, "dc:date", m->date);
    gl_xw_start(&x, "meta");
    gl_xw_attr(&x, "property", "dcterms:modified");
    gl_xw_text(&x, e->modified, strlen(e->modified));
    gl_xw_end(&x);
    write_a11y(&x, e);
    gl_xw_end(&x);  // metadata
    gl_xw_start(&x, "manifest");
    opf_item(&x, "nav", "nav.xhtml", "application/xhtml+xml", "nav");
    opf_item(&x, "ncx", "toc.ncx", "application/x-dtbncx+xml", NULL);
    opf_item(&x, "css", "style.css", "text/css", NULL);
    for (int f = 0; f < GL_FACE_COUNT; f++) {
        if (!gl_epub_font_embedded(e, f))
            continue;
        char id[40], href[64];
        snprintf(id, sizeof id, "font-%d", f);
        snprintf(href, sizeof href, "fonts/%s", gl_epub_font_file(f));
        // font/ttf: the EPUB 3.2+ core media type (RFC 8081).
        opf_item(&x, id, href, "font/ttf", NULL);
    }
    for (size_t k = 0; k < e->narts; k++)
        opf_item(&x, e->arts[k].id, e->arts[k].href, "application/xhtml+xml", NULL);
    for (size_t i = 0; i < e->nimgs; i++)
        opf_item(&x, e->imgs[i].id, e->imgs[i].href, e->imgs[i].media_type, NULL);
    gl_xw_end(&x);  // manifest
    gl_xw_start(&x, "spine");
    gl_xw_attr(&x, "toc", "ncx");
    for (size_t k = 0; k < e->narts; k++) {
        gl_xw_start(&x, "itemref");
        gl_xw_attr(&x, "idref", e->arts[k].id);
        gl_xw_end(&x);
    }
    // The nav is in the spine, out of the reading order, because the
    // landmarks link to it and EPUB links must reach spine items (RSC-011).
    gl_xw_start(&x, "itemref");
    gl_xw_attr(&x, "idref", "nav");
    gl_xw_attr(&x, "linear", "no");
    gl_xw_end(&x);
    gl_xw_end(&x);  // spine
    gl_xw_end(&x);  // package
    return gl_xw_close(&x, out, "content.opf", e->out_path);
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

// Markdown: lists, images, tables, footnotes, strikethrough.
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
    if (e->font_features && *e->font_features &&
        (gl_buf_puts(out, "\nbody { font-feature-settings: ") ||
         gl_font_features_css(e->font_features, out) || gl_buf_puts(out, "; }\n")))
        return -1;
    return gl_epub_font_css(e, out);
}

/* ================================================================ entry point */

static int collect_heads(epub *e, article *a)
{
    size_t n = 0;
    for (const gl_block *b = a->first; b && b != a->end; b = b->next)
        if (b->type == GL_B_HEADING && b->text && !gl_epub_is_blank(b->text, b->len))
            n++;
    // Blank headings stay out of the TOC: EPUBCheck wants text in nav links.
    if (!n)
        return 0;
    a->heads = gl_malloc(e->ctx, n * sizeof *a->heads);
    if (!a->heads)
        return -1;
    for (const gl_block *b = a->first; b && b != a->end; b = b->next)
        if (b->type == GL_B_HEADING && b->text && !gl_epub_is_blank(b->text, b->len))
            a->heads[a->nheads++] = b;
    return 0;
}

/* ---------------------------------------------------------------- articles and images */

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
        a->title = t && !gl_epub_is_blank(t, strlen(t)) ? t : e->title;
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

const char *gl_epub_image_href(const epub *e, const gl_block *img)
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
        if (b->type != GL_B_IMAGE || gl_epub_image_href(e, b))
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
    e.lang = gl_epub_lang_ok(e.langbuf) && strlen(m->lang) < sizeof e.langbuf ? e.langbuf : "und";
    // dc:title must not be empty (EPUB 3.3 §5.5.3.1.2).
    e.title = m->title && !gl_epub_is_blank(m->title, strlen(m->title)) ? m->title : "Untitled";
    derive_uid(&e);
    e.identifier = eo && eo->identifier && !gl_epub_is_blank(eo->identifier, strlen(eo->identifier))
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
        if (gl_epub_font_embedded(&e, f)) {
            snprintf(parts[nparts].name, sizeof parts[nparts].name, "OEBPS/fonts/%s",
                     gl_epub_font_file(f));
            GL_CHECK(gl_buf_put(&parts[nparts++].data, e.fonts[f].data.data, e.fonts[f].data.len));
        }
    for (size_t k = 0; k < e.narts && nparts < maxparts; k++) {
        snprintf(parts[nparts].name, sizeof parts[nparts].name, "OEBPS/%s", e.arts[k].href);
        GL_CHECK(gl_epub_write_article(&e, &e.arts[k], &parts[nparts++].data));
    }
    for (size_t i = 0; i < e.nimgs && nparts < maxparts; i++) {
        snprintf(parts[nparts].name, sizeof parts[nparts].name, "OEBPS/%s", e.imgs[i].href);
        parts[nparts].store = true;
        GL_CHECK(gl_buf_put(&parts[nparts++].data, e.imgs[i].data, e.imgs[i].len));
    }
#undef NEXT_PART
    GL_CHECK(gl_epub_zip_write(&e, parts, nparts));
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

