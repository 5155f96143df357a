#!/bin/bash
# docrun.sh: runs the shell blocks of one Markdown document in order, in
# one shell and in the current directory, as a reader would type them,
# and compares the output the document shows with the output it gets.
# tests/docs.bats calls it; the convention (```sh, ```console, norun,
# the placeholders) is described at the top of tests/docs.bats.
#
# usage: docrun.sh doc.md
#
# Every background job the document starts is written to $DOCRUN_PIDS
# (if set) and killed, by PID, when the document ends or fails; the file
# is emptied once they are reaped, so that what is left in it is what a
# killed runner left running.  A TERM (from timeout(1)) reports the
# command that was running.
#
# Exit codes: 0 every block ran and its output matched; 1 a command
# failed or printed something else (the document, the line and the
# command on stderr); 2 usage or a document the runner cannot read.

# The runner's own names all start with __dr_ so that a document's
# variables cannot clash with them.
__dr_usage() {
	echo "usage: docrun.sh doc.md" >&2
	exit 2
}

[ $# -eq 1 ] || __dr_usage
__dr_doc=$1
__dr_name=${__dr_doc#"${PK_ROOT:-//}/"}
mapfile -t __dr_L < "$__dr_doc" || exit 2

# Placeholders in shown output and the extended regular expressions they
# stand for; `...` within a line is any text, alone on a line any lines.
declare -A __dr_ph=(
	[N]='[0-9]+'
	[PORT]='[0-9]{1,5}'
	[ID]='[0-9a-f]{32}'
	[HEX]='[0-9a-fA-F]+'
	[B64]='[A-Za-z0-9+/=]+'
	[TIME]='[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}Z?'
)

# The plan, one entry per command: kind (sh or console), the document
# line of the command and of its block, the text, and for console the
# expected output lines (joined by newlines) and their first line.
__dr_kind=() __dr_line=() __dr_blk=() __dr_cmd=() __dr_exp=() __dr_eline=()

# __dr_complete TEXT: true when TEXT is whole shell commands (no open
# quote, here-document, compound command or trailing backslash).
__dr_complete() {
	local e
	[[ $1 == *\\ ]] && return 1
	e=$(bash -n 2>&1 <<< "$1") || return 1
	[ -z "$e" ]
}

# __dr_lint N TEXT: a code block that is not ```sh or ```console must
# not look like commands, so that a runnable block cannot hide there.
__dr_lint() {
	local t=${2#"${2%%[![:space:]]*}"}
	case $t in
	'$ '* | pk-* | protokit* | bin/* | 'make '* | 'openssl '* | 'cd '* | \
	    'mkdir '* | 'printf '* | 'echo '*)
		echo "$__dr_name:$1: a command outside a \`\`\`sh or \`\`\`console" \
		    "block (mark it \`\`\`sh norun if it is not to be run)" >&2
		exit 2
		;;
	esac
}

# __dr_add KIND LINE BLOCK TEXT [EXPECTED ELINE]
__dr_add() {
	local n=${#__dr_cmd[@]}
	__dr_kind[n]=$1 __dr_line[n]=$2 __dr_blk[n]=$3 __dr_cmd[n]=$4
	__dr_exp[n]=${5-} __dr_eline[n]=${6-}
}

# __dr_sh_block FIRST LAST: the lines of an ```sh block, cut into
# complete commands.
__dr_sh_block() {
	local i text='' start=''
	for ((i = $1; i <= $2; i++)); do
		if [ -z "$text" ]; then
			[[ ${__dr_L[i - 1]} =~ ^[[:space:]]*(#.*)?$ ]] && continue
			start=$i text=${__dr_L[i - 1]}
		else
			text+=$'\n'${__dr_L[i - 1]}
		fi
		if __dr_complete "$text"; then
			__dr_add sh "$start" "$(($1 - 1))" "$text"
			text=
		fi
	done
	if [ -n "$text" ]; then
		echo "$__dr_name:$start: an unfinished command in the block" >&2
		exit 2
	fi
}

# __dr_console_block FIRST LAST: `$ ` lines are commands (continued on
# the next lines until complete), the lines up to the next `$ ` line
# are the output they must print.
__dr_console_block() {
	local i=$1 start text exp eline
	while ((i <= $2)); do
		if [[ ${__dr_L[i - 1]} != '$ '* ]]; then
			echo "$__dr_name:$i: output before any \`\$ ' command" >&2
			exit 2
		fi
		start=$i text=${__dr_L[i - 1]#'$ '}
		while ! __dr_complete "$text"; do
			((++i <= $2)) || {
				echo "$__dr_name:$start: an unfinished command" >&2
				exit 2
			}
			text+=$'\n'${__dr_L[i - 1]}
		done
		exp='' eline=$((i + 1))
		while ((++i <= $2)) && [[ ${__dr_L[i - 1]} != '$ '* ]]; do
			exp+=${__dr_L[i - 1]}$'\n'
		done
		__dr_add console "$start" "$(($1 - 1))" "$text" "$exp" "$eline"
	done
}

# __dr_parse: fills the plan from the document's fenced blocks.
__dr_parse() {
	local i n=${#__dr_L[@]} info first prev=
	for ((i = 1; i <= n; i++)); do
		if [[ ${__dr_L[i - 1]} =~ ^\`\`\`([^\`]*)$ ]]; then
			info=${BASH_REMATCH[1]} first=$((i + 1))
			while ((++i <= n)) && [[ ${__dr_L[i - 1]} != '```' ]]; do
				:
			done
			((i <= n)) || {
				echo "$__dr_name:$((first - 1)): an unclosed block" >&2
				exit 2
			}
			case $info in
			sh) __dr_sh_block "$first" "$((i - 1))" ;;
			console) __dr_console_block "$first" "$((i - 1))" ;;
			'sh norun' | 'console norun') ;;
			*) ((first < i)) && __dr_lint "$first" "${__dr_L[first - 1]}" ;;
			esac
			prev=
			continue
		fi
		[[ ${__dr_L[i - 1]} =~ ^(\ {4}|$'\t') && -z $prev ]] &&
		    __dr_lint "$i" "${__dr_L[i - 1]}"
		prev=${__dr_L[i - 1]}
	done
}

# __dr_re TEXT: the anchored extended regular expression for one line of
# shown output, in __dr_ret.
__dr_re() {
	local s=$1 c
	__dr_ret=
	while [ -n "$s" ]; do
		if [[ $s =~ ^\<(N|PORT|ID|HEX|B64|TIME)\> ]]; then
			__dr_ret+=${__dr_ph[${BASH_REMATCH[1]}]}
			s=${s:${#BASH_REMATCH[0]}}
			continue
		fi
		if [[ $s == ...* ]]; then
			__dr_ret+='.*' s=${s:3}
			continue
		fi
		c=${s:0:1} s=${s:1}
		case $c in
		'[' | ']' | . | '*' | + | '?' | '(' | ')' | '{' | '}' | '|' | '$')
			__dr_ret+="[$c]" ;;
		'^' | \\) __dr_ret+="\\$c" ;;
		*) __dr_ret+=$c ;;
		esac
	done
	__dr_ret="^$__dr_ret\$"
}

# __dr_match I J: true when expected lines I.. match actual lines J..
__dr_match() {
	local i=$1 j=$2 k
	((i == ${#__dr_E[@]})) && { ((j == ${#__dr_A[@]})); return; }
	if [ "${__dr_E[i]}" = ... ]; then
		for ((k = j; k <= ${#__dr_A[@]}; k++)); do
			__dr_match $((i + 1)) "$k" && return 0
		done
		return 1
	fi
	((j < ${#__dr_A[@]})) && [[ ${__dr_A[j]} =~ ${__dr_R[i]} ]] &&
	    __dr_match $((i + 1)) $((j + 1))
}

# __dr_where: the document, the line and the command of plan entry
# __dr_i, for a report.
__dr_where() {
	printf '%s:%s: (block at line %s) %s\n' "$__dr_name" \
	    "${__dr_line[__dr_i]}" "${__dr_blk[__dr_i]}" "${__dr_cmd[__dr_i]}"
}

# shellcheck disable=SC2317 # reached by a trap
__dr_failed() {
	local st=$1
	set +e
	trap - ERR
	{
		echo "docrun: FAILED with exit $st:"
		__dr_where
		if [ "${__dr_kind[__dr_i]}" = console ]; then
			echo "its output:"
			cat "$__dr_out"
		fi
	} >&"$__dr_err"
	exit 1
}

# shellcheck disable=SC2317 # reached by a trap
__dr_timeout() {
	set +e
	trap - ERR
	{
		echo "docrun: TIMED OUT (SIGTERM) while running:"
		__dr_where
	} >&"$__dr_err"
	exit 1
}

# __dr_compare: the output of console entry __dr_i against the shown one.
__dr_compare() {
	local l
	mapfile -t __dr_E <<< "${__dr_exp[__dr_i]%$'\n'}"
	[ -z "${__dr_exp[__dr_i]}" ] && __dr_E=()
	mapfile -t __dr_A < "$__dr_out"
	__dr_R=()
	for l in "${__dr_E[@]}"; do
		__dr_re "$l"
		__dr_R+=("$__dr_ret")
	done
	__dr_match 0 0 && return 0
	{
		echo "docrun: FAILED: the output differs from the one shown" \
		    "at line ${__dr_eline[__dr_i]}:"
		__dr_where
		printf '%s' "${__dr_exp[__dr_i]}" | diff -u --label shown \
		    --label printed - "$__dr_out"
	} >&2
	exit 1
}

# __dr_jobs: notes the PIDs of the background jobs started so far.
__dr_jobs() {
	local p
	for p in $(jobs -p); do
		case " ${__dr_pids[*]} " in *" $p "*) continue ;; esac
		__dr_pids+=("$p")
		[ -n "${DOCRUN_PIDS:-}" ] && echo "$p" >> "$DOCRUN_PIDS"
	done
}

# __dr_cleanup: kills every job the document started (TERM, KILL after
# 5 s) and removes the runner's own files.
# shellcheck disable=SC2317 # reached by a trap
__dr_cleanup() {
	local st=$? p i
	set +e
	trap - ERR TERM
	__dr_jobs
	for p in "${__dr_pids[@]}"; do
		kill -TERM "$p" 2> /dev/null || continue
		for ((i = 0; i < 50; i++)); do
			kill -0 "$p" 2> /dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2> /dev/null
		wait "$p" 2> /dev/null
	done
	# All reaped: the caller must not kill these PIDs again.
	[ -n "${DOCRUN_PIDS:-}" ] && : > "$DOCRUN_PIDS"
	rm -rf "$__dr_tmp"
	exit "$st"
}

__dr_parse
__dr_pids=()
__dr_tmp=$(mktemp -d "${TMPDIR:-/tmp}/docrun.XXXXXX") || exit 2
__dr_out=$__dr_tmp/out
trap __dr_cleanup EXIT
trap __dr_timeout TERM
# Reports go to the runner's stderr, not to a console command's capture.
exec < /dev/null {__dr_err}>&2
set -o pipefail

for ((__dr_i = 0; __dr_i < ${#__dr_cmd[@]}; __dr_i++)); do
	printf '+ %s:%s: %s\n' "$__dr_name" "${__dr_line[__dr_i]}" \
	    "${__dr_cmd[__dr_i]}"
	trap '__dr_failed $?' ERR
	set -eE
	if [ "${__dr_kind[__dr_i]}" = sh ]; then
		eval "${__dr_cmd[__dr_i]}"
	else
		eval "${__dr_cmd[__dr_i]}" > "$__dr_out" 2>&1
	fi
	set +e
	trap - ERR
	__dr_jobs
	[ "${__dr_kind[__dr_i]}" = console ] && __dr_compare
done
exit 0
