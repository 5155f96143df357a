#!/usr/bin/env bats
# ca's hardened profile (issue 15): pk-relay --hardened ca and pk-xfer
# --hardened ca.  One answer for an unknown name and a wrong password,
# failed sign-ins held then locked per name across connections, a CSR's
# CN and CERTUP's name bound to the signed-in user, the peer chat under a
# random key wrapped to the certified receiver with AES-256-GCM per line;
# a profile mismatch, with the CA or between the peers, stops at once.

bats_require_minimum_version 1.5.0

load helpers
load dissect-helpers

# The CA (ca.key, ca.crt), alice's and bob's keys and requests, made once;
# one whole hardened run by the orchestrator, its output in run.out, its
# status in run.status and its JSON trace in ca.json.
setup_file() {
	cd "$BATS_FILE_TMPDIR" || return 1
	ca_files || return 1
	echo bobpw > bob.pass
	pk-keygen rsa --no-pass -o alice > /dev/null
	pk-keygen rsa --no-pass -o bob > /dev/null
	pk-keygen csr -k bob.key -subj /CN=bob -o bob.csr
	pk-keygen csr -k alice.key -subj /CN=bob -o bob-by-alice.csr
	local st=0
	protokit-ca --hardened --trace-json ca.json > run.out 2>&1 3>&- ||
	    st=$?
	echo "$st" > run.status
}

