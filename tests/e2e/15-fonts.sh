#!/usr/bin/env bash
# 15-fonts.sh — fonts people have: --font, --cjk-font and --mono-font by
# installed family name (fontconfig), the other styles and the headings
# following the chosen family, an unknown family's error, and fallback to
# installed fonts for characters the fonts lack (the warning naming the
# font, the font embedded, the text extracting), --no-font-fallback, and
# byte-identical output with fallback.  Needs the fonts of DEB_TEST:
# fonts-dejavu-core/-extra, fonts-hanazono, fonts-symbola.
set -u
: "${GALLEY:?}" "${OUT:?}" "${DATA:?}"
T=$OUT/fonts; rm -rf "$T"; mkdir -p "$T"
fails=0
ok()  { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails+1)); }
expect_exit() {  # expect_exit CODE DESCRIPTION -- command...
  local want=$1 what=$2; shift 3
  "$@" >"$T/stdout" 2>"$T/stderr"; local got=$?
  if [ "$got" -eq "$want" ]; then ok "$what (exit $got)"; else bad "$what: exit $got, want $want; stderr: $(head -c 300 "$T/stderr")"; fi
}
# fonts PDF: the embedded fonts' names without the subset tag and style suffix
fonts() { pdffonts "$1" 2>/dev/null | tail -n +3 | awk '{print $1}' | sed -E 's/^[A-Z]{6}\+//; s/,.*//' | sort -u | tr '\n' ' '; }

for f in "DejaVu Serif" "DejaVu Sans Mono" HanaMinA; do
  fc-list ":family=$f" family | grep -q . || bad "font family '$f' is not installed (make deps-test)"
done

# A document with a heading, bold, italic and code.
cat > "$T/doc.md" <<'EOF'
# A Heading

Body text with **bold words** and *italic words* and `code`.

```
int main(void) { return 0; }
```
EOF

# --font by family: regular, bold (and headings), italic from DejaVu Serif.
expect_exit 0 "--font \"DejaVu Serif\"" -- "$GALLEY" "$T/doc.md" -o "$T/dejavu.pdf" --font "DejaVu Serif"
got=$(fonts "$T/dejavu.pdf")
for want in DejaVuSerif DejaVuSerif-Bold DejaVuSerif-Italic; do
  [[ " $got" == *" $want "* ]] && ok "pdffonts lists $want" || bad "pdffonts lacks $want: $got"
done
[[ "$got" == *NotoSerif* ]] && bad "Noto Serif still used with --font \"DejaVu Serif\": $got" || ok "no Noto Serif left: $got"
pdftotext "$T/dejavu.pdf" - | grep -q "A Heading" && ok "text extracts" || bad "text: $(pdftotext "$T/dejavu.pdf" - | head -3)"
[ ! -s "$T/stderr" ] && ok "no warnings" || bad "warnings: $(cat "$T/stderr")"
# case and blanks do not matter
expect_exit 0 "--font dejavuserif" -- "$GALLEY" "$T/doc.md" -o "$T/dejavu2.pdf" --font dejavuserif
[ "$(fonts "$T/dejavu2.pdf")" = "$got" ] && ok "the same fonts as \"DejaVu Serif\"" || bad "dejavuserif: $(fonts "$T/dejavu2.pdf")"

# --font by file: the headings follow the file's family (its folder's bold).
expect_exit 0 "--font FILE" -- "$GALLEY" "$T/doc.md" -o "$T/file.pdf" --font /usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf
[ "$(fonts "$T/file.pdf")" = "$got" ] && ok "a file's bold and italic come from its folder: $got" || bad "--font FILE: $(fonts "$T/file.pdf")"
# a style given alone wins
expect_exit 0 "--font family --font-bold FILE" -- "$GALLEY" "$T/doc.md" -o "$T/mix.pdf" --font "DejaVu Serif" --font-bold "$(dirname "$DATA")/../fonts/NotoSerif-Bold.ttf"
g=$(fonts "$T/mix.pdf")
[[ " $g" == *" NotoSerif-Bold "* && " $g" == *" DejaVuSerif "* && " $g" != *"DejaVuSerif-Bold"* ]] && ok "--font-bold wins over the family: $g" || bad "--font-bold: $g"

