#!/usr/bin/env bats
# The relay's memory and state against a hostile class (issue 12): idle
# e2e-upload connections cost little, every acknowledged file is durable
# before the acknowledgement, a damaged or read-only database stops the
# relay at start naming the file, and one service's file names cannot
# break another's.

load helpers

setup_file() {
	e2e_keys
}

setup() {
	e2e_state
	HOLD_PID=
}

teardown() {
	if [ -n "$HOLD_PID" ]; then
		kill "$HOLD_PID" 2> /dev/null || true
		wait "$HOLD_PID" 2> /dev/null || true
	fi
	stop_relay
	[ ! -e state/protokit.db ] || chattr -i state/protokit.db 2> /dev/null || true
}

# kib FIELD: the relay's /proc status FIELD (VmRSS, VmHWM) in KiB.
kib() {
	awk -v f="$1:" '$1 == f { print $2 }' "/proc/$RELAY_PID/status"
}

# scale N: N, times 3 in a sanitizer build (ASan's allocator and shadow).
scale() {
	if grep -qa __asan_init "$(command -v pk-relay)"; then
		echo $(($1 * 3))
	else
		echo "$1"
	fi
}

# hold N PORT: N connections to 127.0.0.1:PORT, each from its own
# 127.1.x.y address (so that no per-address limit counts them together),
# held open until hold.in is closed.  Sets HOLD_PID and the fd HOLD.
hold() {
	mkfifo hold.in
	perl -MSocket -e '
		my ($n, $port) = @ARGV;
		my $to = pack_sockaddr_in($port, inet_aton("127.0.0.1"));
		my @s;
		for my $i (0 .. $n - 1) {
			my $src = sprintf("127.1.%d.%d", $i / 250, $i % 250 + 1);
			socket(my $s, PF_INET, SOCK_STREAM, 0) or die "socket: $!\n";
			bind($s, pack_sockaddr_in(0, inet_aton($src)))
			    or die "bind $src: $!\n";
			connect($s, $to) or die "connect from $src: $!\n";
			push @s, $s;
		}
		$| = 1;
		print "connected $n\n";
		<STDIN>;
	' "$1" "$2" < hold.in > hold.out 2> hold.err 3>&- &
	HOLD_PID=$!
	exec {HOLD}> hold.in
}

@test "hostile-state: 5000 idle e2e-upload connections keep the relay under 16 MB + 4 KiB each, open and closing" {
	local n bound
	ulimit -n "$(ulimit -Hn)"
	n=$(($(ulimit -n) - 100))
	[ "$n" -le 5000 ] || n=5000
	[ "$n" -ge 500 ] || skip "the fd limit ($(ulimit -n)) allows too few"
	start_relay --max-clients $((n + 10)) e2e-upload@127.0.0.1:0
	hold "$n" "${RELAY_PORTS[e2e-upload]}"
	wait_file hold.out "^connected $n\$"
	wait_count ' client connected$' "$n" 30
	run -0 grep -c ' client connected$' relay.log
	assert_output "$n"
	bound=$(scale $((16 * 1024 + 4 * n)))
	echo "$n idle connections: VmRSS $(kib VmRSS) KiB (bound $bound)" >&3
	[ "$(kib VmRSS)" -le "$bound" ]
	# Closing them all must not touch what was never used.
	exec {HOLD}>&-
	wait "$HOLD_PID"
	HOLD_PID=
	wait_count ' close: peer closed$' "$n" 30
	run -0 grep -c ' close: peer closed$' relay.log
	assert_output "$n"
	echo "after closing: VmHWM $(kib VmHWM) KiB (bound $bound)" >&3
	[ "$(kib VmHWM)" -le "$bound" ]
}

# refused: pk-relay on ./state must exit 2 at once with the one line $1
# on stderr (timeout: a relay that starts anyway is killed and fails it).
refused() {
	run -2 --separate-stderr timeout 20 pk-relay -d "$BATS_TEST_TMPDIR/state" \
	    vault@127.0.0.1:0 e2e-upload@127.0.0.1:0
	assert_output ''
	assert_equal "$stderr" "$1"
}

@test "hostile-state: a zero-length protokit.db is refused at start, naming it, and left as it is" {
	local db=$BATS_TEST_TMPDIR/state/protokit.db
	: > "$db"
	refused "pk-relay: $db: an empty file, not a protokit database (restore it, or remove it to start with an empty one)"
	[ -f "$db" ] && [ ! -s "$db" ]
	# Removed, it is made anew, as in a new state directory.
	rm "$db"
	start_relay vault@127.0.0.1:0
	grep -q "^[^ ]* relay $db: new database\$" relay.log
}

@test "hostile-state: a file that is not a protokit database is refused at start, naming it" {
	local db=$BATS_TEST_TMPDIR/state/protokit.db
	echo "a text file" > "$db"
	refused "pk-relay: $db: not a protokit database: file is not a database"
	[ "$(cat "$db")" = "a text file" ]
	# Another program's SQLite database is not taken over either.
	rm "$db"
	sqlite3 "$db" 'CREATE TABLE notes (body TEXT);'
	refused "pk-relay: $db: not a protokit database (application_id 0, user_version 0)"
	run -0 sqlite3 "$db" '.tables'
	assert_output notes
}

@test "hostile-state: a read-only protokit.db fails at start, not at the first write" {
	local db=$BATS_TEST_TMPDIR/state/protokit.db
	start_relay vault@127.0.0.1:0
	stop_relay
	if [ "$(id -u)" -eq 0 ]; then
		chattr +i "$db" 2> /dev/null || skip "chattr +i does not work here"
	else
		chmod 0444 "$db"
	fi
	refused "pk-relay: $db: read-only (pk-relay writes to its database)"
}
