#!/usr/bin/env bats
# trace e2e (issue 13): pk-xfer e2e --trace/--trace-json and pk-relay
# --trace/--trace-json name every field of every e2e frame, the plaintext
# under each RSA-OAEP block included, with the names of docs/e2e.md's
# "Fields on the wire"; protokit run e2e --trace shows them between the
# steps.

load helpers
load e2e-helpers

# join NAME: the interactive client (helpers.bash e2e_join) with its
# trace on stderr, NAME.err, and in NAME.json (--trace-json after the
# protocol's name, beside --pass-file).
join() {
	e2e_join "$1" --trace --trace-json "$1.json"
}

# field JSON DIR STEP NAME: the hex of field NAME in the frames of STEP
# that JSON's side sent or received (DIR), one line each.
field() {
	jq -r --arg d "$2" --arg s "$3" --arg n "$4" \
	    'select(.direction == $d and .step == $s) | .fields[] |
	    select(.name == $n) | .hex' "$1"
}

# unhex: hex on stdin to bytes on stdout.
unhex() {
	xxd -r -p
}

# oaep_open KEY PASSFILE: the OAEP-SHA256 block on stdin, opened by openssl.
oaep_open() {
	openssl pkeyutl -decrypt -inkey "$1" -passin "file:$2" \
	    -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 \
	    -pkeyopt rsa_mgf1_md:sha256
}

@test "trace e2e: a full run's traces, every client's and the relay's, name every field of docs/e2e.md's table and nothing else" {
	start_relay --trace --trace-json relay.json e2e@127.0.0.1:0 \
	    e2e-upload@127.0.0.1:0
	join alice
	join bob
	say alice "${ADDR[bob]}/hello bob"
	wait_file bob.out 'hello bob$'
	say alice 'no address'
	wait_file alice.out 'Parse Error'
	# An empty block is a keepalive.
	run -0 pk-xfer e2e send "${KEYS[@]}" --trace-json send.json \
	    "127.0.0.1:${RELAY_PORTS[e2e]}" ''
	# A block to the wrong key: the relay cannot open it.
	run -1 pk-xfer e2e send -k "$K/client.key" --pass-file "$K/client.pass" \
	    -s "$K/client.pub" --trace-json wrong.json \
	    "127.0.0.1:${RELAY_PORTS[e2e]}" "${ADDR[bob]}/lost"
	make_file up.bin 400
	run -0 pk-xfer e2e upload "${KEYS[@]}" --trace-json up.json \
	    "127.0.0.1:${RELAY_PORTS[e2e-upload]}" up.bin
	say alice quit
	wait_log "e2e ${ADDR[alice]} quit\$"
	stop_clients
	stop_all
	trace_check "$PK_ROOT/docs/e2e.md" relay.json alice.json bob.json send.json \
	    wrong.json up.json
	# Each frame's both ends: every frame a client sent, the relay
	# received, the same bytes; every frame it sent, a client received.
	[ "$(jq -r 'select(.direction == "sent") | .fields[1].hex' \
	    alice.json bob.json send.json wrong.json up.json | sort)" = \
	    "$(jq -r 'select(.direction == "received") | .fields[1].hex' \
	    relay.json | sort)" ]
	[ "$(jq -r 'select(.direction == "received") | .fields[1].hex' \
	    alice.json bob.json send.json wrong.json up.json | sort)" = \
	    "$(jq -r 'select(.direction == "sent") | .fields[1].hex' \
	    relay.json | sort)" ]
	# The upload: 400 bytes in three chunks, each acknowledged.
	[ "$(jq -r 'select(.step == "chunk") | .fields[2].length' up.json |
	    paste -sd ' ')" = '190 190 20' ]
	[ "$(jq -c 'select(.step == "ack")' up.json | wc -l)" -eq 3 ]
}

