//! The source thread: reads frames, decides which flows are RTP, learns payload types from
//! SIP, parses RTP headers in place and deals compact records out to the shards in batches.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use crossbeam_channel::{Receiver, Sender};
use rtpscope_capture::{HeldDatagram, RtpDetector, SipTracker, Verdict};
use rtpscope_core::clock::ClockRateSource;
use rtpscope_core::payload::Encoding;
use rtpscope_core::{PayloadInfo, RtpHeader};
use rtpscope_wire::{CompoundIter, Flow, Timestamp};

use crate::input::{FrameSource, Poll};
use crate::policy::{Delivery, Policy};
use crate::record::{Batch, Record, ToWorker};
use crate::report::{ShardCounters, SipHints, SourceCounters};
use crate::shard::{shard_of, ShardMap};
use crate::worker::Worker;

/// SDP endpoints re-examined after each SIP message, for re-INVITEs that change a mapping.
const SDP_RESCAN: usize = 64;
/// RTCP bytes are copied into chunks of this size, one allocation per chunk, not per packet.
const RTCP_ARENA: usize = 64 * 1024;

/// What the source thread hands back at the end.
#[derive(Debug)]
pub(crate) struct SourceResult {
    pub counters: SourceCounters,
    pub sip: SipHints,
}

impl SourceResult {
    /// One result from the sources' results. Sharded readers each read every frame, so the
    /// capture counters and SIP knowledge are the first one's; flows, and with them the
    /// detector's and the per-flow counts, are split between them, so those add up.
    pub(crate) fn combine(results: Vec<SourceResult>) -> Option<SourceResult> {
        let mut results = results.into_iter();
        let mut first = results.next()?;
        for r in results {
            let (a, b) = (&mut first.counters, r.counters);
            a.detector.add(&b.detector);
            a.unconfirmed_dropped += b.unconfirmed_dropped;
            a.sip_messages += b.sip_messages;
            a.other_udp += b.other_udp;
            a.cut_unanalysed += b.cut_unanalysed;
            a.stopped |= b.stopped;
            a.error = a.error.take().or(b.error);
        }
        Some(first)
    }
}

/// Where a shard's records go.
#[derive(Debug)]
pub(crate) enum Target {
    /// To a worker thread over its bounded channel (`spin`: before blocking on it).
    Channel { tx: Sender<ToWorker>, spin: bool },
    /// Straight into a worker that runs in this thread (sharded reading).
    Inline(Box<Worker>),
    /// Finished.
    Done,
}

impl Target {
    fn deliver(&mut self, policy: Policy, msg: ToWorker) -> Delivery<ToWorker> {
        match self {
            Target::Channel { tx, spin } => policy.deliver(tx, msg, *spin),
            Target::Inline(worker) => {
                worker.handle(msg);
                Delivery::Sent
            }
            Target::Done => Delivery::Gone(msg),
        }
    }
}

/// Settings the source needs.
#[derive(Debug)]
pub(crate) struct SourceSetup {
    pub detector: RtpDetector,
    pub targets: Vec<Target>,
    /// Which target owns a flow.
    pub map: ShardMap,
    /// The shard of the first target (non-zero when this thread reads for one shard).
    pub first_shard: usize,
    pub pool: Receiver<Vec<Record>>,
    pub counters: Arc<[ShardCounters]>,
    pub policy: Policy,
    pub batch_size: usize,
    pub flush_every: Duration,
    pub snapshot_every: Option<Duration>,
    pub stop: Arc<AtomicBool>,
}

/// One shard's outgoing side.
#[derive(Debug)]
struct Outbox {
    target: Target,
    records: Vec<Record>,
    /// Packets (not control records) in `records`.
    packets: u64,
}

