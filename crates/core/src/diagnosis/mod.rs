//! What is wrong with a call, and why, in words a caller understands.
//!
//! Two ways in:
//! - [`diagnose`] looks at a finished [`AnalysisReport`]: it groups streams into calls
//!   (SIP hints, else reversed flows and RTP port symmetry), estimates delay from RTCP round
//!   trips, and lists [`Symptom`]s per call with a [`Verdict`], the dominant cause first, and
//!   advice from the voice troubleshooting guide.
//! - [`Monitor`] watches interval reports live (the [`Analyzer`](crate::Analyzer) owns one
//!   and emits [`Event::Symptom`](crate::Event::Symptom)) and raises and clears symptoms with
//!   hysteresis, so a borderline metric does not flap.
//!
//! Every limit is a field of [`Thresholds`], whose documentation gives each default's source.
//!
//! ```
//! use rtpscope_core::diagnosis::{diagnose, Thresholds, Verdict};
//! use rtpscope_core::{Analyzer, AnalyzerConfig};
//! use rtpscope_wire::{rtp::RtpRepr, Flow, Timestamp};
//!
//! let flow = Flow::new("10.0.0.1:4000".parse().unwrap(), "10.0.0.2:5004".parse().unwrap());
//! let mut analyzer = Analyzer::new(AnalyzerConfig::default());
//! let mut buf = [0u8; 172];
//! for i in 0..500u16 {
//!     if i % 20 == 7 { continue } // 5 % loss
//!     let repr = RtpRepr { sequence_number: i, timestamp: 160 * u32::from(i), ssrc: 7,
//!                          payload: &[0x55; 160], ..RtpRepr::default() };
//!     let n = repr.emit(&mut buf).unwrap();
//!     analyzer.handle_datagram(Timestamp::from_millis(20 * u64::from(i)), flow, &buf[..n]).unwrap();
//! }
//! let d = diagnose(&analyzer.report(), &[], &Thresholds::default());
//! assert_eq!(d.calls[0].verdict, Verdict::Degraded);
//! assert!(d.calls[0].headline.contains("gaps and cut-outs"));
//! ```

mod advice;
mod checks;
mod latency;
mod monitor;
mod oneway;
mod pairing;
mod symptom;
mod thresholds;
mod verdict;
mod wording;

use foldhash::{HashMap, HashMapExt};
use std::net::SocketAddr;

use crate::report::RemoteView;
use crate::{AnalysisReport, Timestamp};

pub use latency::StreamLatency;
pub use monitor::Monitor;
pub use symptom::{Change, Evidence, Severity, Symptom, SymptomEvent, SymptomKind};
pub use thresholds::{Hysteresis, Thresholds, MAX_WINDOW};
pub use verdict::Verdict;

use checks::On;
use symptom::is_audio;

/// What signalling (SIP/SDP, parsed elsewhere) says about one call: its Call-ID and the
/// media endpoints (address and port from each `c=`/`m=` line) of both parties.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CallHint {
    /// The SIP Call-ID.
    pub call_id: String,
    /// Media endpoints of every party.
    pub endpoints: Vec<SocketAddr>,
    /// When the call's signalling began (its first SIP message), if known: a stream on its
    /// endpoints that ends before it belongs to an earlier call reusing them.
    pub from: Option<Timestamp>,
    /// When the call ended (BYE or CANCEL), if seen: a stream on its endpoints that starts
    /// after it belongs to a later call.
    pub until: Option<Timestamp>,
}

/// One call: its streams, what went wrong, and what to do.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Call {
    /// Indices into `AnalysisReport::streams`.
    pub streams: Vec<usize>,
    /// The SIP Call-ID, when a hint named the call.
    pub call_id: Option<String>,
    /// Overall verdict (rules in [`Verdict`]'s module docs: critical delay, MOS < 2.6 or no
    /// audio in a direction → unusable; other critical or MOS < 3.1 → poor; any warning →
    /// degraded).
    pub verdict: Verdict,
    /// Indices into `Diagnosis::symptoms`, most important first.
    pub symptoms: Vec<usize>,
    /// The dominant cause (the first of `symptoms`).
    pub dominant: Option<usize>,
    /// One line: the verdict and the dominant cause.
    pub headline: String,
    /// What to do, most important first, without repeats.
    pub advice: Vec<&'static str>,
}

