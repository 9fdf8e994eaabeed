//! Link-layer decapsulation: from one captured frame to the UDP datagram inside it, through
//! any tunnels on the way (IP in IP, GRE, ERSPAN, VXLAN, GTP-U).
//!
//! Header parsing is etherparse's: its lax IP slicing keeps going when a frame is cut short by
//! the snap length and reports fragmentation, IPv4 options and IPv6 extension headers. Only
//! the few link headers it does not know (Linux cooked v2, BSD NULL/LOOP) are read here.
//!
//! ```
//! use rtpscope_capture::decap::{decode_udp, linktype};
//! use rtpscope_capture::Skip;
//!
//! // IPv4 + UDP 5004 -> 5006 with a 2-byte payload, as LINKTYPE_RAW.
//! let ip = [0x45, 0, 0, 30, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
//!           0x13, 0x8c, 0x13, 0x8e, 0, 10, 0, 0, 0xab, 0xcd];
//! let d = decode_udp(linktype::RAW, &ip).unwrap();
//! assert_eq!(d.flow.dst_port(), 5006);
//! assert_eq!(d.payload, &[0xab, 0xcd]);
//! // Cut by the snap length: the UDP length field says 2 payload bytes, 1 is there. The
//! // datagram is yielded for its headers, marked as cut.
//! let cut = decode_udp(linktype::RAW, &ip[..29]).unwrap();
//! assert_eq!((cut.payload, cut.length, cut.is_cut()), (&[0xab][..], 2, true));
//! // Cut inside the UDP header: nothing to yield.
//! assert_eq!(decode_udp(linktype::RAW, &ip[..25]).unwrap_err(), Skip::Truncated);
//! ```

use std::net::SocketAddr;

use etherparse::{
    ip_number, EtherType, Ethernet2Slice, LaxIpSlice, SingleVlanSlice, TcpHeaderSlice,
    UdpHeaderSlice,
};
use rtpscope_wire::Flow;

use crate::tunnel::{self, Inner};
use crate::Skip;

/// LINKTYPE_ values (tcpdump.org/linktypes.html) decoded here.
pub mod linktype {
    /// BSD loopback: 4-byte address family in the capturing host's byte order.
    pub const NULL: u32 = 0;
    /// Ethernet II, with optional 802.1Q / 802.1ad (QinQ) tags.
    pub const ETHERNET: u32 = 1;
    /// DLT_RAW as most BSDs number it.
    pub const DLT_RAW_12: u32 = 12;
    /// DLT_RAW as OpenBSD numbers it.
    pub const DLT_RAW_14: u32 = 14;
    /// Raw IPv4 or IPv6, by the version nibble.
    pub const RAW: u32 = 101;
    /// OpenBSD loopback: 4-byte address family in network byte order.
    pub const LOOP: u32 = 108;
    /// Linux cooked capture v1 (16-byte header).
    pub const LINUX_SLL: u32 = 113;
    /// Raw IPv4.
    pub const IPV4: u32 = 228;
    /// Raw IPv6.
    pub const IPV6: u32 = 229;
    /// Linux cooked capture v2 (20-byte header).
    pub const LINUX_SLL2: u32 = 276;
    /// PPP (RFC 1661), with or without the HDLC address/control bytes.
    pub const PPP: u32 = 9;
    /// PPP in HDLC-like framing (RFC 1662).
    pub const PPP_HDLC: u32 = 50;
    /// Cisco HDLC: address, control, then an EtherType (router captures on serial links).
    pub const C_HDLC: u32 = 104;
    /// Linux netfilter log (`tcpdump -i nflog:GROUP`): type-length-value records, one of
    /// them the IP packet.
    pub const NFLOG: u32 = 239;
}

/// One UDP datagram found in a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UdpDatagram<'a> {
    /// Source and destination address and port.
    pub flow: Flow,
    /// The UDP payload as captured: as long as the UDP length field says, unless the capture's
    /// snap length cut the frame short ([`Self::is_cut`]).
    pub payload: &'a [u8],
    /// The UDP payload's length as its header gives it.
    pub length: usize,
    /// Tunnels opened to reach it (0: none); `flow` is the innermost one's.
    pub tunnels: u8,
}

impl UdpDatagram<'_> {
    /// The capture kept only the start of the payload (a short snap length): its headers can
    /// be read, its payload only in part.
    pub fn is_cut(&self) -> bool {
        self.payload.len() < self.length
    }
}

/// Decodes the UDP datagram in `frame`, captured with link type `linktype`.
///
/// Never panics; every frame that is not a whole, unfragmented UDP datagram gets a [`Skip`]
/// reason (readers put fragments together with [`crate::reassembly::Reassembler`], inside
/// tunnels too: [`fragment_packet`]).
pub fn decode_udp(linktype: u32, frame: &[u8]) -> Result<UdpDatagram<'_>, Skip> {
    // A plain frame (IPv4 straight on the link, the bulk of every capture) the short way;
    // everything else (and anything that way doubts) takes the general route below.
    if let Some(d) = plain_udp(linktype, frame) {
        return Ok(d);
    }
    decode_udp_general(linktype, frame)
}

/// [`decode_udp`] without the short way for plain frames, which must agree with it.
pub(crate) fn decode_udp_general(linktype: u32, frame: &[u8]) -> Result<UdpDatagram<'_>, Skip> {
    decode_ip(ip_packet(linktype, frame)?)
}