# --mono-font by family: code in DejaVu Sans Mono.
expect_exit 0 "--mono-font \"DejaVu Sans Mono\"" -- "$GALLEY" "$T/doc.md" -o "$T/mono.pdf" --mono-font "DejaVu Sans Mono"
g=$(fonts "$T/mono.pdf")
[[ " $g" == *" DejaVuSansMono "* && "$g" != *NotoSansMono* ]] && ok "code set in DejaVuSansMono: $g" || bad "--mono-font: $g"

# --cjk-font by family: HanaMinA (one weight: the headings keep it).
expect_exit 0 "--cjk-font HanaMinA" -- "$GALLEY" "$DATA/zh-article.txt" -o "$T/cjk.pdf" --cjk-font HanaMinA
g=$(fonts "$T/cjk.pdf")
[[ " $g" == *" HanaMinA "* && "$g" != *UMing* && "$g" != *WenQuanYi* ]] && ok "Chinese body and headings in HanaMinA: $g" || bad "--cjk-font: $g"

# An unknown family: one line naming it and the closest, exit 1, no output.
expect_exit 1 "unknown family" -- "$GALLEY" "$T/doc.md" -o "$T/x.pdf" -o "$T/x.epub" --font "Dejavu Sreif"
[ "$(wc -l < "$T/stderr")" -eq 1 ] && grep -q "^galley: error: no font family 'Dejavu Sreif' (closest: DejaVu Serif, DejaVu Sans" "$T/stderr" &&
  ok "message: $(cat "$T/stderr")" || bad "unknown-family message: $(cat "$T/stderr")"
[ -e "$T/x.pdf" ] || [ -e "$T/x.epub" ] && bad "output written for an unknown family" || ok "no output for an unknown family"
expect_exit 1 "unknown --mono-font family, EPUB only" -- "$GALLEY" "$T/doc.md" -o "$T/y.epub" --mono-font "Nonexistent Mono"
grep -q "no font family 'Nonexistent Mono'" "$T/stderr" && [ ! -e "$T/y.epub" ] && ok "the EPUB fails too" || bad "EPUB with an unknown family: $(cat "$T/stderr")"

