//! `pipeline::bench` on a capture file, for a profiler and for A/B runs on a noisy machine:
//! `drive_pipeline FILE [ROUNDS]` runs the source-thread, source-with-a-share and sharded
//! readings with 1 and 2 workers, interleaved, and prints the best and the median of each;
//! `drive_pipeline FILE once WORKERS` runs sharded reading once, `drive_pipeline FILE source
//! WORKERS` a source thread once, `drive_pipeline FILE share WORKERS` a source thread that
//! analyses `SUGGESTED_READER_SHARE` of the flows itself once.

use rtpscope::pipeline::{bench, PipelineConfig, Reading, SUGGESTED_READER_SHARE};

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
    let run = |(reading, reader_share), workers| {
        let config = PipelineConfig {
            workers,
            reader_share,
            ..PipelineConfig::default()
        };
        bench(capture.clone(), &config, reading).map(|r| r.packets_per_sec)
    };
    let single = match args.get(1).map(String::as_str) {
        Some("once") => Some((Reading::Sharded, 0.0)),
        Some("source") => Some((Reading::SourceThread, 0.0)),
        Some("share") => Some((Reading::SourceThread, SUGGESTED_READER_SHARE)),
        _ => None,
    };
    if let Some(way) = single {
        let workers = args.get(2).and_then(|w| w.parse().ok()).unwrap_or(1);
        match run(way, workers) {
            Ok(rate) => println!("{:.2} M pkt/s", rate / 1e6),
            Err(e) => eprintln!("{e}"),
        }
        return;
    }
    let rounds = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(6);
    let ways = [
        ("source thread", (Reading::SourceThread, 0.0)),
        (
            "source with a share",
            (Reading::SourceThread, SUGGESTED_READER_SHARE),
        ),
        ("sharded", (Reading::Sharded, 0.0)),
    ];
    // Per way, per worker count (1, 2): every round's rate.
    let mut rates = vec![[Vec::new(), Vec::new()]; ways.len()];
    for _ in 0..rounds {
        for (r, &(_, way)) in rates.iter_mut().zip(&ways) {
            for (workers, runs) in r.iter_mut().enumerate() {
                runs.push(run(way, workers + 1).unwrap_or(0.0));
            }
        }
    }
    let best = |runs: &[f64]| runs.iter().copied().fold(0.0, f64::max);
    let median = |runs: &[f64]| {
        let mut v = runs.to_vec();
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    };
    for ((name, _), [one, two]) in ways.iter().zip(&rates) {
        println!(
            "{name}: 1 worker best {:.2} median {:.2}, 2 workers best {:.2} median {:.2} M pkt/s; \
             scaling {:.2}x best, {:.2}x median",
            best(one) / 1e6,
            median(one) / 1e6,
            best(two) / 1e6,
            median(two) / 1e6,
            best(two) / best(one).max(1.0),
            median(two) / median(one).max(1.0),
        );
    }
}
