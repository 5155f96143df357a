#!/usr/bin/env bats
# trace-ca: the one trace of the ca protocol (lib/catrace.c) on both
# sides: pk-xfer --trace / --trace-json on every step and the peer chat,
# pk-relay --trace / --trace-json on the CA's, checked against
# docs/ca.md's "Fields on the wire"; and protokit run ca --trace.

load helpers

setup_file() {
	ca_keys || return 1
	pk-keygen rsa --no-pass -o bob > /dev/null
	pk-keygen csr -k bob.key -subj /CN=bob -o bob.csr
}

setup() {
	ca_state
}

teardown() {
	stop_all "$LPID"
}

# x ARGS...: pk-xfer with both traces, the text one appended to x.trace.
x() {
	pk-xfer --trace --trace-json client.json "$@" 2>> x.trace
}

# listen_traced KEY [OPTION...]: pk-xfer --trace ca listen -k KEY in the
# background, output in bob.listen, trace in bob.trace; LPID, LADDR.
listen_traced() {
	local key=$1 i
	shift
	pk-xfer --trace "$@" -t 10 ca listen -k "$key" > bob.listen \
	    2> bob.trace 3>&- &
	LPID=$!
	for ((i = 0; i < 100; i++)); do
		grep -qs '^listening on ' bob.listen && break
		sleep 0.05
	done
	LADDR=$(sed -n 's/^listening on //p' bob.listen)
	[ -n "$LADDR" ]
}

# full_run: every step and every answer of the protocol, then the peer
# chat alice -> bob, with pk-relay's and pk-xfer's traces.
full_run() {
	start_relay --trace --trace-json relay.json ca@127.0.0.1:0
	ADDR=127.0.0.1:$RELAY_PORT
	x ca register -u alice --pass-file alice.pass "$ADDR"
	x ca register -u bob --pass-file bob.pass "$ADDR"
	run -1 x ca login -u bob --pass-file alice.pass "$ADDR"
	x ca csr -u alice --pass-file alice.pass -i alice.csr -o alice.crt "$ADDR"
	x ca csr -u bob --pass-file bob.pass -i bob.csr -o bob.crt "$ADDR"
	x ca certup -u alice --pass-file alice.pass -i bob.crt -n bob "$ADDR"
	run -1 x ca certup -u alice --pass-file alice.pass -i other.crt "$ADDR"
	x ca certreq -u bob --pass-file bob.pass -o got.crt "$ADDR" alice
	run -1 x ca certreq -u bob --pass-file bob.pass -o no.crt "$ADDR" carol
	echo "tea at five" > chat.pass
	listen_traced bob.key --trace-json listen.json
	printf 'hello bob\nsecond line, longer than one AES block\n' |
	    x ca connect -u alice --pass-file alice.pass --ca ca.crt --to bob \
	    --chat-pass file:chat.pass "$ADDR" "$LADDR"
	wait "$LPID"
	LPID=
}

@test "trace ca: a full run's JSON traces, both sides, name every field of docs/ca.md and nothing else" {
	full_run
	trace_check "$PK_ROOT/docs/ca.md" client.json listen.json relay.json
	# The relay's view holds the CA's link only; its steps are the doc's.
	trace_check_steps() {
		jq -r .step "$1" | sort -u | tr '\n' ' '
	}
	run -0 trace_check_steps relay.json
	assert_output "CERTREQ CERTUP CSR answer certificate choice new-password new-user password prompt user "
	run -0 trace_check_steps listen.json
	assert_output "chat-ciphertext chat-iv chat-password "
	# Each side sees the other's frames in the other direction.
	[ "$(jq -r 'select(.step == "CSR") | .direction' client.json | sort -u)" = sent ]
	[ "$(jq -r 'select(.step == "CSR") | .direction' relay.json | sort -u)" = received ]
}

