# shellcheck shell=sh
# protokit-explain.sh: --explain, sourced by protokit-lib.sh (not a
# protocol itself, so not executable).  Under a crypto step an
# orchestrator calls explain with the openssl or coreutils command that
# does the same thing to the same bytes, and the file of the run those
# bytes must equal; the wire bytes come from the run's JSON trace
# (trace_bytes, explain_bytes).  Each command is shown as
# `    explain$ CMD | cmp - FILE ...`, runnable as printed in the directory
# the script was in, and listed in $work/explain.list, one line each:
# the absolute directory, FILE and CMD, separated by tabs
# (tests/explain.bats runs them all).  Needs jq and basenc.
# explain, trace_json and work are set by pk_setup (SC2154).
# shellcheck disable=SC2154

# explain_start: called by pk_setup with --explain, once the working
# directory and trace_json exist: the list is started and the trace's
# current length noted, so that trace_bytes counts only this run's
# frames (--trace-json appends, and the demo shares one file).
explain_start() {
	for pk_c in jq basenc od tr openssl cmp; do
		command -v "$pk_c" >/dev/null 2>&1 ||
		    die "--explain needs $pk_c (make deps installs it)"
	done
	: >>"$trace_json"
	pk_explain_off=$(wc -c <"$trace_json")
	: >"$work/explain.list"
}

# explain TITLE CMD FILE: with --explain, shows TITLE (what the protocol
# just did and which tool did it) and CMD, the openssl or coreutils
# command whose stdout is the bytes of FILE (relative to the current
# directory), and lists them for the test.  CMD may have no tab or
# newline; it must not read stdin.
explain() {
	[ -n "$explain" ] || return 0
	case "$2$3" in
	*"$pk_tab"* | *"
"*) die "explain: a tab or newline in: $2" ;;
	esac
	[ -f "$3" ] || die "explain: no file $3 in $PWD"
	printf '    explain: %s; the same with:\n' "$1"
	printf "    explain\$ %s | cmp - %s && echo 'same bytes as %s'\\n" \
	    "$2" "$3" "$3"
	printf '%s\t%s\t%s\n' "$PWD" "$3" "$2" >>"$work/explain.list"
}

# pk_trace_field MEMBER STEP FIELD [N [M]]: member MEMBER ("hex" or
# "value") of field FIELD of the N-th frame with step STEP of this run's
# JSON trace (counting from 1; without N the last one), or of frames N
# to M, one line each.  Dies when a frame or the field is missing.
pk_trace_field() {
	[ -n "$trace_json" ] || die "trace_bytes: no JSON trace (--explain makes one)"
	tail -c +"$((${pk_explain_off:-0} + 1))" "$trace_json" |
	    jq -nr --arg k "$1" --arg s "$2" --arg f "$3" \
	    --argjson n "${4:-0}" --argjson m "${5:-${4:-0}}" '
		[inputs | select(.step == $s)] |
		if $n == 0 then [last // empty] else .[$n - 1:$m] end |
		if length == 0 or ($n > 0 and length != $m - $n + 1)
		then error("no such frame") else . end |
		.[] | [.fields[] | select(.name == $f)] |
		if length == 0 then error("no such field") else .[0][$k] end' \
	    2>/dev/null ||
	    die "$trace_json: no field $3 in frame ${4:-(last)}${5:+ to $5} of step $2"
}

# trace_bytes STEP FIELD [N [M]]: the raw bytes of field FIELD of the
# N-th frame with step STEP (the last without N), or of frames N to M
# one after the other, from this run's JSON trace.
trace_bytes() {
	pk_hex=$(pk_trace_field hex "$@") || exit
	printf '%s' "$pk_hex" | tr -d '\n' | tr a-f A-F | basenc --base16 -d
}

# trace_value STEP FIELD [N]: the decoded value of that field, a line.
trace_value() {
	pk_trace_field value "$@"
}

# explain_bytes FILE STEP FIELD [N [M]] and explain_value FILE STEP
# FIELD [N]: with --explain, FILE (in the current directory) gets
# trace_bytes or trace_value STEP FIELD..., and a line says where it
# came from.
explain_bytes() {
	[ -z "$explain" ] || pk_explain_file trace_bytes "$@"
}

explain_value() {
	[ -z "$explain" ] || pk_explain_file trace_value "$@"
}

# pk_explain_file HOW FILE STEP FIELD [N [M]]: the work of both.
pk_explain_file() {
	pk_f=$2
	pk_how=$1
	shift 2
	"$pk_how" "$@" >"$pk_f"
	printf '    explain: %s: the %s field of the %s frame%s, from the trace\n' \
	    "$pk_f" "$2" "$1" "${3:+${4:+s} $3${4:+ to $4}}"
}

# hex_of FILE: the words that give FILE's bytes in hex on a command line
# (openssl enc's -K and -iv take no file): "$(od -An -tx1 FILE | tr -d ' \n')".
hex_of() {
	printf '"$(od -An -tx1 %s | tr -d %s)"' "$1" "' \\n'"
}

pk_tab=$(printf '\t')

# oaep_open KEY PASSFILE BLOCK: the openssl command that opens BLOCK, one
# RSAES-OAEP block (SHA-256, MGF1-SHA-256, empty label), with the
# private KEY, its passphrase in PASSFILE.
oaep_open() {
	printf '%s' "openssl pkeyutl -decrypt -inkey $1 -passin file:$2" \
	    " -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256" \
	    " -pkeyopt rsa_mgf1_md:sha256 -in $3"
}

# explain_pem KEY PASSFILE PUB WHO: with --explain, how WHO opened KEY,
# a legacy encrypted PEM (pk-keygen rsa --legacy), done by hand: the
# base64 body decrypted by openssl enc with EVP_BytesToKey's key (MD5,
# one iteration, salt = the IV's first 8 bytes), then its public half,
# which must be PUB.
explain_pem() {
	[ -n "$explain" ] || return 0
	pk_iv=$(sed -n 's/^DEK-Info: AES-256-CBC,\([0-9A-F]*\)$/\1/p' "$1")
	[ "${#pk_iv}" = 32 ] || die "explain: no AES-256-CBC IV in $1"
	explain "$4 opened $1, legacy encrypted PEM: AES-256-CBC, key = EVP_BytesToKey (one MD5 over passphrase and salt, no iterations), salt = the IV's first 8 bytes; openssl enc warns that this derivation is deprecated, and it is" \
	    "sed '1,/^\$/d;/^-----END/d' $1 | base64 -d | openssl enc -d -aes-256-cbc -md md5 -S $(printf %.16s "$pk_iv") -iv $pk_iv -pass file:$2 | openssl pkey -inform DER -pubout" "$3"
}
