/*
 * cli.c — the galley command: argument parsing, output naming, diagnostics
 * on stderr and exit codes.  Uses only the public API (include/galley.h).
 *
 * Exit codes: 0 success, 1 input error (unreadable input, bad font),
 * 2 usage error, 3 output error, 4 internal error or out of memory.
 */
#define _GNU_SOURCE
#include "galley.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <signal.h>
#include <unistd.h>

enum { EXIT_INPUT = 1, EXIT_USAGE = 2, EXIT_OUTPUT = 3, EXIT_INTERNAL = 4 };

static const char *prog = "galley";
static bool verbose;  // --verbose: say what was written, and how long it took

static void usage(FILE *f)
{
    fprintf(f,
"Usage: galley [OPTION]... INPUT...\n"
"       galley --batch [OPTION]... DIR_OR_FILE... --outdir DIR [-j N]\n"
"Publish text articles as a print PDF and an EPUB 3.\n"
"\n"
"Each INPUT (an article in galley's text format, Markdown, or plain text) is\n"
"published as INPUT.pdf and INPUT.epub next to it, unless -o names the outputs.\n"
"INPUT '-' reads standard input.\n"
"\n"
"Output:\n"
"  -t, --to pdf|epub      publish only this format; the format of '-o -' and of\n"
"                         standard input without -o (written to standard output)\n"
"  -o, --output FILE      write FILE ('-': standard output, with -t); the format\n"
"                         comes from its extension (.pdf or .epub); repeat for\n"
"                         several outputs.  With several INPUTs, -o binds them\n"
"                         into one brief: each input an article, in order; a\n"
"                         directory INPUT stands for its .txt/.md files, a\n"
"                         .yaml INPUT is a manifest (inputs, metadata, options)\n"
"\n"
"Metadata:\n"
"      --title TEXT       document title (default: from the article header, else\n"
"                         the file name)\n"
"      --subtitle TEXT    subtitle (on a brief's or book's cover)\n"
"      --author TEXT      author (default: the article's byline)\n"
"      --lang TAG         language as a BCP 47 tag (en, zh-Hans, ...); default:\n"
"                         Chinese when most letters are Han, else English\n"
"      --identifier ID    EPUB identifier (default: derived from the content)\n"
"      --continuous       a brief's articles run on instead of each starting a\n"
"                         new page\n"
"\n"
"Page (PDF):\n"
"      --paper NAME|WxH   a3 a4 a5 a6 b5 b6 16k letter legal, or a size with a unit:\n"
"                         148x210mm, 6x9in, 420x595pt (default a4)\n"
"      --margins SPEC     one length, vertical,horizontal, or top,right,bottom,left;\n"
"                         units mm (default), cm, in, pt (default 25,25,28,25 mm)\n"
"      --font-size PT     body size in points (default 11)\n"
"      --leading X        line height as a multiple of the size (default 1.4, or\n"
"                         1.75 for Chinese)\n"
"\n"
"Fonts (OpenType .otf/.ttf, or .otc/.ttc with FILE:N for face N of a collection):\n"
"      --font NAME|FILE   Latin regular face: an installed family (\"DejaVu Serif\")\n"
"                         or a file; bold, italic and headings follow its family\n"
"                         unless given below\n"
"      --font-bold NAME|FILE, --font-italic NAME|FILE,\n"
"      --font-bold-italic NAME|FILE\n"
"      --cjk-font NAME|FILE  CJK face for body text; headings take its family's bold\n"
"      --mono-font NAME|FILE  code face (bold code: its family's bold)\n"
"      --no-font-fallback  draw characters the fonts lack as .notdef instead of\n"
"                         taking them from an installed font (the same output on\n"
"                         every machine)\n"
"      --cjk-punct STYLE  CJK punctuation: gb (default), full, centered\n"
"      --font-features LIST  OpenType features, CSS font-feature-settings syntax:\n"
"                         +onum,-liga or '\"smcp\" 1' (default: each font's own:\n"
"                         kerning, standard ligatures, marks)\n"
"      --linebreak ALGO   paragraph breaking: optimal (Knuth-Plass, default) or\n"
"                         first-fit (for comparison)\n"
"      --no-hyphenate     never hyphenate English words\n"
"      --allow-path DIR   let Markdown images come from DIR too (by default only\n"
"                         from the input's own folder tree); repeatable\n"
"      --epub-fonts MODE  fonts in the EPUB: subset (default for CJK text), none\n"
"                         (default otherwise) or full\n"
"\n"
"Batch (each input its own document, in parallel):\n"
"      --batch            publish every INPUT (a file, or a directory searched\n"
"                         for .txt .text .md .markdown) into --outdir, keeping the\n"
"                         directory structure; inputs whose outputs are newer are\n"
"                         skipped; one failure does not stop the others\n"
"      --outdir DIR       where --batch writes\n"
"  -j, --jobs N           worker processes (default: the number of cores)\n"
"      --formats LIST     pdf, epub or pdf,epub (default)\n"
"      --force            publish even when the outputs are up to date\n"
"\n"
"Other:\n"
"  -q, --quiet            do not print warnings\n"
"  -v, --verbose          say what was read and written, with sizes and times\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and exit\n"
"\n"
"Warnings go to stderr as FILE:LINE:COL: warning: MESSAGE.\n"
"With SOURCE_DATE_EPOCH set, outputs are byte-for-byte reproducible.\n"
"Exit status: 0 success, 1 input error, 2 usage error, 3 output error,\n"
"4 internal error or out of memory.  --batch exits 1 when any input failed, and\n"
"ends with a summary on stderr: 'batch: N published, N skipped, N failed'.\n");
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "%s: ", prog);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry '%s --help' for more information.\n", prog);
    return EXIT_USAGE;
}

