//! End to end: `rtpscope analyze --format json` on every reference capture agrees with
//! tshark (`NAME.ref.tsv`) and RFC 3550 (`NAME.rfc3550.tsv`), with no hints.
//! The project's own captures always; `../shared/captures` when present.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn rtpscope(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_rtpscope"))
        .args(args)
        .output()
        .expect("run rtpscope")
}

fn tsv(path: &Path) -> Vec<HashMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    let Some(header) = lines.next() else {
        return Vec::new();
    };
    let cols: Vec<String> = header.split('\t').map(str::to_string).collect();
    lines
        .map(|l| {
            cols.iter()
                .cloned()
                .zip(l.split('\t').map(str::to_string))
                .collect()
        })
        .collect()
}

fn f(v: &Value) -> Option<f64> {
    v.as_f64()
}

fn check_dir(dir: &Path) -> usize {
    let mut checked = 0;
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .collect();
    names.sort();
    for refs in names
        .iter()
        .filter(|p| p.to_string_lossy().ends_with(".ref.tsv"))
    {
        let stem = refs
            .to_string_lossy()
            .trim_end_matches(".ref.tsv")
            .to_string();
        let Some(capture) = ["pcap", "pcapng"]
            .iter()
            .map(|e| PathBuf::from(format!("{stem}.{e}")))
            .find(|p| p.exists())
        else {
            continue;
        };
        let out = rtpscope(&[
            "analyze",
            "--format",
            "json",
            capture.to_str().expect("path"),
        ]);
        assert!(
            out.status.success(),
            "{}: {}",
            capture.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
        let streams = doc["streams"].as_array().expect("streams");
        let rfc: Vec<_> = tsv(Path::new(&format!("{stem}.rfc3550.tsv")));
        for row in tsv(refs) {
            let s = streams
                .iter()
                .find(|s| {
                    s["src"] == row["src"].as_str()
                        && s["src_port"].as_u64() == row["sport"].parse().ok()
                        && s["dst"] == row["dst"].as_str()
                        && s["dst_port"].as_u64() == row["dport"].parse().ok()
                        && s["ssrc"] == row["ssrc"].to_lowercase().as_str()
                })
                .unwrap_or_else(|| panic!("{stem}: stream {} not in output", row["ssrc"]));
            let label = format!("{} {}", capture.display(), row["ssrc"]);
            assert_eq!(s["packets"].to_string(), row["packets"], "{label}: packets");
            let close = |what: &str, ours: Option<f64>, col: &str| {
                let reference: f64 = row[col].parse().expect("number");
                let ours = ours.unwrap_or_else(|| panic!("{label}: {what} missing"));
                assert!(
                    (ours - reference).abs() <= 0.001 + 1e-9,
                    "{label}: {what} {ours} vs {reference}"
                );
            };
            // tshark's −1 minimum: nothing measured (every packet marked, as one video frame a
            // packet); its 0 mean and maximum are placeholders, and ours are absent.
            if row["min_delta_ms"] == "-1.000" {
                assert!(s["delta_ms"]["min"].is_null(), "{label}: min delta");
                assert!(s["jitter_ms"]["min"].is_null(), "{label}: min jitter");
            } else {
                close("min delta", f(&s["delta_ms"]["min"]), "min_delta_ms");
                close("mean delta", f(&s["delta_ms"]["mean"]), "mean_delta_ms");
                close("max delta", f(&s["delta_ms"]["max"]), "max_delta_ms");
            }
            close("start", f(&s["start_s"]), "start_s");
            // Across a restart tshark and the RFC reference measure the new timestamps
            // against the old (a spike of the jump's size); we measure nothing across it.
            let restarted = s["restarts"].as_u64() > Some(0);
            if restarted {
                let ours = f(&s["jitter_ms"]["max"]).expect("max jitter");
                let theirs: f64 = row["max_jitter_ms"].parse().expect("number");
                assert!(ours < theirs, "{label}: max jitter {ours} vs {theirs}");
            } else if row["min_jitter_ms"] != "-1.000" {
                close("min jitter", f(&s["jitter_ms"]["min"]), "min_jitter_ms");
                close("mean jitter", f(&s["jitter_ms"]["mean"]), "mean_jitter_ms");
                close("max jitter", f(&s["jitter_ms"]["max"]), "max_jitter_ms");
            }
            let r = rfc.iter().find(|r| {
                r["ssrc"].to_lowercase() == row["ssrc"].to_lowercase() && r["sport"] == row["sport"]
            });
            let r = r.unwrap_or_else(|| panic!("{label}: no RFC 3550 row"));
            // The reference has no restarts (RFC 3550 A.1 re-syncs after a jump; we count the
            // segments on either side): every number skipped is lost to it.
            let skipped = r["expected"].parse::<i64>().expect("expected")
                - s["expected"].as_i64().expect("expected");
            let restarts = s["restarts"].as_u64().expect("restarts");
            assert!(skipped == 0 || restarts > 0, "{label}: expected");
            let rfc_lost = r["lost"].parse::<i64>().expect("lost") - skipped;
            assert_eq!(
                s["lost"].as_i64(),
                Some(rfc_lost),
                "{label}: lost (RFC 3550)"
            );
            assert_eq!(
                s["duplicates"].to_string(),
                r["duplicates"],
                "{label}: duplicates"
            );
            let final_ref: f64 = r["final_jitter_ms"].parse().expect("number");
            let ours = f(&s["jitter_ms"]["final"]).expect("final jitter");
            assert!(
                (ours - final_ref).abs() <= 0.001 + 1e-9 || restarted && ours < final_ref,
                "{label}: final jitter {ours} vs {final_ref}"
            );
            checked += 1;
        }
    }
    checked
}

#[test]
fn project_captures_through_the_cli() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data");
    let n = check_dir(&dir);
    assert!(n >= 6, "only {n} streams checked");
    eprintln!("{n} streams of tests/data agree through the JSON output");
}

#[test]
fn sample_call_through_the_cli() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples");
    assert_eq!(check_dir(&dir), 2);
}

#[test]
fn shared_captures_through_the_cli() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/captures");
    if !dir.is_dir() {
        std::io::Write::write_fmt(
            &mut std::io::stderr(),
            format_args!("skipped: ../shared/captures not present\n"),
        )
        .unwrap_or(());
        return;
    }
    let n = check_dir(&dir);
    assert!(n >= 14, "only {n} streams checked");
    eprintln!("{n} streams of ../shared/captures agree through the JSON output");
}
