# pk-aes-cbc and pk-aes-cfb: byte-identical to openssl enc for every key
# size, mode and direction on edge-size inputs from files and pipes; the
# NIST SP 800-38A and CAVP vectors; Wycheproof AES-CBC-PKCS5; constant
# memory; and every error's exit code and message.

load helpers

SIZES="0 1 15 16 17 4095 4096 65535 65536 65537 3145733"
WHOLE_SIZES="0 16 4096 65536 3145728"	# for --nopad: whole blocks only
KEY128=2b7e151628aed2a6abf7158809cf4f3c
KEY192=8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b
KEY256=603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4
IV=000102030405060708090a0b0c0d0e0f

# The edge-size inputs (f<size>, and p<size> with PKCS#7 padding made in
# the shell) and the key files (as `openssl rand -hex` writes them), made
# once for the file.
setup_file() {
	local n
	for n in $SIZES 3145728; do
		make_file "$BATS_FILE_TMPDIR/f$n" "$n"
	done
	for n in $SIZES; do
		pkcs7 "$BATS_FILE_TMPDIR/f$n" > "$BATS_FILE_TMPDIR/p$n"
	done
	printf '%s\n' "$KEY128" > "$BATS_FILE_TMPDIR/k128"
	printf '%s\n' "$KEY192" > "$BATS_FILE_TMPDIR/k192"
	printf '%s\n' "$KEY256" > "$BATS_FILE_TMPDIR/k256"
}

# pkcs7 FILE: FILE with PKCS#7 padding to 16 bytes.
pkcs7() {
	local n p
	n=$(wc -c < "$1")
	p=$((16 - n % 16))
	cat "$1"
	head -c "$p" /dev/zero | tr '\0' "\\$(printf %03o "$p")"
}

