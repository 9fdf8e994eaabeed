#!/usr/bin/env python3
"""netem_lite.py - seeded user-space UDP relay with netem-like impairments.

Written for rtpscope's test captures because the kernel here has no `tc netem`.

Datagrams received on --listen are forwarded, unmodified, from a socket bound to
--bind to the address --to.  Every datagram gets a set of decisions drawn from
seeded random generators (one independent generator per kind of decision, so
e.g. turning on duplication does not change the loss pattern of a given seed):

  * iid loss          --loss PCT
  * Gilbert-Elliott   --ge-p PCT --ge-r PCT [--ge-bad-loss PCT] [--ge-good-loss PCT]
                      (state GOOD/BAD; the loss decision uses the current state,
                      then the state transitions: GOOD->BAD with p, BAD->GOOD with r.
                      Mean burst length 1/r; stationary loss ~ p/(p+r) * bad_loss)
  * delay + jitter    --delay MS --jitter MS --dist normal|uniform
                      normal: N(delay, jitter); uniform: U(delay-jitter, delay+jitter);
                      truncated at 0.  Datagrams are released in order of their
                      scheduled send time, so large jitter REORDERS (like netem).
  * reordering        --reorder PCT (netem semantics: PCT% are sent at once,
                      the rest with the configured delay -> they overtake)
  * duplication       --dup PCT (an extra copy is sent right after the original,
                      or --dup-gap MS later)
  * --spare-first N   never impair the first N datagrams (loss before the first
                      received packet is invisible to any receiver).

Optional reverse path: datagrams that arrive on the --bind socket (i.e. from the
far side) are sent back out of the --listen socket to --reverse-to (default: the
last source address seen on --listen), delayed by --reverse-delay MS (normal with
--reverse-jitter MS of deviation, truncated at 0) and dropped with --reverse-loss PCT
(logged as rev-drop), each from its own seeded generator.

Every decision is logged to --truth as TSV:
  idx rtp_seq rtp_ts rtp_ssrc t_in_epoch action delay_ms t_out_epoch
action is one of fwd, drop-iid, drop-ge, reorder-now, dup (the extra copy), rev.
Rows are written when the datagram leaves (drops: when it arrives), so they are
not necessarily in idx order.

Addresses are HOST:PORT, IPv6 as [ADDR]:PORT.
The relay exits after --idle-exit seconds without traffic (once traffic started)
or after --max-time seconds.
"""
import argparse
import heapq
import random
import select
import socket
import struct
import sys
import time


def parse_addr(s):
    if s.startswith("["):
        host, _, port = s[1:].partition("]:")
    else:
        host, _, port = s.rpartition(":")
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    return fam, (host, int(port))


