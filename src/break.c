/*
 * break.c — paragraph breaking (break.h): Knuth–Plass total fit with TeX's
 * passes (pretolerance, tolerance, emergency stretch) plus a fallback pass
 * that never fails, and a first-fit breaker for comparison.  Sits between
 * the item builder and layout.  Pure: no ICU, fonts or I/O; the context is
 * used for allocation and errors only.
 */
#include "break.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define INF_BAD 10000.0  /* TeX's inf_bad: the badness of a line that cannot stretch */
#define NONE SIZE_MAX
#define HYPHEN_EXCESS 1e12  /* pass 4: a hyphenated line past max_hyphen_lines */
/* TeX's fitness classes (§817): very loose, loose, decent, tight. */
enum { FIT_VLOOSE = 0, FIT_LOOSE = 1, FIT_DECENT = 2, FIT_TIGHT = 3 };

void gl_break_params_init(gl_break_params *p)
{
    *p = (gl_break_params){
        .pretolerance = 100,
        .tolerance = 200,
        .emergency_stretch = 0.25,
        .line_penalty = 10,
        .double_hyphen_demerits = 3000,
        .final_hyphen_demerits = 5000,
        .adj_demerits = 100,
        .max_hyphen_lines = 2,
        .looseness = 0,
        .max_active = 2000,
    };
}

void gl_break_result_free(gl_break_result *out)
{
    if (!out)
        return;
    gl_free(out->lines);
    memset(out, 0, sizeof *out);
}

/* ------------------------------------------------------------ shared state */

typedef struct {
    size_t pos;          /* the break (NONE for the paragraph start) */
    size_t start;        /* first item of the line after it */
    size_t line;         /* lines before the next one */
    size_t prev;         /* node of the previous break (NONE: start) */
    double total;        /* demerits from the start */
    unsigned char fit;   /* fitness class of the line ending here */
    unsigned char hyph;  /* hyphenated lines in a row ending here */
} node;

typedef struct {
    gl_ctx *ctx;
    const gl_item *it;
    size_t n;
    const double *widths;
    size_t nwidths;
    gl_break_params p;
    // Prefix sums over items [0, i) of box and glue widths, glue stretch and
    // shrink: a line's totals are two subtractions (TeX keeps the same
    // running totals in active_width / break_width).
    double *sw, *sst, *ssh;
    // nb[i]: the first box or forced penalty at or after i (n if none),
    // where a line starts after a break before i.
    size_t *nb;
    bool implicit_end;   /* the end of the items is a break of its own */
    size_t last_break;   /* the paragraph's final break */
    double eps;
    // Total fit: every node made in the pass, the active ones, candidates.
    node *pool;
    size_t npool, cappool;
    // Active nodes in the order they were made, which is also the order of
    // their line starts (try_break relies on it).
    size_t *active;
    size_t nactive, capactive;
    size_t nearly;       /* active nodes whose next line has not the last width */
    bool monotone;       /* no box or glue is narrower than zero (see try_break) */
    double rmax;         /* this pass: the ratio whose badness is its threshold,
                            a hair over (too_short) */
} brk;

static double measure_of(const brk *b, size_t line)
{
    return b->widths[line < b->nwidths ? line : b->nwidths - 1];
}

typedef struct {
    bool legal, forced, flagged;
    double penalty;
} bpoint;

/* Whether a line may break at item cur (cur == n: the end), by TeX's rules. */
static bpoint breakpoint_at(const brk *b, size_t cur, bool allow_flagged)
{
    bpoint bp = {0};
    if (cur == b->n) {
        bp.legal = bp.forced = b->implicit_end;
        return bp;
    }
    const gl_item *x = &b->it[cur];
    if (x->type == GL_ITEM_GLUE) {
        bp.legal = cur > 0 && b->it[cur - 1].type == GL_ITEM_BOX;
    } else if (x->type == GL_ITEM_PENALTY && x->penalty < GL_BRK_INF) {
        bp.flagged = x->flagged != 0;
        bp.legal = allow_flagged || !bp.flagged;
        bp.forced = x->penalty <= -GL_BRK_INF;
        bp.penalty = bp.forced ? -GL_BRK_INF : x->penalty;
    }
    return bp;
}

