//! The state of one stream (flow + SSRC) and how each packet updates it.

mod histogram;
mod timing;

pub(crate) use timing::{Timing, TimingCold, TimingSample};

use rtpscope_wire::{Flow, Timestamp};

use crate::burst::{BurstCounts, BurstRun};
use crate::mos::{Codec, EModel};
use crate::payload::{PayloadClass, PayloadInfo, RtpHeader};
use crate::report::{
    BurstReport, EndReason, IntervalReport, JitterReport, MinMeanMax, StreamKey, StreamReport,
};
use crate::seq::{missing_pct, SeqCounts, SeqOutcome, SeqState};

/// Distinct payload types remembered per stream.
const MAX_PAYLOAD_TYPES: usize = 8;

/// Resolves a payload type on a stream to what it carries.
pub(crate) trait Resolve {
    fn resolve(&self, key: &StreamKey, payload_type: u8) -> Option<PayloadInfo>;
}

/// What every packet of a stream reads and writes, in 6 cache lines; the rest of its state is
/// a [`StreamCold`], kept in another array. Among many streams each packet's stream is a
/// cache miss, and in memory order the hardware brings in whole structures, so a stream
/// holding only this part costs a packet as few lines as possible. The `layout` test pins
/// the size.
#[derive(Debug)]
#[repr(C, align(64))]
pub(crate) struct Stream {
    seq: SeqState,
    timing: Timing,
    /// The key, as its flow and SSRC apart: a [`StreamKey`] would pad its SSRC to a word,
    /// which the SSRC shares here with the small fields below.
    flow: Flow,
    ssrc: u32,
    last_pt: u8,
    /// Whether the current payload type is a telephone event (cached: checked per packet).
    last_is_event: bool,
    /// The last packet was silent ([`Silence`] holds the rest, off the audible path).
    in_silence: bool,
    pub last_arrival: Timestamp,
    payload_bytes: u64,
    burst: BurstRun,
}

/// The state of a stream that packets rarely touch: reports, events, payload-type changes,
/// losses, held packets.
#[derive(Debug)]
pub(crate) struct StreamCold {
    pub id: u64,
    pub first_arrival: Timestamp,
    pub ended: Option<EndReason>,
    interval_start: Option<Timestamp>,
    first_pt: u8,
    payload_type_count: u8,
    /// Bit i: `payload_types[i]` is described (RFC 3551, SDP or configuration) as a codec,
    /// not a telephone event.
    described_codecs: u8,
    payload_types: [u8; MAX_PAYLOAD_TYPES],
    first_info: Option<PayloadInfo>,
    /// The E-model codec of `first_info`, looked up once (interval reports need it).
    codec: Option<Codec>,
    last_info: Option<PayloadInfo>,
    /// The codec whose clock the timing uses: the first, or the last one switched to.
    timing_info: Option<PayloadInfo>,
    pt_changes: u64,
    /// Late packets counted by the timing side when the current interval began.
    late_at_interval_start: u64,
    timing: TimingCold,
    seq: SeqCounts,
    burst: BurstCounts,
    silence: Silence,
}

/// Silent packets and the silences they make (only silent packets touch this).
#[derive(Debug, Default)]
struct Silence {
    /// Arrival of the current silence's first packet.
    start_ns: u64,
    packets: u64,
    interval_packets: u64,
    longest_ns: u64,
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

/// How far behind the highest a packet may be numbered and count as very late while the
/// stream's clock rate is unknown (a large key frame's burst, shuffled).
const VERY_LATE_UNRATED: u16 = 256;

impl Stream {
    pub(crate) fn new(
        id: u64,
        key: StreamKey,
        now: Timestamp,
        h: &RtpHeader,
        resolver: &impl Resolve,
        late_buffer_ns: f64,
    ) -> (Self, StreamCold) {
        let info = resolver.resolve(&key, h.payload_type);
        let rate = info
            .filter(|i| !i.is_telephone_event())
            .map(|i| (i.clock_rate, i.source));
        let (timing, timing_cold) = Timing::new(rate, late_buffer_ns);
        let (seq, seq_counts) = SeqState::new(h.sequence_number);
        let mut stream = Stream {
            timing,
            flow: key.flow,
            ssrc: key.ssrc,
            last_arrival: now,
            last_pt: h.payload_type,
            last_is_event: info.is_some_and(|i| i.is_telephone_event()),
            in_silence: false,
            payload_bytes: 0,
            seq,
            burst: BurstRun::default(),
        };
        let mut cold = StreamCold {
            id,
            first_arrival: now,
            ended: None,
            interval_start: Some(now),
            first_pt: h.payload_type,
            payload_type_count: 0,
            described_codecs: 0,
            payload_types: [0; MAX_PAYLOAD_TYPES],
            first_info: info,
            codec: info.and_then(|i| Codec::from_encoding(i.encoding.as_str())),
            last_info: info,
            timing_info: info.filter(|i| !i.is_telephone_event()),
            pt_changes: 0,
            late_at_interval_start: 0,
            timing: timing_cold,
            seq: seq_counts,
            burst: BurstCounts::default(),
            silence: Silence::default(),
        };
        cold.note_payload_type(h.payload_type, info);
        stream.account_common(&mut cold, now, h, true, false, late_buffer_ns);
        (stream, cold)
    }

