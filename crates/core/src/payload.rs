//! What the analysis needs of one RTP packet, and how payload types are resolved.

use crate::clock::{static_payload, ClockRateSource};

/// An encoding name stored inline (no allocation), e.g. `PCMU`, `opus`, `telephone-event`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Encoding {
    bytes: [u8; 23],
    len: u8,
}

impl Encoding {
    /// From a name; truncated to 23 bytes at a character boundary.
    pub fn new(name: &str) -> Self {
        let mut end = name.len().min(23);
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        let mut bytes = [0u8; 23];
        bytes[..end].copy_from_slice(&name.as_bytes()[..end]);
        Encoding {
            bytes,
            len: end as u8,
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or("")
    }
}

impl core::fmt::Debug for Encoding {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl core::fmt::Display for Encoding {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Encoding {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// What a payload type carries on a stream, and where that knowledge came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PayloadInfo {
    /// Encoding name.
    pub encoding: Encoding,
    /// RTP clock rate in Hz.
    pub clock_rate: u32,
    /// Where the rate came from.
    pub source: ClockRateSource,
}

impl PayloadInfo {
    /// From the RFC 3551 static table.
    pub fn from_static(payload_type: u8) -> Option<Self> {
        static_payload(payload_type).map(|p| PayloadInfo {
            encoding: Encoding::new(p.encoding),
            clock_rate: p.clock_rate,
            source: ClockRateSource::Static,
        })
    }

    /// Whether this is an RFC 4733 telephone event.
    pub fn is_telephone_event(&self) -> bool {
        crate::clock::is_telephone_event(self.encoding.as_str())
    }
}

/// Whether a payload is audible, as far as cheap inspection can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum PayloadClass {
    /// Not inspected (not G.711, or bytes not available).
    #[default]
    Unknown,
    /// G.711 digital silence: every sample at the codec's zero level.
    Silent,
    /// G.711 with signal.
    Audible,
}

/// Classifies a G.711 payload: PCMU silence is 0xFF/0x7F, PCMA silence is 0xD5/0x55.
///
/// ```
/// use rtpscope_core::payload::{classify_payload, PayloadClass};
/// assert_eq!(classify_payload(0, &[0xff; 160]), PayloadClass::Silent);
/// assert_eq!(classify_payload(8, &[0xd5; 160]), PayloadClass::Silent);
/// assert_eq!(classify_payload(0, &[0x10; 160]), PayloadClass::Audible);
/// assert_eq!(classify_payload(111, &[0; 10]), PayloadClass::Unknown);
/// ```
pub fn classify_payload(payload_type: u8, payload: &[u8]) -> PayloadClass {
    let target = match payload_type {
        0 => 0xffu8,
        8 => 0xd5,
        _ => return PayloadClass::Unknown,
    };
    if payload.is_empty() {
        return PayloadClass::Unknown;
    }
    // Each silence pair differs only in the top bit, so "every byte is one of the pair" is
    // "every byte differs from the first in the top bit at most". This runs on every G.711
    // packet and a silent one must be read to its end. Speech differs within the first eight
    // bytes, tested as one word; the whole payload is then folded with XOR and OR byte by
    // byte without a branch, the top bit masked once at the end: the compiler turns that
    // into a vector loop of two operations a step (masking every byte took a third).
    let wide = |byte: u8| u64::from_ne_bytes([byte; 8]);
    let head_differs = |w: &[u8; 8]| (u64::from_ne_bytes(*w) ^ wide(target)) & wide(0x7f) != 0;
    if payload.first_chunk::<8>().is_some_and(head_differs) {
        return PayloadClass::Audible;
    }
    if payload.iter().fold(0, |acc, &b| acc | (b ^ target)) & 0x7f == 0 {
        PayloadClass::Silent
    } else {
        PayloadClass::Audible
    }
}

/// The fields of one RTP packet the analysis uses: small, `Copy`, and all a pipeline needs
/// to carry between threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpHeader {
    /// Sequence number.
    pub sequence_number: u16,
    /// RTP timestamp.
    pub timestamp: u32,
    /// SSRC.
    pub ssrc: u32,
    /// Payload type.
    pub payload_type: u8,
    /// Marker bit.
    pub marker: bool,
    /// Payload length without padding.
    pub payload_len: u16,
    /// Silence classification of the payload.
    pub payload_class: PayloadClass,
}

impl RtpHeader {
    /// Reads the fields of a validated packet and classifies its payload.
    pub fn from_packet<T: AsRef<[u8]>>(p: &rtpscope_wire::RtpPacket<T>) -> Self {
        RtpHeader {
            sequence_number: p.sequence_number(),
            timestamp: p.timestamp(),
            ssrc: p.ssrc(),
            payload_type: p.payload_type(),
            marker: p.marker(),
            payload_len: u16::try_from(p.payload().len()).unwrap_or(u16::MAX),
            payload_class: classify_payload(p.payload_type(), p.payload()),
        }
    }

