//! `rtpscope analyze FILE|-`.

use std::io::{IsTerminal, Read};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use foldhash::{HashSet, HashSetExt};
use rtpscope::capture::{CaptureReader, Source};
use rtpscope::core::Event;
use rtpscope::pipeline::{Pipeline, PipelineError, PipelineEvent, Policy, SUGGESTED_READER_SHARE};

use crate::args::AnalyzeArgs;
use crate::error::CliError;
use crate::mapped::MappedFile;
use crate::outcome::Outcome;
use crate::source::{SourceProgress, Tracked};
use crate::{config, print};

/// Workers from which a file is read by every worker rather than by one source thread. A
/// source thread reads, detects and parses for all workers and tops out near 10 M packets/s;
/// sharded reading repeats the read and decapsulation in every worker but has no such
/// ceiling. On two cores the source thread is faster (docs/BENCHMARKS.md), beyond it
/// sharded reading is.
const SHARDED_FROM_WORKERS: usize = 3;

/// UDP datagrams sampled from the start of a file to count its flows: 16 384 of them hold
/// every stream of 6 144 that send every 20 ms.
const SAMPLE_DATAGRAMS: usize = 16_384;

/// The sample reads at most this much of the file (with read(2), which costs less than
/// mapping a file's pages for one pass: 2–3 ms), however little of it is UDP.
const SAMPLE_BYTES: u64 = 8 << 20;

/// Files below this are not sampled: they take well under a second whichever way they are read.
const SAMPLE_MIN_BYTES: u64 = 32 << 20;

/// Distinct flows in the sample from which a file is read in shards even on two cores: with
/// this many streams one worker's state (384 bytes a stream) outgrows a core's L2 cache, the
/// one worker behind a source thread waits on memory, and two workers that each hold half
/// the streams win (on this machine's 2 MB L2: slower at 4 k streams, faster from 10 k;
/// docs/BENCHMARKS.md).
const MANY_FLOWS: usize = 6_144;

/// Files smaller than this finish before a progress bar would help.
const PROGRESS_MIN_BYTES: u64 = 32 << 20;

/// Runs the analysis and prints it; returns the outcome for the exit status.
pub fn run(args: &AnalyzeArgs) -> Result<Outcome, CliError> {
    let name = |e: &dyn std::fmt::Display| CliError::Input(format!("{}: {e}", args.file.display()));
    if args.file.as_os_str() == "-" {
        let stdin: Box<dyn Read + Send> = Box::new(std::io::stdin());
        // Never reopened: without a size the input is read by one source thread.
        return analyze(
            args,
            Input::stream(),
            || CaptureReader::new(stdin).map_err(|e| name(&e)),
            || {
                Err(PipelineError::Reopen(
                    std::io::ErrorKind::Unsupported.into(),
                ))
            },
        );
    }
    let open = |path: &std::path::Path| std::fs::File::open(path);
    let file = open(&args.file).map_err(|e| name(&e))?;
    // Only a regular file has a size, may be read again (by the sample, by every shard) and
    // is read by every shard from its own start: a FIFO or a device path is read once.
    let size = file
        .metadata()
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    let input = Input::sized(args, size);
    let file = match args.no_mmap {
        true => file,
        false => match MappedFile::of(file) {
            Ok(mapped) => {
                let path = args.file.clone();
                // Each sharded reader maps the file for itself, so each window slides alone.
                return analyze(
                    args,
                    input,
                    || CaptureReader::new(mapped).map_err(|e| name(&e)),
                    move || {
                        let file = open(&path).map_err(PipelineError::Reopen)?;
                        let mapped =
                            MappedFile::of(file).map_err(|u| PipelineError::Reopen(u.why))?;
                        Ok(CaptureReader::new(mapped)?)
                    },
                );
            }
            // Not mappable (a pipe, a device, sysfs...): read it.
            Err(unmapped) => unmapped.file,
        },
    };
    // No BufReader: the capture reader keeps its own 1 MiB buffer and reads into it
    // directly; a second buffer would copy every byte once more.
    let path = args.file.clone();
    analyze(
        args,
        input,
        || CaptureReader::new(file).map_err(|e| name(&e)),
        move || {
            let file = open(&path).map_err(PipelineError::Reopen)?;
            Ok(CaptureReader::new(file)?)
        },
    )
}

