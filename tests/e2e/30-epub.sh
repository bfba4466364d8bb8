#!/usr/bin/env bash
# 30-epub.sh — publish the sample articles as EPUB and judge them with real
# validators: EPUBCheck (0 errors, 0 warnings) always, and
# $CHECKS/epub-check.sh when the checkers are present.  Also: the OCF magic
# bytes, xml:lang and CJK styles for Chinese, byte-identical output under
# SOURCE_DATE_EPOCH, and a failed write that names the path and leaves
# nothing behind.
set -u
: "${GALLEY:?}" "${OUT:?}" "${DATA:?}"
CHECKS=${CHECKS:-}
JAR=${EPUBCHECK_JAR:-/usr/share/java/epubcheck.jar}
fails=0
ok()   { echo "ok   $*"; }
fail() { echo "FAIL $*"; fails=$((fails+1)); }
export SOURCE_DATE_EPOCH=1700000000   # 2023-11-14T22:13:20Z

# EPUBCheck directly (/usr/bin/epubcheck needs binfmt_misc; run the jar).
epubcheck() {
  local epub=$1 name
  name=$(basename "$epub")
  if ! command -v java >/dev/null || [ ! -f "$JAR" ]; then
    fail "$name: EPUBCheck unavailable (java or $JAR missing)"; return
  fi
  java -jar "$JAR" "$epub" > "$epub.epubcheck.txt" 2>&1
  local rc=$?
  if [ "$rc" -eq 0 ] && ! grep -qE '^(FATAL|ERROR|WARNING)\(' "$epub.epubcheck.txt"; then
    ok "$name: EPUBCheck: 0 errors, 0 warnings"
  else
    fail "$name: EPUBCheck (exit $rc)"
    grep -E '^(FATAL|ERROR|WARNING)\(|Messages:' "$epub.epubcheck.txt" | head -10 | sed 's/^/     /'
  fi
}

shared_check() {
  local epub=$1 name
  name=$(basename "$epub")
  [ -n "$CHECKS" ] && [ -f "$CHECKS/epub-check.sh" ] || return 0
  if bash "$CHECKS/epub-check.sh" "$epub" > "$epub.check.txt" 2>&1; then
    ok "$name: $(tail -1 "$epub.check.txt")"
  else
    fail "$name: epub-check.sh"; grep -v '\] ok:' "$epub.check.txt" | sed 's/^/     /'
  fi
}

# OCF 3.3 §4.2.3: the bytes at offset 30 read "mimetypeapplication/epub+zip".
magic() {
  local epub=$1
  if [ "$(dd if="$epub" bs=1 skip=30 count=28 2>/dev/null)" = "mimetypeapplication/epub+zip" ]; then
    ok "$(basename "$epub"): mimetype first, stored, exact"
  else
    fail "$(basename "$epub"): no OCF magic at offset 30"
  fi
}

# Every XML part parses (xmllint, when installed).
wellformed() {
  local epub=$1 part bad=""
  command -v xmllint >/dev/null && command -v unzip >/dev/null || return 0
  for part in META-INF/container.xml OEBPS/content.opf OEBPS/nav.xhtml OEBPS/toc.ncx \
              OEBPS/text/article.xhtml; do
    unzip -p "$epub" "$part" | xmllint --noout --nonet - 2>/dev/null || bad="$bad $part"
  done
  if [ -z "$bad" ]; then ok "$(basename "$epub"): every XML part well-formed (xmllint)"
  else fail "$(basename "$epub"): not well-formed:$bad"; fi
}

publish() {   # publish INPUT OUTPUT
  if "$GALLEY" "$1" -o "$2" > "$2.log" 2>&1 && [ -s "$2" ]; then
    ok "published $(basename "$1") -> $(basename "$2")"; return 0
  fi
  fail "galley $(basename "$1") -o $(basename "$2"): $(head -3 "$2.log")"; return 1
}

# ---------------------------------------------------------------- English sample
rm -f "$OUT/x.epub" "$OUT/x2.epub"
if publish "$DATA/seed-article.txt" "$OUT/x.epub"; then
  epubcheck "$OUT/x.epub"
  shared_check "$OUT/x.epub"
  magic "$OUT/x.epub"
  wellformed "$OUT/x.epub"
  if unzip -p "$OUT/x.epub" OEBPS/text/article.xhtml | grep -q 'xml:lang="en"'; then
    ok "x.epub: English content document has xml:lang=en"
  else fail "x.epub: no xml:lang=\"en\" on the content document"; fi
  # Reproducible: the same input and SOURCE_DATE_EPOCH give the same bytes.
  if publish "$DATA/seed-article.txt" "$OUT/x2.epub" && cmp -s "$OUT/x.epub" "$OUT/x2.epub"; then
    ok "x.epub: two runs are byte-identical"
  else fail "x.epub: two runs differ"; fi
  if unzip -p "$OUT/x.epub" OEBPS/content.opf | grep -q '>2023-11-14T22:13:20Z<'; then
    ok "x.epub: dcterms:modified from SOURCE_DATE_EPOCH"
  else fail "x.epub: dcterms:modified does not follow SOURCE_DATE_EPOCH"; fi
fi

# ---------------------------------------------------------------- Chinese sample
rm -f "$OUT/zh.epub"
if publish "$DATA/zh-article.txt" "$OUT/zh.epub"; then
  epubcheck "$OUT/zh.epub"
  shared_check "$OUT/zh.epub"
  magic "$OUT/zh.epub"
  wellformed "$OUT/zh.epub"
  if unzip -p "$OUT/zh.epub" OEBPS/text/article.xhtml | grep -q 'xml:lang="zh-Hans"' &&
     unzip -p "$OUT/zh.epub" OEBPS/content.opf | grep -q '<dc:language>zh-Hans</dc:language>'; then
    ok "zh.epub: language zh-Hans in the OPF and the content document"
  else fail "zh.epub: language is not zh-Hans"; fi
  css=$(unzip -p "$OUT/zh.epub" OEBPS/style.css)
  if grep -q 'text-indent: 2em' <<<"$css" && grep -q 'line-break: strict' <<<"$css" &&
     grep -q ':lang(zh)' <<<"$css"; then
    ok "zh.epub: CJK styles (2em indent, strict line breaking, :lang(zh))"
  else fail "zh.epub: CJK styles missing from style.css"; fi
fi

# ---------------------------------------------------------------- failure
bad="$OUT/no-such-dir/x.epub"
if "$GALLEY" "$DATA/seed-article.txt" -o "$bad" > "$OUT/bad.log" 2>&1; then
  fail "writing into a missing directory succeeded"
elif grep -qF -- "$bad" "$OUT/bad.log" && [ ! -e "$OUT/no-such-dir" ]; then
  ok "missing directory: non-zero exit, message names the path, nothing created"
else
  fail "missing directory: message does not name $bad: $(head -2 "$OUT/bad.log")"
fi
left=$(find "$OUT" -maxdepth 1 -name '.*.epub.*' | head -3)
if [ -z "$left" ]; then ok "no temporary files left in \$OUT"
else fail "temporary files left behind: $left"; fi

[ "$fails" -eq 0 ]
