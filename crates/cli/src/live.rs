//! `rtpscope live IFACE` and `rtpscope interfaces`.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rtpscope::capture::live::{interfaces as list, LiveSource};
use rtpscope::core::diagnosis::Change;
use rtpscope::core::report::StreamReport;
use rtpscope::core::Event;
use rtpscope::pipeline::{Pipeline, PipelineEvent, Policy};

use crate::args::{Format, LiveArgs};
use crate::error::CliError;
use crate::outcome::Outcome;
use crate::source::{SourceProgress, Tracked};
use crate::{config, print};

/// How long a read waits before the stop flag is checked again.
const READ_TIMEOUT: Duration = Duration::from_millis(200);
/// Table refresh period, at least; a refresh that took long waits ten times as long, so that
/// drawing never takes more than a tenth of the time, however many streams there are.
const REFRESH: Duration = Duration::from_secs(1);
/// Streams that ended longer ago than this (capture time) leave the refreshed table; the final
/// report lists them all. A day on a trunk ends hundreds of thousands of streams, and a table
/// of all of them would be neither drawn every second nor read.
const SHOWN_AFTER_END_NS: u64 = 60_000_000_000;

/// Prints the interfaces.
pub fn interfaces() -> Result<(), CliError> {
    for i in list() {
        let state = if i.is_up { "up" } else { "down" };
        let kind = if i.is_loopback { ", loopback" } else { "" };
        println!("{}\t{state}{kind}\t{}", i.name, i.addresses.join(" "));
    }
    Ok(())
}

/// Captures until Ctrl-C (or `--duration`), printing symptoms as they are raised and cleared
/// and, on a terminal, a table refreshed in place; then the final report.
pub fn run(a: &LiveArgs) -> Result<Outcome, CliError> {
    let options = &a.options;
    let thresholds = config::thresholds(options.thresholds.as_deref())?;
    let source = LiveSource::open(&a.interface, READ_TIMEOUT)?;
    let progress = Arc::new(SourceProgress::default());
    let pipeline = config::pipeline(options, &thresholds, Policy::DropNewest, true);
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        let _ = ctrlc::set_handler(move || stop.store(true, Ordering::Relaxed));
    }
    let (handle, events) = Pipeline::builder()
        .config(pipeline)
        .stop_flag(stop.clone())
        .spawn(Tracked::new(source, progress.clone()))?;
    let started = Instant::now();
    let tty = std::io::stdout().is_terminal() && options.format == Format::Table;
    let mut last_refresh = Instant::now();
    let mut refresh_every = REFRESH;
    let mut intervals = Vec::new();
    loop {
        if a.duration.is_some_and(|d| started.elapsed() >= d) {
            stop.store(true, Ordering::Relaxed);
        }
        match events.recv_timeout(Duration::from_millis(100)) {
            Ok(PipelineEvent::Analyzer { event, .. }) => match event {
                Event::Symptom(s) => {
                    let verb = if s.change == Change::Raised {
                        "RAISED"
                    } else {
                        "cleared"
                    };
                    eprintln!(
                        "{verb}: {} — {} ({})",
                        s.symptom.kind.as_str().replace('_', " "),
                        s.symptom.summary,
                        s.symptom.direction
                    );
                }
                Event::StreamStarted { key, .. } => {
                    eprintln!("stream started: {} ssrc {:#010x}", key.flow, key.ssrc)
                }
                Event::Interval(r) if options.interval.is_some() => intervals.push(r),
                _ => {}
            },
            Ok(PipelineEvent::Snapshot(_)) => {}
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => break,
        }
        if tty && last_refresh.elapsed() >= refresh_every {
            last_refresh = Instant::now();
            let mut snap = handle.snapshot_recent(Duration::from_nanos(SHOWN_AFTER_END_NS));
            // Each shard kept its own recent streams; the latest time overall decides.
            keep_recent(&mut snap.report.streams, SHOWN_AFTER_END_NS);
            let started = snap.report.counters.streams_started;
            let hidden = started.saturating_sub(snap.report.streams.len() as u64);
            let fin = rtpscope::pipeline::FinalReport {
                report: snap.report,
                drops: snap.drops,
                source: Default::default(),
                sip: Default::default(),
            };
            let view = Outcome::new(fin, Vec::new(), progress.first_frame(), &thresholds);
            let mut out = std::io::stdout().lock();
            // Clear the screen and draw the table at the top.
            let _ = write!(out, "\x1b[2J\x1b[H{}", crate::table::render(&view));
            if hidden > 0 {
                let _ = writeln!(
                    out,
                    "({hidden} streams that ended over a minute ago are not shown here; the final report has them, up to its bound)"
                );
            }
            let _ = out.flush();
            refresh_every = REFRESH.max(last_refresh.elapsed() * 10);
        }
    }
    let fin = handle.join()?;
    let outcome = Outcome::new(fin, intervals, progress.first_frame(), &thresholds);
    print::outcome(&outcome, options.format)?;
    Ok(outcome)
}

/// Keeps the streams still live or ended less than `window_ns` before the latest packet seen
/// (capture time), in their order; returns how many were left out.
fn keep_recent(streams: &mut Vec<StreamReport>, window_ns: u64) -> usize {
    let latest = streams
        .iter()
        .map(|s| s.last_arrival.as_nanos())
        .max()
        .unwrap_or(0);
    let before = streams.len();
    streams.retain(|s| {
        s.ended.is_none() || s.last_arrival.as_nanos().saturating_add(window_ns) >= latest
    });
    before - streams.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rtpscope::core::report::EndReason;

    #[test]
    fn the_live_view_keeps_live_and_recently_ended_streams() {
        let mut analyzer = rtpscope::core::Analyzer::new(Default::default());
        let flow = |port: u16| {
            rtpscope::wire::Flow::new(
                std::net::SocketAddr::from(([10, 0, 0, 1], port)),
                std::net::SocketAddr::from(([10, 0, 0, 2], port)),
            )
        };
        let header = |ssrc: u32| rtpscope::core::RtpHeader {
            sequence_number: 1,
            timestamp: 0,
            ssrc,
            payload_type: 0,
            marker: false,
            payload_len: 160,
            payload_class: rtpscope::core::payload::PayloadClass::Audible,
        };
        let at = |s: u64| rtpscope::core::Timestamp::from_nanos(s * 1_000_000_000);
        for (ssrc, secs) in [(1, 10), (2, 100), (3, 130), (4, 140)] {
            analyzer.handle_rtp(at(secs), flow(ssrc as u16 * 2), &header(ssrc));
        }
        let mut streams = analyzer.report().streams;
        // Streams 1 and 2 ended (their last packets at 10 s and 100 s), 3 and 4 still live.
        for s in streams.iter_mut().filter(|s| s.key.ssrc <= 2) {
            s.ended = Some(EndReason::Idle);
        }
        assert_eq!(keep_recent(&mut streams, SHOWN_AFTER_END_NS), 1);
        let kept: Vec<u32> = streams.iter().map(|s| s.key.ssrc).collect();
        assert_eq!(kept, [2, 3, 4]);
    }
}
