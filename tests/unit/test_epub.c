/*
 * test_epub.c — unit tests of the EPUB back end (src/epub.c): OCF container
 * rules, package metadata, navigation, XHTML content and escaping, CJK
 * styles, determinism and atomic output.  Documents are built by hand with
 * doc.h; archives are read back with libzip and parsed with libxml2.
 */
#define _POSIX_C_SOURCE 200809L
#include "epub.h"

#include <check.h>
#include <dirent.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>

/* ================================================================ fixtures */

static char tmpdir[64];

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/gl-epub-test-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

// Removes the scratch directory; fails nothing (teardown must not assert).
static void teardown(void)
{
    DIR *d = opendir(tmpdir);
    if (!d)
        return;
    struct dirent *de;
    char p[512];
    while ((de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
            snprintf(p, sizeof p, "%s/%s", tmpdir, de->d_name);
            unlink(p);
        }
    closedir(d);
    rmdir(tmpdir);
}

static const char *tpath(const char *name)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

static size_t count_dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

static gl_ctx *new_ctx(void)
{
    gl_ctx *ctx = calloc(1, sizeof *ctx);
    ck_assert_ptr_nonnull(ctx);
    return ctx;
}

static void free_ctx(gl_ctx *ctx)
{
    for (size_t i = 0; i < ctx->ndiags; i++) {
        free(ctx->diags[i].source);
        free(ctx->diags[i].message);
    }
    free(ctx->diags);
    free(ctx->font_dir);
    free(ctx);
}

static gl_block *add(gl_doc *doc, gl_block *parent, gl_block_type t, const char *text)
{
    gl_block *b = gl_doc_append(doc, parent, t, text, text ? strlen(text) : 0, 1);
    ck_assert_ptr_nonnull(b);
    return b;
}

static gl_block *add_heading(gl_doc *doc, int level, const char *text)
{
    gl_block *b = add(doc, NULL, GL_B_HEADING, text);
    b->level = level;
    return b;
}

/* An English article with every block type and inline style. */
static gl_span spans_rich[6];

static gl_doc *rich_doc(gl_ctx *ctx)
{
    gl_doc *doc = gl_doc_new(ctx, "rich.txt");
    ck_assert_ptr_nonnull(doc);
    doc->meta.title = "A Rich Article";
    doc->meta.lang = "en";
    doc->meta.byline = "Jane Roe";
    doc->meta.date = "2024-03-01";
    doc->meta.display_date = "March 1, 2024";
    add(doc, NULL, GL_B_PARA, "First paragraph.");
    add_heading(doc, 1, "Part One");
    // "bold italic code link bad tail"
    gl_block *p = add(doc, NULL, GL_B_PARA, "bold italic code link bad tail");
    spans_rich[0] = (gl_span){0, 4, GL_S_BOLD, NULL};
    spans_rich[1] = (gl_span){4, 1, 0, NULL};
    spans_rich[2] = (gl_span){5, 6, GL_S_ITALIC, NULL};
    spans_rich[3] = (gl_span){11, 1, 0, NULL};
    spans_rich[4] = (gl_span){12, 4, GL_S_CODE, NULL};
    spans_rich[5] = (gl_span){16, 1, 0, NULL};
    p->spans = spans_rich;
    p->nspans = 6;
    add_heading(doc, 2, "Section 1.1");
    gl_block *q = add(doc, NULL, GL_B_QUOTE, NULL);
    add(doc, q, GL_B_PARA, "Quoted words.");
    add(doc, NULL, GL_B_CODE, "int main(void)\n{\n\treturn 0;\n}");
    add(doc, NULL, GL_B_HR, NULL);
    add_heading(doc, 1, "Part Two");
    add(doc, NULL, GL_B_PARA, "Last paragraph.");
    return doc;
}

static gl_doc *zh_doc(gl_ctx *ctx)
{
    gl_doc *doc = gl_doc_new(ctx, "zh.txt");
    ck_assert_ptr_nonnull(doc);
    doc->meta.title = "政府工作报告";
    doc->meta.byline = "国务院总理 温家宝";
    add(doc, NULL, GL_B_PARA, "过去一年，我们是在应对新的挑战和考验中前进的。");
    add_heading(doc, 1, "一、过去一年工作回顾");
    add(doc, NULL, GL_B_PARA, "经济保持平稳较快发展，综合国力进一步增强。");
    gl_doc_detect_lang(doc);
    return doc;
}

static int publish(gl_ctx *ctx, const gl_doc *doc, const char *ident, const char *path)
{
    gl_epub_opts eo = {ident, 1700000000};  // 2023-11-14T22:13:20Z
    return gl_epub_write(ctx, doc, &eo, path);
}

/* ================================================================ reading back */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(fread(p, 1, (size_t)n, f), (size_t)n);
    p[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return p;
}

/* The bytes of one entry (NUL-terminated, caller frees), or NULL. */
static char *entry(const char *epub, const char *name, size_t *len)
{
    int err = 0;
    zip_t *za = zip_open(epub, ZIP_RDONLY | ZIP_CHECKCONS, &err);
    ck_assert_msg(za != NULL, "zip_open %s: %d", epub, err);
    zip_stat_t st;
    char *buf = NULL;
    if (zip_stat(za, name, 0, &st) == 0) {
        zip_file_t *zf = zip_fopen(za, name, 0);
        ck_assert_ptr_nonnull(zf);
        buf = malloc(st.size + 1);
        ck_assert_int_eq(zip_fread(zf, buf, st.size), (zip_int64_t)st.size);
        buf[st.size] = 0;
        zip_fclose(zf);
        if (len)
            *len = st.size;
    }
    zip_close(za);
    return buf;
}

static xmlDocPtr parse_entry(const char *epub, const char *name)
{
    size_t len = 0;
    char *s = entry(epub, name, &len);
    ck_assert_msg(s != NULL, "%s: no entry %s", epub, name);
    xmlDocPtr d = xmlReadMemory(s, (int)len, name, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
                                                          XML_PARSE_NOWARNING);
    ck_assert_msg(d != NULL, "%s is not well-formed XML", name);
    free(s);
    return d;
}

static xmlXPathObjectPtr xp(xmlDocPtr d, const char *expr)
{
    xmlXPathContextPtr c = xmlXPathNewContext(d);
    xmlXPathRegisterNs(c, BAD_CAST "h", BAD_CAST "http://www.w3.org/1999/xhtml");
    xmlXPathRegisterNs(c, BAD_CAST "epub", BAD_CAST "http://www.idpf.org/2007/ops");
    xmlXPathRegisterNs(c, BAD_CAST "opf", BAD_CAST "http://www.idpf.org/2007/opf");
    xmlXPathRegisterNs(c, BAD_CAST "dc", BAD_CAST "http://purl.org/dc/elements/1.1/");
    xmlXPathRegisterNs(c, BAD_CAST "c",
                       BAD_CAST "urn:oasis:names:tc:opendocument:xmlns:container");
    xmlXPathRegisterNs(c, BAD_CAST "n", BAD_CAST "http://www.daisy.org/z3986/2005/ncx/");
    xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, c);
    xmlXPathFreeContext(c);
    ck_assert_msg(o != NULL, "bad XPath %s", expr);
    return o;
}

/* string(expr), malloc'd. */
static char *xs(xmlDocPtr d, const char *expr)
{
    char buf[512];
    snprintf(buf, sizeof buf, "string(%s)", expr);
    xmlXPathObjectPtr o = xp(d, buf);
    char *s = strdup((const char *)o->stringval);
    xmlXPathFreeObject(o);
    return s;
}

static int xn(xmlDocPtr d, const char *expr)
{
    char buf[512];
    snprintf(buf, sizeof buf, "count(%s)", expr);
    xmlXPathObjectPtr o = xp(d, buf);
    int n = (int)o->floatval;
    xmlXPathFreeObject(o);
    return n;
}

