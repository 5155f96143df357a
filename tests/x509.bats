#!/usr/bin/env bats
# pk-keygen csr, selfsign, sign and verify (lib/x509): requests openssl
# accepts (byte for byte what openssl req -new writes), a CA root and the
# certificates it issues that openssl verify accepts, openssl's requests
# and certificates read back, tampered ones refused, and each bad input
# with its exit code and message.

load helpers

# Keys made once: the CA's, a user's (by openssl), a legacy encrypted one;
# and the CA root.
setup_file() {
	cd "$BATS_FILE_TMPDIR" || exit 1
	printf 'correct horse\n' > pw
	pk-keygen rsa --no-pass -o ca < /dev/null
	pk-keygen rsa --legacy --pass-file pw -o legacy < /dev/null
	openssl genrsa -out user.key 2048 2> /dev/null
	openssl req -new -key user.key -subj /CN=carol -out user.csr
	pk-keygen selfsign -k ca.key -subj "/CN=protokit CA/O=protokit" \
	    -o ca.crt
}

setup() {
	F="$BATS_FILE_TMPDIR"
}

# der_edit IN OUT FROM TO: the PEM IN as DER with the text FROM (same
# length) replaced by TO, back to PEM in OUT.
der_edit() {
	local label
	label=$(sed -n '1s/^-----BEGIN \(.*\)-----$/\1/p' "$1")
	{
		echo "-----BEGIN $label-----"
		sed '1d;$d' "$1" | base64 -d |
		    perl -0777 -pe "s/$3/$4/" | base64 -w 64
		echo "-----END $label-----"
	} > "$2"
}

@test "x509 csr: byte for byte openssl req -new, and openssl req -verify accepts it" {
	run -0 pk-keygen csr -k "$F/user.key" -subj /CN=carol
	assert_output "$(cat "$F/user.csr")"
	pk-keygen csr -k "$F/ca.key" -subj "/CN=alice/O=Org/OU=Unit/C=NL" \
	    -o a.csr
	openssl req -new -key "$F/ca.key" \
	    -subj "/CN=alice/O=Org/OU=Unit/C=NL" -out o.csr
	cmp a.csr o.csr
	run -0 openssl req -verify -noout -in a.csr
	run -0 openssl req -noout -subject -in a.csr
	assert_output "subject=CN = alice, O = Org, OU = Unit, C = NL"
}

@test "x509 csr --pss: RSASSA-PSS with SHA-256 and a 32-octet salt, accepted by openssl req -verify" {
	pk-keygen csr --pss -k "$F/ca.key" -subj /CN=alice -o a.csr
	run -0 openssl req -verify -noout -in a.csr
	run -0 openssl req -noout -text -in a.csr
	assert_line --partial "Signature Algorithm: rsassaPss"
	assert_line --partial "Hash Algorithm: sha256"
	assert_line --partial "Mask Algorithm: mgf1 with sha256"
	assert_line --partial "Salt Length: 0x20"
}

@test "x509 csr: a legacy encrypted key, its passphrase from a file; a wrong one exits 1" {
	run -0 sed -n '1s/^-----BEGIN \(.*\)-----$/\1/p' "$F/legacy.key"
	assert_output "RSA PRIVATE KEY"
	grep -q "^Proc-Type: 4,ENCRYPTED" "$F/legacy.key"
	grep -q "^DEK-Info: AES-256-CBC," "$F/legacy.key"
	pk-keygen csr -k "$F/legacy.key" --pass-file "$F/pw" -subj /CN=dave \
	    -o d.csr
	run -0 openssl req -verify -noout -in d.csr
	echo wrong > bad
	run -1 --separate-stderr pk-keygen csr -k "$F/legacy.key" \
	    --pass-file bad -subj /CN=dave
	assert_equal "${#stderr_lines[@]}" 1
	assert_output ""
}

