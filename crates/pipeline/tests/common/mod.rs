//! A plain single-threaded reference, fed exactly what the pipeline forwards.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Duration;

use rtpscope_capture::synth::{generate, Codec, SynthConfig};
use rtpscope_capture::{
    decap::linktype, CaptureReader, PcapWriter, RtpDetector, SipTracker, Verdict,
};
use rtpscope_core::clock::ClockRateSource;
use rtpscope_core::payload::Encoding;
use rtpscope_core::{AnalysisReport, Analyzer, PayloadInfo};
use rtpscope_pipeline::{merge_reports, PipelineConfig};
use rtpscope_wire::{Flow, Timestamp};

/// One `Analyzer`, the capture crate's detector and SIP tracker, no threads.
pub fn reference(capture: &[u8], cfg: &PipelineConfig) -> AnalysisReport {
    let mut reader = CaptureReader::new(capture).expect("capture");
    let mut detector = RtpDetector::new(cfg.detector.clone());
    let mut sip = SipTracker::new();
    let mut analyzer = Analyzer::new(cfg.analyzer.clone());
    let mut latest = Timestamp::ZERO;
    // A datagram the capture cut short carries its full length beside what was kept.
    let feed = |a: &mut Analyzer, ts: Timestamp, flow: Flow, payload: &[u8], length: usize| {
        let _ = a.handle_cut_datagram(ts, flow, payload, length);
        while a.poll_event().is_some() {}
    };
    while let Some(f) = reader.next_frame().expect("frame") {
        latest = latest.max(f.ts);
        let verdict = if f.is_cut() {
            detector.observe_cut(f.ts, f.flow, f.payload, f.length)
        } else {
            detector.observe(f.ts, f.flow, f.payload)
        };
        match verdict {
            Verdict::Rtp => {
                let held: Vec<_> = detector.drain_released().collect();
                for h in held {
                    feed(&mut analyzer, h.ts, h.flow, &h.payload, h.length);
                }
                feed(&mut analyzer, f.ts, f.flow, f.payload, f.length);
            }
            Verdict::Rtcp => feed(&mut analyzer, f.ts, f.flow, f.payload, f.length),
            Verdict::Pending => {}
            // Cut short and not RTP: the pipeline counts it apart (`cut_unanalysed`).
            Verdict::NotRtp if f.is_cut() => {}
            Verdict::NotRtp => {
                if sip.observe(f.ts, f.flow, f.payload) {
                    for m in sip.media() {
                        detector.add_hint(m.addr);
                        for p in m.payloads.iter().filter(|p| p.clock_rate > 0) {
                            let info = PayloadInfo {
                                encoding: Encoding::new(&p.encoding),
                                clock_rate: p.clock_rate,
                                source: ClockRateSource::Sdp,
                            };
                            analyzer.learn_payload_type(m.addr, p.payload_type, info);
                        }
                    }
                }
            }
        }
    }
    for h in detector.finish().released {
        feed(&mut analyzer, h.ts, h.flow, &h.payload, h.length);
    }
    if analyzer.poll_timeout().is_some_and(|t| t <= latest) {
        analyzer.handle_timeout(latest);
    }
    analyzer.finish();
    // Same id numbering and RTCP ordering as the pipeline's merge.
    merge_reports(vec![analyzer.report()])
}

/// Asserts two reports equal stream by stream, every float bit for bit.
pub fn assert_same(expected: &AnalysisReport, got: &AnalysisReport, what: &str) {
    assert_eq!(
        expected.streams.len(),
        got.streams.len(),
        "{what}: stream count"
    );
    for (e, g) in expected.streams.iter().zip(&got.streams) {
        // Debug prints the shortest representation that round-trips, so equal text is equal
        // bits (and NaN or -0.0 differences show).
        assert_eq!(
            format!("{e:?}"),
            format!("{g:?}"),
            "{what}: stream {}",
            e.id
        );
        assert_eq!(
            e.jitter_ms.final_ms.map(f64::to_bits),
            g.jitter_ms.final_ms.map(f64::to_bits)
        );
        assert_eq!(e.lost_pct.to_bits(), g.lost_pct.to_bits());
    }
    assert_eq!(
        format!("{:?}", expected.rtcp),
        format!("{:?}", got.rtcp),
        "{what}: rtcp"
    );
    let mut e = expected.counters;
    let mut g = got.counters;
    // Event-queue overflow depends on how many streams share an analyzer; not a result.
    e.events_dropped = 0;
    g.events_dropped = 0;
    assert_eq!(e, g, "{what}: counters");
}

/// Impaired synthetic traffic with RTCP and a SIP INVITE whose SDP maps opus for one call.
pub fn impaired_capture(seed: u64, calls: usize, secs: u64) -> Vec<u8> {
    let mut w = PcapWriter::new(Vec::new(), linktype::ETHERNET).expect("writer");
    // Call 3 is opus (codecs round-robin); its B side receives on 10.2.0.3:30006.
    let invite = "INVITE sip:b@10.2.0.3 SIP/2.0\r\nCall-ID: c3@test\r\nCSeq: 1 INVITE\r\n\
                  Content-Type: application/sdp\r\n\r\n\
                  v=0\r\nc=IN IP4 10.2.0.3\r\nm=audio 30006 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\n";
    let sip = Flow::new(
        "10.1.0.3:5060".parse().expect("addr"),
        "10.2.0.3:5060".parse().expect("addr"),
    );
    w.write_udp(
        Timestamp::from_secs_nanos(1_699_999_999, 0),
        sip,
        invite.as_bytes(),
    )
    .expect("write");
    let cfg = SynthConfig {
        seed,
        calls,
        duration: Duration::from_secs(secs),
        codecs: vec![Codec::Pcmu, Codec::Pcma, Codec::G722, Codec::Opus],
        loss_pct: 3.0,
        burst_loss_pct: 0.5,
        jitter_ms: 35.0,
        reorder_pct: 2.0,
        duplicate_pct: 2.0,
        near_wrap: seed % 2 == 0,
        ssrc_restarts: 1,
        rtcp: true,
        ..SynthConfig::default()
    };
    generate(&cfg, &mut w).expect("generate");
    w.into_inner().expect("bytes")
}

/// Every file in `dir` (relative to this crate) with one of `exts`, or `None` when the
/// directory is absent.
pub fn captures_in(dir: &str, exts: &[&str]) -> Option<Vec<PathBuf>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| exts.contains(&x))
        })
        .collect();
    out.sort();
    Some(out)
}
