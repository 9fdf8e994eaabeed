//! Snapshots the analysis hands out: per stream, per interval, and RTCP-derived latency.
//!
//! ```
//! use rtpscope_core::report::{MinMeanMax, StreamKey};
//! use rtpscope_core::Flow;
//!
//! let key = StreamKey { flow: Flow::new("192.0.2.1:4000".parse().unwrap(),
//!                                       "192.0.2.2:5004".parse().unwrap()), ssrc: 7 };
//! assert_eq!(key.flow.reversed().src_port(), 5004);
//! assert_eq!(MinMeanMax::default().min, None); // nothing measured yet
//! ```

use rtpscope_wire::{Flow, Timestamp};

use crate::burst::BurstMetrics;
use crate::clock::ClockRateSource;
use crate::payload::Encoding;
use crate::wireshark::Extremes;

/// A stream: one SSRC on one UDP flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct StreamKey {
    /// The UDP flow.
    pub flow: Flow,
    /// The SSRC.
    pub ssrc: u32,
}

/// Why a stream ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum EndReason {
    /// An RTCP BYE named its SSRC.
    Bye,
    /// No packet for the idle timeout.
    Idle,
    /// Evicted to make room (the stream table was full).
    Evicted,
    /// The analysis finished (end of input).
    Finished,
}

/// Min / mean / max in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MinMeanMax {
    /// Smallest (absent when nothing was measured).
    pub min: Option<f64>,
    /// Mean.
    pub mean: Option<f64>,
    /// Largest.
    pub max: Option<f64>,
}

impl MinMeanMax {
    pub(crate) fn from_extremes(e: Extremes) -> Self {
        match e.min {
            Some(min) => MinMeanMax {
                min: Some(min),
                mean: Some(e.mean),
                max: Some(e.max),
            },
            None => MinMeanMax::default(),
        }
    }
}

/// Jitter figures in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct JitterReport {
    /// RFC 3550 jitter after the last packet: what an RTCP RR would carry.
    pub final_ms: Option<f64>,
    /// The same in timestamp units.
    pub final_timestamp_units: Option<f64>,
    /// Wireshark-rule min / mean / max of the running jitter (equal to tshark's columns).
    pub min: Option<f64>,
    /// See `min`.
    pub mean: Option<f64>,
    /// See `min`.
    pub max: Option<f64>,
    /// Percentiles of the running RFC 3550 jitter over every packet.
    pub p50: Option<f64>,
    /// See `p50`.
    pub p90: Option<f64>,
    /// See `p50`.
    pub p99: Option<f64>,
    /// Running-jitter samples above the histogram's 1 s bound: counted, not in the percentiles.
    pub above_histogram: u64,
}

/// Burst / gap loss with durations.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BurstReport {
    /// RFC 3611 metrics.
    pub metrics: BurstMetrics,
    /// Mean burst duration in ms.
    pub burst_duration_ms: f64,
    /// Duration of the longest burst in ms.
    pub longest_burst_ms: f64,
    /// Mean gap duration in ms.
    pub gap_duration_ms: f64,
}