@test "x509 selfsign: openssl verify accepts the root for itself; x509 -text shows CA:TRUE, subject, validity" {
	run -0 openssl verify -CAfile "$F/ca.crt" "$F/ca.crt"
	run -0 --separate-stderr openssl x509 -noout -text -in "$F/ca.crt"
	assert_equal "$stderr" ""
	assert_line "        Version: 3 (0x2)"
	assert_line "        Subject: CN = protokit CA, O = protokit"
	assert_line "        Issuer: CN = protokit CA, O = protokit"
	assert_line "            X509v3 Basic Constraints: critical"
	assert_line "                CA:TRUE"
	assert_line "                Certificate Sign, CRL Sign"
	assert_line --partial "Signature Algorithm: sha256WithRSAEncryption"
	assert_line --partial "Not Before: "
	assert_line --partial "Not After : "
	# The subject key identifier is openssl's for the same key.
	openssl req -x509 -key "$F/ca.key" -subj /CN=x -days 1 -out o.crt
	assert_equal \
	    "$(openssl x509 -noout -ext subjectKeyIdentifier -in "$F/ca.crt")" \
	    "$(openssl x509 -noout -ext subjectKeyIdentifier -in o.crt)"
}

@test "x509 selfsign: -days sets the validity, the serial is positive, at most 16 octets, random" {
	pk-keygen selfsign -k "$F/ca.key" -subj /CN=r -days 10 -o a.crt
	pk-keygen selfsign -k "$F/ca.key" -subj /CN=r -days 10 -o b.crt
	local from to serial
	from=$(openssl x509 -noout -startdate -in a.crt | cut -d= -f2)
	to=$(openssl x509 -noout -enddate -in a.crt | cut -d= -f2)
	assert_equal $(($(date -d "$to" +%s) - $(date -d "$from" +%s))) 864000
	serial=$(openssl x509 -noout -serial -in a.crt | cut -d= -f2)
	[[ $serial =~ ^[0-7]?[0-9A-F]{1,31}$ ]]
	[ "$serial" != "$(openssl x509 -noout -serial -in b.crt | cut -d= -f2)" ]
	# 2050 and later: GeneralizedTime (RFC 5280 4.1.2.5).
	pk-keygen selfsign -k "$F/ca.key" -subj /CN=r -days 36500 -o c.crt
	run -0 openssl verify -CAfile c.crt c.crt
	openssl asn1parse -in c.crt | grep -q GENERALIZEDTIME
}

@test "x509 selfsign --pss: an RSASSA-PSS root openssl verify accepts" {
	pk-keygen selfsign --pss -k "$F/ca.key" -subj /CN=root -o p.crt
	run -0 openssl verify -CAfile p.crt p.crt
	run -0 openssl x509 -noout -text -in p.crt
	assert_line --partial "Signature Algorithm: rsassaPss"
	run -0 pk-keygen verify -CAfile p.crt -in p.crt
	assert_output "p.crt: OK"
}

@test "x509 sign: a request from openssl req -new gets a CA:FALSE certificate openssl verify accepts" {
	local pss
	for pss in "" --pss; do
		pk-keygen sign $pss -CA "$F/ca.crt" -CAkey "$F/ca.key" \
		    -in "$F/user.csr" -days 30 -o u.crt -f
		run -0 openssl verify -CAfile "$F/ca.crt" u.crt
		run -0 pk-keygen verify -CAfile "$F/ca.crt" -in u.crt
		assert_output "u.crt: OK"
		run -0 --separate-stderr openssl x509 -noout -text -in u.crt
		assert_equal "$stderr" ""
		assert_line "        Subject: CN = carol"
		assert_line "        Issuer: CN = protokit CA, O = protokit"
		assert_line "                CA:FALSE"
		assert_line "                Digital Signature, Key Encipherment"
		# Its key is the request's, its authority key id the CA's.
		assert_equal "$(openssl x509 -noout -pubkey -in u.crt)" \
		    "$(openssl req -noout -pubkey -in "$F/user.csr")"
		assert_equal \
		    "$(openssl x509 -noout -ext authorityKeyIdentifier -in u.crt |
			tail -1)" \
		    "$(openssl x509 -noout -ext subjectKeyIdentifier \
			-in "$F/ca.crt" | tail -1)"
	done
	run -0 openssl x509 -noout -text -in u.crt
	assert_line --partial "Signature Algorithm: rsassaPss"
	# A request from pk-keygen csr --pss, too.
	pk-keygen csr --pss -k "$F/legacy.key" --pass-file "$F/pw" \
	    -subj /CN=dave -o d.csr
	pk-keygen sign -CA "$F/ca.crt" -CAkey "$F/ca.key" -in d.csr -o d.crt
	run -0 openssl verify -CAfile "$F/ca.crt" d.crt
}

