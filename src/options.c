/*
 * options.c — the one table of galley's options: each option's name (the
 * command line's long option without "--", and the key in a manifest or
 * Markdown front matter), the values it takes, and the bytes of
 * galley_options it sets.  Every source of options parses values here:
 * galley_options_set (the command line, API callers) and gl_options_apply
 * (manifests, front matter).  Depends on base.c and on galley.c's
 * galley_options_init, galley_parse_paper and galley_parse_margins.
 */
#include "options.h"
#include "font.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum {
    T_STRING,   /* any text; borrowed, not copied */
    T_LANG,     /* a BCP 47 tag: ASCII letters, digits and '-' */
    T_ENUM,     /* one of the names in values */
    T_NUMBER,   /* a number in [lo, hi], optionally followed by unit */
    T_BOOL,     /* true or false (also yes/no, on/off, 1/0) */
    T_PAPER,    /* galley_parse_paper: a paper name, or WxH with a unit */
    T_MARGINS,  /* galley_parse_margins: one, two or four lengths */
    T_FEATURES, /* OpenType features, CSS font-feature-settings (font.c) */
} opt_type;

typedef struct {
    const char *name;
    int code;     /* the enum constant it stands for */
    bool alias;   /* accepted, but not listed in messages */
} opt_value;

typedef struct {
    const char *name;
    opt_type type;
    bool in_files;            /* manifests and front matter may set it */
    size_t off, size;         /* the bytes of galley_options it sets */
    const opt_value *values;  /* T_ENUM: the names, up to a {NULL} */
    double lo, hi;            /* T_NUMBER: the range */
    const char *unit;         /* T_NUMBER: a unit that may follow (NULL: none) */
    const char *hint;         /* T_NUMBER: what the number is, for messages */
} opt_def;

// Enum options are stored through an int, and paper and margins as runs of
// adjacent doubles: the table sets bytes, so check the layout it assumes.
_Static_assert(sizeof(galley_cjk_punct) == sizeof(int) && sizeof(galley_linebreak) == sizeof(int) &&
                   sizeof(galley_epub_fonts) == sizeof(int),
               "enum options are set as int");
_Static_assert(offsetof(galley_options, page_height_pt) ==
                   offsetof(galley_options, page_width_pt) + sizeof(double),
               "paper: width, height");
_Static_assert(offsetof(galley_options, margin_right_pt) ==
                       offsetof(galley_options, margin_top_pt) + sizeof(double) &&
                   offsetof(galley_options, margin_bottom_pt) ==
                       offsetof(galley_options, margin_top_pt) + 2 * sizeof(double) &&
                   offsetof(galley_options, margin_left_pt) ==
                       offsetof(galley_options, margin_top_pt) + 3 * sizeof(double),
               "margins: top, right, bottom, left");

#define FIELD(f) offsetof(galley_options, f), sizeof(((galley_options *)0)->f)
#define DOUBLES(first, n) offsetof(galley_options, first), (n) * sizeof(double)

static const opt_value cjk_puncts[] = {
    {"gb", GALLEY_PUNCT_GB, false},
    {"full", GALLEY_PUNCT_FULL, false},
    {"centered", GALLEY_PUNCT_CENTERED, false},
    {NULL, 0, false},
};
static const opt_value linebreaks[] = {
    {"optimal", GALLEY_LINEBREAK_OPTIMAL, false},
    {"first-fit", GALLEY_LINEBREAK_FIRST_FIT, false},
    {"knuth-plass", GALLEY_LINEBREAK_OPTIMAL, true},
    {NULL, 0, false},
};
static const opt_value epub_fonts[] = {
    {"subset", GALLEY_EPUB_FONTS_SUBSET, false},
    {"none", GALLEY_EPUB_FONTS_NONE, false},
    {"full", GALLEY_EPUB_FONTS_FULL, false},
    {NULL, 0, false},
};

