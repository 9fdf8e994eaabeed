//! The sans-IO analyzer: datagrams and time in, events and reports out.

use std::collections::VecDeque;

use foldhash::{HashMap, HashMapExt};
use std::net::SocketAddr;

use rtpscope_wire::{classify, CompoundIter, Flow, PacketKind, RtcpError, RtpError, Timestamp};

use crate::config::AnalyzerConfig;
use crate::diagnosis::Monitor;
use crate::event::{Anomaly, Event};
use crate::payload::{PayloadInfo, RtpHeader};
use crate::report::{sort_reports, EndReason, RtcpReport, StreamKey, StreamReport};
use crate::rtcp::RtcpBook;
use crate::seq::SeqOutcome;
use crate::stream::{PacketEffects, Resolve, Stream};
use crate::table::StreamTable;

/// Why a datagram was not analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatagramError {
    /// Not RTP or RTCP (by RFC 7983 demultiplexing).
    NotRtp(PacketKind),
    /// Looked like RTP but is malformed.
    Rtp(RtpError),
    /// Looked like RTCP but is malformed.
    Rtcp(RtcpError),
}

impl core::fmt::Display for DatagramError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            DatagramError::NotRtp(kind) => write!(f, "not RTP/RTCP ({})", kind.as_str()),
            DatagramError::Rtp(e) => e.fmt(f),
            DatagramError::Rtcp(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for DatagramError {}

/// Counts of everything handled and everything not analysed, by reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Counters {
    /// Datagrams handed in.
    pub datagrams: u64,
    /// RTP packets analysed.
    pub rtp_packets: u64,
    /// RTCP compound packets analysed.
    pub rtcp_packets: u64,
    /// Datagrams that were neither RTP nor RTCP.
    pub not_rtp: u64,
    /// Malformed RTP packets.
    pub rtp_malformed: u64,
    /// Malformed RTCP compound packets.
    pub rtcp_malformed: u64,
    /// Streams started.
    pub streams_started: u64,
    /// Streams evicted because the table was full.
    pub streams_evicted: u64,
    /// Ended-stream reports not kept (beyond `max_ended_streams`).
    pub ended_reports_dropped: u64,
    /// Events dropped because the queue was full.
    pub events_dropped: u64,
    /// RTCP entries not kept (bound reached).
    pub rtcp_entries_dropped: u64,
    /// Round-trip samples discarded as negative (clock steps, mismatched LSR).
    pub rtt_negative: u64,
}

/// Payload-type knowledge: caller configuration, then SDP per endpoint, then RFC 3551.
#[derive(Debug, Default)]
struct PayloadMap {
    config: Vec<(u8, PayloadInfo)>,
    sdp: HashMap<SocketAddr, Vec<(u8, PayloadInfo)>>,
}

impl Resolve for PayloadMap {
    fn resolve(&self, key: &StreamKey, pt: u8) -> Option<PayloadInfo> {
        let find =
            |list: &[(u8, PayloadInfo)]| list.iter().find(|(p, _)| *p == pt).map(|(_, i)| *i);
        find(&self.config)
            .or_else(|| self.sdp.get(&key.flow.dst()).and_then(|l| find(l)))
            .or_else(|| self.sdp.get(&key.flow.src()).and_then(|l| find(l)))
            .or_else(|| PayloadInfo::from_static(pt))
    }
}

/// Most SDP endpoints remembered.
const MAX_SDP_ENDPOINTS: usize = 65_536;

