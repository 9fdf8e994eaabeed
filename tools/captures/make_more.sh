#!/usr/bin/env bash
# make_more.sh - varied impaired captures made for a differential run of rtpscope against tshark
# (codecs, ptimes, impairments, wraps, link layers, several streams a file). Same machinery as
# make_edges.sh: two network namespaces over a veth pair, netem_lite.py relays, tcpdump/dumpcap,
# `finalize` (NAME.decode/.tshark.txt/.ref.tsv/.rfc3550.tsv). The project keeps a few of them in
# tests/data (see tests/data/MANIFEST.md); the others are made on demand and checked with
# `RTPSCOPE_REFERENCE_DIRS=DIR cargo test -p rtpscope-core --test reference_captures`.
# usage (as root): make_more.sh [--out DIR] [NAME ...]   (default: all, into tests/data)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start_from "$@"; shift $SKIP

nsA=dx_a; nsB=dx_b; vA=dx_va; vB=dx_vb
A4=198.18.0.1; B4=198.18.0.2; A6=2001:db8:dd::1; B6=2001:db8:dd::2

# ---- building blocks -------------------------------------------------------------------------
# cap_begin NAME FMT BASEPORT   FMT: pcap | nano | pcapng | sll2 | rw (pcap to be rewritten)
cap_begin() {
    N=$1; FMT=$2; BASE=$3; DEC=(); SENDERS=(); RELAYS=(); REWRITE=()
    newlog $N; ns_std
    case $FMT in
        pcapng) F=$OUT/$N.pcapng; CAPF=$F ;;
        rw*)    F=$OUT/$N.pcap; CAPF=$WORK/$N.eth.pcap ;;
        *)      F=$OUT/$N.pcap; CAPF=$F ;;
    esac
    case $FMT in
        pcapng) bgrun ip netns exec $nsB timeout 90 dumpcap -q -B 8 -i $vB -f udp -w "$CAPF" 2>"$TRUTH/$N.capture-stats.txt" ;;
        nano|rwnano) bgrun ip netns exec $nsB timeout 90 tcpdump --immediate-mode -B 8192 -i $vB --time-stamp-precision=nano -s 0 -U -w "$CAPF" udp 2>"$TRUTH/$N.capture-stats.txt" ;;
        sll2)   bgrun ip netns exec $nsB timeout 90 tcpdump --immediate-mode -B 8192 -i any -y LINUX_SLL2 -s 0 -U -w "$CAPF" udp and not port 53 2>"$TRUTH/$N.capture-stats.txt" ;;
        *)      bgrun ip netns exec $nsB timeout 90 tcpdump --immediate-mode -B 8192 -i $vB -s 0 -U -w "$CAPF" udp 2>"$TRUTH/$N.capture-stats.txt" ;;
    esac
    CAP=$BG
}
# relay I SEED ARGS...  : sink on B:BASE+I, relay 127.0.0.1:(BASE-20000+I) -> A:BASE+10+I -> B:BASE+I
relay() {
    local i=$1 seed=$2; shift 2
    local dport=$((BASE + i)) sport=$((BASE + 10 + i)) lport=$((BASE - 20000 + i))
    bgrun ip netns exec $nsB timeout 90 "${GST[@]}" udpsrc address=0.0.0.0 port=$dport buffer-size=2000000 ! fakesink sync=false
    bgrun ip netns exec $nsA timeout 90 "${RELAY[@]}" --truth "$TRUTH/$N.s$i.truth.tsv" --listen 127.0.0.1:$lport --bind $A4:$sport --to $B4:$dport --spare-first 1 --seed $seed --idle-exit 2 "$@"
    RELAYS+=($BG)
    DEC+=("-d udp.port==$dport,rtp")
}
lport() { echo $((BASE - 20000 + $1)); }
# send CMD... (background; started after the capture and relays are up)
send() { bgrun ip netns exec $nsA timeout 40 "$@"; SENDERS+=($BG); }
clock() { DEC+=("#clock $1"); }
cap_end() {
    local p
    for p in "${SENDERS[@]}"; do wait $p || true; done
    for p in "${RELAYS[@]}"; do wait $p || true; done
    sleep 0.4; stop $CAP; ns_down
    if [ ${#REWRITE[@]} -gt 0 ]; then chown root:root "$CAPF"; run python3 $HERE/pcaprewrite.py "${REWRITE[0]}" "$CAPF" "$F" "${REWRITE[@]:1}"; fi
    finalize $N "$F" "$OUT" "${DEC[@]}"
}
# audio source: RATE SPB NBUF FREQ [CHANNELS]
asrc() { echo "audiotestsrc is-live=true wave=sine freq=$4 num-buffers=$3 samplesperbuffer=$2 ! audio/x-raw,rate=$1,channels=${5:-1}"; }
pt_ns() { echo $(($1 * 1000000)); }   # ms -> ns
udpout() { echo "udpsink host=127.0.0.1 port=$1 bind-port=$(($1 + 500))"; }

# frames for rtpsend.py
ffm() { run ffmpeg -hide_banner -loglevel error -y -f lavfi -i sine=frequency=$1:sample_rate=8000:duration=$2 "${@:3}"; }

# ---- the captures ----------------------------------------------------------------------------
# 1 PCMU 20 ms, 5 % iid loss, 10+-4 ms normal jitter, seq near wrap; pcap usec
cap_pcmu20_loss5() {
    cap_begin pcmu20-loss5-seqwrap pcap 33000
    relay 0 2101 --delay 10 --jitter 4 --dist normal --loss 5; capture_started
    send "${GST[@]}" $(asrc 8000 160 450 600) ! mulawenc ! rtppcmupay ssrc=0x1D000001 seqnum-offset=65450 timestamp-offset=1000 ! $(udpout $(lport 0))
    cap_end
}
# 2 PCMA 30 ms, Gilbert-Elliott p 3 % r 25 %, 5+-2 ms jitter, ts near wrap; dumpcap pcapng
cap_pcma30_ge() {
    cap_begin pcma30-ge-tswrap pcapng 33020
    relay 0 2102 --delay 5 --jitter 2 --dist normal --ge-p 3 --ge-r 25; capture_started
    send "${GST[@]}" $(asrc 8000 240 300 700) ! alawenc ! rtppcmapay min-ptime=$(pt_ns 30) max-ptime=$(pt_ns 30) ssrc=0x1D000002 seqnum-offset=100 timestamp-offset=4294950000 ! $(udpout $(lport 0))
    cap_end
}
# 3 PCMU 10 ms, 60+-40 ms uniform jitter (heavy reorder); nanosecond pcap
cap_pcmu10_jit() {
    cap_begin pcmu10-jit60u-nano nano 33040
    relay 0 2103 --delay 60 --jitter 40 --dist uniform; capture_started
    send "${GST[@]}" $(asrc 8000 80 800 500) ! mulawenc ! rtppcmupay min-ptime=$(pt_ns 10) max-ptime=$(pt_ns 10) ssrc=0x1D000003 seqnum-offset=20000 timestamp-offset=50 ! $(udpout $(lport 0))
    cap_end
}
# 4 PCMA 60 ms, 5 % duplication, 1 % loss, 15+-5 normal; QinQ rewrite
cap_pcma60_dup() {
    cap_begin pcma60-dup5-qinq rw 33060
    relay 0 2104 --delay 15 --jitter 5 --dist normal --dup 5 --loss 1; capture_started
    send "${GST[@]}" $(asrc 8000 480 150 800) ! alawenc ! rtppcmapay min-ptime=$(pt_ns 60) max-ptime=$(pt_ns 60) ssrc=0x1D000004 seqnum-offset=7 timestamp-offset=7 ! $(udpout $(lport 0))
    REWRITE=(qinq 11 22); cap_end
}
# 5 G.722 20 ms, 15 % netem reorder with 30 ms delay; pcap
cap_g722_reorder() {
    cap_begin g722-20-reorder15 pcap 33080
    relay 0 2105 --delay 30 --reorder 15; capture_started
    send "${GST[@]}" $(asrc 16000 320 450 350) ! avenc_g722 ! rtpg722pay min-ptime=$(pt_ns 20) max-ptime=$(pt_ns 20) ssrc=0x1D000005 seqnum-offset=65000 timestamp-offset=4294967000 ! $(udpout $(lport 0))
    cap_end
}
# 6 G.722 30 ms, 8 % loss, 20+-10 normal; nano pcap rewritten to raw IP
cap_g722_rawip() {
    cap_begin g722-30-loss8-rawip-nano rwnano 33100
    relay 0 2106 --delay 20 --jitter 10 --dist normal --loss 8; capture_started
    send "${GST[@]}" $(asrc 16000 480 300 450) ! avenc_g722 ! rtpg722pay min-ptime=$(pt_ns 30) max-ptime=$(pt_ns 30) ssrc=0x1D000006 seqnum-offset=3000 timestamp-offset=3000 ! $(udpout $(lport 0))
    REWRITE=(rawip); cap_end
}
# 7 L16 16 kHz mono PT 98 10 ms, 2 % loss, 3+-1 jitter; #clock; pcapng
cap_l16_16k() {
    cap_begin l16-16k-pt98-10ms pcapng 33120
    relay 0 2107 --delay 3 --jitter 1 --dist normal --loss 2; capture_started
    send "${GST[@]}" $(asrc 16000 160 900 440) ! rtpL16pay pt=98 min-ptime=$(pt_ns 10) max-ptime=$(pt_ns 10) ssrc=0x1D000007 seqnum-offset=65535 timestamp-offset=0 ! $(udpout $(lport 0))
    clock 98=16000; cap_end
}
# 8 L16 44.1 kHz mono static PT 11 10 ms, 15+-8 normal jitter, 2 % dup; pcap
cap_l16_441() {
    cap_begin l16-44k-pt11-jit-dup pcap 33140
    relay 0 2108 --delay 15 --jitter 8 --dist normal --dup 2; capture_started
    send "${GST[@]}" $(asrc 44100 441 800 300) ! rtpL16pay pt=11 min-ptime=$(pt_ns 10) max-ptime=$(pt_ns 10) ssrc=0x1D000008 seqnum-offset=1 timestamp-offset=1 ! $(udpout $(lport 0))
    cap_end
}
# 9 L16 48 kHz mono PT 99 10 ms, 3 % loss, NO #clock line; pcap
cap_l16_48k() {
    cap_begin l16-48k-pt99-noclock pcap 33160
    relay 0 2109 --delay 5 --jitter 3 --dist uniform --loss 3; capture_started
    send "${GST[@]}" $(asrc 48000 480 700 1000) ! rtpL16pay pt=99 min-ptime=$(pt_ns 10) max-ptime=$(pt_ns 10) ssrc=0x1D000009 seqnum-offset=4000 timestamp-offset=2147480000 ! $(udpout $(lport 0))
    cap_end
}
# 10 Opus 20 ms PT 111, GE p 5 r 20, 10+-5 jitter; #clock; nano pcap
cap_opus20_ge() {
    cap_begin opus20-ge-nano nano 33180
    relay 0 2110 --delay 10 --jitter 5 --dist normal --ge-p 5 --ge-r 20; capture_started
    send "${GST[@]}" $(asrc 48000 960 450 440) ! opusenc frame-size=20 bitrate=24000 ! rtpopuspay pt=111 ssrc=0x1D00000A seqnum-offset=500 timestamp-offset=12345 ! $(udpout $(lport 0))
    clock 111=48000; cap_end
}
# 11 Opus 40 ms PT 107, 50+-30 normal jitter, 2 % loss, seq near wrap; #clock; pcapng
cap_opus40_jit() {
    cap_begin opus40-jit50-seqwrap pcapng 33200
    relay 0 2111 --delay 50 --jitter 30 --dist normal --loss 2; capture_started
    send "${GST[@]}" $(asrc 48000 1920 250 520) ! opusenc frame-size=40 bitrate=20000 ! rtpopuspay pt=107 ssrc=0x1D00000B seqnum-offset=65400 timestamp-offset=999 ! $(udpout $(lport 0))
    clock 107=48000; cap_end
}
# 12 Opus 60 ms PT 111, 4 % dup (10 ms apart), 10 % reorder, ts near wrap; #clock; pcap
cap_opus60_dup() {
    cap_begin opus60-dup-reorder-tswrap pcap 33220
    relay 0 2112 --delay 25 --reorder 10 --dup 4 --dup-gap 10; capture_started
    send "${GST[@]}" $(asrc 48000 2880 200 660) ! opusenc frame-size=60 bitrate=16000 ! rtpopuspay pt=111 ssrc=0x1D00000C seqnum-offset=10 timestamp-offset=4294500000 ! $(udpout $(lport 0))
    clock 111=48000; cap_end
}
# 13 Speex nb PT 97 8 kHz, 4 % loss, 8+-3 uniform; #clock; pcap
cap_speexnb() {
    cap_begin speexnb-loss4 pcap 33240
    relay 0 2113 --delay 8 --jitter 3 --dist uniform --loss 4; capture_started
    send "${GST[@]}" $(asrc 8000 160 450 300) ! speexenc mode=nb ! rtpspeexpay pt=97 ssrc=0x1D00000D seqnum-offset=123 timestamp-offset=456 ! $(udpout $(lport 0))
    clock 97=8000; cap_end
}
# 14 Speex wb PT 98 16 kHz, GE p 8 r 40; #clock; pcapng
cap_speexwb() {
    cap_begin speexwb-ge pcapng 33260
    relay 0 2114 --delay 12 --jitter 2 --dist normal --ge-p 8 --ge-r 40; capture_started
    send "${GST[@]}" $(asrc 16000 320 400 900) ! speexenc mode=wb ! rtpspeexpay pt=98 ssrc=0x1D00000E seqnum-offset=60000 timestamp-offset=77777 ! $(udpout $(lport 0))
    clock 98=16000; cap_end
}
# 15 GSM PT 3 20 ms (ffmpeg libgsm + rtpsend), 6 % loss, 15+-10 uniform; pcap
cap_gsm20() {
    cap_begin gsm20-loss6 pcap 33280
    ffm 500 10 -c:a libgsm -f gsm "$WORK/a.gsm"
    relay 0 2115 --delay 15 --jitter 10 --dist uniform --loss 6; capture_started
    send python3 $HERE/rtpsend.py --scenario frames --frames "$WORK/a.gsm" --frame-bytes 33 --frame-samples 160 --pt 3 --ssrc 0x1D00000F --seq 40000 --ts 5000 --to 127.0.0.1:$(lport 0) --bind 127.0.0.1:$(($(lport 0) + 500))
    cap_end
}
# 16 GSM 40 ms (2 frames a packet), 20 % reorder 40 ms, 2 % dup, seq wrap; PPPoE rewrite
cap_gsm40() {
    cap_begin gsm40-reorder-pppoe rw 33300
    ffm 600 12 -c:a libgsm -f gsm "$WORK/b.gsm"
    relay 0 2116 --delay 40 --reorder 20 --dup 2; capture_started
    send python3 $HERE/rtpsend.py --scenario frames --frames "$WORK/b.gsm" --frame-bytes 33 --frame-samples 160 --per-packet 2 --pt 3 --ssrc 0x1D000010 --seq 65500 --ts 4294960000 --to 127.0.0.1:$(lport 0) --bind 127.0.0.1:$(($(lport 0) + 500))
    REWRITE=(pppoe 42); cap_end
}
# 17 G.723.1 PT 4 30 ms, GE p 4 r 30, 5+-5 normal; nano pcap
cap_g723_30() {
    cap_begin g723-30-ge-nano nano 33320
    ffm 700 9 -c:a g723_1 -b:a 6300 -f g723_1 "$WORK/c.g723"
    relay 0 2117 --delay 5 --jitter 5 --dist normal --ge-p 4 --ge-r 30; capture_started
    send python3 $HERE/rtpsend.py --scenario frames --frames "$WORK/c.g723" --frame-bytes 24 --frame-samples 240 --pt 4 --ssrc 0x1D000011 --seq 9 --ts 9 --to 127.0.0.1:$(lport 0) --bind 127.0.0.1:$(($(lport 0) + 500))
    cap_end
}
# 18 G.723.1 60 ms (2 frames), 40+-35 uniform jitter, 1 % loss; pcapng
cap_g723_60() {
    cap_begin g723-60-jit40u pcapng 33340
    ffm 800 12 -c:a g723_1 -b:a 6300 -f g723_1 "$WORK/d.g723"
    relay 0 2118 --delay 40 --jitter 35 --dist uniform --loss 1; capture_started
    send python3 $HERE/rtpsend.py --scenario frames --frames "$WORK/d.g723" --frame-bytes 24 --frame-samples 240 --per-packet 2 --pt 4 --ssrc 0x1D000012 --seq 30000 --ts 2147483000 --to 127.0.0.1:$(lport 0) --bind 127.0.0.1:$(($(lport 0) + 500))
    cap_end
}
# 19 G.726-32 (ffmpeg g726le raw, 80 bytes = 20 ms) PT 102 dynamic, 3 % loss, 10+-5 normal; #clock; pcap
cap_g726() {
    cap_begin g726-32-ffmpeg-pt102 pcap 33360
    ffm 450 10 -c:a g726le -b:a 32000 -f g726le "$WORK/e.g726"
    relay 0 2119 --delay 10 --jitter 5 --dist normal --loss 3; capture_started
    send python3 $HERE/rtpsend.py --scenario frames --frames "$WORK/e.g726" --frame-bytes 80 --frame-samples 160 --pt 102 --ssrc 0x1D000013 --seq 1000 --ts 1000 --to 127.0.0.1:$(lport 0) --bind 127.0.0.1:$(($(lport 0) + 500))
    clock 102=8000; cap_end
}
# 20 VP8 PT 100 90 kHz, 2 % loss, 5+-2 normal; #clock; pcap
cap_vp8() {
    cap_begin vp8-loss2 pcap 33380
    relay 0 2120 --delay 5 --jitter 2 --dist normal --loss 2; capture_started
    send "${GST[@]}" videotestsrc is-live=true pattern=ball num-buffers=240 ! video/x-raw,width=320,height=240,framerate=30/1 ! vp8enc deadline=1 target-bitrate=300000 keyframe-max-dist=60 ! rtpvp8pay pt=100 mtu=1200 ssrc=0x1D000014 seqnum-offset=65300 ! $(udpout $(lport 0))
    clock 100=90000; cap_end
}
# 21 two streams: PCMU 20 ms (3 % loss) + Opus 20 ms PT 96 (25+-15 normal jitter), no #clock for 96; pcap
cap_multi2() {
    cap_begin multi2-pcmu-opus-noclock pcap 33400
    relay 0 2121 --delay 10 --loss 3
    relay 1 2122 --delay 25 --jitter 15 --dist normal; capture_started
    send "${GST[@]}" $(asrc 8000 160 400 400) ! mulawenc ! rtppcmupay ssrc=0x1D000015 seqnum-offset=555 timestamp-offset=555 ! $(udpout $(lport 0))
    send "${GST[@]}" $(asrc 48000 960 400 500) ! opusenc frame-size=20 ! rtpopuspay pt=96 ssrc=0x1D000016 seqnum-offset=666 timestamp-offset=666 ! $(udpout $(lport 1))
    cap_end
}
# 22 three streams: G.722 30 ms (GE), Speex wb PT 97 (dup 3 %), VP8 PT 96 (loss 1 %); #clock; pcapng
cap_multi3() {
    cap_begin multi3-g722-speex-vp8 pcapng 33420
    relay 0 2123 --delay 8 --jitter 4 --dist normal --ge-p 3 --ge-r 35
    relay 1 2124 --delay 20 --jitter 6 --dist uniform --dup 3
    relay 2 2125 --delay 4 --jitter 1 --dist normal --loss 1; capture_started
    send "${GST[@]}" $(asrc 16000 480 300 350) ! avenc_g722 ! rtpg722pay min-ptime=$(pt_ns 30) max-ptime=$(pt_ns 30) ssrc=0x1D000017 seqnum-offset=65530 timestamp-offset=4294967200 ! $(udpout $(lport 0))
    send "${GST[@]}" $(asrc 16000 320 450 700) ! speexenc mode=wb ! rtpspeexpay pt=97 ssrc=0x1D000018 seqnum-offset=1 timestamp-offset=1 ! $(udpout $(lport 1))
    send "${GST[@]}" videotestsrc is-live=true pattern=smpte num-buffers=200 ! video/x-raw,width=320,height=240,framerate=25/1 ! vp8enc deadline=1 target-bitrate=200000 ! rtpvp8pay pt=96 mtu=1000 ssrc=0x1D000019 seqnum-offset=42 ! $(udpout $(lport 2))
    clock 97=16000; clock 96=90000; cap_end
}
# 23 two SSRCs on ONE 5-tuple (two PCMA senders through one relay), 4 % loss, 20+-10 uniform; nano
cap_two_ssrc() {
    cap_begin pcma-two-ssrc-one-flow nano 33440
    relay 0 2126 --delay 20 --jitter 10 --dist uniform --loss 4; capture_started
    send "${GST[@]}" $(asrc 8000 160 400 600) ! alawenc ! rtppcmapay ssrc=0x1D00001A seqnum-offset=100 timestamp-offset=100 ! udpsink host=127.0.0.1 port=$(lport 0) bind-port=$(($(lport 0) + 500))
    send "${GST[@]}" $(asrc 8000 160 350 900) ! alawenc ! rtppcmapay ssrc=0x1D00001B seqnum-offset=65500 timestamp-offset=4294967000 ! udpsink host=127.0.0.1 port=$(lport 0) bind-port=$(($(lport 0) + 501))
    cap_end
}
# 24 PCMU 20 ms, 10 % loss + 3 % dup, both seq and ts near wrap; LINUX_SLL2 (-i any)
cap_pcmu_heavy() {
    cap_begin pcmu20-loss10-dup-wrap-sll2 sll2 33460
    relay 0 2127 --delay 12 --jitter 6 --dist normal --loss 10 --dup 3; capture_started
    send "${GST[@]}" $(asrc 8000 160 500 450) ! mulawenc ! rtppcmupay ssrc=0x1D00001C seqnum-offset=65280 timestamp-offset=4294940000 ! $(udpout $(lport 0))
    cap_end
}
# 25 L16 16 kHz stereo PT 96 20 ms (1280 B) with 30 ms 5 % reorder, 2 % loss, no #clock; pcapng
cap_l16_stereo() {
    cap_begin l16-16k-stereo-pt96-noclock pcapng 33480
    relay 0 2128 --delay 30 --reorder 5 --loss 2; capture_started
    send "${GST[@]}" $(asrc 16000 320 400 250 2) ! rtpL16pay pt=96 min-ptime=$(pt_ns 20) max-ptime=$(pt_ns 20) ssrc=0x1D00001D seqnum-offset=200 timestamp-offset=200 ! $(udpout $(lport 0))
    cap_end
}
# 26 G.726-32 via GStreamer at 30 ms (rtpg726pay ignores pt= and sends dynamic PT 96), 5 % loss,
#    0..80 ms uniform jitter, no #clock; pcap
cap_g726_gst() {
    cap_begin g726-gst-pt96-noclock-jit40u pcap 33500
    relay 0 2129 --delay 40 --jitter 40 --dist uniform --loss 5; capture_started
    send "${GST[@]}" $(asrc 8000 240 300 500) ! avenc_g726 bitrate=32000 ! rtpg726pay min-ptime=$(pt_ns 30) max-ptime=$(pt_ns 30) pt=2 ssrc=0x1D00001E seqnum-offset=65535 timestamp-offset=4294967295 ! $(udpout $(lport 0))
    cap_end
}
# 27 G.726-32 as RFC 1890 static PT 2 (G721), ffmpeg g726le frames 120 B = 30 ms, GE p 5 r 30 + 10+-5; pcap
cap_g726_pt2() {
    cap_begin g726-pt2-static-ge pcap 33520
    ffm 520 9 -c:a g726le -b:a 32000 -f g726le "$WORK/f.g726"
    relay 0 2130 --delay 10 --jitter 5 --dist normal --ge-p 5 --ge-r 30; capture_started
    send python3 $HERE/rtpsend.py --scenario frames --frames "$WORK/f.g726" --frame-bytes 120 --frame-samples 240 --pt 2 --ssrc 0x1D00001F --seq 65000 --ts 123 --to 127.0.0.1:$(lport 0) --bind 127.0.0.1:$(($(lport 0) + 500))
    cap_end
}

ALL=(pcmu20_loss5 pcma30_ge pcmu10_jit pcma60_dup g722_reorder g722_rawip l16_16k l16_441 l16_48k opus20_ge
     opus40_jit opus60_dup speexnb speexwb gsm20 gsm40 g723_30 g723_60 g726 vp8 multi2 multi3 two_ssrc
     pcmu_heavy l16_stereo g726_gst g726_pt2)
TARGETS=("$@"); [ ${#TARGETS[@]} -gt 0 ] || TARGETS=("${ALL[@]}")
for t in "${TARGETS[@]}"; do cap_$t; done
LOG=/dev/null
[ "$OUT" != tests/data ] || python3 "$HERE/manifest.py" .
