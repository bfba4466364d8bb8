/*
 * manifest.h — a brief's YAML manifest (its inputs, metadata and options),
 * and galley's one YAML loader, which Markdown front matter uses too.
 */
#ifndef GL_MANIFEST_H
#define GL_MANIFEST_H

#include "options.h"

/* ---------------------------------------------------------------- YAML */

/* One entry of a YAML mapping whose key is a plain scalar. */
typedef struct {
    const char *key;
    const char *value;         /* a plain value; NULL for a list or a mapping */
    bool list;                 /* the value is a list: items below */
    const char *const *items;  /* a list's plain, non-empty items, in order */
    size_t nitems;
    unsigned line;             /* the key's line (1-based, in the whole file) */
} gl_yaml_pair;

typedef enum {
    GL_YAML_MAP = 0,   /* a mapping: pairs */
    GL_YAML_EMPTY,     /* no YAML document at all (no pairs) */
    GL_YAML_NOT_MAP,   /* a document that is not a mapping (a list, a scalar) */
    GL_YAML_INVALID,   /* not YAML: problem, line, col say why and where */
} gl_yaml_status;

typedef struct {
    gl_arena arena;            /* every string and array below */
    gl_yaml_pair *pairs;       /* in document order (keys that are not plain
                                  scalars are left out) */
    size_t npairs;
    char problem[160];         /* GL_YAML_INVALID: libyaml's words, or "" */
    unsigned line, col;        /* GL_YAML_INVALID: where (1-based, in the file) */
} gl_yaml_map;

/* Loads len bytes of YAML (need not be NUL-terminated) whose first line is
 * line first_line of its file, expecting a mapping of plain keys (the
 * "key: value" lines of a manifest or front matter).  Returns a
 * gl_yaml_status, or -1 with OOM on ctx.  The caller decides what a
 * status other than GL_YAML_MAP means.  Free *m with gl_yaml_map_free()
 * whatever the result. */
int gl_yaml_read_map(gl_ctx *ctx, const char *text, size_t len, unsigned first_line,
                     gl_yaml_map *m);
void gl_yaml_map_free(gl_yaml_map *m);

/* ---------------------------------------------------------------- manifest */

typedef struct {
    gl_arena arena;          /* every string below */
    const char **inputs;     /* as written (relative to the manifest's folder) */
    size_t ninputs, capinputs;
    const char *title, *subtitle, *author, *date, *lang;
    /* Its options (paper, margins, ...: gl_option_in_files), in order, for
     * gl_options_apply(); the values are not checked yet. */
    gl_opt_pair *options;
    size_t noptions;
} gl_manifest;

/* Reads the manifest at path.  Returns 0, or -1 with GALLEY_ERR_IO /
 * GALLEY_ERR_INPUT (naming path and line) on ctx; *m is then empty.
 * Unknown keys are warnings. */
int gl_manifest_read(gl_ctx *ctx, const char *path, gl_manifest *m);
void gl_manifest_free(gl_manifest *m);

#endif
