//! Why a frame was not yielded, and how many times.
//!
//! ```
//! use rtpscope_capture::{DropCounters, Skip};
//!
//! let mut c = DropCounters::default();
//! c.count(Skip::NotUdp);
//! assert_eq!(c.not_udp, 1);
//! assert_eq!(c.skipped(), 1);
//! assert!(c.iter().any(|(name, v)| name == "not_udp" && v == 1));
//! ```

/// Why one link-layer frame carries no usable UDP datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Skip {
    /// Not IPv4 or IPv6 (ARP, LLDP, ...).
    NotIp,
    /// IP, but not UDP (TCP, ICMP, ...).
    NotUdp,
    /// Cut short by the snap length inside a header (link, IP, UDP). A datagram whose payload
    /// alone is cut is yielded, marked as cut (`cut_short`), so that its RTP header counts.
    Truncated,
    /// An IP fragment: the readers put fragments back together (`reassembly`); on its
    /// own, the first one would look like a complete UDP datagram with a wrong length.
    Fragment,
    /// Header fields that contradict each other (IHL below 5, UDP length below 8, ...).
    Malformed,
    /// A link type this crate does not decode.
    UnsupportedLinktype,
}

/// Counts of every frame read, by what became of it. Plain fields: no serde needed to print.
///
/// `frames == udp + sip_tcp + skipped()` always holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DropCounters {
    /// Every packet record read (pcap record, pcapng EPB/SPB/OPB, live frame).
    pub frames: u64,
    /// Frames yielded as UDP datagrams.
    pub udp: u64,
    /// Frames yielded as a SIP message over TCP: one that fits its segment, or the segment
    /// that completes one split over several (signalling only: RTP is read from UDP). Other
    /// TCP segments, those of split messages included, are `not_udp`.
    pub sip_tcp: u64,
    /// SIP messages put together from several TCP segments (counted in `sip_tcp`).
    pub sip_tcp_joined: u64,
    /// SIP messages over TCP begun but never completed: a segment missing or out of order,
    /// no segment for 5 s, too many at once, over 64 KiB, a second whole message in one
    /// segment, or still incomplete at the end of the input. Their segments are `not_udp`.
    pub sip_tcp_abandoned: u64,
    /// Frames skipped: not IP.
    pub not_ip: u64,
    /// Frames skipped: IP but not UDP.
    pub not_udp: u64,
    /// Frames skipped: cut short by the snap length.
    pub truncated: u64,
    /// Frames skipped: IP fragments (all but the one that completes a datagram).
    pub fragments: u64,
    /// Datagrams rebuilt from IP fragments (each yielded once, and counted in `udp`).
    pub reassembled: u64,
    /// Datagrams found inside tunnels: IP in IP, GRE, ERSPAN, VXLAN, GTP-U (counted in `udp`).
    pub tunneled: u64,
    /// Datagrams whose payload the snap length cut short (counted in `udp`): yielded for their
    /// headers, with the payload's length as the UDP header gives it.
    pub cut_short: u64,
    /// Fragments that ended up in no datagram: malformed or contradicting, timed out,
    /// evicted, or still incomplete at the end of the input. Part of `fragments`.
    pub fragments_discarded: u64,
    /// Frames skipped: malformed headers.
    pub malformed: u64,
    /// Frames skipped: link type not decoded.
    pub unsupported_linktype: u64,
    /// Live loopback frames skipped as the second sighting of the same packet (Linux shows
    /// every loopback packet once leaving and once arriving).
    pub loopback_copies: u64,
}

/// Where a yielded frame's payload was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FoundIn {
    /// A UDP datagram in the frame itself.
    Frame,
    /// A UDP datagram put together from IP fragments.
    Reassembly,
    /// A whole SIP message in one TCP segment.
    TcpSip,
    /// A SIP message joined from TCP segments.
    TcpSipJoined,
}

impl DropCounters {
    /// Counts one yielded frame.
    #[inline]
    pub(crate) fn count_found(&mut self, found_in: FoundIn) {
        match found_in {
            FoundIn::TcpSip | FoundIn::TcpSipJoined => self.sip_tcp += 1,
            FoundIn::Frame | FoundIn::Reassembly => self.udp += 1,
        }
    }

    /// Counts one skipped frame.
    pub fn count(&mut self, skip: Skip) {
        let slot = match skip {
            Skip::NotIp => &mut self.not_ip,
            Skip::NotUdp => &mut self.not_udp,
            Skip::Truncated => &mut self.truncated,
            Skip::Fragment => &mut self.fragments,
            Skip::Malformed => &mut self.malformed,
            Skip::UnsupportedLinktype => &mut self.unsupported_linktype,
        };
        *slot += 1;
    }

    /// Frames not yielded, all reasons together.
    pub fn skipped(&self) -> u64 {
        self.not_ip
            + self.not_udp
            + self.truncated
            + self.fragments
            + self.malformed
            + self.unsupported_linktype
            + self.loopback_copies
    }

    /// Every counter as (stable name, value), for printing or JSON.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, u64)> {
        [
            ("frames", self.frames),
            ("udp", self.udp),
            ("sip_tcp", self.sip_tcp),
            ("sip_tcp_joined", self.sip_tcp_joined),
            ("sip_tcp_abandoned", self.sip_tcp_abandoned),
            ("not_ip", self.not_ip),
            ("not_udp", self.not_udp),
            ("truncated", self.truncated),
            ("fragments", self.fragments),
            ("reassembled", self.reassembled),
            ("tunneled", self.tunneled),
            ("cut_short", self.cut_short),
            ("fragments_discarded", self.fragments_discarded),
            ("malformed", self.malformed),
            ("unsupported_linktype", self.unsupported_linktype),
            ("loopback_copies", self.loopback_copies),
        ]
        .into_iter()
    }
}
