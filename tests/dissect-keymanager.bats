#!/usr/bin/env bats
# The key manager protocol read back from a capture by tshark with the
# Lua dissector (wireshark/keymanager.lua, issue 13 item 2): one
# protokit-keymanager run (three rounds) with --pcap and --trace-json;
# the relay channel (keymanager.ports) and the peer channel from sender
# to waiter (keymanager.peer_ports): every frame decodes, none is marked
# malformed, each frame's fields are the JSON trace's of the same run,
# with docs/keymanager.md's names.

load helpers
load dissect-helpers

setup_file() {
	capture_run keymanager
}

@test "dissect-keymanager: every frame on both channels decodes, none malformed, no TCP payload left undecoded (two passes)" {
	capture_clean keymanager
}

@test "dissect-keymanager: the ports file names the relay's port and the three waiters' ports the run used" {
	local d=$BATS_FILE_TMPDIR relay waiters
	relay=$(sed -n 's/^    relay pid [0-9]*, listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$d/keymanager.out")
	waiters=$(jq -r 'select(.step == "wait" and .direction == "sent") |
	    .fields[] | select(.name == "text") | .value | sub("wait "; "")' \
	    "$d/keymanager.json" | paste -sd , -)
	[ -n "$relay" ]
	assert_equal "$(cat "$d/keymanager.pcap.ports")" "keymanager.peer_ports:$waiters
keymanager.ports:$relay"
}

@test "dissect-keymanager: each frame's fields (name, offset, length, bytes) are the JSON trace's of the same run, on both channels" {
	capture_frames keymanager keymanager > capture.txt
	trace_frames keymanager keymanager > trace.txt
	# 3 rounds: 28 frames each on the relay channel, offer, answer, file
	[ "$(grep -cv '^\(offer\|answer\|file\) ' trace.txt)" = 84 ]
	[ "$(grep -c '^offer ' trace.txt)" = 3 ]
	[ "$(grep -c '^answer ' trace.txt)" = 3 ]
	diff -u <(grep -v '^file ' trace.txt) <(grep -v '^file ' capture.txt)
	# The file: one piece per write in the trace, per segment in the
	# capture; the same bytes.
	assert_equal "$(grep '^file ' capture.txt | sed 's/.*=//' | sort | md5sum)" \
	    "$(grep '^file ' trace.txt | sed 's/.*=//' | sort | md5sum)"
}

@test "dissect-keymanager: the dissector's (step, field) pairs are every one of docs/keymanager.md's fields on the wire" {
	capture_frames keymanager keymanager | frame_fields > capture.fields
	doc_wire_fields "$PK_ROOT/docs/keymanager.md" > doc.fields
	diff -u doc.fields capture.fields
}

@test "dissect-keymanager: words, wrapped K and IV, confirmations and the peer channel's frames in tshark -T fields are the trace's" {
	local f=(text wrapped_k wrapped_iv confirmation size_block length)
	capture_values keymanager keymanager "${f[@]}" | sort > capture.txt
	trace_values keymanager keymanager "${f[@]}" | sort > trace.txt
	[ "$(cut -d ' ' -f 1 trace.txt | sort -u | wc -l)" = "${#f[@]}" ]
	diff -u trace.txt capture.txt
	grep -qx 'text sizes don'"'"'t match' capture.txt
	[ "$(grep -c '^wrapped_k ' capture.txt)" = 6 ]
	run -0 pk_tshark keymanager -Y 'keymanager.step == "offer"' -T fields \
	    -e tcp.dstport
	assert_equal "$(sort <<< "$output" | paste -sd , -)" \
	    "$(sed -n 's/^keymanager.peer_ports://p' \
	    "$BATS_FILE_TMPDIR/keymanager.pcap.ports" | tr , '\n' | sort |
	    paste -sd , -)"
}

@test "dissect-keymanager: a 16-byte answer to get key is the wrapped K; a binary client frame and a zero length are marked malformed" {
	local d=$BATS_FILE_TMPDIR
	# I: client (40000) to the key manager (4000); O: back (text2pcap -D)
	{
		printf 'I\n'
		printf '\0\0\0\7get key' | od -Ax -tx1 -v
		printf 'O\n'
		printf '\0\0\0\20%s' 0123456789abcdef | od -Ax -tx1 -v
		printf 'I\n'
		printf '\0\0\0\3\1\2\3' | od -Ax -tx1 -v
		printf 'I\n'
		printf '\0\0\0\0' | od -Ax -tx1 -v
	} > frames.txt
	text2pcap -q -D -T 40000,4000 frames.txt "$d/bad.pcap"
	echo keymanager.ports:4000 > "$d/bad.pcap.ports"
	run -0 pk_tshark bad -T fields -e frame.number -e keymanager.step \
	    -e keymanager.wrapped_k -e keymanager.bytes -e _ws.expert.message
	assert_equal "$output" "$(printf '%s\n' "1	get_key			" \
	    "2	key	30313233343536373839616263646566		" \
	    "3	binary		010203	binary where text was expected" \
	    "4	binary			the length is not the payload's")"
}
