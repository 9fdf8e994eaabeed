//! The stable JSON document of `rtpscope analyze --format json` and its ndjson lines.
//!
//! Field names and units are part of the interface: scripts depend on them. Times are seconds
//! relative to the first frame of the capture; durations are milliseconds.

use serde::Serialize;

use rtpscope::core::report::{IntervalReport, StreamReport};
use rtpscope::core::Timestamp;

/// min / mean / max in ms.
#[derive(Debug, Serialize)]
pub struct MinMeanMax {
    pub min: Option<f64>,
    pub mean: Option<f64>,
    pub max: Option<f64>,
}

/// Jitter in ms.
#[derive(Debug, Serialize)]
pub struct Jitter {
    #[serde(rename = "final")]
    pub final_ms: Option<f64>,
    pub min: Option<f64>,
    pub mean: Option<f64>,
    pub max: Option<f64>,
    pub p50: Option<f64>,
    pub p90: Option<f64>,
    pub p99: Option<f64>,
}

/// RFC 3611 burst / gap metrics.
#[derive(Debug, Serialize)]
pub struct Burst {
    pub burst_density: f64,
    pub gap_density: f64,
    pub burst_duration_ms: f64,
    pub gap_duration_ms: f64,
}

/// One stream.
#[derive(Debug, Serialize)]
pub struct Stream {
    pub src: String,
    pub src_port: u16,
    pub dst: String,
    pub dst_port: u16,
    pub ssrc: String,
    pub payload_type: u8,
    pub encoding: Option<String>,
    pub switched_to: Option<String>,
    pub clock_rate: Option<u32>,
    pub clock_rate_source: Option<&'static str>,
    pub start_s: f64,
    pub end_s: f64,
    pub packets: u64,
    pub expected: u64,
    pub lost: i64,
    pub lost_pct: f64,
    pub missing_pct: f64,
    pub duplicates: u64,
    pub late: u64,
    pub restarts: u64,
    pub timestamp_steps: u64,
    pub delta_ms: MinMeanMax,
    pub jitter_ms: Jitter,
    pub rtt_ms: Option<f64>,
    pub rtt_legs_ms: Vec<f64>,
    pub mos_lq: Option<f64>,
    pub mos_cq: Option<f64>,
    pub burst: Burst,
    pub drift_ppm: Option<f64>,
    pub ended: Option<&'static str>,
}

/// Round-trip figures of one stream, from the diagnosis's call pairing.
#[derive(Debug, Default, Clone)]
pub struct Latency {
    pub rtt_ms: Option<f64>,
    pub rtt_legs_ms: Vec<f64>,
    pub mos_cq: Option<f64>,
}

/// An SSRC as `format!("{:#010x}")` writes it, without the formatter's padding machinery
/// (a report of 100 k streams writes 100 k of them).
pub fn ssrc_hex(ssrc: u32) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(10);
    s.push_str("0x");
    for shift in (0..8).rev() {
        s.push(char::from(DIGITS[(ssrc >> (shift * 4)) as usize & 0xf]));
    }
    s
}

/// Seconds of `t` after `origin`.
pub fn rel_s(t: Timestamp, origin: Timestamp) -> f64 {
    t.nanos_since(origin) as f64 / 1e9
}

impl Stream {
    /// From a stream report.
    pub fn new(s: &StreamReport, origin: Timestamp, latency: &Latency) -> Self {
        let f = s.key.flow;
        Stream {
            src: f.src_end().address().to_string(),
            src_port: f.src_port(),
            dst: f.dst_end().address().to_string(),
            dst_port: f.dst_port(),
            ssrc: ssrc_hex(s.key.ssrc),
            payload_type: s.payload_type,
            encoding: s.encoding.map(|e| e.as_str().to_string()),
            switched_to: s.switched_to.map(|e| e.as_str().to_string()),
            clock_rate: s.clock_rate,
            clock_rate_source: s.clock_rate_source.map(|c| c.as_str()),
            start_s: rel_s(s.first_arrival, origin),
            end_s: rel_s(s.last_arrival, origin),
            packets: s.packets,
            expected: s.expected,
            lost: s.lost,
            lost_pct: s.lost_pct,
            missing_pct: s.missing_pct,
            duplicates: s.duplicates,
            late: s.late,
            restarts: s.restarts,
            timestamp_steps: s.timestamp_steps,
            delta_ms: MinMeanMax {
                min: s.delta_ms.min,
                mean: s.delta_ms.mean,
                max: s.delta_ms.max,
            },
            jitter_ms: Jitter {
                final_ms: s.jitter_ms.final_ms,
                min: s.jitter_ms.min,
                mean: s.jitter_ms.mean,
                max: s.jitter_ms.max,
                p50: s.jitter_ms.p50,
                p90: s.jitter_ms.p90,
                p99: s.jitter_ms.p99,
            },
            rtt_ms: latency.rtt_ms,
            rtt_legs_ms: latency.rtt_legs_ms.clone(),
            mos_lq: s.mos_lq,
            mos_cq: latency.mos_cq,
            burst: Burst {
                burst_density: s.burst.metrics.burst_density,
                gap_density: s.burst.metrics.gap_density,
                burst_duration_ms: s.burst.burst_duration_ms,
                gap_duration_ms: s.burst.gap_duration_ms,
            },
            drift_ppm: s.drift_ppm,
            ended: s.ended.map(|e| match e {
                rtpscope::core::EndReason::Bye => "bye",
                rtpscope::core::EndReason::Idle => "idle",
                rtpscope::core::EndReason::Evicted => "evicted",
                rtpscope::core::EndReason::Finished => "finished",
            }),
        }
    }
}

