//! The live streams: stored densely in a `Vec`, found through a small hash index.
//!
//! A stream's state is about 1 KiB. Keeping it out of the hash table keeps the table's
//! entries small (key + index), so a lookup among 100 k streams touches one compact bucket
//! rather than a kilobyte-wide one, and walking every stream (interval reports, sweeps) is a
//! linear scan. The last stream looked up is remembered: a phone's packets come mostly from
//! one or two streams, so the common lookup is one key comparison and no hashing.

use std::collections::hash_map::Entry;

use foldhash::{HashMap, HashMapExt};
use rtpscope_wire::PackedFlow;

use crate::report::StreamKey;
use crate::stream::Stream;

/// The integer form of a stream key.
pub(crate) type Slot = (PackedFlow, u32);

/// The integer form of `key`.
#[inline]
pub(crate) fn slot(key: &StreamKey) -> Slot {
    (key.flow.packed(), key.ssrc)
}

#[derive(Debug, Default)]
pub(crate) struct StreamTable {
    streams: Vec<Stream>,
    index: HashMap<Slot, u32>,
    /// The slot last found and its position in `streams`.
    last: Option<(Slot, u32)>,
}

impl StreamTable {
    pub(crate) fn new() -> Self {
        StreamTable {
            streams: Vec::new(),
            index: HashMap::new(),
            last: None,
        }
    }

    #[inline]
    pub(crate) fn get_mut(&mut self, key: &Slot) -> Option<&mut Stream> {
        let at = match self.last {
            Some((last, at)) if last == *key => at,
            _ => {
                let at = *self.index.get(key)?;
                self.last = Some((*key, at));
                at
            }
        };
        self.streams.get_mut(at as usize)
    }

    pub(crate) fn get(&self, key: &Slot) -> Option<&Stream> {
        let at = *self.index.get(key)?;
        self.streams.get(at as usize)
    }

    pub(crate) fn contains_key(&self, key: &Slot) -> bool {
        self.index.contains_key(key)
    }

    /// Adds a stream under a key not in the table (a present key keeps its old stream).
    pub(crate) fn insert(&mut self, key: Slot, stream: Stream) {
        let Ok(at) = u32::try_from(self.streams.len()) else {
            return;
        };
        if let Entry::Vacant(slot) = self.index.entry(key) {
            slot.insert(at);
            self.streams.push(stream);
        }
    }

    pub(crate) fn remove(&mut self, key: &Slot) -> Option<Stream> {
        let at = self.index.remove(key)? as usize;
        self.last = None;
        let stream = self.streams.swap_remove(at);
        if let Some(moved) = self.streams.get(at) {
            // The last stream took the removed one's place.
            if let Some(i) = self.index.get_mut(&slot(&moved.key)) {
                *i = at as u32;
            }
        }
        Some(stream)
    }

    pub(crate) fn len(&self) -> usize {
        self.streams.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.streams.is_empty()
    }

    pub(crate) fn values(&self) -> impl Iterator<Item = &Stream> {
        self.streams.iter()
    }

    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = &mut Stream> {
        self.streams.iter_mut()
    }

    /// Bytes held by the table itself (not the streams' heap).
    pub(crate) fn overhead_bytes(&self) -> usize {
        self.index.capacity() * (core::mem::size_of::<Slot>() + 4 + 1)
            + (self.streams.capacity() - self.streams.len()) * core::mem::size_of::<Stream>()
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

    fn stream(ssrc: u32) -> (Slot, Stream) {
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
        let s = Stream::new(u64::from(ssrc), key, Timestamp::ZERO, &h, &NoRates, 0);
        (slot(&key), s)
    }

    #[test]
    fn removal_moves_the_last_stream_and_keeps_every_key_findable() {
        let mut t = StreamTable::new();
        for ssrc in 0..5 {
            let (k, s) = stream(ssrc);
            t.insert(k, s);
        }
        let (k0, _) = stream(0);
        let (k4, _) = stream(4);
        assert_eq!(t.get_mut(&k4).map(|s| s.id), Some(4)); // cached at position 4
        assert_eq!(t.remove(&k0).map(|s| s.id), Some(0)); // stream 4 moves to position 0
        assert_eq!(t.get_mut(&k4).map(|s| s.id), Some(4));
        assert!(t.get_mut(&k0).is_none());
        for ssrc in 1..5 {
            let (k, _) = stream(ssrc);
            assert_eq!(t.get(&k).map(|s| s.id), Some(u64::from(ssrc)));
            assert_eq!(t.get_mut(&k).map(|s| s.id), Some(u64::from(ssrc)));
        }
        assert_eq!(t.len(), 4);
        let (k9, s9) = stream(9);
        t.insert(k9, s9);
        let (k9b, mut s9b) = stream(9);
        s9b.id = 99;
        t.insert(k9b, s9b); // a present key keeps its stream
        assert_eq!(t.get(&k9).map(|s| s.id), Some(9));
        assert_eq!(t.len(), 5);
    }
}
