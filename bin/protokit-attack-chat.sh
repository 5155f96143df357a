# shellcheck shell=sh
# protokit-attack-chat.sh: the victim of the chat attacks
# (bin/attacks/chat-*), sourced after protokit-attack.sh: the relay's chat
# service on the chosen profile, its key made ahead (on the hardened
# profile each client is given its fingerprint, as ssh's known_hosts),
# eve's pk-mitm in front of it, and the members, each a pk-xfer chat in
# the background reading a FIFO.  Each party has its directory (alice/,
# bob/, carol/, eve/) with its key.key; a member's screen is NAME/out,
# its set-up lines and errors NAME/err.
# hardened is protokit-attack.sh's, NAME_pid bg's (SC2154).
# shellcheck disable=SC2154

# chat_start NAME...: the keys (the relay's and each party's), and the
# relay on the chosen profile; hardened, the fingerprint each member is
# given (fp).
chat_start() {
	step "the relay starts its chat service; everyone has a key pair"
	run "mkdir -m 700 state $*"
	run 'pk-keygen rsa -b 2048 --no-pass -o state/chat > /dev/null'
	run "for who in $*; do pk-keygen rsa -b 2048 --no-pass -o \$who/key > /dev/null; done"
	[ "$hardened" = 0 ] || run "fp=\$(pk-keygen info -i state/chat.key | sed -n 's/^sha256 //p'); echo \"each member is given the relay key's fingerprint ahead: \$fp\""
	relay_up chat "pk-relay $(pk_hardened chat)-d state chat@127.0.0.1:0 > relay.out 2> relay.log"
}

# chat_eve OPTIONS: eve's pk-mitm -p chat in front of the relay with
# OPTIONS, recording every frame as it came (eve/capture.json); maddr
# is its address, which the members are given as the chat's.
chat_eve() {
	bg eve "pk-mitm -p chat --to \$addr ${1:+$1 }--trace-json eve/capture.json > eve/mitm.out 2> eve/mitm.log"
	wait_until "grep -qs '^listening ' eve/mitm.out"
	run "maddr=\$(sed -n 's/^listening //p' eve/mitm.out); echo \"eve's pk-mitm listens on \$maddr\""
}

# chat_join NAME FD ADDR [OPTIONS]: NAME joins the chat at ADDR (\$maddr,
# eve's, or \$addr, the relay's), reading the FIFO NAME/in held open on
# FD; waits until NAME is set up, or has ended (a hardened client
# refuses a key that is not the one pinned).
chat_join() {
	pk_pin=
	[ "$hardened" = 0 ] || pk_pin='--server-key-sha256 $fp '
	run "mkfifo $1/in"
	bg "$1" "(cd $1 && exec pk-xfer $(pk_hardened)chat -u $1 -k key.key $pk_pin${4:+$4 }$3 < in > out 2> err)"
	run "exec $2> $1/in"
	wait_until "grep -qs 'Now you can start' $1/err || ! kill -0 \$$1_pid 2> /dev/null"
	run "cat $1/err"
}

# chat_say NAME FD TEXT WHO [SEEN]: NAME says TEXT; waits until WHO
# shows "NAME: SEEN" (SEEN: TEXT, unless eve changes it).
chat_say() {
	run "echo '$3' >&$2"
	wait_until "grep -qsF '$1: ${5:-$3}' $4/out"
}

# chat_in NAME...: 0 when each NAME got through the set-up.
chat_in() {
	for pk_who in "$@"; do
		grep -qs 'Now you can start' "$pk_who/err" || return 1
	done
}

# chat_leave NAME FD: NAME types EXIT (in a subshell: a client that has
# already ended would take the shell down with SIGPIPE); its status is
# kept in NAME_rc.
chat_leave() {
	run "(echo EXIT >&$2) 2> /dev/null || true; exec $2>&-; $1_rc=0; wait \$$1_pid || $1_rc=\$?; echo \"$1's status: \$$1_rc\""
	waited "$1"
}
