#!/usr/bin/env bats
# The e2e protocol's hardened profile (docs/e2e.md, "Profiles"): the
# whole run through the orchestrator and its trace against the hardened
# table, a mismatch either way, a key pair per client (a block for bob
# opens with bob's key only), messages signed by the sender and checked
# by the receiver (a forged or altered one is refused), PBES2 key files.
# The keys are made once (setup_file), the orchestrator runs once.

load helpers
load dissect-helpers

setup_file() {
	cd "$BATS_FILE_TMPDIR" || return
	local u
	for u in server alice bob mallory; do
		printf '%s passphrase\n' "$u" > "$u.pass"
		pk-keygen rsa --pass-file "$u.pass" -o "$u" > /dev/null
	done
	pk-keygen rsa --legacy --pass-file server.pass -o fserver > /dev/null
	pk-keygen rsa --legacy --pass-file alice.pass -o fclient > /dev/null
	mkdir run
	RUN_STATUS=0
	(cd run && protokit run e2e --hardened --trace-json "$PWD/run.json") \
	    > run.out 2>&1 || RUN_STATUS=$?
	echo "$RUN_STATUS" > run.status
}

# The hardened relay's state: the server key (PBES2) and alice's and
# bob's public keys under their names; peers/, the clients' own copies.
setup() {
	declare -gA CPID=() CFD=()
	K=$BATS_FILE_TMPDIR
	mkdir -m 700 state state/e2e-clients peers
	cp "$K/server.key" state/e2e.key
	cp "$K/server.pass" state/e2e.pass
	cp "$K/alice.pub" "$K/bob.pub" state/e2e-clients/
	cp "$K/alice.pub" "$K/bob.pub" peers/
}

# A relay that did not exit cleanly (or, under SAN, reported) fails.
teardown() {
	stop_clients
	stop_all
}

hard_relay() {
	start_relay --hardened e2e --hardened e2e-upload e2e@127.0.0.1:0 \
	    e2e-upload@127.0.0.1:0
}

# as NAME [KEY]: pk-xfer's options for the hardened client NAME (its key
# KEY, by default its own).
as() {
	local k=${2:-$1}
	AS=(-u "$1" -k "$K/$k.key" --pass-file "$K/$k.pass" --peers peers
	    -s "$K/server.pub")
}

# hjoin NAME [ARGS...]: the hardened interactive client NAME, up once the
# relay has its hello.
hjoin() {
	local n=$1
	shift
	as "$n"
	fifo_client "$n" pk-xfer --hardened "$@" e2e "${AS[@]}" \
	    "127.0.0.1:${RELAY_PORTS[e2e]}"
	wait_file "$n.out" '^This client address: '
	wait_log "hello from $n "
}

# field JSON STEP FIELD: the hex of FIELD in JSON's first STEP frame.
field() {
	jq -r --arg s "$2" --arg f "$3" 'select(.step == $s) | .fields[] |
	    select(.name == $f) | .hex' "$1" | head -n 1
}

