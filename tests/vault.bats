# pk-xfer against the relay's vault service over loopback: each step by
# hand with the foundation tools (and openssl, GNU cksum), the one-process
# client, the refusals (1601, 1606, 902), --trace, and servers that stay
# silent, close early or answer with a short, malformed or wrong frame.

load helpers

setup() {
	start_relay vault@127.0.0.1:0
}

teardown() {
	local p
	for p in ${FAKE_PIDS[@]+"${FAKE_PIDS[@]}"}; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	stop_relay
}

# client DIR NAME [SIZE [PORT]]: a client directory with transfer.info and
# a SIZE-byte data.bin (default 5000).
client() {
	mkdir -p "$1"
	make_file "$1/data.bin" "${3:-5000}"
	printf '127.0.0.1:%s\n%s\ndata.bin\n' "${4:-$RELAY_PORT}" "$2" \
	    > "$1/transfer.info"
}

# keyed: in the current directory, register NAME and send a new RSA-1024
# key; aes.key holds the unwrapped AES key.
keyed() {
	pk-xfer vault register > id.out
	pk-keygen rsa -b 1024 -e 17 --no-pass -o k
	pk-xfer vault pubkey -k k.key -o aes.wrapped
	pk-wrap -d --oaep-sha1 -k k.key < aes.wrapped > aes.key
}

# id_of DIR: the client id from DIR/me.info.
id_of() {
	sed -n 2p "$1/me.info"
}

# hint1607 CODE PHRASE...: $stderr is the 1607 line for request CODE and
# one line saying what a 1607 can mean after CODE (each PHRASE) and that
# pk-relay logs the reason.
hint1607() {
	local code=$1 p
	shift
	assert_equal "${#stderr_lines[@]}" 2
	assert_equal "${stderr_lines[0]}" "pk-xfer: server error (1607) after $code ($(label "$code"))"
	[[ ${stderr_lines[1]} == "pk-xfer: 1607 after $code can mean: "* ]]
	[[ ${stderr_lines[1]} == *'; pk-relay logs the reason on its stderr ("vault PEER protocol error: ...")' ]]
	for p; do
		[[ ${stderr_lines[1]} == *"$p"* ]] || {
			echo "no \"$p\" in: ${stderr_lines[1]}" >&2
			return 1
		}
	done
}

label() {
	case $1 in
	825) echo register ;;
	828) echo send file ;;
	esac
}

@test "vault: register, pubkey, send step by step; the server's CRC is cksum's and 900 keeps the file" {
	client alice alice 70000
	cd alice
	run -0 pk-xfer vault register
	assert_output --regexp '^[0-9a-f]{32}$'
	[ "$(sed -n 1p me.info)" = alice ]
	[ "$(sed -n 2p me.info)" = "$output" ]
	[ "$(wc -l < me.info)" -eq 2 ]
	pk-keygen rsa -b 1024 -e 17 --no-pass -o k
	pk-xfer vault pubkey -k k.key -o aes.wrapped
	[ "$(stat -c %a me.info) $(stat -c %a priv.key)" = "600 600" ]
	[ "$(wc -c < aes.wrapped)" -eq 128 ]
	# priv.key is me.info's key lines: k.key's PKCS#8 DER in base64.
	tail -n +3 me.info | cmp - priv.key
	awk 'length($0) > 64 { exit 1 }' priv.key
	base64 -d priv.key | openssl pkey -inform DER -pubout > a.pub
	openssl pkey -in k.key -pubout | cmp - a.pub
	# openssl unwraps what pk-wrap unwraps, and encrypts as pk-aes-cbc does.
	pk-wrap -d --oaep-sha1 -k k.key < aes.wrapped > aes.key
	openssl pkeyutl -decrypt -inkey k.key -pkeyopt rsa_padding_mode:oaep \
	    -pkeyopt rsa_oaep_md:sha1 -in aes.wrapped | cmp - aes.key
	[ "$(wc -c < aes.key)" -eq 32 ]
	pk-aes-cbc -e --zero-iv --raw-key -k aes.key < data.bin > data.enc 2>/dev/null
	openssl enc -aes-256-cbc -K "$(od -An -v -tx1 aes.key | tr -d ' \n')" \
	    -iv 00000000000000000000000000000000 < data.bin | cmp - data.enc
	run -0 pk-xfer vault send < data.enc
	assert_output "$(cksum < data.bin | cut -d' ' -f1)"
	run -0 pk-xfer vault ack ok
	assert_output ''
	cmp data.bin "$BATS_TEST_TMPDIR/state/files/vault/$(id_of .)/data.bin"
}

