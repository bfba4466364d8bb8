/*
 * test_pdf.c — the PDF back end, driven with hand-made frames and judged
 * by real validators (qpdf, poppler, mutool) run through system().
 * Runs from tests/ so the bundled fonts are at ../fonts.
 */
#define _POSIX_C_SOURCE 200809L   // mkdtemp, setenv, popen

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hb.h>
#include <math.h>
#include <png.h>

#include "layout.h"
#include "pdf.h"
#include "reader.h"
#include "font.h"
#include "frame.h"

// ----------------------------------------------------------------- fixture

static gl_ctx ctx;
static gl_fontset *fs;
static char dir[256];     // scratch directory, also TMPDIR for the code under test
static char old_tmpdir[256];
static bool had_tmpdir;

static void setup(void)
{
    memset(&ctx, 0, sizeof ctx);
    gl_font_config cfg = {.font_dir = "../fonts"};
    fs = gl_fontset_new(&ctx, &cfg);
    ck_assert_msg(fs != NULL, "fontset: %s", ctx.errmsg);
    const char *base = getenv("TMPDIR");
    had_tmpdir = base != NULL;
    snprintf(old_tmpdir, sizeof old_tmpdir, "%s", base ? base : "");
    snprintf(dir, sizeof dir, "%s/galley-test-pdf-XXXXXX", base && *base ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    setenv("TMPDIR", dir, 1);
}

static void teardown(void)
{
    gl_fontset_free(fs);
    fs = NULL;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "test_pdf: cannot remove %s\n", dir);
    // Under CK_FORK=no (valgrind) the environment outlives the test.
    if (had_tmpdir)
        setenv("TMPDIR", old_tmpdir, 1);
    else
        unsetenv("TMPDIR");
}

// Two pages: Latin and CJK runs with a change of font, size and Tc, and a rule.
static gl_run page1_runs[] = {
    {.face = GL_FACE_LATIN_REGULAR, .size = 12, .x = 72, .y = 700, .text = "Hello ", .len = 6},
    {.face = GL_FACE_CJK, .size = 12, .x = 104.5f, .y = 700, .char_space = 0.5f,
     .text = "中文", .len = 6},
    {.face = GL_FACE_LATIN_BOLD, .size = 16, .x = 72, .y = 760, .text = "Title", .len = 5},
};
static gl_rule page1_rules[] = {{.x0 = 72, .y0 = 750, .x1 = 523, .y1 = 750, .width = 0.5f}};
static gl_run page2_runs[] = {
    {.face = GL_FACE_LATIN_ITALIC, .size = 10, .x = 72, .y = 700, .text = "page two 2023",
     .len = 13},
    {.face = GL_FACE_CJK_HEADING, .size = 14, .x = 72, .y = 680, .text = "标题", .len = 6},
};

static void make_frames(gl_frames *f, gl_page pages[2])
{
    memset(f, 0, sizeof *f);
    memset(pages, 0, 2 * sizeof *pages);
    pages[0].runs = page1_runs;
    pages[0].nruns = sizeof page1_runs / sizeof *page1_runs;
    pages[0].rules = page1_rules;
    pages[0].nrules = 1;
    pages[0].number = 1;
    pages[1].runs = page2_runs;
    pages[1].nruns = sizeof page2_runs / sizeof *page2_runs;
    pages[1].number = 2;
    f->width = 595.276;
    f->height = 841.89;
    f->pages = pages;
    f->npages = 2;
}

static const gl_pdf_meta meta = {
    .title = "Hello 中文", .author = "Ann Author", .subject = "tests", .lang = "en",
    .created = 1700000000,
};

// Runs cmd (a shell command); returns its exit status and, in *out, its
// stdout (caller frees); its stderr goes to *err (caller frees).
static int run(const char *cmd, char **out, char **err)
{
    char errpath[300], full[1200];
    snprintf(errpath, sizeof errpath, "%s/stderr.txt", dir);
    snprintf(full, sizeof full, "%s 2>'%s'", cmd, errpath);
    FILE *p = popen(full, "r");
    ck_assert_ptr_nonnull(p);
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (cap - len < 2)
            buf = realloc(buf, cap *= 2);
    }
    buf[len] = 0;
    int st = pclose(p);
    if (out)
        *out = buf;
    else
        free(buf);
    if (err) {
        FILE *e = fopen(errpath, "r");
        char *eb = calloc(1, 4096);
        if (e) {
            size_t m = fread(eb, 1, 4095, e);
            eb[m] = 0;
            fclose(e);
        }
        *err = eb;
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    *len = fread(b, 1, (size_t)n, f);
    b[*len] = 0;
    fclose(f);
    return b;
}

// Number of entries in dir whose name starts with prefix.
static int count_files(const char *d, const char *prefix)
{
    DIR *dp = opendir(d);
    int n = 0;
    if (!dp)
        return -1;
    struct dirent *e;
    while ((e = readdir(dp)) != NULL)
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
            n++;
    closedir(dp);
    return n;
}

static void write_ok(const gl_frames *f, const gl_pdf_meta *m, const char *path)
{
    int rc = gl_pdf_write(&ctx, f, fs, m, path);
    ck_assert_msg(rc == 0, "gl_pdf_write: %s", ctx.errmsg);
    ck_assert_int_eq(count_files(dir, "galley-"), 0);   // subset fonts removed
}

// ----------------------------------------------------------------- tests

