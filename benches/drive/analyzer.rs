//! `Analyzer::handle_rtp` over N interleaved streams, as `core_analyzer` measures it, for a
//! profiler: `drive_analyzer STREAMS PACKETS [SCATTERED]`. Prints the best of seven equal
//! rounds. With `SCATTERED` 1, each round visits the streams in a scattered order (a stride
//! permutation), not in the order they sit in memory, as packets from many calls arrive.

use std::hint::black_box;
use std::time::Instant;

use rtpscope::core::Timestamp;
use rtpscope_benches::{header, scattered, spacing_ns, warmed};

fn main() {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<u64>().ok());
    let streams = args.next().flatten().unwrap_or(1).clamp(1, 1 << 20) as u32;
    let packets = args.next().flatten().unwrap_or(35_000_000);
    let scatter = args.next().flatten() == Some(1);
    let group = args.next().flatten().unwrap_or(0) as u32;
    let stream = |k: u32| if scatter { scattered(k, streams) } else { k };
    let (mut analyzer, flows, mut now) = warmed(streams);
    let (mut i, mut round) = (0u32, 60u32);
    // Worked out once: a division a packet would be timed with the analyzer.
    let step = spacing_ns(streams);
    let per_round = (packets / 7).max(1);
    let mut best = f64::MAX;
    for _ in 0..7 {
        let start = Instant::now();
        for _ in 0..per_round {
            i += 1;
            if i == streams {
                i = 0;
                round += 1;
            }
            now += step;
            if group > 0 && i % group == 0 {
                analyzer.warm((i..(i + group).min(streams)).map(|k| {
                    let s = stream(k);
                    (flows.get(s as usize).copied().unwrap_or(flows[0]), s)
                }));
            }
            let s = stream(i);
            let flow = flows.get(s as usize).copied().unwrap_or(flows[0]);
            analyzer.handle_rtp(
                Timestamp::from_nanos(now),
                flow,
                black_box(&header(s, round)),
            );
            while analyzer.poll_event().is_some() {}
        }
        best = best.min(start.elapsed().as_nanos() as f64 / per_round as f64);
    }
    let order = if scatter { ", scattered" } else { "" };
    println!("{streams} streams{order}: best {best:.2} ns per packet");
}
