#!/bin/sh
# Check the Debian packages protokit needs; install the missing ones when
# root, else print the exact apt-get line and exit 2.  Silent when all is
# there.  Usage: mk/deps.sh [extra-package ...]
set -eu
pkgs="make gcc pkg-config nettle-dev libgmp-dev libisal-dev libsqlite3-dev
openssl coreutils sqlite3 jq xxd socat strace bats bats-support bats-assert $*"
missing=
for p in $pkgs; do
	s=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	case "$s" in
	ii*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "protokit: missing packages:$missing" >&2
	echo "install them with: sudo apt-get update && sudo apt-get install -y$missing" >&2
	exit 2
fi
echo "protokit: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
# shellcheck disable=SC2086 # one word per package
apt-get install -y -q $missing >&2
