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
}

teardown() {
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
	! cmp -s w.cbc/key.wrapped w.cfb/key.wrapped
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
	assert_line --partial "usage: pk-xfer [-t sec] keymanager -k k3 host:port"
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
