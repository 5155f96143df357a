#!/usr/bin/env bats
# chat's hardened profile (issue 15): pk-relay --hardened chat and
# pk-xfer --hardened chat --server-key-sha256.  The relay's key pinned by
# its fingerprint and proved by a signature over the handshake, a
# session key per client, every frame sealed with a sequence number, a
# fresh key for the others at every join and leave; a profile mismatch
# stops at once either way.  pk-mitm sits between a client and the
# relay to change, replay or swap frames (its rules, docs/mitm.md).

bats_require_minimum_version 1.5.0

load helpers
load chat-helpers
load dissect-helpers

setup_file() {
	chat_keys server alice bob carol
	FP=$(pk-keygen info -i "$BATS_FILE_TMPDIR/server.key" |
	    sed -n 's/^sha256 //p')
	export FP
}

setup() {
	chat_state server
	PROXY=
}

# A relay that did not exit cleanly (or, under SAN, reported) fails.
teardown() {
	stop_clients
	stop_all "$PROXY"
}

# hjoin NAME PORT [ARGS...]: pk-xfer --hardened chat for NAME, the
# relay's key pinned, to 127.0.0.1:PORT (the relay's, or a proxy's).
hjoin() {
	local n=$1 port=$2
	shift 2
	rm -f "$n.in" # a second join in one test
	fifo_client "$n" pk-xfer --hardened chat -u "$n" \
	    -k "$BATS_FILE_TMPDIR/$n.key" --server-key-sha256 "$FP" "$@" \
	    "127.0.0.1:$port"
	wait_log "secret key sent to $n\$"
}

# proxy RULE: pk-mitm in front of the relay for one client, with RULE;
# its port in PPORT, its log in mitm.log.
proxy() {
	pk-mitm -p chat --to "127.0.0.1:$RELAY_PORT" -n 1 -r "$1" \
	    > mitm.out 2> mitm.log 3>&- &
	PROXY=$!
	wait_file mitm.out '^listening '
	PPORT=$(sed -n 's/^listening 127.0.0.1://p' mitm.out)
}

# keys JSON: every K a trace shows (session keys, rekeys' next keys).
keys() {
	jq -r '.fields[] | select(.name == "session_key" or
	    .name == "next_key") | .hex' "$1"
}

@test "chat-hardened: protokit run chat --hardened runs the whole protocol, the relay key's fingerprint shown and pinned; its trace names every field of the hardened table and nothing else; make demo stays faithful" {
	local fp
	# run.json and run.out are read again by the dissector's test below
	run -0 protokit run chat --hardened \
	    --trace-json "$BATS_FILE_TMPDIR/run.json"
	printf '%s\n' "$output" > "$BATS_FILE_TMPDIR/run.out"
	assert_line --regexp '^    \$ pk-relay --console --hardened chat .*-d state chat@127\.0\.0\.1:0 '
	# shellcheck disable=SC2016 # the $fp the script shows, not expanded
	assert_line --regexp '^    \$ pk-xfer --hardened chat --server-key-sha256 \$fp .*-u alice '
	fp=$(sed -n "s/^    every client pins the relay's key: --server-key-sha256 //p" <<< "$output")
	[[ $fp =~ ^[0-9a-f]{64}$ ]]
	assert_line "    chat hardened: server key sha256 $fp, K per client, sealed messages"
	assert_line '    [+] Server key matches the pinned sha256'
	assert_line '    a session key for each client: not the same'
	assert_line --regexp '^    <<< 127\.0\.0\.1:[0-9]+ chat rekey: 289 bytes$'
	assert_line '    refused: exit 1'
	assert_line --regexp "^    pk-xfer: 127\\.0\\.0\\.1:[0-9]+: server key sha256 $fp is not the pinned sha256 0{64}\$"
	assert_line 'protokit-chat: ok'
	refute_output --partial 'pk-aes-cfb'
	trace_check --table "Fields on the wire, hardened profile" \
	    "$PK_ROOT/docs/chat.md" "$BATS_FILE_TMPDIR/run.json"
	# The default stays faithful (tests/chat.bats runs it), and make
	# demo runs `protokit demo`, which takes no --hardened.
	run -0 grep -E -A3 '^demo:' "$PK_ROOT/Makefile"
	refute_output --partial -- '--hardened'
	run -2 protokit demo --hardened
	run -2 protokit run chat --hardened --explain
	assert_line 'protokit-chat: cannot use --explain with --hardened'
}

# conn_pcap JSON: the frames of each connection of the relay's trace in
# JSON, each connection one TCP stream (its client on port 40001, 40002,
# ...; text2pcap -D, as hex_pcap), into $BATS_FILE_TMPDIR/hard.pcap: a
# capture made from the trace, with no tcpdump on a busy loopback.
conn_pcap() {
	local d=$BATS_FILE_TMPDIR i=0 peer io hex
	for peer in $(jq -r 'select(.who == "relay") | .peer' "$1" |
	    awk '!seen[$0]++'); do
		i=$((i + 1))
		jq -r --arg p "$peer" 'select(.who == "relay" and
		    .peer == $p) | (if .direction == "received" then "I"
		    else "O" end) + " " + ([.fields[] |
		    select(.offset != null) | .hex] | join(""))' "$1" |
		    while read -r io hex; do
			echo "$io"
			xxd -r -p <<< "$hex" | od -Ax -tx1 -v
		    done > "$d/c$i.txt"
		text2pcap -q -D -T "$((40000 + i)),4000" "$d/c$i.txt" \
		    "$d/c$i.pcap"
	done
	mergecap -a -w "$d/hard.pcap" "$d"/c[0-9]*.pcap
	echo chat.ports:4000 > "$d/hard.pcap.ports"
}

