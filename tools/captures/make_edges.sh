#!/usr/bin/env bash
# make_edges.sh - the edge-case captures of tests/data (see tests/data/MANIFEST.md): telephone
# events and comfort noise beside audio in one SSRC, a pcapng of two interfaces, a sequence and
# timestamp restart and an SSRC change on one 5-tuple over IPv6 with a Hop-by-Hop header, QinQ,
# raw IP, Speex and G.726 with dynamic PTs and no SDP, Opus with 60 ms frames and DTX, heavy
# reordering and duplication, L16 stereo in IPv4 fragments with VLAN tags beside IPv6, loss at the
# sequence wrap and a 6 s outage. Same machinery as make.sh: real senders (GStreamer, rtpsend.py),
# two network namespaces over a veth pair, netem_lite.py for seeded impairments, tshark's numbers.
# Tunnels: PCMA over the kernel's VXLAN, Opus in GTP-U with a 5G extension header, G.722 both ways
# mirrored in ERSPAN II over GRE; and L16 in IPv6 fragments.
# usage (as root): make_edges.sh [events restart qinq speex opus g726 frag outage vxlan gtp erspan frag6 pppoe snaplen cuts nflog siptcp siptcpsplit video gsm g723]
set -euo pipefail
. "$(dirname "$0")/lib.sh"  # moves to the checkout: paths below (and logged) are relative to it
start_in tests/data

nsA=nov_a; nsB=nov_b; vA=nov_va; vB=nov_vb
A4=203.0.113.1; B4=203.0.113.2; A6=2001:db8:77::1; B6=2001:db8:77::2
# B listens on UDP port $2 (so no port-unreachable goes back) and tcpdump captures B's veth into
# the file $1, with snap length $3 (0, the default: whole frames), or interface $4 (then unfiltered:
# not every link type takes a filter); the capture's pid goes in CAP.
listen_capture() {
    bgrun ip netns exec $nsB timeout 60 "${GST[@]}" udpsrc address=0.0.0.0 port=$2 ! fakesink sync=false
    local on=(-i $vB udp); [ -z "${4:-}" ] || on=(-i "$4")
    bgrun ip netns exec $nsB timeout 60 tcpdump --immediate-mode -B 8192 -s "${3:-0}" -U -w "$1" "${on[@]}" 2>"$TRUTH/$n.capture-stats.txt"
    CAP=$BG
}
# The same into the calling capture's $f0 (the file pcaprewrite.py rewrites).
listen_capture_f0() { listen_capture "$f0" "$1"; }
# The calling capture's $f0, rewritten by `pcaprewrite.py MODE ARGS...` into its $f.
rewrite_f0() {
    chown root:root "$f0"
    run python3 $HERE/pcaprewrite.py "$1" "$f0" "$f" "${@:2}"
}

# 3 s of tone, 4 s of digital silence, 3 s of tone (48 kHz mono): Opus DTX sends nothing in the gap.
python3 - "$WORK/tone-silence-tone-48k.wav" <<'PY'
import math, struct, sys, wave
with wave.open(sys.argv[1], "wb") as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(48000)
    tone = [int(8000 * math.sin(2 * math.pi * 440 * i / 48000)) for i in range(3 * 48000)]
    w.writeframes(struct.pack("<%dh" % len(tone), *tone))
    w.writeframes(b"\0\0" * 4 * 48000)
    w.writeframes(struct.pack("<%dh" % len(tone), *tone))
PY

# 1. PCMU + RFC 4733 events + CN PT 13 (one SSRC) through jitter/loss, plus L16 16 kHz mono (PT 99)
#    on B's loopback; ONE dumpcap with TWO interfaces (pcapng, 2 IDBs, per-interface filters).
cap_events() {
    local n=events-cn-2if; newlog $n; ns_std
    local f=$OUT/$n.pcapng
    bgrun ip netns exec $nsB timeout 60 "${GST[@]}" udpsrc address=0.0.0.0 port=40000 ! fakesink sync=false
    bgrun ip netns exec $nsB timeout 60 "${GST[@]}" udpsrc address=127.0.0.1 port=40100 ! fakesink sync=false
    bgrun ip netns exec $nsB timeout 60 dumpcap -q -B 8 -i $vB -f "udp port 40000" -i lo -f "udp port 40100" -w "$f" 2>"$TRUTH/$n.capture-stats.txt"
    local cap=$BG
    bgrun ip netns exec $nsA timeout 60 "${RELAY[@]}" --truth "$TRUTH/$n.truth.tsv" --listen 127.0.0.1:6100 --bind $A4:40002 --to $B4:40000 --delay 8 --jitter 3 --dist normal --loss 1.5 --spare-first 1 --seed 71 --idle-exit 2
    local rl=$BG; capture_started
    bgrun ip netns exec $nsB timeout 30 "${GST[@]}" audiotestsrc is-live=true wave=sine freq=350 num-buffers=400 samplesperbuffer=320 ! audio/x-raw,rate=16000,channels=1 ! rtpL16pay pt=99 ssrc=0x11600016 seqnum-offset=600 timestamp-offset=16000 ! udpsink host=127.0.0.1 port=40100 bind-port=40102
    local tx2=$BG
    run ip netns exec $nsA timeout 30 python3 $HERE/rtpsend.py --scenario events --to 127.0.0.1:6100 --bind 127.0.0.1:6101
    wait $tx2 || true; wait $rl || true; sleep 0.5; stop $cap; ns_down
    finalize $n "$f" "$OUT" "-d udp.port==40000,rtp" "-d udp.port==40100,rtp" "#clock 99=16000" "#clock 101=8000" "#events 101"
}

