//! Configuring and starting a pipeline.

use std::ops::RangeInclusive;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use crossbeam_channel::{bounded, Receiver};
use rtpscope_capture::{DetectorConfig, RtpDetector};
use rtpscope_core::{Analyzer, AnalyzerConfig};
use rtpscope_wire::Timestamp;

use crate::capped::capped;
use crate::handle::PipelineHandle;
use crate::input::FrameSource;
use crate::policy::Policy;
use crate::report::{PipelineEvent, ShardCounters};
use crate::shard::{usable_share, ShardMap};
use crate::source::{SourceResult, SourceSetup, Target};
use crate::spin::worth_spinning;
use crate::worker::Worker;
use crate::{collector, source, PipelineError};

/// A [`PipelineConfig::reader_share`] that keeps two cores busy reading a file with a source
/// thread and two workers (worker 0 in the source): at 1 000 streams, the share of a frame's
/// work that reading leaves to the analysis (docs/BENCHMARKS.md measures it).
pub const SUGGESTED_READER_SHARE: f64 = 0.06;

/// Everything that shapes a pipeline run.
#[derive(Debug, Clone)]
pub struct PipelineConfig {
    /// Worker shards (at least 1).
    pub workers: usize,
    /// Records per batch (256–1024 amortises channel cost without hurting latency).
    pub batch_size: usize,
    /// Batches queued per worker before the policy applies.
    pub channel_capacity: usize,
    /// What to do when a worker falls behind.
    pub policy: Policy,
    /// Analyzer settings, shared by every shard (payload-type overrides live here).
    pub analyzer: AnalyzerConfig,
    /// RTP flow detection (forced port ranges live here).
    pub detector: DetectorConfig,
    /// Partial batches are sent after this much capture time, so live results stay fresh
    /// and every shard's timers advance.
    pub flush_every: Duration,
    /// Periodic merged snapshots every this much capture time (`None`: only on demand).
    pub snapshot_every: Option<Duration>,
    /// Forward analyzer events to the event receiver.
    pub events: bool,
    /// Events queued for the embedder before further ones are dropped (and counted).
    pub event_capacity: usize,
    /// The share of flows (0 to 1) the source thread analyses itself, running worker 0
    /// inside it ([`spawn`](PipelineBuilder::spawn) only; with one worker it takes all of
    /// them). For a source thread that would otherwise wait on its workers: on two cores,
    /// reading a file takes less than a worker's analysis, and a source that analyses about
    /// 6 % of the flows keeps both cores busy. 0 (the default; also for NaN and the
    /// infinities): every worker has a thread of its own. Worker 0 then answers snapshot
    /// requests between reads (every 1 024 frames or read timeouts), so a live source that
    /// waits long for packets answers late.
    pub reader_share: f64,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        let detector = DetectorConfig {
            // A mirror port carries far more flows than the detector's desktop default.
            max_flows: 262_144,
            max_held_bytes_total: 64 * 1024 * 1024,
            ..DetectorConfig::default()
        };
        PipelineConfig {
            workers: 1,
            batch_size: 512,
            channel_capacity: 64,
            policy: Policy::Block,
            analyzer: AnalyzerConfig::default(),
            detector,
            flush_every: Duration::from_millis(100),
            snapshot_every: None,
            events: true,
            event_capacity: 65_536,
            reader_share: 0.0,
        }
    }
}

/// Namespace for [`Pipeline::builder`].
#[derive(Debug)]
pub struct Pipeline;

impl Pipeline {
    /// A builder with [`PipelineConfig::default`].
    pub fn builder() -> PipelineBuilder {
        PipelineBuilder {
            config: PipelineConfig::default(),
            stop: None,
        }
    }
}

/// Builds and starts a pipeline. See the crate documentation for an example.
#[derive(Debug, Clone)]
pub struct PipelineBuilder {
    config: PipelineConfig,
    stop: Option<Arc<AtomicBool>>,
}

