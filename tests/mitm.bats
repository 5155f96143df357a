#!/usr/bin/env bats
# pk-mitm (issue 14, the attacker's toolkit): a man in the middle between
# a real pk-relay (or peer) and pk-xfer.  A run through it succeeds
# unchanged and its JSON trace has every frame the client traced, as the
# client saw it; drop, rewrite and replay rules change what the relay
# sees; each protocol (and keymanager's and ca's peer channels) is cut
# into the frames its client sees; bad rules exit 2 naming the column.

load helpers

setup_file() {
	# shellcheck source=chat-helpers.bash
	source "$BATS_TEST_DIRNAME/chat-helpers.bash"
	chat_keys chatd alice
	e2e_keys
}

setup() {
	MITM_PIDS=()
	LPID=
	WPID=
}

teardown() {
	local p
	for p in ${MITM_PIDS[@]+"${MITM_PIDS[@]}"} $LPID $WPID; do
		kill "$p" 2> /dev/null || true
		wait "$p" 2> /dev/null || true
	done
	stop_relay
}

# start_mitm NAME ARGS...: pk-mitm ARGS in the background, stdout in
# NAME.out, stderr in NAME.log, its JSON trace in NAME.json and its record
# in NAME.rec; waits for its `listening` line and sets MITM_PORT.
start_mitm() {
	local n=$1 i
	shift
	pk-mitm --trace-json "$n.json" --record "$n.rec" "$@" > "$n.out" \
	    2> "$n.log" 3>&- &
	MITM_PIDS+=($!)
	for ((i = 0; i < 50; i++)); do
		grep -qs '^listening ' "$n.out" && break
		sleep 0.1
	done
	MITM_PORT=$(sed -n 's/^listening 127\.0\.0\.1://p' "$n.out")
	[ -n "$MITM_PORT" ] || { cat "$n.log" >&2; return 1; }
}