#[derive(Debug)]
struct Dealer {
    detector: RtpDetector,
    sip: SipTracker,
    shards: Vec<Outbox>,
    map: ShardMap,
    first_shard: usize,
    pool: Receiver<Vec<Record>>,
    counters: Arc<[ShardCounters]>,
    policy: Policy,
    batch_size: usize,
    flush_every: Duration,
    snapshot_every: Option<Duration>,
    latest: Timestamp,
    next_flush: Option<Timestamp>,
    next_snapshot: Option<Timestamp>,
    /// The earlier of the two above (zero before the first frame): until then `tick` has
    /// nothing to do, which is what it finds for almost every frame.
    next_due: Timestamp,
    snapshot_seq: u64,
    arena: BytesMut,
    released: Vec<HeldDatagram>,
    learned: HashMap<(SocketAddr, u8), PayloadInfo>,
    media_seen: usize,
    out: SourceCounters,
}

/// Runs the source loop to the end of input, an error or a stop request, dealing every
/// frame's records to the workers.
pub(crate) fn run<S: FrameSource>(source: S, setup: SourceSetup) -> SourceResult {
    run_sharded(source, setup, 0, 1)
}

/// Frames between checks for snapshot requests to workers that run in the reader's thread.
const CONTROL_EVERY: u32 = 1024;
/// Most frames of other shards passed over in one go, between checks of the stop flag.
const PASS_RUN: u32 = 256;

/// Sharded reading (`shards` > 1): this thread reads the whole input itself but analyses only
/// the flows of shard `shard` of `shards` (its one target is that shard's worker, run
/// inline); with one shard it is the source thread of every worker. Every
/// shard reads the same frames, so each sees capture time advance exactly as a single source
/// would, and each sees every SIP message (SIP starts with a letter, RTP and RTCP never do),
/// so payload types and hints are learnt everywhere in capture order. Frames of other
/// shards are otherwise skipped after the decapsulation that finds their flow.
pub(crate) fn run_sharded<S: FrameSource>(
    mut source: S,
    setup: SourceSetup,
    shard: usize,
    shards: usize,
) -> SourceResult {
    let stop = setup.stop.clone();
    let mut d = Dealer::new(setup);
    let mut until_control = CONTROL_EVERY;
    loop {
        if stop.load(Relaxed) {
            d.out.stopped = true;
            break;
        }
        if until_control == 0 {
            until_control = CONTROL_EVERY;
            d.poll_controls();
        }
        // Whether the frame polled is known to be this shard's (its shard was worked out
        // while passing over the others').
        let mut owned = false;
        let polled = if shards > 1 {
            let (latest, due) = (&mut d.latest, d.next_due);
            source.poll_frame_passing(PASS_RUN, |ts, flow, payload| {
                pass_foreign(ts, flow, payload, due, (shard, shards), latest, &mut owned)
            })
        } else {
            source.poll_frame().map(|poll| (0, poll))
        };
        let polled = polled.map(|(passed, poll)| {
            until_control = until_control.saturating_sub(1 + passed);
            poll
        });
        match polled {
            Ok(Poll::Frame(f)) if owned || shard_of(&f.flow, shards) == shard => {
                d.frame(f.ts, f.flow, f.payload, f.length)
            }
            Ok(Poll::Frame(f)) => d.foreign(f.ts, f.flow, f.payload, f.is_cut()),
            Ok(Poll::Idle) => d.flush_all(false, d.policy),
            Ok(Poll::End) => break,
            Err(e) => {
                d.out.error = Some(e.to_string());
                break;
            }
        }
    }
    d.out.capture = source.drop_counters();
    d.finish()
}