/// What is known of the input before it is read.
struct Input {
    /// Bytes of a regular file (`None`: a stream, read once by one source thread).
    size: Option<u64>,
    /// Without `--workers`, the workers that read this file in shards (`None`: one reading
    /// thread and the configured workers).
    default_shards: Option<usize>,
    /// When the run began, sampling included (for `--bench`).
    started: Instant,
}

impl Input {
    fn stream() -> Self {
        Input {
            size: None,
            default_shards: None,
            started: Instant::now(),
        }
    }

    /// A regular file of `size` bytes (`None`: not a regular file). The default leaves a
    /// core to the reading thread; a file read by every worker needs none, so it gets a
    /// worker per core when that makes enough of them, or when its streams are too many for
    /// one worker's cache.
    fn sized(args: &AnalyzeArgs, size: Option<u64>) -> Self {
        let started = Instant::now();
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let default_shards = match cores {
            _ if args.options.workers.is_some() || size.is_none() => None,
            c if c > SHARDED_FROM_WORKERS => Some(c.min(config::MAX_DEFAULT_WORKERS)),
            c if c >= 2 && size.is_some_and(|s| s >= SAMPLE_MIN_BYTES) && crowded(&args.file) => {
                Some(c)
            }
            _ => None,
        };
        Input {
            size,
            default_shards,
            started,
        }
    }
}

/// Runs the analysis over readers of one capture: `first` opens the reader that reads for
/// every worker, or for the first shard, and `reopen` one more for each further shard.
fn analyze<S, R>(
    args: &AnalyzeArgs,
    Input {
        size,
        default_shards,
        started,
    }: Input,
    first: impl FnOnce() -> Result<CaptureReader<S>, CliError>,
    mut reopen: R,
) -> Result<Outcome, CliError>
where
    S: Source + Send + 'static,
    S::Input: Send,
    R: FnMut() -> Result<CaptureReader<S>, PipelineError>,
{
    let options = &args.options;
    let thresholds = config::thresholds(options.thresholds.as_deref())?;
    let progress = Arc::new(SourceProgress::default());
    let first = Tracked::new(first()?, progress.clone());
    let want_intervals = options.interval.is_some();
    let mut pipeline = config::pipeline(options, &thresholds, Policy::Block, want_intervals);
    if let Some(shards) = default_shards {
        pipeline.workers = shards;
    }
    let sharded =
        default_shards.is_some() || (pipeline.workers >= SHARDED_FROM_WORKERS && size.is_some());
    if !sharded && options.workers.is_none() {
        // On one or two cores the reading thread has time to spare beside one worker: it
        // runs a worker of its own with a small share of the flows, so every core analyses
        // (a file or a stream alike; live capture keeps its reading thread free).
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        if cores <= 2 {
            pipeline.workers = cores;
            pipeline.reader_share = SUGGESTED_READER_SHARE;
        }
    }
    let (workers, reader_share) = (pipeline.workers, pipeline.reader_share);
    let builder = Pipeline::builder().config(pipeline);
    let (handle, events) = if sharded {
        // A file can be read once per worker: each reads it and keeps its own shard, so
        // every worker's core shares all the work (see `PipelineBuilder::spawn_sharded`).
        // The first reader drives the progress bar.
        let mut first = Some(first);
        builder.spawn_sharded(|| match first.take() {
            Some(r) => Ok(r),
            None => Ok(Tracked::new(reopen()?, Arc::new(SourceProgress::default()))),
        })?
    } else {
        builder.spawn(first)?
    };
    let bar = size
        .filter(|&s| s >= PROGRESS_MIN_BYTES && std::io::stderr().is_terminal())
        .map(progress_bar);
    let mut intervals = Vec::new();
    loop {
        match events.recv_timeout(Duration::from_millis(100)) {
            Ok(PipelineEvent::Analyzer {
                event: Event::Interval(r),
                ..
            }) => intervals.push(r),
            Ok(_) => {}
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => break,
        }
        if let Some(bar) = &bar {
            bar.set_position(progress.bytes.load(Ordering::Relaxed));
        }
    }
    let fin = handle.join()?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let elapsed = started.elapsed();
    if args.bench {
        let packets = fin.report.counters.rtp_packets + fin.report.counters.rtcp_packets;
        eprintln!(
            "analysed {} frames ({packets} RTP/RTCP packets, {} streams) with {workers} worker(s) {}, in {:.3} s: {:.2} M frames/s",
            fin.source.capture.frames,
            fin.report.streams.len(),
            if sharded {
                "each reading its shard"
            } else if reader_share > 0.0 {
                "the first in the reading thread"
            } else {
                "behind one reading thread"
            },
            elapsed.as_secs_f64(),
            fin.source.capture.frames as f64 / elapsed.as_secs_f64() / 1e6
        );
    }
    intervals.sort_by_key(|r| (r.start, r.key));
    let outcome = Outcome::new(fin, intervals, progress.first_frame(), &thresholds);
    print::outcome(&outcome, options.format)?;
    if let Some(e) = &outcome.fin.source.error {
        eprintln!("rtpscope: {}: {e}", args.file.display());
    }
    Ok(outcome)
}

