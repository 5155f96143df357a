#!/usr/bin/env bats
# pk-keygen: RSA key pairs that openssl re-encodes byte for byte, every key
# form openssl writes read back, passphrases both ways, AES keys and IVs,
# and each bad input with its exact exit code and message.

load helpers

FIXTURES="$PK_ROOT/tests/fixtures/keys"

# One RSA-1024 key in every form, made by openssl now (make.sh), shared by
# the tests of this file.
setup_file() {
	"$PK_ROOT/tests/fixtures/keys/make.sh" "$BATS_FILE_TMPDIR/keys"
}

setup() {
	KEYS="$BATS_FILE_TMPDIR/keys"
	printf 'correct horse\n' > pw
}

# rsa1024 ARGS...: a quick key pair; stdin is never a terminal here.
rsa1024() {
	pk-keygen rsa -b 1024 "$@" < /dev/null
}

# label FILE: the label of its first line, "-----BEGIN label-----".
label() {
	sed -n '1s/^-----BEGIN \(.*\)-----$/\1/p' "$1"
}

# rsa_integers KEY: the numbers of a private key in PKCS#1 order (version,
# n, e, d, p, q, d mod p-1, d mod q-1, q^-1 mod p), one upper-case hex line
# each, as openssl asn1parse prints them.
rsa_integers() {
	openssl rsa -in "$1" -traditional -outform DER 2>/dev/null |
	    openssl asn1parse -inform DER | sed -n 's/.*INTEGER *://p'
}

