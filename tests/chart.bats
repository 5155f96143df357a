# Sequence charts of real runs (issue 13 item 3): `protokit run NAME
# --chart FILE` for the five protocols, one run each (setup_file): the
# SVG or PNG mscgen drew, the text chart printed at the end, one arrow per
# frame of the run's JSON trace between the named participants, the chart
# committed in docs/charts/ the same steps as this run; `protokit chart`
# on its own; bad --chart arguments.

bats_require_minimum_version 1.5.0

load helpers

PROTOCOLS="vault keymanager chat e2e ca"

# run_one NAME: protokit run NAME --chart, its status in NAME.rc.  vault:
# no --trace-json (the chart's trace is the run's own, kept); chat: a
# PNG; the others an SVG and the trace where the tests read it.
run_one() {
	local p=$1 t=$BATS_FILE_TMPDIR rc=0
	case $p in
	vault) set -- --keep --chart "$t/vault.svg" ;;
	chat) set -- --trace-json "$t/chat.json" --chart "$t/chat.png" ;;
	*) set -- --trace-json "$t/$p.json" --chart "$t/$p.svg" ;;
	esac
	protokit run "$p" "$@" > "$t/$p.out" 2> "$t/$p.err" || rc=$?
	echo "$rc" > "$t/$p.rc"
}

# The five runs at once (each waits on its own relay most of the time),
# then each run's chart as mscgen's source, from its JSON trace.
setup_file() {
	local p pids='' t=$BATS_FILE_TMPDIR
	for p in $PROTOCOLS; do
		run_one "$p" 3>&- &
		pids="$pids $!"
	done
	for p in $pids; do
		wait "$p"
	done
	sed -n 's/^protokit-vault: kept //p' "$t/vault.err" > "$t/vault.work"
	[ ! -s "$t/vault.work" ] ||
	    cp "$(cat "$t/vault.work")/run.json" "$t/vault.json"
	for p in $PROTOCOLS; do
		[ ! -s "$t/$p.json" ] || protokit chart -o "$t/$p.msc" "$t/$p.json"
	done
}

teardown_file() {
	local w
	w=$(cat "$BATS_FILE_TMPDIR/vault.work" 2> /dev/null) || return 0
	case $w in */protokit-vault.*) rm -rf "$w" ;; esac
}

# text_chart NAME: the text chart NAME's run printed last (the output of
# its `protokit chart TRACE`, unindented).
text_chart() {
	sed -n "/^    \\\$ protokit chart '[^']*'\$/,\$p" \
	    "$BATS_FILE_TMPDIR/$1.out" | sed '1d; s/^    //'
}

# msc_form FILE: mscgen source reduced to what a run always repeats: the
# participants, then each arrow as FROM TO STEP, grouped by FROM and TO
# in the order of the run (frames on two connections may interleave
# differently from run to run; sizes of keys and certificates vary).
msc_form() {
	sed -n 's/^  \("[^"]*"\(, "[^"]*"\)*\);$/participants \1/p' "$1"
	sed -nE 's/^  "([^"]*)" => "([^"]*)" \[label="([^ "]*).*/\1 \2 \3/p' \
	    "$1" | sort -s -k1,2
}

@test "chart: each protocol's run --chart draws its chart with mscgen: an SVG, a PNG for chat" {
	local p type
	for p in $PROTOCOLS; do
		[ "$(cat "$BATS_FILE_TMPDIR/$p.rc")" = 0 ] ||
		    fail "protokit run $p --chart: exit $(cat "$BATS_FILE_TMPDIR/$p.rc"): $(tail -n 3 "$BATS_FILE_TMPDIR/$p.err")"
		type=SVG
		[ "$p" != chat ] || type=PNG
		run -0 file -b "$BATS_FILE_TMPDIR/$p.${type,,}"
		assert_output --partial "$type"
		grep -q "^    wrote $BATS_FILE_TMPDIR/$p.${type,,}\$" \
		    "$BATS_FILE_TMPDIR/$p.out" || fail "$p: no 'wrote' line"
	done
	grep -qx 'alice' "$BATS_FILE_TMPDIR/ca.svg"
	grep -qx 'relay' "$BATS_FILE_TMPDIR/ca.svg"
}