/// Analyses RTP and RTCP for any number of streams. Time is an input: nothing here reads a
/// clock, spawns a thread or does I/O.
///
/// ```
/// use rtpscope_core::{Analyzer, AnalyzerConfig, Event};
/// use rtpscope_wire::{rtp::RtpRepr, Flow, Timestamp};
///
/// let flow = Flow::new("10.0.0.1:4000".parse().unwrap(), "10.0.0.2:5004".parse().unwrap());
/// let mut analyzer = Analyzer::new(AnalyzerConfig::default());
/// let mut buf = [0u8; 172];
/// for i in 0..50u16 {
///     let repr = RtpRepr { sequence_number: i, timestamp: 160 * u32::from(i), ssrc: 7,
///                          payload: &[0x55; 160], ..RtpRepr::default() };
///     let n = repr.emit(&mut buf).unwrap();
///     let now = Timestamp::from_millis(20 * u64::from(i));
///     analyzer.handle_datagram(now, flow, &buf[..n]).unwrap();
/// }
/// let report = analyzer.report();
/// assert_eq!(report.streams[0].packets, 50);
/// assert_eq!(report.streams[0].lost, 0);
/// assert!(matches!(analyzer.poll_event(), Some(Event::StreamStarted { .. })));
/// ```
#[derive(Debug)]
pub struct Analyzer {
    config: AnalyzerConfig,
    /// Looked up by flow and SSRC for every packet.
    streams: StreamTable,
    flow_ssrc: HashMap<Flow, u32>,
    payloads: PayloadMap,
    rtcp: RtcpBook,
    ended: Vec<StreamReport>,
    events: VecDeque<Event>,
    next_id: u64,
    next_interval: Option<Timestamp>,
    next_idle_check: Option<Timestamp>,
    last_now: Timestamp,
    /// `config.idle_timeout` in ns, for the per-packet expiry check.
    idle_ns: u64,
    /// `config.jitter_buffer` in ns, which packets are counted late against.
    late_buffer_ns: f64,
    /// The earliest timer, in ns (`u64::MAX`: none), so packets check one number.
    next_deadline_ns: u64,
    counters: Counters,
    /// Live symptoms from interval reports (diagnosis).
    monitor: Monitor,
    /// The streams in key order while intervals close, kept between intervals so closing
    /// them allocates nothing (at most one entry per live stream).
    interval_order: Vec<(StreamKey, u32)>,
}

/// Everything the analyzer knows, as one snapshot.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AnalysisReport {
    /// Every stream, live and ended, ordered by first arrival then key.
    pub streams: Vec<StreamReport>,
    /// RTCP-derived round trips, remote views and sender facts.
    pub rtcp: RtcpReport,
    /// Counters.
    pub counters: Counters,
}

