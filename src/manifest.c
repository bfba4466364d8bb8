/*
 * manifest.c — galley's YAML (libyaml, included by no other file): the one
 * loader of "key: value" mappings, which Markdown front matter uses too
 * (reader_md.c), and the brief manifest read by galley_read_inputs
 * (galley.c) before the readers run:
 *
 *   title: Weekly brief          subtitle: ...     author: ...
 *   date: 2024-05-01             lang: en
 *   paper: a5    margins: 15mm   font-size: 10.5   continuous: true
 *   cjk-punct: gb                linebreak: optimal   (options.c's table)
 *   inputs: [a.txt, notes.md, more/]     (relative to the manifest)
 */
#include "manifest.h"

#include <stdio.h>
#include <string.h>
#include <yaml.h>

/* ================================================================ YAML */

static const char *scalar(yaml_document_t *d, int id)
{
    yaml_node_t *n = yaml_document_get_node(d, id);
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* Copies a mapping's entries into m's arena.  Returns 0 or -1 (OOM). */
static int keep_pairs(gl_yaml_map *m, yaml_document_t *d, yaml_node_t *map, unsigned first_line)
{
    size_t n = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
    m->pairs = gl_arena_alloc(&m->arena, (n ? n : 1) * sizeof *m->pairs);
    if (!m->pairs)
        return -1;
    for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top;
         pr++) {
        const char *k = scalar(d, pr->key);
        if (!k)
            continue;
        gl_yaml_pair *p = &m->pairs[m->npairs];
        p->key = gl_arena_strdup(&m->arena, k);
        if (!p->key)
            return -1;
        p->line = first_line + (unsigned)yaml_document_get_node(d, pr->key)->start_mark.line;
        yaml_node_t *vn = yaml_document_get_node(d, pr->value);
        if (vn && vn->type == YAML_SCALAR_NODE) {
            if (!(p->value = gl_arena_strdup(&m->arena, (const char *)vn->data.scalar.value)))
                return -1;
        } else if (vn && vn->type == YAML_SEQUENCE_NODE) {
            p->list = true;
            size_t cap = (size_t)(vn->data.sequence.items.top - vn->data.sequence.items.start);
            const char **items = gl_arena_alloc(&m->arena, (cap ? cap : 1) * sizeof *items);
            if (!items)
                return -1;
            for (yaml_node_item_t *it = vn->data.sequence.items.start;
                 it < vn->data.sequence.items.top; it++) {
                const char *s = scalar(d, *it);
                if (s && *s && !(items[p->nitems++] = gl_arena_strdup(&m->arena, s)))
                    return -1;
            }
            p->items = items;
        }
        m->npairs++;
    }
    return 0;
}

int gl_yaml_read_map(gl_ctx *ctx, const char *text, size_t len, unsigned first_line,
                     gl_yaml_map *m)
{
    memset(m, 0, sizeof *m);
    gl_arena_init(&m->arena, ctx);
    yaml_parser_t p;
    yaml_document_t d;
    if (!yaml_parser_initialize(&p))
        return gl_oom(ctx);
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    if (!yaml_parser_load(&p, &d)) {
        if (p.error == YAML_MEMORY_ERROR) {
            yaml_parser_delete(&p);
            return gl_oom(ctx);
        }
        snprintf(m->problem, sizeof m->problem, "%s", p.problem ? p.problem : "");
        m->line = first_line + (unsigned)p.problem_mark.line;
        m->col = (unsigned)p.problem_mark.column + 1;
        yaml_parser_delete(&p);
        return GL_YAML_INVALID;
    }
    int rc;
    yaml_node_t *root = yaml_document_get_root_node(&d);
    if (!root)
        rc = GL_YAML_EMPTY;
    else if (root->type != YAML_MAPPING_NODE)
        rc = GL_YAML_NOT_MAP;
    else
        rc = keep_pairs(m, &d, root, first_line) ? -1 : GL_YAML_MAP;
    yaml_document_delete(&d);
    yaml_parser_delete(&p);
    return rc;
}

