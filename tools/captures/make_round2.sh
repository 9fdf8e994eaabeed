#!/usr/bin/env bash
# make_round2.sh - the second differential round's captures: RTCP both ways (rtpbin at both ends)
# with asymmetric impaired paths captured at either side or between, DTMF with and without SDP,
# comfort noise and silence, a codec switch in one SSRC, header extensions / CSRC / padding,
# SIP over UDP with a re-INVITE and hold, clock drift, timestamp steps, IPv6 in VLAN, and two
# SIP calls on one 5-tuple. Same machinery as make_more.sh; netem_lite.py's reverse path
# carries the other direction's impairment. tests/data keeps four (tests/data/MANIFEST.md).
# usage (as root): make_round2.sh [--out DIR] [NAME ...]   (default: all, into tests/data)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
start_from "$@"; shift $SKIP
nsA=dy_a; nsB=dy_b; vA=dy_va; vB=dy_vb
A4=198.18.1.1; B4=198.18.1.2; A6=2001:db8:d1::1; B6=2001:db8:d1::2
PIDSWAIT=()
capv() { # capture on B's veth: NAME FMT(pcap|pcapng) [filter]
    N=$1; DEC=(); PIDSWAIT=(); newlog $N; ns_std
    if [ "$2" = pcapng ]; then F=$OUT/$N.pcapng; bgrun ip netns exec $nsB timeout 90 dumpcap -q -B 8 -i $vB -w "$F" 2>"$TRUTH/$N.capture-stats.txt"
    else F=${CAPF:-$OUT/$N.pcap}; bgrun ip netns exec $nsB timeout 90 tcpdump --immediate-mode -B 8192 -i $vB -s 0 -U -w "$F" ${3:-udp or ip6} 2>"$TRUTH/$N.capture-stats.txt"; fi
    CAP=$BG
}
fin() { local p; for p in "${PIDSWAIT[@]}"; do wait $p || true; done; sleep 0.5; stop $CAP; ns_down; CAPF=; }
w() { PIDSWAIT+=($BG); }
# hop TAG SRCNS DSTNS SRCIP DSTIP LO WSPORT WDPORT INPORT OUTPORT SEED "args-in-src-ns" "args-in-dst-ns"
#   sender -> LO:INPORT (src ns) -relay1-> wire SRCIP:WSPORT -> DSTIP:WDPORT -relay2 (dst ns)-> LO:OUTPORT
hop() {
    local tag=$1 sns=$2 dns=$3 sip=$4 dip=$5 lo=$6 wsp=$7 wdp=$8 inp=$9 outp=${10} seed=${11}
    local b1 b2; b1=$sip; b2=$dip; [[ $sip == *:* ]] && { b1="[$sip]"; b2="[$dip]"; }
    local l=$lo; [[ $lo == *:* ]] && l="[$lo]"
    bgrun ip netns exec $sns timeout 90 "${RELAY[@]}" --truth "$TRUTH/$N.$tag.1.truth.tsv" --listen $l:$inp --bind $b1:$wsp --to $b2:$wdp --seed $seed --idle-exit 4 ${12}; w
    bgrun ip netns exec $dns timeout 90 "${RELAY[@]}" --truth "$TRUTH/$N.$tag.2.truth.tsv" --listen $b2:$wdp --bind $l:$((outp + 1000)) --to $l:$outp --seed $((seed + 500)) --idle-exit 4 ${13}; w
}
# ep NS LO SSRC FREQ NBUF RTPOUT RTCPOUT RTPIN RTCPIN SECS
ep() {
    bgrun ip netns exec $1 timeout ${10} "${GST[@]}" rtpbin name=rb rtpsession0::rtcp-min-interval=1000000000 \
        audiotestsrc is-live=true wave=sine freq=$4 num-buffers=$5 samplesperbuffer=160 ! audio/x-raw,rate=8000,channels=1 ! mulawenc ! rtppcmupay ssrc=$3 ! rb.send_rtp_sink_0 \
        rb.send_rtp_src_0 ! udpsink host=$2 port=$6 async=false \
        rb.send_rtcp_src_0 ! udpsink host=$2 port=$7 sync=false async=false \
        udpsrc address=$2 port=$8 caps=application/x-rtp,media=audio,clock-rate=8000,encoding-name=PCMU,payload=0 ! rb.recv_rtp_sink_0 \
        udpsrc address=$2 port=$9 ! rb.recv_rtcp_sink_0 rb. ! rtppcmudepay ! mulawdec ! fakesink async=false sync=false; w
}
# two-way rtpbin call, symmetric wire 5-tuples (A:base <-> B:base+10 RTP, A:base+1 <-> B:base+11 RTCP).
# Per wire flow two relays (netem_lite2: netem_lite + reverse jitter/loss): r1 in A ns (forward = A->B before
# the wire, reverse = B->A after the wire), r2 in B ns (forward = A->B after the wire, reverse = B->A before it).
# rtcp2 NAME BASE SEED V6  RTP:"r1" "r1rev" "r2" "r2rev"  RTCP:"r1" "r1rev" "r2" "r2rev"
RELAY2=("${RELAY[@]}")
pair() { # TAG WA WB INA RECVA RECVB XB SEED r1 r1rev r2 r2rev
    local ba=$WA_IP bb=$WB_IP l=$LO; [[ $LO == *:* ]] && { ba="[$WA_IP]"; bb="[$WB_IP]"; l="[$LO]"; }
    bgrun ip netns exec $nsA timeout 90 "${RELAY2[@]}" --truth "$TRUTH/$N.$1.r1.truth.tsv" --listen $l:$4 --bind $ba:$2 --to $bb:$3 --reverse-to $l:$5 --seed $8 --idle-exit 4 $9 ${10}; w
    bgrun ip netns exec $nsB timeout 90 "${RELAY2[@]}" --truth "$TRUTH/$N.$1.r2.truth.tsv" --listen $bb:$3 --bind $l:$7 --to $l:$6 --reverse-to $ba:$2 --seed $(($8 + 500)) --idle-exit 4 ${11} ${12}; w
}
rtcp2() {
    local n=$1 base=$2 seed=$3 v6=$4
    if [ $v6 = 1 ]; then WA_IP=$A6; WB_IP=$B6; LO=::1; else WA_IP=$A4; WB_IP=$B4; LO=127.0.0.1; fi
    capv $n pcap
    pair rtp  $base $((base+10)) $((base+300)) $((base+100)) $((base+200)) $((base+1200)) $seed "$5" "$6" "$7" "$8"
    pair rtcp $((base+1)) $((base+11)) $((base+301)) $((base+101)) $((base+201)) $((base+1201)) $((seed+1)) "$9" "${10}" "${11}" "${12}"
    capture_started
    ep $nsA $LO 0xA1A1A1A1 440 600 $((base+300)) $((base+301)) $((base+100)) $((base+101)) 16
    ep $nsB $LO 0xB2B2B2B2 660 600 $((base+1200)) $((base+1201)) $((base+200)) $((base+201)) 16
    fin
    finalize $n "$F" "$OUT" "-d udp.port==$base,rtp" "-d udp.port==$((base+1)),rtcp"
    tshark -n -r "$F" -d udp.port==$base,rtp -d udp.port==$((base+1)),rtcp -o rtcp.show_roundtrip_calculation:TRUE \
        -o rtcp.roundtrip_min_threshhold:1 -Y rtcp.roundtrip-delay -T fields -e ip.src -e ipv6.src -e rtcp.roundtrip-delay 2>/dev/null >"$OUT/$n.rtt.samples.txt" || true
}
J="--dist normal"
RV() { echo "--reverse-delay $1 --reverse-jitter $2 --reverse-loss ${3:-0}"; }
cap_rtcp_aside() { # all delay in B ns: capture point = A's wire. true legs: via B 20+80=100 ms, via A ~0
  rtcp2 rtcp2w-aside 36000 3100 0 "" "" "--delay 20 --jitter 3 $J --loss 3" "$(RV 80 5 3)" "" "" "--delay 20 --jitter 3 $J" "$(RV 80 5)"; }
