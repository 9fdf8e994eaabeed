//! `rtpscope synth`: a synthetic capture with chosen impairments, and its ground truth.

use std::io::BufWriter;

use rtpscope::capture::decap::linktype;
use rtpscope::capture::synth::{generate, Codec, SynthConfig};
use rtpscope::capture::PcapWriter;

use crate::args::SynthArgs;
use crate::error::CliError;

fn codec(name: &str) -> Result<Codec, CliError> {
    match name.to_ascii_lowercase().as_str() {
        "pcmu" | "g711u" => Ok(Codec::Pcmu),
        "pcma" | "g711a" => Ok(Codec::Pcma),
        "g722" => Ok(Codec::G722),
        "opus" => Ok(Codec::Opus),
        other => Err(CliError::Input(format!(
            "unknown codec {other:?} (pcmu, pcma, g722, opus)"
        ))),
    }
}

/// Writes the capture and prints the truth of every stream as TSV on standard output.
pub fn run(a: &SynthArgs) -> Result<(), CliError> {
    let config = SynthConfig {
        seed: a.seed,
        calls: a.calls,
        duration: a.duration,
        codecs: a.codec.iter().map(|c| codec(c)).collect::<Result<_, _>>()?,
        loss_pct: a.loss,
        burst_loss_pct: a.burst_loss,
        burst_len: a.burst_len,
        jitter_ms: a.jitter,
        reorder_pct: a.reorder,
        duplicate_pct: a.duplicate,
        near_wrap: a.near_wrap,
        ssrc_restarts: a.ssrc_restarts,
        rtcp: a.rtcp,
        ipv6: a.ipv6,
        sip: !a.no_sip,
        ..SynthConfig::default()
    };
    let file = std::fs::File::create(&a.output)
        .map_err(|e| CliError::Input(format!("{}: {e}", a.output.display())))?;
    let mut writer =
        PcapWriter::new(BufWriter::new(file), linktype::ETHERNET).map_err(CliError::Output)?;
    let truth = generate(&config, &mut writer).map_err(CliError::Output)?;
    let frames = writer.frames();
    writer.into_inner().map_err(CliError::Output)?;
    println!(
        "src\tdst\tssrc\tpt\tclock_hz\tsent\treceived\texpected\tlost\tduplicates\tfinal_jitter_ms"
    );
    for t in &truth {
        println!(
            "{}\t{}\t{:#010x}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{:.3}",
            t.flow.src(),
            t.flow.dst(),
            t.ssrc,
            t.payload_type,
            t.clock_rate,
            t.sent,
            t.received,
            t.expected,
            t.lost,
            t.duplicates,
            t.final_jitter_ts * 1000.0 / f64::from(t.clock_rate.max(1))
        );
    }
    eprintln!(
        "wrote {frames} frames, {} streams, to {}",
        truth.len(),
        a.output.display()
    );
    Ok(())
}
