#!/usr/bin/env bats
# Every command a bin/protokit-NAME orchestrator runs is printed as a
# `    $ CMD` line: copied in order into a fresh shell in an empty
# directory (bin/ on PATH, the relay started by the printed line), they
# give the same result.  The checks each run prints must pass again.

load helpers

# replay NAME [OPTION...]: runs protokit-NAME, keeps its command lines in
# NAME.cmds and replays them (play).
replay() {
	local name=$1
	shift
	export TMPDIR="$BATS_TEST_TMPDIR/tmp"
	mkdir -p "$TMPDIR"
	run -0 --separate-stderr "protokit-$name" "$@"
	sed -n 's/^    \$ //p' <<< "$output" > "$name.cmds"
	[ "$(wc -l < "$name.cmds")" -gt 5 ]
	play "$name.cmds" 0
}

# play CMDS STATUS: replays the lines of CMDS in the empty directory
# fresh/, one at a time as a person would type them: a line that fails
# ends the replay with its status, as it ends the orchestrator; the
# replay must end with STATUS.  The jobs still running when it ends are
# killed (jobs -p into a file: dash lists none in a command substitution);
# $output and $stderr are the replay's.
play() {
	mkdir -p fresh
	cd fresh || return
	# shellcheck disable=SC2016 # sh -c's own script: its $ are its own
	run "-$2" --separate-stderr timeout 120 env PATH="$PATH" \
	    sh -uc 'trap "jobs -p > ../jobs; kill \$(cat ../jobs) 2> /dev/null || :" EXIT
		while IFS= read -r line <&9; do eval "$line" || exit; done 9< "$1"' \
	    sh "../$1" 3>&-
	cd ..
}

@test "replay vault: the printed commands re-run by hand give the same file and CRCs" {
	replay vault
	assert_line 'a new AES key'
	assert_line 'identical'
	[ "$(grep -c '^[0-9]* 23090 report.txt$' <<< "$output")" -eq 4 ]
	refute_line --partial 'give up'
	cmp fresh/alice/report.txt fresh/state/files/vault/*/report.txt
}

@test "replay keymanager: the printed commands rebuild the wire ciphertext and the count check" {
	replay keymanager
	[ "$(grep -c '^identical to the ciphertext alice received$' <<< "$output")" -eq 2 ]
	[ "$(grep -c '^alice saved the same file$' <<< "$output")" -eq 2 ]
	assert_line "the key manager noticed: bob exits 1"
	assert_line 'identical'
	cmp fresh/alice/got1.txt fresh/bob/report.txt
}

@test "replay e2e: the printed commands route the messages and upload the file again" {
	replay e2e
	assert_line 'identical: one chunk of at most 190 bytes'
	assert_line --regexp "^Recieved a message from .*: hello bob, this is alice$"
	assert_line --regexp "^Recieved a message from .*: hi alice$"
	assert_line 'identical after upload'
	[ "$(grep -c '^Disconnected from Server. Exiting...$' <<< "$output")" -eq 2 ]
}

@test "replay chat: the printed commands unwrap the session key and match the wire" {
	replay chat
	assert_line 'one session key for everybody (the original did the same)'
	assert_line 'alice: hello bob'
	assert_line 'identical to the wire'
	assert_line --regexp '^[-0-9]+ [:0-9]+ bob: welcome carol$'
	assert_line 'pk-xfer: the server closed the chat'
}

@test "replay ca: the printed commands sign alice up, certify both and decrypt the peer chat" {
	replay ca
	assert_line 'Welcome'
	assert_line 'registered bob'
	assert_line 'alice.crt: OK'
	assert_line 'bob.crt: OK'
	assert_line 'alice.fetched.crt: OK'
	assert_line 'message: hello bob, this is alice'
	assert_line 'hello bob, this is alice'
	assert_line 'message: hi alice, bob here'
	openssl verify -CAfile fresh/ca.crt fresh/alice.crt
}

@test "replay vault with a failing step: the replay stops where the run stopped, with its status" {
	fake_tools pk-wrap
	export TMPDIR="$BATS_TEST_TMPDIR/tmp"
	mkdir "$TMPDIR"
	run -1 --separate-stderr fake/protokit-vault
	sed -n 's/^    \$ //p' <<< "$output" > vault.cmds
	assert_equal "$(tail -n 1 vault.cmds)" 'pk-wrap -d --oaep-sha1 -k alice.key < aes.wrapped > aes.key'
	PATH="$BATS_TEST_TMPDIR/fake:$PATH" play vault.cmds 1
	assert_equal "$stderr" "pk-wrap: broken on purpose"
	[ -s fresh/alice/aes.wrapped ] && [ ! -s fresh/alice/aes.key ]
}
