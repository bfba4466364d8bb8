/*
 * test_manifest.c — unit tests of the manifest reader and YAML loader
 * (src/manifest.c) and of the option table they feed (src/options.c):
 * valid manifests, unknown keys, bad values with file:line, inputs lists
 * and their relative paths, the caller's precedence, galley_options_set,
 * and page options in Markdown front matter.
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "manifest.h"
#include "reader.h"

#define MM (72.0 / 25.4)

/* ================================================================ fixtures */

static char tmpdir[64];

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/gl-manifest-test-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

// Removes the scratch tree (two levels deep); fails nothing.
static void rm_tree(const char *dir, int depth)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    char p[512];
    while ((de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
            snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
            if (unlink(p) != 0 && depth < 2)
                rm_tree(p, depth + 1);
        }
    closedir(d);
    rmdir(dir);
}

static void teardown(void) { rm_tree(tmpdir, 0); }

static const char *tpath(const char *name)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

/* Writes text to tmpdir/name (making its folder) and returns the path. */
static const char *put(const char *name, const char *text)
{
    const char *p = tpath(name);
    char dir[256];
    snprintf(dir, sizeof dir, "%s", p);
    *strrchr(dir, '/') = 0;
    mkdir(dir, 0777);
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return p;
}

static bool has_warning(gl_ctx *ctx, const char *needle, unsigned line)
{
    for (size_t i = 0; i < galley_diag_count(ctx); i++) {
        const galley_diag *d = galley_diag_get(ctx, i);
        if (strstr(d->message, needle) && (!line || d->line == line))
            return true;
    }
    return false;
}

static const char article[] = "date 2024-05-01 Title: An article\n\nSome text.\n";

/* ================================================================ the YAML loader */

START_TEST(test_yaml_map)
{
    gl_ctx *ctx = galley_ctx_new();
    gl_yaml_map m;
    // keys in order, with their lines counted from first_line; lists keep
    // their plain non-empty items; keys that are not plain are left out
    const char *y = "a: 1\n# note\nlist: [x, '', y, [z]]\nmap: {k: v}\n? [complex]\n: no\nb: \"two\"\n";
    ck_assert_int_eq(gl_yaml_read_map(ctx, y, strlen(y), 5, &m), GL_YAML_MAP);
    ck_assert_uint_eq(m.npairs, 4);
    ck_assert_str_eq(m.pairs[0].key, "a");
    ck_assert_str_eq(m.pairs[0].value, "1");
    ck_assert_uint_eq(m.pairs[0].line, 5);
    ck_assert_str_eq(m.pairs[1].key, "list");
    ck_assert(m.pairs[1].list);
    ck_assert_ptr_null(m.pairs[1].value);
    ck_assert_uint_eq(m.pairs[1].nitems, 2);
    ck_assert_str_eq(m.pairs[1].items[0], "x");
    ck_assert_str_eq(m.pairs[1].items[1], "y");
    ck_assert_uint_eq(m.pairs[1].line, 7);
    ck_assert_str_eq(m.pairs[2].key, "map");
    ck_assert(!m.pairs[2].list);
    ck_assert_ptr_null(m.pairs[2].value);
    ck_assert_str_eq(m.pairs[3].key, "b");
    ck_assert_str_eq(m.pairs[3].value, "two");
    ck_assert_uint_eq(m.pairs[3].line, 11);
    gl_yaml_map_free(&m);

    // not NUL-terminated: only len bytes are read
    ck_assert_int_eq(gl_yaml_read_map(ctx, "k: v\nzzz: [", 5, 1, &m), GL_YAML_MAP);
    ck_assert_uint_eq(m.npairs, 1);
    gl_yaml_map_free(&m);

    // a syntax error says where (line in the file, 1-based column)
    y = "a: 1\nb: [unclosed\n";
    ck_assert_int_eq(gl_yaml_read_map(ctx, y, strlen(y), 2, &m), GL_YAML_INVALID);
    ck_assert_uint_ge(m.line, 3);
    ck_assert_uint_ge(m.col, 1);
    ck_assert_uint_gt(strlen(m.problem), 0);
    ck_assert_uint_eq(m.npairs, 0);
    gl_yaml_map_free(&m);

    ck_assert_int_eq(gl_yaml_read_map(ctx, "- a\n- b\n", 8, 1, &m), GL_YAML_NOT_MAP);
    gl_yaml_map_free(&m);
    ck_assert_int_eq(gl_yaml_read_map(ctx, "just text", 9, 1, &m), GL_YAML_NOT_MAP);
    gl_yaml_map_free(&m);
    ck_assert_int_eq(gl_yaml_read_map(ctx, "# only a comment\n", 17, 1, &m), GL_YAML_EMPTY);
    gl_yaml_map_free(&m);
    ck_assert_int_eq(gl_yaml_read_map(ctx, "", 0, 1, &m), GL_YAML_EMPTY);
    gl_yaml_map_free(&m);
    galley_ctx_free(ctx);
}
END_TEST

