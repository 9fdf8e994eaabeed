//! Capture on a live interface and print quality events as they happen (needs CAP_NET_RAW).
//!
//! `cargo run -p rtpscope-examples --example live_interface -- lo 30`

use std::time::{Duration, Instant};

use rtpscope::capture::live::LiveSource;
use rtpscope::core::Event;
use rtpscope::pipeline::{Pipeline, PipelineEvent, Policy};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let interface = args.next().ok_or("usage: live_interface IFACE [SECONDS]")?;
    let seconds: u64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(30);
    // A read timeout lets the pipeline notice a stop request while the line is quiet.
    let source = LiveSource::open(&interface, Duration::from_millis(200))?;
    // Live capture must never stall: when analysis falls behind, drop and count.
    let (handle, events) = Pipeline::builder()
        .workers(2)
        .policy(Policy::DropNewest)
        .spawn(source)?;
    let until = Instant::now() + Duration::from_secs(seconds);
    while Instant::now() < until {
        let Ok(PipelineEvent::Analyzer { event, .. }) =
            events.recv_timeout(Duration::from_millis(200))
        else {
            continue;
        };
        match event {
            Event::StreamStarted { key, .. } => {
                println!("new stream {} ssrc {:#010x}", key.flow, key.ssrc)
            }
            Event::Symptom(s) => println!("{:?}: {}", s.change, s.symptom.summary),
            Event::StreamEnded(r) => println!(
                "stream {:#010x} ended ({:?}): {} packets, {} lost",
                r.key.ssrc, r.ended, r.packets, r.lost
            ),
            _ => {}
        }
    }
    handle.stop();
    let done = handle.join()?;
    println!(
        "{} streams, {} packets dropped by the pipeline",
        done.report.streams.len(),
        done.dropped()
    );
    Ok(())
}
