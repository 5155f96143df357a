#!/usr/bin/env bats
# The e2e protocol read back from a capture by tshark with the Lua
# dissector (wireshark/e2e.lua, issue 13 item 2): one protokit-e2e run
# (messages, then an upload of a few hundred blocks) with --pcap and
# --trace-json; every frame decodes as one 256-byte block, none is marked
# malformed, each frame's fields are the JSON trace's of the same run
# (the clients', which saw every frame; e2e-upload's are protocol
# "e2e-upload" there), the blocks counted each way on
# each service and numbered on each connection as the trace has them; a
# frame split across TCP segments is reassembled, a short one marked.

load helpers
load dissect-helpers

setup_file() {
	capture_run e2e
}

# frames: capture_frames without what the dissector adds (service, way,
# number), the step `block` as on the wire.
frames() {
	capture_frames e2e e2e | sed -E 's/ (service|to|index)@[^ ]*//g'
}

# ports NAME: the port of NAME (ports, upload_ports) in the ports file.
ports() {
	sed -n "s/^e2e\\.$1://p" "$BATS_FILE_TMPDIR/e2e.pcap.ports"
}

@test "dissect-e2e: every frame decodes as a block, none malformed, no TCP payload left undecoded" {
	capture_clean e2e
	frames > capture.txt
	[ "$(wc -l < capture.txt)" -ge 200 ]
	run -1 grep -v '^block length@0+4=00000100 block@4+256=' capture.txt
	assert_output ''
}

@test "dissect-e2e: each frame's fields (name, offset, length, bytes) are the JSON trace's of the same run, its step block" {
	frames > capture.txt
	{ trace_frames e2e e2e; trace_frames e2e e2e-upload; } |
	    sed 's/^[^ ]* /block /' | sort > trace.txt
	[ "$(wc -l < trace.txt)" -ge 200 ]
	diff -u trace.txt capture.txt
}

@test "dissect-e2e: the dissector's (step, field) pairs are docs/e2e.md's fields on the wire" {
	frames | frame_fields > capture.fields
	assert_equal "$(cat capture.fields)" "$(printf '%s\n' "block block" \
	    "block length")"
	doc_wire_fields "$PK_ROOT/docs/e2e.md" > doc.fields
	run -0 comm -23 capture.fields doc.fields
	assert_output ''
}

@test "dissect-e2e: the blocks each way on each service are the trace's, numbered 1, 2, ... on each connection" {
	local port svc to dir want got
	run -0 pk_tshark e2e -Y e2e -T fields -E aggregator=' ' \
	    -e tcp.stream -e e2e.service -e e2e.to -e e2e.index
	# one line per block: connection, service, way, number
	printf '%s\n' "${lines[@]}" | awk -F '\t' '{ n = split($4, i, " ")
	    split($2, s, " "); split($3, t, " ")
	    for (k = 1; k <= n; k++) print $1, s[k], t[k], i[k] }' > blocks
	for svc in e2e e2e-upload; do
		port=$(ports ports)
		[ "$svc" = e2e ] || port=$(ports upload_ports)
		for to in server client; do
			dir=sent
			[ "$to" = server ] || dir=received
			want=$(jq -r --arg p "127.0.0.1:$port" --arg d "$dir" \
			    'select(.peer == $p and .direction == $d) | .step' \
			    "$BATS_FILE_TMPDIR/e2e.json" | wc -l)
			got=$(grep -c " $svc $to " blocks) || true
			[ "$want" -ge 2 ]
			[ "$got" = "$want" ] || {
				echo "$svc to the $to: $got blocks, the trace $want" >&2
				return 1
			}
		done
	done
	# shellcheck disable=SC2016 # awk's fields, not the shell's
	run -0 awk '{ k = $1 " " $3; if ($4 != ++n[k]) print "out of turn:", $0 }
	    END { for (k in n) m++; print m }' blocks
	assert_equal "${#lines[@]}" 1
	[ "$output" -ge 4 ]
}

@test "dissect-e2e: a frame split across TCP segments is reassembled; a short block and a zero length are marked malformed" {
	local d=$BATS_FILE_TMPDIR block
	block=$(jq -r 'select(.step == "send" and .direction == "sent") |
	    [.fields[] | select(.offset != null) | .hex] | join("")' \
	    "$d/e2e.json" | head -1)
	[ "${#block}" = 520 ]
	# One block in two segments; one of 16 bytes; a length of 0.
	hex_pcap split e2e.ports "I ${block:0:300}" "I ${block:300}" \
	    "O 00000010000102030405060708090a0b0c0d0e0f" "O 00000000"
	run -0 pk_tshark split -2 -T fields -e frame.number \
	    -e tcp.reassembled.length -e e2e.to -e e2e.index \
	    -e _ws.expert.message
	assert_equal "$output" "$(printf '%s\n' "1				" \
	    "2	260	server	1	" \
	    "3		client	1	not one 256-byte RSA block" \
	    "4		client	2	not one 256-byte RSA block")"
}
