#!/usr/bin/env bats
# protokit run NAME --explain (issue 13 item 4) for e2e and ca: one run
# each, then every openssl or coreutils command it printed beside a
# crypto step is run in its directory and must write the very bytes of
# the run (tests/explain-helpers.bash); a protocol that loses one of its
# explained steps fails the count.

load helpers
load explain-helpers

setup_file() {
	explain_run e2e
	explain_run ca
}

# shown NAME REGEX: how many explain$ lines of NAME's run match REGEX.
shown() {
	grep -c "^    explain\\$ $2" "$BATS_FILE_TMPDIR/$1/out"
}

@test "explain e2e: openssl opens the legacy PEM key by hand and four OAEP-SHA256 blocks of the run: the relay's and the clients'" {
	explain_check e2e 5
	assert_equal "$(shown e2e "sed .* client.key | base64 -d | openssl enc -d -aes-256-cbc -md md5 -S [0-9A-F]\{16\} -iv [0-9A-F]\{32\} ")" 1
	assert_equal "$(shown e2e 'openssl pkeyutl -decrypt .*rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256 ')" 4
	local out=$BATS_FILE_TMPDIR/e2e/out work
	for t in "the relay opened alice's block with the server key" \
	    "bob opened the relay's forward with the client key" \
	    "the relay opened the first chunk with the server key" \
	    "pk-xfer opened the relay's acknowledgement"; do
		grep -q "^    explain: $t" "$out"
	done
	work=$(explain_work e2e)
	# the blocks are the wire's: 256 bytes each, the chunk the file's
	for f in send forward chunk1 ack1; do
		assert_equal "$(wc -c < "$work/$f.block")" 256
	done
	cmp -n 190 "$work/chunk1.plain" "$work/photo.bin"
}

@test "explain ca: openssl redoes the CA key's PEM, PBKDF2-HMAC-SHA512 of the password, the CSR and certificate checks, the chat's unwrap and AES-256-CBC" {
	explain_check ca 7
	assert_equal "$(shown ca "sed .* state/ca.key | base64 -d | openssl enc -d -aes-256-cbc -md md5 ")" 1
	assert_equal "$(shown ca 'openssl kdf -keylen 64 -kdfopt digest:SHA512 -kdfopt pass:alice-account-pw -kdfopt hexsalt:[0-9A-F]\{64\} -kdfopt iter:100000 -binary PBKDF2 ')" 1
	assert_equal "$(shown ca 'openssl req -in alice.wire.csr -verify -noout -pubkey ')" 1
	assert_equal "$(shown ca 'openssl verify -CAfile ca.crt [a-z]*.wire.crt > /dev/null && ')" 2
	assert_equal "$(shown ca 'openssl pkeyutl -decrypt -inkey bob.key .*rsa_oaep_md:sha256 ')" 1
	# shellcheck disable=SC2016 # the command's own $(...), as shown
	assert_equal "$(shown ca 'openssl enc -d -aes-256-cbc -K "$(sha256sum < chat.pw | cut -c1-64)" -iv "$(od -An -tx1 chat.iv | tr -d . \\n.)" -in chat.ct ')" 1
	grep -q "^    explain: .*(the demo's password on openssl's command line: never a real one" \
	    "$BATS_FILE_TMPDIR/ca/out"
	local work
	work=$(explain_work ca)
	# the request and the certificate are the wire's, the files the run's
	cmp "$work/alice.wire.csr" "$work/alice.csr"
	cmp "$work/alice.wire.crt" "$work/alice.crt"
	assert_equal "$(wc -c < "$work/alice.hash")" 64
}

@test "explain e2e and ca: a corrupted file of the run fails the comparison" {
	explain_corrupt e2e
	explain_corrupt ca
}

@test "explain e2e and ca: the help of each offers --explain" {
	local name
	for name in e2e ca; do
		run -0 "protokit-$name" --help
		assert_line --regexp "^usage: protokit-$name \\[--explain\\] "
		assert_line --regexp '^  --explain   under each crypto step, the openssl '
	done
}
