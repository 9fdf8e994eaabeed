//! Benchmarks live in benches/; the drivers in drive/ run the same work outside criterion
//! for profilers (`perf record`, `valgrind --tool=callgrind`). What both share is here.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use rtpscope::core::payload::{PayloadClass, RtpHeader};
use rtpscope::core::{Analyzer, AnalyzerConfig, Flow, Timestamp};

/// The flow of stream `i`: distinct source addresses and ports, one destination.
pub fn flow(i: u32) -> Flow {
    let src = SocketAddr::new(
        IpAddr::V4(Ipv4Addr::from(0xc633_6400 + (i >> 14))),
        20_000 + (i & 0x3fff) as u16,
    );
    let dst = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(203, 0, 113, 1)), 30_000);
    Flow::new(src, dst)
}

/// The stream of round-robin position `i` among `streams` in scattered order: a stride
/// permutation (each stream once per round, neighbours far apart in memory), as packets of
/// many calls arrive. The stride is a prime, so it is coprime to any count it does not divide;
/// for those few counts the order stays the plain one.
pub fn scattered(i: u32, streams: u32) -> u32 {
    const STRIDE: u64 = 7919;
    let streams = u64::from(streams.max(1));
    let stride = if streams.checked_rem(STRIDE) == Some(0) {
        1
    } else {
        STRIDE
    };
    (u64::from(i) * stride % streams) as u32
}

/// An analyzer with `streams` streams already past their first second.
pub fn warmed(streams: u32) -> (Analyzer, Vec<Flow>, u64) {
    let config = AnalyzerConfig {
        max_streams: streams as usize + 16,
        ..AnalyzerConfig::default()
    };
    let mut analyzer = Analyzer::new(config);
    let flows: Vec<Flow> = (0..streams).map(flow).collect();
    let mut now = 1_000_000_000u64;
    for round in 0..60u32 {
        for (i, f) in flows.iter().enumerate() {
            analyzer.handle_rtp(Timestamp::from_nanos(now), *f, &header(i as u32, round));
            now += spacing_ns(streams);
        }
    }
    (analyzer, flows, now)
}

/// Arrival spacing among `streams` streams that each send a packet every 20 ms.
#[inline(always)]
pub const fn spacing_ns(streams: u32) -> u64 {
    20_000_000 / if streams == 0 { 1 } else { streams as u64 }
}

/// Packet `round` of stream `ssrc`: 20 ms of PCMU, in sequence.
pub fn header(ssrc: u32, round: u32) -> RtpHeader {
    RtpHeader {
        sequence_number: round as u16,
        timestamp: round.wrapping_mul(160),
        ssrc,
        payload_type: 0,
        marker: false,
        payload_len: 160,
        payload_class: PayloadClass::Audible,
    }
}