# interop "TOOL [OPTS]" OPENSSL-CIPHER-SUFFIX "OPENSSL-OPTS" SIZE...
# For each key size and input size, openssl enc -e makes want/BITS-SIZE.enc;
# the tool must encrypt to it and decrypt it back to fSIZE, reading a
# redirected file and a pipe.  Every output is kept, and one sha256sum run
# compares them all at the end (a process a comparison is what makes such
# tests slow).  OPENSSL-OPTS "pkcs7": openssl encrypts the plaintext padded
# in the shell.
interop() {
	local tool=$1 mode=$2 oopts=$3 plain=f bits n f k key c
	shift 3
	if [ "$oopts" = pkcs7 ]; then
		plain=p
		oopts=
	fi
	mkdir want got
	for bits in 128 192 256; do
		k=KEY$bits
		key=$BATS_FILE_TMPDIR/k$bits
		for n in "$@"; do
			f=$BATS_FILE_TMPDIR/f$n
			c=$bits-$n
			openssl enc -e -aes-$bits-$mode $oopts -K "${!k}" -iv $IV \
			    < "$BATS_FILE_TMPDIR/$plain$n" > want/$c.enc
			$tool -e -k "$key" -iv $IV < "$f" > got/$c.enc.file
			cat "$f" | $tool -e -k "$key" -iv $IV > got/$c.enc.pipe
			$tool -d -k "$key" -iv $IV < want/$c.enc > got/$c.dec.file
			cat want/$c.enc | $tool -d -k "$key" -iv $IV \
			    > got/$c.dec.pipe
		done
	done
	sha256sum "$BATS_FILE_TMPDIR"/f* want/* got/* | awk -v cases=$((12 * $#)) '
	$2 ~ /\/f[0-9]+$/ { sub(/.*\/f/, "", $2); plain[$2] = $1; next }
	$2 ~ /^want\// { want[substr($2, 6)] = $1; next }
	{
		c = substr($2, 5)
		sub(/\.(file|pipe)$/, "", c)
		size = c
		sub(/^[0-9]+-/, "", size)
		sub(/\.(enc|dec)$/, "", size)
		if ((c ~ /\.dec$/ ? plain[size] : want[c]) != $1) {
			print "differs from openssl enc: " $2 > "/dev/stderr"
			bad = 1
		}
		n++
	}
	END { exit bad || n != cases }'
}

@test "aes-cbc: as openssl enc -aes-N-cbc both ways, all key and input sizes, file and pipe" {
	interop pk-aes-cbc cbc "" $SIZES
}

@test "aes-cbc --nopad: as openssl enc -nopad both ways on whole blocks" {
	interop "pk-aes-cbc --nopad" cbc -nopad $WHOLE_SIZES
}

@test "aes-cfb: as openssl enc -aes-N-cfb (CFB-128) both ways" {
	interop pk-aes-cfb cfb "" $SIZES
}

@test "aes-cfb --cfb8: as openssl enc -aes-N-cfb8 both ways" {
	interop "pk-aes-cfb --cfb8" cfb8 "" $SIZES
}

@test "aes-cfb --pad: as openssl -aes-N-cfb of PKCS#7-padded input; decrypting strips it" {
	interop "pk-aes-cfb --pad" cfb pkcs7 $SIZES
}

# The vector tests turn each file into a sh script with awk and run that:
# one process a record, and no shell loop under bats' per-command trap.
# The script appends the tool's outputs to got and the expected bytes to
# want, and one cmp at the end compares them.
AWK_BYTES='
BEGIN { for (i = 0; i < 256; i++) oct[sprintf("%02x", i)] = sprintf("\\0%03o", i) }
function bytes(hex,   s, i) {
	s = ""
	for (i = 1; i < length(hex); i += 2)
		s = s oct[tolower(substr(hex, i, 2))]
	return "printf %b \047" s "\047"
}
function fail(what) {
	return " || { echo \"" what "\" >&2; exit 1; }"
}'

# rsp_script "TOOL [OPTS]" EVERY FILE: the script for every EVERY-th record
# of a CAVP .rsp file (CRLF or LF), each in its own direction, the key as
# hex in the environment.
rsp_script() {
	awk -v tool="$1" -v every="$2" -v file="${3##*/}" "$AWK_BYTES"'
	{ sub(/\r$/, "") }
	/^\[ENCRYPT\]/ { dir = "e" }
	/^\[DECRYPT\]/ { dir = "d" }
	$1 == "COUNT" { count = $3; key = iv = pt = ct = "" }
	$1 == "KEY" { key = $3 }
	$1 == "IV" { iv = $3 }
	$1 == "PLAINTEXT" { pt = $3 }
	$1 == "CIPHERTEXT" { ct = $3 }
	pt != "" && ct != "" {
		if (n++ % every == 0) {
			print bytes(dir == "e" ? pt : ct) " > in"
			print bytes(dir == "e" ? ct : pt) " >> want"
			print "PK_TEST_KEY=" key " " tool " -" dir \
			    " --key-env PK_TEST_KEY -iv " iv " < in >> got" \
			    fail(file " " dir " COUNT " count ": exit $?")
			print "echo >> checked"
		}
		pt = ct = ""
	}' "$3"
}

# check_rsp "TOOL [OPTS]" EVERY FILE...: run the records; checked counts
# them.
check_rsp() {
	local tool=$1 every=$2 f
	shift 2
	for f in "$@"; do
		rsp_script "$tool" "$every" "$f" > run.sh
		sh -e run.sh
	done
}

# vectors_ok COUNT: got is want, and COUNT records were checked.
vectors_ok() {
	cmp want got
	[ "$(wc -l < checked)" -eq "$1" ]
}

@test "aes: NIST SP 800-38A appendix F examples (CBC, CFB128, CFB8)" {
	check_rsp "pk-aes-cbc --nopad" 1 "$VECTORS/sp800-38a/SP800-38A-F-CBC.rsp"
	check_rsp pk-aes-cfb 1 "$VECTORS/sp800-38a/SP800-38A-F-CFB128.rsp"
	check_rsp "pk-aes-cfb --cfb8" 1 "$VECTORS/sp800-38a/SP800-38A-F-CFB8.rsp"
	vectors_ok 18
}

