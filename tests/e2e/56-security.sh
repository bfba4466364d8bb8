#!/usr/bin/env bash
# Untrusted input: raw HTML and javascript: links never
# reach the EPUB or the PDF; images outside the input's folder tree are
# refused unless --allow-path names their folder.
set -u
: "${GALLEY:?}" "${OUT:?}" "${DATA:?}"
T=$OUT/security; rm -rf "$T"; mkdir -p "$T/in" "$T/elsewhere"
fails=0
ok()   { echo "ok   $*"; }
fail() { echo "FAIL $*"; fails=$((fails+1)); }
cp "$DATA/markdown/figure.png" "$T/elsewhere/secret.png"
cp "$DATA/markdown/figure.png" "$T/in/ok.png"
cat > "$T/in/evil.md" <<'MD'
# Evil

<script>alert("raw html")</script>

A [click](javascript:alert(1)) and a [data](data:text/html;base64,PHNjcmlwdD4=) link,
<a href="javascript:alert(2)">inline html</a>, and a [good one](https://example.org/).

![inside](ok.png)
MD
"$GALLEY" "$T/in/evil.md" -o "$T/evil.pdf" -o "$T/evil.epub" 2> "$T/log"; rc=$?
[ $rc -eq 0 ] && ok "evil.md publishes (exit 0)" || fail "evil.md: exit $rc: $(head -2 "$T/log")"
if unzip -p "$T/evil.epub" '*.xhtml' | grep -qiE 'javascript:|<script|data:text'; then
  fail "script or javascript:/data: link reached the EPUB"
else ok "no <script>, javascript: or data: link in the EPUB's XHTML"; fi
unzip -p "$T/evil.epub" '*.xhtml' | grep -q 'https://example.org/' && ok "the https link is kept" || fail "https link lost"
if qpdf --qdf --object-streams=disable "$T/evil.pdf" "$T/evil.qdf" 2>/dev/null; grep -qaiE 'javascript|data:text' "$T/evil.qdf"; then
  fail "javascript:/data: link reached the PDF"
else ok "no javascript:/data: link annotation in the PDF"; fi
grep -qa 'example.org' "$T/evil.qdf" && ok "the https link annotation is in the PDF" || fail "https link annotation missing"

printf '# Out\n\n![secret](../elsewhere/secret.png)\n' > "$T/in/out.md"
"$GALLEY" "$T/in/out.md" -o "$T/out.pdf" 2> "$T/log"; rc=$?
[ $rc -eq 1 ] && grep -q "out.md:3: image '../elsewhere/secret.png' is outside the input's folder" "$T/log" \
  && ok "image outside the input's folder refused (exit 1, file:line)" || fail "outside image: exit $rc: $(cat "$T/log")"
[ ! -e "$T/out.pdf" ] && ok "no output for a refused image" || fail "out.pdf written"
printf '# Abs\n\n![secret](%s)\n' "$T/elsewhere/secret.png" > "$T/in/abs.md"
"$GALLEY" "$T/in/abs.md" -o "$T/abs.epub" 2> "$T/log"; rc=$?
[ $rc -eq 1 ] && ok "absolute image path outside refused (exit 1)" || fail "absolute outside image: exit $rc"
"$GALLEY" --allow-path "$T/elsewhere" "$T/in/out.md" -o "$T/out.pdf" -o "$T/out.epub" 2> "$T/log"; rc=$?
[ $rc -eq 0 ] && [ -s "$T/out.pdf" ] && ok "--allow-path DIR lets it in" || fail "--allow-path: exit $rc: $(cat "$T/log")"
ln -sf "$T/elsewhere/secret.png" "$T/in/link.png"
printf '# Link\n\n![secret](link.png)\n' > "$T/in/link.md"
"$GALLEY" "$T/in/link.md" -o "$T/link.pdf" 2> "$T/log"; rc=$?
[ $rc -eq 1 ] && ok "a symlink pointing out of the folder is refused too" || fail "symlinked image: exit $rc"
[ "$fails" -eq 0 ]
