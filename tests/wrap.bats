#!/usr/bin/env bats
# pk-wrap against openssl pkeyutl and dgst in both directions, the
# Wycheproof RSA vectors, and every refusal with its exit code and message.

load helpers

setup() {
	K1="$FIXTURES/wrap/1024-e17.pem"	# the vault seed's key: 1024 bits, e = 17
	P1="$FIXTURES/wrap/1024-e17.pub"
	K2="$FIXTURES/wrap/2048.pem"
	P2="$FIXTURES/wrap/2048.pub"
	KX="$FIXTURES/wrap/2048-other.pem"
	KE="$FIXTURES/wrap/2048-enc.pem"	# K2 as encrypted PKCS#8
	PASS="$FIXTURES/wrap/pass.txt"
	WP="$VECTORS/wycheproof"
}

# The openssl pkeyutl options that match a pk-wrap padding option.
ossl_pad() {
	case $1 in
	--oaep) echo "-pkeyopt rsa_padding_mode:oaep" \
	    "-pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256" ;;
	--oaep-sha1) echo "-pkeyopt rsa_padding_mode:oaep" \
	    "-pkeyopt rsa_oaep_md:sha1 -pkeyopt rsa_mgf1_md:sha1" ;;
	--pkcs1) echo "-pkeyopt rsa_padding_mode:pkcs1" ;;
	--raw) echo "-pkeyopt rsa_padding_mode:none" ;;
	esac
}

# The longest input for a padding and a k-byte modulus.
max_len() {
	case $1 in
	--oaep) echo $(($2 - 66)) ;;
	--oaep-sha1) echo $(($2 - 42)) ;;
	--pkcs1) echo $(($2 - 11)) ;;
	--raw) echo "$2" ;;
	esac
}

# An input of n bytes for a padding: --raw gets a leading zero (so < n).
make_input() {
	if [ "$1" = --raw ]; then
		make_file body $(($3 - 1))
		{ printf '\0'; cat body; } > "$2"
	else
		make_file "$2" "$3"
	fi
}

# wycheproof FILE [SHA]: one line per test, "pem|tcId|result|label|msg|data"
# (data: ct or sig), the PEM with \n escapes and byte strings as \xHH, both
# for printf %b.  With SHA, only the groups of that hash.
wycheproof() {
	jq -r --arg sha "${2:-}" '.testGroups[] |
	    select($sha == "" or .sha == $sha) |
	    ((.privateKeyPem // .publicKeyPem) | gsub("\n"; "\\n")) as $pem |
	    .tests[] | [$pem, (.tcId | tostring), .result,
	    ((.label // ""), .msg, (.ct // .sig) |
	    [scan("..")] | map("\\x" + .) | join(""))] | join("|")' "$WP/$1"
}

# The loop over a wycheproof list, run by a plain bash (bats traces every
# command of its own shell, which is slow): $1 is decrypt, verify or sign,
# $2 the padding option for decrypt.  Prints "N vectors", or the first
# failing tcId and exits 1.
# shellcheck disable=SC2016
VECTOR_LOOP='
n=0 last=
bad() { echo "tcId $id ($result): rc $rc: $e"; exit 1; }
while IFS="|" read -r pem id result label msg data; do
	[ "$pem" = "$last" ] || printf "%b" "$pem" > key.pem
	last=$pem
	printf "%b" "$label" > label
	printf "%b" "$msg" > msg
	printf "%b" "$data" > data
	rc=0 e= o=
	case $1 in
	decrypt)
		[ "$2" = --pkcs1 ] && lab= || lab="--label-file label"
		pk-wrap -d "$2" $lab -k key.pem < data > out 2> err || rc=$?
		read -r e < err
		case $result in
		valid) [ $rc = 0 ] && cmp -s msg out || bad ;;
		*) [ $rc = 1 ] && [ ! -s out ] &&
		    [ "$e" = "pk-wrap: decryption failed" ] || bad ;;
		esac ;;
	verify)
		pk-wrap verify -k key.pem -s data < msg > out 2> err || rc=$?
		read -r e < err
		read -r o < out
		case $result in
		valid) [ $rc = 0 ] && [ "$o" = "Verified OK" ] || bad ;;
		invalid) [ $rc = 1 ] &&
		    [ "$e" = "pk-wrap: verification failed" ] || bad ;;
		*) [ $rc = 0 ] || [ $rc = 1 ] || bad ;;
		esac ;;
	sign)
		pk-wrap sign -k key.pem < msg > out 2> err || rc=$?
		[ $rc = 0 ] && cmp -s data out || bad ;;
	esac
	n=$((n + 1))
