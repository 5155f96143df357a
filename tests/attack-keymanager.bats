#!/usr/bin/env bats
# The keymanager labs (docs/labs/km-k3.md, km-reuse.md, km-flip.md): each
# `protokit attack NAME` runs the victim (relay, alice, bob), eve's
# pk-mitm and the attack end to end; kept (--keep, under the test's
# directory), its files are checked here: on the faithful profile the
# data recovered (or the file alice kept) byte for byte, on the hardened
# one the attack's exit 1 and nothing recovered.  Then pk-attack km-k3
# and km-reuse on a kept capture: a wrong K3, a wrong known file, bad
# input.

load helpers

@test "km-k3: another client's K3 unwraps K and IV from eve's capture and decrypts bob's file byte for byte" {
	lab km-k3
	assert_line '    (exit 0)'
	cmp "$kept/bob/note.txt" "$kept/eve/recovered.txt"
	# Only what was on the wire: pk-mitm holds no key.
	run -0 jq -r 'select(.step == "key") | .fields[].name' \
	    "$kept/eve/ctl.json"
	assert_output "$(printf 'length\nwrapped_k')"
	cd "$kept"
	run -0 --separate-stderr pk-attack km-k3 -k eve/k3 eve/ctl.json \
	    eve/peer.json
	assert_equal "$output" "$(cat bob/note.txt)"
	assert_equal "${stderr##*$'\n'}" \
	    'pk-attack: km-k3: 0 queries, 56 bytes recovered'
	# A K3 that is not the key manager's: the padding fails, nothing.
	pk-keygen aes -b 128 -o other
	run -1 --separate-stderr pk-attack km-k3 -k other -o got eve/ctl.json \
	    eve/peer.json
	assert_equal "$output" ""
	assert_equal "${stderr##*$'\n'}" \
	    'pk-attack: km-k3: the padding is wrong: not this K3, nothing recovered'
	[ ! -e got ]
	# The peer channel alone: no K and IV to unwrap.
	run -1 --separate-stderr pk-attack km-k3 -k eve/k3 eve/peer.json
	assert_equal "$output" ""
}

@test "km-k3 --hardened: K under each client's RSA key, the attack exits 1 and recovers nothing" {
	lab km-k3 --hardened
	assert_line '    (exit 1)'
	[ ! -e "$kept/eve/recovered.txt" ]
	cmp "$kept/bob/note.txt" "$kept/alice/got.txt"
	cd "$kept"
	run -1 --separate-stderr pk-attack km-k3 -k eve/k3 eve/ctl.json \
	    eve/peer.json
	assert_equal "$output" ""
	[[ $stderr == *"no K and IV under K3 before a transfer (hardened: K comes under each client's own RSA key): nothing recovered" ]]
}

@test "km-reuse: two CFB transfers under one K and IV, the first note known, the second recovered byte for byte without K3" {
	lab km-reuse
	assert_line '    (exit 0)'
	assert_line --partial 'reusing K and IV of #2 -> #1 cfb'
	cmp "$kept/bob/note2.txt" "$kept/eve/recovered.txt"
	cd "$kept"
	run -0 --separate-stderr pk-attack km-reuse -p bob/note1.txt \
	    eve/ctl.json eve/peer.json
	assert_equal "$output" "$(cat bob/note2.txt)"
	assert_equal "$stderr" 'pk-attack: km-reuse: 2 transfers in the capture, 0 frames of the hardened profile
pk-attack: km-reuse: 4 of 4 blocks under a known keystream
pk-attack: km-reuse: 0 queries, 60 bytes recovered'
	# A known file of another length: exit 2, one line.
	printf 'short\n' > other.txt
	run -2 --separate-stderr pk-attack km-reuse -p other.txt eve/peer.json
	assert_equal "${stderr##*$'\n'}" \
	    'pk-attack: other.txt: 6 bytes, not the first transfer'"'"'s file'
	# The wrong plaintext of the right length (its third block changed):
	# the first block still comes from the length block alone, the
	# third is wrong.
	sed 's/safe/SAFE/' bob/note1.txt > other.txt
	run -0 pk-attack km-reuse -p other.txt -o got eve/peer.json
	cmp -n 16 got bob/note2.txt
	run -1 cmp -s got bob/note2.txt
	# One transfer only: exit 1, nothing.
	head -n 2 eve/peer.json > one.json
	run -1 --separate-stderr pk-attack km-reuse -p bob/note1.txt -o got2 \
	    one.json
	[[ $stderr == *"fewer than two transfers in the capture: nothing recovered" ]]
	[ ! -e got2 ]
}

@test "km-reuse --hardened: a fresh K and nonce per transfer, the attack exits 1 and recovers nothing" {
	lab km-reuse --hardened
	assert_line '    (exit 1)'
	refute_line --partial 'reusing K and IV'
	[ ! -e "$kept/eve/recovered.txt" ]
	cmp "$kept/bob/note2.txt" "$kept/alice/got2.txt"
}

@test "km-flip: pk-mitm flips one ciphertext bit of the last CFB block: alice keeps exactly that bit flipped, both hear alles gut" {
	lab km-flip
	assert_line '    alice/wait.log:Message from server: alles gut'
	assert_line '    bob/send.log:Message from server: alles gut'
	assert_line '    34  61  71'
	printf 'To the bank, from bob: pay alice 900 euros\n' > expected
	cmp expected "$kept/alice/got.txt"
	grep -q 'rewritten' "$kept/eve/peer.log"
}

@test "km-flip --hardened: alice's GCM check refuses the flipped file, no file, nobody hears alles gut" {
	lab km-flip --hardened
	assert_line "    alice's status: 1"
	refute_output --partial 'from server: alles gut'
	[ ! -e "$kept/alice/got.txt" ]
	grep -q 'rewritten' "$kept/eve/peer.log"
}

@test "km-k3, km-reuse: usage and unreadable input are exit 2" {
	run -2 --separate-stderr pk-attack km-k3 capture.json
	assert_equal "$stderr" 'usage: pk-attack km-k3 -k k3 capture.json ...'
	run -2 --separate-stderr pk-attack km-reuse capture.json
	assert_equal "$stderr" 'usage: pk-attack km-reuse -p known capture.json ...'
	printf 'not a key\n' > k3
	run -2 --separate-stderr pk-attack km-k3 -k k3 capture.json
	assert_equal "$stderr" 'pk-attack: k3: not a K3 (16 bytes, or 32 hex digits)'
	pk-keygen aes -b 128 -o k3 -f 2> /dev/null || { rm k3; pk-keygen aes -b 128 -o k3; }
	echo '{"not": "a trace"' > capture.json
	run -2 pk-attack km-k3 -k k3 capture.json
	assert_output --partial 'capture.json'
	run -0 pk-attack km-k3 --help
	assert_line --partial 'K3, which every client of the key manager holds'
}
