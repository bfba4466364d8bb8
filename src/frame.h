/*
 * frame.h — what layout hands to the PDF back end: pages of positioned
 * runs of text (and, later, rules, images and links).  Coordinates are PDF
 * points with the origin at the bottom left of the page; y is the
 * baseline.  The PDF back end draws only what is here.
 */
#ifndef GL_FRAME_H
#define GL_FRAME_H

#include "base.h"

typedef struct {
    int face;            /* face id in the font set (gl_face_id) */
    float size;          /* font size in points */
    float x, y;          /* start of the baseline */
    float char_space;    /* extra space after each character (PDF Tc), points */
    const char *text;    /* UTF-8, not NUL-terminated; borrowed (doc or frames arena) */
    uint32_t len;        /* bytes */
} gl_run;

typedef struct {
    float x0, y0, x1, y1;   /* a stroked line */
    float width;
} gl_rule;

typedef struct {
    gl_run *runs;
    size_t nruns, capruns;
    gl_rule *rules;
    size_t nrules, caprules;
    int number;          /* printed page number (folio), 1-based */
} gl_page;

typedef struct {
    double width, height;  /* page size, points */
    gl_page *pages;
    size_t npages, cappages;
    gl_arena arena;        /* strings made by layout (folios, ...) */
} gl_frames;

void gl_frames_free(gl_frames *f);

#endif
