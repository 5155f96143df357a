#!/usr/bin/env bats
# ca (seed 004): the relay's certificate authority and pk-xfer ca over
# 127.0.0.1: sign-in and registration, CSR / CERTUP / CERTREQ with real
# X.509 checked by openssl, the two documented weaknesses, and the peer
# chat checked against openssl enc.

load helpers

# Keys are made once: the CA's (legacy encrypted PEM, as the original's),
# its root certificate, alice's and bob's keys and requests.
setup_file() {
	ca_keys || return 1
	pk-keygen rsa --legacy --pass-file bob.pass -o bob > /dev/null
	pk-keygen rsa --no-pass -o mallory > /dev/null
	pk-keygen csr -k bob.key --pass-file bob.pass -subj /CN=bob -o bob.csr
}

setup() {
	ca_state
	LADDR='' # ca_listen's
}

teardown() {
	stop_all "$LPID"
}

# ca ARGS...: pk-xfer ca against the relay.
ca_start() {
	start_relay "$@" ca@127.0.0.1:0
	ADDR=127.0.0.1:$RELAY_PORT
}

# enroll NAME: registers NAME (password in NAME.pass) and gets a
# certificate for NAME.csr into NAME.crt.
enroll() {
	pk-xfer ca register -u "$1" --pass-file "$1.pass" "$ADDR" 2> /dev/null
	pk-xfer ca csr -u "$1" --pass-file "$1.pass" -i "$1.csr" -o "$1.crt" \
	    "$ADDR" 2> /dev/null
}

# frame TEXT: one frame (4-byte big-endian length, then TEXT).
frame() {
	local n
	n=$(printf %s "$1" | wc -c)
	printf "\\x$(printf %02x $((n >> 24 & 255)))\\x$(printf %02x $((n >> 16 & 255)))"
	printf "\\x$(printf %02x $((n >> 8 & 255)))\\x$(printf %02x $((n & 255)))%s" "$1"
}

@test "ca: register, sign in; a taken or unknown name is refused" {
	ca_start
	run -0 --separate-stderr pk-xfer ca register -u alice \
	    --pass-file alice.pass "$ADDR"
	assert_equal "$stderr" ""
	run -0 --separate-stderr pk-xfer ca login -u alice \
	    --pass-file alice.pass "$ADDR"
	assert_equal "$stderr" ""
	# The password from an fd or the environment works the same.
	run -0 pk-xfer ca login -u alice --pass-fd 4 "$ADDR" 4< alice.pass
	ALICE_PW=alicepw run -0 pk-xfer ca login -u alice --pass-env ALICE_PW \
	    "$ADDR"
	run -1 --separate-stderr pk-xfer ca register -u alice \
	    --pass-file bob.pass "$ADDR"
	assert_equal "$stderr" "pk-xfer: $ADDR: alice: already registered"
	run -1 --separate-stderr pk-xfer ca login -u nobody \
	    --pass-file bob.pass "$ADDR"
	assert_equal "$stderr" \
	    "pk-xfer: $ADDR: nobody: user not found (pk-xfer ca register first)"
	printf ab > short.pass
	run -1 --separate-stderr pk-xfer ca register -u carol \
	    --pass-file short.pass "$ADDR"
	assert_equal "$stderr" \
	    "pk-xfer: the password is too short: min length = 3"
	# Stored as PBKDF2-HMAC-SHA512: a 32-byte salt, a 64-byte hash.
	run -0 sqlite3 state/protokit.db \
	    "SELECT name, length(salt), length(hash), iterations FROM users"
	assert_output "alice|32|64|100000"
}

@test "ca: a wrong password, then the right one on the same connection" {
	ca_start
	pk-xfer ca register -u alice --pass-file alice.pass "$ADDR" 2> /dev/null
	run -1 --separate-stderr pk-xfer ca login -u alice \
	    --pass-file bob.pass "$ADDR"
	assert_equal "$stderr" \
	    "pk-xfer: $ADDR: alice: incorrect password! try again"
	# The interactive client: the original's prompts, unlimited tries.
	run -0 pk-xfer ca "$ADDR" <<-EOF
		alice
		guess1
		guess2
		alicepw
		certreq
		alice
		y
	EOF
	assert_line --index 0 "Please Enter your username"
	assert_line --index 1 "Enter password"
	assert_line --index 2 "incorrect password! try again"
	assert_line --index 3 "incorrect password! try again"
	assert_line --index 4 "Welcome"
	assert_line --partial "alice certificate does not exist"
	grep -q 'alice signed in after 2 wrong passwords' relay.log
}