# frames JSON [FILTER]: each frame of a JSON trace (those FILTER, a jq
# condition, selects) on one line: direction, step, length, whether it
# is malformed, then each field on the wire as name=hex.  The frames
# received, then those sent, each in order: a frame sent and one received
# at once may be traced in either order by either end.
frames() {
	jq -r "select(${2:-true}) | [.direction, .step, (.length | tostring),
	    (.malformed // \"ok\")] + [.fields[] | select(.offset != null) |
	    .name + \"=\" + .hex] | join(\" \")" "$1" | sort -s -k1,1
}

# same_frames CLIENT CFILTER MITM MFILTER [FIELDS]: the frames of the
# client's trace that CFILTER selects are those of pk-mitm's that MFILTER
# selects (their FIELDS, cut(1)'s list, all by default), once pk-mitm has
# traced as many: it may trace a client's last frame after the client
# has gone.
same_frames() {
	local n i f=${5:-1-}
	n=$(frames "$1" "$2" | wc -l)
	for ((i = 0; i < 50; i++)); do
		[ "$(frames "$3" "$4" | wc -l)" -ge "$n" ] && break
		sleep 0.1
	done
	diff <(frames "$1" "$2" | cut -d' ' -f"$f") \
	    <(frames "$3" "$4" | cut -d' ' -f"$f")
}

# vault_dir PORT: ./alice, with a 3000-byte data.bin, alice's key, and a
# transfer.info naming 127.0.0.1:PORT.
vault_dir() {
	mkdir -p alice
	make_file alice/data.bin 3000
	printf '127.0.0.1:%s\nalice\ndata.bin\n' "$1" > alice/transfer.info
	pk-keygen rsa -b 1024 -e 17 --no-pass -o alice/k > /dev/null
}

# vault_upload: in ./alice, registers, gets the session key, encrypts
# data.bin into data.enc (pk-xfer's JSON trace appended to client.json).
vault_upload() {
	(
		cd alice &&
		    pk-xfer --trace-json ../client.json vault register > /dev/null &&
		    pk-xfer --trace-json ../client.json vault pubkey -k k.key \
		    -o aes.wrapped > /dev/null &&
		    pk-wrap -d --oaep-sha1 -k k.key < aes.wrapped > aes.key &&
		    pk-aes-cbc -e --zero-iv --raw-key -k aes.key < data.bin \
		    > data.enc 2> /dev/null
	)
}

# vault_send ARGS...: pk-xfer vault send ARGS < data.enc in ./alice.
vault_send() {
	(cd alice && pk-xfer --trace-json ../client.json vault send "$@" \
	    < data.enc)
}

@test "mitm: a whole vault run through pk-mitm succeeds; its JSON trace has every frame as the client traced it; --trace is pk-xfer's text; --record has the bytes" {
	start_relay vault@127.0.0.1:0
	start_mitm m -p vault --to "127.0.0.1:$RELAY_PORT" --trace
	vault_dir "$MITM_PORT"
	vault_upload
	run -0 vault_send
	run -0 bash -c 'cd alice && pk-xfer --trace-json ../client.json vault client'
	assert_output --partial 'Correct checksum'
	# The relay kept alice's file: the CRC it computed is data.bin's.
	assert_output --partial "RESPONSE CRC $(pk-cksum < alice/data.bin | cut -d' ' -f1)"
	# Every frame, in order, the same bytes in the same fields.
	[ "$(jq -c . client.json | wc -l)" -ge 16 ]
	same_frames client.json true m.json true
	run -0 jq -r 'select(.malformed or .protocol != "vault") | .step' m.json
	assert_output ''
	# The record: one line a frame, its bytes those the JSON shows.
	[ "$(wc -l < m.rec)" = "$(jq -c . m.json | wc -l)" ]
	[ "$(awk '{ print $4 }' m.rec)" = "$(jq -r .step m.json)" ]
	[ "$(awk '{ printf "%s", $5 }' m.rec)" = \
	    "$(jq -r '[.fields[] | select(.offset != null) | .hex] | add' m.json |
	    tr -d '\n')" ]
	run -0 grep -c 'pk-mitm: conn [0-9]*: closed' m.log
	assert_output 4
	# --trace: pk-xfer's text, the client's view, peer the relay.
	run -0 grep -A3 ">>> 127.0.0.1:$RELAY_PORT vault register: 278 bytes\$" m.log
	assert_line --index 1 --regexp '^    client_id +0 +16  00 00 00'
	assert_line --index 3 --regexp '^    code +17 +2  39 03  825 \(register\)$'
	grep -q "<<< 127.0.0.1:$RELAY_PORT vault thanks: 23 bytes\$" m.log
}

@test "mitm: a drop rule: the relay never sees the dropped packet and refuses the upload" {
	start_relay vault@127.0.0.1:0
	start_mitm m -p vault --to "127.0.0.1:$RELAY_PORT" \
	    -r 'c2s step=send_file nth=2 drop'
	vault_dir "$MITM_PORT"
	vault_upload
	run -1 vault_send
	assert_output --partial 'server error (1607) after 828'
	run -0 grep 'rule\|packet' relay.log
	assert_output --partial 'packet 2 out of order (expected 1)'
	run -0 grep 'dropped' m.log
	assert_output --regexp '^pk-mitm: conn 3 frame 2 c2s send_file: c2s step=send_file nth=2 drop: dropped$'
	# The trace and the record still show the dropped frame.
	[ "$(jq -r 'select(.step == "send_file") | .step' m.json | wc -l)" = 3 ]
	run -0 find state/files/vault -type f
	assert_output ''
}

@test "mitm: rewrite rules (-f FILE, hex and @FILE values): the relay stores the file under the name the rule wrote; a CRC XOR reaches the client" {
	start_relay vault@127.0.0.1:0
	cat > rules <<-'EOF'
		# every packet's file name, and the 900: data.bin -> bata.bin
		c2s send_file.file_name=@newname
		crc_ok.file_name[0]=62

		# and back in the answer, whose CRC gets its low bit flipped
		s2c vault:1603.file_name[0]=64
		  s2c vault:1603.cksum^=01000000
	EOF
	printf bata.bin > newname
	# A field alone picks the frames that have it (the three packets); a
	# step without the field is said once.
	start_mitm m -p vault --to "127.0.0.1:$RELAY_PORT" -f rules \
	    -r 'content[0]^=00' -r 'c2s crc_ok.nosuch=00'
	vault_dir "$MITM_PORT"
	vault_upload
	run -0 vault_send
	crc=$(pk-cksum < alice/data.bin | cut -d' ' -f1)
	# What the client got is the relay's CRC with its low bit flipped.
	assert_output "$((crc ^ 1))"
	run -0 bash -c 'cd alice && pk-xfer vault ack ok'
	run -0 grep -c ': rewritten$' m.log
	assert_output 9
	run -0 grep -c "content\[0\]^=00: rewritten\$" m.log
	assert_output 3
	run -0 grep 'nosuch' m.log
	assert_output "pk-mitm: c2s crc_ok.nosuch=00: a frame of step crc_ok has no field nosuch: rule not applied"
	# The relay stored bata.bin and no data.bin.
	run -0 find state/files/vault -type f
	assert_output --regexp '^state/files/vault/[0-9a-f]{32}/bata\.bin$'
	cmp state/files/vault/*/bata.bin alice/data.bin
	run -1 grep 'data.bin' relay.log
}

@test "mitm: replay: the relay gets alice's register twice and answers the copy name_taken; --record's line replays as it is" {
	start_relay vault@127.0.0.1:0
	start_mitm m -p vault --to "127.0.0.1:$RELAY_PORT" -r 'step=register replay'
	vault_dir "$MITM_PORT"
	run -0 bash -c 'cd alice && pk-xfer vault register'
	# The relay answered both; the client read the first.
	for ((i = 0; i < 50; i++)); do
		[ "$(grep -c ' s2c ' m.rec)" = 2 ] && break
		sleep 0.1
	done
	# shellcheck disable=SC2016 # awk's own fields
	run -0 awk '{ print $3, $4 }' m.rec
	assert_output "$(printf '%s\n' 'c2s register' 's2c registered' \
	    's2c name_taken')"
	run -0 grep -c 'register' relay.log
	grep -q 'replayed$' m.log
	# The record replays as it is: the register once more, straight to
	# the relay, answered 1601 (name taken).
	# shellcheck disable=SC2016 # awk's own fields
	run -0 bash -c 'awk '\''$4 == "register" { print $5 }'\'' m.rec |
	    xxd -r -p | socat -t 5 - "TCP:127.0.0.1:$RELAY_PORT" | xxd -p'
	assert_output 03410600000000
}

@test "mitm: bytes that cannot be a frame are forwarded untouched and logged as unframed; the client's EOF reaches the relay as a half-close" {
	start_relay echo@127.0.0.1:0
	start_mitm m -p chat --to "127.0.0.1:$RELAY_PORT"
	# A chat frame (a notice), then a length no frame may have.
	printf '\0\0\0\003Nhi\377\377\377\377not a frame' > junk
	# socat half-closes at the end of its input, and waits for the echo.
	socat -t 5 - "TCP:127.0.0.1:$MITM_PORT" < junk > back
	cmp junk back
	# The unframed bytes in as many pieces as they came.
	run -0 bash -c "jq -r '.direction + \" \" + .step + \": \" +
	    (.malformed // \"ok\")' m.json | uniq"
	assert_output "$(printf '%s\n' 'sent user_name: ok' \
	    'sent unframed: pk-mitm cannot frame these bytes: forwarded untouched' \
	    'received server_key: not a PEM block' \
	    'received unframed: pk-mitm cannot frame these bytes: forwarded untouched')"
	grep -q 'conn 1: closed' m.log
}

@test "mitm: a relay that refuses the connection: the client is closed, pk-mitm says why and serves the next" {
	start_relay echo@127.0.0.1:0
	local port=$RELAY_PORT
	stop_relay
	start_mitm m -p vault --to "127.0.0.1:$port"
	for i in 1 2; do
		run -0 socat -t 5 - "TCP:127.0.0.1:$MITM_PORT" < /dev/null
		assert_output ''
	done
	wait_file m.log "^pk-mitm: 127.0.0.1:$port: Connection refused\$"
	for ((i = 0; i < 50; i++)); do
		[ "$(grep -c 'Connection refused$' m.log)" = 2 ] && break
		sleep 0.1
	done
	[ "$(grep -c 'Connection refused$' m.log)" = 2 ]
	kill -0 "${MITM_PIDS[0]}"
}

@test "mitm: bad rules exit 2 naming the rule and the column" {
	local bad=(
	    'c2s|column 4: no action'
	    'drop drop|column 6: a second action'
	    'x.y[3=01|column 6: expected '"']'"
	    'send_file.content[16]^=0|column 24: expected hex bytes'
	    'content=|column 9: expected hex bytes or @FILE'
	    'content=@nosuch|column 9: nosuch: No such file or directory'
	    'chat:drop|column 1: a rule for another protocol'
	    'replay=99|column 8: number out of range'
	    '#0 drop|column 2: number out of range'
	    'step=a.b drop|column 6: expected a step name'
	    'c2s s2c drop|column 5: a second direction'
	    'frobnicate|column 1: unknown word'
	)
	local b
	for b in "${bad[@]}"; do
		run -2 pk-mitm -p vault --to 127.0.0.1:9 -r "${b%%|*}"
		[ "${#lines[@]}" = 1 ]
		[[ $output == "pk-mitm: -r: bad rule '${b%%|*}': ${b#*|}"* ]] ||
		    fail "$output"
	done
	printf 'drop\n# fine\n\nc2s x=zz\n' > rules
	run -2 pk-mitm -p vault --to 127.0.0.1:9 -f rules
	assert_output --regexp "^pk-mitm: rules:4: bad rule 'c2s x=zz': column 7: expected hex"
	run -2 pk-mitm -p nosuch --to 127.0.0.1:9
	assert_output --partial 'unknown protocol: nosuch'
	run -2 pk-mitm -p vault
	assert_output 'pk-mitm: -p and --to are required'
	run -2 pk-mitm -p vault --to 127.0.0.1:9 -k key
	assert_output 'pk-mitm: -k: vault has no active attack (see --help)'
	run -2 pk-mitm -p vault --to 127.0.0.1:9 --peer-key key
	assert_output 'pk-mitm: --peer-key needs -k'
}

@test "mitm: keymanager: the control channel and the peer channel (its port rewritten to a second pk-mitm) framed as the sender traced them; a bit of the file flipped at its stream offset" {
	local wport pport
	mkdir -m 700 state
	pk-keygen aes -b 128 -o state/k3
	cp state/k3 k3
	make_file file 100000
	start_relay keymanager@127.0.0.1:0
	pk-xfer -t 10 keymanager wait -k k3 -o got --yes \
	    "127.0.0.1:$RELAY_PORT" > w.out 2> w.err 3>&- &
	WPID=$!
	wait_file w.out '^Waiting for a sender on port '
	wport=$(sed -n 's/^Waiting for a sender on port //p' w.out)
	# CFB: a ciphertext bit flipped flips the same plaintext bit.
	start_mitm peer -p keymanager-peer --to "127.0.0.1:$wport" \
	    -r 'file.ciphertext[80000]^=20'
	pport=$MITM_PORT
	[ "${#pport}" = "${#wport}" ] || skip "ports of different lengths"
	# send_data 127.0.0.1:PORT: the port at 20 in the text.
	start_mitm ctl -p keymanager --to "127.0.0.1:$RELAY_PORT" \
	    -r "s2c step=send_data text[20]=$(printf %s "$pport" | xxd -p)"
	run -0 pk-xfer -t 10 --trace-json s.json keymanager send -k k3 \
	    --mode cfb "127.0.0.1:$MITM_PORT" file
	assert_output --partial 'alles gut'
	wait "$WPID" || fail "keymanager wait: exit $?: $(cat w.err)"
	WPID=
	grep -q 'alles gut' w.out
	# Byte 80001 (cmp counts from 1, the ciphertext's offset from 0)
	# with 0x20 flipped (octal 40), the next block (80017 to 80032)
	# garbled, the rest intact.
	run -1 cmp -l got file
	[ "$(head -1 <<< "$output" | awk '{ print $1 }')" = 80001 ]
	[ $((8#$(head -1 <<< "$output" | awk '{ print $2 }') ^ \
	    8#$(head -1 <<< "$output" | awk '{ print $3 }'))) = 32 ]
	[ "$(tail -1 <<< "$output" | awk '{ print $1 }')" -le 80032 ]
	grep -q 'file: file.ciphertext\[80000\]^=20: rewritten$' peer.log
	same_frames s.json ".peer != \"127.0.0.1:$pport\"" ctl.json true 1-4
	grep -q 'send_data.*rewritten$' ctl.log
	# The peer channel: offer and answer, then the file, raw, in pieces
	# that may differ: the same bytes.
	run -0 jq -r '.step' peer.json
	assert_line --index 0 offer
	assert_line --index 1 answer
	same_frames s.json ".step != \"file\" and .peer == \"127.0.0.1:$pport\"" \
	    peer.json '.step != "file"'
	[ "$(jq -r 'select(.step == "file") | .fields[0].hex' s.json | tr -d '\n')" = \
	    "$(jq -r 'select(.step == "file") | .fields[0].hex' peer.json | tr -d '\n')" ]
}

@test "mitm: chat: a client's set-up and messages framed as the client traced them" {
	# shellcheck source=chat-helpers.bash
	source "$BATS_TEST_DIRNAME/chat-helpers.bash"
	chat_state chatd
	start_relay chat@127.0.0.1:0
	start_mitm m -p chat --to "127.0.0.1:$RELAY_PORT"
	local port=$RELAY_PORT
	RELAY_PORT=$MITM_PORT join alice --trace-json alice.json
	say alice 'hello through the middle'
	wait_log 'hello through the middle|message'
	leave alice
	# shellcheck disable=SC2153 # leave sets it
	[ "$STATUS" = 0 ]
	RELAY_PORT=$port
	run -0 jq -r .step m.json
	assert_line --index 0 user_name
	assert_line --index 3 wrapped_key
	assert_line message
	same_frames alice.json true m.json true
}

@test "mitm: e2e: a send and an upload framed as the client traced them (the sealed blocks unnamed without the keys)" {
	e2e_state
	start_relay e2e@127.0.0.1:0 e2e-upload@127.0.0.1:0
	# shellcheck disable=SC2153 # start_relay sets it
	start_mitm m -p e2e --to "127.0.0.1:${RELAY_PORTS[e2e]}"
	run -0 pk-xfer e2e send "${KEYS[@]}" --trace-json send.json \
	    "127.0.0.1:$MITM_PORT" ''
	# Without the keys, pk-mitm cannot tell a keepalive's block from a
	# message's: the same frame, named "block".
	same_frames send.json true m.json true 1,3-
	run -0 jq -r .step m.json
	assert_output block
	start_mitm up -p e2e-upload --to "127.0.0.1:${RELAY_PORTS[e2e-upload]}"
	make_file up.bin 400
	run -0 pk-xfer e2e upload "${KEYS[@]}" --trace-json upload.json \
	    "127.0.0.1:$MITM_PORT" up.bin
	run -0 jq -r .step upload.json
	assert_line upload
	assert_line chunk
	assert_line ack
	same_frames upload.json true up.json true 1,3-
}

@test "mitm: ca: the CA's prompts and answers, and the peer chat, framed as the client traced them" {
	ca_files
	mkdir -m 700 state
	cp ca.key ca.pass ca.crt state/
	echo bobpw > bob.pass
	pk-keygen rsa --no-pass -o alice > /dev/null
	pk-keygen csr -k alice.key -subj /CN=alice -o alice.csr
	pk-keygen rsa --no-pass -o bob > /dev/null
	pk-keygen csr -k bob.key -subj /CN=bob -o bob.csr
	start_relay ca@127.0.0.1:0
	start_mitm m -p ca --to "127.0.0.1:$RELAY_PORT"
	local addr=127.0.0.1:$MITM_PORT
	pk-xfer --trace-json ca.json ca register -u alice --pass-file alice.pass "$addr"
	pk-xfer --trace-json ca.json ca csr -u alice --pass-file alice.pass \
	    -i alice.csr -o alice.crt "$addr"
	same_frames ca.json true m.json true
	pk-xfer ca register -u bob --pass-file bob.pass "$addr"
	pk-xfer ca csr -u bob --pass-file bob.pass -i bob.csr -o bob.crt "$addr"
	pk-xfer -t 10 ca listen -k bob.key > bob.listen 2> bob.err 3>&- &
	LPID=$!
	wait_file bob.listen '^listening on '
	start_mitm pc -p ca-chat --to "$(sed -n 's/^listening on //p' bob.listen)"
	echo "tea at five" > chat.pass
	printf 'hello bob\n' | pk-xfer --trace-json chat.json ca connect \
	    -u alice --pass-file alice.pass --ca ca.crt --to bob \
	    --chat-pass file:chat.pass "$addr" "127.0.0.1:$MITM_PORT"
	wait "$LPID" || fail "ca listen: exit $?: $(cat bob.err)"
	LPID=
	run -0 jq -r .step chat.json
	assert_line chat-ciphertext
	same_frames chat.json ".peer == \"127.0.0.1:$MITM_PORT\"" pc.json true
}
