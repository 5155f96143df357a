#!/usr/bin/env bats
# The one trace of the key manager protocol (issue 13 item 1): pk-xfer
# keymanager --trace / --trace-json and pk-relay --trace on the
# keymanager service, both named by lib/kmtrace.c with the names of
# docs/keymanager.md's "Fields on the wire".

load helpers

setup() {
	mkdir -m 700 state
	pk-keygen aes -b 128 -o state/k3
	cp state/k3 k3
	start_relay --trace --trace-json relay.json keymanager@127.0.0.1:0
	ADDR=127.0.0.1:$RELAY_PORT
	WPID=
}

teardown() {
	if [ -n "$WPID" ]; then
		kill "$WPID" 2> /dev/null || true
		wait "$WPID" 2> /dev/null || true
	fi
	stop_relay
}

# pair MODE FILE: alice waits (trace in w.err, w.json), bob sends FILE in
# MODE (s.err, s.json); both must end with alles gut.
pair() {
	local i ws=0
	pk-xfer -t 10 --trace --trace-json w.json keymanager wait -k k3 \
	    -o got --yes "$ADDR" > w.out 2> w.err 3>&- &
	WPID=$!
	for ((i = 0; i < 100; i++)); do
		grep -q 'waits on port' relay.log && break
		sleep 0.1
	done
	pk-xfer -t 10 --trace --trace-json s.json keymanager send -k k3 \
	    --mode "$1" "$ADDR" "$2" > s.out 2> s.err || {
		cat s.err >&2
		return 1
	}
	wait "$WPID" || ws=$?
	WPID=
	[ "$ws" = 0 ] || { cat w.err >&2; return 1; }
	cmp got "$2"
}

# hexof JSON STEP FIELD: the hex of that field in every frame of STEP,
# joined.
hexof() {
	jq -r --arg s "$2" --arg f "$3" \
	    'select(.step == $s) | .fields[] | select(.name == $f) | .hex' \
	    "$1" | tr -d '\n'
}

@test "trace-keymanager: a full run's JSON traces, pk-xfer's and pk-relay's, name every field of docs/keymanager.md and nothing else" {
	seq 2000 > file
	pair cbc file
	stop_relay
	[ "$RELAY_STATUS" = 0 ]
	# Both clients and the relay's two connections: every frame, no gap.
	[ "$(jq -r .step w.json | grep -c .)" = 17 ]
	[ "$(jq -r .step s.json | grep -c .)" = 17 ]
	[ "$(jq -r .step relay.json | grep -c .)" = 28 ]
	trace_check "$PK_ROOT/docs/keymanager.md" relay.json w.json s.json
	run -0 jq -r 'select(.protocol != "keymanager") | .step' \
	    relay.json w.json s.json
	assert_output ''
}

@test "trace-keymanager: pk-xfer --trace keymanager shows each word as text under its frame header" {
	seq 100 > file
	pair cbc file
	# The sender's conn, answered by the mode word, on its link.
	run -0 grep -A2 ">>> $ADDR keymanager conn: 14 bytes" s.err
	assert_line --index 1 --regexp '^    length +0 +4  00 00 00 0a  10$'
	assert_line --index 2 --regexp '^    text +4 +10  10 bytes  "conn 1 cbc"$'
	run -0 grep -A2 "<<< $ADDR keymanager mode: 7 bytes" s.err
	assert_line --index 2 --regexp '^    text +4 +3  63 62 63  "cbc"$'
	# The waiter's verdict, the relay's view of the waiter's `wait`.
	run -0 grep -A2 "<<< $ADDR keymanager verdict: 13 bytes" w.err
	assert_line --index 2 --partial '"alles gut"'
	run -0 grep -A2 '<<< 127.0.0.1:[0-9]* keymanager wait: ' relay.log
	assert_line --index 2 --regexp '^    text +4 +[0-9]+ +.*"wait [0-9]+"$'
	# The waiter's yes on the peer channel, as the sender saw it.
	run -0 grep -A2 '<<< 127.0.0.1:[0-9]* keymanager answer: 7 bytes' s.err
	assert_line --index 2 --regexp '^    text +4 +3  79 65 73  "yes"$'
	refute_output --partial unnamed
	run -1 grep -e unnamed -e malformed w.err s.err relay.log
}

