#!/usr/bin/env bash
# 50-markdown.sh — publish tests/data/markdown/all.md (every Markdown
# construct, English and Chinese, with a PNG and a JPEG) to EPUB and PDF and
# judge the results: EPUBCheck 0 errors / 0 warnings (and
# $CHECKS/epub-check.sh when the checkers are present), the XHTML has each
# construct's markup, the images are in the container and the manifest,
# one content document per chapter with a nav listing them; the PDF is
# written and passes qpdf --check; a missing or corrupt image fails the
# run with a message naming the Markdown file and line.
set -u
: "${GALLEY:?}" "${OUT:?}" "${DATA:?}"
CHECKS=${CHECKS:-}
JAR=${EPUBCHECK_JAR:-/usr/share/java/epubcheck.jar}
fails=0
ok()   { echo "ok   $*"; }
fail() { echo "FAIL $*"; fails=$((fails+1)); }
export SOURCE_DATE_EPOCH=1700000000
MD="$DATA/markdown/all.md"
E="$OUT/md-all.epub"
P="$OUT/md-all.pdf"
rm -f "$E" "$P"

if "$GALLEY" "$MD" -o "$E" > "$E.log" 2>&1 && [ -s "$E" ]; then
  ok "published all.md -> md-all.epub"
else
  fail "galley all.md -o md-all.epub: $(head -3 "$E.log")"
fi
if grep -q 'all.md:[0-9]*:[0-9]*: warning: raw HTML is not passed through' "$E.log"; then
  ok "raw HTML: one warning naming file and line"
else fail "raw HTML warning missing: $(head -3 "$E.log")"; fi

if [ -s "$E" ]; then
  if command -v java >/dev/null && [ -f "$JAR" ]; then
    java -jar "$JAR" "$E" > "$E.epubcheck.txt" 2>&1
    rc=$?
    if [ "$rc" -eq 0 ] && ! grep -qE '^(FATAL|ERROR|WARNING)\(' "$E.epubcheck.txt"; then
      ok "md-all.epub: EPUBCheck: 0 errors, 0 warnings"
    else
      fail "md-all.epub: EPUBCheck (exit $rc)"
      grep -E '^(FATAL|ERROR|WARNING)\(|Messages:' "$E.epubcheck.txt" | head -10 | sed 's/^/     /'
    fi
  else
    fail "EPUBCheck unavailable (java or $JAR missing)"
  fi
  if [ -n "$CHECKS" ] && [ -f "$CHECKS/epub-check.sh" ]; then
    if bash "$CHECKS/epub-check.sh" "$E" > "$E.check.txt" 2>&1; then ok "md-all.epub: $(tail -1 "$E.check.txt")"
    else fail "md-all.epub: epub-check.sh"; grep -v '\] ok:' "$E.check.txt" | sed 's/^/     /'; fi
  fi

  x=$(unzip -p "$E" 'OEBPS/text/*.xhtml')
  nav=$(unzip -p "$E" OEBPS/nav.xhtml)
  opf=$(unzip -p "$E" OEBPS/content.opf)
  check() {  # check DESCRIPTION PATTERN [TEXT]
    if grep -qE -- "$2" <<<"${3:-$x}"; then ok "$1"; else fail "$1 (no match for $2)"; fi
  }
  check "headings: h2 for a chapter's level-1 heading, with its anchor id" '<h2 id="a-third-level-heading">'
  check "emphasis, strong, code, strikethrough" '<em>emphasis</em>.*<strong>strong text</strong>.*<code>inline code</code>.*<del>strikethrough</del>'
  check "hard line breaks become <br/>" 'two spaces<br/>makes a hard break'
  check "CJK soft break joined without a space" '软换行连接两行中文时，不会插入空格'
  check "web link" '<a href="https://example.org/galley">link to the web</a>'
  check "autolink" '<a href="https://www.example.com/path">'
  check "internal link resolved to the chapter's document" '<a href="article-003.xhtml">internal link</a>'
  check "ordered list with start" '<ol class="tight" start="7">'
  check "nested lists" '<ul class="tight">'
  check "loose list item with two paragraphs" '<li><p>Another loose item with two paragraphs.</p>'
  check "nested block quotes" '<blockquote>'
  check "fenced code block, spaces kept" '<pre><code>/\* a fenced code block: spaces   preserved \*/'
  check "table header row in thead" '<thead>'
  check "header cells with column alignment" '<th class="al-l">Left</th><th class="al-c">Centre</th><th class="al-r">Right</th>'
  check "body cells with alignment and inline styles" '<td class="al-c"><code>code</code></td>'
  check "table body" '<tbody>'
  check "footnote reference (noteref)" '<a epub:type="noteref" role="doc-noteref" id="fnref-1" href="#fn-1">1</a>'
  check "second reference to the same note" 'id="fnref-1-2"'
  check "footnote aside with backlink" '<aside class="footnote" epub:type="footnote" role="doc-footnote" id="fn-1">'
  check "backlink" '<a href="#fnref-1" role="doc-backlink">1</a>'
  check "PNG image with alt text" '<img src="../images/img-001.png" alt="A gradient figure \(PNG\)"/>'
  check "JPEG image with Chinese alt text" '<img src="../images/img-002.jpg" alt="照片（JPEG）"/>'
  if grep -q '<span>\|<div>dropped' <<<"$x"; then fail "raw HTML passed through"; else ok "raw HTML not passed through"; fi
  check "manifest lists the PNG" 'href="images/img-001.png" media-type="image/png"' "$opf"
  check "manifest lists the JPEG" 'href="images/img-002.jpg" media-type="image/jpeg"' "$opf"
  n=$(unzip -l "$E" | grep -c 'OEBPS/text/article-[0-9]*\.xhtml')
  if [ "$n" -eq 7 ]; then ok "one content document per chapter (7)"; else fail "expected 7 content documents, got $n"; fi
  n=$(grep -c '<a href="text/article-[0-9]*\.xhtml">' <<<"$nav")
  if [ "$n" -eq 7 ]; then ok "nav lists the 7 chapters"; else fail "nav lists $n chapters, expected 7"; fi
  check "nav nests a chapter's headings" 'article-002.xhtml#a-third-level-heading' "$nav"
  if cmp -s <(unzip -p "$E" OEBPS/images/img-001.png) "$DATA/markdown/figure.png"; then
    ok "the PNG is copied byte for byte"; else fail "OEBPS/images/img-001.png differs from figure.png"; fi
