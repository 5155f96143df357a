#!/usr/bin/env bats
# chat's field-level trace (issue 13): pk-relay --trace and pk-xfer chat
# --trace / --trace-json over one full run, two clients and a third
# joined by hand that sends a keepalive, checked against docs/chat.md's
# "Fields on the wire" table, openssl's fingerprints and plaintexts, and
# each other (every frame on the wire is in the relay's trace).

load helpers
load chat-helpers

STAMP='[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}'
NOTE='(AES-128-CFB8 under the session key and the iv above)'

setup_file() {
	chat_keys server alice bob carol
}

setup() {
	chat_state server
	RAW=
}

teardown() {
	[ -z "$RAW" ] || exec {RAW}>&-
	stop_clients
	stop_relay
}

# raw_carol: carol joins by hand on fd RAW (her public key sent with
# pk-keygen pub's final newline) and sends one keepalive, the frame a
# quiet pk-xfer chat sends only after 25 s.
raw_carol() {
	local len
	pk-keygen pub -i "$BATS_FILE_TMPDIR/carol.key" > carol.pub
	len=$(stat -c %s carol.pub)
	exec {RAW}<> "/dev/tcp/127.0.0.1/$RELAY_PORT"
	printf '\0\0\0\005carol' >&"$RAW"
	printf "\\0\\0\\$(printf %03o $((len >> 8)))\\$(printf %03o $((len & 255)))" >&"$RAW"
	cat carol.pub >&"$RAW"
	wait_log 'secret key sent to carol$'
	printf '\0\0\0\001P' >&"$RAW"
	wait_file relay.json '"step":"keepalive"'
}

# full_run: the relay traced (text in relay.log, JSON in relay.json);
# alice and bob join, carol by hand; alice and bob say one line each;
# alice leaves, then bob (each has read every frame sent to it), then
# carol; the relay stops cleanly.
# shellcheck disable=SC2153 # leave (chat-helpers.bash) sets STATUS
full_run() {
	start_relay --trace --trace-json relay.json chat@127.0.0.1:0
	join alice --trace --trace-json alice.json --save-key alice.wrapped
	join bob --trace --trace-json bob.json --save-key bob.wrapped
	raw_carol
	wait_file bob.out "^$STAMP \\[\\+\\] carol joined the chat\$"
	say alice "hello bob"
	wait_file bob.out "^$STAMP alice: hello bob\$"
	say bob "hi alice"
	wait_file alice.out "^$STAMP bob: hi alice\$"
	leave alice
	[ "$STATUS" -eq 0 ]
	wait_file bob.out "^$STAMP \\[\\+\\] alice left the chat\$"
	leave bob
	[ "$STATUS" -eq 0 ]
	wait_log 'bob left the server'
	exec {RAW}>&-
	RAW=
	wait_log 'carol left the server'
	RELAY_STATUS=0
	stop_relay
	[ "$RELAY_STATUS" = 0 ]
}

# frames JSON [JQ-FILTER]: one line per frame of JSON that the filter
# selects: its direction, step and every byte on the wire, in hex.
frames() {
	jq -r "select(${2:-true}) | .direction + \" \" + .step + \" \" +
	    ([.fields[] | select(.offset != null) | .hex] | add)" "$1"
}

# peer NAME: NAME's address as the relay saw it.
peer() {
	sed -n "s/.* chat \\([0-9.:]*\\) new connection: username $1\$/\\1/p" \
	    relay.log
}

# fingerprint KEY: openssl's SHA-256 of KEY's SubjectPublicKeyInfo.
fingerprint() {
	pk-keygen pub -i "$1" | openssl pkey -pubin -outform DER |
	    sha256sum | cut -d' ' -f1
}

