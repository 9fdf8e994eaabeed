//! A call's verdict, its dominant cause, headline and advice.
//!
//! Rules, first match wins:
//! - **Unusable**: a critical delay (one-way ≥ `delay_critical_ms`, "nearly unusable" in the
//!   guide); a stream's MOS below `mos_unusable` (2.6); or a direction with no audio at all
//!   (audio flows one way only, or a stream carries nothing but digital silence).
//! - **Poor**: any other critical symptom (one direction stopping, loss above
//!   `loss_critical_pct`, jitter as deep as the jitter buffer, ...), or a MOS below
//!   `mos_poor` (3.1).
//! - **Degraded**: any warning.
//! - **Good**: no symptom.

use super::symptom::{Severity, Symptom, SymptomKind};
use super::thresholds::Thresholds;

/// How the call went, for the people on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Verdict {
    /// Nothing a caller would notice.
    Good,
    /// Noticeable trouble.
    Degraded,
    /// Hard to hold a conversation.
    Poor,
    /// Nearly or entirely unusable.
    Unusable,
}

impl Verdict {
    /// Stable lower-case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Verdict::Good => "good",
            Verdict::Degraded => "degraded",
            Verdict::Poor => "poor",
            Verdict::Unusable => "unusable",
        }
    }
}

/// Whether a symptom means a direction carried no audio at all.
fn total_outage(s: &Symptom) -> bool {
    matches!(s.kind, SymptomKind::OneWayAudio | SymptomKind::NoAudio)
        && matches!(s.evidence.metric, "audio_one_direction_only" | "silent_pct")
}

/// The verdict for a call with these symptoms and this worst MOS.
pub(crate) fn verdict(symptoms: &[&Symptom], worst_mos: Option<f64>, t: &Thresholds) -> Verdict {
    let critical = |k: SymptomKind| {
        symptoms
            .iter()
            .any(|s| s.kind == k && s.severity == Severity::Critical)
    };
    if critical(SymptomKind::Delay)
        || worst_mos.is_some_and(|m| m < t.mos_unusable)
        || symptoms.iter().any(|s| total_outage(s))
    {
        Verdict::Unusable
    } else if symptoms.iter().any(|s| s.severity == Severity::Critical)
        || worst_mos.is_some_and(|m| m < t.mos_poor)
    {
        Verdict::Poor
    } else if symptoms.is_empty() {
        Verdict::Good
    } else {
        Verdict::Degraded
    }
}

/// How far past its threshold a symptom is (≥ 1 when crossed; MOS is "lower is worse").
fn excess(s: &Symptom) -> f64 {
    let (v, th) = (s.evidence.value.abs(), s.evidence.threshold.abs());
    let r = if s.kind == SymptomKind::LowMos {
        th / v.max(f64::MIN_POSITIVE)
    } else {
        v / th.max(f64::MIN_POSITIVE)
    };
    if r.is_finite() {
        r
    } else {
        f64::MAX
    }
}

/// Orders symptoms by importance: severity, then the kind (what the caller notices first:
/// missing audio, then gaps, robotic audio, delay, the MOS that follows from those, and
/// anomalies last), then how far past its threshold.
pub(crate) fn rank(a: &Symptom, b: &Symptom) -> core::cmp::Ordering {
    b.severity
        .cmp(&a.severity)
        .then(a.kind.cmp(&b.kind))
        .then(excess(b).total_cmp(&excess(a)))
}

/// The headline: the verdict and the dominant symptom's sentence.
pub(crate) fn headline(verdict: Verdict, dominant: Option<&Symptom>) -> String {
    match dominant {
        Some(s) => {
            let mut text = s.summary.clone();
            if let Some(first) = text.get(..1) {
                let upper = first.to_uppercase();
                text.replace_range(..1, &upper);
            }
            format!("{} — {text}", verdict_word(verdict))
        }
        None => format!(
            "{} — no problem a caller would notice",
            verdict_word(verdict)
        ),
    }
}

fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Good => "Good",
        Verdict::Degraded => "Degraded",
        Verdict::Poor => "Poor",
        Verdict::Unusable => "Unusable",
    }
}

/// Advice for a call: each symptom's advice in rank order, without repeats.
pub(crate) fn advice(ranked: &[&Symptom]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for s in ranked {
        for a in s.advice {
            if !out.contains(a) {
                out.push(a);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnosis::symptom::Evidence;
    use rtpscope_wire::Timestamp;

    fn sym(
        kind: SymptomKind,
        severity: Severity,
        metric: &'static str,
        value: f64,
        threshold: f64,
    ) -> Symptom {
        Symptom {
            kind,
            severity,
            stream: 0,
            stream_id: 0,
            direction: "a → b".into(),
            start: Timestamp::ZERO,
            end: Timestamp::ZERO,
            evidence: Evidence {
                metric,
                value,
                threshold,
                window: String::new(),
                method: None,
            },
            summary: format!("{} here", kind.as_str()),
            advice: &["x", "y"],
        }
    }

    #[test]
    fn verdict_rules() {
        let t = Thresholds::default();
        let warn = sym(
            SymptomKind::Jitter,
            Severity::Warning,
            "jitter_ms",
            40.0,
            30.0,
        );
        let crit_loss = sym(
            SymptomKind::PacketLoss,
            Severity::Critical,
            "lost_pct",
            12.0,
            1.0,
        );
        let crit_delay = sym(
            SymptomKind::Delay,
            Severity::Critical,
            "one_way_delay_ms",
            700.0,
            600.0,
        );
        let only = sym(
            SymptomKind::OneWayAudio,
            Severity::Critical,
            "audio_one_direction_only",
            1.0,
            0.0,
        );
        assert_eq!(verdict(&[], Some(4.4), &t), Verdict::Good);
        assert_eq!(verdict(&[&warn], Some(4.4), &t), Verdict::Degraded);
        assert_eq!(verdict(&[&warn], Some(3.0), &t), Verdict::Poor);
        assert_eq!(verdict(&[&warn], Some(2.5), &t), Verdict::Unusable);
        assert_eq!(verdict(&[&crit_loss], Some(3.9), &t), Verdict::Poor);
        assert_eq!(verdict(&[&crit_delay], None, &t), Verdict::Unusable);
        assert_eq!(verdict(&[&only], None, &t), Verdict::Unusable);
    }

    #[test]
    fn ranking_puts_the_cause_first() {
        let mos = sym(SymptomKind::LowMos, Severity::Warning, "mos_lq", 3.2, 3.5);
        let loss = sym(
            SymptomKind::PacketLoss,
            Severity::Warning,
            "lost_pct",
            4.0,
            1.0,
        );
        let small = sym(
            SymptomKind::PacketLoss,
            Severity::Warning,
            "lost_pct",
            2.0,
            1.0,
        );
        let crit = sym(
            SymptomKind::Jitter,
            Severity::Critical,
            "jitter_ms",
            70.0,
            30.0,
        );
        let mut v = vec![&mos, &small, &loss, &crit];
        v.sort_by(|a, b| rank(a, b));
        assert_eq!(v, vec![&crit, &loss, &small, &mos]);
        assert_eq!(headline(Verdict::Poor, Some(&crit)), "Poor — Jitter here");
        assert_eq!(advice(&v), vec!["x", "y"]);
    }
}