/* ================================================================ manifests */

START_TEST(test_valid_manifest)
{
    gl_ctx *ctx = galley_ctx_new();
    const char *path = put("brief.yaml",
                           "title: Weekly brief\n"
                           "subtitle: Sub\n"
                           "author: The Desk\n"
                           "date: 2024-05-01\n"
                           "lang: en\n"
                           "paper: a5\n"
                           "margins: 15mm\n"
                           "font-size: 10.5\n"
                           "leading: 1.6\n"
                           "continuous: true\n"
                           "cjk-punct: full\n"
                           "linebreak: first-fit\n"
                           "hyphenate: no\n"
                           "epub-fonts: full\n"
                           "inputs: [a.txt, b.md]\n");
    gl_manifest m;
    ck_assert_int_eq(gl_manifest_read(ctx, path, &m), 0);
    ck_assert_uint_eq(galley_diag_count(ctx), 0);
    ck_assert_str_eq(m.title, "Weekly brief");
    ck_assert_str_eq(m.subtitle, "Sub");
    ck_assert_str_eq(m.author, "The Desk");
    ck_assert_str_eq(m.date, "2024-05-01");
    ck_assert_str_eq(m.lang, "en");
    ck_assert_uint_eq(m.ninputs, 2);
    ck_assert_str_eq(m.inputs[0], "a.txt");
    ck_assert_str_eq(m.inputs[1], "b.md");
    // the options, in order with their lines, for the option table
    ck_assert_uint_eq(m.noptions, 9);
    ck_assert_str_eq(m.options[0].name, "paper");
    ck_assert_str_eq(m.options[0].value, "a5");
    ck_assert_uint_eq(m.options[0].line, 6);
    ck_assert_str_eq(m.options[8].name, "epub-fonts");
    ck_assert_uint_eq(m.options[8].line, 14);

    galley_options o;
    galley_options_init(&o);
    ck_assert_int_eq(gl_options_apply(ctx, &o, m.options, m.noptions, path), 0);
    ck_assert(fabs(o.page_width_pt - 148 * MM) < 0.01 && fabs(o.page_height_pt - 210 * MM) < 0.01);
    ck_assert(fabs(o.margin_top_pt - 15 * MM) < 0.01 && fabs(o.margin_bottom_pt - 15 * MM) < 0.01);
    ck_assert(fabs(o.margin_left_pt - 15 * MM) < 0.01 && fabs(o.margin_right_pt - 15 * MM) < 0.01);
    ck_assert(o.font_size_pt == 10.5);
    ck_assert(o.leading == 1.6);
    ck_assert_int_eq(o.continuous, 1);
    ck_assert_int_eq(o.cjk_punct, GALLEY_PUNCT_FULL);
    ck_assert_int_eq(o.linebreak, GALLEY_LINEBREAK_FIRST_FIT);
    ck_assert_int_eq(o.hyphenate, 0);
    ck_assert_int_eq(o.epub_fonts, GALLEY_EPUB_FONTS_FULL);
    gl_manifest_free(&m);
    galley_ctx_free(ctx);
}
END_TEST

START_TEST(test_unknown_key)
{
    gl_ctx *ctx = galley_ctx_new();
    // an unknown key is a warning at its line, not an error; so is a
    // metadata key without a plain value; fonts are not a file's to set
    const char *path = put("k.yaml", "title: T\ncolour: blue\nauthor: [A, B]\nfont: /x.ttf\n"
                                     "inputs: [a.txt]\n");
    gl_manifest m;
    ck_assert_int_eq(gl_manifest_read(ctx, path, &m), 0);
    ck_assert(has_warning(ctx, "unknown manifest key 'colour'", 2));
    ck_assert(has_warning(ctx, "'author' needs a plain value", 3));
    ck_assert(has_warning(ctx, "unknown manifest key 'font'", 4));
    ck_assert_ptr_null(m.author);
    ck_assert_uint_eq(m.noptions, 0);
    ck_assert_uint_eq(m.ninputs, 1);
    gl_manifest_free(&m);
    galley_ctx_free(ctx);
}
END_TEST

