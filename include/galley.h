/*
 * galley.h — the public C API of galley, a publisher of text and Markdown
 * documents as print PDF and EPUB 3.
 *
 * This header is the manual.  Every function states who owns what it
 * returns, what it does with NULL, and what it returns on failure.
 *
 * Model of use:
 *
 *     galley_ctx *ctx = galley_ctx_new();
 *     galley_doc *doc = NULL;
 *     galley_options opt;
 *     galley_options_init(&opt);
 *     if (galley_read_file(ctx, "article.txt", &opt, &doc) == GALLEY_OK
 *         && galley_write_pdf(ctx, doc, &opt, "article.pdf") == GALLEY_OK)
 *         ...;
 *     else fprintf(stderr, "%s\n", galley_errmsg(ctx));
 *     galley_doc_free(doc);
 *     galley_ctx_free(ctx);
 *
 * Threads: a context and everything made with it belong to one thread at a
 * time.  Separate contexts may be used from separate threads at once (the
 * first galley_ctx_new() does the process-wide set-up, once, safely).
 *
 * Fonts: a new context looks for galley's bundled fonts in $GALLEY_FONT_DIR,
 * else in PREFIX/share/galley/fonts when the library is installed under
 * PREFIX (found from the library's own location), else in the directory
 * compiled in (the source tree's fonts/); galley_set_font_dir() overrides.
 *
 * Hyphenation: in the PDF, English text (language "en" or "en-...") is
 * hyphenated unless galley_options.hyphenate is 0, with libhyphen's
 * patterns hyph_en.dic or else hyph_en_US.dic, taken from $GALLEY_HYPH_DIR
 * when it is set (non-empty) and holds one, else from /usr/share/hyphen
 * (Debian's hyphen-en-us).  The dictionary is looked for each time a PDF is
 * laid out; when there is none the text is set without hyphens and a
 * warning says so (a diagnostic, not a failure).  The EPUB gets no hyphens
 * from galley: reading systems reflow it.
 *
 * Input never fails: malformed bytes become U+FFFD and problems in the text
 * become diagnostics (warnings with source, line and column).  Only I/O,
 * out-of-memory, missing or unusable fonts and back-end errors fail a call.
 *
 * Arguments: a pointer argument must not be NULL unless its description
 * says what NULL means.  Every function that returns a galley_status checks
 * this before anything else and returns GALLEY_ERR_ARG for a NULL one, with
 * the message "<function>: NULL <argument>" on ctx; when ctx itself is
 * NULL there is nowhere to put a message, and galley_errmsg(NULL) says
 * "no context".  Where a description says an out-parameter is NULL or 0
 * on failure, that holds for this failure too.  The functions that return
 * no status accept NULL for every pointer: the _free and _clear functions
 * and galley_options_init() then do nothing, and the queries return what
 * their description says for a NULL argument.
 */
#ifndef GALLEY_H
#define GALLEY_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(GALLEY_BUILDING) && defined(__GNUC__)
#define GALLEY_API __attribute__((visibility("default")))
#else
#define GALLEY_API
#endif

#define GALLEY_VERSION_MAJOR 0
#define GALLEY_VERSION_MINOR 1
#define GALLEY_VERSION_PATCH 0
#define GALLEY_VERSION_STRING "0.1.0"

/* Returns the library's version, e.g. "0.1.0".  Static storage; never NULL. */
GALLEY_API const char *galley_version_string(void);

/* Status codes.  The numeric values are stable. */
typedef enum {
    GALLEY_OK = 0,
    GALLEY_ERR_NOMEM = 1,   /* an allocation failed */
    GALLEY_ERR_IO = 2,      /* reading an input or writing an output failed */
    GALLEY_ERR_ARG = 3,     /* invalid argument or option value */
    GALLEY_ERR_FONT = 4,    /* a font is missing, unreadable or not OpenType/TrueType */
    GALLEY_ERR_BACKEND = 5, /* libharu, libxml2 or libzip reported an error */
    GALLEY_ERR_INTERNAL = 6,/* a bug in galley */
    GALLEY_ERR_INPUT = 7    /* a file the document refers to (an image) is
                               missing, unreadable or corrupt */
} galley_status;