@test "trace ca: prompts and answers are text, the password in the clear, the PEM with its key's fingerprint" {
	full_run
	# The prompts as text under their frame header, on both sides.
	grep -A2 '<<< 127.0.0.1:[0-9]* ca prompt: 30 bytes' x.trace |
	    grep -q '^    text  .* "Please Enter your username" (asks the user name)$'
	grep -A2 '>>> 127.0.0.1:[0-9]* ca prompt: 30 bytes' relay.log |
	    grep -q '"Please Enter your username"'
	grep -q '^    text .*"Username not found!\\nto sign up send \\"r\\", or send \\"c\\" to close connection"' x.trace
	grep -q '^    text .*"incorrect password! try again" (wrong password' x.trace
	grep -q '^    text .*"ack" (CERTUP: stored)$' x.trace
	grep -q '^    text .*"carol certificate does not exist"' x.trace
	grep -q '^    text .*"error: certificate: .*" (refused: the CA closes the connection)$' x.trace
	# The password as the wire carries it, said to be a weakness.
	grep -q '^    password .*"alicepw" (in the clear on the wire, a weakness: docs/ca.md)$' x.trace
	grep -q '^    password .*"alicepw" (in the clear' relay.log
	# The request's fields, and its key's fingerprint as openssl gives it.
	grep -A5 '>>> .* ca CSR: ' x.trace | grep -q '^    type  *4  *3  43 53 52  "CSR"$'
	local fp der
	fp=$(openssl req -in alice.csr -pubkey -noout |
	    openssl pkey -pubin -outform DER | sha256sum | cut -c1-64)
	der=$(openssl req -in alice.csr -outform DER | wc -c)
	grep -q "^    csr  .*(PEM $(wc -c < alice.csr) bytes, DER $der, CN=alice, key sha256:$fp)\$" x.trace
	grep -q "^    certificate .*CN=alice, key sha256:$fp)\$" relay.log
	grep -q '^        | -----BEGIN CERTIFICATE REQUEST-----$' x.trace
}

@test "trace ca: the peer chat as ciphertext blocks, IV and wrapped password, the plaintext under them on both ends" {
	full_run
	grep -qx 'message: hello bob' bob.listen
	# The sender: each message's ciphertext, then the line it holds.
	grep -A3 '>>> 127.0.0.1:[0-9]* ca chat-ciphertext: 20 bytes' x.trace > sent
	run -0 cat sent
	assert_line --index 2 --regexp '^    ciphertext  *4  *16  ([0-9a-f]{2} ){15}[0-9a-f]{2}$'
	assert_line --index 3 --regexp '^    plaintext  *-  *9  .*"hello bob" \(AES-256-CBC, key SHA-256\(chat password\), the IV of the next frame; PKCS#7 padding removed\)$'
	# A longer one in 16-byte blocks.
	grep -A6 'ca chat-ciphertext: 52 bytes' x.trace | grep -qE '^        0010  ([0-9a-f]{2} ){15}[0-9a-f]{2}$'
	# The listener: the same, from its unwrapped password.
	grep -A3 '<<< sender ca chat-ciphertext: 20 bytes' bob.trace > got
	run -0 cat got
	assert_line --index 3 --partial '"hello bob" (AES-256-CBC'
	grep -A2 '<<< sender ca chat-iv: 20 bytes' bob.trace |
	    grep -qE '^    iv  *4  *16  ([0-9a-f]{2} ){15}[0-9a-f]{2}$'
	grep -A20 '<<< sender ca chat-password: 260 bytes' bob.trace |
	    grep -q '^    wrapped  *4  *256  256 bytes  (RSA-OAEP-SHA256 under the receiver.s key)$'
	grep -q '^    password  *-  *11  .*"tea at five" (unwrapped with bob.key)$' bob.trace
	grep -q '^    password  *-  *11  .*"tea at five" (the chat password, wrapped by this side)$' x.trace
	# The ciphertext of the trace decrypts with openssl to the same line.
	local key iv ct
	key=$(printf 'tea at five' | sha256sum | cut -c1-64)
	ct=$(jq -r 'select(.step == "chat-ciphertext") | .fields[1].hex' listen.json | head -1)
	iv=$(jq -r 'select(.step == "chat-iv") | .fields[1].hex' listen.json | head -1)
	run -0 sh -c "echo $ct | xxd -r -p | openssl enc -d -aes-256-cbc -K $key -iv $iv"
	assert_output "hello bob"
}