@test "chart: the text chart is printed at the end, a column per participant: each client by name, the relay, the peers" {
	local p want
	for p in $PROTOCOLS; do
		case $p in
		vault) want="alice relay" ;;
		chat) want="alice relay bob carol" ;;
		*) want="alice relay bob" ;;
		esac
		run -0 text_chart "$p"
		read -ra names <<<"${lines[0]}"
		assert_equal "${names[*]}" "$want"
		[ "${#lines[@]}" -gt 10 ] || fail "$p: ${#lines[@]} lines"
		# Every line after the names is one arrow, with its step.
		run -1 grep -vE '^ *\|.*(-[-]*>|<-[-]*).*\|' \
		    <(text_chart "$p" | sed 1d)
	done
	run -0 text_chart keymanager
	assert_line --regexp '^ +\|<-+ offer 20 B -+\|$'
	run -0 text_chart vault
	assert_line --regexp '^ +\|-+ register 825 alice 278 B -+>\|$'
}

@test "chart: one arrow per frame of the run's JSON trace, a frame both ends traced drawn once, with its step" {
	local p arrows frames
	for p in $PROTOCOLS; do
		arrows=$(text_chart "$p" | sed 1d | sed -E 's/^[ |<-]*//; s/ .*//' |
		    sort | uniq -c)
		frames=$(jq -rs 'group_by(.step)[] | [.[0].step,
		    ([(map(select(.direction == "sent")) | length),
		      (map(select(.direction == "received")) | length)] | max)]
		    | "\(.[1]) \(.[0])"' "$BATS_FILE_TMPDIR/$p.json")
		assert_equal "$(echo "$arrows" | awk '{ print $1, $2 }')" \
		    "$(echo "$frames" | sort -k2)"
	done
}

