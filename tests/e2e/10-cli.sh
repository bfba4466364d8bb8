#!/usr/bin/env bash
# The command line: help and version, default output names, -o, exit codes
# for every kind of failure, warnings as file:line, atomic outputs.
set -u
T=$OUT/cli; rm -rf "$T"; mkdir -p "$T"
fails=0
ok()  { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails+1)); }
expect_exit() {  # expect_exit CODE DESCRIPTION -- command...
  local want=$1 what=$2; shift 3
  "$@" >"$T/stdout" 2>"$T/stderr"; local got=$?
  if [ "$got" -eq "$want" ]; then ok "$what (exit $got)"; else bad "$what: exit $got, want $want; stderr: $(head -c 300 "$T/stderr")"; fi
}

# help and version
expect_exit 0 "--help" -- "$GALLEY" --help
for o in --output --title --author --lang --paper --margins --font-size --font --cjk-font --mono-font --no-font-fallback --cjk-punct --identifier --quiet --version; do
  grep -q -- "$o" "$T/stdout" || bad "--help does not document $o"
done
expect_exit 0 "--version" -- "$GALLEY" --version
grep -qE '^galley [0-9]+\.[0-9]+\.[0-9]+$' "$T/stdout" && ok "version line" || bad "version line: $(cat "$T/stdout")"

# default outputs next to the input
cp "$DATA/seed-article.txt" "$T/article.txt"
expect_exit 0 "publish with default names" -- "$GALLEY" "$T/article.txt"
[ -s "$T/article.pdf" ] && [ -s "$T/article.epub" ] && ok "article.pdf and article.epub beside the input" || bad "default outputs missing"
head -c 5 "$T/article.pdf" | grep -q '%PDF-' && ok "PDF magic" || bad "article.pdf is not a PDF"
ls -a "$T" | grep -q '^\.article' && bad "temporary file left behind: $(ls -a "$T")" || ok "no temporary files left"

# several -o
expect_exit 0 "two -o outputs" -- "$GALLEY" "$DATA/seed-article.txt" -o "$T/x.pdf" -o "$T/y.epub"
[ -s "$T/x.pdf" ] && [ -s "$T/y.epub" ] && ok "-o x.pdf -o y.epub" || bad "-o outputs missing"

# usage errors: exit 2
expect_exit 2 "no input" -- "$GALLEY"
expect_exit 2 "unknown option" -- "$GALLEY" --frobnicate "$DATA/seed-article.txt"
expect_exit 2 "unknown output format" -- "$GALLEY" "$DATA/seed-article.txt" -o "$T/x.docx"
expect_exit 2 "bad paper" -- "$GALLEY" "$DATA/seed-article.txt" -o "$T/p.pdf" --paper a99
grep -q "invalid paper 'a99'" "$T/stderr" && ok "bad paper message" || bad "bad paper message: $(cat "$T/stderr")"
expect_exit 2 "bad margins" -- "$GALLEY" "$DATA/seed-article.txt" -o "$T/p.pdf" --margins 1,2,3
expect_exit 2 "bad --cjk-punct" -- "$GALLEY" "$DATA/seed-article.txt" -o "$T/p.pdf" --cjk-punct wide
expect_exit 2 "missing option argument" -- "$GALLEY" "$DATA/seed-article.txt" --paper
expect_exit 2 "margins leave no room" -- "$GALLEY" "$DATA/seed-article.txt" -o "$T/p.pdf" --margins 100mm
cp "$DATA/seed-article.txt" "$T/self.pdf"
expect_exit 2 "output equal to input" -- "$GALLEY" "$T/self.pdf" -o "$T/self.pdf"
cmp -s "$T/self.pdf" "$DATA/seed-article.txt" && ok "input not overwritten" || bad "input was overwritten"