impl PipelineBuilder {
    /// Replaces the whole configuration.
    pub fn config(mut self, config: PipelineConfig) -> Self {
        self.config = config;
        self
    }
    /// Worker shards (0 is taken as 1).
    pub fn workers(mut self, workers: usize) -> Self {
        self.config.workers = workers;
        self
    }
    /// Records per batch.
    pub fn batch_size(mut self, records: usize) -> Self {
        self.config.batch_size = records;
        self
    }
    /// Batches queued per worker.
    pub fn channel_capacity(mut self, batches: usize) -> Self {
        self.config.channel_capacity = batches;
        self
    }
    /// Backpressure policy.
    pub fn policy(mut self, policy: Policy) -> Self {
        self.config.policy = policy;
        self
    }
    /// Analyzer settings for every shard.
    pub fn analyzer_config(mut self, config: AnalyzerConfig) -> Self {
        self.config.analyzer = config;
        self
    }
    /// Flow detection settings.
    pub fn detector_config(mut self, config: DetectorConfig) -> Self {
        self.config.detector = config;
        self
    }
    /// Treats RTP-looking packets on these UDP ports as RTP without detection.
    pub fn forced_ports(mut self, ports: RangeInclusive<u16>) -> Self {
        self.config.detector.forced_ports.push(ports);
        self
    }
    /// Overrides what a payload type means (e.g. `96, "opus", 48000`), above SDP.
    pub fn payload_type(mut self, payload_type: u8, encoding: &str, clock_rate: u32) -> Self {
        self.config.analyzer =
            self.config
                .analyzer
                .with_payload_type(payload_type, encoding, clock_rate);
        self
    }
    /// Periodic snapshots every this much capture time.
    pub fn snapshot_every(mut self, every: Option<Duration>) -> Self {
        self.config.snapshot_every = every;
        self
    }
    /// The share of flows the source thread analyses itself ([`PipelineConfig::reader_share`]).
    pub fn reader_share(mut self, share: f64) -> Self {
        self.config.reader_share = share;
        self
    }
    /// Whether analyzer events are forwarded.
    pub fn events(mut self, forward: bool) -> Self {
        self.config.events = forward;
        self
    }
    /// A stop flag shared with the embedder (e.g. set from a Ctrl-C handler).
    pub fn stop_flag(mut self, stop: Arc<AtomicBool>) -> Self {
        self.stop = Some(stop);
        self
    }
    /// The configuration so far.
    pub fn get_config(&self) -> &PipelineConfig {
        &self.config
    }