@test "x509 sign: a request with a bad signature exits 1, a malformed one 2" {
	der_edit "$F/user.csr" bad.csr carol carom
	# openssl 3.0 req -verify says so but exits 0.
	run -0 openssl req -verify -noout -in bad.csr
	assert_output --partial "verify failure"
	run -1 --separate-stderr pk-keygen sign -CA "$F/ca.crt" \
	    -CAkey "$F/ca.key" -in bad.csr
	assert_equal "$stderr" "pk-keygen: bad.csr: bad signature"
	assert_output ""
	base64 -d < <(sed '1d;$d' "$F/user.csr") | head -c 300 > short.der
	run -2 --separate-stderr pk-keygen sign -CA "$F/ca.crt" \
	    -CAkey "$F/ca.key" -in short.der
	assert_equal "$stderr" \
	    "pk-keygen: short.der: malformed request or certificate"
	echo garbage > g.csr
	run -2 --separate-stderr pk-keygen sign -CA "$F/ca.crt" \
	    -CAkey "$F/ca.key" -in g.csr
	assert_equal "$stderr" \
	    "pk-keygen: g.csr: not a certificate request (PEM or DER)"
	# A certificate is not a request.
	run -2 --separate-stderr pk-keygen sign -CA "$F/ca.crt" \
	    -CAkey "$F/ca.key" -in "$F/ca.crt"
	assert_equal "$stderr" \
	    "pk-keygen: $F/ca.crt: not a certificate request (PEM or DER)"
}

@test "x509 verify: a tampered certificate or another CA's is refused by openssl and pk-keygen (exit 1)" {
	pk-keygen sign -CA "$F/ca.crt" -CAkey "$F/ca.key" -in "$F/user.csr" \
	    -o u.crt
	der_edit u.crt t.crt carol carom
	run -2 openssl verify -CAfile "$F/ca.crt" t.crt
	run -1 --separate-stderr pk-keygen verify -CAfile "$F/ca.crt" -in t.crt
	assert_equal "$stderr" "pk-keygen: t.crt: bad signature"
	# Same CA name, another key.
	pk-keygen selfsign -k "$F/user.key" -subj "/CN=protokit CA/O=protokit" \
	    -o other.crt
	run -2 openssl verify -CAfile other.crt u.crt
	run -1 --separate-stderr pk-keygen verify -CAfile other.crt -in u.crt
	assert_equal "$stderr" "pk-keygen: u.crt: bad signature"
	# Another CA name.
	pk-keygen selfsign -k "$F/user.key" -subj /CN=other -o o2.crt
	run -1 --separate-stderr pk-keygen verify -CAfile o2.crt -in u.crt
	assert_equal "$stderr" \
	    "pk-keygen: u.crt: issuer does not match the CA certificate"
	# A leaf cannot sign.
	run -2 --separate-stderr pk-keygen sign -CA u.crt -CAkey "$F/user.key" \
	    -in "$F/user.csr"
	assert_equal "$stderr" "pk-keygen: u.crt: issuer is not a CA certificate"
}

@test "x509 verify: strict DER: trailing bytes, long or indefinite lengths, deep nesting exit 2" {
	local f
	openssl x509 -in "$F/ca.crt" -outform DER -out ca.der
	run -0 pk-keygen verify -CAfile ca.der -in ca.der
	# Its header is 30 82 LL LL.
	{ cat ca.der; printf '\0'; } > trailing.der
	perl -0777 -pe 's/^\x30\x82/\x30\x83\x00/' ca.der > long.der
	{ perl -0777 -pe 's/^\x30\x82../\x30\x80/s' ca.der
	    printf '\0\0'; } > indefinite.der
	# 40 SEQUENCEs, each inside the last, well-formed but too deep.
	perl -e '$x = "\x05\x00"; for (1 .. 40) { $n = length $x;
	    $x = "\x30" . ($n < 128 ? chr $n : "\x81" . chr $n) . $x } print $x' \
	    > deep.der
	for f in trailing long indefinite deep; do
		run -2 --separate-stderr pk-keygen verify -CAfile "$f.der" \
		    -in ca.der
		assert_equal "$stderr" \
		    "pk-keygen: $f.der: malformed request or certificate"
	done
}

