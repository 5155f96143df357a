# The one trace of the vault protocol (issue 13 item 1): pk-xfer vault
# and pk-relay's vault service, --trace (text) and --trace-json, both
# through lib/vaulttrace.c: every field of docs/vault.md's "Fields on the
# wire" table and nothing unnamed, the public key's fingerprint as openssl
# computes it, the plaintext under the ciphertext where the side holds the
# session key, a long upload's text elided but its JSON whole, malformed
# frames marked, and bin/protokit-vault passing both options.

load helpers

setup() {
	start_relay --trace --trace-json "$BATS_TEST_TMPDIR/relay.json" \
	    vault@127.0.0.1:0
}

teardown() {
	stop_relay
}

# client DIR NAME SIZE: a client directory with transfer.info and a
# SIZE-byte data.bin.
client() {
	mkdir -p "$1"
	make_file "$1/data.bin" "$3"
	printf '127.0.0.1:%s\n%s\ndata.bin\n' "$RELAY_PORT" "$2" \
	    > "$1/transfer.info"
}

# xfer ARGS...: pk-xfer with its JSON trace appended to ../client.json.
xfer() {
	pk-xfer --trace-json "$BATS_TEST_TMPDIR/client.json" "$@"
}

# plain_of JSON: the bytes of every plaintext and padding field of JSON's
# 828 frames, in order, on stdout.
plain_of() {
	jq -r 'select(.step == "send_file") | .fields[] |
	    select(.name == "plaintext" or .name == "pkcs7_padding") | .hex' \
	    "$1" | tr -d '\n' | xxd -r -p
}

# pkcs7 FILE: FILE and its PKCS#7 padding to 16 bytes, on stdout.
pkcs7() {
	local n
	n=$((16 - $(stat -c %s "$1") % 16))
	cat "$1"
	printf "$(printf '\\x%02x' "$n")%.0s" $(seq "$n")
}

@test "trace-vault: a full run's JSON traces, pk-xfer's and pk-relay's, name every field of docs/vault.md's table and nothing else" {
	client alice alice 3000
	cd alice
	run -0 xfer vault register
	run -1 xfer vault register alice
	pk-keygen rsa -b 1024 -e 17 --no-pass -o k
	run -0 xfer vault pubkey -k k.key -o aes.wrapped
	pk-wrap -d --oaep-sha1 -k k.key < aes.wrapped > aes.key
	pk-aes-cbc -e --zero-iv --raw-key -k aes.key < data.bin > data.enc 2> /dev/null
	run -0 xfer vault send < data.enc
	run -0 xfer vault ack retry
	run -0 xfer vault send --flip-byte 5 < data.enc
	run -0 xfer vault ack fail
	run -0 xfer vault client
	run -1 xfer vault ack ok --name nosuch
	cd ..
	# bob's me.info names an id the relay never gave: 1606, then 826.
	client bob bob 100
	printf 'bob\n%s\n' 0123456789abcdef0123456789abcdef > bob/me.info
	cd bob
	run -0 xfer vault reconnect -o aes.wrapped
	cd ..
	stop_relay
	assert_equal "$RELAY_STATUS" 0
	trace_check "$PK_ROOT/docs/vault.md" client.json
	trace_check "$PK_ROOT/docs/vault.md" relay.json
	# Each side shows each frame once: the same steps, in the same order.
	[ "$(jq -r .step client.json | grep -c .)" -gt 30 ]
	diff <(jq -r .step client.json) <(jq -r .step relay.json)
}

