/*
 * dump.c — frames as text (dump.h): pages, the lines layout recorded with
 * their breaks and ratios, runs, rules, images, links and outlines, for the
 * golden layout tests.  A consumer of frame.h beside the PDF back end; it
 * reads the font set only for the faces' roles and file names, and must
 * depend on no foreign library and on nothing of the machine (no absolute
 * paths, no clock).
 */
#include "dump.h"

#include <math.h>
#include <string.h>

/* The faces by role (font.h gl_face_id), as the dump names them. */
static const char *const face_roles[GL_FACE_COUNT] = {
    [GL_FACE_LATIN_REGULAR] = "latin-regular",
    [GL_FACE_LATIN_BOLD] = "latin-bold",
    [GL_FACE_LATIN_ITALIC] = "latin-italic",
    [GL_FACE_LATIN_BOLD_ITALIC] = "latin-bold-italic",
    [GL_FACE_CJK] = "cjk",
    [GL_FACE_CJK_HEADING] = "cjk-heading",
    [GL_FACE_CJK_FALLBACK] = "cjk-fallback",
    [GL_FACE_MONO] = "mono",
    [GL_FACE_MONO_BOLD] = "mono-bold",
    [GL_FACE_FALLBACK0] = "fallback-0", "fallback-1", "fallback-2", "fallback-3",
    "fallback-4", "fallback-5", "fallback-6", "fallback-7",
};
_Static_assert(GL_FACE_COUNT == GL_FACE_FALLBACK0 + 8, "face_roles: one name per fallback role");

static const char *const ends_names[] = {
    [GL_ENDS_PARA] = "para",       [GL_ENDS_FORCED] = "forced", [GL_ENDS_GLUE] = "glue",
    [GL_ENDS_PENALTY] = "penalty", [GL_ENDS_HYPHEN] = "hyphen", [GL_ENDS_DASH] = "dash",
};

static const char *const carry_names[] = {
    [GL_CARRY_NONE] = "none",    [GL_CARRY_FULL] = "full", [GL_CARRY_ORPHAN] = "orphan",
    [GL_CARRY_WIDOW] = "widow",  [GL_CARRY_KEEP] = "keep", [GL_CARRY_WORD] = "word",
    [GL_CARRY_NOTE] = "note",
};

static const char *const align_names[] = {
    [GL_SET_JUSTIFY] = "justify", [GL_SET_LEFT] = "left", [GL_SET_CENTER] = "center",
    [GL_SET_RIGHT] = "right",
};

#define NAME(table, i) ((size_t)(i) < sizeof table / sizeof *table ? table[i] : "?")

/* The last component of a path: dumps must not depend on where the
 * checkout or the fonts are. */
