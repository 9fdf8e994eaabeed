#!/usr/bin/env python3
"""pcaprewrite.py - rewrite an Ethernet classic pcap.

usage: pcaprewrite.py qinq IN OUT [S-VID C-VID]   outer 802.1ad (0x88a8) + inner 802.1Q (0x8100)
       pcaprewrite.py rawip IN OUT                strip Ethernet, LINKTYPE_RAW (101)
"""
import struct
import sys


def main():
    mode, src, dst = sys.argv[1:4]
    data = open(src, "rb").read()
    magic = data[:4]
    endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    vmaj, vmin, tz, sig, snap, lt = struct.unpack(endian + "HHiIII", data[4:24])
    assert lt == 1, f"linktype {lt} is not Ethernet"
    svid, cvid = (int(sys.argv[4]), int(sys.argv[5])) if len(sys.argv) > 5 else (200, 300)
    newlt = 101 if mode == "rawip" else 1
    out = bytearray(data[:4] + struct.pack(endian + "HHiIII", vmaj, vmin, tz, sig, snap, newlt))
    off = 24
    n = 0
    while off + 16 <= len(data):
        ts1, ts2, incl, orig = struct.unpack(endian + "IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if mode == "qinq":
            ethertype = frame[12:14]
            tags = struct.pack("!HH", 0x88A8, (3 << 13) | svid) + struct.pack("!HH", 0x8100, (5 << 13) | cvid)
            frame = frame[:12] + tags + ethertype + frame[14:]
            incl += 8
            orig += 8
        elif mode == "rawip":
            frame = frame[14:]
            incl -= 14
            orig -= 14
        out += struct.pack(endian + "IIII", ts1, ts2, incl, orig) + frame
        n += 1
    open(dst, "wb").write(out)
    print(f"{n} frames -> {dst}")


if __name__ == "__main__":
    main()