fi

# ---------------------------------------------------------------- PDF
if "$GALLEY" "$MD" -o "$P" > "$P.log" 2>&1 && [ -s "$P" ]; then
  ok "published all.md -> md-all.pdf"
  if command -v qpdf >/dev/null; then
    if qpdf --check "$P" > "$P.qpdf.txt" 2>&1; then ok "md-all.pdf: qpdf --check"
    else fail "md-all.pdf: qpdf --check: $(tail -2 "$P.qpdf.txt")"; fi
  fi
  if command -v pdftotext >/dev/null; then
    t=$(pdftotext -enc UTF-8 "$P" - 2>/dev/null | tr -d ' \n')
    if grep -q '中文段落里有强调' <<<"$t" && grep -q 'Thirditem' <<<"$t"; then
      ok "md-all.pdf: Chinese and English text extracts"
    else fail "md-all.pdf: text missing from the PDF"; fi
  fi
else
  fail "galley all.md -o md-all.pdf: $(head -3 "$P.log")"
fi

# ---------------------------------------------------------------- image errors
W="$OUT/md-img"
rm -rf "$W"; mkdir -p "$W"
printf 'Text.\n\n![gone](missing.png)\n' > "$W/missing.md"
if "$GALLEY" "$W/missing.md" -o "$W/m.epub" > "$W/m.log" 2>&1; then
  fail "a missing image did not fail the run"
elif grep -qF "missing.md:3: image '$W/missing.png' is missing" "$W/m.log" && [ ! -e "$W/m.epub" ]; then
  ok "missing image: error names file:line and the image, no EPUB written"
else fail "missing image: unexpected message: $(head -2 "$W/m.log")"; fi
head -c 40 "$DATA/markdown/figure.png" > "$W/broken.png"
printf 'Text.\n\nMore ![broken](broken.png)\n' > "$W/corrupt.md"
if "$GALLEY" "$W/corrupt.md" -o "$W/c.epub" > "$W/c.log" 2>&1; then
  fail "a corrupt image did not fail the run"
elif grep -qF "corrupt.md:3: image '$W/broken.png': corrupt PNG" "$W/c.log"; then
  ok "corrupt image: error names file:line and says corrupt PNG"
else fail "corrupt image: unexpected message: $(head -2 "$W/c.log")"; fi

[ "$fails" -eq 0 ]
