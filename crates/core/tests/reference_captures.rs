//! Our numbers against the references: tshark 4.0's `-z rtp,streams` (`*.ref.tsv`) and the
//! RFC 3550 algorithms (`*.rfc3550.tsv`), on the project's own captures (tests/data) and,
//! when present, on `../shared/captures`. No port hints are given: flows are found by the
//! detector, clock rates by static table, SDP, or inference.
//!
//! Where tshark and RFC 3550 differ we follow the RFC and assert the documented difference:
//! - tshark adds 65536 × k to the loss when packets are reordered around the sequence wrap;
//! - tshark's expected count ends at the sequence number of the packet that arrived last, so
//!   a stream whose last packets arrive reordered loses that many from its loss;
//! - RFC 3550 A.1 takes two sequential packets after a jump beyond MAX_DROPOUT for a restart
//!   of the sender's numbering: we count the segments on either side and not the jump, where
//!   tshark and the plain reference count every number skipped as lost;
//! - tshark has no clock rate for a dynamic payload type without SDP (min jitter −1); we infer
//!   it and check the jitter against the RFC reference computed with the true rate.

mod common;

use std::collections::HashMap;
use std::path::Path;

use common::*;
use rtpscope_core::clock::ClockRateSource;
use rtpscope_core::{AnalyzerConfig, StreamReport};

const TOLERANCE_MS: f64 = 0.001;

fn key_of(row: &HashMap<String, String>) -> (String, u16, String, u16, u32) {
    let port = |c: &str| row[c].parse::<u16>().expect("port");
    let ssrc = u32::from_str_radix(row["ssrc"].trim_start_matches("0x"), 16).expect("ssrc");
    (
        row["src"].clone(),
        port("sport"),
        row["dst"].clone(),
        port("dport"),
        ssrc,
    )
}

fn stream_key(s: &StreamReport) -> (String, u16, String, u16, u32) {
    let f = s.key.flow;
    (
        f.src().ip().to_string(),
        f.src_port(),
        f.dst().ip().to_string(),
        f.dst_port(),
        s.key.ssrc,
    )
}

fn close(name: &str, what: &str, ours: Option<f64>, reference: Option<f64>) {
    let (Some(o), Some(r)) = (ours, reference) else {
        assert!(
            ours.is_none() && reference.is_none(),
            "{name}: {what}: ours {ours:?}, reference {reference:?}"
        );
        return;
    };
    assert!(
        (o - r).abs() <= TOLERANCE_MS + 1e-9,
        "{name}: {what}: ours {o:.6}, reference {r:.3}"
    );
}

/// A minimum column of tshark's, where −1 means none.
fn tshark_min(row: &HashMap<String, String>, col: &str) -> Option<f64> {
    num(row, col).filter(|&v| v != -1.0)
}

/// tshark's `what` (delta or jitter) column: a minimum of −1 means nothing was measured, and
/// then its 0 mean and maximum are placeholders too.
fn tshark_column(row: &HashMap<String, String>, what: &str, col: &str) -> Option<f64> {
    tshark_min(row, &format!("min_{what}_ms"))?;
    num(row, col)
}