# 2. PCMU 30 ms: seq/ts restart with the same SSRC, SSRC change on the same 5-tuple, 2.5 s gap without
#    marker; IPv6 with a Hop-by-Hop extension header; nanosecond pcap.
cap_restart() {
    local n=restart-ssrc-ipv6hbh; newlog $n; ns_std
    local f=$OUT/$n.pcap
    bgrun ip netns exec $nsB timeout 60 "${GST[@]}" udpsrc address=:: port=41002 ! fakesink sync=false
    bgrun ip netns exec $nsB timeout 60 tcpdump --immediate-mode -B 8192 -i $vB --time-stamp-precision=nano -s 0 -U -w "$f" udp or ip6 2>"$TRUTH/$n.capture-stats.txt"
    local cap=$BG; capture_started
    run ip netns exec $nsA timeout 40 python3 $HERE/rtpsend.py --scenario restart --hbh --to "[$B6]:41002" --bind "[$A6]:41000"
    sleep 0.5; stop $cap; ns_down
    finalize $n "$f" "$OUT" "-d udp.port==41002,rtp"
}

# 3. PCMU with 30 ms ptime through 20 +- 8 ms uniform jitter + 2 % loss, then QinQ (802.1ad S-tag 200 +
#    802.1Q C-tag 300) inserted by pcaprewrite.py.
cap_qinq() {
    local n=pcmu30-qinq; newlog $n; ns_std
    local f0=$OUT/$n.untagged.pcap f=$OUT/$n.pcap
    listen_capture_f0 42002
    local cap=$CAP
    bgrun ip netns exec $nsA timeout 60 "${RELAY[@]}" --truth "$TRUTH/$n.truth.tsv" --listen 127.0.0.1:6200 --bind $A4:42000 --to $B4:42002 --delay 20 --jitter 8 --dist uniform --loss 2 --spare-first 1 --seed 72 --idle-exit 2
    local rl=$BG; capture_started
    run ip netns exec $nsA timeout 30 "${GST[@]}" audiotestsrc is-live=true wave=sine freq=800 num-buffers=300 samplesperbuffer=240 ! audio/x-raw,rate=8000,channels=1 ! mulawenc ! rtppcmupay min-ptime=30000000 max-ptime=30000000 ssrc=0x30303030 seqnum-offset=12000 timestamp-offset=3000 ! udpsink host=127.0.0.1 port=6200 bind-port=6201
    wait $rl || true; sleep 0.3; stop $cap; ns_down
    rewrite_f0 qinq 200 300
    finalize $n "$f" "$OUT" "-d udp.port==42002,rtp"
}

# 4. Speex wideband (dynamic PT 97, 16 kHz clock) with heavy Gilbert-Elliott burst loss; rewritten to
#    LINKTYPE_RAW (101, no link header).
cap_speex() {
    local n=speexwb-burst-rawip; newlog $n; ns_std
    local f0=$OUT/$n.eth.pcap f=$OUT/$n.pcap
    listen_capture_f0 43002
    local cap=$CAP
    bgrun ip netns exec $nsA timeout 60 "${RELAY[@]}" --truth "$TRUTH/$n.truth.tsv" --listen 127.0.0.1:6300 --bind $A4:43000 --to $B4:43002 --delay 10 --jitter 2 --dist normal --ge-p 6 --ge-r 15 --spare-first 1 --seed 73 --idle-exit 2
    local rl=$BG; capture_started
    run ip netns exec $nsA timeout 30 "${GST[@]}" audiotestsrc is-live=true wave=sine freq=900 num-buffers=500 samplesperbuffer=320 ! audio/x-raw,rate=16000,channels=1 ! speexenc mode=wb ! rtpspeexpay pt=97 ssrc=0x5BEEC416 seqnum-offset=7000 timestamp-offset=123456789 ! udpsink host=127.0.0.1 port=6300 bind-port=6301
    wait $rl || true; sleep 0.3; stop $cap; ns_down
    rewrite_f0 rawip
    finalize $n "$f" "$OUT" "-d udp.port==43002,rtp" "#clock 97=16000"
}

