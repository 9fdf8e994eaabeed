# commands run for rtcp-rr (2026-11-25T16:43:09Z)
ip netns add rtps_a
ip netns add rtps_b
ip link add rtps_va type veth peer name rtps_vb
ip link set rtps_va netns rtps_a
ip link set rtps_vb netns rtps_b
ip -n rtps_a link set rtps_va address 02:00:00:00:33:0a
ip -n rtps_b link set rtps_vb address 02:00:00:00:33:0b
ip -n rtps_a addr add 198.51.100.33/24 dev rtps_va
ip -n rtps_b addr add 198.51.100.44/24 dev rtps_vb
ip -n rtps_a -6 addr add 2001:db8:33::33/64 dev rtps_va nodad
ip -n rtps_b -6 addr add 2001:db8:33::44/64 dev rtps_vb nodad
ip -n rtps_a link set lo up
ip -n rtps_b link set lo up
ip -n rtps_a link set rtps_va up
ip -n rtps_b link set rtps_vb up
ip -n rtps_a neigh replace 198.51.100.44 lladdr 02:00:00:00:33:0b dev rtps_va nud permanent
ip -n rtps_b neigh replace 198.51.100.33 lladdr 02:00:00:00:33:0a dev rtps_vb nud permanent
ip -n rtps_a -6 neigh replace 2001:db8:33::44 lladdr 02:00:00:00:33:0b dev rtps_va nud permanent
ip -n rtps_b -6 neigh replace 2001:db8:33::33 lladdr 02:00:00:00:33:0a dev rtps_vb nud permanent
ip netns exec rtps_a nft add table inet noicmp
ip netns exec rtps_a nft add chain inet noicmp out '{ type filter hook output priority 0; policy accept; }'
ip netns exec rtps_a nft add rule inet noicmp out icmp type destination-unreachable drop
ip netns exec rtps_a nft add rule inet noicmp out icmpv6 type '{ destination-unreachable, nd-router-solicit, mld2-listener-report }' drop
ip netns exec rtps_b nft add table inet noicmp
ip netns exec rtps_b nft add chain inet noicmp out '{ type filter hook output priority 0; policy accept; }'
ip netns exec rtps_b nft add rule inet noicmp out icmp type destination-unreachable drop
ip netns exec rtps_b nft add rule inet noicmp out icmpv6 type '{ destination-unreachable, nd-router-solicit, mld2-listener-report }' drop
ip netns exec rtps_a timeout 60 tcpdump --immediate-mode -B 8192 -i lo -s 0 -U -w tests/data/rtcp-rr.pcap udp &
ip netns exec rtps_a timeout 60 python3 tools/captures/netem_lite.py --truth tests/data/truth/rtcp-rr-rtp.truth.tsv --listen 127.0.0.1:6400 --bind 198.51.100.33:22000 --to 198.51.100.44:22000 --delay 30 --jitter 4 --dist uniform --loss 3 --spare-first 1 --seed 21 --idle-exit 4 &
ip netns exec rtps_a timeout 60 python3 tools/captures/netem_lite.py --truth tests/data/truth/rtcp-rr-rtcp.truth.tsv --listen 127.0.0.1:6401 --bind 198.51.100.33:22001 --to 198.51.100.44:22001 --delay 30 --reverse-delay 30 --seed 22 --idle-exit 4 &
ip netns exec rtps_b timeout 30 gst-launch-1.0 -q rtpbin name=rb rtpsession0::rtcp-min-interval=1000000000 udpsrc port=22000 caps=application/x-rtp,media=audio,clock-rate=8000,encoding-name=PCMU,payload=0 ! rb.recv_rtp_sink_0 udpsrc port=22001 ! rb.recv_rtcp_sink_0 rb. ! rtppcmudepay ! mulawdec ! fakesink rb.send_rtcp_src_0 ! udpsink host=198.51.100.33 port=22001 bind-port=22003 sync=false async=false &
ip netns exec rtps_a timeout 9 gst-launch-1.0 -q rtpbin name=rb rtpsession0::rtcp-min-interval=1000000000 audiotestsrc is-live=true wave=sine freq=440 num-buffers=300 samplesperbuffer=160 ! audio/x-raw,rate=8000,channels=1 ! mulawenc ! rtppcmupay ssrc=0x5EC0FFEE seqnum-offset=40000 timestamp-offset=400000000 ! rb.send_rtp_sink_0 rb.send_rtp_src_0 ! udpsink host=127.0.0.1 port=6400 bind-port=5402 rb.send_rtcp_src_0 ! udpsink host=127.0.0.1 port=6401 bind-port=5403 sync=false async=false