setup() {
	cp "$BATS_FILE_TMPDIR"/*.key "$BATS_FILE_TMPDIR"/*.pass \
	    "$BATS_FILE_TMPDIR"/*.csr "$BATS_FILE_TMPDIR"/ca.crt .
	mkdir -m 700 state
	cp ca.key ca.pass ca.crt state/
	LPID='' FPID='' LADDR=''
}

teardown() {
	stop_all "$LPID"
	if [ -n "$FPID" ]; then
		kill "$FPID" 2> /dev/null || true
		wait "$FPID" 2> /dev/null || true
	fi
}

# hrelay: the hardened ca relay, its trace in relay.json; its address in
# ADDR.
hrelay() {
	start_relay --hardened ca --trace-json relay.json ca@127.0.0.1:0
	ADDR=127.0.0.1:$RELAY_PORT
}

# frelay: a faithful ca relay of its own (f/state, the same CA), its
# address in FADDR, its log f/relay.log; sets FPID.
frelay() {
	local i
	mkdir -m 700 f f/state
	cp ca.key ca.pass ca.crt f/state/
	pk-relay -d f/state ca@127.0.0.1:0 > f/relay.out 2> f/relay.log 3>&- &
	FPID=$!
	for ((i = 0; i < 50; i++)); do
		grep -q '^listening ' f/relay.out && break
		sleep 0.1
	done
	FADDR=$(sed -n 's/^listening ca //p' f/relay.out)
	[ -n "$FADDR" ]
}

# enroll [--hardened] ADDR: alice and bob register, bob gets bob.crt.
enroll() {
	local h=''
	[ "$1" != --hardened ] || { h=$1 && shift; }
	pk-xfer $h ca register -u alice --pass-file alice.pass "$1"
	pk-xfer $h ca register -u bob --pass-file bob.pass "$1"
	pk-xfer $h ca csr -u bob --pass-file bob.pass -i bob.csr -o bob.crt "$1"
}

@test "ca-hardened: protokit-ca --hardened runs the whole protocol; its JSON names every field of the hardened wire table and nothing else; make demo stays faithful" {
	cd "$BATS_FILE_TMPDIR"
	[ "$(cat run.status)" = 0 ] || { cat run.out >&2; false; }
	grep -q '^    \$ pk-relay --hardened ca -d state ca@127.0.0.1:0' run.out
	grep -q '^protokit-ca: ok$' run.out
	grep -qx '    message: hello bob, this is alice' run.out
	grep -qx '    message: hi alice, bob here' run.out
	grep -q '^    sequence: 0$' run.out
	# No chat password anywhere: the hardened chat draws its key.
	run -1 grep -e --chat-pass -e 'chat.pass' run.out
	trace_check --table 'Fields on the wire, hardened profile' \
	    "$PK_ROOT/docs/ca.md" ca.json
	# The chat key came under bob's key: what alice drew, bob opened.
	[ "$(jq -r 'select(.step == "chat-key") | .fields[] |
	    select(.name == "key") | .hex' ca.json | sort | uniq -c |
	    awk '{print $1}')" = "$(printf '2\n2')" ]
	# The faithful table is still the default and has no hardened step.
	run -0 doc_fields "$PK_ROOT/docs/ca.md"
	refute_output --partial chat-key
	refute_output --partial login
	run -0 grep -E -A3 '^demo:' "$PK_ROOT/Makefile"
	refute_output --partial -- '--hardened'
	run -2 protokit demo --hardened
}

@test "ca-hardened: an unknown name and a wrong password get the same frames from the CA" {
	cd "$BATS_FILE_TMPDIR"
	grep -Eq '^pk-xfer: 127\.0\.0\.1:[0-9]+: carol: sign-in refused: incorrect username or password$' run.out
	grep -Eq '^pk-xfer: 127\.0\.0\.1:[0-9]+: bob: sign-in refused: incorrect username or password$' run.out
	# mallory's two sign-ins, carol (unknown) and bob (wrong password):
	# the same frames from the CA, byte for byte, prompts and answers.
	jq -r 'select(.who == "mallory" and .direction == "received") |
	    [.fields[] | .hex] | join("")' ca.json > answers
	[ "$(wc -l < answers)" = 6 ]
	[ "$(sed -n 1,3p answers)" = "$(sed -n 4,6p answers)" ]
	grep -q "$(printf %s 'incorrect username or password' | xxd -p |
	    tr -d '\n')\$" answers
}

@test "ca-hardened: a CSR for another CN and a CERTUP for another name are refused, nothing stored" {
	cd "$BATS_FILE_TMPDIR"
	grep -Eq '^pk-xfer: 127\.0\.0\.1:[0-9]+: error: certificate request: CN=bob is not the signed-in user alice$' run.out
	grep -Eq '^pk-xfer: 127\.0\.0\.1:[0-9]+: error: CERTUP: bob is not the signed-in user alice$' run.out
	[ "$(grep -c '^    refused: exit 1$' run.out)" = 2 ]
	# bob's certificate is the one bob's CSR made; alice's own CERTUP went.
	grep -qx '    bob|bob|CSR|[0-9]*' run.out
	grep -qx '    alice|alice|CERTUP|[0-9]*' run.out
	# Directly, with the exit status and the one line.
	hrelay
	enroll --hardened "$ADDR"
	run -1 pk-xfer --hardened ca csr -u alice --pass-file alice.pass \
	    -i bob-by-alice.csr -o x.crt "$ADDR"
	assert_output "pk-xfer: $ADDR: error: certificate request: CN=bob is not the signed-in user alice"
	[ ! -e x.crt ]
	run -1 pk-xfer --hardened ca certup -u alice --pass-file alice.pass \
	    -i bob.crt -n bob "$ADDR"
	assert_output "pk-xfer: $ADDR: error: CERTUP: bob is not the signed-in user alice"
	# Her own name with bob's certificate: its CN is not hers.
	run -1 pk-xfer --hardened ca certup -u alice --pass-file alice.pass \
	    -i bob.crt "$ADDR"
	assert_output "pk-xfer: $ADDR: error: certificate: CN=bob is not the signed-in user alice"
	pk-xfer --hardened ca certreq -u alice --pass-file alice.pass \
	    -o fetched.crt "$ADDR" bob
	cmp bob.crt fetched.crt
	# The interactive client: "login NAME" typed at the marked prompt.
	run -0 pk-xfer --hardened ca "$ADDR" \
	    <<< $'login alice\nalicepw\ncertreq\nbob\ninteractive.crt\ny'
	assert_line 'Welcome'
	cmp bob.crt interactive.crt
	# The refusal ends the dialog: one line on stderr, not echoed first.
	run -1 --separate-stderr pk-xfer --hardened ca "$ADDR" \
	    <<< $'login alice\nbobpw'
	assert_equal "$stderr" "pk-xfer: $ADDR: incorrect username or password"
	refute_line --partial 'incorrect'
	# Enter pressed alone at the prompts: the line is asked for again (no
	# frame is empty: it was "send to ...: Message too long", exit 2).
	run -1 --separate-stderr pk-xfer --hardened ca "$ADDR" \
	    <<< $'\nlogin bob\n\nalicepw'
	assert_equal "$stderr" "pk-xfer: $ADDR: incorrect username or password"
	# A bare name, as the faithful dialog takes it: said what to type,
	# not sent (the CA would take it for a faithful client).
	run -0 --separate-stderr pk-xfer --hardened ca "$ADDR" <<< 'alice'
	assert_line 'type login NAME or register NAME'
	refute_line --partial 'mismatch'
	# The relay's own trace: no frame malformed, every field one of the
	# hardened table's, the refusals among them.
	stop_relay
	run -0 jq -r 'select(.malformed != null) | .step' relay.json
	assert_output ''
	doc_fields "$PK_ROOT/docs/ca.md" 'Fields on the wire, hardened profile' \
	    > doc.fields
	jq -r '.step + " " + .fields[].name' relay.json | sort -u > relay.fields
	run -0 comm -13 doc.fields relay.fields
	assert_output ''
	for f in 'login name' 'register name' 'CSR csr' 'CERTUP certificate' \
	    'CERTREQ id' 'answer text' 'password password'; do
		grep -qx "$f" relay.fields
	done
}

@test "ca-hardened: failed sign-ins hold then lock the name across connections, even for the right password; other names still sign in" {
	local fails=0 i
	hrelay
	pk-xfer --hardened ca register -u alice --pass-file alice.pass "$ADDR"
	pk-xfer --hardened ca register -u bob --pass-file bob.pass "$ADDR"
	# Two connections at the password prompt for bob send theirs at once:
	# the one the CA reads second, while the first is hashed, waits about
	# a hash (which one that is, is the event loop's choice).
	python3 -c 'import socket, struct, sys
def frame(s, t): s.sendall(struct.pack(">I", len(t)) + t)
def answer(s):
    b = b""
    while len(b) < 4 or len(b) < 4 + struct.unpack(">I", b[:4])[0]:
        d = s.recv(4096)
        if not d: sys.exit("closed")
        b += d
    return b[4:].decode()
h, p = sys.argv[1].rsplit(":", 1); c = []
for i in range(2):
    s = socket.create_connection((h, int(p))); answer(s)
    frame(s, b"login bob"); answer(s); c.append(s)
frame(c[0], b"bobpw"); frame(c[1], b"bobpw")
print(answer(c[1])); print(answer(c[0]))' "$ADDR" > busy.out
	[ "$(LC_ALL=C sort busy.out)" = "$(printf '%s\n' Welcome \
	    'too many failed sign-ins for this name: retry in 1 s')" ] ||
	    fail "$(cat busy.out)"
	wait_log 'bob: sign-in held \(another sign-in is being hashed\) \(0 failures\), 100 ms to go$'
	# Each attempt on a new connection; a held one is retried.
	for ((i = 0; i < 200 && fails < 5; i++)); do
		run -1 pk-xfer --hardened ca login -u bob \
		    --pass-file alice.pass "$ADDR"
		case "$output" in
		*'incorrect username or password') fails=$((fails + 1)) ;;
		*'too many failed sign-ins for this name: retry in 1 s') sleep 0.1 ;;
		*) false ;;
		esac
	done
	[ "$fails" = 5 ]
	run -1 pk-xfer --hardened ca login -u bob --pass-file bob.pass "$ADDR"
	assert_output "pk-xfer: $ADDR: bob: sign-in refused: sign-in locked for this name: too many failures, retry in 900 s"
	# The hold grew with each failure, whichever connection it came on.
	for i in 100 200 400 800 900000; do
		grep -q "bob: failed sign-in ([1-5] in a row): held $i ms" relay.log
	done
	[ "$(grep -o 'ca 127.0.0.1:[0-9]* bob: failed' relay.log | sort -u |
	    wc -l)" = 5 ]
	run -0 pk-xfer --hardened ca login -u alice --pass-file alice.pass "$ADDR"
	# An unknown name is hashed (the worker's answer is what logs the
	# failure) and counted the same way: nothing tells it apart.
	run -1 pk-xfer --hardened ca login -u nobody --pass-file bob.pass "$ADDR"
	assert_output "pk-xfer: $ADDR: nobody: sign-in refused: incorrect username or password"
	wait_log 'nobody: failed sign-in \(1 in a row\): held 100 ms'
}

@test "ca-hardened: a client and a CA on different profiles: one line, exit 2, both ways; the relay logs the mismatch" {
	hrelay
	run -2 pk-xfer ca login -u alice --pass-file alice.pass "$ADDR"
	assert_output "pk-xfer: ca: profile mismatch: the relay is hardened, this client is faithful"
	wait_log 'profile mismatch: the relay is hardened, the client is faithful$'
	run -2 pk-xfer ca "$ADDR" < /dev/null
	assert_output "pk-xfer: ca: profile mismatch: the relay is hardened, this client is faithful"
	frelay
	run -2 pk-xfer --hardened ca register -u alice --pass-file alice.pass "$FADDR"
	assert_output "pk-xfer: ca: profile mismatch: the relay is faithful, this client is hardened"
	for ((i = 0; i < 50; i++)); do
		grep -q 'profile mismatch: the relay is faithful, the client is hardened$' f/relay.log && break
		sleep 0.1
	done
	grep -q 'profile mismatch: the relay is faithful, the client is hardened$' f/relay.log
	# Nobody was registered on the faithful relay.
	run -1 pk-xfer ca login -u alice --pass-file alice.pass "$FADDR"
	assert_output --partial 'alice: user not found'
}

@test "ca-hardened: the peer chat refuses a changed byte and a chat cut short; the same bytes untouched are read" {
	hrelay
	enroll --hardened "$ADDR"
	# The sender's bytes, caught by a listener that only records them.
	python3 -c 'import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
print(s.getsockname()[1], flush=True)
c, _ = s.accept(); f = open(sys.argv[1], "wb")
while True:
    d = c.recv(65536)
    if not d: break
    f.write(d)
f.close()' stream > cap.port 3>&- &
	LPID=$!
	wait_file cap.port '^[0-9]+$'
	echo 'pay 10' | pk-xfer --hardened ca connect -u alice \
	    --pass-file alice.pass --ca ca.crt --to bob "$ADDR" \
	    "127.0.0.1:$(cat cap.port)"
	ca_listened
	# key frame 4 + 276, then the message: 4 + kind, seq (8), "pay 10", tag
	[ "$(wc -c < stream)" = $((280 + 4 + 9 + 6 + 16 + 4 + 25)) ]
	ca_listen bob --hardened
	cat stream > "/dev/tcp/${LADDR%:*}/${LADDR##*:}"
	ca_listened
	[ "$LSTATUS" = 0 ] || { cat bob.lerr >&2; false; }
	grep -qx 'message: pay 10' bob.listen
	# "pay 10" -> "pay 90": byte 4 of the line, flipped on the way.
	python3 -c 'import sys
b = bytearray(open(sys.argv[1], "rb").read()); b[int(sys.argv[2])] ^= 8
sys.stdout.buffer.write(b)' stream $((280 + 4 + 9 + 4)) > tampered
	ca_listen bob --hardened
	cat tampered > "/dev/tcp/${LADDR%:*}/${LADDR##*:}"
	ca_listened
	[ "$LSTATUS" = 1 ]
	grep -qx 'pk-xfer: sender: frame 0 fails its tag (changed on the way): refused' bob.lerr
	run -1 grep -e 'message:' -e 'pay' bob.listen
	# The end frame dropped: the chat was cut.
	head -c $((280 + 4 + 9 + 6 + 16)) stream > cut.bin
	ca_listen bob --hardened
	cat cut.bin > "/dev/tcp/${LADDR%:*}/${LADDR##*:}"
	ca_listened
	[ "$LSTATUS" = 1 ]
	grep -qx 'pk-xfer: sender: the chat was cut short (no end frame)' bob.lerr
}

@test "ca-hardened: a faithful sender to a hardened listener and the reverse: the listener says the mismatch, exit 2" {
	hrelay
	enroll --hardened "$ADDR"
	ca_listen bob
	# Each sender's own status depends on when the listener hangs up (a
	# broken pipe or not): the listener is the side that says it.
	echo hi | pk-xfer --hardened ca connect -u alice \
	    --pass-file alice.pass --ca ca.crt --to bob "$ADDR" "$LADDR" \
	    2> sender.err || true
	grep -qx 'certificate of bob verified against ca.crt' sender.err
	ca_listened
	[ "$LSTATUS" = 2 ]
	[ "$(cat bob.lerr)" = "pk-xfer: ca: profile mismatch: the sender is hardened, this listener is faithful" ]
	run -1 grep message: bob.listen
	frelay
	enroll "$FADDR"
	echo chatpw > chat.pass
	ca_listen bob --hardened
	echo hi | pk-xfer ca connect -u alice --pass-file alice.pass \
	    --ca ca.crt --to bob --chat-pass file:chat.pass "$FADDR" \
	    "$LADDR" 2> sender.err || true
	grep -qx 'certificate of bob verified against ca.crt' sender.err
	ca_listened
	[ "$LSTATUS" = 2 ]
	[ "$(cat bob.lerr)" = "pk-xfer: ca: profile mismatch: the sender is faithful, this listener is hardened" ]
	run -2 pk-xfer --hardened ca connect -u alice --pass-file alice.pass \
	    --ca ca.crt --to bob --chat-pass file:chat.pass "$ADDR" "$LADDR"
	assert_output "pk-xfer: --chat-pass: the hardened chat draws its own key"
}

# tframe TEXT: a frame of TEXT (under 64 KiB) as od prints it, for text2pcap.
tframe() {
	local n=${#1}
	{
		printf '\0\0'
		printf "\\x$(printf %02x $((n >> 8)))\\x$(printf %02x $((n & 255)))"
		printf %s "$1"
	} | od -Ax -tx1 -v
}

@test "ca-hardened: the Lua dissector names the hardened frames on both channels" {
	local d=$BATS_FILE_TMPDIR
	command -v tshark > /dev/null || skip "tshark not installed (make deps)"
	# I: client (40000) to the CA (4000); O: back (text2pcap -D)
	{
		printf 'O\n'
		tframe 'Please Enter your username: login NAME or register NAME [hardened]'
		printf 'I\n'
		tframe 'register carol'
		printf 'O\n'
		tframe 'please choose a password, min length = 3'
		printf 'I\n'
		tframe 'pw!'
		printf 'O\n'
		tframe 'registered if the name was free: now login NAME'
		printf 'I\n'
		tframe 'login carol'
		printf 'O\n'
		tframe 'Enter password'
		printf 'I\n'
		tframe 'pw'
		printf 'O\n'
		tframe 'incorrect username or password'
	} > relay.txt
	# The peer chat: sender (40001) to the listener (5000).
	{
		printf 'I\n'
		{
			printf '\0\0\0\224pk-ca-h1'
			head -c 12 /dev/zero | tr '\0' '\7'
			head -c 128 /dev/zero | tr '\0' '\1'
		} | od -Ax -tx1 -v
		printf 'I\n'
		{
			printf '\0\0\0\33p\0\0\0\0\0\0\0\0hi'
			head -c 16 /dev/zero | tr '\0' '\11'
		} | od -Ax -tx1 -v
		printf 'I\n'
		{
			printf '\0\0\0\31l\0\0\0\0\0\0\0\1'
			head -c 16 /dev/zero | tr '\0' '\12'
		} | od -Ax -tx1 -v
	} > peer.txt
	text2pcap -q -D -T 40000,4000 relay.txt relay.pcap
	text2pcap -q -D -T 40001,5000 peer.txt peer.pcap
	mergecap -a -w "$d/h.pcap" relay.pcap peer.pcap
	printf '%s\n' ca.ports:4000 ca.peer_ports:5000 > "$d/h.pcap.ports"
	run -0 pk_tshark h -T fields -e ca.step -e ca.word -e ca.name \
	    -e ca.text -e ca.magic -e ca.nonce -e ca.kind -e ca.seq \
	    -e ca.ciphertext -e ca.tag -e _ws.expert.message
	assert_equal "$output" "$(printf '%s\n' \
	    "prompt			Please Enter your username: login NAME or register NAME [hardened]							" \
	    "register	register 	carol								" \
	    "prompt			please choose a password, min length = 3							" \
	    "new-password										" \
	    "prompt			registered if the name was free: now login NAME							" \
	    "login	login 	carol								" \
	    "prompt			Enter password							" \
	    "password										" \
	    "answer			incorrect username or password							" \
	    "chat-key				pk-ca-h1	$(printf '07%.0s' {1..12})					" \
	    "chat-message						p	0	6869	$(printf '09%.0s' {1..16})	" \
	    "chat-end						l	1		$(printf '0a%.0s' {1..16})	")"
}
