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

#include "backend.h"
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
    // built it, not about the file (shared/checks/pdf-check.sh ignores it too).
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

// Characters without a glyph still extract; astral ones (spaces in libharu)
// do not crash; an empty document still gives a valid one-page PDF.
START_TEST(test_missing_glyphs_and_empty)
{
    gl_run runs[] = {
        // U+4E2D is not in Noto Serif: .notdef, but ToUnicode keeps 中.
        {.face = GL_FACE_LATIN_REGULAR, .size = 12, .x = 72, .y = 700, .text = "A中B", .len = 5},
        {.face = GL_FACE_CJK, .size = 12, .x = 72, .y = 680, .text = "x\xF0\x9F\x98\x80y",
         .len = 6},
        {.face = GL_FACE_CJK, .size = 12, .x = 72, .y = 660, .text = "", .len = 0},
    };
    gl_page page = {.runs = runs, .nruns = 3, .number = 1};
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
    // The emoji became a space; whether pdftotext shows it depends on the
    // space glyph's width, so only ask that both neighbours survived.
    ck_assert_msg(strstr(out, "x y") != NULL || strstr(out, "xy") != NULL, "text: %s", out);
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
    return s;
}
