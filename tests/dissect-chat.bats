#!/usr/bin/env bats
# The chat protocol read back from a capture by tshark with the Lua
# dissector (wireshark/chat.lua, issue 13 item 2): one protokit-chat run
# with --pcap and --trace-json; every frame decodes, none is marked
# malformed, each frame's fields are the JSON trace's of the same run
# (the clients', which saw every frame once) with docs/chat.md's names;
# the user names and the keys' fingerprints are the trace's; a frame
# split across TCP segments is reassembled, a bad one marked.

load helpers
load dissect-helpers

setup_file() {
	capture_run chat
}

# frames: capture_frames without the values the dissector adds (a key's
# DER length and fingerprint), which are not fields on the wire.
frames() {
	capture_frames chat chat | sed -E 's/ (der_length|fingerprint)@[^ ]*//g'
}

@test "dissect-chat: every frame decodes, none malformed, no TCP payload left undecoded" {
	capture_clean chat
	[ "$(pk_tshark chat -Y chat | wc -l)" -ge 20 ]
}

@test "dissect-chat: each frame's steps and fields (name, offset, length, bytes) are the JSON trace's of the same run" {
	frames > capture.txt
	trace_frames chat chat > trace.txt
	[ "$(wc -l < trace.txt)" -ge 25 ]
	diff -u trace.txt capture.txt
	run -0 cut -d ' ' -f 1 capture.txt
	for s in user_name server_key client_key wrapped_key message notice; do
		assert_line "$s"
	done
}

@test "dissect-chat: the dissector's (step, field) pairs are docs/chat.md's fields on the wire" {
	frames | frame_fields > capture.fields
	doc_wire_fields "$PK_ROOT/docs/chat.md" > doc.fields
	[ "$(wc -l < capture.fields)" -ge 15 ]
	run -0 comm -23 capture.fields doc.fields
	assert_output ''
}

@test "dissect-chat: the user names and the keys' fingerprints in tshark -T fields are the trace's" {
	capture_values chat chat name > capture.txt
	trace_values chat chat name > trace.txt
	diff -u trace.txt capture.txt
	assert_equal "$(cut -d ' ' -f 2 capture.txt | paste -sd ' ')" \
	    "alice bob carol"
	capture_values chat chat fingerprint | cut -d ' ' -f 2 | sort > got
	jq -r --arg p "127.0.0.1:$(sed -n 's/^chat.ports://p' \
	    "$BATS_FILE_TMPDIR/chat.pcap.ports")" 'select(.peer == $p) |
	    .fields[] | select(.name == "public_key") | .fingerprint' \
	    "$BATS_FILE_TMPDIR/chat.json" | sort > want
	[ "$(wc -l < want)" = 6 ]
	diff -u want got
}

@test "dissect-chat: a frame split across TCP segments is reassembled; a typed frame of no known type and a key that is not PEM are marked malformed" {
	local d=$BATS_FILE_TMPDIR name key
	name=$(printf '\0\0\0\5alice' | od -An -tx1 -v | tr -d ' \n')
	key=$(jq -r 'select(.step == "client_key") | [.fields[].hex] |
	    join("")' "$d/chat.json" | head -1)
	[ "${#key}" = 908 ]
	# The user name and the key in three segments, the second holding
	# the name's end and the key's start; the server's key not PEM; a
	# typed frame of type X.
	hex_pcap split chat.ports "I ${name:0:6}" "I ${name:6}${key:0:100}" \
	    "I ${key:100}" "O 0000000441424344" "O 0000000441424344" \
	    "O 000000025850"
	run -0 pk_tshark split -T fields -e frame.number \
	    -e tcp.reassembled.length -e chat.step -e chat.name \
	    -e chat.fingerprint -e _ws.expert.message
	assert_equal "$output" "$(printf '%s\n' "1					" \
	    "2	59	user_name	alice		" \
	    "3	454	client_key		$(jq -r 'select(.step == "client_key") |
		.fields[1].fingerprint' "$d/chat.json" | head -1)	" \
	    "4		server_key			not a PEM block" \
	    "5		wrapped_key			" \
	    "6		frame			not a message, notice or keepalive")"
	run -1 capture_clean split
	assert_output --regexp '^malformed, in error or not decoded: +4 .* 6 '
}
