#!/usr/bin/env bats
# The tools as a Unix user expects them: a man page per tool whose options
# are the tool's --help, both ways; bash completion for every tool,
# subcommand and option; the transfer's progress line on a terminal only.

load helpers

TOOLS=(pk-keygen pk-wrap pk-aes-cbc pk-aes-cfb pk-cksum pk-relay pk-xfer
	pk-attack pk-mitm protokit)

teardown() {
	local p
	for p in ${KILL_PIDS[@]+"${KILL_PIDS[@]}"}; do
		kill "$p" 2> /dev/null || true
		wait "$p" 2> /dev/null || true
	done
	[ -z "${RELAY_PID:-}" ] || kill -CONT "$RELAY_PID" 2> /dev/null || true
	stop_relay
}

# help_opts: the options of the --help on stdin, sorted: the leading
# dash words of each option line ("  -k, --key file  ..." gives -k, --key).
help_opts() {
	awk '/^  ? ? ?-/ {
		sub(/^ +/, ""); sub(/  .*/, "")
		n = split($0, w, " ")
		for (i = 1; i <= n; i++) {
			t = w[i]; sub(/,$/, "", t)
			if (t !~ /^-/) break
			print t
		}
	}' | sort -u
}

# man_opts PAGE [SECTION]: the options a man page defines (its entries
# that start with an option), in every section or in SECTION only ("#
# OPTIONS", "## vault"), sorted.
man_opts() {
	awk -v want="${2:-}" '
		/^#/ { cur = $0 }
		/^\*-/ && (want == "" || cur == want)' "$PK_ROOT/man/$1.1.scd" |
	    grep -oE '\*--?[A-Za-z][A-Za-z0-9-]*\*' | tr -d '*' | sort -u
}

# man_entries PAGE SECTION: the words that start SECTION's entries
# ("*register* | *login* ..." gives register and login), sorted.
man_entries() {
	awk -v want="$2" '/^#/ { cur = $0 } cur == want' \
	    "$PK_ROOT/man/$1.1.scd" | grep -oE '^\*[a-z]+\*( \| \*[a-z]+\*)*' |
	    grep -oE '[a-z]+' | grep -vx pk | sort -u
}

# synopsis_words TOOL [PROTOCOL]: the subcommands of the synopsis on
# stdin: the word after "TOOL", or after "TOOL [options] PROTOCOL" or
# "TOOL ... PROTOCOL".
synopsis_words() {
	local pat="$1()"
	[ -z "${2:-}" ] || pat="$1 (\\[[^]]*\\] |\\.\\.\\. )*$2"
	sed -nE "s/^(usage:)? *$pat ([a-z][a-z|]*).*/\\3/p" | tr '|' '\n' |
	    sort -u
}

# same WHAT A B: A and B (sorted lists) are equal, else the difference.
same() {
	[ "$2" = "$3" ] && return 0
	echo "$1 differ (< --help, > man page):" >&2
	diff <(echo "$2") <(echo "$3") >&2
	return 1
}

@test "man: a page per tool and for protokit, built from man/NAME.1.scd; man -l reads it from the build tree" {
	command -v man > /dev/null || skip "man is not installed (make test installs man-db)"
	local t
	for t in "${TOOLS[@]}"; do
		[ -f "$PK_ROOT/man/$t.1.scd" ] || fail "no man/$t.1.scd"
		[ -f "$PK_ROOT/man/$t.1" ] || fail "no man/$t.1: run make man"
		[ "$PK_ROOT/man/$t.1" -nt "$PK_ROOT/man/$t.1.scd" ] ||
		    fail "man/$t.1 is older than its source"
		run -0 env MANWIDTH=80 man -l "$PK_ROOT/man/$t.1"
		assert_line --regexp "^ +$t - "
		assert_line --regexp '^EXIT STATUS'
		assert_line --regexp "^ +-h, --help\$"
	done
}

@test "man: each page defines every option of its tool's --help and no other; pk-keygen, pk-wrap and protokit's subcommands too" {
	local t
	for t in pk-keygen pk-wrap pk-aes-cbc pk-aes-cfb pk-cksum pk-relay \
	    pk-attack pk-mitm protokit; do
		same "$t options" "$("$t" --help | help_opts)" "$(man_opts "$t")"
	done
	for t in pk-keygen pk-wrap protokit; do
		same "$t subcommands" "$("$t" --help | synopsis_words "$t")" \
		    "$(man_entries "$t" '# COMMANDS')"
	done
	# The check sees a missing option.
	run -1 same x "$(pk-relay --help | help_opts)" \
	    "$(man_opts pk-relay | grep -vx -- --pss)"
	assert_output --partial '< --pss'
}

