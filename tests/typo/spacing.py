#!/usr/bin/env python3
"""spacing.py FILE.pdf [SPACE_EM [RIGHT_EDGE_PT]] — inter-word spacing on justified lines.

Reads word boxes with `pdftotext -bbox`, groups them into lines by baseline,
and for every line that is justified (not the last of a paragraph: it reaches
the right edge of the text block) measures the gaps between consecutive words
as a multiple of the font's natural space (SPACE_EM em of the word height;
Noto Serif's space is 0.26 em).  Prints the median, the 95th percentile and
the maximum, the number of lines, and the lines ending with a hyphen.
Lines of CJK text are skipped (they have no word spaces).  With RIGHT_EDGE_PT,
also counts overfull lines: words ending more than 0.5 pt past that edge.
"""
import re
import subprocess
import sys
from html import unescape

pdf = sys.argv[1]
space_em = float(sys.argv[2]) if len(sys.argv) > 2 else 0.26
edge = float(sys.argv[3]) if len(sys.argv) > 3 else None
overfull = 0
out = subprocess.run(["pdftotext", "-bbox", pdf, "-"], capture_output=True, text=True).stdout
pages = out.split("<page ")[1:]
gaps, lines_n, hyph = [], 0, 0
run = max_run = 0  # consecutive lines ending in a hyphen, across all rows
for pg in pages:
    words = [(float(a), float(b), float(c), float(d), unescape(t)) for a, b, c, d, t in
             re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', pg)]
    rows = {}
    for w in words:
        key = round(w[3], 0)
        rows.setdefault(key, []).append(w)
    rows = [sorted(r) for _, r in sorted(rows.items()) if len(r) > 1]
    if not rows:
        continue
    right = max(r[-1][2] for r in rows)
    for r in rows:
        last = r[-1][4]
        if last.endswith("-") and len(last) > 1 and last[-2].isalpha():
            run += 1
            max_run = max(max_run, run)
        else:
            run = 0
        if edge is not None and r[-1][2] > edge + 0.5:
            overfull += 1
        h = max(w[3] - w[1] for w in r)
        if r[-1][2] < right - 1.0:        # ragged: last line of a paragraph, heading, folio
            continue
        if any(ord(ch) >= 0x2E80 for w in r for ch in w[4]):
            continue
        if sum(1 for w in r if set(w[4]) <= set(".")) >= 3:   # contents: dot leaders
            continue
        size = h / 1.362                  # Noto Serif: ascent+descent = 1.362 em of the size
        nat = space_em * size
        lines_n += 1
        if r[-1][4].endswith("-") and len(r[-1][4]) > 1 and r[-1][4][-2].isalpha():
            hyph += 1
        for a, b in zip(r, r[1:]):
            gaps.append((b[0] - a[2]) / nat)
gaps.sort()
if not gaps:
    print("no justified lines"); sys.exit(1)
def pct(p):
    return gaps[min(len(gaps) - 1, int(p * len(gaps)))]
print("justified_lines=%d gaps=%d median=%.3f p95=%.3f max=%.3f hyphenated_lines=%d "
      "max_consecutive_hyphens=%d overfull=%s"
      % (lines_n, len(gaps), pct(0.5), pct(0.95), gaps[-1], hyph, max_run,
         overfull if edge is not None else "?"))