# input errors: exit 1, one line naming the file
expect_exit 1 "missing input" -- "$GALLEY" "$T/nope.txt" -o "$T/n.pdf"
[ "$(wc -l < "$T/stderr")" -eq 1 ] && grep -q "nope.txt" "$T/stderr" && ok "one-line error naming the input" || bad "missing-input message: $(cat "$T/stderr")"
mkdir -p "$T/emptydir"
expect_exit 1 "directory with no .txt/.md inputs" -- "$GALLEY" "$T/emptydir" -o "$T/n.pdf"
grep -q "emptydir: the directory has no" "$T/stderr" && ok "empty directory message" || bad "empty directory message: $(cat "$T/stderr")"
expect_exit 1 "missing font" -- "$GALLEY" "$DATA/seed-article.txt" -o "$T/f.pdf" --font "$T/nofont.ttf"
grep -q "nofont.ttf" "$T/stderr" && ok "font error names the file" || bad "font error: $(cat "$T/stderr")"
echo "not a font" > "$T/fake.ttf"
expect_exit 1 "non-font file as font" -- "$GALLEY" "$DATA/seed-article.txt" -o "$T/f.pdf" --font "$T/fake.ttf"
head -c 3000 "$(dirname "$DATA")/../fonts/NotoSerif-Regular.ttf" > "$T/trunc.ttf"
expect_exit 1 "truncated font" -- "$GALLEY" "$DATA/seed-article.txt" -o "$T/f.pdf" --font "$T/trunc.ttf"
# A CFF OpenType font is taken (embedded as CIDFontType0, FontFile3).
otf=/usr/share/fonts/opentype/urw-base35/C059-Roman.otf
[ -f "$otf" ] || otf=$(find /usr/share/fonts -name '*.otf' 2>/dev/null | head -1)
if [ -n "$otf" ]; then
  expect_exit 0 "CFF OpenType font ($(basename "$otf"))" -- "$GALLEY" "$DATA/seed-article.txt" -o "$T/cff.pdf" --font "$otf"
  pdffonts "$T/cff.pdf" 2>/dev/null | grep -E "CID Type 0C.* yes +yes +yes" | grep -q "+$(basename "${otf%.otf}")" &&
    ok "CFF font embedded, subset, with ToUnicode" || bad "CFF font: $(pdffonts "$T/cff.pdf" 2>&1)"
fi
[ ! -e "$T/f.pdf" ] && ok "no output after font errors" || bad "f.pdf written despite errors"
# More bad fonts, each one line naming the file or family, exit 1, neither
# output written: a truncated OpenType (CFF) font, a face index past the
# collection, a font without a cmap table, a family that is not installed.
bad_font() {  # bad_font DESCRIPTION NEEDLE OPTION VALUE
  rm -f "$T/g.pdf" "$T/g.epub"
  expect_exit 1 "$1" -- "$GALLEY" "$DATA/seed-article.txt" -o "$T/g.pdf" -o "$T/g.epub" "$3" "$4"
  [ "$(wc -l < "$T/stderr")" -eq 1 ] && grep -qF -- "$2" "$T/stderr" && ok "$1: $(cat "$T/stderr")" || bad "$1 message: $(cat "$T/stderr")"
  [ -e "$T/g.pdf" ] || [ -e "$T/g.epub" ] && bad "$1: an output was written" || ok "$1: no output"
}
fonts=$(cd "$(dirname "$DATA")/../fonts" && pwd)
c059=/usr/share/fonts/opentype/urw-base35/C059-Roman.otf
if [ -f "$c059" ]; then
  head -c 6000 "$c059" > "$T/trunc.otf"
  bad_font "truncated OpenType font" "$T/trunc.otf" --font "$T/trunc.otf"
fi
bad_font "face index past the collection" "uming.ttc: has no face 9" --cjk-font "$fonts/uming.ttc:9"
python3 - "$fonts/NotoSerif-Regular.ttf" "$T/nocmap.ttf" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], 'rb').read())
for i in range(struct.unpack('>H', d[4:6])[0]):   # rename the cmap table
    if d[12 + 16 * i:16 + 16 * i] == b'cmap':
        d[12 + 16 * i:16 + 16 * i] = b'cmaq'