START_TEST(test_valid_pdf)
{
    gl_frames f;
    gl_page pages[2];
    make_frames(&f, pages);
    char path[300], cmd[1600];
    snprintf(path, sizeof path, "%s/a.pdf", dir);
    write_ok(&f, &meta, path);

    size_t len;
    char *bytes = slurp(path, &len);
    ck_assert_ptr_nonnull(bytes);
    ck_assert(len > 5 && memcmp(bytes, "%PDF-", 5) == 0);
    free(bytes);

    char *out, *err;
    snprintf(cmd, sizeof cmd, "qpdf --check '%s'", path);
    ck_assert_int_eq(run(cmd, &out, &err), 0);
    free(out);
    free(err);

    // Every font embedded, subset (tagged name) and with a ToUnicode map.
    snprintf(cmd, sizeof cmd, "pdffonts '%s'", path);
    ck_assert_int_eq(run(cmd, &out, &err), 0);
    ck_assert_msg(err[0] == 0, "pdffonts stderr: %s", err);
    int fonts = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, "name", 4) == 0 || strncmp(line, "----", 4) == 0)
            continue;
        fonts++;
        ck_assert_msg(strstr(line, "yes yes yes") != NULL, "font not emb/sub/uni: %s", line);
        ck_assert_msg(line[6] == '+', "no subset tag: %s", line);
    }
    // Regular, bold, italic, and one CJK face (body and heading share a file).
    ck_assert_int_ge(fonts, 4);
    free(out);
    free(err);

    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' -", path);
    ck_assert_int_eq(run(cmd, &out, &err), 0);
    ck_assert_msg(err[0] == 0, "pdftotext stderr: %s", err);
    ck_assert_msg(strstr(out, "Hello 中文") != NULL, "text: %s", out);
    ck_assert_msg(strstr(out, "标题") != NULL, "text: %s", out);
    ck_assert_msg(strstr(out, "page two 2023") != NULL, "text: %s", out);
    free(out);
    free(err);

    snprintf(cmd, sizeof cmd, "pdfinfo '%s'", path);
    ck_assert_int_eq(run(cmd, &out, &err), 0);
    ck_assert_msg(err[0] == 0, "pdfinfo stderr: %s", err);
    ck_assert_msg(strstr(out, "Title:           Hello 中文\n") != NULL, "info: %s", out);
    ck_assert_msg(strstr(out, "Author:          Ann Author\n") != NULL, "info: %s", out);
    ck_assert_msg(strstr(out, "Producer:        galley 0.1.0 with libharu 2.3.0\n") != NULL,
                  "info: %s", out);
    ck_assert_msg(strstr(out, "Creator:         galley 0.1.0\n") != NULL, "info: %s", out);
    ck_assert_msg(strstr(out, "2023 UTC") != NULL, "dates: %s", out);
    ck_assert_msg(strstr(out, "Pages:           2\n") != NULL, "info: %s", out);
    ck_assert_msg(strstr(out, "595.276 x 841.89 pts") != NULL, "size: %s", out);
    free(out);
    free(err);

    // mutool's "ICC support is not available" is a note about how Debian
    // built it, not about the file (the external pdf-check.sh ignores it too).
    snprintf(cmd, sizeof cmd,
             "pdftoppm -r 36 '%s' '%s/page' && "
             "{ mutool draw -q -r 36 -o '%s/m%%d.png' '%s' 2>&1 >/dev/null"
             " | grep -v 'ICC support is not available' >&2; true; }",
             path, dir, dir, path);
    ck_assert_int_eq(run(cmd, NULL, &err), 0);
    ck_assert_msg(err[0] == 0, "render stderr: %s", err);
    free(err);
}
END_TEST

START_TEST(test_reproducible)
{
    gl_frames f;
    gl_page pages[2];
    make_frames(&f, pages);
    char a[300], b[300];
    snprintf(a, sizeof a, "%s/a.pdf", dir);
    snprintf(b, sizeof b, "%s/b.pdf", dir);
    write_ok(&f, &meta, a);
    write_ok(&f, &meta, b);
    size_t la, lb;
    char *da = slurp(a, &la), *db = slurp(b, &lb);
    ck_assert_ptr_nonnull(da);
    ck_assert_ptr_nonnull(db);
    ck_assert_uint_eq(la, lb);
    ck_assert(memcmp(da, db, la) == 0);
    free(da);
    free(db);
}
END_TEST

START_TEST(test_unwritable_path)
{
    gl_frames f;
    gl_page pages[2];
    make_frames(&f, pages);
    int rc = gl_pdf_write(&ctx, &f, fs, &meta, "/nonexistent/x.pdf");
    ck_assert_int_eq(rc, -1);
    ck_assert_msg(strstr(ctx.errmsg, "/nonexistent/x.pdf") != NULL, "message: %s", ctx.errmsg);
    ck_assert_int_ne(ctx.status, GALLEY_OK);
    ck_assert_int_eq(count_files(dir, "galley-"), 0);
}
END_TEST

START_TEST(test_failure_keeps_existing)
{
    char path[300];
    snprintf(path, sizeof path, "%s/keep.pdf", dir);
    FILE *o = fopen(path, "w");
    fputs("old contents", o);
    fclose(o);

    // A run with an invalid face id fails after the output was opened and
    // after the CJK face was seen, so there is something to clean up.
    gl_run runs[] = {
        {.face = GL_FACE_CJK, .size = 12, .x = 72, .y = 700, .text = "中", .len = 3},
        {.face = 99, .size = 12, .x = 72, .y = 680, .text = "x", .len = 1},
    };
    gl_page page = {.runs = runs, .nruns = 2, .number = 1};
    gl_frames f = {.width = 595, .height = 842, .pages = &page, .npages = 1};
    ck_assert_int_eq(gl_pdf_write(&ctx, &f, fs, &meta, path), -1);
    ck_assert_int_eq(ctx.status, GALLEY_ERR_INTERNAL);

    size_t len;
    char *bytes = slurp(path, &len);
    ck_assert_str_eq(bytes, "old contents");
    free(bytes);
    ck_assert_int_eq(count_files(dir, "galley-"), 0);
    ck_assert_int_eq(count_files(dir, ".keep.pdf"), 0);   // gl_out's temporary
}
END_TEST

// Characters without a glyph still extract, those beyond U+FFFF too; an empty document still gives a valid one-page PDF.
START_TEST(test_missing_glyphs_and_empty)
{
    gl_run runs[] = {
        // U+4E2D is not in Noto Serif: .notdef, but ToUnicode keeps 中.
        {.face = GL_FACE_LATIN_REGULAR, .size = 12, .x = 72, .y = 700, .text = "A中B", .len = 5},
        {.face = GL_FACE_CJK, .size = 12, .x = 72, .y = 680, .text = "x\xF0\x9F\x98\x80y",
         .len = 6},
        {.face = GL_FACE_CJK, .size = 12, .x = 72, .y = 660, .text = "", .len = 0},
        // Another missing character: .notdef's ToUnicode says 中, so this
        // run goes in /ActualText.
        {.face = GL_FACE_LATIN_REGULAR, .size = 12, .x = 72, .y = 640, .text = "C文D", .len = 5},
    };
    gl_page page = {.runs = runs, .nruns = 4, .number = 1};
    gl_frames f = {.width = 595, .height = 842, .pages = &page, .npages = 1};
    char path[300], cmd[700];
    snprintf(path, sizeof path, "%s/g.pdf", dir);
    write_ok(&f, NULL, path);

    char *out, *err;
    snprintf(cmd, sizeof cmd, "qpdf --check '%s' >/dev/null && pdftotext -enc UTF-8 '%s' -",
             path, path);
    ck_assert_int_eq(run(cmd, &out, &err), 0);
    ck_assert_msg(err[0] == 0, "stderr: %s", err);
    ck_assert_msg(strstr(out, "A中B") != NULL, "text: %s", out);
    ck_assert_msg(strstr(out, "C文D") != NULL, "text: %s", out);
    // The emoji (no glyph in uming: .notdef) keeps its text beyond the BMP.
    ck_assert_msg(strstr(out, "x\xF0\x9F\x98\x80y") != NULL, "text: %s", out);
    free(out);
    free(err);

    gl_frames empty = {.width = 300, .height = 400};
    snprintf(path, sizeof path, "%s/empty.pdf", dir);
    write_ok(&empty, NULL, path);
    snprintf(cmd, sizeof cmd, "qpdf --check '%s' >/dev/null && pdfinfo '%s'", path, path);
    ck_assert_int_eq(run(cmd, &out, &err), 0);
    ck_assert_msg(err[0] == 0, "stderr: %s", err);
    ck_assert_msg(strstr(out, "Pages:           1\n") != NULL, "info: %s", out);
    free(out);
    free(err);
}
END_TEST