typedef enum { FMT_PDF, FMT_EPUB } out_format;

static int format_of(const char *path, out_format *f)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return -1;
    if (!strcasecmp(dot, ".pdf"))
        *f = FMT_PDF;
    else if (!strcasecmp(dot, ".epub"))
        *f = FMT_EPUB;
    else
        return -1;
    return 0;
}

/* INPUT with its extension replaced by ext ("a/b.txt" -> "a/b.pdf"). */
static char *sibling(const char *in, const char *ext)
{
    const char *slash = strrchr(in, '/');
    const char *dot = strrchr(in, '.');
    size_t stem = (dot && (!slash || dot > slash + 1)) ? (size_t)(dot - in) : strlen(in);
    char *s = malloc(stem + strlen(ext) + 1);
    if (s) {
        memcpy(s, in, stem);
        strcpy(s + stem, ext);
    }
    return s;
}

static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (stat(a, &sa) != 0 || stat(b, &sb) != 0)
        return false;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static void print_diags(galley_ctx *ctx, size_t from, bool quiet)
{
    size_t n = galley_diag_count(ctx);
    for (size_t i = from; i < n && !quiet; i++) {
        const galley_diag *d = galley_diag_get(ctx, i);
        if (d->line && d->column)
            fprintf(stderr, "%s:%u:%u: warning: %s\n", d->source, d->line, d->column, d->message);
        else if (d->line)
            fprintf(stderr, "%s:%u: warning: %s\n", d->source, d->line, d->message);
        else
            fprintf(stderr, "%s: warning: %s\n", d->source, d->message);
    }
}

static int exit_for(galley_status st, bool writing)
{
    switch (st) {
    case GALLEY_OK:
        return 0;
    case GALLEY_ERR_NOMEM:
    case GALLEY_ERR_INTERNAL:
        return EXIT_INTERNAL;
    case GALLEY_ERR_ARG:
        return EXIT_USAGE;
    case GALLEY_ERR_FONT:
    case GALLEY_ERR_INPUT:
        return EXIT_INPUT;
    case GALLEY_ERR_IO:
    case GALLEY_ERR_BACKEND:
        return writing ? EXIT_OUTPUT : EXIT_INPUT;
    }
    return EXIT_INTERNAL;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Reads all of stdin into a malloc'd buffer; NULL on failure (errno set). */
static char *read_stdin(size_t *len)
{
    size_t n = 0, cap = 65536;
    char *buf = malloc(cap);
    while (buf) {
        size_t r = fread(buf + n, 1, cap - n, stdin);
        n += r;
        if (r == 0) {
            if (ferror(stdin)) {
                free(buf);
                return NULL;
            }
            break;
        }
        if (n == cap) {
            char *b = realloc(buf, cap *= 2);
            if (!b)
                free(buf);
            buf = b;
        }
    }
    *len = n;
    return buf;
}

/* Reads INPUT ("-": standard input, named <stdin> in diagnostics). */
static galley_status read_input(galley_ctx *ctx, const galley_options *opt, const char *in,
                                galley_doc **doc)
{
    if (strcmp(in, "-") != 0)
        return galley_read_file(ctx, in, opt, doc);
    size_t len = 0;
    char *data = read_stdin(&len);
    if (!data) {
        *doc = NULL;
        fprintf(stderr, "%s: error: <stdin>: read error: %s\n", prog, strerror(errno));
        return GALLEY_ERR_IO;
    }
    galley_status st = galley_read_text(ctx, data, len, "<stdin>", opt, doc);
    free(data);
    return st;
}

/* Writes doc to standard output as fmt (through memory: stdout may be a
 * pipe, which cannot be written atomically). */
static galley_status write_stdout(galley_ctx *ctx, const galley_doc *doc,
                                  const galley_options *opt, out_format fmt, size_t *written)
{
    void *data = NULL;
    size_t len = 0;
    galley_status st = fmt == FMT_PDF ? galley_write_pdf_mem(ctx, doc, opt, &data, &len)
                                      : galley_write_epub_mem(ctx, doc, opt, &data, &len);
    if (st != GALLEY_OK)
        return st;
    *written = len;
    if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
        fprintf(stderr, "%s: error: <stdout>: write error: %s\n", prog, strerror(errno));
        st = GALLEY_ERR_IO;
    }
    galley_free(data);
    return st;
}

static long long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
}

/* Publishes one input to its outputs; returns an exit code.  An output
 * named "-" is standard output in format to_fmt. */
/* A directory or a manifest: inputs that make a brief even when alone. */
static bool binds(const char *in)
{
    struct stat st;
    size_t n = strlen(in);
    return (stat(in, &st) == 0 && S_ISDIR(st.st_mode)) ||
           (n > 5 && !strcasecmp(in + n - 5, ".yaml")) || (n > 4 && !strcasecmp(in + n - 4, ".yml"));
}