# Every GFSbox, KeySbox and MMT record (218 a mode), but only every 16th
# VarKey and VarTxt record (120 of 1920 a mode): those files walk one bit
# through the key or the text, a sample covers them at every key size, and
# all of them would cost some 6000 process starts.
cavp() {
	local tool=$1 prefix=$2 bits
	for bits in 128 192 256; do
		check_rsp "$tool" 1 "$VECTORS/nist-cavp-aes/$prefix"GFSbox$bits.rsp \
		    "$VECTORS/nist-cavp-aes/$prefix"KeySbox$bits.rsp \
		    "$VECTORS/nist-cavp-aes/$prefix"MMT$bits.rsp
		check_rsp "$tool" 16 "$VECTORS/nist-cavp-aes/$prefix"VarKey$bits.rsp \
		    "$VECTORS/nist-cavp-aes/$prefix"VarTxt$bits.rsp
	done
	vectors_ok 338
}

@test "aes-cbc: NIST CAVP CBC KAT and MMT vectors" {
	cavp "pk-aes-cbc --nopad" CBC
}

@test "aes-cfb: NIST CAVP CFB128 KAT and MMT vectors" {
	cavp pk-aes-cfb CFB128
}

@test "aes-cfb --cfb8: NIST CAVP CFB8 KAT and MMT vectors" {
	cavp "pk-aes-cfb --cfb8" CFB8
}

# wycheproof_script: valid cases must decrypt ct to msg and encrypt msg to
# ct; invalid ones must fail with exit 1 and "bad decrypt" (collected in
# err) after writing what openssl enc -d writes before it fails.  The file
# has one field a line.
wycheproof_script() {
	awk -F'"' "$AWK_BYTES"'
	$2 == "tcId" { id = $3; gsub(/[^0-9]/, "", id) }
	$2 == "key" { key = $4 }
	$2 == "iv" { iv = $4 }
	$2 == "msg" { msg = $4 }
	$2 == "ct" { ct = $4 }
	$2 == "result" {
		pk = "PK_TEST_KEY=" key " pk-aes-cbc --key-env PK_TEST_KEY -iv " iv
		print bytes(ct) " > ct"
		if ($4 == "valid") {
			print bytes(msg) " > msg"
			print bytes(msg) " >> want"
			print pk " -d < ct >> got" fail("tcId " id " decrypt: exit $?")
			print bytes(ct) " >> want"
			print pk " -e < msg >> got" fail("tcId " id " encrypt: exit $?")
			print "echo >> valid"
			next
		}
		print "rc=0; " pk " -d < ct >> got 2>> err || rc=$?"
		print "[ $rc -eq 1 ]" fail("tcId " id " exit $rc, not 1")
		print "rc=0; openssl enc -d -aes-" length(key) * 4 "-cbc -K " key \
		    " -iv " iv " < ct >> want 2> /dev/null || rc=$?"
		print "[ $rc -eq 1 ]" fail("tcId " id " openssl exit $rc")
		print "echo >> invalid"
	}' "$VECTORS/wycheproof/aes_cbc_pkcs5_test.json"
}

@test "aes-cbc: Wycheproof valid cases both ways; invalid ones are bad decrypt as in openssl" {
	wycheproof_script > run.sh
	sh -e run.sh
	cmp want got
	[ "$(wc -l < valid)" -eq 72 ]
	[ "$(wc -l < invalid)" -eq 144 ]
	[ "$(grep -cx 'pk-aes-cbc: bad decrypt' err)" -eq 144 ]
	[ "$(wc -l < err)" -eq 144 ]
}

# unhex HEX FILE: the bytes HEX spells.
unhex() {
	echo "$1" | awk "$AWK_BYTES"'{ print bytes($0) }' | sh > "$2"
}

# same WANT GOT WHAT: compare, saying which case differs.
same() {
	cmp -s "$1" "$2" || {
		echo "differs from openssl enc: $3" >&2
		return 1
	}
}

