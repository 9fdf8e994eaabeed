//! Source description packets (RFC 3550 §6.5): chunks of (type, value) items per source.
//!
//! ```
//! use rtpscope_wire::rtcp::{CompoundIter, RtcpPacket};
//!
//! // One chunk for SSRC 7: CNAME "ab", end of list, padding to the 32-bit boundary.
//! let sdes = [0x81, 202, 0, 3, 0, 0, 0, 7, 1, 2, b'a', b'b', 0, 0, 0, 0];
//! let Some(Ok(RtcpPacket::SourceDescription(sdes))) = CompoundIter::new(&sdes).next() else {
//!     panic!()
//! };
//! let chunk = sdes.chunks().next().unwrap();
//! assert_eq!((chunk.ssrc(), chunk.cname()), (7, Some(&b"ab"[..])));
//! ```

use super::emit::{check_buffer, write_header};
use super::{packet_type, RawPacket, RtcpError, HEADER_LEN};
use crate::field::{put_u32, u32_at};
use crate::inline::InlineVec;
use crate::EmitError;

/// SDES item types (RFC 3550 §6.5).
///
/// ```
/// use rtpscope_wire::rtcp::sdes::item;
/// assert_eq!((item::CNAME, item::PRIV), (1, 8));
/// ```
pub mod item {
    /// End of an item list (never yielded as an item).
    pub const END: u8 = 0;
    /// Canonical end-point identifier.
    pub const CNAME: u8 = 1;
    /// User name.
    pub const NAME: u8 = 2;
    /// E-mail address.
    pub const EMAIL: u8 = 3;
    /// Phone number.
    pub const PHONE: u8 = 4;
    /// Geographic location.
    pub const LOC: u8 = 5;
    /// Application or tool name.
    pub const TOOL: u8 = 6;
    /// Notice or status.
    pub const NOTE: u8 = 7;
    /// Private extension: a length-prefixed prefix, then the value.
    pub const PRIV: u8 = 8;
}

/// Most items one [`SdesChunkRepr`] holds: one of each of the 8 types RFC 3550 defines.
pub const MAX_ITEMS: usize = 8;
/// Most chunks an SDES packet holds (the 5-bit source count).
pub const MAX_CHUNKS: usize = 31;

/// Where a chunk's framing went wrong: what, and the body length needed to read on.
struct ChunkFault {
    what: &'static str,
    needed: usize,
}

/// Walks the chunk starting at `start` of `body`; returns where the next chunk starts.
#[inline]
fn chunk_end(body: &[u8], start: usize) -> Result<usize, ChunkFault> {
    let truncated = |what, needed| Err(ChunkFault { what, needed });
    if body.len() < start + 4 {
        return truncated("SDES chunk SSRC", start + 4);
    }
    let mut at = start + 4;
    loop {
        let Some(&kind) = body.get(at) else {
            return truncated("SDES item list (no end marker)", at + 1);
        };
        if kind == item::END {
            break;
        }
        let Some(&len) = body.get(at + 1) else {
            return truncated("SDES item header", at + 2);
        };
        at += 2 + usize::from(len);
        if body.len() < at {
            return truncated("SDES item value", at);
        }
    }
    // The end marker plus nulls up to the next 32-bit boundary (chunks start aligned).
    let end = (at + 4) & !3;
    match body.get(at..end) {
        None => truncated("SDES chunk padding", end),
        Some(pad) if pad.iter().any(|&b| b != 0) => Err(ChunkFault {
            what: "SDES chunk padding is not null",
            needed: 0,
        }),
        Some(_) => Ok(end),
    }
}

/// Checks that exactly `count` well-framed chunks fill the body.
#[inline]
pub(super) fn validate(raw: &RawPacket<'_>) -> Result<(), RtcpError> {
    let body = raw.body();
    let offset = raw.offset();
    let mut at = 0;
    for _ in 0..raw.count() {
        at = chunk_end(body, at).map_err(|f| {
            if f.needed == 0 {
                RtcpError::Malformed {
                    what: f.what,
                    offset,
                }
            } else {
                RtcpError::Truncated {
                    what: f.what,
                    offset,
                    needed: HEADER_LEN + f.needed,
                    available: HEADER_LEN + body.len(),
                }
            }
        })?;
    }
    if at != body.len() {
        return Err(RtcpError::Malformed {
            what: "SDES data after the counted chunks",
            offset,
        });
    }
    Ok(())
}

/// A validated source description packet (PT 202).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sdes<'a> {
    pub(super) raw: RawPacket<'a>,
}

impl<'a> Sdes<'a> {
    /// The framed packet.
    #[inline]
    pub fn raw(&self) -> RawPacket<'a> {
        self.raw
    }

    /// The chunks, one per described source.
    #[inline]
    pub fn chunks(&self) -> SdesChunks<'a> {
        SdesChunks {
            body: self.raw.body(),
            at: 0,
            remaining: self.raw.count(),
        }
    }

    /// The CNAME of `ssrc`, if a chunk gives one.
    #[inline]
    pub fn cname_of(&self, ssrc: u32) -> Option<&'a [u8]> {
        self.chunks().find(|c| c.ssrc() == ssrc)?.cname()
    }
}

/// Iterator over the chunks of an SDES packet.
#[derive(Debug, Clone)]
pub struct SdesChunks<'a> {
    body: &'a [u8],
    at: usize,
    remaining: u8,
}

