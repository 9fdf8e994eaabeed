//! `CaptureReader::next_frame` over a capture held in memory, for a profiler: `drive_capture
//! FILE [ROUNDS]` reads every frame (record, decapsulation, flow) and prints the best round.

use std::hint::black_box;
use std::time::Instant;

use rtpscope::capture::{CaptureReader, InMemory};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(file) = args.next() else {
        eprintln!("usage: drive_capture FILE [ROUNDS]");
        std::process::exit(2);
    };
    let rounds: u32 = args.next().and_then(|r| r.parse().ok()).unwrap_or(5);
    let bytes = match std::fs::read(&file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{file}: {e}");
            std::process::exit(2);
        }
    };
    let mut best = f64::MAX;
    for _ in 0..rounds.max(1) {
        let start = Instant::now();
        let Ok(mut reader) = CaptureReader::new(InMemory(&bytes[..])) else {
            eprintln!("{file}: not a capture");
            std::process::exit(2);
        };
        let (mut frames, mut sum) = (0u64, 0u64);
        while let Ok(Some(f)) = reader.next_frame() {
            frames += 1;
            sum = sum.wrapping_add(u64::from(f.flow.src_port()) ^ f.ts.as_nanos());
            sum = sum.wrapping_add(f.payload.first().copied().unwrap_or(0).into());
        }
        black_box(sum);
        best = best.min(start.elapsed().as_nanos() as f64 / frames.max(1) as f64);
    }
    println!("best {best:.2} ns per frame");
}
