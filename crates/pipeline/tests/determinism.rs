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

/// Two SIP calls 14 s apart on the same media endpoints, the first mapping PT 96 to Opus at
/// 48 kHz, the second to L16 at 16 kHz: each call's streams take its own call's rate (the
/// first call's SDP, still among those rescanned, must not win again), in every way of
/// reading.
#[test]
fn a_later_call_on_the_same_endpoints_takes_its_own_mapping() {
    use rtpscope_capture::{decap::linktype, PcapWriter};
    use rtpscope_wire::{rtp::RtpRepr, Flow, Timestamp};
    let (a, b) = ("10.0.0.1".to_string(), "10.0.0.2".to_string());
    let sig = Flow::new(
        format!("{a}:5060").parse().unwrap(),
        format!("{b}:5060").parse().unwrap(),
    );
    let media = Flow::new(
        format!("{a}:4000").parse().unwrap(),
        format!("{b}:4002").parse().unwrap(),
    );
    let sdp = |ip: &str, port: u16, map: &str| {
        format!(
            "v=0\r\nc=IN IP4 {ip}\r\nt=0 0\r\nm=audio {port} RTP/AVP 96\r\na=rtpmap:96 {map}\r\n"
        )
    };
    let message = |start: &str, call: u32, body: &str| {
        format!(
            "{start}\r\nCall-ID: call-{call}\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        )
    };
    let mut w = PcapWriter::new(Vec::new(), linktype::ETHERNET).unwrap();
    for (call, map, rate) in [(1u32, "opus/48000/2", 48_000u32), (2, "L16/16000", 16_000)] {
        let t0 = u64::from(call - 1) * 14_000_000_000;
        let invite = message("INVITE sip:b@10.0.0.2 SIP/2.0", call, &sdp(&a, 4000, map));
        let ok = message("SIP/2.0 200 OK", call, &sdp(&b, 4002, map));
        let ack = "ACK sip:b@10.0.0.2 SIP/2.0\r\nCall-ID: call-".to_string()
            + &call.to_string()
            + "\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n";
        w.write_udp(Timestamp::from_nanos(t0), sig, invite.as_bytes())
            .unwrap();
        w.write_udp(
            Timestamp::from_nanos(t0 + 50_000_000),
            sig.reversed(),
            ok.as_bytes(),
        )
        .unwrap();
        w.write_udp(Timestamp::from_nanos(t0 + 60_000_000), sig, ack.as_bytes())
            .unwrap();
        let mut buf = [0u8; 400];
        for k in 0..250u32 {
            // 20 ms packets, every other one 3 ms late: jitter is only right at the right rate.
            let at = t0 + 200_000_000 + u64::from(k) * 20_000_000 + u64::from(k % 2) * 3_000_000;
            let repr = RtpRepr {
                payload_type: 96,
                sequence_number: k as u16,
                timestamp: k * rate / 50,
                ssrc: 0xaa00_0000 + call,
                payload: &[0x11; 320],
                ..RtpRepr::default()
            };
            let n = repr.emit(&mut buf).unwrap();
            w.write_udp(Timestamp::from_nanos(at), media, &buf[..n])
                .unwrap();
        }
    }
    let capture = w.into_inner().unwrap();
    let cfg = PipelineConfig::default();
    check_all(&capture, &cfg, 2, "two calls on one endpoint pair");
    let report = run(&capture, &cfg, 1, Reading::SourceThread).report;
    let rates: Vec<_> = report
        .streams
        .iter()
        .map(|s| (s.key.ssrc, s.clock_rate))
        .collect();
    assert_eq!(
        rates,
        [(0xaa00_0001, Some(48_000)), (0xaa00_0002, Some(16_000))]
    );
}
