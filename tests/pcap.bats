#!/usr/bin/env bats
# --pcap FILE on the orchestrators (bin/protokit-pcap.sh, issue 13 item
# 2): tcpdump records the run's loopback TCP, FILE keeps the run's own
# ports, FILE.ports names them as tshark preferences, the printed tshark
# command decodes it; where tcpdump may not capture the run goes on
# without; demo refuses it; usage errors.

load helpers

setup() {
	export TMPDIR="$BATS_TEST_TMPDIR/tmp"
	mkdir "$TMPDIR"
}

# needs_capture: skips unless tcpdump and tshark are here and may capture.
needs_capture() {
	command -v tshark > /dev/null || skip "tshark not installed (make deps)"
	command -v tcpdump > /dev/null || skip "tcpdump not installed (make deps)"
	[ "$(id -u)" = 0 ] || skip "tcpdump captures as root only here"
}

# tshark_line: the tshark command the run printed.
tshark_line() {
	sed -n 's/^    \(tshark -X lua_script:.*\)/\1/p' <<< "$output"
}

@test "pcap: installed, protokit run vault --pcap=FILE: the run's TCP in FILE, its port in FILE.ports, the commands shown, the printed tshark line (the installed dissector) decodes it" {
	needs_capture
	local root=$BATS_TEST_TMPDIR/root f
	run -0 make -C "$PK_ROOT" -o all install DESTDIR="$root" PREFIX=/opt/pk
	for f in protokit.lua common.lua vault.lua keymanager.lua; do
		[ -f "$root/opt/pk/share/protokit/wireshark/$f" ] ||
		    fail "wireshark/$f not installed"
	done
	[ -f "$root/opt/pk/bin/protokit-pcap.sh" ]
	[ ! -x "$root/opt/pk/bin/protokit-pcap.sh" ]
	PATH=/usr/sbin:/usr/bin:/sbin:/bin run -0 "$root/opt/pk/bin/protokit" run vault --pcap=run.pcap
	local port
	port=$(sed -n 's/^    relay pid [0-9]*, listening on 127.0.0.1:\([0-9]*\)$/\1/p' <<< "$output")
	[ -n "$port" ]
	assert_line "    \$ tcpdump -i lo -s 65560 -B 32768 -U --immediate-mode -w - 'tcp and host 127.0.0.1' > raw.pcap 2> tcpdump.log & pcap_pid=\$!"
	assert_line "    \$ until grep -qs '^tcpdump: listening on' tcpdump.log || ! kill -0 \$pcap_pid 2> /dev/null; do sleep 0.1; done"
	assert_line "    \$ kill -TERM \$pcap_pid; wait \$pcap_pid"
	assert_line "    \$ tcpdump -r - -w - 'tcp port $port' < raw.pcap > '$PWD/run.pcap' 2>> tcpdump.log"
	assert_equal "$(cat run.pcap.ports)" "vault.ports:$port"
	assert_line "protokit-vault: capture in $PWD/run.pcap, its ports in $PWD/run.pcap.ports; decode it with"
	assert_equal "$(tshark_line)" "tshark -X lua_script:$root/opt/pk/share/protokit/wireshark/protokit.lua -o vault.ports:$port -r '$PWD/run.pcap'"
	# The tcpdump start comes before the relay's, the stop after its end.
	[ "$(grep -n 'tcpdump -i lo' <<< "$output" | cut -d: -f1)" -lt \
	    "$(grep -n '^==> 1/11 ' <<< "$output" | cut -d: -f1)" ]
	# Only the relay's port; 7 connections from SYN to both FINs.
	tcpdump -nr run.pcap > dump.txt 2> /dev/null
	[ "$(grep -cv "\.${port}[ :]" dump.txt)" = 0 ]
	[ "$(grep -c "> 127.0.0.1.$port: Flags \[S\]" dump.txt)" = 7 ]
	[ "$(grep -c "Flags \[F" dump.txt)" = 14 ]
	refute_line --partial 'tcpdump lost'
	eval "$(tshark_line) -Y vault -T fields -e vault.step" 2> /dev/null |
	    tr , '\n' | sort | uniq -c | awk '{ print $2, $1 }' > steps
	assert_equal "$(cat steps)" "aes_key 1
crc_ok 2
file_received 2
reconnect 1
reconnect_approved 1
register 1
registered 1
send_file 46
send_public_key 1
thanks 2"
	[ -z "$(ls -A "$TMPDIR")" ]
}

@test "pcap: tcpdump may not capture (a failing tcpdump on PATH): one line says so, the run goes on, status 0, no FILE" {
	mkdir stub
	printf '#!/bin/sh\necho "tcpdump: lo: You don'"'"'t have permission to perform this capture on that device" >&2\nexit 1\n' > stub/tcpdump
	chmod +x stub/tcpdump
	PATH="$PWD/stub:$PATH" run -0 --separate-stderr protokit-vault --pcap run.pcap
	assert_line --regexp '^==> 11/11 '
	assert_equal "$(grep -c -- '--pcap' <<< "$stderr")" 1
	assert_equal "$(grep -- '--pcap' <<< "$stderr")" "protokit-vault: --pcap: tcpdump may not capture here (tcpdump: lo: You don't have permission to perform this capture on that device): running without a capture"
	refute_line --partial 'capture in'
	[ ! -e run.pcap ]
	[ ! -e run.pcap.ports ]
	[ -z "$(ls -A "$TMPDIR")" ]
}

@test "pcap: usage: --pcap without a file, with a quote, unwritable: exit 2, before any step; demo refuses --pcap" {
	run -2 --separate-stderr protokit-vault --pcap
	assert_equal "$stderr" "protokit-vault: --pcap: missing file
Try 'protokit-vault --help'"
	run -2 --separate-stderr protokit run keymanager --pcap=
	assert_equal "$stderr" "protokit-keymanager: --pcap: missing file
Try 'protokit-keymanager --help'"
	run -2 --separate-stderr protokit-chat --pcap "it's.pcap"
	assert_equal "$stderr" "protokit-chat: --pcap: a quote in 'it's.pcap'
Try 'protokit-chat --help'"
	run -2 --separate-stderr protokit-e2e --pcap no/such/dir/x.pcap
	assert_equal "$stderr" "protokit-e2e: $PWD/no/such/dir/x.pcap: cannot write"
	assert_equal "$output" ""
	run -2 --separate-stderr protokit demo --pcap x.pcap
	assert_equal "$stderr" "protokit: demo: --pcap records one protocol: protokit run NAME --pcap FILE
Try 'protokit --help'"
	run -2 --separate-stderr protokit demo --keep --pcap=x.pcap
	assert_equal "$output" ""
	[ ! -e x.pcap ]
	[ -z "$(ls -A "$TMPDIR")" ]
	local n
	for n in ca chat e2e keymanager vault; do
		run -0 "protokit-$n" --help
		# --hardened in between for a protocol that has the profile
		assert_line --regexp "^usage: protokit-$n \\[--explain\\] (\\[--hardened\\] )?\\[--keep\\] \\[--pcap file\\]( |$)"
		assert_line '  --pcap file'
	done
}

@test "pcap: a step that fails: the run's status as without --pcap, the capture of what ran kept, the relay and the directory gone" {
	needs_capture
	fake_tools pk-wrap
	run -1 --separate-stderr fake/protokit-vault --pcap run.pcap
	assert_line --regexp '^==> 5/11 '
	refute_line --regexp '^==> 6/11 '
	assert_equal "$stderr" "pk-wrap: broken on purpose"
	assert_line --partial 'protokit-vault: capture in '
	local pid
	pid=$(sed -n 's/^    relay pid \([0-9]*\),.*/\1/p' <<< "$output")
	[ -n "$pid" ]
	grep -qx 'vault.ports:[0-9]*' run.pcap.ports
	# register and pubkey: two connections, both to their end
	tcpdump -nr run.pcap > dump.txt 2> /dev/null
	[ "$(grep -c 'Flags \[S\]' dump.txt)" = 2 ]
	[ "$(grep -c 'Flags \[F' dump.txt)" = 4 ]
	run -1 kill -0 "$pid"
	[ -z "$(ls -A "$TMPDIR")" ]
}
