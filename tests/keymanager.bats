#!/usr/bin/env bats
# keymanager (seed 000): the relay's key manager service and pk-xfer
# keymanager, with real peer sockets on 127.0.0.1.

load helpers

setup() {
	mkdir -m 700 state
	pk-keygen aes -b 128 -o state/k3
	cp state/k3 k3
	start_relay keymanager@127.0.0.1:0
	ADDR=127.0.0.1:$RELAY_PORT
	WPID=
	declare -gA CPID=() CFD=()
}

teardown() {
	stop_clients
	if [ -n "$WPID" ]; then
		kill "$WPID" 2> /dev/null || true
		wait "$WPID" 2> /dev/null || true
	fi
	stop_relay
}

# waiters N: waits until the relay has seen N `wait` commands in all.
waiters() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(grep -c 'waits on port' relay.log)" -ge "$1" ] && return 0
		sleep 0.05
	done
	cat relay.log >&2
	return 1
}

# start_waiter N ARGS...: pk-xfer keymanager wait in the background as
# the relay's Nth waiter, stdout in w.out, stderr in w.err; sets WPID.
start_waiter() {
	local n=$1
	shift
	pk-xfer -t 10 keymanager wait -k k3 "$@" "$ADDR" > w.out 2> w.err 3>&- &
	WPID=$!
	waiters "$n"
}

# waiter_status: waits for the waiter; its exit status in WSTATUS.
waiter_status() {
	WSTATUS=0
	wait "$WPID" || WSTATUS=$?
	WPID=
}

