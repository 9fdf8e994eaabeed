#!/usr/bin/env bash
# tools/captures/make.sh - regenerate rtpscope's own RTP test captures.
#
# Writes tests/data/{NAME.pcap|pcapng, .decode, .tshark.txt, .ref.tsv, .rfc3550.tsv},
# tests/data/truth/*, tests/data/MANIFEST.md, samples/call.pcap (+ .decode/.tshark.txt/.ref.tsv/
# .rfc3550.tsv) and samples/README.md.
#
# usage (as root, from anywhere):  tools/captures/make.sh [NAME ...]
#   NAME in: pcmu-clean pcma-jitter g722-loss-ipv6 opus-dup-sll2 rtcp-rr mixed-noise call
#   (default: all; the MANIFEST is rebuilt from whatever is present).
#
# Needs: iproute2 (ip netns, veth), nftables, tcpdump, dumpcap/tshark/editcap/capinfos
# (Wireshark 4.0), gst-launch-1.0 with plugins-base/good + gstreamer1.0-libav (avenc_g722),
# dig (bind9-dnsutils), python3.
#
# Everything stays on this machine: traffic goes over loopback or a veth pair between two
# network namespaces created here, with documentation addresses only:
#   tests/data: rtps_a 198.51.100.33 / 2001:db8:33::33  <-veth->  rtps_b 198.51.100.44 / 2001:db8:33::44
#   samples:    rtps_alice 198.51.100.10                <-veth->  rtps_bob 198.51.100.20
# The kernel has no `tc netem`, so impairments come from tools/captures/netem_lite.py (seeded
# user-space UDP relay; its per-datagram decisions go to tests/data/truth/NAME.truth.tsv).
# Decisions are reproducible per seed; timing is real, so jitter/delta numbers vary slightly
# between regenerations -- the .ref.tsv/.rfc3550.tsv files describe THESE captures.
#
# The exact commands run for every capture are logged and copied into tests/data/MANIFEST.md
# (and samples/README.md); the main ones are:
#
#   ip netns add rtps_a; ip netns add rtps_b; ip link add rtps_va type veth peer name rtps_vb; ...
#   ip netns exec rtps_b tcpdump --immediate-mode -i rtps_vb -s 0 -U [--time-stamp-precision=nano] -w F udp
#   ip netns exec rtps_b tcpdump --immediate-mode -i any -y LINUX_SLL2 -s 0 -U -w F udp
#   ip netns exec rtps_b dumpcap -q -i rtps_vb -f udp -w F.pcapng
#   ip netns exec rtps_a python3 netem_lite.py --listen 127.0.0.1:P --bind A:P --to B:P --delay .. --seed ..
#   ip netns exec rtps_a gst-launch-1.0 -q audiotestsrc is-live=true num-buffers=N samplesperbuffer=160 !
#       audio/x-raw,rate=8000,channels=1 ! mulawenc ! rtppcmupay ssrc=.. seqnum-offset=.. timestamp-offset=.. !
#       udpsink host=127.0.0.1 port=P bind-port=P2
#   tshark -n -r F <decode opts> -q -z rtp,streams > NAME.tshark.txt
#   python3 streams2ref.py NAME.tshark.txt > NAME.ref.tsv
#   python3 rfc3550_ref.py F NAME.decode > NAME.rfc3550.tsv
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"               # all paths below (and in the logged commands) are relative to the checkout
HERE=tools/captures
OUT=tests/data
SAMPLES=samples
TRUTH=$OUT/truth
LOGS=$HERE/logs          # per-capture command logs (used to build the MANIFEST)
mkdir -p "$OUT" "$TRUTH" "$SAMPLES" "$LOGS"

[ "$(id -u)" = 0 ] || { echo "must run as root (netns, tcpdump)" >&2; exit 1; }

. "$HERE/lib.sh"

nsA=rtps_a; nsB=rtps_b; vA=rtps_va; vB=rtps_vb
A4=198.51.100.33; B4=198.51.100.44; A6=2001:db8:33::33; B6=2001:db8:33::44