/* Start of the line after a break at cur. */
static size_t start_after(const brk *b, size_t cur)
{
    return cur >= b->n ? b->n : b->nb[cur + 1];
}

typedef struct {
    double w, st, sh;
} totals;

static totals line_totals(const brk *b, size_t start, size_t end)
{
    totals t = {b->sw[end] - b->sw[start], b->sst[end] - b->sst[start],
                b->ssh[end] - b->ssh[start]};
    if (end < b->n && b->it[end].type == GL_ITEM_PENALTY)
        t.w += b->it[end].width;  // the hyphen is drawn when the line breaks there
    return t;
}

static double badness(double excess, double give)
{
    if (excess <= 0)
        return 0;
    if (give <= 0)
        return INF_BAD;
    double r = excess / give;
    double v = 100.0 * r * r * r;
    return v > INF_BAD ? INF_BAD : v;
}

typedef struct {
    double ratio, bad;
    int fit;
    bool overfull;
} fitting;

/* How the line [start, end) fits measure L with extra_stretch added to its
 * stretch for the badness (the emergency pass). */
static inline fitting fit_line(const brk *b, totals t, double L, bool forced,
                              double extra_stretch)
{
    fitting f = {0, 0, FIT_DECENT, false};
    if (t.w < L - b->eps) {
        if (forced)
            return f;  // not justified: set at natural width
        double st = t.st + extra_stretch;
        f.bad = badness(L - t.w, st);
        f.ratio = t.st > 0 ? (L - t.w) / t.st : 0;
        f.fit = f.bad > 99 ? FIT_VLOOSE : f.bad > 12 ? FIT_LOOSE : FIT_DECENT;
    } else if (t.w > L + b->eps) {
        f.overfull = t.w - t.sh > L + b->eps;
        f.bad = f.overfull ? INF_BAD : badness(t.w - L, t.sh);
        f.ratio = t.sh > 0 ? fmax(-1.0, (L - t.w) / t.sh) : 0;
        f.fit = f.bad > 12 ? FIT_TIGHT : FIT_DECENT;
    }
    return f;
}

/* TeX §859: demerits of one line. */
static inline double demerits(const gl_break_params *p, double bad, bpoint bp,
                              bool prev_flagged, int fit, int prev_fit, bool final)
{
    double d = p->line_penalty + bad;
    d = d >= INF_BAD ? 1e8 : d * d;
    if (!bp.forced) {
        if (bp.penalty > 0)
            d += bp.penalty * bp.penalty;
        else if (bp.penalty < 0)
            d -= bp.penalty * bp.penalty;
    }
    if (bp.flagged && prev_flagged)
        d += p->double_hyphen_demerits;
    else if (final && prev_flagged)
        d += p->final_hyphen_demerits;
    if (abs(fit - prev_fit) > 1)
        d += p->adj_demerits;
    return d;
}

static int validate(gl_ctx *ctx, const gl_item *items, size_t n, const double *widths,
                    size_t nwidths)
{
    if (!widths || nwidths == 0)
        return gl_error(ctx, GALLEY_ERR_ARG, "line breaker: no line widths");
    for (size_t i = 0; i < nwidths; i++)
        if (!(widths[i] > 0) || !isfinite(widths[i]))
            return gl_error(ctx, GALLEY_ERR_ARG, "line breaker: line width %zu is %g", i,
                            widths[i]);
    if (n && !items)
        return gl_error(ctx, GALLEY_ERR_ARG, "line breaker: no items");
    for (size_t i = 0; i < n; i++) {
        const gl_item *x = &items[i];
        if (x->type > GL_ITEM_PENALTY || !isfinite(x->width) || !isfinite(x->stretch)
            || !isfinite(x->shrink) || x->stretch < 0 || x->shrink < 0)
            return gl_error(ctx, GALLEY_ERR_ARG, "line breaker: bad item %zu", i);
    }
    return 0;
}

