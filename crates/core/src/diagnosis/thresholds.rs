//! The limits every diagnosis rule compares against, with where each default comes from.

/// When a measured figure becomes a symptom. Every default names its source; a partial
/// TOML table overrides only the fields it names (`#[serde(default)]`).
///
/// ```
/// use rtpscope_core::diagnosis::Thresholds;
/// let t = Thresholds::default();
/// assert_eq!((t.delay_warning_ms, t.delay_critical_ms), (250.0, 600.0));
/// assert_eq!((t.loss_sample_pct, t.loss_average_pct, t.loss_average_samples), (1.0, 3.0, 7));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct Thresholds {
    /// One-way delay (ms) from which callers notice latency and talk over each other.
    /// Source: the troubleshooting guide, "callers typically start to notice the effect of
    /// latency once it breaches 250ms". Compared with `>=`.
    pub delay_warning_ms: f64,
    /// One-way delay (ms) from which a call is nearly unusable. Source: the guide, "find
    /// latency above ~600ms to be nearly unusable". Compared with `>=`.
    pub delay_critical_ms: f64,
    /// Loss (%) in one sample (interval) above which the sample counts as lossy.
    /// Source: twilio-voice.js StatsMonitor, `packetsLostFraction.max = 1`. Compared with `>`.
    pub loss_sample_pct: f64,
    /// Average loss (%) over `loss_average_samples` samples that raises a loss symptom on its
    /// own. Source: twilio-voice.js, `packetsLostFraction.maxAverage = 3`.
    pub loss_average_pct: f64,
    /// Samples the loss average spans. Source: twilio-voice.js, `sampleCount = 7`.
    pub loss_average_samples: usize,
    /// The average (%) at or below which an average-raised loss symptom may clear.
    /// Source: twilio-voice.js, `clearValue = 1`.
    pub loss_clear_average_pct: f64,
    /// Loss (%) from which loss is critical. Source: the E-model (G.107) puts G.711 with PLC
    /// at MOS ≈ 3.4 at 10 % random loss, below the 3.5 "satisfied" line.
    pub loss_critical_pct: f64,
    /// RFC 3611 burst density (0–1) from which loss bursts are heard as cut-outs rather than
    /// clicks. RFC 3611 leaves it to the implementer; half the packets of a burst lost is more
    /// than concealment can bridge.
    pub burst_density: f64,
    /// Mean burst duration (ms) from which bursts are audible cut-outs. Source: G.711
    /// Appendix I packet-loss concealment fades to silence after 60 ms of erasure.
    pub burst_min_ms: f64,
    /// Jitter (ms) above which audio turns robotic or choppy. Source: twilio-voice.js,
    /// `jitter.max = 30`. Compared with `>`.
    pub jitter_ms: f64,
    /// Jitter (ms) from which jitter is critical: as deep as the assumed jitter buffer, which
    /// then cannot mask it (see `jitter_buffer_ms`).
    pub jitter_critical_ms: f64,
    /// Jitter-buffer depth (ms) assumed for mouth-to-ear delay and late-packet checks.
    /// Source: `AnalyzerConfig::jitter_buffer` (60 ms, the ITU-T G.114 budget's 40–60 ms).
    pub jitter_buffer_ms: f64,
    /// Packets (%) of a sample arriving too late for the jitter buffer above which the sample
    /// counts as jitter-induced loss. Source: the loss sample limit (1 %), since a late
    /// packet is a lost packet to the listener.
    pub late_for_buffer_pct: f64,
    /// Silence on the wire (ms) after which audio has "stopped": no packets in a live stream,
    /// or one direction ending while the other continues. Three seconds is longer than any
    /// jitter buffer or network hiccup, and short enough that a caller asks "hello?".
    pub gap_ms: f64,
    /// Continuous G.711 digital silence (ms) while packets still flow that means a muted or
    /// dead microphone rather than a pause in speech (pauses rarely exceed a few seconds, and
    /// real microphones are never digitally silent).
    pub silence_ms: f64,
    /// MOS below which quality is low. Source: Twilio's "low-mos" call-quality warning
    /// (MOS < 3.5); twilio-voice.js ships `mos.min = 3`, we keep the documented 3.5.
    pub mos_min: f64,
    /// MOS below which a call is poor. Source: G.107 Annex B, R < 60 (MOS ≈ 3.1) "many users
    /// dissatisfied".
    pub mos_poor: f64,
    /// MOS below which a call is unusable. Source: G.107 Annex B, R < 50 (MOS ≈ 2.6) "nearly
    /// all users dissatisfied".
    pub mos_unusable: f64,
    /// Sender clock drift (ppm, absolute) beyond which the sender's clock or resampling is
    /// faulty. Two ±100 ppm crystals differ by at most 200 ppm; 500 ppm drains or fills a
    /// 60 ms jitter buffer within two minutes.
    pub drift_ppm: f64,
    /// Shortest stream (ms) on which drift is judged: the least-squares slope is noise on
    /// shorter spans under jitter.
    pub drift_min_duration_ms: f64,
    /// Raise/clear rules of the live monitor.
    pub hysteresis: Hysteresis,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            delay_warning_ms: 250.0,
            delay_critical_ms: 600.0,
            loss_sample_pct: 1.0,
            loss_average_pct: 3.0,
            loss_average_samples: 7,
            loss_clear_average_pct: 1.0,
            loss_critical_pct: 10.0,
            burst_density: 0.5,
            burst_min_ms: 60.0,
            jitter_ms: 30.0,
            jitter_critical_ms: 60.0,
            jitter_buffer_ms: 60.0,
            late_for_buffer_pct: 1.0,
            gap_ms: 3000.0,
            silence_ms: 5000.0,
            mos_min: 3.5,
            mos_poor: 3.1,
            mos_unusable: 2.6,
            drift_ppm: 500.0,
            drift_min_duration_ms: 10_000.0,
            hysteresis: Hysteresis::default(),
        }
    }
}