/// Everything measured on one stream.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct StreamReport {
    /// Identifier, unique within one analyzer.
    pub id: u64,
    /// Flow and SSRC.
    pub key: StreamKey,
    /// The payload type of the first packet.
    pub payload_type: u8,
    /// Every payload type seen (up to 8).
    pub payload_types: Vec<u8>,
    /// Those of `payload_types` whose encoding is known (RFC 3551, SDP or configuration) and
    /// is a codec, not a telephone event.
    pub described_codecs: Vec<u8>,
    /// Encoding of the first packet's payload type, if known.
    pub encoding: Option<Encoding>,
    /// After a mid-call codec change on one SSRC, the codec the stream was last sending,
    /// when it is not `encoding` and `clock_rate` is its rate (the timing since the switch
    /// is in its units). Comfort noise and telephone events are no switch.
    pub switched_to: Option<Encoding>,
    /// Clock rate used for timing (Hz).
    pub clock_rate: Option<u32>,
    /// Where the clock rate came from.
    pub clock_rate_source: Option<ClockRateSource>,
    /// Arrival of the first packet.
    pub first_arrival: Timestamp,
    /// Arrival of the last packet.
    pub last_arrival: Timestamp,
    /// Packets received, duplicates included.
    pub packets: u64,
    /// Packets expected from the sequence numbers (RFC 3550 A.3).
    pub expected: u64,
    /// Cumulative lost: expected − packets (negative with duplicates).
    pub lost: i64,
    /// lost / expected × 100.
    pub lost_pct: f64,
    /// Packets that never arrived, as a share of those expected (%): `lost` plus the
    /// duplicates, strays and packets numbered before the first to arrive, which offset as
    /// many losses in it ([`crate::seq::missing_pct`]). What the diagnosis and MOS take as
    /// loss.
    pub missing_pct: f64,
    /// Duplicate packets.
    pub duplicates: u64,
    /// Late (reordered) packets.
    pub late: u64,
    /// Sequence jumps beyond MAX_DROPOUT / MAX_MISORDER that were not a restart.
    pub seq_jumps: u64,
    /// Restarts of the sender's sequence numbering.
    pub restarts: u64,
    /// Steps of the timestamps against arrival (over a second) while the numbering ran on: a
    /// sender's clock reset, a mixer switching sources. The clock slope (drift) and the
    /// transit range (lateness, delay variation) start over at each.
    pub timestamp_steps: u64,
    /// Payload type changes (comfort noise and telephone events included).
    pub payload_type_changes: u64,
    /// Whether the source passed RFC 3550 probation.
    pub valid: bool,
    /// Interarrival delta, Wireshark rules.
    pub delta_ms: MinMeanMax,
    /// Jitter.
    pub jitter_ms: JitterReport,
    /// Least-squares timestamp rate against arrival time (Hz).
    pub measured_rate_hz: Option<f64>,
    /// Sender clock drift relative to the capture clock (ppm).
    pub drift_ppm: Option<f64>,
    /// Relative transit range (max − min) in ms.
    pub delay_variation_ms: Option<f64>,
    /// Burst / gap loss.
    pub burst: BurstReport,
    /// MOS-LQ (E-model, no delay), if the codec is covered.
    pub mos_lq: Option<f64>,
    /// Packets that arrived later than the jitter-buffer depth allows (jitter-induced loss).
    pub late_for_buffer: u64,
    /// Payload bytes (without padding).
    pub payload_bytes: u64,
    /// G.711 packets that were digital silence.
    pub silent_packets: u64,
    /// Longest run of G.711 digital silence in ms.
    pub longest_silence_ms: f64,
    /// Why it ended, if it did.
    pub ended: Option<EndReason>,
}

/// One stream over one reporting interval.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct IntervalReport {
    /// Stream identifier.
    pub id: u64,
    /// Flow and SSRC.
    pub key: StreamKey,
    /// Interval start.
    pub start: Timestamp,
    /// Interval end.
    pub end: Timestamp,
    /// Packets received in the interval.
    pub packets: u64,
    /// Packets expected in the interval.
    pub expected: u64,
    /// Lost in the interval (negative with duplicates).
    pub lost: i64,
    /// lost / expected × 100 (0 when nothing expected).
    pub lost_pct: f64,
    /// Duplicates received in the interval.
    pub duplicates: u64,
    /// Packets of the interval that never arrived (%), whatever else arrived
    /// ([`crate::seq::missing_pct`]).
    pub missing_pct: f64,
    /// RFC 3550 jitter at the end of the interval (ms).
    pub jitter_ms: Option<f64>,
    /// Largest running jitter in the interval (ms).
    pub max_jitter_ms: Option<f64>,
    /// Packets later than the jitter-buffer depth (jitter-induced loss).
    pub late_for_buffer: u64,
    /// MOS-LQ over the interval (none when no packet arrived in it).
    pub mos_lq: Option<f64>,
    /// G.711 packets in the interval that were digital silence.
    pub silent_packets: u64,
    /// Whether the stream's source passed probation.
    pub valid: bool,
}

/// How a latency figure was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum LatencyMethod {
    /// RTCP: report arrival − LSR − DLSR at the capture point (RFC 3550 §6.4.1), one leg.
    RtcpLeg,
    /// Sum of both legs of a call seen at the capture point.
    RtcpRoundTrip,
    /// Half of the round trip.
    HalfRoundTrip,
    /// Capture time − SR NTP time; only meaningful when sender and capture share a clock.
    SenderReportClock,
}

