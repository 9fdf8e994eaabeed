//! Which UDP flows carry RTP, decided per flow from a few packets, in bounded memory.
//!
//! A flow (one direction of a 5-tuple) is confirmed as RTP after `confirm_packets` packets
//! that each parse as RTP version 2, keep one SSRC (up to four sources interleaved on one
//! flow are followed apart), advance the sequence number by a small
//! step, and advance the timestamp consistently with the arrival spacing at a plausible clock
//! rate (the payload type's static rate, else 8, 16, 32, 48 or 90 kHz). Duplicates and
//! slightly late packets neither confirm nor reset a candidate, so loss, reordering and
//! duplication do not delay detection. DNS, QUIC, syslog, WireGuard and random payloads fail
//! the first-byte test or never repeat an SSRC with a small sequence step; the measured rates
//! are printed by the `detector_rates` test.
//!
//! Until a flow is confirmed its RTP-looking packets are *held* (copied, within per-flow and
//! total byte bounds) and [`Verdict::Pending`] is returned; when the flow is confirmed they are
//! released, in arrival order, through [`RtpDetector::drain_released`] before the confirming
//! packet is reported as [`Verdict::Rtp`]. So no packet of a real stream is lost to detection.
//!
//! RTCP is recognised per packet: [`classify`] says RTCP and the whole datagram validates as a
//! compound packet. Ports in `forced_ports`, and endpoints given by [`RtpDetector::add_hint`]
//! (e.g. from SDP), skip the heuristic.
//!
//! ```
//! use rtpscope_capture::{DetectorConfig, RtpDetector, Verdict};
//! use rtpscope_wire::{rtp::RtpRepr, Flow, Timestamp};
//!
//! let flow = Flow::new("10.0.0.1:4000".parse().unwrap(), "10.0.0.2:5004".parse().unwrap());
//! let mut det = RtpDetector::new(DetectorConfig::default());
//! let mut buf = [0u8; 172];
//! let mut verdicts = Vec::new();
//! for i in 0..4u16 {
//!     let repr = RtpRepr { sequence_number: 100 + i, timestamp: 160 * u32::from(i), ssrc: 7,
//!                          payload: &[0xff; 160], ..RtpRepr::default() };
//!     let n = repr.emit(&mut buf).unwrap();
//!     verdicts.push(det.observe(Timestamp::from_millis(20 * u64::from(i)), flow, &buf[..n]));
//! }
//! assert_eq!(verdicts, [Verdict::Pending, Verdict::Pending, Verdict::Rtp, Verdict::Rtp]);
//! assert_eq!(det.drain_released().count(), 2); // the two held packets, first seen first
//! ```

use std::collections::VecDeque;

// A fast hash: the flow table is consulted for every datagram. foldhash seeds per process,
// so crafted flows cannot aim at one bucket, and the table is bounded anyway.
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::net::SocketAddr;
use std::ops::RangeInclusive;

use rtpscope_wire::rtcp::CompoundIter;
use rtpscope_wire::rtp::RtpPacket;
use rtpscope_wire::{classify, Flow, PacketKind, Timestamp};

use crate::sdp::static_payload;

/// Tuning and bounds of an [`RtpDetector`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetectorConfig {
    /// UDP ports (source or destination) whose RTP-looking packets are RTP without detection.
    pub forced_ports: Vec<RangeInclusive<u16>>,
    /// Consistent packets that confirm a flow (default 3).
    pub confirm_packets: usize,
    /// Flows tracked at once; past it the least recently seen of a sample is evicted.
    pub max_flows: usize,
    /// Packets held per undecided flow.
    pub max_held_packets_per_flow: usize,
    /// Payload bytes held per undecided flow.
    pub max_held_bytes_per_flow: usize,
    /// Payload bytes held over all flows.
    pub max_held_bytes_total: usize,
    /// RTP-looking packets after which an unconfirmed flow is rejected.
    pub give_up_after: usize,
    /// Largest forward sequence step (loss burst) that continues a candidate.
    pub max_seq_gap: u16,
    /// At [`RtpDetector::finish`], held packets of a flow are released if its current
    /// candidate run reached this many consistent packets; else they are dropped.
    pub release_at_finish_min_run: usize,
}

