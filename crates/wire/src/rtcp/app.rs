//! Application-defined packets (RFC 3550 §6.7): subtype, source, 4-byte name, data.
//!
//! ```
//! use rtpscope_wire::rtcp::{AppRepr, CompoundIter, RtcpPacket};
//!
//! let repr = AppRepr { subtype: 3, ssrc: 1, name: *b"QOS!", data: &[1, 2, 3, 4] };
//! let mut buf = [0u8; 16];
//! let len = repr.emit(&mut buf).unwrap();
//! let Some(Ok(RtcpPacket::App(app))) = CompoundIter::new(&buf[..len]).next() else { panic!() };
//! assert_eq!((app.subtype(), app.name(), app.data()), (3, *b"QOS!", &[1, 2, 3, 4][..]));
//! assert_eq!(AppRepr::parse(&app), repr);
//! ```

use super::emit::{check_buffer, check_words, write_header};
use super::{packet_type, RawPacket, HEADER_LEN};
use crate::field::{put_u32, u32_at};
use crate::EmitError;

/// A validated application-defined packet (PT 204).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct App<'a> {
    pub(super) raw: RawPacket<'a>,
}

impl<'a> App<'a> {
    /// The framed packet.
    #[inline]
    pub fn raw(&self) -> RawPacket<'a> {
        self.raw
    }

    /// The 5-bit subtype.
    #[inline]
    pub fn subtype(&self) -> u8 {
        self.raw.count()
    }

    /// The source the packet is from.
    #[inline]
    pub fn ssrc(&self) -> u32 {
        u32_at(self.raw.body(), 0)
    }

    /// The 4-character name (ASCII by convention).
    #[inline]
    pub fn name(&self) -> [u8; 4] {
        u32_at(self.raw.body(), 4).to_be_bytes()
    }

    /// The application-dependent data.
    #[inline]
    pub fn data(&self) -> &'a [u8] {
        self.raw.body().get(8..).unwrap_or(&[])
    }
}

/// Every field of an APP packet. `AppRepr::parse(emit(x)) == x`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AppRepr<'a> {
    /// The 5-bit subtype.
    pub subtype: u8,
    /// The source the packet is from.
    pub ssrc: u32,
    /// The 4-character name.
    pub name: [u8; 4],
    /// The data (whole 32-bit words).
    pub data: &'a [u8],
}

impl<'a> AppRepr<'a> {
    /// Reads a validated packet.
    #[inline]
    pub fn parse(app: &App<'a>) -> Self {
        AppRepr {
            subtype: app.subtype(),
            ssrc: app.ssrc(),
            name: app.name(),
            data: app.data(),
        }
    }

    /// Bytes [`AppRepr::emit`] writes.
    pub fn buffer_len(&self) -> usize {
        HEADER_LEN + 8 + self.data.len()
    }

    /// Writes the packet at the start of `buf` and returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        check_words("APP data length (must be a multiple of 4)", self.data)?;
        let len = self.buffer_len();
        let out = check_buffer(buf, len)?;
        write_header(out, self.subtype, packet_type::APP, len)?;
        put_u32(out, 4, self.ssrc);
        out[8..12].copy_from_slice(&self.name);
        out[12..].copy_from_slice(self.data);
        Ok(len)
    }
}
