#!/usr/bin/env python3
"""manifest.py ROOT - build tests/data/MANIFEST.md, tests/data/mixed-noise.flows.tsv and
samples/README.md from the captures, their reference files, truth logs and command logs.
Called at the end of tools/captures/make.sh."""
import collections
import datetime
import os
import re
import subprocess
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else "."
OUT = os.path.join(ROOT, "tests/data")
SAMPLES = os.path.join(ROOT, "samples")
LOGS = os.path.join(ROOT, "tools/captures/logs")


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout
    except Exception:
        return ""


def capinfo(path):
    txt = sh("capinfos '%s'" % path)
    info = {}
    for line in txt.splitlines():
        k, _, v = line.partition(":")
        info[k.strip()] = v.strip()
    return info


def tsv(path):
    if not os.path.exists(path):
        return []
    lines = [l.rstrip("\n") for l in open(path) if l.strip() and not l.startswith("#")]
    hdr = lines[0].split("\t")
    return [dict(zip(hdr, l.split("\t"))) for l in lines[1:]]


def decode(path):
    opts, clocks = [], []
    for l in open(path):
        l = l.strip()
        if l.startswith("#clock"):
            clocks.append(l.split()[1])
        elif l.startswith("-"):
            opts.append(l)
    return opts, clocks


def truth_summary(path):
    rows = tsv(path)
    if not rows:
        return None
    idx = set(r["idx"] for r in rows)
    acts = collections.Counter(r["action"] for r in rows)
    drawn = [float(r["delay_ms"]) for r in rows if r["action"] in ("fwd", "reorder-now", "dup") and r["delay_ms"]]
    lat = [(float(r["t_out_epoch"]) - float(r["t_in_epoch"])) * 1000 for r in rows
           if r["t_out_epoch"] and r["action"] != "rev"]
    rev = [(float(r["t_out_epoch"]) - float(r["t_in_epoch"])) * 1000 for r in rows if r["action"] == "rev"]
    s = "%d datagrams in; actions: %s" % (len(idx), ", ".join("%s=%d" % kv for kv in sorted(acts.items())))
    if drawn:
        s += "; drawn delay ms min/mean/max %.1f/%.1f/%.1f" % (min(drawn), sum(drawn) / len(drawn), max(drawn))
    if lat:
        s += "; actual relay latency ms min/mean/max %.2f/%.2f/%.2f" % (min(lat), sum(lat) / len(lat), max(lat))
    if rev:
        s += "; reverse path (rev) latency ms min/mean/max %.2f/%.2f/%.2f" % (min(rev), sum(rev) / len(rev), max(rev))
    drops = [r for r in rows if r["action"].startswith("drop")]
    if drops:
        seqs = [r["rtp_seq"] for r in sorted(drops, key=lambda r: int(r["idx"])) if r["rtp_seq"]]
        s += "; dropped seq (in order): " + " ".join(seqs)
    dups = [r for r in rows if r["action"] == "dup"]
    if dups:
        s += "; duplicated seq (in order): " + " ".join(r["rtp_seq"] for r in sorted(dups, key=lambda r: int(r["idx"])))
    return s


def flows(path, opts):
    """(src, sport, dst, dport) -> packets, with a kind label; for mixed-noise."""
    out = sh("tshark -n -r '%s' %s -T fields -E occurrence=f -e ip.src -e udp.srcport -e ip.dst "
             "-e udp.dstport -e _ws.col.Protocol" % (path, " ".join(opts)))
    c = collections.OrderedDict()
    for l in out.splitlines():
        f = l.split("\t")
        if len(f) < 5:
            continue
        k = tuple(f[:4])
        if k not in c:
            c[k] = [0, f[4]]
        c[k][0] += 1
    return c


def kind_of(k, proto):
    sport, dport = k[1], k[3]
    if proto == "RTP":
        return "rtp"
    if "53" in (sport, dport):
        return "dns"
    if "514" in (sport, dport):
        return "syslog"
    if "9999" in (sport, dport):
        return "random"
    return proto.lower()


