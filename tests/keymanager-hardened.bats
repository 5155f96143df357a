#!/usr/bin/env bats
# keymanager's hardened profile (issue 14): pk-relay --hardened keymanager
# and pk-xfer --hardened keymanager.  No K3: each client's own RSA key,
# K under it with OAEP and fresh for every pairing, the confirmation an
# HMAC over the transcript, the file AES-256-GCM with a fresh nonce per
# transfer; a profile mismatch stops at once either way.

load helpers
load dissect-helpers

setup_file() {
	cd "$BATS_FILE_TMPDIR" || return
	pk-keygen rsa --no-pass -o alice > /dev/null
	pk-keygen rsa --no-pass -o bob > /dev/null
}

setup() {
	mkdir -m 700 state
	cp "$BATS_FILE_TMPDIR"/alice.key "$BATS_FILE_TMPDIR"/bob.key .
	WPID='' FPID=''
}

teardown() {
	local p
	for p in "$WPID" "$FPID"; do
		[ -n "$p" ] || continue
		kill "$p" 2> /dev/null || true
		wait "$p" 2> /dev/null || true
	done
	stop_relay
}

hardened_relay() {
	start_relay --hardened keymanager --trace-json relay.json \
	    keymanager@127.0.0.1:0
	ADDR=127.0.0.1:$RELAY_PORT
}

# waiter N OUT [ARGS...]: alice waits (hardened, --trace-json wN.json)
# to save into OUT, as the relay's Nth waiter; sets WPID.
waiter() {
	local n=$1 out=$2
	shift 2
	pk-xfer --hardened -t 10 --trace-json "w$n.json" keymanager wait \
	    -k alice.key -o "$out" --yes --save "w$n" "$@" "$ADDR" \
	    > "w$n.out" 2> "w$n.err" 3>&- &
	WPID=$!
	wait_count 'waits on port' "$n"
}

# pair N MODE FILE: round N, alice waits and bob sends FILE in MODE; both
# must end with alles gut and alice must have FILE.
pair() {
	local ws=0
	waiter "$1" "got$1"
	pk-xfer -t 10 --hardened --trace-json "s$1.json" keymanager send \
	    -k bob.key --mode "$2" --save "s$1" "$ADDR" "$3" \
	    > "s$1.out" 2> "s$1.err" || { cat "s$1.err" >&2; return 1; }
	wait "$WPID" || ws=$?
	WPID=
	[ "$ws" = 0 ] || { cat "w$1.err" >&2; return 1; }
	cmp "got$1" "$3"
}

# field JSON STEP NAME: the hex of that field in each frame of STEP.
field() {
	jq -r --arg s "$2" --arg f "$3" \
	    'select(.step == $s) | .fields[] | select(.name == $f) | .hex' "$1"
}

@test "keymanager-hardened: the whole run: no K3, K under each client's RSA key, alles gut" {
	hardened_relay
	make_file file 70000
	pair 1 cbc file
	grep -qx 'Message from server: alles gut' w1.out
	grep -qx 'Message from server: alles gut' s1.out
	[ ! -e state/k3 ]
	wait_log 'keymanager hardened: no K3'
	wait_log '#1: RSA key of 2048 bits'
	# K came to each under its own key: 256 bytes each, not the same.
	[ "$(wc -c < w1/key.wrapped)" = 256 ]
	run -1 cmp -s w1/key.wrapped s1/key.wrapped
	[ ! -e w1/iv.wrapped ]
	# 70000 bytes in two pieces, each with its tag.
	grep -qx 'Received 70000 bytes, 70032 encrypted' w1.out
	[ "$(wc -c < w1/ciphertext)" = 70032 ]
	cmp w1/ciphertext s1/ciphertext
	# A key file that is not there: exit 2, named.
	run -2 pk-xfer --hardened keymanager wait -k nosuch.key -o x "$ADDR"
	assert_output --partial 'nosuch.key'
}