/* A one-line report on a terminal while a long document is published:
 * pages laid out, then pages of the PDF written.  It appears once a job
 * has run for half a second, changes at most ten times a second, and is
 * erased before anything else is printed. */
typedef struct {
    double t0, last;
    bool shown;
} doc_progress;

static void on_progress(void *user, const char *stage, size_t done, size_t total)
{
    doc_progress *p = user;
    double t = now();
    if (t - p->t0 < 0.5 || t - p->last < 0.1)
        return;
    p->last = t;
    p->shown = true;
    if (total)
        fprintf(stderr, "\r%s: writing the %s: page %zu of %zu\033[K",
                prog, strcmp(stage, "pdf") == 0 ? "PDF" : stage, done, total);
    else
        fprintf(stderr, "\r%s: laying out: %zu pages\033[K", prog, done);
}

static void progress_clear(doc_progress *p)
{
    if (p->shown)
        fputs("\r\033[K", stderr);
    p->shown = false;
}

static int publish_doc(galley_ctx *ctx, galley_options *opt, const char *const *ins, int nin,
                       char **outs, int nouts, bool quiet, out_format to_fmt, doc_progress *dp)
{
    galley_doc *doc = NULL;
    double t0 = now();
    const char *in = ins[0];
    galley_status st = nin == 1 && !binds(in)
                           ? read_input(ctx, opt, in, &doc)
                           : galley_read_inputs(ctx, ins, (size_t)nin, opt, &doc);
    print_diags(ctx, 0, quiet);
    size_t seen = galley_diag_count(ctx);
    if (st != GALLEY_OK) {
        if (*galley_errmsg(ctx))
            fprintf(stderr, "%s: error: %s\n", prog, galley_errmsg(ctx));
        return exit_for(st, false);
    }
    int code = 0;
    if (verbose)
        fprintf(stderr, "%s: read %s in %.3f s\n", prog, in, now() - t0);
    for (int i = 0; i < nouts && code == 0; i++) {
        out_format f = to_fmt;
        bool to_stdout = !strcmp(outs[i], "-");
        size_t written = 0;
        t0 = now();
        if (!to_stdout)
            format_of(outs[i], &f);
        if (to_stdout)
            st = write_stdout(ctx, doc, opt, f, &written);
        else
            st = f == FMT_PDF ? galley_write_pdf(ctx, doc, opt, outs[i])
                              : galley_write_epub(ctx, doc, opt, outs[i]);
        progress_clear(dp);
        print_diags(ctx, seen, quiet);
        seen = galley_diag_count(ctx);
        if (st != GALLEY_OK) {
            if (*galley_errmsg(ctx))
                fprintf(stderr, "%s: error: %s\n", prog, galley_errmsg(ctx));
            code = exit_for(st, true);
        } else if (verbose) {
            fprintf(stderr, "%s: wrote %s (%s, %lld bytes) in %.3f s\n", prog,
                    to_stdout ? "<stdout>" : outs[i], f == FMT_PDF ? "PDF" : "EPUB",
                    to_stdout ? (long long)written : file_size(outs[i]), now() - t0);
        }
    }
    galley_doc_free(doc);
    galley_diag_clear(ctx);
    return code;
}

/* Publishes ins (one input, or several bound into a brief) to outs. */
static int publish(galley_ctx *ctx, galley_options *opt, const char *const *ins, int nin,
                   char **outs, int nouts, bool quiet, out_format to_fmt)
{
    doc_progress dp = {.t0 = now(), .last = 0, .shown = false};
    if (!quiet && isatty(STDERR_FILENO)) {
        opt->progress = on_progress;
        opt->progress_user = &dp;
    }
    int code = publish_doc(ctx, opt, ins, nin, outs, nouts, quiet, to_fmt, &dp);
    progress_clear(&dp);
    opt->progress = NULL;
    opt->progress_user = NULL;
    return code;
}

/* ================================================================ batch mode */
/*
 * galley --batch DIR_OR_FILE... --outdir OUT: every input is its own
 * document, published by a worker process of its own (fork: a crash or a
 * leak in one document cannot touch another), at most -j at a time.  An
 * input whose outputs are all newer than it is skipped unless --force, and
 * outputs are written atomically, so a batch can be re-run or split across
 * machines (README: "Publishing a corpus") and always converges.
 */

typedef struct {
    char *in;          /* input path */
    char *out[2];      /* output paths, by format; NULL when not requested */
    enum { JOB_PENDING, JOB_RUNNING, JOB_DONE, JOB_SKIPPED, JOB_FAILED } state;
    int code;          /* exit code of its worker */
    char why[512];     /* the worker's last error message */
    int pipe_fd;       /* read end of the worker's error pipe, or -1 */
    pid_t pid;
} batch_job;

typedef struct {
    batch_job *jobs;
    size_t n, cap;
} batch_list;

static bool input_ext(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && (!strcasecmp(dot, ".txt") || !strcasecmp(dot, ".text") ||
                   !strcasecmp(dot, ".md") || !strcasecmp(dot, ".markdown"));
}

