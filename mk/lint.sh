#!/bin/sh
# `make lint`: every tracked C file and header against .clang-format;
# every script (bin/protokit* but its jq program, bin/attacks/, mk/,
# tests/) through the shell checker at all severities, *.bats as bats,
# so that a bats `! cmd` (SC2314) is caught.
# Names every file that fails; exit 1 if any does.  Run from the top of
# the tree.
set -eu

# files PATTERN...: the tracked files matching (every match outside git).
# No file name in the tree has a space, so the lists are split on blanks.
files() {
	if git rev-parse --git-dir >/dev/null 2>&1; then
		git ls-files -- "$@"
	else
		for pat in "$@"; do
			find . -path "./$pat" | sed 's|^\./||'
		done
	fi
}

# One clang-format for every file (one a file took 20 s): the files it
# would change are those its --Werror report names.
cfiles=$(files '*.c' '*.h')
n=$(printf '%s\n' "$cfiles" | grep -c . || true)
# shellcheck disable=SC2086 # the lists are split on blanks (see files)
differ=$( { [ -z "$cfiles" ] ||
    clang-format --dry-run --Werror $cfiles 2>&1 >/dev/null || true; } |
    sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: error: .*/\1/p' | sort -u)
bad=0
for f in $differ; do
	echo "lint: $f: differs from .clang-format (clang-format -i $f)"
	bad=$((bad + 1))
done
echo "lint: clang-format: $bad of $n C files differ"

# The scripts and the bats files are checked at once, on two cores; the
# scripts' findings are shown first.
sc=0
scripts=$(files 'bin/protokit*' 'bin/attacks/*' 'mk/*.sh' 'tests/*.bash' \
    'tests/*.sh' 'completion/*.bash' | grep -v '\.jq$')
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# shellcheck disable=SC2086
{ [ -z "$scripts" ] || shellcheck $scripts >"$out" 2>&1; } &
bats=$(files 'tests/*.bats')
# shellcheck disable=SC2086
[ -z "$bats" ] || shellcheck --shell=bats $bats >"$out.bats" 2>&1 || sc=1
wait $! || sc=1
cat "$out" "$out.bats"
rm -f "$out.bats"
[ "$sc" = 0 ] || echo "lint: shellcheck: the findings above"
[ "$bad" = 0 ] && [ "$sc" = 0 ]