@test "keymanager-hardened: a hardened run's JSON, pk-xfer's and pk-relay's, names every field of the hardened wire table and nothing else" {
	hardened_relay
	seq 3000 > file
	pair 1 cfb file
	stop_relay
	[ "$RELAY_STATUS" = 0 ]
	trace_check --table 'Fields on the wire, hardened profile' \
	    "$PK_ROOT/docs/keymanager.md" relay.json w1.json s1.json
	# The keys as the trace opened them: K the same on all three sides.
	[ "$(field w1.json key_hardened k)" = "$(field s1.json key_hardened k)" ]
	[ "$(field relay.json key_hardened k | sort -u | wc -l)" = 1 ]
	[ "$(field relay.json key_hardened k | head -1)" = "$(field w1.json key_hardened k)" ]
	# The file's plaintext, opened by the waiter, is the file.
	[ "$(field w1.json file_hardened plaintext | tr -d '\n')" = "$(xxd -p file | tr -d '\n')" ]
	# The faithful table is still the default and has no hardened step.
	run -0 doc_fields "$PK_ROOT/docs/keymanager.md"
	refute_output --partial _hardened
}

@test "keymanager-hardened: a faithful client on a hardened relay: one line, exit 2; the relay logs the mismatch" {
	hardened_relay
	pk-keygen aes -b 128 -o k3
	run -2 pk-xfer -t 10 keymanager send -k k3 "$ADDR" /etc/hostname
	assert_output "pk-xfer: keymanager: profile mismatch: the relay is hardened, this client is faithful"
	wait_log 'profile mismatch: the relay is hardened, the client is faithful$'
	run -2 pk-xfer -t 10 keymanager -k k3 "$ADDR" < /dev/null
	assert_output "pk-xfer: keymanager: profile mismatch: the relay is hardened, this client is faithful"
}

@test "keymanager-hardened: a hardened client on a faithful relay: one line, exit 2; the relay logs the mismatch" {
	pk-keygen aes -b 128 -o state/k3
	start_relay keymanager@127.0.0.1:0
	ADDR=127.0.0.1:$RELAY_PORT
	run -2 pk-xfer --hardened -t 10 keymanager wait -k alice.key -o x "$ADDR"
	assert_output "pk-xfer: keymanager: profile mismatch: the relay is faithful, this client is hardened"
	wait_log 'profile mismatch: the relay is faithful, the client is hardened$'
	[ ! -e x ]
}

@test "keymanager-hardened: a bit flipped on the peer channel fails its tag: the waiter keeps nothing, nobody gets alles gut" {
	local ss=0 ws=0
	hardened_relay
	make_file file 5000
	waiter 1 got
	# Byte 100 of the file's ciphertext: after the 40-byte offer frame.
	"$PK_ROOT/tests/kmflip.py" "$RELAY_PORT" 140 > flip.port 3>&- &
	FPID=$!
	wait_file flip.port '^[0-9]+$'
	pk-xfer -t 10 --hardened keymanager send -k bob.key \
	    "127.0.0.1:$(cat flip.port)" file > s.out 2> s.err || ss=$?
	wait "$WPID" || ws=$?
	WPID=
	[ "$ws" = 1 ]
	grep -qx 'pk-xfer: bad decrypt: a piece of the file fails its tag (changed on the way): nothing saved' w1.err
	[ ! -e got ]
	[ "$ss" = 1 ]
	run -1 grep -h 'alles gut' w1.out s.out
	grep -q 'peer error: client #1 left' s.out
}

@test "keymanager-hardened: two transfers between the same pair in the same mode use a different K and nonce" {
	hardened_relay
	seq 2000 > file
	pair 1 cfb file
	pair 2 cfb file
	# The faithful relay logs "reusing K and IV"; the hardened one never.
	run -1 grep 'reusing K and IV' relay.log
	[ -n "$(field w1.json key_hardened k)" ]
	[ "$(field w1.json key_hardened k)" != "$(field w2.json key_hardened k)" ]
	[ "$(field w1.json offer_hardened nonce)" != "$(field w2.json offer_hardened nonce)" ]
	# The same file, the same mode: only chance lines bytes up (1 in 256).
	run -1 cmp -s w1/ciphertext w2/ciphertext
	[ "$(cmp -l w1/ciphertext w2/ciphertext | wc -l)" -gt \
	    "$(($(wc -c < w1/ciphertext) * 9 / 10))" ]
}