# 5. Opus 48 kHz, 60 ms frames, DTX (3 s tone, 4 s digital silence, 3 s tone), with rtpopuspay dtx=true;
#    heavy jitter 60 +- 40 ms normal (reorders); dumpcap pcapng.
cap_opus() {
    local n=opus60-dtx-reorder; newlog $n; ns_std
    local f=$OUT/$n.pcapng
    bgrun ip netns exec $nsB timeout 60 "${GST[@]}" udpsrc address=0.0.0.0 port=44002 ! fakesink sync=false
    bgrun ip netns exec $nsB timeout 60 dumpcap -q -B 8 -i $vB -f udp -w "$f" 2>"$TRUTH/$n.capture-stats.txt"
    local cap=$BG
    bgrun ip netns exec $nsA timeout 60 "${RELAY[@]}" --truth "$TRUTH/$n.truth.tsv" --listen 127.0.0.1:6400 --bind $A4:44000 --to $B4:44002 --delay 60 --jitter 40 --dist normal --spare-first 1 --seed 74 --idle-exit 3
    local rl=$BG; capture_started
    run ip netns exec $nsA timeout 30 "${GST[@]}" filesrc location=$WORK/tone-silence-tone-48k.wav ! wavparse ! audioconvert ! audio/x-raw,rate=48000,channels=1 ! opusenc dtx=true frame-size=60 bitrate=20000 ! rtpopuspay dtx=true pt=111 ssrc=0x0DD7C060 seqnum-offset=41000 timestamp-offset=4000000000 ! udpsink host=127.0.0.1 port=6400 bind-port=6401 sync=true
    wait $rl || true; sleep 0.3; stop $cap; ns_down
    finalize $n "$f" "$OUT" "-d udp.port==44002,rtp" "#clock 111=48000"
}

# 6. G.726-32 (dynamic PT 98, 8 kHz) with 10 % duplication and 25 % netem-style reordering (40 ms delay,
#    reordered ones sent at once), plus a second, clean G.726 stream in the other direction.
cap_g726() {
    local n=g726-dup-reorder; newlog $n; ns_std
    local f=$OUT/$n.pcap
    bgrun ip netns exec $nsB timeout 60 "${GST[@]}" udpsrc address=0.0.0.0 port=45002 ! fakesink sync=false
    bgrun ip netns exec $nsA timeout 60 "${GST[@]}" udpsrc address=0.0.0.0 port=45000 ! fakesink sync=false
    bgrun ip netns exec $nsB timeout 60 tcpdump --immediate-mode -B 8192 -i $vB -s 0 -U -w "$f" udp 2>"$TRUTH/$n.capture-stats.txt"
    local cap=$BG
    bgrun ip netns exec $nsA timeout 60 "${RELAY[@]}" --truth "$TRUTH/$n.truth.tsv" --listen 127.0.0.1:6500 --bind $A4:45000 --to $B4:45002 --delay 40 --reorder 25 --dup 10 --spare-first 1 --seed 75 --idle-exit 2
    local rl=$BG; capture_started
    bgrun ip netns exec $nsB timeout 30 "${GST[@]}" audiotestsrc is-live=true wave=sine freq=500 num-buffers=400 samplesperbuffer=160 ! audio/x-raw,rate=8000,channels=1 ! avenc_g726 bitrate=32000 ! rtpg726pay min-ptime=20000000 max-ptime=20000000 pt=98 ssrc=0xB726B726 seqnum-offset=100 timestamp-offset=100 ! udpsink host=$A4 port=45000 bind-port=45002
    local tx2=$BG
    run ip netns exec $nsA timeout 30 "${GST[@]}" audiotestsrc is-live=true wave=sine freq=600 num-buffers=400 samplesperbuffer=160 ! audio/x-raw,rate=8000,channels=1 ! avenc_g726 bitrate=32000 ! rtpg726pay min-ptime=20000000 max-ptime=20000000 pt=98 ssrc=0xA726A726 seqnum-offset=30000 timestamp-offset=2147483000 ! udpsink host=127.0.0.1 port=6500 bind-port=6501
    wait $tx2 || true; wait $rl || true; sleep 0.3; stop $cap; ns_down
    finalize $n "$f" "$OUT" "-d udp.port==45002,rtp" "-d udp.port==45000,rtp" "#clock 98=8000"
}