impl Default for DetectorConfig {
    fn default() -> Self {
        DetectorConfig {
            forced_ports: Vec::new(),
            confirm_packets: 3,
            max_flows: 16_384,
            max_held_packets_per_flow: 16,
            max_held_bytes_per_flow: 24 * 1024,
            max_held_bytes_total: 8 * 1024 * 1024,
            give_up_after: 24,
            max_seq_gap: 128,
            release_at_finish_min_run: 2,
        }
    }
}

/// What the detector made of one datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// RTP on a confirmed (or forced) flow.
    Rtp,
    /// A valid RTCP compound packet (of a cut one: its whole packets are valid).
    Rtcp,
    /// Looks like RTP; held until its flow is decided.
    Pending,
    /// Not RTP (or dropped because the held-packet bounds were reached).
    NotRtp,
}

/// A datagram held while its flow was undecided, handed back when it was confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldDatagram {
    /// Arrival time.
    pub ts: Timestamp,
    /// The flow.
    pub flow: Flow,
    /// A copy of the UDP payload, as captured (cut short when `length` is longer).
    pub payload: Vec<u8>,
    /// The UDP payload's length as its header gave it.
    pub length: usize,
    /// Arrival order among all datagrams given to the detector (0-based).
    pub arrival: u64,
}

/// Counters of an [`RtpDetector`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DetectorStats {
    /// Flows currently tracked.
    pub flows_tracked: u64,
    /// Flows confirmed as RTP so far.
    pub flows_confirmed: u64,
    /// Flows rejected so far.
    pub flows_rejected: u64,
    /// Flows evicted for the `max_flows` bound.
    pub flows_evicted: u64,
    /// Packets held now.
    pub held_packets: u64,
    /// Payload bytes held now.
    pub held_bytes: u64,
    /// RTP-looking packets not held because a bound was reached (reported NotRtp).
    pub held_overflow: u64,
    /// Held packets discarded because their flow was rejected or evicted.
    pub held_discarded: u64,
    /// Datagrams reported Rtp (not counting released ones).
    pub rtp: u64,
    /// Datagrams released from holding.
    pub released: u64,
    /// Datagrams reported Rtcp.
    pub rtcp: u64,
}

impl DetectorStats {
    /// Adds the counts of a detector that saw other flows (one per shard).
    pub fn add(&mut self, other: &DetectorStats) {
        self.flows_tracked += other.flows_tracked;
        self.flows_confirmed += other.flows_confirmed;
        self.flows_rejected += other.flows_rejected;
        self.flows_evicted += other.flows_evicted;
        self.held_packets += other.held_packets;
        self.held_bytes += other.held_bytes;
        self.held_overflow += other.held_overflow;
        self.held_discarded += other.held_discarded;
        self.rtp += other.rtp;
        self.released += other.released;
        self.rtcp += other.rtcp;
    }
}

/// What [`RtpDetector::finish`] did with flows still undecided at the end of input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FinishReport {
    /// Held packets released because their flow looked like RTP by the weaker end-of-input
    /// rule (`release_at_finish_min_run` consistent packets), in arrival order.
    pub released: Vec<HeldDatagram>,
    /// Held packets dropped because their flow never looked like RTP.
    pub dropped_unconfirmed: u64,
    /// Flows that were still undecided.
    pub undecided_flows: u64,
}

#[derive(Debug, Clone, Copy)]
struct Candidate {
    ssrc: u32,
    seq: u16,
    ts: u32,
    arrival: Timestamp,
    payload_type: u8,
    run: usize,
}

#[derive(Debug)]
enum State {
    /// Boxed: only a flow still being decided needs it, and keeping it out of the table
    /// leaves a confirmed flow's entry a few words (one cache line with its key).
    Undecided(Box<Undecided>),
    Rtp,
    Rejected,
}

/// SSRCs followed at once on an undecided flow: two sources may share one 5-tuple (a
/// mixer's or a forking proxy's), their packets interleaved.
const SSRCS_PER_FLOW: usize = 4;

#[derive(Debug, Default)]
struct Undecided {
    /// One candidate per SSRC seen lately.
    cands: [Option<Candidate>; SSRCS_PER_FLOW],
    held: Vec<HeldDatagram>,
    held_bytes: usize,
    looked_like_rtp: usize,
}

