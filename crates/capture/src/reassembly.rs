//! IP fragment reassembly (IPv4, RFC 791 §3.2; IPv6's fragment header, RFC 8200 §4.5) in
//! bounded memory.
//!
//! Voice packets are far below any MTU, but wideband L16 and video datagrams can be larger
//! and arrive in pieces; without reassembly their streams would be missing. At most
//! [`MAX_PENDING`] datagrams are rebuilt at once, each at most 64 KiB; a datagram whose
//! pieces stop coming is dropped after [`TIMEOUT_NS`] of capture time, and the oldest is
//! dropped when a new one finds no room. Every fragment that ends up in no datagram is
//! counted. An IPv6 datagram is rebuilt without the extension headers that came before its
//! fragment header (hop-by-hop, routing, destination options): nothing here reads them.
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

use std::net::{IpAddr, SocketAddr};

use etherparse::{ip_number, IpNumber};
use rtpscope_wire::Flow;

use crate::decap::{decode_ip, fragment_packet};
use crate::{tunnel, DropCounters};

/// Datagrams rebuilt at once.
pub const MAX_PENDING: usize = 64;
/// Capture time after which an incomplete datagram is dropped (RFC 791 suggests 15 s for
/// the timer's lower bound on hosts; a probe watching voice has no use for pieces that old).
pub const TIMEOUT_NS: u64 = 2_000_000_000;
/// Pieces per datagram: 64 KiB in 1500-byte frames is 45.
const MAX_PIECES: usize = 64;
const MAX_DATAGRAM: usize = 65_535;
const IPV4_HEADER: usize = 20;
const IPV6_HEADER: usize = 40;

/// What became of one fragment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Push {
    /// Kept until its datagram is whole.
    Held,
    /// Its datagram is whole: [`Reassembler::datagram`] holds it.
    Complete,
    /// Dropped with this many fragments held before it (malformed, oversize, inconsistent,
    /// not a fragment): none of them will be part of a datagram.
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

/// A datagram's identity: source, destination, identification and, for IPv4, protocol (an
/// IPv4 address sits in the first four bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key {
    v6: bool,
    src: [u8; 16],
    dst: [u8; 16],
    id: u32,
    protocol: u8,
}

/// What the rebuilt datagram's header is made from, taken from the first fragment.
#[derive(Debug, Clone, Copy)]
enum Header {
    /// The first fragment's IPv4 header.
    V4([u8; IPV4_HEADER]),
    /// The protocol after the fragment header (addresses are in the key).
    V6 { next: u8 },
}

#[derive(Debug)]
struct Pending {
    key: Key,
    started_ns: u64,
    /// From the first fragment (offset 0), once seen.
    header: Option<Header>,
    data: Vec<u8>,
    /// Byte ranges received, `[start, end)`, kept in order (so the coverage check of every
    /// fragment is one pass, with no sorted copy).
    pieces: Vec<(usize, usize)>,
    /// The payload's length, known once the last fragment arrived.
    total: Option<usize>,
}

