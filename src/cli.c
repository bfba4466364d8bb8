/*
 * cli.c — the galley command: argument parsing, output naming, diagnostics
 * on stderr and exit codes.  Uses only the public API (include/galley.h).
 *
 * Exit codes: 0 success, 1 input error (unreadable input, bad font),
 * 2 usage error, 3 output error, 4 internal error or out of memory.
 */
#define _GNU_SOURCE
#include "galley.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

enum { EXIT_INPUT = 1, EXIT_USAGE = 2, EXIT_OUTPUT = 3, EXIT_INTERNAL = 4 };

static const char *prog = "galley";

static void usage(FILE *f)
{
    fprintf(f,
"Usage: galley [OPTION]... INPUT...\n"
"Publish text articles as a print PDF and an EPUB 3.\n"
"\n"
"Each INPUT (an article in galley's text format, or plain text) is published as\n"
"INPUT.pdf and INPUT.epub next to it, unless -o names the outputs.\n"
"\n"
"Output:\n"
"  -o, --output FILE      write FILE; the format comes from its extension (.pdf or\n"
"                         .epub); repeat for several outputs (one INPUT only)\n"
"\n"
"Metadata:\n"
"      --title TEXT       document title (default: from the article header, else\n"
"                         the file name)\n"
"      --author TEXT      author (default: the article's byline)\n"
"      --lang TAG         language as a BCP 47 tag (en, zh-Hans, ...); default:\n"
"                         Chinese when most letters are Han, else English\n"
"      --identifier ID    EPUB identifier (default: derived from the content)\n"
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
"Fonts (TrueType .ttf or .ttc; FILE:N picks face N of a collection):\n"
"      --font FILE        Latin regular face (bold/italic still from the defaults\n"
"                         unless given below)\n"
"      --font-bold FILE, --font-italic FILE, --font-bold-italic FILE\n"
"      --cjk-font FILE    CJK face for body and headings\n"
"      --cjk-punct STYLE  CJK punctuation: gb (default), full, centered\n"
"      --epub-fonts MODE  fonts in the EPUB: subset (default for CJK text), none\n"
"                         (default otherwise) or full\n"
"\n"
"Other:\n"
"  -q, --quiet            do not print warnings\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and exit\n"
"\n"
"Warnings go to stderr as FILE:LINE:COL: warning: MESSAGE.\n"
"With SOURCE_DATE_EPOCH set, outputs are byte-for-byte reproducible.\n"
"Exit status: 0 success, 1 input error, 2 usage error, 3 output error,\n"
"4 internal error or out of memory.\n");
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
        return EXIT_INPUT;
    case GALLEY_ERR_IO:
    case GALLEY_ERR_BACKEND:
        return writing ? EXIT_OUTPUT : EXIT_INPUT;
    }
    return EXIT_INTERNAL;
}

/* Publishes one input to its outputs; returns an exit code. */
static int publish(galley_ctx *ctx, const galley_options *opt, const char *in, char **outs,
                   int nouts, bool quiet)
{
    galley_doc *doc = NULL;
    galley_status st = galley_read_file(ctx, in, opt, &doc);
    print_diags(ctx, 0, quiet);
    size_t seen = galley_diag_count(ctx);
    if (st != GALLEY_OK) {
        fprintf(stderr, "%s: error: %s\n", prog, galley_errmsg(ctx));
        return exit_for(st, false);
    }
    int code = 0;
    for (int i = 0; i < nouts && code == 0; i++) {
        out_format f;
        format_of(outs[i], &f);
        st = f == FMT_PDF ? galley_write_pdf(ctx, doc, opt, outs[i])
                          : galley_write_epub(ctx, doc, opt, outs[i]);
        print_diags(ctx, seen, quiet);
        seen = galley_diag_count(ctx);
        if (st != GALLEY_OK) {
            fprintf(stderr, "%s: error: %s\n", prog, galley_errmsg(ctx));
            code = exit_for(st, true);
        }
    }
    galley_doc_free(doc);
    galley_diag_clear(ctx);
    return code;
}

enum {
    OPT_TITLE = 256, OPT_AUTHOR, OPT_LANG, OPT_IDENT, OPT_PAPER, OPT_MARGINS, OPT_SIZE,
    OPT_LEADING, OPT_FONT, OPT_FONT_B, OPT_FONT_I, OPT_FONT_BI, OPT_CJK_FONT, OPT_PUNCT,
    OPT_EPUB_FONTS,
};

