//! The embedder's side of a running pipeline: stop it, look at it, wait for it.

use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::Arc;
use std::thread::JoinHandle;

use crossbeam_channel::{unbounded, Sender};
use rtpscope_core::AnalysisReport;

use crate::merge::merge_reports;
use crate::record::Control;
use crate::report::{read_drops, FinalReport, ShardCounters, Snapshot};
use crate::source::SourceResult;
use crate::PipelineError;

/// A running pipeline. Dropping it without [`Self::join`] asks the source to stop and lets
/// the threads wind down on their own.
#[derive(Debug)]
pub struct PipelineHandle {
    stop: Arc<AtomicBool>,
    controls: Vec<Sender<Control>>,
    counters: Arc<[ShardCounters]>,
    /// The source thread, or one reading thread per shard.
    sources: Vec<JoinHandle<SourceResult>>,
    workers: Vec<JoinHandle<()>>,
    collector: Option<JoinHandle<Vec<Option<AnalysisReport>>>>,
}

impl PipelineHandle {
    pub(crate) fn new(
        stop: Arc<AtomicBool>,
        controls: Vec<Sender<Control>>,
        counters: Arc<[ShardCounters]>,
        sources: Vec<JoinHandle<SourceResult>>,
        workers: Vec<JoinHandle<()>>,
        collector: JoinHandle<Vec<Option<AnalysisReport>>>,
    ) -> Self {
        PipelineHandle {
            stop,
            controls,
            counters,
            sources,
            workers,
            collector: Some(collector),
        }
    }

    /// Number of worker shards.
    pub fn workers(&self) -> usize {
        self.controls.len()
    }

    /// Asks the source to stop reading. Everything read so far is still analysed and the
    /// final report from [`Self::join`] is complete for it.
    pub fn stop(&self) {
        self.stop.store(true, Relaxed);
    }

    /// The stop flag, for signal handlers.
    pub fn stop_flag(&self) -> Arc<AtomicBool> {
        self.stop.clone()
    }

    /// The current state of every shard, merged, with drop counters. Packets still in the
    /// source's partial batches are not in it yet. Shards that have already finished are
    /// missing from it.
    ///
    /// Core's `report()` settles clock-rate inference of streams with a dynamic payload type
    /// and no SDP; a snapshot taken while such a stream is still inferring fixes its rate
    /// from fewer packets than the end of input would.
    pub fn snapshot(&self) -> Snapshot {
        self.snapshot_within(None)
    }

    /// [`Self::snapshot`] with, of the ended streams, only those whose last packet came less
    /// than `window` before the latest time each shard has seen: for a view redrawn often
    /// during a long live run, whose cost must not grow with every stream that ever ended.
    pub fn snapshot_recent(&self, window: std::time::Duration) -> Snapshot {
        self.snapshot_within(Some(window))
    }

    fn snapshot_within(&self, window: Option<std::time::Duration>) -> Snapshot {
        let (tx, rx) = unbounded();
        for c in &self.controls {
            let _ = c.send(Control::Snapshot(tx.clone(), window));
        }
        // Replies end when every request was answered or dropped with its finished worker.
        drop(tx);
        let mut parts: Vec<(usize, AnalysisReport)> = rx.iter().collect();
        parts.sort_by_key(|(shard, _)| *shard);
        let report = merge_reports(parts.into_iter().map(|(_, r)| r).collect());
        Snapshot {
            seq: u64::MAX,
            report,
            drops: read_drops(&self.counters),
        }
    }

    /// Waits for the end of input (or a stop), then returns the complete, merged result.
    pub fn join(mut self) -> Result<FinalReport, PipelineError> {
        let sources: Vec<_> = self.sources.drain(..).map(|h| h.join()).collect();
        let workers: Vec<_> = self.workers.drain(..).map(|h| h.join()).collect();
        let collector = self.collector.take().map(|h| h.join());
        let sources: Result<Vec<SourceResult>, _> = sources.into_iter().collect();
        let Some(source) = sources.ok().and_then(SourceResult::combine) else {
            return Err(PipelineError::ThreadPanicked("source"));
        };
        if workers.iter().any(|w| w.is_err()) {
            return Err(PipelineError::ThreadPanicked("worker"));
        }
        let finals = match collector {
            Some(Ok(f)) => f,
            _ => return Err(PipelineError::ThreadPanicked("collector")),
        };
        let reports: Option<Vec<AnalysisReport>> = finals.into_iter().collect();
        let Some(reports) = reports else {
            return Err(PipelineError::ThreadPanicked("worker"));
        };
        Ok(FinalReport {
            report: merge_reports(reports),
            drops: read_drops(&self.counters),
            source: source.counters,
            sip: source.sip,
        })
    }
}

impl Drop for PipelineHandle {
    fn drop(&mut self) {
        if !self.sources.is_empty() {
            self.stop();
        }
    }
}