impl Reassembler {
    /// Takes one IP packet flagged as a fragment, captured at `now_ns`.
    pub fn push(&mut self, now_ns: u64, ip: &[u8]) -> Push {
        self.expire(now_ns);
        let Some(f) = Fragment::parse(ip).filter(|f| !f.cut) else {
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
        if let (Some(header), Some(total)) = (p.header, p.total) {
            // One header for the whole datagram: not a fragment, its full length.
            match header {
                Header::V4(mut h) => {
                    // Options dropped: nothing after reassembly reads them.
                    h[0] = 0x45;
                    h[2..4].copy_from_slice(&((IPV4_HEADER + total) as u16).to_be_bytes());
                    h[6..8].copy_from_slice(&[0, 0]);
                    self.done.extend_from_slice(&h);
                }
                Header::V6 { next } => {
                    let [l0, l1] = (total as u16).to_be_bytes();
                    self.done
                        .extend_from_slice(&[0x60, 0, 0, 0, l0, l1, next, 64]);
                    self.done.extend_from_slice(&p.key.src);
                    self.done.extend_from_slice(&p.key.dst);
                }
            }
            self.done
                .extend_from_slice(p.data.get(..total).unwrap_or_default());
        }
        Push::Complete
    }

    /// The bytes of the datagram last yielded by `take_frame`: a reassembled IP
    /// packet (header and whole payload), or, for a first fragment the capture cut short,
    /// only the captured part of its UDP payload.
    pub fn datagram(&self) -> &[u8] {
        &self.done
    }

    /// What a reader does with a frame flagged as a fragment: takes the IP packet in it and
    /// counts what became of it; when it completes a UDP datagram, the payload's place in
    /// [`Self::datagram`], the payload's length (longer than what is there when the capture
    /// cut it) and its flow (the reader counts the datagram as UDP).
    ///
    /// A first fragment the capture's snap length cut short holds the UDP and RTP headers,
    /// and no cut piece can be put together: its datagram is yielded from it alone, cut, as
    /// tshark reads it (at the first fragment's time). Other cut pieces are discarded.
    pub(crate) fn take_frame(
        &mut self,
        counters: &mut DropCounters,
        now_ns: u64,
        linktype: u32,
        frame: &[u8],
    ) -> Option<(usize, usize, usize, Flow)> {
        // Where the fragment was cut: maybe inside tunnels, which then carried the pieces.
        let (ip, tunnels) = fragment_packet(linktype, frame).unwrap_or_default();
        let cut_first = Fragment::parse(ip).and_then(|f| f.cut_first_datagram());
        if let Some((flow, captured, length)) = cut_first {
            self.done.clear();
            self.done.extend_from_slice(captured);
            counters.tunneled += u64::from(tunnels > 0);
            return Some((0, captured.len(), length, flow));
        }
        let push = self.push(now_ns, ip);
        counters.fragments_discarded += self.take_expired();
        match push {
            Push::Complete => match decode_ip(&self.done) {
                Ok(d) => {
                    counters.reassembled += 1;
                    counters.tunneled += u64::from(tunnels > 0 || d.tunnels > 0);
                    let at = d.payload.as_ptr() as usize - self.done.as_ptr() as usize;
                    return Some((at, d.payload.len(), d.payload.len(), d.flow));
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
        // What the rebuilt header's length field can say: IPv4's counts its header.
        let limit = if f.key.v6 {
            MAX_DATAGRAM
        } else {
            MAX_DATAGRAM - IPV4_HEADER
        };
        if end > limit || self.pieces.len() >= MAX_PIECES {
            return Err(());
        }
        if !f.more {
            // Two different ends, or a piece already held beyond this one.
            if self.total.is_some_and(|t| t != end) || self.pieces.iter().any(|&(_, e)| e > end) {
                return Err(());
            }
            self.total = Some(end);
        } else if f.payload.len() % 8 != 0 {
            return Err(());
        }
        // IPv6 forbids overlapping fragments (RFC 8200 §4.5, after RFC 5722's attacks); an
        // exact repeat is a duplicate, not an overlap.
        let overlaps =
            |&(s, e): &(usize, usize)| s < end && f.offset < e && (s, e) != (f.offset, end);
        if f.key.v6 && self.pieces.iter().any(overlaps) {
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
        let piece = (f.offset, end);
        let at = self.pieces.partition_point(|&p| p < piece);
        self.pieces.insert(at, piece);
        Ok(())
    }

    fn is_whole(&self) -> bool {
        let Some(total) = self.total else {
            return false;
        };
        if self.header.is_none() {
            return false;
        }
        let mut covered = 0;
        for &(start, end) in &self.pieces {
            if start > covered {
                return false;
            }
            covered = covered.max(end);
        }
        covered >= total
    }
}

/// The fields of an IP fragment reassembly needs.
struct Fragment<'a> {
    key: Key,
    header: Header,
    offset: usize,
    more: bool,
    /// What was captured of the fragment's payload: all of it unless `cut`.
    payload: &'a [u8],
    /// The capture's snap length cut the fragment short.
    cut: bool,
}

impl<'a> Fragment<'a> {
    /// Of a first fragment cut short, its datagram's flow, the captured part of the UDP
    /// payload, and the payload's length as the UDP header gives it.
    fn cut_first_datagram(&self) -> Option<(Flow, &'a [u8], usize)> {
        let protocol = match self.header {
            Header::V4(h) => h[9],
            Header::V6 { next } => next,
        };
        if !self.cut || self.offset != 0 || protocol != ip_number::UDP.0 {
            return None;
        }
        let udp: &[u8; 8] = self.payload.get(..8)?.try_into().ok()?;
        let len = usize::from(u16::from_be_bytes([udp[4], udp[5]]));
        let captured = self.payload.get(8..len.min(self.payload.len()))?;
        let ip = |a: [u8; 16]| match self.key.v6 {
            true => IpAddr::from(a),
            false => IpAddr::from([a[0], a[1], a[2], a[3]]),
        };
        let end = |a, port: [u8; 2]| SocketAddr::new(ip(a), u16::from_be_bytes(port));
        let (src, dst) = ([udp[0], udp[1]], [udp[2], udp[3]]);
        // A tunnel's datagram carries another packet, whose flow is not this one.
        let (src_port, dst_port) = (u16::from_be_bytes(src), u16::from_be_bytes(dst));
        if tunnel::in_udp(src_port, dst_port, captured, true).is_some() {
            return None;
        }
        let flow = Flow::new(end(self.key.src, src), end(self.key.dst, dst));
        Some((flow, captured, len - 8))
    }

    fn parse(ip: &'a [u8]) -> Option<Self> {
        match ip.first()? >> 4 {
            4 => Self::parse_v4(ip),
            6 => Self::parse_v6(ip),
            _ => None,
        }
    }

    /// An IPv6 packet with a fragment header, after at most a few extension headers.
    fn parse_v6(ip: &'a [u8]) -> Option<Self> {
        let fixed: &[u8; IPV6_HEADER] = ip.get(..IPV6_HEADER)?.try_into().ok()?;
        let end = IPV6_HEADER + usize::from(u16::from_be_bytes([fixed[4], fixed[5]]));
        let cut = ip.len() < end;
        let ip = ip.get(..end).unwrap_or(ip);
        let (mut next, mut at) = (fixed[6], IPV6_HEADER);
        for _ in 0..8 {
            match IpNumber(next) {
                ip_number::IPV6_FRAG => {
                    let f: &[u8; 8] = ip.get(at..at + 8)?.try_into().ok()?;
                    let field = u16::from_be_bytes([f[2], f[3]]);
                    let src: [u8; 16] = fixed[8..24].try_into().ok()?;
                    let dst: [u8; 16] = fixed[24..40].try_into().ok()?;
                    return Some(Fragment {
                        key: Key {
                            v6: true,
                            src,
                            dst,
                            id: u32::from_be_bytes([f[4], f[5], f[6], f[7]]),
                            protocol: 0,
                        },
                        header: Header::V6 { next: f[0] },
                        offset: usize::from(field >> 3) * 8,
                        more: field & 1 != 0,
                        payload: ip.get(at + 8..)?,
                        cut,
                    });
                }
                // The extension headers that may come before the fragment header.
                ip_number::IPV6_HOP_BY_HOP
                | ip_number::IPV6_ROUTE
                | ip_number::IPV6_DEST_OPTIONS => {
                    let ext = ip.get(at..at + 2)?;
                    next = ext[0];
                    at += (usize::from(ext[1]) + 1) * 8;
                }
                _ => return None,
            }
        }
        None
    }

    fn parse_v4(ip: &'a [u8]) -> Option<Self> {
        let header: [u8; IPV4_HEADER] = ip.get(..IPV4_HEADER)?.try_into().ok()?;
        let ihl = usize::from(header[0] & 0x0f) * 4;
        let total = usize::from(u16::from_be_bytes([header[2], header[3]]));
        let flags = u16::from_be_bytes([header[6], header[7]]);
        if flags & 0x3fff == 0 {
            // Offset 0 and no more fragments: a whole datagram, not a piece of one.
            return None;
        }
        let start = ihl.max(IPV4_HEADER);
        if total < start {
            return None;
        }
        let cut = ip.len() < total;
        let payload = ip.get(start..total.min(ip.len()))?;
        let addr = |at: usize| {
            let mut a = [0; 16];
            a[..4].copy_from_slice(&header[at..at + 4]);
            a
        };
        Some(Fragment {
            key: Key {
                v6: false,
                src: addr(12),
                dst: addr(16),
                id: u32::from(u16::from_be_bytes([header[4], header[5]])),
                protocol: header[9],
            },
            header: Header::V4(header),
            offset: usize::from(flags & 0x1fff) * 8,
            more: flags & 0x2000 != 0,
            payload,
            cut,
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

    /// The same datagram as IPv6 fragments from 2001:db8::1 to 2001:db8::2, each with a
    /// hop-by-hop header before its fragment header when `hop_by_hop`.
    fn fragments_v6(id: u32, len: usize, piece: usize, hop_by_hop: bool) -> Vec<Vec<u8>> {
        let mut udp = vec![0x13, 0x88, 0x13, 0x8a];
        udp.extend_from_slice(&((8 + len) as u16).to_be_bytes());
        udp.extend_from_slice(&[0, 0]);
        udp.extend((0..len).map(|i| i as u8));
        let (mut src, mut dst) = ([0u8; 16], [0u8; 16]);
        src[..2].copy_from_slice(&[0x20, 0x01]);
        dst[..2].copy_from_slice(&[0x20, 0x01]);
        (src[15], dst[15]) = (1, 2);
        udp.chunks(piece)
            .enumerate()
            .map(|(i, chunk)| {
                let more = (i + 1) * piece < udp.len();
                let field = ((i * piece / 8) as u16) << 3 | u16::from(more);
                let ext = if hop_by_hop { 8 } else { 0 };
                let first_next = if hop_by_hop {
                    ip_number::IPV6_HOP_BY_HOP
                } else {
                    ip_number::IPV6_FRAG
                };
                let mut ip = vec![0x60, 0, 0, 0];
                ip.extend_from_slice(&((ext + 8 + chunk.len()) as u16).to_be_bytes());
                ip.extend_from_slice(&[first_next.0, 64]);
                ip.extend_from_slice(&src);
                ip.extend_from_slice(&dst);
                if hop_by_hop {
                    ip.extend_from_slice(&[ip_number::IPV6_FRAG.0, 0, 1, 4, 0, 0, 0, 0]);
                    // PadN
                }
                ip.extend_from_slice(&[17, 0]);
                ip.extend_from_slice(&field.to_be_bytes());
                ip.extend_from_slice(&id.to_be_bytes());
                ip.extend_from_slice(chunk);
                ip
            })
            .collect()
    }

    #[test]
    fn a_first_fragment_cut_by_the_snap_length_is_its_datagram_cut() {
        use crate::decap::linktype;
        let want: Vec<u8> = (0..3000).map(|i| i as u8).collect();
        for v6 in [false, true] {
            let pieces = if v6 {
                fragments_v6(9, 3000, 1448, true)
            } else {
                fragments(9, 3000, 1480)
            };
            // 40 bytes of IPv4 or 56 of IPv6 with a hop-by-hop header and the fragment
            // header: the UDP header and 12 bytes of its payload.
            let header = if v6 { 56 } else { 20 };
            let mut counters = DropCounters::default();
            let mut r = Reassembler::default();
            let first = &pieces[0][..header + 20];
            let got = r.take_frame(&mut counters, 0, linktype::RAW, first);
            let Some((at, len, length, flow)) = got else {
                panic!("v6 {v6}: no datagram");
            };
            assert_eq!((len, length), (12, 3000), "v6 {v6}");
            assert_eq!(&r.datagram()[at..at + len], &want[..12]);
            let ends = if v6 {
                "[2001::1]:5000 -> [2001::2]:5002"
            } else {
                "192.0.2.1:5000 -> 192.0.2.2:5002"
            };
            assert_eq!(flow.to_string(), ends);
            // The other pieces, cut too, can make nothing: counted as discarded fragments.
            for piece in &pieces[1..] {
                let cut = &piece[..header + 20];
                assert!(r.take_frame(&mut counters, 1, linktype::RAW, cut).is_none());
            }
            assert_eq!((counters.fragments, counters.fragments_discarded), (2, 2));
            // To GTP-U's port, what is not GTP-U is yielded as before; a G-PDU carries a
            // user's packet, cut: not yielded as a flow of the tunnel's ends but discarded,
            // counted.
            let mut to_gtp_u = first.to_vec();
            to_gtp_u[header + 2..header + 4].copy_from_slice(&2152u16.to_be_bytes());
            let mut r = Reassembler::default();
            let got = r.take_frame(&mut counters, 0, linktype::RAW, &to_gtp_u);
            assert_eq!(
                got.map(|(_, len, length, _)| (len, length)),
                Some((12, 3000))
            );
            to_gtp_u[header + 8..header + 10].copy_from_slice(&[0x30, 0xff]);
            assert!(r
                .take_frame(&mut counters, 0, linktype::RAW, &to_gtp_u)
                .is_none());
            assert_eq!((counters.fragments, counters.fragments_discarded), (3, 3));
            // A later piece cut while the first came whole: the cut piece is discarded (the
            // first waits for pieces that cannot come, and expires).
            let mut r = Reassembler::default();
            assert_eq!(r.push(0, &pieces[0]), Push::Held);
            assert_eq!(r.push(1, &pieces[1][..header + 20]), Push::Discarded(0));
        }
    }

    #[test]
    fn ipv6_fragments_make_the_datagram() {
        let want: Vec<u8> = (0..3000).map(|i| i as u8).collect();
        for hop_by_hop in [false, true] {
            let pieces = fragments_v6(0x0a0b0c0d, 3000, 1448, hop_by_hop);
            assert_eq!(pieces.len(), 3);
            let mut r = Reassembler::default();
            assert_eq!(r.push(0, &pieces[2]), Push::Held);
            assert_eq!(r.push(1, &pieces[0]), Push::Held);
            assert_eq!(r.push(2, &pieces[1]), Push::Complete);
            let d = decode_ip(r.datagram()).expect("udp");
            assert_eq!(d.payload, &want[..]);
            assert_eq!(d.flow.to_string(), "[2001::1]:5000 -> [2001::2]:5002");
        }
        // An IPv4 and an IPv6 datagram with the same identification stay apart.
        let (v4, v6) = (fragments(7, 2000, 1480), fragments_v6(7, 2000, 1448, false));
        let mut r = Reassembler::default();
        assert_eq!(r.push(0, &v4[0]), Push::Held);
        assert_eq!(r.push(0, &v6[0]), Push::Held);
        assert_eq!(r.push(0, &v6[1]), Push::Complete);
        assert_eq!(r.push(0, &v4[1]), Push::Complete);
        // No fragment header after the extension headers: not a fragment.
        let mut not = fragments_v6(1, 2000, 1448, true).swap_remove(0);
        not[40] = 17;
        assert_eq!(r.push(0, &not), Push::Discarded(0));
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
        // A whole IPv4 datagram is not a piece of one.
        let mut whole = a[0].clone();
        whole[6..8].copy_from_slice(&[0, 0]);
        assert_eq!(r.push(4, &whole), Push::Discarded(0));
        // A piece held beyond where the last one says the datagram ends.
        r.push(5, &a[1]);
        assert_eq!(r.push(6, &other_end_of(&a[1])), Push::Discarded(1));
    }

    /// A last piece that ends before `piece` does (same start, 8 bytes shorter, no MF).
    fn other_end_of(piece: &[u8]) -> Vec<u8> {
        let mut p = piece[..piece.len() - 8].to_vec();
        let len = p.len() as u16;
        p[2..4].copy_from_slice(&len.to_be_bytes());
        p[6] &= !0x20;
        p
    }

    #[test]
    fn overlapping_ipv6_fragments_abandon_the_datagram() {
        let pieces = fragments_v6(9, 3000, 1448, false);
        let mut r = Reassembler::default();
        assert_eq!(r.push(0, &pieces[0]), Push::Held);
        assert_eq!(r.push(1, &pieces[0]), Push::Held); // an exact repeat is fine
                                                       // The second piece moved 8 bytes back: it overlaps the first.
        let mut overlap = pieces[1].clone();
        let field = u16::from_be_bytes([overlap[42], overlap[43]]) - (1 << 3);
        overlap[42..44].copy_from_slice(&field.to_be_bytes());
        assert_eq!(r.push(2, &overlap), Push::Discarded(2));
    }
}
