#!/usr/bin/env python3
"""noise.py - non-RTP UDP for the mixed-noise capture (flow-detection tests).

  noise.py dns-server --bind 198.51.100.44
      tiny DNS-ish responder on UDP 53: answers any A query with 198.51.100.53
      (and echoes the question); exits after --max-time seconds.
  noise.py sink --bind ADDR --ports 9999,514
      binds the ports and discards everything (so the kernel sends no ICMP).
  noise.py send --bind 198.51.100.33 --to 198.51.100.44 --seconds 3 --seed 7
      sends, paced over --seconds: 30 random-byte datagrams 7777 -> 9999
      (every 5th starts with byte 0x80, i.e. looks like RTP version 2, but its
      "seq"/"ts"/"ssrc" are random), and 3 syslog-like text datagrams 51400 -> 514.
"""
import argparse
import random
import socket
import struct
import time


def dns_server(a):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a.bind, 53))
    s.settimeout(0.5)
    t0 = time.time()
    while time.time() - t0 < a.max_time:
        try:
            q, peer = s.recvfrom(4096)
        except socket.timeout:
            continue
        if len(q) < 12:
            continue
        qid, flags, qd = struct.unpack("!HHH", q[:6])
        # question section: labels until 0, then qtype/qclass
        i = 12
        while i < len(q) and q[i] != 0:
            i += q[i] + 1
        question = q[12:i + 5]
        hdr = struct.pack("!HHHHHH", qid, 0x8180 | (flags & 0x0100), 1, 1, 0, 0)
        ans = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 300, 4) + socket.inet_aton("198.51.100.53")
        s.sendto(hdr + question + ans, peer)


def sink(a):
    socks = []
    for p in a.ports.split(","):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((a.bind, int(p)))
        socks.append(s)
    time.sleep(a.max_time)


def send(a):
    rnd = random.Random(a.seed)
    r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    r.bind((a.bind, 7777))
    sl = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sl.bind((a.bind, 51400))
    events = []
    for k in range(30):
        n = rnd.randint(20, 300)
        data = bytearray(rnd.getrandbits(8) for _ in range(n))
        if k % 5 == 0:
            data[0] = 0x80
        events.append((a.seconds * (k + 0.5) / 30, r, (a.to, 9999), bytes(data)))
    for k in range(3):
        txt = "<134>Nov 25 16:40:0%d edge-gw rtpscope[4242]: test message %d: link ok, no RTP here" % (k, k)
        events.append((a.seconds * (k + 0.25) / 3, sl, (a.to, 514), txt.encode()))
    events.sort(key=lambda e: e[0])
    t0 = time.monotonic()
    for due, s, dst, data in events:
        time.sleep(max(0.0, t0 + due - time.monotonic()))
        s.sendto(data, dst)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["dns-server", "sink", "send"])
    ap.add_argument("--bind", required=True)
    ap.add_argument("--to")
    ap.add_argument("--ports", default="9999,514")
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--max-time", type=float, default=30.0)
    a = ap.parse_args()
    {"dns-server": dns_server, "sink": sink, "send": send}[a.mode](a)


if __name__ == "__main__":
    main()
