# bin/protokit (the front) and bin/protokit-vault (the vault orchestrator):
# listing, running a protocol end to end with numbered steps and echoed
# commands, and leaving no relay and no temporary directory behind.

load helpers

# relay_pid_of: the relay PID protokit-vault printed in its first step.
relay_pid_of() {
	sed -n 's/^    relay pid \([0-9]*\),.*/\1/p' <<< "$output"
}

@test "protokit: --help lists the commands and the exit codes" {
	run -0 protokit --help
	assert_line 'usage: protokit list'
	assert_line --partial 'Exit codes: 0 ok; 2 usage or no such protocol'
	run -2 protokit
	run -2 protokit frobnicate
	run -0 protokit-vault --help
	assert_line 'usage: protokit-vault [--explain] [--hardened] [--keep] [--pcap file]'
	run -2 protokit-vault --bogus
}

@test "protokit list: names every bin/protokit-NAME with what it shows" {
	run -0 protokit list
	assert_line --regexp '^vault +seed 001, the course vault: '
}

@test "protokit run nosuch: exit 2 with one line" {
	run -2 --separate-stderr protokit run nosuch
	assert_equal "$stderr" "protokit: no protocol nosuch (protokit list shows them)"
	run -2 --separate-stderr protokit run ../protokit
	assert_equal "$stderr" "protokit: no protocol ../protokit (protokit list shows them)"
}

