//! Which protocol one UDP payload carries, by its first bytes (RFC 7983, RFC 5761).
//!
//! On a port shared by several protocols (WebRTC's ICE/DTLS/SRTP bundle, or RTP and RTCP
//! multiplexed per RFC 5761) the first byte tells them apart; for RTP versus RTCP the second
//! byte's packet type does (RTCP packet types 192–223 fall where an RTP marker bit plus
//! payload type 64–95 would, which RFC 5761 §4 forbids RTP to use).
//!
//! ```
//! use rtpscope_wire::{classify, PacketKind};
//! assert_eq!(classify(&[0x80, 0x00, 0, 1]), PacketKind::Rtp);
//! assert_eq!(classify(&[0x81, 201, 0, 7]), PacketKind::Rtcp);
//! assert_eq!(classify(&[0x00, 0x01, 0, 0]), PacketKind::Stun);
//! assert_eq!(classify(&[22, 0xfe, 0xfd]), PacketKind::Dtls);
//! ```

/// The protocol of one UDP payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum PacketKind {
    /// RTP (first byte 128–191, second byte not an RTCP packet type).
    Rtp,
    /// RTCP (first byte 128–191, packet type 192–223).
    Rtcp,
    /// STUN (first byte 0–3).
    Stun,
    /// ZRTP (first byte 16–19).
    Zrtp,
    /// DTLS (first byte 20–63).
    Dtls,
    /// TURN ChannelData (first byte 64–79).
    TurnChannel,
    /// Anything else, including an empty payload.
    Other,
}

impl PacketKind {
    /// A short lower-case name, stable for counters and JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            PacketKind::Rtp => "rtp",
            PacketKind::Rtcp => "rtcp",
            PacketKind::Stun => "stun",
            PacketKind::Zrtp => "zrtp",
            PacketKind::Dtls => "dtls",
            PacketKind::TurnChannel => "turn_channel",
            PacketKind::Other => "other",
        }
    }
}

/// Classifies a UDP payload by its first two bytes. Never fails: malformed input of a
/// recognised kind is left to that kind's parser to reject.
#[inline]
pub fn classify(payload: &[u8]) -> PacketKind {
    let Some(&first) = payload.first() else {
        return PacketKind::Other;
    };
    match first {
        0..=3 => PacketKind::Stun,
        16..=19 => PacketKind::Zrtp,
        20..=63 => PacketKind::Dtls,
        64..=79 => PacketKind::TurnChannel,
        128..=191 => match payload.get(1) {
            Some(192..=223) => PacketKind::Rtcp,
            _ => PacketKind::Rtp,
        },
        _ => PacketKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7983_ranges_are_exhaustive_and_disjoint() {
        for b in 0..=255u8 {
            let kind = classify(&[b, 0]);
            let expected = match b {
                0..=3 => PacketKind::Stun,
                16..=19 => PacketKind::Zrtp,
                20..=63 => PacketKind::Dtls,
                64..=79 => PacketKind::TurnChannel,
                128..=191 => PacketKind::Rtp,
                _ => PacketKind::Other,
            };
            assert_eq!(kind, expected, "first byte {b}");
        }
    }

    #[test]
    fn rfc5761_rtcp_packet_types() {
        for pt in 0..=255u8 {
            let kind = classify(&[0x80, pt]);
            if (192..=223).contains(&pt) {
                assert_eq!(kind, PacketKind::Rtcp, "pt {pt}");
            } else {
                assert_eq!(kind, PacketKind::Rtp, "pt {pt}");
            }
        }
        assert_eq!(classify(&[0x80]), PacketKind::Rtp);
        assert_eq!(classify(&[]), PacketKind::Other);
    }
}