@test "ca: an unknown name gets the sign-up question; r registers, c closes" {
	ca_start
	# As the current original: "Username not found!" and the question on
	# a line of its own; a password too short goes back to the question.
	run -0 pk-xfer ca "$ADDR" <<-EOF
		carol
		r
		../etc
		carol
		ab
		r
		carol
		carolpw
		CERTREQ
		carol
		y
	EOF
	assert_line --index 0 "Please Enter your username"
	assert_line --index 1 'Username not found!'
	assert_line --index 2 'to sign up send "r", or send "c" to close connection'
	assert_line --index 3 "please choose a username"
	assert_line --index 4 "invalid username: 1 to 64 of A-Z a-z 0-9 . _ -"
	assert_line --index 5 "please choose a username"
	assert_line --index 6 "please choose a password, min length = 3"
	assert_line --index 7 'Username not found!'
	assert_line --index 8 'to sign up send "r", or send "c" to close connection'
	assert_line --index 9 "please choose a username"
	assert_line --index 10 "please choose a password, min length = 3"
	assert_line --index 11 "Welcome"
	grep -q 'registered carol' relay.log
	run -0 pk-xfer ca "$ADDR" <<-EOF
		dave
		c
	EOF
	assert_output 'Please Enter your username
Username not found!
to sign up send "r", or send "c" to close connection'
	wait_log 'closed at the sign-up question'
}

@test "ca: CSR from pk-keygen csr: openssl verify -CAfile accepts it, x509 -text prints it" {
	ca_start
	enroll alice
	run -0 openssl verify -CAfile ca.crt alice.crt
	assert_output "alice.crt: OK"
	run -0 openssl x509 -in alice.crt -noout -text
	assert_line --partial "Version: 3 (0x2)"
	assert_line --partial "Issuer: CN = protokit-ca"
	assert_line --partial "Subject: CN = alice"
	assert_line --partial "Signature Algorithm: sha256WithRSAEncryption"
	assert_line --partial "CA:FALSE"
	assert_line --partial "Digital Signature, Key Encipherment"
	# 365 days, the key of the request.
	local nb na
	nb=$(date -d "$(openssl x509 -in alice.crt -noout -startdate | cut -d= -f2)" +%s)
	na=$(date -d "$(openssl x509 -in alice.crt -noout -enddate | cut -d= -f2)" +%s)
	[ $((na - nb)) -eq $((365 * 86400)) ]
	[ "$(openssl x509 -in alice.crt -noout -pubkey)" = "$(cat alice.pub)" ]
	# A random 16-octet serial each time.
	pk-xfer ca csr -u alice --pass-file alice.pass -i alice.csr -o again.crt \
	    "$ADDR" 2> /dev/null
	[ "$(openssl x509 -in alice.crt -noout -serial)" != \
	    "$(openssl x509 -in again.crt -noout -serial)" ]
	openssl x509 -in again.crt -noout -serial | grep -Eq '^serial=[0-7][0-9A-F]{31}$'
}

@test "ca: CSR from openssl req -new is signed, with its whole subject" {
	ca_start
	pk-xfer ca register -u alice --pass-file alice.pass "$ADDR" 2> /dev/null
	openssl req -new -key mallory.key -subj "/CN=carol/O=Example/C=NL" \
	    -out carol.csr
	run -0 pk-xfer ca csr -u alice --pass-file alice.pass -i carol.csr \
	    -o carol.crt "$ADDR"
	run -0 openssl verify -CAfile ca.crt carol.crt
	run -0 openssl x509 -in carol.crt -noout -subject
	assert_output "subject=CN = carol, O = Example, C = NL"
}

@test "ca: pk-relay --pss signs with RSASSA-PSS and openssl verifies it" {
	ca_start --pss
	grep -q 'signing with RSASSA-PSS' relay.log
	enroll alice
	run -0 openssl verify -CAfile ca.crt alice.crt
	run -0 openssl x509 -in alice.crt -noout -text
	assert_line --partial "Signature Algorithm: rsassaPss"
	assert_line --partial "Salt Length: 0x20"
}

