#!/usr/bin/env python3
"""vlan4.py IN OUT VID [--ipv6] - Ethernet pcap: insert an 802.1Q tag (VID, PCP 5) into IPv4 frames
only (IPv6 stays untagged), or into IPv6 frames too with --ipv6.
(The kernel here has no 8021q module, so the VLAN cannot be made live.)"""
import struct, sys
src, dst, vid = sys.argv[1], sys.argv[2], int(sys.argv[3])
d = open(src, "rb").read(); e = "<" if d[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
out = bytearray(d[:24]); off = 24; n = t = 0
while off + 16 <= len(d):
    ts1, ts2, incl, orig = struct.unpack(e + "IIII", d[off:off + 16]); fr = d[off + 16:off + 16 + incl]; off += 16 + incl
    if fr[12:14] == b"\x08\x00" or ("--ipv6" in sys.argv[4:] and fr[12:14] == b"\x86\xdd"):
        fr = fr[:12] + struct.pack("!HH", 0x8100, (5 << 13) | vid) + fr[12:]; incl += 4; orig += 4; t += 1
    out += struct.pack(e + "IIII", ts1, ts2, incl, orig) + fr; n += 1
open(dst, "wb").write(out); print(f"{n} frames, {t} tagged -> {dst}")
