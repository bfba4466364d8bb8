#!/usr/bin/env bash
# 20-pdf.sh — publish the sample articles as PDF and judge them with real
# validators: $CHECKS/pdf-check.sh when the checkers are present (qpdf, poppler,
# mutool, text recovered in order), else qpdf, pdffonts and pdftotext here.
# Also: the English sample stays small, output is reproducible under
# SOURCE_DATE_EPOCH, and Chinese text uses a CJK face with Latin digits.
set -u
: "${GALLEY:?}" "${OUT:?}" "${DATA:?}"
CHECKS=${CHECKS:-}
fails=0
ok()   { echo "ok   $*"; }
fail() { echo "FAIL $*"; fails=$((fails+1)); }

# The words a reader should find in the PDF: the article header without
# its "date YYYY-MM-DD Title: " and "Date: " labels, then the body.
expected_text() {
  sed -E -e 's/^[[:space:]]*date[[:space:]]+[^[:space:]]+[[:space:]]+Title:[[:space:]]*//' \
         -e 's/^Date:[[:space:]]*//' "$1"
}

# Validates one PDF: pdf-check.sh, or the validators directly.
check_pdf() {
  local pdf=$1 input=$2 name
  name=$(basename "$pdf")
  expected_text "$input" > "$pdf.expected.txt"
  if [ -n "$CHECKS" ] && [ -f "$CHECKS/pdf-check.sh" ]; then
    if bash "$CHECKS/pdf-check.sh" "$pdf" "$pdf.expected.txt" > "$pdf.check.txt" 2>&1; then
      ok "$name: $(tail -1 "$pdf.check.txt")"
    else
      fail "$name: pdf-check.sh"; grep -v '\] ok:' "$pdf.check.txt" | sed 's/^/     /'
    fi
    return
  fi
  if qpdf --check "$pdf" > "$pdf.qpdf.txt" 2>&1; then ok "$name: qpdf --check"
  else fail "$name: qpdf --check"; sed 's/^/     /' "$pdf.qpdf.txt"; fi
  local fonts bad
  fonts=$(pdffonts "$pdf" 2> "$pdf.err") || true
  bad=$(echo "$fonts" | tail -n +3 | grep -v 'yes yes yes' || true)
  if [ -z "$bad" ] && [ "$(echo "$fonts" | tail -n +3 | grep -c .)" -gt 0 ]; then
    ok "$name: every font embedded, subset, with ToUnicode"
  else fail "$name: pdffonts: $bad"; fi
  pdftotext -enc UTF-8 "$pdf" "$pdf.txt" 2>> "$pdf.err"
  pdftoppm -r 36 "$pdf" "$pdf.page" 2>> "$pdf.err"
  if [ -s "$pdf.err" ]; then fail "$name: poppler stderr: $(head -1 "$pdf.err")"
  else ok "$name: poppler tools print nothing on stderr"; fi
  # The title line must come out of the PDF (spaces next to CJK ignored).
  local title
  title=$(head -1 "$pdf.expected.txt" | tr -d '[:space:]')
  if tr -d '[:space:]' < "$pdf.txt" | grep -qF -- "$title"; then ok "$name: title extracts"
  else fail "$name: title not found in pdftotext output"; fi
}

publish() {   # publish INPUT OUTPUT [env...]
  local in=$1 out=$2; shift 2
  if env "$@" "$GALLEY" "$in" -o "$out" > "$out.log" 2>&1 && [ -s "$out" ]; then
    return 0
  fi
  fail "galley $(basename "$in") -o $(basename "$out"): $(head -3 "$out.log")"
  return 1
}

# ---------------------------------------------------------------- English sample
if publish "$DATA/seed-article.txt" "$OUT/seed.pdf"; then
  check_pdf "$OUT/seed.pdf" "$DATA/seed-article.txt"
  size=$(stat -c %s "$OUT/seed.pdf")
  if [ "$size" -lt 40960 ]; then ok "seed.pdf is $size bytes (< 40 KB)"
  else fail "seed.pdf is $size bytes (>= 40 KB)"; fi
fi

# Text as MuPDF extracts it too: with one-byte codes, a CMap whose CIDs
# were the characters lost every character above U+00FF in MuPDF (the
# seed's curly quotes) while poppler kept them.
if command -v mutool >/dev/null && [ -s "$OUT/seed.pdf" ]; then
  want=$(pdftotext "$OUT/seed.pdf" - 2>/dev/null | grep -o '[’“”]' | wc -l)
  got=$(mutool draw -F txt -o - "$OUT/seed.pdf" 2>/dev/null | grep -o '[’“”]' | wc -l)
  if [ "$want" -gt 0 ] && [ "$got" -eq "$want" ]; then ok "seed.pdf: mutool extracts all $got curly quotes"
  else fail "seed.pdf: curly quotes: pdftotext $want, mutool $got"; fi
