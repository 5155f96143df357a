#!/usr/bin/env bats
# The relay's vault service over loopback, on raw bytes: requests built
# with printf (tests/vault-helpers.bash), sent with socat, answers read
# with od.  The client side, pk-xfer, has its own tests (vault.bats).

load helpers
load vault-helpers

MAX_FILE=1048576

setup_file() {
	KEYDIR="$BATS_FILE_TMPDIR"
	pk-keygen rsa --no-pass -b 1024 -e 17 -o "$KEYDIR/k"
	pk-keygen pub --der -i "$KEYDIR/k.key" > "$KEYDIR/k.der"
	export KEYDIR
}

setup() {
	start_relay --max-file "$MAX_FILE" vault@127.0.0.1:0
	DB="$BATS_TEST_TMPDIR/state/protokit.db"
	FILES="$BATS_TEST_TMPDIR/state/files/vault"
}

# The relay must stop cleanly (under SAN=address,undefined: no leak).
teardown() {
	stop_relay
	[ "$RELAY_STATUS" -eq 0 ] || {
		cat relay.log >&2
		return 1
	}
}

sql() {
	sqlite3 "$DB" "$1"
}

# upload ID NAME PLAIN: sends every 828 of PLAIN encrypted with $AES and
# checks the 1603 (id, size, name, GNU cksum's CRC).
upload() {
	local want
	vencrypt "$3" "$3.enc"
	vpackets "$1" "$2" "$3.enc" "$(stat -c %s "$3")" > up.bin
	vround up.bin
	want=$(want1603 "$1" "$2" "$3.enc" "$3")
	[ "$RESP" = "$want" ] || {
		echo "upload $2: got  $RESP" >&2
		echo "upload $2: want $want" >&2
		return 1
	}
}

# answer ID CODE NAME: 900, 901 or 902 on a connection of its own.
answer() {
	vreq "$1" "$2" "$3" > ans.bin
	vround ans.bin
}

@test "vault-server: 825 answers 1600 with a new UUID4, a taken name 1601 on the same connection" {
	{ vreq "$ZERO_ID" 825 alice; vreq "$ZERO_ID" 825 alice; } > two.bin
	vround two.bin
	assert_equal "${RESP:0:14}" "$R1600"
	id=${RESP:14:32}
	assert_equal "${RESP:46}" "$R1601"
	# Version nibble 4, variant bits 10.
	assert_equal "${id:12:1}" 4
	[[ ${id:16:1} == [89ab] ]]
	vregister bob
	[ "$ID" != "$id" ]
	run sql "SELECT lower(hex(id)), name, public_key IS NULL, aes_key IS NULL
	    FROM clients WHERE name = 'alice'"
	assert_output "$id|alice|1|1"
	run sql "SELECT last_seen FROM clients WHERE name = 'alice'"
	assert_output --regexp '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
	grep -q "register alice id=$id" relay.log
	grep -q "name taken alice" relay.log
}

@test "vault-server: 826 stores the public key and answers 1602 with an AES key openssl unwraps to 32 bytes" {
	vregister alice
	vkey "$ID" alice
	assert_equal "${RESP:14:32}" "$ID"
	assert_equal "${#RESP}" $(((7 + 144) * 2))
	assert_equal "${#AES}" 64
	run sql "SELECT lower(hex(public_key)), lower(hex(aes_key)) FROM clients
	    WHERE name = 'alice'"
	assert_output "$(hexof "$KEYDIR/k.der")|$AES"
	first=$AES
	# A second 826 makes a fresh key.
	vkey "$ID" alice
	[ "$AES" != "$first" ]
	grep -q "pubkey alice" relay.log
}

# reconnect_denied OLD_ID NAME: 827 as the original client sends it, on a
# connection kept open; wants 1606 with a new id (sets ID), then sends 826
# with that id on the same connection and wants 1602 (sets AES).
reconnect_denied() {
	local fd
	exec {fd}<> "/dev/tcp/127.0.0.1/$RELAY_PORT"
	vreq "$1" 827 "$2" >&"$fd"
	RESP=$(od -An -v -tx1 -N 23 <&"$fd" | tr -d ' \n')
	[ "${RESP:0:14}" = "$R1606" ] || {
		echo "reconnect $2: $RESP" >&2
		exec {fd}>&-
		return 1
	}
	ID=${RESP:14:32}
	vpubkey "$ID" "$2" "$KEYDIR/k.der" >&"$fd"
	RESP=$(od -An -v -tx1 -N 151 <&"$fd" | tr -d ' \n')
	exec {fd}>&-
	[ "${RESP:0:46}" = "$R1602$ID" ] || {
		echo "pubkey $2 after 1606: $RESP" >&2
		return 1
	}
	vunwrap "${RESP:46:256}"
}