# 20 ms PCMU/PCMA source: audiotestsrc pacing; N buffers of 160 samples at 8 kHz
src8k() { echo "audiotestsrc is-live=true wave=sine freq=$2 num-buffers=$1 samplesperbuffer=160 ! audio/x-raw,rate=8000,channels=1"; }

# ---------------------------------------------------------------------------------------------
cap_pcmu_clean() {
    # PCMU 20 ms, 3 s, loopback of namespace rtps_a (isolated from the host's loopback), pcap usec.
    newlog pcmu-clean; ns_std
    local f=$OUT/pcmu-clean.pcap
    bgrun ip netns exec $nsA timeout 60 "${GST[@]}" udpsrc address=127.0.0.1 port=31000 ! fakesink sync=false
    bgrun ip netns exec $nsA timeout 60 tcpdump --immediate-mode -B 8192 -i lo -s 0 -U -w "$f" udp port 31000 2>"$TRUTH/pcmu-clean.capture-stats.txt"
    local cap=$BG; capture_started
    run ip netns exec $nsA timeout 30 "${GST[@]}" $(src8k 150 1000) ! mulawenc ! rtppcmupay ssrc=0x0BADCAFE seqnum-offset=32000 timestamp-offset=1234567 ! udpsink host=127.0.0.1 port=31000 bind-port=31002
    sleep 0.5; stop $cap; ns_down
    finalize pcmu-clean "$f" "$OUT" "-d udp.port==31000,rtp"
}

cap_pcma_jitter() {
    # PCMA through netem_lite delay 30 +- 15 ms (normal) -> reorders; veth; pcap NANOSECOND.
    newlog pcma-jitter; ns_std
    local f=$OUT/pcma-jitter.pcap
    bgrun ip netns exec $nsB timeout 60 "${GST[@]}" udpsrc address=0.0.0.0 port=24682 ! fakesink sync=false
    bgrun ip netns exec $nsB timeout 60 tcpdump --immediate-mode -B 8192 -i $vB --time-stamp-precision=nano -s 0 -U -w "$f" udp 2>"$TRUTH/pcma-jitter.capture-stats.txt"
    local cap=$BG
    bgrun ip netns exec $nsA timeout 60 "${RELAY[@]}" --truth "$TRUTH/pcma-jitter.truth.tsv" --listen 127.0.0.1:6100 --bind $A4:24680 --to $B4:24682 --delay 30 --jitter 15 --dist normal --seed 42 --idle-exit 2
    local rl=$BG; capture_started
    run ip netns exec $nsA timeout 30 "${GST[@]}" $(src8k 200 700) ! alawenc ! rtppcmapay ssrc=0x3A17E2D1 seqnum-offset=100 timestamp-offset=4294966000 ! udpsink host=127.0.0.1 port=6100 bind-port=6101
    wait $rl || true; sleep 0.3; stop $cap; ns_down
    finalize pcma-jitter "$f" "$OUT" "-d udp.port==24682,rtp"
}

cap_g722() {
    # G.722 (PT 9, RTP clock 8000 although audio is 16 kHz) over IPv6, Gilbert-Elliott burst loss; pcapng by dumpcap.
    newlog g722-loss-ipv6; ns_std
    local f=$OUT/g722-loss-ipv6.pcapng
    bgrun ip netns exec $nsB timeout 60 "${GST[@]}" udpsrc address=:: port=26002 ! fakesink sync=false
    bgrun ip netns exec $nsB timeout 60 dumpcap -q -B 8 -i $vB -f udp -w "$f" 2>"$TRUTH/g722-loss-ipv6.capture-stats.txt"
    local cap=$BG
    bgrun ip netns exec $nsA timeout 60 "${RELAY[@]}" --truth "$TRUTH/g722-loss-ipv6.truth.tsv" --listen '[::1]:6200' --bind "[$A6]:26000" --to "[$B6]:26002" --delay 10 --ge-p 2 --ge-r 30 --spare-first 1 --seed 36 --idle-exit 2
    local rl=$BG; capture_started
    run ip netns exec $nsA timeout 30 "${GST[@]}" audiotestsrc is-live=true wave=sine freq=1200 num-buffers=200 samplesperbuffer=320 ! audio/x-raw,rate=16000,channels=1 ! avenc_g722 ! rtpg722pay ssrc=0x6722BEEF seqnum-offset=5000 timestamp-offset=3000000000 ! udpsink host=::1 port=6200 bind-port=6201
    wait $rl || true; sleep 0.3; stop $cap; ns_down
    finalize g722-loss-ipv6 "$f" "$OUT" "-d udp.port==26002,rtp"
}

