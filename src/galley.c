/*
 * galley.c — the public API: contexts, options and their parsing, and the
 * read → layout → back end glue behind galley_write_pdf/_epub.  Every API
 * function ends through gl_api_exit() so a pending out-of-memory becomes
 * GALLEY_ERR_NOMEM.  No foreign library is included here.
 */
#define _GNU_SOURCE /* dladdr */
#include "galley_int.h"
#include "epub.h"
#include "layout.h"
#include "linebreak.h"
#include "manifest.h"
#include "pdf.h"
#include "reader.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define MM (72.0 / 25.4)

static void pagemap_free(gl_ctx *ctx);

const char *galley_version_string(void) { return GALLEY_VERSION_STRING; }

/* ================================================================ process set-up */

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static char installed_font_dir[PATH_MAX];  // "" when galley is not installed

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

// An installed galley finds its fonts relative to the binary that holds the
// library: PREFIX/lib/libgalley.so, PREFIX/lib/<multiarch>/libgalley.so or a
// program linked with libgalley.a in PREFIX/bin all lead to
// PREFIX/share/galley/fonts.  So one build works in the source tree (where
// no such directory exists and GALLEY_FONT_DIR, the tree's fonts/, applies)
// and wherever it is installed, even after the prefix moves.
static void find_installed_fonts(void)
{
    char bin[PATH_MAX];
    Dl_info info;
    bin[0] = 0;
    if (dladdr((void *)&galley_version_string, &info) && info.dli_fname &&
        strchr(info.dli_fname, '/'))
        snprintf(bin, sizeof bin, "%s", info.dli_fname);
    else {
        // dladdr names the main program only as it was invoked
        ssize_t n = readlink("/proc/self/exe", bin, sizeof bin - 1);
        bin[n > 0 ? n : 0] = 0;
    }
    char *slash = strrchr(bin, '/');
    if (!slash)
        return;
    *slash = 0;
    static const char *const rel[] = {"/../share/galley/fonts", "/../../share/galley/fonts"};
    for (size_t i = 0; i < sizeof rel / sizeof *rel; i++) {
        char cand[PATH_MAX + 64];
        snprintf(cand, sizeof cand, "%s%s", bin, rel[i]);
        if (is_dir(cand) && realpath(cand, installed_font_dir))
            return;
    }
    installed_font_dir[0] = 0;
}

// Process-wide set-up, run once before the first context exists: libxml2
// must be initialised from one thread (it is not safe on first use from
// several).  libharu, libzip, FreeType (one FT_Library per use), HarfBuzz
// and ICU keep no unsynchronised global state on the paths galley uses.
static void global_init(void)
{
    gl_epub_global_init();
    find_installed_fonts();
}

/* The font directory a new context starts with: $GALLEY_FONT_DIR, else the
 * installed share directory, else the compiled-in GALLEY_FONT_DIR (font.c). */
static const char *default_font_dir(void)
{
    const char *env = getenv("GALLEY_FONT_DIR");
    if (env && *env)
        return env;
    return installed_font_dir[0] ? installed_font_dir : NULL;
}

galley_ctx *galley_ctx_new(void)
{
    pthread_once(&global_once, global_init);
    galley_ctx *ctx = calloc(1, sizeof *ctx);
    if (ctx) {
        const char *dir = default_font_dir();
        if (dir && !(ctx->font_dir = strdup(dir))) {
            free(ctx);
            return NULL;
        }
    }
    return ctx;
}

void gl_fail_alloc_after(galley_ctx *ctx, unsigned long n)
{
    ctx->fail_alloc_at = n ? ctx->alloc_count + n : 0;
}

void galley_free(void *p) { free(p); }

void galley_ctx_free(galley_ctx *ctx)
{
    if (!ctx)
        return;
    galley_diag_clear(ctx);
    pagemap_free(ctx);
    free(ctx->diags);
    free(ctx->font_dir);
    free(ctx);
}

const char *galley_errmsg(const galley_ctx *ctx) { return ctx ? ctx->errmsg : "no context"; }

galley_status galley_set_font_dir(galley_ctx *ctx, const char *dir)
{
    GL_API_ENTER(ctx, GL_NONNULL(dir));
    char *d = gl_strdup(ctx, dir);
    if (!d)
        return gl_api_exit(ctx, -1);
    gl_free(ctx->font_dir);
    ctx->font_dir = d;
    return GALLEY_OK;
}

#ifndef GALLEY_FONT_DIR
#define GALLEY_FONT_DIR "fonts"  /* as font.c */
#endif

