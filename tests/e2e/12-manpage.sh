#!/usr/bin/env bash
# The man page (src/galley.1), `galley --help` and the option table of
# src/cli.c name the same options: every long and short option defined in
# --help is defined in the man page's OPTIONS section and the other way
# round, every option getopt accepts is in --help and every option --help
# defines is accepted, and the man page's EXIT STATUS lists the codes
# --help lists.  An option added to cli.c without its documentation, or
# documented and gone, fails here.  `make man-check` runs this script alone.
set -u
: "${GALLEY:?}" "${OUT:?}"
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../src" && pwd)
T=$OUT/manpage; rm -rf "$T"; mkdir -p "$T"
fails=0
ok()  { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails+1)); }

"$GALLEY" --help > "$T/help.txt" || bad "galley --help failed"

# --help: the option column of the lines that define options ("  -o, --output
# FILE   text" or "      --title TEXT   text"), cut at the gap before the text.
grep -E '^  -[A-Za-z], --|^      --' "$T/help.txt" | sed -E 's/^ +//; s/  .*//' > "$T/help.defs"
# The man page: the tag line after each .TP of the OPTIONS section, with the
# groff escapes and quotes taken out.
sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$src/galley.1" | sed -n '/^\.TP/{n;p}' |
  sed -E 's/\\-/-/g; s/\\f[BIRP]//g; s/"//g; s/^\.[A-Z]+ //' > "$T/man.defs"
# cli.c: the names of getopt_long's table and the letters of its short options.
sed -n '/longopts\[\] = {/,/};/p' "$src/cli.c" | grep -oE '^ *\{"[a-z0-9-]+"' |
  sed -E 's/^ *\{"/--/; s/"$//' | sort -u > "$T/cli.long"
grep -oE 'getopt_long\(argc, argv, "[^"]*"' "$src/cli.c" | sed -E 's/.*"(.*)"/\1/; s/://g' |
  grep -oE '[A-Za-z]' | sed 's/^/-/' | sort -u > "$T/cli.short"
[ -s "$T/cli.long" ] && [ -s "$T/cli.short" ] || bad "cannot read the option table of src/cli.c"

longs()  { grep -oE -- '--[a-z0-9][a-z0-9-]*' "$1" | sort -u; }
shorts() { grep -oE -- '(^|[ ,])-[A-Za-z]([ ,]|$)' "$1" | grep -oE -- '-[A-Za-z]' | sort -u; }
longs "$T/help.defs" > "$T/help.long";  shorts "$T/help.defs" > "$T/help.short"
longs "$T/man.defs"  > "$T/man.long";   shorts "$T/man.defs"  > "$T/man.short"

# same NAME A B: the lists in files A and B are equal; else each difference.
same() {
  local what=$1 a=$2 b=$3 na=$4 nb=$5 d
  d=$(comm -23 "$a" "$b" | tr '\n' ' '); [ -z "$d" ] || bad "$what: in $na, not in $nb: $d"
  d=$(comm -13 "$a" "$b" | tr '\n' ' '); [ -z "$d" ] || bad "$what: in $nb, not in $na: $d"
  cmp -s "$a" "$b" && ok "$what: $(wc -l < "$a") the same in $na and $nb"
}
same "long options"  "$T/help.long"  "$T/man.long"  "--help" "galley.1"
same "short options" "$T/help.short" "$T/man.short" "--help" "galley.1"
same "long options"  "$T/cli.long"   "$T/help.long"  "cli.c's table" "--help"
same "short options" "$T/cli.short"  "$T/help.short" "cli.c's getopt string" "--help"

# Exit codes: "Exit status: 0 success, 1 input error, ..." in --help, one
# ".B N" tag per code in the man page's EXIT STATUS.
grep -oE '\b[0-9] (success|[a-z]+ error|internal error)' "$T/help.txt" | cut -c1 | sort -u > "$T/help.exit"
sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' "$src/galley.1" | sed -n '/^\.TP/{n;p}' |
  sed -nE 's/^\.B ([0-9]+)$/\1/p' | sort -u > "$T/man.exit"
[ -s "$T/help.exit" ] || bad "--help lists no exit status"
same "exit codes" "$T/help.exit" "$T/man.exit" "--help" "galley.1"

[ "$fails" -eq 0 ]
