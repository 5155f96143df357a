# pk-cksum against GNU cksum (coreutils, PCLMUL path) over the same input.
# shellcheck shell=sh
bench_row "cksum" "$RUNS" "$BENCH_INPUT" 'pk-cksum' 'cksum'
