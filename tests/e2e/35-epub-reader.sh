#!/usr/bin/env bash
# 35-epub-reader.sh — the EPUB opens in a real reading system and
# is valid for every corpus input.
#  - calibre's ebook-convert (a real EPUB engine) turns the English and the
#    Chinese sample into text: the first chapter's title and opening
#    paragraph must be there;
#  - calibre renders the Chinese EPUB to PDF (Qt WebEngine = Chromium) with
#    fontconfig restricted to Latin fonts only, as on a reader with no
#    Chinese font: with --epub-fonts=subset (the default) the page uses the
#    embedded Ming and Hei faces and its text extracts as Chinese; with
#    --epub-fonts=none the same page has no Chinese font at all;
#  - the first page is rasterised to $OUT/zh-reader-page1.png for a look;
#  - EPUBCheck reports 0 errors / 0 warnings for the files of
#    tests/data/brief and tests/data/zh-brief (all with EPUB_CORPUS=all),
#    and the embedded fonts keep the output byte-identical across runs.
set -u
: "${GALLEY:?}" "${OUT:?}" "${DATA:?}"
JAR=${EPUBCHECK_JAR:-/usr/share/java/epubcheck.jar}
fails=0
ok()   { echo "ok   $*"; }
fail() { echo "FAIL $*"; fails=$((fails+1)); }
export SOURCE_DATE_EPOCH=1700000000
# calibre's renderer is Chromium: no sandbox as root, no display here.
export QTWEBENGINE_DISABLE_SANDBOX=1 QT_QPA_PLATFORM=offscreen
dir="$OUT/reader"
rm -rf "$dir"; mkdir -p "$dir"

# The first body paragraph of an article file: the header is a line with
# "Title:", a "Date:" line and a short byline; the body lines are long.
first_para() {
  awk '/Title:/ || /^Date:/ {next} length($0) > 60 {print; exit}' "$1"
}

if ! command -v ebook-convert >/dev/null; then
  fail "calibre's ebook-convert is not installed (Debian package calibre)"
else
  # ------------------------------------------------------------ text extraction
  for s in seed-article zh-article; do
    in="$DATA/$s.txt" epub="$dir/$s.epub"
    if ! "$GALLEY" "$in" -o "$epub" > "$epub.log" 2>&1; then
      fail "galley $s.txt: $(head -2 "$epub.log")"; continue
    fi
    if ! timeout 300 ebook-convert "$epub" "$dir/$s.txt" > "$dir/$s.conv.log" 2>&1; then
      fail "$s.epub: ebook-convert to text failed: $(tail -2 "$dir/$s.conv.log")"; continue
    fi
    title=$(sed -n 's/.*Title: *//p' "$in" | head -1)
    para=$(first_para "$in")
    # The EPUB adds a quarter-em space (U+2005) between Han and Latin;
    # compare without white space.
    norm() { sed 's/\xe2\x80\x85//g' | tr -d ' \t\n' ; }
    got=$(norm < "$dir/$s.txt")
    if [[ -n "$title" && "$got" == *"$(norm <<<"$title")"* && "$got" == *"$(norm <<<"$para")"* ]]; then
      ok "$s.epub: calibre reads the first chapter (title and first paragraph, $(wc -c < "$dir/$s.txt") bytes of text)"
    else
      fail "$s.epub: title or first paragraph missing from calibre's text"
    fi
  done

  # ------------------------------------------------------------ rendering without Chinese system fonts
  fc="$dir/fonts.conf"
  cat > "$fc" <<EOF
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <dir>/usr/share/fonts/truetype/dejavu</dir>
  <cachedir>$dir/fc-cache</cachedir>
</fontconfig>
EOF
  render() {   # render MODE -> $dir/zh-MODE.pdf
    "$GALLEY" --epub-fonts="$1" "$DATA/zh-article.txt" -o "$dir/zh-$1.epub" > /dev/null 2>&1 &&
      FONTCONFIG_FILE="$fc" timeout 300 ebook-convert "$dir/zh-$1.epub" "$dir/zh-$1.pdf" \
        > "$dir/zh-$1.pdf.log" 2>&1
  }
  if render subset && render none; then
    fonts_sub=$(pdffonts "$dir/zh-subset.pdf" 2>/dev/null)
    fonts_none=$(pdffonts "$dir/zh-none.pdf" 2>/dev/null)
    # The first 20 characters of the first paragraph, as pdftotext reads
    # the rendered page back.
    first=$(first_para "$DATA/zh-article.txt" | python3 -c 'import sys; print(sys.stdin.read()[:20])')
    text=$(pdftotext -l 1 "$dir/zh-subset.pdf" - 2>/dev/null | sed 's/\xe2\x80\x85//g' | tr -d ' \n')
    if grep -q 'UMing' <<<"$fonts_sub" && grep -q 'WenQuanYi' <<<"$fonts_sub" &&
       [ -n "$first" ] && [[ "$text" == *"$first"* ]]; then
      ok "zh-subset.epub: rendered with the embedded Ming (body) and Hei (headings) faces, Chinese text on page 1"
    else
      fail "zh-subset.epub: rendering did not use the embedded fonts or lost the text"
      echo "$fonts_sub" | sed 's/^/     /'
    fi
    if ! grep -Eq 'UMing|WenQuanYi|WenKai|Droid' <<<"$fonts_none"; then
      ok "zh-none.epub: without embedded fonts the same reader has no Chinese font (control)"
    else
      fail "zh-none.epub: a Chinese font leaked in from the system; the control proves nothing"
    fi
    if command -v pdftoppm >/dev/null && pdftoppm -r 80 -f 1 -l 1 -png "$dir/zh-subset.pdf" "$dir/zh-reader-page" &&
       [ -s "$dir/zh-reader-page-1.png" ]; then
      ok "page 1 rendered to $dir/zh-reader-page-1.png"
    else
      fail "could not rasterise page 1"
    fi
  else
    fail "calibre could not render zh-article.epub to PDF: $(tail -3 "$dir/zh-subset.pdf.log" "$dir/zh-none.pdf.log" 2>/dev/null)"
  fi