# fails_as_openssl CT [--nopad]: pk-aes-cbc -d exits 1 with the one line
# "bad decrypt", having written exactly what openssl enc -d writes before
# it fails.
fails_as_openssl() {
	local rc=0
	pk-aes-cbc -d $2 -k "$BATS_FILE_TMPDIR/k128" -iv $IV < "$1" > got \
	    2> err || rc=$?
	[ "$rc" -eq 1 ]
	[ "$(< err)" = "pk-aes-cbc: bad decrypt" ]
	rc=0
	openssl enc -d ${2:+-nopad} -aes-128-cbc -K $KEY128 -iv $IV < "$1" \
	    > want 2> /dev/null || rc=$?
	[ "$rc" -eq 1 ]
	cmp want got
}

@test "aes-cbc: bad padding is exit 1, bad decrypt, output as openssl's" {
	local n
	for n in 16 32 65536 65552; do
		head -c "$n" /dev/zero > ct
		fails_as_openssl ct
		[ "$(wc -c < got)" -eq $((n - 16)) ]
	done
}

@test "aes-cbc: ciphertext not whole blocks is exit 1, bad decrypt, as openssl" {
	local n
	for n in 1 15 17 33 65537; do
		head -c "$n" "$BATS_FILE_TMPDIR/f65537" > ct
		fails_as_openssl ct
		fails_as_openssl ct --nopad
	done
}

@test "aes-cbc: empty ciphertext is exit 1, bad decrypt" {
	run -1 --separate-stderr pk-aes-cbc -d -k "$BATS_FILE_TMPDIR/k256" \
	    -iv $IV < /dev/null
	[ "$stderr" = "pk-aes-cbc: bad decrypt" ]
	[ "$output" = "" ]
}

@test "aes-cbc: a wrong key is exit 1, bad decrypt" {
	pk-aes-cbc -e -k "$BATS_FILE_TMPDIR/k128" -iv $IV \
	    < "$BATS_FILE_TMPDIR/f4095" > ct
	printf '%s\n' 00112233445566778899aabbccddeeff > wrong
	run -1 --separate-stderr pk-aes-cbc -d -k wrong -iv $IV < ct
	[ "$stderr" = "pk-aes-cbc: bad decrypt" ]
}

@test "aes-cbc --nopad: encrypting a partial block is exit 1, output as openssl's" {
	run -1 --separate-stderr pk-aes-cbc -e --nopad \
	    -k "$BATS_FILE_TMPDIR/k128" -iv $IV < "$BATS_FILE_TMPDIR/f17"
	[ "$stderr" = "pk-aes-cbc: bad encrypt: input is not whole 16-byte blocks (--nopad)" ]
	pk-aes-cbc -e --nopad -k "$BATS_FILE_TMPDIR/k128" -iv $IV \
	    < "$BATS_FILE_TMPDIR/f17" > got 2> /dev/null || :
	run -1 openssl enc -e -nopad -aes-128-cbc -K $KEY128 -iv $IV \
	    -in "$BATS_FILE_TMPDIR/f17" -out want
	cmp want got
}

@test "aes-cfb --pad: bad padding and partial blocks are exit 1, bad decrypt" {
	head -c 48 /dev/zero > ct
	run -1 --separate-stderr pk-aes-cfb -d --pad -k "$BATS_FILE_TMPDIR/k128" \
	    -iv $IV < ct
	[ "$stderr" = "pk-aes-cfb: bad decrypt" ]
	pk-aes-cfb -d --pad -k "$BATS_FILE_TMPDIR/k128" -iv $IV < ct > got || :
	[ "$(wc -c < got)" -eq 32 ]
	head -c 47 /dev/zero > ct
	run -1 --separate-stderr pk-aes-cfb -d --pad -k "$BATS_FILE_TMPDIR/k128" \
	    -iv $IV < ct
	[ "$stderr" = "pk-aes-cfb: bad decrypt" ]
}