done
echo "$n vectors"
'

@test "wrap: --help gives the synopsis, every option and the exit codes" {
	run -0 pk-wrap --help
	assert_line --index 0 --partial "usage: pk-wrap -e -k key"
	for opt in -d -e -k -s --label-file --oaep --oaep-sha1 --pass-env \
	    --pass-fd --pass-file --pkcs1 --pss --raw --salt-len; do
		assert_line --regexp "^  (-., )?${opt}[ ,]"
	done
	assert_line --partial "Exit codes: 0 ok; 1 decryption failed"
	run -2 pk-wrap
	assert_output "pk-wrap: missing -e, -d, sign or verify
Try 'pk-wrap --help'"
}

@test "wrap: every padding, 1024 (e=17) and 2048: pk-wrap -e then openssl pkeyutl -decrypt gives the input" {
	for size in 1024 2048; do
		if [ $size = 1024 ]; then key=$K1 pub=$P1; else key=$K2 pub=$P2; fi
		k=$((size / 8))
		for pad in --oaep --oaep-sha1 --pkcs1 --raw; do
			for n in 0 32 "$(max_len $pad $k)"; do
				[ $pad = --raw ] && [ "$n" = 0 ] && continue
				make_input $pad in "$n"
				pk-wrap -e $pad -k "$pub" < in > ct 2> err
				[ "$(wc -c < ct)" -eq $k ]
				# shellcheck disable=SC2046
				openssl pkeyutl -decrypt -inkey "$key" \
				    $(ossl_pad $pad) -in ct -out out
				if [ $pad = --raw ]; then
					head -c $((k - n)) /dev/zero | cat - in |
					    cmp - out
				else
					cmp in out
				fi
			done
		done
	done
}

@test "wrap: every padding, 1024 (e=17) and 2048: openssl pkeyutl -encrypt then pk-wrap -d gives the input" {
	for size in 1024 2048; do
		if [ $size = 1024 ]; then key=$K1 pub=$P1; else key=$K2 pub=$P2; fi
		k=$((size / 8))
		for pad in --oaep --oaep-sha1 --pkcs1 --raw; do
			for n in 1 32 "$(max_len $pad $k)"; do
				[ $pad = --raw ] && n=$k
				make_input $pad in "$n"
				# shellcheck disable=SC2046
				openssl pkeyutl -encrypt -pubin -inkey "$pub" \
				    $(ossl_pad $pad) -in in -out ct
				pk-wrap -d $pad -k "$key" < ct > out 2> err
				cmp in out
			done
		done
	done
}

@test "wrap: --raw is byte-identical to openssl's rsa_padding_mode:none both ways and warns each time" {
	warning="pk-wrap: warning: --raw is textbook RSA, deterministic and malleable: for teaching only"
	make_input --raw in 256
	pk-wrap -e --raw -k "$P2" < in > ct 2> err
	assert_equal "$(cat err)" "$warning"
	openssl pkeyutl -encrypt -pubin -inkey "$P2" \
	    -pkeyopt rsa_padding_mode:none -in in -out ct.ossl
	cmp ct ct.ossl
	pk-wrap -d --raw -k "$K2" < ct.ossl > out 2> err
	assert_equal "$(cat err)" "$warning"
	openssl pkeyutl -decrypt -inkey "$K2" -pkeyopt rsa_padding_mode:none \
	    -in ct -out out.ossl
	cmp out out.ossl
	cmp in out
	# A shorter input is the same number as the zero-padded k bytes.
	make_file short 200
	{ head -c 56 /dev/zero; cat short; } > padded
	pk-wrap -e --raw -k "$P2" < short > ct 2> /dev/null
	openssl pkeyutl -encrypt -pubin -inkey "$P2" \
	    -pkeyopt rsa_padding_mode:none -in padded | cmp - ct
	pk-wrap -d --raw -k "$K2" < ct 2> /dev/null | cmp - padded
}

