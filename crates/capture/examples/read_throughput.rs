//! Quick throughput check without criterion: generates ≥ 1 M frames in memory and times
//! read + decapsulate + demultiplex. `cargo run --release -p rtpscope-capture --example read_throughput`

use std::time::{Duration, Instant};

use rtpscope_capture::synth::{generate, Codec, SynthConfig};
use rtpscope_capture::{CaptureReader, PcapWriter};

fn main() {
    let cfg = SynthConfig {
        calls: 100,
        duration: Duration::from_secs(103),
        codecs: vec![Codec::Pcmu, Codec::Opus, Codec::Pcma, Codec::G722],
        loss_pct: 1.0,
        jitter_ms: 10.0,
        ..SynthConfig::default()
    };
    let t = Instant::now();
    let mut w = PcapWriter::new(Vec::with_capacity(256 << 20), 1).expect("writer");
    generate(&cfg, &mut w).expect("generate");
    let frames = w.frames();
    let bytes = w.into_inner().expect("bytes");
    println!(
        "generated {frames} frames ({} MB) in {:?}",
        bytes.len() >> 20,
        t.elapsed()
    );
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        let mut kinds = [0u64; 7];
        let mut r = CaptureReader::new(&bytes[..]).expect("reader");
        while let Some(f) = r.next_frame().expect("frame") {
            kinds[f.kind as usize] += 1;
        }
        assert_eq!(kinds.iter().sum::<u64>(), frames);
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!(
        "read+decap+demux: best {:.1} ms, {:.1} M frames/s",
        best * 1e3,
        frames as f64 / best / 1e6
    );
}