#[derive(Debug)]
struct FlowEntry {
    state: State,
    last_seen: Timestamp,
}

impl FlowEntry {
    fn held(&self) -> usize {
        match &self.state {
            State::Undecided(u) => u.held.len(),
            _ => 0,
        }
    }

    fn held_bytes(&self) -> usize {
        match &self.state {
            State::Undecided(u) => u.held_bytes,
            _ => 0,
        }
    }
}

/// Per-flow RTP detection with bounded memory. See the module documentation.
#[derive(Debug)]
pub struct RtpDetector {
    config: DetectorConfig,
    /// Keyed by the packed flow: consulted for every datagram.
    flows: HashMap<Flow, FlowEntry>,
    hints: HashSet<SocketAddr>,
    released: VecDeque<HeldDatagram>,
    held_total: usize,
    arrivals: u64,
    stats: DetectorStats,
}

/// Endpoints remembered from hints at most.
const MAX_HINTS: usize = 4096;
/// Flows looked at to choose one to evict.
const EVICTION_SAMPLE: usize = 32;

impl RtpDetector {
    /// A detector with `config`.
    pub fn new(config: DetectorConfig) -> Self {
        RtpDetector {
            config,
            flows: HashMap::new(),
            hints: HashSet::new(),
            released: VecDeque::new(),
            held_total: 0,
            arrivals: 0,
            stats: DetectorStats::default(),
        }
    }

    /// Treats RTP-looking packets to or from `endpoint` as RTP at once (e.g. an SDP `m=` line).
    /// Returns false when the hint table is full.
    pub fn add_hint(&mut self, endpoint: SocketAddr) -> bool {
        if self.hints.len() >= MAX_HINTS && !self.hints.contains(&endpoint) {
            return false;
        }
        self.hints.insert(endpoint);
        true
    }

    /// Decides about one datagram. After [`Verdict::Rtp`], call [`Self::drain_released`]:
    /// held packets of the flow, if any, come before this one.
    #[inline]
    pub fn observe(&mut self, ts: Timestamp, flow: Flow, payload: &[u8]) -> Verdict {
        self.observe_datagram(ts, flow, payload, payload.len())
    }

    /// [`Self::observe`] for a datagram the capture cut short (a short snap length): `captured`
    /// is what was kept of its `length` bytes. Its RTP header is read without the padding
    /// count (the packet's last byte, not kept); RTCP is [`Verdict::Rtcp`] when the packets it
    /// kept whole ([`CompoundIter::whole_packets`]) are valid, [`Verdict::NotRtp`] when even
    /// the first is cut.
    pub fn observe_cut(
        &mut self,
        ts: Timestamp,
        flow: Flow,
        captured: &[u8],
        length: usize,
    ) -> Verdict {
        self.observe_datagram(ts, flow, captured, length.max(captured.len()))
    }

    /// The packet of a confirmed RTP flow, nearly every datagram, decided in line; the rest
    /// out of line.
    #[inline(always)]
    fn observe_datagram(
        &mut self,
        ts: Timestamp,
        flow: Flow,
        payload: &[u8],
        length: usize,
    ) -> Verdict {
        if classify(payload) == PacketKind::Rtp
            && RtpPacket::new_checked_captured(payload, length).is_ok()
        {
            if let Some(entry) = self.flows.get_mut(&flow) {
                if matches!(entry.state, State::Rtp) {
                    entry.last_seen = ts;
                    self.arrivals += 1;
                    self.stats.rtp += 1;
                    return Verdict::Rtp;
                }
            }
        }
        self.observe_rest(ts, flow, payload, length)
    }