START_TEST(test_bad_page_size)
{
    gl_frames f = {.width = 0, .height = 842};
    char path[300];
    snprintf(path, sizeof path, "%s/bad.pdf", dir);
    ck_assert_int_eq(gl_pdf_write(&ctx, &f, fs, NULL, path), -1);
    ck_assert_int_eq(ctx.status, GALLEY_ERR_ARG);
    ck_assert_int_eq(access(path, F_OK), -1);
}
END_TEST

// ----------------------------------------------------------------- glyphs
// Runs that carry shaped glyphs (the shaping is HarfBuzz's, done here the
// way layout will do it), characters beyond the BMP, and CFF fonts.

#define NOTO_SERIF "../fonts/NotoSerif-Regular.ttf"
#define NOTO_CJK "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"
#define C059 "/usr/share/fonts/opentype/urw-base35/C059-Roman.otf"

// Shapes UTF-8 text with HarfBuzz (default features: kern, liga) in face
// `index` of path at size points into out[] (room for max); returns the
// glyph count.  Advances and offsets in points, clusters in bytes.
static uint32_t shape(const char *path, unsigned index, const char *text, float size,
                      gl_glyph_pos *out, uint32_t max)
{
    hb_blob_t *blob = hb_blob_create_from_file_or_fail(path);
    ck_assert_msg(blob != NULL, "cannot read %s", path);
    hb_face_t *face = hb_face_create(blob, index);
    hb_font_t *font = hb_font_create(face);   // scale: units per em
    double k = size / hb_face_get_upem(face);
    hb_buffer_t *buf = hb_buffer_create();
    hb_buffer_add_utf8(buf, text, -1, 0, -1);
    hb_buffer_guess_segment_properties(buf);
    hb_shape(font, buf, NULL, 0);
    unsigned n = 0;
    const hb_glyph_info_t *info = hb_buffer_get_glyph_infos(buf, &n);
    const hb_glyph_position_t *pos = hb_buffer_get_glyph_positions(buf, &n);
    ck_assert_uint_le(n, max);
    for (unsigned i = 0; i < n; i++)
        out[i] = (gl_glyph_pos){.gid = info[i].codepoint, .adv = (float)(pos[i].x_advance * k),
                                .dx = (float)(pos[i].x_offset * k),
                                .dy = (float)(pos[i].y_offset * k), .cluster = info[i].cluster};
    hb_buffer_destroy(buf);
    hb_font_destroy(font);
    hb_face_destroy(face);
    hb_blob_destroy(blob);
    return n;
}

// The page content streams of a PDF, uncompressed (qpdf --qdf), as text.
static char *content_of(const char *path)
{
    char cmd[700], *out, *err;
    snprintf(cmd, sizeof cmd, "qpdf --qdf --object-streams=disable '%s' - | tr -d '\\000'", path);
    ck_assert_int_eq(run(cmd, &out, &err), 0);
    free(err);
    return out;
}

// Checks a PDF with the validators; returns pdftotext's text (caller frees).
static char *check_and_extract(const char *path)
{
    char cmd[1400], *out, *err;
    snprintf(cmd, sizeof cmd, "qpdf --check '%s' >/dev/null && pdffonts '%s' | tail -n +3", path,
             path);
    ck_assert_int_eq(run(cmd, &out, &err), 0);
    ck_assert_msg(err[0] == 0, "pdffonts stderr: %s", err);
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n"))
        ck_assert_msg(strstr(line, "yes yes yes") != NULL && line[6] == '+',
                      "font not embedded/subset/ToUnicode: %s", line);
    free(out);
    free(err);
    // MuPDF's own text extraction, and a render, with nothing on stderr.
    snprintf(cmd, sizeof cmd,
             "mutool draw -q -F stext -o /dev/null '%s' 2>&1 | grep -v 'ICC support' >&2;"
             "mutool draw -q -r 36 -o '%s/m%%d.png' '%s' 2>&1 | grep -v 'ICC support' >&2;"
             "pdftoppm -r 36 '%s' '%s/p'",
             path, dir, path, path, dir);
    ck_assert_int_eq(run(cmd, NULL, &err), 0);
    ck_assert_msg(err[0] == 0, "mutool/pdftoppm stderr: %s", err);
    free(err);
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' -", path);
    ck_assert_int_eq(run(cmd, &out, &err), 0);
    ck_assert_msg(err[0] == 0, "pdftotext stderr: %s", err);
    free(err);
    return out;
}

