# Shared by bench/*.sh (sourced): time a protokit command and its peer tool
# in the same run, alternating, and print one Markdown table row with the
# medians and the ratio (protokit speed / peer speed; above 1 is faster).

# bench_us CMD IN OUT: microseconds for one run of CMD <IN >OUT.  OUT is
# removed first, outside the timed window: truncating the last run's
# 256 MiB (and ext4 flushing a truncated-then-rewritten file on close) would
# charge both tools ~160 ms that neither spends on its own work.
# The clock is bash's EPOCHREALTIME and CMD runs through eval, so the only
# process the timed window starts is the tool itself (a `date` or `sh -c`
# spawn costs 7 ms here, as much as a whole pk-keygen run).
bench_us() {
	rm -f "$3"
	_s=${EPOCHREALTIME/./}
	eval "$1" < "$2" > "$3" || { echo "bench: failed: $1" >&2; exit 2; }
	_e=${EPOCHREALTIME/./}
	echo $(( _e - _s ))
}

# median: of the numbers on stdin.
median() {
	sort -n | awk '{ v[NR] = $1 } END {
	    if (NR % 2) print v[(NR + 1) / 2];
	    else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

# bench_pair NAME RUNS IN PKCMD PEERCMD: sets PK_US and PEER_US (medians).
bench_pair() {
	_pk=$(mktemp) _peer=$(mktemp)
	_i=0
	while [ "$_i" -lt "$2" ]; do
		bench_us "$4" "$3" "$BENCH_WORK/out.pk" >> "$_pk"
		bench_us "$5" "$3" "$BENCH_WORK/out.peer" >> "$_peer"
		_i=$((_i + 1))
	done
	PK_US=$(median < "$_pk")
	PEER_US=$(median < "$_peer")
	rm -f "$_pk" "$_peer"
}

# bench_row NAME RUNS IN PKCMD PEERCMD: MB/s over the size of IN.
bench_row() {
	bench_pair "$@"
	_bytes=$(wc -c < "$3")
	awk -v n="$1" -v b="$_bytes" -v p="$PK_US" -v q="$PEER_US" 'BEGIN {
	    printf "| %s | %.0f MB/s | %.0f MB/s | %.2f |\n", n,
	    b / p, b / q, q / p }'
}

# bench_row_ops NAME RUNS PKCMD PEERCMD: operations per second.
bench_row_ops() {
	bench_pair "$1" "$2" /dev/null "$3" "$4"
	awk -v n="$1" -v p="$PK_US" -v q="$PEER_US" 'BEGIN {
	    printf "| %s | %.1f op/s | %.1f op/s | %.2f |\n", n,
	    1e6 / p, 1e6 / q, q / p }'
}

# bench_relay DIR SERVICE [pk-relay option ...]: starts pk-relay on a free
# loopback port with its state in DIR/state and waits for it to listen;
# sets RELAY_PID and RELAY_ADDR (host:port).  The caller stops it.
bench_relay() {
	_dir=$1 _svc=$2
	shift 2
	pk-relay -d "$_dir/state" "$@" "$_svc@127.0.0.1:0" \
	    > "$_dir/relay.out" 2> "$_dir/relay.log" &
	RELAY_PID=$!
	_i=0
	until grep -q "^listening $_svc " "$_dir/relay.out"; do
		_i=$((_i + 1))
		[ "$_i" -le 100 ] || { echo "bench: no $_svc relay" >&2; exit 2; }
		sleep 0.05
	done
	RELAY_ADDR=$(sed -n "s/^listening $_svc //p" "$_dir/relay.out")
}
