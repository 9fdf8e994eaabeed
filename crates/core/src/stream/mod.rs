//! The state of one stream (flow + SSRC) and how each packet updates it.

mod histogram;
mod timing;

pub(crate) use timing::{Timing, TimingSample};

use rtpscope_wire::Timestamp;

use crate::burst::BurstTracker;
use crate::mos::{Codec, EModel};
use crate::payload::{PayloadClass, PayloadInfo, RtpHeader};
use crate::report::{
    BurstReport, EndReason, IntervalReport, JitterReport, MinMeanMax, StreamKey, StreamReport,
};
use crate::seq::{SeqOutcome, SeqTracker};

/// Distinct payload types remembered per stream.
const MAX_PAYLOAD_TYPES: usize = 8;

/// Resolves a payload type on a stream to what it carries.
pub(crate) trait Resolve {
    fn resolve(&self, key: &StreamKey, payload_type: u8) -> Option<PayloadInfo>;
}

/// Laid out in declaration order (`repr(C)`) and on cache-line boundaries, so that among
/// many streams, where each packet's stream is a cache miss, a packet touches as few lines as
/// possible: the fields every packet reads or writes share a few lines, and the nested
/// trackers put their rarely used parts where they fill lines of their own (the timing
/// side's first line, the sequence tracker's first line). The `layout` test pins the count.
#[derive(Debug)]
#[repr(C, align(64))]
pub(crate) struct Stream {
    /// Starts with one line the packet path does not touch.
    timing: Timing,
    pub key: StreamKey,
    pub last_arrival: Timestamp,
    last_pt: u8,
    /// Whether the current payload type is a telephone event (cached: checked per packet).
    last_is_event: bool,
    payload_bytes: u64,
    silence_start: Option<Timestamp>,
    silent_packets: u64,
    longest_silence_ns: u64,
    interval_silent_packets: u64,
    /// Cold, but here it completes the line so the sequence tracker starts on a new one.
    pub id: u64,
    /// Its rare counters fill a line; its busy part and the burst tracker's share the next.
    seq: SeqTracker,
    burst: BurstTracker,
    // Cold: read by reports and events.
    pub first_arrival: Timestamp,
    interval_start: Option<Timestamp>,
    first_pt: u8,
    payload_type_count: u8,
    payload_types: [u8; MAX_PAYLOAD_TYPES],
    first_info: Option<PayloadInfo>,
    /// The E-model codec of `first_info`, looked up once (interval reports need it).
    codec: Option<Codec>,
    last_info: Option<PayloadInfo>,
    pt_changes: u64,
    pub ended: Option<EndReason>,
    /// Late packets counted by the timing side when the current interval began.
    late_at_interval_start: u64,
}

/// What a packet did to its stream, for anomaly events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PacketEffects {
    pub outcome: SeqOutcome,
    pub payload_type_changed: Option<(u8, u8)>,
    pub became_valid: bool,
}

impl PacketEffects {
    /// Nothing worth an event happened.
    #[inline]
    pub(crate) fn is_quiet(&self) -> bool {
        matches!(
            self.outcome,
            SeqOutcome::InOrder { .. }
                | SeqOutcome::Late
                | SeqOutcome::Duplicate
                | SeqOutcome::First
        ) && self.payload_type_changed.is_none()
            && !self.became_valid
    }
}

impl Stream {
    pub(crate) fn new(
        id: u64,
        key: StreamKey,
        now: Timestamp,
        h: &RtpHeader,
        resolver: &impl Resolve,
        jitter_buffer_ns: u64,
    ) -> Self {
        let info = resolver.resolve(&key, h.payload_type);
        let rate = info
            .filter(|i| !i.is_telephone_event())
            .map(|i| (i.clock_rate, i.source));
        let mut stream = Stream {
            id,
            key,
            first_arrival: now,
            last_arrival: now,
            seq: SeqTracker::new(h.sequence_number),
            timing: Timing::new(rate, jitter_buffer_ns as f64 / 1e6),
            burst: BurstTracker::default(),
            first_pt: h.payload_type,
            first_info: info,
            codec: info.and_then(|i| Codec::from_encoding(i.encoding.as_str())),
            last_pt: h.payload_type,
            last_info: info,
            last_is_event: info.is_some_and(|i| i.is_telephone_event()),
            payload_types: [0; MAX_PAYLOAD_TYPES],
            payload_type_count: 0,
            pt_changes: 0,
            payload_bytes: 0,
            silent_packets: 0,
            silence_start: None,
            longest_silence_ns: 0,
            interval_start: Some(now),
            interval_silent_packets: 0,
            ended: None,
            late_at_interval_start: 0,
        };
        stream.note_payload_type(h.payload_type);
        stream.burst.received(1);
        stream.account_common(now, h);
        stream
    }