cap_opus_dup() {
    # Opus PT 111 / 48 kHz, seq starts at 65500 (wraps), 5% duplication; Linux cooked v2 (-i any -y LINUX_SLL2).
    newlog opus-dup-sll2; ns_std
    local f=$OUT/opus-dup-sll2.pcap
    bgrun ip netns exec $nsB timeout 60 "${GST[@]}" udpsrc address=0.0.0.0 port=28002 ! fakesink sync=false
    bgrun ip netns exec $nsB timeout 60 tcpdump --immediate-mode -B 8192 -i any -y LINUX_SLL2 -s 0 -U -w "$f" udp 2>"$TRUTH/opus-dup-sll2.capture-stats.txt"
    local cap=$BG
    bgrun ip netns exec $nsA timeout 60 "${RELAY[@]}" --truth "$TRUTH/opus-dup-sll2.truth.tsv" --listen 127.0.0.1:6300 --bind $A4:28000 --to $B4:28002 --delay 2 --dup 5 --seed 15 --idle-exit 2
    local rl=$BG; capture_started
    run ip netns exec $nsA timeout 30 "${GST[@]}" audiotestsrc is-live=true wave=sine freq=523 num-buffers=150 samplesperbuffer=960 ! audio/x-raw,rate=48000,channels=1 ! opusenc bitrate=24000 frame-size=20 ! rtpopuspay pt=111 ssrc=0x0FF0D1CE seqnum-offset=65500 timestamp-offset=2000000000 ! udpsink host=127.0.0.1 port=6300 bind-port=6301
    wait $rl || true; sleep 0.3; stop $cap; ns_down
    finalize opus-dup-sll2 "$f" "$OUT" "-d udp.port==28002,rtp" "#clock 111=48000"
}

cap_rtcp_rr() {
    # PCMU + RTCP, rtpbin at both ends (RTCP interval 1 s), 30 ms each way on RTP and RTCP, 3% loss on RTP
    # A->B. Captured on the SENDER's loopback (before the relay): RTT from SR/RR ~ 60 ms.
    newlog rtcp-rr; ns_std
    local f=$OUT/rtcp-rr.pcap
    bgrun ip netns exec $nsA timeout 60 tcpdump --immediate-mode -B 8192 -i lo -s 0 -U -w "$f" udp 2>"$TRUTH/rtcp-rr.capture-stats.txt"
    local cap=$BG
    bgrun ip netns exec $nsA timeout 60 "${RELAY[@]}" --truth "$TRUTH/rtcp-rr-rtp.truth.tsv" --listen 127.0.0.1:6400 --bind $A4:22000 --to $B4:22000 --delay 30 --jitter 4 --dist uniform --loss 3 --spare-first 1 --seed 21 --idle-exit 4
    local rl1=$BG
    bgrun ip netns exec $nsA timeout 60 "${RELAY[@]}" --truth "$TRUTH/rtcp-rr-rtcp.truth.tsv" --listen 127.0.0.1:6401 --bind $A4:22001 --to $B4:22001 --delay 30 --reverse-delay 30 --seed 22 --idle-exit 4
    local rl2=$BG
    bgrun ip netns exec $nsB timeout 30 "${GST[@]}" rtpbin name=rb rtpsession0::rtcp-min-interval=1000000000 udpsrc port=22000 caps=application/x-rtp,media=audio,clock-rate=8000,encoding-name=PCMU,payload=0 ! rb.recv_rtp_sink_0 udpsrc port=22001 ! rb.recv_rtcp_sink_0 rb. ! rtppcmudepay ! mulawdec ! fakesink rb.send_rtcp_src_0 ! udpsink host=$A4 port=22001 bind-port=22003 sync=false async=false
    local rx=$BG; capture_started
    # (rtpbin's sender does not always exit at EOS: stop it 3 s after its 6 s of media, exit code 124 is expected)
    run ip netns exec $nsA timeout 9 "${GST[@]}" rtpbin name=rb rtpsession0::rtcp-min-interval=1000000000 $(src8k 300 440) ! mulawenc ! rtppcmupay ssrc=0x5EC0FFEE seqnum-offset=40000 timestamp-offset=400000000 ! rb.send_rtp_sink_0 rb.send_rtp_src_0 ! udpsink host=127.0.0.1 port=6400 bind-port=5402 rb.send_rtcp_src_0 ! udpsink host=127.0.0.1 port=6401 bind-port=5403 sync=false async=false || true
    sleep 1.5; kill -TERM $rx 2>/dev/null || true; wait $rx 2>/dev/null || true
    wait $rl1 || true; wait $rl2 || true; sleep 0.3; stop $cap; ns_down
    finalize rtcp-rr "$f" "$OUT" "-d udp.port==6400,rtp" "-d udp.port==6401,rtcp"
    tshark -n -r "$f" -d udp.port==6400,rtp -d udp.port==6401,rtcp -o rtcp.show_roundtrip_calculation:TRUE \
        -o rtcp.roundtrip_min_threshhold:1 -Y rtcp.roundtrip-delay -T fields -e rtcp.roundtrip-delay 2>/dev/null |
        awk 'NF{n++; s+=$1; if(n==1||$1<mn)mn=$1; if(n==1||$1>mx)mx=$1} END{printf "n=%d min=%d mean=%.1f max=%d\n", n, mn, (n?s/n:0), mx}' >"$OUT/rtcp-rr.rtt.txt"
}

