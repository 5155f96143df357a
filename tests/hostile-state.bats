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
	local n bound hard
	hard=$(ulimit -Hn)
	[ "$hard" != unlimited ] || hard=65536
	ulimit -n "$hard"
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

@test "hostile-state: vault and e2e-upload fsync the directory of each file they keep before acknowledging it or logging it" {
	local sp
	command -v strace > /dev/null || skip "strace is missing"
	start_relay vault@127.0.0.1:0 e2e-upload@127.0.0.1:0
	vault_register alice
	strace -f -y -s 200 -o trace \
	    -e trace=fsync,fdatasync,rename,renameat,renameat2,sendto,write \
	    -p "$RELAY_PID" 2> strace.err 3>&- &
	sp=$!
	wait_file strace.err 'attached$' || skip "strace cannot attach here"
	vault_upload alice
	make_file up.bin 1000
	run -0 pk-xfer e2e upload "${KEYS[@]}" \
	    "127.0.0.1:${RELAY_PORTS[e2e-upload]}" up.bin
	kill "$sp"
	wait "$sp" || true
	run durable data.bin
	assert_output durable
	run durable up.bin
	assert_output durable
	grep -q 'upload up.bin: complete, 1000 bytes' trace
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

# vault_register DIR: DIR registers with the relay's vault service as
# DIR, with a 5000-byte DIR/data.bin to send.
vault_register() {
	mkdir "$1"
	make_file "$1/data.bin" 5000
	printf '127.0.0.1:%s\n%s\ndata.bin\n' "${RELAY_PORTS[vault]}" "$1" \
	    > "$1/transfer.info"
	(cd "$1" && pk-xfer vault register > /dev/null)
}

# vault_upload DIR: the registered DIR sends a new key and data.bin, and
# confirms the CRC (900).
vault_upload() {
	cd "$1" || return
	pk-keygen rsa -b 1024 -e 17 --no-pass -o k > /dev/null
	pk-xfer vault pubkey -k k.key -o aes.wrapped
	pk-wrap -d --oaep-sha1 -k k.key < aes.wrapped > aes.key
	pk-aes-cbc -e --zero-iv --raw-key -k aes.key < data.bin > data.enc 2> /dev/null
	run -0 pk-xfer vault send < data.enc
	assert_output "$(cksum < data.bin | cut -d' ' -f1)"
	run -0 pk-xfer vault ack ok
	cd ..
}

# durable NAME: in ./trace (strace -f -y of the relay), the last rename
# of a temporary into a path ending in /NAME: says "durable" when the
# temporary was fsynced before it, its directory after it, and nothing
# was sent to a client nor logged in between, and something after.
durable() {
	awk -v name="$1" '
	    /^[0-9]+ +fsync\([0-9]+</ {
		    p = $0
		    sub(/^[^<]*</, "", p)
		    sub(/>\) += 0$/, "", p)
		    synced[p] = 1
		    if (dir != "" && p == dir) { dsync = 1; early = sent }
		    next
	    }
	    /^[0-9]+ +rename(at2?)?\(/ {
		    split($0, q, "\"")
		    if (substr(q[4], length(q[4]) - length(name)) != "/" name)
			    next
		    tmp_synced = synced[q[2]]
		    dir = q[4]
		    sub(/\/[^\/]*$/, "", dir)
		    dsync = sent = early = 0
		    next
	    }
	    dir != "" && /^[0-9]+ +(sendto|write)\((2|[0-9]+<socket)/ { sent = 1 }
	    END {
		    if (dir == "")
			    print "no rename to " name
		    else if (!tmp_synced)
			    print "renamed before its fsync"
		    else if (!dsync)
			    print "directory never fsynced"
		    else if (early)
			    print "acknowledged before the directory fsync"
		    else
			    print sent ? "durable" : "never acknowledged"
	    }' trace
}

@test "hostile-state: an e2e upload named after a vault client's id no longer breaks that client's uploads" {
	local id
	start_relay vault@127.0.0.1:0 e2e-upload@127.0.0.1:0
	vault_register alice
	id=$(sed -n 2p alice/me.info)
	# Mallory uploads one byte under alice's id.
	printf x > one
	run -0 pk-xfer e2e upload "${KEYS[@]}" --name "$id" \
	    "127.0.0.1:${RELAY_PORTS[e2e-upload]}" one
	assert_line "[*] Upload complete: $id (1 bytes)"
	# alice's uploads still go through.
	vault_upload alice
	cmp alice/data.bin "state/files/vault/$id/data.bin"
	cmp one "state/files/e2e/$id"
}

@test "hostile-state: a state directory of the old layout is moved into files/vault and files/e2e at start" {
	local id=00112233445566778899aabbccddeeff
	start_relay vault@127.0.0.1:0
	stop_relay
	# As the older relay left it: vault's version 1, no application_id,
	# one client folder and three e2e uploads (one named like the new
	# vault folder) side by side in files/, and an upload's temporary.
	sqlite3 state/protokit.db "PRAGMA application_id = 0;
	    UPDATE schema SET version = 1 WHERE service = 'vault';
	    INSERT INTO clients (id, name, last_seen)
	        VALUES (X'$id', 'alice', '2026-01-01T00:00:00Z');
	    INSERT INTO files VALUES (X'$id', 'a.txt', 'files/$id/a.txt', 1);"
	rm -r state/files/vault state/files/e2e
	mkdir -m 700 "state/files/$id"
	echo "alice's file" > "state/files/$id/a.txt"
	echo photo > state/files/photo.bin
	echo "an upload named vault" > state/files/vault
	echo "an upload named e2e" > state/files/e2e
	: > state/files/.pk-AbCdEf
	start_relay vault@127.0.0.1:0 e2e-upload@127.0.0.1:0
	grep -q "relay $BATS_TEST_TMPDIR/state/files: moved 4 entries of the old layout into vault/ and e2e/\$" relay.log
	run ls -A state/files
	assert_output $'e2e\nvault'
	run ls -A state/files/vault state/files/e2e
	assert_output "state/files/e2e:
e2e
photo.bin
vault

state/files/vault:
$id"
	[ "$(cat "state/files/vault/$id/a.txt")" = "alice's file" ]
	[ "$(cat state/files/e2e/vault)" = "an upload named vault" ]
	[ "$(cat state/files/e2e/e2e)" = "an upload named e2e" ]
	run -0 sqlite3 state/protokit.db 'SELECT path_name FROM files;
	    SELECT version FROM schema WHERE service = "vault";
	    PRAGMA application_id;'
	assert_output "files/vault/$id/a.txt
2
1886086242"
	# The next start has nothing to move.
	stop_relay
	start_relay vault@127.0.0.1:0 e2e-upload@127.0.0.1:0
	run -1 grep -q 'old layout' relay.log
}
