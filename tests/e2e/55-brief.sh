#!/usr/bin/env bash
# Briefs: ten English and five Chinese articles bound into one PDF
# and EPUB.  Checks: validators pass; one outline entry per article (the
# articles have no headings); every contents entry names the page whose
# text begins with that article's title; every link annotation points at
# an existing page; page labels i, ii... then 1, 2...; the EPUB written in
# the same run has a page-list whose labels are the PDF's page numbers.
set -u
: "${GALLEY:?}" "${OUT:?}" "${DATA:?}"
T=$OUT/brief-bind; rm -rf "$T"; mkdir -p "$T"
fails=0
ok()   { echo "ok   $*"; }
fail() { echo "FAIL $*"; fails=$((fails+1)); }

ins=$(ls "$DATA"/brief/*.txt | head -10; ls "$DATA"/zh-brief/*.txt | head -5)
if ! "$GALLEY" -q $ins -o "$T/brief.pdf" -o "$T/brief.epub" --title "Weekly brief" \
     --subtitle "Federalist papers and work reports" --author "The Desk" 2> "$T/log"; then
  fail "binding 15 articles: $(head -3 "$T/log")"; exit 1
fi
ok "15 inputs bound into brief.pdf ($(stat -c %s "$T/brief.pdf") bytes) and brief.epub ($(stat -c %s "$T/brief.epub") bytes)"
if [ -n "${CHECKS:-}" ]; then
  PDF_CHECK_REQUIRE="Title Producer" bash "$CHECKS/pdf-check.sh" "$T/brief.pdf" > "$T/pdf.check" 2>&1 \
    && ok "pdf-check: $(tail -1 "$T/pdf.check")" || { fail "pdf-check"; grep FAIL "$T/pdf.check"; }
  bash "$CHECKS/epub-check.sh" "$T/brief.epub" > "$T/epub.check" 2>&1 \
    && ok "epub-check: $(tail -1 "$T/epub.check")" || { fail "epub-check"; grep -E 'FAIL|ERROR|WARN' "$T/epub.check" | head; }
else
  qpdf --check "$T/brief.pdf" > /dev/null 2>&1 && ok "qpdf --check" || fail "qpdf --check"
  java -jar /usr/share/java/epubcheck.jar "$T/brief.epub" > "$T/epubcheck.out" 2>&1 \
    && ok "epubcheck" || { fail "epubcheck"; tail -5 "$T/epubcheck.out"; }
fi

python3 - "$T/brief.pdf" "$T/brief.epub" $ins <<'PY' || fails=$((fails+1))
import json, re, subprocess, sys, unicodedata, zipfile
pdf, epub, inputs = sys.argv[1], sys.argv[2], sys.argv[3:]
def run(*a):
    return subprocess.run(a, capture_output=True, text=True).stdout
bad = 0
def check(cond, msg):
    global bad
    print(("ok   " if cond else "FAIL ") + msg)
    bad += 0 if cond else 1
titles = []
for f in inputs:
    head = open(f, encoding="utf-8").read().lstrip().split("\n", 1)[0]
    titles.append(re.sub(r"^date\s+\S+\s+Title:\s*", "", head).strip())
norm = lambda s: re.sub(r"\s+", "", unicodedata.normalize("NFC", s))
npages = int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", pdf)).group(1))
page_text = [run("pdftotext", "-f", str(i), "-l", str(i), "-enc", "UTF-8", pdf, "-") for i in range(1, npages + 1)]
# outlines: one per article, in order
outline = [l for l in run("mutool", "show", pdf, "outline").splitlines() if l.strip()]
check(len(outline) == len(titles), "outline entries %d = articles + headings %d" % (len(outline), len(titles)))
got = [re.search(r'"(.*)"', l).group(1) for l in outline if '"' in l]
check([norm(t) for t in got] == [norm(t) for t in titles], "outline titles are the article titles, in order")
# page labels: front matter roman, body from 1
j = json.loads(run("qpdf", "--json", "--json-key=pagelabels", pdf))
labels = j.get("pagelabels", [])
check(any(l["label"].get("/S") == "/r" for l in labels) and any(l["label"].get("/S") == "/D" for l in labels),
      "page labels: roman front matter, decimal body (%d ranges)" % len(labels))
body0 = next(l["index"] for l in labels if l["label"].get("/S") == "/D")
# contents: for each entry, the page it names begins with that article.
# Entries are read from the layout text: an entry ends with leaders and
# its page number at the end of a line (titles may wrap onto two lines).
toc_lines = run("pdftotext", "-layout", "-f", "1", "-l", str(body0), "-enc", "UTF-8", pdf, "-").splitlines()
found, buf = [], ""
for ln in toc_lines:
    m = re.match(r"^(.*?)[ .]{4,}(\d+)\s*$", ln)
    if m:
        found.append((norm(buf + m.group(1)), int(m.group(2))))
        buf = ""
    else:
        buf = buf + ln.strip() if ln.strip() and ln.strip() not in ("Contents", "目录") else ""
entries = 0
for t in titles:
    hit = [n for s_, n in found if s_ == norm(t) or norm(t).startswith(s_) or s_.startswith(norm(t))]
    if not hit:
        check(False, "contents lists %r" % t[:40]); continue
    num = hit[0]
    first = norm(page_text[body0 + num - 1])[:len(norm(t))]
    check(first == norm(t) and num >= 1,
          "contents: %r -> page %d, which begins with it" % (t[:38], num))
    entries += 1
check(entries == len(titles), "%d contents entries" % entries)
# every link points at an existing page
j = json.loads(run("qpdf", "--json", pdf))
objs = j["qpdf"][1] if isinstance(j.get("qpdf"), list) else j.get("objects", {})
pages_refs = set()
for k, v in objs.items():
    val = v.get("value", v) if isinstance(v, dict) else v
    if isinstance(val, dict) and val.get("/Type") == "/Page":
        pages_refs.add(k.replace("obj:", ""))
links = dangling = 0
for k, v in objs.items():
    val = v.get("value", v) if isinstance(v, dict) else v
    if isinstance(val, dict) and val.get("/Subtype") == "/Link":
        links += 1
        d = val.get("/Dest")
        if d is None and isinstance(val.get("/A"), dict):
            d = val["/A"].get("/D")
        if isinstance(d, list) and d and d[0] not in pages_refs:
            dangling += 1
check(links >= len(titles) and dangling == 0, "%d link annotations, %d dangling" % (links, dangling))
# EPUB page-list = the PDF's printed pages
z = zipfile.ZipFile(epub)
nav = z.read("OEBPS/nav.xhtml").decode()
pl = re.search(r'<nav[^>]*page-list.*?</nav>', nav, re.S)
nums = re.findall(r'>(\d+)</a>', pl.group(0)) if pl else []
check(len(nums) == npages - body0, "EPUB page-list has %d entries for %d body pages" % (len(nums), npages - body0))
check(nums == [str(i) for i in range(1, len(nums) + 1)], "page-list labels are 1..%d" % len(nums))
sys.exit(1 if bad else 0)
PY
# Bound without --author: the PDF and EPUB name the articles' authors (from
# their bylines, "Alexander Hamilton, The Independent Journal" -> the name),
# which pdf-check.sh requires.
if "$GALLEY" -q "$DATA"/brief/0[1-4]*.txt "$DATA"/zh-brief/01*.txt -o "$T/noauthor.pdf" \
     -o "$T/noauthor.epub" 2> "$T/noauthor.log"; then
  a=$(pdfinfo "$T/noauthor.pdf" 2>/dev/null | sed -n 's/^Author: *//p')
  want="Alexander Hamilton; John Jay; $(sed -n '5p' "$DATA"/zh-brief/01*.txt | tr -d '\r' | sed 's/^ *//; s/ *$//')"
  [ "$a" = "$want" ] && ok "brief without --author: PDF Author '$a'" || fail "brief without --author: PDF Author '$a', want '$want'"
  c=$(unzip -p "$T/noauthor.epub" OEBPS/content.opf | sed -n 's:.*<dc\:creator>\(.*\)</dc\:creator>.*:\1:p')
  [ "$c" = "$want" ] && ok "brief without --author: dc:creator '$c'" || fail "brief without --author: dc:creator '$c'"
  cover=$(pdftotext -l 1 "$T/noauthor.pdf" - 2>/dev/null | tr -s '\n' ' ')
  case "$cover" in *"$want"*) ok "cover names the authors: $cover" ;; *) fail "cover: '$cover', want '$want'" ;; esac