/// How the live monitor avoids flapping: raise when `raise_count` of the last `window`
/// samples exceed a limit; clear only when none of them does and the symptom has been up for
/// at least `clear_min_ms`. Source: twilio-voice.js StatsMonitor (5 samples, raise at 3,
/// clear at 0, warnings held for 5 s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct Hysteresis {
    /// Samples considered (capped at [`MAX_WINDOW`]).
    pub window: usize,
    /// Exceeding samples in the window that raise a symptom.
    pub raise_count: usize,
    /// Least time (ms) a symptom stays raised before it may clear.
    pub clear_min_ms: u64,
}

/// Most samples the live monitor keeps per stream: the bound on its memory.
pub const MAX_WINDOW: usize = 16;

impl Default for Hysteresis {
    fn default() -> Self {
        Hysteresis {
            window: 5,
            raise_count: 3,
            clear_min_ms: 5000,
        }
    }
}

impl Hysteresis {
    /// The window, within 1..=MAX_WINDOW.
    pub fn window(&self) -> usize {
        self.window.clamp(1, MAX_WINDOW)
    }

    /// The raise count, within 1..=window.
    pub fn raise_count(&self) -> usize {
        self.raise_count.clamp(1, self.window())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hysteresis_bounds() {
        let h = Hysteresis {
            window: 100,
            raise_count: 0,
            clear_min_ms: 0,
        };
        assert_eq!((h.window(), h.raise_count()), (MAX_WINDOW, 1));
        let h = Hysteresis {
            window: 3,
            raise_count: 9,
            clear_min_ms: 0,
        };
        assert_eq!((h.window(), h.raise_count()), (3, 3));
        assert_eq!(
            Hysteresis::default(),
            Hysteresis {
                window: 5,
                raise_count: 3,
                clear_min_ms: 5000
            }
        );
    }
}