# 7. VLAN 100 (IPv4, L16 stereo 44.1 kHz static PT 10, 20 ms = 3540-byte datagrams -> IPv4 fragments) + untagged
#    IPv6 PCMU, captured on B's veth (the tag is added afterwards: the kernel here has no 8021q).
cap_frag() {
    local n=l16frag-vlan-v6; newlog $n; ns_std
    local f0=$WORK/$n.untagged.pcap f=$OUT/$n.pcap
    bgrun ip netns exec $nsB timeout 60 "${GST[@]}" udpsrc address=0.0.0.0 port=46000 buffer-size=1000000 ! fakesink sync=false
    bgrun ip netns exec $nsB timeout 60 "${GST[@]}" udpsrc address=:: port=46002 ! fakesink sync=false
    bgrun ip netns exec $nsB timeout 60 tcpdump --immediate-mode -B 8192 -i $vB -s 0 -U -w "$f0" 2>"$TRUTH/$n.capture-stats.txt"
    local cap=$BG
    capture_started
    bgrun ip netns exec $nsA timeout 30 "${GST[@]}" audiotestsrc is-live=true wave=sine freq=600 num-buffers=200 samplesperbuffer=160 ! audio/x-raw,rate=8000,channels=1 ! mulawenc ! rtppcmupay ssrc=0x6666A001 seqnum-offset=3 timestamp-offset=3 ! udpsink host=$B6 port=46002 bind-port=46003
    local t6=$BG
    run ip netns exec $nsA timeout 30 "${GST[@]}" audiotestsrc is-live=true wave=sine freq=700 num-buffers=200 samplesperbuffer=882 ! audio/x-raw,rate=44100,channels=2 ! rtpL16pay pt=10 mtu=9000 ssrc=0x1616F4A6 seqnum-offset=20000 timestamp-offset=2000000 ! udpsink host=$B4 port=46000 bind-port=46001
    wait $t6 || true; sleep 0.5; stop $cap; ns_down
    chown root:root "$f0"
    run python3 $HERE/vlan4.py "$f0" "$f" 100
    finalize $n "$f" "$OUT" "-d udp.port==46000,rtp" "-d udp.port==46002,rtp"
}

# 8. PCMU 16 s via 5+-2 ms uniform jitter (seed 87): loss of seqs 65534..1 right at the wrap, 6 s of 100 % loss
cap_outage() {
    local n=outage-wrap; newlog $n; ns_std
    local f=$OUT/$n.pcap
    bgrun ip netns exec $nsB timeout 60 "${GST[@]}" udpsrc address=0.0.0.0 port=47000 ! fakesink sync=false
    bgrun ip netns exec $nsB timeout 60 tcpdump --immediate-mode -B 8192 -i $vB -s 0 -U -w "$f" udp 2>"$TRUTH/$n.capture-stats.txt"
    local cap=$BG
    bgrun ip netns exec $nsA timeout 60 "${RELAY[@]}" --truth "$TRUTH/$n.truth.tsv" --listen 127.0.0.1:6600 --bind $A4:47002 --to $B4:47000 --delay 5 --jitter 2 --dist uniform --seed 87 --idle-exit 8
    local rl=$BG; capture_started
    run ip netns exec $nsA timeout 40 python3 $HERE/rtpsend.py --scenario outagewrap --to 127.0.0.1:6600 --bind 127.0.0.1:6601
    wait $rl || true; sleep 0.3; stop $cap; ns_down
    finalize $n "$f" "$OUT" "-d udp.port==47000,rtp"
}

# 9. PCMA through the kernel's VXLAN (VNI 42, UDP 4789) between the namespaces: the relay adds
#    15 +- 8 ms of jitter and 3 % loss inside the overlay; tcpdump captures the underlay.
cap_vxlan() {
    local n=pcma-vxlan; newlog $n; ns_std
    local f=$OUT/$n.pcap o4a=198.51.100.1 o4b=198.51.100.2
    run ip -n $nsA link add vx42 type vxlan id 42 dstport 4789 local $A4 remote $B4 dev $vA
    run ip -n $nsB link add vx42 type vxlan id 42 dstport 4789 local $B4 remote $A4 dev $vB
    run ip -n $nsA link set vx42 address 02:00:00:00:42:0a
    run ip -n $nsB link set vx42 address 02:00:00:00:42:0b
    run ip -n $nsA addr add $o4a/24 dev vx42
    run ip -n $nsB addr add $o4b/24 dev vx42
    run ip -n $nsA link set vx42 up
    run ip -n $nsB link set vx42 up
    run ip -n $nsA neigh replace $o4b lladdr 02:00:00:00:42:0b dev vx42 nud permanent
    run ip -n $nsB neigh replace $o4a lladdr 02:00:00:00:42:0a dev vx42 nud permanent
    bgrun ip netns exec $nsB timeout 60 "${GST[@]}" udpsrc address=0.0.0.0 port=48002 ! fakesink sync=false
    bgrun ip netns exec $nsB timeout 60 tcpdump --immediate-mode -B 8192 -i $vB -s 0 -U -w "$f" udp port 4789 2>"$TRUTH/$n.capture-stats.txt"
    local cap=$BG
    bgrun ip netns exec $nsA timeout 60 "${RELAY[@]}" --truth "$TRUTH/$n.truth.tsv" --listen 127.0.0.1:6700 --bind $o4a:48000 --to $o4b:48002 --delay 20 --jitter 8 --dist uniform --loss 3 --spare-first 1 --seed 91 --idle-exit 2
    local rl=$BG; capture_started
    run ip netns exec $nsA timeout 30 "${GST[@]}" audiotestsrc is-live=true wave=sine freq=700 num-buffers=300 samplesperbuffer=160 ! audio/x-raw,rate=8000,channels=1 ! alawenc ! rtppcmapay ssrc=0x7E1A0042 seqnum-offset=64000 timestamp-offset=77 ! udpsink host=127.0.0.1 port=6700 bind-port=6701
    wait $rl || true; sleep 0.3; stop $cap; ns_down
    finalize $n "$f" "$OUT" "-d udp.port==48002,rtp"
}