// A ligature: "office" shaped in Noto Serif is o, f_f_i, c, e (four glyphs
// for six letters); the ligature extracts as its three letters, in Poppler
// and in MuPDF.  A second run draws the same word without glyphs.
START_TEST(test_ligature)
{
    gl_glyph_pos g[16];
    uint32_t n = shape(NOTO_SERIF, 0, "office", 12, g, 16);
    ck_assert_uint_eq(n, 4);   // the ffi ligature
    ck_assert_uint_eq(g[1].cluster, 1);
    ck_assert_uint_eq(g[2].cluster, 4);
    ck_assert_uint_ne(g[1].gid, gl_face_glyph(fs, GL_FACE_LATIN_REGULAR, 'f'));
    gl_run runs[] = {
        {.face = GL_FACE_LATIN_REGULAR, .size = 12, .x = 72, .y = 700, .text = "office",
         .len = 6, .glyphs = g, .nglyphs = n},
        {.face = GL_FACE_LATIN_REGULAR, .size = 12, .x = 72, .y = 680, .text = "coffee",
         .len = 6},
    };
    gl_page page = {.runs = runs, .nruns = 2, .number = 1};
    gl_frames f = {.width = 595, .height = 842, .pages = &page, .npages = 1};
    char path[300], cmd[700], *out, *err;
    snprintf(path, sizeof path, "%s/lig.pdf", dir);
    write_ok(&f, NULL, path);
    out = check_and_extract(path);
    ck_assert_msg(strstr(out, "office\n") != NULL, "text: %s", out);
    ck_assert_msg(strstr(out, "coffee") != NULL, "text: %s", out);
    ck_assert_msg(strstr(out, "\xEF\xAC\x83") == NULL, "a U+FB03 ligature: %s", out);
    free(out);
    snprintf(cmd, sizeof cmd, "mutool draw -q -F txt -o - '%s' 2>/dev/null", path);
    ck_assert_int_eq(run(cmd, &out, &err), 0);
    ck_assert_msg(strstr(out, "office") != NULL, "mutool text: %s", out);
    free(out);
    free(err);
}
END_TEST

// Kerning: "AV" shaped with Noto Serif's kerning draws V where HarfBuzz
// put it, closer than the widths alone: a TJ adjustment after A, and
// pdftotext's word box ends at A's shaped advance plus V's width.
START_TEST(test_kerning)
{
    gl_glyph_pos g[4];
    uint32_t n = shape(NOTO_SERIF, 0, "AV", 20, g, 4);
    ck_assert_uint_eq(n, 2);
    double wa = gl_face_glyph_advance(fs, GL_FACE_LATIN_REGULAR, g[0].gid) * 20;
    double wv = gl_face_glyph_advance(fs, GL_FACE_LATIN_REGULAR, g[1].gid) * 20;
    ck_assert_msg(g[0].adv < wa - 0.5, "no kerning: A advances %g of %g", g[0].adv, wa);
    gl_run runs[] = {
        {.face = GL_FACE_LATIN_REGULAR, .size = 20, .x = 100, .y = 700, .text = "AV", .len = 2,
         .glyphs = g, .nglyphs = n},
        {.face = GL_FACE_LATIN_REGULAR, .size = 20, .x = 100, .y = 650, .text = "AV", .len = 2},
    };
    gl_page page = {.runs = runs, .nruns = 2, .number = 1};
    gl_frames f = {.width = 595, .height = 842, .pages = &page, .npages = 1};
    char path[300], cmd[700], *out, *err;
    snprintf(path, sizeof path, "%s/kern.pdf", dir);
    write_ok(&f, NULL, path);
    out = check_and_extract(path);
    free(out);
    // (A)k(V) with k = (width - advance) in thousandths of the size.
    char *cs = content_of(path);
    char want[64];
    snprintf(want, sizeof want, ")%.2f", (wa - g[0].adv) * 1000 / 20);
    // libharu's number format: no trailing zeros, nor a trailing point
    for (size_t e = strlen(want); want[e - 1] == '0' || want[e - 1] == '.'; e--) {
        bool point = want[e - 1] == '.';
        want[e - 1] = 0;
        if (point)
            break;
    }
    strcat(want, "(");
    ck_assert_msg(strstr(cs, want) != NULL, "no %s in: %s", want, strstr(cs, "BT"));
    free(cs);
    snprintf(cmd, sizeof cmd, "pdftotext -bbox '%s' - | grep '>AV<'", path);
    ck_assert_int_eq(run(cmd, &out, &err), 0);
    double x1[2] = {0, 0};
    char *p = out;
    for (int k = 0; k < 2; k++) {
        p = strstr(p, "xMax=\"");
        ck_assert_ptr_nonnull(p);
        p += 6;
        x1[k] = atof(p);
    }
    ck_assert_msg(fabs(x1[0] - (100 + g[0].adv + wv)) < 0.01, "kerned AV ends at %g, not %g",
                  x1[0], 100 + g[0].adv + wv);
    ck_assert_msg(fabs(x1[1] - (100 + wa + wv)) < 0.01, "plain AV ends at %g, not %g", x1[1],
                  100 + wa + wv);
    free(out);
    free(err);
}
END_TEST

// Offsets: a glyph moved by dx and dy (a mark, a superscript) goes there:
// a TJ adjustment for dx, the text rise Ts for dy, put back to 0 after.
START_TEST(test_offsets)
{
    uint32_t ga = gl_face_glyph(fs, GL_FACE_LATIN_REGULAR, 'a');
    uint32_t g2 = gl_face_glyph(fs, GL_FACE_LATIN_REGULAR, '2');
    float wa = (float)(gl_face_glyph_advance(fs, GL_FACE_LATIN_REGULAR, ga) * 10);
    float w2 = (float)(gl_face_glyph_advance(fs, GL_FACE_LATIN_REGULAR, g2) * 10);
    gl_glyph_pos g[] = {
        {.gid = ga, .adv = wa, .cluster = 0},
        {.gid = g2, .adv = w2, .dx = 1.5f, .dy = 4, .cluster = 1},
        {.gid = ga, .adv = wa, .cluster = 2},
    };
    gl_run runs[] = {{.face = GL_FACE_LATIN_REGULAR, .size = 10, .x = 100, .y = 700,
                      .text = "a2a", .len = 3, .glyphs = g, .nglyphs = 3}};
    gl_page page = {.runs = runs, .nruns = 1, .number = 1};
    gl_frames f = {.width = 595, .height = 842, .pages = &page, .npages = 1};
    char path[300];
    snprintf(path, sizeof path, "%s/offs.pdf", dir);
    write_ok(&f, NULL, path);
    char *out = check_and_extract(path);
    ck_assert_msg(strstr(out, "a2a") != NULL || strstr(out, "a 2a") != NULL, "text: %s", out);
    free(out);
    char *cs = content_of(path);
    ck_assert_msg(strstr(cs, "4 Ts\n") != NULL && strstr(cs, "0 Ts\n") != NULL, "%s",
                  strstr(cs, "BT"));
    ck_assert_msg(strstr(cs, ")-150(") != NULL, "dx 1.5 pt at 10 pt: %s", strstr(cs, "BT"));
    free(cs);
}
END_TEST

