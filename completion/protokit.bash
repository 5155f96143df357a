# shellcheck shell=bash
# bash completion for protokit and its tools (pk-keygen, pk-wrap,
# pk-aes-cbc, pk-aes-cfb, pk-cksum, pk-relay, pk-xfer, pk-attack,
# pk-mitm).  Everything is read from the tools' own --help at run time,
# so it never falls behind them: the options are the leading words of
# the help's option lines, the subcommands those of its synopsis.
# Installed once per command name (share/bash-completion/completions/NAME);
# source it to try it out.

# _pk_help_opts: the option lines of a --help on stdin, one option a line,
# as "OPTION ARG" (ARG empty when it takes none).
_pk_help_opts() {
	awk '/^  ? ? ?-/ {
		sub(/^ +/, ""); sub(/  .*/, "")
		n = split($0, w, " "); arg = ""; k = 0
		for (i = 1; i <= n; i++) {
			t = w[i]; sub(/,$/, "", t)
			if (t !~ /^-/) { arg = t; break }
			o[++k] = t
		}
		for (i = 1; i <= k; i++) print o[i], arg
		delete o
	}'
}

# _pk_subcommands TOOL [PROTOCOL]: the words after "TOOL" (or after
# "TOOL [options] PROTOCOL" or "TOOL ... PROTOCOL") in the synopsis on
# stdin ("register|login" gives both).
_pk_subcommands() {
	local pat="$1()"
	[ -n "${2:-}" ] && pat="$1 (\\[[^]]*\\] |\\.\\.\\. )*$2"
	sed -nE "s/^(usage:)? *$pat ([a-z][a-z0-9|-]*).*/\\3/p" | tr '|' '\n' |
	    sort -u
}

_pk_complete() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev='' cmd=${COMP_WORDS[0]##*/}
	local exe=${COMP_WORDS[0]}
	local -a words=() help=(--help)
	local opts w i arg skip=0
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()

	# The operands so far (words not options nor option arguments).
	opts=$("$exe" --help 2>/dev/null | _pk_help_opts)
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if ((skip)); then
			skip=0
		elif [[ $w == -* ]]; then
			arg=$(awk -v o="$w" '$1 == o { print $2; exit }' <<< "$opts")
			[ -n "$arg" ] && skip=1
		else
			words+=("$w")
		fi
	done
	case $cmd in
	pk-keygen | pk-wrap | protokit | pk-attack)
		[ ${#words[@]} -ge 1 ] && help=("${words[0]}" --help) ;;
	pk-xfer)
		[ ${#words[@]} -ge 1 ] && help=("${words[@]:0:2}" --help) ;;
	esac
	[ ${#help[@]} -gt 1 ] &&
	    opts=$("$exe" "${help[@]}" 2>/dev/null | _pk_help_opts)

	# pk-mitm -p: the protocols its help lists.
	if [ "$cmd" = pk-mitm ] && [[ $prev == -p || $prev == --protocol ]]; then
		w=$("$exe" --help 2>/dev/null | sed -n 's/^protocols: //p')
		mapfile -t COMPREPLY < <(compgen -W "$w" -- "$cur")
		return 0
	fi
	# The argument of an option: its values (cbc|cfb) or a file name.
	if [[ $prev == -* ]]; then
		arg=$(awk -v o="$prev" '$1 == o { print $2; exit }' <<< "$opts")
		if [ -n "$arg" ]; then
			if [ "$cmd:$arg" = pk-relay:service ]; then
				w=$("$exe" --help 2>/dev/null | sed -n 's/^Services: //p')
				mapfile -t COMPREPLY < <(compgen -W "$w" -- "$cur")
			elif [[ $arg == *'|'* && $arg != *file* ]]; then
				mapfile -t COMPREPLY < <(compgen -W "${arg//|/ }" -- "$cur")
			else
				mapfile -t COMPREPLY < <(compgen -f -- "$cur")
				compopt -o filenames 2> /dev/null || true
			fi
			return 0
		fi
	fi
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(awk '{ print $1 }' <<< "$opts")" -- "$cur")
		return 0
	fi
	w=
	case $cmd:${#words[@]} in
	pk-keygen:0 | pk-wrap:0)
		w=$("$exe" --help 2>/dev/null | _pk_subcommands "$cmd") ;;
	protokit:0)
		w=$("$exe" --help 2>/dev/null | _pk_subcommands protokit) ;;
	protokit:1)
		[ "${words[0]}" = run ] &&
		    w=$("$exe" list 2>/dev/null | awk '{ print $1 }')
		[ "${words[0]}" = attack ] &&
		    w=$("$exe" attack --list 2>/dev/null | awk '{ print $1 }') ;;
	pk-attack:0)
		# The attacks: the help's lines "  name  what it does".
		w=$("$exe" --help 2>/dev/null | awk '/^  [a-z]/ { print $1 }') ;;
	pk-xfer:0)
		w=$("$exe" --help 2>/dev/null | sed -n 's/^protocols: //p') ;;
	pk-xfer:1)
		w=$("$exe" "${words[0]}" --help 2>/dev/null |
		    _pk_subcommands pk-xfer "${words[0]}") ;;
	pk-relay:*)
		w=$("$exe" --help 2>/dev/null | sed -n 's/^Services: //p')
		mapfile -t COMPREPLY < <(compgen -W "$w" -S @ -- "$cur")
		compopt -o nospace 2> /dev/null || true
		return 0 ;;
	esac
	if [ -n "$w" ]; then
		mapfile -t COMPREPLY < <(compgen -W "$w" -- "$cur")
	else
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		compopt -o filenames 2> /dev/null || true
	fi
	return 0
}

complete -F _pk_complete protokit pk-keygen pk-wrap pk-aes-cbc pk-aes-cfb \
    pk-cksum pk-relay pk-xfer pk-attack pk-mitm
