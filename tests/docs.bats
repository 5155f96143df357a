#!/usr/bin/env bats
# The docs are tests: every shell block of README.md and docs/*.md that a
# reader is told to run is run here by tests/docrun.sh, in order, in one
# shell, in an empty scratch directory with bin/ on PATH, and the output
# each block shows is compared.  A doc that drifts from the code fails.
#
# The convention, for anyone writing a doc:
#
#   ```sh          commands that run, block after block in one shell (so
#                  `cd`, variables and background jobs carry over), as a
#                  reader types them.  Each command must exit 0 (as under
#                  `set -e -o pipefail`); show an expected failure with
#                  `cmd || echo "exit $?"` in a ```console block.
#   ```console     the same, with the output shown: a line `$ cmd` is a
#                  command (continued on the next lines while it is
#                  unfinished), the lines after it up to the next `$ `
#                  are what it prints, stdout and stderr together.  In
#                  those lines:
#                      <N> a decimal number    <PORT> a port number
#                      <ID> 32 hex digits (a client id)
#                      <HEX> hex digits        <B64> base64 text
#                      <TIME> 2026-12-05T17:26:43Z or 2023-06-25 09:35:24
#                      ...  any text; alone on a line: any lines, or none
#   ```sh norun    shown, never run: a second terminal, an interactive
#   ```console norun  client, `make test` itself.  Give a runnable
#                  equivalent nearby when there is one.
#
# Any other block (an indented one, ```text) must not start with a
# command (`pk-...`, `$ `, `openssl`, `make`, ...): the runner refuses
# the doc, so that a command cannot slip out of the tests unmarked.  A
# doc that needs a relay starts it in a block, on port 0, and reads the
# port from its output; the runner kills every background job the doc
# started, by PID, at the end.  A failure names the doc, the line, the
# block and the command.

load helpers

setup() {
	mkdir "$BATS_TEST_TMPDIR/doc"
	cd "$BATS_TEST_TMPDIR/doc"
	: > "$BATS_TEST_TMPDIR/pids"
}

# teardown: the runner kills what the doc started; this catches what it
# left when it was itself killed.
teardown() {
	local p
	while read -r p; do
		kill -TERM "$p" 2> /dev/null || true
	done < "$BATS_TEST_TMPDIR/pids"
}

# docrun DOC: runs DOC's blocks (60 s at most).
docrun() {
	DOCRUN_PIDS="$BATS_TEST_TMPDIR/pids" run timeout -k 5 60 \
	    "$PK_ROOT/tests/docrun.sh" "$PK_ROOT/$1" 3>&-
}

@test "docs: README.md runs as written" {
	docrun README.md
	assert_success
}

@test "docs: docs/vault.md runs as written" {
	docrun docs/vault.md
	assert_success
}

@test "docs: docs/keymanager.md runs as written" {
	docrun docs/keymanager.md
	assert_success
}

@test "docs: docs/e2e.md runs as written" {
	docrun docs/e2e.md
	assert_success
}

@test "docs: docs/chat.md runs as written" {
	docrun docs/chat.md
	assert_success
}

@test "docs: docs/ca.md runs as written" {
	docrun docs/ca.md
	assert_success
}