static char *path_join(const char *a, const char *b)
{
    size_t la = strlen(a);
    char *s = malloc(la + strlen(b) + 2);
    if (s)
        sprintf(s, "%s%s%s", a, la && a[la - 1] == '/' ? "" : "/", b);
    return s;
}

static int add_job(batch_list *l, const char *in, const char *rel, const char *outdir,
                   const bool want[2])
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        batch_job *j = realloc(l->jobs, cap * sizeof *j);
        if (!j)
            return -1;
        l->jobs = j;
        l->cap = cap;
    }
    batch_job *j = &l->jobs[l->n];
    memset(j, 0, sizeof *j);
    j->pipe_fd = -1;
    j->in = strdup(in);
    char *o = path_join(outdir, rel);
    static const char *const ext[2] = {".pdf", ".epub"};
    for (int f = 0; f < 2; f++)
        if (want[f] && o && !(j->out[f] = sibling(o, ext[f])))
            goto oom;
    free(o);
    if (!j->in)
        return -1;
    l->n++;
    return 0;
oom:
    free(o);
    free(j->in);
    free(j->out[0]);
    return -1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the inputs under dir (recursively, sorted, hidden names skipped);
 * rel is dir's path below the batch root ("" at the root). */
static int scan_dir(batch_list *l, const char *dir, const char *rel, const char *outdir,
                    const bool want[2])
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "%s: error: %s: cannot open directory: %s\n", prog, dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            char **nn = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof *names);
            if (!nn) {
                rc = -1;
                break;
            }
            names = nn;
        }
        if (!(names[n] = strdup(e->d_name))) {
            rc = -1;
            break;
        }
        n++;
    }
    closedir(d);
    if (n)  // qsort(NULL, 0, ...) is undefined (UBSan, make check-asan: an empty directory)
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *p = path_join(dir, names[i]);
        char *r = *rel ? path_join(rel, names[i]) : strdup(names[i]);
        struct stat sb;
        if (!p || !r)
            rc = -1;
        else if (stat(p, &sb) != 0)
            ;  // vanished, or a dangling link: not an input
        else if (S_ISDIR(sb.st_mode))
            rc = scan_dir(l, p, r, outdir, want);
        else if (S_ISREG(sb.st_mode) && input_ext(names[i]))
            rc = add_job(l, p, r, outdir, want);
        free(p);
        free(r);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

static int mkdir_p(const char *path)
{
    char *p = strdup(path);
    if (!p)
        return -1;
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = 0;
            if (mkdir(p, 0777) != 0 && errno != EEXIST)
                break;
            *s = '/';
        }
    int rc = mkdir(p, 0777) == 0 || errno == EEXIST ? 0 : -1;
    free(p);
    return rc;
}

/* True when every output of j exists and is not older than its input. */
static bool up_to_date(const batch_job *j)
{
    struct stat si, so;
    if (stat(j->in, &si) != 0)
        return false;
    for (int f = 0; f < 2; f++) {
        if (!j->out[f])
            continue;
        if (stat(j->out[f], &so) != 0)
            return false;
        if (so.st_mtim.tv_sec < si.st_mtim.tv_sec ||
            (so.st_mtim.tv_sec == si.st_mtim.tv_sec && so.st_mtim.tv_nsec < si.st_mtim.tv_nsec))
            return false;
    }
    return true;
}

static void progress(size_t done, size_t total, size_t failed, bool final)
{
    int width = 30, fill = total ? (int)(done * width / total) : width;
    fprintf(stderr, "\r[%.*s%*s] %zu/%zu documents%s", fill,
            "##############################", width - fill, "", done, total,
            failed ? " (some failed)" : "");
    if (final)
        fputs("\r\033[K", stderr);  // leave the summary line alone on the screen
}

/* The worker: publishes one job in a fresh context, reports its last error
 * message through fd, and exits with publish()'s code. */
static void run_worker(const batch_job *j, const galley_options *opt, bool quiet, int fd)
{
    galley_ctx *ctx = galley_ctx_new();
    int code = EXIT_INTERNAL;
    if (ctx) {
        char *outs[2];
        int n = 0;
        for (int f = 0; f < 2; f++)
            if (j->out[f])
                outs[n++] = j->out[f];
        galley_options o = *opt;
        const char *in = j->in;
        code = publish(ctx, &o, &in, 1, outs, n, quiet, FMT_PDF);
        if (code && *galley_errmsg(ctx)) {
            const char *m = galley_errmsg(ctx);
            ssize_t w = write(fd, m, strlen(m) < 500 ? strlen(m) : 500);
            (void)w;
        }
        galley_ctx_free(ctx);
    }
    fflush(stderr);
    _exit(code);
}