const char *galley_font_dir(const galley_ctx *ctx)
{
    if (!ctx)
        return NULL;
    return ctx->font_dir ? ctx->font_dir : GALLEY_FONT_DIR;
}

size_t galley_diag_count(const galley_ctx *ctx) { return ctx ? ctx->ndiags : 0; }

const galley_diag *galley_diag_get(const galley_ctx *ctx, size_t i)
{
    return ctx && i < ctx->ndiags ? &ctx->diags[i].pub : NULL;
}

void galley_diag_clear(galley_ctx *ctx)
{
    if (!ctx)
        return;
    for (size_t i = 0; i < ctx->ndiags; i++) {
        gl_free(ctx->diags[i].source);
        gl_free(ctx->diags[i].message);
    }
    ctx->ndiags = 0;
}

/* ================================================================ options */

void galley_options_init(galley_options *opt)
{
    if (!opt)
        return;
    memset(opt, 0, sizeof *opt);
    opt->version = 1;
    opt->page_width_pt = 210 * MM;  /* A4 */
    opt->page_height_pt = 297 * MM;
    opt->margin_top_pt = 25 * MM;
    opt->margin_bottom_pt = 28 * MM;  /* room for the folio */
    opt->margin_left_pt = 25 * MM;
    opt->margin_right_pt = 25 * MM;
    opt->font_size_pt = 11;
    opt->leading = 0;  /* by script: see gl_layout_opts_from */
    opt->cjk_punct = GALLEY_PUNCT_GB;
    opt->linebreak = GALLEY_LINEBREAK_OPTIMAL;
    opt->hyphenate = 1;
    opt->font_fallback = 1;
    opt->timestamp = -1;
    opt->epub_fonts = GALLEY_EPUB_FONTS_AUTO;  /* subset for CJK text, else none */
}

int gl_layout_opts_from(gl_ctx *ctx, gl_layout_opts *lo, const galley_options *opt)
{
    *lo = (gl_layout_opts){0};
    lo->page_w = opt->page_width_pt;
    lo->page_h = opt->page_height_pt;
    lo->margin_t = opt->margin_top_pt;
    lo->margin_r = opt->margin_right_pt;
    lo->margin_b = opt->margin_bottom_pt;
    lo->margin_l = opt->margin_left_pt;
    lo->size = opt->font_size_pt > 0 ? opt->font_size_pt : 11;
    // CJK text needs more air between lines than Latin (CLREQ suggests
    // 1.5-2 times the character size); Latin body text reads well at ~1.4.
    lo->leading = opt->leading > 0 ? opt->leading : 1.4;
    lo->leading_cjk = opt->leading > 0 ? opt->leading : 1.75;
    lo->punct = opt->cjk_punct;
    lo->progress = opt->progress;
    lo->progress_user = opt->progress_user;
    lo->first_fit = opt->linebreak == GALLEY_LINEBREAK_FIRST_FIT;
    lo->no_hyphenate = !opt->hyphenate;
    lo->continuous = opt->continuous;
    return gl_layout_opts_check(ctx, lo);
}

/* Parses "<number><unit>" (unit mm, cm, in, pt; default_unit when bare). */
static int parse_length(const char *s, const char *default_unit, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || !(v >= 0) || v > 1e5)
        return -1;
    while (*end == ' ')
        end++;
    const char *u = *end ? end : default_unit;
    if (!strcasecmp(u, "mm"))
        v *= MM;
    else if (!strcasecmp(u, "cm"))
        v *= 10 * MM;
    else if (!strcasecmp(u, "in"))
        v *= 72;
    else if (!strcasecmp(u, "pt"))
        ;
    else
        return -1;
    *out = v;
    return 0;
}