@test "trace-chat: a full run's traces, the relay's and both clients', name every field of docs/chat.md's table and nothing else" {
	full_run
	trace_check "$BATS_TEST_DIRNAME/../docs/chat.md" \
	    relay.json alice.json bob.json
	# Each side saw the steps it takes part in, all of them well formed.
	run -0 jq -r .step alice.json
	for s in user_name server_key client_key wrapped_key message notice; do
		assert_line "$s"
	done
	[ "$(jq -r 'select(.protocol != "chat") | .step' relay.json \
	    alice.json bob.json)" = '' ]
	run -0 jq -r 'select(.step == "keepalive") | .direction + " " + .peer' \
	    relay.json
	assert_output "received $(peer carol)"
}

@test "trace-chat: every frame on the wire is in the relay's trace, a relayed message once per recipient" {
	local a b c n p msg
	full_run
	a=$(peer alice) b=$(peer bob) c=$(peer carol)
	[ -n "$a" ] && [ -n "$b" ] && [ -n "$c" ]
	# What each client sent, the relay received from it, byte for byte,
	# in order; and what the relay sent it, it received.
	for n in alice bob; do
		p=$a
		[ "$n" = alice ] || p=$b
		diff <(frames "$n.json" '.direction == "sent"' | cut -d' ' -f2-) \
		    <(frames relay.json ".direction == \"received\" and .peer == \"$p\"" |
		    cut -d' ' -f2-)
		diff <(frames "$n.json" '.direction == "received"' | cut -d' ' -f2-) \
		    <(frames relay.json ".direction == \"sent\" and .peer == \"$p\"" |
		    cut -d' ' -f2-)
	done
	# alice's message went once to bob and once to carol, unchanged.
	msg=$(frames alice.json '.step == "message" and .direction == "sent"' |
	    cut -d' ' -f3)
	[ -n "$msg" ]
	# shellcheck disable=SC2016 # $m is jq's
	run -0 jq -r --arg m "$msg" 'select(.step == "message") |
	    select(([.fields[] | select(.offset != null) | .hex] | add) == $m) |
	    .direction + " " + .peer' relay.json
	assert_equal "$(sort <<< "$output")" "$(sort <<< "received $a
sent $b
sent $c")"
}

@test "trace-chat: the text trace shows each public key as PEM with openssl's SPKI SHA-256 fingerprint" {
	local fs fa
	full_run
	fs=$(fingerprint state/chat.key)
	fa=$(fingerprint "$BATS_FILE_TMPDIR/alice.key")
	[ "${#fs}" -eq 64 ]
	run -0 grep -E -A 3 \
	    "^[0-9:.]+ <<< 127.0.0.1:$RELAY_PORT chat server_key: 454 bytes\$" \
	    alice.err
	assert_line --index 1 '    length                  0     4  00 00 01 c2  450'
	assert_line --index 2 "    public_key              4   450  450 bytes  sha256:$fs"
	assert_line --index 3 '        | -----BEGIN PUBLIC KEY-----'
	run -0 grep -E -A 2 \
	    "^[0-9:.]+ <<< $(peer alice) chat client_key: 454 bytes\$" relay.log
	assert_line --index 2 "    public_key              4   450  450 bytes  sha256:$fa"
	# The JSON says the same; carol's key came with its final newline.
	run -0 jq -r 'select(.step == "client_key") | .fields[1] |
	    .length, .fingerprint' relay.json
	assert_line "sha256:$fa"
	assert_line "sha256:$(fingerprint "$BATS_FILE_TMPDIR/carol.key")"
	assert_line 451
}

