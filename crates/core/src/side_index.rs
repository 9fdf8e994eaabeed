//! Live streams found by something other than their key: by SSRC (an RTCP BYE names SSRCs,
//! not flows) and, for streams that began without a clock rate, by each end of their flow
//! (a payload type learnt later from SDP names an endpoint). Kept beside the stream table so
//! that neither a BYE nor an SDP walks every stream: with tens of thousands of live streams
//! and as many BYEs or SDP payload types, those walks were quadratic.

use std::net::SocketAddr;

use foldhash::{HashMap, HashSet};
use rtpscope_wire::Endpoint;

use crate::report::StreamKey;

/// The streams under one SSRC or endpoint: almost always one, kept without an allocation of
/// its own; a set when more, so that removing one costs the same however many share it (an
/// SSRC or a destination flooded with new streams).
#[derive(Debug)]
enum Keys {
    One(StreamKey),
    Many(HashSet<StreamKey>),
}

#[derive(Debug, Default)]
pub(crate) struct SideIndex {
    by_ssrc: HashMap<u32, Keys>,
    /// Streams that began without a clock rate and have not learnt one from SDP since, by
    /// each end (an `Endpoint` hashes as two words, a `SocketAddr` byte by byte).
    rateless: HashMap<Endpoint, Keys>,
}

fn put<K: core::hash::Hash + Eq>(map: &mut HashMap<K, Keys>, at: K, key: StreamKey) {
    match map.get_mut(&at) {
        None => {
            map.insert(at, Keys::One(key));
        }
        Some(Keys::Many(set)) => {
            set.insert(key);
        }
        Some(slot @ Keys::One(_)) => {
            if let Keys::One(first) = *slot {
                if first != key {
                    *slot = Keys::Many([first, key].into_iter().collect());
                }
            }
        }
    }
}

/// Removes `key` from under `at`, and the entry once it holds nothing.
fn take_out<K: core::hash::Hash + Eq>(map: &mut HashMap<K, Keys>, at: K, key: &StreamKey) {
    let empty = match map.get_mut(&at) {
        None => return,
        Some(Keys::One(only)) => only == key,
        Some(Keys::Many(set)) => {
            set.remove(key);
            set.is_empty()
        }
    };
    if empty {
        map.remove(&at);
    }
}

fn keys<K: core::hash::Hash + Eq>(map: &HashMap<K, Keys>, at: &K) -> Vec<StreamKey> {
    match map.get(at) {
        None => Vec::new(),
        Some(Keys::One(key)) => vec![*key],
        Some(Keys::Many(set)) => set.iter().copied().collect(),
    }
}

impl SideIndex {
    /// A stream began; `rateless` if it has no clock rate yet.
    pub(crate) fn add(&mut self, key: StreamKey, rateless: bool) {
        put(&mut self.by_ssrc, key.ssrc, key);
        if rateless {
            put(&mut self.rateless, key.flow.src_end(), key);
            put(&mut self.rateless, key.flow.dst_end(), key);
        }
    }

    /// A stream ended.
    pub(crate) fn remove(&mut self, key: &StreamKey) {
        take_out(&mut self.by_ssrc, key.ssrc, key);
        self.learnt_rate(key);
    }

    /// A stream learnt its clock rate: SDP has nothing more to tell it.
    pub(crate) fn learnt_rate(&mut self, key: &StreamKey) {
        take_out(&mut self.rateless, key.flow.src_end(), key);
        take_out(&mut self.rateless, key.flow.dst_end(), key);
    }

    /// The live streams of `ssrc`, on any flow, in no particular order.
    pub(crate) fn with_ssrc(&self, ssrc: u32) -> Vec<StreamKey> {
        keys(&self.by_ssrc, &ssrc)
    }

    /// The live streams still without a clock rate that have `endpoint` at one end, in no
    /// particular order.
    pub(crate) fn rateless_on(&self, endpoint: SocketAddr) -> Vec<StreamKey> {
        keys(&self.rateless, &Endpoint::from(endpoint))
    }

    /// Approximate bytes held.
    pub(crate) fn heap_bytes(&self) -> usize {
        let sets = |m: &mut dyn Iterator<Item = &Keys>| -> usize {
            m.map(|k| match k {
                Keys::One(_) => 0,
                Keys::Many(set) => set.capacity() * (core::mem::size_of::<StreamKey>() + 1),
            })
            .sum()
        };
        let entry = core::mem::size_of::<Keys>() + 1;
        self.by_ssrc.capacity() * (4 + entry)
            + self.rateless.capacity() * (core::mem::size_of::<Endpoint>() + entry)
            + sets(&mut self.by_ssrc.values())
            + sets(&mut self.rateless.values())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rtpscope_wire::Flow;

    fn key(src: &str, dst: &str, ssrc: u32) -> StreamKey {
        StreamKey {
            flow: Flow::new(src.parse().expect("addr"), dst.parse().expect("addr")),
            ssrc,
        }
    }

    #[test]
    fn streams_are_found_by_ssrc_and_rateless_ones_by_either_end() {
        let mut ix = SideIndex::default();
        let a = key("10.0.0.1:4000", "10.0.0.2:5000", 7);
        let b = key("10.0.0.3:4000", "10.0.0.2:5000", 7);
        let c = key("10.0.0.2:5000", "10.0.0.1:4000", 9);
        ix.add(a, true);
        ix.add(b, false);
        ix.add(c, true);
        let sorted = |mut v: Vec<StreamKey>| {
            v.sort_unstable();
            v
        };
        assert_eq!(sorted(ix.with_ssrc(7)), sorted(vec![a, b]));
        assert_eq!(ix.with_ssrc(8), []);
        let end = |s: &str| s.parse::<SocketAddr>().expect("addr");
        assert_eq!(
            sorted(ix.rateless_on(end("10.0.0.2:5000"))),
            sorted(vec![a, c])
        );
        assert_eq!(ix.rateless_on(end("10.0.0.3:4000")), []);
        ix.remove(&a);
        assert_eq!(ix.with_ssrc(7), [b]);
        assert_eq!(ix.rateless_on(end("10.0.0.1:4000")), [c]);
        ix.learnt_rate(&c);
        assert_eq!(ix.rateless_on(end("10.0.0.1:4000")), []);
        ix.remove(&b);
        ix.remove(&c);
        assert!(ix.by_ssrc.is_empty() && ix.rateless.is_empty());
    }

    #[test]
    fn many_streams_under_one_ssrc_come_and_go_one_by_one() {
        // A flood of new flows with one SSRC: each removal finds its stream directly.
        let mut ix = SideIndex::default();
        let keys: Vec<StreamKey> = (0..1000u16)
            .map(|p| key(&format!("10.0.1.1:{}", 2000 + p), "10.0.0.2:5000", 7))
            .collect();
        for &k in &keys {
            ix.add(k, true);
        }
        assert_eq!(ix.with_ssrc(7).len(), 1000);
        assert_eq!(
            ix.rateless_on("10.0.0.2:5000".parse().expect("addr")).len(),
            1000
        );
        for k in &keys {
            ix.remove(k);
        }
        assert!(ix.by_ssrc.is_empty() && ix.rateless.is_empty());
    }
}