impl Analyzer {
    /// A new analyzer.
    pub fn new(config: AnalyzerConfig) -> Self {
        let config_idle = config.idle_timeout;
        let config_jitter_buffer = config.jitter_buffer;
        let payloads = PayloadMap {
            config: config.payload_types.clone(),
            sdp: HashMap::new(),
        };
        let rtcp = RtcpBook::new(config.max_streams);
        let monitor = Monitor::new(config.thresholds.clone(), config.max_streams);
        Analyzer {
            config,
            streams: StreamTable::new(),
            flow_ssrc: HashMap::new(),
            payloads,
            rtcp,
            ended: Vec::new(),
            events: VecDeque::new(),
            next_id: 0,
            next_interval: None,
            next_idle_check: None,
            last_now: Timestamp::ZERO,
            idle_ns: u64::try_from(config_idle.as_nanos()).unwrap_or(u64::MAX),
            late_buffer_ns: config_jitter_buffer.as_nanos() as f64,
            next_deadline_ns: 0,
            interval_order: Vec::new(),
            counters: Counters::default(),
            monitor,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &AnalyzerConfig {
        &self.config
    }

    /// Tells the analyzer what a payload type means for media sent to or from `endpoint`
    /// (learned from SDP). Streams waiting for a clock rate pick it up at once.
    pub fn learn_payload_type(
        &mut self,
        endpoint: SocketAddr,
        payload_type: u8,
        info: PayloadInfo,
    ) {
        if !self.payloads.sdp.contains_key(&endpoint)
            && self.payloads.sdp.len() >= MAX_SDP_ENDPOINTS
        {
            return;
        }
        let list = self.payloads.sdp.entry(endpoint).or_default();
        match list.iter_mut().find(|(p, _)| *p == payload_type) {
            Some(slot) => slot.1 = info,
            None => list.push((payload_type, info)),
        }
        for key in self.streams.rateless_keys_on(endpoint) {
            let Some((stream, cold)) = self.streams.get_mut(&key) else {
                continue;
            };
            if cold.first_payload_type() == payload_type && stream.needs_rate() {
                stream.learn_rate(cold, info);
            }
            if !stream.needs_rate() {
                self.streams.learnt_rate(&key);
            }
        }
    }

    /// Handles one UDP payload that arrived at `now` on `flow`: RTP or RTCP, told apart by
    /// RFC 5761/7983 demultiplexing. Anything else is counted and returned as an error.
    pub fn handle_datagram(
        &mut self,
        now: Timestamp,
        flow: Flow,
        payload: &[u8],
    ) -> Result<PacketKind, DatagramError> {
        self.handle_cut_datagram(now, flow, payload, payload.len())
    }

    /// [`Self::handle_datagram`] for a datagram the capture cut short (a short snap length,
    /// as probes that keep no audio use): `captured` is what was kept of its `length` bytes
    /// (the UDP header's). RTP is analysed from its header, its payload's length taken from
    /// `length` and its content unknown (tshark does the same); RTCP up to its last whole
    /// packet (counted as malformed when even the first is cut). A datagram kept whole
    /// (`length` no more than `captured`) is handled as [`Self::handle_datagram`] does.
    ///
    /// ```
    /// use rtpscope_core::{Analyzer, AnalyzerConfig};
    /// use rtpscope_wire::{Flow, PacketKind, Timestamp};
    ///
    /// let flow = Flow::new("10.0.0.1:4000".parse().unwrap(), "10.0.0.2:5004".parse().unwrap());
    /// let mut analyzer = Analyzer::new(AnalyzerConfig::default());
    /// for i in 0..50u16 {
    ///     // 172 bytes of PCMU on the wire; the capture kept the 12-byte header and 4 more.
    ///     let [s0, s1] = i.to_be_bytes();
    ///     let [t0, t1, t2, t3] = (160 * u32::from(i)).to_be_bytes();
    ///     let cut = [0x80, 0, s0, s1, t0, t1, t2, t3, 0, 0, 0, 7, 0xff, 0xff, 0xff, 0xff];
    ///     let now = Timestamp::from_millis(20 * u64::from(i));
    ///     assert_eq!(analyzer.handle_cut_datagram(now, flow, &cut, 172), Ok(PacketKind::Rtp));
    /// }
    /// let report = analyzer.report();
    /// assert_eq!((report.streams[0].packets, report.streams[0].lost), (50, 0));
    /// ```
    pub fn handle_cut_datagram(
        &mut self,
        now: Timestamp,
        flow: Flow,
        captured: &[u8],
        length: usize,
    ) -> Result<PacketKind, DatagramError> {
        self.counters.datagrams += 1;
        match classify(captured) {
            PacketKind::Rtp => {
                let header = RtpHeader::read(captured, length).map_err(|e| {
                    self.counters.rtp_malformed += 1;
                    DatagramError::Rtp(e)
                })?;
                self.handle_rtp(now, flow, &header);
                Ok(PacketKind::Rtp)
            }
            PacketKind::Rtcp => {
                // A compound the capture cut short is analysed up to its last whole packet
                // (an SR or RR and its report blocks usually fit; the SDES after them not).
                let whole = CompoundIter::readable(captured, length);
                if whole.is_empty() {
                    self.counters.rtcp_malformed += 1;
                    return Err(DatagramError::Rtcp(RtcpError::Truncated {
                        what: "compound cut by the capture with no whole RTCP packet readable",
                        offset: 0,
                        needed: length,
                        available: captured.len(),
                    }));
                }
                self.handle_rtcp(now, whole)?;
                Ok(PacketKind::Rtcp)
            }
            other => {
                self.counters.not_rtp += 1;
                Err(DatagramError::NotRtp(other))
            }
        }
    }

    /// Loads the state of the streams `(flow, ssrc)` of upcoming packets into cache, and does
    /// nothing else: results never depend on it. Among many streams each packet's state is a
    /// cache miss; warming a batch (say 16 to 64 packets) before handling it lets the misses
    /// overlap instead of each packet waiting for its own. Below 2048 live streams the state
    /// stays in cache and this returns at once.
    ///
    /// ```
    /// use rtpscope_core::{Analyzer, AnalyzerConfig, Flow, RtpHeader, Timestamp};
    ///
    /// fn handle_batch(analyzer: &mut Analyzer, batch: &[(Timestamp, Flow, RtpHeader)]) {
    ///     analyzer.warm(batch.iter().map(|(_, flow, h)| (*flow, h.ssrc)));
    ///     for (now, flow, header) in batch {
    ///         analyzer.handle_rtp(*now, *flow, header);
    ///     }
    /// }
    /// # handle_batch(&mut Analyzer::new(AnalyzerConfig::default()), &[]);
    /// ```
    pub fn warm(&self, streams: impl IntoIterator<Item = (Flow, u32)>) {
        self.streams.warm(
            streams
                .into_iter()
                .map(|(flow, ssrc)| StreamKey { flow, ssrc }),
        );
    }

    /// Handles one RTP packet already parsed (e.g. by a pipeline or a phone's own stack).
    pub fn handle_rtp(&mut self, now: Timestamp, flow: Flow, header: &RtpHeader) {
        self.advance(now);
        self.counters.rtp_packets += 1;
        let key = StreamKey {
            flow,
            ssrc: header.ssrc,
        };
        let idle_ns = self.idle_ns;
        if let Some((stream, cold)) = self.streams.get_mut(&key) {
            // Expiry is decided per packet too, so the outcome does not depend on when the
            // periodic sweep happened to run (and so not on how streams are sharded).
            if now
                .as_nanos()
                .saturating_sub(stream.last_arrival.as_nanos())
                >= idle_ns
            {
                self.end_stream(&key, EndReason::Idle);
                self.start_stream(now, key, header);
                return;
            }
            let before = stream.max_sequence_number();
            let effects = stream.update(cold, now, header, &self.payloads, self.late_buffer_ns);
            if effects.is_quiet() {
                return;
            }
            let id = cold.id;
            self.packet_events(id, key, now, before, header, effects);
            return;
        }
        self.start_stream(now, key, header);
    }

    /// The anomaly events of one packet (rare: kept off the packet path).
    #[cold]
    fn packet_events(
        &mut self,
        id: u64,
        key: StreamKey,
        now: Timestamp,
        before: u16,
        header: &RtpHeader,
        effects: PacketEffects,
    ) {
        match effects.outcome {
            SeqOutcome::Restart => self.push_event(Event::Anomaly {
                id,
                key,
                at: now,
                anomaly: Anomaly::SequenceRestart,
            }),
            SeqOutcome::Jump => self.push_event(Event::Anomaly {
                id,
                key,
                at: now,
                anomaly: Anomaly::SequenceJump {
                    from: before,
                    to: header.sequence_number,
                },
            }),
            _ => {}
        }
        if let Some((from, to)) = effects.payload_type_changed {
            self.push_event(Event::Anomaly {
                id,
                key,
                at: now,
                anomaly: Anomaly::PayloadTypeChange { from, to },
            });
        }
        if effects.became_valid {
            self.push_event(Event::Anomaly {
                id,
                key,
                at: now,
                anomaly: Anomaly::Validated,
            });
        }
    }

    fn start_stream(&mut self, now: Timestamp, key: StreamKey, header: &RtpHeader) {
        if self.streams.len() >= self.config.max_streams {
            self.evict_idlest();
        }
        let id = self.next_id;
        self.next_id += 1;
        self.counters.streams_started += 1;
        let stream = Stream::new(id, key, now, header, &self.payloads, self.late_buffer_ns);
        self.streams.insert(stream);
        if self.next_idle_check.is_none() {
            // The sweep disarms itself when no stream is left; a new stream re-arms it.
            self.next_idle_check = Some(now + self.config.idle_timeout);
            self.next_deadline_ns = self
                .next_deadline_ns
                .min((now + self.config.idle_timeout).as_nanos());
        }
        self.push_event(Event::StreamStarted { id, key, at: now });
        if self.flow_ssrc.len() >= self.config.max_streams {
            self.flow_ssrc.clear();
        }
        if let Some(previous) = self.flow_ssrc.insert(key.flow, key.ssrc) {
            if previous != key.ssrc
                && self.streams.contains_key(&StreamKey {
                    flow: key.flow,
                    ssrc: previous,
                })
            {
                self.push_event(Event::Anomaly {
                    id,
                    key,
                    at: now,
                    anomaly: Anomaly::SsrcChange { previous },
                });
            }
        }
    }

    /// Evicts the idlest sixteenth of the table at once, so a flood costs O(1) amortised.
    fn evict_idlest(&mut self) {
        let mut by_age: Vec<(Timestamp, StreamKey)> = self
            .streams
            .values()
            .map(|s| (s.last_arrival, s.key()))
            .collect();
        let n = (by_age.len() / 16).max(1);
        by_age.select_nth_unstable(n - 1);
        by_age.truncate(n);
        by_age.sort_unstable();
        for (_, key) in by_age {
            self.counters.streams_evicted += 1;
            self.end_stream(&key, EndReason::Evicted);
        }
    }

    /// Handles one RTCP compound packet.
    pub fn handle_rtcp(&mut self, now: Timestamp, datagram: &[u8]) -> Result<(), DatagramError> {
        self.advance(now);
        let outcome = self.rtcp.handle(now, datagram).map_err(|e| {
            self.counters.rtcp_malformed += 1;
            DatagramError::Rtcp(e)
        })?;
        self.counters.rtcp_packets += 1;
        self.counters.rtcp_entries_dropped = self.rtcp.dropped_ssrcs;
        self.counters.rtt_negative = self.rtcp.negative_rtt;
        for (reporter, source, rtt_ms) in outcome.rtt_samples {
            if self.config.events {
                self.monitor.handle_round_trip(source, rtt_ms);
            }
            self.push_event(Event::RoundTrip {
                reporter,
                source,
                at: now,
                rtt_ms,
            });
        }
        for ssrc in outcome.byes {
            let mut keys: Vec<StreamKey> = self.streams.keys_with_ssrc(ssrc);
            keys.sort_unstable();
            for key in keys {
                let reason = self.end_reason(&key, EndReason::Bye);
                self.end_stream(&key, reason);
            }
        }
        Ok(())
    }

    /// When `handle_timeout` next needs calling, if ever.
    pub fn poll_timeout(&self) -> Option<Timestamp> {
        match (self.next_interval, self.next_idle_check) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Runs timers due at `now`: interval reports and idle timeouts.
    pub fn handle_timeout(&mut self, now: Timestamp) {
        self.last_now = self.last_now.max(now);
        if let (Some(mut due), Some(interval)) = (self.next_interval, self.config.interval) {
            // After a clock jump, report the one long interval rather than thousands.
            while due <= now {
                // Interval reports and the live monitor's symptoms exist only as events, and
                // no report depends on them: without events, closing every stream's interval
                // every second (a tenth of a pipeline worker's time among 1 000 streams) is
                // skipped. The timer still runs: when it fires arms the idle check, so the
                // streams end at the same moments either way.
                if self.config.events {
                    self.close_intervals(due);
                }
                let next = due + interval;
                if next <= due {
                    // Time's end (saturated): there is no later boundary to wait for.
                    break;
                }
                due = next;
                if due <= now && now.saturating_duration_since(due) > interval * 10 {
                    let skipped =
                        now.saturating_duration_since(due).as_nanos() / interval.as_nanos().max(1);
                    due = due + interval * u32::try_from(skipped).unwrap_or(u32::MAX);
                }
            }
            self.next_interval = Some(due);
        }
        if let Some(due) = self.next_idle_check {
            if due <= now {
                let idle = self.config.idle_timeout;
                let expired: Vec<StreamKey> = self
                    .streams
                    .values()
                    .filter(|s| s.last_arrival + idle <= now)
                    .map(Stream::key)
                    .collect();
                let mut expired = expired;
                expired.sort_unstable();
                for key in expired {
                    self.end_stream(&key, EndReason::Idle);
                }
                let step = (idle / 4).max(core::time::Duration::from_millis(100));
                self.next_idle_check = (!self.streams.is_empty()).then(|| now + step);
            }
        }
        self.next_deadline_ns = self.poll_timeout().map_or(u64::MAX, Timestamp::as_nanos);
    }

    fn close_intervals(&mut self, end: Timestamp) {
        // In key order, so that the events come out the same whatever the table's order;
        // the keys are sorted, not the reports (a few hundred bytes each).
        let mut order = core::mem::take(&mut self.interval_order);
        order.clear();
        order.extend(self.streams.values().zip(0u32..).map(|(s, i)| (s.key(), i)));
        order.sort_unstable_by_key(|&(key, _)| key);
        for &(_, at) in &order {
            let Some(r) = self
                .streams
                .nth_mut(at)
                .map(|(s, cold)| s.take_interval(cold, end))
            else {
                continue;
            };
            // Diagnosis: the live monitor sees every interval, its symptoms follow it.
            let symptoms = self.monitor.handle_interval(&r);
            self.push_event(Event::Interval(r));
            for s in symptoms {
                self.push_event(Event::Symptom(s));
            }
        }
        self.interval_order = order;
        for s in self.monitor.sweep(end) {
            self.push_event(Event::Symptom(s));
        }
    }

    /// Keeps timers armed and runs those due, so callers that only hand in packets still get
    /// interval reports and idle timeouts on packet time. The common case, nothing due, is a
    /// comparison in line; the rest is out of line.
    #[inline(always)]
    fn advance(&mut self, now: Timestamp) {
        if now.as_nanos() < self.next_deadline_ns {
            self.last_now = self.last_now.max(now);
            return;
        }
        self.advance_due(now);
    }

    #[inline(never)]
    fn advance_due(&mut self, now: Timestamp) {
        if self.next_interval.is_none() {
            // Boundaries fall on whole multiples of the interval from the time origin, so that
            // every analyzer (e.g. every pipeline shard) closes intervals at the same instants.
            self.next_interval = self.config.interval.map(|i| {
                let step = u64::try_from(i.as_nanos()).unwrap_or(u64::MAX).max(1);
                Timestamp::from_nanos(
                    (now.as_nanos() / step)
                        .saturating_add(1)
                        .saturating_mul(step),
                )
            });
        }
        if self.next_idle_check.is_none() {
            self.next_idle_check = Some(now + self.config.idle_timeout);
        }
        if self.poll_timeout().is_some_and(|t| t <= now) {
            self.handle_timeout(now);
        }
        self.next_deadline_ns = self.poll_timeout().map_or(u64::MAX, Timestamp::as_nanos);
        self.last_now = self.last_now.max(now);
    }

    fn end_stream(&mut self, key: &StreamKey, reason: EndReason) {
        let Some((mut stream, mut cold)) = self.streams.remove(key) else {
            return;
        };
        cold.ended = Some(reason);
        let report = stream.report(&mut cold);
        // Symptoms of a stream that went away are over; at the end of the analysis they are
        // simply where things stood, not a recovery.
        if reason != EndReason::Finished && self.config.events {
            for s in self
                .monitor
                .stream_ended(cold.id, self.last_now.max(stream.last_arrival))
            {
                self.push_event(Event::Symptom(s));
            }
        }
        if self.config.events {
            self.push_event(Event::StreamEnded(Box::new(report.clone())));
        }
        if self.ended.len() < self.config.max_ended_streams {
            self.ended.push(report);
        } else {
            self.counters.ended_reports_dropped += 1;
        }
    }

    fn push_event(&mut self, event: Event) {
        if !self.config.events {
            return;
        }
        if self.events.len() >= self.config.max_queued_events {
            self.counters.events_dropped += 1;
        } else {
            self.events.push_back(event);
        }
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Snapshots of the live streams, ordered by first arrival then key.
    pub fn streams(&mut self) -> Vec<StreamReport> {
        let mut out = self.live_reports();
        sort_reports(&mut out);
        out
    }

    fn live_reports(&mut self) -> Vec<StreamReport> {
        self.streams
            .values_mut()
            .map(|(s, cold)| s.report(cold))
            .collect()
    }

    /// Number of live streams.
    pub fn live_streams(&self) -> usize {
        self.streams.len()
    }

    /// Ends every live stream, e.g. at end of input: `Idle` if its idle timeout had already
    /// passed, else `Finished`.
    pub fn finish(&mut self) {
        let mut keys: Vec<StreamKey> = self.streams.values().map(Stream::key).collect();
        keys.sort_unstable();
        for key in keys {
            let reason = self.end_reason(&key, EndReason::Finished);
            self.end_stream(&key, reason);
        }
    }

    /// `Idle` when the stream's idle deadline has passed (whether or not a sweep has run
    /// since, which depends on what other traffic the analyzer saw), else `otherwise`.
    fn end_reason(&self, key: &StreamKey, otherwise: EndReason) -> EndReason {
        match self.streams.get(key) {
            Some((s, _)) if s.last_arrival + self.config.idle_timeout <= self.last_now => {
                EndReason::Idle
            }
            _ => otherwise,
        }
    }

    /// Everything known now: live and ended streams, RTCP facts and counters.
    pub fn report(&mut self) -> AnalysisReport {
        self.report_recent(core::time::Duration::MAX)
    }

    /// [`Self::report`], handing over the ended streams' reports rather than copying them:
    /// the last report (after [`Self::finish`]), which a capture of many streams would
    /// otherwise copy whole. The analyzer keeps no ended report afterwards.
    pub fn take_report(&mut self) -> AnalysisReport {
        let mut streams = core::mem::take(&mut self.ended);
        streams.extend(self.live_reports());
        sort_reports(&mut streams);
        AnalysisReport {
            streams,
            rtcp: self.rtcp.report(),
            counters: self.counters,
        }
    }

    /// [`Self::report`] with, of the ended streams, only those whose last packet came less
    /// than `window` before the latest time seen: what a view redrawn every second needs, at
    /// a cost that does not grow with how many streams ended before (a day on a trunk ends
    /// hundreds of thousands). Live streams are all there.
    ///
    /// Ended reports are kept in the order their streams ended, and a stream ends at most a
    /// few idle timeouts after its last packet, so the walk back stops at the first report
    /// older than the window by that margin.
    pub fn report_recent(&mut self, window: core::time::Duration) -> AnalysisReport {
        let latest = self.last_now.as_nanos();
        let window_ns = u64::try_from(window.as_nanos()).unwrap_or(u64::MAX);
        let horizon = window_ns.saturating_add(self.idle_ns.saturating_mul(2));
        let recent =
            |r: &StreamReport, span: u64| r.last_arrival.as_nanos().saturating_add(span) >= latest;
        let from = self
            .ended
            .iter()
            .rposition(|r| !recent(r, horizon))
            .map_or(0, |k| k + 1);
        let mut streams = self.live_reports();
        streams.extend(
            self.ended
                .get(from..)
                .unwrap_or_default()
                .iter()
                .filter(|r| recent(r, window_ns))
                .cloned(),
        );
        sort_reports(&mut streams);
        AnalysisReport {
            streams,
            rtcp: self.rtcp.report(),
            counters: self.counters,
        }
    }

    /// Counters so far.
    pub fn counters(&self) -> Counters {
        self.counters
    }

    /// Approximate memory held by live streams (bytes), for benchmarks.
    pub fn stream_memory_bytes(&self) -> usize {
        self.streams.memory_bytes()
            + self.streams.overhead_bytes()
            + self.interval_order.capacity() * core::mem::size_of::<(StreamKey, u32)>()
    }
}
