//! RTP header extensions and their RFC 8285 elements.
//!
//! RFC 8285 defines two element layouts inside the RFC 3550 extension block: one-byte headers
//! (profile `0xBEDE`: 4-bit ID, 4-bit length − 1) and two-byte headers (profile `0x100X`:
//! 8-bit ID, 8-bit length). ID 0 is a padding byte in both. In the one-byte form ID 15 is
//! reserved and ends parsing (§4.2). An element whose length runs past the block is an error:
//! reading on would misinterpret the payload as extension data.
//!
//! ```
//! use rtpscope_wire::rtp::Extension;
//!
//! // audio level (id 1, 1 byte) then abs-send-time (id 3, 3 bytes), as WebRTC sends them.
//! let ext = Extension::new(0xBEDE, &[0x10, 0xaa, 0x32, 1, 2, 3, 0, 0]);
//! let ids: Vec<(u8, usize)> =
//!     ext.elements().map(|e| e.map(|e| (e.id, e.data.len()))).collect::<Result<_, _>>().unwrap();
//! assert_eq!(ids, [(1, 1), (3, 3)]);
//! ```

use super::ExtensionError;

/// The one-byte element profile (RFC 8285 §4.2).
pub const ONE_BYTE_PROFILE: u16 = 0xBEDE;
/// The two-byte element profile, without its 4 "appbits" (RFC 8285 §4.3).
pub const TWO_BYTE_PROFILE: u16 = 0x1000;

/// An RTP header extension block: the 16-bit profile field and the data after the length word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extension<'a> {
    profile: u16,
    data: &'a [u8],
}

/// The element layout of an extension block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtensionLayout {
    /// RFC 8285 one-byte headers.
    OneByte,
    /// RFC 8285 two-byte headers, with the 4 application bits of the profile field.
    TwoByte {
        /// The low 4 bits of the profile field.
        appbits: u8,
    },
    /// Another profile's extension: exposed raw.
    Other,
}

impl<'a> Extension<'a> {
    /// An extension block from its profile field and data (a multiple of 4 bytes on the wire).
    #[inline]
    pub const fn new(profile: u16, data: &'a [u8]) -> Self {
        Extension { profile, data }
    }

    /// The 16-bit "defined by profile" field.
    #[inline]
    pub fn profile(&self) -> u16 {
        self.profile
    }

    /// The raw extension data (without the 4-byte extension header).
    #[inline]
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// Which element layout the profile field announces.
    #[inline]
    pub fn layout(&self) -> ExtensionLayout {
        if self.profile == ONE_BYTE_PROFILE {
            ExtensionLayout::OneByte
        } else if self.profile & 0xfff0 == TWO_BYTE_PROFILE {
            ExtensionLayout::TwoByte {
                appbits: (self.profile & 0x0f) as u8,
            }
        } else {
            ExtensionLayout::Other
        }
    }

    /// The RFC 8285 elements; empty for other profiles (use [`Extension::data`]).
    #[inline]
    pub fn elements(&self) -> ExtensionElements<'a> {
        ExtensionElements {
            layout: self.layout(),
            rest: self.data,
            block_len: self.data.len(),
        }
    }
}

/// One RFC 8285 header extension element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtensionElement<'a> {
    /// The element ID (1–14 one-byte, 1–255 two-byte).
    pub id: u8,
    /// The element data.
    pub data: &'a [u8],
}

/// Iterator over RFC 8285 elements. Yields an error once and then stops.
#[derive(Debug, Clone)]
pub struct ExtensionElements<'a> {
    layout: ExtensionLayout,
    /// The bytes not yet read.
    rest: &'a [u8],
    /// Length of the whole block, to report error offsets.
    block_len: usize,
}

impl<'a> ExtensionElements<'a> {
    /// Offset of the next unread byte within the block.
    #[inline]
    fn offset(&self) -> usize {
        self.block_len - self.rest.len()
    }

    /// Reports `error` and ends the iteration.
    ///
    /// Inline, with the error built by a cold free function: a cold method taking `&mut self`
    /// would make the iterator's address escape, and then every element would reload its
    /// state from memory around any opaque call in the caller's loop.
    #[inline]
    fn fail(
        &mut self,
        error: ExtensionError,
    ) -> Option<Result<ExtensionElement<'a>, ExtensionError>> {
        self.rest = &[];
        Some(Err(error))
    }

    /// Takes an element of `len` bytes from `body` (the bytes after its header); `offset` is
    /// where its header starts in the block, for the error.
    #[inline]
    fn element(
        &mut self,
        id: u8,
        body: &'a [u8],
        len: usize,
        offset: usize,
    ) -> Option<Result<ExtensionElement<'a>, ExtensionError>> {
        match body.split_at_checked(len) {
            Some((data, rest)) => {
                self.rest = rest;
                Some(Ok(ExtensionElement { id, data }))
            }
            None => self.fail(overrun(id, offset, len, body.len())),
        }
    }

    #[inline]
    fn next_one_byte(&mut self) -> Option<Result<ExtensionElement<'a>, ExtensionError>> {
        // Walk a local copy so that padding bytes are skipped in registers.
        let mut rest = self.rest;
        while let Some((&byte, tail)) = rest.split_first() {
            let id = byte >> 4;
            // Elements (IDs 1–14) first: they are the common case.
            if id.wrapping_sub(1) < 14 {
                let offset = self.block_len - rest.len();
                return self.element(id, tail, usize::from(byte & 0x0f) + 1, offset);
            }
            if id != 0 {
                // ID 15: reserved, stop (RFC 8285 §4.2).
                break;
            }
            rest = tail;
        }
        self.rest = &[];
        None
    }

    #[inline]
    fn next_two_byte(&mut self) -> Option<Result<ExtensionElement<'a>, ExtensionError>> {
        loop {
            match *self.rest {
                [] => return None,
                [0, ..] => self.rest = &self.rest[1..],
                [id, len, ref body @ ..] => {
                    return self.element(id, body, usize::from(len), self.offset())
                }
                [_] => {
                    let offset = self.offset();
                    return self.fail(ExtensionError::HeaderTruncated { offset });
                }
            }
        }
    }
}

/// The error for an element of `len` bytes at `offset` where only `available` remain.
#[cold]
fn overrun(id: u8, offset: usize, len: usize, available: usize) -> ExtensionError {
    ExtensionError::ElementOverrun {
        id,
        offset,
        len,
        available,
    }
}

impl<'a> Iterator for ExtensionElements<'a> {
    type Item = Result<ExtensionElement<'a>, ExtensionError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        match self.layout {
            ExtensionLayout::OneByte => self.next_one_byte(),
            ExtensionLayout::TwoByte { .. } => self.next_two_byte(),
            ExtensionLayout::Other => None,
        }
    }
}

impl core::iter::FusedIterator for ExtensionElements<'_> {}