cap_rtcp_bside() { # all delay in A ns: capture point = B's wire. true legs: via A 100, via B ~0
  rtcp2 rtcp2w-bside 36020 3110 0 "--delay 20 --jitter 3 $J --loss 3" "$(RV 80 5 3)" "" "" "--delay 20 --jitter 3 $J" "$(RV 80 5)" "" ""; }
cap_rtcp_mid() { # A->B 5 (A ns)+15 (B ns); B->A 60 (B ns)+20 (A ns). legs: via B 15+60=75, via A 20+5=25
  rtcp2 rtcp2w-mid 36040 3120 0 "--delay 5 --jitter 1 $J --loss 2" "$(RV 20 2)" "--delay 15 --jitter 2 $J" "$(RV 60 4 5)" \
      "--delay 5 --jitter 1 $J" "$(RV 20 2)" "--delay 15 --jitter 2 $J" "$(RV 60 4)"; }
cap_rtcp_v6() { # IPv6 (VLAN tag added later): clean RTP; RTCP 30% loss + 8 ms jitter each way; A->B 10 in B ns, B->A 40 in A ns
  rtcp2 rtcp2w-v6-lossyrtcp 36060 3130 1 "" "$(RV 40 0)" "--delay 10" "" "" "$(RV 40 8 30)" "--delay 10 --jitter 8 $J --loss 30" ""
  # the same frames with an 802.1Q tag (VID 42) on every frame (the kernel here has no 8021q)
  python3 $HERE/vlan4.py $OUT/rtcp2w-v6-lossyrtcp.pcap $OUT/rtcp2w-v6-vlan.pcap 42 --ipv6
  finalize rtcp2w-v6-vlan $OUT/rtcp2w-v6-vlan.pcap "$OUT" "-d udp.port==36060,rtp" "-d udp.port==36061,rtcp"; }