/// Whether a sharded reader may pass over a frame without handing it out: another
/// shard's, and asking nothing of this one as `Dealer::foreign` would take it (not SIP,
/// which every shard learns from, and not when housekeeping is `due`), so all that is left
/// of it is its time, kept in `latest`. `owned`: declined as this shard's own.
#[inline(always)]
fn pass_foreign(
    ts: Timestamp,
    flow: &Flow,
    payload: &[u8],
    due: Timestamp,
    (shard, shards): (usize, usize),
    latest: &mut Timestamp,
    owned: &mut bool,
) -> bool {
    // `Dealer::foreign` would tick here (a capture whose time steps back can be due with
    // `latest`, not `ts`, when housekeeping is due at every frame).
    if ts.max(*latest) >= due {
        return false;
    }
    if shard_of(flow, shards) == shard {
        *owned = true;
        return false;
    }
    let pass = !payload.first().is_some_and(u8::is_ascii_alphabetic);
    if pass {
        *latest = (*latest).max(ts);
    }
    pass
}

impl Dealer {
    fn new(s: SourceSetup) -> Self {
        let batch_size = s.batch_size.max(1);
        let shards = s
            .targets
            .into_iter()
            .map(|target| Outbox {
                target,
                records: Vec::with_capacity(batch_size),
                packets: 0,
            })
            .collect();
        Dealer {
            detector: s.detector,
            sip: SipTracker::new(),
            shards,
            map: s.map,
            first_shard: s.first_shard,
            pool: s.pool,
            counters: s.counters,
            policy: s.policy,
            batch_size,
            flush_every: s.flush_every,
            snapshot_every: s.snapshot_every,
            latest: Timestamp::ZERO,
            next_flush: None,
            next_snapshot: None,
            next_due: Timestamp::ZERO,
            snapshot_seq: 0,
            arena: BytesMut::new(),
            released: Vec::new(),
            learned: HashMap::new(),
            media_seen: 0,
            out: SourceCounters::default(),
        }
    }

    /// A frame of this shard's flows; `length` is the UDP payload's length, longer than
    /// `payload` when the capture cut the frame short.
    #[inline(always)]
    fn frame(&mut self, ts: Timestamp, flow: Flow, payload: &[u8], length: usize) {
        self.latest = self.latest.max(ts);
        if payload.len() < length {
            self.cut(ts, flow, payload, length);
            self.tick();
            return;
        }
        match self.detector.observe(ts, flow, payload) {
            Verdict::Rtp => {
                self.release_held();
                self.rtp(ts, flow, payload, length);
            }
            Verdict::Rtcp => self.rtcp(ts, flow, payload),
            Verdict::Pending => {}
            Verdict::NotRtp => {
                if self.sip.observe(ts, flow, payload) {
                    self.out.sip_messages += 1;
                    self.learn_from_sdp();
                } else {
                    self.out.other_udp += 1;
                }
            }
        }
        self.tick();
    }

    /// Packets held while their flow was undecided, in arrival order: they go before the
    /// packet that confirmed it. Almost always there are none: one check in line.
    #[inline(always)]
    fn release_held(&mut self) {
        if self.detector.has_released() {
            self.release_held_now();
        }
    }

    #[inline(never)]
    fn release_held_now(&mut self) {
        self.released.extend(self.detector.drain_released());
        let held = std::mem::take(&mut self.released);
        for h in &held {
            self.rtp(h.ts, h.flow, &h.payload, h.length);
        }
        self.released = held;
        self.released.clear();
    }

    /// A datagram the capture cut short: an RTP header is analysed (the payload's length
    /// from the UDP header), RTCP up to its last whole packet; anything else cut short is
    /// counted and left.
    #[cold]
    #[inline(never)]
    fn cut(&mut self, ts: Timestamp, flow: Flow, captured: &[u8], length: usize) {
        match self.detector.observe_cut(ts, flow, captured, length) {
            Verdict::Rtp => {
                self.release_held();
                self.rtp(ts, flow, captured, length);
            }
            Verdict::Rtcp => match CompoundIter::readable(captured, length) {
                [] => self.out.cut_unanalysed += 1,
                whole => self.rtcp(ts, flow, whole),
            },
            Verdict::Pending => {}
            Verdict::NotRtp => self.out.cut_unanalysed += 1,
        }
    }

