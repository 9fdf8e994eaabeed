//! Min / mean / max of the interarrival delta and jitter as Wireshark's RTP stream analysis
//! computes them (`ui/tap-rtp-analysis.c`, tshark `-z rtp,streams`), so that our columns equal
//! tshark's. The rules, each with its reason:
//!
//! - **Predecessor** is the previous packet in arrival order, reordered or not (as RFC 3550
//!   A.8 does): the timestamp difference is the wrapping 32-bit one, so neither the wrap at
//!   2^32 nor a late packet produces a spike. (Wireshark 4.2 and later compare with the last
//!   packet in timestamp order instead; tshark 4.0, which made the references, does not.)
//! - **Excluded from min/max/mean** (but still advancing the running jitter): the first packet
//!   (no predecessor), packets with the marker bit (talkspurt or frame starts, whose timestamp
//!   jumps by design), comfort noise (PT 13/19) and the packet after it (the timestamp jumps
//!   over the silence).
//! - **Out of time sequence**: a packet whose timestamp is older than the stream's first
//!   packet's is skipped entirely — no delta, no jitter update, and the next packet is
//!   measured against the packet before it (tshark 4.0 behaviour).
//! - **Packets without a clock rate** (telephone events, or every packet while the rate is
//!   unknown) move the arrival-time reference but not the timestamp one: the next packet's
//!   nominal spacing is measured from the last packet that had a rate, as tshark 4.0 does (an
//!   event's timestamp is the event's start, not the time of the packet).
//! - **A sender restart** (RFC 3550 A.1: a jump beyond MAX_DROPOUT, then the next number):
//!   the jump's packet is left out and the restart's packet starts afresh, like a first
//!   packet. The new timestamps have no relation to the old, so tshark's measure across them
//!   is a spike of the size of the jump (7.3 s in `tests/data/restart-ssrc-ipv6hbh`); here
//!   the columns differ from tshark's.
//! - **Mean** is Wireshark's running mean whose weight counts every packet, excluded or not
//!   (`mean = (mean·(n−1) + x)/n` with n = packets before this one); on streams without
//!   exclusions it is the plain mean, and the mean delta is then duration / (packets − 1).
//! - **Jitter** is RFC 3550's J += (|D| − J)/16 as tshark computes it in milliseconds (here
//!   kept in nanoseconds, which changes only the last bits of a double and spares the packet
//!   path every division); with no known clock rate it stays 0 and min jitter is absent
//!   (tshark prints −1).
//!
//! - **Milliseconds per timestamp unit** are `1 / (clock_rate / 1000)` with the division in
//!   integers, as tshark does: exact for 8, 16, 48 or 90 kHz, but 0.2 % off for 44.1 kHz (and
//!   11.025 / 22.05 kHz). These columns exist to equal tshark's, so they keep its arithmetic;
//!   the RFC 3550 jitter (final value, percentiles) uses the exact rate.
//!
//! ```
//! use rtpscope_core::wireshark::{tshark_ns_per_unit, WiresharkStats, WsPacket};
//!
//! let mut s = WiresharkStats::default();
//! for (ms, ts, marker) in [(0u64, 0i64, false), (20, 160, false), (45, 320, false), (60, 480, true)] {
//!     s.update(WsPacket { arrival_ns: ms * 1_000_000, ext_ts: ts, marker,
//!                         payload_type: 0, unit_ns: tshark_ns_per_unit(8000) });
//! }
//! // The marker packet's 15 ms delta is left out; the first has none.
//! assert_eq!((s.delta().min, s.delta().max), (Some(20.0), 25.0));
//! ```

/// Running state of the Wireshark-rule statistics of one stream.
#[derive(Debug, Clone, Default)]
pub struct WiresharkStats {
    /// The extended timestamp of the first packet (since the last restart).
    first_ext_ts: i64,
    columns: WsColumns,
}

