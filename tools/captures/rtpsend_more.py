#!/usr/bin/env python3
"""rtpsend_more.py - more scripted RTP senders for make_round2.sh (imports rtpsend.py's helpers).
scenarios: dtmf, cn, codecswitch, hdrext, drift, tsjump, segs
segs: --seg START:DUR:PT:CLOCK:PTIME_MS:BIND_PORT:TO_HOST:TO_PORT[:MARK] (repeatable), one SSRC, ts continues
      (ts = base + round(elapsed_s*clock)), seq continues; separate socket per bind port.
"""
import argparse, math, socket, struct, sys, time, os
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rtpsend import pcmu_tone, rtp

TONE = pcmu_tone(160, 0)

def rtpx(pt, seq, ts, ssrc, payload, marker=False, csrcs=(), ext=None, pad=0):
    b0 = 0x80 | (0x20 if pad else 0) | (0x10 if ext is not None else 0) | len(csrcs)
    b1 = (0x80 if marker else 0) | pt
    h = struct.pack("!BBHII", b0, b1, seq & 0xFFFF, ts & 0xFFFFFFFF, ssrc)
    for c in csrcs: h += struct.pack("!I", c)
    if ext is not None:
        prof, data = ext
        data += b"\0" * ((-len(data)) % 4)
        h += struct.pack("!HH", prof, len(data) // 4) + data
    p = b""
    if pad: p = b"\0" * (pad - 1) + bytes([pad])
    return h + payload + p

def dtmf_plan(a):
    plan = []; ssrc = a.ssrc; seq = a.seq; ts0 = a.ts; evpt = a.evpt
    # events: (start_slot, nslots, event)
    events = {100: (5, 1), 108: (4, 2), 116: (6, 3), 124: (5, 11), 400: (75, 0)}
    k = 0; mark = True
    while k < 600:
        if k in events:
            n, ev = events[k]
            for j in range(n):
                pl = struct.pack("!BBH", ev, 10, 160 * (j + 1))
                plan.append(((k + j) * 0.02, rtp(evpt, seq, ts0 + 160 * k, ssrc, pl, marker=(j == 0)))); seq += 1
            for r in range(3):
                pl = struct.pack("!BBH", ev, 0x80 | 10, 160 * n)
                plan.append(((k + n + r) * 0.02, rtp(evpt, seq, ts0 + 160 * k, ssrc, pl))); seq += 1
            k += n + 3; continue
        plan.append((k * 0.02, rtp(0, seq, ts0 + 160 * k, ssrc, TONE, marker=mark))); mark = False; seq += 1; k += 1
    return plan

def cn_plan(a):
    plan = []; ssrc = a.ssrc; seq = a.seq; ts0 = a.ts; k = 0; mark = True
    while k < 700:  # 14 s
        t = k * 0.02
        if k == 150:   # 3.0-5.0 s CN every 200 ms
            for c in range(0, 100, 10):
                plan.append(((150 + c) * 0.02, rtp(13, seq, ts0 + 160 * (150 + c), ssrc, bytes([50]))))
                seq += 1
            k = 250; mark = True; continue
        if k == 400:   # 8.0-10.0 s nothing at all (silence suppression without CN)
            k = 500; mark = True; continue
        plan.append((t, rtp(0, seq, ts0 + 160 * k, ssrc, TONE, marker=mark))); mark = False; seq += 1; k += 1
    return plan

def codecswitch_plan(a):
    plan = []; ssrc = a.ssrc; seq = a.seq; ts = a.ts; t = 0.0
    for pt, ptime, n in ((0, 0.02, 200), (8, 0.02, 200), (9, 0.03, 133)):
        spp = int(8000 * ptime)
        for k in range(n):
            plan.append((t, rtp(pt, seq, ts, ssrc, (TONE * 2)[:spp], marker=(seq == a.seq)))); seq += 1; ts += spp; t += ptime
    return plan

def hdrext_plan(a):
    plan = []; ssrc = a.ssrc; seq = a.seq; ts0 = a.ts
    for k in range(600):
        t = k * 0.02; seg = k // 150
        kw = {}
        if seg == 0: kw = dict(csrcs=(0x11111111, 0x22222222))
        elif seg == 1: kw = dict(ext=(0xBEDE, bytes([0x10, 0x80 | 40, 0x32, 0xAA, 0xBB, 0xCC])), pad=4)
        elif seg == 2: kw = dict(ext=(0x1000, bytes([1, 0, 2, 5, 1, 2, 3, 4, 5])), csrcs=(0x33333333,))
        else: kw = dict(csrcs=tuple(range(0x40000001, 0x40000010)), pad=7, ext=(0xBEDE, bytes([0x10, 0x85])))
        plan.append((t, rtpx(0, seq + k, ts0 + 160 * k, ssrc, TONE, marker=(k == 0), **kw)))
    return plan

def drift_plan(a):
    return [(k * 0.02 / a.rate, rtp(0, a.seq + k, a.ts + 160 * k, a.ssrc, TONE, marker=(k == 0))) for k in range(int(a.secs / 0.02))]

def tsjump_plan(a):
    plan = []
    for k in range(750):
        ts = a.ts + 160 * k
        if k >= 250: ts += 40000
        if k >= 500: ts -= 48000
        plan.append((k * 0.02, rtp(0, a.seq + k, ts, a.ssrc, TONE, marker=(k == 0))))
    return plan

def segs_plan(a):
    plan = []; seq = a.seq
    for s in a.seg:
        f = s.split(":")
        st, dur, pt, clock, ptime, bport, host, port = float(f[0]), float(f[1]), int(f[2]), int(f[3]), float(f[4]) / 1000, int(f[5]), f[6], int(f[7])
        mark = len(f) > 8 and f[8] == "M"
        n = int(round(dur / ptime))
        for k in range(n):
            t = st + k * ptime
            ts = a.ts + int(round(t * clock))
            if pt == 0 or pt == 8:
                pl = (TONE * 2)[:int(8000 * ptime)]
            else:
                pl = bytes([0x78]) + bytes(range(40))
            plan.append((t, (bport, host, port), rtp(pt, seq, ts, a.ssrc, pl, marker=(mark and k == 0)))); seq += 1
    return plan

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--to"); ap.add_argument("--bind")
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--ssrc", type=lambda x: int(x, 0), default=0x12345678)
    ap.add_argument("--seq", type=int, default=1000); ap.add_argument("--ts", type=int, default=10000)
    ap.add_argument("--evpt", type=int, default=101); ap.add_argument("--rate", type=float, default=1.0)
    ap.add_argument("--secs", type=float, default=20.0)
    ap.add_argument("--bindhost", default="0.0.0.0")
    ap.add_argument("--seg", action="append", default=[])
    a = ap.parse_args()
    if a.scenario == "segs":
        plan = segs_plan(a); socks = {}
        fam = socket.AF_INET6 if ":" in a.bindhost else socket.AF_INET
        for _, (bp, _, _), _ in plan:
            if bp not in socks:
                s = socket.socket(fam, socket.SOCK_DGRAM); s.bind((a.bindhost, bp)); socks[bp] = s
        plan.sort(key=lambda x: x[0]); t0 = time.monotonic() + 0.05
        for t, (bp, h, p), pkt in plan:
            d = t0 + t - time.monotonic()
            if d > 0: time.sleep(d)
            socks[bp].sendto(pkt, (h, p))
        print("sent", len(plan)); return
    plan = {"dtmf": dtmf_plan, "cn": cn_plan, "codecswitch": codecswitch_plan, "hdrext": hdrext_plan,
            "drift": drift_plan, "tsjump": tsjump_plan}[a.scenario](a)
    host, port = a.to.rsplit(":", 1); bh, bp = a.bind.rsplit(":", 1)
    to = (host.strip("[]"), int(port)); bind = (bh.strip("[]"), int(bp))
    s = socket.socket(socket.AF_INET6 if ":" in to[0] else socket.AF_INET, socket.SOCK_DGRAM); s.bind(bind)
    plan.sort(key=lambda x: x[0]); t0 = time.monotonic() + 0.05
    for t, pkt in plan:
        d = t0 + t - time.monotonic()
        if d > 0: time.sleep(d)
        s.sendto(pkt, to)
    print("sent", len(plan))

if __name__ == "__main__":
    main()
