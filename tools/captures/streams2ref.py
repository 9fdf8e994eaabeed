#!/usr/bin/env python3
"""streams2ref.py - turn `tshark -q -z rtp,streams` text into NAME.ref.tsv.

usage: streams2ref.py NAME.tshark.txt > NAME.ref.tsv

Row order = tshark's order.  SSRC lower-cased.  The payload column may hold
several names (tshark joins them when the PT changes), so each row is parsed
from both ends: 7 fixed fields on the left, 9 (or 10 with the problem flag X)
on the right, the payload is what is in between.
"""
import re
import sys

COLS = ["src", "sport", "dst", "dport", "ssrc", "payload", "packets", "lost", "lost_pct",
        "max_delta_ms", "max_jitter_ms", "mean_jitter_ms", "min_delta_ms", "mean_delta_ms",
        "min_jitter_ms", "start_s", "end_s", "problems"]


def main():
    print("\t".join(COLS))
    n = 0
    for line in open(sys.argv[1]):
        t = line.split()
        if len(t) < 17 or not re.match(r"^-?\d+\.\d+$", t[0]):
            continue
        start, end, src, sport, dst, dport, ssrc = t[:7]
        rest = t[7:]
        problems = ""
        if rest[-1] == "X":
            problems = "X"
            rest = rest[:-1]
        (pkts, lost, pct, mind, meand, maxd, minj, meanj, maxj) = rest[-9:]
        payload = " ".join(rest[:-9])
        pct = pct.strip("()%")
        print("\t".join([src, sport, dst, dport, ssrc.lower(), payload, pkts, lost, pct, maxd, maxj,
                         meanj, mind, meand, minj, start, end, problems]))
        n += 1
    print("streams: %d" % n, file=sys.stderr)


if __name__ == "__main__":
    main()
