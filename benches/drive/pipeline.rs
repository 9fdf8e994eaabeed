//! `pipeline::bench` on a capture file, for a profiler and for A/B runs on a noisy machine:
//! `drive_pipeline FILE [ROUNDS]` runs the source-thread and sharded readings with 1 and 2
//! workers, interleaved, and prints the best of each; `drive_pipeline FILE once WORKERS` runs
//! sharded reading once, `drive_pipeline FILE source WORKERS` a source thread once.

use rtpscope::pipeline::{bench, PipelineConfig, Reading};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(file) = args.first() else {
        eprintln!("usage: drive_pipeline FILE [ROUNDS | once WORKERS | source WORKERS]");
        std::process::exit(2);
    };
    let capture = match std::fs::read(file) {
        Ok(b) => bytes::Bytes::from(b),
        Err(e) => {
            eprintln!("{file}: {e}");
            std::process::exit(2);
        }
    };
    let run = |reading, workers| {
        let config = PipelineConfig {
            workers,
            ..PipelineConfig::default()
        };
        bench(capture.clone(), &config, reading).map(|r| r.packets_per_sec)
    };
    let single = match args.get(1).map(String::as_str) {
        Some("once") => Some(Reading::Sharded),
        Some("source") => Some(Reading::SourceThread),
        _ => None,
    };
    if let Some(reading) = single {
        let workers = args.get(2).and_then(|w| w.parse().ok()).unwrap_or(1);
        match run(reading, workers) {
            Ok(rate) => println!("{:.2} M pkt/s", rate / 1e6),
            Err(e) => eprintln!("{e}"),
        }
        return;
    }
    let rounds = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(6);
    let setups = [
        (Reading::SourceThread, 1),
        (Reading::SourceThread, 2),
        (Reading::Sharded, 1),
        (Reading::Sharded, 2),
    ];
    let mut best = [0f64; 4];
    for _ in 0..rounds {
        for (b, &(reading, workers)) in best.iter_mut().zip(&setups) {
            *b = b.max(run(reading, workers).unwrap_or(0.0));
        }
    }
    for (b, (reading, workers)) in best.iter().zip(setups) {
        println!(
            "{reading:?}, {workers} worker(s): best {:.2} M pkt/s",
            b / 1e6
        );
    }
    println!(
        "scaling: source thread {:.2}x, sharded {:.2}x",
        best[1] / best[0].max(1.0),
        best[3] / best[2].max(1.0)
    );
}
