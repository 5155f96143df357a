#!/usr/bin/env bats
# chat (seed 003): the relay's chat service, pk-relay --console and
# pk-xfer chat, over 127.0.0.1.  Each client reads a FIFO held open by the
# test, so that lines go in one at a time and the client stays until the
# test closes its end.  Keys are made once per file with pk-keygen.

load helpers
load chat-helpers

STAMP='[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}'

setup_file() {
	chat_keys server alice bob carol mallory
}

setup() {
	chat_state server
}

teardown() {
	stop_clients
	stop_relay
}

@test "chat: three clients each see the others' messages with names and timestamps, never their own" {
	start_relay chat@127.0.0.1:0
	join alice
	join bob
	join carol
	say alice "hello from alice"
	wait_file bob.out "^$STAMP alice: hello from alice\$"
	wait_file carol.out "^$STAMP alice: hello from alice\$"
	say bob "bob here, ünïcode ok"
	wait_file alice.out "^$STAMP bob: bob here, ünïcode ok\$"
	wait_file carol.out "^$STAMP bob: bob here, ünïcode ok\$"
	say carol "carol too"
	wait_file alice.out "^$STAMP carol: carol too\$"
	wait_file bob.out "^$STAMP carol: carol too\$"
	for n in alice bob carol; do
		leave "$n"
		[ "$STATUS" -eq 0 ]
		run grep -c ": " "$n.out"
		assert_output 2
		run grep "$n: " "$n.out"
		assert_failure
	done
	# The relay logs that messages passed, never what they said.
	[ "$(grep -c 'message exchanged$' relay.log)" -eq 3 ]
	run grep -E 'hello|bob here|carol too' relay.log
	assert_failure
}

@test "chat: join and leave notices reach the others; EXIT leaves with status 0" {
	start_relay chat@127.0.0.1:0
	join alice
	join bob
	wait_file alice.out "^$STAMP \[\+\] bob joined the chat\$"
	say bob EXIT
	STATUS=0
	wait "${CPID[bob]}" || STATUS=$?
	unset "CPID[bob]"
	[ "$STATUS" -eq 0 ]
	grep -q '^\[+\] left the chat$' bob.err
	wait_file alice.out "^$STAMP \[\+\] bob left the chat\$"
	wait_log "bob left the server\$"
	run cat bob.out
	assert_output ''
	leave alice
	[ "$STATUS" -eq 0 ]
}

@test "chat: help lists the commands and is not sent to the room" {
	start_relay chat@127.0.0.1:0
	join alice
	join bob
	say alice help
	wait_file alice.out '^  help +this list \(not sent\)$'
	run cat alice.out
	assert_output --partial 'Commands:
  any other line  sent to everyone else in the room as "NAME: line"
  EXIT            leave the chat (so does Ctrl-D)
  help            this list (not sent)
TERMINATE, typed on the server'"'"'s console, ends the chat for all.'
	say alice "after help"
	wait_file bob.out "^$STAMP alice: after help\$"
	run grep -c 'alice: help' bob.out
	assert_output 0
	[ "$(grep -c ' message exchanged$' relay.log)" -eq 1 ]
	run grep -c ' messages exchanged$' relay.log
	assert_output 0
}

@test "chat: TERMINATE on the relay console closes every client, which exit 0 saying so" {
	mkfifo relay.in
	exec {console}<> relay.in
	RELAY_STDIN=relay.in start_relay --console chat@127.0.0.1:0
	join alice
	join bob
	echo bogus >&"$console"
	wait_log 'console: unknown command'
	echo TERMINATE >&"$console"
	for n in alice bob; do
		STATUS=0
		wait "${CPID[$n]}" || STATUS=$?
		unset "CPID[$n]"
		[ "$STATUS" -eq 0 ]
		run cat "$n.err"
		assert_line "pk-xfer: the server closed the chat"
	done
	STATUS=0
	wait "$RELAY_PID" || STATUS=$?
	RELAY_PID=
	exec {console}>&-
	[ "$STATUS" -eq 0 ]
	grep -q 'console: TERMINATE: closing all connections$' relay.log
	grep -q 'relay stopped$' relay.log
}