    /// Accounts a packet after the first; `late_buffer_ns` is the jitter-buffer depth late
    /// packets are counted against.
    pub(crate) fn update(
        &mut self,
        cold: &mut StreamCold,
        now: Timestamp,
        h: &RtpHeader,
        resolver: &impl Resolve,
        late_buffer_ns: f64,
    ) -> PacketEffects {
        let was_valid = self.seq.is_valid();
        let window = self.seq.unsettled();
        let outcome = match self.seq.update(&mut cold.seq, h.sequence_number) {
            SeqOutcome::Jump => self.very_late(cold, now, h),
            outcome => outcome,
        };
        // A jump's packet is a stray or a restart's first: either way its timestamp is not
        // on the stream's clock.
        let timed = match outcome {
            SeqOutcome::InOrder { lost_before } => {
                self.burst
                    .advance(&mut cold.burst, window, u32::from(lost_before) + 1);
                true
            }
            // The old numbering is over: whatever it still held is settled.
            SeqOutcome::Restart => {
                self.burst.settle(&mut cold.burst, window);
                self.timing.sender_restart(&mut cold.timing);
                true
            }
            SeqOutcome::Jump => false,
            SeqOutcome::First | SeqOutcome::Late | SeqOutcome::Duplicate => true,
        };
        let mut payload_type_changed = None;
        if h.payload_type != self.last_pt {
            payload_type_changed = Some((self.last_pt, h.payload_type));
            self.payload_type_changed(cold, h.payload_type, resolver);
        }
        self.last_arrival = self.last_arrival.max(now);
        let in_order = matches!(outcome, SeqOutcome::InOrder { .. });
        self.account_common(cold, now, h, timed, in_order, late_buffer_ns);
        PacketEffects {
            outcome,
            payload_type_changed,
            became_valid: !was_valid && self.seq.is_valid(),
        }
    }

    #[cold]
    fn payload_type_changed(&mut self, cold: &mut StreamCold, pt: u8, resolver: &impl Resolve) {
        cold.pt_changes += 1;
        self.last_pt = pt;
        cold.last_info = resolver.resolve(&self.key(), pt);
        if crate::clock::is_comfort_noise(cold.first_pt) {
            self.codec_after_comfort_noise(cold, pt);
        }
        // A telephone event's timestamp marks the event start; a second payload type
        // nobody described (typically DTMF without SDP) has no clock we could trust.
        // Neither says anything about network timing (tshark: clock rate 0).
        self.last_is_event = match cold.last_info {
            Some(i) => i.is_telephone_event(),
            None => pt != cold.first_pt,
        };
        // Comfort noise is sent beside a codec, not instead of it: its packets keep the
        // codec's clock (PT 13 is 8 kHz on paper, yet sent beside 16 and 48 kHz codecs).
        let codec = cold
            .last_info
            .filter(|i| !i.is_telephone_event() && !crate::clock::is_comfort_noise(pt));
        if let Some(i) = codec {
            self.timing.change_rate(i.clock_rate, i.source);
            cold.timing_info = Some(i);
        }
        cold.note_payload_type(pt, cold.last_info);
    }