// Characters beyond U+FFFF: 𠮷 in Noto Serif CJK (CFF) and 𠮟 in the
// bundled UMing (TrueType) are drawn with their own glyphs, not spaces or
// U+FFFD, and extract as themselves (UTF-16 surrogate pairs in ToUnicode).
START_TEST(test_astral)
{
    gl_fontset_free(fs);
    gl_font_config cfg = {.font_dir = "../fonts", .cjk = NOTO_CJK ":2"};
    fs = gl_fontset_new(&ctx, &cfg);
    ck_assert_msg(fs != NULL, "fontset (install fonts-noto-cjk): %s", ctx.errmsg);
    ck_assert_uint_ne(gl_face_glyph(fs, GL_FACE_CJK, 0x20BB7), 0);
    ck_assert_uint_ne(gl_face_glyph(fs, GL_FACE_CJK_HEADING, 0x20BB7), 0);
    ck_assert_uint_ne(gl_face_glyph(fs, GL_FACE_CJK_FALLBACK, 0x20B9F), 0);   // LXGW WenKai
    gl_run runs[] = {
        {.face = GL_FACE_CJK, .size = 12, .x = 72, .y = 700, .text = "\xF0\xA0\xAE\xB7\xE7\x94\xB0",
         .len = 7},   // 𠮷田
        {.face = GL_FACE_CJK_FALLBACK, .size = 12, .x = 72, .y = 680,
         .text = "\xF0\xA0\xAE\x9F\xE5\x8F\xB1", .len = 7},   // 𠮟叱
    };
    gl_page page = {.runs = runs, .nruns = 2, .number = 1};
    gl_frames f = {.width = 595, .height = 842, .pages = &page, .npages = 1};
    char path[300], cmd[700], *out, *err;
    snprintf(path, sizeof path, "%s/astral.pdf", dir);
    write_ok(&f, NULL, path);
    out = check_and_extract(path);
    ck_assert_msg(strstr(out, "\xF0\xA0\xAE\xB7\xE7\x94\xB0") != NULL, "text: %s", out);
    ck_assert_msg(strstr(out, "\xF0\xA0\xAE\x9F\xE5\x8F\xB1") != NULL, "text: %s", out);
    free(out);
    snprintf(cmd, sizeof cmd, "pdffonts '%s'", path);
    ck_assert_int_eq(run(cmd, &out, &err), 0);
    ck_assert_msg(strstr(out, "NotoSerifCJKsc-Regular") && strstr(out, "CID Type 0C"), "%s", out);
    ck_assert_msg(strstr(out, "CID TrueType"), "%s", out);
    free(out);
    free(err);
    // MuPDF extracts it too (it reads ToUnicode through the CFF's CIDs).
    snprintf(cmd, sizeof cmd, "mutool draw -q -F txt -o - '%s' 2>/dev/null", path);
    ck_assert_int_eq(run(cmd, &out, &err), 0);
    ck_assert_msg(strstr(out, "\xF0\xA0\xAE\xB7") != NULL, "mutool text: %s", out);
    free(out);
    free(err);
}
END_TEST

// CFF fonts end to end: C059 (name-keyed) for Latin and Noto Serif CJK
// (CID-keyed) for Chinese, embedded as CIDFontType0 with FontFile3
// /OpenType, one-byte codes for C059's few glyphs.
START_TEST(test_cff)
{
    gl_fontset_free(fs);
    gl_font_config cfg = {.font_dir = "../fonts", .latin = {C059}, .cjk = NOTO_CJK ":2"};
    fs = gl_fontset_new(&ctx, &cfg);
    ck_assert_msg(fs != NULL, "fontset (install fonts-urw-base35, fonts-noto-cjk): %s",
                  ctx.errmsg);
    gl_run runs[] = {
        {.face = GL_FACE_LATIN_REGULAR, .size = 12, .x = 72, .y = 700,
         .text = "Hello, world \xE2\x80\x99quoted\xE2\x80\x99", .len = 26},
        {.face = GL_FACE_CJK, .size = 12, .x = 72, .y = 680, .text = "中文排版", .len = 12},
    };
    gl_page page = {.runs = runs, .nruns = 2, .number = 1};
    gl_frames f = {.width = 595, .height = 842, .pages = &page, .npages = 1};
    char path[300], cmd[700], *out, *err;
    snprintf(path, sizeof path, "%s/cff.pdf", dir);
    write_ok(&f, NULL, path);
    out = check_and_extract(path);
    ck_assert_msg(strstr(out, "Hello, world \xE2\x80\x99quoted\xE2\x80\x99"), "text: %s", out);
    ck_assert_msg(strstr(out, "中文排版"), "text: %s", out);
    free(out);
    snprintf(cmd, sizeof cmd, "pdffonts '%s' | grep -c 'CID Type 0C.*yes yes yes'", path);
    ck_assert_int_eq(run(cmd, &out, &err), 0);
    ck_assert_str_eq(out, "2\n");
    free(out);
    free(err);
    char *cs = content_of(path);
    ck_assert_msg(strstr(cs, "/Subtype /OpenType") && strstr(cs, "/FontFile3"), "no FontFile3");
    ck_assert_msg(strstr(cs, "(Hello,"), "C059 not one-byte: %s", strstr(cs, "BT"));
    free(cs);
}
END_TEST

// ----------------------------------------------------------------- navigation
// Images, links, bookmarks, page labels and run flags, from hand-made frames.

#define FIGURE_PNG "data/markdown/figure.png"   // 48x32 RGB
#define PHOTO_JPG "data/markdown/photo.jpg"     // 40x24 baseline JPEG

static uint32_t crc32_test(const unsigned char *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return c ^ 0xFFFFFFFFu;
}