static int brk_init(brk *b, gl_ctx *ctx, const gl_item *items, size_t n, const double *widths,
                    size_t nwidths, const gl_break_params *params)
{
    memset(b, 0, sizeof *b);
    b->ctx = ctx;
    if (validate(ctx, items, n, widths, nwidths))
        return -1;
    b->it = items;
    b->n = n;
    b->widths = widths;
    b->nwidths = nwidths;
    if (params)
        b->p = *params;
    else
        gl_break_params_init(&b->p);
    double wmax = 0;
    for (size_t i = 0; i < nwidths; i++)
        wmax = fmax(wmax, widths[i]);
    b->eps = 1e-9 * fmax(1.0, wmax);
    b->sw = gl_malloc(ctx, (n + 1) * sizeof *b->sw);
    b->sst = gl_malloc(ctx, (n + 1) * sizeof *b->sst);
    b->ssh = gl_malloc(ctx, (n + 1) * sizeof *b->ssh);
    b->nb = gl_malloc(ctx, (n + 2) * sizeof *b->nb);
    if (!b->sw || !b->sst || !b->ssh || !b->nb)
        return -1;
    b->sw[0] = b->sst[0] = b->ssh[0] = 0;
    b->monotone = true;
    for (size_t i = 0; i < n; i++) {
        const gl_item *x = &items[i];
        bool counts = x->type != GL_ITEM_PENALTY;
        if (counts && x->width < 0)
            b->monotone = false;
        b->sw[i + 1] = b->sw[i] + (counts ? x->width : 0);
        b->sst[i + 1] = b->sst[i] + (x->type == GL_ITEM_GLUE ? x->stretch : 0);
        b->ssh[i + 1] = b->ssh[i] + (x->type == GL_ITEM_GLUE ? x->shrink : 0);
    }
    b->nb[n] = b->nb[n + 1] = n;
    for (size_t i = n; i-- > 0;) {
        const gl_item *x = &items[i];
        bool stop = x->type == GL_ITEM_BOX
                    || (x->type == GL_ITEM_PENALTY && x->penalty <= -GL_BRK_INF);
        b->nb[i] = stop ? i : b->nb[i + 1];
    }
    // A trailing forced penalty ends the paragraph; otherwise the end does.
    b->implicit_end = n > 0 && !(items[n - 1].type == GL_ITEM_PENALTY
                                 && items[n - 1].penalty <= -GL_BRK_INF);
    b->last_break = b->implicit_end ? n : (n ? n - 1 : 0);
    return 0;
}

static void brk_free(brk *b)
{
    gl_free(b->sw);
    gl_free(b->sst);
    gl_free(b->ssh);
    gl_free(b->nb);
    gl_free(b->pool);
    gl_free(b->active);
}

static int add_line(brk *b, gl_break_result *out, size_t start, size_t end, size_t lineno,
                    int pass, int *fit)
{
    if (GL_GROW(b->ctx, out->lines, out->cap, out->nlines + 1))
        return -1;
    bool forced = end >= b->n || (b->it[end].type == GL_ITEM_PENALTY
                                  && b->it[end].penalty <= -GL_BRK_INF);
    double L = measure_of(b, lineno);
    totals t = line_totals(b, start, end);
    fitting f = fit_line(b, t, L, forced, 0);
    gl_line *ln = &out->lines[out->nlines++];
    *ln = (gl_line){
        .start = start,
        .end = end,
        .ratio = f.ratio,
        .badness = f.bad,
        .natural = t.w,
        .measure = L,
        .hyphenated = end < b->n && b->it[end].type == GL_ITEM_PENALTY && b->it[end].flagged,
        .forced = forced,
        .overfull = f.overfull,
    };
    ln->emergency = pass >= 3 && (f.bad > b->p.tolerance || f.overfull);
    if (fit)
        *fit = f.fit;
    return 0;
}

