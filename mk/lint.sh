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

bad=0
n=0
for f in $(files '*.c' '*.h'); do
	n=$((n + 1))
	if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
		echo "lint: $f: differs from .clang-format (clang-format -i $f)"
		bad=$((bad + 1))
	fi
done
echo "lint: clang-format: $bad of $n C files differ"

sc=0
scripts=$(files 'bin/protokit*' 'bin/attacks/*' 'mk/*.sh' 'tests/*.bash' \
    'tests/*.sh' 'completion/*.bash' | grep -v '\.jq$')
# shellcheck disable=SC2086 # the lists are split on blanks (see files)
[ -z "$scripts" ] || shellcheck $scripts || sc=1
bats=$(files 'tests/*.bats')
# shellcheck disable=SC2086
[ -z "$bats" ] || shellcheck --shell=bats $bats || sc=1
[ "$sc" = 0 ] || echo "lint: shellcheck: the findings above"
[ "$bad" = 0 ] && [ "$sc" = 0 ]
