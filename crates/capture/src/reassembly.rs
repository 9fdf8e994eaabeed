//! IPv4 fragment reassembly (RFC 791 §3.2) in bounded memory.
//!
//! Voice packets are far below any MTU, but wideband L16 and video datagrams can be larger
//! and arrive in pieces; without reassembly their streams would be missing. At most
//! [`MAX_PENDING`] datagrams are rebuilt at once, each at most 64 KiB; a datagram whose
//! pieces stop coming is dropped after [`TIMEOUT_NS`] of capture time, and the oldest is
//! dropped when a new one finds no room. Every fragment that ends up in no datagram is
//! counted. IPv6 fragments (only the sender fragments there, and rarely) are counted and
//! skipped.
//!
//! ```
//! use rtpscope_capture::reassembly::{Reassembler, Push};
//! use rtpscope_capture::decap::decode_ip;
//!
//! // A UDP datagram with 16 payload bytes in two fragments: 8 bytes of UDP header plus 8 of
//! // payload, then the last 8.
//! let header = |more: bool, offset8: u16, len: u16| {
//!     let flags = if more { 0x2000 } else { 0 } | offset8;
//!     let [f0, f1] = flags.to_be_bytes();
//!     let [l0, l1] = (20 + len).to_be_bytes();
//!     vec![0x45, 0, l0, l1, 0, 7, f0, f1, 64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2]
//! };
//! let mut first = header(true, 0, 16);
//! first.extend_from_slice(&[0x13, 0x88, 0x13, 0x8a, 0, 24, 0, 0]);
//! first.extend_from_slice(b"abcdefgh");
//! let mut last = header(false, 2, 8);
//! last.extend_from_slice(b"ijklmnop");
//!
//! let mut r = Reassembler::default();
//! assert_eq!(r.push(0, &last), Push::Held);
//! assert_eq!(r.push(1, &first), Push::Complete);
//! let d = decode_ip(r.datagram()).unwrap();
//! assert_eq!(d.payload, b"abcdefghijklmnop");
//! ```

use rtpscope_wire::Flow;

use crate::decap::{decode_ip, ip_packet};
use crate::DropCounters;

/// Datagrams rebuilt at once.
pub const MAX_PENDING: usize = 64;
/// Capture time after which an incomplete datagram is dropped (RFC 791 suggests 15 s for
/// the timer's lower bound on hosts; a probe watching voice has no use for pieces that old).
pub const TIMEOUT_NS: u64 = 2_000_000_000;
/// Pieces per datagram: 64 KiB in 1500-byte frames is 45.
const MAX_PIECES: usize = 64;
const MAX_DATAGRAM: usize = 65_535;
const IPV4_HEADER: usize = 20;

/// What became of one fragment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Push {
    /// Kept until its datagram is whole.
    Held,
    /// Its datagram is whole: [`Reassembler::datagram`] holds it.
    Complete,
    /// Dropped with this many fragments held before it (malformed, oversize, inconsistent,
    /// not IPv4): none of them will be part of a datagram.
    Discarded(u64),
}

/// Datagrams being rebuilt, and the last one completed.
#[derive(Debug, Default)]
pub struct Reassembler {
    pending: Vec<Pending>,
    done: Vec<u8>,
    /// Fragments dropped with their datagram because it expired or was evicted.
    expired: u64,
}

#[derive(Debug)]
struct Pending {
    /// Source, destination, identification, protocol: the datagram's identity.
    key: ([u8; 4], [u8; 4], u16, u8),
    started_ns: u64,
    /// The first fragment's IP header (offset 0), once seen.
    header: Option<[u8; IPV4_HEADER]>,
    data: Vec<u8>,
    /// Byte ranges received, `[start, end)`, in arrival order.
    pieces: Vec<(usize, usize)>,
    /// The payload's length, known once the last fragment arrived.
    total: Option<usize>,
}

impl Reassembler {
    /// Takes one IP packet flagged as a fragment, captured at `now_ns`.
    pub fn push(&mut self, now_ns: u64, ip: &[u8]) -> Push {
        self.expire(now_ns);
        let Some(f) = Fragment::parse(ip) else {
            return Push::Discarded(0);
        };
        let at = match self.pending.iter().position(|p| p.key == f.key) {
            Some(at) => at,
            None => {
                if self.pending.len() >= MAX_PENDING {
                    // The oldest is the first: entries are added at the end.
                    let oldest = self.pending.remove(0);
                    self.expired += oldest.pieces.len() as u64;
                }
                self.pending.push(Pending {
                    key: f.key,
                    started_ns: now_ns,
                    header: None,
                    data: Vec::new(),
                    pieces: Vec::new(),
                    total: None,
                });
                self.pending.len() - 1
            }
        };
        let Some(p) = self.pending.get_mut(at) else {
            return Push::Discarded(0);
        };
        if p.add(&f).is_err() {
            let dropped = self.pending.remove(at);
            return Push::Discarded(dropped.pieces.len() as u64);
        }
        if !p.is_whole() {
            return Push::Held;
        }
        let p = self.pending.remove(at);
        self.done.clear();
        if let (Some(mut header), Some(total)) = (p.header, p.total) {
            // One header for the whole datagram: no options, not a fragment, its full length.
            header[0] = 0x45;
            header[2..4].copy_from_slice(&((IPV4_HEADER + total) as u16).to_be_bytes());
            header[6..8].copy_from_slice(&[0, 0]);
            self.done.extend_from_slice(&header);
            self.done
                .extend_from_slice(p.data.get(..total).unwrap_or_default());
        }
        Push::Complete
    }

