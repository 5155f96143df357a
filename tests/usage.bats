#!/usr/bin/env bats
# Usage errors and help, every tool: a usage error is one line naming the
# problem and one line `Try 'TOOL --help'` on stderr, exit 2 (GNU's
# convention), never the whole usage; --help and every subcommand's -h
# print their own usage on stdout, exit 0.

load helpers

# usage_error TRY CMD...: CMD is a usage error whose second line is
# `Try 'TRY --help'`; the first line names the problem ($problem).
usage_error() {
	local try=$1
	shift
	run -2 --separate-stderr "$@"
	assert_output ''
	[ "${#stderr_lines[@]}" -eq 2 ] ||
	    fail "$* printed ${#stderr_lines[@]} lines on stderr: $stderr"
	assert_equal "${stderr_lines[1]}" "Try '$try --help'"
	problem=${stderr_lines[0]}
	[[ "$problem" == "${1##*/}: "* ]] || fail "not named after ${1##*/}: $problem"
}

# step_help SYNOPSIS_START CMD...: CMD prints one usage on stdout (the
# first line starts with SYNOPSIS_START, no other `usage:` or synopsis
# line of another step) and the exit codes, exit 0.
step_help() {
	local start=$1
	shift
	run -0 --separate-stderr "$@"
	[ -z "$stderr" ]
	[[ "${lines[0]}" == "$start"* ]] ||
	    fail "$*: first line is not '$start...': ${lines[0]}"
	[ "$(grep -c '^usage: ' <<< "$output")" -eq 1 ]
	[ "$(grep -c '^       [a-z]' <<< "$output")" -eq 0 ] ||
	    fail "$*: the usage of other steps too: $output"
	assert_line --regexp '^Exit (codes|status): 0 '
	assert_line --regexp '^  -h, --help '
}

@test "usage: pk-xfer and its protocols: one line saying what is wrong, then Try" {
	usage_error pk-xfer pk-xfer
	assert_equal "$problem" "pk-xfer: missing protocol"
	usage_error pk-xfer pk-xfer nosuch
	assert_equal "$problem" "pk-xfer: unknown protocol 'nosuch'"
	usage_error 'pk-xfer vault' pk-xfer vault
	assert_equal "$problem" "pk-xfer: vault: missing step"
	usage_error 'pk-xfer vault' pk-xfer vault nosuch
	assert_equal "$problem" "pk-xfer: vault: unknown step 'nosuch'"
	usage_error 'pk-xfer vault' pk-xfer vault send extra
	assert_equal "$problem" "pk-xfer: vault send: unexpected argument 'extra'"
	usage_error 'pk-xfer vault' pk-xfer vault --bogus register
	assert_equal "$problem" "pk-xfer: unrecognized option '--bogus'"
	usage_error 'pk-xfer keymanager' pk-xfer keymanager -k k3
	assert_equal "$problem" "pk-xfer: keymanager: missing host:port"
	usage_error 'pk-xfer keymanager' pk-xfer keymanager -x
	usage_error 'pk-xfer chat' pk-xfer chat -u alice
	usage_error 'pk-xfer chat' pk-xfer chat -u alice 127.0.0.1:1 extra
	assert_equal "$problem" "pk-xfer: chat: unexpected argument 'extra'"
	usage_error 'pk-xfer e2e' pk-xfer e2e
	usage_error 'pk-xfer e2e' pk-xfer e2e --bogus
	usage_error 'pk-xfer ca' pk-xfer ca
	usage_error 'pk-xfer ca' pk-xfer ca nosuch 127.0.0.1:1
	assert_equal "$problem" "pk-xfer: ca: unknown step 'nosuch'"
	usage_error 'pk-xfer ca' pk-xfer ca certreq -u a 127.0.0.1:1
}