/* Opaque context: diagnostics, the last error, font search paths. */
typedef struct galley_ctx galley_ctx;
/* Opaque document: read once, published any number of times. */
typedef struct galley_doc galley_doc;

/* Returns a new context, or NULL when memory is exhausted.
 * Caller owns it; free with galley_ctx_free(). */
GALLEY_API galley_ctx *galley_ctx_new(void);
/* Frees the context and everything it holds (messages, diagnostics, the
 * page map of the last PDF).  NULL is a no-op. */
GALLEY_API void galley_ctx_free(galley_ctx *ctx);

/* The message of the last failed call on ctx ("" when none).
 * Borrowed: valid until the next call on ctx.  For a NULL ctx, the static
 * string "no context". */
GALLEY_API const char *galley_errmsg(const galley_ctx *ctx);

/* Sets the directory holding galley's bundled fonts ("fonts/" of the source
 * tree, or the installed share directory).  The string is copied.
 * Returns GALLEY_OK, GALLEY_ERR_ARG (NULL ctx or dir) or GALLEY_ERR_NOMEM. */
GALLEY_API galley_status galley_set_font_dir(galley_ctx *ctx, const char *dir);
/* The directory ctx takes galley's bundled fonts from (see "Fonts" above).
 * Borrowed: valid until galley_set_font_dir() or galley_ctx_free().  NULL
 * for a NULL ctx, never NULL otherwise. */
GALLEY_API const char *galley_font_dir(const galley_ctx *ctx);

/* ---------------------------------------------------------------- diagnostics */

typedef enum { GALLEY_WARNING = 1, GALLEY_ERROR = 2 } galley_severity;

typedef struct {
    galley_severity severity;
    const char *source;  /* file name as given, or "<stdin>"; never NULL */
    unsigned line;       /* 1-based; 0 when the diagnostic has no position */
    unsigned column;     /* 1-based, in code points; 0 when unknown */
    const char *message; /* one line, no trailing newline */
} galley_diag;

/* Number of diagnostics collected on ctx since it was made (or cleared);
 * 0 for a NULL ctx. */
GALLEY_API size_t galley_diag_count(const galley_ctx *ctx);
/* The i-th diagnostic, or NULL when i is out of range or ctx is NULL.
 * Borrowed: valid until galley_diag_clear() or galley_ctx_free(). */
GALLEY_API const galley_diag *galley_diag_get(const galley_ctx *ctx, size_t i);
/* Forgets all diagnostics.  NULL is a no-op. */
GALLEY_API void galley_diag_clear(galley_ctx *ctx);

/* ---------------------------------------------------------------- options */

/* Punctuation width style for CJK text (W3C CLREQ §3.1.6): gb compresses
 * full-width marks to half width at line ends and between adjacent marks
 * (mainland fonts, marks at the left of the em box); full never
 * compresses; centered compresses only between adjacent marks (TW/HK fonts,
 * marks in the middle of the em box). */
typedef enum { GALLEY_PUNCT_GB = 0, GALLEY_PUNCT_FULL, GALLEY_PUNCT_CENTERED } galley_cjk_punct;

/* Paragraph breaking: Knuth–Plass total fit (default), or first fit. */
typedef enum { GALLEY_LINEBREAK_OPTIMAL = 0, GALLEY_LINEBREAK_FIRST_FIT } galley_linebreak;

/* Fonts in the EPUB: NONE relies on the reader's fonts; SUBSET embeds the
 * faces the text uses, cut down to the characters of the book; FULL embeds
 * those faces whole (every character they cover). */
typedef enum {
    GALLEY_EPUB_FONTS_AUTO = 0,
    GALLEY_EPUB_FONTS_NONE,
    GALLEY_EPUB_FONTS_SUBSET,
    GALLEY_EPUB_FONTS_FULL
} galley_epub_fonts;