cap_rtcp_clean() { # no impairment at all (false-symptom check)
  rtcp2 rtcp2w-clean 36080 3140 0 "" "" "" "" "" "" "" ""; }

# one-way rtpsend2 via a relay in A ns: NAME BASE SEED "relay args" rtpsend2 args...
one() {
    local n=$1 base=$2 seed=$3 ra=$4; shift 4
    capv $n pcap
    bgrun ip netns exec $nsA timeout 90 "${RELAY[@]}" --truth "$TRUTH/$n.truth.tsv" --listen 127.0.0.1:$((base+300)) --bind $A4:$base --to $B4:$((base+10)) --seed $seed --spare-first 1 --idle-exit 3 $ra; w
    capture_started
    bgrun ip netns exec $nsA timeout 60 python3 $HERE/rtpsend_more.py --to 127.0.0.1:$((base+300)) --bind 127.0.0.1:$((base+301)) "$@"; w
    fin
}
cap_dtmf_nosdp() { one dtmf-nosdp-pt101 36100 3200 "--delay 10 --jitter 3 $J --loss 1" --scenario dtmf --ssrc 0xD7F00001 --evpt 101
  finalize dtmf-nosdp-pt101 "$F" "$OUT" "-d udp.port==36110,rtp" "#clock 101=8000" "#events 101"; }
cap_dtmf_pt96() { one dtmf-nosdp-pt96 36120 3210 "--delay 10 --jitter 3 $J" --scenario dtmf --ssrc 0xD7F00002 --evpt 96
  finalize dtmf-nosdp-pt96 "$F" "$OUT" "-d udp.port==36130,rtp" "#clock 96=8000" "#events 96"; }
cap_cn() { one cn-silence-supp 36140 3220 "--delay 15 --jitter 4 $J --loss 1" --scenario cn --ssrc 0xC0C0C0C0
  finalize cn-silence-supp "$F" "$OUT" "-d udp.port==36150,rtp"; }
cap_codecswitch() { one codec-switch-1ssrc 36160 3230 "--delay 10 --jitter 2 $J --loss 2" --scenario codecswitch --ssrc 0xC5C5C5C5
  finalize codec-switch-1ssrc "$F" "$OUT" "-d udp.port==36170,rtp"; }
cap_hdrext() { one hdrext-csrc-pad 36180 3240 "--delay 5 --jitter 2 $J --loss 2 --dup 1" --scenario hdrext --ssrc 0xE0E0E0E0
  finalize hdrext-csrc-pad "$F" "$OUT" "-d udp.port==36190,rtp"; }
cap_drift() { one drift-1.0005 36200 3250 "--delay 5" --scenario drift --rate 1.0005 --secs 20 --ssrc 0xDF000001
  finalize drift-1.0005 "$F" "$OUT" "-d udp.port==36210,rtp"; }
cap_drift2() { one drift-0.99 36220 3260 "--delay 5 --jitter 1 $J" --scenario drift --rate 0.99 --secs 15 --ssrc 0xDF000002
  finalize drift-0.99 "$F" "$OUT" "-d udp.port==36230,rtp"; }
cap_tsjump() { one tsjump-nomarker 36240 3270 "--delay 8 --jitter 2 $J" --scenario tsjump --ssrc 0x75000001
  finalize tsjump-nomarker "$F" "$OUT" "-d udp.port==36250,rtp"; }