/// [`WiresharkStats`] without the first packet's timestamp, which a stream keeps once for
/// all its measures and passes in as whether a packet is older.
#[derive(Debug, Clone, Default)]
pub(crate) struct WsColumns {
    started: bool,
    prev_cn: bool,
    /// The extended timestamp of the last packet that had a clock rate (nominal time).
    nominal_ext_ts: i64,
    prev_time_ns: u64,
    total: u64,
    /// Running jitter in ns: the per-packet path works in ns and converts only on output,
    /// so it needs no division.
    jitter_ns: f64,
    /// In ns.
    delta: Running,
    /// In ns.
    jitter: Running,
}

const NS_PER_MS: f64 = 1e6;

/// Min / mean / max of a series, with Wireshark's mean weighting.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Extremes {
    /// Smallest value, if any was included.
    pub min: Option<f64>,
    /// Running mean.
    pub mean: f64,
    /// Largest value (0 when none).
    pub max: f64,
}

/// [`Extremes`] as they accumulate. Wireshark's mean, `m = (m·(n−1) + x)/n`, is kept as the
/// weighted sum `s = m·n`: while no packet was left out since the last value, n grew by one
/// and `s` simply adds `x`, so the per-packet path needs no division.
#[derive(Debug, Clone, Copy)]
struct Running {
    min: f64,
    max: f64,
    sum: f64,
    /// `n` at the last value included (0: none yet).
    weight: u64,
}

impl Default for Running {
    fn default() -> Self {
        Running {
            min: f64::INFINITY,
            max: 0.0,
            sum: 0.0,
            weight: 0,
        }
    }
}

impl Running {
    #[inline(always)]
    fn include(&mut self, x: f64, packets_before: u64) {
        crate::extremes::raise(&mut self.max, x);
        crate::extremes::lower(&mut self.min, x);
        if packets_before == self.weight + 1 {
            // Nothing left out since the last value (or this is the first, after one packet).
            self.sum += x;
        } else {
            self.rescale(x, packets_before);
        }
        self.weight = packets_before;
    }

    /// Packets were left out since the last value: the sum is rescaled to the new weight, as
    /// Wireshark's formula does (the first value starts the sum).
    #[cold]
    #[inline(never)]
    fn rescale(&mut self, x: f64, packets_before: u64) {
        self.sum = if self.weight == 0 {
            x
        } else {
            self.sum / self.weight as f64 * (packets_before - 1) as f64 + x
        };
    }

    /// The extremes, divided by `scale` (ns to ms).
    fn extremes(&self, scale: f64) -> Extremes {
        if self.weight == 0 {
            return Extremes::default();
        }
        Extremes {
            min: Some(self.min / scale),
            mean: self.sum / self.weight as f64 / scale,
            max: self.max / scale,
        }
    }
}

/// One packet as these statistics see it.
#[derive(Debug, Clone, Copy)]
pub struct WsPacket {
    /// Arrival time in ns.
    pub arrival_ns: u64,
    /// RTP timestamp, extended past 32 bits ([`unwrap_timestamp`]). The caller unwraps
    /// it, once for every measure it takes.
    pub ext_ts: i64,
    /// Marker bit.
    pub marker: bool,
    /// Payload type.
    pub payload_type: u8,
    /// Nanoseconds per timestamp unit by tshark's arithmetic ([`tshark_ns_per_unit`]), or 0
    /// when the packet has no clock rate (unknown, or a telephone event). The caller works
    /// it out once per rate, so packets need no division.
    pub unit_ns: f64,
}

impl WiresharkStats {
    /// Accounts one packet, in arrival order.
    pub fn update(&mut self, p: WsPacket) {
        if !self.columns.started {
            self.first_ext_ts = p.ext_ts;
        }
        self.columns.update(p, p.ext_ts < self.first_ext_ts);
    }

    /// The sender restarted its numbering and timestamps (RFC 3550 A.1): the next packet is
    /// measured against nothing, like a first one, and the statistics go on.
    pub fn restart(&mut self) {
        self.columns.restart();
    }

    /// Delta (ms) min / mean / max.
    pub fn delta(&self) -> Extremes {
        self.columns.delta()
    }

    /// Jitter (ms) min / mean / max.
    pub fn jitter(&self) -> Extremes {
        self.columns.jitter()
    }

    /// Current running jitter in ms.
    pub fn current_jitter_ms(&self) -> f64 {
        self.columns.current_jitter_ms()
    }
}