#define ck_xs_eq(d, expr, want)                                                    \
    do {                                                                           \
        char *got_ = xs((d), (expr));                                              \
        ck_assert_msg(strcmp(got_, (want)) == 0, "%s = \"%s\", want \"%s\"", (expr), \
                      got_, (want));                                               \
        free(got_);                                                                \
    } while (0)

/* ================================================================ OCF container */

START_TEST(test_mimetype_first_stored)
{
    gl_ctx *ctx = new_ctx();
    gl_doc *doc = rich_doc(ctx);
    const char *out = tpath("a.epub");
    ck_assert_int_eq(publish(ctx, doc, NULL, out), 0);
    size_t len;
    char *raw = slurp(out, &len);
    // OCF 3.3 §4.2.3: the first local header is "mimetype", stored, with no
    // extra field, so the bytes at 30.. read "mimetypeapplication/epub+zip".
    ck_assert_uint_gt(len, 58);
    ck_assert_int_eq(memcmp(raw, "PK\003\004", 4), 0);
    ck_assert_int_eq(raw[8] | raw[9] << 8, 0);    // method 0 = stored
    ck_assert_int_eq(raw[28] | raw[29] << 8, 0);  // extra field length
    ck_assert_int_eq(memcmp(raw + 30, "mimetypeapplication/epub+zip", 28), 0);
    free(raw);

    int err;
    zip_t *za = zip_open(out, ZIP_RDONLY | ZIP_CHECKCONS, &err);
    ck_assert_ptr_nonnull(za);
    ck_assert_str_eq(zip_get_name(za, 0, 0), "mimetype");
    zip_stat_t st;
    ck_assert_int_eq(zip_stat_index(za, 0, 0, &st), 0);
    ck_assert_int_eq(st.comp_method, ZIP_CM_STORE);
    ck_assert_uint_eq(st.size, 20);
    // The fixed order of the remaining entries, every one deflated, 0644,
    // dated from eo->modified (DOS time, UTC fields).
    static const char *const order[] = {"mimetype",        "META-INF/container.xml",
                                        "OEBPS/content.opf", "OEBPS/nav.xhtml",
                                        "OEBPS/toc.ncx",   "OEBPS/style.css",
                                        "OEBPS/text/article.xhtml"};
    ck_assert_int_eq(zip_get_num_entries(za, 0), 7);
    for (zip_uint64_t i = 0; i < 7; i++) {
        ck_assert_str_eq(zip_get_name(za, i, 0), order[i]);
        ck_assert_int_eq(zip_stat_index(za, i, 0, &st), 0);
        if (i > 0)
            ck_assert_int_eq(st.comp_method, ZIP_CM_DEFLATE);
        zip_uint8_t os;
        zip_uint32_t attr;
        ck_assert_int_eq(zip_file_get_external_attributes(za, i, 0, &os, &attr), 0);
        ck_assert_uint_eq(os, ZIP_OPSYS_UNIX);
        ck_assert_uint_eq(attr >> 16, 0100644);
    }
    zip_close(za);
    char *mt = entry(out, "mimetype", NULL);
    ck_assert_str_eq(mt, "application/epub+zip");
    free(mt);
    gl_doc_free(doc);
    free_ctx(ctx);
}
END_TEST

START_TEST(test_container_points_at_opf)
{
    gl_ctx *ctx = new_ctx();
    gl_doc *doc = rich_doc(ctx);
    const char *out = tpath("a.epub");
    ck_assert_int_eq(publish(ctx, doc, NULL, out), 0);
    xmlDocPtr c = parse_entry(out, "META-INF/container.xml");
    ck_xs_eq(c, "/c:container/c:rootfiles/c:rootfile/@full-path", "OEBPS/content.opf");
    ck_xs_eq(c, "/c:container/c:rootfiles/c:rootfile/@media-type",
             "application/oebps-package+xml");
    xmlFreeDoc(c);
    gl_doc_free(doc);
    free_ctx(ctx);
}
END_TEST

/* ================================================================ package document */

START_TEST(test_opf_metadata)
{
    gl_ctx *ctx = new_ctx();
    gl_doc *doc = rich_doc(ctx);
    const char *out = tpath("a.epub");
    ck_assert_int_eq(publish(ctx, doc, "urn:isbn:9780000000000", out), 0);
    xmlDocPtr d = parse_entry(out, "OEBPS/content.opf");
    ck_xs_eq(d, "/opf:package/@version", "3.0");
    ck_xs_eq(d, "/opf:package/@xml:lang", "en");
    ck_xs_eq(d, "/opf:package/@unique-identifier", "uid");
    ck_xs_eq(d, "//dc:identifier[@id='uid']", "urn:isbn:9780000000000");
    ck_xs_eq(d, "//dc:title", "A Rich Article");
    ck_xs_eq(d, "//dc:language", "en");
    ck_xs_eq(d, "//dc:creator", "Jane Roe");
    ck_xs_eq(d, "//dc:date", "2024-03-01");
    ck_xs_eq(d, "//opf:meta[@property='dcterms:modified']", "2023-11-14T22:13:20Z");
    ck_xs_eq(d, "//opf:item[@properties='nav']/@href", "nav.xhtml");
    ck_xs_eq(d, "//opf:item[@id='ncx']/@media-type", "application/x-dtbncx+xml");
    ck_xs_eq(d, "//opf:spine/@toc", "ncx");
    ck_xs_eq(d, "//opf:spine/opf:itemref[1]/@idref", "article");
    ck_xs_eq(d, "//opf:item[@id='article']/@href", "text/article.xhtml");
    xmlFreeDoc(d);
    gl_doc_free(doc);
    free_ctx(ctx);
}
END_TEST

START_TEST(test_opf_fallbacks)
{
    // No title, no language, a bogus date, no byline: the OPF must still be
    // valid (non-empty title, BCP 47 language, no malformed dc:date).
    gl_ctx *ctx = new_ctx();
    gl_doc *doc = gl_doc_new(ctx, NULL);
    doc->meta.lang = "not a tag";
    doc->meta.date = "yesterday";
    add(doc, NULL, GL_B_PARA, "Text.");
    const char *out = tpath("a.epub");
    ck_assert_int_eq(publish(ctx, doc, "", out), 0);
    xmlDocPtr d = parse_entry(out, "OEBPS/content.opf");
    ck_xs_eq(d, "//dc:title", "Untitled");
    ck_xs_eq(d, "//dc:language", "und");
    xmlFreeDoc(d);
    doc->meta.lang = "zh_CN";
    ck_assert_int_eq(publish(ctx, doc, "", out), 0);
    d = parse_entry(out, "OEBPS/content.opf");
    ck_xs_eq(d, "//dc:language", "zh-CN");
    ck_assert_int_eq(xn(d, "//dc:date"), 0);
    ck_assert_int_eq(xn(d, "//dc:creator"), 0);
    // An empty eo->identifier means "derive one".
    char *id = xs(d, "//dc:identifier");
    ck_assert_int_eq(strncmp(id, "urn:uuid:", 9), 0);
    free(id);
    xmlFreeDoc(d);
    gl_doc_free(doc);
    free_ctx(ctx);
}
END_TEST

static char *identifier_of(const char *epub)
{
    xmlDocPtr d = parse_entry(epub, "OEBPS/content.opf");
    char *id = xs(d, "//dc:identifier");
    xmlFreeDoc(d);
    return id;
}