fi

# ---------------------------------------------------------------- fonts: reproducible, bounded
"$GALLEY" "$DATA/zh-article.txt" -o "$dir/a.epub" > /dev/null 2>&1
"$GALLEY" "$DATA/zh-article.txt" -o "$dir/b.epub" > /dev/null 2>&1
if cmp -s "$dir/a.epub" "$dir/b.epub" && unzip -l "$dir/a.epub" | grep -q 'OEBPS/fonts/cjk.ttf'; then
  ok "zh-article.epub with embedded fonts: two runs byte-identical"
else
  fail "zh-article.epub: fonts missing or runs differ"
fi
cat "$DATA"/zh-brief/*.txt > "$dir/zh-brief-all.txt"
"$GALLEY" --epub-fonts=subset "$dir/zh-brief-all.txt" -o "$dir/brief-sub.epub" > /dev/null 2>&1
"$GALLEY" --epub-fonts=none "$dir/zh-brief-all.txt" -o "$dir/brief-none.epub" > /dev/null 2>&1
if [ -s "$dir/brief-sub.epub" ] && [ -s "$dir/brief-none.epub" ]; then
  add=$(( $(stat -c %s "$dir/brief-sub.epub") - $(stat -c %s "$dir/brief-none.epub") ))
  if [ "$add" -gt 0 ] && [ "$add" -lt 1500000 ]; then
    ok "zh-brief (all articles joined): embedded fonts add $add bytes (< 1.5 MB)"
  else
    fail "zh-brief: embedded fonts add $add bytes"
  fi
else
  fail "could not publish the joined zh-brief"
fi

# ---------------------------------------------------------------- EPUBCheck over the corpora
if ! command -v java >/dev/null || [ ! -f "$JAR" ]; then
  fail "EPUBCheck unavailable (java or $JAR missing)"
else
  mkdir -p "$dir/corpus"
  # Every file with EPUB_CORPUS=all (about 3 CPU-minutes of Java); by
  # default the first and last of each corpus, to keep make check short.
  files=()
  for c in brief zh-brief; do
    all=("$DATA/$c"/*.txt)
    if [ "${EPUB_CORPUS:-}" = all ]; then files+=("${all[@]}")
    else files+=("${all[0]}" "${all[${#all[@]}-1]}"); fi
  done
  for f in "${files[@]}"; do
    b=$(basename "$(dirname "$f")")-$(basename "$f" .txt)
    "$GALLEY" "$f" -o "$dir/corpus/$b.epub" > "$dir/corpus/$b.log" 2>&1 || fail "galley $b"
  done
  # Two at a time: the machine is shared.
  ls "$dir"/corpus/*.epub | xargs -P 2 -I{} sh -c \
    'java -jar "$1" "$2" > "$2.check" 2>&1; echo "exit $?" >> "$2.check"' _ "$JAR" {}
  n=0 bad=0
  for c in "$dir"/corpus/*.epub.check; do
    n=$((n+1))
    if ! grep -q '^exit 0$' "$c" || grep -qE '^(FATAL|ERROR|WARNING)\(' "$c"; then
      bad=$((bad+1)); echo "     $(basename "$c" .check):"; grep -E '^(FATAL|ERROR|WARNING)\(' "$c" | head -3 | sed 's/^/       /'
    fi
  done
  if [ "$n" -gt 0 ] && [ "$bad" -eq 0 ]; then
    ok "EPUBCheck: 0 errors, 0 warnings on all $n corpus EPUBs (brief, zh-brief)"
  else
    fail "EPUBCheck: $bad of $n corpus EPUBs have errors or warnings"
  fi
fi

[ "$fails" -eq 0 ]
