# pk-cksum: the POSIX vectors, and byte-identical output to GNU cksum
# (/usr/bin/cksum, coreutils) on files, several files, stdin and errors.

load helpers

SIZES="0 1 15 16 17 4095 4096 65535 65536 65537 3145733"

# The edge-size inputs, made once for the file; tests read them from there.
setup_file() {
	for n in $SIZES; do
		make_file "$BATS_FILE_TMPDIR/f$n" "$n"
	done
}

use_sized_files() {
	cd "$BATS_FILE_TMPDIR" || return
	out="$BATS_TEST_TMPDIR"
}

@test "cksum: POSIX vectors from files and from stdin" {
	cd "$VECTORS/cksum/inputs"
	while read -r crc size file _; do
		case "$crc" in '#'*|'') continue ;; esac
		run -0 pk-cksum "$file"
		assert_output "$crc $size $file"
		run -0 pk-cksum < "$file"
		assert_output "$crc $size"
	done < ../cksum-vectors.txt
}

@test "cksum: same as GNU cksum on files of edge sizes, one at a time" {
	use_sized_files
	for n in $SIZES; do
		/usr/bin/cksum "f$n" > "$out/gnu"
		pk-cksum "f$n" > "$out/pk"
		cmp "$out/gnu" "$out/pk"
	done
}

@test "cksum: same as GNU cksum on several files at once" {
	use_sized_files
	set -- $(printf 'f%s ' $SIZES)
	/usr/bin/cksum "$@" > "$out/gnu"
	pk-cksum "$@" > "$out/pk"
	cmp "$out/gnu" "$out/pk"
	[ "$(wc -l < "$out/pk")" -eq 11 ]
}

@test "cksum: same as GNU cksum on stdin, piped and redirected" {
	use_sized_files
	for n in $SIZES; do
		/usr/bin/cksum < "f$n" > "$out/gnu"
		pk-cksum < "f$n" > "$out/pk"
		cmp "$out/gnu" "$out/pk"
		cat "f$n" | pk-cksum > "$out/pk"
		cmp "$out/gnu" "$out/pk"
	done
}

@test "cksum: - reads stdin and is named as GNU cksum names it" {
	make_file a 1000
	make_file b 70000
	/usr/bin/cksum a - b < b > gnu
	run -0 pk-cksum a - b < b
	assert_output "$(cat gnu)"
	assert_line --index 1 --regexp ' 70000 -$'
}

@test "cksum: a missing file in the middle is reported, the rest summed, exit 1" {
	make_file a 100
	make_file b 200
	/usr/bin/cksum a b > gnu
	run -1 --separate-stderr /usr/bin/cksum a missing b
	gnu_stderr="${stderr#/usr/bin/}"
	run -1 --separate-stderr pk-cksum a missing b
	assert_output "$(cat gnu)"
	[ "$stderr" = "pk-cksum: missing: No such file or directory" ]
	[ "$stderr" = "pk-$gnu_stderr" ]
}

@test "cksum: a directory is reported as a read error, exit 1" {
	# GNU cksum 9.1 with PCLMUL ignores this read error (fixed in 9.2).
	make_file a 100
	mkdir dir
	run -1 --separate-stderr pk-cksum dir a
	assert_output "$(/usr/bin/cksum a)"
	[ "$stderr" = "pk-cksum: dir: Is a directory" ]
	run -1 --separate-stderr pk-cksum < dir
	assert_output ""
	[ "$stderr" = "pk-cksum: -: Is a directory" ]
}

@test "cksum: an unknown option is a usage error, exit 2" {
	run -2 --separate-stderr pk-cksum --bogus
	assert_output ""
	assert_equal "$stderr" "pk-cksum: unrecognized option '--bogus'
Try 'pk-cksum --help'"
	run -2 pk-cksum -x
}

@test "cksum: --help prints the synopsis and exit codes, exit 0" {
	run -0 --separate-stderr pk-cksum --help
	assert_line --index 0 "usage: pk-cksum [file ...]"
	assert_output --partial "Exit status: 0 ok; 1 a file could not be read"
	[ -z "$stderr" ]
	run -0 pk-cksum -h
}

@test "cksum: a write error on stdout is exit 2" {
	make_file a 100
	run -2 --separate-stderr sh -c 'pk-cksum a > /dev/full'
	[ "$stderr" = "pk-cksum: stdout: No space left on device" ]
}