    /// Validates and reads an RTP packet of which a capture kept `captured`, `length` bytes
    /// long on the wire: [`Self::from_packet`] when it was kept whole, [`Self::from_cut_packet`]
    /// when the snap length cut it.
    #[inline(always)]
    pub fn read(captured: &[u8], length: usize) -> Result<Self, rtpscope_wire::RtpError> {
        let packet = rtpscope_wire::RtpPacket::new_checked_captured(captured, length)?;
        Ok(if captured.len() < length {
            Self::from_cut_packet(&packet, length)
        } else {
            Self::from_packet(&packet)
        })
    }

    /// Reads the fields of a packet the capture cut short (a short snap length) whose UDP
    /// payload was `length` bytes ([`rtpscope_wire::RtpPacket::new_checked_header`]): the
    /// payload's length is what the UDP header says less the RTP header (padding, if any,
    /// counted in: its count byte was not kept), and its content is unknown.
    ///
    /// ```
    /// use rtpscope_core::payload::{PayloadClass, RtpHeader};
    /// use rtpscope_wire::RtpPacket;
    /// let cut = [0x80, 0x00, 0, 1, 0, 0, 0, 160, 0, 0, 0, 7, 0xff, 0xff];
    /// let h = RtpHeader::from_cut_packet(&RtpPacket::new_checked_header(&cut[..]).unwrap(), 172);
    /// assert_eq!((h.sequence_number, h.payload_len), (1, 160));
    /// assert_eq!(h.payload_class, PayloadClass::Unknown);
    /// ```
    #[cold]
    #[inline(never)]
    pub fn from_cut_packet<T: AsRef<[u8]>>(p: &rtpscope_wire::RtpPacket<T>, length: usize) -> Self {
        let payload_len = length.saturating_sub(p.header_len());
        RtpHeader {
            payload_len: u16::try_from(payload_len).unwrap_or(u16::MAX),
            payload_class: PayloadClass::Unknown,
            ..Self::from_packet(p)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The plain definition: every byte is one of the codec's two zero levels.
    fn reference(payload_type: u8, payload: &[u8]) -> PayloadClass {
        let zero = match payload_type {
            0 => [0xff, 0x7f],
            8 => [0xd5, 0x55],
            _ => return PayloadClass::Unknown,
        };
        if payload.is_empty() {
            PayloadClass::Unknown
        } else if payload.iter().all(|b| zero.contains(b)) {
            PayloadClass::Silent
        } else {
            PayloadClass::Audible
        }
    }

    #[test]
    fn one_audible_byte_anywhere_is_found() {
        for (pt, zero) in [(0u8, [0xffu8, 0x7f]), (8, [0xd5, 0x55])] {
            for len in 1..=40 {
                let silent: Vec<u8> = (0..len).map(|i| zero[i % 2]).collect();
                assert_eq!(classify_payload(pt, &silent), PayloadClass::Silent, "{len}");
                for at in 0..len {
                    let mut p = silent.clone();
                    p[at] = 0x10;
                    assert_eq!(
                        classify_payload(pt, &p),
                        PayloadClass::Audible,
                        "{len} {at}"
                    );
                }
            }
        }
    }

    proptest! {
        #[test]
        fn word_at_a_time_equals_the_definition(
            pt in prop::sample::select(vec![0u8, 8, 9]),
            bytes in prop::collection::vec(prop::sample::select(vec![0xffu8, 0x7f, 0xd5, 0x55, 0x00, 0x80]), 0..200),
        ) {
            prop_assert_eq!(classify_payload(pt, &bytes), reference(pt, &bytes));
        }
    }
}