/* ------------------------------------------------------------ total fit */

typedef struct {
    size_t group;   /* line class: futures differ only between groups */
    int fit, hyph;
    double total;
    size_t prev, line;
} cand;

static size_t group_of(const brk *b, size_t line)
{
    // TeX §829: lines past the last distinct width are interchangeable, so
    // their breaks need not be told apart by line number (unless looseness
    // asks for a line count).
    if (b->p.looseness != 0 || line + 1 < b->nwidths)
        return line;
    return NONE;
}

/* Whether line `line` is set to a width other than the last (repeating) one. */
static bool early_line(const brk *b, size_t line)
{
    return line + 1 < b->nwidths;
}

static int push_node(brk *b, node nd)
{
    if (GL_GROW(b->ctx, b->pool, b->cappool, b->npool + 1)
        || GL_GROW(b->ctx, b->active, b->capactive, b->nactive + 1))
        return -1;
    b->pool[b->npool] = nd;
    b->active[b->nactive++] = b->npool++;
    b->nearly += early_line(b, nd.line);
    return 0;
}

typedef struct {
    double q;
    size_t node;
} ranked;

#define KEEP_MARK 0x80   /* cap_active: a survivor, in node.fit */

static int by_quality(const void *x, const void *y)
{
    double a = ((const ranked *)x)->q, c = ((const ranked *)y)->q;
    return a < c ? -1 : a > c;
}

/* Keeps the best half of the active list, by demerits per line, when it
 * outgrows max_active: a safety net for degenerate input (zero widths, a
 * huge measure), which normal text never reaches. */
static int cap_active(brk *b)
{
    if (b->p.max_active == 0 || b->nactive <= b->p.max_active)
        return 0;
    ranked *r = gl_malloc(b->ctx, b->nactive * sizeof *r);
    if (!r)
        return -1;
    for (size_t i = 0; i < b->nactive; i++) {
        const node *x = &b->pool[b->active[i]];
        r[i] = (ranked){x->total / (double)(x->line + 1), b->active[i]};
    }
    qsort(r, b->nactive, sizeof *r, by_quality);
    size_t keep = b->p.max_active / 2 ? b->p.max_active / 2 : 1;
    // Keep the survivors in their original order (by line start): mark
    // them in the pool through their position, then compact.
    for (size_t i = 0; i < keep; i++)
        b->pool[r[i].node].fit |= KEEP_MARK;
    size_t j = 0;
    b->nearly = 0;
    for (size_t i = 0; i < b->nactive; i++) {
        node *x = &b->pool[b->active[i]];
        if (x->fit & KEEP_MARK) {
            x->fit &= (unsigned char)~KEEP_MARK;
            b->active[j++] = b->active[i];
            b->nearly += early_line(b, x->line);
        }
    }
    b->nactive = j;
    gl_free(r);
    return 0;
}

/* Whether the line from node a to a break at cur (not a forced one) is too
 * short to be feasible in this pass however much its glue stretches, or
 * starts after cur: then a neither gives a candidate nor is deactivated. */
static bool too_short(const brk *b, const node *a, size_t cur, int pass)
{
    if (a->start > cur)
        return true;
    double L = measure_of(b, a->line);
    totals t = line_totals(b, a->start, cur);
    if (!(t.w < L - b->eps))
        return false;
    double give = t.st + (pass == 3 ? b->p.emergency_stretch * L : 0);
    // badness(L - t.w, give) > threshold without a division: the ratio
    // beyond rmax.  rmax errs a hair high, so a line it calls too short is
    // too short by badness too; one at the edge is left for try_break.
    return give <= 0 || L - t.w > give * b->rmax;
}

/* The first active node that is too short for a break at cur, by binary
 * search: every node after it is too short as well.  Only valid when no box
 * or glue is narrower than zero and every active node's next line has the
 * same measure: the active nodes are in order of their line starts, so a
 * later node's line has no more width and no more stretch than an earlier
 * one's, and its badness (for an underfull line) is no smaller — in
 * floating point too, as prefix sums of non-negative terms never decrease
 * and rounding is monotonic.  In CJK text, where every character is a
 * breakpoint, this skips most of the active list (TeX would have to visit
 * it all). */
