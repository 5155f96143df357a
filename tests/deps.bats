#!/usr/bin/env bats
# mk/deps.sh: silent when every package is there; names the exact apt-get
# line (and exits 2) when something is missing and it is not root.

load helpers

@test "deps: silent and exit 0 when nothing is missing" {
	run -0 --separate-stderr "$PK_ROOT/mk/deps.sh"
	assert_output ''
	[ -z "$stderr" ]
}

@test "deps: not root and a package missing: the exact apt-get line, exit 2" {
	local as_user=()
	if [ "$(id -u)" -eq 0 ]; then
		command -v setpriv >/dev/null || skip "setpriv is not installed"
		as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
		"${as_user[@]}" test -r "$PK_ROOT/mk/deps.sh" -a \
		    -x "$PK_ROOT/mk/deps.sh" ||
		    skip "nobody cannot read and run $PK_ROOT/mk/deps.sh (a checkout under a private directory)"
	fi
	run -2 "${as_user[@]}" "$PK_ROOT/mk/deps.sh" pk-no-such-package
	assert_line 'protokit: missing packages: pk-no-such-package'
	assert_line 'install them with: sudo apt-get update && sudo apt-get install -y pk-no-such-package'
}

@test "deps: a clone is self-contained: nothing points outside it, README's and the docs' links resolve" {
	run -1 grep -rIl --exclude-dir=.git --exclude-dir=work --exclude-dir=vectors \
	    --exclude-dir='corpus-*' -e '\.\./shared' "$PK_ROOT"
	local f link
	for f in "$PK_ROOT"/README.md "$PK_ROOT"/docs/*.md; do
		while read -r link; do
			case "$link" in
			http*://* | '#'* | mailto:*) continue ;;
			esac
			[ -e "$(dirname "$f")/${link%%#*}" ] ||
			    fail "$f links to $link, which a clone does not have"
		done < <(grep -o '](\([^)]*\))' "$f" | sed 's/^](//; s/)$//')
	done
	[ -f "$PK_ROOT/docs/style.md" ]
}
