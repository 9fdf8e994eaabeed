//! Which streams make up one call, and which stream carries the other direction.
//!
//! With SIP/SDP hints a stream belongs to the call whose media endpoints include its source
//! or destination. Otherwise streams are related when one's flow is the other reversed, or
//! when they join the same two IPs in opposite directions and share a port on one side (RTP
//! port symmetry: a phone sends from the port it receives on), or when they share a flow
//! (an SSRC change) — and, in each case, when they overlap in time (within
//! [`PAIRING_SLACK_NS`]). Related streams form one call; a lone stream is its own call. So
//! without SIP a call whose two directions both fall silent for longer than that (a hold
//! with `a=inactive`) continues as another call.
//!
//! The overlap matters on trunks: two SBCs reuse the same ports call after call, and without
//! it every call that ever reused a port joined the one before, until thousands of calls
//! were one.

use foldhash::{HashMap, HashMapExt};
use std::net::{IpAddr, SocketAddr};

use crate::report::StreamReport;
use rtpscope_wire::{Endpoint, Flow};

use super::CallHint;

/// How far apart in time two streams may be and still be one call's: a pause in one
/// direction (hold, a transfer) but not the next call on reused ports.
pub(crate) const PAIRING_SLACK_NS: u64 = 5_000_000_000;

/// Whether the spans of `a` and `b` (first to last packet) meet, or come within
/// [`PAIRING_SLACK_NS`] of each other.
fn overlaps(a: &StreamReport, b: &StreamReport) -> bool {
    let near = |x: &StreamReport, y: &StreamReport| {
        x.first_arrival.as_nanos() <= y.last_arrival.as_nanos().saturating_add(PAIRING_SLACK_NS)
    };
    near(a, b) && near(b, a)
}

/// One call's streams, before symptoms are attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Group {
    /// Indices into the report's streams, ascending.
    pub streams: Vec<usize>,
    /// The SIP Call-ID, when a hint named the call.
    pub call_id: Option<String>,
    /// The IP addresses of the parties a hint named (empty without a hint).
    pub parties: Vec<IpAddr>,
}

/// Whether `t` carries the opposite direction of `s`: from `s`'s destination back to its
/// source (by IP; by socket when both ends share one IP, e.g. loopback).
pub(crate) fn is_reverse(s: &StreamReport, t: &StreamReport) -> bool {
    let (a, b) = (&s.key.flow, &t.key.flow);
    let ips = b.src().ip() == a.dst().ip() && b.dst().ip() == a.src().ip();
    ips && (a.src().ip() != a.dst().ip() || b.src() == a.dst() || b.dst() == a.src())
}

/// Whether `t` flows the same way as `s` (same IPs; same sender socket on a shared IP).
pub(crate) fn is_same_direction(s: &StreamReport, t: &StreamReport) -> bool {
    let (a, b) = (&s.key.flow, &t.key.flow);
    let ips = b.src().ip() == a.src().ip() && b.dst().ip() == a.dst().ip();
    ips && (a.src().ip() != a.dst().ip() || b.src() == a.src() || b.dst() == a.dst())
}

/// Makes stream `i` the one under `key` unless the one there lasts longer.
fn keep_longest<K: core::hash::Hash + Eq>(
    index: &mut HashMap<K, usize>,
    key: K,
    i: usize,
    streams: &[StreamReport],
) {
    let last = |j: usize| streams.get(j).map(|s| s.last_arrival);
    match index.get(&key) {
        Some(&j) if last(j) >= last(i) => {}
        _ => {
            index.insert(key, i);
        }
    }
}

/// Calls of at most this many streams are scanned rather than indexed: nearly every call has
/// two, and an index would cost allocations a scan does not.
const SCAN_UP_TO: usize = 8;

/// Whether the streams of a call are few enough to scan (see [`SCAN_UP_TO`]).
pub(crate) fn few(indices: &[usize]) -> bool {
    indices.len() <= SCAN_UP_TO
}

/// A stream's (source IP, destination IP), as flow ends with port 0.
pub(crate) fn ips_key(flow: &Flow) -> (Endpoint, Endpoint) {
    (flow.src_end().with_port(0), flow.dst_end().with_port(0))
}

/// Some streams of a call by (source IP, destination IP): a direction's streams, and with the
/// key reversed its reverse direction's, without comparing every pair. (On one shared
/// address, as on loopback, a key holds both directions and sockets tell them apart:
/// [`is_reverse`], [`is_same_direction`].)
pub(crate) struct ByIps<'a> {
    streams: &'a [StreamReport],
    /// The streams, when they are few enough to scan.
    scan: &'a [usize],
    index: HashMap<(Endpoint, Endpoint), Vec<usize>>,
}

impl<'a> ByIps<'a> {
    /// The streams `indices` of `streams`.
    pub(crate) fn new(streams: &'a [StreamReport], indices: &'a [usize]) -> Self {
        if few(indices) {
            return ByIps {
                streams,
                scan: indices,
                index: HashMap::new(),
            };
        }
        let mut index: HashMap<_, Vec<usize>> = HashMap::with_capacity(indices.len());
        for &i in indices {
            if let Some(s) = streams.get(i) {
                index.entry(ips_key(&s.key.flow)).or_default().push(i);
            }
        }
        ByIps {
            streams,
            scan: &[],
            index,
        }
    }

