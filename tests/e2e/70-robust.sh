#!/usr/bin/env bash
# 70-robust.sh — never crash, never lose output.  Bad input of
# every kind, bad fonts, bad output paths, a full disk, a file-size limit
# and interrupted runs: each must end with the documented exit code (0 when
# the input is merely odd; 1 input, 2 usage, 3 output error), a one-line
# "galley: error:" message when it fails, no crash or hang (every run has a
# timeout), no partial output, no temporary file left behind, and any
# previous output untouched.  10-cli.sh has the basic exit-code cases; this
# script does not repeat them.
set -u
: "${GALLEY:?}" "${OUT:?}" "${DATA:?}"
T=$OUT/robust; rm -rf "$T"; mkdir -p "$T"; chmod 755 "$T"
# A private TMPDIR (the PDF back end's font subsets go there), so that what
# this script's runs leave behind can be told from other processes' files.
export TMPDIR=$T/tmp; mkdir -p "$TMPDIR"; chmod 1777 "$TMPDIR"
FONTS=$(cd "$DATA/../../fonts" && pwd)
fails=0
ok()   { echo "ok   $*"; }
bad()  { echo "FAIL $*"; fails=$((fails+1)); }
skip() { echo "skipped: $*"; }
LIMIT=${ROBUST_TIMEOUT:-300}   # seconds per run: a hang is a failure, not a stuck suite
# The big inputs are 50 MB and 10 MB; the ASan pass of `make check` divides
# them by ROBUST_DIVIDE (10) to stay within the time budget.
DIV=${ROBUST_DIVIDE:-1}
BIG=$((50 / DIV)) LINE=$((10 * 1024 * 1024 / DIV))

# run CODE WHAT -- cmd...: runs under a timeout, checks the exit code; a
# signal death (>128) or timeout (124) is always a failure.
run() {
  local want=$1 what=$2; shift 3
  timeout -k 5 "$LIMIT" "$@" >"$T/stdout" 2>"$T/stderr"; local got=$?
  if [ "$got" -eq "$want" ]; then ok "$what (exit $got)"; return 0; fi
  if [ "$got" -eq 124 ]; then bad "$what: timed out after ${LIMIT}s"
  elif [ "$got" -gt 128 ]; then bad "$what: killed by signal $((got-128)); stderr: $(head -c 400 "$T/stderr")"
  else bad "$what: exit $got, want $want; stderr: $(head -c 400 "$T/stderr")"; fi
  return 1
}
# A failure says one line, "galley: error: ...", naming what it is about.
one_line_error() {  # one_line_error WHAT PATTERN
  if [ "$(grep -c . "$T/stderr")" -eq 1 ] && grep -qE "^galley: error: .*$2" "$T/stderr"; then
    ok "$1: one-line message"
  else bad "$1: message should be one 'galley: error:' line matching '$2': $(head -c 400 "$T/stderr")"; fi
}
no_temp() {  # no temporary (hidden) files in DIR
  local left; left=$(find "$1" -maxdepth 1 -name '.*' ! -name . 2>/dev/null)
  [ -z "$left" ] && ok "$2: no temporary file left" || bad "$2: temporary files left: $left"
}
valid_pdf() {
  if head -c 5 "$1" 2>/dev/null | grep -q '%PDF-' && qpdf --check "$1" >/dev/null 2>&1; then ok "$2: PDF passes qpdf --check"
  else bad "$2: $1 is not a valid PDF"; fi
}
valid_epub() {
  if unzip -tq "$1" >/dev/null 2>&1 && [ "$(unzip -p "$1" mimetype 2>/dev/null)" = "application/epub+zip" ]; then
    ok "$2: EPUB is a sound ZIP with the EPUB mimetype"
  else bad "$2: $1 is not a valid EPUB container"; fi
}
# publish_ok NAME INPUT [extra options]: exit 0, both outputs valid
publish_ok() {
  local name=$1 in=$2; shift 2
  if run 0 "$name publishes" -- "$GALLEY" "$in" -o "$T/$name.pdf" -o "$T/$name.epub" "$@"; then
    valid_pdf "$T/$name.pdf" "$name"; valid_epub "$T/$name.epub" "$name"
  fi
}
count_warn() { grep -c "warning: .*$1" "$T/stderr"; }