# 10. Opus 20 ms (dynamic PT 111, no SDP) with 2 % loss and 10 % reordering, then every IP packet
#     wrapped in GTP-U with a 5G PDU session container (as on N3), by pcaprewrite.py.
cap_gtp() {
    local n=opus-gtpu; newlog $n; ns_std
    local f0=$WORK/$n.plain.pcap f=$OUT/$n.pcap
    listen_capture_f0 49002
    local cap=$CAP
    bgrun ip netns exec $nsA timeout 60 "${RELAY[@]}" --truth "$TRUTH/$n.truth.tsv" --listen 127.0.0.1:6800 --bind $A4:49000 --to $B4:49002 --delay 30 --reorder 10 --loss 2 --spare-first 1 --seed 92 --idle-exit 2
    local rl=$BG; capture_started
    run ip netns exec $nsA timeout 30 "${GST[@]}" audiotestsrc is-live=true wave=sine freq=440 num-buffers=300 samplesperbuffer=960 ! audio/x-raw,rate=48000,channels=1 ! opusenc frame-size=20 bitrate=24000 ! rtpopuspay pt=111 ssrc=0x6E7B0111 seqnum-offset=500 timestamp-offset=1000 ! udpsink host=127.0.0.1 port=6800 bind-port=6801
    wait $rl || true; sleep 0.3; stop $cap; ns_down
    rewrite_f0 gtpu
    finalize $n "$f" "$OUT" "-d udp.port==49002,rtp" "#clock 111=48000"
}

# 11. G.722 (static PT 9) both ways with 10 +- 5 ms normal jitter and 1 % loss, then every frame
#     mirrored in ERSPAN type II over GRE (a remote span session), by pcaprewrite.py.
cap_erspan() {
    local n=g722-erspan; newlog $n; ns_std
    local f0=$WORK/$n.plain.pcap f=$OUT/$n.pcap
    bgrun ip netns exec $nsA timeout 60 "${GST[@]}" udpsrc address=0.0.0.0 port=50000 ! fakesink sync=false
    listen_capture_f0 50002
    local cap=$CAP
    bgrun ip netns exec $nsA timeout 60 "${RELAY[@]}" --truth "$TRUTH/$n.truth.tsv" --listen 127.0.0.1:6900 --bind $A4:50000 --to $B4:50002 --delay 10 --jitter 5 --dist normal --loss 1 --spare-first 1 --seed 93 --idle-exit 2
    local rl=$BG; capture_started
    bgrun ip netns exec $nsB timeout 30 "${GST[@]}" audiotestsrc is-live=true wave=sine freq=350 num-buffers=250 samplesperbuffer=320 ! audio/x-raw,rate=16000,channels=1 ! avenc_g722 ! rtpg722pay ssrc=0x0722B0B0 seqnum-offset=9 timestamp-offset=9 ! udpsink host=$A4 port=50000 bind-port=50002
    local tx2=$BG
    run ip netns exec $nsA timeout 30 "${GST[@]}" audiotestsrc is-live=true wave=sine freq=450 num-buffers=250 samplesperbuffer=320 ! audio/x-raw,rate=16000,channels=1 ! avenc_g722 ! rtpg722pay ssrc=0x0722A0A0 seqnum-offset=65400 timestamp-offset=4294960000 ! udpsink host=127.0.0.1 port=6900 bind-port=6901
    wait $tx2 || true; wait $rl || true; sleep 0.3; stop $cap; ns_down
    rewrite_f0 erspan
    finalize $n "$f" "$OUT" "-d udp.port==50002,rtp" "-d udp.port==50000,rtp"
}

# 12. L16 mono 44.1 kHz (static PT 11) with 40 ms packets over IPv6: 3528-byte datagrams, which the
#     sending kernel cuts into three IPv6 fragments each (fragment extension header); tcpdump on B's veth.
cap_frag6() {
    local n=l16-ipv6frag; newlog $n; ns_std
    local f=$OUT/$n.pcap
    bgrun ip netns exec $nsB timeout 60 "${GST[@]}" udpsrc address=:: port=51002 buffer-size=1000000 ! fakesink sync=false
    bgrun ip netns exec $nsB timeout 60 tcpdump --immediate-mode -B 8192 -i $vB -s 0 -U -w "$f" ip6 2>"$TRUTH/$n.capture-stats.txt"
    local cap=$BG
    capture_started
    run ip netns exec $nsA timeout 30 "${GST[@]}" audiotestsrc is-live=true wave=sine freq=520 num-buffers=100 samplesperbuffer=1764 ! audio/x-raw,rate=44100,channels=1 ! rtpL16pay pt=11 mtu=9000 ssrc=0x11F6A6B0 seqnum-offset=65500 timestamp-offset=4294900000 ! udpsink host=$B6 port=51002 bind-port=51000
    sleep 0.5; stop $cap; ns_down
    finalize $n "$f" "$OUT" "-d udp.port==51002,rtp"
}