open(sys.argv[2], 'wb').write(d)
PY
bad_font "font without a cmap" "nocmap.ttf: font has no Unicode character map" --font-italic "$T/nocmap.ttf"
bad_font "family not installed" "no font family 'No Such Family 42'" --font "No Such Family 42"
bad_font "--mono-font not a font" "fake.ttf: not a font file" --mono-font "$T/fake.ttf"

# output errors: exit 3, existing output untouched
expect_exit 3 "nonexistent output directory" -- "$GALLEY" "$DATA/seed-article.txt" -o "$T/no/such/dir/x.pdf"
mkdir -p "$T/ro"; cp "$T/x.pdf" "$T/ro/x.pdf"; chmod 555 "$T/ro"
if [ "$(id -u)" != 0 ]; then
  expect_exit 3 "read-only output directory" -- "$GALLEY" "$DATA/seed-article.txt" -o "$T/ro/x.pdf"
fi
chmod 755 "$T/ro"

# warnings: file:line: warning: ...
printf 'date 2023-13-45 Title: Bad date\n\nA paragraph with \xff bad byte.\n' > "$T/warn.txt"
expect_exit 0 "malformed header is a warning" -- "$GALLEY" "$T/warn.txt" -o "$T/warn.pdf" -o "$T/warn.epub"
grep -qE "warn.txt:1(:[0-9]+)?: warning: .*date" "$T/stderr" && ok "bad date warned at file:1" || bad "bad-date warning: $(cat "$T/stderr")"
grep -qE "warn.txt:3(:[0-9]+)?: warning: .*UTF-8" "$T/stderr" && ok "invalid UTF-8 warned at file:3" || bad "UTF-8 warning: $(cat "$T/stderr")"
expect_exit 0 "--quiet" -- "$GALLEY" -q "$T/warn.txt" -o "$T/warn2.pdf"
[ ! -s "$T/stderr" ] && ok "--quiet prints nothing" || bad "--quiet printed: $(cat "$T/stderr")"

# One option table: the same bad value is the same one-line error from the
# command line (exit 2, usage), a manifest and front matter (file:line,
# exit 1, input); front matter sets the page as a manifest does, and the
# command line wins over both.
cp "$DATA/seed-article.txt" "$T/opt-a.txt"
printf 'title: Opts\ncjk-punct: wrong\ninputs: [opt-a.txt]\n' > "$T/opt-bad.yaml"
printf -- '---\ntitle: Opts\ncjk-punct: wrong\n---\nText.\n' > "$T/opt-bad.md"
want="invalid cjk-punct 'wrong' (gb, full or centered)"
expect_exit 2 "bad value on the command line" -- "$GALLEY" "$T/opt-a.txt" -o "$T/o.pdf" --cjk-punct wrong
[ "$(head -1 "$T/stderr")" = "galley: $want" ] && ok "command line: '$want'" || bad "command-line message: $(cat "$T/stderr")"
expect_exit 1 "bad value in a manifest" -- "$GALLEY" "$T/opt-bad.yaml" -o "$T/o.pdf"
[ "$(cat "$T/stderr")" = "galley: error: $T/opt-bad.yaml:2: $want" ] && ok "manifest: the same message at file:line" || bad "manifest message: $(cat "$T/stderr")"
expect_exit 1 "bad value in front matter" -- "$GALLEY" "$T/opt-bad.md" -o "$T/o.pdf"
[ "$(cat "$T/stderr")" = "galley: error: $T/opt-bad.md:3: $want" ] && ok "front matter: the same message at file:line" || bad "front-matter message: $(cat "$T/stderr")"
[ -e "$T/o.pdf" ] && bad "an output was written despite a bad option" || ok "no output for a bad option"
printf -- '---\ntitle: Small\npaper: a5\n---\nText.\n' > "$T/opt-a5.md"
expect_exit 0 "front matter with paper" -- "$GALLEY" "$T/opt-a5.md" -o "$T/a5.pdf"
pdfinfo "$T/a5.pdf" | grep -q "^Page size: *419.5[0-9]* x 595.2[0-9]* pts" && ok "front matter paper: a5 sets the page" || bad "front-matter paper: $(pdfinfo "$T/a5.pdf" | grep 'Page size')"
grep -q "paper" "$T/stderr" && bad "front-matter paper warned: $(cat "$T/stderr")" || ok "front-matter paper: no warning"
expect_exit 0 "front matter with paper, --paper letter" -- "$GALLEY" "$T/opt-a5.md" -o "$T/letter.pdf" --paper letter
pdfinfo "$T/letter.pdf" | grep -q "^Page size: *612 x 792 pts" && ok "the command line wins over front matter" || bad "precedence: $(pdfinfo "$T/letter.pdf" | grep 'Page size')"
printf 'title: Opts\npaper: a5\ninputs: [opt-a.txt]\n' > "$T/opt-a5.yaml"
expect_exit 0 "manifest with paper, --paper letter" -- "$GALLEY" "$T/opt-a5.yaml" -o "$T/mletter.pdf" --paper letter
pdfinfo "$T/mletter.pdf" | grep -q "^Page size: *612 x 792 pts" && ok "the command line wins over a manifest" || bad "manifest precedence: $(pdfinfo "$T/mletter.pdf" | grep 'Page size')"

