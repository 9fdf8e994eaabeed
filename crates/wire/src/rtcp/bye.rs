//! Goodbye packets (RFC 3550 §6.6): the sources leaving, and an optional reason.
//!
//! ```
//! use rtpscope_wire::rtcp::{CompoundIter, RtcpPacket};
//!
//! let bye = [0x81, 203, 0, 2, 0, 0, 0, 5, 2, b'o', b'k', 0];
//! let Some(Ok(RtcpPacket::Goodbye(bye))) = CompoundIter::new(&bye).next() else { panic!() };
//! assert_eq!(bye.ssrcs().collect::<Vec<_>>(), [5]);
//! assert_eq!(bye.reason(), Some(&b"ok"[..]));
//! ```

use super::emit::{check_buffer, write_header};
use super::{packet_type, RawPacket, RtcpError, HEADER_LEN};
use crate::field::put_u32;
use crate::inline::InlineVec;
use crate::rtp::Csrcs;
use crate::EmitError;

/// Most sources a BYE holds (the 5-bit source count).
pub const MAX_SOURCES: usize = 31;

/// Checks the SSRC list and the reason's framing.
#[inline]
pub(super) fn validate(raw: &RawPacket<'_>) -> Result<(), RtcpError> {
    let body = raw.body();
    let truncated = |what, needed| raw.truncated(what, needed);
    let list = 4 * usize::from(raw.count());
    if body.len() < list {
        return Err(truncated("BYE source list", list));
    }
    if let Some(&reason_len) = body.get(list) {
        let end = list + 1 + usize::from(reason_len);
        let Some(pad) = body.get(end..) else {
            return Err(truncated("BYE reason", end));
        };
        // The reason is padded with nulls to the next 32-bit boundary, no further.
        if pad.len() >= 4 || pad.iter().any(|&b| b != 0) {
            return Err(RtcpError::Malformed {
                what: "BYE data after the reason",
                offset: raw.offset(),
            });
        }
    }
    Ok(())
}

/// A validated goodbye packet (PT 203).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bye<'a> {
    pub(super) raw: RawPacket<'a>,
}

impl<'a> Bye<'a> {
    /// The framed packet.
    #[inline]
    pub fn raw(&self) -> RawPacket<'a> {
        self.raw
    }

    /// The sources that leave.
    #[inline]
    pub fn ssrcs(&self) -> Csrcs<'a> {
        let list = 4 * usize::from(self.raw.count());
        Csrcs::new(self.raw.body().get(..list).unwrap_or(&[]))
    }

    /// The reason for leaving, if given.
    #[inline]
    pub fn reason(&self) -> Option<&'a [u8]> {
        let rest = self.raw.body().get(4 * usize::from(self.raw.count())..)?;
        let (&len, text) = rest.split_first()?;
        text.get(..usize::from(len))
    }
}

/// Every field of a BYE packet. `ByeRepr::parse(emit(x)) == x`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ByeRepr<'a> {
    /// The sources that leave.
    pub ssrcs: InlineVec<u32, MAX_SOURCES>,
    /// The reason (at most 255 bytes).
    pub reason: Option<&'a [u8]>,
}

impl<'a> ByeRepr<'a> {
    /// Reads a validated packet.
    #[inline]
    pub fn parse(bye: &Bye<'a>) -> Self {
        let mut ssrcs = InlineVec::new();
        for ssrc in bye.ssrcs() {
            // The count is 5 bits, so the list always fits.
            let _ = ssrcs.push(ssrc);
        }
        ByeRepr {
            ssrcs,
            reason: bye.reason(),
        }
    }

    /// Bytes [`ByeRepr::emit`] writes.
    pub fn buffer_len(&self) -> usize {
        let reason = self.reason.map_or(0, |r| (1 + r.len() + 3) & !3);
        HEADER_LEN + 4 * self.ssrcs.len() + reason
    }

    /// Writes the packet at the start of `buf` and returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        if let Some(reason) = self.reason.filter(|r| r.len() > 255) {
            return Err(EmitError::FieldTooLarge {
                field: "BYE reason length",
                value: reason.len(),
                max: 255,
            });
        }
        let len = self.buffer_len();
        let out = check_buffer(buf, len)?;
        write_header(out, self.ssrcs.len() as u8, packet_type::BYE, len)?;
        let mut at = HEADER_LEN;
        for &ssrc in self.ssrcs.iter() {
            put_u32(out, at, ssrc);
            at += 4;
        }
        if let Some(reason) = self.reason {
            out[at] = reason.len() as u8;
            out[at + 1..at + 1 + reason.len()].copy_from_slice(reason);
            out[at + 1 + reason.len()..].fill(0);
        }
        Ok(len)
    }
}