START_TEST(test_identifier_from_content)
{
    gl_ctx *ctx = new_ctx();
    gl_doc *a = rich_doc(ctx), *b = rich_doc(ctx), *c = rich_doc(ctx);
    add(c, NULL, GL_B_PARA, "One more paragraph.");
    ck_assert_int_eq(publish(ctx, a, NULL, tpath("a.epub")), 0);
    ck_assert_int_eq(publish(ctx, b, NULL, tpath("b.epub")), 0);
    ck_assert_int_eq(publish(ctx, c, NULL, tpath("c.epub")), 0);
    char *ia = identifier_of(tpath("a.epub")), *ib = identifier_of(tpath("b.epub")),
         *ic = identifier_of(tpath("c.epub"));
    // urn:uuid: + 8-4-4-4-12 lowercase hex, version 8, variant 10 (RFC 9562).
    ck_assert_uint_eq(strlen(ia), 9 + 36);
    ck_assert_int_eq(strncmp(ia, "urn:uuid:", 9), 0);
    for (int i = 9; ia[i]; i++) {
        int k = i - 9;
        if (k == 8 || k == 13 || k == 18 || k == 23)
            ck_assert_int_eq(ia[i], '-');
        else
            ck_assert_msg(strchr("0123456789abcdef", ia[i]) != NULL, "%s", ia);
    }
    ck_assert_int_eq(ia[9 + 14], '8');
    ck_assert_msg(strchr("89ab", ia[9 + 19]) != NULL, "%s", ia);
    ck_assert_str_eq(ia, ib);  // same content, same identifier
    ck_assert_str_ne(ia, ic);  // different content, different identifier
    // The NCX carries the same identifier (dtb:uid must match the OPF).
    xmlDocPtr n = parse_entry(tpath("a.epub"), "OEBPS/toc.ncx");
    ck_xs_eq(n, "//n:meta[@name='dtb:uid']/@content", ia);
    xmlFreeDoc(n);
    free(ia);
    free(ib);
    free(ic);
    gl_doc_free(a);
    gl_doc_free(b);
    gl_doc_free(c);
    free_ctx(ctx);
}
END_TEST

START_TEST(test_identifier_title_matters)
{
    gl_ctx *ctx = new_ctx();
    gl_doc *a = rich_doc(ctx), *b = rich_doc(ctx);
    b->meta.title = "Another Title";
    ck_assert_int_eq(publish(ctx, a, NULL, tpath("a.epub")), 0);
    ck_assert_int_eq(publish(ctx, b, NULL, tpath("b.epub")), 0);
    char *ia = identifier_of(tpath("a.epub")), *ib = identifier_of(tpath("b.epub"));
    ck_assert_str_ne(ia, ib);
    free(ia);
    free(ib);
    gl_doc_free(a);
    gl_doc_free(b);
    free_ctx(ctx);
}
END_TEST

/* ================================================================ determinism */

static bool same_file(const char *p, const char *q)
{
    size_t n1, n2;
    char *a = slurp(p, &n1), *b = slurp(q, &n2);
    bool same = n1 == n2 && memcmp(a, b, n1) == 0;
    free(a);
    free(b);
    return same;
}

START_TEST(test_deterministic)
{
    gl_ctx *ctx = new_ctx();
    gl_doc *doc = rich_doc(ctx);
    ck_assert_int_eq(publish(ctx, doc, NULL, tpath("a.epub")), 0);
    ck_assert_int_eq(publish(ctx, doc, NULL, tpath("b.epub")), 0);
    ck_assert(same_file(tpath("a.epub"), tpath("b.epub")));
    // The machine's time zone must not reach the ZIP's DOS timestamps.
    setenv("TZ", "CST-8", 1);
    tzset();
    ck_assert_int_eq(publish(ctx, doc, NULL, tpath("c.epub")), 0);
    setenv("TZ", "EST5EDT", 1);
    tzset();
    ck_assert_int_eq(publish(ctx, doc, NULL, tpath("d.epub")), 0);
    ck_assert(same_file(tpath("a.epub"), tpath("c.epub")));
    ck_assert(same_file(tpath("a.epub"), tpath("d.epub")));
    // And a different modification time does change the bytes.
    gl_epub_opts eo = {NULL, 1700000000 + 86400};
    ck_assert_int_eq(gl_epub_write(ctx, doc, &eo, tpath("e.epub")), 0);
    ck_assert(!same_file(tpath("a.epub"), tpath("e.epub")));
    gl_doc_free(doc);
    free_ctx(ctx);
}
END_TEST

START_TEST(test_dos_time_is_utc)
{
    gl_ctx *ctx = new_ctx();
    gl_doc *doc = rich_doc(ctx);
    setenv("TZ", "CST-8", 1);
    tzset();
    ck_assert_int_eq(publish(ctx, doc, NULL, tpath("a.epub")), 0);
    size_t len;
    unsigned char *raw = (unsigned char *)slurp(tpath("a.epub"), &len);
    // Local header: time at 10, date at 12.  2023-11-14 22:13:20.
    unsigned t = raw[10] | raw[11] << 8, d = raw[12] | raw[13] << 8;
    ck_assert_uint_eq(d >> 9, 2023 - 1980);
    ck_assert_uint_eq(d >> 5 & 15, 11);
    ck_assert_uint_eq(d & 31, 14);
    ck_assert_uint_eq(t >> 11, 22);
    ck_assert_uint_eq(t >> 5 & 63, 13);
    ck_assert_uint_eq((t & 31) * 2, 20);
    free(raw);
    gl_doc_free(doc);
    free_ctx(ctx);
}
END_TEST

/* ================================================================ content */

START_TEST(test_xhtml_structure)
{
    gl_ctx *ctx = new_ctx();
    gl_doc *doc = rich_doc(ctx);
    const char *out = tpath("a.epub");
    ck_assert_int_eq(publish(ctx, doc, NULL, out), 0);
    size_t len;
    char *raw = entry(out, "OEBPS/text/article.xhtml", &len);
    ck_assert_ptr_nonnull(strstr(raw, "<!DOCTYPE html>"));
    free(raw);
    xmlDocPtr d = parse_entry(out, "OEBPS/text/article.xhtml");
    ck_xs_eq(d, "/h:html/@lang", "en");
    ck_xs_eq(d, "/h:html/@xml:lang", "en");
    ck_xs_eq(d, "/h:html/h:head/h:title", "A Rich Article");
    ck_xs_eq(d, "/h:html/h:head/h:link[@rel='stylesheet']/@href", "../style.css");
    // Title block.
    ck_xs_eq(d, "//h:header/h:h1", "A Rich Article");
    ck_xs_eq(d, "//h:header/h:p[@class='date']/h:time/@datetime", "2024-03-01");
    ck_xs_eq(d, "//h:header/h:p[@class='date']", "March 1, 2024");
    ck_xs_eq(d, "//h:header/h:p[@class='byline']", "Jane Roe");
    // Blocks, in order, with heading levels shifted under the h1.
    ck_xs_eq(d, "/h:html/h:body/*[2]", "First paragraph.");
    ck_xs_eq(d, "/h:html/h:body/h:h2[1]", "Part One");
    ck_xs_eq(d, "/h:html/h:body/h:h2[1]/@id", "sec-1");
    ck_xs_eq(d, "/h:html/h:body/h:h3[1]/@id", "sec-2");
    ck_xs_eq(d, "/h:html/h:body/h:h2[2]/@id", "sec-3");
    ck_xs_eq(d, "//h:blockquote/h:p", "Quoted words.");
    ck_xs_eq(d, "//h:pre/h:code", "int main(void)\n{\n\treturn 0;\n}");
    ck_assert_int_eq(xn(d, "//h:hr"), 1);
    // Spans.
    ck_xs_eq(d, "/h:html/h:body/h:p[2]", "bold italic code link bad tail");
    ck_xs_eq(d, "/h:html/h:body/h:p[2]/h:strong", "bold");
    ck_xs_eq(d, "/h:html/h:body/h:p[2]/h:em", "italic");
    ck_xs_eq(d, "/h:html/h:body/h:p[2]/h:code", "code");
    ck_assert_int_eq(xn(d, "//h:body//*[@style]"), 0);  // no inline styles
    xmlFreeDoc(d);
    gl_doc_free(doc);
    free_ctx(ctx);
}
END_TEST