@test "aes: the key from a raw file with --raw-key, --key-fd, --key-env, CRLF and upper-case hex" {
	openssl enc -e -aes-256-cbc -K $KEY256 -iv $IV \
	    < "$BATS_FILE_TMPDIR/f4095" > want
	unhex "$KEY256" raw
	pk-aes-cbc -e --raw-key -k raw -iv $IV < "$BATS_FILE_TMPDIR/f4095" > got
	same want got "key file raw, --raw-key"
	printf '%s\r\n' "$KEY256" > crlf
	printf '%s' "$KEY256" | tr a-f A-F > upper
	for k in crlf upper; do
		pk-aes-cbc -e -k $k -iv $IV < "$BATS_FILE_TMPDIR/f4095" > got
		same want got "key file $k"
	done
	pk-aes-cbc -e --key-fd 5 -iv $IV < "$BATS_FILE_TMPDIR/f4095" > got \
	    5< "$BATS_FILE_TMPDIR/k256"
	same want got "--key-fd 5"
	PK_TEST_KEY=$KEY256 pk-aes-cbc -e --key-env PK_TEST_KEY -iv $IV \
	    < "$BATS_FILE_TMPDIR/f4095" > got
	same want got "--key-env"
	printf 'YELLOW SUBMARINE' > ascii
	openssl enc -e -aes-128-cfb -K 59454c4c4f57205355424d4152494e45 -iv $IV \
	    < "$BATS_FILE_TMPDIR/f4095" > want
	pk-aes-cfb -e --raw-key -k ascii -iv $IV < "$BATS_FILE_TMPDIR/f4095" \
	    > got
	same want got "raw ASCII key"
}

@test "aes: a hex key may have whitespace around it; text that is not hex is exit 2 naming the source, raw only with --raw-key" {
	openssl enc -e -aes-128-cbc -K $KEY128 -iv $IV \
	    < "$BATS_FILE_TMPDIR/f4095" > want
	printf ' \t %s  \r\n\n' "$KEY128" > spaced
	pk-aes-cbc -e -k spaced -iv $IV < "$BATS_FILE_TMPDIR/f4095" > got
	same want got "hex key with whitespace around it"
	# 32 characters that are not quite hex: never a raw AES-256 key.
	printf 'zz%s\n' "${KEY128:2}" > typo
	run -2 --separate-stderr pk-aes-cbc -e -k typo -iv $IV \
	    < "$BATS_FILE_TMPDIR/f4095"
	[ "$output" = "" ]
	[ "$stderr" = "pk-aes-cbc: typo: key is not hex (16, 24 or 32 bytes as 32, 48 or 64 hex digits; a raw key needs --raw-key)" ]
	printf 'zz%s' "${KEY128:2}" > typo
	run -2 --separate-stderr pk-aes-cfb -d -k typo -iv $IV < /dev/null
	[ "$stderr" = "pk-aes-cfb: typo: key is not hex (16, 24 or 32 bytes as 32, 48 or 64 hex digits; a raw key needs --raw-key)" ]
	PK_TEST_KEY="${KEY128:0:8} ${KEY128:8}" run -2 --separate-stderr \
	    pk-aes-cbc -e --key-env PK_TEST_KEY -iv $IV < /dev/null
	[ "$stderr" = "pk-aes-cbc: \$PK_TEST_KEY: key is not hex (16, 24 or 32 bytes as 32, 48 or 64 hex digits; a raw key needs --raw-key)" ]
	# Asked for explicitly, the same 32 bytes are a raw AES-256 key.
	openssl enc -e -aes-256-cbc -K "$(od -An -v -tx1 typo | tr -d ' \n')" \
	    -iv $IV < "$BATS_FILE_TMPDIR/f4095" > want
	pk-aes-cbc -e --raw-key -k typo -iv $IV < "$BATS_FILE_TMPDIR/f4095" \
	    > got
	same want got "--raw-key"
	run -2 --separate-stderr pk-aes-cbc -e --raw-key \
	    -k "$BATS_FILE_TMPDIR/k128" -iv $IV < /dev/null
	[ "$stderr" = "pk-aes-cbc: $BATS_FILE_TMPDIR/k128: raw key is not 16, 24 or 32 bytes" ]
}

