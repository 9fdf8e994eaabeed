//! What a listener would notice, with the evidence and the advice.

use rtpscope_wire::{Flow, Timestamp};

use crate::report::{LatencyMethod, StreamKey};

/// The kind of trouble, as a caller would describe it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum SymptomKind {
    /// One side cannot hear the other.
    OneWayAudio,
    /// Audio stops, or carries only digital silence.
    NoAudio,
    /// Gaps and cut-outs.
    PacketLoss,
    /// Robotic, choppy audio; packets too late to be played.
    Jitter,
    /// Callers talk over each other.
    Delay,
    /// The E-model says listeners are dissatisfied.
    LowMos,
    /// Irregular stream: restarts, SSRC or codec changes, clock drift.
    Anomaly,
}

impl SymptomKind {
    /// Stable lower-case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            SymptomKind::OneWayAudio => "one_way_audio",
            SymptomKind::NoAudio => "no_audio",
            SymptomKind::PacketLoss => "packet_loss",
            SymptomKind::Jitter => "jitter",
            SymptomKind::Delay => "delay",
            SymptomKind::LowMos => "low_mos",
            SymptomKind::Anomaly => "anomaly",
        }
    }
}

/// How bad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Severity {
    /// Noticeable.
    Warning,
    /// The call is hard or impossible to hold.
    Critical,
}

/// The measurement behind a symptom.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Evidence {
    /// What was measured, e.g. `one_way_delay_ms`, `lost_pct`, `jitter_ms`.
    pub metric: &'static str,
    /// Its value.
    pub value: f64,
    /// The threshold it crossed.
    pub threshold: f64,
    /// Over what: e.g. "whole stream (20.0 s)", "3 of 5 intervals".
    pub window: String,
    /// How a latency figure was obtained, for delay symptoms.
    pub method: Option<LatencyMethod>,
}

/// One diagnosed problem on one stream.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Symptom {
    /// What kind.
    pub kind: SymptomKind,
    /// How bad.
    pub severity: Severity,
    /// Index into `AnalysisReport::streams` (post-hoc). In live events, where there is no
    /// report yet, it equals `stream_id`.
    pub stream: usize,
    /// The analyzer's stream identifier.
    pub stream_id: u64,
    /// Which way the audio flows, e.g. `198.51.100.1:7000 → 198.51.100.2:5004`.
    pub direction: String,
    /// When it started (as far as known).
    pub start: Timestamp,
    /// When it ended, or the last time it was seen.
    pub end: Timestamp,
    /// The measurement.
    pub evidence: Evidence,
    /// One plain sentence: what the listener hears and why.
    pub summary: String,
    /// What to do, from the troubleshooting guide.
    pub advice: &'static [&'static str],
}

/// Whether a live symptom appeared or went away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Change {
    /// Raised (or raised again with a higher severity).
    Raised,
    /// Cleared.
    Cleared,
}

/// A live symptom change from the [`Monitor`](super::Monitor).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SymptomEvent {
    /// Raised or cleared.
    pub change: Change,
    /// The stream's flow and SSRC.
    pub key: StreamKey,
    /// When (end of the interval that decided it).
    pub at: Timestamp,
    /// The symptom as raised (its `end` is `at` for a clear).
    pub symptom: Symptom,
}

impl SymptomEvent {
    /// Whether this raises a symptom.
    pub fn raised(&self) -> bool {
        self.change == Change::Raised
    }
}

/// `src → dst`.
pub(crate) fn direction(flow: &Flow) -> String {
    use core::fmt::Write;
    // Room for two IPv6 ends and the arrow: `to_string` would grow the string three times.
    let mut out = String::with_capacity(2 * 47 + 5);
    let _ = write!(out, "{}", Direction(flow));
    out
}

/// `src → dst`, written only if a symptom is actually made (most streams have none).
pub(crate) struct Direction<'a>(pub &'a Flow);

impl core::fmt::Display for Direction<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} → {}", self.0.src_end(), self.0.dst_end())
    }
}

/// Encodings that are video: voice symptoms do not apply to them.
const VIDEO: [&str; 11] = [
    "VP8",
    "VP9",
    "H264",
    "H265",
    "AV1",
    "H261",
    "H263",
    "H263-1998",
    "JPEG",
    "MPV",
    "MP2T",
];

/// Whether a stream carries audio (anything not known to be video; 90 kHz is a video clock).
pub(crate) fn is_audio(encoding: Option<&str>, clock_rate: Option<u32>) -> bool {
    let video_name = encoding.is_some_and(|e| VIDEO.iter().any(|v| v.eq_ignore_ascii_case(e)));
    !video_name && clock_rate != Some(90_000)
}

/// Milliseconds as "1.2 s" or "340 ms".
pub(crate) fn human_ms(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.1} s", ms / 1000.0)
    } else {
        format!("{ms:.0} ms")
    }
}
