//! What every RTCP emitter shares: the common header, and compound packets.
//!
//! ```
//! use rtpscope_wire::rtcp::{ByeRepr, CompoundIter, RtcpRepr};
//! use rtpscope_wire::inline::InlineVec;
//!
//! let bye = ByeRepr { ssrcs: InlineVec::from_slice(&[9]).unwrap(), reason: Some(b"done") };
//! let packets = [RtcpRepr::Goodbye(bye)];
//! let mut buf = [0u8; 64];
//! let len = RtcpRepr::emit_compound(&packets, &mut buf).unwrap();
//! let parsed = CompoundIter::new(&buf[..len]).next().unwrap().unwrap();
//! assert_eq!(RtcpRepr::parse(&parsed), Some(packets[0]));
//! ```

use super::{
    AppRepr, ByeRepr, FeedbackRepr, RawPacket, ReceiverReportRepr, RtcpPacket, SdesRepr,
    SenderReportRepr, XrRepr, HEADER_LEN,
};
use crate::field::put_u16;
use crate::EmitError;

/// Returns the first `needed` bytes of `buf`, or why it is too short.
pub(crate) fn check_buffer(buf: &mut [u8], needed: usize) -> Result<&mut [u8], EmitError> {
    let available = buf.len();
    buf.get_mut(..needed)
        .ok_or(EmitError::BufferTooShort { needed, available })
}

/// Writes the common header of a packet of `len` bytes (a multiple of 4, no padding).
pub(crate) fn write_header(
    out: &mut [u8],
    count: u8,
    packet_type: u8,
    len: usize,
) -> Result<(), EmitError> {
    if count > 31 {
        return Err(EmitError::FieldTooLarge {
            field: "RTCP count",
            value: count.into(),
            max: 31,
        });
    }
    let words = len / 4 - 1;
    if words > usize::from(u16::MAX) || len % 4 != 0 {
        return Err(EmitError::FieldTooLarge {
            field: "RTCP packet length (whole 32-bit words)",
            value: len,
            max: 4 * (usize::from(u16::MAX) + 1),
        });
    }
    out[0] = 0x80 | count;
    out[1] = packet_type;
    put_u16(out, 2, words as u16);
    Ok(())
}

/// Checks that `bytes` is a whole number of 32-bit words, as RTCP bodies must be.
pub(crate) fn check_words(field: &'static str, bytes: &[u8]) -> Result<(), EmitError> {
    if bytes.len() % 4 != 0 {
        return Err(EmitError::InvalidValue {
            field,
            value: bytes.len(),
        });
    }
    Ok(())
}

/// A packet of a type without a typed representation: count field and body, kept raw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RawRepr<'a> {
    /// The packet type (192–223).
    pub packet_type: u8,
    /// The 5-bit count / format field.
    pub count: u8,
    /// The body after the common header (whole 32-bit words).
    pub body: &'a [u8],
}

impl<'a> RawRepr<'a> {
    /// Reads a framed packet (its padding is dropped).
    pub fn parse(raw: &RawPacket<'a>) -> Self {
        RawRepr {
            packet_type: raw.packet_type(),
            count: raw.count(),
            body: raw.body(),
        }
    }

    /// Bytes [`RawRepr::emit`] writes.
    pub fn buffer_len(&self) -> usize {
        HEADER_LEN + self.body.len()
    }

    /// Writes the packet at the start of `buf` and returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        check_words("RTCP body length (must be a multiple of 4)", self.body)?;
        let len = self.buffer_len();
        let out = check_buffer(buf, len)?;
        write_header(out, self.count, self.packet_type, len)?;
        out[HEADER_LEN..].copy_from_slice(self.body);
        Ok(len)
    }
}

