/*
 * manifest.c — the brief manifest: a YAML file (libyaml) naming a brief's
 * inputs, metadata and options.  Read by galley_read_inputs (galley.c)
 * before the readers run.  libyaml is also used by reader_md.c for front
 * matter; each keeps its own small parse because their shapes differ.
 *
 *   title: Weekly brief          subtitle: ...     author: ...
 *   date: 2024-05-01             lang: en
 *   paper: a5    margins: 15mm   font-size: 10.5   continuous: true
 *   cjk-punct: gb                linebreak: optimal
 *   inputs: [a.txt, notes.md, more/]     (relative to the manifest)
 */
#include "manifest.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

static const char *scalar(yaml_document_t *d, int id)
{
    yaml_node_t *n = yaml_document_get_node(d, id);
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static unsigned line_of(yaml_document_t *d, int id)
{
    yaml_node_t *n = yaml_document_get_node(d, id);
    return n ? (unsigned)n->start_mark.line + 1 : 0;
}

/* Stores a copy of s in the manifest's arena. */
static const char *keep(gl_manifest *m, const char *s)
{
    return s ? gl_arena_strdup(&m->arena, s) : NULL;
}

int gl_manifest_read(gl_ctx *ctx, const char *path, gl_manifest *m)
{
    memset(m, 0, sizeof *m);
    gl_arena_init(&m->arena, ctx);
    char *data = NULL;
    size_t len = 0;
    if (gl_read_file(ctx, path, &data, &len))
        return -1;
    yaml_parser_t p;
    yaml_document_t d;
    int rc = -1;
    bool have_doc = false;
    if (!yaml_parser_initialize(&p)) {
        gl_free(data);
        return gl_oom(ctx);
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
    if (!yaml_parser_load(&p, &d)) {
        gl_error(ctx, GALLEY_ERR_INPUT, "%s:%zu: invalid YAML manifest: %s", path,
                 p.problem_mark.line + 1, p.problem ? p.problem : "syntax error");
        goto cleanup;
    }
    have_doc = true;
    yaml_node_t *root = yaml_document_get_root_node(&d);
    if (!root || root->type != YAML_MAPPING_NODE) {
        gl_error(ctx, GALLEY_ERR_INPUT, "%s:1: a manifest is a YAML mapping (title:, inputs:, ...)",
                 path);
        goto cleanup;
    }
    for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
         pr < root->data.mapping.pairs.top; pr++) {
        const char *k = scalar(&d, pr->key);
        const char *v = scalar(&d, pr->value);
        unsigned line = line_of(&d, pr->key);
        if (!k)
            continue;
        if (!strcmp(k, "inputs")) {
            yaml_node_t *seq = yaml_document_get_node(&d, pr->value);
            if (!seq || seq->type != YAML_SEQUENCE_NODE) {
                gl_error(ctx, GALLEY_ERR_INPUT, "%s:%u: inputs: must be a list of files", path, line);
                goto cleanup;
            }
            for (yaml_node_item_t *it = seq->data.sequence.items.start;
                 it < seq->data.sequence.items.top; it++) {
                const char *f = scalar(&d, *it);
                if (!f || !*f)
                    continue;
                if (GL_GROW(ctx, m->inputs, m->capinputs, m->ninputs + 1))
                    goto cleanup;
                m->inputs[m->ninputs] = keep(m, f);
                if (!m->inputs[m->ninputs])
                    goto cleanup;
                m->ninputs++;
            }
            continue;
        }
        if (!v) {
            gl_warn(ctx, path, line, 0, "manifest key '%s' needs a plain value; ignored", k);
            continue;
        }
        const char **slot = !strcmp(k, "title")       ? &m->title
                          : !strcmp(k, "subtitle")    ? &m->subtitle
                          : !strcmp(k, "author")      ? &m->author
                          : !strcmp(k, "date")        ? &m->date
                          : !strcmp(k, "lang")        ? &m->lang
                          : !strcmp(k, "paper")       ? &m->paper
                          : !strcmp(k, "margins")     ? &m->margins
                          : !strcmp(k, "font-size")   ? &m->font_size
                          : !strcmp(k, "continuous")  ? &m->continuous
                          : !strcmp(k, "cjk-punct")   ? &m->cjk_punct
                          : !strcmp(k, "linebreak")   ? &m->linebreak
                                                      : NULL;
        if (!slot) {
            gl_warn(ctx, path, line, 0, "unknown manifest key '%s'; ignored", k);
            continue;
        }
        if (!(*slot = keep(m, v)))
            goto cleanup;
        if (slot == &m->title)
            m->title_line = line;
    }
    if (m->ninputs == 0) {
        gl_error(ctx, GALLEY_ERR_INPUT, "%s: the manifest names no inputs (inputs: [a.txt, b.md])",
                 path);
        goto cleanup;
    }
    rc = 0;
cleanup:
    if (have_doc)
        yaml_document_delete(&d);
    yaml_parser_delete(&p);
    gl_free(data);
    if (rc)
        gl_manifest_free(m);
    return rc;
}

void gl_manifest_free(gl_manifest *m)
{
    gl_free(m->inputs);
    m->inputs = NULL;
    m->ninputs = 0;
    gl_arena_free(&m->arena);
}