/// A link type that carries IPv4 with nothing in between, as the short way reads it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum PlainLink {
    /// Untagged Ethernet: EtherType 0x0800 at 12, the packet at 14.
    Ethernet,
    /// Linux cooked capture v1: protocol 0x0800 at 14, the packet at 16.
    Sll,
    /// Linux cooked capture v2: protocol 0x0800 at 0, the packet at 20.
    Sll2,
    /// Raw IP: the packet at 0.
    RawIp,
}

/// The most bytes [`PlainLink::header`] reads: a cooked v2 header, IPv4 and UDP.
const PLAIN_HEADERS_MAX: usize = 48;

impl PlainLink {
    /// The link types read the short way.
    #[inline(always)]
    pub(crate) fn of(linktype: u32) -> Option<Self> {
        Some(match linktype {
            linktype::ETHERNET => PlainLink::Ethernet,
            linktype::LINUX_SLL => PlainLink::Sll,
            linktype::LINUX_SLL2 => PlainLink::Sll2,
            linktype::RAW | linktype::DLT_RAW_12 | linktype::DLT_RAW_14 | linktype::IPV4 => {
                PlainLink::RawIp
            }
            _ => return None,
        })
    }

    /// Where a plain frame's UDP payload starts.
    #[inline(always)]
    pub(crate) fn payload_at(self) -> usize {
        28 + match self {
            PlainLink::Ethernet => 14,
            PlainLink::Sll => 16,
            PlainLink::Sll2 => 20,
            PlainLink::RawIp => 0,
        }
    }

    /// The flow and UDP payload length of a plain frame (IPv4 without options or fragments,
    /// UDP on no tunnel's port, all of it captured) of `len` captured bytes, read from
    /// `frame`, which starts with it and may run on past it; `None` for any other frame, and
    /// when `frame` holds fewer than 48 bytes.
    #[inline(always)]
    pub(crate) fn header(self, frame: &[u8], len: usize) -> Option<(Flow, usize)> {
        let h: &[u8; PLAIN_HEADERS_MAX] = frame.first_chunk()?;
        // Constant offsets, so no bounds are checked at run time.
        match self {
            PlainLink::Ethernet => tagged_ipv4::<14, 12>(h, len),
            PlainLink::Sll => tagged_ipv4::<16, 14>(h, len),
            PlainLink::Sll2 => tagged_ipv4::<20, 0>(h, len),
            PlainLink::RawIp => ipv4_udp_header(h.first_chunk()?, len),
        }
    }
}

/// [`ipv4_udp_header`] for the packet at `IP_AT` of `h`, if the link header says IPv4 at
/// `TAG_AT`. `len`, the captured length, may be shorter than what `h` holds: the IPv4
/// lengths must fit in it.
#[inline(always)]
fn tagged_ipv4<const IP_AT: usize, const TAG_AT: usize>(
    h: &[u8; PLAIN_HEADERS_MAX],
    len: usize,
) -> Option<(Flow, usize)> {
    if h.get(TAG_AT..TAG_AT + 2)? != [0x08, 0x00] {
        return None;
    }
    let ip = h.get(IP_AT..IP_AT + 28)?.first_chunk()?;
    ipv4_udp_header(ip, len.saturating_sub(IP_AT))
}

/// The datagram of a plain frame ([`PlainLink::header`]), or `None` for any other frame. What
/// it finds is what [`decode_udp`] answers, which tries it first.
#[inline(always)]
pub(crate) fn plain_udp(linktype: u32, frame: &[u8]) -> Option<UdpDatagram<'_>> {
    let link = PlainLink::of(linktype)?;
    datagram_at(frame, link.payload_at(), link.header(frame, frame.len())?)
}

/// The datagram of `flow` whose whole payload of `length` bytes starts at `at` of `frame`.
#[inline(always)]
fn datagram_at(frame: &[u8], at: usize, (flow, length): (Flow, usize)) -> Option<UdpDatagram<'_>> {
    Some(UdpDatagram {
        flow,
        payload: frame.get(at..at + length)?,
        length,
        tunnels: 0,
    })
}

/// The IP packet that made [`decode_udp`] answer [`Skip::Fragment`] for `frame`: the
/// frame's own, or one inside tunnels (how many is the second value), so that a reader can
/// put the fragments together where they were cut. `None` when no packet on the way is a
/// fragment.
pub fn fragment_packet(linktype: u32, frame: &[u8]) -> Option<(&[u8], u8)> {
    let mut ip = ip_packet(linktype, frame).ok()?;
    for tunnels in 0..=tunnel::MAX_DEPTH {
        let (slice, _) = LaxIpSlice::from_slice(ip).ok()?;
        let payload = slice.payload();
        if payload.fragmented {
            return Some((ip, tunnels));
        }
        let inner = match tunnel::in_ip(payload.ip_number.0, payload.payload) {
            Some(inner) => inner.ok()?,
            None if payload.ip_number == ip_number::UDP => {
                let udp = UdpHeaderSlice::from_slice(payload.payload).ok()?;
                let (body, cut) = match payload.payload.get(8..usize::from(udp.length())) {
                    Some(body) => (body, false),
                    None if payload.incomplete => (payload.payload.get(8..)?, true),
                    None => return None,
                };
                tunnel::in_udp(udp.source_port(), udp.destination_port(), body, cut)?.ok()?
            }
            None => return None,
        };
        ip = inner_ip(inner).ok()?;
    }
    None
}

