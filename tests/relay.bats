#!/usr/bin/env bats
# pk-relay's core with the echo service: listeners, the event loop's
# limits (max clients, idle timeout, backpressure), shutdown and state.

load helpers

teardown() {
	stop_relay
}

# roundtrip PORT TEXT: one connection, one line there and back.
roundtrip() {
	local fd line
	exec {fd}<>"/dev/tcp/127.0.0.1/$1" || return 1
	printf '%s\n' "$2" >&"$fd"
	IFS= read -r -t 5 line <&"$fd" || true
	exec {fd}>&-
	[ "$line" = "$2" ]
}

@test "relay: --help prints the synopsis, options and exit codes, exit 0" {
	run -0 pk-relay --help
	assert_line --index 0 --partial 'usage: pk-relay [--console] [-d state_dir]'
	assert_line --partial '  --max-clients n'
	assert_line --partial '  --idle-timeout sec'
	assert_line --partial '  --max-file bytes'
	assert_line --regexp '^Services: (.* )?echo( |$)'
	assert_line --partial 'Exit codes: 0'
}

@test "relay: no listener is a usage error, exit 2" {
	run -2 --separate-stderr pk-relay
	assert_equal "$stderr" "pk-relay: missing service@host:port
Try 'pk-relay --help'"
}

@test "relay: bad arguments exit 2 with one line naming the problem" {
	run -2 --separate-stderr pk-relay nosuch@127.0.0.1:0
	assert_equal "$stderr" 'pk-relay: nosuch@127.0.0.1:0: unknown service'
	run -2 --separate-stderr pk-relay echo@127.0.0.1:65536
	assert_equal "$stderr" \
	    'pk-relay: echo@127.0.0.1:65536: port out of range'
	run -2 --separate-stderr pk-relay echo@127.0.0.1:http
	assert_equal "$stderr" 'pk-relay: echo@127.0.0.1:http: bad port'
	run -2 --separate-stderr pk-relay echo@localhost:0
	assert_equal "$stderr" 'pk-relay: echo@localhost:0: host is not an IPv4 address or a bracketed IPv6 address'
	run -2 --separate-stderr pk-relay echo
	assert_equal "$stderr" 'pk-relay: echo: expected SERVICE@HOST:PORT'
	run -2 --separate-stderr pk-relay --max-clients 0 echo@127.0.0.1:0
	assert_equal "$stderr" 'pk-relay: --max-clients 0: too small'
	run -2 --separate-stderr pk-relay --idle-timeout 1s echo@127.0.0.1:0
	assert_equal "$stderr" 'pk-relay: --idle-timeout 1s: invalid'
	run -2 --separate-stderr pk-relay --frobnicate echo@127.0.0.1:0
	assert_equal "${stderr_lines[0]}" \
	    "pk-relay: unrecognized option '--frobnicate'"
	[ ! -e state ]
}

@test "relay: --max-clients beyond the fd limit fails at start, exit 2" {
	run -2 --separate-stderr bash -c \
	    'ulimit -n 100 && exec pk-relay --max-clients 1000 echo@127.0.0.1:0'
	assert_equal "$stderr" 'pk-relay: --max-clients 1000 needs 1033 file descriptors but the limit is 100 (ulimit -Hn)'
}

@test "relay: a port in use is one error line, exit 2" {
	start_relay echo@127.0.0.1:0
	run -2 --separate-stderr pk-relay -d state2 "echo@127.0.0.1:$RELAY_PORT"
	assert_equal "$stderr" \
	    "pk-relay: echo@127.0.0.1:$RELAY_PORT: Address already in use"
	[ ! -e state2 ]
}

@test "relay: prints one listening line with the port it got" {
	start_relay echo@127.0.0.1:0
	run -0 cat relay.out
	assert_output --regexp '^listening echo 127\.0\.0\.1:[1-9][0-9]*$'
	[ "$RELAY_PORT" -gt 0 ] && [ "$RELAY_PORT" -lt 65536 ]
	assert_equal "${RELAY_PORTS[echo]}" "$RELAY_PORT"
	run -0 cat relay.log
	assert_line --regexp '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z relay started: 1 listeners'
}

@test "relay: echo sends back a line and 1 MiB of binary data" {
	local fd
	start_relay echo@127.0.0.1:0
	roundtrip "$RELAY_PORT" 'hello, relay'
	make_file in 1048576
	exec {fd}<>"/dev/tcp/127.0.0.1/$RELAY_PORT"
	cat in >&"$fd" &
	head -c 1048576 <&"$fd" > out
	wait $!
	exec {fd}>&-
	cmp in out
	wait_log '127\.0\.0\.1:[0-9]+ connect$'
	wait_log 'echo 127\.0\.0\.1:[0-9]+ close: peer closed$'
}

@test "relay: two listeners on two ports serve at once" {
	local a b
	start_relay echo@127.0.0.1:0 echo@127.0.0.1:0
	a=$(sed -n '1s/.*://p' relay.out)
	b=$(sed -n '2s/.*://p' relay.out)
	[ "$a" != "$b" ]
	exec {fa}<>"/dev/tcp/127.0.0.1/$a"
	exec {fb}<>"/dev/tcp/127.0.0.1/$b"
	printf 'to a\n' >&"$fa"
	printf 'to b\n' >&"$fb"
	IFS= read -r -t 5 la <&"$fa"
	IFS= read -r -t 5 lb <&"$fb"
	exec {fa}>&- {fb}>&-
	assert_equal "$la" 'to a'
	assert_equal "$lb" 'to b'
}