@test "vault-server: 827 gets 1605 and a new AES key; an unknown id, another name or no key gets 1606 with a new id, then 826 on that connection" {
	vregister alice
	vkey "$ID" alice
	first=$AES
	alice=$ID
	answer "$ID" 827 alice
	assert_equal "${RESP:0:46}" "$R1605$ID"
	vunwrap "${RESP:46:256}"
	[ "$AES" != "$first" ]
	run sql "SELECT lower(hex(aes_key)) FROM clients WHERE name = 'alice'"
	assert_output "$AES"
	# An unknown id: the name is registered under a new id.
	unknown=0123456789abcdef0123456789abcdef
	reconnect_denied "$unknown" carol
	[ "$ID" != "$unknown" ]
	run sql "SELECT name, lower(hex(aes_key)) FROM clients
	    WHERE lower(hex(id)) = '$ID'"
	assert_output "carol|$AES"
	grep -q "reconnect carol denied: registered again id=$ID" relay.log
	# Alice's id with another name: that name, a new id; alice stays.
	reconnect_denied "$alice" mallory
	[ "$ID" != "$alice" ]
	# Registered without a key: the old record goes, a new id comes.
	vregister bob
	bob=$ID
	reconnect_denied "$bob" bob
	[ "$ID" != "$bob" ]
	run sql "SELECT name, public_key IS NOT NULL FROM clients ORDER BY name"
	assert_output "alice|1
bob|1
carol|1
mallory|1"
	# The name of another id: 1607, and the relay says why.
	answer "$unknown" 827 alice
	assert_equal "$RESP" "$R1607"
	grep -q "protocol error: reconnect alice denied: the name belongs to another client id" relay.log
	grep -q "reconnect alice ok" relay.log
}

@test "vault-server: an upload encrypted by openssl gets 1603 with GNU cksum's CRC; 900 keeps the file" {
	vregister alice
	vkey "$ID" alice
	# 5000 bytes: a partial last packet; 300000: several buffered writes.
	for size in 5000 300000; do
		make_file "plain$size" "$size"
		upload "$ID" "report-$size.txt" "plain$size"
		# Decrypted into a dot-file until the CRC is confirmed.
		run compgen -G "$FILES/$ID/.report-$size.txt.??????"
		assert_success
		[ ! -e "$FILES/$ID/report-$size.txt" ]
		answer "$ID" 900 "report-$size.txt"
		assert_equal "$RESP" "$R1604$ID"
		cmp "plain$size" "$FILES/$ID/report-$size.txt"
	done
	run ls -A "$FILES/$ID"
	assert_output "$(printf 'report-300000.txt\nreport-5000.txt')"
	run stat -c %a "$FILES/$ID" "$FILES/$ID/report-5000.txt"
	assert_output "$(printf '700\n600')"
	run sql "SELECT file_name, path_name, verified FROM files ORDER BY 1"
	assert_output "$(printf '%s\n' \
	    "report-300000.txt|files/vault/$ID/report-300000.txt|1" \
	    "report-5000.txt|files/vault/$ID/report-5000.txt|1")"
	grep -q "upload report-5000.txt done cksum=$(cksum < plain5000 |
	    cut -d' ' -f1)" relay.log
	grep -q "crc ok report-5000.txt" relay.log
}

@test "vault-server: 901 drops the file for a resend, a 4th 901 is refused; 902 discards the file" {
	vregister alice
	vkey "$ID" alice
	make_file plain 100
	upload "$ID" f.txt plain
	want=$RESP
	# Three rounds of upload + 901 (no answer), then a 4th 901: 1607.
	for i in 1 2 3 4; do
		vpackets "$ID" f.txt plain.enc 100
		vreq "$ID" 901 f.txt
	done > retries.bin
	vround retries.bin
	assert_equal "$RESP" "$want$want$want$want$R1607"
	grep -q "protocol error: CRC retry for f.txt after 3 tries" relay.log
	run ls -A "$FILES/$ID"
	assert_output ""
	# 902: thanks, and nothing is kept.
	upload "$ID" g.txt plain
	answer "$ID" 902 g.txt
	assert_equal "$RESP" "$R1604$ID"
	run ls -A "$FILES/$ID"
	assert_output ""
	run sql "SELECT count(*) FROM files"
	assert_output 0
	grep -q "crc fail g.txt" relay.log
}

