#!/usr/bin/env bats
# The vault labs (docs/labs/vault-padding-oracle.md, vault-crc.md): from
# a capture of alice's upload, pk-attack vault-padding-oracle decrypts it
# with the live relay's 1603 versus 1607, byte for byte, and gets nothing
# (exit 1) from a hardened relay; pk-attack vault-crc's rules make
# pk-mitm change an upload in flight while alice's client reports
# success, and the hardened relay refuses it.  Files of 2 to 4 blocks.

load helpers

setup() {
	bats_require_minimum_version 1.5.0
}

teardown() {
	[ -z "${MITM_PID:-}" ] || { kill "$MITM_PID"; wait "$MITM_PID" || :; }
	stop_relay
}

# upload [--hardened]: alice, on the relay of start_relay, registers,
# gets a key and uploads alice/secret.txt (47 bytes: 3 CBC blocks),
# traced into capture.json, and keeps it (900).
upload() {
	local xf=(pk-xfer "$@")
	mkdir alice
	printf '127.0.0.1:%s\nalice\nsecret.txt\n' "$RELAY_PORT" \
	    > alice/transfer.info
	printf 'PIN 4711; pay bob 10 euros from account 12-345\n' \
	    > alice/secret.txt
	(
		cd alice || exit 2
		"${xf[@]}" vault register > /dev/null
		pk-keygen rsa -b 1024 -e 17 --no-pass -o k > /dev/null
		"${xf[@]}" vault pubkey -k k.key -o aes.wrapped
		pk-wrap -d --oaep-sha1 -k k.key < aes.wrapped > aes.key
		if [ $# -gt 0 ]; then
			"${xf[@]}" --trace-json ../capture.json vault send \
			    -k aes.key < secret.txt > /dev/null
		else
			pk-aes-cbc -e --zero-iv --raw-key -k aes.key \
			    < secret.txt > secret.enc 2> /dev/null
			"${xf[@]}" --trace-json ../capture.json vault send \
			    < secret.enc > /dev/null
		fi
		"${xf[@]}" vault ack ok
	)
}

@test "vault-padding-oracle: a captured upload decrypted byte for byte by the live relay's 1603 versus 1607, no key" {
	start_relay vault@127.0.0.1:0
	upload
	run -0 --separate-stderr pk-attack vault-padding-oracle \
	    --to "127.0.0.1:$RELAY_PORT" -o recovered.txt capture.json
	cmp alice/secret.txt recovered.txt
	assert_equal "$(grep -c ' a byte$' <<< "$stderr")" 3
	assert_regex "$stderr" 'block 3/3: [0-9]+ queries, [0-9.]+ a byte'
	assert_regex "$stderr" ': [0-9]+ queries, 48 bytes recovered'
	# The oracle's own file is answered 902: the relay keeps only alice's.
	run -0 ls "$BATS_TEST_TMPDIR"/state/files/vault/*/
	assert_output secret.txt
}

@test "vault-padding-oracle: the hardened relay refuses every query alike: exit 1, nothing recovered" {
	start_relay --hardened vault vault@127.0.0.1:0
	upload --hardened
	run -1 --separate-stderr pk-attack vault-padding-oracle \
	    --to "127.0.0.1:$RELAY_PORT" -o recovered.txt capture.json
	assert_output ''
	assert [ ! -e recovered.txt ]
	assert_regex "$stderr" 'no oracle: the relay refuses'
	run -0 grep -c 'the ciphertext does not decrypt' relay.log
	assert_output 1
}

@test "vault-padding-oracle: no upload in the capture, no --to, a dead relay: exit 2" {
	echo '{"protocol":"vault","direction":"sent","step":"register","fields":[]}' > none.json
	run -2 --separate-stderr pk-attack vault-padding-oracle --to 127.0.0.1:1 none.json
	assert_equal "$stderr" "pk-attack: the capture has no upload (a send_file packet 0)"
	run -2 --separate-stderr pk-attack vault-padding-oracle none.json
	assert_equal "$stderr" "usage: pk-attack vault-padding-oracle --to host:port [--name file] [-o file] [capture.json]"
	start_relay vault@127.0.0.1:0
	upload
	stop_relay
	run -2 --separate-stderr pk-attack vault-padding-oracle \
	    --to "127.0.0.1:$RELAY_PORT" capture.json
	assert_equal "$(tail -n 1 <<< "$stderr")" "pk-attack: 127.0.0.1:$RELAY_PORT: Connection refused"
}

@test "vault-crc: the rules flip the block before and put the original's CRC in 1603" {
	printf 'ORDER 2026-1205\nref A-77-0042-X\npay 00010 EUR  \nto bob DE001234\n' > order.txt
	run -0 --separate-stderr pk-attack vault-crc --at 36 --want 9 order.txt
	crc=$(pk-cksum < order.txt | cut -d ' ' -f 1)
	assert_line 'c2s step=828 nth=1 content[20]^=09'
	assert_line "$(printf 's2c step=1603 cksum=%02x%02x%02x%02x' \
	    $((crc & 255)) $((crc >> 8 & 255)) $((crc >> 16 & 255)) $((crc >> 24)))"
	assert_equal "$stderr" "pk-attack: vault-crc: \"0\" -> \"9\" at 36: the CRC stays $crc"
	run -2 --separate-stderr pk-attack vault-crc --at 4 --want 9 order.txt
	assert_equal "$stderr" "pk-attack: --at 4: the bytes must lie in one block after the first (the IV is fixed, not on the wire)"
	run -2 --separate-stderr pk-attack vault-crc --at 30 --want abc order.txt
	assert_equal "$stderr" "pk-attack: --at 30: the bytes must lie in one block after the first (the IV is fixed, not on the wire)"
	run -2 --separate-stderr pk-attack vault-crc --at 60 --want abcdef order.txt
	assert_equal "$stderr" 'pk-attack: --at 60 --want of 6 bytes: past the end of the known plaintext (64 bytes)'
}

# crc_attack [--hardened]: alice's course client sends order.txt through
# pk-mitm with pk-attack vault-crc's rules (amount 00010 -> 90010).
crc_attack() {
	printf 'ORDER 2026-1205\nref A-77-0042-X\npay 00010 EUR  \nto bob DE001234\n' > order.txt
	sed 's/00010/90010/' order.txt > want.txt
	pk-attack vault-crc --at 36 --want 9 -o rules order.txt 2> /dev/null
	pk-mitm -p vault --to "127.0.0.1:$RELAY_PORT" -f rules \
	    > mitm.out 2> mitm.log 3>&- &
	MITM_PID=$!
	wait_grep '^listening ' mitm.out
	mkdir alice && cp order.txt alice/
	printf '%s\nalice\norder.txt\n' "$(sed -n 's/^listening //p' mitm.out)" \
	    > alice/transfer.info
	cd alice || return 1
	run pk-xfer "$@" vault client
	cd .. || return 1
}

@test "vault-crc: through pk-mitm alice's client reports success and the relay keeps the order eve changed" {
	start_relay vault@127.0.0.1:0
	crc_attack
	assert_success
	assert_line 'Correct checksum'
	assert_line 'CRC OK REQUEST COMPLETED'
	kept=$(echo "$BATS_TEST_TMPDIR"/state/files/vault/*/order.txt)
	# Byte for byte eve's order, but for block 1, CBC's noise.
	cmp -n 16 want.txt "$kept"
	cmp -i 32 want.txt "$kept"
	run -1 cmp -s -n 32 want.txt "$kept"
	run -0 grep -c 'rewritten' mitm.log
	assert_output 2
}

@test "vault-crc: hardened, the relay refuses the changed packet (1607), keeps nothing, and alice's client fails" {
	start_relay --hardened vault vault@127.0.0.1:0
	crc_attack --hardened
	assert_failure 1
	assert_line 'pk-xfer: server error (1607) after 828 (send file)'
	refute_line 'CRC OK REQUEST COMPLETED'
	run -2 ls "$BATS_TEST_TMPDIR"/state/files/vault/*/order.txt
}

@test "protokit attack vault-padding-oracle and vault-crc: succeed on faithful, fail as they must on hardened" {
	run -0 protokit attack vault-padding-oracle --hardened
	assert_line '    the attack failed (exit 1) and recovered nothing, as it must on the hardened profile'
	run -0 protokit attack vault-crc
	assert_line "    alice's client reported success; the relay keeps eve's order: the attack succeeded"
	run -0 protokit attack vault-crc --hardened
	assert_line "    alice's client failed (exit 1) and the relay kept nothing, as it must on the hardened profile"
	run -0 protokit attack --list
	assert_line --regexp '^vault-crc +vault: CRC is not integrity'
	assert_line --regexp '^vault-padding-oracle +vault: '
}