    /// The IPv4 packet last completed (header and whole payload).
    pub fn datagram(&self) -> &[u8] {
        &self.done
    }

    /// What a reader does with a frame flagged as a fragment: takes the IP packet in it and
    /// counts what became of it; when it completes a UDP datagram, the payload's place in
    /// [`Self::datagram`] and its flow (the reader counts the datagram as UDP).
    pub(crate) fn take_frame(
        &mut self,
        counters: &mut DropCounters,
        now_ns: u64,
        linktype: u32,
        frame: &[u8],
    ) -> Option<(usize, usize, Flow)> {
        let ip = ip_packet(linktype, frame).unwrap_or_default();
        let push = self.push(now_ns, ip);
        counters.fragments_discarded += self.take_expired();
        match push {
            Push::Complete => match decode_ip(&self.done) {
                Ok(d) => {
                    counters.reassembled += 1;
                    counters.tunneled += u64::from(d.tunnels > 0);
                    let at = d.payload.as_ptr() as usize - self.done.as_ptr() as usize;
                    return Some((at, d.payload.len(), d.flow));
                }
                // A whole datagram that is not UDP (or not usable): its last piece is
                // counted for what the datagram is.
                Err(skip) => counters.count(skip),
            },
            Push::Held => counters.fragments += 1,
            Push::Discarded(before) => {
                counters.fragments += 1;
                counters.fragments_discarded += before + 1;
            }
        }
        None
    }

    /// The input ended: the pieces of datagrams that never completed are lost.
    pub(crate) fn finish(&mut self, counters: &mut DropCounters) {
        counters.fragments_discarded += self.take_expired() + self.held();
        *self = Reassembler::default();
    }

    /// Fragments dropped so far because their datagram timed out or was evicted, taken.
    fn take_expired(&mut self) -> u64 {
        core::mem::take(&mut self.expired)
    }

    /// Fragments still waiting for the rest of their datagram.
    fn held(&self) -> u64 {
        self.pending.iter().map(|p| p.pieces.len() as u64).sum()
    }

    fn expire(&mut self, now_ns: u64) {
        let mut expired = 0;
        self.pending.retain(|p| {
            let keep = now_ns.saturating_sub(p.started_ns) < TIMEOUT_NS;
            if !keep {
                expired += p.pieces.len() as u64;
            }
            keep
        });
        self.expired += expired;
    }
}

impl Pending {
    /// Places a fragment; an error means the datagram cannot be rebuilt.
    fn add(&mut self, f: &Fragment<'_>) -> Result<(), ()> {
        let end = f.offset + f.payload.len();
        if end > MAX_DATAGRAM - IPV4_HEADER || self.pieces.len() >= MAX_PIECES {
            return Err(());
        }
        if !f.more {
            if self.total.is_some_and(|t| t != end) {
                return Err(());
            }
            self.total = Some(end);
        } else if f.payload.len() % 8 != 0 {
            return Err(());
        }
        if self.total.is_some_and(|t| end > t) {
            return Err(());
        }
        if f.offset == 0 {
            self.header = Some(f.header);
        }
        if self.data.len() < end {
            self.data.resize(end, 0);
        }
        if let Some(slot) = self.data.get_mut(f.offset..end) {
            slot.copy_from_slice(f.payload);
        }
        self.pieces.push((f.offset, end));
        Ok(())
    }

    fn is_whole(&self) -> bool {
        let Some(total) = self.total else {
            return false;
        };
        if self.header.is_none() {
            return false;
        }
        let mut ranges = self.pieces.clone();
        ranges.sort_unstable();
        let mut covered = 0;
        for (start, end) in ranges {
            if start > covered {
                return false;
            }
            covered = covered.max(end);
        }
        covered >= total
    }
}

/// The fields of an IPv4 fragment reassembly needs.
struct Fragment<'a> {
    key: ([u8; 4], [u8; 4], u16, u8),
    header: [u8; IPV4_HEADER],
    offset: usize,
    more: bool,
    payload: &'a [u8],
}

