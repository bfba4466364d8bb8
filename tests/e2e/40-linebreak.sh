#!/usr/bin/env bash
# UAX #14 conformance of galley's line breaker: every case of Debian's
# unicode-data LineBreakTest.txt (Unicode 15.0.0, the version ICU 72
# implements) through `galley breaks --hex`, compared here in Python; every
# case must pass except the 22 that ICU itself sets aside (ICU-21097: its
# test suite's RBBITest::testCaseIsKnownIssue, matched by prefix as ICU
# does), and those 22 must be exactly the failures.  No tailoring.  Also
# the external checker $CHECKS/linebreak-conformance/run.py when present,
# in both protocols.
set -u
T=$OUT/linebreak; rm -rf "$T"; mkdir -p "$T"
fails=0
ok()  { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails+1)); }

TEST_FILE=/usr/share/unicode/auxiliary/LineBreakTest.txt
if [ ! -r "$TEST_FILE" ]; then
  bad "$TEST_FILE missing: install Debian's unicode-data (make deps-test)"
  exit 1
fi

# The protocol by hand: offsets in code points, the end included, CR and
# U+2028 are data (only LF ends a line), malformed bytes are one U+FFFD each.
got=$(printf 'a b\n中文\nab\rcd\nx\xe2\x80\xa8y\n\n\xff\xfeq\n' | "$GALLEY" breaks)
want=$'2 3\n1 2\n3 5\n2 3\n\n3'
[ "$got" = "$want" ] && ok "galley breaks: protocol examples" || bad "galley breaks gave [$got], want [$want]"
got=$(printf '0061 000A 0062\n4E2D 6587\n' | "$GALLEY" breaks --hex)
[ "$got" = $'2 3\n1 2' ] && ok "galley breaks --hex" || bad "galley breaks --hex gave [$got]"
"$GALLEY" breaks --frobnicate </dev/null >/dev/null 2>&1; rc=$?
[ "$rc" -eq 2 ] && ok "galley breaks: unknown argument is a usage error" || bad "unknown argument: exit $rc"

# Every case, compared here.
python3 - "$GALLEY" "$TEST_FILE" >"$T/report.txt" 2>&1 <<'EOF'
import subprocess, sys
galley, path = sys.argv[1], sys.argv[2]
# ICU's known deviations (icu4c/source/test/intltest/rbbitst.cpp,
# testCaseIsKnownIssue, ICU-21097), prefixes of the test strings.
KNOWN = ["-#", "-\u0308#", "-\u00a7", "-\u0308\u00a7", "-\U00050005", "-\u0308\U00050005",
         "-\u0e01", "-\u0308\u0e01", ",0", ",\u03080", "equals .35 cents", "a.2 ",
         "a.2 \u0915", "a.2 \u672c", "a.2\u3000\u672c", "a.2\u3000\u307e", "a.2\u3000\u0033",
         "A.1 \ubabb", "\ubd24\uc5b4. A.2 \ubcfc", "\ubd10\uc694. A.3 \ubabb",
         "\uc694. A.4 \ubabb", "a.2\u3000\u300c"]
cases = []
for line in open(path, encoding="utf-8"):
    data = line.split("#", 1)[0].split()
    if not data:
        continue
    cps, brk = [], []
    for t in data:
        if t == "\u00f7":
            if cps:
                brk.append(len(cps))
        elif t != "\u00d7":
            cps.append(int(t, 16))
    cases.append((cps, brk))
inp = "".join(" ".join("%04X" % c for c in cps) + "\n" for cps, _ in cases)
r = subprocess.run([galley, "breaks", "--hex"], input=inp.encode(), capture_output=True)
if r.returncode != 0:
    print("galley breaks exited %d: %s" % (r.returncode, r.stderr.decode(errors="replace")))
    sys.exit(1)
out = r.stdout.decode().split("\n")
passed = failed_known = known = 0
unexpected = []
for i, (cps, brk) in enumerate(cases):
    got = [int(x) for x in out[i].split()] if i < len(out) else None
    text = "".join(map(chr, cps))
    is_known = any(text.startswith(k) for k in KNOWN)
    known += is_known
    if got == brk:
        passed += 1
    elif is_known:
        failed_known += 1
    else:
        unexpected.append((text, brk, got))
print("cases %d passed %d known-icu %d known-failed %d unexpected %d" % (
    len(cases), passed, known, failed_known, len(unexpected)))
for text, brk, got in unexpected[:10]:
    print("  %s: want %s got %s" % (" ".join("%04X" % ord(c) for c in text), brk, got))
sys.exit(0 if not unexpected and failed_known == 22 and passed + 22 == len(cases) else 1)
EOF
rc=$?
summary=$(head -1 "$T/report.txt")
if [ $rc -eq 0 ]; then
  ok "LineBreakTest.txt: $summary (every case but ICU's 22 known, ICU-21097)"
else
  bad "LineBreakTest.txt: $(cat "$T/report.txt")"
fi

if [ -n "${CHECKS:-}" ] && [ -r "$CHECKS/linebreak-conformance/run.py" ]; then
  for proto in hex utf8; do
    cmd=("$GALLEY" breaks); [ $proto = hex ] && cmd+=(--hex)
    python3 "$CHECKS/linebreak-conformance/run.py" --test-file "$TEST_FILE" --protocol $proto \
      --known-issues icu -- "${cmd[@]}" >"$T/run-$proto.txt" 2>&1
    rc=$?
    line=$(grep '^SUMMARY' "$T/run-$proto.txt" | tail -1)
    [ $rc -eq 0 ] && ok "shared checker, $proto: $line" || bad "shared checker, $proto: $line"
  done
fi
[ "$fails" -eq 0 ]