    /// Accounts a packet after the first.
    pub(crate) fn update(
        &mut self,
        now: Timestamp,
        h: &RtpHeader,
        resolver: &impl Resolve,
    ) -> PacketEffects {
        let was_valid = self.seq.is_valid();
        let outcome = self.seq.update(h.sequence_number);
        match outcome {
            SeqOutcome::InOrder { lost_before } => {
                self.burst.lost(u64::from(lost_before));
                self.burst.received(1);
            }
            SeqOutcome::Restart | SeqOutcome::First => self.burst.received(1),
            SeqOutcome::Late | SeqOutcome::Duplicate | SeqOutcome::Jump => {}
        }
        let mut payload_type_changed = None;
        if h.payload_type != self.last_pt {
            payload_type_changed = Some((self.last_pt, h.payload_type));
            self.pt_changes += 1;
            self.last_pt = h.payload_type;
            self.last_info = resolver.resolve(&self.key, h.payload_type);
            // A telephone event's timestamp marks the event start; a second payload type
            // nobody described (typically DTMF without SDP) has no clock we could trust.
            // Neither says anything about network timing (tshark: clock rate 0).
            self.last_is_event = match self.last_info {
                Some(i) => i.is_telephone_event(),
                None => h.payload_type != self.first_pt,
            };
            self.note_payload_type(h.payload_type);
        }
        self.last_arrival = self.last_arrival.max(now);
        self.account_common(now, h);
        PacketEffects {
            outcome,
            payload_type_changed,
            became_valid: !was_valid && self.seq.is_valid(),
        }
    }

    #[inline(always)]
    fn account_common(&mut self, now: Timestamp, h: &RtpHeader) {
        let event = self.last_is_event;
        self.timing.update(TimingSample {
            arrival_ns: now.as_nanos(),
            timestamp: h.timestamp,
            marker: h.marker,
            payload_type: h.payload_type,
            event,
            ext_ts: 0,
            since_first_ns: 0.0,
            since_first_units: 0.0,
        });
        self.payload_bytes += u64::from(h.payload_len);
        match h.payload_class {
            PayloadClass::Silent => {
                self.silent_packets += 1;
                self.interval_silent_packets += 1;
                let start = *self.silence_start.get_or_insert(now);
                self.longest_silence_ns = self
                    .longest_silence_ns
                    .max(now.as_nanos().saturating_sub(start.as_nanos()));
            }
            PayloadClass::Audible => self.silence_start = None,
            PayloadClass::Unknown => {}
        }
    }

    fn note_payload_type(&mut self, pt: u8) {
        let n = usize::from(self.payload_type_count);
        if n < MAX_PAYLOAD_TYPES && !self.payload_types[..n].contains(&pt) {
            self.payload_types[n] = pt;
            self.payload_type_count += 1;
        }
    }

    /// A clock rate became known for the stream's main payload type.
    pub(crate) fn learn_rate(&mut self, info: PayloadInfo) {
        if self.first_info.is_none() {
            self.first_info = Some(info);
            self.codec = Codec::from_encoding(info.encoding.as_str());
        }
        if self.last_pt == self.first_pt {
            self.last_info = Some(info);
            self.last_is_event = info.is_telephone_event();
        }
        if !info.is_telephone_event() {
            self.timing.set_rate(info.clock_rate, info.source);
        }
    }

    /// The highest sequence number so far (for jump reports).
    pub(crate) fn max_sequence_number(&self) -> u16 {
        self.seq.extended_max() as u16
    }

    pub(crate) fn first_payload_type(&self) -> u8 {
        self.first_pt
    }

    pub(crate) fn needs_rate(&self) -> bool {
        self.timing.rate().is_none()
    }

    /// Closes the current interval.
    pub(crate) fn take_interval(&mut self, end: Timestamp) -> IntervalReport {
        let loss = self.seq.take_interval();
        let start = self.interval_start.replace(end).unwrap_or(end);
        let silent_packets = core::mem::take(&mut self.interval_silent_packets);
        let lost_pct = if loss.expected == 0 {
            0.0
        } else {
            loss.lost.max(0) as f64 * 100.0 / loss.expected as f64
        };
        let jitter_ms = self.timing.current_jitter_ms();
        IntervalReport {
            id: self.id,
            key: self.key,
            start,
            end,
            packets: loss.received,
            expected: loss.expected,
            lost: loss.lost,
            lost_pct,
            jitter_ms,
            max_jitter_ms: self.timing.take_interval_max_jitter_ms(),
            late_for_buffer: self.timing.late()
                - core::mem::replace(&mut self.late_at_interval_start, self.timing.late()),
            mos_lq: self.codec().map(|c| EModel::new(c).mos_lq(lost_pct, 1.0)),
            silent_packets,
            valid: self.seq.is_valid(),
        }
    }

