#!/usr/bin/env bats
# The e2e labs (docs/labs/e2e-shared-key.md, pem-guess.md, e2e-forge.md):
# each `protokit attack NAME` runs the victim (relay, alice, bob), the
# attacker and the check end to end; kept (--keep, under the test's
# directory), its files are checked here: on the faithful profile the
# data recovered (or the message bob read) byte for byte, on the
# hardened one the attack's exit 1 and nothing recovered (or bob's
# refusal).  Then pk-attack and pk-mitm on what was kept: a wrong key, a
# list without the word, bad usage.

load helpers

@test "e2e-shared-key: carol's copy of the shared client key opens the relay's forwards to bob from the wire bytes alone, byte for byte" {
	lab e2e-shared-key
	assert_line '    (exit 0)'
	cmp "$kept/alice/sent.txt" "$kept/carol/recovered.txt"
	cd "$kept"
	# The capture holds the bytes on the wire, no plaintext field.
	run -0 jq -s '[.[].fields[] | select(.offset == null)] | length' \
	    carol/capture.json
	assert_output 0
	run -0 --separate-stderr pk-attack e2e-shared-key -k carol/client.key \
	    --pass-file carol/client.pass carol/capture.json
	assert_equal "$output" "$(cat alice/sent.txt)"
	assert_equal "${stderr##*$'\n'}" \
	    'pk-attack: e2e-shared-key: 0 queries, 46 bytes recovered'
	# Every capture given is read, not only the last.
	: > empty.json
	run -0 --separate-stderr pk-attack e2e-shared-key -k carol/client.key \
	    --pass-file carol/client.pass carol/capture.json empty.json
	assert_equal "$output" "$(cat alice/sent.txt)"
	# The server key opens alice's sends, which are no forwards: exit 1.
	run -1 --separate-stderr pk-attack e2e-shared-key -k state/e2e.key \
	    --pass-file state/e2e.pass -o got carol/capture.json
	assert_equal "$output" ""
	[[ $stderr == *'4 blocks in the capture, 2 open with state/e2e.key, 0 of them forwards'* ]]
	[ ! -e got ]
}

@test "e2e-shared-key --hardened: a key pair per client, carol's opens nothing (exit 1); bob's would" {
	lab e2e-shared-key --hardened
	assert_line '    (exit 1)'
	[ ! -e "$kept/carol/recovered.txt" ]
	cd "$kept"
	run -1 --separate-stderr pk-attack e2e-shared-key -k carol/client.key \
	    --pass-file carol/client.pass carol/capture.json
	assert_equal "$output" ""
	assert_equal "$stderr" 'pk-attack: e2e-shared-key: 6 blocks in the capture, 0 open with carol/client.key, 0 of them forwards
pk-attack: e2e-shared-key: no forward opens with this key: nothing recovered'
	# The capture does hold the forwards: bob's own key opens them.
	run -0 --separate-stderr pk-attack e2e-shared-key -k bob/client.key \
	    --pass-file bob/client.pass carol/capture.json
	assert_equal "$output" "$(cat alice/sent.txt)"
}

@test "pem-guess: the legacy PEM's passphrase found in a word list, byte for byte, with the guesses per second" {
	lab pem-guess
	assert_line '    (exit 0)'
	assert_line --regexp '^    pk-attack: pem-guess: 10087 guesses in [0-9.]+ s: [0-9.]+ guesses per second$'
	cmp "$kept/alice/client.pass" "$kept/eve/found.txt"
	cd "$kept"
	# A list without the passphrase: exit 1, nothing written.
	grep -v sunshine1987 eve/words.txt > other.txt
	run -1 --separate-stderr pk-attack pem-guess -w other.txt -o got \
	    eve/client.key
	assert_equal "$output" ""
	assert_equal "${stderr##*$'\n'}" \
	    'pk-attack: pem-guess: no word of the list opens the key: nothing recovered'
	[ ! -e got ]
}

@test "pem-guess --hardened: PBES2 at 600000 rounds, the list over the budget: exit 1, the rate and the estimate, nothing; at 1000 rounds the same form falls" {
	lab pem-guess --hardened
	assert_line '    (exit 1)'
	assert_line --regexp '^    pk-attack: pem-guess: [0-9]+ guesses in [0-9.]+ s: [0-9.]+ guesses per second$'
	assert_line --regexp "^    pk-attack: pem-guess: the list's 12150 words need about [0-9]+ s at this rate, over the budget of 10 s: given up, nothing recovered$"
	[ ! -e "$kept/eve/found.txt" ]
	cd "$kept"
	head -c 12 alice/client.pass > pass
	pk-keygen rsa --iter 1000 --pass-file pass -o fast
	printf 'password1\nsunshine1987\ndragon7\n' > three.txt
	run -0 --separate-stderr pk-attack pem-guess -w three.txt -o got fast.key
	cmp pass got
	assert_equal "${stderr##*$'\n'}" \
	    'pk-attack: pem-guess: the passphrase is word 2 of the list'
}

