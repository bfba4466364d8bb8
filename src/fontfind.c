/*
 * fontfind.c — installed fonts through fontconfig: a family's faces by
 * style, the closest families to an unknown name, and the faces covering
 * a character for fallback.  The only file that includes fontconfig; it
 * opens no font (font.c loads the paths found here) and knows nothing of
 * documents or layout.  fontconfig starts on the first query, never before.
 */
#define _POSIX_C_SOURCE 200809L
#include "fontfind.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <fontconfig/fontconfig.h>

void gl_fontfind_face_clear(gl_fontfind_face *f)
{
    if (!f)
        return;
    gl_free(f->path);
    gl_free(f->family);
    memset(f, 0, sizeof *f);
}

bool gl_fontfind_is_path(const char *spec)
{
    if (strchr(spec, '/'))
        return true;
    struct stat st;
    if (stat(spec, &st) == 0)
        return true;
    size_t n = strlen(spec);
    const char *colon = strrchr(spec, ':');
    if (colon && colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1))
        n = (size_t)(colon - spec);  // "uming.ttc:1"
    static const char *const ext[] = {".ttf", ".otf", ".ttc", ".otc"};
    for (size_t i = 0; i < sizeof ext / sizeof *ext; i++)
        if (n >= 4 && strncasecmp(spec + n - 4, ext[i], 4) == 0)
            return true;
    return false;
}

int gl_fontfind_style_cost(int weight, bool italic, int width, bool want_bold, bool want_italic)
{
    int w = weight - (want_bold ? 700 : 400);
    int d = width - 100;
    return (italic != want_italic) * 10000 + (w < 0 ? -w : w) * 4 + (d < 0 ? -d : d);
}

bool gl_fontfind_style_exact(int weight, bool italic, bool want_bold, bool want_italic)
{
    return italic == want_italic && (weight >= 600) == want_bold;
}

/* ------------------------------------------------------------ fontconfig */

/* The current configuration, started on first use (fontconfig keeps it
 * for the process: a second fontset does not read the caches again). */
static FcConfig *config(gl_ctx *ctx)
{
    if (!FcInit()) {
        gl_error(ctx, GALLEY_ERR_FONT, "cannot start fontconfig (no configuration or font cache)");
        return NULL;
    }
    FcConfig *c = FcConfigGetCurrent();
    if (!c)
        gl_error(ctx, GALLEY_ERR_FONT, "cannot start fontconfig");
    return c;
}

/* A face of an FcFontList/FcFontSort result that galley can use: a
 * scalable outline face in an sfnt file (TrueType or CFF outlines), not a
 * variable font's named instance, not colour. */
static bool usable(FcPattern *p)
{
    FcBool b;
    FcChar8 *s;
    int index = 0;
    if (FcPatternGetString(p, FC_FILE, 0, &s) != FcResultMatch)
        return false;
    if (FcPatternGetBool(p, FC_OUTLINE, 0, &b) == FcResultMatch && !b)
        return false;
    if (FcPatternGetBool(p, FC_SCALABLE, 0, &b) == FcResultMatch && !b)
        return false;
    if (FcPatternGetBool(p, FC_VARIABLE, 0, &b) == FcResultMatch && b)
        return false;
    if (FcPatternGetBool(p, FC_COLOR, 0, &b) == FcResultMatch && b)
        return false;
    if (FcPatternGetInteger(p, FC_INDEX, 0, &index) == FcResultMatch && (index < 0 || index > 0xFFFF))
        return false;  // a named instance of a variable font: index | instance << 16
    if (FcPatternGetString(p, FC_FONTFORMAT, 0, &s) == FcResultMatch &&
        strcmp((const char *)s, "TrueType") != 0 && strcmp((const char *)s, "CFF") != 0)
        return false;  // Type 1, PCF, ...: not OpenType
    return true;
}

static void style_of(FcPattern *p, int *weight, bool *italic, int *width)
{
    int w = FC_WEIGHT_REGULAR, s = FC_SLANT_ROMAN, wd = FC_WIDTH_NORMAL;
    FcPatternGetInteger(p, FC_WEIGHT, 0, &w);
    FcPatternGetInteger(p, FC_SLANT, 0, &s);
    FcPatternGetInteger(p, FC_WIDTH, 0, &wd);
    *weight = FcWeightToOpenType(w);
    *italic = s != FC_SLANT_ROMAN;
    *width = wd;
}