fn check_capture(dir: &Path, name: &str, capture: &Path) -> usize {
    let report = analyze(capture, AnalyzerConfig::default());
    let streams: HashMap<_, _> = report.streams.iter().map(|s| (stream_key(s), s)).collect();
    let rfc: HashMap<_, _> = read_tsv(&dir.join(format!("{name}.rfc3550.tsv")))
        .into_iter()
        .map(|r| (key_of(&r), r))
        .collect();
    let last_arrived = last_arrived_sequence(capture);
    let refs = read_tsv(&dir.join(format!("{name}.ref.tsv")));
    assert!(!refs.is_empty(), "{name}: empty reference");
    for row in &refs {
        let key = key_of(row);
        let s = streams
            .get(&key)
            .unwrap_or_else(|| panic!("{name}: stream {key:?} not found"));
        let label = format!("{name} {:#010x}", key.4);
        assert_eq!(
            s.packets,
            row["packets"].parse::<u64>().unwrap(),
            "{label}: packets"
        );
        let tshark_lost: i64 = row["lost"].parse().unwrap();
        let rfc_row = rfc.get(&key);
        if let Some(r) = rfc_row {
            let mut rfc_lost: i64 = r["lost"].parse().unwrap();
            let rfc_expected: u64 = r["expected"].parse().unwrap();
            if s.restarts > 0 {
                // The reference has no restarts: every number the sender skipped is lost to it.
                // Each restart follows a jump of at least MAX_DROPOUT (3000) numbers.
                let skipped = rfc_expected as i64 - s.expected as i64;
                assert!(
                    skipped >= 2_999 * s.restarts as i64,
                    "{label}: {skipped} more expected in the reference than {} restart(s) explain",
                    s.restarts
                );
                eprintln!("{label}: {} restart(s): the reference counts {skipped} skipped numbers as lost, we count the segments", s.restarts);
                rfc_lost -= skipped;
            } else {
                assert_eq!(s.expected, rfc_expected, "{label}: expected");
            }
            assert_eq!(s.lost, rfc_lost, "{label}: lost (RFC 3550)");
            assert_eq!(
                s.duplicates,
                r["duplicates"].parse::<u64>().unwrap(),
                "{label}: duplicates"
            );
            assert_eq!(s.late, r["late"].parse::<u64>().unwrap(), "{label}: late");
            if tshark_lost != s.lost {
                // tshark's count ends at the last packet to arrive, not at the highest.
                let highest = r["seq_last_ext"].parse::<u64>().unwrap() as u16;
                let flow = s.key.flow;
                let last = last_arrived[&(flow, s.key.ssrc)];
                let short = i64::from(highest.wrapping_sub(last));
                let explained = if s.restarts > 0 {
                    tshark_lost == rfc_lost + (rfc_expected as i64 - s.expected as i64) - short
                } else {
                    (tshark_lost - (rfc_lost - short)).rem_euclid(65_536) == 0
                };
                assert!(
                    explained,
                    "{label}: tshark lost {tshark_lost}, ours {}: not explained by its end at the last arrival ({short} short), its wrap heuristic or a restart",
                    s.lost
                );
                eprintln!("{label}: tshark lost {tshark_lost}, RFC 3550 {}: tshark's count ends at the last arrival ({short} short of the highest) or misjudges a wrap, or the sender restarted; we follow the RFC", s.lost);
            }
        } else {
            assert_eq!(s.lost, tshark_lost, "{label}: lost");
        }
        close(
            &label,
            "min delta",
            s.delta_ms.min,
            tshark_column(row, "delta", "min_delta_ms"),
        );
        close(
            &label,
            "mean delta",
            s.delta_ms.mean,
            tshark_column(row, "delta", "mean_delta_ms"),
        );
        close(
            &label,
            "max delta",
            s.delta_ms.max,
            tshark_column(row, "delta", "max_delta_ms"),
        );
        // tshark prints −1 for a minimum it has no value for: no clock rate, or every packet
        // left out of the statistics (each with the marker bit, as a video frame per packet).
        let nothing_measured = tshark_min(row, "min_jitter_ms").is_none()
            && s.jitter_ms.min.is_none()
            && s.clock_rate_source != Some(ClockRateSource::Inferred);
        let tshark_knew_clock =
            num(row, "min_jitter_ms").is_some_and(|v| v >= 0.0) || nothing_measured;
        // Across a restart the references measure the new timestamps against the old: a spike
        // of the jump's size. We measure nothing across it, so ours must stay below theirs.
        let restarted = s.restarts > 0;
        if tshark_knew_clock && restarted {
            let (ours, theirs) = (s.jitter_ms.max, num(row, "max_jitter_ms"));
            assert!(
                ours < theirs,
                "{label}: max jitter {ours:?} vs tshark's {theirs:?}"
            );
            eprintln!(
                "{label}: restarted: max jitter {ours:?} ms, tshark {theirs:?} across the restart"
            );
        } else if tshark_knew_clock {
            close(
                &label,
                "min jitter",
                s.jitter_ms.min,
                tshark_column(row, "jitter", "min_jitter_ms"),
            );
            close(
                &label,
                "mean jitter",
                s.jitter_ms.mean,
                tshark_column(row, "jitter", "mean_jitter_ms"),
            );
            close(
                &label,
                "max jitter",
                s.jitter_ms.max,
                tshark_column(row, "jitter", "max_jitter_ms"),
            );
        } else {
            assert_eq!(
                s.clock_rate_source,
                Some(ClockRateSource::Inferred),
                "{label}: no SDP, rate must be inferred"
            );
            eprintln!(
                "{label}: tshark had no clock rate; ours inferred {:?} Hz",
                s.clock_rate
            );
        }
        if let Some(r) = rfc_row.filter(|_| restarted) {
            let (ours, theirs) = (s.jitter_ms.final_ms, num(r, "final_jitter_ms"));
            assert!(
                ours < theirs,
                "{label}: final jitter {ours:?} vs {theirs:?}"
            );
        } else if let Some(r) = rfc_row.filter(|r| r["clock_hz"] == "0") {
            // The reference was given no rate for a dynamic type (no `#clock` line): nothing
            // to compare the rate or the jitter with.
            eprintln!(
                "{label}: the RFC reference has no clock rate for PT {}; ours {:?} Hz ({:?})",
                r["pt"], s.clock_rate, s.clock_rate_source
            );
        } else if let Some(r) = rfc_row {
            assert_eq!(
                s.clock_rate,
                r["clock_hz"].parse().ok(),
                "{label}: clock rate"
            );
            close(
                &label,
                "final jitter (RFC 3550)",
                s.jitter_ms.final_ms,
                num(r, "final_jitter_ms"),
            );
        }
    }
    refs.len()
}