@test "man: pk-xfer's page has the global options, a section per protocol with its steps and options, as each --help" {
	local p help
	same "pk-xfer global options" "$(pk-xfer --help | help_opts)" \
	    "$(man_opts pk-xfer '# OPTIONS')"
	same "pk-xfer protocols" \
	    "$(pk-xfer --help | sed -n 's/^protocols: //p' | tr ' ' '\n')" \
	    "$(sed -n 's/^## //p' "$PK_ROOT/man/pk-xfer.1.scd")"
	for p in $(pk-xfer --help | sed -n 's/^protocols: //p'); do
		help=$(pk-xfer "$p" --help)
		# The protocol's options: its section's, or global ones.
		same "pk-xfer $p options" "$(help_opts <<< "$help")" \
		    "$(sort -u <(man_opts pk-xfer "## $p") <(help_opts <<< "$help" |
		    grep -Fx -f <(man_opts pk-xfer '# OPTIONS')))"
		same "pk-xfer $p steps" "$(synopsis_words pk-xfer "$p" <<< "$help")" \
		    "$(man_entries pk-xfer "## $p")"
	done
	[ "$(synopsis_words pk-xfer vault < <(pk-xfer vault --help) | wc -l)" -eq 6 ]
}

@test "make install: man pages in PREFIX/share/man/man1, a bash completion per tool in PREFIX/share/bash-completion/completions" {
	command -v scdoc > /dev/null || skip "scdoc is not installed (make test installs it)"
	local root=$BATS_TEST_TMPDIR/root t
	run -0 make -C "$PK_ROOT" -o all install DESTDIR="$root" PREFIX=/opt/pk
	for t in "${TOOLS[@]}"; do
		cmp "$PK_ROOT/man/$t.1" "$root/opt/pk/share/man/man1/$t.1"
		cmp "$PK_ROOT/completion/protokit.bash" \
		    "$root/opt/pk/share/bash-completion/completions/$t"
	done
	run -0 env MANWIDTH=80 man -l "$root/opt/pk/share/man/man1/pk-xfer.1"
	assert_line --regexp '^ +-q, --quiet$'
}

# complete WORD...: COMPREPLY for the command line WORD... (the last one
# being completed), one word a line in $output, sorted.
complete_words() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	_pk_complete
	output=$(printf '%s\n' ${COMPREPLY[@]+"${COMPREPLY[@]}"} | sort)
}

@test "completion: one file completes every tool's subcommands, protocols, steps, options and option values" {
	# shellcheck source=../completion/protokit.bash
	source "$PK_ROOT/completion/protokit.bash"
	local t
	for t in "${TOOLS[@]}"; do
		run -0 complete -p "$t"
		assert_output "complete -F _pk_complete $t"
	done
	complete_words pk-xfer ''
	assert_equal "$output" "$(printf '%s\n' ca chat e2e keymanager vault)"
	complete_words pk-xfer -t 10 vault ''
	assert_equal "$output" "$(printf '%s\n' ack client pubkey reconnect \
	    register send)"
	complete_words pk-xfer ca l
	assert_equal "$output" "$(printf '%s\n' listen login)"
	complete_words pk-xfer vault send --
	assert_equal "$output" "$(printf '%s\n' --flip-byte --help --name \
	    --quiet --size --timeout --trace)"
	complete_words pk-xfer keymanager send --mode ''
	assert_equal "$output" "$(printf '%s\n' cbc cfb)"
	complete_words pk-keygen s
	assert_equal "$output" "$(printf '%s\n' selfsign sign)"
	complete_words pk-keygen rsa --
	assert_equal "$output" "$(printf '%s\n' --help --insecure --iter \
	    --legacy --no-pass --pass-env --pass-fd --pass-file)"
	complete_words pk-wrap ''
	assert_equal "$output" "$(printf '%s\n' sign verify)"
	complete_words pk-aes-cfb --c
	assert_equal "$output" --cfb8
	complete_words pk-relay --max-f
	assert_equal "$output" --max-file
	complete_words pk-relay ch
	assert_equal "$output" chat@
	complete_words pk-mitm -p k
	assert_equal "$output" "$(printf '%s\n' keymanager keymanager-peer)"
	complete_words pk-mitm --tr
	assert_equal "$output" "$(printf '%s\n' --trace --trace-as --trace-json)"
	complete_words protokit ''
	assert_equal "$output" "$(printf '%s\n' attack chart demo list run)"
	complete_words protokit run k
	assert_equal "$output" keymanager
	complete_words protokit run vault --ch
	assert_equal "$output" --chart
	complete_words protokit chart -
	grep -qx -- -o <<< "$output"
	complete_words protokit attack c
	grep -qx cube-root <<< "$output"
	complete_words pk-attack ''
	grep -qx hastad <<< "$output"
	complete_words pk-attack cube-root --
	grep -qx -- --key <<< "$output"
	# A file after an option that takes one, and as pk-cksum's operand.
	mkdir dir && : > dir/alpha.key && : > dir/beta
	complete_words pk-wrap -d -k dir/a
	assert_equal "$output" dir/alpha.key
	complete_words pk-cksum dir/b
	assert_equal "$output" dir/beta
}