@test "vault-server: a 9th file awaiting its CRC answer drops the client's oldest" {
	vregister alice
	vkey "$ID" alice
	make_file plain 100
	vencrypt plain plain.enc
	for i in 1 2 3 4 5 6 7 8 9; do
		vpackets "$ID" "f$i" plain.enc 100
	done > nine.bin
	vround nine.bin
	assert_equal "${#RESP}" $((9 * (7 + 279) * 2))
	grep -q "dropped f1: too many files in flight for its client" relay.log
	answer "$ID" 900 f1
	assert_equal "$RESP" "$R1607"
	answer "$ID" 900 f9
	assert_equal "$RESP" "$R1604$ID"
	run ls -A "$FILES/$ID"
	assert_equal "${#lines[@]}" 8
}

@test "vault-server: a ciphertext with bad padding gets 1607 and leaves no file" {
	vregister alice
	vkey "$ID" alice
	# Zeros decrypt to a last byte 0: never valid padding.
	head -c 64 /dev/zero > plain
	openssl enc -aes-256-cbc -nopad -K "$AES" \
	    -iv 00000000000000000000000000000000 -in plain -out bad.enc
	vpackets "$ID" f.txt bad.enc 64 > up.bin
	vround up.bin
	assert_equal "$RESP" "$R1607"
	grep -q "protocol error: f.txt: the ciphertext does not decrypt" relay.log
	run ls -A "$FILES/$ID"
	assert_output ""
}

@test "vault-server: a file of exactly --max-file bytes is taken, one padding block more is not" {
	stop_relay
	start_relay --max-file 4096 vault@127.0.0.1:0
	vregister alice
	vkey "$ID" alice
	make_file plain 4096
	upload "$ID" max.bin plain
	vpacket "$ID" over.bin 4128 4097 0 5 > over.bin
	vround over.bin
	assert_equal "$RESP" "$R1607"
	grep -q "protocol error: content size 4128 above --max-file" relay.log
}

# bad LABEL BYTES_FILE: the request gets exactly 1607 and nothing else: a
# valid 825 sent after it on the same connection is never answered.
bad() {
	vreq "$ZERO_ID" 825 "after-$1" >> "$2"
	vround "$2"
	[ "$RESP" = "$R1607" ] || {
		echo "$1: $RESP" >&2
		return 1
	}
	nbad=$((nbad + 1))
}

@test "vault-server: every malformed request gets 1607 and closes that client only" {
	vregister bob
	bob=$ID
	vregister alice
	vkey "$ID" alice
	a=$ID
	u=0123456789abcdef0123456789abcdef
	nbad=0
	# A client connected throughout, served at the end.
	exec {other}<> "/dev/tcp/127.0.0.1/$RELAY_PORT"

	{ vhdr "$ZERO_ID" 825 255 2; vname x; } > c && bad version c
	{ vhdr "$ZERO_ID" 824 255; vname x; } > c && bad code c
	{ vhdr "$ZERO_ID" 1600 16; vhex "$a"; } > c && bad response-code c
	{ vhdr "$ZERO_ID" 825 256; vname x; printf x; } > c && bad size c
	{ vhdr "$ZERO_ID" 828 255; vname x; } > c && bad size-828 c
	vreq "$ZERO_ID" 825 "$(printf 'a%.0s' {1..255})" > c && bad nul c
	vreq "$ZERO_ID" 825 "" > c && bad empty c
	vpacket "$a" f 1024 1000 1 1 > c && bad number c
	vpacket "$a" f 2048 2000 0 1 > c && bad total c
	vpacket "$a" f $((MAX_FILE + 32)) 1 0 1025 > c && bad max-file c
	vpacket "$a" f 1000 999 0 1 > c && bad not-blocks c
	vpacket "$a" f 2048 2000 1 2 > c && bad no-packet-0 c
	vpacket "$u" f 16 1 0 1 > c && bad unknown-828 c
	vpubkey "$u" alice "$KEYDIR/k.der" > c && bad unknown-826 c
	vreq "$u" 900 f > c && bad unknown-900 c
	vreq "$u" 901 f > c && bad unknown-901 c
	vreq "$u" 902 f > c && bad unknown-902 c
	vpacket "$bob" f 16 1 0 1 > c && bad no-key c
	for name in "" ../x a/b .hidden .. 'a\b' "$(printf 'a\tb')"; do
		vpacket "$a" "$name" 16 1 0 1 > c && bad "name-$name" c
	done
	vpubkey "$a" bob "$KEYDIR/k.der" > c && bad other-name c
	make_file junk 160
	vpubkey "$a" alice junk > c && bad junk-key c
	vreq "$a" 900 nothing.txt > c && bad crc-ok-no-file c
	vreq "$a" 901 nothing.txt > c && bad crc-retry-no-file c
	vreq "$a" 902 nothing.txt > c && bad crc-fail-no-file c

	vreq "$ZERO_ID" 825 carol >&"$other"
	timeout 5 head -c 23 <&"$other" > other.bin
	exec {other}>&-
	run hexof other.bin
	assert_output --regexp "^$R1600"
	run sql "SELECT count(*) FROM clients WHERE name LIKE 'after-%'"
	assert_output 0
	assert_equal "$(grep -c 'protocol error: ' relay.log)" "$nbad"
	for why in "wrong version" "unknown code" \
	    "payload size does not match the code" \
	    "name empty or not NUL-terminated" \
	    "packet number not below the total" \
	    "total packets do not match the content size" \
	    "content size 1048608 above --max-file" \
	    "content size 1000 is not a multiple of 16" \
	    "packet 1 before packet 0" "unknown client id" \
	    "file packet before a key exists" 'unsafe file name "../x"' \
	    'unsafe file name "a/b"' 'unsafe file name "a?b"' \
	    "public key for bob from another client's id" \
	    "public key is not a 1024-bit RSA" \
	    "CRC ok for nothing.txt: no file waits for it"; do
		grep -qF "protocol error: $why" relay.log ||
		    fail "no \"$why\" in relay.log"
	done
	# No client directory was made for a refused name.
	run ls -A "$FILES"
	assert_output ""
}

