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
	fi
	run -2 "${as_user[@]}" "$PK_ROOT/mk/deps.sh" pk-no-such-package
	assert_line 'protokit: missing packages: pk-no-such-package'
	assert_line 'install them with: sudo apt-get update && sudo apt-get install -y pk-no-such-package'
}
