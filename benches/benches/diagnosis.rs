//! Diagnosing a whole capture's report at trunk scale: 16 000 calls (32 000 streams) between
//! two SBCs that reuse their port pools, four calls at a time, with no SIP to group them. Each
//! call must come out as its own call, and the cost must stay linear in the streams (pairing
//! by port symmetry once chained every call into one, and its checks compared every stream
//! of that call with every other: 38 s for this report).
//!
//! `cargo bench -p rtpscope-benches --bench diagnosis`

use std::hint::black_box;
use std::net::SocketAddr;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rtpscope::core::diagnosis::{diagnose, Thresholds};
use rtpscope::core::payload::{PayloadClass, RtpHeader};
use rtpscope::core::{AnalysisReport, Analyzer, AnalyzerConfig, Timestamp};
use rtpscope::wire::Flow;

const CALLS: u32 = 16_000;
/// Packets per direction: 1 s of 20 ms audio.
const PACKETS: u32 = 50;

fn report() -> AnalysisReport {
    let mut analyzer = Analyzer::new(AnalyzerConfig {
        max_streams: 2 * CALLS as usize,
        ..AnalyzerConfig::default()
    });
    let end = |ip: &str, port: u32| -> SocketAddr {
        format!("{ip}:{}", 10_000 + 2 * port).parse().expect("addr")
    };
    // Call i starts at i × 250 ms; ports come back every 500 calls (125 s later).
    let mut packets: Vec<(u64, Flow, RtpHeader)> = Vec::new();
    for call in 0..CALLS {
        let (a, b) = (end("10.0.0.1", call % 500), end("10.0.0.2", call % 700));
        for (k, flow) in [Flow::new(a, b), Flow::new(b, a)].into_iter().enumerate() {
            for seq in 0..PACKETS {
                let at = u64::from(call) * 250_000_000 + u64::from(seq) * 20_000_000 + k as u64;
                let header = RtpHeader {
                    sequence_number: seq as u16,
                    timestamp: seq * 160,
                    ssrc: call * 2 + k as u32,
                    payload_type: 0,
                    marker: false,
                    payload_len: 160,
                    payload_class: PayloadClass::Audible,
                };
                packets.push((at, flow, header));
            }
        }
    }
    packets.sort_by_key(|p| p.0);
    for (at, flow, header) in &packets {
        analyzer.handle_rtp(Timestamp::from_nanos(1_000_000_000 + at), *flow, header);
        while analyzer.poll_event().is_some() {}
    }
    analyzer.finish();
    while analyzer.poll_event().is_some() {}
    analyzer.report()
}

fn bench(c: &mut Criterion) {
    let report = report();
    assert_eq!(report.streams.len(), 2 * CALLS as usize);
    let thresholds = Thresholds::default();
    let d = diagnose(&report, &[], &thresholds);
    assert_eq!(d.calls.len(), CALLS as usize, "one call per call");
    let mut g = c.benchmark_group("diagnosis");
    g.sample_size(10)
        .throughput(Throughput::Elements(report.streams.len() as u64));
    g.bench_function("trunk_16k_calls_no_sip", |b| {
        b.iter(|| black_box(diagnose(black_box(&report), &[], &thresholds)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