@test "relay: SIGTERM closes clients, logs and exits 0" {
	local fd line
	start_relay echo@127.0.0.1:0
	exec {fd}<>"/dev/tcp/127.0.0.1/$RELAY_PORT"
	wait_log ' connect$'
	stop_relay
	assert_equal "$RELAY_STATUS" 0
	IFS= read -r -t 5 line <&"$fd" || [ $? -eq 1 ]	# EOF, not a timeout
	exec {fd}>&-
	run -0 cat relay.log
	assert_line --regexp 'Z relay SIGTERM: stopping$'
	assert_line --regexp 'Z echo 127\.0\.0\.1:[0-9]+ close: shutdown$'
	assert_line --regexp 'Z relay stopped$'
}

@test "relay: --max-clients 3 refuses the 4th client and serves the 3 others" {
	local i fd line rc
	local -a fds
	start_relay --max-clients 3 echo@127.0.0.1:0
	for i in 0 1 2; do
		exec {fd}<>"/dev/tcp/127.0.0.1/$RELAY_PORT"
		fds[i]=$fd
		printf 'first %d\n' "$i" >&"$fd"
		IFS= read -r -t 5 line <&"$fd"
		assert_equal "$line" "first $i"
	done
	exec {fd}<>"/dev/tcp/127.0.0.1/$RELAY_PORT"
	rc=0
	IFS= read -r -t 5 line <&"$fd" || rc=$?
	assert_equal "$rc" 1	# closed at once: EOF, not the timeout
	exec {fd}>&-
	wait_log 'refused: max clients$'
	for i in 0 1 2; do
		printf 'again %d\n' "$i" >&"${fds[i]}"
		IFS= read -r -t 5 line <&"${fds[i]}"
		assert_equal "$line" "again $i"
	done
	# A freed slot takes a new client.
	exec {fd}>&-
	fd=${fds[0]}
	exec {fd}>&-
	wait_log 'close: peer closed$'
	roundtrip "$RELAY_PORT" 'in the freed slot'
	# shellcheck disable=SC1083,SC2093 # bash: exec {array[i]}> names the fd
	exec {fds[1]}>&- {fds[2]}>&-
}

@test "relay: --idle-timeout 1 closes a silent client" {
	local fd line rc=0
	start_relay --idle-timeout 1 echo@127.0.0.1:0
	exec {fd}<>"/dev/tcp/127.0.0.1/$RELAY_PORT"
	IFS= read -r -t 10 line <&"$fd" || rc=$?
	exec {fd}>&-
	assert_equal "$rc" 1	# EOF from the relay, not our timeout
	wait_log 'echo 127\.0\.0\.1:[0-9]+ close: idle timeout$'
}

@test "relay: a client that reads late is paused, then resumed with no byte lost" {
	local fd pid
	start_relay echo@127.0.0.1:0
	make_file in 33554432
	exec {fd}<>"/dev/tcp/127.0.0.1/$RELAY_PORT"
	cat in >&"$fd" 3>&- &
	pid=$!
	wait_log 'paused: [0-9]+ bytes queued$'
	head -c 33554432 <&"$fd" > out
	wait "$pid"
	exec {fd}>&-
	cmp in out
	wait_log 'resumed: [0-9]+ bytes queued$'
}

@test "relay: a client that sends without reading is paused, bounded, and others are served" {
	local fd pid queued
	start_relay --idle-timeout 2 echo@127.0.0.1:0
	exec {fd}<>"/dev/tcp/127.0.0.1/$RELAY_PORT"
	head -c 1073741824 /dev/zero >&"$fd" 2> /dev/null 3>&- &
	pid=$!
	exec {fd}>&-
	wait_log 'paused: [0-9]+ bytes queued$'
	# The queue stops near the high-water mark (256 KiB + one 64 KiB read).
	queued=$(grep -Eo 'paused: [0-9]+' relay.log | head -1 | cut -d' ' -f2)
	[ "$queued" -le $((256 * 1024 + 64 * 1024)) ]
	roundtrip "$RELAY_PORT" 'still served'
	wait_log 'close: idle timeout$'
	wait "$pid" || true
	roundtrip "$RELAY_PORT" 'served after the idle timeout'
}

@test "relay: 500 concurrent echo clients are all answered" {
	local i line
	local -a fds
	start_relay echo@127.0.0.1:0
	for ((i = 0; i < 500; i++)); do
		# shellcheck disable=SC1083,SC2093 # bash: exec {array[i]}> names the fd
		exec {fds[i]}<>"/dev/tcp/127.0.0.1/$RELAY_PORT"
	done
	for ((i = 0; i < 500; i++)); do
		printf 'client %d\n' "$i" >&"${fds[i]}"
	done
	for ((i = 0; i < 500; i++)); do
		line=
		IFS= read -r -t 5 line <&"${fds[i]}" || true
		[ "$line" = "client $i" ] || fail "client $i got '$line'"
	done
	for ((i = 0; i < 500; i++)); do
		# shellcheck disable=SC1083,SC2093 # bash: exec {array[i]}> names the fd
		exec {fds[i]}>&-
	done
	[ "$(grep -c ' connect$' relay.log)" -eq 500 ]
}

@test "relay: state dir 0700 with files/, protokit.db in WAL mode, schema version 1" {
	start_relay echo@127.0.0.1:0
	run -0 stat -c %a state state/files
	assert_output $'700\n700'
	run -0 sqlite3 state/protokit.db 'PRAGMA journal_mode;' \
	    'PRAGMA user_version;'
	assert_output $'wal\n1'
	stop_relay
	assert_equal "$RELAY_STATUS" 0
	start_relay echo@127.0.0.1:0	# and it opens again
	run -0 sqlite3 state/protokit.db 'PRAGMA user_version;'
	assert_output 1
}