@test "protokit run vault: every step numbered, commands echoed, CRCs agree, relay stopped, directory removed" {
	export TMPDIR="$BATS_TEST_TMPDIR/tmp"
	mkdir "$TMPDIR"
	run -0 --separate-stderr protokit run vault
	for i in 1 2 3 4 5 6 7 8 9 10 11; do
		assert_line --regexp "^==> $i/11 "
	done
	assert_line '==> 3/11 alice registers her name (825 -> 1600, id written to me.info)'
	assert_line '    $ pk-xfer vault register'
	assert_line '    $ pk-keygen rsa -b 1024 -e 17 --no-pass -o alice'
	assert_line '    $ pk-wrap -d --oaep-sha1 -k alice.key < aes.wrapped > aes.key'
	assert_line '    $ pk-aes-cbc -e --zero-iv --raw-key -k aes.key < report.txt > report.enc'
	assert_line '    $ pk-xfer vault send < report.enc > crc.server'
	assert_line '    $ pk-xfer vault ack ok'
	assert_line '    $ pk-xfer vault reconnect -o aes2.wrapped'
	assert_line '    a new AES key'
	assert_line '    identical'
	[ "$(grep -c "^    the server's CRC [0-9]* is ours: confirm$" <<< "$output")" -eq 2 ]
	pid=$(relay_pid_of)
	[ -n "$pid" ]
	run -1 kill -0 "$pid"
	[ -z "$(ls -A "$TMPDIR")" ]
}

@test "protokit run vault --trace: the client's frames on stderr" {
	run -0 --separate-stderr protokit run vault --trace
	assert_line '    $ pk-xfer --trace vault register'
	grep -qE '^[0-9:.]+ >>> 127\.0\.0\.1:[0-9]+ vault register: 278 bytes$' <<< "$stderr"
	grep -qE '^[0-9:.]+ <<< 127\.0\.0\.1:[0-9]+ vault reconnect_approved: 151 bytes$' <<< "$stderr"
	grep -qE '^[0-9:.]+ <<< 127\.0\.0\.1:[0-9]+ vault file_received: 286 bytes$' <<< "$stderr"
}

@test "protokit-vault: a failing step stops the run with its status; the relay and the directory go" {
	fake_tools pk-wrap
	export TMPDIR="$BATS_TEST_TMPDIR/tmp"
	mkdir "$TMPDIR"
	run -1 --separate-stderr fake/protokit-vault
	assert_line --regexp '^==> 5/11 '
	refute_line --regexp '^==> 6/11 '
	assert_equal "$stderr" "pk-wrap: broken on purpose"
	pid=$(relay_pid_of)
	[ -n "$pid" ]
	run -1 kill -0 "$pid"
	[ -z "$(ls -A "$TMPDIR")" ]
}

@test "protokit-vault --keep: the directory stays, with the relay's files and alice's" {
	export TMPDIR="$BATS_TEST_TMPDIR/tmp"
	mkdir "$TMPDIR"
	run -0 --separate-stderr protokit run vault --keep
	dir=$(ls -d "$TMPDIR"/protokit-vault.*)
	grep -qx "protokit-vault: kept $dir" <<< "$stderr"
	[ -f "$dir/alice/me.info" ] && [ -f "$dir/state/protokit.db" ]
	cmp "$dir/alice/report.txt" "$dir"/state/files/vault/*/report.txt
}

@test "protokit run NAME --keep: every orchestrator says where it kept its directory" {
	export TMPDIR="$BATS_TEST_TMPDIR/tmp"
	mkdir "$TMPDIR"
	for name in e2e chat keymanager; do
		run -0 --separate-stderr protokit run "$name" --keep
		dir=$(ls -d "$TMPDIR/protokit-$name".*)
		grep -qx "protokit-$name: kept $dir" <<< "$stderr"
		[ -f "$dir/relay.log" ]
	done
}

@test "protokit-ca --keep: step 4 shows the whole certificate, CA:FALSE and the key usage too" {
	export TMPDIR="$BATS_TEST_TMPDIR/tmp"
	mkdir "$TMPDIR"
	run -0 --separate-stderr protokit-ca --keep
	dir=$(ls -d "$TMPDIR"/protokit-ca.*)
	grep -qx "protokit-ca: kept $dir" <<< "$stderr"
	sed -n '/^==> 4\/10 /,/^==> 5\/10 /p' <<< "$output" > step4
	grep -qx '    \$ openssl x509 -in alice.crt -noout -text' step4
	grep -qx ' *X509v3 Basic Constraints: critical' step4
	grep -qx ' *CA:FALSE' step4
	grep -qx ' *X509v3 Key Usage: critical' step4
	grep -qx ' *Digital Signature, Key Encipherment' step4
	grep -qx ' *Signature Value:' step4
}

@test "protokit and every orchestrator: an unknown option is named, then where help is" {
	for name in vault keymanager e2e chat ca; do
		run -2 --separate-stderr "protokit-$name" --foo
		assert_equal "$stderr" "protokit-$name: unknown option '--foo'
Try 'protokit-$name --help'"
		assert_output ''
		run -2 --separate-stderr "protokit-$name" extra
		assert_equal "$stderr" "protokit-$name: unexpected argument 'extra'
Try 'protokit-$name --help'"
	done
	run -2 --separate-stderr protokit frobnicate
	assert_equal "$stderr" "protokit: unknown command 'frobnicate'
Try 'protokit --help'"
	run -2 --separate-stderr protokit demo --foo
	assert_equal "$stderr" "protokit: unknown option '--foo'
Try 'protokit --help'"
	run -2 --separate-stderr protokit
	assert_equal "$stderr" "protokit: missing command: list, run or demo
Try 'protokit --help'"
	run -2 --separate-stderr protokit run vault --foo
	assert_equal "$stderr" "protokit-vault: unknown option '--foo'
Try 'protokit-vault --help'"
}

@test "protokit-vault --step on a terminal: each pause names the step it waits for" {
	command -v script > /dev/null || skip "script(1) is not installed"
	export TMPDIR="$BATS_TEST_TMPDIR/tmp"
	mkdir "$TMPDIR"
	# 20 Enters, then EOF: an endless feed can block script(1) writing
	# into a pty nobody reads once the script has ended.
	printf '\n%.0s' {1..20} > enters
	run -0 timeout 120 script -qec "$PK_ROOT/bin/protokit-vault --step" /dev/null \
	    < enters
	assert_line --partial '(press Enter for step 1/11: the relay starts its vault service on a free port) '
	assert_line --partial '(press Enter for step 11/11: the relay stops; '
	[ "$(grep -c 'press Enter for step' <<< "$output")" -eq 11 ]
}

@test "protokit demo --step --trace: every protocol gets the options" {
	mkdir fake
	cp "$PK_ROOT/bin/protokit" fake/
	for n in one two; do
		printf '#!/bin/sh\n# about: %s\necho "%s: $*"\n' "$n" "$n" > "fake/protokit-$n"
		chmod +x "fake/protokit-$n"
	done
	cp "$PK_ROOT/bin/protokit-lib.sh" "$PK_ROOT/bin/protokit-explain.sh" fake/
	run -0 fake/protokit demo --step --trace
	assert_line 'one: --step --trace'
	assert_line 'two: --step --trace'
	assert_line '=== protokit run one --step --trace'
	run -0 fake/protokit list
	refute_line --partial 'lib'
}

@test "protokit demo --trace-json FILE: every protocol gets it, both spellings; without FILE a usage error" {
	mkdir fake
	cp "$PK_ROOT/bin/protokit" fake/
	printf '#!/bin/sh\n# about: one\necho "one: $*"\n' > fake/protokit-one
	chmod +x fake/protokit-one
	run -0 fake/protokit demo --step --trace --trace-json t.json
	assert_line 'one: --step --trace --trace-json t.json'
	run -0 fake/protokit demo --trace-json=t.json --keep
	assert_line 'one: --trace-json=t.json --keep'
	run -2 --separate-stderr fake/protokit demo --trace-json
	assert_equal "$stderr" "protokit: --trace-json: missing file
Try 'protokit --help'"
	run -2 --separate-stderr fake/protokit demo --trace-json=
	assert_equal "$stderr" "protokit: --trace-json: missing file
Try 'protokit --help'"
	run -0 protokit --help
	assert_line '       protokit demo [--explain] [--keep] [--step] [--trace] [--trace-json file]'
}

@test "protokit run NAME --trace-json FILE: each of the five appends its frames to FILE, one JSON object a line" {
	export TMPDIR="$BATS_TEST_TMPDIR/tmp"
	mkdir "$TMPDIR"
	local name
	for name in ca chat e2e keymanager vault; do
		# A relative FILE is the caller's, not the script's work dir's.
		run -0 --separate-stderr protokit run "$name" \
		    "--trace-json=$name.json"
		[ -s "$name.json" ] || fail "protokit run $name wrote no $name.json"
		# shellcheck disable=SC2016 # $p is jq's
		run -0 jq -r --arg p "$name" 'select(.protocol == $p) | .step' \
		    "$name.json"
		[ -n "$output" ] || fail "no $name frame in $name.json"
	done
	# The spelling with a space, an absolute path: the same.
	run -0 --separate-stderr protokit run vault --trace-json "$PWD/v2.json"
	[ "$(jq -r .protocol v2.json | sort -u)" = vault ]
	[ -z "$(ls -A "$TMPDIR")" ]
}

@test "protokit-NAME --trace-json: a missing or unwritable FILE is a usage error before any step, in each of the five" {
	local name
	for name in ca chat e2e keymanager vault; do
		run -2 --separate-stderr "protokit-$name" --trace-json
		assert_equal "$stderr" "protokit-$name: --trace-json: missing file
Try 'protokit-$name --help'"
		run -2 --separate-stderr "protokit-$name" --trace --trace-json=
		assert_equal "$stderr" "protokit-$name: --trace-json: missing file
Try 'protokit-$name --help'"
		run -2 --separate-stderr "protokit-$name" --trace-json nodir/x.json
		assert_output ''
		[ "${stderr##*$'\n'}" = "protokit-$name: $PWD/nodir/x.json: cannot write" ]
		run -0 "protokit-$name" --trace-json x.json --help
		assert_line --index 0 --partial "usage: protokit-$name ["
		assert_output --partial "[--trace-json file]"
	done
}

@test "protokit-vault: a hangup (the terminal closed) still stops the relay and removes the directory" {
	command -v setsid > /dev/null || skip "setsid is not installed"
	fake_tools pk-wrap
	printf '#!/bin/sh\nexec sleep 60\n' > fake/pk-wrap
	export TMPDIR="$BATS_TEST_TMPDIR/tmp"
	mkdir "$TMPDIR"
	# Its own session, as a terminal's: the hangup goes to the group.  A
	# shell that starts with SIGHUP ignored (under nohup) cannot trap it:
	# the script starts with its default, as from a terminal.
	setsid env --default-signal=HUP fake/protokit-vault > out 2> err 3>&- &
	local pid=$! rc=0
	wait_line out '    $ pk-wrap -d --oaep-sha1 -k alice.key < aes.wrapped > aes.key'
	kill -HUP -- "-$pid"
	wait "$pid" || rc=$?
	[ "$rc" -eq 129 ] || fail "protokit-vault exited $rc, not 129: $(cat err)"
	pid=$(sed -n 's/^    relay pid \([0-9]*\),.*/\1/p' out)
	[ -n "$pid" ]
	run -1 kill -0 "$pid"
	[ -z "$(ls -A "$TMPDIR")" ]
}

@test "make install: the orchestrators with their library in PREFIX/bin; installed, they run from there" {
	local root=$BATS_TEST_TMPDIR/root
	# -o all: copy what is built, never rebuild it (with other flags).
	run -0 make -C "$PK_ROOT" -o all install DESTDIR="$root" PREFIX=/opt/pk
	local c
	for c in protokit protokit-vault protokit-ca protokit-chat protokit-e2e \
	    protokit-keymanager pk-xfer pk-relay; do
		[ -x "$root/opt/pk/bin/$c" ] || fail "$c not installed"
	done
	[ -f "$root/opt/pk/bin/protokit-lib.sh" ]
	[ ! -x "$root/opt/pk/bin/protokit-lib.sh" ]
	[ -f "$root/opt/pk/bin/protokit-explain.sh" ]
	[ ! -x "$root/opt/pk/bin/protokit-explain.sh" ]
	# Nothing from the tree on PATH: the installed scripts find their
	# library and the tools beside themselves.
	export PATH=/usr/bin:/bin
	run -0 "$root/opt/pk/bin/protokit" list
	refute_line --partial 'lib'
	run -0 "$root/opt/pk/bin/protokit" run vault
	assert_line --regexp '^==> 11/11 '
}