@test "trace-chat: where the side holds the session key, the plaintext is under the ciphertext, labelled with the key and IV" {
	local k ks iv ct
	full_run
	# The session key under the wrapped key: the one pk-wrap unwraps.
	k=$(pk-wrap -d --oaep-sha1 -k "$BATS_FILE_TMPDIR/alice.key" \
	    < alice.wrapped | od -An -v -tx1 | tr -d ' \n')
	ks=$(sed 's/../& /g; s/ $//' <<< "$k")
	grep -Eq "^    session_key +- +16  $ks .*\\(unwrapped with the client's private key\\)\$" alice.err
	grep -Eq "^    session_key +- +16  $ks .*\\(this relay's, wrapped under the client's public key\\)\$" relay.log
	# alice sent it, the relay received it and sent it on, bob received
	# it: each shows the plaintext right under the ciphertext.
	run -0 awk '/^    ciphertext /{ getline; print }' alice.err
	assert_line --regexp "^    plaintext +- +16  [0-9a-f ]+  \"alice: hello bob\" \\$NOTE\$"
	run -0 awk '/^    ciphertext /{ getline; print }' bob.err
	assert_line --regexp "^    plaintext +- +16  .*\"alice: hello bob\" \\$NOTE\$"
	run -0 awk '/^    ciphertext /{ getline; print }' relay.log
	[ "$(grep -c '"alice: hello bob"' <<< "$output")" -eq 3 ]
	[ "$(grep -c '"bob: hi alice"' <<< "$output")" -eq 3 ]
	# The plaintext is what openssl makes of the IV and ciphertext shown.
	iv=$(jq -r 'select(.step == "message" and .direction == "sent") |
	    .fields[] | select(.name == "iv") | .hex' alice.json)
	ct=$(jq -r 'select(.step == "message" and .direction == "sent") |
	    .fields[] | select(.name == "ciphertext") | .hex' alice.json)
	run -0 openssl enc -d -aes-128-cfb8 -K "$k" -iv "$iv" \
	    -in <(xxd -r -p <<< "$ct")
	assert_output "alice: hello bob"
	# Notices are text under their frame header.
	run -0 grep -A 3 ' chat notice: 26 bytes$' alice.err
	assert_line "    text                    5    21  21 bytes  \"carol joined the chat\""
}

@test "trace-chat: protokit run chat --trace shows the frames between the steps; --trace-json gets every side's" {
	mkdir tmp
	TMPDIR=$PWD/tmp run -0 --separate-stderr protokit run chat --trace \
	    --trace-json run.json
	assert_line "protokit-chat: ok"
	assert_line --regexp '^    [0-9:.]+ >>> 127.0.0.1:[0-9]+ chat client_key: 454 bytes$'
	assert_line --regexp "^        plaintext +- +16  .*\"alice: hello bob\" \\$NOTE\$"
	assert_line --regexp '^        session_key +- +16  '
	# The relay's frames and the three clients'; all well formed.
	[ "$(jq -r .peer run.json | sort -u | wc -l)" -ge 4 ]
	run -0 jq -r 'select(.malformed != null)' run.json
	assert_output ''
	run -0 jq -r .step run.json
	for s in user_name server_key client_key wrapped_key message notice; do
		assert_line "$s"
	done
	run -2 --separate-stderr protokit-chat --trace-json
	assert_equal "$stderr" "protokit-chat: --trace-json: missing file
Try 'protokit-chat --help'"
}

@test "trace-chat: TERMINATE closes every client; the relay's trace records only what was sent, no notice of a leaving to a closed client" {
	local console n p
	mkfifo relay.in
	exec {console}<> relay.in
	RELAY_STDIN=relay.in start_relay --console --trace-json relay.json \
	    chat@127.0.0.1:0
	join alice --trace-json alice.json
	join bob --trace-json bob.json
	wait_file alice.out "^$STAMP \\[\\+\\] bob joined the chat\$"
	echo TERMINATE >&"$console"
	for n in alice bob; do
		wait "${CPID[$n]}"
		unset "CPID[$n]"
	done
	RELAY_STATUS=0
	wait "$RELAY_PID" || RELAY_STATUS=$?
	RELAY_PID=
	exec {console}>&-
	[ "$RELAY_STATUS" = 0 ]
	# What the relay traced as sent to each, each received: bob's joining
	# to alice, and no "left the chat" to a connection already closed.
	for n in alice bob; do
		p=$(peer "$n")
		diff <(frames "$n.json" '.direction == "received"' | cut -d' ' -f2-) \
		    <(frames relay.json ".direction == \"sent\" and .peer == \"$p\"" |
		    cut -d' ' -f2-)
	done
	run -0 jq -r 'select(.step == "notice") | .direction + " " + .peer' \
	    relay.json
	assert_output "sent $(peer alice)"
}