impl WsColumns {
    /// Accounts one packet, in arrival order; `before_first`: its timestamp is older than the
    /// first packet's (since the start or the last restart).
    #[inline(always)]
    pub(crate) fn update(&mut self, p: WsPacket, before_first: bool) {
        let cn = crate::clock::is_comfort_noise(p.payload_type);
        let follows_cn = core::mem::replace(&mut self.prev_cn, cn);
        if !self.started {
            self.started = true;
            self.nominal_ext_ts = p.ext_ts;
            self.prev_time_ns = p.arrival_ns;
            self.total += 1;
            return;
        }
        // A timestamp older than the stream's first is out of time sequence: tshark 4.0
        // neither measures it nor makes it the predecessor.
        if before_first {
            self.total += 1;
            return;
        }
        let delta_ns = (p.arrival_ns.wrapping_sub(self.prev_time_ns) as i64) as f64;
        self.prev_time_ns = p.arrival_ns;
        let rated = p.unit_ns > 0.0;
        if rated {
            let nominal_units = p.ext_ts - self.nominal_ext_ts;
            self.nominal_ext_ts = p.ext_ts;
            let diff = (delta_ns - nominal_units as f64 * p.unit_ns).abs();
            self.jitter_ns += (diff - self.jitter_ns) * (1.0 / 16.0);
        }
        if !p.marker && !cn && !follows_cn {
            self.delta.include(delta_ns, self.total);
            if rated {
                self.jitter.include(self.jitter_ns, self.total);
            }
        }
        self.total += 1;
    }

    pub(crate) fn restart(&mut self) {
        self.started = false;
    }

    /// A clock rate was found after packets measured without one: jitter is measured from
    /// the packet after the one with this extended timestamp (deltas go on as they were).
    pub(crate) fn clock_from(&mut self, ext_ts: i64) {
        self.nominal_ext_ts = ext_ts;
    }

    /// A word of the state (to load it ahead of a packet).
    pub(crate) fn touch(&self) -> u64 {
        self.total
    }

    /// Where the word [`Self::touch`] reads lies.
    #[cfg(test)]
    pub(crate) fn touched_offset() -> usize {
        core::mem::offset_of!(WsColumns, total)
    }

    pub(crate) fn delta(&self) -> Extremes {
        self.delta.extremes(NS_PER_MS)
    }

    pub(crate) fn jitter(&self) -> Extremes {
        self.jitter.extremes(NS_PER_MS)
    }

    pub(crate) fn current_jitter_ms(&self) -> f64 {
        self.jitter_ns / NS_PER_MS
    }
}

/// Nanoseconds per timestamp unit as tshark computes them, from its units per ms (below);
/// 0 for a rate of 0 (no clock).
pub fn tshark_ns_per_unit(clock_rate: u32) -> f64 {
    if clock_rate == 0 {
        return 0.0;
    }
    NS_PER_MS / tshark_units_per_ms(clock_rate)
}

/// tshark's `clock_rate / 1000` (unsigned integer division), or the exact value below 1 kHz
/// where tshark would divide by zero.
fn tshark_units_per_ms(rate: u32) -> f64 {
    match rate / 1000 {
        0 => f64::from(rate) / 1000.0,
        k => f64::from(k),
    }
}