/// One ndjson line of a time series: a stream over one interval.
#[derive(Debug, Serialize)]
pub struct IntervalLine {
    pub interval_start_s: f64,
    pub interval_end_s: f64,
    pub src: String,
    pub src_port: u16,
    pub dst: String,
    pub dst_port: u16,
    pub ssrc: String,
    pub packets: u64,
    pub expected: u64,
    pub lost: i64,
    pub lost_pct: f64,
    pub duplicates: u64,
    pub missing_pct: f64,
    pub jitter_ms: Option<f64>,
    pub max_jitter_ms: Option<f64>,
    pub late_for_jitter_buffer: u64,
    pub mos_lq: Option<f64>,
}

impl IntervalLine {
    /// From an interval report.
    pub fn new(i: &IntervalReport, origin: Timestamp) -> Self {
        let f = i.key.flow;
        IntervalLine {
            interval_start_s: rel_s(i.start, origin),
            interval_end_s: rel_s(i.end, origin),
            src: f.src_end().address().to_string(),
            src_port: f.src_port(),
            dst: f.dst_end().address().to_string(),
            dst_port: f.dst_port(),
            ssrc: ssrc_hex(i.key.ssrc),
            packets: i.packets,
            expected: i.expected,
            lost: i.lost,
            lost_pct: i.lost_pct,
            duplicates: i.duplicates,
            missing_pct: i.missing_pct,
            jitter_ms: i.jitter_ms,
            max_jitter_ms: i.max_jitter_ms,
            late_for_jitter_buffer: i.late_for_buffer,
            mos_lq: i.mos_lq,
        }
    }
}

/// One symptom.
#[derive(Debug, Serialize)]
pub struct Symptom {
    pub kind: &'static str,
    pub severity: &'static str,
    pub stream: usize,
    pub direction: String,
    pub start_s: f64,
    pub end_s: f64,
    pub metric: &'static str,
    pub value: f64,
    pub threshold: f64,
    pub window: String,
    pub method: Option<&'static str>,
    pub summary: String,
    pub advice: Vec<&'static str>,
}

impl Symptom {
    /// From a diagnosed symptom.
    pub fn new(s: &rtpscope::core::diagnosis::Symptom, origin: Timestamp) -> Self {
        use rtpscope::core::diagnosis::Severity;
        use rtpscope::core::report::LatencyMethod;
        Symptom {
            kind: s.kind.as_str(),
            severity: match s.severity {
                Severity::Warning => "warning",
                Severity::Critical => "critical",
            },
            stream: s.stream,
            direction: s.direction.clone(),
            start_s: rel_s(s.start, origin),
            end_s: rel_s(s.end, origin),
            metric: s.evidence.metric,
            value: s.evidence.value,
            threshold: s.evidence.threshold,
            window: s.evidence.window.clone(),
            method: s.evidence.method.map(|m| match m {
                LatencyMethod::RtcpLeg => "rtcp_leg",
                LatencyMethod::RtcpRoundTrip => "rtcp_round_trip",
                LatencyMethod::HalfRoundTrip => "half_round_trip",
                LatencyMethod::SenderReportClock => "sender_report_clock",
            }),
            summary: s.summary.clone(),
            advice: s.advice.to_vec(),
        }
    }
}

/// One call.
#[derive(Debug, Serialize)]
pub struct Call {
    pub call_id: Option<String>,
    pub streams: Vec<usize>,
    pub verdict: &'static str,
    pub headline: String,
    pub symptoms: Vec<usize>,
    pub advice: Vec<&'static str>,
}

impl Call {
    /// From a diagnosed call.
    pub fn new(c: &rtpscope::core::diagnosis::Call) -> Self {
        Call {
            call_id: c.call_id.clone(),
            streams: c.streams.clone(),
            verdict: c.verdict.as_str(),
            headline: c.headline.clone(),
            symptoms: c.symptoms.clone(),
            advice: c.advice.clone(),
        }
    }
}

/// The whole document.
#[derive(Debug, Serialize)]
pub struct Document {
    pub streams: Vec<Stream>,
    pub calls: Vec<Call>,
    pub symptoms: Vec<Symptom>,
    pub counters: std::collections::BTreeMap<&'static str, u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub intervals: Vec<IntervalLine>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssrc_hex_writes_what_the_formatter_writes() {
        let mut v: u32 = 1;
        for _ in 0..10_000 {
            assert_eq!(ssrc_hex(v), format!("{v:#010x}"));
            v = v.wrapping_mul(2_654_435_761).wrapping_add(12_345);
        }
        for v in [0, 0xf, 0xdead_beef, u32::MAX] {
            assert_eq!(ssrc_hex(v), format!("{v:#010x}"));
        }
    }
}