// Every option of galley_options that has a name, in the order of
// `galley --help`.  allow_paths (--allow-path, a list), the timestamp
// (SOURCE_DATE_EPOCH) and the progress callback have none.
static const opt_def table[] = {
    {"title", T_STRING, false, FIELD(title)},
    {"subtitle", T_STRING, false, FIELD(subtitle)},
    {"author", T_STRING, false, FIELD(author)},
    {"lang", T_LANG, false, FIELD(lang)},
    {"identifier", T_STRING, false, FIELD(identifier)},
    {"continuous", T_BOOL, true, FIELD(continuous)},
    {"paper", T_PAPER, true, DOUBLES(page_width_pt, 2)},
    {"margins", T_MARGINS, true, DOUBLES(margin_top_pt, 4)},
    {"font-size", T_NUMBER, true, FIELD(font_size_pt), .lo = 4, .hi = 72, .unit = "pt",
     .hint = "points, 4 to 72"},
    {"leading", T_NUMBER, true, FIELD(leading), .lo = 0.8, .hi = 4,
     .hint = "a multiple of the size, 0.8 to 4"},
    {"font", T_STRING, false, FIELD(font_regular)},
    {"font-bold", T_STRING, false, FIELD(font_bold)},
    {"font-italic", T_STRING, false, FIELD(font_italic)},
    {"font-bold-italic", T_STRING, false, FIELD(font_bold_italic)},
    {"cjk-font", T_STRING, false, FIELD(cjk_font)},
    {"mono-font", T_STRING, false, FIELD(mono_font)},
    {"font-fallback", T_BOOL, false, FIELD(font_fallback)},
    {"cjk-punct", T_ENUM, true, FIELD(cjk_punct), .values = cjk_puncts},
    {"linebreak", T_ENUM, true, FIELD(linebreak), .values = linebreaks},
    {"hyphenate", T_BOOL, true, FIELD(hyphenate)},
    {"font-features", T_FEATURES, true, FIELD(font_features)},
    {"epub-fonts", T_ENUM, true, FIELD(epub_fonts), .values = epub_fonts},
};

static const opt_def *find(const char *name)
{
    for (size_t i = 0; i < sizeof table / sizeof *table; i++)
        if (!strcmp(name, table[i].name))
            return &table[i];
    return NULL;
}

bool gl_option_in_files(const char *name)
{
    const opt_def *d = find(name);
    return d && d->in_files;
}

/* The accepted values of a bad value's option, for its message:
 * "(gb, full or centered)". */
static void describe(const opt_def *d, char *out, size_t cap)
{
    switch (d->type) {
    case T_LANG:
        snprintf(out, cap, "(a BCP 47 tag, e.g. en or zh-Hans)");
        return;
    case T_NUMBER:
        snprintf(out, cap, "(%s)", d->hint);
        return;
    case T_BOOL:
        snprintf(out, cap, "(true or false)");
        return;
    case T_ENUM: {
        size_t n = 0, shown = 0, k = 0;
        for (const opt_value *v = d->values; v->name; v++)
            n += !v->alias;
        k += (size_t)snprintf(out, cap, "(");
        for (const opt_value *v = d->values; v->name && k < cap; v++) {
            if (v->alias)
                continue;
            const char *sep = shown == 0 ? "" : shown + 1 == n ? " or " : ", ";
            k += (size_t)snprintf(out + k, cap - k, "%s%s", sep, v->name);
            shown++;
        }
        if (k < cap)
            snprintf(out + k, cap - k, ")");
        return;
    }
    default:
        out[0] = 0;
    }
}

/* Parses value for d into opt; only d's bytes of opt change.  For a bad
 * value, writes the message ("invalid cjk-punct 'wide' (gb, full or
 * centered)") into why and returns -1. */