@test "e2e-hardened: protokit run e2e --hardened runs the whole protocol; with a few frames by hand its traces name every field of the hardened table" {
	run -0 cat "$K/run.status"
	assert_output 0
	run -0 cat "$K/run.out"
	assert_line --regexp '^    \$ pk-relay --hardened e2e --hardened e2e-upload -d state e2e@127\.0\.0\.1:0 e2e-upload@127\.0\.0\.1:0 > relay\.out 2> relay\.log & relay_pid=\$!$'
	assert_line --regexp '^    \$ pk-xfer --hardened .*e2e -u bob -k bob\.key --pass-file bob\.pass --peers peers -s state/e2e\.pub [$]addr '
	assert_line '    Recieved a message from alice: hello bob, this is alice'
	assert_line '    Recieved a message from bob: hi alice'
	assert_line '    [*] Server Error: Cannot find specified target client'
	assert_line --regexp '^    .*:PBES2 *$'
	assert_line --regexp '^    .*:PBKDF2 *$'
	assert_line --regexp '^    .*:aes-256-cbc *$'
	assert_line '    identical after upload'
	assert_line 'protokit-e2e: ok'
	refute_output --partial -- '--legacy'
	refute_output --partial 'client.key'
	# The steps the run has no reason to make: quit, keepalive, refuse,
	# and (the relay's trace) a block it cannot open.
	start_relay --hardened e2e --trace-json "$PWD/relay.json" \
	    e2e@127.0.0.1:0
	as alice
	local xf=(--hardened --trace-json hand.json e2e send "${AS[@]}"
	    "127.0.0.1:${RELAY_PORTS[e2e]}")
	run -0 pk-xfer "${xf[@]}" quit
	run -0 pk-xfer "${xf[@]}" ''
	as mallory
	run -1 pk-xfer --hardened --trace-json hand.json e2e send "${AS[@]}" \
	    "127.0.0.1:${RELAY_PORTS[e2e]}" 'bob/hi'
	assert_output "pk-xfer: 127.0.0.1:${RELAY_PORTS[e2e]}: refused: [*] Server Error: unknown client name"
	as alice
	AS[-1]=$K/alice.pub
	run -1 pk-xfer --hardened e2e send "${AS[@]}" \
	    "127.0.0.1:${RELAY_PORTS[e2e]}" 'bob/hi'
	assert_line '[*] Server Error: Cannot decrypt the message with the server key'
	wait_log 'the block does not decrypt with the server key'
	stop_relay
	trace_check --table 'Fields on the wire, hardened profile' \
	    "$PK_ROOT/docs/e2e.md" "$K/run/run.json" hand.json relay.json
}

@test "e2e-hardened: the Lua dissector names the hardened frames (hello, refuse, blocks with their signature) as the trace does" {
	command -v tshark > /dev/null || skip "tshark not installed (make deps)"
	local refuse=0000000b45324872756e6b6e6f776e
	# alice's frames on the e2e service, one TCP segment each, then a
	# refuse frame; the trace's wire fields, each block's step `block`.
	mapfile -t parts < <(jq -r 'select(.who == "alice" and
	    .protocol == "e2e") | (if .direction == "sent" then "I "
	    else "O " end) + ([.fields[] | select(.offset != null) | .hex] |
	    join(""))' "$K/run/run.json")
	hex_pcap e2eh e2e.ports "${parts[@]}" "O $refuse"
	capture_clean e2eh
	capture_frames e2eh e2e | sed -E 's/ (service|to|index)@[^ ]*//g' \
	    > capture.txt
	{
		jq -r 'select(.who == "alice" and .protocol == "e2e") |
		    (if .step == "hello" then "hello" else "block" end) +
		    ([.fields[] | select(.offset != null) |
		    " \(.name)@\(.offset)+\(.length)=\(.hex)"] | join(""))' \
		    "$K/run/run.json"
		echo "refuse length@0+4=0000000b mark@4+3=453248 kind@7+1=72 text@8+7=756e6b6e6f776e"
	} | sort > trace.txt
	grep -q '^block .* signature@264+256=' capture.txt
	grep -q '^hello .* name@8+5=616c696365$' capture.txt
	diff -u trace.txt capture.txt
	frame_fields < capture.txt > capture.fields
	doc_wire_fields "$PK_ROOT/docs/e2e.md" \
	    'Fields on the wire, hardened profile' > doc.fields
	run -0 comm -23 capture.fields doc.fields
	assert_output ''
}

