#!/usr/bin/env bats
# The textbook-RSA labs (docs/labs/cube-root.md, docs/labs/hastad.md):
# pk-attack cube-root and hastad recover a message wrapped with pk-wrap
# --raw under e = 3, byte for byte; the same message wrapped with OAEP
# (the hardened form, pk-wrap's default) gives exit 1 and nothing; bad
# inputs are exit 2 with one line.  Keys: RSA-1024, e = 3, made once.

load helpers

setup_file() {
	local who
	cd "$BATS_FILE_TMPDIR" || return 1
	for who in bob carol dave; do
		pk-keygen rsa -b 1024 -e 3 --no-pass -o "$who"
	done
	pk-keygen rsa -b 512 -e 3 --insecure --no-pass -o small 2> /dev/null
	# 14 bytes: m^3 < n, one cube root is enough.
	printf 'attack at dawn' > short.txt
	# 53 bytes: m^3 > n, but m^3 < n1 n2 n3 (and OAEP still fits: 62).
	printf 'the eagle lands at midnight on pier 9, bring the code' > long.txt
}

setup() {
	cp "$BATS_FILE_TMPDIR"/* .
}

# wrap_all MESSAGE [PK-WRAP OPTION]: MESSAGE wrapped for bob, carol and
# dave into bob.bin, carol.bin and dave.bin.
wrap_all() {
	local who
	for who in bob carol dave; do
		pk-wrap -e ${2:+"$2"} -k "$who.pub" < "$1" > "$who.bin" 2> /dev/null
	done
}

@test "cube-root: a short message under e = 3 without padding, recovered byte for byte from the public key and c" {
	pk-wrap -e --raw -k bob.pub < short.txt > c.bin 2> /dev/null
	run -0 --separate-stderr pk-attack cube-root -k bob.pub c.bin
	assert_equal "$output" "attack at dawn"
	assert_equal "$stderr" "pk-attack: cube-root: e = 3, n of 1024 bits: the integer e-th root of c
pk-attack: cube-root: 0 queries, 14 bytes recovered"
	run -0 pk-attack cube-root -k bob.pub -o got.txt < c.bin
	cmp got.txt short.txt
}

@test "cube-root: the same message wrapped with OAEP (hardened): exit 1, nothing recovered" {
	pk-wrap -e -k bob.pub < short.txt > c.bin
	run -1 --separate-stderr pk-attack cube-root -k bob.pub -o got.txt c.bin
	assert_equal "$output" ""
	[[ $stderr == *"c is no exact e-th power: m^e wrapped around n (a padded or long message), nothing recovered" ]]
	[ ! -e got.txt ]
	run -1 --separate-stderr pk-attack cube-root -k bob.pub c.bin
	assert_equal "$output" ""
}

@test "cube-root: a message too long for one root (m^3 > n): exit 1, nothing" {
	pk-wrap -e --raw -k bob.pub < long.txt > c.bin 2> /dev/null
	run -1 --separate-stderr pk-attack cube-root -k bob.pub c.bin
	assert_equal "$output" ""
}

@test "hastad: one message to three e = 3 keys, recovered byte for byte by the CRT and a cube root" {
	wrap_all long.txt --raw
	run -0 --separate-stderr pk-attack hastad -k bob.pub -k carol.pub \
	    -k dave.pub bob.bin carol.bin dave.bin
	assert_equal "$output" "$(cat long.txt)"
	# The product of three 1024-bit moduli has 3070 to 3072 bits.
	local re='^pk-attack: hastad: CRT of 3 ciphertexts: x mod a 307[0-2]-bit product$'
	[[ $(sed -n 1p <<< "$stderr") =~ $re ]]
	assert_equal "$(sed -n '2,$p' <<< "$stderr")" \
	    "pk-attack: hastad: 0 queries, 53 bytes recovered"
	run -0 pk-attack hastad -o got.txt -k dave.pub -k bob.pub -k carol.pub \
	    dave.bin bob.bin carol.bin
	cmp got.txt long.txt
}

@test "hastad: the same message wrapped with OAEP to the three (hardened): exit 1, nothing recovered" {
	wrap_all long.txt
	run -1 --separate-stderr pk-attack hastad -o got.txt -k bob.pub \
	    -k carol.pub -k dave.pub bob.bin carol.bin dave.bin
	assert_equal "$output" ""
	[[ $stderr == *"x is no exact e-th power: not one message without padding, nothing recovered" ]]
	[ ! -e got.txt ]
}

@test "cube-root, hastad: a ciphertext of another key's size, one not below n, a missing file, a missing key: exit 2, one line" {
	pk-wrap -e --raw -k bob.pub < short.txt > c.bin 2> /dev/null
	run -2 --separate-stderr pk-attack cube-root -k small.pub c.bin
	assert_equal "$stderr" "pk-attack: c.bin: 128 bytes, not 64 as the modulus of small.pub"
	head -c 127 c.bin > short.bin
	run -2 --separate-stderr pk-attack cube-root -k bob.pub short.bin
	assert_equal "$stderr" "pk-attack: short.bin: 127 bytes, not 128 as the modulus of bob.pub"
	{ cat c.bin; printf x; } > long.bin
	run -2 --separate-stderr pk-attack cube-root -k bob.pub long.bin
	assert_equal "$stderr" "pk-attack: long.bin: 129 bytes, not 128 as the modulus of bob.pub"
	head -c 128 /dev/zero | tr '\0' '\377' > high.bin
	run -2 --separate-stderr pk-attack cube-root -k bob.pub high.bin
	assert_equal "$stderr" "pk-attack: high.bin: not below the modulus of bob.pub"
	run -2 --separate-stderr pk-attack cube-root -k bob.pub nosuch.bin
	assert_equal "$stderr" "pk-attack: nosuch.bin: No such file or directory"
	run -2 --separate-stderr pk-attack cube-root -k nosuch.pub c.bin
	assert_equal "$(wc -l <<< "$stderr")" 1
	assert_equal "$stderr" "pk-attack: nosuch.pub: No such file or directory"
	run -2 --separate-stderr pk-attack cube-root c.bin
	assert_equal "$stderr" "usage: pk-attack cube-root -k key.pub [ciphertext]"
	run -2 --separate-stderr pk-attack hastad -k bob.pub -k carol.pub \
	    bob.bin
	assert_equal "$stderr" "usage: pk-attack hastad -k key1.pub -k key2.pub -k key3.pub c1 c2 c3"
	wrap_all long.txt --raw
	run -2 --separate-stderr pk-attack hastad -k bob.pub -k carol.pub \
	    bob.bin carol.bin
	assert_equal "$stderr" "pk-attack: e = 3 needs 3 keys and ciphertexts, 2 given"
	run -2 --separate-stderr pk-attack hastad -k bob.pub -k carol.pub \
	    -k bob.pub bob.bin carol.bin bob.bin
	assert_equal "$stderr" "pk-attack: bob.pub: the modulus shares a factor with another (gcd > 1: factor them instead)"
	run -2 --separate-stderr pk-attack hastad -k bob.pub -k carol.pub \
	    -k small.pub bob.bin carol.bin dave.bin
	assert_equal "$stderr" "pk-attack: dave.bin: 128 bytes, not 64 as the modulus of small.pub"
}

@test "protokit attack cube-root, hastad: faithful recovers the secret, --hardened fails as it must; both listed" {
	local a
	run -0 protokit attack --list
	assert_line --regexp '^cube-root +textbook RSA, e = 3, no padding: '
	assert_line --regexp '^hastad +textbook RSA, e = 3, one message to three keys: '
	for a in cube-root hastad; do
		run -0 protokit attack "$a"
		assert_line '    recovered byte for byte: the attack succeeded'
		assert_line --partial 'pk-wrap -e --raw -k '
		run -0 protokit attack "$a" --hardened
		assert_line '    the attack failed (exit 1) and recovered nothing, as it must on the hardened profile'
		refute_line --partial 'pk-wrap -e --raw'
	done
}
