# commands run for call (2026-11-25T16:43:31Z)
ip netns add rtps_alice
ip netns add rtps_bob
ip link add rtps_val type veth peer name rtps_vbo
ip link set rtps_val netns rtps_alice
ip link set rtps_vbo netns rtps_bob
ip -n rtps_alice link set rtps_val address 02:00:00:00:33:0a
ip -n rtps_bob link set rtps_vbo address 02:00:00:00:33:0b
ip -n rtps_alice addr add 198.51.100.10/24 dev rtps_val
ip -n rtps_bob addr add 198.51.100.20/24 dev rtps_vbo
ip -n rtps_alice -6 addr add 2001:db8:10::10/64 dev rtps_val nodad
ip -n rtps_bob -6 addr add 2001:db8:10::20/64 dev rtps_vbo nodad
ip -n rtps_alice link set lo up
ip -n rtps_bob link set lo up
ip -n rtps_alice link set rtps_val up
ip -n rtps_bob link set rtps_vbo up
ip -n rtps_alice neigh replace 198.51.100.20 lladdr 02:00:00:00:33:0b dev rtps_val nud permanent
ip -n rtps_bob neigh replace 198.51.100.10 lladdr 02:00:00:00:33:0a dev rtps_vbo nud permanent
ip -n rtps_alice -6 neigh replace 2001:db8:10::20 lladdr 02:00:00:00:33:0b dev rtps_val nud permanent
ip -n rtps_bob -6 neigh replace 2001:db8:10::10 lladdr 02:00:00:00:33:0a dev rtps_vbo nud permanent
ip netns exec rtps_alice nft add table inet noicmp
ip netns exec rtps_alice nft add chain inet noicmp out '{ type filter hook output priority 0; policy accept; }'
ip netns exec rtps_alice nft add rule inet noicmp out icmp type destination-unreachable drop
ip netns exec rtps_alice nft add rule inet noicmp out icmpv6 type '{ destination-unreachable, nd-router-solicit, mld2-listener-report }' drop
ip netns exec rtps_bob nft add table inet noicmp
ip netns exec rtps_bob nft add chain inet noicmp out '{ type filter hook output priority 0; policy accept; }'
ip netns exec rtps_bob nft add rule inet noicmp out icmp type destination-unreachable drop
ip netns exec rtps_bob nft add rule inet noicmp out icmpv6 type '{ destination-unreachable, nd-router-solicit, mld2-listener-report }' drop
ip netns exec rtps_bob timeout 60 python3 tools/captures/sip_call.py uas --bind 198.51.100.20 --rtp-port 51372 --max-time 30 &
ip netns exec rtps_bob timeout 60 tcpdump --immediate-mode -B 8192 -i rtps_vbo -s 0 -U -w samples/call.pcap udp &
ip netns exec rtps_alice timeout 60 gst-launch-1.0 -q udpsrc address=127.0.0.1 port=6003 ! fakesink sync=false &
ip netns exec rtps_bob timeout 60 gst-launch-1.0 -q udpsrc address=127.0.0.1 port=6503 ! fakesink sync=false &
ip netns exec rtps_alice timeout 60 python3 tools/captures/netem_lite.py --truth samples/call.a2b.truth.tsv --listen 127.0.0.1:6000 --bind 198.51.100.10:49170 --to 198.51.100.20:51372 --reverse-to 127.0.0.1:6003 --delay 70 --jitter 35 --dist normal --loss 3 --spare-first 1 --seed 2043 --idle-exit 3 &
ip netns exec rtps_bob timeout 60 python3 tools/captures/netem_lite.py --truth samples/call.b2a.truth.tsv --listen 127.0.0.1:6500 --bind 198.51.100.20:51372 --to 198.51.100.10:49170 --reverse-to 127.0.0.1:6503 --seed 2025 --idle-exit 3 &
ip netns exec rtps_alice timeout 60 python3 tools/captures/sip_call.py uac --bind 198.51.100.10 --to 198.51.100.20 --rtp-port 49170 --hold 8.4 --ready-file /tmp/rtpscope-call-answered.31576 &
ip netns exec rtps_bob timeout 30 gst-launch-1.0 -q audiotestsrc is-live=true wave=sine freq=350 num-buffers=400 samplesperbuffer=160 ! audio/x-raw,rate=8000,channels=1 ! mulawenc ! rtppcmupay ssrc=0xB0B0CA11 seqnum-offset=9000 timestamp-offset=555000 ! udpsink host=127.0.0.1 port=6500 bind-port=6501 &
ip netns exec rtps_alice timeout 30 gst-launch-1.0 -q audiotestsrc is-live=true wave=sine freq=440 num-buffers=400 samplesperbuffer=160 ! audio/x-raw,rate=8000,channels=1 ! mulawenc ! rtppcmupay ssrc=0x1A2B3C4D seqnum-offset=27000 timestamp-offset=2013265920 ! udpsink host=127.0.0.1 port=6000 bind-port=6001 &