def rtp_fields(data):
    if len(data) >= 12 and (data[0] >> 6) == 2:
        seq, ts, ssrc = struct.unpack("!HII", data[2:12])
        return str(seq), str(ts), "0x%08x" % ssrc
    return "", "", ""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--listen", required=True)
    ap.add_argument("--to", required=True)
    ap.add_argument("--bind", required=True)
    ap.add_argument("--truth", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--delay", type=float, default=0.0)
    ap.add_argument("--jitter", type=float, default=0.0)
    ap.add_argument("--dist", choices=["normal", "uniform"], default="normal")
    ap.add_argument("--loss", type=float, default=0.0)
    ap.add_argument("--ge-p", type=float, default=0.0)
    ap.add_argument("--ge-r", type=float, default=100.0)
    ap.add_argument("--ge-bad-loss", type=float, default=100.0)
    ap.add_argument("--ge-good-loss", type=float, default=0.0)
    ap.add_argument("--dup", type=float, default=0.0)
    ap.add_argument("--dup-gap", type=float, default=0.0)
    ap.add_argument("--reorder", type=float, default=0.0)
    ap.add_argument("--spare-first", type=int, default=0)
    ap.add_argument("--reverse-to", default=None)
    ap.add_argument("--reverse-delay", type=float, default=0.0)
    ap.add_argument("--reverse-jitter", type=float, default=0.0, help="ms, normal deviation")
    ap.add_argument("--reverse-loss", type=float, default=0.0, help="percent")
    ap.add_argument("--idle-exit", type=float, default=3.0)
    ap.add_argument("--max-time", type=float, default=120.0)
    a = ap.parse_args()

    lfam, laddr = parse_addr(a.listen)
    bfam, baddr = parse_addr(a.bind)
    _, toaddr = parse_addr(a.to)
    rev_to = parse_addr(a.reverse_to)[1] if a.reverse_to else None

    lsock = socket.socket(lfam, socket.SOCK_DGRAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(laddr)
    bsock = socket.socket(bfam, socket.SOCK_DGRAM)
    bsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    bsock.bind(baddr)

    # one generator per decision kind (string seeds are hashed deterministically)
    r_loss = random.Random("loss-%d" % a.seed)
    r_ge = random.Random("ge-%d" % a.seed)
    r_dup = random.Random("dup-%d" % a.seed)
    r_reo = random.Random("reorder-%d" % a.seed)
    r_delay = random.Random("delay-%d" % a.seed)
    r_rloss = random.Random("rloss-%d" % a.seed)
    r_rdelay = random.Random("rdelay-%d" % a.seed)

    out = open(a.truth, "w", buffering=1)
    out.write("# netem_lite " + " ".join(sys.argv[1:]) + "\n")
    out.write("idx\trtp_seq\trtp_ts\trtp_ssrc\tt_in_epoch\taction\tdelay_ms\tt_out_epoch\n")

    ge_bad = False
    heap = []  # (due_mono, order, sock, dest, data, logrow-prefix, action, delay_ms)
    order = 0
    idx = 0
    last_peer = None
    t_start = time.monotonic()
    t_last_rx = None

    def draw_delay():
        if a.jitter <= 0:
            return max(0.0, a.delay)
        if a.dist == "normal":
            d = r_delay.gauss(a.delay, a.jitter)
        else:
            d = r_delay.uniform(a.delay - a.jitter, a.delay + a.jitter)
        return max(0.0, d)

    while True:
        now = time.monotonic()
        # send everything that is due
        while heap and heap[0][0] <= now:
            _, _, sock, dest, data, pre, action, dms = heapq.heappop(heap)
            sock.sendto(data, dest)
            out.write("%s\t%s\t%.3f\t%.6f\n" % (pre, action, dms, time.time()))
        if now - t_start > a.max_time:
            break
        if t_last_rx is not None and not heap and now - t_last_rx > a.idle_exit:
            break
        timeout = 0.2
        if heap:
            timeout = max(0.0, min(timeout, heap[0][0] - now))
        r, _, _ = select.select([lsock, bsock], [], [], timeout)
        for s in r:
            data, src = s.recvfrom(65535)
            t_mono = time.monotonic()
            t_epoch = time.time()
            t_last_rx = t_mono
            idx += 1
            seq, ts, ssrc = rtp_fields(data)
            pre = "%d\t%s\t%s\t%s\t%.6f" % (idx, seq, ts, ssrc, t_epoch)
            if s is bsock:  # reverse direction
                dest = rev_to or last_peer
                if dest is None:
                    out.write("%s\tdrop-nopeer\t\t\n" % pre)
                    continue
                if r_rloss.random() * 100.0 < a.reverse_loss:
                    out.write("%s\trev-drop\t\t\n" % pre)
                    continue
                rd = a.reverse_delay
                if a.reverse_jitter > 0:
                    rd = max(0.0, r_rdelay.gauss(a.reverse_delay, a.reverse_jitter))
                order += 1
                heapq.heappush(heap, (t_mono + rd / 1000.0, order, lsock, dest, data, pre, "rev", rd))
                continue
            last_peer = src
            # draw every decision for every packet so patterns depend only on idx
            u_loss = r_loss.random() * 100.0
            u_ge = r_ge.random() * 100.0
            u_ge_t = r_ge.random() * 100.0
            u_dup = r_dup.random() * 100.0
            u_reo = r_reo.random() * 100.0
            dms = draw_delay()
            spared = idx <= a.spare_first
            if a.ge_p > 0:
                ge_loss = u_ge < (a.ge_bad_loss if ge_bad else a.ge_good_loss)
                ge_bad = (u_ge_t >= a.ge_r) if ge_bad else (u_ge_t < a.ge_p)
            else:
                ge_loss = False
            if not spared and u_loss < a.loss:
                out.write("%s\tdrop-iid\t\t\n" % pre)
                continue
            if not spared and ge_loss:
                out.write("%s\tdrop-ge\t\t\n" % pre)
                continue
            action = "fwd"
            if not spared and a.reorder > 0 and u_reo < a.reorder:
                dms = 0.0
                action = "reorder-now"
            order += 1
            heapq.heappush(heap, (t_mono + dms / 1000.0, order, bsock, toaddr, data, pre, action, dms))
            if not spared and u_dup < a.dup:
                order += 1
                heapq.heappush(heap, (t_mono + (dms + a.dup_gap) / 1000.0, order, bsock, toaddr, data, pre, "dup", dms + a.dup_gap))
    out.close()


if __name__ == "__main__":
    main()