START_TEST(test_links)
{
    gl_ctx *ctx = new_ctx();
    gl_doc *doc = gl_doc_new(ctx, NULL);
    doc->meta.title = "Links";
    doc->meta.lang = "en";
    static gl_span sp[7];
    const char *t = "web mail js rel both q";
    gl_block *p = add(doc, NULL, GL_B_PARA, t);
    sp[0] = (gl_span){0, 3, GL_S_LINK, "https://example.org/?a=1&b=2"};
    sp[1] = (gl_span){3, 1, 0, NULL};
    sp[2] = (gl_span){4, 4, GL_S_LINK, "MAILTO:desk@example.org"};
    sp[3] = (gl_span){8, 1, 0, NULL};
    sp[4] = (gl_span){9, 2, GL_S_LINK, "javascript:alert(1)"};
    sp[5] = (gl_span){11, 5, GL_S_LINK, "../secret.xhtml"};
    sp[6] = (gl_span){16, 6, GL_S_LINK | GL_S_BOLD, "http://example.org/a b"};
    p->spans = sp;
    p->nspans = 7;
    const char *out = tpath("a.epub");
    ck_assert_int_eq(publish(ctx, doc, NULL, out), 0);
    xmlDocPtr d = parse_entry(out, "OEBPS/text/article.xhtml");
    ck_assert_int_eq(xn(d, "//h:body/h:p/h:a"), 2);
    ck_xs_eq(d, "//h:body/h:p/h:a[1]/@href", "https://example.org/?a=1&b=2");
    ck_xs_eq(d, "//h:body/h:p/h:a[1]", "web");
    ck_xs_eq(d, "//h:body/h:p/h:a[2]/@href", "MAILTO:desk@example.org");
    // Dropped links keep their text (and other styles).
    ck_xs_eq(d, "//h:body/h:p", t);
    ck_xs_eq(d, "//h:body/h:p/h:strong", "both q");
    xmlFreeDoc(d);
    gl_doc_free(doc);
    free_ctx(ctx);
}
END_TEST

START_TEST(test_escaping_and_controls)
{
    gl_ctx *ctx = new_ctx();
    gl_doc *doc = gl_doc_new(ctx, NULL);
    doc->meta.title = "Fish & <Chips> \"Daily\"\x01";
    doc->meta.lang = "en";
    doc->meta.byline = "A & B\x1b";
    add(doc, NULL, GL_B_PARA, "1 < 2 && 3 > 2 \"quoted\" 'single'\x01\x7f\xc2\x85 ]]> end");
    // A NUL inside the text (len covers it) and a bad UTF-8 byte.
    gl_block *b = gl_doc_append(doc, NULL, GL_B_PARA, "nul\0here \xff!", 11, 1);
    ck_assert_ptr_nonnull(b);
    add_heading(doc, 1, "H & <h>\x02");
    add(doc, NULL, GL_B_CODE, "if (a < b && c > d)\f\n\treturn \"x\";\r");
    const char *out = tpath("a.epub");
    ck_assert_int_eq(publish(ctx, doc, NULL, out), 0);
    static const char *const parts[] = {"OEBPS/text/article.xhtml", "OEBPS/nav.xhtml",
                                        "OEBPS/content.opf", "OEBPS/toc.ncx"};
    for (int i = 0; i < 4; i++) {
        // Well-formed: libxml2 parses each back, and no control byte is left.
        size_t len;
        char *raw = entry(out, parts[i], &len);
        for (size_t k = 0; k < len; k++) {
            unsigned char c = (unsigned char)raw[k];
            ck_assert_msg(c >= 0x20 || c == '\n' || c == '\t', "%s: control 0x%02x at %zu",
                          parts[i], c, k);
            ck_assert_msg(c != 0x7f, "%s: DEL at %zu", parts[i], k);
        }
        ck_assert_ptr_null(strstr(raw, "\xc2\x85"));  // C1 NEL
        free(raw);
        xmlFreeDoc(parse_entry(out, parts[i]));
    }
    xmlDocPtr d = parse_entry(out, "OEBPS/text/article.xhtml");
    ck_xs_eq(d, "/h:html/h:head/h:title", "Fish & <Chips> \"Daily\"");
    ck_xs_eq(d, "//h:header/h:h1", "Fish & <Chips> \"Daily\"");
    ck_xs_eq(d, "//h:header/h:p[@class='byline']", "A & B");
    ck_xs_eq(d, "/h:html/h:body/h:p[1]", "1 < 2 && 3 > 2 \"quoted\" 'single' ]]> end");
    ck_xs_eq(d, "/h:html/h:body/h:p[2]", "nulhere \xef\xbf\xbd!");
    ck_xs_eq(d, "//h:h2", "H & <h>");
    ck_xs_eq(d, "//h:pre/h:code", "if (a < b && c > d)\n\treturn \"x\";");
    xmlFreeDoc(d);
    d = parse_entry(out, "OEBPS/content.opf");
    ck_xs_eq(d, "//dc:title", "Fish & <Chips> \"Daily\"");
    xmlFreeDoc(d);
    gl_doc_free(doc);
    free_ctx(ctx);
}
END_TEST

START_TEST(test_null_spans_and_empty_doc)
{
    gl_ctx *ctx = new_ctx();
    gl_doc *doc = gl_doc_new(ctx, NULL);
    doc->meta.title = "Empty";
    doc->meta.lang = "en";
    const char *out = tpath("a.epub");
    ck_assert_int_eq(publish(ctx, doc, NULL, out), 0);  // no blocks at all
    xmlDocPtr d = parse_entry(out, "OEBPS/text/article.xhtml");
    ck_xs_eq(d, "//h:h1", "Empty");
    xmlFreeDoc(d);
    // Empty non-void elements are written <p></p>, never <p/> (which an HTML
    // parser would read as an open tag); void elements stay <hr/>.
    add(doc, NULL, GL_B_PARA, "");
    add(doc, NULL, GL_B_HR, NULL);
    ck_assert_int_eq(publish(ctx, doc, NULL, out), 0);
    char *raw = entry(out, "OEBPS/text/article.xhtml", NULL);
    ck_assert_ptr_nonnull(strstr(raw, "<p></p>"));
    ck_assert_ptr_nonnull(strstr(raw, "<hr/>"));
    ck_assert_ptr_null(strstr(raw, "<p/>"));
    free(raw);
    // Spans that overlap, run past the end or are empty cost markup, not text.
    static gl_span sp[3];
    gl_block *p = add(doc, NULL, GL_B_PARA, "abcdef");
    sp[0] = (gl_span){0, 4, GL_S_BOLD, NULL};
    sp[1] = (gl_span){2, 0, GL_S_ITALIC, NULL};
    sp[2] = (gl_span){2, 99, GL_S_ITALIC, NULL};
    p->spans = sp;
    p->nspans = 3;
    ck_assert_int_eq(publish(ctx, doc, NULL, out), 0);
    d = parse_entry(out, "OEBPS/text/article.xhtml");
    ck_xs_eq(d, "/h:html/h:body/h:p[2]", "abcdef");
    ck_xs_eq(d, "//h:strong", "abcd");
    ck_xs_eq(d, "//h:em", "ef");
    xmlFreeDoc(d);
    gl_doc_free(doc);
    free_ctx(ctx);
}
END_TEST

/* ================================================================ navigation */

