//! Zero-copy views of RTP (RFC 3550 §5) and RTCP (RFC 3550 §6, RFC 3611, RFC 4585) packets,
//! their emitters, and the RFC 7983 / RFC 5761 demultiplexer for one UDP payload.
//!
//! Every view follows the same contract, borrowed from smoltcp: `new_checked` validates the
//! whole structure once and returns a precise error; after that every accessor is infallible
//! and cannot panic. Nothing here allocates, and the crate is `no_std`.
//!
//! ```
//! use rtpscope_wire::rtp::RtpPacket;
//!
//! let bytes = [0x80, 0x00, 0x00, 0x01, 0, 0, 0, 160, 0xde, 0xad, 0xbe, 0xef, 0xff, 0xfe];
//! let packet = RtpPacket::new_checked(&bytes[..]).unwrap();
//! assert_eq!(packet.sequence_number(), 1);
//! assert_eq!(packet.timestamp(), 160);
//! assert_eq!(packet.ssrc(), 0xdead_beef);
//! assert_eq!(packet.payload(), &[0xff, 0xfe]);
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(test)]
extern crate std;

pub mod demux;
pub mod endpoint;
mod field;
pub mod flow;
#[doc(hidden)]
pub mod fuzzing;
pub mod inline;
pub mod rtcp;
pub mod rtp;
pub mod time;

pub use demux::{classify, PacketKind};
pub use endpoint::{Address, Endpoint};
pub use flow::Flow;
pub use rtcp::{CompoundIter, RtcpError, RtcpPacket};
pub use rtp::{RtpError, RtpPacket, RtpRepr};
pub use time::Timestamp;

/// Why an emitter could not write a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmitError {
    /// The output buffer is shorter than the packet.
    BufferTooShort {
        /// Bytes the packet needs.
        needed: usize,
        /// Bytes the buffer has.
        available: usize,
    },
    /// A field does not fit its wire width (e.g. 16 CSRCs, an extension that is not a whole
    /// number of 32-bit words, more than 31 report blocks).
    FieldTooLarge {
        /// Which field.
        field: &'static str,
        /// The value given.
        value: usize,
        /// The largest value the format allows.
        max: usize,
    },
    /// A field holds a value the format cannot carry (e.g. SDES item type 0, which ends the
    /// list, or a body that is not a whole number of 32-bit words).
    InvalidValue {
        /// Which field.
        field: &'static str,
        /// The value given.
        value: usize,
    },
}

impl core::fmt::Display for EmitError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            EmitError::BufferTooShort { needed, available } => {
                write!(
                    f,
                    "output buffer too short: need {needed} bytes, have {available}"
                )
            }
            EmitError::FieldTooLarge { field, value, max } => {
                write!(f, "{field} = {value} does not fit (at most {max})")
            }
            EmitError::InvalidValue { field, value } => write!(f, "{field} = {value} is invalid"),
        }
    }
}

impl core::error::Error for EmitError {}