@test "wrap: vault seed: a 32-byte AES key under RSA-1024 e=17 OAEP-SHA1 is a 128-byte block" {
	make_file aes.key 32
	pk-wrap -e --oaep-sha1 -k "$P1" < aes.key > wrapped
	[ "$(wc -c < wrapped)" -eq 128 ]
	openssl pkeyutl -decrypt -inkey "$K1" $(ossl_pad --oaep-sha1) \
	    -in wrapped | cmp - aes.key
	pk-wrap -d --oaep-sha1 -k "$K1" < wrapped | cmp - aes.key
	# OAEP is randomised: the same key wraps differently each time.
	pk-wrap -e --oaep-sha1 -k "$P1" < aes.key > again
	run -1 cmp -s wrapped again
}

@test "wrap: OAEP with a label round-trips with openssl rsa_oaep_label" {
	printf 'vault' > label
	make_file in 20
	pk-wrap -e --label-file label -k "$P2" < in > ct
	openssl pkeyutl -decrypt -inkey "$K2" $(ossl_pad --oaep) \
	    -pkeyopt rsa_oaep_label:7661756c74 -in ct | cmp - in
	run -1 pk-wrap -d -k "$K2" < ct
	assert_output "pk-wrap: decryption failed"
}

@test "wrap: input too long for the key is refused with exit 2 before any output" {
	for pad in --oaep --oaep-sha1 --pkcs1; do
		max=$(max_len $pad 256)
		make_file in $((max + 1))
		run --separate-stderr -2 pk-wrap -e $pad -k "$P2" < in
		assert_output ""
		case $pad in
		--oaep) name=OAEP-SHA-256 ;;
		--oaep-sha1) name=OAEP-SHA-1 ;;
		--pkcs1) name="PKCS#1 v1.5" ;;
		esac
		assert_equal "$stderr" "pk-wrap: input too long: $((max + 1)) bytes, at most $max for this key with $name"
	done
	make_file in 300
	run --separate-stderr -2 pk-wrap -e -k "$P2" < in
	assert_output ""
	assert_equal "$stderr" "pk-wrap: input too long: more than 256 bytes, at most 190 for this key with OAEP-SHA-256"
	make_file in 129
	run --separate-stderr -2 pk-wrap -e --raw -k "$P1" < in
	assert_output ""
	assert_equal "${stderr##*$'\n'}" "pk-wrap: input too long: more than 128 bytes, at most 128 for this key with raw RSA"
	head -c 128 /dev/zero | tr '\0' '\377' > in
	run --separate-stderr -2 pk-wrap -e --raw -k "$P1" < in
	assert_output ""
	assert_equal "${stderr##*$'\n'}" "pk-wrap: input too large: not below the modulus"
}

@test "wrap: every decryption failure is the same message and exit 1 (wrong length, wrong key, tampered)" {
	make_file in 32
	for pad in --oaep --oaep-sha1 --pkcs1; do
		pk-wrap -e $pad -k "$P2" < in > ct
		head -c 255 ct > short
		{ cat ct; printf x; } > long
		{ head -c 100 ct; printf '\1'; tail -c 155 ct; } > flipped
		for c in short long flipped /dev/null; do
			run --separate-stderr -1 pk-wrap -d $pad -k "$K2" < $c
			assert_output ""
			assert_equal "$stderr" "pk-wrap: decryption failed"
		done
		run --separate-stderr -1 pk-wrap -d $pad -k "$KX" < ct
		assert_output ""
		assert_equal "$stderr" "pk-wrap: decryption failed"
	done
	# The right block under the wrong padding fails alike.  One OAEP block
	# in 256 decrypts to 00 02 ..., which may be v1.5-conformant: use one
	# that does not.
	while pk-wrap -e --oaep -k "$P2" < in > ct &&
	    pk-wrap -d --raw -k "$K2" < ct 2> /dev/null | head -c 2 |
	    od -An -tx1 | grep -q '00 02'; do
		:
	done
	run --separate-stderr -1 pk-wrap -d --oaep-sha1 -k "$K2" < ct
	assert_equal "$stderr" "pk-wrap: decryption failed"
	run --separate-stderr -1 pk-wrap -d --pkcs1 -k "$K2" < ct
	assert_equal "$stderr" "pk-wrap: decryption failed"
	# A block not below the modulus, even for --raw.
	head -c 256 /dev/zero | tr '\0' '\377' > big
	run -1 pk-wrap -d -k "$K2" < big
	assert_output "pk-wrap: decryption failed"
	run --separate-stderr -1 pk-wrap -d --raw -k "$K2" < big
	assert_equal "${stderr##*$'\n'}" "pk-wrap: decryption failed"
}