@test "e2e-hardened: a profile mismatch either way is one line and exit 2; the relay logs it and closes" {
	hard_relay
	local f=(-k "$K/fclient.key" --pass-file "$K/alice.pass"
	    -s "$K/server.pub")
	run -2 pk-xfer e2e send "${f[@]}" "127.0.0.1:${RELAY_PORTS[e2e]}" \
	    '127.0.0.1:1/hi'
	assert_output 'pk-xfer: e2e: profile mismatch: the relay is hardened, this client is faithful'
	printf 'x' > x.txt
	run -2 pk-xfer e2e upload "${f[@]}" \
	    "127.0.0.1:${RELAY_PORTS[e2e-upload]}" x.txt
	assert_output 'pk-xfer: e2e: profile mismatch: the relay is hardened, this client is faithful'
	wait_log ' e2e [^ ]+ profile mismatch: the relay is hardened, the client is faithful$'
	wait_log ' e2e-upload [^ ]+ profile mismatch: the relay is hardened, the client is faithful$'
	stop_relay
	rm -r state && mkdir -m 700 state
	cp "$K/fserver.key" state/e2e.key && cp "$K/server.pass" state/e2e.pass
	cp "$K/fclient.pub" state/e2e-client.pub
	start_relay e2e@127.0.0.1:0 e2e-upload@127.0.0.1:0
	as alice
	run -2 pk-xfer --hardened e2e send "${AS[@]}" \
	    "127.0.0.1:${RELAY_PORTS[e2e]}" 'bob/hi'
	assert_output 'pk-xfer: e2e: profile mismatch: the relay is faithful, this client is hardened'
	run -2 pk-xfer --hardened e2e upload "${AS[@]}" \
	    "127.0.0.1:${RELAY_PORTS[e2e-upload]}" x.txt
	assert_output 'pk-xfer: e2e: profile mismatch: the relay is faithful, this client is hardened'
	wait_log ' e2e [^ ]+ profile mismatch: the relay is faithful, the client is hardened$'
	wait_log ' e2e-upload [^ ]+ profile mismatch: the relay is faithful, the client is hardened$'
	[ ! -e state/files/e2e/x.txt ]
}

@test "e2e-hardened: a block for bob opens with bob's key only, not alice's (no shared client key)" {
	hard_relay
	hjoin bob --trace-json bob.json
	as alice
	run -0 pk-xfer --hardened e2e send "${AS[@]}" \
	    "127.0.0.1:${RELAY_PORTS[e2e]}" 'bob/for bob only'
	wait_line bob.out 'Recieved a message from alice: for bob only'
	field bob.json forward block | xxd -r -p > forward.bin
	[ "$(wc -c < forward.bin)" = 256 ]
	printf 'alice|for bob only' > want
	pk-wrap -d -k "$K/bob.key" --pass-file "$K/bob.pass" < forward.bin > got
	cmp want got
	run -1 pk-wrap -d -k "$K/alice.key" --pass-file "$K/alice.pass" \
	    < forward.bin
	run -1 pk-wrap -d -k "$K/mallory.key" --pass-file "$K/mallory.pass" \
	    < forward.bin
	# The relay sealed it to the key it holds under bob's name.
	run -0 grep -E ' e2e [^ ]+ hello from bob \(its key: .*/state/e2e-clients/bob\.pub\)$' relay.log
	# A second bob is refused; mallory as bob cannot open bob's welcome.
	as bob
	run -1 pk-xfer --hardened e2e send "${AS[@]}" \
	    "127.0.0.1:${RELAY_PORTS[e2e]}" 'alice/hi'
	assert_output "pk-xfer: 127.0.0.1:${RELAY_PORTS[e2e]}: refused: [*] Server Error: name already connected"
	leave bob
	as bob mallory
	run -1 pk-xfer --hardened e2e send "${AS[@]}" \
	    "127.0.0.1:${RELAY_PORTS[e2e]}" 'alice/hi'
	assert_output "pk-xfer: 127.0.0.1:${RELAY_PORTS[e2e]}: a block that does not decrypt with our key (-k)"
}

