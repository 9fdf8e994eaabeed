//! N workers, 1 worker and one plain `Analyzer` agree bit for bit.

mod common;

use std::io::Cursor;

use common::{assert_same, captures_in, impaired_capture, reference};
use proptest::prelude::*;
use rtpscope_capture::CaptureReader;
use rtpscope_pipeline::{FinalReport, Pipeline, PipelineConfig, Reading};

fn run(capture: &[u8], cfg: &PipelineConfig, workers: usize, reading: Reading) -> FinalReport {
    let reader = || CaptureReader::new(Cursor::new(capture.to_vec()));
    let builder = Pipeline::builder().config(PipelineConfig {
        workers,
        ..cfg.clone()
    });
    let (handle, _events) = match reading {
        Reading::SourceThread => builder.spawn(reader().expect("capture")),
        Reading::Sharded => builder.spawn_sharded(|| Ok(reader()?)),
    }
    .expect("spawn");
    handle.join().expect("join")
}

/// The ways of reading: a source thread, one that analyses a share itself (worker 0 in it),
/// and sharded reading.
const WAYS: [(Reading, f64); 3] = [
    (Reading::SourceThread, 0.0),
    (Reading::SourceThread, 0.3),
    (Reading::Sharded, 0.0),
];

/// Every way of reading, with 1 to `max_workers` workers, equals the plain analyzer, and
/// counts the capture the same way.
fn check_all(capture: &[u8], cfg: &PipelineConfig, max_workers: usize, what: &str) {
    let expected = reference(capture, cfg);
    let base = run(capture, cfg, 1, Reading::SourceThread);
    for (reading, reader_share) in WAYS {
        let cfg = &PipelineConfig {
            reader_share,
            ..cfg.clone()
        };
        for workers in 1..=max_workers {
            let got = run(capture, cfg, workers, reading);
            let what =
                format!("{what}, {reading:?} (reader's share {reader_share}), {workers} workers");
            assert_eq!(got.dropped(), 0, "{what}");
            assert_same(&expected, &got.report, &what);
            assert_eq!(got.source, base.source, "{what}: source counters");
            assert_eq!(got.sip, base.sip, "{what}: SIP");
        }
    }
}

fn check(capture: &[u8], cfg: &PipelineConfig, what: &str) {
    check_all(capture, cfg, 4, what);
}

#[test]
fn synthetic_impaired_traffic() {
    let capture = impaired_capture(11, 40, 8);
    let cfg = PipelineConfig {
        batch_size: 64,
        channel_capacity: 4,
        ..PipelineConfig::default()
    };
    let expected = reference(&capture, &cfg);
    assert!(
        expected.streams.len() >= 160,
        "{} streams",
        expected.streams.len()
    );
    assert!(!expected.rtcp.remote.is_empty());
    // The SDP reached the analyzers before the opus stream's packets.
    assert!(expected
        .streams
        .iter()
        .any(|s| s.clock_rate_source == Some(rtpscope_core::clock::ClockRateSource::Sdp)));
    check(&capture, &cfg, "synth");
}

#[test]
fn small_batches_and_tiny_queues() {
    let capture = impaired_capture(4, 10, 3);
    let cfg = PipelineConfig {
        batch_size: 1,
        channel_capacity: 1,
        ..PipelineConfig::default()
    };
    check(&capture, &cfg, "batch 1");
}

#[test]
fn reference_captures() {
    let mut files = Vec::new();
    match captures_in("../../../shared/captures", &["pcap", "pcapng"]) {
        Some(found) => files.extend(found),
        None => std::io::Write::write_fmt(
            &mut std::io::stderr(),
            format_args!("skipped: ../shared/captures not present\n"),
        )
        .unwrap_or(()),
    }
    files.extend(captures_in("../../tests/data", &["pcap", "pcapng"]).unwrap_or_default());
    files.extend(captures_in("../../samples", &["pcap", "pcapng"]).unwrap_or_default());
    let cfg = PipelineConfig::default();
    for path in files {
        let bytes = std::fs::read(&path).expect("read");
        check_all(&bytes, &cfg, 3, &path.display().to_string());
        println!(
            "{}: {} streams agree (source thread, one analysing a share, sharded reading; 1-3 workers)",
            path.display(),
            reference(&bytes, &cfg).streams.len()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]
    #[test]
    fn any_seed_any_shape(seed in 0u64..1_000_000, calls in 1usize..24, workers in 1usize..5, batch in 1usize..300) {
        let capture = impaired_capture(seed, calls, 2);
        let cfg = PipelineConfig { batch_size: batch, ..PipelineConfig::default() };
        let expected = reference(&capture, &cfg);
        for (reading, reader_share) in WAYS {
            let cfg = PipelineConfig { reader_share, ..cfg.clone() };
            let got = run(&capture, &cfg, workers, reading);
            assert_same(&expected, &got.report, &format!("seed {seed}, {calls} calls, {workers} workers, batch {batch}, {reading:?}, reader's share {reader_share}"));
        }
    }
}