static int batch(const galley_options *opt, char **args, int nargs, const char *outdir,
                 long workers, const bool want[2], bool force, bool quiet)
{
    batch_list l = {0};
    int rc = 0;
    for (int i = 0; i < nargs && rc == 0; i++) {
        struct stat sb;
        if (stat(args[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
            rc = scan_dir(&l, args[i], "", outdir, want);
        } else {
            // A file (or a missing one: its worker reports the error).
            const char *base = strrchr(args[i], '/') ? strrchr(args[i], '/') + 1 : args[i];
            rc = add_job(&l, args[i], base, outdir, want);
        }
    }
    if (rc != 0) {
        fprintf(stderr, "%s: error: out of memory or unreadable directory\n", prog);
        rc = EXIT_INTERNAL;
        goto done;
    }
    if (l.n == 0) {
        fprintf(stderr, "%s: error: --batch: no inputs (.txt, .text, .md, .markdown)\n", prog);
        rc = EXIT_INPUT;
        goto done;
    }
    size_t published = 0, skipped = 0, failed = 0, done_n = 0;
    // Plan: outputs two inputs would share fail the later input; up-to-date
    // inputs are skipped; output directories are made.
    for (size_t i = 0; i < l.n; i++) {
        batch_job *j = &l.jobs[i];
        for (size_t k = 0; k < i && j->state == JOB_PENDING; k++)
            for (int f = 0; f < 2; f++)
                if (j->out[f] && l.jobs[k].out[f] && !strcmp(j->out[f], l.jobs[k].out[f])) {
                    j->state = JOB_FAILED;
                    j->code = EXIT_USAGE;
                    snprintf(j->why, sizeof j->why, "%s is also the output of %s", j->out[f],
                             l.jobs[k].in);
                    break;
                }
        if (j->state == JOB_PENDING && !force && up_to_date(j))
            j->state = JOB_SKIPPED;
        if (j->state == JOB_PENDING) {
            char *slash = strrchr(j->out[j->out[0] ? 0 : 1], '/');
            *slash = 0;
            if (mkdir_p(j->out[j->out[0] ? 0 : 1]) != 0) {
                j->state = JOB_FAILED;
                j->code = EXIT_OUTPUT;
                snprintf(j->why, sizeof j->why, "cannot create directory %s: %s",
                         j->out[j->out[0] ? 0 : 1], strerror(errno));
            }
            *slash = '/';
        }
        if (j->state == JOB_SKIPPED) {
            skipped++, done_n++;
            if (verbose)
                fprintf(stderr, "batch: %s: up to date\n", j->in);
        } else if (j->state == JOB_FAILED) {
            failed++, done_n++;
            fprintf(stderr, "%s: error: %s\n", prog, j->why);
        }
    }
    // The progress bar appears only on a terminal, and only once the batch
    // has run for more than a moment.
    bool tty = isatty(STDERR_FILENO) && !quiet;
    bool shown = false;
    double t0 = now();
    size_t next = 0, running = 0;
    fflush(stdout);
    fflush(stderr);
    while (next < l.n || running > 0) {
        while (running < (size_t)workers && next < l.n) {
            batch_job *j = &l.jobs[next++];
            if (j->state != JOB_PENDING)
                continue;
            int fds[2];
            if (pipe(fds) != 0) {
                fds[0] = fds[1] = -1;
            }
            pid_t pid = fork();
            if (pid == 0) {
                if (fds[0] >= 0)
                    close(fds[0]);
                run_worker(j, opt, quiet, fds[1]);
            }
            if (fds[1] >= 0)
                close(fds[1]);
            if (pid < 0) {
                if (fds[0] >= 0)
                    close(fds[0]);
                j->state = JOB_FAILED;
                j->code = EXIT_INTERNAL;
                snprintf(j->why, sizeof j->why, "cannot start a worker: %s", strerror(errno));
                failed++, done_n++;
                continue;
            }
            j->pid = pid;
            j->pipe_fd = fds[0];
            j->state = JOB_RUNNING;
            running++;
        }
        if (running == 0)
            break;
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (size_t i = 0; i < l.n; i++) {
            batch_job *j = &l.jobs[i];
            if (j->state != JOB_RUNNING || j->pid != pid)
                continue;
            running--, done_n++;
            if (j->pipe_fd >= 0) {
                ssize_t r = read(j->pipe_fd, j->why, sizeof j->why - 1);
                j->why[r > 0 ? r : 0] = 0;
                close(j->pipe_fd);
                j->pipe_fd = -1;
            }
            if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
                j->state = JOB_DONE;
                published++;
                if (verbose)
                    fprintf(stderr, "batch: %s: published\n", j->in);
            } else {
                j->state = JOB_FAILED;
                failed++;
                j->code = WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_INTERNAL;
                if (WIFSIGNALED(status))
                    snprintf(j->why, sizeof j->why, "worker killed by signal %d",
                             WTERMSIG(status));
            }
        }
        if (tty && (shown || now() - t0 > 0.5)) {
            shown = true;
            progress(done_n, l.n, failed, false);
        }
    }
    if (shown)
        progress(done_n, l.n, failed, true);
    fprintf(stderr, "batch: %zu published, %zu skipped, %zu failed\n", published, skipped,
            failed);
    for (size_t i = 0; i < l.n; i++) {
        const batch_job *j = &l.jobs[i];
        if (j->state == JOB_FAILED)
            fprintf(stderr, "batch: failed: %s (exit %d): %s\n", j->in, j->code,
                    j->why[0] ? j->why : "see the messages above");
    }
    rc = failed ? EXIT_INPUT : 0;
done:
    for (size_t i = 0; i < l.n; i++) {
        free(l.jobs[i].in);
        free(l.jobs[i].out[0]);
        free(l.jobs[i].out[1]);
    }
    free(l.jobs);
    return rc;
}

enum {
    // an option of the library's table, set by its name (galley_options_set)
    OPT_SET = 256,
    OPT_BATCH, OPT_OUTDIR, OPT_FORMATS, OPT_FORCE, OPT_NOHYPH, OPT_CONTINUOUS, OPT_ALLOW,
    OPT_NOFALLBACK,
};

/* SIGINT, SIGTERM, SIGHUP: remove the temporary files of the outputs being
 * written (the previous outputs stay as they were), then die of the signal
 * as if unhandled (SA_RESETHAND restored the default; it is delivered when
 * the handler returns). */
static void on_fatal_signal(int sig)
{
    galley_remove_temp_files();
    raise(sig);
}

static void install_signal_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        sigaction(sigs[i], &sa, NULL);
    // Past a file-size limit (ulimit -f), write() then fails with EFBIG and
    // the run ends with an output error instead of being killed mid-file.
    signal(SIGXFSZ, SIG_IGN);
}

