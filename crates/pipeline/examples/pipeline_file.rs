//! Analyses a capture file with the pipeline and prints throughput (for `/usr/bin/time -v`).
//!
//! `cargo run --release -p rtpscope-pipeline --example pipeline_file -- FILE [WORKERS] [PORTS]`
//! where PORTS is `A-B` to force RTP on a port range (as tshark's `-d udp.port==A-B,rtp`).
//! With `--synth STREAMS PACKETS FILE` it writes the benchmark capture instead.

use std::path::Path;
use std::time::Instant;

use rtpscope_pipeline::{run_file, synth_capture, PipelineConfig};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--synth") {
        let streams: usize = args.get(1).ok_or("streams")?.parse()?;
        let packets: u64 = args.get(2).ok_or("packets")?.parse()?;
        let out = args.get(3).ok_or("output file")?;
        std::fs::write(out, synth_capture(streams, packets, 1)?)?;
        return Ok(());
    }
    let path = args
        .first()
        .ok_or("usage: pipeline_file FILE [WORKERS] [A-B]")?;
    let mut cfg = PipelineConfig {
        workers: args.get(1).map(|w| w.parse()).transpose()?.unwrap_or(1),
        ..Default::default()
    };
    if let Some((a, b)) = args.get(2).and_then(|r| r.split_once('-')) {
        cfg.detector.forced_ports.push(a.parse()?..=b.parse()?);
    }
    let start = Instant::now();
    let done = run_file(Path::new(path), &cfg)?;
    let secs = start.elapsed().as_secs_f64();
    let frames = done.source.capture.frames;
    println!(
        "{} frames, {} streams, {} workers, {:.3} s, {:.2} M frames/s, dropped {}",
        frames,
        done.report.streams.len(),
        cfg.workers,
        secs,
        frames as f64 / secs / 1e6,
        done.dropped()
    );
    Ok(())
}
