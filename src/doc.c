/*
 * doc.c — the document model (doc.h): a document owns one arena holding its
 * blocks, their text and its metadata; readers append blocks, layout and the
 * EPUB writer only read.  Also language detection and option overrides.
 * Depends on base.c only; knows nothing of readers or back ends.
 */
#define _GNU_SOURCE /* memmem */
#include "doc.h"

#include <stdio.h>
#include <string.h>

/* Every block is allocated as this larger record so that appending to a
 * container is O(1): the last child is cached here rather than in gl_block
 * (which readers and back ends see).  Hence a parent passed to
 * gl_doc_append() must itself come from gl_doc_append(). */
typedef struct {
    gl_block pub;       /* first member: a gl_block * points here */
    gl_block *last;     /* last child, NULL while there is none */
} block_rec;

gl_doc *gl_doc_new(gl_ctx *ctx, const char *source)
{
    gl_doc *doc = gl_calloc(ctx, 1, sizeof *doc);
    if (!doc)
        return NULL;
    doc->ctx = ctx;
    static _Atomic unsigned long serials;
    doc->serial = ++serials;
    gl_arena_init(&doc->arena, ctx);
    // Same fallback name as gl_warn() uses, so diagnostics and metadata agree.
    doc->meta.source = gl_arena_strdup(&doc->arena, source ? source : "<memory>");
    doc->meta.title = "";
    if (!doc->meta.source) {
        gl_doc_free(doc);
        return NULL;
    }
    return doc;
}

void gl_doc_free(gl_doc *doc)
{
    // Iterative over the absorbed chain: a brief of many inputs is a long
    // list, not a deep tree.
    while (doc) {
        gl_doc *next = doc->absorbed;
        gl_arena_free(&doc->arena);
        gl_free(doc);
        doc = next;
    }
}

gl_block *gl_doc_append(gl_doc *doc, gl_block *parent, gl_block_type type,
                        const char *text, size_t len, unsigned line)
{
    block_rec *r = gl_arena_alloc(&doc->arena, sizeof *r);
    if (!r)
        return NULL;
    gl_block *b = &r->pub;
    b->type = type;
    b->line = line;
    if (text) {
        // Copied, so readers may pass scratch buffers; always NUL-terminated.
        char *t = gl_arena_strndup(&doc->arena, text, len);
        if (!t)
            return NULL;
        b->text = t;
        b->len = len;
    }
    if (parent) {
        block_rec *p = (block_rec *)parent;
        if (p->last)
            p->last->next = b;
        else
            parent->children = b;
        p->last = b;
    } else {
        if (doc->last)
            doc->last->next = b;
        else
            doc->first = b;
        doc->last = b;
    }
    doc->nblocks++;
    return b;
}

