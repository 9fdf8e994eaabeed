//! The live streams: stored densely in two parallel `Vec`s, what packets touch (384 bytes a
//! stream) and the rest, found through a small hash index.
//!
//! The index holds only each stream's position (4 bytes an entry, plus hashbrown's control
//! byte), so among 100 k streams it stays small enough to sit in cache more often than not,
//! and a lookup's one unavoidable miss is the stream itself, whose key is compared in place.
//! Walking every stream (interval reports, sweeps) is a linear scan. The last stream looked
//! up is remembered: a phone's packets come mostly from one or two streams, so the common
//! lookup is one key comparison and no hashing.

use core::hash::BuildHasher;

use foldhash::fast::RandomState;
use hashbrown::HashTable;

use crate::report::StreamKey;
use crate::side_index::SideIndex;
use crate::stream::{Stream, StreamCold};

/// Below this many streams (under 2 MB of state) the table mostly stays in cache, and
/// warming would only repeat each lookup.
const WARM_ABOVE_STREAMS: usize = 2048;

/// A stream key's hash (its flow is plain integers, cheap to hash).
#[inline]
fn hash_of(hasher: &RandomState, key: &StreamKey) -> u64 {
    hasher.hash_one(key)
}

#[derive(Debug, Default)]
pub(crate) struct StreamTable {
    /// What packets touch, 6 cache lines each.
    streams: Vec<Stream>,
    /// The rest of each stream, at the same position.
    colds: Vec<StreamCold>,
    /// Positions in `streams`, hashed by key.
    index: HashTable<u32>,
    /// Seeded per process, so crafted keys cannot aim at one bucket.
    hasher: RandomState,
    /// The position last found (`u32::MAX`: none).
    last: u32,
    /// The live streams by SSRC, and those that began without a clock rate by endpoint.
    side: SideIndex,
}

impl StreamTable {
    pub(crate) fn new() -> Self {
        StreamTable {
            streams: Vec::new(),
            colds: Vec::new(),
            index: HashTable::new(),
            hasher: RandomState::default(),
            last: u32::MAX,
            side: SideIndex::default(),
        }
    }

    #[inline]
    fn hash(&self, key: &StreamKey) -> u64 {
        hash_of(&self.hasher, key)
    }

    fn find(&self, key: &StreamKey) -> Option<u32> {
        let streams = &self.streams;
        self.index
            .find(self.hash(key), |&at| {
                streams.get(at as usize).is_some_and(|s| s.is(key))
            })
            .copied()
    }

    #[inline]
    pub(crate) fn get_mut(&mut self, key: &StreamKey) -> Option<(&mut Stream, &mut StreamCold)> {
        let cached = self
            .streams
            .get(self.last as usize)
            .is_some_and(|s| s.is(key));
        if !cached {
            self.last = self.find(key)?;
        }
        self.nth_mut(self.last)
    }

    /// Reads the busy lines of the streams of `keys`, so that their packets find them in
    /// cache: first every key's index entry, then every stream, so the misses of one step
    /// overlap rather than each waiting for the one before.
    pub(crate) fn warm(&self, keys: impl IntoIterator<Item = StreamKey>) {
        const GROUP: usize = 16;
        if self.streams.len() < WARM_ABOVE_STREAMS {
            return;
        }
        let mut keys = keys.into_iter();
        loop {
            let mut at = [u32::MAX; GROUP];
            let mut n = 0;
            for (slot, key) in at.iter_mut().zip(keys.by_ref()) {
                // The first entry whose hash tag matches: almost always the stream itself, found
                // without reading the stream (its key check would wait for that miss).
                *slot = self
                    .index
                    .iter_hash(self.hash(&key))
                    .next()
                    .copied()
                    .unwrap_or(u32::MAX);
                n += 1;
            }
            let mut sum = 0u64;
            for &i in &at[..n] {
                if let Some(s) = self.streams.get(i as usize) {
                    sum = sum.wrapping_add(s.touch());
                }
            }
            core::hint::black_box(sum);
            if n < GROUP {
                return;
            }
        }
    }

    pub(crate) fn get(&self, key: &StreamKey) -> Option<(&Stream, &StreamCold)> {
        let at = self.find(key)? as usize;
        Some((self.streams.get(at)?, self.colds.get(at)?))
    }

    pub(crate) fn contains_key(&self, key: &StreamKey) -> bool {
        self.find(key).is_some()
    }

    /// Adds a stream under its key if the key is not in the table (a present key keeps its
    /// old stream).
    pub(crate) fn insert(&mut self, (stream, cold): (Stream, StreamCold)) {
        let Ok(at) = u32::try_from(self.streams.len()) else {
            return;
        };
        let key = stream.key();
        if at == u32::MAX || self.contains_key(&key) {
            return;
        }
        let (streams, hasher) = (&self.streams, &self.hasher);
        let rehash = |&i: &u32| {
            streams
                .get(i as usize)
                .map_or(0, |s| hash_of(hasher, &s.key()))
        };
        self.index.insert_unique(self.hash(&key), at, rehash);
        self.side.add(key, stream.needs_rate());
        self.streams.push(stream);
        self.colds.push(cold);
    }

