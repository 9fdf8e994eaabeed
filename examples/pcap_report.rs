//! Analyse a capture file with the multi-core pipeline and print each call's verdict.
//!
//! `cargo run -p rtpscope-examples --example pcap_report -- samples/call.pcap`

use std::path::PathBuf;

use rtpscope::core::diagnosis::{diagnose, Thresholds};
use rtpscope::pipeline::{run_file, PipelineConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path: PathBuf = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .ok_or("usage: pcap_report FILE.pcap")?;
    let done = run_file(&path, &PipelineConfig::default())?;
    // SIP/SDP seen in the capture ties the two directions of each call together.
    let hints = done.sip.call_hints();
    let report = &done.report;
    let diagnosis = diagnose(report, &hints, &Thresholds::default());
    for s in &report.streams {
        println!(
            "{} ssrc {:#010x}: {} packets, {} lost, jitter {:.2} ms, MOS {:.2}",
            s.key.flow,
            s.key.ssrc,
            s.packets,
            s.lost,
            s.jitter_ms.final_ms.unwrap_or(0.0),
            s.mos_lq.unwrap_or(0.0)
        );
    }
    for call in &diagnosis.calls {
        println!("call: {}", call.headline);
        for advice in &call.advice {
            println!("  - {advice}");
        }
    }
    Ok(())
}