@test "aes: the IV from --iv, --iv-file (hex with whitespace around it, or raw) and --zero-iv with a warning" {
	openssl enc -e -aes-128-cbc -K $KEY128 -iv $IV \
	    < "$BATS_FILE_TMPDIR/f17" > want
	pk-aes-cbc -e -k "$BATS_FILE_TMPDIR/k128" --iv $IV \
	    < "$BATS_FILE_TMPDIR/f17" > got
	same want got "--iv"
	printf '%s\n' $IV > iv.hex
	unhex $IV iv.raw
	printf '  %s \n\n' $IV > iv.spaced
	for f in iv.hex iv.raw iv.spaced; do
		pk-aes-cbc -e -k "$BATS_FILE_TMPDIR/k128" --iv-file $f \
		    < "$BATS_FILE_TMPDIR/f17" > got
		same want got "--iv-file $f"
	done
	openssl enc -e -aes-128-cbc -K $KEY128 -iv 00000000000000000000000000000000 \
	    < "$BATS_FILE_TMPDIR/f17" > want
	pk-aes-cbc -e -k "$BATS_FILE_TMPDIR/k128" --zero-iv \
	    < "$BATS_FILE_TMPDIR/f17" > got 2> err
	same want got "--zero-iv"
	[ "$(< err)" = "pk-aes-cbc: warning: all-zero IV: the same plaintext will always give the same ciphertext" ]
}

@test "aes: peak memory stays under 4 MiB on 256 MiB through a pipe" {
	[ -x /usr/bin/time ] || skip "GNU time is not installed"
	# ASan's shadow memory would be measured, not the tool's.
	! ldd "$PK_ROOT/bin/pk-aes-cbc" | grep -q libasan || skip "ASan build"
	head -c 268435456 /dev/zero |
	    /usr/bin/time -o rss.e -f %M pk-aes-cbc -e -k "$BATS_FILE_TMPDIR/k128" \
	    -iv $IV |
	    /usr/bin/time -o rss.d -f %M pk-aes-cbc -d -k "$BATS_FILE_TMPDIR/k128" \
	    -iv $IV | wc -c > count
	[ "$(< count)" -eq 268435456 ]
	echo "peak RSS: encrypt $(< rss.e) KiB, decrypt $(< rss.d) KiB"
	[ "$(< rss.e)" -lt 4096 ]
	[ "$(< rss.d)" -lt 4096 ]
}

@test "aes-cbc --help: synopsis, options and exit codes on stdout, exit 0" {
	run -0 --separate-stderr pk-aes-cbc --help
	assert_line --index 0 --regexp '^usage: pk-aes-cbc -d \| -e '
	assert_line --regexp '^  -k, --key-file file '
	assert_line --regexp '^  --raw-key '
	assert_line --regexp '^  --nopad '
	assert_line --regexp '^  --zero-iv '
	assert_line 'Exit status: 0 ok; 1 bad decrypt (bad padding, or not whole blocks);'
	assert_line '2 usage, I/O or key error.'
	[ "$stderr" = "" ]
}

@test "aes-cfb --help: lists --cfb8 and --pad, exit 0" {
	run -0 pk-aes-cfb -h
	assert_line --index 0 --regexp '^usage: pk-aes-cfb -d \| -e '
	assert_line --regexp '^  --cfb8 '
	assert_line --regexp '^  --pad '
	assert_line --regexp '^Exit status: 0 ok; 1 bad decrypt'
}