    /// The streams from one address to another, in the order given to [`ByIps::new`].
    pub(crate) fn get(&self, key: (Endpoint, Endpoint)) -> impl Iterator<Item = usize> + '_ {
        let streams = self.streams;
        let indexed = self.index.get(&key).map_or(&[][..], Vec::as_slice);
        let scanned = self
            .scan
            .iter()
            .copied()
            .filter(move |&i| streams.get(i).is_some_and(|s| ips_key(&s.key.flow) == key));
        indexed.iter().copied().chain(scanned)
    }
}

/// How far a stream's first packet may lie outside its call's signalling (before the first
/// SIP message, after the BYE) and still be that call's: media starts before the 200 OK is
/// seen, and a BYE may cross the last packets.
const HINT_SLACK_NS: u64 = 5_000_000_000;

/// Whether `s` starts within `hint`'s call, as far as the call's times are known.
fn within(hint: &CallHint, s: &StreamReport) -> bool {
    let start = s.first_arrival.as_nanos();
    hint.from
        .is_none_or(|f| start.saturating_add(HINT_SLACK_NS) >= f.as_nanos())
        && hint
            .until
            .is_none_or(|u| start <= u.as_nanos().saturating_add(HINT_SLACK_NS))
}

/// Groups streams into calls. Every stream lands in exactly one group.
pub(crate) fn group(streams: &[StreamReport], hints: &[CallHint]) -> Vec<Group> {
    // Calls by endpoint, in the order they were signalled: ports are reused from call to call.
    let mut by_endpoint: HashMap<SocketAddr, Vec<usize>> = HashMap::new();
    for (h, hint) in hints.iter().enumerate() {
        for e in &hint.endpoints {
            let calls = by_endpoint.entry(*e).or_default();
            if !calls.contains(&h) {
                calls.push(h);
            }
        }
    }
    let mut uf = UnionFind::new(streams.len());
    let mut hinted: Vec<Option<usize>> = vec![None; streams.len()];
    let mut first_of_hint: HashMap<usize, usize> = HashMap::new();
    for (i, s) in streams.iter().enumerate() {
        let flow = &s.key.flow;
        // Of the calls naming either end, the latest signalled that the stream starts within;
        // failing that (a capture begun mid-call, whose first SIP message is a re-INVITE), the
        // one signalled nearest its start.
        let calls = || {
            [flow.src(), flow.dst()]
                .into_iter()
                .filter_map(|e| by_endpoint.get(&e))
                .flatten()
                .copied()
        };
        let start = s.first_arrival.as_nanos();
        let hint = calls()
            .filter(|&h| hints.get(h).is_some_and(|hint| within(hint, s)))
            .max_by_key(|&h| (hints.get(h).and_then(|hint| hint.from), h))
            .or_else(|| {
                calls().min_by_key(|&h| {
                    let from = hints.get(h).and_then(|hint| hint.from);
                    from.map_or(0, |f| f.as_nanos().abs_diff(start))
                })
            });
        if let Some(h) = hint {
            hinted[i] = Some(h);
            let first = *first_of_hint.entry(h).or_insert(i);
            uf.union(first, i);
        }
    }
    // Unhinted streams: relate by flow, reversed flow and port symmetry, through indexes so
    // the cost stays linear in the number of streams. Each index keeps, of the streams on its
    // key so far, the one that lasted longest: the one a new stream most likely overlaps.
    // Ends are keyed as the flow holds them (`Endpoint`, two words to hash; an address alone
    // as its end with port 0), not as `SocketAddr`, which hashes byte by byte.
    let n = streams.len();
    let mut by_flow: HashMap<Flow, usize> = HashMap::with_capacity(n);
    let mut by_src: HashMap<(Endpoint, Endpoint), usize> = HashMap::with_capacity(n);
    let mut by_dst: HashMap<(Endpoint, Endpoint), usize> = HashMap::with_capacity(n);
    for (i, s) in streams
        .iter()
        .enumerate()
        .filter(|(i, _)| hinted[*i].is_none())
    {
        let f = s.key.flow;
        let (src, dst) = (f.src_end(), f.dst_end());
        let (src_ip, dst_ip) = (src.with_port(0), dst.with_port(0));
        // A reverse stream sends from our destination socket, or to our source socket.
        let related = [
            by_flow.get(&f),
            by_src.get(&(dst, src_ip)),
            by_dst.get(&(src, dst_ip)),
        ];
        for &j in related.into_iter().flatten() {
            if streams.get(j).is_some_and(|e| overlaps(e, s)) {
                uf.union(i, j);
            }
        }
        keep_longest(&mut by_flow, f, i, streams);
        keep_longest(&mut by_src, (src, dst_ip), i, streams);
        keep_longest(&mut by_dst, (dst, src_ip), i, streams);
    }
    let mut groups: Vec<Group> = Vec::new();
    let mut slot_of_root: HashMap<usize, usize> = HashMap::new();
    for (i, hint) in hinted.iter().enumerate() {
        let root = uf.find(i);
        let slot = *slot_of_root.entry(root).or_insert_with(|| {
            groups.push(Group {
                streams: Vec::new(),
                call_id: None,
                parties: Vec::new(),
            });
            groups.len() - 1
        });
        let g = &mut groups[slot];
        g.streams.push(i);
        if let Some(hint) = hint.and_then(|h| hints.get(h)) {
            if g.call_id.is_none() {
                g.call_id = Some(hint.call_id.clone());
                let mut parties: Vec<IpAddr> = hint.endpoints.iter().map(SocketAddr::ip).collect();
                parties.sort_unstable();
                parties.dedup();
                g.parties = parties;
            }
        }
    }
    groups
}

/// Disjoint sets with path halving.
struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n).collect(),
        }
    }

    fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        // The smaller index is the root, so groups come out in stream order.
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi] = lo;
        }
    }
}