static int face_of(gl_ctx *ctx, FcPattern *p, gl_fontfind_face *out)
{
    FcChar8 *file = NULL, *fam = NULL;
    memset(out, 0, sizeof *out);
    FcPatternGetString(p, FC_FILE, 0, &file);
    if (FcPatternGetString(p, FC_FAMILY, 0, &fam) != FcResultMatch)
        fam = (FcChar8 *)"";
    FcPatternGetInteger(p, FC_INDEX, 0, &out->index);
    style_of(p, &out->weight, &out->italic, &out->width);
    out->path = gl_strdup(ctx, (const char *)file);
    out->family = gl_strdup(ctx, (const char *)fam);
    if (!out->path || !out->family) {
        gl_fontfind_face_clear(out);
        return -1;
    }
    return 0;
}

/* Every installed face with what matching needs.  Caller destroys. */
static FcFontSet *list_all(gl_ctx *ctx)
{
    FcConfig *c = config(ctx);
    if (!c)
        return NULL;
    FcPattern *pat = FcPatternCreate();
    FcObjectSet *os = FcObjectSetBuild(FC_FAMILY, FC_FILE, FC_INDEX, FC_WEIGHT, FC_SLANT,
                                       FC_WIDTH, FC_OUTLINE, FC_SCALABLE, FC_VARIABLE, FC_COLOR,
                                       FC_FONTFORMAT, (char *)NULL);
    FcFontSet *set = pat && os ? FcFontList(c, pat, os) : NULL;
    if (os)
        FcObjectSetDestroy(os);
    if (pat)
        FcPatternDestroy(pat);
    if (!set)
        gl_oom(ctx);
    return set;
}

/* ------------------------------------------------------------ names */

/* name lower-cased (ASCII) without blanks, as fontconfig compares family
 * names; at most cap - 1 bytes. */
static void fold(const char *name, char *out, size_t cap)
{
    size_t k = 0;
    for (const char *s = name; *s && k + 1 < cap; s++)
        if (*s != ' ' && *s != '\t')
            out[k++] = (char)tolower((unsigned char)*s);
    out[k] = 0;
}

/* Optimal string alignment distance (Levenshtein plus adjacent
 * transpositions: "Sreif" is one edit from "Serif"), over the first 127
 * bytes of each: three rolling rows. */
static int osa(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    n = n > 127 ? 127 : n;
    m = m > 127 ? 127 : m;
    int r0[128], r1[128], r2[128];   // rows i-2, i-1, i
    int *pp = r0, *p = r1, *c = r2;
    for (size_t j = 0; j <= m; j++)
        p[j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        c[0] = (int)i;
        for (size_t j = 1; j <= m; j++) {
            int v = p[j] + 1;
            if (c[j - 1] + 1 < v)
                v = c[j - 1] + 1;
            if (p[j - 1] + (a[i - 1] != b[j - 1]) < v)
                v = p[j - 1] + (a[i - 1] != b[j - 1]);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && pp[j - 2] + 1 < v)
                v = pp[j - 2] + 1;
            c[j] = v;
        }
        int *t = pp;
        pp = p;
        p = c;
        c = t;
    }
    return p[m];
}

typedef struct {
    const char *name;   /* borrowed from the font set */
    int rank, dist;
} near_family;

static int cmp_near(const void *pa, const void *pb)
{
    const near_family *a = pa, *b = pb;
    if (a->rank != b->rank)
        return a->rank - b->rank;
    if (a->dist != b->dist)
        return a->dist - b->dist;
    return strcmp(a->name, b->name);
}

/* How close family f is to the folded query q: rank 0 when one starts the
 * other, 1 when one contains the other, 2 within the edit distance, else
 * -1 (not close). */