CAPS = [
    ("pcmu-clean", OUT, "pcmu-clean.pcap",
     "Baseline: one PCMU/8000 stream, 20 ms packets, 3 s (150 packets), GStreamer -> loopback 127.0.0.1 of namespace "
     "`rtps_a` (isolated from the host's loopback), captured by tcpdump on that `lo`, microsecond pcap. No impairment.",
     ["truth/pcmu-clean.capture-stats.txt"]),
    ("pcma-jitter", OUT, "pcma-jitter.pcap",
     "PCMA/8000, 4 s (200 packets) sent through netem_lite with netem semantics `delay 30ms 15ms distribution normal` "
     "(per-packet delay ~ N(30, 15) ms truncated at 0, released in send-time order, so it REORDERS), over the veth "
     "rtps_a -> rtps_b, captured on B's interface with `tcpdump --time-stamp-precision=nano`: **nanosecond pcap** "
     "(magic 0xa1b23c4d). RTP timestamp starts at 4294966000 and wraps to 0 after ~8 packets.",
     ["truth/pcma-jitter.truth.tsv", "truth/pcma-jitter.capture-stats.txt"]),
    ("g722-loss-ipv6", OUT, "g722-loss-ipv6.pcapng",
     "G.722 (static PT 9; the RTP clock rate is 8000 Hz per RFC 3551 although the audio is sampled at 16 kHz, so the "
     "timestamp advances 160 per 20 ms packet) from GStreamer `avenc_g722 ! rtpg722pay`, 4 s (200 packets), over "
     "**IPv6** (2001:db8:33::33 -> 2001:db8:33::44) through netem_lite with 10 ms fixed delay and **Gilbert-Elliott "
     "burst loss** (p = 2% good->bad, r = 30% bad->good, 100% loss in the bad state, the first datagram spared), "
     "captured by `dumpcap` (real **pcapng**: SHB/IDB/EPB blocks). RTP timestamp starts at 3000000000.",
     ["truth/g722-loss-ipv6.truth.tsv", "truth/g722-loss-ipv6.capture-stats.txt"]),
    ("opus-dup-sll2", OUT, "opus-dup-sll2.pcap",
     "Opus (dynamic PT 111, 48 kHz RTP clock, 20 ms frames -> timestamp +960 per packet, mono 24 kbit/s, variable "
     "packet size) 3 s (150 packets) through netem_lite with 2 ms delay and **5% duplication** (the copy follows "
     "the original immediately). Sequence numbers start at 65500 and **wrap** after 36 packets. Captured on B with "
     "`tcpdump -i any -y LINUX_SLL2`: **Linux cooked v2** (DLT 276). No SDP in the file, so tshark shows the payload "
     "as `RTPType-111` with jitter 0 / min jitter -1; the clock rate for the RFC 3550 numbers comes from "
     "`#clock 111=48000` in the .decode file. Duplicates make tshark's Lost negative.",
     ["truth/opus-dup-sll2.truth.tsv", "truth/opus-dup-sll2.capture-stats.txt"]),
    ("rtcp-rr", OUT, "rtcp-rr.pcap",
     "PCMU + RTCP with GStreamer rtpbin at both ends (sender in rtps_a, receiver in rtps_b; RTCP interval lowered "
     "to 1 s with `rtpsession0::rtcp-min-interval=1000000000`), 6 s (300 RTP packets). netem_lite adds 30 ms (+-4 ms "
     "uniform) and 3% iid loss on RTP A->B, and 30 ms on RTCP in both directions (SR A->B, RR B->A). Captured on "
     "the SENDER's loopback (RTP 127.0.0.1:5402 -> 6400, SR 5403 -> 6401, RR back 6401 -> 5403) i.e. BEFORE the "
     "impairment: the RTP stream in the file is complete, while the receiver's RRs report the loss and jitter it "
     "saw (fraction lost, cumulative lost, interarrival jitter), and the RTCP round trip (RR arrival - LSR - DLSR) "
     "is ~60 ms. tshark's round-trip values are in `rtcp-rr.rtt.txt`.",
     ["truth/rtcp-rr-rtp.truth.tsv", "truth/rtcp-rr-rtcp.truth.tsv", "truth/rtcp-rr.capture-stats.txt"]),
    ("mixed-noise", OUT, "mixed-noise.pcap",
     "Flow-detection test: ONE RTP stream (PCMU 3 s, 198.51.100.33:16384 -> 198.51.100.44:16386, sequence numbers "
     "starting at 0, timestamps near 0) plus non-RTP UDP on other ports, captured on B's veth without port filter "
     "(`udp`): two DNS query/response pairs made with `dig` against a small Python responder on 198.51.100.44:53 "
     "(one with EDNS, one `+noedns`); 30 datagrams of seeded random bytes 7777 -> 9999 (20-300 bytes; every 5th "
     "starts with byte 0x80, so it parses as an RTP version-2 header with random seq/ts/SSRC: an RTP lookalike "
     "that is NOT a stream); 3 syslog-like text datagrams 51400 -> 514. The only RTP flow is 16384 -> 16386; "
     "see `mixed-noise.flows.tsv` (one line per UDP flow with its kind).",
     ["truth/mixed-noise.capture-stats.txt"]),
    ("events-cn-2if", OUT, "events-cn-2if.pcapng",
     "Two streams in one **pcapng with two interfaces** (one dumpcap on B's veth and B's loopback, a filter "
     "each). On the veth: PCMU 20 ms from `rtpsend.py --scenario events` through netem_lite (delay 8 +- 3 ms "
     "normal, 1.5% loss, seed 71), with **RFC 4733 telephone events** (PT 101, no SDP) replacing the audio twice "
     "(marker on the first event packet, the event's start as timestamp, three end packets) and **comfort noise** "
     "(PT 13, marker on the first) for 1.6 s, audio resuming with the marker bit. On the loopback: L16 16 kHz mono "
     "(dynamic PT 99, no SDP; tshark decodes it as RFC 2198 redundancy and has no clock rate). `#events 101`: the "
     "RFC 3550 reference leaves the events out of A.8, as rtpscope does; tshark moves its arrival reference on an "
     "event but keeps the last audio packet's timestamp as the nominal one.",
     ["truth/events-cn-2if.truth.tsv", "truth/events-cn-2if.capture-stats.txt"]),
    ("restart-ssrc-ipv6hbh", OUT, "restart-ssrc-ipv6hbh.pcap",
     "PCMU with **30 ms** packets from `rtpsend.py --scenario restart --hbh` straight over the veth, **IPv6 with a "
     "Hop-by-Hop options header** on every datagram, nanosecond pcap. One 5-tuple throughout: SSRC 0xa0000001 for "
     "4 s, then the **same SSRC restarts** (sequence +3001, beyond RFC 3550's MAX_DROPOUT; timestamp +1000000) for "
     "3 s; then a **new SSRC** 0xb0000002 for 3 s, **2.5 s of nothing** (no marker, no comfort noise), and 2.5 s "
     "more without the marker bit. tshark (and the plain RFC reference, which has no restarts) count the 3000 "
     "skipped numbers as lost; RFC 3550 A.1 re-syncs after two sequential packets, and rtpscope counts the two "
     "segments.",
     ["truth/restart-ssrc-ipv6hbh.capture-stats.txt"]),
    ("pcmu30-qinq", OUT, "pcmu30-qinq.pcap",
     "PCMU with **30 ms** packets (`rtppcmupay min-ptime=max-ptime=30 ms`), 9 s, through netem_lite (delay 20 +- 8 "
     "ms uniform, 2% loss, seed 72), captured by tcpdump on B's veth and rewritten by `pcaprewrite.py qinq` with "
     "**802.1ad + 802.1Q tags** (S-VID 200, C-VID 300).",
     ["truth/pcmu30-qinq.truth.tsv", "truth/pcmu30-qinq.capture-stats.txt"]),
    ("speexwb-burst-rawip", OUT, "speexwb-burst-rawip.pcap",
     "**Speex wideband** (dynamic PT 97, 16 kHz clock, no SDP: the rate must be inferred) 10 s through netem_lite "
     "with heavy **Gilbert-Elliott loss** (p = 6%, r = 15%, about a third lost, seed 73), rewritten by "
     "`pcaprewrite.py rawip` to **LINKTYPE_RAW** (bare IPv4 packets).",
     ["truth/speexwb-burst-rawip.truth.tsv", "truth/speexwb-burst-rawip.capture-stats.txt"]),
    ("opus60-dtx-reorder", OUT, "opus60-dtx-reorder.pcapng",
     "**Opus with 60 ms frames and DTX** (dynamic PT 111, 48 kHz, no SDP): 3 s of tone, 4 s of digital silence (DTX "
     "sends almost nothing) and 3 s of tone, through netem_lite with delay 60 +- 40 ms normal, which **reorders** "
     "(seed 74). The RTP timestamp starts at 4000000000 and **wraps**. dumpcap pcapng.",
     ["truth/opus60-dtx-reorder.truth.tsv", "truth/opus60-dtx-reorder.capture-stats.txt"]),
    ("g726-dup-reorder", OUT, "g726-dup-reorder.pcap",
     "**G.726-32** (dynamic PT 98, 8 kHz, no SDP) in both directions. A -> B through netem_lite with 40 ms delay, "
     "**25% netem-style reordering and 10% duplication** (seed 75); its last packets arrive reordered, so tshark's "
     "count of expected packets (which ends at the last packet to arrive) is 2 short. B -> A is clean.",
     ["truth/g726-dup-reorder.truth.tsv", "truth/g726-dup-reorder.capture-stats.txt"]),
    ("l16frag-vlan-v6", OUT, "l16frag-vlan-v6.pcap",
     "**L16 stereo 44.1 kHz** (static PT 10) with 20 ms packets: 3540-byte UDP datagrams, so every one arrives as "
     "**three IPv4 fragments**, tagged afterwards with **802.1Q VLAN 100** (`vlan4.py`; the kernel here has no "
     "8021q module), beside an untagged **IPv6** PCMU stream; tcpdump on B's veth. tshark reassembles the "
     "fragments, and so does rtpscope.",
     ["truth/l16frag-vlan-v6.capture-stats.txt"]),
    ("outage-wrap", OUT, "outage-wrap.pcap",
     "PCMU 16 s from `rtpsend.py --scenario outagewrap` (first made by a copy of it, `novsend.py`) through netem_lite (delay 5 +- 2 ms uniform, seed "
     "87): sequence numbers start at 65400 and **65534, 65535, 0 and 1 are never sent** (loss exactly at the "
     "wrap), then **nothing is sent from 6 to 12 s** while sequence numbers and timestamps advance (a 6 s "
     "outage).",
     ["truth/outage-wrap.truth.tsv", "truth/outage-wrap.capture-stats.txt"]),
    ("pcma-vxlan", OUT, "pcma-vxlan.pcap",
     "PCMA 6 s across the **kernel's VXLAN** (VNI 42, UDP 4789) between the namespaces: the overlay is "
     "198.51.100.0/24, the underlay the veth pair, and tcpdump captures the underlay, so every RTP packet is "
     "Ethernet / IPv4 / UDP 4789 / VXLAN / Ethernet / IPv4 / UDP. netem_lite inside the overlay: delay 20 +- 8 ms "
     "uniform, 3% loss (seed 91). Two overlay ICMPv6 neighbour solicitations are in it too.",
     ["truth/pcma-vxlan.truth.tsv", "truth/pcma-vxlan.capture-stats.txt"]),
    ("opus-gtpu", OUT, "opus-gtpu.pcap",
     "**Opus** 20 ms (dynamic PT 111, no SDP) 6 s through netem_lite (delay 30 ms, 10% netem-style reordering, "
     "2% loss, seed 92), then every IP packet wrapped by `pcaprewrite.py gtpu` in **GTP-U** (UDP 2152, TEID "
     "0x1f2e3d4c) with a **5G PDU session container** extension header, as on a mobile core's N3 interface.",
     ["truth/opus-gtpu.truth.tsv", "truth/opus-gtpu.capture-stats.txt"]),
    ("g722-erspan", OUT, "g722-erspan.pcap",
     "**G.722** both ways for 5 s: A -> B through netem_lite (delay 10 +- 5 ms normal, 1% loss, seed 93), B -> A "
     "clean, the A -> B sender's sequence numbers and timestamps wrapping; every frame then mirrored by "
     "`pcaprewrite.py erspan` in **ERSPAN type II over GRE** (session 7, GRE sequence numbers), as a remote span "
     "session delivers it.",
     ["truth/g722-erspan.truth.tsv", "truth/g722-erspan.capture-stats.txt"]),
    ("l16-ipv6frag", OUT, "l16-ipv6frag.pcap",
     "**L16 mono 44.1 kHz** (static PT 11) with 40 ms packets straight over the veth in **IPv6**: 3528-byte "
     "datagrams, which the sending kernel cuts into **three IPv6 fragments** each (fragment extension header); "
     "the sequence numbers and timestamps wrap. tshark reassembles them, and so does rtpscope.",
     ["truth/l16-ipv6frag.capture-stats.txt"]),
    ("pcmu-pppoe-vlan", OUT, "pcmu-pppoe-vlan.pcap",
     "**PCMU** 20 ms for 7 s through netem_lite (delay 15 +- 10 ms normal, 2% loss, 1% duplication, seed 94), "
     "then every frame put by `pcaprewrite.py pppoe` in a **PPPoE session** (RFC 2516, session 0x2a17, PPP "
     "protocol 0x0021) behind an **802.1Q tag, VLAN 7**, as a capture on a DSL router's WAN port shows it.",
     ["truth/pcmu-pppoe-vlan.truth.tsv", "truth/pcmu-pppoe-vlan.capture-stats.txt"]),
    ("pcma-snaplen60", OUT, "pcma-snaplen60.pcap",
     "**PCMA** 20 ms for 8 s through netem_lite (delay 20 +- 15 ms normal, which reorders, 3% loss, 1% "
     "duplication, seed 95), captured by tcpdump with a **60-byte snap length**, as probes that keep no audio "
     "capture: every frame is kept to 58 bytes, 4 into the RTP payload (the UDP length fields still say 180: 172 bytes of RTP). "
     "tshark analyses the headers of such frames, and so does rtpscope (`cut_short`); the sequence numbers "
     "wrap.",
     ["truth/pcma-snaplen60.truth.tsv", "truth/pcma-snaplen60.capture-stats.txt"]),
    ("rtcp-rr-s96", OUT, "rtcp-rr-s96.pcap",
     "`rtcp-rr.pcap` as a **96-byte snap length** keeps it (`editcap -F pcap -s 96`, what `tcpdump -s 96` records of "
     "the same traffic): every frame cut to 96 bytes, 42 into the RTP payload; the SRs (28 bytes) and RRs "
     "(32 bytes: one report block) whole, the SDES after them cut. tshark still finds the five round trips "
     "(`rtcp-rr-s96.rtt.txt`); rtpscope reads cut RTCP up to its last whole packet and finds them too.",
     []),
    ("l16frag-vlan-v6-s96", OUT, "l16frag-vlan-v6-s96.pcap",
     "`l16frag-vlan-v6.pcap` as a **96-byte snap length** keeps it (`editcap -F pcap -s 96`): of each L16 datagram's "
     "three IPv4 fragments only the first's headers are left, so nothing can be put back together. tshark "
     "reads the first fragment as the datagram, at its own time (jitter and deltas differ a little from the "
     "whole capture's, which time each datagram by its last fragment); so does rtpscope. (tshark 4.0 does not "
     "do the same with IPv6 fragments; rtpscope does.) The IPv6 PCMU stream is cut 20 bytes into its payload.",
     []),
    ("pcmu-nflog", OUT, "pcmu-nflog.pcap",
     "**PCMU** 20 ms for 5 s through netem_lite (delay 15 +- 6 ms uniform, 2% loss, seed 96), captured from "
     "**Linux netfilter's log**: an nftables rule on B's input (`udp dport 53102 log group 5`) hands the packets "
     "to NFLOG group 5 and `tcpdump -i nflog:5` records them, link type **NFLOG** (239): each record is a header "
     "and type-length-value attributes in the host's byte order, the IP packet among them, as on a Linux router "
     "or firewall.",
     ["truth/pcmu-nflog.truth.tsv", "truth/pcmu-nflog.capture-stats.txt"]),
    ("opus-siptcp", OUT, "opus-siptcp.pcap",
     "A call signalled over **SIP/TCP** by sipp (`-t t1`; scenarios `tools/captures/sipp/uac-tcp.xml` and "
     "`uas-tcp.xml`): INVITE with an SDP offer naming **Opus as dynamic PT 111** at 48 kHz, 200 OK with the "
     "answer, ACK, 7 s later BYE and its 200 OK, each message in one TCP segment; meanwhile 5 s of Opus (20 ms "
     "frames, GStreamer) from A to B on the negotiated ports, no impairment. tshark learns the codec from the "
     "SDP and needs no decode option; rtpscope reads SIP messages that fill a TCP segment for the same.",
     ["truth/opus-siptcp.capture-stats.txt"]),
    ("opus-siptcp-split", OUT, "opus-siptcp-split.pcap",
     "The `opus-siptcp` call again with both veths at an **MTU of 576** and segmentation offload off "
     "(`ethtool -K tso off gso off`), so TCP's segments carry at most 536 bytes: the INVITE and the 200 OK, "
     "each with its SDP, are **split over two segments** (524 + 32 and 524 + 4 bytes). tshark reassembles them "
     "and names PT 111 Opus; so does rtpscope (`sip_tcp_joined` 2).",
     ["truth/opus-siptcp-split.capture-stats.txt"]),
    ("opus-gtpu-s120", OUT, "opus-gtpu-s120.pcap",
     "`opus-gtpu.pcap` as a **120-byte snap length** keeps it (`editcap -F pcap -s 120`): each frame keeps the "
     "outer headers, the GTP-U header with its extension (whose length field says more than is left), the user's "
     "IPv4 and UDP headers and 34 bytes of RTP. tshark opens the tunnel and analyses the RTP headers; so does "
     "rtpscope.",
     []),
    ("vp8-nosdp-s64", OUT, "vp8-nosdp-s64.pcap",
     "**VP8 video**, dynamic PT 96 at 90 kHz with **no SDP**: GStreamer's snow pattern, 160x120 at 30 frames/s, "
     "in RTP packets of at most 120 bytes, so the key frame alone is 147 packets with one timestamp (more than "
     "the 128 rtpscope holds to infer an unknown clock) and later frames about 22. Through netem_lite: delay "
     "20 +- 2 ms normal, which shuffles each frame's burst (packets 0.1 ms apart), and 1 % loss (seed 97); "
     "recorded with a **64-byte snap length** (headers only). The shuffled key frame puts packets more than 100 "
     "numbers behind the highest (A.1's MAX_MISORDER) and 81 numbers before the first to arrive: tshark's "
     "wrap heuristic counts 2 490 307 lost, the RFC 3550 count is -50 (31 dropped by the relay; the 81 before the "
     "first are received but not expected). tshark shows no jitter (unknown rate); rtpscope infers 90 kHz once "
     "two seconds of timestamps are in and measures jitter from there; its final value equals the RFC 3550 "
     "reference's.",
     ["truth/vp8-nosdp-s64.truth.tsv", "truth/vp8-nosdp-s64.capture-stats.txt"]),
    ("pcmu10-jit60u-nano", OUT, "pcmu10-jit60u-nano.pcap",
     "From `make_more.sh`: PCMU with **10 ms** packets (800) through 60 +- 40 ms of **uniform jitter**, which "
     "reorders heavily; nanosecond pcap. About a quarter of the packets arrive more than 60 ms behind the "
     "earliest schedule, so a 60 ms jitter buffer loses them, while the mean jitter stays under 30 ms.",
     ["truth/pcmu10-jit60u-nano.s0.truth.tsv", "truth/pcmu10-jit60u-nano.capture-stats.txt"]),
    ("opus40-jit50-seqwrap", OUT, "opus40-jit50-seqwrap.pcapng",
     "From `make_more.sh`: Opus with **40 ms** frames (dynamic PT 107, no SDP) from sequence number 65400, "
     "through 50 +- 30 ms of normal jitter and 2 % loss; dumpcap pcapng. Its last packets arrive reordered, so "
     "tshark's count, which ends at the last to arrive, differs from RFC 3550's.",
     ["truth/opus40-jit50-seqwrap.s0.truth.tsv", "truth/opus40-jit50-seqwrap.capture-stats.txt"]),
    ("gsm40-reorder-pppoe", OUT, "gsm40-reorder-pppoe.pcap",
     "From `make_more.sh`: GSM with **two frames a packet** (40 ms, 66 bytes), sequence numbers and timestamps "
     "wrapping, through netem-style reordering (20 % sent at once, the rest 40 ms later) and 2 % duplication; "
     "rewritten into a **PPPoE** session behind VLAN 42.",
     ["truth/gsm40-reorder-pppoe.s0.truth.tsv", "truth/gsm40-reorder-pppoe.capture-stats.txt"]),
    ("vp8-loss2", OUT, "vp8-loss2.pcap",
     "From `make_more.sh`: VP8 at 320x240 in packets of up to 1200 bytes, so each frame is one packet and "
     "**every packet has the marker bit**; PT 100 (which tshark decodes as telephone events by default). "
     "tshark leaves marker packets out of its delta and jitter columns, so they hold only its placeholders "
     "(-1, 0, 0); so do ours (none). rtpscope infers 90 kHz.",
     ["truth/vp8-loss2.s0.truth.tsv", "truth/vp8-loss2.capture-stats.txt"]),
    ("pcma-two-ssrc-one-flow", OUT, "pcma-two-ssrc-one-flow.pcap",
     "From `make_more.sh`: **two PCMA sources on one 5-tuple** (two GStreamer senders through one relay "
     "socket), sending side by side, with 4 % loss and 20 +- 10 ms uniform jitter; nanosecond pcap. Two "
     "streams, neither an SSRC change.",
     ["truth/pcma-two-ssrc-one-flow.s0.truth.tsv", "truth/pcma-two-ssrc-one-flow.capture-stats.txt"]),
    ("g726-pt2-static-ge", OUT, "g726-pt2-static-ge.pcap",
     "From `make_more.sh`: G.726 at 32 kbit/s from ffmpeg, sent by `rtpsend.py` as **RFC 1890's static PT 2** "
     "(G721, 8 kHz; reserved since RFC 3551, still timed by tshark), 30 ms packets, Gilbert-Elliott burst loss "
     "(p 5 %, r 30 %) and 10 +- 5 ms of jitter.",
     ["truth/g726-pt2-static-ge.s0.truth.tsv", "truth/g726-pt2-static-ge.capture-stats.txt"]),
    ("rtcp2w-mid", OUT, "rtcp2w-mid.pcap",
     "From `make_round2.sh`: a two-way PCMU call with **rtpbin at both ends** (SR and RR every second from "
     "each), captured **between** them: A to B is delayed 5 ms before the capture point and 15 ms after, B to A "
     "60 ms before it and 20 ms after, with jitter, and 2 % / 5 % loss on RTP (netem_lite's reverse path "
     "carries the other direction). Each side's report blocks measure one leg: via B 15 + 60 = 75 ms, via A "
     "20 + 5 = 25 ms. tshark's round trips per sample are in `rtcp2w-mid.rtt.samples.txt`.",
     ["truth/rtcp2w-mid.rtp.r1.truth.tsv", "truth/rtcp2w-mid.capture-stats.txt"]),
    ("rtcp2w-clean", OUT, "rtcp2w-clean.pcap",
     "From `make_round2.sh`: the same rtpbin call with **no impairment** at all; rtpbin starts each stream "
     "with a burst of packets. Nothing is wrong with it, and nothing must be reported.",
     ["truth/rtcp2w-clean.capture-stats.txt"]),
    ("tsjump-nomarker", OUT, "tsjump-nomarker.pcap",
     "From `make_round2.sh`: PCMU from `rtpsend_more.py` whose **timestamps step** +40 000 at 5 s and -48 000 "
     "at 10 s while the sequence numbers run on, with no marker bit; the sender's clock is exact (8 +- 2 ms "
     "of normal jitter on the way).",
     ["truth/tsjump-nomarker.truth.tsv", "truth/tsjump-nomarker.capture-stats.txt"]),
    ("two-calls-same-5tuple", OUT, "two-calls-same-5tuple.pcap",
     "From `make_round2.sh`: **two SIP calls** (sipp over UDP, INVITE ... BYE each) whose media use **the same "
     "5-tuple** about 4.6 s apart, with new SSRCs, sequence numbers and timestamps; no impairment. Two calls, "
     "each with its Call-ID.",
     ["truth/two-calls-same-5tuple.capture-stats.txt"]),
    ("gsm-burst", OUT, "gsm-burst.pcap",
     "**GSM full rate** (static PT 3, 8 kHz, 20 ms = one 33-byte frame a packet): a 500 Hz tone encoded by "
     "ffmpeg's libgsm (`-f gsm`, raw frames), sent as RFC 3551 GSM payloads by `rtpsend.py --scenario frames` "
     "(real-time pacing, marker on the first), 12 s (600 packets). Through netem_lite: **Gilbert-Elliott burst "
     "loss** (p = 4 %, r = 30 %, seed 98) and 12 +- 4 ms of normal jitter. tshark knows PT 3's clock.",
     ["truth/gsm-burst.truth.tsv", "truth/gsm-burst.capture-stats.txt"]),
    ("g723-jitter-dup", OUT, "g723-jitter-dup.pcapng",
     "**G.723.1 at 6.3 kbit/s** (static PT 4, 8 kHz, one 24-byte 30 ms frame a packet): a 700 Hz tone encoded "
     "by ffmpeg (`-c:a g723_1 -f g723_1`), sent by `rtpsend.py --scenario frames`, 12 s (400 packets), sequence "
     "numbers from 65300 and timestamps from 4294900000, so **both wrap**. Through netem_lite: 25 +- 15 ms "
     "uniform jitter (reorders), **3 % duplication** and 1 % loss (seed 99); captured by dumpcap (pcapng).",
     ["truth/g723-jitter-dup.truth.tsv", "truth/g723-jitter-dup.capture-stats.txt"]),
]