/* A manifest with one bad option value, read as the galley command does:
 * the error is GALLEY_ERR_INPUT and names the file and line. */
static const struct {
    const char *line;     /* the manifest's second line */
    const char *message;  /* after "PATH:2: " */
} bad_values[] = {
    {"cjk-punct: wrong", "invalid cjk-punct 'wrong' (gb, full or centered)"},
    {"linebreak: best", "invalid linebreak 'best' (optimal or first-fit)"},
    {"epub-fonts: some", "invalid epub-fonts 'some' (subset, none or full)"},
    {"continuous: maybe", "invalid continuous 'maybe' (true or false)"},
    {"hyphenate: 2", "invalid hyphenate '2' (true or false)"},
    {"font-size: huge", "invalid font-size 'huge' (points, 4 to 72)"},
    {"font-size: 100", "invalid font-size '100' (points, 4 to 72)"},
    {"font-size: 11mm", "invalid font-size '11mm' (points, 4 to 72)"},
    {"leading: 0.5", "invalid leading '0.5' (a multiple of the size, 0.8 to 4)"},
    {"paper: a99", "invalid paper 'a99': use a4"},
    {"margins: 2,3,4", "invalid margins '2,3,4': one length"},
    {"margins: 10furlongs", "invalid margins '10furlongs'"},
    {"paper: \"a\\nb\"", "invalid paper 'a?b'"},  // one line, whatever the value
};

START_TEST(test_bad_value)
{
    gl_ctx *ctx = galley_ctx_new();
    put("a.txt", article);
    char text[256];
    snprintf(text, sizeof text, "title: T\n%s\ninputs: [a.txt]\n", bad_values[_i].line);
    const char *path = put("bad.yaml", text);
    char want[512];
    snprintf(want, sizeof want, "%s:2: %s", path, bad_values[_i].message);
    galley_options o;
    galley_options_init(&o);
    galley_doc *doc = NULL;
    galley_status st = galley_read_inputs(ctx, &path, 1, &o, &doc);
    ck_assert_int_eq(st, GALLEY_ERR_INPUT);
    ck_assert_ptr_null(doc);
    ck_assert_msg(strncmp(galley_errmsg(ctx), want, strlen(want)) == 0, "got '%s', want '%s'",
                  galley_errmsg(ctx), want);
    ck_assert_ptr_null(strchr(galley_errmsg(ctx), '\n'));
    galley_ctx_free(ctx);
}
END_TEST

START_TEST(test_inputs_list)
{
    gl_ctx *ctx = galley_ctx_new();
    gl_manifest m;
    // empty items are skipped
    const char *p = put("l.yaml", "inputs:\n  - a.txt\n  - ''\n  - more/\n");
    ck_assert_int_eq(gl_manifest_read(ctx, p, &m), 0);
    ck_assert_uint_eq(m.ninputs, 2);
    ck_assert_str_eq(m.inputs[1], "more/");
    gl_manifest_free(&m);
    // not a list: an error at its line
    p = put("s.yaml", "title: T\ninputs: a.txt\n");
    ck_assert_int_eq(gl_manifest_read(ctx, p, &m), -1);
    ck_assert_int_eq(ctx->status, GALLEY_ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(galley_errmsg(ctx), ":2: inputs: must be a list"));
    ck_assert_uint_eq(m.ninputs, 0);
    gl_clear_error(ctx);
    // none
    p = put("n.yaml", "title: T\ninputs: []\n");
    ck_assert_int_eq(gl_manifest_read(ctx, p, &m), -1);
    ck_assert_ptr_nonnull(strstr(galley_errmsg(ctx), "names no inputs"));
    gl_clear_error(ctx);
    // not a mapping, not YAML, missing
    p = put("q.yaml", "- a.txt\n");
    ck_assert_int_eq(gl_manifest_read(ctx, p, &m), -1);
    ck_assert_ptr_nonnull(strstr(galley_errmsg(ctx), "q.yaml:1: a manifest is a YAML mapping"));
    gl_clear_error(ctx);
    p = put("y.yaml", "title: T\ninputs: [a.txt\n");
    ck_assert_int_eq(gl_manifest_read(ctx, p, &m), -1);
    ck_assert_ptr_nonnull(strstr(galley_errmsg(ctx), "invalid YAML manifest"));
    gl_clear_error(ctx);
    ck_assert_int_eq(gl_manifest_read(ctx, tpath("none.yaml"), &m), -1);
    ck_assert_int_eq(ctx->status, GALLEY_ERR_IO);
    galley_ctx_free(ctx);
}
END_TEST