cap_mixed_noise() {
    # One PCMU stream (seq starts at 0, ts at 0) + non-RTP UDP: DNS query/response (dig), random bytes
    # (some starting with 0x80, i.e. RTP-version-2 lookalikes), syslog text. Captured on B's veth.
    newlog mixed-noise; ns_std
    local f=$OUT/mixed-noise.pcap
    bgrun ip netns exec $nsB timeout 60 "${GST[@]}" udpsrc address=0.0.0.0 port=16386 ! fakesink sync=false
    bgrun ip netns exec $nsB timeout 60 python3 "$HERE/noise.py" dns-server --bind $B4 --max-time 15
    bgrun ip netns exec $nsB timeout 60 python3 "$HERE/noise.py" sink --bind $B4 --ports 9999,514 --max-time 15
    bgrun ip netns exec $nsB timeout 60 tcpdump --immediate-mode -B 8192 -i $vB -s 0 -U -w "$f" udp 2>"$TRUTH/mixed-noise.capture-stats.txt"
    local cap=$BG; capture_started
    bgrun ip netns exec $nsA timeout 30 python3 "$HERE/noise.py" send --bind $A4 --to $B4 --seconds 3 --seed 7
    bgrun ip netns exec $nsA timeout 30 "${GST[@]}" $(src8k 150 330) ! mulawenc ! rtppcmupay ssrc=0x9E5E0001 seqnum-offset=0 timestamp-offset=0 ! udpsink host=$B4 port=16386 bind-port=16384
    local tx=$BG
    sleep 0.7; run ip netns exec $nsA dig +tries=1 +time=1 @$B4 -b $A4#53530 www.rtpscope.example A
    sleep 1.2; run ip netns exec $nsA dig +tries=1 +time=1 +noedns @$B4 -b $A4#53531 media.rtpscope.example A
    wait $tx || true; sleep 0.5; stop $cap; ns_down
    finalize mixed-noise "$f" "$OUT" "-d udp.port==16386,rtp"
    # what a heuristic RTP detector makes of the noise (single-packet lookalike "streams")
    tshark -n -r "$f" -o rtp.heuristic_rtp:TRUE -q -z rtp,streams >"$OUT/mixed-noise.heuristic.tshark.txt" 2>/dev/null
}