    /// The first codec described (statically, by SDP or by configuration) in a stream that
    /// began with comfort noise (a call that starts in silence) is the stream's codec. If its
    /// clock is not the comfort noise's (PT 13 is 8 kHz, yet sent beside 16 and 48 kHz
    /// codecs), the stream is timed from here on the codec's clock, as if it had started
    /// here: comfort noise says nothing of timing (tshark leaves it and the packet after it
    /// out too). Loss and sequence count on as before. An undescribed payload type is not
    /// taken for the codec: it may as well be DTMF sent before anyone spoke.
    fn codec_after_comfort_noise(&mut self, cold: &mut StreamCold, pt: u8) {
        let Some(info) = cold.last_info else {
            return;
        };
        if crate::clock::is_comfort_noise(pt) || info.is_telephone_event() {
            return;
        }
        if self.timing.rate().map(|r| r.0) != Some(info.clock_rate) {
            let rate = Some((info.clock_rate, info.source));
            let (timing, timing_cold) = Timing::new(rate, cold.timing.late_buffer_ns());
            (self.timing, cold.timing) = (timing, timing_cold);
            // The late count starts over with the timing.
            cold.late_at_interval_start = 0;
        }
        cold.first_pt = pt;
        cold.first_info = Some(info);
        cold.codec = Codec::from_encoding(info.encoding.as_str());
        cold.timing_info = Some(info);
    }

    #[inline(always)]
    fn account_common(
        &mut self,
        cold: &mut StreamCold,
        now: Timestamp,
        h: &RtpHeader,
        timed: bool,
        in_order: bool,
        late_buffer_ns: f64,
    ) {
        if timed {
            self.timing.update(
                &mut cold.timing,
                TimingSample {
                    arrival_ns: now.as_nanos(),
                    timestamp: h.timestamp,
                    marker: h.marker,
                    payload_type: h.payload_type,
                    event: self.last_is_event,
                    in_order,
                    ext_ts: 0,
                    since_first_ns: 0.0,
                    since_first_units: 0.0,
                },
                late_buffer_ns,
            );
        }
        self.payload_bytes += u64::from(h.payload_len);
        match h.payload_class {
            PayloadClass::Silent => {
                let s = &mut cold.silence;
                if !core::mem::replace(&mut self.in_silence, true) {
                    s.start_ns = now.as_nanos();
                }
                s.packets += 1;
                s.interval_packets += 1;
                s.longest_ns = s.longest_ns.max(now.as_nanos().saturating_sub(s.start_ns));
            }
            PayloadClass::Audible => self.in_silence = false,
            PayloadClass::Unknown => {}
        }
    }

    /// A clock rate became known for the stream's main payload type.
    pub(crate) fn learn_rate(&mut self, cold: &mut StreamCold, info: PayloadInfo) {
        if cold.first_info.is_none() {
            cold.first_info = Some(info);
            cold.codec = Codec::from_encoding(info.encoding.as_str());
        }
        if self.last_pt == cold.first_pt {
            cold.last_info = Some(info);
            self.last_is_event = info.is_telephone_event();
        }
        if !info.is_telephone_event() {
            self.timing
                .set_rate(&mut cold.timing, info.clock_rate, info.source);
            cold.timing_info = Some(info);
        }
    }

    /// The stream's flow and SSRC.
    #[inline]
    pub(crate) fn key(&self) -> StreamKey {
        StreamKey {
            flow: self.flow,
            ssrc: self.ssrc,
        }
    }

    /// Whether this is the stream of `key`.
    #[inline(always)]
    pub(crate) fn is(&self, key: &StreamKey) -> bool {
        self.ssrc == key.ssrc && self.flow == key.flow
    }

    /// The highest sequence number so far (for jump reports).
    pub(crate) fn max_sequence_number(&self) -> u16 {
        self.seq.extended_max() as u16
    }

    pub(crate) fn needs_rate(&self) -> bool {
        self.timing.rate().is_none()
    }