galley_status galley_parse_paper(galley_ctx *ctx, const char *spec, double *width_pt,
                                 double *height_pt)
{
    static const struct {
        const char *name;
        double w, h;
    } papers[] = {
        {"a3", 297 * MM, 420 * MM}, {"a4", 210 * MM, 297 * MM}, {"a5", 148 * MM, 210 * MM},
        {"a6", 105 * MM, 148 * MM}, {"b5", 176 * MM, 250 * MM}, {"b6", 125 * MM, 176 * MM},
        {"letter", 612, 792},       {"legal", 612, 1008},       {"16k", 184 * MM, 260 * MM},
    };
    GL_API_ENTER(ctx, GL_NONNULL(spec), GL_NONNULL(width_pt), GL_NONNULL(height_pt));
    for (size_t i = 0; i < sizeof papers / sizeof *papers; i++)
        if (!strcasecmp(spec, papers[i].name)) {
            *width_pt = papers[i].w;
            *height_pt = papers[i].h;
            return GALLEY_OK;
        }
    // "WxH<unit>": the unit, given once at the end, applies to both numbers
    const char *x = strpbrk(spec, "xX");
    if (x) {
        char a[64], b[64];
        size_t la = (size_t)(x - spec);
        if (la < sizeof a && strlen(x + 1) < sizeof b) {
            memcpy(a, spec, la);
            a[la] = 0;
            strcpy(b, x + 1);
            const char *unit = b;
            while (*unit && (isdigit((unsigned char)*unit) || *unit == '.'))
                unit++;
            double vw, vh;
            if (*unit && parse_length(a, unit, &vw) == 0 && parse_length(b, "mm", &vh) == 0 &&
                vw >= 72 && vh >= 72) {
                *width_pt = vw;
                *height_pt = vh;
                return GALLEY_OK;
            }
        }
    }
    gl_error(ctx, GALLEY_ERR_ARG,
             "invalid paper '%s': use a4, a5, b5, letter, legal, ... or WxH with a unit "
             "(e.g. 148x210mm, 6x9in), at least 1 inch each way", spec);
    return GALLEY_ERR_ARG;
}

galley_status galley_parse_margins(galley_ctx *ctx, const char *spec, galley_options *opt)
{
    GL_API_ENTER(ctx, GL_NONNULL(spec), GL_NONNULL(opt));
    double v[4];
    int n = 0;
    char buf[256];
    if (strlen(spec) >= sizeof buf)
        goto bad;
    strcpy(buf, spec);
    // strtok_r-free split: strtok keeps global state, and contexts may be
    // used from several threads
    for (char *tok = buf, *next; tok; tok = next) {
        next = strchr(tok, ',');
        if (next)
            *next++ = 0;
        while (*tok == ' ')
            tok++;
        if (n == 4 || parse_length(tok, "mm", &v[n]) != 0)
            goto bad;
        n++;
    }
    if (n == 1)
        v[1] = v[2] = v[3] = v[0];
    else if (n == 2) {  /* CSS: vertical, horizontal */
        v[2] = v[0];
        v[3] = v[1];
    } else if (n != 4)
        goto bad;
    opt->margin_top_pt = v[0];
    opt->margin_right_pt = v[1];
    opt->margin_bottom_pt = v[2];
    opt->margin_left_pt = v[3];
    return GALLEY_OK;
bad:
    gl_error(ctx, GALLEY_ERR_ARG,
             "invalid margins '%s': one length for all sides, two (vertical,horizontal) or "
             "four (top,right,bottom,left), e.g. 20mm or 25,20,25,20 (mm by default)", spec);
    return GALLEY_ERR_ARG;
}

/* ================================================================ reading */

/* True when path (resolved, symlinks followed) lies in the folder tree
 * of dir (resolved). */
static bool inside(const char *path, const char *dir)
{
    char rp[PATH_MAX], rd[PATH_MAX];
    if (!realpath(path, rp) || !realpath(dir, rd))
        return false;
    size_t n = strlen(rd);
    return !strncmp(rp, rd, n) && (rp[n] == '/' || rp[n] == 0 || (n == 1 && rd[0] == '/'));
}

/* Images must come from the input's folder tree or an allowed folder:
 * input is untrusted, and "![x](/etc/secret.png)" must not reach the
 * outputs.  Reading never fails on content, so an image elsewhere is only
 * marked here; publishing it fails with a message (gl_image_probe). */
static void check_image_paths(const gl_block *cb, const char *dir, const galley_options *opt,
                              int depth)
{
    for (gl_block *b = (gl_block *)cb; b; b = b->next) {  /* the doc is ours to mark */
        if (b->type == GL_B_IMAGE && b->path && access(b->path, F_OK) == 0) {
            bool ok = inside(b->path, dir);
            for (size_t i = 0; !ok && opt && i < opt->nallow_paths; i++)
                ok = opt->allow_paths[i] && inside(b->path, opt->allow_paths[i]);
            b->outside = !ok;
        }
        // the model caps nesting (GL_MAX_DEPTH), so this recursion is bounded
        if (depth < 64 && b->children)
            check_image_paths(b->children, dir, opt, depth + 1);
    }
}

static void confine_images(const gl_doc *doc, const char *source, const galley_options *opt)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(source, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - source) ? (int)(slash - source) : 1, source);
    check_image_paths(doc->first, dir, opt, 0);
}

/* Checks the options of doc's front matter without applying them (they
 * apply when it is published: doc_options): a bad value is an error naming
 * file:line, as in a manifest. */
