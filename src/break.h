/*
 * break.h — paragraph breaking over boxes, glue and penalties: Knuth–Plass
 * total fit (Knuth & Plass, "Breaking Paragraphs into Lines", 1981; TeX's
 * line_break, §813–890 of "TeX: The Program") and a first-fit breaker with
 * the same interface, kept for comparison.
 *
 * Pure: items and line widths in, break positions and adjustment ratios
 * out.  No ICU, fonts, I/O or global state; the context is used only for
 * allocation and errors.  Units are the caller's (points, say).
 *
 * Model of use (layout builds the items from shaped text):
 *
 *     gl_item it[] = { GL_BOX(30), GL_GLUE(4, 2, 1.3), GL_BOX(21),
 *                      GL_HYPHEN(3.3), GL_BOX(15), ... };
 *     double widths[] = { 300 - indent, 300 };  // the last one repeats
 *     gl_break_result res = {0};
 *     if (gl_break_total_fit(ctx, it, n, widths, 2, NULL, &res) == 0)
 *         for (size_t i = 0; i < res.nlines; i++)
 *             place(it, res.lines[i].start, res.lines[i].end, res.lines[i].ratio);
 *     gl_break_result_free(&res);
 */
#ifndef GL_BREAK_H
#define GL_BREAK_H

#include "base.h"

/* A penalty >= GL_BRK_INF forbids a break; <= -GL_BRK_INF forces one (TeX's
 * 10000 and -10000). */
#define GL_BRK_INF 10000
/* The penalty TeX gives a discretionary hyphen (\hyphenpenalty); the value
 * GL_HYPHEN() items carry.  The breaker reads penalties from the items, so
 * a caller wanting a different cost builds its own flagged penalties. */
#define GL_BRK_HYPHEN_PENALTY 50

typedef enum {
    GL_ITEM_BOX = 0,   /* unbreakable material of fixed width */
    GL_ITEM_GLUE,      /* space that stretches and shrinks */
    GL_ITEM_PENALTY    /* a possible break with a cost */
} gl_item_type;

typedef struct {
    gl_item_type type;
    double width;     /* BOX, GLUE; PENALTY: width added to the line when it
                         breaks there (a hyphen's), else nothing */
    double stretch;   /* GLUE only, >= 0 */
    double shrink;    /* GLUE only, >= 0 */
    int penalty;      /* PENALTY only: cost of breaking here; >= GL_BRK_INF
                         never, <= -GL_BRK_INF always */
    int flagged;      /* PENALTY only: nonzero for a hyphenation break */
} gl_item;

/* Compound-literal constructors. */
#define GL_BOX(w) ((gl_item){.type = GL_ITEM_BOX, .width = (w)})
#define GL_GLUE(w, st, sh) \
    ((gl_item){.type = GL_ITEM_GLUE, .width = (w), .stretch = (st), .shrink = (sh)})
#define GL_PENALTY(w, p, f) \
    ((gl_item){.type = GL_ITEM_PENALTY, .width = (w), .penalty = (p), .flagged = (f)})
#define GL_HYPHEN(w) GL_PENALTY((w), GL_BRK_HYPHEN_PENALTY, 1)
#define GL_FORBID GL_PENALTY(0, GL_BRK_INF, 0)
#define GL_FORCE GL_PENALTY(0, -GL_BRK_INF, 0)

/*
 * Legal breaks (TeX's rules):
 *  - at a GLUE whose previous item is a BOX.  So a glue preceded by a
 *    penalty is never a break: to forbid the break at a space, or before a
 *    character that may not start a line (CLREQ's closing marks), put
 *    GL_FORBID *before* that glue;
 *  - at a PENALTY below GL_BRK_INF;
 *  - at the end of the items, which acts as a forced break (no trailing
 *    GL_FORCE or \parfillskip glue is needed; one is accepted).
 * After a break, the glue and non-forced penalties that follow it are
 * discarded up to the next box or forced penalty; the line then starts there.
 *
 * A line that ends at a forced break (the last line of the paragraph, an
 * explicit line break) and is shorter than its measure is set at natural
 * width: ratio 0, badness 0 — it is not justified.
 */