// An 8x8 RGBA PNG with a transparent half, written with libpng; with
// corrupt set, its deflate data is scrambled but every chunk CRC is
// recomputed, so only decoding finds out (galley's own probe passes it).
static void write_rgba_png(const char *path, bool corrupt)
{
    unsigned char px[8 * 8 * 4];
    for (int i = 0; i < 64; i++) {
        px[i * 4 + 0] = (unsigned char)(i * 4);
        px[i * 4 + 1] = 0x40;
        px[i * 4 + 2] = 0xC0;
        px[i * 4 + 3] = i < 32 ? 0xFF : 0x00;
    }
    png_image pi;
    memset(&pi, 0, sizeof pi);
    pi.version = PNG_IMAGE_VERSION;
    pi.width = 8;
    pi.height = 8;
    pi.format = PNG_FORMAT_RGBA;
    png_alloc_size_t len = 0;
    ck_assert(png_image_write_to_memory(&pi, NULL, &len, 0, px, 0, NULL));
    unsigned char *mem = malloc(len);
    ck_assert(png_image_write_to_memory(&pi, mem, &len, 0, px, 0, NULL));
    if (corrupt) {
        size_t pos = 8;
        bool done = false;
        while (pos + 12 <= len && !done) {
            uint32_t n = (uint32_t)mem[pos] << 24 | (uint32_t)mem[pos + 1] << 16 |
                         (uint32_t)mem[pos + 2] << 8 | mem[pos + 3];
            if (memcmp(mem + pos + 4, "IDAT", 4) == 0 && n > 4) {
                for (uint32_t i = 2; i < n; i++)   // keep the 2-byte zlib header
                    mem[pos + 8 + i] ^= 0x5A;
                uint32_t c = crc32_test(mem + pos + 4, 4 + (size_t)n);
                unsigned char *q = mem + pos + 8 + n;
                q[0] = (unsigned char)(c >> 24);
                q[1] = (unsigned char)(c >> 16);
                q[2] = (unsigned char)(c >> 8);
                q[3] = (unsigned char)c;
                done = true;
            }
            pos += 12 + (size_t)n;
        }
        ck_assert(done);
    }
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(mem, 1, len, f), len);
    fclose(f);
    free(mem);
}

// Four pages: two front-matter pages (i, ii) and two body pages (1, 2).
// Page ii has a contents line linking to page 2 and link-coloured text;
// page 1 has the PNG twice, the JPEG, an RGBA PNG, an external link with
// non-ASCII in it, a javascript: link (dropped), synthetic bold CJK text;
// four bookmarks at levels 1, 3, 2, 1, one Chinese.
static gl_run nav_front1[] = {
    {.face = GL_FACE_LATIN_BOLD, .size = 20, .x = 72, .y = 700, .text = "Weekly brief", .len = 12},
};
static gl_run nav_front2[] = {
    {.face = GL_FACE_LATIN_REGULAR, .size = 12, .x = 72, .y = 700, .text = "Contents", .len = 8},
    {.face = GL_FACE_LATIN_REGULAR, .size = 12, .x = 72, .y = 680, .text = "Part two", .len = 8,
     .flags = GL_RUN_LINK},
};
static gl_run nav_body1[] = {
    {.face = GL_FACE_LATIN_REGULAR, .size = 12, .x = 72, .y = 760, .text = "Introduction",
     .len = 12},
    {.face = GL_FACE_CJK, .size = 12, .x = 72, .y = 740, .text = "粗体字", .len = 9,
     .flags = GL_RUN_FAKE_BOLD},
    {.face = GL_FACE_CJK, .size = 12, .x = 108, .y = 740, .text = "链接", .len = 6,
     .flags = GL_RUN_FAKE_BOLD | GL_RUN_LINK},
    {.face = GL_FACE_CJK, .size = 12, .x = 132, .y = 740, .text = "正文", .len = 6},
    {.face = GL_FACE_LATIN_REGULAR, .size = 12, .x = 72, .y = 720, .text = "example.com",
     .len = 11, .flags = GL_RUN_LINK},
};
static gl_run nav_body2[] = {
    {.face = GL_FACE_LATIN_REGULAR, .size = 12, .x = 72, .y = 760, .text = "Part two", .len = 8},
};
static gl_image nav_images[] = {
    {.path = FIGURE_PNG, .x = 72, .y = 500, .w = 144, .h = 96},
    {.path = FIGURE_PNG, .x = 300, .y = 500, .w = 48, .h = 32},
    {.path = PHOTO_JPG, .x = 72, .y = 300, .w = 120, .h = 72},
    {.path = NULL, .x = 300, .y = 300, .w = 80, .h = 80},   // the RGBA PNG, set per test
};
static gl_link nav_front2_links[] = {
    {.x0 = 72, .y0 = 676, .x1 = 300, .y1 = 692, .page = 3, .y = 772},
};
static gl_link nav_body1_links[] = {
    {.x0 = 72, .y0 = 716, .x1 = 140, .y1 = 732, .uri = "https://example.com/a b?q=中"},
    {.x0 = 72, .y0 = 600, .x1 = 140, .y1 = 616, .uri = "javascript:alert(1)"},
    {.x0 = 72, .y0 = 580, .x1 = 140, .y1 = 596, .uri = "MAILTO:ann@example.com"},
};
static gl_outline nav_outlines[] = {
    {.title = "Introduction", .level = 1, .page = 2, .y = 780},
    {.title = "第一节 背景", .level = 3, .page = 2, .y = 752},
    {.title = "Details (and more)", .level = 2, .page = 2, .y = 600},
    {.title = "Part two", .level = 1, .page = 3, .y = 780},
};

static void make_nav_frames(gl_frames *f, gl_page pages[4], const char *rgba_png)
{
    memset(f, 0, sizeof *f);
    memset(pages, 0, 4 * sizeof *pages);
    nav_images[3].path = rgba_png;
    pages[0] = (gl_page){.runs = nav_front1, .nruns = 1, .number = 1, .front = true};
    pages[1] = (gl_page){.runs = nav_front2, .nruns = 2, .links = nav_front2_links, .nlinks = 1,
                         .number = 2, .front = true};
    pages[2] = (gl_page){.runs = nav_body1, .nruns = sizeof nav_body1 / sizeof *nav_body1,
                         .images = nav_images, .nimages = 4, .links = nav_body1_links,
                         .nlinks = 3, .number = 1};
    pages[3] = (gl_page){.runs = nav_body2, .nruns = 1, .number = 2};
    f->width = 595.276;
    f->height = 841.89;
    f->pages = pages;
    f->npages = 4;
    f->outlines = nav_outlines;
    f->noutlines = sizeof nav_outlines / sizeof *nav_outlines;
}

