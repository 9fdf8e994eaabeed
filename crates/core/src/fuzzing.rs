//! The body of the `analyzer_ops` fuzz target, here so that a normal test replays the
//! committed corpus on stable Rust. Not part of the API.
//!
//! The input is a program: each operation is a tag byte and its operands. It drives the
//! stateful analyzer the way a hostile network and an erratic clock would — RTP with chosen
//! fields on a few flows and many SSRCs, arbitrary RTCP bytes, time that jumps forward and
//! back, timers, payload-type learning, reports — and checks the invariants after each step.

use core::time::Duration;

use rtpscope_wire::rtp::RtpRepr;
use rtpscope_wire::{Flow, Timestamp};

use crate::{Analyzer, AnalyzerConfig, Encoding, PayloadInfo};

const MAX_STREAMS: usize = 32;
const MAX_EVENTS: usize = 256;

struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn u8(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }
    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_be_bytes([self.u8()?, self.u8()?]))
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_be_bytes([
            self.u8()?,
            self.u8()?,
            self.u8()?,
            self.u8()?,
        ]))
    }
    fn bytes(&mut self, n: usize) -> &[u8] {
        let n = n.min(self.0.len());
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        head
    }
}

fn flow(i: u8) -> Flow {
    let a = core::net::SocketAddr::from(([10, 0, 0, 1 + (i & 3)], 4000 + u16::from(i & 3) * 2));
    let b = core::net::SocketAddr::from(([10, 0, 1, 1], 5004));
    if i & 4 == 0 {
        Flow::new(a, b)
    } else {
        Flow::new(b, a)
    }
}

/// Runs one program twice, for a caller that reads events and for one that reads only
/// reports; panics only when an invariant breaks, or when the two end with different reports
/// (events are meant to cost only what they carry).
pub fn analyzer_ops(data: &[u8]) {
    let mut with = run(data, true);
    let without = run(data, false);
    assert_eq!(without.counters.events_dropped, 0);
    with.counters.events_dropped = 0;
    assert_eq!(
        with, without,
        "the reports depend on whether events are read"
    );
}

fn run(data: &[u8], events: bool) -> crate::AnalysisReport {
    let config = AnalyzerConfig {
        max_streams: MAX_STREAMS,
        max_queued_events: MAX_EVENTS,
        idle_timeout: Duration::from_secs(5),
        max_ended_streams: 64,
        events,
        ..AnalyzerConfig::default()
    };
    let mut analyzer = Analyzer::new(config);
    let mut input = Input(data);
    let mut now: u64 = 1_000_000_000;
    let mut buf = [0u8; 300];
    while let Some(op) = input.u8() {
        match op % 8 {
            0..=2 => {
                // An RTP packet: flow, SSRC (few values, so streams repeat), seq, ts, pt, marker.
                let (Some(f), Some(ssrc), Some(seq), Some(ts), Some(pt)) =
                    (input.u8(), input.u8(), input.u16(), input.u32(), input.u8())
                else {
                    break;
                };
                let payload = [0x55u8; 40];
                let repr = RtpRepr {
                    marker: pt & 0x80 != 0,
                    payload_type: pt & 0x7f,
                    sequence_number: seq,
                    timestamp: ts,
                    ssrc: u32::from(ssrc % 48),
                    payload: &payload[..usize::from(f >> 3).min(40)],
                    ..RtpRepr::default()
                };
                if let Ok(n) = repr.emit(&mut buf) {
                    // The op's high bits cut 0, 8, 16 or 24 bytes off, as a snap length does.
                    let kept = n.saturating_sub(usize::from(op >> 3) % 4 * 8);
                    let now = Timestamp::from_nanos(now);
                    let _ = analyzer.handle_cut_datagram(now, flow(f), &buf[..kept], n);
                }
            }
            3 => {
                // Raw bytes as a datagram: RTCP, garbage, anything; the op's high bits say how
                // much more the datagram had before the capture cut it.
                let Some(len) = input.u8() else { break };
                let Some(f) = input.u8() else { break };
                let bytes = input.bytes(usize::from(len)).to_vec();
                let length = bytes.len() + usize::from(op >> 3);
                let now = Timestamp::from_nanos(now);
                let _ = analyzer.handle_cut_datagram(now, flow(f), &bytes, length);
            }
            4 => {
                // Time moves: mostly forward by up to 65 s, sometimes backwards.
                let Some(step) = input.u16() else { break };
                if step & 0x8000 != 0 {
                    now = now.saturating_sub(u64::from(step & 0x7fff) * 1_000_000);
                } else {
                    now = now.saturating_add(u64::from(step) * 1_000_000);
                }
            }
            5 => analyzer.handle_timeout(Timestamp::from_nanos(now)),
            6 => {
                let (Some(f), Some(pt), Some(rate)) = (input.u8(), input.u8(), input.u16()) else {
                    break;
                };
                let info = PayloadInfo {
                    encoding: Encoding::new(if pt & 1 == 0 {
                        "opus"
                    } else {
                        "telephone-event"
                    }),
                    clock_rate: u32::from(rate).max(1),
                    source: crate::clock::ClockRateSource::Sdp,
                };
                analyzer.learn_payload_type(flow(f).dst(), pt & 0x7f, info);
            }
            _ => {
                while analyzer.poll_event().is_some() {}
                check(&mut analyzer);
            }
        }
        assert!(
            analyzer.live_streams() <= MAX_STREAMS,
            "stream table over its bound"
        );
    }
    analyzer.finish();
    check(&mut analyzer);
    analyzer.take_report()
}

fn check(analyzer: &mut Analyzer) {
    let report = analyzer.report();
    let c = report.counters;
    let packets: u64 = report.streams.iter().map(|s| s.packets).sum();
    // Every RTP packet is in exactly one stream's count, unless its ended report was not kept.
    if c.ended_reports_dropped == 0 {
        assert_eq!(
            packets, c.rtp_packets,
            "packets lost between the counters and the streams"
        );
    }
    for s in &report.streams {
        assert_eq!(s.lost, s.expected as i64 - s.packets as i64);
        assert!(s.duplicates + s.late <= s.packets);
        for v in [s.jitter_ms.final_ms, s.jitter_ms.mean, s.delta_ms.mean]
            .into_iter()
            .flatten()
        {
            assert!(!v.is_nan(), "NaN in a report");
        }
    }
}