    /// A frame of a flow another shard owns: only its time and, if it is SIP, what it says.
    /// SIP cut short by the capture is left, as its owner leaves it (`cut`): every shard must
    /// learn the same.
    fn foreign(&mut self, ts: Timestamp, flow: Flow, payload: &[u8], cut: bool) {
        self.latest = self.latest.max(ts);
        let maybe_sip = !cut && payload.first().is_some_and(u8::is_ascii_alphabetic);
        if maybe_sip && self.sip.observe(ts, flow, payload) {
            // Learnt here too, but counted by the shard that owns the signalling flow.
            self.learn_from_sdp();
        }
        self.tick();
    }

    /// Answers snapshot requests of workers that run in this thread.
    fn poll_controls(&mut self) {
        for out in &mut self.shards {
            if let Target::Inline(worker) = &mut out.target {
                worker.poll_control();
            }
        }
    }

    /// An RTP packet of `length` bytes, of which `payload` was captured.
    #[inline(always)]
    fn rtp(&mut self, now: Timestamp, flow: Flow, payload: &[u8], length: usize) {
        let Ok(header) = RtpHeader::read(payload, length) else {
            // The detector validated it; count rather than trust.
            self.out.other_udp += 1;
            return;
        };
        self.push(self.map.of(&flow), Record::Rtp { now, flow, header });
    }

    fn rtcp(&mut self, now: Timestamp, flow: Flow, payload: &[u8]) {
        if self.arena.capacity() < payload.len() {
            self.arena.reserve(RTCP_ARENA.max(payload.len()));
        }
        self.arena.extend_from_slice(payload);
        let datagram = self.arena.split().freeze();
        self.push(self.map.of(&flow), Record::Rtcp { now, datagram });
    }

    #[inline(always)]
    fn push(&mut self, shard: usize, record: Record) {
        let Some(out) = self.shards.get_mut(shard) else {
            return;
        };
        out.records.push(record);
        out.packets += 1;
        if out.records.len() >= self.batch_size {
            self.send(shard, false, self.policy);
        }
    }

    /// Sends a shard's batch (`force`: even an empty one, to carry the time forward).
    fn send(&mut self, shard: usize, force: bool, policy: Policy) {
        let time = self.latest;
        let Some(out) = self.shards.get_mut(shard) else {
            return;
        };
        if out.records.is_empty() && !force {
            return;
        }
        let packets = std::mem::take(&mut out.packets);
        let records = std::mem::take(&mut out.records);
        let counters = self.counters.get(shard + self.first_shard);
        if let Some(c) = counters {
            c.dispatched.fetch_add(packets, Relaxed);
        }
        match out
            .target
            .deliver(policy, ToWorker::Batch(Batch { records, time }))
        {
            Delivery::Sent => {
                out.records = self
                    .pool
                    .try_recv()
                    .unwrap_or_else(|_| Vec::with_capacity(self.batch_size));
            }
            Delivery::Full(msg) | Delivery::Gone(msg) => {
                if let Some(c) = counters {
                    c.dropped.fetch_add(packets, Relaxed);
                }
                // Keep payload-type knowledge: only packets may be lost, and they are counted.
                if let ToWorker::Batch(mut b) = msg {
                    b.records.retain(|r| !r.is_packet());
                    out.records = b.records;
                }
            }
        }
    }

    fn flush_all(&mut self, force: bool, policy: Policy) {
        for shard in 0..self.shards.len() {
            self.send(shard, force, policy);
        }
    }

    /// Capture-time housekeeping: bounded batching delay, timers on idle shards, snapshots.
    #[inline(always)]
    fn tick(&mut self) {
        if self.latest >= self.next_due {
            self.tick_due();
        }
    }

