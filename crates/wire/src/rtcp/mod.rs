//! RTCP packets (RFC 3550 §6) in compound packets, with reduced-size RTCP (RFC 5506).
//!
//! [`CompoundIter`] walks the packets of one UDP payload; each item is a validated, typed
//! view. After the first error the iterator stops: the rest of the datagram cannot be framed.
//!
//! ```
//! use rtpscope_wire::rtcp::{CompoundIter, RtcpPacket};
//!
//! // An RR from SSRC 1 with one report block about SSRC 2 (cumulative lost = -3).
//! let rr = [0x81, 201, 0, 7, 0, 0, 0, 1, 0, 0, 0, 2, 0x10, 0xff, 0xff, 0xfd,
//!           0, 0, 0x10, 0, 0, 0, 0, 42, 0, 0, 0, 0, 0, 0, 0, 0];
//! let Some(Ok(RtcpPacket::ReceiverReport(rr))) = CompoundIter::new(&rr).next() else { panic!() };
//! let block = rr.report_blocks().next().unwrap();
//! assert_eq!((block.ssrc(), block.cumulative_lost(), block.jitter()), (2, -3, 42));
//! ```

pub mod app;
pub mod bye;
pub mod emit;
mod error;
pub mod feedback;
pub mod report;
pub mod report_repr;
pub mod sdes;
pub mod xr;

pub use app::{App, AppRepr};
pub use bye::{Bye, ByeRepr};
pub use emit::{RawRepr, RtcpRepr};
pub use error::RtcpError;
pub use feedback::{Feedback, FeedbackRepr};
pub use report::{ReceiverReport, ReportBlock, ReportBlocks, SenderReport};
pub use report_repr::{ReceiverReportRepr, ReportBlockRepr, SenderReportRepr};
pub use sdes::{Sdes, SdesChunk, SdesChunkRepr, SdesItem, SdesRepr};
pub use xr::{ExtendedReport, VoipMetrics, XrBlock, XrBlockRepr, XrRepr};

use crate::field::{u16_at, u8_at};
use report::{REPORT_BLOCK_LEN, SENDER_INFO_LEN};

/// RTCP packet types.
///
/// ```
/// use rtpscope_wire::rtcp::packet_type;
/// assert_eq!((packet_type::SR, packet_type::XR), (200, 207));
/// ```
pub mod packet_type {
    /// Sender report.
    pub const SR: u8 = 200;
    /// Receiver report.
    pub const RR: u8 = 201;
    /// Source description.
    pub const SDES: u8 = 202;
    /// Goodbye.
    pub const BYE: u8 = 203;
    /// Application-defined.
    pub const APP: u8 = 204;
    /// Generic RTP feedback (RFC 4585).
    pub const RTPFB: u8 = 205;
    /// Payload-specific feedback (RFC 4585).
    pub const PSFB: u8 = 206;
    /// Extended report (RFC 3611).
    pub const XR: u8 = 207;
}

/// Length of the RTCP common header.
pub const HEADER_LEN: usize = 4;

/// One framed RTCP packet: its common header and body, padding removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawPacket<'a> {
    bytes: &'a [u8],
    body_end: usize,
    offset: usize,
}

impl<'a> RawPacket<'a> {
    /// The count / format / subtype field (5 bits).
    #[inline]
    pub fn count(&self) -> u8 {
        u8_at(self.bytes, 0) & 0x1f
    }
    /// The P bit.
    #[inline]
    pub fn has_padding(&self) -> bool {
        u8_at(self.bytes, 0) & 0x20 != 0
    }
    /// The packet type.
    #[inline]
    pub fn packet_type(&self) -> u8 {
        u8_at(self.bytes, 1)
    }
    /// The length field: the packet's length in 32-bit words minus one.
    #[inline]
    pub fn length_words(&self) -> u16 {
        u16_at(self.bytes, 2)
    }
    /// The body after the 4-byte common header, without padding.
    #[inline]
    pub fn body(&self) -> &'a [u8] {
        self.bytes.get(HEADER_LEN..self.body_end).unwrap_or(&[])
    }
    /// The whole packet including header and padding.
    #[inline]
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }
    /// Offset of this packet within its compound packet.
    #[inline]
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The error for a structure in this packet's body that needs `needed` body bytes.
    #[cold]
    pub(crate) fn truncated(&self, what: &'static str, needed: usize) -> RtcpError {
        RtcpError::Truncated {
            what,
            offset: self.offset,
            needed: HEADER_LEN + needed,
            available: HEADER_LEN + self.body().len(),
        }
    }
}

