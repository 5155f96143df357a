#!/usr/bin/env bats
# The chat labs (docs/labs/chat-keysub.md, chat-leaver.md, chat-flip.md):
# each `protokit attack NAME` runs the victim (the relay, alice, bob,
# carol), eve's pk-mitm and the attack end to end; kept (--keep, under
# the test's directory), its files are checked here: on the faithful
# profile the recovered messages (or what bob read) byte for byte, on
# the hardened one the attack's exit 1 and nothing recovered.  Then
# pk-attack and pk-mitm on a kept run: a wrong key, bad input, usage.

load helpers

# lab NAME [--hardened]: runs the lab kept; $kept is its directory.
lab() {
	run -0 --separate-stderr env TMPDIR="$BATS_TEST_TMPDIR" \
	    protokit attack "$@" --keep
	kept=$(sed -n 's/^protokit-attack-[a-z0-9-]*: kept //p' <<< "$stderr")
	[ -d "$kept" ] || fail "no kept directory: $stderr"
}

@test "chat-keysub: eve's key given to both sides: pk-mitm learns the session key, shows and rewrites messages, bob sees eve's text; pk-attack recovers every message byte for byte" {
	lab chat-keysub
	assert_line '    (exit 0)'
	assert_line "    alice's status: 0"
	assert_line "    bob's status: 0"
	printf '%s\n' 'alice: hi bob' 'alice: pay bob 10 euros for the tickets' \
	    'alice: pay eve 1000 euros for the tickets' 'bob: done, thanks' \
	    > said
	cmp said "$kept/eve/recovered.txt"
	cd "$kept"
	# bob was shown eve's text, never alice's.
	grep -q 'alice: pay eve 1000 euros for the tickets$' bob/out
	run -1 grep -F 'pay bob 10' bob/out
	# pk-mitm: one session key for both connections, the rewrite said.
	run -0 sed -n 's/.* wrapped_key: the session key is //p' eve/mitm.log
	assert_equal "${#lines[@]}" 2
	assert_equal "${lines[0]}" "${lines[1]}"
	[[ ${lines[0]} =~ ^[0-9a-f]{32}$ ]]
	grep -q ' c2s message: rewritten: alice: pay eve 1000 euros for the tickets$' \
	    eve/mitm.log
	# pk-attack again, on the capture: the same bytes, its count.
	run -0 --separate-stderr pk-attack chat-keysub -k eve/key.key \
	    eve/capture.json
	assert_equal "$output" "$(cat "$BATS_TEST_TMPDIR/said")"
	assert_equal "${stderr##*$'\n'}" \
	    'pk-attack: chat-keysub: 4 of the 4 messages in the capture opened'
	# alice's key opens none of the wrapped keys (eve's key does).
	run -1 --separate-stderr pk-attack chat-keysub -k alice/key.key \
	    -o got eve/capture.json
	assert_equal "$output" ""
	[[ $stderr == *'none of the 2 wrapped keys in the capture opens with this key'* ]]
	[ ! -e got ]
}

@test "chat-keysub --hardened: both clients pin the relay key's fingerprint and refuse eve's (exit 1), eve learns nothing" {
	lab chat-keysub --hardened
	assert_line '    (exit 1)'
	assert_line "    alice's status: 1"
	assert_line "    bob's status: 1"
	assert_line '    eve learned nothing'
	cd "$kept"
	[ ! -e eve/recovered.txt ]
	fp=$(pk-keygen info -i state/chat.key | sed -n 's/^sha256 //p')
	run -0 tail -n 1 alice/err
	assert_output --regexp "server key sha256 [0-9a-f]{64} is not the pinned sha256 $fp\$"
	run -1 grep -e 'session key' -e ' message: ' eve/mitm.log
	grep -q "server_key: the client gets eve's key as the server's" eve/mitm.log
}

