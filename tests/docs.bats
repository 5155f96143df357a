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
	cd "$BATS_TEST_TMPDIR/doc" || return 1
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

@test "docs: every other docs/*.md runs as written too" {
	local f
	for f in "$PK_ROOT"/docs/*.md; do
		case ${f##*/} in
		vault.md | keymanager.md | e2e.md | chat.md | ca.md) continue ;;
		esac
		cd "$BATS_TEST_TMPDIR" && rm -rf doc && mkdir doc && cd doc
		docrun "docs/${f##*/}"
		assert_success
	done
}

@test "docs: every docs/labs/*.md runs as written" {
	local f
	for f in "$PK_ROOT"/docs/labs/*.md; do
		cd "$BATS_TEST_TMPDIR" && rm -rf doc && mkdir doc && cd doc
		docrun "docs/labs/${f##*/}"
		assert_success
	done
}

# The runner itself: each of these must fail, and say where.

# fixture NAME: writes stdin to $BATS_TEST_TMPDIR/NAME.md.
fixture() {
	cat > "$BATS_TEST_TMPDIR/$1.md"
}

# rundoc NAME: docrun.sh on a fixture.
rundoc() {
	DOCRUN_PIDS="$BATS_TEST_TMPDIR/pids" run timeout -k 5 30 \
	    "$PK_ROOT/tests/docrun.sh" "$BATS_TEST_TMPDIR/$1.md" 3>&-
}

@test "docrun: a failing command names the doc, its line, its block and the command" {
	fixture bad <<-'EOF'
		# a doc

		```sh
		echo one
		pk-cksum no-such-file
		echo never
		```
	EOF
	rundoc bad
	assert_failure 1
	assert_line "docrun: FAILED with exit 1:"
	assert_line --regexp '/bad\.md:5: \(block at line 3\) pk-cksum no-such-file$'
	refute_line never
}

@test "docrun: output that differs from the shown one is a failure, placeholders match" {
	fixture out <<-'EOF'
		```console
		$ printf 'id %s port 8080 at 2026-12-05T17:26:43Z\n' 0123456789abcdef0123456789abcdef
		id <ID> port <PORT> at <TIME>
		$ printf 'a\nb\nc [x]\n'
		...
		c [x]
		$ seq 3
		1
		2
		```
	EOF
	rundoc out
	assert_failure 1
	assert_line --regexp 'the output differs from the one shown at line 8:$'
	assert_line --regexp '/out\.md:7: \(block at line 1\) seq 3$'
	assert_line '+3'
}

@test "docrun: a command block not marked sh, console or norun is refused" {
	fixture unmarked <<-'EOF'
		Run this:

		    pk-keygen aes -o k

		and this is shown only:

		```sh norun
		make test
		```
	EOF
	rundoc unmarked
	assert_failure 2
	# shellcheck disable=SC2016 # the backquotes are literal, as in the docs
	assert_line --regexp '/unmarked\.md:3: a command outside a ```sh or ```console block'
}

@test "docrun: norun blocks are skipped and background jobs are killed at the end" {
	fixture bg <<-'EOF'
		```sh norun
		false
		```

		```sh
		sleep 1000 &
		echo $! > ../sleeper
		```
	EOF
	rundoc bg
	assert_success
	run -1 kill -0 "$(cat "$BATS_TEST_TMPDIR/sleeper")"
}

@test "docrun: a doc stopped by timeout names the command that hung" {
	fixture hang <<-'EOF'
		```sh
		sleep 1000
		```
	EOF
	DOCRUN_PIDS="$BATS_TEST_TMPDIR/pids" run timeout -k 5 1 \
	    "$PK_ROOT/tests/docrun.sh" "$BATS_TEST_TMPDIR/hang.md" 3>&-
	assert_failure
	assert_line "docrun: TIMED OUT (SIGTERM) while running:"
	assert_line --regexp '/hang\.md:2: \(block at line 1\) sleep 1000$'
}