START_TEST(test_relative_paths)
{
    gl_ctx *ctx = galley_ctx_new();
    // inputs are relative to the manifest's folder, not the working
    // directory; a folder stands for its files in name order; an absolute
    // path stays as it is
    put("sub/one.txt", "date 2024-05-01 Title: One\n\nText.\n");
    put("two.txt", "date 2024-05-01 Title: Two\n\nText.\n");
    put("sub/more/b.txt", "date 2024-05-01 Title: Four\n\nText.\n");
    put("sub/more/a.txt", "date 2024-05-01 Title: Three\n\nText.\n");
    const char *abs = put("abs/five.txt", "date 2024-05-01 Title: Five\n\nText.\n");
    char text[512];
    snprintf(text, sizeof text, "title: Rel\ninputs: [one.txt, ../two.txt, more, %s]\n", abs);
    const char *path = put("sub/brief.yml", text);
    galley_options o;
    galley_options_init(&o);
    galley_doc *doc = NULL;
    ck_assert_int_eq(galley_read_inputs(ctx, &path, 1, &o, &doc), GALLEY_OK);
    ck_assert_str_eq(galley_doc_title(doc), "Rel");
    gl_article_ref a[8];
    ck_assert_uint_eq(gl_doc_articles(doc, a, 8), 5);
    static const char *const titles[] = {"One", "Two", "Three", "Four", "Five"};
    for (int i = 0; i < 5; i++)
        ck_assert_str_eq(a[i].meta->title, titles[i]);
    char want[256];
    snprintf(want, sizeof want, "%s/sub/one.txt", tmpdir);
    ck_assert_str_eq(a[0].meta->source, want);
    snprintf(want, sizeof want, "%s/sub/../two.txt", tmpdir);
    ck_assert_str_eq(a[1].meta->source, want);
    ck_assert_str_eq(a[4].meta->source, abs);
    galley_doc_free(doc);
    galley_ctx_free(ctx);
}
END_TEST

START_TEST(test_caller_precedence)
{
    gl_ctx *ctx = galley_ctx_new();
    put("a.txt", article);
    const char *path = put("p.yaml", "paper: a5\nmargins: 10mm\ncjk-punct: full\ncontinuous: true\n"
                                     "linebreak: first-fit\ninputs: [a.txt]\n");
    // What the caller set (the command line) wins; the rest comes from the
    // manifest.
    galley_options o;
    galley_options_init(&o);
    ck_assert_int_eq(galley_options_set(ctx, &o, "paper", "letter"), GALLEY_OK);
    ck_assert_int_eq(galley_options_set(ctx, &o, "cjk-punct", "centered"), GALLEY_OK);
    ck_assert_int_eq(galley_options_set(ctx, &o, "margins", "25,25,20,25"), GALLEY_OK);
    galley_doc *doc = NULL;
    ck_assert_int_eq(galley_read_inputs(ctx, &path, 1, &o, &doc), GALLEY_OK);
    ck_assert(o.page_width_pt == 612 && o.page_height_pt == 792);
    ck_assert_int_eq(o.cjk_punct, GALLEY_PUNCT_CENTERED);
    ck_assert(fabs(o.margin_bottom_pt - 20 * MM) < 0.01 && fabs(o.margin_top_pt - 25 * MM) < 0.01);
    ck_assert_int_eq(o.continuous, 1);
    ck_assert_int_eq(o.linebreak, GALLEY_LINEBREAK_FIRST_FIT);
    galley_doc_free(doc);

    // A later key of the file wins over an earlier one of the same file.
    gl_opt_pair twice[] = {{"paper", "a5", 1}, {"paper", "b5", 2}};
    galley_options_init(&o);
    ck_assert_int_eq(gl_options_apply(ctx, &o, twice, 2, "x.yaml"), 0);
    ck_assert(fabs(o.page_width_pt - 176 * MM) < 0.01);
    // A name that is not a file's option is refused, with file:line.
    gl_opt_pair font[] = {{"font", "/etc/passwd", 7}};
    ck_assert_int_eq(gl_options_apply(ctx, &o, font, 1, "x.yaml"), -1);
    ck_assert_str_eq(galley_errmsg(ctx), "x.yaml:7: 'font' cannot be set in a file");
    ck_assert_ptr_null(o.font_regular);
    galley_ctx_free(ctx);
}
END_TEST

