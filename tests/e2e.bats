#!/usr/bin/env bats
# e2e (seed 002): the relay's e2e and e2e-upload services and pk-xfer e2e
# over 127.0.0.1.  Interactive clients read a FIFO held open by the test.
# The server key and the shared client key are made once per file with
# pk-keygen rsa --legacy, their passphrases in files.

load helpers
load e2e-helpers

# join NAME [ARGS...]: the interactive client (helpers.bash e2e_join).
join() {
	e2e_join "$@"
}

# from NAME: the source text the others see for NAME.
from() {
	echo "('${ADDR[$1]%:*}', ${ADDR[$1]##*:})"
}

# frame FILE: FILE (256 bytes) behind its 4-byte frame header.
frame() {
	printf '\0\0\1\0'
	cat "$1"
}

# seal TEXT: TEXT as one RSA-OAEP-SHA256 block to the server, framed.
seal() {
	printf '%s' "$1" | pk-wrap -e -k "$K/server.pub" > block.bin
	frame block.bin
}

@test "e2e: three clients route messages to each other by ip:port; the relay logs connects and disconnects with the count" {
	start_relay e2e@127.0.0.1:0
	join alice
	join bob
	join carol
	grep -q "e2e ${ADDR[carol]} client connected, 3 connected\$" relay.log
	say alice "${ADDR[bob]}/hello bob, from alice"
	say bob "${ADDR[carol]}/hi carol | pipes pass"
	say carol "${ADDR[alice]}/and back to alice"
	say carol "${ADDR[carol]}/a note to myself"
	wait_line bob.out "Recieved a message from $(from alice): hello bob, from alice"
	wait_line carol.out "Recieved a message from $(from bob): hi carol | pipes pass"
	wait_line alice.out "Recieved a message from $(from carol): and back to alice"
	wait_line carol.out "Recieved a message from $(from carol): a note to myself"
	say bob quit
	STATUS=0
	wait "${CPID[bob]}" || STATUS=$?
	unset "CPID[bob]"
	[ "$STATUS" -eq 0 ]
	wait_log "e2e ${ADDR[bob]} client disconnected, 2 connected\$"
	grep -q "e2e ${ADDR[bob]} quit\$" relay.log
	leave alice
	[ "$STATUS" -eq 0 ]
	wait_log "e2e ${ADDR[alice]} client disconnected, 1 connected\$"
	[ "$(grep -c '^Recieved' alice.out)" -eq 1 ]
	[ "$(grep -c '^Recieved' bob.out)" -eq 1 ]
	[ "$(grep -c '^Recieved' carol.out)" -eq 2 ]
	# The relay logs the routing, not the text.
	run grep -E 'hello|pipes|back to' relay.log
	assert_failure
}

@test "e2e: an unknown target and a malformed line get the original's error texts" {
	start_relay e2e@127.0.0.1:0
	join alice
	say alice "127.0.0.1:1/is anyone there"
	wait_file alice.out '^\[\*\] Server Error: Cannot find specified target client$'
	say alice "no address at all"
	say alice "127.0.0.1:80:81/a colon too many before the slash"
	say alice "127.0.0.1:80/a/slash too many"
	say alice "127.0.0.1:port/not a number"
	say alice "127.0.0.1:70000/port out of range"
	wait_count "e2e ${ADDR[alice]} parse error\$" 5
	wait_file alice.out '^\[\*\] Parse Error: Invalid Input Format$'
	[ "$(grep -c 'Parse Error' alice.out)" -eq 5 ]
	# The send step shows the same texts and exits 1.
	run -1 pk-xfer e2e send "${KEYS[@]}" "127.0.0.1:${RELAY_PORTS[e2e]}" \
	    "127.0.0.2:9/hello"
	assert_output '[*] Server Error: Cannot find specified target client'
	run -1 pk-xfer e2e send "${KEYS[@]}" "127.0.0.1:${RELAY_PORTS[e2e]}" \
	    "hello"
	assert_output '[*] Parse Error: Invalid Input Format'
	run -0 --separate-stderr pk-xfer e2e send "${KEYS[@]}" \
	    "127.0.0.1:${RELAY_PORTS[e2e]}" "${ADDR[alice]}/from a script"
	assert_output ''
	assert_equal "$stderr" "pk-xfer: 127.0.0.1:${RELAY_PORTS[e2e]}: the server closed without an error; e2e sends no receipt, so delivery to ${ADDR[alice]} is not confirmed"
	wait_file alice.out "from a script\$"
}