typedef struct {
    unsigned version;       /* set by galley_options_init(); do not change */
    /* Metadata overrides (NULL: take from the document). Borrowed. */
    const char *title;
    const char *subtitle;   /* a brief's or book's subtitle (cover page) */
    const char *author;
    const char *lang;       /* BCP 47, e.g. "en", "zh-Hans"; NULL: detect */
    const char *identifier; /* EPUB dc:identifier; NULL: derived from content */
    /* Page geometry in points.  Defaults: A4; margins 25 mm, 28 mm at the foot. */
    double page_width_pt, page_height_pt;
    double margin_top_pt, margin_right_pt, margin_bottom_pt, margin_left_pt;
    double font_size_pt;    /* body size; default 11 */
    double leading;         /* line height / size; 0: 1.4, or 1.75 for Chinese */
    /* Fonts (NULL: the bundled defaults).  A path, optionally "path:index"
     * for a face of a collection (.ttc, .otc); TrueType or CFF outlines.
     * Borrowed. */
    const char *font_regular, *font_bold, *font_italic, *font_bold_italic;
    const char *cjk_font;
    /* Each font above, and mono_font, may instead name an installed family
     * ("DejaVu Serif", found through fontconfig): the family's face of
     * that style.  A value is a file when it has a '/', names an existing
     * file, or ends in .ttf/.otf/.ttc/.otc (":N" after it allowed).  Bold,
     * italic and bold italic left NULL follow font_regular's family (for a
     * file: its family's faces in the file's folder), and the CJK headings
     * take cjk_font's family's bold when it has one.  An unknown family is
     * GALLEY_ERR_FONT: "no font family 'X' (closest: A, B)". */
    const char *mono_font;  /* code, regular (its family's bold for bold
                               code); NULL: the bundled Noto Sans Mono */
    /* A character none of the fonts has is set in an installed font that
     * has it (fontconfig; a warning names the font once): 1, the default.
     * 0: drawn as .notdef (output independent of the fonts installed). */
    int font_fallback;
    /* Folders, besides the input's own folder tree, that images may come
     * from (--allow-path).  An image elsewhere is refused when the document
     * is read (GALLEY_ERR_INPUT): input is untrusted.  Borrowed. */
    const char *const *allow_paths;
    size_t nallow_paths;
    galley_cjk_punct cjk_punct;
    galley_linebreak linebreak;
    int hyphenate;          /* English hyphenation; default 1 */
    int continuous;         /* a brief's articles run on instead of each
                               starting a new page; default 0 */
    /* Creation date as seconds since 1970 (UTC); negative: take the
     * document's date, then SOURCE_DATE_EPOCH, then the clock. */
    long long timestamp;
    /* Fonts embedded in the EPUB (--epub-fonts).  AUTO (the default):
     * SUBSET when the text has CJK characters, else NONE. */
    galley_epub_fonts epub_fonts;
    /* Progress of a long publish, for a progress bar: called on the
     * publishing thread as pages are laid out (stage "layout": done = pages
     * so far, total = 0, not known yet) and as the PDF's pages are written
     * (stage "pdf": done of total).  NULL (the default): not called.
     * progress_user is handed back as user. */
    void (*progress)(void *user, const char *stage, size_t done, size_t total);
    void *progress_user;
    /* OpenType features for all text, in the syntax of CSS
     * font-feature-settings, comma-separated: "+onum, -liga", "\"smcp\" 1",
     * "ss01=2".  NULL (the default): the fonts' defaults (kerning, standard
     * ligatures, marks).  Also in the EPUB's stylesheet.  Borrowed. */
    const char *font_features;
} galley_options;

/* Fills *opt with the defaults.  Always call it before setting fields.
 * NULL is a no-op. */
GALLEY_API void galley_options_init(galley_options *opt);

/* Parses a paper name or a size into points in *width_pt and *height_pt
 * (portrait; left as they were on failure).  The names, in any case:
 *     a3 297x420mm   a4 210x297mm   a5 148x210mm   a6 105x148mm
 *     b5 176x250mm   b6 125x176mm   16k 184x260mm
 *     letter 8.5x11in   legal 8.5x14in
 * A size is "WxH" with a unit of mm, cm, in or pt after the second number
 * ("148x210mm", "6x9in", "420x595pt"), at least 1 inch each way.
 * Returns GALLEY_OK or GALLEY_ERR_ARG (message on ctx). */
GALLEY_API galley_status galley_parse_paper(galley_ctx *ctx, const char *spec,
                                            double *width_pt, double *height_pt);