/// Any RTCP packet, to emit alone or in a compound packet.
///
/// Lists are stored inline so that nothing allocates; an SDES representation is the largest.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RtcpRepr<'a> {
    /// Sender report.
    SenderReport(SenderReportRepr<'a>),
    /// Receiver report.
    ReceiverReport(ReceiverReportRepr<'a>),
    /// Source description.
    SourceDescription(SdesRepr<'a>),
    /// Goodbye.
    Goodbye(ByeRepr<'a>),
    /// Application-defined.
    App(AppRepr<'a>),
    /// Generic RTP feedback or payload-specific feedback.
    Feedback(FeedbackRepr<'a>),
    /// Extended report.
    ExtendedReport(XrRepr<'a>),
    /// Another packet type, kept raw.
    Raw(RawRepr<'a>),
}

impl<'a> RtcpRepr<'a> {
    /// Reads a validated packet; `None` where a list exceeds its inline capacity.
    pub fn parse(packet: &RtcpPacket<'a>) -> Option<Self> {
        Some(match packet {
            RtcpPacket::SenderReport(p) => RtcpRepr::SenderReport(SenderReportRepr::parse(p)),
            RtcpPacket::ReceiverReport(p) => RtcpRepr::ReceiverReport(ReceiverReportRepr::parse(p)),
            RtcpPacket::SourceDescription(p) => RtcpRepr::SourceDescription(SdesRepr::parse(p)?),
            RtcpPacket::Goodbye(p) => RtcpRepr::Goodbye(ByeRepr::parse(p)),
            RtcpPacket::App(p) => RtcpRepr::App(AppRepr::parse(p)),
            RtcpPacket::TransportFeedback(p) | RtcpPacket::PayloadFeedback(p) => {
                RtcpRepr::Feedback(FeedbackRepr::parse(p))
            }
            RtcpPacket::ExtendedReport(p) => RtcpRepr::ExtendedReport(XrRepr::parse(p)?),
            RtcpPacket::Unknown(raw) => RtcpRepr::Raw(RawRepr::parse(raw)),
        })
    }

    /// Bytes [`RtcpRepr::emit`] writes.
    pub fn buffer_len(&self) -> usize {
        match self {
            RtcpRepr::SenderReport(r) => r.buffer_len(),
            RtcpRepr::ReceiverReport(r) => r.buffer_len(),
            RtcpRepr::SourceDescription(r) => r.buffer_len(),
            RtcpRepr::Goodbye(r) => r.buffer_len(),
            RtcpRepr::App(r) => r.buffer_len(),
            RtcpRepr::Feedback(r) => r.buffer_len(),
            RtcpRepr::ExtendedReport(r) => r.buffer_len(),
            RtcpRepr::Raw(r) => r.buffer_len(),
        }
    }

    /// Writes the packet at the start of `buf` and returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        match self {
            RtcpRepr::SenderReport(r) => r.emit(buf),
            RtcpRepr::ReceiverReport(r) => r.emit(buf),
            RtcpRepr::SourceDescription(r) => r.emit(buf),
            RtcpRepr::Goodbye(r) => r.emit(buf),
            RtcpRepr::App(r) => r.emit(buf),
            RtcpRepr::Feedback(r) => r.emit(buf),
            RtcpRepr::ExtendedReport(r) => r.emit(buf),
            RtcpRepr::Raw(r) => r.emit(buf),
        }
    }

    /// Bytes [`RtcpRepr::emit_compound`] writes for `packets`.
    pub fn compound_len(packets: &[RtcpRepr<'_>]) -> usize {
        packets.iter().map(RtcpRepr::buffer_len).sum()
    }

    /// Writes `packets` back to back as one compound packet and returns its length.
    ///
    /// Order is the caller's: RFC 3550 wants an SR or RR first, RFC 5506 allows otherwise.
    pub fn emit_compound(packets: &[RtcpRepr<'_>], buf: &mut [u8]) -> Result<usize, EmitError> {
        let needed = Self::compound_len(packets);
        check_buffer(buf, needed)?;
        let mut at = 0;
        for packet in packets {
            at += packet.emit(&mut buf[at..])?;
        }
        Ok(at)
    }
}
