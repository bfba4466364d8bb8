#!/usr/bin/env bash
# run.sh — the golden layout tests: each case below is laid out by
# dump-layout (the frames dump of src/dump.h: pages, lines with their
# breaks and ratios, runs, rules, links) and compared with
# tests/golden/NAME.dump.  A layout change then shows up in review as a
# diff of that file.  Run from the top of the tree:
#
#   run.sh DUMP_LAYOUT OUTDIR            compare (make golden)
#   run.sh --update DUMP_LAYOUT OUTDIR   rewrite the .dump files (make golden-update)
set -u
update=0
if [ "${1:-}" = --update ]; then update=1; shift; fi
tool=${1:?usage: run.sh [--update] DUMP_LAYOUT OUTDIR}
out=${2:?usage: run.sh [--update] DUMP_LAYOUT OUTDIR}
dir=tests/golden
mkdir -p "$out"

# NAME then the dump-layout arguments.  Keep the inputs in tests/data.
cases=(
  "seed-article|tests/data/seed-article.txt"
  "zh-article|tests/data/zh-article.txt"
  "markdown-all|tests/data/markdown/all.md"
  "brief-3|tests/data/brief/01-federalist-01.txt tests/data/brief/02-federalist-02.txt tests/data/brief/03-federalist-03.txt"
  "zh-article-a5-full|--paper a5 --cjk-punct full tests/data/zh-article.txt"
  "seed-article-first-fit|--linebreak first-fit tests/data/seed-article.txt"
)

fail=0
names=" "
for c in "${cases[@]}"; do
  name=${c%%|*}
  read -r -a args <<< "${c#*|}"
  names+="$name "
  got=$out/$name.dump
  if ! "$tool" "${args[@]}" > "$got" 2> "$out/$name.err"; then
    echo "FAIL golden $name: dump-layout failed:"; cat "$out/$name.err"; fail=1; continue
  fi
  want=$dir/$name.dump
  if [ $update = 1 ]; then
    if [ -f "$want" ] && cmp -s "$got" "$want"; then
      echo "same golden $name"
    else
      cp "$got" "$want"; echo "new  golden $name ($(wc -l < "$want") lines)"
    fi
  elif [ ! -f "$want" ]; then
    echo "FAIL golden $name: no $want (make golden-update writes it)"; fail=1
  elif cmp -s "$got" "$want"; then
    echo "ok   golden $name ($(grep -c '^page ' "$want") pages, $(grep -c '^  line ' "$want") lines)"
  else
    echo "FAIL golden $name: the layout changed ($(diff "$want" "$got" | grep -c '^[<>]') lines differ):"
    diff -u "$want" "$got" | head -40
    echo "     (whole diff: diff -u $want $got)"
    fail=1
  fi
done
# A dump without a case would never be compared again: the suite must not
# shrink without a word.
for f in "$dir"/*.dump; do
  [ -e "$f" ] || continue
  n=$(basename "$f" .dump)
  case "$names" in *" $n "*) ;; *) echo "FAIL golden: $f has no case in $0"; fail=1 ;; esac
done
if [ $fail != 0 ] && [ $update = 0 ]; then
  echo "If the change is intended: make golden-update, and review git diff tests/golden/"
fi
exit $fail