@test "trace-keymanager: K and IV unwrapped under K3, the plaintext under the ciphertext (cfb, two pieces)" {
	local k3 kw ivw k iv side i pad=$((16 - 100000 % 16))
	make_file file 100000
	pair cfb file
	k3=$(cat k3)
	# K and IV as the trace shows them are K3's ECB unwrap of the wire.
	for side in w.json s.json relay.json; do
		kw=$(hexof $side key wrapped_k | head -c 32)
		ivw=$(hexof $side iv wrapped_iv | head -c 32)
		[ "${#kw}" = 32 ]
		[ "${#ivw}" = 32 ]
		k=$(printf %s "$kw" | xxd -r -p |
		    openssl enc -d -aes-128-ecb -nopad -K "$k3" | xxd -p)
		iv=$(printf %s "$ivw" | xxd -r -p |
		    openssl enc -d -aes-128-ecb -nopad -K "$k3" | xxd -p)
		[ "$(hexof $side key k | head -c 32)" = "$k" ]
		[ "$(hexof $side iv iv | head -c 32)" = "$iv" ]
	done
	# The confirmation opens to the constant on both clients and the relay.
	for side in w.json s.json relay.json; do
		jq -r 'select(.step == "confirm") | .fields[] |
		    select(.name == "constant") | .value' $side > constant
		grep -q '^This message is to confirm key receival ' constant
	done
	# The file's pieces: ciphertext as openssl makes it, plaintext the file.
	{
		cat file
		for ((i = 0; i < pad; i++)); do
			printf "\\x$(printf %02x $pad)"
		done
	} > padded
	[ "$(jq -r 'select(.step == "file") | .step' w.json | grep -c .)" = 2 ]
	[ "$(hexof w.json file ciphertext)" = "$(openssl enc -aes-128-cfb \
	    -K "$k" -iv "$iv" -nopad < padded | xxd -p | tr -d '\n')" ]
	for side in w.json s.json; do
		[ "$(hexof $side file plaintext)" = "$(xxd -p padded | tr -d '\n')" ]
	done
	# In text: the plaintext right under its ciphertext, with what opened it.
	run -0 grep -A3 '<<< 127.0.0.1:[0-9]* keymanager key: 20 bytes' w.err
	assert_line --index 3 --regexp '^    k +- +16  ([0-9a-f]{2} ){15}[0-9a-f]{2}(  ".*")? +\(K3, AES-128-ECB\)$'
	run -0 awk '/keymanager file: /{ f = 1 } f && /^    plaintext/ { print; f = 0 }' w.err
	assert_line --index 0 --regexp '^    plaintext +- +65536  65536 bytes(  ".*")? +\(K and IV, AES-128-CFB\)$'
	assert_line --index 1 --regexp '\(K, AES-128-CFB, chained from the piece before\)$'
}

@test "trace-keymanager: protokit-keymanager --trace shows pk-xfer's frames; --trace-json gathers pk-xfer's and the relay's" {
	stop_relay
	run -0 protokit-keymanager --trace --trace-json all.json
	assert_line --regexp '^    alice: [0-9:.]+ >>> 127\.0\.0\.1:[0-9]+ keymanager wait: [0-9]+ bytes$'
	assert_line --regexp '^    bob: [0-9:.]+ >>> 127\.0\.0\.1:[0-9]+ keymanager conn: 14 bytes$'
	assert_line --regexp '^    bob: [0-9:.]+ >>> 127\.0\.0\.1:[0-9]+ keymanager file: [0-9]+ bytes$'
	assert_line --regexp '^    alice:     plaintext +- +[0-9]+ .*\(K and IV, AES-128-CBC\)$'
	# The three rounds, alice, bob and the relay.
	[ "$(jq -r 'select(.step == "verdict") | .step' all.json | grep -c .)" -ge 12 ]
	trace_check "$PK_ROOT/docs/keymanager.md" all.json
}