/* `galley breaks [--hex]`: for each line of stdin (split on LF only; CR,
 * NEL, U+2028 are data), the line-break opportunities as space-separated
 * code-point offsets, the end included (galley_line_breaks()).  With --hex
 * a line is code points in hexadecimal ("0061 0020 0062"), so that test
 * strings holding LF can be sent.  The interface of UAX #14 conformance
 * runs (LineBreakTest.txt) and a debugging aid. */
static int cmd_breaks(int argc, char **argv)
{
    bool hex = false;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--hex")) {
            hex = true;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("Usage: galley breaks [--hex] < LINES\n"
                   "Prints, for each input line, its UAX #14 line-break opportunities as\n"
                   "code-point offsets (k: a break before code point k; the end included).\n"
                   "  --hex   lines are code points in hexadecimal, e.g. \"0061 0020 0062\"\n");
            return 0;
        } else {
            fprintf(stderr, "%s breaks: unknown argument '%s'\n", prog, argv[i]);
            return 2;
        }
    }
    galley_ctx *ctx = galley_ctx_new();
    char *line = NULL, *text = NULL;
    size_t cap = 0, tcap = 0, *offs = NULL, ocap = 0;
    ssize_t got;
    int rc = 0;
    if (!ctx) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return 4;
    }
    while ((got = getline(&line, &cap, stdin)) >= 0) {
        size_t len = (size_t)got - (got > 0 && line[got - 1] == '\n');
        const char *s = line;
        if (hex) {
            // Each code point takes at most 4 bytes and 2 characters of input.
            if (tcap < 2 * len + 4) {
                free(text);
                tcap = 2 * len + 4;
                if (!(text = malloc(tcap))) {
                    rc = 4;
                    break;
                }
            }
            size_t n = 0;
            line[len] = 0;
            for (char *p = line, *end; *p; p = end) {
                unsigned long cp = strtoul(p, &end, 16);
                if (end == p) {
                    end = p + 1;  // spaces and stray characters
                    continue;
                }
                if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                    cp = 0xFFFD;
                int k = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
                static const unsigned char lead[] = {0, 0, 0xC0, 0xE0, 0xF0};
                for (int j = k - 1; j > 0; j--, cp >>= 6)
                    text[n + (size_t)j] = (char)(0x80 | (cp & 0x3F));
                text[n] = (char)(k == 1 ? cp : (lead[k] | cp));
                n += (size_t)k;
            }
            s = text;
            len = n;
        }
        size_t count = 0;
        if (ocap < len + 1) {
            free(offs);
            ocap = len + 1;
            if (!(offs = malloc(ocap * sizeof *offs))) {
                rc = 4;
                break;
            }
        }
        galley_status st = galley_line_breaks(ctx, s, len, offs, ocap, &count);
        if (st != GALLEY_OK) {
            fprintf(stderr, "%s breaks: %s\n", prog, galley_errmsg(ctx));
            rc = st == GALLEY_ERR_NOMEM ? 4 : 1;
            break;
        }
        for (size_t i = 0; i < count && i < ocap; i++)
            printf(i ? " %zu" : "%zu", offs[i]);
        putchar('\n');
        fflush(stdout);
    }
    if (rc == 4)
        fprintf(stderr, "%s: out of memory\n", prog);
    if (rc == 0 && (ferror(stdin) || fflush(stdout) != 0)) {
        fprintf(stderr, "%s breaks: I/O error\n", prog);
        rc = 3;
    }
    free(line);
    free(text);
    free(offs);
    galley_ctx_free(ctx);
    return rc;
}