@test "usage: pk-xfer's global options -C, -t and --trace: one parser, one cap, every protocol, before or after its name" {
	local p args
	for p in ca chat e2e keymanager vault; do
		run -0 pk-xfer --trace "$p" -h
		run -0 pk-xfer "$p" --trace -h
		run -0 pk-xfer -t 86400 "$p" -h
		run -2 --separate-stderr pk-xfer "$p" -t 86401 -h
		assert_equal "$stderr" "pk-xfer: -t 86401: too large"
		case $p in
		ca) args='login -u a 127.0.0.1:1' ;;
		chat) args='-u a 127.0.0.1:1' ;;
		e2e) args='-k k -s s 127.0.0.1:1' ;;
		keymanager) args='-k k3 127.0.0.1:1' ;;
		vault) args='register' ;;
		esac
		# shellcheck disable=SC2086
		run -2 --separate-stderr pk-xfer -t 3601 -C nosuch "$p" $args
		assert_equal "$stderr" "pk-xfer: -C nosuch: No such file or directory"
		# shellcheck disable=SC2086
		run -2 --separate-stderr pk-xfer "$p" -C nosuch --trace $args
		assert_equal "$stderr" "pk-xfer: -C nosuch: No such file or directory"
	done
	run -0 pk-xfer --help
	assert_line --regexp '^  --trace '
	usage_error pk-xfer pk-xfer --bogus vault
	assert_equal "$problem" "pk-xfer: unrecognized option '--bogus'"
}

@test "usage: --trace-json into a file that cannot be made is exit 2 naming it; after a protocol's name it is never taken for a pass-option" {
	local p
	for p in ca chat e2e keymanager vault; do
		run -2 --separate-stderr pk-xfer "$p" --trace-json nosuch/t.json -h
		assert_equal "$stderr" \
		    "pk-xfer: --trace-json nosuch/t.json: No such file or directory"
	done
	run -2 --separate-stderr pk-relay --trace-json nosuch/t.json \
	    echo@127.0.0.1:0
	assert_equal "$stderr" \
	    "pk-relay: --trace-json nosuch/t.json: No such file or directory"
	# Every shared option value is its own (xfer.h, cli.h): --pass-env
	# after --trace-json is still the one pass-option given.
	run -0 pk-xfer vault --trace-json t.json --pass-env NOSUCH -h
	[ -f t.json ]
}

@test "usage: every pk-xfer step answers -h and --help with its own usage" {
	local step
	for step in register pubkey reconnect send ack client; do
		step_help "usage: pk-xfer [--trace] [-t sec] [-C dir] vault $step" \
		    pk-xfer vault "$step" -h
	done
	step_help 'usage: pk-xfer [--trace] [-t sec] [-C dir] vault send [--name name]' \
	    pk-xfer vault send --help
	assert_line --partial '  send       828: send the ciphertext'
	assert_line --regexp '^  --flip-byte n '
	refute_line --regexp '^  -k, --key '
	refute_line --partial 'register'
	for step in wait send; do
		step_help "usage: pk-xfer [--trace] [-t sec] [-C dir] keymanager $step -k k3" \
		    pk-xfer keymanager "$step" -h
	done
	for step in register login csr certup certreq listen connect; do
		step_help "usage: pk-xfer [--trace] [-t sec] [-C dir] ca " pk-xfer ca "$step" -h
		assert_line --regexp "^  $step +"
	done
	step_help 'usage: pk-xfer [--trace] [-t sec] [-C dir] ca csr -u name' pk-xfer ca csr -h
	assert_line 'pass-option: --pass-file file | --pass-fd fd | --pass-env var'
	assert_line --regexp '^  -i file '
	refute_line --regexp '^  --chat-pass '
	for step in send upload; do
		step_help "usage: pk-xfer [--trace] [-t sec] [-C dir] e2e $step" \
		    pk-xfer e2e "$step" -h
	done
	# The protocol's own -h is still the whole help.
	run -0 pk-xfer keymanager -h
	assert_line --partial 'keymanager wait '
	assert_line --partial 'keymanager send '
}

@test "usage: pk-keygen: one line saying what is wrong, then Try (the mode's help in a mode)" {
	usage_error pk-keygen pk-keygen
	assert_equal "$problem" "pk-keygen: missing mode: rsa, pub, info, aes, iv, csr, selfsign, sign or verify"
	usage_error pk-keygen pk-keygen nosuch
	usage_error pk-keygen pk-keygen --bogus
	usage_error 'pk-keygen iv' pk-keygen iv extra
	assert_equal "$problem" "pk-keygen: iv: unexpected argument 'extra'"
	usage_error 'pk-keygen csr' pk-keygen csr -k k -subj /CN=a --bogus
	usage_error 'pk-keygen rsa' pk-keygen rsa -o
}

