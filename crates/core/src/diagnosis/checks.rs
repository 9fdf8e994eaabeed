//! Post-hoc checks of one stream's whole-call figures.
//!
//! A whole-stream figure is an average over every interval, so each check uses the
//! per-sample limit as the warning line (the call averaged worse than what is tolerated in a
//! single second) and the critical limit for "hard to hold a call".

use rtpscope_wire::Timestamp;

use crate::clock::is_comfort_noise;
use crate::report::{RemoteView, StreamReport};

use super::advice;
use super::symptom::{direction, human_ms, Direction, Evidence, Severity, Symptom, SymptomKind};
use super::thresholds::Thresholds;
use super::wording;

/// Comparison slack for figures computed in floating point (e.g. an RTT of exactly 500 ms
/// arriving as 499.999 999 9).
pub(crate) const EPS: f64 = 1e-6;

/// Builds a symptom on stream `index`.
pub(crate) struct On<'a> {
    pub index: usize,
    pub stream: &'a StreamReport,
}

impl On<'_> {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn symptom(
        &self,
        kind: SymptomKind,
        severity: Severity,
        span: (Timestamp, Timestamp),
        evidence: Evidence,
        summary: String,
        advice: &'static [&'static str],
    ) -> Symptom {
        Symptom {
            kind,
            severity,
            stream: self.index,
            stream_id: self.stream.id,
            direction: direction(&self.stream.key.flow),
            start: span.0,
            end: span.1,
            evidence,
            summary,
            advice,
        }
    }

    fn whole(&self) -> (Timestamp, Timestamp) {
        (self.stream.first_arrival, self.stream.last_arrival)
    }

    fn duration_ms(&self) -> f64 {
        self.stream
            .last_arrival
            .saturating_duration_since(self.stream.first_arrival)
            .as_secs_f64()
            * 1000.0
    }

    fn window(&self) -> String {
        format!("whole stream ({})", human_ms(self.duration_ms()))
    }
}

fn evidence(metric: &'static str, value: f64, threshold: f64, window: String) -> Evidence {
    Evidence {
        metric,
        value,
        threshold,
        window,
        method: None,
    }
}

/// Gaps and cut-outs: average loss, and loss in audible bursts.
pub(crate) fn loss(on: &On<'_>, t: &Thresholds) -> Option<Symptom> {
    let s = on.stream;
    let b = &s.burst;
    let bursty = b.metrics.bursts > 0
        && b.metrics.burst_density >= t.burst_density
        && b.burst_duration_ms >= t.burst_min_ms;
    let dir = Direction(&s.key.flow);
    // Said when A.3's count, the one tshark shows, tells another story.
    let offset = (s.missing_pct - s.lost_pct >= 0.05).then_some(s.lost_pct);
    let burst_ms = bursty.then_some(wording::Bursts {
        count: b.metrics.bursts,
        mean_ms: b.burst_duration_ms,
        longest_ms: b.longest_burst_ms,
    });
    // Packets that never arrived: duplicates do not make up for them.
    if s.missing_pct > t.loss_sample_pct {
        let severity = if s.missing_pct > t.loss_critical_pct {
            Severity::Critical
        } else {
            Severity::Warning
        };
        let ev = evidence("missing_pct", s.missing_pct, t.loss_sample_pct, on.window());
        return Some(on.symptom(
            SymptomKind::PacketLoss,
            severity,
            on.whole(),
            ev,
            wording::loss(&dir, s.missing_pct, burst_ms, offset),
            advice::LOSS,
        ));
    }
    // Little loss on average, but repeated bursts long enough to be heard as cut-outs.
    if bursty && b.metrics.bursts >= 2 {
        let ev = evidence(
            "burst_density",
            b.metrics.burst_density,
            t.burst_density,
            on.window(),
        );
        return Some(on.symptom(
            SymptomKind::PacketLoss,
            Severity::Warning,
            on.whole(),
            ev,
            wording::loss(&dir, s.missing_pct, burst_ms, offset),
            advice::LOSS,
        ));
    }
    None
}

