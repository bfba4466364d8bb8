/*
 * font_shape.c — OpenType shaping with HarfBuzz: each face's hb_font,
 * words shaped with the document's language and features, the features
 * lists themselves (CSS font-feature-settings syntax), localised forms,
 * and the kerning pairs learnt from shaped words that let layout set
 * later words without shaping them.  Knows nothing of layout.
 */
#include "font_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------ features */

/* Calls each(item, len, user) for the comma-separated items of spec with
 * their white space trimmed; stops at the first non-zero return. */
static int each_feature(const char *spec, int (*each)(const char *, size_t, void *), void *user)
{
    for (const char *p = spec; *p;) {
        const char *e = strchr(p, ',');
        if (!e)
            e = p + strlen(p);
        const char *a = p, *b = e;
        while (a < b && (*a == ' ' || *a == '\t'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
            b--;
        int rc = a < b ? each(a, (size_t)(b - a), user) : 0;
        if (rc)
            return rc;
        p = *e ? e + 1 : e;
    }
    return 0;
}

typedef struct {
    hb_feature_t *out;
    unsigned n, cap;
    const char *bad;
    size_t badlen;
} feature_list;

/* The shape of one CSS font-feature-settings item, as HarfBuzz also reads
 * it (hb_feature_from_string is lenient: "what ever" is the tag 'what'):
 * [+-] a tag of 1-4 letters or digits, or 4 quoted characters, an optional
 * [start:end], an optional value (=N, or a space and N, on or off). */
static bool feature_syntax(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    if (i < n && (s[i] == '"' || s[i] == '\'')) {
        if (i + 5 >= n || s[i + 5] != s[i])
            return false;
        i += 6;
    } else {
        size_t t = i;
        while (i < n && i - t < 4 && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
                                      (s[i] >= '0' && s[i] <= '9')))
            i++;
        if (i == t)
            return false;
    }
    if (i < n && s[i] == '[') {
        while (i < n && s[i] != ']')
            i++;
        if (i++ >= n)
            return false;
    }
    size_t v = i;
    while (i < n && s[i] == ' ')
        i++;
    if (i < n && s[i] == '=') {
        i++;
        while (i < n && s[i] == ' ')
            i++;
    } else if (i == v && i < n) {
        return false;  // something glued to the tag
    }
    if (i == n)
        return v == n;  // a tag alone; "liga=" has no value
    if (n - i == 2 && !strncmp(s + i, "on", 2))
        return true;
    if (n - i == 3 && !strncmp(s + i, "off", 3))
        return true;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    return i == n;
}

static int add_feature(const char *item, size_t len, void *user)
{
    feature_list *l = user;
    hb_feature_t f;
    if (!feature_syntax(item, len) || !hb_feature_from_string(item, (int)len, &f) ||
        l->n >= l->cap) {
        l->bad = item;
        l->badlen = len;
        return -1;
    }
    if (l->out)
        l->out[l->n] = f;
    l->n++;
    return 0;
}

int gl_font_features_check(const char *spec, char *bad, size_t cap)
{
    hb_feature_t f[GL_MAX_FEATURES];
    feature_list l = {f, 0, GL_MAX_FEATURES, NULL, 0};
    if (each_feature(spec, add_feature, &l)) {
        if (cap)
            snprintf(bad, cap, "%.*s", (int)(l.badlen < cap ? l.badlen : cap - 1), l.bad);
        return -1;
    }
    return (int)l.n;
}

int gl_font_features_css(const char *spec, gl_buf *out)
{
    hb_feature_t f[GL_MAX_FEATURES];
    feature_list l = {f, 0, GL_MAX_FEATURES, NULL, 0};
    if (each_feature(spec, add_feature, &l))
        return 0;  // checked before: nothing to write
    for (unsigned i = 0; i < l.n; i++) {
        char tag[5];
        hb_tag_to_string(f[i].tag, tag);
        tag[4] = 0;
        if (gl_buf_printf(out, "%s\"%s\" %u", i ? ", " : "", tag, f[i].value))
            return -1;
    }
    return 0;
}


int gl_font_features_parse(gl_ctx *ctx, const char *spec, hb_feature_t *out, unsigned *n)
{
    feature_list l = {out, 0, GL_MAX_FEATURES, NULL, 0};
    if (each_feature(spec, add_feature, &l))
        return gl_error(ctx, GALLEY_ERR_ARG, "invalid font feature '%.*s'", (int)l.badlen, l.bad);
    *n = l.n;
    return 0;
}

/* True when table (GSUB or GPOS) of face lists feature tag. */
bool gl_font_has_feature(hb_face_t *face, hb_tag_t table, hb_tag_t tag)
{
    hb_tag_t tags[64];
    unsigned start = 0, n;
    do {
        n = sizeof tags / sizeof *tags;
        hb_ot_layout_table_get_feature_tags(face, table, start, &n, tags);
        for (unsigned i = 0; i < n; i++)
            if (tags[i] == tag)
                return true;
        start += n;
    } while (n == sizeof tags / sizeof *tags);
    return false;
}

/* ------------------------------------------------------------ shaping */

/* The face's HarfBuzz font, opened on first use: most documents shape only
 * the Latin faces, and a CJK collection need not be mapped for that.  Its
 * scale is the em (units per em), so positions come in font units. */
hb_font_t *gl_font_hb(gl_fontset *fs, int face)
{
    face_info *fi = &fs->info[fs->canon[face]];
    if (fi->hb_tried)
        return fi->hb;
    fi->hb_tried = true;
    hb_blob_t *blob = hb_blob_create_from_file_or_fail(fi->path);
    if (!blob)
        return NULL;
    hb_face_t *hf = hb_face_create(blob, (unsigned)fi->index);
    hb_blob_destroy(blob);
    hb_font_t *f = hb_font_create(hf);
    unsigned upem = hb_face_get_upem(hf);
    hb_face_destroy(hf);
    if (f == hb_font_get_empty())
        return NULL;
    hb_font_set_scale(f, (int)upem, (int)upem);
    fi->hb = f;
    return f;
}

bool gl_face_has_locl(gl_fontset *fs, int face)
{
    if (!valid_face(face))
        return false;
    face_info *fi = &fs->info[fs->canon[face]];
    if (fi->locl < 0) {
        hb_font_t *f = gl_font_hb(fs, face);
        fi->locl = f && gl_font_has_feature(hb_font_get_face(f), HB_OT_TAG_GSUB, HB_TAG('l', 'o', 'c', 'l'));
    }
    return fi->locl;
}

int gl_face_shape(gl_fontset *fs, int face, const char *text, size_t len, const char *lang,
                  gl_shaped *out, size_t cap)
{
    if (!valid_face(face) || len > 0xFFFF)
        return -1;
    hb_font_t *f = gl_font_hb(fs, face);
    if (!f)
        return -1;
    if (!fs->buf) {
        fs->buf = hb_buffer_create();
        if (!hb_buffer_allocation_successful(fs->buf))
            return -1;
    }
    hb_buffer_t *b = fs->buf;
    hb_buffer_clear_contents(b);
    hb_buffer_add_utf8(b, text, (int)len, 0, (int)len);
    hb_buffer_guess_segment_properties(b);
    if (lang)
        hb_buffer_set_language(b, hb_language_from_string(lang, -1));
    hb_shape(f, b, fs->features, fs->nfeatures);
    if (!hb_buffer_allocation_successful(b))
        return -1;
    unsigned n = 0;
    const hb_glyph_info_t *gi = hb_buffer_get_glyph_infos(b, &n);
    const hb_glyph_position_t *gp = hb_buffer_get_glyph_positions(b, NULL);
    double em = (double)hb_face_get_upem(hb_font_get_face(f));
    for (unsigned i = 0; i < n && i < cap; i++) {
        out[i].gid = gi[i].codepoint;
        out[i].cluster = gi[i].cluster;
        out[i].adv = (float)(gp[i].x_advance / em);
        out[i].dx = (float)(gp[i].x_offset / em);
        out[i].dy = (float)(gp[i].y_offset / em);
    }
    return (int)n;
}

void gl_face_pairs_learn(gl_fontset *fs, int face, const char *s, size_t n,
                         const gl_shaped *g, size_t ng)
{
    if (!valid_face(face) || n < 2)
        return;
    face_info *fi = &fs->info[fs->canon[face]];
    if (!fi->pairs) {
        hb_font_t *f = gl_font_hb(fs, face);
        if (!f || !(fi->pairs = gl_malloc(NULL, sizeof *fi->pairs)))
            return;
        fi->pairs->per_unit = 1.0 / hb_face_get_upem(hb_font_get_face(f));
        for (int i = 0; i < PAIR_CHARS; i++)
            for (int j = 0; j < PAIR_CHARS; j++)
                fi->pairs->kern[i][j] = PAIR_UNKNOWN;
        for (int i = 0; i < 94; i++)
            for (int j = 0; j < 94; j++)
                fi->pairs->ascii[i][j] = PAIR_UNKNOWN;
    }
    struct pair_kerns *t = fi->pairs;
    // A character is plain when it got one glyph of its own, nominal and
    // unmoved; two plain neighbours tell the kerning of their pair (a
    // pair rule, as in GPOS PairPos, which the bundled faces use).
    size_t k = 0;
    int prev = -1;
    double prev_kern = 0;
    for (size_t i = 0; i < n;) {
        size_t at = i;
        uint32_t cp = gl_utf8_next(s, n, &i);
        int c = gl_pair_index(cp);
        bool plain = c >= 0 && k < ng && g[k].cluster == at &&
                     (k + 1 == ng || g[k + 1].cluster > at) && g[k].dx == 0 && g[k].dy == 0 &&
                     g[k].gid == glyph_of(fi, cp) && g[k].gid < fi->nglyphs;
        if (plain && prev >= 0) {
            double units = round(prev_kern / t->per_unit);
            if (fabs(units) < 30000) {
                t->kern[prev][c] = (int16_t)units;
                if (prev < 94 && c < 94)
                    t->ascii[prev][c] = (int16_t)units;
            }
        }
        prev = plain ? c : -1;
        if (plain)
            prev_kern = g[k].adv - fi->adv[g[k].gid];
        while (k < ng && g[k].cluster < i)
            k++;
    }
}

const int16_t *gl_face_pairs(const gl_fontset *fs, int face, double *per_unit,
                            const int16_t **ascii)
{
    const struct pair_kerns *t = valid_face(face) ? info_of(fs, face)->pairs : NULL;
    if (!t)
        return NULL;
    *per_unit = t->per_unit;
    *ascii = &t->ascii[0][0];
    return &t->kern[0][0];
}

