#!/usr/bin/env bash
# Batch mode: every input its own outputs under --outdir, in
# parallel; up-to-date outputs skipped unless --force; one failing input
# does not stop the others; a summary line and exit code 1 on failure;
# directory structure kept; no progress bar when stderr is not a terminal.
set -u
T=$OUT/batch; rm -rf "$T"; mkdir -p "$T"
fails=0
ok()  { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails+1)); }

# A corpus: the English brief, the Chinese brief in a subdirectory, and a
# file that is not an input (ignored).
mkdir -p "$T/in/zh" "$T/in/.hidden"
cp "$DATA"/brief/*.txt "$T/in/"
cp "$DATA"/zh-brief/*.txt "$T/in/zh/"
echo "not an input" > "$T/in/notes.log"
cp "$DATA/seed-article.txt" "$T/in/.hidden/x.txt"
n_en=$(ls "$DATA"/brief/*.txt | wc -l); n_zh=$(ls "$DATA"/zh-brief/*.txt | wc -l)
n=$((n_en + n_zh))

"$GALLEY" --batch "$T/in" --outdir "$T/out" -j 2 2>"$T/err1"; rc=$?
[ $rc -eq 0 ] && ok "batch of $n inputs exits 0" || bad "batch exit $rc: $(tail -3 "$T/err1")"
tail -1 "$T/err1" | grep -qx "batch: $n published, 0 skipped, 0 failed" && ok "summary: $(tail -1 "$T/err1")" \
  || bad "summary line: $(tail -1 "$T/err1")"
np=$(find "$T/out" -name '*.pdf' | wc -l); ne=$(find "$T/out" -name '*.epub' | wc -l)
[ "$np" -eq $n ] && [ "$ne" -eq $n ] && ok "$np PDFs and $ne EPUBs" || bad "$np PDFs, $ne EPUBs, want $n each"
f=$(ls "$DATA"/zh-brief/*.txt | head -1); f=$(basename "$f" .txt)
[ -s "$T/out/zh/$f.pdf" ] && ok "subdirectory kept (zh/$f.pdf)" || bad "zh/$f.pdf missing: $(ls "$T/out" | head)"
[ ! -e "$T/out/.hidden" ] && [ ! -e "$T/out/notes.pdf" ] && ok "hidden and non-text files ignored" || bad "hidden or .log input published"
grep -q $'\r' "$T/err1" && bad "progress bar printed to a non-terminal" || ok "no progress bar when stderr is not a terminal"
# Each output is a complete document that says what its input says.
pdftotext "$T/out/zh/$f.pdf" - 2>/dev/null | tr -d ' \n' > "$T/zh.txt"
head -c 300 "$DATA/zh-brief/$f.txt" | tail -c 60 | tr -d ' \n' | head -c 15 > "$T/zh.want"
grep -qF "$(cat "$T/zh.want")" "$T/zh.txt" && ok "zh/$f.pdf has its input's text" || bad "zh/$f.pdf text: $(head -c 80 "$T/zh.txt")"
# A batch output equals the same input published alone (with a fixed date).
g=$(ls "$DATA"/brief/*.txt | sed -n 3p); gb=$(basename "$g" .txt)
SOURCE_DATE_EPOCH=1700000000 "$GALLEY" --batch "$g" --outdir "$T/one" --force -q 2>/dev/null
SOURCE_DATE_EPOCH=1700000000 "$GALLEY" -q "$g" -o "$T/alone.pdf" -o "$T/alone.epub"
cmp -s "$T/one/$gb.pdf" "$T/alone.pdf" && cmp -s "$T/one/$gb.epub" "$T/alone.epub" \
  && ok "batch output = single publication, byte for byte" || bad "batch output differs from galley -o"

# Second run: everything up to date.
before=$(stat -c %y "$T/out/zh/$f.pdf")
"$GALLEY" --batch "$T/in" --outdir "$T/out" -j 2 2>"$T/err2"; rc=$?
[ $rc -eq 0 ] && tail -1 "$T/err2" | grep -qx "batch: 0 published, $n skipped, 0 failed" \
  && ok "re-run skips all: $(tail -1 "$T/err2")" || bad "re-run: exit $rc, $(tail -1 "$T/err2")"
[ "$before" = "$(stat -c %y "$T/out/zh/$f.pdf")" ] \
  && ok "skipped outputs untouched" || bad "skipped output was rewritten"
# A touched input is published again, and only it.
sleep 0.01; touch "$T/in/zh/$f.txt"
"$GALLEY" --batch "$T/in" --outdir "$T/out" -j 2 2>"$T/err3"
tail -1 "$T/err3" | grep -qx "batch: 1 published, $((n-1)) skipped, 0 failed" && ok "touched input republished alone" \
  || bad "after touch: $(tail -1 "$T/err3")"
# --force republishes everything; --formats pdf writes only PDFs.
"$GALLEY" --batch "$T/in" --outdir "$T/out" --force -j 2 2>"$T/err4"
tail -1 "$T/err4" | grep -qx "batch: $n published, 0 skipped, 0 failed" && ok "--force republishes all" || bad "--force: $(tail -1 "$T/err4")"
"$GALLEY" --batch "$DATA/brief" --outdir "$T/pdfonly" --formats pdf -j 2 2>/dev/null
[ "$(find "$T/pdfonly" -name '*.pdf' | wc -l)" -eq $n_en ] && [ "$(find "$T/pdfonly" -name '*.epub' | wc -l)" -eq 0 ] \
  && ok "--formats pdf: $n_en PDFs, no EPUB" || bad "--formats pdf: $(ls "$T/pdfonly" | head -3)"

# Failures: a missing input, an input that is a directory named .txt, an
# unwritable output; the others still get published.
mkdir -p "$T/bad/dir.txt/sub"    # a directory: searched (and empty), not an input
cp "$DATA/seed-article.txt" "$T/bad/good.txt"
mkdir -p "$T/outbad"; : > "$T/outbad/blocked"; mkdir -p "$T/outbad/blocked.pdf"   # output path is a directory
cp "$DATA/seed-article.txt" "$T/bad/blocked.txt"
"$GALLEY" --batch "$T/bad" "$T/missing.txt" --outdir "$T/outbad" --formats pdf -j 3 2>"$T/err5"; rc=$?
[ $rc -eq 1 ] && ok "failures give exit 1" || bad "failures: exit $rc, want 1"
grep -qx "batch: 1 published, 0 skipped, 2 failed" "$T/err5" && ok "summary counts failures: $(grep '^batch: [0-9]' "$T/err5")" \
  || bad "failure summary: $(cat "$T/err5")"
grep -q "^batch: failed: $T/missing.txt (exit 1): .*cannot open" "$T/err5" && ok "failure reason for the missing input" || bad "no reason for missing input: $(cat "$T/err5")"
grep -q "^batch: failed: $T/bad/blocked.txt (exit 3): .*is a directory" "$T/err5" && ok "failure reason for the unwritable output" || bad "no reason for blocked output: $(cat "$T/err5")"
[ -s "$T/outbad/good.pdf" ] && ok "the good input was still published" || bad "good.pdf missing"

# Two inputs with the same name in different places collide: the second fails.
mkdir -p "$T/a" "$T/b"; cp "$DATA/seed-article.txt" "$T/a/same.txt"; cp "$DATA/seed-article.txt" "$T/b/same.txt"
"$GALLEY" --batch "$T/a/same.txt" "$T/b/same.txt" --outdir "$T/coll" -j 2 2>"$T/err6"; rc=$?
[ $rc -eq 1 ] && grep -q "is also the output of $T/a/same.txt" "$T/err6" && ok "output name collision reported" \
  || bad "collision: exit $rc, $(cat "$T/err6")"

# Usage errors.
"$GALLEY" --batch "$T/in" 2>/dev/null; [ $? -eq 2 ] && ok "--batch without --outdir: exit 2" || bad "--batch without --outdir"
"$GALLEY" --batch "$T/in" --outdir "$T/x" -j 0 2>/dev/null; [ $? -eq 2 ] && ok "-j 0: exit 2" || bad "-j 0 accepted"
"$GALLEY" --batch "$T/in" --outdir "$T/x" --formats docx 2>/dev/null; [ $? -eq 2 ] && ok "--formats docx: exit 2" || bad "--formats docx accepted"
mkdir -p "$T/empty"; "$GALLEY" --batch "$T/empty" --outdir "$T/x" 2>"$T/err7"; rc=$?
[ $rc -eq 1 ] && grep -q "no inputs" "$T/err7" && ok "empty directory: exit 1, 'no inputs'" || bad "empty dir: exit $rc"

# The progress bar, under a pseudo-terminal (script(1) from util-linux).
if command -v script >/dev/null; then
  script -qec "'$GALLEY' --batch '$DATA/zh-brief' '$DATA/brief' --outdir '$T/tty' -j 2 --force" /dev/null > "$T/tty.log" 2>&1
  grep -q "documents" "$T/tty.log" && grep -q "batch: $n published" "$T/tty.log" && ok "progress bar on a terminal" \
    || echo "note: no progress bar seen (batch finished within 0.5 s): $(tr '\r' '\n' < "$T/tty.log" | tail -2)"
fi
left=$(find "$T/out" "$T/outbad" -name '.*' | head -3)
[ -z "$left" ] && ok "no temporary files left" || bad "temporary files left: $left"
[ $fails -eq 0 ]