static int check_doc_options(gl_ctx *ctx, const gl_doc *doc)
{
    if (!doc->noptions)
        return 0;
    galley_options scratch;
    galley_options_init(&scratch);
    return gl_options_apply(ctx, &scratch, doc->options, doc->noptions, doc->meta.source);
}

/* Reads one input; md_flags go to the Markdown reader (GL_MD_ONE_ARTICLE
 * when the input is one article of a brief). */
static galley_status read_text(galley_ctx *ctx, const char *data, size_t len,
                               const char *source_name, const galley_options *opt,
                               unsigned md_flags, galley_doc **out)
{
    *out = NULL;
    gl_clear_error(ctx);
    // Markdown by file extension or front matter; else the text reader.
    const char *src = source_name ? source_name : "<memory>";
    gl_doc *doc = gl_is_markdown(src, data, data ? len : 0)
                      ? gl_read_markdown(ctx, data ? data : "", data ? len : 0, src, md_flags)
                      : gl_read_text(ctx, data ? data : "", data ? len : 0, src);
    if (doc && ((opt && gl_doc_apply_options(doc, opt) != 0) || check_doc_options(ctx, doc))) {
        gl_doc_free(doc);
        doc = NULL;
    }
    if (doc)
        confine_images(doc, src, opt);
    if (!doc)
        return gl_api_exit(ctx, -1);
    *out = doc;
    return GALLEY_OK;
}

galley_status galley_read_text(galley_ctx *ctx, const char *data, size_t len,
                               const char *source_name, const galley_options *opt,
                               galley_doc **out)
{
    if (out)
        *out = NULL;
    GL_API_ENTER(ctx, GL_NONNULL_IF(data, len > 0), GL_NONNULL(out));
    return read_text(ctx, data, len, source_name, opt, 0, out);
}

static galley_status read_file(galley_ctx *ctx, const char *path, const galley_options *opt,
                               unsigned md_flags, galley_doc **out)
{
    *out = NULL;
    gl_clear_error(ctx);
    char *data;
    size_t len;
    if (gl_read_file(ctx, path, &data, &len) != 0)
        return gl_api_exit(ctx, -1);
    galley_status st = read_text(ctx, data, len, path, opt, md_flags, out);
    gl_free(data);
    return st;
}

galley_status galley_read_file(galley_ctx *ctx, const char *path, const galley_options *opt,
                               galley_doc **out)
{
    if (out)
        *out = NULL;
    GL_API_ENTER(ctx, GL_NONNULL(path), GL_NONNULL(out));
    return read_file(ctx, path, opt, 0, out);
}

/* ---------------------------------------------------------------- briefs */

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcasecmp(s + n - k, suffix);
}

static bool is_manifest(const char *p) { return ends_with(p, ".yaml") || ends_with(p, ".yml"); }

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct {
    char **v;
    size_t n, cap;
} strlist;

static int push_path(gl_ctx *ctx, strlist *l, const char *dir, const char *name)
{
    if (GL_GROW(ctx, l->v, l->cap, l->n + 1))
        return -1;
    size_t n = (dir ? strlen(dir) + 1 : 0) + strlen(name) + 1;
    char *p = gl_malloc(ctx, n);
    if (!p)
        return -1;
    if (dir && *name != '/')
        snprintf(p, n, "%s/%s", dir, name);
    else
        snprintf(p, n, "%s", name);
    l->v[l->n++] = p;
    return 0;
}

/* A directory's inputs: its .txt/.md/.markdown files in name order. */
static int expand_dir(gl_ctx *ctx, strlist *l, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return gl_error(ctx, GALLEY_ERR_IO, "%s: cannot open directory: %s", dir, strerror(errno));
    size_t first = l->n;
    int rc = 0;
    for (struct dirent *de; (de = readdir(d)) && rc == 0;) {
        const char *nm = de->d_name;
        if (nm[0] == '.')
            continue;
        if (ends_with(nm, ".txt") || ends_with(nm, ".md") || ends_with(nm, ".markdown"))
            rc = push_path(ctx, l, dir, nm);
    }
    closedir(d);
    if (rc)
        return -1;
    if (l->n == first)
        return gl_error(ctx, GALLEY_ERR_INPUT, "%s: the directory has no .txt or .md files", dir);
    qsort(l->v + first, l->n - first, sizeof *l->v, cmp_str);
    return 0;
}

/* Sets a metadata string of the brief (copied into its arena). */
static int set_meta(gl_doc *doc, const char **slot, const char *v)
{
    if (!v)
        return 0;
    const char *c = gl_arena_strdup(&doc->arena, v);
    if (!c)
        return -1;
    *slot = c;
    return 0;
}