@test "wrap: Wycheproof RSAES-OAEP 2048 SHA-1 and SHA-256 (labels by --label-file)" {
	wycheproof rsa_oaep_2048_sha1_mgf1sha1_test.json > list
	run -0 bash -c "$VECTOR_LOOP" - decrypt --oaep-sha1 < list
	assert_output "36 vectors"
	wycheproof rsa_oaep_2048_sha256_mgf1sha256_test.json > list
	run -0 bash -c "$VECTOR_LOOP" - decrypt --oaep < list
	assert_output "37 vectors"
}

@test "wrap: Wycheproof RSAES-PKCS1-v1_5 2048 decryption" {
	wycheproof rsa_pkcs1_2048_test.json > list
	run -0 bash -c "$VECTOR_LOOP" - decrypt --pkcs1 < list
	assert_output "67 vectors"
}

@test "wrap: sign is byte-identical to openssl dgst -sha256 -sign, and openssl verifies it" {
	make_file msg 300000
	: > empty
	for key in "$K1" "$K2"; do
		for m in msg empty; do
			pk-wrap sign -k "$key" < $m > sig
			openssl dgst -sha256 -sign "$key" -out sig.ossl $m
			cmp sig sig.ossl
			openssl pkeyutl -sign -inkey "$key" -pkeyopt digest:sha256 \
			    -in <(openssl dgst -sha256 -binary $m) | cmp - sig
			run -0 openssl dgst -sha256 -verify "${key%.pem}.pub" \
			    -signature sig $m
			assert_output "Verified OK"
			run -0 pk-wrap verify -k "${key%.pem}.pub" -s sig.ossl < $m
			assert_output "Verified OK"
		done
	done
}

@test "wrap: sign streams 64 MiB through a pipe in under 4 MiB, same signature as openssl" {
	[ -x /usr/bin/time ] || skip "GNU time is not installed"
	# ASan's shadow memory would be measured, not the tool's.
	! ldd "$PK_ROOT/bin/pk-wrap" | grep -q libasan || skip "ASan build"
	head -c 67108864 /dev/zero |
	    /usr/bin/time -o rss -f %M pk-wrap sign -k "$K2" > sig
	head -c 67108864 /dev/zero | openssl dgst -sha256 -sign "$K2" |
	    cmp - sig
	echo "peak RSS: $(< rss) KiB"
	[ "$(< rss)" -lt 4096 ]
}