    #[inline(never)]
    fn observe_rest(
        &mut self,
        ts: Timestamp,
        flow: Flow,
        payload: &[u8],
        length: usize,
    ) -> Verdict {
        let arrival = self.arrivals;
        self.arrivals += 1;
        match classify(payload) {
            PacketKind::Rtcp => {
                // Cut by the capture: what it kept whole must be valid RTCP.
                let whole = CompoundIter::readable(payload, length);
                return if !whole.is_empty() && CompoundIter::validate(whole).is_ok() {
                    self.stats.rtcp += 1;
                    Verdict::Rtcp
                } else {
                    Verdict::NotRtp
                };
            }
            PacketKind::Rtp => {}
            _ => return Verdict::NotRtp,
        }
        let Ok(packet) = RtpPacket::new_checked_captured(payload, length) else {
            return Verdict::NotRtp;
        };
        // A confirmed flow's packets were decided in line (`observe_datagram`).
        let key = flow;
        if self.is_forced(&flow) {
            self.stats.rtp += 1;
            return Verdict::Rtp;
        }
        if !self.flows.contains_key(&key) {
            if self.flows.len() >= self.config.max_flows.max(1) {
                self.evict_one();
            }
            self.flows.insert(
                key,
                FlowEntry {
                    state: State::Undecided(Box::default()),
                    last_seen: ts,
                },
            );
        }
        let Some(entry) = self.flows.get_mut(&key) else {
            return Verdict::NotRtp;
        };
        entry.last_seen = ts;
        let u = match &mut entry.state {
            State::Rtp => {
                self.stats.rtp += 1;
                return Verdict::Rtp;
            }
            State::Rejected => return Verdict::NotRtp,
            State::Undecided(u) => u,
        };
        let run = advance(&mut u.cands, &packet, ts, self.config.max_seq_gap);
        if run >= self.config.confirm_packets.max(1) {
            self.held_total -= u.held_bytes;
            self.stats.released += u.held.len() as u64;
            self.released.extend(u.held.drain(..));
            entry.state = State::Rtp;
            self.stats.flows_confirmed += 1;
            self.stats.rtp += 1;
            return Verdict::Rtp;
        }
        u.looked_like_rtp += 1;
        if u.looked_like_rtp >= self.config.give_up_after {
            self.held_total -= u.held_bytes;
            self.stats.held_discarded += u.held.len() as u64;
            entry.state = State::Rejected;
            self.stats.flows_rejected += 1;
            return Verdict::NotRtp;
        }
        let len = payload.len();
        if u.held.len() >= self.config.max_held_packets_per_flow
            || u.held_bytes + len > self.config.max_held_bytes_per_flow
            || self.held_total + len > self.config.max_held_bytes_total
        {
            self.stats.held_overflow += 1;
            return Verdict::NotRtp;
        }
        u.held.push(HeldDatagram {
            ts,
            flow,
            payload: payload.to_vec(),
            length,
            arrival,
        });
        u.held_bytes += len;
        self.held_total += len;
        Verdict::Pending
    }

    /// Held packets released by the last confirmation, oldest first.
    pub fn drain_released(&mut self) -> impl Iterator<Item = HeldDatagram> + '_ {
        self.released.drain(..)
    }

    /// Whether released packets wait in [`Self::drain_released`] (a cheap check for callers
    /// that would otherwise drain an empty queue after every verdict).
    #[inline]
    pub fn has_released(&self) -> bool {
        !self.released.is_empty()
    }

    /// Ends the input. Undecided flows whose current candidate has at least
    /// `release_at_finish_min_run` consistent packets are taken for short RTP streams and
    /// their held packets are returned; the others' held packets are counted as dropped.
    /// The detector can be used again afterwards; nothing stays held.
    pub fn finish(&mut self) -> FinishReport {
        let mut report = FinishReport {
            released: self.released.drain(..).collect(),
            ..FinishReport::default()
        };
        for entry in self.flows.values_mut() {
            let State::Undecided(u) = &mut entry.state else {
                continue;
            };
            report.undecided_flows += 1;
            let run = u.cands.iter().flatten().map(|c| c.run).max().unwrap_or(0);
            let held = std::mem::take(&mut u.held);
            if run >= self.config.release_at_finish_min_run.max(1) {
                self.stats.released += held.len() as u64;
                report.released.extend(held);
            } else {
                report.dropped_unconfirmed += held.len() as u64;
            }
            u.held_bytes = 0;
        }
        self.held_total = 0;
        report.released.sort_by_key(|h| h.arrival);
        report
    }

    /// Current counters.
    pub fn stats(&self) -> DetectorStats {
        let held_packets = self.flows.values().map(|e| e.held() as u64).sum();
        DetectorStats {
            flows_tracked: self.flows.len() as u64,
            held_packets,
            held_bytes: self.held_total as u64,
            ..self.stats.clone()
        }
    }

    /// Whether `flow` is currently confirmed as RTP.
    pub fn is_confirmed(&self, flow: &Flow) -> bool {
        matches!(
            self.flows.get(flow),
            Some(FlowEntry {
                state: State::Rtp,
                ..
            })
        )
    }

    fn is_forced(&self, flow: &Flow) -> bool {
        let port_forced = |p: u16| self.config.forced_ports.iter().any(|r| r.contains(&p));
        port_forced(flow.src_port())
            || port_forced(flow.dst_port())
            || (!self.hints.is_empty()
                && (self.hints.contains(&flow.dst()) || self.hints.contains(&flow.src())))
    }

    fn evict_one(&mut self) {
        let victim = self
            .flows
            .iter()
            .take(EVICTION_SAMPLE)
            .min_by_key(|(_, e)| e.last_seen)
            .map(|(f, _)| *f);
        if let Some(entry) = victim.and_then(|f| self.flows.remove(&f)) {
            self.held_total -= entry.held_bytes();
            self.stats.held_discarded += entry.held() as u64;
            self.stats.flows_evicted += 1;
        }
    }
}