fn check_dir(dir: &Path) {
    let captures = references(dir);
    assert!(
        !captures.is_empty(),
        "no reference captures in {}",
        dir.display()
    );
    let mut streams = 0;
    for (name, capture) in &captures {
        streams += check_capture(dir, name, capture);
    }
    eprintln!(
        "{}: {} captures, {streams} streams agree with the references",
        dir.display(),
        captures.len()
    );
}

#[test]
fn project_captures_match_references() {
    check_dir(&project_captures());
}

#[test]
fn shared_captures_match_references() {
    match shared_captures() {
        Some(dir) => check_dir(&dir),
        None => std::io::Write::write_fmt(
            &mut std::io::stderr(),
            format_args!("skipped: ../shared/captures not present\n"),
        )
        .unwrap_or(()),
    }
}

/// Any other folder of captures with references beside them, in the same layout (e.g. made by
/// `tools/captures`): `RTPSCOPE_REFERENCE_DIRS=DIR[:DIR...] cargo test --test reference_captures`.
#[test]
fn captures_named_by_the_environment_match_references() {
    let dirs = std::env::var_os("RTPSCOPE_REFERENCE_DIRS").unwrap_or_default();
    for dir in std::env::split_paths(&dirs).filter(|d| !d.as_os_str().is_empty()) {
        check_dir(&dir);
    }
}

/// tshark's round trip (packet-rtcp.c) is `gap_ms − dlsr_ms` with both truncated to whole
/// milliseconds, the gap as `secs·1000 + nsecs_diff/10⁶` whose nanosecond part can be negative
/// and so truncates upwards: each of its samples lies in (exact − 1, exact + 2) ms. It also
/// matches a report only against the sender's last SR, so it finds a subset of our samples.
/// Hence: at least its sample count, its extremes within those bounds of ours, and the mean
/// within 1 ms (the bound).
fn check_rtt(dir: &Path, name: &str) {
    let Some(capture) = ["pcap", "pcapng"]
        .iter()
        .map(|e| dir.join(format!("{name}.{e}")))
        .find(|p| p.exists())
    else {
        return;
    };
    let text = std::fs::read_to_string(dir.join(format!("{name}.rtt.txt"))).expect("rtt reference");
    let field = |k: &str| -> f64 {
        text.split_whitespace()
            .find_map(|w| w.strip_prefix(&format!("{k}=")))
            .and_then(|v| v.parse().ok())
            .expect(k)
    };
    let report = analyze(&capture, AnalyzerConfig::default());
    let legs = &report.rtcp.legs;
    assert_eq!(legs.len(), 1, "{name}: one leg expected: {legs:?}");
    let leg = legs[0];
    let (n, min, mean, max) = (field("n"), field("min"), field("mean"), field("max"));
    eprintln!("{name}: ours n={} min={:.3} mean={:.3} max={:.3}; tshark n={n} min={min} mean={mean} max={max}", leg.samples, leg.min_ms, leg.mean_ms, leg.max_ms);
    assert!(leg.samples as f64 >= n, "{name}: fewer samples than tshark");
    assert!(
        max < leg.max_ms + 2.0 && min > leg.min_ms - 1.0,
        "{name}: tshark's extremes outside its truncation bounds"
    );
    assert!(
        (leg.mean_ms - mean).abs() <= 1.0,
        "{name}: mean {} vs {mean}",
        leg.mean_ms
    );
    if leg.samples as f64 == n {
        assert!(
            max > leg.max_ms - 1.0 && min < leg.min_ms + 2.0,
            "{name}: same samples, extremes must agree"
        );
    }
}

#[test]
fn rtcp_round_trip_matches_tshark() {
    check_rtt(&project_captures(), "rtcp-rr");
    // The same traffic as a 96-byte snap length keeps it: SR and RR whole, SDES cut.
    check_rtt(&project_captures(), "rtcp-rr-s96");
    match shared_captures() {
        Some(dir) => check_rtt(&dir, "rtcp"),
        None => std::io::Write::write_fmt(
            &mut std::io::stderr(),
            format_args!("skipped: ../shared/captures not present\n"),
        )
        .unwrap_or(()),
    }
}

#[test]
fn sdp_gives_the_rates_of_dynamic_payload_types() {
    let Some(dir) = shared_captures() else {
        std::io::Write::write_fmt(
            &mut std::io::stderr(),
            format_args!("skipped: ../shared/captures not present\n"),
        )
        .unwrap_or(());
        return;
    };
    // multi.pcap carries SIP with SDP: the rates of PT 111 and 96 must come from it.
    let clocks = decode_clocks(&dir.join("multi.decode"));
    assert_eq!(clocks, [(111, 48000), (96, 90000)]);
    let report = analyze(&dir.join("multi.pcap"), AnalyzerConfig::default());
    for (pt, rate) in clocks {
        let s = report
            .streams
            .iter()
            .find(|s| s.payload_type == pt)
            .expect("stream");
        assert_eq!(s.clock_rate, Some(rate));
        assert_eq!(s.clock_rate_source, Some(ClockRateSource::Sdp));
    }
}
