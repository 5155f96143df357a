#!/usr/bin/env bats
# pk-relay's slots against hostile clients (issue 12, item 4): a message
# must be whole within --message-timeout of its first byte, so slow-drip
# clients cannot hold the slots of --max-clients, and --max-per-ip bounds
# the clients of one address.

load helpers

setup() {
	DRIPS=()
}

teardown() {
	local p
	for p in "${DRIPS[@]}"; do
		kill "$p" 2> /dev/null || true
		wait "$p" 2> /dev/null || true
	done
	stop_relay
}

# drip PORT SECONDS: announces a 100-byte frame, then sends one byte of it
# a second for up to SECONDS s, and stops once the relay closes.
drip() {
	local fd i
	exec {fd}<>"/dev/tcp/127.0.0.1/$1" || exit 1
	printf '\000\000\000\144' >&"$fd"
	for ((i = 0; i < $2; i++)); do
		# a read that ends before its 1 s timeout: the relay closed
		read -r -t 1 -u "$fd" && exit 0
		[ $? -gt 128 ] || exit 0
		printf x >&"$fd" || exit 0
	done 2> /dev/null
}

# served HOST PORT TEXT: one connection, one line there and back.
served() {
	local fd line
	exec {fd}<>"/dev/tcp/$1/$2" || return 1
	printf '%s\n' "$3" >&"$fd"
	IFS= read -r -t 5 line <&"$fd" 2> /dev/null || true
	exec {fd}>&-
	[ "$line" = "$3" ]
}

# port HOST: the port of the echo listener on HOST (as in relay.out).
port() {
	sed -n "s/^listening echo $1://p" relay.out
}

@test "hostile-slots: --help lists --max-per-ip and --message-timeout; bad values exit 2" {
	run -0 pk-relay --help
	assert_line --partial '  --max-per-ip n'
	assert_line --partial '(default 1000; 0: no limit)'
	assert_line '  --message-timeout sec'
	assert_line --partial '(default 30; 0: never)'
	run -2 --separate-stderr pk-relay --max-per-ip -1 echo@127.0.0.1:0
	assert_equal "$stderr" 'pk-relay: --max-per-ip -1: too small'
	run -2 --separate-stderr pk-relay --message-timeout 2s echo@127.0.0.1:0
	assert_equal "$stderr" 'pk-relay: --message-timeout 2s: invalid'
}

@test "hostile-slots: 20 slow-drip clients cannot hold --max-clients 20: a normal client is served within 15 s" {
	local i start took
	mkdir -m 700 state
	pk-keygen aes -b 128 -o state/k3
	start_relay --max-clients 20 --message-timeout 2 \
	    keymanager@127.0.0.1:0 echo@127.0.0.1:0
	# Each drip would hold its slot for 30 s: the idle timeout (60 s)
	# starts again at every byte.
	for ((i = 0; i < 20; i++)); do
		drip "${RELAY_PORTS[keymanager]}" 30 3>&- &
		DRIPS+=($!)
	done
	wait_count ' keymanager .* connect$' 20
	start=$SECONDS
	until served 127.0.0.1 "${RELAY_PORTS[echo]}" 'a normal client'; do
		took=$((SECONDS - start))
		[ "$took" -lt 15 ] ||
		    fail "not served in ${took} s: $(grep -c 'refused: max clients' relay.log) refusals"
		sleep 0.2
	done
	took=$((SECONDS - start))
	echo "# served after ${took} s (message timeout 2 s)" >&3
	wait_count ' keymanager .* dropped: a message unfinished after 2 s \([0-9]+ bytes of it\)$' 20
	wait_count ' keymanager .* close: message timeout$' 20
}

@test "hostile-slots: a stream of whole frames, always one in mid-flight, outlives --message-timeout" {
	local fd i
	mkdir -m 700 state
	pk-keygen aes -b 128 -o state/k3
	start_relay --message-timeout 1 keymanager@127.0.0.1:0
	exec {fd}<>"/dev/tcp/127.0.0.1/$RELAY_PORT"
	# The frame "hello" is 9 bytes: every write of 12 ends one frame and
	# begins the next, so the relay always holds part of a frame, for 4 s
	# in all, yet each frame is whole within 0.5 s of its first byte.
	printf '\000\000\000\005hel' >&"$fd"
	for ((i = 0; i < 8; i++)); do
		sleep 0.5
		printf 'lo\000\000\000\005hello\000\000\000\005hel' >&"$fd"
	done
	printf 'lo\000\000\000\003end' >&"$fd"
	timeout 10 cat <&"$fd" > replies
	exec {fd}>&-
	# 17 frames, 17 answers, then "end" closed the client
	[ "$(grep -ao 'unexpected command' replies | wc -l)" -eq 17 ]
	wait_count ' keymanager .* #1: end$' 1
	run -1 grep 'message' relay.log
}

@test "hostile-slots: --max-per-ip 3 refuses the 4th client of an address, IPv4 and IPv6 counted apart" {
	local -a v4 v6
	local i p4 p6 line
	start_relay --max-per-ip 3 echo@127.0.0.1:0 'echo@[::1]:0'
	p4=$(port 127.0.0.1)
	p6=$(port '\[::1\]')
	for ((i = 0; i < 3; i++)); do
		# shellcheck disable=SC1083,SC2093 # bash: exec {array[i]}> names the fd
		exec {v4[i]}<>"/dev/tcp/127.0.0.1/$p4"
		# shellcheck disable=SC1083,SC2093 # bash: exec {array[i]}> names the fd
		exec {v6[i]}<>"/dev/tcp/::1/$p6"
	done
	wait_count ' echo .* connect$' 6
	run -1 served 127.0.0.1 "$p4" 'a 4th from 127.0.0.1'
	run -1 served ::1 "$p6" 'a 4th from ::1'
	wait_count ' echo 127\.0\.0\.1:[0-9]+ refused: max per ip \(3\)$' 1
	wait_count ' echo \[::1\]:[0-9]+ refused: max per ip \(3\)$' 1
	# the 3 of each address are served
	for ((i = 0; i < 3; i++)); do
		printf 'v4 %d\n' "$i" >&"${v4[i]}"
		IFS= read -r -t 5 line <&"${v4[i]}"
		assert_equal "$line" "v4 $i"
		printf 'v6 %d\n' "$i" >&"${v6[i]}"
		IFS= read -r -t 5 line <&"${v6[i]}"
		assert_equal "$line" "v6 $i"
	done
	# one of 127.0.0.1 leaves: its slot is the address's again
	# shellcheck disable=SC1083,SC2093 # bash: exec {array[i]}> names the fd
	exec {v4[0]}>&-
	wait_count ' echo 127\.0\.0\.1:[0-9]+ close: peer closed$' 1
	served 127.0.0.1 "$p4" 'in the freed slot'
	[ "$(grep -c 'refused' relay.log)" -eq 2 ]
	for ((i = 0; i < 3; i++)); do
		# shellcheck disable=SC1083,SC2093 # bash: exec {array[i]}> names the fd
		exec {v6[i]}>&-
		# shellcheck disable=SC1083,SC2093 # bash: exec {array[i]}> names the fd
		[ "$i" = 0 ] || exec {v4[i]}>&-
	done
}
