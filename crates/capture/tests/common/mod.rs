//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rtpscope_capture::{CaptureReader, DetectorConfig, RtpDetector, Verdict};
use rtpscope_wire::rtp::RtpPacket;
use rtpscope_wire::Flow;

/// (src ip, sport, dst ip, dport, ssrc as lower-case hex with 0x)
pub type StreamKey = (String, u16, String, u16, String);

pub fn shared_captures() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/captures");
    if dir.is_dir() {
        Some(dir)
    } else {
        std::io::Write::write_fmt(
            &mut std::io::stderr(),
            format_args!("skipped: ../shared/captures not present\n"),
        )
        .unwrap_or(());
        None
    }
}

pub fn test_data() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data");
    dir.is_dir().then_some(dir)
}

pub fn key(flow: &Flow, ssrc: u32) -> StreamKey {
    (
        flow.src().ip().to_string(),
        flow.src_port(),
        flow.dst().ip().to_string(),
        flow.dst_port(),
        format!("{ssrc:#010x}"),
    )
}

/// RTP packets per stream as the detector passes them (with held-packet release), no hints.
pub fn rtp_counts<S: rtpscope_capture::Source>(
    reader: &mut CaptureReader<S>,
) -> BTreeMap<StreamKey, u64> {
    let mut det = RtpDetector::new(DetectorConfig::default());
    let mut counts = BTreeMap::new();
    let mut bump = |flow: &Flow, payload: &[u8]| {
        if let Ok(p) = RtpPacket::new_checked(payload) {
            *counts.entry(key(flow, p.ssrc())).or_insert(0) += 1;
        }
    };
    while let Some(f) = reader.next_frame().expect("read") {
        if det.observe(f.ts, f.flow, f.payload) == Verdict::Rtp {
            let (flow, payload) = (f.flow, f.payload.to_vec());
            for h in det.drain_released() {
                bump(&h.flow, &h.payload);
            }
            bump(&flow, &payload);
        }
    }
    for h in det.finish().released {
        bump(&h.flow, &h.payload);
    }
    counts
}

/// The `packets` column of a `.ref.tsv`, by stream.
pub fn ref_counts(tsv: &Path) -> BTreeMap<StreamKey, u64> {
    let text = std::fs::read_to_string(tsv).expect("ref.tsv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect("column");
    let (src, sport, dst, dport, ssrc, packets) = (
        col("src"),
        col("sport"),
        col("dst"),
        col("dport"),
        col("ssrc"),
        col("packets"),
    );
    let mut out = BTreeMap::new();
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        let ssrc_hex = u32::from_str_radix(f[ssrc].trim_start_matches("0x"), 16).expect("ssrc");
        let ip = |s: &str| s.parse::<std::net::IpAddr>().expect("ip").to_string();
        out.insert(
            (
                ip(f[src]),
                f[sport].parse().unwrap(),
                ip(f[dst]),
                f[dport].parse().unwrap(),
                format!("{ssrc_hex:#010x}"),
            ),
            f[packets].parse().unwrap(),
        );
    }
    out
}