@test "vault: send spools a piped ciphertext, takes --name and --size, and refuses partial blocks" {
	client alice alice 3000
	cd alice
	keyed
	pk-aes-cbc -e --zero-iv --raw-key -k aes.key < data.bin > data.enc 2>/dev/null
	run -0 pk-xfer vault send --name other.bin < <(cat data.enc)
	assert_output "$(cksum < data.bin | cut -d' ' -f1)"
	pk-xfer vault ack ok --name other.bin
	cmp data.bin "$BATS_TEST_TMPDIR/state/files/vault/$(id_of .)/other.bin"
	rm data.bin
	run -2 --separate-stderr pk-xfer vault send < data.enc
	assert_equal "$stderr" "pk-xfer: data.bin (from transfer.info; or give --size): No such file or directory"
	run -0 pk-xfer vault send --size 3000 < data.enc
	head -c 100 data.enc > short.enc
	run -2 --separate-stderr pk-xfer vault send --size 3000 < short.enc
	assert_equal "$stderr" "pk-xfer: stdin: 100 bytes: ciphertext must be whole 16-byte blocks"
	run -2 --separate-stderr pk-xfer vault send --size 0 < /dev/null
	assert_equal "$stderr" "pk-xfer: stdin: 0 bytes: ciphertext must be whole 16-byte blocks"
}

@test "vault: client registers, sends and verifies in one process; the next run reconnects" {
	client bob bob 200000
	cd bob
	run -0 pk-xfer vault client
	assert_output "REGISTER REQUEST COMPLETED
SEND PUBLIC KEY COMPLETED
SEND FILE REQUEST COMPLETED
RESPONSE CRC $(cksum < data.bin | cut -d' ' -f1)
Correct checksum
CRC OK REQUEST COMPLETED"
	[ "$(stat -c %a me.info) $(stat -c %a priv.key)" = "600 600" ]
	tail -n +3 me.info | cmp - priv.key
	cmp data.bin "$BATS_TEST_TMPDIR/state/files/vault/$(id_of .)/data.bin"
	id=$(id_of .)
	run -0 pk-xfer -C "$PWD" vault client
	assert_line -n 0 'RECONNECT REQUEST COMPLETED'
	assert_line 'Correct checksum'
	[ "$(id_of .)" = "$id" ]
}

@test "vault: a name already taken gets 1601: exit 1, me.info untouched" {
	client a1 carol
	client a2 carol
	(cd a1 && pk-xfer vault register > /dev/null)
	cd a2
	run -1 --separate-stderr pk-xfer vault register
	assert_equal "$stderr" "pk-xfer: name taken: carol"
	[ ! -e me.info ]
	run -1 --separate-stderr pk-xfer vault client
	assert_equal "$stderr" "pk-xfer: name taken: carol"
	run -0 pk-xfer vault register dave
	[ "$(sed -n 1p me.info)" = dave ]
}

@test "vault: reconnect sends a new AES key, and a file under it verifies" {
	client alice alice
	cd alice
	keyed
	run -0 pk-xfer vault reconnect -o aes2.wrapped
	pk-wrap -d --oaep-sha1 -k k.key < aes2.wrapped > aes2.key
	[ "$(wc -c < aes2.key)" -eq 32 ]
	run -1 cmp -s aes.key aes2.key
	pk-aes-cbc -e --zero-iv --raw-key -k aes2.key < data.bin > data.enc 2>/dev/null
	run -0 pk-xfer vault send < data.enc
	assert_output "$(cksum < data.bin | cut -d' ' -f1)"
	# The old key no longer decrypts into the right CRC.
	pk-aes-cbc -e --zero-iv --raw-key -k aes.key < data.bin > old.enc 2>/dev/null
	run pk-xfer vault send < old.enc
	refute_output "$(cksum < data.bin | cut -d' ' -f1)"
}

