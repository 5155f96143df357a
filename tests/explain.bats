#!/usr/bin/env bats
# protokit run NAME --explain (issue 13 item 4) for vault, keymanager and
# chat: one run each, then every openssl or coreutils command it printed
# beside a crypto step is run in its directory and must write the very
# bytes of the run (tests/explain-helpers.bash); a protocol that loses
# one of its explained steps fails the count.

load helpers
load explain-helpers

setup_file() {
	explain_run vault
}

@test "explain vault: openssl redoes the OAEP unwrap, the AES-256-CBC upload and the relay's decryption; cksum the relay's CRC" {
	explain_check vault 4
	local out=$BATS_FILE_TMPDIR/vault/out
	assert_equal "$(grep -c '^    explain$ openssl pkeyutl -decrypt .*rsa_oaep_md:sha1 ' "$out")" 1
	assert_equal "$(grep -c '^    explain$ openssl enc -aes-256-cbc ' "$out")" 1
	assert_equal "$(grep -c '^    explain$ openssl enc -d -aes-256-cbc ' "$out")" 1
	assert_equal "$(grep -c '^    explain$ cksum ' "$out")" 1
}

@test "explain vault: a corrupted file of the run fails the comparison" {
	explain_corrupt vault
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