/// Feeds one packet to its SSRC's candidate on the flow (a new SSRC takes a free slot, or
/// the one heard from longest ago); returns that candidate's run of consistent packets.
fn advance(
    cands: &mut [Option<Candidate>; SSRCS_PER_FLOW],
    p: &RtpPacket<&[u8]>,
    now: Timestamp,
    max_gap: u16,
) -> usize {
    let ssrc = p.ssrc();
    let slot = cands
        .iter()
        .position(|c| c.is_some_and(|c| c.ssrc == ssrc))
        .or_else(|| cands.iter().position(Option::is_none))
        .or_else(|| {
            (0..SSRCS_PER_FLOW).min_by_key(|&i| cands[i].map_or(Timestamp::ZERO, |c| c.arrival))
        });
    match slot.and_then(|i| cands.get_mut(i)) {
        Some(cand) => advance_one(cand, p, now, max_gap),
        None => 0,
    }
}

/// Feeds one packet to a candidate; returns its run of consistent packets.
fn advance_one(
    cand: &mut Option<Candidate>,
    p: &RtpPacket<&[u8]>,
    now: Timestamp,
    max_gap: u16,
) -> usize {
    let fresh = Candidate {
        ssrc: p.ssrc(),
        seq: p.sequence_number(),
        ts: p.timestamp(),
        arrival: now,
        payload_type: p.payload_type(),
        run: 1,
    };
    let Some(c) = cand else {
        *cand = Some(fresh);
        return 1;
    };
    if c.ssrc != fresh.ssrc {
        *c = fresh;
        return 1;
    }
    let step = fresh.seq.wrapping_sub(c.seq) as i16;
    if step == 0 || (step < 0 && step.unsigned_abs() <= max_gap) {
        // A duplicate or a late packet: consistent with RTP, but no progress.
        return c.run;
    }
    let dts = fresh.ts.wrapping_sub(c.ts) as i32;
    let elapsed = now.as_nanos().saturating_sub(c.arrival.as_nanos());
    if step > 0
        && step.unsigned_abs() <= max_gap
        && timing_plausible(dts, step.unsigned_abs(), elapsed, fresh.payload_type)
    {
        *c = Candidate {
            run: c.run + 1,
            ..fresh
        };
    } else {
        *c = fresh;
    }
    c.run
}

/// Whether a timestamp advance of `dts` over `steps` packets fits `elapsed_ns` of arrival
/// time at the payload type's clock rate (or any usual one for dynamic types).
fn timing_plausible(dts: i32, steps: u16, elapsed_ns: u64, payload_type: u8) -> bool {
    if dts < 0 {
        return false;
    }
    if dts == 0 {
        // Several packets of one video frame share a timestamp.
        return true;
    }
    const RATES: [u32; 5] = [8_000, 16_000, 32_000, 48_000, 90_000];
    let elapsed = elapsed_ns as f64 / 1e9;
    // Network jitter, reordering and capture buffering shift arrivals against media time.
    let slack = 0.5 + 0.02 * f64::from(steps);
    let fits = |rate: u32| (f64::from(dts) / f64::from(rate) - elapsed).abs() <= slack;
    match static_payload(payload_type) {
        Some(p) => fits(p.clock_rate),
        None => RATES.into_iter().any(fits),
    }
}