/// Everything [`diagnose`] found.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Diagnosis {
    /// Calls in order of their first stream; every stream is in exactly one.
    pub calls: Vec<Call>,
    /// Every symptom, grouped by call, most important first within a call.
    pub symptoms: Vec<Symptom>,
    /// Latency per stream, aligned with `AnalysisReport::streams`.
    pub stream_latency: Vec<StreamLatency>,
}

/// Diagnoses a finished analysis: calls, symptoms, verdicts and advice.
///
/// `hints` group streams into calls by their media endpoints; without them streams pair by
/// reversed flows and RTP port symmetry. Video streams belong to calls but get no voice
/// symptoms (delay excepted, which is a property of the call).
pub fn diagnose(report: &AnalysisReport, hints: &[CallHint], thresholds: &Thresholds) -> Diagnosis {
    let t = thresholds;
    let streams = &report.streams;
    let groups = pairing::group(streams, hints);
    let latency = latency::compute(report, &groups, t);
    let previous_ssrc = ssrc_changes(report, &groups);
    let remote_on = worst_remote_views(report);
    let mut all: Vec<Symptom> = Vec::new();
    let mut calls = Vec::with_capacity(groups.len());
    for g in &groups {
        let mut found: Vec<Symptom> = oneway::check(streams, g, t);
        let mut delay_done = false;
        for &i in &g.streams {
            let (Some(s), Some(lat)) = (streams.get(i), latency.get(i)) else {
                continue;
            };
            let on = On {
                index: i,
                stream: s,
            };
            // The round trip belongs to the call: one delay symptom, on its worst stream.
            if !delay_done {
                let worst = g
                    .streams
                    .iter()
                    .copied()
                    .filter_map(|j| latency.get(j).and_then(|l| l.one_way_ms).map(|d| (d, j)))
                    .max_by(|a, b| a.0.total_cmp(&b.0));
                if let Some((_, j)) = worst {
                    if let (Some(ws), Some(wl)) = (streams.get(j), latency.get(j)) {
                        found.extend(checks::delay(
                            &On {
                                index: j,
                                stream: ws,
                            },
                            wl,
                            t,
                        ));
                    }
                }
                delay_done = true;
            }
            if let Some(&prev) = previous_ssrc.get(&i) {
                found.push(checks::ssrc_change(&on, prev));
            }
            if !is_audio(s.encoding.as_ref().map(|e| e.as_str()), s.clock_rate) {
                continue;
            }
            let own_loss = checks::loss(&on, t);
            if own_loss.is_none() {
                let remote = remote_on.get(&s.key.ssrc).copied();
                found.extend(checks::remote_loss(&on, remote, t));
            }
            found.extend(own_loss);
            found.extend(checks::jitter(&on, t));
            found.extend(checks::no_audio(&on, t));
            found.extend(checks::mos(&on, lat.mos_cq, lat.one_way_ms.is_some(), t));
            found.extend(checks::anomalies(&on, t));
        }
        found.sort_by(verdict::rank);
        let refs: Vec<&Symptom> = found.iter().collect();
        let worst_mos = g
            .streams
            .iter()
            .filter_map(|&i| latency.get(i).and_then(|l| l.mos_cq))
            .min_by(f64::total_cmp);
        let v = verdict::verdict(&refs, worst_mos, t);
        let headline = verdict::headline(v, found.first());
        let advice = verdict::advice(&refs);
        let first = all.len();
        let ids: Vec<usize> = (first..first + found.len()).collect();
        all.extend(found);
        calls.push(Call {
            streams: g.streams.clone(),
            call_id: g.call_id.clone(),
            verdict: v,
            dominant: ids.first().copied(),
            symptoms: ids,
            headline,
            advice,
        });
    }
    Diagnosis {
        calls,
        symptoms: all,
        stream_latency: latency,
    }
}

