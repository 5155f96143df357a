#!/bin/bash
# make bench: every protokit tool against its peer on the same input, in
# the same run.  Prints a Markdown table; bench/RESULTS.md keeps the latest.
# bench/hostile.sh (a hostile class against the relay) prints this build in
# the protokit column and, with HOSTILE_BEFORE_REV=REV, REV's relay as the
# peer; run alone, it prints its own wider table.
set -eu
cd "$(dirname "$0")/.."
PATH="$PWD/bin:$PATH"
BENCH_WORK="${BENCH_WORK:-$PWD/bench/work}"
BENCH_MB="${BENCH_MB:-256}"
RUNS="${RUNS:-5}"
export PATH BENCH_WORK BENCH_MB RUNS
mkdir -p "$BENCH_WORK"
. bench/lib.sh

input="$BENCH_WORK/input.bin"
if [ ! -f "$input" ] || [ "$(wc -c < "$input")" -ne $((BENCH_MB * 1048576)) ]; then
	head -c $((BENCH_MB * 1048576)) /dev/urandom > "$input"
fi
export BENCH_INPUT="$input"

echo "machine: $(uname -m), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "input: $BENCH_MB MiB, median of $RUNS runs (keygen: of 20)"
echo
echo "| operation | protokit | peer | ratio |"
echo "|---|---|---|---|"
for b in bench/[a-z]*.sh; do
	case "$b" in bench/lib.sh|bench/run.sh) continue ;; esac
	. "$b"
done
rm -f "$BENCH_WORK/out.pk" "$BENCH_WORK/out.peer"