static int parse(gl_ctx *ctx, const opt_def *d, const char *value, galley_options *opt,
                 char *why, size_t cap)
{
    char *field = (char *)opt + d->off;
    switch (d->type) {
    case T_STRING:
        memcpy(field, &value, sizeof value);
        return 0;
    case T_LANG:
        if (!*value || strspn(value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                     "0123456789-") != strlen(value))
            break;
        memcpy(field, &value, sizeof value);
        return 0;
    case T_ENUM:
        for (const opt_value *v = d->values; v->name; v++)
            if (!strcmp(value, v->name)) {
                memcpy(field, &v->code, sizeof v->code);
                return 0;
            }
        break;
    case T_NUMBER: {
        char *end;
        errno = 0;
        double x = strtod(value, &end);
        if (end != value && d->unit) {  // "10.5pt", "10.5 pt"
            const char *u = end;
            while (*u == ' ')
                u++;
            if (!strcasecmp(u, d->unit))
                end += strlen(end);
        }
        if (end == value || *end || errno || !(x >= d->lo && x <= d->hi))
            break;
        memcpy(field, &x, sizeof x);
        return 0;
    }
    case T_BOOL: {
        static const char *const words[][2] = {
            {"false", "true"}, {"no", "yes"}, {"off", "on"}, {"0", "1"}};
        for (size_t i = 0; i < sizeof words / sizeof *words; i++)
            for (int b = 0; b < 2; b++)
                if (!strcasecmp(value, words[i][b])) {
                    memcpy(field, &b, sizeof b);
                    return 0;
                }
        break;
    }
    case T_FEATURES: {
        char bad[64];
        if (gl_font_features_check(value, bad, sizeof bad) < 0) {
            snprintf(why, cap, "invalid font-features '%.60s': '%s' is not an OpenType "
                     "feature setting (e.g. +onum, -liga, \"smcp\" 1; at most 32)", value, bad);
            return -1;
        }
        memcpy(field, &value, sizeof value);
        return 0;
    }
    case T_PAPER:
    case T_MARGINS: {
        // The API's own parsers: they clear ctx's error on entry (nothing is
        // pending when options are parsed) and leave their message on it.
        double wh[2];
        galley_status st = d->type == T_PAPER ? galley_parse_paper(ctx, value, &wh[0], &wh[1])
                                              : galley_parse_margins(ctx, value, opt);
        if (st == GALLEY_OK) {
            if (d->type == T_PAPER)
                memcpy(field, wh, sizeof wh);
            return 0;
        }
        snprintf(why, cap, "%s", galley_errmsg(ctx));
        gl_clear_error(ctx);
        return -1;
    }
    }
    char accepted[256];
    describe(d, accepted, sizeof accepted);
    snprintf(why, cap, "invalid %s '%.60s' %s", d->name, value, accepted);
    return -1;
}

/* Records a bad option: "source:line: why" from a file (GALLEY_ERR_INPUT),
 * why alone from the command line or the API (GALLEY_ERR_ARG).  Control
 * characters (a YAML "\n" in the value) become '?': the message stays one
 * line. */
static int fail(gl_ctx *ctx, const char *source, unsigned line, char *why)
{
    for (char *c = why; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
    if (source)
        return gl_error(ctx, GALLEY_ERR_INPUT, "%s:%u: %s", source, line, why);
    return gl_error(ctx, GALLEY_ERR_ARG, "%s", why);
}

galley_status galley_options_set(galley_ctx *ctx, galley_options *opt, const char *name,
                                 const char *value)
{
    GL_API_ENTER(ctx, GL_NONNULL(opt), GL_NONNULL(name), GL_NONNULL(value));
    char why[512];
    const opt_def *d = find(name);
    if (!d) {
        snprintf(why, sizeof why, "unknown option '%.60s'", name);
        return gl_api_exit(ctx, fail(ctx, NULL, 0, why));
    }
    // Parse into a copy: a bad value leaves opt as it was.
    galley_options tmp = *opt;
    if (parse(ctx, d, value, &tmp, why, sizeof why))
        return gl_api_exit(ctx, fail(ctx, NULL, 0, why));
    memcpy((char *)opt + d->off, (char *)&tmp + d->off, d->size);
    return GALLEY_OK;
}

int gl_options_apply(gl_ctx *ctx, galley_options *opt, const gl_opt_pair *pairs, size_t n,
                     const char *source)
{
    galley_options def, caller = *opt;
    galley_options_init(&def);
    for (size_t i = 0; i < n; i++) {
        const gl_opt_pair *p = &pairs[i];
        const opt_def *d = find(p->name);
        char why[512];
        if (!d || !d->in_files) {
            snprintf(why, sizeof why, "'%.60s' cannot be set in a file", p->name);
            return fail(ctx, source, p->line, why);
        }
        galley_options tmp = *opt;
        if (parse(ctx, d, p->value, &tmp, why, sizeof why))
            return fail(ctx, source, p->line, why);
        // What the caller chose wins over the file: only an option the
        // caller left at its default takes the file's value.
        if (!memcmp((const char *)&caller + d->off, (const char *)&def + d->off, d->size))
            memcpy((char *)opt + d->off, (const char *)&tmp + d->off, d->size);
    }
    return 0;
}
