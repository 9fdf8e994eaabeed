//! `rtpscope live IFACE` and `rtpscope interfaces`.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rtpscope::capture::live::{interfaces as list, LiveSource};
use rtpscope::core::diagnosis::Change;
use rtpscope::core::Event;
use rtpscope::pipeline::{Pipeline, PipelineEvent, Policy};

use crate::args::{Format, LiveArgs};
use crate::error::CliError;
use crate::outcome::Outcome;
use crate::source::{SourceProgress, Tracked};
use crate::{config, print};

/// How long a read waits before the stop flag is checked again.
const READ_TIMEOUT: Duration = Duration::from_millis(200);
/// Table refresh period.
const REFRESH: Duration = Duration::from_secs(1);

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
        if tty && last_refresh.elapsed() >= REFRESH {
            last_refresh = Instant::now();
            let snap = handle.snapshot();
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
            let _ = out.flush();
        }
    }
    let fin = handle.join()?;
    let outcome = Outcome::new(fin, intervals, progress.first_frame(), &thresholds);
    print::outcome(&outcome, options.format)?;
    Ok(outcome)
}
