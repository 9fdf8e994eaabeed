//! The collector thread: forwards events to the embedder, assembles periodic snapshots from
//! every shard's part, and keeps each shard's final report for the handle.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

use crossbeam_channel::{Receiver, TrySendError};
use rtpscope_core::{AnalysisReport, Event};

use crate::capped::CappedSender;
use crate::merge::merge_reports;
use crate::report::{read_drops, PipelineEvent, ShardCounters, Snapshot};

/// What workers send to the collector.
#[derive(Debug)]
pub(crate) enum Collected {
    /// An analyzer event.
    Event { shard: usize, event: Event },
    /// One shard's part of periodic snapshot `seq`.
    Part {
        seq: u64,
        shard: usize,
        report: AnalysisReport,
    },
    /// A shard's final report.
    Final {
        shard: usize,
        report: AnalysisReport,
    },
}

/// Runs until every worker has hung up; returns the final reports by shard (`None` for a
/// shard that never sent one).
pub(crate) fn run(
    rx: Receiver<Collected>,
    events: CappedSender<PipelineEvent>,
    counters: Arc<[ShardCounters]>,
) -> Vec<Option<AnalysisReport>> {
    let shards = counters.len();
    let mut finals: Vec<Option<AnalysisReport>> = vec![None; shards];
    let mut parts: BTreeMap<u64, Vec<(usize, AnalysisReport)>> = BTreeMap::new();
    // Once the embedder drops its receiver there is nobody to tell, and nothing to count.
    let mut listening = true;
    while let Ok(msg) = rx.recv() {
        match msg {
            Collected::Event { shard, event } => {
                if listening {
                    match events.try_send(PipelineEvent::Analyzer { shard, event }) {
                        Ok(()) => {}
                        Err(TrySendError::Full(_)) => {
                            if let Some(c) = counters.get(shard) {
                                c.events_dropped.fetch_add(1, Relaxed);
                            }
                        }
                        Err(TrySendError::Disconnected(_)) => listening = false,
                    }
                }
            }
            Collected::Part { seq, shard, report } => {
                let got = parts.entry(seq).or_default();
                got.push((shard, report));
                if got.len() == shards {
                    let mut reports = parts.remove(&seq).unwrap_or_default();
                    // Shard order, so that merging is independent of arrival order.
                    reports.sort_by_key(|(shard, _)| *shard);
                    let reports = reports.into_iter().map(|(_, r)| r).collect();
                    // A mark a shard missed (dropped under DropNewest) never completes: forget it.
                    parts.retain(|&s, _| s > seq);
                    let snapshot = Snapshot {
                        seq,
                        report: merge_reports(reports),
                        drops: read_drops(&counters),
                    };
                    if listening
                        && matches!(
                            events.try_send(PipelineEvent::Snapshot(Box::new(snapshot))),
                            Err(TrySendError::Disconnected(_))
                        )
                    {
                        listening = false;
                    }
                }
            }
            Collected::Final { shard, report } => {
                if let Some(slot) = finals.get_mut(shard) {
                    *slot = Some(report);
                }
            }
        }
    }
    finals
}
