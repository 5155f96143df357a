#!/usr/bin/env bats
# The vault protocol read back from a capture by tshark with the Lua
# dissector (wireshark/vault.lua, issue 13 item 2): one protokit-vault
# run with --pcap and --trace-json; every frame decodes, none is marked
# malformed, each frame's fields are the JSON trace's of the same run
# (names, offsets, lengths, bytes), with docs/vault.md's names; a frame
# split across TCP segments is reassembled, a bad one marked.

load helpers
load dissect-helpers

setup_file() {
	capture_run vault
}

@test "dissect-vault: every frame decodes, none malformed, no TCP payload left undecoded" {
	capture_clean vault
	[ "$(pk_tshark vault -Y vault | wc -l)" -ge 14 ]
}

@test "dissect-vault: each frame's fields (name, offset, length, bytes) are the JSON trace's of the same run" {
	capture_frames vault vault > capture.txt
	trace_frames vault vault > trace.txt
	[ "$(wc -l < trace.txt)" = 58 ]
	diff -u trace.txt capture.txt
}

@test "dissect-vault: the dissector's (step, field) pairs are docs/vault.md's fields on the wire" {
	capture_frames vault vault | frame_fields > capture.fields
	doc_wire_fields "$PK_ROOT/docs/vault.md" > doc.fields
	[ "$(wc -l < capture.fields)" -ge 50 ]
	run -0 comm -23 capture.fields doc.fields
	assert_output ''
}

@test "dissect-vault: client id, codes, sizes and CRC in tshark -T fields are the trace's" {
	local f=(client_id code payload_size content_size orig_file_size
		packet_number total_packets cksum file_name name)
	capture_values vault vault "${f[@]}" > capture.txt
	trace_values vault vault "${f[@]}" > trace.txt
	[ "$(cut -d ' ' -f 1 trace.txt | sort -u | wc -l)" = "${#f[@]}" ]
	diff -u trace.txt capture.txt
	# The CRC the server sent is the file's POSIX cksum.
	assert_equal "$(grep '^cksum ' capture.txt | sort -u)" "cksum $(seq 0 399 |
	    sed "s/.*/line & of alice's quarterly report: nothing to see here/" |
	    cksum | cut -d ' ' -f 1)"
}

@test "dissect-vault: a frame split across two TCP segments is reassembled; a wrong version is marked malformed" {
	local frame d=$BATS_FILE_TMPDIR
	frame=$(jq -r 'select(.step == "register") | [.fields[].hex] | join("")' "$d/vault.json")
	[ "${#frame}" = 556 ]
	# the first 50 bytes, the other 228, then the frame with version 5
	for part in "${frame:0:100}" "${frame:100}" "${frame:0:32}05${frame:34}"; do
		xxd -r -p <<< "$part" | od -Ax -tx1 -v
	done > split.txt
	text2pcap -q -T 40000,4000 split.txt "$d/split.pcap"
	echo vault.ports:4000 > "$d/split.pcap.ports"
	run -0 pk_tshark split -T fields -e frame.number \
	    -e tcp.reassembled.length -e vault.step -e vault.name \
	    -e _ws.expert.message
	assert_equal "$output" "$(printf '%s\n' "1				" \
	    "2	278	register	alice	" \
	    "3		register	alice	version is not 3 (faithful) or 4 (hardened)")"
	# two-pass: frame 1 is known to be part of frame 2's reassembled frame
	run -1 capture_clean split
	assert_output --regexp '^malformed, in error or not decoded: +3 .* vault 332 register \[malformed\]$'
}