/// A typed RTCP packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RtcpPacket<'a> {
    /// Sender report (200).
    SenderReport(SenderReport<'a>),
    /// Receiver report (201).
    ReceiverReport(ReceiverReport<'a>),
    /// Source description (202).
    SourceDescription(Sdes<'a>),
    /// Goodbye (203).
    Goodbye(Bye<'a>),
    /// Application-defined (204).
    App(App<'a>),
    /// Generic RTP feedback (205).
    TransportFeedback(Feedback<'a>),
    /// Payload-specific feedback (206).
    PayloadFeedback(Feedback<'a>),
    /// Extended report (207).
    ExtendedReport(ExtendedReport<'a>),
    /// Another RTCP packet type (192–199, 208–223).
    Unknown(RawPacket<'a>),
}

impl<'a> RtcpPacket<'a> {
    /// Frames and validates the first RTCP packet of `bytes`; returns it and its total length.
    #[inline]
    pub fn parse(bytes: &'a [u8], offset: usize) -> Result<(Self, usize), RtcpError> {
        let available = bytes.len();
        if available < HEADER_LEN {
            return Err(RtcpError::Truncated {
                what: "common header",
                offset,
                needed: HEADER_LEN,
                available,
            });
        }
        let version = bytes[0] >> 6;
        if version != 2 {
            return Err(RtcpError::BadVersion { version, offset });
        }
        let packet_type = bytes[1];
        if !(192..=223).contains(&packet_type) {
            return Err(RtcpError::NotRtcp {
                packet_type,
                offset,
            });
        }
        let len = (usize::from(u16_at(bytes, 2)) + 1) * 4;
        if available < len {
            return Err(RtcpError::Truncated {
                what: "packet",
                offset,
                needed: len,
                available,
            });
        }
        let bytes = &bytes[..len];
        let mut body_end = len;
        if bytes[0] & 0x20 != 0 {
            let count = bytes[len - 1];
            if count == 0 || usize::from(count) > len - HEADER_LEN {
                return Err(RtcpError::BadPadding { count, offset });
            }
            body_end -= usize::from(count);
        }
        let raw = RawPacket {
            bytes,
            body_end,
            offset,
        };
        let body = body_end - HEADER_LEN;
        let blocks = REPORT_BLOCK_LEN * usize::from(raw.count());
        let need = |what, needed: usize| {
            if body < needed {
                Err(RtcpError::Truncated {
                    what,
                    offset,
                    needed: HEADER_LEN + needed,
                    available: body_end,
                })
            } else {
                Ok(())
            }
        };
        let packet = match packet_type {
            packet_type::SR => {
                need("sender report", 4 + SENDER_INFO_LEN + blocks)?;
                RtcpPacket::SenderReport(SenderReport { raw })
            }
            packet_type::RR => {
                need("receiver report", 4 + blocks)?;
                RtcpPacket::ReceiverReport(ReceiverReport { raw })
            }
            packet_type::SDES => {
                sdes::validate(&raw)?;
                RtcpPacket::SourceDescription(Sdes { raw })
            }
            packet_type::BYE => {
                bye::validate(&raw)?;
                RtcpPacket::Goodbye(Bye { raw })
            }
            packet_type::APP => {
                need("app packet", 8)?;
                RtcpPacket::App(App { raw })
            }
            packet_type::RTPFB => {
                need("feedback packet", 8)?;
                RtcpPacket::TransportFeedback(Feedback { raw })
            }
            packet_type::PSFB => {
                need("feedback packet", 8)?;
                RtcpPacket::PayloadFeedback(Feedback { raw })
            }
            packet_type::XR => {
                xr::validate(&raw)?;
                RtcpPacket::ExtendedReport(ExtendedReport { raw })
            }
            _ => RtcpPacket::Unknown(raw),
        };
        Ok((packet, len))
    }

    /// The packet type.
    #[inline]
    pub fn packet_type(&self) -> u8 {
        self.raw().packet_type()
    }

    /// The framed packet underneath the typed view.
    #[inline]
    pub fn raw(&self) -> RawPacket<'a> {
        match *self {
            RtcpPacket::SenderReport(p) => p.raw,
            RtcpPacket::ReceiverReport(p) => p.raw,
            RtcpPacket::SourceDescription(p) => p.raw,
            RtcpPacket::Goodbye(p) => p.raw,
            RtcpPacket::App(p) => p.raw,
            RtcpPacket::TransportFeedback(p) | RtcpPacket::PayloadFeedback(p) => p.raw,
            RtcpPacket::ExtendedReport(p) => p.raw,
            RtcpPacket::Unknown(raw) => raw,
        }
    }
}

/// Iterator over the packets of a compound RTCP datagram. Fused after an error.
#[derive(Debug, Clone)]
pub struct CompoundIter<'a> {
    bytes: &'a [u8],
    offset: usize,
}

impl<'a> CompoundIter<'a> {
    /// Iterates the packets of `datagram`.
    #[inline]
    pub fn new(datagram: &'a [u8]) -> Self {
        CompoundIter {
            bytes: datagram,
            offset: 0,
        }
    }

    /// Validates the whole compound packet, returning the number of packets in it.
    #[inline]
    pub fn validate(datagram: &'a [u8]) -> Result<usize, RtcpError> {
        let mut n = 0;
        for packet in CompoundIter::new(datagram) {
            packet?;
            n += 1;
        }
        Ok(n)
    }

    /// What a capture with a short snap length kept whole of a compound packet: the longest
    /// prefix of `captured` made of packets that end inside it, as their length fields frame
    /// them (a cut SR with its report blocks, say, when only the SDES after it was lost).
    /// Empty when even the first packet is cut, or when the two bytes after the last whole
    /// packet were kept and do not start an RTCP packet (version 2, type 192 to 223): an
    /// SRTCP compound, encrypted after its first eight bytes, fails that 31 times in 32.
    /// Framing is all it checks otherwise: validate the prefix like any datagram.
    ///
    /// ```
    /// use rtpscope_wire::rtcp::CompoundIter;
    ///
    /// // An empty RR (one word) followed by an SDES of three words, cut after its second word.
    /// let captured = [0x80, 201, 0, 1, 0, 0, 0, 1, 0x81, 202, 0, 2, 0, 0];
    /// assert_eq!(CompoundIter::whole_packets(&captured), &captured[..8]);
    /// assert!(CompoundIter::whole_packets(&captured[..6]).is_empty());
    /// // What follows the RR is not RTCP (encrypted, say): nothing is readable.
    /// let encrypted = [0x80, 201, 0, 1, 0, 0, 0, 1, 0x5e, 0x17, 0xa9, 0x02];
    /// assert!(CompoundIter::whole_packets(&encrypted).is_empty());
    /// ```
    pub fn whole_packets(captured: &'a [u8]) -> &'a [u8] {
        let mut end = 0;
        while let Some(&[_, _, hi, lo]) = captured.get(end..end + HEADER_LEN) {
            let next = end + (usize::from(u16::from_be_bytes([hi, lo])) + 1) * 4;
            if next > captured.len() {
                break;
            }
            end = next;
        }
        let kept = match captured.get(end..end + 2) {
            Some(&[first, kind]) if first >> 6 != 2 || !(192..=223).contains(&kind) => 0,
            _ => end,
        };
        captured.get(..kept).unwrap_or_default()
    }

    /// What can be read of a compound of `length` bytes of which `captured` was kept: all of
    /// it when kept whole, else [`Self::whole_packets`].
    #[inline]
    pub fn readable(captured: &'a [u8], length: usize) -> &'a [u8] {
        if captured.len() >= length {
            captured
        } else {
            Self::whole_packets(captured)
        }
    }
}

impl<'a> Iterator for CompoundIter<'a> {
    type Item = Result<RtcpPacket<'a>, RtcpError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.bytes.get(self.offset..)?;
        if rest.is_empty() {
            return None;
        }
        match RtcpPacket::parse(rest, self.offset) {
            Ok((packet, len)) => {
                self.offset += len;
                Some(Ok(packet))
            }
            Err(e) => {
                self.offset = self.bytes.len();
                Some(Err(e))
            }
        }
    }
}

impl core::iter::FusedIterator for CompoundIter<'_> {}