@test "chat-hardened: the Lua dissector names the hardened frames of the run above as its trace does, each field at its offset" {
	local fp
	command -v tshark > /dev/null || skip "tshark not installed (make deps)"
	[ -s "$BATS_FILE_TMPDIR/run.json" ]
	conn_pcap "$BATS_FILE_TMPDIR/run.json"
	capture_clean hard
	capture_frames hard chat |
	    sed -E 's/ (der_length|fingerprint)@[^ ]*//g' > capture.txt
	jq -r 'select(.who == "relay") | .step + ([.fields[] |
	    select(.offset != null) |
	    " \(.name)@\(.offset)+\(.length)=\(.hex)"] | join(""))' \
	    "$BATS_FILE_TMPDIR/run.json" | sort > trace.txt
	run -0 cut -d ' ' -f 1 capture.txt
	for s in hello server_key client_key session_key message notice rekey; do
		assert_line "$s"
	done
	diff -u trace.txt capture.txt
	# the relay key's fingerprint tshark shows is the pinned one
	fp=$(sed -n "s/^    every client pins the relay's key: --server-key-sha256 //p" \
	    "$BATS_FILE_TMPDIR/run.out")
	run -0 sed -n 's/.*name="chat.fingerprint".* show="\([^"]*\)".*/\1/p' \
	    "$BATS_FILE_TMPDIR/hard.chat.pdml"
	assert_line "sha256:$fp"
}

@test "chat-hardened: a profile mismatch either way is one line and exit 2 from the client; the relay logs it and closes" {
	start_relay chat@127.0.0.1:0
	run -2 --separate-stderr pk-xfer --hardened chat -u alice \
	    -k "$BATS_FILE_TMPDIR/alice.key" --server-key-sha256 "$FP" \
	    "127.0.0.1:$RELAY_PORT" < /dev/null
	assert_equal "$(grep -v '^\[+\]' <<< "$stderr")" \
	    'pk-xfer: chat: profile mismatch: the relay is faithful, this client is hardened'
	wait_log 'profile mismatch: the relay is faithful, the client is hardened$'
	stop_relay
	start_relay --hardened chat chat@127.0.0.1:0
	run -2 --separate-stderr pk-xfer chat -u bob \
	    -k "$BATS_FILE_TMPDIR/bob.key" "127.0.0.1:$RELAY_PORT" < /dev/null
	assert_equal "$(grep -v '^\[+\]' <<< "$stderr")" \
	    'pk-xfer: chat: profile mismatch: the relay is hardened, this client is faithful'
	wait_log 'profile mismatch: the relay is hardened, the client is faithful$'
	run -1 grep 'secret key sent' relay.log
}

@test "chat-hardened: a wrong pinned key is refused (exit 1, both fingerprints named), and so is a relay that did not sign this handshake with the pinned key" {
	local k=$BATS_FILE_TMPDIR
	start_relay --hardened chat chat@127.0.0.1:0
	run -1 pk-xfer --hardened chat -u mallory -k "$k/alice.key" \
	    --server-key-sha256 "sha256:$(printf '%064d' 0)" \
	    "127.0.0.1:$RELAY_PORT" < /dev/null
	assert_line "pk-xfer: 127.0.0.1:$RELAY_PORT: server key sha256 $FP is not the pinned sha256 $(printf '%064d' 0)"
	refute_line --partial 'Exchange completed'
	# --help promises the form just used.
	run -0 pk-xfer chat --help
	assert_line '                     of its SPKI DER in 64 hex digits, or sha256:HEX'
	# alice's key swapped for carol's on the way: the relay signed the
	# handshake it saw, which is not alice's.
	openssl pkey -in "$k/carol.key" -pubout -outform DER > carol.der
	proxy 'c2s client_key.spki=@carol.der'
	run -1 pk-xfer --hardened chat -u alice -k "$k/alice.key" \
	    --server-key-sha256 "$FP" "127.0.0.1:$PPORT" < /dev/null
	assert_line "pk-xfer: 127.0.0.1:$PPORT: the server did not prove it holds the pinned key: its signature over the handshake does not verify"
	refute_line --partial 'Exchange completed'
	wait "$PROXY"
	# A relay with bob's key showing the pinned one: it cannot sign.
	stop_relay
	cp "$k/bob.key" state/chat.key
	start_relay --hardened chat chat@127.0.0.1:0
	openssl pkey -in "$k/server.key" -pubout -outform DER > server.der
	proxy 's2c server_key.spki=@server.der'
	run -1 pk-xfer --hardened chat -u alice -k "$k/alice.key" \
	    --server-key-sha256 "$FP" "127.0.0.1:$PPORT" < /dev/null
	assert_line '[+] Server key matches the pinned sha256'
	assert_line "pk-xfer: 127.0.0.1:$PPORT: the server did not prove it holds the pinned key: its signature over the handshake does not verify"
	run -2 pk-xfer --hardened chat -u alice --server-key-sha256 abc 127.0.0.1:1
	assert_output 'pk-xfer: --server-key-sha256 abc: not 64 hex digits'
}

