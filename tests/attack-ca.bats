#!/usr/bin/env bats
# The ca labs (docs/labs/ca-guess.md, ca-cn.md, ca-certup.md, ca-dict.md):
# pk-attack against two live CAs set up once for the file, one faithful
# (f/) and one hardened (h/), each with the users alice, bob, carol, dave
# and mallory, and certificates for bob, carol and mallory.  Faithful,
# each attack succeeds and what it recovers is compared byte for byte;
# hardened, it exits 1 and recovers nothing.  The lab scripts themselves
# run once each per profile in tests/docs.bats (the lab pages).

load helpers

USERS='alice bob carol dave mallory'

# ca_up DIR [--hardened]: a CA on that profile in DIR (its address in
# DIR/addr, its pid in DIR/pid), the users signed up, and the
# certificates of bob, carol and mallory in DIR/NAME.crt.
ca_up() {
	local d=$1 u x=(pk-xfer ${2:+"$2"})
	mkdir -m 700 "$d" "$d/state"
	cp ca.key ca.pass ca.crt "$d/state/"
	pk-relay ${2:+"$2" ca} -d "$d/state" ca@127.0.0.1:0 > "$d/relay.out" \
	    2> "$d/relay.log" 3>&- &
	echo $! > "$d/pid"
	wait_file "$d/relay.out" '^listening ca ' || return 1
	sed -n 's/^listening ca //p' "$d/relay.out" > "$d/addr"
	for u in $USERS; do
		"${x[@]}" ca register -u "$u" --pass-file "$u.pass" \
		    "$(cat "$d/addr")" || return 1
	done
	for u in bob carol mallory; do
		"${x[@]}" ca csr -u "$u" --pass-file "$u.pass" -i "$u.csr" \
		    -o "$d/$u.crt" "$(cat "$d/addr")" || return 1
	done
}

setup_file() {
	local u
	cd "$BATS_FILE_TMPDIR" || return 1
	ca_files || return 1
	for u in bob carol dave mallory; do
		printf '%s-pw-4f2a\n' "$u" > "$u.pass"
	done
	echo sunshine > dave.pass # word 10 of words.txt
	for u in bob carol mallory; do
		pk-keygen rsa -b 1024 --no-pass -o "$u" > /dev/null
		pk-keygen csr -k "$u.key" -subj "/CN=$u" -o "$u.csr"
	done
	printf '%s\n' 123456 password 123456789 12345678 qwerty 111111 \
	    abc123 letmein monkey sunshine iloveyou > words.txt
	printf '%s\n' admin alice bob carol dave eve mallory trent > names.txt
	ca_up f && ca_up h --hardened
}

teardown_file() {
	local d
	for d in f h; do
		[ -s "$BATS_FILE_TMPDIR/$d/pid" ] || continue
		kill "$(cat "$BATS_FILE_TMPDIR/$d/pid")" 2> /dev/null || true
	done
}