    /// Closes the current interval.
    pub(crate) fn take_interval(
        &mut self,
        cold: &mut StreamCold,
        end: Timestamp,
    ) -> IntervalReport {
        let loss = self.seq.take_interval(&mut cold.seq);
        let start = cold.interval_start.replace(end).unwrap_or(end);
        let silent_packets = core::mem::take(&mut cold.silence.interval_packets);
        let lost_pct = if loss.expected == 0 {
            0.0
        } else {
            loss.lost.max(0) as f64 * 100.0 / loss.expected as f64
        };
        let missing_pct = missing_pct(loss.expected, loss.lost, loss.unexpected);
        let late = cold.timing.late;
        IntervalReport {
            id: cold.id,
            key: self.key(),
            start,
            end,
            packets: loss.received,
            expected: loss.expected,
            lost: loss.lost,
            lost_pct,
            duplicates: loss.duplicates,
            missing_pct,
            jitter_ms: self.timing.current_jitter_ms(),
            max_jitter_ms: self.timing.take_interval_max_jitter_ms(),
            late_for_buffer: late - core::mem::replace(&mut cold.late_at_interval_start, late),
            // Nothing heard, nothing to score (a pause, or a stream that went quiet).
            mos_lq: cold
                .codec
                .filter(|_| loss.received > 0)
                .map(|c| EModel::new(c).mos_lq(missing_pct, 1.0)),
            silent_packets,
            valid: self.seq.is_valid(),
        }
    }

    /// A packet A.1 took for a jump, behind the highest by more than `MAX_MISORDER`, is
    /// very late instead when its timestamp and arrival say so (a key frame's burst
    /// reordered through a jittery link): late or a duplicate, and timed, as tshark and
    /// RFC 3550 time every packet.
    #[cold]
    #[inline(never)]
    fn very_late(&mut self, cold: &mut StreamCold, now: Timestamp, h: &RtpHeader) -> SeqOutcome {
        let seq = h.sequence_number;
        // Without a clock rate the arrival tells less: only a key frame's worth behind.
        let near = |behind| self.timing.rate().is_some() || behind <= VERY_LATE_UNRATED;
        if self.seq.jumped_back(seq).is_some_and(near)
            && self.timing.fits_as_late(h.timestamp, now.as_nanos())
        {
            self.seq.jump_was_late(&mut cold.seq, seq)
        } else {
            SeqOutcome::Jump
        }
    }

    /// A full snapshot.
    pub(crate) fn report(&mut self, cold: &mut StreamCold) -> StreamReport {
        let t = if cold.ended.is_some() {
            self.timing.settle(&mut cold.timing);
            self.timing.summary(&cold.timing)
        } else {
            self.timing.settled_summary(&cold.timing)
        };
        let expected = self.seq.expected(&cold.seq);
        let lost = self.seq.lost(&cold.seq);
        let lost_pct = if expected == 0 {
            0.0
        } else {
            lost as f64 * 100.0 / expected as f64
        };
        let metrics = self
            .burst
            .metrics_settled(&cold.burst, self.seq.unsettled());
        let packet_ms = packet_interval_ms(t.delta.mean, self.seq.received(&cold.seq), expected);
        let burst = BurstReport {
            metrics,
            burst_duration_ms: metrics.mean_burst_packets * packet_ms,
            longest_burst_ms: metrics.longest_burst_packets as f64 * packet_ms,
            gap_duration_ms: metrics.mean_gap_packets * packet_ms,
        };
        StreamReport {
            id: cold.id,
            key: self.key(),
            payload_type: cold.first_pt,
            payload_types: cold.payload_types[..usize::from(cold.payload_type_count)].to_vec(),
            described_codecs: cold.described_codecs(),
            encoding: cold.first_info.map(|i| i.encoding),
            // Only when the reported rate is that codec's: a rate inferred or not yet known
            // when the switch came is no codec's.
            switched_to: cold
                .timing_info
                .filter(|i| t.clock_rate == Some((i.clock_rate, i.source)))
                .map(|i| i.encoding)
                .filter(|&e| Some(e) != cold.first_info.map(|i| i.encoding)),
            clock_rate: t.clock_rate.map(|r| r.0),
            clock_rate_source: t.clock_rate.map(|r| r.1),
            first_arrival: cold.first_arrival,
            last_arrival: self.last_arrival,
            packets: self.seq.received(&cold.seq),
            expected,
            lost,
            lost_pct,
            missing_pct: missing_pct(expected, lost, cold.seq.unexpected()),
            duplicates: cold.seq.duplicates,
            late: cold.seq.late,
            seq_jumps: cold.seq.jumps,
            restarts: cold.seq.restarts,
            timestamp_steps: cold.timing.steps,
            payload_type_changes: cold.pt_changes,
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
            mos_lq: cold.codec.map(|c| {
                let missing = missing_pct(expected, lost, cold.seq.unexpected());
                EModel::new(c).mos_lq(missing, metrics.burst_ratio)
            }),
            late_for_buffer: cold.timing.late,
            payload_bytes: self.payload_bytes,
            silent_packets: cold.silence.packets,
            longest_silence_ms: cold.silence.longest_ns as f64 / 1e6,
            ended: cold.ended,
        }
    }

