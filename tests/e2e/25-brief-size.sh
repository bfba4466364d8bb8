#!/usr/bin/env bash
# The ten Chinese articles' bodies joined into one plain text (one document:
# the size of the text itself, without the cover and contents page of a
# bound brief, which 55-brief.sh tests) must publish to a PDF under 400 KB
# that still passes qpdf; and every Chinese article alone must extract
# exactly (pdf-check text ratio 1.0 when the external checkers are present).
set -u
: "${GALLEY:?}" "${OUT:?}" "${DATA:?}"
T=$OUT/brief; rm -rf "$T"; mkdir -p "$T"
fails=0
ok()   { echo "ok   $*"; }
fail() { echo "FAIL $*"; fails=$((fails+1)); }

# bodies only: drop each article's header lines
for f in "$DATA"/zh-brief/*.txt; do
  sed -E -e '/^[[:space:]]*date [0-9-]+ Title:/d' -e '/^Date:/d' "$f"; echo
done > "$T/zh-brief.txt"
if "$GALLEY" "$T/zh-brief.txt" --title "政府工作报告回顾 2005–2014" -o "$T/zh-brief.pdf" 2> "$T/log"; then
  size=$(stat -c %s "$T/zh-brief.pdf")
  pages=$(pdfinfo "$T/zh-brief.pdf" 2>/dev/null | awk '/^Pages:/{print $2}')
  if [ "$size" -lt 409600 ]; then ok "10-article Chinese brief: $size bytes, $pages pages (< 400 KB)"
  else fail "10-article Chinese brief: $size bytes (>= 400 KB)"; fi
  qpdf --check "$T/zh-brief.pdf" > /dev/null 2>&1 && ok "brief: qpdf --check" || fail "brief: qpdf --check"
else
  fail "publishing the brief: $(head -3 "$T/log")"
fi

# each Chinese article alone: text comes out exactly
if [ -n "${CHECKS:-}" ] && [ -f "$CHECKS/pdf-check.sh" ]; then
  for f in "$DATA"/zh-brief/*.txt; do
    b=$(basename "$f" .txt)
    "$GALLEY" -q "$f" -o "$T/$b.pdf" || { fail "$b: galley failed"; continue; }
    sed -E -e 's/^[[:space:]]*date[[:space:]]+[^[:space:]]+[[:space:]]+Title:[[:space:]]*//' -e 's/^Date:[[:space:]]*//' "$f" > "$T/$b.exp"
    PDF_CHECK_TEXT_MIN=1.0 bash "$CHECKS/pdf-check.sh" "$T/$b.pdf" "$T/$b.exp" > "$T/$b.check" 2>&1 \
      && ok "$b: $(grep '^\[text\]' "$T/$b.check" | cut -c1-90)" \
      || { fail "$b: pdf-check"; grep FAIL "$T/$b.check" | sed 's/^/     /'; }
  done
fi
[ "$fails" -eq 0 ]