    #[inline(never)]
    fn tick_due(&mut self) {
        let now = self.latest;
        let due = *self.next_flush.get_or_insert(now + self.flush_every);
        if now >= due {
            // Empty batches too: they carry the time to shards that had no packets.
            self.flush_all(true, self.policy);
            self.next_flush = Some(now + self.flush_every);
        }
        if let Some(every) = self.snapshot_every {
            let due = *self.next_snapshot.get_or_insert(now + every);
            if now >= due {
                self.flush_all(false, self.policy);
                let seq = self.snapshot_seq;
                self.snapshot_seq += 1;
                for out in &mut self.shards {
                    // A mark that does not fit is skipped like a batch; the collector copes.
                    let _ = out
                        .target
                        .deliver(self.policy, ToWorker::Snapshot { seq, time: now });
                }
                self.next_snapshot = Some(now + every);
            }
        }
        self.next_due = match (self.next_flush, self.next_snapshot) {
            (Some(f), Some(s)) => f.min(s),
            (Some(t), None) | (None, Some(t)) => t,
            (None, None) => now,
        };
    }

    /// Turns new or changed SDP payload mappings into `Learn` records for every shard.
    fn learn_from_sdp(&mut self) {
        let media = self.sip.media();
        let from = self.media_seen.min(media.len().saturating_sub(SDP_RESCAN));
        // What the rescanned entries say, the later entry winning: an ended call's SDP may
        // still be among them, and a later call may map the same endpoint and type otherwise.
        let mut said: Vec<(SocketAddr, Option<(u8, PayloadInfo)>)> = Vec::new();
        let mut at: HashMap<(SocketAddr, u8), usize> = HashMap::new();
        for m in media.get(from..).unwrap_or_default() {
            said.push((m.addr, None));
            for p in m.payloads.iter().filter(|p| p.clock_rate > 0) {
                let info = PayloadInfo {
                    encoding: Encoding::new(&p.encoding),
                    clock_rate: p.clock_rate,
                    source: ClockRateSource::Sdp,
                };
                let mapping = (m.addr, Some((p.payload_type, info)));
                match at.get(&(m.addr, p.payload_type)) {
                    Some(&i) => said[i] = mapping,
                    None => {
                        at.insert((m.addr, p.payload_type), said.len());
                        said.push(mapping);
                    }
                }
            }
        }
        let learnt: Vec<_> = said
            .into_iter()
            .filter(|(addr, mapping)| {
                mapping.is_none_or(|(pt, info)| self.learned.get(&(*addr, pt)) != Some(&info))
            })
            .collect();
        self.media_seen = media.len();
        for (endpoint, mapping) in learnt {
            match mapping {
                // The endpoint's flows skip detection: signalling already said they are RTP.
                None => {
                    self.detector.add_hint(endpoint);
                }
                Some((payload_type, info)) => {
                    self.learned.insert((endpoint, payload_type), info);
                    for out in &mut self.shards {
                        out.records.push(Record::Learn {
                            endpoint,
                            payload_type,
                            info,
                        });
                    }
                }
            }
        }
    }

    /// End of input: release what the detector still holds, flush everything (blocking: the
    /// source is done, so waiting costs nothing), and tell every worker to finish.
    fn finish(mut self) -> SourceResult {
        let end = self.detector.finish();
        self.out.unconfirmed_dropped = end.dropped_unconfirmed;
        for h in &end.released {
            self.rtp(h.ts, h.flow, &h.payload, h.length);
        }
        self.flush_all(false, Policy::Block);
        for out in &mut self.shards {
            match std::mem::replace(&mut out.target, Target::Done) {
                Target::Channel { tx, .. } => {
                    let _ = tx.send(ToWorker::Finish { time: self.latest });
                }
                Target::Inline(mut worker) => {
                    worker.handle(ToWorker::Finish { time: self.latest });
                    worker.finish();
                }
                Target::Done => {}
            }
        }
        self.out.detector = self.detector.stats();
        SourceResult {
            counters: self.out,
            sip: SipHints {
                calls: self.sip.calls().to_vec(),
                media: self.sip.media().to_vec(),
            },
        }
    }
}
