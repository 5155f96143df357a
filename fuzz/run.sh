#!/bin/sh
# make fuzz: build every fuzz/NAME_fuzz.c (libFuzzer) with ASan and UBSan
# against all of lib/, then run each for SECONDS with the corpus
# fuzz/corpus-NAME/ (seeded from fuzz/seeds-NAME/ when present).  Crash
# inputs go to fuzz/crash-NAME/.  Exit 0 when no target crashed, 1 when
# one did, 2 when a target could not be built or the usage is wrong.
set -eu

usage() {
	echo "usage: fuzz/run.sh seconds [name ...]" >&2
	exit 2
}

die() {
	echo "fuzz: $*" >&2
	exit 2
}

step() {
	echo "==> $*"
}

# build NAME: fuzz/NAME_fuzz.c and lib/*.c into fuzz/NAME-fuzz.
build() {
	# shellcheck disable=SC2046 # word splitting of the flag lists is wanted
	clang -g -O1 -fsanitize=fuzzer,address,undefined \
	    -fno-sanitize-recover=all -std=c17 -D_GNU_SOURCE -Ilib \
	    $(pkg-config --cflags nettle hogweed gmp) \
	    -o "fuzz/$1-fuzz" "fuzz/$1_fuzz.c" lib/*.c \
	    $(pkg-config --libs nettle hogweed gmp) -lisal ||
	    die "$1: build failed"
}

# run NAME SECONDS: returns non-zero when libFuzzer found a crash.
run() {
	crashes="fuzz/crash-$1"
	log="$work/$1.log"
	seeds=
	[ -d "fuzz/seeds-$1" ] && seeds="fuzz/seeds-$1"
	mkdir -p "fuzz/corpus-$1" "$crashes"
	if "fuzz/$1-fuzz" -max_total_time="$2" -timeout=25 \
	    -artifact_prefix="$crashes/" -print_final_stats=1 \
	    "fuzz/corpus-$1" ${seeds:+"$seeds"} > "$log" 2>&1; then
		rmdir "$crashes" 2>/dev/null || true
		echo "fuzz: $1: $(awk '/^stat::number_of_executed_units/ {
		    print $2 }' "$log") runs, no crash"
		return 0
	fi
	tail -n 40 "$log" >&2
	echo "fuzz: $1: crashed; the input is in $crashes/" >&2
	return 1
}

main() {
	[ $# -ge 1 ] || usage
	case "$1" in
	''|*[!0-9]*|0) usage ;;
	esac
	secs=$1
	shift
	cd "$(dirname "$0")/.."
	command -v clang > /dev/null || die "clang not found"
	if [ $# -eq 0 ]; then
		for f in fuzz/*_fuzz.c; do
			[ -e "$f" ] || die "no fuzz/*_fuzz.c"
			f=${f#fuzz/}
			set -- "$@" "${f%_fuzz.c}"
		done
	fi
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	n=0
	for name in "$@"; do
		n=$((n + 1))
		step "$n/$# build $name"
		[ -f "fuzz/${name}_fuzz.c" ] || die "no fuzz/${name}_fuzz.c"
		build "$name"
	done
	status=0
	n=0
	for name in "$@"; do
		n=$((n + 1))
		step "$n/$# run $name for ${secs}s"
		run "$name" "$secs" || status=1
	done
	exit "$status"
}

main "$@"