CALL = ("call", SAMPLES, "call.pcap",
        "A short two-way SIP call between alice 198.51.100.10 and bob 198.51.100.20 (two network namespaces joined "
        "by a veth pair), captured on bob's interface. `sip_call.py` sends SIP over UDP 5060: INVITE with SDP offer "
        "(m=audio 49170 RTP/AVP 0 101, PCMU/8000 + telephone-event/8000, ptime 20) -> 200 OK with SDP answer "
        "(m=audio 51372) -> ACK; then 8 s of PCMU in both directions (symmetric RTP, 400 packets each way); then "
        "BYE -> 200 OK. The alice -> bob direction goes through netem_lite with `delay 70ms 35ms distribution "
        "normal` (reordering included) and 3% iid loss, so its jitter is high (tens of ms) and packets are lost; "
        "bob -> alice is clean (it passes a zero-impairment relay only so that each side sends and receives on one "
        "socket). No telephone-event packets are sent (PT 101 is only negotiated).",
        ["call.a2b.truth.tsv", "call.b2a.truth.tsv", "call.capture-stats.txt"])


def versions():
    lines = ["generated: %s on %s" % (datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"),
                                       sh("uname -sr").strip())]
    for cmd in ["tshark --version | head -1", "dumpcap --version | head -1", "tcpdump --version | head -1",
                "gst-launch-1.0 --version | sed -n 2p", "ffmpeg -version | head -1", "ip -V", "nft --version", "dig -v 2>&1",
                "python3 --version"]:
        lines.append(sh(cmd + " 2>&1").strip())
    pk = sh("dpkg-query -W -f '${Package} ${Version}\\n' tshark wireshark-common tcpdump libpcap0.8 iproute2 "
            "nftables gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-libav "
            "bind9-dnsutils ffmpeg libgsm1 2>/dev/null")
    return "\n".join(lines) + "\n" + pk