# 13. PCMU 20 ms with 15 +- 10 ms normal jitter, 2 % loss and 1 % duplication, then every frame put in
#     a PPPoE session behind VLAN 7 (a DSL router's WAN port), by pcaprewrite.py.
cap_pppoe() {
    local n=pcmu-pppoe-vlan; newlog $n; ns_std
    local f0=$WORK/$n.plain.pcap f=$OUT/$n.pcap
    listen_capture_f0 52002
    local cap=$CAP
    bgrun ip netns exec $nsA timeout 60 "${RELAY[@]}" --truth "$TRUTH/$n.truth.tsv" --listen 127.0.0.1:7000 --bind $A4:52000 --to $B4:52002 --delay 15 --jitter 10 --dist normal --loss 2 --dup 1 --spare-first 1 --seed 94 --idle-exit 2
    local rl=$BG; capture_started
    run ip netns exec $nsA timeout 30 "${GST[@]}" audiotestsrc is-live=true wave=sine freq=620 num-buffers=350 samplesperbuffer=160 ! audio/x-raw,rate=8000,channels=1 ! mulawenc ! rtppcmupay ssrc=0x9090E007 seqnum-offset=31000 timestamp-offset=5000 ! udpsink host=127.0.0.1 port=7000 bind-port=7001
    wait $rl || true; sleep 0.3; stop $cap; ns_down
    rewrite_f0 pppoe 7
    finalize $n "$f" "$OUT" "-d udp.port==52002,rtp"
}

# 14. PCMA 20 ms with 20 +- 15 ms normal jitter (which reorders), 3 % loss and 1 % duplication,
#     captured by tcpdump with a 60-byte snap length, as probes that keep no audio do: every frame
#     is kept to 58 bytes, 4 into the RTP payload, and tshark still analyses the headers.
cap_snaplen() {
    local n=pcma-snaplen60; newlog $n; ns_std
    local f=$OUT/$n.pcap
    listen_capture "$f" 52102 60
    local cap=$CAP
    bgrun ip netns exec $nsA timeout 60 "${RELAY[@]}" --truth "$TRUTH/$n.truth.tsv" --listen 127.0.0.1:7100 --bind $A4:52100 --to $B4:52102 --delay 20 --jitter 15 --dist normal --loss 3 --dup 1 --spare-first 1 --seed 95 --idle-exit 2
    local rl=$BG; capture_started
    run ip netns exec $nsA timeout 30 "${GST[@]}" audiotestsrc is-live=true wave=sine freq=700 num-buffers=400 samplesperbuffer=160 ! audio/x-raw,rate=8000,channels=1 ! alawenc ! rtppcmapay ssrc=0x5A1E0060 seqnum-offset=65300 timestamp-offset=77 ! udpsink host=127.0.0.1 port=7100 bind-port=7101
    wait $rl || true; sleep 0.3; stop $cap; ns_down
    finalize $n "$f" "$OUT" "-d udp.port==52102,rtp"
}