/// For each source SSRC, the peer report that says it lost the most (the last of equals),
/// found in one pass rather than by a scan of every report for every stream.
fn worst_remote_views(report: &AnalysisReport) -> HashMap<u32, &RemoteView> {
    let mut worst: HashMap<u32, &RemoteView> = HashMap::new();
    for r in &report.rtcp.remote {
        let slot = worst.entry(r.source).or_insert(r);
        if r.cumulative_lost >= slot.cumulative_lost {
            *slot = r;
        }
    }
    worst
}

/// How long two SSRCs of one flow may both send and still be one source's change (a few
/// late packets of the old one): beyond it they are two sources sharing the flow (a mixer's,
/// a forking proxy's), and neither changed.
const SSRC_CHANGE_OVERLAP_NS: u64 = 1_000_000_000;
/// The longest silence between an SSRC's last packet and the next SSRC's first on the same
/// flow that is still one call's change of source (a transfer's gap); after longer, it is
/// another call reusing the ports. The pairing's slack between a call's streams.
const SSRC_CHANGE_GAP_NS: u64 = 5_000_000_000;

/// Streams that took over a flow from an earlier SSRC of the same call: index → the earlier
/// SSRC.
fn ssrc_changes(report: &AnalysisReport, groups: &[pairing::Group]) -> HashMap<usize, u32> {
    let mut call_of = vec![usize::MAX; report.streams.len()];
    for (g, group) in groups.iter().enumerate() {
        for &i in &group.streams {
            if let Some(c) = call_of.get_mut(i) {
                *c = g;
            }
        }
    }
    let mut last_on_flow: HashMap<_, (usize, &crate::StreamReport)> = HashMap::new();
    let mut out = HashMap::new();
    // Streams are ordered by first arrival, so the earlier SSRC is met first.
    for (i, s) in report.streams.iter().enumerate() {
        if let Some((j, prev)) = last_on_flow.insert(s.key.flow, (i, s)) {
            if call_of.get(i) != call_of.get(j) {
                continue;
            }
            let both_sending = prev.last_arrival.min(s.last_arrival).as_nanos()
                > s.first_arrival
                    .as_nanos()
                    .saturating_add(SSRC_CHANGE_OVERLAP_NS);
            let later_call = s.first_arrival.as_nanos()
                > prev
                    .last_arrival
                    .as_nanos()
                    .saturating_add(SSRC_CHANGE_GAP_NS);
            if prev.key.ssrc != s.key.ssrc && !both_sending && !later_call {
                out.insert(i, prev.key.ssrc);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::RtcpReport;
    use crate::Timestamp;

    fn view(reporter: u32, source: u32, cumulative_lost: i32) -> RemoteView {
        RemoteView {
            reporter,
            source,
            fraction_lost: 0.0,
            cumulative_lost,
            jitter_units: 0,
            extended_highest_seq: 0,
            reports: 1,
            at: Timestamp::ZERO,
        }
    }

    #[test]
    fn the_worst_remote_view_is_the_last_of_the_largest_losses() {
        // What a scan of every view for each source picked (`max_by_key`: the last maximum).
        let remote = vec![
            view(1, 10, 4),
            view(2, 10, 9),
            view(3, 20, -1),
            view(4, 10, 9),
            view(5, 10, 2),
        ];
        let report = AnalysisReport {
            streams: Vec::new(),
            rtcp: RtcpReport {
                remote: remote.clone(),
                ..RtcpReport::default()
            },
            counters: Default::default(),
        };
        let worst = worst_remote_views(&report);
        for source in [10, 20, 30] {
            let scanned = remote
                .iter()
                .filter(|r| r.source == source)
                .max_by_key(|r| r.cumulative_lost);
            assert_eq!(worst.get(&source).copied(), scanned, "source {source}");
        }
        assert_eq!(worst.get(&10).map(|r| r.reporter), Some(4));
    }
}
