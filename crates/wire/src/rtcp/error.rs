//! Errors of the RTCP layer.

use core::fmt;

/// Why bytes are not a valid RTCP packet or compound packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RtcpError {
    /// Fewer bytes than the structure needs.
    Truncated {
        /// What was being read (e.g. "common header", "sender info", "report block").
        what: &'static str,
        /// Offset of the packet within the compound packet.
        offset: usize,
        /// Bytes needed.
        needed: usize,
        /// Bytes available.
        available: usize,
    },
    /// The version field is not 2.
    BadVersion {
        /// The version found.
        version: u8,
        /// Offset of the packet within the compound packet.
        offset: usize,
    },
    /// The P bit is set but the padding count is 0 or larger than the packet body.
    BadPadding {
        /// The padding count found.
        count: u8,
        /// Offset of the packet within the compound packet.
        offset: usize,
    },
    /// The packet type is not an RTCP type (200–223 are assigned or reserved for RTCP).
    NotRtcp {
        /// The packet type found.
        packet_type: u8,
        /// Offset of the packet within the compound packet.
        offset: usize,
    },
    /// A field's value contradicts the packet length (e.g. an SDES chunk without its end).
    Malformed {
        /// What is inconsistent.
        what: &'static str,
        /// Offset of the packet within the compound packet.
        offset: usize,
    },
}

impl fmt::Display for RtcpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            RtcpError::Truncated {
                what,
                offset,
                needed,
                available,
            } => write!(
                f,
                "RTCP {what} at offset {offset} truncated: need {needed} bytes, have {available}"
            ),
            RtcpError::BadVersion { version, offset } => {
                write!(
                    f,
                    "RTCP packet at offset {offset} has version {version}, expected 2"
                )
            }
            RtcpError::BadPadding { count, offset } => {
                write!(
                    f,
                    "RTCP packet at offset {offset} has invalid padding count {count}"
                )
            }
            RtcpError::NotRtcp {
                packet_type,
                offset,
            } => {
                write!(
                    f,
                    "packet type {packet_type} at offset {offset} is not RTCP"
                )
            }
            RtcpError::Malformed { what, offset } => {
                write!(f, "RTCP packet at offset {offset} malformed: {what}")
            }
        }
    }
}

impl core::error::Error for RtcpError {}
