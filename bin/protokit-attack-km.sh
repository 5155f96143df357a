# shellcheck shell=sh
# protokit-attack-km.sh: the victim of the keymanager attacks
# (bin/attacks/km-*), sourced after protokit-attack.sh: the key manager
# on the chosen profile, alice (the waiter) and bob (the sender), and eve
# on the way with two pk-mitm: one in front of the key manager, which
# rewrites the port in bob's send_data to the other, in front of alice's
# listener.  Both record what they forward (eve/ctl.json, eve/peer.json).
# hardened is protokit-attack.sh's, pport a step's (SC2154).
# shellcheck disable=SC2154

# km_start: K3 (every client holds it, eve too), on the hardened profile
# an RSA key for alice and bob, and the key manager.
km_start() {
	step "the key manager starts; every client gets K3, eve is one of them"
	run 'mkdir -m 700 state alice bob eve'
	run 'pk-keygen aes -b 128 -o state/k3'
	run 'for who in alice bob eve; do cp state/k3 $who/k3; done'
	km_key=k3
	if [ "$hardened" = 1 ]; then
		note "hardened: no K3 on the wire; alice and bob each have an RSA key"
		run 'for who in alice bob; do pk-keygen rsa -b 1024 --no-pass -o $who/rsa > /dev/null; done'
		km_key=rsa.key
	fi
	relay_up keymanager "pk-relay $(pk_hardened keymanager)-d state keymanager@127.0.0.1:0 > relay.out 2> relay.log"
}

# km_wait: alice waits for a file (got.txt) in the background.
km_wait() {
	bg alice "(cd alice && pk-xfer $(pk_hardened)keymanager wait -k $km_key --yes -o got.txt \$addr > wait.log 2>&1)"
	wait_until "grep -qs '^Waiting for a sender on port ' alice/wait.log"
	run "wport=\$(sed -n 's/^Waiting for a sender on port //p' alice/wait.log); echo \"alice listens on port \$wport\""
}

# km_peer [RULE]: eve's pk-mitm in front of alice's listener (wport),
# with RULE (-r), for one connection; on the port it had before, if any.
km_peer() {
	bg peer "pk-mitm -p keymanager-peer ${pport:+-l 127.0.0.1:\$pport }--to 127.0.0.1:\$wport -n 1${1:+ -r '$1'} --trace-json eve/peer.json > eve/peer.out 2>> eve/peer.log"
	wait_until "grep -qs '^listening' eve/peer.out"
	run "pport=\$(sed -n 's/^listening 127.0.0.1://p' eve/peer.out); echo \"eve's peer pk-mitm on port \$pport\""
}

# km_eve [RULE]: eve's two pk-mitm, the peer channel's with RULE.
km_eve() {
	km_peer "${1:-}"
	note "send_data 127.0.0.1:PORT: the port is at byte 20 of the text"
	run '[ ${#pport} = ${#wport} ] || { echo "ports of different lengths"; exit 2; }'
	bg ctl "pk-mitm -p keymanager --to \$addr -r \"s2c step=send_data text[20]=\$(printf %s \$pport | xxd -p)\" --trace-json eve/ctl.json > eve/ctl.out 2> eve/ctl.log"
	wait_until "grep -qs '^listening' eve/ctl.out"
	run "maddr=\$(sed -n 's/^listening //p' eve/ctl.out); echo \"eve's key manager pk-mitm on \$maddr\""
}

# km_send FILE: bob sends FILE in CFB through eve's pk-mitm; then alice
# ends.  Their statuses are shown and kept (bob_rc, alice_rc), not fatal.
km_send() {
	run "bob_rc=0; (cd bob && pk-xfer $(pk_hardened)keymanager send -k $km_key --mode cfb \$maddr $1 > send.log 2>&1) || bob_rc=\$?; echo \"bob's status: \$bob_rc\"; sed 's/^/bob: /' bob/send.log"
	run 'alice_rc=0; wait $alice_pid || alice_rc=$?; echo "alice'"'"'s status: $alice_rc"; sed "s/^/alice: /" alice/wait.log'
	waited alice
}
