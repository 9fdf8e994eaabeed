//! A virtual-clock RTP sender shared by the hand-worked analyzer tests.

#![allow(dead_code)]

use rtpscope_core::{Analyzer, AnalyzerConfig, Event, Flow, Timestamp};
use rtpscope_wire::rtp::RtpRepr;

/// The one flow every packet is sent on.
pub fn flow() -> Flow {
    Flow::new(
        "192.0.2.1:4000".parse().unwrap(),
        "192.0.2.2:5004".parse().unwrap(),
    )
}

/// Sends RTP packets to an analyzer on a virtual clock that starts at 1 s.
pub struct Sender {
    pub analyzer: Analyzer,
    pub flow: Flow,
}

impl Sender {
    pub fn new(config: AnalyzerConfig) -> Self {
        Sender {
            analyzer: Analyzer::new(config),
            flow: flow(),
        }
    }

    /// One packet, `at_ms` after the clock's start.
    pub fn send(&mut self, at_ms: f64, seq: u16, ts: u32, pt: u8, marker: bool, ssrc: u32) {
        let repr = RtpRepr {
            marker,
            payload_type: pt,
            sequence_number: seq,
            timestamp: ts,
            ssrc,
            payload: &[0x55; 160],
            ..RtpRepr::default()
        };
        let mut buf = [0u8; 200];
        let n = repr.emit(&mut buf).unwrap();
        let now = Timestamp::from_nanos(1_000_000_000 + (at_ms * 1e6) as u64);
        self.analyzer
            .handle_datagram(now, self.flow, &buf[..n])
            .unwrap();
    }

    pub fn events(&mut self) -> Vec<Event> {
        std::iter::from_fn(|| self.analyzer.poll_event()).collect()
    }
}