# bits HEX: the bit length of the number; top2 HEX: whether its two
# highest bits are set.  HEX has no leading zero digit but for one pad.
bits() {
	local h=${1#0} n

	case $h in
	[89A-F]*) n=0 ;;
	[4-7]*) n=1 ;;
	[23]*) n=2 ;;
	*) n=3 ;;
	esac
	echo $((4 * ${#h} - n))
}
top2() {
	case ${1#0} in
	[C-F]* | [67]* | 3* | 1[89A-F]*) return 0 ;;
	*) return 1 ;;
	esac
}

# The PEM files a run of make.sh writes, private and public.
key_files() {
	(cd "$1" && ls -- *.pem *.der)
}

@test "keygen rsa: PKCS#8 (0600) and SPKI (0644) PEM that openssl re-encodes byte for byte" {
	umask 077
	rsa1024 -o k
	assert_equal "$(stat -c %a k.key)" 600
	assert_equal "$(stat -c %a k.pub)" 644
	assert_equal "$(label k.key)" "PRIVATE KEY"
	assert_equal "$(label k.pub)" "PUBLIC KEY"
	openssl pkey -in k.key | cmp - k.key
	openssl pkey -pubin -in k.pub | cmp - k.pub
	openssl pkey -in k.key -pubout | cmp - k.pub
	run openssl pkey -in k.key -check -noout
	assert_output "Key is valid"
	run pk-keygen pub -i k.key
	assert_output "$(cat k.pub)"
}

@test "keygen rsa: 2048 bits and exponent 65537 by default" {
	pk-keygen rsa --no-pass -o k
	run openssl rsa -in k.key -noout -text
	assert_line "Private-Key: (2048 bit, 2 primes)"
	assert_line "publicExponent: 65537 (0x10001)"
	openssl pkey -in k.key | cmp - k.key
	run openssl pkey -in k.key -check -noout
	assert_output "Key is valid"
	run pk-keygen info -i k.pub
	assert_line --index 0 "bits 2048"
}

@test "keygen rsa: n has exactly the bits asked for, p and q half each with their top two bits set" {
	local b i
	for b in 1025 1536; do
		rsa1024 -b "$b" --no-pass -f -o k
		run openssl rsa -in k.key -noout -text
		assert_line "Private-Key: ($b bit, 2 primes)"
		run openssl pkey -in k.key -check -noout
		assert_output "Key is valid"
		mapfile -t i < <(rsa_integers k.key)
		assert_equal "$(bits "${i[1]}")" "$b"
		assert_equal "$(bits "${i[4]}")" $(((b + 1) / 2))
		assert_equal "$(bits "${i[5]}")" $((b / 2))
		top2 "${i[4]}"
		top2 "${i[5]}"
		# FIPS 186-5 A.1.1: d > 2^(nbits/2).
		[ "$(bits "${i[3]}")" -gt $((b / 2 + 1)) ]
	done
}

@test "keygen rsa: does not replace a key without -f" {
	rsa1024 -o k
	cp k.key old.key
	run -2 rsa1024 -o k
	assert_output "pk-keygen: k.key: File exists"
	cmp k.key old.key
	rsa1024 -f -o k
	run -1 cmp -s k.key old.key
	openssl pkey -in k.key -pubout | cmp - k.pub
}

@test "keygen rsa: -e 17 at 1024 bits gives the 160-byte SPKI DER of the vault protocol" {
	rsa1024 -e 17 -o k
	pk-keygen pub --der -i k.key > k.der
	assert_equal "$(wc -c < k.der)" 160
	openssl pkey -pubin -in k.pub -outform DER | cmp - k.der
	run openssl rsa -in k.key -noout -text
	assert_line "publicExponent: 17 (0x11)"
	run openssl pkey -in k.key -check -noout
	assert_output "Key is valid"
}

@test "keygen rsa: numbers out of range, clashing or missing options are usage errors" {
	run -2 rsa1024 -b 512 -o k
	assert_output "pk-keygen: -b 512: too small (below 1024 bits needs --insecure)"
	run -2 pk-keygen rsa -b 8193 -o k
	assert_output "pk-keygen: -b 8193: too large"
	run -2 pk-keygen rsa -b 2k -o k
	assert_output "pk-keygen: -b 2k: invalid"
	run -2 pk-keygen rsa -e 65536 -o k
	assert_output "pk-keygen: -e 65536: must be odd"
	run -2 pk-keygen rsa -e 1 -o k
	assert_output "pk-keygen: -e 1: too small"
	run -2 pk-keygen rsa --iter 999 -o k
	assert_output "pk-keygen: --iter 999: too small"
	[ ! -e k.key ]
	run -2 pk-keygen rsa --no-pass --pass-file pw -o k
	assert_output "pk-keygen: cannot use --no-pass with a pass-option"
	run -2 pk-keygen rsa --pass-file pw --pass-env X -o k
	assert_output "pk-keygen: cannot use more than one pass-option"
	run -2 pk-keygen rsa --legacy --iter 2000 -o k
	assert_output "pk-keygen: cannot use --iter with --legacy"
	run -2 pk-keygen rsa
	assert_output "pk-keygen: rsa: -o is required"
	run -2 pk-keygen pub --der
	assert_output "pk-keygen: pub: -i is required"
	run -2 pk-keygen aes --der
	assert_output "pk-keygen: aes: cannot use --der"
}

@test "keygen rsa: --pass-file writes PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) that openssl reads" {
	rsa1024 --iter 1000 --pass-file pw -o k
	assert_equal "$(label k.key)" "ENCRYPTED PRIVATE KEY"
	openssl pkey -passin file:pw -in k.key -pubout | cmp - k.pub
	run openssl asn1parse -in k.key
	assert_line --partial ":PBES2"
	assert_line --partial ":PBKDF2"
	assert_line --regexp "prim: OCTET STRING +\[HEX DUMP\]:[0-9A-F]{32}$"
	assert_line --partial "prim: INTEGER           :03E8"
	assert_line --partial ":hmacWithSHA256"
	assert_line --partial ":aes-256-cbc"
	run pk-keygen info --pass-file pw -i k.key
	assert_output "$(pk-keygen info -i k.pub)"
}

@test "keygen rsa: 600000 PBKDF2 rounds by default" {
	rsa1024 --pass-file pw -o k
	run openssl asn1parse -in k.key
	assert_line --partial "prim: INTEGER           :0927C0"
	openssl pkey -passin file:pw -in k.key -pubout | cmp - k.pub
}

@test "keygen rsa, info: --pass-fd and --pass-env work as --pass-file" {
	rsa1024 --iter 1000 --pass-fd 3 -o a 3< pw
	openssl pkey -passin file:pw -in a.key -pubout | cmp - a.pub
	PK_PASS="correct horse" rsa1024 --iter 1000 --pass-env PK_PASS -o b
	openssl pkey -passin file:pw -in b.key -pubout | cmp - b.pub
	run -2 pk-keygen info --pass-env PK_PASS -i a.key
	assert_output "pk-keygen: --pass-env PK_PASS: not set"
	run -0 pk-keygen info --pass-fd 3 -i "$KEYS/pbes2-aes-256-cbc.pem" \
	    3< "$KEYS/pass.txt"
	assert_output "$(cat "$KEYS/info.txt")"
	PK_PASS=fuzz run -0 pk-keygen info --pass-env PK_PASS \
	    -i "$KEYS/legacy-aes256.pem"
	assert_output "$(cat "$KEYS/info.txt")"
}

@test "keygen rsa: --legacy writes PKCS#1 as openssl -traditional, with a passphrase the legacy PEM openssl rsa reads" {
	rsa1024 --legacy --pass-file pw -o k
	assert_equal "$(label k.key)" "RSA PRIVATE KEY"
	assert_equal "$(sed -n 2p k.key)" "Proc-Type: 4,ENCRYPTED"
	assert_regex "$(sed -n 3p k.key)" '^DEK-Info: AES-256-CBC,[0-9A-F]{32}$'
	assert_equal "$(sed -n 4p k.key)" ""
	openssl rsa -passin file:pw -in k.key -pubout 2> /dev/null | cmp - k.pub
	run pk-keygen pub --pass-file pw -i k.key
	assert_output "$(cat k.pub)"
	rsa1024 --legacy -o plain
	assert_equal "$(label plain.key)" "RSA PRIVATE KEY"
	openssl pkey -in plain.key -traditional | cmp - plain.key
	openssl pkey -in plain.key -pubout | cmp - plain.pub
}

@test "keygen rsa: refuses an empty passphrase" {
	: > empty
	run -2 rsa1024 --pass-file empty -o k
	assert_output "pk-keygen: empty passphrase"
	printf '\n' > nl.pass
	run -2 rsa1024 --pass-file nl.pass -o k
	assert_output "pk-keygen: empty passphrase"
	[ ! -e k.key ]
	# Ctrl-D at the terminal's prompt: the error on a line of its own
	# (the terminal echoes no newline for it).
	run -0 python3 -c '
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
	os.execvp(sys.argv[1], sys.argv[1:])
out = b""
while not out.endswith(b": "):
	out += os.read(fd, 1)
os.write(fd, b"\x04")
while True:
	try:
		d = os.read(fd, 1024)
	except OSError:
		break
	if not d:
		break
	out += d
_, st = os.waitpid(pid, 0)
sys.stdout.write(out.decode() + "exit %d" % os.waitstatus_to_exitcode(st))
' pk-keygen rsa -b 1024 -o k
	assert_output $'passphrase: \r\npk-keygen: empty passphrase\r\nexit 2'
	[ ! -e k.key ]
}

@test "keygen: unknown option or mode: what is wrong, where help is, exit 2" {
	run -2 --separate-stderr pk-keygen info --bogus -i k
	assert_equal "${stderr_lines[0]}" "pk-keygen: invalid option: --bogus"
	assert_equal "${stderr_lines[1]}" "Try 'pk-keygen info --help'"
	run -2 --separate-stderr pk-keygen frobnicate
	assert_equal "${stderr_lines[0]}" "pk-keygen: unknown mode: frobnicate"
	run -2 --separate-stderr pk-keygen
	assert_equal "${stderr_lines[0]}" "pk-keygen: missing mode: rsa, pub, info, aes, iv, csr, selfsign, sign or verify"
	run -2 --separate-stderr pk-keygen info -x
	assert_equal "${stderr_lines[0]}" "pk-keygen: invalid option: -x"
	run -2 --separate-stderr pk-keygen info -i
	assert_equal "${stderr_lines[0]}" "pk-keygen: missing argument: -i"
	run -2 pk-keygen iv extra
}

@test "keygen: --help prints the synopsis, every option and the exit codes" {
	run -0 --separate-stderr pk-keygen --help
	assert_line --index 0 "usage: pk-keygen rsa [-f] [-b bits] [-e exponent] [--insecure]"
	for opt in -b -e -f -i -o --der --insecure --iter --legacy --no-pass \
	    --pass-file --pass-fd --pass-env --text --help; do
		assert_line --regexp "^  (-h, )?$opt "
	done
	assert_line "Exit status: 0 done; 1 wrong passphrase; 2 usage, I/O error, or a"
	assert_equal "$stderr" ""
	run -0 pk-keygen info -h
	assert_line --index 0 "usage: pk-keygen info [--text] [pass-option] -i key"
}

@test "keygen pub, info: every form openssl writes gives openssl's public key" {
	local f
	for f in $(key_files "$KEYS"); do
		run -0 pk-keygen pub --pass-file "$KEYS/pass.txt" -i "$KEYS/$f"
		assert_output "$(cat "$KEYS/spki.pem")"
		pk-keygen pub --der --pass-file "$KEYS/pass.txt" -i "$KEYS/$f" |
		    cmp - "$KEYS/spki.der"
		run -0 pk-keygen info --pass-file "$KEYS/pass.txt" -i "$KEYS/$f"
		assert_output "$(cat "$KEYS/info.txt")"
	done
	[ "$(key_files "$KEYS" | wc -l)" -eq 19 ]
}

@test "keygen info: the committed openssl fixtures still read the same" {
	local f
	for f in $(key_files "$FIXTURES"); do
		run -0 pk-keygen info --pass-file "$FIXTURES/pass.txt" \
		    -i "$FIXTURES/$f"
		assert_output "$(cat "$FIXTURES/info.txt")"
	done
}

@test "keygen info: sha256 is the digest of openssl's SPKI DER" {
	rsa1024 -o k
	run -0 pk-keygen info -i k.key
	assert_line --index 0 "bits 1024"
	assert_line --index 1 "exponent 65537"
	fp=$(openssl pkey -in k.key -pubout -outform DER | sha256sum)
	assert_line --index 2 "sha256 ${fp%% *}"
	pk-keygen pub -i - < k.key | cmp - k.pub
}

@test "keygen info: wrong passphrase exits 1, no passphrase exits 2" {
	run -1 pk-keygen info --pass-file pw -i "$KEYS/pbes2-aes-256-cbc.pem"
	assert_output "pk-keygen: $KEYS/pbes2-aes-256-cbc.pem: wrong passphrase or corrupt key"
	run -1 pk-keygen info --pass-file pw -i "$KEYS/pbes2-sha1.pem"
	assert_output --partial "wrong passphrase or corrupt key"
	run -1 pk-keygen pub --pass-file pw -i "$KEYS/legacy-aes256.pem"
	assert_output --partial "wrong passphrase or corrupt key"
	run -1 pk-keygen pub --pass-file pw -i "$KEYS/legacy-des3.pem"
	assert_output --partial "wrong passphrase or corrupt key"
	cp "$KEYS/pbes2.der" k.der
	run -2 pk-keygen info -i k.der < /dev/null
	assert_output "pk-keygen: k.der: key is encrypted: use --pass-file, --pass-fd or --pass-env"
}

@test "keygen info: unreadable file" {
	cp "$KEYS/spki.pem" k.pem
	chmod 000 k.pem
	local as=()
	# root reads any file: drop to nobody to make it unreadable.
	if [ "$(id -u)" -eq 0 ]; then
		command -v setpriv > /dev/null ||
		    skip "running as root and setpriv is missing"
		as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	fi
	run -2 "${as[@]}" "$PK_ROOT/bin/pk-keygen" info -i "$PWD/k.pem"
	assert_output "pk-keygen: $PWD/k.pem: Permission denied"
}

@test "keygen info: a missing file, a directory, an empty file, a file over 64 KiB" {
	run -2 pk-keygen info -i nosuch.pem
	assert_output "pk-keygen: nosuch.pem: No such file or directory"
	mkdir dir
	run -2 pk-keygen info -i dir
	assert_output "pk-keygen: dir: Is a directory"
	: > empty.pem
	run -2 pk-keygen info -i empty.pem
	assert_output "pk-keygen: empty.pem: malformed key"
	make_file big.pem 65537
	run -2 pk-keygen info -i big.pem
	assert_output "pk-keygen: big.pem: File too large"
}

@test "keygen info: truncated PEM, garbage base64, DER lengths beyond the data are malformed" {
	head -c 300 "$KEYS/pkcs8.pem" > cut.pem
	run -2 pk-keygen info -i cut.pem
	assert_output "pk-keygen: cut.pem: malformed key"
	sed '3s/^..../!!!!/' "$KEYS/pkcs8.pem" > garbage.pem
	run -2 pk-keygen info -i garbage.pem
	assert_output "pk-keygen: garbage.pem: malformed key"
	sed '$s/PRIVATE/PUBLIC/' "$KEYS/pkcs8.pem" > label.pem
	run -2 pk-keygen info -i label.pem
	assert_output "pk-keygen: label.pem: malformed key"
	printf '\x30\x84\x7f\xff\xff\xff\x02\x01\x00' > long.der
	run -2 pk-keygen info -i long.der
	assert_output "pk-keygen: long.der: malformed key"
	# The SPKI's BIT STRING claims 0x7fff octets of 0x8d.
	{ head -c 20 "$KEYS/spki.der"; printf '\x82\x7f\xff'
	    tail -c +24 "$KEYS/spki.der"; } > inner.der
	[ "$(wc -c < inner.der)" -eq 162 ]
	run -2 pk-keygen info -i inner.der
	assert_output "pk-keygen: inner.der: malformed key"
	head -c 100 "$KEYS/pkcs1.der" > cutder.der
	run -2 pk-keygen info -i cutder.der
	assert_output "pk-keygen: cutder.der: malformed key"
}

@test "keygen info: a private key whose numbers disagree is refused" {
	# Flip one bit of the last octet, which belongs to qinv.
	local size last
	size=$(wc -c < "$KEYS/pkcs1.der")
	last=$(tail -c 1 "$KEYS/pkcs1.der" | od -An -tu1 | tr -d ' ')
	{ head -c $((size - 1)) "$KEYS/pkcs1.der"
	    printf "\\$(printf %03o $((last ^ 1)))"; } > bad.der
	assert_equal "$(cmp bad.der "$KEYS/pkcs1.der" | cut -d' ' -f5)" "$size,"
	run -1 cmp -s bad.der "$KEYS/pkcs1.der"
	run -2 pk-keygen info -i bad.der
	assert_output "pk-keygen: bad.der: malformed key"
}

@test "keygen info: a multi-prime key is read as openssl reads it, EC keys are not RSA" {
	local json="$VECTORS/wycheproof/rsa_three_primes_oaep_2048_sha1_mgf1sha1_test.json"
	local pem
	pem=$(grep -o '"privateKeyPem" *: *"[^"]*"' "$json" |
	    sed 's/^"privateKeyPem" *: *"//; s/"$//')
	printf '%b' "$pem" > three.pem
	assert_equal "$(label three.pem)" "PRIVATE KEY"
	run -0 pk-keygen info -i three.pem
	assert_output "bits 2048
exponent 65537
sha256 $(openssl pkey -in three.pem -pubout -outform DER | sha256sum |
	    cut -d' ' -f1)"
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out ec.pem
	openssl pkey -in ec.pem -pubout -out ecpub.pem
	openssl pkey -in ec.pem -traditional -out ectrad.pem
	local f
	for f in ec.pem ecpub.pem ectrad.pem; do
		run -2 pk-keygen info -i $f
		assert_output "pk-keygen: $f: not an RSA key"
	done
}

@test "keygen aes, iv: random lower-case hex and a newline, as openssl rand -hex prints" {
	run -0 pk-keygen aes
	assert_output --regexp '^[0-9a-f]{64}$'
	assert_equal "$(pk-keygen aes | wc -c)" "$(openssl rand -hex 32 | wc -c)"
	assert_equal "$(pk-keygen aes -b 128 | wc -c)" 33
	assert_equal "$(pk-keygen aes -b 192 | wc -c)" 49
	[ "$(pk-keygen aes)" != "$(pk-keygen aes)" ]
	run -2 pk-keygen aes -b 160
	assert_output "pk-keygen: -b 160: must be 128, 192 or 256"
	run -2 pk-keygen aes -b 512
	assert_output "pk-keygen: -b 512: too large"
	run -0 pk-keygen iv
	assert_output --regexp '^[0-9a-f]{32}$'
	[ "$(pk-keygen iv)" != "$(pk-keygen iv)" ]
	run -2 pk-keygen iv -b 128
	assert_output "pk-keygen: iv: cannot use -b"
}

@test "keygen aes: -o writes a 0600 file, replaced only with -f" {
	umask 022
	pk-keygen aes -b 128 -o k.hex
	assert_equal "$(stat -c %a k.hex)" 600
	assert_regex "$(cat k.hex)" '^[0-9a-f]{32}$'
	cp k.hex old.hex
	run -2 pk-keygen aes -o k.hex
	assert_output "pk-keygen: k.hex: File exists"
	cmp k.hex old.hex
	pk-keygen aes -f -o k.hex
	assert_equal "$(wc -c < k.hex)" 65
	# The key works as openssl's -K.
	echo hello | openssl enc -aes-256-cbc -K "$(cat k.hex)" \
	    -iv "$(pk-keygen iv)" > /dev/null
}


# Issue 10, items 4 and 5: multi-prime keys, and certificates where a key
# is read.

@test "keygen pub, info: a certificate (PEM or DER) gives its public key, as openssl x509 -pubkey; csr -k says it holds no private key" {
	openssl req -x509 -key "$KEYS/pkcs8.pem" -subj /CN=alice -days 2 \
	    -out alice.crt
	openssl x509 -in alice.crt -outform DER -out alice.der
	openssl x509 -in alice.crt -pubkey -noout > want.pem
	cmp want.pem "$KEYS/spki.pem"
	local f
	for f in alice.crt alice.der; do
		pk-keygen pub -i $f | cmp - want.pem
		pk-keygen pub --der -i $f | cmp - "$KEYS/spki.der"
		run -0 pk-keygen info -i $f
		assert_output "$(pk-keygen info -i "$KEYS/spki.pem")"
		run -2 pk-keygen csr -k $f -subj /CN=alice
		assert_output "pk-keygen: $f: a certificate holds only a public key; the private key is needed"
	done
	# A certificate for an EC key: not RSA.
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout ec.key -subj /CN=ec -days 2 -out ec.crt 2> /dev/null
	run -2 pk-keygen info -i ec.crt
	assert_output "pk-keygen: ec.crt: not an RSA key"
}

# mp_key BITS PRIMES [OPTION...]: openssl's multi-prime key in mp.pem, and
# as mp1.pem (PKCS#1), mp.der (openssl 3.0 writes PKCS#1 here),
# mpenc.pem (PBES2) and mp1enc.pem (legacy).
mp_key() {
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:"$1" \
	    -pkeyopt rsa_keygen_primes:"$2" "${@:3}" -out mp.pem 2> /dev/null
	openssl pkey -in mp.pem -traditional -out mp1.pem
	openssl pkey -in mp.pem -outform DER -out mp.der
	openssl pkcs8 -topk8 -in mp.pem -v2 aes-256-cbc -passout file:pw \
	    -out mpenc.pem
	openssl rsa -in mp.pem -aes256 -passout file:pw -out mp1enc.pem \
	    2> /dev/null
}

@test "keygen pub, info: multi-prime keys (3 and 4 primes; PKCS#8, PKCS#1, DER, encrypted) give openssl's public key" {
	local args f
	for args in "2048 3" "4096 4"; do
		# shellcheck disable=SC2086
		mp_key $args
		# Version 1: otherPrimeInfos follow.
		[ "$(openssl asn1parse -in mp1.pem |
		    sed -n '2s/.*INTEGER *://p')" = 01 ]
		openssl pkey -in mp.pem -pubout -out want.pem
		openssl pkey -in mp.pem -pubout -outform DER -out want.der
		for f in mp.pem mp1.pem mp.der mpenc.pem mp1enc.pem; do
			pk-keygen pub --pass-file pw -i $f | cmp - want.pem
			pk-keygen pub --der --pass-file pw -i $f | cmp - want.der
			run -0 pk-keygen info --pass-file pw -i $f
			assert_output "bits ${args% *}
exponent 65537
sha256 $(sha256sum < want.der | cut -d' ' -f1)"
		done
		run -0 pk-keygen csr -f -k mp.pem -subj /CN=mp -o mp.csr
		run -0 openssl req -in mp.csr -verify -noout
	done
}

@test "keygen info: a multi-prime key whose numbers disagree is refused" {
	mp_key 2048 3
	# The last octet belongs to the third prime's coefficient.
	local size last
	openssl pkey -in mp.pem -traditional -outform DER -out mp1.der
	size=$(wc -c < mp1.der)
	last=$(tail -c 1 mp1.der | od -An -tu1 | tr -d ' ')
	{ head -c $((size - 1)) mp1.der
	    printf "\\$(printf %03o $((last ^ 1)))"; } > bad.der
	assert_equal "$(cmp bad.der mp1.der | cut -d' ' -f5)" "$size,"
	run -0 pk-keygen info -i mp1.der
	run -2 pk-keygen info -i bad.der
	assert_output "pk-keygen: bad.der: malformed key"
}

teardown() {
	stop_relay
}

@test "keygen: a three-prime key is written back as openssl writes it (pk-xfer vault pubkey's priv.key is openssl's PKCS#8)" {
	start_relay vault@127.0.0.1:0
	mkdir alice
	cd alice
	printf '127.0.0.1:%s\nalice\ndata.bin\n' "$RELAY_PORT" > transfer.info
	make_file data.bin 100
	pk-xfer vault register > /dev/null
	printf 'correct horse\n' > pw
	mp_key 1024 3 -pkeyopt rsa_keygen_pubexp:17
	local f
	for f in mp.pem mp1enc.pem; do
		pk-xfer vault pubkey -k $f --pass-file pw -o aes.wrapped
		# mp.pem's body: openssl writes PKCS#8 PEM (its DER output
		# of a multi-prime key is PKCS#1).
		sed '1d;$d' mp.pem | base64 -d | cmp - <(base64 -d priv.key)
		openssl pkeyutl -decrypt -inkey mp.pem \
		    -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha1 \
		    -in aes.wrapped -out aes.key
		[ "$(wc -c < aes.key)" -eq 32 ]
	done
}

@test "keygen: each file written is renamed into place, then its directory is fsynced" {
	command -v strace > /dev/null || skip "strace is missing"
	mkdir out
	strace -f -o trace -e trace=renameat2,rename,link,openat,fsync \
	    pk-keygen rsa --no-pass -b 1024 -o out/k ||
	    skip "strace cannot trace here"
	# After the rename to NAME: the directory opened as fd N, fsync(N).
	for f in k.key k.pub; do
		run awk -v f="\"out/$f\"" '
		    /^[0-9]+ +(renameat2|rename|link)\(/ && index($0, f) { r = 1; next }
		    r && /openat\(AT_FDCWD, "out", .*O_DIRECTORY/ { fd = $NF; next }
		    r && fd != "" && $0 ~ "fsync\\(" fd "\\) += 0" { print "ok"; exit }
		' trace
		assert_output ok
	done
}

@test "keygen rsa --insecure: a key below 1024 bits for the lab, with one warning line; without it, refused" {
	run -2 --separate-stderr pk-keygen rsa -b 512 -e 3 --no-pass -o k
	assert_equal "$stderr" "pk-keygen: -b 512: too small (below 1024 bits needs --insecure)"
	[ ! -e k.key ] && [ ! -e k.pub ]
	run -0 --separate-stderr pk-keygen rsa -b 512 -e 3 --insecure --no-pass -o k
	assert_equal "$stderr" "pk-keygen: warning: a 512-bit RSA key is insecure (factored in hours or less): for the attack lab only"
	run openssl rsa -in k.key -noout -text
	assert_line "Private-Key: (512 bit, 2 primes)"
	assert_line "publicExponent: 3 (0x3)"
	run -0 openssl pkey -in k.key -check -noout
	run -0 pk-keygen rsa -b 128 --insecure --no-pass -o tiny 2> /dev/null
	run -0 openssl pkey -in tiny.key -check -noout
	run -2 pk-keygen rsa -b 127 --insecure --no-pass -o tiny2
	assert_output "pk-keygen: -b 127: too small"
	run -2 pk-keygen info --insecure -i k.pub
	assert_output --partial "info: cannot use --insecure"
}

@test "keygen info --text: n, e, d, p, q, dP, dQ, qInv byte for byte as openssl rsa -text -noout prints them" {
	local k
	pk-keygen rsa -b 1024 -e 3 --no-pass -o k
	pk-keygen rsa -b 128 --insecure --no-pass -o tiny 2> /dev/null
	for k in k tiny "$KEYS/pkcs1.pem"; do
		[ -f "$k.key" ] && k=$k.key
		run -0 pk-keygen info --text -i "$k"
		assert_equal "$output" "$(openssl rsa -in "$k" -text -noout)"
	done
	run -0 pk-keygen info --text -i k.pub
	assert_equal "$output" "$(openssl rsa -pubin -in k.pub -text -noout)"
	assert_line "Exponent: 3 (0x3)"
	# tiny's primes fit in 8 bytes: one line each, as openssl's.
	run -0 pk-keygen info --text -i tiny.key
	assert_line --regexp '^prime1: [0-9]+ \(0x[0-9a-f]+\)$'
	run -2 pk-keygen rsa --text -o x
	assert_output --partial "rsa: cannot use --text"
}