@test "wrap: PSS signatures: openssl verifies pk-wrap's, pk-wrap verifies openssl's (saltlen 32, or --salt-len)" {
	make_file msg 100000
	pk-wrap sign --pss -k "$K2" < msg > pss
	[ "$(wc -c < pss)" -eq 256 ]
	run -0 openssl dgst -sha256 -sigopt rsa_padding_mode:pss \
	    -sigopt rsa_pss_saltlen:32 -verify "$P2" -signature pss msg
	assert_output "Verified OK"
	# PSS is randomised; two signatures of one message differ.
	pk-wrap sign --pss -k "$K2" < msg > pss2
	run -1 cmp -s pss pss2
	run -0 pk-wrap verify --pss -k "$P2" -s pss2 < msg
	assert_output "Verified OK"
	openssl dgst -sha256 -sigopt rsa_padding_mode:pss \
	    -sigopt rsa_pss_saltlen:32 -sign "$K2" -out pss.ossl msg
	run -0 pk-wrap verify --pss -k "$P2" -s pss.ossl < msg
	assert_output "Verified OK"
	# openssl's default salt is the longest that fits: k - 34 = 222.
	openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sign "$K2" \
	    -out pss.max msg
	run -1 pk-wrap verify --pss --salt-len 32 -k "$P2" -s pss.max < msg
	run -0 pk-wrap verify --pss --salt-len 222 -k "$P2" -s pss.max < msg
	pk-wrap sign --pss --salt-len 94 -k "$K1" < msg > pss.k1
	run -2 pk-wrap sign --pss --salt-len 95 -k "$K1" < msg
	assert_output "pk-wrap: --salt-len 95: at most 94 for this key"
	run -0 openssl dgst -sha256 -sigopt rsa_padding_mode:pss \
	    -sigopt rsa_pss_saltlen:auto -verify "$P1" -signature pss.k1 msg
}

@test "wrap: verify rejects a tampered message or signature with exit 1" {
	make_file msg 1000
	pk-wrap sign -k "$K2" < msg > sig
	pk-wrap sign --pss -k "$K2" < msg > pss
	{ cat msg; printf x; } > msg.long
	{ head -c 10 sig; printf '\0'; tail -c 245 sig; } > sig.bad
	head -c 255 sig > sig.short
	{ printf '\0'; cat sig; } > sig.long
	for args in "-s sig -k $P2 < msg.long" "-s sig.bad -k $P2 < msg" \
	    "-s sig.short -k $P2 < msg" "-s sig.long -k $P2 < msg" \
	    "-s /dev/null -k $P2 < msg" "--pss -s sig -k $P2 < msg" \
	    "-s pss -k $P2 < msg" "--pss -s pss -k $P2 < msg.long" \
	    "-s sig -k $P1 < msg"; do
		run --separate-stderr -1 eval pk-wrap verify "$args"
		assert_output ""
		assert_equal "$stderr" "pk-wrap: verification failed"
	done
}

@test "wrap: Wycheproof RSASSA-PKCS1-v1_5 SHA-256 2048 verification" {
	wycheproof rsa_signature_2048_sha256_test.json > list
	run -0 bash -c "$VECTOR_LOOP" - verify < list
	assert_output "259 vectors"
}

@test "wrap: Wycheproof RSASSA-PKCS1-v1_5 SHA-256 signature generation, byte for byte" {
	wycheproof rsa_pkcs1_2048_sig_gen_test.json SHA-256 > list
	run -0 bash -c "$VECTOR_LOOP" - sign < list
	assert_output "10 vectors"
}

@test "wrap: an encrypted key opens with --pass-file, --pass-fd and --pass-env" {
	make_file in 32
	pk-wrap -e -k "$P2" < in > ct
	pk-wrap -d -k "$KE" --pass-file "$PASS" < ct | cmp - in
	pk-wrap -d -k "$KE" --pass-fd 4 4< "$PASS" < ct | cmp - in
	PK_PASS="correct horse" pk-wrap -d -k "$KE" --pass-env PK_PASS < ct |
	    cmp - in
	pk-wrap sign -k "$KE" --pass-file "$PASS" < in > sig
	pk-wrap sign -k "$K2" < in | cmp - sig
	# An encrypted private key also serves -e and verify.
	pk-wrap verify -k "$KE" --pass-file "$PASS" -s sig < in
}