impl<'a> Fragment<'a> {
    fn parse(ip: &'a [u8]) -> Option<Self> {
        let header: [u8; IPV4_HEADER] = ip.get(..IPV4_HEADER)?.try_into().ok()?;
        if header[0] >> 4 != 4 {
            return None;
        }
        let ihl = usize::from(header[0] & 0x0f) * 4;
        let total = usize::from(u16::from_be_bytes([header[2], header[3]]));
        let flags = u16::from_be_bytes([header[6], header[7]]);
        let payload = ip.get(ihl.max(IPV4_HEADER)..total)?;
        let quad = |at: usize| [header[at], header[at + 1], header[at + 2], header[at + 3]];
        Some(Fragment {
            key: (
                quad(12),
                quad(16),
                u16::from_be_bytes([header[4], header[5]]),
                header[9],
            ),
            header,
            offset: usize::from(flags & 0x1fff) * 8,
            more: flags & 0x2000 != 0,
            payload,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A UDP datagram of `len` payload bytes from 192.0.2.1:5000 to 192.0.2.2:5002, cut in
    /// fragments of `piece` bytes of IP payload (a multiple of 8).
    fn fragments(id: u16, len: usize, piece: usize) -> Vec<Vec<u8>> {
        let mut udp = vec![0x13, 0x88, 0x13, 0x8a];
        udp.extend_from_slice(&((8 + len) as u16).to_be_bytes());
        udp.extend_from_slice(&[0, 0]);
        udp.extend((0..len).map(|i| i as u8));
        udp.chunks(piece)
            .enumerate()
            .map(|(i, chunk)| {
                let more = (i + 1) * piece < udp.len();
                let flags = u16::from(more) << 13 | (i * piece / 8) as u16;
                let mut ip = vec![0x45, 0];
                ip.extend_from_slice(&((20 + chunk.len()) as u16).to_be_bytes());
                ip.extend_from_slice(&id.to_be_bytes());
                ip.extend_from_slice(&flags.to_be_bytes());
                ip.extend_from_slice(&[64, 17, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2]);
                ip.extend_from_slice(chunk);
                ip
            })
            .collect()
    }

    fn payload_of(r: &Reassembler) -> Vec<u8> {
        decode_ip(r.datagram()).expect("udp").payload.to_vec()
    }

    #[test]
    fn pieces_in_any_order_and_repeated_make_the_datagram() {
        let want: Vec<u8> = (0..3000).map(|i| i as u8).collect();
        let mut pieces = fragments(1, 3000, 1480);
        assert_eq!(pieces.len(), 3);
        pieces.swap(0, 2);
        let mut r = Reassembler::default();
        assert_eq!(r.push(0, &pieces[0]), Push::Held);
        assert_eq!(r.push(1, &pieces[0]), Push::Held); // a duplicate
        assert_eq!(r.push(2, &pieces[1]), Push::Held);
        assert_eq!(r.push(3, &pieces[2]), Push::Complete);
        assert_eq!(payload_of(&r), want);
        assert_eq!((r.held(), r.take_expired()), (0, 0));
    }

    #[test]
    fn interleaved_datagrams_are_kept_apart() {
        let (a, b) = (fragments(1, 2000, 1480), fragments(2, 2000, 1480));
        let mut r = Reassembler::default();
        assert_eq!(r.push(0, &a[0]), Push::Held);
        assert_eq!(r.push(0, &b[0]), Push::Held);
        assert_eq!(r.push(0, &b[1]), Push::Complete);
        assert_eq!(r.push(0, &a[1]), Push::Complete);
        assert_eq!(payload_of(&r).len(), 2000);
    }

    #[test]
    fn incomplete_datagrams_expire_and_are_counted() {
        let a = fragments(1, 3000, 1480);
        let mut r = Reassembler::default();
        r.push(0, &a[0]);
        r.push(10, &a[1]);
        assert_eq!(r.held(), 2);
        // The last piece comes too late: the two before it are dropped, it starts afresh.
        assert_eq!(r.push(TIMEOUT_NS + 1, &a[2]), Push::Held);
        assert_eq!((r.take_expired(), r.held()), (2, 1));
    }

    #[test]
    fn memory_stays_bounded_under_a_flood_of_first_pieces() {
        let mut r = Reassembler::default();
        for id in 0..1000u16 {
            r.push(u64::from(id), &fragments(id, 3000, 1480)[0]);
        }
        assert_eq!(r.held(), MAX_PENDING as u64);
        assert_eq!(r.take_expired(), 1000 - MAX_PENDING as u64);
    }

    #[test]
    fn contradictions_and_garbage_are_discarded() {
        let a = fragments(1, 3000, 1480);
        let mut r = Reassembler::default();
        r.push(0, &a[2]);
        // A second "last" piece ending elsewhere: the datagram cannot be rebuilt.
        let mut other_end = a[2].clone();
        other_end.truncate(other_end.len() - 8);
        let len = other_end.len() as u16;
        other_end[2..4].copy_from_slice(&len.to_be_bytes());
        assert_eq!(r.push(1, &other_end), Push::Discarded(1));
        assert_eq!(r.push(2, &[0x45, 0, 0]), Push::Discarded(0));
        assert_eq!(r.push(3, &[0x60; 40]), Push::Discarded(0));
        assert_eq!(r.held(), 0);
    }
}