# first sequence number each sender used (seqnum-offset), to spot a reordered first packet
SEQ0 = {"pcmu-clean": 32000, "pcma-jitter": 100, "g722-loss-ipv6": 5000, "opus-dup-sll2": 65500,
        "rtcp-rr": 40000, "mixed-noise": 0, "pcmu30-qinq": 12000, "speexwb-burst-rawip": 7000,
        "opus60-dtx-reorder": 41000, "pcma-vxlan": 64000, "opus-gtpu": 500, "g722-erspan": 9,
        "pcmu-pppoe-vlan": 31000, "pcma-snaplen60": 65300, "rtcp-rr-s96": 40000,
        "opus-gtpu-s120": 500, "pcmu-nflog": 6000,
        "opus-siptcp": 1111, "vp8-nosdp-s64": 64000, "gsm-burst": 31000,
        "g723-jitter-dup": 65300, "opus-siptcp-split": 2222, "pcmu10-jit60u-nano": 20000,
        "opus40-jit50-seqwrap": 65400, "gsm40-reorder-pppoe": 65500, "vp8-loss2": 65300,
        "pcma-two-ssrc-one-flow": 100, "g726-pt2-static-ge": 65000}


def section(name, d, fname, desc, extra):
    path = os.path.join(d, fname)
    if not os.path.exists(path):
        return "## %s\n\nNOT PRESENT (not generated).\n" % fname, None
    ci = capinfo(path)
    opts, clocks = decode(os.path.join(d, name + ".decode"))
    ref = tsv(os.path.join(d, name + ".ref.tsv"))
    rfc = {(r["src"], r["sport"], r["dst"], r["dport"], r["ssrc"]): r for r in tsv(os.path.join(d, name + ".rfc3550.tsv"))}
    size = os.path.getsize(path)
    npk = int(ci.get("Number of packets", "0").replace(" ", "").rstrip("k") or 0)
    rtp = sum(int(r["packets"]) for r in ref)
    for r in rfc.values():
        if r["seq_first"] != str(SEQ0.get(name, r["seq_first"])):
            desc += (" In this capture the very FIRST packet on the wire is not the lowest sequence number (seq %s "
                     "was overtaken by seq %s): an analyzer that takes the first packet as the base, like tshark and "
                     "RFC 3550 A.1, counts seq %s as late and reports lost = %s." %
                     (SEQ0[name], r["seq_first"], SEQ0[name], r["lost"]))
    s = ["## %s\n" % fname, desc + "\n"]
    s.append("* link type: %s; format: %s; timestamp precision: %s" %
             (ci.get("File encapsulation"), ci.get("File type"), ci.get("File timestamp precision")))
    s.append("* packets: %s total; duration %s; size %d bytes" % (ci.get("Number of packets"),
                                                                   ci.get("Capture duration"), size))
    s.append("* tshark decode options (`%s.decode`): `%s`" % (name, " ".join(opts)))
    if clocks:
        s.append("* dynamic payload clock rates (for the RFC 3550 recomputation): " + ", ".join(clocks))
    s.append("* RTP streams: %d, RTP packets: %d" % (len(ref), rtp))
    s.append("")
    s.append("| stream | SSRC | payload | pkts | lost (tshark) | max delta ms | max jitter ms | mean jitter ms | "
             "RFC3550 final jitter ms | dups | late | X |")
    s.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in ref:
        k = (r["src"], r["sport"], r["dst"], r["dport"], r["ssrc"])
        f = rfc.get(k, {})
        src = "[%s]:%s" % (r["src"], r["sport"]) if ":" in r["src"] else "%s:%s" % (r["src"], r["sport"])
        dst = "[%s]:%s" % (r["dst"], r["dport"]) if ":" in r["dst"] else "%s:%s" % (r["dst"], r["dport"])
        s.append("| %s -> %s | %s | %s | %s | %s (%s%%) | %s | %s | %s | %s | %s | %s | %s |" % (
            src, dst, r["ssrc"], r["payload"], r["packets"], r["lost"], r["lost_pct"], r["max_delta_ms"],
            r["max_jitter_ms"], r["mean_jitter_ms"], f.get("final_jitter_ms", "?"), f.get("duplicates", "?"),
            f.get("late", "?"), r["problems"]))
    s.append("")
    for e in extra:
        p = os.path.join(d, e)
        if e.endswith("truth.tsv"):
            ts = truth_summary(p)
            if ts:
                s.append("* ground truth `%s`: %s" % (e, ts))
        elif e.endswith("capture-stats.txt") and os.path.exists(p):
            st = " / ".join(l.strip() for l in open(p) if l.strip() and "listening" not in l)
            s.append("* capture statistics (`%s`): %s" % (e, st))
    if name.startswith("rtcp-rr") and os.path.exists(os.path.join(d, name + ".rtt.txt")):
        s.append("* tshark RTCP round-trip (`-o rtcp.show_roundtrip_calculation:TRUE -o "
                 "rtcp.roundtrip_min_threshhold:1`, field `rtcp.roundtrip-delay`), ms: " +
                 open(os.path.join(d, name + ".rtt.txt")).read().strip() + " (`%s.rtt.txt`)" % name)
        rr = sh("tshark -n -r '%s' %s -Y 'rtcp.pt==201' -T fields -E occurrence=l -e rtcp.ssrc.fraction "
                "-e rtcp.ssrc.cum_nr -e rtcp.ssrc.jitter" % (path, " ".join(opts))).split("\n")
        rr = [l.replace("\t", "/") for l in rr if l.strip()]
        if rr:
            s.append("* receiver reports (fraction lost/256 / cumulative lost / jitter in timestamp units), "
                     "in order: " + ", ".join(rr))
    if name == "mixed-noise":
        fl = flows(path, opts)
        with open(os.path.join(d, "mixed-noise.flows.tsv"), "w") as fo:
            fo.write("src\tsport\tdst\tdport\tpackets\tkind\tis_rtp\n")
            for k, (n, proto) in fl.items():
                kind = kind_of(k, proto)
                fo.write("%s\t%d\t%s\t%s\n" % ("\t".join(k), n, kind, "yes" if kind == "rtp" else "no"))
        s.append("* UDP flows (`mixed-noise.flows.tsv`): " + "; ".join(
            "%s:%s -> %s:%s %d pkts %s" % (k + (n, kind_of(k, p).upper() if kind_of(k, p) == "rtp" else kind_of(k, p)))
            for k, (n, p) in fl.items()))
        hp = os.path.join(d, "mixed-noise.heuristic.tshark.txt")
        nh = sum(1 for l in open(hp) if re.match(r"^\s*\d+\.\d+\s", l)) if os.path.exists(hp) else 0
        s.append("* Only the `rtp` flow is an RTP stream. With `-o rtp.heuristic_rtp:TRUE` instead of `-d`, tshark "
                 "reports %d streams (`mixed-noise.heuristic.tshark.txt`): the real one plus %d single-packet "
                 "\"streams\" made of random datagrams 7777 -> 9999 whose first byte happens to say RTP version 2, each "
                 "with a random SSRC and PT (payload names with spaces such as `DVI4 16k`, `MPEG-I/II Video`, and "
                 "`Unassigned`). A robust analyzer must not report those as streams." % (nh, max(nh - 1, 0)))
    cmds = os.path.join(LOGS, name + ".cmds.sh")
    if os.path.exists(cmds):
        s.append("\n<details><summary>exact commands</summary>\n\n```sh\n" + open(cmds).read().rstrip() +
                 "\n```\n</details>\n")
    row = "| %s | %s | %s | %s | %d | %d | %d kB |" % (fname, ci.get("File type", "").split(" - ")[-1],
                                                      ci.get("File encapsulation"), ci.get("Number of packets"),
                                                      rtp, len(ref), round(size / 1000))
    return "\n".join(s) + "\n", row