# ---------------------------------------------------------------- odd input: exit 0
# Invalid UTF-8 on many lines: U+FFFD, one warning for the file with the count.
{ printf 'date 2024-01-02 Title: Bad bytes\n\n'
  for i in $(seq 1 200); do printf 'Line %d has a bad byte \xff here and \xc3( there.\n' "$i"; done; } > "$T/utf8.txt"
publish_ok utf8 "$T/utf8.txt"
[ "$(count_warn 'UTF-8')" -eq 1 ] && grep -q 'utf8.txt:3:23: warning: invalid UTF-8.*400 sequences' "$T/stderr" \
  && ok "invalid UTF-8: one warning, at the first, with the count" || bad "invalid UTF-8 warnings: $(head -c 400 "$T/stderr")"
pdftotext "$T/utf8.pdf" - 2>/dev/null | tr -s '[:space:]' ' ' | grep -q 'Line 200 has a bad byte' && ok "text around bad bytes kept" || bad "text lost around bad bytes"

# NUL bytes and other control characters: dropped, one warning.
printf 'date 2024-01-02 Title: Controls\n\nNUL\0here, BEL\a, ESC\033[1m, DEL\177, C1\302\205 end.\n\0\0\0\n\nSecond\0paragraph.\n' > "$T/ctl.txt"
publish_ok ctl "$T/ctl.txt"
[ "$(count_warn 'control character')" -eq 1 ] && grep -q 'ctl.txt:3:4: warning: control character U+0000' "$T/stderr" \
  && ok "control characters: one warning at the first NUL" || bad "control warnings: $(head -c 400 "$T/stderr")"
pdftotext "$T/ctl.pdf" - 2>/dev/null | tr -d '\n' | grep -q 'NULhere' && ok "NUL dropped from the text" || bad "text with NUL: $(pdftotext "$T/ctl.pdf" - 2>&1 | head -3)"

# Empty input and a file of blank lines: a valid (title-only) publication.
: > "$T/empty.txt"
publish_ok empty "$T/empty.txt"
printf '\n\n   \n\t\n\r\n\n' > "$T/blank.txt"
publish_ok blank "$T/blank.txt"
pdfinfo "$T/blank.pdf" 2>/dev/null | grep -q '^Title: *blank' && ok "blank file titled from its name" || bad "blank file title"

# UTF-8 BOM before the header.
printf '\xef\xbb\xbfdate 2024-01-02 Title: After a BOM\n\nBody text.\n' > "$T/bom.txt"
publish_ok bom "$T/bom.txt"
pdfinfo "$T/bom.pdf" 2>/dev/null | grep -q '^Title: *After a BOM$' && ok "header after a BOM recognised" || bad "BOM header: $(pdfinfo "$T/bom.pdf" 2>&1 | grep Title)"

# LF, CRLF and lone CR give the same text.
printf 'date 2024-01-02 Title: Line ends\n\nOne two\nthree.\n\nFour five.\n' > "$T/lf.txt"
sed 's/$/\r/' "$T/lf.txt" > "$T/crlf.txt"
tr '\n' '\r' < "$T/lf.txt" > "$T/cr.txt"
for v in lf crlf cr; do
  run 0 "$v line ends" -- "$GALLEY" "$T/$v.txt" -o "$T/$v.pdf" && pdftotext "$T/$v.pdf" "$T/$v.pdf.txt" 2>/dev/null
done
cmp -s "$T/lf.pdf.txt" "$T/crlf.pdf.txt" && cmp -s "$T/lf.pdf.txt" "$T/cr.pdf.txt" \
  && ok "CRLF and CR read as LF" || bad "line ends change the text"