else
  fail "brief without --author: $(head -3 "$T/noauthor.log")"
fi

# Chinese articles bound without --title: the brief is a 简报.
if "$GALLEY" -q "$DATA"/zh-brief/0[12]*.txt -o "$T/zh-untitled.pdf" 2> "$T/zh-untitled.log"; then
  t=$(pdfinfo "$T/zh-untitled.pdf" 2>/dev/null | sed -n 's/^Title: *//p')
  [ "$t" = "简报" ] && ok "untitled Chinese brief: Title '$t'" || fail "untitled Chinese brief: Title '$t'"
else
  fail "untitled Chinese brief: $(head -3 "$T/zh-untitled.log")"
fi

# The Markdown book with every construct, both formats, checked the same way
md="$DATA/markdown/all.md"
if "$GALLEY" -q "$md" -o "$T/md.pdf" -o "$T/md.epub" 2> "$T/md.log"; then
  if [ -n "${CHECKS:-}" ]; then
    bash "$CHECKS/pdf-check.sh" "$T/md.pdf" > "$T/md.pdfcheck" 2>&1 && ok "markdown pdf-check" || { fail "markdown pdf-check"; grep FAIL "$T/md.pdfcheck"; }
    bash "$CHECKS/epub-check.sh" "$T/md.epub" > "$T/md.epubcheck" 2>&1 && ok "markdown epub-check" || { fail "markdown epub-check"; grep -E 'FAIL|ERROR' "$T/md.epubcheck" | head -5; }
  fi
  # headings outside code fences: the book title (the leading article) and
  # every chapter and section are bookmarks
  want=$(python3 -c "
import re,sys
n=0; fence=False
for l in open(sys.argv[1], encoding='utf-8'):
    if l.startswith('\`\`\`'): fence = not fence
    elif not fence and re.match(r'#{1,6} ', l): n += 1
print(n)" "$md")
  got=$(mutool show "$T/md.pdf" outline | grep -c '"')
  [ "$got" = "$want" ] && ok "markdown: $got bookmarks = $want headings" || fail "markdown: $got bookmarks, $want headings"
  links=$(qpdf --json "$T/md.pdf" | grep -c '"/Subtype": "/Link"')
  [ "$links" -ge 3 ] && ok "markdown: $links link annotations (contents, URLs, internal anchor)" || fail "markdown: $links link annotations"
  imgs=$(pdfimages -list "$T/md.pdf" 2>/dev/null | awk 'NR>2 && $3=="image"' | wc -l)
  [ "$imgs" -ge 2 ] && ok "markdown: $imgs images embedded" || fail "markdown: $imgs images"
else
  fail "markdown book: $(head -3 "$T/md.log")"
fi
# A brief whose front matter runs past twenty pages (contents pages for
# 600 articles at 20 pt): every contents page has its roman folio (xx,
# xxi, xxii, ... were missing once), and the PDF's page labels, the folio
# printed on each page, and the page numbers the contents quote agree.
mkdir -p "$T/many"
for i in $(seq -w 1 600); do printf 'Note %s\n\nArticle number %s of a long brief.\n' "$i" "$i" > "$T/many/$i.txt"; done
if "$GALLEY" -q "$T"/many/*.txt --font-size 20 --title "Six hundred notes" -o "$T/many.pdf" -o "$T/many.epub" 2> "$T/many.log"; then
  python3 - "$T/many.pdf" "$T/many.epub" <<'PY' || fails=$((fails+1))
import json, re, subprocess, sys, zipfile
pdf, epub = sys.argv[1:3]
bad = 0
def check(cond, msg):
    global bad
    print(("ok   " if cond else "FAIL ") + msg)
    bad += not cond
def roman(n):
    out = ""
    for v, s in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
                 (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= v:
            out += s; n -= v
    return out
pages = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True).stdout.split("\f")[:-1]
labels = []  # the label each page should carry, from the PDF's page-label ranges
j = json.loads(subprocess.run(["qpdf", "--json", "--json-key=pagelabels", pdf], capture_output=True, text=True).stdout)
ranges = sorted((r["index"], r["label"]) for r in j["pagelabels"])
for p in range(len(pages)):
    idx, lab = max(r for r in ranges if r[0] <= p)
    n = lab.get("/St", 1) + p - idx
    labels.append(roman(n) if lab.get("/S") == "/r" else str(n))
front = [p for p in range(len(pages)) if not labels[p].isdigit()]
check(len(front) > 21, "%d front pages (cover + contents), more than 21" % len(front))
# the last non-empty line of each page is its folio (the cover has none)
def folio(t):
    lines = [l.strip() for l in t.splitlines() if l.strip()]
    return lines[-1] if lines else ""
wrong = [(p + 1, labels[p], folio(pages[p])) for p in range(1, len(pages)) if folio(pages[p]) != labels[p]]
check(not wrong, "every page but the cover prints its PDF page label as its folio%s"
      % ("" if not wrong else ": page/label/folio " + repr(wrong[:5])))
check(labels[front[-1]] == roman(len(front)) and len(front) >= 22 and "xxii" in labels,
      "roman labels run on past xx (last front page: %s)" % labels[front[-1]])
# contents entries quote the label of the page the article starts on
body0 = len(front)
starts = {}
for p in range(body0, len(pages)):
    m = re.search(r"Note (\d{3})", pages[p])
    if m: starts.setdefault(m.group(1), labels[p])
toc = "\n".join(pages[1:body0])
quoted = dict(re.findall(r"^(\d{3})[ .]+ (\d+)\s*$", toc, re.M))
check(len(quoted) == 600 and all(quoted.get(k) == v for k, v in starts.items()),
      "contents: %d of 600 entries quote the printed page their article starts on" %
      sum(quoted.get(k) == v for k, v in starts.items()))
with zipfile.ZipFile(epub) as z:
    nav = next(z.read(n).decode() for n in z.namelist() if n.endswith("nav.xhtml"))
pl = re.search(r'epub:type="page-list".*?</nav>', nav, re.S)
got = re.findall(r">([^<>]+)</a>", pl.group(0)) if pl else []
check(got and got == labels[body0:body0 + len(got)],
      "EPUB page-list labels follow the PDF's (%d entries)" % len(got))
sys.exit(1 if bad else 0)
PY
else
  fail "600-article brief: $(head -3 "$T/many.log")"
fi
[ "$fails" -eq 0 ]
