//! The one error type of this crate.
//!
//! Every error that comes from reading a capture names the byte offset in the input where the
//! bad record or block starts, so that a user can look at it with a hex viewer. Frames read
//! before an error have already been delivered: the reader stops at the error and does not
//! throw away what it read.
//!
//! ```
//! use rtpscope_capture::{CaptureError, CaptureReader};
//!
//! let err = CaptureReader::new(&b"not a capture file"[..]).unwrap_err();
//! assert!(matches!(err, CaptureError::BadMagic { offset: 0, .. }));
//! assert_eq!(err.offset(), Some(0));
//! ```

use std::fmt;
use std::io;

/// Why a capture could not be read (further).
#[derive(Debug)]
#[non_exhaustive]
pub enum CaptureError {
    /// Reading the input failed.
    Io {
        /// Offset of the first byte not yet read.
        offset: u64,
        /// The operating-system error.
        source: io::Error,
    },
    /// The input is empty.
    Empty,
    /// The first four bytes are neither a pcap nor a pcapng magic number.
    BadMagic {
        /// Always 0: where the magic number was expected.
        offset: u64,
        /// The four bytes found, big-endian.
        found: u32,
    },
    /// The input ends inside a header, record or block.
    Truncated {
        /// Start of the header, record or block that is cut short.
        offset: u64,
        /// What was being read.
        what: &'static str,
        /// Bytes it needs.
        needed: u64,
        /// Bytes that were left.
        available: u64,
    },
    /// A record or block declares a length larger than any real capture uses.
    RecordTooLarge {
        /// Start of the record or block.
        offset: u64,
        /// The declared length.
        len: u64,
        /// The largest length this reader accepts.
        max: u64,
    },
    /// A header or block is malformed (bad length field, bad byte-order magic, ...).
    Malformed {
        /// Start of the header or block.
        offset: u64,
        /// What is wrong.
        what: &'static str,
    },
    /// Opening a live interface failed for lack of privileges.
    PermissionDenied {
        /// The interface name.
        interface: String,
    },
    /// A live interface does not exist or cannot be opened.
    Interface {
        /// The interface name.
        interface: String,
        /// Why.
        reason: String,
    },
}

impl CaptureError {
    /// The byte offset in the input, when the error is about the input's content.
    pub fn offset(&self) -> Option<u64> {
        match *self {
            CaptureError::Io { offset, .. }
            | CaptureError::BadMagic { offset, .. }
            | CaptureError::Truncated { offset, .. }
            | CaptureError::RecordTooLarge { offset, .. }
            | CaptureError::Malformed { offset, .. } => Some(offset),
            CaptureError::Empty
            | CaptureError::PermissionDenied { .. }
            | CaptureError::Interface { .. } => None,
        }
    }
}

impl fmt::Display for CaptureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaptureError::Io { offset, source } => write!(f, "read error at byte {offset}: {source}"),
            CaptureError::Empty => write!(f, "the input is empty"),
            CaptureError::BadMagic { offset, found } => write!(
                f,
                "not a pcap or pcapng file: magic number {found:#010x} at byte {offset}"
            ),
            CaptureError::Truncated { offset, what, needed, available } => write!(
                f,
                "capture truncated: {what} at byte {offset} needs {needed} bytes, only {available} left"
            ),
            CaptureError::RecordTooLarge { offset, len, max } => write!(
                f,
                "record at byte {offset} declares {len} bytes (more than the {max} accepted)"
            ),
            CaptureError::Malformed { offset, what } => write!(f, "malformed capture at byte {offset}: {what}"),
            CaptureError::PermissionDenied { interface } => write!(
                f,
                "permission denied opening interface {interface}: live capture needs root or CAP_NET_RAW \
                 (sudo setcap cap_net_raw+ep <binary>)"
            ),
            CaptureError::Interface { interface, reason } => write!(f, "cannot capture on {interface}: {reason}"),
        }
    }
}

impl std::error::Error for CaptureError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CaptureError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