@test "e2e: a message may hold ':', as the original splits only the target off; a '/' in it is still a parse error" {
	start_relay e2e@127.0.0.1:0
	join alice
	join bob
	say alice "${ADDR[bob]}/meet at 10:30: room 1|2"
	wait_line bob.out "Recieved a message from $(from alice): meet at 10:30: room 1|2"
	run -0 --separate-stderr pk-xfer e2e send "${KEYS[@]}" \
	    "127.0.0.1:${RELAY_PORTS[e2e]}" "${ADDR[bob]}/ratio 3:4"
	assert_output ''
	wait_file bob.out "ratio 3:4\$"
	say alice "${ADDR[bob]}/either/or"
	wait_file alice.out '^\[\*\] Parse Error: Invalid Input Format$'
	[ "$(grep -c '^Recieved' bob.out)" -eq 2 ]
	run grep -c ' parse error$' relay.log
	assert_output 1
}

@test "e2e: help in the interactive client lists the commands and sends nothing" {
	start_relay e2e@127.0.0.1:0
	join alice
	say alice help
	wait_file alice.out '^  help +this list \(not sent\)$'
	run cat alice.out
	assert_output "This client address: ${ADDR[alice]}
Commands (each line goes to the server as one RSA block of at most
190 bytes):
  ip:port/message  send message to the client at ip:port (the address
                   it printed as \"This client address\"); message may
                   hold ':' and '|' but not '/'
  quit             leave (so do Ctrl-D and Ctrl-C)
  help             this list (not sent)"
	say alice quit
	wait_log "e2e ${ADDR[alice]} quit\$"
	run grep -c "e2e ${ADDR[alice]} parse error" relay.log
	assert_output 0
}

@test "e2e: the wrong server key (-s) is dropped with a reason: send, upload and the interactive client say so and exit 1" {
	local why
	start_relay e2e@127.0.0.1:0 e2e-upload@127.0.0.1:0
	join bob
	KEYS=(-k "$K/client.key" --pass-file "$K/client.pass" -s "$K/client.pub")
	why="the server dropped the connection: it could not decrypt our message, so $K/client.pub (-s) is most likely not the server's public key"
	run -1 --separate-stderr pk-xfer e2e send "${KEYS[@]}" \
	    "127.0.0.1:${RELAY_PORTS[e2e]}" "${ADDR[bob]}/hello"
	assert_equal "$output" '[*] Server Error: Cannot decrypt the message with the server key'
	assert_equal "$stderr" "pk-xfer: 127.0.0.1:${RELAY_PORTS[e2e]}: $why"
	echo data > f.txt
	run -1 --separate-stderr pk-xfer e2e upload "${KEYS[@]}" \
	    "127.0.0.1:${RELAY_PORTS[e2e-upload]}" f.txt
	assert_equal "$stderr" "pk-xfer: 127.0.0.1:${RELAY_PORTS[e2e-upload]}: $why"
	join alice
	say alice "${ADDR[bob]}/hello"
	STATUS=0
	wait "${CPID[alice]}" || STATUS=$?
	unset "CPID[alice]"
	[ "$STATUS" -eq 1 ]
	run cat alice.out
	assert_output "This client address: ${ADDR[alice]}
[*] Server Error: Cannot decrypt the message with the server key
Disconnected from Server. Exiting..."
	run cat alice.err
	assert_output "pk-xfer: 127.0.0.1:${RELAY_PORTS[e2e]}: $why"
	[ "$(grep -c 'protocol error: the block does not decrypt with the server key$' relay.log)" -eq 3 ]
	run grep -c '^Recieved' bob.out
	assert_output 0
}

@test "e2e: a 190-byte line goes out in one block; a 191-byte one is refused before the network" {
	local prefix text190 text191 fits
	start_relay e2e@127.0.0.1:0
	join alice
	join bob
	prefix="${ADDR[bob]}/"
	text190=$prefix$(head -c $((190 - ${#prefix})) /dev/zero | tr '\0' a)
	text191=${text190}b
	[ "${#text190}" -eq 190 ] && [ "${#text191}" -eq 191 ]
	# 191 bytes: the send step exits 2 before it connects.
	run -2 --separate-stderr pk-xfer e2e send "${KEYS[@]}" \
	    "127.0.0.1:${RELAY_PORTS[e2e]}" "$text191"
	[ "$stderr" = "pk-xfer: message of 191 bytes not sent: at most 190 bytes fit in one RSA-OAEP-SHA256 block" ]
	[ "$(grep -c ' connect$' relay.log)" -eq 2 ]
	# The interactive client says so and keeps going.
	say alice "$text191"
	wait_file alice.err '^pk-xfer: message of 191 bytes not sent: at most 190 bytes fit in one RSA-OAEP-SHA256 block$'
	# 190 bytes reach the server, but "('ip', port)|" is longer than
	# "ip:port/": the forward would not fit in one block either.
	say alice "$text190"
	wait_file alice.out '^\[\*\] Server Error: Message too long to forward'
	wait_log "e2e ${ADDR[alice]} message to ${ADDR[bob]} too long to forward\$"
	# The longest message that still fits once forwarded arrives whole.
	fits=$(head -c 190 /dev/zero | tr '\0' c)
	fits=${fits:0:$((190 - $(from alice | wc -c)))}
	say alice "$prefix$fits"
	wait_line bob.out "Recieved a message from $(from alice): $fits"
	[ "$(grep -c '^Recieved' bob.out)" -eq 1 ]
}

@test "e2e: a 1 MiB binary file uploads in 190-byte chunks and is byte-identical" {
	start_relay e2e-upload@127.0.0.1:0
	make_file big.bin 1048576
	printf '\0\n\r\377|:/' >> big.bin
	run -0 pk-xfer e2e upload "${KEYS[@]}" \
	    "127.0.0.1:${RELAY_PORTS[e2e-upload]}" big.bin
	assert_output "[*] Ready to receive big.bin (1048583 bytes)
[*] Upload complete: big.bin (1048583 bytes)"
	cmp big.bin state/files/e2e/big.bin
	# ceil(1048583 / 190) chunks, each acknowledged.
	grep -q 'upload big.bin: complete, 1048583 bytes in 5519 chunks$' relay.log
	run ls -A state/files/e2e
	assert_output big.bin
	# --name picks the name; an empty file works too.
	: > empty
	run -0 pk-xfer e2e upload "${KEYS[@]}" --name copy-0.txt \
	    "127.0.0.1:${RELAY_PORTS[e2e-upload]}" empty
	cmp empty state/files/e2e/copy-0.txt
}

@test "e2e: an interrupted upload leaves no temporary file and replaces nothing" {
	local g
	start_relay e2e-upload@127.0.0.1:0
	echo "the old contents" > state/files/e2e/part.bin
	head -c 190 /dev/urandom > chunk
	exec {g}<> "/dev/tcp/127.0.0.1/${RELAY_PORTS[e2e-upload]}"
	{
		seal "upload part.bin 1000"
		frame <(pk-wrap -e -k "$K/server.pub" < chunk)
		frame <(pk-wrap -e -k "$K/server.pub" < chunk)
	} >&"$g"
	wait_log 'upload part.bin: 1000 bytes announced$'
	[ "$(find state/files/e2e -maxdepth 1 -name '.pk-*' | wc -l)" -eq 1 ]
	exec {g}>&-
	wait_log 'upload part.bin: interrupted after 380 of 1000 bytes, temporary file removed$'
	run ls -A state/files/e2e
	assert_output part.bin
	[ "$(cat state/files/e2e/part.bin)" = "the old contents" ]
	# Ending early (an empty block before 1000 bytes) is refused alike.
	exec {g}<> "/dev/tcp/127.0.0.1/${RELAY_PORTS[e2e-upload]}"
	{
		seal "upload part.bin 1000"
		frame <(pk-wrap -e -k "$K/server.pub" < chunk)
		seal ""
	} >&"$g"
	wait_log 'upload refused: the file ended short of its announced size$'
	exec {g}>&-
	wait_count 'temporary file removed$' 2
	run ls -A state/files/e2e
	assert_output part.bin
	[ "$(cat state/files/e2e/part.bin)" = "the old contents" ]
	# A relay killed mid-upload leaves a temporary file: the next start
	# removes it.
	: > state/files/e2e/.pk-AbCdEf
	stop_relay
	start_relay e2e-upload@127.0.0.1:0
	grep -q 'e2e-upload removed 1 unfinished uploads$' relay.log
	run ls -A state/files/e2e
	assert_output part.bin
}

@test "e2e: upload names are checked before they touch the filesystem" {
	local name g
	start_relay e2e-upload@127.0.0.1:0
	echo data > f
	for name in ../escape .hidden a/b '' "$(printf 'x%.0s' {1..129})"; do
		run -2 pk-xfer e2e upload "${KEYS[@]}" --name "$name" \
		    "127.0.0.1:${RELAY_PORTS[e2e-upload]}" f
		assert_output --partial "not a name the server takes"
	done
	# A crafted request gets the server's error text and is closed.
	for name in ../escape .pk-x 'a/b' '..'; do
		exec {g}<> "/dev/tcp/127.0.0.1/${RELAY_PORTS[e2e-upload]}"
		seal "upload $name 5" >&"$g"
		exec {g}>&-
	done
	wait_count 'upload refused: expected "upload NAME SIZE"' 4
	run ls -A state/files/e2e
	assert_output ''
	[ ! -e state/files/escape ] && [ ! -e state/escape ]
	run grep -c ' connect$' relay.log
	assert_output 4
}

@test "e2e: when the relay stops, every client prints Disconnected from Server. Exiting... and exits 0" {
	local n
	start_relay e2e@127.0.0.1:0
	join alice
	join bob
	stop_relay
	[ "$RELAY_STATUS" -eq 0 ]
	for n in alice bob; do
		STATUS=0
		wait "${CPID[$n]}" || STATUS=$?
		unset "CPID[$n]"
		[ "$STATUS" -eq 0 ]
		run tail -n 1 "$n.out"
		assert_output "Disconnected from Server. Exiting..."
	done
}

@test "e2e: a client sending anything but one 256-byte block is dropped; the others keep talking" {
	local g i
	start_relay e2e@127.0.0.1:0
	join alice
	join bob
	head -c 256 /dev/urandom > random.bin
	printf 'hello' | pk-wrap -e -k "$K/client.pub" > wrongkey.bin
	{ printf 'E2Hb'; head -c 252 random.bin; } > marked.bin
	# Not a frame, a short block, a long frame, an empty frame, random
	# bytes, a block to the wrong key, two blocks in one frame, then a
	# block that opens with the hardened mark (a faithful block may: it
	# is no hardened frame, none is 256 bytes long).
	for i in 1 2 3 4 5 6 7 8; do
		exec {g}<> "/dev/tcp/127.0.0.1/${RELAY_PORTS[e2e]}"
		case $i in
		1) printf 'GET / HTTP/1.1\r\n\r\n' >&"$g" ;;
		2) printf '\0\0\0\5hello' >&"$g" ;;
		3) printf '\0\0\1\1' >&"$g" ;;
		4) printf '\0\0\0\0' >&"$g" ;;
		5) frame random.bin >&"$g" ;;
		6) frame wrongkey.bin >&"$g" ;;
		7) { printf '\0\0\2\0'; cat random.bin random.bin; } >&"$g" ;;
		8) frame marked.bin >&"$g" ;;
		esac
		wait_count ' protocol error: | profile mismatch: ' "$i"
		exec {g}>&-
		say alice "${ADDR[bob]}/still here $i"
		wait_line bob.out "Recieved a message from $(from alice): still here $i"
	done
	[ "$(grep -c 'protocol error: not a frame of one 256-byte RSA block$' relay.log)" -eq 5 ]
	[ "$(grep -c 'protocol error: the block does not decrypt with the server key$' relay.log)" -eq 3 ]
	run -1 grep -c 'profile mismatch' relay.log
	wait_log 'client disconnected, 2 connected$'
}