@test "chat-leaver: carol leaves; with her old key and a capture she reads what alice and bob said after, byte for byte" {
	lab chat-leaver
	assert_line '    (exit 0)'
	printf '%s\n' 'alice: carol has gone: the door code is 4711' \
	    'bob: ok, 4711 it is' > after
	cmp after "$kept/carol/recovered.txt"
	cd "$kept"
	# The session key carol unwrapped herself, given as it is.
	pk-wrap -d --oaep-sha1 -k carol/key.key < carol/wrapped > session
	run -0 --separate-stderr pk-attack chat-leaver -s session -u carol \
	    eve/capture.json
	assert_equal "$output" "$(cat "$BATS_TEST_TMPDIR/after")"
	# Without -u, every distinct message once (each crossed the tap up
	# to three times).
	run -0 --separate-stderr pk-attack chat-leaver -k carol/key.key \
	    eve/capture.json
	assert_equal "$output" "alice: hi both
carol: bye, I am off
$(cat "$BATS_TEST_TMPDIR/after")"
	# Someone else's private key does not open carol's wrapped key.
	run -1 --separate-stderr pk-attack chat-leaver -k alice/key.key \
	    -w carol/wrapped -o got eve/capture.json
	assert_equal "$output" ""
	[[ $stderr == *'carol/wrapped does not open with alice/key.key'* ]]
	[ ! -e got ]
	run -2 --separate-stderr pk-attack chat-leaver -s session -u nobody \
	    eve/capture.json
	assert_equal "$stderr" 'pk-attack: no connection of nobody'"'"'s and no notice "nobody left the chat" in the capture'
}

@test "chat-leaver --hardened: a key per client and a new one at every leave: carol's old key opens nothing said after (exit 1), only her own connection" {
	lab chat-leaver --hardened
	assert_line '    (exit 1)'
	assert_line '    pk-attack: chat-leaver: a session key of the hardened profile'
	assert_line '    pk-attack: chat-leaver: 0 of them opened with the leaver'"'"'s key'
	cd "$kept"
	[ ! -e carol/recovered.txt ]
	# Her key is right: it opens what crossed her own connection.
	run -0 --separate-stderr pk-attack chat-leaver -k carol/key.key \
	    -w carol/wrapped eve/capture.json
	assert_equal "$output" "alice: hi both
carol: bye, I am off"
}

@test "chat-flip: pk-mitm xors one ciphertext byte: bob reads 'pay bob 9', the 16 bytes after it garbled, the rest as alice wrote it" {
	lab chat-flip
	assert_line '    s2c step=message nth=1 ciphertext[15]^=08'
	cd "$kept"
	grep -q 'rewritten' eve/mitm.log
	printf 'alice: pay bob 10 euros for the tickets, thanks\n' > sent
	sed -n 's/^[0-9-]* [0-9:]* \(alice: pay\)/\1/p' bob/out > seen
	# Byte 16 (from 1) is '9' for '1'; only bytes 17 to 32 may differ
	# besides; the rest is alice's, byte for byte.
	local at
	while read -r at _; do
		((at >= 16 && at <= 32)) || fail "byte $at differs"
	done < <(cmp -l sent seen || true)
	assert_equal "$(cmp -l sent seen | head -n 1)" '16  61  71'
	cmp -n 16 seen <(printf 'alice: pay bob 9')
	cmp -i 32 sent seen
}

@test "chat-flip --hardened: each message sealed (AES-256-GCM): bob refuses the changed one (exit 1) and shows nothing of it" {
	lab chat-flip --hardened
	assert_line "    bob's status: 1"
	cd "$kept"
	grep -q 'rewritten' eve/mitm.log
	run -1 grep -a 'alice: pay' bob/out
	run -0 tail -n 1 bob/err
	assert_output --regexp 'frame [0-9]+ from the server refused: it does not verify \(altered\)$'
}