    /// Starts the source thread, the workers and the collector.
    pub fn spawn<S: FrameSource + 'static>(
        self,
        source: S,
    ) -> Result<(PipelineHandle, Receiver<PipelineEvent>), PipelineError> {
        let (mut parts, stop) = self.parts()?;
        let shards = parts.workers.len();
        let mut targets = Vec::with_capacity(shards);
        let mut threads = Vec::with_capacity(shards);
        // Worker 0 in the source thread when that thread analyses a share.
        let share = usable_share(parts.config.reader_share);
        let inline_first = share > 0.0;
        let map = ShardMap::first_takes(shards, share);
        // The workers and the source.
        let spin = worth_spinning(shards + usize::from(!inline_first));
        for worker in parts.workers.drain(..) {
            if inline_first && worker.shard == 0 {
                targets.push(Target::Inline(Box::new(worker)));
                continue;
            }
            let (tx, rx) = bounded(parts.config.channel_capacity.max(1));
            let shard = worker.shard;
            let worker = Worker {
                data: rx,
                spin,
                ..worker
            };
            threads.push(
                thread::Builder::new()
                    .name(format!("rtpscope-worker-{shard}"))
                    .spawn(move || worker.run())
                    .map_err(PipelineError::Spawn)?,
            );
            targets.push(Target::Channel { tx, spin });
        }
        let setup = parts.setup(targets, map, 0, &stop);
        let source = thread::Builder::new()
            .name("rtpscope-source".into())
            .spawn(move || source::run(source, setup))
            .map_err(PipelineError::Spawn)?;
        Ok(parts.handle(stop, vec![source], threads))
    }

    /// Starts one thread per worker, each reading its own copy of the input (from `open`)
    /// and analysing only the flows of its shard, plus the collector. For input that can be
    /// read more than once (a file, a capture in memory): no source thread and no channel on
    /// the packet path, so with N workers N cores share all the work, reading included.
    /// Results equal [`spawn`](Self::spawn)'s with the same configuration (the detector's
    /// bounds apply per shard, so a shard evicts only flows a single source would also have
    /// had to evict).
    pub fn spawn_sharded<S, F>(
        self,
        mut open: F,
    ) -> Result<(PipelineHandle, Receiver<PipelineEvent>), PipelineError>
    where
        S: FrameSource + 'static,
        F: FnMut() -> Result<S, PipelineError>,
    {
        let (mut parts, stop) = self.parts()?;
        let shards = parts.workers.len();
        let mut threads = Vec::with_capacity(shards);
        for worker in parts.workers.drain(..).collect::<Vec<_>>() {
            let source = open()?;
            let shard = worker.shard;
            let setup = parts.setup(
                vec![Target::Inline(Box::new(worker))],
                ShardMap::even(1),
                shard,
                &stop,
            );
            threads.push(
                thread::Builder::new()
                    .name(format!("rtpscope-shard-{shard}"))
                    .spawn(move || source::run_sharded(source, setup, shard, shards))
                    .map_err(PipelineError::Spawn)?,
            );
        }
        Ok(parts.handle(stop, threads, Vec::new()))
    }

    /// The collector, the (not yet started) workers and what the sources share.
    fn parts(self) -> Result<(Parts, Arc<AtomicBool>), PipelineError> {
        let cfg = self.config;
        let n = cfg.workers.max(1);
        let stop = self.stop.unwrap_or_default();
        let counters: Arc<[ShardCounters]> = (0..n).map(|_| ShardCounters::default()).collect();
        let (event_tx, event_rx) = capped(cfg.event_capacity);
        let (collect_tx, collect_rx) = capped(cfg.event_capacity.max(1024));
        // Every batch in flight fits in the pool: per shard the queue, one being analysed,
        // one being filled.
        let (pool_tx, pool_rx) = bounded(n * (cfg.channel_capacity + 2));
        let collector = {
            let counters = counters.clone();
            thread::Builder::new()
                .name("rtpscope-collector".into())
                .spawn(move || collector::run(collect_rx, event_tx, counters))
                .map_err(PipelineError::Spawn)?
        };
        // Events nobody will read are not built: a worker's analyzer would otherwise queue
        // (and, past its bound, count as dropped) a report for every stream it ends.
        let analyzer = AnalyzerConfig {
            events: cfg.analyzer.events && cfg.events,
            ..cfg.analyzer.clone()
        };
        let mut controls = Vec::with_capacity(n);
        let mut workers = Vec::with_capacity(n);
        for shard in 0..n {
            let (ctl_tx, ctl_rx) = bounded(4);
            workers.push(Worker {
                shard,
                analyzer: Analyzer::new(analyzer.clone()),
                // Replaced by the channel of a threaded worker; an inline one has none.
                data: crossbeam_channel::never(),
                spin: false,
                control: ctl_rx,
                pool: pool_tx.clone(),
                out: collect_tx.clone(),
                forward_events: cfg.events,
                counters: counters.clone(),
                datagrams: 0,
                latest: Timestamp::ZERO,
            });
            controls.push(ctl_tx);
        }
        let parts = Parts {
            config: cfg,
            counters,
            pool: pool_rx,
            controls,
            workers,
            collector,
            events: event_rx,
        };
        Ok((parts, stop))
    }
}

/// What `spawn` and `spawn_sharded` share.
struct Parts {
    config: PipelineConfig,
    counters: Arc<[ShardCounters]>,
    pool: Receiver<Vec<crate::record::Record>>,
    controls: Vec<crossbeam_channel::Sender<crate::record::Control>>,
    workers: Vec<Worker>,
    collector: thread::JoinHandle<Vec<Option<rtpscope_core::AnalysisReport>>>,
    events: Receiver<PipelineEvent>,
}

impl Parts {
    fn setup(
        &self,
        targets: Vec<Target>,
        map: ShardMap,
        first_shard: usize,
        stop: &Arc<AtomicBool>,
    ) -> SourceSetup {
        let cfg = &self.config;
        SourceSetup {
            detector: RtpDetector::new(cfg.detector.clone()),
            targets,
            map,
            first_shard,
            pool: self.pool.clone(),
            counters: self.counters.clone(),
            policy: cfg.policy,
            batch_size: cfg.batch_size,
            flush_every: cfg.flush_every,
            snapshot_every: cfg.snapshot_every,
            stop: stop.clone(),
        }
    }

    fn handle(
        self,
        stop: Arc<AtomicBool>,
        sources: Vec<thread::JoinHandle<SourceResult>>,
        workers: Vec<thread::JoinHandle<()>>,
    ) -> (PipelineHandle, Receiver<PipelineEvent>) {
        // Only the workers hold the collector's sender now: it ends when they have reported.
        (
            PipelineHandle::new(
                stop,
                self.controls,
                self.counters,
                sources,
                workers,
                self.collector,
            ),
            self.events,
        )
    }
}
