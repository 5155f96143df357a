# shellcheck shell=sh
# protokit-attack.sh: what every attack script (bin/attacks/NAME, run by
# `protokit attack NAME`) adds to protokit-lib.sh: --hardened, running
# the attack without stopping at its failure, and the check.  A script
# sets prog, steps, deps and synopsis and defines help as an orchestrator
# does, sources protokit-lib.sh then this file, calls attack_setup "$@",
# runs the victim (on the hardened profile when hardened=1), then
# attack_run and attack_check.  Exit: 0 the attack did what it must on
# that profile; 1 it did not; 2 usage or a step that could not run.
# prog, steps and deps are the script's (SC2154); pk_try is the lib's (SC2034).
# shellcheck disable=SC2154,SC2034

# extra_option OPTION: --hardened, for pk_setup.
extra_option() {
	case "$1" in
	--hardened) hardened=1 ;;
	*) return 1 ;;
	esac
}

# attack_setup ARGS: the options (--hardened, --keep, --step, ...), then
# pk_setup's working directory.  The profile is named in the first line.
attack_setup() {
	hardened=0 attack_rc=''
	pk_try="protokit attack ${prog#protokit-attack-}"
	pk_setup "$@"
	if [ "$hardened" = 1 ]; then
		echo "$prog: the victim runs on the hardened profile: the attack must fail"
	else
		echo "$prog: the victim runs on the faithful profile: the attack must succeed"
	fi
}

# attack_run CMD: shows and runs CMD, the attack, like run, but its exit
# status (0 succeeded, 1 failed, 2 could not run) is kept in attack_rc
# and shown rather than ending the script; 2 still ends it.
attack_run() {
	printf '    $ %s\n' "$1"
	attack_rc=0
	eval "$1" >"$work/.out" || attack_rc=$?
	sed 's/^/    /' "$work/.out"
	printf '    (exit %s)\n' "$attack_rc"
	[ "$attack_rc" != 2 ] || exit 2
}

# attack_check SECRET RECOVERED: faithful, the attack succeeded and
# RECOVERED is SECRET byte for byte; hardened, it failed (exit 1) and
# recovered nothing.  Exit 1 when not.
attack_check() {
	if [ "$hardened" = 0 ]; then
		run "cmp '$1' '$2' && echo 'recovered byte for byte: the attack succeeded'"
	elif [ "$attack_rc" = 1 ] && [ ! -s "$2" ]; then
		note "the attack failed (exit 1) and recovered nothing, as it must on the hardened profile"
	else
		note "the attack did not fail on the hardened profile (exit $attack_rc)"
		exit 1
	fi
}
