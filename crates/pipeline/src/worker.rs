//! A worker shard: one analyzer, fed only the flows this shard owns, sharing nothing.

use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

use crossbeam_channel::{never, select, Receiver, Sender};
use rtpscope_core::{AnalysisReport, Analyzer};
use rtpscope_wire::Timestamp;

use crate::capped::CappedSender;
use crate::collector::Collected;
use crate::record::{Batch, Control, Record, ToWorker};
use crate::report::ShardCounters;
use crate::spin::spin_with;

/// Records whose streams are loaded into cache together before they are handled.
const WARM_GROUP: usize = 32;

/// Everything one worker thread owns.
#[derive(Debug)]
pub(crate) struct Worker {
    pub shard: usize,
    pub analyzer: Analyzer,
    pub data: Receiver<ToWorker>,
    /// Whether to spin briefly for data before parking (see [`crate::spin`]).
    pub spin: bool,
    pub control: Receiver<Control>,
    /// Emptied record vectors go back to the source here.
    pub pool: Sender<Vec<Record>>,
    pub out: CappedSender<Collected>,
    pub forward_events: bool,
    pub counters: Arc<[ShardCounters]>,
    /// Datagrams handed to the analyzer (core counts them only in `handle_datagram`).
    pub datagrams: u64,
    pub latest: Timestamp,
}

impl Worker {
    /// Runs until the source says the input ended (or disappears), then sends the final report.
    pub(crate) fn run(mut self) {
        let mut control = self.control.clone();
        loop {
            // Most batches come within the spin: take them without a park, and answer
            // requests between them.
            let spun = if self.spin {
                spin_with((), |()| self.data.try_recv().map_err(drop))
            } else {
                Err(())
            };
            if let Ok(msg) = spun {
                if !self.handle(msg) {
                    break;
                }
                self.poll_control();
                continue;
            }
            select! {
                recv(self.data) -> msg => match msg {
                    Ok(msg) => {
                        if !self.handle(msg) {
                            break;
                        }
                    }
                    // The source is gone without a goodbye: finish with what arrived.
                    Err(_) => break,
                },
                recv(control) -> msg => match msg {
                    Ok(request) => self.control(request),
                    // The handle is gone: stop listening, or this arm would spin.
                    Err(_) => control = never(),
                },
            }
        }
        self.finish();
    }

    /// Handles one message in capture order; `false` once the input has ended.
    pub(crate) fn handle(&mut self, msg: ToWorker) -> bool {
        match msg {
            ToWorker::Batch(batch) => self.batch(batch),
            ToWorker::Snapshot { seq, time } => {
                self.advance(time);
                let report = self.report();
                // Blocking: the collector never blocks, and a part must not be lost.
                let _ = self.out.send(Collected::Part {
                    seq,
                    shard: self.shard,
                    report,
                });
            }
            ToWorker::Finish { time } => {
                self.advance(time);
                return false;
            }
        }
        true
    }

    /// Answers out-of-band requests waiting on the control channel (for a worker that runs
    /// inside its own reader's loop and so cannot block on them).
    pub(crate) fn poll_control(&mut self) {
        while let Ok(request) = self.control.try_recv() {
            self.control(request);
        }
    }

    fn control(&mut self, request: Control) {
        match request {
            Control::Snapshot(reply, window) => {
                let _ = reply.send((self.shard, self.report_within(window)));
            }
        }
    }

    /// Ends every stream and sends the final report.
    pub(crate) fn finish(mut self) {
        self.analyzer.finish();
        self.drain_events();
        let report = self.analyzer.take_report();
        let report = self.stamped(report);
        let _ = self.out.send(Collected::Final {
            shard: self.shard,
            report,
        });
    }

    fn batch(&mut self, mut batch: Batch) {
        for group in batch.records.chunks(WARM_GROUP) {
            // Among many streams every packet's state is a cache miss: load a group's
            // together, so the misses overlap (a no-op while the streams fit in cache).
            self.analyzer.warm(group.iter().filter_map(|r| match r {
                Record::Rtp { flow, header, .. } => Some((*flow, header.ssrc)),
                _ => None,
            }));
            for record in group {
                self.record(record);
            }
        }
        batch.records.clear();
        // Hand the allocation back; if the pool is full the vector is simply freed.
        let _ = self.pool.try_send(batch.records);
        self.advance(batch.time);
    }

    fn record(&mut self, record: &Record) {
        match record {
            Record::Rtp { now, flow, header } => {
                self.datagrams += 1;
                self.analyzer.handle_rtp(*now, *flow, header);
            }
            Record::Rtcp { now, datagram } => {
                self.datagrams += 1;
                // Malformed RTCP is counted by the analyzer (the detector validated it).
                let _ = self.analyzer.handle_rtcp(*now, datagram);
            }
            Record::Learn {
                endpoint,
                payload_type,
                info,
            } => {
                self.analyzer
                    .learn_payload_type(*endpoint, *payload_type, *info);
            }
        }
    }

    /// Runs timers up to the source's latest capture time, so idle streams end and
    /// intervals close on every shard even when this one sees no packets.
    fn advance(&mut self, time: Timestamp) {
        self.latest = self.latest.max(time);
        if self.analyzer.poll_timeout().is_some_and(|due| due <= time) {
            self.analyzer.handle_timeout(time);
        }
        self.drain_events();
    }

    fn drain_events(&mut self) {
        while let Some(event) = self.analyzer.poll_event() {
            if self.forward_events
                && self
                    .out
                    .try_send(Collected::Event {
                        shard: self.shard,
                        event,
                    })
                    .is_err()
            {
                if let Some(c) = self.counters.get(self.shard) {
                    c.events_dropped.fetch_add(1, Relaxed);
                }
            }
        }
    }

    fn report(&mut self) -> AnalysisReport {
        self.report_within(None)
    }

    /// The report, with only the recently ended streams when a window is given.
    fn report_within(&mut self, window: Option<core::time::Duration>) -> AnalysisReport {
        let report = match window {
            Some(w) => self.analyzer.report_recent(w),
            None => self.analyzer.report(),
        };
        self.stamped(report)
    }

    /// `report` with the datagrams handed to the analyzer (core counts only its own).
    fn stamped(&self, mut report: AnalysisReport) -> AnalysisReport {
        report.counters.datagrams = self.datagrams;
        report
    }
}