    fn codec(&self) -> Option<Codec> {
        self.codec
    }

    /// A full snapshot.
    pub(crate) fn report(&mut self) -> StreamReport {
        let t = if self.ended.is_some() {
            self.timing.settle();
            self.timing.summary()
        } else {
            self.timing.settled_summary()
        };
        let expected = self.seq.expected();
        let lost = self.seq.lost();
        let lost_pct = if expected == 0 {
            0.0
        } else {
            lost as f64 * 100.0 / expected as f64
        };
        let metrics = self.burst.metrics();
        let packet_ms = t.delta.mean.max(0.0);
        let burst = BurstReport {
            metrics,
            burst_duration_ms: metrics.mean_burst_packets * packet_ms,
            gap_duration_ms: metrics.mean_gap_packets * packet_ms,
        };
        StreamReport {
            id: self.id,
            key: self.key,
            payload_type: self.first_pt,
            payload_types: self.payload_types[..usize::from(self.payload_type_count)].to_vec(),
            encoding: self.first_info.map(|i| i.encoding),
            clock_rate: t.clock_rate.map(|r| r.0),
            clock_rate_source: t.clock_rate.map(|r| r.1),
            first_arrival: self.first_arrival,
            last_arrival: self.last_arrival,
            packets: self.seq.received(),
            expected,
            lost,
            lost_pct,
            duplicates: self.seq.duplicates(),
            late: self.seq.late(),
            seq_jumps: self.seq.jumps(),
            restarts: self.seq.restarts(),
            payload_type_changes: self.pt_changes,
            valid: self.seq.is_valid(),
            delta_ms: MinMeanMax::from_extremes(t.delta),
            jitter_ms: JitterReport {
                final_ms: t.jitter_final_ms,
                final_timestamp_units: t.jitter_final_units,
                min: t.jitter_min,
                mean: t.jitter_min.map(|_| t.jitter_mean),
                max: t.jitter_min.map(|_| t.jitter_max),
                p50: t.jitter_p50,
                p90: t.jitter_p90,
                p99: t.jitter_p99,
                above_histogram: t.jitter_above_histogram,
            },
            measured_rate_hz: t.measured_rate_hz,
            drift_ppm: t.drift_ppm,
            delay_variation_ms: t.delay_variation_ms,
            burst,
            mos_lq: self
                .codec()
                .map(|c| EModel::new(c).mos_lq(lost_pct.max(0.0), metrics.burst_ratio)),
            late_for_buffer: self.timing.late(),
            payload_bytes: self.payload_bytes,
            silent_packets: self.silent_packets,
            longest_silence_ms: self.longest_silence_ns as f64 / 1e6,
            ended: self.ended,
        }
    }

    /// A word from each line a packet touches (to load them ahead of the packet).
    #[inline]
    pub(crate) fn touch(&self) -> u64 {
        self.timing
            .touch()
            .wrapping_add(self.last_arrival.as_nanos())
            .wrapping_add(self.payload_bytes)
            .wrapping_add(self.seq.touch())
    }

    /// Approximate bytes held by this stream, heap included.
    pub(crate) fn memory_bytes(&self) -> usize {
        core::mem::size_of::<Self>() + self.timing.heap_bytes()
    }
}

/// Which cache lines of a stream one packet touches.
#[cfg(test)]
mod layout {
    use core::mem::{align_of, offset_of, size_of};
    use core::ops::Range;
    use std::collections::BTreeSet;

    use super::*;

    const LINE: usize = 64;

    fn within(base: usize, r: Range<usize>) -> Range<usize> {
        base + r.start..base + r.end
    }

    /// The bytes an in-order packet of a stream with a known clock rate reads or writes.
    fn hot() -> [Range<usize>; 4] {
        [
            within(offset_of!(Stream, timing), Timing::HOT_BYTES),
            offset_of!(Stream, key)..offset_of!(Stream, interval_silent_packets) + size_of::<u64>(),
            within(offset_of!(Stream, seq), SeqTracker::HOT_BYTES),
            within(offset_of!(Stream, burst), BurstTracker::HOT_BYTES),
        ]
    }

    #[test]
    fn a_packet_touches_few_cache_lines() {
        assert_eq!(align_of::<Stream>(), LINE);
        let lines: BTreeSet<usize> = hot()
            .into_iter()
            .flat_map(|r| r.start / LINE..=(r.end - 1) / LINE)
            .collect();
        eprintln!(
            "{} bytes, hot {:?}, lines {lines:?}",
            size_of::<Stream>(),
            hot()
        );
        assert_eq!(lines.len(), 8, "{lines:?}");
    }
}
