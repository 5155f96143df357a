# Loaded by every tests/*.bats: the built tools first on PATH, bats-support
# and bats-assert, vectors and fixtures, and start_relay for server tests.

bats_require_minimum_version 1.5.0

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

PK_ROOT="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
PATH="$PK_ROOT/bin:$PATH"
VECTORS="$PK_ROOT/tests/vectors"	# published vectors, sources in tests/vectors/README.md
FIXTURES="$PK_ROOT/tests/fixtures"	# keys and other fixtures; private keys only here
export PK_ROOT PATH VECTORS FIXTURES

# Every test works in its own directory.
cd "$BATS_TEST_TMPDIR" || exit 1

# make_file NAME SIZE: SIZE pseudo-random bytes (repeatable per size).
make_file() {
	openssl enc -aes-128-ctr -K 000102030405060708090a0b0c0d0e0f \
	    -iv 00000000000000000000000000000000 -nosalt -in /dev/zero 2>/dev/null |
	    head -c "$2" > "$1"
}

# fake_tools TOOL: fake/ holds links to the built tools, a copy of
# protokit-vault (and the lib it sources) and, for TOOL, a script that
# says "TOOL: broken on purpose" and exits 1.
fake_tools() {
	local t
	mkdir fake
	for t in "$PK_ROOT"/bin/pk-*; do
		[ "${t##*/}" = "$1" ] || ln -s "$t" "fake/${t##*/}"
	done
	printf '#!/bin/sh\necho "%s: broken on purpose" >&2\nexit 1\n' "$1" > "fake/$1"
	chmod +x "fake/$1"
	cp "$PK_ROOT/bin/protokit-vault" "$PK_ROOT/bin/protokit-lib.sh" \
	    "$PK_ROOT/bin/protokit-explain.sh" "$PK_ROOT/bin/protokit-pcap.sh" fake/
}

# start_relay ARGS...: starts pk-relay with its state in
# $BATS_TEST_TMPDIR/state, stdout in relay.out and stderr in relay.log, and
# waits (up to 5 s) for one `listening SERVICE HOST:PORT` line per
# SERVICE@HOST:PORT argument.  Sets RELAY_PID, RELAY_PORT (first listener)
# and RELAY_PORTS[SERVICE].  Its stdin is $RELAY_STDIN if set (a FIFO for
# --console), else /dev/null.  Call stop_relay in teardown.
start_relay() {
	local want=0 a i svc addr
	for a in "$@"; do
		case "$a" in *@*) want=$((want + 1)) ;; esac
	done
	: > relay.out
	pk-relay -d "$BATS_TEST_TMPDIR/state" "$@" > relay.out 2> relay.log \
	    < "${RELAY_STDIN:-/dev/null}" 3>&- &
	RELAY_PID=$!
	for ((i = 0; i < 50; i++)); do
		[ "$(grep -c '^listening ' relay.out)" -ge "$want" ] && break
		kill -0 "$RELAY_PID" 2> /dev/null || break
		sleep 0.1
	done
	if [ "$(grep -c '^listening ' relay.out)" -lt "$want" ]; then
		echo "start_relay: no listening lines; relay.log:" >&2
		cat relay.log >&2
		stop_relay
		return 1
	fi
	declare -gA RELAY_PORTS=()
	RELAY_PORT=
	while read -r _ svc addr; do
		RELAY_PORTS[$svc]=${addr##*:}
		: "${RELAY_PORT:=${addr##*:}}"
	done < relay.out
	export RELAY_PID RELAY_PORT
}

# stop_relay: SIGTERM to the relay started by start_relay (SIGKILL after
# 5 s), then wait; its exit status is left in RELAY_STATUS.
stop_relay() {
	local i
	[ -n "${RELAY_PID:-}" ] || return 0
	kill -TERM "$RELAY_PID" 2> /dev/null || true
	for ((i = 0; i < 50; i++)); do
		kill -0 "$RELAY_PID" 2> /dev/null || break
		sleep 0.1
	done
	kill -KILL "$RELAY_PID" 2> /dev/null || true
	RELAY_STATUS=0
	wait "$RELAY_PID" || RELAY_STATUS=$?
	RELAY_PID=
}