/// The IP packet a tunnel carries, out of its Ethernet frame if it carries one.
fn inner_ip(inner: Inner<'_>) -> Result<&[u8], Skip> {
    match inner {
        Inner::Ip(ip) => Ok(ip),
        Inner::Ethernet(frame) => ip_packet(linktype::ETHERNET, frame),
    }
}

/// The IP packet in `frame`, captured with link type `linktype`.
pub fn ip_packet(linktype: u32, frame: &[u8]) -> Result<&[u8], Skip> {
    let ip = match linktype {
        linktype::ETHERNET => {
            let eth = Ethernet2Slice::from_slice_without_fcs(frame).map_err(|_| Skip::Truncated)?;
            after_ether_type(eth.ether_type(), eth.payload_slice())?
        }
        linktype::LINUX_SLL => {
            // 16-byte header; the protocol (an EtherType for IP) is its last two bytes.
            let proto = be16(frame, 14).ok_or(Skip::Truncated)?;
            after_ether_type(EtherType(proto), frame.get(16..).ok_or(Skip::Truncated)?)?
        }
        linktype::LINUX_SLL2 => {
            // 20-byte header starting with the protocol.
            let proto = be16(frame, 0).ok_or(Skip::Truncated)?;
            after_ether_type(EtherType(proto), frame.get(20..).ok_or(Skip::Truncated)?)?
        }
        linktype::NULL | linktype::LOOP => {
            let family = frame.get(..4).ok_or(Skip::Truncated)?;
            let family = [family[0], family[1], family[2], family[3]];
            // NULL is in the writer's byte order, which the file does not record: accept both.
            let af = match (u32::from_le_bytes(family), u32::from_be_bytes(family)) {
                (2, _) | (_, 2) => 4,
                (24 | 28 | 30, _) | (_, 24 | 28 | 30) => 6,
                _ => return Err(Skip::NotIp),
            };
            let rest = &frame[4..];
            check_version(rest, af)?;
            rest
        }
        linktype::PPP | linktype::PPP_HDLC => after_ppp(frame)?,
        linktype::C_HDLC => {
            let proto = be16(frame, 2).ok_or(Skip::Truncated)?;
            after_ether_type(EtherType(proto), frame.get(4..).ok_or(Skip::Truncated)?)?
        }
        linktype::NFLOG => nflog_payload(frame)?,
        linktype::RAW | linktype::DLT_RAW_12 | linktype::DLT_RAW_14 => frame,
        linktype::IPV4 => {
            check_version(frame, 4)?;
            frame
        }
        linktype::IPV6 => {
            check_version(frame, 6)?;
            frame
        }
        _ => return Err(Skip::UnsupportedLinktype),
    };
    Ok(ip)
}

/// The IP packet of an NFLOG record: after a 4-byte header (address family, version 0,
/// resource id), TLVs of a length (header included, padded to 4 bytes) and a type, in the
/// capturing host's byte order (the file's own byte order, which a frame alone does not
/// show). The first TLV (the packet header, 8 bytes, never the payload) tells which: read
/// the wrong way round its length is 256 times larger, or does not fit the record.
/// Type 9 (`NFULA_PAYLOAD`), the last, holds the packet; the snap length may cut it.
fn nflog_payload(frame: &[u8]) -> Result<&[u8], Skip> {
    const NFULA_PAYLOAD: u16 = 9;
    let Some((&[family, version, ..], mut rest)) = frame.split_at_checked(4) else {
        return Err(Skip::Truncated);
    };
    let af = match family {
        2 => 4,
        10 => 6,
        _ => return Err(Skip::NotIp),
    };
    if version != 0 {
        return Err(Skip::Malformed);
    }
    let Some(&[l0, l1, ..]) = rest.get(..4) else {
        return Err(Skip::Truncated);
    };
    let fits = |len: u16| (4..=rest.len()).contains(&usize::from(len));
    let (le, be) = (u16::from_le_bytes([l0, l1]), u16::from_be_bytes([l0, l1]));
    let little = fits(le) && (!fits(be) || le <= be);
    let word = |b: [u8; 2]| {
        if little {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        }
    };
    // A bound keeps crafted input finite: real records have a dozen attributes at most.
    for _ in 0..64 {
        let Some(&[l0, l1, t0, t1]) = rest.get(..4) else {
            return Err(Skip::Truncated);
        };
        let len = usize::from(word([l0, l1]));
        if len < 4 {
            return Err(Skip::Malformed);
        }
        if word([t0, t1]) & 0x7fff == NFULA_PAYLOAD {
            let value = rest.get(4..len.min(rest.len())).ok_or(Skip::Truncated)?;
            check_version(value, af)?;
            return Ok(value);
        }
        rest = rest.get(len.next_multiple_of(4)..).ok_or(Skip::Truncated)?;
    }
    Err(Skip::Malformed)
}

/// A whole SIP message in one TCP segment of `frame`: its flow and bytes. SIP over TCP
/// (RFC 3261 §18.3) is framed by Content-Length; a message that fits one segment (most do:
/// an INVITE with its SDP is about a kilobyte) is read as a UDP one is, so its SDP names the
/// call's codecs and rates. The readers also put messages split across segments together
/// (module `tcp_sip`); only the outermost IP packet is read (SIP over TCP inside a tunnel
/// is not).
pub fn tcp_sip_message(linktype: u32, frame: &[u8]) -> Option<(Flow, &[u8])> {
    let segment = tcp_segment(linktype, frame)?;
    crate::sip::is_whole_message(segment.data).then_some((segment.flow, segment.data))
}

