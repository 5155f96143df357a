#!/usr/bin/env python3
# kmflip.py RELAY_PORT OFFSET: a man in the middle for one key manager
# transfer, for tests/keymanager-hardened.bats until pk-mitm is there.
# Prints the port to give the sender instead of the relay's; forwards
# the sender's control connection to the relay unchanged except its
# `send_data HOST:PORT`, which it points at a second listener; forwards
# that to the waiter with the byte at OFFSET of the sender's stream (the
# offer frame first, then the file) XORed with 0x01.  Exits when both
# connections are done.
import socket
import struct
import sys
import threading


def listener():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    return s


def pump(src, dst, change=None):
    pos = 0
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            if change:
                data = change(pos, data)
            pos += len(data)
            dst.sendall(data)
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def main():
    relay, offset = int(sys.argv[1]), int(sys.argv[2])
    ctl, peer = listener(), listener()
    print(ctl.getsockname()[1], flush=True)
    client, _ = ctl.accept()
    server = socket.create_connection(("127.0.0.1", relay))
    target = []
    ready = threading.Event()

    def frames(pos, data):
        # The relay's frames to the sender, whole (a frame per read
        # mostly; the rest is kept until it is whole).
        buf = frames.rest + data
        out = b""
        while len(buf) >= 4:
            n = struct.unpack(">I", buf[:4])[0]
            if len(buf) < 4 + n:
                break
            p, buf = buf[4:4 + n], buf[4 + n:]
            if p.startswith(b"send_data "):
                host, port = p[10:].decode().rsplit(":", 1)
                target.append((host, int(port)))
                ready.set()
                p = b"send_data 127.0.0.1:%d" % peer.getsockname()[1]
            out += struct.pack(">I", len(p)) + p
        frames.rest = buf
        return out

    def flip(pos, data):
        if pos <= offset < pos + len(data):
            b = bytearray(data)
            b[offset - pos] ^= 1
            return bytes(b)
        return data

    frames.rest = b""
    threads = [
        threading.Thread(target=pump, args=(client, server)),
        threading.Thread(target=pump, args=(server, client, frames)),
    ]
    for t in threads:
        t.start()
    ready.wait()
    sender, _ = peer.accept()
    waiter = socket.create_connection(target[0])
    threads += [
        threading.Thread(target=pump, args=(sender, waiter, flip)),
        threading.Thread(target=pump, args=(waiter, sender)),
    ]
    for t in threads[2:]:
        t.start()
    for t in threads:
        t.join()


main()
