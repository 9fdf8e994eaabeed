//! The owned-by-value description of an RTP packet, and its emitter.

use super::{Extension, RtpPacket, FIXED_HEADER_LEN};
use crate::field::{put_u16, put_u32};
use crate::EmitError;

/// Up to 15 CSRCs, stored inline (no allocation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CsrcList {
    ids: [u32; 15],
    len: u8,
}

impl CsrcList {
    /// A list from a slice; `None` if it has more than 15 entries.
    pub fn from_slice(csrcs: &[u32]) -> Option<Self> {
        let mut list = CsrcList::default();
        for &c in csrcs {
            list.push(c)?;
        }
        Some(list)
    }

    /// Appends a CSRC; `None` when the list already holds 15.
    pub fn push(&mut self, csrc: u32) -> Option<()> {
        let slot = self.ids.get_mut(usize::from(self.len))?;
        *slot = csrc;
        self.len += 1;
        Some(())
    }

    /// The CSRCs.
    pub fn as_slice(&self) -> &[u32] {
        &self.ids[..usize::from(self.len)]
    }
}

/// Every field of an RTP packet, borrowed where it is bytes. `parse(emit(x)) == x`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RtpRepr<'a> {
    /// Marker bit.
    pub marker: bool,
    /// Payload type (7 bits).
    pub payload_type: u8,
    /// Sequence number.
    pub sequence_number: u16,
    /// RTP timestamp.
    pub timestamp: u32,
    /// Synchronisation source.
    pub ssrc: u32,
    /// Contributing sources.
    pub csrcs: CsrcList,
    /// Header extension: profile field and data (a whole number of 32-bit words).
    pub extension: Option<Extension<'a>>,
    /// Payload bytes.
    pub payload: &'a [u8],
    /// Number of padding bytes to append (0 for none; the last one carries the count).
    pub padding: u8,
}

impl<'a> RtpRepr<'a> {
    /// Reads every field of a validated packet.
    pub fn parse<T: AsRef<[u8]> + ?Sized>(packet: &'a RtpPacket<&'a T>) -> Self {
        RtpRepr {
            marker: packet.marker(),
            payload_type: packet.payload_type(),
            sequence_number: packet.sequence_number(),
            timestamp: packet.timestamp(),
            ssrc: packet.ssrc(),
            csrcs: CsrcList::from_slice_iter(packet.csrcs()),
            extension: packet.extension(),
            payload: packet.payload(),
            padding: packet.padding_len() as u8,
        }
    }

    /// Bytes [`RtpRepr::emit`] writes.
    pub fn buffer_len(&self) -> usize {
        FIXED_HEADER_LEN
            + 4 * self.csrcs.as_slice().len()
            + self.extension.map_or(0, |e| 4 + e.data().len())
            + self.payload.len()
            + usize::from(self.padding)
    }

    /// Writes the packet at the start of `buf` and returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        if self.payload_type > 0x7f {
            return Err(EmitError::FieldTooLarge {
                field: "payload_type",
                value: usize::from(self.payload_type),
                max: 0x7f,
            });
        }
        if let Some(ext) = self.extension {
            let len = ext.data().len();
            if len % 4 != 0 || len / 4 > usize::from(u16::MAX) {
                return Err(EmitError::FieldTooLarge {
                    field: "extension length (must be a multiple of 4)",
                    value: len,
                    max: 4 * usize::from(u16::MAX),
                });
            }
        }
        let needed = self.buffer_len();
        let Some(out) = buf.get_mut(..needed) else {
            return Err(EmitError::BufferTooShort {
                needed,
                available: buf.len(),
            });
        };
        let csrcs = self.csrcs.as_slice();
        out[0] = 0x80
            | if self.padding > 0 { 0x20 } else { 0 }
            | if self.extension.is_some() { 0x10 } else { 0 }
            | csrcs.len() as u8;
        out[1] = (u8::from(self.marker) << 7) | self.payload_type;
        put_u16(out, 2, self.sequence_number);
        put_u32(out, 4, self.timestamp);
        put_u32(out, 8, self.ssrc);
        let mut at = FIXED_HEADER_LEN;
        for &c in csrcs {
            put_u32(out, at, c);
            at += 4;
        }
        if let Some(ext) = self.extension {
            put_u16(out, at, ext.profile());
            put_u16(out, at + 2, (ext.data().len() / 4) as u16);
            at += 4;
            out[at..at + ext.data().len()].copy_from_slice(ext.data());
            at += ext.data().len();
        }
        out[at..at + self.payload.len()].copy_from_slice(self.payload);
        at += self.payload.len();
        if self.padding > 0 {
            let pad = usize::from(self.padding);
            out[at..at + pad].fill(0);
            out[at + pad - 1] = self.padding;
            at += pad;
        }
        Ok(at)
    }
}

impl CsrcList {
    fn from_slice_iter(iter: impl Iterator<Item = u32>) -> Self {
        let mut list = CsrcList::default();
        for c in iter {
            if list.push(c).is_none() {
                break;
            }
        }
        list
    }
}