@test "pk-attack chat-flip: the rule from the known plaintext; a byte among the 16 garbled cannot be chosen" {
	printf 'alice: pay bob 10 euros for the tickets, thanks' > known
	run -0 --separate-stderr pk-attack chat-flip --at 15 --want 9 known
	assert_equal "$output" '# chat-flip: plaintext byte 15 changed; the 16 after it turn to noise
s2c step=message nth=1 ciphertext[15]^=08'
	assert_equal "$stderr" 'pk-attack: chat-flip: "1" -> "9" at 15: the receiver sees it, and up to 16 bytes after it garbled'
	run -0 pk-attack chat-flip --at 11 --want 'bob 9' -n 3 known
	assert_line 's2c step=message nth=3 ciphertext[15]^=08'
	run -0 pk-attack chat-flip --at 46 --want x known
	assert_line '# chat-flip: plaintext byte 46 changed; the 0 after it turn to noise'
	run -2 --separate-stderr pk-attack chat-flip --at 15 --want 90 known
	assert_equal "$stderr" 'pk-attack: --want: byte 16 lies among the 16 bytes that the change of byte 15 garbles (CFB-8): it cannot be chosen'
	run -2 --separate-stderr pk-attack chat-flip --at 15 --want 1 known
	assert_equal "$stderr" 'pk-attack: --want: the message has these bytes already'
	run -2 --separate-stderr pk-attack chat-flip --at 45 --want abc known
	assert_equal "$stderr" 'pk-attack: --at 45 --want of 3 bytes: past the end of the known plaintext (47 bytes)'
	run -2 --separate-stderr pk-attack chat-flip --at 15 --want '' known
	assert_equal "$stderr" 'pk-attack: --want: 0 bytes: give 1 to 4096'
	run -2 --separate-stderr pk-attack chat-flip --want 9 known
	assert_equal "$stderr" 'usage: pk-attack chat-flip --at offset --want text [-n nth] [-o rules] [known-plaintext]'
}

@test "chat attacks: usage and unreadable input are exit 2; pk-mitm's --edit needs -k and an attack that opens text" {
	run -2 --separate-stderr pk-attack chat-keysub capture.json
	assert_equal "$stderr" 'usage: pk-attack chat-keysub -k eve.key capture.json'
	run -2 --separate-stderr pk-attack chat-leaver -k a -s b capture.json
	assert_equal "$stderr" 'usage: pk-attack chat-leaver -k key [-w wrapped] | -s session-key [-u name] capture.json'
	run -2 --separate-stderr pk-attack chat-leaver -w w capture.json
	[[ $stderr == 'usage: pk-attack chat-leaver '* ]]
	echo '{"fields": []}' > capture.json
	printf 'short' > session
	run -2 --separate-stderr pk-attack chat-leaver -s session capture.json
	assert_equal "$stderr" 'pk-attack: capture.json:1: not a JSON trace: not a trace frame (no protocol, step or fields)'
	: > capture.json
	run -2 --separate-stderr pk-attack chat-leaver -s session capture.json
	assert_equal "${stderr##*$'\n'}" 'pk-attack: session: 5 bytes, not a session key (16 or 32)'
	run -2 --separate-stderr pk-attack chat-keysub -k nosuch.key capture.json
	assert_output ''
	[[ $stderr == *nosuch.key* ]]
	run -2 --separate-stderr pk-mitm -p chat --to 127.0.0.1:9 --edit a=b
	assert_equal "$stderr" 'pk-mitm: --edit needs -k'
	pk-keygen rsa -b 1024 --no-pass -o eve > /dev/null
	run -2 --separate-stderr pk-mitm -p chat --to 127.0.0.1:9 -k eve.key \
	    --edit =b
	assert_equal "$stderr" "pk-mitm: --edit '=b': not FROM=TO with FROM not empty"
	# (timeout: a pk-mitm that took both would listen forever)
	run -2 --separate-stderr timeout 20 pk-mitm -p chat --to 127.0.0.1:9 \
	    -k eve.key --edit a=b --edit c=d
	assert_equal "$stderr" 'pk-mitm: --edit: one FROM=TO only, not two'
	run -2 --separate-stderr pk-mitm -p chat --to 127.0.0.1:9 -k eve.key \
	    --peer-key eve.key
	assert_equal "$stderr" "pk-mitm: --peer-key: chat's attack takes none (the client sends its key in clear)"
	run -0 pk-mitm --help
	assert_line --regexp '^    chat +chat \(seed 003\).* \(-k: active attack\)$'
}