unsigned gl_block_line_at(const gl_block *b, size_t off)
{
    // line_offs is sorted: the answer is line + the number of entries <= off.
    size_t lo = 0, hi = b->nline_offs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (b->line_offs[mid] <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return b->line + (unsigned)lo;
}

/* A rough "is a letter" for scripts other than Han, without ICU: enough to
 * weigh Han against everything else in gl_doc_detect_lang(). */
static bool is_other_letter(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z');
    return (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7) ||  /* Latin */
           (cp >= 0x370 && cp <= 0x52F) ||                            /* Greek, Cyrillic */
           (cp >= 0x590 && cp <= 0x6FF) ||                            /* Hebrew, Arabic */
           (cp >= 0x900 && cp <= 0xDFF) ||                            /* Indic */
           (cp >= 0x1E00 && cp <= 0x1FFF) ||                          /* Latin/Greek ext */
           (cp >= 0x3041 && cp <= 0x30FF && cp != 0x30FB) ||          /* kana */
           (cp >= 0xAC00 && cp <= 0xD7AF) ||                          /* hangul */
           (cp >= 0xFF21 && cp <= 0xFF3A) || (cp >= 0xFF41 && cp <= 0xFF5A);
}

/* ASCII letters among eight ASCII bytes, all at once: each byte's top bit
 * says whether it lies in a..z once folded to lower case.  Bytes with the
 * top bit set never borrow from their neighbours in the subtractions. */
static unsigned ascii_letters8(uint64_t x)
{
    const uint64_t hi = 0x8080808080808080u, ones = 0x0101010101010101u;
    uint64_t y = x | 0x20 * ones;
    uint64_t ge_a = (y | hi) - 'a' * ones;
    uint64_t le_z = (('z' | 0x80) * ones) - y;
    return (unsigned)__builtin_popcountll(ge_a & le_z & hi);
}

static void count_letters(const char *s, size_t n, size_t *han, size_t *other)
{
    size_t i = 0;
    while (i < n) {
        uint64_t x;
        if (i + 8 <= n && (memcpy(&x, s + i, 8), (x & 0x8080808080808080u) == 0)) {
            *other += ascii_letters8(x);
            i += 8;
            continue;
        }
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {   // ASCII without decoding: most of an English book
            *other += ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
            i++;
            continue;
        }
        uint32_t cp = gl_utf8_next(s, n, &i);
        if (gl_is_han(cp))
            (*han)++;
        else if (is_other_letter(cp))
            (*other)++;
    }
}

static void count_tree(const gl_block *b, size_t *han, size_t *other)
{
    // Iterative over siblings, recursive only into containers (depth is
    // bounded by the reader's nesting, not by the number of blocks).
    for (; b; b = b->next) {
        if (b->text)
            count_letters(b->text, b->len, han, other);
        if (b->children)
            count_tree(b->children, han, other);
    }
}

void gl_doc_detect_lang(gl_doc *doc)
{
    if (!doc->meta.lang || !doc->meta.lang[0]) {
        size_t han = 0, other = 0;
        if (doc->meta.title)
            count_letters(doc->meta.title, strlen(doc->meta.title), &han, &other);
        count_tree(doc->first, &han, &other);
        // "Most letters are Han": strictly more than half.  With no letters
        // at all the default is English.
        doc->meta.lang = han > other ? "zh-Hans" : "en";
    }
    doc->meta.lang_is_cjk = gl_lang_is_cjk(doc->meta.lang);
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!gl_is_space((unsigned char)s[i]))
            return false;
    return true;
}

/* Trims ASCII spaces and a trailing full stop from [*s, *s + *n). */
static void trim_name(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t'))
        (*s)++, (*n)--;
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '.'))
        (*n)--;
}

/* The name in a byline (see gl_doc_author): sets [*name, *name + *n) and
 * returns true, or false. */
static bool byline_name(const char *text, size_t size, const char **name, size_t *n)
{
    // Parts separated by a middle dot or a vertical bar: the first without
    // digits (a date is not a name).
    const char *p = text, *end = text + size;
    while (p < end) {
        const char *q = p;
        while (q < end && strncmp(q, "\xC2\xB7", 2) != 0 && *q != '|')
            q++;
        bool digits = false;
        for (const char *r = p; r < q; r++)
            digits |= *r >= '0' && *r <= '9';
        if (!digits) {
            const char *s = p;
            size_t len = (size_t)(q - p);
            trim_name(&s, &len);
            if (len > 3 && (strncmp(s, "By ", 3) == 0 || strncmp(s, "by ", 3) == 0))
                s += 3, len -= 3;
            for (size_t k = 0; k + 1 < len; k++)
                if ((s[k] == ',' || s[k] == '.') && s[k + 1] == ' ') {
                    len = k;
                    break;
                }
            trim_name(&s, &len);
            if (len == 0 || len > 80)
                return false;
            *name = s;
            *n = len;
            return true;
        }
        p = q < end ? q + (*q == '|' ? 1 : 2) : end;
    }
    return false;
}