@test "chat: clients sending garbage are dropped one by one while the others keep talking" {
	local g i pem
	start_relay chat@127.0.0.1:0
	join alice
	join bob
	pem=$(wc -c < "$BATS_FILE_TMPDIR/mallory.pub")
	long=$(printf 'x%.0s' {1..65})
	# Before joining: not a frame, an oversized frame, an empty frame, a
	# name over 64 bytes, a name with a control character, a key that is
	# not one.  After joining: a frame of an unknown type.
	for i in 1 2 3 4 5 6 7; do
		exec {g}<> "/dev/tcp/127.0.0.1/$RELAY_PORT"
		case $i in
		1) printf 'GET / HTTP/1.1\r\n\r\n' >&"$g" ;;
		2) printf '\0\1\0\1' >&"$g" ;;
		3) printf '\0\0\0\0' >&"$g" ;;
		4) printf '\0\0\0\101%s' "$long" >&"$g" ;;
		5) printf '\0\0\0\3a\tb' >&"$g" ;;
		6) printf '\0\0\0\1m\0\0\0\3key' >&"$g" ;;
		7) {
			printf '\0\0\0\7mallory\0\0'
			printf "\\$(printf %03o $((pem >> 8)))"
			printf "\\$(printf %03o $((pem & 255)))"
			cat "$BATS_FILE_TMPDIR/mallory.pub"
			wait_log 'secret key sent to mallory$' > /dev/null
			printf '\0\0\0\3XYZ'
		} >&"$g" ;;
		esac
		wait_count ' protocol error: ' "$i"
		exec {g}>&-
		say alice "still here $i"
		wait_file bob.out "^$STAMP alice: still here $i\$"
	done
	run grep -c ' protocol error: ' relay.log
	assert_output 7
	grep -q 'protocol error: user name: not 1 to 64 bytes' relay.log
	grep -q 'protocol error: client public key: not an RSA key' relay.log
	grep -q 'protocol error: not a chat message$' relay.log
	wait_file alice.out "^$STAMP \[\+\] mallory left the chat\$"
}

@test "chat: a client that stops reading is dropped at the queue cap; the others get every message" {
	local g pem i
	start_relay chat@127.0.0.1:0
	join alice
	join bob
	pem=$(wc -c < "$BATS_FILE_TMPDIR/mallory.pub")
	exec {g}<> "/dev/tcp/127.0.0.1/$RELAY_PORT"
	{
		printf '\0\0\0\7mallory\0\0'
		printf "\\$(printf %03o $((pem >> 8)))"
		printf "\\$(printf %03o $((pem & 255)))"
		cat "$BATS_FILE_TMPDIR/mallory.pub"
	} >&"$g"
	wait_log 'secret key sent to mallory$'
	# About 12 MiB of messages: more than the socket buffers and the
	# relay's 4 MiB queue for mallory, who never reads.
	line=$(printf 'y%.0s' {1..4000})
	for ((i = 0; i < 3000; i++)); do
		echo "$i $line"
	done >&"${CFD[alice]}"
	say alice "last one"
	wait_file bob.out "^$STAMP alice: last one\$"
	wait_log 'dropped: output queue would pass'
	[ "$(grep -Ec "^$STAMP alice: [0-9]+ y" bob.out)" -eq 3000 ]
	exec {g}>&-
}