/* ================================================================ the option table */

START_TEST(test_options_set)
{
    gl_ctx *ctx = galley_ctx_new();
    galley_options o, before;
    galley_options_init(&o);
    // every kind of option, as the command line gives them
    ck_assert_int_eq(galley_options_set(ctx, &o, "title", "T"), GALLEY_OK);
    ck_assert_str_eq(o.title, "T");
    ck_assert_int_eq(galley_options_set(ctx, &o, "lang", "zh-Hans"), GALLEY_OK);
    ck_assert_str_eq(o.lang, "zh-Hans");
    ck_assert_int_eq(galley_options_set(ctx, &o, "cjk-font", "x.ttc:1"), GALLEY_OK);
    ck_assert_str_eq(o.cjk_font, "x.ttc:1");
    ck_assert_int_eq(galley_options_set(ctx, &o, "font-size", "10.5pt"), GALLEY_OK);
    ck_assert(o.font_size_pt == 10.5);
    ck_assert_int_eq(galley_options_set(ctx, &o, "linebreak", "knuth-plass"), GALLEY_OK);
    ck_assert_int_eq(o.linebreak, GALLEY_LINEBREAK_OPTIMAL);
    ck_assert_int_eq(galley_options_set(ctx, &o, "epub-fonts", "none"), GALLEY_OK);
    ck_assert_int_eq(o.epub_fonts, GALLEY_EPUB_FONTS_NONE);
    ck_assert_int_eq(galley_options_set(ctx, &o, "hyphenate", "False"), GALLEY_OK);
    ck_assert_int_eq(o.hyphenate, 0);
    ck_assert_int_eq(galley_options_set(ctx, &o, "continuous", "yes"), GALLEY_OK);
    ck_assert_int_eq(o.continuous, 1);
    ck_assert_int_eq(galley_options_set(ctx, &o, "paper", "6x9in"), GALLEY_OK);
    ck_assert(o.page_width_pt == 432 && o.page_height_pt == 648);
    // a bad value or name: GALLEY_ERR_ARG, one line without file:line,
    // and opt untouched
    before = o;
    ck_assert_int_eq(galley_options_set(ctx, &o, "cjk-punct", "wrong"), GALLEY_ERR_ARG);
    ck_assert_str_eq(galley_errmsg(ctx), "invalid cjk-punct 'wrong' (gb, full or centered)");
    ck_assert_int_eq(galley_options_set(ctx, &o, "lang", "en US"), GALLEY_ERR_ARG);
    ck_assert_str_eq(galley_errmsg(ctx), "invalid lang 'en US' (a BCP 47 tag, e.g. en or zh-Hans)");
    ck_assert_int_eq(galley_options_set(ctx, &o, "margins", "1,2,3"), GALLEY_ERR_ARG);
    ck_assert_int_eq(galley_options_set(ctx, &o, "paper", "0x0mm"), GALLEY_ERR_ARG);
    ck_assert_int_eq(galley_options_set(ctx, &o, "font-size", "nan"), GALLEY_ERR_ARG);
    ck_assert_int_eq(galley_options_set(ctx, &o, "colour", "blue"), GALLEY_ERR_ARG);
    ck_assert_str_eq(galley_errmsg(ctx), "unknown option 'colour'");
    ck_assert_int_eq(galley_options_set(ctx, &o, "title", NULL), GALLEY_ERR_ARG);
    ck_assert_int_eq(galley_options_set(NULL, &o, "title", "x"), GALLEY_ERR_ARG);
    ck_assert(memcmp(&o, &before, sizeof o) == 0);
    // a good call clears the last error
    ck_assert_int_eq(galley_options_set(ctx, &o, "cjk-punct", "centered"), GALLEY_OK);
    ck_assert_str_eq(galley_errmsg(ctx), "");
    galley_ctx_free(ctx);
}
END_TEST

/* ================================================================ front matter */

/* The PDF page size of doc published with opt, from its first MediaBox. */
static void page_size(gl_ctx *ctx, galley_doc *doc, const galley_options *opt, double *w,
                      double *h)
{
    void *data = NULL;
    size_t len = 0;
    ck_assert_int_eq(galley_write_pdf_mem(ctx, doc, opt, &data, &len), GALLEY_OK);
    const char *s = data, *mb = NULL;
    for (size_t i = 0; i + 10 < len && !mb; i++)
        if (!memcmp(s + i, "/MediaBox", 9))
            mb = s + i;
    ck_assert_ptr_nonnull(mb);
    double x0, y0;
    ck_assert_int_eq(sscanf(mb, "/MediaBox [ %lf %lf %lf %lf", &x0, &y0, w, h), 4);
    galley_free(data);
}