@test "keymanager-hardened: protokit-keymanager --hardened runs the whole protocol, each step shown; make demo stays faithful" {
	run -0 protokit-keymanager --hardened
	assert_line --regexp '^    \$ pk-relay --hardened keymanager .*-d state keymanager@127\.0\.0\.1:0'
	assert_line --regexp '^    \$ .*pk-xfer --hardened keymanager wait -k alice\.key '
	assert_line --partial 'pk-keygen rsa --no-pass -o alice/alice'
	refute_output --partial 'k3'
	assert_line --partial 'alles gut'
	assert_line --partial "sizes don't match"
	# The default stays faithful (a hardened client is refused by it: the
	# mismatch test above), and make demo runs `protokit demo`, which
	# takes no --hardened.
	run -0 grep -E -A3 '^demo:' "$PK_ROOT/Makefile"
	refute_output --partial -- '--hardened'
	run -2 protokit demo --hardened
}

@test "keymanager-hardened: the Lua dissector names the hardened frames on both channels" {
	local d=$BATS_FILE_TMPDIR
	command -v tshark > /dev/null || skip "tshark not installed (make deps)"
	# I: client (40000) to the key manager (4000); O: back (text2pcap -D)
	{
		printf 'I\n'
		{ printf '\0\0\0\13pubkey '; printf '\1\2\3\4'; } | od -Ax -tx1 -v
		printf 'O\n'
		printf '\0\0\0\66Hello client #1! Welcome to encrypted files [hardened]' |
		    od -Ax -tx1 -v
		printf 'I\n'
		printf '\0\0\0\7get key' | od -Ax -tx1 -v
		printf 'O\n'
		{ printf '\0\0\1\0'; head -c 256 /dev/zero | tr '\0' '\1'; } |
		    od -Ax -tx1 -v
		printf 'I\n'
		{ printf '\0\0\0\50confirm '; head -c 32 /dev/zero; } | od -Ax -tx1 -v
	} > relay.txt
	# The peer channel: sender (40001) to the waiter's listener (5000).
	{
		printf 'I\n'
		{ printf '\0\0\0\44'; head -c 36 /dev/zero | tr '\0' '\7'; } |
		    od -Ax -tx1 -v
		printf 'O\n'
		printf '\0\0\0\3yes' | od -Ax -tx1 -v
		printf 'I\n'
		head -c 21 /dev/zero | od -Ax -tx1 -v
	} > peer.txt
	text2pcap -q -D -T 40000,4000 relay.txt relay.pcap
	text2pcap -q -D -T 40001,5000 peer.txt peer.pcap
	mergecap -a -w "$d/h.pcap" relay.pcap peer.pcap
	printf '%s\n' keymanager.ports:4000 keymanager.peer_ports:5000 \
	    > "$d/h.pcap.ports"
	run -0 pk_tshark h -T fields -e keymanager.step -e keymanager.word \
	    -e keymanager.public_key -e keymanager.mac -e keymanager.nonce \
	    -e keymanager.size_ct -e keymanager.tag -e keymanager.ciphertext \
	    -e keymanager.oaep_k -e _ws.expert.message
	assert_equal "$output" "$(printf '%s\n' \
	    "pubkey	pubkey 	01020304							" \
	    "hello_hardened									" \
	    "get_key									" \
	    "key_hardened								$(printf '01%.0s' {1..256})	" \
	    "confirm_hardened	confirm 		$(printf '00%.0s' {1..32})						" \
	    "offer_hardened				$(printf '07%.0s' {1..12})	$(printf '07%.0s' {1..8})	$(printf '07%.0s' {1..16})			" \
	    "answer									" \
	    "file_hardened							$(printf '00%.0s' {1..21})		")"
}
