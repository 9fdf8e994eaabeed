//! Events the analyzer emits through `poll_event`.

use rtpscope_wire::Timestamp;

use crate::diagnosis::SymptomEvent;
use crate::report::{IntervalReport, StreamKey, StreamReport};

/// Something worth telling the caller about.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "event", rename_all = "snake_case"))]
pub enum Event {
    /// The first packet of a new stream.
    StreamStarted {
        /// Stream identifier.
        id: u64,
        /// Flow and SSRC.
        key: StreamKey,
        /// Arrival of the first packet.
        at: Timestamp,
    },
    /// A reporting interval closed.
    Interval(IntervalReport),
    /// A stream ended (BYE, idle, evicted, or end of analysis), with its final report.
    StreamEnded(Box<StreamReport>),
    /// Something irregular on a stream.
    Anomaly {
        /// Stream identifier.
        id: u64,
        /// Flow and SSRC.
        key: StreamKey,
        /// When it was seen.
        at: Timestamp,
        /// What.
        anomaly: Anomaly,
    },
    /// An RTCP round-trip sample: one leg, capture point → reporter → capture point.
    RoundTrip {
        /// The SSRC whose report block measured it.
        reporter: u32,
        /// The SSRC of the SR sender.
        source: u32,
        /// When the report arrived.
        at: Timestamp,
        /// The leg's round trip in ms.
        rtt_ms: f64,
    },
    /// A live symptom raised or cleared by the diagnosis monitor (with hysteresis).
    Symptom(SymptomEvent),
}

/// Irregularities worth an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "kind", rename_all = "snake_case"))]
pub enum Anomaly {
    /// The sender restarted its sequence numbering.
    SequenceRestart,
    /// A sequence number jumped beyond the dropout/misorder bounds.
    SequenceJump {
        /// The highest sequence number before.
        from: u16,
        /// The one that jumped.
        to: u16,
    },
    /// The payload type changed.
    PayloadTypeChange {
        /// Before.
        from: u8,
        /// After.
        to: u8,
    },
    /// A new SSRC appeared on a flow that already carried another one.
    SsrcChange {
        /// The earlier SSRC on the flow.
        previous: u32,
    },
    /// The source passed RFC 3550 probation.
    Validated,
}
