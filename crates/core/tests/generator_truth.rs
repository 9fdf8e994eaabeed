//! On `../shared/tools/gen-big.py` output (300 streams with loss, burst loss, jitter,
//! reordering across the sequence wrap and duplication), packets, lost and the final RFC 3550
//! jitter equal the generator's ground truth in every stream. tshark gets the loss wrong on
//! some of these streams (it adds 65536 when packets are reordered around the wrap).

mod common;

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use common::*;
use rtpscope_core::AnalyzerConfig;

#[test]
fn gen_big_streams_match_generator_truth() {
    let Some(shared) = shared_captures() else {
        std::io::Write::write_fmt(
            &mut std::io::stderr(),
            format_args!("skipped: ../shared/captures not present\n"),
        )
        .unwrap_or(());
        return;
    };
    let tool = shared.join("../tools/gen-big.py");
    let dir = std::env::temp_dir().join(format!("rtpscope-genbig-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (pcap, truth) = (dir.join("big.pcap"), dir.join("big.truth.tsv"));
    let status = Command::new("python3")
        .arg(&tool)
        .args([
            "--streams",
            "300",
            "--seconds",
            "10",
            "--seed",
            "7",
            "--out",
        ])
        .arg(&pcap)
        .arg("--truth")
        .arg(&truth)
        .status();
    match status {
        Ok(s) if s.success() => {}
        other => {
            std::io::Write::write_fmt(
                &mut std::io::stderr(),
                format_args!("skipped: could not run gen-big.py ({other:?})\n"),
            )
            .unwrap_or(());
            return;
        }
    }
    let report = analyze(&pcap, AnalyzerConfig::default());
    let rows = read_truth(&truth);
    assert_eq!(rows.len(), 300);
    let ours: HashMap<u32, _> = report.streams.iter().map(|s| (s.key.ssrc, s)).collect();
    let mut wrap_reordered = 0;
    for row in &rows {
        let ssrc = u32::from_str_radix(row["ssrc"].trim_start_matches("0x"), 16).expect("ssrc");
        let s = ours
            .get(&ssrc)
            .unwrap_or_else(|| panic!("stream {ssrc:#x} not found"));
        assert_eq!(
            s.packets,
            row["received"].parse::<u64>().unwrap(),
            "{ssrc:#x} packets"
        );
        assert_eq!(
            s.expected,
            row["expected"].parse::<u64>().unwrap(),
            "{ssrc:#x} expected"
        );
        assert_eq!(
            s.lost,
            row["lost"].parse::<i64>().unwrap(),
            "{ssrc:#x} lost"
        );
        let truth_jitter: f64 = row["final_jitter_ms"].parse().unwrap();
        let j = s.jitter_ms.final_ms.expect("jitter");
        assert!(
            (j - truth_jitter).abs() <= 0.001 + 1e-9,
            "{ssrc:#x} final jitter {j} vs {truth_jitter}"
        );
        wrap_reordered += usize::from(s.late > 0);
    }
    eprintln!("300 streams agree with gen-big.py's truth ({wrap_reordered} with reordering)");
    let _ = std::fs::remove_dir_all(&dir);
}

fn read_truth(path: &Path) -> Vec<HashMap<String, String>> {
    let text = std::fs::read_to_string(path).expect("truth");
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let tmp = path.with_extension("clean.tsv");
    std::fs::write(&tmp, body).expect("write");
    read_tsv(&tmp)
}