@test "wrap: a wrong passphrase exits 1; none, empty or two sources exit 2" {
	run -1 env PK_PASS=wrong pk-wrap -d -k "$KE" --pass-env PK_PASS < /dev/null
	assert_output "pk-wrap: $KE: wrong passphrase or corrupt key"
	run -2 pk-wrap -d -k "$KE" < /dev/null
	assert_output "pk-wrap: $KE: key is encrypted: use --pass-file, --pass-fd or --pass-env"
	run -2 env PK_PASS= pk-wrap -d -k "$KE" --pass-env PK_PASS < /dev/null
	assert_output "pk-wrap: empty passphrase"
	run -2 pk-wrap -d -k "$KE" --pass-env PK_UNSET_VARIABLE < /dev/null
	assert_output "pk-wrap: --pass-env PK_UNSET_VARIABLE: not set"
	run -2 pk-wrap -d -k "$KE" --pass-file nosuch < /dev/null
	assert_output "pk-wrap: nosuch: No such file or directory"
	run -2 pk-wrap -d -k "$KE" --pass-file "$PASS" --pass-fd 0 < /dev/null
	assert_output "pk-wrap: choose one of --pass-env, --pass-fd, --pass-file"
	run -2 pk-wrap -d -k "$KE" --pass-fd 1x < /dev/null
	assert_output "pk-wrap: --pass-fd 1x: invalid"
}

@test "wrap: key problems exit 2 naming the file" {
	run -2 pk-wrap -e -k nosuch.pem < /dev/null
	assert_output "pk-wrap: nosuch.pem: No such file or directory"
	mkdir dir
	run -2 pk-wrap -e -k dir < /dev/null
	assert_output "pk-wrap: dir: Is a directory"
	echo "not a key" > junk.pem
	run -2 pk-wrap -e -k junk.pem < /dev/null
	assert_output "pk-wrap: junk.pem: malformed key"
	run -2 pk-wrap -d -k "$P2" < /dev/null
	assert_output "pk-wrap: $P2: public key where a private key is needed"
	run -2 pk-wrap sign -k "$P2" < /dev/null
	assert_output "pk-wrap: $P2: public key where a private key is needed"
	run -2 pk-wrap verify -k "$P2" -s nosuch.sig < /dev/null
	assert_output "pk-wrap: nosuch.sig: No such file or directory"
}

@test "wrap: usage errors exit 2 with one line" {
	run -2 pk-wrap -e -d -k "$P2"
	assert_output "pk-wrap: cannot use -d with -e"
	run -2 pk-wrap sign -e -k "$K2"
	assert_output "pk-wrap: cannot use -e with sign"
	run -2 pk-wrap -e
	assert_output "pk-wrap: missing -k key"
	run -2 pk-wrap verify -k "$P2"
	assert_output "pk-wrap: missing -s sigfile"
	run -2 pk-wrap -e -s sig -k "$P2"
	assert_output "pk-wrap: -s is for verify"
	run -2 pk-wrap -e --oaep --pkcs1 -k "$P2"
	assert_output "pk-wrap: choose one of --oaep, --oaep-sha1, --pkcs1, --raw"
	run -2 pk-wrap -e --pss -k "$P2"
	assert_output "pk-wrap: --pss is for sign and verify"
	run -2 pk-wrap sign --pkcs1 -k "$K2"
	assert_output "pk-wrap: --oaep, --oaep-sha1, --pkcs1, --raw are for -e and -d"
	run -2 pk-wrap sign --salt-len 20 -k "$K2"
	assert_output "pk-wrap: --salt-len needs --pss"
	run -2 pk-wrap sign --pss --salt-len 2x -k "$K2"
	assert_output "pk-wrap: --salt-len 2x: invalid"
	run -2 pk-wrap -e --pkcs1 --label-file /dev/null -k "$P2"
	assert_output "pk-wrap: --label-file needs --oaep or --oaep-sha1"
	run -2 pk-wrap -e -k "$P2" extra
	assert_output "pk-wrap: unexpected argument 'extra'
Try 'pk-wrap --help'"
	run -2 pk-wrap -e --bogus -k "$P2"
	assert_line --index 0 "pk-wrap: unrecognized option '--bogus'"
	assert_line --index 1 "Try 'pk-wrap --help'"
}

@test "wrap: a write error on stdout exits 2 and names it" {
	make_file in 32
	pk-wrap -e -k "$P2" < in > ct
	pk-wrap sign -k "$K2" < in > sig
	for args in "-e -k $P2 < in" "-d -k $K2 < ct" "sign -k $K2 < in" \
	    "verify -k $P2 -s sig < in"; do
		run -2 eval pk-wrap "$args" "> /dev/full"
		assert_output "pk-wrap: stdout: No space left on device"
	done
}