/// Extends a 32-bit timestamp to the unwrapped value nearest the previous one.
pub fn unwrap_timestamp(prev_ext: i64, raw: u32) -> i64 {
    let delta = raw.wrapping_sub(prev_ext as u32) as i32;
    prev_ext + i64::from(delta)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PCMU packet; `ts` is taken as already unwrapped.
    fn pkt(ms: f64, ts: i64, marker: bool) -> WsPacket {
        WsPacket {
            arrival_ns: (ms * 1e6) as u64,
            ext_ts: ts,
            marker,
            payload_type: 0,
            unit_ns: tshark_ns_per_unit(8000),
        }
    }

    #[test]
    fn hand_worked_deltas_and_jitter() {
        let mut s = WiresharkStats::default();
        s.update(pkt(0.0, 0, false));
        s.update(pkt(20.0, 160, false)); // D = 0
        s.update(pkt(45.0, 320, false)); // D = 5 -> J = 5/16
        s.update(pkt(60.0, 480, false)); // delta 15, D = 5 -> J = (15*5/16 + 5)/16
        let j2 = 5.0 / 16.0;
        let j3 = (15.0 * j2 + 5.0) / 16.0;
        assert_eq!(s.delta().min, Some(15.0));
        assert_eq!(s.delta().max, 25.0);
        assert!((s.delta().mean - 20.0).abs() < 1e-12);
        assert!((s.jitter().max - j3).abs() < 1e-12);
        assert_eq!(s.jitter().min, Some(0.0));
        assert!((s.jitter().mean - (0.0 + j2 + j3) / 3.0).abs() < 1e-12);
    }

    #[test]
    fn marker_and_pre_first_packets_are_left_out() {
        let mut s = WiresharkStats::default();
        s.update(pkt(0.0, 160, false));
        s.update(pkt(20.0, 320, false));
        s.update(pkt(90.0, 960, true)); // talkspurt start: excluded
        s.update(pkt(95.0, 0, false)); // older than the first packet: skipped
        s.update(pkt(110.0, 1120, false)); // delta 20 from the 90 ms packet
        assert_eq!(s.delta().max, 20.0);
        assert_eq!(s.delta().min, Some(20.0));
    }

    #[test]
    fn reordered_packet_is_compared_with_its_arrival_predecessor() {
        let mut s = WiresharkStats::default();
        s.update(pkt(0.0, 0, false));
        s.update(pkt(20.0, 320, false)); // 160 is late: D = 20 - 40 = -20
        s.update(pkt(30.0, 160, false)); // D = 10 - (-20) = 30
        let j1 = 20.0 / 16.0;
        let j2 = (15.0 * j1 + 30.0) / 16.0;
        assert!((s.current_jitter_ms() - j2).abs() < 1e-12);
        assert_eq!(s.delta().min, Some(10.0));
    }

    #[test]
    fn tshark_integer_clock_division_is_kept_in_these_columns() {
        // L16 at 44.1 kHz, 20 ms packets (882 units), perfectly paced: tshark computes
        // 882 / 44 = 20.045 ms per packet, so D = 0.045 ms each time.
        let mut s = WiresharkStats::default();
        for i in 0..3u32 {
            s.update(WsPacket {
                arrival_ns: u64::from(i) * 20_000_000,
                ext_ts: i64::from(i) * 882,
                marker: false,
                payload_type: 11,
                unit_ns: tshark_ns_per_unit(44_100),
            });
        }
        let d = 882.0 / 44.0 - 20.0;
        let j1 = d / 16.0;
        assert!((s.current_jitter_ms() - (15.0 * j1 + d) / 16.0).abs() < 1e-12);
        assert_eq!(tshark_units_per_ms(8000), 8.0);
        assert_eq!(tshark_units_per_ms(500), 0.5);
    }

    #[test]
    fn an_event_moves_the_arrival_reference_but_not_the_nominal_one() {
        let mut s = WiresharkStats::default();
        s.update(pkt(0.0, 0, false));
        s.update(pkt(20.0, 160, false)); // D = 0
                                         // A DTMF event (no clock rate) whose timestamp is its start, 100 units back.
        s.update(WsPacket {
            unit_ns: 0.0,
            ..pkt(30.0, 60, false)
        });
        // Audio again: 20 ms after the last audio packet in RTP time, 25 ms after the event
        // in arrival: D = |25 - 20| = 5 ms (not |25 - (320 - 60) / 8|).
        s.update(pkt(55.0, 320, false));
        assert!((s.current_jitter_ms() - 5.0 / 16.0).abs() < 1e-12);
        assert_eq!(s.delta().max, 25.0);
    }

    #[test]
    fn timestamp_wrap_is_not_a_jump() {
        let mut s = WiresharkStats::default();
        let first = (1i64 << 32) + i64::from(u32::MAX - 79);
        s.update(pkt(0.0, first, false));
        s.update(pkt(20.0, unwrap_timestamp(first, 80), false));
        assert_eq!(s.current_jitter_ms(), 0.0);
        assert_eq!(unwrap_timestamp((1 << 32) + 5, u32::MAX), (1 << 32) - 1);
    }
}
