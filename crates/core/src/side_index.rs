//! Live streams found by something other than their key: by SSRC (an RTCP BYE names SSRCs,
//! not flows) and, for streams that began without a clock rate, by each end of their flow
//! (a payload type learnt later from SDP names an endpoint). Kept beside the stream table so
//! that neither a BYE nor an SDP walks every stream: with tens of thousands of live streams
//! and as many BYEs or SDP payload types, those walks were quadratic.

use std::net::SocketAddr;

use foldhash::HashMap;

use crate::report::StreamKey;

#[derive(Debug, Default)]
pub(crate) struct SideIndex {
    by_ssrc: HashMap<u32, Vec<StreamKey>>,
    /// Streams that had no clock rate when they began (one may have found it since).
    rateless: HashMap<SocketAddr, Vec<StreamKey>>,
}

/// Removes `key` from the list under `at`, and the list once it is empty.
fn take_out<K: core::hash::Hash + Eq>(
    map: &mut HashMap<K, Vec<StreamKey>>,
    at: K,
    key: &StreamKey,
) {
    if let Some(list) = map.get_mut(&at) {
        if let Some(i) = list.iter().position(|k| k == key) {
            list.swap_remove(i);
        }
        if list.is_empty() {
            map.remove(&at);
        }
    }
}

impl SideIndex {
    /// A stream began; `rateless` if it has no clock rate yet.
    pub(crate) fn add(&mut self, key: StreamKey, rateless: bool) {
        self.by_ssrc.entry(key.ssrc).or_default().push(key);
        if rateless {
            let (src, dst) = (key.flow.src(), key.flow.dst());
            self.rateless.entry(src).or_default().push(key);
            if dst != src {
                self.rateless.entry(dst).or_default().push(key);
            }
        }
    }

    /// A stream ended.
    pub(crate) fn remove(&mut self, key: &StreamKey) {
        take_out(&mut self.by_ssrc, key.ssrc, key);
        take_out(&mut self.rateless, key.flow.src(), key);
        take_out(&mut self.rateless, key.flow.dst(), key);
    }

    /// The live streams of `ssrc`, on any flow.
    pub(crate) fn with_ssrc(&self, ssrc: u32) -> &[StreamKey] {
        self.by_ssrc.get(&ssrc).map_or(&[], Vec::as_slice)
    }

    /// The live streams that began without a clock rate and have `endpoint` at one end.
    pub(crate) fn rateless_on(&self, endpoint: SocketAddr) -> &[StreamKey] {
        self.rateless.get(&endpoint).map_or(&[], Vec::as_slice)
    }

    /// Approximate bytes held.
    pub(crate) fn heap_bytes(&self) -> usize {
        let keys = |lists: &mut dyn Iterator<Item = &Vec<StreamKey>>| -> usize {
            lists
                .map(|l| l.capacity() * core::mem::size_of::<StreamKey>())
                .sum()
        };
        self.by_ssrc.capacity() * (4 + 24)
            + self.rateless.capacity() * (core::mem::size_of::<SocketAddr>() + 24)
            + keys(&mut self.by_ssrc.values())
            + keys(&mut self.rateless.values())
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
        assert_eq!(ix.with_ssrc(7), [a, b]);
        assert_eq!(ix.with_ssrc(8), []);
        let end = |s: &str| s.parse::<SocketAddr>().expect("addr");
        assert_eq!(ix.rateless_on(end("10.0.0.2:5000")), [a, c]);
        assert_eq!(ix.rateless_on(end("10.0.0.3:4000")), []);
        ix.remove(&a);
        assert_eq!(ix.with_ssrc(7), [b]);
        assert_eq!(ix.rateless_on(end("10.0.0.1:4000")), [c]);
        ix.remove(&b);
        ix.remove(&c);
        assert!(ix.by_ssrc.is_empty() && ix.rateless.is_empty());
    }
}