# peer_of PATTERN: the peer address of the relay log line matching PATTERN.
peer_of() {
	sed -n "s/^[^ ]* vault \([^ ]*\) $1\$/\1/p" \
	    "$BATS_TEST_TMPDIR/relay.log"
}

@test "vault: a 1606 is followed as the original client does: the new id into me.info, then 826 on the same connection" {
	client ghost ghost
	cd ghost
	pk-keygen rsa -b 1024 -e 17 --no-pass -o k
	# me.info with an id the relay does not know (a relay that forgot).
	{
		printf 'ghost\n0123456789abcdef0123456789abcdef\n'
		openssl pkey -in k.key -outform DER | base64 -w 64
	} > me.info
	run -0 --separate-stderr pk-xfer vault reconnect -o aes.wrapped
	id=$(id_of .)
	[[ $id =~ ^[0-9a-f]{32}$ ]] && [ "$id" != 0123456789abcdef0123456789abcdef ]
	assert_equal "$stderr" "pk-xfer: reconnect denied (1606): the server registered ghost again as $id; sending the public key (826)"
	# 827 and 826 on one connection; the key sent is me.info's.
	peer=$(peer_of "reconnect ghost denied: registered again id=$id")
	[ -n "$peer" ] && [ "$(peer_of 'pubkey ghost')" = "$peer" ]
	tail -n +3 me.info | cmp - priv.key
	pk-wrap -d --oaep-sha1 -k k.key < aes.wrapped > aes.key
	pk-aes-cbc -e --zero-iv --raw-key -k aes.key < data.bin > data.enc 2>/dev/null
	run -0 pk-xfer vault send < data.enc
	assert_output "$(cksum < data.bin | cut -d' ' -f1)"
	run -0 pk-xfer vault reconnect -o aes2.wrapped
	[ "$(id_of .)" = "$id" ]
	# The client in one process, with no key in me.info: a new key.
	cd ..
	client ghost2 ghost2
	cd ghost2
	printf 'ghost2\nfedcba9876543210fedcba9876543210\n' > me.info
	run -0 pk-xfer vault client
	id=$(id_of .)
	assert_line -n 0 "RECONNECT DENIED: registered again as $id"
	assert_line -n 1 'SEND PUBLIC KEY COMPLETED'
	assert_line 'Correct checksum'
	[ "$(tail -n +3 me.info | wc -l)" -gt 5 ]
	tail -n +3 me.info | cmp - priv.key
	cmp data.bin "$BATS_TEST_TMPDIR/state/files/vault/$id/data.bin"
	# A name that belongs to another id: 1607, and what it can mean.
	printf 'ghost\nfedcba9876543210fedcba9876543210\n' > me.info
	run -1 --separate-stderr pk-xfer vault reconnect
	assert_equal "${stderr_lines[0]}" "pk-xfer: server error (1607) after 827 (reconnect)"
	[[ ${stderr_lines[1]} == *"the name belongs to another client id"* ]]
}

@test "vault: a 1604 that announces 255 bytes, carries the 16-byte id and closes (the original server) is taken with a warning" {
	client c carol
	cd c
	id=0123456789abcdef0123456789abcdef
	printf 'carol\n%s\n' "$id" > me.info
	# Reads the 278 bytes of 900, answers as the original server does.
	oct=
	for ((i = 0; i < 32; i += 2)); do
		printf -v oct '%s\\%03o' "$oct" "0x${id:i:2}"
	done
	fake_server "head -c 278 > /dev/null; printf '\\003\\104\\006\\377\\000\\000\\000$oct'"
	run -0 --separate-stderr pk-xfer vault ack ok
	assert_equal "$stderr" "pk-xfer: 127.0.0.1:$FAKE_PORT: 1604 announced 255 payload bytes but sent the 16-byte client id and closed, as the original server does: taken"
	# Fewer bytes than the id is still a malformed reply.
	fake_server "head -c 278 > /dev/null; printf '\\003\\104\\006\\377\\000\\000\\000abcd'"
	run -2 --separate-stderr pk-xfer vault ack ok
	assert_equal "$stderr" "pk-xfer: 127.0.0.1:$FAKE_PORT: malformed reply (code 1604): payload size does not match the code"
}

