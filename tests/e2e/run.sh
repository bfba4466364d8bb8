#!/usr/bin/env bash
# End-to-end tests: publish real inputs with the galley CLI and judge the
# outputs with real validators (qpdf, pdffonts, pdftotext, epubcheck
# directly, and the external checkers in $CHECKS when present).  Runs every
# tests/e2e/[0-9]*.sh with GALLEY (the binary), OUT (a scratch directory)
# and DATA (tests/data) set; each script prints "ok ..." / "FAIL ..." lines
# and exits non-zero on failure.  The last line is "N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
export DATA=$(cd "$here/../data" && pwd)
export GALLEY=${GALLEY:?GALLEY must name the galley binary}
export OUT=${OUT:?OUT must name a scratch directory}
# CHECKS: a directory of optional external checkers (pdf-check.sh,
# epub-check.sh, cjk-linebreak-check.py, linebreak-conformance/run.py),
# which are not part of this repository; by default shared/checks in the
# directory that holds the repository.  Without it the tests use the
# validators themselves, or skip what only the checkers can judge.
export CHECKS=${CHECKS:-$(cd "$here/../../.." 2>/dev/null && pwd)/shared/checks}
[ -d "$CHECKS" ] || CHECKS=""
mkdir -p "$OUT"
pass=0 fail=0
for t in "$here"/[0-9]*.sh; do
  name=$(basename "$t" .sh)
  echo "== $name"
  if bash "$t"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAILED: $name"; fi
done
echo "e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
