/*
 * dump.h — a readable text dump of laid-out frames, the second consumer of
 * frame.h after the PDF back end: the golden layout tests (tests/golden/)
 * compare these dumps, so that a layout change shows up in review as a
 * diff of pages, lines and runs (SILE's debug outputter and .expected
 * traces).
 */
#ifndef GL_DUMP_H
#define GL_DUMP_H

#include "font.h"
#include "frame.h"

/*
 * Appends the dump of fr to out, one item per line, fields separated by
 * spaces; coordinates are PDF points (origin bottom left, y the baseline)
 * printed with two decimals and ratios with three, so that a dump does not
 * change with the build.  In order:
 *
 *     galley-frames 1
 *     size W H
 *     face ROLE FILE[:INDEX]              every face of fs (file name only)
 *     page I label L [front]              I counts from 1; L as printed
 *                                         ("12", "iv"; quoted unless a word)
 *       line y Y x X0 X1 measure M ends END r R [set S] pass P ALIGN
 *            [carry WHY] [emergency] [overfull]
 *         run ROLE SIZE X Y [cs C] [FLAG,...] "TEXT"
 *           glyphs GID:ADV[:DX,DY]@CLUSTER ...   a shaped run only
 *       run ...                           a run in no line (folios, labels)
 *       rule X0 Y0 X1 Y1 width W
 *       image FILE X Y W H                the file name only
 *       link X0 Y0 X1 Y1 uri URI  |  link X0 Y0 X1 Y1 page I y Y
 *     outline LEVEL page I y Y "TITLE"
 *
 * Lines are there only when layout ran with gl_layout_opts.trace; each
 * lists its runs under it, in page order.  END is para, forced, glue,
 * penalty, hyphen or dash (frame.h gl_line_ends); P is the Knuth-Plass
 * pass (1-4) or 0 for first fit.  Text is UTF-8 with \" \\ and \xNN for
 * control bytes and invalid UTF-8, \u{XXXX} for invisible and unusual
 * spaces.  fs may be NULL: faces are then named by id (f0, f1, ...).
 * Returns 0, or -1 when out could not grow (OOM recorded on its context).
 */
int gl_frames_dump(gl_buf *out, const gl_frames *fr, const gl_fontset *fs);

#endif