# Issue 10, items 3 to 5: openssl's PSS salt lengths, multi-prime keys and
# certificates where a key is read.

@test "wrap: verify --pss takes openssl's PSS signatures of any salt length, as its auto does" {
	make_file msg 5000
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1025 \
	    -out k1025.pem 2> /dev/null
	openssl pkey -in k1025.pem -pubout -out k1025.pub
	local key pub salt opt
	for key in "$K1" "$K2" k1025.pem; do
		pub=${key%.pem}.pub
		for salt in default 0 32 max -2; do
			if [ $salt = default ]; then
				opt=()
			else
				opt=(-sigopt "rsa_pss_saltlen:$salt")
			fi
			openssl dgst -sha256 -sigopt rsa_padding_mode:pss \
			    "${opt[@]}" -sign "$key" -out sig msg
			run -0 pk-wrap verify --pss -k "$pub" -s sig < msg
			assert_output "Verified OK"
		done
	done
	# --salt-len still asks for exactly that length.
	openssl dgst -sha256 -sigopt rsa_padding_mode:pss \
	    -sigopt rsa_pss_saltlen:0 -sign "$K2" -out sig0 msg
	run -0 pk-wrap verify --pss --salt-len 0 -k "$P2" -s sig0 < msg
	run --separate-stderr -1 pk-wrap verify --pss --salt-len 32 -k "$P2" \
	    -s sig0 < msg
	assert_equal "$stderr" "pk-wrap: verification failed"
	# A tampered message or signature, and a PKCS#1 v1.5 signature.
	{ cat msg; printf x; } > msg.long
	run --separate-stderr -1 pk-wrap verify --pss -k "$P2" -s sig0 \
	    < msg.long
	assert_equal "$stderr" "pk-wrap: verification failed"
	openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sign "$K2" \
	    -out sig msg
	# Byte 101 plus one (mod 256).
	{ head -c 100 sig; head -c 101 sig | tail -c 1 |
	    tr '\000-\377' '\001-\377\000'; tail -c 155 sig; } > sig.bad
	run -1 cmp -s sig sig.bad
	run --separate-stderr -1 pk-wrap verify --pss -k "$P2" -s sig.bad < msg
	assert_equal "$stderr" "pk-wrap: verification failed"
	openssl dgst -sha256 -sign "$K2" -out sig.v15 msg
	run --separate-stderr -1 pk-wrap verify --pss -k "$P2" -s sig.v15 < msg
	assert_equal "$stderr" "pk-wrap: verification failed"
}

@test "wrap: a certificate, PEM or DER, is the public key for -e and verify, as openssl pkeyutl -certin reads it" {
	openssl req -x509 -key "$K2" -subj /CN=alice -days 2 -out alice.crt
	openssl x509 -in alice.crt -outform DER -out alice.der
	make_file in 100
	make_file msg 1000
	openssl dgst -sha256 -sign "$K2" -out sig msg
	openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sign "$K2" \
	    -out pss msg
	local f pad
	for f in alice.crt alice.der; do
		for pad in --oaep --oaep-sha1 --pkcs1; do
			pk-wrap -e $pad -k $f < in > ct
			# shellcheck disable=SC2046
			openssl pkeyutl -decrypt -inkey "$K2" $(ossl_pad $pad) \
			    -in ct -out out
			cmp in out
		done
		run -0 pk-wrap verify -k $f -s sig < msg
		assert_output "Verified OK"
		run -0 pk-wrap verify --pss -k $f -s pss < msg
		assert_output "Verified OK"
	done
	# shellcheck disable=SC2046
	openssl pkeyutl -encrypt -certin -inkey alice.crt $(ossl_pad --oaep) \
	    -in in -out ct.ossl
	pk-wrap -d -k "$K2" < ct.ossl > out
	cmp in out
	# A private key is needed: the certificate holds none.
	for f in alice.crt alice.der; do
		run -2 pk-wrap -d -k $f < ct.ossl
		assert_output "pk-wrap: $f: a certificate holds only a public key; the private key is needed"
		run -2 pk-wrap sign -k $f < msg
		assert_output "pk-wrap: $f: a certificate holds only a public key; the private key is needed"
	done
}

