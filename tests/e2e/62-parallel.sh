#!/usr/bin/env bash
# Beyond one machine: the README's GNU parallel recipe, run on
# localhost.  Each input is one `galley --batch FILE --outdir OUT` job: an
# independent, idempotent unit.  Running the recipe twice publishes nothing
# the second time; a killed half-run converges when re-run; the result is
# the same bytes as one local batch.
set -u
T=$OUT/parallel; rm -rf "$T"; mkdir -p "$T/corpus"
fails=0
ok()  { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails+1)); }
if ! command -v parallel >/dev/null; then
  bad "GNU parallel is not installed (Debian: parallel; it is in DEB_TEST)"; exit 1
fi
export SOURCE_DATE_EPOCH=1700000000
cp "$DATA"/brief/*.txt "$T/corpus/"
n=$(ls "$T/corpus" | wc -l)
cd "$T"

# The recipe (README "Publishing a corpus larger than one machine"), with
# -S : (this machine) instead of a list of ssh hosts.
recipe() {
  find corpus -name '*.txt' | parallel --will-cite -S : -j 2 --halt never \
    "$GALLEY" --batch {} --outdir out/{//} --formats pdf,epub -q -j 1 2>>"$1"
}
recipe run1.log; rc=$?
[ $rc -eq 0 ] && ok "parallel run 1 exits 0" || bad "parallel run 1: exit $rc: $(tail -3 run1.log)"
np=$(find out -name '*.pdf' | wc -l); ne=$(find out -name '*.epub' | wc -l)
[ "$np" -eq $n ] && [ "$ne" -eq $n ] && ok "$n inputs -> $np PDFs + $ne EPUBs" || bad "$np PDFs, $ne EPUBs, want $n"
[ "$(grep -c '^batch: 1 published, 0 skipped, 0 failed$' run1.log)" -eq $n ] && ok "each job published its one input" \
  || bad "run 1 summaries: $(sort run1.log | uniq -c | head -5)"
find out -type f -printf '%P %T@\n' | sort > times1
find out -type f -exec md5sum {} + | sort -k2 > sums1

# Idempotence: the second run touches nothing.
recipe run2.log; rc=$?
[ $rc -eq 0 ] && [ "$(grep -c '^batch: 0 published, 1 skipped, 0 failed$' run2.log)" -eq $n ] \
  && ok "run 2: all $n jobs skipped" || bad "run 2: exit $rc, $(sort run2.log | uniq -c | head -5)"
find out -type f -printf '%P %T@\n' | sort > times2
cmp -s times1 times2 && ok "run 2 rewrote no output" || bad "run 2 changed outputs"

# Convergence: lose some outputs (a crashed host), re-run, get the same bytes.
rm -f out/corpus/0[1-3]*.pdf out/corpus/05*.epub
recipe run3.log
find out -type f -exec md5sum {} + | sort -k2 > sums3
cmp -s sums1 sums3 && ok "lost outputs re-made, identical bytes" || bad "re-run after loss differs: $(diff sums1 sums3 | head -3)"
[ "$(grep -c '^batch: 1 published' run3.log)" -eq 4 ] && ok "only the 4 damaged jobs re-ran" \
  || bad "run 3 re-published $(grep -c '^batch: 1 published' run3.log), want 4"

# Same bytes as a single local batch.
"$GALLEY" --batch corpus --outdir local -q 2>/dev/null
(cd local && find . -type f -exec md5sum {} + | sed 's| \./| corpus/|' | sort -k2) > sums_local
sed 's| out/corpus/| corpus/|' sums1 | sort -k2 > sums1n
cmp -s sums1n sums_local && ok "parallel result = local batch, byte for byte" || bad "parallel and local differ: $(diff sums1n sums_local | head -3)"
[ $fails -eq 0 ]
