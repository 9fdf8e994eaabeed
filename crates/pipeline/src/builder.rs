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

use crate::handle::PipelineHandle;
use crate::input::FrameSource;
use crate::policy::Policy;
use crate::report::{PipelineEvent, ShardCounters};
use crate::source::SourceSetup;
use crate::worker::Worker;
use crate::{collector, source, PipelineError};

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
        let cfg = self.config;
        let n = cfg.workers.max(1);
        let stop = self.stop.unwrap_or_default();
        let counters: Arc<[ShardCounters]> = (0..n).map(|_| ShardCounters::default()).collect();
        let (event_tx, event_rx) = bounded(cfg.event_capacity.max(1));
        let (collect_tx, collect_rx) = bounded(cfg.event_capacity.max(1024));
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
        let mut senders = Vec::with_capacity(n);
        let mut controls = Vec::with_capacity(n);
        let mut workers = Vec::with_capacity(n);
        for shard in 0..n {
            let (tx, rx) = bounded(cfg.channel_capacity.max(1));
            let (ctl_tx, ctl_rx) = bounded(4);
            let worker = Worker {
                shard,
                analyzer: Analyzer::new(cfg.analyzer.clone()),
                data: rx,
                control: ctl_rx,
                pool: pool_tx.clone(),
                out: collect_tx.clone(),
                forward_events: cfg.events,
                counters: counters.clone(),
                datagrams: 0,
                latest: Timestamp::ZERO,
            };
            let handle = thread::Builder::new()
                .name(format!("rtpscope-worker-{shard}"))
                .spawn(move || worker.run())
                .map_err(PipelineError::Spawn)?;
            senders.push(tx);
            controls.push(ctl_tx);
            workers.push(handle);
        }
        drop(collect_tx);
        let setup = SourceSetup {
            detector: RtpDetector::new(cfg.detector.clone()),
            senders,
            pool: pool_rx,
            counters: counters.clone(),
            policy: cfg.policy,
            batch_size: cfg.batch_size,
            flush_every: cfg.flush_every,
            snapshot_every: cfg.snapshot_every,
            stop: stop.clone(),
        };
        let source = thread::Builder::new()
            .name("rtpscope-source".into())
            .spawn(move || source::run(source, setup))
            .map_err(PipelineError::Spawn)?;
        Ok((
            PipelineHandle::new(stop, controls, counters, source, workers, collector),
            event_rx,
        ))
    }
}
