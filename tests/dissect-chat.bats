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
	[ "$(frames | wc -l)" -ge 20 ]
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
	capture_values chat chat name fingerprint > values.txt
	grep '^name ' values.txt > capture.txt
	trace_values chat chat name > trace.txt
	diff -u trace.txt capture.txt
	assert_equal "$(cut -d ' ' -f 2 capture.txt | paste -sd ' ')" \
	    "alice bob carol"
	sed -n 's/^fingerprint //p' values.txt | sort > got
	jq -r --arg p "127.0.0.1:$(sed -n 's/^chat.ports://p' \
	    "$BATS_FILE_TMPDIR/chat.pcap.ports")" 'select(.peer == $p) |
	    .fields[] | select(.name == "public_key") | .fingerprint' \
	    "$BATS_FILE_TMPDIR/chat.json" | sort > want
	[ "$(wc -l < want)" = 6 ]
	diff -u want got
}

@test "dissect-chat: frames split across TCP segments are reassembled; a typed frame of no known type and a key that is not PEM are marked malformed" {
	local d=$BATS_FILE_TMPDIR name key msg fp
	name=$(printf '\0\0\0\5alice' | od -An -tx1 -v | tr -d ' \n')
	key=$(jq -r 'select(.step == "client_key") | [.fields[].hex] |
	    join("")' "$d/chat.json" | head -1)
	fp=$(jq -r 'select(.step == "client_key") | .fields[1].fingerprint' \
	    "$d/chat.json" | head -1)
	[ "${#key}" = 908 ]
	msg=000000124d000102030405060708090a0b0c0d0e0faa
	# The user name in two segments, its length split; the key in two,
	# the second holding the start of a message; the server's key not
	# PEM; a typed frame of type X.
	hex_pcap split chat.ports "I ${name:0:6}" "I ${name:6}" \
	    "I ${key:0:100}" "I ${key:100}${msg:0:20}" "I ${msg:20}" \
	    "O 0000000441424344" "O 0000000441424344" "O 000000025850"
	# two passes (-2): the second must name each frame as the first did
	run -0 pk_tshark split -2 -T fields -e frame.number \
	    -e tcp.reassembled.length -e chat.step -e chat.name \
	    -e chat.fingerprint -e _ws.expert.message
	assert_equal "$output" "$(printf '%s\n' "1					" \
	    "2	9	user_name	alice		" "3					" \
	    "4	454	client_key		$fp	" "5	22	message			" \
	    "6		server_key			not a PEM block" \
	    "7		wrapped_key			" \
	    "8		frame			not a message, notice or keepalive")"
	# The name's length split, its end and the key's start in one
	# segment: the second pass hands the name over in another tvb, and
	# must still know it for the name (tshark -2 with a filter).
	hex_pcap split2 chat.ports "I ${name:0:6}" "I ${name:6}${key:0:100}" \
	    "I ${key:100}"
	capture_clean split2
}
