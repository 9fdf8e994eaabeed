//! Per-packet work on the source thread, kept cheap: the RTP header record, and a cache of
//! flows the detector already confirmed.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use rtpscope_core::payload::PayloadClass;
use rtpscope_core::RtpHeader;
use rtpscope_wire::{Flow, RtpPacket};

/// `RtpHeader::from_packet`, with the G.711 silence test done eight bytes at a time (core's
/// byte loop was the source thread's largest cost). Equal results are tested below.
#[inline]
pub(crate) fn header(p: &RtpPacket<&[u8]>) -> RtpHeader {
    let payload = p.payload();
    RtpHeader {
        sequence_number: p.sequence_number(),
        timestamp: p.timestamp(),
        ssrc: p.ssrc(),
        payload_type: p.payload_type(),
        marker: p.marker(),
        payload_len: u16::try_from(payload.len()).unwrap_or(u16::MAX),
        payload_class: classify(p.payload_type(), payload),
    }
}

/// G.711 digital silence: PCMU 0xFF/0x7F, PCMA 0xD5/0x55. Each pair differs only in the top
/// bit, so "every byte is one of the pair" is "every byte with the top bit set is the first".
#[inline]
fn classify(payload_type: u8, payload: &[u8]) -> PayloadClass {
    let target = match payload_type {
        0 => 0xffu8,
        8 => 0xd5,
        _ => return PayloadClass::Unknown,
    };
    if payload.is_empty() {
        return PayloadClass::Unknown;
    }
    let wide = u64::from_ne_bytes([target; 8]);
    let top = u64::from_ne_bytes([0x80; 8]);
    let mut chunks = payload.chunks_exact(8);
    let mut diff = 0u64;
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        diff |= (u64::from_ne_bytes(w) | top) ^ wide;
    }
    let tail_ok = chunks.remainder().iter().all(|&b| b | 0x80 == target);
    if diff == 0 && tail_ok {
        PayloadClass::Silent
    } else {
        PayloadClass::Audible
    }
}

/// FxHash-style hasher: a multiply and rotate per word. The keys are flows from the wire;
/// collisions only cost time, and the map is bounded.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FastHasher(u64);

impl Hasher for FastHasher {
    #[inline]
    fn finish(&self) -> u64 {
        // The multiply leaves low bits weak (even RTP ports); hashbrown indexes with them.
        crate::shard::mix(self.0)
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for c in bytes.chunks(8) {
            let mut w = [0u8; 8];
            w[..c.len()].copy_from_slice(c);
            self.write_u64(u64::from_le_bytes(w));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.write_u64(u64::from(i));
    }
    #[inline]
    fn write_u16(&mut self, i: u16) {
        self.write_u64(u64::from(i));
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.write_u64(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
}

/// Flows the detector confirmed as RTP: their RTP packets skip the detector's SipHash table.
/// The detector's answer for a confirmed flow never changes unless it evicts the flow, which
/// only happens past `DetectorConfig::max_flows`; the cache is cleared at the same bound.
#[derive(Debug, Default)]
pub(crate) struct Confirmed {
    flows: HashMap<Flow, (), BuildHasherDefault<FastHasher>>,
    limit: usize,
    /// Packets that took the shortcut (added to the detector's `rtp` count at the end).
    pub hits: u64,
}

impl Confirmed {
    pub(crate) fn new(limit: usize) -> Self {
        Confirmed {
            flows: HashMap::default(),
            limit: limit.max(1),
            hits: 0,
        }
    }

    #[inline]
    pub(crate) fn contains(&self, flow: &Flow) -> bool {
        !self.flows.is_empty() && self.flows.contains_key(flow)
    }

    pub(crate) fn insert(&mut self, flow: Flow) {
        if self.flows.len() >= self.limit {
            self.flows.clear();
        }
        self.flows.insert(flow, ());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rtpscope_wire::rtp::RtpRepr;

    proptest! {
        #[test]
        fn same_header_as_core(pt in prop::sample::select(vec![0u8, 8, 9, 111]), len in 0usize..200,
                               fill in prop::sample::select(vec![0xffu8, 0x7f, 0xd5, 0x55, 0x00]),
                               flip in proptest::option::of((0usize..200, any::<u8>()))) {
            let mut payload = vec![fill; len];
            if let Some((i, b)) = flip {
                if i < len { payload[i] = b; }
            }
            for (j, b) in payload.iter_mut().enumerate() {
                // Mix the two silence codes of the pair.
                if j % 3 == 0 && (*b == 0xff || *b == 0xd5) { *b &= 0x7f; }
            }
            let repr = RtpRepr { payload_type: pt, sequence_number: 1, timestamp: 2, ssrc: 3, payload: &payload, ..RtpRepr::default() };
            let mut buf = vec![0u8; 12 + len];
            let n = repr.emit(&mut buf).unwrap();
            let p = RtpPacket::new_checked(&buf[..n]).unwrap();
            prop_assert_eq!(header(&p), RtpHeader::from_packet(&p));
        }
    }
}