galley_status galley_read_inputs(galley_ctx *ctx, const char *const *paths, size_t npaths,
                                 galley_options *opt, galley_doc **out)
{
    if (out)
        *out = NULL;
    GL_API_ENTER(ctx, GL_NONNULL(paths), GL_NONNULL(opt), GL_NONNULL(out));
    if (npaths == 0) {
        gl_error(ctx, GALLEY_ERR_ARG, "galley_read_inputs: no inputs");
        return GALLEY_ERR_ARG;
    }
    for (size_t i = 0; i < npaths; i++)
        if (!paths[i]) {
            gl_error(ctx, GALLEY_ERR_ARG, "galley_read_inputs: NULL paths[%zu]", i);
            return GALLEY_ERR_ARG;
        }
    if (npaths == 1 && !is_dir(paths[0]) && !is_manifest(paths[0]))
        return galley_read_file(ctx, paths[0], opt, out);
    strlist files = {0};
    gl_manifest man;
    bool have_man = false;
    gl_doc *brief = NULL, *d = NULL;
    int rc = -1;
    const char *dirname = NULL;
    for (size_t i = 0; i < npaths; i++) {
        if (is_dir(paths[i])) {
            GL_CHECK(expand_dir(ctx, &files, paths[i]));
            if (npaths == 1)
                dirname = paths[i];
        } else if (is_manifest(paths[i])) {
            if (have_man) {
                gl_error(ctx, GALLEY_ERR_ARG, "%s: only one manifest per brief", paths[i]);
                goto cleanup;
            }
            GL_CHECK(gl_manifest_read(ctx, paths[i], &man));
            have_man = true;
            char *mdir = gl_strdup(ctx, paths[i]);
            if (!mdir)
                goto cleanup;
            char *slash = strrchr(mdir, '/');
            if (slash)
                *slash = 0;
            // the manifest's options, where the caller left the defaults
            int mrc = gl_options_apply(ctx, opt, man.options, man.noptions, paths[i]);
            for (size_t k = 0; k < man.ninputs && mrc == 0; k++) {
                const char *in = man.inputs[k];
                size_t before = files.n;
                mrc = push_path(ctx, &files, slash ? mdir : NULL, in);
                if (mrc == 0 && is_dir(files.v[before])) {
                    char *dp = files.v[--files.n];
                    mrc = expand_dir(ctx, &files, dp);
                    gl_free(dp);
                }
            }
            gl_free(mdir);
            GL_CHECK(mrc);
        } else {
            GL_CHECK(push_path(ctx, &files, NULL, paths[i]));
        }
    }
    // Articles keep their own titles: the options' title, subtitle and
    // author belong to the brief.
    galley_options each = *opt;
    each.title = each.subtitle = each.author = NULL;
    brief = gl_doc_new(ctx, files.n ? files.v[0] : "brief");
    if (!brief)
        goto cleanup;
    for (size_t i = 0; i < files.n; i++) {
        // each input is one article: a Markdown file's headings stay inside it
        if (read_file(ctx, files.v[i], &each, GL_MD_ONE_ARTICLE, &d) != GALLEY_OK)
            goto cleanup;
        // An article's page options would set the whole brief's pages:
        // those are the manifest's and the command line's.
        for (size_t k = 0; k < d->noptions; k++)
            gl_warn(ctx, files.v[i], d->options[k].line, 1,
                    "front matter: '%s' is for a whole document, not an article of a brief; "
                    "ignored", d->options[k].name);
        if (gl_doc_absorb(brief, d))
            goto cleanup;
        d = NULL;
    }
    // the brief's metadata: options first, then the manifest
    const char *title = opt->title ? opt->title : have_man && man.title ? man.title : NULL;
    char base[256] = "";
    if (!title && dirname) {
        const char *b = strrchr(dirname, '/');
        b = b && b[1] ? b + 1 : dirname;
        snprintf(base, sizeof base, "%s", b);
        char *sl = strchr(base, '/');
        if (sl)
            *sl = 0;
        title = base;
    }
    GL_CHECK(set_meta(brief, &brief->meta.title, title ? title : "Brief"));
    GL_CHECK(set_meta(brief, &brief->meta.subtitle,
                      opt->subtitle ? opt->subtitle : have_man ? man.subtitle : NULL));
    GL_CHECK(set_meta(brief, &brief->meta.byline,
                      opt->author ? opt->author : have_man ? man.author : NULL));
    if (have_man && man.date) {
        long long t;
        GL_CHECK(set_meta(brief, gl_parse_iso_date(man.date, &t) ? &brief->meta.date
                                                                  : &brief->meta.display_date,
                          man.date));
    }
    const char *lang = opt->lang ? opt->lang : have_man ? man.lang : NULL;
    if (lang) {
        GL_CHECK(set_meta(brief, &brief->meta.lang, lang));
        brief->meta.lang_is_cjk = gl_lang_is_cjk(lang);
    } else {
        brief->meta.lang = NULL;
        gl_doc_detect_lang(brief);
    }
    // A brief of Chinese articles without a title is a 简报, not a "Brief".
    if (!title && brief->meta.lang_is_cjk && strncmp(brief->meta.lang, "zh", 2) == 0)
        GL_CHECK(set_meta(brief, &brief->meta.title, "\xE7\xAE\x80\xE6\x8A\xA5"));
    *out = brief;
    brief = NULL;
    rc = 0;
cleanup:
    gl_doc_free(d);
    gl_doc_free(brief);
    for (size_t i = 0; i < files.n; i++)
        gl_free(files.v[i]);
    gl_free(files.v);
    if (have_man)
        gl_manifest_free(&man);
    return gl_api_exit(ctx, rc);
}

