#!/usr/bin/env bash
# tests/bench/run.sh — galley against Typst 0.14 and Pandoc on the same text.
# `make bench` runs it; it is a benchmark, not a timed test, and
# never part of `make check`.
#
#   tests/bench/run.sh            RUNS=3 (median of 3 wall times per figure)
#   RUNS=5 tests/bench/run.sh     more runs
#   NO_INSTALL=1 ...              do not install missing peers
#
# Cases: the seed article, the English brief, the Chinese brief, War and Peace,
# Hongloumeng.  The briefs are turned into one Markdown document each by the
# peers' own art2md.py (each article a level-1 heading), and that same .md
# is what galley, Typst and Pandoc all read: galley's Markdown reader binds
# the articles into one document.  The books are read as .md by all three.
# Same page (A4), margins (20 mm), size (11 pt) and faces (DejaVu Serif, LXGW
# WenKai for Chinese) for galley and Typst; Pandoc writes EPUB only.
#
# For each case and tool: median wall time, pages per second (PDF), peak RSS
# (GNU time -v, the largest over the runs), output size; galley's speed-up
# over each peer.  Then the scaling check (time per page over the first ~100
# pages of War and Peace against the whole book) and the batch figure
# (25 English articles as 25 PDFs, -j 2 against -j 1).  Results go to
# tests/bench/RESULTS.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
RUNS=${RUNS:-3}
W=$repo/build/bench
GALLEY_ENV=${GALLEY:+GALLEY=$GALLEY }  # recorded in RESULTS.md's command line
GALLEY=${GALLEY:-$repo/build/galley}
mkdir -p "$W"

# ---------------------------------------------------------------- where things are
for c in "${CORPUS:-}" "$repo/../shared/corpus" /work/shared/corpus; do
  [ -n "$c" ] && [ -d "$c" ] && { CORPUS=$(cd "$c" && pwd); break; }
done
[ -d "${CORPUS:-}" ] || { echo "bench: no corpus (set CORPUS, or put shared/corpus beside the repository)" >&2; exit 1; }
PEERS=${PEERS:-$CORPUS/../peers}
[ -f "$PEERS/md2typ.py" ] || { echo "bench: no peer scripts in $PEERS (set PEERS)" >&2; exit 1; }
[ -x "$GALLEY" ] || { echo "bench: build galley first (make)" >&2; exit 1; }

# ---------------------------------------------------------------- peers
need=""
for p in pandoc:pandoc /usr/bin/time:time pdfinfo:poppler-utils node:nodejs npm:npm; do
  command -v "${p%%:*}" >/dev/null || need="$need ${p#*:}"
done
for f in /usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf:fonts-dejavu-core \
         /usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf:fonts-lxgw-wenkai; do
  [ -e "${f%%:*}" ] || need="$need ${f#*:}"
done
if [ -n "$need" ]; then
  if [ -z "${NO_INSTALL:-}" ] && [ "$(id -u)" = 0 ]; then
    echo "bench: installing Debian packages:$need"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null
  else
    echo "bench: missing Debian packages:$need (apt-get install -y$need)" >&2; exit 1
  fi
fi
TYPST_PKG=@myriaddreamin/typst-ts-node-compiler@0.7.0
if [ ! -d "$W/node_modules/@myriaddreamin/typst-ts-node-compiler" ]; then
  [ -z "${NO_INSTALL:-}" ] || { echo "bench: $TYPST_PKG missing in $W/node_modules" >&2; exit 1; }
  echo "bench: npm install $TYPST_PKG into $W/node_modules"
  (cd "$W" && npm install --no-audit --no-fund --silent "$TYPST_PKG" >/dev/null)
fi
export NODE_PATH=$W/node_modules

DEJAVU=/usr/share/fonts/truetype/dejavu
WENKAI=/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf
GALLEY_OPTS=(--paper a4 --margins 20mm --font-size 11 -q
             --font "$DEJAVU/DejaVuSerif.ttf" --font-bold "$DEJAVU/DejaVuSerif-Bold.ttf"
             --font-italic "$DEJAVU/DejaVuSerif-Italic.ttf"
             --font-bold-italic "$DEJAVU/DejaVuSerif-BoldItalic.ttf" --cjk-font "$WENKAI")