@test "pem-guess: a word-list line with a NUL byte, or over 1024 bytes, is skipped alone; the word after it is still tried" {
	{
		head -c 1100 /dev/zero | tr '\0' x
		printf '\nab\0c\nfuzz\r\n'
	} > words.txt
	run -0 --separate-stderr pk-attack pem-guess -w words.txt -o got \
	    "$FIXTURES/keys/legacy-aes128.pem"
	assert_equal "${stderr_lines[0]}" "pk-attack: pem-guess: $FIXTURES/keys/legacy-aes128.pem: legacy PEM (Proc-Type: 4,ENCRYPTED: EVP_BytesToKey with MD5, one iteration, AES-CBC); 1 words to try"
	printf fuzz | cmp - got
}

@test "e2e-forge: pk-mitm with the server key reads alice's message and delivers bob eve's text as hers, byte for byte" {
	lab e2e-forge
	cd "$kept"
	grep -qx 'pk-mitm: e2e: conn 1: read: 127.0.0.1:[0-9]*/lunch at noon?' \
	    eve/mitm.log
	cmp eve/forged.txt bob/got.txt
	run -1 grep -c 'lunch at noon' bob/out
	# bob names as the sender the connection alice's block came on.
	from=$(sed -n 's/^[^ ]* e2e \([0-9.:]*\) message forwarded.*/\1/p' \
	    relay.log)
	grep -qx "Recieved a message from ('${from%:*}', ${from##*:}): pay mallory 500 euros, alice" \
	    bob/out
}

@test "e2e-forge --hardened: the forgery goes out with alice's signature of what she wrote; bob refuses it, prints nothing, exits 1" {
	lab e2e-forge --hardened
	assert_line '    bob left, status 1'
	cd "$kept"
	grep -qx 'pk-mitm: e2e: conn 1: forged: bob/pay mallory 500 euros, alice (with the sender'"'"'s signature of what it wrote)' \
	    eve/mitm.log
	grep -qx 'pk-xfer: 127.0.0.1:[0-9]*: a message said to be from alice refused: its signature does not verify' \
	    bob/err
	run -1 grep -c 'Recieved a message' bob/out
}

@test "e2e attacks: usage, a key that is not encrypted, a bad budget, --edit without -k or not FROM=TO, a server key that does not open are exit 2" {
	run -2 --separate-stderr pk-attack pem-guess key
	assert_equal "$stderr" 'usage: pk-attack pem-guess -w words [--budget seconds] keyfile'
	run -2 --separate-stderr pk-attack pem-guess -w words \
	    "$FIXTURES/keys/pkcs8.pem"
	assert_equal "$stderr" "pk-attack: $FIXTURES/keys/pkcs8.pem: not an encrypted private key"
	run -2 --separate-stderr pk-attack pem-guess --budget 0 -w words \
	    "$FIXTURES/keys/legacy-aes256.pem"
	assert_equal "$stderr" 'pk-attack: --budget: 0: too small'
	run -2 --separate-stderr pk-attack e2e-shared-key capture.json
	assert_equal "$stderr" 'usage: pk-attack e2e-shared-key -k key [--pass-file file] capture.json ...'
	run -2 --separate-stderr pk-mitm -p e2e --to 127.0.0.1:9 --edit x=y
	assert_equal "$stderr" 'pk-mitm: --edit needs -k'
	run -2 --separate-stderr pk-mitm -p e2e --to 127.0.0.1:9 -k e2e.key \
	    --edit x
	assert_equal "$stderr" "pk-mitm: --edit 'x': not FROM=TO with FROM not empty"
	run -2 --separate-stderr pk-mitm -p e2e --to 127.0.0.1:9 --forge x
	assert_equal "${stderr_lines[0]}" "pk-mitm: unrecognized option '--forge'"
	cp "$FIXTURES/keys/legacy-aes256.pem" e2e.key
	run -2 --separate-stderr pk-mitm -p e2e --to 127.0.0.1:9 -k e2e.key
	assert_equal "$stderr" 'pk-mitm: -k: e2e.pass: No such file or directory'
	PK_E2E_PASS=wrong run -2 --separate-stderr pk-mitm -p e2e \
	    --to 127.0.0.1:9 -k e2e.key
	assert_equal "$stderr" 'pk-mitm: -k: e2e.key: wrong passphrase or corrupt key'

}
