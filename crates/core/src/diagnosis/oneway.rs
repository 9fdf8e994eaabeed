//! One-way audio: one direction of a call silent while the other carries audio.
//!
//! Per direction (the audio streams from one party to the other), compare its span with the
//! reverse direction's: a direction that ends `gap_ms` before the other, or starts `gap_ms`
//! after it, left one caller hearing nothing meanwhile. When SIP hints name the parties and
//! one of them never sends audio, audio flows one way only. A lone stream without hints says
//! nothing about the other direction (it may simply not have been captured).

use foldhash::{HashSet, HashSetExt};

use crate::report::StreamReport;

use super::advice;
use super::checks::{On, EPS};
use super::pairing::{ips_key, is_reverse, is_same_direction, ByIps, Group};
use super::symptom::{direction, is_audio, Direction, Evidence, Severity, Symptom, SymptomKind};
use super::thresholds::Thresholds;
use super::wording;

fn ms_between(a: rtpscope_wire::Timestamp, b: rtpscope_wire::Timestamp) -> f64 {
    a.nanos_since(b) as f64 / 1e6
}

/// One-way audio symptoms for one call.
pub(crate) fn check(streams: &[StreamReport], g: &Group, t: &Thresholds) -> Vec<Symptom> {
    let audio: Vec<usize> = g
        .streams
        .iter()
        .copied()
        .filter(|&i| {
            streams
                .get(i)
                .is_some_and(|s| is_audio(s.encoding.as_ref().map(|e| e.as_str()), s.clock_rate))
        })
        .collect();
    let get = |i: usize| streams.get(i);
    let call_start = audio
        .iter()
        .filter_map(|&i| get(i))
        .map(|s| s.first_arrival)
        .min();
    // The audio streams by (source IP, destination IP): a direction's streams and the
    // reverse direction's are found in their buckets, not by comparing every pair (between
    // two SBCs a call can hold many streams).
    let by_ips = ByIps::new(streams, &audio);
    let mut out: Vec<Symptom> = Vec::new();
    let mut done: HashSet<usize> = HashSet::new();
    for &i in &audio {
        let Some(s) = get(i) else { continue };
        // Each direction is judged once, through its longest-lasting stream. Between two
        // addresses a direction is all of its bucket, judged at its first stream; on one
        // shared address (loopback) sockets tell directions apart, pair by pair.
        let (src, dst) = ips_key(&s.key.flow);
        if src != dst && done.contains(&i) {
            continue;
        }
        let same: Vec<usize> = by_ips
            .get((src, dst))
            .filter(|&j| get(j).is_some_and(|o| is_same_direction(s, o)))
            .collect();
        if same.iter().any(|j| done.contains(j)) {
            continue;
        }
        done.extend(&same);
        let last = |set: &[usize]| {
            set.iter()
                .copied()
                .filter_map(|j| get(j).map(|o| (o.last_arrival, j)))
                .max()
        };
        let first = |set: &[usize]| {
            set.iter()
                .copied()
                .filter_map(|j| get(j).map(|o| (o.first_arrival, j)))
                .min()
        };
        let Some((own_end, own_last)) = last(&same) else {
            continue;
        };
        let Some((own_start, own_first)) = first(&same) else {
            continue;
        };
        let reverse: Vec<usize> = by_ips
            .get((dst, src))
            .filter(|&j| get(j).is_some_and(|o| is_reverse(s, o)))
            .collect();
        if reverse.is_empty() {
            // Only with hints naming the other party do we know it should have sent audio.
            let to_party = g.parties.contains(&s.key.flow.dst().ip()) && g.parties.len() >= 2;
            if to_party {
                let on = On {
                    index: own_first,
                    stream: streams.get(own_first).unwrap_or(s),
                };
                let dir = direction(&on.stream.key.flow);
                let ev = Evidence {
                    metric: "audio_one_direction_only",
                    value: 1.0,
                    threshold: 0.0,
                    window: "whole call".into(),
                    method: None,
                };
                let span = (own_start, own_end);
                out.push(on.symptom(
                    SymptomKind::OneWayAudio,
                    Severity::Critical,
                    span,
                    ev,
                    wording::one_direction_only(&dir),
                    advice::ONE_WAY,
                ));
            }
            continue;
        }
        // The partner to name: the exact reverse flow if any, else the reverse stream that
        // lasted longest.
        let exact = reverse
            .iter()
            .copied()
            .find(|&j| get(j).is_some_and(|o| o.key.flow == s.key.flow.reversed()));
        let Some((rev_end, rev_last)) = last(&reverse) else {
            continue;
        };
        let Some((rev_start, _)) = first(&reverse) else {
            continue;
        };
        let outlasts = |j: &usize| {
            get(*j).is_some_and(|o| ms_between(o.last_arrival, own_end) + EPS >= t.gap_ms)
        };
        let partner = exact.filter(outlasts).or(Some(rev_last)).and_then(get);
        let Some(partner) = partner else { continue };
        // Written only for a symptom: most calls have none.
        let other = || direction(&partner.key.flow);
        if ms_between(rev_end, own_end) + EPS >= t.gap_ms {
            let stopped_early = ms_between(partner.last_arrival, own_end);
            let Some(stream) = get(own_last) else {
                continue;
            };
            let on = On {
                index: own_last,
                stream,
            };
            let at = call_start.map_or(0.0, |c| ms_between(own_end, c));
            let summary = wording::stopped_while_other_continued(
                Direction(&stream.key.flow),
                at,
                other(),
                stopped_early,
            );
            let ev = Evidence {
                metric: "stopped_early_ms",
                value: stopped_early,
                threshold: t.gap_ms,
                window: "call".into(),
                method: None,
            };
            out.push(on.symptom(
                SymptomKind::OneWayAudio,
                Severity::Critical,
                (own_end, partner.last_arrival),
                ev,
                summary,
                advice::ONE_WAY,
            ));
        }
        let started_late = ms_between(own_start, rev_start);
        if started_late + EPS >= t.gap_ms {
            let Some(stream) = get(own_first) else {
                continue;
            };
            let on = On {
                index: own_first,
                stream,
            };
            let summary = wording::started_late(Direction(&stream.key.flow), started_late, other());
            let ev = Evidence {
                metric: "started_late_ms",
                value: started_late,
                threshold: t.gap_ms,
                window: "call".into(),
                method: None,
            };
            out.push(on.symptom(
                SymptomKind::OneWayAudio,
                Severity::Critical,
                (rev_start, own_start),
                ev,
                summary,
                advice::ONE_WAY,
            ));
        }
    }
    out
}