void gl_yaml_map_free(gl_yaml_map *m)
{
    gl_arena_free(&m->arena);
    m->pairs = NULL;
    m->npairs = 0;
}

/* ================================================================ manifest */

int gl_manifest_read(gl_ctx *ctx, const char *path, gl_manifest *m)
{
    memset(m, 0, sizeof *m);
    gl_arena_init(&m->arena, ctx);
    char *data = NULL;
    size_t len = 0;
    if (gl_read_file(ctx, path, &data, &len))
        return -1;
    gl_yaml_map y;
    int rc = -1;
    int st = gl_yaml_read_map(ctx, data, len, 1, &y);
    if (st == GL_YAML_INVALID) {
        gl_error(ctx, GALLEY_ERR_INPUT, "%s:%u: invalid YAML manifest: %s", path, y.line,
                 y.problem[0] ? y.problem : "syntax error");
        goto cleanup;
    }
    if (st == GL_YAML_EMPTY || st == GL_YAML_NOT_MAP) {
        gl_error(ctx, GALLEY_ERR_INPUT, "%s:1: a manifest is a YAML mapping (title:, inputs:, ...)",
                 path);
        goto cleanup;
    }
    if (st != GL_YAML_MAP)
        goto cleanup;
    m->options = gl_arena_alloc(&m->arena, (y.npairs ? y.npairs : 1) * sizeof *m->options);
    if (!m->options)
        goto cleanup;
    for (size_t i = 0; i < y.npairs; i++) {
        const gl_yaml_pair *pr = &y.pairs[i];
        const char *k = pr->key, *v = pr->value;
        if (!strcmp(k, "inputs")) {
            if (!pr->list) {
                gl_error(ctx, GALLEY_ERR_INPUT, "%s:%u: inputs: must be a list of files", path,
                         pr->line);
                goto cleanup;
            }
            for (size_t j = 0; j < pr->nitems; j++) {
                if (GL_GROW(ctx, m->inputs, m->capinputs, m->ninputs + 1))
                    goto cleanup;
                if (!(m->inputs[m->ninputs] = gl_arena_strdup(&m->arena, pr->items[j])))
                    goto cleanup;
                m->ninputs++;
            }
            continue;
        }
        if (!v) {
            gl_warn(ctx, path, pr->line, 0, "manifest key '%s' needs a plain value; ignored", k);
            continue;
        }
        const char **slot = !strcmp(k, "title")    ? &m->title
                          : !strcmp(k, "subtitle") ? &m->subtitle
                          : !strcmp(k, "author")   ? &m->author
                          : !strcmp(k, "date")     ? &m->date
                          : !strcmp(k, "lang")     ? &m->lang
                                                   : NULL;
        if (!slot && gl_option_in_files(k)) {
            // checked and applied by galley.c through the option table
            gl_opt_pair *o = &m->options[m->noptions];
            o->name = gl_arena_strdup(&m->arena, k);
            o->value = gl_arena_strdup(&m->arena, v);
            o->line = pr->line;
            if (!o->name || !o->value)
                goto cleanup;
            m->noptions++;
            continue;
        }
        if (!slot) {
            gl_warn(ctx, path, pr->line, 0, "unknown manifest key '%s'; ignored", k);
            continue;
        }
        if (!(*slot = gl_arena_strdup(&m->arena, v)))
            goto cleanup;
    }
    if (m->ninputs == 0) {
        gl_error(ctx, GALLEY_ERR_INPUT, "%s: the manifest names no inputs (inputs: [a.txt, b.md])",
                 path);
        goto cleanup;
    }
    rc = 0;
cleanup:
    gl_yaml_map_free(&y);
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
    m->options = NULL;
    m->noptions = 0;
    gl_arena_free(&m->arena);
}
