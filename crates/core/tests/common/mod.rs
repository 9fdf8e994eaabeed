//! Shared by the capture-driven tests: reference files, and feeding a capture to an analyzer
//! the way a user's run does (SIP/SDP learning, RTP flow detection with held packets).

#![allow(dead_code)]

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rtpscope_capture::{open_path, DetectorConfig, HeldDatagram, RtpDetector, SipTracker, Verdict};
use rtpscope_core::clock::ClockRateSource;
use rtpscope_core::{AnalysisReport, Analyzer, AnalyzerConfig, Encoding, PayloadInfo};
use rtpscope_wire::{Flow, Timestamp};

/// `../shared/captures` beside the checkout, when present.
pub fn shared_captures() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/captures");
    dir.is_dir().then_some(dir)
}

/// The project's own reference captures.
pub fn project_captures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data")
}

/// Every `NAME.ref.tsv` in `dir` with its capture file.
pub fn references(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read capture dir") {
        let path = entry.expect("dir entry").path();
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".ref.tsv"))
        else {
            continue;
        };
        let capture = ["pcap", "pcapng"]
            .iter()
            .map(|ext| dir.join(format!("{name}.{ext}")))
            .find(|p| p.exists());
        if let Some(capture) = capture {
            out.push((name.to_string(), capture));
        }
    }
    out.sort();
    out
}

/// A TSV file as rows of (column → value).
pub fn read_tsv(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut lines = text.lines();
    let Some(header) = lines.next() else {
        return Vec::new();
    };
    let cols: Vec<&str> = header.split('\t').collect();
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            cols.iter()
                .zip(l.split('\t'))
                .map(|(c, v)| (c.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// Analyses a capture as `rtpscope analyze` does, with no port hints.
pub fn analyze(path: &Path, config: AnalyzerConfig) -> AnalysisReport {
    let mut analyzer = Analyzer::new(config);
    let mut reader = open_path(path).expect("open capture");
    let mut detector = RtpDetector::new(DetectorConfig::default());
    let mut sip = SipTracker::new();
    let mut learned: HashSet<(std::net::SocketAddr, u8)> = HashSet::new();
    // Datagrams cut by the capture's snap length (`length` beyond what was kept) are read
    // as such, as the pipeline reads them.
    let feed = |a: &mut Analyzer, ts: Timestamp, flow: Flow, payload: &[u8], length: usize| {
        let _ = a.handle_cut_datagram(ts, flow, payload, length);
    };
    while let Some(frame) = reader.next_frame().expect("read frame") {
        if !frame.is_cut() && sip.observe(frame.ts, frame.flow, frame.payload) {
            for media in sip.media() {
                for p in &media.payloads {
                    if p.clock_rate > 0 && learned.insert((media.addr, p.payload_type)) {
                        let info = PayloadInfo {
                            encoding: Encoding::new(&p.encoding),
                            clock_rate: p.clock_rate,
                            source: ClockRateSource::Sdp,
                        };
                        analyzer.learn_payload_type(media.addr, p.payload_type, info);
                    }
                }
            }
            continue;
        }
        match detector.observe_cut(frame.ts, frame.flow, frame.payload, frame.length) {
            Verdict::Rtp | Verdict::Rtcp => {
                let held: Vec<HeldDatagram> = detector.drain_released().collect();
                for h in held {
                    feed(&mut analyzer, h.ts, h.flow, &h.payload, h.length);
                }
                feed(
                    &mut analyzer,
                    frame.ts,
                    frame.flow,
                    frame.payload,
                    frame.length,
                );
            }
            Verdict::Pending | Verdict::NotRtp => {}
        }
    }
    for h in detector.finish().released {
        feed(&mut analyzer, h.ts, h.flow, &h.payload, h.length);
    }
    analyzer.finish();
    analyzer.report()
}

/// Parses a tshark number column; `None` for absent values.
pub fn num(row: &std::collections::HashMap<String, String>, col: &str) -> Option<f64> {
    row.get(col).and_then(|v| v.trim().parse().ok())
}

/// `#clock PT=RATE` lines of a `.decode` file.
pub fn decode_clocks(path: &Path) -> Vec<(u8, u32)> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.strip_prefix("#clock "))
        .filter_map(|l| {
            let (pt, rate) = l.trim().split_once('=')?;
            Some((pt.parse().ok()?, rate.parse().ok()?))
        })
        .collect()
}

/// The sequence number of the packet of each (flow, SSRC) that arrived last: where tshark's
/// count of expected packets ends, reordered or not.
pub fn last_arrived_sequence(path: &Path) -> std::collections::HashMap<(Flow, u32), u16> {
    let mut reader = open_path(path).expect("open capture");
    let mut last = std::collections::HashMap::new();
    while let Some(frame) = reader.next_frame().expect("read frame") {
        if let Ok(rtp) = rtpscope_wire::rtp::RtpPacket::new_checked(frame.payload) {
            last.insert((frame.flow, rtp.ssrc()), rtp.sequence_number());
        }
    }
    last
}