# ca_files: in the current directory, the CA's key (legacy encrypted PEM,
# as the original's, passphrase in ca.pass) and its root certificate, and
# alice's password in alice.pass.
ca_files() {
	echo capass > ca.pass
	pk-keygen rsa --legacy --pass-file ca.pass -o ca > /dev/null
	pk-keygen selfsign -k ca.key --pass-file ca.pass -subj /CN=protokit-ca \
	    -o ca.crt
	echo alicepw > alice.pass
}

# ca_keys: in $BATS_FILE_TMPDIR (from setup_file, which makes bob's key
# and CSR its own way), ca_files, bob's password in bob.pass, alice's
# key and CSR, and a second CA (other.key, other.crt) for certificates
# the first must not accept.  ca_state: copies them here (for setup),
# the CA's into ./state (made 0700) as the relay's ca service reads
# them; no listener yet (LPID).
ca_keys() {
	cd "$BATS_FILE_TMPDIR" || return 1
	ca_files || return 1
	echo bobpw > bob.pass
	pk-keygen rsa --no-pass -o alice > /dev/null
	pk-keygen csr -k alice.key -subj /CN=alice -o alice.csr
	pk-keygen rsa --no-pass -o other > /dev/null
	pk-keygen selfsign -k other.key -subj /CN=other-ca -o other.crt
}