START_TEST(test_front_matter_paper)
{
    gl_ctx *ctx = galley_ctx_new();
    const char md[] = "---\ntitle: Small\npaper: a5\nmargins: 15mm\ncolour: red\n---\nBody text.\n";
    // the reader keeps the page options, with their lines, for galley.c
    gl_doc *d = gl_read_markdown(ctx, md, strlen(md), "fm.md", 0);
    ck_assert_ptr_nonnull(d);
    ck_assert_str_eq(d->meta.title, "Small");
    ck_assert_uint_eq(d->noptions, 2);
    ck_assert_str_eq(d->options[0].name, "paper");
    ck_assert_str_eq(d->options[0].value, "a5");
    ck_assert_uint_eq(d->options[0].line, 3);
    ck_assert_uint_eq(d->options[1].line, 4);
    ck_assert(has_warning(ctx, "unknown key 'colour'", 5));
    ck_assert(!has_warning(ctx, "paper", 0));
    gl_doc_free(d);

    // published: A5, unless the caller chose a paper
    galley_doc *doc = NULL;
    ck_assert_int_eq(galley_read_text(ctx, md, strlen(md), "fm.md", NULL, &doc), GALLEY_OK);
    double w, h;
    page_size(ctx, doc, NULL, &w, &h);
    ck_assert(fabs(w - 148 * MM) < 0.01 && fabs(h - 210 * MM) < 0.01);
    galley_options o;
    galley_options_init(&o);
    ck_assert_int_eq(galley_options_set(ctx, &o, "paper", "letter"), GALLEY_OK);
    page_size(ctx, doc, &o, &w, &h);
    ck_assert(w == 612 && h == 792);
    // the caller's options are not changed by the document's
    ck_assert(fabs(o.margin_top_pt - 25 * MM) < 0.01);
    galley_doc_free(doc);

    // a bad value fails the read with file:line, as in a manifest
    const char bad[] = "---\ntitle: T\ncjk-punct: wrong\n---\nText.\n";
    ck_assert_int_eq(galley_read_text(ctx, bad, strlen(bad), "dir/bad.md", NULL, &doc),
                     GALLEY_ERR_INPUT);
    ck_assert_ptr_null(doc);
    ck_assert_str_eq(galley_errmsg(ctx), "dir/bad.md:3: invalid cjk-punct 'wrong' (gb, full or centered)");
    galley_ctx_free(ctx);
}
END_TEST

START_TEST(test_front_matter_in_brief)
{
    gl_ctx *ctx = galley_ctx_new();
    // an article of a brief does not set the brief's pages: a warning
    const char *a = put("a.md", "---\ntitle: A\npaper: a5\n---\nText.\n");
    const char *b = put("b.txt", article);
    const char *in[] = {a, b};
    galley_options o;
    galley_options_init(&o);
    galley_doc *doc = NULL;
    ck_assert_int_eq(galley_read_inputs(ctx, in, 2, &o, &doc), GALLEY_OK);
    ck_assert(has_warning(ctx, "'paper' is for a whole document", 3));
    double w, h;
    page_size(ctx, doc, &o, &w, &h);
    ck_assert(fabs(w - 210 * MM) < 0.01);  // A4
    galley_doc_free(doc);
    galley_ctx_free(ctx);
}
END_TEST

Suite *suite_manifest(void)
{
    Suite *s = suite_create("manifest");
    TCase *tc = tcase_create("yaml");
    tcase_add_test(tc, test_yaml_map);
    suite_add_tcase(s, tc);
    tc = tcase_create("manifest");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_valid_manifest);
    tcase_add_test(tc, test_unknown_key);
    tcase_add_loop_test(tc, test_bad_value, 0, (int)(sizeof bad_values / sizeof *bad_values));
    tcase_add_test(tc, test_inputs_list);
    tcase_add_test(tc, test_relative_paths);
    tcase_add_test(tc, test_caller_precedence);
    suite_add_tcase(s, tc);
    tc = tcase_create("options");
    tcase_add_test(tc, test_options_set);
    suite_add_tcase(s, tc);
    tc = tcase_create("front matter");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_front_matter_paper);
    tcase_add_test(tc, test_front_matter_in_brief);
    suite_add_tcase(s, tc);
    return s;
}