// Number of occurrences of needle in hay.
static int count_str(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

// Occurrences of needle in n bytes of binary data (streams hold NULs).
static int count_mem(const char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    int c = 0;
    for (size_t i = 0; i + k <= n; i++)
        c += memcmp(hay + i, needle, k) == 0;
    return c;
}

START_TEST(test_nav_pdf)
{
    char png[300], path[300], cmd[1600];
    snprintf(png, sizeof png, "%s/rgba.png", dir);
    write_rgba_png(png, false);
    gl_frames f;
    gl_page pages[4];
    make_nav_frames(&f, pages, png);
    snprintf(path, sizeof path, "%s/nav.pdf", dir);
    write_ok(&f, &meta, path);

    char *out, *err;
    // The external pdf-check.sh when present ($CHECKS, by default as
    // tests/e2e/run.sh finds it: shared/checks beside the repository, from
    // tests/), else its core by hand.
    const char *checks = getenv("CHECKS") && *getenv("CHECKS") ? getenv("CHECKS")
                                                               : "../../shared/checks";
    char checker[400];
    snprintf(checker, sizeof checker, "%s/pdf-check.sh", checks);
    if (access(checker, X_OK) == 0)
        snprintf(cmd, sizeof cmd, "'%s' '%s'", checker, path);
    else
        snprintf(cmd, sizeof cmd, "qpdf --check '%s' && pdftoppm -r 36 '%s' '%s/pp'", path,
                 path, dir);
    int st = run(cmd, &out, &err);
    ck_assert_msg(st == 0, "check: %s\n%s", out, err);
    free(out);
    free(err);

    // Bookmarks: titles (one Chinese) nested 1 > {3, 2}, then 1; the top
    // level open, each pointing at its page.
    snprintf(cmd, sizeof cmd, "mutool show '%s' outline", path);
    ck_assert_int_eq(run(cmd, &out, &err), 0);
    ck_assert_msg(strstr(out, "-\t\"Introduction\"\t#page=3") != NULL, "outline: %s", out);
    ck_assert_msg(strstr(out, "\n|\t\t\"第一节 背景\"\t#page=3") != NULL, "outline: %s", out);
    ck_assert_msg(strstr(out, "\n|\t\t\"Details (and more)\"\t#page=3") != NULL, "outline: %s",
                  out);
    ck_assert_msg(strstr(out, "\n|\t\"Part two\"\t#page=4") != NULL, "outline: %s", out);
    free(out);
    free(err);

    // Catalog: bookmarks shown on opening; page labels r from 1 at page
    // index 0, D from 1 at index 2.
    snprintf(cmd, sizeof cmd, "qpdf --json --json-key=pagelabels --json-key=outlines '%s'",
             path);
    ck_assert_int_eq(run(cmd, &out, &err), 0);
    ck_assert_msg(strstr(out, "\"/S\": \"/r\"") && strstr(out, "\"/S\": \"/D\""), "labels: %s",
                  out);
    ck_assert_int_eq(count_str(out, "\"index\": "), 2);
    ck_assert_msg(strstr(out, "\"index\": 0") && strstr(out, "\"index\": 2"), "labels: %s", out);
    free(out);
    free(err);
    snprintf(cmd, sizeof cmd, "mutool show '%s' trailer/Root/PageMode", path);
    ck_assert_int_eq(run(cmd, &out, &err), 0);
    ck_assert_msg(strstr(out, "/UseOutlines") != NULL, "PageMode: %s", out);
    free(out);
    free(err);
    // Links: three annotations (the javascript: one dropped), borderless;
    // the external ones as 7-bit ASCII URIs, the internal one to page 4.
    snprintf(cmd, sizeof cmd, "qpdf --qdf --object-streams=disable '%s' '%s/nav.qdf'", path,
             dir);
    ck_assert_int_eq(run(cmd, NULL, NULL), 0);
    snprintf(cmd, sizeof cmd, "%s/nav.qdf", dir);
    size_t len;
    char *qdf = slurp(cmd, &len);
    ck_assert_ptr_nonnull(qdf);
    ck_assert_int_eq(count_mem(qdf, len, "/Subtype /Image"), 4);   // the figure once
    ck_assert_int_eq(count_mem(qdf, len, "/SMask "), 1);
    ck_assert(memcmp(qdf, "%PDF-1.4", 8) == 0);   // soft masks are PDF 1.4
    ck_assert_int_eq(count_mem(qdf, len, "/Subtype /Link"), 3);
    ck_assert_int_eq(count_mem(qdf, len, "/Border [\n"), 3);
    ck_assert_msg(count_mem(qdf, len, "(https://example.com/a%20b?q=%E4%B8%AD)") > 0, "uri");
    ck_assert_msg(count_mem(qdf, len, "(MAILTO:ann@example.com)") > 0, "mailto");
    ck_assert_msg(count_mem(qdf, len, "javascript") == 0, "javascript link kept");
    ck_assert_msg(count_mem(qdf, len, "/XYZ\n") > 0, "no XYZ destination");
    // Synthetic bold: render mode 2 with a 0.4 pt line, back to 0; link blue.
    ck_assert_msg(count_mem(qdf, len, "2 Tr") > 0 && count_mem(qdf, len, "0 Tr") > 0, "Tr");
    ck_assert_msg(count_mem(qdf, len, "0.4 w") > 0, "stroke width");
    ck_assert_msg(count_mem(qdf, len, "0.1 0.2 0.55 rg") > 0 && count_mem(qdf, len, "0.1 0.2 0.55 RG") > 0,
                  "link colour");
    ck_assert_int_eq(count_mem(qdf, len, "2 Tr"), 1);   // written once for two runs
    free(qdf);

    // Images: the PNG drawn twice is embedded once; with the JPEG and the
    // RGBA PNG (plus its soft mask), four image objects.
    snprintf(cmd, sizeof cmd, "pdfimages -list '%s'", path);
    ck_assert_int_eq(run(cmd, &out, &err), 0);
    ck_assert_msg(err[0] == 0, "pdfimages: %s", err);
    ck_assert_int_eq(count_str(out, "\n   3 "), 5);   // four draws and a soft mask
    ck_assert_int_eq(count_str(out, " smask "), 1);
    ck_assert_int_eq(count_str(out, " jpeg "), 1);
    ck_assert_msg(strstr(out, "   48    32  rgb ") != NULL, "png: %s", out);
    ck_assert_msg(strstr(out, "   40    24  rgb ") != NULL, "jpeg: %s", out);
    free(out);
    free(err);

    // The text, including the link and bold runs.
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' -", path);
    ck_assert_int_eq(run(cmd, &out, &err), 0);
    ck_assert_msg(strstr(out, "粗体字链接正文") != NULL, "text: %s", out);
    ck_assert_msg(strstr(out, "Part two") != NULL, "text: %s", out);
    free(out);
    free(err);
}
END_TEST

START_TEST(test_nav_reproducible)
{
    char png[300], a[300], b[300];
    snprintf(png, sizeof png, "%s/rgba.png", dir);
    write_rgba_png(png, false);
    gl_frames f;
    gl_page pages[4];
    make_nav_frames(&f, pages, png);
    snprintf(a, sizeof a, "%s/a.pdf", dir);
    snprintf(b, sizeof b, "%s/b.pdf", dir);
    write_ok(&f, &meta, a);
    write_ok(&f, &meta, b);
    size_t la = 0, lb = 0;
    char *da = slurp(a, &la), *db = slurp(b, &lb);
    ck_assert_uint_eq(la, lb);
    ck_assert(memcmp(da, db, la) == 0);
    free(da);
    free(db);
}
END_TEST

// No labels when the numbering is the viewer's own (1..n, no front matter).
START_TEST(test_no_labels_by_default)
{
    gl_frames f;
    gl_page pages[2];
    make_frames(&f, pages);
    char path[300], cmd[700];
    snprintf(path, sizeof path, "%s/plain.pdf", dir);
    write_ok(&f, &meta, path);
    char *out, *err;
    snprintf(cmd, sizeof cmd, "mutool show '%s' trailer/Root", path);
    ck_assert_int_eq(run(cmd, &out, &err), 0);
    ck_assert_msg(strstr(out, "/PageLabels") == NULL, "root: %s", out);
    ck_assert_msg(strstr(out, "/Outlines") == NULL, "root: %s", out);
    ck_assert_msg(strstr(out, "/PageMode") == NULL, "root: %s", out);
    free(out);
    free(err);
    // A body starting at 5 does get a label.
    pages[0].number = 5;
    pages[1].number = 6;
    write_ok(&f, &meta, path);
    snprintf(cmd, sizeof cmd, "qpdf --json --json-key=pagelabels '%s'", path);
    ck_assert_int_eq(run(cmd, &out, &err), 0);
    ck_assert_msg(strstr(out, "\"/St\": 5") != NULL, "labels: %s", out);
    ck_assert_int_eq(count_str(out, "\"index\": "), 1);
    free(out);
    free(err);
}
END_TEST

// A PNG whose chunks are sound but whose data is not (libharu would let
// libpng abort the process), a JPEG cut short, and a missing file: each a
// backend error naming the image; the old output stays.
START_TEST(test_bad_images)
{
    char png[300], jpg[300], path[300];
    snprintf(png, sizeof png, "%s/bad.png", dir);
    write_rgba_png(png, true);
    snprintf(jpg, sizeof jpg, "%s/cut.jpg", dir);
    FILE *o = fopen(jpg, "wb");
    // 23 bytes: the literal's length (25 read past its end: the ASan pass found it)
    fwrite("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xFF\xC0\x00", 1,
           23, o);
    fclose(o);
    snprintf(path, sizeof path, "%s/keep.pdf", dir);
    o = fopen(path, "w");
    fputs("old contents", o);
    fclose(o);

    const char *bad[] = {png, jpg, "data/markdown/no-such.png"};
    for (size_t i = 0; i < 3; i++) {
        gl_image im = {.path = bad[i], .x = 72, .y = 500, .w = 100, .h = 100};
        gl_page page = {.images = &im, .nimages = 1, .number = 1};
        gl_frames f = {.width = 595, .height = 842, .pages = &page, .npages = 1};
        memset(&ctx, 0, sizeof ctx);
        ck_assert_msg(gl_pdf_write(&ctx, &f, fs, &meta, path) == -1, "%s accepted", bad[i]);
        ck_assert_int_eq(ctx.status, GALLEY_ERR_BACKEND);
        char want[400];
        snprintf(want, sizeof want, "%s: cannot embed image: ", bad[i]);
        ck_assert_msg(strncmp(ctx.errmsg, want, strlen(want)) == 0, "message: %s", ctx.errmsg);
        size_t len;
        char *bytes = slurp(path, &len);
        ck_assert_str_eq(bytes, "old contents");
        free(bytes);
        ck_assert_int_eq(count_files(dir, "galley-"), 0);
    }
}
END_TEST

// Links and bookmarks to pages that do not exist are layout's bugs: an
// internal error, not a broken PDF.
START_TEST(test_bad_targets)
{
    char path[300];
    snprintf(path, sizeof path, "%s/t.pdf", dir);
    gl_link l = {.x0 = 1, .y0 = 1, .x1 = 9, .y1 = 9, .page = 1, .y = 10};
    gl_page page = {.links = &l, .nlinks = 1, .number = 1};
    gl_frames f = {.width = 595, .height = 842, .pages = &page, .npages = 1};
    ck_assert_int_eq(gl_pdf_write(&ctx, &f, fs, &meta, path), -1);
    ck_assert_int_eq(ctx.status, GALLEY_ERR_INTERNAL);
    memset(&ctx, 0, sizeof ctx);
    page.nlinks = 0;
    gl_outline o = {.title = "x", .level = 1, .page = -1};
    f.outlines = &o;
    f.noutlines = 1;
    ck_assert_int_eq(gl_pdf_write(&ctx, &f, fs, &meta, path), -1);
    ck_assert_int_eq(ctx.status, GALLEY_ERR_INTERNAL);
    ck_assert_int_eq(access(path, F_OK), -1);
}
END_TEST

Suite *suite_pdf(void)
{
    Suite *s = suite_create("pdf");
    TCase *tc = tcase_create("write");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_valid_pdf);
    tcase_add_test(tc, test_reproducible);
    tcase_add_test(tc, test_unwritable_path);
    tcase_add_test(tc, test_failure_keeps_existing);
    tcase_add_test(tc, test_missing_glyphs_and_empty);
    tcase_add_test(tc, test_bad_page_size);
    suite_add_tcase(s, tc);
    TCase *gl = tcase_create("glyphs");
    tcase_add_checked_fixture(gl, setup, teardown);
    tcase_set_timeout(gl, 60);
    tcase_add_test(gl, test_ligature);
    tcase_add_test(gl, test_kerning);
    tcase_add_test(gl, test_offsets);
    tcase_add_test(gl, test_astral);
    tcase_add_test(gl, test_cff);
    suite_add_tcase(s, gl);
    TCase *nav = tcase_create("navigation");
    tcase_add_checked_fixture(nav, setup, teardown);
    tcase_set_timeout(nav, 60);
    tcase_add_test(nav, test_nav_pdf);
    tcase_add_test(nav, test_nav_reproducible);
    tcase_add_test(nav, test_no_labels_by_default);
    tcase_add_test(nav, test_bad_images);
    tcase_add_test(nav, test_bad_targets);
    suite_add_tcase(s, nav);
    return s;
}
