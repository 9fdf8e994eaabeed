//! Cost of the sans-IO analyzer per packet with 1, 1 k and 100 k active streams, and the
//! memory a stream holds. Packets are pre-built so only the analysis is measured; streams
//! are visited round-robin, as interleaved calls arrive on a probe.
//!
//! Round-robin in creation order also walks the stream table in memory order, which the
//! hardware prefetcher follows. Packets of 100 k real calls arrive in no such order, so the
//! `scattered` cases visit the streams in a stride permutation (each stream once per round),
//! one packet at a time and in groups of 32 warmed with `Analyzer::warm` first, as the
//! pipeline's workers do.
//!
//! `cargo bench -p rtpscope-benches --bench core_analyzer`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rtpscope::core::{Analyzer, Flow, Timestamp};
use rtpscope::wire::rtp::RtpRepr;
use rtpscope_benches::{header, scattered, spacing_ns, warmed};

fn per_packet(c: &mut Criterion) {
    let mut group = c.benchmark_group("analyzer_per_packet");
    group.throughput(Throughput::Elements(1));
    per_packet_among::<1>(&mut group);
    per_packet_among::<1_000>(&mut group);
    per_packet_among::<100_000>(&mut group);
    group.finish();
}

/// The `handle_rtp` case among `STREAMS` streams: a constant, so that the harness's share of
/// a round is one too (a 64-bit division a packet would be timed with the analyzer).
fn per_packet_among<const STREAMS: u32>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
) {
    // Built on first use, so a filtered run (or a profile) pays only for what it measures.
    let mut state = None;
    let (mut i, mut round) = (0u32, 60u32);
    group.bench_function(format!("handle_rtp/{STREAMS}_streams"), |b| {
        let (analyzer, flows, now) = state.get_or_insert_with(|| {
            let warm = warmed(STREAMS);
            let bytes = warm.0.stream_memory_bytes();
            eprintln!(
                "{STREAMS} streams: {bytes} bytes of stream state, {} bytes per stream",
                bytes / STREAMS as usize
            );
            warm
        });
        b.iter(|| {
            next_packet(analyzer, flows, now, (&mut i, &mut round), STREAMS, |i| i);
            // Interval reports queue events; a consumer drains them.
            while analyzer.poll_event().is_some() {}
        })
    });
}

fn scattered_order(c: &mut Criterion) {
    const STREAMS: u32 = 100_000;
    const GROUP: u32 = 32;
    let mut group = c.benchmark_group("analyzer_per_packet");
    let mut state = None;
    let (mut i, mut round) = (0u32, 60u32);
    for warm in [false, true] {
        let batch = if warm { GROUP } else { 1 };
        group.throughput(Throughput::Elements(u64::from(batch)));
        let name = if warm { "_warmed_by_32" } else { "" };
        group.bench_function(
            format!("handle_rtp/{STREAMS}_streams_scattered{name}"),
            |b| {
                let (analyzer, flows, now) = state.get_or_insert_with(|| warmed(STREAMS));
                let stream = |k: u32| scattered(k, STREAMS);
                b.iter(|| {
                    if warm {
                        // The packets this iteration handles: streams i + 1 ..= i + batch.
                        analyzer.warm((1..=batch).map(|d| {
                            let s = stream((i + d) % STREAMS);
                            (flows[s as usize], s)
                        }));
                    }
                    for _ in 0..batch {
                        next_packet(analyzer, flows, now, (&mut i, &mut round), STREAMS, stream);
                    }
                    while analyzer.poll_event().is_some() {}
                })
            },
        );
    }
    group.finish();
}

/// Sends the next packet of the rounds: advances the round-robin position `i` (and the
/// round after the last stream) and the clock by a round's share of 20 ms, then hands the
/// analyzer a packet of stream `order(i)`. Inlined, so that a constant `streams` makes the
/// share a constant.
#[inline(always)]
fn next_packet(
    analyzer: &mut Analyzer,
    flows: &[Flow],
    now: &mut u64,
    (i, round): (&mut u32, &mut u32),
    streams: u32,
    order: impl Fn(u32) -> u32,
) {
    *i += 1;
    if *i == streams {
        *i = 0;
        *round += 1;
    }
    *now += spacing_ns(streams);
    let s = order(*i);
    analyzer.handle_rtp(
        Timestamp::from_nanos(*now),
        flows[s as usize],
        black_box(&header(s, *round)),
    );
}

fn datagram(c: &mut Criterion) {
    // Parse + analyse from bytes, one stream.
    let mut state = None;
    let mut buf = [0u8; 172];
    let mut round = 60u32;
    c.bench_function("analyzer_per_packet/handle_datagram/1_stream", |b| {
        let (analyzer, flows, now) = state.get_or_insert_with(|| warmed(1));
        b.iter(|| {
            round += 1;
            *now += 20_000_000;
            let repr = RtpRepr {
                sequence_number: round as u16,
                timestamp: round * 160,
                payload: &[0x2a; 160],
                ..RtpRepr::default()
            };
            let n = repr.emit(&mut buf).unwrap_or(0);
            black_box(
                analyzer
                    .handle_datagram(Timestamp::from_nanos(*now), flows[0], &buf[..n])
                    .ok(),
            )
        })
    });
}

fn stream_churn(c: &mut Criterion) {
    // A flood of one-packet streams (every packet a new flow, one SSRC on all of them, a
    // payload type nothing describes): what starting, indexing, evicting and ending a stream
    // costs, with nothing to amortise it over.
    const STREAMS: u32 = 100_000;
    let mut g = c.benchmark_group("stream_churn");
    g.sample_size(10)
        .throughput(Throughput::Elements(u64::from(STREAMS)));
    g.bench_function("one_packet_streams_100k", |b| {
        b.iter_batched(
            || Analyzer::new(rtpscope::core::AnalyzerConfig::default()),
            |mut analyzer| {
                for i in 0..STREAMS {
                    let flow = Flow::new(
                        std::net::SocketAddr::from((
                            [10, (i >> 16) as u8, (i >> 8) as u8, i as u8],
                            4000,
                        )),
                        std::net::SocketAddr::from(([10, 0, 0, 2], 5000)),
                    );
                    let header = rtpscope::core::RtpHeader {
                        payload_type: 96,
                        ..header(7, 1)
                    };
                    let now = Timestamp::from_nanos(1_000_000_000 + u64::from(i) * 1000);
                    analyzer.handle_rtp(now, flow, &header);
                    while analyzer.poll_event().is_some() {}
                }
                analyzer.finish();
                while analyzer.poll_event().is_some() {}
                analyzer
            },
            criterion::BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(benches, per_packet, scattered_order, datagram, stream_churn);
criterion_main!(benches);