static int closeness(const char *q, const char *family, int *dist)
{
    char f[128];
    fold(family, f, sizeof f);
    size_t nq = strlen(q), nf = strlen(f);
    if (!nq || !nf)
        return -1;
    *dist = osa(q, f);
    if (strncmp(q, f, nq < nf ? nq : nf) == 0)
        return 0;
    if (strstr(f, q) || strstr(q, f))
        return 1;
    int limit = (int)nq / 2 > 2 ? (int)nq / 2 : 2;
    return *dist <= limit ? 2 : -1;
}

static int closest_in(gl_ctx *ctx, FcFontSet *set, const char *name, char *buf, size_t cap)
{
    char q[128];
    fold(name, q, sizeof q);
    buf[0] = 0;
    near_family *v = NULL;
    size_t n = 0, capv = 0;
    for (int i = 0; i < set->nfont; i++) {
        if (!usable(set->fonts[i]))
            continue;
        FcChar8 *fam;
        for (int k = 0; FcPatternGetString(set->fonts[i], FC_FAMILY, k, &fam) == FcResultMatch; k++) {
            int dist = 0, rank = closeness(q, (const char *)fam, &dist);
            if (rank < 0)
                continue;
            if (GL_GROW(ctx, v, capv, n + 1)) {
                gl_free(v);
                return -1;
            }
            v[n++] = (near_family){(const char *)fam, rank, dist};
        }
    }
    if (n)  // qsort wants a non-null array even for nothing
        qsort(v, n, sizeof *v, cmp_near);
    int found = 0;
    size_t k = 0;
    for (size_t i = 0; i < n && found < 3; i++) {
        bool dup = false;
        for (size_t j = 0; j < i && !dup; j++)
            dup = strcmp(v[j].name, v[i].name) == 0;
        if (dup)
            continue;
        int w = snprintf(buf + k, cap - k, "%s%s", found ? ", " : "", v[i].name);
        if (w < 0 || (size_t)w >= cap - k)
            break;
        k += (size_t)w;
        found++;
    }
    gl_free(v);
    return found;
}

int gl_fontfind_closest(gl_ctx *ctx, const char *name, char *buf, size_t cap)
{
    FcFontSet *set = list_all(ctx);
    if (!set)
        return -1;
    int n = closest_in(ctx, set, name, buf, cap);
    FcFontSetDestroy(set);
    return n;
}

/* ------------------------------------------------------------ families */

static bool has_family(FcPattern *p, const char *folded)
{
    FcChar8 *fam;
    char f[128];
    for (int k = 0; FcPatternGetString(p, FC_FAMILY, k, &fam) == FcResultMatch; k++) {
        fold((const char *)fam, f, sizeof f);
        if (strcmp(f, folded) == 0)
            return true;
    }
    return false;
}

int gl_fontfind_family(gl_ctx *ctx, const char *family, bool bold, bool italic,
                       gl_fontfind_face *out)
{
    memset(out, 0, sizeof *out);
    FcFontSet *set = list_all(ctx);
    if (!set)
        return -1;
    char q[128];
    fold(family, q, sizeof q);
    FcPattern *best = NULL;
    int best_cost = 0;
    const char *best_file = NULL;
    int best_index = 0;
    for (int i = 0; *q && i < set->nfont; i++) {
        FcPattern *p = set->fonts[i];
        if (!usable(p) || !has_family(p, q))
            continue;
        int weight, width, index = 0;
        bool it;
        FcChar8 *file;
        style_of(p, &weight, &it, &width);
        FcPatternGetString(p, FC_FILE, 0, &file);
        FcPatternGetInteger(p, FC_INDEX, 0, &index);
        int cost = gl_fontfind_style_cost(weight, it, width, bold, italic);
        // ties: the lower path and index, whatever order the caches list
        int byname = best ? strcmp((const char *)file, best_file) : 0;
        if (!best || cost < best_cost ||
            (cost == best_cost && (byname < 0 || (byname == 0 && index < best_index)))) {
            best = p;
            best_cost = cost;
            best_file = (const char *)file;
            best_index = index;
        }
    }
    int rc = -1;
    if (best) {
        rc = face_of(ctx, best, out);
    } else {
        char near[512];
        int n = closest_in(ctx, set, family, near, sizeof near);
        if (n > 0)
            gl_error(ctx, GALLEY_ERR_FONT, "no font family '%s' (closest: %s)", family, near);
        else if (n == 0)
            gl_error(ctx, GALLEY_ERR_FONT, "no font family '%s' is installed (fc-list : family "
                     "lists those that are)", family);
    }
    FcFontSetDestroy(set);
    return rc;
}