HEAD = """# rtpscope test captures (tests/data)

Small, real RTP captures made by `tools/captures/make.sh` (regenerates everything; run as root): real senders
(GStreamer 1.22 `gst-launch-1.0`), the real Linux network stack (loopback or a veth pair between two network
namespaces the script creates, documentation addresses only), seeded user-space impairments, and the numbers
tshark computes on each. They mirror the formats of the shared reference set (`../shared/captures/MANIFEST.md`),
so the same test code can read both, and they deliberately cover what the shared set does not: nanosecond
pcap, pcapng from dumpcap, IPv6, Linux cooked v2 with a dynamic PT, G.722 (8000 Hz clock for 16 kHz audio),
Gilbert-Elliott burst loss, duplication across a sequence-number wrap, RTCP with receiver-side loss, non-RTP noise.
`tools/captures/make_edges.sh` (same machinery, plus `rtpsend.py` for scripted edge cases and `pcaprewrite.py`
for link layers) makes thirteen more: telephone events and comfort noise beside audio in one SSRC in a pcapng of two
interfaces, a sender restart and an SSRC change on one 5-tuple over IPv6 with a Hop-by-Hop header, QinQ, raw IP,
Speex and G.726 with dynamic PTs and no SDP, Opus with 60 ms frames and DTX, heavy reordering and duplication,
L16 in IPv4 fragments with VLAN tags beside IPv6, loss at the sequence wrap and a 6 s outage; and three in
tunnels: PCMA over the kernel's VXLAN, Opus in GTP-U with a 5G extension header, G.722 mirrored in ERSPAN II;
L16 in IPv6 fragments; and PCMU in a PPPoE session behind VLAN 7, as on a DSL router's WAN port. Two more carry
codecs GStreamer here cannot encode, from ffmpeg's encoders sent by `rtpsend.py --scenario frames`: GSM with burst
loss and G.723.1 with jitter, duplication and both wraps; and one more has its SIP over TCP split over segments.
`tools/captures/make_more.sh` makes 27 varied ones for a differential run against tshark; six are kept here.
`tools/captures/make_round2.sh` makes 17 more (RTCP both ways, DTMF, header extensions, SIP re-INVITE and hold,
drift, timestamp steps, calls reusing a 5-tuple); four are kept here.
A `#events PT` line in a `.decode` file names telephone-event payload types (see `rfc3550_ref.py`).
Some of them were made by the same script run from scratch folders (`/tmp/novel`, `/tmp/novel2`, with
other namespace names and addresses for the last two), which their command logs below show.

Per capture `NAME`:

| file | content |
|---|---|
| `NAME.pcap` / `NAME.pcapng` | the capture |
| `NAME.decode` | tshark `-d` options, one per line, and `#clock PT=RATE` lines for dynamic PTs |
| `NAME.tshark.txt` | raw `tshark -n -r FILE <decode opts> -q -z rtp,streams` output |
| `NAME.ref.tsv` | the same table as TSV, columns and meaning exactly as in the shared MANIFEST: `src sport dst dport ssrc payload packets lost lost_pct max_delta_ms max_jitter_ms mean_jitter_ms min_delta_ms mean_delta_ms min_jitter_ms start_s end_s problems` (made by `tools/captures/streams2ref.py`) |
| `NAME.rfc3550.tsv` | RFC 3550 numbers from `tools/captures/rfc3550_ref.py` (independent of tshark's RTP tap; reads tshark's per-packet fields): `src sport dst dport ssrc pt clock_hz received expected lost lost_pct duplicates late seq_first seq_last_ext final_jitter_ms final_jitter_ts max_jitter_ms mean_jitter_ms max_delta_ms mean_delta_ms duration_s` |
| `truth/NAME*.truth.tsv` | netem_lite's log of every datagram: `idx rtp_seq rtp_ts rtp_ssrc t_in_epoch action delay_ms t_out_epoch`, action = fwd, drop-iid, drop-ge, reorder-now, dup (the extra copy), rev (reverse direction) |
| `truth/NAME.capture-stats.txt` | tcpdump/dumpcap statistics (0 dropped by kernel expected) |

`rfc3550_ref.py` definitions (same as the shared set): stream = (src, sport, dst, dport, SSRC), rows in order of
first appearance; every packet in arrival order; 16-bit seq extended towards the highest seq so far (A.1);
expected = highest extended - first + 1; lost = expected - received (negative with duplicates); duplicates =
extended seq already seen; late = lower than the highest seen and not a duplicate; A.8 jitter over every
packet, D = arrival difference x clock - RTP timestamp difference (signed 32-bit), J += (|D| - J)/16, final J in
ms and timestamp units, max/mean of the running J from the 2nd packet on; deltas over all packets. Checked
against the shared set: it reproduces every value of all 9 shared `.rfc3550.tsv` files (a few last-digit
differences of +-0.001 from rounding: it keeps nanosecond arrival times exactly, relative to the first packet).

**netem_lite** (`tools/captures/netem_lite.py`, `--help`): the kernel here has no `tc netem`
(no CONFIG_NET_SCH_NETEM), so impairments are done by a seeded user-space UDP relay: the sender sends to the relay on
its namespace's loopback, the relay forwards the unmodified datagram from the sender-side address over the veth.
Delay/jitter (normal or uniform, truncated at 0, released in send-time order so large jitter reorders), iid loss,
Gilbert-Elliott burst loss, duplication, netem-style reordering, an optional delayed reverse path (RTCP RR), and
`--spare-first N`. One independent seeded generator per kind of decision; decisions depend only on the seed and
the datagram index, the timing is real. Namespaces also get an nftables table dropping outgoing ICMP
destination-unreachable, router solicitations and MLD reports so the captures hold only the intended traffic.
Timing is real, so jitter numbers differ slightly between regenerations: the `.ref.tsv` / `.rfc3550.tsv` files
are the reference for THESE files.

## Tool versions

```
%s```

## Summary

| file | format | link | packets | rtp_pkts | streams | size | impairment |
|---|---|---|---|---|---|---|---|
"""