START_TEST(test_nav_nested)
{
    gl_ctx *ctx = new_ctx();
    gl_doc *doc = rich_doc(ctx);
    add_heading(doc, 3, "Deep");
    add_heading(doc, 1, "  ");  // blank: no TOC entry
    const char *out = tpath("a.epub");
    ck_assert_int_eq(publish(ctx, doc, NULL, out), 0);
    xmlDocPtr d = parse_entry(out, "OEBPS/nav.xhtml");
    ck_xs_eq(d, "/h:html/@xml:lang", "en");
    ck_assert_int_eq(xn(d, "//h:nav[@epub:type='toc']"), 1);
    const char *top = "//h:nav[@epub:type='toc']/h:ol/h:li";
    ck_assert_int_eq(xn(d, top), 1);
    ck_xs_eq(d, "//h:nav[@epub:type='toc']/h:ol/h:li/h:a", "A Rich Article");
    ck_xs_eq(d, "//h:nav[@epub:type='toc']/h:ol/h:li/h:a/@href", "text/article.xhtml");
    // Part One > Section 1.1; Part Two > Deep.
    const char *l2 = "//h:nav[@epub:type='toc']/h:ol/h:li/h:ol/h:li";
    ck_assert_int_eq(xn(d, l2), 2);
    char q[256];
    snprintf(q, sizeof q, "%s[1]/h:a/@href", l2);
    ck_xs_eq(d, q, "text/article.xhtml#sec-1");
    snprintf(q, sizeof q, "%s[1]/h:ol/h:li/h:a", l2);
    ck_xs_eq(d, q, "Section 1.1");
    snprintf(q, sizeof q, "%s[2]/h:a", l2);
    ck_xs_eq(d, q, "Part Two");
    snprintf(q, sizeof q, "%s[2]/h:ol/h:li/h:a/@href", l2);
    ck_xs_eq(d, q, "text/article.xhtml#sec-4");
    // Landmarks.
    ck_xs_eq(d, "//h:nav[@epub:type='landmarks']//h:a[@epub:type='bodymatter']/@href",
             "text/article.xhtml");
    ck_xs_eq(d, "//h:nav[@epub:type='landmarks']//h:a[@epub:type='toc']/@href",
             "nav.xhtml#toc");
    xmlFreeDoc(d);
    // Every TOC target exists in the content document.
    d = parse_entry(out, "OEBPS/text/article.xhtml");
    ck_assert_int_eq(xn(d, "//*[@id='sec-4']"), 1);
    ck_xs_eq(d, "//*[@id='sec-4']", "Deep");
    ck_assert_int_eq(xn(d, "//*[@id='sec-5']"), 0);
    ck_assert_int_eq(xn(d, "//h:h2"), 2);  // the blank heading is left out
    xmlFreeDoc(d);
    // The NCX mirrors it with sequential playOrder.
    d = parse_entry(out, "OEBPS/toc.ncx");
    ck_assert_int_eq(xn(d, "//n:navPoint"), 5);
    ck_xs_eq(d, "//n:navMap/n:navPoint/n:navPoint[2]/n:navPoint/n:content/@src",
             "text/article.xhtml#sec-4");
    ck_xs_eq(d, "//n:navMap/n:navPoint/n:navPoint[2]/n:navPoint/@playOrder", "5");
    ck_xs_eq(d, "//n:meta[@name='dtb:depth']/@content", "3");
    xmlFreeDoc(d);
    gl_doc_free(doc);
    free_ctx(ctx);
}
END_TEST

/* ================================================================ styles */

START_TEST(test_chinese)
{
    gl_ctx *ctx = new_ctx();
    gl_doc *doc = zh_doc(ctx);
    ck_assert_str_eq(doc->meta.lang, "zh-Hans");
    const char *out = tpath("zh.epub");
    ck_assert_int_eq(publish(ctx, doc, NULL, out), 0);
    xmlDocPtr d = parse_entry(out, "OEBPS/text/article.xhtml");
    ck_xs_eq(d, "/h:html/@lang", "zh-Hans");
    ck_xs_eq(d, "/h:html/@xml:lang", "zh-Hans");
    ck_xs_eq(d, "//h:header/h:h1", "政府工作报告");
    xmlFreeDoc(d);
    d = parse_entry(out, "OEBPS/content.opf");
    ck_xs_eq(d, "//dc:language", "zh-Hans");
    xmlFreeDoc(d);
    d = parse_entry(out, "OEBPS/nav.xhtml");
    ck_xs_eq(d, "/h:html/@xml:lang", "zh-Hans");
    ck_xs_eq(d, "//h:nav[@epub:type='toc']/h:h1", "目录");
    xmlFreeDoc(d);
    char *css = entry(out, "OEBPS/style.css", NULL);
    ck_assert_ptr_nonnull(strstr(css, "text-indent: 2em"));
    ck_assert_ptr_nonnull(strstr(css, "line-break: strict"));
    ck_assert_ptr_nonnull(strstr(css, "text-align: justify"));
    ck_assert_ptr_nonnull(strstr(css, ":lang(zh)"));
    free(css);

    // An English document gets none of the CJK rules.
    gl_doc *en = rich_doc(ctx);
    ck_assert_int_eq(publish(ctx, en, NULL, tpath("en.epub")), 0);
    css = entry(tpath("en.epub"), "OEBPS/style.css", NULL);
    ck_assert_ptr_null(strstr(css, "text-indent: 2em"));
    ck_assert_ptr_null(strstr(css, ":lang(zh)"));
    free(css);
    gl_doc_free(en);
    gl_doc_free(doc);
    free_ctx(ctx);
}
END_TEST

/* ================================================================ failures */

START_TEST(test_missing_directory)
{
    gl_ctx *ctx = new_ctx();
    gl_doc *doc = rich_doc(ctx);
    const char *out = tpath("no/such/dir/x.epub");
    ck_assert_int_eq(publish(ctx, doc, NULL, out), -1);
    ck_assert_int_eq(ctx->status, GALLEY_ERR_IO);
    ck_assert_msg(strstr(ctx->errmsg, out) != NULL, "message does not name the path: %s",
                  ctx->errmsg);
    ck_assert_uint_eq(count_dir_entries(tmpdir), 0);  // no temp file anywhere
    gl_doc_free(doc);
    free_ctx(ctx);
}
END_TEST

START_TEST(test_output_is_directory)
{
    gl_ctx *ctx = new_ctx();
    gl_doc *doc = rich_doc(ctx);
    const char *out = tpath("sub");
    ck_assert_int_eq(mkdir(out, 0755), 0);
    ck_assert_int_eq(publish(ctx, doc, NULL, out), -1);
    ck_assert_int_eq(ctx->status, GALLEY_ERR_IO);
    ck_assert_ptr_nonnull(strstr(ctx->errmsg, out));
    ck_assert_uint_eq(count_dir_entries(tmpdir), 1);  // only sub/
    ck_assert_uint_eq(count_dir_entries(out), 0);
    rmdir(out);
    gl_doc_free(doc);
    free_ctx(ctx);
}
END_TEST

// Fails the Nth allocation for N = 1, 2, ... until the write succeeds: every
// failure returns -1 with ctx->oom set, leaves the existing output as it was
// and no temporary file behind (and, under valgrind, leaks nothing).
START_TEST(test_existing_output_survives_failure)
{
    const char *out = tpath("keep.epub");
    FILE *f = fopen(out, "wb");
    ck_assert_ptr_nonnull(f);
    fputs("precious", f);
    fclose(f);
    bool done = false;
    for (unsigned long n = 1; n < 100000 && !done; n++) {
        gl_ctx *ctx = new_ctx();
        gl_doc *doc = rich_doc(ctx);
        ctx->fail_alloc_at = ctx->alloc_count + n;
        int rc = publish(ctx, doc, NULL, out);
        if (rc == 0) {
            done = true;
        } else {
            ck_assert_int_eq(rc, -1);
            ck_assert_msg(ctx->oom, "n=%lu: failed without OOM: %s", n, ctx->errmsg);
            size_t len;
            char *s = slurp(out, &len);
            ck_assert_msg(len == 8 && memcmp(s, "precious", 8) == 0, "n=%lu: output changed", n);
            free(s);
            ck_assert_uint_eq(count_dir_entries(tmpdir), 1);
        }
        ctx->fail_alloc_at = 0;
        ctx->oom = false;
        gl_doc_free(doc);
        free_ctx(ctx);
    }
    ck_assert(done);
    ck_assert_uint_eq(count_dir_entries(tmpdir), 1);
    char *mt = entry(out, "mimetype", NULL);  // now replaced by the EPUB
    ck_assert_str_eq(mt, "application/epub+zip");
    free(mt);
}
END_TEST