impl<'a> Iterator for SdesChunks<'a> {
    type Item = SdesChunk<'a>;

    #[inline]
    fn next(&mut self) -> Option<SdesChunk<'a>> {
        if self.remaining == 0 {
            return None;
        }
        let start = self.at;
        let end = chunk_end(self.body, start).ok()?;
        self.at = end;
        self.remaining -= 1;
        Some(SdesChunk {
            bytes: self.body.get(start..end)?,
        })
    }
}

/// One SDES chunk: a source and its items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SdesChunk<'a> {
    bytes: &'a [u8],
}

impl<'a> SdesChunk<'a> {
    /// The source described.
    #[inline]
    pub fn ssrc(&self) -> u32 {
        u32_at(self.bytes, 0)
    }

    /// The items, in order.
    #[inline]
    pub fn items(&self) -> SdesItems<'a> {
        SdesItems {
            bytes: self.bytes.get(4..).unwrap_or(&[]),
        }
    }

    /// The value of the first CNAME item.
    #[inline]
    pub fn cname(&self) -> Option<&'a [u8]> {
        self.items()
            .find(|i| i.kind == item::CNAME)
            .map(|i| i.value)
    }
}

/// Iterator over the items of a chunk (stops at the end marker).
#[derive(Debug, Clone)]
pub struct SdesItems<'a> {
    bytes: &'a [u8],
}

impl<'a> Iterator for SdesItems<'a> {
    type Item = SdesItem<'a>;

    #[inline]
    fn next(&mut self) -> Option<SdesItem<'a>> {
        let (&[kind, len], rest) = self.bytes.split_first_chunk::<2>()?;
        if kind == item::END {
            return None;
        }
        let len = usize::from(len);
        let value = rest.get(..len)?;
        self.bytes = &rest[len..];
        Some(SdesItem { kind, value })
    }
}

/// One SDES item; also its own representation for emitting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SdesItem<'a> {
    /// The item type (see [`item`]); never [`item::END`].
    pub kind: u8,
    /// The value (at most 255 bytes). For PRIV it starts with the prefix length and prefix.
    pub value: &'a [u8],
}

impl<'a> SdesItem<'a> {
    /// For a PRIV item, its prefix and value; `None` for other types or a prefix overrun.
    pub fn priv_parts(&self) -> Option<(&'a [u8], &'a [u8])> {
        if self.kind != item::PRIV {
            return None;
        }
        let (&len, rest) = self.value.split_first()?;
        let len = usize::from(len);
        Some((rest.get(..len)?, rest.get(len..)?))
    }
}

/// The items of one chunk, to emit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SdesChunkRepr<'a> {
    /// The source described.
    pub ssrc: u32,
    /// Its items.
    pub items: InlineVec<SdesItem<'a>, MAX_ITEMS>,
}

impl SdesChunkRepr<'_> {
    fn wire_len(&self) -> usize {
        let items: usize = self.items.iter().map(|i| 2 + i.value.len()).sum();
        (4 + items + 4) & !3
    }
}

/// Every field of an SDES packet. `SdesRepr::parse(emit(x)) == x`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SdesRepr<'a> {
    /// The chunks.
    pub chunks: InlineVec<SdesChunkRepr<'a>, MAX_CHUNKS>,
}

impl<'a> SdesRepr<'a> {
    /// Reads a validated packet; `None` if a chunk has more than [`MAX_ITEMS`] items.
    #[inline]
    pub fn parse(sdes: &Sdes<'a>) -> Option<Self> {
        let mut repr = SdesRepr::default();
        for chunk in sdes.chunks() {
            let mut items = InlineVec::new();
            for item in chunk.items() {
                items.push(item).ok()?;
            }
            repr.chunks
                .push(SdesChunkRepr {
                    ssrc: chunk.ssrc(),
                    items,
                })
                .ok()?;
        }
        Some(repr)
    }

    /// Bytes [`SdesRepr::emit`] writes.
    pub fn buffer_len(&self) -> usize {
        HEADER_LEN
            + self
                .chunks
                .iter()
                .map(SdesChunkRepr::wire_len)
                .sum::<usize>()
    }

    /// Writes the packet at the start of `buf` and returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, EmitError> {
        for item in self.chunks.iter().flat_map(|c| c.items.iter()) {
            if item.kind == item::END {
                return Err(EmitError::InvalidValue {
                    field: "SDES item type (0 ends the list)",
                    value: 0,
                });
            }
            if item.value.len() > 255 {
                return Err(EmitError::FieldTooLarge {
                    field: "SDES item length",
                    value: item.value.len(),
                    max: 255,
                });
            }
        }
        let len = self.buffer_len();
        let out = check_buffer(buf, len)?;
        write_header(out, self.chunks.len() as u8, packet_type::SDES, len)?;
        let mut at = HEADER_LEN;
        for chunk in self.chunks.iter() {
            let end = at + chunk.wire_len();
            put_u32(out, at, chunk.ssrc);
            let mut pos = at + 4;
            for item in chunk.items.iter() {
                out[pos] = item.kind;
                out[pos + 1] = item.value.len() as u8;
                out[pos + 2..pos + 2 + item.value.len()].copy_from_slice(item.value);
                pos += 2 + item.value.len();
            }
            out[pos..end].fill(0);
            at = end;
        }
        Ok(len)
    }
}