IMP = {"pcmu-clean.pcap": "none", "pcma-jitter.pcap": "delay 30 ms +- 15 ms normal (reorders), seed 42",
       "g722-loss-ipv6.pcapng": "Gilbert-Elliott p=2% r=30%, delay 10 ms, seed 36",
       "opus-dup-sll2.pcap": "duplicate 5%, delay 2 ms, seed 15",
       "rtcp-rr.pcap": "RTP 30+-4 ms uniform + 3% loss (seed 21), RTCP 30 ms each way (seed 22)",
       "mixed-noise.pcap": "none (non-RTP UDP noise)",
       "call.pcap": "A->B delay 70+-35 ms normal + 3% loss (seed 2043); B->A none",
       "events-cn-2if.pcapng": "delay 8+-3 ms normal + 1.5% loss (seed 71); DTMF, CN",
       "restart-ssrc-ipv6hbh.pcap": "none (sender restart, SSRC change, 2.5 s gap)",
       "pcmu30-qinq.pcap": "delay 20+-8 ms uniform + 2% loss, seed 72",
       "speexwb-burst-rawip.pcap": "Gilbert-Elliott p=6% r=15%, seed 73",
       "opus60-dtx-reorder.pcapng": "delay 60+-40 ms normal (reorders), seed 74",
       "g726-dup-reorder.pcap": "reorder 25% + duplicate 10%, delay 40 ms, seed 75",
       "l16frag-vlan-v6.pcap": "none (IPv4 fragments, VLAN, IPv6)",
       "outage-wrap.pcap": "loss at the sequence wrap, 6 s outage, delay 5+-2 ms uniform, seed 87",
       "pcma-vxlan.pcap": "VXLAN; delay 20+-8 ms uniform + 3% loss, seed 91",
       "opus-gtpu.pcap": "GTP-U; reorder 10% + 2% loss, delay 30 ms, seed 92",
       "g722-erspan.pcap": "ERSPAN II; delay 10+-5 ms normal + 1% loss, seed 93",
       "l16-ipv6frag.pcap": "none (IPv6 fragments)",
       "pcmu-pppoe-vlan.pcap": "PPPoE in VLAN 7; delay 15+-10 ms normal + 2% loss + 1% dup, seed 94",
       "pcma-snaplen60.pcap": "snap length 60; delay 20+-15 ms normal + 3% loss + 1% dup, seed 95",
       "rtcp-rr-s96.pcap": "rtcp-rr.pcap cut by a 96-byte snap length",
       "l16frag-vlan-v6-s96.pcap": "l16frag-vlan-v6.pcap cut by a 96-byte snap length",
       "opus-gtpu-s120.pcap": "opus-gtpu.pcap cut by a 120-byte snap length",
       "pcmu-nflog.pcap": "NFLOG; delay 15+-6 ms uniform + 2% loss, seed 96",
       "opus-siptcp.pcap": "none (SIP over TCP)",
       "opus-siptcp-split.pcap": "none (SIP over TCP split over segments, MTU 576)",
       "vp8-nosdp-s64.pcap": "VP8 key frame shuffled: delay 20+-2 ms normal + 1% loss, seed 97; snap length 64",
       "gsm-burst.pcap": "GSM; Gilbert-Elliott p 4% r 30%, delay 12+-4 ms normal, seed 98",
       "rtcp2w-mid.pcap": "RTCP both ways, captured between; legs 75 / 25 ms, 2% / 5% loss, seeds 3120-3121",
       "rtcp2w-clean.pcap": "RTCP both ways, rtpbin's start-up bursts; no impairment",
       "tsjump-nomarker.pcap": "timestamp steps without marker; delay 8+-2 ms normal, seed 3270",
       "two-calls-same-5tuple.pcap": "two SIP calls on one 5-tuple, 4.6 s apart; no impairment",
       "pcmu10-jit60u-nano.pcap": "PCMU 10 ms; delay 60+-40 ms uniform, seed 2103",
       "opus40-jit50-seqwrap.pcapng": "Opus 40 ms; delay 50+-30 ms normal + 2% loss, seed 2111",
       "gsm40-reorder-pppoe.pcap": "GSM 40 ms in PPPoE; reorder 20% + 2% dup, delay 40 ms, seed 2116",
       "vp8-loss2.pcap": "VP8, marker on every packet; delay 5+-2 ms normal + 2% loss, seed 2120",
       "pcma-two-ssrc-one-flow.pcap": "two SSRCs on one flow; delay 20+-10 ms uniform + 4% loss, seed 2126",
       "g726-pt2-static-ge.pcap": "G.726 as PT 2; Gilbert-Elliott p 5% r 30%, delay 10+-5 ms, seed 2130",
       "g723-jitter-dup.pcapng": "G.723.1; delay 25+-15 ms uniform + 3% dup + 1% loss, seed 99"}