    pub(crate) fn remove(&mut self, key: &StreamKey) -> Option<(Stream, StreamCold)> {
        let hash = self.hash(key);
        let streams = &self.streams;
        let entry = self
            .index
            .find_entry(hash, |&at| {
                streams.get(at as usize).is_some_and(|s| s.is(key))
            })
            .ok()?;
        let at = entry.remove().0 as usize;
        self.last = u32::MAX;
        self.side.remove(key);
        let stream = (self.streams.swap_remove(at), self.colds.swap_remove(at));
        if let Some(moved) = self.streams.get(at) {
            // The last stream took the removed one's place: point its entry there.
            let old = self.streams.len() as u32;
            let hash = self.hash(&moved.key());
            if let Some(i) = self.index.find_mut(hash, |&i| i == old) {
                *i = at as u32;
            }
        }
        Some(stream)
    }

    pub(crate) fn len(&self) -> usize {
        self.streams.len()
    }

    /// The live streams of `ssrc`, on any flow, in no particular order.
    pub(crate) fn keys_with_ssrc(&self, ssrc: u32) -> Vec<StreamKey> {
        self.side.with_ssrc(ssrc)
    }

    /// The live streams still without a clock rate that have `endpoint` at one end, in no
    /// particular order.
    pub(crate) fn rateless_keys_on(&self, endpoint: std::net::SocketAddr) -> Vec<StreamKey> {
        self.side.rateless_on(endpoint)
    }

    /// The stream of `key` learnt its clock rate.
    pub(crate) fn learnt_rate(&mut self, key: &StreamKey) {
        self.side.learnt_rate(key);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.streams.is_empty()
    }

    pub(crate) fn values(&self) -> impl Iterator<Item = &Stream> {
        self.streams.iter()
    }

    /// The stream at a position of [`Self::values`] (positions change only on removal).
    #[inline]
    pub(crate) fn nth_mut(&mut self, at: u32) -> Option<(&mut Stream, &mut StreamCold)> {
        let at = at as usize;
        Some((self.streams.get_mut(at)?, self.colds.get_mut(at)?))
    }

    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = (&mut Stream, &mut StreamCold)> {
        self.streams.iter_mut().zip(self.colds.iter_mut())
    }

    /// Bytes held by the live streams, both parts and their heap.
    pub(crate) fn memory_bytes(&self) -> usize {
        self.colds.iter().map(StreamCold::stream_bytes).sum()
    }

    /// Bytes held by the table itself (not the streams' heap).
    pub(crate) fn overhead_bytes(&self) -> usize {
        self.index.capacity() * (core::mem::size_of::<u32>() + 1)
            + self.side.heap_bytes()
            + (self.streams.capacity() - self.streams.len()) * core::mem::size_of::<Stream>()
            + (self.colds.capacity() - self.colds.len()) * core::mem::size_of::<StreamCold>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::{PayloadClass, RtpHeader};
    use crate::stream::Resolve;
    use rtpscope_wire::{Flow, Timestamp};

    struct NoRates;
    impl Resolve for NoRates {
        fn resolve(&self, _: &StreamKey, _: u8) -> Option<crate::payload::PayloadInfo> {
            None
        }
    }

    fn stream(ssrc: u32) -> (StreamKey, (Stream, StreamCold)) {
        let key = StreamKey {
            flow: Flow::new(
                "10.0.0.1:4000".parse().unwrap(),
                "10.0.0.2:5004".parse().unwrap(),
            ),
            ssrc,
        };
        let h = RtpHeader {
            sequence_number: 1,
            timestamp: 0,
            ssrc,
            payload_type: 0,
            marker: false,
            payload_len: 160,
            payload_class: PayloadClass::Unknown,
        };
        let s = Stream::new(u64::from(ssrc), key, Timestamp::ZERO, &h, &NoRates, 0.0);
        (key, s)
    }

    #[test]
    fn removal_moves_the_last_stream_and_keeps_every_key_findable() {
        let mut t = StreamTable::new();
        for ssrc in 0..5 {
            let (_, s) = stream(ssrc);
            t.insert(s);
        }
        let (k0, _) = stream(0);
        let (k4, _) = stream(4);
        assert_eq!(t.get_mut(&k4).map(|s| s.1.id), Some(4)); // cached at position 4
        assert_eq!(t.remove(&k0).map(|s| s.1.id), Some(0)); // stream 4 moves to position 0
        assert_eq!(t.get_mut(&k4).map(|s| s.1.id), Some(4));
        assert!(t.get_mut(&k0).is_none());
        for ssrc in 1..5 {
            let (k, _) = stream(ssrc);
            assert_eq!(t.get(&k).map(|s| s.1.id), Some(u64::from(ssrc)));
            assert_eq!(t.get_mut(&k).map(|s| s.1.id), Some(u64::from(ssrc)));
        }
        assert_eq!(t.len(), 4);
        let (k9, s9) = stream(9);
        t.insert(s9);
        let (_, mut s9b) = stream(9);
        s9b.1.id = 99;
        t.insert(s9b); // a present key keeps its stream
        assert_eq!(t.get(&k9).map(|s| s.1.id), Some(9));
        assert_eq!(t.len(), 5);
    }
}
