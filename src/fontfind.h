/*
 * fontfind.h — the fonts installed on the machine, through fontconfig: a
 * family's face for a style (--font "DejaVu Serif"), the families closest
 * to a name that is not installed (for the error), and the faces that have
 * a character no configured face has (fallback).  The only includer of
 * fontconfig.  It opens no font itself: font.c loads what it returns.
 *
 * fontconfig is started on the first call that needs it and never before,
 * so a document set in the bundled fonts costs nothing here.
 */
#ifndef GL_FONTFIND_H
#define GL_FONTFIND_H

#include "base.h"

/* One installed face. */
typedef struct {
    char *path;     /* owned (gl_fontfind_face_clear) */
    int index;      /* face in a collection (.ttc, .otc) */
    char *family;   /* owned: the family's first name, e.g. "DejaVu Serif" */
    int weight;     /* OpenType usWeightClass scale: 400 regular, 700 bold */
    bool italic;    /* italic or oblique */
    int width;      /* percent of the normal width (100) */
} gl_fontfind_face;

void gl_fontfind_face_clear(gl_fontfind_face *f);

/* True when spec names a font file rather than a family: it has a '/',
 * names an existing file, or ends in .ttf, .otf, .ttc or .otc (with an
 * optional ":N" face index after it). */
bool gl_fontfind_is_path(const char *spec);

/* How far a face of weight, italic and width (as in gl_fontfind_face) is
 * from the style wanted; 0 is exact.  Slant weighs most, then weight,
 * then width, so that a family without italics gives its upright faces
 * and one without bold its regular.  font.c ranks a file's sibling faces
 * with the same measure. */
int gl_fontfind_style_cost(int weight, bool italic, int width, bool want_bold,
                           bool want_italic);

/* True when a face of that weight and slant really is the style wanted
 * (bold: weight 600 or more). */
bool gl_fontfind_style_exact(int weight, bool italic, bool want_bold, bool want_italic);

/* The installed face of family (compared without case and blanks, against
 * every name of a family, e.g. also "dejavuserif") that is closest to the
 * style, into *out (cleared first).  Only scalable outline faces count;
 * ties go to the lower path and index, so the choice is the same on every
 * run.  An unknown family fails with GALLEY_ERR_FONT: "no font family
 * 'Dejavu Sreif' (closest: DejaVu Serif, DejaVu Sans)".  Returns 0 or -1. */
int gl_fontfind_family(gl_ctx *ctx, const char *family, bool bold, bool italic,
                       gl_fontfind_face *out);

/* Up to three installed families closest to name, best first, comma
 * separated, into buf ("" when none is close): those that name starts or
 * that start name, then those containing it or contained in it, then
 * those within an edit distance (optimal string alignment, ignoring case
 * and blanks) of half name's length, at least 2.  Returns the
 * number found, or -1 when fontconfig cannot start (error on ctx). */
int gl_fontfind_closest(gl_ctx *ctx, const char *name, char *buf, size_t cap);

/* The installed faces that have cp, in fontconfig's order of preference
 * for a pattern of that character and lang (a BCP 47 tag or NULL):
 * outline faces only, colour (bitmap or COLR emoji) faces and variable
 * fonts skipped.  *out (caller frees each entry with
 * gl_fontfind_face_clear, then the array with gl_free) holds *n <= max
 * entries; *n == 0 when no installed face has cp.  Returns 0, or -1 on
 * out of memory or when fontconfig cannot start (error on ctx). */
int gl_fontfind_covering(gl_ctx *ctx, uint32_t cp, const char *lang, size_t max,
                         gl_fontfind_face **out, size_t *n);

#endif
