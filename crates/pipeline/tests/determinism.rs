//! N workers, 1 worker and one plain `Analyzer` agree bit for bit.

mod common;

use std::io::Cursor;

use common::{assert_same, captures_in, impaired_capture, reference};
use proptest::prelude::*;
use rtpscope_capture::CaptureReader;
use rtpscope_pipeline::{FinalReport, Pipeline, PipelineConfig};

fn run(capture: &[u8], cfg: &PipelineConfig, workers: usize) -> FinalReport {
    let reader = CaptureReader::new(Cursor::new(capture.to_vec())).expect("capture");
    let (handle, _events) = Pipeline::builder()
        .config(PipelineConfig {
            workers,
            ..cfg.clone()
        })
        .spawn(reader)
        .expect("spawn");
    handle.join().expect("join")
}

fn check(capture: &[u8], cfg: &PipelineConfig, what: &str) {
    let expected = reference(capture, cfg);
    for workers in [1, 2, 3, 4] {
        let got = run(capture, cfg, workers);
        assert_eq!(got.dropped(), 0, "{what}");
        assert_same(
            &expected,
            &got.report,
            &format!("{what}, {workers} workers"),
        );
    }
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
        let expected = reference(&bytes, &cfg);
        for workers in [1, 2, 3] {
            let got = run(&bytes, &cfg, workers);
            assert_same(
                &expected,
                &got.report,
                &format!("{}, {workers} workers", path.display()),
            );
        }
        println!(
            "{}: {} streams agree",
            path.display(),
            expected.streams.len()
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
        let got = run(&capture, &cfg, workers);
        assert_same(&expected, &got.report, &format!("seed {seed}, {calls} calls, {workers} workers, batch {batch}"));
    }
}