@test "e2e-hardened: a forged or altered message is refused by the receiver in one line and never shown as from alice" {
	hard_relay
	hjoin bob
	as alice
	run -0 pk-xfer --hardened --trace-json alice.json e2e send "${AS[@]}" \
	    "127.0.0.1:${RELAY_PORTS[e2e]}" 'bob/pay 10'
	wait_line bob.out 'Recieved a message from alice: pay 10'
	# Forged: the relay's directory now gives mallory's key as alice's;
	# mallory signs with her key, bob checks with his copy of alice's.
	cp "$K/mallory.pub" state/e2e-clients/alice.pub
	as alice mallory
	run -0 pk-xfer --hardened e2e send "${AS[@]}" \
	    "127.0.0.1:${RELAY_PORTS[e2e]}" 'bob/pay 90'
	wait_line bob.err "pk-xfer: 127.0.0.1:${RELAY_PORTS[e2e]}: a message said to be from alice refused: its signature does not verify"
	leave bob
	# shellcheck disable=SC2153 # leave (helpers.bash) sets STATUS
	assert_equal "$STATUS" 1
	run -1 grep -q 'pay 90' bob.out
	# Altered: a relay holding the server key forwards "pay 90" under
	# alice's real signature of "pay 10" (and, unaltered, "pay 10").
	local sig
	sig=$(field alice.json send signature)
	[ "${#sig}" = 512 ]
	{
		printf '\0\0\1\4E2Hb'
		printf '[*] Welcome bob' | pk-wrap -e -k "$K/bob.pub"
		for m in 'pay 90' 'pay 10'; do
			printf '\0\0\2\4E2Hb'
			printf 'alice|%s' "$m" | pk-wrap -e -k "$K/bob.pub"
			echo "$sig" | xxd -r -p
		done
	} > frames.bin
	python3 -c '
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
print(s.getsockname()[1], flush=True)
c, _ = s.accept()
n = int.from_bytes(c.recv(4, socket.MSG_WAITALL), "big")
c.recv(n, socket.MSG_WAITALL)
c.sendall(open("frames.bin", "rb").read())
c.shutdown(socket.SHUT_WR)
while c.recv(4096):
	pass
' > fake.port &
	CPID[fake]=$!
	wait_file fake.port '^[0-9]+$'
	rm bob.in
	as bob
	run -1 pk-xfer --hardened e2e "${AS[@]}" "127.0.0.1:$(cat fake.port)" \
	    < /dev/null
	assert_line 'Recieved a message from alice: pay 10'
	refute_line --partial 'pay 90'
	assert_line "pk-xfer: 127.0.0.1:$(cat fake.port): a message said to be from alice refused: its signature does not verify"
}

@test "e2e-hardened: every key file is PBES2 PKCS#8; a legacy PEM is refused by the hardened client and relay" {
	run -0 openssl asn1parse -in "$K/alice.key"
	assert_output --partial ':PBES2'
	assert_output --partial ':PBKDF2'
	as alice fclient
	run -2 pk-xfer --hardened e2e send "${AS[@]}" 127.0.0.1:1 'bob/hi'
	assert_output "pk-xfer: $K/fclient.key: not a PBES2 PKCS#8 key: the hardened profile takes no legacy PEM (make one with pk-keygen rsa --pass-file F -o PREFIX)"
	cp "$K/fserver.key" state/e2e.key
	run -2 pk-relay --hardened e2e -d state e2e@127.0.0.1:0
	assert_output --partial 'e2e state/e2e.key: not a PBES2 PKCS#8 key (the hardened profile takes no legacy PEM)'
}

@test "e2e-hardened: --peers that is not a directory is one line and exit 2, before any connection; --help lists it after the pass options" {
	AS=(-u alice -k "$K/alice.key" --pass-file "$K/alice.pass"
	    -s "$K/server.pub")
	run -2 pk-xfer --hardened e2e "${AS[@]}" --peers nopeers 127.0.0.1:1
	assert_output "pk-xfer: --peers nopeers: No such file or directory"
	run -2 pk-xfer --hardened e2e "${AS[@]}" --peers "$K/bob.pub" 127.0.0.1:1
	assert_output "pk-xfer: --peers $K/bob.pub: not a directory"
	run -0 pk-xfer e2e --help
	assert_output --partial "$(printf '%s\n' \
	    '  --pass-env var     passphrase of the client key from variable var' \
	    '  --pass-fd n        ... read from file descriptor n')"
}

@test "e2e-hardened: make demo stays faithful (protokit demo takes no --hardened)" {
	run -0 grep -E -A3 '^demo:' "$PK_ROOT/Makefile"
	refute_output --partial -- '--hardened'
	run -2 protokit demo --hardened
	assert_line -n 0 --partial 'protokit: --hardened: one protocol at a time'
	run -0 grep -n 'hardened' "$PK_ROOT/bin/protokit-e2e"
	run -1 grep -E '^[^#]*pk-relay --hardened' "$PK_ROOT/bin/protokit-e2e"
}
