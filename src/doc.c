/*
 * doc.c — the document model (doc.h): a document owns one arena holding its
 * blocks, their text and its metadata; readers append blocks, layout and the
 * EPUB writer only read.  Also language detection and option overrides.
 * Depends on base.c only; knows nothing of readers or back ends.
 */
#include "doc.h"

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
    if (!doc)
        return;
    gl_arena_free(&doc->arena);
    gl_free(doc);
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

static void count_letters(const char *s, size_t n, size_t *han, size_t *other)
{
    size_t i = 0;
    while (i < n) {
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