cap_call() {
    # samples/call.pcap: SIP INVITE/200/ACK (SDP PCMU + telephone-event/101), ~8 s PCMU both ways, BYE/200.
    # A->B (alice->bob) through netem_lite: delay 70 +- 35 ms normal, 3% iid loss; B->A clean (pass-through
    # relay, no impairment, used only so that each side has ONE socket for symmetric RTP).
    newlog call
    local na=rtps_alice nb=rtps_bob a=198.51.100.10 b=198.51.100.20
    ns_up $na $nb rtps_val rtps_vbo $a $b 2001:db8:10::10 2001:db8:10::20
    local f=$SAMPLES/call.pcap
    bgrun ip netns exec $nb timeout 60 python3 "$HERE/sip_call.py" uas --bind $b --rtp-port 51372 --max-time 30
    local uas=$BG
    bgrun ip netns exec $nb timeout 60 tcpdump --immediate-mode -B 8192 -i rtps_vbo -s 0 -U -w "$f" udp 2>"$SAMPLES/call.capture-stats.txt"
    local cap=$BG
    # sinks for the RTP each side receives (handed over by the relay's reverse path)
    bgrun ip netns exec $na timeout 60 "${GST[@]}" udpsrc address=127.0.0.1 port=6003 ! fakesink sync=false
    bgrun ip netns exec $nb timeout 60 "${GST[@]}" udpsrc address=127.0.0.1 port=6503 ! fakesink sync=false
    bgrun ip netns exec $na timeout 60 "${RELAY[@]}" --truth "$SAMPLES/call.a2b.truth.tsv" --listen 127.0.0.1:6000 --bind $a:49170 --to $b:51372 --reverse-to 127.0.0.1:6003 --delay 70 --jitter 35 --dist normal --loss 3 --spare-first 1 --seed 2043 --idle-exit 3
    local r1=$BG
    bgrun ip netns exec $nb timeout 60 "${RELAY[@]}" --truth "$SAMPLES/call.b2a.truth.tsv" --listen 127.0.0.1:6500 --bind $b:51372 --to $a:49170 --reverse-to 127.0.0.1:6503 --seed 2025 --idle-exit 3
    local r2=$BG; capture_started
    local ready=/tmp/rtpscope-call-answered.$$; rm -f $ready
    bgrun ip netns exec $na timeout 60 python3 "$HERE/sip_call.py" uac --bind $a --to $b --rtp-port 49170 --hold 8.4 --ready-file $ready
    local uac=$BG
    for _ in $(seq 100); do [ -e $ready ] && break; sleep 0.05; done; rm -f $ready   # media starts after the ACK
    sleep 0.1
    bgrun ip netns exec $nb timeout 30 "${GST[@]}" $(src8k 400 350) ! mulawenc ! rtppcmupay ssrc=0xB0B0CA11 seqnum-offset=9000 timestamp-offset=555000 ! udpsink host=127.0.0.1 port=6500 bind-port=6501
    local tb=$BG
    bgrun ip netns exec $na timeout 30 "${GST[@]}" $(src8k 400 440) ! mulawenc ! rtppcmupay ssrc=0x1A2B3C4D seqnum-offset=27000 timestamp-offset=2013265920 ! udpsink host=127.0.0.1 port=6000 bind-port=6001
    local ta=$BG
    wait $ta || true; wait $tb || true; wait $uac || true; wait $uas || true
    wait $r1 || true; wait $r2 || true; sleep 0.3
    stop $cap; ns_down
    finalize call "$f" "$SAMPLES" "-d udp.port==51372,rtp" "-d udp.port==49170,rtp"
}

ALL=(pcmu-clean pcma-jitter g722-loss-ipv6 opus-dup-sll2 rtcp-rr mixed-noise call)
TARGETS=("$@"); [ ${#TARGETS[@]} -gt 0 ] || TARGETS=("${ALL[@]}")
for t in "${TARGETS[@]}"; do
    case $t in
        pcmu-clean) cap_pcmu_clean ;;
        pcma-jitter) cap_pcma_jitter ;;
        g722-loss-ipv6) cap_g722 ;;
        opus-dup-sll2) cap_opus_dup ;;
        rtcp-rr) cap_rtcp_rr ;;
        mixed-noise) cap_mixed_noise ;;
        call) cap_call ;;
        *) echo "unknown capture $t" >&2; exit 2 ;;
    esac
done
LOG=/dev/null
python3 "$HERE/manifest.py" .