/* ================================================================ fonts, script, pages, a11y */

static gl_fontset *default_fonts(gl_ctx *ctx)
{
    gl_font_config fc = {0};
    gl_fontset *fs = gl_fontset_new(ctx, &fc);
    ck_assert_msg(fs != NULL, "bundled fonts: %s", ctx->errmsg);
    return fs;
}

static int publish_with(gl_ctx *ctx, const gl_doc *doc, galley_epub_fonts mode,
                        const gl_fontset *fs, const gl_epub_pagebreak *pb, size_t npb,
                        const char *path)
{
    gl_epub_opts eo = {NULL, 1700000000, mode, fs, pb, npb, NULL};
    return gl_epub_write(ctx, doc, &eo, path);
}

/* Writes entry name of epub to a file in tmpdir and returns its path. */
static const char *extract(const char *epub, const char *name, const char *as)
{
    size_t len = 0;
    char *s = entry(epub, name, &len);
    ck_assert_msg(s != NULL, "%s: no entry %s", epub, name);
    const char *p = tpath(as);
    FILE *f = fopen(p, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(s, 1, len, f), len);
    fclose(f);
    free(s);
    return p;
}

START_TEST(test_font_mode_auto)
{
    gl_ctx *ctx = new_ctx();
    gl_doc *zh = zh_doc(ctx), *en = rich_doc(ctx);
    ck_assert_int_eq(gl_epub_font_mode(zh, GALLEY_EPUB_FONTS_AUTO), GALLEY_EPUB_FONTS_SUBSET);
    ck_assert_int_eq(gl_epub_font_mode(en, GALLEY_EPUB_FONTS_AUTO), GALLEY_EPUB_FONTS_NONE);
    ck_assert_int_eq(gl_epub_font_mode(en, GALLEY_EPUB_FONTS_FULL), GALLEY_EPUB_FONTS_FULL);
    ck_assert_int_eq(gl_epub_font_mode(zh, GALLEY_EPUB_FONTS_NONE), GALLEY_EPUB_FONTS_NONE);
    // One Han character deep in a quote is enough.
    gl_block *q = add(en, NULL, GL_B_QUOTE, NULL);
    add(en, q, GL_B_PARA, "quoted \xe4\xb8\xad");
    ck_assert_int_eq(gl_epub_font_mode(en, GALLEY_EPUB_FONTS_AUTO), GALLEY_EPUB_FONTS_SUBSET);
    gl_doc_free(zh);
    gl_doc_free(en);
    free_ctx(ctx);
}
END_TEST

START_TEST(test_fonts_subset)
{
    gl_ctx *ctx = new_ctx();
    gl_fontset *fs = default_fonts(ctx);
    gl_doc *doc = zh_doc(ctx);
    const char *out = tpath("zh.epub");
    ck_assert_int_eq(publish_with(ctx, doc, GALLEY_EPUB_FONTS_SUBSET, fs, NULL, 0, out), 0);
    xmlDocPtr d = parse_entry(out, "OEBPS/content.opf");
    ck_xs_eq(d, "//opf:item[@href='fonts/cjk.ttf']/@media-type", "font/ttf");
    ck_xs_eq(d, "//opf:item[@href='fonts/cjk-heading.ttf']/@media-type", "font/ttf");
    // No Latin letter in the text: no Latin italic face.
    ck_assert_int_eq(xn(d, "//opf:item[@href='fonts/latin-italic.ttf']"), 0);
    xmlFreeDoc(d);
    char *css = entry(out, "OEBPS/style.css", NULL);
    ck_assert_ptr_nonnull(strstr(css, "@font-face { font-family: \"galley-cjk\";"));
    ck_assert_ptr_nonnull(strstr(css, "url(\"fonts/cjk.ttf\")"));
    ck_assert_ptr_nonnull(strstr(css, "body { font-family:"));
    ck_assert_ptr_nonnull(strstr(css, "\"galley-cjk\", serif; }"));
    free(css);

    // The body subset has exactly the body's characters: load it as the
    // CJK face of a second font set and ask.
    gl_font_config fc = {0};
    fc.cjk = extract(out, "OEBPS/fonts/cjk.ttf", "cjk.ttf");
    gl_fontset *sub = gl_fontset_new(ctx, &fc);
    ck_assert_msg(sub != NULL, "subset does not load: %s", ctx->errmsg);
    static const uint32_t body[] = {0x8FC7, 0x6311, 0x6218, 0x7EFC, 0x3002, 0xFF0C};  // 过挑战综。，
    for (size_t i = 0; i < sizeof body / sizeof *body; i++)
        ck_assert_msg(gl_face_has(sub, GL_FACE_CJK, body[i]), "U+%04X missing", body[i]);
    ck_assert(!gl_face_has(sub, GL_FACE_CJK, 0x9F99));  // 龙: not in the book
    ck_assert(!gl_face_has(sub, GL_FACE_CJK, 'A'));     // Latin is the Latin face's
    gl_fontset_free(sub);
    // The heading subset has the heading's characters, not the body's.
    fc.cjk = extract(out, "OEBPS/fonts/cjk-heading.ttf", "head.ttf");
    sub = gl_fontset_new(ctx, &fc);
    ck_assert_ptr_nonnull(sub);
    ck_assert(gl_face_has(sub, GL_FACE_CJK, 0x56DE));   // 回 (一、过去一年工作回顾)
    ck_assert(!gl_face_has(sub, GL_FACE_CJK, 0x6311));  // 挑 (body only)
    gl_fontset_free(sub);

    // Reproducible with fonts too; and none embeds nothing.
    ck_assert_int_eq(publish_with(ctx, doc, GALLEY_EPUB_FONTS_SUBSET, fs, NULL, 0,
                                  tpath("zh2.epub")), 0);
    ck_assert(same_file(out, tpath("zh2.epub")));
    ck_assert_int_eq(publish_with(ctx, doc, GALLEY_EPUB_FONTS_NONE, fs, NULL, 0,
                                  tpath("none.epub")), 0);
    char *f = entry(tpath("none.epub"), "OEBPS/fonts/cjk.ttf", NULL);
    ck_assert_ptr_null(f);
    css = entry(tpath("none.epub"), "OEBPS/style.css", NULL);
    ck_assert_ptr_null(strstr(css, "@font-face"));
    free(css);
    gl_doc_free(doc);
    gl_fontset_free(fs);
    free_ctx(ctx);
}
END_TEST

START_TEST(test_fonts_full)
{
    gl_ctx *ctx = new_ctx();
    gl_fontset *fs = default_fonts(ctx);
    gl_doc *doc = zh_doc(ctx);
    const char *out = tpath("full.epub");
    ck_assert_int_eq(publish_with(ctx, doc, GALLEY_EPUB_FONTS_FULL, fs, NULL, 0, out), 0);
    gl_font_config fc = {0};
    fc.cjk = extract(out, "OEBPS/fonts/cjk.ttf", "cjk.ttf");
    gl_fontset *sub = gl_fontset_new(ctx, &fc);
    ck_assert_ptr_nonnull(sub);
    ck_assert(gl_face_has(sub, GL_FACE_CJK, 0x9F99));  // 龙: the whole face is there
    gl_fontset_free(sub);
    gl_doc_free(doc);
    gl_fontset_free(fs);
    free_ctx(ctx);
}
END_TEST