fi

# Word spaces are the space character widened by Tw (pdf.c, "Word spaces"):
# most justified lines carry no kerning numbers, the text has real spaces,
# and the lines still end on the right margin (A4, 25 mm: 524.41 pt).
if [ -s "$OUT/seed.pdf" ] && command -v qpdf >/dev/null; then
  qpdf --qdf --object-streams=disable "$OUT/seed.pdf" "$OUT/seed.qdf.pdf" 2>/dev/null
  tw=$(grep -ac ' Tw$' "$OUT/seed.qdf.pdf"); nums=$(grep -aoE '\)-?[0-9]+\(' "$OUT/seed.qdf.pdf" | wc -l)
  spaced=$(grep -aoE '\([^()]* [^()]*\)' "$OUT/seed.qdf.pdf" | wc -l)
  if [ "$tw" -gt 10 ] && [ "$spaced" -gt 10 ] && [ "$nums" -lt "$spaced" ]; then
    ok "seed.pdf: word spaces by Tw ($tw Tw, $spaced strings with spaces, $nums gaps as numbers)"
  else fail "seed.pdf: word spaces: $tw Tw, $spaced strings with spaces, $nums gaps as numbers"; fi
  edges=$(pdftotext -bbox "$OUT/seed.pdf" - 2>/dev/null | python3 -c '
import re, sys
xs = [float(x) for x in re.findall(r"xMax=\"([\d.]+)\"", sys.stdin.read())]
right = [x for x in xs if x > 515]
print(len(right), round(max(right) - min(right), 3) if right else -1)')
  n=${edges% *}; spread=${edges#* }
  if [ "$n" -gt 10 ] && python3 -c "import sys; sys.exit(0 if $spread < 0.5 else 1)"; then
    ok "seed.pdf: $n justified line ends within $spread pt of each other"
  else fail "seed.pdf: justified line ends: $edges"; fi
fi

# ---------------------------------------------------------------- Chinese sample
if publish "$DATA/zh-article.txt" "$OUT/zh.pdf"; then
  check_pdf "$OUT/zh.pdf" "$DATA/zh-article.txt"
  fonts=$(pdffonts "$OUT/zh.pdf" 2>/dev/null | tail -n +3 | awk '{print $1}')
  # The bundled CJK faces (README "Fonts") and the Latin face for digits.
  if echo "$fonts" | grep -qE '^[A-Z]{6}\+(UMing|AR-?PL|WenQuanYi|LXGW|Droid)'; then
    ok "zh.pdf: CJK face embedded ($(echo "$fonts" | grep -E 'UMing|AR-?PL|WenQuanYi|LXGW|Droid' | tr '\n' ' '))"
  else fail "zh.pdf: no CJK face among: $(echo $fonts)"; fi
  if echo "$fonts" | grep -qE '^[A-Z]{6}\+NotoSerif'; then
    ok "zh.pdf: Latin face embedded for digits and Latin letters"
  else fail "zh.pdf: no Latin face among: $(echo $fonts)"; fi
fi

# ---------------------------------------------------------------- font sizes
# A Noto Serif subset that libharu rebuilt to exactly 12 KB (a multiple of
# its 4 KB stream buffers) when libharu loaded the fonts: without a prep
# table in the subset, its writer failed with error 0x1033.  The font
# objects are galley's own now; the glyph set stays as a regression test.
printf 'Title\n\n%s\n' 'ñõŭŸÊĥēïġ©1§ĵũtĳŘ0j¨ŒJ^İŎZŋ°ĝĂìWŁſĖĐĭ.µü=·³ō±k|úN£' > "$OUT/glyphs-12k.txt"
if publish "$OUT/glyphs-12k.txt" "$OUT/glyphs-12k.pdf"; then
  if pdftotext "$OUT/glyphs-12k.pdf" - 2>/dev/null | grep -q 'ĵũtĳŘ0j'; then
    ok "glyphs-12k.pdf: a subset rebuilt to a multiple of 4 KB embeds and extracts"
  else fail "glyphs-12k.pdf: text not found"; fi
fi

# ---------------------------------------------------------------- CFF fonts
# OpenType CFF faces end to end: C059 (name-keyed) for Latin and Noto Serif
# CJK SC (CID-keyed, face 2 of the collection) for Chinese, embedded as
# CIDFontType0 with a FontFile3 /OpenType program.
c059=/usr/share/fonts/opentype/urw-base35/C059-Roman.otf
notocjk=/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc
if [ -f "$c059" ] && [ -f "$notocjk" ]; then
  if "$GALLEY" "$DATA/zh-article.txt" -o "$OUT/zh-cff.pdf" --font "$c059" --cjk-font "$notocjk:2" \
       > "$OUT/zh-cff.pdf.log" 2>&1; then
    ok "zh-cff.pdf: published with C059 and Noto Serif CJK SC"
    check_pdf "$OUT/zh-cff.pdf" "$DATA/zh-article.txt"
    fonts=$(pdffonts "$OUT/zh-cff.pdf" 2>/dev/null | tail -n +3)
    for f in C059-Roman NotoSerifCJKsc-Regular; do
      if echo "$fonts" | grep -E "^[A-Z]{6}\+$f +CID Type 0C" | grep -q 'yes yes yes'; then
        ok "zh-cff.pdf: $f embedded as CID Type 0C, subset, with ToUnicode"
      else fail "zh-cff.pdf: $f: $(echo "$fonts" | grep "$f")"; fi
    done
  else fail "galley with CFF fonts: $(head -3 "$OUT/zh-cff.pdf.log")"; fi
else
  fail "CFF fonts missing: apt-get install fonts-urw-base35 fonts-noto-cjk (make deps-test)"
fi

# ---------------------------------------------------------------- no temporary files
# Font subsets stay in memory: the only file galley creates is its output
# (through a hidden temporary beside it, renamed into place).
if command -v strace >/dev/null; then
  rm -f "$OUT/strace.txt"
  strace -f -qq -e trace=openat,open,creat -o "$OUT/strace.txt" \
    "$GALLEY" -q "$DATA/zh-article.txt" -o "$OUT/zh-strace.pdf" >/dev/null 2>&1
  created=$(grep -E 'O_CREAT|creat\(' "$OUT/strace.txt" | grep -vF "\"$OUT/.zh-strace.pdf." || true)
  if [ -s "$OUT/zh-strace.pdf" ] && [ -z "$created" ]; then
    ok "zh-strace.pdf: no file created but the output (no galley-*.ttf)"
  else fail "files created besides the output: $(echo "$created" | head -3)"; fi
else fail "strace missing (make deps-test)"; fi

# ---------------------------------------------------------------- reproducible
for f in seed zh; do
  in=$DATA/seed-article.txt; [ $f = zh ] && in=$DATA/zh-article.txt
  if publish "$in" "$OUT/$f-r1.pdf" SOURCE_DATE_EPOCH=1700000000 &&
     publish "$in" "$OUT/$f-r2.pdf" SOURCE_DATE_EPOCH=1700000000; then
    if cmp -s "$OUT/$f-r1.pdf" "$OUT/$f-r2.pdf"; then ok "$f: two runs give identical bytes"
    else fail "$f: two runs with SOURCE_DATE_EPOCH differ"; fi
  fi
done

# Right to left inside English: an Arabic name (in DejaVu Sans, which has
# Arabic) is shaped (joined forms: fewer distinct shapes than letters is not
# testable from text, so the glyphs' order is) and ordered by the bidi
# algorithm: its first word stands right of its second, both between
# "name" and "appears"; the text extracts in logical order.
dv=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
printf 'Bidi\n\nThe name \xd9\x85\xd8\xad\xd9\x85\xd8\xaf \xd8\xb9\xd9\x84\xd9\x8a appears here.\n' > "$OUT/bidi.txt"
if [ -f "$dv" ] && "$GALLEY" -q "$OUT/bidi.txt" --font "$dv" -o "$OUT/bidi.pdf"; then
  python3 - "$OUT/bidi.pdf" <<'PY' && ok "bidi: an Arabic name in an English line reads right to left, extracts in logical order" || fail "bidi order"
import re, subprocess, sys
pdf = sys.argv[1]
# each Arabic letter is drawn on its own (in logical order); their boxes
html = subprocess.run(["pdftotext", "-bbox", pdf, "-"], capture_output=True, text=True).stdout
boxes = [(float(m.group(1)), m.group(2)) for m in re.finditer(r'<word xMin="([\d.]+)"[^>]*>([^<]*)</word>', html)]
x = {}
for bx, w in boxes:
    x.setdefault(w, bx)
first, last = "\u0645", "\u064a"        # the name's first letter and its last
name, appears = x.get("name"), x.get("appears")
ok = None not in (name, appears) and first in x and last in x and name < x[last] < x[first] < appears
text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True).stdout
logical = re.search("\u0645\u062d\u0645\u062f\\s+\u0639\u0644\u064a", re.sub("[\u202a-\u202e]", "", text)) is not None
print("boxes:", boxes[:6], "logical:", logical)
sys.exit(0 if ok and logical else 1)
PY
else
  fail "bidi: publishing with DejaVu Sans"
fi

[ "$fails" -eq 0 ]