void galley_doc_free(galley_doc *doc) { gl_doc_free(doc); }
const char *galley_doc_title(const galley_doc *doc) { return doc ? doc->meta.title : NULL; }
const char *galley_doc_lang(const galley_doc *doc) { return doc ? doc->meta.lang : NULL; }

/* ================================================================ writing */

/* The font set for doc: the options' fonts, and fallback to installed
 * fonts unless turned off (the document's language guides fontconfig's
 * choice).  opt may be NULL (the defaults). */
static gl_fontset *open_fonts(gl_ctx *ctx, const galley_options *opt, const gl_doc *doc)
{
    gl_font_config fc = {.font_dir = ctx->font_dir, .fallback = true, .lang = doc->meta.lang};
    if (opt) {
        fc.latin[GL_F_REGULAR] = opt->font_regular;
        fc.latin[GL_F_BOLD] = opt->font_bold;
        fc.latin[GL_F_ITALIC] = opt->font_italic;
        fc.latin[GL_F_BOLD_ITALIC] = opt->font_bold_italic;
        fc.cjk = opt->cjk_font;
        fc.features = opt->font_features;
        fc.mono = opt->mono_font;
        fc.fallback = opt->font_fallback != 0;
    }
    return gl_fontset_new(ctx, &fc);
}

/* A one-line description for the PDF Subject: the start of the text. */
static char *subject_of(gl_ctx *ctx, const gl_doc *doc)
{
    const gl_block *b = doc->first;
    while (b && b->type != GL_B_PARA)
        b = b->next;
    if (!b)
        return NULL;
    size_t n = 0, i = 0, cut = b->len;
    while (i < b->len) {
        gl_utf8_next(b->text, b->len, &i);
        if (++n == 160) {
            cut = i;
            break;
        }
    }
    gl_buf s;
    gl_buf_init(&s, ctx);
    if (gl_buf_put(&s, b->text, cut) || (cut < b->len && gl_buf_puts(&s, "\xE2\x80\xA6"))) {
        gl_buf_free(&s);
        return NULL;
    }
    return s.data;
}

/* The options doc is published with: *opt, or when the document has
 * options of its own (front matter) a copy in *buf with those applied
 * where *opt has the defaults (the caller takes precedence).  *opt may be
 * NULL (the defaults).  Returns 0 or -1. */
static int doc_options(gl_ctx *ctx, const gl_doc *doc, const galley_options **opt,
                       galley_options *buf)
{
    if (!doc->noptions)
        return 0;
    if (*opt)
        *buf = **opt;
    else
        galley_options_init(buf);
    *opt = buf;
    return gl_options_apply(ctx, buf, doc->options, doc->noptions, doc->meta.source);
}

/* ---------------------------------------------------------------- pagination */

/* Where each printed page of the last PDF begins in the document, kept on
 * the context so that an EPUB written next from the same document can map
 * its text to the print pages (page-list, EPUB Accessibility 1.1). */
struct gl_pagemap {
    const gl_doc *doc;
    unsigned long serial;   /* of doc: a later doc at the same address differs */
    gl_epub_pagebreak *breaks;
    size_t n;
    gl_arena arena;         /* labels */
};

static void pagemap_free(gl_ctx *ctx)
{
    if (!ctx->pagemap)
        return;
    gl_free(ctx->pagemap->breaks);
    gl_arena_free(&ctx->pagemap->arena);
    gl_free(ctx->pagemap);
    ctx->pagemap = NULL;
}