START_TEST(test_script_spans_and_spacing)
{
    gl_ctx *ctx = new_ctx();
    gl_doc *doc = zh_doc(ctx);
    // 我们使用Windows XP系统和GDP数据，2004年增长A股。
    const char *t = "我们使用Windows XP系统和GDP数据，2004年增长A股。";
    gl_block *p = add(doc, NULL, GL_B_PARA, t);
    static gl_span sp[2];
    size_t code_at = strlen(t);
    gl_block *c = add(doc, NULL, GL_B_PARA, "见printf函数");
    (void)code_at;
    sp[0] = (gl_span){0, 3, 0, NULL, NULL};
    sp[1] = (gl_span){3, 6, GL_S_CODE, NULL, NULL};
    c->spans = sp;
    c->nspans = 2;
    const char *out = tpath("zh.epub");
    ck_assert_int_eq(publish(ctx, doc, NULL, out), 0);
    xmlDocPtr d = parse_entry(out, "OEBPS/text/article.xhtml");
    ck_xs_eq(d, "/h:html/@lang", "zh-Hans");
    // Latin words in Chinese text are English; "A股" (one letter) is not marked.
    ck_assert_int_eq(xn(d, "/h:html/h:body/h:p[3]/h:span"), 2);
    ck_xs_eq(d, "/h:html/h:body/h:p[3]/h:span[1]", "Windows XP");
    ck_xs_eq(d, "/h:html/h:body/h:p[3]/h:span[1]/@lang", "en");
    ck_xs_eq(d, "/h:html/h:body/h:p[3]/h:span[1]/@xml:lang", "en");
    ck_xs_eq(d, "/h:html/h:body/h:p[3]/h:span[2]", "GDP");
    // A quarter-em space (U+2005) between Han and Latin letters or digits,
    // none next to punctuation, none inside code.
    ck_xs_eq(d, "/h:html/h:body/h:p[3]",
             "我们使用\xE2\x80\x85Windows XP\xE2\x80\x85系统和\xE2\x80\x85GDP\xE2\x80\x85数据，"
             "2004\xE2\x80\x85年增长\xE2\x80\x85" "A\xE2\x80\x85股。");
    ck_xs_eq(d, "/h:html/h:body/h:p[4]/h:code", "printf");
    ck_xs_eq(d, "/h:html/h:body/h:p[4]", "见printf\xE2\x80\x85函数");
    ck_assert_int_eq(xn(d, "//h:body//*[@style]"), 0);
    xmlFreeDoc(d);
    (void)p;

    // In an English book, Chinese runs are marked instead (kana: ja).
    gl_doc *en = rich_doc(ctx);
    add(en, NULL, GL_B_PARA, "The word 中国 and カタカナ.");
    ck_assert_int_eq(publish(ctx, en, NULL, tpath("en.epub")), 0);
    d = parse_entry(tpath("en.epub"), "OEBPS/text/article.xhtml");
    ck_xs_eq(d, "/h:html/h:body/h:p[last()]/h:span[1]", "中国");
    ck_xs_eq(d, "/h:html/h:body/h:p[last()]/h:span[1]/@lang", "zh");
    ck_xs_eq(d, "/h:html/h:body/h:p[last()]/h:span[2]/@lang", "ja");
    ck_xs_eq(d, "/h:html/h:body/h:p[last()]", "The word 中国 and カタカナ.");  // spaces already there
    ck_assert_int_eq(xn(d, "//h:span[@lang='en']"), 0);
    xmlFreeDoc(d);
    gl_doc_free(en);
    gl_doc_free(doc);
    free_ctx(ctx);
}
END_TEST

START_TEST(test_page_list)
{
    gl_ctx *ctx = new_ctx();
    gl_doc *doc = rich_doc(ctx);
    gl_doc *other = rich_doc(ctx);
    const gl_block *first = doc->first;                     // "First paragraph."
    const gl_block *hr = NULL, *part2 = NULL, *quoted = NULL;
    for (const gl_block *b = doc->first; b; b = b->next) {
        if (b->type == GL_B_HR)
            hr = b;
        if (b->type == GL_B_HEADING && strcmp(b->text, "Part Two") == 0)
            part2 = b;
        if (b->type == GL_B_QUOTE)
            quoted = b->children;
    }
    ck_assert(hr && part2 && quoted);
    gl_epub_pagebreak pb[] = {
        {first, 6, "1"},         // inside "First paragraph."
        {quoted, 0, "2"},        // nested block
        {hr, 0, "3"},            // a block without text: before it
        {part2, 0, "iv"},        // roman: NCX type front
        {other->first, 0, "9"},  // not in this doc: ignored
        {part2, 99, "3"},        // duplicate label, offset past the end
    };
    const char *out = tpath("p.epub");
    ck_assert_int_eq(publish_with(ctx, doc, GALLEY_EPUB_FONTS_NONE, NULL, pb, 6, out), 0);
    xmlDocPtr d = parse_entry(out, "OEBPS/text/article.xhtml");
    const char *m = "//h:span[@epub:type='pagebreak']";
    ck_assert_int_eq(xn(d, m), 5);
    ck_xs_eq(d, "/h:html/h:body/h:p[1]/h:span/@id", "page-1");
    ck_xs_eq(d, "/h:html/h:body/h:p[1]/h:span/@role", "doc-pagebreak");
    ck_xs_eq(d, "/h:html/h:body/h:p[1]/h:span/@aria-label", "1");
    // The marker sits after "First " and the text is whole.
    ck_xs_eq(d, "/h:html/h:body/h:p[1]/h:span/preceding-sibling::text()", "First ");
    ck_xs_eq(d, "/h:html/h:body/h:p[1]", "First paragraph.");
    ck_xs_eq(d, "//h:blockquote/h:p/h:span/@id", "page-2");
    ck_xs_eq(d, "//h:hr/preceding-sibling::*[1]/@id", "page-3");
    ck_xs_eq(d, "//h:h2[2]/h:span/@id", "page-iv");
    ck_xs_eq(d, "//h:h2[2]", "Part Two");
    // The duplicate label gets a positional id, after the heading's text.
    ck_xs_eq(d, "//h:h2[2]/following-sibling::*[1]/@id", "page-at-6");
    xmlFreeDoc(d);

    d = parse_entry(out, "OEBPS/nav.xhtml");
    const char *pl = "//h:nav[@epub:type='page-list']/h:ol/h:li/h:a";
    ck_assert_int_eq(xn(d, pl), 5);
    ck_xs_eq(d, "//h:nav[@epub:type='page-list']/h:ol/h:li[1]/h:a/@href",
             "text/article.xhtml#page-1");
    ck_xs_eq(d, "//h:nav[@epub:type='page-list']/h:ol/h:li[4]/h:a", "iv");
    ck_xs_eq(d, "//h:nav[@epub:type='page-list']/h:ol/h:li[5]/h:a/@href",
             "text/article.xhtml#page-at-6");
    xmlFreeDoc(d);

    d = parse_entry(out, "OEBPS/toc.ncx");
    ck_assert_int_eq(xn(d, "//n:pageList/n:pageTarget"), 5);
    ck_xs_eq(d, "//n:pageTarget[1]/@type", "normal");
    ck_xs_eq(d, "//n:pageTarget[1]/@value", "1");
    ck_xs_eq(d, "//n:pageTarget[4]/@type", "front");
    ck_xs_eq(d, "//n:pageTarget[4]/n:content/@src", "text/article.xhtml#page-iv");
    ck_xs_eq(d, "//n:meta[@name='dtb:totalPageCount']/@content", "5");
    ck_xs_eq(d, "//n:meta[@name='dtb:maxPageNumber']/@content", "3");
    xmlFreeDoc(d);

    d = parse_entry(out, "OEBPS/content.opf");
    ck_xs_eq(d, "//dc:source[@id='print-source']", "A Rich Article (print PDF)");
    ck_xs_eq(d, "//opf:meta[@refines='#print-source'][@property='source-of']", "pagination");
    ck_assert_int_eq(
        xn(d, "//opf:meta[@property='schema:accessibilityFeature'][.='printPageNumbers']"), 1);
    ck_assert_int_eq(
        xn(d, "//opf:meta[@property='schema:accessibilityFeature'][.='pageNavigation']"), 1);
    xmlFreeDoc(d);

    // Without breaks: no page-list, no pageBreakSource.
    ck_assert_int_eq(publish(ctx, doc, NULL, tpath("q.epub")), 0);
    d = parse_entry(tpath("q.epub"), "OEBPS/nav.xhtml");
    ck_assert_int_eq(xn(d, "//h:nav[@epub:type='page-list']"), 0);
    xmlFreeDoc(d);
    d = parse_entry(tpath("q.epub"), "OEBPS/content.opf");
    ck_assert_int_eq(xn(d, "//dc:source"), 0);
    ck_assert_int_eq(
        xn(d, "//opf:meta[@property='schema:accessibilityFeature'][.='printPageNumbers']"), 0);
    xmlFreeDoc(d);
    gl_doc_free(other);
    gl_doc_free(doc);
    free_ctx(ctx);
}
END_TEST