@test "vault-server: a client killed mid-upload leaves no file and the relay keeps serving" {
	vregister alice
	vkey "$ID" alice
	make_file plain 100000
	vencrypt plain plain.enc
	vpackets "$ID" big.bin plain.enc 100000 > all.bin
	head -c $((1314 * 40)) all.bin > half.bin
	(exec 5<> "/dev/tcp/127.0.0.1/$RELAY_PORT" && cat half.bin >&5 &&
	    exec sleep 30) 3>&- &
	pid=$!
	wait_log "upload big.bin start"
	for ((i = 0; i < 50; i++)); do
		[ -n "$(ls -A "$FILES/$ID")" ] && break
		sleep 0.1
	done
	run ls -A "$FILES/$ID"
	assert_output --regexp '^\.big\.bin\.......$'
	kill -KILL "$pid"
	wait "$pid" || true
	wait_log "upload big.bin abandoned"
	run ls -A "$FILES/$ID"
	assert_output ""
	alice=$ID
	vregister dave
	answer "$alice" 900 big.bin
	assert_equal "$RESP" "$R1607"
}

@test "vault-server: after SIGKILL the restarted relay knows the client and its file, and removes stale temporaries" {
	vregister alice
	vkey "$ID" alice
	make_file plain 3000
	upload "$ID" kept.txt plain
	answer "$ID" 900 kept.txt
	assert_equal "$RESP" "$R1604$ID"
	# What an upload in progress leaves when the relay dies.
	: > "$FILES/$ID/.other.txt.AbCdEf"
	kill -KILL "$RELAY_PID"
	wait "$RELAY_PID" || true
	RELAY_PID=
	start_relay --max-file "$MAX_FILE" vault@127.0.0.1:0
	answer "$ID" 827 alice
	assert_equal "${RESP:0:46}" "$R1605$ID"
	vunwrap "${RESP:46:256}"
	cmp plain "$FILES/$ID/kept.txt"
	run ls -A "$FILES/$ID"
	assert_output kept.txt
	run sql "SELECT file_name, verified FROM files"
	assert_output "kept.txt|1"
	grep -q "removed 1 unfinished uploads" relay.log
	# And it still takes uploads with the new key.
	upload "$ID" again.txt plain
}

@test "vault-server: ten clients uploading at once each get their own CRC" {
	for i in $(seq 10); do
		vregister "user$i"
		vkey "$ID" "user$i"
		ids[i]=$ID
		make_file "p$i" $((1000 * i + 7))
		vencrypt "p$i" "p$i.enc"
		vpackets "$ID" same.txt "p$i.enc" $((1000 * i + 7)) > "up$i.bin"
	done
	for i in $(seq 10); do
		vsend "up$i.bin" > "resp$i.bin" 3>&- &
		pids[i]=$!
	done
	for i in $(seq 10); do
		wait "${pids[i]}"
	done
	for i in $(seq 10); do
		run hexof "resp$i.bin"
		assert_output "$(want1603 "${ids[i]}" same.txt "p$i.enc" "p$i")"
		answer "${ids[i]}" 900 same.txt
		cmp "p$i" "$FILES/${ids[i]}/same.txt"
	done
	run sql "SELECT count(*) FROM files WHERE verified = 1"
	assert_output 10
}

@test "vault-server: a name's control characters reach the log as '?'" {
	vregister $'ev\x1b[2Jil\x7f'
	vkey "$ID" $'ev\x1b[2Jil\x7f'
	grep -q "register ev?\[2Jil? id=$ID" relay.log
	grep -q "pubkey ev?\[2Jil?\$" relay.log
	run grep -c $'\x1b' relay.log
	assert_output 0
}