static int pagemap_keep(gl_ctx *ctx, const gl_doc *doc, const gl_frames *fr)
{
    pagemap_free(ctx);
    struct gl_pagemap *pm = gl_calloc(ctx, 1, sizeof *pm);
    if (!pm)
        return -1;
    gl_arena_init(&pm->arena, ctx);
    ctx->pagemap = pm;
    pm->doc = doc;
    pm->serial = doc->serial;
    pm->breaks = gl_calloc(ctx, fr->npages ? fr->npages : 1, sizeof *pm->breaks);
    if (!pm->breaks)
        return -1;
    for (size_t i = 0; i < fr->npages; i++) {
        const gl_page *p = &fr->pages[i];
        if (!p->start_block)
            continue;
        gl_epub_pagebreak *b = &pm->breaks[pm->n++];
        b->block = p->start_block;
        b->off = p->start_off;
        if (!(b->label = gl_arena_strdup(&pm->arena, p->label)))
            return -1;
    }
    return 0;
}

galley_status galley_write_pdf(galley_ctx *ctx, const galley_doc *doc, const galley_options *opt,
                               const char *path)
{
    GL_API_ENTER(ctx, GL_NONNULL(doc), GL_NONNULL(path));
    galley_options def;
    if (!opt) {
        galley_options_init(&def);
        opt = &def;
    }
    gl_layout_opts lo;
    gl_fontset *fs = NULL;
    gl_frames *fr = NULL;
    char *subject = NULL, *author = NULL;
    int rc = -1;
    galley_options own;
    GL_CHECK(doc_options(ctx, doc, &opt, &own));
    GL_CHECK(gl_layout_opts_from(ctx, &lo, opt));
    fs = open_fonts(ctx, opt, doc);
    if (!fs)
        goto cleanup;
    fr = gl_layout(ctx, doc, fs, &lo);
    if (!fr)
        goto cleanup;
    subject = subject_of(ctx, doc);
    author = gl_doc_author(ctx, doc);
    if (ctx->oom)
        goto cleanup;
    // CreationDate: the article's own date unless a timestamp or
    // SOURCE_DATE_EPOCH says otherwise
    long long date;
    bool has_date = gl_parse_iso_date(doc->meta.date, &date);
    gl_pdf_meta pm = {
        .title = doc->meta.title,
        .author = author,
        .subject = subject,
        .lang = doc->meta.lang,
        .created = gl_choose_time(opt, has_date ? &date : NULL),
        .progress = opt->progress,
        .progress_user = opt->progress_user,
    };
    GL_CHECK(gl_pdf_write(ctx, fr, fs, &pm, path));
    GL_CHECK(pagemap_keep(ctx, doc, fr));
    rc = 0;
cleanup:
    gl_free(author);
    gl_free(subject);
    gl_frames_free(fr);
    gl_fontset_free(fs);
    return gl_api_exit(ctx, rc);
}

// The first half of galley_write_pdf (the same options, fonts and layout),
// for the golden dumps and tests: galley_int.h.
gl_frames *gl_galley_layout(gl_ctx *ctx, const gl_doc *doc, const galley_options *opt,
                            bool trace, gl_fontset **fs)
{
    *fs = NULL;
    galley_options def;
    if (!opt) {
        galley_options_init(&def);
        opt = &def;
    }
    gl_layout_opts lo;
    if (gl_layout_opts_from(ctx, &lo, opt))
        return NULL;
    lo.trace = trace;
    *fs = open_fonts(ctx, opt, doc);
    if (!*fs)
        return NULL;
    gl_frames *fr = gl_layout(ctx, doc, *fs, &lo);
    if (!fr) {
        gl_fontset_free(*fs);
        *fs = NULL;
    }
    return fr;
}