@test "ca: a tampered certificate is rejected by openssl verify and by CERTUP" {
	ca_start
	enroll alice
	# One bit of the subject's name in the signed part: CN=alice -> CN=alicf.
	openssl x509 -in alice.crt -outform DER -out alice.der
	sed 's/alice/alicf/' alice.der > tampered.der
	run -1 cmp -s alice.der tampered.der
	openssl x509 -inform DER -in tampered.der -out tampered.crt
	run -2 openssl verify -CAfile ca.crt tampered.crt
	assert_output --partial "certificate signature failure"
	run -1 --separate-stderr pk-xfer ca certup -u alice \
	    --pass-file alice.pass -i tampered.crt "$ADDR"
	assert_equal "$stderr" "pk-xfer: $ADDR: error: certificate: bad signature"
	wait_log 'protocol error: certificate: bad signature'
	# Not a certificate of this CA, or not a certificate at all.
	openssl req -new -x509 -key other.key -subj /CN=alice -out foreign.crt
	run -1 --separate-stderr pk-xfer ca certup -u alice \
	    --pass-file alice.pass -i foreign.crt "$ADDR"
	assert_equal "$stderr" \
	    "pk-xfer: $ADDR: error: certificate: issuer does not match the CA certificate"
	run -1 --separate-stderr pk-xfer ca certup -u alice \
	    --pass-file alice.pass -i alice.csr "$ADDR"
	assert_equal "$stderr" \
	    "pk-xfer: $ADDR: error: certificate: malformed request or certificate"
	# Nothing was stored.
	run -1 --separate-stderr pk-xfer ca certreq -u alice \
	    --pass-file alice.pass -o got.crt "$ADDR" alicf
	assert_equal "$stderr" "pk-xfer: $ADDR: alicf certificate does not exist"
}

@test "ca: CERTUP stores a certificate, CERTREQ fetches it or says it does not exist" {
	ca_start
	enroll alice
	pk-xfer ca register -u bob --pass-file bob.pass "$ADDR" 2> /dev/null
	run -1 --separate-stderr pk-xfer ca certreq -u bob \
	    --pass-file bob.pass -o got.crt "$ADDR" carol
	assert_equal "$stderr" "pk-xfer: $ADDR: carol certificate does not exist"
	[ ! -e got.crt ]
	run -0 --separate-stderr pk-xfer ca certreq -u bob \
	    --pass-file bob.pass -o got.crt "$ADDR" alice
	cmp got.crt alice.crt
	run -0 --separate-stderr pk-xfer ca certup -u alice \
	    --pass-file alice.pass -i alice.crt -n alice.backup "$ADDR"
	assert_equal "$stderr" "ack: stored for alice.backup"
	pk-xfer ca certreq -u bob --pass-file bob.pass -o backup.crt "$ADDR" \
	    alice.backup 2> /dev/null
	cmp backup.crt alice.crt
	run -0 sqlite3 state/protokit.db \
	    "SELECT name, sent_by, how FROM certs ORDER BY name"
	assert_output "alice|alice|CSR
alice.backup|alice|CERTUP"
}

@test "ca: weakness: signed in as alice, a CSR for CN=bob gets bob's certificate" {
	ca_start
	enroll bob
	pk-xfer ca register -u alice --pass-file alice.pass "$ADDR" 2> /dev/null
	# alice's key, bob's name: the CA signs it and files it as bob's.
	pk-keygen csr -k alice.key -subj /CN=bob -o fake-bob.csr
	run -0 pk-xfer ca csr -u alice --pass-file alice.pass -i fake-bob.csr \
	    -o fake-bob.crt "$ADDR"
	run -0 openssl verify -CAfile ca.crt fake-bob.crt
	grep -q 'alice (as alice): CSR for CN=bob: certificate issued' relay.log
	pk-xfer ca certreq -u alice --pass-file alice.pass -o now-bob.crt \
	    "$ADDR" bob 2> /dev/null
	cmp now-bob.crt fake-bob.crt
	[ "$(openssl x509 -in now-bob.crt -noout -pubkey)" = "$(cat alice.pub)" ]
}

@test "ca: weakness: CERTUP lets alice overwrite bob's certificate" {
	ca_start
	enroll bob
	enroll alice
	run -0 pk-xfer ca certup -u alice --pass-file alice.pass -i alice.crt \
	    -n bob "$ADDR"
	pk-xfer ca certreq -u bob --pass-file bob.pass -o got.crt "$ADDR" bob \
	    2> /dev/null
	cmp got.crt alice.crt
	# A sender that checks the name refuses it.
	echo chatpw > chat.pass
	run -1 --separate-stderr pk-xfer ca connect -u alice \
	    --pass-file alice.pass --ca ca.crt --to bob \
	    --chat-pass file:chat.pass "$ADDR" 127.0.0.1:9 < /dev/null
	assert_equal "${stderr_lines[-1]}" \
	    "pk-xfer: $ADDR: the certificate sent for bob is CN=alice"
}