# Malformed headers: warnings, never failures.
printf 'date  Title:\n\nBody.\n' > "$T/hdr1.txt"
publish_ok hdr-empty "$T/hdr1.txt"
{ printf 'date '; head -c 5000 /dev/zero | tr '\0' 'x'; printf ' Title: %s\n\nBody.\n' "$(head -c 3000 /dev/zero | tr '\0' 'y')"; } > "$T/hdr2.txt"
publish_ok hdr-long "$T/hdr2.txt"
grep -q "malformed date 'x\{40\}\.\.\.'" "$T/stderr" && ok "long bad date quoted briefly" || bad "long bad date message: $(head -c 300 "$T/stderr")"
printf 'date 2024-02-30 Title: \xff\xfe\n\n' > "$T/hdr3.txt"
publish_ok hdr-bad "$T/hdr3.txt"

# A 100,000-character word with no break opportunity: set overfull, not lost.
{ printf 'date 2024-01-02 Title: Long word\n\nBefore '; head -c 100000 /dev/zero | tr '\0' 'a'; printf ' after.\n'; } > "$T/word.txt"
publish_ok word "$T/word.txt"
n=$(pdftotext "$T/word.pdf" - 2>/dev/null | tr -cd 'a' | wc -c)
[ "$n" -ge 100000 ] && ok "all 100,000 letters of the word are in the PDF ($n a's)" || bad "long word lost letters: $n of 100000"

# A single 10 MB line (one paragraph) and a 50 MB input.
python3 -c "
import sys
w = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor '.split()
out = sys.stdout
out.write('date 2024-01-02 Title: One long line\n\n')
n = 0; i = 0
parts = []
while n < $LINE:
    s = w[i % len(w)]; parts.append(s); n += len(s) + 1; i += 1
out.write(' '.join(parts)); out.write('\n')" > "$T/line10m.txt"
run 0 "a single $((LINE / 1024)) KB line" -- "$GALLEY" -q "$T/line10m.txt" -o "$T/line10m.pdf" -o "$T/line10m.epub" \
  && { valid_epub "$T/line10m.epub" "10 MB line"; [ "$(pdfinfo "$T/line10m.pdf" 2>/dev/null | awk '/^Pages:/{print $2}')" -gt $((1000 / DIV)) ] \
       && ok "10 MB line laid out on $(pdfinfo "$T/line10m.pdf" | awk '/^Pages:/{print $2}') pages" || bad "10 MB line: too few pages"; }
rm -f "$T/line10m".*
python3 -c "
import sys
para = ('The quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs. ' * 6).strip()
out = sys.stdout
out.write('date 2024-01-02 Title: Fifty megabytes\n\n')
n = 0
while n < $BIG*1024*1024:
    out.write(para); out.write('\n\n'); n += len(para) + 2" > "$T/big50.txt"
run 0 "a $BIG MB input to EPUB" -- "$GALLEY" -q "$T/big50.txt" -o "$T/big50.epub" && valid_epub "$T/big50.epub" "50 MB input"
# Peak memory (a 10,000-page document publishes in under 1 GB):
# GNU time's max RSS must stay within 1 GB per 10,000 pages (not in the ASan
# pass, whose shadow memory would dominate).
TIMECMD=(); [ "$DIV" -eq 1 ] && [ -x /usr/bin/time ] && TIMECMD=(/usr/bin/time -f %M -o "$T/rss")
run 0 "a $BIG MB input to PDF" -- "${TIMECMD[@]}" "$GALLEY" -q "$T/big50.txt" -o "$T/big50.pdf" \
  && { p=$(pdfinfo "$T/big50.pdf" 2>/dev/null | awk '/^Pages:/{print $2}'); [ "${p:-0}" -gt $((10000 / DIV)) ] && ok "$BIG MB input: $p pages" || bad "50 MB input: ${p:-no} pages"
       if [ -s "$T/rss" ]; then
         rss=$(tail -1 "$T/rss")
         [ "$rss" -lt $((1048576 * ${p:-0} / 10000)) ] && ok "peak memory ${rss} KB for ${p} pages (budget: 1 GB per 10,000 pages)" \
           || bad "peak memory ${rss} KB for ${p:-?} pages exceeds 1 GB per 10,000 pages"
       fi; }
rm -f "$T/big50.pdf" "$T/big50.epub"