setup() {
	cp "$BATS_FILE_TMPDIR"/*.* .
	LPID='' MPID=''
}

teardown() {
	local p
	for p in $LPID $MPID; do
		kill "$p" 2> /dev/null || true
		wait "$p" 2> /dev/null || true
	done
}

# stderr_line TEXT: run's stderr has a line that is TEXT.
stderr_line() {
	grep -Fxq -- "$1" <<< "$stderr" && return 0
	printf 'stderr has no line: %s\n%s\n' "$1" "$stderr" >&2
	return 1
}

# addr f|h: that CA's address.
addr() {
	cat "$BATS_FILE_TMPDIR/$1/addr"
}

# chat f|h TO [OPTION...]: TO listens (its key); a pk-mitm (-p ca-chat,
# with OPTIONs, its trace in chat.json, its log in mitm.log) between it
# and alice, who sends msgs.txt to TO (faithful: under the chat password
# dragon); TO's messages then in got.txt.
chat() {
	local p=$1 to=$2 x=(pk-xfer) pass=()
	shift 2
	[ "$p" = f ] && pass=(--chat-pass file:chat.pass)
	[ "$p" = h ] && x+=(--hardened)
	echo dragon > chat.pass
	printf 'hi %s, it is alice\nthe key is under the mat\n' "$to" \
	    > msgs.txt
	"${x[@]}" ca listen -k "$to.key" > listen.out 2>&1 3>&- &
	LPID=$!
	wait_file listen.out '^listening on '
	pk-mitm -p ca-chat --to "$(sed -n 's/^listening on //p' listen.out)" \
	    -n 1 "$@" --trace-json chat.json > mitm.out 2> mitm.log 3>&- &
	MPID=$!
	wait_file mitm.out '^listening '
	"${x[@]}" ca connect -u alice --pass-file alice.pass --ca ca.crt \
	    --to "$to" "${pass[@]}" "$(addr "$p")" \
	    "$(sed -n 's/^listening //p' mitm.out)" < msgs.txt
	wait "$LPID"
	wait "$MPID"
	LPID='' MPID=''
	sed -n 's/^message: //p' listen.out > got.txt
}

@test "ca-guess: the users of a list of names, and dave's password guessed online, byte for byte; guesses per second" {
	run -0 --separate-stderr pk-attack ca-guess -n names.txt -o users.txt \
	    "$(addr f)"
	printf '%s\n' $USERS | cmp - users.txt
	stderr_line 'pk-attack: ca-guess: eve: "Username not found!"'
	stderr_line 'pk-attack: ca-guess: bob: "Enter password": a user'
	run -0 --separate-stderr pk-attack ca-guess -u dave -w words.txt \
	    -o found.pass "$(addr f)"
	cmp dave.pass found.pass
	stderr_line "pk-attack: ca-guess: dave's password: guess 10 of the list"
	assert_regex "$stderr" $'\npk-attack: ca-guess: 1[01] guesses in [0-9]+\\.[0-9]{2} s: [0-9]+\\.[0-9] guesses per second\n'
	# A list without it: exit 1, nothing written.
	head -n 3 words.txt > other.txt
	run -1 --separate-stderr pk-attack ca-guess -u dave -w other.txt \
	    -o none.pass "$(addr f)"
	[ ! -e none.pass ]
	assert_equal "${stderr##*$'\n'}" 'pk-attack: ca-guess: 3 queries, 0 bytes recovered'
}

@test "ca-guess --hardened: one answer for every name, and dave locked before his password: exit 1, nothing" {
	run -1 --separate-stderr pk-attack ca-guess -n names.txt -o users.txt \
	    "$(addr h)"
	[ ! -e users.txt ]
	stderr_line 'pk-attack: ca-guess: eve: "Enter password"'
	stderr_line 'pk-attack: ca-guess: bob: "Enter password"'
	assert_regex "$stderr" 'ca-guess: 8 names in [0-9.]+ s: [0-9.]+ names per second, 0 users found'
	run -1 --separate-stderr pk-attack ca-guess -u dave -w words.txt \
	    -o found.pass "$(addr h)"
	[ ! -e found.pass ]
	stderr_line 'pk-attack: ca-guess: dave is locked: the CA checks no more of its passwords'
	assert_regex "$stderr" 'ca-guess: 5 guesses in [0-9.]+ s'
	[[ $stderr != *Welcome* ]]
	# Locked: dave's own password is refused now.
	run -1 pk-xfer --hardened ca login -u dave --pass-file dave.pass \
	    "$(addr h)"
	assert_output --partial 'sign-in locked for this name'
}

@test "ca-cn: mallory gets a certificate for CN=bob with her key; pk-mitm -k reads alice's chat to bob, byte for byte, and bob reads it too" {
	run -0 --separate-stderr pk-attack ca-cn -u mallory \
	    --pass-file mallory.pass -k mallory.key --cn bob --ca ca.crt \
	    -o forged.crt "$(addr f)"
	stderr_line 'pk-attack: ca-cn: verified against ca.crt: OK'
	openssl verify -CAfile ca.crt forged.crt
	assert_equal "$(openssl x509 -in forged.crt -noout -subject)" \
	    'subject=CN = bob'
	openssl x509 -in forged.crt -noout -pubkey | cmp - mallory.pub
	# The CA now gives it to whoever asks for bob.
	pk-xfer ca certreq -u alice --pass-file alice.pass -o asked.crt \
	    "$(addr f)" bob
	cmp forged.crt asked.crt
	chat f bob -k mallory.key --peer-key "$BATS_FILE_TMPDIR/f/bob.crt"
	cmp msgs.txt got.txt
	sed -n 's/^pk-mitm: conn 1: message: //p' mitm.log > read.txt
	cmp msgs.txt read.txt
	assert_equal "$(grep -c 'password wrapped again for' mitm.log)" 2
}

@test "ca-cn --hardened: the CA refuses a CSR for CN=bob from mallory, exit 1; pk-mitm -k reads nothing of the chat" {
	run -1 --separate-stderr pk-attack ca-cn -u mallory \
	    --pass-file mallory.pass -k mallory.key --cn bob --ca ca.crt \
	    -o forged.crt "$(addr h)"
	[ ! -e forged.crt ]
	stderr_line 'pk-attack: ca-cn: CSR for CN=bob: "error: certificate request: CN=bob is not the signed-in user mallory"'
	pk-xfer --hardened ca certreq -u alice --pass-file alice.pass \
	    -o asked.crt "$(addr h)" bob
	cmp "$BATS_FILE_TMPDIR/h/bob.crt" asked.crt
	chat h bob -k mallory.key --peer-key "$BATS_FILE_TMPDIR/h/bob.crt"
	cmp msgs.txt got.txt
	run -1 grep -e 'message:' -e 'wrapped again' mitm.log
}

@test "ca-certup: mallory stores her certificate for carol; CERTREQ carol then gives mallory's, byte for byte" {
	run -0 --separate-stderr pk-attack ca-certup -u mallory \
	    --pass-file mallory.pass -c "$BATS_FILE_TMPDIR/f/mallory.crt" \
	    --for carol -o served.crt "$(addr f)"
	stderr_line 'pk-attack: ca-certup: CERTUP carol: "ack"'
	cmp "$BATS_FILE_TMPDIR/f/mallory.crt" served.crt
	pk-xfer ca certreq -u alice --pass-file alice.pass -o asked.crt \
	    "$(addr f)" carol
	cmp "$BATS_FILE_TMPDIR/f/mallory.crt" asked.crt
}

@test "ca-certup --hardened: CERTUP for carol refused, carol's certificate stays hers: exit 1, nothing" {
	run -1 --separate-stderr pk-attack ca-certup -u mallory \
	    --pass-file mallory.pass -c "$BATS_FILE_TMPDIR/h/mallory.crt" \
	    --for carol -o served.crt "$(addr h)"
	[ ! -e served.crt ]
	stderr_line 'pk-attack: ca-certup: CERTUP carol: "error: CERTUP: carol is not the signed-in user mallory"'
	pk-xfer --hardened ca certreq -u alice --pass-file alice.pass \
	    -o asked.crt "$(addr h)" carol
	cmp "$BATS_FILE_TMPDIR/h/carol.crt" asked.crt
}

@test "ca-dict: a word list opens a captured peer chat offline: the password and the messages, byte for byte" {
	chat f mallory
	cmp msgs.txt got.txt
	printf '%s\n' 123456 password qwerty monkey letmein dragon sunshine \
	    > chatwords.txt
	run -0 --separate-stderr pk-attack ca-dict -w chatwords.txt \
	    -o recovered.txt chat.json
	cmp msgs.txt recovered.txt
	stderr_line 'pk-attack: ca-dict: 2 AES-256-CBC chat messages in the capture, 0 frames of the hardened chat'
	stderr_line 'pk-attack: ca-dict: the chat password: dragon (word 6 of chatwords.txt)'
	# Without the word: every candidate of the padding check is refused.
	grep -vx dragon chatwords.txt > other.txt
	run -1 --separate-stderr pk-attack ca-dict -w other.txt -o none.txt \
	    chat.json
	[ ! -e none.txt ]
	stderr_line 'pk-attack: ca-dict: no word of other.txt opens the messages: nothing recovered'
}

@test "ca-dict --hardened: a random key under RSA-OAEP and AES-GCM: no password to guess, exit 1, nothing" {
	chat h mallory
	cmp msgs.txt got.txt
	# pk-mitm's decoder names the hardened steps past the key frame.
	run -0 jq -r '.step' chat.json
	assert_output "$(printf '%s\n' chat-key chat-message chat-message \
	    chat-end)"
	run -1 --separate-stderr pk-attack ca-dict -w words.txt \
	    -o recovered.txt chat.json
	[ ! -e recovered.txt ]
	# The key frame, two lines, the end.
	stderr_line 'pk-attack: ca-dict: 0 AES-256-CBC chat messages in the capture, 4 frames of the hardened chat'
	stderr_line 'pk-attack: ca-dict: no message under SHA-256(password) (hardened: a random key, AES-GCM): nothing recovered'
}

@test "ca attacks: usage and unreadable input are exit 2, one line" {
	run -2 --separate-stderr pk-attack ca-guess -u dave 127.0.0.1:1
	assert_equal "$stderr" 'usage: pk-attack ca-guess [-j jobs] -n names | -u user -w words host:port'
	run -2 --separate-stderr pk-attack ca-guess -j 0 -n names.txt 127.0.0.1:1
	assert_equal "$stderr" 'pk-attack: -j 0: too small'
	printf 'ok\n../etc\n' > bad.txt
	run -2 --separate-stderr pk-attack ca-guess -n bad.txt 127.0.0.1:1
	assert_equal "$stderr" 'pk-attack: bad.txt:2: not a user name'
	run -2 --separate-stderr pk-attack ca-cn -u mallory -k mallory.key \
	    --cn bob 127.0.0.1:1
	assert_equal "$stderr" 'usage: pk-attack ca-cn -u user --pass-file file -k key --cn victim [--ca ca.crt] host:port'
	run -2 --separate-stderr pk-attack ca-certup -u mallory \
	    --pass-file mallory.pass -c names.txt --for bob 127.0.0.1:1
	assert_equal "$stderr" 'pk-attack: names.txt: malformed request or certificate'
	run -2 --separate-stderr pk-attack ca-dict -w words.txt names.txt
	assert_output ''
	assert_regex "$stderr" '^pk-attack: names.txt:1: '
	run -2 --separate-stderr pk-mitm -p ca-chat --to 127.0.0.1:1 \
	    -k names.txt
	assert_regex "$stderr" '^pk-mitm: names.txt: '
}
