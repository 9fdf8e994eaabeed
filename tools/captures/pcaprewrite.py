#!/usr/bin/env python3
"""pcaprewrite.py - rewrite an Ethernet classic pcap.

usage: pcaprewrite.py qinq IN OUT [S-VID C-VID]   outer 802.1ad (0x88a8) + inner 802.1Q (0x8100)
       pcaprewrite.py rawip IN OUT                strip Ethernet, LINKTYPE_RAW (101)
       pcaprewrite.py pppoe IN OUT [VID]          each IPv4 packet in a PPPoE session (RFC 2516,
                                                  session 0x2a17, PPP protocol 0x0021) behind an
                                                  802.1Q tag (VLAN 7 unless given), as on a DSL
                                                  router's WAN port
       pcaprewrite.py gtpu IN OUT                 each IP packet in GTP-U (UDP 2152, TEID 0x1f2e3d4c)
                                                  with a 5G PDU session container extension
                                                  header, between 10.200.0.1 and 10.200.0.2
       pcaprewrite.py erspan IN OUT               each Ethernet frame in ERSPAN type II (GRE
                                                  0x88be with sequence numbers, session 7)
                                                  from 192.0.2.10 to 192.0.2.20

The tunnels are those a probe meets in a mobile core (GTP-U on N3/S1-U) and on a remote
mirror port (ERSPAN); the outer headers carry correct lengths and IPv4 checksums.
"""
import struct
import sys

OUTER_ETH = bytes.fromhex("020000000b02" "020000000b01")


def checksum(header):
    s = sum(struct.unpack("!%dH" % (len(header) // 2), header))
    while s > 0xFFFF:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload, ident):
    h = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident & 0xFFFF, 0x4000,
                              64, proto, 0, bytes(src), bytes(dst)))
    h[10:12] = struct.pack("!H", checksum(bytes(h)))
    return bytes(h) + payload


def gtpu(ip_packet, n):
    # flags: version 1, PT 1, E (extension header follows); G-PDU; length after the 8 bytes
    ext = bytes([1, 0x10, 0x09, 0])          # PDU session container: UL PDU, QFI 9; no next
    opt = struct.pack("!HBB", n & 0xFFFF, 0, 0x85)
    body = opt + ext + ip_packet
    gtp = struct.pack("!BBHI", 0x34, 0xFF, len(body), 0x1F2E3D4C) + body
    udp = struct.pack("!HHHH", 2152, 2152, 8 + len(gtp), 0) + gtp
    return OUTER_ETH + b"\x08\x00" + ipv4([10, 200, 0, 1], [10, 200, 0, 2], 17, udp, n)


def erspan(frame, n):
    # GRE: S flag (sequence number present), ERSPAN type II; ERSPAN II header: version 1,
    # VLAN 0, COS 0, En 0, T 0, session 7, index 0
    gre = struct.pack("!HHI", 0x1000, 0x88BE, n)
    hdr = struct.pack("!HHI", 0x1000, 7, 0)
    return OUTER_ETH + b"\x08\x00" + ipv4([192, 0, 2, 10], [192, 0, 2, 20], 47, gre + hdr + frame, n)


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
        elif mode == "pppoe":
            assert frame[12:14] == b"\x08\x00", "only IPv4 is carried in PPP protocol 0x0021"
            vid = int(sys.argv[4]) if len(sys.argv) > 4 else 7
            ip_len = struct.unpack("!H", frame[16:18])[0]
            pppoe = struct.pack("!BBHHH", 0x11, 0x00, 0x2A17, 2 + ip_len, 0x0021)
            tag = struct.pack("!HH", 0x8100, vid)
            head = frame[:12] + tag + b"\x88\x64" + pppoe
            frame = head + frame[14:]
            incl += len(head) - 14
            orig += len(head) - 14
        elif mode == "rawip":
            frame = frame[14:]
            incl -= 14
            orig -= 14
        elif mode in ("gtpu", "erspan"):
            assert incl == orig, "a cut frame cannot be wrapped whole"
            frame = gtpu(frame[14:], n) if mode == "gtpu" else erspan(frame, n)
            incl = orig = len(frame)
        out += struct.pack(endian + "IIII", ts1, ts2, incl, orig) + frame
        n += 1
    open(dst, "wb").write(out)
    print(f"{n} frames -> {dst}")


if __name__ == "__main__":
    main()
