#!/usr/bin/env bats
# The ca protocol and its peer chat read back from a capture by tshark
# with the Lua dissector (wireshark/ca.lua, issue 13 item 2): one
# protokit-ca run with --pcap and --trace-json; every frame decodes, none
# is marked malformed, each frame's fields are the JSON trace's of the
# same run (the clients' to the CA, the sender's on the peer chat) with
# docs/ca.md's names; the prompts, names and answers are the trace's, and
# each request and certificate has the PEM's DER length, CN and key
# fingerprint the trace gives it; a request split across TCP segments is
# reassembled; a bad request and a peer chat IV of 15 bytes are marked.

load helpers
load dissect-helpers

setup_file() {
	capture_run ca
}

# frames: capture_frames without what the dissector adds to a PEM (DER
# length, CN, key fingerprint), which are not fields on the wire.
frames() {
	capture_frames ca ca |
	    sed -E 's/ (der_length|cn|fingerprint)@[^ ]*//g'
}

# frame TEXT: the hex of a frame of TEXT (its length, then TEXT).
frame() {
	printf '%08x' "${#1}"
	printf '%s' "$1" | od -An -tx1 -v | tr -d ' \n'
}

@test "dissect-ca: every frame decodes, none malformed, no TCP payload left undecoded" {
	capture_clean ca
	[ "$(frames | wc -l)" -ge 60 ]
}

@test "dissect-ca: each frame's steps and fields (name, offset, length, bytes) are the JSON trace's of the same run, the peer chat's too" {
	frames > capture.txt
	trace_frames ca ca > trace.txt
	[ "$(wc -l < trace.txt)" -ge 70 ]
	diff -u trace.txt capture.txt
	run -0 cut -d ' ' -f 1 capture.txt
	for s in prompt user password choice new-user new-password CSR \
	    CERTREQ certificate answer chat-ciphertext chat-iv chat-password; do
		assert_line "$s"
	done
}

@test "dissect-ca: the dissector's (step, field) pairs are docs/ca.md's fields on the wire" {
	frames | frame_fields > capture.fields
	doc_wire_fields "$PK_ROOT/docs/ca.md" > doc.fields
	[ "$(wc -l < capture.fields)" -ge 30 ]
	run -0 comm -23 capture.fields doc.fields
	assert_output ''
}

@test "dissect-ca: the prompts, names, passwords, choices and ids in tshark -T fields are the trace's" {
	local f=(text name password choice id)
	capture_values ca ca "${f[@]}" > capture.txt
	trace_values ca ca "${f[@]}" > trace.txt
	[ "$(cut -d ' ' -f 1 trace.txt | sort -u | wc -l)" = "${#f[@]}" ]
	diff -u trace.txt capture.txt
	assert_equal "$(grep -c '^text Please Enter your username$' capture.txt)" \
	    "$(jq -r 'select(.step == "prompt") | .fields[1].value' \
	    "$BATS_FILE_TMPDIR/ca.json" | grep -c '^Please Enter your username$')"
}

@test "dissect-ca: each CSR's and certificate's DER length, CN and key fingerprint are the trace's" {
	run -0 pk_tshark ca -Y 'ca.der_length' -T fields -e ca.step \
	    -e ca.der_length -e ca.cn -e ca.fingerprint
	printf '%s\n' "${lines[@]}" | tr '\t' ' ' | sort > capture.txt
	jq -r '.step as $s | .fields[] | select(.name == "csr" or
	    .name == "certificate") | .note | capture("DER (?<d>[0-9]+), CN=(?<c>[^,]*), key sha256:(?<h>[0-9a-f]+)") |
	    "\($s) \(.d) \(.c) sha256:\(.h)"' "$BATS_FILE_TMPDIR/ca.json" |
	    sort > trace.txt
	[ "$(grep -c '^CSR ' trace.txt)" = 2 ]
	[ "$(grep -c '^certificate ' trace.txt)" -ge 4 ]
	diff -u trace.txt capture.txt
}

@test "dissect-ca: a request split across TCP segments is reassembled; a bad request and a short peer chat IV are marked malformed" {
	local d=$BATS_FILE_TMPDIR csr note
	csr=$(jq -r 'select(.step == "CSR") | [.fields[] | .hex] | join("")' \
	    "$d/ca.json" | head -1)
	note=$(jq -r 'select(.step == "CSR") | .fields[5].note' "$d/ca.json" |
	    head -1)
	# the sign-in, the CSR in three segments (the last with a bad
	# request after it), the CA's error
	hex_pcap split ca.ports "O $(frame 'Please Enter your username')" \
	    "I $(frame alice)" "O $(frame 'Enter password')" \
	    "I $(frame secret)" "O $(frame Welcome)" "I ${csr:0:600}" \
	    "I ${csr:600:600}" "I ${csr:1200}$(frame 'CSR alice')" \
	    "O $(frame 'error: request: not a request')"
	# "PEM n bytes, DER d, CN=c, key sha256:h" -> "d	c	sha256:h"
	note=$(sed -E 's/.*DER ([0-9]+), CN=([^,]*), key (.*)/\1	\2	\3/' \
	    <<< "$note")
	run -0 pk_tshark split -2 -T fields -e frame.number -e ca.step \
	    -e ca.der_length -e ca.cn -e ca.fingerprint -e _ws.expert.message
	assert_equal "$output" "$(printf '%s\n' "1	prompt				" \
	    "2	user				" "3	prompt				" \
	    "4	password				" "5	prompt				" \
	    "6					" "7					" \
	    "8	CSR,request	$note	not \"CSR|CERTUP|CERTREQ name\\nbody\"" \
	    "9	answer				")"
	# a peer chat message whose IV is 15 bytes
	hex_pcap chat ca.peer_ports "I 00000010$(printf '%032x' 1)" \
	    "I 0000000f$(printf '%030x' 2)" "I 00000004aabbccdd"
	run -0 pk_tshark chat -T fields -e ca.step -e _ws.expert.message
	assert_equal "$output" "$(printf '%s\n' "chat-ciphertext	" \
	    "chat-iv	an IV is 16 bytes" "chat-password	")"
}