/// Round-trip samples of one leg: capture point → reporting endpoint → capture point.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RttLeg {
    /// SSRC whose report blocks measured it (the receiver).
    pub reporter: u32,
    /// SSRC of the SR sender the blocks reported on.
    pub source: u32,
    /// Samples.
    pub samples: u64,
    /// Smallest (ms).
    pub min_ms: f64,
    /// Mean (ms).
    pub mean_ms: f64,
    /// Largest (ms).
    pub max_ms: f64,
    /// Most recent (ms).
    pub last_ms: f64,
}

/// What a receiver reported about a source in its RTCP report blocks.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RemoteView {
    /// The reporting SSRC.
    pub reporter: u32,
    /// The source reported on.
    pub source: u32,
    /// Last fraction lost (0–1).
    pub fraction_lost: f64,
    /// Last cumulative lost.
    pub cumulative_lost: i32,
    /// Last jitter in timestamp units.
    pub jitter_units: u32,
    /// Last extended highest sequence number.
    pub extended_highest_seq: u32,
    /// Reports seen.
    pub reports: u64,
    /// When the last one arrived.
    pub at: Timestamp,
}

/// Sender-report facts about one SSRC.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SenderView {
    /// The sender SSRC.
    pub ssrc: u32,
    /// SRs seen.
    pub reports: u64,
    /// Last packet count the sender claimed.
    pub packet_count: u32,
    /// Last octet count the sender claimed.
    pub octet_count: u32,
    /// Capture time − SR NTP wallclock, min over SRs (ms). Same-clock captures only.
    pub sr_clock_delay_ms: Option<f64>,
}

/// An RFC 3611 VoIP Metrics report block (XR BT = 7): the receiving endpoint's own view of
/// the call quality, as it reported it.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct XrVoipView {
    /// The SSRC that sent the XR (the reporting endpoint).
    pub reporter: u32,
    /// The source the metrics are about.
    pub source: u32,
    /// Packets lost (0–1).
    pub loss_rate: f64,
    /// Packets discarded by the jitter buffer, late or early (0–1).
    pub discard_rate: f64,
    /// Lost or discarded within bursts (0–1).
    pub burst_density: f64,
    /// Lost or discarded within gaps (0–1).
    pub gap_density: f64,
    /// Mean burst duration (ms).
    pub burst_duration_ms: u16,
    /// Mean gap duration (ms).
    pub gap_duration_ms: u16,
    /// The endpoint's round-trip delay (ms).
    pub round_trip_delay_ms: u16,
    /// The endpoint's own delay (ms): jitter buffer, codec and packetisation.
    pub end_system_delay_ms: u16,
    /// R factor, if the endpoint computed one.
    pub r_factor: Option<u8>,
    /// MOS-LQ, if the endpoint computed one.
    pub mos_lq: Option<f64>,
    /// MOS-CQ, if the endpoint computed one.
    pub mos_cq: Option<f64>,
    /// Reports seen.
    pub reports: u64,
    /// When the last one arrived.
    pub at: Timestamp,
}

/// RTCP-derived facts, keyed by SSRC.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RtcpReport {
    /// Round-trip legs.
    pub legs: Vec<RttLeg>,
    /// Receivers' views of sources.
    pub remote: Vec<RemoteView>,
    /// Senders' SR facts.
    pub senders: Vec<SenderView>,
    /// SSRCs that said BYE.
    pub byes: Vec<u32>,
    /// RFC 3611 VoIP metrics the endpoints reported.
    pub xr_voip: Vec<XrVoipView>,
}

/// Orders reports by first arrival, then key (the order of every report's stream list). The
/// keys are computed once and sorted with positions, then each report moves once: with 100 k
/// streams, moving reports of a few hundred bytes at every step of the sort dominated. A list
/// already in order (one shard's final report, merged) is left as it is: the sort would still
/// swap every report with itself, three copies of each. (A live and an ended stream of one
/// key cannot start at one instant; were they to, the live one comes first.)
pub fn sort_reports(reports: &mut [StreamReport]) {
    let key = |r: &StreamReport| (r.first_arrival, r.key, r.ended.is_some());
    if !reports.is_sorted_by_key(key) {
        reports.sort_by_cached_key(key);
    }
}