# ---------------------------------------------------------------- input errors: exit 1
printf 'Secret.\n' > "$T/unreadable.txt"; chmod 000 "$T/unreadable.txt"
AS_NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups --"
if $AS_NOBODY true 2>/dev/null && $AS_NOBODY test -x "$GALLEY"; then
  run 1 "unreadable input" -- $AS_NOBODY "$GALLEY" "$T/unreadable.txt" -o "$T/unreadable.pdf"
  one_line_error "unreadable input" "unreadable.txt.*(Permission denied|cannot open)"
  [ ! -e "$T/unreadable.pdf" ] && ok "no output for an unreadable input" || bad "output written for an unreadable input"
else
  skip "unreadable input (cannot run as nobody here)"
fi
chmod 644 "$T/unreadable.txt"
# (No case for a directory input: it is a brief of its .txt/.md files, not an error.)
run 1 "missing input" -- "$GALLEY" "$T/nope.txt" -o "$T/nope.pdf"; one_line_error "missing input" "nope.txt"
mkfifo "$T/fifo.txt"
run 1 "a FIFO as input" -- "$GALLEY" "$T/fifo.txt" -o "$T/fifo.pdf"; one_line_error "FIFO input" "fifo.txt"

# Fonts (10-cli.sh has missing, non-font and truncated fonts for --font).
cp "$DATA/seed-article.txt" "$T/f.txt"
run 1 "directory as a font" -- "$GALLEY" "$T/f.txt" -o "$T/f.pdf" --font "$T"; one_line_error "directory font" "$T"
: > "$T/empty.ttf"
run 1 "empty font file" -- "$GALLEY" "$T/f.txt" -o "$T/f.pdf" --font "$T/empty.ttf"; one_line_error "empty font" "empty.ttf"
head -c 20000 "$FONTS/$(ls "$FONTS" | grep -iE 'cjk|sc|wenkai|hei|song|ming|\.ttc$' | head -1)" > "$T/trunc-cjk.ttf" 2>/dev/null
run 1 "truncated CJK font" -- "$GALLEY" "$T/f.txt" -o "$T/f.pdf" --cjk-font "$T/trunc-cjk.ttf"; one_line_error "truncated CJK font" "trunc-cjk.ttf"
run 1 "face index beyond the file" -- "$GALLEY" "$T/f.txt" -o "$T/f.pdf" --font "$FONTS/$(ls "$FONTS" | grep -i '\.ttf$' | head -1):7"
one_line_error "bad face index" ":7|face"
otf=$(find /usr/share/fonts -name '*.otf' 2>/dev/null | head -1)
if [ -n "$otf" ]; then
  run 0 "CFF font as the CJK face" -- "$GALLEY" "$T/f.txt" -o "$T/cff.pdf" --cjk-font "$otf"
else skip "CFF CJK font (no .otf installed)"; fi
[ ! -e "$T/f.pdf" ] && ok "no output after any font error" || bad "f.pdf written despite font errors"

# ---------------------------------------------------------------- output errors: exit 3 (or 2)
run 3 "output in a missing directory" -- "$GALLEY" "$T/f.txt" -o "$T/no/such/x.epub"; one_line_error "missing output directory" "no/such/x.epub"
mkdir -p "$T/adir.pdf"; run 3 "output path is a directory" -- "$GALLEY" "$T/f.txt" -o "$T/adir.pdf"; one_line_error "directory output" "is a directory"
mkdir -p "$T/ro"; chmod 755 "$T/ro"
cp "$T/utf8.pdf" "$T/ro/x.pdf"; cp "$T/ro/x.pdf" "$T/ro-before.pdf"; chmod 444 "$T/ro/x.pdf"; chmod 555 "$T/ro"
if $AS_NOBODY true 2>/dev/null && $AS_NOBODY test -x "$GALLEY"; then
  run 3 "read-only output directory (as nobody)" -- $AS_NOBODY "$GALLEY" "$T/f.txt" -o "$T/ro/x.pdf"
  one_line_error "read-only directory" "ro/x.pdf.*(Permission denied|Read-only)"
  cmp -s "$T/ro/x.pdf" "$T/ro-before.pdf" && ok "read-only: previous output untouched" || bad "read-only: previous output changed"
  no_temp "$T/ro" "read-only directory"