/// Whether the regular file at `path` is worth reading in shards on a machine of two or
/// three cores, where it would otherwise get one reading thread and one worker: its first
/// [`SAMPLE_BYTES`] hold many flows. Read with `read(2)`: sampling through a mapped prefix
/// took a millisecond less itself, yet the whole run 3-5 ms longer (interleaved runs on the
/// 1 k-stream file).
fn crowded(path: &std::path::Path) -> bool {
    std::fs::File::open(path)
        .ok()
        .and_then(|f| CaptureReader::new(f.take(SAMPLE_BYTES)).ok())
        .is_some_and(many_flows)
}

/// Whether the first [`SAMPLE_DATAGRAMS`] UDP datagrams of `reader` hold [`MANY_FLOWS`]
/// distinct flows. Stops as soon as the answer is known: at the flow that makes them many,
/// or at the repeat after which the datagrams left could no longer make them many (a file
/// of 1 000 streams is decided a third of the way in).
fn many_flows<S: Source>(mut reader: CaptureReader<S>) -> bool {
    const REPEATS_ALLOWED: usize = SAMPLE_DATAGRAMS - MANY_FLOWS;
    let mut flows = HashSet::with_capacity(MANY_FLOWS);
    let mut repeats = 0;
    for _ in 0..SAMPLE_DATAGRAMS {
        match reader.next_frame() {
            Ok(Some(frame)) => {
                if !flows.insert(frame.flow) {
                    repeats += 1;
                    if repeats > REPEATS_ALLOWED {
                        return false;
                    }
                } else if flows.len() >= MANY_FLOWS {
                    return true;
                }
            }
            // The analysis will meet the end or the damage and report it.
            Ok(None) | Err(_) => return false,
        }
    }
    false
}

fn progress_bar(total: u64) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
    ) {
        bar.set_style(style);
    }
    bar
}

#[cfg(test)]
mod tests {
    use super::*;
    use rtpscope::capture::PcapWriter;
    use rtpscope::core::{Flow, Timestamp};

    /// A sample of `datagrams` UDP datagrams from flows `flow_of(i)`.
    fn sample(datagrams: usize, flow_of: impl Fn(usize) -> u32) -> bool {
        let mut w = PcapWriter::new(Vec::new(), 1).expect("in memory");
        for i in 0..datagrams {
            let flow = Flow::from_v4(0x0a00_0000 | flow_of(i), 4000, 0x0a01_0001, 5000);
            let ts = Timestamp::from_nanos(i as u64 * 1_000);
            w.write_udp(ts, flow, &[0x80, 0, 0, 1]).expect("in memory");
        }
        let bytes = w.into_inner().expect("in memory");
        many_flows(CaptureReader::new(std::io::Cursor::new(bytes)).expect("pcap"))
    }

    #[test]
    fn the_sample_is_crowded_exactly_when_its_datagrams_hold_many_flows() {
        // `repeating(k)`: flow 0 for the first k + 1 datagrams (k repeats), then a new flow
        // each: SAMPLE_DATAGRAMS - k flows in the sample, decided by its last datagram.
        let repeating = |k: usize| move |i: usize| i.saturating_sub(k) as u32;
        let repeats = SAMPLE_DATAGRAMS - MANY_FLOWS;
        assert!(sample(SAMPLE_DATAGRAMS, repeating(repeats)));
        // One repeat more leaves them one short.
        assert!(!sample(SAMPLE_DATAGRAMS, repeating(repeats + 1)));
        // Datagrams after the sample do not count.
        assert!(!sample(SAMPLE_DATAGRAMS + 10, repeating(repeats + 1)));
        // Every datagram a new flow: crowded as soon as there are MANY_FLOWS.
        assert!(sample(MANY_FLOWS, |i| i as u32));
        assert!(!sample(MANY_FLOWS - 1, |i| i as u32));
        // A few streams: not crowded.
        assert!(!sample(SAMPLE_DATAGRAMS, |i| (i % 1000) as u32));
    }
}
