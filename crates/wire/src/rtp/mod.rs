//! RTP data packets (RFC 3550 §5.1): a validated, borrowed view and its emitter.
//!
//! ```
//! use rtpscope_wire::rtp::{RtpPacket, RtpRepr};
//!
//! let repr = RtpRepr { payload_type: 0, sequence_number: 7, timestamp: 160, ssrc: 1,
//!                      payload: &[0xff; 160], ..RtpRepr::default() };
//! let mut buf = [0u8; 172];
//! let len = repr.emit(&mut buf).unwrap();
//! let packet = RtpPacket::new_checked(&buf[..len]).unwrap();
//! assert_eq!(RtpRepr::parse(&packet), repr);
//! ```

mod emit;
mod error;
pub mod ext;

pub use emit::{CsrcList, RtpRepr};
pub use error::{ExtensionError, RtpError, RtpPart};
pub use ext::{Extension, ExtensionElement, ExtensionElements};

use crate::field::{u16_at, u32_at, u8_at};

/// Byte ranges of the fixed header.
mod field {
    pub const VPXCC: usize = 0;
    pub const MPT: usize = 1;
    pub const SEQ: usize = 2;
    pub const TIMESTAMP: usize = 4;
    pub const SSRC: usize = 8;
    pub const CSRC: usize = 12;
}

/// Length of the fixed RTP header.
pub const FIXED_HEADER_LEN: usize = 12;

/// A validated RTP packet over any byte buffer.
///
/// The header layout is checked once in [`RtpPacket::new_checked`]; the accessors then read
/// the fields without further checks and cannot panic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpPacket<T: AsRef<[u8]>> {
    buffer: T,
    // Full width: the accessors need no conversions, and no header length can be clipped.
    header_len: usize,
    padding_len: usize,
}

impl<T: AsRef<[u8]>> RtpPacket<T> {
    /// Validates `buffer` as an RTP packet: version 2, the CSRC list and the header extension
    /// inside the buffer, and (P bit) a padding count of at least 1 that fits after the header.
    #[inline]
    pub fn new_checked(buffer: T) -> Result<Self, RtpError> {
        let mut packet = Self::new_checked_header(buffer)?;
        let b = packet.buffer.as_ref();
        if b[field::VPXCC] & 0x20 != 0 {
            let count = b[b.len() - 1];
            let available = b.len() - packet.header_len;
            if count == 0 || usize::from(count) > available {
                return Err(RtpError::BadPadding { count, available });
            }
            packet.padding_len = usize::from(count);
        }
        Ok(packet)
    }

    /// Validates a packet of which a capture kept `buffer`, `length` bytes long on the wire:
    /// [`Self::new_checked`] when it was kept whole, [`Self::new_checked_header`] when the
    /// capture's snap length cut it.
    #[inline(always)]
    pub fn new_checked_captured(buffer: T, length: usize) -> Result<Self, RtpError> {
        if buffer.as_ref().len() < length {
            Self::new_checked_header(buffer)
        } else {
            Self::new_checked(buffer)
        }
    }

    /// Validates only the header of a packet whose end is missing, as in a capture made with a
    /// short snap length: version 2, and the CSRC list and header extension inside `buffer`.
    /// The padding count, the packet's last byte, is not there to read: [`Self::payload`] is
    /// whatever follows the header, padding or not.
    ///
    /// ```
    /// use rtpscope_wire::RtpPacket;
    /// // PCMU with the P bit, cut after two payload bytes: the count byte is gone.
    /// let cut = [0xa0, 0x00, 0, 1, 0, 0, 0, 160, 0, 0, 0, 7, 0xff, 0xfe];
    /// assert!(RtpPacket::new_checked(&cut[..]).is_err());
    /// let p = RtpPacket::new_checked_header(&cut[..]).unwrap();
    /// assert_eq!((p.sequence_number(), p.header_len(), p.payload().len()), (1, 12, 2));
    /// ```
    #[inline]
    pub fn new_checked_header(buffer: T) -> Result<Self, RtpError> {
        let b = buffer.as_ref();
        let len = b.len();
        if len < FIXED_HEADER_LEN {
            return Err(RtpError::Truncated {
                part: RtpPart::FixedHeader,
                needed: FIXED_HEADER_LEN,
                available: len,
            });
        }
        let first = b[field::VPXCC];
        let version = first >> 6;
        if version != 2 {
            return Err(RtpError::BadVersion { version });
        }
        let mut header_len = FIXED_HEADER_LEN + 4 * usize::from(first & 0x0f);
        if len < header_len {
            return Err(RtpError::Truncated {
                part: RtpPart::Csrcs,
                needed: header_len,
                available: len,
            });
        }
        if first & 0x10 != 0 {
            let ext_header_end = header_len + 4;
            if len < ext_header_end {
                return Err(RtpError::Truncated {
                    part: RtpPart::ExtensionHeader,
                    needed: ext_header_end,
                    available: len,
                });
            }
            let words = usize::from(u16_at(b, header_len + 2));
            header_len = ext_header_end + 4 * words;
            if len < header_len {
                return Err(RtpError::Truncated {
                    part: RtpPart::ExtensionBody,
                    needed: header_len,
                    available: len,
                });
            }
        }
        Ok(RtpPacket {
            buffer,
            header_len,
            padding_len: 0,
        })
    }