/* Parses margins into opt's four margin fields: one length for all four
 * sides, two ("vertical,horizontal") or four ("top,right,bottom,left", CSS
 * order), each a number with a unit (mm, cm, in, pt); a bare number is mm.
 * Returns GALLEY_OK or GALLEY_ERR_ARG. */
GALLEY_API galley_status galley_parse_margins(galley_ctx *ctx, const char *spec,
                                              galley_options *opt);
/* Sets one option from its name and value as text: the way the galley
 * command, manifests and Markdown front matter set options (one table
 * serves all three).  The name is the command line's long option without
 * "--": title, subtitle, author, lang, identifier, continuous, paper,
 * margins, font-size, leading, font, font-bold, font-italic,
 * font-bold-italic, cjk-font, mono-font, font-fallback, cjk-punct,
 * linebreak, hyphenate, epub-fonts.
 * Values are those of the command line ("a5", "20,15", "10.5", "full");
 * continuous, font-fallback and hyphenate take true or false.  Text values (title, fonts,
 * ...) are borrowed: value must outlive opt.  Returns GALLEY_OK; or
 * GALLEY_ERR_ARG for a NULL argument, an unknown name or a bad value, with
 * a one-line message on ctx ("invalid cjk-punct 'wide' (gb, full or
 * centered)") and opt unchanged. */
GALLEY_API galley_status galley_options_set(galley_ctx *ctx, galley_options *opt,
                                            const char *name, const char *value);

/* ---------------------------------------------------------------- reading */

/* Reads a document from a file.  The format is the article format or plain
 * text (see README); the reader never fails on content, only on I/O.
 * Markdown front matter may carry the options a manifest takes (see
 * galley_read_inputs()): galley_write_pdf() and _epub() apply them where
 * their opt leaves the defaults, and a bad value fails the read with
 * GALLEY_ERR_INPUT naming the file and line.
 * On success *out is a new document the caller owns (galley_doc_free()).
 * opt may be NULL (defaults).  Returns GALLEY_OK, GALLEY_ERR_IO,
 * GALLEY_ERR_INPUT (a bad option in front matter) or GALLEY_ERR_NOMEM;
 * *out is NULL on failure. */
GALLEY_API galley_status galley_read_file(galley_ctx *ctx, const char *path,
                                          const galley_options *opt, galley_doc **out);
/* Same, from a memory buffer of len bytes (any bytes; need not be NUL-
 * terminated; data may be NULL when len is 0, an empty document).
 * source_name names the input in diagnostics and picks the reader by its
 * extension (NULL: "<memory>"). */
GALLEY_API galley_status galley_read_text(galley_ctx *ctx, const char *data, size_t len,
                                          const char *source_name,
                                          const galley_options *opt, galley_doc **out);
/* Reads several inputs and binds them into one brief: each file becomes
 * an article (a chapter), in order.  A directory stands for its .txt, .md
 * and .markdown files in name order; a .yaml/.yml file is a manifest
 * naming the inputs (relative to it), the brief's metadata (title,
 * subtitle, author, date, lang) and options (paper, margins, font-size,
 * leading, continuous, cjk-punct, linebreak, hyphenate, epub-fonts: the
 * names and values of galley_options_set()), which it writes into *opt
 * where the caller left them at their defaults; a bad value is
 * GALLEY_ERR_INPUT naming the manifest and line.  One plain file gives the same doc as
 * galley_read_file().  The brief's title comes from opt->title, the
 * manifest, else the directory's name or "Brief".  On success *out is a
 * new document the caller owns, and *out is NULL on failure.  opt is
 * required (it is written).  Returns GALLEY_OK, GALLEY_ERR_IO,
 * GALLEY_ERR_INPUT (bad manifest, a directory with no inputs),
 * GALLEY_ERR_ARG (npaths 0, a NULL paths[i], ...) or GALLEY_ERR_NOMEM. */
GALLEY_API galley_status galley_read_inputs(galley_ctx *ctx, const char *const *paths,
                                            size_t npaths, galley_options *opt,
                                            galley_doc **out);

/* Frees a document.  NULL is a no-op. */
GALLEY_API void galley_doc_free(galley_doc *doc);

