#!/usr/bin/env bats
# protokit run NAME --explain (issue 13 item 4) for vault, keymanager and
# chat: one run each (in setup_file), then every openssl or coreutils command it printed
# beside a crypto step is run in its directory and must write the very
# bytes of the run (tests/explain-helpers.bash); a protocol that loses
# one of its explained steps fails the count.

load helpers
load explain-helpers

setup_file() {
	explain_run vault
	explain_run keymanager
	# Frames of an earlier run in --trace-json's file, with chat's steps
	# and other bytes: --explain must read only this run's.
	printf '%s\n' '{"step":"wrapped_key","fields":[{"name":"wrapped_key","hex":"00"},{"name":"session_key","hex":"01"}]}' \
	    '{"step":"message","fields":[{"name":"iv","hex":"02"},{"name":"ciphertext","hex":"03"},{"name":"plaintext","hex":"04"}]}' \
	    > "$BATS_FILE_TMPDIR/earlier.json"
	explain_run chat --trace-json "$BATS_FILE_TMPDIR/earlier.json"
}

# explained NAME REGEX: how many explain$ lines of NAME's run match REGEX
# (after "    explain$ ").
explained() {
	grep -c "^    explain\\$ $2" "$BATS_FILE_TMPDIR/$1/out" || true
}

@test "explain vault: openssl redoes the OAEP unwrap, the AES-256-CBC upload and the relay's decryption; cksum the relay's CRC" {
	explain_check vault 4
	assert_equal "$(explained vault 'openssl pkeyutl -decrypt .*rsa_padding_mode:oaep .*rsa_oaep_md:sha1 ')" 1
	assert_equal "$(explained vault 'openssl enc -aes-256-cbc .* -in report.txt ')" 1
	assert_equal "$(explained vault 'openssl enc -d -aes-256-cbc .* -in upload.wire ')" 1
	assert_equal "$(explained vault "cksum < report.txt ")" 1
}

@test "explain keymanager: openssl redoes the ECB unwrap of K and IV, and the confirmation, the size and the file in CBC, then in CFB" {
	explain_check keymanager 10
	assert_equal "$(explained keymanager 'openssl enc -d -aes-128-ecb -nopad ')" 4
	assert_equal "$(explained keymanager 'openssl enc -aes-128-cbc .* -nopad ')" 2
	assert_equal "$(explained keymanager 'openssl enc -aes-128-cbc .* -in bob/report.txt ')" 1
	assert_equal "$(explained keymanager 'openssl enc -aes-128-cfb .* -in ')" 2
	assert_equal "$(explained keymanager '{ cat bob/report.txt; printf .*; } | openssl enc -aes-128-cfb ')" 1
}

@test "explain chat: openssl redoes the OAEP-SHA1 unwrap of the session key and one CFB-8 message both ways (--trace-json's file held frames before)" {
	explain_check chat 3
	[ ! -e "$(explain_work chat)/run.json" ]
	assert_equal "$(explained chat 'openssl pkeyutl -decrypt .*rsa_padding_mode:oaep .*rsa_oaep_md:sha1 ')" 1
	assert_equal "$(explained chat 'openssl enc -aes-128-cfb8 .* -in message.plain ')" 1
	assert_equal "$(explained chat 'openssl enc -aes-128-cfb8 .* -d -in message.wire ')" 1
}

@test "explain: a corrupted file of the run fails the comparison, in each protocol" {
	explain_corrupt vault
	explain_corrupt keymanager
	explain_corrupt chat
}

@test "explain: protokit demo takes --explain and passes it to every protocol; the options of each say it keeps the directory" {
	mkdir fake
	cp "$PK_ROOT/bin/protokit" fake/
	printf '#!/bin/sh\n# about: one\necho "one: $*"\n' > fake/protokit-one
	chmod +x fake/protokit-one
	run -0 fake/protokit demo --explain --trace
	assert_line 'one: --explain --trace'
	local name
	for name in vault keymanager chat; do
		run -0 "protokit-$name" --help
		assert_line --regexp "^usage: protokit-$name \\[--explain\\] "
		assert_line --regexp '^  --explain   under each crypto step, the openssl '
	done
	run -0 protokit --help
	assert_line --regexp '^  --explain   under each crypto step, the openssl '
}

@test "explain: the run says where it kept its directory, with the list of commands" {
	local work
	work=$(explain_work vault)
	assert_equal "$(tail -n 2 "$BATS_FILE_TMPDIR/vault/err")" "protokit-vault: kept $work
protokit-vault: the explain\$ lines run there again (all in $work/explain.list)"
	[ -s "$work/run.json" ]
}

@test "explain: trace_bytes gives a field's bytes of the N-th, the last or frames N to M of a step; a missing one is an error" {
	# shellcheck disable=SC2016 # the script's own $
	local script='prog=t explain=1 work=$PWD trace_json=$PWD/t.json
		. "$PK_ROOT/bin/protokit-lib.sh"
		printf "%s\n" "{\"step\":\"s\",\"fields\":[{\"name\":\"f\",\"hex\":\"41\"}]}" > t.json
		explain_start
		printf "%s\n" "{\"step\":\"s\",\"fields\":[{\"name\":\"f\",\"hex\":\"0a62\",\"value\":7}]}" \
		    "{\"step\":\"u\",\"fields\":[{\"name\":\"f\",\"hex\":\"ff\"}]}" \
		    "{\"step\":\"s\",\"fields\":[{\"name\":\"g\",\"hex\":\"00\"},{\"name\":\"f\",\"hex\":\"6364\"}]}" >> t.json
		'
	run -0 sh -c "$script"' trace_bytes s f 1 | od -An -c' "$PK_ROOT/bin/protokit-t"
	assert_output '  \n   b'
	run -0 sh -c "$script"' trace_bytes s f | od -An -c; trace_bytes s f 1 2 | od -An -c; trace_value s f 1' "$PK_ROOT/bin/protokit-t"
	assert_output '   c   d
  \n   b   c   d
7'
	run -2 --separate-stderr sh -c "$script"' trace_bytes s f 3' "$PK_ROOT/bin/protokit-t"
	assert_equal "$stderr" "t: $BATS_TEST_TMPDIR/t.json: no field f in frame 3 of step s"
	run -2 --separate-stderr sh -c "$script"' trace_bytes s g 1' "$PK_ROOT/bin/protokit-t"
	assert_equal "$stderr" "t: $BATS_TEST_TMPDIR/t.json: no field g in frame 1 of step s"
	run -2 --separate-stderr sh -c "$script"' trace_bytes v f' "$PK_ROOT/bin/protokit-t"
	assert_equal "$stderr" "t: $BATS_TEST_TMPDIR/t.json: no field f in frame (last) of step v"
}