# plain text without a header: title from the file name
printf 'Just a paragraph.\n\nAnd another one.\n' > "$T/my-notes.txt"
expect_exit 0 "plain text" -- "$GALLEY" "$T/my-notes.txt" -o "$T/notes.pdf"
pdfinfo "$T/notes.pdf" 2>/dev/null | grep -q "^Title: *my-notes" && ok "title from the file name" || bad "plain-text title: $(pdfinfo "$T/notes.pdf" 2>&1 | grep Title)"

# reproducible with SOURCE_DATE_EPOCH
# (same output names: the EPUB's page-list names the PDF it maps to)
mkdir -p "$T/r1" "$T/r2"
SOURCE_DATE_EPOCH=1700000000 "$GALLEY" "$DATA/zh-article.txt" -o "$T/r1/r.pdf" -o "$T/r1/r.epub" 2>/dev/null
SOURCE_DATE_EPOCH=1700000000 "$GALLEY" "$DATA/zh-article.txt" -o "$T/r2/r.pdf" -o "$T/r2/r.epub" 2>/dev/null
cmp -s "$T/r1/r.pdf" "$T/r2/r.pdf" && ok "PDF byte-identical across runs" || bad "PDF differs across runs"
cmp -s "$T/r1/r.epub" "$T/r2/r.epub" && ok "EPUB byte-identical across runs" || bad "EPUB differs across runs"

# A progress line on a terminal for a long document (pages laid out, pages
# written), erased when done; never on a non-terminal.  A long document:
# the seed article's body 1200 times over (some 1,800 pages).
{ head -1 "$DATA/seed-article.txt"; for i in $(seq 1200); do tail -n +2 "$DATA/seed-article.txt"; done; } > "$T/long.txt"
"$GALLEY" "$T/long.txt" -o "$T/long.pdf" 2>"$T/long.err"
grep -q $'\r' "$T/long.err" && bad "progress printed to a non-terminal" || ok "no progress line when stderr is not a terminal"
if command -v script >/dev/null; then
  script -qec "'$GALLEY' '$T/long.txt' -o '$T/long.pdf'" /dev/null > "$T/tty.log" 2>&1
  if grep -qE "(laying out: [0-9]+ pages|writing the PDF: page [0-9]+ of [0-9]+)" "$T/tty.log"; then
    tr '\r' '\n' < "$T/tty.log" | tail -1 | grep -q '[a-z]' && bad "progress line not erased" || ok "progress line on a terminal, erased at the end"
  else
    echo "note: no progress line seen (published within 0.5 s): $(pdfinfo "$T/long.pdf" | grep Pages)"
  fi
fi

[ "$fails" -eq 0 ]