# Bob's sealed frames from the relay: the rekey and the notice of
# alice's join (seq 0 and 1), then her message (seq 2).
# shellcheck disable=SC2153 # leave (helpers.bash) sets STATUS
@test "chat-hardened: a frame altered or replayed on its way to a client is refused: it exits 1 naming the frame and shows nothing of it" {
	start_relay --hardened chat chat@127.0.0.1:0
	proxy 's2c message.ciphertext[3]^=01'
	hjoin bob "$PPORT"
	hjoin alice "$RELAY_PORT"
	wait_file bob.out 'alice joined the chat$'
	say alice 'pay 10'
	wait_file bob.err 'refused'
	leave bob
	[ "$STATUS" = 1 ]
	assert_equal "$(tail -n 1 bob.err)" \
	    "pk-xfer: 127.0.0.1:$PPORT: frame 2 from the server refused: it does not verify (altered)"
	run -1 grep pay bob.out
	leave alice
	wait "$PROXY"
	# The join notice delivered twice: the second copy is refused.
	proxy 's2c step=notice replay'
	hjoin bob "$PPORT"
	hjoin alice "$RELAY_PORT"
	wait_file bob.err 'refused'
	leave bob
	[ "$STATUS" = 1 ]
	assert_equal "$(tail -n 1 bob.err)" \
	    "pk-xfer: 127.0.0.1:$PPORT: frame 1 from the server refused: replayed or out of order"
	assert_equal "$(grep -c 'alice joined the chat$' bob.out)" 1
}

# shellcheck disable=SC2153 # leave (helpers.bash) sets STATUS
@test "chat-hardened: a message altered or replayed on its way to the relay is refused: logged, the sender closed, nothing relayed" {
	start_relay --hardened chat chat@127.0.0.1:0
	hjoin bob "$RELAY_PORT"
	proxy 'c2s message.ciphertext[3]^=01'
	hjoin alice "$PPORT"
	say alice 'pay 10'
	wait_log 'protocol error: message 0 from alice refused: it does not verify \(altered\)$'
	leave alice
	wait "$PROXY"
	proxy 'c2s step=message replay'
	hjoin alice "$PPORT"
	say alice 'pay 10'
	wait_log 'protocol error: message 0 from alice refused: replayed or out of order$'
	wait_file bob.out 'alice left the chat$'
	assert_equal "$(grep -c 'alice: pay 10$' bob.out)" 1
	leave alice
	leave bob
	[ "$STATUS" = 0 ]
}

# shellcheck disable=SC2153 # leave (helpers.bash) sets STATUS
@test "chat-hardened: a member who left has no key to what follows: the others got fresh keys at its leave, and no key is anyone else's" {
	start_relay --hardened chat chat@127.0.0.1:0
	hjoin alice "$RELAY_PORT" --trace-json alice.json --save-key alice.wrapped
	hjoin bob "$RELAY_PORT" --trace-json bob.json
	hjoin carol "$RELAY_PORT" --trace-json carol.json
	wait_file bob.out 'carol joined the chat$'
	say carol 'bye'
	wait_file bob.out 'carol: bye$'
	leave carol
	[ "$STATUS" = 0 ]
	wait_file bob.out 'carol left the chat$'
	say alice 'after carol left'
	wait_file bob.out 'alice: after carol left$'
	# Bob's sealed frames: a rekey before each notice, the message
	# after carol left under his third key (epoch 2).
	run -0 jq -r 'select(.direction == "received") | .step + " " +
	    (.fields[] | select(.name == "epoch") | .value | tostring)' bob.json
	assert_equal "$(tr '\n' ' ' <<< "$output")" \
	    'session_key 0 rekey 0 notice 1 message 1 rekey 1 notice 2 message 2 '
	keys carol.json > carol.keys
	keys bob.json > bob.keys
	keys alice.json > alice.keys
	[ "$(wc -l < carol.keys)" = 1 ]
	[ "$(wc -l < bob.keys)" = 3 ]
	[ "$(wc -l < alice.keys)" = 4 ]
	# Every key is one client's, once: carol's opens nothing of theirs.
	run -0 sort alice.keys bob.keys carol.keys
	assert_equal "$(uniq -d <<< "$output")" ''
	# --save-key keeps the wrapped K for pk-wrap (the label as documented).
	printf 'protokit chat K' > label
	pk-wrap -d -k "$BATS_FILE_TMPDIR/alice.key" --label-file label \
	    < alice.wrapped | od -An -tx1 | tr -d ' \n' > alice.k
	assert_equal "$(cat alice.k)" "$(head -n 1 alice.keys)"
}
