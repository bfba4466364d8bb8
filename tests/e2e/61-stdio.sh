#!/usr/bin/env bash
# Standard input and output: '-' reads stdin, '-o -' / a stdin
# filter writes stdout in the -t format; the bytes equal a file output;
# warnings name <stdin>:line:col; --verbose reports; usage errors exit 2.
set -u
T=$OUT/stdio; rm -rf "$T"; mkdir -p "$T"
fails=0
ok()  { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails+1)); }
export SOURCE_DATE_EPOCH=1700000000
A=$DATA/seed-article.txt

"$GALLEY" -q "$A" -o "$T/file.pdf" -o "$T/file.epub"
"$GALLEY" -q - -t pdf < "$A" > "$T/filter.pdf"; rc=$?
[ $rc -eq 0 ] && head -c 5 "$T/filter.pdf" | grep -q '%PDF-' && ok "stdin -> stdout PDF (filter)" || bad "filter: exit $rc"
# Read from stdin, the title falls back to the article header, so the bytes
# match the file-named run only when the header names the title: compare text.
pdftotext "$T/filter.pdf" - | head -20 > "$T/a"; pdftotext "$T/file.pdf" - | head -20 > "$T/b"
cmp -s "$T/a" "$T/b" && ok "stdin PDF has the same text as the file PDF" || bad "stdin PDF text differs"
"$GALLEY" -q "$A" -o - -t epub > "$T/out.epub"; rc=$?
# (an EPUB published alone: one made beside its PDF also carries a page-list)
"$GALLEY" -q "$A" -o "$T/alone.epub"
cmp -s "$T/out.epub" "$T/alone.epub" && ok "-o - -t epub: same bytes as the file output" || bad "-o - EPUB differs (exit $rc)"
cat "$A" | "$GALLEY" -q - -o "$T/piped.pdf"; rc=$?
[ $rc -eq 0 ] && [ -s "$T/piped.pdf" ] && ok "stdin -> -o file" || bad "stdin -> file: exit $rc"
"$GALLEY" -q "$A" -t pdf -o - | cat > "$T/pipe.pdf"
cmp -s "$T/pipe.pdf" "$T/file.pdf" && ok "stdout through a pipe: same bytes as the file" || bad "piped PDF differs"

# -t alone restricts the default outputs.
cp "$A" "$T/only.txt"; "$GALLEY" -q -t epub "$T/only.txt"
[ -s "$T/only.epub" ] && [ ! -e "$T/only.pdf" ] && ok "-t epub: only only.epub" || bad "-t epub wrote: $(ls "$T")"

# Warnings from stdin carry <stdin>:line:col.
printf 'Title: T\n\nbad \xff byte here\n' | "$GALLEY" - -t pdf 2>"$T/warn" >/dev/null
grep -qE '^<stdin>:3:[0-9]+: warning: ' "$T/warn" && ok "warning as <stdin>:3:col" || bad "stdin warning: $(cat "$T/warn")"
printf 'Title: T\n\nbad \xff byte here\n' | "$GALLEY" -q - -t pdf 2>"$T/warnq" >/dev/null
[ ! -s "$T/warnq" ] && ok "--quiet silences warnings" || bad "--quiet printed: $(cat "$T/warnq")"

# --verbose says what was written.
"$GALLEY" -v "$A" -o "$T/v.pdf" 2>"$T/verbose"
grep -qE "^galley: wrote $T/v.pdf \(PDF, [0-9]+ bytes\) in [0-9.]+ s$" "$T/verbose" && ok "--verbose reports the output" \
  || bad "--verbose: $(cat "$T/verbose")"

# Usage errors.
"$GALLEY" - < "$A" >/dev/null 2>&1; [ $? -eq 2 ] && ok "stdin without -o or -t: exit 2" || bad "stdin without -t accepted"
"$GALLEY" "$A" -o - >/dev/null 2>&1; [ $? -eq 2 ] && ok "-o - without -t: exit 2" || bad "-o - without -t accepted"
"$GALLEY" "$A" -t docx >/dev/null 2>&1; [ $? -eq 2 ] && ok "-t docx: exit 2" || bad "-t docx accepted"
"$GALLEY" "$A" -o - -o - -t pdf >/dev/null 2>&1; [ $? -eq 2 ] && ok "two stdout outputs: exit 2" || bad "two -o - accepted"
# Writing to a closed stdout is an output error (exit 3).
"$GALLEY" -q "$A" -t pdf -o - >&- 2>/dev/null; rc=$?
[ $rc -eq 3 ] && ok "closed stdout: exit 3" || bad "closed stdout: exit $rc, want 3"
[ $fails -eq 0 ]