@test "vault: a flipped ciphertext byte gives a wrong CRC; retry, retry, fail (902) keeps no file; a 1607 says what it can mean" {
	client alice alice 10000
	cd alice
	keyed
	pk-aes-cbc -e --zero-iv --raw-key -k aes.key < data.bin > data.enc 2>/dev/null
	good=$(cksum < data.bin | cut -d' ' -f1)
	for ack in retry retry fail; do
		# Byte 5 is in the first block: the padding stays valid.
		run -0 pk-xfer vault send --flip-byte 5 < data.enc
		[ "$output" != "$good" ]
		run -0 pk-xfer vault ack "$ack"
	done
	dir="$BATS_TEST_TMPDIR/state/files/vault/$(id_of .)"
	[ -z "$(ls -A "$dir" 2>/dev/null)" ]
	grep -q 'crc fail data.bin' "$BATS_TEST_TMPDIR/relay.log"
	# A flip in the next-to-last block spoils the padding: 1607, and the
	# client says what a 1607 after 828 can mean and where the reason is.
	run -1 --separate-stderr pk-xfer vault send --flip-byte 10000 < data.enc
	hint1607 828 'stale key' 'bad padding' "relay's --max-file" \
	    'unknown client id'
	grep -q 'data.bin: the ciphertext does not decrypt' "$BATS_TEST_TMPDIR/relay.log"
	run -2 --separate-stderr pk-xfer vault send --flip-byte 10016 < data.enc
	assert_equal "$stderr" "pk-xfer: --flip-byte 10016: beyond the 10016 bytes of ciphertext"
}

@test "vault: client tries 3 times when the CRCs differ, then 902 and exit 1" {
	client bob bob 4000
	cd bob
	run -1 --separate-stderr pk-xfer vault client --flip-byte 0
	[ "$(grep -c '^SEND FILE REQUEST COMPLETED$' <<< "$output")" -eq 3 ]
	assert_line "Wrong checksum: ours is $(cksum < data.bin | cut -d' ' -f1) (try 3 of 3)"
	assert_equal "$stderr" "pk-xfer: data.bin: wrong checksum 3 times: gave up (902)"
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/state/files/vault/$(id_of .)")" ]
	grep -q 'crc fail data.bin' "$BATS_TEST_TMPDIR/relay.log"
}

# traced: every line on stdin is a whole line of $stderr.
traced() {
	local l
	while IFS= read -r l; do
		grep -qxF -- "$l" <<< "$stderr" || {
			echo "not traced: $l" >&2
			return 1
		}
	done
}

@test "vault: --trace names every header and payload field; an upload dumps its first and last packet" {
	client alice alice 5000
	cd alice
	run -0 --separate-stderr pk-xfer --trace vault register
	grep -qE '^[0-9:.]+ >>> 127\.0\.0\.1:[0-9]+ vault register: 278 bytes$' <<< "$stderr"
	grep -qE '^[0-9:.]+ <<< 127\.0\.0\.1:[0-9]+ vault registered: 23 bytes$' <<< "$stderr"
	traced <<-'EOF'
	    client_id               0    16  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
	    version                16     1  03  3
	    code                   17     2  39 03  825 (register)
	    payload_size           19     4  ff 00 00 00  255
	    name                   23     5  61 6c 69 63 65  "alice"
	    name_padding           28   250  250 bytes  (NULs to 255 bytes)
	    code                    1     2  40 06  1600 (registered)
	    payload_size            3     4  10 00 00 00  16
	EOF
	pk-keygen rsa -b 1024 -e 17 --no-pass -o k
	run -0 --separate-stderr pk-xfer --trace vault pubkey -k k.key -o w
	grep -qE '^    public_key +278 +160  160 bytes  \(sha256:[0-9a-f]{64}\)$' <<< "$stderr"
	traced <<-'EOF'
	        0000  30 81 9d 30 0d 06 09 2a 86 48 86 f7 0d 01 01 01
	    wrapped_aes_key        23   128  128 bytes
	EOF
	grep -qE '^[0-9:.]+ <<< 127\.0\.0\.1:[0-9]+ vault aes_key: 151 bytes$' <<< "$stderr"
	pk-wrap -d --oaep-sha1 -k k.key < w > aes.key
	pk-aes-cbc -e --zero-iv --raw-key -k aes.key < data.bin > data.enc 2>/dev/null
	run -0 --separate-stderr pk-xfer vault send --trace < data.enc
	[ "$(grep -cE '^[0-9:.]+ >>> 127\.0\.0\.1:[0-9]+ vault send_file: 1314 bytes$' <<< "$stderr")" -eq 2 ]
	traced <<-'EOF'
	    packet_number          31     2  00 00  0
	    packet_number          31     2  04 00  4
	    total_packets          33     2  05 00  5
	    content_size           23     4  90 13 00 00  5008
	    orig_file_size         27     4  88 13 00 00  5000
	>>> vault send_file: packets 1 .. 3 of 5 sent, not shown here (the same fields, packet_number counting up)
	    file_name              27     8  64 61 74 61 2e 62 69 6e  "data.bin"
	EOF
	grep -qE '^[0-9:.]+ <<< 127\.0\.0\.1:[0-9]+ vault file_received: 286 bytes$' <<< "$stderr"
	grep -qx "    cksum                 282     4  .. .. .. ..  $output" <<< "$stderr"
}