/// One TCP segment's connection, sequence number and data.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TcpSegment<'a> {
    pub(crate) flow: Flow,
    pub(crate) seq: u32,
    pub(crate) data: &'a [u8],
}

/// The TCP segment in `frame` (outermost IP packet, unfragmented, whole), if any.
pub(crate) fn tcp_segment(linktype: u32, frame: &[u8]) -> Option<TcpSegment<'_>> {
    let (slice, _) = LaxIpSlice::from_slice(ip_packet(linktype, frame).ok()?).ok()?;
    let payload = slice.payload();
    if payload.ip_number != ip_number::TCP || payload.fragmented || payload.incomplete {
        return None;
    }
    let tcp = TcpHeaderSlice::from_slice(payload.payload).ok()?;
    let data = payload.payload.get(usize::from(tcp.data_offset()) * 4..)?;
    let src = SocketAddr::new(slice.source_addr(), tcp.source_port());
    let dst = SocketAddr::new(slice.destination_addr(), tcp.destination_port());
    Some(TcpSegment {
        flow: Flow::new(src, dst),
        seq: tcp.sequence_number(),
        data,
    })
}

/// MPLS unicast and multicast EtherTypes (RFC 3032): carriers' mirror ports carry them.
const MPLS: [u16; 2] = [0x8847, 0x8848];

/// PPPoE session stage (RFC 2516): DSL access links, often behind VLAN 7 or 35, carry PPP
/// frames in it; a capture on such a router's WAN port sees every call this way.
const PPPOE_SESSION: u16 = 0x8864;

/// Skips VLAN tags (802.1Q, 802.1ad, the old 0x9100), MPLS label stacks and PPPoE session
/// headers and returns the IP packet.
fn after_ether_type(mut ether_type: EtherType, mut rest: &[u8]) -> Result<&[u8], Skip> {
    for _ in 0..4 {
        match ether_type {
            EtherType::IPV4 | EtherType::IPV6 => return Ok(rest),
            t if MPLS.contains(&t.0) => return after_mpls(rest),
            EtherType(PPPOE_SESSION) => return after_pppoe(rest),
            EtherType::VLAN_TAGGED_FRAME
            | EtherType::PROVIDER_BRIDGING
            | EtherType::VLAN_DOUBLE_TAGGED_FRAME => {
                let vlan = SingleVlanSlice::from_slice(rest).map_err(|_| Skip::Truncated)?;
                ether_type = vlan.ether_type();
                rest = vlan.payload_slice();
            }
            _ => return Err(Skip::NotIp),
        }
    }
    Err(Skip::Malformed)
}

/// Pops MPLS labels up to the bottom of the stack; the payload's version nibble says IPv4 or
/// IPv6 (RFC 4928 keeps other payloads from starting with 4 or 6 on purpose).
fn after_mpls(mut rest: &[u8]) -> Result<&[u8], Skip> {
    // A label stack deeper than 8 is not seen in practice; stop rather than walk garbage.
    for _ in 0..8 {
        let label = rest.get(..4).ok_or(Skip::Truncated)?;
        let bottom = label[2] & 0x01 != 0;
        rest = &rest[4..];
        if bottom {
            return match rest.first().map(|b| b >> 4) {
                Some(4 | 6) => Ok(rest),
                Some(_) => Err(Skip::NotIp),
                None => Err(Skip::Truncated),
            };
        }
    }
    Err(Skip::Malformed)
}

/// A PPPoE session header (version and type 1, code 0, session id, length) and the PPP frame
/// after it. The length field is not trusted: the IP header's own length drops any Ethernet
/// padding, as for plain Ethernet, and a wrong PPPoE length (tshark decodes such frames with
/// a warning) costs no packets.
fn after_pppoe(rest: &[u8]) -> Result<&[u8], Skip> {
    match rest.get(..6) {
        None => Err(Skip::Truncated),
        Some(h) if h[0] != 0x11 || h[1] != 0x00 => Err(Skip::NotIp),
        Some(_) => after_ppp(&rest[6..]),
    }
}

/// PPP: an optional `FF 03` address/control pair, then a 1- or 2-byte protocol number
/// (RFC 1661 §2 allows compressing it to one byte when it is odd).
fn after_ppp(frame: &[u8]) -> Result<&[u8], Skip> {
    let rest = frame.strip_prefix(&[0xff, 0x03]).unwrap_or(frame);
    let (protocol, ip) = match rest.first() {
        None => return Err(Skip::Truncated),
        Some(b) if b & 1 == 1 => (u16::from(*b), &rest[1..]),
        Some(_) => (
            be16(rest, 0).ok_or(Skip::Truncated)?,
            rest.get(2..).ok_or(Skip::Truncated)?,
        ),
    };
    match protocol {
        0x0021 => check_version(ip, 4).map(|()| ip),
        0x0057 => check_version(ip, 6).map(|()| ip),
        _ => Err(Skip::NotIp),
    }
}

