#!/usr/bin/env bats
# pk-attack's frame (its --help, the attack table, the capture reader
# every capture-based attack uses, through `pk-attack frames`) and
# `protokit attack`: --list, a bad name, the scripts installed by make
# install.  Each attack's own tests: tests/attack-NAME.bats.

load helpers

@test "pk-attack --help: every attack with one line, -o, the exit codes; NAME --help its arguments" {
	run -0 pk-attack --help
	assert_line 'usage: pk-attack name [-o file] [argument ...]'
	assert_line --regexp '^  cube-root +a short message under e = 3'
	assert_line --regexp '^  hastad +one message to three e = 3 keys'
	assert_line --regexp '^  frames +no attack: '
	assert_line --partial 'Exit codes: 0 the attack succeeded'
	run -0 pk-attack hastad --help
	assert_line 'usage: pk-attack hastad -k key1.pub -k key2.pub -k key3.pub c1 c2 c3'
	assert_line --regexp '^  -o, --output file +write the recovered data to file'
	run -2 --separate-stderr pk-attack
	assert_equal "$stderr" "usage: pk-attack name [-o file] [argument ...]
       pk-attack -h | --help | name --help"
	run -2 --separate-stderr pk-attack nosuch
	assert_equal "$(sed -n 1p <<< "$stderr")" "pk-attack: no attack nosuch (pk-attack --help lists them)"
	run -2 --separate-stderr pk-attack cube-root --bogus
	assert_equal "$(sed -n 2p <<< "$stderr")" "usage: pk-attack cube-root -k key.pub [ciphertext]"
}

@test "pk-attack frames: a capture's frames as the attacks read them, bytes rebuilt from the fields" {
	cat > cap.json <<-'EOF2'
		{"time":1.5,"direction":"sent","peer":"127.0.0.1:1","protocol":"vault","step":"register","length":5,"fields":[{"name":"a","offset":0,"length":2,"hex":"0102","value":null},{"name":"b\"\\\u0041","offset":2,"length":3,"hex":"0A0b0c","value":"x, y: {[z]}","note":"n"},{"name":"plain","offset":null,"length":1,"hex":"ff","value":null}],"who":"alice"}

		{ "protocol" : "keymanager", "step": "wait", "direction": "received", "fields": [] }
	EOF2
	run -0 --separate-stderr pk-attack frames -x cap.json
	assert_equal "$output" "0 sent vault register 5 alice
01020a0b0c
1 received keymanager wait 0"
	assert_equal "$stderr" "pk-attack: frames: 2 frames"
}

@test "pk-attack frames: a real run's capture, every frame's length as traced" {
	run -0 protokit run vault --trace-json "$PWD/run.json"
	run -0 --separate-stderr pk-attack frames run.json
	assert_equal "${#lines[@]}" "$(wc -l < run.json)"
	assert_equal "$(awk '{ print $5 }' <<< "$output")" \
	    "$(jq -r .length run.json)"
	run -0 --separate-stderr pk-attack frames -x run.json
	assert_equal "$(sed -n 2p <<< "$output")" \
	    "$(head -1 run.json | jq -r '[.fields[] | select(.offset != null) | .hex] | join("")')"
}

@test "pk-attack frames: what is not a trace is exit 2, naming the file and the line" {
	printf '{"protocol":"vault","step":"x","direction":"sent","fields":[]}\n{"protocol":"vault"\n' > bad.json
	run -2 --separate-stderr pk-attack frames bad.json
	assert_equal "$stderr" "pk-attack: bad.json:2: not a JSON trace: a ',' or '}' expected"
	printf '{"protocol":"vault","step":"x","direction":"sent","fields":[{"name":"a","offset":0,"hex":"zz"}]}\n' > hex.json
	run -2 --separate-stderr pk-attack frames hex.json
	assert_equal "$stderr" "pk-attack: hex.json:1: not a JSON trace: a field's hex is not hex"
	printf '[1, 2]\n' > arr.json
	run -2 --separate-stderr pk-attack frames arr.json
	assert_equal "$stderr" "pk-attack: arr.json:1: not a JSON trace: not a JSON object"
	run -2 --separate-stderr pk-attack frames nosuch.json
	assert_equal "$stderr" "pk-attack: nosuch.json: No such file or directory"
}

@test "protokit attack: --list names each bin/attacks script, protokit list does not; a bad name is exit 2, one line" {
	run -0 protokit attack --list
	assert_line --regexp '^cube-root +'
	run -0 protokit list
	refute_line --regexp '^(cube-root|hastad|attacks) '
	run -2 --separate-stderr protokit attack nosuch
	assert_equal "$stderr" "protokit: no attack nosuch (protokit attack --list shows them)"
	run -2 --separate-stderr protokit attack ../protokit-vault
	assert_equal "$stderr" "protokit: no attack ../protokit-vault (protokit attack --list shows them)"
	run -2 --separate-stderr protokit attack cube-root --bogus
	assert_equal "$stderr" "protokit-attack-cube-root: unknown option '--bogus'
Try 'protokit attack cube-root --help'"
	run -0 protokit attack --help
	assert_line '       protokit attack name [--hardened] [--keep] [--step]'
}

@test "make install: the attack scripts beside protokit, run from there" {
	local root=$BATS_TEST_TMPDIR/root
	run -0 make -C "$PK_ROOT" -o all install DESTDIR="$root" PREFIX=/opt/pk
	[ -x "$root/opt/pk/bin/attacks/cube-root" ]
	[ -f "$root/opt/pk/bin/protokit-attack.sh" ]
	run -0 "$root/opt/pk/bin/protokit" attack --list
	assert_line --regexp '^hastad +'
	PATH=/usr/bin:/bin run -0 "$root/opt/pk/bin/protokit" attack cube-root
	assert_line '    recovered byte for byte: the attack succeeded'
}

@test "pk-attack: man/pk-attack.1.scd has an entry for every attack of --help, and no other" {
	assert_equal "$(pk-attack --help | awk '/^  [a-z]/ { print $1 }' | sort)" \
	    "$(sed -n '/^# COMMANDS/,/^# OPTIONS/s/^\*\([a-z0-9-]*\)\*.*/\1/p' \
	    "$PK_ROOT/man/pk-attack.1.scd" | sort)"
}

@test "chat-flip: docs/chat.md, the lab index and the script name the change the lab makes, pay bob 10 into pay bob 9, never pay 90" {
	cd "$PK_ROOT"
	grep -q '.chat-flip.: pk-mitm changes .pay bob 10. into .pay bob 9.' \
	    docs/chat.md
	grep -q 'turns .pay bob 10. into .pay bob 9.' docs/labs/README.md
	grep -q '^# about: .*(pay bob 10 -> pay bob 9)' bin/attacks/chat-flip
	# CFB-8 garbles the 16 bytes after the changed one: 10 cannot be 90.
	run -1 grep -rn 'pay 10. into .pay 90' docs bin man
}