@test "e2e: the client's block decrypts with openssl pkeyutl (OAEP-SHA256), and an openssl block reaches its target" {
	local hex g
	start_relay e2e@127.0.0.1:0
	join alice --trace-json alice.json
	join bob --trace-json bob.json
	say alice "${ADDR[bob]}/attack at dawn"
	wait_file bob.out 'attack at dawn$'
	hex=$(jq -r 'select(.direction == "sent") | .fields[] |
	    select(.name == "block") | .hex' alice.json)
	[ "${#hex}" -eq 512 ]
	printf '%s' "$hex" | xxd -r -p > wire.bin
	run -0 openssl pkeyutl -decrypt -inkey state/e2e.key \
	    -passin "file:$K/server.pass" -pkeyopt rsa_padding_mode:oaep \
	    -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256 \
	    -in wire.bin
	assert_output "${ADDR[bob]}/attack at dawn"
	# The other way: openssl encrypts, the relay routes it to bob.
	printf '%s' "${ADDR[bob]}/from openssl" |
	    openssl pkeyutl -encrypt -pubin -inkey "$K/server.pub" \
	    -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 \
	    -pkeyopt rsa_mgf1_md:sha256 > ossl.bin
	exec {g}<> "/dev/tcp/127.0.0.1/${RELAY_PORTS[e2e]}"
	frame ossl.bin >&"$g"
	wait_file bob.out "^Recieved a message from \('127.0.0.1', [0-9]+\): from openssl\$"
	exec {g}>&-
	# What bob received opens with openssl and the shared client key.
	jq -r 'select(.direction == "received") | .fields[] |
	    select(.name == "block") | .hex' bob.json | head -n 1 |
	    xxd -r -p > fwd.bin
	run -0 openssl pkeyutl -decrypt -inkey "$K/client.key" \
	    -passin "file:$K/client.pass" -pkeyopt rsa_padding_mode:oaep \
	    -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256 \
	    -in fwd.bin
	assert_output "$(from alice)|attack at dawn"
}

@test "e2e: the relay will not start without its keys and says how to make them" {
	rm state/e2e-client.pub
	run -2 pk-relay -d state e2e@127.0.0.1:0
	assert_output --partial "state/e2e-client.pub: No such file or directory: make it with pk-keygen rsa --legacy"
	cp "$K/client.pub" state/e2e-client.pub
	rm state/e2e.key
	run -2 pk-relay -d state e2e-upload@127.0.0.1:0
	assert_output --partial "state/e2e.key: No such file or directory: make it with pk-keygen rsa --legacy --pass-file STATE/e2e.pass -o STATE/e2e"
	cp "$K/server.key" state/e2e.key
	echo wrong > state/e2e.pass
	run -2 pk-relay -d state e2e@127.0.0.1:0
	assert_output --partial "state/e2e.key"
	# The environment wins over the file.
	PK_E2E_PASS="server passphrase" start_relay e2e@127.0.0.1:0
	grep -q 'e2e server key .*state/e2e.key and client key .*: read RSA-2048$' relay.log
}

@test "e2e: pk-xfer e2e checks its command line and its keys" {
	run -0 pk-xfer e2e --help
	assert_line --partial "Exit codes: 0 ok"
	run -2 pk-xfer e2e 127.0.0.1:1
	assert_output "pk-xfer: e2e: -k key and -s server.pub are both needed"
	run -2 pk-xfer e2e "${KEYS[@]}"
	assert_output "pk-xfer: e2e: missing host:port
Try 'pk-xfer e2e --help'"
	run -2 pk-xfer e2e "${KEYS[@]}" --pass-env X 127.0.0.1:1
	assert_output "pk-xfer: choose one of --pass-env, --pass-fd, --pass-file"
	echo nope > wrong.pass
	run -1 pk-xfer e2e -k "$K/client.key" --pass-file wrong.pass \
	    -s "$K/server.pub" 127.0.0.1:1
	assert_output --partial "wrong passphrase"
	pk-keygen rsa -b 1024 --no-pass -o small > /dev/null
	run -2 pk-xfer e2e -k small.key -s "$K/server.pub" 127.0.0.1:1
	assert_output "pk-xfer: small.key: RSA-1024: the e2e protocol uses RSA-2048 keys"
}

@test "e2e: protokit run e2e shows the exchange, ends ok and leaves no directory behind" {
	mkdir tmp
	TMPDIR=$PWD/tmp run -0 protokit run e2e
	assert_line "protokit-e2e: ok"
	assert_line "    identical: one chunk of at most 190 bytes"
	assert_line "    status 2: pk-wrap: input too long: 191 bytes, at most 190 for this key with OAEP-SHA-256"
	assert_line --regexp "^    Recieved a message from \('127.0.0.1', [0-9]+\): hello bob, this is alice\$"
	assert_line "    identical after upload"
	[ "$(grep -c '^    Disconnected from Server. Exiting...$' <<< "$output")" -eq 2 ]
	run ls -A tmp
	assert_output ''
}