@test "trace ca: a message the listener cannot open is still shown, without plaintext" {
	start_relay ca@127.0.0.1:0
	ADDR=127.0.0.1:$RELAY_PORT
	pk-xfer ca register -u alice --pass-file alice.pass "$ADDR"
	pk-xfer ca register -u bob --pass-file bob.pass "$ADDR"
	pk-xfer ca csr -u bob --pass-file bob.pass -i bob.csr -o bob.crt "$ADDR"
	echo "tea at five" > chat.pass
	listen_traced other.key
	echo "hello bob" | pk-xfer ca connect -u alice --pass-file alice.pass \
	    --ca ca.crt --to bob --chat-pass file:chat.pass "$ADDR" "$LADDR" ||
	    true
	local status=0
	wait "$LPID" || status=$?
	LPID=
	[ "$status" = 1 ]
	run -0 cat bob.trace
	assert_line --regexp '^[0-9:.]+ <<< sender ca chat-ciphertext: 20 bytes$'
	assert_line --regexp '^[0-9:.]+ <<< sender ca chat-password: 260 bytes$'
	refute_line --regexp '^    (plaintext|password) '
	refute_output --partial 'hello bob'
	refute_output --partial 'tea at five'
	assert_equal "${lines[-1]}" "pk-xfer: sender: the password does not unwrap with other.key"
}

@test "trace ca: the interactive client's frames are named by the prompt they answer, on both sides" {
	start_relay --trace-json relay.json ca@127.0.0.1:0
	ADDR=127.0.0.1:$RELAY_PORT
	pk-xfer ca register -u alice --pass-file alice.pass "$ADDR"
	: > relay.json
	echo zedpw > zed.pass
	printf 'zed\nr\nbad name\nalice\nzed\nCERTREQ\nalice\ny\n' |
	    pk-xfer --trace-json client.json ca --pass-file zed.pass "$ADDR" \
	    > /dev/null
	local want="prompt user prompt choice prompt new-user prompt prompt new-user prompt prompt new-user prompt new-password prompt CERTREQ answer "
	run -0 jq -j '.step + " "' client.json
	assert_output "$want"
	wait_log 'registered zed'
	run -0 jq -j '.step + " "' relay.json
	assert_output "$want"
	run -0 jq -r 'select(.step == "new-password") | .fields[1].value' client.json relay.json
	assert_output "zedpw
zedpw"
}

@test "trace ca: pk-xfer --help no longer says ca dumps nothing; --trace-json alone writes JSON only" {
	run -0 pk-xfer ca --help
	refute_output --partial "no ca frame is dumped"
	assert_line --partial "--trace-json file"
	start_relay ca@127.0.0.1:0
	run -0 --separate-stderr pk-xfer --trace-json only.json ca register \
	    -u alice --pass-file alice.pass "127.0.0.1:$RELAY_PORT"
	assert_equal "$stderr" ""
	[ "$(jq -r .step only.json | head -2 | tr '\n' ' ')" = "prompt user " ]
}

@test "trace ca: protokit run ca --trace shows pk-xfer's frames between the steps; --trace-json FILE collects them" {
	run -0 --separate-stderr protokit run ca --trace --trace-json "$PWD/run.json"
	assert_line --partial 'pk-xfer --trace'
	# The frames of each step, between the steps.
	grep -q '>>> 127.0.0.1:[0-9]* ca CSR: ' <<< "$stderr"
	grep -q '<<< 127.0.0.1:[0-9]* ca certificate: ' <<< "$stderr"
	grep -q '>>> 127.0.0.1:[0-9]* ca chat-ciphertext: ' <<< "$stderr"
	grep -q '<<< sender ca chat-ciphertext: ' <<< "$output"
	run -0 jq -r .step run.json
	assert_line CSR
	assert_line CERTREQ
	assert_line chat-ciphertext
	[ -z "$(jq -r 'select(.malformed != null) | .step' run.json)" ]
	[ -z "$(jq -r '.fields[] | select(.name == "unnamed") | .name' run.json)" ]
}