    /// A word from each line a packet touches (to load them ahead of the packet). The
    /// `layout` tests check that the words reach every line; keep them in step.
    #[inline]
    pub(crate) fn touch(&self) -> u64 {
        self.timing
            .touch()
            .wrapping_add(self.last_arrival.as_nanos())
            .wrapping_add(self.payload_bytes)
            .wrapping_add(self.seq.touch())
            .wrapping_add(self.burst.touch())
    }
}

impl StreamCold {
    /// Approximate bytes held by the stream this belongs to, both parts and their heap.
    pub(crate) fn stream_bytes(&self) -> usize {
        core::mem::size_of::<Stream>() + core::mem::size_of::<Self>() + self.timing.heap_bytes()
    }

    pub(crate) fn first_payload_type(&self) -> u8 {
        self.first_pt
    }

    fn note_payload_type(&mut self, pt: u8, info: Option<PayloadInfo>) {
        let n = usize::from(self.payload_type_count);
        if n < MAX_PAYLOAD_TYPES && !self.payload_types[..n].contains(&pt) {
            self.payload_types[n] = pt;
            self.payload_type_count += 1;
            if info.is_some_and(|i| !i.is_telephone_event()) {
                self.described_codecs |= 1 << n;
            }
        }
    }

    /// The payload types seen that are described as codecs.
    fn described_codecs(&self) -> Vec<u8> {
        let n = usize::from(self.payload_type_count);
        (0..n)
            .filter(|&i| self.described_codecs & (1 << i) != 0)
            .filter_map(|i| self.payload_types.get(i).copied())
            .collect()
    }
}

/// The packet interval (ms) that burst and gap durations are counted in: the mean arrival
/// delta spread over the sequence numbers it spans. A lost packet's time lies inside its
/// neighbours' delta, so the plain mean grows with loss (a third lost made 20 ms packets look
/// 31 ms apart).
fn packet_interval_ms(mean_delta_ms: f64, received: u64, expected: u64) -> f64 {
    let received = received.min(expected);
    if received < 2 {
        return mean_delta_ms.max(0.0);
    }
    (mean_delta_ms * (received - 1) as f64 / (expected - 1) as f64).max(0.0)
}

/// How much of a stream one packet touches.
#[cfg(test)]
mod layout {
    use super::*;

    #[test]
    fn the_packet_path_state_is_six_cache_lines() {
        assert_eq!(core::mem::align_of::<Stream>(), 64);
        assert_eq!(core::mem::size_of::<Stream>(), 6 * 64);
    }

    /// `Analyzer::warm` loads a stream by reading the words of [`Stream::touch`]: a line none
    /// of them lies in would be a cache miss for the packet after all.
    #[test]
    fn warming_reads_a_word_of_every_line() {
        use core::mem::offset_of;
        let timing = offset_of!(Stream, timing);
        let mut lines: Vec<usize> = [
            offset_of!(Stream, seq) + SeqState::touched_offset(),
            offset_of!(Stream, last_arrival),
            offset_of!(Stream, payload_bytes),
            offset_of!(Stream, burst) + BurstRun::touched_offset(),
        ]
        .into_iter()
        .chain(Timing::touched_offsets().map(|at| timing + at))
        .map(|at| at / 64)
        .collect();
        lines.sort_unstable();
        lines.dedup();
        let all: Vec<usize> = (0..core::mem::size_of::<Stream>() / 64).collect();
        assert_eq!(lines, all);
    }
}