else skip "read-only output directory (cannot run as nobody here)"; fi
chmod 755 "$T/ro"
# The output is the input, under another name: a hard link and a symlink.
cp "$DATA/seed-article.txt" "$T/in.txt"; ln -f "$T/in.txt" "$T/hard.pdf"; ln -sf in.txt "$T/soft.epub"
run 2 "output hard-linked to the input" -- "$GALLEY" "$T/in.txt" -o "$T/hard.pdf"; one_line_error "hard link" "overwrite the input"
run 2 "output symlinked to the input" -- "$GALLEY" "$T/in.txt" -o "$T/soft.epub"; one_line_error "symlink" "overwrite the input"
cmp -s "$T/in.txt" "$DATA/seed-article.txt" && ok "input intact" || bad "input overwritten"
# Default names: input "book.pdf" would be overwritten by its own PDF.
cp "$DATA/seed-article.txt" "$T/book.pdf"
run 2 "default output name equal to the input" -- "$GALLEY" "$T/book.pdf"
cmp -s "$T/book.pdf" "$DATA/seed-article.txt" && ok "book.pdf (the input) intact" || bad "book.pdf overwritten"
rm -f "$T/book.epub"

# A file-size limit (ulimit -f): EFBIG, not SIGXFSZ; previous output intact.
mkdir -p "$T/lim"; cp "$T/utf8.pdf" "$T/lim/out.pdf"; cp "$T/utf8.epub" "$T/lim/out.epub"
cp "$T/lim/out.pdf" "$T/lim-before.pdf"; cp "$T/lim/out.epub" "$T/lim-before.epub"
run 3 "file-size limit hit while writing the PDF" -- bash -c "ulimit -f 16; exec \"\$0\" \"\$@\"" "$GALLEY" "$DATA/zh-article.txt" -o "$T/lim/out.pdf"
one_line_error "file-size limit" "File too large"
cmp -s "$T/lim/out.pdf" "$T/lim-before.pdf" && ok "file-size limit: previous PDF untouched" || bad "file-size limit: previous PDF changed"
run 3 "file-size limit hit while writing the EPUB" -- bash -c "ulimit -f 8; exec \"\$0\" \"\$@\"" "$GALLEY" "$T/big50.txt" -o "$T/lim/out.epub"
cmp -s "$T/lim/out.epub" "$T/lim-before.epub" && ok "file-size limit: previous EPUB untouched" || bad "file-size limit: previous EPUB changed"
no_temp "$T/lim" "file-size limit"

# A full disk: a 256 KB tmpfs.
mkdir -p "$T/full"
if mount -t tmpfs -o size=256k tmpfs "$T/full" 2>/dev/null; then
  cp "$T/ctl.pdf" "$T/full/out.pdf"; cp "$T/full/out.pdf" "$T/full-before.pdf"
  head -c 200000 /dev/zero > "$T/full/filler" 2>/dev/null
  run 3 "disk full while writing" -- "$GALLEY" "$DATA/zh-article.txt" -o "$T/full/out.pdf" -o "$T/full/out.epub"
  one_line_error "disk full" "(No space left|write|flush|close)"
  cmp -s "$T/full/out.pdf" "$T/full-before.pdf" && ok "disk full: previous output untouched" || bad "disk full: previous output changed"
  [ ! -e "$T/full/out.epub" ] && ok "disk full: no partial EPUB" || bad "disk full: out.epub exists"
  no_temp "$T/full" "disk full"
  umount "$T/full"
else
  skip "disk full (cannot mount a tmpfs here: not root?)"
fi