@test "aes: usage errors are exit 2 with one line, then Try for a bad command line" {
	run -2 --separate-stderr pk-aes-cbc -k "$BATS_FILE_TMPDIR/k128" -iv $IV
	assert_equal "$stderr" "pk-aes-cbc: missing -e or -d
Try 'pk-aes-cbc --help'"
	run -2 --separate-stderr pk-aes-cfb -e --bogus
	assert_equal "$stderr" "pk-aes-cfb: unrecognized option '--bogus'
Try 'pk-aes-cfb --help'"
	run -2 --separate-stderr pk-aes-cbc -e extra -k "$BATS_FILE_TMPDIR/k128"
	assert_equal "$stderr" "pk-aes-cbc: unexpected argument 'extra'
Try 'pk-aes-cbc --help'"
	run -2 --separate-stderr pk-aes-cbc -e -d -k "$BATS_FILE_TMPDIR/k128" -iv $IV
	[ "$stderr" = "pk-aes-cbc: cannot use -e with -d" ]
	run -2 --separate-stderr pk-aes-cbc -e -k k --key-fd 3 -iv $IV
	[ "$stderr" = "pk-aes-cbc: use only one of -k, --key-fd and --key-env" ]
	run -2 --separate-stderr pk-aes-cfb -e -k k -iv $IV --zero-iv
	[ "$stderr" = "pk-aes-cfb: use only one of -iv, --iv-file and --zero-iv" ]
	run -2 --separate-stderr pk-aes-cbc -e --key-fd 3x -iv $IV
	[ "$stderr" = "pk-aes-cbc: key fd is invalid: 3x" ]
	run -2 --separate-stderr pk-aes-cbc -e -k "$BATS_FILE_TMPDIR/k128" < /dev/null
	[ "$stderr" = "pk-aes-cbc: no IV: use -iv, --iv-file or --zero-iv" ]
	run -2 --separate-stderr pk-aes-cbc -e -iv $IV < /dev/null
	[ "$stderr" = "pk-aes-cbc: no key: use -k, --key-fd or --key-env" ]
	run -2 --separate-stderr pk-aes-cbc -e -k - -iv $IV < /dev/null
	[ "$stderr" = "pk-aes-cbc: the key cannot come from stdin, which carries the data" ]
}

@test "aes: key file errors are exit 2 and name the file" {
	run -2 --separate-stderr pk-aes-cbc -e -k nokey -iv $IV < /dev/null
	[ "$stderr" = "pk-aes-cbc: nokey: No such file or directory" ]
	mkdir dir
	run -2 --separate-stderr pk-aes-cbc -e -k dir -iv $IV < /dev/null
	[ "$stderr" = "pk-aes-cbc: dir: Is a directory" ]
	: > empty
	run -2 --separate-stderr pk-aes-cbc -e -k empty -iv $IV < /dev/null
	[ "$stderr" = "pk-aes-cbc: empty: empty key" ]
	echo > newline
	run -2 --separate-stderr pk-aes-cfb -d -k newline -iv $IV < /dev/null
	[ "$stderr" = "pk-aes-cfb: newline: empty key" ]
	openssl rand -hex 15 > short
	run -2 --separate-stderr pk-aes-cbc -e -k short -iv $IV < /dev/null
	[ "$stderr" = "pk-aes-cbc: short: hex key is not 16, 24 or 32 bytes" ]
	openssl rand -hex 33 > long
	run -2 --separate-stderr pk-aes-cbc -e -k long -iv $IV < /dev/null
	[ "$stderr" = "pk-aes-cbc: long: hex key is not 16, 24 or 32 bytes" ]
	printf '%s\n' 2b7e151628aed2a6abf7158809cf4fXY > nothex
	run -2 --separate-stderr pk-aes-cbc -e -k nothex -iv $IV < /dev/null
	[ "$stderr" = "pk-aes-cbc: nothex: key is not hex (16, 24 or 32 bytes as 32, 48 or 64 hex digits; a raw key needs --raw-key)" ]
	head -c 20 "$BATS_FILE_TMPDIR/f65535" > raw20
	run -2 --separate-stderr pk-aes-cbc -e --raw-key -k raw20 -iv $IV \
	    < /dev/null
	[ "$stderr" = "pk-aes-cbc: raw20: raw key is not 16, 24 or 32 bytes" ]
	head -c 4096 "$BATS_FILE_TMPDIR/f65535" > huge
	run -2 --separate-stderr pk-aes-cbc -e -k huge -iv $IV < /dev/null
	[ "$stderr" = "pk-aes-cbc: huge: key is not hex (16, 24 or 32 bytes as 32, 48 or 64 hex digits; a raw key needs --raw-key)" ]
	run -2 --separate-stderr pk-aes-cbc -e --raw-key -k huge -iv $IV \
	    < /dev/null
	[ "$stderr" = "pk-aes-cbc: huge: raw key is not 16, 24 or 32 bytes" ]
	openssl rand -hex 600 > longhex
	run -2 --separate-stderr pk-aes-cbc -e -k longhex -iv $IV < /dev/null
	[ "$stderr" = "pk-aes-cbc: longhex: hex key is not 16, 24 or 32 bytes" ]
}