# frame TEXT: one frame (4-byte big-endian length, then TEXT).
frame() {
	local n=${#1}
	printf "\\x$(printf %02x $((n >> 24 & 255)))\\x$(printf %02x $((n >> 16 & 255)))"
	printf "\\x$(printf %02x $((n >> 8 & 255)))\\x$(printf %02x $((n & 255)))%s" "$1"
}

# client NAME [ARGS...]: the interactive pk-xfer keymanager reading the
# FIFO NAME.in (written with type NAME TEXT), output in NAME.out/.err.
client() {
	local n=$1 fd
	shift
	mkfifo "$n.in"
	(
		for fd in "${CFD[@]}"; do
			exec {fd}>&-
		done
		exec pk-xfer "$@" keymanager -k k3 "$ADDR" < "$n.in" \
		    > "$n.out" 2> "$n.err"
	) 3>&- &
	CPID[$n]=$!
	# shellcheck disable=SC1083,SC2093 # bash: exec {array[i]}> names the fd
	exec {CFD[$n]}> "$n.in"
}

type() {
	printf '%s\n' "$2" >&"${CFD[$1]}"
}

# finished NAME: waits up to 20 s for the client to exit by itself (it is
# killed after that), its stdin left open; its status is in STATUS.
finished() {
	local i
	for ((i = 0; i < 200; i++)); do
		kill -0 "${CPID[$1]}" 2> /dev/null || break
		sleep 0.1
	done
	kill "${CPID[$1]}" 2> /dev/null || true
	STATUS=0
	wait "${CPID[$1]}" || STATUS=$?
	unset "CPID[$1]"
	# shellcheck disable=SC1083,SC2093 # bash: exec {array[i]}> names the fd
	exec {CFD[$1]}>&-
	unset "CFD[$1]"
}

# both_end: clients w and s both see `alles gut`, then end with status 0.
both_end() {
	wait_line w.out "Message from server: alles gut"
	wait_line s.out "Message from server: alles gut"
	type w end
	type s end
	finished w
	[ "$STATUS" = 0 ]
	finished s
	[ "$STATUS" = 0 ]
}

# read_frame FD: the next frame's payload from FD in hex (FRAME_HEX) and
# as text (FRAME).
read_frame() {
	local a b c d
	read -r a b c d < <(timeout 10 dd bs=1 count=4 <&"$1" 2> /dev/null | od -An -tu1)
	FRAME_HEX=$(timeout 10 dd bs=1 count=$((a << 24 | b << 16 | c << 8 | d)) \
	    <&"$1" 2> /dev/null | od -An -tx1 | tr -d ' \n')
	FRAME=$(printf '%s' "$FRAME_HEX" | xxd -r -p | tr -d '\0')
}

# raw_pair FD ROLE: after the mode word, K and IV through fd FD as the
# original client does, and the original's confirmation constant
# encrypted under them (CBC: openssl's default padding is PKCS#7).
raw_pair() {
	local k iv
	frame "get key" >&"$1"
	read_frame "$1"
	k=$(printf '%s' "$FRAME_HEX" | xxd -r -p | openssl enc -aes-128-ecb -d -nopad -K "$(cat k3)" | od -An -tx1 | tr -d ' \n')
	frame "get iv" >&"$1"
	read_frame "$1"
	iv=$(printf '%s' "$FRAME_HEX" | xxd -r -p | openssl enc -aes-128-ecb -d -nopad -K "$(cat k3)" | od -An -tx1 | tr -d ' \n')
	printf 'This message is to confirm key receival \x0a\x64\xc8\x0f\x11\x13\x05\x04\x03\x02\x01' |
	    openssl enc -aes-128-cbc -K "$k" -iv "$iv" > confirm.bin
	[ "$(wc -c < confirm.bin)" = 64 ]
	{ printf '\x00\x00\x00\x40'; cat confirm.bin; } >&"$1"
}

@test "keymanager: cbc and cfb end to end with 0, 1, 16 bytes and 1 MiB" {
	local mode size n=0
	for size in 0 1 16 1048576; do
		make_file "in.$size" "$size"
	done
	for mode in cbc cfb; do
		for size in 0 1 16 1048576; do
			n=$((n + 1))
			start_waiter "$n" --yes -o "out.$mode.$size"
			run -0 pk-xfer -t 10 keymanager send -k k3 --mode "$mode" \
			    "$ADDR" "in.$size"
			assert_line "Mode: $mode"
			assert_line "Message from server: alles gut"
			waiter_status
			[ "$WSTATUS" = 0 ]
			grep -qx "Message from server: alles gut" w.out
			grep -qx "The size of the encrypted file is $(((size / 16 + 1) * 16)) bytes" w.out
			cmp "in.$size" "out.$mode.$size"
		done
	done
}

@test "keymanager: K and IV unwrapped by pk-aes-cbc decrypt the wire ciphertext with openssl" {
	local k iv mode n=0
	make_file in 100000
	for mode in cbc cfb; do
		n=$((n + 1))
		start_waiter "$n" --yes -o "out.$mode" --save "w.$mode"
		run -0 pk-xfer -t 10 keymanager send -k k3 --mode "$mode" \
		    --save "s.$mode" "$ADDR" in
		waiter_status
		[ "$WSTATUS" = 0 ]
		cmp "w.$mode/ciphertext" "s.$mode/ciphertext"
		cmp "w.$mode/key.wrapped" "s.$mode/key.wrapped"
		k=$(pk-aes-cbc -d --nopad --zero-iv -k k3 < "w.$mode/key.wrapped" 2>/dev/null | od -An -tx1 | tr -d ' \n')
		iv=$(pk-aes-cbc -d --nopad --zero-iv -k k3 < "w.$mode/iv.wrapped" 2>/dev/null | od -An -tx1 | tr -d ' \n')
		[ "${#k}" = 32 ] && [ "${#iv}" = 32 ]
		# one block under a zero IV in CBC is ECB: openssl agrees
		[ "$(openssl enc -aes-128-ecb -d -nopad -K "$(cat k3)" \
		    -in "w.$mode/key.wrapped" | od -An -tx1 | tr -d ' \n')" = "$k" ]
		printf '%s\n' "$k" > "k.$mode"
		if [ "$mode" = cbc ]; then
			openssl enc -aes-128-cbc -d -K "$k" -iv "$iv" \
			    -in "w.$mode/ciphertext" | cmp - in
			pk-aes-cbc -e -k "k.$mode" -iv "$iv" < in | cmp - "w.$mode/ciphertext"
		else
			openssl enc -aes-128-cfb -d -K "$k" -iv "$iv" \
			    -in "w.$mode/ciphertext" | head -c 100000 | cmp - in
			pk-aes-cfb -e --pad -k "k.$mode" -iv "$iv" < in | cmp - "w.$mode/ciphertext"
		fi
	done
	# the same (sender, waiter, mode) would get the same K: a new pair
	# of clients is a new triple, so the two runs differ
	run -1 cmp -s w.cbc/key.wrapped w.cfb/key.wrapped
}

@test "keymanager: a wrong K3 fails the confirmation with key error" {
	make_file in 1000
	pk-keygen aes -b 128 -o other.k3
	start_waiter 1 --yes -o out
	run -1 pk-xfer -t 10 keymanager send -k other.k3 "$ADDR" in
	assert_line "Message from server: key error"
	waiter_status
	[ "$WSTATUS" = 1 ]
	grep -Eq "key error|peer error: client #2 left" w.out w.err
	[ ! -e out ]
	wait_log '#2: key error'
}

@test "keymanager: --flip-count makes the key manager answer sizes don't match" {
	make_file in 5000
	start_waiter 1 --yes -o out
	run -1 pk-xfer -t 10 keymanager send -k k3 --flip-count "$ADDR" in
	assert_line "Message from server: sizes don't match"
	waiter_status
	[ "$WSTATUS" = 1 ]
	grep -qx "Message from server: sizes don't match" w.out
	cmp in out
}

@test "keymanager: the waiter answering no gets no file; the sender is told" {
	make_file in 5000
	echo n > answers
	pk-xfer -t 10 keymanager wait -k k3 -o out "$ADDR" < answers > w.out 2> w.err 3>&- &
	WPID=$!
	waiters 1
	run -1 pk-xfer -t 10 keymanager send -k k3 "$ADDR" in
	assert_line "Message from peer: no"
	waiter_status
	[ "$WSTATUS" = 1 ]
	grep -qx "Do you wish to continue? (y/n)" w.out
	[ ! -e out ]
}

@test "keymanager: a sender picking a waiter that is gone gets peer error" {
	make_file in 10
	start_waiter 1 --yes -o out
	kill "$WPID"
	waiter_status
	wait_log 'client #1'
	wait_log 'close'
	run -1 pk-xfer -t 10 keymanager send -k k3 --to 1 "$ADDR" in
	assert_line "Message from server: peer error: no waiter #1"
}

@test "keymanager: a sender leaving mid-pairing frees the waiter with peer error" {
	start_waiter 1 --yes -o out
	exec 5<> "/dev/tcp/127.0.0.1/$RELAY_PORT"
	frame "conn 1 cbc" >&5
	wait_log '#2 sends to #1'
	exec 5>&-
	waiter_status
	[ "$WSTATUS" = 1 ]
	grep -q "peer error: client #2 left" w.out w.err
	wait_log '#1: peer #2 left mid-pairing'
}

@test "keymanager: garbage and an oversized frame are dropped while a transfer goes on" {
	make_file in 70000
	start_waiter 1 --yes -o out
	exec 5<> "/dev/tcp/127.0.0.1/$RELAY_PORT"
	printf '\x00\x01\x00\x00xxxx' >&5
	exec 6<> "/dev/tcp/127.0.0.1/$RELAY_PORT"
	printf '\x00\x00\x00\x03\x01\x02\x03' >&6
	run -0 pk-xfer -t 10 keymanager send -k k3 --to 1 "$ADDR" in
	assert_line "Message from server: alles gut"
	waiter_status
	[ "$WSTATUS" = 0 ]
	cmp in out
	wait_log 'protocol error: frame larger than allowed'
	wait_log 'protocol error: binary frame of 3 bytes'
	exec 5>&- 6>&-
}

@test "keymanager: the interactive client runs the seed's commands from a pipe" {
	make_file in 3000
	printf 'wait\ny\nout\nend\n' > answers
	pk-xfer -t 10 keymanager -k k3 "$ADDR" < answers > w.out 2> w.err 3>&- &
	WPID=$!
	waiters 1
	run -0 pk-xfer -t 10 keymanager -k k3 "$ADDR" <<-EOF
		send
		conn 1 cfb
		in
		bogus
		end
	EOF
	assert_line "Message from server: Hello client #2! Welcome to encrypted files sender! Type your commands to the command line!"
	assert_line "list of available waiters:"
	assert_line "Enter a filename to send to peer: "
	assert_line "Message from server: alles gut"
	assert_line "Message from server: unexpected command"
	waiter_status
	[ "$WSTATUS" = 0 ]
	grep -qx "Saved successfully" w.out
	grep -qx "Message from server: alles gut" w.out
	cmp in out
}

@test "keymanager: no waiters, --help and usage" {
	run -0 pk-xfer keymanager --help
	assert_line --partial "usage: pk-xfer [--trace] [-t sec] [-C dir] keymanager -k k3 host:port"
	run -2 pk-xfer keymanager wait -k k3 "$ADDR"
	assert_output "pk-xfer: keymanager wait: want -o file and host:port"
	make_file in 1
	run -1 pk-xfer -t 5 keymanager send -k k3 "$ADDR" in
	assert_line "Message from server: No waiters at the moment. Try again later."
}

@test "keymanager: 256 MiB goes through in cfb with constant memory on both sides" {
	make_file in 268435456
	/usr/bin/time -f 'rss %M' -o w.rss pk-xfer -t 30 keymanager wait -k k3 \
	    -o out --yes "$ADDR" > w.out 2> w.err 3>&- &
	WPID=$!
	waiters 1
	run -0 /usr/bin/time -f 'rss %M' -o s.rss pk-xfer -t 30 keymanager send -k k3 --mode cfb "$ADDR" in
	assert_line "Message from server: alles gut"
	waiter_status
	[ "$WSTATUS" = 0 ]
	cmp in out
	# 64 KiB blocks: peak RSS (64 MiB, room for ASan) far below the file
	[ "$(awk '{print $2}' s.rss)" -lt 65536 ]
	[ "$(awk '{print $2}' w.rss)" -lt 65536 ]
	rm -f in out
}

@test "protokit-keymanager: numbered steps, the wire ciphertext rebuilt by the filters, cleanup" {
	TMPDIR=$PWD run -0 protokit-keymanager
	assert_line "==> 1/11 K3, the pre-shared key: pk-keygen makes it, each party gets the file"
	assert_line "==> 11/11 the relay stops; its log shows the pairings, never a key"
	assert_line "    one 16-byte block through CBC with an all-zero IV is ECB:"
	[ "$(grep -c '^    identical to the ciphertext alice received$' <<< "$output")" = 2 ]
	assert_line "    counts: bob 1006, alice 1006, 16090 / 16 + 1 = 1006: alles gut"
	assert_line "    alice: Message from server: sizes don't match"
	run -0 ls
	refute_output --partial protokit-keymanager.
}

@test "keymanager: the relay will not start without STATE_DIR/k3, or with a key of the wrong size" {
	run -2 --separate-stderr pk-relay -d nok3 keymanager@127.0.0.1:0
	assert_equal "${stderr_lines[-1]}" "pk-relay: keymanager: cannot start the service"
	[[ "$stderr" == *"nok3/k3: No such file or directory (make it with pk-keygen aes -b 128 -o nok3/k3)"* ]]
	mkdir -m 700 k256
	pk-keygen aes -b 256 -o k256/k3
	run -2 --separate-stderr pk-relay -d k256 keymanager@127.0.0.1:0
	[[ "$stderr" == *"k256/k3: not a 128-bit AES key"* ]]
}

@test "keymanager: the same sender, waiter and mode get the same K and IV again (weakness)" {
	make_file in 4000
	printf 'wait\ny\nout1\nwait\ny\nout2\nend\n' > answers
	pk-xfer -t 10 keymanager -k k3 --save w "$ADDR" < answers > w.out 2> w.err 3>&- &
	WPID=$!
	waiters 1
	mkfifo cmds
	pk-xfer -t 10 keymanager -k k3 "$ADDR" < cmds > s.out 2> s.err 3>&- &
	SPID=$!
	exec 7> cmds
	printf 'send\nconn 1 cbc\nin\n' >&7
	waiters 2
	cp w/ciphertext ct1
	cp w/key.wrapped k1
	printf 'conn 1 cbc\nin\nend\n' >&7
	exec 7>&-
	wait "$SPID"
	waiter_status
	[ "$WSTATUS" = 0 ]
	cmp in out1
	cmp in out2
	[ "$(grep -c '^Message from server: alles gut$' s.out)" = 2 ]
	wait_log 'reusing K and IV of #2 -> #1 cbc'
	cmp k1 w/key.wrapped
	# same K, same IV, same file: the same ciphertext on the wire
	cmp ct1 w/ciphertext
}

@test "keymanager: a waiting client waits past -t and the relay's idle timeout; a prompt is never closed" {
	stop_relay
	start_relay --idle-timeout 1 keymanager@127.0.0.1:0
	ADDR=127.0.0.1:$RELAY_PORT
	make_file in 3000
	client w -t 1
	type w wait
	waiters 1
	client s -t 1
	wait_log 'client #2'
	# the waiter, its sender and the prompt all outlive -t 1 and the
	# relay's 1 s idle timeout: the waiter waits for a sender, then for
	# the sender's person to name the file, the sender for the answer
	sleep 2
	type s 'conn 1 cbc'
	wait_line s.out "Enter a filename to send to peer: "
	sleep 2
	type s in
	wait_line w.out "Do you wish to continue? (y/n)"
	sleep 2
	type w y
	type w out
	both_end
	cmp in out
	run -1 grep -q 'idle timeout' relay.log
}

@test "keymanager: the interactive client reports the relay closing when it happens" {
	client c
	wait_line c.out "Introduce next command: "
	stop_relay
	finished c
	[ "$STATUS" = 2 ]
	[ "$(cat c.err)" = "pk-xfer: $ADDR: the key manager closed the connection (see the relay's log)" ]
}

@test "keymanager: typos are checked locally and keep the session" {
	client c
	type c 'conn 9 cfb'
	wait_line c.out "Message from server: peer error: no waiter #9"
	printf '\x0c\n\x1b[F\nconn 1\nconn 1 ecb\nwait 5000\nget key\n%0100d\nsend\nend\n' 0 >&"${CFD[c]}"
	finished c
	[ "$STATUS" = 0 ]
	run cat c.out
	refute_line "Enter a filename to send to peer: "
	assert_line "not sent: the command has a non-printable character (0x0c); type help"
	assert_line "not sent: the command has a non-printable character (0x1b); type help"
	[ "$(grep -cx "not sent: usage: conn <peer_id> <enc_mode>, enc_mode cbc or cfb; type help" c.out)" = 2 ]
	[ "$(grep -cx "not sent: that step is the client's own: type help" c.out)" = 2 ]
	assert_line "not sent: a command is at most 64 characters; type help"
	assert_line "Message from server: No waiters at the moment. Try again later."
	[ ! -s c.err ]
	run -1 grep -q 'protocol error' relay.log
}

@test "keymanager: a missing file to send is asked again; an existing output file is refused before the transfer" {
	make_file in 3000
	echo keep > exists
	run -2 pk-xfer keymanager wait -k k3 -o exists "$ADDR"
	assert_output "pk-xfer: exists: already exists"
	client w
	type w wait
	waiters 1
	client s
	printf 'conn 1 cfb\nnosuch\n.\nin\n' >&"${CFD[s]}"
	wait_line w.out "Do you wish to continue? (y/n)"
	printf 'y\nexists\n\nout\n' >&"${CFD[w]}"
	both_end
	grep -qx "Not good: nosuch: No such file or directory" s.out
	grep -qx "Not good: .: not a regular file" s.out
	grep -qx "Not okay: exists already exists; type another name" w.out
	grep -qx "Not okay: type a file name" w.out
	# refused before a byte of it was sent: the sender saw yes only once
	[ "$(grep -c '^Message from peer: ' s.out)" = 1 ]
	[ "$(cat exists)" = keep ]
	cmp in out
}

@test "keymanager: help lists the seed README's commands" {
	client c
	type c help
	type c end
	finished c
	[ "$STATUS" = 0 ]
	run cat c.out
	assert_line "Commands (as the original's README describes them):"
	assert_line "  wait                       wait for a sender to send you a file"
	assert_line "  send                       list the waiters you can send to"
	assert_line "  conn <peer_id> <enc_mode>  send a file to waiter peer_id, enc_mode"
	assert_line "  end                        end the session"
	refute_line --partial "unexpected command"
}

@test "keymanager: both sides name the plaintext and the ciphertext size" {
	make_file in 8893
	start_waiter 1 --yes -o out
	run -0 pk-xfer -t 10 keymanager send -k k3 "$ADDR" in
	assert_line "Sent 8893 bytes, 8896 encrypted"
	waiter_status
	[ "$WSTATUS" = 0 ]
	grep -qx "The size of the encrypted file is 8896 bytes" w.out
	grep -qx "Received 8893 bytes, 8896 encrypted" w.out
}

@test "keymanager: the original's confirmation constant is accepted; a sender's next message is send_data, never key okay" {
	start_waiter 1 --yes -o out
	exec 5<> "/dev/tcp/127.0.0.1/$RELAY_PORT"
	read_frame 5
	[[ "$FRAME" == "Hello client #2!"* ]]
	frame "conn 1 cbc" >&5
	read_frame 5
	[ "$FRAME" = cbc ]
	raw_pair 5
	read_frame 5
	[ "$FRAME" = "send_data 127.0.0.1:$(sed -n 's/^Waiting for a sender on port //p' w.out)" ]
	exec 5>&-
	waiter_status
	run -1 grep -q 'key okay' w.out relay.log
	grep -qx "Confirmation received, starting communication with peer" w.out
	wait_log '#2: key confirmed'
}

@test "keymanager: a waiter's next message after a good confirmation is start" {
	make_file in 100
	exec 5<> "/dev/tcp/127.0.0.1/$RELAY_PORT"
	read_frame 5
	frame "wait 9" >&5
	waiters 1
	pk-xfer -t 10 keymanager send -k k3 --to 1 "$ADDR" in > s.out 2> s.err 3>&- &
	WPID=$!
	read_frame 5
	[ "$FRAME" = cbc ]
	raw_pair 5
	read_frame 5
	[ "$FRAME" = start ]
	exec 5>&-
	waiter_status
	run -1 grep -q 'key okay' s.out
}

@test "keymanager: a failed confirmation: key error to that side, peer error to the sender, peer key error to the waiter" {
	make_file in 1000
	pk-keygen aes -b 128 -o other.k3
	# the waiter fails
	pk-xfer -t 10 keymanager wait -k other.k3 --yes -o out "$ADDR" > w.out 2> w.err 3>&- &
	WPID=$!
	waiters 1
	run -1 pk-xfer -t 10 keymanager send -k k3 "$ADDR" in
	assert_line "Message from server: peer error"
	refute_line --partial "key okay"
	waiter_status
	[ "$WSTATUS" = 1 ]
	grep -qx "Message from server: key error" w.out
	# the sender fails
	start_waiter 2 --yes -o out
	run -1 pk-xfer -t 10 keymanager send -k other.k3 "$ADDR" in
	assert_line "Message from server: key error"
	waiter_status
	[ "$WSTATUS" = 1 ]
	grep -qx "Message from server: peer key error" w.out
	run -1 grep -q 'key okay' w.out
	[ ! -e out ]
}

@test "keymanager: a client that dies on its set-up leaves no trace of K3" {
	# K3 is loaded, then the connect fails.
	core_at_exit pk-xfer keymanager -k k3 127.0.0.1:1
	grep -q "^pk-xfer: connect 127.0.0.1:1" core.log
	run -1 in_core "$(tr -d '\n' < k3)"
}
