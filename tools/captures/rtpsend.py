#!/usr/bin/env python3
"""rtpsend.py - a small real-time RTP sender for edge cases GStreamer cannot script.

usage: rtpsend.py --to HOST:PORT --bind HOST:PORT --scenario events|restart|outagewrap [--hbh]
       rtpsend.py --to HOST:PORT --bind HOST:PORT --scenario frames --frames FILE --frame-bytes N
                  --frame-samples N --pt PT --ssrc X [--per-packet K] [--seq N] [--ts N]

Packets are paced in real time (absolute schedule from a monotonic clock), payload is
PCMU of a sine tone (the payload bytes do not matter for the analysis).

events  : PCMU 20 ms, SSRC 0x0E7E0001, ~10 s:
          audio 0-2 s; DTMF '5' (PT 101, RFC 4733) 2.0-2.24 s replacing audio (marker on
          the first event packet, timestamp = event start, duration +160 per packet, 3 end
          packets with E bit and new seq numbers); audio to 5 s; silence 5-6.6 s as comfort
          noise PT 13 (first CN packet at 5.0 s, then every 400 ms, marker on the first);
          audio resumes at 6.6 s with the marker bit and the timestamp advanced by the
          elapsed time; DTMF '#' at 8.0-8.3 s; audio to 10 s.
restart : PCMU 30 ms ptime (240 samples), same 5-tuple throughout:
          SSRC 0xA0000001 seq from 1000, 0-4 s; then the SAME SSRC jumps seq by +3000 and ts
          by +1000000 (a sender restart that keeps its SSRC), 4-7 s; then a NEW SSRC 0xB0000002
          (new seq 50000, new ts) 7-10 s, then 2.5 s with no packets at all (no marker,
          no CN), then SSRC 0xB0000002 resumes at 12.5 s WITHOUT the marker bit, timestamp
          advanced by the elapsed time, to 15 s.
outagewrap: PCMU 20 ms, SSRC 0x0A7A6E01, sequence numbers from 65400, 16 s: 65534, 65535, 0
          and 1 are never sent (loss exactly at the wrap), and nothing is sent from 6.0 to
          12.0 s while sequence numbers and timestamps keep advancing (an outage).
frames  : a codec's real frames (e.g. GSM or G.723.1 written raw by ffmpeg), K frames a packet,
          paced at their duration on an 8 kHz clock, marker on the first packet. For codecs
          whose RTP payload format is the frames back to back (RFC 3551 GSM, G723).
--hbh   : IPv6 only: every datagram carries a Hop-by-Hop options extension header
          (PadN, via the IPV6_HOPOPTS socket option).
"""
import argparse
import math
import socket
import struct
import time


def addr(s):
    host, port = s.rsplit(":", 1)
    return host.strip("[]"), int(port)


def pcmu_tone(n, phase):
    out = bytearray()
    for i in range(n):
        x = int(8000 * math.sin(2 * math.pi * 440 * (phase + i) / 8000))
        # cheap mu-law
        sign = 0x80 if x < 0 else 0
        x = min(abs(x), 32635) + 132
        exp = 7
        while exp > 0 and not (x & (0x4000 >> (7 - exp))):
            exp -= 1
        mant = (x >> (exp + 3)) & 0x0F
        out.append(~(sign | (exp << 4) | mant) & 0xFF)
    return bytes(out)


def rtp(pt, seq, ts, ssrc, payload, marker=False):
    b0 = 0x80
    b1 = (0x80 if marker else 0) | pt
    return struct.pack("!BBHII", b0, b1, seq & 0xFFFF, ts & 0xFFFFFFFF, ssrc) + payload


def events_plan():
    """(t_seconds, bytes) list."""
    plan = []
    ssrc = 0x0E7E0001
    seq = 20000
    ts0 = 1_000_000
    ptime = 0.020
    t = 0.0
    i = 0  # 20 ms slot index
    tone = pcmu_tone(160, 0)

    def slot_ts(k):
        return ts0 + 160 * k

    def dtmf(start_slot, nslots, event):
        nonlocal seq
        ev_ts = slot_ts(start_slot)
        for j in range(nslots):
            dur = 160 * (j + 1)
            pl = struct.pack("!BBH", event, 10, dur)  # E=0, volume 10
            plan.append(((start_slot + j) * ptime, rtp(101, seq, ev_ts, ssrc, pl, marker=(j == 0))))
            seq += 1
        dur = 160 * nslots
        for r in range(3):
            pl = struct.pack("!BBH", event, 0x80 | 10, dur)
            plan.append(((start_slot + nslots + r) * ptime, rtp(101, seq, ev_ts, ssrc, pl)))
            seq += 1
        return start_slot + nslots + 3

    k = 0
    marker_next = True
    while k < 500:
        tsec = k * ptime
        if k == 100:  # 2.0 s: DTMF 5 for 12 slots (240 ms) + 3 end packets
            k = dtmf(100, 12, 5)
            continue
        if k == 250:  # 5.0 s: silence with CN until 6.6 s (slot 330)
            for c in range(0, 80, 20):  # CN every 400 ms
                plan.append(((250 + c) * ptime, rtp(13, seq, slot_ts(250 + c), ssrc, bytes([40]), marker=(c == 0))))
                seq += 1
            k = 330
            marker_next = True
            continue
        if k == 400:  # 8.0 s: DTMF '#' (11) 15 slots
            k = dtmf(400, 15, 11)
            continue
        plan.append((tsec, rtp(0, seq, slot_ts(k), ssrc, tone, marker=marker_next)))
        marker_next = False
        seq += 1
        k += 1
    return plan


