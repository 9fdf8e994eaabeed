//! Analyzer configuration.

use core::time::Duration;

use crate::clock::ClockRateSource;
use crate::diagnosis::Thresholds;
use crate::payload::{Encoding, PayloadInfo};

/// How the analyzer behaves. Every bound here is what keeps memory finite on hostile input.
#[derive(Debug, Clone)]
pub struct AnalyzerConfig {
    /// Most streams tracked at once; beyond it the idlest are evicted (counted).
    pub max_streams: usize,
    /// A stream with no packet for this long ends.
    pub idle_timeout: Duration,
    /// Interval reports every this long (`None`: none). They are events: with `events` off,
    /// none is made (and the live monitor, which feeds on them, sleeps).
    pub interval: Option<Duration>,
    /// Jitter-buffer depth for counting packets that arrive too late to be played.
    pub jitter_buffer: Duration,
    /// Payload types given by the caller (e.g. `96 = opus/48000`), overriding SDP and RFC 3551.
    pub payload_types: Vec<(u8, PayloadInfo)>,
    /// Queue events for `poll_event`. A caller that reads only reports (`report`, `streams`)
    /// turns this off: nothing is then queued, so nothing is built, dropped or counted, and
    /// the work that only events show (interval reports, the live monitor) is not done.
    pub events: bool,
    /// Most events queued before `poll_event`; beyond it events are dropped (counted).
    pub max_queued_events: usize,
    /// Most ended streams whose reports are kept for `report()`.
    pub max_ended_streams: usize,
    /// Limits of the live symptom monitor (and the default for `diagnose`).
    pub thresholds: Thresholds,
}

impl Default for AnalyzerConfig {
    fn default() -> Self {
        AnalyzerConfig {
            max_streams: 100_000,
            // Long enough for hold and silence suppression without CN; RFC 3550 §6.3.5 uses
            // five report intervals for members, which is ~25 s for typical RTCP timing.
            idle_timeout: Duration::from_secs(30),
            interval: Some(Duration::from_secs(1)),
            // A typical adaptive jitter buffer's working depth for voice (ITU-T G.114 budgets
            // 40–60 ms for it in a 150 ms mouth-to-ear target).
            jitter_buffer: Duration::from_millis(60),
            payload_types: Vec::new(),
            events: true,
            max_queued_events: 65_536,
            max_ended_streams: 1_000_000,
            thresholds: Thresholds::default(),
        }
    }
}

impl AnalyzerConfig {
    /// Adds a payload type mapping, e.g. `with_payload_type(96, "opus", 48000)`.
    pub fn with_payload_type(mut self, payload_type: u8, encoding: &str, clock_rate: u32) -> Self {
        self.payload_types.push((
            payload_type,
            PayloadInfo {
                encoding: Encoding::new(encoding),
                clock_rate,
                source: ClockRateSource::Config,
            },
        ));
        self
    }
}