@test "ca: peer chat both ways; the wire decrypts with openssl enc -aes-256-cbc" {
	ca_start
	enroll alice
	enroll bob
	echo "correct horse" > chat.pass
	# alice -> bob (bob's key is legacy encrypted PEM, as the original's).
	ca_listen bob --pass-file bob.pass
	run -0 --separate-stderr pk-xfer ca connect -u alice \
	    --pass-file alice.pass --ca ca.crt --to bob \
	    --chat-pass file:chat.pass "$ADDR" "$LADDR" <<-EOF
		hello bob
		a second message, longer than one AES block
	EOF
	assert_equal "${stderr_lines[-1]}" "certificate of bob verified against ca.crt"
	ca_listened
	[ "$LSTATUS" = 0 ]
	grep -qx "message: hello bob" bob.listen
	grep -qx "message: a second message, longer than one AES block" bob.listen
	# The same bytes with openssl: key SHA-256(password), the IV sent.
	local key iv ct
	key=$(printf 'correct horse' | sha256sum | cut -c1-64)
	iv=$(sed -n 's/^iv: //p' bob.listen | head -1)
	ct=$(sed -n 's/^encrypted message: //p' bob.listen | head -1)
	run -0 sh -c "echo $ct | xxd -r -p | openssl enc -d -aes-256-cbc -K $key -iv $iv"
	assert_output "hello bob"
	# A wrong guess of the password fails the padding check (usually).
	key=$(printf 'correct horsf' | sha256sum | cut -c1-64)
	run sh -c "echo $ct | xxd -r -p | openssl enc -d -aes-256-cbc -K $key -iv $iv"
	refute_output "hello bob"
	# Roles swap: bob -> alice.
	ca_listen alice
	run -0 pk-xfer ca connect -u bob --pass-file bob.pass --ca ca.crt \
	    --to alice --chat-pass file:chat.pass "$ADDR" "$LADDR" <<< "hi alice"
	ca_listened
	[ "$LSTATUS" = 0 ]
	grep -qx "message: hi alice" alice.listen
}

@test "ca: peer chat fails cleanly: wrong key, wrong key passphrase, foreign CA" {
	ca_start
	enroll alice
	enroll bob
	echo chatpw > chat.pass
	# bob listens with mallory's key: the password does not unwrap.
	cp mallory.key bob-wrong.key
	ca_listen bob-wrong
	pk-xfer ca connect -u alice --pass-file alice.pass --ca ca.crt --to bob \
	    --chat-pass file:chat.pass "$ADDR" "$LADDR" <<< "hello" 2> /dev/null
	ca_listened
	[ "$LSTATUS" = 1 ]
	run cat bob-wrong.lerr
	assert_output "pk-xfer: sender: the password does not unwrap with bob-wrong.key"
	# A wrong passphrase for bob's legacy PEM key.
	run -1 --separate-stderr pk-xfer ca listen -k bob.key \
	    --pass-file alice.pass
	assert_equal "$stderr" "pk-xfer: bob.key: wrong passphrase or corrupt key"
	assert_output ""
	# The receiver's certificate checked against another CA.
	run -1 --separate-stderr pk-xfer ca connect -u alice \
	    --pass-file alice.pass --ca other.crt --to bob \
	    --chat-pass file:chat.pass "$ADDR" 127.0.0.1:9 < /dev/null
	assert_equal "${stderr_lines[-1]}" \
	    "pk-xfer: $ADDR: the certificate of bob does not verify against other.crt: issuer does not match the CA certificate"
}