/// Loss the capture point cannot see: a receiver's RTCP report blocks say how many of this
/// stream's packets never reached it. Captured at the sender (or before the lossy hop), the
/// stream looks whole while the listener hears gaps.
pub(crate) fn remote_loss(
    on: &On<'_>,
    remote: Option<&RemoteView>,
    t: &Thresholds,
) -> Option<Symptom> {
    let s = on.stream;
    let r = remote?;
    if s.expected == 0 || s.missing_pct > t.loss_sample_pct {
        return None;
    }
    let pct = f64::from(r.cumulative_lost.max(0)) * 100.0 / s.expected as f64;
    if pct <= t.loss_sample_pct {
        return None;
    }
    let severity = if pct > t.loss_critical_pct {
        Severity::Critical
    } else {
        Severity::Warning
    };
    let ev = evidence(
        "receiver_reported_lost_pct",
        pct,
        t.loss_sample_pct,
        format!("RTCP reports of SSRC {:#010x}", r.reporter),
    );
    let dir = Direction(&s.key.flow);
    Some(on.symptom(
        SymptomKind::PacketLoss,
        severity,
        on.whole(),
        ev,
        wording::remote_loss(&dir, pct),
        advice::LOSS,
    ))
}

/// A stream's jitter as the checks judge it: the mean of the running value, else its final one.
fn stream_jitter_ms(s: &StreamReport) -> Option<f64> {
    s.jitter_ms.mean.or(s.jitter_ms.final_ms)
}

/// Robotic, choppy audio; jitter beyond what the jitter buffer absorbs: a high mean, or more
/// packets than `late_for_buffer_pct` too late for the buffer (the live monitor's rule too;
/// jitter that spikes rather than stays high loses packets at a modest mean). Critical only
/// from the mean.
pub(crate) fn jitter(on: &On<'_>, t: &Thresholds) -> Option<Symptom> {
    let s = on.stream;
    let j = stream_jitter_ms(s)?;
    let late_pct = if s.packets == 0 {
        0.0
    } else {
        s.late_for_buffer as f64 * 100.0 / s.packets as f64
    };
    // Lateness is measured against the earliest schedule seen, so a sender clock slower than
    // the capture's (negative drift) makes packets "late" by drift alone; count it only where
    // that drift cannot.
    let drift_ms = s
        .drift_ppm
        .map_or(0.0, |ppm| (-ppm).max(0.0) * 1e-6 * on.duration_ms());
    let many_late = late_pct > t.late_for_buffer_pct && drift_ms < t.jitter_buffer_ms / 4.0;
    if j <= t.jitter_ms && !many_late {
        return None;
    }
    // Late packets alone stay a warning: lateness is measured from the earliest schedule
    // seen, where an adaptive buffer would have grown (trading them for delay).
    let severity = if j >= t.jitter_critical_ms {
        Severity::Critical
    } else {
        Severity::Warning
    };
    // Packets later than the jitter buffer's depth are lost to the listener.
    let late = (s.late_for_buffer > 0).then_some((t.jitter_buffer_ms, late_pct));
    let ev = if j > t.jitter_ms {
        evidence(
            "jitter_ms",
            j,
            t.jitter_ms,
            format!("mean over the {}", on.window()),
        )
    } else {
        evidence(
            "late_for_buffer_pct",
            late_pct,
            t.late_for_buffer_pct,
            format!(
                "packets over {} ms behind the earliest schedule, over the {}",
                t.jitter_buffer_ms,
                on.window()
            ),
        )
    };
    let summary = wording::jitter(Direction(&s.key.flow), j, late);
    Some(on.symptom(
        SymptomKind::Jitter,
        severity,
        on.whole(),
        ev,
        summary,
        advice::JITTER,
    ))
}