/* Document metadata after reading and overrides.  Borrowed from doc; NULL
 * when absent or when doc is NULL. */
GALLEY_API const char *galley_doc_title(const galley_doc *doc);
GALLEY_API const char *galley_doc_lang(const galley_doc *doc);

/* ---------------------------------------------------------------- writing */

/* Publishes doc as a PDF at path.  The file is written to a temporary file
 * in the same directory and renamed into place only when complete: on
 * failure an existing file at path is left untouched.  opt may be NULL
 * (defaults).  On success ctx keeps where each printed page of doc begins,
 * for galley_write_epub(); the next successful PDF replaces it.  Returns GALLEY_OK or
 * an error status with the message on ctx. */
GALLEY_API galley_status galley_write_pdf(galley_ctx *ctx, const galley_doc *doc,
                                          const galley_options *opt, const char *path);
/* Publishes doc as an EPUB 3 at path, atomically as galley_write_pdf().
 * opt may be NULL (defaults).  The EPUB gets a page-list (the print
 * edition's page numbers, EPUB Accessibility 1.1) only when the last
 * successful galley_write_pdf() or galley_write_pdf_mem() on the same ctx
 * was of this same doc: write the PDF first, with the same context and
 * document.  Otherwise the EPUB simply has no page-list. */
GALLEY_API galley_status galley_write_epub(galley_ctx *ctx, const galley_doc *doc,
                                           const galley_options *opt, const char *path);

/* Publishes doc as a PDF into memory.  On success *data is a new buffer of
 * *len bytes, the same bytes galley_write_pdf() would write to a file; the
 * caller owns it and frees it with galley_free().  On failure *data is NULL,
 * *len is 0 and the status and message are on ctx.  Diagnostics are
 * collected as for a file.  Returns GALLEY_OK, GALLEY_ERR_ARG (NULL doc,
 * data or len), or the errors of galley_write_pdf(). */
GALLEY_API galley_status galley_write_pdf_mem(galley_ctx *ctx, const galley_doc *doc,
                                              const galley_options *opt,
                                              void **data, size_t *len);
/* Publishes doc as an EPUB 3 into memory, as galley_write_pdf_mem(). */
GALLEY_API galley_status galley_write_epub_mem(galley_ctx *ctx, const galley_doc *doc,
                                               const galley_options *opt,
                                               void **data, size_t *len);
/* Frees a buffer returned by galley_write_pdf_mem() or
 * galley_write_epub_mem().  NULL is a no-op. */
GALLEY_API void galley_free(void *p);

/* ---------------------------------------------------------------- signals */

/* Deletes the temporary files of every output this process is writing at
 * this moment (and the PDF back end's temporary font subsets).  It is
 * async-signal-safe (it only calls unlink), so a SIGINT/SIGTERM handler can
 * call it before re-raising the signal: an interrupted run then leaves the
 * previous outputs as they were and no temporary file behind.  The library
 * installs no signal handlers itself; the galley command does. */
GALLEY_API void galley_remove_temp_files(void);

/* ---------------------------------------------------------------- line breaks */

/* Line-break opportunities of a UTF-8 text by the Unicode line breaking
 * algorithm (UAX #14, ICU's default rules, Unicode 15), as code-point
 * offsets: offset k means a line may break before code point k (counting
 * from 0); the end of the text (k = the number of code points) is always
 * one, mandatory breaks after line separators are included, and 0 never
 * is.  Malformed bytes count as U+FFFD, one per maximal invalid
 * subsequence, as everywhere in galley.  Fills offsets[0..min(*count, max))
 * in ascending order and sets *count to the number of opportunities, which
 * may exceed max (offsets may be NULL when max is 0, to count them).
 * Returns GALLEY_OK; GALLEY_ERR_ARG when ctx, count, or utf8 (len > 0) or
 * offsets (max > 0) is NULL; GALLEY_ERR_NOMEM; GALLEY_ERR_BACKEND when ICU
 * fails.  The `galley breaks` command prints them for lines of stdin. */
GALLEY_API galley_status galley_line_breaks(galley_ctx *ctx, const char *utf8, size_t len,
                                            size_t *offsets, size_t max, size_t *count);

#ifdef __cplusplus
}
#endif
#endif
