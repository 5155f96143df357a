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
	declare -ga MFD=()
	SENDER=
	mkdir -m 700 state
	install -m 600 "$FIXTURES/keys/pkcs8.pem" state/chat.key
}

teardown() {
	local fd
	if [ -n "$SENDER" ]; then
		kill "$SENDER" 2> /dev/null || true
		wait "$SENDER" 2> /dev/null || true
	fi
	for fd in "${MFD[@]}"; do
		exec {fd}>&-
	done
	stop_relay
}

# chat_hello FD NAME: a chat join's two frames, the user name and the
# public key, written without reading the replies.
chat_hello() {
	local pem
	pem=$(wc -c < "$FIXTURES/keys/spki.pem")
	{
		printf "\\0\\0\\0\\$(printf %03o "${#2}")%s\\0\\0" "$2"
		printf "\\$(printf %03o $((pem >> 8)))"
		printf "\\$(printf %03o $((pem & 255)))"
		cat "$FIXTURES/keys/spki.pem"
	} >&"$1"
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
# most 25 s); prints the slowest in milliseconds.
echo_worst() {
	local e line t0 t worst=0 end=$((SECONDS + 25))
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

@test "hostile-fanout: $MEMBERS silent chat members and a sender keep the relay's RSS and echo bounded; the slowest readers are dropped and logged" {
	local i fd scale=1 hwm worst peer name dropped=0
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
	wait "$SENDER"
	SENDER=
	hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$RELAY_PID/status")
	echo "# relay peak RSS $((hwm / 1024)) MiB, echo worst $worst ms" >&3
	# Before the budget: 100 queues of 4 MiB, about 410 MB.
	((hwm < 150 * 1024 * scale))
	((worst < 1000 * scale))
	# Every reader dropped is a silent member, named by its address.
	while read -r peer; do
		name=$(grep -Eo " $peer new connection: username [a-z0-9]+\$" \
		    relay.log | awk '{ print $NF }')
		[[ "$name" =~ ^member[0-9]+$ ]] ||
		    { echo "dropped $peer is $name" >&2; return 1; }
		dropped=$((dropped + 1))
	done < <(awk '/ dropped: slowest reader, [0-9]+ bytes queued when all queues reached --max-queued / { print $3 }' relay.log)
	((dropped > 0))
	run -0 grep -c ' close: slow reader$' relay.log
	assert_output "$dropped"
	kill -0 "$RELAY_PID"
}

@test "hostile-fanout: --help lists --max-queued; below 4 MiB it is refused, exit 2" {
	run -0 pk-relay --help
	assert_line --partial '  --max-queued bytes  output queued for all clients together'
	run -2 --separate-stderr pk-relay --max-queued 4194303 echo@127.0.0.1:0
	assert_equal "$stderr" 'pk-relay: --max-queued 4194303: too small'
}