# SIP over UDP (sipp), media sent directly between the namespaces by rtpsend2 segs
cap_sip_reinvite() {
    local n=sip-reinvite-hold; capv $n pcap
    bgrun ip netns exec $nsB timeout 40 sipp -sf $HERE/sipp/uas-reinvite.xml -t u1 -i $B4 -p 5060 -m 1 -nostdin -bg >/dev/null 2>&1 || true
    capture_started
    bgrun ip netns exec $nsA timeout 40 sipp $B4:5060 -sf $HERE/sipp/uac-reinvite.xml -t u1 -i $A4 -p 5060 -m 1 -nostdin; w
    sleep 0.15
    bgrun ip netns exec $nsA timeout 40 python3 $HERE/rtpsend_more.py --scenario segs --bindhost $A4 --ssrc 0xA11CE001 --seq 100 --ts 1000 \
        --seg 0.2:3.8:111:48000:20:7078:$B4:9078:M --seg 4.2:6.3:0:8000:20:7080:$B4:9080:M --seg 12.2:2.7:0:8000:20:7080:$B4:9080:M; w
    bgrun ip netns exec $nsB timeout 40 python3 $HERE/rtpsend_more.py --scenario segs --bindhost $B4 --ssrc 0xB0B00001 --seq 200 --ts 2000 \
        --seg 0.25:3.75:111:48000:20:9078:$A4:7078:M --seg 4.25:3.75:0:8000:20:9080:$A4:7080:M --seg 12.25:2.65:0:8000:20:9080:$A4:7080:M; w
    fin; pkill_sipp=1
    finalize $n "$F" "$OUT" "#clock 111=48000"
}
cap_two_calls() {
    local n=two-calls-same-5tuple; capv $n pcap
    bgrun ip netns exec $nsB timeout 40 sipp -sf $HERE/sipp/uas-simple.xml -t u1 -i $B4 -p 5060 -m 2 -nostdin; w
    capture_started
    bgrun ip netns exec $nsA timeout 40 sipp $B4:5060 -sf $HERE/sipp/uac-simple.xml -t u1 -i $A4 -p 5060 -m 2 -l 1 -nostdin; w
    sleep 0.15
    ( ip netns exec $nsA python3 $HERE/rtpsend_more.py --scenario segs --bindhost $A4 --ssrc 0x1111AAAA --seq 10 --ts 10 --seg 0.1:5.0:0:8000:20:7078:$B4:9078:M
      sleep 4.3
      ip netns exec $nsA python3 $HERE/rtpsend_more.py --scenario segs --bindhost $A4 --ssrc 0x2222AAAA --seq 5000 --ts 90000 --seg 0.1:5.0:0:8000:20:7078:$B4:9078:M ) & BG=$!; PIDS+=($BG); w
    ( ip netns exec $nsB python3 $HERE/rtpsend_more.py --scenario segs --bindhost $B4 --ssrc 0x1111BBBB --seq 30 --ts 30 --seg 0.12:5.0:0:8000:20:9078:$A4:7078:M
      sleep 4.3
      ip netns exec $nsB python3 $HERE/rtpsend_more.py --scenario segs --bindhost $B4 --ssrc 0x2222BBBB --seq 7000 --ts 70000 --seg 0.12:5.0:0:8000:20:9078:$A4:7078:M ) & BG=$!; PIDS+=($BG); w
    fin
    finalize $n "$F" "$OUT"
}
cap_dtmf_sdp() { # SIP/UDP with SDP naming telephone-event 101 + PCMU both ways; A sends DTMF (rtpsend2 dtmf), relay jitter
    local n=dtmf-sip-sdp; capv $n pcap
    bgrun ip netns exec $nsB timeout 40 sipp -sf $HERE/sipp/uas-simple.xml -t u1 -i $B4 -p 5060 -m 1 -nostdin; w
    capture_started
    bgrun ip netns exec $nsA timeout 40 sipp $B4:5060 -sf $HERE/sipp/uac-long.xml -t u1 -i $A4 -p 5060 -m 1 -nostdin; w
    bgrun ip netns exec $nsA timeout 90 "${RELAY[@]}" --truth "$TRUTH/$n.truth.tsv" --listen 127.0.0.1:7300 --bind $A4:7078 --to $B4:9078 --seed 3300 --spare-first 1 --idle-exit 3 --delay 20 --jitter 5 --dist normal --loss 2; w
    sleep 0.2
    bgrun ip netns exec $nsA timeout 40 python3 $HERE/rtpsend_more.py --to 127.0.0.1:7300 --bind 127.0.0.1:7301 --scenario dtmf --ssrc 0xD7F00003 --evpt 101; w
    bgrun ip netns exec $nsB timeout 40 python3 $HERE/rtpsend_more.py --scenario segs --bindhost $B4 --ssrc 0xD7F0B0B0 --seq 1 --ts 1 --seg 0.0:12.0:0:8000:20:9078:$A4:7078:M; w
    fin
    finalize $n "$F" "$OUT" "#events 101"
}
ALL=(rtcp_aside rtcp_bside rtcp_mid rtcp_v6 rtcp_clean dtmf_nosdp dtmf_pt96 cn codecswitch hdrext drift drift2 tsjump sip_reinvite two_calls dtmf_sdp)
TARGETS=("$@"); [ ${#TARGETS[@]} -gt 0 ] || TARGETS=("${ALL[@]}")
for t in "${TARGETS[@]}"; do echo "### $t"; cap_$t; done
LOG=/dev/null
[ "$OUT" != tests/data ] || python3 "$HERE/manifest.py" .