# vault_client DIR SIZE: a vault client directory for the relay with a
# SIZE-byte data.bin.
vault_client() {
	mkdir -p "$1"
	make_file "$1/data.bin" "$2"
	printf '127.0.0.1:%s\nalice\ndata.bin\n' "$RELAY_PORT" > "$1/transfer.info"
}

# on_tty CMD: runs the shell command CMD with stdin, stdout and stderr on
# a pseudo-terminal (script(1)); what the terminal showed in
# $BATS_TEST_TMPDIR/tty.out.
on_tty() {
	script -qec "$1" /dev/null < /dev/null > "$BATS_TEST_TMPDIR/tty.out"
}

@test "progress: a vault upload over 4 MiB shows bytes, rate and ETA on a terminal, redrawn at most 4 times a second, then cleared" {
	command -v script > /dev/null || skip "script(1) is not installed"
	start_relay vault@127.0.0.1:0
	vault_client c 16000000
	cd c
	# The relay reads in bursts (stopped 0.3 s in every 0.31 s), so that
	# the upload takes seconds and the line is redrawn.
	(
		while kill -STOP "$RELAY_PID"; do
			sleep 0.3
			kill -CONT "$RELAY_PID"
			sleep 0.01
		done
	) 2> /dev/null &
	KILL_PIDS=($!)
	local start=$EPOCHREALTIME n secs
	on_tty "pk-xfer vault client"
	secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { print int(b - a) + 1 }')
	grep -aq 'Correct checksum' "$BATS_TEST_TMPDIR/tty.out"
	# One line: "\r12.0 MiB / 15.3 MiB   78%  9.5 MiB/s  ETA 0:01\e[K".
	grep -aqE $'\r[0-9]+\\.[0-9] MiB / 15\\.3 MiB +[0-9]+%  (-\\.-|[0-9]+\\.[0-9]) MiB/s  ETA (-:--|[0-9]+:[0-9]{2})\e\\[K' "$BATS_TEST_TMPDIR/tty.out"
	# Cleared before the next line is written.
	grep -aqF $'\r\e[KSEND FILE REQUEST COMPLETED' "$BATS_TEST_TMPDIR/tty.out"
	n=$(grep -ao 'MiB/s' "$BATS_TEST_TMPDIR/tty.out" | wc -l)
	echo "# $n lines drawn in at most $secs s" >&3
	[ "$n" -le $((secs * 4 + 1)) ]
	# Redrawn while it lasts: the first draw, then one every 0.25 s at
	# least as long as the relay is stopped (0.3 s at a time).
	[ "$secs" -lt 3 ] || [ "$n" -ge 2 ]
}

@test "progress: none in a pipe, none with -q, none for a small file" {
	command -v script > /dev/null || skip "script(1) is not installed"
	start_relay vault@127.0.0.1:0
	vault_client c 16000000
	cd c
	run -0 --separate-stderr pk-xfer vault client
	assert_line 'Correct checksum'
	[ -z "$stderr" ]
	on_tty "pk-xfer -q vault client"
	grep -aq 'Correct checksum' "$BATS_TEST_TMPDIR/tty.out"
	run -1 grep -ac 'MiB' "$BATS_TEST_TMPDIR/tty.out"
	on_tty "pk-xfer vault client --quiet"
	grep -aq 'Correct checksum' "$BATS_TEST_TMPDIR/tty.out"
	run -1 grep -ac 'MiB' "$BATS_TEST_TMPDIR/tty.out"
	make_file data.bin 4000000
	on_tty "pk-xfer vault client"
	grep -aq 'Correct checksum' "$BATS_TEST_TMPDIR/tty.out"
	run -1 grep -ac 'MiB' "$BATS_TEST_TMPDIR/tty.out"
}

@test "progress: keymanager shows it on both ends on a terminal: the sender's and the waiter's" {
	command -v script > /dev/null || skip "script(1) is not installed"
	mkdir -m 700 state
	pk-keygen aes -b 128 -o state/k3
	cp state/k3 k3
	start_relay keymanager@127.0.0.1:0
	make_file in 10000000
	script -qec "pk-xfer -t 20 keymanager wait -k k3 --yes -o out 127.0.0.1:$RELAY_PORT" \
	    /dev/null < /dev/null > w.tty &
	KILL_PIDS=($!)
	local i
	for ((i = 0; i < 100; i++)); do
		grep -q 'waits on port' relay.log && break
		sleep 0.05
	done
	on_tty "pk-xfer -t 20 keymanager send -k k3 127.0.0.1:$RELAY_PORT in"
	wait "${KILL_PIDS[0]}"
	KILL_PIDS=()
	cmp in out
	grep -aq 'alles gut' tty.out
	grep -aqE $'\r[0-9.]+ MiB / 9\\.5 MiB .* MiB/s  ETA .*\e\\[K' tty.out
	grep -aqE $'\r[0-9.]+ MiB / 9\\.5 MiB .* MiB/s  ETA .*\e\\[K' w.tty
}