galley_status galley_write_epub(galley_ctx *ctx, const galley_doc *doc,
                                const galley_options *opt, const char *path)
{
    GL_API_ENTER(ctx, GL_NONNULL(doc), GL_NONNULL(path));
    galley_options own;
    if (doc_options(ctx, doc, &opt, &own))
        return gl_api_exit(ctx, -1);
    gl_epub_opts eo = {
        .identifier = opt ? opt->identifier : NULL,
        // dcterms:modified is when the EPUB was made, not the article's date
        .modified = gl_choose_time(opt, NULL),
        .font_mode = gl_epub_font_mode(doc, opt ? opt->epub_fonts : GALLEY_EPUB_FONTS_AUTO),
        .font_features = opt ? opt->font_features : NULL,
    };
    // The same font set as the PDF, so both editions use the same faces.
    // Fonts the caller chose are loaded even when the EPUB embeds none: a
    // missing family or a broken file is an error for every output.
    gl_fontset *fs = NULL;
    bool chose = opt && (opt->font_regular || opt->font_bold || opt->font_italic ||
                         opt->font_bold_italic || opt->cjk_font || opt->mono_font);
    if (eo.font_mode != GALLEY_EPUB_FONTS_NONE || chose) {
        fs = open_fonts(ctx, opt, doc);
        if (!fs)
            return gl_api_exit(ctx, -1);
        if (eo.font_mode != GALLEY_EPUB_FONTS_NONE)
            eo.fonts = fs;
    }
    // After the PDF of the same document: a page-list of the print pages.
    if (ctx->pagemap && ctx->pagemap->doc == doc && ctx->pagemap->serial == doc->serial &&
        ctx->pagemap->n) {
        eo.breaks = ctx->pagemap->breaks;
        eo.nbreaks = ctx->pagemap->n;
        // page_source stays NULL ("<title> (print PDF)"): naming the PDF
        // file would make the EPUB depend on where the PDF was written
    }
    int rc = gl_epub_write(ctx, doc, &eo, path);
    gl_fontset_free(fs);
    return gl_api_exit(ctx, rc);
}

/* ================================================================ memory outputs */

// The back ends write through gl_out; with ctx->out_mem set it collects the
// bytes in memory instead of a file, so the same code serves both targets.
// The caller has checked the arguments.
static galley_status write_mem(galley_ctx *ctx, const galley_doc *doc, const galley_options *opt,
                               bool pdf, void **data, size_t *len)
{
    gl_buf b;
    gl_buf_init(&b, ctx);
    ctx->out_mem = &b;
    galley_status st = pdf ? galley_write_pdf(ctx, doc, opt, "<memory>")
                           : galley_write_epub(ctx, doc, opt, "<memory>");
    ctx->out_mem = NULL;
    if (st == GALLEY_OK && !b.data) {
        gl_error(ctx, GALLEY_ERR_INTERNAL, "<memory>: the back end wrote nothing");
        st = GALLEY_ERR_INTERNAL;
    }
    if (st != GALLEY_OK) {
        gl_buf_free(&b);
        return st;
    }
    *data = b.data;
    *len = b.len;
    return GALLEY_OK;
}

galley_status galley_write_pdf_mem(galley_ctx *ctx, const galley_doc *doc,
                                   const galley_options *opt, void **data, size_t *len)
{
    if (data)
        *data = NULL;
    if (len)
        *len = 0;
    GL_API_ENTER(ctx, GL_NONNULL(doc), GL_NONNULL(data), GL_NONNULL(len));
    return write_mem(ctx, doc, opt, true, data, len);
}

galley_status galley_write_epub_mem(galley_ctx *ctx, const galley_doc *doc,
                                    const galley_options *opt, void **data, size_t *len)
{
    if (data)
        *data = NULL;
    if (len)
        *len = 0;
    GL_API_ENTER(ctx, GL_NONNULL(doc), GL_NONNULL(data), GL_NONNULL(len));
    return write_mem(ctx, doc, opt, false, data, len);
}

/* ---------------------------------------------------------------- line breaks */

galley_status galley_line_breaks(galley_ctx *ctx, const char *utf8, size_t len,
                                 size_t *offsets, size_t max, size_t *count)
{
    if (count)
        *count = 0;
    GL_API_ENTER(ctx, GL_NONNULL_IF(utf8, len > 0), GL_NONNULL_IF(offsets, max > 0),
                 GL_NONNULL(count));
    if (len == 0)
        return GALLEY_OK;
    // ICU is given valid UTF-8: malformed bytes become U+FFFD first, so the
    // code-point offsets agree with the rest of galley's reading of them.
    gl_buf b;
    gl_buf_init(&b, ctx);
    unsigned char *brk = NULL;
    int rc = -1;
    for (size_t i = 0; i < len;)
        if (gl_buf_put_cp(&b, gl_utf8_next(utf8, len, &i)))
            goto done;
    brk = gl_malloc(ctx, b.len + 1);
    if (!brk || gl_linebreak(ctx, b.data, b.len, NULL, brk))
        goto done;
    // brk is per byte; count code points to turn byte offsets into theirs.
    size_t k = 0, n = 0;
    for (size_t p = 0; p <= b.len; p++) {
        if (p < b.len && ((unsigned char)b.data[p] & 0xC0) == 0x80)
            continue;  // inside a character
        if (p > 0 && brk[p] != GL_BRK_NONE) {
            if (n < max)
                offsets[n] = k;
            n++;
        }
        k++;
    }
    *count = n;
    rc = 0;
done:
    gl_free(brk);
    gl_buf_free(&b);
    return gl_api_exit(ctx, rc);
}