/// Audio that stops mid-stream, or packets that carry only digital silence.
pub(crate) fn no_audio(on: &On<'_>, t: &Thresholds) -> Vec<Symptom> {
    let s = on.stream;
    let dir = Direction(&s.key.flow);
    let mut out = Vec::new();
    let whole_silent =
        s.packets > 0 && s.silent_packets >= s.packets && on.duration_ms() + EPS >= t.silence_ms;
    if whole_silent || s.longest_silence_ms + EPS >= t.silence_ms {
        let severity = if whole_silent {
            Severity::Critical
        } else {
            Severity::Warning
        };
        let metric = if whole_silent {
            "silent_pct"
        } else {
            "longest_silence_ms"
        };
        let value = if whole_silent {
            100.0
        } else {
            s.longest_silence_ms
        };
        let threshold = if whole_silent { 100.0 } else { t.silence_ms };
        let ev = evidence(metric, value, threshold, on.window());
        let summary = wording::digital_silence(&dir, s.longest_silence_ms, whole_silent);
        out.push(on.symptom(
            SymptomKind::NoAudio,
            severity,
            on.whole(),
            ev,
            summary,
            advice::SILENCE,
        ));
    }
    if let Some(gap) = s.delta_ms.max.filter(|g| *g + EPS >= t.gap_ms) {
        let ev = evidence("max_gap_ms", gap, t.gap_ms, on.window());
        out.push(on.symptom(
            SymptomKind::NoAudio,
            Severity::Warning,
            on.whole(),
            ev,
            wording::dropout(&dir, gap),
            advice::NO_AUDIO,
        ));
    }
    out
}

/// Low estimated MOS: conversational when the delay is known, else listening.
pub(crate) fn mos(
    on: &On<'_>,
    mos: Option<f64>,
    with_delay: bool,
    t: &Thresholds,
) -> Option<Symptom> {
    let m = mos?;
    if m >= t.mos_min {
        return None;
    }
    let severity = if m < t.mos_unusable {
        Severity::Critical
    } else {
        Severity::Warning
    };
    let metric = if with_delay { "mos_cq" } else { "mos_lq" };
    let ev = evidence(metric, m, t.mos_min, on.window());
    let summary = wording::low_mos(Direction(&on.stream.key.flow), m, with_delay);
    Some(on.symptom(
        SymptomKind::LowMos,
        severity,
        on.whole(),
        ev,
        summary,
        advice::LOW_MOS,
    ))
}

/// Payload types that are real codec changes: comfort noise never counts, and with a static
/// main payload type a dynamic one nothing describes (no SDP) is taken for RFC 4733 telephone
/// events, by far the common case beside a static codec.
fn codec_payload_types(s: &StreamReport) -> Vec<u8> {
    let main_static = s.payload_type < 96;
    s.payload_types
        .iter()
        .copied()
        .filter(|&pt| {
            !is_comfort_noise(pt)
                && (s.described_codecs.contains(&pt) || !(main_static && pt >= 96))
        })
        .collect()
}

/// Restarts, sequence jumps, codec changes and clock drift.
pub(crate) fn anomalies(on: &On<'_>, t: &Thresholds) -> Vec<Symptom> {
    let s = on.stream;
    let dir = Direction(&s.key.flow);
    let mut out = Vec::new();
    let mut add = |metric: &'static str, value: f64, threshold: f64, summary: String| {
        out.push(anomaly(
            on,
            metric,
            value,
            threshold,
            summary,
            advice::ANOMALY,
        ));
    };
    if s.restarts > 0 {
        let summary = format!("the sender of {dir} restarted its RTP sequence {} time(s): a glitch or a short cut each time", s.restarts);
        add("restarts", s.restarts as f64, 0.0, summary);
    }
    if s.seq_jumps > 0 {
        let summary = format!("the sequence numbers of {dir} jumped {} time(s): packets were dropped or the source reset", s.seq_jumps);
        add("seq_jumps", s.seq_jumps as f64, 0.0, summary);
    }
    let codecs = codec_payload_types(s);
    if codecs.len() > 1 {
        let list: Vec<String> = codecs.iter().map(u8::to_string).collect();
        let summary = format!(
            "the codec of {dir} changed mid-call (payload types {}): a glitch at each switch",
            list.join(" → ")
        );
        add("payload_types", codecs.len() as f64, 1.0, summary);
    }
    let duration_ms = on.duration_ms();
    if let Some(d) = s.drift_ppm.filter(|d| {
        d.abs() > t.drift_ppm.max(drift_noise_ppm(s, duration_ms))
            && duration_ms >= t.drift_min_duration_ms
    }) {
        // Positive: the sender's RTP clock runs ahead of the capture's, so the receiver's
        // jitter buffer overflows; negative: it runs behind, and the buffer runs dry.
        let (way, effect) = if d > 0.0 {
            ("fast", "overflow")
        } else {
            ("slow", "run dry")
        };
        let summary = format!(
            "the sender clock of {dir} drifts {:.0} ppm {way}: the jitter buffer will {effect}, with clicks or gaps",
            d.abs()
        );
        out.push(anomaly(
            on,
            "drift_ppm",
            d,
            t.drift_ppm,
            summary,
            advice::DRIFT,
        ));
    }
    out
}