# ---------------------------------------------------------------- inputs
I=$W/in; O=$W/out; T=$W/typ
mkdir -p "$I" "$O" "$T/tools"
cp "$PEERS/peer.typ" "$T/tools/"
python3 "$PEERS/art2md.py" --title "Seed article" --lang en "$I/seed.md" "$repo/tests/data/seed-article.txt"
python3 "$PEERS/art2md.py" --title "The Federalist, 1-25" --lang en "$I/brief-en.md" "$CORPUS"/brief/*.txt
python3 "$PEERS/art2md.py" --title "政府工作报告" --lang zh "$I/brief-zh.md" "$CORPUS"/zh-brief/*.txt
cp "$CORPUS/en-book/war-and-peace.md" "$I/war-and-peace.md"
cp "$CORPUS/zh-book/hongloumeng.md" "$I/hongloumeng.md"
CASES="seed:en brief-en:en brief-zh:zh war-and-peace:en hongloumeng:zh"

# ---------------------------------------------------------------- measuring
# measure NAME -- CMD...: runs CMD $RUNS times; sets MED (median wall s),
# CPU (median user+sys s: less sensitive to a busy machine than wall time)
# and RSS (largest peak RSS in MB).
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
measure() {
  local name=$1; shift 2
  local times=() cpus=() rss=0
  for r in $(seq "$RUNS"); do
    /usr/bin/time -f '%e %M %U %S' -o "$W/time.$name" "$@" >/dev/null 2>"$W/err.$name" || {
      echo "bench: $name failed: $(tail -3 "$W/err.$name")" >&2; return 1; }
    read -r t m u s < <(tail -1 "$W/time.$name")
    times+=("$t"); cpus+=("$(awk -v u="$u" -v s="$s" 'BEGIN {print u + s}')")
    [ "$m" -gt "$rss" ] && rss=$m
  done
  MED=$(printf '%s\n' "${times[@]}" | median)
  CPU=$(printf '%s\n' "${cpus[@]}" | median)
  RSS=$((rss / 1024))
}
pages() { pdfinfo "$1" 2>/dev/null | awk '/^Pages:/ {print $2}'; }
size_kb() { echo $(( $(stat -c %s "$1") / 1024 )); }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "-" }'; }
pps() { awk -v p="$1" -v t="$2" 'BEGIN { if (t > 0) printf "%.0f", p / t; else print "-" }'; }

export SOURCE_DATE_EPOCH=1700000000
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
rows=()
summary=()
for c in $CASES; do
  name=${c%%:*}; lang=${c#*:}
  in=$I/$name.md
  echo "bench: $name"
  # galley PDF and EPUB, separately
  measure "$name.galley.pdf" -- "$GALLEY" "${GALLEY_OPTS[@]}" "$in" -o "$O/$name.galley.pdf"
  g_pdf=$MED g_pdf_cpu=$CPU g_pdf_rss=$RSS; [ "$name" = war-and-peace ] && wp_all=$MED wp_cpu=$CPU; g_pages=$(pages "$O/$name.galley.pdf"); g_pdf_kb=$(size_kb "$O/$name.galley.pdf")
  measure "$name.galley.epub" -- "$GALLEY" "${GALLEY_OPTS[@]}" "$in" -o "$O/$name.galley.epub"
  g_epub=$MED g_epub_cpu=$CPU g_epub_rss=$RSS; g_epub_kb=$(size_kb "$O/$name.galley.epub")
  # Typst 0.14 (the .typ is made once, outside the timing)
  python3 "$PEERS/md2typ.py" "$in" "$T/$name.typ" "$lang" 0
  measure "$name.typst" -- node "$PEERS/typst-ts.js" "$T" "/$name.typ" "$O/$name.typst.pdf"
  t_pdf=$MED t_cpu=$CPU t_rss=$RSS; t_pages=$(pages "$O/$name.typst.pdf"); t_kb=$(size_kb "$O/$name.typst.pdf")
  # Pandoc EPUB 3
  measure "$name.pandoc" -- pandoc "$in" -f markdown -t epub3 --toc --metadata lang="$lang" \
    --metadata title="$name" -o "$O/$name.pandoc.epub"
  p_epub=$MED p_cpu=$CPU p_rss=$RSS; p_kb=$(size_kb "$O/$name.pandoc.epub")
  rows+=("| $name | galley PDF | $g_pdf | $g_pdf_cpu | $g_pages | $(pps "$g_pages" "$g_pdf") | $g_pdf_rss | $g_pdf_kb |")
  rows+=("| $name | Typst 0.14 PDF | $t_pdf | $t_cpu | $t_pages | $(pps "$t_pages" "$t_pdf") | $t_rss | $t_kb |")
  rows+=("| $name | galley EPUB | $g_epub | $g_epub_cpu | | | $g_epub_rss | $g_epub_kb |")
  rows+=("| $name | Pandoc EPUB | $p_epub | $p_cpu | | | $p_rss | $p_kb |")
  summary+=("| $name | $(ratio "$t_pdf" "$g_pdf")× ($(ratio "$t_cpu" "$g_pdf_cpu")×) | $(ratio "$p_epub" "$g_epub")× ($(ratio "$p_cpu" "$g_epub_cpu")×) | $g_pdf_kb KB vs $t_kb KB | $g_pdf_rss MB |")
  printf '  galley PDF %ss %sp %sMB %sKB | Typst %ss %sp %sMB %sKB | galley EPUB %ss | Pandoc EPUB %ss\n' \
    "$g_pdf" "$g_pages" "$g_pdf_rss" "$g_pdf_kb" "$t_pdf" "$t_pages" "$t_rss" "$t_kb" "$g_epub" "$p_epub"
done

# ---------------------------------------------------------------- scaling
# Time per page over the first ~100 pages against the whole book: the head
# of War and Peace cut at a paragraph boundary in proportion to its pages.
echo "bench: scaling"
wp_pages=$(pages "$O/war-and-peace.galley.pdf")
total_lines=$(wc -l < "$I/war-and-peace.md")
cut=$(( total_lines * 100 / wp_pages ))
awk -v n="$cut" 'NR > n && /^$/ {exit} {print}' "$I/war-and-peace.md" > "$I/wp-head.md"
measure wp-head -- "$GALLEY" "${GALLEY_OPTS[@]}" "$I/wp-head.md" -o "$O/wp-head.pdf"
head_t=$MED head_cpu=$CPU head_pages=$(pages "$O/wp-head.pdf")
all_t=$wp_all
head_ms=$(awk -v t="$head_t" -v p="$head_pages" 'BEGIN { printf "%.2f", 1000 * t / p }')
all_ms=$(awk -v t="$all_t" -v p="$wp_pages" 'BEGIN { printf "%.2f", 1000 * t / p }')

# ---------------------------------------------------------------- batch
echo "bench: batch"
measure batch-j1 -- "$GALLEY" --batch "$CORPUS/brief" --outdir "$O/batch" --formats pdf --force -q -j 1
b1=$MED
measure batch-j2 -- "$GALLEY" --batch "$CORPUS/brief" --outdir "$O/batch" --formats pdf --force -q -j 2
b2=$MED

# ---------------------------------------------------------------- report
typst_ver=$(node -e "console.log(require('@myriaddreamin/typst-ts-node-compiler/package.json').version)" 2>/dev/null || echo "?")
{
  echo "# galley benchmark results"
  echo
  echo "Produced by \`make bench\` (exact command: \`${GALLEY_ENV}RUNS=$RUNS bash tests/bench/run.sh\`) on"
  echo "$(date -u +%Y-%m-%d), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')),"
  echo "load average $load_start at the start (the build before it included), $(cut -d' ' -f1-3 /proc/loadavg) at the end."
  echo "Wall times carry noise (Typst's own varied by 10 % between runs of this script);"
  echo "CPU time (user+sys) is steadier. galley $("$GALLEY" --version | cut -d' ' -f2),"
  echo "Typst via @myriaddreamin/typst-ts-node-compiler $typst_ver (Node $(node --version)),"
  echo "$(pandoc --version | head -1). Median wall time of $RUNS runs; peak RSS is the"
  echo "largest of the runs (GNU time); pages from pdfinfo. Every tool reads the same"
  echo ".md file: the briefs are joined into one Markdown document by the peers'"
  echo "art2md.py (each article a level-1 heading), the books are read as they are."
  echo "A4, 20 mm margins, 11 pt, DejaVu Serif and LXGW WenKai for galley and Typst"
  echo "(Typst through peer.typ, no outline; Pandoc writes EPUB only)."
  echo
  echo "| case | tool | wall s | CPU s | pages | pages/s (wall) | peak RSS MB | size KB |"
  echo "|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "galley's speed-up (peer time / galley time; wall, and CPU in brackets):"
  echo
  echo "| case | PDF vs Typst | EPUB vs Pandoc | PDF size galley vs Typst | galley PDF peak RSS |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${summary[@]}"
  echo
  echo "Scaling (War and Peace, galley PDF): first $head_pages pages in $head_t s ="
  echo "$head_ms ms/page; the whole book, $wp_pages pages, in $all_t s = $all_ms ms/page"
  echo "(ratio $(ratio "$all_ms" "$head_ms")); in CPU time $(awk -v t="$head_cpu" -v p="$head_pages" 'BEGIN { printf "%.2f", 1000 * t / p }') and"
  echo "$(awk -v t="$wp_cpu" -v p="$wp_pages" 'BEGIN { printf "%.2f", 1000 * t / p }') ms/page. The head includes the fixed start-up cost (fonts, ICU)."
  echo
  echo "For size, a reference not measured here: the smallest PDFs of any peer are XeLaTeX's,"
  echo "3.6 MB for War and Peace and 3.5 MB for Hongloumeng (3,686 and 3,584 KB)."
  echo
  echo "Batch: the 25 English articles as 25 PDFs (\`galley --batch --formats pdf --force\`):"
  echo "-j 1 $b1 s, -j 2 $b2 s: $(ratio "$b1" "$b2")× faster with two workers."
} > "$here/RESULTS.md"
cat "$here/RESULTS.md"