static int parse_number(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !(v >= lo && v <= hi))
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"title", required_argument, NULL, OPT_TITLE},
        {"author", required_argument, NULL, OPT_AUTHOR},
        {"lang", required_argument, NULL, OPT_LANG},
        {"identifier", required_argument, NULL, OPT_IDENT},
        {"paper", required_argument, NULL, OPT_PAPER},
        {"margins", required_argument, NULL, OPT_MARGINS},
        {"font-size", required_argument, NULL, OPT_SIZE},
        {"leading", required_argument, NULL, OPT_LEADING},
        {"font", required_argument, NULL, OPT_FONT},
        {"font-bold", required_argument, NULL, OPT_FONT_B},
        {"font-italic", required_argument, NULL, OPT_FONT_I},
        {"font-bold-italic", required_argument, NULL, OPT_FONT_BI},
        {"cjk-font", required_argument, NULL, OPT_CJK_FONT},
        {"cjk-punct", required_argument, NULL, OPT_PUNCT},
        {"epub-fonts", required_argument, NULL, OPT_EPUB_FONTS},
        {"quiet", no_argument, NULL, 'q'},
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
    int nouts = 0, code = 0;
    bool quiet = false;
    if (!outs) {
        fprintf(stderr, "%s: error: out of memory\n", prog);
        galley_ctx_free(ctx);
        return EXIT_INTERNAL;
    }
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:qhV", longopts, NULL)) != -1) {
        double v;
        switch (c) {
        case 'o': {
            out_format f;
            if (format_of(optarg, &f) != 0) {
                code = usage_error("cannot tell the format of '%s': use a .pdf or .epub extension", optarg);
                goto done;
            }
            outs[nouts++] = optarg;
            break;
        }
        case OPT_TITLE: opt.title = optarg; break;
        case OPT_AUTHOR: opt.author = optarg; break;
        case OPT_LANG:
            if (!*optarg || strspn(optarg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != strlen(optarg)) {
                code = usage_error("invalid language tag '%s' (expected BCP 47, e.g. en or zh-Hans)", optarg);
                goto done;
            }
            opt.lang = optarg;
            break;
        case OPT_IDENT: opt.identifier = optarg; break;
        case OPT_PAPER:
            if (galley_parse_paper(ctx, optarg, &opt.page_width_pt, &opt.page_height_pt) != GALLEY_OK) {
                code = usage_error("%s", galley_errmsg(ctx));
                goto done;
            }
            break;
        case OPT_MARGINS:
            if (galley_parse_margins(ctx, optarg, &opt) != GALLEY_OK) {
                code = usage_error("%s", galley_errmsg(ctx));
                goto done;
            }
            break;
        case OPT_SIZE:
            if (parse_number(optarg, 4, 72, &v) != 0) {
                code = usage_error("invalid --font-size '%s' (points, 4 to 72)", optarg);
                goto done;
            }
            opt.font_size_pt = v;
            break;
        case OPT_LEADING:
            if (parse_number(optarg, 0.8, 4, &v) != 0) {
                code = usage_error("invalid --leading '%s' (a multiple of the size, 0.8 to 4)", optarg);
                goto done;
            }
            opt.leading = v;
            break;
        case OPT_FONT: opt.font_regular = optarg; break;
        case OPT_FONT_B: opt.font_bold = optarg; break;
        case OPT_FONT_I: opt.font_italic = optarg; break;
        case OPT_FONT_BI: opt.font_bold_italic = optarg; break;
        case OPT_CJK_FONT: opt.cjk_font = optarg; break;
        case OPT_PUNCT:
            if (!strcmp(optarg, "gb"))
                opt.cjk_punct = GALLEY_PUNCT_GB;
            else if (!strcmp(optarg, "full"))
                opt.cjk_punct = GALLEY_PUNCT_FULL;
            else if (!strcmp(optarg, "centered"))
                opt.cjk_punct = GALLEY_PUNCT_CENTERED;
            else {
                code = usage_error("invalid --cjk-punct '%s' (gb, full or centered)", optarg);
                goto done;
            }
            break;
        case OPT_EPUB_FONTS:
            if (!strcmp(optarg, "subset"))
                opt.epub_fonts = GALLEY_EPUB_FONTS_SUBSET;
            else if (!strcmp(optarg, "none"))
                opt.epub_fonts = GALLEY_EPUB_FONTS_NONE;
            else if (!strcmp(optarg, "full"))
                opt.epub_fonts = GALLEY_EPUB_FONTS_FULL;
            else {
                code = usage_error("invalid --epub-fonts '%s' (subset, none or full)", optarg);
                goto done;
            }
            break;
        case 'q': quiet = true; break;
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
    if (nin > 1 && nouts > 0) {
        code = usage_error("%s", "-o takes one input; binding several inputs into one document is not supported yet");
        goto done;
    }
    for (int i = optind; i < argc && code == 0; i++) {
        const char *in = argv[i];
        char *made[2] = {NULL, NULL};
        char **o = outs;
        int no = nouts;
        if (nouts == 0) {
            made[0] = sibling(in, ".pdf");
            made[1] = sibling(in, ".epub");
            if (!made[0] || !made[1]) {
                fprintf(stderr, "%s: error: out of memory\n", prog);
                code = EXIT_INTERNAL;
            }
            o = made;
            no = 2;
        }
        for (int k = 0; k < no && code == 0; k++)
            if (!strcmp(o[k], in) || same_file(o[k], in)) {
                fprintf(stderr, "%s: error: %s: output would overwrite the input\n", prog, o[k]);
                code = EXIT_USAGE;
            }
        if (code == 0)
            code = publish(ctx, &opt, in, o, no, quiet);
        free(made[0]);
        free(made[1]);
    }
done:
    free(outs);
    galley_ctx_free(ctx);
    return code;
}