@test "ca: a malformed CSR closes that client while another is served" {
	ca_start
	enroll alice
	# Client A signs in and waits; client B sends garbage as a CSR.
	exec 5<> "/dev/tcp/127.0.0.1/$RELAY_PORT"
	{ frame alice; frame alicepw; } >&5
	wait_log 'alice signed in after 0 wrong passwords'
	run -1 --separate-stderr pk-xfer ca csr -u alice --pass-file alice.pass \
	    -i alice.pub "$ADDR"
	assert_equal "$stderr" \
	    "pk-xfer: $ADDR: error: certificate request: malformed request or certificate"
	printf -- '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n' > cut.csr
	run -1 pk-xfer ca csr -u alice --pass-file alice.pass -i cut.csr "$ADDR"
	# A's request, in lower case as the latest original allowed; then
	# a path trick, which closes A.
	{ frame "$(printf 'certreq alice\nalice')"; frame "$(printf 'CERTREQ alice\n../ca')"; } >&5
	run -0 sh -c 'cat <&5 | tr -d "\\000"'
	assert_output --partial "-----BEGIN CERTIFICATE-----"
	assert_output --partial "error: request: "
	exec 5>&-
	[ "$(grep -c 'protocol error:' relay.log)" = 3 ]
	kill -0 "$RELAY_PID"
}

@test "ca: the relay refuses to start without its key or root, naming the file" {
	rm state/ca.crt
	run -2 --separate-stderr pk-relay -d state ca@127.0.0.1:0
	assert_equal "${stderr_lines[-1]}" "pk-relay: ca: cannot start the service"
	assert_output ""
	echo "${stderr_lines[-2]}" | grep -q 'state/ca.crt: No such file or directory (make it with pk-keygen selfsign'
	cp other.crt state/ca.crt
	run -2 --separate-stderr pk-relay -d state ca@127.0.0.1:0
	echo "${stderr_lines[-2]}" | grep -q 'state/ca.crt: not the certificate of state/ca.key'
	cp ca.crt state/ca.crt
	echo wrong > state/ca.pass
	run -2 --separate-stderr pk-relay -d state ca@127.0.0.1:0
	echo "${stderr_lines[-2]}" | grep -q 'ca.key'
}

@test "ca: pk-xfer ca --help lists the steps and the exit codes; no password on argv" {
	run -0 pk-xfer ca --help
	assert_line --partial "usage: pk-xfer [--trace] [-t sec] [-C dir] ca [pass-option] host:port"
	assert_line --partial "Exit codes: 0 ok"
	run -2 --separate-stderr pk-xfer ca csr -i x 127.0.0.1:1
	assert_equal "$stderr" "pk-xfer: ca csr: missing -u name"
	run -2 --separate-stderr pk-xfer ca login -u alice 127.0.0.1:1 < /dev/null
	assert_equal "$stderr" "pk-xfer: no terminal to ask for the password: give it in a file, an fd or the environment (see --help)"
	run -2 --separate-stderr pk-xfer ca connect -u alice --ca ca.crt \
	    --to bob --chat-pass secret 127.0.0.1:1 127.0.0.1:2
	assert_equal "$stderr" \
	    "pk-xfer: --chat-pass secret: want file:path, fd:N or env:var"
	run -0 pk-relay --help
	assert_line --partial "--pss"
}

@test "protokit run ca: every step numbered, certificates verified, chat both ways, directory removed" {
	export TMPDIR="$BATS_TEST_TMPDIR/tmp"
	mkdir "$TMPDIR"
	run -0 --separate-stderr protokit run ca --pss
	for i in 1 2 3 4 5 6 7 8 9 10; do
		assert_line --regexp "^==> $i/10 "
	done
	assert_line '    state/ca.crt: OK'
	assert_line '    alice.crt: OK'
	assert_line '    bob.crt: OK'
	assert_line '    alice.fetched.crt: OK'
	assert_line '    CA protokit-ca, 2048-bit key, signing with RSASSA-PSS'
	assert_line '    message: hello bob, this is alice'
	assert_line '    message: hi alice, bob here'
	[ "$(grep -c '^    hello bob, this is alice$' <<< "$output")" -eq 1 ]
	assert_line 'protokit-ca: ok'
	[ -z "$(ls -A "$TMPDIR")" ]
}

@test "ca: help at the operation prompt lists the seed README's operations" {
	ca_start
	pk-xfer ca register -u alice --pass-file alice.pass "$ADDR" 2> /dev/null
	run -0 pk-xfer ca --pass-file alice.pass "$ADDR" <<-EOF
		alice
		help

		certreq
		nobody
		y
	EOF
	assert_line --partial "Operations (as the original's README describes them; any case):"
	assert_line "  CSR      certificate signing request: your public key (a PEM"
	assert_line "  CERTUP   certificate upload: a certificate of this CA and the id"
	assert_line "  CERTREQ  certificate request: the id whose certificate you want;"
	assert_line --partial "nobody certificate does not exist"
	refute_line --partial "unknown operation"
}

