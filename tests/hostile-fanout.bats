#!/usr/bin/env bats
# A hostile class against one relay (issue 12, item 1): chat members who
# join and never read, and one sender, must not take the relay's memory
# with them (every queue together is bounded by --max-queued, the slowest
# readers dropped first and logged) nor stall another service's clients.
# The members and the sender speak the chat protocol from bash: a member
# never reads, so it needs no key but the fixture's public one.

load helpers

MEMBERS=100
SEND_MIB=24 # the sender's messages, MiB: > 4 MiB queue + socket buffers

setup_file() {
	local i
	# One 1 MiB block of 256 message frames: 'M', then 4095 bytes standing
	# for the IV and the ciphertext (the relay never decrypts).
	{
		printf '\0\0\20\0M'
		head -c 4095 /dev/zero
	} > "$BATS_FILE_TMPDIR/frames"
	for ((i = 0; i < 8; i++)); do
		cat "$BATS_FILE_TMPDIR/frames" "$BATS_FILE_TMPDIR/frames" \
		    > "$BATS_FILE_TMPDIR/frames2"
		mv "$BATS_FILE_TMPDIR/frames2" "$BATS_FILE_TMPDIR/frames"
	done
}

setup() {
	declare -ga MFD=() WRITERS=()
	SENDER=
	mkdir -m 700 state
	install -m 600 "$FIXTURES/keys/pkcs8.pem" state/chat.key
	PEM=$(< "$FIXTURES/keys/spki.pem")
	printf -v PEM_HDR '\\0\\0\\%03o\\%03o' $((${#PEM} >> 8)) $((${#PEM} & 255))
}

teardown() {
	local fd pid
	for pid in $SENDER "${WRITERS[@]}"; do
		kill "$pid" 2> /dev/null || true
		wait "$pid" 2> /dev/null || true
	done
	for fd in "${MFD[@]}"; do
		exec {fd}>&-
	done
	stop_relay
}

# chat_hello FD NAME: a chat join's two frames, the user name and the
# public key, written without reading the replies (no fork: a hundred
# members join in well under a second).
chat_hello() {
	local h
	printf -v h '\\0\\0\\0\\%03o' "${#2}"
	# shellcheck disable=SC2059 # the escapes of both frames' headers
	printf "$h%s$PEM_HDR%s" "$2" "$PEM" >&"$1"
}

# send_flood PORT: joins as "sender" and sends SEND_MIB MiB of messages.
send_flood() {
	local s i
	exec {s}<> "/dev/tcp/127.0.0.1/$1"
	chat_hello "$s" sender
	for ((i = 0; i < SEND_MIB; i++)); do
		cat "$BATS_FILE_TMPDIR/frames" >&"$s" || return 1
	done
}

# echo_worst PORT PID: one echo round trip every 50 ms while PID runs (at
# most 20 s); prints the slowest in milliseconds.
echo_worst() {
	local e line t0 t worst=0 end=$((SECONDS + 20))
	exec {e}<> "/dev/tcp/127.0.0.1/$1"
	while kill -0 "$2" 2> /dev/null && ((SECONDS < end)); do
		t0=${EPOCHREALTIME/./}
		printf 'ping\n' >&"$e"
		IFS= read -r -t 10 line <&"$e" || line=
		t=$(((${EPOCHREALTIME/./} - t0) / 1000))
		[ "$line" = ping ] || t=10000
		((t > worst)) && worst=$t
		sleep 0.05
	done
	exec {e}>&-
	echo "$worst"
}

# dropped_are REGEX: every client relay.log says was dropped (as a slow
# reader or at its queue cap) logged in as a user matching REGEX, or
# (REGEX "-") connected to the echo service; prints how many.
dropped_are() {
	local peer who n=0
	while read -r svc peer; do
		if [ "$1" = - ]; then
			who=$svc
		else
			who=$(grep -Eo " $peer new connection: username .*\$" \
			    relay.log | awk '{ print $NF }')
		fi
		[[ "$who" =~ ^${1/#-/echo}$ ]] ||
		    { echo "dropped $svc $peer is $who" >&2; return 1; }
		n=$((n + 1))
	done < <(awk '$4 == "dropped:" { print $2, $3 }' relay.log)
	echo "$n"
}

@test "hostile-fanout: $MEMBERS silent chat members and a sender keep the relay's RSS and echo bounded; every silent member is dropped, by name" {
	local i fd scale=1 hwm worst
	# ASan: about twice the memory and a slower loop; its quarantine would
	# hold every freed queue.
	if grep -qa __asan_init "$(command -v pk-relay)"; then
		scale=3
		export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16"
	fi
	start_relay chat@127.0.0.1:0 echo@127.0.0.1:0
	for ((i = 0; i < MEMBERS; i++)); do
		exec {fd}<> "/dev/tcp/127.0.0.1/${RELAY_PORTS[chat]}"
		MFD+=("$fd")
		chat_hello "$fd" "member$i"
	done
	wait_count 'secret key sent to member[0-9]+$' "$MEMBERS"
	send_flood "${RELAY_PORTS[chat]}" 3>&- &
	SENDER=$!
	worst=$(echo_worst "${RELAY_PORTS[echo]}" "$SENDER")
	! kill -0 "$SENDER" 2> /dev/null ||
	    { echo "the sender still runs after 20 s" >&2; return 1; }
	wait "$SENDER"
	SENDER=
	wait_count ' close: (dropped|slow reader)$' "$MEMBERS"
	hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$RELAY_PID/status")
	echo "# relay peak RSS $((hwm / 1024)) MiB, echo worst $worst ms" >&3
	# Before: a copy of each message per member, 4 MiB each, 400 MiB in
	# all, and echo at 570 ms.  Now the members' queues share one copy.
	((hwm < 48 * 1024 * scale))
	((worst < 500 * scale))
	run -0 dropped_are 'member[0-9]+'
	assert_output "$MEMBERS"
	kill -0 "$RELAY_PID"
}

@test "hostile-fanout: echo clients that never read are held to --max-queued, the slowest dropped first and logged; a reader is served" {
	local i fd line scale=1 hwm
	if grep -qa __asan_init "$(command -v pk-relay)"; then
		scale=3
		export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16"
	fi
	start_relay --max-queued 4194304 echo@127.0.0.1:0
	# Each is paused at about 300 KiB queued: 24 of them hold 7 MiB.
	for ((i = 0; i < 24; i++)); do
		exec {fd}<> "/dev/tcp/127.0.0.1/$RELAY_PORT"
		MFD+=("$fd")
		head -c 8M /dev/zero >&"$fd" 2> /dev/null 3>&- &
		WRITERS+=("$!")
	done
	wait_count ' dropped: slowest reader, [0-9]+ bytes queued when all queues reached --max-queued 4194304$' 8
	exec {fd}<> "/dev/tcp/127.0.0.1/$RELAY_PORT"
	printf 'still here\n' >&"$fd"
	IFS= read -r -t 10 line <&"$fd"
	exec {fd}>&-
	assert_equal "$line" 'still here'
	hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$RELAY_PID/status")
	echo "# relay peak RSS $((hwm / 1024)) MiB" >&3
	((hwm < 32 * 1024 * scale))
	run -0 dropped_are -
	run -0 grep -Ec ' close: slow reader$' relay.log
	((output >= 8))
}

@test "hostile-fanout: a client that never reads holds 256 KiB of kernel socket buffer, not tcp_wmem's 4 MiB" {
	local fd tb
	command -v ss > /dev/null || skip "ss (iproute2) is not installed"
	start_relay echo@127.0.0.1:0
	exec {fd}<> "/dev/tcp/127.0.0.1/$RELAY_PORT"
	MFD+=("$fd")
	head -c 8M /dev/zero >&"$fd" 2> /dev/null 3>&- &
	WRITERS+=("$!")
	# Paused: the queue passed 256 KiB, so the socket buffer is full.
	wait_log ' paused: [0-9]+ bytes queued$'
	tb=$(ss -tmnH state established "( sport = :$RELAY_PORT )" |
	    grep -Eo 'tb[0-9]+')
	echo "# the relay's send buffer: ${tb#tb} bytes" >&3
	[ -n "$tb" ] && [ "${tb#tb}" -le 262144 ]
}

@test "hostile-fanout: --help lists --max-queued; below 4 MiB it is refused, exit 2" {
	run -0 pk-relay --help
	assert_line --partial '  --max-queued bytes  output queued for all clients together'
	run -2 --separate-stderr pk-relay --max-queued 4194303 echo@127.0.0.1:0
	assert_equal "$stderr" 'pk-relay: --max-queued 4194303: too small'
}
