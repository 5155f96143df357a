#!/usr/bin/env bats
# Hostile clients of one shared relay (issue 12, items 2 and 3): password
# guesses pipelined to the ca service must not freeze the other services,
# and an RSA key over lib/key.h's caps (KEY_RSA_BITS_MAX, KEY_RSA_EXP_BITS)
# is refused before any RSA work, by the ca and by chat.

load helpers

setup_file() {
	cd "$BATS_FILE_TMPDIR" || return 1
	ca_files || return 1
}

setup() {
	cp "$BATS_FILE_TMPDIR"/* .
	mkdir -m 700 state
	cp ca.key ca.pass ca.crt state/
	# A sanitizer build runs 2-3 times slower: the bounds scale.
	SLOW=1
	! grep -qa __asan_init "$(command -v pk-relay)" || SLOW=3
	GPID=
}

teardown() {
	stop_all "$GPID"
}

# ca_echo_start: the relay with ca and echo; alice is registered.
ca_echo_start() {
	start_relay ca@127.0.0.1:0 echo@127.0.0.1:0
	ADDR=127.0.0.1:${RELAY_PORTS[ca]}
	pk-xfer ca register -u alice --pass-file alice.pass "$ADDR" 2> /dev/null
}

# guess PORT USER N CONNS SECS: CONNS clients of ca each name USER and get
# "Enter password"; then the first sends N wrong passwords in one write,
# the others one each.  Prints "MS CLIENT ANSWER" per answer, MS since the
# write, until every guess is answered or SECS have passed.
guess() {
	perl - "$@" <<-'PERL'
		use strict; use warnings;
		use IO::Select; use IO::Socket::INET; use Time::HiRes qw(time);
		my ($port, $user, $n, $conns, $secs) = @ARGV;
		$SIG{PIPE} = 'IGNORE';
		sub rd {
			my ($s, $len) = @_;
			my $b = '';
			while (length $b < $len) {
				sysread($s, $b, $len - length $b, length $b)
				    or die "guess: connection closed\n";
			}
			return $b;
		}
		sub frame { return pack('N', length $_[0]) . $_[0] }
		sub getf { my $s = shift; return rd($s, unpack 'N', rd($s, 4)) }
		my (@s, %idx);
		my $sel = IO::Select->new;
		for my $i (0 .. $conns - 1) {
			my $s = IO::Socket::INET->new("127.0.0.1:$port")
			    or die "guess: $!\n";
			getf($s);
			syswrite $s, frame($user);
			getf($s);
			push @s, $s;
			$idx{$s} = $i;
			$sel->add($s);
		}
		$| = 1;
		my ($t0, $left) = (time, $n + $conns - 1);
		syswrite $s[0], join '', map { frame("wrong$_") } 1 .. $n;
		syswrite $_, frame('wrong') for @s[1 .. $#s];
		while ($left > 0 && (my $wait = $t0 + $secs - time) > 0) {
			for my $s ($sel->can_read($wait)) {
				my $a = eval { getf($s) } // 'closed';
				printf "%d %d %s\n", (time - $t0) * 1000, $idx{$s}, $a;
				$sel->remove($s) if $a eq 'closed';
				$left--;
			}
		}
	PERL
}

# probe PORT SECS: 32-byte round trips to echo for SECS; prints the worst
# in ms and how many.
probe() {
	perl - "$@" <<-'PERL'
		use strict; use warnings;
		use IO::Socket::INET; use Time::HiRes qw(time sleep);
		my ($port, $secs) = @ARGV;
		my $s = IO::Socket::INET->new("127.0.0.1:$port")
		    or die "probe: $!\n";
		my ($worst, $count, $end) = (0, 0, time + $secs);
		while (time < $end) {
			my ($t, $b) = (time, '');
			syswrite $s, 'x' x 32;
			while (length $b < 32) {
				sysread($s, $b, 32 - length $b, length $b)
				    or die "probe: closed\n";
			}
			my $ms = (time - $t) * 1000;
			$worst = $ms if $ms > $worst;
			$count++;
			sleep 0.005;
		}
		printf "%d %d\n", $worst, $count;
	PERL
}

# rsa_der BITS EBITS KIND: DER with a random odd BITS-bit modulus and a
# random odd EBITS-bit exponent below it, nobody's key: KIND spki (a
# SubjectPublicKeyInfo) or csr (a request for CN=mallory with a random
# signature).
rsa_der() {
	perl - "$@" <<-'PERL'
		use strict; use warnings;
		my ($bits, $ebits, $kind) = @ARGV;
		open my $r, '<:raw', '/dev/urandom' or die "rsa_der: $!\n";
		sub len {
			my ($n, $b) = (shift, '');
			return chr $n if $n < 128;
			for (; $n; $n >>= 8) { $b = chr($n & 255) . $b }
			return chr(128 | length $b) . $b;
		}
		sub der { return chr($_[0]) . len(length $_[1]) . $_[1] }
		# An odd number of exactly $b bits, its top byte $top's bits.
		sub num {
			my ($b, $top) = @_;
			read $r, my $x, int(($b + 7) / 8);
			my $w = ($b - 1) % 8 + 1;
			substr($x, 0, 1) = chr($top & ((1 << $w) - 1) | 1 << ($w - 1));
			substr($x, -1) = chr(ord(substr $x, -1) | 1);
			return der(2, (ord $x >= 128 ? "\0" : '') . $x);
		}
		my $oid_rsa = der(6, "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01");
		my $spki = der(0x30, der(0x30, $oid_rsa . "\x05\x00") .
		    der(3, "\0" . der(0x30, num($bits, 0xff) . num($ebits, 0))));
		if ($kind eq 'spki') { print $spki; exit 0 }
		my $cn = der(0x30, der(0x31, der(0x30,
		    der(6, "\x55\x04\x03") . der(12, 'mallory'))));
		my $info = der(0x30, "\x02\x01\x00" . $cn . $spki . "\xa0\x00");
		my $alg = der(0x30, der(6, "\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b") .
		    "\x05\x00");
		read $r, my $sig, int(($bits + 7) / 8);
		print der(0x30, $info . $alg . der(3, "\0" . $sig));
	PERL
}

# cpu_ms: the relay's user and system CPU so far, in ms.
cpu_ms() {
	local stat
	stat=$(< "/proc/$RELAY_PID/stat")
	read -r -a stat <<< "${stat##*) }"
	echo $(((stat[11] + stat[12]) * 1000 / $(getconf CLK_TCK)))
}

# guess_probed SECS MS GUESS-ARGS...: guess (answers in guess.out) while
# probe measures echo for SECS; fails when echo's worst passes MS (times
# SLOW).
guess_probed() {
	local worst count
	probe "${RELAY_PORTS[echo]}" "$1" > probe.out 3>&- &
	GPID=$!
	guess "${RELAY_PORTS[ca]}" "${@:3}" > guess.out
	wait "$GPID"
	GPID=
	read -r worst count < probe.out
	echo "# echo: worst $worst ms in $count round trips" >&3
	[ "$worst" -lt $(($2 * SLOW)) ] ||
	    fail "echo's worst round trip was $worst ms while ca hashed"
	[ "$count" -gt 10 ]
}

@test "hostile ca: 200 wrong passwords in one write leave echo under 50 ms, and each answer comes later" {
	ca_echo_start
	guess_probed 4 50 alice 200 1 6
	# Held 250, 500 and 1000 ms after the first three wrong passwords.
	# shellcheck disable=SC2016 # awk's own fields
	run -0 awk 'NR == 1 { t = $1 } NR == 4 { print $1 - t }' guess.out
	[ -n "$output" ] || fail "fewer than 4 answers: $(cat guess.out)"
	[ "$output" -ge 1700 ] ||
	    fail "answers 1 to 4 came within $output ms: $(cat guess.out)"
	run -0 cut -d' ' -f3- guess.out
	assert_line --index 0 'incorrect password! try again'
	refute_line --partial 'Welcome'
	wait_log 'ca 127\.0\.0\.1:[0-9]+ alice: wrong password \(4\): next read in 2000 ms$'
}

@test "hostile ca: 30 clients guessing at once leave echo under 250 ms; one thread hashes them all" {
	ca_echo_start
	guess_probed 3 250 alice 1 30 20
	run -0 sort -u -k2,2n guess.out
	assert_equal "${#lines[@]}" 30
	[ "$(grep -c ' incorrect password! try again$' guess.out)" = 30 ]
	# One worker thread, not one per client.
	[ "$(find "/proc/$RELAY_PID/task" -mindepth 1 -maxdepth 1 | wc -l)" -lt 5 ]
}

@test "hostile ca: clients dropped while their passwords wait for the worker leave the relay serving" {
	start_relay --idle-timeout 1 ca@127.0.0.1:0
	ADDR=127.0.0.1:$RELAY_PORT
	pk-xfer ca register -u alice --pass-file alice.pass "$ADDR" 2> /dev/null
	# 60 hashes outlast the 1 s idle timeout: the clients still waiting
	# are closed with their jobs queued or in the worker's hands.
	guess "$RELAY_PORT" alice 1 60 $((4 * SLOW)) > guess.out
	grep -q ' closed$' guess.out || fail "no client was closed waiting"
	wait_log 'ca 127\.0\.0\.1:[0-9]+ close: idle timeout$'
	run -0 pk-xfer ca login -u alice --pass-file alice.pass "$ADDR"
	wait_log 'alice signed in after 0 wrong passwords'
}

@test "hostile ca: a CSR with a 16384-bit modulus and exponent is refused before any RSA work" {
	rsa_der 16384 16384 csr > big.csr
	ca_echo_start
	before=$(cpu_ms)
	run -1 --separate-stderr pk-xfer ca csr -u alice \
	    --pass-file alice.pass -i big.csr -o big.crt "$ADDR"
	after=$(cpu_ms)
	echo "# relay CPU for sign-in and CSR: $((after - before)) ms" >&3
	assert_equal "$stderr" "pk-xfer: $ADDR: error: certificate request: RSA key too large (modulus over 8192 bits or public exponent over 2^32)"
	wait_log 'ca 127\.0\.0\.1:[0-9]+ protocol error: certificate request: RSA key too large'
	# The sign-in's hash is most of it; a check under the key took 500 ms.
	[ $((after - before)) -lt $((250 * SLOW)) ] ||
	    fail "the relay spent $((after - before)) ms of CPU on the request"
	[ ! -e big.crt ]
}

@test "hostile ca: a CSR whose exponent passes 2^32 is refused, whatever its modulus" {
	rsa_der 2048 33 csr > bige.csr
	ca_echo_start
	run -1 --separate-stderr pk-xfer ca csr -u alice \
	    --pass-file alice.pass -i bige.csr -o big.crt "$ADDR"
	assert_equal "$stderr" "pk-xfer: $ADDR: error: certificate request: RSA key too large (modulus over 8192 bits or public exponent over 2^32)"
}

@test "hostile ca: a chat client key with an exponent over 2^32 is refused before the session key is wrapped" {
	start_relay chat@127.0.0.1:0
	{
		echo '-----BEGIN PUBLIC KEY-----'
		rsa_der 4096 4096 spki | base64 -w 64
		echo '-----END PUBLIC KEY-----'
	} > big.pem
	run -0 perl - "$RELAY_PORT" big.pem <<-'PERL'
		use strict; use warnings; use IO::Socket::INET;
		my ($port, $file) = @ARGV;
		open my $f, '<', $file or die "$file: $!\n";
		my $pem = do { local $/; <$f> };
		my $s = IO::Socket::INET->new("127.0.0.1:$port") or die "$!\n";
		syswrite $s, pack('N', 7) . 'mallory';
		sysread($s, my $h, 4) == 4 or die "no server key\n";
		sysread($s, my $key, unpack 'N', $h);
		syswrite $s, pack('N', length $pem) . $pem;
		# The relay closes without wrapping the session key for it.
		my $n = sysread $s, my $b, 1;
		print defined $n && $n == 0 ? "closed\n" : "answered\n";
	PERL
	assert_output closed
	wait_log 'chat 127\.0\.0\.1:[0-9]+ protocol error: client public key: RSA key too large \(modulus over 8192 bits or public exponent over 2\^32\)$'
	run -1 grep -q 'client public key received' relay.log
}
