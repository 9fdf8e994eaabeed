//! RTP/AVPF feedback packets (RFC 4585 §6.1): generic RTP feedback (RTPFB, PT 205) and
//! payload-specific feedback (PSFB, PT 206). The feedback control information is kept raw.
//!
//! ```
//! use rtpscope_wire::rtcp::{CompoundIter, FeedbackRepr, RtcpPacket, packet_type};
//!
//! // A generic NACK (FMT 1) for packet 100 and the 2 after it.
//! let repr = FeedbackRepr { packet_type: packet_type::RTPFB, fmt: 1, sender_ssrc: 1,
//!                           media_ssrc: 2, fci: &[0, 100, 0, 3] };
//! let mut buf = [0u8; 16];
//! let len = repr.emit(&mut buf).unwrap();
//! let Some(Ok(RtcpPacket::TransportFeedback(fb))) = CompoundIter::new(&buf[..len]).next()
//! else { panic!() };
//! assert_eq!((fb.fmt(), fb.media_ssrc(), fb.fci()), (1, 2, &[0, 100, 0, 3][..]));
//! ```

use super::emit::{check_buffer, check_words, write_header};
use super::{packet_type, RawPacket, HEADER_LEN};
use crate::field::{put_u32, u32_at};
use crate::EmitError;

/// A validated RTPFB or PSFB packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Feedback<'a> {
    pub(super) raw: RawPacket<'a>,
}

impl<'a> Feedback<'a> {
    /// The framed packet.
    #[inline]
    pub fn raw(&self) -> RawPacket<'a> {
        self.raw
    }

    /// The feedback message type (FMT, 5 bits).
    pub fn fmt(&self) -> u8 {
        self.raw.count()
    }

    /// The source sending the feedback.
    #[inline]
    pub fn sender_ssrc(&self) -> u32 {
        u32_at(self.raw.body(), 0)
    }

    /// The media source the feedback is about.
    #[inline]
    pub fn media_ssrc(&self) -> u32 {
        u32_at(self.raw.body(), 4)
    }

    /// The feedback control information, raw.
    #[inline]
    pub fn fci(&self) -> &'a [u8] {
        self.raw.body().get(8..).unwrap_or(&[])
    }
}

/// Every field of a feedback packet. `FeedbackRepr::parse(emit(x)) == x`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedbackRepr<'a> {
    /// [`packet_type::RTPFB`] or [`packet_type::PSFB`].
    pub packet_type: u8,
    /// The feedback message type (5 bits).
    pub fmt: u8,
    /// The source sending the feedback.
    pub sender_ssrc: u32,
    /// The media source the feedback is about.
    pub media_ssrc: u32,
    /// The feedback control information (whole 32-bit words).
    pub fci: &'a [u8],
}

impl<'a> FeedbackRepr<'a> {
    /// Reads a validated packet.
    #[inline]
    pub fn parse(fb: &Feedback<'a>) -> Self {
        FeedbackRepr {
            packet_type: fb.raw.packet_type(),
            fmt: fb.fmt(),
            sender_ssrc: fb.sender_ssrc(),
            media_ssrc: fb.media_ssrc(),
            fci: fb.fci(),
        }
    }

    /// Bytes [`FeedbackRepr::emit`] writes.
    pub fn buffer_len(&self) -> usize {
        HEADER_LEN + 8 + self.fci.len()
    }

    /// Writes the packet at the start of `buf` and returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        if self.packet_type != packet_type::RTPFB && self.packet_type != packet_type::PSFB {
            return Err(EmitError::InvalidValue {
                field: "feedback packet type (205 or 206)",
                value: self.packet_type.into(),
            });
        }
        check_words("feedback FCI length (must be a multiple of 4)", self.fci)?;
        let len = self.buffer_len();
        let out = check_buffer(buf, len)?;
        write_header(out, self.fmt, self.packet_type, len)?;
        put_u32(out, 4, self.sender_ssrc);
        put_u32(out, 8, self.media_ssrc);
        out[12..].copy_from_slice(self.fci);
        Ok(len)
    }
}