# ---------------------------------------------------------------- interrupted runs
# SIGINT and SIGTERM while an output is being written: the process dies of
# the signal, the previous outputs are intact and no temporary file is left.
# strace holds the run in fsync() of the temporary file for up to 20 s
# (a deterministic window) while the signal is sent.
rm -f "$T/big50.txt"
mkdir -p "$T/sig"
if command -v strace >/dev/null && strace -qq -o /dev/null true 2>/dev/null; then
  for sig in INT TERM; do
    for first in epub pdf; do
      cp "$T/utf8.pdf" "$T/sig/out.pdf"; cp "$T/utf8.epub" "$T/sig/out.epub"
      other=$([ $first = epub ] && echo pdf || echo epub)
      strace -f -qq -o /dev/null -e trace=fsync -e inject=fsync:delay_enter=20s \
        "$GALLEY" -q "$DATA/zh-article.txt" -o "$T/sig/out.$first" -o "$T/sig/out.$other" 2>"$T/sig.err" &
      spid=$!
      had_temp=0
      for _ in $(seq 1 600); do   # at most 60 s to reach the first fsync
        [ -n "$(find "$T/sig" -maxdepth 1 -name '.out.*' 2>/dev/null)" ] && { had_temp=1; break; }
        kill -0 "$spid" 2>/dev/null || break
        sleep 0.1
      done
      gpid=$(pgrep -P "$spid" | head -1)
      [ -n "$gpid" ] && kill -s "$sig" "$gpid" 2>/dev/null
      wait "$spid"; code=$?
      if [ "$had_temp" -eq 1 ] && [ "$code" -gt 128 ]; then ok "SIG$sig while writing the $first (temporary file seen; exit $code)"
      else bad "SIG$sig while writing the $first: temporary file seen: $had_temp, exit $code (want >128); $(head -c 300 "$T/sig.err")"; fi
      cmp -s "$T/sig/out.pdf" "$T/utf8.pdf" && cmp -s "$T/sig/out.epub" "$T/utf8.epub" \
        && ok "SIG$sig: previous outputs untouched" || bad "SIG$sig: previous outputs changed"
      no_temp "$T/sig" "SIG$sig"
    done
  done
  left=$(find "$TMPDIR" -mindepth 1 2>/dev/null | wc -l)
  [ "$left" -eq 0 ] && ok "no temporary font subsets left in \$TMPDIR" || bad "$left temporary files left in \$TMPDIR: $(ls "$TMPDIR" | head -3)"
else
  skip "interrupted runs (strace cannot trace here)"
fi

# ---------------------------------------------------------------- Markdown
# Nested 10,000 deep: block quotes, bullet and ordered lists (one line
# each: "- - - ... item"), emphasis and brackets; and a list item long
# enough to run over many pages (it once freed the page array under it).
python3 -c "print('> ' * 10000 + 'deep quote')" > "$T/deepq.md"
python3 -c "print('- ' * 10000 + 'deep item')" > "$T/deepl.md"
python3 -c "print('1. ' * 10000 + 'deep numbered item')" > "$T/deepo.md"
python3 -c "print('*' * 10000 + 'emph' + '*' * 10000 + ' ' + '_' * 10000 + 'x' + ' ' + '[' * 10000 + 'x' + ']' * 10000 + '(' * 10000)" > "$T/deepe.md"
python3 -c "print('- start\n\n' + ('  ' + 'word ' * 450 + '\n\n') * 12)" > "$T/longitem.md"
for m in deepq deepl deepo deepe longitem; do publish_ok "$m" "$T/$m.md"; done
# A missing image fails the run with one line naming it and no output (the
# document reads, and publishing refuses the image); so does a corrupt one.
printf '# Images\n\n![missing](no-such.png)\n\nText.\n' > "$T/img.md"
printf '# Images\n\n![corrupt](corrupt.png)\n\nText.\n' > "$T/img2.md"
printf '\x89PNG\r\n\x1a\ngarbage' > "$T/corrupt.png"
for m in img img2; do
  timeout -k 5 "$LIMIT" "$GALLEY" "$T/$m.md" -o "$T/$m.pdf" -o "$T/$m.epub" >"$T/stdout" 2>"$T/stderr"; code=$?
  [ "$code" -eq 1 ] && ok "$m: bad image is an input error (exit 1)" || bad "$m: bad image: exit $code, want 1"
  one_line_error "$m: bad image" "(no-such|corrupt)\.png"
  [ ! -e "$T/$m.pdf" ] && [ ! -e "$T/$m.epub" ] && ok "$m: no output" || bad "$m: output written despite a bad image"
done

no_temp "$T" "whole run"
[ -z "$(ls -A "$TMPDIR")" ] && ok "whole run: nothing left in \$TMPDIR" || bad "whole run: left in \$TMPDIR: $(ls -A "$TMPDIR" | head -3)"
[ "$fails" -eq 0 ]