# fake_server SCRIPT: a one-connection server (socat) on a free loopback
# port that runs the sh SCRIPT with the client on stdin and stdout; sets
# FAKE_PORT (from socat's "listening on" line) and points ./transfer.info
# at it.  teardown stops what is left.
fake_server() {
	local i line n=$((++FAKES))
	printf '%s\n' "$1" > "fake$n.sh"
	: > "fake$n.log"
	socat -d -d TCP-LISTEN:0,bind=127.0.0.1 SYSTEM:"sh fake$n.sh" \
	    2> "fake$n.log" 3>&- &
	FAKE_PIDS+=("$!")
	for ((i = 0; i < 100; i++)); do
		while read -r line; do
			[[ $line == *" listening on "* ]] || continue
			FAKE_PORT=${line##*:}
			[ ! -f transfer.info ] ||
			    sed -i "1s/.*/127.0.0.1:$FAKE_PORT/" transfer.info
			return 0
		done < "fake$n.log"
		sleep 0.05
	done
	return 1
}

@test "vault: a server that accepts and never answers: exit 2 after -t with one line" {
	fake_server 'cat > /dev/null'
	client c nobody 100 "$FAKE_PORT"
	cd c
	run -2 --separate-stderr pk-xfer -t 1 vault register
	assert_equal "$stderr" "pk-xfer: 127.0.0.1:$FAKE_PORT: no reply to 825 (register) in 1 s"
}

@test "vault: a server that closes early: exit 2 with one line, also mid-upload" {
	fake_server 'exit 0'
	client c nobody 100 "$FAKE_PORT"
	cd c
	run -2 --separate-stderr pk-xfer vault register
	assert_equal "$stderr" "pk-xfer: 127.0.0.1:$FAKE_PORT: connection closed before the reply to 825 (register)"
	fake_server 'head -c 5000 > /dev/null'
	printf 'c\n0123456789abcdef0123456789abcdef\n' > me.info
	head -c 4194304 /dev/zero > big.enc
	run -2 --separate-stderr pk-xfer vault send --size 1 < big.enc
	assert_equal "$stderr" "pk-xfer: 127.0.0.1:$FAKE_PORT: connection closed before the reply to 828 (send file)"
}

@test "vault: a short, malformed or unexpected reply: exit 2 with one line; 1607: exit 1" {
	client c nobody 100
	cd c
	# Each server reads the 278 bytes of 825, answers (octal escapes),
	# and closes: the exit code, then the line, after the %s of the port.
	while IFS='|' read -r reply code line; do
		fake_server "head -c 278 > /dev/null; printf '$reply'"
		run -"$code" --separate-stderr pk-xfer vault register
		assert_equal "$stderr" "pk-xfer: $(printf "$line" "127.0.0.1:$FAKE_PORT")"
	done <<-'EOF'
	\003\100\006|2|%s: short reply: 3 of 7 header bytes
	\003\100\006\020\000\000\000abcd|2|%s: short reply 1600: 4 of 16 payload bytes
	\005\100\006\020\000\000\000|2|%s: malformed reply (code 1600): wrong version
	\003\100\006\021\000\000\000|2|%s: malformed reply (code 1600): payload size does not match the code
	\003\104\006\020\000\000\000%016d|2|%s: unexpected reply 1604 (message received) to 825 (register)
	EOF
	fake_server "head -c 278 > /dev/null; printf '\\003\\107\\006\\000\\000\\000\\000'"
	run -1 --separate-stderr pk-xfer vault register
	hint1607 825 'could not parse'
}

@test "vault: the relay's 1607 (a packet before any key) is exit 1" {
	client c eve
	cd c
	pk-xfer vault register > /dev/null
	run -1 --separate-stderr pk-xfer vault send --size 1 < <(head -c 16 /dev/zero)
	hint1607 828 'unknown client id'
}

@test "vault: pubkey refuses a key that is not RSA-1024 with e = 17" {
	client c frank
	cd c
	pk-xfer vault register > /dev/null
	pk-keygen rsa -b 2048 --no-pass -o big
	run -2 --separate-stderr pk-xfer vault pubkey -k big.key
	assert_equal "$stderr" "pk-xfer: big.key: RSA-2048 gives a 294-byte public key; the vault carries 160 bytes: use RSA-1024 with e = 17 (pk-keygen rsa -b 1024 -e 17)"
	pk-keygen rsa -b 1024 -e 17 --iter 1000 --pass-file <(echo sesame) -o enc
	run -0 pk-xfer vault pubkey -k enc.key --pass-file <(echo sesame) -o w
	run -1 --separate-stderr pk-xfer vault pubkey -k enc.key --pass-file <(echo wrong) -o w
	assert_equal "$stderr" "pk-xfer: enc.key: wrong passphrase or corrupt key"
}

@test "vault: usage errors exit 2; --help exits 0 and lists the exit codes" {
	run -0 pk-xfer --help
	assert_line --regexp '^protocols: (.* )?vault( |$)'
	assert_line --partial 'Exit codes: 0 ok;'
	run -0 pk-xfer vault --help
	assert_line --partial 'Exit codes: 0 ok; 1 refused: name taken (1601)'
	assert_line --partial 'only the first and the last'
	run -2 pk-xfer
	run -2 pk-xfer vault nosuch
	run -2 pk-xfer vault ack
	run -2 --separate-stderr pk-xfer vault ack maybe
	assert_equal "$stderr" "pk-xfer: vault ack maybe: want ok, retry or fail"
	run -2 --separate-stderr pk-xfer vault register --flip-byte 3
	assert_equal "$stderr" "pk-xfer: --flip-byte is not an option of vault register"
	run -2 --separate-stderr pk-xfer vault pubkey
	assert_equal "$stderr" "pk-xfer: vault pubkey: missing -k key"
	run -2 --separate-stderr pk-xfer -t 0 vault register
	assert_equal "$stderr" "pk-xfer: -t 0: too small"
	run -2 --separate-stderr pk-xfer vault register
	assert_equal "$stderr" "pk-xfer: transfer.info: No such file or directory"
}

@test "vault: 200 concurrent clients each upload a 64 KiB file, all verified" {
	make_file data.bin 65536
	for ((i = 0; i < 200; i++)); do
		mkdir "c$i"
		ln data.bin "c$i/data.bin"
		printf '127.0.0.1:%s\nuser%d\ndata.bin\n' "$RELAY_PORT" "$i" \
		    > "c$i/transfer.info"
	done
	pids=()
	for ((i = 0; i < 200; i++)); do
		(cd "c$i" && pk-xfer -t 60 vault client > out 2> err
		    echo $? > rc) &
		pids+=($!)
	done
	wait "${pids[@]}"
	[ "$(cat c*/rc | grep -cx 0)" -eq 200 ]
	[ "$(grep -lx 'Correct checksum' c*/out | wc -l)" -eq 200 ]
	local stored=("$BATS_TEST_TMPDIR"/state/files/vault/*/data.bin)
	[ "${#stored[@]}" -eq 200 ]
	sum=$(sha256sum < data.bin)
	[ "$(sha256sum "$BATS_TEST_TMPDIR"/state/files/vault/*/data.bin | cut -d' ' -f1 | sort -u)" = "${sum%% *}" ]
}