ca_state() {
	cp "$BATS_FILE_TMPDIR"/* .
	mkdir -m 700 state
	cp ca.key ca.pass ca.crt state/
	LPID=
}

# ca_listen NAME [ARGS...]: pk-xfer ca listen -k NAME.key ARGS... (pk-xfer's
# global options, --hardened, may be among them) in the background, its
# address in LADDR, output in NAME.listen and NAME.lerr; sets LPID.
# ca_listened: waits for it; its status in LSTATUS.
ca_listen() {
	local u=$1 i
	shift
	pk-xfer -t 10 ca listen -k "$u.key" "$@" > "$u.listen" 2> "$u.lerr" 3>&- &
	LPID=$!
	for ((i = 0; i < 100; i++)); do
		grep -q '^listening on ' "$u.listen" && break
		sleep 0.05
	done
	LADDR=$(sed -n 's/^listening on //p' "$u.listen")
	[ -n "$LADDR" ]
}

ca_listened() {
	LSTATUS=0
	wait "$LPID" || LSTATUS=$?
	LPID=
}

# doc_fields DOC [TABLE]: the "step field" pairs of DOC's field table,
# the one under the heading "### TABLE" (default: Fields on the wire;
# a hardened profile's is "Fields on the wire, hardened profile") whose
# rows start | `step` | `field` | (offset, length, meaning follow), sorted.
doc_fields() {
	awk -v h="### ${2:-Fields on the wire}" '/^#+ / { t = ($0 == h); next }
	    t && /^\| *`/ { split($0, c, "|"); gsub(/[` ]/, "", c[2]);
	    gsub(/[` ]/, "", c[3]); print c[2], c[3] }' "$1" | sort -u
}

# trace_check [--table TABLE] DOC JSON...: the JSON traces (--trace-json)
# of a full run name every field of DOC's field table (doc_fields), in
# its step, and nothing else: no field the table lacks, none "unnamed",
# no frame malformed.  Prints the difference (- only in the doc, + only
# in the trace) on failure.
trace_check() {
	local doc table='' bad
	if [ "$1" = --table ]; then
		table=$2
		shift 2
	fi
	doc=$1
	shift
	bad=$(jq -r 'select(.malformed != null) | .step + ": " + .malformed' \
	    "$@" | head -3)
	if [ -n "$bad" ]; then
		echo "malformed frames: $bad" >&2
		return 1
	fi
	doc_fields "$doc" "$table" > doc.fields
	[ -s doc.fields ] || {
		echo "$doc: no \"### ${table:-Fields on the wire}\" table" >&2
		return 1
	}
	jq -r '.step + " " + .fields[].name' "$@" | sort -u > trace.fields
	diff -U0 doc.fields trace.fields | grep '^[-+][^-+]' >&2 && return 1
	return 0
}

# stop_all [PID...]: kills the given background clients (empty ones
# skipped), then stops the relay; a relay that did not exit cleanly (or,
# under SAN, reported) fails the test with its log.
stop_all() {
	local p
	for p in "$@"; do
		[ -n "$p" ] || continue
		kill "$p" 2> /dev/null || true
		wait "$p" 2> /dev/null || true
	done
	RELAY_STATUS=0
	stop_relay
	if [ "$RELAY_STATUS" != 0 ]; then
		cat relay.log >&2
		return 1
	fi
}

# stop_clients: closes the FIFO ends in CFD[NAME] and kills the clients
# in CPID[NAME] (the interactive clients chat.bats and e2e.bats start).
stop_clients() {
	local n
	for n in "${!CFD[@]}"; do
		# shellcheck disable=SC1083,SC2093 # bash: exec {array[i]}> names the fd
		exec {CFD[$n]}>&-
	done
	for n in "${!CPID[@]}"; do
		kill "${CPID[$n]}" 2> /dev/null || true
		wait "${CPID[$n]}" 2> /dev/null || true
	done
}

# fifo_client NAME CMD...: CMD (an interactive client of chat or e2e)
# in the background, its stdin the FIFO NAME.in (made here) held open for
# writing on CFD[NAME], its PID in CPID[NAME], output in NAME.out and
# NAME.err.  say NAME TEXT: a line to NAME's client.  leave NAME: closes
# NAME's stdin and waits for the client; its exit status is in STATUS.
fifo_client() {
	local n=$1
	shift
	mkfifo "$n.in"
	# Without the other clients' FIFO ends, or their EOF never comes.
	(
		for fd in "${CFD[@]}"; do
			exec {fd}>&-
		done
		exec "$@" < "$n.in" > "$n.out" 2> "$n.err"
	) 3>&- &
	CPID[$n]=$!
	# shellcheck disable=SC1083,SC2093 # bash: exec {array[i]}> names the fd
	exec {CFD[$n]}> "$n.in"
}

say() {
	echo "$2" >&"${CFD[$1]}"
}

leave() {
	# shellcheck disable=SC1083,SC2093 # bash: exec {array[i]}> names the fd
	exec {CFD[$1]}>&-
	unset "CFD[$1]"
	STATUS=0
	wait "${CPID[$1]}" || STATUS=$?
	unset "CPID[$1]"
}

# wait_log REGEX: waits up to 10 s for a line of relay.log matching the
# extended regular expression; on failure prints the log and returns 1.
wait_log() {
	local i
	for ((i = 0; i < 100; i++)); do
		grep -Eq -- "$1" relay.log && return 0
		sleep 0.1
	done
	echo "relay.log has no line matching: $1" >&2
	cat relay.log >&2
	return 1
}

# wait_file FILE REGEX: waits up to 10 s for a line of FILE matching the
# extended regular expression; wait_line FILE TEXT: for a line that is
# TEXT.  On failure each prints FILE and returns 1.
wait_file() {
	wait_grep -E "$@"
}

wait_line() {
	wait_grep -Fx "$@"
}

wait_grep() {
	local i
	for ((i = 0; i < 100; i++)); do
		grep "$1" -q -- "$3" "$2" 2> /dev/null && return 0
		sleep 0.1
	done
	echo "$2 has no line matching: $3" >&2
	cat "$2" >&2
	return 1
}

# wait_count REGEX N [SECONDS]: waits up to SECONDS (default 10) for N
# lines of relay.log matching.
wait_count() {
	local i
	for ((i = 0; i < ${3:-10} * 10; i++)); do
		[ "$(grep -Ec -- "$1" relay.log)" -ge "$2" ] && return 0
		sleep 0.1
	done
	echo "relay.log has fewer than $2 lines matching: $1" >&2
	cat relay.log >&2
	return 1
}

# e2e_keys: in $BATS_FILE_TMPDIR (from setup_file), the e2e server key
# and the shared client key, made with pk-keygen rsa --legacy, their
# passphrases in server.pass and client.pass.  e2e_state: puts them into
# ./state (made 0700) as the relay's e2e services read them, and sets K
# (that directory) and KEYS (pk-xfer e2e's key options); no clients yet
# (CPID, CFD, ADDR).
e2e_keys() {
	cd "$BATS_FILE_TMPDIR" || return
	printf 'server passphrase\n' > server.pass
	printf 'client passphrase\n' > client.pass
	pk-keygen rsa --legacy --pass-file server.pass -o server > /dev/null
	pk-keygen rsa --legacy --pass-file client.pass -o client > /dev/null
}

e2e_state() {
	declare -gA CPID=() CFD=() ADDR=()
	K=$BATS_FILE_TMPDIR
	mkdir -m 700 state
	cp "$K/server.key" state/e2e.key
	cp "$K/server.pass" state/e2e.pass
	cp "$K/client.pub" state/e2e-client.pub
	KEYS=(-k "$K/client.key" --pass-file "$K/client.pass" -s "$K/server.pub")
}

# e2e_join NAME [ARGS...]: starts the interactive pk-xfer e2e (with
# KEYS and ARGS) for NAME reading NAME.in, held open on CFD[NAME], its
# PID in CPID[NAME], output in NAME.out and NAME.err; sets ADDR[NAME] to
# the address it prints once the relay has logged it.
# shellcheck disable=SC2004 # CPID and ADDR: associative (setup declares)
e2e_join() {
	local n=$1
	shift
	fifo_client "$n" pk-xfer e2e "${KEYS[@]}" "$@" \
	    "127.0.0.1:${RELAY_PORTS[e2e]}"
	wait_file "$n.out" '^This client address: '
	ADDR[$n]=$(sed -n 's/^This client address: //p' "$n.out")
	wait_log "e2e ${ADDR[$n]} client connected, [0-9]+ connected\$"
}

# core_at_exit CMD...: runs CMD under gdb (the test is skipped without
# it, or in a sanitizer build) and dumps its memory into ./core as it exits; what CMD and gdb print
# goes to core.log.  in_core HEX: succeeds when ./core holds the bytes of
# HEX.  key_in_core KEY: when it holds the low 16 bytes of KEY's prime1 as
# GMP's limbs hold them.  Either finding a secret means it was not wiped.
core_at_exit() {
	local bin
	bin=$(command -v "$1")
	command -v gdb > /dev/null || skip "gdb is not installed"
	# ASan's shadow memory would make a core of many gigabytes.
	! grep -qa __asan_init "$bin" || skip "a sanitizer build"
	(
		ulimit -f 1048576
		gdb -batch -ex 'catch syscall exit_group' -ex run \
		    -ex 'gcore core' -ex kill --args "$bin" "${@:2}"
	) > core.log 2>&1
	[ -s core ] || { cat core.log >&2; return 1; }
}

in_core() {
	# the hex string as a PCRE of \xHH escapes
	# shellcheck disable=SC2001
	[ -n "$1" ] && LC_ALL=C grep -qaP "$(sed 's/../\\x&/g' <<< "$1")" core
}

key_in_core() {
	local hex le='' i
	hex=$(openssl rsa -in "$1" -noout -text |
	    sed -n '/^prime1:/,/^prime2:/p' | sed '1d;$d' | tr -d ' :\n')
	for ((i = ${#hex} - 2; i >= ${#hex} - 32; i -= 2)); do
		le+=${hex:i:2}
	done
	in_core "$le"
}

# lab NAME [--hardened]: `protokit attack NAME` kept, under the test's
# directory (tests/attack-*.bats); $kept is its directory.
lab() {
	run -0 --separate-stderr env TMPDIR="$BATS_TEST_TMPDIR" \
	    protokit attack "$@" --keep
	kept=$(sed -n 's/^protokit-attack-[a-z0-9-]*: kept //p' <<< "$stderr")
	[ -d "$kept" ] || fail "no kept directory: $stderr"
}