# Fallback: Arabic is in no bundled font (checked), nor the chess king in
# the body's faces (Noto Serif, UMing, WenKai; the Hei heading face has it),
# and they come from an installed font, named once at the first line that
# needs it.
printf '# Fallback\n\nPlain line.\n\nArabic \xd8\xa8\xd8\xa7\xd8\xa8 here.\n\nA king \xe2\x99\x94 and a queen \xe2\x99\x95.\n\n```\nking \xe2\x99\x94\n```\n' > "$T/fb.md"
for cp in 628; do
  for f in "$(dirname "$DATA")"/../fonts/*.tt[fc]; do
    fc-query -f '%{charset}\n' "$f" 2>/dev/null | tr ' ' '\n' | python3 -c "
import sys
cp=0x$cp
for t in sys.stdin.read().split():
    a,_,b=t.partition('-'); lo=int(a,16); hi=int(b,16) if b else lo
    if lo<=cp<=hi: print('bundled font has U+$cp'); break" | grep -q . && bad "$(basename "$f") has U+$cp: not a fallback test"
  done
done
SOURCE_DATE_EPOCH=1700000000 "$GALLEY" "$T/fb.md" -o "$T/fb.pdf" -o "$T/fb.epub" --epub-fonts subset 2>"$T/fb.err"
rc=$?; [ $rc -eq 0 ] && ok "fallback publish (exit 0)" || bad "fallback publish: exit $rc: $(cat "$T/fb.err")"
grep -qE "^$T/fb.md:5: warning: U\+0628 set in [^ ].* \(fallback\)$" "$T/fb.err" && ok "$(grep U+0628 "$T/fb.err")" || bad "Arabic warning: $(cat "$T/fb.err")"
n=$(grep -c "(fallback)" "$T/fb.err"); nf=$(sed -nE 's/.* set in (.*) \(fallback\)$/\1/p' "$T/fb.err" | sort -u | wc -l)
[ "$n" -eq "$nf" ] && ok "one warning per substituted font ($n)" || bad "$n fallback warnings for $nf fonts: $(cat "$T/fb.err")"
grep -q "no font has a glyph" "$T/fb.err" && bad ".notdef warnings with fallback: $(cat "$T/fb.err")" || ok "no .notdef warning"
ar=$(sed -nE 's/.*U\+0628 set in (.*) \(fallback\)$/\1/p' "$T/fb.err" | tr -d ' ')
g=$(fonts "$T/fb.pdf")
[ -n "$ar" ] && [[ "$g" == *"$ar"* ]] && ok "the PDF embeds $ar: $g" || bad "fallback font not embedded: '$ar' in $g"
txt=$(pdftotext "$T/fb.pdf" -)
[[ "$txt" == *"♔"* && "$txt" == *"♕"* ]] && ok "♔ and ♕ extract" || bad "chess pieces: $txt"
unzip -l "$T/fb.epub" | grep -q 'OEBPS/fonts/fallback-0.ttf' && unzip -p "$T/fb.epub" OEBPS/style.css | grep -q 'galley-fallback-0' &&
  ok "the EPUB embeds the fallback face and names it in the font stacks" || bad "EPUB fallback font: $(unzip -l "$T/fb.epub" | grep fonts)"
# EPUBCheck from its jar (/usr/bin/epubcheck needs binfmt_misc), as 30-epub.sh
JAR=${EPUBCHECK_JAR:-/usr/share/java/epubcheck.jar}
if [ -f "$JAR" ] && command -v java >/dev/null; then
  java -jar "$JAR" "$T/fb.epub" >"$T/epubcheck.txt" 2>&1 && ! grep -qE '^(FATAL|ERROR|WARNING)\(' "$T/epubcheck.txt" &&
    ok "EPUBCheck: the EPUB with a fallback font is valid" || bad "EPUBCheck: $(grep -E '^(FATAL|ERROR|WARNING)' "$T/epubcheck.txt" | head -5)"
fi
# byte-identical on one machine
SOURCE_DATE_EPOCH=1700000000 "$GALLEY" -q "$T/fb.md" -o "$T/fb2.pdf"
mv "$T/fb.pdf" "$T/fb1.pdf"; mv "$T/fb2.pdf" "$T/fb.pdf"
SOURCE_DATE_EPOCH=1700000000 "$GALLEY" -q "$T/fb.md" -o "$T/fb2.pdf"
cmp -s "$T/fb.pdf" "$T/fb2.pdf" && ok "PDF with fallback fonts byte-identical across runs" || bad "fallback PDF differs across runs"

# --no-font-fallback: today's .notdef and warning; nothing from the machine.
expect_exit 0 "--no-font-fallback" -- "$GALLEY" "$T/fb.md" -o "$T/nofb.pdf" --no-font-fallback
grep -q "fb.md:5: warning: no font has a glyph for U+0628; drawn as .notdef" "$T/stderr" && ok ".notdef warning for U+0628" || bad "--no-font-fallback warnings: $(cat "$T/stderr")"
grep -q "(fallback)" "$T/stderr" && bad "fallback with --no-font-fallback" || ok "no fallback font named"
g=$(fonts "$T/nofb.pdf")
[ -n "$ar" ] && [[ "$g" != *"$ar"* ]] && ok "only bundled fonts: $g" || bad "--no-font-fallback fonts: $g"

# The bundled fonts need no fontconfig: a document they cover never starts
# it (no configuration read), so the main job pays nothing for fallback.
if command -v strace >/dev/null; then
  strace -f -e trace=open,openat -o "$T/strace.txt" "$GALLEY" -q "$DATA/seed-article.txt" -o "$T/seed.pdf" -o "$T/seed.epub"
  grep -qE 'fonts\.conf|fontconfig/conf|/usr/share/fonts' "$T/strace.txt" &&
    bad "fontconfig started for a document the bundled fonts cover: $(grep -m3 -E 'fonts\.conf|/usr/share/fonts' "$T/strace.txt")" ||
    ok "fontconfig not started for a document the bundled fonts cover"
  strace -f -e trace=open,openat -o "$T/strace2.txt" "$GALLEY" -q "$T/fb.md" -o "$T/fb3.pdf"
  grep -q 'fonts\.conf' "$T/strace2.txt" && ok "...and started for one they do not" || bad "fontconfig never read its configuration for fallback"
fi

[ "$fails" -eq 0 ]