typedef struct {
    double pretolerance;    /* badness limit of the first pass, which does
                               not break at flagged penalties (no hyphens);
                               < 0 skips it.  Default 100 (TeX) */
    double tolerance;       /* badness limit of the second pass (hyphens
                               allowed) and of the emergency pass.  Default
                               200 (TeX) */
    double emergency_stretch; /* extra stretch per line in the emergency
                               pass, as a fraction of that line's width;
                               <= 0 skips that pass.  Default 0.25 */
    double line_penalty;    /* added to each line's badness before squaring
                               (\linepenalty).  Default 10 */
    double double_hyphen_demerits; /* two hyphenated lines in a row
                               (\doublehyphendemerits; the paper's alpha).
                               Default 3000 */
    double final_hyphen_demerits;  /* the last full line hyphenated
                               (\finalhyphendemerits).  Default 5000 */
    double adj_demerits;    /* adjacent lines in fitness classes more than
                               one apart (\adjdemerits; gamma).  Default 100 */
    int max_hyphen_lines;   /* never more consecutive hyphenated lines than
                               this; 0 = no limit.  Default 2 */
    int looseness;          /* lines more (> 0) or fewer (< 0) than the
                               optimum, when feasible (\looseness).  0 */
    size_t max_active;      /* cap on live breakpoints; beyond it the half
                               with the worst demerits per line is dropped.
                               Only degenerate input (thousands of breaks
                               per line) reaches it.  Default 2000 */
} gl_break_params;

/* Fills p with the defaults above.  Never fails. */
void gl_break_params_init(gl_break_params *p);

typedef struct {
    size_t start;      /* first item of the line (after discarded glue) */
    size_t end;        /* the break: the line is items [start, end), plus
                          items[end].width when items[end] is a PENALTY;
                          end == n for the end of the paragraph */
    double ratio;      /* adjustment ratio r: each glue item in the line is
                          set to width + r * stretch (r >= 0) or
                          width + r * shrink (r < 0).  Never below -1; 0 for
                          a line with no stretch or ending at a forced break */
    double badness;    /* 100 |r|^3 capped at 10000 (TeX's inf_bad), 10000
                          for an underfull line with no stretch */
    double natural;    /* natural width of the line (with the hyphen) */
    double measure;    /* the width it was set to */
    unsigned hyphenated : 1; /* ends at a flagged penalty */
    unsigned forced : 1;     /* ends at a forced break or the paragraph end */
    unsigned emergency : 1;  /* set by the emergency or the fallback pass:
                                may be looser than the tolerance */
    unsigned overfull : 1;   /* wider than its measure even at full shrink;
                                only when material between two consecutive
                                legal breaks is wider than the measure */
} gl_line;

typedef struct {
    gl_line *lines;    /* owned; free with gl_break_result_free() */
    size_t nlines, cap;
    int pass;          /* what found the breaks: 1 pretolerance, 2 tolerance,
                          3 emergency stretch, 4 fallback (any underfull
                          line feasible; overfull only where unavoidable);
                          0 for first fit */
    double demerits;   /* total demerits of the chosen breaks (first fit:
                          computed the same way) */
} gl_break_result;

/*
 * Knuth–Plass total fit.  items[0..n) with n >= 0; widths[0..nwidths)
 * (nwidths >= 1, each > 0) gives the measure of line k as
 * widths[min(k, nwidths - 1)], so widths = {first, rest} sets an indent.
 * params may be NULL (defaults).  Replaces out's lines (out must be zeroed
 * or a previous result).  Passes, each tried only if the previous found no
 * feasible breaks: 1. pretolerance without hyphens, 2. tolerance,
 * 3. tolerance with emergency stretch, 4. fallback: every line that is not
 * overfull is feasible, and where no break keeps the line within the
 * measure, the line breaks at the first legal break after its start and is
 * marked overfull (the caller splits over-wide words into per-character
 * boxes with penalties between them so this does not happen).  Pass 4
 * also lets a hyphenated line exceed max_hyphen_lines, at a cost of 1e12
 * demerits, where otherwise a line would be overfull: the measure wins.
 * Cost: O(n x active breakpoints) per pass, the active list pruned as in
 * TeX and capped by max_active.
 * Returns 0, or -1 with GALLEY_ERR_ARG (bad widths or items) or
 * GALLEY_ERR_NOMEM on ctx.
 */
int gl_break_total_fit(gl_ctx *ctx, const gl_item *items, size_t n, const double *widths,
                       size_t nwidths, const gl_break_params *params, gl_break_result *out);

/*
 * First fit, same interface: each line takes as much as fits (shrinking
 * glue if need be) and breaks at the last legal break that fits, honouring
 * forced and forbidden breaks and max_hyphen_lines; a line breaks at a
 * hyphen only when no later break fits.  Material wider than the measure
 * between two legal breaks goes on its own overfull line.  Only
 * max_hyphen_lines, line_penalty and the demerits of params are used (the
 * demerits only for out->demerits).
 */
int gl_break_first_fit(gl_ctx *ctx, const gl_item *items, size_t n, const double *widths,
                       size_t nwidths, const gl_break_params *params, gl_break_result *out);

typedef int (*gl_break_fn)(gl_ctx *, const gl_item *, size_t, const double *, size_t,
                           const gl_break_params *, gl_break_result *);

/* Frees out's lines and zeroes it.  NULL-safe. */
void gl_break_result_free(gl_break_result *out);

#endif