@test "trace-vault: the public key's fingerprint in the text trace is openssl's SHA-256 of its SubjectPublicKeyInfo" {
	client alice alice 100
	cd alice
	pk-xfer vault register > /dev/null
	pk-keygen rsa -b 1024 -e 17 --no-pass -o k
	run -0 --separate-stderr pk-xfer --trace vault pubkey -k k.key -o w
	fp=$(openssl pkey -pubin -in k.pub -outform DER | sha256sum | cut -d' ' -f1)
	[ ${#fp} -eq 64 ]
	grep -qE "^    public_key +278 +160  160 bytes  \(sha256:$fp\)\$" <<< "$stderr"
	grep -qE "^    public_key +278 +160  160 bytes  \(sha256:$fp\)\$" \
	    "$BATS_TEST_TMPDIR/relay.log"
}

@test "trace-vault: the plaintext under the ciphertext where the side holds the key: client and relay, none for send" {
	client alice alice 3000
	cd alice
	run -0 --separate-stderr xfer --trace vault client
	# pk-xfer vault client holds the key: the JSON's plaintext is the
	# file and its padding, the text labels the key and the IV.
	cmp <(plain_of "$BATS_TEST_TMPDIR/client.json") <(pkcs7 data.bin)
	grep -qE '^    plaintext +- +1024  1024 bytes  \(AES-256-CBC, the session key, IV zero\)$' <<< "$stderr"
	grep -qE '^    plaintext +- +952  952 bytes  \(AES-256-CBC, the session key, IV = the last ciphertext block of packet 1\)$' <<< "$stderr"
	grep -qE '^    pkcs7_padding +- +8  08 08 08 08 08 08 08 08  \(PKCS#7: the last byte says how many to strip\)$' <<< "$stderr"
	grep -qE '^    zero_fill +1250 +64  64 bytes  \(after the last ciphertext byte\)$' <<< "$stderr"
	# So does the relay.
	cmp <(plain_of "$BATS_TEST_TMPDIR/relay.json") <(pkcs7 data.bin)
	grep -qE '^    plaintext +- +1024  1024 bytes  \(AES-256-CBC, the session key, IV zero\)$' \
	    "$BATS_TEST_TMPDIR/relay.log"
	# pk-xfer vault send has only the ciphertext: no plaintext.
	: > "$BATS_TEST_TMPDIR/client.json"
	: > "$BATS_TEST_TMPDIR/relay.json"
	pk-xfer vault reconnect -o w
	base64 -d priv.key > k.der
	pk-wrap -d --oaep-sha1 -k k.der < w > aes.key
	pk-aes-cbc -e --zero-iv --raw-key -k aes.key < data.bin > data.enc 2> /dev/null
	run -0 --separate-stderr xfer --trace vault send < data.enc
	grep -q ' vault send_file: 1314 bytes$' <<< "$stderr"
	[ "$(grep -c plaintext <<< "$stderr")" -eq 0 ]
	[ "$(jq -r 'select(.step == "send_file") | .fields[].name' \
	    "$BATS_TEST_TMPDIR/client.json" | grep -c '^content$')" -eq 3 ]
	[ -z "$(plain_of "$BATS_TEST_TMPDIR/client.json")" ]
	cmp <(plain_of "$BATS_TEST_TMPDIR/relay.json") <(pkcs7 data.bin)
	# A text file's plaintext is shown as text.
	: > "$BATS_TEST_TMPDIR/client.json"
	printf 'hello, vault\n' > data.bin
	run -0 --separate-stderr xfer --trace vault client
	grep -qxF '    plaintext               -    13  68 65 6c 6c 6f 2c 20 76 61 75 6c 74 0a  "hello, vault\n" (AES-256-CBC, the session key, IV zero)' <<< "$stderr"
	cmp <(plain_of "$BATS_TEST_TMPDIR/client.json") <(pkcs7 data.bin)
}

@test "trace-vault: a long upload's text shows its first and last packet and one line for the rest; the JSON has every packet" {
	client alice alice 5000
	cd alice
	run -0 --separate-stderr xfer --trace vault client
	[ "$(grep -cE '^[0-9:.]+ >>> 127\.0\.0\.1:[0-9]+ vault send_file: 1314 bytes$' <<< "$stderr")" -eq 2 ]
	grep -qx '>>> vault send_file: packets 1 .. 3 of 5 sent, not shown here (the same fields, packet_number counting up); every one is in --trace-json' <<< "$stderr"
	assert_equal "$(jq -r 'select(.step == "send_file") | .fields[] |
	    select(.name == "packet_number") | .value' \
	    "$BATS_TEST_TMPDIR/client.json" | tr '\n' ' ')" "0 1 2 3 4 "
	# The relay shows every packet in text too.
	[ "$(grep -cE '^[0-9:.]+ <<< 127\.0\.0\.1:[0-9]+ vault send_file: 1314 bytes$' "$BATS_TEST_TMPDIR/relay.log")" -eq 5 ]
}

@test "trace-vault: the text trace names each field with its offset, length, hex and value" {
	client alice alice 100
	cd alice
	run -0 --separate-stderr pk-xfer --trace vault register
	grep -qE '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6} >>> 127\.0\.0\.1:[0-9]+ vault register: 278 bytes$' <<< "$stderr"
	printf '%s\n' \
	    '    client_id               0    16  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00' \
	    '    version                16     1  03  3' \
	    '    code                   17     2  39 03  825 (register)' \
	    '    payload_size           19     4  ff 00 00 00  255' \
	    '    name                   23     5  61 6c 69 63 65  "alice"' \
	    '    name_padding           28   250  250 bytes  (NULs to 255 bytes)' \
	    '    version                 0     1  03  3' \
	    '    code                    1     2  40 06  1600 (registered)' \
	    '    payload_size            3     4  10 00 00 00  16' \
	    "    client_id               7    16  $(sed -n 2p me.info | sed 's/../& /g; s/ $//')" \
	    > want
	while IFS= read -r l; do
		grep -qxF -- "$l" <<< "$stderr" || {
			echo "not traced: $l" >&2
			return 1
		}
	done < want
	grep -qE '^[0-9:.]+ <<< 127\.0\.0\.1:[0-9]+ vault register: 278 bytes$' \
	    "$BATS_TEST_TMPDIR/relay.log"
	grep -qE '^[0-9:.]+ >>> 127\.0\.0\.1:[0-9]+ vault registered: 23 bytes$' \
	    "$BATS_TEST_TMPDIR/relay.log"
}

@test "trace-vault: pk-relay --trace marks a malformed request and still answers 1607" {
	exec {fd}<> "/dev/tcp/127.0.0.1/$RELAY_PORT"
	# Version 2: the header alone is shown, marked.
	printf '\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x02\x39\x03\xff\0\0\0' >&"$fd"
	head -c 7 <&"$fd" > reply
	exec {fd}>&-
	assert_equal "$(od -An -tx1 reply | tr -d ' \n')" 03470600000000
	wait_file "$BATS_TEST_TMPDIR/relay.log" 'server_error'
	grep -qE '^[0-9:.]+ <<< 127\.0\.0\.1:[0-9]+ vault register: 23 bytes, malformed: version is not 3 \(faithful\) or 4 \(hardened\)$' \
	    "$BATS_TEST_TMPDIR/relay.log"
	assert_equal "$(jq -r 'select(.direction == "received") | .malformed' \
	    "$BATS_TEST_TMPDIR/relay.json")" "version is not 3 (faithful) or 4 (hardened)"
}

@test "trace-vault: protokit run vault --trace --trace-json FILE: the frames between the steps, every one in FILE" {
	run -0 --separate-stderr protokit run vault --trace --trace-json "$BATS_TEST_TMPDIR/run.json"
	assert_line --regexp "^    \\$ pk-xfer --trace --trace-json '.*/run\\.json' --trace-as alice vault register\$"
	grep -qE '^[0-9:.]+ >>> 127\.0\.0\.1:[0-9]+ vault register: 278 bytes$' <<< "$stderr"
	grep -qE '^[0-9:.]+ <<< 127\.0\.0\.1:[0-9]+ vault reconnect_approved: 151 bytes$' <<< "$stderr"
	assert_equal "$(jq -r .step "$BATS_TEST_TMPDIR/run.json" | sort -u | tr '\n' ' ')" \
	    "aes_key crc_ok file_received reconnect reconnect_approved register registered send_file send_public_key thanks "
	[ -z "$(jq -r 'select(.malformed != null)' "$BATS_TEST_TMPDIR/run.json")" ]
}
