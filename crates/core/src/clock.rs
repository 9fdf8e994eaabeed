//! RTP clock rates: the RFC 3551 static table, and where each stream's rate came from.
//!
//! ```
//! use rtpscope_core::clock::static_payload;
//! assert_eq!(static_payload(0).map(|p| p.clock_rate), Some(8000));
//! assert_eq!(static_payload(9).map(|p| p.encoding), Some("G722")); // 8000 by RFC 3551 §4.5.2
//! assert_eq!(static_payload(2).map(|p| p.encoding), Some("G721")); // RFC 1890, as tshark
//! assert_eq!(static_payload(20), None); // unassigned
//! assert_eq!(static_payload(96), None);
//! ```

/// How a stream's clock rate was determined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum ClockRateSource {
    /// The RFC 3551 table of static payload types.
    Static,
    /// An SDP `a=rtpmap` seen in signalling.
    Sdp,
    /// Given by the caller's configuration.
    Config,
    /// Inferred from the slope of RTP timestamps against arrival times.
    Inferred,
}

impl ClockRateSource {
    /// Stable lower-case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            ClockRateSource::Static => "static",
            ClockRateSource::Sdp => "sdp",
            ClockRateSource::Config => "config",
            ClockRateSource::Inferred => "inferred",
        }
    }
}

/// What a payload type carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaticPayload {
    /// Encoding name as in SDP / RFC 3551.
    pub encoding: &'static str,
    /// RTP clock rate in Hz.
    pub clock_rate: u32,
}

/// The RFC 3551 §6 table of static audio/video payload types, with RFC 1890's 1 and 2.
pub fn static_payload(payload_type: u8) -> Option<StaticPayload> {
    let (encoding, clock_rate) = match payload_type {
        0 => ("PCMU", 8000),
        // RFC 1890's FS-1016 CELP and G.721 (G.726 at 32 kbit/s): reserved since RFC 3551,
        // still sent by old gateways, and still 8 kHz to Wireshark.
        1 => ("1016", 8000),
        2 => ("G721", 8000),
        3 => ("GSM", 8000),
        4 => ("G723", 8000),
        5 => ("DVI4", 8000),
        6 => ("DVI4", 16000),
        7 => ("LPC", 8000),
        8 => ("PCMA", 8000),
        9 => ("G722", 8000),
        10 | 11 => ("L16", 44100),
        12 => ("QCELP", 8000),
        13 => ("CN", 8000),
        14 => ("MPA", 90000),
        15 => ("G728", 8000),
        16 => ("DVI4", 11025),
        17 => ("DVI4", 22050),
        18 => ("G729", 8000),
        19 => ("CN", 8000), // the pre-RFC 3551 comfort noise type some phones still send
        25 => ("CelB", 90000),
        26 => ("JPEG", 90000),
        28 => ("nv", 90000),
        31 => ("H261", 90000),
        32 => ("MPV", 90000),
        33 => ("MP2T", 90000),
        34 => ("H263", 90000),
        _ => return None,
    };
    Some(StaticPayload {
        encoding,
        clock_rate,
    })
}

/// Whether a payload type number means comfort noise (RFC 3389 PT 13, legacy 19).
pub const fn is_comfort_noise(payload_type: u8) -> bool {
    matches!(payload_type, 13 | 19)
}

/// Whether an encoding name is an RFC 4733 telephone event (DTMF), whose timestamps mark the
/// event start and so say nothing about network timing.
pub fn is_telephone_event(encoding: &str) -> bool {
    encoding.eq_ignore_ascii_case("telephone-event")
}

/// Clock rates an inferred rate snaps to.
pub const INFERABLE_RATES: [u32; 8] = [8000, 12000, 16000, 24000, 32000, 44100, 48000, 90000];

/// How far (relative) a measured rate may lie from the common rate it snaps to.
pub const SNAP_TOLERANCE: f64 = 0.04;

/// Snaps a measured timestamp rate (Hz) to the nearest common clock rate, if within 4 %.
///
/// ```
/// use rtpscope_core::clock::snap_clock_rate;
/// assert_eq!(snap_clock_rate(47_300.0), Some(48_000));
/// assert_eq!(snap_clock_rate(89_000.0), Some(90_000));
/// assert_eq!(snap_clock_rate(60_000.0), None);
/// ```
pub fn snap_clock_rate(measured_hz: f64) -> Option<u32> {
    if !measured_hz.is_finite() || measured_hz <= 0.0 {
        return None;
    }
    INFERABLE_RATES
        .iter()
        .map(|&r| (r, (measured_hz / f64::from(r) - 1.0).abs()))
        .filter(|&(_, err)| err <= SNAP_TOLERANCE)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(r, _)| r)
}