/* Trims ASCII and ideographic spaces from both ends of [*s, *s + *n). */
static void trim_wide(const char **s, size_t *n)
{
    for (;;) {
        if (*n && (**s == ' ' || **s == '\t'))
            (*s)++, (*n)--;
        else if (*n >= 3 && memcmp(*s, "\xE3\x80\x80", 3) == 0)
            *s += 3, *n -= 3;
        else
            break;
    }
    for (;;) {
        if (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
            (*n)--;
        else if (*n >= 3 && memcmp(*s + *n - 3, "\xE3\x80\x80", 3) == 0)
            *n -= 3;
        else
            break;
    }
}

/* A Chinese byline: "曹雪芹　著", "［清］曹雪芹 著　高鹗 续", "鲁迅 编",
 * "作者：张三".  The name is what comes before the first authorship word
 * (著 撰 编 译 述), without a leading bracketed dynasty or country, or what
 * follows 作者：.  Nothing that reads as a sentence (。，！？；) passes. */
static bool cjk_byline(const char *text, size_t size, const char **name, size_t *n)
{
    const char *s = text;
    size_t len = size;
    trim_wide(&s, &len);
    if (len == 0 || len > 90)
        return false;
    static const char *const stops[] = {"\xE3\x80\x82", "\xEF\xBC\x8C", "\xEF\xBC\x81",
                                        "\xEF\xBC\x9F", "\xEF\xBC\x9B"};
    for (size_t i = 0; i < sizeof stops / sizeof *stops; i++)
        if (memmem(s, len, stops[i], 3))
            return false;
    static const char *const author_of[] = {"\xE4\xBD\x9C\xE8\x80\x85\xEF\xBC\x9A",
                                            "\xE4\xBD\x9C\xE8\x80\x85:"};   // 作者： 作者:
    for (size_t i = 0; i < 2; i++) {
        size_t k = strlen(author_of[i]);
        if (len > k && memcmp(s, author_of[i], k) == 0) {
            s += k, len -= k;
            trim_wide(&s, &len);
            *name = s;
            *n = len;
            return len > 0 && len <= 60;
        }
    }
    // 著 撰 编 译 述, as the last word of the name's part
    static const char *const marks[] = {"\xE8\x91\x97", "\xE6\x92\xB0", "\xE7\xBC\x96",
                                        "\xE8\xAF\x91", "\xE8\xBF\xB0"};
    const char *cut = NULL;
    for (size_t i = 0; i < sizeof marks / sizeof *marks; i++) {
        const char *m = memmem(s, len, marks[i], 3);
        if (m && (!cut || m < cut))
            cut = m;
    }
    if (!cut)
        return false;
    // the mark ends the paragraph or is followed by a space (then another
    // contributor): "曹雪芹 著　高鹗 续", not "著名作家" inside a sentence
    const char *after = cut + 3, *end = s + len;
    if (after < end && *after != ' ' && !(end - after >= 3 && memcmp(after, "\xE3\x80\x80", 3) == 0))
        return false;
    size_t nl = (size_t)(cut - s);
    trim_wide(&s, &nl);
    // a leading [清] ［清］ （清） 〔清〕 says when, not who
    static const char *const opens[][2] = {{"[", "]"}, {"\xEF\xBC\xBB", "\xEF\xBC\xBD"},
                                           {"\xEF\xBC\x88", "\xEF\xBC\x89"},
                                           {"\xE3\x80\x94", "\xE3\x80\x95"}};
    for (size_t i = 0; i < sizeof opens / sizeof *opens; i++) {
        size_t ko = strlen(opens[i][0]);
        if (nl > ko && memcmp(s, opens[i][0], ko) == 0) {
            const char *close = memmem(s + ko, nl - ko, opens[i][1], strlen(opens[i][1]));
            if (close) {
                size_t skip = (size_t)(close - s) + strlen(opens[i][1]);
                s += skip, nl -= skip;
                trim_wide(&s, &nl);
            }
            break;
        }
    }
    if (nl == 0 || nl > 60)
        return false;
    *name = s;
    *n = nl;
    return true;
}

/* The author named by a leading byline paragraph (see gl_doc_author). */
static bool byline_para(const gl_block *b, const char **name, size_t *n)
{
    if (!b || b->type != GL_B_PARA || b->len == 0 || b->len > 200)
        return false;
    bool italic = b->nspans > 0;
    for (size_t i = 0; i < b->nspans && italic; i++)
        if (!(b->spans[i].style & GL_S_ITALIC) && !blank(b->text + b->spans[i].off,
                                                           b->spans[i].len))
            italic = false;
    if (italic)
        return byline_name(b->text, b->len, name, n);
    if (b->nspans == 0 && b->len <= 100 && b->len > 4 && strncmp(b->text, "By ", 3) == 0 &&
        b->text[3] >= 'A' && b->text[3] <= 'Z' && !memchr(b->text, '\n', b->len))
        return byline_name(b->text, b->len, name, n);   // a plain "By Jane Roe"
    return b->nspans == 0 && cjk_byline(b->text, b->len, name, n);
}

char *gl_doc_author(gl_ctx *ctx, const gl_doc *doc)
{
    gl_buf out;
    gl_buf_init(&out, ctx);
    const char *by = doc->meta.byline;
    if (by && !blank(by, strlen(by)))
        return gl_buf_puts(&out, by) ? NULL : out.data;
    size_t nart = gl_doc_articles(doc, NULL, 0);
    gl_article_ref *arts = gl_calloc(ctx, nart ? nart : 1, sizeof *arts);
    if (!arts)
        return NULL;
    gl_doc_articles(doc, arts, nart);
    const char *sep = doc->meta.lang_is_cjk ? "\xE3\x80\x81" : "; ";
    struct {
        const char *s;
        size_t n;
    } names[3];
    size_t nnames = 0;
    int rc = 0;
    for (size_t i = 0; i < nart && rc == 0; i++) {
        const char *s = arts[i].meta->byline;
        size_t n = s ? strlen(s) : 0;
        if (s && !blank(s, n) ? !byline_name(s, n, &s, &n) : !byline_para(arts[i].first, &s, &n))
            continue;
        // Distinct names only (a book's chapters repeat their author).
        bool seen = false;
        for (size_t k = 0; k < nnames; k++)
            seen |= names[k].n == n && memcmp(names[k].s, s, n) == 0;
        if (seen)
            continue;
        if (nnames == 3) {
            rc |= gl_buf_puts(&out, doc->meta.lang_is_cjk ? "\xE7\xAD\x89" : " et al.");
            break;
        }
        names[nnames].s = s;
        names[nnames++].n = n;
        if (out.len)
            rc |= gl_buf_puts(&out, sep);
        rc |= gl_buf_put(&out, s, n);
    }
    gl_free(arts);
    if (rc || out.len == 0) {
        gl_buf_free(&out);
        return NULL;
    }
    return out.data;
}

int gl_doc_apply_options(gl_doc *doc, const galley_options *opt)
{
    if (!opt)
        return 0;
    if (opt->title) {
        const char *t = gl_arena_strdup(&doc->arena, opt->title);
        if (!t)
            return -1;
        doc->meta.title = t;
    }
    if (opt->subtitle) {
        const char *t = gl_arena_strdup(&doc->arena, opt->subtitle);
        if (!t)
            return -1;
        doc->meta.subtitle = t;
    }
    if (opt->author) {
        const char *a = gl_arena_strdup(&doc->arena, opt->author);
        if (!a)
            return -1;
        doc->meta.byline = a;
    }
    // An empty language tag is no tag: meta.lang must stay meaningful.
    if (opt->lang && opt->lang[0]) {
        const char *l = gl_arena_strdup(&doc->arena, opt->lang);
        if (!l)
            return -1;
        doc->meta.lang = l;
    }
    if (doc->meta.lang)
        doc->meta.lang_is_cjk = gl_lang_is_cjk(doc->meta.lang);
    // An explicit language is the language of every article too.
    if (opt->lang && opt->lang[0])
        for (gl_block *b = doc->first; b; b = b->next)
            if (b->type == GL_B_ARTICLE && b->meta) {
                gl_meta *am = gl_doc_article_meta(b);
                am->lang = doc->meta.lang;
                am->lang_is_cjk = doc->meta.lang_is_cjk;
            }
    return 0;
}

bool gl_lang_is_cjk(const char *lang)
{
    if (!lang)
        return false;
    // Compare the primary subtag (BCP 47 §2.2.1), case-insensitively; "_"
    // is accepted as a separator too since POSIX locales use it.
    size_t n = 0;
    char p[4];
    while (lang[n] && lang[n] != '-' && lang[n] != '_') {
        if (n == 3)
            return false;
        char c = lang[n];
        p[n++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
    p[n] = 0;
    static const char *const cjk[] = {"zh", "ja", "ko", "cmn", "yue", "jpn", "kor", "zho"};
    for (size_t i = 0; i < sizeof cjk / sizeof cjk[0]; i++)
        if (strcmp(p, cjk[i]) == 0)
            return true;
    return false;
}

/* ================================================================ articles */

gl_block *gl_doc_add_article(gl_doc *doc, unsigned line)
{
    gl_meta *m = gl_arena_alloc(&doc->arena, sizeof *m);
    if (!m)
        return NULL;
    m->title = "";
    m->lang = doc->meta.lang;
    m->lang_is_cjk = doc->meta.lang_is_cjk;
    m->source = doc->meta.source;
    gl_block *b = gl_doc_append(doc, NULL, GL_B_ARTICLE, NULL, 0, line);
    if (!b)
        return NULL;
    b->meta = m;
    doc->narticles++;
    return b;
}

gl_meta *gl_doc_article_meta(gl_block *article)
{
    // The meta was allocated writable in gl_doc_add_article; the const in
    // gl_block only keeps back ends from changing it.
    return (gl_meta *)article->meta;
}

size_t gl_doc_articles(const gl_doc *doc, gl_article_ref *out, size_t cap)
{
    size_t n = 0;
    const gl_block *b = doc->first;
    if (!b) {
        if (cap)
            out[0] = (gl_article_ref){.meta = &doc->meta};
        return 1;
    }
    while (b) {
        gl_article_ref r = {0};
        if (b->type == GL_B_ARTICLE) {
            r.meta = b->meta ? b->meta : &doc->meta;
            r.first = b->children;
            r.block = b;
            b = b->next;
        } else {
            // A run of loose blocks up to the next article is one implicit
            // article with the doc's metadata.
            r.meta = &doc->meta;
            r.first = b;
            while (b && b->type != GL_B_ARTICLE)
                b = b->next;
            r.end = b;
        }
        if (n < cap)
            out[n] = r;
        n++;
    }
    return n;
}

/* Re-parents a chain of blocks under a new article block of dst. */
static void adopt_chain(gl_block *art, gl_block *first, gl_block *last)
{
    block_rec *r = (block_rec *)art;
    art->children = first;
    r->last = last;
}

int gl_doc_absorb(gl_doc *dst, gl_doc *src)
{
    // Allocate everything first (from dst's arena) so that a failure leaves
    // both docs as they were.
    gl_block *wrap_dst, *wrap_src;
    gl_block *dfirst = dst->first, *dlast = dst->last;
    bool dst_implicit = dst->first && dst->first->type != GL_B_ARTICLE;
    bool src_implicit = !src->first || src->first->type != GL_B_ARTICLE;
    if (dst_implicit) {
        gl_meta *m = gl_arena_alloc(&dst->arena, sizeof *m);
        if (!m)
            return -1;
        *m = dst->meta;
        // Detach dst's blocks, then add the article block at the top level.
        dst->first = dst->last = NULL;
        wrap_dst = gl_doc_append(dst, NULL, GL_B_ARTICLE, NULL, 0, dfirst->line);
        if (!wrap_dst) {
            dst->first = dfirst;
            dst->last = dlast;
            return -1;
        }
        wrap_dst->meta = m;
        adopt_chain(wrap_dst, dfirst, dlast);
        dst->narticles++;
    }
    if (src_implicit) {
        gl_meta *m = gl_arena_alloc(&dst->arena, sizeof *m);
        block_rec *r = m ? gl_arena_alloc(&dst->arena, sizeof *r) : NULL;
        if (!r)
            return -1;  // dst is still valid (possibly wrapped): not a loss
        *m = src->meta;
        wrap_src = &r->pub;
        wrap_src->type = GL_B_ARTICLE;
        wrap_src->line = src->first ? src->first->line : 1;
        wrap_src->meta = m;
        adopt_chain(wrap_src, src->first, src->last);
        if (dst->last)
            dst->last->next = wrap_src;
        else
            dst->first = wrap_src;
        dst->last = wrap_src;
        dst->narticles++;
        dst->nblocks++;
    } else {
        if (dst->last)
            dst->last->next = src->first;
        else
            dst->first = src->first;
        dst->last = src->last;
        dst->narticles += src->narticles;
    }
    dst->nblocks += src->nblocks;
    dst->nnotes += src->nnotes;
    // dst now owns src's arena (and whatever src had absorbed).
    gl_doc *tail = src;
    while (tail->absorbed)
        tail = tail->absorbed;
    tail->absorbed = dst->absorbed;
    dst->absorbed = src;
    src->first = src->last = NULL;
    return 0;
}

/* ================================================================ images */

int gl_image_probe(gl_ctx *ctx, const char *source, const gl_block *img, gl_image_info *out)
{
    memset(out, 0, sizeof *out);
    const char *path = img->path ? img->path : img->src;
    if (!source)
        source = "<memory>";
    if (img->outside)
        return gl_error(ctx, GALLEY_ERR_INPUT,
                        "%s:%u: image '%s' is outside the input's folder; allow its folder "
                        "with --allow-path DIR", source, img->line, img->src ? img->src : path);
    if (!path || !path[0])
        return gl_error(ctx, GALLEY_ERR_INPUT, "%s:%u: image with an empty path", source,
                        img->line);
    FILE *f = fopen(path, "rb");
    if (!f)
        return gl_error(ctx, GALLEY_ERR_INPUT, "%s:%u: image '%s' is missing or unreadable",
                        source, img->line, path);
    // Read it whole: images are embedded whole anyway, and checking the
    // chunk CRCs needs every byte.
    gl_buf b;
    gl_buf_init(&b, ctx);
    char chunk[65536];
    size_t got;
    int rc = 0;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (gl_buf_put(&b, chunk, got)) {
            rc = -1;
            break;
        }
    bool rerr = ferror(f);
    fclose(f);
    if (rc == 0 && rerr)
        rc = gl_error(ctx, GALLEY_ERR_INPUT, "%s:%u: cannot read image '%s'", source, img->line,
                      path);
    if (rc == 0) {
        const unsigned char *d = (const unsigned char *)(b.data ? b.data : "");
        const char *why = gl_image_check(d, b.len, out);
        if (!why)
            rc = gl_error(ctx, GALLEY_ERR_INPUT, "%s:%u: image '%s' is not a PNG or JPEG image",
                          source, img->line, path);
        else if (why[0])
            rc = gl_error(ctx, GALLEY_ERR_INPUT, "%s:%u: image '%s': %s", source, img->line, path,
                          why);
    }
    gl_buf_free(&b);
    return rc;
}

/* The title of a document without one: the file's base name without its
 * extension, or "Untitled" for stdin and in-memory input. */
int gl_doc_title_from_source(gl_doc *doc, const char *source)
{
    const char *t = "Untitled";
    size_t n = strlen(t);
    if (source && !(source[0] == '<' && source[strlen(source) - 1] == '>')) {
        const char *base = source;
        for (const char *p = source; *p; p++)
            if (*p == '/' || *p == '\\')
                base = p + 1;
        size_t bn = strlen(base);
        const char *dot = strrchr(base, '.');
        if (dot && dot > base)  // ".profile" has no extension
            bn = (size_t)(dot - base);
        if (bn) {
            t = base;
            n = bn;
        }
    }
    // The name may be any bytes; the title must be valid UTF-8 without
    // control characters, like the text.
    gl_buf b;
    gl_buf_init(&b, doc->ctx);
    for (size_t i = 0; i < n;) {
        uint32_t cp = gl_utf8_next(t, n, &i);
        if (!(cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) && gl_buf_put_cp(&b, cp))
            break;
    }
    const char *title = doc->ctx->oom ? NULL : gl_arena_strndup(&doc->arena, b.data ? b.data : "", b.len);
    gl_buf_free(&b);
    if (!title)
        return -1;
    doc->meta.title = title;
    return 0;
}