/* ------------------------------------------------------------ fallback */

/* fontconfig's language for a BCP 47 tag: Chinese by region or script
 * (zh-cn, zh-tw, zh-hk), otherwise the primary language subtag. */
static void fc_lang(const char *tag, char *out, size_t cap)
{
    char t[32];
    fold(tag && *tag ? tag : "en", t, sizeof t);
    for (char *c = t; *c; c++)
        if (*c == '_')
            *c = '-';
    if (strncmp(t, "zh", 2) == 0 && (t[2] == 0 || t[2] == '-')) {
        const char *r = strstr(t, "hant") || strstr(t, "-tw") ? "zh-tw"
                        : strstr(t, "-hk") || strstr(t, "-mo") ? "zh-hk"
                                                               : "zh-cn";
        snprintf(out, cap, "%s", r);
        return;
    }
    char *dash = strchr(t, '-');
    if (dash)
        *dash = 0;
    snprintf(out, cap, "%s", t);
}

int gl_fontfind_covering(gl_ctx *ctx, uint32_t cp, const char *lang, size_t max,
                         gl_fontfind_face **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    FcConfig *c = config(ctx);
    if (!c)
        return -1;
    int rc = -1;
    size_t cap = 0;
    FcFontSet *sorted = NULL;
    FcCharSet *cs = FcCharSetCreate();
    FcPattern *pat = FcPatternCreate();
    if (!cs || !pat || !FcCharSetAddChar(cs, cp))
        goto oom;
    // Always a language, and a serif family to lean towards (the book's
    // own are serif): otherwise fontconfig takes them from $LANG and the
    // configuration's default, and the choice would vary by user.  The
    // family is weak: a face made for the language matters more.
    char fl[32];
    fc_lang(lang, fl, sizeof fl);
    FcValue serif = {.type = FcTypeString, .u.s = (const FcChar8 *)"serif"};
    if (!FcPatternAddCharSet(pat, FC_CHARSET, cs) ||
        !FcPatternAddString(pat, FC_LANG, (const FcChar8 *)fl) ||
        !FcPatternAddWeak(pat, FC_FAMILY, serif, FcTrue) ||
        !FcPatternAddBool(pat, FC_OUTLINE, FcTrue) || !FcPatternAddBool(pat, FC_SCALABLE, FcTrue) ||
        !FcPatternAddBool(pat, FC_COLOR, FcFalse) ||
        !FcPatternAddInteger(pat, FC_WEIGHT, FC_WEIGHT_REGULAR) ||
        !FcPatternAddInteger(pat, FC_SLANT, FC_SLANT_ROMAN))
        goto oom;
    if (!FcConfigSubstitute(c, pat, FcMatchPattern))
        goto oom;
    FcDefaultSubstitute(pat);
    FcResult res;
    sorted = FcFontSort(c, pat, FcFalse, NULL, &res);
    if (!sorted) {
        rc = 0;  // nothing installed at all
        goto done;
    }
    for (int i = 0; i < sorted->nfont && *n < max; i++) {
        FcPattern *p = sorted->fonts[i];
        FcCharSet *fcs;
        if (!usable(p) || FcPatternGetCharSet(p, FC_CHARSET, 0, &fcs) != FcResultMatch ||
            !FcCharSetHasChar(fcs, cp))
            continue;
        if (GL_GROW(ctx, *out, cap, *n + 1))
            goto done;
        if (face_of(ctx, p, &(*out)[*n]))
            goto done;
        ++*n;
    }
    rc = 0;
    goto done;
oom:
    gl_oom(ctx);
done:
    if (rc) {
        for (size_t i = 0; i < *n; i++)
            gl_fontfind_face_clear(&(*out)[i]);
        gl_free(*out);
        *out = NULL;
        *n = 0;
    }
    if (sorted)
        FcFontSetDestroy(sorted);
    if (pat)
        FcPatternDestroy(pat);
    if (cs)
        FcCharSetDestroy(cs);
    return rc;
}
