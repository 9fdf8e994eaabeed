#!/usr/bin/env python3
"""rfc3550_ref.py - independent RFC 3550 reference numbers for an RTP capture.

usage: rfc3550_ref.py CAPTURE NAME.decode > NAME.rfc3550.tsv
       rfc3550_ref.py --fields FIELDS.tsv NAME.decode > NAME.rfc3550.tsv

Reads per-packet fields from tshark (it does NOT use tshark's RTP analysis tap):

  tshark -n -r CAPTURE <-d options of NAME.decode> -Y rtp -T fields -E occurrence=a \
    -E aggregator=, -e frame.time_epoch -e ip.src -e ipv6.src -e udp.srcport -e ip.dst -e ipv6.dst \
    -e udp.dstport -e rtp.seq -e rtp.timestamp -e rtp.ssrc -e rtp.p_type -e rtp.marker

A stream is (src, sport, dst, dport, SSRC); rows are in order of first appearance. Addresses
and ports are the last occurrence in a packet: the innermost when RTP travels in a tunnel
(GTP-U, VXLAN, GRE/ERSPAN), as Wireshark's RTP streams show them. RTP fields are the first:
tshark decodes PT 99 as RFC 2198 redundancy by default and then lists each block's payload
type after the header's own.
Per stream, every packet in capture (arrival) order:

* sequence accounting, RFC 3550 A.1/A.3: the 16-bit seq is extended to the value
  closest to the current highest extended seq (handles wrap and reordering).
  expected = highest_ext - first_ext + 1; lost = expected - received (negative
  with duplicates); duplicates = extended seq already seen; late = not a
  duplicate and lower than the highest extended seq seen before it.
* interarrival jitter, RFC 3550 A.8, over every packet (reordered and duplicate
  ones included), in timestamp units:
  D = (arrival_i - arrival_{i-1}) * clock - (ts_i - ts_{i-1} as signed 32-bit)
  J += (|D| - J) / 16.  final_jitter_ts = J after the last packet (what an RTCP
  RR would carry, modulo integer truncation), final_jitter_ms = J / clock * 1000.
  max_jitter_ms / mean_jitter_ms: max / mean of the running J after each packet
  from the 2nd on.
* max_delta_ms / mean_delta_ms: interarrival times between consecutive packets of
  the stream (all packets); duration_s = last - first arrival.
* telephone events: packets of a payload type listed on a `#events PT` line of
  NAME.decode (RFC 4733, whose timestamp is the event's start, not the packet's
  time) count for the sequence accounting and the deltas but are left out of A.8:
  the next audio packet is measured against the last audio packet.
* clock_hz: RFC 3551 static table (G.722 PT 9 is 8000 Hz by definition), or the
  `#clock PT=RATE` lines of NAME.decode for dynamic PTs; 0 = unknown (jitter
  columns then empty).
"""
import subprocess
import sys

# RFC 3551's table, with RFC 1890's 1 (FS-1016) and 2 (G.721), which tshark still times at 8 kHz.
STATIC = {0: 8000, 1: 8000, 2: 8000, 3: 8000, 4: 8000, 5: 8000, 6: 16000, 7: 8000, 8: 8000, 9: 8000,
          10: 44100, 11: 44100, 12: 8000, 13: 8000, 14: 90000, 15: 8000, 16: 11025,
          17: 22050, 18: 8000, 25: 90000, 26: 90000, 28: 90000, 31: 90000, 32: 90000,
          33: 90000, 34: 90000}

FIELDS = ["frame.time_epoch", "ip.src", "ipv6.src", "udp.srcport", "ip.dst", "ipv6.dst",
          "udp.dstport", "rtp.seq", "rtp.timestamp", "rtp.ssrc", "rtp.p_type", "rtp.marker"]


def read_decode(path):
    opts, clocks, events = [], {}, set()
    for line in open(path):
        line = line.strip()
        if not line:
            continue
        if line.startswith("#clock"):
            pt, rate = line.split()[1].split("=")
            clocks[int(pt)] = int(rate)
        elif line.startswith("#events"):
            events.update(int(pt) for pt in line.split()[1:])
        elif not line.startswith("#"):
            opts += line.split()
    return opts, clocks, events


def tshark_fields(capture, opts):
    cmd = ["tshark", "-n", "-r", capture] + opts + ["-Y", "rtp", "-T", "fields", "-E", "occurrence=a",
                                                   "-E", "aggregator=,"]
    for f in FIELDS:
        cmd += ["-e", f]
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines()