    /// The underlying buffer.
    #[inline]
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The whole packet.
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// The version field (always 2 for a validated packet).
    #[inline]
    pub fn version(&self) -> u8 {
        u8_at(self.as_bytes(), field::VPXCC) >> 6
    }

    /// The P bit.
    #[inline]
    pub fn has_padding(&self) -> bool {
        u8_at(self.as_bytes(), field::VPXCC) & 0x20 != 0
    }

    /// The X bit.
    #[inline]
    pub fn has_extension(&self) -> bool {
        u8_at(self.as_bytes(), field::VPXCC) & 0x10 != 0
    }

    /// The CSRC count (CC).
    #[inline]
    pub fn csrc_count(&self) -> u8 {
        u8_at(self.as_bytes(), field::VPXCC) & 0x0f
    }

    /// The marker bit.
    #[inline]
    pub fn marker(&self) -> bool {
        u8_at(self.as_bytes(), field::MPT) & 0x80 != 0
    }

    /// The payload type (7 bits).
    #[inline]
    pub fn payload_type(&self) -> u8 {
        u8_at(self.as_bytes(), field::MPT) & 0x7f
    }

    /// The sequence number.
    #[inline]
    pub fn sequence_number(&self) -> u16 {
        u16_at(self.as_bytes(), field::SEQ)
    }

    /// The RTP timestamp.
    #[inline]
    pub fn timestamp(&self) -> u32 {
        u32_at(self.as_bytes(), field::TIMESTAMP)
    }

    /// The synchronisation source.
    #[inline]
    pub fn ssrc(&self) -> u32 {
        u32_at(self.as_bytes(), field::SSRC)
    }

    /// The contributing sources.
    #[inline]
    pub fn csrcs(&self) -> Csrcs<'_> {
        let end = field::CSRC + 4 * usize::from(self.csrc_count());
        Csrcs {
            bytes: self.as_bytes().get(field::CSRC..end).unwrap_or(&[]),
        }
    }

    /// The header extension, if the X bit is set.
    #[inline]
    pub fn extension(&self) -> Option<Extension<'_>> {
        if !self.has_extension() {
            return None;
        }
        let start = field::CSRC + 4 * usize::from(self.csrc_count());
        let b = self.as_bytes();
        let profile = u16_at(b, start);
        let data = b.get(start + 4..self.header_len()).unwrap_or(&[]);
        Some(Extension::new(profile, data))
    }

    /// Length of the header: fixed part, CSRCs and extension.
    #[inline]
    pub fn header_len(&self) -> usize {
        self.header_len
    }

    /// Number of padding bytes at the end (0 without the P bit).
    #[inline]
    pub fn padding_len(&self) -> usize {
        self.padding_len
    }

    /// The payload, without padding.
    #[inline]
    pub fn payload(&self) -> &[u8] {
        let b = self.as_bytes();
        let end = b.len().saturating_sub(self.padding_len());
        b.get(self.header_len()..end).unwrap_or(&[])
    }

    /// The padding bytes, including the final count byte.
    #[inline]
    pub fn padding(&self) -> &[u8] {
        let b = self.as_bytes();
        b.get(b.len().saturating_sub(self.padding_len())..)
            .unwrap_or(&[])
    }
}

/// Iterator over a list of 32-bit source identifiers (CSRCs, or the sources of a BYE).
#[derive(Debug, Clone)]
pub struct Csrcs<'a> {
    bytes: &'a [u8],
}

impl<'a> Csrcs<'a> {
    /// Iterates the big-endian 32-bit words of `bytes` (used for BYE source lists too).
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Csrcs { bytes }
    }
}

impl Iterator for Csrcs<'_> {
    type Item = u32;

    #[inline]
    fn next(&mut self) -> Option<u32> {
        let (head, rest) = self.bytes.split_first_chunk::<4>()?;
        self.bytes = rest;
        Some(u32::from_be_bytes(*head))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.bytes.len() / 4;
        (n, Some(n))
    }
}

impl ExactSizeIterator for Csrcs<'_> {}

#[cfg(test)]
mod tests;
