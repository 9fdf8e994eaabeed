# tools/captures/lib.sh - what the make scripts share: logged commands, background jobs,
# two network namespaces joined by a veth pair, and the reference files of a finished capture.
# Sourcing it moves to the checkout and sets HERE (this folder, relative to it): the logged
# commands' paths are relative to the checkout.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
HERE=tools/captures
PIDS=()
NSLIST=()
LOG=/dev/null

cleanup() {
    local p ns
    for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
    sleep 0.3
    for ns in "${NSLIST[@]:-}"; do [ -n "$ns" ] && ip netns del "$ns" 2>/dev/null || true; done
    PIDS=(); NSLIST=()
}
trap cleanup EXIT

# quote a command for the log the way a human would type it
q() {
    local a out=()
    for a in "$@"; do
        if [[ "$a" =~ ^[][A-Za-z0-9_./:=,@+%^!-]+$ ]]; then out+=("$a"); else out+=("'${a//\'/\'\\\'\'}'"); fi
    done
    echo "${out[*]}"
}
# run in foreground, logged
run() { echo "$(q "$@")" >>"$LOG"; "$@"; }
# run in background, logged; pid of the last one in $BG
bgrun() { echo "$(q "$@") &" >>"$LOG"; "$@" & BG=$!; PIDS+=("$BG"); }
# stop a background job (timeout forwards SIGTERM; tcpdump/dumpcap flush and print stats) and wait for it
stop() { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

RELAY=(python3 "$HERE/netem_lite.py")

# ns_std: the script's two namespaces ($nsA/$nsB, veths $vA/$vB, addresses $A4 $B4 $A6 $B6) up.
ns_std() { ns_up $nsA $nsB $vA $vB $A4 $B4 $A6 $B6; }

# ns_up NS_A NS_B VETH_A VETH_B IP4_A IP4_B IP6_A IP6_B
ns_up() {
    local na=$1 nb=$2 va=$3 vb=$4 a4=$5 b4=$6 a6=$7 b6=$8 ns
    for ns in "$na" "$nb"; do ip netns del "$ns" 2>/dev/null || true; done
    run ip netns add "$na"; NSLIST+=("$na")
    run ip netns add "$nb"; NSLIST+=("$nb")
    run ip link add "$va" type veth peer name "$vb"
    run ip link set "$va" netns "$na"
    run ip link set "$vb" netns "$nb"
    run ip -n "$na" link set "$va" address 02:00:00:00:33:0a
    run ip -n "$nb" link set "$vb" address 02:00:00:00:33:0b
    run ip -n "$na" addr add "$a4/24" dev "$va"
    run ip -n "$nb" addr add "$b4/24" dev "$vb"
    run ip -n "$na" -6 addr add "$a6/64" dev "$va" nodad
    run ip -n "$nb" -6 addr add "$b6/64" dev "$vb" nodad
    run ip -n "$na" link set lo up
    run ip -n "$nb" link set lo up
    run ip -n "$na" link set "$va" up
    run ip -n "$nb" link set "$vb" up
    run ip -n "$na" neigh replace "$b4" lladdr 02:00:00:00:33:0b dev "$va" nud permanent
    run ip -n "$nb" neigh replace "$a4" lladdr 02:00:00:00:33:0a dev "$vb" nud permanent
    run ip -n "$na" -6 neigh replace "$b6" lladdr 02:00:00:00:33:0b dev "$va" nud permanent
    run ip -n "$nb" -6 neigh replace "$a6" lladdr 02:00:00:00:33:0a dev "$vb" nud permanent
    # no ICMP port-unreachable noise in the captures, no IPv6 router solicitations
    for ns in "$na" "$nb"; do
        run ip netns exec "$ns" nft add table inet noicmp
        run ip netns exec "$ns" nft add chain inet noicmp out '{ type filter hook output priority 0; policy accept; }'
        run ip netns exec "$ns" nft add rule inet noicmp out icmp type destination-unreachable drop
        run ip netns exec "$ns" nft add rule inet noicmp out icmpv6 type '{ destination-unreachable, nd-router-solicit, mld2-listener-report }' drop
    done
}
ns_down() { cleanup; }

# start a capture; wait until the tool is listening
capture_started() { sleep 1.2; }

# finalize NAME FILE DIR DECODE-LINES...   (lines: "-d udp.port==N,rtp" or "#clock PT=RATE")
finalize() {
    local name=$1 file=$2 dir=$3; shift 3
    local dec="$dir/$name.decode" opts=()
    printf '%s\n' "$@" >"$dec"
    chown root:root "$file"; chmod 644 "$file"   # tcpdump writes as user tcpdump, dumpcap with mode 600
    while read -r l; do [[ "$l" == -* ]] && opts+=($l); done <"$dec"
    tshark -n -r "$file" "${opts[@]}" -q -z rtp,streams >"$dir/$name.tshark.txt" 2>/dev/null
    python3 "$HERE/streams2ref.py" "$dir/$name.tshark.txt" >"$dir/$name.ref.tsv" 2>/dev/null
    python3 "$HERE/rfc3550_ref.py" "$file" "$dec" >"$dir/$name.rfc3550.tsv"
    echo "== $name: $(ls -l "$file" | awk '{print $5}') bytes, $(($(wc -l <"$dir/$name.ref.tsv") - 1)) stream(s)"
}

newlog() { LOG=$LOGS/$1.cmds.sh; echo "# commands run for $1 ($(date -u +%FT%TZ))" >"$LOG"; }

GST=(gst-launch-1.0 -q)

# start_from ARGS...: `start_in` the folder after a leading `--out DIR`, else tests/data; sets
# SKIP to the number of arguments it took (the caller then shifts them off).
start_from() {
    if [ "${1:-}" = --out ]; then start_in "$2"; SKIP=2; else start_in tests/data; SKIP=0; fi
}

# start_in OUT: the output folders, the root check, and a scratch folder removed on exit.
start_in() {
    OUT=$1
    TRUTH=$OUT/truth
    LOGS=$HERE/logs
    mkdir -p "$OUT" "$TRUTH" "$LOGS"
    [ "$(id -u)" = 0 ] || { echo "must run as root (netns, tcpdump)" >&2; exit 1; }
    WORK=$(mktemp -d)
    trap 'cleanup; rm -rf "$WORK"' EXIT
}
