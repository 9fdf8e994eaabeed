# commands run for pcma-jitter (2026-11-25T16:42:40Z)
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
ip netns exec rtps_b timeout 60 gst-launch-1.0 -q udpsrc address=0.0.0.0 port=24682 ! fakesink sync=false &
ip netns exec rtps_b timeout 60 tcpdump --immediate-mode -B 8192 -i rtps_vb --time-stamp-precision=nano -s 0 -U -w tests/data/pcma-jitter.pcap udp &
ip netns exec rtps_a timeout 60 python3 tools/captures/netem_lite.py --truth tests/data/truth/pcma-jitter.truth.tsv --listen 127.0.0.1:6100 --bind 198.51.100.33:24680 --to 198.51.100.44:24682 --delay 30 --jitter 15 --dist normal --seed 42 --idle-exit 2 &
ip netns exec rtps_a timeout 30 gst-launch-1.0 -q audiotestsrc is-live=true wave=sine freq=700 num-buffers=200 samplesperbuffer=160 ! audio/x-raw,rate=8000,channels=1 ! alawenc ! rtppcmapay ssrc=0x3A17E2D1 seqnum-offset=100 timestamp-offset=4294966000 ! udpsink host=127.0.0.1 port=6100 bind-port=6101