@test "usage: pk-keygen --help: the passphrase paragraph follows the pass options; every mode answers -h alone" {
	run -0 pk-keygen --help
	grep -A1 -- '^  --pass-file file ' <<< "$output" | tail -1 |
	    grep -q '(none of these: asked on the terminal'
	grep -A2 -- '^  -subj name ' <<< "$output" | tail -1 | grep -q '^  --\?[a-zA-Z]\|^Exit'
	local m
	for m in rsa pub info aes iv csr selfsign sign verify; do
		step_help "usage: pk-keygen $m" pk-keygen "$m" -h
		assert_line --regexp "^  $m +"
		step_help "usage: pk-keygen $m" pk-keygen "$m" --help
	done
	step_help 'usage: pk-keygen csr [-f] [--pss] [pass-option] -k key -subj name' \
	    pk-keygen csr -h
	assert_line --regexp '^  -subj name '
	assert_line --regexp '^  -k key '
	refute_line --regexp '^  -CAkey '
	refute_line --regexp '^  -b bits '
}

@test "usage: pk-wrap: one line saying what is wrong, then Try; sign and verify answer -h alone" {
	usage_error pk-wrap pk-wrap
	assert_equal "$problem" "pk-wrap: missing -e, -d, sign or verify"
	usage_error pk-wrap pk-wrap -e -k k extra
	assert_equal "$problem" "pk-wrap: unexpected argument 'extra'"
	usage_error pk-wrap pk-wrap --bogus
	usage_error pk-wrap pk-wrap sign -x
	step_help 'usage: pk-wrap sign -k key' pk-wrap sign -h
	assert_line --regexp '^  --salt-len n '
	refute_line --regexp '^  --oaep '
	step_help 'usage: pk-wrap verify -k key -s sig' pk-wrap verify --help
	assert_line --regexp '^  -s, --sig file '
}

@test "usage: pk-aes-cbc, pk-aes-cfb: one line, then Try; -K says where keys come from" {
	local t
	for t in pk-aes-cbc pk-aes-cfb; do
		usage_error "$t" "$t"
		assert_equal "$problem" "$t: missing -e or -d"
		usage_error "$t" "$t" -e -iv 00 extra
		usage_error "$t" "$t" -e --bogus
		usage_error "$t" "$t" -e -k
		assert_equal "$problem" "$t: option requires an argument: -k"
		usage_error "$t" "$t" -e -K 000102030405060708090a0b0c0d0e0f
		assert_equal "$problem" "$t: -K: a key never comes from the command line, where ps shows it: use -k file, --key-fd n or --key-env var"
	done
}

@test "usage: pk-cksum, pk-relay, protokit: one line, then Try" {
	usage_error pk-cksum pk-cksum --bogus
	usage_error pk-cksum pk-cksum -x
	usage_error pk-relay pk-relay
	assert_equal "$problem" "pk-relay: missing service@host:port"
	usage_error pk-relay pk-relay --bogus echo@127.0.0.1:0
	usage_error protokit protokit nosuch
	usage_error protokit protokit run
	usage_error protokit-vault protokit-vault --bogus
}

@test "usage: protokit's commands and every orchestrator answer -h with their usage" {
	local c
	for c in list run demo; do
		run -0 protokit "$c" -h
		assert_line --index 0 'usage: protokit list'
	done
	run -0 protokit demo --step --help
	assert_line --index 0 'usage: protokit list'
	for c in vault keymanager e2e chat ca; do
		run -0 protokit run "$c" -h
		assert_line --index 0 --partial "usage: protokit-$c ["
		assert_line --regexp '^Exit codes: 0 ok; 2 usage; '
	done
}

# help_full CMD...: CMD's help written into a full disk is an error:
# exit 2 and why on stderr, never 0 with the help lost.
help_full() {
	run -2 --separate-stderr eval "$(printf '%q ' "$@")" '> /dev/full'
	[[ "$stderr" == *"No space left on device"* ]] ||
	    fail "$*: no reason on stderr: $stderr"
}

@test "usage: --help into a full disk exits 2 in every tool, step and orchestrator" {
	[ -w /dev/full ] || skip "no /dev/full"
	local t
	for t in pk-keygen pk-wrap pk-aes-cbc pk-aes-cfb pk-cksum pk-relay \
	    pk-xfer pk-mitm; do
		help_full "$t" --help
		assert_equal "$stderr" "$t: stdout: No space left on device"
		help_full "$t" -h
	done
	help_full pk-keygen rsa -h
	help_full pk-wrap sign --help
	for t in vault keymanager e2e chat ca; do
		help_full pk-xfer "$t" -h
		help_full protokit-"$t" --help
		help_full protokit run "$t" -h
	done
	help_full pk-xfer vault send -h
	help_full protokit --help
	help_full protokit list -h
}