@test "trace e2e: the plaintext under each block is what openssl opens from its bytes, labelled with the key that opened or sealed it" {
	local block
	start_relay --trace e2e@127.0.0.1:0
	join alice
	join bob
	say alice "${ADDR[bob]}/meet at 10:30"
	wait_file bob.out 'meet at 10:30$'
	# alice's text trace: the frame, then the fields under the block.
	assert_equal "$(grep -Ec '>>> 127\.0\.0\.1:[0-9]+ e2e send: 260 bytes$' alice.err)" 1
	grep -Eq '^    length +0 +4  00 00 01 00  256$' alice.err
	grep -Eq '^    block +4 +256  256 bytes  \(RSA-OAEP-SHA256 to the server key\)$' alice.err
	grep -Fq "\"${ADDR[bob]}\" (sealed to the server key (-s))" alice.err
	grep -Eq '^    message +- +13 .* "meet at 10:30"$' alice.err
	# The relay's: it opened the block with the server key, and sealed
	# the forward to the client key.
	grep -Fq "\"${ADDR[bob]}\" (opened with the server key)" relay.log
	grep -Eq "<<< ${ADDR[alice]} e2e send: 260 bytes\$" relay.log
	grep -Eq ">>> ${ADDR[bob]} e2e forward: 260 bytes\$" relay.log
	grep -Fq "\"('127.0.0.1', ${ADDR[alice]##*:})\" (sealed to the client key)" relay.log
	# bob's: opened with the shared client key.
	grep -Fq "\"('127.0.0.1', ${ADDR[alice]##*:})\" (opened with the client key (-k))" bob.err
	# The block's bytes as traced open with openssl to the fields shown.
	block=$(field alice.json sent send block)
	[ "${#block}" -eq 512 ]
	run -0 oaep_open "$K/server.key" "$K/server.pass" < <(unhex <<< "$block")
	assert_output "$(field alice.json sent send target | unhex)/$(field alice.json sent send message | unhex)"
	assert_output "${ADDR[bob]}/meet at 10:30"
	block=$(field bob.json received forward block)
	run -0 oaep_open "$K/client.key" "$K/client.pass" < <(unhex <<< "$block")
	assert_output "$(field bob.json received forward source | unhex)|$(field bob.json received forward message | unhex)"
	assert_output "('127.0.0.1', ${ADDR[alice]##*:})|meet at 10:30"
}

@test "trace e2e: pk-xfer e2e --trace-json after the protocol's name, beside --pass-file, is the trace file (not --pass-env)" {
	start_relay e2e@127.0.0.1:0
	run -1 --separate-stderr pk-xfer e2e send "${KEYS[@]}" \
	    --trace-json send.json "127.0.0.1:${RELAY_PORTS[e2e]}" \
	    '127.0.0.1:1/anyone'
	assert_output '[*] Server Error: Cannot find specified target client'
	assert_equal "$stderr" ''
	run -0 jq -r '.direction + " " + .step' send.json
	assert_output 'sent send
received error'
}

@test "trace e2e: a frame that is not one 256-byte block is traced as malformed, and a block that does not decrypt says so" {
	local g
	start_relay --trace-json relay.json e2e@127.0.0.1:0
	exec {g}<> "/dev/tcp/127.0.0.1/${RELAY_PORTS[e2e]}"
	printf '\0\0\0\5hello' >&"$g"
	wait_count ' protocol error: ' 1
	exec {g}>&-
	head -c 256 /dev/urandom > random.bin
	exec {g}<> "/dev/tcp/127.0.0.1/${RELAY_PORTS[e2e]}"
	{ printf '\0\0\1\0'; cat random.bin; } >&"$g"
	wait_count ' protocol error: ' 2
	exec {g}>&-
	stop_all
	run -0 jq -r '[.direction, .step, .length, .malformed // "-"] | @tsv' relay.json
	assert_line "$(printf 'received\tblock\t9\tnot one 256-byte RSA block')"
	assert_line "$(printf 'received\tblock\t260\t-')"
	assert_line "$(printf 'sent\terror\t260\t-')"
	run -0 jq -r 'select(.length == 260 and .direction == "received") |
	    .fields[1].note' relay.json
	assert_output 'does not decrypt with the server key'
}

@test "trace e2e: protokit run e2e --trace shows every client's frames between the steps, and --trace-json FILE collects them" {
	export TMPDIR="$BATS_TEST_TMPDIR/tmp"
	mkdir "$TMPDIR"
	run -0 --separate-stderr protokit run e2e --trace --trace-json run.json
	assert_line "    --- alice's trace (pk-xfer --trace, its stderr):"
	assert_line "    --- bob's trace (pk-xfer --trace, its stderr):"
	assert_line --regexp '^    [0-9:.]+ >>> 127\.0\.0\.1:[0-9]+ e2e send: 260 bytes$'
	assert_line --regexp '^    [0-9:.]+ <<< 127\.0\.0\.1:[0-9]+ e2e forward: 260 bytes$'
	assert_line --regexp '^        message +- +24 +24 bytes  "hello bob, this is alice"$'
	assert_line --regexp '^        text +- +37 .*"\[\*\] Parse Error: Invalid Input Format" \(opened with the client key \(-k\)\)$'
	# The trace of a step comes after its command and before the next.
	[ "$(grep -n 'hello bob, this is alice"$' <<< "$output" | head -n 1 |
	    cut -d: -f1)" -lt "$(grep -n '/hi alice" >&5$' <<< "$output" |
	    cut -d: -f1)" ]
	# The upload's, live on stderr: three chunks of the 500-byte file.
	[ "$(grep -Ec '>>> 127\.0\.0\.1:[0-9]+ e2e-upload chunk: 260 bytes$' <<< "$stderr")" -eq 3 ]
	assert_output --partial 'protokit-e2e: ok'
	run -0 jq -r .step run.json
	[ "$(sort -u <<< "$output" | paste -sd ' ')" = \
	    'ack chunk done end error forward ready send upload' ]
}