static int count_prop(xmlDocPtr d, const char *prop, const char *value)
{
    char q[256];
    snprintf(q, sizeof q, "//opf:meta[@property='%s'][.='%s']", prop, value);
    return xn(d, q);
}

START_TEST(test_a11y_metadata)
{
    gl_ctx *ctx = new_ctx();
    gl_doc *doc = rich_doc(ctx);
    const char *out = tpath("a.epub");
    ck_assert_int_eq(publish(ctx, doc, NULL, out), 0);
    xmlDocPtr d = parse_entry(out, "OEBPS/content.opf");
    ck_assert_int_eq(count_prop(d, "schema:accessMode", "textual"), 1);
    ck_assert_int_eq(count_prop(d, "schema:accessMode", "visual"), 0);
    ck_assert_int_eq(count_prop(d, "schema:accessModeSufficient", "textual"), 1);
    ck_assert_int_eq(count_prop(d, "schema:accessibilityFeature", "tableOfContents"), 1);
    ck_assert_int_eq(count_prop(d, "schema:accessibilityFeature", "readingOrder"), 1);
    ck_assert_int_eq(count_prop(d, "schema:accessibilityFeature", "structuralNavigation"), 1);
    ck_assert_int_eq(count_prop(d, "schema:accessibilityFeature", "alternativeText"), 0);
    ck_assert_int_eq(count_prop(d, "schema:accessibilityHazard", "none"), 1);
    ck_assert_int_eq(xn(d, "//opf:meta[@property='schema:accessibilitySummary']"), 1);
    ck_assert_int_eq(
        count_prop(d, "dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"), 1);
    ck_assert_int_eq(xn(d, "//opf:meta[@property='a11y:certifiedBy']"), 1);
    xmlFreeDoc(d);
    // Landmarks: toc and bodymatter.
    d = parse_entry(out, "OEBPS/nav.xhtml");
    ck_assert_int_eq(xn(d, "//h:nav[@epub:type='landmarks']//h:a[@epub:type='bodymatter']"), 1);
    ck_assert_int_eq(xn(d, "//h:nav[@epub:type='landmarks']//h:a[@epub:type='toc']"), 1);
    xmlFreeDoc(d);

    // An image without alt text: visual content, no text alternative, no claim.
    gl_block *img = add(doc, NULL, GL_B_IMAGE, "");
    // An image must be a real PNG/JPEG file (else a clear error).
    img->src = img->path = "data/markdown/figure.png";
    ck_assert_int_eq(publish(ctx, doc, NULL, out), 0);
    d = parse_entry(out, "OEBPS/content.opf");
    ck_assert_int_eq(count_prop(d, "schema:accessMode", "visual"), 1);
    ck_assert_int_eq(count_prop(d, "schema:accessModeSufficient", "textual,visual"), 1);
    ck_assert_int_eq(count_prop(d, "schema:accessibilityFeature", "alternativeText"), 0);
    ck_assert_int_eq(xn(d, "//opf:meta[@property='dcterms:conformsTo']"), 0);
    ck_assert_int_eq(xn(d, "//opf:meta[@property='a11y:certifiedBy']"), 0);
    xmlFreeDoc(d);
    // With alt text: alternativeText, textual suffices, the claim is back.
    img->text = "A chart of the harvest";
    img->len = strlen(img->text);
    ck_assert_int_eq(publish(ctx, doc, NULL, out), 0);
    d = parse_entry(out, "OEBPS/content.opf");
    ck_assert_int_eq(count_prop(d, "schema:accessibilityFeature", "alternativeText"), 1);
    ck_assert_int_eq(count_prop(d, "schema:accessModeSufficient", "textual"), 1);
    ck_assert_int_eq(xn(d, "//opf:meta[@property='dcterms:conformsTo']"), 1);
    xmlFreeDoc(d);
    // An unknown language: no claim either.
    doc->meta.lang = "x";
    ck_assert_int_eq(publish(ctx, doc, NULL, out), 0);
    d = parse_entry(out, "OEBPS/content.opf");
    ck_xs_eq(d, "//dc:language", "und");
    ck_assert_int_eq(xn(d, "//opf:meta[@property='dcterms:conformsTo']"), 0);
    xmlFreeDoc(d);
    gl_doc_free(doc);
    free_ctx(ctx);
}
END_TEST

/* Fails the Nth allocation over a write with fonts and page breaks: every
 * failure is -1 with ctx->oom and nothing written (valgrind: no leaks). */
START_TEST(test_extras_oom)
{
    const char *out = tpath("oom.epub");
    bool done = false;
    for (unsigned long n = 1; n < 100000 && !done; n += 7) {
        gl_ctx *ctx = new_ctx();
        gl_fontset *fs = default_fonts(ctx);
        gl_doc *doc = zh_doc(ctx);
        gl_epub_pagebreak pb[] = {{doc->first, 3, "1"}};
        ctx->fail_alloc_at = ctx->alloc_count + n;
        int rc = publish_with(ctx, doc, GALLEY_EPUB_FONTS_SUBSET, fs, pb, 1, out);
        if (rc == 0) {
            done = true;
        } else {
            ck_assert_msg(ctx->oom, "n=%lu: failed without OOM: %s", n, ctx->errmsg);
            ck_assert_uint_eq(count_dir_entries(tmpdir), 0);
        }
        ctx->fail_alloc_at = 0;
        gl_doc_free(doc);
        gl_fontset_free(fs);
        free_ctx(ctx);
    }
    ck_assert(done);
}
END_TEST

/* ================================================================ suite */

Suite *suite_epub(void)
{
    Suite *s = suite_create("epub");
    struct {
        const char *name;
        const TTest *t;
    } cases[] = {
        {"ocf", test_mimetype_first_stored},
        {"ocf", test_container_points_at_opf},
        {"opf", test_opf_metadata},
        {"opf", test_opf_fallbacks},
        {"identifier", test_identifier_from_content},
        {"identifier", test_identifier_title_matters},
        {"determinism", test_deterministic},
        {"determinism", test_dos_time_is_utc},
        {"xhtml", test_xhtml_structure},
        {"xhtml", test_links},
        {"xhtml", test_escaping_and_controls},
        {"xhtml", test_null_spans_and_empty_doc},
        {"nav", test_nav_nested},
        {"css", test_chinese},
        {"failure", test_missing_directory},
        {"failure", test_output_is_directory},
        {"failure", test_existing_output_survives_failure},
        {"fonts", test_font_mode_auto},
        {"fonts", test_fonts_subset},
        {"fonts", test_fonts_full},
        {"script", test_script_spans_and_spacing},
        {"pagelist", test_page_list},
        {"a11y", test_a11y_metadata},
        {"extras-oom", test_extras_oom},
    };
    TCase *tc = NULL;
    const char *cur = NULL;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (!cur || strcmp(cur, cases[i].name) != 0) {
            cur = cases[i].name;
            tc = tcase_create(cur);
            // Each test gets its own scratch directory (checked fixtures run
            // in the forked child, so a failing test cannot leak one).
            tcase_add_checked_fixture(tc, setup, teardown);
            tcase_set_timeout(tc, 60);
            suite_add_tcase(s, tc);
        }
        tcase_add_test(tc, cases[i].t);
    }
    return s;
}
