//! Errors of the RTP layer.

use core::fmt;

/// The part of an RTP packet that a length check was about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RtpPart {
    /// The 12-byte fixed header.
    FixedHeader,
    /// The CSRC list (4 bytes per CSRC counted in CC).
    Csrcs,
    /// The 4-byte header extension header (profile + length).
    ExtensionHeader,
    /// The header extension body (length × 4 bytes).
    ExtensionBody,
}

/// Why bytes are not a valid RTP packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RtpError {
    /// The packet ends before `part` does.
    Truncated {
        /// What was being read.
        part: RtpPart,
        /// Bytes needed from the start of the packet.
        needed: usize,
        /// Bytes available.
        available: usize,
    },
    /// The version field is not 2.
    BadVersion {
        /// The version found.
        version: u8,
    },
    /// The P bit is set but the last byte is 0 or counts more bytes than follow the header.
    BadPadding {
        /// The padding count found in the last byte.
        count: u8,
        /// Bytes after the header (the most the padding may take).
        available: usize,
    },
}

impl fmt::Display for RtpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            RtpError::Truncated {
                part,
                needed,
                available,
            } => write!(
                f,
                "RTP packet truncated in {part:?}: need {needed} bytes, have {available}"
            ),
            RtpError::BadVersion { version } => write!(f, "RTP version {version}, expected 2"),
            RtpError::BadPadding { count, available } => write!(
                f,
                "RTP padding count {count} invalid: must be 1..={available}"
            ),
        }
    }
}

impl core::error::Error for RtpError {}

/// Why a header-extension element list is malformed (RFC 8285).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtensionError {
    /// An element's declared length runs past the end of the extension block.
    ElementOverrun {
        /// The element's ID.
        id: u8,
        /// Offset of the element's first byte within the extension block.
        offset: usize,
        /// The element's declared data length.
        len: usize,
        /// Bytes left in the block after the element header.
        available: usize,
    },
    /// A two-byte element header is cut by the end of the block.
    HeaderTruncated {
        /// Offset of the element header within the extension block.
        offset: usize,
    },
}

impl fmt::Display for ExtensionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ExtensionError::ElementOverrun {
                id,
                offset,
                len,
                available,
            } => write!(
                f,
                "header extension element id {id} at offset {offset} declares {len} bytes, \
                 only {available} remain in the block"
            ),
            ExtensionError::HeaderTruncated { offset } => {
                write!(
                    f,
                    "header extension element header truncated at offset {offset}"
                )
            }
        }
    }
}

impl core::error::Error for ExtensionError {}
