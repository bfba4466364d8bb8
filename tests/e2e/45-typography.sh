#!/usr/bin/env bash
# Typography on real text:
#  - every Chinese article of tests/data/zh-brief: CLREQ line-start/line-end
#    prohibitions, unsplit ——/……, nothing past the right margin
#    ($CHECKS/cjk-linebreak-check.py when the external checkers are present);
#  - the English brief (tests/data/brief joined): no overfull line, and
#    Knuth–Plass spaces words more evenly than first fit (lower 95th
#    percentile of inter-word space / natural space).
set -u
: "${GALLEY:?}" "${OUT:?}" "${DATA:?}"
T=$OUT/typo; rm -rf "$T"; mkdir -p "$T"
here=$(cd "$(dirname "$0")/.." && pwd)
fails=0
ok()   { echo "ok   $*"; }
fail() { echo "FAIL $*"; fails=$((fails+1)); }

if [ -n "${CHECKS:-}" ] && [ -f "$CHECKS/cjk-linebreak-check.py" ]; then
  for f in "$DATA"/zh-brief/*.txt; do
    b=$(basename "$f" .txt)
    "$GALLEY" -q "$f" -o "$T/$b.pdf" || { fail "$b: galley failed"; continue; }
    if python3 "$CHECKS/cjk-linebreak-check.py" "$T/$b.pdf" > "$T/$b.clreq" 2>&1; then
      ok "$b: $(tail -1 "$T/$b.clreq" | cut -c1-110)"
    else
      fail "$b: cjk-linebreak-check"; grep -E 'FAIL|SUMMARY' "$T/$b.clreq" | head -5 | sed 's/^/     /'
    fi
  done
  # the Markdown chapters of the Chinese book (shared corpus, when present)
  book="$CHECKS/../corpus/zh-book/hongloumeng.md"
  if [ -f "$book" ]; then
    "$GALLEY" -q "$book" -o "$T/hlm.pdf" || fail "hongloumeng: galley failed"
    if python3 "$CHECKS/cjk-linebreak-check.py" "$T/hlm.pdf" > "$T/hlm.clreq" 2>&1; then
      ok "hongloumeng (120 chapters): $(tail -1 "$T/hlm.clreq" | cut -c1-110)"
    else
      fail "hongloumeng: cjk-linebreak-check"; grep -E 'FAIL' "$T/hlm.clreq" | head -5 | sed 's/^/     /'
    fi
  fi
else
  echo "note: no external checkers (\$CHECKS); CLREQ checks skipped"
fi

# English brief: bodies of the ten Federalist papers as one text
for f in "$DATA"/brief/*.txt; do
  sed -E -e '/^[[:space:]]*date [0-9-]+ Title:/d' -e '/^Date:/d' "$f"; echo
done > "$T/brief.txt"
"$GALLEY" -q "$T/brief.txt" --title "The Federalist 1-10" -o "$T/kp.pdf" || fail "brief (Knuth-Plass) failed"
"$GALLEY" -q "$T/brief.txt" --title "The Federalist 1-10" --linebreak first-fit -o "$T/ff.pdf" || fail "brief (first fit) failed"
# A4, 25 mm right margin: the text block ends at 595.28 - 70.87 pt
edge=524.41
kp=$(python3 "$here/typo/spacing.py" "$T/kp.pdf" 0.26 $edge)
ff=$(python3 "$here/typo/spacing.py" "$T/ff.pdf" 0.26 $edge)
echo "     knuth-plass: $kp"
echo "     first-fit:   $ff"
val() { echo "$1" | sed -E "s/.*$2=([0-9.?]+).*/\1/"; }
[ "$(val "$kp" overfull)" = 0 ] && ok "Knuth-Plass: no overfull line" || fail "Knuth-Plass: $(val "$kp" overfull) overfull lines"
[ "$(val "$ff" overfull)" = 0 ] && ok "first fit: no overfull line" || fail "first fit: $(val "$ff" overfull) overfull lines"
if python3 -c "import sys; sys.exit(0 if float('$(val "$kp" p95)') < float('$(val "$ff" p95)') else 1)"; then
  ok "Knuth-Plass p95 inter-word space $(val "$kp" p95) < first fit $(val "$ff" p95)"
else
  fail "Knuth-Plass p95 $(val "$kp" p95) is not below first fit $(val "$ff" p95)"
fi
hy=$(val "$kp" hyphenated_lines)
[ "$hy" -gt 0 ] && ok "hyphenation in use: $hy hyphenated lines" || fail "no hyphenated lines in the English brief"
mc=$(val "$kp" max_consecutive_hyphens)
[ "$mc" -le 2 ] && ok "at most 2 consecutive hyphenated lines ($mc)" || fail "$mc consecutive hyphenated lines"
[ "$fails" -eq 0 ]
