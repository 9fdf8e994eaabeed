//! End-to-end pipeline throughput (in-memory pcap → detector → shards → merged report) over
//! 1 k and 100 k G.711 streams with 1 and 2 workers: with every worker reading its own shard
//! (`sharded`), with one source thread dealing records over channels (`source`), and with a
//! source thread that runs worker 0 itself on a small share of the flows (`share`: N
//! workers on N threads); and the cost of moving one record through a bounded crossbeam
//! channel in batches.
//!
//! `cargo bench -p rtpscope-benches --bench pipeline_e2e`. The captures are also written to
//! `/tmp/rtpscope-pipeline-{1k,100k}.pcap` for the tshark comparison in
//! `docs/benchmarks/pipeline.md`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rtpscope::pipeline::{
    bench, channel_cost, synth_capture, PipelineConfig, Reading, SUGGESTED_READER_SHARE,
};

const PACKETS: u64 = 1_000_000;

fn e2e(c: &mut Criterion) {
    let mut group = c.benchmark_group("pipeline_e2e");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(12))
        .warm_up_time(Duration::from_secs(2));
    for (name, streams) in [("1k", 1_000usize), ("100k", 100_000)] {
        let capture = synth_capture(streams, PACKETS, 1).expect("synth");
        let _ = std::fs::write(format!("/tmp/rtpscope-pipeline-{name}.pcap"), &capture);
        let frames = bench(
            capture.clone(),
            &PipelineConfig::default(),
            Reading::Sharded,
        )
        .expect("run")
        .frames;
        group.throughput(Throughput::Elements(frames));
        for (label, reading, reader_share) in [
            ("sharded", Reading::Sharded, 0.0),
            ("source", Reading::SourceThread, 0.0),
            ("share", Reading::SourceThread, SUGGESTED_READER_SHARE),
        ] {
            let mut rates = Vec::new();
            for workers in [1usize, 2] {
                let cfg = PipelineConfig {
                    workers,
                    reader_share,
                    ..PipelineConfig::default()
                };
                let mut best = 0f64;
                group.bench_with_input(
                    BenchmarkId::new(format!("{name}_streams_{label}"), workers),
                    &cfg,
                    |b, cfg| {
                        b.iter(|| {
                            let r = bench(capture.clone(), cfg, reading).expect("run");
                            assert_eq!(r.dropped, 0);
                            best = best.max(r.packets_per_sec);
                            black_box(r.packets)
                        })
                    },
                );
                rates.push(best);
            }
            println!(
                "{name} streams, {label}: best {:.2} M pkt/s with 1 worker, {:.2} M pkt/s with 2, scaling {:.2}x",
                rates[0] / 1e6,
                rates[1] / 1e6,
                rates[1] / rates[0].max(1.0)
            );
        }
    }
    group.finish();
}

fn channel(c: &mut Criterion) {
    let mut group = c.benchmark_group("pipeline_channel");
    for batch in [1usize, 64, 512, 1024] {
        group.throughput(Throughput::Elements(batch as u64));
        group.bench_with_input(
            BenchmarkId::new("batch_send_recv", batch),
            &batch,
            |b, &batch| b.iter_custom(|iters| channel_cost(batch, iters)),
        );
    }
    group.finish();
}

criterion_group!(benches, e2e, channel);
criterion_main!(benches);