def s32(x):
    x &= 0xFFFFFFFF
    return x - 0x100000000 if x >= 0x80000000 else x


class Stream:
    def __init__(self, key, pt):
        self.key = key
        self.pt = pt
        self.n = 0
        self.seen = set()
        self.first_ext = None
        self.max_ext = None
        self.dups = 0
        self.late = 0
        self.t_first = self.t_prev = None
        # the previous packet that took part in A.8 (every packet but telephone events)
        self.tj_prev = self.ts_prev = None
        self.max_delta = 0.0
        self.j = 0.0
        self.js = []

    def add(self, t, seq, ts, clock, event=False):
        self.n += 1
        if self.max_ext is None:
            ext = seq
            self.first_ext = self.max_ext = ext
        else:
            d = (seq - (self.max_ext & 0xFFFF)) & 0xFFFF
            if d >= 0x8000:
                d -= 0x10000
            ext = self.max_ext + d
        if ext in self.seen:
            self.dups += 1
        elif ext < self.max_ext:
            self.late += 1
        self.seen.add(ext)
        self.max_ext = max(self.max_ext, ext)
        if self.t_prev is None:
            self.t_first = t
        else:
            self.max_delta = max(self.max_delta, (t - self.t_prev) * 1000.0)
        if clock and not event:
            if self.tj_prev is not None:
                dd = (t - self.tj_prev) * clock - s32(ts - self.ts_prev)
                self.j += (abs(dd) - self.j) / 16.0
                self.js.append(self.j / clock * 1000.0)
            self.tj_prev = t
            self.ts_prev = ts
        self.t_prev = t


def main():
    args = sys.argv[1:]
    if args and args[0] == "--fields":
        lines = open(args[1]).read().splitlines()
        _, clocks, events = read_decode(args[2])
    else:
        opts, clocks, events = read_decode(args[1])
        lines = tshark_fields(args[0], opts)
    streams = {}
    sec0 = None
    for line in lines:
        # Every occurrence, comma-separated (a --fields file may hold only one): the last of the
        # addresses and ports, the first of the RTP header's fields.
        c = [v.split(",")[-1 if i < 7 else 0] for i, v in enumerate(line.split("\t"))]
        if len(c) < 12 or not c[7]:
            continue
        # relative time with full precision (epoch as a double loses ~0.1 us)
        sec, _, frac = c[0].partition(".")
        if sec0 is None:
            sec0 = int(sec)
        t = (int(sec) - sec0) + float("0." + (frac or "0"))
        src = c[1] or c[2]
        dst = c[4] or c[5]
        ssrc = int(c[9], 16) if c[9].startswith("0x") else int(c[9])
        key = (src, c[3], dst, c[6], "0x%08x" % ssrc)
        pt = int(c[10])
        st = streams.get(key)
        if st is None:
            st = streams[key] = Stream(key, pt)
        clock = clocks.get(st.pt, STATIC.get(st.pt, 0))
        st.add(t, int(c[7]), int(c[8]), clock, pt in events)
    cols = ["src", "sport", "dst", "dport", "ssrc", "pt", "clock_hz", "received", "expected", "lost",
            "lost_pct", "duplicates", "late", "seq_first", "seq_last_ext", "final_jitter_ms",
            "final_jitter_ts", "max_jitter_ms", "mean_jitter_ms", "max_delta_ms", "mean_delta_ms",
            "duration_s"]
    print("\t".join(cols))
    for st in streams.values():
        clock = clocks.get(st.pt, STATIC.get(st.pt, 0))
        expected = st.max_ext - st.first_ext + 1
        lost = expected - st.n
        dur = st.t_prev - st.t_first
        mean_delta = dur * 1000.0 / (st.n - 1) if st.n > 1 else 0.0
        if clock and st.js:
            jit = ["%.3f" % (st.j / clock * 1000.0), "%.3f" % st.j, "%.3f" % max(st.js),
                   "%.3f" % (sum(st.js) / len(st.js))]
        elif clock:
            jit = ["0.000", "0.000", "0.000", "0.000"]
        else:
            jit = ["", "", "", ""]
        row = list(st.key) + [str(st.pt), str(clock), str(st.n), str(expected), str(lost),
                              "%.2f" % (lost * 100.0 / expected), str(st.dups), str(st.late),
                              str(st.first_ext), str(st.max_ext)] + jit + [
                              "%.3f" % st.max_delta, "%.3f" % mean_delta, "%.3f" % dur]
        print("\t".join(row))


if __name__ == "__main__":
    main()