/// How far the least-squares clock slope strays by chance (ppm, three standard errors):
/// arrival noise of σ over n evenly spread packets in T seconds leaves the slope an error of
/// σ·√(12/n)/T, and the running RFC 3550 jitter is about 1.13 σ for normally spread delays
/// (it tracks E|D|, D the difference of two delays). Under 40 ms of jitter, 113 packets in
/// 10 s drift ±1760 ppm by chance; a minute of 0.5 ms jitter pins the slope to a few ppm.
fn drift_noise_ppm(s: &StreamReport, duration_ms: f64) -> f64 {
    let sigma_s = stream_jitter_ms(s).unwrap_or(0.0) / 1000.0 / 1.13;
    let n = s.packets.max(2) as f64;
    3.0 * 1e6 * sigma_s * (12.0 / n).sqrt() / (duration_ms / 1000.0).max(1e-3)
}

/// A new SSRC on a flow that already carried another: a new media source mid-call.
pub(crate) fn ssrc_change(on: &On<'_>, previous: u32) -> Symptom {
    let dir = Direction(&on.stream.key.flow);
    let summary = format!(
        "the SSRC of {dir} changed from {previous:#010x} to {:#010x}: a new media source (transfer or device restart), often with a short gap",
        on.stream.key.ssrc
    );
    anomaly(on, "ssrc_change", 1.0, 0.0, summary, advice::ANOMALY)
}

/// An irregularity on the whole stream: always a warning, with the anomaly advice.
fn anomaly(
    on: &On<'_>,
    metric: &'static str,
    value: f64,
    threshold: f64,
    summary: String,
    advice: &'static [&'static str],
) -> Symptom {
    let ev = evidence(metric, value, threshold, on.window());
    on.symptom(
        SymptomKind::Anomaly,
        Severity::Warning,
        on.whole(),
        ev,
        summary,
        advice,
    )
}

/// Callers talking over each other: the one-way delay estimate against the guide's limits.
pub(crate) fn delay(on: &On<'_>, lat: &super::StreamLatency, t: &Thresholds) -> Option<Symptom> {
    let d = lat.one_way_ms?;
    if d + EPS < t.delay_warning_ms {
        return None;
    }
    let critical = d + EPS >= t.delay_critical_ms;
    let severity = if critical {
        Severity::Critical
    } else {
        Severity::Warning
    };
    let threshold = if critical {
        t.delay_critical_ms
    } else {
        t.delay_warning_ms
    };
    let legs = lat.rtt_legs_ms.len();
    let window = format!(
        "RTCP round trip / 2 ({legs} leg{}, {})",
        if legs == 1 { "" } else { "s" },
        on.window()
    );
    let ev = Evidence {
        metric: "one_way_delay_ms",
        value: d,
        threshold,
        window,
        method: lat.method,
    };
    let summary = wording::delay(d, lat.mouth_to_ear_ms, critical);
    let mut sym = on.symptom(
        SymptomKind::Delay,
        severity,
        on.whole(),
        ev,
        summary,
        advice::DELAY,
    );
    sym.direction = format!("{} (round trip)", sym.direction);
    Some(sym)
}