# 15. Committed captures as a short snap length keeps them (`editcap -F pcap -s N`, what `tcpdump -s N`
#     records of the same traffic, in the same format): RTCP SR and RR whole with the SDES after them cut
#     (96), so round trips and the receiver's reports still count; IPv4 fragments of which only the
#     first's headers are left (96), which tshark reads as the datagram at the first fragment's time;
#     and GTP-U cut inside the user's RTP payload (120), the GTP length beyond what was kept.
cap_cuts() {
    local n snap dec
    for cut in rtcp-rr:96 l16frag-vlan-v6:96 opus-gtpu:120; do
        n=${cut%:*}; snap=${cut#*:}
        newlog $n-s$snap
        run editcap -F pcap -s $snap $OUT/$n.pcap $OUT/$n-s$snap.pcap
        mapfile -t dec <$OUT/$n.decode
        finalize $n-s$snap $OUT/$n-s$snap.pcap "$OUT" "${dec[@]}"
    done
    n=rtcp-rr-s96
    tshark -n -r $OUT/$n.pcap $(cat $OUT/$n.decode) -o rtcp.show_roundtrip_calculation:TRUE \
        -o rtcp.roundtrip_min_threshhold:1 -Y rtcp.roundtrip-delay -T fields -e rtcp.roundtrip-delay 2>/dev/null |
        awk 'NF{n++; s+=$1; if(n==1||$1<mn)mn=$1; if(n==1||$1>mx)mx=$1} END{printf "n=%d min=%d mean=%.1f max=%d\n", n, mn, (n?s/n:0), mx}' >"$OUT/$n.rtt.txt"
}

# 16. PCMU 20 ms through netem_lite (delay 15 +- 6 ms uniform, 2% loss, seed 96), captured from Linux
#     netfilter's log: an nftables rule on B's input logs the media to NFLOG group 5 and `tcpdump -i
#     nflog:5` records it, link type NFLOG (239), as on a Linux router or firewall.
cap_nflog() {
    local n=pcmu-nflog; newlog $n; ns_std
    local f=$OUT/$n.pcap
    run ip netns exec $nsB nft add table ip rtpscope
    run ip netns exec $nsB nft add chain ip rtpscope in '{ type filter hook input priority 0; }'
    run ip netns exec $nsB nft add rule ip rtpscope in udp dport 53102 log group 5 queue-threshold 1
    listen_capture "$f" 53102 0 nflog:5
    local cap=$CAP
    bgrun ip netns exec $nsA timeout 60 "${RELAY[@]}" --truth "$TRUTH/$n.truth.tsv" --listen 127.0.0.1:7100 --bind $A4:53100 --to $B4:53102 --delay 15 --jitter 6 --dist uniform --loss 2 --spare-first 1 --seed 96 --idle-exit 2
    local rl=$BG; capture_started
    run ip netns exec $nsA timeout 30 "${GST[@]}" audiotestsrc is-live=true wave=sine freq=500 num-buffers=250 samplesperbuffer=160 ! audio/x-raw,rate=8000,channels=1 ! mulawenc ! rtppcmupay ssrc=0x4E1F0096 seqnum-offset=6000 timestamp-offset=96 ! udpsink host=127.0.0.1 port=7100 bind-port=7101
    wait $rl || true; sleep 0.3; stop $cap; ns_down
    finalize $n "$f" "$OUT" "-d udp.port==53102,rtp"
}

# 17. A call signalled over SIP/TCP by sipp (`-t t1`, scenarios in sipp/: the offer and the answer
#     name Opus as dynamic PT 111 at 48 kHz), with 5 s of Opus from A to B on the negotiated ports
#     (GStreamer, 20 ms frames). Each message fits one TCP segment. tshark learns the codec from the
#     SDP and analyses the stream without any decode option; so must rtpscope.
cap_siptcp() {
    local n=opus-siptcp; newlog $n; ns_std
    sip_tcp_call $n 600 0x0B05A111 1111 111
}

# 17b. The same call with both veths at an MTU of 576 and no segmentation offload: TCP's segments carry
#      at most 536 bytes, so the INVITE and the 200 OK, each with its SDP, arrive split over two segments.
cap_siptcpsplit() {
    local n=opus-siptcp-split; newlog $n; ns_std
    run ip -n $nsA link set $vA mtu 576
    run ip -n $nsB link set $vB mtu 576
    # Segment in the stack, not in a virtual NIC's offload (which would show one big frame).
    run ip netns exec $nsA ethtool -K $vA tso off gso off
    run ip netns exec $nsB ethtool -K $vB tso off gso off gro off
    sip_tcp_call $n 750 0x0B05A112 2222 222
}

# sip_tcp_call NAME TONE_HZ SSRC SEQ TS: sipp's call over TCP between the namespaces, with Opus from
# A to B on the negotiated ports, captured on B's veth into NAME.pcap.
sip_tcp_call() {
    local n=$1 f=$OUT/$1.pcap
    bgrun ip netns exec $nsB timeout 60 tcpdump --immediate-mode -B 8192 -i $vB -s 0 -U -w "$f" udp or tcp port 5060 2>"$TRUTH/$n.capture-stats.txt"
    local cap=$BG
    bgrun ip netns exec $nsB timeout 60 "${GST[@]}" udpsrc address=0.0.0.0 port=9078 ! fakesink sync=false
    bgrun ip netns exec $nsB timeout 40 sipp -sf $HERE/sipp/uas-tcp.xml -t t1 -i $B4 -p 5060 -m 1 -nostdin
    capture_started
    bgrun ip netns exec $nsA timeout 40 sipp $B4:5060 -sf $HERE/sipp/uac-tcp.xml -t t1 -i $A4 -p 5060 -m 1 -nostdin
    local uac=$BG; sleep 1
    run ip netns exec $nsA timeout 30 "${GST[@]}" audiotestsrc is-live=true wave=sine freq=$2 num-buffers=250 samplesperbuffer=960 ! audio/x-raw,rate=48000,channels=2 ! opusenc ! rtpopuspay pt=111 ssrc=$3 seqnum-offset=$4 timestamp-offset=$5 ! udpsink host=$B4 port=9078 bind-port=7078
    wait $uac || true; sleep 0.3; stop $cap; ns_down
    finalize $n "$f" "$OUT" "#clock 111=48000"
}

# 18. VP8 video (dynamic PT 96, 90 kHz, no SDP) from GStreamer's snow pattern, 160x120 at 30 frames/s in
#     packets of at most 120 bytes: the key frame alone is more than the 128 packets rtpscope holds to
#     infer an unknown clock, all with one timestamp. Through netem_lite (delay 20 +- 2 ms normal, which
#     reorders within a frame's burst, 1 % loss, seed 97); recorded with a 64-byte snap length (headers).
cap_video() {
    local n=vp8-nosdp-s64; newlog $n; ns_std
    local f=$OUT/$n.pcap
    listen_capture "$f" 54102 64
    local cap=$CAP
    bgrun ip netns exec $nsA timeout 60 "${RELAY[@]}" --truth "$TRUTH/$n.truth.tsv" --listen 127.0.0.1:7100 --bind $A4:54100 --to $B4:54102 --delay 20 --jitter 2 --dist normal --loss 1 --spare-first 1 --seed 97 --idle-exit 2
    local rl=$BG; capture_started
    run ip netns exec $nsA timeout 30 "${GST[@]}" videotestsrc is-live=true pattern=snow num-buffers=100 ! video/x-raw,width=160,height=120,framerate=30/1 ! vp8enc deadline=1 target-bitrate=60000 keyframe-max-dist=300 ! rtpvp8pay pt=96 mtu=120 ssrc=0x0F8D0096 seqnum-offset=64000 picture-id-mode=15-bit ! udpsink host=127.0.0.1 port=7100 bind-port=7101
    wait $rl || true; sleep 0.3; stop $cap; ns_down
    finalize $n "$f" "$OUT" "-d udp.port==54102,rtp" "#clock 96=90000"
}

# 19. GSM full rate (static PT 3, 20 ms) from ffmpeg's libgsm, sent as RFC 3551 frames by rtpsend.py,
#     through Gilbert-Elliott burst loss (p 4 %, r 30 %) and 12 +- 4 ms of normal jitter (seed 98).
cap_gsm() {
    local n=gsm-burst; newlog $n; ns_std
    local f=$OUT/$n.pcap frames=$WORK/tone.gsm
    run ffmpeg -hide_banner -loglevel error -y -f lavfi -i sine=frequency=500:sample_rate=8000:duration=12 -c:a libgsm -f gsm "$frames"
    listen_capture "$f" 55002
    local cap=$CAP
    bgrun ip netns exec $nsA timeout 60 "${RELAY[@]}" --truth "$TRUTH/$n.truth.tsv" --listen 127.0.0.1:7200 --bind $A4:55000 --to $B4:55002 --delay 12 --jitter 4 --dist normal --ge-p 4 --ge-r 30 --spare-first 1 --seed 98 --idle-exit 2
    local rl=$BG; capture_started
    run ip netns exec $nsA timeout 30 python3 $HERE/rtpsend.py --scenario frames --frames "$frames" --frame-bytes 33 --frame-samples 160 --pt 3 --ssrc 0x65A30003 --seq 31000 --ts 90000 --to 127.0.0.1:7200 --bind 127.0.0.1:7201
    wait $rl || true; sleep 0.3; stop $cap; ns_down
    finalize $n "$f" "$OUT" "-d udp.port==55002,rtp"
}

# 20. G.723.1 at 6.3 kbit/s (static PT 4, one 30 ms frame a packet) from ffmpeg's encoder, through
#     25 +- 15 ms of uniform jitter (reorders), 3 % duplication and 1 % loss (seed 99); dumpcap pcapng.
cap_g723() {
    local n=g723-jitter-dup; newlog $n; ns_std
    local f=$OUT/$n.pcapng frames=$WORK/tone.g723
    run ffmpeg -hide_banner -loglevel error -y -f lavfi -i sine=frequency=700:sample_rate=8000:duration=12 -c:a g723_1 -b:a 6300 -f g723_1 "$frames"
    bgrun ip netns exec $nsB timeout 60 "${GST[@]}" udpsrc address=0.0.0.0 port=56002 ! fakesink sync=false
    bgrun ip netns exec $nsB timeout 60 dumpcap -q -B 8 -i $vB -f "udp port 56002" -w "$f" 2>"$TRUTH/$n.capture-stats.txt"
    local cap=$BG
    bgrun ip netns exec $nsA timeout 60 "${RELAY[@]}" --truth "$TRUTH/$n.truth.tsv" --listen 127.0.0.1:7300 --bind $A4:56000 --to $B4:56002 --delay 25 --jitter 15 --dist uniform --dup 3 --loss 1 --spare-first 1 --seed 99 --idle-exit 2
    local rl=$BG; capture_started
    run ip netns exec $nsA timeout 30 python3 $HERE/rtpsend.py --scenario frames --frames "$frames" --frame-bytes 24 --frame-samples 240 --pt 4 --ssrc 0x72310004 --seq 65300 --ts 4294900000 --to 127.0.0.1:7300 --bind 127.0.0.1:7301
    wait $rl || true; sleep 0.3; stop $cap; ns_down
    finalize $n "$f" "$OUT" "-d udp.port==56002,rtp"
}

ALL=(events restart qinq speex opus g726 frag outage vxlan gtp erspan frag6 pppoe snaplen cuts nflog siptcp siptcpsplit video gsm g723)
TARGETS=("$@"); [ ${#TARGETS[@]} -gt 0 ] || TARGETS=("${ALL[@]}")
for t in "${TARGETS[@]}"; do cap_$t; done
LOG=/dev/null
python3 "$HERE/manifest.py" .