static size_t first_too_short(const brk *b, size_t cur, int pass)
{
    size_t lo = 0, hi = b->nactive;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (too_short(b, &b->pool[b->active[mid]], cur, pass))
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* Considers breaking at cur from every active node (TeX's try_break). */
static int try_break(brk *b, size_t cur, bpoint bp, int pass, bool final_pass, cand **cands,
                     size_t *capc)
{
    const gl_break_params *p = &b->p;
    // Pass 4 takes any line that is not overfull, however loose.
    double threshold = pass == 1 ? p->pretolerance : pass == 4 ? INFINITY : p->tolerance;
    bool last = cur == b->last_break;
    int hcap = p->max_hyphen_lines > 0 ? p->max_hyphen_lines : 1;
    size_t nc = 0, dead = NONE;
    size_t lim = b->nactive;
    if (b->monotone && !bp.forced && b->nearly == 0 && threshold < INF_BAD)
        lim = first_too_short(b, cur, pass);
    // Room for a candidate per node looked at, plus the fallback's.
    if (GL_GROW(b->ctx, *cands, *capc, lim + 1))
        return -1;
    // line_totals(b, a->start, cur) with the terms at cur taken once.
    double w_cur = b->sw[cur], st_cur = b->sst[cur], sh_cur = b->ssh[cur];
    double pen_w = cur < b->n && b->it[cur].type == GL_ITEM_PENALTY ? b->it[cur].width : 0;
    size_t kept = 0;   // active nodes kept so far (stable compaction)
    for (size_t i = 0; i < lim; i++) {
        const node *a = &b->pool[b->active[i]];
        if (a->start > cur) {  // cur lies in the glue discarded after a
            b->active[kept++] = b->active[i];
            continue;
        }
        double L = measure_of(b, a->line);
        totals t = {w_cur - b->sw[a->start], st_cur - b->sst[a->start], sh_cur - b->ssh[a->start]};
        if (pen_w != 0)
            t.w += pen_w;
        double extra = pass == 3 ? p->emergency_stretch * L : 0;
        fitting f = fit_line(b, t, L, bp.forced, extra);
        bool deactivate = f.overfull || bp.forced;
        bool feasible = !f.overfull && f.bad <= threshold;
        int nh = bp.flagged ? a->hyph + 1 : 0;
        bool too_many = p->max_hyphen_lines > 0 && nh > p->max_hyphen_lines;
        // The fallback pass prefers one hyphen too many to an overfull
        // line: allowed, at a cost above any sum of ordinary demerits.
        if (too_many && pass != 4)
            feasible = false;
        if (feasible) {
            double d = demerits(p, f.bad, bp, a->hyph > 0, f.fit, a->fit, last);
            if (too_many)
                d += HYPHEN_EXCESS;
            int fit = f.fit, hyph = nh > hcap ? hcap : nh;
            cand c = {group_of(b, a->line + 1), fit, hyph, a->total + d, b->active[i],
                      a->line + 1};
            // The fields are compared one by one from locals: gcc otherwise
            // stores fit and hyph and reloads them as one 8-byte word, a
            // failed store forward that cost a quarter of the breaker's time
            // on Chinese text (perf annotate).
            size_t k = 0;
            while (k < nc && !((*cands)[k].group == c.group && (*cands)[k].fit == fit
                               && (*cands)[k].hyph == hyph))
                k++;
            if (k == nc) {
                (*cands)[nc++] = c;
            } else if (c.total < (*cands)[k].total) {
                (*cands)[k] = c;
            }
        }
        if (deactivate) {
            // For the fallback, the most recent break: the overfull line then
            // holds only what lies between two consecutive breaks.
            if (dead == NONE || a->start > b->pool[dead].start
                || (a->start == b->pool[dead].start && a->total < b->pool[dead].total))
                dead = b->active[i];
            b->nearly -= early_line(b, a->line);
        } else {
            b->active[kept++] = b->active[i];
        }
    }
    // The nodes from lim on were not looked at: they stay, in order.
    if (kept < lim)
        memmove(b->active + kept, b->active + lim, (b->nactive - lim) * sizeof *b->active);
    b->nactive = kept + (b->nactive - lim);
    // TeX §854 (artificial_demerits): in the last pass, when nothing can
    // reach this break and nothing else is left, break here anyway from the
    // latest node just lost: the material since it is wider than the line.
    if (final_pass && nc == 0 && b->nactive == 0 && dead != NONE) {
        const node *a = &b->pool[dead];
        int nh = bp.flagged ? a->hyph + 1 : 0;
        if (GL_GROW(b->ctx, *cands, *capc, 1))
            return -1;
        (*cands)[nc++] = (cand){group_of(b, a->line + 1), FIT_DECENT, nh > hcap ? hcap : nh,
                                a->total, dead, a->line + 1};
    }
    // TeX §836 inserts only breaks within adj_demerits of the best one; a
    // break also dominates those with as many or more hyphens in a row,
    // which can only cost more later.
    size_t start = start_after(b, cur);
    for (size_t k = 0; k < nc; k++) {
        const cand *c = &(*cands)[k];
        bool keep = true;
        for (size_t j = 0; j < nc && keep; j++) {
            const cand *o = &(*cands)[j];
            if (j != k && o->group == c->group && o->hyph <= c->hyph
                && o->total + p->adj_demerits < c->total)
                keep = false;
        }
        if (keep && push_node(b, (node){cur, start, c->line, c->prev, c->total,
                                        (unsigned char)c->fit, (unsigned char)c->hyph}))
            return -1;
    }
    return cap_active(b);
}

/* One pass; returns 1 with *best set when the end was reached, 0 when no
 * feasible breaks exist at this pass's tolerance, -1 on OOM. */
static int kp_pass(brk *b, int pass, bool final_pass, size_t *best, cand **cands, size_t *capc)
{
    b->npool = b->nactive = b->nearly = 0;
    if (push_node(b, (node){NONE, 0, 0, NONE, 0, FIT_DECENT, 0}))
        return -1;
    double threshold = pass == 1 ? b->p.pretolerance : b->p.tolerance;
    b->rmax = cbrt(threshold / 100.0) * (1 + 1e-9);
    for (size_t cur = 0; cur <= b->n; cur++) {
        bpoint bp = breakpoint_at(b, cur, pass != 1);
        if (!bp.legal)
            continue;
        if (try_break(b, cur, bp, pass, final_pass, cands, capc))
            return -1;
        if (b->nactive == 0)
            return 0;
        if (cur == b->last_break)
            break;
    }
    // Every node left was made at the final (forced) break.
    size_t bi = NONE;
    for (size_t i = 0; i < b->nactive; i++) {
        size_t k = b->active[i];
        if (b->pool[k].pos == b->last_break && (bi == NONE || b->pool[k].total < b->pool[bi].total))
            bi = k;
    }
    if (bi == NONE)
        return 0;
    if (b->p.looseness != 0) {
        // TeX §875: the line count closest to optimum + looseness.
        long target = (long)b->pool[bi].line + b->p.looseness;
        size_t li = bi;
        for (size_t i = 0; i < b->nactive; i++) {
            const node *x = &b->pool[b->active[i]];
            if (x->pos != b->last_break)
                continue;
            long dx = labs((long)x->line - target), dl = labs((long)b->pool[li].line - target);
            if (dx < dl || (dx == dl && x->total < b->pool[li].total))
                li = b->active[i];
        }
        bi = li;
    }
    *best = bi;
    return 1;
}

int gl_break_total_fit(gl_ctx *ctx, const gl_item *items, size_t n, const double *widths,
                       size_t nwidths, const gl_break_params *params, gl_break_result *out)
{
    brk b;
    cand *cands = NULL;
    size_t capc = 0, *chain = NULL;
    int rc = -1;
    out->nlines = 0;
    out->pass = 0;
    out->demerits = 0;
    GL_CHECK(brk_init(&b, ctx, items, n, widths, nwidths, params));
    if (n == 0) {
        rc = 0;
        goto cleanup;
    }
    size_t best = NONE;
    int pass = 0, found = 0;
    int passes[4], np = 0;
    if (b.p.pretolerance >= 0)
        passes[np++] = 1;
    passes[np++] = 2;
    if (b.p.emergency_stretch > 0)
        passes[np++] = 3;
    passes[np++] = 4;
    for (int k = 0; k < np && !found; k++) {
        pass = passes[k];
        found = kp_pass(&b, pass, pass == 4, &best, &cands, &capc);
        if (found < 0)
            goto cleanup;
    }
    if (!found) {
        gl_error(ctx, GALLEY_ERR_INTERNAL, "line breaker: the fallback pass found no breaks");
        goto cleanup;
    }
    // Walk back from the last break, then emit lines in order.
    size_t nl = b.pool[best].line;
    chain = gl_malloc(ctx, (nl + 1) * sizeof *chain);
    if (!chain)
        goto cleanup;
    size_t k = nl;
    for (size_t x = best; x != NONE; x = b.pool[x].prev)
        chain[k--] = x;
    for (size_t l = 0; l < nl; l++) {
        const node *from = &b.pool[chain[l]], *to = &b.pool[chain[l + 1]];
        GL_CHECK(add_line(&b, out, from->start, to->pos, l, pass, NULL));
    }
    out->pass = pass;
    out->demerits = b.pool[best].total;
    rc = 0;
cleanup:
    gl_free(chain);
    gl_free(cands);
    brk_free(&b);
    if (rc)
        out->nlines = 0;
    return rc;
}

/* ------------------------------------------------------------ first fit */

int gl_break_first_fit(gl_ctx *ctx, const gl_item *items, size_t n, const double *widths,
                       size_t nwidths, const gl_break_params *params, gl_break_result *out)
{
    brk b;
    int rc = -1;
    out->nlines = 0;
    out->pass = 0;
    out->demerits = 0;
    GL_CHECK(brk_init(&b, ctx, items, n, widths, nwidths, params));
    size_t start = 0, line = 0, last_ok = NONE;
    int hyph = 0, prev_fit = FIT_DECENT;
    for (size_t cur = 0; n > 0 && cur <= b.n; cur++) {
        bpoint bp = breakpoint_at(&b, cur, true);
        if (!bp.legal)
            continue;
        for (;;) {
            if (start > cur)
                break;
            double L = measure_of(&b, line);
            totals t = line_totals(&b, start, cur);
            bool fits = t.w - t.sh <= L + b.eps;
            bool hyph_ok = !bp.flagged || b.p.max_hyphen_lines <= 0
                           || hyph < b.p.max_hyphen_lines;
            size_t at;
            if (fits && !bp.forced) {
                if (hyph_ok)
                    last_ok = cur;
                break;
            }
            // Break at cur when forced (or nothing earlier fits: overfull),
            // else at the last break that fitted and look at cur again.
            at = (fits || last_ok == NONE) ? cur : last_ok;
            bpoint ab = breakpoint_at(&b, at, true);
            int fit;
            GL_CHECK(add_line(&b, out, start, at, line, 0, &fit));
            const gl_line *ln = &out->lines[out->nlines - 1];
            out->demerits += demerits(&b.p, ln->badness, ab, hyph > 0, fit, prev_fit,
                                      at == b.last_break);
            prev_fit = fit;
            hyph = ab.flagged ? hyph + 1 : 0;
            start = start_after(&b, at);
            line++;
            last_ok = NONE;
            if (at == cur)
                break;
        }
        if (cur == b.last_break)
            break;
    }
    rc = 0;
cleanup:
    brk_free(&b);
    if (rc)
        out->nlines = 0;
    return rc;
}
