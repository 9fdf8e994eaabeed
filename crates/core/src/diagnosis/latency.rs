//! Round trip, one-way and mouth-to-ear delay per stream, and the conversational MOS.
//!
//! At a capture point between two endpoints, RTCP measures one *leg* per direction:
//! capture point → the endpoint that reports on a source → capture point. The call's round
//! trip is the sum of the legs of both directions (the leg on this stream's SSRC and the leg
//! on the paired stream's SSRC); when only one leg is seen (capture at an endpoint, or one
//! side without RTCP) that leg is the best estimate. One-way delay is half the round trip.

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use rtpscope_wire::Flow;

use crate::mos::{Codec, EModel};
use crate::report::{LatencyMethod, RttLeg, StreamReport};
use crate::AnalysisReport;

use super::pairing::{self, is_reverse, ByIps, Group};
use super::thresholds::Thresholds;

/// Latency and conversational quality of one stream; aligned with `AnalysisReport::streams`.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct StreamLatency {
    /// Round trip of the call the stream belongs to (ms): the sum of the legs seen for both
    /// directions, or the one leg seen; `None` without RTCP round-trip data.
    pub rtt_ms: Option<f64>,
    /// The mean of each leg that went into `rtt_ms` (ms): this stream's, then the paired
    /// stream's.
    pub rtt_legs_ms: Vec<f64>,
    /// Network one-way delay estimate (ms): `rtt_ms / 2`.
    pub one_way_ms: Option<f64>,
    /// Mouth-to-ear estimate (ms): one-way delay + the assumed jitter-buffer depth
    /// (`Thresholds::jitter_buffer_ms`) + the codec's packetisation and look-ahead.
    pub mouth_to_ear_ms: Option<f64>,
    /// How `rtt_ms` was obtained: `RtcpRoundTrip` (both legs) or `RtcpLeg` (one).
    pub method: Option<LatencyMethod>,
    /// Conversational MOS (E-model with the mouth-to-ear delay) when the delay is known;
    /// otherwise the listening MOS from the same loss and burst inputs (equal to the stream's
    /// `mos_lq`). `None` for codecs the E-model does not cover.
    pub mos_cq: Option<f64>,
}

/// The legs measured on each source SSRC, in report order: looked up per stream, so the
/// cost stays linear in streams and legs (a scan of every leg for every stream took seconds
/// on captures of tens of thousands of calls with RTCP).
fn legs_by_source(legs: &[RttLeg]) -> HashMap<u32, Vec<&RttLeg>> {
    let mut by_source: HashMap<u32, Vec<&RttLeg>> = HashMap::new();
    for l in legs {
        by_source.entry(l.source).or_default().push(l);
    }
    by_source
}

/// The leg measured on `ssrc`: preferably reported by one of `reporters`, else the one with
/// the most samples.
fn leg_on<'a>(
    legs: &HashMap<u32, Vec<&'a RttLeg>>,
    ssrc: u32,
    is_reporter: impl Fn(u32) -> bool,
) -> Option<&'a RttLeg> {
    let on = legs.get(&ssrc)?;
    on.iter()
        .find(|l| is_reporter(l.reporter))
        .or_else(|| on.iter().max_by_key(|l| l.samples))
        .copied()
}

/// Codec delay (ms): one packet of audio plus the encoder's look-ahead.
fn codec_delay_ms(s: &StreamReport, codec: Option<Codec>) -> f64 {
    let packet_ms = s
        .delta_ms
        .mean
        .filter(|m| m.is_finite() && *m > 0.0 && *m < 200.0)
        .unwrap_or(20.0);
    let lookahead = match codec {
        Some(Codec::G729) => 5.0,
        Some(Codec::G723) => 7.5,
        Some(Codec::G728) => 0.625,
        Some(Codec::Opus) => 6.5,
        _ => 0.0,
    };
    packet_ms + lookahead
}

/// Latency for every stream of the report.
pub(crate) fn compute(
    report: &AnalysisReport,
    groups: &[Group],
    t: &Thresholds,
) -> Vec<StreamLatency> {
    let streams = &report.streams;
    let legs_on = legs_by_source(&report.rtcp.legs);
    let mut out = vec![StreamLatency::default(); streams.len()];
    for g in groups {
        // Per call: its SSRCs (the preferred reporters), and its streams by flow and by
        // (source IP, destination IP), indexed once so that finding a stream's partner does
        // not compare it with every other stream of a large call; a call of a few streams
        // (nearly all) is scanned instead, with no allocation.
        let few = pairing::few(&g.streams);
        let call = || {
            g.streams
                .iter()
                .filter_map(|&j| streams.get(j).map(|r| (j, r)))
        };
        let mut others: HashSet<u32> = HashSet::new();
        let mut by_flow: HashMap<Flow, usize> = HashMap::new();
        if !few {
            others.extend(call().map(|(_, r)| r.key.ssrc));
            for (j, r) in call() {
                by_flow.entry(r.key.flow).or_insert(j);
            }
        }
        let is_other = |ssrc: u32| match few {
            true => call().any(|(_, r)| r.key.ssrc == ssrc),
            false => others.contains(&ssrc),
        };
        let on_flow = |flow: Flow| match few {
            true => call().find(|(_, r)| r.key.flow == flow).map(|(j, _)| j),
            false => by_flow.get(&flow).copied(),
        };
        let by_ips = ByIps::new(streams, &g.streams);
        for &i in &g.streams {
            let Some(s) = streams.get(i) else { continue };
            // The paired stream: the exact reverse flow first (always a reverse stream), else
            // the first reverse stream.
            let f = s.key.flow;
            let (src, dst) = pairing::ips_key(&f);
            let partner = on_flow(f.reversed())
                .or_else(|| {
                    by_ips
                        .get((dst, src))
                        .find(|&j| streams.get(j).is_some_and(|r| is_reverse(s, r)))
                })
                .and_then(|j| streams.get(j));
            let mut legs = Vec::new();
            if let Some(l) = leg_on(&legs_on, s.key.ssrc, is_other) {
                legs.push(l.mean_ms);
            }
            if let Some(l) = partner.and_then(|p| leg_on(&legs_on, p.key.ssrc, is_other)) {
                legs.push(l.mean_ms);
            }
            let lat = &mut out[i];
            let codec = s.encoding.and_then(|e| Codec::from_encoding(e.as_str()));
            if !legs.is_empty() {
                let rtt: f64 = legs.iter().sum();
                lat.method = Some(if legs.len() == 2 {
                    LatencyMethod::RtcpRoundTrip
                } else {
                    LatencyMethod::RtcpLeg
                });
                lat.rtt_ms = Some(rtt);
                lat.one_way_ms = Some(rtt / 2.0);
                lat.mouth_to_ear_ms =
                    Some(rtt / 2.0 + t.jitter_buffer_ms + codec_delay_ms(s, codec));
                lat.rtt_legs_ms = legs;
            }
            lat.mos_cq = codec.map(|c| {
                let model = EModel::new(c);
                let (loss, burst) = (s.missing_pct, s.burst.metrics.burst_ratio);
                match lat.mouth_to_ear_ms {
                    Some(d) => model.mos_cq(loss, burst, d),
                    None => model.mos_lq(loss, burst),
                }
            });
        }
    }
    out
}