fn check_version(ip: &[u8], version: u8) -> Result<(), Skip> {
    match ip.first() {
        None => Err(Skip::Truncated),
        Some(b) if b >> 4 == version => Ok(()),
        Some(_) => Err(Skip::NotIp),
    }
}

/// Decodes an IPv4 or IPv6 packet down to its UDP payload.
#[inline]
pub fn decode_ip(ip: &[u8]) -> Result<UdpDatagram<'_>, Skip> {
    // The bulk of every capture inline; the rest (tunnels too) the long way.
    if let Some(d) = ipv4_udp_fast(ip) {
        return Ok(d);
    }
    decode_ip_within(ip, 0)
}

/// [`decode_ip`] inside `depth` tunnels.
#[inline(never)]
fn decode_ip_within(ip: &[u8], depth: u8) -> Result<UdpDatagram<'_>, Skip> {
    let d = match ipv4_udp_fast(ip) {
        Some(d) => d,
        None => decode_ip_general(ip, depth)?,
    };
    match tunnel::in_udp(d.flow.src_port(), d.flow.dst_port(), d.payload, d.is_cut()) {
        None => Ok(d),
        Some(inner) => open(inner?, depth),
    }
}

/// The datagram inside a tunnel found at `depth`.
fn open(inner: Inner<'_>, depth: u8) -> Result<UdpDatagram<'_>, Skip> {
    if depth >= tunnel::MAX_DEPTH {
        return Err(Skip::Malformed);
    }
    let d = decode_ip_within(inner_ip(inner)?, depth + 1)?;
    Ok(UdpDatagram {
        tunnels: d.tunnels.saturating_add(1),
        ..d
    })
}

/// The common case read directly: IPv4 without options, not fragmented, UDP not on a
/// tunnel's port, every length consistent. Anything else (and anything doubtful) goes to the
/// general decoder, which gives the same answer for these packets (tested), only slower.
#[inline]
fn ipv4_udp_fast(ip: &[u8]) -> Option<UdpDatagram<'_>> {
    datagram_at(ip, 28, ipv4_udp_header(ip.first_chunk()?, ip.len())?)
}

/// [`ipv4_udp_fast`] on the IPv4 and UDP headers `h` of a packet of `ip_len` bytes: its flow
/// and the UDP payload's length, which the packet holds whole.
#[inline(always)]
pub(crate) fn ipv4_udp_header(h: &[u8; 28], ip_len: usize) -> Option<(Flow, usize)> {
    let total = usize::from(u16::from_be_bytes([h[2], h[3]]));
    let more_fragments_or_offset = u16::from_be_bytes([h[6], h[7]]) & 0x3fff;
    if h[0] != 0x45 || h[9] != ip_number::UDP.0 || more_fragments_or_offset != 0 || total > ip_len {
        return None;
    }
    let udp_len = usize::from(u16::from_be_bytes([h[24], h[25]]));
    if udp_len < 8 || 20 + udp_len > total {
        return None;
    }
    let word = |at: usize| u32::from_be_bytes([h[at], h[at + 1], h[at + 2], h[at + 3]]);
    let ports = word(20);
    let (src, dst) = ((ports >> 16) as u16, ports as u16);
    if tunnel::on_tunnel_port(src, dst) {
        return None;
    }
    Some((Flow::from_v4(word(12), src, word(16), dst), udp_len - 8))
}