def restart_plan():
    plan = []
    tone = pcmu_tone(240, 0)
    p = 0.030
    # segment 1: 0-4 s
    ssrc, seq, ts = 0xA0000001, 1000, 777_000
    n1 = int(4.0 / p)
    for k in range(n1):
        plan.append((k * p, rtp(0, seq + k, ts + 240 * k, ssrc, tone, marker=(k == 0))))
    # segment 2: same SSRC, seq +3000, ts +1,000,000, 4-7 s
    seq2, ts2 = seq + n1 + 3000, ts + 240 * n1 + 1_000_000
    n2 = int(3.0 / p)
    for k in range(n2):
        plan.append((4.0 + k * p, rtp(0, seq2 + k, ts2 + 240 * k, ssrc, tone, marker=(k == 0))))
    # segment 3: new SSRC 7-10 s, then 2.5 s of nothing, then resume 12.5-15 s
    ssrc3, seq3, ts3 = 0xB0000002, 50000, 4_000_000_000
    n3 = int(3.0 / p)
    for k in range(n3):
        plan.append((7.0 + k * p, rtp(0, seq3 + k, ts3 + 240 * k, ssrc3, tone, marker=(k == 0))))
    gap_slots = int(round(2.5 / p))
    n4 = int(2.5 / p)
    for k in range(n4):
        slot = n3 + gap_slots + k
        plan.append((7.0 + slot * p, rtp(0, seq3 + n3 + k, ts3 + 240 * slot, ssrc3, tone)))
    return plan


def outagewrap_plan():
    plan = []
    tone = pcmu_tone(160, 0)
    ssrc = 0x0A7A6E01
    for k in range(800):
        seq, ts, t = 65400 + k, 3_000_000 + 160 * k, k * 0.020
        if seq & 0xFFFF in (65534, 65535, 0, 1) or 6.0 - 1e-9 <= t < 12.0 - 1e-9:
            continue
        plan.append((t, rtp(0, seq, ts, ssrc, tone, marker=(k == 0))))
    return plan


def frames_plan(a):
    data = open(a.frames, "rb").read()
    per = a.frame_bytes * a.per_packet
    plan = []
    for k in range(len(data) // per):
        samples = k * a.frame_samples * a.per_packet
        payload = data[k * per:(k + 1) * per]
        pkt = rtp(a.pt, a.seq + k, a.ts + samples, a.ssrc, payload, marker=(k == 0))
        plan.append((samples / 8000.0, pkt))
    return plan


PLANS = {
    "events": lambda a: events_plan(),
    "restart": lambda a: restart_plan(),
    "outagewrap": lambda a: outagewrap_plan(),
    "frames": frames_plan,
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--to", required=True)
    ap.add_argument("--bind", required=True)
    ap.add_argument("--scenario", required=True, choices=sorted(PLANS))
    ap.add_argument("--hbh", action="store_true")
    ap.add_argument("--frames")
    ap.add_argument("--frame-bytes", type=int)
    ap.add_argument("--frame-samples", type=int)
    ap.add_argument("--per-packet", type=int, default=1)
    ap.add_argument("--pt", type=int)
    ap.add_argument("--ssrc", type=lambda x: int(x, 0))
    ap.add_argument("--seq", type=int, default=1)
    ap.add_argument("--ts", type=int, default=0)
    a = ap.parse_args()
    to, bind = addr(a.to), addr(a.bind)
    fam = socket.AF_INET6 if ":" in to[0] else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind(bind)
    if a.hbh:
        # Hop-by-Hop header: next header (filled by kernel), hdr ext len 0 (8 bytes), PadN of 4 data bytes
        IPV6_HOPOPTS = getattr(socket, "IPV6_HOPOPTS", 54)
        hbh = bytes([0, 0, 1, 4, 0, 0, 0, 0])
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_HOPOPTS, hbh)
    plan = PLANS[a.scenario](a)
    plan.sort(key=lambda x: x[0])
    t0 = time.monotonic() + 0.05
    for t, pkt in plan:
        d = t0 + t - time.monotonic()
        if d > 0:
            time.sleep(d)
        s.sendto(pkt, to)
    print(f"sent {len(plan)} datagrams")


if __name__ == "__main__":
    main()