@test "aes: an unreadable key source is exit 2 with the reason" {
	# A write-only descriptor fails to read even for root.
	run -2 --separate-stderr pk-aes-cbc -e --key-fd 5 -iv $IV \
	    < /dev/null 5> wo
	[ "$stderr" = "pk-aes-cbc: fd 5: Bad file descriptor" ]
	run -2 --separate-stderr pk-aes-cbc -e --key-env PK_TEST_UNSET -iv $IV \
	    < /dev/null
	[ "$stderr" = "pk-aes-cbc: \$PK_TEST_UNSET: not set" ]
	[ "$(id -u)" -ne 0 ] || skip "root reads a mode 000 file"
	printf '%s\n' $KEY128 > locked
	chmod 000 locked
	run -2 --separate-stderr pk-aes-cbc -e -k locked -iv $IV < /dev/null
	[ "$stderr" = "pk-aes-cbc: locked: Permission denied" ]
}

@test "aes: bad IVs are exit 2 with one line" {
	run -2 --separate-stderr pk-aes-cbc -e -k "$BATS_FILE_TMPDIR/k128" \
	    -iv 000102030405060708090a0b0c0d0eZZ < /dev/null
	[ "$stderr" = "pk-aes-cbc: -iv: IV is not hex" ]
	run -2 --separate-stderr pk-aes-cfb -e -k "$BATS_FILE_TMPDIR/k128" \
	    --iv 0001020304050607 < /dev/null
	[ "$stderr" = "pk-aes-cfb: -iv: IV is not 16 bytes (32 hex digits)" ]
	run -2 --separate-stderr pk-aes-cbc -e -k "$BATS_FILE_TMPDIR/k128" \
	    -iv ${IV}00 < /dev/null
	[ "$stderr" = "pk-aes-cbc: -iv: IV is not 16 bytes (32 hex digits)" ]
	run -2 --separate-stderr pk-aes-cbc -e -k "$BATS_FILE_TMPDIR/k128" -iv
	assert_equal "$stderr" "pk-aes-cbc: option requires an argument: -iv
Try 'pk-aes-cbc --help'"
	printf '%s\n' 0001020304050607 > iv8
	run -2 --separate-stderr pk-aes-cbc -e -k "$BATS_FILE_TMPDIR/k128" \
	    --iv-file iv8 < /dev/null
	[ "$stderr" = "pk-aes-cbc: iv8: hex IV is not 16 bytes" ]
	head -c 15 "$BATS_FILE_TMPDIR/f65535" > iv15
	run -2 --separate-stderr pk-aes-cbc -e -k "$BATS_FILE_TMPDIR/k128" \
	    --iv-file iv15 < /dev/null
	[ "$stderr" = "pk-aes-cbc: iv15: IV is neither hex nor 16 raw bytes" ]
	run -2 --separate-stderr pk-aes-cbc -e -k "$BATS_FILE_TMPDIR/k128" \
	    --iv-file noiv < /dev/null
	[ "$stderr" = "pk-aes-cbc: noiv: No such file or directory" ]
}

@test "aes: a write error on stdout is exit 2" {
	[ -w /dev/full ] || skip "no /dev/full"
	local rc=0
	pk-aes-cbc -e -k "$BATS_FILE_TMPDIR/k128" -iv $IV \
	    < "$BATS_FILE_TMPDIR/f65537" > /dev/full 2> err || rc=$?
	[ "$rc" -eq 2 ]
	[ "$(< err)" = "pk-aes-cbc: stdout: No space left on device" ]
}