int main(int argc, char **argv)
{
    // `galley breaks`: a subcommand of its own, before option parsing.
    if (argc >= 2 && !strcmp(argv[1], "breaks"))
        return cmd_breaks(argc, argv);
    install_signal_handlers();
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        // The document options: galley_options_set parses their values
        // (the same table reads manifests and front matter).
        {"title", required_argument, NULL, OPT_SET},
        {"author", required_argument, NULL, OPT_SET},
        {"lang", required_argument, NULL, OPT_SET},
        {"identifier", required_argument, NULL, OPT_SET},
        {"paper", required_argument, NULL, OPT_SET},
        {"margins", required_argument, NULL, OPT_SET},
        {"font-size", required_argument, NULL, OPT_SET},
        {"leading", required_argument, NULL, OPT_SET},
        {"font", required_argument, NULL, OPT_SET},
        {"font-bold", required_argument, NULL, OPT_SET},
        {"font-italic", required_argument, NULL, OPT_SET},
        {"font-bold-italic", required_argument, NULL, OPT_SET},
        {"cjk-font", required_argument, NULL, OPT_SET},
        {"mono-font", required_argument, NULL, OPT_SET},
        {"no-font-fallback", no_argument, NULL, OPT_NOFALLBACK},
        {"cjk-punct", required_argument, NULL, OPT_SET},
        {"linebreak", required_argument, NULL, OPT_SET},
        {"subtitle", required_argument, NULL, OPT_SET},
        {"continuous", no_argument, NULL, OPT_CONTINUOUS},
        {"allow-path", required_argument, NULL, OPT_ALLOW},
        {"no-hyphenate", no_argument, NULL, OPT_NOHYPH},
        {"epub-fonts", required_argument, NULL, OPT_SET},
        {"font-features", required_argument, NULL, OPT_SET},
        {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},
        {"to", required_argument, NULL, 't'},
        {"batch", no_argument, NULL, OPT_BATCH},
        {"outdir", required_argument, NULL, OPT_OUTDIR},
        {"jobs", required_argument, NULL, 'j'},
        {"formats", required_argument, NULL, OPT_FORMATS},
        {"force", no_argument, NULL, OPT_FORCE},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    galley_ctx *ctx = galley_ctx_new();
    if (!ctx) {
        fprintf(stderr, "%s: error: out of memory\n", prog);
        return EXIT_INTERNAL;
    }
    galley_options opt;
    galley_options_init(&opt);
    char **outs = calloc((size_t)argc + 2, sizeof *outs);
    char **allows = NULL;  /* --allow-path folders */
    size_t nallows = 0;
    int nouts = 0, code = 0;
    bool quiet = false;
    // -t / --formats: which formats (PDF, EPUB) default outputs and stdout get
    bool want[2] = {true, true}, have_to = false, batch_mode = false, force = false;
    out_format to_fmt = FMT_PDF;
    const char *outdir = NULL;
    long workers = sysconf(_SC_NPROCESSORS_ONLN);
    if (workers < 1)
        workers = 1;
    if (!outs) {
        fprintf(stderr, "%s: error: out of memory\n", prog);
        galley_ctx_free(ctx);
        return EXIT_INTERNAL;
    }
    int c, li = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:qvt:j:hV", longopts, &li)) != -1) {
        switch (c) {
        case 'o': {
            out_format f;
            if (strcmp(optarg, "-") != 0 && format_of(optarg, &f) != 0) {
                code = usage_error("cannot tell the format of '%s': use a .pdf or .epub extension", optarg);
                goto done;
            }
            outs[nouts++] = optarg;
            break;
        }
        case OPT_SET:
        case OPT_NOHYPH:      // the flag for hyphenate false
        case OPT_NOFALLBACK:  // the flag for font-fallback false
        case OPT_CONTINUOUS:  // the flag for continuous true
        {
            const char *name = c == OPT_NOHYPH       ? "hyphenate"
                             : c == OPT_NOFALLBACK ? "font-fallback"
                             : c == OPT_CONTINUOUS ? "continuous"
                                                   : longopts[li].name;
            const char *value = c == OPT_NOHYPH || c == OPT_NOFALLBACK ? "false"
                                : c == OPT_CONTINUOUS                 ? "true"
                                                                      : optarg;
            if (galley_options_set(ctx, &opt, name, value) != GALLEY_OK) {
                code = usage_error("%s", galley_errmsg(ctx));
                goto done;
            }
            break;
        }
        case OPT_ALLOW:
            // argv outlives the run: keep pointers into it (outs has room
            // for every argument, so allows can share its size)
            if (!allows)
                allows = calloc((size_t)argc + 1, sizeof *allows);
            if (!allows) {
                fprintf(stderr, "%s: error: out of memory\n", prog);
                code = EXIT_INTERNAL;
                goto done;
            }
            allows[nallows++] = optarg;
            opt.allow_paths = (const char *const *)allows;
            opt.nallow_paths = nallows;
            break;
        case 'q': quiet = true; break;
        case 'v': verbose = true; break;
        case 't':
            if (!strcasecmp(optarg, "pdf"))
                to_fmt = FMT_PDF;
            else if (!strcasecmp(optarg, "epub"))
                to_fmt = FMT_EPUB;
            else {
                code = usage_error("invalid --to '%s' (pdf or epub)", optarg);
                goto done;
            }
            have_to = true;
            want[0] = to_fmt == FMT_PDF;
            want[1] = to_fmt == FMT_EPUB;
            break;
        case 'j': {
            char *end;
            errno = 0;
            long jv = strtol(optarg, &end, 10);
            if (end == optarg || *end || errno || jv < 1 || jv > 1024) {
                code = usage_error("invalid --jobs '%s' (a number of workers, 1 to 1024)", optarg);
                goto done;
            }
            workers = jv;
            break;
        }
        case OPT_BATCH: batch_mode = true; break;
        case OPT_OUTDIR: outdir = optarg; break;
        case OPT_FORCE: force = true; break;
        case OPT_FORMATS: {
            want[0] = want[1] = false;
            char buf[64];
            snprintf(buf, sizeof buf, "%s", optarg);
            for (char *tok = buf, *next; tok; tok = next) {
                if ((next = strchr(tok, ',')))
                    *next++ = 0;
                if (!strcasecmp(tok, "pdf"))
                    want[0] = true;
                else if (!strcasecmp(tok, "epub"))
                    want[1] = true;
                else {
                    code = usage_error("invalid --formats '%s' (pdf, epub or pdf,epub)", optarg);
                    goto done;
                }
            }
            break;
        }
        case 'h':
            usage(stdout);
            goto done;
        case 'V':
            printf("galley %s\n", galley_version_string());
            goto done;
        case ':':
            code = usage_error("option '%s' needs an argument", argv[optind - 1]);
            goto done;
        default:
            code = usage_error("unknown option '%s'", argv[optind - 1]);
            goto done;
        }
    }
    int nin = argc - optind;
    if (nin == 0) {
        code = usage_error("%s", "no input file");
        goto done;
    }
    if (batch_mode) {
        if (!outdir) {
            code = usage_error("%s", "--batch needs --outdir DIR");
            goto done;
        }
        if (nouts > 0) {
            code = usage_error("%s", "--batch names its outputs itself: use --outdir, not -o");
            goto done;
        }
        for (int i = optind; i < argc; i++)
            if (!strcmp(argv[i], "-")) {
                code = usage_error("%s", "--batch does not read standard input");
                goto done;
            }
        code = batch(&opt, argv + optind, nin, outdir, workers, want, force, quiet);
        goto done;
    }
    if (outdir || force) {
        code = usage_error("%s", outdir ? "--outdir is for --batch" : "--force is for --batch");
        goto done;
    }
    int nstdout = 0;
    for (int i = 0; i < nouts; i++)
        nstdout += !strcmp(outs[i], "-");
    if (nstdout > 1) {
        code = usage_error("%s", "standard output ('-o -') can take one output only");
        goto done;
    }
    if (nstdout && !have_to) {
        code = usage_error("%s", "writing to standard output needs the format: -t pdf or -t epub");
        goto done;
    }
    for (int i = optind; i < argc; i++)
        if (!strcmp(argv[i], "-") && nouts == 0) {
            if (!have_to) {
                code = usage_error("%s", "reading standard input needs -o FILE, or -t pdf|epub to write standard output");
                goto done;
            }
            outs[nouts++] = "-";  // stdin in, stdout out, as a filter
        }
    // Several inputs with -o, or a directory or manifest: one brief.
    if ((nin > 1 && nouts > 0) || (nin == 1 && binds(argv[optind]))) {
        const char *const *ins = (const char *const *)argv + optind;
        char *made[2] = {NULL, NULL};
        char **o = outs;
        int no = nouts;
        if (nouts == 0) {  /* a directory or manifest alone: named after it */
            char stem[4096];
            snprintf(stem, sizeof stem, "%s", argv[optind]);
            size_t sl = strlen(stem);
            while (sl > 1 && stem[sl - 1] == '/')
                stem[--sl] = 0;
            no = 0;
            if (want[0])
                made[no++] = sibling(stem, ".pdf");
            if (want[1])
                made[no++] = sibling(stem, ".epub");
            o = made;
        }
        for (int k = 0; k < no && code == 0; k++)
            for (int i = 0; i < nin && code == 0; i++)
                if (o[k] && strcmp(o[k], "-") != 0 && (!strcmp(o[k], ins[i]) || same_file(o[k], ins[i]))) {
                    fprintf(stderr, "%s: error: %s: output would overwrite the input\n", prog, o[k]);
                    code = EXIT_USAGE;
                }
        if (code == 0)
            code = publish(ctx, &opt, ins, nin, o, no, quiet, to_fmt);
        free(made[0]);
        free(made[1]);
        goto done;
    }
    for (int i = optind; i < argc && code == 0; i++) {
        const char *in = argv[i];
        char *made[2] = {NULL, NULL};
        char **o = outs;
        int no = nouts;
        if (nouts == 0) {
            no = 0;
            if (want[0])
                made[no++] = sibling(in, ".pdf");
            if (want[1])
                made[no++] = sibling(in, ".epub");
            if (!made[0] || (no == 2 && !made[1])) {
                fprintf(stderr, "%s: error: out of memory\n", prog);
                code = EXIT_INTERNAL;
            }
            o = made;
        }
        for (int k = 0; k < no && code == 0; k++)
            if (strcmp(o[k], "-") != 0 && (!strcmp(o[k], in) || same_file(o[k], in))) {
                fprintf(stderr, "%s: error: %s: output would overwrite the input\n", prog, o[k]);
                code = EXIT_USAGE;
            }
        if (code == 0)
            code = publish(ctx, &opt, &in, 1, o, no, quiet, to_fmt);
        free(made[0]);
        free(made[1]);
    }
done:
    free(allows);
    free(outs);
    galley_ctx_free(ctx);
    return code;
}
