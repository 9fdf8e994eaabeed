#!/usr/bin/env python3
"""scenario_send.py - real-time RTP sender for the scenarios of make_edges.sh (paced on a monotonic clock).

scenarios:
 dtmf    PCMU 20 ms SSRC 0xD7F00001 seq 31000 ts 50000, 8 s; RFC 4733 event '1' at 2.0 s (10 slots,
         marker on first, ts = event start, then 3 end packets) replacing audio; event '9' at 5.0 s
         (20 slots + 3 end); audio resumes with marker after each event.
 switch  one SSRC 0xC0DEC001 seq 500 ts 9000, no markers at switches: 0-3 s PCMU (PT0, +160),
         3-6 s G.722 (PT9, +160), 6-9 s opus (PT111, 48 kHz, +960), 9-10 s PCMA (PT8, +160)
 outagewrap PCMU 20 ms SSRC 0x0A7A6E01 seq starts 65400 ts 3000000: 16 s; seqs 65534,65535,0,1
         not sent (loss exactly at the wrap); 6.0-12.0 s nothing sent (seq/ts keep advancing)
 skew    PCMU 20 ms SSRC 0x5CE40001 seq 100 ts 0: 20 s paced every 20 ms, timestamp +161 per packet
         (0.625 % fast)
 short   PCMU 20 ms SSRC 0x5E0B0002, 6 s only (then silence: one-way audio)
"""
import argparse, socket, struct, time, os

def addr(s):
    h, p = s.rsplit(":", 1); return h.strip("[]"), int(p)

def rtp(pt, seq, ts, ssrc, payload, marker=False):
    return struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | pt, seq & 0xFFFF, ts & 0xFFFFFFFF, ssrc) + payload

PAY = bytes((i * 37) & 0x7F | 0x80 for i in range(160))

def plan_dtmf():
    plan, ssrc, seq, ts0 = [], 0xD7F00001, 31000, 50000
    k, marker = 0, True
    def ev(start, n, code):
        nonlocal seq
        for j in range(n):
            plan.append(((start + j) * .02, rtp(101, seq, ts0 + 160 * start, ssrc, struct.pack("!BBH", code, 10, 160 * (j + 1)), j == 0))); seq += 1
        for r in range(3):
            plan.append(((start + n + r) * .02, rtp(101, seq, ts0 + 160 * start, ssrc, struct.pack("!BBH", code, 0x80 | 10, 160 * n)))); seq += 1
        return start + n + 3
    while k < 400:
        if k == 100: k = ev(100, 10, 1); marker = True; continue
        if k == 250: k = ev(250, 20, 9); marker = True; continue
        plan.append((k * .02, rtp(0, seq, ts0 + 160 * k, ssrc, PAY, marker))); marker = False; seq += 1; k += 1
    return plan

def plan_switch():
    plan, ssrc, seq, ts = [], 0xC0DEC001, 500, 9000
    for k in range(500):
        t = k * .02
        if t < 2.999: pt, inc, pay = 0, 160, PAY
        elif t < 5.999: pt, inc, pay = 9, 160, PAY
        elif t < 8.999: pt, inc, pay = 111, 960, PAY[:60]
        else: pt, inc, pay = 8, 160, PAY
        plan.append((t, rtp(pt, seq, ts, ssrc, pay))); seq += 1; ts += inc
    return plan

def plan_outagewrap():
    plan, ssrc = [], 0x0A7A6E01
    for k in range(800):
        seq = 65400 + k; ts = 3000000 + 160 * k; t = k * .02
        if (seq & 0xFFFF) in (65534, 65535, 0, 1): continue
        if 6.0 - 1e-9 <= t < 12.0 - 1e-9: continue
        plan.append((t, rtp(0, seq, ts, ssrc, PAY, k == 0)))
    return plan

def plan_skew():
    return [(k * .02, rtp(0, 100 + k, 161 * k, 0x5CE40001, PAY, k == 0)) for k in range(1000)]

def plan_short():
    return [(k * .02, rtp(0, 7000 + k, 80000 + 160 * k, 0x5E0B0002, PAY, k == 0)) for k in range(300)]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--to", required=True); ap.add_argument("--bind", required=True)
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--start-file", default=None, help="wait until this file exists")
    a = ap.parse_args()
    to, bind = addr(a.to), addr(a.bind)
    s = socket.socket(socket.AF_INET6 if ":" in to[0] else socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(bind)
    if a.start_file:
        while not os.path.exists(a.start_file): time.sleep(0.01)
    plan = sorted(globals()["plan_" + a.scenario](), key=lambda x: x[0])
    t0 = time.monotonic() + 0.05
    for t, pkt in plan:
        d = t0 + t - time.monotonic()
        if d > 0: time.sleep(d)
        s.sendto(pkt, to)
    print(f"{a.scenario}: sent {len(plan)} datagrams")

if __name__ == "__main__":
    main()