def main():
    secs, rows = [], []
    for c in CAPS:
        sec, row = section(*c)
        secs.append(sec)
        if row:
            rows.append(row + " %s |" % IMP[c[2]])
    csec, crow = section(*CALL)
    if crow:
        rows.append(crow.replace("| call.pcap", "| ../../samples/call.pcap") + " %s |" % IMP["call.pcap"])
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT)
                if os.path.isfile(os.path.join(OUT, f)))
    total += sum(os.path.getsize(os.path.join(OUT, "truth", f)) for f in os.listdir(os.path.join(OUT, "truth")))
    with open(os.path.join(OUT, "MANIFEST.md"), "w") as fo:
        fo.write(HEAD % versions())
        fo.write("\n".join(rows) + "\n\n")
        fo.write("Total size of tests/data (incl. truth/, excluding this file): %d kB.\n\n" % round(total / 1000))
        fo.write("\n\n".join(secs))
        fo.write("\n## samples/call.pcap\n\nThe bundled sample is described in `samples/README.md` (same "
                 "format; its reference files are next to it in `samples/`).\n")
    if csec:
        with open(os.path.join(SAMPLES, "README.md"), "w") as fo:
            fo.write("# samples/\n\n`call.pcap` is the small sample capture bundled with rtpscope for the "
                     "README's first command: a real (not synthesized) ~8 s SIP + RTP call made on this machine "
                     "with GStreamer, the Linux network stack and a seeded impairment relay, so the analysis has "
                     "something to diagnose (high jitter and some loss in one direction, a clean other "
                     "direction).\n\nFiles: `call.pcap` (the capture), `call.decode` (tshark `-d` options; tshark "
                     "also finds the RTP from the SIP/SDP alone), `call.tshark.txt` (`tshark -q -z rtp,streams` "
                     "output), `call.ref.tsv` / `call.rfc3550.tsv` (reference numbers, same columns as "
                     "`tests/data/`, see `tests/data/MANIFEST.md`), `call.a2b.truth.tsv` / `call.b2a.truth.tsv` "
                     "(every datagram's fate in the relays), `call.capture-stats.txt`.\n\nRegenerate with "
                     "`sudo tools/captures/make.sh call` (timing is real, so numbers vary slightly per "
                     "regeneration).\n\n")
            fo.write(csec.replace("## call.pcap", "## call.pcap", 1))
            fo.write("\n## Tool versions\n\n```\n" + versions() + "```\n")


if __name__ == "__main__":
    main()