@test "chart: each arrow goes from the frame's sender to its receiver: the peer channels go direct" {
	local t=$BATS_FILE_TMPDIR
	grep -q '^  "alice" => "relay" \[label="register 825 alice 278 B"\];' \
	    "$t/vault.msc"
	grep -q '^  "relay" => "alice" \[label="aes_key 1602 151 B"\];' \
	    "$t/vault.msc"
	# keymanager: bob's file goes to alice's listener, not the relay.
	grep -q '^  "bob" => "alice" \[label="file 16096 B"\];' \
	    "$t/keymanager.msc"
	grep -q '^  "relay" => "bob" \[label="mode cfb 7 B"\];' \
	    "$t/keymanager.msc"
	grep -q '^  "carol" => "relay" \[label="user_name carol 9 B"\];' \
	    "$t/chat.msc"
	grep -q '^  "relay" => "bob" \[label="forward 260 B"\];' "$t/e2e.msc"
	grep -q '^  "alice" => "relay" \[label="upload photo.bin 260 B"\];' \
	    "$t/e2e.msc"
	# ca: the peer chat both ways, the CSR to the relay.
	grep -q '^  "alice" => "bob" \[label="chat-password 260 B"\];' \
	    "$t/ca.msc"
	grep -q '^  "bob" => "alice" \[label="chat-ciphertext 36 B"\];' \
	    "$t/ca.msc"
	grep -q '^  "alice" => "relay" \[label="CSR alice [0-9]* B"\];' \
	    "$t/ca.msc"
	# No frame of a traced socket is left to an address.
	run -1 grep -l '127\.0\.0\.1' "$t"/*.msc
	# The party's name and the socket's address are in the JSON.
	run -0 jq -r 'select(.step == "register") | .who + " " + .local' \
	    "$t/vault.json"
	assert_output --regexp '^alice 127\.0\.0\.1:[0-9]+$'
	run -2 --separate-stderr pk-xfer --trace-as '' vault register
	assert_equal "$stderr" "pk-xfer: --trace-as: an empty name"
}

@test "chart: each docs/NAME.md shows its committed chart, and it has the participants and steps of this run" {
	local p t=$BATS_FILE_TMPDIR
	for p in $PROTOCOLS; do
		grep -q "(charts/$p\\.svg)" "$PK_ROOT/docs/$p.md" ||
		    fail "docs/$p.md does not show charts/$p.svg"
		grep -q "(charts/$p\\.msc)" "$PK_ROOT/docs/$p.md" ||
		    fail "docs/$p.md does not link charts/$p.msc"
		run -0 file -b "$PK_ROOT/docs/charts/$p.svg"
		assert_output --partial SVG
		diff -u <(msc_form "$PK_ROOT/docs/charts/$p.msc") \
		    <(msc_form "$t/$p.msc") ||
		    fail "docs/charts/$p.msc is not this run's chart: make charts"
	done
	# The compared form sees a step out of place.
	sed '0,/label="registered/s//label="thanks/' \
	    "$PK_ROOT/docs/charts/vault.msc" > "$t/changed.msc"
	run -1 diff <(msc_form "$t/changed.msc") <(msc_form "$t/vault.msc")
}

@test "chart: protokit chart on its own: a trace from a file or stdin, text or .msc, .svg, .png by extension" {
	local t=$BATS_FILE_TMPDIR
	run -0 protokit chart "$t/ca.json"
	local text=$output
	run -0 protokit chart < "$t/ca.json"
	assert_equal "$output" "$text"
	run -0 protokit chart - < "$t/ca.json"
	assert_equal "$output" "$text"
	mkdir "$BATS_TEST_TMPDIR/here" && cd "$BATS_TEST_TMPDIR/here"
	run -0 protokit chart -o ca.png "$t/ca.json"
	run -0 file -b ca.png
	assert_output --partial PNG
	run -0 protokit chart -oca.svg "$t/ca.json"
	run -0 file -b ca.svg
	assert_output --partial SVG
	run -0 protokit chart -o ca.msc "$t/ca.json"
	run -0 head -n 1 ca.msc
	assert_output 'msc {'
	run -2 --separate-stderr protokit chart -o ca.pdf "$t/ca.json"
	assert_equal "${stderr_lines[0]}" "protokit: chart: ca.pdf: not .svg, .png or .msc"
	run -2 --separate-stderr protokit chart -o nodir/ca.svg "$t/ca.json"
	assert_equal "$stderr" "protokit: chart: nodir/ca.svg: cannot write"
	echo 'not json' > bad.json
	run -2 --separate-stderr protokit chart -o x.svg bad.json
	assert_equal "${stderr_lines[-1]}" "protokit: chart: bad.json: not a JSON trace"
	[ ! -e x.svg ]
	run -0 ls -A
	refute_output --partial .chart.
}

@test "chart: bad --chart: no file, not .svg or .png, a path that cannot be written, with demo: exit 2, one line, no step run" {
	mkdir "$BATS_TEST_TMPDIR/here" && cd "$BATS_TEST_TMPDIR/here"
	run -2 --separate-stderr protokit run vault --chart
	assert_equal "${stderr_lines[0]}" "protokit-vault: --chart: missing file"
	assert_equal "$output" ""
	run -2 --separate-stderr protokit run keymanager --chart=
	assert_equal "${stderr_lines[0]}" "protokit-keymanager: --chart: missing file"
	run -2 --separate-stderr protokit run chat --chart chart.pdf
	assert_equal "${stderr_lines[0]}" "protokit-chat: --chart: chart.pdf: not .svg or .png"
	assert_equal "$output" ""
	run -2 --separate-stderr protokit run e2e --chart=nodir/x.svg
	assert_equal "$stderr" "protokit-e2e: $PWD/nodir/x.svg: cannot write"
	assert_equal "$output" ""
	run -2 --separate-stderr protokit run ca --chart "it's.svg"
	assert_equal "${stderr_lines[0]}" "protokit-ca: --chart: a quote in 'it's.svg'"
	run -2 --separate-stderr protokit demo --chart x.svg
	assert_equal "${stderr_lines[0]}" "protokit: --chart: one protocol at a time (protokit run name --chart file)"
	run -0 ls -A
	assert_output ""
}