@test "chat: the session key unwraps with pk-wrap and the ciphertext on the wire decrypts with openssl enc -aes-128-cfb8" {
	local ka kb frame iv ct
	start_relay chat@127.0.0.1:0
	join alice --trace-json alice.json --save-key alice.wrapped
	join bob --save-key bob.wrapped
	[ "$(wc -c < alice.wrapped)" -eq 256 ]
	ka=$(pk-wrap -d --oaep-sha1 -k "$BATS_FILE_TMPDIR/alice.key" \
	    < alice.wrapped | od -An -tx1 | tr -d ' \n')
	kb=$(openssl pkeyutl -decrypt -inkey "$BATS_FILE_TMPDIR/bob.key" \
	    -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha1 \
	    -in bob.wrapped | od -An -tx1 | tr -d ' \n')
	# One session key for every client of the run: the seed's weakness.
	[ "${#ka}" -eq 32 ]
	[ "$ka" = "$kb" ]
	say alice "attack at dawn"
	wait_file bob.out "^$STAMP alice: attack at dawn\$"
	frame=$(jq -r 'select(.direction == "sent" and .step == "message") |
	    [.fields[] | select(.offset != null) | .hex] | add' alice.json)
	[ "${frame:8:2}" = 4d ]
	iv=${frame:10:32}
	ct=${frame:42}
	[ "${#ct}" -eq 42 ]
	printf '%s' "$ct" | xxd -r -p > wire.bin
	run openssl enc -d -aes-128-cfb8 -K "$ka" -iv "$iv" -in wire.bin
	assert_success
	assert_output "alice: attack at dawn"
	# pk-aes-cfb --cfb8 makes the same ciphertext from the same key and IV.
	printf '%s' "$ka" > session.hex
	printf 'alice: attack at dawn' |
	    pk-aes-cfb -e --cfb8 -k session.hex -iv "$iv" > pk.bin
	cmp pk.bin wire.bin
}

# raw_join NAME PEM: joins as NAME by hand, sending PEM (a file) as the
# client key; checks the server key (450 bytes, no newline, as the
# original) and the 256-byte wrapped session key that answers.
raw_join() {
	local g hdr pem len
	exec {g}<> "/dev/tcp/127.0.0.1/$RELAY_PORT"
	printf "\\0\\0\\0\\$(printf %03o ${#1})%s" "$1" >&"$g"
	hdr=$(od -An -v -tx1 -N 4 <&"$g" | tr -d ' \n')
	pem=$(head -c $((16#$hdr)) <&"$g" | od -An -v -tx1 | tr -d ' \n')
	if [ "$hdr" != 000001c2 ] || [ "${pem: -2}" != 2d ]; then
		echo "server key: $hdr ... ${pem: -10}" >&2
		return 1
	fi
	len=$(stat -c %s "$2")
	printf "\\0\\0\\$(printf %03o $((len >> 8)))\\$(printf %03o $((len & 255)))" >&"$g"
	cat "$2" >&"$g"
	hdr=$(od -An -v -tx1 -N 4 <&"$g" | tr -d ' \n')
	exec {g}>&-
	[ "$hdr" = 00000100 ]
}

@test "chat: public keys go without the PEM's trailing newline (450 bytes for RSA-2048), as the original; the relay takes either" {
	start_relay chat@127.0.0.1:0
	join alice --trace
	grep -Eqx '[0-9:.]+ <<< [0-9.:]+ chat server_key: 454 bytes' alice.err
	grep -Eqx '[0-9:.]+ >>> [0-9.:]+ chat client_key: 454 bytes' alice.err
	[ "$(grep -Ec '^    length +0 +4  00 00 01 c2  450$' alice.err)" -eq 2 ]
	pk-keygen pub -i "$BATS_FILE_TMPDIR/bob.key" > bob.pub
	[ "$(wc -c < bob.pub)" -eq 451 ]
	raw_join bob bob.pub
	head -c 450 bob.pub > bob450.pub
	raw_join carol bob450.pub
	[ "$(grep -c 'secret key sent to' relay.log)" -eq 3 ]
}

@test "chat: pk-xfer chat checks its command line, and a silent server times out" {
	run -2 pk-xfer chat 127.0.0.1:1
	assert_output "pk-xfer: chat: missing -u name"
	run -2 pk-xfer chat -u "$(printf 'a\tb')" 127.0.0.1:1
	assert_output --partial "not 1 to 64 bytes of UTF-8"
	run -2 pk-xfer chat -u alice
	assert_output "pk-xfer: chat: missing host:port
Try 'pk-xfer chat --help'"
	run -0 pk-xfer chat --help
	assert_line --partial "Exit codes: 0 left"
	start_relay vault@127.0.0.1:0
	run -2 pk-xfer chat -t 1 -u alice -k "$BATS_FILE_TMPDIR/alice.key" \
	    "127.0.0.1:$RELAY_PORT"
	assert_line "pk-xfer: 127.0.0.1:$RELAY_PORT: no answer in 1 s"
}

@test "chat: the relay makes STATE/chat.key (RSA-2048, mode 0600) when missing, and reads it next time" {
	rm state/chat.key
	start_relay chat@127.0.0.1:0
	grep -q 'chat server key .*/state/chat.key: made RSA-2048$' relay.log
	[ "$(stat -c %a state/chat.key)" = 600 ]
	run -0 pk-keygen info -i state/chat.key
	assert_line --partial 2048
	stop_relay
	start_relay chat@127.0.0.1:0
	grep -q 'chat server key .*/state/chat.key: read RSA-2048$' relay.log
}

@test "chat: protokit run chat shows the exchange, ends ok and leaves no directory behind" {
	mkdir tmp
	TMPDIR=$PWD/tmp run -0 protokit run chat
	assert_line "protokit-chat: ok"
	assert_line "    identical to the wire"
	assert_line "    one session key for everybody (the original did the same)"
	assert_line --regexp "^    $STAMP carol: hi all, carol here\$"
	run ls -A tmp
	assert_output ''
}

@test "chat: a client that dies on its set-up leaves no trace of its private key" {
	# The key is loaded, then the connect fails.
	core_at_exit pk-xfer chat -u alice -k "$BATS_FILE_TMPDIR/alice.key" \
	    127.0.0.1:1
	grep -q "^pk-xfer: connect 127.0.0.1:1" core.log
	run -1 key_in_core "$BATS_FILE_TMPDIR/alice.key"
}
