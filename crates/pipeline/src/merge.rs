//! Assembling one report from every shard's.
//!
//! Streams have exactly one owner, so they are concatenated; RTCP facts are keyed by SSRC and
//! may (rarely: RTCP on an unconventional port) be known to two shards, so equal keys are
//! combined.

use rtpscope_core::report::{RemoteView, RttLeg, SenderView, XrVoipView};
use rtpscope_core::{AnalysisReport, Counters};

/// Merges per-shard reports into one, as a single analyzer would have produced it: streams
/// sorted by (first arrival, key) and renumbered `0..` in that order (per-shard ids are only
/// unique within a shard); RTCP legs, remote views, senders and BYEs merged by key and sorted
/// as the analyzer sorts them; counters summed.
///
/// ```
/// use rtpscope_core::{AnalysisReport, Analyzer, AnalyzerConfig};
/// use rtpscope_pipeline::merge_reports;
///
/// let a = Analyzer::new(AnalyzerConfig::default()).report();
/// let merged = merge_reports(vec![a.clone(), a]);
/// assert!(merged.streams.is_empty());
/// assert_eq!(merged.counters.datagrams, 0);
/// ```
pub fn merge_reports(reports: Vec<AnalysisReport>) -> AnalysisReport {
    let total: usize = reports.iter().map(|r| r.streams.len()).sum();
    let mut out = AnalysisReport {
        streams: Vec::new(),
        rtcp: Default::default(),
        counters: Counters::default(),
    };
    for (i, mut r) in reports.into_iter().enumerate() {
        if i == 0 {
            // The first shard's list starts the merged one: moved, not copied.
            out.streams = core::mem::take(&mut r.streams);
            out.streams.reserve_exact(total - out.streams.len());
        } else {
            out.streams.append(&mut r.streams);
        }
        out.rtcp.legs.extend(r.rtcp.legs);
        out.rtcp.remote.extend(r.rtcp.remote);
        out.rtcp.senders.extend(r.rtcp.senders);
        out.rtcp.byes.extend(r.rtcp.byes);
        out.rtcp.xr_voip.extend(r.rtcp.xr_voip);
        add_counters(&mut out.counters, &r.counters);
    }
    rtpscope_core::sort_reports(&mut out.streams);
    for (id, s) in out.streams.iter_mut().enumerate() {
        s.id = id as u64;
    }
    out.rtcp.legs = combine(out.rtcp.legs, |l| (l.source, l.reporter), combine_legs);
    out.rtcp.remote = combine(out.rtcp.remote, |r| (r.source, r.reporter), combine_remote);
    out.rtcp.senders = combine(out.rtcp.senders, |s| s.ssrc, combine_senders);
    out.rtcp.xr_voip = combine(
        out.rtcp.xr_voip,
        |v| (v.source, v.reporter),
        |a, b| {
            let reports = a.reports + b.reports;
            let latest = if b.at > a.at { b } else { a };
            XrVoipView { reports, ..latest }
        },
    );
    out.rtcp.byes.sort_unstable();
    out.rtcp.byes.dedup();
    out
}

/// Sorts by key and folds runs of equal keys with `join`.
fn combine<T, K: Ord + Copy>(
    mut items: Vec<T>,
    key: impl Fn(&T) -> K,
    join: impl Fn(T, T) -> T,
) -> Vec<T> {
    items.sort_by_key(|i| key(i));
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    for item in items {
        match out.pop() {
            Some(last) if key(&last) == key(&item) => out.push(join(last, item)),
            Some(last) => {
                out.push(last);
                out.push(item);
            }
            None => out.push(item),
        }
    }
    out
}

fn combine_legs(a: RttLeg, b: RttLeg) -> RttLeg {
    let samples = a.samples + b.samples;
    let mean_ms =
        (a.mean_ms * a.samples as f64 + b.mean_ms * b.samples as f64) / samples.max(1) as f64;
    RttLeg {
        samples,
        min_ms: a.min_ms.min(b.min_ms),
        mean_ms,
        max_ms: a.max_ms.max(b.max_ms),
        // Legs carry no time: the better-sampled side's last value stands for the leg.
        last_ms: if b.samples > a.samples {
            b.last_ms
        } else {
            a.last_ms
        },
        ..a
    }
}

fn combine_remote(a: RemoteView, b: RemoteView) -> RemoteView {
    let reports = a.reports + b.reports;
    let latest = if b.at > a.at { b } else { a };
    RemoteView { reports, ..latest }
}

fn combine_senders(a: SenderView, b: SenderView) -> SenderView {
    let delay = match (a.sr_clock_delay_ms, b.sr_clock_delay_ms) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    };
    let more = if b.reports > a.reports { b } else { a };
    SenderView {
        reports: a.reports + b.reports,
        sr_clock_delay_ms: delay,
        ..more
    }
}

/// Adds every counter of `b` to `a`.
pub(crate) fn add_counters(a: &mut Counters, b: &Counters) {
    // Destructured so that a counter added to core fails to compile here instead of being lost.
    let Counters {
        datagrams,
        rtp_packets,
        rtcp_packets,
        not_rtp,
        rtp_malformed,
        rtcp_malformed,
        streams_started,
        streams_evicted,
        ended_reports_dropped,
        events_dropped,
        rtcp_entries_dropped,
        rtt_negative,
    } = *b;
    a.datagrams += datagrams;
    a.rtp_packets += rtp_packets;
    a.rtcp_packets += rtcp_packets;
    a.not_rtp += not_rtp;
    a.rtp_malformed += rtp_malformed;
    a.rtcp_malformed += rtcp_malformed;
    a.streams_started += streams_started;
    a.streams_evicted += streams_evicted;
    a.ended_reports_dropped += ended_reports_dropped;
    a.events_dropped += events_dropped;
    a.rtcp_entries_dropped += rtcp_entries_dropped;
    a.rtt_negative += rtt_negative;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leg(reporter: u32, samples: u64, min: f64, mean: f64, max: f64) -> RttLeg {
        RttLeg {
            reporter,
            source: 9,
            samples,
            min_ms: min,
            mean_ms: mean,
            max_ms: max,
            last_ms: mean,
        }
    }

    #[test]
    fn equal_rtcp_keys_are_combined_and_sorted() {
        let mut a = AnalysisReport {
            streams: Vec::new(),
            rtcp: Default::default(),
            counters: Counters::default(),
        };
        let mut b = a.clone();
        a.rtcp.legs = vec![leg(2, 1, 10.0, 10.0, 10.0), leg(1, 3, 1.0, 2.0, 3.0)];
        b.rtcp.legs = vec![leg(1, 1, 6.0, 6.0, 6.0)];
        a.rtcp.byes = vec![5, 3];
        b.rtcp.byes = vec![3];
        a.counters.rtp_packets = 4;
        b.counters.rtp_packets = 6;
        let m = merge_reports(vec![a, b]);
        assert_eq!(m.rtcp.legs.len(), 2);
        let l = m.rtcp.legs[0];
        assert_eq!(
            (l.reporter, l.samples, l.min_ms, l.max_ms, l.mean_ms),
            (1, 4, 1.0, 6.0, 3.0)
        );
        assert_eq!(m.rtcp.byes, vec![3, 5]);
        assert_eq!(m.counters.rtp_packets, 10);
    }
}