@test "wrap: Wycheproof RSAES-OAEP 2048 SHA-1 with a three-prime key" {
	wycheproof rsa_three_primes_oaep_2048_sha1_mgf1sha1_test.json > list
	run -0 bash -c "$VECTOR_LOOP" - decrypt --oaep-sha1 < list
	assert_output "36 vectors"
}

@test "wrap: a three-prime key (PKCS#8, PKCS#1, DER, encrypted) decrypts openssl's OAEP, PKCS#1 v1.5 and raw blocks and signs as openssl does" {
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	    -pkeyopt rsa_keygen_primes:3 -out mp.pem 2> /dev/null
	[ "$(openssl asn1parse -in mp.pem -strparse 22 |
	    sed -n '2s/.*INTEGER *://p')" = 01 ]
	openssl pkey -in mp.pem -pubout -out mp.pub
	openssl pkey -in mp.pem -traditional -out mp1.pem
	openssl pkey -in mp.pem -outform DER -out mp.der
	openssl pkcs8 -topk8 -in mp.pem -v2 aes-256-cbc -passout file:"$PASS" \
	    -out mpenc.pem
	openssl rsa -in mp.pem -aes256 -passout file:"$PASS" -out mp1enc.pem \
	    2> /dev/null
	make_file in 100
	make_input --raw raw 256
	make_file msg 3000
	local key pad src
	for pad in --oaep --oaep-sha1 --pkcs1 --raw; do
		[ $pad = --raw ] && src=raw || src=in
		# shellcheck disable=SC2046
		openssl pkeyutl -encrypt -pubin -inkey mp.pub $(ossl_pad $pad) \
		    -in $src -out ct$pad
	done
	openssl dgst -sha256 -sign mp.pem -out sig.ossl msg
	for key in mp.pem mp1.pem mp.der mpenc.pem mp1enc.pem; do
		for pad in --oaep --oaep-sha1 --pkcs1 --raw; do
			[ $pad = --raw ] && src=raw || src=in
			pk-wrap -d $pad -k $key --pass-file "$PASS" \
			    < ct$pad > out 2> /dev/null
			cmp $src out
		done
		pk-wrap sign -k $key --pass-file "$PASS" < msg > sig
		cmp sig.ossl sig
		pk-wrap sign --pss -k $key --pass-file "$PASS" < msg > pss
		run -0 openssl dgst -sha256 -sigopt rsa_padding_mode:pss \
		    -verify mp.pub -signature pss msg
		assert_output "Verified OK"
	done
	# An empty block, and one for another key, fail as always.
	run --separate-stderr -1 pk-wrap -d -k mp.pem < /dev/null
	assert_equal "$stderr" "pk-wrap: decryption failed"
	openssl pkeyutl -encrypt -pubin -inkey "$P2" -in in -out ct.other \
	    -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 \
	    -pkeyopt rsa_mgf1_md:sha256
	run --separate-stderr -1 pk-wrap -d -k mp.pem < ct.other
	assert_equal "$stderr" "pk-wrap: decryption failed"
}

@test "wrap, keygen: one --pass-fd range for every tool, 0 to INT_MAX" {
	[ "$(ulimit -n)" -gt 1500 ] || ulimit -n 2048 || skip "fd 1500 is over the limit"
	make_file in 32
	pk-wrap -e -k "$P2" < in > ct
	pk-wrap -d -k "$KE" --pass-fd 1500 1500< "$PASS" < ct | cmp - in
	pk-keygen pub --pass-fd 1500 -i "$KE" 1500< "$PASS" > /dev/null
	run -2 pk-wrap -d -k "$KE" --pass-fd 2147483648 < /dev/null
	assert_output "pk-wrap: --pass-fd 2147483648: too large"
	run -2 pk-keygen pub --pass-fd 2147483648 -i "$KE" < /dev/null
	assert_output "pk-keygen: --pass-fd 2147483648: too large"
	run -2 pk-wrap -d -k "$KE" --pass-fd -1 < /dev/null
	assert_output "pk-wrap: --pass-fd -1: too small"
}
