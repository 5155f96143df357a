# Loaded by tests/explain*.bats after helpers: one `protokit-NAME
# --explain` run per protocol (in setup_file), then every command it
# listed in its working directory's explain.list (directory, file,
# command, separated by tabs) run where it was shown, its stdout compared
# byte for byte with the file of the run.

# explain_run NAME [OPTION...]: runs `protokit run NAME --explain
# [OPTION...]` under
# $BATS_FILE_TMPDIR/NAME (its TMPDIR); its stdout in NAME/out, stderr in
# NAME/err, the directory it kept in NAME/work.  Fails unless it exits 0
# and kept the directory.
explain_run() {
	local d=$BATS_FILE_TMPDIR/$1 rc=0
	mkdir -p "$d/tmp"
	TMPDIR="$d/tmp" protokit run "$1" --explain "${@:2}" > "$d/out" \
	    2> "$d/err" < /dev/null 3>&- || rc=$?
	if [ "$rc" != 0 ]; then
		echo "protokit-$1 --explain: status $rc" >&2
		cat "$d/err" >&2
		return 1
	fi
	sed -n "s/^protokit-$1: working in \\([^ ]*\\) .*/\\1/p" "$d/out" > "$d/work"
	[ -f "$(cat "$d/work")/explain.list" ] || {
		echo "protokit-$1 --explain kept no explain.list" >&2
		return 1
	}
}

# explain_work NAME: the directory protokit-NAME --explain kept.
explain_work() {
	cat "$BATS_FILE_TMPDIR/$1/work"
}

# explain_check NAME COUNT: the list names COUNT commands, each shown in
# the run's output as `    explain$ CMD | cmp - FILE ...`; run in its
# directory, each writes exactly the bytes of its FILE.  Names the first
# command that does not, and returns 1.
explain_check() {
	local list out dir file cmd n=0
	list=$(explain_work "$1")/explain.list
	out=$BATS_FILE_TMPDIR/$1/out
	while IFS=$'\t' read -r dir file cmd; do
		n=$((n + 1))
		grep -qFx "    explain\$ $cmd | cmp - $file && echo 'same bytes as $file'" "$out" ||
		    { echo "$1: command $n not shown as listed: $cmd" >&2; return 1; }
		# stderr kept apart: openssl enc warns about EVP_BytesToKey
		(cd "$dir" && sh -c "$cmd" < /dev/null) > "$BATS_TEST_TMPDIR/got" \
		    2> "$BATS_TEST_TMPDIR/err" || {
			cat "$BATS_TEST_TMPDIR/err" >&2
			echo "$1: command $n failed, in $dir: $cmd" >&2
			return 1
		}
		cmp -s "$BATS_TEST_TMPDIR/got" "$dir/$file" || {
			echo "$1: command $n, in $dir: $cmd: not the bytes of $file" >&2
			return 1
		}
	done < "$list"
	[ "$n" -eq "$2" ] ||
	    { echo "$1: $n commands explained, $2 expected" >&2; return 1; }
	n=$(grep -c '^    explain\$ ' "$out")
	[ "$n" -eq "$2" ] ||
	    { echo "$1: $n explain\$ lines shown, $2 expected" >&2; return 1; }
}

# explain_corrupt NAME: with the first byte of the first listed FILE
# inverted, explain_check fails on that command and says so; the file is
# restored after.
explain_corrupt() {
	local list dir file cmd b
	list=$(explain_work "$1")/explain.list
	IFS=$'\t' read -r dir file cmd < "$list"
	cp "$dir/$file" "$BATS_TEST_TMPDIR/saved"
	b=$(od -An -tu1 -N1 "$dir/$file")
	# shellcheck disable=SC2059 # the format is the byte's octal escape
	printf "\\$(printf %03o $((b ^ 255)))" |
	    dd of="$dir/$file" bs=1 conv=notrunc 2> /dev/null
	run -1 explain_check "$1" "$(wc -l < "$list")"
	cp "$BATS_TEST_TMPDIR/saved" "$dir/$file"
	assert_output "$1: command 1, in $dir: $cmd: not the bytes of $file"
}