@test "ca: the interactive client saves the certificate after CSR and CERTREQ, never over a file" {
	ca_start
	pk-xfer ca register -u alice --pass-file alice.pass "$ADDR" 2> /dev/null
	rm -f alice.crt
	echo keep > taken.crt
	# CSR: Enter takes <CN>.crt; CERTREQ: a name that exists is asked again.
	run -0 pk-xfer ca --pass-file alice.pass "$ADDR" <<-EOF
		alice
		CSR
		nosuch.csr
		CSR
		alice.csr

		n
		CERTREQ
		alice
		taken.crt
		fetched.crt
		y
	EOF
	assert_line --partial "nosuch.csr: No such file or directory"
	assert_line --partial "certificate saved as alice.crt"
	assert_line --partial "taken.crt already exists: not replaced"
	assert_line --partial "certificate saved as fetched.crt"
	run -0 openssl verify -CAfile ca.crt alice.crt
	cmp alice.crt fetched.crt
	[ "$(cat taken.crt)" = keep ]
	[ "$(stat -c %a alice.crt)" = 600 ]
}

@test "ca: the csr step saves <CN>.crt without -o, refuses to replace it, and -o - prints" {
	ca_start
	pk-xfer ca register -u alice --pass-file alice.pass "$ADDR" 2> /dev/null
	rm -f alice.crt
	run -0 --separate-stderr pk-xfer ca csr -u alice --pass-file alice.pass \
	    -i alice.csr "$ADDR"
	assert_equal "$stderr" "certificate saved as alice.crt"
	assert_equal "$output" ""
	run -0 openssl verify -CAfile ca.crt alice.crt
	run -2 --separate-stderr pk-xfer ca csr -u alice --pass-file alice.pass \
	    -i alice.csr "$ADDR"
	assert_equal "$stderr" "pk-xfer: alice.crt exists: give -o file (- is stdout)"
	run -0 --separate-stderr pk-xfer ca csr -u alice --pass-file alice.pass \
	    -i alice.csr -o - "$ADDR"
	assert_line --index 0 "-----BEGIN CERTIFICATE-----"
}

@test "ca: an unreadable CA passphrase is logged naming its source, not an option pk-relay lacks" {
	local long
	long=$(head -c 5000 /dev/zero | tr '\0' a)
	PK_CA_PASS=$long run -2 --separate-stderr pk-relay -d state ca@127.0.0.1:0
	assert_equal "${stderr_lines[-1]}" "pk-relay: ca: cannot start the service"
	[[ ${stderr_lines[-2]} == *"Z ca \$PK_CA_PASS: File too large" ]]
	PK_CA_PASS='' run -2 --separate-stderr pk-relay -d state ca@127.0.0.1:0
	[[ ${stderr_lines[-2]} == *"Z ca empty passphrase" ]]
	rm state/ca.pass
	run -2 --separate-stderr pk-relay -d state ca@127.0.0.1:0
	[[ ${stderr_lines[-2]} == *"Z ca state/ca.pass: No such file or directory" ]]
}

@test "ca: a reply trickling in byte by byte still ends at -t (one deadline per reply)" {
	local i line port
	# A fake CA: announces a 30-byte frame, then sends a byte every 0.3 s.
	# shellcheck disable=SC2016 # the loop is for the fake's shell
	printf '%s\n' "printf '\\000\\000\\000\\036'" \
	    'for i in $(seq 30); do printf x; sleep 0.3; done' > trickle.sh
	socat -d -d TCP-LISTEN:0,bind=127.0.0.1 SYSTEM:"sh trickle.sh" \
	    2> socat.log 3>&- &
	LPID=$!
	for ((i = 0; i < 100; i++)); do
		line=$(grep -m1 ' listening on ' socat.log) && break
		sleep 0.05
	done
	port=${line##*:}
	run -2 --separate-stderr pk-xfer -t 1 ca login -u alice \
	    --pass-file alice.pass "127.0.0.1:$port"
	assert_equal "$stderr" "pk-xfer: 127.0.0.1:$port: no answer in 1 s"
}

@test "ca: a listener that dies waiting for a sender leaves no trace of its key" {
	core_at_exit pk-xfer -t 1 ca listen -k alice.key
	grep -q "^pk-xfer: no sender connected in 1 s" core.log
	run -1 key_in_core alice.key
}