@test "x509 verify: openssl's certificates, signed with SHA-1, -256, -384, -512 and PSS" {
	local md
	openssl req -x509 -key "$F/ca.key" -subj /CN=ossl -days 2 -out o.crt
	run -0 pk-keygen verify -CAfile o.crt -in o.crt
	for md in sha1 sha256 sha384 sha512; do
		openssl x509 -req -in "$F/user.csr" -CA o.crt -CAkey "$F/ca.key" \
		    -"$md" -days 2 -out u.crt 2> /dev/null
		run -0 pk-keygen verify -CAfile o.crt -in u.crt
	done
	openssl x509 -req -in "$F/user.csr" -CA o.crt -CAkey "$F/ca.key" \
	    -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:20 -days 2 \
	    -out p.crt 2> /dev/null
	run -0 pk-keygen verify -CAfile o.crt -in p.crt
	# DER in, too.
	openssl x509 -in p.crt -outform DER -out p.der
	run -0 pk-keygen verify -CAfile o.crt -in p.der
	# An issuer without keyCertSign may not sign.
	openssl req -x509 -key "$F/ca.key" -subj /CN=ku -days 2 \
	    -addext keyUsage=critical,digitalSignature -out k.crt
	openssl x509 -req -in "$F/user.csr" -CA k.crt -CAkey "$F/ca.key" \
	    -days 2 -out ku.crt 2> /dev/null
	run -1 --separate-stderr pk-keygen verify -CAfile k.crt -in ku.crt
	assert_equal "$stderr" "pk-keygen: k.crt: issuer is not a CA certificate"
}

@test "x509 csr, selfsign: bad -subj, no CN, missing or public key, bad options exit 2 with one line" {
	local subj
	for subj in CN=alice /O=Org "/CN=a/CN=b" "/XX=a" "/CN=" "/C=NLD/CN=a" \
	    "/CN=$(printf 'a%.0s' {1..65})"; do
		run -2 --separate-stderr pk-keygen csr -k "$F/ca.key" -subj "$subj"
		assert_equal "$stderr" \
		    "pk-keygen: -subj $subj: bad subject name (want /CN=name[/O=...])"
	done
	# "\/" is a slash inside a value.
	run -0 pk-keygen csr -k "$F/ca.key" -subj '/CN=a\/b'
	run -0 openssl req -noout -subject <<< "$output"
	assert_output "subject=CN = a/b"
	run -2 --separate-stderr pk-keygen selfsign -k nokey -subj /CN=a
	assert_equal "$stderr" "pk-keygen: nokey: No such file or directory"
	pk-keygen pub -i "$F/ca.key" > ca.pub
	run -2 --separate-stderr pk-keygen csr -k ca.pub -subj /CN=a
	assert_equal "$stderr" \
	    "pk-keygen: ca.pub: public key where a private key is needed"
	run -2 --separate-stderr pk-keygen csr -k "$F/ca.key"
	assert_equal "$stderr" "pk-keygen: csr: -subj is required"
	run -2 --separate-stderr pk-keygen selfsign -subj /CN=a
	assert_equal "$stderr" "pk-keygen: selfsign: -k is required"
	run -2 --separate-stderr pk-keygen csr -k "$F/ca.key" -subj /CN=a -days 3
	assert_equal "$stderr" "pk-keygen: csr: cannot use -days"
	run -2 --separate-stderr pk-keygen selfsign -k "$F/ca.key" -subj /CN=a \
	    -days 0
	assert_equal "$stderr" "pk-keygen: -days 0: too small"
	run -2 --separate-stderr pk-keygen csr -k "$F/ca.key" -subj /CN=a --bogus
	assert_equal "${stderr_lines[0]}" "pk-keygen: invalid option: --bogus"
	assert_equal "${stderr_lines[1]}" "Try 'pk-keygen csr --help'"
	run -2 --separate-stderr pk-keygen sign -CA "$F/ca.crt" -in "$F/user.csr"
	assert_equal "$stderr" "pk-keygen: sign: -CAkey is required"
	run -2 --separate-stderr pk-keygen sign -CA "$F/ca.crt" \
	    -CAkey "$F/legacy.key" --pass-file "$F/pw" -in "$F/user.csr"
	assert_equal "$stderr" "pk-keygen: $F/legacy.key: not the key of $F/ca.crt"
}

@test "x509: pk-keygen --help lists csr, selfsign, sign, verify and their options" {
	run -0 pk-keygen --help
	local opt
	for opt in -k -subj -days --pss -CA -CAkey -CAfile -in; do
		assert_line --regexp "^  $opt "
	done
	assert_line --partial "pk-keygen csr [-f] [--pss]"
	assert_line --partial "pk-keygen selfsign"
	assert_line --partial "pk-keygen sign"
	assert_line --partial "pk-keygen verify -CAfile cert -in cert"
}