/// Every IP packet, through etherparse's lax slicing; IP in IP and GRE are opened.
fn decode_ip_general(ip: &[u8], depth: u8) -> Result<UdpDatagram<'_>, Skip> {
    let (slice, ext_err) = LaxIpSlice::from_slice(ip).map_err(|e| match e {
        etherparse::err::ip::LaxHeaderSliceError::Len(_) => Skip::Truncated,
        etherparse::err::ip::LaxHeaderSliceError::Content(
            etherparse::err::ip::HeaderError::UnsupportedIpVersion { .. },
        ) => Skip::NotIp,
        etherparse::err::ip::LaxHeaderSliceError::Content(_) => Skip::Malformed,
    })?;
    let payload = slice.payload();
    if payload.fragmented {
        return Err(Skip::Fragment);
    }
    if let Some(inner) = tunnel::in_ip(payload.ip_number.0, payload.payload) {
        return open(inner?, depth);
    }
    if payload.ip_number != ip_number::UDP {
        // An extension header that could not be read leaves the "next header" unknown.
        return Err(match ext_err {
            Some((etherparse::err::ipv6_exts::HeaderSliceError::Len(_), _)) => Skip::Truncated,
            Some(_) => Skip::Malformed,
            None => Skip::NotUdp,
        });
    }
    let udp = UdpHeaderSlice::from_slice(payload.payload).map_err(|_| Skip::Truncated)?;
    let len = usize::from(udp.length());
    if len < 8 {
        // Zero is legal only in IPv6 jumbograms, which never carry RTP.
        return Err(Skip::Malformed);
    }
    let body = match payload.payload.get(8..len) {
        Some(body) => body,
        // The IP header announces more than the capture kept (its snap length): the datagram
        // is yielded cut, for its headers. A UDP length beyond a whole IP payload is not.
        None if payload.incomplete => payload.payload.get(8..).unwrap_or_default(),
        None => return Err(Skip::Truncated),
    };
    let src = SocketAddr::new(slice.source_addr(), udp.source_port());
    let dst = SocketAddr::new(slice.destination_addr(), udp.destination_port());
    Ok(UdpDatagram {
        flow: Flow::new(src, dst),
        payload: body,
        length: len - 8,
        tunnels: 0,
    })
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at + 2)?;
    Some(u16::from_be_bytes([s[0], s[1]]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_short_way_for_plain_frames_agrees_with_the_general_decoding() {
        let flow = Flow::new(
            "10.1.2.3:4000".parse().unwrap(),
            "10.3.2.1:5004".parse().unwrap(),
        );
        for link in [
            linktype::ETHERNET,
            linktype::LINUX_SLL,
            linktype::LINUX_SLL2,
            linktype::RAW,
            linktype::DLT_RAW_12,
            linktype::IPV4,
        ] {
            let mut frame = Vec::new();
            let payload = b"\x80\0\0\x01rtp header and payload";
            crate::encapsulate_udp(link, &[], flow, payload, &mut frame).unwrap();
            let plain = plain_udp(link, &frame).expect("a plain frame");
            assert_eq!((plain.flow, plain.payload), (flow, &payload[..]));
            // Every byte of the headers changed, every length cut: wherever the short way
            // answers, it answers as the general decoding does.
            let mut answered = 0;
            for at in 0..frame.len().min(56) {
                for value in [
                    0x00, 0x01, 0x06, 0x08, 0x11, 0x40, 0x45, 0x46, 0x86, 0xdd, 0xff,
                ] {
                    let mut f = frame.clone();
                    f[at] = value;
                    for len in [f.len(), f.len() - 1, 41, 28] {
                        let f = &f[..len.min(f.len())];
                        if let Some(short) = plain_udp(link, f) {
                            answered += 1;
                            assert_eq!(
                                Ok(short),
                                decode_udp_general(link, f),
                                "link {link}, byte {at} = {value}, {len} bytes"
                            );
                        }
                    }
                }
            }
            assert!(answered > 100, "link {link}: {answered}");
        }
    }

    fn ipv4_udp(payload_len: usize) -> Vec<u8> {
        let total = 28 + payload_len;
        let mut p = vec![
            0x45,
            0,
            (total >> 8) as u8,
            total as u8,
            0,
            1,
            0,
            0,
            64,
            17,
            0,
            0,
            192,
            0,
            2,
            1,
            192,
            0,
            2,
            2,
        ];
        let udp = 8 + payload_len;
        p.extend_from_slice(&[0x13, 0x8c, 0x13, 0x8e, (udp >> 8) as u8, udp as u8, 0, 0]);
        p.extend((0..payload_len).map(|i| i as u8));
        p
    }

    /// `payload` in an IPv4 header of protocol `proto`, 198.51.100.1 -> 198.51.100.2.
    fn ipv4(proto: u8, payload: &[u8]) -> Vec<u8> {
        let total = 20 + payload.len();
        let mut p = vec![
            0x45,
            0,
            (total >> 8) as u8,
            total as u8,
            0,
            1,
            0,
            0,
            64,
            proto,
            0,
            0,
        ];
        p.extend_from_slice(&[198, 51, 100, 1, 198, 51, 100, 2]);
        p.extend_from_slice(payload);
        p
    }

    /// `payload` in UDP between the ports, in IPv4.
    fn udp_in_ipv4(src: u16, dst: u16, payload: &[u8]) -> Vec<u8> {
        let len = 8 + payload.len();
        let mut u = vec![(src >> 8) as u8, src as u8, (dst >> 8) as u8, dst as u8];
        u.extend_from_slice(&[(len >> 8) as u8, len as u8, 0, 0]);
        u.extend_from_slice(payload);
        ipv4(17, &u)
    }

    fn ethernet(ip: &[u8]) -> Vec<u8> {
        let mut f = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1];
        f.extend_from_slice(&[0x08, 0x00]);
        f.extend_from_slice(ip);
        f
    }

    #[test]
    fn tunnels_are_opened_to_the_inner_datagram() {
        let inner = ipv4_udp(12);
        let want = decode_ip(&inner).unwrap();
        let check = |frame: &[u8], tunnels: u8| {
            let d = decode_udp(linktype::ETHERNET, frame).unwrap();
            assert_eq!(
                (d.flow, d.payload, d.tunnels),
                (want.flow, want.payload, tunnels)
            );
        };
        // IP in IP.
        check(&ethernet(&ipv4(4, &inner)), 1);
        // GRE carrying IPv4, and GRE carrying an Ethernet frame carrying IPv4.
        check(
            &ethernet(&ipv4(47, &[&[0, 0, 0x08, 0][..], &inner].concat())),
            1,
        );
        let bridged = [&[0, 0, 0x65, 0x58][..], &ethernet(&inner)].concat();
        check(&ethernet(&ipv4(47, &bridged)), 1);
        // VXLAN: the outer UDP datagram is only the way in.
        let vxlan = [&[0x08, 0, 0, 0, 0, 0, 7, 0][..], &ethernet(&inner)].concat();
        check(&ethernet(&udp_in_ipv4(49152, 4789, &vxlan)), 1);
        // GTP-U, in VXLAN: two tunnels.
        let gtp = [&[0x30, 0xff, 0, inner.len() as u8, 0, 0, 0, 9][..], &inner].concat();
        let gtp_in_vxlan = [
            &[0x08, 0, 0, 0, 0, 0, 7, 0][..],
            &ethernet(&udp_in_ipv4(2152, 2152, &gtp)),
        ]
        .concat();
        check(&ethernet(&udp_in_ipv4(49152, 4789, &gtp_in_vxlan)), 2);
        // A plain datagram on neither port is not a tunnel.
        assert_eq!(decode_udp(linktype::RAW, &inner).unwrap().tunnels, 0);
    }

    #[test]
    fn tunnels_nest_only_so_deep() {
        let mut p = ipv4_udp(4);
        for depth in 1..=u32::from(tunnel::MAX_DEPTH) + 1 {
            p = ipv4(4, &p);
            let got = decode_ip(&p);
            if depth <= u32::from(tunnel::MAX_DEPTH) {
                assert_eq!(got.map(|d| d.tunnels), Ok(depth as u8));
            } else {
                assert_eq!(got, Err(Skip::Malformed));
            }
        }
        // What a tunnel holds is classified like any packet.
        assert_eq!(decode_ip(&ipv4(4, &ipv4(6, &[0; 20]))), Err(Skip::NotUdp));
        assert_eq!(
            decode_ip(&ipv4(47, &[0, 0, 0x08, 0x06, 1, 2])),
            Err(Skip::NotIp)
        );
        assert_eq!(decode_ip(&ipv4(4, &[0x45, 0])), Err(Skip::Truncated));
    }

    proptest! {
        /// The fast path agrees with the general decoder on well-formed packets with any
        /// single byte of the headers changed, and with any length cut or padding added.
        #[test]
        fn fast_path_agrees_with_the_general_decoder(
            len in 0usize..300, at in 0usize..28, byte in any::<u8>(), cut in 0usize..340, pad in 0usize..4,
        ) {
            let mut p = ipv4_udp(len);
            p[at] = byte;
            p.extend(std::iter::repeat_n(0u8, pad));
            p.truncate(cut.max(1));
            if let Some(fast) = ipv4_udp_fast(&p) {
                prop_assert_eq!(Ok(fast), decode_ip_general(&p, 0));
            }
        }
    }

    #[test]
    fn mpls_and_ppp_carry_ip() {
        let ip = ipv4_udp(12);
        // Ethernet, MPLS unicast, two labels (the second at the bottom of the stack).
        let mut eth = vec![0u8; 12];
        eth.extend_from_slice(&[0x88, 0x47, 0x00, 0x01, 0x40, 0x40, 0x00, 0x02, 0x51, 0x40]);
        eth.extend_from_slice(&ip);
        assert_eq!(
            decode_udp(linktype::ETHERNET, &eth).map(|d| d.payload.len()),
            Ok(12)
        );
        // A label stack that never ends is malformed, not misread.
        let mut endless = vec![0u8; 12];
        endless.extend_from_slice(&[0x88, 0x47]);
        endless.extend(std::iter::repeat_n([0x00, 0x01, 0x40, 0x40], 9).flatten());
        assert_eq!(
            decode_udp(linktype::ETHERNET, &endless),
            Err(Skip::Malformed)
        );
        // PPP with and without address/control, and with a compressed protocol field.
        for head in [&[0xff, 0x03, 0x00, 0x21][..], &[0x00, 0x21], &[0x21]] {
            let mut ppp = head.to_vec();
            ppp.extend_from_slice(&ip);
            assert_eq!(
                decode_udp(linktype::PPP, &ppp).map(|d| d.payload.len()),
                Ok(12),
                "{head:?}"
            );
        }
        assert_eq!(
            decode_udp(linktype::PPP, &[0xc0, 0x21, 1, 2]),
            Err(Skip::NotIp)
        ); // LCP
    }

    /// An NFLOG record of `ip` (IPv4), its attributes in either byte order: the packet header,
    /// a prefix whose length needs padding, then the payload.
    fn nflog(ip: &[u8], little: bool) -> Vec<u8> {
        let word = |v: u16| {
            if little {
                v.to_le_bytes()
            } else {
                v.to_be_bytes()
            }
        };
        let mut f = vec![2, 0, 0, 5];
        for (kind, value) in [(1u16, &[0x08, 0x00, 1, 0][..]), (10, b"rtp\0\0"), (9, ip)] {
            f.extend_from_slice(&word(4 + value.len() as u16));
            f.extend_from_slice(&word(kind));
            f.extend_from_slice(value);
            f.resize(f.len().next_multiple_of(4), 0);
        }
        f
    }

    #[test]
    fn a_sip_message_in_one_tcp_segment_is_found() {
        let msg = b"SIP/2.0 200 OK\r\nCall-ID: x\r\nContent-Length: 0\r\n\r\n";
        // TCP 5060 -> 5062, data offset 5 words, then the message.
        let mut tcp = vec![
            0x13, 0xc4, 0x13, 0xc6, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x18, 0xff, 0xff,
        ];
        tcp.extend_from_slice(&[0, 0, 0, 0]);
        tcp.extend_from_slice(msg);
        let frame = ethernet(&ipv4(6, &tcp));
        assert_eq!(decode_udp(linktype::ETHERNET, &frame), Err(Skip::NotUdp));
        let (flow, found) = tcp_sip_message(linktype::ETHERNET, &frame).expect("sip");
        assert_eq!(found, &msg[..]);
        assert_eq!(flow.to_string(), "198.51.100.1:5060 -> 198.51.100.2:5062");
        // Half a message, or not SIP: nothing.
        let half = ethernet(&ipv4(6, &tcp[..tcp.len() - 10]));
        assert_eq!(tcp_sip_message(linktype::ETHERNET, &half), None);
        let mut http = tcp.clone();
        http[20..27].copy_from_slice(b"HTTP/1.");
        assert_eq!(
            tcp_sip_message(linktype::ETHERNET, &ethernet(&ipv4(6, &http))),
            None
        );
    }

    #[test]
    fn nflog_and_cisco_hdlc_carry_ip() {
        // Over 2 kB the big-endian packet header's length (8) read little-endian (2048)
        // would fit the record too: the smaller reading is the right one.
        for (n, little) in [12, 2100].into_iter().flat_map(|n| [(n, true), (n, false)]) {
            let f = nflog(&ipv4_udp(n), little);
            let d = decode_udp(linktype::NFLOG, &f).expect("nflog");
            assert_eq!((d.payload.len(), d.length), (n, n), "little {little}");
            // Cut by the snap length inside the packet: yielded cut.
            let d = decode_udp(linktype::NFLOG, &f[..f.len() - 4]).expect("cut");
            assert_eq!((d.payload.len(), d.length), (n - 4, n), "little {little}");
        }
        let ip = ipv4_udp(12);
        // Another family, an unknown version, attributes that never end.
        let mut other = nflog(&ip, true);
        other[0] = 7;
        assert_eq!(decode_udp(linktype::NFLOG, &other), Err(Skip::NotIp));
        let mut v1 = nflog(&ip, true);
        v1[1] = 1;
        assert_eq!(decode_udp(linktype::NFLOG, &v1), Err(Skip::Malformed));
        let zero = [2, 0, 0, 5, 8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0];
        assert_eq!(decode_udp(linktype::NFLOG, &zero), Err(Skip::Malformed));
        assert_eq!(decode_udp(linktype::NFLOG, &[2, 0]), Err(Skip::Truncated));
        // Cisco HDLC: address, control, EtherType.
        let mut hdlc = vec![0x0f, 0x00, 0x08, 0x00];
        hdlc.extend_from_slice(&ip);
        assert_eq!(
            decode_udp(linktype::C_HDLC, &hdlc).map(|d| d.payload.len()),
            Ok(12)
        );
        hdlc[2..4].copy_from_slice(&[0x80, 0x35]); // RARP
        assert_eq!(decode_udp(linktype::C_HDLC, &hdlc), Err(Skip::NotIp));
    }

    #[test]
    fn pppoe_sessions_carry_ip_behind_a_vlan_or_not() {
        let ip = ipv4_udp(12);
        let session = |ppp_len: usize| {
            let mut h = vec![0x11, 0x00, 0x12, 0x34];
            h.extend_from_slice(&(ppp_len as u16).to_be_bytes());
            h.extend_from_slice(&[0x00, 0x21]);
            h.extend_from_slice(&ip);
            h
        };
        let frame = |tags: &[u8], body: &[u8]| [&[0u8; 12][..], tags, body].concat();
        let pppoe = session(2 + ip.len());
        // Plain, behind VLAN 7 (the usual DSL tag), and with Ethernet padding after it.
        for f in [
            frame(&[0x88, 0x64], &pppoe),
            frame(&[0x81, 0x00, 0x00, 0x07, 0x88, 0x64], &pppoe),
            frame(&[0x88, 0x64], &[&pppoe[..], &[0; 9]].concat()),
        ] {
            let d = decode_udp(linktype::ETHERNET, &f).unwrap();
            assert_eq!(d.payload.len(), 12);
            assert_eq!(d.flow, decode_ip(&ip).unwrap().flow);
        }
        // A PPPoE length too large or too small changes nothing (tshark only warns).
        for wrong in [2 + ip.len() + 4, 2 + ip.len() - 10, 0] {
            let f = frame(&[0x88, 0x64], &session(wrong));
            let d = decode_udp(linktype::ETHERNET, &f);
            assert_eq!(d.map(|d| d.payload.len()), Ok(12), "length {wrong}");
        }
        // A cut header, discovery packets (code 0x09 PADI) and LCP in a session are not IP.
        assert_eq!(
            decode_udp(linktype::ETHERNET, &frame(&[0x88, 0x64], &pppoe[..4])),
            Err(Skip::Truncated)
        );
        let mut padi = pppoe.clone();
        padi[1] = 0x09;
        assert_eq!(
            decode_udp(linktype::ETHERNET, &frame(&[0x88, 0x64], &padi)),
            Err(Skip::NotIp)
        );
        let lcp = [0x11, 0x00, 0x12, 0x34, 0x00, 0x06, 0xc0, 0x21, 1, 1, 0, 4];
        assert_eq!(
            decode_udp(linktype::ETHERNET, &frame(&[0x88, 0x64], &lcp)),
            Err(Skip::NotIp)
        );
    }

    #[test]
    fn fast_path_takes_the_common_case() {
        let p = ipv4_udp(160);
        assert!(ipv4_udp_fast(&p).is_some());
        assert_eq!(decode_ip(&p).map(|d| d.payload.len()), Ok(160));
        // Ethernet padding after a short datagram is not payload.
        let mut short = ipv4_udp(4);
        short.extend_from_slice(&[0; 14]);
        assert_eq!(decode_ip(&short).map(|d| d.payload.len()), Ok(4));
    }
}