static const char *base_name(const char *path)
{
    if (!path)
        return "";
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* v, or 0 when it rounds to zero at prec decimals: never "-0.00". */
static double zero(double v, int prec)
{
    return fabs(v) < (prec >= 3 ? 0.0005 : 0.005) ? 0 : v;
}

/* " %.Nf" of zero(v). */
static int num(gl_buf *b, double v, int prec)
{
    return gl_buf_printf(b, " %.*f", prec, zero(v, prec));
}

static int face(gl_buf *b, const gl_fontset *fs, int id)
{
    if (fs && id >= 0 && id < GL_FACE_COUNT)
        return gl_buf_printf(b, " %s", face_roles[id]);
    return gl_buf_printf(b, " f%d", id);
}

/* Invisible or easily mistaken characters, shown as \u{XXXX}. */
static bool unusual_space(uint32_t cp)
{
    return cp == 0xA0 || cp == 0xAD || (cp >= 0x2000 && cp <= 0x200F) ||
           (cp >= 0x2028 && cp <= 0x202F) || (cp >= 0x205F && cp <= 0x2064) || cp == 0x3000 ||
           cp == 0xFEFF;
}

/* Text in double quotes, escaped as dump.h says. */
static int quoted(gl_buf *b, const char *s, size_t n)
{
    int rc = gl_buf_puts(b, " \"");
    for (size_t i = 0; i < n;) {
        size_t at = i;
        uint32_t cp = gl_utf8_next(s, n, &i);
        unsigned char c = (unsigned char)s[at];
        if (cp == '"' || cp == '\\') {
            rc |= gl_buf_putc(b, '\\');
            rc |= gl_buf_putc(b, (char)cp);
        } else if (cp < 0x20 || cp == 0x7F) {
            rc |= gl_buf_printf(b, "\\x%02X", c);
        } else if (cp == 0xFFFD && !(i - at == 3 && !memcmp(s + at, "\xEF\xBF\xBD", 3))) {
            // invalid UTF-8: the bytes themselves
            for (size_t k = at; k < i; k++)
                rc |= gl_buf_printf(b, "\\x%02X", (unsigned char)s[k]);
        } else if (unusual_space(cp)) {
            rc |= gl_buf_printf(b, "\\u{%04X}", (unsigned)cp);
        } else {
            rc |= gl_buf_put(b, s + at, i - at);
        }
    }
    return rc | gl_buf_putc(b, '"');
}

static int run(gl_buf *b, const gl_run *r, const gl_fontset *fs, const char *indent)
{
    int rc = gl_buf_printf(b, "%srun", indent);
    rc |= face(b, fs, r->face);
    rc |= num(b, r->size, 2);
    rc |= num(b, r->x, 2);
    rc |= num(b, r->y, 2);
    if (fabs(r->char_space) >= 0.005) {
        rc |= gl_buf_puts(b, " cs");
        rc |= num(b, r->char_space, 2);
    }
    const uint32_t known = GL_RUN_FAKE_BOLD | GL_RUN_LINK;
    uint32_t fl = r->flags;
    const char *sep = " ";
    if (fl & GL_RUN_FAKE_BOLD) {
        rc |= gl_buf_printf(b, "%sfake-bold", sep);
        sep = ",";
    }
    if (fl & GL_RUN_LINK) {
        rc |= gl_buf_printf(b, "%slink", sep);
        sep = ",";
    }
    if (fl & ~known)
        rc |= gl_buf_printf(b, "%s0x%X", sep, (unsigned)(fl & ~known));
    rc |= quoted(b, r->text, r->len);
    rc |= gl_buf_putc(b, '\n');
    // shaped glyphs, when the run has them: id, advance, offset if any, cluster
    if (r->glyphs && r->nglyphs) {
        rc |= gl_buf_printf(b, "%s  glyphs", indent);
        for (uint32_t i = 0; i < r->nglyphs; i++) {
            const gl_glyph_pos *g = &r->glyphs[i];
            rc |= gl_buf_printf(b, " %u:%.2f", (unsigned)g->gid, zero(g->adv, 2));
            if (zero(g->dx, 2) != 0 || zero(g->dy, 2) != 0)
                rc |= gl_buf_printf(b, ":%.2f,%.2f", zero(g->dx, 2), zero(g->dy, 2));
            rc |= gl_buf_printf(b, "@%u", (unsigned)g->cluster);
        }
        rc |= gl_buf_putc(b, '\n');
    }
    return rc;
}

static int line(gl_buf *b, const gl_frame_line *l)
{
    int rc = gl_buf_puts(b, "  line y");
    rc |= num(b, l->y, 2);
    rc |= gl_buf_puts(b, " x");
    rc |= num(b, l->x0, 2);
    rc |= num(b, l->x1, 2);
    rc |= gl_buf_puts(b, " measure");
    rc |= num(b, l->measure, 2);
    rc |= gl_buf_printf(b, " ends %s r", NAME(ends_names, l->ends));
    rc |= num(b, l->ratio, 3);
    if (fabs(l->set_ratio - l->ratio) >= 0.0005) {
        rc |= gl_buf_puts(b, " set");
        rc |= num(b, l->set_ratio, 3);
    }
    rc |= gl_buf_printf(b, " pass %d %s", l->pass, NAME(align_names, l->align));
    if (l->carry != GL_CARRY_NONE)
        rc |= gl_buf_printf(b, " carry %s", NAME(carry_names, l->carry));
    if (l->flags & GL_LINE_EMERGENCY)
        rc |= gl_buf_puts(b, " emergency");
    if (l->flags & GL_LINE_OVERFULL)
        rc |= gl_buf_puts(b, " overfull");
    return rc | gl_buf_putc(b, '\n');
}

/* A page's printed label (frame.h), bare when it is a plain word ("12",
 * "iv"), else quoted. */
static int label(gl_buf *b, const char *lab)
{
    size_t n = lab ? strlen(lab) : 0, k = 0;
    while (k < n && ((lab[k] >= '0' && lab[k] <= '9') || (lab[k] >= 'a' && lab[k] <= 'z') ||
                     (lab[k] >= 'A' && lab[k] <= 'Z')))
        k++;
    if (n && k == n)
        return gl_buf_printf(b, " %s", lab);
    return quoted(b, lab, n);
}

static int page(gl_buf *b, const gl_page *p, size_t index, const gl_fontset *fs)
{
    int rc = gl_buf_printf(b, "page %zu label", index + 1);
    rc |= label(b, p->label);
    rc |= gl_buf_puts(b, p->front ? " front\n" : "\n");
    // Runs in page order, each line before its runs.  Layout appends a
    // line's record with its runs, so run0 never goes back; if it did, the
    // runs would show twice, which is what the frames would then say.
    size_t li = 0;
    for (size_t i = 0; i < p->nruns || li < p->nlines;) {
        if (li < p->nlines && (i >= p->nruns || p->lines[li].run0 <= i)) {
            const gl_frame_line *l = &p->lines[li++];
            rc |= line(b, l);
            size_t end = (size_t)l->run0 + l->nruns;
            for (size_t k = l->run0; k < end && k < p->nruns; k++)
                rc |= run(b, &p->runs[k], fs, "    ");
            if (end > i)
                i = end;
        } else {
            rc |= run(b, &p->runs[i++], fs, "  ");
        }
    }
    for (size_t i = 0; i < p->nrules; i++) {
        const gl_rule *r = &p->rules[i];
        rc |= gl_buf_puts(b, "  rule");
        rc |= num(b, r->x0, 2);
        rc |= num(b, r->y0, 2);
        rc |= num(b, r->x1, 2);
        rc |= num(b, r->y1, 2);
        rc |= gl_buf_puts(b, " width");
        rc |= num(b, r->width, 2);
        rc |= gl_buf_putc(b, '\n');
    }
    for (size_t i = 0; i < p->nimages; i++) {
        const gl_image *im = &p->images[i];
        rc |= gl_buf_printf(b, "  image %s", base_name(im->path));
        rc |= num(b, im->x, 2);
        rc |= num(b, im->y, 2);
        rc |= num(b, im->w, 2);
        rc |= num(b, im->h, 2);
        rc |= gl_buf_putc(b, '\n');
    }
    for (size_t i = 0; i < p->nlinks; i++) {
        const gl_link *l = &p->links[i];
        rc |= gl_buf_puts(b, "  link");
        rc |= num(b, l->x0, 2);
        rc |= num(b, l->y0, 2);
        rc |= num(b, l->x1, 2);
        rc |= num(b, l->y1, 2);
        if (l->uri) {
            rc |= gl_buf_puts(b, " uri");
            rc |= quoted(b, l->uri, strlen(l->uri));
        } else {
            rc |= gl_buf_printf(b, " page %d y", l->page + 1);
            rc |= num(b, l->y, 2);
        }
        rc |= gl_buf_putc(b, '\n');
    }
    return rc;
}

int gl_frames_dump(gl_buf *out, const gl_frames *fr, const gl_fontset *fs)
{
    int rc = gl_buf_puts(out, "galley-frames 1\nsize");
    rc |= num(out, fr->width, 2);
    rc |= num(out, fr->height, 2);
    rc |= gl_buf_putc(out, '\n');
    for (int f = 0; fs && f < GL_FACE_COUNT; f++) {
        if (!gl_face_loaded(fs, f))
            continue;  // a fallback role no character needed
        rc |= gl_buf_printf(out, "face %s %s", face_roles[f], base_name(gl_face_path(fs, f)));
        if (gl_face_index(fs, f) > 0)
            rc |= gl_buf_printf(out, ":%d", gl_face_index(fs, f));
        rc |= gl_buf_putc(out, '\n');
    }
    for (size_t i = 0; i < fr->npages; i++)
        rc |= page(out, &fr->pages[i], i, fs);
    for (size_t i = 0; i < fr->noutlines; i++) {
        const gl_outline *o = &fr->outlines[i];
        rc |= gl_buf_printf(out, "outline %d page %d y", o->level, o->page + 1);
        rc |= num(out, o->y, 2);
        rc |= quoted(out, o->title, o->title ? strlen(o->title) : 0);
        rc |= gl_buf_putc(out, '\n');
    }
    return rc ? -1 : 0;
}
