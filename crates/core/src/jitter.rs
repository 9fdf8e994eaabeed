//! RFC 3550 §6.4.1 / Appendix A.8 interarrival jitter, in timestamp units.
//!
//! J(i) = J(i−1) + (|D(i−1,i)| − J(i−1))/16 with D = (Rj − Ri) − (Sj − Si), where R is the
//! arrival time converted to timestamp units and S the RTP timestamp. Every packet takes part,
//! in arrival order, as A.8 specifies. The timestamp difference is taken as a wrapping 32-bit
//! signed value, so the timestamp wrap at 2^32 does not produce a spike. The state is kept in
//! `f64` timestamp units rather than A.8's ×16 integer so that sub-unit precision survives; the
//! value an RR would carry is its integer part.
//!
//! ```
//! use rtpscope_core::jitter::RfcJitter;
//! let mut j = RfcJitter::default();
//! j.update(0, 0, 8000);
//! j.update(25_000_000, 160, 8000); // 5 ms late = 40 timestamp units
//! assert_eq!(j.timestamp_units(), 40.0 / 16.0);
//! assert_eq!(j.millis(8000), 40.0 / 16.0 / 8.0);
//! ```

/// The running RFC 3550 jitter of one source.
#[derive(Debug, Clone, Copy, Default)]
pub struct RfcJitter {
    /// The previous packet's arrival and timestamp, when `started` (not an `Option`, whose
    /// tag would take a word of its own).
    prev_ns: u64,
    prev_ts: u32,
    started: bool,
    jitter: f64,
}

impl RfcJitter {
    /// Accounts a packet arriving at `arrival_ns` with RTP timestamp `timestamp`.
    #[inline]
    pub fn update(&mut self, arrival_ns: u64, timestamp: u32, clock_rate: u32) {
        self.update_scaled(arrival_ns, timestamp, f64::from(clock_rate) / 1e9);
    }

    /// [`RfcJitter::update`] with the clock rate given as timestamp units per nanosecond, so a
    /// caller that sees many packets at one rate divides once.
    #[inline]
    pub fn update_scaled(&mut self, arrival_ns: u64, timestamp: u32, units_per_ns: f64) {
        if self.started {
            let arrival_units =
                (arrival_ns.wrapping_sub(self.prev_ns) as i64) as f64 * units_per_ns;
            let ts_units = f64::from(timestamp.wrapping_sub(self.prev_ts) as i32);
            let d = arrival_units - ts_units;
            self.jitter += (d.abs() - self.jitter) / 16.0;
        }
        (self.prev_ns, self.prev_ts, self.started) = (arrival_ns, timestamp, true);
    }

    /// The previous packet's RTP timestamp, once there was one.
    #[inline]
    pub(crate) fn previous_timestamp(&self) -> Option<u32> {
        self.started.then_some(self.prev_ts)
    }

    /// The sender restarted its numbering and timestamps (RFC 3550 A.1): the next packet has
    /// no predecessor to be compared with; the jitter so far stands.
    pub fn restart(&mut self) {
        self.started = false;
    }

    /// The clock changed: the jitter so far in the new timestamp units (`factor` = new rate
    /// over old).
    pub(crate) fn rescale(&mut self, factor: f64) {
        self.jitter *= factor;
    }

    /// A word of the state (to load it ahead of a packet).
    #[inline]
    pub(crate) fn touch(&self) -> u64 {
        self.prev_ns
    }

    /// Where the word [`Self::touch`] reads lies.
    #[cfg(test)]
    pub(crate) fn touched_offset() -> usize {
        core::mem::offset_of!(RfcJitter, prev_ns)
    }

    /// The jitter in timestamp units.
    #[inline]
    pub fn timestamp_units(&self) -> f64 {
        self.jitter
    }

    /// The jitter in milliseconds for a clock rate.
    #[inline]
    pub fn millis(&self, clock_rate: u32) -> f64 {
        if clock_rate == 0 {
            0.0
        } else {
            self.jitter * 1000.0 / f64::from(clock_rate)
        }
    }
}

/// f64 reference check: the A.8 integer algorithm (×16 fixed point) stays within one
/// timestamp unit of ours.
#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reference(arrivals: &[(u64, u32)], rate: u32) -> f64 {
        let mut j = 0.0f64;
        for w in arrivals.windows(2) {
            let r = (w[1].0 as f64 - w[0].0 as f64) * rate as f64 / 1e9;
            let s = (w[1].1.wrapping_sub(w[0].1) as i32) as f64;
            j += ((r - s).abs() - j) / 16.0;
        }
        j
    }

    proptest! {
        #[test]
        fn equals_f64_reference(
            start_ts in any::<u32>(),
            steps in prop::collection::vec((0u64..200_000_000, 0u32..2000), 1..300),
        ) {
            let mut arrivals = vec![(1_000_000_000u64, start_ts)];
            for (dt, dts) in steps {
                let (t, ts) = *arrivals.last().unwrap();
                arrivals.push((t + dt, ts.wrapping_add(dts)));
            }
            let mut j = RfcJitter::default();
            for &(t, ts) in &arrivals {
                j.update(t, ts, 8000);
            }
            let want = reference(&arrivals, 8000);
            prop_assert!((j.timestamp_units() - want).abs() <= 1e-9 * want.max(1.0));
        }
    }

    #[test]
    fn wrap_produces_no_spike() {
        let mut j = RfcJitter::default();
        let mut ts = u32::MAX - 400;
        for i in 0..10u64 {
            j.update(i * 20_000_000, ts, 8000);
            ts = ts.wrapping_add(160);
        }
        assert_eq!(j.timestamp_units(), 0.0);
    }
}
